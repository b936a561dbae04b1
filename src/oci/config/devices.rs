//! `linux.devices` (nodes made in the container's /dev) and `linux.resources.devices` (who may
//! use which device).

use super::read::*;
use crate::json::Value;
use crate::security::devices::{self, Kind, Rule};
use alloc::vec::Vec;
use linux_raw_sys::general::{S_IFBLK, S_IFCHR, S_IFIFO};

/// One of linux.devices, appended to `out`: nodes created in the container, anywhere in its
/// root (the spec allows paths outside /dev). Their access is up to linux.resources.devices, as
/// in runc (the engine adds the rules it wants).
#[inline(never)]
pub(super) fn device_node(d: &Value, out: &mut Vec<devices::Node>) -> Res<()> {
    let p = need(d, "path")?;
    let path = str_of(p)?;
    if !path.starts_with('/') || path.ends_with('/') || path.split('/').any(|c| c == "..") {
        return Err(fail(p, "must be an absolute path to a file, without '..'"));
    }
    let t = need(d, "type")?;
    let kind = match str_of(t)?.as_str() {
        "c" | "u" => S_IFCHR,
        "b" => S_IFBLK,
        "p" => S_IFIFO,
        other => return Err(fail_q(t, "unknown device type ", other, "")),
    };
    // A fifo has no device numbers: whatever the config says about them is not used.
    let (major, minor) = match kind {
        S_IFIFO => (0, 0),
        _ => (need_num(d, "major")? as u32, need_num(d, "minor")? as u32),
    };
    // fileMode may carry the type bits too (podman writes 0o20666): only the permissions count.
    let mode = kind | opt_num(d, "fileMode", 0o666)? as u32 & 0o7777;
    let (uid, gid) = (opt_num(d, "uid", 0)? as u32, opt_num(d, "gid", 0)? as u32);
    let (host, path) = (path.into(), path.into());
    out.push(devices::Node { host, path, access: devices::RWM, major, minor, mode, uid, gid });
    Ok(())
}

/// linux.resources.devices, in order, then the default devices' allow rules, into `rules`.
///
/// As runc (on v1 and v2 alike): the rules apply on top of "deny everything", and the devices
/// the spec says every container has (null, zero, full, random, urandom, tty, console, ptmx,
/// pts/*, plus mknod of any node) are allowed after the config's rules, whatever those say. So
/// podman's lone deny-all rule still leaves /dev/null usable, no rules at all means only the
/// default devices, and a privileged engine's allow-all rule allows everything.
#[inline(never)]
pub(super) fn device_rules(r: &Value, rules: &mut Vec<Rule>) -> Res<()> {
    let deny_all = Rule { allow: false, kind: Kind::All, major: None, minor: None, access: devices::RWM };
    // The v1 devices files start from what the parent allows: make the starting point explicit
    // (once: a config's own first rule that says the same is not repeated).
    rules.push(deny_all);
    for (i, d) in list(r, "devices")?.iter().enumerate() {
        let kind = match text(obj(d)?, "type")?.as_str() {
            "" | "a" => Kind::All,
            "c" => Kind::Char,
            "b" => Kind::Block,
            other => return Err(fail_q_in(d, "type", "unknown device type ", other, " (a, c or b)")),
        };
        let a = need(d, "access")?;
        let access = devices::parse_access(str_of(a)?).ok_or_else(|| fail(a, "expected a mix of r, w and m"))?;
        let mut rule = Rule { allow: false, kind, major: None, minor: None, access };
        flag(d, "allow", &mut rule.allow)?;
        // -1, and any number with type "a", stands for all.
        if kind != Kind::All {
            for (k, n) in [("major", &mut rule.major), ("minor", &mut rule.minor)] {
                if get(d, k).and_then(Value::as_i64) != Some(-1) {
                    set_num(d, k, n)?;
                }
            }
        }
        if i > 0 || rule != deny_all {
            rules.push(rule);
        }
    }
    for d in devices::DEFAULT.iter().filter(|r| r.allow) {
        rules.push(*d);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn devices_and_rules() {
        let s = runc_with(&[
            (
                "linux.devices",
                Some(
                    r#"[{"path":"/dev/fuse","type":"c","major":10,"minor":229,"fileMode":8630,"uid":0,"gid":5},
                    {"path":"/dev/sda","type":"b","major":8,"minor":0,"fileMode":416,"uid":7},
                    {"path":"/run/fifo","type":"p","major":8,"minor":666,"fileMode":384},
                    {"path":"/opt/null","type":"u","major":1,"minor":3}]"#,
                ),
            ),
            (
                "linux.resources.devices",
                Some(
                    r#"[{"allow":true,"type":"c","major":10,"minor":229,"access":"rw"},
                    {"allow":false,"type":"b","major":-1,"access":"m"},{"allow":true,"access":"r","major":3}]"#,
                ),
            ),
        ])
        .unwrap();
        let node = |path: &str, major, minor, mode, uid, gid| devices::Node {
            host: path.into(),
            path: path.into(),
            access: devices::RWM,
            major,
            minor,
            mode,
            uid,
            gid,
        };
        assert_eq!(
            s.device_nodes,
            [
                node("/dev/fuse", 10, 229, S_IFCHR | 0o666, 0, 5),
                node("/dev/sda", 8, 0, S_IFBLK | 0o640, 7, 0),
                node("/run/fifo", 0, 0, S_IFIFO | 0o600, 0, 0),
                node("/opt/null", 1, 3, S_IFCHR | 0o666, 0, 0),
            ]
        );
        let rules = s.device_rules.unwrap();
        // deny all (added: the first rule was not one), the config's three, the defaults' allows.
        assert_eq!(rules.len(), 1 + 3 + devices::DEFAULT.len() - 1);
        assert_eq!(rules[0], devices::DEFAULT[0]);
        let rw = devices::READ | devices::WRITE;
        assert_eq!(rules[1], Rule { allow: true, kind: Kind::Char, major: Some(10), minor: Some(229), access: rw });
        assert_eq!(
            rules[2],
            Rule { allow: false, kind: Kind::Block, major: None, minor: None, access: devices::MKNOD }
        );
        assert_eq!(rules[3], Rule { allow: true, kind: Kind::All, major: None, minor: None, access: devices::READ });
        assert_eq!(rules[4..], devices::DEFAULT[1..]);
        // A privileged engine's allow-all ends with everything allowed.
        let p = runc_with(&[("linux.resources.devices", Some(r#"[{"allow":true,"access":"rwm"}]"#))]).unwrap();
        let p = p.device_rules.unwrap();
        assert_eq!((p[0].allow, p[1].allow, p[1].kind), (false, true, Kind::All));
        // Only a leading deny-all stands for the one runt adds; a later one stays.
        let deny = r#"{"allow":false,"access":"rwm"}"#;
        for (rules, denies) in [(format!("[{deny}]"), 1), (format!("[{deny},{deny}]"), 2)] {
            let d = runc_with(&[("linux.resources.devices", Some(&rules))]).unwrap().device_rules.unwrap();
            assert_eq!(d.len(), denies + devices::DEFAULT.len() - 1, "{rules}");
            assert!(d[..denies].iter().all(|r| *r == devices::DEFAULT[0]), "{rules}");
        }
    }
}
