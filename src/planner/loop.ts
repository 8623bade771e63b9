import type { Diagnostic } from '../config/diagnostic.js';
import type { SourceStore } from '../config/source-text.js';
import type { Checked } from './check.js';
import type { Facts } from './facts.js';
import { plannerPrompt } from './prompt.js';

/** What asking the planner gave: its closing text, or why there is none (a timeout, a crash, a refusal). */
export type Asked = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string; readonly interrupted?: boolean };

export interface Round {
  readonly round: number;
  readonly prompt: string;
  readonly answer?: string;
  /** The problems sent back (or that ended it), as the planner was shown them. */
  readonly problems?: string;
}

export interface LoopDeps {
  ask(prompt: string, round: number): Promise<Asked>;
  check(answer: string, round: number): Promise<Checked>;
  /** The diagnostics as text with their file:line:column and source lines (the logger's printer). */
  describe(diagnostics: readonly Diagnostic[], sources: SourceStore): string;
}

export type LoopResult =
  | { readonly ok: true; readonly checked: Extract<Checked, { ok: true }>; readonly rounds: readonly Round[] }
  | { readonly ok: false; readonly rounds: readonly Round[]; readonly why: 'invalid' | 'agent' | 'interrupted'; readonly message: string };

/**
 * Ask, check, and while the answer is invalid and rounds are left, ask again
 * with the answer and its diagnostics. `repairs` rounds after the first
 * (`--attempts`); an agent that fails (a timeout, a crash) ends it at once:
 * asking again would not tell it anything new.
 */
export async function planWithRepairs(request: string, facts: Facts, repairs: number, deps: LoopDeps): Promise<LoopResult> {
  const rounds: Round[] = [];
  let repair: { round: number; answer: string; problems: string } | undefined;
  for (let round = 1; round <= repairs + 1; round++) {
    const prompt = plannerPrompt({ request, facts, ...(repair ? { repair } : {}) });
    const asked = await deps.ask(prompt, round);
    if (!asked.ok) {
      rounds.push({ round, prompt });
      return { ok: false, rounds, why: asked.interrupted ? 'interrupted' : 'agent', message: `the planner gave no answer in round ${round}: ${asked.reason}` };
    }
    const checked = await deps.check(asked.text, round);
    if (checked.ok) {
      rounds.push({ round, prompt, answer: asked.text });
      return { ok: true, checked, rounds };
    }
    const problems = deps.describe(checked.diagnostics, checked.sources);
    rounds.push({ round, prompt, answer: asked.text, problems });
    repair = { round: round + 1, answer: asked.text, problems };
  }
  return {
    ok: false,
    rounds,
    why: 'invalid',
    message: `the planner's answer was still invalid after ${repairs + 1} round${repairs ? 's' : ''} (--attempts ${repairs})`,
  };
}
