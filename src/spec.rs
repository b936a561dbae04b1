//! `Spec`: the one checked description of a container. `runt run`'s flags (run/spec.rs) and an
//! OCI config.json (oci/config/) produce it; nothing downstream knows which door it came through.
//! Also the defaults a container gets where its door asks for them: the mounts of a fresh root,
//! the masked and read-only paths.

use crate::error::Result;
use crate::security::caps::Caps;
use crate::security::devices;
use crate::security::rlimits::Rlimit;
use crate::sys::mount::{MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_RDONLY, MS_STRICTATIME};
use crate::sys::process::SchedAttr;
use crate::sys::seccomp::SockFilter;
use crate::userns::UserNs;
use alloc::string::String;
use alloc::vec::Vec;

#[derive(Debug, PartialEq)]
pub struct Spec {
    pub name: String,
    pub hostname: String,
    /// argv of the container's pid 1; never empty.
    pub args: Vec<String>,
    /// KEY=VALUE strings, the last one for a key wins.
    pub env: Vec<String>,
    /// Absolute path inside the container.
    pub cwd: String,
    pub user: Option<User>,
    /// `runt run -u USER[:GROUP]`, looked up in the container's /etc/passwd and /etc/group once
    /// inside its root (passwd.rs): the ids found there replace `user` and the additional gids.
    pub user_lookup: Option<String>,
    pub root: Root,
    /// CLONE_NEW* namespaces to create. The user namespace goes by `userns`; the cgroup namespace
    /// is entered after the cgroup is joined.
    pub namespaces: u32,
    /// Existing namespaces to join with setns: (CLONE_NEW* type, path of the namespace file).
    pub join: Vec<(u32, String)>,
    /// Everything mounted in the container, in order: fresh filesystems and bind mounts.
    pub mounts: Vec<Mount>,
    /// How many of the first `mounts` (`runt run`'s defaults) are skipped where their mount point
    /// is missing on the host's read-only `/`; any other mount without one there is an error.
    pub optional_mounts: usize,
    pub limits: Limits,
    /// The five capability sets of the command.
    pub caps: Caps,
    pub rlimits: Vec<Rlimit>,
    pub oom_score_adj: Option<i32>,
    /// Paths hidden from the container (kernel information and interfaces).
    pub masked_paths: Vec<String>,
    /// Paths the container may read but not write.
    pub readonly_paths: Vec<String>,
    /// Which devices the container may use (None: any, as with --privileged).
    pub device_rules: Option<Vec<devices::Rule>>,
    /// Host device nodes created in the container's /dev.
    pub device_nodes: Vec<devices::Node>,
    /// A user namespace and its id maps (None: the host's).
    pub userns: Option<UserNs>,
    /// prctl(PR_SET_NO_NEW_PRIVS): setuid binaries and file capabilities grant nothing.
    pub no_new_privs: bool,
    pub seccomp: Seccomp,
    /// `runt run --init`: the container's pid 1 is runt's tiny init, the command its child
    /// (reaper.rs).
    pub init: bool,
    /// A pty runt relays itself (process.terminal without a console socket) gets only output:
    /// runt's stdin is not read (`runt run -t` without `-i`, as Docker's).
    pub pty_output_only: bool,
    /// The rest serves the OCI door (config.json); `runt run` leaves the defaults.
    pub oci: Oci,
}

/// What config.json can say that `runt run` has no flag for.
#[derive(Debug, PartialEq, Default)]
pub struct Oci {
    pub version: String,
    /// The bundle directory (absolute), for the state hooks and `runt state` report.
    pub bundle: String,
    /// --no-new-keyring: stay in runt's session keyring.
    pub keep_keyring: bool,
    /// --preserve-fds N: descriptors 3 to 3+N-1 reach the command open (socket activation).
    pub preserve_fds: u32,
    pub domainname: Option<String>,
    pub umask: Option<u32>,
    pub additional_gids: Vec<u32>,
    /// process.terminal (`runt run -t`): a pty, whose master goes to --console-socket, or to runt
    /// in the foreground without one.
    pub terminal: bool,
    pub console_size: Option<(u16, u16)>,
    /// linux.sysctl: the file below /proc/sys ("net/ipv4/ip_forward") and the value, written
    /// once the container's namespaces exist, before /proc/sys is made read-only.
    pub sysctl: Vec<(String, String)>,
    /// MS_* propagation of the container's root (linux.rootfsPropagation); 0: private.
    pub rootfs_propagation: u32,
    /// linux.cgroupsPath, relative to each hierarchy's root; None: runt/NAME.
    pub cgroups_path: Option<String>,
    pub hooks: Hooks,
    pub annotations: Vec<(String, String)>,
    /// linux.seccomp.listenerPath and listenerMetadata, for a filter with SCMP_ACT_NOTIFY rules:
    /// the socket its listener goes to (seccomp_agent), and what the agent is told with it.
    pub seccomp_listener: Option<(String, Option<String>)>,
    /// Capability names in process.capabilities that runt does not know (the door warns).
    pub unknown_caps: Vec<String>,
    /// What the kernel keeps for the process besides its identity (runtime-spec 1.1 and 1.2),
    /// applied by `tuning`.
    pub tuning: Tuning,
}

/// The process's scheduling, I/O priority, memory policy, execution domain and CPUs, and the
/// clocks of its time namespace. None: as inherited from runt.
#[derive(Debug, PartialEq, Default)]
pub struct Tuning {
    /// process.scheduler: the policy, its parameters and the nice value.
    pub scheduler: Option<SchedAttr>,
    /// process.ioPriority as ioprio_set takes it: class << 13 | level.
    pub io_priority: Option<u32>,
    /// linux.memoryPolicy: set_mempolicy's mode with its MPOL_F_* flags, and the nodes (a mask).
    pub memory_policy: Option<(u32, Vec<u64>)>,
    /// linux.personality: the execution domain (PER_LINUX, PER_LINUX32).
    pub personality: Option<u32>,
    /// process.execCPUAffinity, for an exec'd process only (the spec's rule): the CPUs it runs
    /// on until it is in the container's cgroup, and from then on (masks).
    pub exec_cpus: [Option<Vec<u64>>; 2],
    /// A new time namespace (linux.namespaces "time"), with the offsets of CLOCK_MONOTONIC and
    /// CLOCK_BOOTTIME (seconds, nanoseconds) from linux.timeOffsets. A joined one is in `join`.
    pub time_offsets: Option<[(i64, u32); 2]>,
}

#[derive(Debug, PartialEq, Clone, Default)]
pub struct Hook {
    pub path: String,
    /// argv, including argv[0].
    pub args: Vec<String>,
    pub env: Vec<String>,
    /// Seconds; None: no limit.
    pub timeout: Option<u32>,
}

#[derive(Debug, PartialEq, Clone, Default)]
pub struct Hooks {
    pub prestart: Vec<Hook>,
    pub create_runtime: Vec<Hook>,
    pub create_container: Vec<Hook>,
    pub start_container: Vec<Hook>,
    pub poststart: Vec<Hook>,
    pub poststop: Vec<Hook>,
}

#[derive(Debug, PartialEq, Clone)]
pub enum Seccomp {
    /// runt's built-in profile (Docker's default in effect).
    Default,
    Unconfined,
    /// A filter compiled from config.json's linux.seccomp, with its SECCOMP_FILTER_FLAG_* flags.
    Custom {
        filter: Vec<SockFilter>,
        flags: u32,
    },
}

/// What a container must not see: kernel memory, keys, timers and hardware interfaces. Paths
/// separated by spaces (here and below): one string is smaller than a table of pointers.
pub const MASKED_PATHS: &str = "/proc/acpi /proc/kcore /proc/keys /proc/latency_stats /proc/timer_list \
    /proc/timer_stats /proc/sched_debug /proc/scsi /sys/firmware";

/// What a container may read but must not change: kernel tunables and triggers.
pub const READONLY_PATHS: &str = "/proc/asound /proc/bus /proc/fs /proc/irq /proc/sys /proc/sysrq-trigger";

#[derive(Debug, PartialEq, Clone, Copy)]
pub struct User {
    pub uid: u32,
    pub gid: u32,
}

#[derive(Debug, PartialEq)]
pub struct Root {
    /// None: the host's own `/` with its submounts, all read-only (rootfs::stage_root).
    pub path: Option<String>,
    pub readonly: bool,
}

/// One mount: a fresh filesystem (`fstype` set) or a bind mount (`flags` has MS_BIND).
#[derive(Debug, PartialEq, Clone)]
pub struct Mount {
    /// Absolute path inside the container, resolved inside the rootfs.
    pub destination: String,
    /// A host path for bind mounts (resolved by the host's rules); the device name otherwise.
    pub source: String,
    /// Empty for bind mounts.
    pub fstype: String,
    /// MS_* flags: MS_BIND/MS_REC for binds, MS_RDONLY, MS_NOSUID, ...
    pub flags: u32,
    /// Filesystem options ("mode=755,size=65536k").
    pub data: String,
    /// MS_PRIVATE, MS_SHARED, ... (with MS_REC) applied after mounting; 0 to leave it.
    pub propagation: u32,
    /// MOUNT_ATTR_* bits set and cleared on the mount and every mount below it (rro, rnosuid,
    /// ...: mount_setattr with AT_RECURSIVE) after mounting; both 0 to leave them.
    pub attr_set: u32,
    pub attr_clear: u32,
    /// Where the kernel cannot set them (mount_setattr, Linux 5.12), the recursive attributes
    /// are left out rather than refused: `runt run`'s `:ro`, whose top is read-only anyway.
    pub attrs_optional: bool,
    /// tmpcopyup: a fresh tmpfs starts with a copy of what the rootfs has at its destination.
    pub copy_up: bool,
}

impl Mount {
    /// A mount with nothing set but what is given (no propagation, no recursive attributes).
    pub fn new(destination: &str, source: &str, fstype: &str, flags: u32, data: String) -> Mount {
        Mount {
            destination: String::from(destination),
            source: String::from(source),
            fstype: String::from(fstype),
            flags,
            data,
            propagation: 0,
            attr_set: 0,
            attr_clear: 0,
            attrs_optional: false,
            copy_up: false,
        }
    }

    pub fn is_bind(&self) -> bool {
        self.flags & MS_BIND != 0
    }
}

/// What `runt run` mounts before its volumes, one per line: the filesystem type (also the
/// source), the destination and the data; the flags are in `DEFAULT_MOUNT_FLAGS`. (One text
/// rather than a table of strings: four pointers a mount cost more than the text.) The host's
/// /run holds the host's sockets and pid files: the default rootfs (host /) gets a fresh one (the
/// last line); a rootfs of the user's own keeps its /run.
const DEFAULT_MOUNTS: &str = "proc /proc \n\
    tmpfs /dev mode=755,size=65536k\n\
    devpts /dev/pts newinstance,ptmxmode=0666,mode=0620\n\
    tmpfs /dev/shm mode=1777,size=65536k\n\
    mqueue /dev/mqueue \n\
    sysfs /sys \n\
    tmpfs /tmp mode=1777\n\
    tmpfs /run mode=755";

const DEFAULT_MOUNT_FLAGS: [u32; 8] = [
    MS_NOSUID | MS_NODEV | MS_NOEXEC,
    MS_NOSUID | MS_STRICTATIME,
    MS_NOSUID | MS_NOEXEC,
    MS_NOSUID | MS_NODEV | MS_NOEXEC,
    MS_NOSUID | MS_NODEV | MS_NOEXEC,
    MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY,
    MS_NOSUID | MS_NODEV,
    MS_NOSUID | MS_NODEV,
];

pub fn default_mounts(host_root: bool) -> Vec<Mount> {
    let mut m = Vec::new();
    for (line, &flags) in DEFAULT_MOUNTS.split('\n').zip(&DEFAULT_MOUNT_FLAGS) {
        let mut f = line.split(' ');
        let (fstype, destination) = (f.next().unwrap_or_default(), f.next().unwrap_or_default());
        if destination == "/run" && !host_root {
            break;
        }
        m.push(Mount {
            destination: String::from(destination),
            source: String::from(fstype),
            fstype: String::from(fstype),
            flags,
            data: String::from(f.next().unwrap_or_default()),
            propagation: 0,
            attr_set: 0,
            attr_clear: 0,
            attrs_optional: false,
            copy_up: false,
        });
    }
    m
}

/// The CFS period runt uses for `--cpus` and for OCI limits that give no period (the kernel's
/// and Docker's default), in microseconds.
pub const CPU_PERIOD_US: u64 = 100_000;

/// A limit set to "no limit" (`runt update --memory -1`): written as -1 or "max".
pub const UNLIMITED: u64 = u64::MAX;

/// The smallest memory limit `runt run -m` takes, as Docker: 6 MB.
pub const MIN_MEMORY_RUN: u64 = 6 << 20;

/// The smallest memory limit a config.json may give (2 MiB): runc 1.1 fails below about 2.2 MB
/// (its init alone uses that much when the limit is set), crun likewise; no container starts
/// under a few hundred KiB. Above it, what a container needs is the engine's call.
pub const MIN_MEMORY_OCI: u64 = 2 << 20;

/// The kernel's bounds for a CFS period and the smallest quota, in microseconds.
pub const CPU_PERIOD_RANGE: core::ops::RangeInclusive<u64> = 1_000..=1_000_000;
pub const CPU_QUOTA_MIN: u64 = 1_000;

/// Cgroup limits. None: not set (create: the kernel's default; update: left as it is).
/// `UNLIMITED` in a u64 field: back to no limit.
#[derive(Debug, PartialEq, Default, Clone)]
pub struct Limits {
    pub pids: Option<u64>,
    pub memory: Option<u64>,
    pub memory_reservation: Option<u64>,
    /// Memory plus swap (v1 memsw semantics); -1: unlimited. None: the same as `memory`.
    pub memory_swap: Option<i64>,
    pub cpu_shares: Option<u64>,
    pub cpuset_cpus: Option<String>,
    pub cpuset_mems: Option<String>,
    pub blkio_weight: Option<u16>,
    /// linux.resources.unified: v2 files written as given.
    pub unified: Vec<(String, String)>,
    /// CFS quota in microseconds per `cpu_period` (or `CPU_PERIOD_US`) microseconds.
    pub cpu_quota: Option<u64>,
    /// CFS period in microseconds, applied with or without a quota.
    pub cpu_period: Option<u64>,
    /// Realtime scheduling (v1 only): period and runtime in microseconds; runtime -1: unlimited.
    pub cpu_rt_period: Option<u64>,
    pub cpu_rt_runtime: Option<i64>,
}

impl Limits {
    pub fn any(&self) -> bool {
        // Destructured so that a new field cannot be forgotten here.
        let Limits {
            pids,
            memory,
            memory_reservation,
            memory_swap,
            cpu_shares,
            cpuset_cpus,
            cpuset_mems,
            blkio_weight,
            unified,
            cpu_quota,
            cpu_period,
            cpu_rt_period,
            cpu_rt_runtime,
        } = self;
        pids.is_some()
            || memory.is_some()
            || memory_reservation.is_some()
            || memory_swap.is_some()
            || cpu_shares.is_some()
            || cpuset_cpus.is_some()
            || cpuset_mems.is_some()
            || blkio_weight.is_some()
            || !unified.is_empty()
            || cpu_quota.is_some()
            || cpu_period.is_some()
            || cpu_rt_period.is_some()
            || cpu_rt_runtime.is_some()
    }

    /// The checks every door's limits pass: what the kernel would refuse or take for nonsense,
    /// said before anything is made. (Each door checks the forms of its own input.)
    #[inline(never)]
    pub fn check(&self) -> core::result::Result<(), String> {
        use crate::error::{cat, dec};
        if let (Some(sw), Some(m)) = (self.memory_swap, self.memory) {
            if sw != -1 && m != UNLIMITED && (sw as u64) < m {
                return Err(cat(&[
                    "memory+swap limit (",
                    &dec(sw as u64),
                    ") should be >= memory limit (",
                    &dec(m),
                    ")",
                ]));
            }
        }
        if let Some(p) = self.cpu_period.filter(|p| !CPU_PERIOD_RANGE.contains(p)) {
            return Err(cat(&["cpu period ", &dec(p), " is out of range: 1000 to 1000000 microseconds"]));
        }
        if let Some(q) = self.cpu_quota.filter(|&q| q != UNLIMITED && q < CPU_QUOTA_MIN) {
            return Err(cat(&["cpu quota ", &dec(q), " is below the kernel's minimum of 1000 microseconds"]));
        }
        if let (Some(rt), Some(p)) = (self.cpu_rt_runtime, self.cpu_rt_period) {
            if rt > 0 && rt as u64 > p {
                return Err(cat(&["cpu realtime runtime (", &dec(rt as u64), ") exceeds its period (", &dec(p), ")"]));
            }
        }
        Ok(())
    }
}

impl Spec {
    /// A spec that says nothing: both doors fill one in place, so an error on the way drops one
    /// value, and the empty fields are written by one copy of the code.
    #[inline(never)]
    pub fn blank() -> Spec {
        Spec {
            name: String::new(),
            hostname: String::new(),
            args: Vec::new(),
            env: Vec::new(),
            cwd: String::new(),
            user: None,
            user_lookup: None,
            optional_mounts: 0,
            root: Root { path: None, readonly: false },
            namespaces: 0,
            join: Vec::new(),
            mounts: Vec::new(),
            limits: Limits::default(),
            caps: Caps::default(),
            rlimits: Vec::new(),
            oom_score_adj: None,
            masked_paths: Vec::new(),
            readonly_paths: Vec::new(),
            device_rules: None,
            device_nodes: Vec::new(),
            userns: None,
            no_new_privs: false,
            seccomp: Seccomp::Unconfined,
            init: false,
            pty_output_only: false,
            oci: Oci::default(),
        }
    }
}

impl Spec {
    /// Reads the host device nodes `--device` named, and allows them in the device rules.
    #[inline(never)]
    pub fn resolve_devices(&mut self) -> Result<()> {
        for node in &mut self.device_nodes {
            devices::resolve(node)?;
            if let Some(rules) = &mut self.device_rules {
                rules.push(node.rule());
            }
        }
        Ok(())
    }
}

/// The paths as owned strings.
#[inline(never)]
pub fn owned(paths: &[&str]) -> Vec<String> {
    let mut v = Vec::with_capacity(paths.len());
    for p in paths {
        v.push(String::from(*p));
    }
    v
}

/// The words of `list` (separated by single spaces) as owned strings.
#[inline(never)]
pub fn words(list: &str) -> Vec<String> {
    let mut v = Vec::new();
    for w in list.split(' ') {
        v.push(String::from(w));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn default_mounts_in_order() {
        let (nsd, nse) = (MS_NOSUID | MS_NODEV, MS_NOSUID | MS_NOEXEC);
        let want = [
            ("proc", "/proc", nsd | MS_NOEXEC, ""),
            ("tmpfs", "/dev", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k"),
            ("devpts", "/dev/pts", nse, "newinstance,ptmxmode=0666,mode=0620"),
            ("tmpfs", "/dev/shm", nsd | MS_NOEXEC, "mode=1777,size=65536k"),
            ("mqueue", "/dev/mqueue", nsd | MS_NOEXEC, ""),
            ("sysfs", "/sys", nsd | MS_NOEXEC | MS_RDONLY, ""),
            ("tmpfs", "/tmp", nsd, "mode=1777"),
            ("tmpfs", "/run", nsd, "mode=755"),
        ];
        let got = default_mounts(true);
        assert_eq!(got.len(), want.len());
        for (m, w) in got.iter().zip(want) {
            assert_eq!((m.fstype.as_str(), m.destination.as_str(), m.flags, m.data.as_str()), w);
            assert_eq!((m.source.as_str(), m.propagation, m.copy_up), (w.0, 0, false));
        }
        assert_eq!(default_mounts(false)[..], got[..7]);
    }

    #[test]
    fn limits_any() {
        assert!(!Limits::default().any());
        assert!(Limits { cpu_period: Some(50_000), ..Limits::default() }.any());
        assert!(Limits { pids: Some(1), ..Limits::default() }.any());
        assert!(Limits { cpuset_mems: Some("0".into()), ..Limits::default() }.any());
        assert!(Limits { blkio_weight: Some(10), ..Limits::default() }.any());
        assert!(Limits { unified: vec![("a".into(), "b".into())], ..Limits::default() }.any());
    }
}
