//! The foreground: runt waits for the container's process as a shell waits for a program, and
//! stands in for it towards the user (`runt run`, runc's foreground `run`, `exec`).
//!
//! Signals as for any process. runt takes the signals a user sends (`FORWARDED`, blocked) as they
//! come and passes them on. One that ends an ordinary program (its default action ends the
//! process, and the program neither catches, blocks nor ignores it) does nothing to the pid 1 of a
//! pid namespace: the kernel drops it. Where the command is that pid 1, runt ends the container
//! instead (SIGKILL: the pid namespace ends with its pid 1) and exits 128+N, as if signal N had
//! killed the command: ^C, ^\, SIGTERM, and SIGHUP when the user's terminal closes, do what they
//! do to any program. A command that handles the signal gets it.
//!
//! A pty of runt's own (`runt run -t`, process.terminal without a console socket): runt copies
//! what the container writes to it to runt's stdout and, unless told not to (`-t` without `-i`),
//! what runt reads on its stdin to it, with runt's terminal in raw mode meanwhile (restored on
//! every way out but SIGKILL) so that every key reaches the container's line discipline; the
//! pty gets the size of runt's terminal, again at each SIGWINCH. A ^C or ^\ typed into the pty
//! makes its line discipline signal the foreground process group: when that is pid 1's and it
//! would not survive the signal as an ordinary program, runt ends the container as above.

use crate::error::{cat, dec_i, Error, OrSys, Result};
use crate::sys::process::{self, exit_status, SIGKILL};
use crate::sys::signal::{self, SigSet};
use crate::sys::tty::{self, PollFd, POLLIN, POLLOUT};
use crate::sys::{fs, net, Errno, Fd};
use alloc::vec::Vec;
use linux_raw_sys::general as k;

/// Signals runt takes for the container's process: HUP INT QUIT USR1 USR2 TERM TSTP WINCH. The
/// container has a session of its own (no terminal of the user's signals it): ^C, ^\ and ^Z at
/// runt's terminal signal runt, which passes them on, SIGTSTP too, as Docker's CLI does. runt is
/// not suspended by ^Z; nor is the container's process, unless it handles SIGTSTP: a pid 1
/// ignores it, and the kernel discards it for a process whose process group has no parent in
/// its session (as every process in a session of its own).
pub const FORWARDED: &[u32] = &[1, 2, 3, 10, 12, 15, 20, SIGWINCH];
pub const SIGCHLD: u32 = 17;
const SIGHUP: u32 = 1;
const SIGWINCH: u32 = 28;

/// The container's process as runt waits for it.
pub struct Waited {
    pub pid: i32,
    /// It is the pid 1 of a pid namespace of its own, the command itself (no `--init`): the
    /// kernel drops the signals it has no handler for.
    pub pid1: bool,
}

/// Waits for `w` to end, taking the signals of `waited` (blocked) meanwhile; with `pty` (the
/// master of runt's own pty, and whether runt's stdin goes to it), relays it. Returns the exit
/// status: the process's own, 128+N for signal N.
pub fn foreground(w: &Waited, waited: SigSet, pty: Option<(Fd, bool)>) -> Result<i32> {
    if let Some((master, input)) = pty {
        return relay(w, waited, master, input);
    }
    loop {
        // Check first: the child may have ended before its SIGCHLD was taken.
        if let Some(status) = ended(w.pid)? {
            return Ok(status);
        }
        match signal::wait(waited) {
            Ok(SIGCHLD) | Err(Errno::EINTR | Errno::EAGAIN) => {}
            Ok(sig) => {
                if let Some(status) = pass_on(w, sig) {
                    return Ok(status);
                }
            }
            Err(e) => return Err(Error::sys(e, "wait for signals")),
        }
    }
}

/// The exit status of `pid` (a child of runt's) once it has ended.
fn ended(pid: i32) -> Result<Option<i32>> {
    let (p, raw) = process::wait4(pid, true).or_what("wait for the container")?;
    Ok((p == pid).then(|| exit_status(raw)))
}

/// Passes `sig` on to the container's process, or, where the kernel would drop it for a pid 1
/// that an ordinary program would die of, ends the container: then the status to exit with.
#[inline(never)]
fn pass_on(w: &Waited, sig: u32) -> Option<i32> {
    let ends = end_for(w, sig);
    if ends.is_none() {
        let _ = process::kill(w.pid, sig);
    }
    ends
}

/// Ends the container, as `sig` would end an ordinary program, where it is `w`'s pid 1 and that
/// would not survive `sig` were it not pid 1: the status to exit with then.
#[inline(never)]
fn end_for(w: &Waited, sig: u32) -> Option<i32> {
    if !w.pid1 || !ends_a_process(w.pid, sig) {
        return None;
    }
    let _ = process::kill(w.pid, SIGKILL);
    let _ = process::wait4(w.pid, false);
    Some(128 + sig as i32)
}

/// Whether `sig` would end `pid` were it an ordinary process: its default action ends a process,
/// and `pid` neither catches, blocks nor ignores it (SigCgt, SigBlk, SigIgn in its status, read
/// through runt's own /proc: `pid` is runt's unreaped child, its number cannot change hands).
/// When the status cannot be read, no: the signal is passed on, as it always was.
fn ends_a_process(pid: i32, sig: u32) -> bool {
    // Those whose default is to stop, continue or nothing: CHLD CONT STOP TSTP TTIN TTOU URG WINCH.
    const KEEP: u64 = 0x7f << 16 | 1 << 27;
    let bit = 1u64 << (sig - 1);
    if sig > 31 || KEEP & bit != 0 {
        return false;
    }
    let Some(status) = crate::state::read_small(&cat(&["/proc/", &dec_i(pid.into()), "/status"])) else {
        return false;
    };
    // Each a line of its own: `SigBlk:\t` and the mask in hexadecimal.
    let mut kept = 0;
    for line in status.as_bytes().split(|&b| b == b'\n') {
        if let (Some(b"SigBlk:\t" | b"SigIgn:\t" | b"SigCgt:\t"), Some(mask)) = (line.get(..8), line.get(8..)) {
            kept |= mask.iter().fold(0, |n, &b| n << 4 | u64::from((b as char).to_digit(16).unwrap_or(0)));
        }
    }
    kept & bit == 0
}

/// The size of runt's terminal (its stdin's, else its stdout's), when it has one.
pub fn terminal_size() -> Option<(u16, u16)> {
    tty::window_size(0).or_else(|_| tty::window_size(1)).ok().filter(|&(rows, cols)| rows > 0 && cols > 0)
}

/// Takes the pty master the container's process sends over `sock` (console::attach).
pub fn receive(sock: &Fd) -> Result<Fd> {
    let mut name = [0u8; 32];
    net::recv_fd(sock.raw(), &mut name).map(|(_, fd)| fd).or_what("receive the container's pty")
}

/// runt's terminal in raw mode (cfmakeraw's settings) while it relays, put back as it was when
/// dropped: on the way out of `relay`, whichever it is.
struct Raw(Option<tty::Termios>);

impl Raw {
    fn enter(input: bool) -> Raw {
        let Some(saved) = input.then(|| tty::attributes(0).ok()).flatten() else { return Raw(None) };
        let mut t = saved;
        t.c_iflag &= !(k::IGNBRK | k::BRKINT | k::PARMRK | k::ISTRIP | k::INLCR | k::IGNCR | k::ICRNL | k::IXON);
        t.c_oflag &= !k::OPOST;
        t.c_lflag &= !(k::ECHO | k::ECHONL | k::ICANON | k::ISIG | k::IEXTEN);
        t.c_cflag = t.c_cflag & !(k::CSIZE | k::PARENB) | k::CS8;
        t.c_cc[k::VMIN as usize] = 1;
        t.c_cc[k::VTIME as usize] = 0;
        let _ = tty::set_attributes(0, &t);
        Raw(Some(saved))
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        if let Some(t) = &self.0 {
            let _ = tty::set_attributes(0, t);
        }
    }
}

/// Gives the pty the size of runt's terminal.
fn resize(master: &Fd) {
    if let Some((rows, cols)) = terminal_size() {
        let _ = tty::set_window_size(master.raw(), rows, cols);
    }
}

/// Copies at most `chunks` reads of what the pty holds to runt's stdout (a stdout that is gone
/// loses it: the container must not block on a full pty). False once no process holds the pty's
/// slave any more.
fn copy_out(master: &Fd, buf: &mut [u8], chunks: usize) -> bool {
    for _ in 0..chunks {
        match fs::read(master.raw(), buf) {
            Ok(n) if n > 0 => {
                let _ = fs::write_all(1, buf.get(..n).unwrap_or_default());
            }
            Err(Errno::EAGAIN) => return true,
            Err(Errno::EINTR) => {}
            // EIO: the last slave is closed.
            _ => return false,
        }
    }
    true
}

/// The signal the pty's line discipline sends its foreground process group for `typed` (^C,
/// ^\ as its settings say), when that group is `w`'s pid 1's. The bytes go to the pty anyway:
/// a pid 1 that handles the signal gets it from there.
fn typed_signal(w: &Waited, master: &Fd, typed: &[u8]) -> Option<u32> {
    if !w.pid1 {
        return None;
    }
    let t = tty::attributes(master.raw()).ok()?;
    let foreground = process::ioctl_int(master.raw(), linux_raw_sys::ioctl::TIOCGPGRP, 0).ok()?;
    if t.c_lflag & k::ISIG == 0 || foreground != w.pid {
        return None;
    }
    let hit = |cc: u32, sig| t.c_cc.get(cc as usize).filter(|&&c| c != 0 && typed.contains(&c)).map(|_| sig);
    hit(k::VINTR, 2).or_else(|| hit(k::VQUIT, 3))
}

/// The relay (see the module's text) until `w` ends.
fn relay(w: &Waited, waited: SigSet, master: Fd, input: bool) -> Result<i32> {
    let signals = signal::signalfd(waited).or_what("signalfd")?;
    fs::set_nonblocking(master.raw(), true).or_what("make the pty non-blocking")?;
    resize(&master);
    let raw = Raw::enter(input);
    // The pty, until no process holds its slave any more or runt's terminal has hung up.
    let mut pty = Some(master);
    let mut reading = input;
    // What was read from stdin and the pty has not taken yet: stdin is read again once it has.
    let mut pending: Vec<u8> = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(status) = ended(w.pid)? {
            // What it wrote last (its last process is gone: the pty holds a bounded amount).
            if let Some(m) = &pty {
                copy_out(m, &mut buf, 64);
            }
            return Ok(status);
        }
        let watch = |fd: i32, events: u32| PollFd { fd, events: events as i16, revents: 0 };
        let out = if pending.is_empty() { 0 } else { POLLOUT };
        let mut fds = [
            watch(signals.raw(), POLLIN),
            watch(pty.as_ref().map_or(-1, Fd::raw), POLLIN | out),
            watch(if reading && pending.is_empty() { 0 } else { -1 }, POLLIN),
        ];
        match tty::poll(&mut fds) {
            Ok(_) | Err(Errno::EINTR) => {}
            Err(e) => return Err(Error::sys(e, "poll")),
        }
        while let Ok(sig) = signal::read_signal(&signals) {
            match (sig, &pty) {
                (SIGCHLD, _) => {}
                // The pty's line discipline signals the container's foreground process group.
                (SIGWINCH, Some(m)) => resize(m),
                _ => {
                    if let Some(status) = pass_on(w, sig) {
                        return Ok(status);
                    }
                }
            }
        }
        if let (Some(m), true) = (&pty, fds[1].revents != 0) {
            // One read per round: a container that writes without pause must not keep runt from
            // its signals.
            let open = copy_out(m, &mut buf, 1);
            match fs::write(m.raw(), &pending) {
                Ok(n) => drop(pending.drain(..n)),
                Err(Errno::EAGAIN | Errno::EINTR) => {}
                Err(_) => pending.clear(),
            }
            if !open {
                pty = None;
            }
        }
        if fds[2].revents == 0 {
            continue;
        }
        match fs::read(0, &mut buf) {
            Ok(n) if n > 0 => {
                let typed = buf.get(..n).unwrap_or_default();
                let sig = pty.as_ref().and_then(|m| typed_signal(w, m, typed));
                if let Some(status) = sig.and_then(|sig| end_for(w, sig)) {
                    return Ok(status);
                }
                pending.extend_from_slice(typed);
            }
            Err(Errno::EAGAIN | Errno::EINTR) => {}
            _ if raw.0.is_some() => {
                // runt's terminal has hung up: so does the container's (closing the master sends
                // its session SIGHUP), or, for a pid 1 that would die of it, the container ends.
                reading = false;
                if let Some(status) = end_for(w, SIGHUP) {
                    return Ok(status);
                }
                (pty, pending) = (None, Vec::new());
            }
            _ => {
                // A pipe or file has ended: the pty's end-of-file character tells the program
                // that reads it.
                reading = false;
                if let Some(t) = pty.as_ref().and_then(|m| tty::attributes(m.raw()).ok()) {
                    pending.push(t.c_cc[k::VEOF as usize]);
                }
            }
        }
    }
}
