//! The records of `runt run`'s containers, and taking back those of runts that were killed.
//!
//! The runt that waits for a container (the foreground `runt run`, or the supervisor of `-d`)
//! holds an exclusive flock on its directory for as long as it waits: the kernel drops it when
//! that runt ends, however it ends (SIGKILL too), so a record nobody holds is one nobody will
//! clean up, and a pid that was reused fools nothing. Such a record is taken back by the next
//! `runt run` and by `list`, whatever moment its runt was killed at: before or after the
//! container started, with or without its state file written.

use super::{check_id, mkdir_p, Dir};
use crate::cstr::{cstr, open_path};
use crate::error::{cat, fail, sys_err, Result};
use crate::sys::{fs, process, Errno, Fd};

/// The mode of a `runt run` record: the sticky bit tells it from the directory of an engine's
/// container (`create`), which no runt holds and which only `delete` removes.
const RUN_MODE: u32 = 0o711 | STICKY;
const STICKY: u32 = 0o1000;

/// The state root's turn, held until the result is dropped. Runts making a record and runts
/// taking killed ones back take turns: none may take for a killed runt's the record another has
/// just made and not yet locked.
fn turn(root: &str) -> Result<Fd> {
    let opened = match fs::openat(fs::CWD, &cstr(root)?, fs::O_DIRECTORY | fs::O_RDONLY, 0) {
        // The root exists but on the first run: created then, not looked for each time.
        Err(Errno::ENOENT) => mkdir_p(root).and_then(|()| open_path(root, fs::O_DIRECTORY | fs::O_RDONLY, 0, "open ")),
        other => other.map_err(|e| sys_err(e, &["open ", root])),
    };
    let fd = opened?;
    fs::flock(fd.raw(), fs::LOCK_EX).map_err(|e| sys_err(e, &["lock ", root]))?;
    Ok(fd)
}

/// Takes back the records under `root` of `runt run` containers whose runt was killed (for
/// `list`, which shows what is left). Best effort: what cannot be removed now is tried again.
pub fn reclaim_killed(root: &str) -> Result<()> {
    match fs::openat(fs::CWD, &cstr(root)?, fs::O_PATH | fs::O_DIRECTORY, 0) {
        Err(Errno::ENOENT) => Ok(()),
        _ => turn(root).map(|held| sweep(&held, root)),
    }
}

/// Every record in the root `dir` (whose path is `root`) that a killed runt left, taken back;
/// called with the root's turn held.
fn sweep(dir: &Fd, root: &str) {
    let me = process::getuid();
    for id in fs::list_dir(dir.raw()).unwrap_or_default() {
        let Ok(name) = cstr(&id) else { continue };
        // Marked, a directory, and runt's own user's: a record another user made under a root
        // they can write is theirs to remove (`rm -f`), not something every `list` or `run`
        // acts on. Looked at by name first: most entries are not (an engine's containers, a
        // detached one that started), and need no descriptor.
        let marked =
            |(mode, owner, _): (u32, u32, u32)| mode & STICKY != 0 && mode & fs::S_IFMT == fs::S_IFDIR && owner == me;
        if !fs::mode_owner_at(dir.raw(), &name).is_ok_and(marked) {
            continue;
        }
        let flags = fs::O_DIRECTORY | fs::O_RDONLY | fs::O_NOFOLLOW;
        if let Ok(fd) = fs::openat(dir.raw(), &name, flags, 0) {
            let _ = Dir { path: cat(&[root, "/", &id]), fd }.reclaim_killed();
        }
    }
}

impl Dir {
    /// Makes the directory of a new `runt run` container and holds it, once the records of
    /// killed runts are taken back (a name in use by one of those is then free again); a name in
    /// use by any other container is refused. Unlike `create`'s, it writes no `cgroup` file: the
    /// cgroup of a `runt run` container is always PARENT/NAME (`run_cgroup`), which the record's
    /// name says already.
    pub fn claim(root: &str, id: &str) -> Result<Dir> {
        check_id(id)?;
        let held = turn(root)?;
        sweep(&held, root);
        let path = cat(&[root, "/", id]);
        let name = cstr(id)?;
        match fs::mkdirat(held.raw(), &name, RUN_MODE) {
            Ok(()) => {}
            Err(Errno::EEXIST) => {
                return Err(fail(&["container name ", id, " is in use (runt list; runt rm -f ", id, " removes it)"]))
            }
            Err(e) => return Err(sys_err(e, &["mkdir ", &path])),
        }
        let made =
            fs::openat(held.raw(), &name, fs::O_DIRECTORY | fs::O_RDONLY, 0).map_err(|e| sys_err(e, &["open ", &path]));
        let dir = match made {
            Ok(fd) => Dir { path, fd },
            Err(e) => {
                let _ = fs::unlinkat(held.raw(), &name, fs::AT_REMOVEDIR);
                return Err(e);
            }
        };
        // Nobody else holds a directory just made: others wait for the turn to look at it.
        if let Err(e) = fs::flock(dir.fd.raw(), fs::LOCK_EX | fs::LOCK_NB) {
            let failed = dir.fail(e, "lock ", "");
            let _ = dir.remove();
            return Err(failed);
        }
        Ok(dir)
    }

    /// A detached container's record once it has started: it stays when the container ends
    /// (for `logs` and `rm`), so the mark of one to take back goes; the records the next runts
    /// look at are then only those that may be stale. Best effort: one still marked is looked
    /// at and left all the same.
    pub fn keep(&self) {
        let _ = fs::chmod_at(self.fd.raw(), c".", RUN_MODE & !STICKY);
    }

    /// Whether this is the record of a `runt run` container (made by `claim`).
    pub fn is_run_record(&self) -> bool {
        fs::mode_owner(self.fd.raw()).is_ok_and(|(mode, _, _)| mode & STICKY != 0)
    }

    /// Whether a runt still waits for this container (holds the lock `claim` took). Asked on an
    /// open file of its own: a lock is per open file.
    pub fn kept(&self) -> bool {
        let Ok(fd) = fs::openat(self.fd.raw(), c".", fs::O_DIRECTORY | fs::O_RDONLY, 0) else { return false };
        fs::flock(fd.raw(), fs::LOCK_SH | fs::LOCK_NB) == Err(Errno::EAGAIN)
    }

    /// Removes the record of a `runt run` container whose runt was killed, with its cgroups and
    /// anything still in them: a foreground container's (it went with its runt, PDEATHSIG), or
    /// that of a runt killed before its container started (no state file yet: its cgroup, at
    /// the path every `runt run` container's has, is what may have been made). Ok(false) when it is not one: a record held
    /// by a live runt, or a -d container's that ran (kept for `logs` and `rm`). Holds the lock
    /// meanwhile: one runt reclaims it.
    fn reclaim_killed(self) -> Result<bool> {
        if fs::flock(self.fd.raw(), fs::LOCK_EX | fs::LOCK_NB).is_err() {
            return Ok(false);
        }
        let cgroup = match self.load() {
            Ok(st) if st.command.is_empty() || st.detached => return Ok(false),
            Ok(st) => {
                // Its init got SIGKILL with its runt (PDEATHSIG); should it not be gone yet, now.
                if let Ok(init) = st.init() {
                    let _ = init.signal(process::SIGKILL);
                }
                for _ in 0..1000 {
                    if !st.alive() {
                        break;
                    }
                    process::sleep_ms(5);
                }
                crate::cgroup::Cgroup::open(&st.cgroups)?
            }
            // Its runt was killed before its container started: what it may have made is the
            // cgroup runt/NAME, removed only if it is marked and nobody holds it (another
            // state root's live container may have that name).
            Err(e) if e.errno == Some(Errno::ENOENT) => {
                let id = crate::text::rsplit(&self.path, b'/').map_or(self.path.as_str(), |(_, id)| id);
                crate::cgroup::remove_abandoned(id);
                return self.remove().map(|()| true);
            }
            // A state file that cannot be read is `delete --force`'s to deal with.
            Err(_) => return Ok(false),
        };
        cgroup.remove_all()?;
        self.remove().map(|()| true)
    }
}
