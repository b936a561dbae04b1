#!/usr/bin/env python3
"""tests/faults/faults.py RUNT [CMD[:PART]...]: runt under injected faults and SIGKILL.

For each command (`runt run`, `run --bundle`, create, start, exec, `delete --force`; each on a
container of its own, with the payload below as the container's program):
- one clean run under `strace -f` lists the system calls runt makes, and how often each of its
  processes makes each one;
- inject: for every such system call S and N = 1, 2, ... until a run is unaffected, one run under
  `strace -f -e inject=S:error=ERRNO:when=N`: the Nth call of S fails with ERRNO (ENOMEM for memory
  calls, else EIO; the calls runt falls back from on older kernels once more with ENOSYS).
  strace counts per process, so the Nth call fails in each runt process that gets that far
  (runt itself, and the container's init or exec child until it execs the payload);
- kill: SIGKILL of runt itself on entering its Kth system call (`strace -e inject=S:signal=SIGKILL`,
  runt's process only), for every K: each moment at which anything runt does can be cut short,
  the same ones in every run of the stage (FAULTS_KILLS=N: N of them, one drawn from each of N
  equal slices of runt's calls, seeded by FAULTS_SEED);
- timer: SIGKILL of runt at a random time within a plain run's duration (no strace; TIMERS per
  command): the real thing, whose moment no one chooses.
After each try: the command's result is checked (did it do what it says?), the recovery command
runs (`runt delete --force ID` for a container from a bundle; for `runt run`, the next `runt
run` with the same --root, which takes back the records and cgroups of runts that were killed),
then what is left is looked for: the container's cgroup on every hierarchy, its state dir (for
`runt run`, its record), mounts under the try's directory, processes (runt's and the container's, marked by
FAULTS_MARK in their environment; for exec, any but the container's init), and fds (runt is
started with a host file open on one more fd, not close-on-exec; the payload reports any fd
above 2 it was given). Each try is clean, or has one or more of these problems:
  debris     something is left after the recovery command (or the recovery command failed)
  false-ok   runt said it succeeded but did not do what it says: the payload did not run,
             create's container is not created or cannot be started, start's is not running,
             delete left the container (checked before the recovery command)
  bad-error  runt failed without exactly one `runt: ...` line on stderr (warnings aside)
  hang       runt did not end within T seconds
  crash      a runt process died of a signal nobody sent it (SIGSEGV, SIGABRT, ...), or runt
             panicked (its panic handler prints `runt: internal error` and exits 125)
Not injected: exit, exit_group and the calls that cannot fail (the id getters, umask,
set_tid_address, brk, whose failure is its old value), and close (the kernel frees the fd
whatever close returns; an injected error keeps it open: a state that cannot happen).

Each try is named by its fault and where it landed: `openat:99 openat "/proc/<pid>/stat"` (the
99th openat of a process, which opened /proc/PID/stat), `kill@12 mkdirat ...` (runt killed on
entering its 12th call).

Output: one line per problem (KNOWN when EXPECTED names it, FAIL if not), the table of tries per
command and kind, every EXPECTED entry with the number of tries it matched, the stage's time,
then `N passed, N failed` (tries without an unexpected problem; failed: those with one, plus
each EXPECTED entry no inject or kill try matched: fixed, so take it off the list). Timer kills
are judged by the list too, but an entry is not required to match one (their moments vary).

CMD[:PART] arguments run only those parts: a command (`create`), one of its system calls
(`create:openat`), or `CMD:kill` / `CMD:timer`; the EXPECTED entries are then not required.
Environment: FAULTS_KILLS (kill moments per command, default all), FAULTS_SEED (which ones, and
the timer kills' times; default 1), FAULTS_TIMERS (default 10), FAULTS_WORKERS (tries at a time,
default 3).
"""
import concurrent.futures
import fnmatch
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
S = os.path.join(TOP, ".cache", "faults")  # scratch root, deleted afterwards
LOGS = os.path.join(TOP, ".cache", "faults-logs")  # strace logs of the tries that hung or crashed
# The OCI containers' cgroups are CGP/RUN/ID (linux.cgroupsPath), RUN this run's pid: a run of
# the stage in another checkout removes only its own.
CGP = "runt-faults-test"
RUN = str(os.getpid())
PREFIX = "faults-"  # container ids; `runt run`'s cgroups are runt/faults-*
T = 10  # seconds one runt command may take: past it, a hang (delete waits up to 5 s by design)
BUDGET = 420  # seconds for all tries: past it, the rest are not run (and the stage fails)
KILLS = int(os.environ.get("FAULTS_KILLS", "0"))  # 0: every call
TIMERS = int(os.environ.get("FAULTS_TIMERS", "10"))
WORKERS = int(os.environ.get("FAULTS_WORKERS", "3"))
SEED = int(os.environ.get("FAULTS_SEED", "1"))
COMMANDS = ["run", "bundle", "create", "start", "exec", "delete"]
NEVER = {"exit", "exit_group", "getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid",
         "getpgrp", "umask", "set_tid_address", "rt_sigreturn", "sched_yield", "brk", "close"}
ENOMEM = {"mmap", "mremap", "mprotect", "munmap", "clone", "clone3", "fork", "vfork", "memfd_create", "unshare"}
# The calls runt falls back from when the kernel lacks them (ENOSYS): also tried with that errno.
FALLBACKS = {"close_range", "clone3", "openat2", "keyctl"}
PANIC = "runt: internal error"  # what runt's panic handler prints
CRASH_SIGNALS = {"SIGSEGV", "SIGABRT", "SIGILL", "SIGBUS", "SIGFPE", "SIGTRAP", "SIGSYS"}
PROBLEMS = ["debris", "false-ok", "bad-error", "hang", "crash"]

# --- what runt gets wrong today ----------------------------------------------------------------------
# (command, fault, problem, class, what is left or wrong, the issue-14 item that fixes it).
# A fault is `SYSCALL:N SITE` (inject; SITE: the call's paths and strings, see site(), so that an
# entry does not depend on how many calls runt makes before it), `kill@K SITE` or `timer@...`;
# class is what a problem line shows before its detail (for debris the kinds left,
# `cgroup+state`). The first four are regular expressions, matched whole. A problem no entry
# matches fails the stage; so does an entry that no inject or kill try matches (it is fixed:
# take it off). Measured on a cgroup v1 hybrid host.
KILLED = r"(kill|timer)@.*"
EXPECTED = []


def log(*a):
    print(*a, flush=True)


# --- the host: cgroups, mounts, processes ------------------------------------------------------------
def hierarchies():
    """Every cgroup hierarchy's root directory, each once (cpu -> cpu,cpuacct is one)."""
    base = "/sys/fs/cgroup"
    if os.path.exists(os.path.join(base, "cgroup.controllers")):
        return [base]
    seen, out = set(), []
    for name in sorted(os.listdir(base)):
        d = os.path.realpath(os.path.join(base, name))
        if d not in seen and os.path.isdir(d) and os.path.ismount(d):
            seen.add(d)
            out.append(d)
    return out


HIERARCHIES = hierarchies()


def cgroups_of(rel):
    return [os.path.join(h, rel) for h in HIERARCHIES if os.path.isdir(os.path.join(h, rel))]


def mounts_under(path):
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            mp = line.split()[4].replace("\\040", " ")
            if mp == path or mp.startswith(path + "/"):
                out.append(mp)
    return out


def marked(mark):
    """Pids whose environment holds FAULTS_MARK=mark (runt's processes and the container's)."""
    want = ("FAULTS_MARK=" + mark).encode()
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open("/proc/%s/environ" % p, "rb") as f:
                    if want in f.read().split(b"\0"):
                        out.append(int(p))
            except OSError:
                pass
    return out


def describe(pid):
    """`PID NAME STATE`, as /proc/PID/stat says."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
        return "%d %s %s" % (pid, s[s.index("(") + 1:s.rindex(")")], s[s.rindex(")") + 2])
    except OSError:
        return str(pid)


def reap_cgroup(d):
    """Kill what is in cgroup dir d (and below) and remove it, deepest first."""
    for _ in range(100):
        for root, _dirs, files in os.walk(d):
            if "cgroup.procs" in files:
                try:
                    with open(os.path.join(root, "cgroup.procs")) as f:
                        for p in f.read().split():
                            os.kill(int(p), signal.SIGKILL)
                except OSError:
                    pass
        try:  # a frozen v1 cgroup keeps its killed processes until thawed
            with open(os.path.join(d, "freezer.state"), "w") as f:
                f.write("THAWED")
        except OSError:
            pass
        for root, _dirs, _files in sorted(os.walk(d), key=lambda w: -len(w[0])):
            try:
                os.rmdir(root)
            except OSError:
                pass
        if not os.path.exists(d):
            return
        time.sleep(0.02)


# --- strace's log --------------------------------------------------------------------------------------
LINE = re.compile(r"^(\d+) +(.*)$")
CALL = re.compile(r"^([a-z0-9_]+)\(")
RESUMED = re.compile(r"^<\.\.\. ([a-z0-9_]+) resumed>")
KILLED = re.compile(r"^\+\+\+ killed by (SIG[A-Z0-9]+)")
EXITED = re.compile(r"^\+\+\+ exited with (\d+) \+\+\+")


class Trace:
    """What one `strace -f -o LOG` says: per process, the calls it made before it ran the
    payload; which injections landed in runt's code; how each process ended."""

    def __init__(self, path, follow=True):
        self.first = None  # strace's launcher, which execs runt: runt's own process
        self.counts = {}  # pid -> {syscall: calls}
        self.calls = []  # runt's own process, each call it made: (syscall, its count so far, text)
        self.hits_runt = []  # the text of each injected call made by runt's code
        self.hits_other = []  # by strace's launcher (runt's first execve) or the payload
        self.ends = {}  # pid -> "exited N" / "killed SIGNAME"
        image = {}  # pid -> "pre" (the launcher), "runt", "payload"
        pending = {}  # pid -> (image, text) of a call whose result comes on a later line
        try:
            with open(path, errors="replace") as f:
                lines = f.read().splitlines()
        except OSError:
            lines = []
        for raw in lines:
            m = LINE.match(raw) if follow else None
            if follow and not m:
                continue
            # without -f, strace traces runt's process only and does not show its pid
            pid, rest = (int(m.group(1)), m.group(2)) if m else (1, raw)
            self.first = self.first or pid
            img = image.setdefault(pid, "pre" if pid == self.first else "runt")
            k, e = KILLED.match(rest), EXITED.match(rest)
            if k or e:
                self.ends[pid] = "killed " + k.group(1) if k else "exited " + e.group(1)
                continue
            r = RESUMED.match(rest)
            if r:
                name = r.group(1)
                img, start = pending.pop(pid, (img, ""))
                # the call as one line: its start without `<unfinished ...>`, its end without
                # `<... NAME resumed>`
                full = start.replace(" <unfinished ...>", "") + rest[r.end():]
            else:
                c = CALL.match(rest)
                if not c:
                    continue
                name, full = c.group(1), rest
                if img != "payload":
                    per = self.counts.setdefault(pid, {})
                    per[name] = per.get(name, 0) + 1
                    if pid == self.first and img == "runt":
                        self.calls.append((name, per[name], rest))
                if rest.endswith("<unfinished ...>"):
                    pending[pid] = (img, rest)  # judged by the image it was made in
                    continue
            if full.endswith("(INJECTED)"):
                (self.hits_runt if img == "runt" else self.hits_other).append(full)
            if name in ("execve", "execveat") and re.search(r"\) += 0$", full):
                # runt's start (by the launcher) and its re-exec from the sealed memfd keep runt's
                # argv; after an exec of the payload, the process is the container's program
                argv0 = re.search(r'\["([^"]*)"', full)
                image[pid] = "payload" if argv0 and argv0.group(1) == "/payload" else "runt"

    def max_counts(self):
        """syscall -> the most calls of it any one process made (what when=N can reach)."""
        out = {}
        for per in self.counts.values():
            for name, n in per.items():
                out[name] = max(out.get(name, 0), n)
        return out

    def crashes(self):
        return [(p, e.split()[1]) for p, e in self.ends.items()
                if e.startswith("killed ") and e.split()[1] in CRASH_SIGNALS]

    def status(self):
        """runt's exit status as the shell would see it, or None when strace saw no end."""
        end = self.ends.get(self.first, "")
        if end.startswith("exited "):
            return int(end.split()[1])
        if end.startswith("killed "):
            return 128 + int(getattr(signal, end.split()[1], 0))
        return None


def site(call, t):
    """Where a call is, in words that stay when runt's code changes around it: its name, then its
    paths and strings (fds as strace -y shows them) with the try's own names replaced, as
    `openat "/proc/<pid>/stat"` or `unlinkat </sys/fs/cgroup/pids/runt> "<id>"`."""
    c = CALL.match(call)
    if not c:
        return "?"
    args = call[c.end():].replace(" <unfinished ...>", "").rsplit(" = ", 1)[0]  # not its result
    words = [(a and "<%s>" % a) or '"%s"' % b for a, b in re.findall(r'\d+<([^>]*)>|"((?:[^"\\]|\\.)*)"', args)]
    text = " ".join([c.group(1)] + words)
    for mine, word in ((t.dir, "<dir>"), (t.id, "<id>")):
        text = text.replace(mine, word)
    text = re.sub(r"/proc/\d+/", "/proc/<pid>/", text.replace("/%s/%s" % (CGP, RUN), "/%s/<run>" % CGP))
    return re.sub(r"(pipe|socket|anon_inode:\[?[a-z_]*\]?):\[?\d+\]?", r"\1", text)[:160]


# --- one container's try -------------------------------------------------------------------------------
class Runt:
    """The runt under test and what every try shares."""

    def __init__(self, path, payload, template):
        self.path, self.payload, self.template = path, payload, template
        self.lock = threading.Lock()
        self.n = 0
        self.deadline = time.time() + BUDGET

    def new_id(self):
        with self.lock:
            self.n += 1
            return "%s%d-%d" % (PREFIX, os.getpid(), self.n)


class Try:
    """One container: its directory (rootfs with the payload, config.json, state root), the
    command under test, and the checks."""

    def __init__(self, rt, cmd):
        self.rt, self.cmd = rt, cmd
        self.id = rt.new_id()
        self.dir = os.path.join(S, self.id)
        self.rootfs = os.path.join(self.dir, "rootfs")
        self.root = os.path.join(self.dir, "state")
        self.init = None  # the container's init, for exec
        for d in ("proc", "dev", "sys", "tmp"):
            os.makedirs(os.path.join(self.rootfs, d))
        shutil.copy(rt.payload, os.path.join(self.rootfs, "payload"))
        os.makedirs(self.root)
        self.env = dict(os.environ, FAULTS_MARK=self.id)
        if cmd != "run":
            cfg = json.loads(json.dumps(rt.template))
            cfg["root"] = {"path": self.rootfs, "readonly": False}
            cfg["process"]["terminal"] = False
            wait = ["wait"] if cmd in ("create", "start", "exec", "delete") else []
            cfg["process"]["args"] = ["/payload", "/ran"] + wait
            cfg["process"]["env"] = list(cfg["process"].get("env", [])) + ["FAULTS_MARK=" + self.id]
            cfg["linux"]["cgroupsPath"] = "/%s/%s/%s" % (CGP, RUN, self.id)
            with open(os.path.join(self.dir, "config.json"), "w") as f:
                json.dump(cfg, f)

    def cgroup(self):
        return "runt/" + self.id if self.cmd == "run" else "%s/%s/%s" % (CGP, RUN, self.id)

    def argv(self):
        r, i = self.rt.path, self.id
        oci = [r, "--root", self.root]
        return {
            "run": oci + ["run", "--rootfs", self.rootfs, "--name", i, "--pids-limit", "64", "-m", "64m",
                    "-e", "FAULTS_MARK=" + i, "/payload", "/ran"],
            "bundle": oci + ["run", "--bundle", self.dir, i],
            "create": oci + ["create", "--bundle", self.dir, i],
            "start": oci + ["start", i],
            "exec": oci + ["exec", i, "/payload", "/ran-exec"],
            "delete": oci + ["delete", "--force", i],
        }[self.cmd]

    def spawn(self, argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
        """Starts argv with the try's environment, stdin /dev/null, and one more descriptor, not
        close-on-exec, on a file of the host's (as an engine may leak one): no container process
        may get it (runt closes what it was not asked to pass on; the payload tells)."""
        with open(os.path.join(self.dir, "host-file"), "w") as host:
            return subprocess.Popen(argv, env=self.env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                                    pass_fds=(host.fileno(),))

    def plain(self, argv):
        """argv, no faults: (rc or None for a hang, stdout, stderr). Output goes to files, not
        pipes: a created container keeps runt's stdout and stderr."""
        with open(os.path.join(self.dir, "out"), "w+b") as out, open(os.path.join(self.dir, "err"), "w+b") as err:
            p = self.spawn(argv, out, err)
            try:
                rc = p.wait(timeout=T)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                rc = None
            out.seek(0)
            err.seek(0)
            return rc, out.read().decode(errors="replace"), err.read().decode(errors="replace")

    def oci(self, *args):
        return self.plain([self.rt.path, "--root", self.root] + list(args))

    def marker(self, name, wait=0.0):
        """Whether the payload made /NAME, or /NAME.fd-leak (within `wait` seconds): it ran."""
        path = os.path.join(self.rootfs, name)
        end = time.time() + wait
        while not os.path.exists(path) and not os.path.exists(path + ".fd-leak"):
            if time.time() >= end:
                return False
            time.sleep(0.01)
        return True

    def state(self):
        rc, out, _ = self.oci("state", self.id)
        try:
            return json.loads(out) if rc == 0 else None
        except ValueError:
            return None

    def setup(self):
        """What the command needs first: a created container, or a running one. None, or why not."""
        if self.cmd in ("start", "exec", "delete"):
            rc, _, err = self.oci("create", "--bundle", self.dir, self.id)
            if rc != 0:
                return "setup: create: exit %s: %s" % (rc, err.strip())
        if self.cmd in ("exec", "delete"):
            rc, _, err = self.oci("start", self.id)
            if rc != 0:
                return "setup: start: exit %s: %s" % (rc, err.strip())
            if not self.marker("ran", 3):
                return "setup: the container did not run"
            self.init = (self.state() or {}).get("pid")
        return None

    def missing(self, rc):
        """What the command did not do although rc says it did: None, or (class, detail)."""
        if self.cmd in ("run", "bundle", "exec"):
            name = "ran-exec" if self.cmd == "exec" else "ran"
            if rc == 42 and not self.marker(name):
                return "no-run", "exit 42 but the payload did not run"
            return None if rc == 42 else ("exit", "exit %s, not the payload's 42" % rc)
        if rc != 0:
            return "exit", "exit %s" % rc
        if self.cmd == "create":
            st = self.state()
            if not st or st.get("status") != "created":
                return "not-created", "create exited 0; then state says %s" % (st and st.get("status"))
            rc, _, err = self.oci("start", self.id)
            if rc != 0:
                return "not-startable", "create exited 0; then start failed: %s" % err.strip()
            if not self.marker("ran", 2):
                return "no-run", "create and start exited 0 but the payload did not run"
        elif self.cmd == "start":
            if not self.marker("ran", 2):
                return "no-run", "start exited 0 but the payload did not run"
            st = self.state()
            if not st or st.get("status") != "running":
                return "not-running", "start exited 0; then state says %s" % (st and st.get("status"))
        elif self.cmd == "delete":
            left = self.leftovers()
            if left:
                return "left-" + kinds(left), "delete exited 0 but left: " + "; ".join(d for _, d in left)
        return None

    def recover(self):
        """What an engine runs after a failed or killed runt: [] or [(kind, detail)]."""
        if self.cmd == "run":
            # the next `runt run`, which removes what killed runts left first; it comes once the
            # container has died with its runt (until then the container's init, still runt's
            # code, holds the lock that tells a live runt's cgroup: swept the time after)
            end = time.time() + 1
            while marked(self.id) and time.time() < end:
                time.sleep(0.01)
            argvs = [[self.rt.path, "--root", self.root, "run", "--rootfs", self.rootfs, "--name", self.id + "-next",
                      "/payload", "/ran-next"]]
        else:
            argvs = [[self.rt.path, "--root", self.root, "delete", "--force", self.id]]
        for argv in argvs:
            rc, _, err = self.plain(argv)
            if rc is None:
                return [("recovery", "%s hung" % " ".join(argv[-3:]))]
            if rc not in (0, 42) and "does not exist" not in err:
                return [("recovery", "%s: exit %s: %s" % (" ".join(argv[-3:]), rc, err.strip()))]
        return []

    def strays(self):
        """exec: processes left in the container but its init, after the exec ended."""
        end = time.time() + 1
        while True:
            pids = [p for p in marked(self.id) if p != self.init]
            if not pids or time.time() > end:
                return [("exec-process", "exec left processes " + ", ".join(describe(p) for p in pids))] if pids else []
            time.sleep(0.02)

    def leftovers(self):
        """What is left of the container: [(kind, detail)]."""
        left = []
        cgs = cgroups_of(self.cgroup())
        if cgs:
            left.append(("cgroup", "cgroup %s on %s" % (self.cgroup(), ",".join(c.split("/")[4] for c in cgs))))
        sd = os.path.join(self.root, self.id)
        if os.path.lexists(sd):
            inside = " ".join(sorted(os.listdir(sd))) if os.path.isdir(sd) else "not a dir"
            left.append(("state", "state dir (%s)" % inside))
        for m in mounts_under(self.dir):
            left.append(("mount", "mount " + m[len(self.dir) + 1:]))
        # a process SIGKILLed a moment ago may still be on its way out
        end = time.time() + 1
        while marked(self.id) and time.time() < end:
            time.sleep(0.02)
        pids = marked(self.id)
        if pids:
            left.append(("process", "processes " + ", ".join(describe(p) for p in pids)))
        for name in sorted(os.listdir(self.rootfs)):
            if name.endswith(".fd-leak"):
                left.append(("fd", "the payload got an fd above 2 (%s)" % name))
        return left

    def cleanup(self):
        for p in marked(self.id):
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        for c in cgroups_of(self.cgroup()):
            reap_cgroup(c)
        for m in sorted(mounts_under(self.dir), reverse=True):
            subprocess.run(["umount", "-l", m], capture_output=True)
        if not mounts_under(self.dir):
            shutil.rmtree(self.dir, ignore_errors=True)


def kinds(left):
    return "+".join(sorted({k for k, _ in left}))


def one_line_error(err):
    """None when stderr is one `runt: ...` line (warnings aside), else what it is."""
    lines = [l for l in err.split("\n") if l and not l.startswith("runt: warning: ")]
    if len(lines) == 1 and lines[0].startswith("runt: ") and err.endswith("\n"):
        return None
    return "no-message" if not lines else "not-one-line"


class Result:
    def __init__(self, cmd, kind, fault):
        self.cmd, self.kind, self.fault = cmd, kind, fault
        self.problems = {}  # problem -> (class, detail)
        self.counted = True  # False: the fault never reached runt (or runt ended before the kill)
        self.skipped = None  # why the try could not run (setup failed, budget spent)


def traced(t, argv, inject, follow=True):
    """Runs argv under strace (-f: runt's children too), with `inject` (an -e inject= value) if
    given, until runt itself has ended: strace then lets go of the processes it still traces (a
    created container's init). Returns (hung, stderr, Trace)."""
    logf = os.path.join(t.dir, "strace.log")
    # -I2: strace takes SIGTERM (with -o, it blocks it by default); -y: fds with their paths
    cmd = ["strace", "-q", "-I2", "-y", "-s", "64", "-o", logf] + (["-f"] if follow else [])
    if inject:
        cmd += ["-e", "inject=" + inject]
    errf = open(os.path.join(t.dir, "stderr"), "w+")
    p = t.spawn(cmd + ["--"] + argv, stderr=errf)
    # runt has ended when strace says so: the log is written as it goes (a poll of /proc can miss
    # a runt that came and went between two looks)
    pid, hung, last, rest = None, True, "", ""
    end = time.time() + T
    while not os.path.exists(logf) and p.poll() is None and time.time() < end:
        time.sleep(0.001)
    with open(logf, errors="replace") if os.path.exists(logf) else open(os.devnull) as lf:
        while hung and time.time() < end:
            exited = p.poll() is not None
            lines = (rest + lf.read()).split("\n")
            rest = lines.pop()
            for line in lines:
                last = line
                m = LINE.match(line) if follow else None
                if follow and not m:
                    continue
                pid = pid or (int(m.group(1)) if m else None)
                # `PID +++ exited with N +++` (no pid without -f)
                if (m.group(2) if m else line).startswith("+++ ") and (not m or int(m.group(1)) == pid):
                    hung = False
            if exited:
                hung = False
            elif hung:
                time.sleep(0.003)
    if hung:
        t.why_hung = "its log ends %r" % last[:200]
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    try:
        p.wait(timeout=0.01)
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=3)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    errf.seek(0)
    err = "".join(l for l in errf.readlines() if not l.startswith("strace: "))
    errf.close()
    return hung, err, Trace(logf, follow)


def keep_log(t, res):
    """The strace log of a try that hung or crashed, for a look afterwards."""
    os.makedirs(LOGS, exist_ok=True)
    src = os.path.join(t.dir, "strace.log")
    if os.path.exists(src):
        name = re.sub(r"[^A-Za-z0-9@:.-]+", "_", "%s-%s" % (res.cmd, res.fault))[:120]
        shutil.copy(src, os.path.join(LOGS, name + ".log"))


def judge(t, res, rc, err, hung=False, killed=False):
    """Fills res.problems: the command's result, then the recovery and what is left."""
    if hung:
        res.problems["hang"] = ("hang", "no end within %d s (%s)" % (T, getattr(t, "why_hung", "")))
        keep_log(t, res)
    elif not killed:
        miss = t.missing(rc)
        if miss and (rc == 0 or (rc == 42 and t.cmd in ("run", "bundle", "exec"))):
            res.problems["false-ok"] = miss
        elif miss:
            bad = one_line_error(err)
            if bad:
                res.problems["bad-error"] = (bad, "exit %s, stderr %r" % (rc, err[:200]))
    left = t.strays() if t.cmd == "exec" else []
    left += t.recover()
    left += t.leftovers()
    if left:
        res.problems["debris"] = (kinds(left), "; ".join(d for _, d in left))


def attempt(rt, cmd, kind, fault, body):
    """One try: a new container, its setup, body(t, res), and the clean-up whatever happened."""
    res = Result(cmd, kind, fault)
    if time.time() > rt.deadline:
        res.skipped = "not run: the stage's budget (%d s) is spent" % BUDGET
        return res
    t = Try(rt, cmd)
    try:
        res.skipped = t.setup()
        if not res.skipped:
            body(t, res)
    finally:
        t.cleanup()
    return res


def try_inject(rt, cmd, name, n, errno=None):
    """The nth call of `name` fails with errno (default: ENOMEM for memory calls, else EIO)."""
    label = "%s:%d" % (name, n) + (":" + errno if errno else "")
    errno = errno or ("ENOMEM" if name in ENOMEM else "EIO")

    def body(t, res):
        hung, err, tr = traced(t, t.argv(), "%s:error=%s:when=%d" % (name, errno, n))
        if not tr.hits_runt and not hung:
            res.counted = False
            return
        if tr.hits_runt:
            res.fault += " " + site(tr.hits_runt[0], t)
        for pid, sig in tr.crashes():
            res.problems["crash"] = (sig, "process %d killed by %s" % (pid, sig))
            keep_log(t, res)
        if PANIC in err:
            # runt's panic handler (sys/rt.rs) prints this and exits 125: a panic, not an error
            res.problems["crash"] = ("panic", "exit %s, %r" % (tr.status(), err.strip()[:200]))
        judge(t, res, tr.status(), err, hung=hung)
    return attempt(rt, cmd, "inject", label, body)


def try_kill(rt, cmd, k, name, n, where):
    """SIGKILL of runt's own process as it enters its kth call (the nth of `name`)."""
    def body(t, res):
        hung, _, tr = traced(t, t.argv(), "%s:signal=SIGKILL:when=%d" % (name, n), follow=False)
        if tr.ends.get(tr.first) != "killed SIGKILL" and not hung:
            res.counted = False
            return
        judge(t, res, None, "", hung=hung, killed=True)
    return attempt(rt, cmd, "kill", "kill@%d %s" % (k, where), body)


def try_timer(rt, cmd, delay):
    def body(t, res):
        p = t.spawn(t.argv())
        time.sleep(delay)
        if p.poll() is not None:
            res.counted = False
            return
        p.kill()
        p.wait()
        judge(t, res, None, "", killed=True)
    return attempt(rt, cmd, "timer", "timer@%.1fms" % (delay * 1000), body)


def baseline(rt, cmd):
    """A clean traced run (its calls) and three plain ones (their median time). Exits the
    stage when the command fails without faults."""
    def body(t, res):
        hung, err, tr = traced(t, t.argv(), None)
        judge(t, res, tr.status(), err, hung=hung)
        res.counts = tr.max_counts()
        res.calls = [(name, n, site(text, t)) for name, n, text in tr.calls]
    res = attempt(rt, cmd, "clean", "none", body)
    if res.skipped or res.problems:
        log("FAIL %s: a run without faults: %s" % (cmd, res.skipped or res.problems))
        log("0 passed, %d failed" % (1 + sweep()))
        sys.exit(1)
    times = []
    for _ in range(3):
        def timed(t, _res):
            t0 = time.time()
            t.plain(t.argv())
            times.append(time.time() - t0)
            t.recover()
        attempt(rt, cmd, "clean", "none", timed)
    return res.counts, res.calls, sorted(times)[len(times) // 2]


def inject_all(rt, cmd, name, base, errno=None):
    """N = 1, 2, ... until a run is unaffected, past what the clean run made."""
    out = []
    for n in range(1, base + 50):
        r = try_inject(rt, cmd, name, n, errno)
        out.append(r)
        if r.skipped or (not r.counted and n > base):
            break
    return out


# --- the stage ------------------------------------------------------------------------------------------
def main():
    if len(sys.argv) < 2:
        raise SystemExit("usage: faults.py RUNT [CMD[:SYSCALL|:kill|:timer]...]")
    runt = os.path.abspath(sys.argv[1])
    only = sys.argv[2:]
    t0 = time.time()
    for d in (S, LOGS):
        if os.path.exists(d):
            shutil.rmtree(d)
    os.makedirs(S)
    # the (empty) cgroup parents of runs of the stage that died before their clean-up
    for h in HIERARCHIES:
        top = os.path.join(h, CGP)
        for run in os.listdir(top) if os.path.isdir(top) else []:
            if run.isdigit() and not os.path.exists("/proc/" + run):
                try:
                    os.rmdir(os.path.join(top, run))
                except OSError:
                    pass  # not empty: a leak, for check-leaks to report
    payload = os.path.join(S, "payload")
    subprocess.run(["cc", "-static", "-nostdlib", "-O2", "-fno-stack-protector", "-o", payload,
                    os.path.join(TOP, "tests/faults/payload.c")], check=True)
    subprocess.run([runt, "spec"], cwd=S, check=True, capture_output=True)
    with open(os.path.join(S, "config.json")) as f:
        template = json.load(f)
    rt = Runt(runt, payload, template)
    rnd = random.Random(SEED)
    log("fault tests of %s: seed %d, %s kills and %d timer kills per command, %d at a time" %
        (runt, SEED, KILLS or "all", TIMERS, WORKERS))

    def wanted(cmd, part):
        return not only or cmd in only or cmd + ":" + part in only

    jobs = []
    for cmd in COMMANDS:
        if only and not any(o.split(":")[0] == cmd for o in only):
            continue
        counts, calls, secs = baseline(rt, cmd)
        names = sorted(n for n in counts if n not in NEVER)
        log("%-6s %5.1f ms, %d calls by runt's processes (%d distinct, %d injected), %d by runt itself" % (
            cmd, secs * 1000, sum(counts.values()), len(counts), len(names), len(calls)))
        for name in names:
            if wanted(cmd, name):
                jobs.append((counts[name], lambda c=cmd, s=name, b=counts[name]: inject_all(rt, c, s, b)))
                if name in FALLBACKS:
                    jobs.append((counts[name], lambda c=cmd, s=name, b=counts[name]: inject_all(rt, c, s, b, "ENOSYS")))
        if wanted(cmd, "kill"):
            ks = range(len(calls))
            if 0 < KILLS < len(calls):
                # one moment from each of KILLS equal slices of runt's calls
                ks = sorted({int(rnd.uniform(i, i + 1) * len(calls) / KILLS) for i in range(KILLS)})
            for k in ks:
                name, n, where = calls[k]
                jobs.append((1, lambda c=cmd, k=k, s=name, n=n, w=where: [try_kill(rt, c, k + 1, s, n, w)]))
        if wanted(cmd, "timer"):
            for _ in range(TIMERS):
                jobs.append((1, lambda c=cmd, d=rnd.uniform(0, secs * 0.9): [try_timer(rt, c, d)]))
    jobs.sort(key=lambda j: -j[0])  # the longest loops first, so that the pool ends together
    results = []
    try:
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
            for f in [pool.submit(job) for _, job in jobs]:
                results += f.result()
        passed, failed = report(results, bool(only), time.time() - t0)
    finally:
        left = sweep()  # whatever happened above
    log("%d passed, %d failed" % (passed, failed + left))
    sys.exit(1 if failed + left else 0)


def sweep():
    """After every try has cleaned up after itself: what is still there of this stage's (a FAIL
    line each), then the cgroup parent (another run of the stage may still use it) and the
    scratch root go."""
    mine = "%s%d-" % (PREFIX, os.getpid())
    left = []
    for h in HIERARCHIES:
        for parent in (os.path.join(h, CGP, RUN), os.path.join(h, "runt")):
            if os.path.isdir(parent):
                left += [os.path.join(parent, n) for n in sorted(os.listdir(parent)) if n.startswith(mine)]
    left += mounts_under(S)
    for x in left:
        log("FAIL the stage's clean-up left %s" % x)
        if x.startswith("/sys/fs/cgroup"):
            reap_cgroup(x)
        else:
            subprocess.run(["umount", "-l", x], capture_output=True)
    for h in HIERARCHIES:
        for d in (os.path.join(h, CGP, RUN), os.path.join(h, CGP)):
            try:
                os.rmdir(d)
            except OSError:
                pass  # the top one may hold another run's
    if not mounts_under(S):
        shutil.rmtree(S, ignore_errors=True)
    return len(left)


def expected(r, problem, cls):
    """The index of the first EXPECTED entry for this problem of try r, or None."""
    for i, (cmd, fault, prob, c, _what, _fix) in enumerate(EXPECTED):
        if all(re.fullmatch(pat, v) for pat, v in ((cmd, r.cmd), (fault, r.fault), (prob, problem), (c, cls))):
            return i
    return None


def report(results, partial, secs):
    done = [r for r in results if r.counted and not r.skipped]
    matched = [0] * len(EXPECTED)
    bad_tries = set()
    lines = []
    for r in done:
        for p in PROBLEMS:
            if p in r.problems:
                cls, detail = r.problems[p]
                i = expected(r, p, cls)
                if i is None:
                    bad_tries.add(id(r))
                elif r.kind != "timer":
                    matched[i] += 1
                lines.append(("KNOWN" if i is not None else "FAIL", r.cmd, r.fault, p, cls, detail))
    order = {c: i for i, c in enumerate(COMMANDS)}
    fault_key = lambda f: [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", f)]
    lines.sort(key=lambda l: (order[l[1]], l[3], l[4], fault_key(l[2])))
    for l in lines:
        log(("%-5s %-6s %-14s %-9s %-22s %s" % l)[:300])

    log("")
    head = ("tries", "clean") + tuple(PROBLEMS)
    log("%-14s" % "" + "".join("%10s" % h for h in head))
    rows = {}
    for r in done:
        for key in ((r.cmd, r.kind), (r.cmd, ""), ("total", r.kind), ("total", "")):
            row = rows.setdefault(key, dict.fromkeys(head, 0))
            row["tries"] += 1
            row["clean"] += not r.problems
            for p in r.problems:
                row[p] += 1
    for cmd in COMMANDS + ["total"]:
        for kind in ("inject", "kill", "timer", ""):
            if (cmd, kind) in rows:
                label = "%s %s" % (cmd, kind) if kind else cmd
                log("%-14s" % label + "".join("%10d" % rows[(cmd, kind)][h] for h in head))

    log("")
    failed = len(bad_tries)
    for i, (cmd, fault, prob, cls, what, fix) in enumerate(EXPECTED):
        if matched[i] or partial:
            log("known %3d tries: %s %s %s %s: %s (%s)" % (matched[i], cmd, fault, prob, cls, what, fix))
        else:
            log("FAIL expected %s %s %s %s, but no try shows it any more: take it off EXPECTED (%s)" %
                (cmd, fault, prob, cls, what))
            failed += 1
    for r in results:
        if r.skipped:
            log("FAIL %s %s: %s" % (r.cmd, r.fault, r.skipped))
            failed += 1
    log("fault tests: %d tries (%d unaffected runs not counted) in %.0f s" %
        (len(done), len([r for r in results if not r.counted]), secs))
    return len(done) - len(bad_tries), failed


if __name__ == "__main__":
    main()
