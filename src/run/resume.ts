import type { Repo } from '../git/repo.js';
import type { RunState } from '../workspace/run-state.js';
import type { RunDir } from '../workspace/layout.js';
import type { ProcessProbe } from '../workspace/lock-verdict.js';
import { judgeLeftovers } from '../workspace/leftover-verdict.js';
import { liveGroups, readGroupRecord, rewriteGroupRecord, type GroupEntry } from '../workspace/process-groups.js';
import { groupMembers, systemProbe } from '../workspace/process-probe.js';

/**
 * Brings back a run's integration worktree at its last checkpoint: phases
 * after it are redone from there (exact for phases that run one after another;
 * two unfinished phases that ran side by side both start again).
 */
export async function prepareResume(repo: Repo, state: RunState, integration: string): Promise<void> {
  await repo.removeWorktree(integration);
  await repo.raw(['worktree', 'prune']);
  const history = (await repo.raw(['rev-list', state.integrationBranch])).split('\n').filter(Boolean);
  const done = new Set(Object.values(state.checkpoints));
  const last = history.find((c) => done.has(c)) ?? state.base;
  await repo.raw(['branch', '-f', state.integrationBranch, last]);
  await repo.raw(['worktree', 'add', '-q', integration, state.integrationBranch]);
}

/** What `stopLeftovers` may do to the system: the probe, signals to a group, and a pause between looks. */
export interface GroupKiller {
  readonly probe: Pick<ProcessProbe, 'view' | 'bootId'>;
  signal(pgid: number, signal: 'SIGTERM' | 'SIGKILL'): void;
  /** The processes now in a group, with their start times. */
  members(pgid: number): { pid: number; procStart: string }[];
  /** SIGKILL to one process. */
  kill(pid: number): void;
  pause(ms: number): Promise<void>;
}

const quietly = (f: () => void): void => {
  try {
    f();
  } catch {
    // it ended on its own meanwhile
  }
};

export const systemKiller = (): GroupKiller => ({
  probe: systemProbe(),
  signal: (pgid, signal) => quietly(() => process.kill(-pgid, signal)),
  members: groupMembers,
  kill: (pid) => quietly(() => process.kill(pid, 'SIGKILL')),
  pause: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
});

const LOOK_EVERY_MS = 50;

/**
 * Before a killed run's tasks start again, ends the process groups it left
 * running (an unsandboxed agent, a gate): SIGTERM to each group still led by
 * the process that was recorded, up to `graceMs` for them to end, then SIGKILL
 * to those whose leader is still that process, and to each member seen in a
 * group at the start that is still that same process. Returns a line per group
 * stopped; the record then keeps only what could not be stopped.
 */
export async function stopLeftovers(run: Pick<RunDir, 'groups'>, graceMs: number, killer: GroupKiller = systemKiller()): Promise<string[]> {
  const recorded = liveGroups(readGroupRecord(run.groups));
  if (recorded.length === 0) return [];
  const { stop } = judgeLeftovers(recorded, killer.probe);
  // Who is in each group, read while its leader vouches for it: a member that outlives its leader (it ignored
  // SIGTERM, the leader did not) is then killed on its own, if it is still the process seen here.
  const members: GroupEntry[] = stop.flatMap((g) =>
    killer
      .members(g.pgid)
      .filter((m) => m.pid !== g.pid)
      .map((m) => ({ pid: m.pid, pgid: m.pid, procStart: m.procStart, ...(g.bootId !== undefined ? { bootId: g.bootId } : {}) })),
  );
  for (const g of stop) killer.signal(g.pgid, 'SIGTERM');
  const stillOurs = (): readonly GroupEntry[] => judgeLeftovers(stop, killer.probe).stop;
  const membersLeft = (): readonly GroupEntry[] => judgeLeftovers(members, killer.probe).stop;
  for (let waited = 0; waited < graceMs && stillOurs().length + membersLeft().length > 0; waited += LOOK_EVERY_MS) await killer.pause(LOOK_EVERY_MS);
  // Judged again: a leader that ended meanwhile may have had its pid given to another process.
  const stubborn = stillOurs();
  for (const g of stubborn) killer.signal(g.pgid, 'SIGKILL');
  for (const m of membersLeft()) killer.kill(m.pid);
  for (let waited = 0; waited < 5000 && stillOurs().length > 0; waited += LOOK_EVERY_MS) await killer.pause(LOOK_EVERY_MS);
  const left = stillOurs();
  rewriteGroupRecord(run.groups, left);
  return stop.map((g) => {
    const how = left.includes(g) ? 'could not be stopped' : stubborn.includes(g) ? 'killed (it ignored SIGTERM)' : 'stopped';
    return `process group ${g.pgid} the killed run left running: ${how}`;
  });
}
