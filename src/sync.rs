//! Parent/child handshake over two close-on-exec pipes.
//!
//! - go: the parent writes the child's pid (as runt sees it) once the child is in its cgroup; EOF
//!   instead means the parent gave up, and the child exits.
//! - report: the child writes `E` and an encoded `Error` if set-up or exec fails, or `R` when a
//!   created container is ready and about to wait for `start`; EOF without data means execve
//!   succeeded (the pipe closed on exec).

use crate::error::{Error, OrSys, Result};
use crate::sys::{fs, Errno, Fd};
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
    let (rep_r, rep_w) = fs::pipe().or_what("pipe")?;
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

impl ParentEnd {
    /// Lets the child go on, telling it its pid outside its pid namespace.
    pub fn release(&self, pid: i32) -> Result<()> {
        fs::write_all(self.go.raw(), &pid.to_le_bytes()).or_what("release the container")
    }

    /// Waits until the child has exec'd (Ok) or reported a failure (Err, with its exit status).
    pub fn exec_result(&self) -> Result<()> {
        self.exec_result_with(0, &mut || Ok(()), false)
    }

    /// As `exec_result` (`ready` false) or, for a created container, until it is ready to wait
    /// for `start` (`ready` true). `hooks` runs when the child asks for the runtime's hooks on the
    /// way; the child is released again afterwards.
    #[inline(never)]
    pub fn exec_result_with(&self, pid: i32, hooks: &mut dyn FnMut() -> Result<()>, ready: bool) -> Result<()> {
        loop {
            let tag = self.next()?;
            if tag == Some(b'H') {
                hooks()?;
                self.release(pid)?;
                continue;
            }
            return match (tag, ready) {
                (None, false) | (Some(b'R'), true) => Ok(()),
                (None, true) => Err(Error::msg("the container exited during set-up")),
                (Some(b'R'), false) => Err(Error::msg("the container reported ready instead of exec")),
                _ => Err(self.error()),
            };
        }
    }

    fn next(&self) -> Result<Option<u8>> {
        let mut tag = [0u8; 1];
        let n = fs::read_full(self.report.raw(), &mut tag).or_what("read the container's start-up report")?;
        Ok((n == 1).then_some(tag[0]))
    }

    #[inline(never)]
    fn error(&self) -> Error {
        let mut buf = [0u8; 4096];
        let n = fs::read_full(self.report.raw(), &mut buf).unwrap_or(0);
        buf.get(..n).and_then(decode).unwrap_or_else(|| Error::msg("the container failed during set-up"))
    }
}

impl ChildEnd {
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
            _ => None,
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
