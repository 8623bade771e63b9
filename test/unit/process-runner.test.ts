import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCommand, type CommandSpec } from '../../src/exec/process-runner.js';
import { forkServer } from '../../src/exec/spawner.js';
import { alive } from '../helpers/gates.js';

const spec = (argv: string[], over: Partial<CommandSpec> = {}): CommandSpec => ({
  command: { argv },
  cwd: tmpdir(),
  env: {},
  graceMs: 200,
  logFile: path.join(mkdtempSync(path.join(tmpdir(), 'runner-')), 'out.log'),
  tailBytes: 1024,
  ...over,
});
const quiet = { onSpawn: () => undefined, onLine: () => undefined };

// Every case both ways: spawned by Node, and through the spawner (libexec/spawner.py), which must not differ.
describe.each([
  { way: 'node', parent: 'node' },
  { way: 'spawner', parent: 'python3' },
])('startCommand, spawned by $way', ({ way, parent }) => {
  const before = process.env['ORCHESTRA_SPAWNER'];
  beforeAll(async () => {
    if (way === 'node') process.env['ORCHESTRA_SPAWNER'] = 'off';
    else expect(await forkServer()?.ready()).toBe(true);
  });
  afterAll(() => {
    if (before === undefined) delete process.env['ORCHESTRA_SPAWNER'];
    else process.env['ORCHESTRA_SPAWNER'] = before;
  });

  it('is started by the way it says (its parent process), in a session and process group of its own', async () => {
    const s = spec(['sh', '-c', 'cat /proc/$PPID/comm; cut -d" " -f1,5,6 /proc/$$/stat']);
    const r = await startCommand(s, quiet).done;
    const [comm, stat] = readFileSync(s.logFile, 'utf8').trim().split('\n');
    expect(comm).toBe(parent);
    const [pid, pgrp, session] = (stat as string).split(' ');
    expect(pgrp).toBe(pid);
    expect(session).toBe(pid);
    expect(r.exitCode).toBe(0);
  });

  it('writes the output to the log file, keeps a tail, and reports the exit', async () => {
    const s = spec(['sh', '-c', 'echo one; echo two >&2; exit 3']);
    const r = await startCommand(s, quiet).done;
    expect(r).toMatchObject({ exitCode: 3, timedOut: false, idle: false, interrupted: false });
    expect(readFileSync(s.logFile, 'utf8')).toBe('one\ntwo\n');
    expect(r.tail).toBe('one\ntwo\n');
  });

  it('runs a shell string through the shell, with its env, its cwd and a file as its stdin', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'runner-cwd-'));
    const input = path.join(dir, 'in.txt');
    writeFileSync(input, 'from stdin\n');
    const s = spec([], { command: { shell: 'echo "$GREETING $(pwd)"; cat' }, cwd: dir, env: { GREETING: 'hi' }, stdinFile: input });
    expect((await startCommand(s, quiet).done).exitCode).toBe(0);
    expect(readFileSync(s.logFile, 'utf8')).toBe(`hi ${dir}\nfrom stdin\n`);
  });

  it('runs an executable file with no #! line with /bin/sh, as a shell (and execvp) does', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'runner-script-'));
    writeFileSync(path.join(dir, 'plain'), 'echo "plain ran with $1"\n', { mode: 0o755 });
    const s = spec(['./plain', 'an argument'], { cwd: dir });
    expect((await startCommand(s, quiet).done).exitCode).toBe(0);
    expect(readFileSync(s.logFile, 'utf8')).toBe('plain ran with an argument\n');
    const onPath = spec(['plain', 'on PATH'], { env: { PATH: `${dir}:${process.env['PATH'] ?? ''}` } });
    expect((await startCommand(onPath, quiet).done).exitCode).toBe(0);
    expect(readFileSync(onPath.logFile, 'utf8')).toBe('plain ran with on PATH\n');
  });

  it('finds the program on the PATH of the command, from its folder, as execvp does (a script with no #! before a binary)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'runner-path-'));
    mkdirSync(path.join(dir, 'first'));
    mkdirSync(path.join(dir, 'later'));
    writeFileSync(path.join(dir, 'first', 'tool'), 'echo "the script ran"\n', { mode: 0o755 });
    writeFileSync(path.join(dir, 'later', 'tool'), '#!/bin/sh\necho "a later one ran"\n', { mode: 0o755 });
    // `first` is relative: it is the command's folder it is found from, not orchestra's.
    const s = spec(['tool'], { cwd: dir, env: { PATH: `first:${path.join(dir, 'later')}:${process.env['PATH'] ?? ''}` } });
    expect((await startCommand(s, quiet).done).exitCode).toBe(0);
    expect(readFileSync(s.logFile, 'utf8')).toBe('the script ran\n');
  });

  it('passes a lone surrogate in an argument as Node does (U+FFFD), and a newline in a missing program stays in one message', async () => {
    const s = spec(['sh', '-c', 'printf %s "$1"', 'sh', 'a\ud800b']);
    expect((await startCommand(s, quiet).done).exitCode).toBe(0);
    expect(readFileSync(s.logFile, 'utf8')).toBe('a\ufffdb');
    const missing = await startCommand(spec(['no-such\nx 1 0 -']), quiet).done;
    expect(missing.spawnError).toMatch(/^spawn no-such[\n ]x 1 0 - ENOENT$/);
  });

  it("passes empty arguments, newlines and an = in a value as they are; a NUL is a start that failed, in Node's words", async () => {
    const s = spec(['sh', '-c', 'printf "[%s]" "$@"; printf "%s|%s" "$A" "$B"', 'sh', '', 'a\nb'], { env: { A: 'x=y', B: '' } });
    expect((await startCommand(s, quiet).done).exitCode).toBe(0);
    expect(readFileSync(s.logFile, 'utf8')).toBe('[][a\nb]x=y|');
    const nul = await startCommand(spec(['sh', '-c', 'true', 'a\0b']), quiet).done;
    expect(nul.spawnError).toMatch(/^The argument 'args\[2\]' must be a string without null bytes/);
  });

  it("a log file that cannot be created is Node's own error, and nothing starts", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'runner-nolog-'));
    const marker = path.join(dir, 'ran');
    const s = spec(['sh', '-c', `touch ${marker}`], { logFile: path.join(dir, 'no-such-folder', 'out.log') });
    await expect(async () => {
      await startCommand(s, quiet).done;
    }).rejects.toThrow(`ENOENT: no such file or directory, open '${s.logFile}'`);
    expect(existsSync(marker)).toBe(false);
  });

  it('a FIFO where the log goes is an error, never a wait for a reader, and the next command still runs', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'runner-fifo-'));
    const fifo = path.join(dir, 'out.log');
    execFileSync('mkfifo', [fifo]);
    const marker = path.join(dir, 'ran');
    await expect(async () => {
      await startCommand(spec(['sh', '-c', `touch ${marker}`], { logFile: fifo }), quiet).done;
    }).rejects.toThrow(/ENXIO|not a regular file/);
    expect(existsSync(marker)).toBe(false);
    expect((await startCommand(spec(['true']), quiet).done).exitCode).toBe(0);
  });

  it('a folder that is a file is a start that failed, never a throw', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'runner-notdir-')), 'a-file');
    writeFileSync(file, '');
    const r = await startCommand(spec(['true'], { cwd: file }), quiet).done;
    expect(r).toMatchObject({ exitCode: null });
    expect(r.spawnError).toMatch(/ENOTDIR/);
  });

  it("takes a relative folder and log from orchestra's own folder", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'runner-rel-'));
    const s = spec(['pwd'], { cwd: path.relative(process.cwd(), dir), logFile: path.relative(process.cwd(), path.join(dir, 'rel.log')) });
    expect((await startCommand(s, quiet).done).exitCode).toBe(0);
    expect(readFileSync(path.join(dir, 'rel.log'), 'utf8')).toBe(`${realpathSync(dir)}\n`);
  });

  it('says a command killed by a signal was, with no exit code', async () => {
    const r = await startCommand(spec(['sh', '-c', 'kill -TERM $$']), quiet).done;
    expect(r).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
  });

  it("a program that is not there, or a folder that is not, is Node's spawn error", async () => {
    const missing = await startCommand(spec(['no-such-program-here']), quiet).done;
    expect(missing).toMatchObject({ exitCode: null, spawnError: 'spawn no-such-program-here ENOENT' });
    const noCwd = await startCommand(spec(['true'], { cwd: path.join(tmpdir(), 'no-such-folder-here') }), quiet).done;
    expect(noCwd.spawnError).toMatch(/^spawn true ENOENT$/);
  });

  it('the silence watchdog stops a command that printed nothing for idleTimeoutMs, and says so', async () => {
    const r = await startCommand(spec(['sh', '-c', 'echo started; exec sleep 30'], { idleTimeoutMs: 400 }), quiet).done;
    expect(r).toMatchObject({ idle: true, timedOut: false, interrupted: false, exitCode: null, signal: 'SIGTERM' });
  });

  it('a command that keeps printing is not idle, and the overall timeout still holds', async () => {
    const r = await startCommand(spec(['sh', '-c', 'while :; do echo tick; sleep 0.05; done'], { idleTimeoutMs: 1000, timeoutMs: 1500 }), quiet).done;
    expect(r).toMatchObject({ idle: false, timedOut: true });
  });

  it('a stop from outside is an interrupt, not a timeout or silence (asked at once, before the pid is known)', async () => {
    const running = startCommand(spec(['sleep', '30'], { idleTimeoutMs: 60_000 }), quiet);
    running.stop();
    expect(await running.done).toMatchObject({ interrupted: true, idle: false, timedOut: false, signal: 'SIGTERM' });
  });

  it('a group member that ignores SIGTERM is killed after the grace period', async () => {
    const s = spec(['sh', '-c', "trap '' TERM; echo ready; while :; do sleep 0.05; done"], { timeoutMs: 300, graceMs: 300 });
    const r = await startCommand(s, quiet).done;
    expect(r).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
  });
});

describe('the spawner, gone', () => {
  it('a command running when the spawner dies ends as lost, its group is ended, and the next command is spawned by Node', async () => {
    expect(await forkServer()?.ready()).toBe(true);
    const s = spec(['sh', '-c', 'echo $PPID; exec sleep 30']);
    let pid = 0;
    const running = startCommand(s, { onSpawn: (p) => (pid = p), onLine: () => undefined });
    let ppid = '';
    while (!/^\d+\n/.test(ppid)) {
      await new Promise((r) => setTimeout(r, 20));
      ppid = readFileSync(s.logFile, 'utf8');
    }
    process.kill(Number(ppid.trim()), 'SIGKILL');
    const r = await running.done;
    // Not a failed start: the command ran, and how it ended is not known.
    expect(r.spawnError).toBeUndefined();
    expect(r.lost).toMatch(/^orchestra's process spawner ended while the command ran: it ended \(SIGKILL\)$/);
    expect(readFileSync(s.logFile, 'utf8')).toMatch(/orchestra: lost the command, its end is not known: orchestra's process spawner ended/);
    // SIGKILL is delivered, not waited for: give the kernel a moment (bounded) to end it.
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive(pid)).toBe(false);
    const next = spec(['sh', '-c', 'cat /proc/$PPID/comm']);
    expect((await startCommand(next, quiet).done).exitCode).toBe(0);
    expect(readFileSync(next.logFile, 'utf8').trim()).toBe('node');
  });
});
