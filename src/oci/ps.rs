//! `runt ps ID [PS OPTIONS]`: what runc prints. The host's `ps` runs with the options given
//! (`-ef` by default) and its table comes back with the header and only the lines whose PID
//! column names one of the container's processes.

use crate::cstr::{cstr, ptrs};
use crate::error::{cat, dec_i, fail, sys_err, OrSys, Result};
use crate::sys::{fs, process, Errno};
use alloc::ffi::CString;
use alloc::string::String;
use alloc::vec::Vec;

/// Where `ps` is looked for: the usual PATH (runt's own environment is not at hand here, and
/// does not reach ps either: ps needs none to print its table).
const DIRS: &[&str] = &["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

/// A ps table bigger than this is not one of a container's processes worth printing.
const MAX_OUTPUT: usize = 16 << 20;

/// The table of `ps OPTIONS`, filtered to `pids`.
pub fn table(pids: &[i32], options: &[&str]) -> Result<String> {
    let options = if options.is_empty() { &["-ef"][..] } else { options };
    filter(&run_ps(options)?, pids)
}

/// Runs ps with `options`, its stdout into a pipe, its stderr runt's; returns what it printed.
#[inline(never)]
fn run_ps(options: &[&str]) -> Result<String> {
    let mut args = Vec::with_capacity(options.len() + 1);
    args.push(cstr("ps")?);
    for o in options {
        args.push(cstr(o)?);
    }
    // Made before fork: the child only calls the kernel.
    let mut candidates: Vec<CString> = Vec::with_capacity(DIRS.len());
    for d in DIRS {
        candidates.push(cstr(&cat(&[d, "/ps"]))?);
    }
    let (argv, envp) = (ptrs(&args), ptrs(&[]));
    let (r, w) = fs::pipe().or_what("pipe")?;
    let pid = process::clone_fork(0).or_what("fork")?;
    if pid == 0 {
        drop(r);
        let _ = process::dup2(w.raw(), 1);
        let mut found = false;
        for path in &candidates {
            found |= process::execve(path, &argv, &envp) != Errno::ENOENT;
        }
        process::exit(if found { 126 } else { 127 });
    }
    drop(w);
    let mut out = alloc::vec![0u8; MAX_OUTPUT];
    let read = fs::read_full(r.raw(), &mut out);
    drop(r);
    let (_, raw) = process::wait4(pid, false).or_what("wait for ps")?;
    let n = read.map_err(|e| sys_err(e, &["read the output of ps"]))?;
    out.truncate(n);
    match process::exit_status(raw) {
        // Lossy: a name that is not UTF-8 must not hide the whole table.
        0 => Ok(String::from_utf8_lossy(&out).into_owned()),
        127 => Err(fail(&["ps: not found in ", &DIRS.join(":")])),
        status => Err(fail(&["ps ", &options.join(" "), ": exit status ", &dec_i(status.into())])),
    }
}

/// The header line and the lines whose PID column is one of `pids`.
fn filter(table: &str, pids: &[i32]) -> Result<String> {
    let mut lines = table.split('\n');
    let header = lines.next().unwrap_or_default();
    let Some(column) = header.split_ascii_whitespace().position(|f| f == "PID") else {
        return Err(fail(&["ps: no PID column in its header '", header, "'"]));
    };
    // The container names its processes: a ps that prints names as they are (busybox's) would
    // pass its escape sequences on to the terminal.
    let mut out = crate::text::shown(header);
    out.push('\n');
    for line in lines {
        let pid = line.split_ascii_whitespace().nth(column).and_then(crate::text::signed::<i32>);
        if pid.is_some_and(|p| pids.contains(&p)) {
            crate::text::push_shown(&mut out, line);
            out.push('\n');
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_header_and_the_containers_lines() {
        let t = "UID          PID    PPID  C STIME TTY          TIME CMD\n\
                 root           1       0  0 09:00 ?        00:00:01 /sbin/init\n\
                 root         420       1  0 09:01 ?        00:00:00 sleep 1000\n\
                 root         421     420  0 09:01 ?        00:00:00 sh -c 420\n";
        let want = "UID          PID    PPID  C STIME TTY          TIME CMD\n\
                    root         420       1  0 09:01 ?        00:00:00 sleep 1000\n";
        assert_eq!(filter(t, &[420]).unwrap(), want);
        // The PID column wherever the options put it.
        assert_eq!(filter("COMMAND PID\nsleep 7\nsh 8\n", &[8]).unwrap(), "COMMAND PID\nsh 8\n");
        assert_eq!(filter("  PID COMMAND\n", &[8]).unwrap(), "  PID COMMAND\n");
        assert!(filter("USER COMMAND\nroot sh\n", &[1]).is_err());
        assert_eq!(filter("PID CMD\n8 \u{1b}]0;x\u{7}\n", &[8]).unwrap(), "PID CMD\n8 \\x1b]0;x\\x07\n");
    }
}
