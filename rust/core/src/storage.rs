//! Reference-counted byte buffers shared by every view of a tensor, on any device.
//!
//! A `Storage` never moves or resizes its memory, so views can hold an `Arc<Storage>` plus a
//! `Layout`. Its bytes are host memory (the CPU), nothing at all (the meta device: only the size
//! is real), or a buffer a device backend owns (an opaque handle here); the version counter and
//! the inference flag are the same for all three. Host access ([`Storage::read`],
//! [`Storage::write`]) returns a device error for storages without host memory, so a kernel can
//! never touch bytes that are not there. Access goes through a reader-writer lock: kernels read their inputs under `read()`
//! and in-place kernels write under `write()`, so tensors shared between Python threads (the GIL
//! is released around kernels) never race. Fresh outputs are written before anyone else can see
//! them. A storage can also wrap memory owned by someone else (a numpy array), kept alive by an
//! opaque owner for as long as the storage lives.
//!
//! Storages made while this thread is in inference mode ([`set_inference_mode`], torch's
//! `inference_mode()`) hold inference tensors: they may only be written in place (after the
//! write that creates them) in inference mode again, as in torch.

use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::alloc::Layout as AllocLayout;
use std::any::Any;
use std::cell::Cell;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::allocator;
use crate::device::Device;
use crate::error::{Error, Result};

/// Where the bytes are.
enum Memory {
    /// Host memory at `ptr`, released as `owner` says.
    Host { ptr: NonNull<u8>, owner: Owner },
    /// None: a meta storage has a size and no bytes.
    Meta,
    /// A buffer of a device backend (a GPU buffer), dropped with the storage.
    Backend { device: Device, buffer: Box<dyn Any + Send + Sync> },
}

enum Owner {
    /// Allocated here with this layout (None for zero bytes: nothing to free).
    Rust(Option<AllocLayout>),
    /// Borrowed from elsewhere; dropping the owner releases it.
    External(#[allow(dead_code)] Box<dyn Any + Send + Sync>),
}

thread_local! {
    /// Inference mode, thread-local like torch's (the Python bindings switch it).
    static INFERENCE_MODE: Cell<bool> = const { Cell::new(false) };
}

/// Whether this thread is in inference mode.
pub fn inference_mode() -> bool {
    INFERENCE_MODE.with(|m| m.get())
}

/// Enter or leave inference mode on this thread; returns the previous mode.
pub fn set_inference_mode(on: bool) -> bool {
    INFERENCE_MODE.with(|m| m.replace(on))
}

/// torch's error for an in-place write to an inference tensor outside inference mode.
const INFERENCE_INPLACE: &str = "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a clone to get a normal tensor before doing inplace update.See https://github.com/pytorch/rfcs/pull/17 for more details.";

pub struct Storage {
    memory: Memory,
    nbytes: usize,
    lock: RwLock<()>,
    /// Bumped by every in-place write; autograd compares it with the value it saved.
    version: AtomicU64,
    /// Set on buffers made for a kernel to fill (`uninit`): that first write is the tensor's
    /// creation, not an in-place modification, so it does not count as a version (a new tensor
    /// is at version 0, as in torch).
    fresh: AtomicBool,
    writable: bool,
    /// Made in inference mode: its tensors are inference tensors.
    inference: bool,
}

// SAFETY: host memory is plain bytes; every access to its contents goes through `lock` (or
// happens before the storage is shared), so moving or sharing the handle across threads is
// sound. Backend buffers are `Send + Sync` themselves.
unsafe impl Send for Storage {}
unsafe impl Sync for Storage {}

impl Storage {
    fn alloc(nbytes: usize, zeroed: bool) -> Result<Storage> {
        if nbytes == 0 {
            return Ok(Storage::from_memory(Memory::Host { ptr: NonNull::<u64>::dangling().cast(), owner: Owner::Rust(None) }, 0));
        }
        let (ptr, layout) = allocator::allocate(nbytes, zeroed).ok_or_else(|| allocator::out_of_memory(nbytes))?;
        Ok(Storage::from_memory(Memory::Host { ptr, owner: Owner::Rust(Some(layout)) }, nbytes))
    }

    fn from_memory(memory: Memory, nbytes: usize) -> Storage {
        Storage {
            memory,
            nbytes,
            lock: RwLock::new(()),
            version: AtomicU64::new(0),
            fresh: AtomicBool::new(false),
            writable: true,
            inference: inference_mode(),
        }
    }

    /// A meta storage: `nbytes` long, with no bytes at all. (Device backends make their
    /// storages with [`Storage::from_backend`].)
    pub fn meta(nbytes: usize) -> Storage {
        Storage::from_memory(Memory::Meta, nbytes)
    }

    /// A storage of `nbytes` whose bytes are `buffer`, a device backend's own handle (released
    /// when the storage is dropped). The backend reads it back with [`Storage::backend_buffer`].
    /// Its first backend write is its creation ([`Storage::backend_written`]).
    pub fn from_backend(device: Device, nbytes: usize, buffer: Box<dyn Any + Send + Sync>) -> Storage {
        let s = Storage::from_memory(Memory::Backend { device, buffer }, nbytes);
        s.fresh.store(true, Ordering::Relaxed);
        s
    }

    /// The backend's buffer of a device storage (None for host and meta storages).
    pub fn backend_buffer(&self) -> Option<&(dyn Any + Send + Sync)> {
        match &self.memory {
            Memory::Backend { buffer, .. } => Some(buffer.as_ref()),
            _ => None,
        }
    }

    /// Where the bytes live.
    pub fn device(&self) -> Device {
        match &self.memory {
            Memory::Host { .. } => Device::Cpu,
            Memory::Meta => Device::Meta,
            Memory::Backend { device, .. } => *device,
        }
    }

    /// A zero-filled buffer.
    pub fn zeroed(nbytes: usize) -> Result<Storage> {
        Storage::alloc(nbytes, true)
    }

    /// A buffer whose contents are unspecified, for outputs a kernel fills completely.
    pub(crate) fn uninit(nbytes: usize) -> Result<Storage> {
        let s = Storage::alloc(nbytes, false)?;
        s.fresh.store(true, Ordering::Relaxed);
        Ok(s)
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
        let mut s = Storage::from_memory(Memory::Host { ptr, owner: Owner::External(owner) }, nbytes);
        s.writable = writable;
        s
    }

    pub fn nbytes(&self) -> usize {
        self.nbytes
    }

    pub fn is_writable(&self) -> bool {
        self.writable
    }

    /// The address of the first host byte (for identity checks and zero-copy export); null
    /// for a storage without host memory (torch's `data_ptr()` of a meta tensor is 0).
    pub fn data_ptr(&self) -> *mut u8 {
        match &self.memory {
            Memory::Host { ptr, .. } => ptr.as_ptr(),
            _ => std::ptr::null_mut(),
        }
    }

    /// The host address, or the device error of a storage without host memory.
    fn host_ptr(&self) -> Result<*mut u8> {
        match &self.memory {
            Memory::Host { ptr, .. } => Ok(ptr.as_ptr()),
            _ => Err(Error::NoHostData(self.device())),
        }
    }

    /// Whether it was made in inference mode (its tensors are torch's inference tensors).
    pub fn is_inference(&self) -> bool {
        self.inference
    }

    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Relaxed)
    }

    /// A device backend wrote into this storage: the version counts it unless it was the
    /// write that created the tensor (as `write()` counts host writes).
    pub fn backend_written(&self) {
        if !self.fresh.swap(false, Ordering::Relaxed) {
            self.bump_version();
        }
    }

    pub fn bump_version(&self) {
        self.version.fetch_add(1, Ordering::Relaxed);
    }

    /// Shared access to the host bytes; a device error for a meta or backend storage.
    pub fn read(&self) -> Result<ReadGuard<'_>> {
        let ptr = self.host_ptr()?;
        Ok(ReadGuard { _g: self.lock.read(), ptr })
    }

    /// Exclusive access for in-place writes; bumps the version counter (except for the write
    /// that fills a fresh output). An inference storage is written in place only in inference
    /// mode. A device error for a meta or backend storage (nothing is bumped then).
    pub fn write(&self) -> Result<WriteGuard<'_>> {
        let ptr = self.host_ptr()?;
        if !self.writable {
            return Err(Error::runtime("cannot write to a read-only tensor (it wraps a non-writable array)"));
        }
        if !self.fresh.swap(false, Ordering::Relaxed) {
            if self.inference && !inference_mode() {
                return Err(Error::runtime(INFERENCE_INPLACE));
            }
            self.bump_version();
        }
        Ok(WriteGuard { _g: self.lock.write(), ptr })
    }
}

impl Drop for Storage {
    fn drop(&mut self) {
        if let Memory::Host { ptr, owner: Owner::Rust(Some(layout)) } = self.memory {
            // SAFETY: allocated by `allocator::allocate` with exactly this layout.
            unsafe { allocator::release(ptr, layout) }
        }
    }
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Storage({} bytes on {} at {:p})", self.nbytes, self.device(), self.data_ptr())
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
