import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeRepo, runCli, TEAM } from '../helpers/repo.js';

/**
 * A config of the plain subset (src/config/yaml-plain.ts) and a JSON team
 * file are read without loading the yaml package at all: it is the slowest
 * module to start. A module loader hook lists every module the CLI loads;
 * none may hold the yaml package's code (its YAMLParseError), and a config
 * with an anchor, which only yaml reads, shows that the listing would see it.
 */
function loadedModules(): { env: Record<string, string>; read: () => string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'orchestra-loaded-'));
  const log = path.join(dir, 'loaded.txt');
  writeFileSync(log, '');
  writeFileSync(
    path.join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, context); }\n`,
  );
  writeFileSync(path.join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`);
  return {
    env: { NODE_OPTIONS: `--import ${path.join(dir, 'register.mjs')}` },
    read: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((u) => u.startsWith('file:')),
  };
}

const holdsYaml = (urls: string[]): string[] => urls.filter((u) => readFileSync(fileURLToPath(u), 'utf8').includes('YAMLParseError'));

const PLAIN = `# gates for the project
gates:
  lint: { run: npm run lint, inputs: ["src/**"] }
  unit:
    run: [npm, test]
    needs: [lint] # after lint
    timeout: 5m
phases:
  - id: models
    tasks:
      - id: user-model
        agent: implementer
        prompt: Implement the User model.
        scope: { touch: ["app/models/**"] }
    gates: [unit]
`;

describe('the plain readers', () => {
  it('validate of a plain config and a JSON team never loads the yaml package; an anchor does', async () => {
    const plain = loadedModules();
    const r = await runCli(['validate', '--no-cache'], makeRepo({ 'orchestra.config.yaml': PLAIN, 'team.json': TEAM }), plain.env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const urls = plain.read();
    expect(urls.length).toBeGreaterThan(5);
    expect(holdsYaml(urls)).toEqual([]);

    const anchored = loadedModules();
    const withAnchor = PLAIN.replace('timeout: 5m', 'timeout: &t 5m');
    const a = await runCli(['validate', '--no-cache'], makeRepo({ 'orchestra.config.yaml': withAnchor, 'team.json': TEAM }), anchored.env);
    expect(a.code).toBe(0);
    expect(holdsYaml(anchored.read()).length).toBeGreaterThan(0);
  });
});
