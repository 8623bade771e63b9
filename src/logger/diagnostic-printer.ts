import path from 'node:path';
import type { Diagnostic, Loc } from '../config/diagnostic.js';
import type { SourceStore, SourceText } from '../config/source-text.js';
import type { Style } from './style.js';

/** How a file is named in output: relative to where the user stands, unless it lies far from there. */
export function displayPath(file: string, cwd: string): string {
  // The last answer is kept: 300,000 diagnostics of one file ask the same question each time.
  if (file === shown.file && cwd === shown.cwd) return shown.display;
  const display = display_(file, cwd);
  shown = { file, cwd, display };
  return display;
}

let shown = { file: '', cwd: '', display: '' };

function display_(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  const ups = rel.split(path.sep).filter((s) => s === '..').length;
  return rel === '' || ups > 2 || path.isAbsolute(rel) ? file : rel.split(path.sep).join('/');
}

/** `file:line:column` for a location (line and column 1-based). */
export function formatLoc(loc: Loc, sources: SourceStore, cwd: string): string {
  const source = sources.get(loc.file);
  return placed(loc, source ? source.position(loc.start) : { line: 1, column: 1 }, cwd);
}

function placed(loc: Loc, { line, column }: { line: number; column: number }, cwd: string): string {
  return `${displayPath(loc.file, cwd)}:${line}:${column}`;
}

/**
 * `file:line:column: message`, then the source line with the span underlined,
 * then the hint and any related places. Plain text unless `style` colours it.
 */
export function formatDiagnostic(d: Diagnostic, sources: SourceStore, cwd: string, style: Style): string {
  const label = d.severity === 'error' ? style.red('error') : style.yellow('warning');
  if (!d.loc) {
    return [`orchestra: ${label}: ${d.message}`, ...(d.hint ? [`  ${style.dim(d.hint)}`] : [])].join('\n');
  }
  // The position is worked out once, for the place and the excerpt.
  const source = sources.get(d.loc.file);
  const at = source ? source.position(d.loc.start) : { line: 1, column: 1 };
  const lines = [`${style.bold(placed(d.loc, at, cwd))}: ${label}: ${d.message}`];
  if (source && source.text.length > 0) lines.push(...excerpt(d.loc, source, at, style));
  if (d.hint) lines.push(`  ${style.cyan('hint')}: ${d.hint}`);
  for (const r of d.related ?? []) {
    lines.push(`  ${formatLoc(r.loc, sources, cwd)}: note: ${r.message}`);
  }
  return lines.join('\n');
}

/** The most of a source line an excerpt shows: a 10 MB line (a minified file, a pasted blob) is shown around the column. */
const EXCERPT_WIDTH = 160;

function excerpt(loc: Loc, source: SourceText, { line, column }: { line: number; column: number }, style: Style): string[] {
  const whole = source.lineText(line);
  const onLine = loc.end - 1 <= loc.start || source.position(loc.end - 1).line === line;
  let width = onLine ? Math.max(1, loc.end - loc.start) : Math.max(1, whole.length - column + 1);
  // A window of the line around the column, marked with … where it was cut.
  const from = whole.length > EXCERPT_WIDTH ? Math.max(0, Math.min(column - 1 - 40, whole.length - EXCERPT_WIDTH)) : 0;
  const cut = whole.slice(from, from + EXCERPT_WIDTH);
  const before = from > 0 ? '…' : '';
  const after = from + EXCERPT_WIDTH < whole.length ? '…' : '';
  const offset = column - 1 - from + before.length;
  width = Math.max(1, Math.min(width, before.length + cut.length - offset));
  // Tabs as one space and control characters as '?', so the underline stays under its column and nothing reaches the terminal raw
  // (tested first: most lines have none, and two replaces of each line cost more than one test).
  const raw = `${before}${cut}${after}`;
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  const text = /[\u0000-\u001f\u007f-\u009f]/.test(raw) ? raw.replace(/\t/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?') : raw;
  const gutter = String(line).length;
  return [`  ${style.dim(`${line} |`)} ${text}`, `  ${' '.repeat(gutter)}${style.dim(' |')} ${' '.repeat(offset)}${style.red('~'.repeat(width))}`];
}

export function formatDiagnostics(ds: readonly Diagnostic[], sources: SourceStore, cwd: string, style: Style): string {
  return ds.map((d) => formatDiagnostic(d, sources, cwd, style)).join('\n\n');
}

/** Diagnostics a batch at a time. */
const BATCH = 1000;

/**
 * The text of formatDiagnostics and a newline, written a batch at a time,
 * each after the last was taken (`write` resolves then): a 100,000-gate
 * config with three mistakes per gate prints 60 MB, which as one string, or
 * queued on a pipe that is read slower than it is written, costs memory for
 * nothing.
 */
export async function writeDiagnostics(
  ds: readonly Diagnostic[],
  sources: SourceStore,
  cwd: string,
  style: Style,
  write: (text: string) => Promise<void> | void,
): Promise<void> {
  for (let i = 0; i < ds.length; i += BATCH) {
    const last = i + BATCH >= ds.length;
    await write(`${formatDiagnostics(ds.slice(i, i + BATCH), sources, cwd, style)}${last ? '\n' : '\n\n'}`);
  }
}
