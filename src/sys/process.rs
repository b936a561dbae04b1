//! Processes: clone, exec, wait, identity, namespaces.

use super::{Fd, Result};
use core::ffi::CStr;
use linux_raw_sys::{general as k, prctl};
use syscalls::{syscall, Sysno};

pub use k::{
    CLONE_INTO_CGROUP, CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUTS, SIGCHLD,
    SIGKILL,
};

/// clone(2) used like fork: the child continues on a copy of the caller's stack.
/// Returns 0 in the child and the child's pid in the parent.
///
/// After this the child must stay on raw system calls and the allocator until it execs: it shares
/// no threads or locks with the parent (runt is single-threaded), but musl's idea of the current
/// thread id is stale.
#[inline]
pub fn clone_fork(flags: u64) -> Result<i32> {
    // SAFETY: without CLONE_VM and with a NULL stack the child gets a private copy of the whole
    // address space, exactly like fork(2); no pointers are passed.
    unsafe { syscall!(Sysno::clone, flags | u64::from(SIGCHLD), 0, 0, 0, 0) }.map(|pid| pid as i32)
}

/// clone3(2) used like fork, placing the child directly into the cgroup `cgroup_dir`
/// (CLONE_INTO_CGROUP, Linux 5.7). Returns 0 in the child.
#[inline]
pub fn clone3_into_cgroup(flags: u64, cgroup_dir: &Fd) -> Result<i32> {
    // SAFETY: clone_args is plain old data; zero is "unset" for every field.
    let mut args: k::clone_args = unsafe { core::mem::zeroed() };
    args.flags = flags | CLONE_INTO_CGROUP;
    args.exit_signal = u64::from(SIGCHLD);
    args.cgroup = cgroup_dir.raw() as u64;
    // SAFETY: as clone_fork: no CLONE_VM and no stack, so the child runs on a private copy of the
    // address space; args is valid for the call and its size is passed.
    unsafe { syscall!(Sysno::clone3, &args as *const k::clone_args, core::mem::size_of::<k::clone_args>()) }
        .map(|pid| pid as i32)
}

/// exit_group(2).
#[inline]
pub fn exit(code: i32) -> ! {
    // SAFETY: exit_group does not return.
    let _ = unsafe { syscall!(Sysno::exit_group, code) };
    // exit_group cannot fail; keep the type system honest without unreachable_unchecked.
    loop {
        core::hint::spin_loop();
    }
}

/// execve(2); returns only on failure.
#[inline]
pub fn execve(path: &CStr, argv: &[*const u8], envp: &[*const u8]) -> super::Errno {
    // SAFETY: argv and envp are NULL-terminated arrays of NUL-terminated strings (the caller
    // builds them with a trailing null pointer) that stay alive across the call.
    match unsafe { syscall!(Sysno::execve, path.as_ptr(), argv.as_ptr(), envp.as_ptr()) } {
        Ok(_) => super::Errno::EINVAL,
        Err(e) => e,
    }
}

/// wait4(2) for one pid; returns (pid, raw wait status). With `nohang`, pid 0 means still running.
#[inline]
pub fn wait4(pid: i32, nohang: bool) -> Result<(i32, i32)> {
    let mut status = 0i32;
    let flags = if nohang { k::WNOHANG } else { 0 } | k::__WALL;
    // SAFETY: status is a valid int to write the wait status into.
    unsafe { syscall!(Sysno::wait4, pid, &mut status as *mut i32, flags, 0) }.map(|p| (p as i32, status))
}

/// kill(2).
#[inline]
pub fn kill(pid: i32, sig: u32) -> Result<()> {
    // SAFETY: no memory is passed.
    unsafe { syscall!(Sysno::kill, pid, sig) }.map(drop)
}

/// sethostname(2).
#[inline]
pub fn sethostname(name: &[u8]) -> Result<()> {
    // SAFETY: name is readable for its length.
    unsafe { syscall!(Sysno::sethostname, name.as_ptr(), name.len()) }.map(drop)
}

/// setgroups(2) with an explicit list (empty clears supplementary groups).
#[inline]
pub fn setgroups(groups: &[u32]) -> Result<()> {
    // SAFETY: groups is readable for its length.
    unsafe { syscall!(Sysno::setgroups, groups.len(), groups.as_ptr()) }.map(drop)
}

/// setresgid(2) with all three ids the same.
#[inline]
pub fn setgid(gid: u32) -> Result<()> {
    // SAFETY: no memory is passed.
    unsafe { syscall!(Sysno::setresgid, gid, gid, gid) }.map(drop)
}

/// setresuid(2) with all three ids the same.
#[inline]
pub fn setuid(uid: u32) -> Result<()> {
    // SAFETY: no memory is passed.
    unsafe { syscall!(Sysno::setresuid, uid, uid, uid) }.map(drop)
}

/// unshare(2).
#[inline]
pub fn unshare(flags: u32) -> Result<()> {
    // SAFETY: no memory is passed.
    unsafe { syscall!(Sysno::unshare, flags) }.map(drop)
}

/// prctl(PR_SET_PDEATHSIG): the signal this process gets when its parent dies.
#[inline]
pub fn set_parent_death_signal(sig: u32) -> Result<()> {
    // SAFETY: no memory is passed.
    unsafe { syscall!(Sysno::prctl, prctl::PR_SET_PDEATHSIG, sig) }.map(drop)
}

/// getrandom(2) into `buf`.
#[inline]
pub fn getrandom(buf: &mut [u8]) -> Result<usize> {
    // SAFETY: buf is writable for its length.
    unsafe { syscall!(Sysno::getrandom, buf.as_mut_ptr(), buf.len(), 0) }
}

/// nanosleep(2) for `ms` milliseconds.
pub fn sleep_ms(ms: u64) {
    let ts = k::__kernel_timespec { tv_sec: (ms / 1000) as i64, tv_nsec: ((ms % 1000) * 1_000_000) as i64 };
    // SAFETY: ts is a valid timespec; an interrupted sleep is fine for our retry loops.
    let _ = unsafe { syscall!(Sysno::nanosleep, &ts as *const k::__kernel_timespec, 0) };
}
