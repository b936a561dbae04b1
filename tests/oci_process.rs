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
