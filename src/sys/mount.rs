//! Mounts and root switching.

use super::Result;
use core::ffi::CStr;
use syscalls::{syscall, Sysno};

pub use linux_raw_sys::general::{
    MNT_DETACH, MOUNT_ATTR_RDONLY, MS_BIND, MS_MOVE, MS_NOATIME, MS_NODEV, MS_NODIRATIME, MS_NOEXEC, MS_NOSUID,
    MS_PRIVATE, MS_RDONLY, MS_REC, MS_RELATIME, MS_REMOUNT, MS_SHARED, MS_SLAVE, MS_STRICTATIME,
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

/// Whether this kernel's procfs takes the `pidns` option (a procfs showing a given pid
/// namespace): fsopen(2) of "proc" and fsconfig(2) FSCONFIG_SET_STRING of `pidns` = `ns_path`,
/// with nothing mounted. False where the option is unknown (EINVAL) or the new mount API is
/// missing (before Linux 5.2).
pub fn proc_takes_pidns(ns_path: &CStr) -> bool {
    const FSCONFIG_SET_STRING: u32 = 1;
    // SAFETY: the name is NUL-terminated; fsopen returns a new descriptor or an error.
    let Ok(fd) = (unsafe { syscall!(Sysno::fsopen, c"proc".as_ptr(), 1u32) }) else { return false };
    let fd = super::Fd::from_raw(fd as i32); // FSOPEN_CLOEXEC above (1); closed when dropped
                                             // SAFETY: key and value are NUL-terminated strings alive for the call; aux is unused (0).
    unsafe { syscall!(Sysno::fsconfig, fd.raw(), FSCONFIG_SET_STRING, c"pidns".as_ptr(), ns_path.as_ptr(), 0) }.is_ok()
}
