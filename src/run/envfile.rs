//! `--env-file FILE`, Docker's format: one `KEY=VALUE` a line, taken as it is (no quotes, no
//! expansion); leading blanks, empty lines and `#` comments are skipped; a bare `KEY` takes runt's
//! own value of it, and is left out when runt has none.

use crate::error::{dec, Error, OrSys, Result};
use crate::sys::fs;
use alloc::string::String;
use alloc::vec::Vec;

/// The most of an env file read: more is an error, not a silent cut.
const MAX_FILE: usize = 1 << 20;

/// Appends the variables of the env file `path` to `out`; `host`: runt's own environment.
#[inline(never)]
pub fn read(path: &str, host: &[&[u8]], out: &mut Vec<String>) -> Result<()> {
    let fd = crate::cstr::open_path(path, fs::O_RDONLY, 0, "--env-file: open ")?;
    let mut buf = alloc::vec![0u8; MAX_FILE + 1];
    let n = fs::read_full(fd.raw(), &mut buf).or_op("--env-file: read", path)?;
    buf.truncate(n);
    let Some(text) = core::str::from_utf8(&buf).ok().filter(|_| n <= MAX_FILE) else {
        return Err(Error::cat(&["--env-file ", path, ": not UTF-8 text of at most 1 MiB"]));
    };
    parse(text, host, out).map_err(|e| e.context(&crate::error::cat(&["--env-file ", path])))
}

/// `read` on the file's text.
fn parse(text: &str, host: &[&[u8]], out: &mut Vec<String>) -> Result<()> {
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let key = line.split_once('=').map_or(line, |(k, _)| k);
        if key.is_empty() || key.contains(char::is_whitespace) {
            return Err(Error::cat(&["line ", &dec(i as u64 + 1), ": invalid variable name '", key, "'"]));
        }
        if key.len() < line.len() {
            out.push(String::from(line));
        } else if let Some(kv) =
            host.iter().find(|e| e.strip_prefix(key.as_bytes()).is_some_and(|v| v.first() == Some(&b'=')))
        {
            // runt's own environment came as bytes; a value that is not UTF-8 is left out.
            out.extend(core::str::from_utf8(kv).ok().map(String::from));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(text: &str) -> Result<Vec<String>> {
        let mut out = Vec::new();
        parse(text, &[b"HOSTVAR=from host", b"EMPTY=", b"HOSTVARX=no"], &mut out).map(|()| out)
    }

    #[test]
    fn docker_format() {
        let text =
            "# a comment\n\nA=1\n  B=two words \nC==x\nD=\"quoted\"\nHOSTVAR\nEMPTY\nUNSET\n\tE=#not a comment\r\n";
        let want = ["A=1", "B=two words ", "C==x", "D=\"quoted\"", "HOSTVAR=from host", "EMPTY=", "E=#not a comment"];
        assert_eq!(vars(text).unwrap(), want);
        assert_eq!(vars("").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn bad_names() {
        assert_eq!(vars("A=1\n=x\n").unwrap_err().into_what(), "line 2: invalid variable name ''");
        assert_eq!(vars("MY VAR=1").unwrap_err().into_what(), "line 1: invalid variable name 'MY VAR'");
    }
}
