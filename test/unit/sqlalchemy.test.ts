import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyEdits } from '../../src/rules/apply-fixes.js';
import { timestampServerDefault, timezoneAware } from '../../src/rules/builtin/sqlalchemy.js';
import { assignmentOf, callAt } from '../../src/rules/python/statements.js';
import { tokenize } from '../../src/rules/python/tokenize.js';
import { withDefaults, type BuiltinRule, type RawFinding } from '../../src/rules/types.js';
import { ROOT } from '../helpers/repo.js';

const DIR = path.join(ROOT, 'test', 'fixtures', 'sqlalchemy');
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.py'))
  .sort();
const run = (rule: BuiltinRule, text: string): RawFinding[] => rule.check('x.py', text, withDefaults(rule, {}));
const lineOf = (text: string, offset: number): number => text.slice(0, offset).split('\n').length;

/**
 * The expected findings, written by hand beside each definition as a comment
 * (which the rules ignore): `# expect: ts=server_default,onupdate tz` —
 * `ts=` lists what the timestamp rule must say is missing, `tz` that the
 * timezone rule warns. `# expect@-1:` puts it on the line before.
 */
function expected(text: string): string[] {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    const m = /# expect(@-1)?: (.*)$/.exec(line);
    if (!m) return;
    const at = i + 1 - (m[1] ? 1 : 0);
    for (const part of (m[2] as string).trim().split(/\s+/)) {
      if (part.startsWith('ts=')) out.push(`${at} ts ${part.slice(3).split(',').sort().join(',')}`);
      else if (part === 'tz') out.push(`${at} tz`);
      else throw new Error(`bad marker ${part}`);
    }
  });
  return out.sort();
}

function actual(text: string): string[] {
  const out: string[] = [];
  for (const f of run(timestampServerDefault, text)) {
    const missing = /\(missing: ([^)]*)\)$/.exec(f.message)?.[1]?.split(', ').sort().join(',');
    out.push(`${lineOf(text, f.start)} ts ${missing}`);
  }
  for (const f of run(timezoneAware, text)) out.push(`${lineOf(text, f.start)} tz`);
  return out.sort();
}

/** Column definitions in the corpus: assignments of Column()/mapped_column() calls and bare Mapped[...] annotations. */
function countDefinitions(text: string): number {
  return tokenize(text).filter((line) => {
    const a = assignmentOf(line);
    if (!a) return false;
    const call = a.value?.length ? callAt(a.value) : undefined;
    if (call) return ['Column', 'mapped_column'].includes(call.callee.at(-1) as string);
    return !a.value && (a.annotation ?? []).some((t) => t.text === 'Mapped');
  }).length;
}

describe('sqlalchemy rules over a corpus of model files', () => {
  it('the corpus holds at least 60 column definitions in every style', () => {
    const total = FILES.reduce((n, f) => n + countDefinitions(readFileSync(path.join(DIR, f), 'utf8')), 0);
    expect(total).toBeGreaterThanOrEqual(60);
  });

  it.each(FILES)('%s: exactly the expected findings', (file) => {
    const text = readFileSync(path.join(DIR, file), 'utf8');
    expect(actual(text)).toEqual(expected(text));
  });

  it.each(FILES)('%s: each finding points at the column name', (file) => {
    const text = readFileSync(path.join(DIR, file), 'utf8');
    const findings = run(timestampServerDefault, text);
    // Every finding's message starts with the column's name; the finding underlines that name.
    expect(findings.map((f) => text.slice(f.start, f.end))).toEqual(findings.map((f) => /^'([^']+)'/.exec(f.message)?.[1]));
  });

  it('explains why default= is not enough', () => {
    const [f] = run(timestampServerDefault, 'created_at = Column(DateTime, default=datetime.utcnow)\n');
    expect(f?.message).toContain('uses default=, which only SQLAlchemy applies in Python');
  });

  it('honours its options', () => {
    const text = 'inserted_at = Column(DateTime)\nupdated_at = Column(DateTime)\n';
    const found = timestampServerDefault.check('x.py', text, withDefaults(timestampServerDefault, { names: ['inserted_at'] }));
    expect(found.map((f) => text.slice(f.start, f.end))).toEqual(['inserted_at']);
  });

  it.each(FILES)('%s: --fix output still parses and leaves only what has no fix', (file) => {
    const text = readFileSync(path.join(DIR, file), 'utf8');
    const findings = [...run(timestampServerDefault, text), ...run(timezoneAware, text)];
    const fixed = applyEdits(
      text,
      findings.flatMap((f) => f.fix ?? []),
    ).text;
    const tmp = path.join(mkdtempSync(path.join(tmpdir(), 'orchestra-py-')), file);
    writeFileSync(tmp, fixed);
    execFileSync('python3', ['-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read())', tmp]);
    const left = [...run(timestampServerDefault, fixed), ...run(timezoneAware, fixed)];
    const unfixable = findings.filter((f) => !f.fix);
    expect(left.map((f) => f.message).sort()).toEqual(unfixable.map((f) => f.message).sort());
    // The import is there after the fixes exactly when a fix adds it or the file had it already.
    const IMPORT = 'from sqlalchemy import func\n';
    const addsImport = findings.some((f) => f.fix?.some((e) => e.text.includes('import func')));
    expect(fixed.includes(IMPORT)).toBe(addsImport || text.includes(IMPORT));
  });

  it('spells func.now() the way the module already can', () => {
    const flask = readFileSync(path.join(DIR, 'flask_app.py'), 'utf8');
    const fixes = run(timestampServerDefault, flask).flatMap((f) => f.fix ?? []);
    expect(fixes.map((e) => e.text)).toContain(', server_default=db.func.now()');
    expect(fixes.some((e) => e.text.includes('import func'))).toBe(false);
    const classic = readFileSync(path.join(DIR, 'classic.py'), 'utf8');
    expect(
      run(timestampServerDefault, classic)
        .flatMap((f) => f.fix ?? [])
        .some((e) => e.text.includes('import')),
    ).toBe(false);
  });
});
