import type { McpServerSpec } from './types.js';

/**
 * How each agent CLI is handed orchestra's MCP server, and the names its tools
 * then have. Pure: the runner writes the files these describe.
 */

/** The server's name in every CLI's config: Claude Code calls its tools `mcp__orchestra__check_gate`. */
export const MCP_SERVER = 'orchestra';

/** The server as Claude Code's `--mcp-config` and `.mcp.json` describe one. */
export function mcpConfigJson(spec: Pick<McpServerSpec, 'command' | 'args'>): string {
  return `${JSON.stringify({ mcpServers: { [MCP_SERVER]: { type: 'stdio', command: spec.command, args: spec.args } } }, null, 2)}\n`;
}

/**
 * Claude Code: the server from a file, and its tools allowed without asking
 * (headless, a question would be a refusal). `mcp__orchestra` allows every
 * tool of that server and nothing else.
 */
export function claudeMcpArgs(spec: McpServerSpec): { readonly args: readonly string[]; readonly allow: string } {
  return { args: ['--mcp-config', spec.configFile], allow: `mcp__${MCP_SERVER}` };
}

/**
 * Codex: `-c` overrides of `mcp_servers.orchestra` (values in TOML; a JSON
 * string is a valid TOML basic string). Codex stops a tool call after 60 s by
 * default: a gate set may take longer. `required`: Codex waits for the server
 * before its first request (without it, a server still starting on a loaded
 * machine made Codex send its first request twice, in about one full suite
 * run in two) and says so if it cannot start.
 */
export function codexMcpArgs(spec: McpServerSpec): readonly string[] {
  const key = `mcp_servers.${MCP_SERVER}`;
  const seconds = Math.max(1, Math.ceil(spec.toolTimeoutMs / 1000));
  return [
    '-c',
    `${key}.command=${JSON.stringify(spec.command)}`,
    '-c',
    `${key}.args=[${spec.args.map((a) => JSON.stringify(a)).join(', ')}]`,
    '-c',
    `${key}.tool_timeout_sec=${seconds}`,
    '-c',
    `${key}.startup_timeout_sec=30`,
    '-c',
    `${key}.required=true`,
  ];
}

/**
 * Gemini CLI reads MCP servers from its settings; the system settings file
 * (`GEMINI_CLI_SYSTEM_SETTINGS_PATH`) is the one layer that is neither the
 * user's nor the worktree's (a file there would be committed with the task's
 * work). Its `mcpServers` merge shallowly with the other layers', so the
 * user's servers stay; the machine's own system settings are kept under ours.
 */
export function geminiSettings(spec: McpServerSpec, machine: Record<string, unknown> | undefined): string {
  const base = machine ?? {};
  const servers = typeof base['mcpServers'] === 'object' && base['mcpServers'] !== null ? (base['mcpServers'] as Record<string, unknown>) : {};
  const ours = { command: spec.command, args: spec.args, timeout: spec.toolTimeoutMs, trust: true };
  return `${JSON.stringify({ ...base, mcpServers: { ...servers, [MCP_SERVER]: ours } }, null, 2)}\n`;
}

export const GEMINI_SETTINGS_VAR = 'GEMINI_CLI_SYSTEM_SETTINGS_PATH';
