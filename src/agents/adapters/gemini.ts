import { classifyText, jsonLine, num, obj, str, type Adapter, type AgentEvent, type AgentOutcome, type Usage } from '../types.js';
import { GEMINI_SETTINGS_VAR } from '../mcp-wiring.js';

/**
 * Gemini CLI: `gemini -p PROMPT --output-format stream-json --yolo`. Events
 * init, message (assistant deltas), tool_use, tool_result, error (a warning)
 * and result{status,stats}. The final text is the assistant deltas after the
 * last tool_result. Exit codes: 41 auth, 42 input, 52 config, 53 turn limit.
 */
export const gemini: Adapter = {
  name: 'gemini',
  launch(agent, ctx) {
    // --skip-trust: every worktree is a new folder, and in an untrusted one Gemini silently drops --yolo back to asking.
    return {
      argv: [
        agent.bin ?? 'gemini',
        '-p',
        ctx.prompt,
        '--output-format',
        'stream-json',
        '--yolo',
        '--skip-trust',
        ...(agent.model ? ['-m', agent.model] : []),
        ...agent.args,
      ],
      ...(ctx.mcp ? { env: { [GEMINI_SETTINGS_VAR]: ctx.mcp.geminiSettingsFile } } : {}),
    };
  },
  parser() {
    let sessionId: string | undefined;
    let text = '';
    let result: Record<string, unknown> | undefined;
    let fatal: string | undefined;
    return {
      line(line) {
        const m = jsonLine(line);
        if (!m) return [];
        const events: AgentEvent[] = [];
        const type = str(m['type']);
        if (type === 'init') {
          sessionId = str(m['session_id']);
          if (sessionId) events.push({ kind: 'session', id: sessionId, ...(str(m['model']) ? { model: str(m['model']) as string } : {}) });
        } else if (type === 'message' && m['role'] === 'assistant' && typeof m['content'] === 'string') {
          text = m['delta'] === true ? text + m['content'] : m['content'];
          events.push({ kind: 'message', text: m['content'] });
        } else if (type === 'tool_use') {
          text = '';
          events.push({
            kind: 'tool-use',
            name: str(m['tool_name']) ?? '?',
            ...(str(m['tool_id']) ? { id: str(m['tool_id']) as string } : {}),
            input: m['parameters'],
          });
        } else if (type === 'tool_result') {
          text = '';
          events.push({
            kind: 'tool-result',
            ok: m['status'] === 'success',
            ...(str(m['tool_id']) ? { id: str(m['tool_id']) as string } : {}),
            ...(str(m['output']) !== undefined ? { output: str(m['output']) as string } : {}),
          });
        } else if (type === 'error' && typeof m['message'] === 'string') {
          if (m['severity'] === 'error') fatal = m['message'];
          events.push({ kind: 'warning', message: m['message'] });
        } else if (type === 'result') {
          result = m;
        }
        return events;
      },
      finish(exitCode, stderr): AgentOutcome {
        const stats = obj(result?.['stats']) ?? {};
        const usage: Usage = {
          ...(num(stats['input_tokens']) !== undefined ? { inputTokens: num(stats['input_tokens']) as number } : {}),
          ...(num(stats['output_tokens']) !== undefined ? { outputTokens: num(stats['output_tokens']) as number } : {}),
          ...(num(stats['cached']) !== undefined ? { cachedInputTokens: num(stats['cached']) as number } : {}),
        };
        const final = text.trim() === '' ? undefined : text;
        const base = { usage, ...(sessionId ? { sessionId } : {}), ...(final !== undefined ? { final } : {}) };
        const error = obj(result?.['error']);
        if (result?.['status'] === 'success' && !fatal && (exitCode === 0 || exitCode === null)) return { ok: true, ...base };
        // In json mode a fatal error is a JSON object on stderr, maybe after "[ERROR] ".
        const stderrError = obj(jsonLine(stderr.replace(/^\[ERROR\]\s*/, '').replace(/\n/g, ' '))?.['error']);
        const reason = str(error?.['message']) ?? fatal ?? str(stderrError?.['message']) ?? (stderr.trim().split('\n').at(-1) || `exited ${exitCode}`);
        // Exit codes: 41 auth, 42 input, 52 config, 53 turn limit.
        const judged =
          exitCode === 41
            ? { class: 'environment' as const, cause: 'auth' as const }
            : exitCode === 52
              ? { class: 'environment' as const }
              : exitCode === 42 || exitCode === 53 || /TurnLimited|max session turns/i.test(reason)
                ? { class: 'final' as const }
                : classifyText(reason);
        return { ok: false, failure: { ...judged, reason }, ...base };
      },
    };
  },
  correct: () => undefined,
  mcp: true,
  loginHint: 'set GEMINI_API_KEY (and security.auth.selectedType in ~/.gemini/settings.json), or run `gemini` once to log in',
};
