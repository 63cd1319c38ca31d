"""The size-class buffer pool: every allocation is a `Region` of a pooled wgpu storage buffer (a
`Block`); freed blocks go back to their size class's free list and are reused, so a training loop
allocates no new buffer after its first step. Accounting follows torch.cuda's caching allocator:
`allocated` counts the blocks held by live regions (their class size, as torch counts its rounded
blocks), `reserved` counts every block the pool owns (held + cached), `peak` the largest
`allocated` since the last reset; `empty_cache` destroys the cached blocks.

One block, one wgpu buffer: a region is the whole block today (offset 0), so two tensors never
share a buffer and one dispatch may bind any mix of them (WebGPU forbids binding one buffer
writable and read-only in the same dispatch). The region carries an offset so that sub-allocation
of small blocks from slabs can come later without changing what tensors hold."""

import os
import threading

import wgpu

from . import OutOfMemoryError

USAGE = wgpu.BufferUsage.STORAGE | wgpu.BufferUsage.COPY_SRC | wgpu.BufferUsage.COPY_DST
MIN_BLOCK = 256


def size_class(nbytes):
    """The block size serving `nbytes`: 256 bytes at least, then four classes per octave (at
    most 25% slack), always a multiple of 256 bytes (copies and bindings want 4-byte multiples,
    offsets 256-byte ones)."""
    if nbytes <= MIN_BLOCK:
        return MIN_BLOCK
    step = 1 << max(8, nbytes.bit_length() - 3)
    return (nbytes + step - 1) // step * step


def format_size(n):
    """torch's allocator formatting: '512 bytes', '1.50 KiB', '20.00 MiB', '1.00 GiB'."""
    if n < 1024:
        return f"{n} bytes"
    for unit, scale in (("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30)):
        if n < scale << 10 or unit == "GiB":
            return f"{n / scale:.2f} {unit}"


class Block:
    __slots__ = ("buffer", "size", "uid", "__weakref__")
    _next_uid = 0

    def __init__(self, buffer, size):
        self.buffer = buffer
        self.size = size
        Block._next_uid += 1
        self.uid = Block._next_uid  # bind groups are cached by these (never reused, unlike id())


class Region:
    """What a tensor's storage holds on the wgpu device: `nbytes` bytes at `offset` of
    `block.buffer`. Released (its block back to the pool) by `release()` or when it dies."""
    __slots__ = ("block", "offset", "nbytes", "_pool")

    def __init__(self, pool, block, nbytes, offset=0):
        self._pool = pool
        self.block = block
        self.offset = offset
        self.nbytes = nbytes

    @property
    def buffer(self):
        return self.block.buffer

    def release(self):
        pool, self._pool = self._pool, None
        if pool is not None and self.block is not None:
            pool._free(self.block)

    def __del__(self):
        try:
            self.release()
        except Exception:  # noqa: BLE001 - interpreter shutdown: the device may be gone already
            pass

    def __repr__(self):
        return f"<Region {self.nbytes} bytes at {self.offset} of block {self.block.uid if self.block else None}>"


def host_memory():
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 0


class BufferPool:
    def __init__(self, device, *, max_buffer_size, total_memory, device_label, on_destroy=None, before_release=None):
        self.device = device
        self.max_buffer_size = max_buffer_size
        self.total_memory = total_memory
        self.device_label = device_label
        self.on_destroy = on_destroy  # called with a Block before its buffer is destroyed
        self.before_release = before_release  # called before cached blocks are destroyed (the runtime
        # flushes: a queued dispatch may still use a block freed after it was recorded)
        self.fraction = 1.0
        self.allocated = 0
        self.reserved = 0
        self.peak = 0
        self.peak_reserved = 0
        self.num_allocs = 0      # regions handed out
        self.num_buffers = 0     # wgpu buffers created
        self.num_ooms = 0
        self._free_lists = {}    # class size -> [Block]
        # Every block held by a region, by uid. The pool must own its blocks strongly: a region
        # that dies in a reference cycle is finalized together with everything only it reaches,
        # and wgpu-py's GPUBuffer.__del__ would release the buffer that Region.__del__ is just
        # handing back to the free list (a NULL handle later: wgpu-native aborts the process).
        self._in_use = {}
        self._pending = []       # blocks freed while another thread held the lock
        self._lock = threading.RLock()  # a Region dying inside alloc (GC) frees under it

    @property
    def allowed(self):
        return int(self.fraction * self.total_memory)

    def set_fraction(self, fraction):
        if not isinstance(fraction, float):
            raise TypeError("Invalid type for fraction argument, must be `float`")
        if not 0 <= fraction <= 1:
            raise ValueError(f"Invalid fraction value: {fraction}. Allowed range: 0~1")
        self.fraction = fraction

    def alloc(self, nbytes):
        nbytes = int(nbytes)
        if nbytes < 0:
            raise ValueError(f"negative allocation size {nbytes}")
        if nbytes == 0:
            return Region(None, None, 0)
        size = size_class(nbytes)
        with self._lock:
            while self._pending:
                self._give_back(self._pending.pop())
            free = self._free_lists.get(size)
            if free:
                block = free.pop()
            else:
                block = self._new_block(size, nbytes)
            self._in_use[block.uid] = block
            self.allocated += size
            if self.allocated > self.peak:
                self.peak = self.allocated
            self.num_allocs += 1
        return Region(self, block, nbytes)

    def _new_block(self, size, nbytes):
        if size > self.max_buffer_size:
            self.num_ooms += 1
            raise OutOfMemoryError(
                f"wgpu out of memory. Tried to allocate {format_size(nbytes)}, more than the largest buffer "
                f"{self.device_label} can hold (max-buffer-size {format_size(self.max_buffer_size)}).")
        if self.reserved + size > self.allowed:
            self._release_cached()  # as torch does: give back the cache, then try again
            if self.reserved + size > self.allowed:
                self.num_ooms += 1
                raise OutOfMemoryError(self._oom_message(nbytes))
        try:
            buffer = self.device.create_buffer(size=size, usage=USAGE)
        except Exception:  # noqa: BLE001 - the driver's own out-of-memory (wgpu's GPUOutOfMemoryError...)
            self._release_cached()
            try:
                buffer = self.device.create_buffer(size=size, usage=USAGE)
            except Exception as e:  # noqa: BLE001
                self.num_ooms += 1
                raise OutOfMemoryError(self._oom_message(nbytes) + f" The driver said: {e}") from e
        self.reserved += size
        self.peak_reserved = max(self.peak_reserved, self.reserved)
        self.num_buffers += 1
        return Block(buffer, size)

    def _oom_message(self, nbytes):
        cached = self.reserved - self.allocated
        return (f"wgpu out of memory. Tried to allocate {format_size(nbytes)}. {self.device_label} has a total "
                f"capacity of {format_size(self.total_memory)}, of which this process may use "
                f"{format_size(self.allowed)} (per-process memory fraction {self.fraction:g}). Of the allocated "
                f"memory {format_size(self.allocated)} is allocated by rstorch, with {format_size(self.allowed)} "
                f"allowed; and {format_size(cached)} is reserved by rstorch but unallocated.")

    def _free(self, block):
        # Region.__del__ runs wherever the garbage collector fires, possibly on a thread that
        # holds the runtime's lock while another holds this one and waits for the runtime (to
        # flush before destroying cached buffers): never block here, defer the free instead.
        if not self._lock.acquire(blocking=False):
            self._pending.append(block)  # list.append is atomic; drained by the next locked call
            return
        try:
            self._give_back(block)
        finally:
            self._lock.release()

    def _give_back(self, block):
        if self._in_use.pop(block.uid, None) is None:
            return  # not ours to free (twice, or after a reset)
        self.allocated -= block.size
        self._free_lists.setdefault(block.size, []).append(block)

    def drain(self):
        """Apply the frees deferred by contention (the statistics call this first)."""
        if self._pending:
            with self._lock:
                while self._pending:
                    self._give_back(self._pending.pop())

    def _release_cached(self):
        if not any(self._free_lists.values()):
            return
        if self.before_release is not None:
            self.before_release()
        for blocks in self._free_lists.values():
            for block in blocks:
                if self.on_destroy is not None:
                    self.on_destroy(block)
                self.reserved -= block.size
                block.buffer.destroy()
                block.buffer = None
            blocks.clear()

    def empty_cache(self):
        self.drain()
        with self._lock:
            self._release_cached()

    def reset_peak(self):
        self.drain()
        self.peak = self.allocated
        self.peak_reserved = self.reserved

    def stats(self):
        self.drain()
        return {"allocated_bytes.all.current": self.allocated, "allocated_bytes.all.peak": self.peak,
                "reserved_bytes.all.current": self.reserved,
                "reserved_bytes.all.peak": self.peak_reserved, "num_alloc_retries": 0, "num_ooms": self.num_ooms,
                "allocation.all.allocated": self.num_allocs, "segment.all.allocated": self.num_buffers}
