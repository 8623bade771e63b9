/**
 * The other project files `orchestra mcp install` writes: Codex's project
 * config (`.codex/config.toml`, read by Codex in a project you trust) and the
 * watch verbs as Claude Code slash commands. Each is added only where it is
 * not there already; nothing a user wrote is rewritten. Pure.
 */

export const CODEX_FILE = '.codex/config.toml';
const CODEX_BLOCK = '[mcp_servers.orchestra]\ncommand = "npx"\nargs = ["orchestra", "mcp"]\n';

/**
 * Whether a TOML text already declares the orchestra server, in any of the
 * three ways TOML allows: a `[mcp_servers.orchestra]` table, dotted keys
 * (`mcp_servers.orchestra.command = …`), or a key inside `[mcp_servers]`.
 */
export function tomlHasServer(text: string): boolean {
  if (/^\s*\[\s*mcp_servers\s*\.\s*"?orchestra"?\s*[.\]]/m.test(text)) return true;
  if (/^\s*mcp_servers\s*\.\s*"?orchestra"?\s*[.=]/m.test(text)) return true;
  const table = /^\s*\[\s*mcp_servers\s*\]\s*$/m.exec(text);
  if (!table) return false;
  const body = text.slice(table.index + table[0].length).split(/^\s*\[/m)[0] ?? '';
  return /^\s*"?orchestra"?\s*[.=]/m.test(body);
}

/** The Codex file with the server appended (a new table at the end leaves every key above it as it was), or undefined: unchanged. */
export function codexConfig(existing: string | undefined): { readonly text?: string; readonly said: string } {
  if (existing === undefined || existing.trim() === '') return { text: CODEX_BLOCK, said: 'written with the orchestra server (Codex, in a project it trusts)' };
  if (tomlHasServer(existing)) return { said: 'already has an orchestra server; left as it is (Codex)' };
  const sep = existing.endsWith('\n') ? '\n' : '\n\n';
  return { text: `${existing}${sep}${CODEX_BLOCK}`, said: 'the orchestra server appended (Codex, in a project it trusts)' };
}

/** The watch verbs as Claude Code slash commands (`/orch-status` …): each runs the CLI and asks for a short reading of it. */
export const SLASH_COMMANDS: ReadonlyArray<{ readonly file: string; readonly text: string }> = [
  command(
    'status',
    'State of the orchestra run: each task, gate and fix round',
    '[run-id]',
    'npx orchestra status $ARGUMENTS',
    'Say in a few lines what is running, what failed and why, and what is left.',
  ),
  command(
    'logs',
    "A node's transcript or output in the orchestra run",
    '<node> [--raw]',
    'npx orchestra logs $ARGUMENTS',
    'Summarize what the agent or gate did and how it ended; quote the lines that matter.',
  ),
  command(
    'abort',
    'Stop the running orchestra run (as Ctrl-C would)',
    '',
    'npx orchestra abort',
    'Say whether the run was stopped, and how to resume it (`orchestra resume`).',
  ),
  command(
    'report',
    "The orchestra run's report",
    '[run-id]',
    'npx orchestra report $ARGUMENTS',
    'Summarize what was built, what each gate says, and what is left to do.',
  ),
  command(
    'monitor',
    'Watch the orchestra run: state and alerts',
    '[run-id]',
    'npx orchestra status $ARGUMENTS',
    'Point out any agent that is stuck, silent, looping or waiting for permission, and any failed node, with what to do about it.',
  ),
];

function command(verb: string, description: string, hint: string, run: string, ask: string): { file: string; text: string } {
  const program = run.split(' ').slice(0, 3).join(' ');
  return {
    file: `.claude/commands/orch-${verb}.md`,
    text: [
      '---',
      `description: ${description}`,
      ...(hint ? [`argument-hint: ${hint}`] : []),
      `allowed-tools: Bash(${program}:*)`,
      '---',
      '',
      `!\`${run}\``,
      '',
      ask,
      '',
    ].join('\n'),
  };
}
