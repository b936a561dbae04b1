//! `runt run --init` (Docker's flag): the container's pid 1 stays a runt process, a tiny init,
//! and the command runs as its child. It passes every signal it gets on to the command, reaps
//! every process that ends in the pid namespace (an orphan's parent becomes pid 1), and exits
//! with the command's status (128+N when signal N killed it) as soon as the command ends. The
//! command is then no pid 1: a signal it has no handler for ends it, as anywhere else, and the
//! processes it leaves behind do not stay zombies.
//!
//! A runt process that lives inside the container as long as the container does must hold
//! nothing the container has not got. It has gone through every step of the container's set-up
//! (init::become_process: the container's root, namespaces, cgroup, user, seccomp filter, no host
//! descriptor: see fds), and once the command is forked it closes every descriptor it has
//! (stdio, the pty, the sync pipes), drops every capability (effective, permitted, inheritable,
//! hence ambient; the bounding set where it may), sets no_new_privs, and stays non-dumpable. The
//! container's processes can signal it (it passes the signal on to the command, as it does
//! runt's) but neither ptrace it nor open its /proc files (its memory, descriptors,
//! environment). A container given CAP_SYS_PTRACE can (the capability overrides non-dumpable),
//! and finds a process with fewer rights than its own, whose executable is runt's sealed copy
//! (sealed.rs: nothing can write it) and which executes nothing; its memory is a copy of runt's,
//! arguments and environment included. No extra binary is involved.

use crate::error::Error;
use crate::sys::process::{self, exit_status, SIGKILL};
use crate::sys::signal::{self, SigSet};
use crate::sys::{fs, seccomp};
use linux_raw_sys::ioctl::TIOCSPGRP;

const SIGCHLD: u32 = 17;

/// Forks the command (`exec`, whose error is returned in the child, to be reported as the
/// command's); in this process, never returns. `pty`: stdin is the container's pty, whose
/// foreground process group the command gets, so that the keys ^C and ^\ signal it, not the init.
pub fn run(pty: bool, saved_mask: SigSet, exec: impl FnOnce() -> Error) -> Error {
    // Every signal waits to be taken below (the kernel leaves SIGKILL and SIGSTOP out); the
    // command gets the mask it had back before execve.
    let all = SigSet(!0);
    if let Err(e) = signal::set_mask(all) {
        return Error::sys(e, "block signals");
    }
    let command = match process::clone_fork(0) {
        Ok(0) => {
            if pty {
                // Blocked SIGTTOU lets a process of the background take the foreground.
                if let Ok(group) = process::own_process_group() {
                    let _ = process::ioctl_int(0, TIOCSPGRP, group);
                }
            }
            return match signal::set_mask(saved_mask) {
                Ok(_) => exec(),
                Err(e) => Error::sys(e, "restore the signal mask"),
            };
        }
        Ok(pid) => pid,
        Err(e) => return Error::sys(e, "fork the command"),
    };
    if !hold_nothing() {
        // Fail closed: an init that keeps rights must not stay.
        let _ = process::kill(command, SIGKILL);
        process::exit(crate::error::EXIT_RUNTIME);
    }
    loop {
        match signal::wait(all) {
            Ok(SIGCHLD) => reap(command),
            Ok(sig) => {
                let _ = process::kill(command, sig);
            }
            Err(_) => {}
        }
    }
}

/// Closes every descriptor and gives up every right (see the module's text); false if one that
/// must go would not.
fn hold_nothing() -> bool {
    let _ = fs::close_range(0, u32::MAX);
    // CAP_SETPCAP is needed for the bounding set: without it, the empty permitted set and
    // no_new_privs keep any execve from granting a capability anyway.
    for cap in 0..64 {
        let _ = process::capbset_drop(cap);
    }
    // A change of ids made it dumpable again if fs.suid_dumpable says so.
    process::capset(0, 0, 0).is_ok() && seccomp::set_no_new_privs().is_ok() && process::set_dumpable(false).is_ok()
}

/// Reaps every process of the pid namespace that has ended; exits with the command's status
/// once it is one of them.
fn reap(command: i32) {
    while let Ok((pid, raw)) = process::wait4(-1, true) {
        if pid <= 0 {
            return;
        }
        if pid == command {
            process::exit(exit_status(raw));
        }
    }
}
