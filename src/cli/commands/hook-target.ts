import type { Config } from '../../config/types.js';
import type { TreeProbe } from '../../git/tree-probe.js';
import type { Graph } from '../../graph/types.js';
import { unreachable } from '../../util/unreachable.js';

/**
 * Where a hook's gates run. A hook judges what git is about to record or
 * send (the pushed commits, the index), not the working tree; the tree stands
 * in for it, keeping the fast path and the cache, only when no selected gate
 * reads a file where the two differ.
 */
export type HookTarget =
  | { readonly kind: 'tree' }
  | { readonly kind: 'snapshot'; readonly treeish: string; readonly note: string }
  | { readonly kind: 'nothing'; readonly note: string };

const short = (sha: string): string => sha.slice(0, 8);

/** A few paths for a one-line note, and how many more. */
export function somePaths(paths: readonly string[], shown = 3): string {
  const head = paths.slice(0, shown).join(', ');
  return paths.length > shown ? `${head} and ${paths.length - shown} more` : head;
}

/**
 * The targets of `check --hook <hook>`; `stdin` is what git passed (pre-push:
 * the refs); `probe`, started early, answers for a pushed commit that is HEAD
 * without further git calls.
 */
export async function hookTargets(hook: string, config: Config, graph: Graph, stdin: string, probe?: TreeProbe): Promise<HookTarget[]> {
  if (hook === 'pre-commit') return preCommitTargets(config, graph);
  if (hook !== 'pre-push') return [{ kind: 'tree' }];
  const { parsePushRefs, pushTargets } = await import('../../git/push-refs.js');
  const targets = pushTargets(parsePushRefs(stdin));
  // A run by hand (git said nothing) judges the tree: decided before loading what comparing commits needs.
  if (targets.kind === 'run-in-tree') return [{ kind: 'tree' }];
  const { gatesReading } = await import('../../exec/gates-reading.js');
  const git = await import('../../git/snapshot.js');
  switch (targets.kind) {
    case 'nothing':
      return [{ kind: 'nothing', note: `deleting ${targets.deleted.join(', ')} pushes no commit: nothing to check` }];
    case 'commits': {
      const out: HookTarget[] = [];
      for (const commit of targets.commits) {
        const differing = (commit === probe?.head ? await probe.differsFromHead(config.root) : undefined) ?? (await git.treeDiffersFrom(config.root, commit));
        const readers = gatesReading(config, graph, differing);
        out.push(
          readers.length === 0
            ? { kind: 'tree' }
            : {
                kind: 'snapshot',
                treeish: commit,
                note: `the working tree differs from the pushed commit ${short(commit)} in what ${somePaths(readers)} read (${somePaths(differing)}): checking ${short(commit)} in a temporary worktree`,
              },
        );
      }
      // Several pushed commits the tree stands in for are one run in the tree.
      return out.filter((t, i) => t.kind !== 'tree' || out.findIndex((u) => u.kind === 'tree') === i);
    }
    default:
      return unreachable(targets);
  }
}

/** pre-commit judges the index: the tree stands in for it unless a gate reads an unstaged change. */
async function preCommitTargets(config: Config, graph: Graph): Promise<HookTarget[]> {
  const { gatesReading } = await import('../../exec/gates-reading.js');
  const git = await import('../../git/snapshot.js');
  const differing = await git.unstagedPaths(config.root);
  const readers = gatesReading(config, graph, differing);
  if (readers.length === 0) return [{ kind: 'tree' }];
  const tree = await git.indexTree(config.root);
  return [
    {
      kind: 'snapshot',
      treeish: tree,
      note: `unstaged changes in what ${somePaths(readers)} read (${somePaths(differing)}): checking the staged files in a temporary worktree`,
    },
  ];
}
