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
