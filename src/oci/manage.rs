//! runt's own commands for the containers it keeps, which runc has not: `stop` (TERM, then
//! KILL) and `logs` (the output of a container `runt run -d` started). They act on any
//! container under the state root, an engine's too.

use super::cli::Args;
use super::cmd::open;
use crate::error::{fail, sys_err, Result};
use crate::state::{self, Dir, State};
use crate::sys::{fs, process, Errno};

const SIGTERM: u32 = 15;

/// `stop ID [-t SECONDS]`: TERM, and KILL when the container is still there after the grace
/// period (a pid 1 that does not handle TERM ignores it, as with `docker stop`); returns once
/// the runt that waits for the container, if any, has recorded how it ended.
pub fn stop(root: &str, id: &str, a: &Args) -> Result<()> {
    let grace = match a.get("time") {
        Some(t) => crate::text::unsigned::<u64>(t).ok_or_else(|| fail(&["stop: invalid --time '", t, "'"]))?,
        None => 10,
    };
    let o = open(root, id)?;
    let (dir, st) = (&o.0, &o.1);
    if st.alive() {
        // Gone meanwhile is what was wanted.
        let _ = state::signal(st, SIGTERM);
        if !gone_within(st, grace.saturating_mul(1000)) {
            let _ = state::signal(st, process::SIGKILL);
            if !gone_within(st, 5000) {
                return Err(fail(&["container ", id, " did not stop"]));
            }
        }
    }
    for _ in 0..500 {
        if !dir.kept() {
            break;
        }
        process::sleep_ms(10);
    }
    Ok(())
}

/// Whether the container's init is gone within `ms` milliseconds.
fn gone_within(st: &State, ms: u64) -> bool {
    for _ in 0..ms / 10 {
        if !st.alive() {
            return true;
        }
        process::sleep_ms(10);
    }
    !st.alive()
}

/// `logs [-f] ID`: the log as it is; with -f, what comes after too, until the supervisor has
/// copied the last of it and let the record go.
pub fn logs(root: &str, id: &str, follow: bool) -> Result<()> {
    let dir = Dir::open(root, id)?;
    let log = match fs::openat(dir.fd.raw(), state::LOG, fs::O_RDONLY | fs::O_NOFOLLOW | fs::O_CLOEXEC, 0) {
        Ok(fd) => fd,
        Err(Errno::ENOENT) => return Err(fail(&["container ", id, " has no log (only runt run -d keeps one)"])),
        Err(e) => return Err(sys_err(e, &["open ", &dir.path, "/log"])),
    };
    let mut buf = [0u8; 8192];
    loop {
        // Asked before reading: once the supervisor has let go, this read sees the end.
        let more = follow && dir.kept();
        loop {
            match fs::read(log.raw(), &mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if fs::write_all(1, buf.get(..n).unwrap_or_default()).is_err() {
                        // Whoever read stdout has gone.
                        return Ok(());
                    }
                }
                Err(Errno::EINTR) => {}
                Err(e) => return Err(sys_err(e, &["read ", &dir.path, "/log"])),
            }
        }
        if !more {
            return Ok(());
        }
        process::sleep_ms(100);
    }
}
