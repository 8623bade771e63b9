import { describe, expect, it } from 'vitest';
import { claudeMcpArgs, codexMcpArgs, geminiSettings, mcpConfigJson } from '../../src/agents/mcp-wiring.js';
import type { McpServerSpec } from '../../src/agents/types.js';
import { claudeCode } from '../../src/agents/adapters/claude-code.js';
import { codex } from '../../src/agents/adapters/codex.js';
import { gemini } from '../../src/agents/adapters/gemini.js';
import { selfCheckSummary } from '../../src/events/self-check-text.js';
import { tomlHasServer } from '../../src/mcp/install-extra.js';
import { parseChannelLine } from '../../src/run/channel-entry.js';
import { selfCheckAsk, selfCheckVerdict, sendBackPrompt } from '../../src/run/self-check-prompt.js';

const SPEC: McpServerSpec = {
  command: '/usr/bin/node',
  args: ['/opt/orchestra/bin/orchestra.js', 'mcp', '--cwd', '/wt/a "b"', '--task', 't'],
  configFile: '/run/mcp/mcp.json',
  geminiSettingsFile: '/run/mcp/gemini.json',
  toolTimeoutMs: 90_500,
};
const agent = { args: [] as string[] };

describe('handing the MCP server to each CLI', () => {
  it('Claude Code: --mcp-config with the file, and its tools allowed next to the agent’s own', () => {
    expect(claudeMcpArgs(SPEC)).toEqual({ args: ['--mcp-config', '/run/mcp/mcp.json'], allow: 'mcp__orchestra' });
    const argv = claudeCode.launch({ ...agent, allowedTools: ['Bash(npm test)'] }, { prompt: 'p', promptFile: 'f', workdir: '/wt', mcp: SPEC }).argv;
    expect(argv[argv.indexOf('--allowedTools') + 1]).toBe('Bash(npm test),mcp__orchestra');
    expect(argv).toContain('--mcp-config');
    expect(claudeCode.launch(agent, { prompt: 'p', promptFile: 'f', workdir: '/wt' }).argv).not.toContain('--allowedTools');
    expect(JSON.parse(mcpConfigJson(SPEC))).toEqual({ mcpServers: { orchestra: { type: 'stdio', command: SPEC.command, args: SPEC.args } } });
  });

  it('Codex: -c overrides in TOML, quotes escaped, a tool timeout in whole seconds; before the prompt', () => {
    const args = codexMcpArgs(SPEC);
    expect(args).toContain('mcp_servers.orchestra.command="/usr/bin/node"');
    expect(args).toContain('mcp_servers.orchestra.args=["/opt/orchestra/bin/orchestra.js", "mcp", "--cwd", "/wt/a \\"b\\"", "--task", "t"]');
    expect(args).toContain('mcp_servers.orchestra.tool_timeout_sec=91');
    expect(args).toContain('mcp_servers.orchestra.required=true');
    const argv = codex.launch(agent, { prompt: 'do it', promptFile: 'f', workdir: '/wt', mcp: SPEC }).argv;
    expect(argv.at(-1)).toBe('do it');
  });

  it('Gemini: its system settings path in the environment; the machine’s own settings and servers kept under ours', () => {
    const launch = gemini.launch(agent, { prompt: 'p', promptFile: 'f', workdir: '/wt', mcp: SPEC });
    expect(launch.env).toEqual({ GEMINI_CLI_SYSTEM_SETTINGS_PATH: '/run/mcp/gemini.json' });
    const merged = JSON.parse(geminiSettings(SPEC, { admin: { x: 1 }, mcpServers: { corp: { command: 'c' }, orchestra: { command: 'old' } } }));
    expect(merged.admin).toEqual({ x: 1 });
    expect(merged.mcpServers.corp).toEqual({ command: 'c' });
    expect(merged.mcpServers.orchestra).toEqual({ command: SPEC.command, args: SPEC.args, timeout: 90_500, trust: true });
  });
});

describe('the channel and self_check', () => {
  it('parses notes and gate calls, bounded; drops everything else', () => {
    expect(parseChannelLine('{"kind":"blocker","text":"need\\nkeys"}')).toEqual({ kind: 'note', note: 'blocker', text: 'need keys' });
    expect(parseChannelLine('{"kind":"gate-call","ok":false,"gates":[{"name":"a","status":"failed"},{"name":3}]}')).toEqual({
      kind: 'gate-call',
      ok: false,
      gates: [{ name: 'a', status: 'failed' }],
    });
    for (const bad of [
      '',
      'nope',
      '[]',
      'null',
      '{"kind":"progress"}',
      '{"kind":"progress","text":"   "}',
      '{"kind":"gate-call","ok":1,"gates":[]}',
      `{"kind":"progress","text":"${'x'.repeat(17_000)}"}`,
    ])
      expect(parseChannelLine(bad)).toBeUndefined();
    expect((parseChannelLine(`{"kind":"progress","text":"${'x'.repeat(5000)}"}`) as { text: string }).text).toHaveLength(4001);
  });

  it('judges the calls: never, the last failed, the last passed', () => {
    expect(selfCheckVerdict([])).toEqual({ kind: 'never' });
    expect(
      selfCheckVerdict([
        { ok: true, failed: [] },
        { ok: false, failed: ['lint'] },
      ]),
    ).toEqual({ kind: 'failed', gates: ['lint'] });
    expect(
      selfCheckVerdict([
        { ok: false, failed: ['lint'] },
        { ok: true, failed: [] },
      ]),
    ).toEqual({ kind: 'checked' });
    expect(selfCheckSummary([])).toBe('never called check_gate');
    expect(selfCheckSummary([{ ok: false }, { ok: true }])).toBe('2 check_gate calls, the last passed');
  });

  it('asks for a check only where the phase has gates; the send-back says the fact and repeats the task', () => {
    expect(selfCheckAsk([])).toBe('');
    expect(selfCheckAsk(['lint', 'test'])).toContain("It runs this phase's gates (lint, test)");
    const p = sendBackPrompt({ kind: 'failed', gates: ['test'] }, 'Add the route.');
    expect(p).toContain('Your last check_gate call failed (test)');
    expect(p.endsWith('Add the route.')).toBe(true);
  });

  it('finds the orchestra server in a Codex config in each TOML form', () => {
    expect(tomlHasServer('[mcp_servers.orchestra]\ncommand = "x"')).toBe(true);
    expect(tomlHasServer('[mcp_servers."orchestra".env]\nA = "1"')).toBe(true);
    expect(tomlHasServer('mcp_servers.orchestra.command = "x"')).toBe(true);
    expect(tomlHasServer('[mcp_servers]\norchestra = { command = "x" }')).toBe(true);
    expect(tomlHasServer('[mcp_servers]\ndb = { command = "x" }\n[other]\norchestra = 1')).toBe(false);
    expect(tomlHasServer('[mcp_servers.orchestrator]\ncommand = "x"')).toBe(false);
  });
});
