//! Hardening applied just before execve: seccomp (and, to come, capabilities and rlimits).
pub mod bpf;
pub mod caps;
pub mod devices;
pub mod rlimits;
pub mod seccomp;

/// "invalid --ulimit 'x': why": an option's value, and what is wrong with it.
#[inline(never)]
fn invalid(option: &str, value: &str, why: &str) -> crate::error::Error {
    crate::error::Error::msg(crate::error::cat(&["invalid ", option, " '", value, "': ", why]))
}
