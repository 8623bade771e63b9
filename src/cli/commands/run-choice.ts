import type { Workspace } from '../../workspace/layout.js';
import { RUN_ID } from '../../workspace/run-ids.js';
import { RunStateStore, type RunState } from '../../workspace/run-state.js';
import { usageFailure as fail } from '../exit-codes.js';

/** The runs with a state file; a state file that cannot be believed is said once, on stderr, and left out. */
function runStates(ws: Workspace): RunState[] {
  const { states, problems } = new RunStateStore(ws).list();
  for (const p of problems) process.stderr.write(`orchestra: warning: ${p.file}: ${p.message}; that run is left out\n`);
  return states;
}

/** The run a command names: its state, or exit 2 with what is wrong with the file. */
function namedRun(ws: Workspace, runId: string): RunState | number {
  const read = new RunStateStore(ws).read(runId);
  if (read.ok) return read.state;
  if (read.problem.kind === 'missing')
    return fail(`no run '${runId}' with a state to read`, "runs are listed by 'orchestra list'; only 'orchestra run' leaves a state (check runs do not)");
  return fail(`${read.problem.file}: ${read.problem.message}`, 'the file is not what orchestra wrote; nothing was changed');
}

/** The run a command is about: the one named (or exit 2 saying what is wrong with it), else the latest that `fits`. */
export function chooseRun(ws: Workspace, runId: string | undefined, fits: (r: RunState) => boolean): RunState | number | undefined {
  if (runId !== undefined) return RUN_ID.test(runId) ? namedRun(ws, runId) : notAnId(runId);
  return runStates(ws).filter(fits).at(-1);
}

/** A run id never reaches a path unchecked. */
export function notAnId(runId: string): number {
  return fail(`'${runId}' is not a run id (letters, digits, and . _ - after the first)`, "runs are listed by 'orchestra list'");
}
