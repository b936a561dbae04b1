//! Mounts and root switching.

use super::Result;
use core::ffi::CStr;
use syscalls::{syscall, Sysno};

pub use linux_raw_sys::general::{
    MNT_DETACH, MS_BIND, MS_MOVE, MS_NOATIME, MS_NODEV, MS_NODIRATIME, MS_NOEXEC, MS_NOSUID, MS_PRIVATE, MS_RDONLY,
    MS_REC, MS_RELATIME, MS_REMOUNT, MS_STRICTATIME,
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
