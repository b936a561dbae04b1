//! One cgroup per container, on whatever layout the host has: cgroup v2, v1 (one hierarchy per
//! controller), hybrid (v1 plus a cgroup2 mount at /sys/fs/cgroup/unified; runt writes limits in
//! the v1 hierarchies there), or none (initramfs: nothing mounted; the container runs without
//! limits). On v1 and hybrid the container joins every mounted hierarchy, the cgroup2 one too, as
//! runc does: what it is not limited in is still counted (memory statistics, OOM events, cpu
//! accounting read by `crictl stats`), and a program inside can make sub-cgroups anywhere.
//!
//! It fails closed: only the absence of a cgroup filesystem (ENOENT, or nothing mounted where runt
//! looks) means "no cgroups". Any other error opening, reading, creating or writing cgroupfs is
//! returned, never taken for an absence or an empty file: a container must not run without the
//! limits and device rules it was given because the kernel said EIO, EMFILE or ENOMEM once.
//!
//! Every file is written through a held directory descriptor (`write_file(dir, name, value)`).

use crate::cstr::cstr;
use crate::error::{cat, dec, dec_i, Error, OrSys, Result};
use crate::security::devices::{ebpf, v1_line, Rule};
use crate::spec::Limits;
use crate::sys::fs::{self, AT_REMOVEDIR, CWD, O_DIRECTORY, O_RDONLY, O_WRONLY};
use crate::sys::{bpf, process, Errno, Fd};
use alloc::string::String;
use alloc::vec::Vec;
use linux_raw_sys::general::{CGROUP2_SUPER_MAGIC, CGROUP_SUPER_MAGIC};

mod limits;
use limits::{needed, v2_controllers};

const MOUNT: &str = "/sys/fs/cgroup";
/// Parent of the cgroups of `runt run` containers, created on first use and left in place.
pub const PARENT: &str = "runt";

#[derive(Debug)]
pub enum Layout {
    V2(Fd),
    /// The directory holding one mount per v1 controller.
    V1(Fd),
    None,
}

/// The host's layout. `None` only when there is no cgroup filesystem to use: /sys/fs/cgroup is
/// missing, or it is no cgroup2 mount and has no pids hierarchy mounted under it (where runt
/// tracks every v1 container). Any other error is an error.
pub fn detect() -> Result<Layout> {
    let dir = match fs::openat(CWD, c"/sys/fs/cgroup", O_DIRECTORY | O_RDONLY, 0) {
        Ok(dir) => dir,
        Err(Errno::ENOENT) => return Ok(Layout::None),
        Err(e) => return Err(Error::op(e, "open", MOUNT)),
    };
    if fs_type(&dir, MOUNT)? == CGROUP2_SUPER_MAGIC.into() {
        return Ok(Layout::V2(dir));
    }
    let pids = match fs::openat(dir.raw(), c"pids", O_DIRECTORY | O_RDONLY, 0) {
        Ok(pids) => pids,
        Err(Errno::ENOENT) => return Ok(Layout::None),
        Err(e) => return Err(Error::op(e, "open", PIDS)),
    };
    // An empty directory (a tmpfs or sysfs mount point with nothing mounted on it) is no hierarchy.
    Ok(if fs_type(&pids, PIDS)? == CGROUP_SUPER_MAGIC.into() { Layout::V1(dir) } else { Layout::None })
}

const PIDS: &str = "/sys/fs/cgroup/pids";

/// The filesystem type (statfs magic) of the directory `dir`, whose path is `path`.
fn fs_type(dir: &Fd, path: &str) -> Result<i64> {
    fs::fstatfs(dir.raw()).map(|st| st.f_type).or_op("statfs", path)
}

/// A new v1 cpuset cgroup starts with no CPUs and no memory nodes, so nothing could join it (nor
/// could a child of it be given any): it gets its parent's.
#[inline(never)]
fn inherit_cpuset(parent: &Fd, child: &Fd, path: &str) -> Result<()> {
    for file in ["cpuset.cpus", "cpuset.mems"] {
        // Unreadable is not empty: overwriting a cpuset runt could not read is no way to fix it.
        let own = read_file(child, file).or_sys(|| cat(&["read ", path, "/", file]))?;
        if own.trim_ascii().is_empty() {
            let from = read_file(parent, file).or_sys(|| cat(&["read the parent of ", path, ": ", file]))?;
            write_file(child, path, file, from.trim_ascii())?;
        }
    }
    Ok(())
}

/// Whether /sys/fs/cgroup is a cgroup2 mount: not where it is missing; any other error is no
/// answer (neither v1 nor v2).
#[inline(never)]
pub fn is_v2() -> Result<bool> {
    match fs::statfs(c"/sys/fs/cgroup") {
        Ok(st) => Ok(st.f_type == CGROUP2_SUPER_MAGIC.into()),
        Err(Errno::ENOENT) => Ok(false),
        Err(e) => Err(Error::op(e, "statfs", MOUNT)),
    }
}

/// The container's cgroup directory in one hierarchy.
#[derive(Debug)]
struct Dir {
    parent: Fd,
    fd: Fd,
    /// Shown in messages and kept in state: "/sys/fs/cgroup/pids/runt/NAME".
    path: String,
    /// The v1 hierarchy's directory under /sys/fs/cgroup: its controllers ("memory",
    /// "cpu,cpuacct"), or its name ("systemd", "unified"); "" on v2.
    controller: String,
    /// A cgroup2 directory: the whole cgroup on v2, the "unified" one on a hybrid host.
    v2: bool,
}

impl Dir {
    /// Whether this hierarchy holds `controller` (v1: one of its comma-separated names).
    fn has(&self, controller: &str) -> bool {
        self.controller.split(',').any(|c| c == controller)
    }
}

#[derive(Debug)]
pub struct Cgroup {
    /// Last component of the container's cgroup path: what rmdir removes from `Dir::parent`.
    leaf: String,
    v2: bool,
    dirs: Vec<Dir>,
    removed: bool,
    /// Another container is in it too (the same cgroupsPath, as runc 1.1 allows): removing it
    /// kills nobody, and a cgroup still in use stays for the last container to remove.
    shared: bool,
}

/// What the container's cgroup must be able to do beyond its limits.
#[derive(Debug, Clone, Copy, Default)]
pub struct Needs {
    /// Freezing (pause/resume): the v1 freezer hierarchy.
    pub freezer: bool,
    /// A cgroup that exists with processes in it is joined (runc 1.1 lets two containers share
    /// a cgroupsPath) rather than refused as a name in use.
    pub share: bool,
    /// On v1, every mounted hierarchy (and a hybrid host's cgroup2) rather than only pids and
    /// those with a limit or a rule to enforce: engines read the memory and cpu accounting of
    /// every container and put sub-cgroups in it.
    pub every: bool,
    /// A `runt run` container, whose cgroup lives as long as its runt: marked so (`RUN_MODE`),
    /// and those of runts that were killed are removed first (`sweep`).
    pub sweep: bool,
}

/// The mode of a `runt run` container's cgroup directory: the sticky bit (which means nothing
/// on a cgroup directory) tells it from a created container's, which outlives the runt that
/// made it. One that no runt holds locked (`add_dir`) is a killed runt's leftover.
const RUN_MODE: u32 = 0o755 | STICKY;
const STICKY: u32 = 0o1000;

impl Cgroup {
    /// Creates the container's cgroup at `rel` (below each hierarchy's root, e.g. "runt/NAME")
    /// and writes its limits. None when the host has no cgroupfs. `devices`: the device rules to
    /// enforce (None: no confinement).
    #[inline(never)]
    pub fn create(
        layout: &Layout,
        rel: &str,
        limits: &Limits,
        devices: Option<&[Rule]>,
        needs: Needs,
    ) -> Result<Option<Cgroup>> {
        let (_, parents, leaf) = split(rel)?;
        let mut cg = Cgroup { leaf: String::from(leaf), v2: false, dirs: Vec::new(), removed: false, shared: false };
        match layout {
            Layout::None => return Ok(None),
            Layout::V2(root) => {
                cg.v2 = true;
                let rootless = process::getuid() != 0;
                // Root owns the hierarchy; anyone else can only use a subtree delegated to them:
                // the parent of their own cgroup (as systemd delegates user@UID.service).
                let (base, base_path) = if rootless { delegated_base(root)? } else { (None, String::from(MOUNT)) };
                let base_fd = base.as_ref().unwrap_or(root);
                let offered = read_file(base_fd, "cgroup.controllers")
                    .or_sys(|| cat(&["read ", &base_path, "/cgroup.controllers"]))?;
                let controllers = v2_controllers(limits, &offered);
                // A delegated subtree is not where `find` looks: not swept.
                if needs.sweep && !rootless {
                    sweep(root);
                }
                cg.add_dir(base_fd, &base_path, parents, "", &controllers, needs)?;
                cg.write_limits(limits)?;
                // Loading BPF takes privileges a rootless user lacks; its user namespace keeps it
                // from making device nodes anyway.
                if let (Some(rules), Some(d), false) = (devices, cg.dirs.first(), rootless) {
                    // v2 has no devices files: the kernel runs this program on every device
                    // open and mknod in the cgroup. Once attached, the cgroup holds it.
                    let prog = bpf::load_device_program(&ebpf(rules)).or_what("load the device access BPF program")?;
                    bpf::attach_device_program(&d.fd, &prog).or_op("attach the device program to", &d.path)?;
                }
            }
            Layout::V1(base) => {
                let needed = needed(limits, devices.is_some(), needs.freezer);
                // The container joins pids (what tracks its processes) and the hierarchies of
                // its limits and rules; `every`: all of them, the hybrid host's cgroup2 too.
                let joined = |name: &str| {
                    needs.every
                        || name
                            .split(',')
                            .any(|n| n == "pids" || CONTROLLERS.iter().zip(needed).any(|(c, on)| on && *c == n))
                };
                let mut hierarchies = v1_hierarchies(base, joined)?;
                // pids first: made first and removed last (`remove_all`), it holds every `runt
                // run` container's cgroup name as long as any hierarchy does (`sweep`).
                if let Some(i) = hierarchies.iter().position(|h| h.name == "pids") {
                    hierarchies.swap(0, i);
                }
                if let (true, Some(pids)) = (needs.sweep, hierarchies.first()) {
                    sweep(&pids.fd);
                }
                // Checked before anything is made: a limit or confinement asked for needs its
                // controller (pids is always there: `detect` found it).
                for c in CONTROLLERS.iter().zip(needed).filter(|n| n.1).map(|n| *n.0) {
                    if !hierarchies.iter().any(|h| h.name.split(',').any(|n| n == c)) {
                        return Err(Error::op(Errno::ENOENT, "open cgroup hierarchy", &cat(&[MOUNT, "/", c])));
                    }
                }
                for h in hierarchies {
                    let path = cat(&[MOUNT, "/", &h.name]);
                    cg.add_dir(&h.fd, &path, parents, &h.name, "", needs)?;
                    if let Some(d) = cg.dirs.last_mut() {
                        d.v2 = h.v2;
                    }
                }
                cg.write_limits(limits)?;
                cg.write_device_rules(devices.unwrap_or_default())?;
            }
        }
        Ok(Some(cg))
    }

    /// mkdir -p ROOT/PARENTS, then ROOT/PARENTS/LEAF, which must be new (or an empty leftover;
    /// with `needs.share`, one with processes in it is joined). On v2, `enable` goes to the
    /// subtree_control of ROOT and of every parent.
    fn add_dir(
        &mut self,
        root: &Fd,
        root_path: &str,
        parents: &str,
        controller: &str,
        enable: &str,
        needs: Needs,
    ) -> Result<()> {
        let mut parent = fs::openat(root.raw(), c".", O_DIRECTORY | O_RDONLY, 0).or_op("open", root_path)?;
        let mut path = String::from(root_path);
        let mut comps = parents.split('/').filter(|c| !c.is_empty()).chain([self.leaf.as_str()]);
        let mut next = comps.next();
        while let Some(comp) = next {
            next = comps.next();
            // The leaf is the container's own; the parents may exist and are shared.
            let leaf = next.is_none();
            if !enable.is_empty() {
                write_file(&parent, &path, "cgroup.subtree_control", enable)?;
            }
            let name = cstr(comp)?;
            // Runts creating or reclaiming a container cgroup take turns on its parent, so that
            // one never takes for a leftover the empty cgroup another has just made.
            let _turn = if leaf { Some(lock(&parent, &path)?) } else { None };
            path.push('/');
            path.push_str(comp);
            let mode = if leaf && needs.sweep { RUN_MODE } else { 0o755 };
            let mut made = fs::mkdirat(parent.raw(), &name, mode);
            if leaf && made == Err(Errno::EEXIST) && reclaim(&parent, &name, needs.sweep) {
                made = fs::mkdirat(parent.raw(), &name, mode);
            }
            let mut joined = false;
            match made {
                Ok(()) => {}
                Err(Errno::EEXIST) if !leaf => {}
                Err(Errno::EEXIST) if needs.share => joined = true,
                Err(Errno::EEXIST) => {
                    return Err(Error::cat(&["container name ", comp, " is in use (", &path, " exists)"]));
                }
                Err(e) => return Err(Error::op(e, "mkdir", &path)),
            }
            let ready =
                fs::openat(parent.raw(), &name, O_DIRECTORY | O_RDONLY, 0).or_op("open", &path).and_then(|fd| {
                    if leaf && !joined {
                        // Held while this runt lives (the descriptor stays open in `dirs`): the
                        // cgroup is in use even before any process has joined it.
                        fs::flock(fd.raw(), fs::LOCK_EX | fs::LOCK_NB).or_op("lock", &path)?;
                    }
                    if controller.split(',').any(|c| c == "cpuset") {
                        inherit_cpuset(&parent, &fd, &path)?;
                    }
                    Ok(fd)
                });
            let fd = match ready {
                Ok(fd) => fd,
                Err(e) => {
                    // The container's own cgroup goes with the error: nothing is left behind.
                    if leaf && !joined {
                        let _ = fs::unlinkat(parent.raw(), &name, AT_REMOVEDIR);
                    }
                    return Err(e);
                }
            };
            if leaf {
                self.shared |= joined;
                self.dirs.push(Dir { parent, fd, path, controller: String::from(controller), v2: self.v2 });
                break;
            }
            parent = fd;
        }
        Ok(())
    }

    /// The cgroup at `rel` (as `create` takes it) in every hierarchy where it exists: that of a
    /// container whose state file is lost, from the path recorded before it was made.
    #[inline(never)]
    pub fn find(rel: &str) -> Result<Cgroup> {
        let (rel, _, _) = split(rel)?;
        let mut paths = Vec::new();
        match detect()? {
            Layout::V2(_) => paths.push(cat(&[MOUNT, "/", rel])),
            Layout::V1(base) => {
                for h in v1_hierarchies(&base, |_| true)? {
                    paths.push(cat(&[MOUNT, "/", &h.name, "/", rel]));
                }
            }
            Layout::None => {}
        }
        Cgroup::open(&paths)
    }

    /// The cgroup of an existing container from the directories its state file lists.
    pub fn open(paths: &[String]) -> Result<Cgroup> {
        let v2 = is_v2()?;
        let mut cg = Cgroup { leaf: String::new(), v2, dirs: Vec::new(), removed: true, shared: false };
        for path in paths {
            let Some((parent_path, leaf)) = crate::text::rsplit(path, b'/') else { continue };
            // Gone, or never made in this hierarchy.
            let (parent_name, name) = (cstr(parent_path)?, cstr(leaf)?);
            let opened = fs::openat(CWD, &parent_name, O_DIRECTORY | O_RDONLY, 0)
                .and_then(|parent| Ok((fs::openat(parent.raw(), &name, O_DIRECTORY | O_RDONLY, 0)?, parent)));
            let (fd, parent) = match opened {
                Ok(fds) => fds,
                Err(Errno::ENOENT) => continue,
                Err(e) => return Err(Error::op(e, "open", path)),
            };
            // v1: the controllers are the hierarchy's directory right under the mount.
            let controller = match path.strip_prefix(MOUNT).and_then(|r| r.strip_prefix('/')) {
                Some(r) if !v2 => r.split('/').next().unwrap_or_default(),
                _ => "",
            };
            cg.leaf = String::from(leaf);
            cg.dirs.push(Dir { parent, fd, path: path.clone(), controller: String::from(controller), v2 });
        }
        Ok(cg)
    }

    /// Writes new limits into the existing cgroup (`runt update`).
    #[inline(never)]
    pub fn update(&self, limits: &Limits) -> Result<()> {
        self.write_limits(limits)
    }

    /// The pids in the container's cgroup (none without a cgroup; an unreadable list is an
    /// error, not an empty container).
    pub fn pids(&self) -> Result<Vec<i32>> {
        // On v2 `dir` gives the one directory whatever the controller.
        let dir = self.dir("pids").or(self.dirs.first());
        let Some(d) = dir else { return Ok(Vec::new()) };
        procs(&d.fd).or_sys(|| cat(&["read ", &d.path, "/cgroup.procs"]))
    }

    /// Freezes (pause) or thaws (resume) every process of the container, and waits until the
    /// kernel says it is done (v1 goes through FREEZING; v2 reports in cgroup.events), so that
    /// the state read next is the one asked for.
    #[inline(never)]
    pub fn freeze(&self, frozen: bool) -> Result<()> {
        let (controller, file, value, done_file, done) = match (self.v2, frozen) {
            (true, _) => ("", "cgroup.freeze", if frozen { "1" } else { "0" }, "cgroup.events", ""),
            (false, true) => ("freezer", "freezer.state", "FROZEN", "freezer.state", "FROZEN"),
            (false, false) => ("freezer", "freezer.state", "THAWED", "freezer.state", "THAWED"),
        };
        self.set_in(controller, file, value)?;
        let want = if self.v2 {
            if frozen {
                "frozen 1"
            } else {
                "frozen 0"
            }
        } else {
            done
        };
        for _ in 0..1000 {
            let now = self.read(controller, done_file).unwrap_or_default();
            if now.split('\n').any(|l| l == want) {
                return Ok(());
            }
            process::sleep_ms(1);
        }
        Err(Error::cat(&["the cgroup's ", done_file, " never read ", want]))
    }

    /// One control file's content (trimmed), for `runt events`.
    pub fn read(&self, controller: &str, file: &str) -> Option<String> {
        let d = self.dir(controller)?;
        read_file(&d.fd, file).ok().map(|t| String::from(t.trim_ascii()))
    }

    pub fn is_v2(&self) -> bool {
        self.v2
    }

    /// Removes every directory, killing what is left in them first; the first one made (pids on
    /// v1) last, and it stays after a failure: while any directory is left, that one is too,
    /// for `sweep` to find (a container's state file lists them all for `delete`).
    pub fn remove_all(&self) -> Result<()> {
        for d in self.dirs.iter().rev() {
            remove_dir(d, &self.leaf, self.shared)?;
        }
        Ok(())
    }

    /// Every directory of the container's cgroup, for the state file.
    #[inline(never)]
    pub fn paths(&self) -> Vec<String> {
        let mut paths = Vec::new();
        for d in &self.dirs {
            paths.push(d.path.clone());
        }
        paths
    }

    /// Leaves the cgroup in place when this value goes away (`runt create`: `delete` removes it).
    pub fn keep(mut self) {
        self.removed = true;
    }

    fn dir(&self, controller: &str) -> Option<&Dir> {
        self.dirs.iter().find(|d| self.v2 || d.has(controller))
    }

    /// Writes a control file; its controller is the part of its name before the dot.
    fn set(&self, file: &str, value: &str) -> Result<()> {
        self.set_in(file.split('.').next().unwrap_or_default(), file, value)
    }

    fn set_in(&self, controller: &str, file: &str, value: &str) -> Result<()> {
        match self.dir(controller) {
            Some(d) => write_file(&d.fd, &d.path, file, value),
            None => Err(Error::cat(&["cgroup controller ", controller, " is not available"])),
        }
    }

    /// The v1 device rules, in order. The kernel takes one rule per write, so a run of rules
    /// for the same file (devices.allow or devices.deny) goes through one descriptor.
    #[inline(never)]
    fn write_device_rules(&self, rules: &[Rule]) -> Result<()> {
        if rules.is_empty() {
            return Ok(());
        }
        let d = self.dir("devices").ok_or_else(|| Error::msg("cgroup controller devices is not available"))?;
        let mut open: Option<(bool, Fd)> = None;
        for rule in rules {
            let (file, name) =
                if rule.allow { ("devices.allow", c"devices.allow") } else { ("devices.deny", c"devices.deny") };
            let line = v1_line(rule);
            let fd = match open.take() {
                Some((allow, fd)) if allow == rule.allow => Ok(fd),
                _ => fs::openat(d.fd.raw(), name, O_WRONLY, 0),
            };
            let fd = fd
                .and_then(|fd| fs::write_all(fd.raw(), line.as_bytes()).map(|()| fd))
                .or_sys(|| cat(&["write ", &line, " to ", &d.path, "/", file]))?;
            open = Some((rule.allow, fd));
        }
        Ok(())
    }

    /// `set` with a number, written in decimal.
    #[inline(never)]
    fn set_n(&self, file: &str, n: u64) -> Result<()> {
        self.set(file, &dec(n))
    }

    /// The cgroup2 directory (v2, or the hybrid host's "unified" one), for
    /// clone3(CLONE_INTO_CGROUP): a child born there needs no move into it.
    pub fn v2_dir(&self) -> Option<&Fd> {
        self.dirs.iter().find(|d| d.v2).map(|d| &d.fd)
    }

    /// Moves `pid` into every hierarchy of the container's cgroup.
    pub fn join(&self, pid: i32) -> Result<()> {
        self.join_after_clone(pid, false)
    }

    /// `join` for a child `born_in_v2` (cloned into `v2_dir`): the other hierarchies. The moves
    /// are made one right after the other while the child waits: on kernels where a move waits
    /// for an RCU grace period, back-to-back moves share most of it.
    pub fn join_after_clone(&self, pid: i32, born_in_v2: bool) -> Result<()> {
        let pid = dec_i(pid.into());
        let moved = self.dirs.iter().filter(|d| !(born_in_v2 && d.v2));
        moved.into_iter().try_for_each(|d| write_file(&d.fd, &d.path, "cgroup.procs", &pid))
    }

    /// Marks the cgroup as in use by another container too (see `shared`).
    pub fn share(&mut self) {
        self.shared = true;
    }

    /// How many processes were in the cgroup when this container joined it as a second one
    /// (None: it is the container's own).
    pub fn sharers(&self) -> Option<usize> {
        if !self.shared {
            return None;
        }
        Some(self.pids().map_or(0, |p| p.len()))
    }

    /// Whether the kernel's OOM killer killed a process of this container.
    #[inline(never)]
    pub fn oom_killed(&self) -> bool {
        let (file, dir) =
            if self.v2 { ("memory.events", self.dir("")) } else { ("memory.oom_control", self.dir("memory")) };
        let Some(d) = dir else { return false };
        let Ok(text) = read_file(&d.fd, file) else { return false };
        text.split('\n').any(|l| l.strip_prefix("oom_kill ").is_some_and(|n| n.trim_ascii().as_bytes() != b"0"))
    }

    /// Removes the cgroup, killing anything still in it first. Returns the first failure.
    pub fn remove(mut self) -> Result<()> {
        self.removed = true;
        self.remove_all()
    }
}

impl Drop for Cgroup {
    /// Error paths: the cgroup goes away even when nobody calls `remove`.
    fn drop(&mut self) {
        if !self.removed {
            let _ = self.remove_all();
        }
    }
}

/// The v1 controllers runt writes limits or rules in (each `needed` for what asks for it).
const CONTROLLERS: &[&str] = &["pids", "memory", "cpu", "cpuset", "blkio", "devices", "freezer"];

/// One mounted hierarchy under /sys/fs/cgroup.
struct Hierarchy {
    /// Its directory's name: its controllers ("cpu,cpuacct") or its name ("systemd").
    name: String,
    fd: Fd,
    /// The cgroup2 mount of a hybrid host.
    v2: bool,
}

/// Every cgroup hierarchy mounted in the directory `base` (/sys/fs/cgroup on a v1 host) whose
/// name is `wanted` (only those are opened): the v1 ones and a hybrid host's cgroup2. A symlink
/// ("cpu" -> "cpu,cpuacct") names one found under its own name; an empty directory is a mount
/// point with nothing mounted.
#[inline(never)]
fn v1_hierarchies(base: &Fd, wanted: impl Fn(&str) -> bool) -> Result<Vec<Hierarchy>> {
    let names = fs::list_dir(base.raw()).or_op("read", MOUNT)?;
    let mut found = Vec::new();
    for name in names.into_iter().filter(|n| wanted(n)) {
        let path = || cat(&[MOUNT, "/", &name]);
        let fd = match fs::openat(base.raw(), &cstr(&name)?, O_DIRECTORY | O_RDONLY | fs::O_NOFOLLOW, 0) {
            Ok(fd) => fd,
            Err(Errno::ELOOP | Errno::ENOTDIR | Errno::ENOENT) => continue,
            Err(e) => return Err(Error::op(e, "open cgroup hierarchy", &path())),
        };
        let magic = fs_type(&fd, &path())?;
        if magic == CGROUP_SUPER_MAGIC.into() || magic == CGROUP2_SUPER_MAGIC.into() {
            found.push(Hierarchy { v2: magic == CGROUP2_SUPER_MAGIC.into(), name, fd });
        }
    }
    Ok(found)
}

/// The parent of the caller's own cgroup (from /proc/self/cgroup's `0::/path`), opened below the
/// cgroup2 mount `root`: (its descriptor, its path for messages).
#[inline(never)]
fn delegated_base(root: &Fd) -> Result<(Option<Fd>, String)> {
    let text = read_at(CWD, c"/proc/self/cgroup").or_what("read /proc/self/cgroup")?;
    let own = text.split('\n').find_map(|l| l.strip_prefix("0::")).unwrap_or("/").trim_ascii();
    let parent = crate::text::rsplit(own, b'/').map_or("", |(p, _)| p).trim_start_matches(crate::text::SLASH);
    if parent.is_empty() {
        return Ok((None, String::from(MOUNT)));
    }
    let path = cat(&[MOUNT, "/", parent]);
    let fd = fs::openat(root.raw(), &cstr(parent)?, O_DIRECTORY | O_RDONLY, 0).or_op("open", &path)?;
    Ok((Some(fd), path))
}

/// Removes a container cgroup left by a runt that was SIGKILLed: no runt holds its lock and no
/// process is in it; for a `runt run` (`run`), only one marked as a `runt run`'s (`RUN_MODE`):
/// an engine's container that has stopped, not yet deleted, keeps its cgroup (the name is in
/// use). Called with the parent's turn held (see `lock`).
#[inline(never)]
fn reclaim(parent: &Fd, name: &core::ffi::CStr, run: bool) -> bool {
    let Ok(dir) = fs::openat(parent.raw(), name, O_DIRECTORY | O_RDONLY, 0) else { return false };
    let marked = || fs::mode_owner(dir.raw()).is_ok_and(|(mode, _, _)| mode & STICKY != 0);
    (!run || marked())
        && fs::flock(dir.raw(), fs::LOCK_EX | fs::LOCK_NB).is_ok()
        && read_file(&dir, "cgroup.procs").is_ok_and(|p| p.trim_ascii().is_empty())
        && fs::unlinkat(parent.raw(), name, AT_REMOVEDIR).is_ok()
}

/// Removes the cgroups of `runt run` containers whose runt was killed (SIGKILL, a crash): their
/// directories under PARENT (where every `runt run` container's is) in the hierarchy `first` (pids on v1: the first made, the last
/// removed) that are marked (`RUN_MODE`) and that no runt holds locked, on every hierarchy,
/// killing what is left in them (their container dies with its runt, but may be on its way out).
/// Done by the next `runt run`, with the parent's turn held as for a new cgroup; best effort:
/// what cannot be removed now is tried again next time.
#[inline(never)]
fn sweep(first: &Fd) {
    let Ok(parent) = fs::openat(first.raw(), c"runt", O_DIRECTORY | O_RDONLY, 0) else { return };
    // The parent's turn (see `lock`), held until `parent` is closed.
    if fs::flock(parent.raw(), fs::LOCK_EX).is_err() {
        return;
    }
    for leaf in fs::list_subdirs(parent.raw()).unwrap_or_default() {
        remove_if_abandoned(&parent, &leaf);
    }
}

/// Removes the cgroup PARENT/`leaf` (on every hierarchy, what is in it killed) when it is a
/// killed runt's: marked (`RUN_MODE`) and held by no runt. `parent` is PARENT in the first
/// hierarchy (see `sweep`), whose turn the caller holds.
fn remove_if_abandoned(parent: &Fd, leaf: &str) {
    let Ok(name) = cstr(leaf) else { return };
    // Only cgroups open (see `list_subdirs`).
    let Ok(dir) = fs::openat(parent.raw(), &name, O_DIRECTORY | O_RDONLY | fs::O_NOFOLLOW, 0) else { return };
    let run = fs::mode_owner(dir.raw()).is_ok_and(|(mode, _, _)| mode & STICKY != 0);
    if run && fs::flock(dir.raw(), fs::LOCK_EX | fs::LOCK_NB).is_ok() {
        if let Ok(cg) = Cgroup::find(&cat(&[PARENT, "/", leaf])) {
            let _ = cg.remove_all();
        }
    }
}

/// The cgroup of the `runt run` container `name`, removed if a killed runt left it (`sweep`'s
/// rule for one name): for a record that says nothing of what its runt made. The name alone
/// proves nothing: every state root's containers share PARENT, and a live container of another
/// root (or an engine's, unmarked) may have it. Best effort, as `sweep`.
pub fn remove_abandoned(name: &str) {
    let first = match detect() {
        Ok(Layout::V2(root)) => root,
        Ok(Layout::V1(base)) => match fs::openat(base.raw(), c"pids", O_DIRECTORY | O_RDONLY, 0) {
            Ok(pids) => pids,
            Err(_) => return,
        },
        _ => return,
    };
    let Ok(parent) = fs::openat(first.raw(), c"runt", O_DIRECTORY | O_RDONLY, 0) else { return };
    if fs::flock(parent.raw(), fs::LOCK_EX).is_ok() {
        remove_if_abandoned(&parent, name);
    }
}

/// A cgroup path as `create` takes it, without its outer slashes, and its (parents, leaf);
/// refused when empty or with an empty, `.` or `..` component.
fn split(rel: &str) -> Result<(&str, &str, &str)> {
    let rel = rel.trim_start_matches(crate::text::SLASH).trim_end_matches(crate::text::SLASH);
    let (parents, leaf) = crate::text::rsplit(rel, b'/').unwrap_or(("", rel));
    if leaf.is_empty() || rel.split('/').any(|c| matches!(c.as_bytes(), b"" | b"." | b"..")) {
        return Err(Error::cat(&["invalid cgroup path '", rel, "'"]));
    }
    Ok((rel, parents, leaf))
}

/// An exclusive lock on the directory `dir` (whose path is `path`), until the result is dropped.
fn lock(dir: &Fd, path: &str) -> Result<Fd> {
    let fd = fs::openat(dir.raw(), c".", O_DIRECTORY | O_RDONLY, 0).or_op("open", path)?;
    fs::flock(fd.raw(), fs::LOCK_EX).or_op("lock", path)?;
    Ok(fd)
}

/// rmdir, retrying while exiting processes still hold the cgroup; what is left in it (processes,
/// sub-cgroups a program inside made) is killed and removed first. A `shared` cgroup that is
/// busy is the other container's to remove: left, and none of its processes killed.
fn remove_dir(d: &Dir, name: &str, shared: bool) -> Result<()> {
    let cname = cstr(name)?;
    // About 2 s in all: processes killed by the pid namespace's end normally leave within ms.
    let mut wait_ms = 1;
    for _ in 0..14 {
        match fs::unlinkat(d.parent.raw(), &cname, AT_REMOVEDIR) {
            Ok(()) | Err(Errno::ENOENT) => return Ok(()),
            Err(Errno::EBUSY) if shared => return Ok(()),
            Err(Errno::EBUSY) => {
                empty(&d.fd, d.v2, 0);
                process::sleep_ms(wait_ms);
                wait_ms = (wait_ms * 2).min(250);
            }
            Err(e) => return Err(Error::op(e, "rmdir", &d.path)),
        }
    }
    Err(Error::op(Errno::EBUSY, "rmdir", &d.path))
}

/// Kills every process in the cgroup `dir` and below it, and removes its sub-cgroups, deepest
/// first. Best effort: what is left shows as the rmdir that follows failing.
#[inline(never)]
fn empty(dir: &Fd, v2: bool, depth: u32) {
    let killed = v2 && write_file(dir, "", "cgroup.kill", "1").is_ok();
    if !killed {
        // Unreadable: nothing to kill here, and the rmdir that follows reports the cgroup busy.
        for pid in procs(dir).unwrap_or_default() {
            let _ = process::kill(pid, process::SIGKILL);
        }
    }
    // A bound on what a program inside may nest; deeper ones keep the cgroup busy.
    if depth >= 16 {
        return;
    }
    for name in fs::list_subdirs(dir.raw()).unwrap_or_default() {
        let Ok(cname) = cstr(&name) else { continue };
        // Only sub-cgroups open (a control file listed as of unknown type does not).
        let Ok(sub) = fs::openat(dir.raw(), &cname, O_DIRECTORY | O_RDONLY | fs::O_NOFOLLOW, 0) else { continue };
        empty(&sub, v2, depth + 1);
        let _ = fs::unlinkat(dir.raw(), &cname, AT_REMOVEDIR);
    }
}

/// The pids listed in the cgroup directory's cgroup.procs.
fn procs(dir: &Fd) -> core::result::Result<Vec<i32>, Errno> {
    let text = read_file(dir, "cgroup.procs")?;
    Ok(text.split('\n').filter_map(crate::text::signed).collect())
}

/// Writes `value` to the control file `name` of the cgroup directory `dir` (shown as `path`).
pub fn write_file(dir: &Fd, path: &str, name: &str, value: &str) -> Result<()> {
    let written =
        fs::openat(dir.raw(), &cstr(name)?, O_WRONLY, 0).and_then(|fd| fs::write_all(fd.raw(), value.as_bytes()));
    written.or_sys(|| cat(&["write ", value, " to ", path, "/", name]))
}

/// Reads a (small) control file.
pub fn read_file(dir: &Fd, name: &str) -> core::result::Result<String, Errno> {
    read_at(dir.raw(), &c_name(name)?)
}

/// Reads a small file (up to 64 KiB) as text.
pub(crate) fn read_at(dir: i32, name: &core::ffi::CStr) -> core::result::Result<String, Errno> {
    String::from_utf8(read_bytes(dir, name, 64 * 1024)?).map_err(|_| Errno::EINVAL)
}

/// Reads up to `max` bytes of a file.
#[inline(never)]
pub(crate) fn read_bytes(dir: i32, name: &core::ffi::CStr, max: usize) -> core::result::Result<Vec<u8>, Errno> {
    let fd = fs::openat(dir, name, O_RDONLY, 0)?;
    let mut buf = alloc::vec![0u8; max];
    let n = fs::read_full(fd.raw(), &mut buf)?;
    buf.truncate(n);
    Ok(buf)
}

fn c_name(name: &str) -> core::result::Result<alloc::ffi::CString, Errno> {
    alloc::ffi::CString::new(name).map_err(|_| Errno::EINVAL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cgroup_paths_are_checked_before_any_use() {
        let l = Limits::default();
        let create = |rel| Cgroup::create(&Layout::None, rel, &l, None, Needs::default());
        assert!(create("/runt/x/").unwrap().is_none());
        assert!(create("runt").unwrap().is_none());
        for (rel, shown) in [("a//b", "a//b"), ("//", ""), ("/a/../b/", "a/../b"), ("./x", "./x")] {
            assert_eq!(create(rel).unwrap_err().what, format!("invalid cgroup path '{shown}'"));
        }
    }

    #[test]
    fn controllers_line() {
        let mut l = Limits::default();
        assert_eq!(v2_controllers(&l, ""), "");
        assert_eq!(
            v2_controllers(&l, "cpuset cpu io memory hugetlb pids rdma misc\n"),
            "+pids +memory +cpu +cpuset +io"
        );
        l.pids = Some(1);
        l.cpu_quota = Some(5);
        assert_eq!(v2_controllers(&l, ""), "+pids +cpu");
        assert_eq!(v2_controllers(&l, "memory pids"), "+pids +memory +cpu");
    }
}
