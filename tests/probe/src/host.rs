//! Commands the tests run on the host around runt: a terminal for runt to run in (`pty`), one
//! the test types into (`term`), a session keyring holding a secret (`with-key`), and the seccomp
//! agent a notifying filter's listener goes to (`seccomp-agent`). The table is in main.rs's header.

use std::ffi::CString;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use syscalls::{syscall, Sysno};

use super::{fail, os_error};

const O_NOCTTY: i32 = 0o400;
const O_NONBLOCK: usize = 0o4000;
const F_SETFL: usize = 4;
const TIOCSCTTY: usize = 0x540E;
const TIOCSPTLCK: usize = 0x4004_5431;
const TIOCGPTN: usize = 0x8004_5430;
const TIOCSWINSZ: usize = 0x5414;

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
    read_available_from(file)
}

/// CMD in a new session whose controlling terminal is `slave`, with it as stdin, stdout and
/// stderr.
fn session(cmd: &[&str], slave: &File) -> io::Result<std::process::Child> {
    let mut command = Command::new(cmd[0]);
    command.args(&cmd[1..]).stdin(slave.try_clone()?).stdout(slave.try_clone()?).stderr(slave.try_clone()?);
    // SAFETY: between fork and exec the closure only makes two system calls.
    unsafe {
        command.pre_exec(|| {
            syscall!(Sysno::setsid).map_err(os_error)?;
            syscall!(Sysno::ioctl, 0, TIOCSCTTY, 0).map(drop).map_err(os_error)
        });
    }
    command.spawn()
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
    let mut child = match session(cmd, &slave) {
        Ok(child) => child,
        Err(e) => return fail(e),
    };
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

/// Gives the terminal of `master` a size (the slave's foreground process group gets SIGWINCH).
fn set_size(master: &File, rows: u16, cols: u16) -> io::Result<()> {
    let ws = [rows, cols, 0, 0];
    // SAFETY: struct winsize is four unsigned shorts, which ws is.
    unsafe { syscall!(Sysno::ioctl, master.as_raw_fd(), TIOCSWINSZ, ws.as_ptr()) }.map(drop).map_err(os_error)
}

/// `term CMD...`: a terminal (30 rows, 100 columns) the test types into, as a person at a
/// keyboard: CMD runs in a new session with a new pty as its controlling terminal, stdin, stdout
/// and stderr. What probe reads on its stdin is typed into the terminal as it comes, but for
/// commands, each a NUL byte, a word and a newline: `\0size ROWS COLS\n` resizes the terminal,
/// `\0hangup\n` closes it (the terminal's master: the session gets SIGHUP). Everything the
/// session writes goes to stdout as it comes; once CMD has exited, `\nterm-exit: N` (N its exit
/// status, or the signal that killed it). Exit 0.
pub fn term(cmd: &[&str]) -> i32 {
    let (master, slave) = match open_pty() {
        Ok(pair) => pair,
        Err(e) => return fail(e),
    };
    let mut child = match set_size(&master, 30, 100).and_then(|()| session(cmd, &slave)) {
        Ok(child) => child,
        Err(e) => return fail(e),
    };
    // Only the session holds the slave: closing the master hangs it up.
    drop(slave);
    let mut keys = io::stdin();
    if let Err(e) = set_nonblocking(&master).and_then(|()| set_nonblocking_fd(keys.as_raw_fd())) {
        return fail(e);
    }
    let (mut master, mut control, mut out) = (Some(master), None::<Vec<u8>>, io::stdout());
    let status = loop {
        if let Some(m) = master.as_mut() {
            let _ = out.write_all(&read_available(m));
            let _ = out.flush();
        }
        let mut typed = Vec::new();
        for b in read_available_from(&mut keys) {
            match control.as_mut() {
                None if b == 0 => control = Some(Vec::new()),
                None => typed.push(b),
                Some(line) if b != b'\n' => line.push(b),
                Some(line) => {
                    let words = String::from_utf8_lossy(line).into_owned();
                    match words.split(' ').collect::<Vec<_>>()[..] {
                        ["hangup"] => master = None,
                        ["size", rows, cols] => {
                            if let (Some(m), Ok(r), Ok(c)) = (&master, rows.parse(), cols.parse()) {
                                let _ = set_size(m, r, c);
                            }
                        }
                        _ => return super::usage(),
                    }
                    control = None;
                }
            }
        }
        if let Some(m) = master.as_mut() {
            let _ = m.write_all(&typed);
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => thread::sleep(Duration::from_millis(5)),
            Err(e) => return fail(e),
        }
    };
    // What the session wrote last may still be on its way through the line discipline: the
    // master reads it until EIO, once no process holds the slave any more (up to 10 s: a process
    // CMD left behind may hold it).
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut buf = [0u8; 4096];
    while let Some(m) = master.as_mut() {
        match m.read(&mut buf) {
            Ok(n) if n > 0 => drop(out.write_all(&buf[..n])),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && Instant::now() < deadline => {
                thread::sleep(Duration::from_millis(5));
            }
            _ => break,
        }
    }
    let code = status.code().map_or_else(|| status.to_string(), |c| c.to_string());
    println!("\nterm-exit: {code}");
    0
}

fn set_nonblocking_fd(fd: i32) -> io::Result<()> {
    // SAFETY: F_SETFL takes flags by value: O_RDONLY (0) and O_NONBLOCK (probe's own pipe).
    unsafe { syscall!(Sysno::fcntl, fd, F_SETFL, O_NONBLOCK) }.map(drop).map_err(os_error)
}

/// Whatever can be read from `input` (non-blocking) right now.
fn read_available_from(input: &mut impl Read) -> Vec<u8> {
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = input.read(&mut buf) {
        if n == 0 {
            break;
        }
        all.extend_from_slice(&buf[..n]);
    }
    all
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

/// struct seccomp_notif: the id, the pid, flags and the seccomp_data (nr, arch, ip, six args).
#[repr(C)]
#[derive(Default)]
struct SeccompNotif {
    id: u64,
    pid: u32,
    flags: u32,
    nr: i32,
    arch: u32,
    ip: u64,
    args: [u64; 6],
}

/// struct seccomp_notif_resp: the id answered, the syscall's return value, a negated errno.
#[repr(C)]
struct SeccompNotifResp {
    id: u64,
    val: i64,
    error: i32,
    flags: u32,
}

/// SECCOMP_IOCTL_NOTIF_RECV and _SEND: _IOWR('!', 0 and 1, the two structs above).
const NOTIF_RECV: usize = 0xC050_2100;
const NOTIF_SEND: usize = 0xC018_2101;

/// `seccomp-agent SOCKET ERRNO...`: the agent of SCMP_ACT_NOTIFY, run on the host.
pub fn seccomp_agent(socket: &str, answers: &[&str]) -> i32 {
    let listener = match std::os::unix::net::UnixListener::bind(socket) {
        Ok(l) => l,
        Err(e) => return fail(e),
    };
    let Ok((stream, _)) = listener.accept() else { return fail(io::Error::from(io::ErrorKind::ConnectionAborted)) };
    let mut state = vec![0u8; 65536];
    let (n, fds) = super::attack::receive(&stream, &mut state);
    println!("state {}", String::from_utf8_lossy(&state[..n]));
    let Some(&fd) = fds.first() else { return fail(io::Error::from(io::ErrorKind::InvalidData)) };
    // The runtime must close the connection after one state (runtime-spec): EOF now.
    println!("then {}", if io::Read::read(&mut &stream, &mut [0u8]).ok() == Some(0) { "closed" } else { "open" });
    for answer in answers {
        let Ok(errno) = answer.parse::<i32>() else { return super::usage() };
        // The kernel wants the struct zeroed.
        let mut notif = SeccompNotif::default();
        // SAFETY: notif is a writable seccomp_notif for the call.
        if let Err(e) = unsafe { syscall!(Sysno::ioctl, fd, NOTIF_RECV, &mut notif as *mut SeccompNotif) } {
            return fail(os_error(e));
        }
        println!("notified {}", notif.nr);
        let resp = SeccompNotifResp { id: notif.id, val: 0, error: -errno, flags: 0 };
        // SAFETY: resp is a seccomp_notif_resp the kernel only reads.
        if let Err(e) = unsafe { syscall!(Sysno::ioctl, fd, NOTIF_SEND, &resp as *const SeccompNotifResp) } {
            return fail(os_error(e));
        }
    }
    let _ = io::stdout().flush();
    0
}
