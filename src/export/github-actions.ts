import type { AdapterName, Config } from '../config/types.js';
import { ruleTarget } from '../exec/rule-target.js';
import type { GateNode, Graph } from '../graph/types.js';
import { unreachable } from '../util/unreachable.js';
import type { Step } from './setup-steps.js';

/**
 * `orchestra export github-actions`: the same DAG as a GitHub Actions
 * workflow. Pure: the compiled graph, a few facts about the repo and the
 * options in; a plain object (turned into YAML at the edge) out. GitHub runs
 * the jobs; orchestra only runs each job's own gate.
 */
export interface ExportOptions {
  /** Also one job per phase (agent work), started by hand (workflow_dispatch). */
  readonly phases: boolean;
  /** Rule gates fanned out as a matrix of this many shards. */
  readonly shards: Readonly<Record<string, number>>;
  /** Branches whose pushes run the gates (pull requests always do). */
  readonly branches: readonly string[];
  /** A YAML file of steps every job runs after installing (relative to the repository root). */
  readonly setup?: string;
}

export type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'yarn-classic' | 'bun' | 'none';

export interface RepoFacts {
  readonly packageManager: PackageManager;
  /** `.nvmrc` or `.node-version`, when the repo pins Node that way. */
  readonly nodeVersionFile?: string;
  /** How a job starts orchestra: `npx orchestra`, the repo's own bin, or a pinned `npx --yes orchestra@x`. */
  readonly orchestra: string;
  /** The config's folder relative to the repository root ('' at the root). */
  readonly configDir: string;
  /** `--config FILE` when the config is not where orchestra looks by itself. */
  readonly configArg?: string;
}

type Job = Record<string, unknown>;

const CHECKOUT = 'actions/checkout@v4';
const SETUP_NODE = 'actions/setup-node@v4';
const CACHE = 'actions/cache@v4';

/**
 * A path as one shell word. Gate and phase names need none of this (the schema
 * allows only letters, digits and `_ . : / -`); paths from the file system might.
 */
export function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** GitHub job ids: letters, digits, `_` and `-`, not starting with a digit or `-`. */
export function jobId(prefix: 'gate' | 'phase', name: string): string {
  return `${prefix}-${name.replace(/[^A-Za-z0-9_-]+/g, '_')}`;
}

/** Whether a gate has a cache key: a rule, or declared inputs, and every gate it needs has one too. */
function cacheable(graph: Graph, node: GateNode, into: ReadonlyMap<string, readonly string[]>): boolean {
  if (!node.gate.rule && !node.gate.inputs) return false;
  return (into.get(node.id) ?? []).every((from) => {
    const need = graph.nodes.find((n) => n.id === from);
    return need?.kind === 'gate' && cacheable(graph, need, into);
  });
}

export function githubWorkflow(
  config: Config,
  graph: Graph,
  repo: RepoFacts,
  options: ExportOptions,
  extraSteps: readonly Step[] = [],
): { workflow: Record<string, unknown>; problems: string[] } {
  const problems: string[] = [];
  const into = new Map<string, string[]>();
  for (const e of graph.edges) into.set(e.to, [...(into.get(e.to) ?? []), e.from]);
  const gates = graph.nodes.filter((n): n is GateNode => n.kind === 'gate' && n.phase === null && n.gate.enabled);
  const jobs: Record<string, Job> = {};
  const orc = `${repo.orchestra}${repo.configArg ? ` --config ${shellWord(repo.configArg)}` : ''}`;
  const stateDir = repo.configDir ? `${repo.configDir}/.orchestra` : '.orchestra';

  for (const [name, count] of Object.entries(options.shards)) {
    const node = gates.find((n) => n.name === name);
    const rule = node ? ruleTarget(config, node.gate) : undefined;
    if (!node) problems.push(`--shard ${name}=${count}: no top-level gate '${name}'`);
    else if (!node.gate.rule) problems.push(`--shard ${name}=${count}: gate '${name}' runs a command; only a rule gate's files can be split`);
    else if (rule?.wholeRepo) problems.push(`--shard ${name}=${count}: rule '${rule.id}' looks at the repo as a whole and cannot be split`);
  }

  for (const node of gates) {
    const count = options.shards[node.name] ?? 1;
    const shardFlag = count > 1 ? ` --shard \${{ matrix.shard }}/${count}` : '';
    const steps: Step[] = [{ uses: CHECKOUT }, ...setupSteps(repo), ...extraSteps];
    if (cacheable(graph, node, into)) {
      // orchestra's own fingerprint is the key: an unchanged gate restores its entry and reports `cached`, as it would locally.
      steps.push(
        {
          name: 'orchestra cache key',
          id: 'key',
          run: `echo "key=$(${orc} check ${node.name} --no-needs${shardFlag} --fingerprint | cut -d' ' -f1)" >> "$GITHUB_OUTPUT"`,
        },
        { name: 'orchestra cache', uses: CACHE, with: { path: `${stateDir}/cache/gates`, key: `orchestra-gate-\${{ steps.key.outputs.key }}` } },
      );
    }
    steps.push({ name: `check ${node.name}`, run: `${orc} check ${node.name} --no-needs${shardFlag} --reporter github` });
    // A disabled gate has no job, and nothing waits for it.
    const needs = (into.get(node.id) ?? []).filter((id) => gates.some((g) => g.id === id)).map((id) => jobId('gate', id.slice('gate:'.length)));
    jobs[jobId('gate', node.name)] = {
      name: count > 1 ? `${node.name} (\${{ matrix.shard }}/${count})` : node.name,
      ...(needs.length ? { needs } : {}),
      'runs-on': 'ubuntu-latest',
      ...(node.gate.timeoutMs ? { 'timeout-minutes': Math.ceil(node.gate.timeoutMs / 60_000) + 10 } : {}),
      ...(count > 1 ? { strategy: { 'fail-fast': false, matrix: { shard: Array.from({ length: count }, (_, i) => i + 1) } } } : {}),
      ...(repo.configDir ? { defaults: { run: { 'working-directory': repo.configDir } } } : {}),
      steps,
    };
  }

  if (options.phases) Object.assign(jobs, phaseJobs(config, graph, repo, orc, extraSteps));

  const on: Record<string, unknown> = { push: { branches: [...options.branches] }, pull_request: null };
  if (options.phases) on['workflow_dispatch'] = null;
  return {
    workflow: {
      name: 'orchestra',
      on,
      permissions: { contents: 'read' },
      // A newer push to a pull request makes its older run moot; a branch's own pushes all run.
      concurrency: { group: 'orchestra-${{ github.ref }}', 'cancel-in-progress': "${{ github.event_name == 'pull_request' }}" },
      jobs,
    },
    problems,
  };
}

function setupSteps(repo: RepoFacts): Step[] {
  const node: Record<string, string> = repo.nodeVersionFile ? { 'node-version-file': repo.nodeVersionFile } : { 'node-version': '20' };
  const pm = repo.packageManager;
  const setupNode = (cache?: string): Step => ({ uses: SETUP_NODE, with: { ...node, ...(cache ? { cache } : {}) } });
  switch (pm) {
    case 'npm':
      return [setupNode('npm'), { run: 'npm ci' }];
    case 'pnpm':
      return [{ uses: 'pnpm/action-setup@v4' }, setupNode('pnpm'), { run: 'pnpm install --frozen-lockfile' }];
    case 'yarn':
      return [setupNode(), { run: 'corepack enable' }, { run: 'yarn install --immutable' }];
    case 'yarn-classic':
      return [setupNode('yarn'), { run: 'yarn install --frozen-lockfile' }];
    case 'bun':
      return [setupNode(), { uses: 'oven-sh/setup-bun@v2' }, { run: 'bun install --frozen-lockfile' }];
    case 'none':
      return [setupNode()];
    default:
      return unreachable(pm);
  }
}

/** The CLIs the team's adapters drive, and the secrets they read. */
const AGENT_CLI: Readonly<Record<AdapterName, { install: string; secrets: readonly string[] }>> = {
  'claude-code': { install: 'npm install -g @anthropic-ai/claude-code', secrets: ['ANTHROPIC_API_KEY'] },
  codex: { install: 'npm install -g @openai/codex', secrets: ['OPENAI_API_KEY'] },
  gemini: { install: 'npm install -g @google/gemini-cli', secrets: ['GEMINI_API_KEY'] },
  aider: { install: 'python3 -m pip install aider-chat', secrets: ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY'] },
};

/**
 * A job per phase, run by hand (workflow_dispatch): each starts from the
 * branches its needed phases pushed, runs its phase alone, and pushes its
 * integration branch as `orchestra/ci-<run>/<phase>` for the phases after it.
 */
function phaseJobs(config: Config, graph: Graph, repo: RepoFacts, orc: string, extraSteps: readonly Step[]): Record<string, Job> {
  const phaseOf = new Map(graph.nodes.map((n) => [n.id, n.phase]));
  const uses = [...new Set((config.team?.agents ?? []).flatMap((a) => (a.use ? [a.use] : [])))].sort();
  const secrets = [...new Set(uses.flatMap((u) => AGENT_CLI[u].secrets))].sort();
  const jobs: Record<string, Job> = {};
  const branch = (phase: string) => `orchestra/ci-\${{ github.run_id }}/${phase}`;
  for (const phase of graph.phases) {
    const needs = [
      ...new Set(graph.edges.filter((e) => phaseOf.get(e.to) === phase.id && phaseOf.get(e.from) !== phase.id).map((e) => phaseOf.get(e.from))),
    ].filter((p): p is string => typeof p === 'string');
    const start = needs.length
      ? [
          `git fetch --no-tags origin ${needs.map((p) => `"+refs/heads/${branch(p)}:refs/remotes/origin/${branch(p)}"`).join(' ')}`,
          `git checkout -B orchestra-ci "origin/${branch(needs[0] as string)}"`,
          ...needs.slice(1).map((p) => `git merge --no-edit "origin/${branch(p)}"`),
        ]
      : [];
    const runId = `ci-\${{ github.run_id }}-${phase.id.replace(/[^A-Za-z0-9_.-]+/g, '_')}`;
    jobs[jobId('phase', phase.id)] = {
      name: `phase ${phase.id}`,
      if: "github.event_name == 'workflow_dispatch'",
      ...(needs.length ? { needs: needs.map((p) => jobId('phase', p)) } : {}),
      'runs-on': 'ubuntu-latest',
      permissions: { contents: 'write' },
      ...(secrets.length ? { env: Object.fromEntries(secrets.map((s) => [s, `\${{ secrets.${s} }}`])) } : {}),
      ...(repo.configDir ? { defaults: { run: { 'working-directory': repo.configDir } } } : {}),
      steps: [
        { uses: CHECKOUT, with: { 'fetch-depth': 0 } },
        ...setupSteps(repo),
        ...extraSteps,
        ...uses.map((u) => ({ name: `install ${u}`, run: AGENT_CLI[u].install })),
        { name: 'git identity for checkpoints', run: 'git config user.name "orchestra" && git config user.email "orchestra@users.noreply.github.com"' },
        ...(start.length ? [{ name: 'start from the phases it needs', run: start.join('\n') }] : []),
        { name: `run ${phase.id}`, run: `${orc} run ${phase.id} --no-needs --run-id "${runId}"` },
        { name: 'hand the work on', run: `git push origin "orchestra/${runId}:refs/heads/${branch(phase.id)}"` },
      ],
    };
  }
  return jobs;
}
