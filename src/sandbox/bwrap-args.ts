/**
 * What an agent's sandbox looks like, as plain data, and the bubblewrap
 * command line that builds it. Pure: the paths are decided elsewhere.
 *
 * The shape: the whole filesystem read-only (the user's working tree, the
 * repository's `.git`, `.orchestra/`, the other worktrees), a private `/tmp`,
 * fresh `/dev` and `/proc`, its own PID namespace that dies with orchestra,
 * and writable only: the agent's worktree, a private copy of the git state it
 * may change (see git-view.ts), the agent CLI's own state folders, and what
 * the config adds. The network is the host's: the agents need their APIs.
 */
export type Mount =
  | { readonly kind: 'ro' | 'rw'; readonly src: string; readonly dest: string }
  /** A fresh empty folder (an agent's TMPDIR), gone when the sandbox ends. */
  | { readonly kind: 'tmpfs'; readonly dest: string };

export interface SandboxPlan {
  /** The agent's working directory (its worktree): writable, and where it starts. */
  readonly workdir: string;
  /** Mounted in order after the read-only root and the private /tmp: later ones cover earlier ones. */
  readonly mounts: readonly Mount[];
  /** Mounted after the worktree, inside it: what stays read-only there (its `.git` file, which orchestra's own git follows). */
  readonly within: readonly Mount[];
  /** Variables removed from the agent's environment (sockets to the host's agents and buses). */
  readonly unset: readonly string[];
  /**
   * Started by root (a container, CI), the agent runs as nobody in a user
   * namespace of its own: as root it would keep capabilities, and a remount
   * would undo read-only. Dropping them all instead breaks a CLI's own
   * nested sandbox (Codex's), which needs to make a user namespace.
   */
  readonly asNobody: boolean;
  readonly env: Readonly<Record<string, string>>;
}

export function bwrapArgs(plan: SandboxPlan, argv: readonly string[]): string[] {
  const args = [
    // Nothing started inside outlives the agent: a new PID namespace ends with its first process, and that with orchestra.
    '--die-with-parent',
    '--unshare-pid',
    '--unshare-ipc',
    ...(plan.asNobody ? ['--unshare-user', '--uid', '65534', '--gid', '65534'] : []),
    '--cap-drop',
    'ALL',
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--tmpfs',
    '/tmp',
  ];
  const mount = (m: Mount): void => {
    if (m.kind === 'tmpfs') args.push('--tmpfs', m.dest);
    else args.push(m.kind === 'rw' ? '--bind' : '--ro-bind', m.src, m.dest);
  };
  plan.mounts.forEach(mount);
  args.push('--bind', plan.workdir, plan.workdir);
  plan.within.forEach(mount);
  for (const k of plan.unset) args.push('--unsetenv', k);
  for (const [k, v] of Object.entries(plan.env)) args.push('--setenv', k, v);
  args.push('--chdir', plan.workdir, '--', ...argv);
  return args;
}

/**
 * Only a PID namespace, for a gate: the host's filesystem as it is (devices
 * included), a /proc of the namespace's own, the working directory kept. The
 * namespace ends when its first process does, and that with orchestra.
 */
export function containArgs(argv: readonly string[]): string[] {
  return ['--die-with-parent', '--unshare-pid', '--dev-bind', '/', '/', '--proc', '/proc', '--', ...argv];
}
