//! Processes: clone, exec, wait, identity, namespaces.

use super::{Fd, Result};
use core::ffi::CStr;
use linux_raw_sys::{general as k, prctl};
use syscalls::{syscall, Sysno};

pub use k::{
    CLONE_INTO_CGROUP, CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWTIME,
    CLONE_NEWUSER, CLONE_NEWUTS, CLONE_PARENT, SIGCHLD, SIGKILL,
};

/// clone(2) used like fork: the child continues on a copy of the caller's stack.
/// Returns 0 in the child and the child's pid in the parent.
///
/// Only the flags are passed: the stack, tid pointers and tls are zero, which is what makes the
/// argument order, which differs between the architectures (see arch.rs), not matter.
///
/// The child shares no threads or locks with the parent (runt is single-threaded and links no C
/// library), so it may use the allocator and everything else in runt until it execs.
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
// Out of line (measured): one shared copy is smaller than one per caller.
#[inline(never)]
pub fn execve(path: &CStr, argv: &[*const u8], envp: &[*const u8]) -> super::Errno {
    // SAFETY: argv and envp are NULL-terminated arrays of NUL-terminated strings (the caller
    // builds them with a trailing null pointer) that stay alive across the call.
    match unsafe { syscall!(Sysno::execve, path.as_ptr(), argv.as_ptr(), envp.as_ptr()) } {
        Ok(_) => super::Errno::EINVAL,
        Err(e) => e,
    }
}

/// execveat(2) of the file `file` itself (AT_EMPTY_PATH), which may be close-on-exec: an ELF
/// file needs no path once it runs. Returns only on failure.
pub fn execveat_file(file: &Fd, argv: &[*const u8], envp: &[*const u8]) -> super::Errno {
    // SAFETY: argv and envp are NULL-terminated arrays of NUL-terminated strings (the caller
    // builds them with a trailing null pointer) that stay alive across the call; the path is an
    // empty C string.
    match unsafe { syscall!(Sysno::execveat, file.raw(), c"".as_ptr(), argv.as_ptr(), envp.as_ptr(), k::AT_EMPTY_PATH) }
    {
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

/// A raw wait status as a shell would report it: the exit code, or 128+N for signal N.
#[inline(never)]
pub fn exit_status(raw: i32) -> i32 {
    let sig = raw & 0x7f;
    if sig == 0 {
        (raw >> 8) & 0xff
    } else {
        128 + sig
    }
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
    unsafe { syscall!(super::arch::SETGROUPS, groups.len(), groups.as_ptr()) }.map(drop)
}

/// setresgid(2) with all three ids the same.
#[inline]
pub fn setgid(gid: u32) -> Result<()> {
    // SAFETY: no memory is passed.
    unsafe { syscall!(super::arch::SETRESGID, gid, gid, gid) }.map(drop)
}

/// setresuid(2) with all three ids the same.
#[inline]
pub fn setuid(uid: u32) -> Result<()> {
    // SAFETY: no memory is passed.
    unsafe { syscall!(super::arch::SETRESUID, uid, uid, uid) }.map(drop)
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

/// prctl(PR_SET_DUMPABLE): whether the process may be ptraced, and its /proc/PID files (exe,
/// fd, mem, environ...) opened, by others with the same uid. execve resets it.
#[inline]
pub fn set_dumpable(dumpable: bool) -> Result<()> {
    // SAFETY: no memory is passed.
    unsafe { syscall!(Sysno::prctl, prctl::PR_SET_DUMPABLE, u32::from(dumpable)) }.map(drop)
}

/// prctl(PR_SET_NAME): the process's comm, as ps shows it (at most 15 bytes are kept).
#[inline]
pub fn set_name(name: &CStr) -> Result<()> {
    // SAFETY: name is NUL-terminated and outlives the call; the kernel copies it.
    unsafe { syscall!(Sysno::prctl, prctl::PR_SET_NAME, name.as_ptr()) }.map(drop)
}

/// getrandom(2) into `buf`.
#[inline]
pub fn getrandom(buf: &mut [u8]) -> Result<usize> {
    // SAFETY: buf is writable for its length.
    unsafe { syscall!(Sysno::getrandom, buf.as_mut_ptr(), buf.len(), 0) }
}

/// clock_nanosleep(2) on CLOCK_MONOTONIC (what nanosleep measures) for `ms` milliseconds.
// Out of line (measured): one shared copy is smaller than one per caller.
#[inline(never)]
pub fn sleep_ms(ms: u64) {
    let ts = k::__kernel_timespec { tv_sec: (ms / 1000) as i64, tv_nsec: ((ms % 1000) * 1_000_000) as i64 };
    // SAFETY: ts is a valid timespec; an interrupted sleep is fine for our retry loops.
    let _ =
        unsafe { syscall!(super::arch::CLOCK_NANOSLEEP, k::CLOCK_MONOTONIC, 0, &ts as *const k::__kernel_timespec, 0) };
}

/// capset(2) for the calling thread: the three 64-bit sets, as capability bit masks.
// Out of line (measured): one shared copy is smaller than one per caller.
#[inline(never)]
pub fn capset(effective: u64, permitted: u64, inheritable: u64) -> Result<()> {
    let header = k::__user_cap_header_struct { version: k::_LINUX_CAPABILITY_VERSION_3, pid: 0 };
    let lo = |m: u64| m as u32;
    let hi = |m: u64| (m >> 32) as u32;
    let data = [
        k::__user_cap_data_struct { effective: lo(effective), permitted: lo(permitted), inheritable: lo(inheritable) },
        k::__user_cap_data_struct { effective: hi(effective), permitted: hi(permitted), inheritable: hi(inheritable) },
    ];
    // SAFETY: version 3 takes exactly two data structs, which `data` holds; both outlive the call.
    unsafe { syscall!(Sysno::capset, &header as *const k::__user_cap_header_struct, data.as_ptr()) }.map(drop)
}

/// prctl(PR_CAPBSET_DROP): removes one capability from the bounding set.
#[inline]
pub fn capbset_drop(cap: u32) -> Result<()> {
    // SAFETY: no memory is passed.
    unsafe { syscall!(Sysno::prctl, prctl::PR_CAPBSET_DROP, cap) }.map(drop)
}

/// prctl(PR_CAPBSET_READ): whether `cap` is in the bounding set; EINVAL past the kernel's last
/// capability.
#[inline]
pub fn capbset_read(cap: u32) -> Result<bool> {
    // SAFETY: no memory is passed.
    unsafe { syscall!(Sysno::prctl, prctl::PR_CAPBSET_READ, cap) }.map(|n| n != 0)
}

/// prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap).
#[inline]
pub fn ambient_raise(cap: u32) -> Result<()> {
    // SAFETY: no memory is passed; the unused arguments must be zero.
    unsafe { syscall!(Sysno::prctl, prctl::PR_CAP_AMBIENT, prctl::PR_CAP_AMBIENT_RAISE, cap, 0, 0) }.map(drop)
}

/// prctl(PR_SET_KEEPCAPS): keep the permitted set across a change away from uid 0.
#[inline]
pub fn set_keep_caps(keep: bool) -> Result<()> {
    // SAFETY: no memory is passed.
    unsafe { syscall!(Sysno::prctl, prctl::PR_SET_KEEPCAPS, u32::from(keep)) }.map(drop)
}

/// prlimit64(2) on the calling process.
#[inline]
pub fn setrlimit(resource: u32, soft: u64, hard: u64) -> Result<()> {
    let lim = k::rlimit64 { rlim_cur: soft, rlim_max: hard };
    // SAFETY: lim is a valid rlimit64; the old value is not wanted (NULL).
    unsafe { syscall!(Sysno::prlimit64, 0, resource, &lim as *const k::rlimit64, 0) }.map(drop)
}

/// keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL): a fresh anonymous session keyring, so the
/// container cannot reach the keys of the session runt was started from.
#[inline]
pub fn join_new_session_keyring() -> Result<()> {
    const KEYCTL_JOIN_SESSION_KEYRING: u32 = 1;
    // SAFETY: a NULL name asks for a new anonymous keyring; no memory is passed.
    unsafe { syscall!(Sysno::keyctl, KEYCTL_JOIN_SESSION_KEYRING, 0) }.map(drop)
}

/// capget(2) for the calling thread: its permitted set.
#[inline]
pub fn cap_permitted() -> Result<u64> {
    let header = k::__user_cap_header_struct { version: k::_LINUX_CAPABILITY_VERSION_3, pid: 0 };
    // SAFETY: plain old data; the kernel fills both structs.
    let mut data: [k::__user_cap_data_struct; 2] = unsafe { core::mem::zeroed() };
    // SAFETY: version 3 writes exactly two data structs into `data`.
    unsafe { syscall!(Sysno::capget, &header as *const k::__user_cap_header_struct, data.as_mut_ptr()) }?;
    Ok(u64::from(data[0].permitted) | u64::from(data[1].permitted) << 32)
}

/// getuid(2).
// Out of line (measured): one shared copy is smaller than one per caller.
#[inline(never)]
pub fn getuid() -> u32 {
    // SAFETY: getuid cannot fail and takes no memory.
    unsafe { syscall!(super::arch::GETUID) }.unwrap_or(0) as u32
}

/// getpid(2): the caller's pid in its own pid namespace.
#[inline]
pub fn getpid() -> i32 {
    // SAFETY: getpid cannot fail and takes no memory.
    unsafe { syscall!(Sysno::getpid) }.unwrap_or(0) as i32
}

/// getgid(2).
#[inline]
pub fn getgid() -> u32 {
    // SAFETY: getgid cannot fail and takes no memory.
    unsafe { syscall!(super::arch::GETGID) }.unwrap_or(0) as u32
}

/// setsid(2).
#[inline]
pub fn setsid() -> Result<()> {
    // SAFETY: no memory is passed.
    unsafe { syscall!(Sysno::setsid) }.map(drop)
}

/// dup3(2) without flags: `new` becomes a copy of `old` (and loses close-on-exec).
#[inline]
pub fn dup2(old: i32, new: i32) -> Result<()> {
    if old == new {
        return Ok(());
    }
    // SAFETY: no memory is passed.
    unsafe { syscall!(Sysno::dup3, old, new, 0) }.map(drop)
}

/// ioctl with an int argument passed by pointer (TIOCSPTLCK, TIOCGPTN, ...); returns the int.
#[inline]
pub fn ioctl_int(fd: i32, request: u32, value: i32) -> Result<i32> {
    let mut v = value;
    // SAFETY: these requests read or write exactly one int at the pointer.
    unsafe { syscall!(Sysno::ioctl, fd, request, &mut v as *mut i32) }.map(|_| v)
}

/// ioctl(TIOCGPTPEER) (Linux 4.13): the pty slave of the master `fd`, opened with `flags`, with no
/// path looked up.
#[inline]
pub fn pty_peer(master: i32, flags: u32) -> Result<Fd> {
    // SAFETY: the argument is a value (open flags), not a pointer.
    unsafe { syscall!(Sysno::ioctl, master, linux_raw_sys::ioctl::TIOCGPTPEER, flags | k::O_CLOEXEC) }
        .map(|fd| Fd::from_raw(fd as i32))
}

/// ioctl with a plain integer argument (TIOCSCTTY).
#[inline]
pub fn ioctl_arg(fd: i32, request: u32, arg: usize) -> Result<()> {
    // SAFETY: the argument is a value, not a pointer.
    unsafe { syscall!(Sysno::ioctl, fd, request, arg) }.map(drop)
}

/// setpgid(0, 0): the calling process leads a process group of its own; returns its pid, which
/// is the group's id.
#[inline]
pub fn own_process_group() -> Result<i32> {
    // SAFETY: no memory is passed.
    unsafe { syscall!(Sysno::setpgid, 0, 0) }?;
    // SAFETY: getpid cannot fail and takes no memory.
    unsafe { syscall!(Sysno::getpid) }.map(|p| p as i32)
}

/// setdomainname(2).
#[inline]
pub fn setdomainname(name: &[u8]) -> Result<()> {
    // SAFETY: name is readable for its length.
    unsafe { syscall!(Sysno::setdomainname, name.as_ptr(), name.len()) }.map(drop)
}

/// pidfd_open(2) (Linux 5.3).
#[inline]
pub fn pidfd_open(pid: i32) -> Result<Fd> {
    // SAFETY: no memory is passed.
    unsafe { syscall!(Sysno::pidfd_open, pid, 0) }.map(|fd| Fd::from_raw(fd as i32))
}

/// pidfd_send_signal(2) (Linux 5.1): `sig` to the process of `pidfd`, which cannot have become
/// another process (ESRCH once it is gone); 0 only checks that it is still there.
#[inline]
pub fn pidfd_send_signal(pidfd: &Fd, sig: u32) -> Result<()> {
    // SAFETY: no siginfo is passed (NULL), and no flags.
    unsafe { syscall!(Sysno::pidfd_send_signal, pidfd.raw(), sig, 0, 0) }.map(drop)
}

/// setns(2) into the namespace file `fd`; `nstype` 0 accepts any type.
#[inline]
pub fn setns(fd: &Fd, nstype: u32) -> Result<()> {
    // SAFETY: no memory is passed.
    unsafe { syscall!(Sysno::setns, fd.raw(), nstype) }.map(drop)
}

/// sched_getaffinity(2) of the calling process: how many CPUs it may run on (what Docker calls
/// the CPUs available).
#[inline(never)]
pub fn cpus_available() -> Result<u32> {
    let mut mask = [0u64; 16];
    // SAFETY: mask is writable for the size passed (1024 CPUs); the kernel writes at most that.
    let n = unsafe { syscall!(Sysno::sched_getaffinity, 0, core::mem::size_of_val(&mask), mask.as_mut_ptr()) }?;
    // n is a multiple of the size of a C long: 4 bytes on arm, so a partly written word counts
    // (the rest of it is still zero).
    Ok(mask.iter().take(n.div_ceil(8)).map(|w| w.count_ones()).sum())
}

/// sched_setaffinity(2): `pid` (0: the caller) may run on the CPUs set in `mask`. The kernel reads
/// the mask as C longs, which on 32-bit arm are half a word each: the same bits in the same order
/// on a little-endian machine, which every architecture runt is built for is.
#[inline(never)]
pub fn sched_setaffinity(pid: i32, mask: &[u64]) -> Result<()> {
    // SAFETY: mask is readable for the size passed.
    unsafe { syscall!(Sysno::sched_setaffinity, pid, core::mem::size_of_val(mask), mask.as_ptr()) }.map(drop)
}

/// struct sched_attr as sched_setattr(2) takes it (the first version: 48 bytes).
#[repr(C)]
#[derive(Debug, PartialEq, Clone, Copy, Default)]
pub struct SchedAttr {
    pub size: u32,
    pub policy: u32,
    pub flags: u64,
    pub nice: i32,
    pub priority: u32,
    pub runtime: u64,
    pub deadline: u64,
    pub period: u64,
}

/// sched_setattr(2) for the caller: scheduling policy, its parameters and nice value.
#[inline]
pub fn sched_setattr(attr: &SchedAttr) -> Result<()> {
    let attr = SchedAttr { size: core::mem::size_of::<SchedAttr>() as u32, ..*attr };
    // SAFETY: attr is a valid sched_attr whose size field says how much the kernel may read.
    unsafe { syscall!(Sysno::sched_setattr, 0, &attr as *const SchedAttr, 0) }.map(drop)
}

/// ioprio_set(IOPRIO_WHO_PROCESS, 0, ioprio): the caller's I/O scheduling class and level.
#[inline]
pub fn ioprio_set(ioprio: u32) -> Result<()> {
    const IOPRIO_WHO_PROCESS: u32 = 1;
    // SAFETY: no memory is passed.
    unsafe { syscall!(Sysno::ioprio_set, IOPRIO_WHO_PROCESS, 0, ioprio) }.map(drop)
}

/// set_mempolicy(2): the caller's NUMA memory policy (`mode` with its MPOL_F_* flags) over the
/// nodes set in `nodes` (none: NULL). The node count passed is one more than the bits given: the
/// kernel takes one bit less than it is told (the API's long-standing off-by-one). The mask is
/// read as C longs, as in `sched_setaffinity`.
#[inline]
pub fn set_mempolicy(mode: u32, nodes: &[u64]) -> Result<()> {
    let (ptr, maxnode) = if nodes.is_empty() { (core::ptr::null(), 0) } else { (nodes.as_ptr(), nodes.len() * 64 + 1) };
    // SAFETY: nodes is readable for the bits counted (or NULL with a count of 0).
    unsafe { syscall!(Sysno::set_mempolicy, mode, ptr, maxnode) }.map(drop)
}

/// personality(2): the caller's execution domain (PER_LINUX32: `uname -m` says i686 on x86_64).
#[inline]
pub fn personality(persona: u32) -> Result<()> {
    // SAFETY: no memory is passed.
    unsafe { syscall!(Sysno::personality, persona) }.map(drop)
}

#[cfg(test)]
mod tests {
    use super::exit_status;

    #[test]
    fn this_process_may_run_on_the_cpus_std_counts() {
        let n = std::thread::available_parallelism().unwrap().get();
        assert_eq!(super::cpus_available().unwrap() as usize, n);
    }

    #[test]
    fn statuses() {
        assert_eq!(exit_status(0), 0);
        assert_eq!(exit_status(3 << 8), 3);
        assert_eq!(exit_status(9), 137);
        assert_eq!(exit_status(15 | 0x80), 143); // core dumped
    }
}
