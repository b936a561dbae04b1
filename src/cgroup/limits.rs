//! The limits of a container's cgroup: which controllers a set of limits needs, and writing
//! them, in v1's files or v2's (with the conversions runc makes between the two).

use super::Cgroup;
use crate::error::{dec, dec_i, push_dec, Error, Result};
use crate::spec::{Limits, CPU_PERIOD_US, UNLIMITED};
use crate::sys::Errno;
use alloc::string::String;

impl Cgroup {
    /// Like `set`, for files that exist only with some kernel options (swap accounting).
    fn set_if_present(&self, file: &str, value: &str) -> Result<()> {
        match self.set(file, value) {
            Err(e) if e.errno == Some(Errno::ENOENT) => Ok(()),
            other => other,
        }
    }

    /// The memory limit and memory+swap. v1 refuses a memory limit above memory+swap and
    /// memory+swap below the memory limit at every moment: when raising both, memory+swap goes
    /// first.
    fn write_memory(&self, l: &Limits, max: &str) -> Result<()> {
        let mem = l.memory.map(|m| if m == UNLIMITED { String::from(max) } else { dec(m) });
        let swap = if self.v2 {
            // v2 counts swap on its own: memory+swap minus memory, or none at all by default.
            match (l.memory_swap, l.memory) {
                (Some(-1), _) => Some(String::from("max")),
                (Some(_), Some(UNLIMITED)) => Some(String::from("max")),
                (Some(sw), Some(m)) => Some(dec_i((sw - m as i64).max(0))),
                (None, Some(UNLIMITED)) => Some(String::from("max")),
                (None, Some(_)) => Some(String::from("0")),
                _ => None,
            }
        } else {
            // Memory+swap: as asked, else capped at the memory limit so swap does not bypass it.
            l.memory_swap.map(dec_i).or(mem.clone())
        };
        let (mem_file, swap_file) = if self.v2 {
            ("memory.max", "memory.swap.max")
        } else {
            ("memory.limit_in_bytes", "memory.memsw.limit_in_bytes")
        };
        let write_swap = || match &swap {
            Some(sw) => self.set_if_present(swap_file, sw),
            None => Ok(()),
        };
        match &mem {
            Some(m) => match self.set(mem_file, m) {
                Err(e) if e.errno == Some(Errno::EINVAL) && !self.v2 && swap.is_some() => {
                    write_swap()?;
                    self.set(mem_file, m)
                }
                Err(e) => Err(e),
                Ok(()) => write_swap(),
            },
            None => write_swap(),
        }
    }

    /// The limits, in v1's files or v2's (whose units differ for shares, swap and weights).
    #[inline(never)]
    pub(super) fn write_limits(&self, l: &Limits) -> Result<()> {
        let v2 = self.v2;
        let pick = |v1_file, v2_file| if v2 { v2_file } else { v1_file };
        // "no limit" in each file's own words
        let num = |n: u64, none: &str| if n == UNLIMITED { String::from(none) } else { dec(n) };
        if let Some(n) = l.pids {
            self.set("pids.max", &num(n, "max"))?;
        }
        let max = pick("-1", "max");
        self.write_memory(l, max)?;
        if let Some(r) = l.memory_reservation {
            self.set(pick("memory.soft_limit_in_bytes", "memory.low"), &num(r, max))?;
        }
        if let Some(sh) = l.cpu_shares {
            if v2 {
                // v1 shares (2..262144) onto v2 weight (1..10000), as runc and crun convert them.
                let w = 1 + (sh.clamp(2, 262_144) - 2) * 9999 / 262_142;
                self.set_n("cpu.weight", w)?;
            } else {
                self.set_n("cpu.shares", sh)?;
            }
        }
        if l.cpu_quota.is_some() || l.cpu_period.is_some() {
            if v2 {
                // One file for both: what is not given stays as it is ("max 100000" when new).
                let now = self.read("", "cpu.max").unwrap_or_default();
                let (q, p) = now.split_once(' ').unwrap_or(("max", "100000"));
                let mut max = l.cpu_quota.map_or(String::from(q), |q| num(q, "max"));
                max.push(' ');
                max.push_str(&l.cpu_period.map_or(String::from(p), dec));
                self.set("cpu.max", &max)?;
            } else {
                // A quota means per the default period unless one is given.
                let period = l.cpu_period.or(l.cpu_quota.map(|_| CPU_PERIOD_US));
                if let Some(p) = period {
                    self.set_n("cpu.cfs_period_us", p)?;
                }
                if let Some(q) = l.cpu_quota {
                    self.set("cpu.cfs_quota_us", &num(q, "-1"))?;
                }
            }
        }
        if l.cpu_rt_period.is_some() || l.cpu_rt_runtime.is_some() {
            if v2 {
                return Err(Error::msg("cpu realtime limits need cgroup v1"));
            }
            let runtime = l.cpu_rt_runtime.map(dec_i);
            let period = l.cpu_rt_period.map(dec);
            // The runtime may not exceed the period at any moment: the new period first unless
            // that makes the current runtime too long.
            let in_order = |first: (&str, &Option<String>), second: (&str, &Option<String>)| {
                for (file, value) in [first, second] {
                    if let Some(v) = value {
                        self.set(file, v)?;
                    }
                }
                Ok::<(), Error>(())
            };
            let rt_period = ("cpu.rt_period_us", &period);
            let rt_runtime = ("cpu.rt_runtime_us", &runtime);
            match in_order(rt_period, rt_runtime) {
                Err(e) if e.errno == Some(Errno::EINVAL) => in_order(rt_runtime, rt_period)?,
                other => other?,
            }
        }
        if let Some(c) = &l.cpuset_cpus {
            self.set("cpuset.cpus", c)?;
        }
        if let Some(m) = &l.cpuset_mems {
            self.set("cpuset.mems", m)?;
        }
        if let Some(w) = l.blkio_weight {
            if v2 {
                // blkio's weight (10..1000) onto io.weight (1..10000), as runc converts it.
                let w = 1 + (u64::from(w).clamp(10, 1000) - 10) * 9999 / 990;
                let mut weight = String::from("default ");
                push_dec(&mut weight, w);
                self.set("io.weight", &weight)?;
            } else {
                // BFQ names it blkio.bfq.weight; CFQ (older kernels) blkio.weight.
                match self.set_n("blkio.bfq.weight", w.into()) {
                    Err(e) if e.errno == Some(Errno::ENOENT) => self.set_n("blkio.weight", w.into())?,
                    other => other?,
                }
            }
        }
        if !v2 && !l.unified.is_empty() {
            return Err(Error::msg("linux.resources.unified needs cgroup v2"));
        }
        for (file, value) in &l.unified {
            if file.contains('/') || file.starts_with('.') {
                return Err(Error::cat(&["invalid cgroup file name '", file, "' in linux.resources.unified"]));
            }
            self.set_in("", file, value)?;
        }
        Ok(())
    }
}

/// Which of CONTROLLERS the container cannot do without: its limits', devices for device
/// rules, freezer for pause.
pub(super) fn needed(l: &Limits, devices: bool, freezer: bool) -> [bool; 7] {
    let mut n = wanted(l);
    n[5] = devices;
    n[6] = freezer;
    n
}

/// Whether each of CONTROLLERS has a limit to enforce (devices and freezer: never).
fn wanted(l: &Limits) -> [bool; 7] {
    [
        l.pids.is_some(),
        l.memory.is_some() || l.memory_reservation.is_some() || l.memory_swap.is_some(),
        l.cpu_quota.is_some()
            || l.cpu_shares.is_some()
            || l.cpu_period.is_some()
            || l.cpu_rt_period.is_some()
            || l.cpu_rt_runtime.is_some(),
        l.cpuset_cpus.is_some() || l.cpuset_mems.is_some(),
        l.blkio_weight.is_some(),
        false,
        false,
    ]
}

/// The controllers to enable for children of a v2 cgroup, as a subtree_control line: those the
/// limits need (an error below when not `offered`), and every other one runt writes that is
/// offered: accounting then works without limits (memory statistics, as on v1 where every
/// hierarchy is joined), and `runt update` can set any limit later, as runc enables them all.
pub(super) fn v2_controllers(l: &Limits, offered: &str) -> String {
    let mut s = String::new();
    for (want, c) in wanted(l).into_iter().zip(["+pids", "+memory", "+cpu", "+cpuset", "+io"]) {
        let name = c.get(1..).unwrap_or_default();
        if want || offered.split_ascii_whitespace().any(|o| o == name) {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(c);
        }
    }
    s
}
