import type { Agent } from '../config/types.js';
import { ADAPTERS } from './adapters/index.js';
import type { Launch, LaunchContext } from './types.js';

/**
 * The command line for an agent: its builtin adapter's, or its `command`
 * template with {{prompt}}, {{prompt_file}} and {{workdir}} replaced inside
 * argv elements (never through a shell). Without a prompt placeholder the
 * prompt goes to stdin.
 */
export function launchFor(agent: Agent, ctx: LaunchContext): Launch {
  if (agent.use) return ADAPTERS[agent.use].launch(agent, ctx);
  const template = agent.command ?? [];
  const carriesPrompt = template.some((a) => a.includes('{{prompt}}') || a.includes('{{prompt_file}}'));
  const argv = template.map((a) => a.replaceAll('{{prompt_file}}', ctx.promptFile).replaceAll('{{prompt}}', ctx.prompt).replaceAll('{{workdir}}', ctx.workdir));
  return carriesPrompt ? { argv } : { argv, stdin: ctx.prompt };
}

export interface TaskIdentity {
  readonly runId: string;
  readonly phase: string;
  readonly task: string;
  readonly role: string;
  readonly attempt: number;
  readonly promptFile: string;
}

/** What every agent process finds in its environment, on top of the agent's own `env`. */
export function agentEnv(agent: Agent, id: TaskIdentity): Record<string, string> {
  return {
    ...agent.env,
    ORCHESTRA_RUN_ID: id.runId,
    ORCHESTRA_PHASE: id.phase,
    ORCHESTRA_TASK: id.task,
    ORCHESTRA_ROLE: id.role,
    ORCHESTRA_ATTEMPT: String(id.attempt),
    ORCHESTRA_PROMPT_FILE: id.promptFile,
  };
}
