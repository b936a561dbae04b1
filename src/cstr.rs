//! Text handed to the kernel: C strings made from runt's text (an interior NUL is an error that
//! shows it), the argv/envp pointers execve takes, paths that end in a number
//! (`/proc/self/fd/N`) without an allocation, and opening a path given as text.
//!
//! Above `sys` (which takes `&CStr` and returns bare errnos) and on `error` (a NUL, or a failed
//! open, is an `Error` that names the text).

use crate::error::{sys_err, try_map, Error, Result};
use crate::sys::{fs, Fd};
use alloc::ffi::CString;
use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::CStr;

/// Makes a C string of text that came from argv or the plan (no interior NULs possible from
/// argv; anything else is refused rather than truncated).
pub fn cstr(s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| {
        // The text as given, its NUL bytes shown as `\0`.
        let mut shown = String::from("a NUL byte in '");
        for c in s.chars() {
            match c {
                '\0' => shown.push_str("\\0"),
                c => shown.push(c),
            }
        }
        shown.push('\'');
        Error::msg(shown)
    })
}

/// Each of `v` as a C string.
#[inline(never)]
pub fn cstrs(v: &[String]) -> Result<Vec<CString>> {
    try_map(v, |s| cstr(s))
}

// C strings are shown through `to_str`: they are made from text here (`cstr`) or constants, so
// it never fails, and `to_string_lossy` would bring 900 bytes of lossy decoding along.

/// The pointers of an argv or envp for execve, null-terminated.
#[inline(never)]
pub fn ptrs(v: &[CString]) -> Vec<*const u8> {
    let mut p = Vec::with_capacity(v.len() + 1);
    for c in v {
        p.push(c.as_ptr().cast::<u8>());
    }
    p.push(core::ptr::null());
    p
}

/// openat(2) from runt's cwd; a failure names `op` and the path.
#[inline(never)]
pub fn open_path(path: &str, flags: u32, mode: u32, op: &str) -> Result<Fd> {
    fs::openat(fs::CWD, &cstr(path)?, flags, mode).map_err(|e| sys_err(e, &[op, path]))
}

/// A path ending in a number (`/proc/self/fd/N`, `/dev/pts/N`) as a C string in a buffer of its
/// own: no allocation, no error path and nothing to free at each of the places that name one.
#[derive(Default)]
pub struct NumPath([u8; 32]);

impl NumPath {
    /// The path of `fd` through /proc: what mount(2), which takes no descriptors, is given to
    /// act on an opened file. Absolute: while the container's root is built, `/proc` is the
    /// host's (checked to be a procfs by `rootfs::enter`), never whatever the image has there.
    pub fn fd(fd: &Fd) -> NumPath {
        // An open descriptor is never negative.
        NumPath::new(b"/proc/self/fd/", fd.raw().unsigned_abs())
    }

    /// `prefix` (at most 21 bytes: with 10 digits the NUL stays in the buffer) and `n` in decimal.
    #[inline(never)]
    pub fn new(prefix: &[u8], mut n: u32) -> NumPath {
        let mut b = [0u8; 32];
        for (d, s) in b.iter_mut().zip(prefix) {
            *d = *s;
        }
        let mut end = prefix.len();
        let mut t = n;
        loop {
            end += 1;
            t /= 10;
            if t == 0 {
                break;
            }
        }
        loop {
            end -= 1;
            if let Some(d) = b.get_mut(end) {
                *d = b'0' + (n % 10) as u8;
            }
            n /= 10;
            if n == 0 {
                break;
            }
        }
        NumPath(b)
    }

    /// The path as text, for messages.
    pub fn as_str(&self) -> &str {
        self.to_str().unwrap_or_default()
    }
}

impl core::ops::Deref for NumPath {
    type Target = CStr;
    fn deref(&self) -> &CStr {
        CStr::from_bytes_until_nul(&self.0).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;

    #[test]
    fn descriptor_paths() {
        for raw in [0, 7, 10, 1234, i32::MAX] {
            let fd = Fd::from_raw(raw);
            assert_eq!(NumPath::fd(&fd).as_str(), format!("/proc/self/fd/{raw}"));
            fd.into_raw();
        }
        assert_eq!(NumPath::new(b"/dev/pts/", u32::MAX).as_str(), "/dev/pts/4294967295");
        assert_eq!(NumPath::default().as_str(), "");
    }

    #[test]
    fn nul_bytes_are_shown() {
        for s in ["a\0b", "\0", "x\0\0", "\0y"] {
            let want = format!("a NUL byte in '{}'", s.replace('\0', "\\0"));
            assert_eq!(cstr(s).unwrap_err().what, want);
        }
        assert_eq!(cstr("fine").unwrap().as_bytes(), b"fine");
    }
}
