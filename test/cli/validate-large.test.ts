import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRepo, positions, runCli, TEAM } from '../helpers/repo.js';

/**
 * Issue 20: validation is linear in memory. 20,000 gates once cost 340 MB
 * (valid) and 370 MB (three mistakes in each) of peak RSS, most of it the
 * yaml package's tree of the whole file; read in pieces they cost about half.
 * The child says its own peak RSS as it exits (memory, not time: the machine
 * is shared).
 */
const GATES = 20_000;
const MAX_RSS_MB = 260;

function config(broken: boolean): string {
  const lines = Array.from({ length: GATES }, (_, g) =>
    broken ? `  g${g}: { run: ${g}, needs: [x${g}], timeout: soon }` : `  g${g}: { run: echo ${g}, inputs: ["src/**"], needs: [${g ? `g${g - 1}` : ''}] }`,
  );
  return `# ${GATES} gates\ngates:\n${lines.join('\n')}\n`;
}

async function validate(broken: boolean): Promise<{ code: number | null; stdout: string; stderr: string; rssMb: number }> {
  return validateFiles({ 'orchestra.config.yaml': config(broken), 'team.json': TEAM });
}

async function validateFiles(files: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string; rssMb: number }> {
  const repo = makeRepo(files);
  const report = path.join(repo, '.rss.mjs');
  writeFileSync(report, 'process.on("exit", () => process.stderr.write(`\\nmaxrss=${process.resourceUsage().maxRSS}\\n`));\n');
  const r = await runCli(['validate', '--no-cache'], repo, { NODE_OPTIONS: `--import=${report}` });
  const rss = /maxrss=(\d+)/.exec(r.stderr);
  expect(rss, r.stderr.slice(-500)).not.toBeNull();
  return { ...r, stderr: r.stderr.replace(/\nmaxrss=\d+\n$/, ''), rssMb: Number(rss?.[1]) / 1024 };
}

describe.concurrent(`validate of ${GATES} gates`, () => {
  it(`valid: exit 0 under ${MAX_RSS_MB} MB`, { timeout: 120_000 }, async () => {
    const r = await validate(false);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${GATES} gates`);
    expect(r.rssMb).toBeLessThan(MAX_RSS_MB);
  });

  it(`three mistakes in each gate: every one at its place, under ${MAX_RSS_MB} MB`, { timeout: 120_000 }, async () => {
    const r = await validate(true);
    expect(r.code).toBe(2);
    const at = positions(r.stderr);
    expect(at).toHaveLength(3 * GATES);
    // Line 3 holds g0 (after the comment and `gates:`); the columns of `0`, `x0` and `soon`.
    expect(at.slice(0, 3)).toEqual(['orchestra.config.yaml:3:14', 'orchestra.config.yaml:3:25', 'orchestra.config.yaml:3:39']);
    const last = GATES - 1;
    const width = String(last).length;
    expect(at.slice(-3)).toEqual([
      `orchestra.config.yaml:${GATES + 2}:${13 + width}`,
      `orchestra.config.yaml:${GATES + 2}:${23 + 2 * width}`,
      `orchestra.config.yaml:${GATES + 2}:${36 + 3 * width}`,
    ]);
    expect(r.stderr).toContain(`${3 * GATES} errors: nothing was run.`);
    expect(r.rssMb).toBeLessThan(MAX_RSS_MB);
  });
});

/**
 * A 5 MB double-quoted string: yaml builds such a value one character at a
 * time (five million string pieces: 2.6 s and 257 MB of peak RSS); it is now
 * read as the single-quoted string it equals, in one slice (0.6 s, 70 MB).
 */
describe.concurrent('validate of a 5 MB string', () => {
  const big = 'x'.repeat(5 * 1024 * 1024);
  const MAX_MB = 150;
  const CONFIG = `gates:\n  unit: { run: npm test }\nphases:\n  - id: p\n    tasks:\n      - id: t\n        agent: claude\n        prompt: "${big}"\n`;

  it(`as a prompt and as an agent's id in the JSON team file: exit 0 under ${MAX_MB} MB`, { timeout: 120_000 }, async () => {
    const team = JSON.stringify({
      agents: [
        { id: big, use: 'claude-code', roles: ['implementer'] },
        { id: 'claude', use: 'claude-code', roles: ['reviewer'] },
      ],
    });
    const r = await validateFiles({ 'orchestra.config.yaml': CONFIG, 'team.json': team });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid: 1 gate, 1 phase, 1 task, 2 agents');
    expect(r.rssMb).toBeLessThan(MAX_MB);
  });

  it(`of the wrong type: exit 2 at its place, under ${MAX_MB} MB`, { timeout: 120_000 }, async () => {
    const r = await validateFiles({ 'orchestra.config.yaml': `concurrency: "${big}"\ngates:\n  unit: { run: npm test }\n`, 'team.json': TEAM });
    expect(r.code).toBe(2);
    expect(positions(r.stderr)).toEqual(['orchestra.config.yaml:1:14']);
    expect(r.stderr).toContain("concurrency: expected a whole number, got 'xxxx");
    expect(r.stderr.length).toBeLessThan(2000);
    expect(r.rssMb).toBeLessThan(MAX_MB);
  });
});
