//! `runt run`'s mounts as Docker spells them: `-v SRC:DST[:ro|rw]`, `--tmpfs DST[:OPTIONS]` and
//! `--mount type=bind|tmpfs,source=...,target=...,readonly`; each appended to the spec's mounts.

use crate::error::{Error, Result};
use crate::spec::Mount;
use crate::sys::mount::{MOUNT_ATTR_RDONLY, MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_RDONLY, MS_REC};
use alloc::string::String;
use alloc::vec::Vec;

/// The mount flags a `--tmpfs` option sets (first word) or clears (second); any other option is
/// tmpfs's own (size=, mode=, uid=, gid=, nr_inodes=), passed on as its data.
const TMPFS_FLAGS: [(&str, &str, u32); 4] =
    [("ro", "rw", MS_RDONLY), ("noexec", "exec", MS_NOEXEC), ("nosuid", "suid", MS_NOSUID), ("nodev", "dev", MS_NODEV)];

/// Docker's tmpfs defaults: nothing on it runs setuid, as a device, or at all.
const TMPFS_DEFAULT: u32 = MS_NOSUID | MS_NODEV | MS_NOEXEC;

/// Why a destination cannot be one, if it cannot.
fn bad_destination(t: &str) -> Option<&'static str> {
    if !t.starts_with('/') {
        Some("the destination must be an absolute path")
    } else if t.split('/').any(|c| c == "..") {
        Some("'..' is not allowed in the destination")
    } else {
        None
    }
}

/// A bind of host path `source` at `target`, recursive, read-only when `ro`.
fn bind(source: &str, target: &str, ro: bool) -> Mount {
    let mut m = Mount::new(target, source, "", MS_BIND | MS_REC | if ro { MS_RDONLY } else { 0 }, String::new());
    // Read-only all the way down, as Docker 25 and later make `:ro` and `readonly`: a filesystem
    // mounted below the source on the host is no way to write into it. Where the kernel cannot
    // (before 5.12), the top alone, as Docker does there.
    if ro {
        m.attr_set = MOUNT_ATTR_RDONLY;
    }
    m.attrs_optional = true;
    m
}

/// `SRC:DST`, `SRC:DST:ro` or `SRC:DST:rw`, added to `mounts` (pushed here: no move of a
/// returned Mount).
#[inline(never)]
pub fn volume(v: &str, mounts: &mut Vec<Mount>) -> Result<()> {
    let mut parts = v.split(':');
    let source = parts.next().unwrap_or_default();
    let (target, mode, extra) = (parts.next(), parts.next(), parts.next());
    // One message site: the checks only pick the reason.
    let why = match (target, mode) {
        (None, _) => "expected SRC:DST[:ro]",
        (_, Some(m)) if m != "ro" && m != "rw" => "the mode must be ro or rw",
        _ if extra.is_some() => "expected SRC:DST[:ro]",
        _ if source.is_empty() => "empty source",
        (Some(t), m) => match bad_destination(t) {
            Some(why) => why,
            None => {
                mounts.push(bind(source, t, m == Some("ro")));
                return Ok(());
            }
        },
    };
    Err(Error::cat(&["invalid --volume '", v, "': ", why]))
}

/// `DST` or `DST:OPTIONS` (Docker's --tmpfs): a fresh tmpfs, nosuid, nodev and noexec unless
/// the options say otherwise.
#[inline(never)]
pub fn tmpfs(v: &str, mounts: &mut Vec<Mount>) -> Result<()> {
    let (target, options) = v.split_once(':').unwrap_or((v, ""));
    if let Some(why) = bad_destination(target) {
        return Err(Error::cat(&["invalid --tmpfs '", v, "': ", why]));
    }
    let mut m = Mount::new(target, "tmpfs", "tmpfs", TMPFS_DEFAULT, String::new());
    for o in options.split(',').filter(|o| !o.is_empty()) {
        tmpfs_option(&mut m, o);
    }
    mounts.push(m);
    Ok(())
}

/// One tmpfs option: a flag set or cleared, or the filesystem's own.
fn tmpfs_option(m: &mut Mount, o: &str) {
    match TMPFS_FLAGS.iter().find(|(set, clear, _)| o == *set || o == *clear) {
        Some((set, _, bits)) if o == *set => m.flags |= bits,
        Some((_, _, bits)) => m.flags &= !bits,
        None => push_option(&mut m.data, o, ""),
    }
}

/// Appends the filesystem option `name` `value` to `data`, comma-separated.
fn push_option(data: &mut String, name: &str, value: &str) {
    if !data.is_empty() {
        data.push(',');
    }
    data.push_str(name);
    data.push_str(value);
}

/// Docker's `--mount` keys runt takes: the type, the source, the target (each with Docker's
/// other names), readonly, and a tmpfs's size and mode.
const MOUNT_KEYS: &str = "type source src target destination dst readonly ro tmpfs-size tmpfs-mode";

/// `type=bind|tmpfs,source=SRC,target=DST[,readonly][,tmpfs-size=N][,tmpfs-mode=OCTAL]`.
#[inline(never)]
pub fn mount(v: &str, mounts: &mut Vec<Mount>) -> Result<()> {
    let bad = |why: &str| Err(Error::cat(&["invalid --mount '", v, "': ", why]));
    let (mut kind, mut source, mut target, mut ro) = ("", "", "", false);
    let mut tmpfs_data = String::new();
    for field in v.split(',') {
        let (key, value) = field.split_once('=').unwrap_or((field, ""));
        match MOUNT_KEYS.split(' ').position(|k| k == key) {
            Some(0) => kind = value,
            Some(1 | 2) => source = value,
            Some(3..=5) => target = value,
            Some(6 | 7) => match value {
                "" | "true" | "1" => ro = true,
                "false" | "0" => ro = false,
                _ => return bad("readonly is true or false"),
            },
            Some(_) => push_option(&mut tmpfs_data, if key == "tmpfs-size" { "size=" } else { "mode=" }, value),
            None => return Err(Error::cat(&["invalid --mount '", v, "': unknown key '", key, "'"])),
        }
    }
    if let Some(why) = bad_destination(target) {
        return bad(if target.is_empty() { "no target" } else { why });
    }
    match kind {
        "bind" if source.is_empty() => bad("a bind needs a source"),
        "bind" if !tmpfs_data.is_empty() => bad("tmpfs-size and tmpfs-mode are for type=tmpfs"),
        "bind" => {
            mounts.push(bind(source, target, ro));
            Ok(())
        }
        "tmpfs" if !source.is_empty() => bad("a tmpfs has no source"),
        "tmpfs" => {
            let flags = TMPFS_DEFAULT | if ro { MS_RDONLY } else { 0 };
            mounts.push(Mount::new(target, "tmpfs", "tmpfs", flags, tmpfs_data));
            Ok(())
        }
        "" => bad("no type (type=bind or type=tmpfs)"),
        _ => bad("the type must be bind or tmpfs (runt has no volumes)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(f: fn(&str, &mut Vec<Mount>) -> Result<()>, v: &str) -> Mount {
        let mut m = Vec::new();
        f(v, &mut m).unwrap();
        assert_eq!(m.len(), 1);
        m.remove(0)
    }

    fn why(f: fn(&str, &mut Vec<Mount>) -> Result<()>, v: &str) -> String {
        f(v, &mut Vec::new()).unwrap_err().into_what()
    }

    #[test]
    fn volumes() {
        let v = [one(volume, "/a:/b"), one(volume, "rel:/c:ro"), one(volume, "/d:/e:rw")];
        assert_eq!((v[0].source.as_str(), v[0].destination.as_str()), ("/a", "/b"));
        assert_eq!(v[0].flags, MS_BIND | MS_REC);
        assert_eq!(v[1].flags, MS_BIND | MS_REC | MS_RDONLY);
        // `:ro` reaches every mount below the source too, where the kernel can.
        assert_eq!([v[0].attr_set, v[1].attr_set, v[2].attr_set], [0, MOUNT_ATTR_RDONLY, 0]);
        assert!(v.iter().all(|m| m.attrs_optional));
        assert!(v.iter().all(Mount::is_bind));
        for bad in ["/a", "/a:b", ":/b", "/a:/b:rx", "/a:/b:ro:x", "/a:/b/../c"] {
            assert!(volume(bad, &mut Vec::new()).is_err(), "{bad}");
        }
        assert_eq!(why(volume, "/a"), "invalid --volume '/a': expected SRC:DST[:ro]");
        assert_eq!(why(volume, "/a:/b:rx:x"), "invalid --volume '/a:/b:rx:x': the mode must be ro or rw");
        assert_eq!(why(volume, "/a:/b:ro:x"), "invalid --volume '/a:/b:ro:x': expected SRC:DST[:ro]");
        assert_eq!(why(volume, ":b"), "invalid --volume ':b': empty source");
        assert_eq!(why(volume, "/a:b"), "invalid --volume '/a:b': the destination must be an absolute path");
        assert_eq!(why(volume, "/a:/b/../c"), "invalid --volume '/a:/b/../c': '..' is not allowed in the destination");
    }

    #[test]
    fn tmpfs_options() {
        let m = one(tmpfs, "/t");
        assert_eq!(
            (m.destination.as_str(), m.fstype.as_str(), m.flags, m.data.as_str()),
            ("/t", "tmpfs", TMPFS_DEFAULT, "")
        );
        assert!(!m.is_bind());
        let m = one(tmpfs, "/t:size=64m,exec,mode=1770,ro");
        assert_eq!((m.flags, m.data.as_str()), (MS_NOSUID | MS_NODEV | MS_RDONLY, "size=64m,mode=1770"));
        let m = one(tmpfs, "/t:rw,suid,dev,noexec");
        assert_eq!(m.flags, MS_NOEXEC);
        assert_eq!(why(tmpfs, "t:size=1m"), "invalid --tmpfs 't:size=1m': the destination must be an absolute path");
        assert_eq!(why(tmpfs, "/a/../b"), "invalid --tmpfs '/a/../b': '..' is not allowed in the destination");
    }

    #[test]
    fn mount_keys() {
        let m = one(mount, "type=bind,source=/a,target=/b");
        assert_eq!((m.source.as_str(), m.destination.as_str(), m.flags), ("/a", "/b", MS_BIND | MS_REC));
        let m = one(mount, "type=bind,src=/a,dst=/b,readonly");
        assert_eq!((m.flags, m.attr_set), (MS_BIND | MS_REC | MS_RDONLY, MOUNT_ATTR_RDONLY));
        assert_eq!(one(mount, "destination=/b,ro=true,type=bind,source=x").flags, MS_BIND | MS_REC | MS_RDONLY);
        assert_eq!(one(mount, "type=bind,source=/a,target=/b,readonly=false").flags, MS_BIND | MS_REC);
        let m = one(mount, "type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=700");
        assert_eq!((m.fstype.as_str(), m.flags, m.data.as_str()), ("tmpfs", TMPFS_DEFAULT, "size=1m,mode=700"));
        assert_eq!(one(mount, "type=tmpfs,dst=/t,ro").flags, TMPFS_DEFAULT | MS_RDONLY);
        for (v, reason) in [
            ("type=volume,source=v,target=/b", "the type must be bind or tmpfs (runt has no volumes)"),
            ("source=/a,target=/b", "no type (type=bind or type=tmpfs)"),
            ("type=bind,target=/b", "a bind needs a source"),
            ("type=bind,source=/a", "no target"),
            ("type=bind,source=/a,target=b", "the destination must be an absolute path"),
            ("type=tmpfs,source=/a,target=/b", "a tmpfs has no source"),
            ("type=bind,source=/a,target=/b,tmpfs-size=1", "tmpfs-size and tmpfs-mode are for type=tmpfs"),
            ("type=bind,source=/a,target=/b,readonly=yes", "readonly is true or false"),
        ] {
            assert_eq!(why(mount, v), alloc::format!("invalid --mount '{v}': {reason}"));
        }
        assert_eq!(
            why(mount, "type=bind,source=/a,target=/b,bind-propagation=shared"),
            "invalid --mount 'type=bind,source=/a,target=/b,bind-propagation=shared': unknown key 'bind-propagation'"
        );
    }
}
