//! The `runt run` door: docker-like flags parsed into `RunArgs` (cli.rs), then mapped onto the
//! one `Spec` (spec.rs). The core knows nothing of it.
pub mod cli;
mod envfile;
mod mounts;
pub mod spec;

use crate::error::Result;
use crate::{launch, sealed, sys, userns};
use alloc::string::String;
use alloc::vec::Vec;
use cli::RunArgs;

/// `runt run`: the spec from the flags (`env`: runt's own environment, for TERM), then one
/// container from start to end; its exit status.
#[inline(never)]
pub fn run(r: &mut RunArgs, env: &[&[u8]], warn: &mut dyn FnMut(&str)) -> Result<i32> {
    sealed::ensure()?;
    let term = env.iter().find_map(|e| e.strip_prefix(b"TERM=")).and_then(|t| core::str::from_utf8(t).ok());
    // Files first: -e overrides them, as in Docker.
    let mut env_vars = Vec::new();
    for f in &r.env_files {
        envfile::read(f, env, &mut env_vars)?;
    }
    env_vars.append(&mut r.env);
    r.env = env_vars;
    let mut spec = spec::from_args(r, random_name, term)?;
    spec.resolve_devices()?;
    let uid = sys::process::getuid();
    if uid != 0 && spec.userns.is_none() {
        // Without privileges a user namespace is the only way in; the caller becomes root.
        spec.userns = Some(userns::rootless(uid, sys::process::getgid()));
    }
    let outcome = launch::run(&mut spec, None, warn, &mut |_, _| Ok(()))?;
    for w in &outcome.warnings {
        warn(w);
    }
    Ok(outcome.status)
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
