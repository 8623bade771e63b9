// `orchestra run --request` with the real Claude Code (2.1.197, installed by scripts/install-agent-clis.mjs) as the
// planner and as the implementer, against the scripted model server: the planner's first answer puts two overlapping
// tasks in one wave and names a gate that does not exist; orchestra orders the wave itself and sends the gate back;
// the second answer validates, is written as orchestra.plan.yaml, and the run builds it.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT, runCli } from '../helpers/repo.js';
import {
  claude,
  lastUserText,
  startModelServer,
  toolResults,
  turn,
  when,
  type ModelServer,
  type Scenario,
  type TurnContext,
} from '../fixtures/model-server/index.js';
import { claudeEnv, realAgentHooks } from '../helpers/real-agents.js';

const { clis, cleanup } = realAgentHooks();

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const isPlanner = (c: TurnContext) => c.lastUserText.includes('You are the orchestra planner');
const notPlanner = (c: TurnContext) => !isPlanner(c);
const and =
  (...ms: Array<(c: TurnContext) => boolean>) =>
  (c: TurnContext) =>
    ms.every((m) => m(c));

const STATUS_PY = 'STATUSES = ("new", "paid", "shipped", "delivered")\n';
const INIT_PY = 'from app.services.status import STATUSES\n\n__all__ = ["STATUSES"]\n';

/** The planner's answer; `gate` is the one the phase names. */
function answer(gate: string): string {
  return JSON.stringify({
    analysis: {
      taskType: 'feature',
      coordination: ['app/services/status.py: the statuses the package exports'],
      strategy: 'one phase: the statuses, and the package that exports them',
    },
    phases: [
      {
        id: 'status',
        description: 'Order status tracking',
        tasks: [
          {
            id: 'status-model',
            agent: 'implementer',
            prompt: 'Write app/services/status.py with the order statuses.',
            scope: { touch: ['app/services/status.py'] },
          },
          // Overlaps the task above (app/services/** holds status.py): the two cannot share a wave.
          {
            id: 'status-exports',
            agent: 'implementer',
            prompt: 'Write app/services/__init__.py exporting the statuses.',
            scope: { touch: ['app/services/**'] },
          },
        ],
        gates: [gate],
      },
    ],
  });
}

function scenario(): Scenario {
  return {
    turns: [
      turn.text(answer('typecheck'), { name: 'plan:1', api: 'anthropic', match: and(isPlanner, (c) => !c.lastUserText.includes('## Repair round')) }),
      turn.text(answer('compile'), { name: 'plan:2', api: 'anthropic', match: and(isPlanner, when.userSays('## Repair round 2')) }),
      turn.tools(claude.write('app/services/status.py', STATUS_PY), {
        name: 'status:write',
        api: 'anthropic',
        match: and(notPlanner, when.userSays('Write app/services/status.py'), when.noToolResults()),
      }),
      turn.text('Wrote the statuses.', {
        name: 'status:done',
        api: 'anthropic',
        match: and(notPlanner, when.userSays('Write app/services/status.py'), when.toolResultHas('File created successfully')),
      }),
      turn.tools(claude.write('app/services/__init__.py', INIT_PY), {
        name: 'exports:write',
        api: 'anthropic',
        match: and(notPlanner, when.userSays('Write app/services/__init__.py'), when.noToolResults()),
      }),
      turn.text('Wrote the exports.', {
        name: 'exports:done',
        api: 'anthropic',
        match: and(notPlanner, when.userSays('Write app/services/__init__.py'), when.toolResultHas('File created successfully')),
      }),
    ],
  };
}

function claudeAgent(home: string, tmp: string, m: ModelServer): Record<string, unknown> {
  return {
    id: 'claude',
    use: 'claude-code',
    bin: clis().claude,
    roles: ['planner', 'implementer', 'fix-executor'],
    timeout: '2m',
    idleTimeout: '1m',
    env: {
      ...claudeEnv(m.url, home, tmp),
    },
  };
}

type Ev = Record<string, unknown> & { type: string; nodeId?: string; ts: number };

describe('orchestra run --request with the real Claude Code as the planner', () => {
  it('repairs the wave itself, sends the unknown gate back, writes the second answer as orchestra.plan.yaml and builds it', { timeout: 240_000 }, async () => {
    const m = await startModelServer(scenario());
    cleanup(() => m.close());
    const homes = tempDir('orchestra-plan-real-');
    const home = path.join(homes, 'home');
    const tmp = path.join(homes, 'tmp');
    for (const d of [home, tmp]) mkdirSync(d, { recursive: true });
    const dir = tempDir('orchestra-plan-real-orders-');
    cpSync(path.join(ROOT, 'examples', 'orders'), dir, { recursive: true });
    rmSync(path.join(dir, 'agents'), { recursive: true });
    writeFileSync(path.join(dir, 'team.json'), `${JSON.stringify({ agents: [claudeAgent(home, tmp, m)] }, null, 2)}\n`);
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '-A');
    git(dir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'start');
    const configBefore = readFileSync(path.join(dir, 'orchestra.config.yaml'), 'utf8');

    const r = await runCli(['run', '--request', 'Add order status tracking', '--yes'], dir);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(m.unmatched.map((q) => [lastUserText(q).slice(0, 200), toolResults(q)])).toEqual([]);
    const turns = m.mainRequests().map((q) => q.turn);
    expect(turns.slice(0, 2)).toEqual(['plan:1', 'plan:2']);
    expect([...turns].sort()).toEqual(['exports:done', 'exports:write', 'plan:1', 'plan:2', 'status:done', 'status:write']);

    // The first prompt carries the facts; the repair round carries the diagnostics, located in the plan file, and only
    // the gate: the overlapping wave was orchestra's to repair, not the planner's.
    const [ask1, ask2] = m.mainRequests().slice(0, 2).map(lastUserText) as [string, string];
    expect(ask1).toContain('Add order status tracking');
    expect(ask1).toMatch(/- claude \(claude-code\): roles planner, implementer, fix-executor/);
    expect(ask1).toContain('- compile: python3 -m compileall -q app');
    expect(ask1).toMatch(/Python: \d+ files/);
    expect(ask1).toContain('## SPEC.md');
    expect(ask1).not.toContain('Repair round');
    expect(ask2).toContain('## Repair round 2');
    expect(ask2).toMatch(/orchestra\.plan\.yaml:\d+:\d+: error: unknown gate 'typecheck'/);
    const sentBack = ask2.slice(ask2.indexOf('The problems orchestra found'));
    expect(sentBack.match(/: error: /g)).toHaveLength(1);
    expect(sentBack).not.toMatch(/overlap|status-exports/);
    expect(r.stdout).toContain('orchestra moved status/status-exports after status-model, to a later wave: app/services/status.py overlaps app/services/**');

    // The written plan: the second answer, the move said in a comment; the config names it, its comments kept.
    const planText = readFileSync(path.join(dir, 'orchestra.plan.yaml'), 'utf8');
    const plan = parse(planText) as {
      phases: Array<{ id: string; needs: string[]; gates: string[]; tasks: Array<{ id: string; scope: { touch: string[] } }> }>;
    };
    expect(plan.phases.map((p) => [p.id, p.needs, p.gates, p.tasks.map((t) => t.id)])).toEqual([
      ['status', [], ['compile'], ['status-model', 'status-exports']],
    ]);
    expect(planText).toContain("# orchestra: runs after 'status-model', in a later wave: app/services/status.py overlaps app/services/**");
    expect(readFileSync(path.join(dir, 'orchestra.config.yaml'), 'utf8')).toBe(
      `${configBefore}# Phases and gates planned by 'orchestra plan --request', added to this config's own.\nplan: ./orchestra.plan.yaml\n`,
    );
    const reports = readdirSync(path.join(dir, '.orchestra', 'reports'));
    const analysis = readFileSync(path.join(dir, '.orchestra', 'reports', reports.find((f) => f.startsWith('analysis-')) as string), 'utf8');
    expect(analysis).toContain('## Coordination points\n\n- app/services/status.py: the statuses the package exports');
    expect(analysis).toContain('### Round 1: sent back');
    const planReport = readFileSync(path.join(dir, '.orchestra', 'reports', reports.find((f) => /^plan-.*\.md$/.test(f)) as string), 'utf8');
    expect(planReport).toContain('status/status-exports waits for status/status-model');

    // The run: only the plan's phase, the moved task after the other, both files on the run's branch.
    const runs = readdirSync(path.join(dir, '.orchestra', 'runs'));
    expect(runs).toHaveLength(1);
    const rd = path.join(dir, '.orchestra', 'runs', runs[0] as string);
    const evs = readFileSync(path.join(rd, 'events.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Ev);
    const at = (type: string, nodeId: string) => evs.find((e) => e.type === type && e.nodeId === nodeId)?.ts;
    expect(at('node-started', 'task:status/status-exports')).toBeGreaterThanOrEqual(at('node-finished', 'task:status/status-model') as number);
    expect(evs.some((e) => e.nodeId === 'task:models/user-model')).toBe(false);
    const branch = `orchestra/${runs[0] as string}`;
    expect(git(dir, 'show', `${branch}:app/services/status.py`)).toBe(STATUS_PY.trimEnd());
    expect(git(dir, 'show', `${branch}:app/services/__init__.py`)).toBe(INIT_PY.trimEnd());
    const report = readFileSync(path.join(rd, 'report.md'), 'utf8');
    expect(report).toContain('## Accomplishment\n\nRequested:\n\n> Add order status tracking');
    expect(report).toContain('Built: 2 of 2 tasks (status-model, status-exports)');
    expect(report).toContain('- status/compile: passed');
    expect(report).toContain('Left: nothing.');
    expect(existsSync(path.join(dir, 'orchestra.plan.yaml'))).toBe(true);
  });
});
