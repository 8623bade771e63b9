/**
 * What git tells a pre-push hook on stdin: one line per ref it is about to
 * update, `<local ref> <local sha> <remote ref> <remote sha>`. A local sha of
 * zeros is a deletion: nothing of ours reaches the remote, so nothing to check.
 */
export interface PushRef {
  readonly localRef: string;
  readonly localSha: string;
  readonly remoteRef: string;
  readonly remoteSha: string;
}

const ZERO = /^0+$/;

/** The refs of a pre-push hook's stdin; lines that are not four fields are not git's and are ignored. */
export function parsePushRefs(text: string): PushRef[] {
  const refs: PushRef[] = [];
  for (const line of text.split(/\r?\n/)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 4) continue;
    const [localRef, localSha, remoteRef, remoteSha] = fields as [string, string, string, string];
    if (!/^[0-9a-f]{40,64}$/.test(localSha) || !/^[0-9a-f]{40,64}$/.test(remoteSha)) continue;
    refs.push({ localRef, localSha, remoteRef, remoteSha });
  }
  return refs;
}

/**
 * What a push asks the gates to judge: the distinct commits it sends, in
 * order. `run-in-tree` when git said nothing (the command was run by hand,
 * not by git): the working tree is then what the user asked about.
 */
export type PushTargets =
  | { readonly kind: 'run-in-tree' }
  | { readonly kind: 'nothing'; readonly deleted: readonly string[] }
  | { readonly kind: 'commits'; readonly commits: readonly string[] };

export function pushTargets(refs: readonly PushRef[]): PushTargets {
  if (refs.length === 0) return { kind: 'run-in-tree' };
  const commits = [...new Set(refs.filter((r) => !ZERO.test(r.localSha)).map((r) => r.localSha))];
  if (commits.length === 0) return { kind: 'nothing', deleted: refs.map((r) => r.remoteRef) };
  return { kind: 'commits', commits };
}
