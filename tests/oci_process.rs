//! The container's process and its kernel settings through OCI bundles (issue 12 items 1, 2, 14
//! and 15): what the container sees, what the host's /proc says of the container's processes, and
//! that the host's own settings stay as they were.

mod common;

use common::bundle::{Bundle, Options};
use common::*;
use std::fs;

/// The value of `key` ("CapInh") in /proc/PID/status, read on the host.
fn status_of(pid: u32, key: &str) -> String {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).expect("read the container's status");
    let line = status.lines().find_map(|l| l.strip_prefix(&format!("{key}:")));
    line.unwrap_or_else(|| panic!("no {key} in /proc/{pid}/status")).trim().to_string()
}

/// A created and started container of `b` running `sleep 60`; returns its id and host pid.
fn started(b: &Bundle) -> (String, u32) {
    let id = unique_name();
    b.start_new(&id, &[]);
    let pid = b.pid(&id);
    (id, pid)
}

// ---------------------------------------------------------------------------------------------
// Item 2: a non-root user keeps the inheritable capabilities it was given.

#[test]
fn a_non_root_user_keeps_the_inheritable_capabilities_it_was_given() {
    let root = rootfs();
    // Inheritable only: nothing permitted, as a user that runs file-capability binaries is given.
    let caps = r#"{"bounding":["CAP_KILL","CAP_NET_RAW"],"inheritable":["CAP_KILL","CAP_NET_RAW"]}"#;
    let o =
        Options { process: &[("user", r#"{"uid":1000,"gid":1000}"#), ("capabilities", caps)], ..Default::default() };
    let b = Bundle::with(&root, &["sleep", "60"], &o);
    let (_, pid) = started(&b);
    // KILL is bit 5, NET_RAW bit 13.
    assert_eq!(status_of(pid, "CapInh"), "0000000000002020");
    assert_eq!(status_of(pid, "CapBnd"), "0000000000002020");
    assert_eq!(status_of(pid, "CapPrm"), "0000000000000000");
    assert_eq!(status_of(pid, "CapEff"), "0000000000000000");
    assert!(status_of(pid, "Uid").starts_with("1000\t1000"), "uid: {}", status_of(pid, "Uid"));
}

// ---------------------------------------------------------------------------------------------
// Item 15: capabilities the process cannot have are a warning in runc's words, not silence.

/// Whether this process (root, as runt is here) holds capability `cap`.
fn holds(cap: u32) -> bool {
    let mask = u64::from_str_radix(&status_of(std::process::id(), "CapPrm"), 16).expect("CapPrm in hex");
    mask & (1 << cap) != 0
}

#[test]
fn unknown_and_unavailable_capabilities_are_named_in_a_warning() {
    let root = rootfs();
    // CAP_SYS_RESOURCE (24) is one this host's root lacks; where root has it, it is granted.
    let caps = r#"{"bounding":["CAP_KILL","CAP_FLY","CAP_SYS_RESOURCE"],"effective":["CAP_KILL","CAP_SYS_RESOURCE"],
        "permitted":["CAP_KILL","CAP_SYS_RESOURCE","CAP_FLY"],"inheritable":["CAP_WARP"]}"#;
    let o = Options { process: &[("capabilities", caps)], ..Default::default() };
    let b = Bundle::with(&root, &["cat", "/proc/self/status"], &o);
    let out = b.runt(&["run", "--bundle", b.dir.as_str(), &unique_name()]);
    let status = ok_stdout(&out);
    let want = if holds(24) { "[CAP_FLY CAP_WARP]" } else { "[CAP_FLY CAP_WARP CAP_SYS_RESOURCE]" };
    let err = stderr(&out);
    let line = format!("runt: warning: ignoring unknown or unavailable capabilities: {want}\n");
    assert!(err == line, "want the warning {line:?}, stderr: {err:?}");
    // The container runs with what could be had.
    let eff = if holds(24) { "0000000001000020" } else { "0000000000000020" };
    assert!(status.contains(&format!("CapEff:\t{eff}\n")), "{status}");
}

// ---------------------------------------------------------------------------------------------
// Item 1: linux.sysctl is applied in the container's own namespaces, and checked as runc does.

/// The host's value of a setting under /proc/sys.
fn host_sysctl(file: &str) -> String {
    fs::read_to_string(format!("/proc/sys/{file}")).expect("read the host's sysctl").trim().to_string()
}

const NET: &str = r#"{"type":"network"}"#;

#[test]
fn sysctls_are_written_in_the_containers_namespaces_and_not_the_hosts() {
    let root = rootfs();
    let files = ["net/ipv4/ip_forward", "kernel/shm_rmid_forced", "net/ipv4/ping_group_range"];
    let before: Vec<String> = files.iter().map(|f| host_sysctl(f)).collect();
    let linux =
        r#""sysctl":{"net.ipv4.ip_forward":"1","kernel/shm_rmid_forced":"1","net.ipv4.ping_group_range":"0 4242"}"#;
    let o = Options { linux, namespaces: &[NET], ..Default::default() };
    let b = Bundle::with(
        &root,
        &[
            "cat",
            "/proc/sys/net/ipv4/ip_forward",
            "/proc/sys/kernel/shm_rmid_forced",
            "/proc/sys/net/ipv4/ping_group_range",
        ],
        &o,
    );
    let out = b.runt(&["run", "--bundle", b.dir.as_str(), &unique_name()]);
    assert_eq!(ok_stdout(&out), "1\n1\n0\t4242\n");
    let after: Vec<String> = files.iter().map(|f| host_sysctl(f)).collect();
    assert_eq!(after, before, "the host's settings changed");
}

#[test]
fn sysctls_reach_a_joined_network_and_ipc_namespace_as_a_pods_pause_container_sets_them() {
    let root = rootfs();
    let pod = Bundle::with(&root, &["sleep", "60"], &Options { namespaces: &[NET], ..Default::default() });
    let (pod_id, pod_pid) = started(&pod);
    let joined = [format!(r#"{{"type":"network","path":"/proc/{pod_pid}/ns/net"}}"#)];
    let linux = r#""sysctl":{"net.ipv4.ip_unprivileged_port_start":"4242","kernel.shmmni":"1234"}"#;
    // The IPC namespace joined too, in place of a new one.
    let ipc = format!("/proc/{pod_pid}/ns/ipc");
    let o = Options { linux, namespaces: &[&joined[0]], ..Default::default() };
    let b = Bundle::with(&root, &["true"], &o);
    let config = fs::read_to_string(b.dir.join("config.json")).unwrap();
    let config = config.replacen(r#"{"type":"ipc"}"#, &format!(r#"{{"type":"ipc","path":"{ipc}"}}"#), 1);
    fs::write(b.dir.join("config.json"), config).unwrap();
    let before = (host_sysctl("net/ipv4/ip_unprivileged_port_start"), host_sysctl("kernel/shmmni"));
    let out = b.runt(&["run", "--bundle", b.dir.as_str(), &unique_name()]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    // The pod's own container sees them.
    let seen =
        pod.runt(&["exec", &pod_id, "cat", "/proc/sys/net/ipv4/ip_unprivileged_port_start", "/proc/sys/kernel/shmmni"]);
    assert_eq!(ok_stdout(&seen), "4242\n1234\n");
    let after = (host_sysctl("net/ipv4/ip_unprivileged_port_start"), host_sysctl("kernel/shmmni"));
    assert_eq!(after, before, "the host's settings changed");
}

#[test]
fn sysctls_outside_the_containers_namespaces_and_unknown_ones_are_refused() {
    let root = rootfs();
    let swappiness = host_sysctl("vm/swappiness");
    let cases = [
        (
            r#"{"vm.swappiness":"17"}"#,
            NET,
            "linux.sysctl.vm.swappiness: not in a namespace of the container's: it would change the host",
        ),
        (
            r#"{"kernel.hostname":"x"}"#,
            NET,
            "linux.sysctl.kernel.hostname: not allowed: the hostname and domainname fields set it",
        ),
        (
            r#"{"net.ipv4.ip_forward":"1"}"#,
            "",
            "linux.sysctl.net.ipv4.ip_forward: not allowed in the host's network namespace",
        ),
        (
            r#"{"net.ipv4.no_such_setting":"1"}"#,
            NET,
            "linux.sysctl: open /proc/sys/net/ipv4/no_such_setting: No such file or directory",
        ),
    ];
    for (sysctl, ns, want) in cases {
        let linux = format!(r#""sysctl":{sysctl}"#);
        let namespaces: Vec<&str> = [ns].into_iter().filter(|n| !n.is_empty()).collect();
        let b =
            Bundle::with(&root, &["true"], &Options { linux: &linux, namespaces: &namespaces, ..Default::default() });
        let id = unique_name();
        let out = b.runt(&["run", "--bundle", b.dir.as_str(), &id]);
        assert_error(&out, 125, want);
        assert!(!b.state.join(&id).exists(), "state left for {sysctl}");
        assert_no_cgroup(&id);
    }
    assert_eq!(host_sysctl("vm/swappiness"), swappiness);
}
