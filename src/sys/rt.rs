//! Process start-up without std: musl's crt calls our `main`, allocation goes to musl's malloc,
//! and a panic prints one line and exits 125 instead of unwinding.

#[cfg(not(test))]
mod entry {
    use core::alloc::{GlobalAlloc, Layout};

    // musl's libc.a supplies crt start-up, malloc and the mem* functions; nothing else is used.
    #[link(name = "c")]
    extern "C" {
        fn malloc(size: usize) -> *mut u8;
        fn free(ptr: *mut u8);
        fn realloc(ptr: *mut u8, size: usize) -> *mut u8;
        fn aligned_alloc(align: usize, size: usize) -> *mut u8;
    }

    struct Malloc;

    // malloc guarantees 16-byte alignment on x86_64; larger alignments go to aligned_alloc.
    const MALLOC_ALIGN: usize = 16;

    // SAFETY: the functions forward to musl's allocator, which satisfies GlobalAlloc's contract
    // for the alignments each branch allows.
    unsafe impl GlobalAlloc for Malloc {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            if layout.align() <= MALLOC_ALIGN {
                // SAFETY: plain malloc call; a null return is passed on as allocation failure.
                unsafe { malloc(layout.size()) }
            } else {
                // SAFETY: aligned_alloc with a power-of-two alignment; size rounded up to it.
                unsafe { aligned_alloc(layout.align(), layout.size().next_multiple_of(layout.align())) }
            }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
            // SAFETY: ptr came from malloc/aligned_alloc/realloc above.
            unsafe { free(ptr) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            if layout.align() <= MALLOC_ALIGN {
                // SAFETY: ptr came from this allocator with malloc-compatible alignment.
                unsafe { realloc(ptr, new_size) }
            } else {
                // SAFETY: fall back to alloc + copy + free, as GlobalAlloc's default does.
                unsafe {
                    let new = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
                    if !new.is_null() {
                        core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                    new
                }
            }
        }
    }

    #[global_allocator]
    static ALLOCATOR: Malloc = Malloc;

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

    /// Called by musl's crt with the process arguments and environment.
    #[no_mangle]
    extern "C" fn main(argc: i32, argv: *const *const u8, envp: *const *const u8) -> i32 {
        // SAFETY: the kernel and crt hand us argc valid NUL-terminated strings in argv, and a
        // NULL-terminated envp array; they live for the whole process.
        let (args, env) = unsafe { (super::c_strings(argv, argc as usize), super::c_strings_nul(envp)) };
        crate::main(args, env)
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
