//! `mounts`: each one's options as MS_* flags, propagation, recursive attributes and filesystem
//! data; bind sources taken from the bundle. Also the propagation of the root (`linux.rootfsPropagation`).

use super::read::*;
use crate::error::cat;
use crate::json::Value;
use crate::spec::Mount;
use alloc::string::String;
use alloc::vec::Vec;
use linux_raw_sys::general::{
    MOUNT_ATTR_NOATIME, MOUNT_ATTR_NODEV, MOUNT_ATTR_NODIRATIME, MOUNT_ATTR_NOEXEC, MOUNT_ATTR_NOSUID,
    MOUNT_ATTR_NOSYMFOLLOW, MOUNT_ATTR_RDONLY, MOUNT_ATTR_RELATIME, MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME, MS_BIND,
    MS_DIRSYNC, MS_MANDLOCK, MS_NOATIME, MS_NODEV, MS_NODIRATIME, MS_NOEXEC, MS_NOSUID, MS_NOSYMFOLLOW, MS_PRIVATE,
    MS_RDONLY, MS_REC, MS_RELATIME, MS_REMOUNT, MS_SHARED, MS_SLAVE, MS_STRICTATIME, MS_SYNCHRONOUS, MS_UNBINDABLE,
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

// Mount options: a flag set or cleared, a propagation type, a recursive attribute, or
// filesystem data.

/// (option, MS_* bits, whether the option clears them).
const FLAG_OPTIONS: [(&str, u32, bool); 27] = [
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
    ("nosymfollow", MS_NOSYMFOLLOW, false),
    ("symfollow", MS_NOSYMFOLLOW, true),
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

/// What a recursive option does to mount_setattr's attributes.
#[derive(Clone, Copy)]
enum Attr {
    Set(u32),
    Clear(u32),
    /// One of the access-time modes, which replace each other (MOUNT_ATTR__ATIME).
    Atime(u32),
}

/// The recursive options (runc's names): mount_setattr(2) with AT_RECURSIVE, on the mount and
/// every mount below it. `ratime`, `rnorelatime` and `rnostrictatime` go back to the kernel's
/// default access-time mode, relatime.
const RECURSIVE: [(&str, Attr); 18] = [
    ("rro", Attr::Set(MOUNT_ATTR_RDONLY)),
    ("rrw", Attr::Clear(MOUNT_ATTR_RDONLY)),
    ("rnosuid", Attr::Set(MOUNT_ATTR_NOSUID)),
    ("rsuid", Attr::Clear(MOUNT_ATTR_NOSUID)),
    ("rnodev", Attr::Set(MOUNT_ATTR_NODEV)),
    ("rdev", Attr::Clear(MOUNT_ATTR_NODEV)),
    ("rnoexec", Attr::Set(MOUNT_ATTR_NOEXEC)),
    ("rexec", Attr::Clear(MOUNT_ATTR_NOEXEC)),
    ("rnodiratime", Attr::Set(MOUNT_ATTR_NODIRATIME)),
    ("rdiratime", Attr::Clear(MOUNT_ATTR_NODIRATIME)),
    ("rnosymfollow", Attr::Set(MOUNT_ATTR_NOSYMFOLLOW)),
    ("rsymfollow", Attr::Clear(MOUNT_ATTR_NOSYMFOLLOW)),
    ("rnoatime", Attr::Atime(MOUNT_ATTR_NOATIME)),
    ("rstrictatime", Attr::Atime(MOUNT_ATTR_STRICTATIME)),
    ("rrelatime", Attr::Atime(MOUNT_ATTR_RELATIME)),
    ("ratime", Attr::Atime(MOUNT_ATTR_RELATIME)),
    ("rnorelatime", Attr::Atime(MOUNT_ATTR_RELATIME)),
    ("rnostrictatime", Attr::Atime(MOUNT_ATTR_RELATIME)),
];

/// Every mount option runt acts on itself (`runt features`); others go to the filesystem. The
/// names of the three tables above, in order, then tmpcopyup: an option is looked up here by
/// name, and its index picks its bits (the tables themselves only exist at compile time).
pub const MOUNT_OPTIONS: &[&str] = &option_names();

const NAMED: usize = FLAG_OPTIONS.len() + PROPAGATION.len() + RECURSIVE.len();

const fn option_names() -> [&'static str; NAMED + 1] {
    let mut out = ["tmpcopyup"; NAMED + 1];
    let mut i = 0;
    while i < NAMED {
        out[i] = if i < FLAG_OPTIONS.len() {
            FLAG_OPTIONS[i].0
        } else if i < FLAG_OPTIONS.len() + PROPAGATION.len() {
            PROPAGATION[i - FLAG_OPTIONS.len()].0
        } else {
            RECURSIVE[i - FLAG_OPTIONS.len() - PROPAGATION.len()].0
        };
        i += 1;
    }
    out
}

/// FLAG_OPTIONS, PROPAGATION and RECURSIVE by column, without the names.
const FLAG_BITS: [u32; FLAG_OPTIONS.len()] = column!(FLAG_OPTIONS, 1, 0);
const FLAG_CLEARS: [bool; FLAG_OPTIONS.len()] = column!(FLAG_OPTIONS, 2, false);
const PROPAGATION_BITS: [u32; PROPAGATION.len()] = column!(PROPAGATION, 1, 0);
const RECURSIVE_ATTRS: [Attr; RECURSIVE.len()] = column!(RECURSIVE, 1, Attr::Set(0));

/// The index of option `name` in MOUNT_OPTIONS; past its end for an option runt does not know.
#[inline(never)]
fn option(name: &str) -> usize {
    MOUNT_OPTIONS.iter().position(|o| *o == name).unwrap_or(usize::MAX)
}

pub(super) fn propagation(name: &str) -> Option<u32> {
    PROPAGATION_BITS.get(option(name).wrapping_sub(FLAG_BITS.len())).copied()
}

/// Applies the recursive option `attr` to the mount's attributes to set and to clear.
fn recursive(attr: Attr, m: &mut Mount) {
    match attr {
        Attr::Set(a) => {
            m.attr_set |= a;
            m.attr_clear &= !a;
        }
        Attr::Clear(a) => {
            m.attr_clear |= a;
            m.attr_set &= !a;
        }
        // The kernel takes a new access-time mode only with all of MOUNT_ATTR__ATIME cleared.
        Attr::Atime(a) => {
            m.attr_set = m.attr_set & !MOUNT_ATTR__ATIME | a;
            m.attr_clear |= MOUNT_ATTR__ATIME;
        }
    }
}

/// One of `mounts`, appended to `out`.
#[inline(never)]
pub(super) fn mount(m: &Value, bundle: &str, out: &mut Vec<Mount>) -> Res<()> {
    let destination = need_abs(m, "destination")?;
    refuse(m, "uidMappings gidMappings", "idmapped mounts are not supported")?;
    let mut mount = Mount::new(destination, text(m, "source")?, text(m, "type")?, 0, String::new());
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
        } else if let Some(&attr) = RECURSIVE_ATTRS.get(i.wrapping_sub(FLAG_BITS.len() + PROPAGATION_BITS.len())) {
            recursive(attr, &mut mount);
        } else if i == NAMED {
            // tmpcopyup, the last of MOUNT_OPTIONS.
            mount.copy_up = true;
        } else if matches!(name, "idmap" | "ridmap") {
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
        // Filesystem options (mode=, size=, ...) mean nothing to a bind mount: the kernel
        // ignores them, and runc passes them along all the same. Engines and the runtime-tools
        // suite write them: ignored rather than refused.
        mount.data.clear();
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
        // Recursive options: mount_setattr's attributes; filesystem data on a bind is dropped.
        let b = m(r#"{"destination":"/x","source":"/y",
            "options":["rbind","rro","rnosuid","rnoexec","rdev","rnoatime","mode=755","size=1k"]}"#)
        .unwrap();
        let set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOATIME;
        assert_eq!((b.attr_set, b.attr_clear, b.data.as_str()), (set, MOUNT_ATTR_NODEV | MOUNT_ATTR__ATIME, ""));
        assert_eq!(b.flags, MS_BIND | MS_REC);
        let t = m(r#"{"destination":"/t","type":"tmpfs",
            "options":["rro","rrw","rstrictatime","ratime","rnodiratime","rnosymfollow","nosymfollow","size=1k"]}"#)
        .unwrap();
        let set = MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW;
        assert_eq!((t.attr_set, t.attr_clear), (set, MOUNT_ATTR_RDONLY | MOUNT_ATTR__ATIME));
        assert_eq!((t.flags, t.data.as_str()), (MS_NOSYMFOLLOW, "size=1k"));
        let names: std::collections::BTreeSet<&str> = MOUNT_OPTIONS.iter().copied().collect();
        assert_eq!(names.len(), MOUNT_OPTIONS.len());
        for o in
            ["ro", "rbind", "rprivate", "runbindable", "strictatime", "defaults", "rro", "rnostrictatime", "tmpcopyup"]
        {
            assert!(names.contains(o), "{o}");
        }
    }
}
