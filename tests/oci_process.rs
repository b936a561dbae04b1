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

// ---------------------------------------------------------------------------------------------
// Item 14: the runtime-spec 1.1 and 1.2 settings of the process, and a time namespace.

/// The value of `key` in /proc/PID/sched ("policy"), read on the host.
fn sched_of(pid: u32, key: &str) -> String {
    let text = fs::read_to_string(format!("/proc/{pid}/sched")).expect("read the container's sched");
    let line = text.lines().find(|l| l.split(':').next().is_some_and(|k| k.trim() == key));
    line.and_then(|l| l.split(':').nth(1)).unwrap_or_else(|| panic!("no {key} in /proc/{pid}/sched")).trim().to_string()
}

/// What `uname -m` says of a 64-bit machine under PER_LINUX32.
fn machine32() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "i686",
        "aarch64" => "armv8l",
        other => panic!("no 32-bit machine name known for {other}"),
    }
}

/// Whether this kernel has NUMA memory policies (a node directory in sysfs).
fn numa() -> bool {
    std::path::Path::new("/sys/devices/system/node/node0").is_dir()
}

/// `runt exec --process FILE ID` of the process `json`, its output.
fn exec_process(b: &Bundle, id: &str, json: &str) -> std::process::Output {
    let file = b.dir.join("process.json");
    fs::write(&file, json).expect("write process.json");
    b.runt(&["exec", "--process", file.to_str().unwrap(), id])
}

const TUNED: &str = r#""personality":{"domain":"LINUX32"},"memoryPolicy":{"mode":"MPOL_BIND","nodes":"0"}"#;
const TUNED_PROCESS: &[(&str, &str)] = &[
    ("ioPriority", r#"{"class":"IOPRIO_CLASS_BE","priority":6}"#),
    ("scheduler", r#"{"policy":"SCHED_BATCH","nice":7}"#),
];

#[test]
fn personality_memory_policy_io_priority_and_scheduler_are_the_processes() {
    assert!(numa(), "this test needs a kernel with NUMA memory policies (node0 in sysfs)");
    let root = rootfs();
    let o = Options { linux: TUNED, process: TUNED_PROCESS, ..Default::default() };
    let b = Bundle::with(&root, &["sh", "-c", "probe sched; busybox uname -m; cat /proc/self/personality"], &o);
    let out = b.runt(&["run", "--bundle", b.dir.as_str(), &unique_name()]);
    // SCHED_BATCH is 3, IOPRIO_CLASS_BE 2, MPOL_BIND 2 over node 0; PER_LINUX32 is 8.
    let want = format!("policy 3 nice 7 priority 0\nioprio 2 6\nmempolicy 2 1\n{}\n00000008\n", machine32());
    assert_eq!(ok_stdout(&out), want);
    // runt and this test keep their own.
    assert_eq!(fs::read_to_string("/proc/self/personality").unwrap(), "00000000\n");
}

#[test]
fn exec_gets_the_containers_settings_and_those_its_process_file_gives() {
    assert!(numa(), "this test needs a kernel with NUMA memory policies (node0 in sysfs)");
    let root = rootfs();
    let o = Options { linux: TUNED, process: TUNED_PROCESS, ..Default::default() };
    let b = Bundle::with(&root, &["sleep", "60"], &o);
    let (id, pid) = started(&b);
    // What the host sees of the container's init.
    assert_eq!(fs::read_to_string(format!("/proc/{pid}/personality")).unwrap(), "00000008\n");
    assert_eq!(sched_of(pid, "policy"), "3");
    let maps = fs::read_to_string(format!("/proc/{pid}/numa_maps")).unwrap();
    assert!(maps.lines().all(|l| l.split(' ').nth(1) == Some("bind:0")), "{maps}");
    // An exec'd process as the container's own.
    let out = b.runt(&["exec", &id, "probe", "sched"]);
    assert_eq!(ok_stdout(&out), "policy 3 nice 7 priority 0\nioprio 2 6\nmempolicy 2 1\n");
    // Its own scheduler and I/O priority from --process (a negative nice value and the real-time
    // class take runt's privileges), the container's memory policy and personality.
    let process = r#"{"args":["sh","-c","probe sched; busybox uname -m"],"cwd":"/","env":["PATH=/bin"],
        "user":{"uid":0,"gid":0},"scheduler":{"policy":"SCHED_OTHER","nice":-5},
        "ioPriority":{"class":"IOPRIO_CLASS_RT","priority":3}}"#;
    let out = exec_process(&b, &id, process);
    let want = format!("policy 0 nice -5 priority 0\nioprio 1 3\nmempolicy 2 1\n{}\n", machine32());
    assert_eq!(ok_stdout(&out), want);
}

#[test]
fn settings_the_kernel_refuses_are_errors_naming_the_call() {
    let root = rootfs();
    let cases = [
        // Node 4000: past any kernel's node count (or no NUMA at all).
        (
            r#""memoryPolicy":{"mode":"MPOL_BIND","nodes":"4000"}"#,
            &[][..],
            if numa() {
                "linux.memoryPolicy: set_mempolicy: Invalid argument"
            } else {
                "linux.memoryPolicy: set_mempolicy: Function not implemented"
            },
        ),
        // SCHED_DEADLINE's runtime must not exceed its deadline.
        (
            "",
            &[("scheduler", r#"{"policy":"SCHED_DEADLINE","runtime":2000000,"deadline":1000000,"period":1000000}"#)][..],
            "process.scheduler: sched_setattr: Invalid argument",
        ),
    ];
    for (linux, process, want) in cases {
        let b = Bundle::with(&root, &["true"], &Options { linux, process, ..Default::default() });
        let id = unique_name();
        let out = b.runt(&["run", "--bundle", b.dir.as_str(), &id]);
        assert_error(&out, 125, want);
        assert_no_cgroup(&id);
    }
}

/// The CPUs this test may run on, from its own status.
fn own_cpus() -> String {
    status_of(std::process::id(), "Cpus_allowed_list")
}

#[test]
fn exec_cpu_affinity_places_an_execd_process_and_not_the_init() {
    let all = own_cpus();
    assert!(all != "0", "this test needs two CPUs or more (has {all})");
    let last = all.rsplit(['-', ',']).next().unwrap().to_string();
    let root = rootfs();
    // As CRI-O does it: in the container's config, for the processes exec'd into it.
    let affinity = format!(r#"{{"final":"{last}"}}"#);
    let o = Options { process: &[("execCPUAffinity", &affinity)], ..Default::default() };
    let b = Bundle::with(&root, &["sleep", "60"], &o);
    let (id, pid) = started(&b);
    // The spec: not for the container's init.
    assert_eq!(status_of(pid, "Cpus_allowed_list"), all);
    let out = b.runt(&["exec", &id, "cat", "/proc/self/status"]);
    let status = ok_stdout(&out);
    assert!(status.contains(&format!("Cpus_allowed_list:\t{last}\n")), "{status}");
    // From --process: initial only, and the final set is every CPU the container's cgroup allows.
    let process = |affinity: &str| {
        format!(
            r#"{{"args":["cat","/proc/self/status"],"cwd":"/","env":["PATH=/bin"],"user":{{"uid":0,"gid":0}},
            "execCPUAffinity":{affinity}}}"#
        )
    };
    let out = exec_process(&b, &id, &process(r#"{"initial":"0"}"#));
    let status = ok_stdout(&out);
    assert!(status.contains(&format!("Cpus_allowed_list:\t{all}\n")), "{status}");
    // The initial set is applied (by runt, before the process is moved into the cgroup): a CPU
    // this host lacks is refused there.
    let out = exec_process(&b, &id, &process(r#"{"initial":"8000","final":"0"}"#));
    assert_error(&out, 125, "process.execCPUAffinity.initial: sched_setaffinity: Invalid argument");
}

/// CLOCK_MONOTONIC and CLOCK_BOOTTIME seconds from `probe clocks` output.
fn clocks(text: &str) -> (i64, i64) {
    let value = |name: &str| -> i64 {
        let line = text.lines().find_map(|l| l.strip_prefix(name)).unwrap_or_else(|| panic!("no {name} in {text:?}"));
        line.trim().parse().expect("seconds")
    };
    (value("monotonic "), value("boottime "))
}

/// The host's clocks, from the probe run here.
fn host_clocks() -> (i64, i64) {
    let out = std::process::Command::new(probe()).arg("clocks").output().expect("run probe clocks");
    clocks(&String::from_utf8_lossy(&out.stdout))
}

const DAY: i64 = 86400;

#[test]
fn a_time_namespace_shifts_the_containers_clocks_and_not_the_hosts() {
    let root = rootfs();
    let (mono, boot) = (1000 * DAY, 2000 * DAY);
    let linux = format!(r#""timeOffsets":{{"monotonic":{{"secs":{mono}}},"boottime":{{"secs":{boot},"nanosecs":5}}}}"#);
    let o = Options { linux: &linux, namespaces: &[r#"{"type":"time"}"#], ..Default::default() };
    let b = Bundle::with(&root, &["sleep", "60"], &o);
    let id = unique_name();
    b.create(&id, &[]);
    let pid = b.pid(&id);
    // An exec'd process lives in it before `start` already, and after.
    let seen = |b: &Bundle| {
        let before = host_clocks();
        let out = b.runt(&["exec", &id, "sh", "-c", "probe clocks; cat /proc/uptime"]);
        let after = host_clocks();
        let text = ok_stdout(&out);
        let (m, bt) = clocks(&text);
        // The clocks only go forward: the container's lies between the host's before and after.
        assert!((before.0 + mono..=after.0 + mono).contains(&m), "monotonic {m}, host {before:?} .. {after:?}");
        assert!((before.1 + boot..=after.1 + boot).contains(&bt), "boottime {bt}, host {before:?} .. {after:?}");
        let uptime: f64 = text.lines().nth(2).and_then(|l| l.split(' ').next()).unwrap().parse().unwrap();
        assert!((before.1 + boot..=after.1 + boot + 1).contains(&(uptime as i64)), "uptime {uptime}");
    };
    seen(&b);
    b.runt(&["start", &id]);
    seen(&b);
    // The host's side: the init lives in a time namespace of its own, with those offsets.
    let link = |p: &str| fs::read_link(format!("/proc/{p}/ns/time")).unwrap();
    assert_ne!(link(&pid.to_string()), link("self"));
    let offsets = fs::read_to_string(format!("/proc/{pid}/timens_offsets")).unwrap();
    let offsets: Vec<&str> = offsets.split_whitespace().collect();
    assert_eq!(offsets, ["monotonic", &mono.to_string(), "0", "boottime", &boot.to_string(), "5"]);
}
