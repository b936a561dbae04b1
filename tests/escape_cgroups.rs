//! Fail closed on cgroups (issue 9): a limit or device confinement that was asked for and cannot
//! be applied stops the container (exit 125, one `runt:` line naming the operation, the path and
//! the errno, and nothing left behind), instead of running it unconfined with a warning.
//!
//! The kernel errors are injected with strace (`-e inject=SYSCALL:error=ERRNO:when=N`, the call
//! chosen with `-P PATH`): the shipped runt has no fault-injection switch. Only runt's own first
//! process is traced (no `-f`): it makes the whole cgroup before the container exists, and a
//! container's own calls must never be the ones hit. Each test checks from the strace log that
//! the injection really happened, so none can pass because the call was never made.

mod common;

use common::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const CGROUPFS: &str = "/sys/fs/cgroup";

/// The syscalls through which runt opens, creates, reads, writes and inspects cgroupfs.
const CGROUP_SYSCALLS: &str = "openat,mkdirat,write,read,statfs,fstatfs";

/// Panics unless strace is installed (`make deps` installs it from Debian).
fn require_strace() {
    let found = Command::new("strace").arg("-V").stdout(Stdio::null()).stderr(Stdio::null()).status();
    assert!(
        found.is_ok_and(|s| s.success()),
        "strace is missing on the host: `make deps` (or `apt-get install -y strace`)"
    );
}

/// A run of runt under strace: what runt printed, and strace's log of the traced calls.
struct Traced {
    out: Output,
    log: String,
}

impl Traced {
    /// The calls strace failed on purpose; exactly one is expected.
    fn injected(&self) -> Vec<&str> {
        self.log.lines().filter(|l| l.ends_with("(INJECTED)")).collect()
    }

    fn describe(&self) -> String {
        format!("{}\nstrace log:\n{}", describe(&self.out), self.log)
    }
}

/// `runt ARGS` under strace with `options` (a trace filter, an injection); `-y` shows the path
/// of every descriptor in the log.
fn traced(options: &[&str], args: &[&str]) -> Traced {
    require_strace();
    let dir = TempDir::new("strace");
    let log = dir.join("log");
    let child = Command::new("strace")
        .args(["-qqq", "-y", "-e", "signal=none", "-o"])
        .arg(&log)
        .args(options)
        .arg("--")
        .arg(runt())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn strace: {e}"));
    let out = wait(child);
    let log = fs::read_to_string(&log).unwrap_or_else(|e| panic!("read the strace log: {e}\n{}", describe(&out)));
    Traced { out, log }
}

/// `runt ARGS` with the `when`-th `syscall` that names `path` (as its path, or as the path of the
/// directory or file descriptor it works on) failing with `errno`.
fn failing(syscall: &str, path: &str, when: usize, errno: &str, args: &[&str]) -> Traced {
    let inject = format!("inject={syscall}:error={errno}:when={when}");
    traced(&["-P", path, "-e", &format!("trace={syscall}"), "-e", &inject], args)
}

/// The host pids of processes whose environment holds exactly `entry`.
fn pids_with_env(entry: &str) -> Vec<u32> {
    pids_listing("environ", entry)
}

/// The host pids of processes with `arg` as one of their arguments.
fn pids_with_arg(arg: &str) -> Vec<u32> {
    pids_listing("cmdline", arg)
}

/// The host pids of processes whose /proc/PID/`file` (a NUL-separated list) holds `item`.
fn pids_listing(file: &str, item: &str) -> Vec<u32> {
    let Ok(dir) = fs::read_dir("/proc") else { return Vec::new() };
    dir.flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let list = fs::read(e.path().join(file)).ok()?;
            list.split(|&b| b == 0).any(|i| i == item.as_bytes()).then_some(pid)
        })
        .collect()
}

/// A container name and the environment entry that marks its processes.
fn name_and_mark() -> (String, String) {
    let name = unique_name();
    let mark = format!("RUNT_TEST_MARK={name}");
    (name, mark)
}

/// The run was refused as a fail-closed runt must refuse it: the injection happened (on a call
/// that names `path`), runt exited 125 with one `runt:` line holding every needle, the container
/// printed nothing, and no cgroup, process or state (`state`, if given) is left.
fn assert_refused(run: &Traced, path: &str, needles: &[&str], name: &str, mark: &str, state: Option<&Path>) {
    let injected = run.injected();
    assert_eq!(injected.len(), 1, "exactly one injected call expected\n{}", run.describe());
    assert!(injected[0].contains(path), "the injected call does not name {path}\n{}", run.describe());
    for needle in needles {
        assert_error(&run.out, 125, needle);
    }
    assert_eq!(stdout(&run.out), "", "the container ran\n{}", run.describe());
    assert_no_cgroup(name);
    let left = pids_with_env(mark);
    assert!(left.is_empty(), "container processes left: {left:?}\n{}", run.describe());
    if let Some(state) = state {
        assert!(!state.exists(), "state {} left behind\n{}", state.display(), run.describe());
    }
}

/// `run --name NAME --rootfs ROOT -e MARK OPTS... CMD...`
fn run_args<'a>(root: &'a TempDir, name: &'a str, mark: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["run", "--name", name, "--rootfs", root.as_str(), "-e", mark];
    args.extend(rest);
    args
}

/// The directory under which runt makes a container's pids cgroup on this host's layout
/// (v1: the pids hierarchy's runt/, v2: the mount's runt/).
fn pids_parent(name: &str) -> PathBuf {
    cgroup_dir("pids", name).parent().expect("a cgroup dir has a parent").to_path_buf()
}

/// `runt run OPTS... /bin/probe CMD...` with the open of /sys/fs/cgroup failing with `errno`
/// must be refused with `strerror` (its text) after the path.
fn opening_cgroupfs_fails(errno: &str, strerror: &str, rest: &[&str]) {
    let (root, (name, mark)) = (rootfs(), name_and_mark());
    let run = failing("openat", CGROUPFS, 1, errno, &run_args(&root, &name, &mark, rest));
    let said = format!("open {CGROUPFS}: {strerror}");
    assert_refused(&run, CGROUPFS, &[&said], &name, &mark, None);
}

#[test]
fn eio_opening_cgroupfs_with_a_pids_limit_refuses_to_run() {
    // The issue's reproduction: runt took any error opening /sys/fs/cgroup for "no cgroupfs" and
    // ran a fork bomb with no limit (20 processes under --pids-limit 5).
    opening_cgroupfs_fails("EIO", "Input/output error", &["--pids-limit", "5", "/bin/probe", "forkbomb", "20"]);
}

#[test]
fn emfile_opening_cgroupfs_refuses_to_run_even_without_limits() {
    // No limit asked, but device confinement (the default) needs the cgroup too.
    opening_cgroupfs_fails("EMFILE", "Too many open files", &["/bin/probe", "pid"]);
}

#[test]
fn enomem_opening_cgroupfs_with_a_memory_limit_refuses_to_run() {
    opening_cgroupfs_fails("ENOMEM", "Cannot allocate memory", &["--memory", "64m", "/bin/probe", "pid"]);
}

#[test]
fn eio_telling_the_cgroup_version_refuses_to_run() {
    // An error from statfs is no answer to "is this cgroup v2?": guessing v1 (or none) is wrong.
    let (root, (name, mark)) = (rootfs(), name_and_mark());
    let args = run_args(&root, &name, &mark, &["--pids-limit", "5", "/bin/probe", "pid"]);
    let inject = "inject=statfs,fstatfs:error=EIO:when=1";
    let run = traced(&["-P", CGROUPFS, "-e", "trace=statfs,fstatfs", "-e", inject], &args);
    assert_refused(&run, CGROUPFS, &["/sys/fs/cgroup: Input/output error"], &name, &mark, None);
}

#[test]
fn eio_creating_the_container_cgroup_refuses_to_run() {
    let (root, (name, mark)) = (rootfs(), name_and_mark());
    let parent = pids_parent(&name);
    let parent = parent.to_str().expect("UTF-8 path");
    let args = run_args(&root, &name, &mark, &["--pids-limit", "5", "/bin/probe", "pid"]);
    let run = failing("mkdirat", parent, 1, "EIO", &args);
    let said = format!("mkdir {parent}/{name}: Input/output error");
    assert_refused(&run, &format!("\"{name}\""), &[&said], &name, &mark, None);
}

#[test]
fn eio_writing_the_pids_limit_refuses_to_run() {
    let (root, (name, mark)) = (rootfs(), name_and_mark());
    let file = cgroup_dir("pids", &name).join("pids.max");
    let file = file.to_str().expect("UTF-8 path");
    let args = run_args(&root, &name, &mark, &["--pids-limit", "5", "/bin/probe", "pid"]);
    let run = failing("write", file, 1, "EIO", &args);
    let said = format!("write 5 to {file}: Input/output error");
    assert_refused(&run, file, &[&said], &name, &mark, None);
}

#[test]
fn pids_limit_5_stops_a_fork_bomb() {
    // The control for the tests above: without an injected error, --pids-limit 5 holds.
    let (root, (name, mark)) = (rootfs(), name_and_mark());
    let args = run_args(&root, &name, &mark, &["--pids-limit", "5", "/bin/probe", "forkbomb", "20"]);
    let out = run(&args);
    let text = ok_stdout(&out);
    let started: u32 = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("started "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no `started K` line\n{}", describe(&out)));
    // The probe itself is one of the 5.
    assert!(started <= 4, "started {started} children under --pids-limit 5\n{}", describe(&out));
    assert!(text.lines().nth(1).is_some_and(|l| l.starts_with("error: ")), "no fork error\n{}", describe(&out));
    assert_eq!(stderr(&out), "", "{}", describe(&out));
    assert_no_cgroup(&name);
    assert!(pids_with_env(&mark).is_empty(), "container processes left");
}

/// What a failed run left behind: cgroup directories (removed here once listed, so that the next
/// run starts clean), container processes, the state directory.
fn leftovers(name: &str, mark: &str, state: &Path) -> Vec<String> {
    let mut left = Vec::new();
    for dir in cgroup_paths(name).into_iter().filter(|p| p.exists()) {
        left.push(format!("cgroup {} left", dir.display()));
        let _ = fs::remove_dir(&dir);
    }
    let pids = pids_with_env(mark);
    if !pids.is_empty() {
        left.push(format!("container processes {pids:?} left"));
    }
    if state.exists() {
        left.push(format!("state {} left", state.display()));
    }
    left
}

/// One cgroupfs call of a reference run: `syscall` is the `when`-th of its kind to name `path`.
#[derive(Debug)]
struct Point {
    syscall: String,
    path: String,
    when: usize,
    line: String,
}

/// The paths a logged call names: its first argument's descriptor path (`3</a/b>`), and its
/// path argument (`"/a/b"` first or second), as strace -P matches them.
fn named_paths(line: &str) -> Option<(String, Vec<String>)> {
    let (syscall, rest) = line.split_once('(')?;
    let args: Vec<&str> = rest.splitn(3, ", ").collect();
    let mut paths = Vec::new();
    for (i, arg) in args.iter().take(2).enumerate() {
        if let Some(s) = arg.strip_prefix('"') {
            paths.push(s.split('"').next()?.to_string());
        } else if i == 0 {
            if let Some((_, p)) = arg.split_once('<') {
                paths.push(p.split('>').next()?.to_string());
            }
        }
    }
    Some((syscall.to_string(), paths))
}

/// Every call of `log` that names a path under cgroupfs, each with what selects it for injection.
fn cgroup_points(log: &str) -> Vec<Point> {
    let calls: Vec<(String, Vec<String>, &str)> =
        log.lines().filter_map(|l| named_paths(l).map(|(s, p)| (s, p, l))).collect();
    let under = |p: &str| p == CGROUPFS || p.starts_with(&format!("{CGROUPFS}/"));
    let mut points = Vec::new();
    for (i, (syscall, paths, line)) in calls.iter().enumerate() {
        let Some(path) = paths.iter().rev().find(|p| under(p)) else { continue };
        let when = calls[..=i].iter().filter(|(s, ps, _)| s == syscall && ps.iter().any(|p| p == path)).count();
        points.push(Point { syscall: syscall.clone(), path: path.clone(), when, line: line.to_string() });
    }
    points
}

/// An OCI bundle in a new directory whose config runs `args` (a JSON array) on `root`, with
/// `mark` in its environment and `resources` (a JSON object) as its linux.resources.
fn bundle(root: &TempDir, mark: &str, args: &str, resources: &str) -> TempDir {
    let dir = TempDir::new("bundle");
    let config = format!(
        r#"{{"ociVersion":"1.0.2",
        "process":{{"user":{{"uid":0,"gid":0}},"args":{args},"env":["{mark}"],"cwd":"/"}},
        "root":{{"path":"{}"}},
        "mounts":[{{"destination":"/proc","type":"proc","source":"proc"}},
        {{"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","mode=755"]}}],
        "linux":{{"namespaces":[{{"type":"pid"}},{{"type":"mount"}}],"resources":{resources}}}}}"#,
        root.as_str()
    );
    fs::write(dir.join("config.json"), config).expect("write config.json");
    dir
}

#[test]
fn every_failing_cgroupfs_call_stops_the_container() {
    // An OCI bundle asking for every limit runt writes on this host's layout, run (foreground)
    // as a reference; then again once per cgroupfs call of that run, with that call failing.
    let (root, state) = (rootfs(), TempDir::new("state"));
    let (id, mark) = name_and_mark();
    let resources = r#"{"pids":{"limit":5},"memory":{"limit":67108864},
        "cpu":{"quota":50000,"period":100000,"cpus":"0","mems":"0"},"devices":[{"allow":false,"access":"rwm"}]}"#;
    let bundle = bundle(&root, &mark, r#"["/bin/probe","pid"]"#, resources);
    let args = ["--root", state.as_str(), "run", "--bundle", bundle.as_str(), &id];
    let reference_run = || {
        let run = traced(&["-e", &format!("trace={CGROUP_SYSCALLS}")], &args);
        assert_eq!(ok_stdout(&run.out), "1\n", "reference run\n{}", run.describe());
        assert_no_cgroup(&id);
        run
    };
    // The first run may create the shared parents (runt/) that later runs find made.
    reference_run();
    let reference = reference_run();
    let points = cgroup_points(&reference.log);
    for kind in ["openat", "mkdirat", "write"] {
        assert!(points.iter().any(|p| p.syscall == kind), "no cgroupfs {kind} in\n{}", reference.log);
    }
    let mut fail_open = Vec::new();
    for p in &points {
        let run = failing(&p.syscall, &p.path, p.when, "EIO", &args);
        let injected = run.injected();
        assert_eq!(injected.len(), 1, "{p:?}: exactly one injected call expected\n{}", run.describe());
        assert!(injected[0].starts_with(&format!("{}(", p.syscall)), "{p:?}: hit {}", injected[0]);
        let err = stderr(&run.out);
        let mut wrong = Vec::new();
        if code(&run.out) != 125 || !stdout(&run.out).is_empty() {
            wrong.push(format!("exit {}, stdout {:?}", code(&run.out), stdout(&run.out)));
        }
        if err.lines().count() != 1
            || !err.starts_with("runt: ")
            || !err.contains(CGROUPFS)
            || !err.contains("Input/output error")
        {
            wrong.push(format!("stderr {err:?}"));
        }
        wrong.extend(leftovers(&id, &mark, &state.join(&id)));
        if !wrong.is_empty() {
            fail_open.push(format!("{}\n  -> {}", p.line, wrong.join("; ")));
        }
    }
    assert!(
        fail_open.is_empty(),
        "{} of {} failing cgroupfs calls did not stop the container:\n{}",
        fail_open.len(),
        points.len(),
        fail_open.join("\n")
    );
}

#[test]
fn eio_listing_the_container_processes_is_an_error_not_an_empty_list() {
    // `kill --all` and `ps` read the container's cgroup.procs: an unreadable list must not pass
    // for "no processes" (kill --all would report success having signalled nothing).
    let (root, state) = (rootfs(), TempDir::new("state"));
    let (id, mark) = name_and_mark();
    let bundle = bundle(&root, &mark, r#"["/bin/probe","sleep","30"]"#, "{}");
    // The created container keeps its stdout and stderr: files, not pipes that would stay open.
    let err = state.join("create.err");
    let created = Command::new(runt())
        .args(["--root", state.as_str(), "create", "--bundle", bundle.as_str(), &id])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(fs::File::create(&err).expect("create create.err"))
        .status()
        .expect("run runt create");
    assert!(created.success(), "create: {created}: {:?}", fs::read_to_string(&err));
    let procs = cgroup_dir("pids", &id).join("cgroup.procs");
    let procs = procs.to_str().expect("UTF-8 path");
    let ps = failing("read", procs, 1, "EIO", &["--root", state.as_str(), "ps", &id]);
    let kill = failing("read", procs, 1, "EIO", &["--root", state.as_str(), "kill", "--all", &id, "KILL"]);
    // Before its start, the container's init has runt's environment, not the mark: its cgroup
    // tells it is there.
    let alive = !cgroup_pids(&id).is_empty();
    let out = run(&["--root", state.as_str(), "delete", "--force", &id]);
    assert_eq!(code(&out), 0, "delete\n{}", describe(&out));
    assert_no_cgroup(&id);
    let said = format!("{procs}: Input/output error");
    for (what, run) in [("ps", &ps), ("kill --all", &kill)] {
        assert_eq!(run.injected().len(), 1, "{what}: exactly one injected call expected\n{}", run.describe());
        assert_error(&run.out, 125, &said);
        assert_eq!(stdout(&run.out), "", "{what}\n{}", run.describe());
    }
    assert!(alive, "the created container was gone before delete");
}

/// `sh -c SCRIPT` in a private mount namespace where /sys/fs is an empty tmpfs: a host with no
/// /sys/fs/cgroup at all. `$RUNT` in the script is runt.
fn without_cgroupfs(script: &str) -> Output {
    let hide = "mount -t tmpfs -o size=64k tmpfs /sys/fs && test ! -e /sys/fs/cgroup && ";
    let child = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c", &format!("{hide}{script}")])
        .env("RUNT", runt())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn unshare: {e}"));
    wait(child)
}

#[test]
fn a_host_with_no_cgroup_filesystem_still_runs_and_says_so() {
    // ENOENT, and only ENOENT, means "no cgroups": the container runs, with the one warning.
    let (root, (name, mark)) = (rootfs(), name_and_mark());
    let args = run_args(&root, &name, &mark, &["--pids-limit", "5", "/bin/probe", "pid"]);
    let out = without_cgroupfs(&format!("exec \"$RUNT\" {}", args.join(" ")));
    assert_eq!(ok_stdout(&out), "1\n");
    let err = stderr(&out);
    assert!(
        err.lines().count() == 1
            && err.starts_with("runt: warning: no cgroup filesystem")
            && err.contains("not applied"),
        "{}",
        describe(&out)
    );
    // The OCI commands that open a container's cgroup work there too (it has none).
    let (state, (id, mark)) = (TempDir::new("state"), name_and_mark());
    let bundle = bundle(&root, &mark, r#"["/bin/probe","sleep","30"]"#, "{}");
    let r = format!("\"$RUNT\" --root {}", state.as_str());
    let b = bundle.as_str();
    // delete runs whatever failed before it: a created container must not outlive the test.
    let script = format!(
        "{r} create --bundle {b} {id} >/dev/null 2>&1 && {r} ps {id} && {r} kill --all {id} KILL; rc=$?; \
         {r} delete --force {id} || rc=1; exit $rc"
    );
    let out = without_cgroupfs(&script);
    // Before its start the container's init is runt, which has the id among its arguments; one
    // that a failing delete left is killed here, after being counted.
    let left = pids_with_arg(&id);
    for pid in &left {
        kill("KILL", *pid);
    }
    assert_eq!(code(&out), 0, "{}", describe(&out));
    // ps prints the host's ps table (runc's shape): its header, with no line of a container that
    // has no cgroup to list processes from.
    let header = stdout(&out).lines().next().map(|h| h.split_whitespace().any(|c| c == "PID"));
    assert_eq!(header, Some(true), "{}", describe(&out));
    assert!(!state.join(&id).exists(), "state left behind");
    assert!(left.is_empty(), "container processes {left:?} left");
}
