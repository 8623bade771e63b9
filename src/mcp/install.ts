import { CODEX_FILE, codexConfig, SLASH_COMMANDS } from './install-extra.js';
import { applyEdits, modify, parse, printParseErrorCode, type ParseError } from 'jsonc-parser';

/** The server as each CLI starts it: the package is orchestra-gates, its command `orchestra`. */
export const SERVER_ENTRY = { command: 'npx', args: ['orchestra', 'mcp'] } as const;

/** The project files orchestra writes: Claude Code's (strict JSON) and Gemini CLI's (JSON with comments). */
const TARGETS = [
  { file: '.mcp.json', who: 'Claude Code', comments: false },
  { file: '.gemini/settings.json', who: 'Gemini CLI', comments: true },
] as const;

export const CODEX_LINES = `Codex reads ${CODEX_FILE} only in a project it trusts; otherwise add the same lines to ~/.codex/config.toml
(orchestra does not edit your home folder):

[mcp_servers.orchestra]
command = "npx"
args = ["orchestra", "mcp"]

or, for one session:
codex -c 'mcp_servers.orchestra.command="npx"' -c 'mcp_servers.orchestra.args=["orchestra","mcp"]'
`;

export type Merge = { readonly ok: true; readonly text?: string; readonly said: string } | { readonly ok: false; readonly error: string };

function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * An `mcpServers` file with the orchestra server added: other servers, keys,
 * comments and formatting kept; an `orchestra` entry already there left as
 * the user made it; a file that is not valid JSON (or not an object) refused.
 * `text`: undefined when nothing changes. Pure.
 */
export function mergeServer(file: string, existing: string | undefined, comments: boolean): Merge {
  if (existing === undefined || existing.trim() === '')
    return { ok: true, text: `${JSON.stringify({ mcpServers: { orchestra: SERVER_ENTRY } }, null, 2)}\n`, said: 'written with the orchestra server' };
  const errors: ParseError[] = [];
  const value: unknown = parse(existing, errors, { disallowComments: !comments, allowTrailingComma: false });
  const first = errors[0];
  if (first)
    return {
      ok: false,
      error: `${file}:${lineCol(existing, first.offset)}: not valid JSON (${printParseErrorCode(first.error)}); fix it, then run 'orchestra mcp install' again (nothing was written)`,
    };
  if (!isObject(value)) return { ok: false, error: `${file}: expected a JSON object at the top; nothing was written` };
  const servers = value['mcpServers'];
  if (servers !== undefined && !isObject(servers)) return { ok: false, error: `${file}: "mcpServers" is not an object; nothing was written` };
  if (servers && 'orchestra' in servers) return { ok: true, said: 'already has an "orchestra" server; left as it is' };
  const edits = modify(existing, ['mcpServers', 'orchestra'], SERVER_ENTRY, { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } });
  const others = servers ? Object.keys(servers).length : 0;
  return {
    ok: true,
    text: applyEdits(existing, edits),
    said: `the orchestra server added${others ? ` beside ${others} other ${others === 1 ? 'server' : 'servers'}` : ''}`,
  };
}

export type InstallPlan =
  | { readonly ok: true; readonly steps: ReadonlyArray<{ readonly file: string; readonly text?: string; readonly said: string }> }
  | { readonly ok: false; readonly error: string };

/** Every file's merge, decided before anything is written: one bad file leaves all of them as they were. Pure but for `read`. */
export function installPlan(read: (rel: string) => string | undefined): InstallPlan {
  const steps = [];
  for (const t of TARGETS) {
    const merged = mergeServer(t.file, read(t.file), t.comments);
    if (!merged.ok) return merged;
    steps.push({ file: t.file, said: `${merged.said} (${t.who})`, ...(merged.text !== undefined ? { text: merged.text } : {}) });
  }
  const codex = codexConfig(read(CODEX_FILE));
  steps.push({ file: CODEX_FILE, said: codex.said, ...(codex.text !== undefined ? { text: codex.text } : {}) });
  for (const c of SLASH_COMMANDS) {
    const mine = read(c.file) === undefined;
    steps.push({ file: c.file, said: mine ? 'written (a Claude Code slash command)' : 'already there; left as it is', ...(mine ? { text: c.text } : {}) });
  }
  return { ok: true, steps };
}
