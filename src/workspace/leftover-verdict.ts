import type { ProcessProbe } from './lock-verdict.js';
import type { GroupEntry } from './process-groups.js';
import { unreachable } from '../util/unreachable.js';

/**
 * Which of the process groups a killed run recorded are still its own and
 * running: a pure decision from the record and what the system says of each
 * leader's pid. A group is stopped only when its leader is alive and is the
 * very process that was recorded (same start time, same boot): a pid the
 * system gave to another process since is never signalled.
 */
export type LeftoverWhy = 'gone' | 'pid-reused' | 'rebooted' | 'unverifiable';

export interface LeftoverVerdicts {
  readonly stop: readonly GroupEntry[];
  readonly leave: readonly { readonly entry: GroupEntry; readonly why: LeftoverWhy }[];
}

export function judgeLeftovers(entries: readonly GroupEntry[], probe: Pick<ProcessProbe, 'view' | 'bootId'>): LeftoverVerdicts {
  const stop: GroupEntry[] = [];
  const leave: { entry: GroupEntry; why: LeftoverWhy }[] = [];
  const seen = new Set<number>();
  for (const entry of entries) {
    // Two records of one pid: at most one can be the process now behind it, and it is signalled once.
    if (seen.has(entry.pid)) continue;
    const view = probe.view(entry.pid);
    switch (view.kind) {
      case 'no-proc':
        // Without /proc a pid's start time cannot be read, so a reused pid cannot be told apart: leave it.
        leave.push({ entry, why: 'unverifiable' });
        break;
      case 'gone':
        leave.push({ entry, why: 'gone' });
        break;
      case 'running':
        if (entry.bootId !== undefined && probe.bootId !== undefined && entry.bootId !== probe.bootId) leave.push({ entry, why: 'rebooted' });
        else if (view.procStart !== entry.procStart) leave.push({ entry, why: 'pid-reused' });
        else {
          seen.add(entry.pid);
          stop.push(entry);
        }
        break;
      default:
        unreachable(view);
    }
  }
  return { stop, leave };
}
