//! `linux.resources` as cgroup limits (memory, cpu, pids, blockIO, unified; also `runt update`'s
//! input), and where the cgroup is: `linux.cgroupsPath`.

use super::read::*;
use crate::error::{cat, dec, dec_i};
use crate::json::Value;
use crate::spec::{Limits, CPU_PERIOD_RANGE, CPU_QUOTA_MIN, MIN_MEMORY_OCI, UNLIMITED};
use alloc::string::String;

/// Member `k` of `v`: a number of which 0 means "not set" and -1 "no limit" (as runc reads
/// them), into `out`: None for not set, and for no limit too when `update` is false (a new cgroup
/// has none), `UNLIMITED` when it is true. Below -1, or positive below `min`, is an error.
#[inline(never)]
fn limit(v: &Value, k: &str, update: bool, min: u64, out: &mut Option<u64>) -> Res<()> {
    let Some(n) = get(v, k) else { return Ok(()) };
    *out = match i64_of(n)? {
        0 => None,
        -1 if update => Some(UNLIMITED),
        -1 => None,
        m if m < -1 => return Err(fail(n, "expected -1 (unlimited), 0 (not set) or a positive number")),
        m if (m as u64) < min => {
            return Err(fail_owned(n, "", cat(&["below the minimum of ", &dec(min), ": ", &dec_i(m)])))
        }
        m => Some(m as u64),
    };
    Ok(())
}

/// linux.resources (also `runt update`'s input, where -1 means back to no limit).
pub(super) fn limits(r: &Value) -> Res<Limits> {
    let mut l = Limits::default();
    fill(r, &mut l, true)?;
    Ok(l)
}

/// linux.resources of a config.json into `l` (a default one), in place.
pub(super) fn fill_limits(r: &Value, l: &mut Limits) -> Res<()> {
    fill(r, l, false)
}

fn fill(r: &Value, l: &mut Limits, update: bool) -> Res<()> {
    refuse(r, "hugepageLimits network rdma", "not supported")?;
    if let Some(p) = object_or_none(r, "pids")? {
        limit(p, "limit", update, 1, &mut l.pids)?;
    }
    if let Some(m) = object_or_none(r, "memory")? {
        limit(m, "limit", update, MIN_MEMORY_OCI, &mut l.memory)?;
        limit(m, "reservation", update, 1, &mut l.memory_reservation)?;
        if let Some(s) = get(m, "swap") {
            let n = i64_of(s)?;
            if n < -1 {
                return Err(fail(s, "expected -1 (unlimited) or a number of bytes"));
            }
            l.memory_swap = Some(n).filter(|&n| n != 0);
        }
        // kernel and kernelTCP are deprecated (gone since Linux 5.4 on v1, never on v2); runc
        // ignores them, and so does runt. swappiness only exists on v1, and runc ignores it on
        // v2: runt does not write it either. useHierarchy is always on in current kernels.
        refuse(m, "disableOOMKiller checkBeforeUpdate", "not supported")?;
    }
    if let Some(c) = object_or_none(r, "cpu")? {
        l.cpu_shares = Some(opt_u64(c, "shares")?).filter(|&n| n > 0);
        limit(c, "quota", update, CPU_QUOTA_MIN, &mut l.cpu_quota)?;
        if let Some(p) = get(c, "period") {
            l.cpu_period = Some(u64_of(p)?).filter(|&p| p != 0);
            if l.cpu_period.is_some_and(|p| !CPU_PERIOD_RANGE.contains(&p)) {
                return Err(fail(p, "out of range: 1000 to 1000000 (microseconds)"));
            }
        }
        l.cpu_rt_period = Some(opt_u64(c, "realtimePeriod")?).filter(|&n| n > 0);
        if let Some(rt) = get(c, "realtimeRuntime") {
            l.cpu_rt_runtime = Some(i64_of(rt)?).filter(|&n| n != 0);
            if l.cpu_rt_runtime.is_some_and(|n| n < -1) {
                return Err(fail(rt, "expected -1 (unlimited) or a number of microseconds"));
            }
        }
        opt_text(c, "cpus", &mut l.cpuset_cpus)?;
        opt_text(c, "mems", &mut l.cpuset_mems)?;
        refuse(c, "idle burst", "not supported")?;
    }
    if let Some(b) = object_or_none(r, "blockIO")? {
        if let Some(w) = get(b, "weight") {
            let n = num16(w)? as u16;
            if n != 0 && !(10..=1000).contains(&n) {
                return Err(fail(w, "must be from 10 to 1000"));
            }
            l.blkio_weight = Some(n).filter(|&n| n != 0);
        }
        const PER_DEVICE: &str = "leafWeight weightDevice throttleReadBpsDevice throttleWriteBpsDevice \
            throttleReadIOPSDevice throttleWriteIOPSDevice";
        refuse(b, PER_DEVICE, "not supported")?;
    }
    map(r, "unified", &mut l.unified)?;
    l.check().map_err(|msg| fail_owned(r, "", msg))
}

/// linux.cgroupsPath below each hierarchy's root: "/a/b" and "a/b" are "a/b"; the systemd form
/// "slice:prefix:name" is "slice/prefix-name.scope", a dashed slice expanded into its parents as
/// systemd does ("machine-libpod.slice" is machine.slice/machine-libpod.slice).
/// Set in `out` (left alone when not given).
pub(super) fn cgroups_path(linux: &Value, out: &mut Option<String>) -> Res<()> {
    let Some(p) = get(linux, "cgroupsPath").filter(|p| is_set(p)) else { return Ok(()) };
    let text = str_of(p)?;
    let bad = |why: &str| fail_q(p, "", text, why);
    let path = out.insert(String::new());
    let mut parts = text.split(':');
    let slice = parts.next().unwrap_or_default();
    if let Some(prefix) = parts.next() {
        let (Some(name), None) = (parts.next(), parts.next()) else {
            return Err(bad(": expected slice:prefix:name"));
        };
        if name.is_empty() || name.contains('/') {
            return Err(bad(": invalid unit name"));
        }
        if !expand_slice(if slice.is_empty() { "system.slice" } else { slice }, path) {
            return Err(bad(": invalid slice name"));
        }
        if !prefix.is_empty() && !name.ends_with(".slice") {
            path.push_str(prefix);
            path.push('-');
        }
        path.push_str(name);
        if !name.ends_with(".slice") {
            path.push_str(".scope");
        }
        return Ok(());
    }
    for c in text.split('/').filter(|c| !c.is_empty() && *c != ".") {
        if c == ".." {
            return Err(bad(": '..' is not allowed"));
        }
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(c);
    }
    if path.is_empty() {
        return Err(bad(": names no cgroup below the root"));
    }
    Ok(())
}

/// Appends "a.slice/a-b.slice/a-b-c.slice/" for "a-b-c.slice" to `path` ("" for "-.slice", the
/// root slice); false for an invalid name (`path` then holds part of it).
#[inline(never)]
fn expand_slice(slice: &str, path: &mut String) -> bool {
    let Some(base) = slice.strip_suffix(".slice") else { return false };
    if base == "-" {
        return true;
    }
    // One pass checks and writes: a '/' or an empty part (a '-' at either end or after another,
    // or no name at all) is invalid.
    let mut prev = b'-';
    for (i, b) in base.bytes().chain([b'-']).enumerate() {
        if b == b'/' || (b == b'-' && prev == b'-') {
            return false;
        }
        if b == b'-' {
            path.push_str(base.get(..i).unwrap_or(base));
            path.push_str(".slice/");
        }
        prev = b;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::super::resources;
    use super::super::testing::*;
    use super::*;

    #[test]
    fn cgroups_paths() {
        let path = |p: &str| runc_with(&[("linux.cgroupsPath", Some(&format!("\"{p}\"")))]).map(|s| s.oci.cgroups_path);
        let cases = [
            ("", None),
            ("/a/b", Some("a/b")),
            ("a/b", Some("a/b")),
            ("//a/./b/", Some("a/b")),
            ("machine.slice:libpod:abc", Some("machine.slice/libpod-abc.scope")),
            ("machine-libpod.slice:libpod:abc", Some("machine.slice/machine-libpod.slice/libpod-abc.scope")),
            ("a-b-c.slice:p:n", Some("a.slice/a-b.slice/a-b-c.slice/p-n.scope")),
            ("system.slice::n", Some("system.slice/n.scope")),
            (":docker:n", Some("system.slice/docker-n.scope")),
            ("-.slice:p:n", Some("p-n.scope")),
            ("user.slice:p:my.slice", Some("user.slice/my.slice")),
        ];
        for (p, want) in cases {
            assert_eq!(path(p).unwrap().as_deref(), want, "{p}");
        }
        let bad = [
            "/",
            "a:b:c:d",
            "nope:p:n",
            "-a.slice:p:n",
            "a--b.slice:p:n",
            "a-.slice:p:n",
            ".slice:p:n",
            "a/b.slice:p:n",
            "x.slice:p:",
            "x.slice:p:a/b",
        ];
        for b in bad.iter().chain(&["../x"]) {
            assert!(path(b).is_err(), "{b}");
        }
    }

    #[test]
    fn resources_map_to_limits() {
        let v = parse(
            r#"{"pids":{"limit":-1},"memory":{"limit":-1,"reservation":1024,"swap":-1},
            "cpu":{"shares":512,"quota":50000,"period":200000,"cpus":"0-1","mems":"0"},
            "blockIO":{"weight":500},"unified":{"memory.high":"1M","io.max":"8:0 rbps=1"}}"#,
        );
        let want = Limits {
            // `runt update`: -1 puts back no limit.
            pids: Some(UNLIMITED),
            memory: Some(UNLIMITED),
            memory_reservation: Some(1024),
            memory_swap: Some(-1),
            cpu_shares: Some(512),
            cpuset_cpus: Some("0-1".into()),
            cpuset_mems: Some("0".into()),
            blkio_weight: Some(500),
            unified: vec![("memory.high".into(), "1M".into()), ("io.max".into(), "8:0 rbps=1".into())],
            cpu_quota: Some(50_000),
            cpu_period: Some(200_000),
            ..Limits::default()
        };
        assert_eq!(resources(&v).unwrap(), want);
        // A config.json: -1 is what a new cgroup has anyway.
        let mut l = Limits::default();
        assert!(fill_limits(&v, &mut l).is_ok());
        assert_eq!(l, Limits { pids: None, memory: None, ..want });
        let v = parse(r#"{"cpu":{"quota":-1,"shares":0},"pids":{"limit":0},"memory":{"swap":0}}"#);
        assert_eq!(resources(&v).unwrap(), Limits { cpu_quota: Some(UNLIMITED), ..Limits::default() });
        // Errors name the path inside the file; `runt update` adds the file's name.
        let e = resources(&parse(r#"{"memory":{"limit":"1g"}}"#)).unwrap_err();
        assert_eq!(e.to_string(), "memory.limit: expected an integer, found string");
        assert_eq!(resources(&parse("3")).unwrap_err().to_string(), "expected an object, found number");
    }
}
