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
_STRIDED = packer("40I")
_FILL = packer("3I")
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


def _element_offset(view):
    if view.region.offset % F32:
        raise RuntimeError("float32 region offset is not 4-byte aligned")
    return view.region.offset // F32 + view.offset


def _check_binding(rt, view):
    if view.region.block.size > rt.max_storage_binding:
        raise NotImplementedError(f"a {view.region.block.size}-byte buffer is larger than one storage binding of "
                                  f"{rt.name} ({rt.max_storage_binding} bytes); windowed bindings are not there yet")


def _pad(values):
    return list(values) + [0] * (MAX_DIMS - len(values))


def _launch(rt, entry, out, ins, alpha=1.0):
    n = numel(out.shape)
    if n == 0:
        return
    views = (out,) + ins
    for v in views:
        _check_binding(rt, v)
    strides = [list(out.strides)] + [broadcast_strides(v, out.shape) for v in ins]
    while len(strides) < 3:
        strides.append(strides[-1])
    shape, strides = coalesce(out.shape, strides)
    if len(shape) > MAX_DIMS:
        raise NotImplementedError(f"elementwise wgpu kernels take at most {MAX_DIMS} non-mergeable dimensions, "
                                  f"got {len(shape)}")
    offsets = [_element_offset(v) for v in views]
    while len(offsets) < 3:
        offsets.append(offsets[-1])
    (alpha_bits,) = struct.unpack("<I", _F32_BITS.pack(alpha))
    blocks = [v.region.block for v in views]
    while len(blocks) < 3:
        blocks.append(blocks[-1])
    kernels = rt.kernels
    rt.dispatch(kernels.pipeline("elementwise", entry), kernels.bind_group(blocks), -(-n // WORKGROUP), _STRIDED,
                n, len(shape), alpha_bits, 0, *offsets, 0,
                *_pad(shape), *_pad(strides[0]), *_pad(strides[1]), *_pad(strides[2]))


def unary(rt, op, out, a):
    """Queue out = op(a) (float32; `a` broadcasts to out's shape)."""
    if op not in UNARY:
        raise NotImplementedError(f"no wgpu elementwise kernel {op!r} (there are {', '.join(UNARY)})")
    _launch(rt, f"{op}_f32", out, (a,))


def binary(rt, op, out, a, b, alpha=1.0):
    """Queue out = op(a, b) (float32; `a` and `b` broadcast to out's shape; add/sub scale b by alpha)."""
    if op not in BINARY:
        raise NotImplementedError(f"no wgpu elementwise kernel {op!r} (there are {', '.join(BINARY)})")
    _launch(rt, f"{op}_f32", out, (a, b), alpha)


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
    rt.dispatch(kernels.pipeline("fill", "fill_32"), kernels.bind_group([region.block]), -(-n // WORKGROUP), _FILL,
                n, bits, region.offset // F32 + offset)
