//! Compiles runt's default seccomp profile into a classic-BPF program at build time, with the same
//! assembler the run time uses for OCI profiles, and writes it to `$OUT_DIR/default_seccomp.rs`
//! (included by src/security/seccomp.rs), together with the target architecture's syscall table
//! (names to numbers, for OCI profiles) and its AUDIT_ARCH values. Quiet on success.
//!
//! The profile is Docker's default as it applies with Docker's default capabilities
//! (CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD, NET_RAW, SETGID, SETUID, SETFCAP, SETPCAP,
//! NET_BIND_SERVICE, SYS_CHROOT, KILL, AUDIT_WRITE): what is allowed only with another capability
//! (SYS_ADMIN, SYS_PTRACE, SYS_MODULE, SYS_TIME, ...) is denied. The allow list is by name, and a
//! name the target architecture does not have is left out (as libseccomp does for Docker's
//! profile), so one list serves x86_64, aarch64, armv7 and riscv64. Differences, all stricter:
//! - ptrace, process_vm_readv and process_vm_writev are denied (Docker allows them on kernels
//!   >= 4.8); they come back with CAP_SYS_PTRACE in Docker, and through an OCI profile here;
//! - socket(AF_VSOCK) is refused on the low 32 bits of the family, which is all the kernel reads
//!   (Docker's 64-bit `!= 40` lets 0x1_0000_0028 through);
//! - the syscalls of the compat architecture (i386 on x86_64, 32-bit arm on aarch64) are denied:
//!   their numbers are not implemented.

extern crate alloc;

#[allow(dead_code)]
#[path = "src/security/bpf.rs"]
mod bpf;
// The instruction type bpf.rs takes from its parent module (as in runt: sys/sock_filter.rs).
#[path = "src/sys/sock_filter.rs"]
mod sock_filter;
use sock_filter::SockFilter;

use bpf::{Action, Cmp, Filter, Op};
use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

const EPERM: u16 = 1;
const ENOSYS: u16 = 38;

/// Allowed whatever the arguments.
const ALLOW: &[&str] = &[
    // Files, directories, descriptors.
    "read",
    "write",
    "readv",
    "writev",
    "pread64",
    "pwrite64",
    "preadv",
    "pwritev",
    "preadv2",
    "pwritev2",
    "open",
    "openat",
    "openat2",
    "creat",
    "close",
    "close_range",
    "dup",
    "dup2",
    "dup3",
    "lseek",
    "fcntl",
    "ioctl",
    "flock",
    "pipe",
    "pipe2",
    "stat",
    "fstat",
    "lstat",
    "newfstatat",
    "statx",
    "statfs",
    "fstatfs",
    "access",
    "faccessat",
    "faccessat2",
    "getdents",
    "getdents64",
    "getcwd",
    "chdir",
    "fchdir",
    "chroot", // CAP_SYS_CHROOT is a default capability
    "mkdir",
    "mkdirat",
    "rmdir",
    "mknod",
    "mknodat",
    "link",
    "linkat",
    "symlink",
    "symlinkat",
    "unlink",
    "unlinkat",
    "rename",
    "renameat",
    "renameat2",
    "readlink",
    "readlinkat",
    "chmod",
    "fchmod",
    "fchmodat",
    "fchmodat2",
    "chown",
    "fchown",
    "lchown",
    "fchownat",
    "umask",
    "truncate",
    "ftruncate",
    "fallocate",
    "fadvise64",
    "readahead",
    "fsync",
    "fdatasync",
    "sync",
    "syncfs",
    "sync_file_range",
    "utime",
    "utimes",
    "utimensat",
    "futimesat",
    "sendfile",
    "splice",
    "tee",
    "vmsplice",
    "copy_file_range",
    "cachestat",
    "name_to_handle_at", // harmless alone: open_by_handle_at is the dangerous half (denied)
    "getxattr",
    "lgetxattr",
    "fgetxattr",
    "setxattr",
    "lsetxattr",
    "fsetxattr",
    "listxattr",
    "llistxattr",
    "flistxattr",
    "removexattr",
    "lremovexattr",
    "fremovexattr",
    "inotify_init",
    "inotify_init1",
    "inotify_add_watch",
    "inotify_rm_watch",
    "fanotify_mark", // fanotify_init needs CAP_SYS_ADMIN: denied
    // Polling, events, timers, time.
    "poll",
    "ppoll",
    "select",
    "pselect6",
    "epoll_create",
    "epoll_create1",
    "epoll_ctl",
    "epoll_ctl_old",
    "epoll_wait",
    "epoll_wait_old",
    "epoll_pwait",
    "epoll_pwait2",
    "eventfd",
    "eventfd2",
    "signalfd",
    "signalfd4",
    "timerfd_create",
    "timerfd_settime",
    "timerfd_gettime",
    "timer_create",
    "timer_settime",
    "timer_gettime",
    "timer_getoverrun",
    "timer_delete",
    "alarm",
    "getitimer",
    "setitimer",
    "nanosleep",
    "clock_nanosleep",
    "clock_gettime",
    "clock_getres",
    "clock_adjtime", // read-only without CAP_SYS_TIME (the kernel checks)
    "adjtimex",      // likewise
    "gettimeofday",
    "time",
    "times",
    "pause",
    // Asynchronous I/O (io_uring is denied, as Docker does since 25.0).
    "io_setup",
    "io_destroy",
    "io_submit",
    "io_cancel",
    "io_getevents",
    "io_pgetevents",
    // Memory.
    "brk",
    "mmap",
    "munmap",
    "mremap",
    "mprotect",
    "madvise",
    "mincore",
    "msync",
    "mlock",
    "mlock2",
    "mlockall",
    "munlock",
    "munlockall",
    "remap_file_pages",
    "memfd_create",
    "memfd_secret",
    "membarrier",
    "pkey_alloc",
    "pkey_free",
    "pkey_mprotect",
    "map_shadow_stack",
    // Processes, threads, signals.
    "fork",
    "vfork",
    "execve",
    "execveat",
    "exit",
    "exit_group",
    "wait4",
    "waitid",
    "kill",
    "tkill",
    "tgkill",
    "pidfd_open",
    "pidfd_send_signal",
    "process_mrelease",
    "rt_sigaction",
    "rt_sigprocmask",
    "rt_sigreturn",
    "rt_sigpending",
    "rt_sigsuspend",
    "rt_sigtimedwait",
    "rt_sigqueueinfo",
    "rt_tgsigqueueinfo",
    "sigaltstack",
    "restart_syscall",
    "futex",
    "futex_waitv",
    "futex_wake",
    "futex_wait",
    "futex_requeue",
    "set_robust_list",
    "get_robust_list",
    "set_tid_address",
    "rseq",
    "arch_prctl",
    "set_thread_area",
    "get_thread_area",
    "modify_ldt",
    "prctl",
    "seccomp",
    "getpid",
    "getppid",
    "gettid",
    "getpgid",
    "setpgid",
    "getpgrp",
    "getsid",
    "setsid",
    "getpriority",
    "setpriority",
    "sched_yield",
    "sched_getaffinity",
    "sched_setaffinity",
    "sched_getattr",
    "sched_setattr",
    "sched_getparam",
    "sched_setparam",
    "sched_getscheduler",
    "sched_setscheduler",
    "sched_get_priority_max",
    "sched_get_priority_min",
    "sched_rr_get_interval",
    "ioprio_get",
    "ioprio_set",
    "getcpu",
    "getrlimit",
    "setrlimit",
    "prlimit64",
    "getrusage",
    "sysinfo",
    "uname",
    "getrandom",
    "landlock_create_ruleset",
    "landlock_add_rule",
    "landlock_restrict_self",
    // Credentials.
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "getresuid",
    "getresgid",
    "getgroups",
    "setuid",
    "setgid",
    "setreuid",
    "setregid",
    "setresuid",
    "setresgid",
    "setfsuid",
    "setfsgid",
    "setgroups",
    "capget",
    "capset",
    // Sockets (socket itself is below).
    "socketpair",
    "bind",
    "listen",
    "accept",
    "accept4",
    "connect",
    "shutdown",
    "getsockname",
    "getpeername",
    "getsockopt",
    "setsockopt",
    "sendto",
    "recvfrom",
    "sendmsg",
    "recvmsg",
    "sendmmsg",
    "recvmmsg",
    // System V and POSIX IPC (the container has its own IPC namespace).
    "shmget",
    "shmat",
    "shmdt",
    "shmctl",
    "semget",
    "semop",
    "semtimedop",
    "semctl",
    "msgget",
    "msgsnd",
    "msgrcv",
    "msgctl",
    "mq_open",
    "mq_unlink",
    "mq_timedsend",
    "mq_timedreceive",
    "mq_notify",
    "mq_getsetattr",
];

/// Allowed as `ALLOW`, under the names they have on 32-bit ABIs (armv7 here): 64-bit file
/// offsets, sizes and ids, the 64-bit time variants, and the old-style signal and socket calls.
/// None of them exists on a 64-bit architecture.
const ALLOW_32BIT: &[&str] = &[
    "_llseek",
    "_newselect",
    "chown32",
    "fchown32",
    "lchown32",
    "fcntl64",
    "fstat64",
    "fstatat64",
    "fstatfs64",
    "lstat64",
    "stat64",
    "statfs64",
    "ftruncate64",
    "truncate64",
    "fadvise64_64",
    "mmap2",
    "sendfile64",
    "ugetrlimit",
    "getegid32",
    "geteuid32",
    "getgid32",
    "getuid32",
    "getgroups32",
    "getresgid32",
    "getresuid32",
    "setfsgid32",
    "setfsuid32",
    "setgid32",
    "setgroups32",
    "setregid32",
    "setresgid32",
    "setresuid32",
    "setreuid32",
    "setuid32",
    "recv",
    "send",
    "sigreturn",
    "sigprocmask",
    "waitpid",
    "clock_adjtime64",
    "clock_getres_time64",
    "clock_gettime64",
    "clock_nanosleep_time64",
    "futex_time64",
    "io_pgetevents_time64",
    "mq_timedreceive_time64",
    "mq_timedsend_time64",
    "ppoll_time64",
    "pselect6_time64",
    "recvmmsg_time64",
    "rt_sigtimedwait_time64",
    "semtimedop_time64",
    "timer_gettime64",
    "timer_settime64",
    "timerfd_gettime64",
    "timerfd_settime64",
    "utimensat_time64",
];

/// clone(2) flags that make new namespaces (CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET).
const CLONE_NAMESPACES: u64 =
    0x0002_0000 | 0x0200_0000 | 0x0400_0000 | 0x0800_0000 | 0x1000_0000 | 0x2000_0000 | 0x4000_0000;
const AF_VSOCK: u64 = 40;
/// personality(2) values: PER_LINUX, PER_LINUX32, UNAME26, PER_LINUX32|UNAME26, and the query.
const PERSONALITIES: [u64; 5] = [0, 0x0008, 0x0002_0000, 0x0002_0008, 0xffff_ffff];

/// What the filter and the OCI profiles need to know of one target architecture.
struct Arch {
    /// Its `AUDIT_ARCH_*`: what the kernel puts in `seccomp_data.arch` for its own syscalls.
    audit: u32,
    /// libseccomp's name for it in a profile's `architectures`.
    scmp: &'static str,
    /// The other syscall ABI the kernel may run on this architecture (a 32-bit program), as
    /// (AUDIT_ARCH, libseccomp name): its numbers are not implemented, so its syscalls are denied.
    compat: Option<(u32, &'static str)>,
    /// The syscall table, `(name, number)`.
    table: Vec<(&'static str, u32)>,
    /// Syscalls of this architecture alone that Docker's profile allows (besides `ALLOW`).
    allow: &'static [&'static str],
}

/// `(name, number)` of every syscall in one of the syscalls crate's tables (by number: its
/// `iter` stops short of the last one).
macro_rules! table {
    ($arch:ident) => {{
        use syscalls::$arch::Sysno;
        (0..=Sysno::last().id()).filter_map(|n| Sysno::new(n as usize)).map(|s| (s.name(), s.id() as u32)).collect()
    }};
}

/// The kernel's generic table as a 64-bit kernel has it, from the syscalls crate's aarch64 one,
/// which calls 79 `fstatat` (the kernel's headers and libseccomp, so Docker's profile, say
/// newfstatat) and lists the 32-bit `*_time64` calls, 403 to 423, which no 64-bit kernel has.
fn generic64(table: Vec<(&'static str, u32)>) -> Vec<(&'static str, u32)> {
    let rename = |(name, nr)| (if name == "fstatat" { "newfstatat" } else { name }, nr);
    table.into_iter().filter(|e| !(403..=423).contains(&e.1)).map(rename).collect()
}

/// ARM's private syscalls (`__ARM_NR_BASE` 0x0f0000 + n, arch/arm/include/uapi/asm/unistd.h),
/// which the syscalls crate's table leaves out. C libraries set the thread pointer with set_tls.
const ARM_PRIVATE: [(&str, u32); 6] = [
    ("breakpoint", 0x0f_0001),
    ("cacheflush", 0x0f_0002),
    ("usr26", 0x0f_0003),
    ("usr32", 0x0f_0004),
    ("set_tls", 0x0f_0005),
    ("get_tls", 0x0f_0006),
];

/// The target architecture (`CARGO_CFG_TARGET_ARCH`: build.rs itself runs on the host).
fn arch(name: &str) -> Result<Arch, String> {
    Ok(match name {
        "x86_64" => Arch {
            audit: bpf::AUDIT_ARCH_X86_64,
            scmp: "SCMP_ARCH_X86_64",
            // x32 syscalls come under the x86_64 arch with a bit set: bpf.rs denies those itself.
            compat: Some((bpf::AUDIT_ARCH_I386, "SCMP_ARCH_X86")),
            table: table!(x86_64),
            // arch_prctl, modify_ldt and the thread areas are in ALLOW (x86's alone: left out
            // elsewhere), where they have always been.
            allow: &[],
        },
        "aarch64" => Arch {
            audit: bpf::AUDIT_ARCH_AARCH64,
            scmp: "SCMP_ARCH_AARCH64",
            compat: Some((bpf::AUDIT_ARCH_ARM, "SCMP_ARCH_ARM")),
            table: generic64(table!(aarch64)),
            allow: &[],
        },
        "arm" => {
            let mut table: Vec<_> = table!(arm);
            table.extend(ARM_PRIVATE);
            Arch {
                audit: bpf::AUDIT_ARCH_ARM,
                scmp: "SCMP_ARCH_ARM",
                compat: None,
                table,
                allow: &[
                    "arm_fadvise64_64",
                    "arm_sync_file_range",
                    "sync_file_range2",
                    "breakpoint",
                    "cacheflush",
                    "set_tls",
                ],
            }
        }
        // riscv_flush_icache is riscv's cacheflush (JITs need it); riscv_hwprobe only reads
        // which extensions the CPUs have.
        "riscv64" => Arch {
            audit: bpf::AUDIT_ARCH_RISCV64,
            scmp: "SCMP_ARCH_RISCV64",
            compat: None,
            table: table!(riscv64),
            allow: &["riscv_flush_icache", "riscv_hwprobe"],
        },
        _ => return Err(format!("runt is not ported to {name}: no syscall table or AUDIT_ARCH for it")),
    })
}

impl Arch {
    /// The number of `name`, if this architecture has that syscall.
    fn nr(&self, name: &str) -> Option<u32> {
        self.table.iter().find(|e| e.0 == name).map(|e| e.1)
    }

    /// The highest number of the table proper (arm's private calls are far above it).
    fn last(&self) -> u32 {
        self.table.iter().map(|e| e.1).filter(|&n| n < 0x0f_0000).max().unwrap_or(0)
    }

    /// The allow list's names this architecture has, in the list's order.
    fn allowed(&self) -> Vec<&'static str> {
        ALLOW.iter().chain(ALLOW_32BIT).chain(self.allow).copied().filter(|n| self.nr(n).is_some()).collect()
    }
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
fn profile(a: &Arch) -> Result<Filter, String> {
    let nr = |name: &str| a.nr(name).ok_or(format!("{name} is not in the syscall table"));
    let mut f = Filter::new(a.audit, Action::Errno(EPERM));
    // Docker lists the compat ABI as a sub-architecture; its numbers are not implemented here, so
    // its syscalls get the default action rather than killing the process.
    f.other_arches.extend(a.compat.map(|c| c.0));
    // Syscalls newer than the syscalls crate knows fail with ENOSYS, so C libraries fall back to
    // older calls (as runc does for syscalls newer than libseccomp knows).
    f.enosys_above = Some(a.last());
    for name in a.allowed() {
        f.add(nr(name)?, Action::Allow);
    }
    // Threads and fork, but no new namespaces. The flags are clone's first argument on each of
    // runt's architectures (the others differ in order: see sys::process::clone_fork).
    f.add_if(nr("clone")?, Action::Allow, &[Cmp::masked_eq(0, CLONE_NAMESPACES, 0)]);
    // clone3's flags are in memory, out of a filter's reach: ENOSYS makes libcs use clone.
    f.add(nr("clone3")?, Action::Errno(ENOSYS));
    // No AF_VSOCK sockets (a way to the host): the family is an int, so only the low half counts.
    f.add_if(nr("socket")?, Action::Errno(EPERM), &[Cmp::masked_eq(0, 0xffff_ffff, AF_VSOCK)]);
    f.add(nr("socket")?, Action::Allow);
    for p in PERSONALITIES {
        f.add_if(nr("personality")?, Action::Allow, &[Cmp::new(0, Op::Eq, p)]);
    }
    Ok(f)
}

/// The same profile as config.json's linux.seccomp, for `runt spec` (compiled back by the same
/// assembler when a bundle uses it): the text before and after the allow list's names, which
/// `runt spec` writes from the names table (the JSON would repeat 4 KB of it).
fn profile_json(a: &Arch) -> (String, String) {
    let mut arches = format!("\"{}\"", a.scmp);
    if let Some((_, name)) = a.compat {
        let _ = write!(arches, ",\"{name}\"");
    }
    if a.audit == bpf::AUDIT_ARCH_X86_64 {
        arches.push_str(",\"SCMP_ARCH_X32\"");
    }
    let head = format!(
        r#"{{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":{EPERM},"architectures":[{arches}],"syscalls":[{{"names":["#
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

/// Numbers from this one on, in the 9-bit table, stand for `__ARM_NR_BASE` + (n - this): arm's
/// private syscalls, far above its table, in the table's spare room.
const PRIVATE_FROM: usize = 0x1f0;

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
    let a = arch(&env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default())?;
    let prog = profile(&a)?.compile().map_err(|e| format!("default seccomp profile: {e}"))?;
    let mut out = String::new();
    let _ = writeln!(out, "// @generated by build.rs from runt's default seccomp profile. Do not edit.");
    let _ = writeln!(out, "/// The target's AUDIT_ARCH: the architecture the filters let through.");
    let _ = writeln!(out, "pub const NATIVE_ARCH: u32 = {:#x};", a.audit);
    let _ = writeln!(out, "/// The compat ABI, as (libseccomp name, AUDIT_ARCH), denied when a profile lists it.");
    let compat = a.compat.map(|(audit, name)| format!("Some((\"{name}\", {audit:#x}))"));
    let _ = writeln!(out, "pub const COMPAT_ARCH: Option<(&str, u32)> = {};", compat.as_deref().unwrap_or("None"));
    let _ = writeln!(out, "/// The highest syscall number of the target's table: newer ones fail with ENOSYS.");
    let _ = writeln!(out, "const LAST_SYSCALL: u32 = {};", a.last());
    let _ = writeln!(out, "pub static DEFAULT_FILTER: [SockFilter; {}] = [", prog.len());
    for i in &prog {
        let _ = writeln!(out, "    SockFilter::new({:#06x}, {}, {}, {:#x}),", i.code, i.jt, i.jf, i.k);
    }
    out.push_str("];\n");
    // Syscall names sorted, with their numbers and where each name starts: a binary search at
    // run time (an OCI profile names hundreds of syscalls; a linear scan each showed in profiles).
    // A few KB, where the syscalls crate's `FromStr` is 12 KB of code.
    let mut byname = a.table.clone();
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
    if a.last() as usize >= PRIVATE_FROM {
        return Err(format!("syscall {} is in the room kept for private syscalls", a.last()));
    }
    let _ = writeln!(out, "const PRIVATE_FROM: usize = {PRIVATE_FROM};");
    let nine = |n: u32| if n >= 0x0f_0000 { PRIVATE_FROM + (n as usize - 0x0f_0000) } else { n as usize };
    let nrs: Vec<usize> = byname.iter().map(|b| nine(b.1)).collect();
    split9(&mut out, "SYSCALL_NRS", &nrs)?;
    // The allow list as positions in that table, in the profile's order.
    let mut allow = Vec::new();
    for name in a.allowed() {
        allow.push(byname.iter().position(|b| b.0 == name).ok_or(format!("{name} is not in the table"))?);
    }
    split9(&mut out, "DEFAULT_ALLOW", &allow)?;
    let (head, tail) = profile_json(&a);
    let _ = writeln!(out, "static DEFAULT_PROFILE_HEAD: &str = r#\"{head}\"#;");
    let _ = writeln!(out, "static DEFAULT_PROFILE_TAIL: &str = r#\"{tail}\"#;");
    let _ = writeln!(out, "static DEFAULT_PERSONALITIES: [u32; {}] = {PERSONALITIES:?};", PERSONALITIES.len());
    let dir = env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?;
    let path = Path::new(&dir).join("default_seccomp.rs");
    fs::write(&path, out).map_err(|e| format!("write {}: {e}", path.display()))
}

/// runt's exec trampoline (src/sys/trampoline.rs) for the target architecture, assembled and
/// linked by the C compiler that links runt for it (`RUSTC_LINKER`: Debian's cross gcc that `make
/// ARCH=...` installs, else `cc`) into `$OUT_DIR/trampoline`: a static ELF of one read-only,
/// executable segment, its header and code, no build id, no symbols. The sources are included
/// here, so that cargo rebuilds this script when one changes (also for fuzz/, whose package root
/// is elsewhere).
fn trampoline(arch: &str) -> Result<(), String> {
    let source = match arch {
        "x86_64" => include_str!("src/sys/trampoline/x86_64.s"),
        "aarch64" => include_str!("src/sys/trampoline/aarch64.s"),
        "arm" => include_str!("src/sys/trampoline/arm.s"),
        "riscv64" => include_str!("src/sys/trampoline/riscv64.s"),
        _ => return Err(format!("runt is not ported to {arch}: no exec trampoline for it")),
    };
    let dir = Path::new(&env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).to_path_buf();
    let (asm, out) = (dir.join("trampoline.s"), dir.join("trampoline"));
    fs::write(&asm, source).map_err(|e| format!("write {}: {e}", asm.display()))?;
    let cc = env::var("RUSTC_LINKER").unwrap_or_else(|_| String::from("cc"));
    let built = std::process::Command::new(&cc)
        .args(["-nostdlib", "-static", "-no-pie", "-Wl,-s,--build-id=none,-z,noseparate-code", "-o"])
        .args([&out, &asm])
        .output()
        .map_err(|e| format!("run {cc} to build the exec trampoline: {e}"))?;
    if !built.status.success() {
        let said = String::from_utf8_lossy(&built.stderr);
        return Err(format!("{cc} could not build the exec trampoline from {}: {said}", asm.display()));
    }
    Ok(())
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=link/runt.ld");
    // The release binary links no C library: its own entry point (src/sys/rt.rs), and a script
    // that drops the C start-up files rustc adds for musl and the unwind tables; on a glibc
    // target (where rustup has no musl one) the C driver's start-up files are left out instead
    // (-nostartfiles) and .cargo/config.toml asks for a static link. No RELRO: with no dynamic
    // loader nothing would ever make it read-only, and its page alignment costs up to 4 KB of file.
    // No build id either. Unit-test builds (the `unit` profile: debug info on, unwinding to report
    // failures) are std programs on the target's C library.
    let release = env::var("PROFILE").as_deref() == Ok("release") && env::var("DEBUG").as_deref() == Ok("false");
    if release {
        let dir = env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
        println!("cargo:rustc-link-arg-bins=-Wl,-e,runt_start,-T,{dir}/link/runt.ld,-z,norelro,--build-id=none");
        if env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu") {
            println!("cargo:rustc-link-arg-bins=-nostartfiles");
        }
    }
    println!("cargo:rerun-if-changed=src/security/bpf.rs");
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if let Err(e) = generate().and_then(|()| trampoline(&arch)) {
        println!("cargo:warning={e}");
        std::process::exit(1);
    }
}
