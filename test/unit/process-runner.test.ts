import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCommand, type CommandSpec } from '../../src/exec/process-runner.js';

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

describe('startCommand', () => {
  it('writes the output to the log file, keeps a tail, and reports the exit', async () => {
    const s = spec(['sh', '-c', 'echo one; echo two >&2; exit 3']);
    const r = await startCommand(s, quiet).done;
    expect(r).toMatchObject({ exitCode: 3, timedOut: false, idle: false, interrupted: false });
    expect(readFileSync(s.logFile, 'utf8')).toBe('one\ntwo\n');
    expect(r.tail).toBe('one\ntwo\n');
  });

  it('the silence watchdog stops a command that printed nothing for idleTimeoutMs, and says so', async () => {
    const r = await startCommand(spec(['sh', '-c', 'echo started; exec sleep 30'], { idleTimeoutMs: 400 }), quiet).done;
    expect(r).toMatchObject({ idle: true, timedOut: false, interrupted: false, exitCode: null, signal: 'SIGTERM' });
  });

  it('a command that keeps printing is not idle, and the overall timeout still holds', async () => {
    const r = await startCommand(spec(['sh', '-c', 'while :; do echo tick; sleep 0.05; done'], { idleTimeoutMs: 1000, timeoutMs: 1500 }), quiet).done;
    expect(r).toMatchObject({ idle: false, timedOut: true });
  });

  it('a stop from outside is an interrupt, not a timeout or silence', async () => {
    const running = startCommand(spec(['sleep', '30'], { idleTimeoutMs: 60_000 }), quiet);
    running.stop();
    expect(await running.done).toMatchObject({ interrupted: true, idle: false, timedOut: false });
  });
});
