//! The C functions that compiled Rust calls (memcpy, memmove, memset, memcmp, bcmp, strlen), in
//! place of a C library's: runt links none. On x86_64 `rep movsb`/`rep stosb` are short and fast
//! on current CPUs; elsewhere the copies and fills are loops a word at a time whose stores are
//! volatile: written as plain loops, the compiler would turn them back into calls to themselves.

#[cfg(target_arch = "x86_64")]
mod x86_64 {
    use core::arch::asm;

    #[no_mangle]
    unsafe extern "C" fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
        // SAFETY: the caller passes n valid, non-overlapping bytes at src and dst.
        unsafe {
            asm!("rep movsb", inout("rcx") n => _, inout("rdi") dst => _, inout("rsi") src => _,
                options(nostack, preserves_flags));
        }
        dst
    }

    #[no_mangle]
    unsafe extern "C" fn memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
        if (dst as usize).wrapping_sub(src as usize) >= n {
            // dst is below src or past its end: a forward copy never reads a byte it already wrote.
            // SAFETY: as memcpy; forward is safe for this overlap.
            return unsafe { memcpy(dst, src, n) };
        }
        // SAFETY: dst overlaps the end of src: copy backwards, from the last byte (n > 0 here); the
        // direction flag is cleared again as the ABI requires.
        unsafe {
            asm!("std", "rep movsb", "cld", inout("rcx") n => _, inout("rdi") dst.add(n - 1) => _,
                inout("rsi") src.add(n - 1) => _, options(nostack));
        }
        dst
    }

    #[no_mangle]
    unsafe extern "C" fn memset(dst: *mut u8, c: i32, n: usize) -> *mut u8 {
        // SAFETY: the caller passes n valid bytes at dst.
        unsafe {
            asm!("rep stosb", inout("rcx") n => _, inout("rdi") dst => _, in("al") c as u8,
                options(nostack, preserves_flags));
        }
        dst
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod portable {
    use core::ptr::{read, write_volatile};

    const WORD: usize = core::mem::size_of::<usize>();

    #[no_mangle]
    unsafe extern "C" fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
        let mut i = 0;
        if (dst as usize | src as usize).is_multiple_of(WORD) {
            while i + WORD <= n {
                // SAFETY: the caller passes n valid, non-overlapping bytes at src and dst; both are
                // word-aligned here, and i + WORD <= n.
                unsafe { write_volatile(dst.add(i).cast::<usize>(), read(src.add(i).cast::<usize>())) };
                i += WORD;
            }
        }
        while i < n {
            // SAFETY: as above, byte by byte for the rest.
            unsafe { write_volatile(dst.add(i), read(src.add(i))) };
            i += 1;
        }
        dst
    }

    #[no_mangle]
    unsafe extern "C" fn memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
        if (dst as usize).wrapping_sub(src as usize) >= n {
            // dst is below src or past its end: a forward copy never reads a byte it already
            // wrote.
            // SAFETY: as memcpy; forward is safe for this overlap.
            return unsafe { memcpy(dst, src, n) };
        }
        // dst overlaps the end of src: copy backwards, from the last byte.
        let mut i = n;
        while i > 0 {
            i -= 1;
            // SAFETY: the caller passes n valid bytes at src and dst; i < n.
            unsafe { write_volatile(dst.add(i), read(src.add(i))) };
        }
        dst
    }

    #[no_mangle]
    unsafe extern "C" fn memset(dst: *mut u8, c: i32, n: usize) -> *mut u8 {
        let mut i = 0;
        if (dst as usize).is_multiple_of(WORD) {
            let word = usize::from_ne_bytes([c as u8; WORD]);
            while i + WORD <= n {
                // SAFETY: the caller passes n valid bytes at dst, word-aligned here; i + WORD <= n.
                unsafe { write_volatile(dst.add(i).cast::<usize>(), word) };
                i += WORD;
            }
        }
        while i < n {
            // SAFETY: as above, byte by byte for the rest.
            unsafe { write_volatile(dst.add(i), c as u8) };
            i += 1;
        }
        dst
    }
}

#[no_mangle]
unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    for i in 0..n {
        // SAFETY: the caller passes n valid bytes at a and b.
        let (x, y) = unsafe { (*a.add(i), *b.add(i)) };
        if x != y {
            return i32::from(x) - i32::from(y);
        }
    }
    0
}

#[no_mangle]
unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: same contract as memcmp.
    unsafe { memcmp(a, b, n) }
}

#[no_mangle]
unsafe extern "C" fn strlen(s: *const u8) -> usize {
    let mut n = 0;
    // SAFETY: the caller passes a NUL-terminated string, so every byte up to the NUL is readable.
    while unsafe { *s.add(n) } != 0 {
        n += 1;
    }
    n
}
