//! Compiles runt's default seccomp profile into a classic-BPF program at build time, with the same
//! assembler the run time uses for OCI profiles, and writes it to `$OUT_DIR/default_seccomp.rs`
//! (included by src/security/seccomp.rs). Quiet on success.
//!
//! The profile is Docker's default for x86_64 as it applies with Docker's default capabilities
//! (CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD, NET_RAW, SETGID, SETUID, SETFCAP, SETPCAP,
//! NET_BIND_SERVICE, SYS_CHROOT, KILL, AUDIT_WRITE): what is allowed only with another capability
//! (SYS_ADMIN, SYS_PTRACE, SYS_MODULE, SYS_TIME, ...) is denied. Differences, all stricter:
//! - ptrace, process_vm_readv and process_vm_writev are denied (Docker allows them on kernels
//!   >= 4.8); they come back with CAP_SYS_PTRACE in Docker, and through an OCI profile here;
//! - socket(AF_VSOCK) is refused on the low 32 bits of the family, which is all the kernel reads
//!   (Docker's 64-bit `!= 40` lets 0x1_0000_0028 through);
//! - i386 syscalls (int 0x80, 32-bit programs) are denied: their numbers are not implemented.

extern crate alloc;

#[allow(dead_code)]
#[path = "src/security/bpf.rs"]
mod bpf;
// The instruction type bpf.rs takes from its parent module (as in runt: sys/sock_filter.rs).
#[path = "src/sys/sock_filter.rs"]
mod sock_filter;
use sock_filter::SockFilter;

use bpf::{Action, Cmp, Filter, Op, AUDIT_ARCH_I386};
use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};
use syscalls::x86_64::Sysno;

const EPERM: u16 = 1;
const ENOSYS: u16 = 38;

/// Allowed whatever the arguments.
const ALLOW: &[Sysno] = &[
    // Files, directories, descriptors.
    Sysno::read,
    Sysno::write,
    Sysno::readv,
    Sysno::writev,
    Sysno::pread64,
    Sysno::pwrite64,
    Sysno::preadv,
    Sysno::pwritev,
    Sysno::preadv2,
    Sysno::pwritev2,
    Sysno::open,
    Sysno::openat,
    Sysno::openat2,
    Sysno::creat,
    Sysno::close,
    Sysno::close_range,
    Sysno::dup,
    Sysno::dup2,
    Sysno::dup3,
    Sysno::lseek,
    Sysno::fcntl,
    Sysno::ioctl,
    Sysno::flock,
    Sysno::pipe,
    Sysno::pipe2,
    Sysno::stat,
    Sysno::fstat,
    Sysno::lstat,
    Sysno::newfstatat,
    Sysno::statx,
    Sysno::statfs,
    Sysno::fstatfs,
    Sysno::access,
    Sysno::faccessat,
    Sysno::faccessat2,
    Sysno::getdents,
    Sysno::getdents64,
    Sysno::getcwd,
    Sysno::chdir,
    Sysno::fchdir,
    Sysno::chroot, // CAP_SYS_CHROOT is a default capability
    Sysno::mkdir,
    Sysno::mkdirat,
    Sysno::rmdir,
    Sysno::mknod,
    Sysno::mknodat,
    Sysno::link,
    Sysno::linkat,
    Sysno::symlink,
    Sysno::symlinkat,
    Sysno::unlink,
    Sysno::unlinkat,
    Sysno::rename,
    Sysno::renameat,
    Sysno::renameat2,
    Sysno::readlink,
    Sysno::readlinkat,
    Sysno::chmod,
    Sysno::fchmod,
    Sysno::fchmodat,
    Sysno::fchmodat2,
    Sysno::chown,
    Sysno::fchown,
    Sysno::lchown,
    Sysno::fchownat,
    Sysno::umask,
    Sysno::truncate,
    Sysno::ftruncate,
    Sysno::fallocate,
    Sysno::fadvise64,
    Sysno::readahead,
    Sysno::fsync,
    Sysno::fdatasync,
    Sysno::sync,
    Sysno::syncfs,
    Sysno::sync_file_range,
    Sysno::utime,
    Sysno::utimes,
    Sysno::utimensat,
    Sysno::futimesat,
    Sysno::sendfile,
    Sysno::splice,
    Sysno::tee,
    Sysno::vmsplice,
    Sysno::copy_file_range,
    Sysno::cachestat,
    Sysno::name_to_handle_at, // harmless alone: open_by_handle_at is the dangerous half (denied)
    Sysno::getxattr,
    Sysno::lgetxattr,
    Sysno::fgetxattr,
    Sysno::setxattr,
    Sysno::lsetxattr,
    Sysno::fsetxattr,
    Sysno::listxattr,
    Sysno::llistxattr,
    Sysno::flistxattr,
    Sysno::removexattr,
    Sysno::lremovexattr,
    Sysno::fremovexattr,
    Sysno::inotify_init,
    Sysno::inotify_init1,
    Sysno::inotify_add_watch,
    Sysno::inotify_rm_watch,
    Sysno::fanotify_mark, // fanotify_init needs CAP_SYS_ADMIN: denied
    // Polling, events, timers, time.
    Sysno::poll,
    Sysno::ppoll,
    Sysno::select,
    Sysno::pselect6,
    Sysno::epoll_create,
    Sysno::epoll_create1,
    Sysno::epoll_ctl,
    Sysno::epoll_ctl_old,
    Sysno::epoll_wait,
    Sysno::epoll_wait_old,
    Sysno::epoll_pwait,
    Sysno::epoll_pwait2,
    Sysno::eventfd,
    Sysno::eventfd2,
    Sysno::signalfd,
    Sysno::signalfd4,
    Sysno::timerfd_create,
    Sysno::timerfd_settime,
    Sysno::timerfd_gettime,
    Sysno::timer_create,
    Sysno::timer_settime,
    Sysno::timer_gettime,
    Sysno::timer_getoverrun,
    Sysno::timer_delete,
    Sysno::alarm,
    Sysno::getitimer,
    Sysno::setitimer,
    Sysno::nanosleep,
    Sysno::clock_nanosleep,
    Sysno::clock_gettime,
    Sysno::clock_getres,
    Sysno::clock_adjtime, // read-only without CAP_SYS_TIME (the kernel checks)
    Sysno::adjtimex,      // likewise
    Sysno::gettimeofday,
    Sysno::time,
    Sysno::times,
    Sysno::pause,
    // Asynchronous I/O (io_uring is denied, as Docker does since 25.0).
    Sysno::io_setup,
    Sysno::io_destroy,
    Sysno::io_submit,
    Sysno::io_cancel,
    Sysno::io_getevents,
    Sysno::io_pgetevents,
    // Memory.
    Sysno::brk,
    Sysno::mmap,
    Sysno::munmap,
    Sysno::mremap,
    Sysno::mprotect,
    Sysno::madvise,
    Sysno::mincore,
    Sysno::msync,
    Sysno::mlock,
    Sysno::mlock2,
    Sysno::mlockall,
    Sysno::munlock,
    Sysno::munlockall,
    Sysno::remap_file_pages,
    Sysno::memfd_create,
    Sysno::memfd_secret,
    Sysno::membarrier,
    Sysno::pkey_alloc,
    Sysno::pkey_free,
    Sysno::pkey_mprotect,
    Sysno::map_shadow_stack,
    // Processes, threads, signals.
    Sysno::fork,
    Sysno::vfork,
    Sysno::execve,
    Sysno::execveat,
    Sysno::exit,
    Sysno::exit_group,
    Sysno::wait4,
    Sysno::waitid,
    Sysno::kill,
    Sysno::tkill,
    Sysno::tgkill,
    Sysno::pidfd_open,
    Sysno::pidfd_send_signal,
    Sysno::process_mrelease,
    Sysno::rt_sigaction,
    Sysno::rt_sigprocmask,
    Sysno::rt_sigreturn,
    Sysno::rt_sigpending,
    Sysno::rt_sigsuspend,
    Sysno::rt_sigtimedwait,
    Sysno::rt_sigqueueinfo,
    Sysno::rt_tgsigqueueinfo,
    Sysno::sigaltstack,
    Sysno::restart_syscall,
    Sysno::futex,
    Sysno::futex_waitv,
    Sysno::futex_wake,
    Sysno::futex_wait,
    Sysno::futex_requeue,
    Sysno::set_robust_list,
    Sysno::get_robust_list,
    Sysno::set_tid_address,
    Sysno::rseq,
    Sysno::arch_prctl,
    Sysno::set_thread_area,
    Sysno::get_thread_area,
    Sysno::modify_ldt,
    Sysno::prctl,
    Sysno::seccomp,
    Sysno::getpid,
    Sysno::getppid,
    Sysno::gettid,
    Sysno::getpgid,
    Sysno::setpgid,
    Sysno::getpgrp,
    Sysno::getsid,
    Sysno::setsid,
    Sysno::getpriority,
    Sysno::setpriority,
    Sysno::sched_yield,
    Sysno::sched_getaffinity,
    Sysno::sched_setaffinity,
    Sysno::sched_getattr,
    Sysno::sched_setattr,
    Sysno::sched_getparam,
    Sysno::sched_setparam,
    Sysno::sched_getscheduler,
    Sysno::sched_setscheduler,
    Sysno::sched_get_priority_max,
    Sysno::sched_get_priority_min,
    Sysno::sched_rr_get_interval,
    Sysno::ioprio_get,
    Sysno::ioprio_set,
    Sysno::getcpu,
    Sysno::getrlimit,
    Sysno::setrlimit,
    Sysno::prlimit64,
    Sysno::getrusage,
    Sysno::sysinfo,
    Sysno::uname,
    Sysno::getrandom,
    Sysno::landlock_create_ruleset,
    Sysno::landlock_add_rule,
    Sysno::landlock_restrict_self,
    // Credentials.
    Sysno::getuid,
    Sysno::geteuid,
    Sysno::getgid,
    Sysno::getegid,
    Sysno::getresuid,
    Sysno::getresgid,
    Sysno::getgroups,
    Sysno::setuid,
    Sysno::setgid,
    Sysno::setreuid,
    Sysno::setregid,
    Sysno::setresuid,
    Sysno::setresgid,
    Sysno::setfsuid,
    Sysno::setfsgid,
    Sysno::setgroups,
    Sysno::capget,
    Sysno::capset,
    // Sockets (socket itself is below).
    Sysno::socketpair,
    Sysno::bind,
    Sysno::listen,
    Sysno::accept,
    Sysno::accept4,
    Sysno::connect,
    Sysno::shutdown,
    Sysno::getsockname,
    Sysno::getpeername,
    Sysno::getsockopt,
    Sysno::setsockopt,
    Sysno::sendto,
    Sysno::recvfrom,
    Sysno::sendmsg,
    Sysno::recvmsg,
    Sysno::sendmmsg,
    Sysno::recvmmsg,
    // System V and POSIX IPC (the container has its own IPC namespace).
    Sysno::shmget,
    Sysno::shmat,
    Sysno::shmdt,
    Sysno::shmctl,
    Sysno::semget,
    Sysno::semop,
    Sysno::semtimedop,
    Sysno::semctl,
    Sysno::msgget,
    Sysno::msgsnd,
    Sysno::msgrcv,
    Sysno::msgctl,
    Sysno::mq_open,
    Sysno::mq_unlink,
    Sysno::mq_timedsend,
    Sysno::mq_timedreceive,
    Sysno::mq_notify,
    Sysno::mq_getsetattr,
];

/// clone(2) flags that make new namespaces (CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET).
const CLONE_NAMESPACES: u64 =
    0x0002_0000 | 0x0200_0000 | 0x0400_0000 | 0x0800_0000 | 0x1000_0000 | 0x2000_0000 | 0x4000_0000;
const AF_VSOCK: u64 = 40;
/// personality(2) values: PER_LINUX, PER_LINUX32, UNAME26, PER_LINUX32|UNAME26, and the query.
const PERSONALITIES: [u64; 5] = [0, 0x0008, 0x0002_0000, 0x0002_0008, 0xffff_ffff];

fn nr(s: Sysno) -> u32 {
    s.id() as u32
}

/// The default profile. Everything not listed fails with EPERM, which covers (among others)
/// mount, umount2, pivot_root, unshare, setns, clone3's namespace uses, keyctl, add_key,
/// request_key, ptrace, process_vm_readv/writev, kcmp, pidfd_getfd, process_madvise, bpf,
/// perf_event_open, userfaultfd, io_uring_*, open_by_handle_at, fanotify_init, kexec_load,
/// kexec_file_load, init_module, finit_module, delete_module, create_module, get_kernel_syms,
/// query_module, reboot, swapon, swapoff, acct, quotactl, quotactl_fd, lookup_dcookie, nfsservctl,
/// iopl, ioperm, uselib, sysfs, _sysctl, ustat, syslog, vhangup, settimeofday, clock_settime,
/// sethostname, setdomainname, the new mount API (fsopen, fsmount, move_mount, open_tree, ...),
/// mbind, set_mempolicy, get_mempolicy, set_mempolicy_home_node, migrate_pages, move_pages.
fn profile() -> Filter {
    let mut f = Filter::new(Action::Errno(EPERM));
    // Docker lists x86 as a sub-architecture; its numbers are not implemented here, so its
    // syscalls get the default action rather than killing the process.
    f.other_arches.push(AUDIT_ARCH_I386);
    // Syscalls newer than the syscalls crate knows fail with ENOSYS, so C libraries fall back to
    // older calls (as runc does for syscalls newer than libseccomp knows).
    f.enosys_above = Some(nr(Sysno::last()));
    for &s in ALLOW {
        f.add(nr(s), Action::Allow);
    }
    // Threads and fork, but no new namespaces.
    f.add_if(nr(Sysno::clone), Action::Allow, &[Cmp::masked_eq(0, CLONE_NAMESPACES, 0)]);
    // clone3's flags are in memory, out of a filter's reach: ENOSYS makes libcs use clone.
    f.add(nr(Sysno::clone3), Action::Errno(ENOSYS));
    // No AF_VSOCK sockets (a way to the host): the family is an int, so only the low half counts.
    f.add_if(nr(Sysno::socket), Action::Errno(EPERM), &[Cmp::masked_eq(0, 0xffff_ffff, AF_VSOCK)]);
    f.add(nr(Sysno::socket), Action::Allow);
    for p in PERSONALITIES {
        f.add_if(nr(Sysno::personality), Action::Allow, &[Cmp::new(0, Op::Eq, p)]);
    }
    f
}

/// The same profile as config.json's linux.seccomp, for `runt spec` (compiled back by the same
/// assembler when a bundle uses it): the text before and after the allow list's names, which
/// `runt spec` writes from the names table (the JSON would repeat 4 KB of it).
fn profile_json() -> (String, String) {
    let head = format!(
        r#"{{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":{EPERM},"architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"],"syscalls":[{{"names":["#
    );
    // The allow list's end, then the rules with arguments.
    let tail = [
        String::from(r#"],"action":"SCMP_ACT_ALLOW"}"#),
        format!(
            r#"{{"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{{"index":0,"value":{CLONE_NAMESPACES},"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"}}]}}"#
        ),
        format!(r#"{{"names":["clone3"],"action":"SCMP_ACT_ERRNO","errnoRet":{ENOSYS}}}"#),
        format!(
            r#"{{"names":["socket"],"action":"SCMP_ACT_ERRNO","errnoRet":{EPERM},"args":[{{"index":0,"value":{AF_VSOCK},"op":"SCMP_CMP_EQ"}}]}}"#
        ),
        String::from(r#"{"names":["socket"],"action":"SCMP_ACT_ALLOW"}"#),
    ];
    // Then one rule per PERSONALITIES value (written by `runt spec`), and "]}".
    (head, tail.join(","))
}

/// `v` (each below 512) as two statics: `<name>_LO`, the low bytes, and `<name>_HI`, bit 8 of
/// each as a bitset.
fn split9(out: &mut String, name: &str, v: &[usize]) -> Result<(), String> {
    let mut lo = Vec::new();
    let mut hi = vec![0u8; v.len().div_ceil(8)];
    for (i, &x) in v.iter().enumerate() {
        if x >= 512 {
            return Err(format!("{name}: {x} does not fit in 9 bits"));
        }
        lo.push(x & 0xff);
        if x & 0x100 != 0 {
            hi[i / 8] |= 1 << (i % 8);
        }
    }
    let _ = writeln!(out, "static {name}_LO: [u8; {}] = {lo:?};", lo.len());
    let _ = writeln!(out, "static {name}_HI: [u8; {}] = {hi:?};", hi.len());
    Ok(())
}

fn generate() -> Result<(), String> {
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if arch != "x86_64" {
        return Err(format!("the default seccomp profile is for x86_64, not {arch}"));
    }
    let prog = profile().compile().map_err(|e| format!("default seccomp profile: {e}"))?;
    let mut out = String::new();
    let _ = writeln!(out, "// @generated by build.rs from runt's default seccomp profile. Do not edit.");
    let _ = writeln!(out, "pub static DEFAULT_FILTER: [SockFilter; {}] = [", prog.len());
    for i in &prog {
        let _ = writeln!(out, "    SockFilter::new({:#06x}, {}, {}, {:#x}),", i.code, i.jt, i.jf, i.k);
    }
    out.push_str("];\n");
    // Syscall names sorted, with their numbers and where each name starts: a binary search at
    // run time (an OCI profile names hundreds of syscalls; a linear scan each showed in profiles).
    // A few KB, where the syscalls crate's `FromStr` is 12 KB of code.
    let mut byname: Vec<(&str, u32)> =
        (0..=Sysno::last().id()).filter_map(|n| Sysno::new(n as usize).map(|s| (s.name(), n as u32))).collect();
    byname.sort_unstable();
    let mut offsets = Vec::new();
    let mut text = String::new();
    for (name, _) in &byname {
        offsets.push(text.len());
        text.push_str(name);
    }
    offsets.push(text.len());
    // Each table in a byte per entry and a few more (see `nine` and `start` in seccomp.rs).
    let _ = writeln!(out, "static SYSCALL_NAMES: &str = \"{text}\";");
    let mut lo = Vec::new();
    let mut wraps = Vec::new();
    for (i, pair) in offsets.windows(2).enumerate() {
        if pair[1] - pair[0] >= 256 {
            return Err(format!("syscall name {i} is 256 bytes or longer"));
        }
        if pair[1] >> 8 != pair[0] >> 8 {
            wraps.push(i + 1);
        }
    }
    for o in &offsets {
        lo.push(o & 0xff);
    }
    let _ = writeln!(out, "static SYSCALL_STARTS_LO: [u8; {}] = {lo:?};", lo.len());
    let _ = writeln!(out, "static SYSCALL_STARTS_WRAPS: [u16; {}] = {wraps:?};", wraps.len());
    let nrs: Vec<usize> = byname.iter().map(|b| b.1 as usize).collect();
    split9(&mut out, "SYSCALL_NRS", &nrs)?;
    // The allow list as positions in that table, in the profile's order.
    let mut allow = Vec::new();
    for s in ALLOW {
        let at = byname.binary_search(&(s.name(), nr(*s))).map_err(|_| format!("{} is not in the table", s.name()))?;
        allow.push(at);
    }
    split9(&mut out, "DEFAULT_ALLOW", &allow)?;
    let (head, tail) = profile_json();
    let _ = writeln!(out, "static DEFAULT_PROFILE_HEAD: &str = r#\"{head}\"#;");
    let _ = writeln!(out, "static DEFAULT_PROFILE_TAIL: &str = r#\"{tail}\"#;");
    let _ = writeln!(out, "static DEFAULT_PERSONALITIES: [u32; {}] = {PERSONALITIES:?};", PERSONALITIES.len());
    let dir = env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?;
    let path = Path::new(&dir).join("default_seccomp.rs");
    fs::write(&path, out).map_err(|e| format!("write {}: {e}", path.display()))
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=link/runt.ld");
    // The release binary links no C library: its own entry point (src/sys/rt.rs), and a script
    // that drops the C start-up files rustc adds and the unwind tables. No RELRO: with no dynamic
    // loader nothing would ever make it read-only, and its page alignment costs up to 4 KB of file.
    // No build id either. Unit-test builds (the `unit` profile: debug info on, unwinding to report
    // failures) are std programs on musl.
    let release = env::var("PROFILE").as_deref() == Ok("release") && env::var("DEBUG").as_deref() == Ok("false");
    if release && env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("musl") {
        let dir = env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
        println!("cargo:rustc-link-arg-bins=-Wl,-e,runt_start,-T,{dir}/link/runt.ld,-z,norelro,--build-id=none");
    }
    println!("cargo:rerun-if-changed=src/security/bpf.rs");
    if let Err(e) = generate() {
        println!("cargo:warning={e}");
        std::process::exit(1);
    }
}
