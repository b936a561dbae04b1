//! `probe CMD [ARGS]`: the in-container reporter of runt's integration tests.
//!
//! One fact per line on stdout; the commands and their output formats are specified
//! in docs/contract.md ("tests/probe"). Usage errors exit 2.
//!
//! Hostile actions, for the security tests: each attempts one thing and prints `ok` (exit 0)
//! or `error: <strerror>` (exit 1) unless said otherwise.
//!
//! | command | attempts / prints |
//! |---|---|
//! | `chroot-escape MARKER` | the double chroot: mkdir /tmp/probe-chroot-PID, chroot into it, `chdir ..` 64 times, `chroot .`; prints `escaped` if MARKER is then visible, else `contained` (exit 0) |
//! | `mknod-open PATH b\|c MAJOR MINOR` | mknod of the device node (0600), then open O_RDONLY; the node is removed afterwards |
//! | `open PATH` | open PATH O_RDONLY |
//! | `mount-tmpfs DIR` | mount a tmpfs on DIR |
//! | `umount PATH` | umount2(PATH, 0) |
//! | `keyctl` | add_key of a user key `probe` into the session keyring |
//! | `ptrace [PID]` | PTRACE_ATTACH to PID, or to a child `probe sleep 5` it starts (and kills) |
//! | `setns PATH` | setns into the namespace file PATH; on success prints `ok`, then the link of /proc/self/ns/<basename of PATH> |
//! | `ns NAME` | the link of /proc/self/ns/NAME, e.g. `net:[4026531840]` |
//! | `init-module` | finit_module on a /dev/null descriptor |
//! | `raise-nofile N` | setrlimit NOFILE soft = hard = N |
//! | `rlimit NAME` | `SOFT HARD` of RLIMIT_<NAME> (nofile, nproc, core...), `unlimited` for infinity |
//! | `sethostname NAME` | sethostname |
//! | `abstract-connect NAME` | connect a unix stream socket to the abstract address `\0NAME` |
//! | `unshare-user` | unshare(CLONE_NEWUSER) |
//! | `bpf` | bpf(BPF_PROG_LOAD) of a socket filter `r0 = 0; exit`; the program is closed again |
//! | `ls DIR` | the names in DIR, sorted, one per line (nothing when empty) |
//! | `tiocsti TEXT` | pushes TEXT and a newline into the input of the terminal on stdin (ioctl TIOCSTI), as if typed there |
//! | `setcomm NAME SECONDS` | sets its comm (PR_SET_NAME: what ps shows; the kernel keeps 15 bytes) to NAME, prints `ok`, sleeps |
//! | `leave-orphan` | starts `probe exit 0`, prints its pid and exits at once, leaving it to the pid namespace's init |
//! | `orphan SECONDS` | runs `probe leave-orphan`, then waits up to SECONDS for the orphan to be reaped (gone from /proc): prints `reaped`, or `zombie` when it is still there in state Z |
//! | `winch` | blocks SIGWINCH, prints `ready`, waits for one, prints `winch ROWS COLS`: the size of the terminal on stdin then (TIOCGWINSZ) |
//! | `read-key DESC` | the payload of the user key DESC found from its session keyring (KEYCTL_SEARCH, KEYCTL_READ) |
//!
//! Run on the host, around runt:
//!
//! | command | does / prints |
//! |---|---|
//! | `pty CMD...` | runs CMD in a new session with a new pty as its controlling terminal, stdin, stdout and stderr (a user's interactive shell); copies the session's output to stdout, then prints `pty-exit: N` and `pty-pending: "TEXT"`: what the terminal holds for its next reader (the shell's next command line), escaped as Rust's `{:?}` writes it |
//! | `term CMD...` | a terminal the test types into: CMD in a new session on a new pty (30 rows, 100 columns); probe's stdin typed into it as it comes, but for `\0size ROWS COLS\n` (resize) and `\0hangup\n` (close the master); the session's output to stdout as it comes, then `\nterm-exit: N` |
//! | `with-key DESC PAYLOAD CMD...` | joins a new session keyring holding the user key DESC (PAYLOAD), then executes CMD |
//! | `seccomp-agent SOCKET ERRNO...` | the seccomp agent (SCMP_ACT_NOTIFY): listens on SOCKET, prints `state JSON` (the first message of the first connection, whose descriptor is the listener) and `then closed\|open` (whether the runtime closed the connection), then for each ERRNO takes one notification, prints `notified NR` (the syscall's number) and answers it: that errno, or success for 0 |
//! | `notify MESSAGE` | sd_notify: MESSAGE as one datagram to the socket $NOTIFY_SOCKET names; prints `ok` |
//!
//! The attacks on runt's own binary and processes (CVE-2019-5736, CVE-2016-9962). The long-running
//! ones log events to `DIR/log` as they happen (one line per write, for the host to poll; the first
//! is `ready`) and stop when `DIR/stop` exists (or after 300 s); the others print, as above.
//!
//! | command | attempts / prints |
//! |---|---|
//! | `hunt DIR` | the binary hunter: every process but itself and pid 1 it sees in /proc, and every descriptor sent to the unix socket `DIR/sock` (SCM_RIGHTS), it holds an O_PATH handle of its exe (not its own exe, no file twice), and keeps reopening each through /proc/self/fd/N for writing and writing `PWNED` at offset 0 until one write succeeds. A process is met anew whenever its comm changes (it executed something else). Logs `seen PID COMM`, `denied PID COMM <strerror>` (first failure to open its exe), `held PID COMM\|sent LINK`, `refused LINK: <strerror>` (whenever the reason changes), `wrote LINK`, and at the end `done seen=N held=H wrote=W` |
//! | `send-exe PID SOCKET` | opens /proc/PID/exe O_PATH and sends it over the unix stream socket SOCKET (SCM_RIGHTS) |
//! | `stalk DIR` | the exec helper stalker: every new process but itself and pid 1 it stops (SIGSTOP) and, as long as its comm is `runt`, tries PTRACE_SEIZE and reading the targets of /proc/PID/fd/N, then lets it run ~100 µs and stops it again, until it is someone else or gone. Logs `observed PID` (first time a runt is caught), `seized PID` and `fds PID: LINK...` on the first success with that process, and at the end `done observed=N attempts=A refused=R succeeded=S` and one `refusal <what>: <strerror> xN` per kind |
//! | `reach PID\|child` | against PID (or a child `probe sleep 5` it starts and kills: the control) prints three lines: `seize: ok\|error: <strerror>` (PTRACE_SEIZE), `fd: ok N\|error: <strerror>` (N targets of /proc/PID/fd/* read; the error when none could be), `exe: ok\|error: <strerror>` (open /proc/PID/exe O_PATH); exit 0 |
//! | `seals PATH` | opens PATH O_RDONLY and prints its memfd seals (F_GET_SEALS): `seals: ` then the names of those set (`seal shrink grow write future-write exec`), or `error: <strerror>`. Also run on the host, to look at /proc/PID/exe of a container process |
//! | `roothunt DIR MARKER` | the root hunter (needs CAP_SYS_PTRACE to get anywhere): every process but itself and pid 1 it sees in /proc, it looks through /proc/PID/root and /proc/PID/cwd for MARKER (a path without the leading `/` that only the host's tree has) and, where it is found, creates MARKER.escaped next to it. Logs `seen PID COMM` (each new process), `reached PID root\|cwd` and at the end `done seen=N runt=R reached=X` (R: the processes seen whose comm was `runt`) |
//! | `console SOCKET` | the engine's end of `--console-socket`, run on the host: listens on SOCKET, takes the descriptor of the first message (SCM_RIGHTS), prints `fd LINK`, then copies what it reads from it to stdout until EIO or EOF (the terminal's last writer is gone) or 10 s |
//! | `swap DIR A B` | the racing container of the shared-rootfs attacks (tests/escape_rootfs.rs), also run on the host: exchanges the names A and B in DIR (renameat2 RENAME_EXCHANGE) as fast as it can until `DIR/stop` exists (or 300 s), then prints `swaps N` (N even: the names are back as they were) |

use std::ffi::CString;
use std::io::{self, Write};
use std::os::fd::AsRawFd;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixStream};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{exit, Child, Command};
use std::time::Duration;
use std::{env, fs};

use syscalls::{syscall, Errno, Sysno};

mod attack;
mod host;

const USAGE: &str = "usage: probe pid|hostname|mounts|ids|cwd|env|write PATH|read PATH|netdevs|\
forkbomb N|alloc MB|wait-signal|exit N|sleep S|cgroup|procs|status|sched|clocks|chroot-escape MARKER|\
mknod-open PATH b|c MAJOR MINOR|open PATH|mount-tmpfs DIR|umount PATH|keyctl|ptrace [PID]|setns PATH|ns NAME|\
init-module|raise-nofile N|rlimit NAME|sethostname NAME|abstract-connect NAME|unshare-user|bpf|ls DIR|\
tiocsti TEXT|setcomm NAME SECONDS|read-key DESC|leave-orphan|orphan SECONDS|winch|pty CMD...|term CMD...|with-key DESC PAYLOAD CMD...|\
hunt DIR|send-exe PID SOCKET|stalk DIR|reach PID|child|seals PATH|console SOCKET|roothunt DIR MARKER|swap DIR A B|\
seccomp-agent SOCKET ERRNO...|notify MESSAGE";

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let code = match args.as_slice() {
        ["pid"] => say(std::process::id()),
        ["hostname"] => say(hostname()),
        ["mounts"] => mounts(),
        ["ids"] => ids(),
        ["cwd"] => match env::current_dir() {
            Ok(dir) => say(dir.display()),
            Err(e) => fail(e),
        },
        ["env"] => {
            let mut vars: Vec<String> =
                env::vars_os().map(|(k, v)| format!("{}={}", k.to_string_lossy(), v.to_string_lossy())).collect();
            vars.sort();
            vars.iter().for_each(|line| println!("{line}"));
            0
        }
        ["write", path] => match fs::write(path, b"probe\n") {
            Ok(()) => say("ok"),
            Err(e) => fail(e),
        },
        ["read", path] => match fs::read(path) {
            Ok(bytes) => {
                let _ = io::stdout().write_all(&bytes);
                0
            }
            Err(e) => fail(e),
        },
        ["netdevs"] => netdevs(),
        ["forkbomb", n] => forkbomb(number(n)),
        ["alloc", mb] => alloc(number(mb)),
        ["wait-signal"] => wait_signal(),
        ["exit", n] => n.parse::<u8>().map(i32::from).unwrap_or_else(|_| usage()),
        ["sleep", s] => match s.parse::<f64>() {
            Ok(secs) if secs >= 0.0 && secs.is_finite() => {
                std::thread::sleep(Duration::from_secs_f64(secs));
                0
            }
            _ => usage(),
        },
        ["cgroup"] => cat("/proc/self/cgroup"),
        ["notify", message] => notify(message),
        ["procs"] => match fs::read_dir("/proc") {
            Ok(dir) => say(dir
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().bytes().all(|b| b.is_ascii_digit()))
                .count()),
            Err(e) => fail(e),
        },
        ["status"] => status(),
        ["sched"] => sched(),
        ["clocks"] => clocks(),
        ["chroot-escape", marker] => chroot_escape(marker),
        ["mknod-open", path, kind, major, minor] => mknod_open(path, kind, number(major), number(minor)),
        ["open", path] => match fs::File::open(path) {
            Ok(_) => say("ok"),
            Err(e) => fail(e),
        },
        ["mount-tmpfs", dir] => {
            let (src, dir, fstype) = (c("tmpfs"), c(dir), c("tmpfs"));
            // SAFETY: NUL-terminated strings that outlive the call; no data.
            done(unsafe { syscall!(Sysno::mount, src.as_ptr(), dir.as_ptr(), fstype.as_ptr(), 0, 0) })
        }
        ["umount", path] => {
            let path = c(path);
            // SAFETY: a NUL-terminated path.
            done(unsafe { syscall!(Sysno::umount2, path.as_ptr(), 0) })
        }
        ["keyctl"] => {
            const KEY_SPEC_SESSION_KEYRING: isize = -3;
            let (kind, desc, payload) = (c("user"), c("probe"), b"x");
            // SAFETY: NUL-terminated strings and a payload of the length passed.
            done(unsafe {
                syscall!(Sysno::add_key, kind.as_ptr(), desc.as_ptr(), payload.as_ptr(), 1, KEY_SPEC_SESSION_KEYRING)
            })
        }
        ["ptrace"] => ptrace_child(),
        ["ptrace", pid] => ptrace_attach(number(pid)),
        ["setns", path] => setns(path),
        ["ns", name] => match fs::read_link(format!("/proc/self/ns/{name}")) {
            Ok(link) => say(link.display()),
            Err(e) => fail(e),
        },
        ["init-module"] => match fs::File::open("/dev/null") {
            // SAFETY: an open descriptor and empty NUL-terminated module parameters.
            Ok(null) => done(unsafe { syscall!(Sysno::finit_module, null.as_raw_fd(), c"".as_ptr(), 0) }),
            Err(e) => fail(e),
        },
        ["raise-nofile", n] => {
            let limit = [u64::from(number(n)); 2];
            // SAFETY: limit is a struct rlimit64 (soft, hard); no old value is asked for.
            done(unsafe { syscall!(Sysno::prlimit64, 0, RLIMIT_NOFILE, limit.as_ptr(), 0) })
        }
        ["rlimit", name] => rlimit(name),
        ["sethostname", name] => {
            // SAFETY: a buffer of the length passed.
            done(unsafe { syscall!(Sysno::sethostname, name.as_ptr(), name.len()) })
        }
        ["abstract-connect", name] => {
            match SocketAddr::from_abstract_name(name.as_bytes()).and_then(|a| UnixStream::connect_addr(&a)) {
                Ok(_) => say("ok"),
                Err(e) => fail(e),
            }
        }
        ["unshare-user"] => {
            const CLONE_NEWUSER: usize = 0x1000_0000;
            // SAFETY: unshare takes flags only.
            done(unsafe { syscall!(Sysno::unshare, CLONE_NEWUSER) })
        }
        ["bpf"] => bpf_prog_load(),
        ["ls", dir] => match fs::read_dir(dir) {
            Ok(entries) => {
                let mut names: Vec<String> =
                    entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
                names.sort();
                names.iter().for_each(|n| println!("{n}"));
                0
            }
            Err(e) => fail(e),
        },
        ["tiocsti", text] => tiocsti(text),
        ["setcomm", name, secs] => setcomm(name, secs),
        ["read-key", desc] => read_key(desc),
        ["pty", cmd @ ..] if !cmd.is_empty() => host::pty(cmd),
        ["term", cmd @ ..] if !cmd.is_empty() => host::term(cmd),
        ["leave-orphan"] => match Command::new("/proc/self/exe").args(["exit", "0"]).spawn() {
            Ok(child) => say(child.id()),
            Err(e) => fail(e),
        },
        ["orphan", secs] => match secs.parse() {
            Ok(secs) => orphan(Duration::from_secs(secs)),
            Err(_) => usage(),
        },
        ["winch"] => winch(),
        ["with-key", desc, payload, cmd @ ..] if !cmd.is_empty() => host::with_key(desc, payload, cmd),
        ["roothunt", dir, marker] => attack::roothunt(dir, marker),
        ["hunt", dir] => attack::hunt(dir),
        ["send-exe", pid, socket] => attack::send_exe(number(pid), socket),
        ["stalk", dir] => attack::stalk(dir),
        ["reach", "child"] => attack::reach_child(),
        ["reach", pid] => attack::reach(number(pid)),
        ["seals", path] => attack::seals(path),
        ["console", socket] => attack::console(socket),
        ["swap", dir, a, b] => attack::swap(dir, &c(a), &c(b)),
        ["seccomp-agent", socket, answers @ ..] => host::seccomp_agent(socket, answers),
        _ => usage(),
    };
    exit(code);
}

pub(crate) fn usage() -> i32 {
    eprintln!("{USAGE}");
    2
}

/// Prints one fact; exit 0.
pub(crate) fn say(fact: impl std::fmt::Display) -> i32 {
    println!("{fact}");
    0
}

/// Prints `error: <strerror>`; exit 1.
pub(crate) fn fail(err: io::Error) -> i32 {
    println!("error: {}", strerror(&err));
    1
}

/// `ok` for a raw syscall that succeeded, else its error.
fn done(result: Result<usize, Errno>) -> i32 {
    match result {
        Ok(_) => say("ok"),
        Err(e) => fail(os_error(e)),
    }
}

pub(crate) fn os_error(e: Errno) -> io::Error {
    io::Error::from_raw_os_error(e.into_raw())
}

/// An argument as a C string (arguments never hold NUL).
fn c(s: &str) -> CString {
    CString::new(s).unwrap_or_else(|_| exit(usage()))
}

/// The C library's wording of an error, without std's " (os error N)" suffix.
pub(crate) fn strerror(err: &io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error ") {
        Some(end) => text[..end].to_string(),
        None => text,
    }
}

/// A count argument; anything else is a usage error.
fn number(arg: &str) -> u32 {
    arg.parse().unwrap_or_else(|_| exit(usage()))
}

fn cat(path: &str) -> i32 {
    match fs::read(path) {
        Ok(bytes) => {
            let _ = io::stdout().write_all(&bytes);
            0
        }
        Err(e) => fail(e),
    }
}

/// uname(2) nodename.
fn hostname() -> String {
    // struct utsname: six char[65] fields; nodename is the second.
    let mut uts = [0u8; 6 * 65];
    // SAFETY: uts is a writable buffer of the size of struct utsname.
    if let Err(e) = unsafe { syscall!(Sysno::uname, uts.as_mut_ptr()) } {
        return format!("error: {e}");
    }
    let node = &uts[65..130];
    let len = node.iter().position(|&b| b == 0).unwrap_or(node.len());
    String::from_utf8_lossy(&node[..len]).into_owned()
}

/// Field 5 of every /proc/self/mountinfo line.
fn mounts() -> i32 {
    match fs::read_to_string("/proc/self/mountinfo") {
        Ok(text) => {
            for point in text.lines().filter_map(|l| l.split(' ').nth(4)) {
                println!("{point}");
            }
            0
        }
        Err(e) => fail(e),
    }
}

fn ids() -> i32 {
    let mut groups = [0u32; 256];
    // 32-bit arm's first id calls take 16-bit ids: its `*32` ones are the calls with 32-bit ids.
    #[cfg(target_arch = "arm")]
    let (uid_nr, gid_nr, groups_nr) = (Sysno::getuid32, Sysno::getgid32, Sysno::getgroups32);
    #[cfg(not(target_arch = "arm"))]
    let (uid_nr, gid_nr, groups_nr) = (Sysno::getuid, Sysno::getgid, Sysno::getgroups);
    // SAFETY: getuid and getgid take no arguments and cannot fail.
    let (uid, gid) = unsafe { (syscall!(uid_nr), syscall!(gid_nr)) };
    // SAFETY: groups is a writable array of gid_t with room for the count passed.
    let n = unsafe { syscall!(groups_nr, groups.len(), groups.as_mut_ptr()) };
    let list: Vec<String> = groups[..n.unwrap_or(0)].iter().map(u32::to_string).collect();
    println!("uid={} gid={} groups={}", uid.unwrap_or(0), gid.unwrap_or(0), list.join(","));
    0
}

/// `NAME up|down` per interface, sorted by name.
fn netdevs() -> i32 {
    let dir = match fs::read_dir("/sys/class/net") {
        Ok(dir) => dir,
        Err(e) => return fail(e),
    };
    let mut names: Vec<String> = dir.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    for name in names {
        let flags = fs::read_to_string(format!("/sys/class/net/{name}/flags")).unwrap_or_default();
        let flags = u32::from_str_radix(flags.trim().trim_start_matches("0x"), 16).unwrap_or(0);
        const IFF_UP: u32 = 1;
        println!("{name} {}", if flags & IFF_UP != 0 { "up" } else { "down" });
    }
    0
}

/// Starts up to `n` children (`probe sleep 30`), reports how many started and the
/// first failure, then kills them.
fn forkbomb(n: u32) -> i32 {
    let exe = env::current_exe().unwrap_or_else(|_| "/proc/self/exe".into());
    let mut children: Vec<Child> = Vec::new();
    let mut failure = None;
    for _ in 0..n {
        match Command::new(&exe).args(["sleep", "30"]).spawn() {
            Ok(child) => children.push(child),
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    println!("started {}", children.len());
    if let Some(e) = failure {
        println!("error: {}", strerror(&e));
    }
    for child in &mut children {
        let _ = child.kill();
        let _ = child.wait();
    }
    0
}

/// Allocates and touches `mb` MiB, so that every page is really charged.
fn alloc(mb: u32) -> i32 {
    const MIB: usize = 1 << 20;
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    for _ in 0..mb {
        let mut chunk = vec![0u8; MIB];
        for page in chunk.chunks_mut(4096) {
            page[0] = 1;
        }
        chunks.push(std::hint::black_box(chunk));
    }
    println!("allocated {}", chunks.len());
    0
}

/// Leaves an orphan behind (`probe leave-orphan`) and waits up to `limit` for it to be reaped:
/// `reaped` once its /proc entry is gone, `zombie` if it is still a zombie at the limit.
fn orphan(limit: Duration) -> i32 {
    let out = match Command::new("/proc/self/exe").arg("leave-orphan").output() {
        Ok(out) if out.status.success() => out,
        Ok(out) => return say(format!("error: leave-orphan: {}", out.status)),
        Err(e) => return fail(e),
    };
    let pid = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let deadline = std::time::Instant::now() + limit;
    loop {
        let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else { return say("reaped") };
        if std::time::Instant::now() > deadline {
            let state = stat.rsplit_once(") ").map_or("?", |(_, rest)| &rest[..1]);
            return say(if state == "Z" { "zombie".to_string() } else { format!("state {state}") });
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Blocks SIGWINCH, says `ready`, and once one comes prints the size the terminal on stdin has
/// then: what a full-screen program does when its terminal is resized.
fn winch() -> i32 {
    const SIGWINCH: u64 = 28;
    let fd = match signalfd_of(1 << (SIGWINCH - 1)) {
        Ok(fd) => fd,
        Err(e) => return fail(e),
    };
    println!("ready");
    if let Err(e) = read_signal(fd) {
        return fail(e);
    }
    let mut ws = [0u16; 4];
    // SAFETY: struct winsize is four unsigned shorts, which ws is; the kernel writes them.
    match unsafe { syscall!(Sysno::ioctl, 0, 0x5413usize, ws.as_mut_ptr()) } {
        Ok(_) => say(format!("winch {} {}", ws[0], ws[1])),
        Err(e) => fail(io::Error::from_raw_os_error(e.into_raw())),
    }
}

/// Blocks every signal runt forwards (HUP INT QUIT USR1 USR2 TERM TSTP WINCH), reads the first
/// one from a signalfd.
fn wait_signal() -> i32 {
    const SIGHUP: u64 = 1;
    const SIGINT: u64 = 2;
    const SIGQUIT: u64 = 3;
    const SIGUSR1: u64 = 10;
    const SIGUSR2: u64 = 12;
    const SIGTERM: u64 = 15;
    const SIGTSTP: u64 = 20;
    const SIGWINCH: u64 = 28;
    let mask: u64 =
        [SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGTERM, SIGTSTP, SIGWINCH].iter().map(|s| 1 << (s - 1)).sum();
    let fd = match signalfd_of(mask) {
        Ok(fd) => fd,
        Err(e) => return fail(e),
    };
    println!("ready");
    match read_signal(fd) {
        Ok(signo) => say(format!("got signal {signo}")),
        Err(e) => fail(e),
    }
}

/// Blocks the signals of `mask` and returns a signalfd that reads them.
fn signalfd_of(mask: u64) -> io::Result<usize> {
    const SIG_BLOCK: usize = 0;
    const SFD_CLOEXEC: usize = 0o2000000;
    let size = std::mem::size_of::<u64>();
    // SAFETY: mask is a valid kernel sigset_t of `size` bytes; no old set is asked for.
    let blocked = unsafe { syscall!(Sysno::rt_sigprocmask, SIG_BLOCK, &mask as *const u64, 0, size) };
    // SAFETY: fd -1 asks for a new signalfd; mask is as above.
    blocked
        .and_then(|_| unsafe { syscall!(Sysno::signalfd4, -1isize, &mask as *const u64, size, SFD_CLOEXEC) })
        .map_err(|e| io::Error::from_raw_os_error(e.into_raw()))
}

/// The number of the next signal signalfd `fd` reads, waiting for one.
fn read_signal(fd: usize) -> io::Result<u32> {
    // struct signalfd_siginfo is 128 bytes; ssi_signo is its first u32.
    let mut info = [0u8; 128];
    loop {
        // SAFETY: fd is our signalfd; info is a writable buffer of the length passed.
        match unsafe { syscall!(Sysno::read, fd, info.as_mut_ptr(), info.len()) } {
            Ok(n) if n == info.len() => return Ok(u32::from_ne_bytes([info[0], info[1], info[2], info[3]])),
            Ok(_) => return Err(io::Error::from(io::ErrorKind::UnexpectedEof)),
            Err(e) if e.into_raw() == 4 => continue, // EINTR
            Err(e) => return Err(io::Error::from_raw_os_error(e.into_raw())),
        }
    }
}

/// The Cap*, NoNewPrivs and Seccomp lines of /proc/self/status.
fn status() -> i32 {
    match fs::read_to_string("/proc/self/status") {
        Ok(text) => {
            for line in text.lines() {
                let key = line.split(':').next().unwrap_or("");
                if key.starts_with("Cap") || key == "NoNewPrivs" || key == "Seccomp" {
                    println!("{line}");
                }
            }
            0
        }
        Err(e) => fail(e),
    }
}

/// What the kernel schedules it by: `policy P nice N priority R` (sched_getattr), `ioprio CLASS
/// LEVEL` (ioprio_get), `mempolicy MODE NODES` (get_mempolicy: mode with its flags, node mask in
/// hex).
fn sched() -> i32 {
    // struct sched_attr (56 bytes): policy is its second u32, nice the fifth, priority the sixth.
    let mut attr = [0u32; 14];
    // SAFETY: a buffer of the size passed.
    if let Err(e) = unsafe { syscall!(Sysno::sched_getattr, 0, attr.as_mut_ptr(), 56, 0) } {
        return fail(os_error(e));
    }
    println!("policy {} nice {} priority {}", attr[1], attr[4] as i32, attr[5]);
    const IOPRIO_WHO_PROCESS: usize = 1;
    // SAFETY: no memory is passed.
    match unsafe { syscall!(Sysno::ioprio_get, IOPRIO_WHO_PROCESS, 0) } {
        Ok(io) => println!("ioprio {} {}", io >> 13, io & 7),
        Err(e) => return fail(os_error(e)),
    }
    let (mut mode, mut nodes) = (0i32, [0u64; 16]);
    // SAFETY: an int and a node mask of the bits passed (one more than it holds: the API's count).
    match unsafe { syscall!(Sysno::get_mempolicy, &mut mode as *mut i32, nodes.as_mut_ptr(), 16 * 64 + 1, 0, 0) } {
        Ok(_) => say(format!("mempolicy {mode} {:x}", nodes[0])),
        Err(e) => fail(os_error(e)),
    }
}

/// `monotonic S` and `boottime S`: the seconds of CLOCK_MONOTONIC and CLOCK_BOOTTIME
/// (clock_gettime, a system call: the vDSO's answer is the same in a time namespace).
fn clocks() -> i32 {
    for (name, id) in [("monotonic", 1), ("boottime", 7)] {
        let mut ts = [0i64; 2];
        // SAFETY: a struct timespec.
        if let Err(e) = unsafe { syscall!(Sysno::clock_gettime, id, ts.as_mut_ptr()) } {
            return fail(os_error(e));
        }
        println!("{name} {}", ts[0]);
    }
    0
}

/// The classic escape from a chroot that does not also change the mount namespace's root: chroot
/// into a subdirectory (leaving the cwd outside it), climb with `..`, and chroot there.
fn chroot_escape(marker: &str) -> i32 {
    let dir = format!("/tmp/probe-chroot-{}", std::process::id());
    let attempt = || -> io::Result<bool> {
        fs::create_dir(&dir)?;
        std::os::unix::fs::chroot(&dir)?;
        for _ in 0..64 {
            env::set_current_dir("..")?;
        }
        std::os::unix::fs::chroot(".")?;
        env::set_current_dir("/")?;
        Ok(Path::new(marker).symlink_metadata().is_ok())
    };
    let result = attempt();
    let _ = fs::remove_dir(&dir);
    match result {
        Ok(true) => say("escaped"),
        Ok(false) => say("contained"),
        Err(e) => fail(e),
    }
}

fn mknod_open(path: &str, kind: &str, major: u32, minor: u32) -> i32 {
    const S_IFCHR: u32 = 0o020000;
    const S_IFBLK: u32 = 0o060000;
    let mode = match kind {
        "c" => S_IFCHR,
        "b" => S_IFBLK,
        _ => return usage(),
    } | 0o600;
    let (major, minor) = (u64::from(major), u64::from(minor));
    let dev = ((major & 0xfffff000) << 32) | ((major & 0xfff) << 8) | ((minor & 0xffffff00) << 12) | (minor & 0xff);
    let cpath = c(path);
    const AT_FDCWD: i32 = -100;
    // mknodat: aarch64 and riscv64 have no mknod.
    // SAFETY: a NUL-terminated path; mode and dev are plain numbers.
    if let Err(e) = unsafe { syscall!(Sysno::mknodat, AT_FDCWD, cpath.as_ptr(), mode, dev) } {
        return fail(os_error(e));
    }
    let opened = fs::File::open(path);
    let _ = fs::remove_file(path);
    match opened {
        Ok(_) => say("ok"),
        Err(e) => fail(e),
    }
}

const PTRACE_ATTACH: usize = 16;

fn ptrace_attach(pid: u32) -> i32 {
    // SAFETY: PTRACE_ATTACH takes a pid only. The kernel detaches when the probe exits.
    done(unsafe { syscall!(Sysno::ptrace, PTRACE_ATTACH, pid, 0, 0) })
}

/// PTRACE_ATTACH to a child of our own (`probe sleep 5`), then kills and reaps it.
fn ptrace_child() -> i32 {
    let exe = env::current_exe().unwrap_or_else(|_| "/proc/self/exe".into());
    let mut child = match Command::new(exe).args(["sleep", "5"]).spawn() {
        Ok(child) => child,
        Err(e) => return fail(e),
    };
    let code = ptrace_attach(child.id());
    let _ = child.kill();
    // A traced child reports its stops to wait too: wait until it is really gone.
    while let Ok(status) = child.wait() {
        if status.stopped_signal().is_none() {
            break;
        }
    }
    code
}

/// setns into the namespace file `path`; on success also prints the namespace now in effect.
fn setns(path: &str) -> i32 {
    let file = match fs::File::open(path) {
        Ok(file) => file,
        Err(e) => return fail(e),
    };
    // SAFETY: an open descriptor; nstype 0 accepts any kind of namespace.
    if let Err(e) = unsafe { syscall!(Sysno::setns, file.as_raw_fd(), 0) } {
        return fail(os_error(e));
    }
    let kind = Path::new(path).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    println!("ok");
    match fs::read_link(format!("/proc/self/ns/{kind}")) {
        Ok(link) => say(link.display()),
        Err(e) => fail(e),
    }
}

const RLIMIT_NOFILE: usize = 7;

/// `SOFT HARD` of one resource limit.
fn rlimit(name: &str) -> i32 {
    const NAMES: &str =
        "cpu fsize data stack core rss nproc nofile memlock as locks sigpending msgqueue nice rtprio rttime";
    let Some(resource) = NAMES.split(' ').position(|n| n == name) else {
        return usage();
    };
    let mut limit = [0u64; 2];
    // SAFETY: no new value; limit is a writable struct rlimit64.
    if let Err(e) = unsafe { syscall!(Sysno::prlimit64, 0, resource, 0, limit.as_mut_ptr()) } {
        return fail(os_error(e));
    }
    let show = |v: u64| if v == u64::MAX { "unlimited".to_string() } else { v.to_string() };
    say(format!("{} {}", show(limit[0]), show(limit[1])))
}

/// bpf(BPF_PROG_LOAD) of the smallest socket filter: `r0 = 0; exit`.
fn bpf_prog_load() -> i32 {
    const BPF_PROG_LOAD: usize = 5;
    const BPF_PROG_TYPE_SOCKET_FILTER: u32 = 1;
    // struct bpf_insn: code, dst/src registers, offset, immediate.
    let insns: [[u8; 8]; 2] = [[0xb7, 0, 0, 0, 0, 0, 0, 0], [0x95, 0, 0, 0, 0, 0, 0, 0]];
    let license = c"GPL";
    // The head of union bpf_attr for BPF_PROG_LOAD: prog_type, insn_cnt, insns, license,
    // log_level, log_size, log_buf, kern_version, prog_flags; the rest stays zero.
    #[repr(C)]
    struct ProgLoad {
        prog_type: u32,
        insn_cnt: u32,
        insns: u64,
        license: u64,
        log: [u64; 2],
        tail: [u64; 4],
    }
    let attr = ProgLoad {
        prog_type: BPF_PROG_TYPE_SOCKET_FILTER,
        insn_cnt: insns.len() as u32,
        insns: insns.as_ptr() as u64,
        license: license.as_ptr() as u64,
        log: [0; 2],
        tail: [0; 4],
    };
    let size = std::mem::size_of::<ProgLoad>();
    // SAFETY: attr points at valid instructions and license for the duration of the call.
    match unsafe { syscall!(Sysno::bpf, BPF_PROG_LOAD, &attr as *const ProgLoad, size) } {
        Ok(fd) => {
            // SAFETY: fd is the program descriptor just returned, closed once.
            let _ = unsafe { syscall!(Sysno::close, fd) };
            say("ok")
        }
        Err(e) => fail(os_error(e)),
    }
}

/// TIOCSTI, one byte at a time, of `text` and a newline into stdin's terminal.
fn tiocsti(text: &str) -> i32 {
    const TIOCSTI: usize = 0x5412;
    for byte in text.bytes().chain([b'\n']) {
        // SAFETY: TIOCSTI reads one byte at the pointer, which is valid for the call.
        if let Err(e) = unsafe { syscall!(Sysno::ioctl, 0, TIOCSTI, &byte as *const u8) } {
            return fail(os_error(e));
        }
    }
    say("ok")
}

/// PR_SET_NAME to `name` (which may hold any byte but NUL), then a sleep.
fn setcomm(name: &str, secs: &str) -> i32 {
    const PR_SET_NAME: usize = 15;
    let name = c(name);
    // SAFETY: a NUL-terminated name; the kernel copies at most 16 bytes of it.
    if let Err(e) = unsafe { syscall!(Sysno::prctl, PR_SET_NAME, name.as_ptr()) } {
        return fail(os_error(e));
    }
    println!("ok");
    std::thread::sleep(Duration::from_secs(u64::from(number(secs))));
    0
}

/// The payload of the user key `desc` reachable from the session keyring.
fn read_key(desc: &str) -> i32 {
    const KEYCTL_SEARCH: usize = 10;
    const KEYCTL_READ: usize = 11;
    const KEY_SPEC_SESSION_KEYRING: isize = -3;
    let (kind, desc) = (c("user"), c(desc));
    let mut payload = [0u8; 256];
    // SAFETY: NUL-terminated strings; no destination keyring (0).
    let found =
        unsafe { syscall!(Sysno::keyctl, KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, kind.as_ptr(), desc.as_ptr(), 0) };
    // SAFETY: payload is writable for the length passed.
    match found.and_then(|id| unsafe { syscall!(Sysno::keyctl, KEYCTL_READ, id, payload.as_mut_ptr(), payload.len()) })
    {
        Ok(n) => say(String::from_utf8_lossy(&payload[..n.min(payload.len())])),
        Err(e) => fail(os_error(e)),
    }
}

/// systemd's sd_notify: MESSAGE as one datagram to the socket $NOTIFY_SOCKET names.
fn notify(message: &str) -> i32 {
    let Ok(path) = env::var("NOTIFY_SOCKET") else { return fail(io::Error::other("NOTIFY_SOCKET is not set")) };
    match std::os::unix::net::UnixDatagram::unbound().and_then(|s| s.send_to(message.as_bytes(), &path)) {
        Ok(_) => say("ok"),
        Err(e) => fail(e),
    }
}
