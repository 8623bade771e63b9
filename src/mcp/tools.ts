import { existsSync } from 'node:fs';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { readEvents } from '../report/run-record.js';
import { readPatterns } from '../run/patterns.js';
import { readLock } from '../workspace/lock.js';
import { runIds } from '../workspace/run-ids.js';
import { unreachable } from '../util/unreachable.js';
import { formatCheck } from './answers.js';
import type { GateChecker } from './gate-check.js';
import { formatGateList } from './gate-list.js';
import { loadHere, workspaceFor } from './here.js';
import { appendGateCall, appendNote, noteTarget } from './notes.js';
import { formatStatus } from './status.js';
import { formatSuggestions, suggestionsFor } from './suggest.js';
import { folderWithin } from './where.js';

/** What every tool reads: where the server started, the repository it may not leave, the run's environment. */
export interface ToolContext {
  readonly startDir: string;
  readonly boundary: string;
  readonly checker: GateChecker;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where the server logs: stderr (stdout is the protocol's). */
  readonly log: (line: string) => void;
}

const text = (t: string): CallToolResult => ({ content: [{ type: 'text', text: t }] });
/** Bad input: an answer the model can act on, never a crash of the server. */
const toolError = (t: string): CallToolResult => ({ content: [{ type: 'text', text: t }], isError: true });

const pathInput = z
  .string()
  .min(1)
  .optional()
  .describe('A folder inside this repository whose orchestra config applies, relative to where the server runs. Leave it out to use that folder.');

/** Runs a tool's body; an exception in orchestra becomes an error answer (and a log line), and the server goes on. */
async function guarded(ctx: ToolContext, tool: string, body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (e) {
    const err = e as Error;
    ctx.log(`orchestra mcp: ${tool}: internal error: ${err.stack ?? String(err)}`);
    return toolError(`internal error in orchestra (a bug, not your input): ${err.message}`);
  }
}

export function registerTools(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'check_gate',
    {
      title: 'Check your work against the gates',
      description: [
        "Runs this repository's quality gates (its tests, linters, type checks and orchestra rules) on the files as they are now, and reports each gate as passed or failed.",
        'Call it after changing code and before you say the work is done; when a gate fails, fix what it reports and call it again until every gate passes.',
        'Without `gates` it checks the default set: inside an orchestra run, the gates of your phase; otherwise every top-level gate.',
        'Gates whose inputs did not change since they last passed answer at once from the cache ("passed (cached)").',
        'Findings read `file:line:col: message (rule)`; "[fix available]" means `orchestra check --fix` can fix it mechanically.',
        "A failing command's last output lines are included. A gate that runs past its timeout fails as timed out.",
      ].join(' '),
      inputSchema: {
        gates: z
          .array(z.string().min(1))
          .optional()
          .describe('Names of the gates to check (list_gates shows them); the gates they need run first. Leave it out for the default set.'),
        path: pathInput,
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ gates, path }) =>
      guarded(ctx, 'check_gate', async () => {
        const where = folderWithin(ctx.startDir, ctx.boundary, path);
        if (!where.ok) return toolError(where.error);
        const outcome = await ctx.checker.check(where.dir, gates ?? []);
        if (!outcome.ok) return toolError(outcome.error);
        // The run counts the agent's checks (self_check); outside a run there is nowhere to count them.
        const target = noteTarget(ctx.env);
        if (target.kind === 'file') appendGateCall(target, outcome.answers);
        return text(formatCheck(outcome.answers));
      }),
  );

  server.registerTool(
    'list_gates',
    {
      title: 'List the gates',
      description:
        'Lists the gates that apply here: for each, what it checks (its command or rule), its description, what it needs, the files it looks at, its timeout, and which git hooks and phases use it. Also says which gates check_gate runs by default.',
      inputSchema: { path: pathInput },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ path }) =>
      guarded(ctx, 'list_gates', async () => {
        const where = folderWithin(ctx.startDir, ctx.boundary, path);
        if (!where.ok) return toolError(where.error);
        const here = await loadHere(where.dir);
        if (!here.ok) return toolError(here.error);
        return text(formatGateList(here.config, here.gates, ctx.env['ORCHESTRA_PHASE']));
      }),
  );

  server.registerTool(
    'fix_suggestion',
    {
      title: 'Learned fixes for a failing gate',
      description: [
        'For a gate that fails, shows the fixes orchestra learned earlier for the same failure: when a fix turned that failing gate green before, its diff was recorded, and the same failure is matched by its signature (the findings and output, without line numbers).',
        'It uses the latest check_gate result for the gate, or checks the gate first if it has not been checked here. Use the diff as a hint, not as something to apply blindly.',
      ].join(' '),
      inputSchema: {
        gate: z.string().min(1).describe('The name of the failing gate.'),
        path: pathInput,
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ gate, path }) =>
      guarded(ctx, 'fix_suggestion', async () => {
        const where = folderWithin(ctx.startDir, ctx.boundary, path);
        if (!where.ok) return toolError(where.error);
        const here = await loadHere(where.dir);
        if (!here.ok) return toolError(here.error);
        let failure = ctx.checker.lastFailure(here.config.root, gate);
        if (!failure) {
          const outcome = await ctx.checker.check(where.dir, [gate]);
          if (!outcome.ok) return toolError(outcome.error);
          failure = outcome.failures.find((f) => f.gate === gate);
          if (!failure) {
            const answer = outcome.answers.find((a) => a.name === gate);
            return text(
              `gate ${gate} ${answer?.status === 'skipped' ? `did not run: ${answer.message ?? 'a gate it needs failed'}` : 'passes now: nothing to fix'}`,
            );
          }
        }
        const patterns = readPatterns(workspaceFor(here.config.root).patternsFile);
        return text(formatSuggestions(failure, suggestionsFor(patterns, failure)));
      }),
  );

  server.registerTool(
    'run_status',
    {
      title: 'State of the orchestra run',
      description:
        'Shows an orchestra run: whether it is running, and for each phase its tasks, gates, fix rounds and checkpoint with their state (waiting, running, passed, failed, skipped), the agent working on each, attempts, and why a node failed. Inside a run it shows that run (your task is marked "(you)"); outside, the latest run.',
      inputSchema: { run_id: z.string().min(1).optional().describe('A run id (default: the run you are in, else the latest).') },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ run_id }) =>
      guarded(ctx, 'run_status', async () => {
        const here = await loadHere(ctx.startDir);
        const ws = workspaceFor(here.ok ? here.config.root : ctx.boundary);
        const ids = existsSync(ws.runsDir) ? runIds(ws) : [];
        const own = ctx.env['ORCHESTRA_RUN_ID'];
        const id = run_id ?? (own !== undefined && ids.includes(own) ? own : ids.at(-1));
        if (id === undefined) return text('there are no orchestra runs in this repository yet');
        if (!ids.includes(id)) return toolError(`no run '${id}' in ${ws.runsDir}; runs: ${ids.slice(-10).join(', ') || 'none'}`);
        const self = id === own ? ctx.env['ORCHESTRA_TASK'] : undefined;
        return text(formatStatus(id, readEvents(ws.run(id).events), readLock(ws)?.runId, Date.now(), self));
      }),
  );

  server.registerTool(
    'note',
    {
      title: 'Record a note in the run',
      description:
        'Records a short progress note or a blocker in the orchestra run you work in, for the people watching it (orchestra logs, status, the dashboard). Use "blocker" when you cannot go on without help. Outside an orchestra run there is nothing to record it in, and it says so.',
      inputSchema: {
        text: z.string().min(1).max(4000).describe('The note, one or a few sentences.'),
        kind: z.enum(['progress', 'blocker']).default('progress').describe('progress (default) or blocker.'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    ({ text: note, kind }) =>
      guarded(ctx, 'note', async () => {
        const target = noteTarget(ctx.env);
        switch (target.kind) {
          case 'no-run':
            return text('not recorded: there is no orchestra run here (ORCHESTRA_RUN_ID is not set), so there is no record to add a note to');
          case 'unavailable':
            return text(`not recorded: run ${target.runId} gave no notes file (ORCHESTRA_NOTES_FILE), so notes are not available in this run`);
          case 'file':
            appendNote(target, kind, note);
            return text(`recorded as a ${kind} note in run ${target.runId}`);
          default:
            return unreachable(target);
        }
      }),
  );
}
