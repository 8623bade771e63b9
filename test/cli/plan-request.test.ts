import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, controlDir, makeRepo, processesIn, runCli, sandboxWorks } from '../helpers/repo.js';

const CONFIG = `# the user's own comment
gates:
  unit: { run: 'true' }   # a gate that always holds
`;

/**
 * A planner that is a plain command: round n (from the prompt's "Repair round n") prints answers[n-1]; `HANG` never
 * answers; `TOUCH` writes a file into the repository first (which the sandbox refuses where it works).
 */
const PLANNER = `import { readFileSync, writeFileSync } from 'node:fs';
const ctl = process.argv[2];
const prompt = readFileSync(process.env.ORCHESTRA_PROMPT_FILE, 'utf8');
const round = Number(/## Repair round (\\d+)/.exec(prompt)?.[1] ?? 1);
const answers = JSON.parse(readFileSync(ctl + '/answers.json', 'utf8'));
let a = answers[round - 1] ?? 'no more answers';
if (a === 'HANG') setInterval(() => {}, 1000);
else {
  if (a.startsWith('TOUCH')) { writeFileSync(/## Files \\(root: (.*)\\)/.exec(prompt)[1] + '/touched.txt', 'x'); a = a.slice(5); }
  process.stdout.write(a);
}
`;

function answer(gate = 'unit', touch = ['src/auth/**']): string {
  return JSON.stringify({
    analysis: { taskType: 'feature', coordination: ['src/auth'], strategy: 'one wave' },
    phases: [{ id: 'auth', tasks: [{ id: 'jwt', agent: 'planner', prompt: 'Add JWT.', scope: { touch } }], gates: [gate] }],
  });
}

function setup(answers: string[], timeout = '30s', config = CONFIG): { dir: string; ctl: string } {
  const ctl = controlDir();
  writeFileSync(path.join(ctl, 'planner.mjs'), PLANNER);
  writeFileSync(path.join(ctl, 'answers.json'), JSON.stringify(answers));
  const team = { agents: [{ id: 'planner', command: [process.execPath, path.join(ctl, 'planner.mjs'), ctl], roles: ['planner'], timeout }] };
  const dir = makeRepo({ 'orchestra.config.yaml': config, 'team.json': JSON.stringify(team), 'src/index.ts': 'export {};\n' });
  execFileSync('git', ['add', '-A'], { cwd: dir });
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'start'], { cwd: dir });
  return { dir, ctl };
}

/** The prompts the planner was given, round by round, as orchestra keeps them beside the reports. */
function prompts(dir: string): string[] {
  const reports = path.join(dir, '.orchestra', 'reports');
  if (!existsSync(reports)) return [];
  const rounds = readdirSync(reports).filter((f) => f.startsWith('plan-') && !f.endsWith('.md'));
  return rounds.flatMap((r) =>
    readdirSync(path.join(reports, r))
      .filter((f) => f.endsWith('.prompt.md'))
      .sort()
      .map((f) => readFileSync(path.join(reports, r, f), 'utf8')),
  );
}
const config = (dir: string) => readFileSync(path.join(dir, 'orchestra.config.yaml'), 'utf8');

describe.concurrent('orchestra plan --request', () => {
  it('sends prose back, writes the valid plan and points the config at it; plan and validate then read it', async () => {
    const { dir } = setup(['Happy to help! First, the models.', answer()]);
    const r = await runCli(['plan', '--request', 'Add JWT authentication'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("error: the answer is not a JSON object: it begins 'Happy to help! First, the models.'");
    expect(prompts(dir)[1]).toContain('round-1.answer.txt:1:1: error: the answer is not a JSON object');
    expect(r.stdout).toContain("wrote orchestra.plan.yaml and set 'plan: ./orchestra.plan.yaml' in orchestra.config.yaml");
    expect(config(dir)).toBe(`${CONFIG}# Phases and gates planned by 'orchestra plan --request', added to this config's own.\nplan: ./orchestra.plan.yaml\n`);
    const reports = readdirSync(path.join(dir, '.orchestra', 'reports'));
    expect(
      reports
        .filter((f) => f.endsWith('.md'))
        .map((f) => f.split('-')[0])
        .sort(),
    ).toEqual(['analysis', 'plan']);
    const shown = await runCli(['plan'], dir);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/jwt +→ planner/);
  });

  it('fails after its rounds showing the last answer and its problems; writes nothing', async () => {
    const { dir } = setup(['{"analysis": ', '{"phases": [}']);
    const r = await runCli(['plan', '--request', 'Add JWT', '--attempts', '1'], dir);
    expect(r.code).toBe(1);
    expect(prompts(dir)).toHaveLength(2);
    expect(r.stderr).toContain("orchestra: error: the planner's answer was still invalid after 2 rounds (--attempts 1)");
    expect(r.stderr).toContain('its last answer');
    expect(r.stderr).toContain('{"phases": [}');
    expect(r.stderr).toMatch(/round-2\.answer\.txt:1:\d+: error/);
    expect(r.stderr).toContain('nothing was written.');
    expect(existsSync(path.join(dir, 'orchestra.plan.yaml'))).toBe(false);
    expect(config(dir)).toBe(CONFIG);
  });

  it('sends back paths outside the repo and unknown agents, located', async () => {
    const { dir } = setup([answer('unit', ['../elsewhere/**']), answer().replace('"agent":"planner"', '"agent":"architect"'), answer()]);
    const r = await runCli(['plan', '--request', 'Add JWT'], dir);
    expect(r.code, r.stderr).toBe(0);
    const [, second, third] = prompts(dir);
    expect(second).toMatch(/round-1\.answer\.txt:1:\d+: error: phases\[0\]\.tasks\[0\]\.scope\.touch\[0\]: '\.\.\/elsewhere\/\*\*' is a path that climbs out/);
    expect(third).toMatch(/orchestra\.plan\.yaml:\d+:\d+: error: unknown agent or role 'architect'/);
  });

  it('--dry-run prints the plan file and writes nothing', async () => {
    const { dir } = setup([answer()]);
    const r = await runCli(['plan', '--request', 'Add JWT', '--dry-run'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('--dry-run: nothing written. The plan file would be orchestra.plan.yaml:');
    expect(r.stdout).toContain('    tasks:\n      - id: jwt\n');
    expect(existsSync(path.join(dir, 'orchestra.plan.yaml'))).toBe(false);
    expect(config(dir)).toBe(CONFIG);
  });

  it('stops a planner that never answers at its timeout, leaving no process', async () => {
    const { dir } = setup(['HANG'], '2s');
    const t0 = Date.now();
    const r = await runCli(['plan', '--request', 'Add JWT'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("the planner gave no answer in round 1: stopped at its timeout of 2s (set 'timeout' on agent 'planner' in the team)");
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(processesIn(dir)).toEqual([]);
    expect(existsSync(path.join(dir, 'orchestra.plan.yaml'))).toBe(false);
  });

  it('Ctrl-C stops the planner: exit 130, no process left, nothing written', async () => {
    const { dir } = setup(['HANG'], '5m');
    let cli: ChildProcess | undefined;
    const done = runCli(['plan', '--request', 'Add JWT'], dir, {}, (c) => (cli = c));
    // Once the planner has its prompt and is running, the user presses Ctrl-C.
    for (const t0 = Date.now(); !processesIn(dir).some((p) => p.includes('planner.mjs'));) {
      if (Date.now() - t0 > 30_000) throw new Error('the planner never started');
      await new Promise((r) => setTimeout(r, 50));
    }
    cli?.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('the planner gave no answer in round 1: interrupted');
    expect(processesIn(dir)).toEqual([]);
    expect(existsSync(path.join(dir, 'orchestra.plan.yaml'))).toBe(false);
  });

  it('fails a planner that changed the repository (without a sandbox, which would have refused the write)', async () => {
    const { dir } = setup([`TOUCH${answer()}`], '30s', `${CONFIG}sandbox: off\n`);
    const r = await runCli(['plan', '--request', 'Add JWT'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the planner changed the repository (touched.txt): a planner only reads');
  });

  it.runIf(sandboxWorks())('starts the planner in the sandbox: the repository is read-only to it', async () => {
    const { dir } = setup([`TOUCH${answer()}`]);
    const r = await runCli(['plan', '--request', 'Add JWT'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the planner gave no answer in round 1: it exited 1');
    const reports = path.join(dir, '.orchestra', 'reports');
    const rounds = readdirSync(reports).find((f) => f.startsWith('plan-') && !f.endsWith('.md')) as string;
    expect(readFileSync(path.join(reports, rounds, 'round-1.log'), 'utf8')).toContain(`EROFS: read-only file system, open '${path.join(dir, 'touched.txt')}'`);
    expect(existsSync(path.join(dir, 'touched.txt'))).toBe(false);
  });

  it('says what is wrong with the flags, exit 2, before asking anyone', async () => {
    const { dir } = setup([answer()]);
    const both = await runCli(['plan', '--request', 'x', '--request-file', 'r.md'], dir);
    expect([both.code, both.stderr.trim()]).toEqual([2, 'orchestra: error: --request and --request-file: give one of them, not both']);
    const missing = await runCli(['plan', '--request-file', 'nope.md'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--request-file: no such file: ${path.join(dir, 'nope.md')}`);
    const empty = await runCli(['plan', '--request', '  '], dir);
    expect([empty.code, empty.stderr.trim()]).toEqual([2, 'orchestra: error: --request: the request is empty']);
    const attempts = await runCli(['plan', '--request', 'x', '--attempts', '-1'], dir);
    expect(attempts.code).toBe(2);
    expect(attempts.stderr).toContain("option '--attempts <n>' argument '-1' is invalid");
    const outside = await runCli(['plan', '--request', 'x', '--write', '../plan.yaml'], dir);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('--write ../plan.yaml: the plan file is a .yaml file inside the repository');
    expect(prompts(dir)).toEqual([]);
  });
});

describe.concurrent('orchestra run --request', () => {
  it('without a terminal requires --yes, naming it, before planning', async () => {
    const { dir } = setup([answer()]);
    const r = await runCli(['run', '--request', 'Add JWT'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--request: there is no terminal to confirm the plan at; add --yes to run it without asking');
    expect(prompts(dir)).toEqual([]);
    expect(existsSync(path.join(dir, 'orchestra.plan.yaml'))).toBe(false);
  });

  it("runs the plan's phases only, even where a task's scope overlaps a phase of the config", async () => {
    const config = `${CONFIG}phases:\n  - id: models\n    tasks:\n      - { id: old, agent: planner, prompt: Never run., scope: { touch: ['src/**'] } }\n`;
    const { dir } = setup([answer()], '30s', config);
    const r = await runCli(['run', '--request', 'Add JWT', '--yes'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('orchestra moved');
    const runs = readdirSync(path.join(dir, '.orchestra', 'runs'));
    const evs = readFileSync(path.join(dir, '.orchestra', 'runs', runs[0] as string, 'events.jsonl'), 'utf8');
    expect(evs).toContain('"nodeId":"task:auth/jwt"');
    expect(evs).not.toContain('task:models/old');
    const report = readFileSync(path.join(dir, '.orchestra', 'runs', runs[0] as string, 'report.md'), 'utf8');
    expect(report).toContain('## Accomplishment\n\nRequested:\n\n> Add JWT\n');
  });

  it.runIf(existsSync('/usr/bin/script'))('at a terminal shows the plan and asks; n leaves it written and unrun, y runs it', async () => {
    for (const reply of ['n', 'y']) {
      const { dir } = setup([answer()]);
      // script(1) gives the CLI a terminal; the reply is typed once the question is on the screen.
      const child = spawn('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} run --request 'Add JWT'`, '/dev/null'], {
        cwd: dir,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      let typed = false;
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (!typed && out.includes('now? [y/N]')) {
          typed = true;
          child.stdin.write(`${reply}\r`);
        }
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code, out).toBe(0);
      expect(out).toMatch(/jwt +→ planner/);
      expect(out).toContain('run this plan (auth) now? [y/N]');
      expect(existsSync(path.join(dir, 'orchestra.plan.yaml'))).toBe(true);
      if (reply === 'n') {
        expect(out).toContain("not run. The plan is in orchestra.plan.yaml: 'orchestra run auth' runs it.");
        expect(existsSync(path.join(dir, '.orchestra', 'runs'))).toBe(false);
      } else {
        expect(out).toContain('all held');
        expect(readdirSync(path.join(dir, '.orchestra', 'runs'))).toHaveLength(1);
      }
    }
  });

  it('does not run a plan that is not valid', async () => {
    const { dir } = setup(['nope'], '30s');
    const r = await runCli(['run', '--request', 'Add JWT', '--yes', '--attempts', '0'], dir);
    expect(r.code).toBe(1);
    expect(existsSync(path.join(dir, '.orchestra', 'runs'))).toBe(false);
  });
});

describe.concurrent("a config's plan file", () => {
  it('is checked where it is named and where it is written', async () => {
    const { dir } = setup([]);
    writeFileSync(path.join(dir, 'orchestra.config.yaml'), `${CONFIG}plan: ./missing.yaml\n`);
    const missing = await runCli(['validate'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`orchestra.config.yaml:4:7: error: plan file not found: ${path.join(dir, 'missing.yaml')}`);
    writeFileSync(path.join(dir, 'orchestra.config.yaml'), `${CONFIG}plan: ./p.yaml\n`);
    writeFileSync(path.join(dir, 'p.yaml'), 'concurrency: 3\ngates:\n  unit: { run: "false" }\nphases: []\n');
    const wrong = await runCli(['validate'], dir);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("p.yaml:1:1: error: a plan file holds only 'phases' and 'gates'; 'concurrency' belongs in the config");
    expect(wrong.stderr).toContain("p.yaml:3:3: error: gate 'unit' is declared by the config already: a plan may add gates, not change them");
  });
});

describe('plan and run --request: bad input is refused before a planner is asked', () => {
  it('a plan: that names a folder is exit 2 at the plan: key, not a stack trace', async () => {
    const { dir } = setup([]);
    execFileSync('mkdir', [path.join(dir, 'plans.yaml')]);
    writeFileSync(path.join(dir, 'orchestra.config.yaml'), `${config(dir)}plan: plans.yaml\n`);
    const r = await runCli(['validate'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/orchestra\.config\.yaml:\d+:\d+: (error: )?plan: .*plans\.yaml is a (directory|folder)/);
    expect(r.stderr).not.toMatch(/internal error|EISDIR/);
  });

  it('--write naming a folder, and phase names beside run --request, are exit 2 and nobody is asked', async () => {
    const { dir } = setup([answer()]);
    execFileSync('mkdir', [path.join(dir, 'out.yaml')]);
    const w = await runCli(['plan', '--request', 'Add auth', '--write', 'out.yaml'], dir);
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/--write out\.yaml: .*out\.yaml is a (directory|folder)/);
    const r = await runCli(['run', 'build', '--request', 'Add auth', '--yes'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--request plans the phases itself; leave out the phase names (build)');
    expect(existsSync(path.join(dir, '.orchestra', 'reports'))).toBe(false);
  });
});
