//! seccomp(2) and the no_new_privs bit.

use super::{Errno, Fd, Result};
use linux_raw_sys::prctl;
use syscalls::{syscall, Sysno};

pub use super::sock_filter::SockFilter;

const SECCOMP_SET_MODE_FILTER: u32 = 1;

/// Flags for [`install_filter`] (`SECCOMP_FILTER_FLAG_*`).
pub const FILTER_FLAG_TSYNC: u32 = 1;
pub const FILTER_FLAG_LOG: u32 = 2;
pub const FILTER_FLAG_SPEC_ALLOW: u32 = 4;
/// The filter's listener comes back as a descriptor (for SECCOMP_RET_USER_NOTIF).
pub const FILTER_FLAG_NEW_LISTENER: u32 = 8;

/// `struct sock_fprog`.
#[repr(C)]
struct SockFprog {
    len: u16,
    filter: *const SockFilter,
}

/// prctl(PR_SET_NO_NEW_PRIVS, 1): execve grants no privileges any more (setuid bits, file
/// capabilities); what lets a process without CAP_SYS_ADMIN install a filter. See prctl(2).
#[inline]
pub fn set_no_new_privs() -> Result<()> {
    // SAFETY: no memory is passed; the unused arguments must be zero.
    unsafe { syscall!(Sysno::prctl, prctl::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) }.map(drop)
}

/// seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog): adds a filter to the calling thread; `flags` is
/// a set of `FILTER_FLAG_*`, and with FILTER_FLAG_NEW_LISTENER the filter's listener (close on
/// exec) is returned. EINVAL for a program longer than 65535 instructions. See seccomp(2) and
/// seccomp_unotify(2).
#[inline]
pub fn install_filter(prog: &[SockFilter], flags: u32) -> Result<Option<Fd>> {
    let len = u16::try_from(prog.len()).map_err(|_| Errno::EINVAL)?;
    let fprog = SockFprog { len, filter: prog.as_ptr() };
    // SAFETY: fprog points to `len` instructions that outlive the call; the kernel copies them.
    let ret = unsafe { syscall!(Sysno::seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog as *const SockFprog) }?;
    Ok((flags & FILTER_FLAG_NEW_LISTENER != 0).then(|| Fd::from_raw(ret as i32)))
}
