//! Hostile symlinks in the image (the CVE-2019-19921, CVE-2023-27561, CVE-2021-30465 and
//! CVE-2025-31133 shapes): an image whose `/dev`, `/dev/null`, `/proc`, `/sys`, `/tmp`, volume
//! target or device parent is a symlink to a host path — there from the start, or swapped in
//! while runt builds the root by a second container sharing the rootfs directory — must never
//! steer one of runt's nodes, links, mounts or writes outside the root.
//!
//! Every attack aims at a directory this test made on the host (never a real host path), so
//! running an old, vulnerable runt harms nothing. Each case then checks the host side: that
//! directory is still empty (no device node, no link, no file), the host's mount table is
//! unchanged, no cgroup is left; and runt either ran the container, contained, or refused it
//! with exit 125 and one `runt: ` line. Each symlink comes absolute and relative (`../../..`
//! climbing past the host's `/`). The image also holds the host directory's path inside itself
//! (as an image holding `/etc` would), so that the symlink resolves inside the root as well and
//! runt gets as far as creating things through it.

mod common;

use common::user::TestUser;
use common::*;
use std::fs;
use std::os::unix::fs::{symlink, FileTypeExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// How a hostile symlink names the host directory.
#[derive(Clone, Copy, Debug)]
enum Link {
    /// `/work/.../target`
    Absolute,
    /// `../../../../...` (more than any depth) followed by the absolute path without its `/`.
    Relative,
}

impl Link {
    fn text(self, to: &Path) -> PathBuf {
        match self {
            Link::Absolute => to.to_path_buf(),
            Link::Relative => Path::new(&"../".repeat(40)).join(to.strip_prefix("/").expect("an absolute path")),
        }
    }
}

/// Runs `case` with an absolute and with a relative symlink; see [`each`].
fn both_links(case: impl Fn(Link)) {
    each(&[Link::Absolute, Link::Relative], case)
}

/// Runs `case` for each of `items`, all of them even when one fails; then fails with what each
/// failing one found.
fn each<T: Copy + std::fmt::Debug>(items: &[T], case: impl Fn(T)) {
    let failed: Vec<String> = items
        .iter()
        .filter_map(|&item| {
            let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| case(item))).err()?;
            let why =
                err.downcast_ref::<String>().cloned().or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()));
            Some(format!("{item:?}: {}", why.unwrap_or_default()))
        })
        .collect();
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// A directory on the host that an attack aims at: it must stay empty.
struct HostDir(TempDir);

impl HostDir {
    /// Under /var/tmp, not the checkout: a checkout under /tmp (a CI's `mktemp -d`) would put the
    /// link's target where `runt run` mounts the container's own /tmp, which hides whatever the
    /// link leads to inside the container (contained, but the image's /dev then unusable).
    fn new() -> HostDir {
        HostDir(TempDir::on_host_root(HOST_DIR_TAG))
    }

    fn path(&self) -> &Path {
        &self.0.path
    }

    /// Lets `uid` create files in it.
    fn owned_by(self, uid: u32, gid: u32) -> HostDir {
        std::os::unix::fs::chown(self.path(), Some(uid), Some(gid)).expect("chown the target directory");
        self
    }

    /// Panics, naming each entry and its type, unless the directory is still empty.
    fn assert_empty(&self, what: &str) {
        let found: Vec<String> = fs::read_dir(self.path())
            .expect("read the target directory")
            .flatten()
            .map(|e| {
                let kind = e.file_type().map_or("?", |t| {
                    if t.is_char_device() {
                        "character device"
                    } else if t.is_block_device() {
                        "block device"
                    } else if t.is_symlink() {
                        "symlink"
                    } else if t.is_dir() {
                        "directory"
                    } else {
                        "file"
                    }
                });
                format!("{} ({kind})", e.file_name().to_string_lossy())
            })
            .collect();
        assert!(found.is_empty(), "{what}: runt created {found:?} in the host directory {}", self.path().display());
    }
}

/// A host file an attack aims at (in a host directory of its own): its bytes must not change.
struct HostFile {
    dir: TempDir,
}

/// What the host file holds; a container that can read it shows it on its stdout.
const SECRET: &str = "host file, must not change: 7f3c9a\n";

impl HostFile {
    fn new() -> HostFile {
        let dir = TempDir::new("escape-file");
        fs::write(dir.join("secret"), SECRET).expect("write the host file");
        HostFile { dir }
    }

    fn path(&self) -> PathBuf {
        self.dir.join("secret")
    }

    fn assert_unchanged(&self, what: &str) {
        let now = fs::read_to_string(self.path()).expect("read the host file");
        assert_eq!(now, SECRET, "{what}: the host file {} was written", self.path().display());
        let names: Vec<_> = fs::read_dir(&self.dir.path).expect("read its directory").flatten().collect();
        assert_eq!(names.len(), 1, "{what}: runt created files next to the host file: {names:?}");
    }
}

/// The test rootfs with `rel` (e.g. `dev`, `dev/null`) replaced by a symlink to `to`, and the
/// path of `to` made inside it too.
fn image_with_link(rel: &str, to: &Path, how: Link) -> TempDir {
    let root = rootfs();
    plant_link(&root, rel, to, how);
    root
}

fn plant_link(root: &TempDir, rel: &str, to: &Path, how: Link) {
    let at = root.join(rel);
    match fs::symlink_metadata(&at) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(&at).expect("remove from the rootfs"),
        Ok(_) => fs::remove_file(&at).expect("remove from the rootfs"),
        Err(_) => {}
    }
    let parent = at.parent().expect("a path in the rootfs");
    fs::create_dir_all(parent).expect("mkdir in the rootfs");
    symlink(how.text(to), &at).expect("plant the symlink");
    mirror(root, to.parent().unwrap_or(to));
    if to.is_dir() {
        mirror(root, to);
    }
}

/// Makes the host path `p` exist inside the rootfs as well (directories only).
fn mirror(root: &TempDir, p: &Path) {
    fs::create_dir_all(root.path.join(p.strip_prefix("/").expect("an absolute path"))).expect("mirror in the rootfs");
}

/// What runt may do with a hostile image: run the container (exit 0; its stdout is returned) or
/// refuse it (exit 125, one `runt: ` line; None).
fn ran_or_refused(out: &Output) -> Option<String> {
    if code(out) == 0 {
        return Some(stdout(out));
    }
    assert_error(out, 125, "");
    None
}

/// What the host directories the images' links lead to are called (`HostDir`).
const HOST_DIR_TAG: &str = "escape-target";

/// The host's mount table (without ids) as far as it concerns the directories this test
/// process made: a mount on one of them, or of one of them anywhere (its root field names it).
/// Other engineers' engines mount and unmount on this host at the same time: the rest of the
/// table is not this test's to judge.
fn our_mount_table() -> Vec<String> {
    let ours = format!("-{}-", std::process::id());
    let is_ours = |field: &str| {
        (field.contains("test-rootfs/") || field.contains(&format!("/var/tmp/{HOST_DIR_TAG}-")))
            && field.contains(&ours)
    };
    host_mount_table().into_iter().filter(|l| l.split(' ').any(is_ours)).collect()
}

/// The host side after a case: `target` empty, mount table as `before`, cgroup gone (the callers
/// check the cgroup as they run).
fn assert_host_untouched(what: &str, target: &HostDir, before: &[String]) {
    target.assert_empty(what);
    assert_eq!(
        our_mount_table(),
        before,
        "{what}: the host's mount table changed where it concerns this test's directories"
    );
}

/// A fresh host directory, writable by `owner` when given (a rootless container's root is that
/// user on the host: this is what an attacker's own directory would allow).
fn host_dir(owner: Option<&TestUser>) -> HostDir {
    match owner {
        Some(user) => HostDir::new().owned_by(user.uid, user.gid),
        None => HostDir::new(),
    }
}

/// A static case, with each kind of symlink: the image's `rel` leads to a fresh host directory;
/// `run` runs a container that prints `contained` on that image. Then the directory must be
/// empty, the host's mount table unchanged, and the container must have printed `contained` or
/// been refused.
fn symlink_case(what: &str, rel: &str, owner: Option<&TestUser>, run: impl Fn(&TempDir) -> Output) {
    both_links(|how| {
        let (target, before) = (host_dir(owner), our_mount_table());
        let root = image_with_link(rel, target.path(), how);
        let out = run(&root);
        let what = format!("{what} -> host ({how:?})");
        assert_host_untouched(&what, &target, &before);
        if let Some(text) = ran_or_refused(&out) {
            assert_eq!(text, "contained\n", "{what}\n{}", describe(&out));
        }
    });
}

/// `runt run --name NAME --rootfs ROOT ARGS...`, then the cgroup is checked gone.
fn run_rootfs(root: &TempDir, args: &[&str]) -> Output {
    let mut all = vec!["--rootfs", root.as_str()];
    all.extend(args);
    run_named(&unique_name(), &all)
}

/// `sh -c 'SCRIPT'`, for a container command.
fn sh(script: &str) -> [&str; 3] {
    ["/bin/sh", "-c", script]
}

// ---------------------------------------------------------------------------------------------
// OCI bundles whose config has no /dev mount: the image's own /dev is used and runt makes its
// device nodes there.

/// A bundle for `root`: config.json with proc and sys mounts only (no /dev), the default masked
/// and read-only paths, `devices` as linux.devices and, when `user` is set, a user namespace
/// mapping root to that uid and gid; a state directory of its own.
struct Bundle {
    dir: TempDir,
    state: TempDir,
}

const MASKED: &str = r#"["/proc/acpi","/proc/asound","/proc/kcore","/proc/keys","/proc/latency_stats","/proc/timer_list","/proc/timer_stats","/proc/sched_debug","/proc/scsi","/sys/firmware"]"#;
const READONLY: &str = r#"["/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"]"#;

/// `s` as a JSON string.
fn json(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

impl Bundle {
    fn new(root: &TempDir, args: &[&str], devices: &str, user: Option<(u32, u32)>) -> Bundle {
        let dir = TempDir::new("escape-bundle");
        let state = TempDir::new("escape-state");
        let args: Vec<String> = args.iter().map(|a| json(a)).collect();
        let (userns, maps) = match user {
            Some((uid, gid)) => (
                r#",{"type":"user"}"#.to_string(),
                format!(
                    r#","uidMappings":[{{"containerID":0,"hostID":{uid},"size":1}}],"gidMappings":[{{"containerID":0,"hostID":{gid},"size":1}}]"#
                ),
            ),
            None => (String::new(), String::new()),
        };
        let config = format!(
            r#"{{"ociVersion":"1.0.2",
"process":{{"args":[{args}],"cwd":"/","env":["PATH=/bin"],"user":{{"uid":0,"gid":0}}}},
"root":{{"path":{root}}},
"mounts":[
 {{"destination":"/proc","type":"proc","source":"proc","options":["nosuid","noexec","nodev"]}},
 {{"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","noexec","nodev","ro"]}}],
"linux":{{"namespaces":[{{"type":"pid"}},{{"type":"network"}},{{"type":"ipc"}},{{"type":"uts"}},{{"type":"mount"}}{userns}]{maps},
 "devices":[{devices}],"maskedPaths":{MASKED},"readonlyPaths":{READONLY}}}}}
"#,
            args = args.join(","),
            root = json(root.as_str()),
        );
        fs::write(dir.join("config.json"), config).expect("write config.json");
        Bundle { dir, state }
    }

    /// `runt --root STATE run --bundle DIR ID` with `runt` (the binary) run by `cmd`; then
    /// asserts that neither the container's state nor its cgroup is left.
    fn run_with(&self, mut cmd: Command) -> Output {
        let id = unique_name();
        let child = cmd
            .args(["--root", self.state.as_str(), "run", "--bundle", self.dir.as_str(), &id])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn runt");
        let out = wait(child);
        assert_no_cgroup(&id);
        assert!(!self.state.join(&id).exists(), "the state of {id} was left behind\n{}", describe(&out));
        out
    }

    fn run(&self) -> Output {
        self.run_with(Command::new(runt()))
    }

    /// `runt --root STATE create --bundle DIR ID`; its output goes to files (the created init
    /// keeps them open).
    fn create(&self, id: &str) -> Output {
        create_in(&self.state, &self.dir, id)
    }

    /// `runt delete --force ID`; then no cgroup may be left.
    fn delete(&self, id: &str) {
        let out = wait(spawn(&["--root", self.state.as_str(), "delete", "--force", id]));
        assert!(out.status.success(), "delete {id}\n{}", describe(&out));
        assert_no_cgroup(id);
    }
}

// ---------------------------------------------------------------------------------------------
// Static symlinks, as root.

/// The container checks its /dev/null works and says `contained`.
const DEV_NULL_WORKS: &str = "echo x > /dev/null && cat /dev/null && echo contained";

#[test]
fn image_dev_symlink_to_a_host_dir_with_runt_run() {
    symlink_case("/dev", "dev", None, |root| run_rootfs(root, &sh(DEV_NULL_WORKS)));
}

#[test]
fn image_dev_symlink_to_a_host_dir_in_a_bundle_without_a_dev_mount() {
    symlink_case("bundle, /dev", "dev", None, |root| Bundle::new(root, &sh(DEV_NULL_WORKS), "", None).run());
}

/// Reads the masked files and tries to write them: a host file bound there would show `SECRET`
/// and take the write.
const MASKS_HOLD: &str = "cat /proc/keys /proc/timer_list; echo pwned > /proc/keys; echo pwned > /proc/timer_list; \
                          echo done";

#[test]
fn image_dev_null_symlink_to_a_host_file_in_a_bundle_without_a_dev_mount() {
    both_links(|how| {
        let (file, before) = (HostFile::new(), our_mount_table());
        let root = image_with_link("dev/null", &file.path(), how);
        let out = Bundle::new(&root, &sh(MASKS_HOLD), "", None).run();
        let what = format!("bundle, /dev/null -> host file ({how:?})");
        file.assert_unchanged(&what);
        assert_eq!(
            our_mount_table(),
            before,
            "{what}: the host's mount table changed where it concerns this test's directories"
        );
        if let Some(text) = ran_or_refused(&out) {
            assert!(!text.contains(SECRET.trim()), "{what}: the container read the host file\n{}", describe(&out));
        }
    });
}

#[test]
fn image_proc_sys_tmp_symlinks_to_a_host_dir() {
    for (rel, script) in [
        ("proc", "cat /proc/self/stat > /dev/null && echo contained"),
        ("sys", "ls /sys > /dev/null && echo contained"),
        ("tmp", "echo x > /tmp/x && echo contained"),
    ] {
        symlink_case(&format!("/{rel}"), rel, None, |root| run_rootfs(root, &sh(script)));
    }
}

#[test]
fn volume_target_symlink_to_a_host_dir() {
    symlink_case("volume on /data", "data", None, |root| {
        let source = TempDir::new("escape-volume");
        let volume = format!("{}:/data", source.as_str());
        let out = run_rootfs(root, &["-v", &volume, "/bin/sh", "-c", "echo x > /data/x && echo contained"]);
        if code(&out) == 0 {
            assert!(source.join("x").is_file(), "the write did not reach the volume\n{}", describe(&out));
        }
        out
    });
}

/// A masked file is the /dev/null runt made, bound read-only, nosuid and noexec: it reads empty,
/// as Docker's do, and were the node ever something else, nothing could be written through it.
#[test]
fn masked_files_are_read_only_binds_of_dev_null() {
    assert!(Path::new("/proc/keys").exists(), "this kernel has no /proc/keys to see masked");
    let root = rootfs();
    assert_eq!(ok_stdout(&run_rootfs(&root, &["/bin/probe", "read", "/proc/keys"])), "");
    let text = ok_stdout(&run_rootfs(&root, &["/bin/cat", "/proc/self/mountinfo"]));
    let keys: Vec<MountInfo> =
        text.lines().filter_map(MountInfo::parse).filter(|m| m.mount_point == "/proc/keys").collect();
    let [keys] = keys.as_slice() else { panic!("not one mount on /proc/keys:\n{text}") };
    let options: Vec<&str> = keys.options.split(',').collect();
    for want in ["ro", "nosuid", "noexec"] {
        assert!(options.contains(&want), "/proc/keys is mounted {}, not {want}", keys.options);
    }
}

/// linux.devices: /dev/sub/null (1:3), owned by 1:1.
const SUB_NULL: &str = r#"{"path":"/dev/sub/null","type":"c","major":1,"minor":3,"fileMode":438,"uid":1,"gid":1}"#;

#[test]
fn device_parent_symlink_to_a_host_dir_in_a_bundle_without_a_dev_mount() {
    let script = sh("echo x > /dev/sub/null && echo contained");
    symlink_case("bundle, device /dev/sub/null with /dev/sub", "dev/sub", None, |root| {
        Bundle::new(root, &script, SUB_NULL, None).run()
    });
}

/// The CVE-2019-19921 shape without a race: the image's `/data` is a symlink to its own `/proc`,
/// so the first volume (a directory the container can write, e.g. shared with another container)
/// lands on /proc, and it holds a fake `self/fd/N` tree. Whatever runt reaches through the
/// container's /proc from then on, the second volume among it, must not lead to the host.
#[test]
fn volume_over_proc_cannot_redirect_later_mounts() {
    each(&["/proc", "../../../../proc"], |link| volume_over_proc(link, run_rootfs, None));
}

/// [`volume_over_proc_cannot_redirect_later_mounts`] with `run` (rootfs, arguments of `runt run`);
/// `owner`: who may write the target directory.
fn volume_over_proc(link: &str, run: impl Fn(&TempDir, &[&str]) -> Output, owner: Option<&TestUser>) {
    let (target, before, second) = (host_dir(owner), our_mount_table(), TempDir::new("escape-volume"));
    if let Some(user) = owner {
        std::os::unix::fs::chown(&second.path, Some(user.uid), Some(user.gid)).expect("chown the volume");
    }
    let shared = FakeProc::new(target.path());
    let root = rootfs();
    symlink(link, root.join("data")).expect("symlink /data");
    // Made beforehand: a rootless runt cannot create it in a rootfs that root owns.
    fs::create_dir(root.join("data2")).expect("mkdir /data2");
    let (v1, v2) = (format!("{}:/data", shared.dir.as_str()), format!("{}:/data2", second.as_str()));
    for split in SPLITS {
        shared.aim(split);
        let _ = fs::remove_file(second.join("x"));
        let out = run(&root, &["-v", &v1, "-v", &v2, "/bin/sh", "-c", "echo x > /data2/x && echo contained"]);
        let what = format!("/data -> {link}, a fake /proc volume on it, split {split}");
        assert_host_untouched(&what, &target, &before);
        if let Some(text) = ran_or_refused(&out) {
            assert_eq!(text, "contained\n", "{what}\n{}", describe(&out));
            assert!(second.join("x").is_file(), "{what}: the write did not reach the second volume");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Races: a second container sharing the rootfs directory swaps a path while runt builds the root.
// The test's own thread plays that container (it has the same power over the directory).

/// A thread that repeats `flip` until stopped.
struct Racer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<u64>>,
}

impl Racer {
    fn start(mut flip: impl FnMut() + Send + 'static) -> Racer {
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::clone(&stop);
        let thread = thread::spawn(move || {
            let mut flips = 0u64;
            while !seen.load(Ordering::Relaxed) {
                flip();
                flips += 1;
            }
            flips
        });
        Racer { stop, thread: Some(thread) }
    }

    /// Stops the thread; how many flips it made.
    fn finish(mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().map_or(0, |t| t.join().expect("the racing thread panicked"))
    }
}

impl Drop for Racer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Swaps `rel` in `root` between a real directory and a symlink to `to`. A directory runt has
/// populated or mounted on (in its own mount namespace) is renamed into an attic in the rootfs.
fn swap_dir_and_link(root: &TempDir, rel: &str, to: &Path, how: Link) -> Racer {
    let (at, link) = (root.join(rel), how.text(to));
    let attic = root.join("attic");
    fs::create_dir_all(&attic).expect("mkdir attic");
    let mut n = 0u64;
    Racer::start(move || {
        let away = |n: &mut u64| {
            *n += 1;
            if fs::remove_file(&at).is_err() && fs::remove_dir(&at).is_err() {
                let _ = fs::rename(&at, attic.join(n.to_string()));
            }
        };
        away(&mut n);
        let _ = symlink(&link, &at);
        thread::yield_now();
        away(&mut n);
        let _ = fs::create_dir(&at);
        thread::yield_now();
    })
}

/// A race, with each kind of symlink: `rel` in the image flips between a directory and a symlink
/// to a fresh host directory while `run` runs containers on it; then the directory must be
/// empty and the host's mount table unchanged.
fn race_case(what: &str, rel: &str, owner: Option<&TestUser>, run: impl Fn(&TempDir) -> Output) {
    both_links(|how| {
        let (target, before) = (host_dir(owner), our_mount_table());
        let root = rootfs();
        mirror(&root, target.path());
        let what = format!("{what} -> host ({how:?})");
        let racer = swap_dir_and_link(&root, rel, target.path(), how);
        race(&what, racer, || run(&root));
        assert_host_untouched(&what, &target, &before);
    });
}

/// Runs of runt per race.
const RACE_RUNS: usize = 30;

/// Runs `run` RACE_RUNS times while `racer` flips; each run must end as [`ran_or_refused`] says.
fn race(what: &str, racer: Racer, mut run: impl FnMut() -> Output) {
    let mut outcomes = (0, 0);
    for _ in 0..RACE_RUNS {
        let out = run();
        match ran_or_refused(&out) {
            Some(_) => outcomes.0 += 1,
            None => {
                outcomes.1 += 1;
                eprintln!("{what}: {}", stderr(&out).trim());
            }
        }
    }
    let flips = racer.finish();
    assert!(flips > 0, "{what}: the racing thread never ran");
    eprintln!("{what}: {} ran, {} refused, {flips} flips", outcomes.0, outcomes.1);
}

#[test]
fn racing_dev_swap_with_runt_run() {
    race_case("race on /dev", "dev", None, |root| run_rootfs(root, &["/bin/true"]));
}

/// A directory laid out like /proc, for an attacker to put where runt may look for its own
/// descriptors: `self/fd/N` leads to the target for N below a split, to the real /proc/self/fd/N
/// above it (so that the rest still works). A runtime opens the sources of volumes first and
/// their targets later: with the split between the two, a runt that reaches its descriptors
/// through the container's /proc (rather than the host's) binds the target into the container.
/// Not knowing the split, the attacker tries one after another ([`FakeProc::aim`]).
struct FakeProc {
    dir: TempDir,
    target: PathBuf,
}

/// The splits an attacker tries.
const SPLITS: std::ops::RangeInclusive<u32> = 4..=24;

impl FakeProc {
    fn new(target: &Path) -> FakeProc {
        let dir = TempDir::new("escape-fake-proc");
        fs::create_dir_all(dir.join("self/fd")).expect("mkdir self/fd");
        let fake = FakeProc { dir, target: target.to_path_buf() };
        fake.aim(0);
        fake
    }

    /// Points `self/fd/N` for N below `split` at the target, the others at the real ones.
    fn aim(&self, split: u32) {
        for n in 0..256 {
            let link = self.dir.join(&format!("self/fd/{n}"));
            let _ = fs::remove_file(&link);
            let to = if n < split { self.target.clone() } else { PathBuf::from(format!("/proc/self/fd/{n}")) };
            symlink(to, &link).expect("symlink self/fd/N");
        }
    }
}

#[test]
fn racing_proc_swap_cannot_redirect_a_volume() {
    both_links(|how| {
        let (target, before, source) = (HostDir::new(), our_mount_table(), TempDir::new("escape-volume"));
        let fake = FakeProc::new(target.path());
        let root = rootfs();
        mirror(&root, &fake.dir.path);
        let what = format!("race on /proc -> fake /proc on the host ({how:?})");
        let volume = format!("{}:/data", source.as_str());
        let racer = swap_dir_and_link(&root, "proc", &fake.dir.path, how);
        let mut splits = SPLITS.cycle();
        race(&what, racer, || {
            fake.aim(splits.next().unwrap_or(0));
            run_rootfs(&root, &["-v", &volume, "/bin/sh", "-c", "echo x > /data/x"])
        });
        assert_host_untouched(&what, &target, &before);
    });
}

/// Replaces the image's /dev/null, as soon as runt has made it, with a symlink to `to`: the node
/// runt then binds over the masked paths would be the host file.
fn swap_null_for_link(root: &TempDir, to: &Path, how: Link) -> Racer {
    let (null, spare, link) = (root.join("dev/null"), root.join("dev/.null"), how.text(to));
    Racer::start(move || {
        if fs::symlink_metadata(&null).is_ok_and(|m| m.file_type().is_char_device()) {
            let _ = fs::remove_file(&spare);
            if symlink(&link, &spare).is_ok() {
                let _ = fs::rename(&spare, &null);
            }
        }
    })
}

/// Empties the image's /dev (runt makes its nodes there afresh each run, and refuses to find
/// one in place).
fn empty_dev(root: &TempDir) {
    for e in fs::read_dir(root.join("dev")).expect("read the image's /dev").flatten() {
        let _ = fs::remove_file(e.path());
    }
}

#[test]
fn racing_dev_null_swap_in_a_bundle_without_a_dev_mount() {
    both_links(|how| {
        let (file, before) = (HostFile::new(), our_mount_table());
        let root = rootfs();
        mirror(&root, file.dir.path.as_path());
        let bundle = Bundle::new(&root, &sh(MASKS_HOLD), "", None);
        let what = format!("race on /dev/null -> host file ({how:?})");
        let racer = swap_null_for_link(&root, &file.path(), how);
        let mut leaked = Vec::new();
        race(&what, racer, || {
            empty_dev(&root);
            let out = bundle.run();
            if stdout(&out).contains(SECRET.trim()) {
                leaked.push(describe(&out));
            }
            out
        });
        file.assert_unchanged(&what);
        assert!(leaked.is_empty(), "{what}: containers read the host file:\n{}", leaked.join("\n"));
        assert_eq!(
            our_mount_table(),
            before,
            "{what}: the host's mount table changed where it concerns this test's directories"
        );
    });
}

// ---------------------------------------------------------------------------------------------
// Rootless: the unprivileged user's runt, which binds the host's device nodes (mknod is refused in
// a user namespace). The target directory belongs to that user, as the attacker's would.

/// `runt ARGS...` as the test user, output piped.
fn run_as(user: &TestUser, args: &[&str]) -> Output {
    let child = user.command(&user.runt()).args(args).spawn().expect("spawn setpriv");
    wait(child)
}

fn rootless_run(user: &TestUser, root: &TempDir, cmd: &[&str]) -> Output {
    let name = unique_name();
    let mut args = vec!["run", "--name", &name, "--rootfs", root.as_str()];
    args.extend(cmd);
    let out = run_as(user, &args);
    assert_no_cgroup(&name);
    out
}

#[test]
fn rootless_image_dev_symlink_to_a_host_dir() {
    let user = TestUser::new();
    symlink_case("rootless, /dev", "dev", Some(&user), |root| rootless_run(&user, root, &sh(DEV_NULL_WORKS)));
}

#[test]
fn rootless_image_dev_symlink_in_a_bundle_without_a_dev_mount() {
    let user = TestUser::new();
    symlink_case("rootless bundle, /dev", "dev", Some(&user), |root| {
        let bundle = Bundle::new(root, &sh(DEV_NULL_WORKS), "", Some((user.uid, user.gid)));
        std::os::unix::fs::chown(&bundle.state.path, Some(user.uid), Some(user.gid)).expect("chown state");
        bundle.run_with(user.command(&user.runt()))
    });
}

#[test]
fn rootless_volume_over_proc_cannot_redirect_later_mounts() {
    let user = TestUser::new();
    each(&["/proc", "../../../../proc"], |link| {
        volume_over_proc(link, |root, args| rootless_run(&user, root, args), Some(&user))
    });
}

#[test]
fn rootless_racing_dev_swap() {
    let user = TestUser::new();
    race_case("rootless race on /dev", "dev", Some(&user), |root| rootless_run(&user, root, &["/bin/true"]));
}

/// Guards the rootless cases: there mknod is refused, so runt takes the path that binds the
/// host's nodes, and the container's /dev/null works.
#[test]
fn rootless_containers_get_the_hosts_nodes() {
    let user = TestUser::new();
    let root = rootfs();
    let out = rootless_run(&user, &root, &["/bin/probe", "mknod-open", "/dev/x", "c", "1", "3"]);
    assert_eq!(stdout(&out), "error: Operation not permitted\n", "{}", describe(&out));
    let out = rootless_run(&user, &root, &sh(DEV_NULL_WORKS));
    assert_eq!(ok_stdout(&out), "contained\n");
}

// ---------------------------------------------------------------------------------------------
// Mounts held by descriptor: once runt has made a mount, whatever it does to it later (the
// read-only flag, propagation, the /proc a created container's init reopens its fifo through)
// goes through that mount's own descriptor, never through its path looked up again.

/// Runs of runt while a swapper races them.
const SWAP_RUNS: usize = 60;

/// `/data` of a shared rootfs is exchanged with `/datalink`, a symlink to the container's /tmp
/// (another of its mounts), while containers get a host directory as a read-only volume on
/// /data. A runt that makes the volume read-only by looking /data up again after binding it
/// makes /tmp read-only instead, and the container writes into the host directory it was
/// given read-only. Each container opens /data and /datalink once (a rename cannot change
/// which directory is meant) and writes into whichever holds the volume.
#[test]
fn racing_swap_cannot_leave_a_read_only_volume_writable() {
    let (volume, root) = (TempDir::new("escape-ro-volume"), rootfs());
    fs::write(volume.join("file"), "read-only for the container\n").expect("write the volume's file");
    fs::create_dir(root.join("data")).expect("mkdir /data");
    symlink("/tmp", root.join("datalink")).expect("symlink /datalink");
    let v = format!("{}:/data:ro", volume.as_str());
    let script = "for d in /data /datalink; do \
        (cd $d 2>/dev/null && test -e file && echo seen && echo x > written 2>/dev/null && echo wrote); done; true";
    let swapper = Swapper::start(&root.path, "data", "datalink");
    let (mut runs, mut seen) = (0, 0);
    while runs < SWAP_RUNS && !volume.join("written").exists() {
        runs += 1;
        let out = run_rootfs(&root, &["-v", &v, "/bin/sh", "-c", script]);
        seen += ran_or_refused(&out).map_or(0, |text| text.matches("seen").count());
    }
    let swaps = swapper.finish();
    assert!(
        !volume.join("written").exists(),
        "run {runs}: a container wrote into the host directory it was given read-only"
    );
    assert_eq!(fs::read_to_string(volume.join("file")).ok().as_deref(), Some("read-only for the container\n"));
    assert!(swaps > 0 && seen > 0, "no race: {swaps} swaps, the volume seen {seen} times in {runs} runs");
    eprintln!("{runs} runs, the volume seen {seen} times, {swaps} swaps");
}

// ---------------------------------------------------------------------------------------------
// Read-only mounts reach the mounts below them.

/// A read-only bind (`-v SRC:DST:ro`, or `--mount` with `readonly`: `how` makes the options
/// from SRC) is read-only all the way down, as Docker 25 and later make it: a filesystem mounted
/// below SRC on the host takes no write from the container either.
fn read_only_below_too(how: fn(&str) -> [String; 2]) {
    let (volume, root) = (TempDir::on_host_root("escape-ro-volume"), rootfs());
    fs::create_dir(volume.join("sub")).expect("mkdir sub");
    let sub = HostTmpfs::mount(&volume.join("sub"), "");
    let [opt, v] = how(volume.as_str());
    let out = run_rootfs(&root, &[&opt, &v, "/bin/sh", "-c", "echo x > /data/x; echo x > /data/sub/x; echo done"]);
    assert_eq!(ok_stdout(&out), "done\n");
    let written: Vec<&str> = ["x", "sub/x"].into_iter().filter(|p| volume.join(p).exists()).collect();
    assert!(written.is_empty(), "the container wrote {written:?} into its read-only {opt}\n{}", describe(&out));
    assert_eq!(stderr(&out).matches("Read-only file system").count(), 2, "{}", describe(&out));
    drop(sub);
}

#[test]
fn a_read_only_volume_is_read_only_below_too() {
    read_only_below_too(|src| ["-v".into(), format!("{src}:/data:ro")]);
}

#[test]
fn a_readonly_bind_mount_is_read_only_below_too() {
    read_only_below_too(|src| ["--mount".into(), format!("type=bind,source={src},target=/data,readonly")]);
}

/// The host's mounts below the default root, which a user namespace must keep (the kernel
/// locks them to /): read-only in the container, as / is.
fn host_mounts_are_read_only(what: &str, run: impl Fn(&str) -> Output) {
    let dir = TempDir::on_host_root("escape-host-mount");
    let mounted = HostTmpfs::mount(&dir.path, "");
    let out = run(&format!("echo x > {}/x && echo wrote", dir.as_str()));
    assert!(!dir.join("x").exists(), "{what}: the container wrote into a host filesystem\n{}", describe(&out));
    assert!(stderr(&out).contains("Read-only file system"), "{what}: {}", describe(&out));
    drop(mounted);
}

#[test]
fn userns_default_root_shows_the_hosts_mounts_read_only() {
    host_mounts_are_read_only("--userns", |script| {
        let name = unique_name();
        let out = wait(spawn(&["run", "--name", &name, "--userns", "sh", "-c", script]));
        assert_no_cgroup(&name);
        out
    });
}

#[test]
fn rootless_default_root_shows_the_hosts_mounts_read_only() {
    let user = TestUser::new();
    host_mounts_are_read_only("rootless", |script| {
        let name = unique_name();
        let out = run_as(&user, &["run", "--name", &name, "sh", "-c", script]);
        assert_no_cgroup(&name);
        out
    });
}

/// A created container's init reopens its exec.fifo, after pivot_root, through the procfs
/// runt mounted (held by descriptor), not through the path /proc/self/fd/N: a container
/// sharing the rootfs directory renames /proc meanwhile and puts a tree of its own there, whose
/// self/fd/N are plain files. The init would open one of those, find nothing to wait for and
/// run the command at once, without `start`.
#[test]
fn racing_proc_swap_cannot_start_a_created_container() {
    let root = rootfs();
    for fake in ["proc", "proc2"] {
        let fds = root.join(&format!("{fake}/self/fd"));
        fs::create_dir_all(&fds).expect("mkdir self/fd");
        for n in 0..64 {
            fs::write(fds.join(n.to_string()), "").expect("a fake self/fd/N");
        }
    }
    let bundle = Bundle::new(&root, &sh("echo started > /started"), "", None);
    let swapper = Swapper::start(&root.path, "proc", "proc2");
    let (mut created, mut early) = (0, 0);
    for _ in 0..SWAP_RUNS / 2 {
        let id = unique_name();
        // The bundle has no /dev mount: runt makes its nodes in the image's, each time afresh.
        empty_dev(&root);
        let out = bundle.create(&id);
        if ran_or_refused(&out).is_none() {
            eprintln!("refused: {}", stderr(&out).trim());
        } else {
            created += 1;
            // `start` is never called: the command must not run.
            if poll_within(Duration::from_millis(300), || root.join("started").exists()) {
                early += 1;
                let _ = fs::remove_file(root.join("started"));
            }
        }
        bundle.delete(&id);
    }
    let swaps = swapper.finish();
    assert_eq!(early, 0, "{early} of {created} created containers ran their command without start");
    assert!(swaps > 0 && created > 0, "no race: {swaps} swaps, {created} containers created");
    eprintln!("{created} created, {swaps} swaps");
}
