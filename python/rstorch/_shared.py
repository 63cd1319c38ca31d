"""Tensor storage in shared memory, and the pickling of tensors.

A shared storage is an anonymous shared-memory file (`memfd_create`, or an unlinked file in
/dev/shm) mapped with `mmap`; the tensor's storage is that mapping (`_C._from_buffer`, which keeps
the segment object alive as the storage's owner). Another process gets the same memory from the
file descriptor (`rstorch.multiprocessing` sends it with `multiprocessing.reduction.DupFd`, as
torch's default "file_descriptor" strategy does), so a batch a DataLoader worker writes into a
shared storage reaches the main process without copying its bytes through a pipe. The memory is
freed when the last mapping and descriptor are gone, in whichever process that is.

`_SEGMENTS` maps the address of every live shared storage to its segment: that is
`Tensor.is_shared()` and what the multiprocessing pickler sends.

Plain pickling (`pickle`, `copy.copy`) follows torch: the whole storage of a view is pickled with
the view's offset and strides, dtype and `requires_grad` are kept, and the result is a leaf;
`copy.copy` shares the storage (it does not pickle), as torch's does.
"""

import os

from . import _C

_SEGMENTS = {}  # storage address -> its _Segment, while the mapping lives


class _Segment:
    """One shared-memory mapping: the descriptor, the map, its address."""

    __slots__ = ("fd", "nbytes", "map", "buf", "ptr")

    def __init__(self, fd, nbytes):
        import ctypes
        import mmap
        self.fd = fd
        self.nbytes = nbytes
        self.map = mmap.mmap(fd, nbytes)
        self.buf = (ctypes.c_char * nbytes).from_buffer(self.map)
        self.ptr = ctypes.addressof(self.buf)
        _SEGMENTS[self.ptr] = self

    def __del__(self):
        try:
            if _SEGMENTS.get(self.ptr) is self:
                del _SEGMENTS[self.ptr]
            os.close(self.fd)
        except Exception:  # interpreter shutdown
            pass


def _new_fd(nbytes):
    try:
        fd = os.memfd_create("rstorch_shm", os.MFD_CLOEXEC)
    except (AttributeError, OSError):
        import tempfile
        fd, path = tempfile.mkstemp(prefix="rstorch_shm_", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
        os.unlink(path)
    try:
        os.ftruncate(fd, nbytes)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _over(seg, shape, strides, offset, dtype):
    return _C._from_buffer(seg.ptr, seg.nbytes, list(shape), list(strides), offset, dtype, seg, True)


def empty_shared(shape, dtype):
    """A contiguous uninitialised CPU tensor in shared memory (None when it has no bytes)."""
    numel = 1
    for n in shape:
        numel *= n
    nbytes = numel * dtype.itemsize
    if nbytes == 0:
        return None
    strides, s = [], 1
    for n in reversed(shape):
        strides.append(s)
        s *= max(n, 1)
    return _over(_Segment(_new_fd(nbytes), nbytes), shape, strides[::-1], 0, dtype)


def is_shared(t):
    return t._device == "cpu" and not t.is_meta and t._storage_ptr() in _SEGMENTS


def share_memory_(t):
    """Moves `t`'s storage into shared memory (a no-op when it is there already, or off the CPU)."""
    if t._device != "cpu" or t.is_meta or t._storage_ptr() in _SEGMENTS:
        return t
    nbytes = t._storage_nbytes()
    if nbytes == 0:
        return t
    import ctypes
    seg = _Segment(_new_fd(nbytes), nbytes)
    ctypes.memmove(seg.ptr, t._storage_ptr(), nbytes)
    t._set(_over(seg, t.shape, t.stride(), t.storage_offset(), t.dtype))
    return t


def segment_of(t):
    """The shared segment holding `t`'s storage (after moving it there)."""
    share_memory_(t)
    return _SEGMENTS.get(t._storage_ptr())


def rebuild_from_fd(fd, nbytes, shape, strides, offset, dtype_name, requires_grad):
    """The receiving side of `rstorch.multiprocessing`'s tensor reduction (takes over `fd`)."""
    t = _over(_Segment(fd, nbytes), shape, strides, offset, getattr(_C, dtype_name))
    if requires_grad:
        t.requires_grad = True
    return t


# ---------------------------------------------------------------------- plain pickling

def _storage_tensor(t):
    """A flat 1-d tensor over the whole storage of `t` (no copy)."""
    n = t._storage_nbytes() // t.dtype.itemsize
    return t.detach().as_strided((n,), (1,), 0)


class _Storage:
    """A tensor's storage in a pickle: its bytes when pickled; itself (shared) under copy.copy."""

    __slots__ = ("flat",)

    def __init__(self, flat):
        self.flat = flat

    def __reduce__(self):
        import ctypes
        flat = self.flat
        return (_storage_from_bytes, (ctypes.string_at(flat._storage_ptr(), flat._storage_nbytes()),
                                      flat.dtype._name))


def _storage_from_bytes(data, dtype_name):
    import ctypes
    dtype = getattr(_C, dtype_name)
    n = len(data) // dtype.itemsize
    if n == 0:
        from ._creation import empty
        return _Storage(empty(0, dtype=dtype))
    buf = bytearray(data)
    ptr = ctypes.addressof((ctypes.c_char * len(buf)).from_buffer(buf))
    return _Storage(_C._from_buffer(ptr, len(buf), [n], [1], 0, dtype, buf, True))


def reduce_tensor(t):
    if t.is_meta:
        return (_rebuild_meta, (tuple(t.shape), t.stride(), t.storage_offset(), t.dtype._name, t.requires_grad))
    if t._device != "cpu":
        return (_rebuild_on, (reduce_tensor(t.detach().cpu()), str(t.device), t.requires_grad))
    return (_rebuild_tensor, (_Storage(_storage_tensor(t)), t.storage_offset(), tuple(t.shape), t.stride(),
                              t.requires_grad))


def _rebuild_tensor(storage, offset, shape, strides, requires_grad):
    flat = storage.flat
    t = flat.as_strided(shape, strides, offset).detach()
    if requires_grad:
        t.requires_grad = True
    return t


def _rebuild_meta(shape, strides, offset, dtype_name, requires_grad):
    from ._creation import empty_strided
    t = empty_strided(shape, strides, dtype=getattr(_C, dtype_name), device="meta")
    if offset:
        t = t.as_strided(shape, strides, offset)
    if requires_grad:
        t.requires_grad = True
    return t


def _rebuild_on(cpu_reduced, device, requires_grad):
    fn, args = cpu_reduced
    t = fn(*args).to(device)
    if requires_grad:
        t = t.detach()
        t.requires_grad = True
    return t
