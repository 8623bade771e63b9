// npm run bench: wall times of the CLI against anchors measured in the same
// run (make -j2, lefthook, ripgrep where installed, bare node), paired and as
// medians, and the compile of large generated configs. Prints a table; asserts
// nothing. The rows come in blocks; BENCH_ROWS=gates,hook picks some (the ids
// are listed below and printed with the table). A block that fails prints one
// FAILED row with the reason, and the table still comes.
// Knobs: BENCH_RUNS (quick rows, default 15), BENCH_PAIRS (paired rows of the
// aims, default 5), BENCH_SLOW_RUNS (the run rows, default 1), BENCH_FILES (rule
// corpus, default 20,000), BENCH_AGENTS=0.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasCommand, median, paired, printTable, timeMedian, timeOnce } from './bench-lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(root, 'bin', 'orchestra.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 5);
// A run of 50 tasks already averages over its tasks: one run per row is the default.
const SLOW_RUNS = Number(process.env.BENCH_SLOW_RUNS ?? 1);

const timeCommand = (args, cwd) => timeMedian(process.execPath, args, cwd, { runs: RUNS, warm: 2 });
const timeExternal = (command, args, cwd) => timeMedian(command, args, cwd, { runs: RUNS, warm: 2 });
/** Median of a few runs of a slow command (no warm-up runs). */
const timeSlow = (args, cwd, runs) => timeMedian(process.execPath, args, cwd, { runs, warm: 0 });

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

/**
 * The modules a block calls in process. dist/ holds the CLI's bundle only (scripts/build.mjs): these are bundled
 * on first use into dist/<folder>/<name>.js beside it, where the built CLI's own files are found the same way.
 */
let internals;
async function inProcess() {
  internals ??= (async () => {
    const { bundle } = await import('./bundle.mjs');
    const entries = ['config/load.ts', 'graph/compile.ts', 'graph/analyze.ts', 'sandbox/bwrap-args.ts'];
    await bundle(entries, { splitting: false });
    const mods = await Promise.all(entries.map((e) => import(path.join(root, 'dist', e.replace(/\.ts$/, '.js')))));
    return Object.assign({}, ...mods);
  })();
  return internals;
}

/** What the blocks share, made on first use: temp folders (removed at the end), node's start-up, the 5,000-file repo. */
function context() {
  const dirs = [];
  let nodeMs;
  let bigDir;
  const tmp = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'orchestra-bench-'));
    dirs.push(dir);
    return dir;
  };
  return {
    tmp,
    repoWith(config) {
      const dir = tmp();
      writeFileSync(path.join(dir, 'orchestra.config.yaml'), config);
      writeFileSync(path.join(dir, 'team.json'), team);
      return dir;
    },
    node: () => (nodeMs ??= timeCommand(['-e', '0'], root)),
    /** A git repo of 5,000 committed files and 10 gates (inputs over 2 of its 50 packages each) on the pre-push hook. */
    big() {
      if (bigDir) return bigDir;
      const big = (bigDir = tmp());
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
      // The same 10 hooks for lefthook, as plain `true` commands (it caches nothing: it runs them).
      writeFileSync(
        path.join(big, 'lefthook.yml'),
        `pre-push:\n  commands:\n${Array.from({ length: 10 }, (_, g) => `    g${g}:\n      run: "true"\n`).join('')}`,
      );
      gitIn('add', '-A');
      gitIn('-c', 'user.email=b@b', '-c', 'user.name=b', 'commit', '-qm', 'x');
      return big;
    },
    cleanup: () => {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

/** The 300 no-op gates of the issue's first row: 10 wide, 30 deep (each layer needs the whole layer before it), as a config and a Makefile. */
function layeredGates(dir) {
  const deps = (i) => (i < 10 ? [] : Array.from({ length: 10 }, (_, k) => `n${Math.floor(i / 10) * 10 - 10 + k}`));
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
}

const BLOCKS = [
  // --- the aims of issue 19, each against its anchor in the same run ---
  {
    id: 'gates',
    title: '300 no-op gates against make -j2',
    run(ctx) {
      const dir = ctx.tmp();
      layeredGates(dir);
      const orchestra = [process.execPath, [bin, 'check', '--no-cache', '--concurrency', '2'], dir];
      const cached = [process.execPath, [bin, 'check', '--concurrency', '2'], dir];
      if (!hasCommand('make')) {
        const r = paired({ orchestra, cached }, { runs: PAIRS });
        return [['300 no-op gates, 10 wide x 30 deep, --concurrency 2, no cache', r.orchestra.ms, 'make not installed: no comparison']];
      }
      const r = paired({ make: ['make', ['-s', '-j2', 'all'], dir], orchestra, cached }, { runs: PAIRS });
      return [
        ['300 no-op gates, 10 wide x 30 deep: make -j2', r.make.ms, ''],
        ['  orchestra check --concurrency 2, no cache', r.orchestra.ms, `${r.orchestra.ratio.toFixed(2)}x make (aim: <= 1.5x)`],
        ['  orchestra check --concurrency 2, all cached', r.cached.ms, `${r.cached.ratio.toFixed(2)}x make`],
      ];
    },
  },
  {
    id: 'hook',
    title: 'a cached pre-push hook against lefthook and bare node',
    run(ctx) {
      const big = ctx.big();
      const lefthook = createRequire(path.join(root, 'package.json'))('lefthook/get-exe.js').getExePath();
      const r = paired(
        {
          node: [process.execPath, ['-e', '0'], big],
          lefthook: [lefthook, ['run', 'pre-push'], big],
          orchestra: [process.execPath, [bin, 'check', '--hook', 'pre-push'], big],
        },
        { runs: PAIRS * 3, warm: 2 },
      );
      const toLefthook = median(r.orchestra.times.map((t, i) => t / r.lefthook.times[i]));
      return [
        ['node -e 0', r.node.ms, ''],
        ['lefthook run pre-push: the same 10 hooks as `true`, uncached', r.lefthook.ms, ''],
        [
          'orchestra check --hook pre-push, 10 gates, 5,000 files, all cached',
          r.orchestra.ms,
          `${toLefthook.toFixed(2)}x lefthook (aim: <= 0.8x); node + ${r.orchestra.over.toFixed(0)} ms (aim: <= 100)`,
        ],
      ];
    },
  },
  {
    id: 'rules',
    title: 'the sqlalchemy rule against ripgrep',
    async run(ctx) {
      const { makeRulesCorpus, benchRules } = await import('./bench-rules.mjs');
      const dir = ctx.tmp();
      const files = Number(process.env.BENCH_FILES ?? 20000);
      makeRulesCorpus(dir, files);
      return benchRules(dir, { runs: Math.max(3, PAIRS - 2), files });
    },
  },
  {
    // Issue 19's second rules row: real code rather than synthetic. The codebases are not in this repository
    // (README, Performance, says which and how to gather them); BENCH_CODEBASES names the folder they are in.
    id: 'codebases',
    title: 'the sqlalchemy rule over real codebases against ripgrep',
    run() {
      const dir = process.env.BENCH_CODEBASES;
      if (!dir) return [['the rule over real codebases', 0, 'not measured: BENCH_CODEBASES names their folder (README, Performance)']];
      if (!hasCommand('rg')) return [['the rule over real codebases', 0, 'ripgrep not installed: no comparison']];
      writeFileSync(path.join(dir, 'orchestra.config.yaml'), 'gates:\n  timestamps:\n    rule: sqlalchemy/timestamp-server-default\n');
      if (!existsSync(path.join(dir, '.git'))) {
        spawnSync('git', ['init', '-q'], { cwd: dir });
        spawnSync('git', ['add', '-A'], { cwd: dir });
        spawnSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@localhost', 'commit', '-qm', 'codebases'], { cwd: dir });
      }
      const files = spawnSync('git', ['ls-files', '*.py'], { cwd: dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
        .stdout.split('\n')
        .filter(Boolean).length;
      const r = paired(
        {
          rg: ['rg', ['-c', '--type', 'py', 'Column\\(|mapped_column\\(', '.'], dir, [0, 1]],
          // A finding is exit 1: the real code has some.
          orchestra: [process.execPath, [bin, 'check', '--no-cache'], dir, [0, 1]],
        },
        { runs: Math.max(3, PAIRS - 2) },
      );
      return [
        [`rg -c 'Column\\(|mapped_column\\(' over ${files.toLocaleString('en-US')} .py files of real codebases`, r.rg.ms, ''],
        ['  orchestra check --no-cache, sqlalchemy/timestamp-server-default', r.orchestra.ms, `${r.orchestra.ratio.toFixed(2)}x rg (aim: <= 3x)`],
      ];
    },
  },
  {
    id: 'validate',
    title: 'validate of 500 gates and 100 phases against bare node',
    run(ctx) {
      const medium = ctx.repoWith(generate({ gates: 500, phases: 100, tasks: 3, phaseNeeds: false, gatesPerPhase: 3 }));
      const r = paired(
        {
          node: [process.execPath, ['-e', '0'], medium],
          cold: [process.execPath, [bin, 'validate', '--no-cache'], medium],
          warm: [process.execPath, [bin, 'validate'], medium],
        },
        { runs: PAIRS * 3, warm: 2 },
      );
      return [
        ['orchestra validate --no-cache (500 gates, 100 phases)', r.cold.ms, `node + ${r.cold.over.toFixed(0)} ms: YAML parsed every time (aim: <= 150)`],
        ['orchestra validate (same, parse cache warm)', r.warm.ms, `node + ${r.warm.over.toFixed(0)} ms`],
      ];
    },
  },
  // --- the rest: start-up, compile, CI, dashboard, run ---
  {
    id: 'startup',
    title: 'start-up of the quick commands',
    run(ctx) {
      const medium = ctx.repoWith(generate({ gates: 500, phases: 100, tasks: 3, phaseNeeds: false, gatesPerPhase: 3 }));
      const node = ctx.node();
      const version = timeCommand([bin, '--version'], root);
      const plan = timeCommand([bin, 'plan', '--json'], medium);
      const exportMs = timeCommand([bin, 'export', 'github-actions', '--out', '-'], medium);
      return [
        ['node -e 0', node, ''],
        ['orchestra --version', version, `+${(version - node).toFixed(0)} ms over node`],
        ['orchestra plan --json (500 gates, 100 phases, cache warm)', plan, `+${(plan - node).toFixed(0)} ms over node`],
        ['orchestra export github-actions --out - (500 gates)', exportMs, `+${(exportMs - node).toFixed(0)} ms over node`],
      ];
    },
  },
  {
    id: 'compile',
    title: 'compile of large configs, in process',
    async run(ctx) {
      const rows = [];
      const { loadConfig, compile, analyze } = await inProcess();
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
      await timeCompile(ctx.repoWith(generate({ gates: 200, phases: 500, tasks: 20, phaseNeeds: true, gatesPerPhase: 2 })), 'compile', '< 300 ms');
      await timeCompile(ctx.repoWith(generate({ gates: 10, phases: 1, tasks: 2000, phaseNeeds: false, gatesPerPhase: 2 })), 'one phase', '< 1000 ms');
      const overlapping = generate({ gates: 10, phases: 1, tasks: 2000, phaseNeeds: false, gatesPerPhase: 2 }).replace(/src\/p0\/m\d+\/\*\*/g, 'src/**');
      await timeCompile(ctx.repoWith(overlapping), 'one phase, all scopes overlapping', '< 1000 ms');
      return rows;
    },
  },
  {
    id: 'ci',
    title: 'the 5,000-file repo: no cache, MCP, the cache key of an exported job',
    async run(ctx) {
      const big = ctx.big();
      const node = ctx.node();
      const warm = timeCommand([bin, 'check', '--hook', 'pre-push'], big);
      const cold = timeCommand([bin, 'check', '--hook', 'pre-push', '--no-cache'], big);
      const { benchMcpCheck } = await import('./bench-mcp.mjs');
      const mcpMs = await benchMcpCheck(bin, big, RUNS);
      const keyMs = timeCommand([bin, 'check', 'g3', '--no-needs', '--fingerprint'], big);
      // A rule gate over 5,000 Python files, one of them edited before each call (as an agent's edit would).
      const py = ctx.tmp();
      for (let d = 0; d < 50; d++) {
        mkdirSync(path.join(py, `pkg${d}`), { recursive: true });
        for (let f = 0; f < 100; f++)
          writeFileSync(
            path.join(py, `pkg${d}`, `m${f}.py`),
            f % 10 === 0
              ? `from sqlalchemy import Column, DateTime, func\n\nclass M${f}(Base):\n    created_at = Column(DateTime, server_default=func.now())\n`
              : `def f${f}(x):\n    return x + ${f}\n`,
          );
      }
      writeFileSync(path.join(py, 'orchestra.config.yaml'), 'gates:\n  timestamps:\n    rule: sqlalchemy/timestamp-server-default\n');
      spawnSync('git', ['init', '-q'], { cwd: py });
      const ruleMs = await benchMcpCheck(bin, py, RUNS, {
        gates: ['timestamps'],
        touch: (i) => writeFileSync(path.join(py, 'pkg0', 'm1.py'), `def f1(x):\n    return x + ${i}\n`),
      });
      return [
        ['orchestra check --hook pre-push, the same 10 gates, --no-cache (each runs node -e 0)', cold, `${(cold / warm).toFixed(1)}x the cached run`],
        ['orchestra mcp: tools/call check_gate to its answer, the same 10 gates all cached', mcpMs, `${(mcpMs / node).toFixed(2)}x node -e 0 (aim: < 100 ms)`],
        ['orchestra mcp: check_gate on a rule gate over 5,000 .py files, one edited before each call', ruleMs, `${(ruleMs / node).toFixed(2)}x node -e 0`],
        ['orchestra check g3 --fingerprint (5,000 files)', keyMs, `+${(keyMs - node).toFixed(0)} ms over node: the cache-key step of an exported job`],
      ];
    },
  },
  {
    id: 'serve',
    title: 'the dashboard',
    async run(ctx) {
      const rows = [];
      const events = 20_000;
      const big = ctx.big();
      const node = ctx.node();
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
      return rows;
    },
  },
  {
    id: 'run',
    title: "run: orchestra's own overhead per agent task, and the sandbox's",
    async run(ctx) {
      const rows = [];
      const dir = ctx.tmp();
      const node = ctx.node();

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
        // One untimed run first: a repository's first run pays for what later ones find made, and the sandbox's
        // cost below is the difference to a later run.
        const t = timeMedian(process.execPath, [bin, 'run', '--concurrency', String(c)], dir, { runs: SLOW_RUNS, warm: c === 1 ? 1 : 0 });
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
      const off = timeSlow([bin, 'run', '--concurrency', '1'], dir, SLOW_RUNS);
      // orchestra's own mount layout (no extra mounts), so the figure is the one an agent start pays.
      const { bwrapArgs } = await inProcess();
      const args = bwrapArgs({ workdir: dir, mounts: [], within: [], unset: [], env: {}, asNobody: process.getuid?.() === 0 }, ['true']);
      rows.push([
        'run: the same 50 tasks, sandbox: off, --concurrency 1',
        off,
        bwrap
          ? `the sandbox costs ${((serial[1] - off) / 50).toFixed(1)} ms per agent start (bubblewrap alone around true: ${(timeExternal('bwrap', args, dir) - timeExternal('true', [], dir)).toFixed(1)} ms; aim: < 50 ms)`
          : 'bubblewrap is not usable here: both runs were unconfined, no sandbox cost measured',
      ]);
      return rows;
    },
  },
  {
    id: 'worktree',
    title: 'run: a worktree made ready with a 150 MB node_modules',
    run(ctx) {
      const rows = [];
      const dir = ctx.tmp();

      writeFileSync(
        path.join(dir, 'orchestra.config.yaml'),
        `phases:\n  - id: p\n    tasks:\n      - { id: t, agent: noop, prompt: x, scope: { touch: ["out/**"] } }\n`,
      );
      writeFileSync(path.join(dir, 'team.json'), JSON.stringify({ agents: [{ id: 'noop', command: ['sh', '-c', 'mkdir -p out && echo done > out/t.txt'] }] }));
      writeFileSync(path.join(dir, '.gitignore'), '.orchestra/\nnode_modules/\n');
      spawnSync('git', ['init', '-q'], { cwd: dir });
      spawnSync('git', ['add', '-A'], { cwd: dir });
      spawnSync('git', ['-c', 'user.email=b@b', '-c', 'user.name=b', 'commit', '-qm', 'x'], { cwd: dir });
      // The baseline: no lockfile, so no setup at all (with a lockfile and no node_modules, each worktree would run
      // npm ci, and the borrowed run would come out faster than it); one untimed run first.
      const bare = timeMedian(process.execPath, [bin, 'run'], dir, { runs: SLOW_RUNS, warm: 1 });
      writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'b', version: '1.0.0' }));
      writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({ name: 'b', version: '1.0.0', lockfileVersion: 3, packages: {} }));
      spawnSync('git', ['add', '-A'], { cwd: dir });
      spawnSync('git', ['-c', 'user.email=b@b', '-c', 'user.name=b', 'commit', '-qm', 'a lockfile'], { cwd: dir });
      // 1,500 packages of ten 10 KB files: 150 MB, as a mid-sized app's node_modules.
      const chunk = Buffer.alloc(10 * 1024, 97);
      for (let p = 0; p < 1500; p++) {
        const pkg = path.join(dir, 'node_modules', `pkg${p}`);
        mkdirSync(pkg, { recursive: true });
        for (let f = 0; f < 10; f++) writeFileSync(path.join(pkg, `f${f}.js`), chunk);
      }
      const ready = timeSlow([bin, 'run'], dir, SLOW_RUNS);
      rows.push([
        'run: one task, 150 MB node_modules borrowed (lockfile unchanged)',
        ready,
        `${(ready - bare).toFixed(1)} ms more than without node_modules (aim: worktree ready < 3 s)`,
      ]);
      // A task that may change the lockfile gets its own copy (cp --reflink=auto) instead of a link.
      writeFileSync(
        path.join(dir, 'orchestra.config.yaml'),
        `phases:\n  - id: p\n    tasks:\n      - { id: t, agent: noop, prompt: x, scope: { touch: ["out/**", package.json, package-lock.json] } }\n`,
      );
      spawnSync('git', ['-c', 'user.email=b@b', '-c', 'user.name=b', 'commit', '-qam', 'lockfile in scope'], { cwd: dir });
      const copied = timeSlow([bin, 'run'], dir, SLOW_RUNS);
      // Each copy into a new folder, so that no timed run also deletes the one before.
      const copies = ctx.tmp();
      const cp = timeMedian('sh', ['-c', `cp -a --reflink=auto node_modules "$(mktemp -d ${copies}/nm-XXXXXX)/node_modules"`], dir, {
        runs: SLOW_RUNS,
        warm: 1,
      });
      rmSync(copies, { recursive: true, force: true });
      rows.push([
        'run: one task that may change the lockfile, its own copy of the 150 MB node_modules',
        copied,
        `${(copied - bare).toFixed(1)} ms more than without node_modules; cp -a --reflink=auto alone: ${cp.toFixed(1)} ms (aim: < 3 s)`,
      ]);
      return rows;
    },
  },
  {
    // Issue 20: validation stays linear (aim: 100,000 gates < 10 s and < 500 MB, with or without mistakes).
    id: 'validate-big',
    title: 'validate of 10,000 and 100,000 gates, valid and with mistakes',
    run(ctx) {
      const rows = [];
      const config = (n, broken) =>
        `gates:\n${Array.from({ length: n }, (_, g) =>
          broken
            ? `  g${g}: { run: ${g}, needs: [x${g}], timeout: soon }`
            : `  g${g}: { run: echo ${g}, inputs: ["src/**"], needs: [${g ? `g${g - 1}` : ''}] }`,
        ).join('\n')}\n`;
      // The child's peak RSS, said by the child itself as it exits.
      const rss = 'data:text/javascript,process.on("exit",()=>process.stderr.write(`maxrss=${process.resourceUsage().maxRSS}\\n`))';
      // Paired with `node -e 0` run just before each, so that the load of a shared machine shows in both.
      const measure = (dir, runs) => {
        const times = [];
        const overs = [];
        let peak = 0;
        for (let i = 0; i < runs; i++) {
          const node = timeOnce(process.execPath, ['-e', '0'], dir);
          const t0 = performance.now();
          const r = spawnSync(process.execPath, ['--import', rss, bin, 'validate', '--no-cache'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 30 });
          const ms = performance.now() - t0;
          times.push(ms);
          overs.push(ms - node);
          if (r.status !== 0 && r.status !== 2) throw new Error(`validate exited ${r.status}: ${r.stderr.slice(-500)}`);
          peak = Math.max(peak, Number(/maxrss=(\d+)/.exec(r.stderr)?.[1] ?? 0) / 1024);
        }
        return { ms: median(times), over: median(overs), mb: peak };
      };
      for (const broken of [false, true]) {
        const [small, large] = [10_000, 100_000].map((n) => measure(ctx.repoWith(config(n, broken)), n === 10_000 ? 3 : Math.max(1, SLOW_RUNS)));
        const what = broken ? 'three mistakes in each gate' : 'valid';
        rows.push([`orchestra validate --no-cache, 10,000 gates, ${what}`, small.ms, `node + ${small.over.toFixed(0)} ms; peak RSS ${small.mb.toFixed(0)} MB`]);
        rows.push([
          `  100,000 gates, ${what}`,
          large.ms,
          `node + ${large.over.toFixed(0)} ms; ${(large.over / small.over).toFixed(1)}x 10k (linear: ~10); peak RSS ${large.mb.toFixed(0)} MB (aim: < 10 s, < 500 MB)`,
        ]);
      }
      return rows;
    },
  },
  {
    // The real Claude Code against the scripted model server (BENCH_AGENTS=0 leaves it out: it installs ~760 MB of CLIs once).
    id: 'agents',
    title: 'run with a real agent CLI',
    skip: () => process.env.BENCH_AGENTS === '0',
    async run() {
      const { benchRealAgent } = await import('./bench-agents.mjs');
      return benchRealAgent();
    },
  },
];

const wanted = process.env.BENCH_ROWS ? new Set(process.env.BENCH_ROWS.split(',').map((s) => s.trim())) : undefined;
const unknown = wanted ? [...wanted].filter((id) => !BLOCKS.some((b) => b.id === id)) : [];
if (unknown.length) {
  console.error(`BENCH_ROWS: no block ${unknown.join(', ')} (blocks: ${BLOCKS.map((b) => b.id).join(', ')})`);
  process.exit(2);
}
const ctx = context();
const rows = [];
try {
  for (const block of BLOCKS) {
    if (wanted ? !wanted.has(block.id) : block.skip?.()) continue;
    const t0 = performance.now();
    try {
      rows.push(...(await block.run(ctx)));
    } catch (error) {
      rows.push([`[${block.id}] ${block.title}`, undefined, `FAILED: ${error instanceof Error ? error.message : String(error)}`]);
    }
    process.stderr.write(`bench: ${block.id} took ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  }
} finally {
  ctx.cleanup();
}
printTable(
  rows,
  `node ${process.version}; quick rows: median of ${RUNS} runs; aims: median of ${PAIRS} paired runs (the ratio taken per pair)\nblocks: ${BLOCKS.map((b) => b.id).join(', ')} (BENCH_ROWS=… picks some)`,
);
