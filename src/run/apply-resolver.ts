import type { Config } from '../config/types.js';

/** What one task of a run brought onto its integration branch: the files of its merge. */
export interface TaskContribution {
  readonly phase: string;
  readonly taskId: string;
  readonly files: readonly string[];
}

/** Who resolves a conflict between the user's branch and a run's work, and what it is told its work was. */
export interface Resolver {
  readonly ref: string;
  readonly phase: string;
  /** The task whose work conflicts, or undefined when none of the run's tasks touched the files (a fix round did). */
  readonly taskId?: string;
  readonly taskPrompt: string;
}

/** The run's merges of tasks, from their commit subjects as the merge queue writes them: `orchestra(<phase>): merge <task>`. Pure. */
export function parseTaskMerge(subject: string): { phase: string; taskId: string } | undefined {
  const m = /^orchestra\(([^)\s]+)\): merge (\S+)$/.exec(subject.trim());
  return m ? { phase: m[1] as string, taskId: m[2] as string } : undefined;
}

/**
 * The task whose work meets the most conflicted files resolves them (its agent
 * knows what it meant), the earliest such task on a tie; where no task touched
 * them, the fix agent of the last phase that has one; else the first task's
 * agent. Undefined: the config names no agent at all. Pure.
 */
export function pickResolver(conflicted: readonly string[], contributions: readonly TaskContribution[], config: Pick<Config, 'phases'>): Resolver | undefined {
  const wanted = new Set(conflicted);
  let best: { c: TaskContribution; hits: number } | undefined;
  for (const c of contributions) {
    const hits = c.files.filter((f) => wanted.has(f)).length;
    if (hits > 0 && (!best || hits > best.hits)) best = { c, hits };
  }
  const task = best && config.phases.find((p) => p.id === best.c.phase)?.tasks.find((t) => t.id === best.c.taskId);
  if (best && task) return { ref: task.agent.id, phase: best.c.phase, taskId: task.id, taskPrompt: task.prompt };
  const fixing = [...config.phases].reverse().find((p) => p.fix);
  if (fixing?.fix) return { ref: fixing.fix.agent.id, phase: fixing.id, taskPrompt: `the fixes of phase ${fixing.id}` };
  const first = config.phases.flatMap((p) => p.tasks.map((t) => ({ p, t })))[0];
  return first ? { ref: first.t.agent.id, phase: first.p.id, taskId: first.t.id, taskPrompt: first.t.prompt } : undefined;
}
