//! Resource limits: what the container feels, and what the cgroup files say while it
//! runs (v1 paths on a v1 host, v2 on a v2 host; a host without cgroupfs panics).

mod common;

use common::bundle;
use common::*;
use std::fs;
use std::path::{Path, PathBuf};
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

/// "Swap included": a memory limit caps memory and swap together, as Docker's `-m` does, or a
/// container over its limit goes on in swap. v1 counts them together (memory.memsw), v2 apart.
#[test]
fn memory_limit_includes_swap() {
    match cgroup_layout() {
        CgroupLayout::V2 => limit_is_written("--memory 32m", "memory", "memory.swap.max", "0"),
        _ if !Path::new("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes").exists() => {
            eprintln!("this kernel has no swap accounting (memory.memsw): nothing to cap")
        }
        _ => limit_is_written("--memory 32m", "memory", "memory.memsw.limit_in_bytes", "33554432"),
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

/// The host's mounted cgroup hierarchies: (mount point, whether it is cgroup2).
fn mounted_hierarchies() -> Vec<(String, bool)> {
    let mounts = host_mountinfo().into_iter().filter(|m| m.fstype == "cgroup" || m.fstype == "cgroup2");
    mounts.map(|m| (m.mount_point, m.fstype == "cgroup2")).collect()
}

/// `runt run` joins, on v1, the hierarchies it needs: pids (which tracks the container) and those
/// with a limit; not every hierarchy as an engine's container does (tests/oci/cgroups.sh): each
/// more one costs a mkdir and an rmdir on the start-up path. Seen from the host in /proc/PID/cgroup.
#[test]
fn runt_run_joins_pids_and_the_hierarchies_of_its_limits() {
    if cgroup_layout() != CgroupLayout::V1 {
        // On v2 there is one hierarchy: tests/vm covers it.
        return;
    }
    let (root, name) = (rootfs(), unique_name());
    let mark = format!("RUNT_TEST_MARK={name}");
    let child = spawn_in(&root, &name, &format!("-m 64m -e {mark} /bin/probe sleep 3"));
    let pid = find_pid_by_env(&mark);
    let text = fs::read_to_string(format!("/proc/{pid}/cgroup")).expect("read the container's /proc/PID/cgroup");
    let out = wait(child);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let own = format!(":/runt/{name}");
    let joined: Vec<&str> = text.lines().filter(|l| l.ends_with(&own)).collect();
    let has = |c: &str| joined.iter().any(|l| l.split(':').nth(1).is_some_and(|cs| cs.split(',').any(|x| x == c)));
    assert!(has("pids") && has("memory"), "pids and memory not joined: {text}");
    assert!(!has("cpuset") && !has("freezer"), "hierarchies without a limit joined: {text}");
    assert_no_cgroup(&name);
}

/// Sub-cgroups made in the container's cgroup (by a program inside with its own cgroupfs, or by
/// an engine) go with it, on every hierarchy: the container's cgroup is removed, not left busy.
#[test]
fn sub_cgroups_are_removed_with_the_container() {
    let (root, name) = (rootfs(), unique_name());
    let mark = format!("RUNT_TEST_MARK={name}");
    let child = spawn_in(&root, &name, &format!("-e {mark} /bin/probe sleep 2"));
    // Once the container runs, its cgroup is complete.
    find_pid_by_env(&mark);
    let mut made = Vec::new();
    for (point, _) in mounted_hierarchies() {
        let dir = PathBuf::from(&point).join("runt").join(&name);
        if dir.is_dir() {
            let sub = dir.join("inner").join("deeper");
            fs::create_dir_all(&sub).unwrap_or_else(|e| panic!("mkdir {}: {e}", sub.display()));
            made.push(sub);
        }
    }
    let out = wait(child);
    assert!(!made.is_empty(), "the container's cgroup is in no hierarchy");
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(stderr(&out), "", "{}", describe(&out));
    assert_no_cgroup(&name);
}

/// Issue 14: what Docker refuses of the limit flags is refused before anything runs, in one line
/// naming the flag: memory below 6 MB (`-m 32` is 32 bytes, not a container killed at once),
/// more CPUs than the host has, no CPU at all, a pids limit of 0.
#[test]
fn nonsensical_limits_are_refused() {
    let root = rootfs();
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let too_many = (cpus + 1).to_string();
    let cases = [
        ("-m", "32", "6MB"),
        ("--memory", "6291455b", "6MB"),
        ("--cpus", too_many.as_str(), "CPUs available"),
        ("--cpus", "0", "CPUs available"),
        ("--cpus", "0.001", "CPUs available"),
        ("--pids-limit", "0", "--pids-limit"),
    ];
    for (option, value, needle) in cases {
        let name = unique_name();
        let out = run_in(&root, &name, &format!("{option} {value} /bin/probe exit 0"));
        assert_error(&out, 125, needle);
        assert_eq!(stdout(&out), "", "{option} {value}: the container ran\n{}", describe(&out));
    }
}

/// Issue 14: `-m` takes decimals, as Docker does: 1.5g is 1610612736 bytes.
#[test]
fn memory_limit_takes_decimals() {
    match cgroup_layout() {
        CgroupLayout::V2 => limit_is_written("--memory 1.5g", "memory", "memory.max", "1610612736"),
        _ => limit_is_written("--memory 1.5g", "memory", "memory.limit_in_bytes", "1610612736"),
    }
}

/// The smallest memory limit and all the host's CPUs are accepted.
#[test]
fn limits_at_the_bounds_run() {
    let root = rootfs();
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let out = run_in(&root, &unique_name(), &format!("-m 6m --cpus {cpus} --pids-limit 1 /bin/probe exit 0"));
    assert_eq!(code(&out), 0, "{}", describe(&out));
}

/// What a container leaves running when its init is gone (a daemon it started) is killed with its
/// cgroup by `delete`: here in the host's pid namespace, whose end cannot kill it for runt.
#[test]
fn delete_kills_what_the_container_left_running() {
    require_busybox();
    let root = rootfs();
    let options = bundle::Options { pid_of: Some(std::process::id()), ..Default::default() };
    let b = bundle::Bundle::with(&root, &["/bin/sh", "-c", "/bin/sleep 1000 & exit 0"], &options);
    let id = unique_name();
    b.start_new(&id, &[]);
    assert!(poll(|| b.status(&id) == "stopped"), "the container's sh did not exit: {}", b.status(&id));
    let left = cgroup_pids(&id);
    assert!(!left.is_empty(), "no sleep left in the container's cgroup: the test proves nothing");
    let out = b.runt(&["delete", &id]);
    let running: Vec<u32> = left.into_iter().filter(|p| alive(*p)).collect();
    for p in &running {
        kill("KILL", *p);
    }
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(running.is_empty(), "delete left the container's processes running: {running:?}");
    assert_no_cgroup(&id);
}
