//! Hardening applied just before execve: seccomp (and, to come, capabilities and rlimits).
pub mod bpf;
pub mod caps;
pub mod devices;
pub mod rlimits;
pub mod seccomp;

// The instruction the assembler (bpf.rs) builds, taken from its parent: see bpf.rs.
use crate::sys::seccomp::SockFilter;

/// "invalid --ulimit 'x': why": an option's value, and what is wrong with it.
#[inline(never)]
fn invalid(option: &str, value: &str, why: &str) -> crate::error::Error {
    crate::error::Error::cat(&["invalid ", option, " '", value, "': ", why])
}

/// Where `name` is in `names`, ignoring ASCII case and an optional `prefix` ("CAP_", "RLIMIT_"):
/// no upper- or lower-cased copy.
#[inline(never)]
fn position(mut names: &mut dyn Iterator<Item = &str>, prefix: &str, name: &str) -> Option<usize> {
    // A byte loop: core's eq_ignore_ascii_case is a few hundred bytes of unrolled code.
    #[allow(clippy::manual_ignore_case_cmp)]
    let same = |a: &[u8], b: &[u8]| {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_ascii_lowercase() == y.to_ascii_lowercase())
    };
    let name = name.as_bytes();
    let bare = match (name.get(..prefix.len()), name.get(prefix.len()..)) {
        (Some(p), Some(rest)) if same(p, prefix.as_bytes()) => rest,
        _ => name,
    };
    // `names` itself is the iterator (a `dyn` one has no `position`).
    Iterator::position(&mut names, |n| same(n.as_bytes(), bare))
}
