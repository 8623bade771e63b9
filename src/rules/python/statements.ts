import type { LogicalLine, Token } from './tokenize.js';

/** A call in source: `callee(args)`, its tokens split into arguments. */
export interface Call {
  /** Dotted name segments, e.g. ['sa', 'orm', 'mapped_column']. */
  readonly callee: readonly string[];
  readonly open: Token;
  readonly close: Token;
  readonly positional: ReadonlyArray<readonly Token[]>;
  readonly keywords: ReadonlyMap<string, readonly Token[]>;
  /** True when the last argument is followed by a comma. */
  readonly trailingComma: boolean;
}

/** `target = value` or `target: annotation [= value]` at the start of a logical line. */
export interface Assignment {
  readonly target: Token;
  readonly annotation?: readonly Token[];
  readonly value?: readonly Token[];
  readonly indent: number;
}

export function assignmentOf(line: LogicalLine): Assignment | undefined {
  const t = line.tokens;
  const target = t[0];
  const op = t[1];
  if (!target || target.kind !== 'name' || !op || op.kind !== 'op') return undefined;
  if (op.text === '=') return { target, value: t.slice(2), indent: line.indent };
  if (op.text !== ':') return undefined;
  let depth = 0;
  for (let i = 2; i < t.length; i++) {
    const x = t[i] as Token;
    if (x.kind === 'op' && '([{'.includes(x.text)) depth++;
    else if (x.kind === 'op' && ')]}'.includes(x.text)) depth--;
    else if (depth === 0 && x.kind === 'op' && x.text === '=') return { target, annotation: t.slice(2, i), value: t.slice(i + 1), indent: line.indent };
  }
  return { target, annotation: t.slice(2), indent: line.indent };
}

/** Reads `a.b.c(` … `)` at the start of `tokens`; undefined if the tokens do not start with a call. */
export function callAt(tokens: readonly Token[], from = 0): Call | undefined {
  const callee: string[] = [];
  let i = from;
  for (;;) {
    const name = tokens[i];
    if (!name || name.kind !== 'name') return undefined;
    callee.push(name.text);
    const next = tokens[i + 1];
    if (next?.kind === 'op' && next.text === '.') {
      i += 2;
      continue;
    }
    if (next?.kind === 'op' && next.text === '(') {
      i += 1;
      break;
    }
    return undefined;
  }
  const open = tokens[i] as Token;
  const args: Token[][] = [[]];
  let depth = 0;
  let close: Token | undefined;
  for (let j = i + 1; j < tokens.length; j++) {
    const x = tokens[j] as Token;
    if (x.kind === 'op' && '([{'.includes(x.text)) depth++;
    if (x.kind === 'op' && ')]}'.includes(x.text)) {
      if (depth === 0) {
        close = x;
        break;
      }
      depth--;
    }
    if (depth === 0 && x.kind === 'op' && x.text === ',') args.push([]);
    else (args.at(-1) as Token[]).push(x);
  }
  if (!close) return undefined;
  const trailingComma = args.length > 1 && (args.at(-1) as Token[]).length === 0;
  const filled = args.filter((a) => a.length > 0);
  const positional: Token[][] = [];
  const keywords = new Map<string, Token[]>();
  for (const a of filled) {
    if (a[0]?.kind === 'name' && a[1]?.kind === 'op' && a[1].text === '=') keywords.set(a[0].text, a.slice(2));
    else positional.push(a);
  }
  return { callee, open, close, positional, keywords, trailingComma };
}

/** The dotted name at the start of tokens (`sa.DateTime` → ['sa', 'DateTime']). */
export function dottedName(tokens: readonly Token[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i += 2) {
    const t = tokens[i];
    if (!t || t.kind !== 'name') break;
    out.push(t.text);
    const dot = tokens[i + 1];
    if (!dot || dot.kind !== 'op' || dot.text !== '.') break;
  }
  return out;
}

/** Names a module binds at top level through imports: `func`, `sa` (import sqlalchemy as sa), … */
export function importedNames(lines: readonly LogicalLine[]): { names: Set<string>; lastImportEnd: number } {
  const names = new Set<string>();
  let lastImportEnd = -1;
  for (const line of lines) {
    if (line.indent !== 0) continue;
    const t = line.tokens;
    const first = t[0]?.text;
    if (first !== 'import' && first !== 'from') continue;
    lastImportEnd = (t.at(-1) as Token).end;
    const importAt = t.findIndex((x) => x.kind === 'name' && x.text === 'import');
    const items = t.slice(importAt + 1).filter((x) => !(x.kind === 'op' && '(),'.includes(x.text)));
    for (let i = 0; i < items.length; i++) {
      const x = items[i] as Token;
      if (x.kind !== 'name') continue;
      if (items[i + 1]?.text === 'as') {
        names.add((items[i + 2] as Token).text);
        i += 2;
      } else if (items[i + 1]?.text === '.') {
        // `import a.b` binds `a`
        names.add(x.text);
        while (items[i + 1]?.text === '.') i += 2;
      } else names.add(x.text);
    }
  }
  return { names, lastImportEnd };
}
