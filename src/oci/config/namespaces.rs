//! `linux.namespaces` (new or joined) and the user namespace's `uidMappings`/`gidMappings`.

use super::read::*;
use crate::json::Value;
use crate::spec::Spec;
use crate::sys::process::{
    CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWTIME, CLONE_NEWUSER, CLONE_NEWUTS,
};
use crate::userns::{IdMap, UserNs};
use alloc::vec::Vec;

/// Namespace types in config.json's words, split at spaces (one string is smaller than a table
/// of pointers), and their flags in the same order.
const NAMESPACE_NAMES: &str = "pid network mount ipc uts user cgroup time";
const NAMESPACE_FLAGS: [u32; 8] = [
    CLONE_NEWPID,
    CLONE_NEWNET,
    CLONE_NEWNS,
    CLONE_NEWIPC,
    CLONE_NEWUTS,
    CLONE_NEWUSER,
    CLONE_NEWCGROUP,
    CLONE_NEWTIME,
];

/// linux.namespaces, uidMappings, gidMappings, timeOffsets. A type not listed stays the host's.
pub(super) fn namespaces(linux: &Value, s: &mut Spec) -> Res<()> {
    let (mut seen, mut new_user, mut new_time) = (0, false, false);
    for ns in list(linux, "namespaces")? {
        let t = need(obj(ns)?, "type")?;
        let name = str_of(t)?;
        let Some(&flag) = NAMESPACE_NAMES.split(' ').position(|n| n == name).and_then(|i| NAMESPACE_FLAGS.get(i))
        else {
            return Err(fail_q(t, "unknown namespace type ", name, ""));
        };
        if seen & flag != 0 {
            return Err(fail_q(t, "", name, " listed twice"));
        }
        seen |= flag;
        // An empty path is no path.
        match get(ns, "path").filter(|p| p.as_str() != Some("")) {
            Some(p) => s.join.push((flag, abs_path(p)?.into())),
            None if flag == CLONE_NEWUSER => new_user = true,
            // Made by the container's process itself, not at clone: the offsets can be set only
            // until a process has entered it (see tuning::time_namespace).
            None if flag == CLONE_NEWTIME => new_time = true,
            None => s.namespaces |= flag,
        }
    }
    let offsets = object_or_none(linux, "timeOffsets")?;
    if new_time {
        s.oci.tuning.time_offsets = Some(time_offsets(offsets)?);
    } else if let Some(o) = offsets.filter(|o| is_set(o)) {
        return Err(fail(o, "given without a new time namespace"));
    }
    let (mut uid_maps, mut gid_maps) = (Vec::new(), Vec::new());
    id_maps(linux, "uidMappings", &mut uid_maps)?;
    id_maps(linux, "gidMappings", &mut gid_maps)?;
    // The first of the two that is missing (new user namespace) or given (none).
    let k = if uid_maps.is_empty() == new_user { "uidMappings" } else { "gidMappings" };
    if new_user {
        if uid_maps.is_empty() || gid_maps.is_empty() {
            return Err(fail_in(linux, k, "required with a new user namespace"));
        }
        s.userns = Some(UserNs { uid_maps, gid_maps, helpers: false, deny_setgroups: false });
    } else if !uid_maps.is_empty() || !gid_maps.is_empty() {
        return Err(fail_in(linux, k, "given without a new user namespace"));
    }
    Ok(())
}

/// linux.timeOffsets: how far CLOCK_MONOTONIC and CLOCK_BOOTTIME are ahead (or behind) in the
/// container, each `{"secs": S, "nanosecs": N}`.
fn time_offsets(offsets: Option<&Value>) -> Res<[(i64, u32); 2]> {
    let mut out = [(0, 0); 2];
    for (clock, v) in offsets.and_then(Value::as_object).unwrap_or_default() {
        let Some(at) = ["monotonic", "boottime"].iter().position(|c| c == clock).and_then(|i| out.get_mut(i)) else {
            return Err(fail_q(v, "unknown clock ", clock, " (monotonic or boottime)"));
        };
        let secs = get(obj(v)?, "secs").map_or(Ok(0), i64_of)?;
        let nanosecs = opt_u64(v, "nanosecs")?;
        if nanosecs >= 1_000_000_000 {
            return Err(fail_in(v, "nanosecs", "must be below 1000000000"));
        }
        *at = (secs, nanosecs as u32);
    }
    Ok(out)
}

/// The maps in member `k`, appended to `out`.
fn id_maps(linux: &Value, k: &str, out: &mut Vec<IdMap>) -> Res<()> {
    for m in list(linux, k)? {
        let size = need(obj(m)?, "size")?;
        let count = num(size)? as u32;
        if count == 0 {
            return Err(fail(size, "must not be 0"));
        }
        let (inside, outside) = (need_num(m, "containerID")? as u32, need_num(m, "hostID")? as u32);
        out.push(IdMap { inside, outside, count });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn every_namespace_name_has_its_flag() {
        assert_eq!(NAMESPACE_NAMES.split(' ').count(), NAMESPACE_FLAGS.len());
    }

    #[test]
    fn namespaces_joined_and_user() {
        let s = runc_with(&[(
            "linux.namespaces",
            Some(
                r#"[{"type":"pid"},{"type":"network","path":"/var/run/netns/n1"},{"type":"mount"},{"type":"cgroup"},
                {"type":"user","path":"/proc/9/ns/user"},{"type":"ipc","path":""},{"type":"uts"}]"#,
            ),
        )])
        .unwrap();
        assert_eq!(s.namespaces, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWIPC | CLONE_NEWUTS);
        assert_eq!(s.join, [(CLONE_NEWNET, "/var/run/netns/n1".into()), (CLONE_NEWUSER, "/proc/9/ns/user".into())]);
        assert_eq!(s.userns, None);
        let e = |c: &[(&str, Option<&str>)]| runc_with(c).unwrap_err().to_string();
        let user = ("linux.namespaces.5", Some(r#"{"type":"user"}"#));
        assert_eq!(e(&[user]), "config.json: linux.uidMappings: required with a new user namespace");
        let uid = ("linux.uidMappings", Some(r#"[{"containerID":0,"hostID":100000,"size":65536}]"#));
        assert_eq!(e(&[user, uid]), "config.json: linux.gidMappings: required with a new user namespace");
        let gid = ("linux.gidMappings", Some(r#"[{"containerID":0,"hostID":100000,"size":0}]"#));
        assert_eq!(e(&[user, uid, gid]), "config.json: linux.gidMappings[0].size: must not be 0");
        let gid = ("linux.gidMappings", Some(r#"[{"containerID":0,"hostID":100000,"size":65536}]"#));
        let maps = vec![IdMap { inside: 0, outside: 100_000, count: 65_536 }];
        let want = UserNs { uid_maps: maps.clone(), gid_maps: maps, helpers: false, deny_setgroups: false };
        assert_eq!(runc_with(&[user, uid, gid]).unwrap().userns, Some(want));
    }

    #[test]
    fn a_time_namespace_and_its_offsets() {
        let time = ("linux.namespaces.5", Some(r#"{"type":"time"}"#));
        let offsets = ("linux.timeOffsets", Some(r#"{"boottime":{"secs":-5,"nanosecs":7},"monotonic":{"secs":9}}"#));
        let s = runc_with(&[time, offsets]).unwrap();
        // Made by the container's process (see tuning::time_namespace), not at clone.
        assert_eq!(s.namespaces & CLONE_NEWTIME, 0);
        assert_eq!(s.oci.tuning.time_offsets, Some([(9, 0), (-5, 7)]));
        assert_eq!(runc_with(&[time]).unwrap().oci.tuning.time_offsets, Some([(0, 0); 2]));
        let joined = ("linux.namespaces.5", Some(r#"{"type":"time","path":"/proc/9/ns/time"}"#));
        let s = runc_with(&[joined]).unwrap();
        assert_eq!((s.join, s.oci.tuning.time_offsets), (vec![(CLONE_NEWTIME, "/proc/9/ns/time".into())], None));
        let e = |c: &[(&str, Option<&str>)]| runc_with(c).unwrap_err().to_string();
        assert_eq!(e(&[joined, offsets]), "config.json: linux.timeOffsets: given without a new time namespace");
        let bad = ("linux.timeOffsets", Some(r#"{"realtime":{"secs":1}}"#));
        assert_eq!(
            e(&[time, bad]),
            r#"config.json: linux.timeOffsets.realtime: unknown clock "realtime" (monotonic or boottime)"#
        );
        let bad = ("linux.timeOffsets", Some(r#"{"monotonic":{"nanosecs":1000000000}}"#));
        assert_eq!(e(&[time, bad]), "config.json: linux.timeOffsets.monotonic.nanosecs: must be below 1000000000");
    }
}
