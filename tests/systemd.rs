//! systemd's protocols, as a service manager sees them (issue 12 item 10 for OCI bundles; the
//! same for `runt run` in a unit): the readiness a container reports on NOTIFY_SOCKET reaches
//! the manager's socket (READY=1 and nothing else), and descriptors handed over by socket
//! activation (LISTEN_FDS with LISTEN_PID naming runt) reach the container's process with
//! LISTEN_FDS=N and LISTEN_PID=1.

mod common;

use common::bundle::Bundle;
use common::*;
use std::fs;
use std::os::unix::net::UnixDatagram;
use std::process::Command;
use std::time::Duration;

/// The service manager's end: a datagram socket of the test's own.
struct Manager {
    dir: TempDir,
    sock: UnixDatagram,
}

impl Manager {
    fn new() -> Manager {
        let dir = TempDir::new("manager");
        let sock = UnixDatagram::bind(dir.join("notify.sock")).expect("bind the manager's socket");
        Manager { dir, sock }
    }

    fn path(&self) -> String {
        self.dir.join("notify.sock").to_str().expect("UTF-8 path").to_string()
    }

    /// The next datagram within `secs` seconds, if one comes.
    fn next(&self, secs: u64) -> Option<String> {
        self.sock.set_read_timeout(Some(Duration::from_millis(secs * 1000 + 1))).expect("set a timeout");
        let mut buf = [0u8; 4096];
        let n = self.sock.recv(&mut buf).ok()?;
        Some(String::from_utf8_lossy(&buf[..n]).into_owned())
    }
}

/// Host processes whose environment holds `entry`.
fn marked(entry: &str) -> Vec<u32> {
    let procs = fs::read_dir("/proc").into_iter().flatten().flatten();
    procs
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let environ = fs::read(e.path().join("environ")).ok()?;
            environ.split(|&b| b == 0).any(|kv| kv == entry.as_bytes()).then_some(pid)
        })
        .collect()
}

/// A container that reports what it sees, tells the manager other things first, waits for the
/// test's go (a file in its root), then says READY=1 and stays.
const READY_ON_GO: &str = "probe env | grep ^NOTIFY_SOCKET=; probe write /run/notify/x; \
    probe notify STATUS=starting; probe notify MAINPID=1; \
    while [ ! -e /go ]; do sleep 0.02; done; probe notify READY=1; sleep 60";

#[test]
fn ready_from_the_container_reaches_the_managers_socket_and_nothing_else_does() {
    let root = rootfs();
    let b = Bundle::new(&root, &["sh", "-c", READY_ON_GO]);
    let manager = Manager::new();
    let id = unique_name();
    let mark = format!("RUNT_TEST_MARK={id}");
    // `create` as an engine under the manager runs it: NOTIFY_SOCKET in runt's environment.
    b.track(&id);
    let out = fs::File::create(b.state.join(&format!("{id}.out"))).expect("create the output file");
    let mut create = b.command(&["create", "--bundle", b.dir.as_str(), &id]);
    create.env("NOTIFY_SOCKET", manager.path()).env("RUNT_TEST_MARK", &id);
    create.stdout(out.try_clone().expect("dup")).stderr(out);
    assert_eq!(code(&wait(create.spawn().expect("spawn runt create"))), 0, "create: {}", b.output(&id));
    // `start` without it, as podman runs it.
    ok_stdout(&b.runt(&["start", &id]));
    // Everything but READY=1 was said; the manager has heard nothing.
    assert!(poll(|| b.output(&id).matches("ok\n").count() == 3), "the container did not notify: {}", b.output(&id));
    let said = b.output(&id);
    assert!(said.contains("NOTIFY_SOCKET=/run/notify/notify.sock\n"), "{said}");
    // Only the socket is shown inside: nothing the container does lands in the state directory,
    // whose notify/ no other host user may enter.
    let notify = b.state.join(&id).join("notify");
    let names: Vec<String> = fs::read_dir(&notify)
        .expect("the notify directory")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["notify.sock"], "the container wrote into the host's notify directory");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(fs::metadata(&notify).expect("stat notify").permissions().mode() & 0o777, 0o700);
    assert_eq!(manager.next(0), None, "the manager heard something before READY=1");
    let proxy = marked(&mark);
    assert_eq!(proxy.len(), 1, "no single proxy process: {proxy:?}");
    // READY=1, once and alone; then the proxy is done.
    fs::write(root.join("go"), "").expect("write the go file");
    assert_eq!(manager.next(10).as_deref(), Some("READY=1"));
    assert!(poll(|| marked(&mark).is_empty()), "the proxy stayed after READY=1: {:?}", marked(&mark));
    assert_eq!(manager.next(0), None, "more than READY=1 reached the manager");
    assert_eq!(b.status(&id), "running");
}

#[test]
fn the_proxy_ends_with_a_container_that_never_says_ready() {
    let root = rootfs();
    let b = Bundle::new(&root, &["sh", "-c", "probe notify STATUS=working; while [ ! -e /go ]; do sleep 0.02; done"]);
    let manager = Manager::new();
    let id = unique_name();
    let mark = format!("RUNT_TEST_MARK={id}");
    b.track(&id);
    let mut create = b.command(&["create", "--bundle", b.dir.as_str(), &id]);
    create.env("NOTIFY_SOCKET", manager.path()).env("RUNT_TEST_MARK", &id);
    let out = fs::File::create(b.state.join(&format!("{id}.out"))).expect("create the output file");
    create.stdout(out.try_clone().expect("dup")).stderr(out);
    assert_eq!(code(&wait(create.spawn().expect("spawn runt create"))), 0, "create: {}", b.output(&id));
    ok_stdout(&b.runt(&["start", &id]));
    assert!(poll(|| b.output(&id).contains("ok\n")), "the container did not notify: {}", b.output(&id));
    assert_eq!(marked(&mark).len(), 1, "no proxy while the container runs");
    fs::write(root.join("go"), "").expect("write the go file");
    assert!(poll(|| b.status(&id) == "stopped"), "the container did not end");
    assert!(poll(|| marked(&mark).is_empty()), "the proxy outlived its container: {:?}", marked(&mark));
    assert_eq!(manager.next(0), None, "the manager heard from a container that never said READY=1");
    ok_stdout(&b.runt(&["delete", &id]));
    assert!(!b.state.join(&id).exists(), "the state directory (and its socket) stayed");
}

#[test]
fn a_foreground_run_passes_ready_on_and_without_notify_socket_nothing_is_added() {
    let root = rootfs();
    // READY=1 as the container's last word, each time: the proxy reads what an init that has
    // ended sent before it ended.
    let b = Bundle::new(&root, &["sh", "-c", "probe mounts | grep -c /run/notify/notify.sock; probe notify READY=1"]);
    let manager = Manager::new();
    for _ in 0..5 {
        let mut run = b.command(&["run", "--bundle", b.dir.as_str(), &unique_name()]);
        let out = wait(run.env("NOTIFY_SOCKET", manager.path()).spawn().expect("spawn"));
        assert_eq!(code(&out), 0, "{}", describe(&out));
        assert_eq!(stdout(&out), "1\nok\n");
        assert_eq!(manager.next(10).as_deref(), Some("READY=1"));
    }
    // No NOTIFY_SOCKET for runt: none in the container, no mount, nothing sent.
    let b =
        Bundle::new(&root, &["sh", "-c", "probe env | grep -c ^NOTIFY_SOCKET=; probe mounts | grep -c /run/notify"]);
    let out = wait(
        b.command(&["run", "--bundle", b.dir.as_str(), &unique_name()])
            .env_remove("NOTIFY_SOCKET")
            .spawn()
            .expect("spawn"),
    );
    assert_eq!(stdout(&out), "0\n0\n", "{}", describe(&out));
}

/// `runt run --bundle` started as systemd starts a socket-activated service: LISTEN_PID is
/// runt's own pid (the shell's, which execs runt), descriptors 3 and 4 are the sockets.
fn activated(b: &Bundle, listen_pid: &str) -> std::process::Output {
    let words = format!(
        "LISTEN_PID={listen_pid} LISTEN_FDS=2 exec {} run --bundle {} {} 3</dev/null 4</dev/null 5</dev/null",
        b.runt_words(),
        b.dir.as_str(),
        unique_name()
    );
    let out = Command::new("sh").args(["-c", &words]).output().expect("run sh");
    assert_eq!(code(&out), 0, "{}", describe(&out));
    out
}

#[test]
fn socket_activation_hands_the_listening_descriptors_to_the_container() {
    let root = rootfs();
    let script = "probe env | grep ^LISTEN_; for fd in 3 4 5; do [ -e /proc/self/fd/$fd ] && echo fd $fd; done; true";
    let b = Bundle::new(&root, &["sh", "-c", script]);
    assert_eq!(stdout(&activated(&b, "$$")), "LISTEN_FDS=2\nLISTEN_PID=1\nfd 3\nfd 4\n");
    // Meant for another process: not runt's to pass on.
    assert_eq!(stdout(&activated(&b, "1")), "");
}

#[test]
fn a_notify_socket_that_is_not_there_is_an_error_that_leaves_nothing() {
    let root = rootfs();
    let b = Bundle::new(&root, &["true"]);
    let id = unique_name();
    let missing = b.state.join("no-manager.sock");
    // Files, not pipes: were the container created, it would hold them open.
    b.track(&id);
    let err_file = b.state.join("create.err");
    let mut create = b.command(&["create", "--bundle", b.dir.as_str(), &id]);
    create.env("NOTIFY_SOCKET", &missing).stdout(std::process::Stdio::null());
    create.stderr(fs::File::create(&err_file).expect("create the error file"));
    let status = create.status().expect("run runt create");
    let err = fs::read_to_string(&err_file).unwrap_or_default();
    let want = format!("runt: connect to NOTIFY_SOCKET {}: No such file or directory\n", missing.display());
    assert_eq!((status.code(), err.as_str()), (Some(125), want.as_str()));
    assert!(!b.state.join(&id).exists(), "the state directory stayed");
    assert_no_cgroup(&id);
}

/// `runt run`, as a unit of Type=notify runs it: foreground and -d, READY=1 passed on.
#[test]
fn runt_run_in_a_notify_unit_passes_ready_on() {
    let (root, state) = (rootfs(), TempDir::new("state"));
    let manager = Manager::new();
    let name = unique_name();
    let run = |extra: &[&str], script: &str| {
        let mut args = vec!["--root", state.as_str(), "run", "--rootfs", root.as_str()];
        args.extend_from_slice(extra);
        args.extend(["sh", "-c", script]);
        let mut cmd = Command::new(runt());
        cmd.args(&args).env("NOTIFY_SOCKET", manager.path()).stdin(std::process::Stdio::null());
        cmd.output().expect("run runt")
    };
    let out = run(&[], "echo $NOTIFY_SOCKET; probe notify READY=1");
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(stdout(&out), "/run/notify/notify.sock\nok\n");
    assert_eq!(manager.next(10).as_deref(), Some("READY=1"));
    // Detached: READY=1 once the container says so, after runt has returned.
    let out = run(&["-d", "--name", &name], "while [ ! -e /go ]; do sleep 0.02; done; probe notify READY=1; sleep 60");
    assert_eq!(stdout(&out), format!("{name}\n"), "{}", describe(&out));
    assert_eq!(manager.next(0), None, "READY=1 before the container said it");
    fs::write(root.join("go"), "").expect("write the go file");
    assert_eq!(manager.next(10).as_deref(), Some("READY=1"));
    // Once READY=1 is passed on, the container's later messages find nobody (ECONNREFUSED) and
    // never block it: no process of runt's -d keeps a queue that nobody reads.
    let name2 = unique_name();
    let script = "probe notify READY=1; sleep 0.2; i=0; while [ $i -lt 30 ]; do probe notify STATUS=$i >/dev/null; \
        i=$((i+1)); done; touch /sent-$RUNT_TEST_N; sleep 60";
    let out = run(&["-d", "--name", &name2, "-e", &format!("RUNT_TEST_N={name2}")], script);
    assert_eq!(stdout(&out), format!("{name2}\n"), "{}", describe(&out));
    assert_eq!(manager.next(10).as_deref(), Some("READY=1"));
    let sent = root.join(&format!("sent-{name2}"));
    assert!(poll(|| sent.exists()), "the container's messages after READY=1 blocked it");
    for n in [&name, &name2] {
        let rm = Command::new(runt()).args(["--root", state.as_str(), "rm", "-f", n]).output().expect("rm -f");
        assert_eq!(code(&rm), 0, "{}", describe(&rm));
    }
    assert_no_cgroup(&name2);
    let rm = Command::new(runt()).args(["--root", state.as_str(), "rm", "-f", &name]).output().expect("rm -f");
    assert_eq!(code(&rm), 0, "{}", describe(&rm));
    assert_no_cgroup(&name);
}

#[test]
fn runt_run_under_socket_activation_hands_the_descriptors_on() {
    let root = rootfs();
    let script = "probe env | grep ^LISTEN_; for fd in 3 4; do [ -e /proc/self/fd/$fd ] && echo fd $fd; done; true";
    let words = format!(
        "LISTEN_PID=$$ LISTEN_FDS=1 exec {} run --rootfs {} sh -c '{script}' 3</dev/null 4</dev/null",
        runt().display(),
        root.as_str()
    );
    let out = Command::new("sh").args(["-c", &words]).output().expect("run sh");
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(stdout(&out), "LISTEN_FDS=1\nLISTEN_PID=1\nfd 3\n");
}
