"""`Tensor.untyped_storage()`: the bytes a tensor's data lives in, as torch's `UntypedStorage`
shows them (size in bytes, address, device, byte access). One object per storage while it is
alive, so `a.untyped_storage() is a[1:].untyped_storage()` holds as in torch (views share their
base's storage); `data_ptr()` equality is the usual sharing test."""

import weakref

from . import _shared

# (address, bytes) -> the live storage object; a storage alive in this table keeps its tensor,
# so its address cannot be reused by another storage meanwhile
_LIVE = weakref.WeakValueDictionary()


def untyped_storage(t):
    # only CPU storages with bytes have an address of their own (meta ones report 0)
    key = (t._storage_ptr(), t._storage_nbytes()) if t._device == "cpu" else None
    s = _LIVE.get(key) if key and key[1] else None
    if s is None:
        s = UntypedStorage._of(t)
        if key and key[1]:
            _LIVE[key] = s
    return s


class UntypedStorage:
    """The storage of a tensor (made by `Tensor.untyped_storage()`): bytes, not elements."""

    __slots__ = ("_t", "__weakref__")

    @classmethod
    def _of(cls, t):
        s = object.__new__(cls)
        s._t = t.detach()
        return s

    def __new__(cls, *args, **kwargs):
        raise NotImplementedError("rstorch.UntypedStorage is made by Tensor.untyped_storage() only")

    def nbytes(self):
        return self._t._storage_nbytes()

    def size(self):
        return self.nbytes()

    def __len__(self):
        return self.nbytes()

    def element_size(self):
        return 1

    def data_ptr(self):
        return self._t._storage_ptr()

    @property
    def device(self):
        return self._t.device

    @property
    def is_cuda(self):
        return False

    def untyped(self):
        return self

    def is_shared(self):
        return _shared.is_shared(self._t)

    def is_pinned(self, device="cuda"):
        return False

    def _bytes(self):
        if self._t._device != "cpu":
            raise NotImplementedError(f"reading the bytes of a {self.device.type} storage")
        import ctypes
        n = self.nbytes()
        return bytes((ctypes.c_ubyte * n).from_address(self.data_ptr())) if n else b""

    def tolist(self):
        return list(self._bytes())

    def __iter__(self):
        return iter(self.tolist())

    def __getitem__(self, i):
        if not isinstance(i, int):
            raise TypeError(f"can't index a {type(self).__name__} with {type(i).__name__}")
        n = self.nbytes()
        if not -n <= i < n:
            raise IndexError(f"index {i} out of range for storage of size {n}")
        return self._bytes()[i]

    def __repr__(self):
        body = "\n".join(f" {b}" for b in self.tolist()) if self._t._device == "cpu" else ""
        return f"{body}\n[rstorch.storage.UntypedStorage(device={self.device}) of size {self.nbytes()}]"

    __str__ = __repr__

