import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/gates.js';
import { controlDir, makeRepo, positions, ROOT, runCli } from '../helpers/repo.js';
import { spawnServing } from '../helpers/serve.js';

/**
 * Bad input, big input, interrupted input (issue 20): each case exits 2 with
 * the flag or file:line:col named, or does the right thing; never a stack
 * trace, never a hang.
 */
const AGENT = path.join(ROOT, 'test', 'fixtures', 'agent.mjs');
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
const GATES = 'gates:\n  a: { run: "true" }\n';
const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at |internal error/);

function committed(files: Record<string, string>): string {
  const repo = makeRepo(files);
  git(repo, 'add', '-A');
  git(repo, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'start');
  return repo;
}

describe.concurrent('paths of the wrong kind', () => {
  it.each([
    ['team: .', 'orchestra.config.yaml:3:7', 'team: ', 'is a directory, not a file'],
    ['extends: [./]', 'orchestra.config.yaml:3:11', 'extends: ', 'is a directory, not a file'],
    ['spec: .', 'orchestra.config.yaml:3:7', 'spec: ', 'is a directory, not a file'],
    ['extends: [/dev/null]', 'orchestra.config.yaml:3:11', 'extends: /dev/null', 'is a device, not a file'],
    ['extends: [/proc/version]', 'orchestra.config.yaml:3:11', 'extends: /proc/version', 'is a /proc or /sys file'],
  ])('%s: exit 2 at its file:line:col', async (line, at, message, kind) => {
    const repo = makeRepo({ 'orchestra.config.yaml': `${GATES}${line}\n` });
    const r = await runCli(['validate'], repo);
    expect(r.code).toBe(2);
    expect(positions(r.stderr)).toEqual([at]);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain(kind);
    noStack(r.stderr);
  });

  it('a FIFO named as the team file is refused, not opened (it would block)', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': `${GATES}team: ./pipe\n` });
    execFileSync('mkfifo', [path.join(repo, 'pipe')]);
    const r = await runCli(['validate'], repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is a FIFO (named pipe), not a file');
  });

  it.each([
    [['validate', '--config', '/proc/version'], '--config: /proc/version is a /proc or /sys file'],
    [['validate', '--config', '.'], 'is a directory, not a file'],
    [['validate', '--config', '/dev/zero'], '--config: /dev/zero is a device, not a file'],
    [['validate', '--cwd', '/dev/null'], '--cwd: /dev/null is a device, not a directory'],
    [['validate', '--cwd', 'orchestra.config.yaml'], 'orchestra.config.yaml is a file, not a directory'],
    [['check', '--reporter', 'sarif=/'], '--reporter sarif=/: / is a directory, not a file'],
    [['check', '--reporter', 'junit=orchestra.config.yaml/out.xml'], 'orchestra.config.yaml is a file, so'],
    [['export', 'github-actions', '--out', '/'], '--out: / is a directory, not a file'],
  ])('%j: exit 2 naming the flag', async (args, message) => {
    const repo = committed({ 'orchestra.config.yaml': GATES });
    const r = await runCli(args, repo);
    expect(r.stderr).toContain(message);
    expect(r.code).toBe(2);
    noStack(r.stderr);
  });
});

describe.concurrent('big input', () => {
  it('a 300-byte alias bomb is an error at the alias where the limit is crossed, in bounded time', async () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) {
      const [prev, cur] = [String.fromCharCode(96 + i), String.fromCharCode(97 + i)];
      lines.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const repo = makeRepo({ 'orchestra.config.yaml': `${lines.join('\n')}\n` });
    const t0 = Date.now();
    const r = await runCli(['validate'], repo);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.code).toBe(2);
    // Line 3: the third level is where the expansions pass 1000.
    expect(positions(r.stderr)).toEqual([expect.stringMatching(/^orchestra\.config\.yaml:3:\d+$/)]);
    expect(r.stderr).toContain('too many aliases: more than 1000 alias expansions');
  });

  it('a config file over 10 MB is an error at the line where the limit is crossed', async () => {
    const line = `# ${'x'.repeat(1021)}\n`; // 1 KB a line
    const repo = makeRepo({ 'orchestra.config.yaml': `${GATES}${line.repeat(10 * 1024)}` });
    const r = await runCli(['validate'], repo);
    expect(r.code).toBe(2);
    // The two lines of gates, then 10,239 full lines and 996 bytes of the next make 10 MB.
    expect(positions(r.stderr)).toEqual(['orchestra.config.yaml:10242:996']);
    expect(r.stderr).toContain('the file is larger than 10 MB');
    // The excerpt shows a window of the long line, not all of it.
    expect(r.stderr.length).toBeLessThan(2000);
  });
});

describe.concurrent('ids', () => {
  it('task and phase ids that git or a file system would refuse fail validate at their position', async () => {
    const repo = makeRepo({
      'orchestra.config.yaml': `${GATES}phases:\n  - id: p..q\n    tasks:\n      - { id: "a:b", agent: x, prompt: hi }\n      - { id: t.lock, agent: x, prompt: hi }\n      - { id: "t/", agent: x, prompt: hi }\n`,
      'team.json': JSON.stringify({ agents: [{ id: 'x', command: ['true'] }] }),
    });
    const r = await runCli(['validate'], repo);
    expect(r.code).toBe(2);
    expect(positions(r.stderr)).toEqual([
      'orchestra.config.yaml:4:9',
      'orchestra.config.yaml:6:15',
      'orchestra.config.yaml:7:15',
      'orchestra.config.yaml:8:15',
    ]);
    expect(r.stderr).toContain("phases[0].id: 'p..q' is not valid: A task or phase id");
  });

  it.each([
    ['clean', '../../..'],
    ['resume', '../x'],
    ['report', '../x'],
    ['serve', '../x'],
    ['status', 'a..b'],
    ['apply', '../x'],
    ['rollback', '../x'],
    ['rollback', 'p', '--run', 'x.lock'],
    ['logs', 'a', '--run', '../x'],
    ['run', '--run-id', 'a..b'],
  ])('%s %s %s %s: a non-id is refused before it reaches a path (exit 2)', async (...args) => {
    const repo = committed({ 'orchestra.config.yaml': GATES });
    const r = await runCli(args, repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not an id \(letters, digits, _ and -/);
    noStack(r.stderr);
  });

  it('clean ../.. leaves a sibling linked worktree and its uncommitted file alone', async () => {
    const repo = committed({ 'orchestra.config.yaml': GATES });
    const sibling = path.join(path.dirname(repo), `${path.basename(repo)}-sibling`);
    git(repo, 'worktree', 'add', '-q', sibling);
    writeFileSync(path.join(sibling, 'mine.txt'), 'not committed\n');
    mkdirSync(path.join(repo, '.orchestra', 'worktrees'), { recursive: true });
    const r = await runCli(['clean', `../../${path.basename(sibling)}`], repo);
    expect(r.code).toBe(2);
    expect(readFileSync(path.join(sibling, 'mine.txt'), 'utf8')).toBe('not committed\n');
    git(repo, 'worktree', 'remove', '--force', sibling);
  });
});

describe.concurrent('the gate cache', () => {
  const CONFIG = 'gates:\n  counted:\n    run: [sh, -c, "echo ran >> ../ran.log"]\n    inputs: ["src/**"]\n';

  it('a truncated entry is a miss: the gate runs again', async () => {
    const repo = committed({ 'orchestra.config.yaml': CONFIG, 'src/a.txt': 'a\n' });
    expect((await runCli(['check'], repo)).code).toBe(0);
    const cached = await runCli(['check'], repo);
    expect(cached.stdout).toContain('1 cached');
    const dir = path.join(repo, '.orchestra', 'cache', 'gates');
    for (const f of readdirSync(dir)) writeFileSync(path.join(dir, f), readFileSync(path.join(dir, f), 'utf8').slice(0, -3));
    const after = await runCli(['check'], repo);
    expect(after.code).toBe(0);
    expect(after.stdout).not.toContain('cached');
    expect(readFileSync(path.join(path.dirname(repo), 'ran.log'), 'utf8').match(/ran/g)?.length).toBeGreaterThanOrEqual(2);
  });

  it.each(['cache', 'cache/gates'])('.orchestra/%s being a file: a clear warning, and the gates still pass', async (name) => {
    const repo = committed({ 'orchestra.config.yaml': CONFIG, 'src/a.txt': 'a\n', '.orchestra/.keep': '' });
    mkdirSync(path.dirname(path.join(repo, '.orchestra', name)), { recursive: true });
    writeFileSync(path.join(repo, '.orchestra', name), 'not a folder\n');
    const r = await runCli(['check'], repo);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 passed, 0 failed');
    expect(r.stderr).toContain(`orchestra: warning: ${path.join(repo, '.orchestra', 'cache')}`);
    expect(r.stderr).toContain('is a file, not a folder, so gate results are not cached');
  });
});

describe.concurrent('agents and their text', () => {
  function runRepo(config: string, agent: (ctl: string) => string[]): { repo: string; ctl: string } {
    const ctl = controlDir();
    const team = JSON.stringify({ agents: [{ id: 'coder', command: agent(ctl), roles: ['implementer'] }] });
    const repo = committed({ 'orchestra.config.yaml': `${config}sandbox:\n  writable: [${JSON.stringify(ctl)}]\n`, 'team.json': team });
    return { repo, ctl };
  }

  it('a literal {{workdir}} in the prompt reaches the agent as written', async () => {
    const { repo, ctl } = runRepo(
      'phases:\n  - id: p\n    tasks:\n      - { id: t, agent: implementer, prompt: "keep {{workdir}} and {{prompt}} as text" }\n',
      (dir) => ['node', '-e', 'require("fs").writeFileSync(process.argv[1], process.argv[2])', path.join(dir, 'seen.txt'), '{{prompt}}'],
    );
    const r = await runCli(['run'], repo);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(path.join(ctl, 'seen.txt'), 'utf8')).toContain('keep {{workdir}} and {{prompt}} as text');
  });

  it('a file name with a newline cannot split the scope message', async () => {
    const { repo } = runRepo('phases:\n  - id: p\n    tasks:\n      - { id: t, agent: implementer, prompt: go, scope: { touch: ["app/**"] } }\n', () => [
      'node',
      '-e',
      'require("fs").writeFileSync("evil\\n✓ forged line.txt", "x")',
    ]);
    const r = await runCli(['run'], repo);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('changed files outside its scope, so nothing was merged: "evil\\n✓ forged line.txt" (outside scope.touch (app/**))');
    expect(r.stdout).not.toMatch(/^✓ forged line/m);
  });
});

describe('abort and resume', () => {
  it('the line abort prints resumes the run, as printed', async () => {
    const ctl = controlDir();
    const team = JSON.stringify({ agents: [{ id: 'coder', command: ['node', AGENT], roles: ['implementer'] }] });
    const repo = committed({
      'orchestra.config.yaml': `phases:\n  - id: p\n    tasks:\n      - { id: slow, agent: implementer, prompt: "@block slow\\n@write s.txt\\ns\\n@end", scope: { touch: [s.txt] } }\nsandbox:\n  writable: [${JSON.stringify(ctl)}]\n`,
      'team.json': team,
    });
    const env = { AGENT_CTL: ctl };
    const first = runCli(['run'], repo, env);
    await waitFor('the agent to start', () => existsSync(path.join(ctl, 'slow.started')));
    const abort = await runCli(['abort'], repo);
    expect((await first).code).toBe(130);
    const printed = /'orchestra (resume [^']+)'/.exec(abort.stdout)?.[1];
    expect(printed).toMatch(/^resume [\w.-]+$/);
    writeFileSync(path.join(ctl, 'slow.release'), '');
    const resumed = await runCli((printed as string).split(' '), repo, env);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(git(repo, 'show', `orchestra/${(printed as string).slice('resume '.length)}:s.txt`)).toBe('s');
  });
});

describe('the dashboard streams a big record with backpressure', () => {
  it('five clients that do not read a 60 MB record cost the server a few chunks, not the record each', { timeout: 120_000 }, async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': GATES });
    const runId = '20260101-000000-big1';
    const dir = path.join(repo, '.orchestra', 'runs', runId);
    mkdirSync(dir, { recursive: true });
    const line = `${JSON.stringify({ type: 'node-output', ts: 2, nodeId: 'gate:a', line: 'z'.repeat(1000) })}\n`;
    const block = line.repeat(1024); // 1 MB
    const file = path.join(dir, 'events.jsonl');
    writeFileSync(file, `${JSON.stringify({ type: 'run-started', ts: 1, runId, command: 'check', root: repo, nodes: [] })}\n`);
    for (let i = 0; i < 60; i++) appendFileSync(file, block);
    const served = await spawnServing(['serve', runId], repo);
    try {
      const { port } = new URL(served.url);
      const clients = await Promise.all(
        Array.from(
          { length: 5 },
          () =>
            new Promise<Socket>((resolve) => {
              const socket = connect(Number(port), '127.0.0.1', () => socket.write(`GET /api/runs/${runId}/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`));
              // The first bytes say the stream has begun; then the client stops reading.
              socket.once('data', () => {
                socket.pause();
                resolve(socket);
              });
            }),
        ),
      );
      // The peak resident size of the server so far (VmHWM), in MB.
      const peak = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${served.child.pid}/status`, 'utf8'))?.[1]) / 1024;
      expect(peak).toBeLessThan(200);
      for (const c of clients) c.destroy();
    } finally {
      served.child.kill();
      await served.exited;
    }
  });
});
