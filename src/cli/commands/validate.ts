import path from 'node:path';
import { sortDiagnostics, type Diagnostic } from '../../config/diagnostic.js';
import { loadConfig } from '../../config/load.js';
import { displayPath, formatDiagnostics, writeDiagnostics } from '../../logger/diagnostic-printer.js';
import { styleFor } from '../../logger/style.js';
import { count } from '../../logger/plan-text.js';
import { EXIT, type CommonOptions } from '../exit-codes.js';
import type { Config } from '../../config/types.js';
import type { LoadOutcome } from '../../config/load.js';

/**
 * Writes `text` and resolves once the stream has taken it, or is gone (a
 * reader that stopped early, as `| head` does): a pipe read slower than it is
 * written would otherwise queue all of it in memory.
 */
function written(stream: NodeJS.WriteStream, text: string): Promise<void> | void {
  if (stream.destroyed || stream.errored || broken.has(stream) || stream.write(text)) return;
  return new Promise((resolve) => {
    const done = (event: string) => (): void => {
      if (event !== 'drain') broken.add(stream);
      for (const [e, f] of handlers) stream.off(e, f);
      resolve();
    };
    const handlers = (['drain', 'error', 'close'] as const).map((e) => [e, done(e)] as const);
    for (const [e, f] of handlers) stream.once(e, f);
  });
}

/** Streams that failed (EPIPE): nothing more is written to them. */
const broken = new WeakSet<NodeJS.WriteStream>();

/** Loads the config and prints its problems; the config when it is sound. Shared by every command that reads config. */
export async function loadOrReport(opts: CommonOptions): Promise<{ config?: Config; outcome: LoadOutcome }> {
  const cwd = path.resolve(opts.cwd);
  const outcome = await loadConfig({ cwd, cache: opts.cache, ...(opts.config !== undefined ? { configPath: opts.config } : {}) });
  if (outcome.diagnostics.length > 0) {
    const style = styleFor(process.stderr);
    const errors = outcome.diagnostics.filter((d) => d.severity === 'error').length;
    // A reader that stops early (`| head`) ends the process while it waits to write (main.ts); it still exits 2 for errors.
    const exitCode = process.exitCode;
    if (errors > 0) process.exitCode = EXIT.usage;
    await writeDiagnostics(outcome.diagnostics, outcome.sources, process.cwd(), style, (text) => written(process.stderr, text));
    process.exitCode = exitCode;
    if (errors > 0) process.stderr.write(`\n${style.red(`${errors} ${errors === 1 ? 'error' : 'errors'}`)}: nothing was run.\n`);
  }
  return { ...(outcome.config ? { config: outcome.config } : {}), outcome };
}

export function summarize(config: Config): string {
  const tasks = config.phases.reduce((n, p) => n + p.tasks.length, 0);
  const agents = config.team?.agents.length ?? 0;
  // A disabled gate does not run: it is counted apart, not as a gate.
  const off = [...config.gates.values()].filter((g) => !g.enabled).length;
  const gates = count(config.gates.size - off, 'gate') + (off ? ` (${off} disabled)` : '');
  return [gates, count(config.phases.length, 'phase'), count(tasks, 'task'), count(agents, 'agent')].join(', ');
}

export interface ValidateOptions extends CommonOptions {
  /** As `plan --strict-scopes`: tasks with overlapping scopes are an error instead of an ordering. */
  readonly strictScopes?: boolean;
  /** Also print each hook's gates and the file each entry came from. */
  readonly explain?: boolean;
}

/** Each hook's list, every entry with the file it came from (presets' lists join; the user's file replaces). */
export function explainHooks(config: Config, cwd: string): string {
  const lines: string[] = [];
  for (const [hook, refs] of Object.entries(config.hooks)) {
    const from = refs.map(
      (r) => `${r.id} ${r.loc.file === config.file ? `(${displayPath(config.file, cwd)})` : `(${path.basename(r.loc.file).replace(/\.ya?ml$/, '')})`}`,
    );
    lines.push(`  ${hook}: ${from.length ? from.join(', ') : '(empty)'}`);
  }
  return lines.length ? `hooks:\n${lines.join('\n')}\n` : 'hooks: none\n';
}

/**
 * What the commands that start work check on the config alone, beyond loading
 * it: the compile (`plan`, `graph`, `check`, `run`: gate and phase cycles,
 * with --strict-scopes scope conflicts; its warnings), and the hook lists that
 * `check --hook` runs (notes where a disabled gate was taken out of them).
 * Checks that depend on the command line (named phases or gates, --shard,
 * --no-needs) or on the repository (a commit, a run holding the lock), and
 * "no phases" (only `run` minds), are left to their commands.
 */
export async function preStartDiagnostics(config: Config, options: { strictScopes?: boolean } = {}): Promise<Diagnostic[]> {
  // Loaded here, not at the top: every command loads the config through this file, few compile.
  const { compile } = await import('../../graph/compile.js');
  return sortDiagnostics([...compile(config, { strictScopes: options.strictScopes === true }).diagnostics, ...(config.notes ?? [])]);
}

export async function validateCommand(opts: ValidateOptions): Promise<number> {
  const { config, outcome } = await loadOrReport(opts);
  if (!config) return EXIT.usage;
  const diagnostics = await preStartDiagnostics(config, opts);
  if (diagnostics.length > 0) {
    const style = styleFor(process.stderr);
    process.stderr.write(`${formatDiagnostics(diagnostics, outcome.sources, process.cwd(), style)}\n`);
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    if (errors > 0) {
      process.stderr.write(`\n${style.red(`${errors} ${errors === 1 ? 'error' : 'errors'}`)}: nothing was run.\n`);
      return EXIT.usage;
    }
  }
  const style = styleFor(process.stdout);
  const presets =
    config.files.length > 1
      ? ` (with ${config.files
          .slice(0, -1)
          .map((f) => path.basename(f, '.yaml'))
          .join(', ')})`
      : '';
  process.stdout.write(`${style.green('✓')} ${displayPath(config.file, process.cwd())} is valid: ${summarize(config)}${presets}\n`);
  if (opts.explain) process.stdout.write(explainHooks(config, process.cwd()));
  return EXIT.ok;
}
