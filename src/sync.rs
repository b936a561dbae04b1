//! Parent/child handshake over two close-on-exec pipes.
//!
//! - go: the parent writes one byte once the child is in its cgroup; EOF instead means the parent
//!   gave up, and the child exits.
//! - report: the child writes an encoded `Error` if set-up or exec fails; EOF without data means
//!   execve succeeded (the pipe closed on exec).

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
    let (go_r, go_w) = fs::pipe().or_sys(|| "pipe".into())?;
    let (rep_r, rep_w) = fs::pipe().or_sys(|| "pipe".into())?;
    Ok((ParentEnd { go: go_w, report: rep_r }, ChildEnd { go: go_r, report: rep_w }))
}

/// Wire format of an error: status byte, errno (i32 LE, 0 = none), then the text.
fn encode(e: &Error) -> Vec<u8> {
    let mut v = Vec::with_capacity(5 + e.what.len());
    v.push(e.status as u8);
    v.extend_from_slice(&e.errno.map_or(0, Errno::into_raw).to_le_bytes());
    v.extend_from_slice(e.what.as_bytes());
    v
}

fn decode(b: &[u8]) -> Option<Error> {
    let (&status, rest) = b.split_first()?;
    let errno = i32::from_le_bytes(rest.get(..4)?.try_into().ok()?);
    let what = String::from_utf8_lossy(rest.get(4..)?).into_owned();
    Some(Error { what, errno: (errno != 0).then(|| Errno::new(errno)), status: i32::from(status) })
}

impl ParentEnd {
    /// Lets the child go on to exec.
    pub fn release(&self) -> Result<()> {
        fs::write_all(self.go.raw(), b"1").or_sys(|| "release the container".into())
    }

    /// Waits until the child has exec'd (Ok) or reported a failure (Err, with its exit status).
    pub fn exec_result(&self) -> Result<()> {
        let mut buf = [0u8; 4096];
        let n = fs::read_full(self.report.raw(), &mut buf).or_sys(|| "read the container's start-up report".into())?;
        match buf.get(..n).filter(|b| !b.is_empty()) {
            None => Ok(()),
            Some(b) => Err(decode(b).unwrap_or_else(|| Error::msg("the container failed during set-up"))),
        }
    }
}

impl ChildEnd {
    /// Blocks until the parent says go; false if it closed the pipe instead.
    pub fn wait_go(&self) -> bool {
        let mut b = [0u8; 1];
        matches!(fs::read_full(self.go.raw(), &mut b), Ok(1))
    }

    pub fn report(&self, e: &Error) {
        let _ = fs::write_all(self.report.raw(), &encode(e));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let e = Error::sys(Errno::ENOENT, "exec /bin/nope").with_status(127);
        assert_eq!(decode(&encode(&e)), Some(e));
        let m = Error::msg("plain");
        assert_eq!(decode(&encode(&m)), Some(m));
        assert_eq!(decode(&[1, 2]), None);
        assert_eq!(decode(&[]), None);
    }
}
