//! What the container's filesystem is made of, as plain data: the ordered list of steps that
//! `rootfs::enter` carries out. Computed from the `Spec` alone, so it is unit-tested without root.

use crate::spec::Spec;
#[cfg(test)]
use alloc::string::String;
use alloc::vec::Vec;

#[derive(Debug, PartialEq)]
pub enum Step<'a> {
    /// `spec.mounts[i]`. Its destination is resolved inside the rootfs and created when missing;
    /// where it cannot be created because the root is the host's own `/` (read-only from the
    /// start), one of runt's defaults (`Spec::optional_mounts`) is skipped, any other is an error.
    Mount(usize),
    /// The standard device nodes and /dev symlinks (and `--device` nodes), in the container's /dev.
    Devices,
    /// Create the process's working directory inside the root when it is missing, as runc and
    /// crun do: after every mount (it may lie on one), before anything is made read-only.
    Workdir,
    /// Write linux.sysctl through the procfs mounted at /proc: after the mounts (the container's
    /// namespaces exist since clone), before /proc/sys is made read-only or masked.
    Sysctl,
    /// Hide a path: /dev/null over a file, an empty read-only tmpfs over a directory. Missing
    /// paths are skipped (what the kernel does not have cannot leak).
    Mask(&'a str),
    /// Make a path read-only (bound onto itself, remounted read-only). Missing paths are skipped.
    ReadOnlyPath(&'a str),
    /// Remount the root read-only, keeping its other mount flags. The host's `/` is made read-only
    /// first of all, so that nothing runt does can write to it; a rootfs of the user's own last,
    /// after mount points were created in it.
    ReadOnlyRoot,
}

pub fn steps(spec: &Spec) -> Vec<Step<'_>> {
    let host_root = spec.root.path.is_none();
    let mut steps: Vec<Step> = Vec::new();
    if host_root {
        steps.push(Step::ReadOnlyRoot);
    }
    // /proc first: later steps reach descriptors through the container's own /proc/self/fd.
    // Device nodes right after the mount of /dev itself, or (no /dev mount) after all mounts.
    let mut devices = false;
    for proc_pass in [true, false] {
        for (i, m) in spec.mounts.iter().enumerate() {
            if (m.destination == "/proc") == proc_pass {
                steps.push(Step::Mount(i));
                if !devices && m.destination == "/dev" {
                    steps.push(Step::Devices);
                    devices = true;
                }
            }
        }
    }
    if !devices {
        steps.push(Step::Devices);
    }
    if spec.cwd.split('/').any(|c| !c.is_empty() && c != ".") {
        steps.push(Step::Workdir);
    }
    if !spec.oci.sysctl.is_empty() {
        steps.push(Step::Sysctl);
    }
    // After every mount, so that no mount can uncover what is masked.
    for p in &spec.masked_paths {
        steps.push(Step::Mask(p));
    }
    for p in &spec.readonly_paths {
        steps.push(Step::ReadOnlyPath(p));
    }
    if spec.root.readonly && !host_root {
        steps.push(Step::ReadOnlyRoot);
    }
    steps
}

/// Where a step mounts, for tests ("/proc", "/data").
#[cfg(test)]
pub fn target_of(spec: &Spec, step: &Step) -> String {
    match step {
        Step::Mount(i) => spec.mounts.get(*i).map(|m| m.destination.clone()).unwrap_or_default(),
        Step::Devices => String::from("/dev"),
        Step::Workdir => spec.cwd.clone(),
        Step::Sysctl => String::from("/proc/sys"),
        Step::Mask(p) | Step::ReadOnlyPath(p) => String::from(*p),
        Step::ReadOnlyRoot => String::from("/"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{default_mounts, words, Mount, MASKED_PATHS, READONLY_PATHS};
    use crate::sys::mount::{MS_BIND, MS_REC};

    /// A spec with the core's defaults, as `runt run` makes it: the host's `/` (read-only) or an
    /// own rootfs, the default mounts, and unless `privileged` the masked and read-only paths.
    fn spec(own_rootfs: bool, privileged: bool) -> Spec {
        let mut s = Spec::blank();
        s.root.path = own_rootfs.then(|| "/r".into());
        s.root.readonly = !own_rootfs;
        s.mounts = default_mounts(!own_rootfs);
        if !privileged {
            s.masked_paths = words(MASKED_PATHS);
            s.readonly_paths = words(READONLY_PATHS);
        }
        s
    }

    fn bind(source: &str, destination: &str) -> Mount {
        Mount {
            destination: destination.into(),
            source: source.into(),
            fstype: String::new(),
            flags: MS_BIND | MS_REC,
            data: String::new(),
            propagation: 0,
            attr_set: 0,
            attr_clear: 0,
            attrs_optional: false,
            copy_up: false,
        }
    }

    fn targets(s: &Spec) -> Vec<String> {
        steps(s).iter().map(|m| target_of(s, m)).collect()
    }

    #[test]
    fn default_rootfs_is_read_only_first_with_fresh_run() {
        let s = spec(false, true);
        assert_eq!(
            targets(&s),
            ["/", "/proc", "/dev", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/tmp", "/run"]
        );
        assert_eq!(steps(&s).first(), Some(&Step::ReadOnlyRoot));
        assert_eq!(steps(&s).get(3), Some(&Step::Devices));
        let default = spec(false, false);
        let d = steps(&default);
        assert_eq!(d.iter().filter(|s| matches!(s, Step::Mask(_))).count(), 9);
        assert!(d.contains(&Step::Mask("/proc/kcore")));
        assert!(d.contains(&Step::ReadOnlyPath("/proc/sysrq-trigger")));
    }

    #[test]
    fn a_working_directory_is_made_after_the_mounts_and_before_the_masks() {
        let mut s = spec(true, false);
        assert!(!steps(&s).contains(&Step::Workdir), "nothing to make for /");
        s.cwd = "/srv/app".into();
        let st = steps(&s);
        let workdir = st.iter().position(|x| *x == Step::Workdir).unwrap();
        assert_eq!(target_of(&s, &st[workdir]), "/srv/app");
        assert!(st[..workdir].iter().all(|x| matches!(x, Step::Mount(_) | Step::Devices)));
        assert!(st[workdir + 1..].iter().all(|x| matches!(x, Step::Mask(_) | Step::ReadOnlyPath(_))));
    }

    #[test]
    fn sysctls_are_written_after_the_mounts_and_before_proc_sys_is_read_only() {
        let mut s = spec(true, false);
        assert!(!steps(&s).contains(&Step::Sysctl), "nothing to write");
        s.oci.sysctl.push(("net/ipv4/ip_forward".into(), "1".into()));
        let st = steps(&s);
        let at = st.iter().position(|x| *x == Step::Sysctl).unwrap();
        assert!(st[..at].iter().all(|x| matches!(x, Step::Mount(_) | Step::Devices)));
        assert!(at > 0 && st[at + 1..].iter().all(|x| matches!(x, Step::Mask(_) | Step::ReadOnlyPath(_))));
        assert!(st[at + 1..].contains(&Step::ReadOnlyPath("/proc/sys")));
    }

    #[test]
    fn privileged_masks_nothing() {
        assert!(!steps(&spec(false, true)).iter().any(|s| matches!(s, Step::Mask(_) | Step::ReadOnlyPath(_))));
    }

    #[test]
    fn own_rootfs_keeps_its_run_and_is_writable() {
        let s = spec(true, false);
        assert!(!targets(&s).contains(&"/run".into()));
        assert!(!steps(&s).contains(&Step::ReadOnlyRoot));
    }

    #[test]
    fn volumes_come_after_fresh_mounts_masks_after_them_read_only_root_last() {
        let mut s = spec(true, false);
        s.root.readonly = true;
        s.mounts.push(bind("/a", "/tmp/a"));
        s.mounts.push(bind("/b", "/b"));
        let t = targets(&s);
        let at = |x: &str| t.iter().position(|y| y == x).unwrap();
        assert_eq!(t.last().map(String::as_str), Some("/"));
        assert!(at("/tmp") < at("/tmp/a") && at("/tmp/a") < at("/b") && at("/b") < at("/proc/kcore"));
    }

    #[test]
    fn proc_moves_first_and_devices_follow_dev() {
        let mut s = spec(true, false);
        s.mounts.rotate_left(3); // /dev/shm, /dev/mqueue, /sys, /tmp, /proc, /dev, /dev/pts
        let t = targets(&s);
        assert_eq!(t[..3], ["/proc", "/dev/shm", "/dev/mqueue"]);
        let st = steps(&s);
        let dev = st.iter().position(|x| matches!(x, Step::Mount(i) if s.mounts[*i].destination == "/dev")).unwrap();
        assert_eq!(st[dev + 1], Step::Devices);
        s.mounts.retain(|m| m.destination != "/dev");
        let st = steps(&s);
        let last_mount = st.iter().rposition(|x| matches!(x, Step::Mount(_))).unwrap();
        assert_eq!(st[last_mount + 1], Step::Devices);
    }

    #[test]
    fn devices_once_after_the_first_dev_mount() {
        let mut s = spec(true, false);
        let dev = s.mounts[1].clone();
        s.mounts.push(dev);
        let st = steps(&s);
        assert_eq!(st[..3], [Step::Mount(0), Step::Mount(1), Step::Devices]);
        assert_eq!(st.iter().filter(|x| **x == Step::Devices).count(), 1);
    }
}
