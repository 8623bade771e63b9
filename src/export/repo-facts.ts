import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SEARCH_PLACES } from '../config/find.js';
import type { Config } from '../config/types.js';
import { orchestraPackage, orchestraVersion } from '../util/version.js';
import { shellWord, type PackageManager, type RepoFacts } from './github-actions.js';

const LOCKFILES: ReadonlyArray<[string, PackageManager]> = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['bun.lock', 'bun'],
  ['bun.lockb', 'bun'],
  ['yarn.lock', 'yarn'],
  ['package-lock.json', 'npm'],
  ['npm-shrinkwrap.json', 'npm'],
];

/** What a CI job needs to know about the repo to set it up as the repo says: its lockfile, its Node pin, how it gets orchestra. */
export function repoFacts(config: Config, top: string): RepoFacts {
  const dirs = [...new Set([config.root, top])];
  let packageManager: PackageManager = 'none';
  find: for (const dir of dirs) {
    for (const [file, pm] of LOCKFILES) {
      if (!existsSync(path.join(dir, file))) continue;
      // Yarn 2+ writes .yarnrc.yml and wants --immutable; yarn 1 knows only --frozen-lockfile.
      packageManager = pm === 'yarn' && !existsSync(path.join(dir, '.yarnrc.yml')) ? 'yarn-classic' : pm;
      break find;
    }
  }
  const nodeVersionFile = ['.nvmrc', '.node-version']
    .flatMap((f) => dirs.filter((d) => existsSync(path.join(d, f))).map((d) => path.relative(top, path.join(d, f))))
    .at(0);
  const configDir = path.relative(top, config.root).split(path.sep).join('/');
  const configArg = (SEARCH_PLACES as readonly string[]).includes(path.basename(config.file))
    ? undefined
    : path.relative(config.root, config.file).split(path.sep).join('/');
  return {
    packageManager,
    ...(nodeVersionFile ? { nodeVersionFile: nodeVersionFile.split(path.sep).join('/') } : {}),
    orchestra: orchestraCommand(config.root, packageManager),
    configDir,
    ...(configArg ? { configArg } : {}),
  };
}

/** The repo's own orchestra when it has one (a dependency, or orchestra's own bin); else a pinned download. */
function orchestraCommand(root: string, pm: PackageManager): string {
  let pkg: { name?: string; bin?: string | Record<string, string>; dependencies?: Record<string, string>; devDependencies?: Record<string, string> } = {};
  try {
    pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as typeof pkg;
  } catch {
    // no package.json: a pinned download below
  }
  const name = orchestraPackage();
  const ownBin = typeof pkg.bin === 'string' ? (pkg.name === name ? pkg.bin : undefined) : pkg.bin?.['orchestra'];
  if (ownBin) return `node ${shellWord(ownBin.replace(/^\.\//, ''))}`;
  if (pm !== 'none' && (pkg.dependencies?.[name] || pkg.devDependencies?.[name]))
    return pm === 'npm' ? 'npx orchestra' : `${pm === 'yarn-classic' ? 'yarn' : pm === 'bun' ? 'bunx' : pm} orchestra`;
  return `npx --yes ${name}@${orchestraVersion()}`;
}
