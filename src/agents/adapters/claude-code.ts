import {
  DENIED,
  classifyText,
  jsonLine,
  num,
  obj,
  str,
  type Adapter,
  type AgentEvent,
  type AgentFailure,
  type AgentOutcome,
  type Launch,
  type Usage,
} from '../types.js';
import { claudeMcpArgs } from '../mcp-wiring.js';

/**
 * Claude Code in print mode: `claude -p PROMPT --output-format stream-json --verbose`.
 * One JSON object per line: system/init, assistant and user messages (one
 * content block per line), and a final `result` that decides success
 * (`is_error`, not `subtype`).
 */
export const claudeCode: Adapter = {
  name: 'claude-code',
  launch(agent, ctx) {
    const mcp = ctx.mcp ? claudeMcpArgs(ctx.mcp) : undefined;
    const allowed = [...(agent.allowedTools ?? []), ...(mcp ? [mcp.allow] : [])];
    return {
      argv: [
        agent.bin ?? 'claude',
        '-p',
        ctx.prompt,
        '--output-format',
        'stream-json',
        '--verbose',
        '--permission-mode',
        agent.permissionMode ?? 'acceptEdits',
        ...(allowed.length ? ['--allowedTools', allowed.join(',')] : []),
        ...(agent.model ? ['--model', agent.model] : []),
        ...(ctx.forbid?.length ? ['--settings', denySettings(ctx.workdir, ctx.forbid)] : []),
        ...(mcp?.args ?? []),
        ...agent.args,
      ],
    };
  },
  parser() {
    let result: Record<string, unknown> | undefined;
    let sessionId: string | undefined;
    let lastText: string | undefined;
    /** Each tool use by id, as "Write /path": what a refusal names. */
    const uses = new Map<string, string>();
    return {
      line(text) {
        const m = jsonLine(text);
        if (!m) return [];
        const events: AgentEvent[] = [];
        const type = str(m['type']);
        if (type === 'system' && m['subtype'] === 'init') {
          sessionId = str(m['session_id']);
          if (sessionId) events.push({ kind: 'session', id: sessionId, ...(str(m['model']) ? { model: str(m['model']) as string } : {}) });
        } else if (type === 'assistant' || type === 'user') {
          const content = obj(m['message'])?.['content'];
          for (const block of Array.isArray(content) ? content : []) {
            const b = obj(block);
            if (!b) continue;
            if (b['type'] === 'text' && typeof b['text'] === 'string') {
              lastText = b['text'];
              events.push({ kind: 'message', text: b['text'] });
            } else if (b['type'] === 'tool_use') {
              const id = str(b['id']);
              if (id) uses.set(id, `${str(b['name']) ?? 'a tool'}${targetOf(obj(b['input']))}`);
              events.push({ kind: 'tool-use', name: str(b['name']) ?? '?', ...(id ? { id } : {}), input: b['input'] });
            } else if (b['type'] === 'tool_result') {
              const c = b['content'];
              const output = typeof c === 'string' ? c : Array.isArray(c) ? c.map((x) => str(obj(x)?.['text']) ?? '').join('') : undefined;
              // A deny rule's refusal reaches only the tool result ("... denied by your permission settings"), not the result's denials.
              if (b['is_error'] === true && output && /denied by your permission settings/i.test(output))
                events.push({ kind: 'warning', message: `${DENIED}${uses.get(str(b['tool_use_id']) ?? '') ?? 'a tool use'}` });
              events.push({
                kind: 'tool-result',
                ok: b['is_error'] !== true,
                ...(str(b['tool_use_id']) ? { id: str(b['tool_use_id']) as string } : {}),
                ...(output !== undefined ? { output } : {}),
              });
            }
          }
        } else if (type === 'result') {
          result = m;
          // What its permission rules refused (orchestra's deny rules among them): said, not a failure by itself.
          for (const d of Array.isArray(m['permission_denials']) ? m['permission_denials'] : []) {
            const denial = obj(d);
            events.push({ kind: 'warning', message: `${DENIED}${str(denial?.['tool_name']) ?? 'a tool'}${targetOf(obj(denial?.['tool_input']))}` });
          }
        }
        return events;
      },
      finish(exitCode, stderr): AgentOutcome {
        if (!result) {
          // No result line: it crashed or was killed. Its own words (stderr), else how it ended.
          const said = stderr.trim().split('\n').at(-1);
          const reason = exitCode !== null ? `exited ${exitCode} without a result${said ? `: ${said}` : ''}` : said || 'ended without a result';
          const judged = /requires --verbose/.test(stderr) ? { class: 'environment' as const } : classifyText(stderr, 'transient');
          return { ok: false, failure: { ...judged, reason }, usage: {}, ...(sessionId ? { sessionId } : {}) };
        }
        const u = obj(result['usage']) ?? {};
        const usage: Usage = {
          ...(num(u['input_tokens']) !== undefined
            ? { inputTokens: (num(u['input_tokens']) ?? 0) + (num(u['cache_creation_input_tokens']) ?? 0) + (num(u['cache_read_input_tokens']) ?? 0) }
            : {}),
          ...(num(u['output_tokens']) !== undefined ? { outputTokens: num(u['output_tokens']) as number } : {}),
          ...(num(u['cache_read_input_tokens']) !== undefined ? { cachedInputTokens: num(u['cache_read_input_tokens']) as number } : {}),
          ...(num(result['total_cost_usd']) !== undefined ? { costUsd: num(result['total_cost_usd']) as number } : {}),
        };
        const session = str(result['session_id']) ?? sessionId;
        const final = str(result['result']) ?? lastText;
        const base = { usage, ...(session ? { sessionId: session } : {}), ...(final !== undefined ? { final } : {}) };
        if (result['is_error'] !== true && (exitCode === 0 || exitCode === null)) return { ok: true, ...base };
        return { ok: false, failure: judgeResult(result), ...base };
      },
    };
  },
  correct(launch: Launch, outcome, stderr) {
    if (/requires --verbose/.test(stderr) && !launch.argv.includes('--verbose')) return { ...launch, argv: [...launch.argv, '--verbose'] };
    // Tools were denied: run once more with edits accepted (never with permissions skipped).
    if (outcome.failure?.cause === 'permissions' && !launch.argv.includes('acceptEdits')) {
      const i = launch.argv.indexOf('--permission-mode');
      return i === -1
        ? { ...launch, argv: [...launch.argv, '--permission-mode', 'acceptEdits'] }
        : { ...launch, argv: launch.argv.map((a, k) => (k === i + 1 ? 'acceptEdits' : a)) };
    }
    return undefined;
  },
  mcp: true,
  loginHint: 'run `claude` and /login once, or set ANTHROPIC_API_KEY',
};

/** The file (or command) a tool use is about, with a space before it; empty when there is none. */
function targetOf(input: Record<string, unknown> | undefined): string {
  const t = str(input?.['file_path']) ?? str(input?.['notebook_path']) ?? str(input?.['command']);
  return t ? ` ${t}` : '';
}

/**
 * Claude Code's own permission rules, so that it refuses an edit of a
 * forbidden path before the sandbox or the scope check has to: `Edit(...)`
 * covers every tool that edits files; `//` starts an absolute path.
 */
function denySettings(workdir: string, forbid: readonly string[]): string {
  const root = workdir.replace(/\/+$/, '');
  const deny = forbid.map((g) => `Edit(/${root}/${g.replace(/^\.\//, '')})`);
  return JSON.stringify({ permissions: { deny } });
}

/**
 * A result line with `is_error`: the reason in the CLI's own words (its
 * `result` text, such as "Invalid API key · Fix external API key" or "Not
 * logged in · Please run /login"; `subtype` says "success" even then), and
 * the class from the API status, the denials, or those words.
 */
function judgeResult(result: Record<string, unknown>): AgentFailure {
  const errors = Array.isArray(result['errors']) ? result['errors'].filter((e): e is string => typeof e === 'string') : [];
  const subtype = str(result['subtype']) ?? 'error';
  const status = num(result['api_error_status']);
  const said = str(result['result'])?.trim();
  const words = [subtype === 'success' ? undefined : subtype, ...errors, said].filter((w): w is string => !!w);
  const reason = (words.length ? words.join(': ') : subtype) + (status ? ` (API status ${status})` : '');
  const denied = Array.isArray(result['permission_denials']) && result['permission_denials'].length > 0;
  if (status === 401 || status === 403) return { class: 'environment', cause: 'auth', reason };
  if (status !== undefined) return { class: status === 429 || status >= 500 ? 'transient' : 'final', reason };
  if (subtype === 'error_max_turns') return { class: 'final', reason };
  if (denied) return { class: 'environment', cause: 'permissions', reason };
  return { ...classifyText(reason), reason };
}
