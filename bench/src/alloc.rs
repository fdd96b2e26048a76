//! A global allocator that counts heap bytes while a measurement window is open.
//!
//! Outside a window it only forwards to `System` after one relaxed load, so the throughput
//! workloads pay next to nothing for it.

// Implementing `GlobalAlloc` is unsafe by definition; every method only forwards to `System`
// with the caller's own arguments.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering::Relaxed};

/// `System`, counted while a window is open.
pub struct Counting;

static OPEN: AtomicBool = AtomicBool::new(false);
static CURRENT: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

fn grow(bytes: isize) {
    if OPEN.load(Relaxed) {
        let now = CURRENT.fetch_add(bytes, Relaxed) + bytes;
        PEAK.fetch_max(now, Relaxed);
    }
}

fn signed(bytes: usize) -> isize {
    isize::try_from(bytes).unwrap_or(isize::MAX)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is passed on unchanged.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grow(signed(layout.size()));
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grow(signed(layout.size()));
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, which is `System`'s.
        unsafe { System.dealloc(ptr, layout) };
        grow(-signed(layout.size()));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`, with the caller's new size.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            grow(signed(new_size) - signed(layout.size()));
        }
        new
    }
}

/// Opens a window: from now on, bytes allocated minus bytes freed are counted from zero.
///
/// Blocks allocated before the window and freed during it count negative, so figures are
/// differences taken inside one window.
pub fn open() {
    CURRENT.store(0, Relaxed);
    PEAK.store(0, Relaxed);
    OPEN.store(true, Relaxed);
}

/// Closes the window.
pub fn close() {
    OPEN.store(false, Relaxed);
}

/// Net bytes allocated since the window opened.
pub fn current() -> isize {
    CURRENT.load(Relaxed)
}

/// The highest [`current`] since the window opened.
pub fn peak() -> isize {
    PEAK.load(Relaxed)
}
