//! runt's own binary and processes, attacked from inside a container.
//!
//! CVE-2019-5736: a container process reopens the runtime's executable through /proc/PID/exe (of a
//! runt process that joined the container, or of runt itself run as a container process by a
//! `#!/proc/self/exe` script) and overwrites it once no runt runs. CVE-2016-9962: the container's
//! root ptraces a runt process that lives in its namespaces, or reads that process's descriptors
//! through /proc/PID/fd.
//!
//! Each test runs a copy of runt (named `runt`, in a directory of its own) for everything it
//! starts, and ends by comparing the copy's bytes with the original's: the attacks write `PWNED`
//! at offset 0. The attackers are probe commands (`hunt`, `stalk`, `reach`, `send-exe`) whose
//! findings are logged to a directory shared with the host; every test also checks that its
//! attacker really met its target, so that none can pass by missing it.

mod common;

use common::user::TestUser;
use common::*;
use std::cell::RefCell;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::thread;
use std::time::Duration;

/// Docker's default capability set: the attackers hold no more than any default container.
const CAPS: &str = r#"["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_FSETID","CAP_KILL","CAP_SETGID","CAP_SETUID","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_NET_RAW","CAP_SYS_CHROOT","CAP_MKNOD","CAP_AUDIT_WRITE","CAP_SETFCAP"]"#;

/// A script whose interpreter is whatever executable runs it: the kernel resolves the magic link
/// in the process that calls execve, so a runt that execs it runs itself as a container process.
const EVIL: &str = "#!/proc/self/exe\n";

/// How long the attackers get to finish their work once no runt runs any more.
const GRACE: Duration = Duration::from_secs(1);

/// A PATH whose first 30,000 entries do not exist: a runt that searches it for the command
/// spends tens of milliseconds between dropping its capabilities and execve, the window the
/// attacks on the exec helper aim at. 90 KB, within the 128 KiB limit on one argument.
fn long_path() -> String {
    format!("PATH={}/bin", "/x:".repeat(30_000))
}

/// One test's world, in a directory every user can reach: `runt` (the copy under attack),
/// `rootfs/` (busybox with rm and ln too, the probe, /bin/evil, the mount point /shared), `state/` (runt's --root),
/// `shared/` (bound at /shared in every container: the attacker's log and socket), and a bundle
/// directory and output file per container. Rootless, the copy, state/ and shared/ belong to the
/// test user, whose container root can then write what that user owns.
struct Lab {
    dir: TempDir,
    original: Vec<u8>,
    user: Option<TestUser>,
    /// Every container of the lab also holds CAP_SYS_PTRACE.
    ptrace: bool,
    /// The containers to delete at the end, whatever happened.
    ids: RefCell<Vec<String>>,
}

impl Lab {
    fn new() -> Lab {
        Lab::build(None)
    }

    fn rootless() -> Lab {
        Lab::build(Some(TestUser::new()))
    }

    fn build(user: Option<TestUser>) -> Lab {
        require_busybox();
        let dir = TempDir::shared("runt-exe");
        let original = fs::read(runt()).expect("read the runt binary");
        fs::write(dir.join("runt"), &original).expect("copy runt");
        fs::set_permissions(dir.join("runt"), fs::Permissions::from_mode(0o755)).expect("chmod runt");
        let rootfs = dir.join("rootfs");
        fs::create_dir(&rootfs).expect("mkdir rootfs");
        fill_rootfs(&rootfs);
        fs::write(rootfs.join("bin/evil"), EVIL).expect("write /bin/evil");
        fs::set_permissions(rootfs.join("bin/evil"), fs::Permissions::from_mode(0o755)).expect("chmod evil");
        fs::create_dir(rootfs.join("shared")).expect("mkdir rootfs/shared");
        for applet in ["rm", "ln"] {
            std::os::unix::fs::symlink("busybox", rootfs.join("bin").join(applet)).expect("symlink applet");
        }
        for sub in ["state", "shared"] {
            fs::create_dir(dir.join(sub)).expect("mkdir");
        }
        if let Some(u) = &user {
            for owned in ["runt", "state", "shared"] {
                std::os::unix::fs::chown(dir.join(owned), Some(u.uid), Some(u.gid)).expect("chown to the test user");
            }
        }
        Lab { dir, original, user, ptrace: false, ids: RefCell::new(Vec::new()) }
    }

    /// The lab, its containers given CAP_SYS_PTRACE (non-dumpable runt processes are then
    /// within their reach: what is left to protect them is where they are when they can be seen).
    fn with_ptrace(mut self) -> Lab {
        self.ptrace = true;
        self
    }

    /// A file only the host's tree has (in the lab directory), named as `roothunt` takes it: its
    /// path without the leading `/`.
    fn host_marker(&self) -> String {
        fs::write(self.dir.join("host-marker"), "the host's tree\n").expect("write the marker");
        self.path("host-marker").trim_start_matches('/').to_string()
    }

    /// Panics if the attacker created anything next to the host marker.
    fn assert_no_escape(&self, log: &str) {
        let escaped = self.dir.join("host-marker.escaped");
        assert!(!escaped.exists(), "a container wrote {} on the host through /proc/PID/root\n{log}", escaped.display());
        assert!(!log.contains("\nreached "), "a container reached the host's tree\n{log}");
    }

    fn path(&self, rel: &str) -> String {
        self.dir.join(rel).to_str().expect("test paths are UTF-8").to_string()
    }

    /// The copy of runt with `--root state/`, run as the test user when rootless; stdin null,
    /// output piped.
    fn command(&self) -> Command {
        let copy = self.dir.join("runt");
        let mut cmd = match &self.user {
            Some(u) => u.command(&copy),
            None => Command::new(&copy),
        };
        cmd.args(["--root", &self.path("state")]).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd
    }

    /// `runt --root state/ ARGS...` through the copy, waited for.
    fn runt(&self, args: &[&str]) -> Output {
        wait(self.command().args(args).spawn().expect("spawn the copy of runt"))
    }

    /// Writes bundle `id/config.json` for a container running `args`: default capabilities,
    /// no seccomp filter (the default profile refuses ptrace outright: the attackers must get as
    /// far as the kernel's own checks), /shared bound read-write, the rootfs read-only; in a new
    /// pid namespace, or in `joined_pid`'s.
    fn bundle(&self, id: &str, args: &[&str], joined_pid: Option<u32>) -> String {
        assert!(args.iter().all(|a| !a.contains(['"', '\\'])), "arguments are written to JSON as they are");
        let args = args.iter().map(|a| format!("\"{a}\"")).collect::<Vec<_>>().join(",");
        let pid_ns = match joined_pid {
            Some(pid) => format!(r#"{{"type":"pid","path":"/proc/{pid}/ns/pid"}}"#),
            None => r#"{"type":"pid"}"#.to_string(),
        };
        let caps = if self.ptrace { CAPS.replace(']', r#","CAP_SYS_PTRACE"]"#) } else { CAPS.to_string() };
        let user_ns = match &self.user {
            Some(u) => format!(
                r#",{{"type":"user"}}],"uidMappings":[{{"containerID":0,"hostID":{},"size":1}}],"gidMappings":[{{"containerID":0,"hostID":{},"size":1}}]"#,
                u.uid, u.gid
            ),
            None => "]".to_string(),
        };
        let config = format!(
            r#"{{"ociVersion":"1.2.0",
"process":{{"user":{{"uid":0,"gid":0}},"args":[{args}],"env":["PATH=/bin"],"cwd":"/",
 "capabilities":{{"bounding":{caps},"effective":{caps},"permitted":{caps}}},"noNewPrivileges":true}},
"root":{{"path":"{rootfs}","readonly":true}},
"mounts":[{{"destination":"/proc","type":"proc","source":"proc"}},
 {{"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","mode=755"]}},
 {{"destination":"/dev/pts","type":"devpts","source":"devpts","options":["newinstance","ptmxmode=0666"]}},
 {{"destination":"/shared","type":"bind","source":"{shared}","options":["rbind","rw"]}}],
"linux":{{"namespaces":[{pid_ns},{{"type":"ipc"}},{{"type":"uts"}},{{"type":"mount"}}{user_ns}}}}}"#,
            rootfs = self.path("rootfs"),
            shared = self.path("shared"),
        );
        let bundle = self.dir.join(id);
        fs::create_dir(&bundle).expect("mkdir bundle");
        fs::write(bundle.join("config.json"), config).expect("write config.json");
        self.path(id)
    }

    /// `runt create` of bundle `id` (see [`Lab::bundle`]); the container's stdout goes to
    /// `id.out`, its stderr there too unless `stderr` is given. Asserts that create succeeded.
    fn create(&self, id: &str, args: &[&str], joined_pid: Option<u32>, stderr: Option<Stdio>) {
        let bundle = self.bundle(id, args, joined_pid);
        let out_path = self.dir.join(&format!("{id}.out"));
        let out = fs::File::create(&out_path).expect("create the container's output file");
        let err = match stderr {
            Some(s) => s,
            None => out.try_clone().expect("dup the output file").into(),
        };
        self.ids.borrow_mut().push(id.to_string());
        let mut cmd = self.command();
        cmd.args(["create", "--bundle", &bundle, id]).stdout(out).stderr(err);
        let child = cmd.spawn().expect("spawn runt create");
        // The command holds the pipe's write end too: only the container may keep it open.
        drop(cmd);
        let result = wait(child);
        let said = fs::read_to_string(&out_path).unwrap_or_default();
        assert_eq!(code(&result), 0, "runt create {id} failed: {said}");
    }

    /// `runt start ID`, asserted to succeed.
    fn start(&self, id: &str) {
        let out = self.runt(&["start", id]);
        assert_eq!(code(&out), 0, "runt start {id}\n{}", describe(&out));
    }

    /// `runt exec ID probe exit 0` `times` times, each with [`long_path`]; stops early once the
    /// copy of runt is changed (it could not run any more).
    fn exec_slowly(&self, id: &str, times: usize) {
        let path = long_path();
        for _ in 0..times {
            if self.changed() {
                break;
            }
            let out = self.runt(&["exec", "-e", &path, id, "probe", "exit", "0"]);
            assert_eq!(code(&out), 0, "runt exec\n{}", describe(&out));
        }
    }

    /// The host pid of container `id`'s init, from `runt state`.
    fn pid(&self, id: &str) -> u32 {
        let text = ok_stdout(&self.runt(&["state", id]));
        let rest = text.split("\"pid\":").nth(1).unwrap_or_else(|| panic!("no pid in the state of {id}: {text}"));
        rest.trim_start().split(|c: char| !c.is_ascii_digit()).next().and_then(|n| n.parse().ok()).expect("a pid")
    }

    /// Starts a container running `probe CMD /shared` (`hunt` or `stalk`), waits until it has
    /// logged `ready`, and returns its id.
    fn attacker(&self, cmd: &str) -> String {
        self.attacker_running(&["probe", cmd, "/shared"])
    }

    /// [`Lab::attacker`] for a command line of its own.
    fn attacker_running(&self, args: &[&str]) -> String {
        let id = unique_name();
        self.create(&id, args, None, None);
        self.start(&id);
        assert!(self.wait_log(|l| l == "ready", Duration::from_secs(10)), "the attacker {args:?} never got ready");
        id
    }

    fn log(&self) -> String {
        fs::read_to_string(self.dir.join("shared/log")).unwrap_or_default()
    }

    /// Polls the attacker's log until a line satisfies `what`, up to `limit`.
    fn wait_log(&self, what: impl Fn(&str) -> bool, limit: Duration) -> bool {
        poll_within(limit, || self.log().lines().any(&what))
    }

    /// Tells the attacker to stop and returns its whole log, ending in its `done` line.
    fn stop_attacker(&self) -> String {
        fs::write(self.dir.join("shared/stop"), "").expect("write the stop file");
        let done = self.wait_log(|l| l.starts_with("done "), Duration::from_secs(10));
        let log = self.log();
        assert!(done, "the attacker did not finish:\n{log}");
        // Shown with --nocapture: what the attacker saw, also when it got nowhere.
        eprintln!("attacker's log:\n{log}");
        log
    }

    /// Whether the copy of runt is no longer what it was (it then cannot run any more).
    fn changed(&self) -> bool {
        fs::read(self.dir.join("runt")).ok().as_ref() != Some(&self.original)
    }

    /// The test's last word: the copy of runt is byte for byte what it was.
    fn assert_unchanged(&self, log: &str) {
        let now = fs::read(self.dir.join("runt")).expect("read the copy of runt");
        assert!(
            now == self.original,
            "the copy of runt was overwritten from inside a container (it now starts {:?})\nattacker's log:\n{log}",
            String::from_utf8_lossy(&now[..now.len().min(8)])
        );
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        // With the original binary, as root: the copy may be what the attack broke.
        let state = self.path("state");
        for id in self.ids.borrow().iter() {
            let _ = Command::new(runt()).args(["--root", &state, "delete", "--force", id]).output();
        }
    }
}

/// A pipe that is full already, so that a process writing to it blocks until the other end is
/// read: it keeps runt-run-as-a-container-process alive while the attacker takes hold of it.
fn full_pipe() -> (std::io::PipeReader, std::io::PipeWriter) {
    let (reader, mut writer) = std::io::pipe().expect("pipe");
    let (tx, rx) = std::sync::mpsc::channel();
    let filler = thread::spawn(move || {
        // 64 KiB: the default capacity of a pipe.
        let _ = writer.write_all(&[b'.'; 65536]);
        let _ = tx.send(());
        writer
    });
    assert!(rx.recv_timeout(Duration::from_secs(5)).is_ok(), "the pipe holds less than 64 KiB");
    (reader, filler.join().expect("pipe filler"))
}

/// Reads the pipe to its end in the background, which unblocks its writers.
fn drain(mut reader: std::io::PipeReader) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut all = Vec::new();
        let _ = reader.read_to_end(&mut all);
        all
    })
}

/// The comm of host pid `pid` ("" once it is gone).
fn comm(pid: u32) -> String {
    fs::read_to_string(format!("/proc/{pid}/comm")).map(|c| c.trim_end().to_string()).unwrap_or_default()
}

/// The memfd seals of what host pid `pid` executes, as the probe (run on the host) reports them.
fn exe_seals(pid: u32) -> String {
    let out = Command::new(probe()).args(["seals", &format!("/proc/{pid}/exe")]).output().expect("run probe seals");
    String::from_utf8_lossy(&out.stdout).trim_end().to_string()
}

/// Whether a `seals` report says the file can be neither written nor resized, nor its seals changed.
fn sealed(report: &str) -> bool {
    let set: Vec<&str> = report.strip_prefix("seals: ").unwrap_or("").split(' ').collect();
    ["seal", "shrink", "grow", "write"].iter().all(|s| set.contains(s))
}

// ---------------------------------------------------------------------------------------------
// CVE-2019-5736: the binary.

#[test]
fn racing_exe_opener_cannot_overwrite_runt_during_exec() {
    let lab = Lab::new();
    let id = lab.attacker("hunt");
    lab.exec_slowly(&id, 20);
    // Once no runt runs, the file is no longer busy: that is when the hunter's write would land.
    lab.wait_log(|l| l.starts_with("wrote "), GRACE);
    let log = lab.stop_attacker();
    let saw_runt = log.lines().any(|l| l.starts_with("seen ") && l.ends_with(" runt"));
    assert!(saw_runt, "the hunter never saw a runt exec helper: the test proves nothing\n{log}");
    lab.assert_unchanged(&log);
    assert!(!log.contains("\nwrote "), "{log}");
}

#[test]
fn shebang_proc_self_exe_cannot_overwrite_runt_through_exec() {
    let lab = Lab::new();
    let id = lab.attacker("hunt");
    // The script's runt blocks on its usage error until the pipe is read.
    let (reader, writer) = full_pipe();
    let mut cmd = lab.command();
    cmd.args(["exec", &id, "/bin/evil"]).stderr(writer);
    let exec = cmd.spawn().expect("spawn runt exec");
    drop(cmd);
    let found = lab.wait_log(|l| l.starts_with("seen ") && l.ends_with(" evil"), Duration::from_secs(10));
    // The hunter holds its exe, or was refused it: either way it had its chance while it ran.
    let tried = |l: &str| (l.starts_with("held ") || l.starts_with("denied ")) && l.split(' ').nth(2) == Some("evil");
    lab.wait_log(tried, Duration::from_secs(10));
    let drained = drain(reader);
    let out = wait(exec);
    drained.join().expect("pipe reader");
    lab.wait_log(|l| l.starts_with("wrote "), GRACE);
    let log = lab.stop_attacker();
    assert!(found, "the hunter never saw the script run: the test proves nothing\n{}\n{log}", describe(&out));
    lab.assert_unchanged(&log);
    assert!(!log.contains("\nwrote "), "{log}");
}

/// The container's own first command is the `#!/proc/self/exe` script: its pid 1 is then a runt
/// run as a container process. What it executes must be a sealed copy (checked from the host),
/// and an O_PATH handle of it, passed to a second container through a socket on a shared volume
/// (`send-exe`, run by `runt exec`, when `pass_on`), must not let that container write the copy
/// once the first is gone.
fn first_command_shebang(lab: &Lab, pass_on: bool) {
    if pass_on {
        lab.attacker("hunt");
    }
    let id = unique_name();
    let (reader, writer) = full_pipe();
    lab.create(&id, &["/bin/evil"], None, Some(writer.into()));
    lab.start(&id);
    let pid = lab.pid(&id);
    let became = poll(|| comm(pid) == "evil");
    let seals = exe_seals(pid);
    let sent = if pass_on {
        let out = lab.runt(&["exec", &id, "probe", "send-exe", "1", "/shared/sock"]);
        let got = lab.wait_log(|l| l.starts_with("held sent "), Duration::from_secs(10));
        Some((stdout(&out), got))
    } else {
        None
    };
    drain(reader).join().expect("pipe reader");
    assert!(poll(|| !Path::new(&format!("/proc/{pid}")).exists() || comm(pid).is_empty()), "pid 1 did not exit");
    let log = if pass_on {
        lab.wait_log(|l| l.starts_with("wrote "), GRACE);
        lab.stop_attacker()
    } else {
        String::new()
    };
    assert!(became, "the container's init never ran /bin/evil (comm {:?})", comm(pid));
    lab.assert_unchanged(&log);
    assert!(sealed(&seals), "the container's pid 1 runs a file that is not a sealed memfd: {seals}");
    if let Some((said, got)) = sent {
        assert_eq!(said, "ok\n", "send-exe");
        assert!(got, "the hunter never received the handle\n{log}");
        assert!(!log.contains("\nwrote "), "{log}");
    }
}

#[test]
fn first_command_shebang_is_a_sealed_copy_of_runt() {
    first_command_shebang(&Lab::new(), true);
}

#[test]
fn rootless_first_command_shebang_is_a_sealed_copy_of_runt() {
    // No exec here: runt cannot join a rootless container's pid namespace from outside it.
    first_command_shebang(&Lab::rootless(), false);
}

/// `runt run` (runt's own command line) of the script: the same check from the host, on the
/// child of runt that is the container's pid 1. runt run executes the command through its exec
/// trampoline (src/sys/trampoline.rs): the script's interpreter is that sealed program, which
/// refuses to run as one (its message waits in the full pipe meanwhile) and exits 126.
fn run_shebang(lab: &Lab) {
    let (reader, writer) = full_pipe();
    let mut cmd = lab.command();
    let name = unique_name();
    cmd.args(["run", "--name", &name, "--rootfs", &lab.path("rootfs"), "/bin/evil"]).stderr(writer);
    let run = cmd.spawn().expect("spawn runt run");
    drop(cmd);
    let children = format!("/proc/{0}/task/{0}/children", run.id());
    let child = || fs::read_to_string(&children).ok()?.split_whitespace().next()?.parse::<u32>().ok();
    let became = poll(|| child().is_some_and(|pid| comm(pid) == "evil"));
    let seals = child().map(exe_seals).unwrap_or_default();
    let said = drain(reader).join().expect("pipe reader");
    let out = wait(run);
    assert!(became, "the container never ran /bin/evil\n{}", describe(&out));
    lab.assert_unchanged("");
    assert!(sealed(&seals), "the container's pid 1 runs a file that is not a sealed memfd: {seals}");
    // After the bytes that filled the pipe.
    let said = String::from_utf8_lossy(&said);
    assert_eq!(
        (code(&out), said.trim_start_matches('.')),
        (126, "runt: this is runt's exec trampoline, which only runt runs\n")
    );
}

#[test]
fn run_shebang_is_a_sealed_copy_of_runt() {
    run_shebang(&Lab::new());
}

#[test]
fn rootless_run_shebang_is_a_sealed_copy_of_runt() {
    run_shebang(&Lab::rootless());
}

// ---------------------------------------------------------------------------------------------
// CVE-2016-9962: the processes.

/// A created container's init is runt code with the container's capabilities, waiting for
/// `start`. A second container that joins its pid namespace (as the containers of a pod do) must
/// not reach it: no ptrace, no /proc/PID/fd, no /proc/PID/exe. The control: the same probe against
/// a child of its own.
#[test]
fn created_init_is_out_of_reach_of_a_container_in_its_pid_namespace() {
    let lab = Lab::new();
    let id = unique_name();
    lab.create(&id, &["probe", "exit", "0"], None, None);
    let pid = lab.pid(&id);
    let run_in_its_pid_ns = |args: &[&str]| {
        let other = unique_name();
        let bundle = lab.bundle(&other, args, Some(pid));
        lab.runt(&["run", "--bundle", &bundle, &other])
    };
    let control = run_in_its_pid_ns(&["probe", "reach", "child"]);
    let attack = run_in_its_pid_ns(&["probe", "reach", "1"]);
    let said = stdout(&control);
    let lines: Vec<&str> = said.lines().collect();
    assert!(
        lines.len() == 3 && lines[0] == "seize: ok" && lines[1].starts_with("fd: ok ") && lines[2] == "exe: ok",
        "control: the probe cannot reach even its own child\n{}",
        describe(&control)
    );
    lab.assert_unchanged("");
    assert_eq!(
        stdout(&attack),
        "seize: error: Operation not permitted\nfd: error: Permission denied\nexe: error: Permission denied\n",
        "the container reached the waiting runt init\n{}",
        describe(&attack)
    );
}

/// The exec helper, stepped through with SIGSTOP/SIGCONT by a stalker in the container while its
/// long PATH search keeps it between the capability drop and execve: never ptrace-able, its
/// descriptors never readable.
#[test]
fn exec_helper_is_out_of_reach_of_ptrace_and_proc_fd() {
    let lab = Lab::new();
    let id = lab.attacker("stalk");
    lab.exec_slowly(&id, 5);
    let log = lab.stop_attacker();
    assert!(log.lines().any(|l| l.starts_with("observed ")), "the stalker never caught a runt helper\n{log}");
    lab.assert_unchanged(&log);
    let done = log.lines().find(|l| l.starts_with("done ")).unwrap_or("");
    assert!(done.ends_with(" succeeded=0"), "the container reached the exec helper\n{log}");
}

/// The runt processes a container can see, seen by one holding CAP_SYS_PTRACE (which the kernel
/// lets past non-dumpable): each must already be inside the container's mount namespace and
/// root when it appears in the container's pid namespace. An `exec` helper that enters the pid
/// namespace first and the mount namespace later has the host's `/` as its root meanwhile, and
/// /proc/PID/root of it is the host's tree.
#[test]
fn exec_helper_is_in_the_containers_root_before_the_container_sees_it() {
    let lab = Lab::new().with_ptrace();
    let marker = lab.host_marker();
    let id = lab.attacker_running(&["probe", "roothunt", "/shared", &marker]);
    lab.exec_slowly(&id, 20);
    let log = lab.stop_attacker();
    assert!(!log.contains(" runt=0 "), "the hunter never saw a runt process: the test proves nothing\n{log}");
    lab.assert_no_escape(&log);
}

/// The same for a container that joins another's pid namespace (as a pod's do): its runt init
/// sets up the root (from the host's) before the pod's containers may see it. Each joiner is
/// created and waits for `start` as runt code, visible to the pod; its state names the process
/// in the pod's pid namespace and its root.
#[test]
fn init_joining_a_pid_namespace_is_in_its_root_before_the_pod_sees_it() {
    let lab = Lab::new().with_ptrace();
    let marker = lab.host_marker();
    let id = lab.attacker_running(&["probe", "roothunt", "/shared", &marker]);
    let pod = lab.pid(&id);
    let pod_ns = fs::read_link(format!("/proc/{pod}/ns/pid")).expect("the pod's pid namespace");
    let mut joiners = Vec::new();
    for _ in 0..20 {
        let other = unique_name();
        lab.create(&other, &["probe", "pid"], Some(pod), None);
        let pid = lab.pid(&other);
        assert_eq!(fs::read_link(format!("/proc/{pid}/ns/pid")).ok(), Some(pod_ns.clone()), "state of {other}");
        let root = Path::new("/proc").join(pid.to_string()).join("root");
        let inside = root.join("bin/probe").exists() && !root.join(&marker).exists();
        assert!(inside, "the pid in the state of {other} is not in the container's root");
        joiners.push(other);
    }
    let last = joiners.last().expect("a joiner");
    lab.start(last);
    let said = poll(|| fs::read_to_string(lab.dir.join(&format!("{last}.out"))).is_ok_and(|t| t.ends_with('\n')));
    let out = fs::read_to_string(lab.dir.join(&format!("{last}.out"))).unwrap_or_default();
    assert!(said && out.trim().parse::<u32>().is_ok_and(|p| p > 1), "the joiner's command did not run: {out:?}");
    let log = lab.stop_attacker();
    assert!(!log.contains(" runt=0 "), "the hunter never saw a runt process: the test proves nothing\n{log}");
    lab.assert_no_escape(&log);
}

// ---------------------------------------------------------------------------------------------
// Files runt reads inside the container.

/// A FIFO in place of the container's /etc/passwd (which `runt exec` reads for HOME when the
/// environment has none) must not leave runt waiting for a writer forever.
#[test]
fn exec_does_not_hang_on_a_fifo_for_etc_passwd() {
    let lab = Lab::new();
    let id = unique_name();
    lab.create(&id, &["probe", "sleep", "60"], None, None);
    lab.start(&id);
    // What the container's root could do on a writable rootfs, done from the host.
    let passwd = lab.dir.join("rootfs/etc/passwd");
    fs::remove_file(&passwd).expect("rm passwd");
    let made = Command::new("mkfifo").arg(&passwd).status().expect("run mkfifo");
    assert!(made.success(), "mkfifo {}", passwd.display());
    let exec = lab.command().args(["exec", &id, "probe", "env"]).spawn().expect("spawn runt exec");
    let out = wait_within(exec, Duration::from_secs(10)).expect("runt exec hung on the FIFO /etc/passwd");
    assert!(ok_stdout(&out).lines().any(|l| l == "HOME=/"), "{}", describe(&out));
    lab.assert_unchanged("");
}

/// The terminal of `runt exec --tty` is a pty of the container's devpts, whatever the container
/// made of /dev/ptmx (here: a symlink to /dev/null, which would leave runt with no pty at all).
#[test]
fn exec_terminal_is_not_steered_by_a_planted_dev_ptmx() {
    let lab = Lab::new();
    let id = unique_name();
    let plant = "rm /dev/ptmx && ln -s /dev/null /dev/ptmx && exec probe sleep 60";
    lab.create(&id, &["sh", "-c", plant], None, None);
    lab.start(&id);
    let ptmx = format!("/proc/{}/root/dev/ptmx", lab.pid(&id));
    let planted = poll(|| fs::read_link(&ptmx).is_ok_and(|t| t == Path::new("/dev/null")));
    assert!(planted, "the container did not replace its /dev/ptmx");
    let socket = lab.path("console.sock");
    let engine =
        Command::new(probe()).args(["console", &socket]).stdout(Stdio::piped()).spawn().expect("probe console");
    assert!(poll(|| Path::new(&socket).exists()), "the console socket never appeared");
    let out = lab.runt(&["exec", "--tty", "--console-socket", &socket, &id, "probe", "hostname"]);
    let seen = stdout(&wait(engine));
    assert_eq!(code(&out), 0, "runt exec --tty\n{}", describe(&out));
    assert!(seen.starts_with("fd ") && seen.contains("ptmx"), "the engine got no pty master: {seen:?}");
    assert!(seen.lines().nth(1).is_some_and(|l| !l.trim().is_empty()), "nothing came through the pty: {seen:?}");
    lab.assert_unchanged("");
}
