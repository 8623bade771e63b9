// npm run bench: wall times of the CLI against bare node start-up, and the
// compile of large generated configs. Prints a table; asserts nothing.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(root, 'bin', 'orchestra.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

function timeCommand(args, cwd) {
  return timeExternal(process.execPath, args, cwd);
}

/** Median of a few runs of a slow command (no warm-up runs). */
function timeOnce(args, cwd, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    times.push(performance.now() - t0);
  }
  return median(times);
}

function timeExternal(command, args, cwd) {
  const times = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const t0 = performance.now();
    const r = spawnSync(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    const t = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    if (i >= 2) times.push(t); // the first runs warm the file cache
  }
  return median(times);
}

const team = JSON.stringify({
  agents: [
    { id: 'claude', use: 'claude-code', roles: ['implementer', 'fix-executor'], concurrency: 4 },
    { id: 'codex', use: 'codex', roles: ['implementer'], concurrency: 2 },
  ],
});

/** A config with `gates` gates (each needing up to two earlier ones) and `phases` phases of `tasks` tasks. */
function generate({ gates, phases, tasks, phaseNeeds, gatesPerPhase }) {
  const out = ['gates:'];
  for (let g = 0; g < gates; g++) {
    // Chains of five: g1 needs g0, g2 needs g1, …; g5 starts a new chain.
    const needs = g % 5 !== 0 ? [`g${g - 1}`] : [];
    out.push(`  g${g}:`, `    run: [node, -e, "process.exit(0)"]`, `    inputs: ["src/m${g}/**"]`, `    timeout: 5m`);
    if (needs.length) out.push(`    needs: [${needs.join(', ')}]`);
  }
  out.push('phases:');
  for (let p = 0; p < phases; p++) {
    out.push(`  - id: p${p}`);
    const needs = [1, 2, 3]
      .map((k) => p - k * 7)
      .filter((n) => n >= 0)
      .map((n) => `p${n}`);
    if (phaseNeeds && p > 0) out.push(`    needs: [${needs.length ? needs.join(', ') : `p${p - 1}`}]`);
    out.push('    tasks:');
    for (let t = 0; t < tasks; t++) {
      out.push(
        `      - id: p${p}-t${t}`,
        `        agent: implementer`,
        `        prompt: Build module ${t} of phase ${p}.`,
        `        scope: { touch: ["src/p${p}/m${t}/**"] }`,
      );
    }
    const named = Array.from({ length: gatesPerPhase }, (_, k) => `g${(p * 3 + k * 5) % gates}`);
    out.push(`    gates: [${[...new Set(named)].join(', ')}]`, '    fix: { agent: fix-executor, attempts: 2 }');
  }
  return `${out.join('\n')}\n`;
}

function repoWith(config) {
  const dir = mkdtempSync(path.join(tmpdir(), 'orchestra-bench-'));
  writeFileSync(path.join(dir, 'orchestra.config.yaml'), config);
  writeFileSync(path.join(dir, 'team.json'), team);
  return dir;
}

const dirs = [];
try {
  const medium = repoWith(generate({ gates: 500, phases: 100, tasks: 3, phaseNeeds: false, gatesPerPhase: 3 }));
  dirs.push(medium);
  const node = timeCommand(['-e', '0'], root);
  const version = timeCommand([bin, '--version'], root);
  const validateCold = timeCommand([bin, 'validate', '--no-cache'], medium);
  const validate = timeCommand([bin, 'validate'], medium);
  const plan = timeCommand([bin, 'plan', '--json'], medium);

  const rows = [
    ['node -e 0', node, ''],
    ['orchestra --version', version, `+${(version - node).toFixed(0)} ms over node`],
    ['orchestra validate --no-cache (500 gates, 100 phases)', validateCold, `+${(validateCold - node).toFixed(0)} ms over node: YAML parsed every time`],
    ['orchestra validate (same, parse cache warm)', validate, `+${(validate - node).toFixed(0)} ms over node (aim: <= 150)`],
    ['orchestra plan --json (same, cache warm)', plan, `+${(plan - node).toFixed(0)} ms over node`],
  ];

  // In-process compile timings, load excluded.
  const { loadConfig } = await import(path.join(root, 'dist/config/load.js'));
  const { compile } = await import(path.join(root, 'dist/graph/compile.js'));
  const { analyze } = await import(path.join(root, 'dist/graph/analyze.js'));
  const timeCompile = async (dir, label, aim) => {
    const { config, diagnostics } = await loadConfig({ cwd: dir });
    if (!config) throw new Error(`${label}: ${diagnostics.map((d) => d.message).join('; ')}`);
    const times = [];
    let graph;
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      graph = compile(config).graph;
      analyze(graph);
      times.push(performance.now() - t0);
    }
    const tasks = config.phases.reduce((n, p) => n + p.tasks.length, 0);
    rows.push([
      `${label}: ${tasks} tasks, ${graph.nodes.length} nodes, ${graph.edges.length} edges`,
      median(times.slice(2)),
      `compile + waves, in process (aim: ${aim})`,
    ]);
  };
  const large = repoWith(generate({ gates: 200, phases: 500, tasks: 20, phaseNeeds: true, gatesPerPhase: 2 }));
  dirs.push(large);
  await timeCompile(large, 'compile', '< 300 ms');
  const wide = repoWith(generate({ gates: 10, phases: 1, tasks: 2000, phaseNeeds: false, gatesPerPhase: 2 }));
  dirs.push(wide);
  await timeCompile(wide, 'one phase', '< 1000 ms');
  const overlapping = repoWith(generate({ gates: 10, phases: 1, tasks: 2000, phaseNeeds: false, gatesPerPhase: 2 }).replace(/src\/p0\/m\d+\/\*\*/g, 'src/**'));
  dirs.push(overlapping);
  await timeCompile(overlapping, 'one phase, all scopes overlapping', '< 1000 ms');

  // --- check: a warm, all-cached pre-push over a repo of 5,000 files ---
  const big = mkdtempSync(path.join(tmpdir(), 'orchestra-bench-'));
  dirs.push(big);
  const gitIn = (...args) => spawnSync('git', args, { cwd: big, stdio: 'ignore' });
  gitIn('init', '-q');
  for (let d = 0; d < 50; d++) {
    mkdirSync(path.join(big, `pkg${d}`, 'src'), { recursive: true });
    for (let f = 0; f < 100; f++) writeFileSync(path.join(big, `pkg${d}`, 'src', `f${f}.ts`), `export const v${f} = ${d * 100 + f};\n`);
  }
  const tenGates = Array.from(
    { length: 10 },
    (_, g) => `  g${g}:\n    run: [node, -e, "0"]\n    inputs: ["pkg${g * 5}/**", "pkg${g * 5 + 1}/**", "**/*.json"]\n`,
  ).join('');
  writeFileSync(
    path.join(big, 'orchestra.config.yaml'),
    `gates:\n${tenGates}hooks:\n  pre-push: [${Array.from({ length: 10 }, (_, g) => `g${g}`).join(', ')}]\n`,
  );
  gitIn('add', '-A');
  gitIn('-c', 'user.email=b@b', '-c', 'user.name=b', 'commit', '-qm', 'x');
  const checkWarm = timeCommand([bin, 'check', '--hook', 'pre-push'], big);
  const checkCold = timeCommand([bin, 'check', '--hook', 'pre-push', '--no-cache'], big);
  rows.push(['orchestra check --hook pre-push, 10 gates, 5,000 files, all cached', checkWarm, `+${(checkWarm - node).toFixed(0)} ms over node (aim: <= 150)`]);
  rows.push(['  the same gates, --no-cache (each runs node -e 0)', checkCold, `${(checkCold / checkWarm).toFixed(1)}x the cached run`]);
  {
    const { benchMcpCheck } = await import('./bench-mcp.mjs');
    const mcpMs = await benchMcpCheck(bin, big, RUNS);
    rows.push([
      'orchestra mcp: tools/call check_gate to its answer, the same 10 gates all cached',
      mcpMs,
      `${(mcpMs / node).toFixed(2)}x node -e 0 (aim: < 100 ms)`,
    ]);
  }

  // --- CI: the export, and the cache-key step each exported job runs ---
  const exportMs = timeCommand([bin, 'export', 'github-actions', '--out', '-'], medium);
  rows.push(['orchestra export github-actions --out - (500 gates)', exportMs, `+${(exportMs - node).toFixed(0)} ms over node`]);
  const keyMs = timeCommand([bin, 'check', 'g3', '--no-needs', '--fingerprint'], big);
  rows.push(['orchestra check g3 --fingerprint (5,000 files)', keyMs, `+${(keyMs - node).toFixed(0)} ms over node: the cache-key step of an exported job`]);

  // --- the dashboard: time to its address, and replaying a long record over SSE ---
  {
    const events = 20_000;
    const runDir = path.join(big, '.orchestra', 'runs', 'bench-run');
    mkdirSync(runDir, { recursive: true });
    const nodes = Array.from({ length: 100 }, (_, i) => ({ id: `gate:g${i}`, kind: 'gate', name: `g${i}`, phase: null, needs: [] }));
    const lines = [JSON.stringify({ type: 'run-started', ts: 1, runId: 'bench-run', command: 'check', root: big, nodes })];
    for (let i = 1; i < events; i++)
      lines.push(JSON.stringify({ type: 'node-output', ts: 1 + i, nodeId: `gate:g${i % 100}`, line: `line ${i} of some output from a gate` }));
    writeFileSync(path.join(runDir, 'events.jsonl'), `${lines.join('\n')}\n`);
    const toUrl = [];
    const replay = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const child = spawn(process.execPath, [bin, 'serve', 'bench-run'], { cwd: big, stdio: ['ignore', 'pipe', 'ignore'] });
      const url = await new Promise((resolve) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          if (out.includes('\n')) resolve(out.split('\n')[0]);
        });
      });
      toUrl.push(performance.now() - t0);
      const t1 = performance.now();
      const res = await fetch(new URL('/api/runs/bench-run/events', url));
      const reader = res.body.getReader();
      let text = '';
      const decoder = new TextDecoder();
      while (!text.includes(`id: ${events}\n`)) text += decoder.decode((await reader.read()).value, { stream: true });
      replay.push(performance.now() - t1);
      await reader.cancel();
      child.kill('SIGINT');
      await new Promise((r) => child.on('close', r));
    }
    rows.push(['orchestra serve: first line (its address) printed', median(toUrl), `+${(median(toUrl) - node).toFixed(0)} ms over node`]);
    rows.push([
      `  replay of a ${events.toLocaleString('en')}-event record over SSE`,
      median(replay),
      `${(events / (median(replay) / 1000)).toFixed(0)} events/s`,
    ]);
  }

  // --- orchestra against make -j on 300 no-op gates ---
  const hasMake = spawnSync('make', ['--version'], { stdio: 'ignore' }).status === 0;
  const jobs = 2;
  for (const shape of ['fan-out', 'layered 10x30']) {
    const dir = mkdtempSync(path.join(tmpdir(), 'orchestra-bench-'));
    dirs.push(dir);
    const deps = (i) =>
      shape === 'fan-out' ? (i === 0 ? [] : ['n0']) : i < 10 ? [] : Array.from({ length: 10 }, (_, k) => `n${Math.floor(i / 10) * 10 - 10 + k}`);
    mkdirSync(path.join(dir, 'in'));
    let yaml = 'gates:\n';
    let make = `.PHONY: all ${Array.from({ length: 300 }, (_, i) => `n${i}`).join(' ')}\nall: ${Array.from({ length: 300 }, (_, i) => `n${i}`).join(' ')}\n`;
    for (let i = 0; i < 300; i++) {
      writeFileSync(path.join(dir, 'in', `n${i}`), String(i));
      const d = deps(i);
      yaml += `  n${i}:\n    run: ["true"]\n    inputs: ["in/n${i}"]\n${d.length ? `    needs: [${d.join(', ')}]\n` : ''}`;
      make += `n${i}:${d.length ? ` ${d.join(' ')}` : ''}\n\t@true\n`;
    }
    writeFileSync(path.join(dir, 'orchestra.config.yaml'), yaml);
    writeFileSync(path.join(dir, 'Makefile'), make);
    spawnSync('git', ['init', '-q'], { cwd: dir });
    const cold = timeCommand([bin, 'check', '--no-cache', '--concurrency', String(jobs)], dir);
    const warm = timeCommand([bin, 'check', '--concurrency', String(jobs)], dir);
    if (hasMake) {
      const makeMs = timeExternal('make', ['-s', `-j${jobs}`, 'all'], dir);
      rows.push([`300 no-op gates, ${shape}: make -j${jobs}`, makeMs, '']);
      rows.push([`  orchestra check --concurrency ${jobs}, no cache`, cold, `${(cold / makeMs).toFixed(2)}x make (aim: <= 1.5x)`]);
      rows.push([`  orchestra check, all cached`, warm, `${(warm / makeMs).toFixed(2)}x make`]);
    } else {
      rows.push([`300 no-op gates, ${shape}: orchestra, no cache`, cold, 'make not installed: no comparison']);
      rows.push([`  orchestra check, all cached`, warm, '']);
    }
  }

  // --- run: orchestra's own overhead per agent task (worktree, commit, scope check, merge) ---
  {
    const dir = mkdtempSync(path.join(tmpdir(), 'orchestra-bench-'));
    dirs.push(dir);
    const tasks = Array.from(
      { length: 50 },
      (_, i) => `      - { id: t${i}, agent: noop, prompt: "write one file", scope: { touch: ["out/t${i}.txt"] } }`,
    ).join('\n');
    writeFileSync(path.join(dir, 'orchestra.config.yaml'), `phases:\n  - id: p\n    tasks:\n${tasks}\n`);
    // The agent: one small process that writes its file, about as cheap as an agent can be.
    writeFileSync(
      path.join(dir, 'team.json'),
      JSON.stringify({ agents: [{ id: 'noop', command: ['sh', '-c', 'mkdir -p out && echo done > out/$ORCHESTRA_TASK.txt'], concurrency: 50 }] }),
    );
    writeFileSync(path.join(dir, '.gitignore'), '.orchestra/\n');
    spawnSync('git', ['init', '-q'], { cwd: dir });
    spawnSync('git', ['add', '-A'], { cwd: dir });
    spawnSync('git', ['-c', 'user.email=b@b', '-c', 'user.name=b', 'commit', '-qm', 'x'], { cwd: dir });
    const agentAlone = timeExternal('sh', ['-c', 'mkdir -p /tmp/orchestra-bench-noop && echo done > /tmp/orchestra-bench-noop/x.txt'], dir);
    const serial = {};
    for (const c of [1, 2]) {
      const t = timeOnce([bin, 'run', '--concurrency', String(c)], dir, 3);
      serial[c] = t;
      rows.push([
        `run: 50 tasks with a no-op agent, --concurrency ${c}`,
        t,
        `${((t - node) / 50).toFixed(1)} ms per task (the agent alone: ${agentAlone.toFixed(1)} ms; aim: < 100 ms on top)`,
      ]);
    }
    // The sandbox's cost per agent start: the same run with `sandbox: off`, and bubblewrap alone around `true`.
    const bwrap = spawnSync('bwrap', ['--ro-bind', '/', '/', 'true']).status === 0;
    writeFileSync(path.join(dir, 'orchestra.config.yaml'), `phases:\n  - id: p\n    tasks:\n${tasks}\nsandbox: off\n`);
    const off = timeOnce([bin, 'run', '--concurrency', '1'], dir, 3);
    const args = ['--die-with-parent', '--unshare-pid', '--unshare-ipc', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', 'true'];
    rows.push([
      'run: the same 50 tasks, sandbox: off, --concurrency 1',
      off,
      bwrap
        ? `the sandbox costs ${((serial[1] - off) / 50).toFixed(1)} ms per agent start (bubblewrap alone around true: ${(timeExternal('bwrap', args, dir) - timeExternal('true', [], dir)).toFixed(1)} ms; aim: < 50 ms)`
        : 'bubblewrap is not usable here: both runs were unconfined, no sandbox cost measured',
    ]);
  }

  // --- run: a worktree made ready with a 150 MB node_modules (issue 14: aim < 3 s after the first) ---
  {
    const dir = mkdtempSync(path.join(tmpdir(), 'orchestra-bench-'));
    dirs.push(dir);
    writeFileSync(
      path.join(dir, 'orchestra.config.yaml'),
      `phases:\n  - id: p\n    tasks:\n      - { id: t, agent: noop, prompt: x, scope: { touch: ["out/**"] } }\n`,
    );
    writeFileSync(path.join(dir, 'team.json'), JSON.stringify({ agents: [{ id: 'noop', command: ['sh', '-c', 'mkdir -p out && echo done > out/t.txt'] }] }));
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'b', version: '1.0.0' }));
    writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({ name: 'b', version: '1.0.0', lockfileVersion: 3, packages: {} }));
    writeFileSync(path.join(dir, '.gitignore'), '.orchestra/\nnode_modules/\n');
    spawnSync('git', ['init', '-q'], { cwd: dir });
    spawnSync('git', ['add', '-A'], { cwd: dir });
    spawnSync('git', ['-c', 'user.email=b@b', '-c', 'user.name=b', 'commit', '-qm', 'x'], { cwd: dir });
    const bare = timeOnce([bin, 'run'], dir, 3);
    // 1,500 packages of ten 10 KB files: 150 MB, as a mid-sized app's node_modules.
    const chunk = Buffer.alloc(10 * 1024, 97);
    for (let p = 0; p < 1500; p++) {
      const pkg = path.join(dir, 'node_modules', `pkg${p}`);
      mkdirSync(pkg, { recursive: true });
      for (let f = 0; f < 10; f++) writeFileSync(path.join(pkg, `f${f}.js`), chunk);
    }
    const ready = timeOnce([bin, 'run'], dir, 3);
    rows.push([
      'run: one task, 150 MB node_modules borrowed (lockfile unchanged)',
      ready,
      `${(ready - bare).toFixed(1)} ms more than without node_modules (aim: worktree ready < 3 s)`,
    ]);
  }

  // --- validate 100k gates, valid and with mistakes in each, against 10k (linear: the ratio near 10; aim < 10 s, < 500 MB) ---
  {
    const config = (n, broken) =>
      `gates:\n${Array.from({ length: n }, (_, g) =>
        broken ? `  g${g}: { run: ${g}, needs: [x${g}], timeout: soon }` : `  g${g}: { run: echo ${g}, inputs: ["src/**"], needs: [${g ? `g${g - 1}` : ''}] }`,
      ).join('\n')}\n`;
    // The child's peak RSS, said by the child itself as it exits.
    const rss = 'data:text/javascript,process.on("exit",()=>process.stderr.write(`maxrss=${process.resourceUsage().maxRSS}\\n`))';
    const measure = (dir, runs) => {
      const times = [];
      let peak = 0;
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const r = spawnSync(process.execPath, ['--import', rss, bin, 'validate', '--no-cache'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 30 });
        times.push(performance.now() - t0);
        if (r.status !== 0 && r.status !== 2) throw new Error(`validate exited ${r.status}: ${r.stderr.slice(-500)}`);
        peak = Math.max(peak, Number(/maxrss=(\d+)/.exec(r.stderr)?.[1] ?? 0) / 1024);
      }
      return { ms: median(times), mb: peak };
    };
    for (const broken of [false, true]) {
      const [small, large] = [10_000, 100_000].map((n) => {
        const dir = repoWith(config(n, broken));
        dirs.push(dir);
        return measure(dir, n === 10_000 ? 3 : 1);
      });
      const what = broken ? 'three mistakes in each gate' : 'valid';
      rows.push([`orchestra validate --no-cache, 10,000 gates, ${what}`, small.ms, `peak RSS ${small.mb.toFixed(0)} MB`]);
      rows.push([
        `  100,000 gates, ${what}`,
        large.ms,
        `${(large.ms / small.ms).toFixed(1)}x 10k (linear: ~10); peak RSS ${large.mb.toFixed(0)} MB (aim: < 10 s, < 500 MB)`,
      ]);
    }
  }

  // --- run with the real Claude Code against the scripted model server (BENCH_AGENTS=0 leaves it out: it installs ~760 MB of CLIs once) ---
  if (process.env.BENCH_AGENTS !== '0') {
    const { benchRealAgent } = await import('./bench-agents.mjs');
    rows.push(...(await benchRealAgent()));
  }

  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`node ${process.version}, ${RUNS} runs each (median)\n`);
  for (const [label, ms, note] of rows) console.log(`${label.padEnd(width)}  ${ms.toFixed(1).padStart(8)} ms  ${note}`);
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
