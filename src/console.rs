//! process.terminal: a pty for the container, its master handed to the engine over the
//! `--console-socket` (SCM_RIGHTS, as runc does), its slave the container's stdio and controlling
//! terminal. Runs in the child, inside the container's mount namespace (its own devpts).

use crate::error::{cat, dec_i, OrSys, Result};
use crate::rootfs::cstr;
use crate::sys::{fs, net, process, Fd};
use linux_raw_sys::ioctl::{TIOCGPTN, TIOCSCTTY, TIOCSPTLCK};

const O_NOCTTY: u32 = linux_raw_sys::general::O_NOCTTY;

pub fn attach(socket: &Fd, size: Option<(u16, u16)>) -> Result<()> {
    let master = fs::openat(fs::CWD, c"/dev/ptmx", fs::O_RDWR | O_NOCTTY, 0).or_what("open /dev/ptmx")?;
    process::ioctl_int(master.raw(), TIOCSPTLCK, 0).or_what("unlock the pty")?;
    let n = process::ioctl_int(master.raw(), TIOCGPTN, 0).or_what("get the pty number")?;
    let name = cat(&["/dev/pts/", &dec_i(n.into())]);
    let slave = fs::openat(fs::CWD, &cstr(&name)?, fs::O_RDWR | O_NOCTTY, 0).or_op("open", &name)?;
    if let Some((rows, cols)) = size {
        process::set_window_size(slave.raw(), rows, cols).or_op("set the size of", &name)?;
    }
    net::send_fd(socket.raw(), name.as_bytes(), master.raw()).or_what("send the pty to the console socket")?;
    drop(master);
    // A new session whose controlling terminal is the pty; it becomes stdin, stdout and stderr.
    process::setsid().or_what("setsid")?;
    process::ioctl_arg(slave.raw(), TIOCSCTTY, 0).or_sys(|| cat(&["make ", &name, " the controlling terminal"]))?;
    for fd in 0..3 {
        process::dup2(slave.raw(), fd).or_sys(|| cat(&["dup ", &name, " to ", &dec_i(fd.into())]))?;
    }
    Ok(())
}
