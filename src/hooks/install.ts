import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../util/write-atomic.js';

export const MARKER = '# orchestra-hook: written by `orchestra hooks install`; `orchestra hooks uninstall` removes it';

export interface HookPlan {
  readonly hook: string;
  readonly file: string;
  readonly action: 'write' | 'keep-foreign' | 'remove' | 'absent';
}

function git(args: string[], cwd: string): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Where git runs hooks from: core.hooksPath when set (husky sets it), else .git/hooks. */
export function hooksDir(cwd: string): { dir: string; top: string; husky: boolean } {
  const top = git(['rev-parse', '--show-toplevel'], cwd);
  const dir = path.resolve(cwd, git(['rev-parse', '--git-path', 'hooks'], cwd));
  // husky 9 points core.hooksPath at .husky/_, whose files it regenerates; user hooks live in .husky/.
  const husky = path.basename(dir) === '_' && path.basename(path.dirname(dir)) === '.husky';
  return { dir: husky ? path.dirname(dir) : dir, top, husky };
}

/**
 * The hook script. It prefers the repo's local install, falls back to the
 * orchestra that installed the hook, and runs from the config's folder.
 */
export function hookScript(hook: string, configDirFromTop: string, fallbackBin: string): string {
  const cd = configDirFromTop === '' ? '' : ` --cwd "${configDirFromTop}"`;
  return `#!/bin/sh
${MARKER}
[ "$ORCHESTRA_SKIP" = "1" ] && exit 0
top=$(git rev-parse --show-toplevel) || exit 1
cd "$top" || exit 1
if [ -x node_modules/.bin/orchestra ]; then
  exec node_modules/.bin/orchestra check --hook ${hook}${cd}
elif [ -f "${fallbackBin}" ]; then
  exec node "${fallbackBin}" check --hook ${hook}${cd}
fi
echo "orchestra: not installed in this repository (run npm install); ORCHESTRA_SKIP=1 skips the ${hook} gates" >&2
exit 1
`;
}

export function isOurs(file: string): boolean {
  return existsSync(file) && readFileSync(file, 'utf8').includes(MARKER);
}

export function installHooks(cwd: string, configRoot: string, hooks: readonly string[], fallbackBin: string, force: boolean): HookPlan[] {
  const { dir, top } = hooksDir(cwd);
  const rel = path.relative(top, configRoot).split(path.sep).join('/');
  const plans: HookPlan[] = hooks.map((hook) => {
    const file = path.join(dir, hook);
    const foreign = existsSync(file) && !isOurs(file);
    return { hook, file, action: foreign && !force ? 'keep-foreign' : 'write' };
  });
  if (plans.some((p) => p.action === 'keep-foreign')) return plans; // write nothing unless all can be written
  mkdirSync(dir, { recursive: true });
  for (const p of plans) {
    writeFileAtomic(p.file, hookScript(p.hook, rel, fallbackBin));
    chmodSync(p.file, 0o755);
  }
  return plans;
}

export function uninstallHooks(cwd: string, hooks: readonly string[]): HookPlan[] {
  const { dir } = hooksDir(cwd);
  return hooks.map((hook) => {
    const file = path.join(dir, hook);
    if (!existsSync(file)) return { hook, file, action: 'absent' };
    if (!isOurs(file)) return { hook, file, action: 'keep-foreign' };
    rmSync(file);
    return { hook, file, action: 'remove' };
  });
}
