import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/gates.js';
import { controlDir, makeRepo, processesIn, ROOT, runCli, sandboxWorks } from '../helpers/repo.js';

const AGENT = path.join(ROOT, 'test', 'fixtures', 'agent.mjs');
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

function team(extra: Record<string, unknown> = {}, fix: string[] = []): string {
  return JSON.stringify({
    agents: [
      { id: 'coder', command: ['node', AGENT], roles: ['implementer'], concurrency: 2, ...extra },
      { id: 'fixer', command: ['node', AGENT, '--fix', ...fix], roles: ['fix-executor'] },
    ],
  });
}

/** A committed repo with a user's uncommitted change that no run may touch. */
function repoWith(config: string, teamJson = team()): { repo: string; ctl: string } {
  const ctl = controlDir();
  // The test agents (sandboxed where bubblewrap works) report to and wait on files in the control folder.
  const sandboxed = `${config.trimEnd()}\nsandbox:\n  writable: [${JSON.stringify(ctl)}]\n`;
  const repo = makeRepo({ 'orchestra.config.yaml': sandboxed, 'team.json': teamJson, 'NOTES.md': 'mine\n', 'ctl/.keep': '' });
  git(repo, 'add', '-A');
  git(repo, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'start');
  writeFileSync(path.join(repo, 'NOTES.md'), 'mine, not committed\n');
  return { repo, ctl };
}

const env = (repo: string, ctl: string) => ({ AGENT_CTL: ctl, AGENT_LOG: path.join(ctl, 'agents.log') });
const branchOf = (stdout: string) => /branch (orchestra\/[\w-]+)/.exec(stdout)?.[1] as string;
const show = (repo: string, ref: string, file: string) => git(repo, 'show', `${ref}:${file}`);

describe.concurrent('orchestra run', { timeout: 180_000 }, () => {
  it('runs tasks in parallel, each in its own worktree, merges them, gates, checkpoints, and leaves the user tree alone', async () => {
    const { repo, ctl } = repoWith(`gates:
  both:
    run: test -f a/a.txt && test -f b/b.txt
phases:
  - id: build
    tasks:
      - id: write-a
        agent: implementer
        prompt: "@block a\\n@write a/a.txt\\nhello a\\n@end"
        scope: { touch: ["a/**"] }
      - id: write-b
        agent: implementer
        prompt: "@block b\\n@write b/b.txt\\nhello b\\n@end"
        scope: { touch: ["b/**"] }
    gates: [both]
`);
    const run = runCli(['run'], repo, env(repo, ctl));
    // Both agents are running at once before either is released.
    await waitFor('both agents to start', () => existsSync(path.join(ctl, 'a.started')) && existsSync(path.join(ctl, 'b.started')));
    writeFileSync(path.join(ctl, 'a.release'), '');
    writeFileSync(path.join(ctl, 'b.release'), '');
    const r = await run;
    expect(r.code).toBe(0);
    const log = readFileSync(path.join(ctl, 'agents.log'), 'utf8');
    expect(log).toContain('write-a attempt=1 role=implementer cwd=write-a');
    expect(log).toContain('write-b attempt=1 role=implementer cwd=write-b');
    const branch = branchOf(r.stdout);
    expect(show(repo, branch, 'a/a.txt')).toBe('hello a');
    expect(show(repo, branch, 'b/b.txt')).toBe('hello b');
    expect(git(repo, 'tag')).toContain(`${branch}/build`);
    // The user's branch, index and working tree are as they were.
    expect(git(repo, 'status', '--porcelain', '--', '.', ':(exclude)ctl')).toBe('M NOTES.md');
    expect(readFileSync(path.join(repo, 'NOTES.md'), 'utf8')).toBe('mine, not committed\n');
    expect(existsSync(path.join(repo, 'a'))).toBe(false);
  });

  it('fails a task that writes outside its scope, names the paths, and merges nothing of it', async () => {
    const { repo, ctl } = repoWith(`phases:
  - id: p
    tasks:
      - id: sneaky
        agent: implementer
        prompt: "@write app/ok.txt\\nfine\\n@end\\n@write secrets/.env\\nKEY=1\\n@end\\n@write docs/x.md\\nno\\n@end"
        scope: { touch: ["app/**", "secrets/**"] }
`);
    const r = await runCli(['run'], repo, env(repo, ctl));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'changed files outside its scope, so nothing was merged: docs/x.md (outside scope.touch (app/**, secrets/**)), secrets/.env (forbidden)',
    );
    expect(() => show(repo, branchOf(r.stdout), 'app/ok.txt')).toThrow();
  });

  it('hands failing gates to the fix agent: round 1 fixes one finding, round 2 the other', async () => {
    const models =
      'from sqlalchemy import Column, DateTime, func\\nclass M(Base):\\n    created_at = Column(DateTime(timezone=True))\\n    updated_at = Column(DateTime(timezone=True))';
    const { repo, ctl } = repoWith(
      `extends: [sqlalchemy]
phases:
  - id: models
    tasks:
      - id: model
        agent: implementer
        prompt: "@write app/models.py\\n${models}\\n@end"
        scope: { touch: ["app/**"] }
    gates: [timestamps]
    fix: { agent: fix-executor, attempts: 3 }
`,
      team({}, [
        'app/models.py',
        'created_at = Column(DateTime(timezone=True))',
        'created_at = Column(DateTime(timezone=True), server_default=func.now())',
        'updated_at = Column(DateTime(timezone=True))',
        'updated_at = Column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now())',
      ]),
    );
    const r = await runCli(['run', '--reporter', 'junit=out/junit.xml', '--reporter', 'pretty'], repo, env(repo, ctl));
    expect(r.stdout).toContain('✗ models/timestamps 2 findings');
    expect(r.stdout).toContain('✗ models/timestamps 1 finding');
    expect(r.stdout).toContain('round 2 made every gate pass');
    expect(r.code).toBe(0);
    // The same reporters as check: a JUnit file with the task, the gate and each fix round as test cases.
    expect(r.stderr).toContain('wrote out/junit.xml');
    const xml = readFileSync(path.join(repo, 'out', 'junit.xml'), 'utf8');
    const valid = await validateXML({
      xml: [{ fileName: 'junit.xml', contents: xml }],
      schema: [readFileSync(path.join(ROOT, 'test/fixtures/junit.xsd'), 'utf8')],
    });
    expect(valid.errors).toEqual([]);
    expect(xml).toMatch(/<testsuite name="orchestra run" tests="6" /);
    expect(xml).toContain('<testcase name="model" classname="orchestra.task"');
    expect(xml).toMatch(/<testcase name="models fix round 1 \(\w+\)" classname="orchestra.fix-round"/);
    expect(xml).toMatch(/<testcase name="models fix round 2 \(\w+\)" classname="orchestra.fix-round"/);
    const fixed = show(repo, branchOf(r.stdout), 'app/models.py');
    expect(fixed).toContain('updated_at = Column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now())');
    const prompt = readFileSync(path.join(repo, '.orchestra', 'runs', branchOf(r.stdout).slice('orchestra/'.length), 'prompts', 'fix_models_1.md'), 'utf8');
    expect(prompt).toContain('## gate timestamps: 2 findings');
    expect(prompt).toContain('- app/models.py:3:5:');
  });

  it('stops early when a round changes nothing ("no progress"), and gives up after the last round', async () => {
    const config = (attempts: number) => `gates:
  never:
    run: [sh, -c, "echo always fails; exit 1"]
phases:
  - id: p
    tasks:
      - { id: t, agent: implementer, prompt: "@write x.txt\\nx\\n@end" }
    gates: [never]
    fix: { agent: fix-executor, attempts: ${attempts} }
`;
    const a = repoWith(config(3));
    const stuck = await runCli(['run'], a.repo, env(a.repo, a.ctl));
    expect(stuck.code).toBe(1);
    expect(stuck.stdout).toContain('no progress: round 1 left the same failures (never)');
    expect(stuck.stdout).toContain('- checkpoint p skipped: needs p, which failed');
    const b = repoWith(config(1));
    const gaveUp = await runCli(['run'], b.repo, env(b.repo, b.ctl));
    expect(gaveUp.code).toBe(1);
    expect(gaveUp.stdout).toContain('gates still fail after 1 round: never');
  });

  it('retries an agent that crashes, and fails one that hangs past its timeout', async () => {
    const { repo, ctl } = repoWith(
      `phases:
  - id: p
    tasks:
      - { id: flaky, agent: coder, prompt: "@crash-until 2\\n@write f.txt\\nok\\n@end" }
      - { id: stuck, agent: slow, prompt: "@hang", scope: { touch: [nothing/**] } }
`,
      JSON.stringify({
        agents: [
          { id: 'coder', command: ['node', AGENT], roles: ['implementer'] },
          { id: 'slow', command: ['node', AGENT], timeout: '1s' },
        ],
      }),
    );
    const r = await runCli(['run', '--keep-going', '--kill-grace', '1s'], repo, env(repo, ctl));
    expect(r.code).toBe(1);
    const log = readFileSync(path.join(ctl, 'agents.log'), 'utf8');
    expect(log).toContain('flaky attempt=1');
    expect(log).toContain('flaky attempt=2');
    expect(r.stdout).toContain('✓ p/flaky');
    expect(r.stdout).toContain('agent slow: timed out after 1000 ms');
  });

  it('refuses a repo without commits and a config without phases, with exit 2', async () => {
    const empty = makeRepo({ 'orchestra.config.yaml': 'phases:\n  - id: p\n    tasks: []\n' });
    const r = await runCli(['run'], empty);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('git repository with at least one commit');
    const noPhases = makeRepo({ 'orchestra.config.yaml': 'gates: {}\n' });
    expect((await runCli(['run'], noPhases)).stderr).toContain('the config has no phases to run');
  });
});

describe.concurrent('orchestra apply and clean', () => {
  const CONFIG = `phases:
  - id: p
    tasks:
      - { id: t, agent: implementer, prompt: "@write out/t.txt\\nmade by the run\\n@end", scope: { touch: ["out/**"] } }
`;

  it('apply merges the run into the current branch only when the tree is clean', async () => {
    const { repo, ctl } = repoWith(CONFIG);
    const r = await runCli(['run'], repo, env(repo, ctl));
    expect(r.code).toBe(0);
    const refused = await runCli(['apply'], repo);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('uncommitted changes; nothing was merged');
    expect(existsSync(path.join(repo, 'out/t.txt'))).toBe(false);
    git(repo, 'checkout', '--', 'NOTES.md');
    const applied = await runCli(['apply'], repo);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain(`merged ${branchOf(r.stdout)} into main`);
    expect(readFileSync(path.join(repo, 'out/t.txt'), 'utf8')).toBe('made by the run\n');
  });

  it('apply after you committed meanwhile: a merge keeps your commit; --rebase replays the run onto it (conflicts: apply-merge.test.ts)', async () => {
    const commit = (repo: string, file: string, text: string) => {
      mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
      writeFileSync(path.join(repo, file), text);
      git(repo, 'add', '-A');
      git(repo, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', `mine: ${file}`);
    };
    for (const how of ['merge', 'rebase'] as const) {
      const { repo, ctl } = repoWith(CONFIG);
      git(repo, 'checkout', '--', 'NOTES.md');
      const r = await runCli(['run'], repo, env(repo, ctl));
      expect(r.code).toBe(0);
      commit(repo, 'mine.txt', 'made meanwhile\n');
      const mine = git(repo, 'rev-parse', 'HEAD');
      const applied = await runCli(how === 'rebase' ? ['apply', '--rebase'] : ['apply'], repo);
      expect(applied.code, applied.stderr).toBe(0);
      expect(git(repo, 'merge-base', '--is-ancestor', mine, 'HEAD')).toBe('');
      expect(readFileSync(path.join(repo, 'out/t.txt'), 'utf8')).toBe('made by the run\n');
      expect(readFileSync(path.join(repo, 'mine.txt'), 'utf8')).toBe('made meanwhile\n');
      // A merge makes a merge commit; a rebase a line (no commit with two parents since yours).
      expect(git(repo, 'rev-list', '--merges', `${mine}..HEAD`).length > 0).toBe(how === 'merge');
    }
  });

  it('clean removes worktrees of a failed run and keeps branches with unmerged work unless --force', async () => {
    const { repo, ctl } = repoWith(`phases:
  - id: p
    tasks:
      - { id: t, agent: implementer, prompt: "@write out/t.txt\\nx\\n@end\\n@write elsewhere.txt\\nx\\n@end", scope: { touch: ["out/**"] } }
`);
    const r = await runCli(['run'], repo, env(repo, ctl));
    expect(r.code).toBe(1);
    const runId = branchOf(r.stdout).slice('orchestra/'.length);
    expect(existsSync(path.join(repo, '.orchestra', 'worktrees', runId, 't'))).toBe(true);
    const clean = await runCli(['clean'], repo);
    expect(clean.code).toBe(0);
    expect(existsSync(path.join(repo, '.orchestra', 'worktrees', runId, 't'))).toBe(false);
    expect(clean.stdout).toContain(`kept orchestra-task/${runId}/t: it has commits not merged`);
    expect(git(repo, 'branch', '--list', `orchestra-task/${runId}/t`)).not.toBe('');
    const forced = await runCli(['clean', '--force'], repo);
    expect(forced.stdout).toContain(`deleted orchestra-task/${runId}/t`);
    expect(git(repo, 'branch', '--list', 'orchestra*')).toBe('');
  });
});

describe('orchestra resume and rollback', () => {
  const CONFIG = `phases:
  - id: first
    tasks:
      - { id: t1, agent: implementer, prompt: "@write a.txt\\nfrom the first phase\\n@end", scope: { touch: [a.txt] } }
  - id: second
    tasks:
      - { id: t2, agent: implementer, prompt: "@block b\\n@write b.txt\\nfrom the second phase\\n@end", scope: { touch: [b.txt] } }
`;

  it('after kill -9 mid-phase, resume finishes from the last checkpoint with the same tree as an uninterrupted run', async () => {
    const { repo, ctl } = repoWith(CONFIG);
    let pid = 0;
    const first = runCli(['run'], repo, env(repo, ctl), (child) => (pid = child.pid ?? 0));
    await waitFor('the second phase to start', () => existsSync(path.join(ctl, 'b.started')));
    process.kill(pid, 'SIGKILL');
    await first;
    const runId = git(repo, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/orchestra/').split('/')[1] as string;
    const state = JSON.parse(readFileSync(path.join(repo, '.orchestra', 'runs', runId, 'state.json'), 'utf8')) as {
      finished: boolean;
      checkpoints: Record<string, string>;
    };
    expect(state.finished).toBe(false);
    expect(Object.keys(state.checkpoints)).toEqual(['first']);
    const worktree = path.join(repo, '.orchestra', 'worktrees', runId, 't2');
    if (sandboxWorks()) {
      // Sandboxed, the agent dies with orchestra (its PID namespace goes with it): nothing of it is left to write the worktree.
      await waitFor('the agent to die with orchestra', () => processesIn(worktree).length === 0);
      writeFileSync(path.join(ctl, 'b.release'), '');
    } else {
      // Unconfined, the orphaned agent finishes on its own; its half-done worktree must not leak into the resumed run.
      writeFileSync(path.join(ctl, 'b.release'), '');
      await waitFor('the orphan to finish', () => existsSync(path.join(worktree, 'b.txt')));
    }

    const resumed = await runCli(['resume'], repo, env(repo, ctl));
    expect(resumed.stderr).toContain(`resuming ${runId} after first`);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('◌ first/t1 cached');
    expect(readFileSync(path.join(ctl, 'agents.log'), 'utf8').match(/^t1 /gm)).toHaveLength(1);

    const other = repoWith(CONFIG);
    writeFileSync(path.join(other.ctl, 'b.release'), '');
    const straight = await runCli(['run'], other.repo, env(other.repo, other.ctl));
    expect(straight.code).toBe(0);
    // What each run added to its start (the configs differ: each names its own control folder).
    const work = (dir: string, branch: string) => git(dir, 'diff', 'main', branch);
    expect(work(repo, `orchestra/${runId}`)).toBe(work(other.repo, branchOf(straight.stdout)));
    expect(work(repo, `orchestra/${runId}`)).toContain('+from the second phase');
    expect(git(repo, 'status', '--porcelain', '--', '.', ':(exclude)ctl')).toBe('M NOTES.md');
  });

  it('rollback moves the integration branch back to a checkpoint; resume redoes what follows', async () => {
    const { repo, ctl } = repoWith(CONFIG);
    writeFileSync(path.join(ctl, 'b.release'), '');
    const r = await runCli(['run'], repo, env(repo, ctl));
    expect(r.code).toBe(0);
    const branch = branchOf(r.stdout);
    const back = await runCli(['rollback', 'first'], repo);
    expect(back.code).toBe(0);
    expect(() => show(repo, branch, 'b.txt')).toThrow();
    expect(show(repo, branch, 'a.txt')).toBe('from the first phase');
    const again = await runCli(['resume'], repo, env(repo, ctl));
    expect(again.code).toBe(0);
    expect(show(repo, branch, 'b.txt')).toBe('from the second phase');

    // By name, as `abort` tells a user to type it (it used to say the run "exists already").
    const runId = branch.slice('orchestra/'.length);
    expect((await runCli(['rollback', 'first', '--run', runId], repo)).code).toBe(0);
    const named = await runCli(['resume', runId], repo, env(repo, ctl));
    expect(named.stderr).toContain(`resuming ${runId} after first`);
    expect(named.code).toBe(0);
    expect(show(repo, branch, 'b.txt')).toBe('from the second phase');

    // A state file that cannot be believed is named with what is wrong with it: exit 2, nothing changes.
    const stateFile = path.join(repo, '.orchestra', 'runs', runId, 'state.json');
    writeFileSync(stateFile, readFileSync(stateFile, 'utf8').slice(0, 30));
    const tip = git(repo, 'rev-parse', branch);
    const corrupt = await runCli(['resume', runId], repo, env(repo, ctl));
    expect(corrupt.code).toBe(2);
    expect(corrupt.stderr).toContain(`${path.join('.orchestra', 'runs', runId, 'state.json')}: is not valid JSON (truncated or edited?)`);
    expect(corrupt.stderr).not.toMatch(/\n\s+at /);
    expect(git(repo, 'rev-parse', branch)).toBe(tip);
  });
});

describe('a builtin adapter inside a run', () => {
  it('drives `claude` through its documented flags and records what its output says (messages, tokens, cost)', async () => {
    const bin = path.join(makeRepo({}), 'bin');
    execFileSync('mkdir', ['-p', bin]);
    execFileSync('ln', ['-s', path.join(ROOT, 'test', 'fixtures', 'fake-claude.mjs'), path.join(bin, 'claude')]);
    const { repo, ctl } = repoWith(
      `phases:
  - id: p
    tasks:
      - { id: health, agent: implementer, prompt: "@write app/api.py\\nprint('ok')\\n@end", scope: { touch: ["app/**"] } }
`,
      JSON.stringify({ agents: [{ id: 'claude', use: 'claude-code', roles: ['implementer'] }] }),
    );
    const r = await runCli(['run'], repo, { ...env(repo, ctl), PATH: `${bin}:${process.env['PATH']}` });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('p/health: agent claude done · 74061 in / 497 out tokens · $0.0527');
    const runId = branchOf(r.stdout).slice('orchestra/'.length);
    const events = readFileSync(path.join(repo, '.orchestra', 'runs', runId, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; event?: { kind: string } });
    expect(events.filter((e) => e.type === 'agent-event').map((e) => e.event?.kind)).toContain('tool-use');
    expect(show(repo, branchOf(r.stdout), 'app/api.py')).toBe("print('ok')");
    const report = readFileSync(path.join(repo, '.orchestra', 'runs', runId, 'report.md'), 'utf8');
    expect(report).toContain('| task | health | passed | claude ×1 | 74061 / 497 · $0.0527 |');
  });
});

describe('learning from fixes', () => {
  it('records a fix that turned a gate green and shows it to the fix agent when the same failure returns', async () => {
    const { repo, ctl } = repoWith(
      `gates:
  fixed:
    run: [sh, -c, "grep -q fixed x.txt || { echo x.txt is broken; exit 1; }"]
phases:
  - id: p
    tasks:
      - { id: t, agent: implementer, prompt: "@write x.txt\\nbroken\\n@end", scope: { touch: [x.txt] } }
    gates: [fixed]
    fix: { agent: fix-executor }
`,
      team({}, ['x.txt', 'broken', 'fixed']),
    );
    const first = await runCli(['run'], repo, env(repo, ctl));
    expect(first.code).toBe(0);
    const patterns = await runCli(['patterns'], repo);
    expect(patterns.stdout).toContain('fixed (phase p, run');
    expect(patterns.stdout).toContain('fix touched: x.txt');
    const second = await runCli(['run'], repo, env(repo, ctl));
    expect(second.code).toBe(0);
    const runId = branchOf(second.stdout).slice('orchestra/'.length);
    const prompt = readFileSync(path.join(repo, '.orchestra', 'runs', runId, 'prompts', 'fix_p_1.md'), 'utf8');
    expect(prompt).toContain('The same failure was fixed before by this change');
    expect(prompt).toContain('-broken\n+fixed');
  });
});

describe('budgets', () => {
  it('starts no new agent once the run budget in dollars is spent, and says so', async () => {
    const bin = path.join(makeRepo({}), 'bin');
    execFileSync('mkdir', ['-p', bin]);
    execFileSync('ln', ['-s', path.join(ROOT, 'test', 'fixtures', 'fake-claude.mjs'), path.join(bin, 'claude')]);
    const { repo, ctl } = repoWith(
      `budget: { usd: 0.05 }
phases:
  - id: one
    tasks:
      - { id: a, agent: implementer, prompt: "@write a.txt\\na\\n@end", scope: { touch: [a.txt] } }
  - id: two
    tasks:
      - { id: b, agent: implementer, prompt: "@write b.txt\\nb\\n@end", scope: { touch: [b.txt] } }
`,
      JSON.stringify({ agents: [{ id: 'claude', use: 'claude-code', roles: ['implementer'] }] }),
    );
    const r = await runCli(['run'], repo, { ...env(repo, ctl), PATH: `${bin}:${process.env['PATH']}` });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✓ one/a');
    expect(r.stdout).toContain("no agent started: the run's budget of $0.05 is spent ($0.0527)");
    expect((await runCli(['status'], repo)).stdout).toMatch(/^run [\w-]+ {2}not running {2}spent \$0\.0527 of \$0\.05\n/);
  });
});

describe('review', () => {
  it('a reviewer that asks for changes sends them to the fix agent, then approves', async () => {
    const { repo, ctl } = repoWith(
      `phases:
  - id: p
    tasks:
      - { id: t, agent: implementer, prompt: "@write x.txt\\nTODO-REVIEW\\n@end", scope: { touch: [x.txt] } }
    review: { agent: reviewer }
`,
      JSON.stringify({
        agents: [
          { id: 'coder', command: ['node', AGENT], roles: ['implementer'] },
          { id: 'critic', command: ['node', AGENT, '--review', 'TODO-REVIEW'], roles: ['reviewer'] },
          { id: 'fixer', command: ['node', AGENT, '--fix', 'x.txt', 'TODO-REVIEW', 'done'], roles: ['fix-executor'] },
        ],
      }),
    );
    const r = await runCli(['run'], repo, env(repo, ctl));
    expect(r.stdout).toContain('fix p: review 0: changes asked for');
    expect(r.stdout).toContain('fix p: review 1: approved');
    expect(r.code).toBe(0);
    expect(show(repo, branchOf(r.stdout), 'x.txt')).toBe('done');
    const runId = branchOf(r.stdout).slice('orchestra/'.length);
    expect(readFileSync(path.join(repo, '.orchestra', 'runs', runId, 'prompts', 'fix_p_1.md'), 'utf8')).toContain('remove TODO-REVIEW');
  });

  it('validate checks the reviewer and the implied fix-executor against the team', async () => {
    const repo = makeRepo({
      'orchestra.config.yaml': 'phases:\n  - id: p\n    tasks: []\n    review: { agent: critic }\n',
      'team.json': JSON.stringify({ agents: [{ id: 'a', command: ['x'], roles: ['implementer'] }] }),
    });
    const r = await runCli(['validate'], repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown agent or role 'critic'");
    expect(r.stderr).toContain("unknown agent or role 'fix-executor'");
  });
});

describe('a noisy agent', () => {
  it('prints 64 MB into its log, not into orchestra, and its work is merged', async () => {
    const { repo, ctl } = repoWith(`phases:
  - id: p
    tasks:
      - { id: loud, agent: implementer, prompt: "@print-bytes 67108864\\n@write out.txt\\nquiet now\\n@end", scope: { touch: [out.txt] } }
`);
    const r = await runCli(['run'], repo, env(repo, ctl));
    expect(r.code).toBe(0);
    const runId = branchOf(r.stdout).slice('orchestra/'.length);
    const log = path.join(repo, '.orchestra', 'runs', runId, 'logs', 'task_p_loud.log');
    expect(statSync(log).size).toBeGreaterThan(64 * 1024 * 1024);
    expect(show(repo, branchOf(r.stdout), 'out.txt')).toBe('quiet now');
  });
});

describe('run --reporter json', () => {
  it('lists tasks, gates and the fix node with its agent runs', async () => {
    const { repo, ctl } = repoWith(
      `gates:
  fixed:
    run: [sh, -c, "cat x.txt; grep -q fixed x.txt"]
phases:
  - id: p
    tasks:
      - { id: t, agent: implementer, prompt: "@write x.txt\\nbroken\\n@end", scope: { touch: [x.txt] } }
    gates: [fixed]
    fix: { agent: fix-executor, attempts: 3 }
`,
      team({}, ['x.txt', 'broken', 'half', 'half', 'fixed']),
    );
    const r = await runCli(['run', '--reporter', 'json'], repo, env(repo, ctl));
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { ok: boolean; results: Array<{ name: string; kind: string; status: string; agent?: string; agentRuns?: number }> };
    expect(report.ok).toBe(true);
    expect(report.results.map((x) => [x.kind, x.name, x.status, x.agent ?? null, x.agentRuns ?? null])).toEqual([
      ['task', 't', 'passed', 'coder', 1],
      ['gate', 'fixed', 'passed', null, null],
      ['fix', 'p', 'passed', 'fixer', 2],
      ['checkpoint', 'p', 'passed', null, null],
    ]);
  });
});

describe('watching a run from another terminal', () => {
  it('one run at a time; status, logs and list while it works; abort stops it like Ctrl-C; report after', async () => {
    const { repo, ctl } = repoWith(`phases:
  - id: p
    tasks:
      - { id: slow, agent: implementer, prompt: "@block slow\\n@write s.txt\\ns\\n@end", scope: { touch: [s.txt] } }
`);
    const first = runCli(['run'], repo, env(repo, ctl));
    await waitFor('the agent to start', () => existsSync(path.join(ctl, 'slow.started')));

    const second = await runCli(['run'], repo, env(repo, ctl));
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/run [\w-]+ \(pid \d+\) is working in this repository; one run at a time/);

    const status = await runCli(['status'], repo);
    expect(status.stdout).toMatch(/running/);
    expect(status.stdout).toMatch(/running +task +p\/slow/);
    expect((await runCli(['logs', 'slow'], repo)).stdout).toContain('agent: working on slow in phase p');
    const watching = runCli(['status', '--watch'], repo);
    expect((await runCli(['list'], repo)).stdout).toMatch(/run +running/);

    const abort = await runCli(['abort'], repo);
    expect(abort.stdout).toMatch(/stopped run [\w-]+; 'orchestra resume/);
    expect((await first).code).toBe(130);
    // --watch ends with the run, its last view showing how the task ended.
    const watched = (await watching).stdout;
    expect(watched).toMatch(/running +task +p\/slow/);
    expect(watched.split('run ').at(-1)).toMatch(/not running[\s\S]*failed +task +p\/slow/);
    expect((await runCli(['list'], repo)).stdout).toMatch(/run +interrupted/);
    expect((await runCli(['report'], repo)).stdout).toContain('Interrupted.');
    const unknown = await runCli(['logs', 'slow', '--run', 'nope'], repo);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no run 'nope' in .orchestra/runs/");

    // A stale lock left by a killed orchestra is taken over.
    writeFileSync(path.join(repo, '.orchestra', 'run.lock'), JSON.stringify({ pid: 999999, runId: 'ghost', startedAt: '' }));
    writeFileSync(path.join(ctl, 'slow.release'), '');
    expect((await runCli(['run'], repo, env(repo, ctl))).code).toBe(0);
  });
});

describe('run in CI: one phase at a time', () => {
  it('--no-needs runs only the named phase from HEAD; --run-id names the run and its branch', async () => {
    const { repo, ctl } = repoWith(`phases:
  - id: one
    tasks:
      - { id: first, agent: implementer, prompt: "@write one.txt\\n1\\n@end", scope: { touch: [one.txt] } }
  - id: two
    tasks:
      - { id: second, agent: implementer, prompt: "@write two.txt\\n2\\n@end", scope: { touch: [two.txt] } }
`);
    const r = await runCli(['run', 'two', '--no-needs', '--run-id', 'ci-7-two'], repo, env(repo, ctl));
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(ctl, 'agents.log'), 'utf8')).toBe('second attempt=1 role=implementer cwd=second\n');
    expect(show(repo, 'orchestra/ci-7-two', 'two.txt')).toBe('2');
    expect(git(repo, 'tag', '--list', 'orchestra/ci-7-two/*')).toBe('orchestra/ci-7-two/two');
    const again = await runCli(['run', 'two', '--no-needs', '--run-id', 'ci-7-two'], repo, env(repo, ctl));
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--run-id ci-7-two: a run by that name exists already');
    const bad = await runCli(['run', '--run-id', '../x'], repo, env(repo, ctl));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("option '--run-id <id>' argument '../x' is invalid. '../x' is not an id (letters, digits");
    const unnamed = await runCli(['run', '--no-needs'], repo, env(repo, ctl));
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toContain('--no-needs: name the phases to run');
  });
});
