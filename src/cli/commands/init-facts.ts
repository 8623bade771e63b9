import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ProjectFacts } from './init-plan.js';

const read = (file: string): string => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

const LOCKFILES: ReadonlyArray<[string, NonNullable<ProjectFacts['packageManager']>]> = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['bun.lockb', 'bun'],
  ['bun.lock', 'bun'],
  ['package-lock.json', 'npm'],
];

const SKIP = new Set(['node_modules', '.git', '.venv', 'venv', '.orchestra', 'dist', 'build', '__pycache__', '.tox']);
const IMPORTS_SQLALCHEMY = /^\s*(?:import|from)\s+sqlalchemy\b/m;

/** The first .py file (a bounded walk) that imports sqlalchemy, relative to `dir`. */
function sqlalchemyImporter(dir: string, budget = { files: 2000 }): string | undefined {
  const walk = (at: string): string | undefined => {
    let entries;
    try {
      entries = readdirSync(at, { withFileTypes: true });
    } catch {
      return undefined;
    }
    for (const e of entries) {
      if (budget.files-- <= 0) return undefined;
      const full = path.join(at, e.name);
      if (e.isDirectory() && !SKIP.has(e.name) && !e.name.startsWith('.')) {
        const hit = walk(full);
        if (hit) return hit;
      } else if (e.isFile() && e.name.endsWith('.py') && IMPORTS_SQLALCHEMY.test(read(full))) return path.relative(dir, full);
    }
    return undefined;
  };
  return walk(dir);
}

/** What `init` looks at in `dir`: package.json, lockfiles, Python and Go markers, other hook managers. */
export function projectFacts(dir: string): ProjectFacts {
  const at = (f: string) => path.join(dir, f);
  let scripts: Record<string, string> | undefined;
  if (existsSync(at('package.json'))) {
    try {
      scripts = (JSON.parse(read(at('package.json'))) as { scripts?: Record<string, string> }).scripts ?? {};
    } catch {
      scripts = {};
    }
  }
  const lock = LOCKFILES.find(([f]) => existsSync(at(f)));
  const requirements = existsSync(dir) ? readdirSync(dir).filter((f) => /^requirements.*\.txt$/.test(f)) : [];
  const pythonFile = ['pyproject.toml', 'setup.py', 'setup.cfg', ...requirements].find((f) => existsSync(at(f)));
  const deps = [pythonFile ?? '', ...requirements].map((f) => (f ? read(at(f)) : '')).join('\n');
  const sqlalchemy = pythonFile ? (sqlalchemyImporter(dir) ?? (/\bsqlalchemy\b/i.test(deps) ? pythonFile : undefined)) : undefined;
  const hookManagers = [
    existsSync(at('.husky')) ? 'husky (.husky/)' : undefined,
    ['lefthook.yml', '.lefthook.yml', 'lefthook.yaml'].find((f) => existsSync(at(f))),
    existsSync(at('.pre-commit-config.yaml')) ? 'pre-commit (.pre-commit-config.yaml)' : undefined,
  ].filter((m): m is string => m !== undefined);
  return {
    ...(scripts ? { scripts } : {}),
    ...(lock ? { lockfile: lock[0], packageManager: lock[1] } : {}),
    ...(pythonFile ? { python: pythonFile } : {}),
    ...(sqlalchemy ? { sqlalchemy } : {}),
    ruff: ['ruff.toml', '.ruff.toml'].some((f) => existsSync(at(f))) || /^\[tool\.ruff\b/m.test(read(at('pyproject.toml'))),
    pytest: ['tests', 'test', 'conftest.py', 'pytest.ini'].some((f) => existsSync(at(f))) || /\bpytest\b/.test(deps),
    go: existsSync(at('go.mod')),
    hookManagers,
  };
}
