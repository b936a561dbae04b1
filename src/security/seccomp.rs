//! Seccomp filters: runt's default (Docker's default profile, compiled to BPF at build time by
//! build.rs) and OCI `linux.seccomp` profiles, compiled at run time with the same assembler.

use super::bpf::{Action, Cmp, Filter, Op};
use crate::error::{dec, push_dec, Error, OrSys, Result};
use crate::sys::seccomp::{self as sys, SockFilter};
use crate::sys::Fd;
use alloc::string::String;
use alloc::vec::Vec;

include!(concat!(env!("OUT_DIR"), "/default_seccomp.rs"));

const EPERM: u16 = 1;

/// The default filter: see build.rs for what it allows and how it differs from Docker's.
pub fn default_filter() -> &'static [SockFilter] {
    &DEFAULT_FILTER
}

/// OCI `linux.seccomp`, as plain data (names as the JSON spells them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// `defaultAction`, e.g. "SCMP_ACT_ERRNO".
    pub default_action: String,
    /// `defaultErrnoRet`.
    pub default_errno_ret: Option<u32>,
    /// `architectures`, e.g. "SCMP_ARCH_X86_64".
    pub architectures: Vec<String>,
    /// `flags`, e.g. "SECCOMP_FILTER_FLAG_LOG".
    pub flags: Vec<String>,
    pub syscalls: Vec<SyscallRule>,
}

/// One entry of `syscalls`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyscallRule {
    pub names: Vec<String>,
    pub action: String,
    /// `errnoRet`: for SCMP_ACT_ERRNO and SCMP_ACT_TRACE (default EPERM).
    pub errno_ret: Option<u32>,
    pub args: Vec<ArgCmp>,
}

/// One entry of `args`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArgCmp {
    pub index: u32,
    pub value: u64,
    /// For SCMP_CMP_MASKED_EQ: `(arg & value) == value_two`.
    pub value_two: u64,
    /// e.g. "SCMP_CMP_EQ".
    pub op: String,
}

/// Compiles an OCI profile for the architecture runt was built for (`NATIVE_ARCH`).
///
/// As runc: syscall names this architecture does not have (or the syscalls crate does not know)
/// are skipped; an argument compared twice in one rule makes each comparison a rule of its own
/// (OR); syscalls newer than any known fail with ENOSYS when the default action denies. The compat
/// ABI in `architectures` (SCMP_ARCH_X86 on x86_64, SCMP_ARCH_ARM on aarch64) gives its syscalls
/// the deny action instead of killing the process (their numbers are not implemented); x32
/// syscalls always get it; other architectures are ignored. Within one syscall, the first
/// conditional rule that matches decides, then an unconditional one.
#[inline(never)]
pub fn compile(profile: &Profile) -> Result<Vec<SockFilter>> {
    let default = action(&profile.default_action, profile.default_errno_ret)?;
    // runt's own syscalls between the filter and execve would wait for an agent that has no
    // listener yet: writing the report that hands the listener over, among them (runc's words).
    if default == Action::Notify {
        return Err(Error::msg("SCMP_ACT_NOTIFY cannot be used as default action"));
    }
    let mut f = Filter::new(NATIVE_ARCH, default);
    if let Some((name, arch)) = COMPAT_ARCH {
        if profile.architectures.iter().any(|a| a == name) {
            f.other_arches.push(arch);
        }
    }
    f.enosys_above = Some(LAST_SYSCALL);
    for rule in &profile.syscalls {
        let act = action(&rule.action, rule.errno_ret)?;
        if let Some(n) = rule.names.iter().find(|n| act == Action::Notify && (*n == "write" || *n == "sendmsg")) {
            return Err(bad("SCMP_ACT_NOTIFY cannot be used for the ", n, " syscall"));
        }
        let mut args = Vec::with_capacity(rule.args.len());
        for a in &rule.args {
            args.push(cmp(a)?);
        }
        let repeated = args.iter().enumerate().any(|(i, a)| args.iter().take(i).any(|b| b.arg == a.arg));
        for name in &rule.names {
            let Some(nr) = syscall_nr(name) else { continue };
            if repeated {
                for c in &args {
                    f.add_if(nr, act, core::slice::from_ref(c));
                }
            } else {
                f.add_if(nr, act, &args);
            }
        }
    }
    f.compile().map_err(|e| Error::msg(e.text()))
}

/// The profile's `flags` as `SECCOMP_FILTER_FLAG_*` bits for [`install`].
#[inline(never)]
pub fn flags(profile: &Profile) -> Result<u32> {
    let mut flags = 0;
    for name in &profile.flags {
        flags |= match name.as_str() {
            "SECCOMP_FILTER_FLAG_TSYNC" => sys::FILTER_FLAG_TSYNC,
            "SECCOMP_FILTER_FLAG_LOG" => sys::FILTER_FLAG_LOG,
            "SECCOMP_FILTER_FLAG_SPEC_ALLOW" => sys::FILTER_FLAG_SPEC_ALLOW,
            _ => return Err(bad("unsupported seccomp flag '", name, "'")),
        };
    }
    // A filter that notifies hands its listener to an agent (linux.seccomp.listenerPath).
    if notifies(profile) {
        flags |= sys::FILTER_FLAG_NEW_LISTENER;
    }
    Ok(flags)
}

/// Whether a rule of `profile` has the action SCMP_ACT_NOTIFY.
pub fn notifies(profile: &Profile) -> bool {
    profile.syscalls.iter().any(|r| r.action == "SCMP_ACT_NOTIFY")
}

/// Sets no_new_privs: execve grants no privileges any more, and a filter can be installed
/// without CAP_SYS_ADMIN.
pub fn set_no_new_privs() -> Result<()> {
    sys::set_no_new_privs().or_what("prctl PR_SET_NO_NEW_PRIVS")
}

/// Installs `prog` on the calling thread (and its future children). Needs no_new_privs, or
/// CAP_SYS_ADMIN; every syscall made afterwards goes through the filter, so this comes last.
/// Returns the filter's listener when `flags` asks for one (see `flags`).
pub fn install(prog: &[SockFilter], flags: u32) -> Result<Option<Fd>> {
    sys::install_filter(prog, flags).or_what("seccomp SECCOMP_SET_MODE_FILTER")
}

/// The default profile as config.json's linux.seccomp, appended to `out` (for `runt spec`): the
/// allow list's names come from the names table rather than a second copy of them, and the
/// personality rules, alike but for the value, from a loop.
pub fn push_default_profile_json(out: &mut String) {
    out.push_str(DEFAULT_PROFILE_HEAD);
    let mut buf = [0; NAME_MAX];
    for n in 0..DEFAULT_ALLOW_LO.len() {
        if n > 0 {
            out.push(',');
        }
        out.push('"');
        for &c in nth_name(nine(&DEFAULT_ALLOW_LO, &DEFAULT_ALLOW_HI, n), &mut buf) {
            out.push(char::from(c));
        }
        out.push('"');
    }
    out.push_str(DEFAULT_PROFILE_TAIL);
    for &p in &DEFAULT_PERSONALITIES {
        out.push_str(r#",{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":"#);
        push_dec(out, p.into());
        out.push_str(r#","op":"SCMP_CMP_EQ"}]}"#);
    }
    out.push_str("]}");
}

/// Entry `i` of a table of numbers below 512 that build.rs split into low bytes and a bitset of
/// bit 8 (half the size of u16s); 0 past its end.
// Out of line (measured): smaller than inlined into its callers.
#[inline(never)]
fn nine(lo: &[u8], hi: &[u8], i: usize) -> usize {
    let bit8 = hi.get(i / 8).map_or(0, |b| (b >> (i % 8)) & 1);
    usize::from(lo.get(i).copied().unwrap_or(0)) | usize::from(bit8) << 8
}

/// Where name `i` starts in SYSCALL_NAMES: the low byte, plus 256 for each place before it
/// where the offsets passed a multiple of 256. (Read while compiling only: see `PACKED`.)
const fn start(i: usize) -> usize {
    let (mut wraps, mut k) = (0, 0);
    while k < SYSCALL_STARTS_WRAPS.len() {
        if SYSCALL_STARTS_WRAPS[k] as usize <= i {
            wraps += 1;
        }
        k += 1;
    }
    SYSCALL_STARTS_LO[i] as usize + 256 * wraps
}

/// Names per block of `PACKED`: the first of a block is kept whole, so name `i` is decoded from
/// at most this many.
const BLOCK: usize = 64;
/// Names are shorter than this (checked while packing).
const NAME_MAX: usize = 32;
const NAMES: usize = SYSCALL_NRS_LO.len();

/// The sorted names front-coded, as build.rs's table is packed while compiling: each name is a
/// byte below 32 saying how many leading bytes it shares with the name before it (0 at the start
/// of a block), then the rest of it. Sorted names share a lot ("sched_get", "timer_"): a third
/// smaller than the names one after the other with a table of where each starts. Returns the
/// length; writes as much as fits in `out`, and where each block starts into `blocks`.
const fn pack(out: &mut [u8], blocks: &mut [u16]) -> usize {
    let (mut i, mut len) = (0, 0);
    let names = SYSCALL_NAMES.as_bytes();
    while i < NAMES {
        let (from, to) = (start(i), start(i + 1));
        assert!(to - from < NAME_MAX && to > from);
        let mut shared = 0;
        if i % BLOCK != 0 {
            let prev = start(i - 1);
            while shared < to - from && prev + shared < from && names[prev + shared] == names[from + shared] {
                shared += 1;
            }
        } else if i / BLOCK < blocks.len() {
            blocks[i / BLOCK] = len as u16;
        }
        let mut k = from + shared;
        if len < out.len() {
            out[len] = shared as u8;
        }
        len += 1;
        while k < to {
            assert!(names[k] >= NAME_MAX as u8);
            if len < out.len() {
                out[len] = names[k];
            }
            len += 1;
            k += 1;
        }
        i += 1;
    }
    assert!(len <= u16::MAX as usize);
    len
}

const PACKED_LEN: usize = pack(&mut [], &mut []);

static PACKED: [u8; PACKED_LEN] = {
    let mut out = [0; PACKED_LEN];
    pack(&mut out, &mut []);
    out
};

static BLOCKS: [u16; NAMES.div_ceil(BLOCK)] = {
    let mut blocks = [0; NAMES.div_ceil(BLOCK)];
    pack(&mut [], &mut blocks);
    blocks
};

/// Name `i` of the sorted names table, decoded into `buf` ("" past its end).
fn nth_name(i: usize, buf: &mut [u8; NAME_MAX]) -> &[u8] {
    // No name is empty: the walk goes on to name `i`.
    let len = walk(i, b"", buf).err().unwrap_or(0);
    buf.get(..len).unwrap_or_default()
}

/// Decodes the names of `i`'s block up to name `i` into `buf`, stopping at the first equal to
/// `want`: Ok(its index), or Err(the length of name `i`).
#[inline(never)]
fn walk(i: usize, want: &[u8], buf: &mut [u8; NAME_MAX]) -> core::result::Result<usize, usize> {
    let first = i - i % BLOCK;
    let mut at = BLOCKS.get(i / BLOCK).map_or(PACKED_LEN, |&b| usize::from(b));
    let mut len = 0;
    for n in first..=i {
        len = PACKED.get(at).map_or(0, |&shared| usize::from(shared));
        at += 1;
        while let Some(&c) = PACKED.get(at).filter(|&&c| usize::from(c) >= NAME_MAX) {
            if let Some(slot) = buf.get_mut(len) {
                *slot = c;
            }
            len += 1;
            at += 1;
        }
        if len == want.len() && buf.starts_with(want) {
            return Ok(n);
        }
    }
    Err(len)
}

/// The number of a syscall name on the target architecture ("openat" -> 257 on x86_64), from the
/// syscalls crate's table: a binary search on the names that start blocks, then a walk through
/// one block.
// Out of line (measured): smaller than inlined into its callers.
#[inline(never)]
pub fn syscall_nr(name: &str) -> Option<u32> {
    let mut buf = [0; NAME_MAX];
    let name = name.as_bytes();
    // The blocks whose first name is not above `name`.
    let (mut lo, mut hi) = (0, BLOCKS.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        if nth_name(mid * BLOCK, &mut buf) <= name {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    let last = (lo * BLOCK).min(NAMES).checked_sub(1)?;
    let i = walk(last, name, &mut buf).ok()?;
    let n = nine(&SYSCALL_NRS_LO, &SYSCALL_NRS_HI, i);
    // arm's private syscalls (see build.rs): `__ARM_NR_BASE` + their place above PRIVATE_FROM.
    Some(if n >= PRIVATE_FROM { 0x0f_0000 + (n - PRIVATE_FROM) } else { n } as u32)
}

/// An error in a profile: `before` `x` `after`, one message.
#[inline(never)]
fn bad(before: &str, x: &str, after: &str) -> Error {
    Error::cat(&[before, x, after])
}

/// The actions by name, after "SCMP_ACT_", separated by spaces (one string is smaller than a
/// table of pointers), and in the same order what they are (ERRNO and TRACE return EPERM unless
/// `errnoRet` says otherwise).
const ACTION_NAMES: &str = "ALLOW ERRNO TRACE KILL KILL_THREAD KILL_PROCESS TRAP LOG NOTIFY";
static ACTIONS: [Action; 9] = [
    Action::Allow,
    Action::Errno(EPERM),
    Action::Trace(EPERM),
    Action::KillThread,
    Action::KillThread,
    Action::KillProcess,
    Action::Trap,
    Action::Log,
    Action::Notify,
];

fn action(name: &str, errno_ret: Option<u32>) -> Result<Action> {
    let short = name.strip_prefix("SCMP_ACT_").unwrap_or_default();
    let Some(&act) = ACTION_NAMES.split(' ').position(|a| a == short).and_then(|i| ACTIONS.get(i)) else {
        return Err(bad("unknown seccomp action '", name, "'"));
    };
    let Some(e) = errno_ret else { return Ok(act) };
    if !matches!(act, Action::Errno(_) | Action::Trace(_)) {
        return Err(bad("seccomp errnoRet given for ", name, ", which returns no errno"));
    }
    let Ok(data) = u16::try_from(e) else {
        return Err(bad("seccomp errnoRet ", &dec(e.into()), " out of range"));
    };
    Ok(if let Action::Trace(_) = act { Action::Trace(data) } else { Action::Errno(data) })
}

#[inline(never)]
fn cmp(a: &ArgCmp) -> Result<Cmp> {
    // In the order of the names after "SCMP_CMP_" below (one string: smaller than a table of
    // pointers).
    const OPS: [Op; 7] = [Op::Ne, Op::Lt, Op::Le, Op::Eq, Op::Ge, Op::Gt, Op::MaskedEq];
    let short = a.op.strip_prefix("SCMP_CMP_").unwrap_or_default();
    let found = "NE LT LE EQ GE GT MASKED_EQ".split(' ').position(|o| o == short);
    let Some(&op) = found.and_then(|i| OPS.get(i)) else {
        return Err(bad("unknown seccomp operator '", &a.op, "'"));
    };
    if a.index > 5 {
        return Err(bad("seccomp argument index ", &dec(a.index.into()), " out of range (0 to 5)"));
    }
    Ok(Cmp { arg: a.index as u8, op, value: a.value, value_two: a.value_two })
}

/// `seccomp_data` for syscall `nr` of the target architecture, for tests that run a filter.
#[cfg(test)]
pub fn native_data(nr: u32, args: &[u64]) -> super::bpf::vm::Data {
    super::bpf::vm::Data::new(NATIVE_ARCH, nr, args)
}

#[cfg(test)]
mod tests {
    use super::super::bpf::vm::{run, run_counted, Data};
    use super::super::bpf::{AUDIT_ARCH_I386, AUDIT_ARCH_RISCV64, AUDIT_ARCH_X86_64, X32_SYSCALL_BIT};
    use super::*;
    use core::str::FromStr;
    use syscalls::Sysno;

    const ALLOW: u32 = Action::Allow.ret();
    const DENY: u32 = Action::Errno(1).ret();
    const NOSYS: u32 = Action::Errno(38).ret();

    fn sys(name: &str, args: &[u64]) -> u32 {
        run(default_filter(), &native_data(nr(name), args))
    }

    /// mmap's name: 32-bit arm has only mmap2 (the offset in pages).
    const MMAP: &str = if cfg!(target_arch = "arm") { "mmap2" } else { "mmap" };

    /// Syscalls of the target architecture alone that the default allows.
    const ARCH_ALLOWED: &[&str] = if cfg!(target_arch = "x86_64") {
        &["arch_prctl", "fork", "vfork", "newfstatat"]
    } else if cfg!(target_arch = "arm") {
        &["set_tls", "cacheflush", "fork", "vfork", "fstatat64", "clock_gettime64", "_llseek", "getuid32"]
    } else if cfg!(target_arch = "riscv64") {
        &["riscv_flush_icache", "newfstatat"]
    } else {
        &["newfstatat"]
    };

    #[test]
    fn default_allows_the_everyday_syscalls() {
        for name in [
            "read",
            "write",
            "openat",
            "close",
            MMAP,
            "execve",
            "exit_group",
            "futex",
            "rt_sigaction",
            "wait4",
            "chroot",
            "setuid",
            "capset",
            "mknodat",
            "name_to_handle_at",
            "seccomp",
            "prctl",
            "getrandom",
            "statx",
            "fchmodat2",
            "io_setup",
            "rseq",
            "clock_adjtime",
        ]
        .iter()
        .chain(ARCH_ALLOWED)
        {
            assert_eq!(sys(name, &[]), ALLOW, "{name}");
        }
    }

    #[test]
    fn default_denies_with_eperm() {
        let denied = [
            "mount",
            "umount2",
            "pivot_root",
            "unshare",
            "setns",
            "keyctl",
            "add_key",
            "request_key",
            "ptrace",
            "process_vm_readv",
            "process_vm_writev",
            "kcmp",
            "pidfd_getfd",
            "bpf",
            "perf_event_open",
            "userfaultfd",
            "open_by_handle_at",
            "fanotify_init",
            "kexec_load",
            "kexec_file_load",
            "init_module",
            "finit_module",
            "delete_module",
            "create_module",
            "get_kernel_syms",
            "query_module",
            "reboot",
            "swapon",
            "swapoff",
            "acct",
            "quotactl",
            "lookup_dcookie",
            "nfsservctl",
            "iopl",
            "ioperm",
            "uselib",
            "sysfs",
            "_sysctl",
            "syslog",
            "settimeofday",
            "clock_settime",
            "sethostname",
            "setdomainname",
            "io_uring_setup",
            "io_uring_enter",
            "mbind",
            "set_mempolicy",
            "get_mempolicy",
            "move_pages",
            "migrate_pages",
            "vhangup",
            "ustat",
            "fsopen",
            "open_tree",
            "move_mount",
            "mount_setattr",
        ];
        // Some are x86's alone (iopl, create_module, ...): the others must be denied everywhere.
        let known: Vec<&str> = denied.into_iter().filter(|n| Sysno::from_str(n).is_ok()).collect();
        assert!(known.len() >= 40, "only {} of the names exist here", known.len());
        for name in known {
            assert_eq!(sys(name, &[]), DENY, "{name}");
        }
    }

    #[test]
    fn default_clone_without_namespaces_and_clone3_enosys() {
        const CLONE_THREAD_FLAGS: u64 = 0x003d_0f00; // what pthread_create passes
        const SIGCHLD: u64 = 17;
        assert_eq!(sys("clone", &[CLONE_THREAD_FLAGS]), ALLOW);
        assert_eq!(sys("clone", &[SIGCHLD]), ALLOW);
        for ns in [0x0002_0000u64, 0x0200_0000, 0x0400_0000, 0x0800_0000, 0x1000_0000, 0x2000_0000, 0x4000_0000] {
            assert_eq!(sys("clone", &[SIGCHLD | ns]), DENY, "{ns:#x}");
        }
        assert_eq!(sys("clone3", &[]), NOSYS);
    }

    #[test]
    fn default_personality_and_socket_arguments() {
        for p in [0u64, 8, 0x2_0000, 0x2_0008, 0xffff_ffff] {
            assert_eq!(sys("personality", &[p]), ALLOW, "{p:#x}");
        }
        for p in [0x0004_0000u64, 0x0040_0000, 9, 0x1_0000_0000, 0xffff_ffff_ffff_ffff] {
            assert_eq!(sys("personality", &[p]), DENY, "{p:#x}");
        }
        assert_eq!(sys("socket", &[2, 1, 0]), ALLOW); // AF_INET
        assert_eq!(sys("socket", &[16, 3, 0]), ALLOW); // AF_NETLINK
        assert_eq!(sys("socket", &[40, 1, 0]), DENY); // AF_VSOCK
        assert_eq!(sys("socket", &[0x1_0000_0028, 1, 0]), DENY); // AF_VSOCK in disguise
    }

    #[test]
    fn default_architectures_x32_and_new_syscalls() {
        let p = default_filter();
        // The compat ABI's syscalls are denied (x86 on x86_64, arm on aarch64); a foreign
        // architecture's kill the process.
        if let Some((_, compat)) = COMPAT_ARCH {
            assert_eq!(run(p, &Data::new(compat, 3, &[])), DENY);
        }
        let foreign = if NATIVE_ARCH == AUDIT_ARCH_RISCV64 { AUDIT_ARCH_X86_64 } else { AUDIT_ARCH_RISCV64 };
        assert_eq!(run(p, &Data::new(foreign, 63, &[])), Action::KillProcess.ret());
        if NATIVE_ARCH == AUDIT_ARCH_X86_64 {
            assert_eq!(COMPAT_ARCH, Some(("SCMP_ARCH_X86", AUDIT_ARCH_I386)));
            assert_eq!(run(p, &native_data(X32_SYSCALL_BIT, &[])), DENY);
            assert_eq!(run(p, &native_data(X32_SYSCALL_BIT | 512, &[])), DENY);
        }
        let last = Sysno::last().id() as u32;
        assert_eq!(LAST_SYSCALL, last);
        assert_eq!(run(p, &native_data(last + 1, &[])), NOSYS);
        assert_eq!(run(p, &native_data(X32_SYSCALL_BIT - 1, &[])), NOSYS);
        // Gaps in the table below the last known syscall are denied, not ENOSYS.
        let gap = (0..last).find(|&n| Sysno::new(n as usize).is_none()).unwrap();
        assert_eq!(run(p, &native_data(gap, &[])), DENY, "{gap}");
    }

    #[test]
    fn default_is_short_and_fast() {
        let p = default_filter();
        assert!(p.len() < 256, "{} instructions", p.len());
        let worst = (0..520).map(|nr| run_counted(p, &native_data(nr, &[])).1).max().unwrap_or(0);
        assert!(worst <= 24, "{worst} instructions for the slowest syscall");
    }

    fn rule(names: &[&str], action: &str, args: &[(u32, &str, u64, u64)]) -> SyscallRule {
        SyscallRule {
            names: names.iter().map(|n| String::from(*n)).collect(),
            action: action.into(),
            errno_ret: None,
            args: args
                .iter()
                .map(|&(index, op, value, value_two)| ArgCmp { index, value, value_two, op: op.into() })
                .collect(),
        }
    }

    fn profile(default: &str, syscalls: Vec<SyscallRule>) -> Profile {
        Profile { default_action: default.into(), syscalls, ..Profile::default() }
    }

    fn nr(name: &str) -> u32 {
        syscall_nr(name).unwrap_or_else(|| panic!("{name} is not a syscall here"))
    }

    #[test]
    fn oci_profile_compiles_like_runc() {
        let mut p = profile(
            "SCMP_ACT_ERRNO",
            vec![
                rule(&["read", "write", "chown32", "no_such_syscall"], "SCMP_ACT_ALLOW", &[]),
                rule(&["getpid"], "SCMP_ACT_ERRNO", &[]),
                rule(&["kill"], "SCMP_ACT_ALLOW", &[(1, "SCMP_CMP_LE", 15, 0), (0, "SCMP_CMP_GT", 1, 0)]),
                // index 0 twice: the comparisons are ORed (runc)
                rule(&["personality"], "SCMP_ACT_ALLOW", &[(0, "SCMP_CMP_EQ", 0, 0), (0, "SCMP_CMP_EQ", 8, 0)]),
                rule(&[MMAP], "SCMP_ACT_ALLOW", &[(2, "SCMP_CMP_MASKED_EQ", 4, 0)]),
                rule(&["uname"], "SCMP_ACT_LOG", &[]),
            ],
        );
        p.syscalls[1].errno_ret = Some(38);
        p.architectures =
            ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"].map(String::from).into();
        let prog = compile(&p).unwrap();
        let r = |name: &str, args: &[u64]| run(&prog, &native_data(nr(name), args));
        assert_eq!(r("read", &[]), ALLOW);
        assert_eq!(r("write", &[]), ALLOW);
        assert_eq!(r("getpid", &[]), NOSYS);
        assert_eq!(r("kill", &[2, 15]), ALLOW);
        assert_eq!(r("kill", &[2, 16]), DENY);
        assert_eq!(r("kill", &[1, 9]), DENY);
        assert_eq!(r("kill", &[0x1_0000_0000, 9]), ALLOW); // 64-bit comparison
        assert_eq!(r("personality", &[0]), ALLOW);
        assert_eq!(r("personality", &[8]), ALLOW);
        assert_eq!(r("personality", &[4]), DENY);
        assert_eq!(r(MMAP, &[0, 0, 3]), ALLOW);
        assert_eq!(r(MMAP, &[0, 0, 7]), DENY); // PROT_EXEC
        assert_eq!(r("uname", &[]), Action::Log.ret());
        assert_eq!(r("getppid", &[]), DENY);
        if let Some((_, compat)) = COMPAT_ARCH {
            assert_eq!(run(&prog, &Data::new(compat, 3, &[])), DENY);
        }
        let foreign = if NATIVE_ARCH == AUDIT_ARCH_RISCV64 { AUDIT_ARCH_X86_64 } else { AUDIT_ARCH_RISCV64 };
        assert_eq!(run(&prog, &Data::new(foreign, 3, &[])), Action::KillProcess.ret());
        assert_eq!(run(&prog, &native_data(nr("read"), &[])), ALLOW);

        // Allow by default with a block list; x32 must not slip past it.
        let p = profile("SCMP_ACT_ALLOW", vec![rule(&["mount"], "SCMP_ACT_KILL_PROCESS", &[])]);
        let prog = compile(&p).unwrap();
        assert_eq!(run(&prog, &native_data(nr("mount"), &[])), Action::KillProcess.ret());
        assert_eq!(run(&prog, &native_data(nr("read"), &[])), ALLOW);
        assert_eq!(run(&prog, &native_data(1000, &[])), ALLOW);
        if NATIVE_ARCH == AUDIT_ARCH_X86_64 {
            assert_eq!(run(&prog, &native_data(X32_SYSCALL_BIT | 165, &[])), DENY);
        }
    }

    #[test]
    fn oci_profile_errors_name_the_culprit() {
        let err = |p: &Profile| compile(p).unwrap_err().to_string();
        assert_eq!(err(&profile("SCMP_ACT_NOPE", vec![])), "unknown seccomp action 'SCMP_ACT_NOPE'");
        let p = profile("SCMP_ACT_ERRNO", vec![rule(&["read"], "SCMP_ACT_ALOW", &[])]);
        assert_eq!(err(&p), "unknown seccomp action 'SCMP_ACT_ALOW'");
        // runt's own writes and the handing over of the listener must not wait for the agent
        assert_eq!(err(&profile("SCMP_ACT_NOTIFY", vec![])), "SCMP_ACT_NOTIFY cannot be used as default action");
        let p = profile("SCMP_ACT_ALLOW", vec![rule(&["mkdir", "sendmsg"], "SCMP_ACT_NOTIFY", &[])]);
        assert_eq!(err(&p), "SCMP_ACT_NOTIFY cannot be used for the sendmsg syscall");
        let p = profile("SCMP_ACT_ALLOW", vec![rule(&["write"], "SCMP_ACT_NOTIFY", &[])]);
        assert_eq!(err(&p), "SCMP_ACT_NOTIFY cannot be used for the write syscall");
        let p = profile("SCMP_ACT_ERRNO", vec![rule(&["read"], "SCMP_ACT_ALLOW", &[(0, "SCMP_CMP_LIKE", 1, 0)])]);
        assert_eq!(err(&p), "unknown seccomp operator 'SCMP_CMP_LIKE'");
        let p = profile("SCMP_ACT_ERRNO", vec![rule(&["read"], "SCMP_ACT_ALLOW", &[(6, "SCMP_CMP_EQ", 1, 0)])]);
        assert_eq!(err(&p), "seccomp argument index 6 out of range (0 to 5)");
        let mut p = profile("SCMP_ACT_ERRNO", vec![rule(&["read"], "SCMP_ACT_ALLOW", &[])]);
        p.syscalls[0].errno_ret = Some(1);
        assert_eq!(err(&p), "seccomp errnoRet given for SCMP_ACT_ALLOW, which returns no errno");
        p.syscalls[0].action = "SCMP_ACT_ERRNO".into();
        p.syscalls[0].errno_ret = Some(70000);
        assert_eq!(err(&p), "seccomp errnoRet 70000 out of range");
        // An unknown syscall name is not an error.
        let p = profile("SCMP_ACT_ERRNO", vec![rule(&["not_a_syscall"], "SCMP_ACT_ALLOW", &[])]);
        assert!(compile(&p).is_ok());
    }

    /// The table build.rs makes: the syscalls crate's for the target, with aarch64's fixed up
    /// (79 is newfstatat; no `*_time64` calls on a 64-bit kernel) and arm's private calls added.
    fn expected_table() -> Vec<(&'static str, u32)> {
        let aarch64 = cfg!(target_arch = "aarch64");
        let mut table: Vec<(&str, u32)> = (0..=Sysno::last().id())
            .filter_map(|n| Sysno::new(n as usize))
            .map(|s| (if aarch64 && s.name() == "fstatat" { "newfstatat" } else { s.name() }, s.id() as u32))
            .filter(|e| !(aarch64 && (403..=423).contains(&e.1)))
            .collect();
        if cfg!(target_arch = "arm") {
            table.extend(ARM_PRIVATE);
        }
        table
    }

    const ARM_PRIVATE: [(&str, u32); 6] = [
        ("breakpoint", 0xf_0001),
        ("cacheflush", 0xf_0002),
        ("usr26", 0xf_0003),
        ("usr32", 0xf_0004),
        ("set_tls", 0xf_0005),
        ("get_tls", 0xf_0006),
    ];

    #[test]
    fn syscall_names_are_the_syscalls_crates() {
        let table = expected_table();
        for &(name, n) in &table {
            assert_eq!(syscall_nr(name), Some(n), "{name}");
        }
        // openat: the generic table's number on aarch64 and riscv64, each of the others its own.
        let openat = if cfg!(target_arch = "x86_64") {
            257
        } else if cfg!(target_arch = "arm") {
            322
        } else {
            56
        };
        assert_eq!(syscall_nr("openat"), Some(openat));
        assert_eq!(syscall_nr("newfstatat").is_some(), cfg!(target_pointer_width = "64"));
        // 32-bit ABIs only; arm's private syscalls on arm only.
        assert_eq!(syscall_nr("chown32").is_some(), cfg!(target_arch = "arm"));
        assert_eq!(syscall_nr("clock_gettime64").is_some(), cfg!(target_arch = "arm"));
        assert_eq!(syscall_nr("set_tls"), Some(0xf_0005).filter(|_| cfg!(target_arch = "arm")));
        assert_eq!(syscall_nr(""), None);
        assert_eq!(syscall_nr("read write"), None);
        assert_eq!(syscall_nr("zzz"), None);
        let mut sorted: Vec<&str> = table.iter().map(|e| e.0).collect();
        sorted.sort_unstable();
        let mut buf = [0; NAME_MAX];
        for (i, n) in sorted.iter().enumerate() {
            assert_eq!(nth_name(i, &mut buf), n.as_bytes(), "{i}");
        }
        assert_eq!(nth_name(sorted.len(), &mut buf), b"");
        assert_eq!(nth_name(10_000, &mut buf), b"");
    }

    #[test]
    fn oci_flags() {
        let mut p = Profile::default();
        assert_eq!(flags(&p), Ok(0));
        p.flags = vec!["SECCOMP_FILTER_FLAG_LOG".into(), "SECCOMP_FILTER_FLAG_SPEC_ALLOW".into()];
        assert_eq!(flags(&p), Ok(6));
        // a notifying rule asks for the listener; the flag itself is runt's to set
        p.default_action = "SCMP_ACT_ALLOW".into();
        p.syscalls = vec![rule(&["mkdirat"], "SCMP_ACT_NOTIFY", &[])];
        assert_eq!(flags(&p), Ok(6 | sys::FILTER_FLAG_NEW_LISTENER));
        let prog = compile(&p).unwrap();
        assert_eq!(run(&prog, &native_data(nr("mkdirat"), &[])), Action::Notify.ret());
        p.flags.push("SECCOMP_FILTER_FLAG_NEW_LISTENER".into());
        assert_eq!(flags(&p).unwrap_err().to_string(), "unsupported seccomp flag 'SECCOMP_FILTER_FLAG_NEW_LISTENER'");
    }
}
