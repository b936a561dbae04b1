//! `runt run` at a terminal, used as a person would: a pty of the container's own (`-t`, `-it`),
//! typed into and resized; ^C, ^\, SIGTERM and a closed terminal ending a command that, as pid 1,
//! would ignore them; `--init`; and runc's foreground `run` and `exec -t` with a terminal but no
//! console socket. The terminal is `probe term` (tests/common/term.rs): a new pty with a session
//! on it, typed into by the test.

mod common;

use common::bundle::Bundle;
use common::term::Term;
use common::*;
use std::os::unix::fs::symlink;
use std::process::{Child, Command, Output};
use std::time::Duration;

/// A rootfs whose busybox also answers to `stty` and `tty`.
fn tty_rootfs() -> TempDir {
    require_busybox();
    let root = rootfs();
    for applet in ["stty", "tty"] {
        symlink("busybox", root.join("bin").join(applet)).expect("symlink applet");
    }
    root
}

/// The lines of `screen` that `stty -g` writes (the terminal's settings: colon-separated hex).
fn settings(screen: &str) -> Vec<String> {
    let is_settings = |l: &&str| l.split(':').count() > 20 && l.split(':').all(|w| u32::from_str_radix(w, 16).is_ok());
    screen.lines().map(str::trim).filter(is_settings).map(String::from).collect()
}

/// The terminal's settings before and after runt, as `stty -g` wrote them into `screen`: equal.
fn assert_restored(screen: &str) {
    let s = settings(screen);
    assert_eq!(s.len(), 2, "expected two `stty -g` lines:\n{screen}");
    assert_eq!(s[0], s[1], "runt left the terminal's settings changed:\n{screen}");
}

/// Waits until container `name` runs its command `comm` (its set-up is over: the signals it
/// handles are its own now); returns the pid of runt, its parent.
fn running(name: &str, comm: &str, t: Option<&Term>) -> u32 {
    let field_of = |pid: u32, key: &str| {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        field(&status, key).to_string()
    };
    let mut runt = None;
    let started = poll(|| {
        runt = cgroup_pids(name).into_iter().find(|&p| field_of(p, "Name:") == comm).map(|p| field_of(p, "PPid:"));
        runt.is_some()
    });
    assert!(started, "container {name} never ran {comm}:\n{}", t.map(Term::screen).unwrap_or_default());
    runt.and_then(|p| p.parse().ok()).expect("runt's pid")
}

/// Whether the terminal on the stdin of process `pid` is in raw mode, as the host's `stty` sees
/// it: no line editing, echo or signal keys.
fn raw_mode(pid: u32) -> bool {
    let out = Command::new("stty").args(["-F", &format!("/proc/{pid}/fd/0"), "-a"]).output().expect("run stty");
    let settings = stdout(&out);
    let words: Vec<_> = settings.split_whitespace().collect();
    ["-icanon", "-echo", "-isig"].iter().all(|w| words.contains(w))
}

/// Waits until runt (`pid`) has put its terminal in raw mode: the keys typed go to the
/// container's pty from then on.
fn wait_raw(pid: u32, t: &Term) {
    assert!(poll(|| raw_mode(pid)), "runt never put its terminal in raw mode:\n{}", t.screen());
}

/// Whether process `pid` has ended (gone, or a zombie its parent has yet to reap).
fn ended(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/status")).map_or(true, |s| field(&s, "State:").starts_with('Z'))
}

/// `runt run -it sh` typed at a shell: the container's shell reads what is typed on a pty of its
/// own with the terminal's size, sees its size change, and the terminal is as it was afterwards.
#[test]
fn run_it_is_an_interactive_terminal() {
    let (root, name) = (tty_rootfs(), unique_name());
    let mut t = Term::shell();
    let runt = runt();
    t.type_text(&format!(
        "stty -g; {} run --name {name} -it --rootfs {} sh; echo exit=$?; stty -g\r",
        runt.display(),
        root.as_str()
    ));
    t.wait_for("# ");
    // While it relays, runt's terminal is raw: every key goes to the container's line discipline.
    assert!(raw_mode(running(&name, "sh", Some(&t))), "runt's terminal is not in raw mode:\n{}", t.screen());
    t.type_text("echo hi-$((1+2)); tty; stty size\r");
    let shown = t.wait_for("# ");
    assert!(shown.contains("hi-3"), "the shell in the container did not run what was typed:\n{shown}");
    // The container's own pty, in its own devpts, with the size of the user's terminal.
    assert!(shown.contains("/dev/pts/0\r\n"), "not a pty of the container's:\n{shown}");
    assert!(shown.contains("30 100"), "the pty has not the terminal's size:\n{shown}");
    // The user resizes the window: a program in the container gets SIGWINCH, and the new size.
    t.type_text("/bin/probe winch\r");
    t.wait_for("ready");
    t.resize(40, 120);
    t.wait_for("winch 40 120");
    t.wait_for("# ");
    t.type_text("exit 7\r");
    t.wait_for("exit=7");
    t.wait_for("term$ ");
    assert_restored(&t.screen());
    assert_no_cgroup(&name);
}

/// Types ^C, then ^\, at `runt run OPTS sleep 30` run from a shell: each must end the
/// container, 130 and 131, in a few seconds, and the terminal be as it was.
fn keys_end_a_sleep(root: &TempDir, opts: &str) {
    let mut t = Term::shell();
    for (key, status) in [("\x03", 130), ("\x1c", 131)] {
        let name = unique_name();
        t.type_text(&format!(
            "stty -g; {} run --name {name} {opts} --rootfs {} sleep 30; echo exit=$?; stty -g\r",
            runt().display(),
            root.as_str()
        ));
        let runt = running(&name, "sleep", Some(&t));
        if opts == "-it" {
            wait_raw(runt, &t);
        }
        t.type_text(key);
        let shown = t.wait_within(&format!("exit={status}"), Duration::from_secs(5));
        let shown = shown.unwrap_or_else(|| panic!("{key:?} did not end the container with {status}:\n{}", t.screen()));
        assert_restored(&(shown + &t.wait_for("term$ ")));
        assert_no_cgroup(&name);
    }
}

/// ^C and ^\ typed at `runt run -it` reach the pty, whose line discipline signals pid 1: a `sleep`
/// that would die of them ends, 130 and 131, and the terminal is as it was.
#[test]
fn run_it_ctrl_c_ends_a_sleep() {
    keys_end_a_sleep(&tty_rootfs(), "-it");
}

/// Without -t, ^C and ^\ at runt's terminal signal runt, which ends a pid 1 that would ignore them.
#[test]
fn run_ctrl_c_at_the_terminal_ends_a_sleep() {
    keys_end_a_sleep(&rootfs(), "");
}

/// A signal sent to runt that would end an ordinary program ends the container, whose pid 1
/// does not handle it, at once: 128+N, nothing left.
#[test]
fn signals_that_end_a_program_end_a_pid_1_that_ignores_them() {
    let root = rootfs();
    for (signal, status) in [("TERM", 143), ("INT", 130), ("HUP", 129), ("QUIT", 131), ("USR1", 138)] {
        let name = unique_name();
        let child = spawn_in(&root, &name, "/bin/probe sleep 30");
        running(&name, "probe", None);
        let out = ended_by(signal, child, &name);
        assert_eq!(code(&out), status, "SIG{signal}\n{}", describe(&out));
        assert_eq!(stderr(&out), "", "SIG{signal}");
        assert_no_cgroup(&name);
    }
}

/// Sends `signal` to runt (`child`, running container `name`), which must end within 5 s: its
/// output then.
fn ended_by(signal: &str, child: Child, name: &str) -> Output {
    kill(signal, child.id());
    let Some(out) = wait_within(child, Duration::from_secs(5)) else {
        remove_cgroup_of_killed_runt(name);
        panic!("SIG{signal} did not end container {name} within 5 s");
    };
    out
}

/// The cgroup a runt killed after a test's time limit leaves behind, once its container has died
/// with it: removed, so that a failing test leaves nothing.
fn remove_cgroup_of_killed_runt(name: &str) {
    poll_within(Duration::from_secs(60), || cgroup_pids(name).is_empty());
    for dir in cgroup_paths(name).iter().filter(|p| p.exists()) {
        let _ = std::fs::remove_dir(dir);
    }
}

/// A pid 1 that handles a signal gets it and decides (the shell's trap runs, twice, and the
/// container goes on); one it does not handle still ends it.
#[test]
fn a_handled_signal_is_passed_on() {
    let (root, name) = (tty_rootfs(), unique_name());
    let script = "trap 'echo trapped' TERM; echo ready; while :; do sleep 0.1; done";
    let mut child = spawn_named(&name, &["--rootfs", root.as_str(), "sh", "-c", script]);
    let lines = stdout_lines(&mut child);
    assert_eq!(next_line(&lines), "ready");
    for _ in 0..2 {
        kill("TERM", child.id());
        assert_eq!(next_line(&lines), "trapped");
    }
    let out = ended_by("HUP", child, &name);
    assert_eq!(code(&out), 129, "{}", describe(&out));
    assert_no_cgroup(&name);
}

/// The user's terminal closes under runt (runt leads its session, as under a terminal emulator
/// or sshd): the kernel's SIGHUP ends the container, whose pid 1 does not handle it.
#[test]
fn closing_the_terminal_ends_the_container() {
    let (root, name) = (rootfs(), unique_name());
    let runt = runt();
    let mut t = Term::new(&[
        runt.to_str().expect("UTF-8 path"),
        "run",
        "--name",
        &name,
        "--rootfs",
        root.as_str(),
        "sleep",
        "30",
    ]);
    let runt = running(&name, "sleep", Some(&t));
    t.hang_up();
    assert_eq!(t.exit_status(), "129", "{}", t.screen());
    assert!(ended(runt));
    assert_no_cgroup(&name);
}

/// The same under a shell that passes no SIGHUP on to its jobs: `runt run -it` sees its
/// terminal hang up (its stdin ends) and ends the container.
#[test]
fn closing_the_terminal_of_run_it_ends_the_container() {
    let (root, name) = (tty_rootfs(), unique_name());
    let mut t = Term::shell();
    t.type_text(&format!("{} run --name {name} -it --rootfs {} sleep 30\r", runt().display(), root.as_str()));
    let runt = running(&name, "sleep", Some(&t));
    wait_raw(runt, &t);
    t.hang_up();
    let gone = poll_within(Duration::from_secs(5), || !cgroup_exists(&name));
    assert!(gone, "the container outlived its closed terminal: {:?}", cgroup_pids(&name));
    assert!(poll(|| ended(runt)), "runt outlived its closed terminal");
}

/// `-t` alone: a pty (the container sees a terminal), its output relayed, runt's stdin not read.
#[test]
fn run_t_without_i_shows_a_terminal() {
    let (root, name) = (tty_rootfs(), unique_name());
    let out = run_named(&name, &["--rootfs", root.as_str(), "-t", "sh", "-c", "tty"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(stdout(&out).starts_with("/dev/pts/0\r\n"), "{}", describe(&out));
}

/// With --init, an orphan is reaped; without, it stays a zombie of the command's.
#[test]
fn init_reaps_zombies() {
    let root = rootfs();
    // The control: the probe as pid 1 reaps nothing it did not start, the orphan stays a zombie.
    let out = run_in(&root, &unique_name(), "/bin/probe orphan 1");
    assert_eq!(ok_stdout(&out), "zombie\n", "the test sees no zombie: it proves nothing");
    let out = run_in(&root, &unique_name(), "--init /bin/probe orphan 10");
    assert_eq!(ok_stdout(&out), "reaped\n", "{}", describe(&out));
}

/// --init: runt's init is pid 1, the command its child; the command's status is runt's, and
/// signals reach the command, which can die of them.
#[test]
fn init_exits_with_the_commands_status_and_passes_signals_on() {
    let root = tty_rootfs();
    let out = run_in(&root, &unique_name(), "--init /bin/probe exit 3");
    assert_eq!(code(&out), 3, "{}", describe(&out));
    // pid 1 is runt's init; the command is its first child.
    let out = run_in(&root, &unique_name(), "--init /bin/probe pid");
    assert_eq!(ok_stdout(&out), "2\n");
    // The command is not pid 1: it can die of a signal it has no handler for.
    let out = run_named(&unique_name(), &["--rootfs", root.as_str(), "--init", "sh", "-c", "kill -TERM $$"]);
    assert_eq!(code(&out), 143, "{}", describe(&out));
    let out = run_in(&root, &unique_name(), "--init /bin/nope");
    assert_error(&out, 127, "exec /bin/nope: no such file or directory");
    // runt -> init -> command.
    let name = unique_name();
    let mut child = spawn_in(&root, &name, "--init /bin/probe wait-signal");
    let lines = stdout_lines(&mut child);
    assert_eq!(next_line(&lines), "ready");
    kill("USR1", child.id());
    assert_eq!(next_line(&lines), "got signal 10");
    assert_eq!(code(&wait(child)), 0);
    let name = unique_name();
    let child = spawn_in(&root, &name, "--init sleep 30");
    running(&name, "sleep", None);
    let out = ended_by("TERM", child, &name);
    assert_eq!(code(&out), 143, "{}", describe(&out));
    assert_no_cgroup(&name);
}

/// The status line `key` of /proc/PID/status as `text` holds it.
fn field<'a>(text: &'a str, key: &str) -> &'a str {
    text.lines().find_map(|l| l.strip_prefix(key)).map_or("<none>", str::trim)
}

/// runt's init lives in the container as long as it does: it must hold nothing the container has
/// not got. Looked at from the container (its status; ptrace, /proc/1/fd and exe refused) and from
/// the host (no descriptor open, its executable the sealed copy of runt).
#[test]
fn init_holds_nothing() {
    let (root, name) = (tty_rootfs(), unique_name());
    let script = "probe read /proc/1/status; probe reach 1; echo done; sleep 30";
    let mut child = spawn_named(&name, &["--rootfs", root.as_str(), "--init", "sh", "-c", script]);
    let lines = stdout_lines(&mut child);
    let mut seen = Vec::new();
    while seen.last().map(String::as_str) != Some("done") {
        seen.push(next_line(&lines));
    }
    let status = seen.join("\n");
    for key in ["CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:"] {
        assert_eq!(field(&status, key), "0000000000000000", "{key} of the init\n{status}");
    }
    assert_eq!(field(&status, "NoNewPrivs:"), "1", "{status}");
    assert_eq!(field(&status, "Seccomp:"), "2", "{status}");
    // Its descriptors: none to read, or no way to read them.
    for what in ["seize: error", "exe: error"] {
        assert!(status.contains(what), "the container reached its init ({what} expected):\n{status}");
    }
    assert!(matches!(field(&status, "fd:"), "ok 0") || field(&status, "fd:").starts_with("error"), "{status}");
    // On the host: the process whose pid in the container is 1.
    let init = cgroup_pids(&name)
        .into_iter()
        .find(|p| {
            let s = std::fs::read_to_string(format!("/proc/{p}/status")).unwrap_or_default();
            field(&s, "NSpid:").split_whitespace().last() == Some("1")
        })
        .expect("the container's init on the host");
    let fds: Vec<_> = std::fs::read_dir(format!("/proc/{init}/fd")).expect("read the init's fds").collect();
    assert!(fds.is_empty(), "the init holds descriptors: {fds:?}");
    let seals = std::process::Command::new(probe()).args(["seals", &format!("/proc/{init}/exe")]).output();
    let seals = stdout(&seals.expect("run probe seals"));
    assert!(seals.contains("seal shrink grow write"), "the init runs from a writable file: {seals}");
    kill("TERM", child.id());
    assert_eq!(code(&wait(child)), 143);
    assert_no_cgroup(&name);
}

/// runc's foreground `run` of a config with process.terminal and no console socket, at a
/// terminal: runt relays a pty of the container's, as runc and crun do.
#[test]
fn oci_run_with_a_terminal_and_no_console_socket() {
    let root = tty_rootfs();
    let b = Bundle::new(&root, &["sh"]);
    let config = b.dir.join("config.json");
    let text =
        std::fs::read_to_string(&config).expect("read config.json").replace("\"terminal\":false", "\"terminal\":true");
    std::fs::write(&config, text).expect("write config.json");
    let id = unique_name();
    b.track(&id);
    let words = format!("{} run --bundle {} {id}", b.runt_words(), b.dir.as_str());
    let mut t = Term::new(&words.split(' ').collect::<Vec<_>>());
    t.wait_for("# ");
    t.type_text("echo hi-$((1+2)); tty; stty size; exit 4\r");
    let status = t.exit_status();
    let screen = t.screen();
    assert!(screen.contains("hi-3") && screen.contains("/dev/pts/0\r\n") && screen.contains("30 100"), "{screen}");
    assert_eq!(status, "4", "{screen}");
}

/// `runt exec -t` without a console socket, at a terminal: a pty relayed by runt.
#[test]
fn oci_exec_t_with_no_console_socket() {
    let root = tty_rootfs();
    let b = Bundle::new(&root, &["probe", "sleep", "60"]);
    let id = unique_name();
    b.start_new(&id, &[]);
    let words = format!("{} exec -t {id} sh", b.runt_words());
    let mut t = Term::new(&words.split(' ').collect::<Vec<_>>());
    t.wait_for("# ");
    t.type_text("echo hi-$((1+2)); tty; exit 5\r");
    let status = t.exit_status();
    let screen = t.screen();
    assert!(screen.contains("hi-3") && screen.contains("/dev/pts/"), "{screen}");
    assert_eq!(status, "5", "{screen}");
}
