//! What runc's commands that act on a running container reach: `exec` puts its process in every
//! cgroup of the container and hands over nothing of the caller's session; `kill`, `kill --all`
//! and `ps` act on the container's processes and on no others.

mod common;

use common::bundle::Bundle;
use common::*;
use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A key of the session `runt exec` is called from (an engine's or an admin's credential) is out
/// of the exec'd process's reach: it gets a session keyring of its own, as the container's init
/// does and as runc's exec does. The control: a container made with `--no-new-keyring` keeps
/// the caller's (runc's meaning of that flag for exec too). The bundle has no seccomp filter,
/// which would refuse keyctl to both.
#[test]
fn exec_does_not_hand_over_the_callers_session_keyring() {
    let root = rootfs();
    let b = Bundle::new(&root, &["probe", "sleep", "60"]);
    let (id, keeps) = (unique_name(), unique_name());
    b.start_new(&id, &[]);
    b.start_new(&keeps, &["--no-new-keyring"]);
    let read_key = |id: &str| {
        let mut cmd = Command::new(probe());
        cmd.args(["with-key", "runt-test-secret", "hunter2"]).arg(runt());
        cmd.args(["--root", b.state.as_str(), "exec", id, "probe", "read-key", "runt-test-secret"]);
        cmd.stdin(Stdio::null()).output().expect("run probe with-key")
    };
    let control = read_key(&keeps);
    assert_eq!(stdout(&control), "hunter2\n", "control: the key never reached the container\n{}", describe(&control));
    let out = read_key(&id);
    assert_eq!(stdout(&out), "error: Required key not available\n", "{}", describe(&out));
}

/// The text of container `id`'s state.json under `b`'s state directory.
fn state_file(b: &Bundle, id: &str) -> std::path::PathBuf {
    b.state.join(&format!("{id}/state.json"))
}

/// runc's foreground `run --bundle` records the container's cgroups like `create` does: `exec`
/// puts its process in all of them (device rules and limits apply to it), `ps` lists the
/// container's processes and `kill --all` reaches them.
#[test]
fn exec_ps_and_kill_all_reach_the_cgroups_of_a_foreground_run() {
    let root = rootfs();
    let b = Bundle::new(&root, &["probe", "sleep", "60"]);
    let id = unique_name();
    b.track(&id);
    let mut run = b.command(&["run", "--bundle", b.dir.as_str(), &id]);
    let run = run.stdout(Stdio::null()).spawn().expect("spawn runt run");
    assert!(poll(|| b.status(&id) == "running"), "the container never ran");
    let init = b.pid(&id);
    let want = fs::read_to_string(format!("/proc/{init}/cgroup")).expect("the init's cgroups");
    let exec = b.runt(&["exec", &id, "probe", "cgroup"]);
    assert_eq!(ok_stdout(&exec), want, "the exec'd process is not in the container's cgroups");
    let ps = ok_stdout(&b.runt(&["ps", "--format", "json", &id]));
    assert!(ps.contains(&init.to_string()), "ps does not list the container's init {init}: {ps}");
    let kill = b.runt(&["kill", "--all", &id, "KILL"]);
    assert_eq!(code(&kill), 0, "{}", describe(&kill));
    let ended = wait(run);
    assert_eq!(code(&ended), 137, "kill --all did not end the container\n{}", describe(&ended));
}

/// A running container whose state names no cgroup, on a host that has cgroups (as main's
/// foreground `run` left it), is refused by the commands that act on its cgroup rather than taken
/// as having no processes: exec would run outside every limit and device rule, kill --all and
/// ps would see nothing.
#[test]
fn a_running_container_with_no_recorded_cgroup_is_refused() {
    let root = rootfs();
    let b = Bundle::new(&root, &["probe", "sleep", "60"]);
    let id = unique_name();
    b.start_new(&id, &[]);
    let path = state_file(&b, &id);
    let text = fs::read_to_string(&path).expect("read state.json");
    let (head, rest) = text.split_once("\"cgroups\":[").expect("a cgroups list in state.json");
    let tail = rest.split_once(']').expect("the end of the cgroups list").1;
    fs::write(&path, format!("{head}\"cgroups\":[]{tail}")).expect("write state.json");
    // The state as it was, before `b` deletes the container: delete removes the cgroups it names.
    let _restore = Restore { path: path.clone(), text };
    for args in [&["exec", &id, "probe", "exit", "0"][..], &["kill", "--all", &id, "KILL"], &["ps", &id]] {
        let out = b.runt(args);
        assert_error(&out, 125, "cgroup");
    }
    assert_eq!(b.status(&id), "running");
}

/// Writes `text` back to `path` when dropped.
struct Restore {
    path: std::path::PathBuf,
    text: String,
}

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = fs::write(&self.path, &self.text);
    }
}

/// A process of the test's own with pid `pid`, made by setting the kernel's last pid just below
/// it; None if other processes on the host kept taking it first.
fn take_pid(pid: u32) -> Option<std::process::Child> {
    for _ in 0..500 {
        fs::write("/proc/sys/kernel/ns_last_pid", (pid - 1).to_string()).expect("write ns_last_pid");
        let mut child = Command::new("sleep").arg("30").spawn().expect("spawn sleep");
        if child.id() == pid {
            return Some(child);
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    None
}

/// What became of a runt command held up while the container's pid changed hands.
struct Takeover {
    out: Output,
    /// Whether the process that took over the pid was still alive when runt had finished.
    survived: bool,
}

/// `runt ARGS...` (with `b`'s state) run by strace with `strace_opts`, which hold it up 3 s in
/// the calls they name: once runt is in one of them (`calls`, as /proc/PID/syscall numbers them),
/// the container's init `init` is killed and a process of the test's own takes its pid.
fn with_pid_taken_over(b: &Bundle, init: u32, strace_opts: &[&str], calls: &[&str], args: &[&str]) -> Takeover {
    assert!(Command::new("strace").arg("-V").output().is_ok(), "strace is missing: `make deps`");
    // One takeover at a time in this test process: each one's spawns would take the other's pid.
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = ONE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut strace = Command::new("strace");
    strace.args(["-f", "-o", "/dev/null"]).args(strace_opts).arg(runt());
    strace.args(["--root", b.state.as_str()]).args(args);
    let strace = strace.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn strace");
    let children = format!("/proc/{0}/task/{0}/children", strace.id());
    let in_call = || {
        let runt = fs::read_to_string(&children).ok()?.split_whitespace().next()?.to_string();
        let call = fs::read_to_string(format!("/proc/{runt}/syscall")).ok()?;
        Some(calls.contains(&call.split(' ').next()?))
    };
    let started = Instant::now();
    assert!(poll(|| in_call() == Some(true)), "runt {args:?} never reached the delayed call");
    kill("KILL", init);
    assert!(poll(|| !Path::new(&format!("/proc/{init}")).exists()), "the container's init was not reaped");
    let taken = take_pid(init);
    let in_time = started.elapsed() < Duration::from_millis(2500);
    let out = wait(strace);
    let mut taken = taken.expect("no process could take over the pid: the test proves nothing");
    assert!(in_time, "taking over the pid took too long: the test proves nothing");
    let survived = alive(init);
    let _ = taken.kill();
    let _ = taken.wait();
    Takeover { out, survived }
}

/// `runt kill ID KILL` held up by strace right before it signals (after it has checked that the
/// pid is still the container's): the signal must not reach the process that took the pid over.
#[test]
fn kill_does_not_signal_a_process_that_took_over_the_containers_pid() {
    let root = rootfs();
    let b = Bundle::new(&root, &["probe", "sleep", "60"]);
    let id = unique_name();
    b.start_new(&id, &[]);
    let init = b.pid(&id);
    // kill is call 62, pidfd_send_signal 424.
    let delay = ["-e", "trace=kill,pidfd_send_signal", "-e", "inject=kill,pidfd_send_signal:delay_enter=3000000"];
    let t = with_pid_taken_over(&b, init, &delay, &["62", "424"], &["kill", &id, "KILL"]);
    assert!(t.survived, "runt kill signalled the process that took over pid {init}\n{}", describe(&t.out));
    assert!(stderr(&t.out).contains("container not running"), "{}", describe(&t.out));
}

/// `runt exec` held up by strace as it opens the container's first namespace (after it has
/// checked that the pid is still the container's): it must not go on into the namespaces of the
/// process that took the pid over (here the host's: the command would run on the host).
#[test]
fn exec_does_not_enter_a_process_that_took_over_the_containers_pid() {
    require_busybox();
    let root = rootfs();
    let b = Bundle::new(&root, &["probe", "sleep", "60"]);
    let id = unique_name();
    b.start_new(&id, &[]);
    let init = b.pid(&id);
    let proof = std::env::temp_dir().join(format!("runt-test-exec-{id}"));
    let write = format!("echo ran > {}", proof.display());
    // openat is call 257; only the one of /proc/PID/ns/user is held up.
    let user_ns = format!("/proc/{init}/ns/user");
    let delay = ["-P", &user_ns, "-e", "trace=openat", "-e", "inject=openat:delay_enter=3000000"];
    let t = with_pid_taken_over(&b, init, &delay, &["257"], &["exec", &id, "/bin/sh", "-c", &write]);
    let ran = proof.exists();
    let _ = fs::remove_file(&proof);
    assert!(!ran, "runt exec ran its command outside the container (it wrote {})", proof.display());
    assert!(stderr(&t.out).contains("container not running"), "{}", describe(&t.out));
}
