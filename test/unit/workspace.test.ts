import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { acquireLock, readLock } from '../../src/workspace/lock.js';
import { Workspace } from '../../src/workspace/layout.js';
import { systemProbe } from '../../src/workspace/process-probe.js';
import { newRunId, pruneRuns, runIds } from '../../src/workspace/run-ids.js';
import { RunStateStore, validateRunState, type RunState } from '../../src/workspace/run-state.js';

const tempWorkspace = (): Workspace => new Workspace(path.join(mkdtempSync(path.join(tmpdir(), 'ws-')), '.orchestra')).ensure();
const sha = 'a'.repeat(40);
/** A pid that was just used and has ended. */
const deadPid = (): number => spawnSync('true').pid;
const state = (runId: string, over: Partial<RunState> = {}): RunState => ({
  runId,
  base: sha,
  integrationBranch: `orchestra/${runId}`,
  ok: false,
  finished: false,
  checkpoints: { models: 'b'.repeat(40) },
  ...over,
});

describe('Workspace', () => {
  it('lays every file of a run under runs/<id>, and a node id becomes a safe file name', () => {
    const ws = new Workspace('/r/.orchestra');
    const run = ws.run('r1');
    expect(run.events).toBe('/r/.orchestra/runs/r1/events.jsonl');
    expect(run.state).toBe('/r/.orchestra/runs/r1/state.json');
    expect(run.logFile('fix:models#2')).toBe('/r/.orchestra/runs/r1/logs/fix_models_2.log');
    expect(run.promptFile('task:models/user')).toBe('/r/.orchestra/runs/r1/prompts/task_models_user.md');
    expect(ws.worktrees('r1').integration).toBe('/r/.orchestra/worktrees/r1/_integration');
    expect(ws.worktrees('r1').task('a/../b')).toBe('/r/.orchestra/worktrees/r1/a_.._b');
  });

  it('ensure() makes the folder with a .gitignore that ignores everything, once', () => {
    const ws = tempWorkspace();
    expect(readFileSync(path.join(ws.stateDir, '.gitignore'), 'utf8')).toBe('*\n');
    writeFileSync(path.join(ws.stateDir, '.gitignore'), '*\n# mine\n');
    ws.ensure();
    expect(readFileSync(path.join(ws.stateDir, '.gitignore'), 'utf8')).toContain('# mine');
  });
});

describe('runIds', () => {
  it('orders runs by time: own ids by their stamp, a --run-id name by when its folder was made', () => {
    const ws = tempWorkspace();
    const before = newRunId(new Date(Date.now() - 3_600_000));
    const after = newRunId(new Date(Date.now() + 3_600_000));
    for (const id of [after, 'ci-7-two', before, '.hidden']) mkdirSync(ws.run(id).dir, { recursive: true });
    expect(runIds(ws)).toEqual([before, 'ci-7-two', after]);
    pruneRuns(ws, 1);
    expect(runIds(ws)).toEqual([after]);
  });
});

describe('RunStateStore', () => {
  it('writes atomically and reads back what it wrote', () => {
    const ws = tempWorkspace();
    const store = new RunStateStore(ws);
    store.write(state('r1'));
    expect(store.read('r1')).toEqual({ ok: true, state: state('r1') });
    // No temporary file is left beside it.
    expect(readdirSync(ws.run('r1').dir)).toEqual(['state.json']);
  });

  it('says what is wrong with a missing, empty, truncated or forged state file, and never throws', () => {
    const ws = tempWorkspace();
    const store = new RunStateStore(ws);
    expect(store.read('nope')).toMatchObject({ ok: false, problem: { kind: 'missing' } });
    const cases: Array<[string, string]> = [
      ['', 'is empty'],
      [JSON.stringify(state('r2')).slice(0, 40), 'not valid JSON'],
      ['[]', 'expected a JSON object'],
      [JSON.stringify(state('other')), '\'runId\' is "other"'],
      [JSON.stringify({ ...state('r2'), base: 'HEAD; rm -rf /' }), "'base' must be a commit id"],
      [JSON.stringify({ ...state('r2'), integrationBranch: 'main' }), '\'integrationBranch\' must be "orchestra/r2"'],
      [JSON.stringify({ ...state('r2'), ok: 'yes' }), "'ok' must be true or false"],
      [JSON.stringify({ ...state('r2'), checkpoints: { models: 'main' } }), "'checkpoints.models' must be a commit id"],
      [JSON.stringify({ ...state('r2'), checkpoints: { '../x': sha } }), 'not a valid id'],
    ];
    mkdirSync(ws.run('r2').dir, { recursive: true });
    for (const [text, message] of cases) {
      writeFileSync(ws.run('r2').state, text);
      const read = store.read('r2');
      expect(read.ok, text).toBe(false);
      if (!read.ok) {
        expect(read.problem.kind).toBe('invalid');
        expect(read.problem.file).toBe(ws.run('r2').state);
        expect(read.problem.message).toContain(message);
      }
    }
  });

  it('refuses an id that is not a run id before it reaches a path', () => {
    const store = new RunStateStore(tempWorkspace());
    for (const id of ['../../etc', 'a/b', '.hidden', '']) expect(store.read(id)).toMatchObject({ ok: false, problem: { kind: 'invalid' } });
  });

  it('lists the good states and names the bad ones; a run without a state (check) is neither', () => {
    const ws = tempWorkspace();
    const store = new RunStateStore(ws);
    store.write(state('20260101-000000-aaaa'));
    mkdirSync(ws.run('20260101-000001-bbbb').dir, { recursive: true });
    mkdirSync(ws.run('20260101-000002-cccc').dir, { recursive: true });
    writeFileSync(ws.run('20260101-000002-cccc').state, '{"runId":');
    const { states, problems } = store.list();
    expect(states.map((s) => s.runId)).toEqual(['20260101-000000-aaaa']);
    expect(problems.map((p) => p.file)).toEqual([ws.run('20260101-000002-cccc').state]);
  });

  it('validateRunState keeps only the known fields', () => {
    const v = validateRunState({ ...state('r3'), extra: 'x' }, 'r3');
    expect(v).toEqual(state('r3'));
  });
});

describe('the run lock', () => {
  it('is taken once; a second taker is told who holds it; release frees it', () => {
    const ws = tempWorkspace();
    const first = acquireLock(ws, 'r1');
    expect(first.ok).toBe(true);
    const second = acquireLock(ws, 'r2');
    expect(second).toMatchObject({ ok: false, holder: { runId: 'r1', pid: process.pid } });
    if (first.ok) first.release();
    expect(existsSync(ws.lockFile)).toBe(false);
  });

  it("records what identifies its process, and is believed by this machine's /proc", () => {
    const ws = tempWorkspace();
    const taken = acquireLock(ws, 'r1');
    const lock = JSON.parse(readFileSync(ws.lockFile, 'utf8')) as Record<string, unknown>;
    expect(lock).toMatchObject({ pid: process.pid, runId: 'r1', procStart: expect.stringMatching(/^\d+$/), argv: expect.any(Array) });
    expect(readLock(ws)?.runId).toBe('r1');
    if (taken.ok) taken.release();
  });

  it('does not believe a lock naming a live process that is not orchestra, even with its start time and command line copied; takes it over', async () => {
    const ws = tempWorkspace();
    const sleeper = spawn('sleep', ['30']);
    try {
      const pid = sleeper.pid as number;
      await vi.waitFor(() => expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('sleep'));
      const view = systemProbe().view(pid);
      expect(view.kind).toBe('running');
      const copied = view.kind === 'running' ? { procStart: view.procStart, argv: view.argv } : {};
      for (const forged of [
        { pid, runId: 'forged', startedAt: '' },
        { pid, runId: 'forged', startedAt: '', ...copied },
      ]) {
        writeFileSync(ws.lockFile, JSON.stringify(forged));
        expect(readLock(ws)).toBeUndefined();
        const taken = acquireLock(ws, 'mine');
        expect(taken.ok).toBe(true);
        if (taken.ok) taken.release();
      }
    } finally {
      sleeper.kill();
    }
  });

  it('takes over a stale lock whose takeover was claimed by a process that died, and clears the claims', () => {
    const ws = tempWorkspace();
    const stale = JSON.stringify({ pid: deadPid(), runId: 'ghost', startedAt: '' });
    writeFileSync(ws.lockFile, stale);
    const claim = ws.lockClaimFile(createHash('sha256').update(stale).digest('hex').slice(0, 32));
    writeFileSync(claim, JSON.stringify({ pid: deadPid(), runId: 'crashed', startedAt: '' }));
    const taken = acquireLock(ws, 'mine');
    expect(taken.ok).toBe(true);
    expect(readLock(ws)?.runId).toBe('mine');
    expect(readdirSync(ws.stateDir).sort()).toEqual(['.gitignore', 'run.lock']);
    if (taken.ok) taken.release();
  });

  it('names a live process that is taking a stale lock over as its holder', () => {
    const ws = tempWorkspace();
    const stale = JSON.stringify({ pid: deadPid(), runId: 'ghost', startedAt: '' });
    writeFileSync(ws.lockFile, stale);
    // A claim by a live orchestra (this process, as a lock it took elsewhere would describe it).
    const elsewhere = tempWorkspace();
    const other = acquireLock(elsewhere, 'claimant');
    writeFileSync(ws.lockClaimFile(createHash('sha256').update(stale).digest('hex').slice(0, 32)), readFileSync(elsewhere.lockFile, 'utf8'));
    expect(acquireLock(ws, 'mine')).toMatchObject({ ok: false, holder: { runId: 'claimant' } });
    expect(readFileSync(ws.lockFile, 'utf8')).toBe(stale);
    if (other.ok) other.release();
  });

  it('release leaves alone a lock that is no longer its own', () => {
    const ws = tempWorkspace();
    const taken = acquireLock(ws, 'r1');
    writeFileSync(ws.lockFile, 'another run took it');
    if (taken.ok) taken.release();
    expect(readFileSync(ws.lockFile, 'utf8')).toBe('another run took it');
  });

  it('does not believe a lock whose pid is 0, 1, negative or not a number, and takes it over', () => {
    const ws = tempWorkspace();
    for (const pid of [0, 1, -1, 'x', 1.5]) {
      writeFileSync(ws.lockFile, JSON.stringify({ pid, runId: 'forged', startedAt: '' }));
      expect(readLock(ws)).toBeUndefined();
      const taken = acquireLock(ws, 'mine');
      expect(taken.ok).toBe(true);
      if (taken.ok) taken.release();
    }
  });
});
