import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { makeRepo } from './repo.js';

// Agents are untrusted: small shell agents that attack the user's repository (test/cli/hostile.test.ts, sandbox.test.ts).

export const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

/** A repo whose one task is done by `script` (sh -c, in its worktree), with a legitimate edit to src/a.js first. */
export function hostile(script: string, extra = '', under?: string): string {
  const repo = makeRepo(
    {
      'orchestra.config.yaml': `phases:\n  - id: p\n    tasks:\n      - { id: t1, agent: bad, prompt: "do it", scope: { touch: ["src/**"] } }\n${extra}`,
      'team.json': JSON.stringify({ agents: [{ id: 'bad', command: ['sh', '-c', `echo ok >> src/a.js && ${script}`], roles: ['fix-executor'] }] }),
      'src/a.js': 'a\n',
      'README.md': 'readme\n',
    },
    under,
  );
  git(repo, 'add', '-A');
  git(repo, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'start');
  return repo;
}

/** What the user's repository is: refs outside orchestra's, HEAD, index, status, hooks and config, byte for byte. */
export function fingerprint(repo: string): string {
  const gitDir = path.join(repo, '.git');
  const hooks = readdirSync(path.join(gitDir, 'hooks'))
    .sort()
    .map((h) => `${h}:${readFileSync(path.join(gitDir, 'hooks', h), 'utf8').length}`);
  const refs = git(repo, 'for-each-ref', '--format=%(refname) %(objectname)')
    .split('\n')
    .filter((l) => !/^refs\/(heads\/orchestra|tags\/orchestra)/.test(l));
  return JSON.stringify({
    refs,
    head: readFileSync(path.join(gitDir, 'HEAD'), 'utf8'),
    index: git(repo, 'ls-files', '--stage'),
    status: git(repo, 'status', '--porcelain', '--', '.', ':(exclude).orchestra'),
    hooks,
    config: readFileSync(path.join(gitDir, 'config'), 'utf8'),
  });
}
