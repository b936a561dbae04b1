//! Containers of `runt run` managed as a user would (issue 15): `run -d`, then `logs`, `exec`,
//! `list`, `ps`, `kill`, `stop`, `rm` on them by name; a name in use; a runt or supervisor
//! killed with SIGKILL, and the next runt command cleaning up after it. Each test has a state
//! root of its own (`runt --root DIR ...`) and looks only at what it made.

mod common;

use common::*;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::Output;
use std::time::Duration;

/// A state root of the test's own and the busybox rootfs; whatever containers it named are
/// removed (`rm -f`) when it is dropped, whether the test passed or not.
struct Host {
    root: TempDir,
    rootfs: TempDir,
    names: Vec<String>,
}

impl Host {
    fn new() -> Host {
        require_busybox();
        Host { root: TempDir::new("state"), rootfs: rootfs(), names: Vec::new() }
    }

    /// A name for a container of this test.
    fn name(&mut self) -> String {
        let n = unique_name();
        self.names.push(n.clone());
        n
    }

    /// `runt --root ROOT ARGS...`.
    fn runt(&self, args: &[&str]) -> Output {
        let mut all = vec!["--root", self.root.as_str()];
        all.extend_from_slice(args);
        run(&all)
    }

    /// `runt --root ROOT run -d --name NAME --rootfs ROOTFS COMMAND...`: asserts it printed the
    /// name and returned.
    fn detach(&self, name: &str, command: &[&str]) {
        let mut args = vec!["run", "-d", "--name", name, "--rootfs", self.rootfs.as_str()];
        args.extend_from_slice(command);
        let out = self.runt(&args);
        assert_eq!(ok_stdout(&out), format!("{name}\n"), "{}", describe(&out));
    }

    /// `list --format json`: the object of container `name`, if listed.
    fn listed(&self, name: &str) -> Option<String> {
        let json = ok_stdout(&self.runt(&["list", "--format", "json"]));
        let start = json.find(&format!(r#"{{"ociVersion":"","id":"{name}","#))?;
        let end = json[start..].find('}')? + start + 1;
        Some(json[start..end].to_string())
    }

    /// Polls `list --format json` until the container has stopped and, `recorded`, until its
    /// supervisor has recorded the exit status (a moment after the init is gone: once the last
    /// of the output is in the log); its object then.
    fn stopped(&self, name: &str, recorded: bool) -> String {
        let mut last = None;
        let stopped = poll_within(Duration::from_secs(30), || {
            last = self.listed(name);
            last.as_deref()
                .is_some_and(|o| o.contains(r#""status":"stopped""#) && (!recorded || o.contains("exitStatus")))
        });
        assert!(stopped, "container {name} did not stop: {last:?}");
        last.unwrap_or_default()
    }

    fn record(&self, name: &str) -> std::path::PathBuf {
        self.root.join(name)
    }

    /// Nothing of container `name` left: no record, no cgroup.
    fn assert_gone(&self, name: &str) {
        assert!(!self.record(name).exists(), "record {} left behind", self.record(name).display());
        assert!(self.listed(name).is_none(), "{name} still listed");
        assert_no_cgroup(name);
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        for n in &self.names {
            let _ = self.runt(&["rm", "-f", n]);
        }
    }
}

/// The number after `"key":` in a JSON object.
fn number(object: &str, key: &str) -> i64 {
    let at = object.find(&format!(r#""{key}":"#)).unwrap_or_else(|| panic!("no {key} in {object}"));
    let rest = &object[at + key.len() + 3..];
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '-').collect();
    digits.parse().unwrap_or_else(|_| panic!("{key} is no number in {object}"))
}

#[test]
fn detach_logs_exec_ps_stop_list_rm() {
    let mut host = Host::new();
    let name = host.name();
    host.detach(&name, &["sh", "-c", "echo hello; echo oops >&2; exec sleep 1000"]);
    // Its output, stdout and stderr, in the log.
    let mut log = String::new();
    assert!(
        poll(|| {
            log = ok_stdout(&host.runt(&["logs", &name]));
            log.contains("oops")
        }),
        "logs: {log:?}"
    );
    assert_eq!(log, "hello\noops\n");
    // The log lives on the host, readable by root only; the container writes into a pipe, not
    // into a host file it could chmod.
    let mode = fs::metadata(host.record(&name).join("log")).expect("stat the log").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let out = host.runt(&["exec", &name, "sh", "-c", "ls -l /proc/1/fd/1; exit 5"]);
    assert_eq!(code(&out), 5, "{}", describe(&out));
    assert!(stdout(&out).contains("-> pipe:["), "{}", describe(&out));
    // list: the table with the command, and runt ps: its processes.
    let table = ok_stdout(&host.runt(&["list"]));
    let line = table.lines().find(|l| l.starts_with(&name)).unwrap_or_else(|| panic!("{name} not in\n{table}"));
    assert!(line.contains(" running ") && line.contains("sleep 1000"), "{table}");
    let ps = ok_stdout(&host.runt(&["ps", &name]));
    assert!(ps.contains("sleep 1000"), "{ps}");
    // stop: sleep as pid 1 ignores TERM; KILL after the one second; the exit recorded.
    let out = host.runt(&["stop", "-t", "1", &name]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let object = host.listed(&name).unwrap_or_else(|| panic!("{name} not listed after stop"));
    assert!(object.contains(r#""status":"stopped""#), "{object}");
    assert_eq!(number(&object, "exitStatus"), 137, "{object}");
    let table = ok_stdout(&host.runt(&["list"]));
    assert!(table.lines().any(|l| l.starts_with(&name) && l.contains(" exited(137) ")), "{table}");
    assert_no_cgroup(&name);
    assert_eq!(ok_stdout(&host.runt(&["logs", &name])), "hello\noops\n");
    ok_stdout(&host.runt(&["rm", &name]));
    host.assert_gone(&name);
}

/// `run -d` returns once the command runs, so a command that cannot be executed (found, but its
/// execve fails: here a missing #! interpreter and a file that is no program) is its error and
/// status, as in the foreground, and leaves nothing behind; with --rm too.
#[test]
fn detach_of_a_command_that_cannot_run_is_its_error() {
    let mut host = Host::new();
    for (file, text) in [("orphan", "#!/nowhere/sh\n"), ("garbage", "not a program\n")] {
        let path = host.rootfs.path.join("bin").join(file);
        fs::write(&path, text).expect("write");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let cases = [
        (
            "/bin/orphan",
            127,
            "exec /bin/orphan (its interpreter or dynamic loader is missing): no such file or directory",
        ),
        ("/bin/garbage", 126, "exec /bin/garbage: Exec format error"),
    ];
    for (command, status, said) in cases {
        for rm in [false, true] {
            let name = host.name();
            let mut args = vec!["run", "-d", "--name", &name, "--rootfs", host.rootfs.as_str()];
            if rm {
                args.push("--rm");
            }
            args.push(command);
            let out = host.runt(&args);
            assert_eq!((code(&out), stderr(&out)), (status, format!("runt: {said}\n")), "{}", describe(&out));
            assert_eq!(stdout(&out), "", "no name printed for a container that never ran");
            host.assert_gone(&name);
        }
    }
}

#[test]
fn list_json_and_exit_status() {
    let mut host = Host::new();
    let name = host.name();
    // It ends, exit 3, once the test has looked at it running (the file /go appears in its root).
    let script = "while [ ! -e /go ]; do sleep 0.1; done; exit 3";
    host.detach(&name, &["sh", "-c", script]);
    let running = host.listed(&name).unwrap_or_else(|| panic!("{name} not listed"));
    assert!(running.contains(r#""status":"running""#), "{running}");
    assert!(running.contains(&format!(r#""command":["sh","-c","{script}"]"#)), "{running}");
    // Its pid is the one in its cgroup, on the host.
    assert!(cgroup_pids(&name).contains(&(number(&running, "pid") as u32)), "{running}");
    fs::write(host.rootfs.join("go"), "").expect("write /go in its root");
    let stopped = host.stopped(&name, true);
    assert_eq!(number(&stopped, "exitStatus"), 3, "{stopped}");
    assert_eq!(number(&stopped, "pid"), 0, "{stopped}");
    // A detached container's record stays until rm.
    assert!(host.record(&name).join("state.json").exists());
    ok_stdout(&host.runt(&["rm", &name]));
    host.assert_gone(&name);
}

#[test]
fn kill_with_a_signal() {
    let mut host = Host::new();
    let name = host.name();
    let script = "trap 'echo got USR1; exit 7' USR1; echo ready; while :; do sleep 0.1; done";
    host.detach(&name, &["sh", "-c", script]);
    assert!(poll(|| ok_stdout(&host.runt(&["logs", &name])).contains("ready")), "the trap was never set");
    let out = host.runt(&["kill", &name, "USR1"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let stopped = host.stopped(&name, true);
    assert_eq!(number(&stopped, "exitStatus"), 7, "{stopped}");
    assert_eq!(ok_stdout(&host.runt(&["logs", &name])), "ready\ngot USR1\n");
    // A signal to a container that has ended: runc's answer.
    assert_error(&host.runt(&["kill", &name, "KILL"]), 1, "not running");
    ok_stdout(&host.runt(&["rm", &name]));
    host.assert_gone(&name);
}

#[test]
fn a_name_in_use_is_refused() {
    let mut host = Host::new();
    let name = host.name();
    host.detach(&name, &["sleep", "1000"]);
    for detach in [false, true] {
        let mut args = vec!["run", "--name", &name, "--rootfs", host.rootfs.as_str(), "true"];
        if detach {
            args.insert(1, "-d");
        }
        assert_error(&host.runt(&args), 125, &format!("container name {name} is in use"));
    }
    // rm refuses a running one; rm -f ends it.
    assert_error(&host.runt(&["rm", &name]), 125, "not stopped");
    ok_stdout(&host.runt(&["rm", "-f", &name]));
    host.assert_gone(&name);
}

#[test]
fn a_killed_runt_is_cleaned_up_by_the_next_command() {
    let mut host = Host::new();
    let name = host.name();
    let root = host.root.as_str().to_string();
    let rootfs = host.rootfs.as_str().to_string();
    // The foreground runt killed: the next `list` cleans, and so does the next run of the name.
    for next in [&["list"][..], &["run", "--name", &name, "--rootfs", &rootfs, "true"]] {
        let mut child = spawn(&["--root", &root, "run", "--name", &name, "--rootfs", &rootfs, "sleep", "1000"]);
        let running = poll(|| host.listed(&name).is_some_and(|o| o.contains(r#""status":"running""#)));
        child.kill().expect("SIGKILL runt");
        let _ = child.wait();
        assert!(running, "{name} was never listed as running");
        let out = host.runt(next);
        assert_eq!(code(&out), 0, "{next:?}\n{}", describe(&out));
        host.assert_gone(&name);
    }
    // The supervisor of -d killed: its container goes with it; rm cleans what is left.
    host.detach(&name, &["sleep", "1000"]);
    let object = host.listed(&name).unwrap_or_else(|| panic!("{name} not listed"));
    let pid = number(&object, "pid");
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat of the container's init");
    let supervisor: i32 =
        stat.rsplit(')').next().and_then(|r| r.split(' ').nth(2)).and_then(|p| p.parse().ok()).expect("ppid");
    let status = std::process::Command::new("kill").args(["-KILL", &supervisor.to_string()]).status().expect("kill");
    assert!(status.success());
    let stopped = host.stopped(&name, false);
    assert!(!stopped.contains("exitStatus"), "{stopped}");
    ok_stdout(&host.runt(&["rm", &name]));
    host.assert_gone(&name);
}

/// Which call of runt's (`SYSCALL:when=N`, runt's own process, as strace counts) is the first
/// of `syscalls` whose line in a trace of a plain run satisfies `is_it`: a moment named by what
/// runt does then, not by a count that changes with the code.
fn moment(host: &Host, syscalls: &str, is_it: impl Fn(&str) -> bool) -> String {
    let log = host.root.join("moment.log");
    let name = unique_name();
    let traced = std::process::Command::new("strace")
        .args(["-qqq", "-e", "signal=none", "-e", &format!("trace={syscalls}"), "-o"])
        .arg(&log)
        .arg(runt())
        .args(["--root", host.root.as_str(), "run", "--name", &name, "--rootfs", host.rootfs.as_str(), "true"])
        .output()
        .expect("strace (make deps installs it)");
    assert_eq!(code(&traced), 0, "the traced run: {}", describe(&traced));
    let text = fs::read_to_string(&log).expect("read the trace");
    let mut seen: Vec<&str> = Vec::new();
    for line in text.lines() {
        let Some(call) = line.split('(').next() else { continue };
        seen.push(call);
        if is_it(line) {
            let n = seen.iter().filter(|c| **c == call).count();
            return format!("{call}:when={n}");
        }
    }
    panic!("no such call of {syscalls} in a run:\n{text}")
}

/// A runt killed before it recorded its container's state: at its first clone, before the
/// container exists but after its record and cgroups do; and at the rename that puts its state
/// file in place, with the container started and in its cgroup. The next `list` cleans, and so
/// does the next `runt run`, of that name or another. The kill is strace's
/// (`inject=SYSCALL:when=N:signal=SIGKILL`), at the same moment every time.
#[test]
fn a_runt_killed_before_it_recorded_its_container_is_cleaned_up() {
    let mut host = Host::new();
    let (root, rootfs) = (host.root.as_str().to_string(), host.rootfs.as_str().to_string());
    let other = host.name();
    let moments =
        [moment(&host, "clone,clone3", |_| true), moment(&host, "renameat2", |l| l.contains("\"state.json\""))];
    for moment in &moments {
        for next in ["list", "run the name", "run another"] {
            let name = host.name();
            let inject = format!("inject={moment}:signal=SIGKILL");
            // Bounded: a moment that never comes would leave sleep running.
            let killed = std::process::Command::new("timeout")
                .args(["60", "strace", "-qqq", "-e", "signal=none", "-e", &inject, "-o", "/dev/null"])
                .arg(runt())
                .args(["--root", &root, "run", "--name", &name, "--rootfs", &rootfs, "sleep", "1000"])
                .output()
                .expect("strace (make deps installs it)");
            assert!(!killed.status.success(), "{moment}: runt was not killed: {}", describe(&killed));
            assert_ne!(killed.status.code(), Some(124), "{moment}: the moment never came");
            assert!(host.record(&name).exists(), "{moment}: no record left to clean: the test proves nothing");
            assert!(!host.record(&name).join("state.json").exists(), "{moment}: the state was recorded");
            let out = match next {
                "list" => host.runt(&["list"]),
                "run the name" => host.runt(&["run", "--name", &name, "--rootfs", &rootfs, "true"]),
                _ => host.runt(&["run", "--name", &other, "--rootfs", &rootfs, "true"]),
            };
            assert_eq!(code(&out), 0, "{moment}, then {next}: {}", describe(&out));
            // What the container ran (sleep) is gone with its cgroup.
            assert!(poll(|| cgroup_pids(&name).is_empty()), "{moment}: the container outlived its runt");
            host.assert_gone(&name);
        }
    }
}

#[test]
fn logs_follow_ends_when_the_container_does() {
    let mut host = Host::new();
    let name = host.name();
    host.detach(&name, &["sh", "-c", "echo one; sleep 2; echo two"]);
    let follow = spawn(&["--root", host.root.as_str(), "logs", "-f", &name]);
    let out = wait_within(follow, Duration::from_secs(30)).expect("logs -f did not end with the container");
    assert_eq!(ok_stdout(&out), "one\ntwo\n");
    let stopped = host.stopped(&name, true);
    assert_eq!(number(&stopped, "exitStatus"), 0, "{stopped}");
    ok_stdout(&host.runt(&["rm", &name]));
    host.assert_gone(&name);
}

/// The cgroups of every state root's containers share one parent (runt/NAME): a container of
/// another root with the same name is never touched, whatever refuses or cleans that name here:
/// an engine's create, the record a runt killed before it started its container leaves (an
/// empty marked directory, made here by hand), `list`, `rm -f`, `run`.
#[test]
fn another_roots_container_of_the_same_name_is_never_touched() {
    let mut host = Host::new();
    let name = host.name();
    host.detach(&name, &["sleep", "1000"]);
    let pid = number(&host.listed(&name).unwrap_or_else(|| panic!("{name} not listed")), "pid");
    let b = common::bundle::Bundle::new(&host.rootfs, &["true"]);
    let still_there = |after: &str| {
        let object = host.listed(&name).unwrap_or_else(|| panic!("after {after}: {name} no longer listed"));
        assert!(object.contains(r#""status":"running""#), "after {after}: {object}");
        assert!(cgroup_pids(&name).contains(&(pid as u32)), "after {after}: the container left its cgroup");
    };
    let out = b.runt(&["create", "--bundle", b.dir.as_str(), &name]);
    assert_error(&out, 125, "is in use");
    still_there("create of the name in another root");
    let other = |args: &[&str]| {
        let mut all = vec!["--root", b.state.as_str()];
        all.extend_from_slice(args);
        run(&all)
    };
    for next in [&["list"][..], &["rm", "-f", &name]] {
        let killed = b.state.join(&name);
        fs::create_dir(&killed).expect("mkdir the record");
        fs::set_permissions(&killed, fs::Permissions::from_mode(0o1711)).expect("chmod the record");
        let out = other(next);
        assert_eq!(code(&out), 0, "{next:?}: {}", describe(&out));
        assert!(!killed.exists(), "{next:?} left the killed runt's record");
        still_there(&format!("{next:?} of a killed runt's record in another root"));
    }
    let out = other(&["run", "--name", &name, "--rootfs", host.rootfs.as_str(), "true"]);
    assert_error(&out, 125, "is in use");
    still_there("run of the name in another root");
}

/// An engine's container that has stopped, not yet deleted, keeps its cgroup (empty, held by no
/// runt): a `runt run` of the same name is refused, not given that cgroup (whose later `delete`
/// would then kill the run's container).
#[test]
fn a_stopped_engine_containers_cgroup_is_not_taken_by_a_run() {
    let mut host = Host::new();
    let name = host.name();
    let b = common::bundle::Bundle::new(&host.rootfs, &["true"]);
    b.start_new(&name, &[]);
    let state = || String::from_utf8_lossy(&b.runt(&["state", &name]).stdout).into_owned();
    assert!(poll(|| state().contains(r#""status": "stopped""#)), "never stopped: {}", state());
    assert!(cgroup_exists(&name) && cgroup_pids(&name).is_empty(), "no empty cgroup of the stopped container");
    let out = host.runt(&["run", "--name", &name, "--rootfs", host.rootfs.as_str(), "true"]);
    assert_error(&out, 125, "is in use");
    assert!(cgroup_exists(&name), "the stopped container's cgroup was taken");
    let out = b.runt(&["delete", &name]);
    assert_eq!(code(&out), 0, "delete: {}", describe(&out));
    assert!(!cgroup_exists(&name), "delete left the cgroup");
}

/// A symlink in the state root is no container's directory: `rm -f` of it touches nothing it
/// points to.
#[test]
fn a_symlink_in_the_state_root_is_not_followed() {
    let host = Host::new();
    let victim = TempDir::new("victim");
    fs::write(victim.join("state.json"), "{}").expect("write");
    fs::write(victim.join("keep"), "").expect("write");
    std::os::unix::fs::symlink(victim.as_str(), host.root.join("sym")).expect("symlink");
    let out = host.runt(&["rm", "-f", "sym"]);
    assert_ne!(code(&out), 0, "{}", describe(&out));
    assert!(victim.join("keep").exists() && victim.join("state.json").exists(), "rm -f followed the symlink");
}
