//! The unprivileged user of the rootless tests (one per test process): created with useradd on
//! first use and removed
//! when its last user in this test process is done, with copies of runt and the probe in a
//! directory it can read.

use super::*;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, PoisonError};
/// The unprivileged user the rootless tests run as: one per test process, as other test runs
/// on this host (another checkout's `make test`) add and delete theirs at their own times.
fn user_name() -> String {
    format!("runt-t{}", std::process::id())
}

/// How many live [`TestUser`]s this test process has: the first creates the user, the last
/// removes it.
static USERS: Mutex<usize> = Mutex::new(0);

/// A share of the test user; the user is deleted when the last share drops (also when a test
/// panics). A user left by a crashed run is reused, then deleted.
struct UserShare;

impl UserShare {
    fn take() -> UserShare {
        let mut count = USERS.lock().unwrap_or_else(PoisonError::into_inner);
        if *count == 0 {
            let user = user_name();
            let status = Command::new("useradd").args(["-M", "-s", "/bin/sh", &user]).status().expect("run useradd");
            // 9: the user exists (left by a crashed run that had this pid).
            assert!(status.success() || status.code() == Some(9), "useradd {user}: {status}");
        }
        *count += 1;
        UserShare
    }
}

impl Drop for UserShare {
    fn drop(&mut self) {
        let mut count = USERS.lock().unwrap_or_else(PoisonError::into_inner);
        *count -= 1;
        if *count == 0 {
            let user = user_name();
            match Command::new("userdel").arg(&user).status() {
                Ok(status) if status.success() => {}
                other => eprintln!("userdel {user} failed: {other:?}"),
            }
        }
    }
}

/// The test user with copies of runt and the probe in a directory it can read.
pub struct TestUser {
    pub uid: u32,
    pub gid: u32,
    pub dir: TempDir,
    // Dropped last: the user outlives its directory.
    _share: UserShare,
}

impl TestUser {
    pub fn new() -> TestUser {
        let share = UserShare::take();
        let (user, passwd) = (user_name(), fs::read_to_string("/etc/passwd").expect("read /etc/passwd"));
        let fields: Vec<&str> = passwd
            .lines()
            .find(|l| l.starts_with(&format!("{user}:")))
            .unwrap_or_else(|| panic!("{user} is not in /etc/passwd"))
            .split(':')
            .collect();
        let (uid, gid) = (fields[2].parse().expect("uid"), fields[3].parse().expect("gid"));
        assert_ne!(uid, 0, "{user} must not be root");
        let dir = shared_bin_dir();
        TestUser { uid, gid, dir, _share: share }
    }

    pub fn runt(&self) -> PathBuf {
        self.dir.join("runt")
    }

    /// `program` run as the user through setpriv (no supplementary groups; the change of uid
    /// leaves no capability), in the user's directory, stdin null, output piped.
    pub fn command(&self, program: &Path) -> Command {
        let mut cmd = Command::new("setpriv");
        cmd.arg(format!("--reuid={}", self.uid))
            .arg(format!("--regid={}", self.gid))
            .arg("--clear-groups")
            .arg("--")
            .arg(program)
            .current_dir(&self.dir.path)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// `runt run --name NAME OPTS... -v PROBE:/run/probe:ro /run/probe CMD...` as the user, on
    /// the default rootfs; asserts that no cgroup is left.
    pub fn run(&self, opts: &[&str], cmd: &[&str]) -> Output {
        let name = unique_name();
        let probe = self.dir.join("probe");
        let volume = format!("{}:{PROBE_IN_DEFAULT}:ro", probe.display());
        let child = self
            .command(&self.runt())
            .args(["run", "--name", &name])
            .args(opts)
            .args(["-v", &volume, PROBE_IN_DEFAULT])
            .args(cmd)
            .spawn()
            .expect("spawn setpriv");
        let out = wait(child);
        assert_no_cgroup(&name);
        out
    }
}

/// A fresh directory under the system's temp dir, mode 0755, with copies of runt and the probe
/// (mode 0755): a checkout may lie where other users cannot reach.
pub fn shared_bin_dir() -> TempDir {
    let dir = TempDir::shared("runt-rootless");
    for (from, name) in [(runt(), "runt"), (probe(), "probe")] {
        fs::copy(&from, dir.join(name)).unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
        fs::set_permissions(dir.join(name), fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    dir
}
