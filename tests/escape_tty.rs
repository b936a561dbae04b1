//! The user's terminal, attacked from inside a container.
//!
//! TIOCSTI: a process whose controlling terminal is the user's can push characters into that
//! terminal's input, which the user's shell then reads as its next command line once runt has
//! returned: a command run on the host, as the user. No container process may share runt's
//! session, however it was started: `runt run`, in a user namespace, runc's `run`, `create` and
//! `start`, `exec`. Each test runs runt in a new session on a new pty (`probe pty`, as from an
//! interactive shell), has the container try TIOCSTI on its stdin, and checks the host side:
//! nothing waits in the terminal's input for the shell.
//!
//! Escape sequences: text a container chooses (the names of its processes) reaches the user's
//! terminal through `runt ps`; runt shows its control bytes escaped, and so every error line.

mod common;

use common::bundle::Bundle;
use common::*;
use std::process::{Command, Stdio};

/// The command line the container types: never run, only looked for in the terminal's input.
const TYPED: &str = "touch /tmp/runt-test-tiocsti";

/// What happened in a `probe pty` session: what it wrote, and what its terminal holds for the
/// shell's next read (as `{:?}` writes it: `""` when nothing).
struct Session {
    output: String,
    pending: String,
}

/// Runs the shell command line `script` through `probe pty sh -c`.
fn session(script: &str) -> Session {
    let child = Command::new(probe())
        .args(["pty", "sh", "-c", script])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn probe pty");
    let out = wait(child);
    let text = stdout(&out);
    let (output, rest) = text.rsplit_once("\npty-exit: ").unwrap_or_else(|| panic!("probe pty: {}", describe(&out)));
    let pending = rest.split_once("pty-pending: ").map_or("", |(_, p)| p.trim_end());
    Session { output: output.to_string(), pending: pending.to_string() }
}

/// The container tried TIOCSTI and was refused, and the terminal holds nothing from it.
fn assert_held(s: &Session, how: &str) {
    assert_eq!(s.pending, "\"\"", "{how}: the container typed into the user's terminal\n{}", s.output);
    let refused = ["error: Operation not permitted", "error: Input/output error"];
    assert!(
        refused.iter().any(|r| s.output.contains(r)),
        "{how}: the container's TIOCSTI was not refused (or never ran):\n{}",
        s.output
    );
}

/// `runt run` of the probe in `opts` (e.g. `--userns`), from the terminal.
fn run_types(opts: &str, how: &str) {
    let (root, name) = (rootfs(), unique_name());
    let script =
        format!("{} run --name {name} {opts} --rootfs {} probe tiocsti '{TYPED}'", runt().display(), root.as_str());
    let s = session(&script);
    assert_no_cgroup(&name);
    assert_held(&s, how);
}

#[test]
fn run_cannot_type_into_the_users_terminal() {
    run_types("", "runt run");
}

#[test]
fn run_in_a_user_namespace_cannot_type_into_the_users_terminal() {
    run_types("--userns", "runt run --userns");
}

#[test]
fn oci_run_cannot_type_into_the_users_terminal() {
    let root = rootfs();
    let b = Bundle::new(&root, &["probe", "tiocsti", TYPED]);
    let id = unique_name();
    b.track(&id);
    let s = session(&format!("{} run --bundle {} {id}", b.runt_words(), b.dir.as_str()));
    assert_held(&s, "runt run --bundle");
}

#[test]
fn created_and_started_container_cannot_type_into_the_users_terminal() {
    let root = rootfs();
    let b = Bundle::new(&root, &["probe", "tiocsti", TYPED]);
    let id = unique_name();
    b.track(&id);
    let r = b.runt_words();
    // The session lasts until the container has ended: it is the session the container would
    // type into.
    let script = format!(
        "{r} create --bundle {} {id} && {r} start {id} && \
         for i in $(seq 100); do {r} state {id} | grep -q '\"running\"' || break; sleep 0.1; done",
        b.dir.as_str()
    );
    let s = session(&script);
    assert_held(&s, "runt create + runt start");
}

#[test]
fn exec_cannot_type_into_the_users_terminal() {
    let root = rootfs();
    let b = Bundle::new(&root, &["probe", "sleep", "60"]);
    let id = unique_name();
    b.start_new(&id, &[]);
    let s = session(&format!("{} exec {id} probe tiocsti '{TYPED}'", b.runt_words()));
    assert_held(&s, "runt exec");
}

/// A process name with terminal escapes: set the window title, clear the screen (14 bytes: the
/// kernel keeps 15).
const HOSTILE_NAME: &str = "\u{1b}]0;PWNED\u{7}\u{1b}[2J";

/// `runt ps` shows the host's `ps` table: on a host whose ps prints names as they are
/// (busybox's), the container's escape sequences must not reach the terminal. The host is made
/// so in a mount namespace of the test's own, where /usr/local/sbin (the first place runt looks
/// for ps) holds busybox as `ps`.
#[test]
fn ps_shows_control_bytes_of_process_names_escaped() {
    require_busybox();
    let root = rootfs();
    let b = Bundle::new(&root, &["probe", "setcomm", HOSTILE_NAME, "60"]);
    let id = unique_name();
    b.start_new(&id, &[]);
    assert!(poll(|| b.output(&id).contains("ok")), "the container never named itself: {}", b.output(&id));
    let pid = b.pid(&id);
    let bin = TempDir::new("busybox-ps");
    std::os::unix::fs::symlink("/bin/busybox", bin.join("ps")).expect("symlink ps");
    let script = format!(
        "mount --bind {} /usr/local/sbin && /usr/local/sbin/ps -o pid,comm && echo ---- && exec {} ps {id} -o pid,comm",
        bin.as_str(),
        b.runt_words()
    );
    let out = Command::new("unshare").args(["-m", "sh", "-c", &script]).output().expect("run unshare");
    let text = stdout(&out);
    let (control, shown) = text.split_once("----\n").unwrap_or_else(|| panic!("{}", describe(&out)));
    assert!(control.contains(HOSTILE_NAME), "busybox ps does not show the name as it is: the test proves nothing");
    assert!(shown.lines().any(|l| l.split_whitespace().next() == Some(&pid.to_string())), "{}", describe(&out));
    assert!(
        !shown.contains(['\u{1b}', '\u{7}']),
        "runt ps wrote the container's escape sequences to the terminal: {shown:?}"
    );
}

/// Every error and warning line runt prints has its control bytes escaped, whatever text it
/// names (here a command name given as such).
#[test]
fn error_lines_show_control_bytes_escaped() {
    let (root, name) = (rootfs(), unique_name());
    let command = format!("/bin/{HOSTILE_NAME}");
    let out = run_named(&name, &["--rootfs", root.as_str(), &command]);
    assert_error(&out, 127, "PWNED");
    assert!(!stderr(&out).contains(['\u{1b}', '\u{7}']), "{}", describe(&out));
}
