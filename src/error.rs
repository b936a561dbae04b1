//! The one error type: what was being done, on what, and the errno — plus the exit status it maps to.
//!
//! Messages read `runt: <what>: <strerror>`; inner layers name the operation and path, outer layers
//! may prefix once with `context`.

use crate::sys::{strerror, Errno};
use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;

/// Exit status for errors of runt itself (as runc, crun and docker use it).
pub const EXIT_RUNTIME: i32 = 125;
/// The command exists but cannot be executed.
pub const EXIT_NOT_EXECUTABLE: i32 = 126;
/// The command was not found.
pub const EXIT_NOT_FOUND: i32 = 127;

/// Boxed: a `Result<T, Error>` then comes back in registers and `?` moves one pointer instead of
/// copying 40 bytes at each of the hundreds of places an error passes (17 KB of code, measured).
/// Reads and writes of the fields go through `Deref`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(Box<Info>);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Info {
    /// What was being done, with the path: "mount proc on /x/proc".
    pub what: String,
    pub errno: Option<Errno>,
    /// The exit status runt ends with because of this error.
    pub status: i32,
}

impl core::ops::Deref for Error {
    type Target = Info;
    fn deref(&self) -> &Info {
        &self.0
    }
}

impl core::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut Info {
        &mut self.0
    }
}

pub type Result<T> = core::result::Result<T, Error>;

impl Error {
    /// An error from its parts (as another process reported it).
    #[inline(never)]
    pub fn new(what: String, errno: Option<Errno>, status: i32) -> Error {
        Error(Box::new(Info { what, errno, status }))
    }

    /// The text of the operation, without the errno.
    pub fn into_what(self) -> String {
        self.0.what
    }

    /// An error without an errno (bad input, a limit), exit 125.
    pub fn msg(what: impl Into<String>) -> Error {
        Error::msg_owned(what.into())
    }

    fn msg_owned(what: String) -> Error {
        Error::new(what, None, EXIT_RUNTIME)
    }

    /// An error without an errno whose text is the pieces joined: `Error::msg(cat(..))` in one call.
    #[inline(never)]
    pub fn cat(parts: &[&str]) -> Error {
        Error::msg_owned(cat(parts))
    }

    /// A failed system call: `what` names the operation and the path.
    pub fn sys(errno: Errno, what: impl Into<String>) -> Error {
        Error::sys_owned(errno, what.into())
    }

    #[inline(never)]
    pub fn with_status(mut self, status: i32) -> Error {
        self.status = status;
        self
    }

    /// Adds one outer prefix: "outer: inner".
    #[inline(never)]
    pub fn context(mut self, outer: &str) -> Error {
        self.what = cat(&[outer, ": ", &self.what]);
        self
    }

    /// A failed system call, `what` already built.
    #[inline(never)]
    pub fn sys_owned(errno: Errno, what: String) -> Error {
        Error::new(what, Some(errno), EXIT_RUNTIME)
    }

    /// A failed system call, the operation given as one text.
    #[inline(never)]
    pub fn at(errno: Errno, what: &str) -> Error {
        Error::sys(errno, what)
    }

    /// A failed system call on a path: "op path".
    #[inline(never)]
    pub fn op(errno: Errno, op: &str, path: &str) -> Error {
        Error::sys(errno, cat(&[op, " ", path]))
    }
}

/// An error without an errno, its message in pieces.
#[inline(never)]
pub fn fail(parts: &[&str]) -> Error {
    Error::cat(parts)
}

/// A failed system call, the operation in pieces.
#[inline(never)]
pub fn sys_err(e: Errno, parts: &[&str]) -> Error {
    Error::sys(e, cat(parts))
}

/// `f` applied to each item, stopping at the first error (a loop, not a `collect` of results).
pub fn try_map<T, U>(items: &[T], f: impl Fn(&T) -> Result<U>) -> Result<alloc::vec::Vec<U>> {
    let mut out = alloc::vec::Vec::with_capacity(items.len());
    for i in items {
        out.push(f(i)?);
    }
    Ok(out)
}

/// The pieces joined into one string (a call, not a `format!`, at each of the many sites).
#[inline(never)]
pub fn cat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

/// `n` in decimal, as `format!("{n}")` writes it.
#[inline(never)]
pub fn dec(n: u64) -> String {
    signed(false, n)
}

/// `n` in decimal with a leading '-' when negative.
#[inline(never)]
pub fn dec_i(n: i64) -> String {
    signed(n < 0, n.unsigned_abs())
}

fn signed(negative: bool, n: u64) -> String {
    let mut s = String::new();
    if negative {
        s.push('-');
    }
    push_dec(&mut s, n);
    s
}

/// Appends `n` in decimal (as `dec`, without a new string).
pub fn push_dec(s: &mut String, n: u64) {
    if n >= 10 {
        push_dec(s, n / 10);
    }
    s.push(char::from(b'0' + (n % 10) as u8));
}

impl Error {
    /// The message without the `runt: ` prefix: "what: strerror", or "what" without an errno.
    #[inline(never)]
    /// The line runt prints for it: "runt: ", the message with what a container chose (a path, a
    /// process's words) shown escaped, and a newline.
    pub fn line(&self) -> String {
        cat(&["runt: ", &crate::text::shown(&self.render()), "\n"])
    }

    pub fn render(&self) -> String {
        match self.errno {
            Some(e) => cat(&[&self.what, ": ", strerror(e)]),
            None => self.what.clone(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

/// Attaches the operation to a system call result: `sys::mkdirat(..).or_sys(|| format!(..))`.
pub trait OrSys<T> {
    fn or_sys(self, what: impl FnOnce() -> String) -> Result<T>;
    /// As `or_sys`, with a fixed text as the operation.
    fn or_what(self, what: &str) -> Result<T>;
    /// As `or_sys`, with "op path" as the operation.
    fn or_op(self, op: &str, path: &str) -> Result<T>;
}

impl<T> OrSys<T> for core::result::Result<T, Errno> {
    #[inline]
    fn or_sys(self, what: impl FnOnce() -> String) -> Result<T> {
        match self {
            Ok(v) => Ok(v),
            Err(e) => Err(Error::sys_owned(e, what())),
        }
    }

    #[inline]
    fn or_what(self, what: &str) -> Result<T> {
        match self {
            Ok(v) => Ok(v),
            Err(e) => Err(Error::at(e, what)),
        }
    }

    #[inline]
    fn or_op(self, op: &str, path: &str) -> Result<T> {
        match self {
            Ok(v) => Ok(v),
            Err(e) => Err(Error::op(e, op, path)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        for n in [0, 1, 9, 10, 99, 100, u64::MAX, 1234567890] {
            assert_eq!(dec(n), alloc::format!("{n}"));
        }
        assert_eq!(dec_i(-42), "-42");
        assert_eq!(dec_i(i64::MIN), alloc::format!("{}", i64::MIN));
    }

    #[test]
    fn render() {
        assert_eq!(Error::op(Errno::ENOENT, "open", "/x").render(), "open /x: No such file or directory");
        assert_eq!(Error::msg("bad").render(), "bad");
        assert_eq!(alloc::format!("{}", Error::at(Errno::EPERM, "mount")), "mount: Operation not permitted");
    }
}
