//! A classic-BPF assembler for seccomp: a rule set (syscall number, argument conditions, action)
//! in, a filter program the kernel accepts out.
//!
//! Pure and self-contained (no `crate::` paths, no `unsafe`, only `alloc::vec::Vec`), so that
//! `build.rs` compiles runt's default profile with this very code: it includes the file with
//! `#[path = "src/security/bpf.rs"] mod bpf;` and declares `extern crate alloc;` at its root.
//! The one thing it takes from outside is the kernel's instruction, `SockFilter`, from its
//! parent module (sys/sock_filter.rs, which build.rs includes as well).
//!
//! The program, in order:
//! 1. the architecture: the filter's own (`Filter::arch`) goes on; each of `other_arches` gets
//!    the deny action (their syscall numbers are not implemented here); anything else kills the
//!    process;
//! 2. on x86_64, x32 syscalls (nr | `__X32_SYSCALL_BIT` under the x86_64 arch) get the deny action;
//! 3. a binary search on the syscall number over ranges that share a verdict, so a syscall
//!    costs about log2(ranges) comparisons, not one per listed syscall;
//! 4. for a syscall with argument conditions, its rules in order: the first rule whose
//!    conditions all hold gives its action; if none holds, the syscall's unconditional rule
//!    (if any) decides, else the default action.
//!
//! Jump offsets are 8 bits: a conditional jump whose target is further than 255 instructions
//! goes through a nearby copy of the target `ret`, or an unconditional `ja` (32-bit offset).

use super::SockFilter;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// `BPF_LD | BPF_W | BPF_ABS`: A = 32-bit word of `seccomp_data` at offset k.
pub const LD_W_ABS: u16 = 0x20;
/// `BPF_ALU | BPF_AND | BPF_K`: A &= k.
pub const AND_K: u16 = 0x54;
/// `BPF_JMP | BPF_JA`: pc += k.
pub const JA: u16 = 0x05;
/// `BPF_JMP | BPF_JEQ | BPF_K`: pc += (A == k) ? jt : jf.
pub const JEQ_K: u16 = 0x15;
/// `BPF_JMP | BPF_JGT | BPF_K` (unsigned).
pub const JGT_K: u16 = 0x25;
/// `BPF_JMP | BPF_JGE | BPF_K` (unsigned).
pub const JGE_K: u16 = 0x35;
/// `BPF_RET | BPF_K`: return k.
pub const RET_K: u16 = 0x06;

/// Offsets in `struct seccomp_data`.
pub const DATA_NR: u32 = 0;
pub const DATA_ARCH: u32 = 4;
/// `args[i]` is at `DATA_ARGS + 8 * i`, low half first (little-endian).
pub const DATA_ARGS: u32 = 16;

/// `AUDIT_ARCH_X86_64`: EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE.
pub const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
/// `AUDIT_ARCH_I386`: EM_386 | __AUDIT_ARCH_LE.
#[allow(dead_code)] // build.rs and tests
pub const AUDIT_ARCH_I386: u32 = 0x4000_0003;
/// `AUDIT_ARCH_AARCH64`: EM_AARCH64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE.
#[allow(dead_code)] // build.rs and tests
pub const AUDIT_ARCH_AARCH64: u32 = 0xc000_00b7;
/// `AUDIT_ARCH_ARM`: EM_ARM | __AUDIT_ARCH_LE.
#[allow(dead_code)] // build.rs and tests
pub const AUDIT_ARCH_ARM: u32 = 0x4000_0028;
/// `AUDIT_ARCH_RISCV64`: EM_RISCV | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE.
#[allow(dead_code)] // build.rs and tests
pub const AUDIT_ARCH_RISCV64: u32 = 0xc000_00f3;
/// `__X32_SYSCALL_BIT`: set in the number of every x32 syscall (arch is still x86_64).
pub const X32_SYSCALL_BIT: u32 = 0x4000_0000;
/// `BPF_MAXINSNS`: the kernel refuses longer programs.
pub const MAX_INSNS: usize = 4096;

const EPERM: u16 = 1;
const ENOSYS: u16 = 38;

/// What the kernel does with a syscall (`SECCOMP_RET_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Allow,
    /// Fail with this errno (the kernel caps it at 4095).
    Errno(u16),
    KillThread,
    KillProcess,
    /// SIGSYS.
    Trap,
    /// Allow and log.
    Log,
    /// Notify a ptrace tracer with this data (ENOSYS if there is none).
    Trace(u16),
    /// Wait for the answer of the process holding the filter's listener (seccomp_unotify(2)).
    Notify,
}

impl Action {
    /// The filter's return value.
    pub const fn ret(self) -> u32 {
        match self {
            Action::KillProcess => 0x8000_0000,
            Action::KillThread => 0,
            Action::Trap => 0x0003_0000,
            Action::Errno(e) => 0x0005_0000 | e as u32,
            Action::Trace(d) => 0x7ff0_0000 | d as u32,
            Action::Notify => 0x7fc0_0000,
            Action::Log => 0x7ffc_0000,
            Action::Allow => 0x7fff_0000,
        }
    }

    /// Whether the syscall does not run (so the action can stand for "deny").
    pub const fn denies(self) -> bool {
        matches!(self, Action::Errno(_) | Action::KillThread | Action::KillProcess | Action::Trap)
    }
}

/// A comparison on a syscall argument, as libseccomp's `SCMP_CMP_*`: unsigned, on all 64 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Ne,
    Lt,
    Le,
    Eq,
    Ge,
    Gt,
    /// `(arg & value) == value_two`.
    MaskedEq,
}

/// `args[arg] <op> value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cmp {
    /// 0 to 5.
    pub arg: u8,
    pub op: Op,
    pub value: u64,
    /// Only for `MaskedEq`: the value the masked argument must equal.
    pub value_two: u64,
}

impl Cmp {
    #[allow(dead_code)] // the default profile in build.rs
    pub const fn new(arg: u8, op: Op, value: u64) -> Cmp {
        Cmp { arg, op, value, value_two: 0 }
    }

    /// `(args[arg] & mask) == want`.
    #[allow(dead_code)] // the default profile in build.rs
    pub const fn masked_eq(arg: u8, mask: u64, want: u64) -> Cmp {
        Cmp { arg, op: Op::MaskedEq, value: mask, value_two: want }
    }
}

/// `action` for syscall `nr` when every condition in `args` holds (all of them: AND).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub nr: u32,
    pub action: Action,
    pub args: Vec<Cmp>,
}

/// A rule set to compile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// The AUDIT_ARCH_* whose syscall numbers the rules are in (the target's own).
    pub arch: u32,
    /// For every syscall no rule decides.
    pub default: Action,
    /// AUDIT_ARCH_* values, besides `arch`, whose syscalls get the deny action instead of
    /// killing the process.
    pub other_arches: Vec<u32>,
    /// When the default action denies, syscalls numbered above this one (newer than any the
    /// rules could name) that no rule names fail with ENOSYS instead, so that C libraries fall
    /// back to older calls.
    pub enosys_above: Option<u32>,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// The program would have this many instructions, more than `MAX_INSNS`.
    TooLong(usize),
    /// A syscall number with the x32 bit or above.
    BadSyscall(u32),
    /// An argument index above 5.
    BadArg(u8),
}

impl Error {
    /// "invalid syscall number 1073741824": the message, without core::fmt.
    pub fn text(&self) -> String {
        let (before, n, after) = match *self {
            Error::TooLong(n) => ("seccomp program too long: ", n, " instructions (at most 4096)"),
            Error::BadSyscall(nr) => ("invalid syscall number ", nr as usize, ""),
            Error::BadArg(i) => ("invalid syscall argument index ", usize::from(i), " (0 to 5)"),
        };
        let mut s = String::from(before);
        push_dec(&mut s, n);
        s.push_str(after);
        s
    }
}

/// `n` in decimal (this file cannot use runt's helpers: build.rs includes it alone).
fn push_dec(s: &mut String, n: usize) {
    if n >= 10 {
        push_dec(s, n / 10);
    }
    s.push(char::from(b'0' + (n % 10) as u8));
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl Filter {
    pub fn new(arch: u32, default: Action) -> Filter {
        Filter { arch, default, other_arches: Vec::new(), enosys_above: None, rules: Vec::new() }
    }

    /// `nr -> action`, whatever the arguments.
    #[allow(dead_code)] // the default profile in build.rs
    pub fn add(&mut self, nr: u32, action: Action) {
        self.rules.push(Rule { nr, action, args: Vec::new() });
    }

    /// `nr -> action` when all of `args` hold.
    pub fn add_if(&mut self, nr: u32, action: Action, args: &[Cmp]) {
        self.rules.push(Rule { nr, action, args: args.to_vec() });
    }

    /// What x32 syscalls and `other_arches` get: the default action if it denies, else EPERM
    /// (letting them through would bypass every rule, as their numbers differ).
    pub fn deny_action(&self) -> Action {
        if self.default.denies() {
            self.default
        } else {
            Action::Errno(EPERM)
        }
    }

    /// Assembles the program.
    // Out of line (measured): inlined into its one caller it came out a few hundred bytes bigger.
    #[inline(never)]
    pub fn compile(&self) -> Result<Vec<SockFilter>, Error> {
        for r in &self.rules {
            if r.nr >= X32_SYSCALL_BIT {
                return Err(Error::BadSyscall(r.nr));
            }
            if let Some(c) = r.args.iter().find(|c| c.arg > 5) {
                return Err(Error::BadArg(c.arg));
            }
        }
        let calls = self.syscalls();
        let spans = self.spans(&calls);
        let deny = self.deny_action();
        let mut asm = Asm::default();

        // Emitted back to front: every jump goes forward, so its targets already exist.
        let tree = emit_tree(&mut asm, &spans, &calls);
        if self.arch == AUDIT_ARCH_X86_64 {
            asm.jump(JGE_K, X32_SYSCALL_BIT, Target::Ret(deny.ret()), tree);
        }
        let nr = asm.push(SockFilter::new(LD_W_ABS, 0, 0, DATA_NR));
        let mut next = Target::Ret(Action::KillProcess.ret());
        for &arch in self.other_arches.iter().rev() {
            next = Target::At(asm.jump(JEQ_K, arch, Target::Ret(deny.ret()), next));
        }
        asm.jump(JEQ_K, self.arch, Target::At(nr), next);
        asm.push(SockFilter::new(LD_W_ABS, 0, 0, DATA_ARCH));
        asm.finish()
    }

    /// The rules grouped by syscall number, in number order.
    fn syscalls(&self) -> Vec<Syscall<'_>> {
        // Each rule joins its syscall's group, a new group goes in at its place in number order:
        // an insertion sort, a few bytes of code where the library's sort is kilobytes (profiles
        // have hundreds of rules at most), and rules keep their order within a syscall.
        let mut calls: Vec<Syscall<'_>> = Vec::new();
        for r in &self.rules {
            let at = calls.partition_point(|c| c.nr < r.nr);
            if calls.get(at).is_none_or(|c| c.nr != r.nr) {
                let fresh = Syscall { nr: r.nr, rules: Vec::new(), fallback: self.default, decided: false };
                calls.insert(at, fresh);
            }
            let Some(c) = calls.get_mut(at) else { continue };
            if !r.args.is_empty() {
                c.rules.push(r);
            } else if !c.decided {
                // The first unconditional rule is the syscall's fallback.
                c.fallback = r.action;
                c.decided = true;
            }
        }
        for c in &mut calls {
            // Trailing conditional rules that give the fallback's verdict anyway change nothing.
            while c.rules.last().is_some_and(|r| r.action == c.fallback) {
                c.rules.pop();
            }
        }
        calls
    }

    /// Consecutive number ranges and their verdicts, from 0 up; the last range is open.
    fn spans(&self, calls: &[Syscall<'_>]) -> Vec<Span> {
        let mut spans: Vec<Span> = Vec::new();
        let default = Leaf::Ret(self.default.ret());
        // Numbers no rule names: the default, but ENOSYS from here on (newer than the rules know).
        let enosys = self.enosys_above.filter(|_| self.default.denies()).map(|n| n.saturating_add(1));
        let enosys = enosys.filter(|&n| n < X32_SYSCALL_BIT);
        // The numbers from `from` up to the next rule's (`to`, None: all the rest).
        let gap = |spans: &mut Vec<Span>, from: u32, to: Option<u32>| match enosys {
            Some(e) if to.is_none_or(|t| e < t) => {
                if from < e {
                    push(spans, from, default);
                }
                push(spans, from.max(e), Leaf::Ret(Action::Errno(ENOSYS).ret()));
            }
            _ => push(spans, from, default),
        };
        let mut end = 0;
        for (i, c) in calls.iter().enumerate() {
            if c.nr > end {
                gap(&mut spans, end, Some(c.nr));
            }
            push(&mut spans, c.nr, if c.rules.is_empty() { Leaf::Ret(c.fallback.ret()) } else { Leaf::Args(i) });
            end = c.nr + 1;
        }
        gap(&mut spans, end, None);
        spans
    }
}

/// Appends the range starting at `start`, unless it continues the last one's verdict.
fn push(spans: &mut Vec<Span>, start: u32, leaf: Leaf) {
    match spans.last() {
        Some(&Span { leaf: Leaf::Ret(a), .. }) if leaf == Leaf::Ret(a) => {}
        _ => spans.push(Span { start, leaf }),
    }
}

struct Syscall<'a> {
    nr: u32,
    /// Conditional rules, in order.
    rules: Vec<&'a Rule>,
    /// When none of `rules` matches.
    fallback: Action,
    /// Whether an unconditional rule set `fallback`.
    decided: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Leaf {
    /// Return this value (an `Action::ret`).
    Ret(u32),
    /// Index into the syscalls: check its argument rules.
    Args(usize),
}

struct Span {
    start: u32,
    leaf: Leaf,
}

/// Where a jump goes: an instruction already emitted, or "return this value" (an `Action::ret`;
/// any `ret` with that value will do).
#[derive(Debug, Clone, Copy)]
enum Target {
    At(usize),
    Ret(u32),
}

/// The program being built back to front: `rev[0]` is the last instruction.
#[derive(Default)]
struct Asm {
    rev: Vec<SockFilter>,
    /// Every `ret` emitted with its value, in order: the last one of a value is the nearest to
    /// what comes next.
    rets: Vec<(u32, usize)>,
}

impl Asm {
    fn push(&mut self, ins: SockFilter) -> usize {
        self.rev.push(ins);
        self.rev.len() - 1
    }

    /// The jump offset from the next instruction pushed to `t`, if it fits in 8 bits.
    fn offset(&self, t: Target) -> Option<u8> {
        let at = match t {
            Target::At(i) => i,
            Target::Ret(k) => self.rets.iter().rev().find(|r| r.0 == k).map(|&(_, i)| i)?,
        };
        u8::try_from(self.rev.len().checked_sub(at + 1)?).ok()
    }

    /// Emits `t` (a `ret`, or a `ja` to it) right here, so that a jump emitted next can reach it.
    fn place(&mut self, t: Target) -> usize {
        let ins = match t {
            Target::Ret(k) => SockFilter::new(RET_K, 0, 0, k),
            Target::At(i) => match self.rev.get(i) {
                // A copy of a `ret` beats a jump to it.
                Some(ins) if ins.code == RET_K => *ins,
                _ => SockFilter::new(JA, 0, 0, (self.rev.len() - i - 1) as u32),
            },
        };
        let at = self.push(ins);
        if ins.code == RET_K {
            self.rets.push((ins.k, at));
        }
        at
    }

    /// Emits `if A <code> k goto jt else goto jf`, with trampolines for far targets.
    fn jump(&mut self, code: u16, k: u32, mut jt: Target, mut jf: Target) -> usize {
        loop {
            match (self.offset(jt), self.offset(jf)) {
                (Some(t), Some(f)) => return self.push(SockFilter::new(code, t, f, k)),
                (None, _) => jt = Target::At(self.place(jt)),
                (_, None) => jf = Target::At(self.place(jf)),
            }
        }
    }

    /// Loads the 32-bit word at `off`, optionally masks it, then jumps on `code k`.
    fn test(&mut self, off: u32, mask: u32, code: u16, k: u32, jt: Target, jf: Target) -> usize {
        self.jump(code, k, jt, jf);
        if mask != u32::MAX {
            self.push(SockFilter::new(AND_K, 0, 0, mask));
        }
        self.push(SockFilter::new(LD_W_ABS, 0, 0, off))
    }

    fn finish(mut self) -> Result<Vec<SockFilter>, Error> {
        if self.rev.len() > MAX_INSNS {
            return Err(Error::TooLong(self.rev.len()));
        }
        // Popped into a new vector: the library's in-place reverse is a few hundred bytes of
        // unrolled code.
        let mut prog = Vec::with_capacity(self.rev.len());
        while let Some(ins) = self.rev.pop() {
            prog.push(ins);
        }
        Ok(prog)
    }
}

/// Binary search over `spans` (the syscall number is in A); returns the entry.
fn emit_tree(asm: &mut Asm, spans: &[Span], calls: &[Syscall<'_>]) -> Target {
    match spans {
        [] => Target::Ret(Action::KillProcess.ret()), // not reached: there is always one span
        [one] => match one.leaf {
            Leaf::Ret(a) => Target::Ret(a),
            Leaf::Args(i) => match calls.get(i) {
                Some(c) => Target::At(emit_args(asm, c)),
                None => Target::Ret(Action::KillProcess.ret()), // not reached
            },
        },
        _ => {
            let (low, high) = spans.split_at(spans.len() / 2);
            let start = high.first().map_or(0, |s| s.start);
            let jt = emit_tree(asm, high, calls);
            let jf = emit_tree(asm, low, calls);
            Target::At(asm.jump(JGE_K, start, jt, jf))
        }
    }
}

/// A syscall's conditional rules in order (OR), each one's conditions in order (AND).
fn emit_args(asm: &mut Asm, call: &Syscall<'_>) -> usize {
    let mut next = Target::Ret(call.fallback.ret());
    for rule in call.rules.iter().rev() {
        let fail = next;
        let mut ok = Target::Ret(rule.action.ret());
        for c in rule.args.iter().rev() {
            ok = Target::At(emit_cmp(asm, c, ok, fail));
        }
        next = ok;
    }
    match next {
        Target::At(i) => i,
        t => asm.place(t),
    }
}

/// One 64-bit comparison from its two 32-bit halves; returns the entry.
#[inline(never)] // measured: smaller than inlined into emit_tree
fn emit_cmp(asm: &mut Asm, c: &Cmp, ok: Target, fail: Target) -> usize {
    use Target::At;
    let lo_off = DATA_ARGS + 8 * u32::from(c.arg);
    let hi_off = lo_off + 4;
    // `!=`, `<` and `<=` are `==`, `>=` and `>` with the outcomes swapped.
    let (code, ok, fail) = match c.op {
        Op::Eq | Op::MaskedEq => (JEQ_K, ok, fail),
        Op::Ne => (JEQ_K, fail, ok),
        Op::Gt => (JGT_K, ok, fail),
        Op::Ge => (JGE_K, ok, fail),
        Op::Lt => (JGE_K, fail, ok),
        Op::Le => (JGT_K, fail, ok),
    };
    if code == JEQ_K {
        // (arg & mask) == want, on each half; `==` has every bit in the mask.
        let (mask, want) = if c.op == Op::MaskedEq { (c.value, c.value_two) } else { (u64::MAX, c.value) };
        let (mask_hi, want_hi) = ((mask >> 32) as u32, (want >> 32) as u32);
        let low = asm.test(lo_off, mask as u32, JEQ_K, want as u32, ok, fail);
        if mask_hi == 0 && want_hi == 0 {
            return low; // the high half always matches
        }
        return asm.test(hi_off, mask_hi, JEQ_K, want_hi, At(low), fail);
    }
    // Decide on the high halves if they differ, else on the low halves.
    let (hi, lo) = ((c.value >> 32) as u32, c.value as u32);
    let low = asm.test(lo_off, u32::MAX, code, lo, ok, fail);
    let equal = if hi == 0 { At(low) } else { At(asm.jump(JEQ_K, hi, At(low), fail)) };
    asm.jump(JGT_K, hi, ok, equal);
    asm.push(SockFilter::new(LD_W_ABS, 0, 0, hi_off))
}

/// A classic-BPF interpreter with the kernel's seccomp checks, for tests.
#[cfg(test)]
pub mod vm {
    use super::*;

    /// `struct seccomp_data`.
    #[derive(Debug, Clone, Copy)]
    pub struct Data {
        pub nr: u32,
        pub arch: u32,
        pub args: [u64; 6],
    }

    impl Data {
        pub fn x86_64(nr: u32, args: &[u64]) -> Data {
            Data::new(AUDIT_ARCH_X86_64, nr, args)
        }

        pub fn new(arch: u32, nr: u32, args: &[u64]) -> Data {
            let mut a = [0; 6];
            a[..args.len()].copy_from_slice(args);
            Data { nr, arch, args: a }
        }

        fn word(&self, off: u32) -> u32 {
            assert!(off.is_multiple_of(4) && off < 64, "load at {off}");
            match off {
                0 => self.nr,
                4 => self.arch,
                8 | 12 => 0x1234, // instruction_pointer
                _ => {
                    let a = self.args[(off as usize - 16) / 8];
                    if off.is_multiple_of(8) {
                        a as u32
                    } else {
                        (a >> 32) as u32
                    }
                }
            }
        }
    }

    /// What the kernel checks before accepting a filter (sk_chk_filter + seccomp_check_filter).
    pub fn check(prog: &[SockFilter]) {
        assert!(!prog.is_empty() && prog.len() <= MAX_INSNS, "length {}", prog.len());
        for (pc, i) in prog.iter().enumerate() {
            let left = prog.len() - pc - 1;
            match i.code {
                LD_W_ABS => assert!(i.k.is_multiple_of(4) && i.k < 64, "{pc}: load at {}", i.k),
                AND_K | RET_K => {}
                JA => assert!((i.k as usize) < left, "{pc}: ja {} out of the program", i.k),
                JEQ_K | JGT_K | JGE_K => {
                    assert!((i.jt as usize) < left && (i.jf as usize) < left, "{pc}: jump out of the program")
                }
                c => panic!("{pc}: opcode {c:#x}"),
            }
        }
        assert_eq!(prog.last().map(|i| i.code), Some(RET_K), "the program must end in ret");
    }

    /// Runs the program on `d`; returns the filter's verdict and the instructions executed.
    pub fn run_counted(prog: &[SockFilter], d: &Data) -> (u32, usize) {
        check(prog);
        let (mut a, mut pc, mut steps) = (0u32, 0usize, 0usize);
        loop {
            let i = prog[pc];
            pc += 1;
            steps += 1;
            let cond = |taken: bool| if taken { i.jt as usize } else { i.jf as usize };
            match i.code {
                LD_W_ABS => a = d.word(i.k),
                AND_K => a &= i.k,
                JA => pc += i.k as usize,
                JEQ_K => pc += cond(a == i.k),
                JGT_K => pc += cond(a > i.k),
                JGE_K => pc += cond(a >= i.k),
                RET_K => return (i.k, steps),
                c => panic!("opcode {c:#x}"),
            }
        }
    }

    pub fn run(prog: &[SockFilter], d: &Data) -> u32 {
        run_counted(prog, d).0
    }
}

#[cfg(test)]
mod tests {
    use super::vm::{run, Data};
    use super::*;

    const ALLOW: u32 = Action::Allow.ret();
    const EPERM_RET: u32 = Action::Errno(1).ret();

    fn ins(code: u16, jt: u8, jf: u8, k: u32) -> SockFilter {
        SockFilter::new(code, jt, jf, k)
    }

    /// A filter for x86_64, the architecture whose numbers these tests use (the assembler is the
    /// same whatever the target: these run on each).
    fn x86(default: Action) -> Filter {
        Filter::new(AUDIT_ARCH_X86_64, default)
    }

    #[test]
    fn layout_matches_the_kernel() {
        assert_eq!(core::mem::size_of::<SockFilter>(), 8);
        assert_eq!(Action::KillProcess.ret(), 0x8000_0000);
        assert_eq!(Action::Errno(38).ret(), 0x0005_0026);
        assert_eq!(Action::Trace(7).ret(), 0x7ff0_0007);
        assert_eq!(Action::Log.ret(), 0x7ffc_0000);
        assert_eq!(Action::Notify.ret(), 0x7fc0_0000);
        assert_eq!(Action::Trap.ret(), 0x0003_0000);
        assert_eq!(Action::KillThread.ret(), 0);
    }

    #[test]
    fn smallest_program_instruction_by_instruction() {
        let mut f = x86(Action::Errno(1));
        f.add(0, Action::Allow); // read
        let p = f.compile().unwrap();
        let expected = [
            ins(LD_W_ABS, 0, 0, DATA_ARCH),
            ins(JEQ_K, 1, 0, AUDIT_ARCH_X86_64),
            ins(RET_K, 0, 0, Action::KillProcess.ret()),
            ins(LD_W_ABS, 0, 0, DATA_NR),
            ins(JGE_K, 2, 0, X32_SYSCALL_BIT),
            // spans: [0] allow, [1..] deny
            ins(JGE_K, 1, 0, 1),
            ins(RET_K, 0, 0, ALLOW),
            ins(RET_K, 0, 0, EPERM_RET),
        ];
        assert_eq!(p, expected);
    }

    #[test]
    fn other_arches_get_the_deny_action() {
        let mut f = x86(Action::Allow);
        f.other_arches.push(AUDIT_ARCH_I386);
        f.add(1, Action::Errno(13));
        let p = f.compile().unwrap();
        let expected = [
            ins(LD_W_ABS, 0, 0, DATA_ARCH),
            ins(JEQ_K, 2, 0, AUDIT_ARCH_X86_64),
            ins(JEQ_K, 3, 0, AUDIT_ARCH_I386),
            ins(RET_K, 0, 0, Action::KillProcess.ret()),
            ins(LD_W_ABS, 0, 0, DATA_NR),
            ins(JGE_K, 0, 1, X32_SYSCALL_BIT),
            ins(RET_K, 0, 0, EPERM_RET), // the deny action of an allow-by-default filter
            // spans: [0] allow, [1] EACCES, [2..] allow
            ins(JGE_K, 0, 2, 1),
            ins(JGE_K, 1, 0, 2),
            ins(RET_K, 0, 0, Action::Errno(13).ret()),
            ins(RET_K, 0, 0, ALLOW),
        ];
        assert_eq!(p, expected);
        assert_eq!(run(&p, &Data { nr: 1, arch: AUDIT_ARCH_I386, args: [0; 6] }), EPERM_RET);
        assert_eq!(run(&p, &Data { nr: 1, arch: 0xc000_00b7, args: [0; 6] }), Action::KillProcess.ret());
        assert_eq!(run(&p, &Data::x86_64(1, &[])), Action::Errno(13).ret());
        assert_eq!(run(&p, &Data::x86_64(2, &[])), ALLOW);
        assert_eq!(run(&p, &Data::x86_64(X32_SYSCALL_BIT | 2, &[])), EPERM_RET);
    }

    #[test]
    fn argument_block_instruction_by_instruction() {
        let mut f = x86(Action::Errno(1));
        // clone (56) without namespace flags
        f.add_if(56, Action::Allow, &[Cmp::masked_eq(0, 0x7e02_0000, 0)]);
        // personality (135) == 8, or == 0xffffffff
        f.add_if(135, Action::Allow, &[Cmp::new(0, Op::Eq, 8)]);
        f.add_if(135, Action::Allow, &[Cmp::new(0, Op::Eq, 0xffff_ffff)]);
        let p = f.compile().unwrap();
        let deny = Action::Errno(1).ret();
        let expected = [
            ins(LD_W_ABS, 0, 0, DATA_ARCH),
            ins(JEQ_K, 1, 0, AUDIT_ARCH_X86_64),
            ins(RET_K, 0, 0, Action::KillProcess.ret()),
            ins(LD_W_ABS, 0, 0, DATA_NR),
            ins(JGE_K, 15, 0, X32_SYSCALL_BIT),
            // spans: [0, 56) deny, 56 clone, [57, 135) deny, 135 personality, [136, ...) deny
            ins(JGE_K, 4, 0, 57),
            ins(JGE_K, 0, 13, 56),
            // clone: the mask has no high bits, so only the low half is tested
            ins(LD_W_ABS, 0, 0, DATA_ARGS),
            ins(AND_K, 0, 0, 0x7e02_0000),
            ins(JEQ_K, 11, 10, 0),
            ins(JGE_K, 0, 9, 135),
            ins(JGE_K, 8, 0, 136),
            // personality: arg0 == 8 (high half, then low half) ...
            ins(LD_W_ABS, 0, 0, DATA_ARGS + 4),
            ins(JEQ_K, 0, 2, 0),
            ins(LD_W_ABS, 0, 0, DATA_ARGS),
            ins(JEQ_K, 5, 0, 8),
            // ... or arg0 == 0xffffffff
            ins(LD_W_ABS, 0, 0, DATA_ARGS + 4),
            ins(JEQ_K, 0, 2, 0),
            ins(LD_W_ABS, 0, 0, DATA_ARGS),
            ins(JEQ_K, 1, 0, 0xffff_ffff),
            // one shared `ret` per verdict
            ins(RET_K, 0, 0, deny),
            ins(RET_K, 0, 0, ALLOW),
        ];
        assert_eq!(p, expected);
        let r = |nr, a0| run(&p, &Data::x86_64(nr, &[a0]));
        assert_eq!(r(56, 0x11), ALLOW);
        assert_eq!(r(56, 0x1000_0011), deny); // CLONE_NEWUSER
        assert_eq!(r(135, 8), ALLOW);
        assert_eq!(r(135, 0xffff_ffff), ALLOW);
        assert_eq!(r(135, 0x1_0000_0008), deny);
        assert_eq!(r(135, 9), deny);
        assert_eq!(r(55, 0), deny);
        assert_eq!(r(57, 0), deny);
    }

    /// Every op against values whose halves differ above, equal to, and below the constant's.
    #[test]
    fn every_op_on_64_bit_arguments() {
        let constants =
            [0u64, 1, 0xffff_ffff, 0x1_0000_0000, 0x1_0000_0005, 0xffff_ffff_ffff_ffff, 0x8000_0000_0000_0001];
        let mut probes: Vec<u64> = Vec::new();
        for c in constants {
            for d in [0u64, 1, 0xffff_ffff, 0x1_0000_0000] {
                probes.push(c.wrapping_add(d));
                probes.push(c.wrapping_sub(d));
            }
        }
        type Holds = fn(u64, u64) -> bool;
        let ops: [(Op, Holds); 6] = [
            (Op::Ne, |a, b| a != b),
            (Op::Lt, |a, b| a < b),
            (Op::Le, |a, b| a <= b),
            (Op::Eq, |a, b| a == b),
            (Op::Ge, |a, b| a >= b),
            (Op::Gt, |a, b| a > b),
        ];
        for (op, holds) in ops {
            for c in constants {
                for arg in [0u8, 3, 5] {
                    let mut f = x86(Action::Errno(1));
                    f.add_if(7, Action::Allow, &[Cmp::new(arg, op, c)]);
                    let p = f.compile().unwrap();
                    for &v in &probes {
                        let mut args = [0u64; 6];
                        args[arg as usize] = v;
                        let got = run(&p, &Data { nr: 7, arch: AUDIT_ARCH_X86_64, args });
                        let want = if holds(v, c) { ALLOW } else { EPERM_RET };
                        assert_eq!(got, want, "{op:?} arg{arg}={v:#x} vs {c:#x}");
                    }
                }
            }
        }
        let masks =
            [(0x7e02_0000u64, 0u64), (0xffff_0000_0000_00ff, 0x1234_0000_0000_0012), (0xff_0000_0000, 0x5_0000_0000)];
        for (mask, want) in masks {
            let mut f = x86(Action::Errno(1));
            f.add_if(7, Action::Allow, &[Cmp::masked_eq(2, mask, want)]);
            let p = f.compile().unwrap();
            for &v in probes.iter().chain(&[want, want | !mask, want ^ 1, want ^ (1 << 40)]) {
                let got = run(&p, &Data::x86_64(7, &[0, 0, v]));
                let expect = if v & mask == want { ALLOW } else { EPERM_RET };
                assert_eq!(got, expect, "masked_eq {v:#x} & {mask:#x} == {want:#x}");
            }
        }
    }

    #[test]
    fn rules_are_and_within_or_across_first_match_then_unconditional() {
        let mut f = x86(Action::Errno(1));
        f.add_if(3, Action::Errno(22), &[Cmp::new(0, Op::Eq, 1), Cmp::new(1, Op::Gt, 10)]);
        f.add_if(3, Action::Trap, &[Cmp::new(0, Op::Eq, 1)]);
        f.add(3, Action::Allow);
        f.add_if(3, Action::Allow, &[Cmp::new(2, Op::Eq, 5)]); // redundant with the fallback
        let p = f.compile().unwrap();
        let r = |a: &[u64]| run(&p, &Data::x86_64(3, a));
        assert_eq!(r(&[1, 11]), Action::Errno(22).ret());
        assert_eq!(r(&[1, 10]), Action::Trap.ret());
        assert_eq!(r(&[2, 11]), ALLOW);
        assert_eq!(r(&[0, 0, 5]), ALLOW);
        assert_eq!(run(&p, &Data::x86_64(4, &[])), EPERM_RET);
    }

    #[test]
    fn rule_order_across_syscalls_does_not_matter() {
        let rules = [
            (9, Action::Errno(22), 1),
            (3, Action::Allow, 0),
            (9, Action::Trap, 2),
            (1, Action::Allow, 0),
            (9, Action::Allow, 3),
        ];
        let mut mixed = x86(Action::Errno(1));
        let mut sorted = x86(Action::Errno(1));
        for &(nr, action, v) in &rules {
            mixed.add_if(nr, action, &[Cmp::new(0, Op::Eq, v)]);
        }
        for nr in [1, 3, 9] {
            for &(_, action, v) in rules.iter().filter(|r| r.0 == nr) {
                sorted.add_if(nr, action, &[Cmp::new(0, Op::Eq, v)]);
            }
        }
        let p = mixed.compile().unwrap();
        assert_eq!(p, sorted.compile().unwrap());
        assert_eq!(run(&p, &Data::x86_64(9, &[1])), Action::Errno(22).ret());
        assert_eq!(run(&p, &Data::x86_64(9, &[2])), Action::Trap.ret());
        assert_eq!(run(&p, &Data::x86_64(9, &[3])), ALLOW);
        assert_eq!(run(&p, &Data::x86_64(3, &[0])), ALLOW);
        assert_eq!(run(&p, &Data::x86_64(3, &[1])), EPERM_RET);
    }

    #[test]
    fn enosys_above_the_known_syscalls() {
        let mut f = x86(Action::Errno(1));
        f.enosys_above = Some(469);
        f.add(0, Action::Allow);
        let p = f.compile().unwrap();
        assert_eq!(run(&p, &Data::x86_64(0, &[])), ALLOW);
        assert_eq!(run(&p, &Data::x86_64(469, &[])), EPERM_RET);
        assert_eq!(run(&p, &Data::x86_64(470, &[])), Action::Errno(38).ret());
        assert_eq!(run(&p, &Data::x86_64(X32_SYSCALL_BIT - 1, &[])), Action::Errno(38).ret());
        assert_eq!(run(&p, &Data::x86_64(X32_SYSCALL_BIT, &[])), EPERM_RET);
        // Not with an allowing default.
        f.default = Action::Allow;
        let p = f.compile().unwrap();
        assert_eq!(run(&p, &Data::x86_64(470, &[])), ALLOW);
    }

    /// Many syscalls with alternating verdicts and big argument blocks: offsets far beyond 255
    /// must go through trampolines and still give every syscall its own verdict.
    #[test]
    fn long_programs_jump_through_trampolines() {
        let mut f = x86(Action::Errno(1));
        for nr in 0..400u32 {
            match nr % 4 {
                0 => f.add(nr, Action::Allow),
                1 => f.add(nr, Action::Errno(nr as u16)),
                2 => {
                    for v in 0..4 {
                        f.add_if(nr, Action::Trace(nr as u16), &[Cmp::new(1, Op::Eq, u64::from(nr) << 32 | v)]);
                    }
                }
                _ => {}
            }
        }
        let p = f.compile().unwrap();
        assert!(p.len() > 2000, "{}", p.len());
        assert!(p.iter().any(|i| i.code == JA), "expected long jumps");
        for nr in 0..420u32 {
            let want = match (nr % 4, nr < 400) {
                (0, true) => ALLOW,
                (1, true) => Action::Errno(nr as u16).ret(),
                (2, true) => Action::Trace(nr as u16).ret(),
                _ => EPERM_RET,
            };
            let args: &[u64] = if nr % 4 == 2 { &[0, u64::from(nr) << 32 | 3] } else { &[] };
            let (got, steps) = vm::run_counted(&p, &Data::x86_64(nr, args));
            assert_eq!(got, want, "nr {nr}");
            assert!(steps < 40, "nr {nr}: {steps} steps");
            if nr % 4 == 2 && nr < 400 {
                assert_eq!(run(&p, &Data::x86_64(nr, &[0, 3])), EPERM_RET, "nr {nr} high half");
            }
        }
    }

    #[test]
    fn too_long_and_bad_input_are_errors() {
        let mut f = x86(Action::Errno(1));
        for nr in 0..1000u32 {
            f.add_if(nr, Action::Allow, &[Cmp::new(0, Op::Eq, 1), Cmp::new(1, Op::Eq, 2)]);
        }
        assert!(matches!(f.compile(), Err(Error::TooLong(n)) if n > MAX_INSNS));

        let mut f = x86(Action::Allow);
        f.add(X32_SYSCALL_BIT, Action::Allow);
        assert_eq!(f.compile(), Err(Error::BadSyscall(X32_SYSCALL_BIT)));
        let mut f = x86(Action::Allow);
        f.add_if(1, Action::Allow, &[Cmp::new(6, Op::Eq, 0)]);
        assert_eq!(f.compile(), Err(Error::BadArg(6)));

        assert_eq!(
            Error::TooLong(5000).text(),
            std::format!("seccomp program too long: 5000 instructions (at most {MAX_INSNS})")
        );
        assert_eq!(Error::BadSyscall(X32_SYSCALL_BIT).text(), "invalid syscall number 1073741824");
        assert_eq!(Error::BadArg(0).to_string(), "invalid syscall argument index 0 (0 to 5)");
    }

    #[test]
    fn empty_rule_set_is_arch_check_and_default() {
        let p = x86(Action::KillThread).compile().unwrap();
        assert_eq!(p.len(), 6);
        assert_eq!(run(&p, &Data::x86_64(0, &[])), 0);
        assert_eq!(run(&p, &Data::x86_64(X32_SYSCALL_BIT, &[])), 0);
    }
    /// Elsewhere than on x86_64 there is no x32 bit to check: the architecture, then the number.
    #[test]
    fn aarch64_filter_denies_arm_and_has_no_x32_check() {
        let mut f = Filter::new(AUDIT_ARCH_AARCH64, Action::Errno(1));
        f.other_arches.push(AUDIT_ARCH_ARM);
        f.add(63, Action::Allow); // read
        let p = f.compile().unwrap();
        let expected = [
            ins(LD_W_ABS, 0, 0, DATA_ARCH),
            ins(JEQ_K, 2, 0, AUDIT_ARCH_AARCH64),
            ins(JEQ_K, 5, 0, AUDIT_ARCH_ARM),
            ins(RET_K, 0, 0, Action::KillProcess.ret()),
            ins(LD_W_ABS, 0, 0, DATA_NR),
            // spans: [0, 63) deny, [63] allow, [64..] deny
            ins(JGE_K, 0, 2, 63),
            ins(JGE_K, 1, 0, 64),
            ins(RET_K, 0, 0, ALLOW),
            ins(RET_K, 0, 0, EPERM_RET),
        ];
        assert_eq!(p, expected);
        let on = |arch, nr| run(&p, &Data::new(arch, nr, &[]));
        assert_eq!(on(AUDIT_ARCH_AARCH64, 63), ALLOW);
        assert_eq!(on(AUDIT_ARCH_AARCH64, 62), EPERM_RET);
        assert_eq!(on(AUDIT_ARCH_AARCH64, X32_SYSCALL_BIT | 63), EPERM_RET);
        assert_eq!(on(AUDIT_ARCH_ARM, 63), EPERM_RET, "a 32-bit program's read is denied, not allowed");
        assert_eq!(on(AUDIT_ARCH_X86_64, 63), Action::KillProcess.ret());
        assert_eq!(on(AUDIT_ARCH_RISCV64, 63), Action::KillProcess.ret());
    }

    /// arm's private syscalls (set_tls is 0xf0005) lie far above its table: a rule for one keeps
    /// ENOSYS for the unknown numbers between.
    #[test]
    fn enosys_between_the_table_and_a_private_syscall() {
        let mut f = Filter::new(AUDIT_ARCH_ARM, Action::Errno(1));
        f.enosys_above = Some(469);
        f.add(3, Action::Allow);
        f.add(0x0f_0005, Action::Allow);
        let p = f.compile().unwrap();
        let r = |nr| run(&p, &Data::new(AUDIT_ARCH_ARM, nr, &[]));
        assert_eq!(r(3), ALLOW);
        assert_eq!(r(469), EPERM_RET);
        assert_eq!(r(470), Action::Errno(38).ret());
        assert_eq!(r(0x0f_0004), Action::Errno(38).ret());
        assert_eq!(r(0x0f_0005), ALLOW);
        assert_eq!(r(0x0f_0006), Action::Errno(38).ret());
    }
}
