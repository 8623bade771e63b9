/** The most lines of a diff a transcript shows for one edit. */
export const DIFF_LINES = 40;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * A small diff of a file edit, from the tool's input alone (`-` removed lines,
 * `+` added lines, the common lines around them left out): Claude Code's and
 * Gemini's Write / write_file (all added), Edit / replace (old → new),
 * MultiEdit (each edit), Codex's apply_patch (its patch text). Undefined for a
 * tool that is not an edit. Pure.
 */
export function editDiff(tool: string, input: unknown): string[] | undefined {
  if (typeof input === 'string') return tool === 'apply_patch' ? cap(input.split('\n').filter((l) => /^[-+@]|^\*\*\* /.test(l))) : undefined;
  if (typeof input !== 'object' || input === null) return undefined;
  const i = input as Record<string, unknown>;
  const content = str(i['content']);
  const oldText = str(i['old_string']);
  const newText = str(i['new_string']);
  if (/^(Write|write_file|create_file)$/i.test(tool) && content !== undefined) return cap(lines(content).map((l) => `+${l}`));
  if (oldText !== undefined && newText !== undefined) return cap(change(oldText, newText));
  if (Array.isArray(i['edits'])) {
    const out: string[] = [];
    for (const e of i['edits']) {
      const o = str((e as Record<string, unknown> | null)?.['old_string']);
      const n = str((e as Record<string, unknown> | null)?.['new_string']);
      if (o !== undefined && n !== undefined) out.push(...(out.length ? ['…'] : []), ...change(o, n));
    }
    return out.length ? cap(out) : undefined;
  }
  return undefined;
}

const lines = (text: string): string[] => {
  const ls = text.split('\n');
  return ls.at(-1) === '' ? ls.slice(0, -1) : ls;
};

/** old → new as -/+ lines, without the lines both share at the start and the end. */
function change(oldText: string, newText: string): string[] {
  const a = lines(oldText);
  const b = lines(newText);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  return [...a.slice(start, a.length - end).map((l) => `-${l}`), ...b.slice(start, b.length - end).map((l) => `+${l}`)];
}

function cap(out: string[]): string[] {
  return out.length > DIFF_LINES ? [...out.slice(0, DIFF_LINES), `… ${out.length - DIFF_LINES} more lines`] : out;
}
