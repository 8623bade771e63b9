import type { FailReason } from '../events/events.js';

/** How a node that failed because orchestra threw is described: it is a bug in orchestra, not in the user's gate or task. */
export const INTERNAL_ERROR = 'internal error in orchestra (a bug; please report it)';

/** What a failed node's line says after its name. */
export function failureText(reason: FailReason | undefined, message: string | undefined): string {
  if (reason === 'internal') return `${INTERNAL_ERROR}: ${message ?? 'no message'}`;
  return message ?? 'failed';
}

/** Where the stack of an internal error is to be found. */
export function stackHint(record: string | undefined): string {
  return `the stack is in the run's record, ${record ?? 'events.jsonl'} (this node's node-finished event)`;
}
