//! `probe CMD [ARGS]`: the in-container reporter of runt's integration tests.
//!
//! One fact per line on stdout; the commands and their output formats are specified
//! in docs/contract.md ("tests/probe"). Usage errors exit 2.

use std::io::{self, Write};
use std::process::{exit, Child, Command};
use std::time::Duration;
use std::{env, fs};

use syscalls::{syscall, Sysno};

const USAGE: &str = "usage: probe pid|hostname|mounts|ids|cwd|env|write PATH|read PATH|netdevs|\
forkbomb N|alloc MB|wait-signal|exit N|sleep S|cgroup|procs|status";

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
        ["procs"] => match fs::read_dir("/proc") {
            Ok(dir) => say(dir
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().bytes().all(|b| b.is_ascii_digit()))
                .count()),
            Err(e) => fail(e),
        },
        ["status"] => status(),
        _ => usage(),
    };
    exit(code);
}

fn usage() -> i32 {
    eprintln!("{USAGE}");
    2
}

/// Prints one fact; exit 0.
fn say(fact: impl std::fmt::Display) -> i32 {
    println!("{fact}");
    0
}

/// Prints `error: <strerror>`; exit 1.
fn fail(err: io::Error) -> i32 {
    println!("error: {}", strerror(&err));
    1
}

/// The C library's wording of an error, without std's " (os error N)" suffix.
fn strerror(err: &io::Error) -> String {
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
    // SAFETY: getuid and getgid take no arguments and cannot fail.
    let (uid, gid) = unsafe { (syscall!(Sysno::getuid), syscall!(Sysno::getgid)) };
    // SAFETY: groups is a writable array of gid_t with room for the count passed.
    let n = unsafe { syscall!(Sysno::getgroups, groups.len(), groups.as_mut_ptr()) };
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

/// Blocks SIGTERM, SIGINT, SIGHUP and SIGUSR1, reads the first one from a signalfd.
fn wait_signal() -> i32 {
    const SIGHUP: u64 = 1;
    const SIGINT: u64 = 2;
    const SIGUSR1: u64 = 10;
    const SIGTERM: u64 = 15;
    const SIG_BLOCK: usize = 0;
    const SFD_CLOEXEC: usize = 0o2000000;
    let mask: u64 = [SIGHUP, SIGINT, SIGUSR1, SIGTERM].iter().map(|s| 1 << (s - 1)).sum();
    let size = std::mem::size_of::<u64>();
    // SAFETY: mask is a valid kernel sigset_t of `size` bytes; no old set is asked for.
    let blocked = unsafe { syscall!(Sysno::rt_sigprocmask, SIG_BLOCK, &mask as *const u64, 0, size) };
    // SAFETY: fd -1 asks for a new signalfd; mask is as above.
    let fd =
        blocked.and_then(|_| unsafe { syscall!(Sysno::signalfd4, -1isize, &mask as *const u64, size, SFD_CLOEXEC) });
    let fd = match fd {
        Ok(fd) => fd,
        Err(e) => return fail(io::Error::from_raw_os_error(e.into_raw())),
    };
    println!("ready");
    // struct signalfd_siginfo is 128 bytes; ssi_signo is its first u32.
    let mut info = [0u8; 128];
    loop {
        // SAFETY: fd is our signalfd; info is a writable buffer of the length passed.
        match unsafe { syscall!(Sysno::read, fd, info.as_mut_ptr(), info.len()) } {
            Ok(n) if n == info.len() => break,
            Ok(_) => return fail(io::Error::from(io::ErrorKind::UnexpectedEof)),
            Err(e) if e.into_raw() == 4 => continue, // EINTR
            Err(e) => return fail(io::Error::from_raw_os_error(e.into_raw())),
        }
    }
    let signo = u32::from_ne_bytes([info[0], info[1], info[2], info[3]]);
    say(format!("got signal {signo}"))
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
