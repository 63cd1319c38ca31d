//! Reference-counted byte buffers shared by every view of a tensor.
//!
//! A `Storage` never moves or resizes its memory, so views can hold an `Arc<Storage>` plus a
//! `Layout`. Access goes through a reader-writer lock: kernels read their inputs under `read()`
//! and in-place kernels write under `write()`, so tensors shared between Python threads (the GIL
//! is released around kernels) never race. Fresh outputs are written before anyone else can see
//! them. A storage can also wrap memory owned by someone else (a numpy array), kept alive by an
//! opaque owner for as long as the storage lives.

use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::alloc::{self, Layout as AllocLayout};
use std::any::Any;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// Alignment of every buffer we allocate: a cache line, enough for any SIMD load.
const ALIGN: usize = 64;

enum Owner {
    /// Allocated here with this layout (None for zero bytes: nothing to free).
    Rust(Option<AllocLayout>),
    /// Borrowed from elsewhere; dropping the owner releases it.
    External(#[allow(dead_code)] Box<dyn Any + Send + Sync>),
}

pub struct Storage {
    ptr: NonNull<u8>,
    nbytes: usize,
    owner: Owner,
    lock: RwLock<()>,
    /// Bumped by every in-place write; autograd compares it with the value it saved.
    version: AtomicU64,
    writable: bool,
}

// SAFETY: the buffer is plain bytes; every access to its contents goes through `lock`
// (or happens before the storage is shared), so moving or sharing the handle across threads is sound.
unsafe impl Send for Storage {}
unsafe impl Sync for Storage {}

impl Storage {
    fn alloc(nbytes: usize, zeroed: bool) -> Result<Storage> {
        if nbytes == 0 {
            return Ok(Storage::from_parts(NonNull::<u64>::dangling().cast(), 0, Owner::Rust(None)));
        }
        let layout = AllocLayout::from_size_align(nbytes, ALIGN)
            .map_err(|_| Error::runtime(format!("Trying to create tensor with {nbytes} bytes")))?;
        // SAFETY: layout has non-zero size.
        let raw = unsafe {
            if zeroed {
                alloc::alloc_zeroed(layout)
            } else {
                alloc::alloc(layout)
            }
        };
        let ptr = NonNull::new(raw).ok_or_else(|| {
            Error::runtime(format!(
                "[enforce fail at alloc_cpu.cpp] DefaultCPUAllocator: not enough memory: you tried to allocate {nbytes} bytes."
            ))
        })?;
        Ok(Storage::from_parts(ptr, nbytes, Owner::Rust(Some(layout))))
    }

    fn from_parts(ptr: NonNull<u8>, nbytes: usize, owner: Owner) -> Storage {
        Storage { ptr, nbytes, owner, lock: RwLock::new(()), version: AtomicU64::new(0), writable: true }
    }

    /// A zero-filled buffer.
    pub fn zeroed(nbytes: usize) -> Result<Storage> {
        Storage::alloc(nbytes, true)
    }

    /// A buffer whose contents are unspecified, for outputs a kernel fills completely (every
    /// `Tensor::empty` caller). Not zeroed: with our 64-byte alignment the system allocator has no
    /// calloc path, so zeroing was a full extra memset per op (2-3x the time of a 4M-element add).
    pub(crate) fn uninit(nbytes: usize) -> Result<Storage> {
        Storage::alloc(nbytes, false)
    }

    /// Wrap `nbytes` at `ptr` owned by `owner` (a numpy array, say), which is dropped with the storage.
    ///
    /// # Safety
    /// `ptr` must be valid for reads (and writes, if `writable`) of `nbytes` bytes for as long as
    /// `owner` lives, and aligned for the element type it will be read as.
    pub unsafe fn from_external(
        ptr: *mut u8,
        nbytes: usize,
        writable: bool,
        owner: Box<dyn Any + Send + Sync>,
    ) -> Storage {
        let ptr = NonNull::new(ptr).unwrap_or(NonNull::<u64>::dangling().cast());
        let mut s = Storage::from_parts(ptr, nbytes, Owner::External(owner));
        s.writable = writable;
        s
    }

    pub fn nbytes(&self) -> usize {
        self.nbytes
    }

    pub fn is_writable(&self) -> bool {
        self.writable
    }

    /// The address of the first byte (for identity checks and zero-copy export).
    pub fn data_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Relaxed)
    }

    pub fn bump_version(&self) {
        self.version.fetch_add(1, Ordering::Relaxed);
    }

    pub fn read(&self) -> ReadGuard<'_> {
        ReadGuard { _g: self.lock.read(), ptr: self.ptr.as_ptr() }
    }

    /// Exclusive access for in-place writes; bumps the version counter.
    pub fn write(&self) -> Result<WriteGuard<'_>> {
        if !self.writable {
            return Err(Error::runtime("cannot write to a read-only tensor (it wraps a non-writable array)"));
        }
        self.bump_version();
        Ok(WriteGuard { _g: self.lock.write(), ptr: self.ptr.as_ptr() })
    }
}

impl Drop for Storage {
    fn drop(&mut self) {
        if let Owner::Rust(Some(layout)) = self.owner {
            // SAFETY: allocated in `alloc` with exactly this layout.
            unsafe { alloc::dealloc(self.ptr.as_ptr(), layout) }
        }
    }
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Storage({} bytes at {:p})", self.nbytes, self.ptr)
    }
}

/// Shared read access; the pointer is valid while the guard lives.
pub struct ReadGuard<'a> {
    _g: RwLockReadGuard<'a, ()>,
    ptr: *mut u8,
}

impl ReadGuard<'_> {
    pub fn ptr(&self) -> *const u8 {
        self.ptr
    }
}

/// Exclusive write access; the pointer is valid while the guard lives.
pub struct WriteGuard<'a> {
    _g: RwLockWriteGuard<'a, ()>,
    ptr: *mut u8,
}

impl WriteGuard<'_> {
    pub fn ptr(&self) -> *mut u8 {
        self.ptr
    }
}
