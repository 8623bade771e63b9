import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRepo, runCli } from '../helpers/repo.js';

const ENTRY = { command: 'npx', args: ['orchestra', 'mcp'] };

describe('orchestra mcp install', () => {
  it('writes .mcp.json and .gemini/settings.json, and prints the Codex lines without touching the home folder', async () => {
    const repo = makeRepo();
    const r = await runCli(['mcp', 'install'], repo);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(repo, '.mcp.json'), 'utf8'))).toEqual({ mcpServers: { orchestra: ENTRY } });
    expect(JSON.parse(readFileSync(path.join(repo, '.gemini/settings.json'), 'utf8'))).toEqual({ mcpServers: { orchestra: ENTRY } });
    expect(r.stdout).toContain('[mcp_servers.orchestra]\ncommand = "npx"\nargs = ["orchestra", "mcp"]');
    expect(r.stdout).toContain(`-c 'mcp_servers.orchestra.command="npx"'`);
    expect(readFileSync(path.join(repo, '.codex/config.toml'), 'utf8')).toBe('[mcp_servers.orchestra]\ncommand = "npx"\nargs = ["orchestra", "mcp"]\n');
    for (const verb of ['status', 'logs', 'abort', 'report', 'monitor']) {
      const text = readFileSync(path.join(repo, `.claude/commands/orch-${verb}.md`), 'utf8');
      expect(text).toMatch(/^---\ndescription: .+\n/);
      expect(text).toMatch(new RegExp(`!\`npx orchestra ${verb === 'monitor' ? 'status' : verb}`));
    }
  });

  it('keeps what is there: a Codex config with other settings gets the server appended, one that has it (any TOML form) and a slash command of yours are left alone', async () => {
    const codex = 'model = "gpt-5.5"\n[mcp_servers.db]\ncommand = "db"';
    const repo = makeRepo({ '.codex/config.toml': codex, '.claude/commands/orch-status.md': 'mine\n' });
    const r = await runCli(['mcp', 'install'], repo);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(path.join(repo, '.codex/config.toml'), 'utf8')).toBe(
      `${codex}\n\n[mcp_servers.orchestra]\ncommand = "npx"\nargs = ["orchestra", "mcp"]\n`,
    );
    expect(readFileSync(path.join(repo, '.claude/commands/orch-status.md'), 'utf8')).toBe('mine\n');
    expect(r.stdout).toContain('.claude/commands/orch-status.md: already there; left as it is');
    for (const form of [
      '[mcp_servers.orchestra]\ncommand = "x"\n',
      'mcp_servers.orchestra.command = "x"\n',
      '[mcp_servers]\norchestra = { command = "x" }\n',
    ]) {
      const other = makeRepo({ '.codex/config.toml': form });
      await runCli(['mcp', 'install'], other);
      expect(readFileSync(path.join(other, '.codex/config.toml'), 'utf8')).toBe(form);
    }
  });

  it('merges into existing files: other servers, settings and comments stay; a second install changes nothing', async () => {
    const mcp = JSON.stringify({ mcpServers: { db: { command: 'db-mcp', args: ['--ro'] } } }, null, 2);
    const gemini = '{\n  // my theme\n  "theme": "dark"\n}\n';
    const repo = makeRepo({ '.mcp.json': mcp, '.gemini/settings.json': gemini });
    const r = await runCli(['mcp', 'install'], repo);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('.mcp.json: the orchestra server added beside 1 other server (Claude Code)');
    expect(JSON.parse(readFileSync(path.join(repo, '.mcp.json'), 'utf8'))).toEqual({
      mcpServers: { db: { command: 'db-mcp', args: ['--ro'] }, orchestra: ENTRY },
    });
    const settings = readFileSync(path.join(repo, '.gemini/settings.json'), 'utf8');
    expect(settings).toContain('// my theme');
    expect(settings).toMatch(/"theme": "dark",\s*"mcpServers": \{\s*"orchestra": \{\s*"command": "npx"/);
    const before = readFileSync(path.join(repo, '.mcp.json'), 'utf8');
    const again = await runCli(['mcp', 'install'], repo);
    expect(again.stdout).toContain('.mcp.json: already has an "orchestra" server; left as it is');
    expect(readFileSync(path.join(repo, '.mcp.json'), 'utf8')).toBe(before);
  });

  it('refuses a .mcp.json that is not valid JSON (exit 2, naming the file and where), and writes nothing', async () => {
    const repo = makeRepo({ '.mcp.json': '{ "mcpServers": { "db": { "command": "x", } }\n' });
    const r = await runCli(['mcp', 'install'], repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^orchestra: error: \.mcp\.json:1:\d+: not valid JSON/);
    expect(readFileSync(path.join(repo, '.mcp.json'), 'utf8')).toBe('{ "mcpServers": { "db": { "command": "x", } }\n');
    expect(existsSync(path.join(repo, '.gemini/settings.json'))).toBe(false);
  });
});
