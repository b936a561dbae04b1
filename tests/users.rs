//! `runt run -u USER[:GROUP]`: names looked up in the container's /etc/passwd and /etc/group,
//! HOME and the groups from there, as Docker does; numbers without any file.

mod common;
use common::*;
use std::fs;

const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n\
    app:x:1000:1001::/home/app:/bin/sh\n";
const GROUP: &str = "root:x:0:\nwheel:x:10:other,app\nnogroup:x:65534:\napp:x:1001:\naudio:x:29:app\n";

/// A rootfs with the users and groups above.
fn rootfs_with_users() -> TempDir {
    let root = rootfs();
    fs::write(root.join("etc/passwd"), PASSWD).expect("write passwd");
    fs::write(root.join("etc/group"), GROUP).expect("write group");
    root
}

fn ids(root: &TempDir, user: &str) -> String {
    ok_stdout(&run_in(root, &unique_name(), &format!("-u {user} /bin/probe ids")))
}

fn home(root: &TempDir, user: &str) -> String {
    let env = ok_stdout(&run_in(root, &unique_name(), &format!("-u {user} /bin/probe env")));
    env.lines().filter(|l| l.starts_with("HOME=")).collect::<Vec<_>>().join(" ")
}

#[test]
fn a_user_by_name_gets_its_ids_group_and_home() {
    require_busybox();
    let root = rootfs_with_users();
    assert_eq!(ids(&root, "nobody"), "uid=65534 gid=65534 groups=\n");
    assert_eq!(home(&root, "nobody"), "HOME=/nonexistent");
    // What a user types to check: id, which reads the same files for the names.
    let out = run_in(&root, &unique_name(), "-u nobody /bin/busybox id");
    assert_eq!(ok_stdout(&out), "uid=65534(nobody) gid=65534(nogroup)\n");
    // Not root: no capabilities left to use.
    let status = ok_stdout(&run_in(&root, &unique_name(), "-u nobody /bin/probe status"));
    assert!(status.lines().any(|l| l == "CapEff:\t0000000000000000"), "{status}");
}

#[test]
fn supplementary_groups_are_those_that_list_the_user() {
    let root = rootfs_with_users();
    assert_eq!(ids(&root, "app"), "uid=1000 gid=1001 groups=10,29\n");
    // A number with an entry is that entry (group, HOME, groups), as Docker has it.
    assert_eq!(ids(&root, "1000"), "uid=1000 gid=1001 groups=10,29\n");
    assert_eq!(home(&root, "1000"), "HOME=/home/app");
    // An explicit group is the one group.
    assert_eq!(ids(&root, "app:wheel"), "uid=1000 gid=10 groups=\n");
    assert_eq!(ids(&root, "nobody:29"), "uid=65534 gid=29 groups=\n");
    // -e HOME still wins.
    let env = ok_stdout(&run_in(&root, &unique_name(), "-u app -e HOME=/x /bin/probe env"));
    assert!(env.lines().any(|l| l == "HOME=/x") && !env.contains("HOME=/home/app"), "{env}");
}

#[test]
fn numbers_need_no_files() {
    let root = rootfs();
    fs::remove_file(root.join("etc/passwd")).expect("rm passwd");
    assert_eq!(ids(&root, "4242"), "uid=4242 gid=4242 groups=\n");
    assert_eq!(ids(&root, "4242:7"), "uid=4242 gid=7 groups=\n");
    assert_eq!(home(&root, "4242"), "HOME=/");
}

#[test]
fn an_unknown_name_is_an_error() {
    let root = rootfs_with_users();
    let name = unique_name();
    let out = run_in(&root, &name, "-u bob /bin/probe ids");
    assert_error(&out, 125, "no user 'bob' in the container's /etc/passwd");
    let out = run_in(&root, &name, "-u app:staff /bin/probe ids");
    assert_error(&out, 125, "no group 'staff' in the container's /etc/group");
}

/// /etc/group is the container's to make: a FIFO there (new to be read) must not leave runt
/// waiting for a writer; it is no file of groups.
#[test]
fn a_fifo_for_etc_group_is_not_waited_on() {
    let root = rootfs_with_users();
    let group = root.join("etc/group");
    fs::remove_file(&group).expect("rm group");
    let made = std::process::Command::new("mkfifo").arg(&group).status().expect("run mkfifo");
    assert!(made.success(), "mkfifo {}", group.display());
    assert_eq!(ids(&root, "app"), "uid=1000 gid=1001 groups=\n");
    let out = run_in(&root, &unique_name(), "-u app:wheel /bin/probe ids");
    assert_error(&out, 125, "no group 'wheel' in the container's /etc/group");
}
