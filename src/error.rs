//! The one error type: what was being done, on what, and the errno — plus the exit status it maps to.
//!
//! Messages read `runt: <what>: <strerror>`; inner layers name the operation and path, outer layers
//! may prefix once with `context`.

use crate::sys::{strerror, Errno};
use alloc::format;
use alloc::string::String;
use core::fmt;

/// Exit status for errors of runt itself (as runc, crun and docker use it).
pub const EXIT_RUNTIME: i32 = 125;
/// The command exists but cannot be executed.
pub const EXIT_NOT_EXECUTABLE: i32 = 126;
/// The command was not found.
pub const EXIT_NOT_FOUND: i32 = 127;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// What was being done, with the path: "mount proc on /x/proc".
    pub what: String,
    pub errno: Option<Errno>,
    /// The exit status runt ends with because of this error.
    pub status: i32,
}

pub type Result<T> = core::result::Result<T, Error>;

impl Error {
    /// An error without an errno (bad input, a limit), exit 125.
    pub fn msg(what: impl Into<String>) -> Error {
        Error { what: what.into(), errno: None, status: EXIT_RUNTIME }
    }

    /// A failed system call: `what` names the operation and the path.
    pub fn sys(errno: Errno, what: impl Into<String>) -> Error {
        Error { what: what.into(), errno: Some(errno), status: EXIT_RUNTIME }
    }

    pub fn with_status(mut self, status: i32) -> Error {
        self.status = status;
        self
    }

    /// Adds one outer prefix: "outer: inner".
    pub fn context(mut self, outer: &str) -> Error {
        self.what = format!("{outer}: {}", self.what);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)?;
        if let Some(e) = self.errno {
            write!(f, ": {}", strerror(e))?;
        }
        Ok(())
    }
}

/// Attaches the operation to a system call result: `sys::mkdirat(..).or_sys(|| format!(..))`.
pub trait OrSys<T> {
    fn or_sys(self, what: impl FnOnce() -> String) -> Result<T>;
}

impl<T> OrSys<T> for core::result::Result<T, Errno> {
    #[inline]
    fn or_sys(self, what: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|e| Error::sys(e, what()))
    }
}
