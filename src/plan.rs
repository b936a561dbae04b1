//! What the container's filesystem is made of, as plain data: the ordered list of mounts that
//! `rootfs::enter` carries out. Computed from the `Spec` alone, so it is unit-tested without root.

use crate::spec::Spec;
use crate::sys::mount::{MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_RDONLY, MS_STRICTATIME};
use alloc::string::String;
use alloc::vec::Vec;

#[derive(Debug, PartialEq)]
pub enum Step {
    /// A fresh filesystem on a directory of the rootfs. `target` is relative to the rootfs and its
    /// last component must be a real directory, created when missing; where it cannot be created
    /// because the root is read-only already (the host's own `/`), the mount is skipped.
    Fs { fstype: &'static str, target: &'static str, flags: u32, data: &'static str },
    /// The standard device nodes and /dev symlinks, inside the fresh /dev.
    Devices,
    /// A host path bound onto an absolute container path resolved inside the rootfs.
    Bind { volume: usize },
    /// Hide a path: /dev/null over a file, an empty read-only tmpfs over a directory. Missing
    /// paths are skipped (what the kernel does not have cannot leak).
    Mask(String),
    /// Make a path read-only (bound onto itself, remounted read-only). Missing paths are skipped.
    ReadOnlyPath(String),
    /// Remount the root read-only, keeping its other mount flags. The host's `/` is made read-only
    /// first of all, so that nothing runt does can write to it; a rootfs of the user's own last,
    /// after mount points were created in it.
    ReadOnlyRoot,
}

/// Each row: fstype, target, flags, data. /proc comes first: later steps reach descriptors
/// through the container's own /proc/self/fd.
const BASE: &[(&str, &str, u32, &str)] = &[
    ("proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, ""),
    ("tmpfs", "dev", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k"),
    ("devpts", "dev/pts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620"),
    ("tmpfs", "dev/shm", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k"),
    ("mqueue", "dev/mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, ""),
    ("sysfs", "sys", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, ""),
    ("tmpfs", "tmp", MS_NOSUID | MS_NODEV, "mode=1777"),
];

/// The host's /run holds the host's sockets and pid files: hide it behind a fresh one when the
/// host's / is the rootfs. A rootfs of the user's own keeps its /run as it is.
const HOST_RUN: (&str, &str, u32, &str) = ("tmpfs", "run", MS_NOSUID | MS_NODEV, "mode=755");

pub fn mounts(spec: &Spec) -> Vec<Step> {
    let fs = |&(fstype, target, flags, data): &(&'static str, &'static str, u32, &'static str)| Step::Fs {
        fstype,
        target,
        flags,
        data,
    };
    let host_root = spec.root.path.is_none();
    let mut steps: Vec<Step> = Vec::new();
    if host_root {
        steps.push(Step::ReadOnlyRoot);
    }
    steps.extend(BASE.iter().map(fs));
    // Device nodes go in right after the fresh /dev and its submounts.
    let after_dev = steps.iter().position(|s| matches!(s, Step::Fs { target: "sys", .. })).unwrap_or(steps.len());
    steps.insert(after_dev, Step::Devices);
    if host_root {
        steps.push(fs(&HOST_RUN));
    }
    // Volumes last, so one may land on top of a fresh /tmp or /run.
    steps.extend((0..spec.volumes.len()).map(|volume| Step::Bind { volume }));
    // After the volumes, so that no volume can uncover what is masked.
    steps.extend(spec.masked_paths.iter().map(|p| Step::Mask(p.clone())));
    steps.extend(spec.readonly_paths.iter().map(|p| Step::ReadOnlyPath(p.clone())));
    if spec.root.readonly && !host_root {
        steps.push(Step::ReadOnlyRoot);
    }
    steps
}

/// Where a step mounts, for messages and tests ("/proc", "/data").
pub fn target_of(spec: &Spec, step: &Step) -> String {
    match step {
        Step::Fs { target, .. } => alloc::format!("/{target}"),
        Step::Devices => String::from("/dev"),
        Step::Bind { volume } => spec.volumes.get(*volume).map(|v| v.target.clone()).unwrap_or_default(),
        Step::Mask(p) | Step::ReadOnlyPath(p) => p.clone(),
        Step::ReadOnlyRoot => String::from("/"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::RunArgs;
    use alloc::vec;

    fn spec(f: impl FnOnce(&mut RunArgs)) -> Spec {
        let mut r = RunArgs { command: vec!["sh".into()], ..RunArgs::default() };
        f(&mut r);
        Spec::from_run(r, || "n".into(), None).unwrap()
    }

    fn targets(s: &Spec) -> Vec<String> {
        mounts(s).iter().map(|m| target_of(s, m)).collect()
    }

    #[test]
    fn default_rootfs_is_read_only_with_fresh_run() {
        let s = spec(|r| r.privileged = true);
        let m = mounts(&spec(|_| {}));
        assert_eq!(
            targets(&s),
            ["/", "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/dev", "/sys", "/tmp", "/run"]
        );
        let masked: Vec<Step> = m.into_iter().filter(|s| matches!(s, Step::Mask(_))).collect();
        assert_eq!(masked.len(), 9);
        assert!(masked.contains(&Step::Mask("/proc/kcore".into())));
        assert!(mounts(&spec(|_| {})).contains(&Step::ReadOnlyPath("/proc/sysrq-trigger".into())));
        assert_eq!(mounts(&s).first(), Some(&Step::ReadOnlyRoot));
    }

    #[test]
    fn privileged_masks_nothing() {
        assert!(!mounts(&spec(|r| r.privileged = true))
            .iter()
            .any(|s| matches!(s, Step::Mask(_) | Step::ReadOnlyPath(_))));
    }

    #[test]
    fn own_rootfs_keeps_its_run_and_is_writable() {
        let s = spec(|r| r.rootfs = Some("/r".into()));
        assert!(!targets(&s).contains(&"/run".into()));
        assert!(!mounts(&s).contains(&Step::ReadOnlyRoot));
    }

    #[test]
    fn volumes_come_after_fresh_mounts_and_before_read_only() {
        let s = spec(|r| {
            r.rootfs = Some("/r".into());
            r.read_only = true;
            r.volumes = vec!["/a:/tmp/a".into(), "/b:/b:ro".into()];
        });
        let t = targets(&s);
        let last = t.len() - 1;
        assert_eq!(t[last], "/");
        assert!(t.iter().position(|x| x == "/b").unwrap() < t.iter().position(|x| x == "/proc/kcore").unwrap());
        assert!(t.iter().position(|x| x == "/tmp/a").unwrap() < t.iter().position(|x| x == "/b").unwrap());
    }

    #[test]
    fn proc_first_and_sys_read_only() {
        let m = mounts(&spec(|r| r.rootfs = Some("/r".into())));
        assert!(matches!(m[0], Step::Fs { fstype: "proc", .. }));
        assert!(m.iter().any(|s| matches!(s, Step::Fs { target: "sys", flags, .. } if flags & MS_RDONLY != 0)));
    }
}
