import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../src/agents/adapters/index.js';
import { agentEnv, launchFor } from '../../src/agents/launch.js';
import type { Adapter, AgentEvent, AgentOutcome } from '../../src/agents/types.js';
import type { Agent } from '../../src/config/types.js';
import { ROOT } from '../helpers/repo.js';

const SAMPLES = path.join(ROOT, 'test', 'fixtures', 'agent-samples');

/** Feeds a recorded sample through an adapter's parser as the process would have printed it. */
function parse(adapter: Adapter, file: string, exitCode: number, stderrFile?: string): { events: AgentEvent[]; outcome: AgentOutcome } {
  const parser = adapter.parser();
  const text = readFileSync(path.join(SAMPLES, file), 'utf8');
  const events = text.split('\n').flatMap((l) => parser.line(l));
  const stderr = stderrFile ? readFileSync(path.join(SAMPLES, stderrFile), 'utf8') : '';
  return { events, outcome: parser.finish(exitCode, stderr) };
}

const kinds = (events: AgentEvent[]) => events.map((e) => e.kind);

describe('claude-code adapter', () => {
  it('parses a successful stream-json run', () => {
    const { events, outcome } = parse(ADAPTERS['claude-code'], 'claude-code.stream.jsonl', 0);
    expect(events[0]).toEqual({ kind: 'session', id: '7c9e2b14-5d3a-4f61-9b8e-0a2f6c1d4e87', model: 'claude-sonnet-4-5-20250929' });
    expect(kinds(events).filter((k) => k === 'tool-use')).toHaveLength(3);
    expect(kinds(events).filter((k) => k === 'tool-result')).toHaveLength(3);
    expect(outcome.ok).toBe(true);
    expect(outcome.final).toContain('Added a `GET /health` endpoint');
    expect(outcome.usage).toEqual({ inputTokens: 18 + 6506 + 67537, outputTokens: 497, cachedInputTokens: 67537, costUsd: 0.0527206 });
  });

  it('reads the one-object json result too', () => {
    const { outcome } = parse(ADAPTERS['claude-code'], 'claude-code.result.json', 0);
    expect(outcome).toMatchObject({ ok: true, sessionId: '2f81c6d9-4e0b-4a73-9c5d-b1e7a3f0d264', usage: { costUsd: 0.0527446, outputTokens: 512 } });
  });

  it('fails on is_error (max turns is final) and keeps the cost', () => {
    const { outcome } = parse(ADAPTERS['claude-code'], 'claude-code.error-max-turns.json', 1);
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toEqual({ class: 'final', reason: 'error_max_turns: Reached maximum number of turns (2)' });
    expect(outcome.usage.costUsd).toBe(0.0356093);
  });

  it('classifies API errors by status and knows the --verbose correction', () => {
    const parser = ADAPTERS['claude-code'].parser();
    parser.line(JSON.stringify({ type: 'result', subtype: 'success', is_error: true, api_error_status: 529, session_id: 's', usage: {} }));
    expect(parser.finish(1, '').failure?.class).toBe('transient');
    const noVerbose = ADAPTERS['claude-code'].parser().finish(1, 'Error: When using --print, --output-format=stream-json requires --verbose\n');
    expect(noVerbose.failure?.class).toBe('environment');
    const fixed = ADAPTERS['claude-code'].correct({ argv: ['claude', '-p', 'x', '--output-format', 'stream-json'] }, noVerbose, 'requires --verbose');
    expect(fixed?.argv).toEqual(['claude', '-p', 'x', '--output-format', 'stream-json', '--verbose']);
  });
});

describe('claude-code adapter and the scope', () => {
  it("tells Claude Code to refuse edits of forbidden paths (absolute deny rules), and reads its refusals back as notes' words", () => {
    const launch = ADAPTERS['claude-code'].launch({ args: [] }, { prompt: 'p', promptFile: '/p', workdir: '/w/t1/', forbid: ['.env*', './app/secret.py'] });
    const settings = launch.argv[launch.argv.indexOf('--settings') + 1] as string;
    expect(JSON.parse(settings)).toEqual({ permissions: { deny: ['Edit(//w/t1/.env*)', 'Edit(//w/t1/app/secret.py)'] } });
    expect(ADAPTERS['claude-code'].launch({ args: [] }, { prompt: 'p', promptFile: '/p', workdir: '/w' }).argv).not.toContain('--settings');

    const parser = ADAPTERS['claude-code'].parser();
    const lines = [
      { type: 'assistant', message: { content: [{ type: 'tool_use', id: 'u1', name: 'Write', input: { file_path: '/w/t1/.env', content: 'x' } }] } },
      {
        type: 'user',
        message: {
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'u1',
              is_error: true,
              content: '<tool_use_error>File is in a directory that is denied by your permission settings.</tool_use_error>',
            },
          ],
        },
      },
      { type: 'result', is_error: false, result: 'ok', permission_denials: [{ tool_name: 'Bash', tool_input: { command: 'rm -rf /' } }] },
    ];
    const warnings = lines.flatMap((l) => parser.line(JSON.stringify(l))).filter((e) => e.kind === 'warning');
    expect(warnings).toEqual([
      { kind: 'warning', message: "refused by the CLI's permissions: Write /w/t1/.env" },
      { kind: 'warning', message: "refused by the CLI's permissions: Bash rm -rf /" },
    ]);
    // A refusal is not a failure: the run judges the result.
    expect(parser.finish(0, '').ok).toBe(true);
  });
});

describe('codex adapter', () => {
  it('parses exec --json: the last agent message is the answer, usage from turn.completed', () => {
    const { events, outcome } = parse(ADAPTERS.codex, 'codex.exec.jsonl', 0);
    expect(events[0]).toEqual({ kind: 'session', id: '019c8e3a-5b21-7d40-9f6e-2a1c4b7d8e90' });
    expect(events.filter((e) => e.kind === 'tool-use').map((e) => (e.kind === 'tool-use' ? e.name : ''))).toEqual(['shell', 'file_change', 'shell']);
    expect(outcome.ok).toBe(true);
    expect(outcome.final).toMatch(/^Added `GET \/health`/);
    expect(outcome.usage).toEqual({ inputTokens: 47392, outputTokens: 1044, cachedInputTokens: 40832 });
  });

  it('reconnect errors are warnings; turn.failed after a dropped stream is transient', () => {
    const { events, outcome } = parse(ADAPTERS.codex, 'codex.turn-failed.jsonl', 1);
    expect(events.filter((e) => e.kind === 'warning')).toHaveLength(6);
    expect(outcome.ok).toBe(false);
    expect(outcome.failure?.class).toBe('transient');
    expect(outcome.failure?.reason).toMatch(/^stream disconnected before completion/);
  });

  it('a usage limit is final; a stream with no terminal event is transient', () => {
    const p = ADAPTERS.codex.parser();
    p.line(JSON.stringify({ type: 'turn.failed', error: { message: "You've hit your usage limit. Upgrade to get more." } }));
    expect(p.finish(1, '').failure?.class).toBe('final');
    const cut = ADAPTERS.codex.parser();
    cut.line(JSON.stringify({ type: 'thread.started', thread_id: 't' }));
    expect(cut.finish(null, '').failure?.class).toBe('transient');
  });
});

describe('gemini adapter', () => {
  it('parses stream-json: the answer is the deltas after the last tool result', () => {
    const { events, outcome } = parse(ADAPTERS.gemini, 'gemini.stream.jsonl', 0);
    expect(kinds(events).filter((k) => k === 'tool-use')).toHaveLength(3);
    expect(outcome.ok).toBe(true);
    expect(outcome.final).toBe(
      'I added a `GET /health` endpoint to `app/api.py` that returns `{"status": "ok"}`. The existing test suite still passes (3 passed).',
    );
    expect(outcome.usage).toEqual({ inputTokens: 39388, outputTokens: 263, cachedInputTokens: 25327 });
  });

  it('a turn limit (exit 53) is final', () => {
    const { outcome } = parse(ADAPTERS.gemini, 'gemini.error.jsonl', 53);
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toMatchObject({ class: 'final', reason: expect.stringContaining('Reached max session turns') });
  });

  it('reads the json-mode error from stderr', () => {
    const parser = ADAPTERS.gemini.parser();
    const outcome = parser.finish(53, readFileSync(path.join(SAMPLES, 'gemini.error.json'), 'utf8'));
    expect(outcome.failure).toEqual({
      class: 'final',
      reason: 'Reached max session turns for this session. Increase the number of turns by specifying maxSessionTurns in settings.json.',
    });
  });
});

describe('aider adapter', () => {
  it('reads success from the text: an applied edit, tokens and session cost', () => {
    const { events, outcome } = parse(ADAPTERS.aider, 'aider.txt', 0);
    expect(events).toEqual([{ kind: 'tool-use', name: 'edit', input: { path: 'app/api.py' } }]);
    expect(outcome.ok).toBe(true);
    expect(outcome.usage).toEqual({ inputTokens: 2600, outputTokens: 188, costUsd: 0.01 });
    expect(outcome.final).toContain("I'll add a `/health` route");
  });

  it('exit 0 with no applied edit is a failure', () => {
    const { outcome } = parse(ADAPTERS.aider, 'aider.edit-failed.txt', 0);
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toEqual({ class: 'final', reason: 'The LLM did not conform to the edit format.' });
    // Four model calls: tokens add up, the session cost is the last one's.
    expect(outcome.usage).toEqual({ inputTokens: 2200 + 2800 + 3400 + 4000, outputTokens: 141 + 153 + 149 + 151, costUsd: 0.05 });
  });
});

describe('launching agents', () => {
  const agent = (over: Partial<Agent>): Agent => ({
    id: 'a',
    loc: { file: 'team.json', start: 0, end: 0 },
    roles: [],
    concurrency: 1,
    env: {},
    args: [],
    ...over,
  });
  const ctx = { prompt: 'Fix "it"; rm -rf $HOME', promptFile: '/tmp/p.md', workdir: '/w' };

  it('builds the documented headless command lines, the prompt as one argument', () => {
    expect(launchFor(agent({ use: 'claude-code', allowedTools: ['Bash(npm test:*)'] }), ctx).argv).toEqual([
      'claude',
      '-p',
      ctx.prompt,
      '--output-format',
      'stream-json',
      '--verbose',
      '--permission-mode',
      'acceptEdits',
      '--allowedTools',
      'Bash(npm test:*)',
    ]);
    expect(launchFor(agent({ use: 'codex' }), ctx).argv).toEqual(['codex', 'exec', '--json', '--sandbox', 'workspace-write', ctx.prompt]);
    expect(launchFor(agent({ use: 'gemini', model: 'gemini-2.5-pro' }), ctx).argv).toEqual([
      'gemini',
      '-p',
      ctx.prompt,
      '--output-format',
      'stream-json',
      '--yolo',
      '--skip-trust',
      '-m',
      'gemini-2.5-pro',
    ]);
    expect(launchFor(agent({ use: 'aider' }), ctx).argv).toEqual(['aider', '--message-file', '/tmp/p.md', '--yes-always', '--no-auto-commits', '--no-pretty']);
  });

  it('fills a command template inside argv elements, or sends the prompt on stdin', () => {
    expect(launchFor(agent({ command: ['my-agent', '--task={{prompt}}', '--in', '{{workdir}}'] }), ctx)).toEqual({
      argv: ['my-agent', `--task=${ctx.prompt}`, '--in', '/w'],
    });
    expect(launchFor(agent({ command: ['my-agent', '{{prompt_file}}'] }), ctx)).toEqual({ argv: ['my-agent', '/tmp/p.md'] });
    expect(launchFor(agent({ command: ['my-agent'] }), ctx)).toEqual({ argv: ['my-agent'], stdin: ctx.prompt });
  });

  it('gives every agent its identity in the environment', () => {
    expect(agentEnv(agent({ env: { X: '1' } }), { runId: 'r', phase: 'p', task: 't', role: 'implementer', attempt: 2, promptFile: '/tmp/p.md' })).toEqual({
      X: '1',
      ORCHESTRA_RUN_ID: 'r',
      ORCHESTRA_PHASE: 'p',
      ORCHESTRA_TASK: 't',
      ORCHESTRA_ROLE: 'implementer',
      ORCHESTRA_ATTEMPT: '2',
      ORCHESTRA_PROMPT_FILE: '/tmp/p.md',
    });
  });
});

describe('the real CLIs’ own output (recorded against the scripted model server)', () => {
  const real = (adapter: Adapter, file: string, exitCode: number) => parse(adapter, path.join('real', file), exitCode);

  it('Claude Code: a write and an edit, then the answer, with the tokens and the cost it computed', () => {
    const { events, outcome } = real(ADAPTERS['claude-code'], 'claude-code.write-edit.stream.jsonl', 0);
    const tools = events.filter((e): e is Extract<AgentEvent, { kind: 'tool-use' }> => e.kind === 'tool-use').map((e) => e.name);
    expect(tools).toEqual(['Write', 'Edit']);
    expect(outcome.ok).toBe(true);
    expect(outcome.usage.costUsd).toBeCloseTo(0.0053325, 7);
    expect(outcome.usage.outputTokens).toBe(90);
  });

  it('Claude Code: a bad key is an auth failure in its own words, never "success"', () => {
    const { outcome } = real(ADAPTERS['claude-code'], 'claude-code.401.stream.jsonl', 1);
    expect(outcome.failure).toEqual({ class: 'environment', cause: 'auth', reason: 'Invalid API key · Fix external API key (API status 401)' });
  });

  it('Claude Code: 429 and repeated 529 are transient; max turns is final', () => {
    expect(real(ADAPTERS['claude-code'], 'claude-code.429.stream.jsonl', 1).outcome.failure?.class).toBe('transient');
    const overloaded = real(ADAPTERS['claude-code'], 'claude-code.529.stream.jsonl', 1).outcome.failure;
    expect(overloaded?.class).toBe('transient');
    expect(overloaded?.reason).toContain('Repeated 529 Overloaded errors');
    expect(real(ADAPTERS['claude-code'], 'claude-code.max-turns.stream.jsonl', 1).outcome.failure).toMatchObject({
      class: 'final',
      reason: expect.stringContaining('error_max_turns'),
    });
  });

  it('Claude Code: "Not logged in" is an auth failure, and only denied tools get the permission correction', () => {
    const parser = ADAPTERS['claude-code'].parser();
    parser.line(JSON.stringify({ type: 'result', subtype: 'success', is_error: true, result: 'Not logged in · Please run /login' }));
    const outcome = parser.finish(1, '');
    expect(outcome.failure).toEqual({ class: 'environment', cause: 'auth', reason: 'Not logged in · Please run /login' });
    const launch = ADAPTERS['claude-code'].launch({ args: [], permissionMode: 'default' }, { prompt: 'p', promptFile: '/p', workdir: '/w' });
    expect(ADAPTERS['claude-code'].correct(launch, outcome, '')).toBeUndefined();
    const denied = { ok: false, failure: { class: 'environment', cause: 'permissions', reason: 'denied' }, usage: {} } as const;
    expect(ADAPTERS['claude-code'].correct(launch, denied, '')?.argv).toContain('acceptEdits');
  });

  it('Codex: apply_patch and exec_command, and a 401 is an auth failure while a 429 is transient', () => {
    const ok = real(ADAPTERS.codex, 'codex.apply-patch.jsonl', 0);
    expect(ok.outcome.ok).toBe(true);
    expect(ok.events.some((e) => e.kind === 'tool-use')).toBe(true);
    expect(real(ADAPTERS.codex, 'codex.401.jsonl', 1).outcome.failure).toMatchObject({ class: 'environment', cause: 'auth' });
    expect(real(ADAPTERS.codex, 'codex.401-reconnecting.jsonl', 1).outcome.failure).toMatchObject({ class: 'environment', cause: 'auth' });
    expect(real(ADAPTERS.codex, 'codex.429.jsonl', 1).outcome.failure?.class).toBe('transient');
  });

  it('Gemini: write_file and a shell command, then the answer', () => {
    const { events, outcome } = real(ADAPTERS.gemini, 'gemini.write-file.stream.jsonl', 0);
    expect(events.filter((e) => e.kind === 'tool-use').map((e) => (e as { name: string }).name)).toContain('write_file');
    expect(outcome.ok).toBe(true);
  });

  it('every adapter says how its CLI logs in, and starts the `bin:` it is given', () => {
    for (const adapter of Object.values(ADAPTERS)) {
      expect(adapter.loginHint.length).toBeGreaterThan(10);
      expect(adapter.launch({ args: [], bin: '/opt/x/cli' }, { prompt: 'p', promptFile: '/p', workdir: '/w' }).argv[0]).toBe('/opt/x/cli');
    }
    expect(ADAPTERS.gemini.launch({ args: [] }, { prompt: 'p', promptFile: '/p', workdir: '/w' }).argv).toContain('--skip-trust');
  });
});
