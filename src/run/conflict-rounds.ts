import { readFileSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import type { RunContext } from './context.js';
import { setupPaths } from './setup-plan.js';

/**
 * The two ways a merge in progress is finished, shared by the run's merge
 * queue (merge-task.ts) and `orchestra apply` (apply-merge.ts): conflicted
 * text goes to an agent, generated files (lockfiles) are made again by their
 * tool. Each returns why it failed, or undefined.
 */

/** Conflict markers at the start of a line, as git writes them. */
const MARKERS = /^(<{7}|>{7})( |$)|^={7}$/m;

type Needs = Pick<RunContext, 'repo' | 'agents' | 'setup' | 'runDir' | 'config'>;

/** Whether merge.regenerate makes a path again (matched on its base name, as the map's globs are). */
export function generatedMatcher(regenerate: ReadonlyMap<string, string>): (file: string) => boolean {
  const globs = [...regenerate.keys()];
  return globs.length ? picomatch(globs, { dot: true, basename: true }) : () => false;
}

/** The files still holding a conflict marker (an unreadable one counts as resolved: git stages what is there). */
export function filesWithMarkers(worktree: string, files: readonly string[]): string[] {
  return files.filter((f) => {
    try {
      return MARKERS.test(readFileSync(path.join(worktree, f), 'utf8'));
    } catch {
      return false;
    }
  });
}

export interface AgentRound {
  readonly nodeId: string;
  /** The agent (id or role) that resolves. */
  readonly ref: string;
  readonly phase: string;
  readonly label: string;
  readonly worktree: string;
  readonly files: readonly string[];
  readonly prompt: (diff: string) => string;
  readonly signal: AbortSignal;
  /** The agent may change the conflicted files and nothing else (apply: no task scope is checked after it). */
  readonly onlyTheseFiles?: boolean;
}

/** The conflicted files to an agent; fails when it fails or leaves a marker behind. */
export async function resolveByAgent(run: Needs, round: AgentRound): Promise<string | undefined> {
  const diff = await run.repo.raw(['diff', '--no-ext-diff', '--no-textconv', '--', ...round.files], round.worktree);
  const { outcome } = await run.agents.run({
    nodeId: round.nodeId,
    ref: round.ref,
    phase: round.phase,
    label: round.label,
    prompt: round.prompt(diff),
    cwd: round.worktree,
    signal: round.signal,
  });
  if (!outcome.ok) return `the agent failed (${outcome.failure?.reason ?? 'failed'})`;
  if (round.onlyTheseFiles) {
    const beyond = await changedBeyond(run, round.worktree, round.files);
    if (beyond.length) return `the agent changed files beyond the conflicts: ${beyond.slice(0, 10).join(', ')}`;
  }
  const marked = filesWithMarkers(round.worktree, round.files);
  return marked.length ? `conflict markers left in ${marked.join(', ')}` : undefined;
}

/** Each generated file made again by its tool (in the sandbox), logged under `logNode`. */
export async function regenerate(run: Needs, files: readonly string[], worktree: string, logNode: string, signal: AbortSignal): Promise<string | undefined> {
  const commands = new Set<string>();
  for (const f of files) {
    for (const [glob, command] of run.config.merge.regenerate) if (picomatch(glob, { dot: true, basename: true })(f)) commands.add(command);
  }
  for (const command of commands) {
    const failed = await run.setup.run({ shell: command }, worktree, run.runDir.logFile(logNode), signal);
    if (failed) return `\`${command}\` ${failed}`;
  }
  return undefined;
}

/** Generated files (lockfiles) that both `ours` and `theirs` changed since they parted: made again even where git would merge them cleanly. */
export async function generatedOnBothSides(repo: Needs['repo'], ours: string, theirs: string, isGenerated: (f: string) => boolean): Promise<string[]> {
  // A task's commit is a sha already: no git call for it (this runs once per task of a run).
  const sha = (ref: string) => (/^[0-9a-f]{40}$/.test(ref) ? Promise.resolve(ref) : repo.revParse(ref));
  const [oursSha, theirsSha] = await Promise.all([sha(ours), sha(theirs)]);
  const base = (await repo.raw(['merge-base', oursSha, theirsSha])).trim();
  if (base === theirsSha || base === oursSha) return [];
  const [mine, other] = await Promise.all([repo.changedPaths(base, oursSha), repo.changedPaths(base, theirsSha)]);
  const otherSet = new Set(other);
  return mine.filter((f) => isGenerated(f) && otherSet.has(f));
}

/**
 * Paths a resolving agent changed besides `files`: tracked files that differ
 * from the merge's index (which holds every cleanly merged file as merged)
 * and new untracked ones; what the worktree's setup put there does not count.
 */
async function changedBeyond(run: Needs, worktree: string, files: readonly string[]): Promise<string[]> {
  const list = async (args: string[]) => (await run.repo.raw(args, worktree)).split('\0').filter(Boolean);
  const [modified, added, unmerged] = await Promise.all([
    list(['diff', '--name-only', '-z']),
    list(['ls-files', '--others', '--exclude-standard', '-z']),
    // Every file of the conflict (a lockfile orchestra took from one side and makes again, too).
    list(['diff', '--name-only', '--diff-filter=U', '-z']),
  ]);
  const allowed = new Set([...files, ...unmerged]);
  const setup = setupPaths(run.setup.plan);
  const fromSetup = (f: string) => setup.some((p) => f === p || f.startsWith(`${p}/`));
  return [...new Set([...modified, ...added])].filter((f) => !allowed.has(f) && !fromSetup(f)).sort();
}
