import path from 'node:path';

/**
 * The writes the sandbox refused, as the agent's output tells them: the OS
 * says "Read-only file system" (EROFS) and the agent's tools print it. Each
 * is the words before it on its line (the path, usually), trimmed. A CLI
 * that prints JSON escapes its newlines: those count as line ends too.
 */
export function refusedWrites(output: string, max: number): string[] {
  const found: string[] = [];
  for (const line of output.split(/\n|\\n/)) {
    const at = line.search(/Read-only file system|EROFS/);
    if (at < 0) continue;
    const said = line
      .slice(Math.max(0, at - 160), at + 'Read-only file system'.length)
      .replace(/\s+/g, ' ')
      .trim();
    if (!found.includes(said)) found.push(said);
    if (found.length >= max) break;
  }
  return found;
}

/**
 * What a well-meant git command in the worktree writes in the shared `.git`
 * (a fetch, a stash): refused all the same, but not an aim at the user's
 * work, so only noted.
 */
const BOOKKEEPING = /\/\.git\/(FETCH_HEAD|refs\/remotes\/|refs\/stash|logs\/refs\/(stash|remotes\/)|packed-refs\.lock|shallow)/;

/** Paths written in a line: absolute, or relative from `./` or `../`, quoted or not. */
const PATHS = /(?:^|[\s'"`(])((?:\/|\.\.?\/)[^\s'"`:)]+)/g;

/**
 * The refused writes that aimed at the user's repository (its working tree,
 * `.git`, `.orchestra/`) from outside the agent's worktree: never an
 * accident, so the attempt fails and says so. Paths relative to the worktree
 * (the agent's starting folder) are resolved from it; a bare name is not
 * judged (the agent may have changed folder). Pure.
 */
export function intrusions(refused: readonly string[], workdir: string, repoRoot: string): string[] {
  const inside = (p: string, dir: string) => p === dir || p.startsWith(`${dir}/`);
  const found = new Set<string>();
  for (const line of refused) {
    for (const m of line.matchAll(PATHS)) {
      const raw = m[1] as string;
      const p = raw.startsWith('/') ? path.normalize(raw) : path.resolve(workdir, raw);
      if (inside(p, repoRoot) && !inside(p, workdir) && !BOOKKEEPING.test(p)) found.add(p);
    }
  }
  return [...found];
}
