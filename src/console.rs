//! process.terminal: a pty for the container, its master handed to the engine over the
//! `--console-socket` (SCM_RIGHTS, as runc does), its slave the container's stdio and controlling
//! terminal. Runs in the child, inside the container's mount namespace (its own devpts).

use crate::cstr::NumPath;
use crate::error::{cat, Error, Result};
use crate::sys::{fs, net, process, Errno, Fd};
use linux_raw_sys::ioctl::{TIOCGPTN, TIOCSCTTY, TIOCSPTLCK};

const O_NOCTTY: u32 = linux_raw_sys::general::O_NOCTTY;

/// The step under way, for the message: text before the pty's name, whether the name follows,
/// text after it.
type Step = (&'static str, bool, &'static str);

#[inline(never)]
pub fn attach(socket: &Fd, size: Option<(u16, u16)>) -> Result<()> {
    let mut name = NumPath::default();
    let mut step: Step = ("open /dev/ptmx", false, "");
    match pty(socket, size, &mut name, &mut step) {
        Ok(()) => Ok(()),
        Err(e) => {
            let (before, named, after) = step;
            Err(Error::sys_owned(e, cat(&[before, if named { name.as_str() } else { "" }, after])))
        }
    }
}

fn pty(socket: &Fd, size: Option<(u16, u16)>, name: &mut NumPath, step: &mut Step) -> core::result::Result<(), Errno> {
    let master = fs::openat(fs::CWD, c"/dev/ptmx", fs::O_RDWR | O_NOCTTY, 0)?;
    *step = ("unlock the pty", false, "");
    process::ioctl_int(master.raw(), TIOCSPTLCK, 0)?;
    *step = ("get the pty number", false, "");
    let n = process::ioctl_int(master.raw(), TIOCGPTN, 0)?;
    // The kernel's pty number is an unsigned int.
    *name = NumPath::new(b"/dev/pts/", n as u32);
    *step = ("open ", true, "");
    let slave = fs::openat(fs::CWD, name, fs::O_RDWR | O_NOCTTY, 0)?;
    if let Some((rows, cols)) = size {
        *step = ("set the size of ", true, "");
        process::set_window_size(slave.raw(), rows, cols)?;
    }
    *step = ("send the pty to the console socket", false, "");
    net::send_fd(socket.raw(), name.to_bytes(), master.raw())?;
    drop(master);
    // A new session whose controlling terminal is the pty; it becomes stdin, stdout and stderr.
    *step = ("setsid", false, "");
    process::setsid()?;
    *step = ("make ", true, " the controlling terminal");
    process::ioctl_arg(slave.raw(), TIOCSCTTY, 0)?;
    for (fd, to) in [(0, " to 0"), (1, " to 1"), (2, " to 2")] {
        *step = ("dup ", true, to);
        process::dup2(slave.raw(), fd)?;
    }
    Ok(())
}
