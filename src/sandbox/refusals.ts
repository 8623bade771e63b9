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
