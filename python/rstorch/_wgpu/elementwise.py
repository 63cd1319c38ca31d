"""Launchers of the elementwise family (shaders/elementwise.wgsl) and of fill (shaders/fill.wgsl).

Operands are `View`s: a region plus the layout the Rust core computes for a tensor (sizes,
strides and storage offset, in elements). The launcher broadcasts the inputs to the output's
shape (stride 0), merges the dimensions that are contiguous in every operand (a contiguous op
becomes 1-D, as TensorIterator does), packs sizes/strides/offsets into the dispatch's uniform
slot and queues one dispatch: no copy, no submit."""

import struct
from typing import NamedTuple

from .device import packer

MAX_DIMS = 8
WORKGROUP = 256
F32 = 4
UNARY = ("copy", "neg", "abs", "exp", "log", "sqrt", "relu", "sigmoid", "tanh")
BINARY = ("add", "sub", "mul", "div", "maximum", "minimum")
_UNARY_ENTRY = {op: f"{op}_f32" for op in UNARY}
_BINARY_ENTRY = {op: f"{op}_f32" for op in BINARY}
_HEAD = packer("8I")    # Strided.head and .offset
_WORDS = packer("32I")  # Strided.size and the three strides
_FILL = packer("4I")
_F32_BITS = struct.Struct("<f")


class View(NamedTuple):
    region: object   # pool.Region
    shape: tuple
    strides: tuple   # in elements
    offset: int = 0  # storage offset, in elements

    @classmethod
    def contiguous(cls, region, shape, offset=0):
        return cls(region, tuple(shape), contiguous_strides(shape), offset)


def contiguous_strides(shape):
    strides, acc = [], 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(strides))


def numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def broadcast_strides(view, shape):
    """`view`'s strides read against the output `shape` (missing or size-1 dimensions: stride 0)."""
    lead = len(shape) - len(view.shape)
    if lead < 0:
        raise RuntimeError(f"operand of shape {list(view.shape)} does not broadcast to {list(shape)}")
    out = [0] * lead
    for d, (s, st) in enumerate(zip(view.shape, view.strides)):
        if s == shape[lead + d]:
            out.append(st if s != 1 else 0)
        elif s == 1:
            out.append(0)
        else:
            raise RuntimeError(f"The size of tensor a ({s}) must match the size of tensor b ({shape[lead + d]}) "
                               f"at non-singleton dimension {d}")
    return out


def coalesce(shape, stride_lists):
    """Drop size-1 dimensions and merge neighbours that are contiguous in every operand."""
    dims = [(s, [st[d] for st in stride_lists]) for d, s in enumerate(shape) if s != 1]
    merged = []
    for s, sts in dims:
        if merged:
            ps, psts = merged[-1]
            if all(p == q * s for p, q in zip(psts, sts)):
                merged[-1] = (ps * s, sts)
                continue
        merged.append((s, sts))
    return [s for s, _ in merged], [[sts[k] for _, sts in merged] for k in range(len(stride_lists))]


def _pad(values):
    return list(values) + [0] * (MAX_DIMS - len(values))


# layout -> (n, workgroups, ndim, the packed 32 size/stride words): an op on the same shapes and
# strides as before (every training step) skips broadcasting and merging
_layouts = {}
_LAYOUT_CACHE = 4096
_ONE_BITS = 0x3F800000


def _layout(out, ins):
    key = (out.shape, out.strides, ins[0].shape, ins[0].strides) if len(ins) == 1 else \
        (out.shape, out.strides, ins[0].shape, ins[0].strides, ins[1].shape, ins[1].strides)
    got = _layouts.get(key)
    if got is None:
        strides = [list(out.strides)] + [broadcast_strides(v, out.shape) for v in ins]
        while len(strides) < 3:
            strides.append(strides[-1])
        shape, strides = coalesce(out.shape, strides)
        if len(shape) > MAX_DIMS:
            raise NotImplementedError(f"elementwise wgpu kernels take at most {MAX_DIMS} non-mergeable "
                                      f"dimensions, got {len(shape)}")
        for v in (out,) + tuple(ins):
            if v.region.offset % F32:
                raise RuntimeError("float32 region offset is not 4-byte aligned")
        n = numel(out.shape)
        got = (n, -(-n // WORKGROUP), len(shape),
               _WORDS.pack(*_pad(shape), *_pad(strides[0]), *_pad(strides[1]), *_pad(strides[2])))
        if len(_layouts) >= _LAYOUT_CACHE:
            _layouts.clear()
        _layouts[key] = got
    return got


def _launch(rt, entry, out, a, b, alpha=1.0):
    n, groups, ndim, words = _layout(out, (a,) if b is None else (a, b))
    if n == 0:
        return
    b = a if b is None else b
    ra, rb, ro = a.region, b.region, out.region
    alpha_bits = _ONE_BITS if alpha == 1.0 else struct.unpack("<I", _F32_BITS.pack(alpha))[0]
    kernels = rt.kernels
    pipe = kernels._pipelines.get(("elementwise", entry)) or kernels.pipeline("elementwise", entry)
    # region offsets are 256-byte multiples (pool blocks), checked once per layout above anyway
    head = _HEAD.pack(n, ndim, alpha_bits, 0, ro.offset // F32 + out.offset, ra.offset // F32 + a.offset,
                      rb.offset // F32 + b.offset, 0)
    rt.dispatch(pipe, kernels.bind_group((ro.block, ra.block, rb.block)), groups, head + words)


def unary(rt, op, out, a):
    """Queue out = op(a) (float32; `a` broadcasts to out's shape)."""
    if op not in _UNARY_ENTRY:
        raise NotImplementedError(f"no wgpu elementwise kernel {op!r} (there are {', '.join(UNARY)})")
    _launch(rt, _UNARY_ENTRY[op], out, a, None)


def binary(rt, op, out, a, b, alpha=1.0):
    """Queue out = op(a, b) (float32; `a` and `b` broadcast to out's shape; add/sub scale b by alpha)."""
    if op not in _BINARY_ENTRY:
        raise NotImplementedError(f"no wgpu elementwise kernel {op!r} (there are {', '.join(BINARY)})")
    _launch(rt, _BINARY_ENTRY[op], out, a, b, alpha)


def fill(rt, region, value, n=None, offset=0):
    """Queue filling `n` 32-bit elements of `region` from element `offset` with `value` (a float
    goes in as float32; an int as its 32-bit pattern)."""
    n = region.nbytes // F32 - offset if n is None else n
    if n <= 0:
        return
    if isinstance(value, float):
        (bits,) = struct.unpack("<I", _F32_BITS.pack(value))
    else:
        bits = int(value) & 0xFFFFFFFF
    kernels = rt.kernels
    rt.dispatch(kernels.pipeline("fill", "fill_32"), kernels.bind_group([region.block]), -(-n // WORKGROUP),
                _FILL.pack(n, bits, region.offset // F32 + offset, 0))


def fill64(rt, region, value, n, offset=0):
    """Queue filling `n` 64-bit elements (int64) of `region` from element `offset` with `value`."""
    if n <= 0:
        return
    v = int(value) & 0xFFFFFFFFFFFFFFFF
    kernels = rt.kernels
    rt.dispatch(kernels.pipeline("fill", "fill_64"), kernels.bind_group([region.block]), -(-n // WORKGROUP),
                _FILL.pack(n, v & 0xFFFFFFFF, region.offset // 8 + offset, v >> 32))
