// The real agent CLIs (pinned versions, installed by scripts/install-agent-clis.mjs) run end to end against the scripted
// model server in test/fixtures/model-server: files really change on disk, and what the CLIs print is what they print.
// Set ORCHESTRA_RECORD_SAMPLES=1 to (re)write test/fixtures/agent-samples/real/ from these runs.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  claude,
  codex,
  gemini,
  lastUserText,
  startModelServer,
  systemPrompt,
  toolNames,
  toolResults,
  turn,
  usage,
  when,
  type ModelServer,
  type Scenario,
} from '../fixtures/model-server/index.js';
import { realAgentHooks } from '../helpers/real-agents.js';

const SAMPLES = fileURLToPath(new URL('../fixtures/agent-samples/real/', import.meta.url));
const RECORD = process.env.ORCHESTRA_RECORD_SAMPLES === '1';

// The pinned CLIs, installed once (a failed install fails every test here with npm's output), and the clean-ups.
const hooks = realAgentHooks();

interface Sandbox {
  root: string;
  work: string;
  home: string;
  tmp: string;
}

/** A temp folder with a private HOME, a private TMPDIR and a working directory; removed after the test. */
function sandbox(): Sandbox {
  const root = mkdtempSync(path.join(os.tmpdir(), 'orchestra-real-cli-'));
  const s = { root, work: path.join(root, 'work'), home: path.join(root, 'home'), tmp: path.join(root, 'tmp') };
  for (const d of [s.work, s.home, s.tmp]) mkdirSync(d, { recursive: true });
  hooks.cleanup(() => rmSync(root, { recursive: true, force: true }));
  return s;
}

async function server(scenario: Scenario): Promise<ModelServer> {
  const s = await startModelServer(scenario);
  hooks.cleanup(() => s.close());
  return s;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** stdout's JSON lines. */
  events: Array<Record<string, unknown>>;
}

/** Runs a CLI with stdin on /dev/null, only the given env (plus PATH), and a hard kill after timeoutMs. */
function run(bin: string, args: string[], opts: { cwd: string; env: Record<string, string>; timeoutMs?: number }): Promise<Run> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      cwd: opts.cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 25_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const events = stdout
        .split('\n')
        .filter((l) => l.trim().startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, stdout, stderr, ms: Date.now() - t0, events });
    });
  });
}

function record(name: string, text: string): void {
  if (!RECORD) return;
  mkdirSync(SAMPLES, { recursive: true });
  writeFileSync(path.join(SAMPLES, name), text);
}

const ofType = (events: Run['events'], type: string) => events.filter((e) => e.type === type);

// --- Claude Code --------------------------------------------------------------------------------

function claudeEnv(s: Sandbox, m: ModelServer, extra: Record<string, string> = {}): Record<string, string> {
  return {
    HOME: s.home,
    TMPDIR: s.tmp,
    ANTHROPIC_BASE_URL: m.url,
    ANTHROPIC_API_KEY: 'x',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    ...extra,
  };
}

const CLAUDE_FLAGS = ['--output-format', 'stream-json', '--verbose', '--permission-mode', 'acceptEdits'];

describe('Claude Code 2.1.197 against the model server', () => {
  it('writes a file, edits it, answers; reports cost and usage', { timeout: 40_000 }, async () => {
    const s = sandbox();
    const file = path.join(s.work, 'notes.txt');
    const m = await server({
      turns: [
        turn.tools(claude.write(file, 'alpha\nbeta\n'), { name: 'write', usage: usage(100, 20), match: when.userSays('Write notes.txt') }),
        turn.tools(claude.edit(file, 'beta', 'gamma'), { name: 'edit', usage: usage(200, 30, 40, 10), match: when.toolResultHas('File created successfully') }),
        turn.text('Wrote and edited notes.txt.', { name: 'final', usage: usage(300, 40), match: when.toolResultHas('has been updated') }),
      ],
    });
    const r = await run(hooks.clis().claude, ['-p', 'Write notes.txt, then change beta to gamma.', ...CLAUDE_FLAGS], { cwd: s.work, env: claudeEnv(s, m) });
    record('claude-code.write-edit.stream.jsonl', r.stdout);

    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('alpha\ngamma\n');
    expect(m.unmatched).toEqual([]);
    expect(m.mainRequests().map((q) => q.turn)).toEqual(['write', 'edit', 'final']);

    const init = r.events[0]!;
    expect(init).toMatchObject({ type: 'system', subtype: 'init', cwd: s.work, permissionMode: 'acceptEdits', claude_code_version: '2.1.197' });
    const toolUses = ofType(r.events, 'assistant').flatMap((e) =>
      (e.message as { content: Array<{ type: string; name?: string }> }).content.filter((c) => c.type === 'tool_use'),
    );
    expect(toolUses.map((t) => t.name)).toEqual(['Write', 'Edit']);

    const result = r.events.at(-1)!;
    expect(result).toMatchObject({ type: 'result', subtype: 'success', is_error: false, num_turns: 3, result: 'Wrote and edited notes.txt.' });
    // Usage is the sum over the three turns; cost is the default model's list price (claude-opus-4-8: $5 in, $25 out,
    // $0.50 cache read, $6.25 cache write per MTok): 600*5 + 90*25 + 40*0.5 + 10*6.25 = 5332.5 µ$.
    expect(result.usage).toMatchObject({ input_tokens: 600, output_tokens: 90, cache_read_input_tokens: 40, cache_creation_input_tokens: 10 });
    expect(result.total_cost_usd).toBeCloseTo(0.0053325, 9);

    const first = m.mainRequests()[0]!;
    expect(lastUserText(first)).toContain('Write notes.txt, then change beta to gamma.');
    expect(toolNames(first)).toEqual(expect.arrayContaining(['Write', 'Edit', 'Bash', 'Read']));
    expect(systemPrompt(first)).toContain('Claude');
    expect(first.headers['x-api-key']).toBe('<redacted>');
    expect(first.headers['user-agent']).toContain('claude-cli/2.1.197');
    expect(toolResults(m.mainRequests()[2]!)[0]!.output).toContain('has been updated');
  });

  it('401: no retry with CLAUDE_CODE_MAX_RETRIES=0, an is_error result with api_error_status 401, exit 1', { timeout: 30_000 }, async () => {
    const s = sandbox();
    const m = await server({ turns: [turn.error(401, { times: Infinity })] });
    const r = await run(hooks.clis().claude, ['-p', 'hi', ...CLAUDE_FLAGS], { cwd: s.work, env: claudeEnv(s, m, { CLAUDE_CODE_MAX_RETRIES: '0' }) });
    record('claude-code.401.stream.jsonl', r.stdout);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(m.mainRequests()).toHaveLength(1);
    const assistant = ofType(r.events, 'assistant')[0]!;
    expect(assistant).toMatchObject({ error: 'authentication_failed', message: { model: '<synthetic>' } });
    expect(r.events.at(-1)).toMatchObject({
      type: 'result',
      subtype: 'success',
      is_error: true,
      api_error_status: 401,
      result: 'Invalid API key · Fix external API key',
      total_cost_usd: 0,
    });
  });

  it('429: retried CLAUDE_CODE_MAX_RETRIES times with backoff (api_retry lines), then api_error_status 429', { timeout: 30_000 }, async () => {
    const s = sandbox();
    const m = await server({ turns: [turn.error(429, { times: Infinity })] });
    const r = await run(hooks.clis().claude, ['-p', 'hi', ...CLAUDE_FLAGS], { cwd: s.work, env: claudeEnv(s, m, { CLAUDE_CODE_MAX_RETRIES: '2' }) });
    record('claude-code.429.stream.jsonl', r.stdout);
    expect(r.code).toBe(1);
    expect(m.mainRequests()).toHaveLength(3);
    const retries = r.events.filter((e) => e.type === 'system' && e.subtype === 'api_retry');
    expect(retries.map((e) => [e.attempt, e.max_retries, e.error_status, e.error])).toEqual([
      [1, 2, 429, 'rate_limit'],
      [2, 2, 429, 'rate_limit'],
    ]);
    // Exponential backoff from 500 ms with up to 25 % jitter.
    expect(retries[0]!.retry_delay_ms).toBeGreaterThanOrEqual(500);
    expect(retries[1]!.retry_delay_ms).toBeGreaterThanOrEqual(1000);
    expect(r.events.at(-1)).toMatchObject({ type: 'result', is_error: true, api_error_status: 429 });
    expect(String(r.events.at(-1)!.result)).toContain('API Error: Request rejected (429)');
  });

  it('429 once, then an answer: the CLI recovers by itself', { timeout: 30_000 }, async () => {
    const s = sandbox();
    const m = await server({ turns: [turn.error(429), turn.text('Recovered.', { usage: usage(7, 3) })] });
    const r = await run(hooks.clis().claude, ['-p', 'hi', ...CLAUDE_FLAGS], { cwd: s.work, env: claudeEnv(s, m, { CLAUDE_CODE_MAX_RETRIES: '1' }) });
    expect(r.code, r.stderr).toBe(0);
    expect(m.mainRequests().map((q) => q.status)).toEqual([429, 200]);
    expect(r.events.filter((e) => e.subtype === 'api_retry')).toHaveLength(1);
    expect(r.events.at(-1)).toMatchObject({ type: 'result', is_error: false, result: 'Recovered.', usage: { input_tokens: 7, output_tokens: 3 } });
  });

  it('529: at most 3 attempts whatever CLAUDE_CODE_MAX_RETRIES says, then "Repeated 529" with api_error_status null', { timeout: 30_000 }, async () => {
    const s = sandbox();
    const m = await server({ turns: [turn.error(529, { times: Infinity })] });
    const r = await run(hooks.clis().claude, ['-p', 'hi', ...CLAUDE_FLAGS], { cwd: s.work, env: claudeEnv(s, m, { CLAUDE_CODE_MAX_RETRIES: '5' }) });
    record('claude-code.529.stream.jsonl', r.stdout);
    expect(r.code).toBe(1);
    expect(m.mainRequests()).toHaveLength(3);
    expect(r.events.filter((e) => e.subtype === 'api_retry').map((e) => e.error)).toEqual(['overloaded', 'overloaded']);
    expect(r.events.at(-1)).toMatchObject({ type: 'result', is_error: true, api_error_status: null });
    expect(String(r.events.at(-1)!.result)).toContain('Repeated 529 Overloaded errors');
  });

  it('529 without retries: api_error_status 529', { timeout: 30_000 }, async () => {
    const s = sandbox();
    const m = await server({ turns: [turn.error(529, { times: Infinity })] });
    const r = await run(hooks.clis().claude, ['-p', 'hi', ...CLAUDE_FLAGS], { cwd: s.work, env: claudeEnv(s, m, { CLAUDE_CODE_MAX_RETRIES: '0' }) });
    expect(r.code).toBe(1);
    expect(m.mainRequests()).toHaveLength(1);
    expect(r.events.at(-1)).toMatchObject({ type: 'result', is_error: true, api_error_status: 529 });
    expect(String(r.events.at(-1)!.result)).toContain('API Error: 529 Overloaded');
  });

  it('--max-turns 1 with a model that keeps calling tools: error_max_turns, exit 1', { timeout: 30_000 }, async () => {
    const s = sandbox();
    const m = await server({ turns: [turn.tools(claude.bash('echo again', 'Print again'), { times: Infinity, usage: usage(50, 10) })] });
    const r = await run(hooks.clis().claude, ['-p', 'Loop forever.', ...CLAUDE_FLAGS, '--max-turns', '1', '--allowedTools', 'Bash(echo:*)'], {
      cwd: s.work,
      env: claudeEnv(s, m),
    });
    record('claude-code.max-turns.stream.jsonl', r.stdout);
    expect(r.code).toBe(1);
    const result = r.events.at(-1)!;
    expect(result).toMatchObject({ type: 'result', subtype: 'error_max_turns', is_error: true, terminal_reason: 'max_turns' });
    expect(result.result).toBeUndefined();
    expect(result.usage).toMatchObject({ input_tokens: 50, output_tokens: 10 });
    // The one allowed turn ran its tool for real.
    const bashResult = ofType(r.events, 'user').map((e) => e.tool_use_result as { stdout?: string } | undefined)[0];
    expect(bashResult?.stdout).toBe('again');
  });
});

// --- Codex --------------------------------------------------------------------------------------

function codexSetup(s: Sandbox, m: ModelServer, extraConfig: string[] = []): { args: string[]; env: Record<string, string> } {
  const codexHome = path.join(s.home, '.codex');
  mkdirSync(codexHome, { recursive: true });
  const args = [
    'exec',
    '--json',
    // gpt-5.5 gets the classic tools (exec_command + freeform apply_patch); the default model gets code mode instead.
    '-m',
    'gpt-5.5',
    '--sandbox',
    'workspace-write',
    '--skip-git-repo-check',
    '-c',
    'model_provider=mock',
    '-c',
    `model_providers.mock={name="mock",base_url="${m.url}/v1",wire_api="responses",env_key="OPENAI_API_KEY"}`,
    '-c',
    'check_for_update_on_startup=false',
    '-c',
    'analytics.enabled=false',
    ...extraConfig.flatMap((c) => ['-c', c]),
  ];
  // TMPDIR must not contain CODEX_HOME: Codex refuses to create its sandbox helper aliases under the temp dir, and
  // then every sandboxed command fails with "bwrap: execvp codex-linux-sandbox: No such file or directory".
  return { args, env: { HOME: s.home, CODEX_HOME: codexHome, TMPDIR: s.tmp, OPENAI_API_KEY: 'x', NO_COLOR: '1' } };
}

describe('Codex 0.171.0 against the model server', () => {
  it('applies a patch and runs a command in the workspace-write sandbox; JSONL with usage', { timeout: 40_000 }, async () => {
    const s = sandbox();
    const m = await server({
      turns: [
        turn.tools(codex.addFile('hello.txt', 'hello from codex\n'), { name: 'patch', usage: usage(100, 20) }),
        turn.tools(codex.updateFile('hello.txt', ['hello from codex'], ['hello, patched']), {
          name: 'update',
          usage: usage(150, 25),
          match: when.toolResultHas('A hello.txt'),
        }),
        turn.tools(codex.exec('cat hello.txt && echo done > out.txt'), { name: 'shell', usage: usage(200, 30, 50), match: when.toolResultHas('M hello.txt') }),
        turn.text('All done.', { name: 'final', usage: usage(300, 40), match: when.toolResultHas('hello, patched') }),
      ],
    });
    const { args, env } = codexSetup(s, m);
    const r = await run(hooks.clis().codex, [...args, 'Create hello.txt and run a command.'], { cwd: s.work, env });
    record('codex.apply-patch.jsonl', r.stdout);

    expect(r.code, r.stderr).toBe(0);
    expect(m.unmatched.map((q) => toolResults(q))).toEqual([]);
    expect(readFileSync(path.join(s.work, 'hello.txt'), 'utf8')).toBe('hello, patched\n');
    expect(readFileSync(path.join(s.work, 'out.txt'), 'utf8')).toBe('done\n');

    expect(r.events[0]).toMatchObject({ type: 'thread.started' });
    const done = ofType(r.events, 'item.completed').map((e) => e.item as Record<string, unknown>);
    expect(done.map((i) => i.type)).toEqual(['file_change', 'file_change', 'command_execution', 'agent_message']);
    expect(done[0]).toMatchObject({ status: 'completed', changes: [{ path: path.join(s.work, 'hello.txt'), kind: 'add' }] });
    expect(done[1]).toMatchObject({ status: 'completed', changes: [{ path: path.join(s.work, 'hello.txt'), kind: 'update' }] });
    expect(done[2]).toMatchObject({
      command: "/bin/bash -lc 'cat hello.txt && echo done > out.txt'",
      exit_code: 0,
      status: 'completed',
      aggregated_output: 'hello, patched\n',
    });
    expect(done[3]).toMatchObject({ text: 'All done.' });
    // Thread totals: the sum of the four responses.
    expect(r.events.at(-1)).toMatchObject({ type: 'turn.completed', usage: { input_tokens: 750, cached_input_tokens: 50, output_tokens: 115 } });

    const first = m.mainRequests()[0]!;
    expect(lastUserText(first)).toBe('Create hello.txt and run a command.');
    expect(toolNames(first)).toEqual(expect.arrayContaining(['exec_command', 'apply_patch']));
    expect(first.headers.authorization).toBe('<redacted>');
    expect(first.headers['user-agent']).toContain('0.171.0');
  });

  it('401 with request/stream retries off: one request, turn.failed, exit 1', { timeout: 30_000 }, async () => {
    const s = sandbox();
    const m = await server({ turns: [turn.error(401, { times: Infinity })] });
    const { args, env } = codexSetup(s, m, ['model_providers.mock.stream_max_retries=0', 'model_providers.mock.request_max_retries=0']);
    const r = await run(hooks.clis().codex, [...args, 'hi'], { cwd: s.work, env });
    record('codex.401.jsonl', r.stdout);
    expect(r.code).toBe(1);
    expect(m.mainRequests()).toHaveLength(1);
    expect(r.events.map((e) => e.type)).toEqual(['thread.started', 'turn.started', 'error', 'turn.failed']);
    expect((r.events.at(-1)!.error as { message: string }).message).toContain('unexpected status 401 Unauthorized: Incorrect API key provided');
  });

  it('401 with default settings: five "Reconnecting... n/5" errors (≈6 s of backoff), then turn.failed', { timeout: 40_000 }, async () => {
    const s = sandbox();
    const m = await server({ turns: [turn.error(401, { times: Infinity })] });
    const { args, env } = codexSetup(s, m);
    const r = await run(hooks.clis().codex, [...args, 'hi'], { cwd: s.work, env, timeoutMs: 35_000 });
    record('codex.401-reconnecting.jsonl', r.stdout);
    expect(r.code).toBe(1);
    expect(m.mainRequests()).toHaveLength(6);
    const errors = ofType(r.events, 'error').map((e) => String(e.message));
    expect(errors.slice(0, 5).map((e) => e.slice(0, 19))).toEqual([1, 2, 3, 4, 5].map((n) => `Reconnecting... ${n}/5`));
    expect(r.events.at(-1)!.type).toBe('turn.failed');
  });

  it('429: no retry, "exceeded retry limit, last status: 429 Too Many Requests"', { timeout: 30_000 }, async () => {
    const s = sandbox();
    const m = await server({ turns: [turn.error(429, { times: Infinity })] });
    const { args, env } = codexSetup(s, m);
    const r = await run(hooks.clis().codex, [...args, 'hi'], { cwd: s.work, env });
    record('codex.429.jsonl', r.stdout);
    expect(r.code).toBe(1);
    expect(m.mainRequests()).toHaveLength(1);
    expect(r.events.at(-1)).toEqual({ type: 'turn.failed', error: { message: 'exceeded retry limit, last status: 429 Too Many Requests' } });
  });
});

// --- Gemini CLI ---------------------------------------------------------------------------------

function geminiSetup(s: Sandbox, m: ModelServer): Record<string, string> {
  mkdirSync(path.join(s.home, '.gemini'), { recursive: true });
  // GOOGLE_GEMINI_BASE_URL alone selects the "gateway" auth type, which non-interactive mode rejects ("Invalid auth
  // method selected.", exit 41); selecting gemini-api-key keeps the base URL and passes.
  const settings = {
    security: { auth: { selectedType: 'gemini-api-key' } },
    general: { disableAutoUpdate: true, disableUpdateNag: true, enableAutoUpdate: false, enableAutoUpdateNotification: false },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
  };
  writeFileSync(path.join(s.home, '.gemini', 'settings.json'), JSON.stringify(settings));
  return { HOME: s.home, TMPDIR: s.tmp, GOOGLE_GEMINI_BASE_URL: m.url, GEMINI_API_KEY: 'x', GEMINI_CLI_NO_RELAUNCH: 'true', NO_COLOR: '1' };
}

describe('Gemini CLI 0.61.0 against the model server', () => {
  it('writes a file, runs a command, answers; stream-json with stats', { timeout: 40_000 }, async () => {
    const s = sandbox();
    const m = await server({
      turns: [
        turn.tools(gemini.writeFile('hello.txt', 'hello from gemini\n'), { name: 'write', usage: usage(100, 20) }),
        turn.tools(gemini.shell('cat hello.txt'), { name: 'shell', usage: usage(200, 30), match: (c) => c.toolResults.some((t) => t.name === 'write_file') }),
        turn.text('Done.', { name: 'final', usage: usage(300, 40), match: when.toolResultHas('hello from gemini') }),
      ],
    });
    // -m: with the default "auto" model Gemini first asks a router model (a JSON side request) which model to use.
    const r = await run(hooks.clis().gemini, ['-p', 'Create hello.txt', '-m', 'gemini-2.5-pro', '--output-format', 'stream-json', '--yolo', '--skip-trust'], {
      cwd: s.work,
      env: geminiSetup(s, m),
    });
    record('gemini.write-file.stream.jsonl', r.stdout);

    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(path.join(s.work, 'hello.txt'), 'utf8')).toBe('hello from gemini\n');
    expect(m.unmatched).toEqual([]);
    expect(r.events.map((e) => e.type)).toEqual(['init', 'message', 'tool_use', 'tool_result', 'tool_use', 'tool_result', 'message', 'result']);
    expect(r.events[2]).toMatchObject({ tool_name: 'write_file', parameters: { file_path: 'hello.txt' } });
    expect(r.events[3]).toMatchObject({ status: 'success' });
    expect(r.events[5]).toMatchObject({ status: 'success' });
    expect(r.events.at(-1)).toMatchObject({
      type: 'result',
      status: 'success',
      stats: { input_tokens: 600, output_tokens: 90, tool_calls: 2, models: { 'gemini-2.5-pro': { input_tokens: 600, output_tokens: 90 } } },
    });

    const first = m.mainRequests()[0]!;
    expect(first.path).toBe('/v1beta/models/gemini-2.5-pro:streamGenerateContent');
    expect(lastUserText(first)).toContain('Create hello.txt');
    expect(toolNames(first)).toEqual(expect.arrayContaining(['write_file', 'replace', 'run_shell_command', 'read_file']));
    expect(first.headers['x-goog-api-key']).toBe('<redacted>');
    expect(first.headers['x-gemini-api-privileged-user-id']).toBeUndefined();
    expect(existsSync(path.join(s.work, '.gemini'))).toBe(false);
  });
});
