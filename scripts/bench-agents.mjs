// The cost orchestra adds around a real agent: the real Claude Code against the
// scripted model server (test/fixtures/model-server), once alone and once per
// task of an `orchestra run`. Used by scripts/bench.mjs; asserts nothing.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(root, 'bin', 'orchestra.js');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The model server is TypeScript (a test fixture): compiled once into a temp folder with the repo's own tsc. */
async function modelServer(tmp) {
  const out = path.join(tmp, 'model-server');
  execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '--outDir',
      out,
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--skipLibCheck',
      path.join(root, 'test', 'fixtures', 'model-server', 'index.ts'),
    ],
    { stdio: 'inherit' },
  );
  writeFileSync(path.join(out, 'package.json'), '{"type":"module"}');
  return import(pathToFileURL(path.join(out, 'index.js')).href);
}

function clis() {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'install-agent-clis.mjs'), '--json'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the agent CLIs could not be installed: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout).bins;
}

function timed(command, args, opts) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, { ...opts, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`)),
    );
  });
}

function taskOverheads(repo) {
  const runs = path.join(repo, '.orchestra', 'runs');
  const id = readdirSync(runs)[0];
  const events = readFileSync(path.join(runs, id, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const started = new Map();
  const agent = new Map();
  const out = [];
  for (const e of events) {
    if (!e.nodeId?.startsWith('task:')) continue;
    if (e.type === 'node-started') started.set(e.nodeId, e.ts);
    if (e.type === 'agent-finished') agent.set(e.nodeId, e.ts - started.get(e.nodeId));
    if (e.type === 'node-finished') out.push(e.durationMs - agent.get(e.nodeId));
  }
  return out;
}

/** Rows for bench.mjs: the CLI alone, and per task in a run, with the difference: orchestra's overhead per task. */
export async function benchRealAgent({ tasks = 6, runs = 3 } = {}) {
  const tmp = mkdtempSync(path.join(tmpdir(), 'orchestra-bench-agents-'));
  try {
    const { startModelServer, turn, claude, when, usage } = await modelServer(tmp);
    const bins = clis();
    // Each task: one Bash call that writes its file, then a closing answer.
    const m = await startModelServer({
      turns: [
        {
          ...turn.tools(claude.bash('mkdir -p out && echo done > "out/$ORCHESTRA_TASK.txt"'), { match: when.noToolResults(), usage: usage(100, 20) }),
          times: Infinity,
        },
        { ...turn.text('Done.', { usage: usage(120, 5) }), times: Infinity },
      ],
    });
    const home = path.join(tmp, 'home');
    mkdirSync(home);
    const env = {
      PATH: process.env.PATH,
      HOME: home,
      ANTHROPIC_BASE_URL: m.url,
      ANTHROPIC_API_KEY: 'x',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_ERROR_REPORTING: '1',
    };
    // The CLI alone, in a git repository of its own (as a worktree is: Claude Code looks at git when it starts), doing the same work.
    const alone = [];
    for (let i = 0; i < runs; i++) {
      const work = mkdtempSync(path.join(tmp, 'alone-'));
      execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: work });
      writeFileSync(path.join(work, 'README.md'), 'x\n');
      execFileSync('git', ['-c', 'user.email=b@b', '-c', 'user.name=b', 'commit', '-qam', 'x', '--allow-empty'], { cwd: work });
      alone.push(
        await timed(
          bins.claude,
          ['-p', 'write your file', '--output-format', 'stream-json', '--verbose', '--permission-mode', 'acceptEdits', '--allowedTools', 'Bash'],
          {
            cwd: work,
            env: { ...env, ORCHESTRA_TASK: `t${i}` },
          },
        ),
      );
    }
    // The same agent through orchestra: a worktree per task, launch, live parse, commit, scope check, merge.
    const perTask = [];
    /** From the record: each task's time minus its agent's, i.e. what orchestra did around the agent inside the task. */
    const inside = [];
    for (let i = 0; i < runs; i++) {
      const repo = mkdtempSync(path.join(tmp, 'repo-'));
      const git = (...args) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
      git('init', '-q', '-b', 'main');
      const list = Array.from(
        { length: tasks },
        (_, k) => `      - { id: t${k}, agent: claude, prompt: "write your file", scope: { touch: ["out/t${k}.txt"] } }`,
      );
      writeFileSync(path.join(repo, 'orchestra.config.yaml'), `phases:\n  - id: p\n    tasks:\n${list.join('\n')}\n`);
      writeFileSync(
        path.join(repo, 'team.json'),
        JSON.stringify({ agents: [{ id: 'claude', use: 'claude-code', bin: bins.claude, allowedTools: ['Bash'], env }] }),
      );
      writeFileSync(path.join(repo, '.gitignore'), '.orchestra/\n');
      git('add', '-A');
      git('-c', 'user.email=b@b', '-c', 'user.name=b', 'commit', '-qm', 'x');
      const ms = await timed(process.execPath, [bin, 'run', '--concurrency', '1'], { cwd: repo, env: { ...process.env, NO_COLOR: '1' } });
      perTask.push(ms / tasks);
      inside.push(...taskOverheads(repo));
    }
    await m.close();
    const a = median(alone);
    const t = median(perTask);
    const around = median(inside);
    return [
      ['real Claude Code 2.1.197 alone (one Bash call, scripted model)', a, 'the CLI start-up and its two model turns'],
      [
        `  the same, per task of orchestra run (${tasks} tasks, concurrency 1)`,
        t,
        `${t >= a ? '+' : ''}${(t - a).toFixed(0)} ms per task over the CLI alone (the run's start and end shared out)`,
      ],
      ['  inside each task, around the agent (from the record)', around, 'worktree, prompt, launch, live parse, commit, scope check, merge (aim: < 1,000 ms)'],
    ];
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const [label, ms, note] of await benchRealAgent()) console.log(`${label.padEnd(70)} ${ms.toFixed(1).padStart(8)} ms  ${note}`);
}
