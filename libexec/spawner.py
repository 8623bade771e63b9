"""orchestra's process spawner: starts commands on orchestra's behalf.

Forking a large Node process costs milliseconds per command, on Node's main
thread, waiting until the child has exec'd. This small process does it instead
(Python's subprocess uses vfork), so that hundreds of short gates start at the
rate make starts them. It only starts processes and reports how they ended;
orchestra still times them, stops them (by process group), and reads their logs.

Protocol: one JSON object per line on stdin, {"id", "argv", "cwd", "env", "out",
"in"}; on stdout one line per event: "s <id> <pid>" started, "e <id> <message>"
could not start, "x <id> <code or -> <signal name or ->" ended. "ready" first.
End of stdin ends this process (orchestra ended, even by kill -9); the commands it
started are not its to stop.

Every difference from Node's own spawn is a bug: the same program found on the
command's PATH, the same words for a start that fails, the same descriptors.
"""

import errno
import json
import os
import re
import select
import signal
import subprocess
import sys
import threading

SURROGATE = re.compile("[\ud800-\udfff]")


def clean(value):
    """Strings as Node passes them to exec: a lone surrogate (possible in JSON) becomes U+FFFD."""
    if isinstance(value, str):
        return SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    return value


def find(program, env, cwd):
    """The file execvp would run: the first executable file named so on the command's PATH, from its folder."""
    if "/" in program:
        return program
    for folder in os.get_exec_path(env):
        candidate = os.path.join(folder or ".", program)
        full = os.path.join(cwd, candidate)
        if os.path.isfile(full) and os.access(full, os.X_OK):
            return candidate
    return None


def start(job, stdin, log):
    argv, cwd, env = job["argv"], job["cwd"], job["env"]
    # Found here, so that a relative PATH folder is the command's, and a file with no #! line is the one run.
    found = find(argv[0], env, cwd) if argv and argv[0] else None

    def popen(args, executable):
        return subprocess.Popen(
            args,
            executable=executable,
            cwd=cwd,
            env=env,
            stdin=stdin,
            stdout=log,
            stderr=log,
            start_new_session=True,
            # As Node: what orchestra was given to pass on (a make jobserver's pipe) is passed on;
            # the spawner's own files are not inheritable.
            close_fds=False,
        )

    try:
        return popen(argv, found)
    except OSError as e:
        if e.errno != errno.ENOEXEC or found is None:
            raise
    # An executable file with no #! line: Node (execvp, as a shell does) runs it with /bin/sh, so this does too.
    return popen(["/bin/sh", found] + argv[1:], "/bin/sh")


def orchestra_gone(out_fd):
    """True when nobody reads our output any more: orchestra ended with this job still in the pipe."""
    poller = select.poll()
    poller.register(out_fd, select.POLLOUT)
    return any(ev & (select.POLLERR | select.POLLHUP) for _, ev in poller.poll(0))


def one_line(text):
    return text.replace("\r", " ").replace("\n", " ")


def main():
    # Handlers rather than SIG_IGN: an ignored signal would stay ignored in every
    # command, a handled one is back to its default at exec. A Ctrl-C or a kill of
    # orchestra's process group is orchestra's to handle: it stops the commands and
    # then closes our input, which is the one way this process ends.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(sig, lambda *_: None)
    # Every command names its folder; this process holds none (not the repository: it could not be removed).
    os.chdir("/")
    out = sys.stdout.buffer
    cond = threading.Condition()
    running = {}  # pid -> job id, for the commands started and not yet reaped

    def send(line):
        out.write(line.encode("utf-8", "replace") + b"\n")
        out.flush()

    def ended(job, status):
        if os.WIFSIGNALED(status):
            n = os.WTERMSIG(status)
            try:
                name = signal.Signals(n).name
            except ValueError:
                name = str(n)
            send("x %d - %s" % (job, name))
        else:
            send("x %d %d -" % (job, os.WEXITSTATUS(status)))

    def reap():
        # Looks at which child ended (WNOWAIT) before reaping it, and reaps only its
        # own: a waitpid(-1) would also reap the child of a start that failed (which
        # Popen reaps), and keep its status for a later command given the same pid.
        while True:
            with cond:
                while not running:
                    cond.wait()
            try:
                pid = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOWAIT).si_pid
            except ChildProcessError:
                continue
            with cond:
                job = running.pop(pid, None)
                if job is None:
                    # Popen's failed child, or one started but not yet registered: theirs in a moment.
                    cond.wait(0.002)
                    continue
            _, status = os.waitpid(pid, 0)
            with cond:
                ended(job, status)

    threading.Thread(target=reap, daemon=True).start()
    send("ready")
    for raw in sys.stdin.buffer:
        job = clean(json.loads(raw))
        jid = job["id"]
        program = one_line(str(job["argv"][0]) if job["argv"] else "")
        if orchestra_gone(out.fileno()):
            break
        try:
            with open(job["out"], "wb") as log:
                stdin = open(job["in"], "rb") if job.get("in") else subprocess.DEVNULL
                try:
                    p = start(job, stdin, log)
                finally:
                    if stdin is not subprocess.DEVNULL:
                        stdin.close()
        except OSError as e:
            # Node's words for it, which orchestra reads (ENOENT: not installed).
            code = errno.errorcode.get(e.errno or 0, "UNKNOWN")
            with cond:
                send("e %d spawn %s %s" % (jid, program, code))
            continue
        except Exception as e:  # noqa: BLE001 (a NUL Python cannot pass to exec: the command fails, not the spawner)
            with cond:
                send("e %d spawn %s %s" % (jid, program, one_line(str(e))))
            continue
        # The reaper thread owns waiting: a Popen whose returncode is unset
        # would wait for its pid itself when collected, and take the status.
        p.returncode = 0
        with cond:
            try:
                send("s %d %d" % (jid, p.pid))
            except BrokenPipeError:
                # orchestra ended while this started: it will never know the pid, so it cannot stop it.
                os.killpg(p.pid, signal.SIGKILL)
                break
            running[p.pid] = jid
            cond.notify()
    os._exit(0)


main()
