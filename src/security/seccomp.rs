//! Seccomp filters: the default profile and OCI rules (being written).
