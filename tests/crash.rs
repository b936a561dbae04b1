//! Crash consistency (issue 14): whatever moment runt is killed at or fails, one later command
//! removes every trace, and what runt cannot read it says so rather than hiding it.
//! (tests/faults does the same for every system call runt makes; these are the user's view.)

mod common;

use common::bundle::Bundle;
use common::*;
use std::fs;
use std::path::Path;
use std::thread::sleep;
use std::time::{Duration, Instant};

/// Polls `done` for up to 10 s (a bound for a loaded host, not a timing assertion).
fn within(what: &str, mut done: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < end, "{what}: not within 10 s");
        sleep(Duration::from_millis(10));
    }
}

fn alive(pid: u32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|s| s.rsplit(')').next().and_then(|r| r.split_whitespace().next()) != Some("Z"))
}

#[test]
fn delete_force_removes_a_running_container_whose_state_file_is_corrupt() {
    let root = rootfs();
    let b = Bundle::new(&root, &["sleep", "1000"]);
    let id = unique_name();
    b.start_new(&id, &[]);
    let pid = b.pid(&id);
    assert!(cgroup_exists(&id), "the container has a cgroup");
    let dir = b.state.join(&id);
    // As a write cut short leaves it (or a disk error): not JSON.
    fs::write(dir.join("state.json"), "{\"id\":").expect("corrupt state.json");

    // list shows it, as unknown, rather than hiding it.
    let list = ok_stdout(&b.runt(&["list"]));
    let row = list.lines().find(|l| l.starts_with(&id)).unwrap_or_else(|| panic!("{id} not listed:\n{list}"));
    assert!(row.split_whitespace().any(|w| w == "unknown"), "{row}");
    let json = ok_stdout(&b.runt(&["list", "--format", "json"]));
    assert!(json.contains(&format!(r#""id":"{id}","pid":0,"status":"unknown""#)), "{json}");
    // Without --force, the unreadable state is the error.
    assert_error(&b.runt(&["delete", &id]), 125, "state.json");

    let out = b.runt(&["delete", "--force", &id]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(!dir.exists(), "the state dir stays: {}", dir.display());
    assert!(!cgroup_exists(&id), "the cgroup stays");
    within("the container's init ends", || !alive(pid));
    assert!(!ok_stdout(&b.runt(&["list", "-q"])).lines().any(|l| l == id));
}

#[test]
fn delete_force_removes_a_container_whose_state_file_was_never_written() {
    let root = rootfs();
    let b = Bundle::new(&root, &["sleep", "1000"]);
    let id = unique_name();
    b.create(&id, &[]);
    let pid = b.pid(&id);
    // As create killed after its container was made, before it renamed state.json into place.
    fs::remove_file(b.state.join(&id).join("state.json")).expect("remove state.json");
    let out = b.runt(&["delete", "--force", &id]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(!b.state.join(&id).exists(), "the state dir stays");
    assert!(!cgroup_exists(&id), "the cgroup stays");
    within("the container's init ends", || !alive(pid));
    // Nothing to delete any more is no error for --force (runc's answer), and an error without.
    assert_eq!(code(&b.runt(&["delete", "--force", &id])), 0);
    assert_error(&b.runt(&["delete", &id]), 125, "does not exist");
}

#[test]
fn the_next_runt_run_removes_the_cgroup_of_a_killed_one() {
    let root = rootfs();
    let name = unique_name();
    let mut killed = spawn_in(&root, &name, "--pids-limit 64 -m 64m sleep 1000");
    within("the container runs in its cgroup", || !cgroup_pids(&name).is_empty());
    let dirs: Vec<_> = cgroup_paths(&name).into_iter().filter(|p| p.exists()).collect();
    assert!(
        dirs.iter().any(|p| p.starts_with("/sys/fs/cgroup/memory"))
            || Path::new("/sys/fs/cgroup/cgroup.controllers").exists()
    );
    killed.kill().expect("SIGKILL runt");
    killed.wait().expect("reap runt");
    // Its container dies with it (PDEATHSIG); its cgroup stays until the next runt run.
    within("the container dies with runt", || cgroup_pids(&name).is_empty());
    assert!(cgroup_exists(&name), "nothing to test: the killed runt's cgroup is gone already");
    // Without -m: the next run removes it from hierarchies it does not use itself too.
    let out = run_in(&root, &unique_name(), "true");
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let left: Vec<_> = dirs.iter().filter(|p| p.exists()).collect();
    assert!(left.is_empty(), "left: {left:?}");
}
