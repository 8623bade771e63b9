"""orchestra's process spawner: starts commands on orchestra's behalf.

Forking a large Node process costs milliseconds per command, on Node's main
thread, waiting until the child has exec'd. This small process does it instead
(Python's subprocess uses vfork), so that hundreds of short gates start at the
rate make starts them. It only starts processes and reports how they ended;
orchestra still times them, stops them (by process group), and reads their logs.

Protocol. In, on stdin: one job after another, each a run of NUL-terminated
fields (UTF-8, as Node encodes a string: a lone surrogate is already U+FFFD):
id, folder, log file (created here, off orchestra's thread), stdin file (empty: /dev/null), the number of arguments,
the arguments, the number of environment entries, the entries ("KEY=value").
Counts make an empty field unambiguous; orchestra never sends a field holding a
NUL (Node's spawn refuses one; orchestra spawns such a command itself). Out, on
stdout, one line per event: "s <id> <pid>" started, "e <id> <message>" could not
start, "o <id>" could not create its log file (nothing started), "x <id> <code or -> <signal
name or ->" ended. "ready" first. End of
stdin ends this process (orchestra ended, even by kill -9); the commands it
started are not its to stop.

One thread: a poll on stdin and on a pipe that SIGCHLD writes to
(signal.set_wakeup_fd), and bytes as they come (no JSON to decode, nothing to
clean): a reaper thread handing the GIL back and forth, and decoding each job's
environment, cost a quarter of this process's CPU per command.

Every difference from Node's own spawn is a bug: the same program found on the
command's PATH, the same words for a start that fails, the same descriptors.
"""

import errno
import fcntl
import os
import select
import signal
import stat
import subprocess


def find(program, env, cwd):
    """The file execvp would run: the first executable file named so on the command's PATH, from its folder."""
    if b"/" in program:
        return program
    path = env.get(b"PATH")
    for folder in (path if path is not None else os.defpath.encode()).split(b":"):
        candidate = os.path.join(folder or b".", program)
        full = os.path.join(cwd, candidate)
        if os.path.isfile(full) and os.access(full, os.X_OK):
            return candidate
    return None


def start(argv, cwd, env, stdin, log):
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
    return popen([b"/bin/sh", found] + argv[1:], b"/bin/sh")


def one_line(text):
    return text.replace("\r", " ").replace("\n", " ")


class Jobs:
    """Parses the jobs out of what stdin has sent so far."""

    def __init__(self):
        self.fields = []
        self.partial = b""

    def feed(self, data):
        parts = (self.partial + data).split(b"\0")
        self.partial = parts.pop()
        self.fields.extend(parts)

    def next(self):
        f = self.fields
        if len(f) < 6:
            return None
        argc = int(f[4])
        if len(f) < 6 + argc:
            return None
        envc = int(f[5 + argc])
        end = 6 + argc + envc
        if len(f) < end:
            return None
        job = {
            "id": int(f[0]),
            "cwd": f[1],
            "out": f[2],
            "in": f[3] or None,
            "argv": f[5 : 5 + argc],
            "env": dict(entry.partition(b"=")[::2] for entry in f[6 + argc : end]),
        }
        del f[:end]
        return job


def main():
    # Handlers rather than SIG_IGN: an ignored signal would stay ignored in every
    # command, a handled one is back to its default at exec. A Ctrl-C or a kill of
    # orchestra's process group is orchestra's to handle: it stops the commands and
    # then closes our input, which is the one way this process ends.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(sig, lambda *_: None)
    # A child's end wakes the poll below through this pipe (the handler only makes Python write to it).
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write, warn_on_full_buffer=False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    # Every command names its folder; this process holds none (not the repository: it could not be removed).
    os.chdir("/")
    running = {}  # pid -> job id, for the commands started and not yet reaped
    jobs = Jobs()

    def send(line):
        data = line.encode("utf-8", "replace") + b"\n"
        while data:
            data = data[os.write(1, data) :]

    def orchestra_gone():
        """True when nobody reads our output any more: orchestra ended with this job still in the pipe."""
        poller = select.poll()
        poller.register(1, select.POLLOUT)
        return any(ev & (select.POLLERR | select.POLLHUP) for _, ev in poller.poll(0))

    def reap():
        # Only its own, by pid: the child of a start that failed is reaped by Popen itself.
        for pid in list(running):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done == 0:
                continue
            job = running.pop(pid)
            if os.WIFSIGNALED(status):
                n = os.WTERMSIG(status)
                try:
                    name = signal.Signals(n).name
                except ValueError:
                    name = str(n)
                send("x %d - %s" % (job, name))
            else:
                send("x %d %d -" % (job, os.WEXITSTATUS(status)))

    def run(job):
        jid = job["id"]
        program = one_line(job["argv"][0].decode("utf-8", "replace") if job["argv"] else "")
        try:
            # As open(..., "wb") would (a descriptor, not a file object: less work per command), but never
            # blocking: a FIFO put where the log goes would hold this one thread, and every other command, forever.
            log = os.open(job["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC | os.O_NONBLOCK, 0o666)
            if not stat.S_ISREG(os.fstat(log).st_mode):
                os.close(log)
                raise OSError(errno.EINVAL, "not a regular file")
            fcntl.fcntl(log, fcntl.F_SETFL, fcntl.fcntl(log, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        except OSError:
            # orchestra opens it itself, for its own error (a log that cannot be written stops the run).
            send("o %d" % jid)
            return True
        try:
            try:
                stdin = open(job["in"], "rb") if job["in"] is not None else subprocess.DEVNULL
                try:
                    p = start(job["argv"], job["cwd"], job["env"], stdin, log)
                finally:
                    if stdin is not subprocess.DEVNULL:
                        stdin.close()
            finally:
                os.close(log)
        except OSError as e:
            # Node's words for it, which orchestra reads (ENOENT: not installed).
            send("e %d spawn %s %s" % (jid, program, errno.errorcode.get(e.errno or 0, "UNKNOWN")))
            return True
        except Exception as e:  # noqa: BLE001 (what exec cannot take, e.g. an env name Python refuses: the command fails, not the spawner)
            send("e %d spawn %s %s" % (jid, program, one_line(str(e))))
            return True
        # The loop below owns waiting: a Popen whose returncode is unset would
        # wait for its pid itself when collected, and take the status.
        p.returncode = 0
        pid = p.pid
        try:
            send("s %d %d" % (jid, pid))
        except BrokenPipeError:
            # orchestra ended while this started: it will never know the pid, so it cannot stop it.
            os.killpg(pid, signal.SIGKILL)
            return False
        running[pid] = jid
        return True

    poller = select.poll()
    poller.register(0, select.POLLIN)
    poller.register(wake_read, select.POLLIN)
    send("ready")
    while True:
        events = poller.poll()
        for fd, _ in events:
            if fd == wake_read:
                try:
                    while os.read(wake_read, 512):
                        pass
                except BlockingIOError:
                    pass
        # Ends first: a command that ended is told before the next starts, as make would see it.
        reap()
        if any(fd == 0 for fd, _ in events):
            data = os.read(0, 1 << 16)
            if not data:
                break
            jobs.feed(data)
            while True:
                job = jobs.next()
                if job is None:
                    break
                if orchestra_gone() or not run(job):
                    os._exit(0)
    os._exit(0)


main()
