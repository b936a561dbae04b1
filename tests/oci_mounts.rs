//! The runtime spec's mounts, devices and propagation through OCI bundles (issue 12): what the
//! container sees, and that the host's side (its mount table, its files) stays as it was.

mod common;

use common::*;
use std::fs;
use std::os::unix::fs::{symlink, FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Output};
use std::thread;
use std::time::Duration;

/// Busybox applets the tests' containers use beyond the common rootfs's.
const APPLETS: &[&str] = &["grep", "stat", "mount", "umount", "touch", "test", "id", "head", "readlink"];

/// A rootfs with busybox, its applets, and /bin/probe.
fn busybox_rootfs() -> TempDir {
    require_busybox();
    let root = TempDir::shared("oci-rootfs");
    fill_rootfs(&root.path);
    for a in APPLETS {
        symlink("busybox", root.join("bin").join(a)).expect("symlink applet");
    }
    root
}

/// `s` as a JSON string.
fn json(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A config.json, built up by the test: the container's command, extra mounts after the
/// standard ones (proc, a tmpfs /dev, sysfs), extra members of `linux` and of `process`, and
/// the namespaces (pid, network, ipc, uts, mount unless changed).
struct Config {
    root: String,
    args: Vec<String>,
    mounts: Vec<String>,
    linux: Vec<String>,
    process: Vec<String>,
    namespaces: String,
}

const STANDARD_MOUNTS: &str = r#"
 {"destination":"/proc","type":"proc","source":"proc","options":["nosuid","noexec","nodev"]},
 {"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]},
 {"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","noexec","nodev","ro"]}"#;

impl Config {
    fn new(root: &TempDir, script: &str) -> Config {
        Config {
            root: root.as_str().to_string(),
            args: vec!["/bin/sh".into(), "-c".into(), script.into()],
            mounts: Vec::new(),
            linux: Vec::new(),
            process: Vec::new(),
            namespaces: r#"{"type":"pid"},{"type":"network"},{"type":"ipc"},{"type":"uts"},{"type":"mount"}"#.into(),
        }
    }

    /// Adds a member of `linux` (`"key": value`).
    fn linux(mut self, member: &str) -> Config {
        self.linux.push(member.to_string());
        self
    }

    /// Adds a member of `process` (`"key": value`).
    fn process(mut self, member: &str) -> Config {
        self.process.push(member.to_string());
        self
    }

    /// A user namespace mapping ids 0 to 65535 onto the host's from `host_id`.
    fn userns(mut self, host_id: u32) -> Config {
        self.namespaces.push_str(r#",{"type":"user"}"#);
        let map = format!(r#"[{{"containerID":0,"hostID":{host_id},"size":65536}}]"#);
        self.linux.push(format!(r#""uidMappings":{map},"gidMappings":{map}"#));
        self
    }

    /// Adds one entry of `mounts` (a JSON object).
    fn mount(mut self, m: &str) -> Config {
        self.mounts.push(m.to_string());
        self
    }

    fn text(&self) -> String {
        let args: Vec<String> = self.args.iter().map(|a| json(a)).collect();
        let mut mounts = STANDARD_MOUNTS.to_string();
        for m in &self.mounts {
            mounts.push_str(",\n ");
            mounts.push_str(m);
        }
        let process: String = self.process.iter().map(|p| format!(",{p}")).collect();
        let linux: String = self.linux.iter().map(|l| format!(",{l}")).collect();
        format!(
            r#"{{"ociVersion":"1.0.2",
"process":{{"args":[{args}],"cwd":"/","env":["PATH=/bin"],"user":{{"uid":0,"gid":0}},
 "capabilities":{{"bounding":["CAP_SYS_ADMIN","CAP_MKNOD"],"effective":["CAP_SYS_ADMIN","CAP_MKNOD"],"permitted":["CAP_SYS_ADMIN","CAP_MKNOD"]}}{process}}},
"root":{{"path":{root}}},
"mounts":[{mounts}],
"linux":{{"namespaces":[{ns}]{linux}}}}}
"#,
            args = args.join(","),
            root = json(&self.root),
            ns = self.namespaces,
        )
    }

    /// Keeps the caller's mount namespace: no "mount" in `linux.namespaces`.
    fn without_mount_namespace(mut self) -> Config {
        self.namespaces = self.namespaces.replace(r#",{"type":"mount"}"#, "");
        self
    }

    /// A bundle directory with this config.json, and a state directory (`--root`).
    fn bundle(&self) -> (TempDir, TempDir) {
        let dir = TempDir::shared("oci-bundle");
        fs::write(dir.join("config.json"), self.text()).expect("write config.json");
        (dir, TempDir::new("oci-state"))
    }

    /// `runt --root STATE run --bundle B ID`; then asserts that the container's state and
    /// cgroup are gone.
    fn run(&self) -> Output {
        let (dir, state) = self.bundle();
        let id = unique_name();
        let out = wait(spawn(&["--root", state.as_str(), "run", "--bundle", dir.as_str(), &id]));
        assert_no_cgroup(&id);
        assert!(!state.join(&id).exists(), "the state of {id} was left behind\n{}", describe(&out));
        out
    }
}

/// A bind mount entry of `source` on `destination` with `options`.
fn bind(source: &str, destination: &str, options: &str) -> String {
    format!(r#"{{"destination":{},"type":"bind","source":{},"options":[{options}]}}"#, json(destination), json(source))
}

/// The host's mount table, the lines about `dir` and below only (other tests mount elsewhere
/// at the same time).
fn host_mounts_under(dir: &TempDir) -> Vec<String> {
    host_mount_table().into_iter().filter(|l| l.contains(dir.as_str())).collect()
}

// ---------------------------------------------------------------------------------------------
// Item 5: a mount destination that is a dangling symlink inside the rootfs.

#[test]
fn a_dangling_symlink_destination_is_followed_and_created_inside_the_rootfs() {
    let (root, tag) = (busybox_rootfs(), unique_name());
    // As in images whose /etc/resolv.conf points into a /run that is empty until boot.
    symlink(format!("../run/{tag}/stub.conf"), root.join("etc/resolv.conf")).unwrap();
    // An absolute one, for a directory volume.
    symlink(format!("/srv/{tag}"), root.join("data")).unwrap();
    let host = TempDir::shared("oci-host");
    fs::write(host.join("resolv.conf"), "nameserver 192.0.2.1\n").unwrap();
    fs::create_dir(host.join("vol")).unwrap();
    fs::write(host.join("vol/marker"), "volume\n").unwrap();
    let resolv = host.join("resolv.conf");
    let vol = host.join("vol");

    let out = Config::new(&root, "cat /etc/resolv.conf /data/marker")
        .mount(&bind(resolv.to_str().unwrap(), "/etc/resolv.conf", r#""rbind","ro""#))
        .mount(&bind(vol.to_str().unwrap(), "/data", r#""rbind""#))
        .run();

    assert_eq!(ok_stdout(&out), "nameserver 192.0.2.1\nvolume\n");
    // What the links name was made inside the rootfs, and nowhere on the host.
    let on_host = [format!("/run/{tag}"), format!("/srv/{tag}")];
    let created: Vec<&String> = on_host.iter().filter(|p| Path::new(p).exists()).collect();
    assert!(created.is_empty(), "created on the host: {created:?}");
    assert!(root.path.join(format!("run/{tag}/stub.conf")).is_file(), "the link's target file is made in the rootfs");
    assert!(root.path.join(format!("srv/{tag}")).is_dir(), "the link's target directory is made in the rootfs");
    assert!(root.join("etc/resolv.conf").is_symlink() && root.join("data").is_symlink(), "the links stay");
    assert!(host_mounts_under(&root).is_empty(), "mounts left on the host: {:?}", host_mounts_under(&root));
}

// ---------------------------------------------------------------------------------------------
// Item 3: linux.devices outside /dev, fifos, and nodes that already exist.

/// `stat -c` of each path in the container: type, major and minor (hex), permissions.
const STAT_NODES: &str = "stat -c '%n %F %t:%T %a' /dev/null /opt/zero /run/fifo";

#[test]
fn devices_anywhere_in_the_root_fifos_and_an_existing_dev_null() {
    let root = busybox_rootfs();
    let devices = r#""devices":[
        {"path":"/dev/null","type":"c","major":1,"minor":3,"fileMode":438,"uid":0,"gid":0},
        {"path":"/opt/zero","type":"c","major":1,"minor":5,"fileMode":432},
        {"path":"/run/fifo","type":"p","major":8,"minor":666,"fileMode":384}]"#;
    let out = Config::new(&root, STAT_NODES).linux(devices).run();
    assert_eq!(
        ok_stdout(&out),
        "/dev/null character special file 1:3 666\n/opt/zero character special file 1:5 660\n/run/fifo fifo 0:0 600\n"
    );
    // /dev is the container's tmpfs; the others were made in the rootfs, where they were asked.
    let zero = fs::symlink_metadata(root.join("opt/zero")).expect("/opt/zero in the rootfs");
    assert!(zero.file_type().is_char_device() && zero.rdev() == 0x105, "{zero:?}");
    assert!(fs::symlink_metadata(root.join("run/fifo")).expect("/run/fifo in the rootfs").file_type().is_fifo());
}

#[test]
fn a_device_path_taken_by_something_else_is_an_error() {
    let root = busybox_rootfs();
    fs::create_dir(root.join("opt")).unwrap();
    fs::write(root.join("opt/null"), "a file\n").unwrap();
    let devices = r#""devices":[{"path":"/opt/null","type":"c","major":1,"minor":3}]"#;
    let out = Config::new(&root, "echo ran").linux(devices).run();
    assert_error(&out, 125, "/opt/null exists and is not the node asked for");
    assert_eq!(fs::read_to_string(root.join("opt/null")).unwrap(), "a file\n", "the file was changed");
}

// ---------------------------------------------------------------------------------------------
// Item 7: filesystem options on bind mounts, SELinux labels; items 7 and 11: recursive options.

/// The per-mount options (mountinfo's sixth field) of the mounts at each of `points`, from
/// `probe mounts`-like output: the container's /proc/self/mountinfo.
fn options_at(mountinfo: &str, point: &str) -> Vec<String> {
    let line = mountinfo.lines().find(|l| l.split(' ').nth(4) == Some(point));
    let line = line.unwrap_or_else(|| panic!("{point} is not mounted in the container:\n{mountinfo}"));
    line.split(' ').nth(5).unwrap_or_default().split(',').map(String::from).collect()
}

#[test]
fn filesystem_options_on_a_bind_mount_are_ignored_as_runc_does() {
    let (root, vol) = (busybox_rootfs(), TempDir::shared("oci-vol"));
    fs::write(vol.join("marker"), "bound\n").unwrap();
    let options = r#""rbind","nosuid","strictatime","mode=755","size=1k""#;
    let out = Config::new(&root, "cat /vol/marker").mount(&bind(vol.as_str(), "/vol", options)).run();
    assert_eq!(ok_stdout(&out), "bound\n");
}

#[test]
fn selinux_labels_are_accepted_where_selinux_is_not_enabled() {
    let root = busybox_rootfs();
    let out = Config::new(&root, "echo ran")
        .linux(r#""mountLabel":"system_u:object_r:svirt_sandbox_file_t:s0:c715,c811""#)
        .process(r#""selinuxLabel":"system_u:system_r:svirt_lxc_net_t:s0:c715,c811""#)
        .run();
    // Where SELinux is enabled (its filesystem mounted, as runt checks), a label must not be dropped.
    if Path::new("/sys/fs/selinux/enforce").exists() {
        assert_error(&out, 125, "SELinux is enabled here, and runt cannot apply a label");
    } else {
        assert_eq!(ok_stdout(&out), "ran\n");
    }
}

/// Every flag mount_setattr's recursive options can set, in mountinfo's words.
const ALL_RECURSIVE: &str = r#""rbind","rro","rnosuid","rnodev","rnoexec","rnoatime","rnodiratime","rnosymfollow""#;

/// Runs `script` in a container with a host directory bound at /vol with `options`; the
/// directory has a tmpfs mounted at sub/ whose mount has `sub_flags` on the host. Returns the
/// script's output and whether it made sub/x; asserts that the host's mounts stay as they were.
fn volume_with_a_submount(sub_flags: &str, options: &str, script: &str) -> (String, bool) {
    let (root, vol) = (busybox_rootfs(), TempDir::shared("oci-vol"));
    fs::create_dir(vol.join("sub")).unwrap();
    let _sub = HostTmpfs::mount(&vol.join("sub"), sub_flags);
    let host_before = host_mounts_under(&vol);
    let out = Config::new(&root, script).mount(&bind(vol.as_str(), "/vol", options)).run();
    assert_eq!(host_before, host_mounts_under(&vol), "the host's mounts changed");
    (ok_stdout(&out), vol.join("sub/x").exists())
}

#[test]
fn recursive_options_reach_every_mount_below_a_bind() {
    let script = "cat /proc/self/mountinfo; touch /vol/sub/x 2>&1 || true";
    let (text, wrote) = volume_with_a_submount("", ALL_RECURSIVE, script);
    for point in ["/vol", "/vol/sub"] {
        let opts = options_at(&text, point);
        for want in ["ro", "nosuid", "nodev", "noexec", "noatime", "nodiratime", "nosymfollow"] {
            assert!(opts.iter().any(|o| o == want), "{point} lacks {want}: {opts:?}");
        }
    }
    assert!(text.contains("Read-only file system") && !wrote, "the submount took a write:\n{text}");
}

#[test]
fn recursive_options_also_clear_flags_the_host_mount_has() {
    let options = r#""rbind","rrw","rsuid","rexec","rstrictatime""#;
    let script = "cat /proc/self/mountinfo; touch /vol/sub/x && echo wrote";
    // Only the container's copy changes: the host's mount keeps its flags (checked inside).
    let (text, wrote) = volume_with_a_submount("ro,nosuid,noexec", options, script);
    let opts = options_at(&text, "/vol/sub");
    for gone in ["ro", "nosuid", "noexec", "relatime", "noatime"] {
        assert!(!opts.iter().any(|o| o == gone), "/vol/sub still has {gone}: {opts:?}");
    }
    assert!(text.ends_with("wrote\n") && wrote, "{text}");
}

/// tmpcopyup reads each entry it has checked to be a regular file through that entry's
/// descriptor, not by its name again: a container sharing the rootfs directory that exchanges
/// the file's name with a fifo's meanwhile must not leave runt blocked in the fifo's open.
#[test]
fn tmpcopyup_is_not_blocked_by_a_file_swapped_for_a_fifo() {
    let root = busybox_rootfs();
    fs::create_dir(root.join("data")).unwrap();
    fs::write(root.join("data/f"), "copied\n").unwrap();
    let made = Command::new("mkfifo").arg(root.join("data/p")).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let tmpfs = r#"{"destination":"/data","type":"tmpfs","source":"tmpfs","options":["tmpcopyup"]}"#;
    let (dir, state) = Config::new(&root, "ls /data").mount(tmpfs).bundle();
    let swapper = Swapper::start(&root.join("data"), "f", "p");
    let (mut ran, mut hung) = (0, 0);
    for _ in 0..60 {
        let id = unique_name();
        let child = spawn(&["--root", state.as_str(), "run", "--bundle", dir.as_str(), &id]);
        match wait_within(child, Duration::from_secs(5)) {
            Some(out) => {
                assert!(code(&out) == 0 || code(&out) == 125, "{}", describe(&out));
                ran += 1;
                assert_no_cgroup(&id);
            }
            None => {
                // runt was killed, and its child with it: what it leaves is this test's to clean.
                hung += 1;
                thread::sleep(Duration::from_millis(100));
                cgroup_paths(&id).iter().for_each(|p| drop(fs::remove_dir(p)));
                let _ = fs::remove_dir_all(state.join(&id));
                break;
            }
        }
    }
    let swaps = swapper.finish();
    assert_eq!(hung, 0, "runt blocked in tmpcopyup after {ran} runs");
    assert!(swaps > 0, "no race");
}

// ---------------------------------------------------------------------------------------------
// Items 7 and 13: linux.rootfsPropagation.

/// What runtime-tools checks: / bound recursively at /t, then /s bound at /m; with a shared root
/// the second bind shows at /t/m as well. Prints the mountinfo line of /, then `exposed` or
/// `hidden` (or `unbindable` when / cannot be bound). Nothing is unmounted: a lazy unmount of
/// /t would take the root's own /proc with it, when they are peers.
const PROPAGATION_PROBE: &str = "grep -E '^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / ' /proc/self/mountinfo; \
    mkdir -p /t /m /s && touch /s/f && \
    if mount -o rbind / /t 2>/dev/null; then mount -o bind /s /m; \
    if test -e /t/m/f; then echo exposed; else echo hidden; fi; else echo unbindable; fi";

/// Runs PROPAGATION_PROBE with `rootfsPropagation` `p`; returns what the bind showed and
/// whether / is in a peer group (`shared:N` in mountinfo).
fn root_propagation(p: &str) -> (String, bool) {
    let root = busybox_rootfs();
    let out = Config::new(&root, PROPAGATION_PROBE).linux(&format!(r#""rootfsPropagation":"{p}""#)).run();
    let text = ok_stdout(&out);
    assert!(host_mounts_under(&root).is_empty(), "mounts reached the host: {:?}", host_mounts_under(&root));
    let shown = text.lines().nth(1).unwrap_or_default().to_string();
    (shown, text.lines().next().is_some_and(|l| l.contains("shared:")))
}

#[test]
fn a_shared_root_propagates_to_binds_of_itself() {
    assert_eq!(root_propagation("shared"), ("exposed".to_string(), true));
    assert_eq!(root_propagation("rshared"), ("exposed".to_string(), true));
}

#[test]
fn slave_private_and_unbindable_roots() {
    for p in ["slave", "private", "rprivate"] {
        assert_eq!(root_propagation(p), ("hidden".to_string(), false), "{p}");
    }
    assert_eq!(root_propagation("unbindable"), ("unbindable".to_string(), false));
}

/// The rootfs made a shared mount on the host (bound onto itself), undone when dropped.
struct SharedOnHost(std::path::PathBuf);

impl SharedOnHost {
    fn new(dir: &TempDir) -> SharedOnHost {
        for args in [&["--bind", dir.as_str(), dir.as_str()][..], &["--make-shared", dir.as_str()]] {
            let ok = Command::new("mount").args(args).status();
            assert!(ok.is_ok_and(|s| s.success()), "mount {args:?}");
        }
        SharedOnHost(dir.path.clone())
    }
}

impl Drop for SharedOnHost {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-R").arg(&self.0).status();
    }
}

/// With the rootfs a shared mount on the host, a container whose root has propagation `p`
/// mounts a tmpfs of its own and waits (up to 5 s) for the host to mount one under the rootfs.
/// Returns whether it saw the host's; asserts that the host never sees the container's.
fn host_mount_reaches_the_container(p: &str) -> bool {
    let root = busybox_rootfs();
    fs::create_dir(root.join("late")).unwrap();
    fs::create_dir(root.join("mine")).unwrap();
    let shared = SharedOnHost::new(&root);
    let script = "mount -t tmpfs tmpfs /mine && touch /mine/f /ready && i=0; \
        while ! test -e /late/marker && test $i -lt 50; do sleep 0.1; i=$((i+1)); done; \
        test -e /late/marker && echo seen || echo unseen";
    let config = Config::new(&root, script).linux(&format!(r#""rootfsPropagation":"{p}""#));
    let container = std::thread::spawn(move || config.run());
    assert!(poll(|| root.join("ready").exists()), "the container did not start");
    let _late = HostTmpfs::mount(&root.join("late"), "");
    fs::write(root.join("late/marker"), "").unwrap();
    let out = container.join().expect("the container's thread");
    let seen = ok_stdout(&out) == "seen\n";
    let on_host: Vec<String> = host_mounts_under(&root).into_iter().filter(|l| l.contains("/mine")).collect();
    assert!(on_host.is_empty() && !root.join("mine/f").exists(), "the container's mount reached the host: {on_host:?}");
    drop(shared);
    seen
}

#[test]
fn a_slave_or_shared_root_receives_the_hosts_mounts_and_sends_none() {
    assert!(host_mount_reaches_the_container("rslave"), "rslave: the host's mount did not show");
    assert!(host_mount_reaches_the_container("shared"), "shared: the host's mount did not show");
    assert!(!host_mount_reaches_the_container("private"), "private: the host's mount showed");
}

// ---------------------------------------------------------------------------------------------
// Item 6: in a user namespace, bind sources are opened with runt's own privileges.

#[test]
fn a_bind_source_the_mapped_root_cannot_reach_mounts_in_a_user_namespace() {
    let (root, host) = (busybox_rootfs(), TempDir::shared("oci-host"));
    // A directory only its owner (neither root nor any id of the container) may search, and in
    // it a mount that is nosuid and nodev on the host.
    let (hidden, vol) = (host.join("hidden"), host.join("hidden/vol"));
    fs::create_dir_all(&vol).unwrap();
    let _vol = HostTmpfs::mount(&vol, "nosuid,nodev");
    fs::write(vol.join("marker"), "reached\n").unwrap();
    std::os::unix::fs::chown(&hidden, Some(4242), Some(4242)).unwrap();
    fs::set_permissions(&hidden, fs::Permissions::from_mode(0o700)).unwrap();
    // The mount point is there: the container's root may not create it in a rootfs host root owns.
    fs::create_dir(root.join("vol")).unwrap();
    let host_before = host_mounts_under(&host);
    // The bind is a copy of the host's mount made in the container's namespace, so the kernel
    // keeps the host's nosuid and nodev locked against the container's root.
    let script =
        "cat /vol/marker; id -u; mount -o remount,bind,suid,dev /vol 2>/dev/null && echo unlocked || echo locked";
    let out =
        Config::new(&root, script).userns(100_000).mount(&bind(vol.to_str().unwrap(), "/vol", r#""rbind""#)).run();
    assert_eq!(ok_stdout(&out), "reached\n0\nlocked\n");
    assert_eq!(host_before, host_mounts_under(&host), "the host's mounts changed");
}

// ---------------------------------------------------------------------------------------------
// Item 13: a config without a mount namespace.

/// The mounts of a container that keeps the caller's mount namespace: proc, a /dev tmpfs, sysfs
/// and a mask over /etc/secret, all under its root.
fn in_place_config(root: &TempDir, script: &str) -> Config {
    fs::write(root.join("etc/marker"), "the rootfs\n").unwrap();
    fs::write(root.join("etc/secret"), "secret\n").unwrap();
    Config::new(root, script).without_mount_namespace().linux(r#""maskedPaths":["/etc/secret"]"#)
}

#[test]
fn without_a_mount_namespace_the_container_runs_in_the_callers_and_its_mounts_go_with_it() {
    let root = busybox_rootfs();
    let script = "readlink /proc/self/ns/mnt; cat /etc/marker /etc/secret; test -c /dev/null && echo dev";
    let out = in_place_config(&root, script).run();
    let own = fs::read_link("/proc/self/ns/mnt").unwrap();
    assert_eq!(ok_stdout(&out), format!("{}\nthe rootfs\ndev\n", own.display()));
    assert!(host_mounts_under(&root).is_empty(), "mounts left on the host: {:?}", host_mounts_under(&root));
}

#[test]
fn without_a_mount_namespace_a_created_container_leaves_its_mounts_until_delete() {
    let root = busybox_rootfs();
    let (dir, state) = in_place_config(&root, "sleep 100").bundle();
    let id = unique_name();
    let runt_at = |args: &[&str]| {
        let mut all = vec!["--root", state.as_str()];
        all.extend(args);
        all.iter().map(|a| a.to_string()).collect::<Vec<String>>()
    };
    // The created container keeps create's stdout and stderr: files, not pipes to wait on.
    let log = TempDir::new("oci-log");
    let (o, e) = (fs::File::create(log.join("out")).unwrap(), fs::File::create(log.join("err")).unwrap());
    let created =
        Command::new(runt()).args(runt_at(&["create", "--bundle", dir.as_str(), &id])).stdout(o).stderr(e).status();
    let during = host_mounts_under(&root);
    let deleted = run(&runt_at(&["delete", "--force", &id]));
    let err = fs::read_to_string(log.join("err")).unwrap_or_default();
    assert!(created.is_ok_and(|s| s.success()), "create: {err}");
    // The container's root and what is mounted for it, in the host's table while it exists.
    for point in ["", "/proc", "/dev", "/sys", "/etc/secret"] {
        let at = format!(" {}{point} ", root.as_str());
        assert!(during.iter().any(|l| l.contains(&at)), "{at} is not mounted: {during:?}");
    }
    assert_eq!(ok_stdout(&deleted), "");
    assert!(host_mounts_under(&root).is_empty(), "mounts left on the host: {:?}", host_mounts_under(&root));
    assert_no_cgroup(&id);
}
