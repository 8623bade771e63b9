/**
 * Can two glob patterns match the same path? Decided soundly: `false` only
 * when no path can match both; anything this code does not understand
 * (extglobs, negation, nested classes) counts as overlapping.
 */

const MAX_ALTERNATIVES = 64;

/** Expands `{a,b}` (nested too) into alternatives; undefined when there would be too many. */
export function expandBraces(pattern: string): string[] | undefined {
  const open = findBrace(pattern);
  if (open === -1) return [pattern];
  let depth = 0;
  const cuts: number[] = [];
  let close = -1;
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) {
        close = i;
        break;
      }
    } else if (c === ',' && depth === 1) cuts.push(i);
  }
  if (close === -1 || cuts.length === 0) {
    // `{a}` or an unclosed brace is literal text to picomatch; keep it, expand the rest.
    if (close === -1) return [pattern];
    const rest = expandBraces(pattern.slice(close + 1));
    return rest?.map((r) => pattern.slice(0, close + 1) + r);
  }
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  const bounds = [open, ...cuts, close];
  const out: string[] = [];
  for (let k = 0; k < bounds.length - 1; k++) {
    const middle = pattern.slice((bounds[k] as number) + 1, bounds[k + 1]);
    const expanded = expandBraces(head + middle + tail);
    if (!expanded) return undefined;
    out.push(...expanded);
    if (out.length > MAX_ALTERNATIVES) return undefined;
  }
  return out;
}

function findBrace(p: string): number {
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '\\') i++;
    else if (p[i] === '{') return i;
  }
  return -1;
}

/** Normalizes `./a//b/` to `a/b` and a trailing `dir/` to `dir/**`. */
export function splitSegments(pattern: string): string[] {
  let p = pattern.trim().replace(/\\/g, '/');
  while (p.startsWith('./')) p = p.slice(2);
  if (p.endsWith('/')) p += '**';
  return p.split('/').filter((s) => s !== '' && s !== '.');
}

const UNSURE = /[!+@]\(|^!/;

export function globsOverlap(a: string, b: string): boolean {
  if (UNSURE.test(a) || UNSURE.test(b)) return true;
  const as = expandBraces(a);
  const bs = expandBraces(b);
  if (!as || !bs) return true;
  for (const x of as) for (const y of bs) if (pathsOverlap(splitSegments(x), splitSegments(y))) return true;
  return false;
}

function pathsOverlap(a: readonly string[], b: readonly string[]): boolean {
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (b.length + 1) + j;
    const cached = memo.get(key);
    if (cached !== undefined) return cached;
    let result: boolean;
    if (i === a.length && j === b.length) result = true;
    else if (i < a.length && a[i] === '**') result = go(i + 1, j) || (j < b.length && go(i, j + 1));
    else if (j < b.length && b[j] === '**') result = go(i, j + 1) || (i < a.length && go(i + 1, j));
    else if (i === a.length || j === b.length) result = false;
    else result = segmentsOverlap(a[i] as string, b[j] as string) && go(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

type Token = { kind: 'char'; c: string } | { kind: 'any' } | { kind: 'star' } | { kind: 'class'; chars: Set<string> | undefined; negated: boolean };

function tokenize(segment: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] as string;
    if (c === '\\' && i + 1 < segment.length) tokens.push({ kind: 'char', c: segment[++i] as string });
    else if (c === '*') {
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (c === '?') tokens.push({ kind: 'any' });
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end === -1) {
        tokens.push({ kind: 'char', c });
        continue;
      }
      let body = segment.slice(i + 1, end);
      const negated = body.startsWith('!') || body.startsWith('^');
      if (negated) body = body.slice(1);
      tokens.push({ kind: 'class', chars: classChars(body), negated });
      i = end;
    } else tokens.push({ kind: 'char', c });
  }
  return tokens;
}

/** The characters of a simple class like `abc` or `a-z`; undefined for POSIX classes and the like. */
function classChars(body: string): Set<string> | undefined {
  if (body.includes('[:')) return undefined;
  const chars = new Set<string>();
  for (let i = 0; i < body.length; i++) {
    const from = body.charCodeAt(i);
    if (body[i + 1] === '-' && i + 2 < body.length) {
      const to = body.charCodeAt(i + 2);
      if (to - from > 256) return undefined;
      for (let c = from; c <= to; c++) chars.add(String.fromCharCode(c));
      i += 2;
    } else chars.add(body[i] as string);
  }
  return chars;
}

function charsCompatible(x: Token, y: Token): boolean {
  if (x.kind === 'any' || y.kind === 'any') return true;
  if (x.kind === 'char' && y.kind === 'char') return x.c === y.c;
  if (x.kind === 'class' && y.kind === 'char') return classHas(x, y.c);
  if (x.kind === 'char' && y.kind === 'class') return classHas(y, x.c);
  return true; // two classes: unsure, so they may share a character
}

function classHas(cls: Extract<Token, { kind: 'class' }>, c: string): boolean {
  if (!cls.chars) return true;
  return cls.negated ? !cls.chars.has(c) : cls.chars.has(c);
}

/** Whether two one-segment patterns share a matching name: a product walk of the two patterns. */
export function segmentsOverlap(a: string, b: string): boolean {
  if (a === b) return true;
  const x = tokenize(a);
  const y = tokenize(b);
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (y.length + 1) + j;
    const cached = memo.get(key);
    if (cached !== undefined) return cached;
    let result: boolean;
    const tx = x[i];
    const ty = y[j];
    if (!tx && !ty) result = true;
    else if (tx?.kind === 'star') result = go(i + 1, j) || (ty !== undefined && go(i, j + 1));
    else if (ty?.kind === 'star') result = go(i, j + 1) || (tx !== undefined && go(i + 1, j));
    else if (!tx || !ty) result = false;
    else result = charsCompatible(tx, ty) && go(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

/**
 * The literal directory a pattern cannot leave: `app/models/**` → [app, models].
 * Two patterns can only overlap when one's prefix is a prefix of the other's,
 * which lets the scope check skip most pairs without comparing them.
 */
export function literalPrefix(pattern: string): string[] {
  if (UNSURE.test(pattern) || findBrace(pattern) !== -1) return [];
  const segments = splitSegments(pattern);
  const prefix: string[] = [];
  for (const s of segments.slice(0, -1)) {
    if (/[*?[\]\\]/.test(s)) break;
    prefix.push(s);
  }
  return prefix;
}
