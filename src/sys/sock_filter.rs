//! The kernel's `struct sock_filter` (linux/filter.h): one classic BPF instruction, as
//! seccomp(2) takes a program of them. A file of its own, with no `crate::` paths and no
//! `unsafe`, so that build.rs can include it next to the BPF assembler (security/bpf.rs).

/// One classic BPF instruction: the kernel's `struct sock_filter`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SockFilter {
    pub code: u16,
    pub jt: u8,
    pub jf: u8,
    pub k: u32,
}

impl SockFilter {
    pub const fn new(code: u16, jt: u8, jf: u8, k: u32) -> SockFilter {
        SockFilter { code, jt, jf, k }
    }
}
