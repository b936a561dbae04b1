//! Shared helpers of the integration tests: they run the real `runt` binary with the
//! in-container probe (tests/probe) and look at what a user would see.
//!
//! Preconditions (root, the runt and probe binaries) are checked once and fail loudly:
//! a test that cannot run here panics rather than passing silently.

#![allow(dead_code)] // each test binary uses a different subset

pub mod bundle;
pub mod term;
pub mod user;

use std::ffi::OsStr;
use std::fs;
use std::io::Read;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

/// How long any one runt invocation may take before the test kills it and fails.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// The busybox applets linked into every test rootfs.
const APPLETS: &[&str] = &["sh", "echo", "cat", "ls", "sleep", "true", "mkdir"];

/// The checkout's top, without `..` in it: test paths are looked for in the mount table, which
/// names every mount by its canonical path.
pub fn manifest_dir() -> PathBuf {
    let top = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    top.canonicalize().unwrap_or(top)
}

/// The runt binary: `$RUNT`, else `<manifest>/runt` (built by `make`).
pub fn runt() -> PathBuf {
    check_preconditions();
    runt_path()
}

/// The probe binary: `$PROBE`, else the static build under `target/probe`.
pub fn probe() -> PathBuf {
    check_preconditions();
    probe_path()
}

fn runt_path() -> PathBuf {
    std::env::var_os("RUNT").map_or_else(|| manifest_dir().join("runt"), PathBuf::from)
}

fn probe_path() -> PathBuf {
    std::env::var_os("PROBE")
        .map_or_else(|| manifest_dir().join("target/probe/x86_64-unknown-linux-musl/release/probe"), PathBuf::from)
}

/// Cheap enough to check on every call, so that every test fails with the clear message.
fn check_preconditions() {
    assert!(is_root(), "the integration tests need root (namespaces, mounts, cgroups); run them as root");
    let runt = runt_path();
    assert!(runt.is_file(), "runt binary not found at {} (run `make`, or set RUNT=/path/to/runt)", runt.display());
    let probe = probe_path();
    assert!(
        probe.is_file(),
        "probe binary not found at {} (build it with `cargo build --release \
         --manifest-path tests/probe/Cargo.toml --target x86_64-unknown-linux-musl \
         --target-dir target/probe`, or set PROBE=/path/to/probe)",
        probe.display()
    );
}

/// Effective uid 0, read from /proc/self/status (no libc in the tests).
fn is_root() -> bool {
    let status = fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status.lines().find_map(|l| l.strip_prefix("Uid:")).and_then(|ids| ids.split_whitespace().nth(1)) == Some("0")
}

/// Panics unless the host has /bin/busybox (the test rootfs needs it for sh, true...).
pub fn require_busybox() {
    assert!(
        Path::new("/bin/busybox").is_file(),
        "/bin/busybox is missing on the host: `apt-get install -y busybox-static`"
    );
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn unique() -> String {
    format!("{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// A container name no other test (or concurrent test binary) uses: `t-<pid>-<n>`.
/// `RUNT_TEST_TAG` goes first: tests/mutants/run.sh marks its containers so, to remove what a
/// broken build left behind.
pub fn unique_name() -> String {
    format!("t-{}{}", std::env::var("RUNT_TEST_TAG").unwrap_or_default(), unique())
}

/// A fresh directory under `<manifest>/target/test-rootfs/`, removed on drop.
pub struct TempDir {
    pub path: PathBuf,
}

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let path = manifest_dir().join("target/test-rootfs").join(format!("{tag}-{}", unique()));
        if path.exists() {
            fs::remove_dir_all(&path).expect("remove stale test directory");
        }
        fs::create_dir_all(&path).unwrap_or_else(|e| panic!("mkdir {}: {e}", path.display()));
        TempDir { path }
    }

    /// A fresh directory (mode 0755) under the system's temp dir, which every user can reach: a
    /// checkout may lie where other users cannot.
    pub fn shared(tag: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("{tag}-{}", unique_name()));
        fs::create_dir(&path).unwrap_or_else(|e| panic!("mkdir {}: {e}", path.display()));
        let dir = TempDir { path };
        fs::set_permissions(&dir.path, fs::Permissions::from_mode(0o755)).expect("chmod dir");
        dir
    }

    /// A fresh directory (mode 0755) under /var/tmp: on the host's own root, where a container
    /// on the default root sees it (its /tmp is a fresh one), and outside test-rootfs/, whose
    /// mounts the escape tests watch, so that a test's own host mount there is no one's alarm.
    pub fn on_host_root(tag: &str) -> TempDir {
        let path = Path::new("/var/tmp").join(format!("{tag}-{}", unique_name()));
        fs::create_dir(&path).unwrap_or_else(|e| panic!("mkdir {}: {e}", path.display()));
        let dir = TempDir { path };
        fs::set_permissions(&dir.path, fs::Permissions::from_mode(0o755)).expect("chmod dir");
        dir
    }

    pub fn join(&self, rel: &str) -> PathBuf {
        self.path.join(rel)
    }

    /// The path as a str, for building `-v` arguments.
    pub fn as_str(&self) -> &str {
        let path = self.path.to_str().expect("test paths are UTF-8");
        assert!(!path.contains(char::is_whitespace), "test paths must not contain spaces: {path}");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Never recurse into a host mount left under the directory by a buggy run: that
        // could delete whatever was bind-mounted there. Leave it for a human instead.
        let leaked: Vec<String> =
            host_mount_points().into_iter().filter(|p| Path::new(p).starts_with(&self.path)).collect();
        if leaked.is_empty() {
            let _ = fs::remove_dir_all(&self.path);
        } else {
            eprintln!("not removing {}: host mounts under it: {leaked:?}", self.path.display());
        }
    }
}

/// A minimal rootfs: bin etc proc sys dev tmp run; /bin/probe; /bin/busybox and its
/// applets (when the host has busybox); /etc/passwd with root; /bin/notexec (0644).
pub fn rootfs() -> TempDir {
    let root = TempDir::new("rootfs");
    fill_rootfs(&root.path);
    root
}

/// Fills the directory `root` as [`rootfs`] does.
pub fn fill_rootfs(root: &Path) {
    for dir in ["bin", "etc", "proc", "sys", "dev", "tmp", "run"] {
        fs::create_dir(root.join(dir)).expect("mkdir in rootfs");
    }
    copy(&probe(), &root.join("bin/probe"));
    if Path::new("/bin/busybox").is_file() {
        copy(Path::new("/bin/busybox"), &root.join("bin/busybox"));
        for applet in APPLETS {
            symlink("busybox", root.join("bin").join(applet)).expect("symlink applet");
        }
    }
    fs::write(root.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n").expect("write passwd");
    let notexec = root.join("bin/notexec");
    fs::write(&notexec, "#!/bin/sh\necho should not run\n").expect("write notexec");
    fs::set_permissions(&notexec, fs::Permissions::from_mode(0o644)).expect("chmod notexec");
}

fn copy(from: &Path, to: &Path) {
    fs::copy(from, to).unwrap_or_else(|e| panic!("copy {} to {}: {e}", from.display(), to.display()));
}

/// `runt ARGS...`, stdin null, output captured; killed and failed after [`TIMEOUT`].
pub fn run<S: AsRef<OsStr>>(args: &[S]) -> Output {
    let child = spawn(args);
    wait(child)
}

/// `runt run --name NAME ARGS...`, then asserts that the container's cgroup is gone.
pub fn run_named<S: AsRef<OsStr>>(name: &str, args: &[S]) -> Output {
    let out = wait(spawn_named(name, args));
    assert_no_cgroup(name);
    out
}

/// `runt run --name NAME --rootfs ROOT WORDS...`, WORDS split on whitespace (test
/// paths have none); then asserts that the container's cgroup is gone.
pub fn run_in(root: &TempDir, name: &str, words: &str) -> Output {
    let out = wait(spawn_in(root, name, words));
    assert_no_cgroup(name);
    out
}

/// [`run_in`] in the background.
pub fn spawn_in(root: &TempDir, name: &str, words: &str) -> Child {
    let mut args = vec!["--rootfs", root.as_str()];
    args.extend(words.split_whitespace());
    spawn_named(name, &args)
}

/// Where default-rootfs containers see the probe: bound there with `-v`, because the host path
/// of a checkout may lie under a directory the container covers with a fresh mount (/tmp).
pub const PROBE_IN_DEFAULT: &str = "/run/probe";

/// Arguments that run the probe with `args` on the default rootfs (host `/`).
pub fn default_probe(args: &[&str]) -> Vec<String> {
    let probe = probe().to_str().expect("probe path is UTF-8").to_string();
    let mut v = vec!["-v".to_string(), format!("{probe}:{PROBE_IN_DEFAULT}:ro"), PROBE_IN_DEFAULT.to_string()];
    v.extend(args.iter().map(|a| a.to_string()));
    v
}

/// `runt ARGS...` in the background, stdin null, stdout and stderr piped.
pub fn spawn<S: AsRef<OsStr>>(args: &[S]) -> Child {
    Command::new(runt())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {}: {e}", runt().display()))
}

/// `runt run --name NAME ARGS...` in the background.
pub fn spawn_named<S: AsRef<OsStr>>(name: &str, args: &[S]) -> Child {
    let mut all: Vec<&OsStr> = vec![OsStr::new("run"), OsStr::new("--name"), OsStr::new(name)];
    all.extend(args.iter().map(AsRef::as_ref));
    spawn(&all)
}

/// Collects a spawned runt's output; kills it and panics if it outlives [`TIMEOUT`].
pub fn wait(child: Child) -> Output {
    let pid = child.id();
    wait_within(child, TIMEOUT).unwrap_or_else(|| panic!("runt (pid {pid}) still running after {TIMEOUT:?}; killed"))
}

/// [`wait`] with a limit of its own: None, once the process is killed and reaped, when it
/// outlives `limit` (its output is then left to whoever else holds its pipes).
pub fn wait_within(mut child: Child, limit: Duration) -> Option<Output> {
    let out = child.stdout.take().map(reader);
    let err = child.stderr.take().map(reader);
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for runt") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        thread::sleep(Duration::from_millis(5));
    };
    let collect =
        |h: Option<thread::JoinHandle<Vec<u8>>>| h.map(|h| h.join().expect("pipe reader")).unwrap_or_default();
    Some(Output { status, stdout: collect(out), stderr: collect(err) })
}

fn reader(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        buf
    })
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Everything about a run, for assertion messages.
pub fn describe(out: &Output) -> String {
    format!("status: {:?}\nstdout: {:?}\nstderr: {:?}", out.status, stdout(out), stderr(out))
}

/// The exit code; panics (with the output) when runt itself died of a signal.
pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or_else(|| panic!("runt was killed by a signal\n{}", describe(out)))
}

/// Asserts exit 0 and returns stdout.
pub fn ok_stdout(out: &Output) -> String {
    assert_eq!(code(out), 0, "expected exit 0\n{}", describe(out));
    stdout(out)
}

/// Asserts the exit code and that stderr is exactly one line, starting `runt: ` and
/// containing `needle`.
pub fn assert_error(out: &Output, expected_code: i32, needle: &str) {
    assert_eq!(code(out), expected_code, "wrong exit code\n{}", describe(out));
    let err = stderr(out);
    assert!(
        err.starts_with("runt: ") && err.ends_with('\n') && err.matches('\n').count() == 1,
        "stderr must be exactly one line starting `runt: `\n{}",
        describe(out)
    );
    assert!(err.contains(needle), "stderr should mention {needle:?}\n{}", describe(out));
}

/// Every place runt could have created the container's cgroup: any v1 hierarchy
/// (`/sys/fs/cgroup/*/runt/NAME`, which includes a v2 mounted at .../unified) or a v2
/// root (`/sys/fs/cgroup/runt/NAME`).
pub fn cgroup_paths(name: &str) -> Vec<PathBuf> {
    let root = Path::new("/sys/fs/cgroup");
    let mut paths = vec![root.join("runt").join(name)];
    if let Ok(dir) = fs::read_dir(root) {
        paths.extend(dir.flatten().map(|e| e.path().join("runt").join(name)));
    }
    paths
}

pub fn cgroup_exists(name: &str) -> bool {
    cgroup_paths(name).iter().any(|p| p.exists())
}

/// The processes in the container's cgroup, on every hierarchy that has it.
pub fn cgroup_pids(name: &str) -> Vec<u32> {
    let mut pids: Vec<u32> = cgroup_paths(name)
        .iter()
        .filter_map(|p| fs::read_to_string(p.join("cgroup.procs")).ok())
        .flat_map(|text| text.lines().filter_map(|l| l.parse().ok()).collect::<Vec<u32>>())
        .collect();
    pids.sort_unstable();
    pids.dedup();
    pids
}

/// Whether host pid `pid` is a live process (not gone, not a zombie).
pub fn alive(pid: u32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|s| s.rsplit_once(')').is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')))
}

pub fn assert_no_cgroup(name: &str) {
    let left: Vec<PathBuf> = cgroup_paths(name).into_iter().filter(|p| p.exists()).collect();
    assert!(left.is_empty(), "cgroup of container {name} left behind: {left:?}");
}

/// Which cgroup layout this host has, to know which limit files to look at.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum CgroupLayout {
    V1,
    V2,
    None,
}

pub fn cgroup_layout() -> CgroupLayout {
    let fstype = |point: &str| host_mountinfo().into_iter().find(|m| m.mount_point == point).map(|m| m.fstype);
    if fstype("/sys/fs/cgroup").as_deref() == Some("cgroup2") {
        CgroupLayout::V2
    } else if fstype("/sys/fs/cgroup/pids").as_deref() == Some("cgroup") {
        CgroupLayout::V1
    } else {
        CgroupLayout::None
    }
}

/// The directory of container NAME's cgroup for `controller` on this host's layout.
pub fn cgroup_dir(controller: &str, name: &str) -> PathBuf {
    match cgroup_layout() {
        CgroupLayout::V1 => Path::new("/sys/fs/cgroup").join(controller).join("runt").join(name),
        CgroupLayout::V2 => Path::new("/sys/fs/cgroup/runt").join(name),
        CgroupLayout::None => panic!("this host has no cgroup filesystem: cannot test limits"),
    }
}

/// Polls `path` (a cgroup file of a starting container) until its trimmed content is
/// `expected`, up to 10 s; returns the last thing read, to assert on.
pub fn poll_file(path: &Path, expected: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let last = match fs::read_to_string(path) {
            Ok(text) => text.trim().to_string(),
            Err(e) => format!("<{}: {e}>", path.display()),
        };
        if last == expected || Instant::now() > deadline {
            return last;
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// Polls until `cond` holds, up to 10 s; false if it never did.
pub fn poll(cond: impl FnMut() -> bool) -> bool {
    poll_within(Duration::from_secs(10), cond)
}

/// [`poll`] with a deadline of its own.
pub fn poll_within(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while !cond() {
        if Instant::now() > deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(10));
    }
    true
}

/// The lines of a spawned runt's stdout as they come (the stdout is taken from `child`).
pub fn stdout_lines(child: &mut Child) -> Receiver<String> {
    let pipe = child.stdout.take().expect("stdout was piped");
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// The next line from [`stdout_lines`]; panics after 10 s.
pub fn next_line(lines: &Receiver<String>) -> String {
    lines.recv_timeout(Duration::from_secs(10)).expect("a line on the container's stdout")
}

/// One line of /proc/self/mountinfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountInfo {
    pub mount_id: String,
    pub parent_id: String,
    pub dev: String,
    pub root: String,
    pub mount_point: String,
    pub options: String,
    /// Optional fields (shared:N, master:N...), space separated.
    pub optional: String,
    pub fstype: String,
    pub source: String,
    pub super_options: String,
}

impl MountInfo {
    pub fn parse(line: &str) -> Option<MountInfo> {
        let (left, right) = line.split_once(" - ")?;
        let mut l = left.split(' ');
        let mut r = right.split(' ');
        Some(MountInfo {
            mount_id: l.next()?.into(),
            parent_id: l.next()?.into(),
            dev: l.next()?.into(),
            root: l.next()?.into(),
            mount_point: l.next()?.into(),
            options: l.next()?.into(),
            optional: l.collect::<Vec<_>>().join(" "),
            fstype: r.next()?.into(),
            source: r.next()?.into(),
            super_options: r.next().unwrap_or("").into(),
        })
    }

    /// Everything but the mount ids, which change whenever anything is remounted.
    pub fn without_ids(&self) -> String {
        format!(
            "{} {} {} {} [{}] - {} {} {}",
            self.dev,
            self.root,
            self.mount_point,
            self.options,
            self.optional,
            self.fstype,
            self.source,
            self.super_options
        )
    }
}

/// The host's (this test process's) /proc/self/mountinfo.
pub fn host_mountinfo() -> Vec<MountInfo> {
    let text = fs::read_to_string("/proc/self/mountinfo").expect("read /proc/self/mountinfo");
    text.lines().map(|l| MountInfo::parse(l).unwrap_or_else(|| panic!("bad mountinfo line {l:?}"))).collect()
}

pub fn host_mount_points() -> Vec<String> {
    host_mountinfo().into_iter().map(|m| m.mount_point).collect()
}

/// The host mount table without ids, sorted: compare before and after a run.
pub fn host_mount_table() -> Vec<String> {
    let mut table: Vec<String> = host_mountinfo().iter().map(MountInfo::without_ids).collect();
    table.sort();
    table
}

/// Host pid of the process whose environment holds exactly `KEY=VALUE` (pass a unique
/// `-e` to the container to find its init from outside), polling up to 10 s.
pub fn find_pid_by_env(entry: &str) -> u32 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found = fs::read_dir("/proc").into_iter().flatten().flatten().find_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let environ = fs::read(e.path().join("environ")).ok()?;
            environ.split(|&b| b == 0).any(|kv| kv == entry.as_bytes()).then_some(pid)
        });
        if let Some(pid) = found {
            return pid;
        }
        assert!(Instant::now() < deadline, "no process with {entry} in its environment");
        thread::sleep(Duration::from_millis(10));
    }
}

/// `kill -SIGNAL PID` with the host's kill command.
pub fn kill(signal: &str, pid: u32) {
    let status = Command::new("kill").arg(format!("-{signal}")).arg(pid.to_string()).status().expect("run kill");
    assert!(status.success(), "kill -{signal} {pid} failed");
}

/// A tmpfs mounted on the host for one test, unmounted when dropped (before its directory).
pub struct HostTmpfs(PathBuf);

impl HostTmpfs {
    /// A tmpfs at `at`; then, when `flags` is not empty, its mount (not the filesystem) given
    /// those flags ("ro,nosuid") by a bind remount.
    pub fn mount(at: &Path, flags: &str) -> HostTmpfs {
        let ok = Command::new("mount").args(["-t", "tmpfs", "-o", "mode=777", "tmpfs"]).arg(at).status();
        assert!(ok.is_ok_and(|s| s.success()), "mount a tmpfs on {}", at.display());
        let mounted = HostTmpfs(at.to_path_buf());
        if !flags.is_empty() {
            let ok = Command::new("mount").args(["-o", &format!("remount,bind,{flags}")]).arg(at).status();
            assert!(ok.is_ok_and(|s| s.success()), "remount {} {flags}", at.display());
        }
        mounted
    }
}

impl Drop for HostTmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// `probe swap DIR A B` on the host: a second container sharing a rootfs directory, exchanging
/// the names A and B in DIR as fast as it can while runt builds containers on it.
pub struct Swapper {
    dir: PathBuf,
    child: Option<Child>,
}

impl Swapper {
    pub fn start(dir: &Path, a: &str, b: &str) -> Swapper {
        let child = Command::new(probe())
            .arg("swap")
            .arg(dir)
            .args([a, b])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn probe swap");
        Swapper { dir: dir.to_path_buf(), child: Some(child) }
    }

    /// Stops it; how many exchanges it made (an even number: the names are as they were).
    pub fn finish(mut self) -> u64 {
        let out = self.stop();
        let text = stdout(&out);
        text.trim()
            .strip_prefix("swaps ")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("probe swap did not say how many swaps it made\n{}", describe(&out)))
    }

    fn stop(&mut self) -> Output {
        let stop = self.dir.join("stop");
        fs::write(&stop, "").expect("create the swapper's stop file");
        let out = self.child.take().map(wait);
        let _ = fs::remove_file(&stop);
        out.unwrap_or_else(|| Output { status: Default::default(), stdout: Vec::new(), stderr: Vec::new() })
    }
}

impl Drop for Swapper {
    fn drop(&mut self) {
        if self.child.is_some() {
            self.stop();
        }
    }
}

/// `runt --root STATE create --bundle BUNDLE ID`. Its stdio (the container's) goes to the files
/// STATE/out and STATE/err, and stderr is read back from there: a pipe would stay open in the
/// created container and keep the test waiting for its end.
pub fn create_in(state: &TempDir, bundle: &TempDir, id: &str) -> Output {
    let file = |name: &str| fs::File::create(state.join(name)).expect("create an output file");
    let child = Command::new(runt())
        .args(["--root", state.as_str(), "create", "--bundle", bundle.as_str(), id])
        .stdin(Stdio::null())
        .stdout(file("out"))
        .stderr(file("err"))
        .spawn()
        .expect("spawn runt create");
    let mut out = wait(child);
    out.stderr = fs::read(state.join("err")).unwrap_or_default();
    out
}
