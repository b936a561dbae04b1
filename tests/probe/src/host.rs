//! Commands the tests run on the host around runt: a terminal for runt to run in (`pty`), and a
//! session keyring holding a secret (`with-key`). The table is in main.rs's header.

use std::ffi::CString;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::thread;
use std::time::Duration;

use syscalls::{syscall, Sysno};

use super::{fail, os_error};

const O_NOCTTY: i32 = 0o400;
const O_NONBLOCK: usize = 0o4000;
const F_SETFL: usize = 4;
const TIOCSCTTY: usize = 0x540E;
const TIOCSPTLCK: usize = 0x4004_5431;
const TIOCGPTN: usize = 0x8004_5430;
const EAGAIN: i32 = 11;

/// A new pty: its master and its slave, both without becoming anyone's controlling terminal.
fn open_pty() -> io::Result<(File, File)> {
    let master = OpenOptions::new().read(true).write(true).custom_flags(O_NOCTTY).open("/dev/ptmx")?;
    let unlock = 0i32;
    let mut n = 0u32;
    // SAFETY: TIOCSPTLCK reads one int, TIOCGPTN writes one; both pointers are valid.
    unsafe {
        syscall!(Sysno::ioctl, master.as_raw_fd(), TIOCSPTLCK, &unlock as *const i32).map_err(os_error)?;
        syscall!(Sysno::ioctl, master.as_raw_fd(), TIOCGPTN, &mut n as *mut u32).map_err(os_error)?;
    }
    let slave = OpenOptions::new().read(true).write(true).custom_flags(O_NOCTTY).open(format!("/dev/pts/{n}"))?;
    Ok((master, slave))
}

fn set_nonblocking(file: &File) -> io::Result<()> {
    // SAFETY: F_SETFL takes flags by value. O_RDWR (2) is kept: only the status flags change.
    unsafe { syscall!(Sysno::fcntl, file.as_raw_fd(), F_SETFL, 2 | O_NONBLOCK) }.map(drop).map_err(os_error)
}

/// Whatever can be read from `file` (non-blocking) right now.
fn read_available(file: &mut File) -> Vec<u8> {
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => all.extend_from_slice(&buf[..n]),
            Err(e) if e.raw_os_error() == Some(EAGAIN) => break,
            Err(_) => break,
        }
    }
    all
}

/// `pty CMD...`: runs CMD in a new session whose controlling terminal is a new pty, with the pty
/// as its stdin, stdout and stderr: a user's interactive shell typing CMD. Copies what the session
/// writes to stdout; once CMD has exited, prints `pty-exit: N` and then `pty-pending: "..."`: the
/// input the terminal holds for its next reader (the shell that would read the next command line),
/// escaped as Rust's {:?} writes it ("" when none). Exit 0.
pub fn pty(cmd: &[&str]) -> i32 {
    let (mut master, mut slave) = match open_pty() {
        Ok(pair) => pair,
        Err(e) => return fail(e),
    };
    let stdio = || slave.try_clone();
    let (stdin, stdout, stderr) = match (stdio(), stdio(), stdio()) {
        (Ok(a), Ok(b), Ok(c)) => (a, b, c),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return fail(e),
    };
    let mut command = Command::new(cmd[0]);
    command.args(&cmd[1..]).stdin(stdin).stdout(stdout).stderr(stderr);
    // SAFETY: between fork and exec the closure only makes two system calls.
    unsafe {
        command.pre_exec(|| {
            syscall!(Sysno::setsid).map_err(os_error)?;
            syscall!(Sysno::ioctl, 0, TIOCSCTTY, 0).map(drop).map_err(os_error)
        });
    }
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => return fail(e),
    };
    drop(command);
    if let Err(e) = set_nonblocking(&master).and_then(|()| set_nonblocking(&slave)) {
        return fail(e);
    }
    let mut out = io::stdout();
    let status = loop {
        let _ = out.write_all(&read_available(&mut master));
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => thread::sleep(Duration::from_millis(10)),
            Err(e) => return fail(e),
        }
    };
    // What the session wrote last may still be on its way through the line discipline.
    thread::sleep(Duration::from_millis(100));
    let _ = out.write_all(&read_available(&mut master));
    let code = status.code().map_or_else(|| status.to_string(), |c| c.to_string());
    let pending = String::from_utf8_lossy(&read_available(&mut slave)).into_owned();
    println!("\npty-exit: {code}\npty-pending: {pending:?}");
    0
}

/// `with-key DESC PAYLOAD CMD...`: joins a new session keyring, adds the user key DESC holding
/// PAYLOAD to it, and executes CMD: a host session that holds a credential. Prints
/// `error: <strerror>` (exit 1) when a step fails.
pub fn with_key(desc: &str, payload: &str, cmd: &[&str]) -> i32 {
    const KEYCTL_JOIN_SESSION_KEYRING: usize = 1;
    const KEY_SPEC_SESSION_KEYRING: isize = -3;
    let (Ok(name), Ok(kind), Ok(desc)) = (CString::new("probe-host-session"), CString::new("user"), CString::new(desc))
    else {
        return super::usage();
    };
    // SAFETY: NUL-terminated strings and a payload of the length passed, all alive for the calls.
    let added = unsafe {
        syscall!(Sysno::keyctl, KEYCTL_JOIN_SESSION_KEYRING, name.as_ptr()).and_then(|_| {
            syscall!(
                Sysno::add_key,
                kind.as_ptr(),
                desc.as_ptr(),
                payload.as_ptr(),
                payload.len(),
                KEY_SPEC_SESSION_KEYRING
            )
        })
    };
    if let Err(e) = added {
        return fail(os_error(e));
    }
    fail(Command::new(cmd[0]).args(&cmd[1..]).exec())
}
