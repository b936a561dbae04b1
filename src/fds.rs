//! Which descriptors a process runt starts inside a container may hold.
//!
//! A child that runt clones or forks starts with a copy of every descriptor runt had open: the
//! container's cgroup directories, the state directory, an engine's pipes. One host directory
//! reachable as /proc/self/fd/N is a way out of the container (CVE-2024-21626: a working
//! directory set to it, or a later `chdir`, walks the host's tree from there). So the first thing
//! such a child does, before it resolves any path, is close everything it was not handed on
//! purpose; close-on-exec alone is not enough, because the child works in the container's
//! namespaces long before it calls execve.

use crate::error::{Error, OrSys, Result};
use crate::sys::{fs, Errno};
use alloc::vec::Vec;

/// systemd's socket activation: how many descriptors, from 3 up, runt was handed to pass on
/// (LISTEN_FDS=N in runt's environment `env`), when LISTEN_PID names runt itself; otherwise they
/// were meant for another process (runt's parent, a process before an exec), and none are: 0,
/// as sd_listen_fds(3) counts them. Each must be open.
pub fn socket_activation(env: &[&[u8]]) -> Result<u32> {
    let var = |name: &[u8]| crate::text::env_value(env, name);
    let pid = var(b"LISTEN_PID=").and_then(crate::text::unsigned::<u32>);
    let count = var(b"LISTEN_FDS=").and_then(crate::text::unsigned::<u32>).filter(|&n| n <= 1 << 20);
    let (Some(pid), Some(n)) = (pid, count) else { return Ok(0) };
    if i64::from(pid) != i64::from(crate::sys::process::getpid()) {
        return Ok(0);
    }
    for fd in 3..3 + n {
        fs::check_open(fd).map_err(|e| {
            let (count, fd) = (crate::error::dec(n.into()), crate::error::dec(fd.into()));
            Error::sys(e, crate::error::cat(&["LISTEN_FDS=", &count, ": descriptor ", &fd]))
        })?;
    }
    Ok(n)
}

/// Closes every descriptor but stdin, stdout and stderr, the `preserved` ones that follow them
/// (`--preserve-fds N`: 3 to 3+N-1, which runt checked were open before it opened anything of its
/// own), and `keep` (the child's end of the sync pipes, namespaces to join, a console socket).
pub fn close_all_but(preserved: u32, keep: &[i32]) -> Result<()> {
    let first = 3u32.saturating_add(preserved);
    let keep: Vec<u32> = keep.iter().filter_map(|&fd| u32::try_from(fd).ok()).collect();
    // The gaps between the kept numbers (a handful: no sort needed), and everything above them.
    let mut gaps = Vec::with_capacity(keep.len() + 1);
    let mut next = first;
    while let Some(&fd) = keep.iter().filter(|&&fd| fd >= next).min() {
        if fd > next {
            gaps.push((next, fd - 1));
        }
        next = fd.saturating_add(1);
    }
    gaps.push((next, u32::MAX));
    for &(from, to) in &gaps {
        match fs::close_range(from, to) {
            Ok(()) => {}
            // Before Linux 5.9: close what /proc/self/fd lists.
            Err(Errno::ENOSYS) => return close_listed(&gaps),
            Err(e) => return Err(Error::sys(e, "close inherited descriptors")),
        }
    }
    Ok(())
}

/// `close_all_but` without close_range(2): the numbers in /proc/self/fd (the host's /proc: this
/// runs before the child enters the container's mount namespace or root) that fall in a gap.
fn close_listed(gaps: &[(u32, u32)]) -> Result<()> {
    let dir =
        fs::openat(fs::CWD, c"/proc/self/fd", fs::O_RDONLY | fs::O_DIRECTORY, 0).or_op("open", "/proc/self/fd")?;
    let names = fs::list_dir(dir.raw()).or_op("read", "/proc/self/fd")?;
    for fd in names.iter().filter_map(|n| crate::text::unsigned::<u32>(n)) {
        if fd != dir.raw().unsigned_abs() && gaps.iter().any(|&(from, to)| (from..=to).contains(&fd)) {
            let _ = fs::close(fd as i32);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(vars: &[String]) -> Vec<&[u8]> {
        vars.iter().map(|v| v.as_bytes()).collect()
    }

    #[test]
    fn socket_activation_counts_only_descriptors_meant_for_runt() {
        let me = crate::sys::process::getpid();
        let other = alloc::format!("LISTEN_PID={}", me + 1);
        let mine = alloc::format!("LISTEN_PID={me}");
        let count = |vars: &[String]| socket_activation(&env_of(vars));
        assert_eq!(count(&[]).unwrap(), 0);
        assert_eq!(count(&[other, "LISTEN_FDS=2".into()]).unwrap(), 0, "another process's");
        assert_eq!(count(&[mine.clone(), "LISTEN_FDS=x".into()]).unwrap(), 0, "not a number");
        assert_eq!(count(&[mine.clone(), "LISTEN_FDS=0".into()]).unwrap(), 0);
        // A million descriptors from 3 up are never all open: the first closed one is named.
        let e = count(&[mine, "LISTEN_FDS=1000000".into()]).unwrap_err();
        assert!(e.render().starts_with("LISTEN_FDS=1000000: descriptor "), "{}", e.render());
    }
}
