//! `process`: argv, environment, cwd, user, terminal, capabilities, rlimits, no_new_privs,
//! oomScoreAdj, scheduler, ioPriority, execCPUAffinity (also `runt exec --process`'s input);
//! and `linux`'s memoryPolicy and personality, which are the process's too.

use super::read::*;
use crate::error::cat;
use crate::json::Value;
use crate::security::caps::{self, Caps};
use crate::security::rlimits::{self, Rlimit};
use crate::spec::{Spec, User};
use crate::state::read_small;
use crate::sys::process::SchedAttr;
use alloc::string::String;
use alloc::vec::Vec;

/// A Linux security module whose labels a config (or `runt exec`) may name; runt applies none.
#[derive(Clone, Copy)]
pub enum Lsm {
    AppArmor,
    SELinux,
}

impl Lsm {
    /// Whether the kernel runs it: AppArmor says "Y" in its module parameter, SELinux has its
    /// filesystem (the places runc's libraries look).
    pub fn enabled(self) -> bool {
        match self {
            Lsm::AppArmor => read_small("/sys/module/apparmor/parameters/enabled").is_some_and(|t| t.starts_with('Y')),
            Lsm::SELinux => read_small("/sys/fs/selinux/enforce").is_some(),
        }
    }

    /// Why a label for it cannot be taken, or None when it can be ignored. As runc does, a label
    /// for an LSM the kernel does not run is ignored: there is nothing it could confine. Where
    /// the LSM runs, ignoring it would leave the process unconfined: an error.
    pub fn refusal(self, enabled: bool) -> Option<&'static str> {
        match (self, enabled) {
            (_, false) => None,
            (Lsm::AppArmor, true) => Some("AppArmor is enabled here, and runt cannot apply a profile"),
            (Lsm::SELinux, true) => Some("SELinux is enabled here, and runt cannot apply a label"),
        }
    }
}

pub(super) fn process(p: &Value, s: &mut Spec) -> Res<()> {
    for (key, lsm) in [("apparmorProfile", Lsm::AppArmor), ("selinuxLabel", Lsm::SELinux)] {
        if let Some(label) = get(p, key).filter(|v| is_set(v)) {
            if let Some(why) = lsm.refusal(lsm.enabled()) {
                return Err(fail(label, why));
            }
        }
    }
    s.args.clear();
    strings(p, "args", &mut s.args)?;
    if s.args.is_empty() {
        return Err(fail_in(p, "args", "must not be empty"));
    }
    s.env.clear();
    for e in list(p, "env")? {
        let kv = str_of(e)?;
        // No '=', or no name before it.
        if matches!(kv.bytes().position(|b| b == b'='), None | Some(0)) {
            return Err(fail_q(e, "", kv, " is not KEY=VALUE"));
        }
        s.env.push(kv.into());
    }
    s.cwd.clear();
    s.cwd.push_str(need_abs(p, "cwd")?);
    let user = object_or_empty(p, "user")?;
    s.user = Some(User { uid: opt_num(user, "uid", 0)? as u32, gid: opt_num(user, "gid", 0)? as u32 });
    s.oci.additional_gids.clear();
    for g in list(user, "additionalGids")? {
        s.oci.additional_gids.push(num(g)? as u32);
    }
    if let Some(m) = get(user, "umask") {
        s.oci.umask = Some(num(m)? as u32 & 0o777);
    }
    s.oci.terminal = false;
    flag(p, "terminal", &mut s.oci.terminal)?;
    s.oci.console_size = match object_or_none(p, "consoleSize")? {
        Some(c) => Some((num16(need(c, "height")?)? as u16, num16(need(c, "width")?)? as u16)),
        None => None,
    };
    if let Some(c) = object_or_none(p, "capabilities")? {
        let unknown = &mut s.oci.unknown_caps;
        unknown.clear();
        s.caps = Caps {
            bounding: cap_set(c, "bounding", unknown)?,
            effective: cap_set(c, "effective", unknown)?,
            permitted: cap_set(c, "permitted", unknown)?,
            inheritable: cap_set(c, "inheritable", unknown)?,
            ambient: cap_set(c, "ambient", unknown)?,
        };
    }
    let limits = process_rlimits(p)?;
    if !limits.is_empty() {
        s.rlimits = limits;
    }
    // Each only when given: `exec --process` keeps the container's own otherwise.
    let t = &mut s.oci.tuning;
    if let Some(sc) = object_or_none(p, "scheduler")? {
        t.scheduler = Some(scheduler(sc)?);
    }
    if let Some(io) = object_or_none(p, "ioPriority")? {
        let class = named(need(io, "class")?, "IOPRIO_CLASS_RT IOPRIO_CLASS_BE IOPRIO_CLASS_IDLE")? + 1;
        let level = get(io, "priority").map_or(Ok(0), |l| num_to(l, 7))?;
        t.io_priority = Some((class << 13 | level) as u32);
    }
    if let Some(a) = object_or_none(p, "execCPUAffinity")? {
        t.exec_cpus = [ids(a, "initial", "CPUs")?, ids(a, "final", "CPUs")?];
    }
    flag(p, "noNewPrivileges", &mut s.no_new_privs)?;
    if let Some(o) = get(p, "oomScoreAdj") {
        let n = i32::try_from(i64_of(o)?).ok().filter(|n| (-1000..=1000).contains(n));
        s.oom_score_adj = Some(n.ok_or_else(|| fail(o, "must be from -1000 to 1000"))?);
    }
    Ok(())
}

/// linux.memoryPolicy's modes in the kernel's order (its numbers), and its flags from bit 13 up
/// (also `runt features`).
pub const MPOL_MODES: &str =
    "MPOL_DEFAULT MPOL_PREFERRED MPOL_BIND MPOL_INTERLEAVE MPOL_LOCAL MPOL_PREFERRED_MANY MPOL_WEIGHTED_INTERLEAVE";
pub const MPOL_FLAGS: &str = "MPOL_F_NUMA_BALANCING MPOL_F_RELATIVE_NODES MPOL_F_STATIC_NODES";

/// linux.memoryPolicy and linux.personality: the process's too, though the spec puts them
/// under `linux`.
pub(super) fn linux_process(linux: &Value, s: &mut Spec) -> Res<()> {
    if let Some(m) = object_or_none(linux, "memoryPolicy")? {
        // The flags are bits 13, 14 and 15 of the mode.
        let flags = named_bits(m, "flags", MPOL_FLAGS)?;
        let mode = named(need(m, "mode")?, MPOL_MODES)? | flags << 13;
        // No nodes: the modes that take none (MPOL_DEFAULT, MPOL_LOCAL).
        let nodes = ids(m, "nodes", "nodes")?.unwrap_or_default();
        s.oci.tuning.memory_policy = Some((mode as u32, nodes));
    }
    if let Some(p) = object_or_none(linux, "personality")? {
        const PER_LINUX: u32 = 0;
        const PER_LINUX32: u32 = 8;
        let domain = if named(need(p, "domain")?, "LINUX LINUX32")? == 0 { PER_LINUX } else { PER_LINUX32 };
        // The spec defines no flags yet.
        refuse(p, "flags", "not supported")?;
        s.oci.tuning.personality = Some(domain);
    }
    Ok(())
}

/// Member `k`, a list of CPUs or memory nodes ("0-3,7"), as a mask; None when absent or empty.
fn ids(v: &Value, k: &'static str, what: &str) -> Res<Option<Vec<u64>>> {
    match text(v, k)?.as_str() {
        "" => Ok(None),
        list => crate::text::id_list(list)
            .map(Some)
            .ok_or_else(|| fail_owned(v, k, cat(&["expected a list of ", what, " such as 0-3,7"]))),
    }
}

/// process.scheduler, checked as runc checks it (the kernel refuses the rest).
fn scheduler(sc: &Value) -> Res<SchedAttr> {
    // In the kernel's order, SCHED_ISO (4) included: Linux refuses it.
    let policies = "SCHED_OTHER SCHED_FIFO SCHED_RR SCHED_BATCH SCHED_ISO SCHED_IDLE SCHED_DEADLINE";
    let flags = "SCHED_FLAG_RESET_ON_FORK SCHED_FLAG_RECLAIM SCHED_FLAG_DL_OVERRUN SCHED_FLAG_KEEP_POLICY \
        SCHED_FLAG_KEEP_PARAMS SCHED_FLAG_UTIL_CLAMP_MIN SCHED_FLAG_UTIL_CLAMP_MAX";
    let policy = named(need(sc, "policy")?, policies)? as u32;
    let nice = get(sc, "nice").map_or(Ok(0), i64_of)?;
    if !(-20..=19).contains(&nice) {
        return Err(fail_in(sc, "nice", "must be from -20 to 19"));
    }
    let priority = opt_num(sc, "priority", 0)? as u32;
    // SCHED_FIFO and SCHED_RR take a priority; SCHED_DEADLINE its three times.
    if priority != 0 && !matches!(policy, 1 | 2) {
        return Err(fail_in(sc, "priority", "only SCHED_FIFO and SCHED_RR take one"));
    }
    let (runtime, deadline, period) = (opt_u64(sc, "runtime")?, opt_u64(sc, "deadline")?, opt_u64(sc, "period")?);
    if policy != 6 && runtime | deadline | period != 0 {
        return Err(fail(sc, "runtime, deadline and period are SCHED_DEADLINE's"));
    }
    let flags = named_bits(sc, "flags", flags)?;
    Ok(SchedAttr { size: 0, policy, flags, nice: nice as i32, priority, runtime, deadline, period })
}

/// One capability set. Names this runt does not know are skipped, as runc does (an engine may
/// list what a newer kernel has), and added to `unknown` (once each), for the door to warn about.
fn cap_set(c: &Value, k: &str, unknown: &mut Vec<String>) -> Res<u64> {
    let mut set = 0;
    for name in list(c, k)? {
        let name = str_of(name)?;
        match name.strip_prefix("CAP_").and_then(|n| caps::NAMES.iter().position(|x| *x == n)) {
            Some(i) => set |= 1 << i,
            None if !unknown.contains(name) => unknown.push(name.clone()),
            None => {}
        }
    }
    Ok(set)
}

fn process_rlimits(p: &Value) -> Res<Vec<Rlimit>> {
    let mut out: Vec<Rlimit> = Vec::new();
    for r in list(p, "rlimits")? {
        let t = need(obj(r)?, "type")?;
        let name = str_of(t)?.as_str();
        let Some(resource) = Some(name).filter(|n| n.starts_with("RLIMIT_")).and_then(rlimits::resource) else {
            return Err(fail_q(t, "unknown resource limit ", name, ""));
        };
        if out.iter().any(|l| l.resource == resource) {
            return Err(fail_q(t, "", name, " given twice"));
        }
        let (soft, hard) = (need_u64(r, "soft")?, need_u64(r, "hard")?);
        if soft > hard {
            return Err(fail(r, "the soft limit is above the hard one"));
        }
        out.push(Rlimit { resource, soft, hard });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::apply_process;
    use super::super::testing::*;
    use super::*;
    use std::string::ToString;

    #[test]
    fn lsm_labels_only_where_the_lsm_runs() {
        for lsm in [Lsm::AppArmor, Lsm::SELinux] {
            assert_eq!(lsm.refusal(false), None);
            assert!(lsm.refusal(true).is_some_and(|why| why.contains("enabled here")));
        }
    }

    #[test]
    fn process_for_exec() {
        let mut s = runc_with(&[("process.oomScoreAdj", Some("-500")), ("process.user.umask", Some("63"))]).unwrap();
        assert_eq!((s.oom_score_adj, s.oci.umask), (Some(-500), Some(0o77)));
        let before = s.caps;
        let v = parse(
            r#"{"args":["ps"],"cwd":"/tmp","user":{"uid":1000,"gid":100,"additionalGids":[5,6]},"terminal":true,
            "consoleSize":{"height":24,"width":80},"env":["A=b"]}"#,
        );
        apply_process(&v, &mut s).unwrap();
        assert_eq!((s.args[0].as_str(), s.cwd.as_str(), s.env.as_slice()), ("ps", "/tmp", &["A=b".to_string()][..]));
        assert_eq!(s.user, Some(User { uid: 1000, gid: 100 }));
        assert_eq!(s.oci.additional_gids, [5, 6]);
        assert_eq!((s.oci.terminal, s.oci.console_size), (true, Some((24, 80))));
        // Not given: the container's own stay.
        assert_eq!(s.caps, before);
        assert!(s.no_new_privs);
        assert_eq!(s.rlimits.len(), 1);
        assert_eq!(s.oci.umask, Some(0o77));
        let v = parse(
            r#"{"args":["x"],"cwd":"/","noNewPrivileges":false,"capabilities":{"bounding":["CAP_KILL","CAP_FLY"]},
            "rlimits":[{"type":"RLIMIT_CORE","soft":0,"hard":0}]}"#,
        );
        apply_process(&v, &mut s).unwrap();
        assert!(!s.no_new_privs);
        assert_eq!(s.caps, Caps { bounding: 1 << 5, ..Caps::default() });
        assert_eq!(s.oci.unknown_caps, ["CAP_FLY"]);
        assert_eq!(s.rlimits, [Rlimit { resource: 4, soft: 0, hard: 0 }]);
        assert_eq!(apply_process(&parse(r#"{"args":["x"]}"#), &mut s).unwrap_err().to_string(), "cwd: required");
    }

    #[test]
    fn runtime_spec_1_2_process_settings_in_the_kernels_numbers() {
        let s = runc_with(&[
            ("linux.personality", Some(r#"{"domain":"LINUX32"}"#)),
            (
                "linux.memoryPolicy",
                Some(r#"{"mode":"MPOL_INTERLEAVE","nodes":"0-1,3","flags":["MPOL_F_STATIC_NODES"]}"#),
            ),
            ("process.ioPriority", Some(r#"{"class":"IOPRIO_CLASS_IDLE","priority":7}"#)),
            (
                "process.scheduler",
                Some(
                    r#"{"policy":"SCHED_DEADLINE","runtime":1,"deadline":2,"period":3,"flags":["SCHED_FLAG_RECLAIM"]}"#,
                ),
            ),
            ("process.execCPUAffinity", Some(r#"{"initial":"1","final":"0-2"}"#)),
        ])
        .unwrap();
        let t = &s.oci.tuning;
        assert_eq!(t.personality, Some(8));
        // MPOL_INTERLEAVE is 3, MPOL_F_STATIC_NODES 1 << 15.
        assert_eq!(t.memory_policy, Some((3 | 1 << 15, vec![0b1011])));
        // IOPRIO_CLASS_IDLE is 3, in bits 13 and up.
        assert_eq!(t.io_priority, Some(3 << 13 | 7));
        let want = SchedAttr { policy: 6, flags: 2, runtime: 1, deadline: 2, period: 3, ..SchedAttr::default() };
        assert_eq!(t.scheduler, Some(want));
        assert_eq!(t.exec_cpus, [Some(vec![2]), Some(vec![7])]);
        // Nothing given: nothing changed from what the process inherits.
        assert_eq!(runc_with(&[]).unwrap().oci.tuning, crate::spec::Tuning::default());
        // An exec'd process's own replace the container's; what it does not give stays.
        let mut s = s;
        let v = parse(r#"{"args":["x"],"cwd":"/","scheduler":{"policy":"SCHED_OTHER","nice":-20}}"#);
        apply_process(&v, &mut s).unwrap();
        assert_eq!(s.oci.tuning.scheduler, Some(SchedAttr { nice: -20, ..SchedAttr::default() }));
        assert_eq!(s.oci.tuning.io_priority, Some(3 << 13 | 7));
        assert_eq!(s.oci.tuning.exec_cpus[1], Some(vec![7]));
    }
}
