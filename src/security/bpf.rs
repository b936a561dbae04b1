//! Classic BPF assembler for seccomp filters (being written).
