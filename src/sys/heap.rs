//! The global allocator, in place of musl's malloc: mallocng cost about 9 KB of the binary, this
//! costs a few hundred bytes.
//!
//! Blocks of up to 4 KB have power-of-two sizes (16 bytes to 4 KB) and are carved from 64 KB
//! chunks of anonymous memory; a freed block goes on the free list of its size and is reused as
//! is. Nothing small is given back to the kernel: runt lives for one container start (or one
//! wait), and its heap stays small. A larger block, or one aligned to more than 16, is a mapping of
//! its own: munmap frees it and mremap grows it without copying. Rust passes the layout back to
//! dealloc and realloc, so the size class is computed again and blocks need no header.
//!
//! No locks: runt is single-threaded, and a child made by clone without CLONE_VM (the only kind
//! runt makes) gets its own copy of the heap and of this state, as after fork.

use super::Errno;
use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicI32, Ordering::Relaxed};
use linux_raw_sys::general as k;
use syscalls::{syscall, Sysno};

/// Small blocks: 1 << MIN_SHIFT (the alignment malloc gives, and room for the free-list link) ..
/// 1 << MAX_SHIFT bytes.
const MIN_SHIFT: u32 = 4;
const MAX_SHIFT: u32 = 12;
const CHUNK: usize = 64 << 10;

pub struct Heap(UnsafeCell<State>);

struct State {
    /// Free lists by size shift; each free block holds the pointer to the next.
    free: [*mut u8; MAX_SHIFT as usize + 1],
    /// The unused rest of the current chunk.
    next: usize,
    end: usize,
}

// SAFETY: runt is single-threaded (see the module doc): the state is never shared between threads.
unsafe impl Sync for Heap {}

impl Heap {
    pub const fn new() -> Heap {
        Heap(UnsafeCell::new(State { free: [null_mut(); MAX_SHIFT as usize + 1], next: 0, end: 0 }))
    }
}

/// log2 of the block size for `l`, above MAX_SHIFT for a block mapped on its own.
fn shift(l: Layout) -> u32 {
    if l.align() > 1 << MIN_SHIFT {
        return u32::MAX;
    }
    usize::BITS - ((l.size().wrapping_sub(1)) | ((1 << MIN_SHIFT) - 1)).leading_zeros()
}

/// The errno of the last mmap or mremap the heap made that failed (0: none). A failed
/// allocation ends in the panic handler, which cannot format a message: this lets it say what
/// failed and why (`runt: mmap: Cannot allocate memory`) instead of an internal error.
static MAP_FAILED: AtomicI32 = AtomicI32::new(0);

/// The kernel's refusal behind a failed allocation, if that is why runt is panicking.
pub fn map_failed() -> Option<Errno> {
    match MAP_FAILED.load(Relaxed) {
        0 => None,
        e => Some(Errno::new(e)),
    }
}

/// The address of a new mapping, or null, the failure noted for the panic handler.
fn mapped(r: Result<usize, Errno>) -> *mut u8 {
    r.unwrap_or_else(|e| {
        MAP_FAILED.store(e.into_raw(), Relaxed);
        0
    }) as *mut u8
}

/// Fresh zeroed pages, or null. Alignment is the page size.
fn map(len: usize) -> *mut u8 {
    // SAFETY: an anonymous private mapping at an address the kernel picks touches no existing memory.
    mapped(unsafe {
        syscall!(super::arch::MMAP, 0, len, k::PROT_READ | k::PROT_WRITE, k::MAP_PRIVATE | k::MAP_ANONYMOUS, -1i32, 0)
    })
}

// SAFETY: small blocks are disjoint pieces of chunks, handed out once until dealloc puts them back
// on their list; a block of shift s is 1 << s bytes, at least the layout's size, and 16-aligned
// (chunks are page-aligned and carved in multiples of 16). Large blocks are whole mappings,
// page-aligned; larger alignments are refused (null).
unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let s = shift(l);
        if s > MAX_SHIFT {
            return if l.align() > 4096 { null_mut() } else { map(l.size()) };
        }
        // SAFETY: single-threaded (see the module doc), and no other reference to the state lives.
        let st = unsafe { &mut *self.0.get() };
        let head = &mut st.free[s as usize];
        if !head.is_null() {
            let p = *head;
            // SAFETY: a free block's first word is the link to the next free block.
            *head = unsafe { *p.cast::<*mut u8>() };
            return p;
        }
        let size = 1 << s;
        if st.end - st.next < size {
            let c = map(CHUNK);
            if c.is_null() {
                return c;
            }
            st.next = c as usize;
            st.end = st.next + CHUNK;
        }
        st.next += size;
        (st.next - size) as *mut u8
    }

    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        // SAFETY: as for alloc, which this is.
        let p = unsafe { self.alloc(l) };
        // A block mapped on its own is fresh pages, zero already: writing zeros over it would
        // only fault every page in (sixteen for each 64 KB read buffer, a few µs apiece). A
        // small block may be a reused one.
        if shift(l) <= MAX_SHIFT && !p.is_null() {
            // SAFETY: a non-null block from alloc has at least l.size() writable bytes.
            unsafe { core::ptr::write_bytes(p, 0, l.size()) };
        }
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        let s = shift(l);
        if s > MAX_SHIFT {
            // SAFETY: p is a whole mapping of l.size() bytes made by map; nothing uses it any more.
            let _ = unsafe { syscall!(Sysno::munmap, p, l.size()) };
            return;
        }
        // SAFETY: single-threaded; the block is at least 16 bytes and no longer in use, so its first
        // word can hold the link.
        unsafe {
            let head = &mut (*self.0.get()).free[s as usize];
            *p.cast::<*mut u8>() = *head;
            *head = p;
        }
    }

    unsafe fn realloc(&self, p: *mut u8, l: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees new_size rounded up to l.align() does not overflow.
        let nl = unsafe { Layout::from_size_align_unchecked(new_size, l.align()) };
        let (s, ns) = (shift(l), shift(nl));
        if s == ns && s <= MAX_SHIFT {
            return p;
        }
        if s > MAX_SHIFT && ns > MAX_SHIFT {
            // SAFETY: p is a whole mapping of l.size() bytes; MREMAP_MAYMOVE keeps its contents.
            return mapped(unsafe { syscall!(Sysno::mremap, p, l.size(), new_size, k::MREMAP_MAYMOVE) });
        }
        // SAFETY: as GlobalAlloc's own default: a new block, the common prefix copied, the old freed.
        unsafe {
            let q = self.alloc(nl);
            if !q.is_null() {
                core::ptr::copy_nonoverlapping(p, q, l.size().min(new_size));
                self.dealloc(p, l);
            }
            q
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    #[test]
    fn small_blocks_come_in_powers_of_two_and_are_reused() {
        let h = Heap::new();
        // SAFETY: every block is used within its layout and freed with the layout it came from.
        unsafe {
            let (a, b) = (h.alloc(layout(24, 8)), h.alloc(layout(32, 16)));
            assert_eq!(a as usize % 16, 0);
            assert_eq!(b as usize - a as usize, 32, "both are 32-byte blocks, carved one after the other");
            h.dealloc(a, layout(24, 8));
            assert_eq!(h.alloc(layout(17, 1)), a, "a freed block serves the next request of its size");
            assert_ne!(h.alloc(layout(16, 1)), a);
        }
    }

    #[test]
    fn zeroed_blocks_are_zero_even_when_reused_and_large_ones_are_not_touched() {
        let h = Heap::new();
        // SAFETY: every block is used within its layout and freed with the layout it came from.
        unsafe {
            let small = layout(100, 8);
            let p = h.alloc(small);
            core::ptr::write_bytes(p, 0xa5, 100);
            h.dealloc(p, small);
            let q = h.alloc_zeroed(small);
            assert_eq!(q, p, "the freed block is reused");
            assert!(core::slice::from_raw_parts(q, 100).iter().all(|&b| b == 0));
            // 64 KB zeroed: no page of it is touched until used (mincore: none resident).
            let large = layout(64 << 10, 1);
            let big = h.alloc_zeroed(large);
            let mut resident = [0u8; 16];
            assert_eq!(mincore(big, 64 << 10, &mut resident), 0);
            assert_eq!(resident, [0; 16], "alloc_zeroed wrote to a fresh mapping");
            assert!(core::slice::from_raw_parts(big, 64 << 10).iter().all(|&b| b == 0));
            h.dealloc(big, large);
        }
    }

    /// mincore(2): which pages of [p, p + len) are resident.
    fn mincore(p: *mut u8, len: usize, vec: &mut [u8]) -> isize {
        // SAFETY: vec has a byte per page of the range, which is one mapping of ours.
        match unsafe { syscall!(Sysno::mincore, p, len, vec.as_mut_ptr()) } {
            Ok(r) => r as isize,
            Err(e) => -(e.into_raw() as isize),
        }
    }

    #[test]
    fn realloc_keeps_the_contents_from_small_blocks_to_mappings_and_back() {
        let h = Heap::new();
        // SAFETY: p always holds `len` initialised bytes of a block of that layout.
        unsafe {
            let mut len = 5;
            let mut p = h.alloc(layout(len, 1));
            core::ptr::copy_nonoverlapping(b"hello".as_ptr(), p, len);
            let q = h.realloc(p, layout(len, 1), 15);
            assert_eq!(q, p, "5 and 15 bytes share the 16-byte class: grown in place");
            p = q;
            len = 15;
            for n in [100, 5000, 1 << 20, 3000, 7] {
                p = h.realloc(p, layout(len, 1), n);
                assert!(!p.is_null());
                assert_eq!(core::slice::from_raw_parts(p, 5), b"hello", "after realloc to {n}");
                core::ptr::write_bytes(p.add(5), 0xa5, n - 5);
                len = n;
            }
            h.dealloc(p, layout(len, 1));
        }
    }

    #[test]
    fn large_or_overaligned_blocks_are_mappings() {
        let h = Heap::new();
        // SAFETY: blocks are written within their layouts and freed with the layouts they came from.
        unsafe {
            for l in [layout(4097, 8), layout(8, 64), layout(100, 4096)] {
                let p = h.alloc(l);
                assert_eq!(p as usize % 4096, 0, "{l:?}");
                core::ptr::write_bytes(p, 1, l.size());
                h.dealloc(p, l);
            }
            assert!(h.alloc(layout(8, 8192)).is_null(), "mmap cannot promise more than page alignment");
        }
    }

    #[test]
    fn a_refused_mapping_is_noted_for_the_panic_handler() {
        assert!(mapped(Err(Errno::ENOMEM)).is_null());
        assert_eq!(map_failed(), Some(Errno::ENOMEM));
        // A real refusal too where a size is sure to be refused (2 GB may be mapped on 32 bits).
        #[cfg(target_pointer_width = "64")]
        {
            // SAFETY: nothing is written; a null block is not freed.
            assert!(unsafe { Heap::new().alloc(layout(1 << 62, 8)) }.is_null(), "4 EiB cannot be mapped");
            assert_eq!(map_failed(), Some(Errno::ENOMEM));
        }
    }
}
