import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The one place that knows the layout of `.orchestra/`: every other module is
 * handed the path it needs (a run's log file, the gate cache's folder) and
 * never joins a path under the state folder itself.
 *
 * ```
 * .orchestra/
 *   .gitignore              '*': never committed, even where `init` never ran
 *   run.lock                the run that is working (pid, run id, what identifies its process)
 *   run.lock.takeover-<h>   a claim on the stale lock whose text hashes to <h>, for a moment
 *   patterns.jsonl          learned fixes
 *   prompts/fix.md          the user's own fix prompt, when there is one
 *   cache/gates/<fp>.json   passing gate results
 *   cache/parse/<sha>.json  parsed config files, sealed with the user's cache key (parse-cache.ts)
 *   reports/                junit.xml, orchestra.sarif, plan documents
 *   runs/<id>/              events.jsonl, state.json, report.md, groups.jsonl, logs/, prompts/, sandbox/
 *   worktrees/<id>/         _integration/ and one folder per task
 * ```
 */
export class Workspace {
  /** `.orchestra/` beside the config. */
  static of(configRoot: string): Workspace {
    return new Workspace(path.join(configRoot, '.orchestra'));
  }

  /**
   * The workspace a folder belongs to when it is one of a run's worktrees
   * (`<repo>/.orchestra/worktrees/<run>/<task>/…`), else undefined: a process
   * started inside a task's worktree (the MCP server an agent's CLI starts)
   * reads the run's record and the gate cache of the repository that runs it.
   */
  static enclosing(dir: string): Workspace | undefined {
    const parts = path.resolve(dir).split(path.sep);
    for (let i = parts.length - 3; i > 0; i--) {
      if (parts[i] === '.orchestra' && parts[i + 1] === 'worktrees') return new Workspace(parts.slice(0, i + 1).join(path.sep) || path.sep);
    }
    return undefined;
  }

  constructor(readonly stateDir: string) {}

  /** Makes the folder with its own `.gitignore`; returns itself. */
  ensure(): this {
    mkdirSync(this.stateDir, { recursive: true });
    const ignore = path.join(this.stateDir, '.gitignore');
    if (!existsSync(ignore)) writeFileSync(ignore, '*\n');
    return this;
  }

  get runsDir(): string {
    return path.join(this.stateDir, 'runs');
  }
  get worktreesDir(): string {
    return path.join(this.stateDir, 'worktrees');
  }
  get lockFile(): string {
    return path.join(this.stateDir, 'run.lock');
  }
  /** The claim that lets one run alone replace the stale lock whose text hashes to `key` (see `lock.ts`). */
  lockClaimFile(key: string): string {
    return path.join(this.stateDir, `run.lock.takeover-${key}`);
  }
  get patternsFile(): string {
    return path.join(this.stateDir, 'patterns.jsonl');
  }
  /** The user's own fix prompt template, which replaces orchestra's when it exists. */
  get fixPromptFile(): string {
    return path.join(this.stateDir, 'prompts', 'fix.md');
  }
  get gateCacheDir(): string {
    return path.join(this.stateDir, 'cache', 'gates');
  }
  get parseCacheDir(): string {
    return path.join(this.stateDir, 'cache', 'parse');
  }
  get reportsDir(): string {
    return path.join(this.stateDir, 'reports');
  }
  /** Where `--reporter junit` / `sarif` write when no file is named. */
  defaultReportFile(kind: 'junit' | 'sarif'): string {
    return path.join(this.reportsDir, kind === 'junit' ? 'junit.xml' : 'orchestra.sarif');
  }

  /** A run's folder. The id must already be a valid run id (see `run-ids.ts`). */
  run(runId: string): RunDir {
    const dir = path.join(this.runsDir, runId);
    const logs = path.join(dir, 'logs');
    const prompts = path.join(dir, 'prompts');
    return {
      id: runId,
      dir,
      events: path.join(dir, 'events.jsonl'),
      state: path.join(dir, 'state.json'),
      report: path.join(dir, 'report.md'),
      groups: path.join(dir, 'groups.jsonl'),
      logs,
      prompts,
      logFile: (nodeId) => path.join(logs, `${fileSafe(nodeId)}.log`),
      promptFile: (nodeId) => path.join(prompts, `${fileSafe(nodeId)}.md`),
      sandboxScratch: (key) => path.join(dir, 'sandbox', fileSafe(key)),
      mcpFiles: (key) => path.join(dir, 'mcp', fileSafe(key)),
      agentChannel: (key) => path.join(dir, 'channel', fileSafe(key)),
    };
  }

  /** A run's worktrees: the integration tree and one per task. */
  worktrees(runId: string): RunWorktrees {
    const root = path.join(this.worktreesDir, runId);
    return { root, integration: path.join(root, '_integration'), task: (taskId) => path.join(root, fileSafe(taskId)) };
  }
}

/** The files of one run under `.orchestra/runs/<id>/`. */
export interface RunDir {
  readonly id: string;
  readonly dir: string;
  /** The record: one event per line. */
  readonly events: string;
  /** What `resume`, `rollback` and `apply` read back (see `run-state.ts`). */
  readonly state: string;
  readonly report: string;
  /** The process groups the run started and has not seen end (see `process-groups.ts`): what `resume` stops after a kill -9. */
  readonly groups: string;
  readonly logs: string;
  readonly prompts: string;
  /** The log a node (or a fix round, `fix:x#2`) writes. */
  logFile(nodeId: string): string;
  /** The prompt an agent node was given. */
  promptFile(nodeId: string): string;
  /** One agent start's private git state inside its sandbox; removed when the agent exits. */
  sandboxScratch(key: string): string;
  /** The folder of one agent start's MCP config files (read-only to the agent). */
  mcpFiles(key: string): string;
  /** The one folder of one agent start that its MCP server writes (notes, gate calls); what is there is the agent's word. */
  agentChannel(key: string): string;
}

export interface RunWorktrees {
  readonly root: string;
  readonly integration: string;
  task(taskId: string): string;
}

/** A node id as a file name: the per-node log, prompt and worktree all use it. */
export function fileSafe(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]+/g, '_');
}
