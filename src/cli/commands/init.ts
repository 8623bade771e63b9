import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { styleFor } from '../../logger/style.js';
import { writeFileAtomic } from '../../util/write-atomic.js';
import { orchestraPackage } from '../../util/version.js';
import { EXIT } from '../exit-codes.js';
import { projectFacts } from './init-facts.js';
import { initPlan, renderConfig } from './init-plan.js';

export const starterTeam = (): string => `{
  "$schema": "./node_modules/${orchestraPackage()}/schemas/team.schema.json",
  "agents": [
    { "id": "claude", "use": "claude-code", "roles": ["implementer", "fix-executor"], "concurrency": 2 }
  ]
}
`;

export interface InitOptions {
  cwd: string;
  force: boolean;
  /** `--preset`: these presets instead of the detected ones. */
  presets?: readonly string[];
  /** False with `--no-import-hooks`: lefthook's and pre-commit's hooks are not made gates. */
  importHooks?: boolean;
}

/** A preset's pre-push list, read from its file (init only: no positions needed). */
async function presetPrePush(name: string): Promise<string[]> {
  const { parse } = await import('yaml');
  const { PRESETS_DIR } = await import('../../config/layers.js');
  const raw = parse(readFileSync(path.join(PRESETS_DIR, `${name}.yaml`), 'utf8')) as { hooks?: { 'pre-push'?: string[] } } | null;
  return raw?.hooks?.['pre-push'] ?? [];
}

export async function initCommand(opts: InitOptions): Promise<number> {
  const dir = path.resolve(opts.cwd);
  const out = styleFor(process.stdout);
  if (!existsSync(dir)) {
    process.stderr.write(`orchestra: error: --cwd: no such directory: ${dir}\n`);
    return EXIT.usage;
  }
  const { builtinPresetNames } = await import('../../config/layers.js');
  const known = builtinPresetNames();
  for (const p of opts.presets ?? []) {
    if (!known.includes(p)) {
      const { didYouMean } = await import('../../config/suggest.js');
      process.stderr.write(`orchestra: error: --preset: no builtin preset '${p}'\n  hint: ${didYouMean(p, known) ?? `builtin presets: ${known.join(', ')}`}\n`);
      return EXIT.usage;
    }
  }
  const facts = projectFacts(dir);
  const hooks = new Map<string, readonly string[]>();
  for (const p of known) hooks.set(p, await presetPrePush(p));
  const { readHookFiles } = await import('./init-hooks-import.js');
  const read = opts.importHooks === false ? { ok: true as const, imports: [] } : await readHookFiles(dir);
  if (!read.ok) {
    process.stderr.write(`orchestra: error: ${read.error}
  hint: fix the file, or run 'orchestra init --no-import-hooks' to leave its hooks out
`);
    return EXIT.usage;
  }
  const plan = initPlan(
    facts,
    (p) => hooks.get(p) ?? [],
    opts.presets?.length ? opts.presets : undefined,
    read.imports.flatMap((i) => i.gates),
  );
  const files = [
    { file: path.join(dir, 'orchestra.config.yaml'), content: renderConfig(plan, `./node_modules/${orchestraPackage()}/schemas/orchestra.config.schema.json`) },
    { file: path.join(dir, 'team.json'), content: starterTeam() },
  ];
  const existing = files.filter((f) => existsSync(f.file));
  if (existing.length > 0 && !opts.force) {
    for (const f of existing) process.stderr.write(`orchestra: error: ${path.basename(f.file)} already exists\n`);
    process.stderr.write('  nothing was written; use --force to overwrite\n');
    return EXIT.usage;
  }
  for (const line of plan.detected) process.stdout.write(`${out.cyan('detected')} ${line}\n`);
  for (const i of read.imports) {
    const made = plan.gates.filter((g) => g.from?.startsWith(`${i.file} `));
    if (made.length) process.stdout.write(`${out.cyan('imported')} from ${i.file} (left as it is): ${made.map((g) => `${g.name} (${g.run})`).join(', ')}\n`);
    for (const s of i.skipped) process.stdout.write(`${out.yellow('not imported')} ${s}\n`);
  }
  process.stdout.write(`${out.cyan('presets')} ${plan.presets.join(', ')}; pre-push runs ${plan.prePush.join(', ')}\n`);
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
