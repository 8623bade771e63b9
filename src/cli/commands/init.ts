import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { styleFor } from '../../logger/style.js';
import { writeFileAtomic } from '../../util/write-atomic.js';
import { EXIT } from '../exit-codes.js';

export const STARTER_CONFIG = `# yaml-language-server: $schema=./node_modules/orchestra-gates/schemas/orchestra.config.schema.json
# orchestra: gates that must hold, phases of work for agents, and the order between them.
extends: [hygiene]

gates:
  test:
    run: npm test
    inputs: ["src/**", "test/**", "package.json"]
    timeout: 10m

phases:
  - id: build
    tasks:
      - id: first-task
        agent: implementer
        prompt: Describe the change you want here.
        scope: { touch: ["src/**", "test/**"] }
    gates: [test, conflict-markers]
    fix: { agent: fix-executor, attempts: 3 }

hooks:
  pre-push: [test, conflict-markers]
`;

export const STARTER_TEAM = `{
  "$schema": "./node_modules/orchestra-gates/schemas/team.schema.json",
  "agents": [
    { "id": "claude", "use": "claude-code", "roles": ["implementer", "fix-executor"], "concurrency": 2 }
  ]
}
`;

export interface InitOptions {
  cwd: string;
  force: boolean;
}

export async function initCommand(opts: InitOptions): Promise<number> {
  const dir = path.resolve(opts.cwd);
  const out = styleFor(process.stdout);
  if (!existsSync(dir)) {
    process.stderr.write(`orchestra: error: --cwd: no such directory: ${dir}\n`);
    return EXIT.usage;
  }
  const files = [
    { file: path.join(dir, 'orchestra.config.yaml'), content: STARTER_CONFIG },
    { file: path.join(dir, 'team.json'), content: STARTER_TEAM },
  ];
  const existing = files.filter((f) => existsSync(f.file));
  if (existing.length > 0 && !opts.force) {
    for (const f of existing) process.stderr.write(`orchestra: error: ${path.basename(f.file)} already exists\n`);
    process.stderr.write('  nothing was written; use --force to overwrite\n');
    return EXIT.usage;
  }
  for (const f of files) {
    writeFileAtomic(f.file, f.content);
    process.stdout.write(`${out.green('wrote')} ${path.basename(f.file)}\n`);
  }
  const gitignore = path.join(dir, '.gitignore');
  const current = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : '';
  if (!current.split(/\r?\n/).some((line) => /^\/?\.orchestra\/?$/.test(line.trim()))) {
    const sep = current === '' || current.endsWith('\n') ? '' : '\n';
    writeFileAtomic(gitignore, `${current}${sep}.orchestra/\n`);
    process.stdout.write(`${out.green('added')} .orchestra/ to .gitignore\n`);
  }
  const pkgFile = path.join(dir, 'package.json');
  if (existsSync(pkgFile)) {
    const added = addCheckScript(pkgFile);
    if (added) process.stdout.write(`${out.green('added')} "check": "orchestra check" to package.json scripts\n`);
  }
  process.stdout.write("next: edit the prompt in orchestra.config.yaml, then run 'orchestra validate' and 'orchestra plan'\n");
  return EXIT.ok;
}

/** Adds `"check": "orchestra check"` unless a check script exists; keeps the file's indentation. */
function addCheckScript(file: string): boolean {
  const text = readFileSync(file, 'utf8');
  let pkg: { scripts?: Record<string, string> };
  try {
    pkg = JSON.parse(text) as typeof pkg;
  } catch {
    return false; // not ours to repair
  }
  if (pkg.scripts?.['check'] !== undefined) return false;
  pkg.scripts = { ...pkg.scripts, check: 'orchestra check' };
  const indent = /^(\s+)"/m.exec(text)?.[1] ?? '  ';
  writeFileAtomic(file, `${JSON.stringify(pkg, null, indent)}\n`);
  return true;
}
