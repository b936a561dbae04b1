//! Mounts and root switching.

use super::{Fd, Result};
use core::ffi::CStr;
use syscalls::{syscall, Sysno};

pub use linux_raw_sys::general::{
    MNT_DETACH, MOUNT_ATTR_NOATIME, MOUNT_ATTR_NODIRATIME, MOUNT_ATTR_NOSYMFOLLOW, MOUNT_ATTR_RDONLY,
    MOUNT_ATTR_STRICTATIME, MS_BIND, MS_DIRSYNC, MS_MANDLOCK, MS_MOVE, MS_NOATIME, MS_NODEV, MS_NODIRATIME, MS_NOEXEC,
    MS_NOSUID, MS_NOSYMFOLLOW, MS_PRIVATE, MS_RDONLY, MS_REC, MS_RELATIME, MS_REMOUNT, MS_SHARED, MS_SLAVE,
    MS_STRICTATIME, MS_SYNCHRONOUS,
};

/// mount(2). `source`, `fstype` and `data` may be absent.
// Out of line (measured): one shared copy is smaller than one per caller.
#[inline(never)]
pub fn mount(
    source: Option<&CStr>,
    target: &CStr,
    fstype: Option<&CStr>,
    flags: u32,
    data: Option<&CStr>,
) -> Result<()> {
    let p = |s: Option<&CStr>| s.map_or(core::ptr::null(), CStr::as_ptr);
    // SAFETY: every pointer is NULL or a NUL-terminated string that outlives the call.
    unsafe { syscall!(Sysno::mount, p(source), target.as_ptr(), p(fstype), flags, p(data)) }.map(drop)
}

/// umount2(2).
#[inline]
pub fn umount2(target: &CStr, flags: u32) -> Result<()> {
    // SAFETY: target is NUL-terminated.
    unsafe { syscall!(Sysno::umount2, target.as_ptr(), flags) }.map(drop)
}

/// pivot_root(2).
#[inline]
pub fn pivot_root(new_root: &CStr, put_old: &CStr) -> Result<()> {
    // SAFETY: both paths are NUL-terminated.
    unsafe { syscall!(Sysno::pivot_root, new_root.as_ptr(), put_old.as_ptr()) }.map(drop)
}

/// mount_setattr(2) (Linux 5.12) on the mount whose root `fd` is (AT_EMPTY_PATH) and, with
/// `recursive`, every mount below it: MOUNT_ATTR_* bits to set and to clear.
#[inline(never)]
pub fn setattr(fd: i32, recursive: bool, set: u32, clear: u32) -> Result<()> {
    use linux_raw_sys::general::{mount_attr, AT_EMPTY_PATH, AT_RECURSIVE};
    let attr = mount_attr { attr_set: set.into(), attr_clr: clear.into(), propagation: 0, userns_fd: 0 };
    let flags = AT_EMPTY_PATH | if recursive { AT_RECURSIVE } else { 0 };
    let size = core::mem::size_of::<mount_attr>();
    // SAFETY: the path is an empty C string and attr a mount_attr of the size passed, both alive
    // for the call; the kernel only reads them.
    unsafe { syscall!(Sysno::mount_setattr, fd, c"".as_ptr(), flags, &attr as *const mount_attr, size) }.map(drop)
}

/// open_tree(2) with OPEN_TREE_CLONE (Linux 5.2): a detached copy of the mount whose root `fd`
/// is (AT_EMPTY_PATH), with every mount below it when `recursive`. It is attached with
/// `move_mount` and stays reachable through the descriptor returned.
#[inline(never)]
pub fn clone_tree(fd: i32, recursive: bool) -> Result<Fd> {
    use linux_raw_sys::general::{AT_EMPTY_PATH, AT_RECURSIVE, OPEN_TREE_CLOEXEC, OPEN_TREE_CLONE};
    let flags = AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | if recursive { AT_RECURSIVE } else { 0 };
    // SAFETY: the path is an empty C string that outlives the call.
    unsafe { syscall!(Sysno::open_tree, fd, c"".as_ptr(), flags) }.map(|fd| Fd::from_raw(fd as i32))
}

/// move_mount(2) (Linux 5.2) of the mount whose root `from` is onto the file `to` is, both
/// descriptors (MOVE_MOUNT_F_EMPTY_PATH, MOVE_MOUNT_T_EMPTY_PATH): no path is looked up.
#[inline(never)]
pub fn move_mount(from: i32, to: i32) -> Result<()> {
    use linux_raw_sys::general::{MOVE_MOUNT_F_EMPTY_PATH, MOVE_MOUNT_T_EMPTY_PATH};
    let flags = MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH;
    // SAFETY: both paths are empty C strings that outlive the call.
    unsafe { syscall!(Sysno::move_mount, from, c"".as_ptr(), to, c"".as_ptr(), flags) }.map(drop)
}

/// fsopen(2) (Linux 5.2): a context to configure a new filesystem of type `fstype` in.
#[inline]
pub fn fsopen(fstype: &CStr) -> Result<Fd> {
    use linux_raw_sys::general::FSOPEN_CLOEXEC;
    // SAFETY: fstype is NUL-terminated and outlives the call.
    unsafe { syscall!(Sysno::fsopen, fstype.as_ptr(), FSOPEN_CLOEXEC) }.map(|fd| Fd::from_raw(fd as i32))
}

/// fsconfig(2) on the context `fs`: sets `key` to `value` (FSCONFIG_SET_STRING), or the flag
/// `key` when there is no value (FSCONFIG_SET_FLAG); with no key, creates the filesystem
/// (FSCONFIG_CMD_CREATE).
#[inline(never)]
pub fn fsconfig(fs: i32, key: Option<&CStr>, value: Option<&CStr>) -> Result<()> {
    use linux_raw_sys::general::fsconfig_command::{FSCONFIG_CMD_CREATE, FSCONFIG_SET_FLAG, FSCONFIG_SET_STRING};
    let cmd = match (key, value) {
        (None, _) => FSCONFIG_CMD_CREATE,
        (Some(_), None) => FSCONFIG_SET_FLAG,
        (Some(_), Some(_)) => FSCONFIG_SET_STRING,
    };
    let p = |s: Option<&CStr>| s.map_or(core::ptr::null(), CStr::as_ptr);
    // SAFETY: key and value are NULL or NUL-terminated strings that outlive the call.
    unsafe { syscall!(Sysno::fsconfig, fs, cmd as u32, p(key), p(value), 0) }.map(drop)
}

/// fsmount(2) (Linux 5.2): the filesystem created in the context `fs`, as a detached mount
/// with the MOUNT_ATTR_* `attrs`.
#[inline]
pub fn fsmount(fs: i32, attrs: u32) -> Result<Fd> {
    use linux_raw_sys::general::FSMOUNT_CLOEXEC;
    // SAFETY: plain integers.
    unsafe { syscall!(Sysno::fsmount, fs, FSMOUNT_CLOEXEC, attrs) }.map(|fd| Fd::from_raw(fd as i32))
}

/// Whether this kernel's procfs takes the `pidns` option (a procfs showing a given pid
/// namespace, Linux 6.18): `pidns` = `ns_path` set on a procfs context, nothing mounted. False
/// where the option is unknown (EINVAL) or the new mount API is missing (before Linux 5.2).
pub fn proc_takes_pidns(ns_path: &CStr) -> bool {
    fsopen(c"proc").is_ok_and(|fs| fsconfig(fs.raw(), Some(c"pidns"), Some(ns_path)).is_ok())
}
