//! The CVE-2024-21626 class: a working directory that names a descriptor runt leaked into the
//! container (`/proc/self/fd/N`) would put the container's process in a host directory, from
//! which `..` walks the host's tree. Tried through `runt run -w`, config.json's `process.cwd`
//! (OCI `run` and `create`/`start`) and `runt exec --cwd`, for every N from 3 to 20, as root
//! (the process then tries to create a file in a host directory) and in a user namespace (it
//! tries to read one). Each case checks the host side: the file is not there, the secret was not
//! read; and runt either refused with one clean line (exit 125) or ran the process inside.

mod common;

use common::*;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Output;

/// The descriptors tried: every number a leaked directory could have in a small process.
const FDS: std::ops::RangeInclusive<u32> = 3..=20;

/// A host directory the container must never reach, with a world-readable secret in it.
struct HostDir {
    dir: TempDir,
}

const SECRET: &str = "host-secret-3b1f";

impl HostDir {
    fn new() -> HostDir {
        let dir = TempDir::new("escape-host");
        fs::write(dir.join("secret"), SECRET).expect("write the secret");
        HostDir { dir }
    }

    /// The directory as seen from any host directory: enough `..` to reach `/`, then its path.
    fn up_to_it(&self) -> String {
        format!("{}{}", "../".repeat(32), self.dir.as_str().trim_start_matches('/'))
    }

    /// A shell command that tries to write a file `pwned-TAG` into the host directory and to
    /// read its secret, relative to the working directory.
    fn attack(&self, tag: &str) -> String {
        let up = self.up_to_it();
        format!("echo x >{up}/pwned-{tag}; cat {up}/secret; echo; pwd")
    }

    /// Asserts that nothing got in or out: no file written, the secret not shown.
    fn assert_untouched(&self, out: &Output, how: &str) {
        let names: Vec<String> = fs::read_dir(&self.dir.path)
            .expect("list the host directory")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["secret"], "{how}: the container wrote into a host directory\n{}", describe(out));
        assert!(!stdout(out).contains(SECRET), "{how}: the container read a host file\n{}", describe(out));
    }
}

/// Either runt refused (exit 125, one `runt:` line) or the process ran inside the container
/// (its `pwd` is not the host's "(unreachable)" kind of path).
fn assert_refused_or_inside(out: &Output, how: &str) {
    match code(out) {
        125 => {
            let err = stderr(out);
            assert!(
                err.starts_with("runt: ") && err.matches('\n').count() == 1,
                "{how}: the refusal must be one `runt:` line\n{}",
                describe(out)
            );
        }
        _ => assert!(
            !stdout(out).contains("unreachable") && stdout(out).lines().last().is_some_and(|l| l.starts_with('/')),
            "{how}: the process ran outside the container's root\n{}",
            describe(out)
        ),
    }
}

#[test]
fn run_workdir_naming_a_descriptor_stays_inside() {
    require_busybox();
    let host = HostDir::new();
    let root = rootfs();
    for n in FDS {
        let how = format!("runt run -w /proc/self/fd/{n}");
        let name = unique_name();
        let cwd = format!("/proc/self/fd/{n}");
        let out =
            run_named(&name, &["--rootfs", root.as_str(), "-w", &cwd, "/bin/sh", "-c", &host.attack(&n.to_string())]);
        host.assert_untouched(&out, &how);
        assert_refused_or_inside(&out, &how);
    }
}

#[test]
fn run_workdir_in_a_user_namespace_stays_inside() {
    require_busybox();
    let host = HostDir::new();
    let root = rootfs();
    for n in FDS {
        let how = format!("runt run --uidmap -w /proc/self/fd/{n}");
        let name = unique_name();
        let cwd = format!("/proc/self/fd/{n}");
        let args = ["--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536", "--rootfs", root.as_str(), "-w", &cwd];
        let mut all: Vec<&str> = args.to_vec();
        let attack = host.attack(&n.to_string());
        all.extend(["/bin/sh", "-c", &attack]);
        let out = run_named(&name, &all);
        host.assert_untouched(&out, &how);
        assert_refused_or_inside(&out, &how);
    }
}

/// An OCI bundle: `rootfs` as its root (writable), `args` as the process, `cwd` its working
/// directory; a fresh --root for the state.
struct Bundle {
    dir: TempDir,
    state: TempDir,
}

impl Bundle {
    fn new(rootfs: &TempDir, args: &[&str], cwd: &str) -> Bundle {
        let dir = TempDir::new("escape-bundle");
        let state = TempDir::new("escape-state");
        let args: Vec<String> = args.iter().map(|a| json_string(a)).collect();
        let config = format!(
            r#"{{"ociVersion":"1.0.2",
  "process":{{"terminal":false,"user":{{"uid":0,"gid":0}},"args":[{args}],"env":["PATH=/bin"],"cwd":{cwd},
    "capabilities":{{"bounding":{caps},"effective":{caps},"permitted":{caps}}},"noNewPrivileges":true}},
  "root":{{"path":{root},"readonly":false}},
  "hostname":"escape",
  "mounts":[{{"destination":"/proc","type":"proc","source":"proc"}},
    {{"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","mode=755"]}}],
  "linux":{{"namespaces":[{{"type":"pid"}},{{"type":"mount"}},{{"type":"ipc"}},{{"type":"uts"}},{{"type":"network"}}]}}}}"#,
            args = args.join(","),
            cwd = json_string(cwd),
            root = json_string(rootfs.as_str()),
            caps = r#"["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_KILL","CAP_SETGID","CAP_SETUID"]"#,
        );
        fs::write(dir.join("config.json"), config).expect("write config.json");
        Bundle { dir, state }
    }

    /// `runt --root STATE ARGS...`, output captured.
    fn runt(&self, args: &[&str]) -> Output {
        let mut all = vec!["--root", self.state.as_str()];
        all.extend_from_slice(args);
        run(&all)
    }

    /// `runt create`: its stdio (the container's) goes to files, which `output` reads back; a
    /// pipe would stay open in the container and keep the test waiting for its end.
    fn create(&self, id: &str) -> Output {
        create_in(&self.state, &self.dir, id)
    }

    /// What the created container wrote so far on its stdout.
    fn output(&self) -> Vec<u8> {
        fs::read(self.state.join("out")).unwrap_or_default()
    }

    fn delete(&self, id: &str) {
        let out = self.runt(&["delete", "--force", id]);
        assert!(out.status.success() || stderr(&out).contains("does not exist"), "delete {id}\n{}", describe(&out));
        assert_no_cgroup(id);
    }
}

/// `s` as a JSON string (the test's own texts: no control characters).
fn json_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

#[test]
fn config_cwd_naming_a_descriptor_stays_inside_run() {
    require_busybox();
    let host = HostDir::new();
    let root = rootfs();
    for n in FDS {
        let how = format!("OCI run with process.cwd /proc/self/fd/{n}");
        let attack = host.attack(&format!("oci-run-{n}"));
        let b = Bundle::new(&root, &["/bin/sh", "-c", &attack], &format!("/proc/self/fd/{n}"));
        let id = unique_name();
        let out = b.runt(&["run", "--bundle", b.dir.as_str(), &id]);
        b.delete(&id);
        host.assert_untouched(&out, &how);
        assert_refused_or_inside(&out, &how);
    }
}

#[test]
fn config_cwd_naming_a_descriptor_stays_inside_create_start() {
    require_busybox();
    let host = HostDir::new();
    let root = rootfs();
    for n in FDS {
        let how = format!("OCI create/start with process.cwd /proc/self/fd/{n}");
        let attack = host.attack(&format!("oci-create-{n}"));
        let b = Bundle::new(&root, &["/bin/sh", "-c", &attack], &format!("/proc/self/fd/{n}"));
        let id = unique_name();
        let created = b.create(&id);
        if code(&created) == 0 {
            let started = b.runt(&["start", &id]);
            assert_eq!(code(&started), 0, "{how}: start\n{}", describe(&started));
            assert!(
                poll(|| stdout(&b.runt(&["state", &id])).contains("\"stopped\"")),
                "{how}: the container did not stop"
            );
        }
        b.delete(&id);
        let shown = Output { stdout: b.output(), ..created };
        host.assert_untouched(&shown, &how);
        assert_refused_or_inside(&shown, &how);
    }
}

#[test]
fn exec_cwd_naming_a_descriptor_stays_inside() {
    require_busybox();
    let host = HostDir::new();
    let root = rootfs();
    let b = Bundle::new(&root, &["/bin/sleep", "60"], "/");
    let id = unique_name();
    let created = b.create(&id);
    let _cleanup = Deleted { bundle: &b, id: &id };
    assert_eq!(code(&created), 0, "create\n{}", describe(&created));
    let started = b.runt(&["start", &id]);
    assert_eq!(code(&started), 0, "start\n{}", describe(&started));
    for n in FDS {
        let how = format!("runt exec --cwd /proc/self/fd/{n}");
        let cwd = format!("/proc/self/fd/{n}");
        let attack = host.attack(&format!("exec-{n}"));
        let out = b.runt(&["exec", "--cwd", &cwd, &id, "/bin/sh", "-c", &attack]);
        host.assert_untouched(&out, &how);
        assert_refused_or_inside(&out, &how);
    }
}

/// Deletes a container when the test ends, also when it fails half-way.
struct Deleted<'a> {
    bundle: &'a Bundle,
    id: &'a str,
}

impl Drop for Deleted<'_> {
    fn drop(&mut self) {
        self.bundle.delete(self.id);
    }
}

/// A control for the cases above: a working directory that exists inside is used, and one that
/// is missing is created there, as runc and crun do (so the refusals above are not just every
/// cwd failing).
#[test]
fn ordinary_workdirs_work_and_missing_ones_are_created() {
    require_busybox();
    let root = rootfs();
    fs::create_dir_all(root.join("srv/app")).expect("mkdir srv/app");
    let out = run_in(&root, &unique_name(), "-w /srv/app /bin/probe cwd");
    assert_eq!(ok_stdout(&out), "/srv/app\n");
    let b = Bundle::new(&root, &["/bin/probe", "cwd"], "/made/by/runt");
    let id = unique_name();
    let out = b.runt(&["run", "--bundle", b.dir.as_str(), &id]);
    b.delete(&id);
    assert_eq!(ok_stdout(&out), "/made/by/runt\n");
    assert!(root.join("made/by/runt").is_dir(), "the missing cwd was not created inside the rootfs");
    assert!(!Path::new("/made").exists(), "the missing cwd was created on the host");
}

/// The other half of the class: whatever the working directory, a process runt runs in the
/// container holds no host directory. A created container's init is runt's own code waiting in
/// the container for `start`: seen from the host, none of its descriptors is a directory but
/// the container's own /proc (its procfs, which it reopens the exec fifo through).
#[test]
fn created_init_holds_no_host_directory() {
    require_busybox();
    let root = rootfs();
    let b = Bundle::new(&root, &["/bin/true"], "/");
    let id = unique_name();
    let created = b.create(&id);
    let _cleanup = Deleted { bundle: &b, id: &id };
    assert_eq!(code(&created), 0, "create\n{}", describe(&created));
    let state = stdout(&b.runt(&["state", &id]));
    let pid: u32 = state
        .split("\"pid\":")
        .nth(1)
        .and_then(|r| r.trim_start().split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no pid in the state: {state}"));
    let fds: Vec<(String, String)> = fs::read_dir(format!("/proc/{pid}/fd"))
        .expect("list the init's descriptors")
        .flatten()
        .map(|e| {
            let link = fs::read_link(e.path()).map(|l| l.display().to_string()).unwrap_or_default();
            (e.file_name().to_string_lossy().into_owned(), link)
        })
        .collect();
    assert!(fds.len() >= 3, "the init's descriptors were not read: {fds:?}");
    let own_proc = fs::metadata(format!("/proc/{pid}/root/proc")).expect("the container's /proc");
    for (n, link) in &fds {
        let Ok(held) = fs::metadata(format!("/proc/{pid}/fd/{n}")).map(|m| (m.is_dir(), m.dev(), m.ino())) else {
            continue;
        };
        let is_own_proc = link == "/proc" && (held.1, held.2) == (own_proc.dev(), own_proc.ino());
        assert!(
            !held.0 || is_own_proc,
            "the created container's init holds a directory: fd {n} -> {link}\nall: {fds:?}"
        );
    }
}
