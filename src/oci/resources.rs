//! `runt update` and `runt events`: a running container's cgroup limits, changed, and its
//! resource statistics, read.

use super::cli::Args;
use super::cmd::{cgroup_of, invalid, print, read_json};
use super::config;
use crate::error::{dec, dec_i, fail, Error, Result};
use crate::json;
use crate::spec::{Limits, MIN_MEMORY_OCI, UNLIMITED};
use alloc::string::String;

#[inline(never)]
pub(super) fn update(root: &str, id: &str, a: &Args) -> Result<()> {
    // Opened first: a container that is gone is the first thing to report.
    let cg = cgroup_of(root, id)?;
    let mut limits = match a.get("resources") {
        Some(src) => config::resources(&read_json(src, true)?).map_err(|e| e.context(src))?,
        None => Limits::default(),
    };
    // runc's flags, on top of the file's values.
    for &(k, v) in &a.opts {
        if k != "resources" && update_flag(&mut limits, k, v).is_none() {
            return Err(invalid("", k, v));
        }
    }
    if let Some(m) = limits.memory.filter(|&m| m != UNLIMITED && m < MIN_MEMORY_OCI) {
        return Err(fail(&["memory limit ", &dec(m), " is below the minimum of ", &dec(MIN_MEMORY_OCI), " bytes"]));
    }
    limits.check().map_err(Error::msg)?;
    cg.update(&limits)
}

/// One of `runt update`'s limit flags into `l`, as runc reads them: sizes as `64m` or `1.5g`,
/// -1 for no limit where runc takes it, 0 for "leave it". None: not a valid value.
#[inline(never)]
fn update_flag(l: &mut Limits, flag: &str, v: &str) -> Option<()> {
    use crate::text::{int, parse_size, uint};
    // -1: no limit; 0: left as it is.
    let signed = |out: &mut Option<u64>, n: i64| {
        match n {
            -1 => *out = Some(UNLIMITED),
            0 => {}
            n => *out = Some(u64::try_from(n).ok()?),
        }
        Some(())
    };
    let size = |v: &str| if v == "-1" { Some(-1) } else { parse_size(v).and_then(|n| i64::try_from(n).ok()) };
    let set = |out: &mut Option<u64>, n: u64| *out = Some(n).filter(|&n| n != 0).or(*out);
    match flag {
        "pids-limit" => signed(&mut l.pids, int(v)?)?,
        "cpu-quota" => signed(&mut l.cpu_quota, int(v)?)?,
        "memory" => signed(&mut l.memory, size(v)?)?,
        "memory-reservation" => signed(&mut l.memory_reservation, size(v)?)?,
        "memory-swap" => l.memory_swap = Some(size(v)?),
        "cpu-period" => set(&mut l.cpu_period, uint(v)?),
        "cpu-rt-period" => set(&mut l.cpu_rt_period, uint(v)?),
        "cpu-share" => set(&mut l.cpu_shares, uint(v)?),
        "cpu-rt-runtime" => {
            l.cpu_rt_runtime = Some(int(v).filter(|&n| n >= -1)?).filter(|&n| n != 0).or(l.cpu_rt_runtime)
        }
        "cpuset-cpus" => l.cpuset_cpus = Some(String::from(v)),
        "cpuset-mems" => l.cpuset_mems = Some(String::from(v)),
        "blkio-weight" => {
            let w = crate::text::unsigned::<u16>(v).filter(|w| *w == 0 || (10..=1000).contains(w))?;
            l.blkio_weight = Some(w).filter(|&w| w != 0).or(l.blkio_weight);
        }
        _ => {}
    }
    Some(())
}

#[inline(never)]
pub(super) fn events(root: &str, id: &str) -> Result<()> {
    let cg = cgroup_of(root, id)?;
    let num = |c: &str, f: &str| cg.read(c, f).and_then(|v| crate::text::int(&v)).unwrap_or(0);
    let (mem_usage, mem_limit, cpu_total) = if cg.is_v2() {
        let usec = cg
            .read("", "cpu.stat")
            .and_then(|t| t.split('\n').find_map(|l| crate::text::int(l.strip_prefix("usage_usec ")?)))
            .unwrap_or(0);
        (num("", "memory.current"), num("", "memory.max"), usec * 1000)
    } else {
        (
            num("memory", "memory.usage_in_bytes"),
            num("memory", "memory.limit_in_bytes"),
            num("cpuacct", "cpuacct.usage"),
        )
    };
    let mut out = String::from(r#"{"type":"stats","id":"#);
    json::string(&mut out, id);
    let fields = [
        (r#","data":{"cpu":{"usage":{"total":"#, cpu_total),
        (r#"}},"memory":{"usage":{"usage":"#, mem_usage),
        (r#","limit":"#, mem_limit),
        (r#"}},"pids":{"current":"#, num("pids", "pids.current")),
        (r#","limit":"#, num("pids", "pids.max")),
    ];
    for (key, n) in fields {
        out.push_str(key);
        out.push_str(&dec_i(n));
    }
    out.push_str("}}}");
    print(out);
    Ok(())
}
