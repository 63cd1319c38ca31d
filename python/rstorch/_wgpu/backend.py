"""The core's wgpu backend (rust/core/src/backend.rs), seen from Python: the Rust bindings
(rust/python/src/wgpu_backend.rs) call these methods with the GIL held. A tensor arrives as a
view `(region, shape, strides, offset, dtype_name)` whose layout the Rust core computed (the
output's too); this module only picks a kernel and launches it. Nothing here opens a device
until the first wgpu tensor is made."""

import struct

from . import runtime

__all__ = ["Backend"]

# struct formats of the dtypes a fill can write by upload (no kernel yet for non-32-bit types)
_PACK = {"bool": "?", "uint8": "B", "int8": "b", "int16": "h", "int32": "i", "int64": "q",
         "float32": "f", "float64": "d", "uint16": "H", "uint32": "I", "uint64": "Q"}


def _not_implemented(op, dtype=None):
    why = "" if dtype in (None, "float32") else f" (no wgpu kernel for dtype {dtype}; float32 only for now)"
    return NotImplementedError(f"Could not run 'aten::{op}' with arguments from the 'wgpu' backend.{why}")


def _contiguous(shape, strides):
    acc = 1
    for s, st in zip(reversed(shape), reversed(strides)):
        if s != 1 and st != acc:
            return False
        acc *= s
    return True


class Backend:
    """One object for every wgpu device; the runtime of a region is found from its pool."""

    def __init__(self):
        self._ew = None
        self._by_pool = {}

    def _rt_of(self, region):
        return self._by_pool[id(region._pool)]

    @property
    def _elementwise(self):
        if self._ew is None:
            from . import elementwise
            self._ew = elementwise
        return self._ew

    # ------------------------------------------------------------------ memory

    def alloc(self, index, nbytes, zeroed):
        rt = runtime(index)
        self._by_pool[id(rt.pool)] = rt
        region = rt.alloc(nbytes)
        if zeroed and nbytes:
            self._elementwise.fill(rt, region, 0, n=-(-nbytes // 4))
        return region

    def upload(self, region, offset, data):
        self._rt_of(region).upload(region, data, offset)

    def download(self, region):
        return self._rt_of(region).download(region)

    # ------------------------------------------------------------------ ops

    def fill(self, view, value):
        region, shape, strides, offset, dtype = view
        rt = self._rt_of(region)
        n = 1
        for s in shape:
            n *= s
        if not _contiguous(shape, strides):
            raise _not_implemented("fill_", dtype)
        if dtype in ("float32", "int32", "uint32"):
            v = float(value) if dtype == "float32" else int(value)
            self._elementwise.fill(rt, region, v, n=n, offset=offset)
            return
        fmt = _PACK.get(dtype)
        if fmt is None:
            raise _not_implemented("fill_", dtype)
        v = bool(value) if dtype == "bool" else float(value) if dtype.startswith("float") else int(value)
        size = struct.calcsize(fmt)
        rt.upload(region, struct.pack("<" + fmt, v) * n, offset * size)

    def _views(self, op, *views):
        ew = self._elementwise
        for v in views:
            if v[4] != "float32":
                raise _not_implemented(op, v[4])
        return [ew.View(v[0], v[1], v[2], v[3]) for v in views]

    def unary(self, op, out, a):
        ew = self._elementwise
        if op not in ew.UNARY:
            raise _not_implemented(op)
        if op == "copy" and out[4] == a[4] and out[4] != "float32":
            raise _not_implemented("copy_", out[4])
        o, x = self._views(op, out, a)
        ew.unary(self._rt_of(out[0]), op, o, x)

    def binary(self, op, out, a, b, alpha):
        ew = self._elementwise
        if op not in ew.BINARY:
            raise _not_implemented(op)
        o, x, y = self._views(op, out, a, b)
        ew.binary(self._rt_of(out[0]), op, o, x, y, alpha)
