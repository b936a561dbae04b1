//! Terminals: their size, their line settings (termios), their foreground process group; and
//! poll(2), which a relay between two terminals waits in.

use super::Result;
use linux_raw_sys::general as k;
use linux_raw_sys::ioctl::{TCGETS, TCSETS, TIOCGWINSZ, TIOCSWINSZ};
use syscalls::{syscall, Sysno};

pub use k::{pollfd as PollFd, termios as Termios, POLLIN, POLLOUT};

/// ioctl(TIOCGWINSZ): the terminal's size as (rows, columns).
#[inline]
pub fn window_size(fd: i32) -> Result<(u16, u16)> {
    let mut ws = [0u16; 4];
    // SAFETY: struct winsize is four unsigned shorts, which ws is; the kernel writes all four.
    unsafe { syscall!(Sysno::ioctl, fd, TIOCGWINSZ, ws.as_mut_ptr()) }.map(|_| (ws[0], ws[1]))
}

/// ioctl(TIOCSWINSZ): the terminal's size in rows and columns. On a pty master it is the size of
/// the slave, whose foreground process group gets SIGWINCH when it changes.
#[inline]
pub fn set_window_size(fd: i32, rows: u16, cols: u16) -> Result<()> {
    let ws: [u16; 4] = [rows, cols, 0, 0];
    // SAFETY: struct winsize is four unsigned shorts, which ws is.
    unsafe { syscall!(Sysno::ioctl, fd, TIOCSWINSZ, ws.as_ptr()) }.map(drop)
}

/// tcgetattr(3): ioctl(TCGETS). On a pty master, the settings of its slave (whose line
/// discipline handles what is written to the master).
#[inline]
pub fn attributes(fd: i32) -> Result<Termios> {
    // SAFETY: termios is plain old data; the kernel fills it on success.
    let mut t: Termios = unsafe { core::mem::zeroed() };
    // SAFETY: t is a writable struct termios, the kernel's (not termios2), which TCGETS fills.
    unsafe { syscall!(Sysno::ioctl, fd, TCGETS, &mut t as *mut Termios) }.map(|_| t)
}

/// tcsetattr(3) with TCSANOW: ioctl(TCSETS).
#[inline]
pub fn set_attributes(fd: i32, t: &Termios) -> Result<()> {
    // SAFETY: t is a valid struct termios that the kernel only reads.
    unsafe { syscall!(Sysno::ioctl, fd, TCSETS, t as *const Termios) }.map(drop)
}

/// ppoll(2) without a timeout or a signal mask: waits until one of `fds` is ready.
#[inline]
pub fn poll(fds: &mut [PollFd]) -> Result<usize> {
    // SAFETY: fds is a writable array of struct pollfd of the length passed; no timeout and no
    // sigmask (NULL), so the 32-bit time types of arm do not matter.
    unsafe { syscall!(Sysno::ppoll, fds.as_mut_ptr(), fds.len(), 0, 0, 8) }
}
