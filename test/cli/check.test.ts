import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { alive, gate, logLines, release, waitFor } from '../helpers/gates.js';
import { BIN, makeRepo, runCli, writeFiles } from '../helpers/repo.js';

/** The lines of the (only) run's events.jsonl so far. */
function recorded(repo: string): string[] {
  try {
    const runs = path.join(repo, '.orchestra', 'runs');
    return readdirSync(runs).flatMap((id) => readFileSync(path.join(runs, id, 'events.jsonl'), 'utf8').split('\n'));
  } catch {
    return [];
  }
}

function repoWith(gates: string[], extra = ''): { repo: string; dir: string } {
  const repo = makeRepo({ 'orchestra.config.yaml': `gates:\n${gates.join('')}${extra}`, 'ctl/.keep': '' });
  return { repo, dir: path.join(repo, 'ctl') };
}

const env = (dir: string) => ({ GATE_DIR: dir });

interface JsonReport {
  ok: boolean;
  results: Array<{ name: string; kind: string; status: string; durationMs: number; exitCode: number | null; findings: unknown[] }>;
}

describe.concurrent('orchestra check: scheduling', () => {
  it('starts a node as soon as its needs pass and a slot is free, never more than --concurrency at once', async () => {
    const { repo, dir } = repoWith([gate('a', ['--wait']), gate('b', ['--wait']), gate('c', ['--wait']), gate('d', ['--wait'], '    needs: [a, b]\n')]);
    const run = runCli(['check', '--concurrency', '2'], repo, env(dir));
    await waitFor('two gates to start', () => logLines(dir).length === 2);
    const first = logLines(dir).map((l) => l.split(' ')[1]);
    expect(first.sort()).toEqual(['a', 'b']);
    release(dir, 'a');
    // A slot came free: c starts (d still needs b).
    await waitFor('c to start', () => logLines(dir).includes('start c'));
    expect(logLines(dir)).not.toContain('start d');
    release(dir, 'b');
    await waitFor('d to start', () => logLines(dir).includes('start d'));
    release(dir, 'c');
    release(dir, 'd');
    const r = await run;
    expect(r.code).toBe(0);
    const log = logLines(dir);
    // Never more than two running at once, by the record itself.
    let running = 0;
    let peak = 0;
    for (const line of log) {
      running += line.startsWith('start') ? 1 : -1;
      peak = Math.max(peak, running);
    }
    expect(peak).toBe(2);
    expect(log.indexOf('start d')).toBeGreaterThan(log.indexOf('end a 0'));
    expect(log.indexOf('start d')).toBeGreaterThan(log.indexOf('end b 0'));
    expect(r.stdout).toContain('4 passed, 0 failed');
  });

  it('fail-fast: after a failure nothing new starts, running nodes finish, the rest is skipped', async () => {
    const { repo, dir } = repoWith([gate('a', ['--exit', '1']), gate('b', ['--wait']), gate('c'), gate('d', [], '    needs: [b]\n')]);
    const run = runCli(['check', '--concurrency', '2'], repo, env(dir));
    await waitFor('b to start', () => logLines(dir).includes('start b'));
    // orchestra (not just the gate) must know a failed before b frees a slot, or c would rightly start.
    await waitFor('orchestra to record that a failed', () => recorded(repo).some((l) => l.includes('"node-finished"') && l.includes('"gate:a"')));
    release(dir, 'b');
    const r = await run;
    expect(r.code).toBe(1);
    expect(logLines(dir)).toContain('end b 0'); // the running one finished
    expect(logLines(dir)).not.toContain('start c');
    expect(r.stdout).toContain('- c skipped: stopped after a failed (--keep-going runs the rest)');
    expect(r.stdout).toContain('- d skipped: stopped after a failed');
    expect(r.stdout).toContain('✗ gate a: exit code 1');
    expect(r.stdout).toMatch(/│ a: exit 1/);
    expect(r.stdout).toMatch(/full log: \.orchestra\/runs\/[^/]+\/logs\/gate_a\.log/);
  });

  it('--keep-going runs everything that does not depend on the failure', async () => {
    const { repo, dir } = repoWith([gate('a', ['--exit', '2']), gate('b'), gate('c', [], '    needs: [a]\n'), gate('d', [], '    needs: [c]\n')]);
    const r = await runCli(['check', '--keep-going', '--concurrency', '1', '--reporter', 'json'], repo, env(dir));
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(Object.fromEntries(report.results.map((x) => [x.name, x.status]))).toEqual({ a: 'failed', b: 'passed', c: 'skipped', d: 'skipped' });
    expect(report.results.find((x) => x.name === 'a')?.exitCode).toBe(2);
    expect(report.ok).toBe(false);
  });

  it('runs only the named gates and what they need', async () => {
    const { repo, dir } = repoWith([gate('a'), gate('b', [], '    needs: [a]\n'), gate('c')]);
    const r = await runCli(['check', 'b'], repo, env(dir));
    expect(r.code).toBe(0);
    expect(
      logLines(dir)
        .filter((l) => l.startsWith('start'))
        .sort(),
    ).toEqual(['start a', 'start b']);
  });

  it('--hook runs the hook list; ORCHESTRA_SKIP=1 skips it', async () => {
    const { repo, dir } = repoWith([gate('a'), gate('b')], 'hooks:\n  pre-push: [b]\n');
    const r = await runCli(['check', '--hook', 'pre-push'], repo, env(dir));
    expect(r.code).toBe(0);
    expect(logLines(dir)).toEqual(['start b', 'end b 0']);
    const skipped = await runCli(['check', '--hook', 'pre-push'], repo, { ...env(dir), ORCHESTRA_SKIP: '1' });
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toContain('ORCHESTRA_SKIP=1');
    const missing = await runCli(['check', '--hook', 'pre-commit'], repo, env(dir));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no 'hooks.pre-commit' list");
  });
});

describe.concurrent('orchestra check: processes', () => {
  it('fails a gate that outlives its timeout and ends its process group', async () => {
    // 4 s, not 1: under CI load a node gate once took over a second to write its pid file, so the
    // timeout fired before there was a process group to check.
    const { repo, dir } = repoWith([gate('slow', ['--wait', '--child'], '    timeout: 4s\n')]);
    const r = await runCli(['check', '--kill-grace', '1s'], repo, env(dir));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('timed out after 4000 ms');
    const pids = ['slow.pid', 'slow.child'].map((f) => Number(readFileSync(path.join(dir, f), 'utf8')));
    await waitFor('the group to be gone', () => pids.every((p) => !alive(p)), 5000);
  });

  it('--timeout applies to gates without their own', async () => {
    const { repo, dir } = repoWith([gate('slow', ['--wait'])]);
    const r = await runCli(['check', '--timeout', '500ms', '--reporter', 'json'], repo, env(dir));
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as JsonReport).results[0]?.status).toBe('failed');
  });

  it('retries a flaky gate up to retries: N times', async () => {
    const { repo, dir } = repoWith([gate('flaky', ['--fail-times', '2'], '    retries: 2\n'), gate('broken', ['--fail-times', '5'], '    retries: 1\n')]);
    const r = await runCli(['check', '--keep-going'], repo, env(dir));
    expect(r.code).toBe(1);
    expect(readFileSync(path.join(dir, 'flaky.count'), 'utf8')).toBe('3');
    expect(readFileSync(path.join(dir, 'broken.count'), 'utf8')).toBe('2');
    expect(r.stdout).toContain('✓ flaky');
    expect(r.stdout).toContain('↻ flaky failed (exit-code), trying again');
  });

  // Ten gates (more than MANY_COMMANDS), one at a time: the gate that started each says which process did.
  const tenGates = () => {
    const parentOf = (name: string) => `  ${name}:\n    run: [sh, -c, 'cat /proc/$PPID/comm > ${'${GATE_DIR}'}/${name}.parent']\n`;
    const names = Array.from({ length: 10 }, (_, i) => `g${i}`);
    return { names, ...repoWith(names.map(parentOf)) };
  };

  it('with many gates to run, starts the spawner at once and waits for it, rather than fork itself while Python starts', async () => {
    const { names, repo, dir } = tenGates();
    const r = await runCli(['check', '--concurrency', '1'], repo, env(dir));
    expect(r.code).toBe(0);
    expect(names.map((g) => readFileSync(path.join(dir, `${g}.parent`), 'utf8').trim())).toEqual(names.map(() => 'python3'));
  });

  it('a spawner that never says it is ready delays the gates a moment, once, and does not keep orchestra alive', async () => {
    const { names, repo, dir } = tenGates();
    writeFileSync(path.join(dir, 'mute-spawner'), '#!/bin/sh\nexec sleep 120\n', { mode: 0o755 });
    const r = await runCli(['check', '--concurrency', '1'], repo, { ...env(dir), ORCHESTRA_SPAWNER: path.join(dir, 'mute-spawner') });
    expect(r.code).toBe(0);
    expect(names.map((g) => readFileSync(path.join(dir, `${g}.parent`), 'utf8').trim())).toEqual(names.map(() => 'node'));
  });

  // Both ways a gate can be started: by Node, and through the spawner (whose own process must not outlive the run either).
  it.each<{ way: string; spawner: Record<string, string>; parent: string }>([
    { way: 'node', spawner: { ORCHESTRA_SPAWNER: 'off' }, parent: 'node' },
    { way: 'the spawner', spawner: { ORCHESTRA_SPAWNER_WAIT: '1' }, parent: 'python3' },
  ])('Ctrl-C ends every process it started, children and grandchildren, and exits 130 (started by $way)', async ({ spawner, parent }) => {
    const { repo, dir } = repoWith([gate('a', ['--wait', '--child']), gate('b', ['--wait', '--child'])]);
    let pid = 0;
    const run = runCli(['check', '--concurrency', '2'], repo, { ...env(dir), ...spawner }, (child) => (pid = child.pid ?? 0));
    // A pid file can be seen before its number is in it (and Number('') is 0, which signals our own group).
    const pidIn = (f: string) => (readdirSync(dir).includes(f) ? Number(readFileSync(path.join(dir, f), 'utf8')) : 0);
    const files = ['a.pid', 'a.child', 'b.pid', 'b.child'];
    await waitFor('both gates and their grandchildren', () => files.every((f) => pidIn(f) > 0));
    const pids = files.map(pidIn);
    expect(pids.every(alive)).toBe(true);
    const starter = Number(
      readFileSync(`/proc/${pids[0]}/stat`, 'utf8')
        .replace(/^.*\) /, '')
        .split(' ')[1],
    );
    expect(readFileSync(`/proc/${starter}/comm`, 'utf8').trim()).toBe(parent);
    process.kill(pid, 'SIGINT');
    const r = await run;
    expect(r.code).toBe(130);
    expect(pids.filter(alive)).toEqual([]);
    await waitFor('what started the gates to be gone', () => !alive(starter), 5000);
    expect(r.stdout).toContain('interrupted');
  });

  it("SIGTERM to orchestra's whole process group (kill %1, a CI cancel) is a graceful stop: the spawner lives on to report it", async () => {
    const { repo, dir } = repoWith([
      `  slow:\n    run: [sh, -c, 'trap "echo got TERM; sleep 0.2; echo cleaned; exit 143" TERM; echo up > ${'${GATE_DIR}'}/up; while :; do sleep 0.05; done']\n`,
    ]);
    const child = spawn(process.execPath, [BIN, 'check'], {
      cwd: repo,
      env: { ...process.env, NO_COLOR: '1', GATE_DIR: dir, ORCHESTRA_SPAWNER_WAIT: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = new Promise<number | null>((resolve) => child.on('close', resolve));
    await waitFor('the gate to be up', () => readdirSync(dir).includes('up'));
    process.kill(-(child.pid as number), 'SIGTERM');
    expect(await code).not.toBe(0);
    const runs = path.join(repo, '.orchestra', 'runs');
    const log = readFileSync(path.join(runs, readdirSync(runs)[0] as string, 'logs', 'gate_slow.log'), 'utf8');
    // (sh may first say its sleep was Terminated: the whole group got the SIGTERM.)
    expect(log).toMatch(/(^|\n)got TERM\ncleaned\n$/);
    expect(out).not.toContain('spawner ended');
    expect(out).toContain('interrupted');
  });

  it('kill -9 of orchestra ends the spawner too (it reads the end of its input)', async () => {
    const { repo, dir } = repoWith([gate('a', ['--wait'])]);
    let pid = 0;
    const run = runCli(['check'], repo, { ...env(dir), ORCHESTRA_SPAWNER_WAIT: '1' }, (child) => (pid = child.pid ?? 0));
    // The gate logs its start before it writes its pid: wait for the pid itself.
    await waitFor('the gate to start', () => existsSync(path.join(dir, 'a.pid')) && readFileSync(path.join(dir, 'a.pid'), 'utf8') !== '');
    const gatePid = Number(readFileSync(path.join(dir, 'a.pid'), 'utf8'));
    const spawnerPid = Number(
      readFileSync(`/proc/${gatePid}/stat`, 'utf8')
        .replace(/^.*\) /, '')
        .split(' ')[1],
    );
    expect(readFileSync(`/proc/${spawnerPid}/comm`, 'utf8').trim()).toBe('python3');
    process.kill(pid, 'SIGKILL');
    await run;
    await waitFor('the spawner to be gone', () => !alive(spawnerPid), 5000);
    // Not contained (check does not use the sandbox), the gate itself lives on, as it did when Node spawned it.
    release(dir, 'a');
  });

  it('a second Ctrl-C kills at once, without waiting out the grace period', async () => {
    const { repo, dir } = repoWith([gate('stubborn', ['--wait', '--ignore-term'])]);
    let pid = 0;
    // A grace of an hour: only the second Ctrl-C can end this run within the test's time.
    const run = runCli(['check', '--kill-grace', '1h'], repo, env(dir), (child) => (pid = child.pid ?? 0));
    await waitFor('the gate to start', () => logLines(dir).includes('start stubborn'));
    process.kill(pid, 'SIGINT');
    await waitFor('SIGTERM to be ignored', () => logLines(dir).includes('ignored-term stubborn'));
    process.kill(pid, 'SIGINT');
    const r = await run;
    expect(r.code).toBe(130);
    const gatePid = Number(readFileSync(path.join(dir, 'stubborn.pid'), 'utf8'));
    await waitFor('the gate to be gone', () => !alive(gatePid), 5000);
  });

  it('runs a shell string through the shell and an argv without one', async () => {
    const repo = makeRepo({
      'orchestra.config.yaml':
        'gates:\n  shell:\n    run: echo "$((6 * 7))" > shell.out\n  argv:\n    run: [node, -e, "require(\'fs\').writeFileSync(\'argv.out\', process.argv[1])", "$((6 * 7))"]\n',
    });
    const r = await runCli(['check'], repo);
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(repo, 'shell.out'), 'utf8').trim()).toBe('42');
    expect(readFileSync(path.join(repo, 'argv.out'), 'utf8')).toBe('$((6 * 7))');
  });

  it('reports a command that cannot start', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': 'gates:\n  missing:\n    run: [no-such-command-xyz]\n' });
    const r = await runCli(['check'], repo);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('could not start');
  });

  it('streams megabytes of output to the log file, not to memory', async () => {
    const { repo, dir } = repoWith([gate('noisy', ['--print-bytes', String(100 * 1024 * 1024)])]);
    const r = await runCli(['check'], repo, env(dir));
    expect(r.code).toBe(0);
    const runs = readdirSync(path.join(repo, '.orchestra', 'runs'));
    const log = path.join(repo, '.orchestra', 'runs', runs[0]!, 'logs', 'gate_noisy.log');
    expect(readFileSync(log).length).toBeGreaterThanOrEqual(100 * 1024 * 1024);
  });

  it('records every event as a line of JSON', async () => {
    const { repo, dir } = repoWith([gate('a'), gate('b', ['--exit', '1'], '    needs: [a]\n'), gate('c', [], '    needs: [b]\n')]);
    await runCli(['check'], repo, env(dir));
    const [runId] = readdirSync(path.join(repo, '.orchestra', 'runs'));
    const events = readFileSync(path.join(repo, '.orchestra', 'runs', runId!, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; nodeId?: string; status?: string });
    expect(events[0]?.type).toBe('run-started');
    expect(events.at(-1)?.type).toBe('run-finished');
    expect(events.filter((e) => e.type === 'node-finished').map((e) => [e.nodeId, e.status])).toEqual([
      ['gate:a', 'passed'],
      ['gate:b', 'failed'],
    ]);
    expect(events.find((e) => e.type === 'node-skipped')?.nodeId).toBe('gate:c');
  });
});

describe.concurrent('orchestra check: cache', () => {
  it('reports a gate with unchanged inputs as cached, and runs it again when an input or the command changes', async () => {
    const { repo, dir } = repoWith([gate('unit', [], '    inputs: ["src/**"]\n'), gate('nocache')]);
    writeFileSync(path.join(repo, 'src.txt'), 'not an input');
    writeFiles(repo, { 'src/a.ts': 'one' });
    const status = async (): Promise<Record<string, string>> => {
      const r = await runCli(['check', '--reporter', 'json'], repo, env(dir));
      return Object.fromEntries((JSON.parse(r.stdout) as JsonReport).results.map((x) => [x.name, x.status]));
    };
    expect(await status()).toEqual({ unit: 'passed', nocache: 'passed' });
    expect(await status()).toEqual({ unit: 'cached', nocache: 'passed' });
    writeFileSync(path.join(repo, 'src.txt'), 'still not an input');
    expect((await status()).unit).toBe('cached');
    writeFiles(repo, { 'src/a.ts': 'two' });
    expect((await status()).unit).toBe('passed');
    writeFiles(repo, { 'src/new.ts': 'a new file counts too' });
    expect((await status()).unit).toBe('passed');
    expect((await status()).unit).toBe('cached');
    const config = readFileSync(path.join(repo, 'orchestra.config.yaml'), 'utf8');
    writeFileSync(path.join(repo, 'orchestra.config.yaml'), config.replace('"unit"]', '"unit", "--changed"]'));
    expect((await status()).unit).toBe('passed');
    const r = await runCli(['check', '--no-cache', '--reporter', 'json'], repo, env(dir));
    expect((JSON.parse(r.stdout) as JsonReport).results[0]?.status).toBe('passed');
  });

  it('never caches a failure, and honours .gitignore', async () => {
    const repo = makeRepo({
      '.gitignore': 'build/\n',
      'orchestra.config.yaml': 'gates:\n  t:\n    run: test -f ok\n    inputs: ["**/*"]\n',
      'build/out.txt': '1',
    });
    const first = await runCli(['check'], repo);
    expect(first.code).toBe(1);
    writeFileSync(path.join(repo, 'ok'), '');
    expect((await runCli(['check'], repo)).stdout).toContain('✓ t');
    // A change in an ignored folder is not an input.
    writeFileSync(path.join(repo, 'build', 'out.txt'), '2');
    expect((await runCli(['check'], repo)).stdout).toContain('◌ t cached');
  });
});

describe('orchestra check: state', () => {
  it('keeps the last 50 runs', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': 'gates:\n  ok:\n    run: [node, -e, "0"]\n' });
    for (let i = 0; i < 55; i++) writeFiles(repo, { [`.orchestra/runs/20200101-0000${String(i).padStart(2, '0')}-aaaa/events.jsonl`]: '' });
    expect((await runCli(['check'], repo)).code).toBe(0);
    const runs = readdirSync(path.join(repo, '.orchestra', 'runs')).sort();
    expect(runs).toHaveLength(50);
    expect(runs[0]).toBe('20200101-000006-aaaa');
    expect(runs.at(-1)).not.toMatch(/^20200101/); // the run just made is kept
  });
});
