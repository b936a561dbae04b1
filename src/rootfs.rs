//! Child side: build the container's filesystem from the plan and make it the root.
//!
//! The image and anything a container can write are hostile: a symlink anywhere in the rootfs,
//! there from the start or swapped in by a second container sharing the rootfs directory while
//! this one is built, must never steer a mount, node or write of runt outside the root. So no
//! path under the root is ever handed to the kernel as text. The new root is bound onto a
//! staging directory and held as a descriptor; every target is opened inside it when the step
//! runs (openat2 RESOLVE_IN_ROOT: symlinks lead somewhere inside the root; for /proc and /sys,
//! none is followed at all) and mounted on through that descriptor, named by the host's
//! /proc/self/fd/N; /dev is populated relative to a descriptor of it (`dev`). Masked and
//! read-only paths under /proc and /sys are found in the filesystem runt mounted there, wherever
//! a racing container may have moved it since.

mod dev;
mod resolve;

use crate::cstr::{cstr, NumPath};
use crate::error::{cat, Error, OrSys, Result};
use crate::plan::Step;
use crate::spec::{Mount, Spec};
use crate::sys::fs::{
    self, CWD, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_PATH, O_RDONLY, PROC_SUPER_MAGIC, RESOLVE_IN_ROOT,
    RESOLVE_NO_SYMLINKS, SYSFS_MAGIC,
};
use crate::sys::mount::{
    self, MNT_DETACH, MS_BIND, MS_MOVE, MS_NOATIME, MS_NODEV, MS_NODIRATIME, MS_NOEXEC, MS_NOSUID, MS_PRIVATE,
    MS_RDONLY, MS_REC, MS_RELATIME, MS_REMOUNT, MS_SHARED, MS_SLAVE,
};
use crate::sys::process::CLONE_NEWNS;
use crate::sys::{net, Errno, Fd};
use alloc::ffi::CString;
use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::CStr;
use resolve::resolve_in_root;

/// Directories the new root may be bound onto before pivot_root. Any will do: it is covered only
/// in the container's private mount namespace, and each is covered again by a fresh mount inside.
/// Never /proc: descriptors are reached through the host's /proc until the switch.
const STAGING: &[&CStr] = &[c"/tmp", c"/run", c"/mnt", c"/dev"];

/// Sets up the whole root filesystem and switches into it. On return, `/` is the container's root
/// and the host's tree is detached (or, where pivot_root is impossible, hidden behind a chroot).
/// `cgroups`: the container's cgroup directories, shown at a `cgroup` mount.
#[inline(never)]
/// `given_sources`: where the parent sends the bind sources (`send_bind_sources`), if it does.
pub fn enter(spec: &Spec, steps: &[Step], cgroups: &[String], given_sources: Option<&Fd>) -> Result<()> {
    // Without a mount namespace of its own the container's mounts are made in the caller's,
    // under the root the parent bound onto itself there (bind_in_place).
    let in_place = !own_mount_namespace(spec);
    // First, before any mount: nothing mounted from here on may propagate back to the host. A
    // root asked to be shared or a slave (linux.rootfsPropagation) receives what the host
    // mounts, as the spec describes a slave; either way nothing goes the other way.
    let asked = spec.oci.rootfs_propagation;
    if !in_place {
        let first = if asked & (MS_SHARED | MS_SLAVE) != 0 { MS_SLAVE } else { MS_PRIVATE };
        let what = if first == MS_SLAVE { "make / a slave" } else { "make / private" };
        mount::mount(None, c"/", None, MS_REC | first, None).or_what(what)?;
    }
    // Mounts are made on descriptors named as /proc/self/fd/N: that /proc must be a real one.
    let proc = fs::openat(CWD, c"/proc", O_PATH | O_DIRECTORY, 0).or_op("open", "/proc")?;
    if !is_fs(&proc, PROC_SUPER_MAGIC).or_op("statfs", "/proc")? {
        return Err(Error::msg("the host's /proc is not a procfs"));
    }
    drop(proc);

    let shown_root = spec.root.path.as_deref().unwrap_or("/");
    let source = cstr(shown_root)?;
    fs::openat(CWD, &source, O_PATH | O_DIRECTORY, 0).or_op("rootfs", shown_root)?;
    let sources = bind_sources(spec, given_sources)?;
    // The host's device nodes, for a container that may not make its own.
    let mut host_nodes = dev::HostNodes::open(&spec.device_nodes);

    let root = match in_place {
        // The bind the parent made is the top of the root's path.
        true => fs::openat(CWD, &source, O_PATH | O_DIRECTORY, 0).or_op("open the root", shown_root)?,
        false => stage_root(spec, &source, shown_root)?,
    };
    fs::fchdir(root.raw()).or_what("chdir to the new root")?;

    let mut b = Builder { root, host_root: spec.root.path.is_none(), cgroups, null: None, proc: None, sys: None };
    for step in steps {
        b.step(spec, step, &sources, &mut host_nodes, shown_root)?;
    }
    match in_place {
        // pivot_root would move the caller's root: the container is chrooted, and its root (with
        // CAP_SYS_CHROOT) may leave a chroot.
        true => {
            fs::chroot(c".").or_what("chroot into the root")?;
            fs::chdir(c"/").or_what("chdir /")?;
        }
        false => switch_root()?,
    }
    // The root's own propagation, once it is the root: shared makes it a peer group of the
    // container's own (what it mounts reaches its binds of /, never the host); unbindable
    // refuses binds of it.
    if asked != 0 {
        mount::mount(None, c"/", None, asked, None).or_what("set the propagation of /")?;
    }
    Ok(())
}

/// Binds the root `source` onto a staging directory, in the container's mount namespace, and
/// opens it there.
fn stage_root(spec: &Spec, source: &CStr, shown_root: &str) -> Result<Fd> {
    let Some(staging) = STAGING.iter().find(|d| fs::openat(CWD, d, O_PATH | O_DIRECTORY, 0).is_ok()) else {
        return Err(Error::msg("no directory to stage the root on (none of /tmp /run /mnt /dev)"));
    };
    // The host's / comes without its submounts (the container must not see them); a rootfs of the
    // user's own keeps whatever is mounted inside it.
    let recursive = if spec.root.path.is_some() { MS_REC } else { 0 };
    let bound = match mount::mount(Some(source), staging, None, MS_BIND | recursive, None) {
        // In a user namespace the host's submounts are locked to the mounts above them: the
        // kernel refuses to bind / without them, so there they stay visible (read-only).
        Err(Errno::EINVAL) if recursive == 0 && spec.userns.is_some() => {
            mount::mount(Some(source), staging, None, MS_BIND | MS_REC, None)
        }
        other => other,
    };
    bound.or_sys(|| cat(&["bind rootfs ", shown_root, " on ", staging.to_str().unwrap_or_default()]))?;
    fs::openat(CWD, staging, O_PATH | O_DIRECTORY, 0).or_what("open the new root")
}

/// Whether the container has a mount namespace of its own (new or joined); without one it
/// keeps the caller's, as the spec allows.
pub fn own_mount_namespace(spec: &Spec) -> bool {
    spec.namespaces & CLONE_NEWNS != 0 || spec.join.iter().any(|j| j.0 == CLONE_NEWNS)
}

/// For a container without a mount namespace of its own: binds its root onto itself in the
/// caller's mount namespace, so that everything mounted for the container hangs from one mount
/// runt made; the bind is private, so that nothing mounted on it propagates anywhere. Returns
/// the bind's mount id, for `detach_in_place` when the container is gone; None with a mount
/// namespace (nothing to do).
pub fn bind_in_place(spec: &Spec) -> Result<Option<u64>> {
    if own_mount_namespace(spec) {
        return Ok(None);
    }
    let Some(path) = spec.root.path.as_deref() else {
        return Err(Error::msg("a container without a mount namespace needs a root of its own"));
    };
    let p = cstr(path)?;
    let dir = fs::openat(CWD, &p, O_PATH | O_DIRECTORY, 0).or_op("rootfs", path)?;
    mount::mount(Some(&via_proc(&dir)), &via_proc(&dir), None, MS_BIND | MS_REC, None)
        .or_sys(|| cat(&["bind ", path, " onto itself"]))?;
    let made = (|| {
        let top = fs::openat(CWD, &p, O_PATH | O_DIRECTORY, 0).or_op("open", path)?;
        let id = fs::mount_id(top.raw()).or_op("statx", path)?;
        mount::mount(None, &via_proc(&top), None, MS_PRIVATE, None).or_sys(|| cat(&["make ", path, " private"]))?;
        Ok(id)
    })();
    if made.is_err() {
        let _ = mount::umount2(&via_proc(&dir), MNT_DETACH);
    }
    made.map(Some)
}

/// Detaches the bind `bind_in_place` made at `path`, with everything mounted under it, when
/// the mount there is still that one (`id`); anything else there is left alone.
pub fn detach_in_place(path: &str, id: u64) -> Result<()> {
    let top = fs::openat(CWD, &cstr(path)?, O_PATH | O_DIRECTORY, 0).or_op("open", path)?;
    if fs::mount_id(top.raw()).or_op("statx", path)? != id {
        return Ok(());
    }
    mount::umount2(&via_proc(&top), MNT_DETACH).or_op("unmount", path)
}

/// The bind sources, one per mount (None for the others): received from the parent, which
/// opened them (`given`: in a user namespace, see `send_bind_sources`), or else opened here,
/// with all of runt's privileges still held, as host paths resolved against runt's own cwd
/// before it is left.
fn bind_sources(spec: &Spec, given: Option<&Fd>) -> Result<Vec<Option<Fd>>> {
    let mut sources = Vec::with_capacity(spec.mounts.len());
    for m in &spec.mounts {
        sources.push(match (m.is_bind(), given) {
            (false, _) => None,
            (true, Some(sock)) => {
                Some(net::recv_fd(sock.raw(), &mut [0; 1]).or_op("receive bind source", &m.source)?.1)
            }
            (true, None) => Some(fs::openat(CWD, &cstr(&m.source)?, O_PATH, 0).or_op("bind source", &m.source)?),
        });
    }
    Ok(sources)
}

/// Sends the child `pid`, over `sock`, the source of each of its bind mounts in order, opened
/// here with all of runt's own privileges. For a child in a user namespace: as the namespace's
/// root it may be unable to reach a source (a directory its mapped id cannot search), and a
/// descriptor it received from outside its mount namespace would not do (the kernel binds
/// only mounts of the caller's namespace). So each source is looked up in the child's
/// namespace, from its root (/proc/PID/root: the host's tree as copied when the namespace was
/// made, the child having done nothing in it yet), absolute symlinks resolved from there.
#[inline(never)]
pub fn send_bind_sources(pid: i32, spec: &Spec, sock: &Fd) -> Result<()> {
    let root = cat(&["/proc/", &crate::error::dec_i(pid.into()), "/root"]);
    let root = crate::cstr::open_path(&root, O_PATH | O_DIRECTORY, 0, "open ")?;
    let mut cwd = String::new();
    for m in spec.mounts.iter().filter(|m| m.is_bind()) {
        // A relative source is relative to runt's cwd, which the child shares until it moves.
        if !m.source.starts_with('/') && cwd.is_empty() {
            cwd = fs::getcwd().or_what("getcwd")?;
        }
        let path = if m.source.starts_with('/') { m.source.clone() } else { cat(&[&cwd, "/", &m.source]) };
        let fd = fs::openat2(root.raw(), &cstr(&path)?, O_PATH, RESOLVE_IN_ROOT).or_op("bind source", &m.source)?;
        net::send_fd(sock.raw(), b"s", fd.raw()).or_op("send bind source", &m.source)?;
    }
    Ok(())
}

impl Builder<'_> {
    /// Carries out one step of the plan; its error names the step.
    #[inline(never)]
    fn step(
        &mut self,
        spec: &Spec,
        step: &Step,
        sources: &[Option<Fd>],
        host_nodes: &mut dev::HostNodes,
        shown_root: &str,
    ) -> Result<()> {
        let done = match step {
            Step::Mount(i) => match spec.mounts.get(*i) {
                Some(m) => self.mount(m, sources.get(*i).and_then(Option::as_ref)),
                None => Ok(()),
            },
            Step::Devices => {
                self.null = Some(dev::populate(&self.root, host_nodes, &spec.device_nodes)?);
                Ok(())
            }
            Step::Workdir => self.make_workdir(&spec.cwd),
            Step::Mask(path) => self.mask_or_protect(path, true),
            Step::ReadOnlyPath(path) => self.mask_or_protect(path, false),
            Step::ReadOnlyRoot => {
                let keep = kept_flags(self.root.raw()).or_op("statfs", shown_root)?;
                mount::mount(None, c".", None, MS_REMOUNT | MS_BIND | MS_RDONLY | keep, None)
                    .or_sys(|| cat(&["remount ", shown_root, " read-only"]))?;
                Ok(())
            }
        };
        done.map_err(|e| e.context(&step_what(spec, step, shown_root)))
    }
}

/// What a step does, for the message of its failure: "mount proc on /rootfs/proc".
fn step_what(spec: &Spec, step: &Step, shown_root: &str) -> String {
    match step {
        Step::Mount(i) => {
            let (what, to) = spec
                .mounts
                .get(*i)
                .map_or(("", ""), |m| (if m.is_bind() { &m.source } else { &m.fstype }, m.destination.as_str()));
            cat(&["mount ", what, " on ", shown_root.trim_end_matches(crate::text::SLASH), to])
        }
        Step::Devices => String::from("populate /dev"),
        Step::Workdir => cat(&["create the working directory ", &spec.cwd]),
        Step::Mask(path) => cat(&["mask ", path]),
        Step::ReadOnlyPath(path) => cat(&["make ", path, " read-only"]),
        Step::ReadOnlyRoot => String::new(),
    }
}

/// Opens /proc or /sys (`name`) in `root`: a real directory reached through no symlink at all,
/// made when missing. The kernel's files go there, and the masked and read-only paths under
/// them: a symlink would leave the container's /proc or /sys the image's own. None when it is
/// missing on a read-only root: the mount is skipped.
fn kernel_dir(root: &Fd, name: &CStr) -> Result<Option<Fd>> {
    let open = || fs::openat2(root.raw(), name, O_PATH | O_DIRECTORY, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
    let opened = match open() {
        Err(Errno::ENOENT) => match fs::mkdirat(root.raw(), name, 0o755) {
            Ok(()) => open(),
            Err(Errno::EROFS) => return Ok(None),
            Err(e) => return Err(Error::sys(e, "mkdir")),
        },
        other => other,
    };
    match opened {
        Ok(fd) => Ok(Some(fd)),
        Err(Errno::ENOTDIR | Errno::ELOOP) => Err(Error::msg("refusing a target that is a symlink or not a directory")),
        Err(e) => Err(Error::sys(e, "open target")),
    }
}

/// Whether `fd` is on a filesystem of type `magic` (statfs f_type).
fn is_fs(fd: &Fd, magic: u32) -> core::result::Result<bool, Errno> {
    Ok(fs::fstatfs(fd.raw())?.f_type == i64::from(magic))
}

/// Mount flags a bind remount must repeat, or the kernel clears (or refuses to clear) them.
fn kept_flags(fd: i32) -> core::result::Result<u32, Errno> {
    // statfs f_flags bits (ST_*): nosuid, nodev, noexec, noatime and nodiratime have the values
    // of their MS_* flags; ST_RELATIME (4096) does not.
    const SAME: i64 = (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME) as i64;
    const _: () = assert!(SAME == 2 | 4 | 8 | 1024 | 2048, "ST_* and MS_* bits differ");
    let st = fs::fstatfs(fd)?;
    let relatime = if st.f_flags & 4096 != 0 { MS_RELATIME } else { 0 };
    Ok((st.f_flags & SAME) as u32 | relatime)
}

/// The root being built (the cwd) and what has been made in it so far.
struct Builder<'a> {
    root: Fd,
    cgroups: &'a [String],
    /// The root is the host's `/`, read-only from the start: missing mount points are skipped.
    host_root: bool,
    /// The /dev/null runt made (or bound from the host), checked: the source of file masks.
    null: Option<Fd>,
    /// The procfs and sysfs runt mounted at /proc and /sys (the top of each mount, checked):
    /// where the masked and read-only paths under them are looked up.
    proc: Option<Fd>,
    sys: Option<Fd>,
}

/// The path of an open descriptor through the host's /proc, for mount(2).
fn via_proc(fd: &Fd) -> NumPath {
    NumPath::fd(fd)
}

impl Builder<'_> {
    #[inline(never)]
    fn mount(&mut self, m: &Mount, source: Option<&Fd>) -> Result<()> {
        let data = if m.data.is_empty() { None } else { Some(cstr(&m.data)?) };
        if m.fstype == "cgroup" || m.fstype == "cgroup2" {
            return match self.mount_cgroup(m)? {
                true => self.set_attrs(m, true),
                false => Ok(()),
            };
        }
        let is_dir = match source {
            Some(s) => fs::is_dir(s.raw()).or_what("stat the source")?,
            None => true,
        };
        let kernel = match m.destination.trim_end_matches(crate::text::SLASH) {
            "/proc" => Some(c"proc"),
            "/sys" => Some(c"sys"),
            _ => None,
        };
        let t = match kernel {
            Some(name) => match kernel_dir(&self.root, name)? {
                Some(t) => t,
                None => return Ok(()),
            },
            None => match resolve_in_root(&self.root, &m.destination, is_dir, true) {
                Ok(t) => t,
                Err(e) if self.host_root && e.errno == Some(Errno::EROFS) => return Ok(()),
                Err(e) => return Err(e),
            },
        };
        let target = via_proc(&t);
        match source {
            Some(src) => {
                mount::mount(Some(&via_proc(src)), &target, None, MS_BIND | (m.flags & MS_REC), None)
                    .or_what("bind mount")?;
                // Other flags (ro, nosuid, ...) only take on a bind mount through a remount.
                let extra = m.flags & !(MS_BIND | MS_REC);
                if extra != 0 {
                    self.remount(&m.destination, is_dir, extra)?;
                }
            }
            None => {
                let ty = cstr(&m.fstype)?;
                let src = cstr(&m.source)?;
                // tmpcopyup: hold what is there now, to copy it onto the fresh filesystem.
                let under = match m.copy_up {
                    true => {
                        Some(fs::openat(fs::CWD, &target, O_RDONLY | O_DIRECTORY, 0).or_what("open for tmpcopyup")?)
                    }
                    false => None,
                };
                match mount::mount(Some(&src), &target, Some(&ty), m.flags, data.as_deref()) {
                    Ok(()) => {}
                    // A user namespace that does not own the network namespace (rootless with
                    // --net host) may not mount sysfs: show the host's, read-only, instead.
                    Err(Errno::EPERM) if m.fstype == "sysfs" => {
                        mount::mount(Some(c"/sys"), &target, None, MS_BIND | MS_REC, None)
                            .or_what("bind the host's /sys")?;
                        self.remount(&m.destination, true, MS_RDONLY)?;
                    }
                    Err(e) => return Err(Error::sys(e, "mount")),
                }
                if let Some(under) = under {
                    let top = resolve_in_root(&self.root, &m.destination, true, false)?;
                    let top = fs::openat(fs::CWD, &via_proc(&top), O_RDONLY | O_DIRECTORY, 0)
                        .or_what("open the new filesystem")?;
                    copy_tree(&under, &top, 0).map_err(|e| e.context("tmpcopyup"))?;
                }
            }
        }
        let magic = match m.fstype.as_str() {
            "proc" => Some(PROC_SUPER_MAGIC),
            "sysfs" => Some(SYSFS_MAGIC),
            _ => None,
        };
        if let (Some(name), Some(magic)) = (kernel, magic) {
            self.hold_kernel_fs(name, magic)?;
        }
        if m.propagation != 0 {
            self.change(&m.destination, is_dir, m.propagation, false, "set mount propagation")?;
        }
        self.set_attrs(m, is_dir)
    }

    /// Sets and clears the recursive attributes of `m` (rro, rnosuid, ..., `:ro`'s read-only) on
    /// the mount at its destination and every mount below it.
    fn set_attrs(&self, m: &Mount, is_dir: bool) -> Result<()> {
        if m.attr_set | m.attr_clear == 0 {
            return Ok(());
        }
        // Looked up again, as in `change`: the mount's own root, not what lies under it.
        let (base, rest) = self.locate(&m.destination);
        let top = resolve_in_root(base, rest, is_dir, false)?;
        match mount::setattr(top.raw(), true, m.attr_set, m.attr_clear) {
            Ok(()) => Ok(()),
            Err(Errno::ENOSYS) if m.attrs_optional => Ok(()),
            Err(Errno::ENOSYS) => Err(Error::msg("recursive mount options (rro, ...) need mount_setattr (Linux 5.12)")),
            Err(e) => Err(Error::sys(e, "mount_setattr")),
        }
    }

    /// Holds the procfs or sysfs (`magic`) just mounted on /proc or /sys (`name`), for the masked
    /// and read-only paths under it: reopened (a descriptor taken before the mount names what
    /// lies under it) and checked. Anything else there now means the directory was swapped since
    /// (and the filesystem moved elsewhere in the root, unmasked): an error.
    fn hold_kernel_fs(&mut self, name: &CStr, magic: u32) -> Result<()> {
        let top = kernel_dir(&self.root, name)?;
        let Some(top) = top.filter(|t| is_fs(t, magic).unwrap_or(false)) else {
            return Err(Error::msg("replaced while it was mounted"));
        };
        match magic == PROC_SUPER_MAGIC {
            true => self.proc = Some(top),
            false => self.sys = Some(top),
        }
        Ok(())
    }

    /// A `cgroup` mount shows the container its own cgroup, as a cgroup namespace would: on v2 its
    /// directory bound at the destination; on v1 a tmpfs holding one bound directory per
    /// hierarchy. Read-only unless the mount says otherwise. Without cgroups: nothing to show
    /// (false: nothing was mounted).
    fn mount_cgroup(&self, m: &Mount) -> Result<bool> {
        let Some(first) = self.cgroups.first() else { return Ok(false) };
        let t = resolve_in_root(&self.root, &m.destination, true, true)?;
        let keep = m.flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
        let v1 = !crate::cgroup::is_v2()?;
        let bind = |src: &str, dest: &str| -> Result<()> {
            let s = fs::openat(fs::CWD, &cstr(src)?, O_PATH | O_DIRECTORY, 0).or_op("open", src)?;
            let d = resolve_in_root(&self.root, dest, true, true)?;
            mount::mount(Some(&via_proc(&s)), &via_proc(&d), None, MS_BIND, None).or_op("bind", src)?;
            self.remount(dest, true, keep)
        };
        if !v1 {
            return bind(first, &m.destination).map(|()| true);
        }
        let flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
        mount::mount(Some(c"tmpfs"), &via_proc(&t), Some(c"tmpfs"), flags, Some(c"mode=755"))
            .or_what("mount a tmpfs for the cgroup hierarchies")?;
        for c in self.cgroups {
            // /sys/fs/cgroup/CONTROLLER/...: the controller names the directory inside.
            let Some(controller) = c.strip_prefix("/sys/fs/cgroup/").and_then(|r| r.split('/').next()) else {
                continue;
            };
            bind(c, &cat(&[m.destination.trim_end_matches(crate::text::SLASH), "/", controller]))?;
        }
        if keep & MS_RDONLY != 0 {
            let ro = MS_REMOUNT | MS_RDONLY | flags;
            self.change(&m.destination, true, ro, false, "remount the cgroup tmpfs read-only")?;
        }
        Ok(true)
    }

    /// Remounts the bind mount at `path` with `flags` added, keeping the flags it must keep.
    fn remount(&self, path: &str, is_dir: bool, flags: u32) -> Result<()> {
        self.change(path, is_dir, MS_REMOUNT | MS_BIND | flags, true, "remount")
    }

    /// Changes the flags (or propagation) of the mount at `path`; `keep`: repeat the flags a bind
    /// remount must keep. `what` names the step in the error.
    #[inline(never)]
    fn change(&self, path: &str, is_dir: bool, flags: u32, keep: bool, what: &str) -> Result<()> {
        // Look the target up again: a descriptor opened before the mount names what lies under it.
        let (base, rest) = self.locate(path);
        let top = resolve_in_root(base, rest, is_dir, false)?;
        let kept = if keep { kept_flags(top.raw()).or_what("statfs")? } else { 0 };
        mount::mount(None, &via_proc(&top), None, flags | kept, None).or_what(what)
    }

    /// Where `path` is looked up: under /proc or /sys, in the filesystem runt mounted there (with
    /// the rest of the path), else in the root.
    fn locate<'p>(&self, path: &'p str) -> (&Fd, &'p str) {
        for (dir, fs) in [("/proc/", &self.proc), ("/sys/", &self.sys)] {
            if let (Some(fs), Some(rest)) = (fs, path.strip_prefix(dir)) {
                if !rest.trim_matches(crate::text::SLASH).is_empty() {
                    return (fs, rest);
                }
            }
        }
        (&self.root, path)
    }

    /// Creates the working directory `cwd` (and what leads to it) inside the root when missing.
    /// Where the root is the host's, read-only from the start, nothing can be created: a missing
    /// cwd is then reported when the process changes into it.
    fn make_workdir(&self, cwd: &str) -> Result<()> {
        match resolve_in_root(&self.root, cwd, true, true) {
            Ok(_) => Ok(()),
            Err(e) if self.host_root && e.errno == Some(Errno::EROFS) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Resolves a path that may legitimately be missing (kernel files differ between versions).
    fn existing(&self, path: &str) -> Result<Option<Fd>> {
        let (base, rest) = self.locate(path);
        match resolve_in_root(base, rest, false, false) {
            Ok(fd) => Ok(Some(fd)),
            Err(e) if e.errno == Some(Errno::ENOENT) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Masks `path` (`mask`) or makes it read-only; either way a missing path is skipped.
    fn mask_or_protect(&self, path: &str, mask: bool) -> Result<()> {
        let Some(t) = self.existing(path)? else { return Ok(()) };
        let target = via_proc(&t);
        let is_dir = fs::is_dir(t.raw()).or_what("stat")?;
        let ro = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
        if !mask {
            mount::mount(Some(&target), &target, None, MS_BIND | MS_REC, None).or_what("bind onto itself")?;
            self.remount(path, is_dir, ro)
        } else if is_dir {
            mount::mount(Some(c"tmpfs"), &target, Some(c"tmpfs"), ro, Some(c"size=0")).or_what("mount an empty tmpfs")
        } else {
            let null = self.null.as_ref().ok_or_else(|| Error::msg("no /dev/null to mask with"))?;
            mount::mount(Some(&via_proc(null)), &target, None, MS_BIND, None).or_what("bind /dev/null")?;
            // Read-only, nosuid and noexec: were the node ever not the one checked, nothing could
            // be written, run or gained through it. Not nodev: a masked file reads as /dev/null
            // does (empty), and a device node on a nodev mount cannot be opened at all.
            self.remount(path, false, MS_RDONLY | MS_NOSUID | MS_NOEXEC)
        }
    }
}

/// Copies the tree under `from` into `to` (directories, regular files, symlinks, with their
/// modes and owners): what a tmpcopyup mount starts with.
fn copy_tree(from: &Fd, to: &Fd, depth: u32) -> Result<()> {
    if depth > 64 {
        return Err(Error::msg("directory tree too deep"));
    }
    for name in fs::list_dir(from.raw()).or_what("read directory")? {
        let n = cstr(&name)?;
        // The failing step names itself in `op`; the error then reads "op name".
        let mut op = "open";
        let Some((dirs, uid, gid)) = copy_entry(from, to, &n, &mut op).or_op(op, &name)? else { continue };
        if let Some((src, dst)) = dirs {
            copy_tree(&src, &dst, depth + 1)?;
        }
        let _ = fs::chown_at(to.raw(), &n, uid, gid);
    }
    Ok(())
}

/// A directory's (source, copy), for the caller to descend into.
type Pair = Option<(Fd, Fd)>;

/// Copies one entry of `copy_tree`; returns its owner (and, for a directory, both sides to
/// descend into), or None for a kind that is not copied. Out of line: inlined, the recursion
/// copies it twice.
#[inline(never)]
fn copy_entry(
    from: &Fd,
    to: &Fd,
    n: &CStr,
    op: &mut &'static str,
) -> core::result::Result<Option<(Pair, u32, u32)>, Errno> {
    use linux_raw_sys::general::{S_IFDIR, S_IFLNK, S_IFMT, S_IFREG};
    let entry = fs::openat(from.raw(), n, O_PATH | O_NOFOLLOW, 0)?;
    *op = "stat";
    let (mode, uid, gid) = fs::mode_owner(entry.raw())?;
    let perm = mode & 0o7777;
    let mut dirs = None;
    match mode & S_IFMT {
        S_IFDIR => {
            *op = "mkdir";
            fs::mkdirat(to.raw(), n, perm)?;
            *op = "open";
            let src = fs::openat(from.raw(), n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0)?;
            dirs = Some((src, fs::openat(to.raw(), n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0)?));
        }
        S_IFREG => {
            let src = fs::openat(from.raw(), n, O_RDONLY | O_NOFOLLOW, 0)?;
            *op = "create";
            let dst = fs::openat(to.raw(), n, fs::O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, perm)?;
            let mut buf = alloc::vec![0u8; 64 * 1024];
            loop {
                *op = "read";
                let k = fs::read(src.raw(), &mut buf)?;
                if k == 0 {
                    break;
                }
                *op = "write";
                fs::write_all(dst.raw(), buf.get(..k).unwrap_or_default())?;
            }
        }
        S_IFLNK => {
            *op = "readlink";
            // readlink(2) never returns a NUL byte; EINVAL stands for the impossible case.
            let target = CString::new(fs::readlink_fd(entry.raw())?).map_err(|_| Errno::EINVAL)?;
            *op = "symlink";
            fs::symlinkat(&target, to.raw(), n)?;
        }
        // Device nodes, fifos and sockets have no place in a fresh tmpfs copy.
        _ => return Ok(None),
    }
    Ok(Some((dirs, uid, gid)))
}

/// Makes the cwd (the new root) `/`. pivot_root is the default: the old root is then detached
/// and unreachable. When / is the initramfs rootfs, pivot_root fails with EINVAL; then move the
/// new root over / and chroot into it, as switch_root does.
#[inline(never)]
fn switch_root() -> Result<()> {
    match mount::pivot_root(c".", c".") {
        Ok(()) => {
            // The old root is now stacked on top of the new one at ".": detach it.
            mount::umount2(c".", MNT_DETACH).or_what("detach the old root")?;
        }
        Err(Errno::EINVAL) => {
            mount::mount(Some(c"."), c"/", None, MS_MOVE, None).or_what("move the new root onto /")?;
            fs::chroot(c".").or_what("chroot into the new root")?;
        }
        Err(e) => return Err(Error::sys(e, "pivot_root")),
    }
    fs::chdir(c"/").or_what("chdir /")
}
