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
  const values = { prompt: ctx.prompt, prompt_file: ctx.promptFile, workdir: ctx.workdir };
  const argv = template.map((a) => fillTemplate(a, values));
  return carriesPrompt ? { argv } : { argv, stdin: ctx.prompt };
}

/**
 * Replaces each placeholder in one pass over the template: a value put in is
 * never searched again, so a prompt that says `{{workdir}}` reaches the
 * agent as written. Pure.
 */
export function fillTemplate(template: string, values: Readonly<Record<'prompt' | 'prompt_file' | 'workdir', string>>): string {
  return template.replace(/\{\{(prompt_file|prompt|workdir)\}\}/g, (_, name: keyof typeof values) => values[name]);
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
