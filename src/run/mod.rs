//! The `runt run` door: docker-like flags parsed into `RunArgs` (cli.rs), then mapped onto the
//! one `Spec` (spec.rs). The core knows nothing of it.
pub mod cli;
mod detach;
mod envfile;
mod mounts;
pub mod spec;

use crate::error::{Error, Result};
use crate::spec::Spec;
use crate::state::{self, Dir, State};
use crate::{launch, notify, sealed, sys, userns};
use alloc::string::String;
use alloc::vec::Vec;
use cli::RunArgs;

/// `runt run`: the spec from the flags (`env`: runt's own environment, for TERM), the record
/// of the container under the state root (`root`, as the OCI commands take it), then one
/// container from start to end, its exit status; with -d, the supervisor that waits for it.
#[inline(never)]
pub fn run(r: &mut RunArgs, env: &[&[u8]], root: Option<&str>, warn: &mut dyn FnMut(&str)) -> Result<i32> {
    // With --init, runt's own init stays in the container as its pid 1: runt runs from a sealed
    // copy of itself. Otherwise the container's command is executed through the sealed exec
    // trampoline (sealed.rs, launch::start).
    if r.init {
        sealed::ensure()?;
    }
    let term = crate::text::env_value(env, b"TERM=");
    let mut spec = spec_of(r, term, env)?;
    // Without root the default state root is not the user's to write: a container is recorded
    // only under a --root the user gives, as for the OCI commands.
    let root = match root {
        Some(r) => r,
        None if sys::process::getuid() == 0 => state::default_root(),
        None if r.detach => {
            return Err(Error::msg("run: -d without root needs --root DIR (runt --root DIR run -d ...)"))
        }
        None => {
            if crate::text::env_value(env, b"NOTIFY_SOCKET=").is_some() {
                warn("NOTIFY_SOCKET ignored: a container with no record (no root, no --root) gets no notify socket");
            }
            return run_unrecorded(&mut spec, warn);
        }
    };
    let dir = Dir::claim(root, &spec.name)?;
    let mut notify = match notify::prepare(&mut spec, &dir, env) {
        Ok(n) => n,
        Err(e) => {
            let _ = dir.remove();
            return Err(e);
        }
    };
    let record = State {
        id: spec.name.clone(),
        rootfs: spec.root.path.clone().unwrap_or_default(),
        run_options: core::mem::take(&mut r.options),
        command: spec.args.clone(),
        detached: r.detach,
        ..State::default()
    };
    if r.detach {
        return detach::start(&mut spec, dir, &record, r.rm, notify, warn);
    }
    let outcome = launch::run(&mut spec, None, warn, &mut |pid, cgroups| {
        save_started(&dir, &record, pid, cgroups)?;
        notify.take().map_or(Ok(()), |proxy| proxy.start(pid))
    });
    let _ = dir.remove();
    finish(outcome, warn)
}

/// A container of a user without root and without --root: no record.
fn run_unrecorded(spec: &mut Spec, warn: &mut dyn FnMut(&str)) -> Result<i32> {
    let outcome = launch::run(spec, None, warn, &mut |_, _| Ok(()));
    finish(outcome, warn)
}

/// The warnings of a container that has ended, and its exit status.
fn finish(outcome: Result<launch::Outcome>, warn: &mut dyn FnMut(&str)) -> Result<i32> {
    let outcome = outcome?;
    for w in &outcome.warnings {
        warn(w);
    }
    Ok(outcome.status)
}

/// The container's Spec from `runt run`'s options (`env`: runt's own environment, which an
/// --env-file's bare names take their values from).
fn spec_of(r: &mut RunArgs, term: Option<&str>, env: &[&[u8]]) -> Result<Spec> {
    // Files first: -e overrides them, as in Docker.
    let mut env_vars = Vec::new();
    for f in &r.env_files {
        envfile::read(f, env, &mut env_vars)?;
    }
    env_vars.append(&mut r.env);
    r.env = env_vars;
    let mut spec = spec::from_args(r, random_name, term)?;
    // Socket activation (a unit that runs `runt run`): the descriptors systemd handed to runt go
    // to the command, from 3, as the OCI door hands them on.
    let listen = crate::fds::socket_activation(env)?;
    if listen > 0 {
        spec.oci.preserve_fds = listen;
        spec.env.push(crate::error::cat(&["LISTEN_FDS=", &crate::error::dec(listen.into())]));
        spec.env.push(String::from("LISTEN_PID=1"));
    }
    spec.resolve_devices()?;
    let uid = sys::process::getuid();
    if uid != 0 && spec.userns.is_none() {
        // Without privileges a user namespace is the only way in; the caller becomes root.
        spec.userns = Some(userns::rootless(uid, sys::process::getgid()));
    }
    Ok(spec)
}

/// For `runt exec` into a container of `runt run`'s: its Spec made again from the options it
/// was started with (recorded as typed), the process's settings (user, capabilities, seccomp,
/// environment) among them.
pub fn exec_spec(st: &State) -> Result<Spec> {
    let mut words = alloc::vec!["run"];
    words.extend(st.run_options.iter().map(String::as_str));
    // The command is exec's; one is needed to parse.
    words.push("true");
    match cli::parse(&words)? {
        cli::Command::Run(mut r) => {
            r.name = Some(st.id.clone());
            spec_of(&mut r, None, &[])
        }
        _ => Err(Error::cat(&["container ", &st.id, ": its recorded options are not runt run's"])),
    }
}

/// The record of a container that has started: pid (with its start time, which a reused pid
/// does not have), cgroups, when. One small file, written and renamed, on the hot path.
fn save_started(dir: &Dir, record: &State, pid: i32, cgroups: &[String]) -> Result<()> {
    dir.save(&State {
        pid,
        pid_start: state::pid_start(pid).map_or(0, |(s, _)| s),
        created: state::timestamp(),
        cgroups: cgroups.to_vec(),
        ..record.clone()
    })
}

/// 12 hex digits from getrandom: the default container name.
#[inline(never)]
fn random_name() -> String {
    let mut b = [0u8; 6];
    if sys::process::getrandom(&mut b).is_err() {
        // No entropy yet (very early boot): the pid-free clock-free fallback still has to be unique
        // enough for one host; the cgroup mkdir refuses a clash.
        b = [0x72, 0x75, 0x6e, 0x74, 0, 1];
    }
    let mut hex = String::with_capacity(12);
    for i in 0..12 {
        let x = b.get(i / 2).copied().unwrap_or_default() >> (4 - 4 * (i % 2)) & 15;
        hex.push(char::from(if x < 10 { b'0' + x } else { b'a' + x - 10 }));
    }
    hex
}

#[cfg(test)]
mod tests {
    #[test]
    fn random_names_are_12_lowercase_hex_digits() {
        let (a, b) = (super::random_name(), super::random_name());
        assert_eq!(a.len(), 12);
        assert!(a.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)), "{a}");
        assert_ne!(a, b);
    }
}
