//! process.terminal: a pty for the container, its master handed to the engine over the
//! `--console-socket` (SCM_RIGHTS, as runc does), its slave the container's stdio and controlling
//! terminal. Runs in the child, inside the container's mount namespace (its own devpts), where
//! the container may have replaced /dev/ptmx or anything else it can write: the master is the
//! devpts's own ptmx, reached without following a symlink and checked to be on a devpts, and the
//! slave is asked of the master (TIOCGPTPEER), not looked up by name.
//!
//! Without a console socket in the foreground (`runt run -t`, runc's `run` and `exec -t`), the
//! master goes the same way over a socketpair to runt, which relays the pty itself (relay.rs).

use crate::cstr::NumPath;
use crate::error::{cat, Error, OrSys, Result};
use crate::sys::{fs, net, process, Errno, Fd};
use linux_raw_sys::general::DEVPTS_SUPER_MAGIC;
use linux_raw_sys::ioctl::{TIOCGPTN, TIOCSCTTY, TIOCSPTLCK};

const PTMX: &str = "/dev/pts/ptmx";

/// What the container's process sends its pty master over: a connection to the engine's console
/// socket when there is one; else, for process.terminal in the `foreground`, one end of a
/// socketpair whose other end (the second value) runt keeps to relay the pty.
pub fn channel(terminal: bool, socket: Option<&str>, foreground: bool) -> Result<(Option<Fd>, Option<Fd>)> {
    match socket {
        Some(path) => Ok((Some(net::unix_connect(path.as_bytes()).or_op("connect to console socket", path)?), None)),
        None if terminal && foreground => {
            let (runt, child) = net::socketpair(net::SEQPACKET).or_what("socketpair")?;
            Ok((Some(child), Some(runt)))
        }
        None => Ok((None, None)),
    }
}

/// The step under way, for the message: text before the pty's name, whether the name follows,
/// text after it.
type Step = (&'static str, bool, &'static str);

#[inline(never)]
pub fn attach(socket: &Fd, size: Option<(u16, u16)>) -> Result<()> {
    let master = open_master()?;
    let mut name = NumPath::default();
    let mut step: Step = ("unlock the pty", false, "");
    match pty(master, socket, size, &mut name, &mut step) {
        Ok(()) => Ok(()),
        Err(e) => {
            let (before, named, after) = step;
            Err(Error::sys_owned(e, cat(&[before, if named { name.as_str() } else { "" }, after])))
        }
    }
}

/// The container's devpts ptmx (/dev/ptmx is only a symlink to it, which the container may have
/// swapped for another).
fn open_master() -> Result<Fd> {
    let flags = fs::O_RDWR | fs::O_NOCTTY;
    let master = match fs::openat2(fs::CWD, c"/dev/pts/ptmx", flags, fs::RESOLVE_NO_SYMLINKS) {
        // Before Linux 5.6: at least the last step is no symlink.
        Err(Errno::ENOSYS) => fs::openat(fs::CWD, c"/dev/pts/ptmx", flags | fs::O_NOFOLLOW, 0),
        opened => opened,
    }
    .or_op("open", PTMX)?;
    let on = fs::fstatfs(master.raw()).or_op("statfs", PTMX)?;
    if on.f_type != i64::from(DEVPTS_SUPER_MAGIC) {
        return Err(Error::cat(&[PTMX, " is not on a devpts file system"]));
    }
    Ok(master)
}

fn pty(
    master: Fd,
    socket: &Fd,
    size: Option<(u16, u16)>,
    name: &mut NumPath,
    step: &mut Step,
) -> core::result::Result<(), Errno> {
    process::ioctl_int(master.raw(), TIOCSPTLCK, 0)?;
    *step = ("get the pty number", false, "");
    let n = process::ioctl_int(master.raw(), TIOCGPTN, 0)?;
    // The kernel's pty number is an unsigned int.
    *name = NumPath::new(b"/dev/pts/", n as u32);
    *step = ("open ", true, "");
    let slave = match process::pty_peer(master.raw(), fs::O_RDWR | fs::O_NOCTTY) {
        // Before Linux 4.13 the name is the only way to the slave.
        Err(Errno::EINVAL | Errno::ENOTTY) => fs::openat(fs::CWD, name, fs::O_RDWR | fs::O_NOCTTY | fs::O_NOFOLLOW, 0)?,
        opened => opened?,
    };
    if let Some((rows, cols)) = size {
        *step = ("set the size of ", true, "");
        crate::sys::tty::set_window_size(slave.raw(), rows, cols)?;
    }
    *step = ("send the pty to the console socket", false, "");
    net::send_fd(socket.raw(), name.to_bytes(), master.raw())?;
    drop(master);
    // The process leads a session of its own (init::new_session): the pty becomes its
    // controlling terminal, and its stdin, stdout and stderr.
    *step = ("make ", true, " the controlling terminal");
    process::ioctl_arg(slave.raw(), TIOCSCTTY, 0)?;
    for (fd, to) in [(0, " to 0"), (1, " to 1"), (2, " to 2")] {
        *step = ("dup ", true, to);
        process::dup2(slave.raw(), fd)?;
    }
    Ok(())
}
