import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unwrapExit } from '../../src/exec/process-runner.js';
import { explainFailure } from '../../src/sandbox/availability.js';
import { bwrapArgs } from '../../src/sandbox/bwrap-args.js';
import { decideSandbox } from '../../src/sandbox/decide.js';
import { linkedGitDirs, prepareGitView } from '../../src/sandbox/git-view.js';
import { intrusions, refusedWrites } from '../../src/sandbox/refusals.js';
import { BwrapSandbox } from '../../src/sandbox/sandbox.js';
import { cliState } from '../../src/sandbox/state-dirs.js';

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
const temp = (under = tmpdir()): string => {
  const d = mkdtempSync(path.join(under, 'orchestra-sbx-unit-'));
  made.push(d);
  return d;
};
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

/** A repository with one commit and a linked worktree on a namespaced branch, as a run makes them. */
function repoWithWorktree(under?: string): { repo: string; worktree: string } {
  const repo = temp(under);
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(path.join(repo, 'a.txt'), 'a\n');
  git(repo, 'add', '-A');
  git(repo, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'start');
  const worktree = path.join(repo, '.orchestra', 'worktrees', 'r1', 't1');
  git(repo, 'worktree', 'add', '-q', '-b', 'orchestra-task/r1/t1', worktree);
  return { repo, worktree };
}

describe('bwrapArgs', () => {
  it('puts the read-only root first, the mounts in order, the worktree, what stays read-only in it, then the command after --', () => {
    const args = bwrapArgs(
      {
        workdir: '/w',
        mounts: [
          { kind: 'ro', src: '/a', dest: '/a' },
          { kind: 'rw', src: '/s', dest: '/g' },
          { kind: 'tmpfs', dest: '/tmp/x' },
        ],
        within: [{ kind: 'ro', src: '/w/.git', dest: '/w/.git' }],
        unset: ['SSH_AUTH_SOCK'],
        env: { TMPDIR: '/tmp' },
        asNobody: false,
      },
      ['claude', '-p', '--', 'x'],
    );
    const s = args.join(' ');
    expect(s).toMatch(/^--die-with-parent --unshare-pid --unshare-ipc --cap-drop ALL --ro-bind \/ \/ --dev \/dev --proc \/proc --tmpfs \/tmp /);
    expect(s).toContain(
      '--ro-bind /a /a --bind /s /g --tmpfs /tmp/x --bind /w /w --ro-bind /w/.git /w/.git --unsetenv SSH_AUTH_SOCK --setenv TMPDIR /tmp --chdir /w -- claude -p -- x',
    );
    expect(args.indexOf('--')).toBe(args.length - 5);
    const root = bwrapArgs({ workdir: '/w', mounts: [], within: [], unset: [], env: {}, asNobody: true }, ['x']).join(' ');
    expect(root).toMatch(/^--die-with-parent --unshare-pid --unshare-ipc --unshare-user --uid 65534 --gid 65534 --cap-drop ALL /);
  });
});

describe('cliState', () => {
  it("names each CLI's own state folder from the agent's environment, and guards what the CLI obeys next time", () => {
    expect(cliState('claude-code', { HOME: '/h' })).toMatchObject({
      writable: [{ path: '/h/.claude', kind: 'dir' }],
      copied: ['/h/.claude.json'],
    });
    expect(cliState('claude-code', { HOME: '/h' }).guarded).toEqual(
      expect.arrayContaining(['/h/.claude/settings.json', '/h/.claude/hooks', '/h/.claude/CLAUDE.md']),
    );
    expect(cliState('claude-code', { HOME: '/h', CLAUDE_CONFIG_DIR: '/c' })).toMatchObject({
      writable: [{ path: '/c', kind: 'dir' }],
      copied: ['/c/.claude.json'],
    });
    expect(cliState('codex', { HOME: '/h', CODEX_HOME: '/x' })).toMatchObject({ writable: [{ path: '/x', kind: 'dir' }] });
    expect(cliState('codex', { HOME: '/h' }).guarded).toContain('/h/.codex/config.toml');
    expect(cliState('gemini', { HOME: '/h' })).toMatchObject({ writable: [{ path: '/h/.gemini', kind: 'dir' }] });
    expect(cliState('gemini', { HOME: '/h' }).guarded).toContain('/h/.gemini/settings.json');
    // A plain command agent gets nothing beyond its worktree; no HOME, nothing.
    expect(cliState(undefined, { HOME: '/h' })).toEqual({ writable: [], guarded: [], copied: [] });
    expect(cliState('gemini', {})).toEqual({ writable: [], guarded: [], copied: [] });
  });
});

describe('decideSandbox', () => {
  const ok = { ok: true as const, bin: '/usr/bin/bwrap' };
  const missing = { ok: false as const, reason: 'bubblewrap is not installed', fix: 'apt-get install bubblewrap' };
  it('uses it where it works, warns or refuses where it does not, and never tries with off', () => {
    expect(decideSandbox({ mode: 'auto', writable: [] }, ok)).toEqual({ kind: 'use', bin: '/usr/bin/bwrap' });
    expect(decideSandbox({ mode: 'required', writable: [] }, ok)).toEqual({ kind: 'use', bin: '/usr/bin/bwrap' });
    expect(decideSandbox({ mode: 'off', writable: [] }, ok)).toEqual({ kind: 'off' });
    const warn = decideSandbox({ mode: 'auto', writable: [] }, missing);
    expect(warn).toEqual({ kind: 'warn', message: expect.stringContaining('bubblewrap is not installed; to fix: apt-get install bubblewrap') });
    expect(decideSandbox({ mode: 'required', writable: [] }, missing)).toEqual({
      kind: 'refuse',
      message: expect.stringMatching(/^sandbox: required, but agents cannot be sandboxed here: bubblewrap is not installed/),
    });
  });
});

describe('explainFailure', () => {
  it('tells a missing bwrap, disabled user namespaces, and anything else apart', () => {
    expect(explainFailure('bwrap', 'ENOENT', '').reason).toBe("bubblewrap is not installed (no 'bwrap' on PATH)");
    const userns = explainFailure('bwrap', 1, 'bwrap: setting up uid map: Permission denied\n');
    expect(userns.reason).toContain('cannot create a user namespace here (bwrap: setting up uid map: Permission denied)');
    expect(userns.fix).toContain('kernel.apparmor_restrict_unprivileged_userns=0');
    expect(explainFailure('bwrap', 1, "bwrap: Can't mount proc on /newroot/proc: Device busy\n").reason).toBe(
      "bubblewrap failed to start a sandbox (bwrap: Can't mount proc on /newroot/proc: Device busy)",
    );
  });
});

describe('refusedWrites', () => {
  it('finds the refused writes in plain and JSON output, once each, at most `max`', () => {
    const out = [
      'sh: 1: cannot create ../../README.md: Read-only file system',
      '{"type":"tool_result","content":"ok\\nrm: cannot remove \'/r/.git/hooks/x\': Read-only file system\\n"}',
      'sh: 1: cannot create ../../README.md: Read-only file system',
      'all fine',
      "touch: cannot touch 'b': Read-only file system",
    ].join('\n');
    expect(refusedWrites(out, 5)).toEqual([
      'sh: 1: cannot create ../../README.md: Read-only file system',
      "rm: cannot remove '/r/.git/hooks/x': Read-only file system",
      "touch: cannot touch 'b': Read-only file system",
    ]);
    expect(refusedWrites(out, 1)).toHaveLength(1);
    expect(refusedWrites('nothing here', 3)).toEqual([]);
  });
});

describe('unwrapExit', () => {
  it("reads bubblewrap's 128+n as the signal n, and leaves other exits alone", () => {
    expect(unwrapExit(137, null)).toEqual({ exitCode: null, signal: 'SIGKILL' });
    expect(unwrapExit(143, null)).toEqual({ exitCode: null, signal: 'SIGTERM' });
    expect(unwrapExit(3, null)).toEqual({ exitCode: 3, signal: null });
    expect(unwrapExit(null, 'SIGINT')).toEqual({ exitCode: null, signal: 'SIGINT' });
  });
});

describe('prepareGitView', () => {
  it("gives the worktree private copies of its git folder, objects and branch folder, over the repository's read-only .git", () => {
    const { repo, worktree } = repoWithWorktree();
    const scratch = path.join(temp(), 'scratch');
    const dirs = linkedGitDirs(worktree);
    expect(dirs).toEqual({ own: path.join(repo, '.git', 'worktrees', 't1'), common: path.join(repo, '.git'), branchRef: 'refs/heads/orchestra-task/r1/t1' });
    const { mounts } = prepareGitView(worktree, scratch);
    expect(mounts).toEqual([
      { kind: 'ro', src: path.join(repo, '.git'), dest: path.join(repo, '.git') },
      { kind: 'rw', src: path.join(scratch, 'gitdir'), dest: path.join(repo, '.git', 'worktrees', 't1') },
      { kind: 'ro', src: path.join(repo, '.git', 'objects'), dest: path.join(scratch, 'shared-objects') },
      { kind: 'rw', src: path.join(scratch, 'objects'), dest: path.join(repo, '.git', 'objects') },
      { kind: 'rw', src: path.join(scratch, 'refs'), dest: path.join(repo, '.git', 'refs', 'heads', 'orchestra-task', 'r1') },
      { kind: 'rw', src: path.join(scratch, 'logs'), dest: path.join(repo, '.git', 'logs', 'refs', 'heads', 'orchestra-task', 'r1') },
    ]);
    expect(readFileSync(path.join(scratch, 'objects', 'info', 'alternates'), 'utf8')).toBe(`${path.join(scratch, 'shared-objects')}\n`);
    expect(readFileSync(path.join(scratch, 'refs', 't1'), 'utf8').trim()).toBe(git(repo, 'rev-parse', 'main'));
    expect(readFileSync(path.join(scratch, 'gitdir', 'HEAD'), 'utf8')).toBe('ref: refs/heads/orchestra-task/r1/t1\n');
    // Made anew each time: a killed run's leftovers do not stop the next attempt.
    writeFileSync(path.join(scratch, 'left-over'), '');
    prepareGitView(worktree, scratch);
    expect(existsSync(path.join(scratch, 'left-over'))).toBe(false);
  });

  it("leaves out the lock files other tasks' git commands hold in the branch folder while they move their refs", () => {
    const { repo, worktree } = repoWithWorktree();
    const scratch = path.join(temp(), 'scratch');
    // A sibling task's ref being moved at this moment (CI saw the copy fail on one that vanished mid-copy).
    writeFileSync(path.join(repo, '.git', 'refs', 'heads', 'orchestra-task', 'r1', 'orders.lock'), 'x');
    writeFileSync(path.join(repo, '.git', 'worktrees', 't1', 'index.lock'), '');
    prepareGitView(worktree, scratch);
    expect(existsSync(path.join(scratch, 'refs', 't1'))).toBe(true);
    expect(existsSync(path.join(scratch, 'refs', 'orders.lock'))).toBe(false);
    expect(existsSync(path.join(scratch, 'gitdir', 'index.lock'))).toBe(false);
  });

  it('gives a folder that is not a linked worktree nothing', () => {
    const plain = temp();
    expect(prepareGitView(plain, path.join(plain, 's')).mounts).toEqual([]);
  });
});

describe('BwrapSandbox.wrap', () => {
  it('mounts a CLI found on PATH under /tmp, makes a TMPDIR under /tmp fresh and moves one elsewhere to /tmp', () => {
    const { worktree } = repoWithWorktree();
    const bin = temp();
    writeFileSync(path.join(bin, 'my-agent'), '#!/bin/sh\n', { mode: 0o755 });
    const home = temp();
    const sandbox = new BwrapSandbox('/usr/bin/bwrap', ['/var/cache/shared'], { PATH: `/nowhere:${bin}` });
    const scratch = path.join(temp(), 's');
    const a = sandbox.wrap({
      argv: ['my-agent', 'go'],
      workdir: worktree,
      env: { HOME: home, TMPDIR: '/tmp/agent-tmp' },
      adapter: 'gemini',
      readable: [],
      scratch,
    });
    const s = a.argv.join(' ');
    expect(a.argv[0]).toBe('/usr/bin/bwrap');
    expect(s).toContain(`--ro-bind ${bin} ${bin}`);
    expect(s).toContain(`--bind ${home}/.gemini ${home}/.gemini`);
    expect(existsSync(path.join(home, '.gemini'))).toBe(true);
    expect(s).toContain('--tmpfs /tmp/agent-tmp');
    expect(s).not.toContain('--setenv TMPDIR');
    // A writable folder that does not exist is left out rather than failing the start.
    expect(s).not.toContain('/var/cache/shared');
    expect(s.endsWith(`--chdir ${worktree} -- my-agent go`)).toBe(true);
    a.dispose();
    expect(existsSync(scratch)).toBe(false);

    const elsewhere = sandbox.wrap({ argv: ['x'], workdir: worktree, env: { TMPDIR: '/var/tmp' }, readable: [], scratch });
    expect(elsewhere.argv.join(' ')).toContain('--setenv TMPDIR /tmp');
    elsewhere.dispose();
  });

  it('makes visible under the private /tmp the scripts a command line names (with their folder) and where a linked CLI leads', () => {
    const { worktree } = repoWithWorktree();
    const scripts = temp();
    writeFileSync(path.join(scripts, 'agent.mjs'), '');
    const bin = temp();
    symlinkSync(path.join(scripts, 'agent.mjs'), path.join(bin, 'my-cli'));
    const a = new BwrapSandbox('bwrap', [], { PATH: bin }).wrap({
      argv: ['my-cli', path.join(scripts, 'agent.mjs'), '--flag', '/tmp'],
      workdir: worktree,
      env: {},
      readable: [],
      scratch: path.join(temp(), 's'),
    });
    const s = a.argv.join(' ');
    expect(s).toContain(`--ro-bind ${bin} ${bin}`);
    expect(s).toContain(`--ro-bind ${scripts} ${scripts}`);
    // /tmp itself is never mounted over the private one.
    expect(s).not.toContain('--ro-bind /tmp /tmp');
    a.dispose();
  });

  it("guards a CLI's settings: read-only where they exist, removed after the agent where it made them; .claude.json a private copy", () => {
    const { worktree } = repoWithWorktree();
    const home = temp();
    mkdirSync(path.join(home, '.claude'));
    writeFileSync(path.join(home, '.claude', 'settings.json'), '{}');
    writeFileSync(path.join(home, '.claude.json'), '{"numStartups":1}');
    const scratch = path.join(temp(), 's');
    const a = new BwrapSandbox('bwrap', [], {}).wrap({
      argv: ['claude'],
      workdir: worktree,
      env: { HOME: home },
      adapter: 'claude-code',
      readable: [],
      scratch,
    });
    const s = a.argv.join(' ');
    expect(s).toContain(`--bind ${home}/.claude ${home}/.claude --ro-bind ${home}/.claude/settings.json ${home}/.claude/settings.json`);
    expect(s).toContain(`--bind ${scratch}/state-0 ${home}/.claude.json`);
    expect(s).toContain(`--ro-bind ${worktree}/.git ${worktree}/.git`);
    // What the agent would have made: a hook folder that did not exist.
    mkdirSync(path.join(home, '.claude', 'hooks'));
    expect(a.dispose()).toEqual([path.join(home, '.claude', 'hooks')]);
    expect(existsSync(path.join(home, '.claude', 'hooks'))).toBe(false);
    expect(readFileSync(path.join(home, '.claude', 'settings.json'), 'utf8')).toBe('{}');
  });
});

describe('intrusions', () => {
  const wt = '/r/.orchestra/worktrees/run/t1';
  it("names refused writes aimed at the user's repository from outside the worktree, and only those", () => {
    const refused = [
      'sh: 1: cannot create ../../../../README.md: Read-only file system',
      "rm: cannot remove '../../../run.lock': Read-only file system",
      "fatal: Unable to create '/r/.git/worktrees/_integration/index.lock': Read-only file system",
      "touch: cannot touch '/home/me/.config/x': Read-only file system",
      'sh: 1: cannot create notes.txt: Read-only file system',
      "error: cannot lock ref 'refs/stash': Unable to create '/r/.git/refs/stash.lock': Read-only file system",
      "fatal: Unable to create '/r/.git/FETCH_HEAD': Read-only file system",
      `touch: cannot touch '${wt}/src/a.js': Read-only file system`,
    ];
    expect(intrusions(refused, wt, '/r')).toEqual(['/r/README.md', '/r/.orchestra/run.lock', '/r/.git/worktrees/_integration/index.lock']);
    expect(intrusions([], wt, '/r')).toEqual([]);
  });
});
