//! Containers that outlive the runt process that created them: one directory per container
//! under the state root (`--root`, default /run/runt), holding `state.json` (written atomically),
//! between create and start the `exec.fifo` the container waits on, `config.path` when the
//! config was not the bundle's config.json (crun's `--config`), and `cgroup`: the container's
//! cgroup path, written before the cgroup is made, so that `delete --force` finds it whatever
//! moment runt was killed at (a `runt run` record has none: its cgroup is always runt/NAME);
//! `notify/notify.sock` when the container has a notify socket (notify.rs), `log` for `runt run
//! -d`. The records of `runt run`'s containers: records.rs.

use crate::cstr::{cstr, open_path};
use crate::error::{cat, dec_i, fail, sys_err, Error, Result};
use crate::json::{self, Object};
use crate::sys::{fs, process, Errno, Fd};
use alloc::string::String;
use alloc::vec::Vec;

mod records;
pub use records::reclaim_killed;

/// Where state lives when no --root is given. /run is the place; an initramfs may not have it.
pub fn default_root() -> &'static str {
    if fs::openat(fs::CWD, c"/run", fs::O_PATH | fs::O_DIRECTORY, 0).is_ok() {
        "/run/runt"
    } else {
        "/tmp/runt"
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct State {
    pub id: String,
    /// The container's init, in runt's pid namespace; 0 once it is known to be gone.
    pub pid: i32,
    /// Its start time (field 22 of /proc/PID/stat): a recycled pid is not the container.
    pub pid_start: u64,
    pub bundle: String,
    pub rootfs: String,
    pub created: String,
    pub oci_version: String,
    pub annotations: Vec<(String, String)>,
    /// Every cgroup directory of the container, to remove on delete.
    pub cgroups: Vec<String>,
    /// Made with --no-new-keyring: its exec'd processes keep the caller's session keyring too.
    pub no_new_keyring: bool,
    /// A container of `runt run`'s own (none of these for an engine's): its options as typed,
    /// from which `exec` makes the same Spec again, and its command.
    pub run_options: Vec<String>,
    pub command: Vec<String>,
    /// Started with -d: the record stays when it ends, until `rm`.
    pub detached: bool,
    /// Its exit status, once the runt that waited for it has recorded it.
    pub exit: Option<i32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Created,
    Running,
    Paused,
    Stopped,
    /// Its state file cannot be read (`list` shows it all the same).
    Unknown,
}

impl Status {
    #[inline(never)]
    pub fn name(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Stopped => "stopped",
            Status::Unknown => "unknown",
        }
    }
}

/// In a container's directory: what `write_small` writes before renaming it into place.
const TMP: &core::ffi::CStr = c"tmp";

/// In a container's directory: the root it has bound in runt's mount namespace (`note_in_place`).
const IN_PLACE: &core::ffi::CStr = c"rootfs.mount";

/// In the directory of a container `runt run -d` started: its output.
pub const LOG: &core::ffi::CStr = c"log";

pub struct Dir {
    pub path: String,
    pub fd: Fd,
}

fn check_id(id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= 1024
        && !matches!(id.as_bytes(), b"." | b"..")
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'+'));
    if ok {
        Ok(())
    } else {
        Err(fail(&["invalid container id '", id, "'"]))
    }
}

/// mkdir(2) with mode 0711; Ok(false) when it already exists.
#[inline(never)]
fn mkdir(path: &str) -> Result<bool> {
    match fs::mkdirat(fs::CWD, &cstr(path)?, 0o711) {
        Ok(()) => Ok(true),
        Err(Errno::EEXIST) => Ok(false),
        Err(e) => Err(sys_err(e, &["mkdir ", path])),
    }
}

#[inline(never)]
fn mkdir_p(path: &str) -> Result<()> {
    let mut at = String::new();
    for comp in path.split('/').filter(|c| !c.is_empty()) {
        at.push('/');
        at.push_str(comp);
        mkdir(&at)?;
    }
    Ok(())
}

impl Dir {
    /// Makes the directory of a new container, holding the path of the cgroup it is to have
    /// (`cgroup`), recorded before that is made; an id in use is refused.
    pub fn create(root: &str, id: &str, cgroup: &str) -> Result<Dir> {
        Dir::open_or_create(root, id, Some(cgroup))
    }

    /// Opens the directory of an existing container. "does not exist" is what engines look for.
    pub fn open(root: &str, id: &str) -> Result<Dir> {
        Dir::open_or_create(root, id, None)
    }

    #[inline(never)]
    fn open_or_create(root: &str, id: &str, cgroup: Option<&str>) -> Result<Dir> {
        check_id(id)?;
        let create = cgroup.is_some();
        let path = cat(&[root, "/", id]);
        // create: the id is taken when its directory is there already.
        let taken = create && {
            mkdir_p(root)?;
            !mkdir(&path)?
        };
        if taken {
            return Err(fail(&["container ", id, " already exists"]));
        }
        // Not through a symlink: a container's directory is runt's, never somewhere else.
        let dir = match open_path(&path, fs::O_DIRECTORY | fs::O_RDONLY | fs::O_NOFOLLOW, 0, "open ") {
            Ok(fd) => Dir { path, fd },
            // runc's words, which engines match: containerd and podman "does not exist", Docker
            // "container does not exist".
            Err(e) if e.errno == Some(Errno::ENOENT) && !create => {
                return Err(fail(&["container does not exist: ", id]))
            }
            Err(e) => {
                // The directory just made goes with the error: a retry must not find the id taken.
                if create {
                    let _ = fs::unlinkat(fs::CWD, &cstr(&path)?, fs::AT_REMOVEDIR);
                }
                return Err(e);
            }
        };
        if let Some(rel) = cgroup {
            if let Err(e) = dir.write_small(c"cgroup", rel) {
                let _ = dir.remove();
                return Err(e);
            }
        }
        Ok(dir)
    }

    /// A failed system call on `name` in this directory.
    #[inline(never)]
    fn fail(&self, e: Errno, op: &str, name: &str) -> Error {
        sys_err(e, &[op, &self.path, name])
    }

    /// The fifo the created container blocks on until `start` opens it.
    /// Writable by anyone (the container may be running as any user by then), readable, which
    /// is what starts it, only by root; the directory above is not listable.
    pub fn make_fifo(&self) -> Result<()> {
        fs::mknodat(self.fd.raw(), c"exec.fifo", linux_raw_sys::general::S_IFIFO | 0o622, 0)
            .and_then(|()| fs::chmod_at(self.fd.raw(), c"exec.fifo", 0o622))
            .map_err(|e| self.fail(e, "mkfifo ", "/exec.fifo"))
    }

    pub fn has_fifo(&self) -> bool {
        fs::openat(self.fd.raw(), c"exec.fifo", fs::O_PATH, 0).is_ok()
    }

    pub fn remove_fifo(&self) -> Result<()> {
        fs::unlinkat(self.fd.raw(), c"exec.fifo", 0).map_err(|e| self.fail(e, "unlink ", "/exec.fifo"))
    }

    pub fn fifo_path(&self) -> String {
        cat(&[&self.path, "/exec.fifo"])
    }

    pub fn save(&self, st: &State) -> Result<()> {
        self.write_small(c"state.json", &to_json(st))
    }

    /// The cgroup path `create` recorded; None when there is none (nothing was made, or a
    /// `runt run` record, which names none: see records.rs).
    pub fn cgroup(&self) -> Result<Option<String>> {
        match crate::cgroup::read_at(self.fd.raw(), c"cgroup") {
            Ok(rel) => Ok(Some(rel)),
            Err(Errno::ENOENT) => Ok(None),
            Err(e) => Err(self.fail(e, "read ", "/cgroup")),
        }
    }

    pub fn load(&self) -> Result<State> {
        let name = cat(&[&self.path, "/state.json"]);
        let shown = |e| sys_err(e, &[&name]);
        let buf = crate::cgroup::read_bytes(self.fd.raw(), c"state.json", 256 * 1024).map_err(shown)?;
        let v = json::parse_json(&buf, &name)?;
        let mut st = State::default();
        match from_json(&v, &mut st) {
            Some(()) => Ok(st),
            None => Err(fail(&[&name, ": not a runt state file"])),
        }
    }

    /// Records the config file the container was made from (crun's `--config`): `exec` and
    /// `delete` read it again.
    pub fn save_config_path(&self, path: &str) -> Result<()> {
        self.write_small(c"config.path", path)
    }

    /// The config file recorded by `save_config_path`, if any.
    pub fn config_path(&self) -> Option<String> {
        let bytes = crate::cgroup::read_bytes(self.fd.raw(), c"config.path", 64 << 10).ok()?;
        String::from_utf8(bytes).ok().filter(|p| !p.is_empty())
    }

    /// Records the root a container without a mount namespace has bound in place (its path
    /// and mount id, see rootfs::bind_in_place), for `remove` to detach.
    pub fn note_in_place(&self, path: &str, id: u64) -> Result<()> {
        self.write_small(IN_PLACE, &cat(&[&crate::error::dec(id), " ", path]))
    }

    /// Writes `text` as the file `name` of the directory, atomically (a temporary file renamed
    /// over it): a reader, or a runt killed meanwhile, leaves the old one or the new one, never
    /// half of one.
    fn write_small(&self, name: &core::ffi::CStr, text: &str) -> Result<()> {
        let flags = fs::O_WRONLY | fs::O_CREAT | fs::O_TRUNC;
        let shown = cat(&["/", name.to_str().unwrap_or_default()]);
        fs::openat(self.fd.raw(), TMP, flags, 0o600)
            .and_then(|fd| fs::write_all(fd.raw(), text.as_bytes()))
            .and_then(|()| fs::renameat(self.fd.raw(), TMP, name))
            .map_err(|e| self.fail(e, "write ", &shown))
    }

    /// Removes the directory and what is in it; first the root bound in place, if one was.
    pub fn remove(self) -> Result<()> {
        if let Ok(text) = crate::cgroup::read_bytes(self.fd.raw(), IN_PLACE, 8192) {
            let text = core::str::from_utf8(&text).unwrap_or_default();
            if let Some((id, path)) = text.split_once(' ') {
                if let Some(id) = crate::text::uint(id) {
                    crate::rootfs::detach_in_place(path, id)?;
                }
            }
        }
        // What is there (runt's files: state.json, cgroup, exec.fifo, ...; the notify/ directory
        // of oci/notify.rs with its socket), each removed: fewer calls than trying every name
        // runt may have written. Unreadable: every name all the same.
        let names = fs::list_dir(self.fd.raw()).unwrap_or_else(|_| {
            let all = ["rootfs.mount", "exec.fifo", "state.json", "tmp", "config.path", "cgroup", "log", "notify"];
            all.iter().map(|n| String::from(*n)).collect()
        });
        for name in &names {
            let Ok(c) = cstr(name) else { continue };
            if name == "notify" {
                let _ = fs::unlinkat(self.fd.raw(), c"notify/notify.sock", 0);
                let _ = fs::unlinkat(self.fd.raw(), &c, fs::AT_REMOVEDIR);
            } else {
                let _ = fs::unlinkat(self.fd.raw(), &c, 0);
            }
        }
        // Gone already: a foreground `run` and a `delete --force` may race to clean up.
        match fs::unlinkat(fs::CWD, &cstr(&self.path)?, fs::AT_REMOVEDIR) {
            Ok(()) | Err(Errno::ENOENT) => Ok(()),
            Err(e) => Err(self.fail(e, "rmdir ", "")),
        }
    }
}

/// The ids of every container under `root`.
pub fn list(root: &str) -> Result<Vec<String>> {
    match open_path(root, fs::O_DIRECTORY | fs::O_RDONLY, 0, "open ") {
        Ok(fd) => {
            // Sorted by list_dir.
            fs::list_dir(fd.raw()).map_err(|e| sys_err(e, &["read ", root]))
        }
        Err(e) if e.errno == Some(Errno::ENOENT) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// Field 22 (starttime) of /proc/PID/stat, and whether the process is a zombie.
/// A failure is an error: a container recorded without its start time would read as stopped
/// while it runs.
pub fn pid_start(pid: i32) -> Result<(u64, bool)> {
    let path = cat(&["/proc/", &dec_i(pid.into()), "/stat"]);
    let failed = |e| sys_err(e, &["read ", &path]);
    let text = crate::cgroup::read_at(fs::CWD, &cstr(&path)?).map_err(failed)?;
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'. The
    // kernel separates the fields by one space: a byte search and a split on ' ' do (this was the
    // only user of the reverse char searcher and of split_whitespace).
    let fields = |text: &str| {
        let rest = text.get(text.bytes().rposition(|b| b == b')')? + 1..)?;
        let mut fields = rest.split(' ').filter(|f| !f.is_empty());
        let state = fields.next()?;
        Some((crate::text::uint(fields.nth(18)?)?, matches!(state.as_bytes(), b"Z" | b"X")))
    };
    fields(&text).ok_or_else(|| failed(Errno::EINVAL))
}

impl State {
    /// Whether the recorded init still runs (same pid, same start time, not a zombie).
    pub fn alive(&self) -> bool {
        self.pid > 0 && pid_start(self.pid).is_ok_and(|(start, zombie)| start == self.pid_start && !zombie)
    }

    pub fn status(&self, dir: &Dir) -> Status {
        if !self.alive() {
            Status::Stopped
        } else if self.frozen() {
            // Before created: a created container can be paused too (runc shows it paused).
            Status::Paused
        } else if dir.has_fifo() {
            Status::Created
        } else {
            Status::Running
        }
    }

    /// Whether a freeze was asked for: v2's cgroup.freeze says so at once, v1's freezer.state
    /// says FREEZING until every task has stopped. Both count, or an exec could join a cgroup
    /// that is freezing and wait there for `resume`.
    fn frozen(&self) -> bool {
        for c in &self.cgroups {
            let asked = if in_v1_freezer(c) {
                read_small(&cat(&[c, "/freezer.state"]))
                    .is_some_and(|t| matches!(t.trim_ascii(), "FROZEN" | "FREEZING"))
            } else {
                read_small(&cat(&[c, "/cgroup.freeze"])).is_some_and(|t| t.trim_ascii() == "1")
            };
            if asked {
                return true;
            }
        }
        false
    }

    /// The OCI state as `runt state` prints it (`owner` empty) and `list` (the owner's name),
    /// with runc's keys in runc's order, annotations only when there are some.
    pub fn oci_json(&self, status: Status, owner: &str) -> String {
        let pid = if status == Status::Stopped { 0 } else { i64::from(self.pid) };
        let mut o = Object::new();
        o.str("ociVersion", &self.oci_version)
            .str("id", &self.id)
            .num("pid", pid)
            .str("status", status.name())
            .str("bundle", &self.bundle)
            .str("rootfs", &self.rootfs)
            .str("created", &self.created);
        if !self.annotations.is_empty() {
            o.raw("annotations", &json::pairs(&self.annotations));
        }
        // runt run's own: what it runs, and how it ended once that is known.
        if !self.command.is_empty() {
            o.raw("command", &json::strings(self.command.iter().map(String::as_str)));
        }
        if let Some(n) = self.exit {
            o.num("exitStatus", n.into());
        }
        o.str("owner", owner).finish()
    }
}

/// Whether the cgroup directory `c` contains "/freezer/" (a v1 freezer hierarchy), said with
/// components rather than a substring search (whose code is large).
fn in_v1_freezer(c: &str) -> bool {
    crate::text::rsplit(c, b'/').is_some_and(|(dir, _)| dir.split('/').skip(1).any(|p| p == "freezer"))
}

pub fn read_small(path: &str) -> Option<String> {
    crate::cgroup::read_at(fs::CWD, &cstr(path).ok()?).ok()
}

fn to_json(st: &State) -> String {
    Object::new()
        .str("id", &st.id)
        .num("pid", i64::from(st.pid))
        .num("pid_start", st.pid_start as i64)
        .str("bundle", &st.bundle)
        .str("rootfs", &st.rootfs)
        .str("created", &st.created)
        .str("oci_version", &st.oci_version)
        .raw("annotations", &json::pairs(&st.annotations))
        .raw("cgroups", &json::strings(st.cgroups.iter().map(String::as_str)))
        .raw("no_new_keyring", if st.no_new_keyring { "true" } else { "false" })
        .raw("run_options", &json::strings(st.run_options.iter().map(String::as_str)))
        .raw("command", &json::strings(st.command.iter().map(String::as_str)))
        .raw("detached", if st.detached { "true" } else { "false" })
        .num("exit", st.exit.map_or(-1, i64::from))
        .finish()
}

/// Fills `st` in place (the caller's, not one moved out through an Option).
#[inline(never)]
fn from_json(v: &json::Value, st: &mut State) -> Option<()> {
    for (k, a) in v.get("annotations")?.as_object()? {
        if let Some(a) = a.as_str() {
            st.annotations.push((k.clone(), String::from(a)));
        }
    }
    for c in v.get("cgroups")?.as_array()? {
        if let Some(c) = c.as_str() {
            st.cgroups.push(String::from(c));
        }
    }
    // Missing in the state of a container made by a runt before it was recorded.
    st.no_new_keyring = v.get("no_new_keyring").and_then(json::Value::as_bool).unwrap_or(false);
    // runt run's own fields: missing in an engine's container made by an older runt.
    let lists = [("run_options", &mut st.run_options), ("command", &mut st.command)];
    for (k, list) in lists {
        for a in v.get(k).and_then(json::Value::as_array).unwrap_or_default() {
            list.push(String::from(a.as_str()?));
        }
    }
    st.detached = v.get("detached").and_then(json::Value::as_bool).unwrap_or(false);
    st.exit = v.get("exit").and_then(json::Value::as_i64).and_then(|n| i32::try_from(n).ok()).filter(|n| *n >= 0);
    st.pid = i32::try_from(v.get("pid")?.as_i64()?).ok()?;
    st.pid_start = v.get("pid_start")?.as_u64()?;
    let texts = [
        ("id", &mut st.id),
        ("bundle", &mut st.bundle),
        ("rootfs", &mut st.rootfs),
        ("created", &mut st.created),
        ("oci_version", &mut st.oci_version),
    ];
    for (k, field) in texts {
        *field = String::from(v.get(k)?.as_str()?);
    }
    Some(())
}

/// Now as RFC 3339 in UTC with nanoseconds, as runc writes `created`.
pub fn timestamp() -> String {
    let (secs, nanos) = fs::now();
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let mut out = String::new();
    let fields = [
        (year, 4, b'-'),
        (month, 2, b'-'),
        (day, 2, b'T'),
        (rem / 3600, 2, b':'),
        (rem % 3600 / 60, 2, b':'),
        (rem % 60, 2, b'.'),
        (nanos, 9, b'Z'),
    ];
    for (n, width, after) in fields {
        // A clock before year 0 is not a case worth code: the sign would be lost.
        zero_pad(&mut out, n.unsigned_abs(), width);
        out.push(char::from(after));
    }
    out
}

/// Appends `n` in decimal with leading zeros to `width` digits (as `{n:0width$}` would).
#[inline(never)]
fn zero_pad(out: &mut String, n: u64, width: usize) {
    let mut digits = 1;
    let mut rest = n;
    while rest >= 10 {
        rest /= 10;
        digits += 1;
    }
    for _ in digits..width {
        out.push('0');
    }
    crate::error::push_dec(out, n);
}

/// "container not running: ID", runc's words and exit status (1) for a signal to a container
/// that has ended: containerd's shim reads them as "process already finished".
pub fn not_running(id: &str) -> Error {
    fail(&["container not running: ", id]).with_status(1)
}

/// The container's init, held by a pidfd where the kernel has them (Linux 5.3): a process that
/// takes over its pid once it is gone is not reached through it.
pub struct Init {
    pid: i32,
    fd: Option<Fd>,
}

impl State {
    /// The container's init, or "container not running". The pidfd is opened before the start
    /// time is checked: a pidfd of the process that has the recorded start time is the init's.
    pub fn init(&self) -> Result<Init> {
        let fd = match process::pidfd_open(self.pid) {
            Ok(fd) => Some(fd),
            Err(Errno::ENOSYS) => None,
            Err(Errno::ESRCH | Errno::EINVAL) => return Err(not_running(&self.id)),
            Err(e) => return Err(sys_err(e, &["pidfd_open ", &self.id, " (pid ", &dec_i(self.pid.into()), ")"])),
        };
        if !self.alive() {
            return Err(not_running(&self.id));
        }
        Ok(Init { pid: self.pid, fd })
    }
}

impl Init {
    /// Sends `sig` (0: only checks) to the init, or fails with ESRCH once it is gone. Without
    /// pidfds, by its pid.
    pub fn signal(&self, sig: u32) -> core::result::Result<(), Errno> {
        match &self.fd {
            Some(fd) => process::pidfd_send_signal(fd, sig),
            None => process::kill(self.pid, sig),
        }
    }

    /// Whether the init is still there: what was opened through /proc/PID since `State::init`
    /// was the init's.
    pub fn still_there(&self) -> bool {
        self.signal(0).is_ok()
    }
}

/// Sends `sig` to the container's init, if it is still the container's init.
pub fn signal(st: &State, sig: u32) -> Result<()> {
    match st.init()?.signal(sig) {
        Ok(()) => Ok(()),
        Err(Errno::ESRCH) => Err(not_running(&st.id)),
        Err(e) => Err(sys_err(e, &["kill ", &st.id, " (pid ", &dec_i(st.pid.into()), ")"])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips() {
        let st = State {
            id: "c1".into(),
            pid: 42,
            pid_start: 123456,
            bundle: "/b".into(),
            rootfs: "/b/rootfs".into(),
            created: "2026-11-29T05:00:00.000000001Z".into(),
            oci_version: "1.0.2".into(),
            annotations: alloc::vec![("a".into(), "b\"c".into())],
            cgroups: alloc::vec!["/sys/fs/cgroup/pids/c1".into()],
            no_new_keyring: true,
            run_options: alloc::vec!["-d".into(), "--name".into()],
            command: alloc::vec!["sleep".into(), "9".into()],
            detached: true,
            exit: Some(3),
        };
        let mut back = State::default();
        from_json(&json::parse(to_json(&st).as_bytes()).unwrap(), &mut back).unwrap();
        assert_eq!(back, st);
        let oci = st.oci_json(Status::Stopped, "root");
        assert!(oci.contains(r#""pid":0,"status":"stopped""#), "{oci}");
        assert!(
            oci.ends_with(r#""annotations":{"a":"b\"c"},"command":["sleep","9"],"exitStatus":3,"owner":"root"}"#),
            "{oci}"
        );
        let bare = State { annotations: alloc::vec![], command: alloc::vec![], exit: None, ..st }
            .oci_json(Status::Running, "");
        assert!(!bare.contains("annotations") && bare.ends_with(r#""owner":""}"#), "{bare}");
    }

    #[test]
    fn freezer_paths() {
        for c in ["/sys/fs/cgroup/freezer/runt/c1", "a/freezer/b", "/freezer/", "/freezer/x/y", "/a/freezer//b"] {
            assert!(in_v1_freezer(c), "{c}");
            assert!(c.contains("/freezer/"));
        }
        for c in ["/sys/fs/cgroup/runt/freezer", "freezer/b", "/sys/fs/cgroup/runt/c1", "/freezerx/a", "", "/"] {
            assert!(!in_v1_freezer(c), "{c}");
            assert!(!c.contains("/freezer/"));
        }
    }

    #[test]
    fn ids() {
        assert!(check_id("abc-1.2_3+4").is_ok());
        for bad in ["", ".", "..", "a/b", "a b", "x\0"] {
            assert!(check_id(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn timestamps_look_like_rfc3339() {
        let t = timestamp();
        assert_eq!(t.len(), 30, "{t}");
        assert!(t.starts_with("20") && t.ends_with('Z') && &t[10..11] == "T", "{t}");
    }

    #[test]
    fn own_process_is_alive() {
        let pid = std::process::id() as i32;
        let (start, zombie) = pid_start(pid).unwrap();
        assert!(!zombie);
        let st = State { pid, pid_start: start, ..State::default() };
        assert!(st.alive());
        assert!(!State { pid, pid_start: start + 1, ..State::default() }.alive());
    }
}
