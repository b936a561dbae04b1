//! Parent/child handshake over a close-on-exec pipe and a socket (a pipe cannot carry a
//! descriptor).
//!
//! - go (the pipe): the parent writes the child's pid (as runt sees it) once the child is in its cgroup; EOF
//!   instead means the parent gave up, and the child exits.
//! - report (a stream socket): the child writes `E` and an encoded `Error` if set-up or exec
//!   fails, `R` when a created container is ready and about to wait for `start`, `H` to have the
//!   runtime's hooks run, `P` and a pid when it has forked the container's process into a pid
//!   namespace it joined (and exits), `N` with its seccomp filter's listener attached (and
//!   waits for go again); EOF
//!   without data means execve succeeded (the socket closed on exec). `runt run`'s exec
//!   trampoline (sys/trampoline.rs) keeps the socket open until it executes the command, and
//!   sends an `E` report itself when that fails.

use crate::error::{Error, OrSys, Result};
use crate::sys::{fs, net, Errno, Fd};
use alloc::string::String;
use alloc::vec::Vec;

pub struct ParentEnd {
    go: Fd,
    report: Fd,
}

pub struct ChildEnd {
    go: Fd,
    report: Fd,
}

pub fn pair() -> Result<(ParentEnd, ChildEnd)> {
    let (go_r, go_w) = fs::pipe().or_what("pipe")?;
    let (rep_r, rep_w) = net::socketpair(net::STREAM).or_what("socketpair")?;
    Ok((ParentEnd { go: go_w, report: rep_r }, ChildEnd { go: go_r, report: rep_w }))
}

/// Wire format of an error: the tag `E`, status byte, errno (i32 LE, 0 = none), then the text.
/// `decode` takes what follows the tag.
fn encode(e: &Error) -> Vec<u8> {
    let mut v = Vec::with_capacity(6 + e.what.len());
    v.push(b'E');
    v.push(e.status as u8);
    v.extend_from_slice(&e.errno.map_or(0, Errno::into_raw).to_le_bytes());
    v.extend_from_slice(e.what.as_bytes());
    v
}

fn decode(b: &[u8]) -> Option<Error> {
    let (&status, rest) = b.split_first()?;
    let errno = i32::from_le_bytes(rest.get(..4)?.try_into().ok()?);
    let what = String::from_utf8(rest.get(4..)?.to_vec()).ok()?;
    Some(Error::new(what, (errno != 0).then(|| Errno::new(errno)), i32::from(status)))
}

/// What the child reports, besides an error.
#[derive(Debug)]
pub enum Report {
    /// The command runs: execve closed the pipe (or the child ended without a word).
    Exec,
    /// A created container is set up and waits for `start`.
    Ready,
    /// The runtime's hooks are to run now; the child waits for its release.
    Hooks,
    /// The child forked the container's process into the pid namespace it joined (its pid as
    /// runt sees it) and exits; runt reaps the child and takes the new process for the container.
    Moved(i32),
    /// The listener of the seccomp filter the child installed (SCMP_ACT_NOTIFY), for the agent;
    /// the child waits for its release.
    Listener(Fd),
}

impl ParentEnd {
    /// Lets the child go on, telling it its pid outside its pid namespace.
    pub fn release(&self, pid: i32) -> Result<()> {
        fs::write_all(self.go.raw(), &pid.to_le_bytes()).or_what("release the container")
    }

    /// Waits until the child has exec'd (Ok) or reported a failure (Err, with its exit status).
    pub fn exec_result(&self) -> Result<()> {
        match self.next()? {
            Report::Exec => Ok(()),
            other => Err(unexpected(other)),
        }
    }

    /// Waits for the child's next report; its failure is the Err.
    #[inline(never)]
    pub fn next(&self) -> Result<Report> {
        let mut tag = [0u8; 1];
        let (n, fd) = loop {
            match net::recv_msg(self.report.raw(), &mut tag) {
                Err(Errno::EINTR) => {}
                got => break got.or_what("read the container's start-up report")?,
            }
        };
        match (n, tag[0], fd) {
            (0, ..) => Ok(Report::Exec),
            (_, b'N', Some(fd)) => Ok(Report::Listener(fd)),
            (_, b'R', _) => Ok(Report::Ready),
            (_, b'H', _) => Ok(Report::Hooks),
            (_, b'P', _) => {
                let mut pid = [0u8; 4];
                match fs::read_full(self.report.raw(), &mut pid) {
                    Ok(4) => Ok(Report::Moved(i32::from_le_bytes(pid))),
                    _ => Err(Error::msg("the container's start-up report ended early")),
                }
            }
            _ => Err(self.error()),
        }
    }

    #[inline(never)]
    fn error(&self) -> Error {
        let mut buf = [0u8; 4096];
        match fs::read_full(self.report.raw(), &mut buf) {
            Ok(n) => buf.get(..n).and_then(decode).unwrap_or_else(|| Error::msg("the container failed during set-up")),
            Err(e) => Error::sys(e, "read the container's error report"),
        }
    }
}

/// A report that does not belong where it came.
#[inline(never)]
pub fn unexpected(r: Report) -> Error {
    Error::msg(match r {
        Report::Exec => "the container exited during set-up",
        Report::Ready => "the container reported ready instead of exec",
        Report::Hooks | Report::Moved(_) | Report::Listener(_) => "the container's start-up report is out of order",
    })
}

impl ChildEnd {
    /// The descriptor reports go out on (the exec trampoline sends its own).
    pub fn report_fd(&self) -> i32 {
        self.report.raw()
    }

    /// The child's two descriptors, which it keeps when it closes what it inherited.
    pub fn fds(&self) -> [i32; 2] {
        [self.go.raw(), self.report.raw()]
    }

    /// Blocks until the parent says go: Some(own pid as the parent sees it), or None if the
    /// parent closed the pipe instead.
    pub fn wait_go(&self) -> Option<i32> {
        let mut b = [0u8; 4];
        match fs::read_full(self.go.raw(), &mut b) {
            Ok(4) => Some(i32::from_le_bytes(b)),
            Ok(_) => None,
            // Not the parent giving up: it reports only what it is told, so say what failed.
            Err(e) => {
                self.report(&Error::sys(e, "wait for runt's release"));
                None
            }
        }
    }

    /// `wait_go`, exiting quietly (EXIT_RUNTIME) when the parent gave up: it reports why itself.
    pub fn go(&self) -> i32 {
        match self.wait_go() {
            Some(p) => p,
            None => crate::sys::process::exit(crate::error::EXIT_RUNTIME),
        }
    }

    pub fn report(&self, e: &Error) {
        let _ = fs::write_all(self.report.raw(), &encode(e));
    }

    /// Asks the parent to run the runtime's hooks (prestart, createRuntime) now.
    pub fn hooks(&self) -> Result<()> {
        fs::write_all(self.report.raw(), b"H").or_what("ask for the runtime hooks")
    }

    /// The container's process is `pid` now (a child of runt's, forked with CLONE_PARENT); the
    /// one telling it exits next. One write: it cannot interleave with the new process's reports.
    pub fn moved(&self, pid: i32) -> Result<()> {
        let mut msg = [b'P', 0, 0, 0, 0];
        msg[1..].copy_from_slice(&pid.to_le_bytes());
        fs::write_all(self.report.raw(), &msg).or_what("report the container's process")
    }

    /// Whether the parent is gone (it holds the only other end of `go`): the kernel's
    /// parent-death signal may have been cleared when it would have come. A read that does not
    /// wait: EOF once no writer is left, EAGAIN while the parent is there and has nothing to say
    /// (it says something only when asked, as for the hooks).
    pub fn parent_gone(&self) -> bool {
        let fd = self.go.raw();
        let mut b = [0u8; 1];
        let gone = fs::set_nonblocking(fd, true).is_ok() && matches!(fs::read(fd, &mut b), Ok(0));
        // Later reads (the release after the hooks) wait again.
        let _ = fs::set_nonblocking(fd, false);
        gone
    }

    /// Hands the parent the listener of the seccomp filter just installed, and waits until the
    /// parent has passed it on to the agent: the command must not run should that fail.
    pub fn listener(&self, fd: &Fd) -> Result<()> {
        net::send_fd(self.report.raw(), b"N", fd.raw()).or_what("hand over the seccomp listener")?;
        self.go();
        Ok(())
    }

    /// A created container is set up and about to wait for `start`.
    pub fn ready(&self) -> Result<()> {
        fs::write_all(self.report.raw(), b"R").or_what("report ready")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let e = Error::sys(Errno::ENOENT, "exec /bin/nope").with_status(127);
        // On the wire after the tag, which the parent reads first.
        let wire = encode(&e);
        assert_eq!(wire[0], b'E');
        assert_eq!(decode(&wire[1..]), Some(e));
        let m = Error::msg("plain");
        assert_eq!(decode(&encode(&m)[1..]), Some(m));
        assert_eq!(decode(&[1, 2]), None);
        assert_eq!(decode(&[]), None);
    }
}
