import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/gates.js';
import { controlDir, makeRepo, ROOT, runCli } from '../helpers/repo.js';

/** Field 22 of /proc/<pid>/stat: what a forger would copy into the lock to pass for the process. */
function procStart(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] as string;
}

describe('orchestra abort and a forged run lock', () => {
  it('does not signal a pid the lock names unless it is the orchestra that wrote it, and says why (exit 2, the lock named)', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': 'gates:\n  unit:\n    run: "true"\n' });
    const lockFile = path.join(repo, '.orchestra', 'run.lock');
    mkdirSync(path.dirname(lockFile));
    // SIGINT ends `sleep`: were it signalled, it would be gone.
    const victim = spawn('sleep', ['60'], { stdio: 'ignore' });
    const pid = victim.pid as number;
    try {
      await waitFor('sleep to start', () => readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep'));
      const forgeries = [
        { pid, runId: 'forged', startedAt: '' },
        // Everything /proc says of it, copied: still not orchestra.
        { pid, runId: 'forged', startedAt: '', procStart: procStart(pid), argv: ['sleep', '60'] },
      ];
      for (const forged of forgeries) {
        writeFileSync(lockFile, JSON.stringify(forged));
        const r = await runCli(['abort'], repo);
        expect(r.code).toBe(2);
        expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
        expect(r.stderr).toContain(`orchestra: error: ${lockFile} `);
        expect(r.stderr).toMatch(/not signalled; the lock is stale/);
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect([victim.exitCode, victim.signalCode]).toEqual([null, null]);
      }
      // A lock whose process has ended: nothing to stop, as before.
      writeFileSync(lockFile, JSON.stringify({ pid: deadPid(), runId: 'ghost', startedAt: '' }));
      const gone = await runCli(['abort'], repo);
      expect([gone.code, gone.stdout]).toEqual([0, 'no run is working in this repository\n']);
    } finally {
      victim.kill('SIGKILL');
    }
  });
});

/** A pid that was just used and has ended. */
function deadPid(): number {
  return spawnSync('true').pid;
}

describe('taking over a stale lock', () => {
  // dist/ holds the CLI's bundle: the two modules the racers import are bundled beside it, as the bench does.
  beforeAll(async () => {
    const { bundle } = await import('../../scripts/bundle.mjs');
    await bundle(['workspace/layout.ts', 'workspace/lock.ts'], { splitting: false });
  });

  // The real acquireLock, built, in separate processes that sleep until one moment and then all try at once.
  const racer = `
import { Workspace } from ${JSON.stringify(path.join(ROOT, 'dist', 'workspace', 'layout.js'))};
import { acquireLock } from ${JSON.stringify(path.join(ROOT, 'dist', 'workspace', 'lock.js'))};
const [stateDir, goAt] = process.argv.slice(2);
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.max(0, Number(goAt) - Date.now()));
const got = acquireLock(new Workspace(stateDir), 'racer-' + process.pid);
process.stdout.write(got.ok ? 'won racer-' + process.pid + '\\n' : 'lost to ' + got.holder.runId + '\\n');
// The winner holds the lock, alive, until every racer has answered.
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
`;

  it('of 8 runs racing to take over a lock left by a dead process, exactly one wins, and the others name it', async () => {
    const dir = controlDir();
    const script = path.join(dir, 'racer.mjs');
    writeFileSync(script, racer);
    for (let round = 0; round < 4; round++) {
      const stateDir = path.join(dir, `round-${round}`, '.orchestra');
      mkdirSync(stateDir, { recursive: true });
      writeFileSync(path.join(stateDir, 'run.lock'), JSON.stringify({ pid: deadPid(), runId: 'ghost', startedAt: '' }));
      const goAt = Date.now() + 1500;
      const children = Array.from({ length: 8 }, () => spawn(process.execPath, [script, stateDir, String(goAt)], { stdio: ['pipe', 'pipe', 'inherit'] }));
      const answers = await Promise.all(
        children.map(
          (child) =>
            new Promise<string>((resolve) => {
              let out = '';
              child.stdout.on('data', (d: Buffer) => {
                out += d.toString();
                if (out.endsWith('\n')) resolve(out.trim());
              });
            }),
        ),
      );
      const lock = JSON.parse(readFileSync(path.join(stateDir, 'run.lock'), 'utf8')) as { runId: string };
      for (const child of children) child.stdin.end();
      await Promise.all(children.map((child) => new Promise((resolve) => child.on('close', resolve))));
      const winners = answers.filter((a) => a.startsWith('won '));
      expect(winners, `round ${round}: ${answers.join(', ')}`).toHaveLength(1);
      const winner = (winners[0] as string).slice('won '.length);
      expect(lock.runId).toBe(winner);
      expect(answers.filter((a) => a === `lost to ${winner}`)).toHaveLength(7);
    }
  });
});
