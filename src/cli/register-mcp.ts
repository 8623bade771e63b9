import type { Command } from 'commander';
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
    .action(async (opts: { cwd?: string; timeout?: number; killGrace: number }) => {
      const { mcpCommand } = await import('./commands/mcp.js');
      setExit(await mcpCommand({ cwd: opts.cwd ?? process.cwd(), timeoutMs: opts.timeout ?? 10 * 60_000, graceMs: opts.killGrace }));
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
