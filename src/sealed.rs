//! Every process runt starts in a container is started from a sealed copy of runt
//! (CVE-2019-5736).
//!
//! A container process is made by runt: cloned or forked from a runt process that then lives in
//! the container's namespaces until it execve's the command. Through /proc/PID/exe of such a
//! process, or of runt itself when the command is a script whose interpreter is
//! `/proc/self/exe`, the container could reach runt's file on the host and, once no runt runs,
//! overwrite it: the next runt to start would run the container's code as root. So the commands
//! that start container processes first copy runt into a memfd, seal it against every write and
//! resize, and execute that copy instead, with the same arguments and environment: whatever the
//! container reaches then is a file nobody can change. Seals are permanent, which is also how the
//! copy knows it is one.
//!
//! `runt run` is spared that (about 0.3 ms a run: sixty pages copied, one execve): its container is
//! the first and only process of a pid namespace of its own until the command runs, so nothing
//! of the container can reach the child before it executes the command (the child is
//! non-dumpable too). runt does not re-execute itself there: the child executes the command
//! through runt's exec trampoline (sys::trampoline) from a sealed memfd made before the clone
//! (`trampoline`). /proc/PID/exe of that last step, and the interpreter of a `#!/proc/self/exe`
//! command, are then a sealed file of a few hundred bytes that runs nothing but what runt gave
//! it. runt's own processes stay outside the container and run the installed file, as runc's do.
//! With --init, runt's init stays in the container as its pid 1: there runt re-executes itself
//! as above.

use crate::error::{Error, OrSys, Result};
use crate::sys::{fs, process, rt, trampoline, Errno, Fd};
use core::sync::atomic::{AtomicBool, Ordering};

/// Whether `ensure` found runt running from its sealed copy.
static SEALED: AtomicBool = AtomicBool::new(false);

/// No write, no shrinking, no growing, and no change to the seals themselves.
const SEALS: u32 = fs::F_SEAL_SEAL | fs::F_SEAL_SHRINK | fs::F_SEAL_GROW | fs::F_SEAL_WRITE;

/// Returns once runt runs from a sealed copy of itself; otherwise makes one and executes it
/// (which does not return). Costs one copy of the binary and one execve, about 0.2 ms.
#[inline(never)]
pub fn ensure() -> Result<()> {
    let exe = fs::openat(fs::CWD, c"/proc/self/exe", fs::O_RDONLY, 0).or_op("open", "/proc/self/exe")?;
    if is_sealed(&exe) {
        SEALED.store(true, Ordering::Relaxed);
        // execveat named the process after the descriptor ("3"): ps and the containers see runt.
        let _ = process::set_name(c"runt");
        return Ok(());
    }
    let copy = sealed_copy(&exe)?;
    drop(exe);
    Err(Error::sys(rt::exec_again(&copy), "execute the sealed copy of runt"))
}

/// Whether runt runs from its sealed copy (`ensure` said so). When it does not, a container's
/// command is executed through the trampoline (`trampoline`).
pub fn running_sealed() -> bool {
    SEALED.load(Ordering::Relaxed)
}

/// runt's exec trampoline in a sealed memfd, close-on-exec (execveat runs it all the same).
pub fn trampoline() -> Result<Fd> {
    let program = executable_memfd("memfd_create runt's exec trampoline")?;
    fs::write_all(program.raw(), trampoline::PROGRAM).or_what("write runt's exec trampoline to a memfd")?;
    fs::add_seals(program.raw(), SEALS).or_what("seal runt's exec trampoline")?;
    Ok(program)
}

fn is_sealed(file: &Fd) -> bool {
    fs::seals(file.raw()).is_ok_and(|s| s & SEALS == SEALS)
}

/// A sealed memfd holding the content of `exe`.
fn sealed_copy(exe: &Fd) -> Result<Fd> {
    let copy = executable_memfd("memfd_create a copy of runt")?;
    loop {
        match fs::sendfile(copy.raw(), exe.raw(), 1 << 20) {
            Ok(0) => break,
            Ok(_) | Err(Errno::EINTR) => {}
            Err(e) => return Err(Error::sys(e, "copy /proc/self/exe to a memfd")),
        }
    }
    fs::add_seals(copy.raw(), SEALS).or_what("seal the copy of runt")?;
    Ok(copy)
}

/// An empty memfd named "runt" that may be sealed and executed, close-on-exec; `what` names it
/// in an error.
fn executable_memfd(what: &str) -> Result<Fd> {
    // MFD_EXEC: where vm.memfd_noexec is set (Linux 6.3+), a memfd is executable only if asked;
    // older kernels refuse the flag, and there every memfd is executable.
    let flags = fs::MFD_CLOEXEC | fs::MFD_ALLOW_SEALING;
    match fs::memfd_create(c"runt", flags | fs::MFD_EXEC) {
        Err(Errno::EINVAL) => fs::memfd_create(c"runt", flags),
        made => made,
    }
    .or_what(what)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_copy_is_the_binary_sealed() {
        let exe = fs::openat(fs::CWD, c"/proc/self/exe", fs::O_RDONLY, 0).unwrap();
        assert!(!is_sealed(&exe));
        let copy = sealed_copy(&exe).unwrap();
        assert!(is_sealed(&copy));
        let path = std::format!("/proc/self/fd/{}", copy.raw());
        assert!(std::fs::read(&path).unwrap() == std::fs::read("/proc/self/exe").unwrap());
        assert_eq!(fs::write(copy.raw(), b"PWNED"), Err(Errno::EPERM));
        // Not even reopened for writing through /proc, as a container would.
        let reopened = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        let err = std::io::Write::write(&mut &reopened, b"PWNED").unwrap_err();
        assert_eq!(err.raw_os_error(), Some(Errno::EPERM.into_raw()));
    }

    #[test]
    fn the_trampoline_is_sealed() {
        let program = trampoline().unwrap();
        assert!(is_sealed(&program));
        let path = std::format!("/proc/self/fd/{}", program.raw());
        assert!(std::fs::read(&path).unwrap() == trampoline::PROGRAM);
        assert_eq!(fs::write(program.raw(), b"PWNED"), Err(Errno::EPERM));
    }
}
