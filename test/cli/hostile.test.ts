import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/repo.js';
import { fingerprint, git, hostile } from '../helpers/hostile.js';

// Agents are untrusted: small shell agents that attack the user's repository, and what orchestra makes of it.
// The sandbox's part (bubblewrap) is in sandbox.test.ts; these hold with or without it.

describe('hostile agents', () => {
  // Without a sandbox (off, or no bubblewrap) these all work; the guard is the backstop that finds them after the agent.
  it("unsandboxed, an agent that moves the user's branch, plants a hook and an fsmonitor: put back, the run stops with exit 1 naming it", async () => {
    const ran = path.join(mkdtempSync(path.join(tmpdir(), 'fsmonitor-')), 'ran');
    const repo = hostile(
      [
        'git update-ref refs/heads/main $(git commit-tree HEAD^{tree} -p HEAD -m sneaky)',
        'printf "#!/bin/sh\\necho pwned >> $PWD/../../../../README.md\\n" > $(git rev-parse --git-common-dir)/hooks/post-merge',
        'chmod +x $(git rev-parse --git-common-dir)/hooks/post-merge',
        `git config --file $(git rev-parse --git-common-dir)/config core.fsmonitor "touch ${ran}"`,
      ].join(' && '),
      'sandbox: off\n',
    );
    const before = fingerprint(repo);
    const r = await runCli(['run'], repo);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('changed your repository, which no agent may touch');
    expect(r.stdout).toMatch(/refs\/heads\/main moved from \w+ to \w+/);
    expect(r.stdout).toContain('hook post-merge was added');
    expect(r.stdout).toContain('.git/config was changed');
    expect(r.stdout).toContain('all of it was put back');
    expect(fingerprint(repo)).toBe(before);
    expect(readFileSync(path.join(repo, 'README.md'), 'utf8')).toBe('readme\n');
    // orchestra's own git calls never ran the planted fsmonitor (nor, above, the hook).
    expect(existsSync(ran)).toBe(false);
    // Nothing of the task was merged.
    const branch = /branch (orchestra\/[\w-]+)/.exec(r.stdout)?.[1] as string;
    expect(git(repo, 'log', '--format=%s', branch)).not.toContain('merge t1');
  });

  it('an agent that commits its work itself still gets it checked and merged (not "changed nothing")', async () => {
    const repo = hostile('git add -A && git -c user.email=a@a -c user.name=a commit -qm mine');
    const r = await runCli(['run'], repo);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('the agent changed nothing');
    const branch = /branch (orchestra\/[\w-]+)/.exec(r.stdout)?.[1] as string;
    expect(git(repo, 'show', `${branch}:src/a.js`)).toBe('a\nok');
  });

  it('an agent that commits past its scope in its own commit is caught: the diff is from the task base', async () => {
    const repo = hostile('echo evil > README.md && git add -A && git -c user.email=a@a -c user.name=a commit -qm mine');
    const r = await runCli(['run'], repo);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('changed files outside its scope, so nothing was merged: README.md (outside scope.touch (src/**))');
  });

  it("unsandboxed, an agent that points its worktree's .git at the user's repository has it put back and its attempt refused", async () => {
    const repo = hostile('echo "gitdir: $(git rev-parse --path-format=absolute --git-common-dir)" > .git && echo evil > README.md', 'sandbox: off\n');
    const before = fingerprint(repo);
    const r = await runCli(['run'], repo);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "replaced its worktree's .git, which would have pointed orchestra's own git elsewhere (put back; nothing of this attempt is used)",
    );
    expect(fingerprint(repo)).toBe(before);
    expect(readFileSync(path.join(repo, 'README.md'), 'utf8')).toBe('readme\n');
  });

  it('a chain of in-scope symlinks that together lead outside the repository is refused', async () => {
    const repo = hostile('ln -s .. src/x && ln -s x/../.. src/a');
    const r = await runCli(['run'], repo);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/src\/a \(a symbolic link that leads to \/[^)]*, outside the repository\)/);
  });

  it('an in-scope symlink that points outside the repository is refused', async () => {
    const repo = hostile('ln -s ../../../../../outside.txt src/notes.txt');
    const r = await runCli(['run'], repo);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('src/notes.txt (a symbolic link to ../../../../../outside.txt, outside the repository)');
  });

  it('a fix agent that writes .env and the config has its round undone, and the fix node fails naming them', async () => {
    const repo = hostile(
      'if [ "$ORCHESTRA_ROLE" = fix-executor ]; then echo SECRET=1 > .env; echo "# mine" >> orchestra.config.yaml; fi',
      '    gates: [never]\n    fix: { agent: fix-executor, attempts: 2 }\ngates:\n  never:\n    run: [sh, -c, "exit 1"]\n',
    );
    const r = await runCli(['run'], repo);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/round 1: the fix agent changed files outside what it may touch, so its round was undone: .*\.env \(forbidden\)/);
    expect(r.stdout).toContain('orchestra.config.yaml (forbidden)');
    const branch = /branch (orchestra\/[\w-]+)/.exec(r.stdout)?.[1] as string;
    expect(() => git(repo, 'show', `${branch}:.env`)).toThrow();
  });
});
