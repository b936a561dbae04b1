//! Hardening applied just before execve: seccomp (and, to come, capabilities and rlimits).
pub mod bpf;
pub mod caps;
pub mod devices;
pub mod rlimits;
pub mod seccomp;
