import { Option, type Command } from 'commander';
import { duration } from './option-parsers.js';
import type { SetExit } from './common-options.js';

/** The gates as tools for agents: `orchestra mcp` and `orchestra mcp install`. */
export function registerMcpCommands(program: Command, setExit: SetExit): void {
  const mcp = program
    .command('mcp')
    .description("a Model Context Protocol server over stdio: the gates as tools for an agent's CLI (check_gate, list_gates, fix_suggestion, run_status, note)")
    .option('--cwd <dir>', 'directory whose gates it serves (default: the current directory)')
    .option('--timeout <duration>', 'time limit for gates without a timeout of their own (default 10m)', duration)
    .option('--kill-grace <duration>', 'how long a stopped gate gets between SIGTERM and SIGKILL', duration, 5000)
    // Given by `orchestra run` to each agent's server (flags, not environment: not every CLI passes its environment on).
    .addOption(new Option('--run-id <id>', 'the run the agent works in').hideHelp())
    .addOption(new Option('--phase <id>', "the agent's phase: its gates are check_gate's default").hideHelp())
    .addOption(new Option('--task <id>', "the agent's task").hideHelp())
    .addOption(new Option('--notes-file <file>', 'where notes and gate calls go for the run to read').hideHelp())
    .action(async (opts: { cwd?: string; timeout?: number; killGrace: number; runId?: string; phase?: string; task?: string; notesFile?: string }) => {
      const { mcpCommand } = await import('./commands/mcp.js');
      const run = {
        ...(opts.runId !== undefined ? { ORCHESTRA_RUN_ID: opts.runId } : {}),
        ...(opts.phase !== undefined ? { ORCHESTRA_PHASE: opts.phase } : {}),
        ...(opts.task !== undefined ? { ORCHESTRA_TASK: opts.task } : {}),
        ...(opts.notesFile !== undefined ? { ORCHESTRA_NOTES_FILE: opts.notesFile } : {}),
      };
      setExit(await mcpCommand({ cwd: opts.cwd ?? process.cwd(), timeoutMs: opts.timeout ?? 10 * 60_000, graceMs: opts.killGrace, run }));
    });
  mcp
    .command('install')
    .description('add the server to .mcp.json (Claude Code) and .gemini/settings.json (Gemini CLI), keeping what is there; print the Codex lines')
    .option('--cwd <dir>', 'the project folder (default: the current directory)')
    .action(async (opts: { cwd?: string }) => {
      const { mcpInstallCommand } = await import('./commands/mcp.js');
      setExit(await mcpInstallCommand({ cwd: opts.cwd ?? process.cwd() }));
    });
}
