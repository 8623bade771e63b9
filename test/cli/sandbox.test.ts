import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprint, git, hostile } from '../helpers/hostile.js';
import { runCli, sandboxWorks, type CliResult } from '../helpers/repo.js';

// Issue 15's attacks, each a one-line agent, inside the sandbox (sandbox: required): the write is refused by the
// OS, the run exits 1 saying what was refused, nothing of it is merged, and the user's repository is byte for byte
// what it was. Rows 6, 8 and 13 do not need the sandbox and are in hostile.test.ts; here they run sandboxed too.
//
// The repositories live outside /tmp: the sandbox's /tmp is private, so a repository under /tmp would be out of the
// agent's sight altogether, which would prove less. .ci/run installs bubblewrap; with CI set a missing one fails.

const needed = !sandboxWorks() && !process.env['CI'];
const base = mkdtempSync(path.join(existsSync('/var/tmp') ? '/var/tmp' : homedir(), 'orchestra-sandbox-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

function attack(script: string, extra = ''): { repo: string; before: string } {
  expect(sandboxWorks(), 'CI is set and bubblewrap cannot run: .ci/run should have installed it').toBe(true);
  const repo = hostile(script, `sandbox: required\n${extra}`, base);
  return { repo, before: fingerprint(repo) };
}

const branchOf = (r: CliResult) => /branch (orchestra\/[\w-]+)/.exec(r.stdout)?.[1] as string;

/** Refused, named, not merged, and the user's repository untouched. */
function expectRefused(r: CliResult, repo: string, before: string, what: RegExp): void {
  expect(r.code, r.stdout + r.stderr).toBe(1);
  expect(r.stdout).toMatch(/p\/t1: the sandbox refused a write: /);
  expect(r.stdout).toMatch(what);
  expect(git(repo, 'log', '--format=%s', branchOf(r))).not.toContain('merge t1');
  expect(fingerprint(repo)).toBe(before);
  expect(readFileSync(path.join(repo, 'README.md'), 'utf8')).toBe('readme\n');
}

/** The processes whose command line holds `marker`. */
function processesWith(marker: string): string[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    });
}

/** The hostile repo's phase given a gate (declared in its config already), committed. */
function phaseGate(repo: string, gate: string): void {
  const file = path.join(repo, 'orchestra.config.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('scope: { touch: ["src/**"] } }', `scope: { touch: ["src/**"] } }\n    gates: [${gate}]`));
  git(repo, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qam', 'the gate');
}

describe.skipIf(needed).concurrent('sandboxed agents (bubblewrap)', () => {
  it('1: committing in the integration worktree is refused', async () => {
    const { repo, before } = attack('cd ../_integration && echo evil > README.md && git commit -qam x');
    const r = await runCli(['run'], repo);
    expectRefused(r, repo, before, /README\.md: Read-only file system/);
    expect(git(repo, 'show', `${branchOf(r)}:README.md`)).toBe('readme');
  });

  it("2, 3: hooks and config in the repository's .git cannot be written", async () => {
    const { repo, before } = attack(
      'printf "#!/bin/sh\\necho evil > README.md\\n" > $(git rev-parse --git-common-dir)/hooks/post-merge; ' +
        'git config --file $(git rev-parse --git-common-dir)/config core.fsmonitor "touch /var/tmp/x"',
    );
    const r = await runCli(['run'], repo);
    expectRefused(r, repo, before, /hooks\/post-merge: Read-only file system/);
    expect(r.stdout).toMatch(/config.*Read-only file system/);
    expect(existsSync(path.join(repo, '.git', 'hooks', 'post-merge'))).toBe(false);
  });

  it("4: moving the user's branch is refused; the agent's commit objects stay in its own scratch", async () => {
    const { repo, before } = attack('git update-ref refs/heads/main $(git commit-tree HEAD^{tree} -p HEAD -m sneaky)');
    const r = await runCli(['run'], repo);
    expectRefused(r, repo, before, /refs\/heads\/main/);
    expect(git(repo, 'log', '--all', '--format=%s')).not.toContain('sneaky');
  });

  it("5: writing the user's working tree is refused, and fails the task even when the agent shrugs it off", async () => {
    const { repo, before } = attack('echo pwned >> ../../../../README.md; exit 0');
    const r = await runCli(['run'], repo);
    expectRefused(r, repo, before, /README\.md: Read-only file system/);
    expect(r.stdout).toContain(`tried to write your repository outside its worktree (the sandbox refused it): ${path.join(repo, 'README.md')}`);
  });

  it('6: a file outside the repository written through an in-scope symbolic link is refused', async () => {
    const outside = path.join(base, `outside-${Math.random().toString(36).slice(2)}.txt`);
    writeFileSync(outside, 'mine\n');
    const { repo, before } = attack(`ln -s ${outside} src/notes.txt && echo pwned >> src/notes.txt`);
    const r = await runCli(['run'], repo);
    expectRefused(r, repo, before, /notes\.txt: Read-only file system/);
    expect(readFileSync(outside, 'utf8')).toBe('mine\n');
  });

  it('7: a process the agent detaches (setsid) does not outlive it', async () => {
    const marker = `orchestra-row7-${Math.random().toString(36).slice(2)}`;
    const { repo, before } = attack(`setsid sh -c 'while :; do echo ${marker} >> src/tick.txt; done' & sleep 0.3`);
    const r = await runCli(['run'], repo);
    // Nothing was refused: its ticks are in scope, and what the worktree held when the agent ended is what was merged.
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(git(repo, 'show', `${branchOf(r)}:src/tick.txt`)).toContain(marker);
    expect(processesWith(marker)).toEqual([]);
    expect(fingerprint(repo)).toBe(before);
  });

  it("a run's gate is in a PID namespace of its own: what it detaches (setsid) ends with it, and the gate still sees the repository", async () => {
    const marker = `orchestra-gate-escapee-${Math.random().toString(36).slice(2)}`;
    // The gate waits until its escapee has left the process group (it wrote its file from its own session): orchestra
    // ends a gate's group when the gate exits, so an escapee that is too slow would die with the group anyway.
    const escaped = path.join(base, `${marker}.escaped`);
    const gate = `gates:\n  leaves-one-behind:\n    run: "test -f src/a.js && (setsid sh -c 'ps -o sid= -p $$ > ${escaped}; while :; do sleep 1; done; echo ${marker}' >/dev/null 2>&1 &) && while [ ! -s ${escaped} ]; do sleep 0.05; done"\n`;
    const { repo } = attack('true', `${gate}`);
    phaseGate(repo, 'leaves-one-behind');
    const r = await runCli(['run'], repo);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('p/leaves-one-behind');
    expect(processesWith(marker)).toEqual([]);
  });

  it('a contained gate whose program is missing still says so, as it would outside', async () => {
    const { repo } = attack('true', 'gates:\n  lint:\n    run: [no-such-program-xyz]\n');
    phaseGate(repo, 'lint');
    const r = await runCli(['run'], repo);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("'no-such-program-xyz' is not installed or not on PATH");
  });

  it(".orchestra/ is orchestra's (9, 10, 11): the lock, patterns, the fix prompt and the caches cannot be written", async () => {
    const { repo, before } = attack(
      'S=../../..; rm -f $S/run.lock; echo \'{"pid": -1}\' > $S/run.lock; echo forged >> $S/patterns.jsonl; mkdir -p $S/prompts; ' +
        'echo evil > $S/prompts/fix.md; for f in $S/cache/parse/*.json; do echo forged > $f; done; exit 0',
    );
    const state = path.join(repo, '.orchestra');
    const parseCache = (): string[] => {
      const dir = path.join(state, 'cache', 'parse');
      return existsSync(dir) ? readdirSync(dir).map((f) => readFileSync(path.join(dir, f), 'utf8')) : [];
    };
    // One run first, so that a parse cache exists to forge.
    expect((await runCli(['validate'], repo)).code).toBe(0);
    const cached = parseCache();
    const r = await runCli(['run'], repo);
    expect(r.stdout).toMatch(/the sandbox refused a write: .*run\.lock: Read-only file system/);
    // The agent shrugged the errors off (exit 0); orchestra does not: an aim at your repository fails the task.
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/tried to write your repository outside its worktree \(the sandbox refused it\): .*\.orchestra\/run\.lock/);
    expect(git(repo, 'log', '--format=%s', branchOf(r))).not.toContain('merge t1');
    expect(existsSync(path.join(state, 'patterns.jsonl'))).toBe(false);
    expect(existsSync(path.join(state, 'prompts', 'fix.md'))).toBe(false);
    expect(parseCache()).toEqual(cached);
    expect(fingerprint(repo)).toBe(before);
  });

  it('12: moving the integration branch is refused', async () => {
    const { repo, before } = attack('git update-ref refs/heads/orchestra/$ORCHESTRA_RUN_ID $(git commit-tree HEAD^{tree} -p HEAD -m sneaky)');
    const r = await runCli(['run'], repo);
    expectRefused(r, repo, before, /refs\/heads\/orchestra\//);
    expect(git(repo, 'log', '--format=%s', branchOf(r))).not.toContain('sneaky');
  });

  // Found by attacking the sandbox (each was a real break before its fix).
  it("replacing its worktree's .git (to point orchestra's own git at the user's repository) is refused", async () => {
    const { repo, before } = attack('echo "gitdir: $(git rev-parse --path-format=absolute --git-common-dir)" > .git; echo evil > README.md');
    const r = await runCli(['run'], repo);
    expectRefused(r, repo, before, /\.git: (Read-only file system|Device or resource busy)|the sandbox refused a write/);
    expect(git(repo, 'show', `${branchOf(r)}:README.md`)).toBe('readme');
  });

  it('run as root, a remount cannot undo read-only (the agent keeps no capability)', async () => {
    const { repo, before } = attack('mount -o remount,rw,bind / ; echo pwned >> ../../../../README.md');
    const r = await runCli(['run'], repo);
    expectRefused(r, repo, before, /README\.md: Read-only file system/);
  });

  it('an adapter agent cannot plant settings its CLI obeys next time: existing ones are read-only, new ones are removed after it', async () => {
    const home = mkdtempSync(path.join(base, 'home-'));
    mkdirSync(path.join(home, '.claude'));
    writeFileSync(path.join(home, '.claude', 'settings.json'), '{}\n');
    const cli = path.join(home, 'fake-claude');
    writeFileSync(
      cli,
      '#!/bin/sh\necho ok >> src/a.js\necho \'{"hooks":{"SessionStart":[]}}\' > $HOME/.claude/settings.json\n' +
        'mkdir -p $HOME/.claude/hooks && echo evil > $HOME/.claude/hooks/x\n' +
        'echo \'{"type":"result","subtype":"success","is_error":false,"result":"done","usage":{}}\'\n',
      { mode: 0o755 },
    );
    const repo = hostile('true', 'sandbox: required\n', base);
    writeFileSync(
      path.join(repo, 'team.json'),
      JSON.stringify({ agents: [{ id: 'bad', use: 'claude-code', bin: cli, roles: ['fix-executor'], env: { HOME: home } }] }),
    );
    git(repo, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qam', 'claude');
    const r = await runCli(['run', '--no-preflight'], repo);
    expect(r.stdout).toMatch(/the sandbox refused a write: .*settings\.json: Read-only file system/);
    expect(r.stdout).toContain(`removed ${path.join(home, '.claude', 'hooks')}: the agent made it among its CLI's own settings`);
    expect(readFileSync(path.join(home, '.claude', 'settings.json'), 'utf8')).toBe('{}\n');
    expect(existsSync(path.join(home, '.claude', 'hooks'))).toBe(false);
  });

  it('13: an agent may still commit on its own branch inside the sandbox, and its work is merged', async () => {
    const { repo, before } = attack('git add -A && git -c user.email=a@a -c user.name=a commit -qm mine && git log -1 --format=%s');
    const r = await runCli(['run'], repo);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).not.toContain('the agent changed nothing');
    expect(git(repo, 'show', `${branchOf(r)}:src/a.js`)).toBe('a\nok');
    expect(fingerprint(repo)).toBe(before);
  });
});

describe('where bubblewrap cannot run', () => {
  const noBwrap = { ORCHESTRA_BWRAP: '/nonexistent/bwrap' };

  it('sandbox: required refuses to start (exit 2), saying why and how to fix it; nothing is made', async () => {
    const repo = hostile('true', 'sandbox: required\n');
    const r = await runCli(['run', '--no-preflight'], repo, noBwrap);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /orchestra\.config\.yaml:\d+:1: (error: )?sandbox: required, but agents cannot be sandboxed here: bubblewrap is not installed \(no \/nonexistent\/bwrap\)/,
    );
    expect(r.stderr).toContain('to fix: install it: apt-get install bubblewrap');
    expect(existsSync(path.join(repo, '.orchestra', 'runs'))).toBe(false);
    expect(git(repo, 'branch', '--list', 'orchestra/*')).toBe('');
  });

  it('sandbox: auto (the default) says once that agents run unconfined, and runs', async () => {
    const repo = hostile('true');
    const r = await runCli(['run', '--no-preflight'], repo, noBwrap);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr.match(/warning: agents run without a sandbox: bubblewrap is not installed/g)).toHaveLength(1);
    expect(r.stderr).toContain('(sandbox: off in the config says this is intended)');
    const off = await runCli(['run', '--no-preflight'], hostile('true', 'sandbox: off\n'), noBwrap);
    expect(off.code).toBe(0);
    expect(off.stderr).not.toContain('without a sandbox');
  });
});
