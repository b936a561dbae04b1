//! Process start-up without std or a C library: the kernel enters at `runt_start`, allocation
//! goes to [`super::heap`], the memory functions to `mem.rs`, and a panic prints one line and
//! exits 125 instead of unwinding.

#[cfg(not(test))]
mod entry {
    #[global_allocator]
    static ALLOCATOR: super::super::heap::Heap = super::super::heap::Heap::new();

    // The kernel starts the process here (build.rs names it as the entry point), with argc, the
    // argv pointers, a NULL, the envp pointers and a NULL on the stack. The stack pointer is
    // 16-byte aligned; `call` then leaves it as the ABI expects at a function's first instruction.
    // rbp = 0 ends the frame chain for debuggers.
    core::arch::global_asm!(
        ".globl runt_start",
        "runt_start:",
        "xor ebp, ebp",
        "mov rdi, rsp",
        "and rsp, -16",
        "call {start}",
        start = sym start,
    );

    /// Collects the arguments and environment from the initial stack, runs runt, exits with its
    /// status.
    extern "C" fn start(sp: *const usize) -> ! {
        // SAFETY: sp is the initial stack the kernel built: argc, then argc valid NUL-terminated
        // strings, a NULL, then a NULL-terminated environment; all of it lives for the whole
        // process.
        let (args, env) = unsafe {
            let argv = sp.add(1).cast::<*const u8>();
            (super::c_strings(argv, *sp), super::c_strings_nul(argv.add(*sp + 1)))
        };
        super::super::process::exit(crate::main(args, env))
    }

    /// Prints a fixed `runt: internal error` and exits 125. Neither the message nor the location
    /// is printed: formatting them keeps core::fmt and every panic's message and file path in the
    /// binary (about 2.5 KB here), and the heap may be what failed.
    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo) -> ! {
        let _ = super::super::fs::write_all(2, b"runt: internal error\n");
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

/// Borrows `n` C strings from a C array as byte slices.
///
/// # Safety
/// `arr` must point to at least `n` valid NUL-terminated strings that outlive the program.
#[cfg_attr(test, allow(dead_code))]
unsafe fn c_strings(arr: *const *const u8, n: usize) -> alloc::vec::Vec<&'static [u8]> {
    let mut v = alloc::vec::Vec::with_capacity(n);
    for i in 0..n {
        // SAFETY: the caller guarantees i < n entries are valid C strings.
        unsafe {
            let p = *arr.add(i);
            v.push(core::ffi::CStr::from_ptr(p.cast()).to_bytes());
        }
    }
    v
}

/// Borrows a NULL-terminated array of C strings.
///
/// # Safety
/// `arr` must be NULL or a NULL-terminated array of valid C strings that outlive the program.
#[cfg_attr(test, allow(dead_code))]
unsafe fn c_strings_nul(arr: *const *const u8) -> alloc::vec::Vec<&'static [u8]> {
    let mut n = 0;
    if !arr.is_null() {
        // SAFETY: the array is NULL-terminated, so reading until the NULL stays in bounds.
        while unsafe { !(*arr.add(n)).is_null() } {
            n += 1;
        }
    }
    // SAFETY: the first n entries are valid C strings, as counted above.
    unsafe { c_strings(arr, n) }
}
