//! User namespaces: `runt run` by an unprivileged user (created here with useradd and removed
//! afterwards), and `--userns` with explicit maps as root.

mod common;

use common::user::*;
use common::*;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::Output;

#[test]
fn test_user_really_is_unprivileged() {
    // Guards the other tests: setpriv leaves the user without any capability.
    let user = TestUser::new();
    let out = wait(user.command(&user.dir.join("probe")).arg("ids").spawn().expect("spawn setpriv"));
    assert_eq!(ok_stdout(&out), format!("uid={} gid={} groups=\n", user.uid, user.gid));
    let out = wait(user.command(&user.dir.join("probe")).arg("status").spawn().expect("spawn setpriv"));
    let text = ok_stdout(&out);
    assert!(text.lines().any(|l| l == "CapEff:\t0000000000000000"), "{text}");
}

#[test]
fn rootless_command_is_root_inside() {
    let user = TestUser::new();
    let text = ok_stdout(&user.run(&[], &["ids"]));
    assert!(text.starts_with("uid=0 gid=0 "), "{text}");
}

#[test]
fn rootless_uid_map_maps_the_user_to_root() {
    let user = TestUser::new();
    let text = ok_stdout(&user.run(&[], &["read", "/proc/self/uid_map"]));
    let first: Vec<&str> = text.lines().next().unwrap_or("").split_whitespace().collect();
    assert_eq!(first, ["0", &user.uid.to_string(), "1"], "{text}");
}

#[test]
fn rootless_command_is_pid_1() {
    let user = TestUser::new();
    assert_eq!(ok_stdout(&user.run(&[], &["pid"])), "1\n");
    assert_eq!(ok_stdout(&user.run(&[], &["procs"])), "1\n");
}

#[test]
fn rootless_hostname() {
    let user = TestUser::new();
    assert_eq!(ok_stdout(&user.run(&["--hostname", "foo"], &["hostname"])), "foo\n");
}

#[test]
fn rootless_limits_without_a_delegated_cgroup_are_refused() {
    // Fail closed: a limit asked for and impossible to apply (no cgroup delegated to this user on
    // this host) stops the container rather than running it unlimited with a warning.
    let user = TestUser::new();
    let out = user.run(&["--pids-limit", "10"], &["pid"]);
    assert_error(&out, 125, "/sys/fs/cgroup/");
    let err = stderr(&out);
    assert!(err.contains("delegat") && err.contains("Permission denied"), "{}", describe(&out));
    assert_eq!(stdout(&out), "", "the container ran\n{}", describe(&out));
}

#[test]
fn rootless_without_limits_runs_without_a_cgroup_and_says_nothing() {
    // Nothing was asked that needs a cgroup: no error, and no warning either.
    let user = TestUser::new();
    let out = user.run(&[], &["pid"]);
    assert_eq!(ok_stdout(&out), "1\n");
    assert_eq!(stderr(&out), "", "{}", describe(&out));
}

#[test]
fn rootless_exit_code_propagates() {
    let user = TestUser::new();
    assert_eq!(code(&user.run(&[], &["exit", "3"])), 3);
    assert_eq!(code(&user.run(&[], &["exit", "0"])), 0);
}

#[test]
fn rootless_security_defaults_apply() {
    let user = TestUser::new();
    let text = ok_stdout(&user.run(&[], &["status"]));
    let expected = "CapInh:\t0000000000000000\nCapPrm:\t00000000a80425fb\nCapEff:\t00000000a80425fb\n\
                    CapBnd:\t00000000a80425fb\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\nSeccomp:\t2\n";
    assert_eq!(text, expected);
}

#[test]
fn rootless_root_inside_has_no_power_over_host_files() {
    // A root-owned host directory bound in: root inside is the user outside, so it cannot write.
    let user = TestUser::new();
    let target = TempDir { path: user.dir.join("root-owned") };
    fs::create_dir(&target.path).expect("mkdir");
    fs::set_permissions(&target.path, fs::Permissions::from_mode(0o755)).expect("chmod");
    let volume = format!("{}:/mnt", target.as_str());
    let out = user.run(&["-v", &volume], &["write", "/mnt/x"]);
    assert_eq!(stdout(&out), "error: Permission denied\n", "{}", describe(&out));
    assert!(!target.join("x").exists());
}

/// `runt run --name NAME OPTS... -v PROBE:/run/probe:ro /run/probe CMD...` as root, with the probe
/// from a directory every user can read (the container's root is an unprivileged id outside).
fn run_root(opts: &[&str], cmd: &[&str]) -> Output {
    let dir = shared_bin_dir();
    let volume = format!("{}:{PROBE_IN_DEFAULT}:ro", dir.join("probe").display());
    let mut args: Vec<&str> = opts.to_vec();
    args.extend(["-v", &volume, PROBE_IN_DEFAULT]);
    args.extend(cmd);
    run_named(&unique_name(), &args)
}

const MAP: [&str; 3] = ["--userns", "--uidmap", "0:100000:65536"];

#[test]
fn userns_as_root_maps_root_to_the_given_range() {
    let text = ok_stdout(&run_root(&MAP, &["ids"]));
    assert!(text.starts_with("uid=0 gid=0 "), "{text}");
    let text = ok_stdout(&run_root(&MAP, &["read", "/proc/self/uid_map"]));
    let map: Vec<&str> = text.split_whitespace().collect();
    assert_eq!(map, ["0", "100000", "65536"], "{text}");
}

#[test]
fn userns_gidmap() {
    let opts = ["--userns", "--uidmap", "0:100000:65536", "--gidmap", "0:200000:65536"];
    let text = ok_stdout(&run_root(&opts, &["read", "/proc/self/gid_map"]));
    let map: Vec<&str> = text.split_whitespace().collect();
    assert_eq!(map, ["0", "200000", "65536"], "{text}");
}

#[test]
fn userns_container_runs_as_the_mapped_id_outside() {
    let dir = shared_bin_dir();
    let (name, mark) = (unique_name(), format!("RUNT_TEST_MARK={}", unique_name()));
    let volume = format!("{}:{PROBE_IN_DEFAULT}:ro", dir.join("probe").display());
    let mut args: Vec<&str> = MAP.to_vec();
    args.extend(["-e", &mark, "-v", &volume, PROBE_IN_DEFAULT, "sleep", "30"]);
    let child = spawn_named(&name, &args);
    let pid = find_pid_by_env(&mark);
    let status = fs::read_to_string(format!("/proc/{pid}/status")).expect("read the container's status");
    kill("KILL", pid);
    let out = wait(child);
    assert_no_cgroup(&name);
    assert_eq!(code(&out), 137, "{}", describe(&out));
    let uids: Vec<&str> =
        status.lines().find_map(|l| l.strip_prefix("Uid:")).unwrap_or("").split_whitespace().collect();
    assert_eq!(uids, ["100000"; 4], "the container's uids outside\n{status}");
}
