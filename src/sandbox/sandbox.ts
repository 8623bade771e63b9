import { copyFileSync, existsSync, mkdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { AdapterName } from '../config/types.js';
import { bwrapArgs, containArgs, type Mount } from './bwrap-args.js';
import { prepareGitView } from './git-view.js';
import { cliState, packageCaches } from './state-dirs.js';

/** One agent start, as the runner knows it. */
export interface SandboxRequest {
  readonly argv: readonly string[];
  readonly workdir: string;
  /** The agent's environment on top of orchestra's: its HOME and TMPDIR decide what is made writable. */
  readonly env: Readonly<Record<string, string>>;
  readonly adapter?: AdapterName;
  /** Files the agent must be able to read even when the repository lies under the private /tmp (its prompt). */
  readonly readable: readonly string[];
  /** More folders this start may write (a setup's package caches), on top of the config's. */
  readonly writable?: readonly string[];
  /** An empty folder of orchestra's for this start's private git state; removed by `dispose`. */
  readonly scratch: string;
}

export interface Sandboxed {
  readonly argv: readonly string[];
  /** Removes the private git state, and any guarded CLI setting the agent created; returns those it removed. */
  dispose(): string[];
}

/** What the runner needs: a fake in tests, nothing at all with `sandbox: off`. */
export interface AgentSandbox {
  wrap(req: SandboxRequest): Sandboxed;
  /**
   * A command of the user's (a run's gate) in a PID namespace of its own and
   * nothing else: it sees and writes what it would outside, but what it
   * starts (a server left behind, a `setsid` escapee) ends with it, and with
   * orchestra. Optional: a fake sandbox need not contain.
   */
  contain?(argv: readonly string[]): readonly string[];
}

/**
 * Every agent process inside bubblewrap (see bwrap-args.ts for the shape).
 * `writable`: the config's extra folders (absolute), for tools an agent's
 * commands need to write outside its worktree.
 */
export class BwrapSandbox implements AgentSandbox {
  constructor(
    private readonly bin: string,
    private readonly writable: readonly string[],
    private readonly hostEnv: NodeJS.ProcessEnv = process.env,
  ) {}

  contain(argv: readonly string[]): readonly string[] {
    return [this.bin, ...containArgs(argv)];
  }

  wrap(req: SandboxRequest): Sandboxed {
    const env = { ...this.hostEnv, ...req.env };
    const view = prepareGitView(req.workdir, req.scratch);
    const state = cliState(req.adapter, env);
    const writable = state.writable.filter((e) => ensureEntry(e.path, e.kind));
    // Guarded settings that do not exist yet cannot be mounted over: they are looked for afterwards.
    const absent = [...state.guarded, ...state.copied].filter((g) => !existsSync(g));
    const copies = state.copied.filter((c) => existsSync(c)).map((c, i) => ({ src: copyInto(c, path.join(req.scratch, `state-${i}`)), dest: c }));
    // Under the private /tmp only what is mounted exists: the CLI's own folder (a `bin` or a PATH entry there), the files
    // its command line names (a script: with its folder, for what it imports), and its prompt. Never /tmp itself.
    const program = programDirs(req.argv[0], req.workdir, env['PATH']);
    const named = req.argv
      .slice(1)
      .filter((a) => path.isAbsolute(a) && underTmp(a) && existsSync(a))
      .map(withFolder);
    const visible = [...new Set([...program, ...named, ...req.readable])].filter((p) => underTmp(p) && p !== '/tmp' && existsSync(p));
    const tmpdir = env['TMPDIR'] ? path.resolve(env['TMPDIR']) : undefined;
    const mounts: Mount[] = [
      ...visible.map((p): Mount => ({ kind: 'ro', src: p, dest: p })),
      ...hostSockets().map((s): Mount => (s.dir ? { kind: 'tmpfs', dest: s.path } : { kind: 'ro', src: '/dev/null', dest: s.path })),
      ...view.mounts,
      ...writable.map((e): Mount => ({ kind: 'rw', src: e.path, dest: e.path })),
      ...state.guarded.filter((g) => existsSync(g)).map((g): Mount => ({ kind: 'ro', src: g, dest: g })),
      ...copies.map((c): Mount => ({ kind: 'rw', ...c })),
      ...[...packageCaches(env), ...this.writable, ...(req.writable ?? [])].filter((d) => existsSync(d)).map((d): Mount => ({ kind: 'rw', src: d, dest: d })),
      // A TMPDIR under /tmp is a fresh folder inside; one elsewhere would be shared with the host, so /tmp replaces it.
      ...(tmpdir && underTmp(tmpdir) ? [{ kind: 'tmpfs', dest: tmpdir } as const] : []),
    ];
    // The worktree's `.git` file says where its repository is; orchestra's git follows it after the agent, so it stays as orchestra made it.
    const dotGit = path.join(req.workdir, '.git');
    const within: Mount[] = existsSync(dotGit) ? [{ kind: 'ro', src: dotGit, dest: dotGit }] : [];
    const setEnv: Record<string, string> = tmpdir && !underTmp(tmpdir) ? { TMPDIR: '/tmp' } : {};
    const argv = [
      this.bin,
      ...bwrapArgs({ workdir: req.workdir, mounts, within, unset: HOST_AGENT_VARS, env: setEnv, asNobody: process.getuid?.() === 0 }, req.argv),
    ];
    return {
      argv,
      dispose: () => {
        rmSync(req.scratch, { recursive: true, force: true });
        const made = absent.filter((g) => existsSync(g));
        for (const g of made) rmSync(g, { recursive: true, force: true });
        return made;
      },
    };
  }
}

/** The host's agents and buses, reached through these: not the agent's to use (an ssh key, `systemd-run --user`, docker). */
const HOST_AGENT_VARS = ['SSH_AUTH_SOCK', 'DBUS_SESSION_BUS_ADDRESS', 'DOCKER_HOST', 'GPG_AGENT_INFO'];

/** Sockets on the host that let a process act outside any sandbox: hidden (a folder under a tmpfs, a socket under /dev/null). */
function hostSockets(): Array<{ path: string; dir: boolean }> {
  const uid = process.getuid?.();
  const candidates = [
    { path: '/run/docker.sock', dir: false },
    { path: '/run/containerd/containerd.sock', dir: false },
    { path: '/run/podman/podman.sock', dir: false },
    { path: '/run/dbus/system_bus_socket', dir: false },
    ...(uid !== undefined ? [{ path: `/run/user/${uid}`, dir: true }] : []),
  ];
  return candidates.filter((c) => existsSync(c.path));
}

function copyInto(file: string, to: string): string {
  mkdirSync(path.dirname(to), { recursive: true });
  copyFileSync(file, to);
  return to;
}

const underTmp = (p: string): boolean => p === '/tmp' || p.startsWith('/tmp/');

/** A file named on a command line, seen with its folder (a script's imports), unless that folder is /tmp itself. */
function withFolder(p: string): string {
  try {
    if (statSync(p).isDirectory()) return p;
  } catch {
    return p;
  }
  const dir = path.dirname(p);
  return dir === '/tmp' ? p : dir;
}

/** The folders of the program an agent starts: where its path or the first PATH entry that has it lies, and where a link there leads. */
function programDirs(program: string | undefined, cwd: string, pathVar: string | undefined): string[] {
  if (!program) return [];
  const found = program.includes('/')
    ? path.resolve(cwd, program)
    : (pathVar ?? '')
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.resolve(cwd, dir, program))
        .find((f) => existsSync(f));
  if (!found) return [];
  let real = found;
  try {
    real = realpathSync(found);
  } catch {
    // a dangling link: its own folder is all there is
  }
  return [...new Set([path.dirname(found), path.dirname(real)])];
}

/**
 * A CLI's state folder must exist to be mounted: made when missing (the CLI
 * would make it on first use anyway). A missing state file is left missing
 * and not mounted: an empty one would not parse.
 */
function ensureEntry(p: string, kind: 'dir' | 'file'): boolean {
  if (existsSync(p)) return true;
  if (kind === 'file') return false;
  try {
    mkdirSync(p, { recursive: true });
    return true;
  } catch {
    return false;
  }
}
