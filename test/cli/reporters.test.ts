import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import { validateXML } from 'xmllint-wasm';
import { describe, expect, it } from 'vitest';
import { gate } from '../helpers/gates.js';
import { makeRepo, ROOT, runCli } from '../helpers/repo.js';

const require = createRequire(import.meta.url);
// A CommonJS module whose class is its `default`; loaders disagree on which one an ESM default import gives.
const Ajv04 = ((AjvDraft04 as unknown as { default?: typeof AjvDraft04.default }).default ?? AjvDraft04) as typeof AjvDraft04.default;

/** A repo whose check has a passing, a failing, a cached-able, a skipped gate and rule findings. */
function fixtureRepo(): string {
  return makeRepo({
    'orchestra.config.yaml': `extends: [hygiene]
gates:
${gate('ok')}${gate('bad', ['--exit', '3'])}${gate('after-bad', [], '    needs: [bad]\n')}  noisy:
    run: echo '<tag> & "quoted"'; exit 1
  no-todo:
    files: ["src/**"]
`,
    'src/app.py': 'def f():\n    return 1  # TODO: handle "quotes" & <tags>\n',
    'src/ok.py': 'x = 1\n',
    'src/conflict.txt': 'a\n<<<<<<< HEAD\nb\n',
    'ctl/.keep': '',
  });
}

describe.concurrent('reporters', () => {
  it('json: the contract, with findings relative to the repo root', async () => {
    const repo = fixtureRepo();
    const r = await runCli(['check', '--keep-going', '--reporter', 'json'], repo, { GATE_DIR: path.join(repo, 'ctl') });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      results: Array<Record<string, unknown> & { name: string; findings: Array<Record<string, unknown>> }>;
    };
    expect(report.ok).toBe(false);
    for (const x of report.results) expect(Object.keys(x)).toEqual(['name', 'kind', 'status', 'durationMs', 'exitCode', 'findings']);
    const byName = Object.fromEntries(report.results.map((x) => [x.name, x]));
    expect(byName['ok']?.status).toBe('passed');
    expect(byName['bad']).toMatchObject({ status: 'failed', exitCode: 3 });
    expect(byName['after-bad']?.status).toBe('skipped');
    expect(byName['no-todo']?.findings).toEqual([
      {
        rule: 'hygiene/no-todo',
        file: 'src/app.py',
        line: 2,
        column: 17,
        severity: 'error',
        message: 'a TODO note was left in a comment: finish the work or track it elsewhere',
      },
    ]);
    expect(byName['conflict-markers']?.findings).toEqual([
      {
        rule: 'hygiene/no-conflict-markers',
        file: 'src/conflict.txt',
        line: 2,
        column: 1,
        severity: 'error',
        message: 'a git conflict marker was left in the file',
      },
    ]);
  });

  it('github: an annotation per finding and per failed gate', async () => {
    const repo = fixtureRepo();
    const r = await runCli(['check', '--keep-going', '--reporter', 'github'], repo, { GATE_DIR: path.join(repo, 'ctl') });
    const lines = r.stdout.trim().split('\n');
    expect(lines).toContain(
      '::error file=src/app.py,line=2,col=17,endLine=2,endColumn=21,title=hygiene/no-todo::a TODO note was left in a comment: finish the work or track it elsewhere',
    );
    const failed = lines.find((l) => l.startsWith('::error title=orchestra%3A gate bad failed::'));
    expect(failed).toMatch(/::exit code 3 \(log: \.orchestra\/runs\/.+\/gate_bad\.log\)%0A/);
    expect(lines.every((l) => l.startsWith('::'))).toBe(true);
  });

  it('github: with the config below the repository root, annotations name files from the root', async () => {
    const repo = makeRepo({
      'services/api/orchestra.config.yaml': 'extends: [hygiene]\ngates:\n  no-todo:\n    files: ["src/**"]\n',
      'services/api/src/app.py': 'x = 1  # TODO: later\n',
    });
    const env = { GITHUB_WORKSPACE: repo };
    const r = await runCli(['check', 'no-todo', '--reporter', 'github'], path.join(repo, 'services', 'api'), env);
    expect(r.stdout).toMatch(/^::error file=services\/api\/src\/app\.py,line=1,/);
    // Outside Actions, git says where the root is.
    const local = await runCli(['check', 'no-todo', '--reporter', 'github'], path.join(repo, 'services', 'api'), { GITHUB_WORKSPACE: '' });
    expect(local.stdout).toMatch(/^::error file=services\/api\/src\/app\.py,line=1,/);
  });

  it('junit: a file that validates against the JUnit schema', async () => {
    const repo = fixtureRepo();
    const r = await runCli(['check', '--keep-going', '--reporter', 'junit=reports/junit.xml', '--reporter', 'pretty'], repo, {
      GATE_DIR: path.join(repo, 'ctl'),
    });
    expect(r.stderr).toContain('wrote reports/junit.xml');
    const xml = readFileSync(path.join(repo, 'reports', 'junit.xml'), 'utf8');
    const result = await validateXML({
      xml: [{ fileName: 'junit.xml', contents: xml }],
      schema: [readFileSync(path.join(ROOT, 'test/fixtures/junit.xsd'), 'utf8')],
    });
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    expect(xml).toMatch(/<testsuite name="orchestra check" tests="7" failures="4" errors="0" skipped="1"/);
    expect(xml).toContain('&lt;tag&gt; &amp; &quot;quoted&quot;');
    expect(xml).toContain(
      '<failure message="1 finding" type="findings">src/app.py:2:17: error: a TODO note was left in a comment: finish the work or track it elsewhere (hygiene/no-todo)',
    );
    expect(xml).toContain('<skipped message="needs bad, which failed"/>');
  });

  it('sarif: findings as SARIF 2.1.0 that validate against the published schema', async () => {
    const repo = fixtureRepo();
    const r = await runCli(['check', '--keep-going', '--reporter', 'sarif'], repo, { GATE_DIR: path.join(repo, 'ctl') });
    expect(r.code).toBe(1);
    const sarif = JSON.parse(readFileSync(path.join(repo, '.orchestra', 'reports', 'orchestra.sarif'), 'utf8')) as {
      version: string;
      runs: Array<{
        results: Array<{
          ruleId: string;
          level: string;
          locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }>;
        }>;
      }>;
    };
    const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as object;
    // The published schema has a pattern that is only valid without the u flag.
    const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
    const validate = ajv.compile(schema);
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    expect(sarif.version).toBe('2.1.0');
    const results = sarif.runs[0]!.results.map((x) => [
      x.ruleId,
      x.level,
      x.locations[0]!.physicalLocation.artifactLocation.uri,
      x.locations[0]!.physicalLocation.region.startLine,
    ]);
    expect(results).toEqual([
      ['hygiene/no-conflict-markers', 'error', 'src/conflict.txt', 2],
      ['hygiene/no-todo', 'error', 'src/app.py', 2],
    ]);
  });

  it('several reporters at once; pretty moves to stderr when json has stdout', async () => {
    const repo = fixtureRepo();
    const r = await runCli(['check', 'ok', '--reporter', 'json', '--reporter', 'pretty'], repo, { GATE_DIR: path.join(repo, 'ctl') });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { ok: boolean }).ok).toBe(true);
    expect(r.stderr).toContain('✓ ok');
  });

  it('rejects an unknown reporter with exit 2', async () => {
    const repo = fixtureRepo();
    const r = await runCli(['check', '--reporter', 'tap'], repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expected one of pretty, json, github, junit, sarif');
  });
});
