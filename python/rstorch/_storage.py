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



class TypedStorage:
    """`Tensor.storage()` (deprecated in torch): the storage read as elements of the tensor's
    dtype: size, element access and writes, address, device."""

    __slots__ = ("_flat",)
    dtype = None  # the legacy classes (FloatStorage...) fix it

    def __new__(cls, *args, **kwargs):
        raise NotImplementedError("rstorch.TypedStorage is made by Tensor.storage() only")

    @classmethod
    def _of(cls, t):
        s = object.__new__(cls)
        s._flat = _shared._storage_tensor(t)
        return s

    @property
    def dtype(self):
        return self._flat.dtype

    @property
    def device(self):
        return self._flat.device

    @property
    def is_cuda(self):
        return False

    def size(self):
        return self._flat.numel()

    def __len__(self):
        return self._flat.numel()

    def element_size(self):
        return self._flat.element_size()

    def nbytes(self):
        return self._flat._storage_nbytes()

    def data_ptr(self):
        return self._flat._storage_ptr()

    def untyped(self):
        return untyped_storage(self._flat)

    _untyped_storage = property(untyped)

    def is_shared(self):
        return _shared.is_shared(self._flat)

    def is_pinned(self, device="cuda"):
        return False

    def type(self):
        from ._dtypes import LEGACY
        return f"rstorch.{LEGACY[self.dtype].replace('Tensor', 'Storage')}"

    def tolist(self):
        return self._flat.tolist()

    def __iter__(self):
        return iter(self.tolist())

    def __getitem__(self, i):
        if not isinstance(i, int):
            raise TypeError(f"can't index a {type(self).__name__} with {type(i).__name__}")
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"index {i} out of range for storage of size {n}")
        return self._flat[i].item()

    def __setitem__(self, i, value):
        self._flat[i] = value

    def fill_(self, value):
        self._flat.fill_(value)
        return self

    def __repr__(self):
        body = " " + "\n ".join(str(v) for v in self.tolist())
        return f"{body}\n[rstorch.storage.TypedStorage(dtype={self.dtype}, device={self.device}) of size {len(self)}]"

    __str__ = __repr__


def storage(t):
    import warnings
    warnings.warn("TypedStorage is deprecated. It will be removed in the future and UntypedStorage will be the only "
                  "storage class. This should only matter to you if you are using storages directly.  To access "
                  "UntypedStorage directly, use tensor.untyped_storage() instead of tensor.storage()", UserWarning,
                  stacklevel=3)
    return TypedStorage._of(t)


def _legacy_storage_classes():
    """torch.FloatStorage, torch.LongStorage...: the legacy storage type of each dtype (what
    `Tensor.storage_type()` returns)."""
    from ._dtypes import LEGACY
    return {name.replace("Tensor", "Storage"): type(name.replace("Tensor", "Storage"), (TypedStorage,),
                                                    {"__slots__": (), "_legacy_dtype": d, "__module__": "rstorch"})
            for d, name in LEGACY.items()}


LEGACY_STORAGES = _legacy_storage_classes()
