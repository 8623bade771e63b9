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
"""

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import threading


def start(job, stdin, log):
    def popen(argv):
        return subprocess.Popen(
            argv,
            cwd=job["cwd"],
            env=job["env"],
            stdin=stdin,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )

    argv = job["argv"]
    try:
        return popen(argv)
    except OSError as e:
        if e.errno != errno.ENOEXEC:
            raise
    # An executable file with no #! line: Node (execvp, as a shell does) runs it with /bin/sh, so this does too.
    program = argv[0]
    if "/" not in program:
        program = shutil.which(program, path=job["env"].get("PATH", os.defpath)) or program
    return popen(["/bin/sh", program] + argv[1:])


def main():
    # A handler rather than SIG_IGN: an ignored signal would stay ignored in
    # every command, a handled one is back to its default at exec. Ctrl-C is
    # orchestra's to handle: it stops the commands and then closes stdin.
    signal.signal(signal.SIGINT, lambda *_: None)
    out = sys.stdout.buffer
    cond = threading.Condition()
    running = {}  # pid -> job id
    early = {}  # pid -> wait status, for a child reaped before it was registered

    def send(line):
        out.write(line.encode("utf-8", "surrogateescape") + b"\n")
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
        while True:
            with cond:
                while not running:
                    cond.wait()
            try:
                pid, status = os.waitpid(-1, 0)
            except ChildProcessError:
                continue
            with cond:
                job = running.pop(pid, None)
                if job is None:
                    early[pid] = status
                else:
                    ended(job, status)

    threading.Thread(target=reap, daemon=True).start()
    send("ready")
    for raw in sys.stdin.buffer:
        job = json.loads(raw)
        jid = job["id"]
        try:
            with open(job["out"], "ab") as log:
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
                send("e %d spawn %s %s" % (jid, job["argv"][0], code))
            continue
        except Exception as e:  # noqa: BLE001 (a name Python cannot pass to exec: the command fails, not the spawner)
            with cond:
                send("e %d spawn %s %s" % (jid, job["argv"][0], type(e).__name__))
            continue
        # The reaper thread owns waiting: a Popen whose returncode is unset
        # would wait for its pid itself when collected, and take the status.
        p.returncode = 0
        with cond:
            send("s %d %d" % (jid, p.pid))
            status = early.pop(p.pid, None)
            if status is None:
                running[p.pid] = jid
                cond.notify()
            else:
                ended(jid, status)
    os._exit(0)


main()
