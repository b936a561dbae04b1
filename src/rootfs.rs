//! Child side: build the container's filesystem from the plan and make it the root.
//!
//! The image and anything a container can write are hostile: a symlink anywhere in the rootfs,
//! there from the start or swapped in by a second container sharing the rootfs directory while this
//! one is built, must never steer a mount, node or write of runt outside the root. So no path under
//! the root is ever handed to the kernel as text. The new root is bound onto itself (the host's `/`
//! onto a staging directory) and held as a descriptor; every target is opened inside it when the
//! step runs (openat2 RESOLVE_IN_ROOT: symlinks lead somewhere inside the root; for /proc and /sys,
//! none is followed at all) and mounted on through that descriptor (move_mount, or mount(2) named
//! by the host's /proc/self/fd/N); /dev is populated relative to a descriptor of it (`dev`). A
//! mount made is held by its own descriptor (a detached copy or new filesystem, then attached), and
//! its flags, propagation and attributes are set through that, never through its target looked up
//! again. Masked and read-only paths under /proc and /sys are found in the filesystem runt mounted
//! there, wherever a racing container may have moved it since.

mod dev;
mod resolve;
mod sysctl;

use crate::cstr::{cstr, NumPath};
use crate::error::{cat, Error, OrSys, Result};
use crate::plan::Step;
use crate::spec::{Mount, Spec};
use crate::sys::fs::{
    self, CWD, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_PATH, O_RDONLY, PROC_SUPER_MAGIC, RESOLVE_IN_ROOT,
    RESOLVE_NO_SYMLINKS,
};
use crate::sys::mount::{
    self, MNT_DETACH, MOUNT_ATTR_NOATIME, MOUNT_ATTR_NODIRATIME, MOUNT_ATTR_NOSYMFOLLOW, MOUNT_ATTR_RDONLY,
    MOUNT_ATTR_STRICTATIME, MS_BIND, MS_DIRSYNC, MS_MANDLOCK, MS_MOVE, MS_NOATIME, MS_NODEV, MS_NODIRATIME, MS_NOEXEC,
    MS_NOSUID, MS_NOSYMFOLLOW, MS_PRIVATE, MS_RDONLY, MS_REC, MS_RELATIME, MS_REMOUNT, MS_SHARED, MS_SLAVE,
    MS_STRICTATIME, MS_SYNCHRONOUS,
};
use crate::sys::process::CLONE_NEWNS;
use crate::sys::{net, Errno, Fd};
use alloc::ffi::CString;
use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::CStr;
use resolve::resolve_in_root;

/// Directories the host's `/` may be bound onto before pivot_root, when it is the container's
/// root. Any will do: it is covered only in the container's private mount namespace, and each is
/// covered again by a fresh mount inside. Never /proc: descriptors are reached through the
/// host's /proc until the switch.
const STAGING: &[&CStr] = &[c"/tmp", c"/run", c"/mnt", c"/dev"];

/// Sets up the whole root filesystem and switches into it. On return, `/` is the container's root
/// and the host's tree is detached (or, where pivot_root is impossible, hidden behind a chroot).
/// `cgroups`: the container's cgroup directories, shown at a `cgroup` mount.
/// `given_sources`: where the parent sends the bind sources (`send_bind_sources`), if it does.
/// `before_switch` runs once everything is mounted, before the switch: the create hooks.
/// Returns the container's procfs, if it has one at /proc (`container_proc`).
#[inline(never)]
pub fn enter(
    spec: &Spec,
    steps: &[Step],
    cgroups: &[String],
    given_sources: Option<&Fd>,
    before_switch: &mut dyn FnMut() -> Result<()>,
) -> Result<Option<Fd>> {
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
    before_switch()?;
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
    Ok(container_proc(b.proc))
}

/// The container's procfs, where its init reopens what it holds as /proc/self/fd/N (a created
/// container's exec.fifo): the one runt mounted at /proc, held since (`held`); else whatever
/// the config put there, when it is a procfs. Not by the path /proc/self/...: a container
/// sharing the rootfs directory may have renamed /proc and put a tree of its own there.
fn container_proc(held: Option<Fd>) -> Option<Fd> {
    if held.is_some() {
        return held;
    }
    // Any procfs will do: in each, self/fd/N is the caller's own descriptor N.
    let proc = fs::openat2(CWD, c"/proc", O_PATH | O_DIRECTORY, RESOLVE_NO_SYMLINKS).ok();
    proc.filter(|p| is_fs(p, PROC_SUPER_MAGIC).unwrap_or(false))
}

/// Binds the root `source` onto itself, or the host's `/` onto a staging directory, in the
/// container's mount namespace, and opens it there. A root of its own stays at its own path, as
/// runc has it: the hooks that run before the switch (createContainer, and prestart hooks that
/// enter the container's mount namespace) see the host's tree as it is, and what they mount at
/// the root's path lands in the root.
fn stage_root(spec: &Spec, source: &CStr, shown_root: &str) -> Result<Fd> {
    let staging = match spec.root.path {
        Some(_) => source,
        None => match STAGING.iter().find(|d| fs::openat(CWD, d, O_PATH | O_DIRECTORY, 0).is_ok()) {
            Some(d) => d,
            None => return Err(Error::msg("no directory to stage the root on (none of /tmp /run /mnt /dev)")),
        },
    };
    let bind = |recursive| {
        mount::mount(Some(source), staging, None, MS_BIND | recursive, None)
            .or_sys(|| cat(&["bind rootfs ", shown_root, " on ", staging.to_str().unwrap_or_default()]))?;
        fs::openat(CWD, staging, O_PATH | O_DIRECTORY, 0).or_what("open the new root")
    };
    // Recursive: a rootfs keeps whatever is mounted inside it, the host's / its data partitions.
    let root = bind(MS_REC)?;
    if spec.root.path.is_some() {
        return Ok(root);
    }
    match host_mounts_read_only(&root) {
        Ok(()) => Ok(root),
        // Before Linux 5.12 they cannot all be made read-only in one step: the host's / comes
        // without its submounts (the bind just made detached by its descriptor, not its path).
        Err(Errno::ENOSYS) if spec.userns.is_none() => {
            mount::umount2(&via_proc(&root), MNT_DETACH).or_what("unmount the staged root")?;
            drop(root);
            bind(0)
        }
        // In a user namespace the kernel refuses that (they are locked to the mounts above
        // them): the read-only-root step then refuses the container rather than leave them
        // writable (read_only_below, not optional there).
        Err(Errno::ENOSYS) => Ok(root),
        Err(e) => Err(Error::sys(e, "make the host's mounts read-only (mount_setattr)")),
    }
}

/// The host's kernel and runtime filesystems, detached from the container's copy of the host's
/// `/`: it gets fresh ones in their places (spec::DEFAULT_MOUNTS), so that neither the host's
/// /proc, /sys and /dev (with binfmt_misc, cgroupfs, devpts below them) nor its /run (sockets)
/// and /tmp stay under them.
const HOST_OWN: [&CStr; 5] = [c"proc", c"sys", c"dev", c"run", c"tmp"];

/// Makes every mount of the host's `/` bound at `root` read-only (mount_setattr AT_RECURSIVE), so
/// that the container sees the host's data partitions and cannot write to any, then detaches the
/// host's `HOST_OWN` filesystems.
fn host_mounts_read_only(root: &Fd) -> core::result::Result<(), Errno> {
    mount::setattr(root.raw(), true, linux_raw_sys::general::MOUNT_ATTR_RDONLY, 0)?;
    for name in HOST_OWN {
        // The host's own directories: a symlink there (a /run -> /var/run) is not followed.
        let Ok(dir) = fs::openat(root.raw(), name, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0) else { continue };
        match mount::umount2(&via_proc(&dir), MNT_DETACH) {
            // EINVAL: no mount of its own there (a directory of the root), or in a user namespace
            // one locked to the root: the container's own mount covers it.
            Ok(()) | Err(Errno::EINVAL) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
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
                Some(m) => self.mount(m, sources.get(*i).and_then(Option::as_ref), *i < spec.optional_mounts),
                None => Ok(()),
            },
            Step::Devices => {
                self.null = Some(dev::populate(&self.root, host_nodes, &spec.device_nodes)?);
                Ok(())
            }
            Step::Workdir => self.make_workdir(&spec.cwd),
            Step::Sysctl => sysctl::write(self.proc.as_ref(), &spec.oci.sysctl),
            Step::Mask(path) => self.mask_or_protect(path, true),
            Step::ReadOnlyPath(path) => self.mask_or_protect(path, false),
            Step::ReadOnlyRoot => {
                remount(&self.root, MS_RDONLY)?;
                // In a user namespace the host's / comes with the mounts below it (stage_root):
                // read-only as well, as the host's / is shown; runt makes its own on top.
                match self.host_root {
                    true => read_only_below(&self.root, spec.userns.is_none()),
                    false => Ok(()),
                }
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
        Step::Sysctl => String::from("linux.sysctl"),
        Step::Mask(path) => cat(&["mask ", path]),
        Step::ReadOnlyPath(path) => cat(&["make ", path, " read-only"]),
        Step::ReadOnlyRoot => cat(&["make ", shown_root, " read-only"]),
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
    /// `optional`: one of runt's defaults, skipped where the host's read-only `/` has no mount
    /// point for it.
    #[inline(never)]
    fn mount(&mut self, m: &Mount, source: Option<&Fd>, optional: bool) -> Result<()> {
        if m.fstype == "cgroup" || m.fstype == "cgroup2" {
            return match self.mount_cgroup(m)? {
                Some(new) => set_attrs(m, &new),
                None => Ok(()),
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
                Err(e) if self.host_root && e.errno == Some(Errno::EROFS) => {
                    // A volume is never silently dropped: runt does not write to the host's /.
                    return match optional {
                        true => Ok(()),
                        false => Err(Error::cat(&[
                            &m.destination,
                            " does not exist on the host's read-only / and runt does not create it there \
                             (make it on the host, mount under /tmp or /run, or use --rootfs)",
                        ])),
                    };
                }
                Err(e) => return Err(e),
            },
        };
        // From here on the new mount is held by its own descriptor, and everything else done to
        // it (flags, propagation, attributes) goes through that: the target is never looked up
        // again, which a container sharing the rootfs directory may have swapped meanwhile for
        // a symlink to another mount (which would then get the read-only flag instead).
        let new = match source {
            Some(src) => bind(src, &t, m.flags & MS_REC != 0, m.flags & !(MS_BIND | MS_REC))?,
            None => fresh(m, &t)?,
        };
        if m.propagation != 0 {
            mount::mount(None, &via_proc(&new), None, m.propagation, None).or_what("set mount propagation")?;
        }
        set_attrs(m, &new)?;
        // The procfs and sysfs on /proc and /sys: where the masked and read-only paths under
        // them are looked up, wherever a racing container may move them in the root.
        match (kernel, m.fstype.as_str()) {
            (Some(_), "proc") => self.proc = Some(new),
            (Some(_), "sysfs") => self.sys = Some(new),
            _ => {}
        }
        Ok(())
    }

    /// A `cgroup` mount shows the container its own cgroup, as a cgroup namespace would: on v2 its
    /// directory bound at the destination; on v1 a tmpfs holding one bound directory per
    /// hierarchy. Read-only unless the mount says otherwise. Without cgroups: nothing to show
    /// (None: nothing was mounted); else the mount made.
    fn mount_cgroup(&self, m: &Mount) -> Result<Option<Fd>> {
        let Some(first) = self.cgroups.first() else { return Ok(None) };
        let t = resolve_in_root(&self.root, &m.destination, true, true)?;
        let keep = m.flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
        let bind_dir = |src: &str, at: &Fd| -> Result<Fd> {
            let s = fs::openat(fs::CWD, &cstr(src)?, O_PATH | O_DIRECTORY, 0).or_op("open", src)?;
            bind(&s, at, false, keep).map_err(|e| e.context(&cat(&["bind ", src])))
        };
        if crate::cgroup::is_v2()? {
            return bind_dir(first, &t).map(Some);
        }
        let flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
        let tmpfs = new_fs("tmpfs", "tmpfs", "mode=755", flags)?;
        mount::move_mount(tmpfs.raw(), t.raw()).or_what("mount a tmpfs for the cgroup hierarchies")?;
        for c in self.cgroups {
            // /sys/fs/cgroup/CONTROLLER/...: the controller names the directory inside.
            let Some(controller) = c.strip_prefix("/sys/fs/cgroup/").and_then(|r| r.split('/').next()) else {
                continue;
            };
            // Made in the fresh tmpfs, through its descriptor: no one else can reach it.
            let name = cstr(controller)?;
            match fs::mkdirat(tmpfs.raw(), &name, 0o755) {
                Ok(()) | Err(Errno::EEXIST) => {}
                Err(e) => return Err(Error::op(e, "mkdir", controller)),
            }
            let at = fs::openat(tmpfs.raw(), &name, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0).or_op("open", controller)?;
            bind_dir(c, &at)?;
        }
        if keep & MS_RDONLY != 0 {
            mount::mount(None, &via_proc(&tmpfs), None, MS_REMOUNT | MS_RDONLY | flags, None)
                .or_what("remount the cgroup tmpfs read-only")?;
        }
        Ok(Some(tmpfs))
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
        let ro = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
        if !mask {
            bind(&t, &t, true, ro).map(drop)
        } else if fs::is_dir(t.raw()).or_what("stat")? {
            mount::mount(Some(c"tmpfs"), &via_proc(&t), Some(c"tmpfs"), ro, Some(c"size=0"))
                .or_what("mount an empty tmpfs")
        } else {
            let null = self.null.as_ref().ok_or_else(|| Error::msg("no /dev/null to mask with"))?;
            // Read-only, nosuid and noexec: were the node ever not the one checked, nothing could
            // be written, run or gained through it. Not nodev: a masked file reads as /dev/null
            // does (empty), and a device node on a nodev mount cannot be opened at all.
            bind(null, &t, false, MS_RDONLY | MS_NOSUID | MS_NOEXEC).map(drop)
        }
    }
}

/// Binds `src` (with the mounts below it when `recursive`) onto `t` and adds `flags` (ro,
/// nosuid, ...) to the new mount, which it returns. The copy of the source's mounts is made
/// detached (open_tree), attached on the target's descriptor (move_mount) and changed through
/// its own descriptor: no path is looked up on the way.
fn bind(src: &Fd, t: &Fd, recursive: bool, flags: u32) -> Result<Fd> {
    let new = mount::clone_tree(src.raw(), recursive).or_what("open_tree")?;
    mount::move_mount(new.raw(), t.raw()).or_what("bind mount")?;
    // The flags take on a bind mount only through a remount.
    if flags != 0 {
        remount(&new, flags)?;
    }
    Ok(new)
}

/// Adds `flags` to the bind mount whose root `new` is, keeping the flags it must keep.
fn remount(new: &Fd, flags: u32) -> Result<()> {
    let kept = kept_flags(new.raw()).or_what("statfs")?;
    mount::mount(None, &via_proc(new), None, MS_REMOUNT | MS_BIND | flags | kept, None).or_what("remount")
}

/// A new filesystem for `m` on `t` (a tmpcopyup one filled first), returned as it is in
/// `bind`: made detached, held and attached by descriptor.
fn fresh(m: &Mount, t: &Fd) -> Result<Fd> {
    let new = match new_fs(&m.fstype, &m.source, &m.data, m.flags) {
        Ok(new) => new,
        // A user namespace that does not own the network namespace (rootless with --net host)
        // may not mount sysfs: show the host's, read-only (all of it, where the kernel can),
        // instead.
        Err(e) if e.errno == Some(Errno::EPERM) && m.fstype == "sysfs" => {
            let host = fs::openat(fs::CWD, c"/sys", O_PATH | O_DIRECTORY, 0).or_op("open", "/sys")?;
            let new = bind(&host, t, true, MS_RDONLY).map_err(|e| e.context("bind the host's /sys"))?;
            return read_only_below(&new, true).map(|()| new);
        }
        Err(e) => return Err(e),
    };
    if m.copy_up {
        // What the root has there now, to be covered by the copy.
        let from = fs::openat(t.raw(), c".", O_RDONLY | O_DIRECTORY, 0).or_what("open for tmpcopyup")?;
        let to = fs::openat(new.raw(), c".", O_RDONLY | O_DIRECTORY, 0).or_what("open the new filesystem")?;
        copy_tree(&from, &to, 0).map_err(|e| e.context("tmpcopyup"))?;
    }
    mount::move_mount(new.raw(), t.raw()).or_what("mount")?;
    Ok(new)
}

/// A new filesystem of type `fstype` from `source`, with the options `data` and the MS_*
/// `flags` as mount(2) would take them, made detached (fsopen, fsconfig, fsmount): the
/// descriptor returned is the mount until it is attached and after.
#[inline(never)]
fn new_fs(fstype: &str, source: &str, data: &str, flags: u32) -> Result<Fd> {
    // The flags of the filesystem itself, which mount(2) takes among the MS_* ones.
    const OWN_FLAGS: [(u32, &str); 4] =
        [(MS_RDONLY, "ro"), (MS_SYNCHRONOUS, "sync"), (MS_DIRSYNC, "dirsync"), (MS_MANDLOCK, "mand")];
    let fs = mount::fsopen(&cstr(fstype)?).or_op("fsopen", fstype)?;
    let set = |key: &str, value: Option<&str>| -> Result<()> {
        let value = match value {
            Some(v) => Some(cstr(v)?),
            None => None,
        };
        mount::fsconfig(fs.raw(), Some(&cstr(key)?), value.as_deref()).or_op("option", key)
    };
    if !source.is_empty() {
        set("source", Some(source))?;
    }
    for option in data.split(',').filter(|o| !o.is_empty()) {
        match option.split_once('=') {
            Some((key, value)) => set(key, Some(value))?,
            None => set(option, None)?,
        }
    }
    for (bit, name) in OWN_FLAGS {
        if flags & bit != 0 {
            set(name, None)?;
        }
    }
    mount::fsconfig(fs.raw(), None, None).or_what("create the filesystem")?;
    mount::fsmount(fs.raw(), mount_attrs(flags)).or_what("fsmount")
}

/// The MOUNT_ATTR_* bits of a new mount that mount(2) would give the MS_* `flags`.
fn mount_attrs(flags: u32) -> u32 {
    // ro, nosuid, nodev and noexec have the same bits in both.
    const SAME: u32 = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
    const _: () = assert!(SAME == MOUNT_ATTR_RDONLY | 2 | 4 | 8, "MS_* and MOUNT_ATTR_* bits differ");
    let mut attrs = flags & SAME;
    // One access-time mode; strictatime wins, as it does with mount(2).
    if flags & MS_STRICTATIME != 0 {
        attrs |= MOUNT_ATTR_STRICTATIME;
    } else if flags & MS_NOATIME != 0 {
        attrs |= MOUNT_ATTR_NOATIME;
    }
    for (bit, attr) in [(MS_NODIRATIME, MOUNT_ATTR_NODIRATIME), (MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW)] {
        if flags & bit != 0 {
            attrs |= attr;
        }
    }
    attrs
}

/// Sets and clears the recursive attributes of `m` (rro, rnosuid, ..., `:ro`'s read-only) on
/// its mount `new` and every mount below it.
fn set_attrs(m: &Mount, new: &Fd) -> Result<()> {
    match m.attr_set | m.attr_clear {
        0 => Ok(()),
        _ => attrs_below(new, m.attr_set, m.attr_clear, m.attrs_optional),
    }
}

/// Makes the mount `fd` and every mount below it read-only; `optional`: not an error where
/// the kernel cannot (before Linux 5.12).
fn read_only_below(fd: &Fd, optional: bool) -> Result<()> {
    attrs_below(fd, MOUNT_ATTR_RDONLY, 0, optional)
}

/// Sets and clears MOUNT_ATTR_* bits on the mount `fd` and every mount below it
/// (mount_setattr AT_RECURSIVE, which also adds flags to mounts a user namespace locks).
fn attrs_below(fd: &Fd, set: u32, clear: u32, optional: bool) -> Result<()> {
    match mount::setattr(fd.raw(), true, set, clear) {
        Ok(()) => Ok(()),
        Err(Errno::ENOSYS) if optional => Ok(()),
        Err(Errno::ENOSYS) => Err(Error::msg("recursive mount attributes need mount_setattr (Linux 5.12)")),
        Err(e) => Err(Error::sys(e, "mount_setattr")),
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
    // The entry checked is reopened through its descriptor (the host's /proc), never by name
    // again: a container sharing the rootfs may have swapped the name for a fifo, whose open
    // would block runt.
    let reopen = |dir| fs::openat(fs::CWD, &via_proc(&entry), O_RDONLY | dir, 0);
    let mut dirs = None;
    match mode & S_IFMT {
        S_IFDIR => {
            *op = "mkdir";
            fs::mkdirat(to.raw(), n, perm)?;
            *op = "open";
            dirs = Some((reopen(O_DIRECTORY)?, fs::openat(to.raw(), n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0)?));
        }
        S_IFREG => {
            let src = reopen(0)?;
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
