//! What the kernel keeps for a container's process besides its identity (runtime-spec 1.1 and
//! 1.2): execution domain, memory policy, I/O priority, scheduling, the CPUs an exec'd process
//! runs on, and the clocks of a new time namespace. Each setting is the process's own and is
//! inherited across fork and execve, so it is made by the process itself before it executes
//! the command (or, for the time namespace, before the process that is to live in it exists).

use crate::cstr::open_path;
use crate::error::{cat, dec, dec_i, OrSys, Result};
use crate::spec::Tuning;
use crate::sys::{fs, process};
use alloc::vec;

/// Sets what `t` asks for in the calling process, while it still holds runt's capabilities
/// (a real-time class or policy, and a negative nice value, take CAP_SYS_NICE or CAP_SYS_ADMIN).
#[inline(never)]
pub fn apply(t: &Tuning) -> Result<()> {
    if let Some(p) = t.personality {
        process::personality(p).or_what("linux.personality: personality")?;
    }
    if let Some((mode, nodes)) = &t.memory_policy {
        process::set_mempolicy(*mode, nodes).or_what("linux.memoryPolicy: set_mempolicy")?;
    }
    if let Some(io) = t.io_priority {
        process::ioprio_set(io).or_what("process.ioPriority: ioprio_set")?;
    }
    if let Some(s) = &t.scheduler {
        process::sched_setattr(s).or_what("process.scheduler: sched_setattr")?;
    }
    Ok(())
}

/// Makes the time namespace the container is to live in and sets its clocks. unshare moves only
/// what the caller starts from then on (its children, and itself at its next execve); the kernel
/// takes the offsets only until the first process has entered the namespace. So this comes
/// before the container's process forks or executes anything, and writes the offsets through
/// runt's own /proc (the container's root is not entered yet: nothing of it can be in the way).
#[inline(never)]
pub fn time_namespace(offsets: &[(i64, u32); 2]) -> Result<()> {
    process::unshare(process::CLONE_NEWTIME).or_what("unshare the time namespace")?;
    if offsets.iter().all(|o| *o == (0, 0)) {
        return Ok(());
    }
    // One line per clock, "CLOCK-ID SECONDS NANOSECONDS", in one write: the kernel takes all
    // or none.
    let mut text = alloc::string::String::new();
    for (clock, (secs, nanos)) in [CLOCK_MONOTONIC, CLOCK_BOOTTIME].iter().zip(offsets) {
        text.push_str(&cat(&[clock, " ", &dec_i(*secs), " ", &dec(u64::from(*nanos)), "\n"]));
    }
    let fd = open_path(TIMENS_OFFSETS, fs::O_WRONLY, 0, "linux.timeOffsets: open ")?;
    fs::write_all(fd.raw(), text.as_bytes()).or_sys(|| cat(&["linux.timeOffsets: write ", TIMENS_OFFSETS]))
}

const TIMENS_OFFSETS: &str = "/proc/self/timens_offsets";
const CLOCK_MONOTONIC: &str = "1";
const CLOCK_BOOTTIME: &str = "7";

/// process.execCPUAffinity.initial: the CPUs the exec'd process `pid` runs on until it is in the
/// container's cgroup. Set by runt on the process it forked, before it moves it there.
pub fn initial_cpus(t: &Tuning, pid: i32) -> Result<()> {
    match &t.exec_cpus[0] {
        Some(mask) => {
            process::sched_setaffinity(pid, mask).or_what("process.execCPUAffinity.initial: sched_setaffinity")
        }
        None => Ok(()),
    }
}

/// process.execCPUAffinity.final: the CPUs from the move into the container's cgroup on, set by
/// the exec'd process once it is there. Without one, after an initial set, every CPU the
/// cgroup allows (the spec's default: the kernel keeps a mask within the cgroup's cpuset): the
/// initial set was for the way in only.
pub fn final_cpus(t: &Tuning) -> Result<()> {
    let every;
    let mask: &[u64] = match &t.exec_cpus {
        [_, Some(last)] => last,
        [Some(_), None] => {
            every = vec![u64::MAX; crate::text::MAX_IDS as usize / 64];
            &every
        }
        [None, None] => return Ok(()),
    };
    process::sched_setaffinity(0, mask).or_what("process.execCPUAffinity.final: sched_setaffinity")
}
