//! The one error type: what was being done, on what, and the errno — plus the exit status it maps to.
//!
//! Messages read `runt: <what>: <strerror>`; inner layers name the operation and path, outer layers
//! may prefix once with `context`.

use crate::sys::Errno;
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
        Error::msg_owned(what.into())
    }

    fn msg_owned(what: String) -> Error {
        Error { what, errno: None, status: EXIT_RUNTIME }
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
        Error { what, errno: Some(errno), status: EXIT_RUNTIME }
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

/// The text the C library would print for an errno, e.g. "No such file or directory": the
/// kernel's texts as the syscalls crate has them, looked up in one string rather than through
/// its 150-arm match (2 KB of code).
fn strerror(e: Errno) -> &'static str {
    let n = e.into_raw();
    let i = match n {
        1..=133 => n - 1,
        512..=531 => n - 512 + 133,
        _ => -1,
    };
    let (mut line, mut start) = (0, 0);
    for (at, b) in ERRNO_TEXT.bytes().enumerate() {
        if b == b'\n' {
            if line == i && at > start {
                return ERRNO_TEXT.get(start..at).unwrap_or_default();
            }
            line += 1;
            start = at + 1;
        }
    }
    "Unknown error"
}

/// Errno 1..=133, then the kernel-internal 512..=531, one per line; empty where there is none.
const ERRNO_TEXT: &str = concat!(
    "Operation not permitted\n",
    "No such file or directory\n",
    "No such process\n",
    "Interrupted system call\n",
    "I/O error\n",
    "No such device or address\n",
    "Argument list too long\n",
    "Exec format error\n",
    "Bad file number\n",
    "No child processes\n",
    "Try again\n",
    "Out of memory\n",
    "Permission denied\n",
    "Bad address\n",
    "Block device required\n",
    "Device or resource busy\n",
    "File exists\n",
    "Cross-device link\n",
    "No such device\n",
    "Not a directory\n",
    "Is a directory\n",
    "Invalid argument\n",
    "File table overflow\n",
    "Too many open files\n",
    "Not a typewriter\n",
    "Text file busy\n",
    "File too large\n",
    "No space left on device\n",
    "Illegal seek\n",
    "Read-only file system\n",
    "Too many links\n",
    "Broken pipe\n",
    "Math argument out of domain of func\n",
    "Math result not representable\n",
    "Resource deadlock would occur\n",
    "File name too long\n",
    "No record locks available\n",
    "Invalid system call number\n",
    "Directory not empty\n",
    "Too many symbolic links encountered\n",
    "\n",
    "No message of desired type\n",
    "Identifier removed\n",
    "Channel number out of range\n",
    "Level 2 not synchronized\n",
    "Level 3 halted\n",
    "Level 3 reset\n",
    "Link number out of range\n",
    "Protocol driver not attached\n",
    "No CSI structure available\n",
    "Level 2 halted\n",
    "Invalid exchange\n",
    "Invalid request descriptor\n",
    "Exchange full\n",
    "No anode\n",
    "Invalid request code\n",
    "Invalid slot\n",
    "\n",
    "Bad font file format\n",
    "Device not a stream\n",
    "No data available\n",
    "Timer expired\n",
    "Out of streams resources\n",
    "Machine is not on the network\n",
    "Package not installed\n",
    "Object is remote\n",
    "Link has been severed\n",
    "Advertise error\n",
    "Srmount error\n",
    "Communication error on send\n",
    "Protocol error\n",
    "Multihop attempted\n",
    "RFS specific error\n",
    "Not a data message\n",
    "Value too large for defined data type\n",
    "Name not unique on network\n",
    "File descriptor in bad state\n",
    "Remote address changed\n",
    "Can not access a needed shared library\n",
    "Accessing a corrupted shared library\n",
    ".lib section in a.out corrupted\n",
    "Attempting to link in too many shared libraries\n",
    "Cannot exec a shared library directly\n",
    "Illegal byte sequence\n",
    "Interrupted system call should be restarted\n",
    "Streams pipe error\n",
    "Too many users\n",
    "Socket operation on non-socket\n",
    "Destination address required\n",
    "Message too long\n",
    "Protocol wrong type for socket\n",
    "Protocol not available\n",
    "Protocol not supported\n",
    "Socket type not supported\n",
    "Operation not supported on transport endpoint\n",
    "Protocol family not supported\n",
    "Address family not supported by protocol\n",
    "Address already in use\n",
    "Cannot assign requested address\n",
    "Network is down\n",
    "Network is unreachable\n",
    "Network dropped connection because of reset\n",
    "Software caused connection abort\n",
    "Connection reset by peer\n",
    "No buffer space available\n",
    "Transport endpoint is already connected\n",
    "Transport endpoint is not connected\n",
    "Cannot send after transport endpoint shutdown\n",
    "Too many references: cannot splice\n",
    "Connection timed out\n",
    "Connection refused\n",
    "Host is down\n",
    "No route to host\n",
    "Operation already in progress\n",
    "Operation now in progress\n",
    "Stale file handle\n",
    "Structure needs cleaning\n",
    "Not a XENIX named type file\n",
    "No XENIX semaphores available\n",
    "Is a named type file\n",
    "Remote I/O error\n",
    "Quota exceeded\n",
    "No medium found\n",
    "Wrong medium type\n",
    "Operation Canceled\n",
    "Required key not available\n",
    "Key has expired\n",
    "Key has been revoked\n",
    "Key was rejected by service\n",
    "Owner died\n",
    "State not recoverable\n",
    "Operation not possible due to RF-kill\n",
    "Memory page has hardware error\n",
    "Restart syscall\n",
    "Restart if no interrupt\n",
    "restart if no handler..\n",
    "No ioctl command\n",
    "restart by calling sys_restart_syscall\n",
    "Driver requests probe retry\n",
    "open found a stale dentry\n",
    "Parameter not supported\n",
    "\n",
    "Illegal NFS file handle\n",
    "Update synchronization mismatch\n",
    "Cookie is stale\n",
    "Operation is not supported\n",
    "Buffer or request is too small\n",
    "An untranslatable error occurred\n",
    "Type not supported by server\n",
    "Request initiated, but will not complete before timeout\n",
    "iocb queued, will get completion event\n",
    "conflict with recalled state\n",
    "NFS file lock reclaim refused\n",
);

// The table replaces `sys::strerror`; the unit test holds the two equal.
const _: fn(Errno) -> &'static str = crate::sys::strerror;

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
    fn strerror_table_matches_the_syscalls_crate() {
        for n in -5..5000 {
            let e = Errno::new(n);
            assert_eq!(strerror(e), crate::sys::strerror(e), "errno {n}");
        }
    }

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
