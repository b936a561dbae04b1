//! Resource limits: what the container feels, and what the cgroup files say while it
//! runs (v1 paths on a v1 host, v2 on a v2 host; a host without cgroupfs panics).

mod common;

use common::*;
use std::process::Command;

#[test]
fn pids_limit_stops_a_forkbomb_and_the_host_is_fine() {
    let (root, name) = (rootfs(), unique_name());
    let out = run_in(&root, &name, "--pids-limit 20 /bin/probe forkbomb 100");
    let text = ok_stdout(&out);
    let mut lines = text.lines();
    let started: u32 = lines
        .next()
        .and_then(|l| l.strip_prefix("started "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no `started K` line\n{}", describe(&out)));
    assert!(started < 20, "started {started} children under --pids-limit 20");
    let error = lines.next().unwrap_or("");
    assert!(error.starts_with("error: "), "no error line after `started`\n{}", describe(&out));
    let host = Command::new("/bin/true").status();
    assert!(host.as_ref().is_ok_and(|s| s.success()), "the host cannot start a process: {host:?}");
}

/// Starts `probe sleep 2` with `limit`, expects `file` of the `controller` cgroup to
/// read `want` while it runs, then a clean exit and no cgroup left.
fn limit_is_written(limit: &str, controller: &str, file: &str, want: &str) {
    let (root, name) = (rootfs(), unique_name());
    let child = spawn_in(&root, &name, &format!("{limit} /bin/probe sleep 2"));
    let seen = poll_file(&cgroup_dir(controller, &name).join(file), want);
    let out = wait(child);
    assert_eq!(seen, want, "{limit}: {controller} {file}");
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_no_cgroup(&name);
}

#[test]
fn pids_limit_is_written() {
    limit_is_written("--pids-limit 7", "pids", "pids.max", "7");
}

#[test]
fn memory_limit_is_written() {
    match cgroup_layout() {
        CgroupLayout::V2 => limit_is_written("--memory 32m", "memory", "memory.max", "33554432"),
        _ => limit_is_written("--memory 32m", "memory", "memory.limit_in_bytes", "33554432"),
    }
}

#[test]
fn cpus_limit_is_written() {
    match cgroup_layout() {
        CgroupLayout::V2 => limit_is_written("--cpus 0.5", "cpu", "cpu.max", "50000 100000"),
        _ => limit_is_written("--cpus 0.5", "cpu", "cpu.cfs_quota_us", "50000"),
    }
}

#[test]
fn every_container_gets_a_pids_cgroup() {
    let (root, name) = (rootfs(), unique_name());
    let child = spawn_in(&root, &name, "/bin/probe sleep 2");
    let dir = cgroup_dir("pids", &name);
    let appeared = poll(|| dir.is_dir());
    let out = wait(child);
    assert!(appeared, "{} never appeared", dir.display());
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_no_cgroup(&name);
}

#[test]
fn memory_limit_oom_kills_with_137() {
    let (root, name) = (rootfs(), unique_name());
    let out = run_in(&root, &name, "--memory 32m /bin/probe alloc 256");
    assert_eq!(code(&out), 137, "{}", describe(&out));
    assert!(stderr(&out).contains("out of memory"), "{}", describe(&out));
    assert!(!stdout(&out).contains("allocated"), "{}", describe(&out));
}

#[test]
fn memory_limit_leaves_room_below_it() {
    let (root, name) = (rootfs(), unique_name());
    let out = run_in(&root, &name, "--memory 64m /bin/probe alloc 16");
    assert_eq!(ok_stdout(&out), "allocated 16\n");
}

#[test]
fn cgroup_namespace_hides_the_host_hierarchy() {
    let (root, name) = (rootfs(), unique_name());
    let text = ok_stdout(&run_in(&root, &name, "--memory 64m /bin/probe cgroup"));
    for line in text.lines() {
        assert!(line.ends_with(":/"), "a cgroup path outside the container's own: {line}\n{text}");
    }
}

#[test]
fn bad_limits_are_refused() {
    let root = rootfs();
    for (option, value) in [("--pids-limit", "lots"), ("--memory", "12q"), ("--cpus", "-1"), ("--cpus", "x")] {
        let name = unique_name();
        let out = run_in(&root, &name, &format!("{option} {value} /bin/probe exit 0"));
        assert_error(&out, 125, "");
        let err = stderr(&out);
        assert!(err.contains(option) || err.contains(value), "name the option\n{}", describe(&out));
    }
}
