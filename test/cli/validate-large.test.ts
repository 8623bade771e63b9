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
  const repo = makeRepo({ 'orchestra.config.yaml': config(broken), 'team.json': TEAM });
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
