//! Process start-up without std or a C library: the kernel enters at `runt_start`, allocation
//! goes to [`super::heap`], the memory functions to `mem.rs`, and a panic prints one line and
//! exits 125 instead of unwinding. [`exec_again`] starts the same program over from another file.

use super::{Errno, Fd};
use core::sync::atomic::{AtomicPtr, Ordering};
use syscalls::{syscall, Sysno};

/// The argv and envp arrays the kernel put on the initial stack (NULL until `start` runs).
static ARGV: AtomicPtr<*const u8> = AtomicPtr::new(core::ptr::null_mut());
static ENVP: AtomicPtr<*const u8> = AtomicPtr::new(core::ptr::null_mut());

/// execveat(2) of `file` itself (AT_EMPTY_PATH) with the very argv and environment this process
/// was started with. Returns only on failure (ENOEXEC where nothing was recorded: unit tests).
pub fn exec_again(file: &Fd) -> Errno {
    let (argv, envp) = (ARGV.load(Ordering::Relaxed), ENVP.load(Ordering::Relaxed));
    if argv.is_null() || envp.is_null() {
        return Errno::ENOEXEC;
    }
    let flags = linux_raw_sys::general::AT_EMPTY_PATH;
    // SAFETY: argv and envp are the kernel's NULL-terminated arrays of C strings on the initial
    // stack, which nothing writes to and which live as long as the process; the path is an empty
    // C string.
    match unsafe { syscall!(Sysno::execveat, file.raw(), c"".as_ptr(), argv, envp, flags) } {
        Ok(_) => Errno::EINVAL,
        Err(e) => e,
    }
}

/// The environment runt was started with, as execve takes it: pointers to its strings, then a
/// NULL. Only the NULL before `start` has run (unit tests).
pub fn environment() -> alloc::vec::Vec<*const u8> {
    let mut v = alloc::vec::Vec::new();
    let mut p = ENVP.load(Ordering::Relaxed).cast_const();
    // SAFETY: a non-NULL ENVP is the kernel's NULL-terminated array of C strings on the initial
    // stack, which nothing writes to and which lives as long as the process.
    unsafe {
        while !p.is_null() && !(*p).is_null() {
            v.push(*p);
            p = p.add(1);
        }
    }
    v.push(core::ptr::null());
    v
}

#[cfg(not(test))]
mod entry {
    use alloc::vec::Vec;

    #[global_allocator]
    static ALLOCATOR: super::super::heap::Heap = super::super::heap::Heap::new();

    // The kernel starts the process here (build.rs names it as the entry point), with argc, the
    // argv pointers, a NULL, the envp pointers and a NULL on the stack; the stack pointer is
    // 16-byte aligned on the 64-bit architectures and 8-byte on arm. Each passes the stack
    // pointer as `start`'s first argument, aligns the stack as the ABI wants it at a call and
    // clears the frame pointer and (where there is one) the link register, which ends the frame
    // chain for debuggers.
    // x86_64: `call` leaves the stack as the ABI expects at a function's first instruction.
    #[cfg(target_arch = "x86_64")]
    core::arch::global_asm!(
        ".globl runt_start",
        "runt_start:",
        "xor ebp, ebp",
        "mov rdi, rsp",
        "and rsp, -16",
        "call {start}",
        start = sym start,
    );

    #[cfg(target_arch = "aarch64")]
    core::arch::global_asm!(
        ".globl runt_start",
        ".type runt_start, %function",
        "runt_start:",
        "mov x29, #0",
        "mov x30, #0",
        "mov x0, sp",
        "and sp, x0, #-16",
        "bl {start}",
        start = sym start,
    );

    // arm: in ARM state (the entry address is even); `bl` reaches `start` whether it was compiled
    // to ARM or Thumb code (the linker makes it a `blx` for Thumb).
    #[cfg(target_arch = "arm")]
    core::arch::global_asm!(
        ".globl runt_start",
        ".type runt_start, %function",
        ".arm",
        "runt_start:",
        "mov fp, #0",
        "mov lr, #0",
        "mov r0, sp",
        "bic r1, r0, #15",
        "mov sp, r1",
        "bl {start}",
        start = sym start,
    );

    // riscv64: gp first, as the linker may have relaxed accesses to globals into gp-relative ones
    // (and must not relax the instructions that set it).
    #[cfg(target_arch = "riscv64")]
    core::arch::global_asm!(
        ".globl runt_start",
        ".type runt_start, %function",
        "runt_start:",
        ".option push",
        ".option norelax",
        "lla gp, __global_pointer$",
        ".option pop",
        "li fp, 0",
        "li ra, 0",
        "mv a0, sp",
        "andi sp, sp, -16",
        "call {start}",
        start = sym start,
    );

    /// Collects the arguments and environment from the initial stack, runs runt, exits with its
    /// status.
    extern "C" fn start(sp: *const usize) -> ! {
        // SAFETY: sp is the initial stack the kernel built: argc, then argv (argc valid
        // NUL-terminated strings and a NULL), then envp (strings and a NULL); all of it lives for
        // the whole process.
        let (args, env) = unsafe {
            let argv = sp.add(1).cast::<*const u8>();
            let envp = argv.add(*sp + 1);
            super::ARGV.store(argv.cast_mut(), super::Ordering::Relaxed);
            super::ENVP.store(envp.cast_mut(), super::Ordering::Relaxed);
            (c_strings(argv), c_strings(envp))
        };
        super::super::process::exit(crate::main(args, env))
    }

    /// Borrows the strings of a NULL-terminated array of C strings as byte slices.
    ///
    /// # Safety
    /// `arr` must be a NULL-terminated array of valid C strings that outlive the program.
    unsafe fn c_strings(mut arr: *const *const u8) -> Vec<&'static [u8]> {
        let mut v = Vec::new();
        // SAFETY: the caller's guarantee: every entry up to the NULL is a valid C string.
        unsafe {
            while !(*arr).is_null() {
                v.push(core::ffi::CStr::from_ptr((*arr).cast()).to_bytes());
                arr = arr.add(1);
            }
        }
        v
    }

    /// Prints one fixed line and exits 125: `runt: mmap: <errno>` when the heap could not get
    /// memory (what makes Rust's allocation failures panic), else `runt: internal error`. Neither
    /// the message nor the location is printed: formatting them keeps core::fmt and every panic's
    /// message and file path in the binary (about 2.5 KB here), and the heap may be what failed.
    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo) -> ! {
        let _ = match super::super::heap::map_failed() {
            Some(e) => {
                let parts: [&[u8]; 3] = [b"runt: mmap: ", super::super::strerror(e).as_bytes(), b"\n"];
                parts.iter().try_for_each(|p| super::super::fs::write_all(2, p))
            }
            None => super::super::fs::write_all(2, b"runt: internal error\n"),
        };
        super::super::process::exit(125)
    }

    // The prebuilt alloc crate was compiled with unwinding and names these two symbols. runt is
    // built with panic=abort, so neither is ever reached; they exist only to satisfy the linker.
    #[no_mangle]
    extern "C" fn rust_eh_personality() {}

    #[no_mangle]
    extern "C" fn _Unwind_Resume() -> ! {
        super::super::process::exit(125)
    }
}
