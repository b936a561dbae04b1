//! `runt run`: what the command sees inside (pid, hostname, env, ids, network), exit
//! statuses, signals, and many containers at once. Every test names its container and
//! checks that its cgroup is gone afterwards (`run_in`, `run_named`).

mod common;

use common::*;

#[test]
fn command_is_pid_1_in_rootfs() {
    let (root, name) = (rootfs(), unique_name());
    assert_eq!(ok_stdout(&run_in(&root, &name, "/bin/probe pid")), "1\n");
    let out = run_in(&root, &name, "/bin/probe procs");
    assert_eq!(ok_stdout(&out), "1\n", "the container's /proc shows only its own process");
}

#[test]
fn command_is_pid_1_in_default_rootfs() {
    let name = unique_name();
    let out = run_named(&name, &default_probe(&["pid"]));
    assert_eq!(ok_stdout(&out), "1\n");
}

#[test]
fn hostname_option() {
    let (root, name) = (rootfs(), unique_name());
    let out = run_in(&root, &name, "--hostname foo /bin/probe hostname");
    assert_eq!(ok_stdout(&out), "foo\n");
}

#[test]
fn hostname_defaults_to_the_name() {
    let (root, name) = (rootfs(), unique_name());
    let out = run_in(&root, &name, "/bin/probe hostname");
    assert_eq!(ok_stdout(&out), format!("{name}\n"));
}

#[test]
fn env_is_the_base_set_plus_e() {
    let (root, name) = (rootfs(), unique_name());
    let text = ok_stdout(&run_in(&root, &name, "-e A=B /bin/probe env"));
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.contains(&"A=B"), "{text}");
    let path = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    assert!(lines.contains(&path), "{text}");
    assert!(lines.contains(&format!("HOSTNAME={name}").as_str()), "{text}");
    for line in lines {
        let key = line.split('=').next().unwrap_or("");
        assert!(
            ["PATH", "HOSTNAME", "HOME", "TERM", "A"].contains(&key),
            "host environment leaked into the container: {line}\n{text}"
        );
    }
}

#[test]
fn option_value_forms() {
    // --opt=VALUE, and short options glued to their value.
    let (root, name) = (rootfs(), unique_name());
    let rootfs = format!("--rootfs={}", root.as_str());
    let out = run_named(&name, &[&rootfs, "--hostname=bar", "/bin/probe", "hostname"]);
    assert_eq!(ok_stdout(&out), "bar\n");
    let out = run_named(&name, &[&rootfs, "-eX=Y", "--env=Z=W", "/bin/probe", "env"]);
    let text = ok_stdout(&out);
    assert!(text.lines().any(|l| l == "X=Y") && text.lines().any(|l| l == "Z=W"), "{text}");
    let out = run_named(&name, &[&rootfs, "-w/tmp", "/bin/probe", "cwd"]);
    assert_eq!(ok_stdout(&out), "/tmp\n");
}

#[test]
fn first_word_ends_the_options() {
    let (root, name) = (rootfs(), unique_name());
    let out = run_in(&root, &name, "-- /bin/probe exit 4");
    assert_eq!(code(&out), 4, "{}", describe(&out));
    // Options after COMMAND belong to the command: the probe rejects them with 2.
    let out = run_in(&root, &name, "/bin/probe --hostname x");
    assert_eq!(code(&out), 2, "probe should get --hostname\n{}", describe(&out));
}

#[test]
fn workdir() {
    let (root, name) = (rootfs(), unique_name());
    assert_eq!(ok_stdout(&run_in(&root, &name, "-w /tmp /bin/probe cwd")), "/tmp\n");
    assert_eq!(ok_stdout(&run_in(&root, &name, "/bin/probe cwd")), "/\n", "default workdir");
}

#[test]
fn user_drops_ids_and_groups() {
    let (root, name) = (rootfs(), unique_name());
    let out = run_in(&root, &name, "-u 1000:1000 /bin/probe ids");
    assert_eq!(ok_stdout(&out), "uid=1000 gid=1000 groups=\n");
}

#[test]
fn net_none_has_only_lo_up() {
    let (root, name) = (rootfs(), unique_name());
    for words in ["--net none /bin/probe netdevs", "/bin/probe netdevs"] {
        assert_eq!(ok_stdout(&run_in(&root, &name, words)), "lo up\n", "{words}");
    }
}

/// The host's network namespace itself (its interfaces come and go with other tests: the
/// namespace is what `--net host` promises).
#[test]
fn net_host_is_the_hosts_network_namespace() {
    let host = std::fs::read_link("/proc/self/ns/net").expect("read /proc/self/ns/net");
    let (root, name) = (rootfs(), unique_name());
    let out = run_in(&root, &name, "--net host /bin/probe ns net");
    assert_eq!(ok_stdout(&out), format!("{}\n", host.display()));
    let out = run_in(&root, &name, "/bin/probe ns net");
    assert_ne!(ok_stdout(&out), format!("{}\n", host.display()), "a container without --net host");
}

#[test]
fn exit_status_is_the_commands() {
    let (root, name) = (rootfs(), unique_name());
    for n in [0, 3, 255] {
        let out = run_in(&root, &name, &format!("/bin/probe exit {n}"));
        assert_eq!(code(&out), n, "{}", describe(&out));
        assert_eq!(stderr(&out), "", "no noise on success");
    }
}

#[test]
fn missing_command_is_127() {
    let (root, name) = (rootfs(), unique_name());
    let out = run_in(&root, &name, "/bin/nope");
    assert_error(&out, 127, "/bin/nope");
    assert_eq!(stderr(&out), "runt: exec /bin/nope: no such file or directory\n");
}

#[test]
fn missing_command_on_path_is_127() {
    let (root, name) = (rootfs(), unique_name());
    let out = run_in(&root, &name, "nope-not-anywhere");
    assert_error(&out, 127, "nope-not-anywhere");
}

#[test]
fn command_found_on_path() {
    require_busybox();
    let (root, name) = (rootfs(), unique_name());
    let out = run_in(&root, &name, "probe exit 5");
    assert_eq!(code(&out), 5, "{}", describe(&out));
    assert_eq!(ok_stdout(&run_in(&root, &name, "echo hi")), "hi\n");
}

#[test]
fn not_executable_is_126() {
    let (root, name) = (rootfs(), unique_name());
    let out = run_in(&root, &name, "/bin/notexec");
    assert_error(&out, 126, "/bin/notexec");
    assert_eq!(stderr(&out), "runt: exec /bin/notexec: permission denied\n");
}

/// Failures of the execve itself, once the command is found: a missing #! interpreter, a file
/// that is no program, a chain of scripts too deep; and a path through a file. runt run executes
/// the command through its exec trampoline (src/sys/trampoline.rs), which reports these back to
/// runt: the same one line and status as without it.
#[test]
fn failures_of_a_found_command_are_126_or_127_with_runts_message() {
    let (root, name) = (rootfs(), unique_name());
    let script = |name: &str, text: &str| {
        let path = root.path.join("bin").join(name);
        std::fs::write(&path, text).expect("write a script");
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
    };
    script("orphan", "#!/nowhere/sh\n");
    script("garbage", "\x7fELF but not really\n");
    for n in 0..6 {
        script(&format!("loop{n}"), &format!("#!/bin/loop{}\n", n + 1));
    }
    script("loop6", "#!/bin/probe\n");
    let cases = [
        (
            "/bin/orphan",
            127,
            "exec /bin/orphan (its interpreter or dynamic loader is missing): no such file or directory",
        ),
        ("orphan", 127, "exec orphan: no such file or directory"),
        ("/bin/garbage", 126, "exec /bin/garbage: Exec format error"),
        // ELOOP: the kernel follows four levels of #! at most.
        ("/bin/loop0", 126, "exec /bin/loop0: Too many levels of symbolic links"),
        ("/bin/probe/x", 126, "exec /bin/probe/x: Not a directory"),
    ];
    for (command, status, said) in cases {
        let out = run_in(&root, &name, command);
        assert_eq!((code(&out), stderr(&out)), (status, format!("runt: {said}\n")), "{}", describe(&out));
        assert_eq!(stdout(&out), "");
    }
}

#[test]
fn missing_rootfs_is_125() {
    let name = unique_name();
    let out = run_named(&name, &["--rootfs", "/nonexistent", "/bin/true"]);
    assert_error(&out, 125, "/nonexistent");
}

#[test]
fn killed_by_signal_is_128_plus_n() {
    // The command is pid 1 of its namespace, so it cannot kill itself (the kernel drops
    // signals without a handler sent to init from inside): SIGKILL comes from the host,
    // to the process found by a unique variable in its environment.
    let (root, name) = (rootfs(), unique_name());
    let mark = format!("RUNT_TEST_MARK={name}");
    let child = spawn_in(&root, &name, &format!("-e {mark} /bin/probe sleep 30"));
    kill("KILL", find_pid_by_env(&mark));
    let out = wait(child);
    assert_eq!(code(&out), 137, "{}", describe(&out));
    assert_no_cgroup(&name);
}

#[test]
fn shell_exit_status_through_busybox() {
    require_busybox();
    let (root, name) = (rootfs(), unique_name());
    // A child of pid 1 killed by SIGKILL: the shell reports 137 and exits with it.
    let script = "sh -c 'kill -9 $$'; exit $?";
    let out = run_named(&name, &["--rootfs", root.as_str(), "sh", "-c", script]);
    assert_eq!(code(&out), 137, "{}", describe(&out));
    let out = run_named(&name, &["--rootfs", root.as_str(), "sh", "-c", "exit 7"]);
    assert_eq!(code(&out), 7, "{}", describe(&out));
}

/// Sends `signal` to runt once the probe has its signalfd, expects it forwarded to pid 1.
fn forwards(signal: &str, number: u32) {
    let (root, name) = (rootfs(), unique_name());
    let mut child = spawn_in(&root, &name, "/bin/probe wait-signal");
    let lines = stdout_lines(&mut child);
    assert_eq!(next_line(&lines), "ready");
    kill(signal, child.id());
    // Not passed on, the probe would wait for ever: the container is ended before the verdict.
    let got = lines.recv_timeout(std::time::Duration::from_secs(10));
    if got.is_err() {
        kill("KILL", child.id());
    }
    let out = wait(child);
    assert_eq!(got.as_deref(), Ok(format!("got signal {number}").as_str()), "{}", describe(&out));
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_no_cgroup(&name);
}

#[test]
fn sigterm_is_forwarded() {
    forwards("TERM", 15);
}

#[test]
fn sigint_is_forwarded() {
    forwards("INT", 2);
}

#[test]
fn sighup_is_forwarded() {
    forwards("HUP", 1);
}

#[test]
fn sigusr1_is_forwarded() {
    forwards("USR1", 10);
}

#[test]
fn sigquit_is_forwarded() {
    forwards("QUIT", 3);
}

#[test]
fn sigusr2_is_forwarded() {
    forwards("USR2", 12);
}

/// A resized terminal: runt's own window changes, the container's program is told.
#[test]
fn sigwinch_is_forwarded() {
    forwards("WINCH", 28);
}

/// ^Z reaches runt (the container has a session of its own) and is passed on; runt itself is not
/// suspended, or the container would go on writing to the terminal behind the shell's prompt.
#[test]
fn sigtstp_is_forwarded() {
    forwards("TSTP", 20);
}

#[test]
fn fifty_containers_at_once() {
    require_busybox();
    let root = rootfs();
    let names: Vec<String> = (0..50).map(|_| unique_name()).collect();
    let children: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(i, name)| spawn_in(&root, name, if i % 2 == 0 { "/bin/probe exit 0" } else { "true" }))
        .collect();
    let outs: Vec<_> = children.into_iter().map(wait).collect();
    for (name, out) in names.iter().zip(&outs) {
        assert_eq!(code(out), 0, "container {name}\n{}", describe(out));
        assert_no_cgroup(name);
    }
}

#[test]
fn the_cgroup_left_by_a_killed_runt_is_reclaimed() {
    let (root, name) = (rootfs(), unique_name());
    let mut first = spawn_in(&root, &name, "/bin/probe sleep 60");
    assert!(poll(|| !cgroup_pids(&name).is_empty()), "the first container never joined its cgroup");
    // runt SIGKILLed: its container dies with it, its cgroup stays behind, empty.
    first.kill().expect("SIGKILL runt");
    let _ = first.wait();
    // A process leaves cgroup.procs only once its namespaces are torn down, which the suite's
    // 50 concurrent containers were seen to slow past poll's 10 s on this 2-CPU machine.
    let gone = poll_within(std::time::Duration::from_secs(60), || cgroup_pids(&name).is_empty());
    assert!(gone, "the container outlived its runt: {:?} still in its cgroup", cgroup_pids(&name));
    assert!(cgroup_exists(&name), "no leftover cgroup to reclaim: the test proves nothing");
    // Empty, and no runt holds it: the name is free again (and run_in checks nothing is left).
    let out = run_in(&root, &name, "/bin/probe exit 0");
    assert_eq!(code(&out), 0, "{}", describe(&out));
}

/// The kernel forgets a process's parent-death signal when its ids change: a non-root --user,
/// and the switch to root in a user namespace (another uid outside). The container must still
/// die with a SIGKILLed runt, whatever its user.
#[test]
fn a_container_dies_with_its_killed_runt_whatever_its_user() {
    let root = rootfs();
    for opts in [&["--user", "1000"][..], &["--userns"], &["--userns", "--user", "1000:1000"]] {
        let name = unique_name();
        let mark = format!("RUNT_TEST_MARK={name}");
        let mut args = vec!["--rootfs", root.as_str(), "-e", &mark];
        args.extend(opts);
        args.extend(["/bin/probe", "sleep", "60"]);
        let mut runt = spawn_named(&name, &args);
        let pid = find_pid_by_env(&mark);
        runt.kill().expect("SIGKILL runt");
        let _ = runt.wait();
        let died = poll(|| !alive(pid));
        if !died {
            kill("KILL", pid);
        }
        // What runt would have removed: the cgroup, once empty.
        assert!(poll_within(std::time::Duration::from_secs(60), || cgroup_pids(&name).is_empty()));
        for dir in cgroup_paths(&name).iter().filter(|p| p.exists()) {
            let _ = std::fs::remove_dir(dir);
        }
        assert!(died, "{opts:?}: the container's init (pid {pid}) outlived its SIGKILLed runt");
    }
}

#[test]
fn a_name_in_use_is_refused() {
    let (root, name) = (rootfs(), unique_name());
    let first = spawn_in(&root, &name, "/bin/probe sleep 2");
    assert!(poll(|| cgroup_exists(&name)), "the first container's cgroup never appeared");
    let out = wait(spawn_in(&root, &name, "/bin/probe exit 0"));
    assert_error(&out, 125, &name);
    assert!(cgroup_exists(&name), "the refused run removed the first container's cgroup");
    let out = wait(first);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_no_cgroup(&name);
}
