//! The security layer as a user sees it: the capability sets, no_new_privs and seccomp mode of
//! the command; hostile actions from inside a default container, each of which must fail (with,
//! where it proves something, a control run in which the same probe command succeeds, so that a
//! test cannot pass because the probe itself is broken); masked and read-only paths; devices;
//! rlimits and the OOM score. Every test names its container and checks that its cgroup is gone.

mod common;

use common::*;
use std::fs;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixListener};
use std::path::Path;
use std::process::{Command, Output};

/// Docker's (and the OCI default config's) capability set, by number.
const DEFAULT_CAP_BITS: &[(u32, &str)] = &[
    (0, "CHOWN"),
    (1, "DAC_OVERRIDE"),
    (3, "FOWNER"),
    (4, "FSETID"),
    (5, "KILL"),
    (6, "SETGID"),
    (7, "SETUID"),
    (8, "SETPCAP"),
    (10, "NET_BIND_SERVICE"),
    (13, "NET_RAW"),
    (18, "SYS_CHROOT"),
    (27, "MKNOD"),
    (29, "AUDIT_WRITE"),
    (31, "SETFCAP"),
];
const DEFAULT_CAPS: u64 = 0xa80425fb;
const CAP_CHOWN: u64 = 1 << 0;
const CAP_SYS_ADMIN: u64 = 1 << 21;

const EPERM: &str = "error: Operation not permitted\n";
const EROFS: &str = "error: Read-only file system\n";

/// `runt run --name NAME OPTS... -v PROBE:/run/probe:ro /run/probe CMD...` on the default rootfs
/// (the host's / read-only); asserts that the cgroup is gone afterwards.
fn probe_default(opts: &[&str], cmd: &[&str]) -> Output {
    let mut args: Vec<String> = opts.iter().map(|s| s.to_string()).collect();
    args.extend(default_probe(cmd));
    run_named(&unique_name(), &args)
}

/// The probe's output for `cmd` in a default container (with `opts`), whatever its exit code:
/// the probe's `ok`/`error:` line says how it went.
fn probe_says(opts: &[&str], cmd: &[&str]) -> String {
    let out = probe_default(opts, cmd);
    let c = code(&out);
    assert!(c == 0 || c == 1, "probe {cmd:?} did not run (exit {c})\n{}", describe(&out));
    assert!(stderr(&out).is_empty(), "runt said something on stderr\n{}", describe(&out));
    stdout(&out)
}

/// The Cap*, NoNewPrivs and Seccomp lines of a /proc/PID/status.
#[derive(PartialEq, Eq, Clone, Copy)]
struct Status {
    inh: u64,
    prm: u64,
    eff: u64,
    bnd: u64,
    amb: u64,
    no_new_privs: u64,
    seccomp: u64,
}

impl std::fmt::Debug for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(
            f,
            "CapInh {:#x} CapPrm {:#x} CapEff {:#x} CapBnd {:#x} CapAmb {:#x} NoNewPrivs {} Seccomp {}",
            self.inh, self.prm, self.eff, self.bnd, self.amb, self.no_new_privs, self.seccomp
        )
    }
}

impl Status {
    fn parse(text: &str) -> Status {
        let field = |key: &str, radix: u32| -> u64 {
            let value = text
                .lines()
                .find_map(|l| l.strip_prefix(key).and_then(|rest| rest.strip_prefix(':')))
                .unwrap_or_else(|| panic!("no {key} line in\n{text}"));
            u64::from_str_radix(value.trim(), radix).unwrap_or_else(|e| panic!("{key}: {value:?}: {e}"))
        };
        Status {
            inh: field("CapInh", 16),
            prm: field("CapPrm", 16),
            eff: field("CapEff", 16),
            bnd: field("CapBnd", 16),
            amb: field("CapAmb", 16),
            no_new_privs: field("NoNewPrivs", 10),
            seccomp: field("Seccomp", 10),
        }
    }

    /// A container root's: all three sets `caps`, nothing inheritable or ambient.
    fn root(caps: u64, no_new_privs: u64, seccomp: u64) -> Status {
        Status { inh: 0, prm: caps, eff: caps, bnd: caps, amb: 0, no_new_privs, seccomp }
    }
}

/// `probe status` in a default container with `opts`.
fn container_status(opts: &[&str]) -> Status {
    let text = ok_stdout(&probe_default(opts, &["status"]));
    let keys: Vec<&str> = text.lines().map(|l| l.split(':').next().unwrap_or("")).collect();
    assert_eq!(keys, ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp"], "{text}");
    Status::parse(&text)
}

fn host_status() -> Status {
    Status::parse(&fs::read_to_string("/proc/self/status").expect("read /proc/self/status"))
}

// ---------------------------------------------------------------------------------------------
// Capabilities, no_new_privs, seccomp.

#[test]
fn default_caps_constant_is_dockers_set() {
    let mask = DEFAULT_CAP_BITS.iter().fold(0u64, |m, (bit, _)| m | 1 << bit);
    assert_eq!(mask, DEFAULT_CAPS, "{:#x}", mask);
}

#[test]
fn default_container_has_docker_caps_no_new_privs_and_seccomp_filter() {
    assert_eq!(container_status(&[]), Status::root(DEFAULT_CAPS, 1, 2));
}

#[test]
fn default_rootfs_and_own_rootfs_get_the_same_status() {
    let (root, name) = (rootfs(), unique_name());
    let text = ok_stdout(&run_in(&root, &name, "/bin/probe status"));
    assert_eq!(Status::parse(&text), Status::root(DEFAULT_CAPS, 1, 2), "{text}");
}

#[test]
fn non_root_user_has_no_permitted_or_effective_caps() {
    let expected = Status { inh: 0, prm: 0, eff: 0, bnd: DEFAULT_CAPS, amb: 0, no_new_privs: 1, seccomp: 2 };
    assert_eq!(container_status(&["-u", "1000"]), expected);
    assert_eq!(container_status(&["-u", "1000:1000"]), expected);
}

#[test]
fn cap_add_adds_exactly_that_bit() {
    assert_eq!(container_status(&["--cap-add", "SYS_ADMIN"]), Status::root(DEFAULT_CAPS | CAP_SYS_ADMIN, 1, 2));
}

#[test]
fn cap_drop_drops_exactly_that_bit() {
    assert_eq!(container_status(&["--cap-drop", "CHOWN"]), Status::root(DEFAULT_CAPS & !CAP_CHOWN, 1, 2));
}

#[test]
fn privileged_gets_runts_own_permitted_set_and_no_seccomp() {
    let host = host_status();
    let inside = container_status(&["--privileged"]);
    assert_eq!(inside.eff, host.prm, "CapEff {:#x}, runt's CapPrm {:#x}", inside.eff, host.prm);
    assert_eq!(inside.prm, host.prm, "CapPrm {:#x}, runt's CapPrm {:#x}", inside.prm, host.prm);
    assert_eq!(inside.seccomp, 0, "{inside:?}");
}

#[test]
fn no_new_privileges_false_clears_no_new_privs() {
    assert_eq!(container_status(&["--security-opt", "no-new-privileges=false"]), Status::root(DEFAULT_CAPS, 0, 2));
}

#[test]
fn seccomp_unconfined_has_no_filter() {
    let status = container_status(&["--security-opt", "seccomp=unconfined"]);
    assert_eq!((status.seccomp, status.eff, status.bnd), (0, DEFAULT_CAPS, DEFAULT_CAPS), "{status:?}");
}

// ---------------------------------------------------------------------------------------------
// Escapes that must fail from a default container.

#[test]
fn chroot_double_escape_is_contained() {
    // The marker lies on the host beside the rootfs, not in it: only an escape can see it.
    let (root, name, outside) = (rootfs(), unique_name(), TempDir::new("marker"));
    let marker = outside.join("runt-host-marker");
    fs::write(&marker, "host\n").expect("write marker");
    let marker = marker.to_str().expect("UTF-8 path");
    // Control: the probe's escape works from a plain chroot on the host.
    let control = Command::new(probe()).args(["chroot-escape", marker]).output().expect("run probe on the host");
    assert_eq!(String::from_utf8_lossy(&control.stdout), "escaped\n", "the probe's escape is broken: {control:?}");
    let out = run_in(&root, &name, &format!("/bin/probe chroot-escape {marker}"));
    assert_eq!(ok_stdout(&out), "contained\n");
    // The same with every capability and no seccomp: the container's root is a real root.
    let out = run_in(&root, &name, &format!("--privileged /bin/probe chroot-escape {marker}"));
    assert_eq!(ok_stdout(&out), "contained\n");
}

/// A container may only fail with ENOENT on a /proc file the host's kernel does not have either.
fn assert_absent_on_host_if_enoent(said: &str, path: &str) {
    if said == "error: No such file or directory\n" {
        assert!(!Path::new(path).exists(), "{path} exists on the host but not in the container");
    }
}

#[test]
fn sysrq_trigger_cannot_be_written() {
    // `probe write` writes "probe\n": were it to get through, sysrq 'p' only dumps registers.
    let said = probe_says(&[], &["write", "/proc/sysrq-trigger"]);
    assert!(said.starts_with("error: "), "wrote /proc/sysrq-trigger: {said}");
    assert_absent_on_host_if_enoent(&said, "/proc/sysrq-trigger");
    if Path::new("/proc/sysrq-trigger").exists() {
        assert_eq!(said, EROFS);
    }
}

/// The mounts inside a default container.
fn default_mounts() -> Vec<MountInfo> {
    let text = probe_says(&[], &["read", "/proc/self/mountinfo"]);
    text.lines().map(|l| MountInfo::parse(l).unwrap_or_else(|| panic!("bad mountinfo line {l:?}"))).collect()
}

/// A masked path as a default container sees it (`how`: the probe's `read` for a file, `ls` for a
/// directory): where the host has it, a read-only, nosuid, noexec mount over it with nothing in
/// it. An error is no proof of a mask: an unmasked /proc/kcore fails to read too (no
/// CAP_SYS_RAWIO). Where the host lacks it, the container must too. Returns whether the host has
/// it.
fn assert_masked(path: &str, how: &str, mounts: &[MountInfo]) -> bool {
    let said = probe_says(&[], &[how, path]);
    if !Path::new(path).exists() {
        assert_eq!(said, "error: No such file or directory\n", "{path}: absent on the host, yet");
        return false;
    }
    let Some(mask) = mounts.iter().rev().find(|m| m.mount_point == path) else {
        panic!("{path} is not masked: nothing is mounted over it")
    };
    assert_eq!(said, "", "{path} is not masked: it reads");
    let flags: Vec<&str> = mask.options.split(',').collect();
    for want in ["ro", "nosuid", "noexec"] {
        assert!(flags.contains(&want), "the mask of {path} is not {want}: {}", mask.options);
    }
    // Nothing goes into a masked directory. (A masked file is a bind of /dev/null: a device
    // node, which takes writes on a read-only mount too, and drops them.)
    if how == "ls" {
        assert_eq!(probe_says(&[], &["write", &format!("{path}/probe")]), EROFS, "{path}: the mask is writable");
    }
    true
}

/// This host's kernel may lack /proc/kcore; tests/vm checks it on one that has it.
#[test]
fn kcore_cannot_be_read() {
    if !assert_masked("/proc/kcore", "read", &default_mounts()) {
        eprintln!("this host has no /proc/kcore: only its absence inside was checked (tests/vm reads it)");
    }
}

#[test]
fn mount_and_umount_are_refused() {
    // The default rootfs is the host's /: what is mounted on its /tmp (no one else mounts there
    // exactly) or unmounted from /proc inside must not be seen here.
    let host_tmp_and_proc =
        || host_mount_table().into_iter().filter(|l| l.contains(" /tmp ") || l.contains(" /proc ")).collect::<Vec<_>>();
    let before = host_tmp_and_proc();
    assert_eq!(probe_says(&[], &["mount-tmpfs", "/tmp"]), EPERM);
    assert_eq!(probe_says(&[], &["umount", "/proc"]), EPERM);
    assert_eq!(probe_says(&[], &["umount", "/"]), EPERM);
    // Control: allowed when privileged, and still nothing shows on the host.
    assert_eq!(probe_says(&["--privileged"], &["mount-tmpfs", "/tmp"]), "ok\n");
    assert_eq!(probe_says(&["--privileged"], &["umount", "/proc"]), "ok\n");
    assert_eq!(host_tmp_and_proc(), before, "a container's mount showed on the host");
}

#[test]
fn device_nodes_made_inside_cannot_be_opened() {
    // mknod succeeds with the default CAP_MKNOD; opening the node is what the device rules refuse
    // (/dev/mem, 1:1).
    assert_eq!(probe_says(&[], &["mknod-open", "/dev/x", "c", "1", "1"]), EPERM);
    // /dev/kmsg (1:11) is refused the same way, even with CAP_SYSLOG (which reading it needs)...
    assert!(Path::new("/dev/kmsg").exists(), "the host has no /dev/kmsg");
    assert_eq!(probe_says(&["--cap-add", "SYSLOG"], &["mknod-open", "/dev/x", "c", "1", "11"]), EPERM);
    // ...and allowed once --device lets 1:11 in: so the device rule is what blocks.
    let opts = ["--device", "/dev/kmsg:/dev/k", "--cap-add", "SYSLOG"];
    assert_eq!(probe_says(&opts, &["open", "/dev/k"]), "ok\n");
    assert_eq!(probe_says(&opts, &["mknod-open", "/dev/x", "c", "1", "11"]), "ok\n");
}

#[test]
fn standard_devices_work() {
    assert_eq!(probe_says(&[], &["write", "/dev/null"]), "ok\n");
    assert_eq!(ok_stdout(&probe_default(&[], &["read", "/dev/null"])), "");
    for dev in ["/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/ptmx"] {
        assert_eq!(probe_says(&[], &["open", dev]), "ok\n", "{dev}");
    }
    // A node of a standard device made inside opens too (1:3 is /dev/null).
    assert_eq!(probe_says(&[], &["mknod-open", "/dev/x", "c", "1", "3"]), "ok\n");
}

#[test]
fn kernel_modules_cannot_be_loaded() {
    assert_eq!(probe_says(&[], &["init-module"]), EPERM);
    // Control: privileged, the kernel looks at the "module" (and refuses /dev/null otherwise).
    let said = probe_says(&["--privileged"], &["init-module"]);
    assert!(said.starts_with("error: ") && said != EPERM, "privileged finit_module(/dev/null): {said}");
}

#[test]
fn keyctl_is_refused() {
    assert_eq!(probe_says(&[], &["keyctl"]), EPERM);
    // Control: the container has a session keyring of its own to add to.
    assert_eq!(probe_says(&["--privileged"], &["keyctl"]), "ok\n");
}

#[test]
fn ptrace_is_refused() {
    // A pid outside cannot even be named from the pid namespace: attach to a child instead.
    assert_eq!(probe_says(&[], &["ptrace"]), EPERM);
    let test_pid = std::process::id().to_string();
    let said = probe_says(&[], &["ptrace", &test_pid]);
    assert!(said == EPERM || said == "error: No such process\n", "ptrace of the test's pid: {said}");
    assert_eq!(probe_says(&["--privileged"], &["ptrace"]), "ok\n", "control");
}

#[test]
fn unshare_user_is_refused() {
    assert_eq!(probe_says(&[], &["unshare-user"]), EPERM);
    assert_eq!(probe_says(&["--privileged"], &["unshare-user"]), "ok\n", "control");
}

#[test]
fn bpf_is_refused() {
    assert_eq!(probe_says(&[], &["bpf"]), EPERM);
    assert_eq!(probe_says(&["--privileged"], &["bpf"]), "ok\n", "control");
}

/// The host's namespace links of kind `kind` that the test can read: its own, and pid 1's when
/// readable.
fn host_ns(kind: &str) -> Vec<String> {
    ["/proc/self", "/proc/1"]
        .iter()
        .filter_map(|p| fs::read_link(format!("{p}/ns/{kind}")).ok())
        .map(|l| l.display().to_string())
        .collect()
}

#[test]
fn setns_cannot_reach_the_hosts_namespaces() {
    let host = host_ns("net");
    assert!(!host.is_empty(), "cannot read the test's own /proc/self/ns/net");
    let own = probe_says(&[], &["ns", "net"]);
    assert!(own.starts_with("net:["), "{own}");
    assert!(!host.contains(&own.trim().to_string()), "the container is in the host's netns: {own}");
    // /proc/1 inside is the container's own init; from a default container setns fails anyway.
    for kind in ["net", "mnt", "pid", "uts", "ipc", "cgroup", "user"] {
        let said = probe_says(&[], &["setns", &format!("/proc/1/ns/{kind}")]);
        assert!(said.starts_with("error: "), "setns into /proc/1/ns/{kind}: {said}");
    }
    // Privileged and unconfined, setns is allowed, and lands in the container's own namespaces:
    // the host's cannot be named.
    for kind in ["net", "mnt", "pid", "uts", "ipc", "cgroup"] {
        let host = host_ns(kind);
        let said = probe_says(&["--privileged"], &["setns", &format!("/proc/1/ns/{kind}")]);
        let mut lines = said.lines();
        assert_eq!(lines.next(), Some("ok"), "{said}");
        let landed = lines.next().unwrap_or("").to_string();
        assert!(
            landed.starts_with(&format!("{kind}:[")) && !host.contains(&landed),
            "setns landed in the host's {kind} namespace {host:?}: {said}"
        );
    }
}

#[test]
fn nofile_cannot_be_raised_above_the_hard_limit() {
    let opts = ["--ulimit", "nofile=1024:2048"];
    assert_eq!(probe_says(&opts, &["rlimit", "nofile"]), "1024 2048\n");
    assert_eq!(probe_says(&opts, &["raise-nofile", "4096"]), EPERM);
    assert_eq!(probe_says(&opts, &["raise-nofile", "2048"]), "ok\n", "up to the hard limit is fine");
}

#[test]
fn sys_is_read_only() {
    assert_eq!(probe_says(&[], &["write", "/sys/kernel/probe"]), EROFS);
    assert_eq!(probe_says(&[], &["write", "/sys/class/net/lo/mtu"]), EROFS);
    // /sys of a --rootfs container too.
    let (root, name) = (rootfs(), unique_name());
    let out = run_in(&root, &name, "/bin/probe write /sys/class/net/lo/mtu");
    assert_eq!(stdout(&out), EROFS, "{}", describe(&out));
}

fn host_hostname() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname").expect("read the host's hostname")
}

#[test]
fn hostname_of_the_host_is_unchanged() {
    let before = host_hostname();
    assert_eq!(probe_says(&[], &["sethostname", "evil"]), EPERM);
    assert_eq!(probe_says(&[], &["write", "/proc/sys/kernel/hostname"]), EROFS);
    // Privileged, the container may rename itself: its own UTS namespace, not the host.
    let out = probe_default(&["--privileged"], &["sethostname", "evil"]);
    assert_eq!(ok_stdout(&out), "ok\n");
    assert_eq!(host_hostname(), before, "the host's hostname changed");
}

#[test]
fn host_abstract_sockets_are_unreachable() {
    let name = format!("runt-test-{}", unique_name());
    let addr = SocketAddr::from_abstract_name(name.as_bytes()).expect("abstract address");
    let _listener = UnixListener::bind_addr(&addr).expect("bind an abstract socket on the host");
    assert_eq!(probe_says(&[], &["abstract-connect", &name]), "error: Connection refused\n");
    // Control: the host's network namespace reaches it.
    assert_eq!(probe_says(&["--net", "host"], &["abstract-connect", &name]), "ok\n");
}

#[test]
fn host_processes_are_invisible() {
    let test_pid = std::process::id().to_string();
    assert_eq!(ok_stdout(&probe_default(&[], &["procs"])), "1\n");
    let (root, name) = (rootfs(), unique_name());
    assert_eq!(ok_stdout(&run_in(&root, &name, "/bin/probe procs")), "1\n");
    let out = run_in(&root, &name, "/bin/probe ls /proc");
    let pids: Vec<String> =
        ok_stdout(&out).lines().filter(|l| l.bytes().all(|b| b.is_ascii_digit())).map(String::from).collect();
    assert_eq!(pids, ["1"], "the container sees other processes");
    assert!(test_pid != "1", "the test is not pid 1");
    let out = run_in(&root, &name, &format!("/bin/probe read /proc/{test_pid}/status"));
    assert_eq!(stdout(&out), "error: No such file or directory\n", "{}", describe(&out));
}

// ---------------------------------------------------------------------------------------------
// Volumes, masked and read-only paths, devices, limits.

#[test]
fn symlinked_etc_cannot_send_a_volume_outside_the_rootfs() {
    // An image whose /etc is a symlink to / and a volume on /etc/passwd: the target resolves
    // inside the rootfs (to its /passwd), never to the host's /etc/passwd.
    let root = TempDir::new("evil-rootfs");
    for dir in ["bin", "proc", "sys", "dev", "tmp", "run"] {
        fs::create_dir(root.join(dir)).expect("mkdir in rootfs");
    }
    fs::copy(probe(), root.join("bin/probe")).expect("copy probe");
    std::os::unix::fs::symlink("/", root.join("etc")).expect("symlink etc");
    let src = TempDir::new("evil-src");
    fs::write(src.join("x"), "evil\n").expect("write volume source");
    // Other tests may add users to the host at the same time: what is checked is that nothing of
    // this test's reached the host's /etc/passwd, not that the file is unchanged.
    let untouched = || {
        let host = fs::read_to_string("/etc/passwd").expect("read /etc/passwd");
        let mounted = host_mount_points().iter().any(|p| p == "/etc/passwd" || p == "/passwd");
        !mounted && !host.contains("evil") && !host.starts_with("probe")
    };
    let name = unique_name();
    let volume = format!("{}:/etc/passwd", src.join("x").display());
    let out = run_named(&name, &["--rootfs", root.as_str(), "-v", &volume, "/bin/probe", "read", "/etc/passwd"]);
    assert_eq!(ok_stdout(&out), "evil\n", "the volume is not at /etc/passwd inside");
    assert!(root.join("passwd").is_file(), "the mount point was not made inside the rootfs");
    assert!(untouched(), "the volume reached the host's /etc/passwd");
    // Writing through the volume writes the source file, nothing else.
    let out = run_named(&name, &["--rootfs", root.as_str(), "-v", &volume, "/bin/probe", "write", "/etc/passwd"]);
    assert_eq!(ok_stdout(&out), "ok\n");
    assert_eq!(fs::read_to_string(src.join("x")).expect("read source"), "probe\n");
    assert!(untouched(), "the volume reached the host's /etc/passwd");
}

/// Every masked path the host has is masked; one of each kind at least must be there to check,
/// or the test proves nothing here.
#[test]
fn masked_files_read_empty() {
    let mounts = default_mounts();
    let masked = ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug", "/proc/latency_stats"];
    let checked = masked.into_iter().chain(["/proc/timer_stats"]).filter(|p| assert_masked(p, "read", &mounts)).count();
    assert!(checked > 0, "none of the masked files exists on this host: nothing was checked");
    // Control: privileged containers have no masked paths.
    if fs::read("/proc/timer_list").is_ok_and(|t| !t.is_empty()) {
        assert!(!probe_says(&["--privileged"], &["read", "/proc/timer_list"]).is_empty());
    }
}

#[test]
fn masked_directories_are_empty() {
    let mounts = default_mounts();
    let checked =
        ["/sys/firmware", "/proc/acpi", "/proc/scsi"].into_iter().filter(|d| assert_masked(d, "ls", &mounts)).count();
    assert!(checked > 0, "none of the masked directories exists on this host: nothing was checked");
    if fs::read_dir("/sys/firmware").is_ok_and(|mut d| d.next().is_some()) {
        assert!(!probe_says(&["--privileged"], &["ls", "/sys/firmware"]).is_empty(), "control");
    }
}

#[test]
fn proc_sys_is_read_only() {
    assert_eq!(probe_says(&[], &["write", "/proc/sys/kernel/hostname"]), EROFS);
    assert_eq!(probe_says(&["--cap-add", "SYS_ADMIN"], &["write", "/proc/sys/kernel/hostname"]), EROFS);
    let (root, name) = (rootfs(), unique_name());
    let out = run_in(&root, &name, "/bin/probe write /proc/sys/kernel/hostname");
    assert_eq!(stdout(&out), EROFS, "{}", describe(&out));
}

#[test]
fn device_mknod_of_mem_is_refused_and_null_works() {
    let (root, name) = (rootfs(), unique_name());
    let out = run_in(&root, &name, "/bin/probe mknod-open /dev/x c 1 1");
    assert_eq!(stdout(&out), EPERM, "{}", describe(&out));
    let out = run_in(&root, &name, "/bin/probe write /dev/null");
    assert_eq!(ok_stdout(&out), "ok\n");
}

#[test]
fn ulimit_sets_soft_and_hard() {
    assert_eq!(probe_says(&["--ulimit", "nofile=100:200"], &["rlimit", "nofile"]), "100 200\n");
    assert_eq!(probe_says(&["--ulimit", "nofile=300"], &["rlimit", "nofile"]), "300 300\n");
}

#[test]
fn oom_score_adj_is_set() {
    let out = probe_default(&["--oom-score-adj", "500"], &["read", "/proc/self/oom_score_adj"]);
    assert_eq!(ok_stdout(&out), "500\n");
}

/// Seccomp is the last step before execve: a profile may refuse the very calls runt makes to
/// set the process up (setgroups, setgid, setuid, capset, prctl) without stopping it, and the
/// command then runs under it. A filter installed before those steps would make them fail.
#[test]
fn seccomp_filter_is_installed_after_the_ids_and_capabilities_are_set() {
    let root = rootfs();
    let denied = ["setgroups", "setresgid", "setgid", "setresuid", "setuid", "capset", "prctl"];
    let names = denied.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(",");
    let seccomp = format!(
        r#""seccomp":{{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{{"names":[{names}],"action":"SCMP_ACT_ERRNO"}}]}}"#
    );
    let b = common::bundle::Bundle::with(
        &root,
        &["/bin/probe", "status"],
        &common::bundle::Options { linux: &seccomp, ..Default::default() },
    );
    let id = unique_name();
    b.track(&id);
    let out = b.runt(&["run", "--bundle", b.dir.as_str(), &id]);
    let status = Status::parse(&ok_stdout(&out));
    assert_eq!((status.no_new_privs, status.seccomp), (1, 2), "the command does not run under the filter");
}
