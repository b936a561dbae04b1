//! `runt run`'s mounts as Docker spells them (`-v` on the read-only host root, `--tmpfs`,
//! `--mount`) and `--env-file`.

mod common;
use common::*;
use std::fs;
use std::process::{Command, Stdio};

/// The line of the container's /proc/self/mounts for `point` (empty if none).
fn mount_line(root: &TempDir, words: &str, point: &str) -> String {
    let out = run_in(root, &unique_name(), &format!("{words} /bin/probe read /proc/self/mounts"));
    let text = ok_stdout(&out);
    text.lines().find(|l| l.split(' ').nth(1) == Some(point)).unwrap_or_default().to_string()
}

/// A volume whose mount point the read-only host root lacks is refused, naming the path; it
/// used to run without the volume. Nothing is made on the host.
#[test]
fn a_volume_on_the_host_root_without_its_mount_point_is_refused() {
    let (vol, name) = (TempDir::new("vol"), unique_name());
    let dst = format!("/runt-test-{name}");
    let mut args = vec!["-v".to_string(), format!("{}:{dst}", vol.as_str())];
    args.extend(default_probe(&["exit", "0"]));
    let out = run_named(&name, &args);
    assert_error(&out, 125, &format!("{dst} does not exist on the host's read-only /"));
    assert!(!std::path::Path::new(&dst).exists(), "{dst} was made on the host");
    // One that exists, or lies on a fresh filesystem (/tmp), is mounted as before.
    let mut args = vec!["-v".to_string(), format!("{}:/tmp/deep/data", vol.as_str())];
    fs::write(vol.join("f"), "host\n").unwrap();
    args.extend(default_probe(&["read", "/tmp/deep/data/f"]));
    assert_eq!(ok_stdout(&run_named(&name, &args)), "host\n");
}

#[test]
fn tmpfs_options_as_docker() {
    let root = rootfs();
    let line = mount_line(&root, "--tmpfs /scratch:size=1m,mode=700", "/scratch");
    assert!(line.starts_with("tmpfs /scratch tmpfs rw,nosuid,nodev,noexec"), "{line}");
    assert!(line.contains("size=1024k") && line.contains("mode=700"), "{line}");
    let line = mount_line(&root, "--tmpfs /scratch:exec,ro", "/scratch");
    assert!(line.starts_with("tmpfs /scratch tmpfs ro,nosuid,nodev,relatime"), "{line}");
    // Written to memory, not to the rootfs under it.
    let out = run_in(&root, &unique_name(), "--tmpfs /scratch /bin/probe write /scratch/f");
    assert_eq!(ok_stdout(&out), "ok\n");
    assert!(!root.join("scratch/f").exists());
    let out = run_in(&root, &unique_name(), "--tmpfs scratch /bin/probe exit 0");
    assert_error(&out, 125, "invalid --tmpfs 'scratch': the destination must be an absolute path");
}

#[test]
fn mount_binds_and_tmpfs_as_docker() {
    let (root, vol) = (rootfs(), TempDir::new("vol"));
    fs::write(vol.join("f"), "host\n").unwrap();
    let v = vol.as_str();
    let ro = format!("--mount type=bind,source={v},target=/data,readonly");
    let out = run_in(&root, &unique_name(), &format!("{ro} /bin/probe read /data/f"));
    assert_eq!(ok_stdout(&out), "host\n");
    let out = run_in(&root, &unique_name(), &format!("{ro} /bin/probe write /data/g"));
    assert_eq!(stdout(&out), "error: Read-only file system\n", "{}", describe(&out));
    let rw = format!("--mount type=bind,src={v},dst=/data");
    assert_eq!(ok_stdout(&run_in(&root, &unique_name(), &format!("{rw} /bin/probe write /data/g"))), "ok\n");
    assert_eq!(fs::read_to_string(vol.join("g")).unwrap(), "probe\n", "written through the bind");
    let line = mount_line(&root, "--mount type=tmpfs,target=/t,tmpfs-size=2m,tmpfs-mode=1770", "/t");
    assert!(line.starts_with("tmpfs /t tmpfs rw,nosuid,nodev,noexec") && line.contains("size=2048k"), "{line}");
    assert!(line.contains("mode=1770"), "{line}");
    let out = run_in(&root, &unique_name(), "--mount type=volume,source=v,target=/v /bin/probe exit 0");
    assert_error(&out, 125, "invalid --mount 'type=volume,source=v,target=/v': the type must be bind or tmpfs");
}

#[test]
fn env_file_as_docker() {
    let (root, dir, name) = (rootfs(), TempDir::new("env"), unique_name());
    let file = dir.join("vars");
    fs::write(&file, "# settings\n\nA=1\n  B=two words\nFROM_RUNT\nNOT_IN_RUNT\nC=file\n").unwrap();
    let out = Command::new(runt())
        .args(["run", "--name", &name, "--rootfs", root.as_str(), "--env-file"])
        .arg(&file)
        .args(["-e", "C=flag", "/bin/probe", "env"])
        .env("FROM_RUNT", "runt's")
        .env_remove("NOT_IN_RUNT")
        .stdin(Stdio::null())
        .output()
        .expect("run runt");
    let env = ok_stdout(&out);
    for want in ["A=1", "B=two words", "FROM_RUNT=runt's", "C=flag"] {
        assert!(env.lines().any(|l| l == want), "{want} missing:\n{env}");
    }
    assert!(!env.contains("NOT_IN_RUNT") && !env.contains("C=file") && !env.contains('#'), "{env}");
    let missing = dir.join("nope");
    let out = run_in(&root, &name, &format!("--env-file {} /bin/probe exit 0", missing.display()));
    assert_error(&out, 125, &format!("--env-file: open {}: No such file or directory", missing.display()));
    fs::write(&file, "GOOD=1\nBAD NAME=2\n").unwrap();
    let out = run_in(&root, &name, &format!("--env-file {} /bin/probe exit 0", file.display()));
    assert_error(&out, 125, "line 2: invalid variable name 'BAD NAME'");
}
