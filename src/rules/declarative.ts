import type { Finding, RuleSpec } from './types.js';

export type { RuleSpec };

export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

export function position(starts: readonly number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (starts[lo] as number) + 1 };
}

/** A declared rule: every match of its pattern is a finding. Pure: a file's path and text in, findings out. */
export function checkDeclarative(rule: RuleSpec, file: string, text: string, severity: 'error' | 'warning'): Finding[] {
  const re = new RegExp(rule.pattern, rule.flags.includes('g') ? rule.flags : `${rule.flags}g`);
  // The replacement is computed per match, so $1 refers to that match's groups.
  const one = rule.fix === undefined ? undefined : new RegExp(rule.pattern, rule.flags.replace('g', ''));
  const findings: Finding[] = [];
  let starts: number[] | undefined;
  for (const m of text.matchAll(re)) {
    starts ??= lineStarts(text);
    const start = position(starts, m.index);
    const end = position(starts, m.index + Math.max(1, m[0].length));
    const fix = one && rule.fix !== undefined ? [{ start: m.index, end: m.index + m[0].length, text: m[0].replace(one, rule.fix) }] : undefined;
    findings.push({
      rule: rule.id,
      file,
      line: start.line,
      column: start.column,
      endLine: end.line,
      endColumn: end.column,
      severity,
      message: rule.message,
      ...(fix ? { fix } : {}),
    });
    if (findings.length >= 1000) break; // a pattern that matches everything says enough with a thousand
  }
  return findings;
}
