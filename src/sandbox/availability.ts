import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { bwrapArgs } from './bwrap-args.js';

/**
 * Whether bubblewrap works on this machine, tried for real: installed is not
 * enough where unprivileged user namespaces are switched off. The answer says
 * why not and what fixes it, in one line each.
 */
export type Availability = { readonly ok: true; readonly bin: string } | { readonly ok: false; readonly reason: string; readonly fix: string };

/** The sandbox program: `bwrap` from PATH, or ORCHESTRA_BWRAP (a path; tests point it at one that is missing). */
export function bwrapBin(env: NodeJS.ProcessEnv = process.env): string {
  return env['ORCHESTRA_BWRAP'] || 'bwrap';
}

const USERNS = /uid map|user namespace|new namespace|Operation not permitted|Permission denied/i;

/** What a failed try says, in a user's terms. Pure, for the tests. */
export function explainFailure(bin: string, code: string | number | undefined, stderr: string): { reason: string; fix: string } {
  if (code === 'ENOENT')
    return {
      reason: `bubblewrap is not installed (${bin.includes('/') ? `no ${bin}` : `no '${bin}' on PATH`})`,
      fix: 'install it: apt-get install bubblewrap, dnf install bubblewrap, or pacman -S bubblewrap',
    };
  const said = stderr.trim().split('\n')[0] ?? '';
  if (USERNS.test(said))
    return {
      reason: `bubblewrap cannot create a user namespace here (${said})`,
      fix: 'allow unprivileged user namespaces: on Ubuntu 23.10+ sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0 (or an AppArmor profile for bwrap), elsewhere sudo sysctl kernel.unprivileged_userns_clone=1 and user.max_user_namespaces > 0; in a container, run it with --security-opt seccomp=unconfined or use sandbox: off',
    };
  return { reason: `bubblewrap failed to start a sandbox (${said || `exit ${String(code)}`})`, fix: "run 'bwrap --ro-bind / / true' to see why" };
}

let cached: Promise<Availability> | undefined;

/** Tried once per process: a run asks before its first agent, `doctor` for its report. */
export function sandboxAvailability(env: NodeJS.ProcessEnv = process.env): Promise<Availability> {
  cached ??= new Promise((resolve) => {
    const bin = bwrapBin(env);
    // What every agent's sandbox needs of the kernel (bwrap-args.ts), around `true`.
    const argv = bwrapArgs({ workdir: tmpdir(), mounts: [], within: [], unset: [], env: {}, asNobody: process.getuid?.() === 0 }, ['true']);
    execFile(bin, argv, { timeout: 10_000, env }, (err, _stdout, stderr) => {
      if (!err) return resolve({ ok: true, bin });
      const code = (err as NodeJS.ErrnoException).code;
      resolve({ ok: false, ...explainFailure(bin, code, String(stderr)) });
    });
  });
  return cached;
}
