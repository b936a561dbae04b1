//! `runt run -d`: the container runs in the background. runt forks a supervisor, a runt outside
//! the container that does what the foreground runt would (launch::run: signals, wait, remove
//! the cgroup) and then records the exit status, while a third runt process copies the
//! container's output into the log file; the runt the user started returns once the container
//! runs, or with the error that kept it from starting.
//!
//! The container gets a pipe as stdout and stderr, never the log file itself: a descriptor of a
//! host file in a container whose root may chmod, chown or write through /proc/self/fd would be
//! a way to make a setuid file on the host.

use super::save_started;
use crate::error::{cat, Error, OrSys, Result};
use crate::launch;
use crate::notify::Proxy;
use crate::spec::Spec;
use crate::state::{self, Dir, State};
use crate::sys::{fs, process, Errno, Fd};
use alloc::string::String;
use alloc::vec::Vec;

/// What the supervisor says when the container runs; otherwise it sends the exit status and the
/// error's text.
const STARTED: &[u8] = b"started";

/// Starts the supervisor; prints the name and returns 0 once the container runs.
/// `notify`: the container's notify socket (notify.rs), whose proxy the supervisor starts.
pub fn start(
    spec: &mut Spec,
    dir: Dir,
    record: &State,
    rm: bool,
    notify: Option<Proxy>,
    warn: &mut dyn FnMut(&str),
) -> Result<i32> {
    if spec.oci.terminal {
        return Err(Error::msg("run: -d with -t: runt has no attach; run it in the foreground"));
    }
    let io = (|| {
        let (report_r, report_w) = fs::pipe().or_what("pipe")?;
        let (out_r, out_w) = fs::pipe().or_what("pipe")?;
        let flags = fs::O_WRONLY | fs::O_CREAT | fs::O_EXCL | fs::O_NOFOLLOW | fs::O_CLOEXEC;
        let log = fs::openat(dir.fd.raw(), state::LOG, flags, 0o600).or_op("create", &cat(&[&dir.path, "/log"]))?;
        let null = crate::cstr::open_path("/dev/null", fs::O_RDWR | fs::O_CLOEXEC, 0, "open ")?;
        Ok((report_r, report_w, Streams { out_r, out_w, log, null }))
    })();
    let (report_r, report_w, streams) = match io {
        Ok(x) => x,
        Err(e) => {
            let _ = dir.remove();
            return Err(e);
        }
    };
    match process::clone_fork(0) {
        Ok(0) => {
            drop(report_r);
            supervise(spec, dir, record, rm, report_w, streams, notify)
        }
        Ok(_) => {}
        Err(e) => {
            let _ = dir.remove();
            return Err(Error::sys(e, "fork the supervisor"));
        }
    }
    drop((report_w, streams));
    let _ = warn;
    let mut said = Vec::new();
    let mut buf = [0u8; 512];
    while let Ok(n @ 1..) = fs::read(report_r.raw(), &mut buf) {
        said.extend_from_slice(buf.get(..n).unwrap_or_default());
    }
    match said.split_first() {
        _ if said == STARTED => {
            let _ = fs::write_all(1, cat(&[&record.id, "\n"]).as_bytes());
            Ok(0)
        }
        Some((&status, text)) => Err(Error::new(String::from_utf8_lossy(text).into_owned(), None, i32::from(status))),
        None => Err(Error::cat(&["the supervisor of ", &record.id, " ended before the container started"])),
    }
}

/// The descriptors the supervisor sets up the container's output with.
struct Streams {
    out_r: Fd,
    out_w: Fd,
    log: Fd,
    null: Fd,
}

/// The supervisor: a session of its own (no terminal's signals), the copier, then the container
/// as in the foreground, with /dev/null as stdin and the pipe as stdout and stderr (the
/// supervisor's own warnings go there too); at the end, the exit status in the record. Holds
/// the record's lock (taken by Dir::claim) until then: `logs -f` and `stop` wait for that.
fn supervise(
    spec: &mut Spec,
    dir: Dir,
    record: &State,
    rm: bool,
    report: Fd,
    io: Streams,
    mut notify: Option<Proxy>,
) -> ! {
    let _ = process::setsid();
    // The caller's stdin, stdout and stderr (a terminal, a test's pipes) are not kept open.
    for fd in 0..3 {
        let _ = process::dup2(io.null.raw(), fd);
    }
    let copier = match process::clone_fork(0) {
        Ok(0) => {
            // Neither the lock nor a write end: the copier ends when the container's output does.
            // Nor the notify sockets: once the proxy is done, a datagram the container sends must
            // find nobody (ECONNREFUSED), not a queue nobody reads that blocks it when full.
            drop((dir, report, io.out_w, notify.take()));
            copy(&io.out_r, &io.log);
            process::exit(0)
        }
        Ok(pid) => pid,
        Err(e) => {
            tell(&report, &Error::sys(e, "fork the log copier"));
            let _ = dir.remove();
            process::exit(1)
        }
    };
    drop((io.out_r, io.log));
    let _ = process::dup2(io.out_w.raw(), 1).and_then(|()| process::dup2(io.out_w.raw(), 2));
    drop(io.out_w);
    let mut report = Some(report);
    let mut warn = |w: &str| {
        let _ = fs::write_all(2, cat(&["runt: warning: ", w, "\n"]).as_bytes());
    };
    let outcome = launch::run(spec, None, &mut warn, &mut |pid, cgroups| {
        save_started(&dir, record, pid, cgroups)?;
        dir.keep();
        if let Some(proxy) = notify.take() {
            proxy.start(pid)?;
        }
        if let Some(r) = report.take() {
            let _ = fs::write_all(r.raw(), STARTED);
        }
        Ok(())
    });
    let exit = match outcome {
        Ok(o) => {
            for w in &o.warnings {
                warn(w);
            }
            Some(o.status)
        }
        Err(e) => match report.take() {
            // It never ran: nothing to keep.
            Some(r) => {
                tell(&r, &e);
                let _ = dir.remove();
                process::exit(1)
            }
            None => {
                let _ = fs::write_all(2, cat(&["runt: ", &e.render(), "\n"]).as_bytes());
                None
            }
        },
    };
    // The container has ended and its pid namespace with it: once the supervisor's copies of
    // the pipe are closed too, the copier reads the end of the output.
    for fd in 1..3 {
        let _ = process::dup2(io.null.raw(), fd);
    }
    let _ = process::wait4(copier, false);
    if rm {
        let _ = dir.remove();
    } else if let Ok(mut st) = dir.load() {
        st.exit = exit;
        let _ = dir.save(&st);
    }
    process::exit(0)
}

/// The start failed: the error to the runt that waits for it.
fn tell(report: &Fd, e: &Error) {
    let mut text = alloc::vec![u8::try_from(e.status).unwrap_or(125)];
    text.extend_from_slice(e.render().as_bytes());
    let _ = fs::write_all(report.raw(), &text);
}

/// Copies the container's output into the log until its last writer is gone. A log that can no
/// longer be written (a full disk) is not the container's problem: the output is still read.
fn copy(from: &Fd, to: &Fd) {
    let mut buf = [0u8; 8192];
    loop {
        match fs::read(from.raw(), &mut buf) {
            Ok(0) => return,
            Ok(n) => {
                let _ = fs::write_all(to.raw(), buf.get(..n).unwrap_or_default());
            }
            Err(Errno::EINTR) => {}
            Err(_) => return,
        }
    }
}
