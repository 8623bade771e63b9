import { Option, type Command } from 'commander';
import { commonOptions, runOptions, withCommonOptions, withRunOptions, type RunCliOptions, type SetExit } from './common-options.js';
import { anId, duration, nonNegativeInt } from './option-parsers.js';

/** Driving agents: run, resume, rollback, patterns, apply, clean. */
export function registerRunCommands(program: Command, setExit: SetExit): void {
  withRunOptions(program.command('run'))
    .description('drive the team through the phases (all, or the named ones and what they need): worktrees, scopes, gates, fixes, checkpoints')
    .argument('[phases...]', 'only these phases and what they need (default: all)')
    .option('--no-needs', 'run only the named phases; the phases they need are taken as done (their work is in HEAD)')
    .option('--run-id <id>', 'name the run (and its branch orchestra/<id>) instead of a fresh id, e.g. in CI', anId)
    .option('--no-preflight', "start without first checking that the agents' CLIs are there and take orchestra's flags")
    // Planning first (issue 17): the plan is written, shown, confirmed, then its phases run.
    .option('--request <text>', 'plan this request with the planner agent (as plan --request), then run the plan')
    .option('--request-file <file>', 'the request, read from a file')
    .option('--yes', 'with --request: run the plan without asking (required without a terminal)')
    .option('--attempts <n>', 'with --request: repair rounds when the plan is invalid', nonNegativeInt, 2)
    .action(
      async (
        phases: string[],
        opts: RunCliOptions & { needs: boolean; runId?: string; preflight: boolean; request?: string; requestFile?: string; yes?: boolean; attempts: number },
      ) => {
        const { runCommand } = await import('./commands/run.js');
        const base = runOptions(opts, phases);
        const planning = opts.request !== undefined || opts.requestFile !== undefined;
        setExit(
          await runCommand({
            ...base,
            needs: opts.needs,
            preflight: opts.preflight,
            ...(opts.runId !== undefined ? { runId: opts.runId } : {}),
            ...(planning
              ? {
                  request: {
                    cwd: base.cwd,
                    cache: base.cache,
                    ...(base.config !== undefined ? { config: base.config } : {}),
                    ...(opts.request !== undefined ? { request: opts.request } : {}),
                    ...(opts.requestFile !== undefined ? { requestFile: opts.requestFile } : {}),
                    yes: opts.yes === true,
                    attempts: opts.attempts,
                    graceMs: base.graceMs,
                  },
                }
              : {}),
          }),
        );
      },
    );

  withRunOptions(program.command('resume'))
    .description('continue a run that did not finish (a crash, Ctrl-C, a failed phase) from its last checkpoint')
    .argument('[run-id]', 'the run (default: the latest that did not hold)', anId)
    .action(async (runId: string | undefined, opts: RunCliOptions) => {
      const { resumeCommand } = await import('./commands/runs.js');
      setExit(await resumeCommand({ ...runOptions(opts, []), ...(runId ? { runId } : {}) }));
    });

  withCommonOptions(program.command('rollback'))
    .description("move a run's integration branch back to a phase's checkpoint")
    .argument('<phase>', 'the phase whose checkpoint to go back to', anId)
    .option('--run <run-id>', 'the run (default: the latest with that checkpoint)', anId)
    .action(async (phase: string, opts: { cwd?: string; config?: string; cache?: boolean; run?: string }) => {
      const { rollbackCommand } = await import('./commands/runs.js');
      setExit(await rollbackCommand({ ...commonOptions(opts), phase, ...(opts.run ? { runId: opts.run } : {}) }));
    });

  withCommonOptions(program.command('patterns'))
    .description('list the fixes orchestra learned: failures that a fix round turned green, with the change that did it')
    .option('--json', 'print them as JSON')
    .action(async (opts: { cwd?: string; config?: string; cache?: boolean; json?: boolean }) => {
      const { patternsCommand } = await import('./commands/runs.js');
      setExit(await patternsCommand({ ...commonOptions(opts), json: opts.json === true }));
    });

  withCommonOptions(program.command('apply'))
    .description(
      "merge a run's integration branch into the current branch (only on a clean tree; a conflict with commits made meanwhile goes to the run's agents)",
    )
    .argument('[run-id]', 'the run (default: the latest that held)', anId)
    .option('--rebase', "replay the run's commits onto your branch (a line of history) instead of a merge commit")
    .addOption(
      new Option('--kill-grace <duration>', 'how long a stopped agent or gate gets between SIGTERM and SIGKILL').argParser(duration).default(5000, '5s'),
    )
    .action(async (runId: string | undefined, opts: { cwd?: string; config?: string; cache?: boolean; rebase?: boolean; killGrace: number }) => {
      const { applyCommand } = await import('./commands/apply.js');
      setExit(await applyCommand({ ...commonOptions(opts), ...(runId ? { runId } : {}), rebase: opts.rebase === true, graceMs: opts.killGrace }));
    });

  withCommonOptions(program.command('clean'))
    .description("remove runs' worktrees and their merged branches")
    .argument('[run-id]', 'only this run (default: all)', anId)
    .option('-f, --force', 'also delete branches with commits not merged into the current branch')
    .action(async (runId: string | undefined, opts: { cwd?: string; config?: string; cache?: boolean; force?: boolean }) => {
      const { cleanCommand } = await import('./commands/runs.js');
      setExit(await cleanCommand({ ...commonOptions(opts), force: opts.force === true, ...(runId ? { runId } : {}) }));
    });
}
