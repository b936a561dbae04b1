//! The only place that talks to the kernel directly, and the only module allowed `unsafe`.
//!
//! One thin function per system call: typed arguments, `Result<T, Errno>`, no context added
//! (callers name the operation and the path). Descriptors come back as [`Fd`], which closes on drop.
#![allow(unsafe_code)]

mod arch;
pub mod bpf;
mod errno;
pub mod fs;
pub mod heap;
#[cfg(not(test))]
mod mem;
pub mod mount;
pub mod net;
pub mod process;
pub mod rt;
pub mod seccomp;
pub mod signal;
mod sock_filter;
pub mod trampoline;
pub mod tty;

pub use errno::strerror;
pub use syscalls::Errno;

pub type Result<T> = core::result::Result<T, Errno>;

/// An owned file descriptor, closed when dropped.
#[derive(Debug)]
pub struct Fd(i32);

impl Fd {
    /// Takes ownership of a descriptor number the kernel just returned.
    pub fn from_raw(fd: i32) -> Fd {
        Fd(fd)
    }

    // Out of line (measured): smaller than inlined at its many callers.
    #[inline(never)]
    pub fn raw(&self) -> i32 {
        self.0
    }

    /// Gives up ownership without closing (e.g. across clone, where the child closes its own).
    #[allow(dead_code)]
    pub fn into_raw(self) -> i32 {
        let fd = self.0;
        core::mem::forget(self);
        fd
    }
}

impl Drop for Fd {
    fn drop(&mut self) {
        // Errors from close are not actionable here: the descriptor is gone either way.
        let _ = fs::close(self.0);
    }
}
