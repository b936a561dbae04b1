//! bpf(2): just enough to load a cgroup device program and attach it to a cgroup v2 directory.

use super::{Fd, Result};
use syscalls::{syscall, Sysno};

const BPF_PROG_LOAD: u32 = 5;
const BPF_PROG_ATTACH: u32 = 8;
const BPF_PROG_TYPE_CGROUP_DEVICE: u32 = 15;
const BPF_CGROUP_DEVICE: u32 = 6;
/// Lets other programs stay attached above and below (systemd attaches its own).
const BPF_F_ALLOW_MULTI: u32 = 2;

/// The leading fields of union bpf_attr for BPF_PROG_LOAD; the rest stays zero.
#[repr(C)]
struct ProgLoad {
    prog_type: u32,
    insn_cnt: u32,
    insns: u64,
    license: u64,
    log_level: u32,
    log_size: u32,
    log_buf: u64,
    kern_version: u32,
    prog_flags: u32,
    _rest: [u8; 80],
}

#[repr(C)]
struct ProgAttach {
    target_fd: u32,
    attach_bpf_fd: u32,
    attach_type: u32,
    attach_flags: u32,
    _rest: [u8; 112],
}

/// Loads a BPF_PROG_TYPE_CGROUP_DEVICE program (instructions as raw 64-bit words).
pub fn load_device_program(insns: &[u64]) -> Result<Fd> {
    let license = b"MIT\0";
    let attr = ProgLoad {
        prog_type: BPF_PROG_TYPE_CGROUP_DEVICE,
        insn_cnt: insns.len() as u32,
        insns: insns.as_ptr() as u64,
        license: license.as_ptr() as u64,
        log_level: 0,
        log_size: 0,
        log_buf: 0,
        kern_version: 0,
        prog_flags: 0,
        _rest: [0; 80],
    };
    // SAFETY: attr points to the instructions and the license, both alive for the call; the size
    // passed is attr's own.
    unsafe { syscall!(Sysno::bpf, BPF_PROG_LOAD, &attr as *const ProgLoad, core::mem::size_of::<ProgLoad>()) }
        .map(|fd| Fd::from_raw(fd as i32))
}

/// Attaches a device program to the cgroup v2 directory `cgroup`.
pub fn attach_device_program(cgroup: &Fd, prog: &Fd) -> Result<()> {
    let attr = ProgAttach {
        target_fd: cgroup.raw() as u32,
        attach_bpf_fd: prog.raw() as u32,
        attach_type: BPF_CGROUP_DEVICE,
        attach_flags: BPF_F_ALLOW_MULTI,
        _rest: [0; 112],
    };
    // SAFETY: attr is valid for the call and its size is passed.
    unsafe { syscall!(Sysno::bpf, BPF_PROG_ATTACH, &attr as *const ProgAttach, core::mem::size_of::<ProgAttach>()) }
        .map(drop)
}
