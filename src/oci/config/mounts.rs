//! `mounts`: each one's options as MS_* flags, propagation and filesystem data; bind sources
//! taken from the bundle. Also the propagation of the root (`linux.rootfsPropagation`).

use super::read::*;
use crate::error::cat;
use crate::json::Value;
use crate::spec::Mount;
use alloc::string::String;
use alloc::vec::Vec;
use linux_raw_sys::general::{
    MS_BIND, MS_DIRSYNC, MS_MANDLOCK, MS_NOATIME, MS_NODEV, MS_NODIRATIME, MS_NOEXEC, MS_NOSUID, MS_PRIVATE, MS_RDONLY,
    MS_REC, MS_RELATIME, MS_REMOUNT, MS_SHARED, MS_SLAVE, MS_STRICTATIME, MS_SYNCHRONOUS, MS_UNBINDABLE,
};

/// One column of a const table of tuples, as an array of its own: looked up by index, the
/// columns keep only what runtime code needs in the binary.
macro_rules! column {
    ($table:expr, $field:tt, $zero:expr) => {{
        let mut out = [$zero; $table.len()];
        let mut i = 0;
        while i < out.len() {
            out[i] = $table[i].$field;
            i += 1;
        }
        out
    }};
}

// Mount options: a flag set or cleared, a propagation type, or filesystem data.

/// (option, MS_* bits, whether the option clears them).
const FLAG_OPTIONS: [(&str, u32, bool); 25] = [
    ("ro", MS_RDONLY, false),
    ("rw", MS_RDONLY, true),
    ("nosuid", MS_NOSUID, false),
    ("suid", MS_NOSUID, true),
    ("nodev", MS_NODEV, false),
    ("dev", MS_NODEV, true),
    ("noexec", MS_NOEXEC, false),
    ("exec", MS_NOEXEC, true),
    ("sync", MS_SYNCHRONOUS, false),
    ("async", MS_SYNCHRONOUS, true),
    ("dirsync", MS_DIRSYNC, false),
    ("remount", MS_REMOUNT, false),
    ("mand", MS_MANDLOCK, false),
    ("nomand", MS_MANDLOCK, true),
    ("noatime", MS_NOATIME, false),
    ("atime", MS_NOATIME, true),
    ("nodiratime", MS_NODIRATIME, false),
    ("diratime", MS_NODIRATIME, true),
    ("relatime", MS_RELATIME, false),
    ("norelatime", MS_RELATIME, true),
    ("strictatime", MS_STRICTATIME, false),
    ("nostrictatime", MS_STRICTATIME, true),
    ("bind", MS_BIND, false),
    ("rbind", MS_BIND | MS_REC, false),
    ("defaults", 0, false),
];

const PROPAGATION: [(&str, u32); 8] = [
    ("private", MS_PRIVATE),
    ("rprivate", MS_PRIVATE | MS_REC),
    ("shared", MS_SHARED),
    ("rshared", MS_SHARED | MS_REC),
    ("slave", MS_SLAVE),
    ("rslave", MS_SLAVE | MS_REC),
    ("unbindable", MS_UNBINDABLE),
    ("runbindable", MS_UNBINDABLE | MS_REC),
];

/// Every mount option runt acts on itself (`runt features`); others go to the filesystem. The
/// names of both tables above, in order, then tmpcopyup: an option is looked up here by name, and
/// its index picks its bits (the tables themselves only exist at compile time).
pub const MOUNT_OPTIONS: &[&str] = &option_names();

const fn option_names() -> [&'static str; FLAG_OPTIONS.len() + PROPAGATION.len() + 1] {
    let mut out = ["tmpcopyup"; FLAG_OPTIONS.len() + PROPAGATION.len() + 1];
    let mut i = 0;
    while i < FLAG_OPTIONS.len() + PROPAGATION.len() {
        out[i] = if i < FLAG_OPTIONS.len() { FLAG_OPTIONS[i].0 } else { PROPAGATION[i - FLAG_OPTIONS.len()].0 };
        i += 1;
    }
    out
}

/// FLAG_OPTIONS and PROPAGATION by column, without the names.
const FLAG_BITS: [u32; FLAG_OPTIONS.len()] = column!(FLAG_OPTIONS, 1, 0);
const FLAG_CLEARS: [bool; FLAG_OPTIONS.len()] = column!(FLAG_OPTIONS, 2, false);
const PROPAGATION_BITS: [u32; PROPAGATION.len()] = column!(PROPAGATION, 1, 0);

/// The index of option `name` in MOUNT_OPTIONS; past its end for an option runt does not know.
#[inline(never)]
fn option(name: &str) -> usize {
    MOUNT_OPTIONS.iter().position(|o| *o == name).unwrap_or(usize::MAX)
}

pub(super) fn propagation(name: &str) -> Option<u32> {
    PROPAGATION_BITS.get(option(name).wrapping_sub(FLAG_BITS.len())).copied()
}

/// One of `mounts`, appended to `out`.
#[inline(never)]
pub(super) fn mount(m: &Value, bundle: &str, out: &mut Vec<Mount>) -> Res<()> {
    let destination = need_abs(m, "destination")?;
    refuse(m, "uidMappings gidMappings", "idmapped mounts are not supported")?;
    let mut mount = Mount {
        destination: String::new(),
        source: text(m, "source")?.into(),
        fstype: text(m, "type")?.into(),
        flags: 0,
        data: String::new(),
        propagation: 0,
        copy_up: false,
    };
    mount.destination.push_str(destination);
    for o in list(m, "options")? {
        let name = str_of(o)?.as_str();
        let i = option(name);
        if let (Some(&bits), Some(&clear)) = (FLAG_BITS.get(i), FLAG_CLEARS.get(i)) {
            mount.flags = if clear { mount.flags & !bits } else { mount.flags | bits };
        } else if let Some(&p) = PROPAGATION_BITS.get(i.wrapping_sub(FLAG_BITS.len())) {
            if mount.propagation != 0 && mount.propagation != p {
                return Err(fail(o, "a second, different propagation type"));
            }
            mount.propagation = p;
        } else if i == FLAG_BITS.len() + PROPAGATION_BITS.len() {
            // tmpcopyup, the last of MOUNT_OPTIONS.
            mount.copy_up = true;
        } else if matches!(name, "idmap" | "ridmap")
            // rro, rnosuid, ...: mount_setattr's recursive attributes.
            || name.strip_prefix('r').is_some_and(|f| option(f) < FLAG_BITS.len())
        {
            return Err(fail_q(o, "", name, " is not supported"));
        } else {
            if !mount.data.is_empty() {
                mount.data.push(',');
            }
            mount.data.push_str(name);
        }
    }
    if mount.fstype == "bind" || mount.is_bind() {
        if mount.source.is_empty() {
            return Err(fail_in(m, "source", "required for a bind mount"));
        }
        // The kernel ignores data on a bind mount: an option it would drop is refused instead.
        if !mount.data.is_empty() {
            return Err(fail_q_in(m, "options", "", &mount.data, ": not an option of bind mounts"));
        }
        mount.source = in_bundle(bundle, &mount.source);
        mount.fstype.clear();
        mount.flags |= MS_BIND;
        // tmpcopyup is for fresh filesystems (tmpfs); runc ignores it elsewhere.
        mount.copy_up = false;
    } else if mount.fstype.is_empty() {
        return Err(fail_in(m, "type", "required for a mount that is not a bind mount"));
    } else if mount.source.is_empty() {
        // cgroup and cgroup2 stay as given: rootfs decides how to mount them.
        mount.source.clone_from(&mount.fstype);
    }
    out.push(mount);
    Ok(())
}

/// `p` as an absolute path: relative ones are taken from the bundle directory.
pub(super) fn in_bundle(bundle: &str, mut p: &str) -> String {
    if p.starts_with('/') {
        return p.into();
    }
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    cat(&[bundle.trim_end_matches(crate::text::SLASH), "/", p])
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn mount_options() {
        let m = |json: &str| runc_with(&[("mounts.0", Some(json))]).map(|s| s.mounts[0].clone());
        let t = m(r#"{"destination":"/t","type":"tmpfs",
            "options":["ro","rw","nodev","dev","defaults","size=1m","mode=1777","rshared"]}"#)
        .unwrap();
        assert_eq!((t.flags, t.data.as_str(), t.source.as_str()), (0, "size=1m,mode=1777", "tmpfs"));
        assert!(!t.copy_up);
        assert_eq!(t.propagation, MS_SHARED | MS_REC);
        let t = m(r#"{"destination":"/t","type":"tmpfs","options":["tmpcopyup","mode=755"]}"#).unwrap();
        assert_eq!((t.copy_up, t.data.as_str()), (true, "mode=755"));
        let b = m(r#"{"destination":"/x","source":"/y","options":["rbind","tmpcopyup"]}"#).unwrap();
        assert!(b.is_bind() && !b.copy_up);
        let t = m(r#"{"destination":"/t","type":"tmpfs","source":"x",
            "options":["sync","dirsync","remount","mand","noatime","nodiratime","strictatime","runbindable"]}"#)
        .unwrap();
        let all = MS_SYNCHRONOUS | MS_DIRSYNC | MS_REMOUNT | MS_MANDLOCK | MS_NOATIME | MS_NODIRATIME | MS_STRICTATIME;
        assert_eq!(t.flags, all);
        assert_eq!((t.source.as_str(), t.propagation), ("x", MS_UNBINDABLE | MS_REC));
        let t = m(r#"{"destination":"/t","type":"tmpfs","options":["sync","async","mand","nomand","noatime","atime",
            "nodiratime","diratime","strictatime","nostrictatime","relatime","norelatime","noexec","exec","nosuid","suid"]}"#)
        .unwrap();
        assert_eq!(t.flags, 0);
        // A type "bind" without a bind option binds non-recursively.
        let b = m(r#"{"destination":"/x","type":"bind","source":"/y","options":["slave"]}"#).unwrap();
        assert_eq!((b.flags, b.propagation, b.fstype.as_str()), (MS_BIND, MS_SLAVE, ""));
        // Repeating the same propagation is fine.
        assert!(m(r#"{"destination":"/x","source":"/y","options":["rbind","rprivate","rprivate"]}"#).is_ok());
        assert_eq!(m(r#"{"destination":"/c","type":"cgroup2","source":"cgroup2"}"#).unwrap().fstype, "cgroup2");
        let names: std::collections::BTreeSet<&str> = MOUNT_OPTIONS.iter().copied().collect();
        assert_eq!(names.len(), MOUNT_OPTIONS.len());
        for o in ["ro", "rbind", "rprivate", "runbindable", "strictatime", "defaults", "tmpcopyup"] {
            assert!(names.contains(o), "{o}");
        }
    }
}
