import { describe, expect, it } from 'vitest';
import {
  blocking,
  checkAgent,
  checkGate,
  flagsFor,
  gateProgram,
  preflight,
  type Env,
  type PreflightContext,
  type Probe,
  type ProbeResult,
} from '../../src/agents/preflight.js';
import type { Agent, Gate } from '../../src/config/types.js';

const loc = { file: '/repo/team.json', start: 0, end: 0 };

function agent(a: Partial<Agent> & Pick<Agent, 'id'>): Agent {
  return { loc, roles: [], concurrency: 1, env: {}, args: [], ...a };
}

function gate(g: Partial<Gate> & Pick<Gate, 'name'>): Gate {
  return { loc, files: [], exclude: [], needs: [], retries: 0, env: {}, enabled: true, options: {}, ...g };
}

const ok = (stdout: string): ProbeResult => ({ code: 0, stdout, stderr: '' });
const fail = (code: number, stderr: string): ProbeResult => ({ code, stdout: '', stderr });

const CLAUDE_HELP = 'Usage: claude [options]\n  -p, --print\n  --output-format <format>\n  --verbose\n  --permission-mode <mode>\n  --model <m>\n';
const CODEX_HELP = 'Usage: codex exec [OPTIONS] [PROMPT]\n      --json\n  -s, --sandbox <SANDBOX_MODE>\n  -m, --model <MODEL>\n      --skip-git-repo-check\n';
const GEMINI_HELP = '  -o, --output-format  [choices: "text", "json", "stream-json"]\n  -y, --yolo\n      --skip-trust  Trust the current workspace\n';

/** A machine as a table: which programs are where, what each command line prints, which files exist. */
function fakeProbe(machine: { bins?: Record<string, string>; runs?: Record<string, ProbeResult>; files?: Record<string, string> }): Probe & { ran: string[] } {
  const ran: string[] = [];
  return {
    ran,
    which: (bin) => machine.bins?.[bin],
    run: (argv) => {
      const key = argv.join(' ');
      ran.push(key);
      return Promise.resolve(machine.runs?.[key] ?? fail(127, `fake: nothing scripted for ${key}`));
    },
    readFile: (file) => machine.files?.[file],
  };
}

const ctx = (probe: Probe, env: Env = {}): PreflightContext => ({ probe, env, root: '/repo', home: '/home/u' });

describe('preflight: agent CLIs', () => {
  it('a missing binary: one cli row that says what to do, and nothing is run', async () => {
    const probe = fakeProbe({});
    const rows = await checkAgent(agent({ id: 'c', use: 'claude-code', bin: './nope' }), ctx(probe));
    expect(rows).toEqual([
      {
        agent: 'c',
        check: 'cli',
        ok: false,
        detail: 'no executable file ./nope',
        fix: "'bin: ./nope' in team.json names no CLI: point it at the claude-code CLI, or install it (npm install -g @anthropic-ai/claude-code) and remove 'bin'",
      },
    ]);
    expect(probe.ran).toEqual([]);
    expect(blocking(rows)).toHaveLength(1);
  });

  it('the default binary not on PATH names the install command', async () => {
    const rows = await checkAgent(agent({ id: 'g', use: 'gemini' }), ctx(fakeProbe({})));
    expect(rows[0]).toMatchObject({
      check: 'cli',
      ok: false,
      detail: "'gemini' is not on PATH",
      fix: expect.stringContaining('npm install -g @google/gemini-cli'),
    });
  });

  it('a found CLI: its path and version, the flags it accepts, logged in per `claude auth status`, trust', async () => {
    const probe = fakeProbe({
      bins: { claude: '/bin/claude' },
      runs: {
        '/bin/claude --version': ok('2.1.197 (Claude Code)\n'),
        '/bin/claude --help': ok(CLAUDE_HELP),
        '/bin/claude auth status': ok('{"loggedIn": true, "authMethod": "api_key", "apiKeySource": "ANTHROPIC_API_KEY"}'),
      },
    });
    const rows = await checkAgent(agent({ id: 'c', use: 'claude-code', model: 'opus' }), ctx(probe));
    expect(rows.map((r) => [r.check, r.ok, r.detail])).toEqual([
      ['cli', true, '/bin/claude (2.1.197 (Claude Code))'],
      ['flags', true, 'accepts --output-format --verbose --permission-mode --model'],
      ['login', true, 'claude auth status: logged in (api_key, ANTHROPIC_API_KEY)'],
      ['trust', true, 'print mode (-p) asks no trust question'],
    ]);
    expect(blocking(rows)).toEqual([]);
  });

  it('an old CLI without the flags fails the flags check with the version it found', async () => {
    const probe = fakeProbe({
      bins: { claude: '/bin/claude' },
      runs: {
        '/bin/claude --version': ok('0.2.9 (Claude Code)\n'),
        '/bin/claude --help': ok('Usage: claude [options]\n  -p, --print\n  --output-format <format>\n'),
        '/bin/claude auth status': fail(1, "error: unknown command 'auth'"),
      },
    });
    const rows = await checkAgent(agent({ id: 'c', use: 'claude-code' }), ctx(probe));
    expect(rows[1]).toEqual({
      agent: 'c',
      check: 'flags',
      ok: false,
      detail: '0.2.9 (Claude Code): `claude --help` does not mention --verbose, --permission-mode, which orchestra passes',
      fix: 'update it (npm install -g @anthropic-ai/claude-code@latest)',
    });
    // No `auth status` in that version, no key, no credentials file: cannot tell, which is not a failure.
    expect(rows[2]).toMatchObject({ check: 'login', ok: 'unknown', detail: expect.stringContaining('cannot tell without a model call') });
    expect(blocking(rows).map((r) => r.check)).toEqual(['flags']);
  });

  it('claude login from the env or the credentials file when `auth status` says nothing', async () => {
    const runs = { '/bin/claude --version': ok('1.0.0'), '/bin/claude --help': ok(CLAUDE_HELP), '/bin/claude auth status': fail(1, 'unknown command') };
    const byKey = await checkAgent(
      agent({ id: 'c', use: 'claude-code', env: { ANTHROPIC_API_KEY: 'sk-secret' } }),
      ctx(fakeProbe({ bins: { claude: '/bin/claude' }, runs })),
    );
    expect(byKey[2]).toMatchObject({ check: 'login', ok: true, detail: 'ANTHROPIC_API_KEY is set' });
    expect(JSON.stringify(byKey)).not.toContain('sk-secret');
    const byFile = await checkAgent(
      agent({ id: 'c', use: 'claude-code' }),
      ctx(fakeProbe({ bins: { claude: '/bin/claude' }, runs, files: { '/home/u/.claude/.credentials.json': '{}' } })),
    );
    expect(byFile[2]).toMatchObject({ check: 'login', ok: true, detail: '~/.claude/.credentials.json is there' });
  });

  it('a broken install (--version fails) is missing', async () => {
    const probe = fakeProbe({
      bins: { claude: '/bin/claude' },
      runs: { '/bin/claude --version': fail(1, 'claude native binary not installed'), '/bin/claude --help': ok(CLAUDE_HELP) },
    });
    const rows = await checkAgent(agent({ id: 'c', use: 'claude-code' }), ctx(probe));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ check: 'cli', ok: false, detail: expect.stringContaining('claude native binary not installed') });
  });

  it('codex: `codex exec --help` for the flags; logged out, logged in, and a key that may serve', async () => {
    const runs = (status: ProbeResult) => ({
      '/bin/codex --version': ok('codex-cli 0.171.0'),
      '/bin/codex exec --help': ok(CODEX_HELP),
      '/bin/codex login status': status,
    });
    const a = agent({ id: 'x', use: 'codex' });
    const out = await checkAgent(a, ctx(fakeProbe({ bins: { codex: '/bin/codex' }, runs: runs(fail(1, 'Not logged in\n')) })));
    expect(out.map((r) => [r.check, r.ok])).toEqual([
      ['cli', true],
      ['flags', true],
      ['login', false],
      ['trust', true],
    ]);
    expect(out[2]).toMatchObject({ detail: 'codex login status: Not logged in', fix: expect.stringContaining('codex login') });
    // A failed login does not stop a run: only the CLI and its flags do.
    expect(blocking(out)).toEqual([]);

    const loggedIn = await checkAgent(
      a,
      ctx(fakeProbe({ bins: { codex: '/bin/codex' }, runs: runs(fail(0, 'API key configured - ***\nAuthentication is checked when you send a request.\n')) })),
    );
    expect(loggedIn[2]).toMatchObject({ ok: true, detail: 'codex login status: API key configured - ***' });

    const withKey = await checkAgent(a, ctx(fakeProbe({ bins: { codex: '/bin/codex' }, runs: runs(fail(1, 'Not logged in\n')) }), { CODEX_API_KEY: 'k' }));
    expect(withKey[2]).toMatchObject({ ok: 'unknown', detail: expect.stringContaining('CODEX_API_KEY is set: cannot tell without a model call') });
  });

  it('gemini: --skip-trust decides trust; the key or settings.json decides login', async () => {
    const runs = (help: string) => ({ '/bin/gemini --version': ok('0.61.0'), '/bin/gemini --help': ok(help) });
    const a = agent({ id: 'g', use: 'gemini' });
    const good = await checkAgent(a, ctx(fakeProbe({ bins: { gemini: '/bin/gemini' }, runs: runs(GEMINI_HELP) }), { GEMINI_API_KEY: 'k' }));
    expect(good.map((r) => [r.check, r.ok])).toEqual([
      ['cli', true],
      ['flags', true],
      ['login', true],
      ['trust', true],
    ]);
    const old = await checkAgent(
      a,
      ctx(
        fakeProbe({
          bins: { gemini: '/bin/gemini' },
          runs: runs('  -o, --output-format\n  -y, --yolo\n'),
          files: { '/home/u/.gemini/settings.json': '{"security":{"auth":{"selectedType":"gemini-api-key"}}}' },
        }),
      ),
    );
    expect(old.map((r) => [r.check, r.ok])).toEqual([
      ['cli', true],
      ['flags', false],
      ['login', false],
      ['trust', false],
    ]);
    expect(old[1]?.detail).toBe('0.61.0: `gemini --help` does not mention --skip-trust, which orchestra passes');
    expect(old[2]?.detail).toBe('settings.json selects gemini-api-key but GEMINI_API_KEY is not set');
  });

  it('a help that cannot be read is unknown, not a failure', async () => {
    const probe = fakeProbe({
      bins: { gemini: '/bin/gemini' },
      runs: { '/bin/gemini --version': ok('0.61.0'), '/bin/gemini --help': { code: null, stdout: '', stderr: '', timedOut: true } },
    });
    const rows = await checkAgent(agent({ id: 'g', use: 'gemini' }), ctx(probe, { GEMINI_API_KEY: 'k' }));
    expect(rows[1]).toMatchObject({ check: 'flags', ok: 'unknown', detail: '`gemini --help` gave no answer in 30 s' });
    expect(blocking(rows)).toEqual([]);
  });

  it('a command agent: argv[0] is looked for and never run', async () => {
    const probe = fakeProbe({ bins: { node: '/usr/bin/node' } });
    const rows = await preflight(
      [agent({ id: 'script', command: ['node', 'agent.mjs', '{{prompt}}'] }), agent({ id: 'gone', command: ['my-agent', '{{prompt}}'] })],
      [],
      ctx(probe),
    );
    expect(rows.map((r) => [r.check, r.ok])).toEqual([
      ['cli', true],
      ['cli', false],
    ]);
    expect(rows[1]?.fix).toBe("install 'my-agent', or correct 'command' of agent gone in team.json");
    expect(probe.ran).toEqual([]);
  });

  it('asks for help where the adapter has a subcommand, and checks only the long flags orchestra adds', () => {
    expect(flagsFor(agent({ id: 'x', use: 'codex', args: ['--full-auto'] }))).toEqual({ helpArgs: ['exec', '--help'], flags: ['--json', '--sandbox'] });
    expect(flagsFor(agent({ id: 'x', use: 'gemini', model: 'm' }))).toEqual({ helpArgs: ['--help'], flags: ['--output-format', '--yolo', '--skip-trust'] });
  });
});

describe('preflight: gate programs', () => {
  it('the program of an argv, of a shell string that starts with a plain command, and none for rules or shell syntax', () => {
    expect(gateProgram(gate({ name: 'a', run: { argv: ['ruff', 'check'] } }))).toBe('ruff');
    expect(gateProgram(gate({ name: 'a', run: { shell: 'tsc --noEmit' } }))).toBe('tsc');
    expect(gateProgram(gate({ name: 'a', run: { shell: './scripts/check.sh x' } }))).toBe('./scripts/check.sh');
    expect(gateProgram(gate({ name: 'a', run: { shell: 'cd app && make' } }))).toBeUndefined();
    expect(gateProgram(gate({ name: 'a', run: { shell: 'FOO=1 make' } }))).toBeUndefined();
    expect(gateProgram(gate({ name: 'a', run: { shell: '"my tool" x' } }))).toBeUndefined();
    expect(gateProgram(gate({ name: 'a', rule: { id: 'hygiene/no-conflict-markers', loc } }))).toBeUndefined();
  });

  it('names a missing tool, says when npx would find it, and skips disabled gates', () => {
    const probe = fakeProbe({ bins: { npm: '/usr/bin/npm', '/repo/node_modules/.bin/tsc': '/repo/node_modules/.bin/tsc' } });
    expect(checkGate(gate({ name: 'unit', run: { shell: 'npm test' } }), ctx(probe))).toEqual({
      gate: 'unit',
      check: 'tool',
      ok: true,
      detail: 'npm: /usr/bin/npm',
    });
    expect(checkGate(gate({ name: 'lint', run: { argv: ['ruff', 'check'] } }), ctx(probe))).toEqual({
      gate: 'lint',
      check: 'tool',
      ok: false,
      detail: "'ruff' is not installed or not on PATH",
      fix: 'install it, or set enabled: false on gate lint',
    });
    expect(checkGate(gate({ name: 'types', run: { shell: 'tsc --noEmit' } }), ctx(probe))?.fix).toContain("write 'npx tsc …' in gate types");
    expect(checkGate(gate({ name: 'off', run: { argv: ['ruff'] }, enabled: false }), ctx(probe))).toBeUndefined();
  });
});
