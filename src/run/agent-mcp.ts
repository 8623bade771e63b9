import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GEMINI_SETTINGS_VAR, geminiSettings, mcpConfigJson } from '../agents/mcp-wiring.js';
import type { McpServerSpec } from '../agents/types.js';
import type { RunDir } from '../workspace/layout.js';

/** How to start orchestra itself (node and its bin), for `orchestra mcp` inside an agent's CLI. */
export interface OrchestraCommand {
  readonly command: string;
  readonly args: readonly string[];
  /** orchestra's package folder: visible to a sandboxed agent even under the private /tmp. */
  readonly packageDir: string;
}

/** This orchestra: the node running it and the bin beside this module's package (dist/run/ → bin/). */
export function orchestraCommand(): OrchestraCommand {
  const packageDir = fileURLToPath(new URL('../../', import.meta.url));
  return { command: process.execPath, args: [path.join(packageDir, 'bin', 'orchestra.js')], packageDir: path.resolve(packageDir) };
}

export interface McpForAttempt {
  readonly spec: McpServerSpec;
  /** The one file the server writes (notes, gate calls), in a folder the sandbox lets the agent write. */
  readonly channelFile: string;
  readonly channelDir: string;
  /** What the sandbox must show: orchestra's package and the config files. */
  readonly readable: readonly string[];
  /** For agents with a `command` template: the config file, as Claude Code's `--mcp-config` reads it. */
  readonly env: Readonly<Record<string, string>>;
}

export interface McpAttempt {
  readonly runId: string;
  readonly phase: string;
  readonly task: string;
  readonly workdir: string;
  /** nodeId#attempt: one folder per start. */
  readonly key: string;
  readonly toolTimeoutMs: number;
}

/**
 * Writes the files one agent start needs to reach `orchestra mcp` scoped to
 * its task: the server's command line carries the run, phase, task and
 * channel (flags, not environment: Codex hands an MCP server only a few
 * variables of its own). The channel folder is made empty and new.
 */
export function prepareMcp(orchestra: OrchestraCommand, runDir: RunDir, a: McpAttempt, agentEnv: Readonly<Record<string, string | undefined>>): McpForAttempt {
  const files = runDir.mcpFiles(a.key);
  const channelDir = runDir.agentChannel(a.key);
  mkdirSync(files, { recursive: true });
  mkdirSync(channelDir, { recursive: true });
  const channelFile = path.join(channelDir, 'calls.jsonl');
  writeFileSync(channelFile, '');
  const args = [...orchestra.args, 'mcp', '--cwd', a.workdir, '--run-id', a.runId, '--phase', a.phase, '--task', a.task, '--notes-file', channelFile];
  const spec: McpServerSpec = {
    command: orchestra.command,
    args,
    configFile: path.join(files, 'mcp.json'),
    geminiSettingsFile: path.join(files, 'gemini-settings.json'),
    toolTimeoutMs: a.toolTimeoutMs,
  };
  writeFileSync(spec.configFile, mcpConfigJson(spec));
  writeFileSync(spec.geminiSettingsFile, geminiSettings(spec, machineGeminiSettings(agentEnv)));
  return { spec, channelFile, channelDir, readable: [orchestra.packageDir, files], env: { ORCHESTRA_MCP_CONFIG: spec.configFile } };
}

/** The system settings Gemini CLI would have read: kept under orchestra's server (an admin's policy stays). */
function machineGeminiSettings(env: Readonly<Record<string, string | undefined>>): Record<string, unknown> | undefined {
  const file = env[GEMINI_SETTINGS_VAR] || '/etc/gemini-cli/settings.json';
  try {
    const v: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
