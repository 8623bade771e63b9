import { classifyText, jsonLine, num, obj, str, type Adapter, type AgentEvent, type AgentOutcome, type Usage } from '../types.js';
import { codexMcpArgs } from '../mcp-wiring.js';

/**
 * Codex: `codex exec --json --sandbox workspace-write PROMPT`. Events
 * thread.started, turn.started, item.*, turn.completed{usage} or
 * turn.failed{error}; a top-level `error` alone is not fatal (reconnects).
 * Usage figures are thread totals: the last one replaces the others.
 */
export const codex: Adapter = {
  name: 'codex',
  launch(agent, ctx) {
    return {
      argv: [
        agent.bin ?? 'codex',
        'exec',
        '--json',
        '--sandbox',
        'workspace-write',
        ...(agent.model ? ['--model', agent.model] : []),
        ...(ctx.mcp ? codexMcpArgs(ctx.mcp) : []),
        ...agent.args,
        ctx.prompt,
      ],
    };
  },
  parser() {
    let threadId: string | undefined;
    let lastMessage: string | undefined;
    let usage: Usage = {};
    let completed = false;
    let failed: string | undefined;
    let lastError: string | undefined;
    return {
      line(text) {
        const m = jsonLine(text);
        if (!m) return [];
        const events: AgentEvent[] = [];
        const type = str(m['type']);
        if (type === 'thread.started') {
          threadId = str(m['thread_id']);
          if (threadId) events.push({ kind: 'session', id: threadId });
        } else if (type === 'item.started' || type === 'item.completed') {
          const item = obj(m['item']) ?? {};
          const itemType = str(item['type']);
          if (type === 'item.completed' && itemType === 'agent_message' && typeof item['text'] === 'string') {
            lastMessage = item['text'];
            events.push({ kind: 'message', text: item['text'] });
          } else if (itemType === 'command_execution' && type === 'item.started') {
            events.push({
              kind: 'tool-use',
              name: 'shell',
              ...(str(item['id']) ? { id: str(item['id']) as string } : {}),
              input: { command: item['command'] },
            });
          } else if (itemType === 'command_execution' && type === 'item.completed') {
            events.push({
              kind: 'tool-result',
              ok: item['exit_code'] === 0,
              ...(str(item['id']) ? { id: str(item['id']) as string } : {}),
              ...(str(item['aggregated_output']) !== undefined ? { output: str(item['aggregated_output']) as string } : {}),
            });
          } else if (itemType === 'file_change' && type === 'item.completed') {
            events.push({ kind: 'tool-use', name: 'file_change', ...(str(item['id']) ? { id: str(item['id']) as string } : {}), input: item['changes'] });
          } else if (itemType === 'error' && typeof item['message'] === 'string') {
            events.push({ kind: 'warning', message: item['message'] });
          }
        } else if (type === 'turn.completed') {
          completed = true;
          const u = obj(m['usage']) ?? {};
          usage = {
            ...(num(u['input_tokens']) !== undefined ? { inputTokens: num(u['input_tokens']) as number } : {}),
            ...(num(u['output_tokens']) !== undefined ? { outputTokens: num(u['output_tokens']) as number } : {}),
            ...(num(u['cached_input_tokens']) !== undefined ? { cachedInputTokens: num(u['cached_input_tokens']) as number } : {}),
          };
        } else if (type === 'turn.failed') {
          failed = str(obj(m['error'])?.['message']) ?? 'turn failed';
        } else if (type === 'error' && typeof m['message'] === 'string') {
          lastError = m['message'];
          events.push({ kind: 'warning', message: m['message'] });
        }
        return events;
      },
      finish(exitCode, stderr): AgentOutcome {
        const base = { usage, ...(threadId ? { sessionId: threadId } : {}), ...(lastMessage !== undefined ? { final: lastMessage } : {}) };
        if (completed && !failed && (exitCode === 0 || exitCode === null)) return { ok: true, ...base };
        const reason = failed ?? lastError ?? (stderr.trim().split('\n').at(-1) || `exited ${exitCode} before the turn ended`);
        if (/trusted directory|skip-git-repo-check/.test(reason + stderr)) return { ok: false, failure: { class: 'environment', reason }, ...base };
        // A stream that ends with neither terminal event is incomplete: worth another try.
        const judged = !completed && !failed && !lastError ? { class: 'transient' as const } : classifyText(reason);
        return { ok: false, failure: { ...judged, reason }, ...base };
      },
    };
  },
  correct(launch, _outcome, stderr) {
    if (/trusted directory|skip-git-repo-check/.test(stderr) && !launch.argv.includes('--skip-git-repo-check')) {
      const prompt = launch.argv.at(-1) as string;
      return { ...launch, argv: [...launch.argv.slice(0, -1), '--skip-git-repo-check', prompt] };
    }
    return undefined;
  },
  mcp: true,
  loginHint: 'run `codex login`, or set OPENAI_API_KEY (or the env_key of the model provider in ~/.codex/config.toml)',
};
