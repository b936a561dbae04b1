//! runt: a tiny static container runtime. `main` parses argv, runs the command, and is the only
//! place that prints an error: once, on one line, starting `runt:`.
#![cfg_attr(not(test), no_std)]
#![cfg_attr(not(test), no_main)]
#![deny(unsafe_code)]
#![warn(clippy::undocumented_unsafe_blocks)]

extern crate alloc;

mod cgroup;
mod cli;
mod error;
mod init;
mod launch;
// Not wired in yet: the OCI door and the security layer are being built.
#[allow(dead_code)]
mod oci;
mod out;
mod plan;
mod rootfs;
#[allow(dead_code)]
mod security;
mod spec;
mod sync;
mod sys;
mod userns;

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;
use error::{Error, EXIT_RUNTIME};
use out::Out;

/// Entry point after the C runtime: raw argv and environment.
#[cfg_attr(test, allow(dead_code))]
pub fn main(args: Vec<&'static [u8]>, env: Vec<&'static [u8]>) -> i32 {
    match run(&args, &env) {
        Ok(status) => status,
        Err(e) => {
            let mut err = Out::new(2);
            let _ = writeln!(err, "runt: {e}");
            e.status
        }
    }
}

fn run(raw_args: &[&[u8]], env: &[&[u8]]) -> Result<i32, Error> {
    let mut args = Vec::with_capacity(raw_args.len());
    for (i, a) in raw_args.iter().enumerate().skip(1) {
        args.push(core::str::from_utf8(a).map_err(|_| Error::msg(alloc::format!("argument {i} is not valid UTF-8")))?);
    }
    match cli::parse(&args)? {
        cli::Command::Help(text) => {
            let _ = Out::new(1).write_str(&text);
            Ok(0)
        }
        cli::Command::Version => {
            let _ = writeln!(Out::new(1), "runt {}", cli::VERSION);
            Ok(0)
        }
        cli::Command::Run(r) => {
            let term = env.iter().find_map(|e| e.strip_prefix(b"TERM=")).and_then(|t| core::str::from_utf8(t).ok());
            let mut spec = spec::Spec::from_run(*r, random_name, term)?;
            spec.resolve_devices()?;
            let uid = sys::process::getuid();
            if uid != 0 && spec.userns.is_none() {
                // Without privileges a user namespace is the only way in; the caller becomes root.
                spec.userns = Some(userns::rootless(uid, sys::process::getgid()));
            }
            let mut warn = |w: &str| {
                let _ = writeln!(Out::new(2), "runt: warning: {w}");
            };
            let outcome = launch::run(&spec, &mut warn)?;
            for w in &outcome.warnings {
                warn(w);
            }
            Ok(outcome.status)
        }
    }
}

/// 12 hex digits from getrandom: the default container name.
fn random_name() -> String {
    let mut b = [0u8; 6];
    if sys::process::getrandom(&mut b).is_err() {
        // No entropy yet (very early boot): the pid-free clock-free fallback still has to be unique
        // enough for one host; the cgroup mkdir refuses a clash.
        b = [0x72, 0x75, 0x6e, 0x74, 0, 1];
    }
    let mut s = String::with_capacity(12);
    for x in b {
        let _ = write!(s, "{x:02x}");
    }
    s
}

#[allow(dead_code)]
const _: i32 = EXIT_RUNTIME;
