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
        region = rt.alloc(max(nbytes, 1))  # an empty tensor gets a (tiny) block too: every region has its pool
        if zeroed and nbytes:
            self._elementwise.fill(rt, region, 0, n=-(-nbytes // 4))
        return region

    def upload(self, region, offset, data):
        self._rt_of(region).upload(region, data, offset)

    def download(self, region):
        rt = self._rt_of(region)
        data = rt.download(region)
        rt.check_errors()  # a read-back is a sync point: a kernel's recorded error surfaces here
        return data

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
        if dtype in ("int64", "uint64"):
            self._elementwise.fill64(rt, region, int(value), n, offset)  # a kernel: no upload, no submit
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
        if op == "copy" and (out[4] != "float32" or a[4] != "float32"):
            # a copy between dtypes (or of a non-float32 dtype): the typed family's convert
            self._typed_launch("copy", out, a)
            return
        if op in ("isnan", "logicalnot"):  # the core's op names (UnaryOp's, lowercased)
            self._typed_launch("logical_not" if op == "logicalnot" else op, out, a)
            return
        if op not in ew.UNARY:
            raise _not_implemented(op)
        o, x = self._views(op, out, a)
        ew.unary(self._rt_of(out[0]), op, o, x)

    def binary(self, op, out, a, b, alpha):
        ew = self._elementwise
        if op in _COMPARISONS:
            # inputs already in their common dtype (the core promotes); bool out
            self._typed_launch(op, out, a, b, float_compare=a[4] == "float32")
            return
        if op in _LOGICAL:
            if op.startswith("bitwise") and "float32" in (a[4], b[4]):
                raise _not_implemented(op, "float32")
            self._typed_launch(op, out, a, b)
            return
        if op not in ew.BINARY:
            raise _not_implemented(op)
        o, x, y = self._views(op, out, a, b)
        ew.binary(self._rt_of(out[0]), op, o, x, y, alpha)

    def ternary(self, op, out, a, b, c):
        if op != "where":
            raise _not_implemented(op)
        if a[4] != "bool" or b[4] != out[4] or c[4] != out[4]:
            raise _not_implemented(op, f"{a[4]}, {b[4]}, {c[4]} -> {out[4]}")
        self._typed_launch("where", out, a, b, c)

    def _typed_launch(self, op, out, *ins, float_compare=False):
        from . import typed
        ew = self._elementwise
        views = [ew.View(v[0], v[1], v[2], v[3]) for v in (out,) + ins]
        typed.launch(self._rt_of(out[0]), op, views[0], views[1:], [v[4] for v in (out,) + ins], float_compare)

    def reduce(self, op, out, idx, a, dims):
        from . import reduce
        if a[4] != "float32" or out[4] != "float32":
            raise _not_implemented(op, a[4] if a[4] != "float32" else out[4])
        ew = self._elementwise
        o, x = ew.View(*out[:4]), ew.View(*a[:4])
        i = None if idx is None else ew.View(*idx[:4])
        if idx is not None and (idx[4] != "int64" or idx[1] != out[1] or idx[2] != out[2]):
            raise RuntimeError("wgpu reduce: the indices must be int64 and laid out as the values")
        reduce.reduce(self._rt_of(out[0]), op, o, i, x, dims)

    def softmax(self, op, out, a, dim):
        from . import reduce
        o, x = self._views(op, out, a)
        reduce.softmax(self._rt_of(out[0]), o, x, dim, op == "log_softmax")

    def matmul(self, out, a, b, alpha, accumulate):
        from . import matmul
        o, x, y = self._views("mm", out, a, b)
        matmul.matmul(self._rt_of(out[0]), o, x, y, alpha, accumulate)


    def cross_entropy(self, loss, lse, x, target, ignore_index):
        from . import loss as loss_k
        if x[4] != "float32" or target[4] != "int64":
            raise _not_implemented("cross_entropy_loss", x[4] if x[4] != "float32" else target[4])
        ew = self._elementwise
        v = [ew.View(*t[:4]) for t in (loss, lse, x, target)]
        loss_k.forward(self._rt_of(loss[0]), *v, ignore_index)

    def cross_entropy_backward(self, out, x, target, lse, g, ignore_index):
        from . import loss as loss_k
        if x[4] != "float32" or target[4] != "int64" or g[4] != "float32":
            raise _not_implemented("cross_entropy_loss_backward", x[4])
        ew = self._elementwise
        v = [ew.View(*t[:4]) for t in (out, x, target, lse, g)]
        loss_k.backward(self._rt_of(out[0]), *v, ignore_index)


_COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge")
_LOGICAL = ("bitwise_and", "bitwise_or", "bitwise_xor", "logical_and", "logical_or", "logical_xor")
