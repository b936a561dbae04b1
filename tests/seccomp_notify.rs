//! Seccomp user notification (`SCMP_ACT_NOTIFY`, runtime-spec linux.seccomp.listenerPath): the
//! listener of the container's filter reaches the agent with the container process state, and
//! the agent's answers are what the container's syscalls return. The agent is the probe's
//! `seccomp-agent`, run on the host.

mod common;

use common::bundle::{Bundle, Options};
use common::*;
use std::process::{Command, Stdio};
use std::time::Duration;

/// ENOMEDIUM ("No medium found"): an errno no mkdir of a plain directory returns by itself.
const ENOMEDIUM: &str = "123";

/// The probe's agent listening on `sock` (made anew), to answer with `answers` (errnos; 0:
/// success) the notifications of the first listener it is sent; returned once it listens.
fn agent(sock: &str, answers: &[&str]) -> std::process::Child {
    let _ = std::fs::remove_file(sock);
    let mut agent = Command::new(probe());
    agent.args(["seccomp-agent", sock]).args(answers);
    let agent =
        agent.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn the agent");
    assert!(poll(|| std::path::Path::new(sock).exists()), "the agent never listened on {sock}");
    agent
}

/// What the agent printed, once it is done (or killed after 20 s).
fn agent_told(agent: std::process::Child) -> String {
    wait_within(agent, Duration::from_secs(20)).map(|o| stdout(&o)).unwrap_or_default()
}

/// `linux.seccomp` (as a member of `linux`) notifying mkdir to the agent at `sock`.
fn notify_mkdir(sock: &str, extra: &str) -> String {
    format!(
        r#""seccomp":{{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":{}{extra},
            "syscalls":[{{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_NOTIFY"}}]}}"#,
        bundle::json_string(sock)
    )
}

#[test]
fn the_agent_gets_the_listener_and_answers_the_containers_syscalls() {
    require_busybox();
    let (root, sock_dir) = (rootfs(), TempDir::new("agent"));
    let sock = sock_dir.join("agent.sock");
    let sock = sock.to_str().expect("a UTF-8 path");
    // The first mkdir fails as the agent says, the second "succeeds" without anything made.
    let agent = agent(sock, &[ENOMEDIUM, "0"]);
    let linux = notify_mkdir(sock, r#","listenerMetadata":"runt-agent-test""#);
    let script = "mkdir /by-agent-a; echo a=$?; mkdir /by-agent-b; echo b=$?";
    let b = Bundle::with(&root, &["sh", "-c", script], &Options { linux: &linux, ..Options::default() });
    let id = unique_name();
    b.track(&id);
    let run = b.runt(&["run", "--bundle", b.dir.as_str(), &id]);
    let told = agent_told(agent);

    assert_eq!(
        stdout(&run),
        "a=1\nb=0\n",
        "the container does not see the agent's answers\n{}\nagent: {told}",
        describe(&run)
    );
    assert!(stderr(&run).contains("No medium found"), "{}", describe(&run));
    // The syscalls never ran: nothing was made in the rootfs.
    for made in ["by-agent-a", "by-agent-b"] {
        assert!(!root.join(made).exists(), "/{made} was made in the rootfs: the agent's answer was not the syscall's");
    }
    // The state: one connection, closed after it, naming the listener and the container.
    let state = told.lines().find_map(|l| l.strip_prefix("state ")).unwrap_or_else(|| panic!("no state: {told}"));
    for part in [
        r#""fds":["seccompFd"]"#.to_string(),
        r#""metadata":"runt-agent-test""#.to_string(),
        r#""status":"creating""#.to_string(),
        format!(r#""id":"{id}""#),
        format!(r#""bundle":"{}""#, b.dir.as_str()),
    ] {
        assert!(state.contains(&part), "the state lacks {part}: {state}");
    }
    assert!(told.contains("then closed\n"), "runt kept the connection open: {told}");
    assert_eq!(told.matches("notified ").count(), 2, "{told}");
}

/// `runt exec` into such a container: the exec'd process's own filter sends its own listener,
/// with the container "running".
#[test]
fn an_exec_hands_its_own_listener_to_the_agent() {
    require_busybox();
    let (root, sock_dir) = (rootfs(), TempDir::new("agent"));
    let sock = sock_dir.join("agent.sock");
    let sock = sock.to_str().expect("a UTF-8 path");
    let linux = notify_mkdir(sock, "");
    let b = Bundle::with(&root, &["sleep", "60"], &Options { linux: &linux, ..Options::default() });
    let id = unique_name();
    // The init's listener: taken, and left unanswered (sleep makes no directory).
    let init_agent = agent(sock, &[]);
    b.start_new(&id, &[]);
    let told = agent_told(init_agent);
    assert!(told.contains(r#""status":"creating""#), "{told}");
    let exec_agent = agent(sock, &[ENOMEDIUM]);
    let out = b.runt(&["exec", &id, "mkdir", "/by-agent-exec"]);
    let told = agent_told(exec_agent);
    assert!(
        stderr(&out).contains("No medium found") && code(&out) == 1,
        "{}
agent: {told}",
        describe(&out)
    );
    assert!(!root.join("by-agent-exec").exists(), "the exec'd mkdir ran");
    assert!(told.contains(r#""status":"running""#), "the exec's state: {told}");
}

/// A profile that notifies without saying where the listener goes is refused before anything
/// runs, and so is one that notifies runt's own write (it would wait for an agent that has no
/// listener yet), in runc's words.
#[test]
fn a_notifying_profile_without_a_listener_path_is_refused() {
    let root = rootfs();
    for (seccomp, want) in [
        (
            r#""seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}]}"#,
            "SCMP_ACT_NOTIFY needs a listenerPath",
        ),
        (
            r#""seccomp":{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/nonexistent.sock","syscalls":[{"names":["write"],"action":"SCMP_ACT_NOTIFY"}]}"#,
            "SCMP_ACT_NOTIFY cannot be used for the write syscall",
        ),
    ] {
        let b = Bundle::with(&root, &["true"], &Options { linux: seccomp, ..Options::default() });
        let id = unique_name();
        b.track(&id);
        assert_error(&b.runt(&["run", "--bundle", b.dir.as_str(), &id]), 125, want);
    }
}

/// An agent that cannot be reached is an error (runtime-spec: "MUST generate an error"), and the
/// container does not run.
#[test]
fn an_unreachable_agent_is_an_error() {
    require_busybox();
    let root = rootfs();
    let gone = TempDir::new("agent");
    let sock = gone.join("nobody.sock");
    let linux = notify_mkdir(sock.to_str().expect("a UTF-8 path"), "");
    let b = Bundle::with(&root, &["sh", "-c", "echo ran"], &Options { linux: &linux, ..Options::default() });
    let id = unique_name();
    b.track(&id);
    let out = b.runt(&["run", "--bundle", b.dir.as_str(), &id]);
    assert_error(&out, 125, "connect to the seccomp agent at");
    assert_eq!(stdout(&out), "", "the container ran");
}
