//! The container's filesystem: only its own mounts, read-only roots, volumes, symlinks
//! that try to lead a volume out of the rootfs, and no mount of the container's reaching the host.

mod common;

use common::*;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

/// The mounts a container may have: its root and fresh /proc /dev /sys /tmp /run, the masks
/// over /sys/firmware and below /proc, what lives below /dev, plus its volumes. Nothing else.
const OWN: &[&str] = &["/", "/proc", "/dev", "/sys", "/sys/firmware", "/tmp", "/run"];

fn is_own(point: &str, volumes: &[&str]) -> bool {
    OWN.contains(&point) || point.starts_with("/proc/") || point.starts_with("/dev/") || volumes.contains(&point)
}

/// Asserts that `probe mounts` output lists only the container's own mounts, and at
/// least `required` and the volumes.
fn assert_only_own_mounts(text: &str, required: &[&str], volumes: &[&str]) {
    let inside: Vec<&str> = text.lines().collect();
    let host = host_mount_points();
    let foreign: Vec<String> = inside
        .iter()
        .filter(|p| !is_own(p, volumes))
        .map(|p| match host.iter().any(|h| h == p) {
            true => format!("{p} (a host mount)"),
            false => p.to_string(),
        })
        .collect();
    assert!(foreign.is_empty(), "not the container's mounts: {foreign:?}\ninside: {inside:?}");
    for want in required.iter().chain(volumes) {
        assert!(inside.contains(want), "{want} is not mounted inside\ninside: {inside:?}");
    }
}

#[test]
fn rootfs_sees_only_its_own_mounts() {
    let (root, vol, name) = (rootfs(), TempDir::new("vol"), unique_name());
    let out = run_in(&root, &name, &format!("-v {}:/data /bin/probe mounts", vol.as_str()));
    // The contract names the fresh mounts for the default rootfs only; with --rootfs
    // at least / and /proc.
    assert_only_own_mounts(&ok_stdout(&out), &["/", "/proc"], &["/data"]);
}

/// Where the default rootfs gets filesystems of its own instead of the host's.
const REPLACED: &[&str] = &["/proc", "/sys", "/dev", "/tmp", "/run"];

fn replaced(point: &str) -> bool {
    REPLACED.iter().any(|r| point == *r || point.strip_prefix(r).is_some_and(|rest| rest.starts_with('/')))
}

/// The host's / comes with its submounts (a board's data partition), all read-only; its /proc,
/// /sys, /dev, /tmp and /run (and what is mounted below them) are the container's own instead.
#[test]
fn default_rootfs_shows_host_submounts_read_only_and_its_own_kernel_filesystems() {
    let name = unique_name();
    // Other tests on this host mount and unmount meanwhile: only the host's mounts there both
    // before and after the run must show inside.
    let before = host_mount_points();
    let out = run_named(&name, &default_probe(&["read", "/proc/self/mountinfo"]));
    let after = host_mount_points();
    let text = ok_stdout(&out);
    // (mount point, options, filesystem type) of each line inside.
    let inside: Vec<(&str, &str, &str)> = text
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            let dash = f.iter().position(|x| *x == "-")?;
            Some((*f.get(4)?, *f.get(5)?, *f.get(dash + 1)?))
        })
        .collect();
    let points: Vec<&str> = inside.iter().map(|m| m.0).collect();
    let host: Vec<String> = before.into_iter().filter(|p| p != "/" && !replaced(p) && after.contains(p)).collect();
    for p in &host {
        assert!(
            points.contains(&p.as_str()),
            "the host's {p} is not shown inside
inside: {points:?}"
        );
    }
    for (point, options, _) in inside.iter().filter(|m| host.iter().any(|h| h == m.0) || m.0 == "/") {
        assert!(options.split(',').any(|o| o == "ro"), "{point} is not read-only inside: {options}");
    }
    // Below the replaced directories: only the container's own filesystems, none of the host's
    // (its cgroupfs under /sys/fs/cgroup, binfmt_misc, its devpts).
    let own: Vec<&(&str, &str, &str)> = inside.iter().filter(|m| replaced(m.0)).collect();
    for (point, _, fstype) in &own {
        let ok = is_own(point, &[PROBE_IN_DEFAULT]) && !point.starts_with("/sys/fs/cgroup");
        assert!(
            ok,
            "{point} ({fstype}) inside is not the container's own
inside: {own:?}"
        );
    }
    for (point, fstype) in
        [("/proc", "proc"), ("/sys", "sysfs"), ("/dev", "tmpfs"), ("/tmp", "tmpfs"), ("/run", "tmpfs")]
    {
        let count = inside.iter().filter(|m| m.0 == point).count();
        assert_eq!(
            count, 1,
            "{point} mounted {count} times inside (the host's under the container's?)
{own:?}"
        );
        assert!(
            inside.iter().any(|m| m.0 == point && m.2 == fstype),
            "{point} is not a {fstype}
{own:?}"
        );
    }
}

/// A mount made on the host under a directory of its root shows inside, read-only.
#[test]
fn a_host_mount_shows_read_only_on_the_default_rootfs() {
    let (dir, name) = (TempDir::on_host_root("hostmnt"), unique_name());
    let point = dir.join("part");
    fs::create_dir(&point).unwrap();
    let _mounted = HostTmpfs::mount(&point, "");
    fs::write(point.join("marker"), "on the data partition\n").unwrap();
    let p = point.to_str().expect("utf-8 path");
    let out = run_named(&name, &default_probe(&["read", &format!("{p}/marker")]));
    assert_eq!(ok_stdout(&out), "on the data partition\n");
    let out = run_named(&name, &default_probe(&["write", &format!("{p}/new")]));
    assert_eq!(stdout(&out), "error: Read-only file system\n", "{}", describe(&out));
    assert!(!point.join("new").exists(), "the container wrote on the host's mount");
}

/// A tmpfs of the test's own on a directory it made, shared (a peer group of one, as systemd
/// makes every host mount): what is mounted below it on any of its copies appears on the others.
/// Unmounted, with whatever came under it, on drop.
struct SharedMount {
    dir: TempDir,
}

impl SharedMount {
    fn new() -> SharedMount {
        let made = SharedMount { dir: TempDir::new("shared") };
        for args in [&["-t", "tmpfs", "runt-test"][..], &["--make-shared"]] {
            let st = std::process::Command::new("mount").args(args).arg(&made.dir.path).status().expect("run mount");
            assert!(st.success(), "mount {args:?} {} failed", made.dir.as_str());
        }
        made
    }

    /// Mount points below the directory (not itself) in the host's mount table.
    fn below(&self) -> Vec<String> {
        host_mount_points().into_iter().filter(|p| p.starts_with(&format!("{}/", self.dir.as_str()))).collect()
    }
}

impl Drop for SharedMount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").args(["-R", "-l"]).arg(&self.dir.path).status();
    }
}

/// The container's mount namespace starts as a copy of the host's, shared mounts included:
/// unless runt makes it private first, each mount it makes for the container below a shared
/// host mount (its /proc, /dev, /tmp, volumes, read-only remounts) appears on the host as well.
#[test]
fn mounts_made_for_the_container_stay_out_of_a_shared_host_mount() {
    let shared = SharedMount::new();
    let root = shared.dir.join("root");
    fs::create_dir(&root).expect("mkdir root");
    fill_rootfs(&root);
    let vol = shared.dir.join("vol");
    fs::create_dir(&vol).expect("mkdir vol");
    let (root, vol, name) = (root.to_str().expect("UTF-8"), vol.to_str().expect("UTF-8"), unique_name());
    let out = run_named(
        &name,
        &[
            "--rootfs",
            root,
            "--read-only",
            "-v",
            &format!("{vol}:/data"),
            "-v",
            &format!("{vol}:/ro:ro"),
            "/bin/probe",
            "mounts",
        ],
    );
    let inside = ok_stdout(&out);
    assert!(inside.lines().any(|l| l == "/data"), "the volume is not mounted inside: {inside}");
    assert_eq!(shared.below(), Vec::<String>::new(), "the container's mounts appeared on the host");
}

#[test]
fn read_only_root_refuses_writes_but_tmp_is_writable() {
    let (root, name) = (rootfs(), unique_name());
    let out = run_in(&root, &name, "--read-only /bin/probe write /x");
    assert_eq!(stdout(&out), "error: Read-only file system\n", "{}", describe(&out));
    assert_eq!(code(&out), 1);
    assert!(!root.join("x").exists());
    let out = run_in(&root, &name, "--read-only /bin/probe write /tmp/x");
    assert_eq!(ok_stdout(&out), "ok\n");
}

#[test]
fn rootfs_is_writable_without_read_only() {
    let (root, name) = (rootfs(), unique_name());
    assert_eq!(ok_stdout(&run_in(&root, &name, "/bin/probe write /x")), "ok\n");
    assert_eq!(fs::read_to_string(root.join("x")).unwrap(), "probe\n", "written into the rootfs");
    assert_eq!(ok_stdout(&run_in(&root, &name, "/bin/probe write /tmp/y")), "ok\n");
    assert!(!root.join("tmp/y").exists(), "/tmp is a fresh tmpfs, not the rootfs's directory");
}

#[test]
fn default_rootfs_is_read_only_with_a_private_tmp() {
    let name = unique_name();
    let in_root = format!("/runt-test-{name}");
    let out = run_named(&name, &default_probe(&["write", &in_root]));
    let created = fs::remove_file(&in_root).is_ok();
    assert_eq!(stdout(&out), "error: Read-only file system\n", "{}", describe(&out));
    assert!(!created, "the container wrote {in_root} on the host");

    let in_tmp = format!("/tmp/runt-test-{name}");
    let out = run_named(&name, &default_probe(&["write", &in_tmp]));
    let created = fs::remove_file(&in_tmp).is_ok();
    assert_eq!(ok_stdout(&out), "ok\n");
    assert!(!created, "the container's /tmp is the host's /tmp");
}

#[test]
fn volume_read_write() {
    let (root, vol, name) = (rootfs(), TempDir::new("vol"), unique_name());
    fs::write(vol.join("hello"), "from host\n").unwrap();
    assert!(!root.join("data").exists());
    let v = format!("-v {}:/data", vol.as_str());
    assert_eq!(ok_stdout(&run_in(&root, &name, &format!("{v} /bin/probe write /data/f"))), "ok\n");
    assert_eq!(fs::read_to_string(vol.join("f")).unwrap(), "probe\n", "written through the volume");
    assert!(root.join("data").is_dir(), "the missing DST was created in the rootfs");
    let out = run_in(&root, &name, &format!("{v} /bin/probe read /data/hello"));
    assert_eq!(ok_stdout(&out), "from host\n");
}

#[test]
fn volume_deep_missing_destination_is_created() {
    let (root, vol, name) = (rootfs(), TempDir::new("vol"), unique_name());
    fs::write(vol.join("hello"), "deep\n").unwrap();
    let out = run_in(&root, &name, &format!("-v {}:/a/b/c /bin/probe read /a/b/c/hello", vol.as_str()));
    assert_eq!(ok_stdout(&out), "deep\n");
}

#[test]
fn volume_read_only() {
    let (root, vol, name) = (rootfs(), TempDir::new("vol"), unique_name());
    let out = run_in(&root, &name, &format!("-v {}:/data:ro /bin/probe write /data/f", vol.as_str()));
    assert_eq!(stdout(&out), "error: Read-only file system\n", "{}", describe(&out));
    assert!(!vol.join("f").exists());
}

#[test]
fn volume_source_missing_is_125() {
    let (root, name) = (rootfs(), unique_name());
    let out = run_in(&root, &name, "-v /nonexistent-src:/data /bin/probe exit 0");
    assert_error(&out, 125, "/nonexistent-src");
}

/// `-v VOL:/etc/LEAF` with the rootfs's /etc a symlink to `target`: the volume must land
/// inside the rootfs (visible in the container at /etc/LEAF), or runt refuses with 125.
/// Landing anywhere on the host is the failure.
fn volume_through_etc_symlink(target: &str) {
    let (root, vol, name) = (rootfs(), TempDir::new("vol"), unique_name());
    fs::remove_dir_all(root.join("etc")).unwrap();
    symlink(target, root.join("etc")).unwrap();
    fs::write(vol.join("marker"), "inside\n").unwrap();
    let leaf = format!("esc-{name}");
    let words = format!("-v {}:/etc/{leaf} /bin/probe read /etc/{leaf}/marker", vol.as_str());
    let out = run_in(&root, &name, &words);

    // Everywhere the symlink could lead on the host: /, and each parent of the rootfs.
    let mut escapes: Vec<PathBuf> = vec![Path::new("/").join(&leaf)];
    let mut up = root.path.clone();
    for _ in 0..3 {
        up.push("..");
        escapes.push(up.join(&leaf));
    }
    let created: Vec<&PathBuf> = escapes.iter().filter(|p| p.exists()).collect();
    for p in &created {
        let _ = fs::remove_dir(p).or_else(|_| fs::remove_file(p));
    }
    assert!(created.is_empty(), "the volume's DST was created outside the rootfs: {created:?}");

    if code(&out) == 125 {
        assert_error(&out, 125, "");
    } else {
        assert_eq!(ok_stdout(&out), "inside\n", "the volume is not visible at /etc/{leaf}");
        assert!(root.join(&leaf).is_dir(), "DST should resolve to <rootfs>/{leaf}");
    }
}

#[test]
fn volume_cannot_escape_through_absolute_symlink() {
    volume_through_etc_symlink("/");
}

#[test]
fn volume_cannot_escape_through_relative_symlink() {
    volume_through_etc_symlink("../../..");
}
