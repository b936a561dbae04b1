//! Which device nodes the container may open: rules as data, written as v1 `devices.allow`
//! lines or assembled into the eBPF program cgroup v2 runs on every device access.

use crate::error::{push_dec, Error, OrSys, Result};
use crate::sys::fs;
use alloc::string::String;
use alloc::vec::Vec;
use linux_raw_sys::general::{S_IFBLK, S_IFCHR, S_IFMT};

/// Access bits, as the kernel's BPF_DEVCG_ACC_* (and v1's "m", "r", "w").
pub const MKNOD: u8 = 1;
pub const READ: u8 = 2;
pub const WRITE: u8 = 4;
pub const RWM: u8 = MKNOD | READ | WRITE;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    All,
    Char,
    Block,
}

/// One rule; later rules override earlier ones (as OCI `linux.resources.devices`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub allow: bool,
    pub kind: Kind,
    /// None: any.
    pub major: Option<u32>,
    pub minor: Option<u32>,
    pub access: u8,
}

const fn chr(major: u32, minor: Option<u32>) -> Rule {
    Rule { allow: true, kind: Kind::Char, major: Some(major), minor, access: RWM }
}

/// Deny everything, then allow the standard nodes; mknod of any node is allowed (as Docker
/// does), opening one that is not listed is not.
pub const DEFAULT: &[Rule] = &[
    Rule { allow: false, kind: Kind::All, major: None, minor: None, access: RWM },
    Rule { allow: true, kind: Kind::Char, major: None, minor: None, access: MKNOD },
    Rule { allow: true, kind: Kind::Block, major: None, minor: None, access: MKNOD },
    chr(1, Some(3)), // null
    chr(1, Some(5)), // zero
    chr(1, Some(7)), // full
    chr(1, Some(8)), // random
    chr(1, Some(9)), // urandom
    chr(5, Some(0)), // tty
    chr(5, Some(1)), // console
    chr(5, Some(2)), // ptmx
    chr(136, None),  // pts/*
];

/// A node to create in the container: a host device (`--device HOST[:CONTAINER][:rwm]`) or one
/// of config.json's `linux.devices` (a character or block device, or a fifo).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The host's node, bound in its place where the container may not make nodes.
    pub host: String,
    /// Absolute path inside the container (`--device`: under /dev).
    pub path: String,
    pub access: u8,
    /// Device numbers (`--device`: filled in from the host node by `resolve`); 0 for a fifo.
    pub major: u32,
    pub minor: u32,
    /// The node's st_mode: its type (S_IFCHR, S_IFBLK or S_IFIFO; `--device`: the host node's,
    /// by `resolve`) and permission bits (config.json's fileMode; 0666).
    pub mode: u32,
    /// Its owner, as the container sees ids (config.json's uid and gid; root).
    pub uid: u32,
    pub gid: u32,
}

impl Node {
    /// The rule that lets the container use this device node (only `--device` nodes get one,
    /// and those are devices: a fifo needs no rule).
    // Out of line (measured): smaller than inlined into its callers.
    #[inline(never)]
    pub fn rule(&self) -> Rule {
        let kind = if self.mode & S_IFMT == S_IFBLK { Kind::Block } else { Kind::Char };
        Rule { allow: true, kind, major: Some(self.major), minor: Some(self.minor), access: self.access }
    }
}

/// Parses `HOST[:CONTAINER][:rwm]`; the container path defaults to the host path.
// Out of line (measured): smaller than inlined into its callers.
#[inline(never)]
pub fn parse_node(s: &str) -> Result<Node> {
    let bad = |why: &str| super::invalid("--device", s, why);
    let mut parts = s.split(':');
    let h = parts.next().unwrap_or_default();
    let (host, path, access) = match (parts.next(), parts.next(), parts.next()) {
        (None, ..) => (h, h, RWM),
        (Some(x), None, _) => match parse_access(x) {
            Some(a) if !x.starts_with('/') => (h, h, a),
            _ => (h, x, RWM),
        },
        (Some(p), Some(a), None) => (h, p, parse_access(a).ok_or_else(|| bad("access is a mix of r, w and m"))?),
        _ => return Err(bad("expected HOST[:CONTAINER][:rwm]")),
    };
    if !host.starts_with('/') || !path.starts_with("/dev/") || path.split('/').any(|c| c == "..") {
        return Err(bad("paths must be absolute, the container's under /dev"));
    }
    Ok(Node { host: host.into(), path: path.into(), access, major: 0, minor: 0, mode: S_IFCHR | 0o666, uid: 0, gid: 0 })
}

/// Reads the node's type and numbers from the host.
// Out of line (measured): smaller than inlined into its callers.
#[inline(never)]
pub fn resolve(node: &mut Node) -> Result<()> {
    let path = alloc::ffi::CString::new(node.host.as_str()).map_err(|_| Error::msg("NUL in device path"))?;
    let (mode, rdev) = fs::stat_mode_rdev(&path).or_op("stat device", &node.host)?;
    if !matches!(mode & S_IFMT, S_IFCHR | S_IFBLK) {
        return Err(Error::cat(&["--device ", &node.host, ": not a device node"]));
    }
    node.mode = mode & S_IFMT | node.mode & 0o7777;
    // glibc's gnu_dev_major/minor decoding of a 64-bit dev_t.
    node.major = (((rdev >> 32) & 0xffff_f000) | ((rdev >> 8) & 0xfff)) as u32;
    node.minor = (((rdev >> 12) & 0xffff_ff00) | (rdev & 0xff)) as u32;
    Ok(())
}

/// Parses "rwm"-style access.
pub fn parse_access(s: &str) -> Option<u8> {
    let mut a = 0;
    for c in s.bytes() {
        a |= match c {
            b'r' => READ,
            b'w' => WRITE,
            b'm' => MKNOD,
            _ => return None,
        };
    }
    (a != 0).then_some(a)
}

/// The rule as a cgroup v1 devices.allow / devices.deny line: "c 1:3 rwm", "a".
// Out of line (measured): smaller than inlined into its callers.
#[inline(never)]
pub fn v1_line(r: &Rule) -> String {
    let (kind, major, minor) = match r.kind {
        Kind::All if r.access == RWM => return String::from("a"),
        Kind::All => ("a", None, None),
        Kind::Char => ("c", r.major, r.minor),
        Kind::Block => ("b", r.major, r.minor),
    };
    let mut s = String::from(kind);
    for (sep, n) in [(' ', major), (':', minor)] {
        s.push(sep);
        match n {
            Some(n) => push_dec(&mut s, n.into()),
            None => s.push('*'),
        }
    }
    s.push(' ');
    for (bit, c) in [(READ, 'r'), (WRITE, 'w'), (MKNOD, 'm')] {
        if r.access & bit != 0 {
            s.push(c);
        }
    }
    s
}

// eBPF instruction fields (linux/bpf.h).
const LDX_MEM_W: u8 = 0x61;
const ALU64_AND_K: u8 = 0x57;
const ALU64_RSH_K: u8 = 0x77;
const ALU64_MOV_K: u8 = 0xb7;
const ALU64_MOV_X: u8 = 0xbf;
const JMP_JNE_K: u8 = 0x55;
const JMP_EXIT: u8 = 0x95;

fn insn(code: u8, dst: u8, src: u8, off: i16, imm: i32) -> u64 {
    u64::from(code) | u64::from(dst | src << 4) << 8 | u64::from(off as u16) << 16 | u64::from(imm as u32) << 32
}

/// Assembles the rules into a BPF_PROG_TYPE_CGROUP_DEVICE program. Registers after the prologue:
/// r2 = device type (1 block, 2 char), r3 = access bits, r4 = major, r5 = minor. Rules are tested
/// last to first; the first that matches decides. Nothing matching: deny.
pub fn ebpf(rules: &[Rule]) -> Vec<u64> {
    // struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }
    let mut p = alloc::vec![
        insn(LDX_MEM_W, 2, 1, 0, 0),
        insn(ALU64_AND_K, 2, 0, 0, 0xffff),
        insn(LDX_MEM_W, 3, 1, 0, 0),
        insn(ALU64_RSH_K, 3, 0, 0, 16),
        insn(LDX_MEM_W, 4, 1, 4, 0),
        insn(LDX_MEM_W, 5, 1, 8, 0),
    ];
    for r in rules.iter().rev() {
        let kind = match r.kind {
            Kind::All => None,
            Kind::Block => Some(1),
            Kind::Char => Some(2),
        };
        // (register, value it must equal), where the rule names one.
        let checks = [(2, kind), (4, r.major), (5, r.minor)];
        let access_checked = r.access & RWM != RWM;
        // Instructions left in the block after each check, which a failed check jumps over.
        let tail = 2 + if access_checked { 3 } else { 0 };
        let mut left = usize::from(kind.is_some()) + usize::from(r.major.is_some()) + usize::from(r.minor.is_some());
        let n = left;
        for (reg, value) in checks {
            if let Some(v) = value {
                left -= 1;
                p.push(insn(JMP_JNE_K, reg, 0, (left + tail) as i16, v as i32));
            }
        }
        if access_checked {
            // Requested access must be a subset of the rule's: (r3 & !access) == 0.
            p.push(insn(ALU64_MOV_X, 1, 3, 0, 0));
            p.push(insn(ALU64_AND_K, 1, 0, 0, i32::from(!r.access & RWM)));
            p.push(insn(JMP_JNE_K, 1, 0, 2, 0));
        }
        p.push(insn(ALU64_MOV_K, 0, 0, 0, i32::from(r.allow)));
        p.push(insn(JMP_EXIT, 0, 0, 0, 0));
        if n == 0 && !access_checked {
            // An unconditional rule decides everything: the verifier rejects the unreachable
            // instructions that would follow it.
            return p;
        }
    }
    p.push(insn(ALU64_MOV_K, 0, 0, 0, 0));
    p.push(insn(JMP_EXIT, 0, 0, 0, 0));
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the subset of eBPF that `ebpf` emits on one device access.
    fn run(prog: &[u64], kind: u32, access: u32, major: u32, minor: u32) -> u64 {
        let ctx = [kind | access << 16, major, minor];
        let mut r = [0u64; 11];
        let mut pc = 0usize;
        loop {
            let i = prog[pc];
            let (code, dst, src) = (i as u8, ((i >> 8) & 0xf) as usize, ((i >> 12) & 0xf) as usize);
            let (off, imm) = ((i >> 16) as u16 as i16, (i >> 32) as u32 as i32);
            pc += 1;
            match code {
                LDX_MEM_W => {
                    assert_eq!(src, 1);
                    r[dst] = u64::from(ctx[off as usize / 4]);
                }
                ALU64_AND_K => r[dst] &= imm as i64 as u64,
                ALU64_RSH_K => r[dst] >>= imm,
                ALU64_MOV_K => r[dst] = imm as i64 as u64,
                ALU64_MOV_X => r[dst] = r[src],
                JMP_JNE_K => {
                    if r[dst] != imm as i64 as u64 {
                        pc += off as usize;
                    }
                }
                JMP_EXIT => return r[0],
                other => panic!("unexpected opcode {other:#x}"),
            }
        }
    }

    const CHAR: u32 = 2;
    const BLOCK: u32 = 1;

    #[test]
    fn default_rules_in_bpf() {
        let p = ebpf(DEFAULT);
        assert_eq!(run(&p, CHAR, u32::from(READ | WRITE), 1, 3), 1, "null");
        assert_eq!(run(&p, CHAR, u32::from(READ), 136, 7), 1, "pts/7");
        assert_eq!(run(&p, CHAR, u32::from(READ), 1, 1), 0, "mem");
        assert_eq!(run(&p, BLOCK, u32::from(READ), 8, 0), 0, "sda");
        assert_eq!(run(&p, BLOCK, u32::from(MKNOD), 8, 0), 1, "mknod sda");
        assert_eq!(run(&p, CHAR, u32::from(MKNOD | READ), 10, 200), 0, "mknod+read tun");
    }

    #[test]
    fn later_rules_win() {
        let deny_null = Rule { allow: false, kind: Kind::Char, major: Some(1), minor: Some(3), access: WRITE };
        let mut rules = DEFAULT.to_vec();
        rules.push(deny_null);
        let p = ebpf(&rules);
        assert_eq!(run(&p, CHAR, u32::from(WRITE), 1, 3), 0);
        assert_eq!(run(&p, CHAR, u32::from(READ), 1, 3), 1);
        let all = [Rule { allow: true, kind: Kind::All, major: None, minor: None, access: RWM }];
        assert_eq!(run(&ebpf(&all), BLOCK, u32::from(READ), 8, 0), 1);
    }

    #[test]
    fn no_unreachable_code() {
        // The verifier refuses programs with instructions no path reaches: after an
        // unconditional rule (deny all, tested last) nothing may follow.
        let p = ebpf(DEFAULT);
        assert_eq!(p[p.len() - 2], insn(ALU64_MOV_K, 0, 0, 0, 0));
        assert_eq!(p.iter().filter(|&&i| i == insn(JMP_EXIT, 0, 0, 0, 0)).count(), DEFAULT.len());
    }

    #[test]
    fn v1_lines() {
        let lines: Vec<String> = DEFAULT.iter().map(v1_line).collect();
        assert_eq!(lines[0], "a");
        assert_eq!(lines[1], "c *:* m");
        assert_eq!(lines[3], "c 1:3 rwm");
        assert_eq!(lines[11], "c 136:* rwm");
        let read_all = Rule { allow: true, kind: Kind::All, major: Some(1), minor: None, access: READ };
        assert_eq!(v1_line(&read_all), "a *:* r");
        let sda = Rule { allow: false, kind: Kind::Block, major: Some(8), minor: Some(16), access: READ | WRITE };
        assert_eq!(v1_line(&sda), "b 8:16 rw");
        assert_eq!(parse_access("rw"), Some(READ | WRITE));
        assert_eq!(parse_access("x"), None);
        let n = parse_node("/dev/fuse").unwrap();
        assert_eq!((n.host.as_str(), n.path.as_str(), n.access), ("/dev/fuse", "/dev/fuse", RWM));
        let n = parse_node("/dev/sda:/dev/xvda:r").unwrap();
        assert_eq!((n.path.as_str(), n.access), ("/dev/xvda", READ));
        assert_eq!(parse_node("/dev/sda:rw").unwrap().access, READ | WRITE);
        for bad in ["sda", "/dev/sda:/etc/x", "/dev/a:/dev/b:q", "/dev/a:/dev/../x", "/a:/dev/b:r:x"] {
            assert!(parse_node(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_access(""), None);
    }
}
