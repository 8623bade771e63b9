import { classifyText, type Adapter, type AgentEvent, type AgentOutcome, type Usage } from '../types.js';

/**
 * Aider has no JSON mode: `aider --message-file FILE --yes-always
 * --no-auto-commits --no-pretty`, plain text on stdout. It exits 0 even when
 * no edit applied, so success is read from the text: at least one "Applied
 * edit to" and no edit-format failure.
 */
const TOKENS =
  /^Tokens: ([\d.]+k?) sent(?:, ([\d.]+k?) cache write)?(?:, ([\d.]+k?) cache hit)?, ([\d.]+k?) received\.(?: Cost: \$([\d.]+) message, \$([\d.]+) session\.)?/;
const COST = /^Cost: \$([\d.]+) message, \$([\d.]+) session\./;

function count(text: string | undefined): number {
  if (!text) return 0;
  return text.endsWith('k') ? Math.round(Number(text.slice(0, -1)) * 1000) : Number(text);
}

export const aider: Adapter = {
  name: 'aider',
  launch(agent, ctx) {
    return {
      argv: [
        agent.bin ?? 'aider',
        '--message-file',
        ctx.promptFile,
        '--yes-always',
        '--no-auto-commits',
        '--no-pretty',
        ...(agent.model ? ['--model', agent.model] : []),
        ...agent.args,
      ],
    };
  },
  parser() {
    const usage: Usage = {};
    let applied = 0;
    let formatFailure: string | undefined;
    let apiError: string | undefined;
    const prose: string[] = [];
    return {
      line(raw) {
        const line = raw.replace(/\r$/, '');
        const events: AgentEvent[] = [];
        const tokens = TOKENS.exec(line);
        const cost = tokens ? undefined : COST.exec(line);
        if (tokens) {
          usage.inputTokens = (usage.inputTokens ?? 0) + count(tokens[1]) + count(tokens[2]) + count(tokens[3]);
          usage.outputTokens = (usage.outputTokens ?? 0) + count(tokens[4]);
          if (tokens[3]) usage.cachedInputTokens = (usage.cachedInputTokens ?? 0) + count(tokens[3]);
          if (tokens[6]) usage.costUsd = Number(tokens[6]); // "session" is cumulative
        } else if (cost) {
          usage.costUsd = Number(cost[2]);
        } else if (/^Applied edit to (.+)$/.test(line)) {
          applied++;
          events.push({ kind: 'tool-use', name: 'edit', input: { path: line.slice('Applied edit to '.length) } });
        } else if (/^The LLM did not conform to the edit format\.|SEARCH\/REPLACE blocks? failed to match|^Only \d+ reflections allowed/.test(line)) {
          formatFailure ??= line;
        } else if (/not able to authenticate|API key|RateLimitError|rate limit|APIConnectionError|Overloaded|InternalServerError/i.test(line)) {
          apiError ??= line;
          events.push({ kind: 'warning', message: line });
        } else if (
          line.trim() !== '' &&
          !/^(Aider v|Main model:|Model:|Weak model:|Git repo:|Repo-map:|Added .* to (the chat|\.gitignore)|Detected dumb terminal|You can skip this check)/.test(
            line,
          )
        ) {
          prose.push(line);
        }
        return events;
      },
      finish(exitCode): AgentOutcome {
        const final =
          prose
            .filter((l) => !/^(```|<<<<<<<|=======|>>>>>>>)/.test(l))
            .slice(0, 40)
            .join('\n') || undefined;
        const base = { usage, ...(final !== undefined ? { final } : {}) };
        if (applied > 0 && !formatFailure && !apiError && (exitCode === 0 || exitCode === null)) return { ok: true, ...base };
        const reason = apiError ?? formatFailure ?? (exitCode !== 0 && exitCode !== null ? `exited ${exitCode}` : 'no edit was applied');
        const judged = apiError ? classifyText(apiError) : { class: 'final' as const };
        return { ok: false, failure: { ...judged, reason }, ...base };
      },
    };
  },
  correct: () => undefined,
  mcp: false,
  loginHint: "set the API key of aider's model in its environment (ANTHROPIC_API_KEY, OPENAI_API_KEY, …) or in .aider.conf.yml",
};
