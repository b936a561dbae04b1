//! Signal masks and synchronous signal waiting (no handlers anywhere in runt).

use super::{Fd, Result};
use linux_raw_sys::general as k;
use syscalls::{syscall, Sysno};

/// A kernel signal set (64 signals).
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct SigSet(pub u64);

impl SigSet {
    pub fn of(signals: &[u32]) -> SigSet {
        SigSet(signals.iter().fold(0, |m, &s| m | 1 << (s - 1)))
    }
}

/// rt_sigprocmask(SIG_SETMASK); returns the previous mask.
#[inline]
pub fn set_mask(set: SigSet) -> Result<SigSet> {
    let mut old = SigSet(0);
    // SAFETY: both sets are valid 8-byte buffers, the size the kernel expects.
    unsafe { syscall!(Sysno::rt_sigprocmask, k::SIG_SETMASK, &set.0 as *const u64, &mut old.0 as *mut u64, 8) }
        .map(|_| old)
}

/// rt_sigprocmask(SIG_BLOCK): adds `set` to the mask; returns the previous mask.
#[inline]
pub fn block(set: SigSet) -> Result<SigSet> {
    let mut old = SigSet(0);
    // SAFETY: both sets are valid 8-byte buffers, the size the kernel expects.
    unsafe { syscall!(Sysno::rt_sigprocmask, k::SIG_BLOCK, &set.0 as *const u64, &mut old.0 as *mut u64, 8) }
        .map(|_| old)
}

/// rt_sigtimedwait(2) without timeout: waits for a blocked signal of `set` and returns its number.
#[inline]
pub fn wait(set: SigSet) -> Result<u32> {
    // SAFETY: set is a valid 8-byte set; info and timeout are NULL (not wanted).
    unsafe { syscall!(super::arch::RT_SIGTIMEDWAIT, &set.0 as *const u64, 0, 0, 8) }.map(|s| s as u32)
}

/// Restores the default action of `sig` (SIG_DFL needs no restorer trampoline).
// Out of line (measured): one shared copy is smaller than one per caller.
#[inline(never)]
pub fn set_default(sig: u32) -> Result<()> {
    // The kernel's struct sigaction for rt_sigaction differs between the architectures (32 bytes
    // on x86_64 and aarch64, 24 on riscv64, 20 on arm, fields in different orders), but all zero
    // is SIG_DFL, no flags and an empty mask in each, and 32 bytes cover the largest.
    let act = [0u64; 4];
    // SAFETY: act is an all-zero sigaction at least as large as the kernel's; the old action is
    // not wanted (NULL).
    unsafe { syscall!(Sysno::rt_sigaction, sig, act.as_ptr(), 0, 8) }.map(drop)
}

impl SigSet {
    pub fn union(self, other: SigSet) -> SigSet {
        SigSet(self.0 | other.0)
    }
}

/// Takes (and drops) every pending signal of `set`, without waiting.
pub fn discard(set: SigSet) {
    let zero = k::__kernel_timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: set and zero are valid for each call; info is not wanted (NULL).
    while unsafe {
        syscall!(super::arch::RT_SIGTIMEDWAIT, &set.0 as *const u64, 0, &zero as *const k::__kernel_timespec, 8)
    }
    .is_ok()
    {}
}

/// signalfd4(2): a descriptor (close-on-exec, non-blocking) that reads the pending signals of
/// `set`, which must be blocked: a relay waits for them in poll(2) with its other descriptors.
#[inline]
pub fn signalfd(set: SigSet) -> Result<Fd> {
    // SAFETY: set is a valid 8-byte set; -1 asks for a new descriptor.
    unsafe { syscall!(Sysno::signalfd4, -1isize, &set.0 as *const u64, 8, k::O_CLOEXEC | k::O_NONBLOCK) }
        .map(|fd| Fd::from_raw(fd as i32))
}

/// The number of the next signal a signalfd holds (EAGAIN when none).
#[inline(never)]
pub fn read_signal(fd: &Fd) -> Result<u32> {
    // struct signalfd_siginfo is 128 bytes; its first field is the signal's number.
    let mut info = [0u32; 32];
    // SAFETY: info is writable for the 128 bytes passed; a signalfd writes whole records.
    unsafe { syscall!(Sysno::read, fd.raw(), info.as_mut_ptr(), 128) }.map(|_| info[0])
}
