import { describe, expect, it } from 'vitest';
import { githubWorkflow, type RepoFacts } from '../../src/export/github-actions.js';
import { compile } from '../../src/graph/compile.js';
import { configOf } from '../helpers/config.js';

const NPM: RepoFacts = { packageManager: 'npm', orchestra: 'npx orchestra', configDir: '' };
const OPTIONS = { phases: false, shards: {}, branches: ['main'] };

type Job = {
  name: string;
  needs?: string[];
  steps: Array<Record<string, unknown>>;
  strategy?: unknown;
  env?: Record<string, string>;
  if?: string;
  defaults?: unknown;
};

async function exported(yaml: string, repo: RepoFacts = NPM, options = OPTIONS, team?: string) {
  const config = await configOf(yaml, team ? { 'team.json': team } : {});
  const graph = compile(config).graph!;
  const { workflow, problems } = githubWorkflow(config, graph, repo, options);
  return { jobs: workflow['jobs'] as Record<string, Job>, workflow, problems };
}

const runs = (job: Job) => job.steps.flatMap((s) => (typeof s['run'] === 'string' ? [s['run'] as string] : []));
const uses = (job: Job) => job.steps.flatMap((s) => (typeof s['uses'] === 'string' ? [s['uses'] as string] : []));

describe('export github-actions', () => {
  it('one job per top-level gate, needs: as in the graph, each checking its own gate; cache steps only where orchestra caches', async () => {
    const { jobs } = await exported(`extends: [hygiene]
gates:
  build:
    run: echo build
    inputs: ["src/**"]
  test:
    run: echo test
    inputs: ["src/**"]
    needs: [build]
  e2e:
    run: echo e2e
    needs: [test]
  off:
    run: "false"
    enabled: false
`);
    expect(Object.keys(jobs).sort()).toEqual(['gate-build', 'gate-conflict-markers', 'gate-e2e', 'gate-no-placeholder', 'gate-no-todo', 'gate-test']);
    expect(jobs['gate-test']!.needs).toEqual(['gate-build']);
    expect(jobs['gate-e2e']!.needs).toEqual(['gate-test']);
    expect(jobs['gate-build']!.needs).toBeUndefined();
    expect(runs(jobs['gate-test']!).at(-1)).toBe('npx orchestra check test --no-needs --reporter github');
    // test has inputs, so a key; e2e has none, so no cache step at all.
    expect(uses(jobs['gate-test']!)).toContain('actions/cache@v4');
    expect(runs(jobs['gate-test']!)).toContain(`echo "key=$(npx orchestra check test --no-needs --fingerprint | cut -d' ' -f1)" >> "$GITHUB_OUTPUT"`);
    expect(uses(jobs['gate-e2e']!)).not.toContain('actions/cache@v4');
    expect(uses(jobs['gate-no-todo']!)).toContain('actions/cache@v4');
  });

  it('sets Node and dependencies up the way the lockfile says', async () => {
    const yaml = 'gates:\n  lint:\n    run: echo lint\n';
    const setup = async (repo: Partial<RepoFacts>) => {
      const { jobs } = await exported(yaml, { ...NPM, ...repo });
      return {
        runs: runs(jobs['gate-lint']!),
        uses: uses(jobs['gate-lint']!),
        node: jobs['gate-lint']!.steps.find((s) => s['uses'] === 'actions/setup-node@v4')?.['with'],
      };
    };
    expect(await setup({})).toMatchObject({
      runs: ['npm ci', 'npx orchestra check lint --no-needs --reporter github'],
      node: { 'node-version': '20', cache: 'npm' },
    });
    expect(await setup({ packageManager: 'pnpm', orchestra: 'pnpm orchestra', nodeVersionFile: '.nvmrc' })).toMatchObject({
      uses: ['actions/checkout@v4', 'pnpm/action-setup@v4', 'actions/setup-node@v4'],
      runs: ['pnpm install --frozen-lockfile', 'pnpm orchestra check lint --no-needs --reporter github'],
      node: { 'node-version-file': '.nvmrc', cache: 'pnpm' },
    });
    expect((await setup({ packageManager: 'yarn' })).runs.slice(0, 2)).toEqual(['corepack enable', 'yarn install --immutable']);
    expect((await setup({ packageManager: 'yarn-classic' })).runs[0]).toBe('yarn install --frozen-lockfile');
    expect((await setup({ packageManager: 'bun' })).runs[0]).toBe('bun install --frozen-lockfile');
    expect((await setup({ packageManager: 'none', orchestra: 'npx --yes orchestra@1.2.3' })).runs).toEqual([
      'npx --yes orchestra@1.2.3 check lint --no-needs --reporter github',
    ]);
    const sub = await exported(yaml, { ...NPM, configDir: 'services/api', configArg: 'ci/orchestra.yaml' });
    expect(sub.jobs['gate-lint']!.defaults).toEqual({ run: { 'working-directory': 'services/api' } });
    expect(runs(sub.jobs['gate-lint']!).at(-1)).toBe('npx orchestra --config ci/orchestra.yaml check lint --no-needs --reporter github');
    // A path is one shell word however it is spelled.
    const spaced = await exported(yaml, { ...NPM, configArg: "ci/my team's.yaml" });
    expect(runs(spaced.jobs['gate-lint']!).at(-1)).toBe(`npx orchestra --config 'ci/my team'\\''s.yaml' check lint --no-needs --reporter github`);
  });

  it('fans a rule gate out as a matrix of shards, and refuses to shard what cannot be split', async () => {
    const yaml = 'extends: [hygiene]\ngates:\n  lint:\n    run: echo lint\n';
    const { jobs } = await exported(yaml, NPM, { ...OPTIONS, shards: { 'no-todo': 4 } });
    const job = jobs['gate-no-todo']!;
    expect(job.strategy).toEqual({ 'fail-fast': false, matrix: { shard: [1, 2, 3, 4] } });
    expect(job.name).toBe('no-todo (${{ matrix.shard }}/4)');
    expect(runs(job).at(-1)).toBe('npx orchestra check no-todo --no-needs --shard ${{ matrix.shard }}/4 --reporter github');
    expect(runs(job)[1]).toContain('--shard ${{ matrix.shard }}/4 --fingerprint');
    expect((await exported(yaml, NPM, { ...OPTIONS, shards: { lint: 2, nope: 2 } })).problems).toEqual([
      "--shard lint=2: gate 'lint' runs a command; only a rule gate's files can be split",
      "--shard nope=2: no top-level gate 'nope'",
    ]);
  });

  it('--phases: a job per phase, by hand only, chained through the branches each pushes, with its agents installed and their secrets', async () => {
    const { jobs, workflow } = await exported(
      `gates:
  t:
    run: echo t
phases:
  - id: models
    tasks: [{ id: m, agent: coder, prompt: x }]
  - id: api
    tasks: [{ id: a, agent: coder, prompt: x }]
  - id: ui
    needs: [models]
    tasks: [{ id: u, agent: coder, prompt: x }]
  - id: ship
    needs: [api, ui]
    tasks: [{ id: s, agent: coder, prompt: x }]
`,
      NPM,
      { ...OPTIONS, phases: true },
      JSON.stringify({ agents: [{ id: 'coder', use: 'claude-code', roles: ['implementer'] }] }),
    );
    expect(Object.keys(workflow['on'] as object)).toEqual(['push', 'pull_request', 'workflow_dispatch']);
    expect(jobs['phase-api']!.needs).toEqual(['phase-models']);
    expect(jobs['phase-ship']!.needs).toEqual(['phase-api', 'phase-ui']);
    expect(jobs['phase-models']!.needs).toBeUndefined();
    const ship = jobs['phase-ship']!;
    expect(ship.if).toBe("github.event_name == 'workflow_dispatch'");
    expect(ship.env).toEqual({ ANTHROPIC_API_KEY: '${{ secrets.ANTHROPIC_API_KEY }}' });
    expect(runs(ship)).toContain('npm install -g @anthropic-ai/claude-code');
    const start = runs(ship).find((r) => r.startsWith('git fetch'))!;
    expect(start).toContain('git checkout -B orchestra-ci "origin/orchestra/ci-${{ github.run_id }}/api"');
    expect(start).toContain('git merge --no-edit "origin/orchestra/ci-${{ github.run_id }}/ui"');
    expect(runs(ship)).toContain('npx orchestra run ship --no-needs --run-id "ci-${{ github.run_id }}-ship"');
    expect(runs(ship).at(-1)).toBe('git push origin "orchestra/ci-${{ github.run_id }}-ship:refs/heads/orchestra/ci-${{ github.run_id }}/ship"');
    expect(runs(jobs['phase-models']!).some((r) => r.startsWith('git fetch'))).toBe(false);
  });
});
