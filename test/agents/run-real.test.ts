// `orchestra run` driving the real agent CLIs (Claude Code 2.1.197, Codex 0.171.0, Gemini CLI 0.61.0, installed by
// scripts/install-agent-clis.mjs) against the scripted model server in test/fixtures/model-server: the CLIs really
// write the files, orchestra really merges, gates, fixes, checkpoints, retries and reports.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { processesIn, ROOT, runCli, type CliResult } from '../helpers/repo.js';
import { agentClis, type AgentClis } from '../fixtures/model-server/clis.js';
import {
  claude,
  codex,
  gemini,
  lastUserText,
  startModelServer,
  toolResults,
  turn,
  usage,
  when,
  type ModelServer,
  type Scenario,
  type Turn,
  type TurnContext,
} from '../fixtures/model-server/index.js';
import { claudeEnv } from '../helpers/real-agents.js';
import { UPDATED_FIXED, USER_PY } from '../fixtures/orders-models.js';

let clis: AgentClis;
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  // A failed install fails every test here with npm's output (no skipping).
  clis = await agentClis();
}, 600_000);

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

async function server(scenario: Scenario): Promise<ModelServer> {
  const s = await startModelServer(scenario);
  cleanups.push(() => s.close());
  return s;
}

/** Private homes and temp dirs for the agents, beside (not inside) the repo; removed after the test. */
interface Homes {
  root: string;
  home: string;
  tmp: string;
  codexHome: string;
}

function homes(): Homes {
  const root = mkdtempSync(path.join(os.tmpdir(), 'orchestra-run-real-'));
  const h = { root, home: path.join(root, 'home'), tmp: path.join(root, 'tmp'), codexHome: path.join(root, 'home', '.codex') };
  // CODEX_HOME must exist and must not be under TMPDIR (Codex then cannot set up its sandbox helper).
  for (const d of [h.home, h.tmp, h.codexHome]) mkdirSync(d, { recursive: true });
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  return h;
}

type AgentEntry = Record<string, unknown>;

function claudeAgent(h: Homes, m: ModelServer, entry: AgentEntry & { id: string; roles: string[] }, env: Record<string, string> = {}): AgentEntry {
  return {
    use: 'claude-code',
    bin: clis.claude,
    timeout: '2m',
    idleTimeout: '1m',
    ...entry,
    env: {
      ...claudeEnv(m.url, h.home, h.tmp),
      ...env,
    },
  };
}

function codexAgent(h: Homes, m: ModelServer, entry: AgentEntry & { id: string; roles: string[] }, config: string[] = []): AgentEntry {
  const settings = [
    'model_provider=mock',
    `model_providers.mock={name="mock",base_url="${m.url}/v1",wire_api="responses",env_key="OPENAI_API_KEY"}`,
    'check_for_update_on_startup=false',
    'analytics.enabled=false',
    ...config,
  ];
  return {
    use: 'codex',
    bin: clis.codex,
    // gpt-5.5 gets the classic tools (exec_command + freeform apply_patch); the default model gets code mode.
    model: 'gpt-5.5',
    args: settings.flatMap((c) => ['-c', c]),
    timeout: '2m',
    idleTimeout: '1m',
    ...entry,
    env: { HOME: h.home, CODEX_HOME: h.codexHome, TMPDIR: h.tmp, OPENAI_API_KEY: 'x', NO_COLOR: '1' },
  };
}

function geminiAgent(h: Homes, m: ModelServer, entry: AgentEntry & { id: string; roles: string[] }): AgentEntry {
  mkdirSync(path.join(h.home, '.gemini'), { recursive: true });
  // GOOGLE_GEMINI_BASE_URL alone selects the "gateway" auth type, which non-interactive mode rejects.
  const settings = {
    security: { auth: { selectedType: 'gemini-api-key' } },
    general: { disableAutoUpdate: true, disableUpdateNag: true, enableAutoUpdate: false, enableAutoUpdateNotification: false },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
  };
  writeFileSync(path.join(h.home, '.gemini', 'settings.json'), JSON.stringify(settings));
  return {
    use: 'gemini',
    bin: clis.gemini,
    model: 'gemini-2.5-pro',
    timeout: '2m',
    idleTimeout: '1m',
    ...entry,
    env: { HOME: h.home, TMPDIR: h.tmp, GOOGLE_GEMINI_BASE_URL: m.url, GEMINI_API_KEY: 'x', GEMINI_CLI_NO_RELAUNCH: 'true', NO_COLOR: '1' },
  };
}

const teamJson = (agents: AgentEntry[]) => `${JSON.stringify({ agents }, null, 2)}\n`;

function commitAll(dir: string): void {
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'start');
}

/** A committed temp repo with these files; removed after the test. */
function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'orchestra-run-real-repo-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  commitAll(dir);
  return dir;
}

/** One phase, one task, no gates: for the failure tests. */
const oneTask = (prompt: string, agent = 'implementer') => `phases:
  - id: p
    tasks:
      - id: t
        agent: ${agent}
        prompt: ${JSON.stringify(prompt)}
        scope: { touch: ["**"] }
`;

type Ev = Record<string, unknown> & { type: string; nodeId?: string };

/** The one run's folder under .orchestra/runs (undefined until it exists). */
function runDir(dir: string): string | undefined {
  const runs = path.join(dir, '.orchestra', 'runs');
  if (!existsSync(runs)) return undefined;
  const ids = readdirSync(runs).filter((id) => existsSync(path.join(runs, id, 'events.jsonl')));
  return ids.length === 1 ? path.join(runs, ids[0] as string) : undefined;
}

function events(dir: string): Ev[] {
  const rd = runDir(dir);
  if (!rd) return [];
  return readFileSync(path.join(rd, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Ev];
      } catch {
        return []; // a line being written
      }
    });
}

const ofType = (evs: Ev[], type: string) => evs.filter((e) => e.type === type);
const notes = (evs: Ev[]) => ofType(evs, 'note').map((e) => String(e.message));
/** What happened, for an assertion's message: each node's end, each note, each agent failure. */
const story = (evs: Ev[]) =>
  evs
    .filter((e) => e.type === 'node-finished' || e.type === 'note' || (e.type === 'agent-finished' && e.ok === false))
    .map((e) => `${e.type} ${e.nodeId}: ${String(e.status ?? '')} ${String(e.message ?? '')} ${e.failure ? JSON.stringify(e.failure) : ''}`)
    .join('\n');
const failuresOf = (evs: Ev[]) => ofType(evs, 'agent-finished').map((e) => e.failure as { class: string; reason: string } | undefined);

/** Polls until `test` holds, or fails after `ms` saying what it waited for. */
async function until<T>(what: string, test: () => T | undefined | false, ms = 45_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = test();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const and =
  (...ms: Array<(c: TurnContext) => boolean>) =>
  (c: TurnContext) =>
    ms.every((m) => m(c));

const LOGIN_HINT_CLAUDE = '(to fix: run `claude` and /login once, or set ANTHROPIC_API_KEY)';

// --- 1. The bundled example, built by real Claude Code and Codex -----------------------------------

const ORDER_PY = `from sqlalchemy import Column, DateTime, ForeignKey, Integer, func

from app.db import Base


class Order(Base):
    __tablename__ = "orders"

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id"), nullable=False)
    created_at = Column(DateTime(timezone=True), server_default=func.now())
    updated_at = Column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now())
`;

const API_PY = `"""Handlers over the models; the database sets every timestamp."""


def list_users(session):
    from app.models.user import User

    return session.query(User).all()
`;

/** Per-turn usage the server reports; what orchestra must add up. */
const U = {
  userWrite: usage(1000, 100),
  userDone: usage(200, 20, 1000, 100),
  orderPatch: usage(900, 90),
  orderDone: usage(1100, 30, 400),
  fixRead: usage(2900, 40),
  fixEdit: usage(3000, 60),
  fixDone: usage(3100, 15),
  apiWrite: usage(700, 80),
  apiDone: usage(800, 10),
};
type U1 = (typeof U)[keyof typeof U];
/** orchestra's inputTokens for Claude: input + cache writes + cache reads; for Codex: input_tokens (cached is part of it). */
const claudeIn = (...us: U1[]) => us.reduce((n, u) => n + u.input + (u.cacheRead ?? 0) + (u.cacheWrite ?? 0), 0);
const codexIn = (...us: U1[]) => us.reduce((n, u) => n + u.input, 0);
const outOf = (...us: U1[]) => us.reduce((n, u) => n + u.output, 0);
/** Claude Code's own price for its default model (claude-opus-4-8): $5 in, $25 out, $0.50 cache read, $6.25 cache write per MTok. */
const opusCost = (...us: U1[]) => us.reduce((c, u) => c + (u.input * 5 + u.output * 25 + (u.cacheRead ?? 0) * 0.5 + (u.cacheWrite ?? 0) * 6.25) / 1e6, 0);

function exampleScenario(): Scenario {
  return {
    turns: [
      // user-model, Claude Code in its task worktree: the classic mistake (updated_at without a server_default).
      turn.tools(claude.write('app/models/user.py', USER_PY), {
        name: 'user:write',
        api: 'anthropic',
        usage: U.userWrite,
        match: and(when.userSays('Write app/models/user.py'), when.noToolResults()),
      }),
      turn.text('Wrote the User model.', {
        name: 'user:done',
        api: 'anthropic',
        usage: U.userDone,
        match: and(when.userSays('Write app/models/user.py'), when.toolResultHas('File created successfully')),
      }),
      // order-model, Codex: apply_patch in its own worktree.
      turn.tools(codex.addFile('app/models/order.py', ORDER_PY), {
        name: 'order:patch',
        api: 'openai',
        usage: U.orderPatch,
        match: and(when.userSays('Write app/models/order.py'), when.noToolResults()),
      }),
      turn.text('Wrote the Order model.', { name: 'order:done', api: 'openai', usage: U.orderDone, match: when.toolResultHas('A app/models/order.py') }),
      // The fix round, Claude Code in the integration worktree, from the findings in its prompt: a new session must Read
      // a file before it may Edit it.
      turn.tools(claude.read('app/models/user.py'), {
        name: 'fix:read',
        api: 'anthropic',
        usage: U.fixRead,
        match: and(when.userSays('sqlalchemy/timestamp-server-default'), when.noToolResults()),
      }),
      turn.tools(claude.edit('app/models/user.py', 'updated_at = Column(DateTime)', UPDATED_FIXED), {
        name: 'fix:edit',
        api: 'anthropic',
        usage: U.fixEdit,
        match: and(when.userSays('sqlalchemy/timestamp-server-default'), when.toolResultHas('updated_at = Column(DateTime)')),
      }),
      turn.text('Gave updated_at a server_default.', {
        name: 'fix:done',
        api: 'anthropic',
        usage: U.fixDone,
        match: and(when.userSays('sqlalchemy/timestamp-server-default'), when.toolResultHas('has been updated')),
      }),
      // phase-1 (from SPEC.md): the module app/api, Claude Code (the first free implementer).
      turn.tools(claude.write('app/api/__init__.py', API_PY), {
        name: 'api:write',
        api: 'anthropic',
        usage: U.apiWrite,
        match: and(when.userSays("module 'app/api'"), when.noToolResults()),
      }),
      turn.text('Wrote the API module.', {
        name: 'api:done',
        api: 'anthropic',
        usage: U.apiDone,
        match: and(when.userSays("module 'app/api'"), when.toolResultHas('File created successfully')),
      }),
    ],
  };
}

interface JsonResult {
  name: string;
  kind: string;
  status: string;
  agent?: string;
  agentRuns?: number;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
  findings: Array<{ file: string; line: number; message: string; rule: string }>;
}

describe('orchestra run with the real agent CLIs', () => {
  it(
    'the orders example: Claude Code and Codex write the models, the timestamps gate fails, Claude fixes it from the findings; gates pass, checkpoints, report with tokens and cost',
    { timeout: 240_000 },
    async () => {
      const h = homes();
      const m = await server(exampleScenario());
      const dir = mkdtempSync(path.join(os.tmpdir(), 'orchestra-run-real-orders-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      cpSync(path.join(ROOT, 'examples', 'orders'), dir, { recursive: true });
      rmSync(path.join(dir, 'agents'), { recursive: true });
      // The tasks name their agents, so who writes which file does not depend on which slot frees first.
      const config = readFileSync(path.join(dir, 'orchestra.config.yaml'), 'utf8');
      const named = config
        .replace(/(id: user-model\n\s+)agent: implementer/, '$1agent: claude')
        .replace(/(id: order-model\n\s+)agent: implementer/, '$1agent: codex');
      expect(named.match(/agent: (claude|codex)\n/g)).toHaveLength(2);
      writeFileSync(path.join(dir, 'orchestra.config.yaml'), named);
      writeFileSync(
        path.join(dir, 'team.json'),
        teamJson([claudeAgent(h, m, { id: 'claude', roles: ['implementer', 'fix-executor'] }), codexAgent(h, m, { id: 'codex', roles: ['implementer'] })]),
      );
      commitAll(dir);

      const r = await runCli(['run', '--reporter', 'json'], dir);
      const evs = events(dir);
      const rd = runDir(dir) as string;
      expect(r.code, `${r.stderr}\n${story(evs)}`).toBe(0);
      expect(m.unmatched.map((q) => [q.api, lastUserText(q).slice(0, 200), toolResults(q)])).toEqual([]);
      expect(
        m
          .mainRequests()
          .map((q) => q.turn)
          .sort(),
      ).toEqual(['api:done', 'api:write', 'fix:done', 'fix:edit', 'fix:read', 'order:done', 'order:patch', 'user:done', 'user:write']);

      // Each file came from the CLI's own tool, in the task's worktree (a relative path: the worktree is its cwd).
      const toolUses = ofType(evs, 'agent-event')
        .map((e) => ({ node: String(e.nodeId), agent: e.agent, ev: e.event as { kind: string; name: string; input?: Record<string, unknown> } }))
        .filter((x) => x.ev.kind === 'tool-use');
      expect(toolUses.find((x) => x.ev.name === 'Write' && x.ev.input?.file_path === 'app/models/user.py')?.agent).toBe('claude');
      expect(toolUses.find((x) => x.ev.name === 'file_change')?.agent).toBe('codex');
      expect(toolUses.find((x) => x.ev.name === 'Edit')).toMatchObject({
        agent: 'claude',
        ev: { input: { file_path: 'app/models/user.py', new_string: UPDATED_FIXED } },
      });

      // The timestamps gate failed once, on updated_at (line 12).
      const findings = ofType(evs, 'finding').map((e) => e.finding as { file: string; line: number; column: number; message: string; rule: string });
      expect(findings.map((f) => [f.rule, f.file, f.line])).toEqual([['sqlalchemy/timestamp-server-default', 'app/models/user.py', 12]]);
      // …and the fix prompt with that finding reached the real CLI, in the user message it sent the model.
      const fixAsk = lastUserText(m.mainRequests().find((q) => q.turn === 'fix:read')!);
      const f = findings[0]!;
      expect(fixAsk).toContain(`app/models/user.py:12:${f.column}: ${f.message} (sqlalchemy/timestamp-server-default)`);
      expect(f.message.length).toBeGreaterThan(10);

      // The branch holds the fixed model, Codex's order model and the API module; both phases checkpointed.
      const report = JSON.parse(r.stdout) as { ok: boolean; results: JsonResult[] };
      expect(report.ok).toBe(true);
      const branch = `orchestra/${path.basename(rd)}`;
      const show = (file: string) => git(dir, 'show', `${branch}:${file}`);
      expect(show('app/models/user.py')).toBe(USER_PY.replace('updated_at = Column(DateTime)', UPDATED_FIXED).trimEnd());
      expect(show('app/models/order.py')).toBe(ORDER_PY.trimEnd());
      expect(show('app/api/__init__.py')).toBe(API_PY.trimEnd());
      expect(git(dir, 'tag').split('\n').sort()).toEqual([`${branch}/models`, `${branch}/phase-1`]);
      expect(git(dir, 'status', '--porcelain')).toBe('');
      expect(git(dir, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
      expect(report.results.filter((x) => x.kind !== 'checkpoint').map((x) => [x.kind, x.name, x.status, x.agent ?? null, x.agentRuns ?? null])).toEqual([
        ['task', 'user-model', 'passed', 'claude', 1],
        ['task', 'order-model', 'passed', 'codex', 1],
        ['gate', 'compile', 'passed', null, null],
        ['gate', 'timestamps', 'passed', null, null],
        ['fix', 'models', 'passed', 'claude', 1],
        ['task', 'phase-1.app-api', 'passed', 'claude', 1],
        ['gate', 'phase-1-test', 'passed', null, null],
      ]);

      // Tokens as the server counted them; cost as Claude Code priced them (and as its stream-json said).
      const byName = (kind: string, name: string) => report.results.find((x) => x.kind === kind && x.name === name)!;
      const expected = {
        'task user-model': {
          inputTokens: claudeIn(U.userWrite, U.userDone),
          outputTokens: outOf(U.userWrite, U.userDone),
          costUsd: opusCost(U.userWrite, U.userDone),
        },
        'task order-model': { inputTokens: codexIn(U.orderPatch, U.orderDone), outputTokens: outOf(U.orderPatch, U.orderDone) },
        'fix models': {
          inputTokens: claudeIn(U.fixRead, U.fixEdit, U.fixDone),
          outputTokens: outOf(U.fixRead, U.fixEdit, U.fixDone),
          costUsd: opusCost(U.fixRead, U.fixEdit, U.fixDone),
        },
        'task phase-1.app-api': {
          inputTokens: claudeIn(U.apiWrite, U.apiDone),
          outputTokens: outOf(U.apiWrite, U.apiDone),
          costUsd: opusCost(U.apiWrite, U.apiDone),
        },
      };
      const mdReport = readFileSync(path.join(rd, 'report.md'), 'utf8');
      expect(mdReport).toContain('Every phase held.');
      for (const [key, want] of Object.entries(expected)) {
        const [kind, name] = key.split(' ') as [string, string];
        const got = byName(kind, name);
        expect([key, got.inputTokens, got.outputTokens]).toEqual([key, want.inputTokens, want.outputTokens]);
        if ('costUsd' in want) expect(got.costUsd, key).toBeCloseTo(want.costUsd, 9);
        else expect(got.costUsd, `${key}: Codex reports no cost`).toBeUndefined();
        const cost = 'costUsd' in want ? ` · $${want.costUsd.toFixed(4)}` : '';
        const agent = got.agent as string;
        expect(mdReport).toContain(`| ${kind} | ${name} | passed | ${agent} ×1 | ${want.inputTokens} / ${want.outputTokens}${cost} |`);
      }
      // Claude Code's own total_cost_usd, from the agent logs, is what orchestra reported.
      const logs = readdirSync(path.join(rd, 'logs'));
      const claudeCosts = logs
        .flatMap((l) => readFileSync(path.join(rd, 'logs', l), 'utf8').split('\n'))
        .filter((l) => l.startsWith('{"type":"result"'))
        .map((l) => (JSON.parse(l) as { total_cost_usd: number }).total_cost_usd)
        .sort();
      expect(claudeCosts).toEqual([byName('task', 'user-model').costUsd, byName('fix', 'models').costUsd, byName('task', 'phase-1.app-api').costUsd].sort());
      expect(mdReport).toContain('| task | user-model | passed | claude ×1 |');
      expect(mdReport).toMatch(/app\/models\/user\.py +\| +\d+ \+/);
      expect(mdReport).toContain('Files: 3.');
    },
  );
});

// --- 2. Failures, classified by orchestra --------------------------------------------------------

interface Failed {
  r: CliResult;
  evs: Ev[];
  /** The task's node-finished event. */
  task: Ev;
  /** One per attempt. */
  failures: Array<{ class: string; reason: string } | undefined>;
  report: string;
  dir: string;
}

/** One task `t` by the agent `a`, in a fresh repo; the run's record. */
async function runOne(agent: AgentEntry, prompt = 'Write hello.txt.'): Promise<Failed> {
  const dir = repo({ 'orchestra.config.yaml': oneTask(prompt, 'a'), 'team.json': teamJson([agent]) });
  const r = await runCli(['run'], dir);
  const evs = events(dir);
  const task = ofType(evs, 'node-finished').find((e) => String(e.nodeId).endsWith('/t'));
  expect(task, `${r.stdout}\n${r.stderr}`).toBeDefined();
  const rd = runDir(dir) as string;
  return { r, evs, task: task as Ev, failures: failuresOf(evs), report: readFileSync(path.join(rd, 'report.md'), 'utf8'), dir };
}

/** Half of an assistant line after a whole init line: what a CLI that dies mid-write leaves. */
const HALF_LINE = '{"type":"system","subtype":"init","session_id":"s-1","model":"m"}\n{"type":"assistant","message":{"content":[{"type":"te';

let crashes = 0;
/** A stand-in for the claude bin that prints `output` and then ends by `how` (`exit 3`, `kill -9 $$`). */
function crashingCli(h: Homes, how: string, output: string): string {
  const file = path.join(h.root, `crash-${++crashes}.sh`);
  // It passes orchestra's preflight as a Claude Code would (--version, --help with the flags), then crashes on the work.
  const help = 'Usage: claude [options]\n  --output-format <format>\n  --verbose\n  --permission-mode <mode>';
  writeFileSync(
    file,
    `#!/bin/sh\ncase "$1" in --version) echo '2.1.197 (Claude Code)'; exit 0;; --help) printf '%s\\n' '${help}'; exit 0;; esac\nprintf '%s' '${output.replace(/'/g, "'\\''")}'\n${how}\n`,
  );
  chmodSync(file, 0o755);
  return file;
}

const tryingAgain = (evs: Ev[]) => notes(evs).filter((n) => n.includes('trying again'));

/** The routes example with Claude Code: each task adds a route and a dependency; the later one meets a conflict and resolves it. */
function routesScenario(): Scenario {
  const task = (name: string, dep: string): Turn[] => {
    const asked = when.userSays(`Add the ${name} route`);
    return [
      turn.tools(claude.read('src/routes/index.js'), {
        name: `${name}:read`,
        api: 'anthropic',
        usage: usage(300, 20),
        match: and(asked, when.noToolResults()),
      }),
      turn.tools(claude.edit('src/routes/index.js', "  'home',\n", `  'home',\n  '${name}',\n`), {
        name: `${name}:edit`,
        api: 'anthropic',
        usage: usage(400, 30),
        match: and(asked, when.toolResultHas("'home'")),
      }),
      turn.tools(claude.write(`src/routes/${name}.js`, `module.exports = () => '${name}';\n`), {
        name: `${name}:write`,
        api: 'anthropic',
        usage: usage(500, 30),
        match: and(asked, when.toolResultHas('has been updated')),
      }),
      turn.tools(claude.bash(`npm install --save-exact --no-audit --no-fund --prefer-offline ${dep}`), {
        name: `${name}:npm`,
        api: 'anthropic',
        usage: usage(600, 30),
        match: and(asked, when.toolResultHas('File created successfully')),
      }),
      turn.text(`Added the ${name} route.`, {
        name: `${name}:done`,
        api: 'anthropic',
        usage: usage(700, 10),
        match: and(asked, when.toolResultHas(/added \d+ package|up to date/)),
      }),
    ];
  };
  const merging = when.userSays('Your task orders is done in this worktree');
  const PKG = `${JSON.stringify(
    {
      name: 'routes-example',
      version: '1.0.0',
      private: true,
      scripts: { test: 'node --test test/' },
      dependencies: { 'is-even': '1.0.0', 'is-number': '7.0.0', 'is-odd': '3.0.1' },
    },
    null,
    2,
  )}\n`;
  const INDEX = "// Every route the app serves, by name: each has its module in this folder.\nmodule.exports = [\n  'home',\n  'users',\n  'orders',\n];\n";
  return {
    turns: [
      ...task('users', 'is-odd@3.0.1'),
      ...task('orders', 'is-even@1.0.0'),
      turn.tools(claude.read('package.json'), { name: 'merge:read-pkg', api: 'anthropic', usage: usage(800, 20), match: and(merging, when.noToolResults()) }),
      turn.tools(claude.write('package.json', PKG), {
        name: 'merge:write-pkg',
        api: 'anthropic',
        usage: usage(900, 60),
        match: and(merging, when.toolResultHas('<<<<<<<'), when.toolResultHas('"dependencies"')),
      }),
      turn.tools(claude.read('src/routes/index.js'), {
        name: 'merge:read-index',
        api: 'anthropic',
        usage: usage(900, 20),
        match: and(merging, when.toolResultHas(/package\.json.*updated/)),
      }),
      turn.tools(claude.write('src/routes/index.js', INDEX), {
        name: 'merge:write-index',
        api: 'anthropic',
        usage: usage(1000, 40),
        match: and(merging, when.toolResultHas('<<<<<<<'), when.toolResultHas('module.exports')),
      }),
      turn.text('Kept both routes and both dependencies.', {
        name: 'merge:done',
        api: 'anthropic',
        usage: usage(1100, 10),
        match: and(merging, when.toolResultHas(/index\.js.*updated/)),
      }),
    ],
  };
}

describe('orchestra run: the merge queue with the real Claude Code', () => {
  it(
    'the routes example: two tasks add a route and a dependency each; npm ci sets up each worktree, the later task resolves its conflict, the lockfile is made again, npm test passes',
    { timeout: 300_000 },
    async () => {
      const h = homes();
      const m = await server(routesScenario());
      const dir = mkdtempSync(path.join(os.tmpdir(), 'orchestra-run-real-routes-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      cpSync(path.join(ROOT, 'examples', 'routes'), dir, { recursive: true });
      rmSync(path.join(dir, 'agents'), { recursive: true });
      writeFileSync(
        path.join(dir, 'team.json'),
        teamJson([claudeAgent(h, m, { id: 'claude', roles: ['implementer'], concurrency: 2, allowedTools: ['Bash(npm install:*)'], timeout: '4m' })]),
      );
      commitAll(dir);

      const r = await runCli(['run'], dir);
      const evs = events(dir);
      expect(r.code, `${r.stdout}\n${r.stderr}\n${story(evs)}`).toBe(0);
      expect(m.unmatched.map((q) => [lastUserText(q).slice(0, 120), toolResults(q).map((t) => t.output.slice(0, 200))])).toEqual([]);
      expect(r.stdout).toContain('routes/orders: merge round 1: package.json, src/routes/index.js conflict with work merged before');
      expect(r.stdout).toMatch(
        /routes\/orders: merge round 1: package-lock\.json, package\.json, src\/routes\/index\.js resolved \(package-lock\.json made again\)/,
      );
      expect(r.stdout).toMatch(/routes\/test: setup: `npm ci --prefer-offline --no-audit --no-fund` \(package-lock\.json\)/);
      const branch = `orchestra/${path.basename(runDir(dir) as string)}`;
      const lock = JSON.parse(git(dir, 'show', `${branch}:package-lock.json`)) as { packages: Record<string, { version?: string }> };
      expect(lock.packages['node_modules/is-odd']?.version).toBe('3.0.1');
      expect(lock.packages['node_modules/is-even']?.version).toBe('1.0.0');
      expect(git(dir, 'show', `${branch}:src/routes/index.js`)).toContain("'users',\n  'orders',");
      // The round is in the record as a sub-node of the task, and in the report's agent runs.
      expect(ofType(evs, 'agent-finished').map((e) => e.nodeId)).toContain('task:routes/orders#merge1');
      const report = readFileSync(path.join(runDir(dir) as string, 'report.md'), 'utf8');
      expect(report).toMatch(/\| task \| orders \| passed \| claude ×2 \|/);
    },
  );
});

describe('orchestra run: how the real CLIs fail, and what orchestra makes of it', () => {
  it("Claude Code, 401: an environment failure in the CLI's words with how to log in; one request, no retry", { timeout: 120_000 }, async () => {
    const h = homes();
    const m = await server({ turns: [turn.error(401, { times: Infinity })] });
    const f = await runOne(claudeAgent(h, m, { id: 'a', roles: ['implementer'] }));
    expect(f.r.code).toBe(1);
    expect(m.mainRequests()).toHaveLength(1);
    expect(tryingAgain(f.evs)).toEqual([]);
    expect(f.failures).toHaveLength(1);
    expect(f.failures[0]!.class).toBe('environment');
    expect(f.failures[0]!.reason).toContain('Invalid API key');
    expect(f.failures[0]!.reason).toContain(LOGIN_HINT_CLAUDE);
    expect(f.task).toMatchObject({ status: 'failed', attempts: 1 });
    expect(String(f.task.message)).toContain('Invalid API key');
    expect(String(f.task.message)).toContain(LOGIN_HINT_CLAUDE);
    expect(f.report).toContain('Invalid API key');
    expect(f.report).toContain('/login once, or set ANTHROPIC_API_KEY');
  });

  it('Claude Code, 429 then an answer: transient, orchestra tries again and the task passes', { timeout: 120_000 }, async () => {
    const h = homes();
    const m = await server({
      turns: [turn.error(429, { name: 'limited' }), turn.tools(claude.write('hello.txt', 'hello\n'), { name: 'write' }), turn.text('Done.', { name: 'done' })],
    });
    const f = await runOne(claudeAgent(h, m, { id: 'a', roles: ['implementer'] }));
    expect(f.r.code, story(f.evs)).toBe(0);
    // CLAUDE_CODE_MAX_RETRIES=0: the CLI gave up at once; the second request is orchestra's second attempt.
    expect(m.mainRequests().map((q) => [q.turn, q.status])).toEqual([
      ['limited', 429],
      ['write', 200],
      ['done', 200],
    ]);
    expect(f.failures.map((x) => x?.class ?? 'ok')).toEqual(['transient', 'ok']);
    expect(f.failures[0]!.reason).toContain('429');
    expect(tryingAgain(f.evs)).toHaveLength(1);
    expect(tryingAgain(f.evs)[0]).toMatch(/429.*trying again \(2 of 3\)/);
    expect(f.task).toMatchObject({ status: 'passed' });
    expect(git(f.dir, 'show', `orchestra/${path.basename(runDir(f.dir) as string)}:hello.txt`)).toBe('hello');
  });

  it('Claude Code, 529 every time: transient, tried three times in all, then the task fails', { timeout: 120_000 }, async () => {
    const h = homes();
    const m = await server({ turns: [turn.error(529, { times: Infinity })] });
    const f = await runOne(claudeAgent(h, m, { id: 'a', roles: ['implementer'] }));
    expect(f.r.code).toBe(1);
    expect(m.mainRequests()).toHaveLength(3);
    expect(f.failures.map((x) => x?.class)).toEqual(['transient', 'transient', 'transient']);
    expect(f.failures[0]!.reason).toContain('529');
    expect(tryingAgain(f.evs).map((n) => /\((\d) of 3\)/.exec(n)?.[1])).toEqual(['2', '3']);
    expect(f.task).toMatchObject({ status: 'failed' });
  });

  it('Claude Code, --max-turns 1 with a model that keeps calling tools: final, not retried', { timeout: 120_000 }, async () => {
    const h = homes();
    const m = await server({ turns: [turn.tools(claude.write('loop.txt', 'again\n'), { times: Infinity })] });
    const f = await runOne(claudeAgent(h, m, { id: 'a', roles: ['implementer'], args: ['--max-turns', '1'] }));
    expect(f.r.code).toBe(1);
    expect(m.mainRequests()).toHaveLength(1);
    expect(f.failures).toHaveLength(1);
    expect(f.failures[0]!.class).toBe('final');
    expect(f.failures[0]!.reason).toContain('error_max_turns');
    expect(tryingAgain(f.evs)).toEqual([]);
    expect(f.task).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it("Claude Code, a model that never answers: stopped at the agent's timeout (15s), nothing left running", { timeout: 120_000 }, async () => {
    const h = homes();
    const m = await server({ turns: [turn.hang({ name: 'hang' })] });
    const t0 = Date.now();
    // 15 s, not 5: on a loaded machine Claude Code once took over 5 s to send its first request at all.
    const f = await runOne(claudeAgent(h, m, { id: 'a', roles: ['implementer'], timeout: '15s' }));
    expect(f.r.code).toBe(1);
    expect(m.mainRequests().map((q) => q.turn)).toEqual(['hang']);
    expect(f.failures).toHaveLength(1);
    expect(f.failures[0]).toMatchObject({ class: 'final' });
    expect(f.failures[0]!.reason).toMatch(/^timed out/);
    expect(String(f.task.message)).toContain('timed out');
    expect(tryingAgain(f.evs)).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(60_000);
    expect(processesIn(f.dir)).toEqual([]);
  });

  it(
    'a Claude Code that crashes mid-line (exit 3) or is killed: the task fails once, is not retried forever, leaves nothing running',
    { timeout: 120_000 },
    async () => {
      const h = homes();
      for (const how of ['exit 3', 'kill -9 $$']) {
        const bin = crashingCli(h, how, HALF_LINE);
        const f = await runOne({ id: 'a', use: 'claude-code', bin, roles: ['implementer'] });
        expect(f.r.code, how).toBe(1);
        expect(f.task, how).toMatchObject({ status: 'failed', attempts: f.failures.length });
        // A transient failure is tried three times in all, any other once.
        expect(f.failures, how).toHaveLength(f.failures[0]!.class === 'transient' ? 3 : 1);
        expect(tryingAgain(f.evs), how).toHaveLength(f.failures.length - 1);
        expect(String(f.task.message), how).toMatch(/^agent a: /);
        // The session it announced before it died reached the record as it was printed.
        expect(ofType(f.evs, 'agent-event').map((e) => e.event)).toContainEqual({ kind: 'session', id: 's-1', model: 'm' });
        expect(processesIn(f.dir), how).toEqual([]);
      }
    },
  );

  // Found by this file: the adapters' finish() used to get the whole output tail (stdout and stderr share one log) as
  // if it were stderr, so a crash was reported by the half JSON line it printed last and judged by the model's words.
  it(
    "a crashed Claude Code is reported by how it ended (exit 3, SIGKILL), not by the half JSON line it printed last, nor judged by the model's words",
    { timeout: 120_000 },
    async () => {
      const h = homes();
      const crashed = await runOne({ id: 'a', use: 'claude-code', bin: crashingCli(h, 'exit 3', HALF_LINE), roles: ['implementer'] });
      expect(crashed.failures[0]!.reason).toContain('exited 3');
      const killed = await runOne({ id: 'a', use: 'claude-code', bin: crashingCli(h, 'kill -9 $$', HALF_LINE), roles: ['implementer'] });
      expect(killed.failures[0]!.reason).toMatch(/SIGKILL|killed/);
      // The model talked about an API key, then the CLI crashed: that is no login problem.
      const talk =
        '{"type":"system","subtype":"init","session_id":"s-2"}\n{"type":"assistant","message":{"content":[{"type":"text","text":"I will read the API key from settings."}]}}\n';
      const words = await runOne({ id: 'a', use: 'claude-code', bin: crashingCli(h, 'exit 3', talk), roles: ['implementer'] });
      expect(words.failures[0]!.class).not.toBe('environment');
      expect(words.failures[0]!.reason).not.toContain('/login');
    },
  );

  it('Codex, 401 with its own retries off: an environment failure with how to log in; one request, no retry', { timeout: 120_000 }, async () => {
    const h = homes();
    const m = await server({ turns: [turn.error(401, { times: Infinity })] });
    const f = await runOne(
      codexAgent(h, m, { id: 'a', roles: ['implementer'] }, ['model_providers.mock.stream_max_retries=0', 'model_providers.mock.request_max_retries=0']),
    );
    expect(f.r.code).toBe(1);
    expect(m.mainRequests()).toHaveLength(1);
    expect(f.failures).toHaveLength(1);
    expect(f.failures[0]!.class).toBe('environment');
    expect(f.failures[0]!.reason).toContain('401 Unauthorized');
    expect(f.failures[0]!.reason).toContain('(to fix: run `codex login`, or set OPENAI_API_KEY');
    expect(tryingAgain(f.evs)).toEqual([]);
    expect(f.task).toMatchObject({ status: 'failed', attempts: 1 });
  });
});

// --- 3. Live events, 4. Gemini ----------------------------------------------------------------------

describe('orchestra run: live agent events and Gemini', () => {
  it('a tool use reaches events.jsonl and `logs --events` while the real CLI still waits on the model', { timeout: 120_000 }, async () => {
    const h = homes();
    const m = await server({
      turns: [
        turn.tools(claude.write('live.txt', 'live\n'), { name: 'write', match: when.noToolResults() }),
        turn.hold('second', { kind: 'text', text: 'Done.' }, { name: 'second', match: when.toolResultHas('File created successfully') }),
      ],
    });
    const dir = repo({
      'orchestra.config.yaml': oneTask('Write live.txt.', 'a'),
      'team.json': teamJson([claudeAgent(h, m, { id: 'a', roles: ['implementer'] })]),
    });
    let finished = false;
    const run = runCli(['run'], dir).finally(() => {
      finished = true;
    });
    try {
      const isWrite = (e: Ev) =>
        e.type === 'agent-event' &&
        (e.event as { kind: string; name?: string }).kind === 'tool-use' &&
        (e.event as { name?: string }).name === 'Write' &&
        (e.event as { input?: { file_path?: string } }).input?.file_path === 'live.txt';
      const seen = await until('the Write tool use in events.jsonl', () => events(dir).find(isWrite));
      // The CLI is still at work: the server holds its second request, and the run has not ended.
      await until('the second request to be held', () => m.requests.some((q) => q.turn === 'second'));
      expect(finished).toBe(false);
      expect(events(dir).some((e) => e.type === 'agent-finished' || e.type === 'run-finished')).toBe(false);
      expect(String(seen.nodeId)).toMatch(/\/t$/);
      // The same event through the CLI, from another process, while the run works.
      const logs = await runCli(['logs', 't', '--events'], dir);
      expect(logs.code, logs.stderr).toBe(0);
      const shown = logs.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { kind: string; name?: string; input?: { file_path?: string } });
      expect(shown).toContainEqual(expect.objectContaining({ kind: 'tool-use', name: 'Write', input: expect.objectContaining({ file_path: 'live.txt' }) }));
      expect(finished).toBe(false);
    } finally {
      // Also when an assertion above failed: let the run end before the repo is removed.
      m.release('second');
      await run;
    }
    const r = await run;
    expect(r.code, `${r.stderr}\n${story(events(dir))}`).toBe(0);
    const evs = events(dir);
    const write = evs.findIndex((e) => e.type === 'agent-event' && (e.event as { name?: string }).name === 'Write');
    expect(write).toBeGreaterThan(-1);
    expect(write).toBeLessThan(evs.findIndex((e) => e.type === 'agent-finished'));
    expect(git(dir, 'show', `orchestra/${path.basename(runDir(dir) as string)}:live.txt`)).toBe('live');
  });

  it(
    "Claude Code refuses by its own permission rules to edit a path the task's scope forbids; the refusal is noted, the rest merged",
    { timeout: 120_000 },
    async () => {
      const h = homes();
      const m = await server({
        turns: [
          turn.tools(claude.write('app/secret.py', 'KEY = 1\n'), { name: 'forbidden', usage: usage(100, 10), match: when.noToolResults() }),
          turn.tools(claude.write('app/ok.py', 'OK = 1\n'), {
            name: 'allowed',
            usage: usage(100, 10),
            match: (c) => c.toolResults.some((t) => t.isError === true),
          }),
          turn.text('Done.', { name: 'done', usage: usage(100, 5), match: when.toolResultHas('File created successfully') }),
        ],
      });
      const config = oneTask('Write app/secret.py and app/ok.py.').replace(
        'scope: { touch: ["**"] }',
        'scope: { touch: ["app/**"], forbid: ["app/secret.py"] }',
      );
      const dir = repo({ 'orchestra.config.yaml': config, 'team.json': teamJson([claudeAgent(h, m, { id: 'a', roles: ['implementer'] })]) });
      const r = await runCli(['run'], dir);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(m.mainRequests().map((q) => q.turn)).toEqual(['forbidden', 'allowed', 'done']);
      // The CLI itself said no: its tool result was an error, and the file was never written.
      expect(toolResults(m.mainRequests()[1]!)).toEqual([expect.objectContaining({ isError: true })]);
      const log = readFileSync(path.join(runDir(dir) as string, 'logs', 'task_p_t.log'), 'utf8');
      expect(
        r.stdout,
        log
          .split('\n')
          .filter((l) => l.includes('is_error":true'))
          .join('\n'),
      ).toMatch(/p\/t: refused by the CLI's permissions: Write .*app\/secret\.py/);
      const branch = `orchestra/${path.basename(runDir(dir) as string)}`;
      expect(git(dir, 'show', `${branch}:app/ok.py`)).toBe('OK = 1');
      expect(() => git(dir, 'show', `${branch}:app/secret.py`)).toThrow();
      expect(readFileSync(path.join(runDir(dir) as string, 'report.md'), 'utf8')).toMatch(/- p\/t: refused by the CLI's permissions: Write .*app\/secret\.py/);
    },
  );

  it('Gemini writes a file with write_file in a new worktree without asking (--yolo --skip-trust)', { timeout: 120_000 }, async () => {
    const h = homes();
    const m = await server({
      turns: [
        turn.tools(gemini.writeFile('gemini.txt', 'from gemini\n'), { name: 'write', usage: usage(120, 30), match: when.noToolResults() }),
        turn.text('Wrote gemini.txt.', {
          name: 'done',
          usage: usage(200, 10),
          match: (c) => c.toolResults.some((t) => t.name === 'write_file' && /success/i.test(t.output)),
        }),
      ],
    });
    const f = await runOne(geminiAgent(h, m, { id: 'a', roles: ['implementer'] }), 'Write gemini.txt.');
    expect(f.r.code, `${f.r.stderr}\n${story(f.evs)}`).toBe(0);
    expect(m.unmatched.map((q) => toolResults(q))).toEqual([]);
    expect(m.mainRequests().map((q) => q.turn)).toEqual(['write', 'done']);
    expect(git(f.dir, 'show', `orchestra/${path.basename(runDir(f.dir) as string)}:gemini.txt`)).toBe('from gemini');
    const evs = ofType(f.evs, 'agent-event').map((e) => e.event as { kind: string; name?: string; ok?: boolean });
    expect(evs).toContainEqual(expect.objectContaining({ kind: 'tool-use', name: 'write_file' }));
    expect(evs).toContainEqual(expect.objectContaining({ kind: 'tool-result', ok: true }));
    expect(ofType(f.evs, 'agent-finished')).toEqual([
      expect.objectContaining({ ok: true, usage: expect.objectContaining({ inputTokens: 320, outputTokens: 40 }) }),
    ]);
    // The folder was trusted for the session: no approval mode fallback in what Gemini printed.
    const log = readdirSync(path.join(runDir(f.dir) as string, 'logs'))
      .map((l) => readFileSync(path.join(runDir(f.dir) as string, 'logs', l), 'utf8'))
      .join('\n');
    expect(log).not.toContain('not trusted');
  });
});
