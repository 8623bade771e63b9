// Shared by the benches: timing a command, pairing it with its anchor, the table.
import { spawnSync } from 'node:child_process';

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/**
 * One wall time of a command, in ms. `ok` lists the exit codes that count as
 * success (a rule gate that finds the planted flaws exits 1); any other exit
 * throws, with the command's stderr, so that its row says FAILED and why.
 */
export function timeOnce(command, args, cwd, ok = [0]) {
  const t0 = performance.now();
  const r = spawnSync(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - t0;
  if (r.error) throw new Error(`${command} ${args.join(' ')}: ${r.error.message}`);
  if (!ok.includes(r.status))
    throw new Error(`${command} ${args.join(' ')} exited ${r.status ?? r.signal}: ${String(r.stderr).trim().split('\n').slice(-3).join(' / ')}`);
  return ms;
}

/** Median of `runs` timings after `warm` untimed runs (the first runs warm the file cache). */
export function timeMedian(command, args, cwd, { runs, warm = 1, ok } = {}) {
  for (let i = 0; i < warm; i++) timeOnce(command, args, cwd, ok);
  return median(Array.from({ length: runs }, () => timeOnce(command, args, cwd, ok)));
}

/**
 * Paired runs on a shared, loaded machine: each repetition times the anchor,
 * then each contender, back to back, so that both see the same load; a
 * ratio is taken per repetition and the median of those is reported.
 * `commands` maps a name to [command, args, cwd, ok?]; the first is the anchor.
 */
export function paired(commands, { runs, warm = 1 }) {
  const names = Object.keys(commands);
  const run = (name) => {
    const [command, args, cwd, ok] = commands[name];
    return timeOnce(command, args, cwd, ok);
  };
  for (let i = 0; i < warm; i++) for (const n of names) run(n);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < runs; i++) for (const n of names) times[n].push(run(n));
  const anchor = times[names[0]];
  return Object.fromEntries(
    names.map((n) => [
      n,
      {
        ms: median(times[n]),
        times: times[n],
        ratio: median(times[n].map((t, i) => t / anchor[i])),
        over: median(times[n].map((t, i) => t - anchor[i])),
      },
    ]),
  );
}

export const hasCommand = (command, args = ['--version']) => {
  const r = spawnSync(command, args, { stdio: 'ignore' });
  return !r.error && r.status === 0;
};

/** Rows are [label, ms or undefined, note]; a failed block prints one row saying so. */
export function printTable(rows, header) {
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`${header}\n`);
  for (const [label, ms, note] of rows) console.log(`${label.padEnd(width)}  ${ms === undefined ? '       -   ' : `${ms.toFixed(1).padStart(8)} ms`}  ${note}`);
}
