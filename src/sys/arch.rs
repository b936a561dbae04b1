//! What differs between the architectures runt is built for (x86_64, aarch64, armv7, riscv64) in
//! the system calls, in one place; the entry point is in rt.rs and the memory functions in mem.rs.
//! Everything else in sys/ is the same code on each, with numbers and structs from `syscalls`
//! and `linux-raw-sys` for the target.
//!
//! - Only the `*at` calls and others every architecture has: aarch64 and riscv64 (the kernel's
//!   generic table) have no open, stat, mkdir, rename..., and riscv64 not even renameat, so
//!   renames are renameat2.
//! - 32-bit arm: its first calls for ids (getuid, setresuid, setgroups...) take 16-bit ids, so
//!   runt uses the `*32` ones; the ones with a `time_t` take 32 bits of seconds, so runt uses the
//!   `*_time64` ones (Linux 5.1) with the 64-bit `__kernel_timespec`, as on the 64-bit
//!   architectures; stat and statfs with 64-bit fields are fstatat64 and fstatfs64/statfs64
//!   (which take the struct's size); mmap is mmap2 (the offset in pages: runt maps at 0).
//! - clone's arguments after the flags are (stack, parent_tid, child_tid, tls) on x86_64 and
//!   (stack, parent_tid, tls, child_tid) on arm, aarch64 and riscv64 (CONFIG_CLONE_BACKWARDS);
//!   runt passes zero for all four (see process::clone_fork), and clone3 takes one struct
//!   everywhere, so neither needs a variant here. The flags are the first argument on all four,
//!   which is what the default seccomp filter checks.

use super::Result;
use core::ffi::CStr;
use linux_raw_sys::general as k;
use syscalls::{syscall, Sysno};

pub use imp::*;

/// What runt reads of `struct statfs`: the filesystem's magic and its mount flags (ST_*), in the
/// types x86_64's struct has.
pub struct StatFs {
    pub f_type: i64,
    pub f_flags: i64,
}

#[cfg(not(target_arch = "arm"))]
mod imp {
    use super::*;

    pub const MMAP: Sysno = Sysno::mmap;
    pub const CLOCK_GETTIME: Sysno = Sysno::clock_gettime;
    pub const CLOCK_NANOSLEEP: Sysno = Sysno::clock_nanosleep;
    pub const RT_SIGTIMEDWAIT: Sysno = Sysno::rt_sigtimedwait;
    pub const GETUID: Sysno = Sysno::getuid;
    pub const GETGID: Sysno = Sysno::getgid;
    pub const SETRESUID: Sysno = Sysno::setresuid;
    pub const SETRESGID: Sysno = Sysno::setresgid;
    pub const SETGROUPS: Sysno = Sysno::setgroups;

    /// `struct stat` as newfstatat fills it.
    pub type KernelStat = k::stat;
    #[cfg(target_arch = "aarch64")] // the syscalls crate's name for newfstatat here
    pub const FSTATAT: Sysno = Sysno::fstatat;
    #[cfg(not(target_arch = "aarch64"))]
    pub const FSTATAT: Sysno = Sysno::newfstatat;

    /// fstatfs(2).
    pub fn fstatfs(fd: i32) -> Result<StatFs> {
        // SAFETY: statfs is plain old data; the kernel fills it completely on success.
        let mut st: k::statfs = unsafe { core::mem::zeroed() };
        // SAFETY: st is a valid, writable statfs.
        unsafe { syscall!(Sysno::fstatfs, fd, &mut st as *mut k::statfs) }?;
        Ok(StatFs { f_type: st.f_type, f_flags: st.f_flags })
    }

    /// statfs(2) on a path.
    pub fn statfs(path: &CStr) -> Result<StatFs> {
        // SAFETY: statfs is plain old data; the kernel fills it completely on success.
        let mut st: k::statfs = unsafe { core::mem::zeroed() };
        // SAFETY: path is NUL-terminated and st is writable.
        unsafe { syscall!(Sysno::statfs, path.as_ptr(), &mut st as *mut k::statfs) }?;
        Ok(StatFs { f_type: st.f_type, f_flags: st.f_flags })
    }
}

#[cfg(target_arch = "arm")]
mod imp {
    use super::*;

    pub const MMAP: Sysno = Sysno::mmap2;
    pub const CLOCK_GETTIME: Sysno = Sysno::clock_gettime64;
    pub const CLOCK_NANOSLEEP: Sysno = Sysno::clock_nanosleep_time64;
    pub const RT_SIGTIMEDWAIT: Sysno = Sysno::rt_sigtimedwait_time64;
    pub const GETUID: Sysno = Sysno::getuid32;
    pub const GETGID: Sysno = Sysno::getgid32;
    pub const SETRESUID: Sysno = Sysno::setresuid32;
    pub const SETRESGID: Sysno = Sysno::setresgid32;
    pub const SETGROUPS: Sysno = Sysno::setgroups32;

    /// `struct stat64` as fstatat64 fills it (64-bit device, inode and size fields).
    pub type KernelStat = k::stat64;
    pub const FSTATAT: Sysno = Sysno::fstatat64;

    /// fstatfs64(2).
    pub fn fstatfs(fd: i32) -> Result<StatFs> {
        // SAFETY: statfs64 is plain old data; the kernel fills it completely on success.
        let mut st: k::statfs64 = unsafe { core::mem::zeroed() };
        let size = core::mem::size_of::<k::statfs64>();
        // SAFETY: st is a valid, writable statfs64 of the size passed.
        unsafe { syscall!(Sysno::fstatfs64, fd, size, &mut st as *mut k::statfs64) }?;
        Ok(StatFs { f_type: st.f_type.into(), f_flags: st.f_flags.into() })
    }

    /// statfs64(2) on a path.
    pub fn statfs(path: &CStr) -> Result<StatFs> {
        // SAFETY: statfs64 is plain old data; the kernel fills it completely on success.
        let mut st: k::statfs64 = unsafe { core::mem::zeroed() };
        let size = core::mem::size_of::<k::statfs64>();
        // SAFETY: path is NUL-terminated and st is a writable statfs64 of the size passed.
        unsafe { syscall!(Sysno::statfs64, path.as_ptr(), size, &mut st as *mut k::statfs64) }?;
        Ok(StatFs { f_type: st.f_type.into(), f_flags: st.f_flags.into() })
    }
}
