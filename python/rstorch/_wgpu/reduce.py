"""Launchers of the reductions (shaders/reduce.wgsl) and of softmax (shaders/softmax.wgsl).

The Rust core computes the output's layout (keepdim's shape is passed, so input and output have
the same dims) and which dims are reduced; the launcher splits the dims into kept and reduced
lists (merging contiguous neighbours), picks a kernel shape and packs the parameters. A long
reduction into few outputs (a full sum of a big tensor) runs in two launches: partial results
per chunk into a scratch buffer, then a reduction of the partials (no sync in between)."""

import struct

from .device import packer
from .elementwise import MAX_DIMS, coalesce, contiguous_strides, numel

OPS = {"sum": 0, "mean": 0, "amax": 1, "amin": 2, "argmax": 3, "argmin": 4}
WG = 64
SERIAL_MAX = 64         # reductions at most this long run one invocation per output
SPLIT_MIN = 16384       # reductions longer than this, into fewer than SPLIT_OUTPUTS outputs, split
SPLIT_OUTPUTS = 256
CHUNK = 4096
_REDUCE = packer("52I")
_SOFTMAX = packer("32I")
_F32 = struct.Struct("<f")


def _pad(values, n=MAX_DIMS):
    return list(values) + [0] * (n - len(values))


def _bits(x):
    return struct.unpack("<I", _F32.pack(x))[0]


def _dims_check(dims, what):
    if len(dims) > MAX_DIMS:
        raise NotImplementedError(f"wgpu reductions take at most {MAX_DIMS} non-mergeable {what} dimensions, got {len(dims)}")


def _launch(rt, op, out_region, out_off, kept, ks_a, ks_o, red, rs_a, a_region, a_off, idx, scale, chunks=1, chunk=None):
    n_out, n_red = numel(kept), numel(red)
    entry = "reduce_serial" if n_red <= SERIAL_MAX and chunks == 1 else "reduce_wg"
    kernels = rt.kernels
    pipe = kernels.pipeline("reduce", entry, {"OP": OPS[op]})
    idx_region, idx_off = idx if idx is not None else (out_region, 0)
    params = _REDUCE.pack(n_out, n_red, len(kept), len(red), out_off, a_off, idx_off, _bits(scale),
                          chunks, n_red if chunk is None else chunk, 1 if idx is not None else 0, 0,
                          *_pad(kept), *_pad(ks_a), *_pad(ks_o), *_pad(red), *_pad(rs_a))
    groups = -(-n_out // 256) if entry == "reduce_serial" else n_out * chunks
    rt.dispatch(pipe, kernels.bind_group((out_region.block, a_region.block, idx_region.block)), groups, params)


def reduce(rt, op, out, idx, a, dims):
    """Queue `out (and idx) = op(a)` over `dims` of `a`; `out` and `idx` (an int64 view or None)
    have `a`'s ndim (keepdim's shape)."""
    dims = set(dims)
    nd = len(a.shape)
    kept_d = [d for d in range(nd) if d not in dims]
    red_d = [d for d in range(nd) if d in dims]
    kept, (ks_a, ks_o) = coalesce([a.shape[d] for d in kept_d], [[a.strides[d] for d in kept_d], [out.strides[d] for d in kept_d]])
    red, (rs_a,) = coalesce([a.shape[d] for d in red_d], [[a.strides[d] for d in red_d]])
    _dims_check(kept, "kept")
    _dims_check(red, "reduced")
    n_out, n_red = numel(kept), numel(red)
    if n_out == 0:
        return
    scale = 1.0 / n_red if op == "mean" and n_red else float("nan") if op == "mean" else 1.0
    out_off = out.region.offset // 4 + out.offset
    a_off = a.region.offset // 4 + a.offset
    idx_v = None if idx is None else (idx.region, idx.region.offset // 8 + idx.offset)
    if op in ("sum", "mean", "amax", "amin") and n_red > SPLIT_MIN and n_out < SPLIT_OUTPUTS:
        chunks = -(-n_red // CHUNK)
        chunk = -(-n_red // chunks)
        scratch = rt.alloc(n_out * chunks * 4)
        cs = [s * chunks for s in contiguous_strides(kept)]
        s_off = scratch.offset // 4
        _launch(rt, op, scratch, s_off, kept, ks_a, cs, red, rs_a, a.region, a_off, None, 1.0, chunks, chunk)
        # the partials: kept dims as before, one reduced dim of `chunks` contiguous elements
        _launch(rt, op, out.region, out_off, kept, cs, ks_o, [chunks], [1], scratch, s_off, None, scale)
        return
    _launch(rt, op, out.region, out_off, kept, ks_a, ks_o, red, rs_a, a.region, a_off, idx_v, scale)


def softmax(rt, out, a, dim, log):
    """Queue `out = (log_)softmax(a, dim)` (same shapes; any strides)."""
    nd = len(a.shape)
    if nd == 0:
        length, sa, so, others = 1, 1, 1, []
        ks_a = ks_o = []
    else:
        length, sa, so = a.shape[dim], a.strides[dim], out.strides[dim]
        od = [d for d in range(nd) if d != dim]
        others, (ks_a, ks_o) = coalesce([a.shape[d] for d in od], [[a.strides[d] for d in od], [out.strides[d] for d in od]])
    _dims_check(others, "other")
    lines = numel(others)
    if lines == 0 or length == 0:
        return
    kernels = rt.kernels
    pipe = kernels.pipeline("softmax", "softmax", {"LOG": bool(log)})
    params = _SOFTMAX.pack(lines, length, len(others), 0, out.region.offset // 4 + out.offset,
                           a.region.offset // 4 + a.offset, so, sa, *_pad(others), *_pad(ks_a), *_pad(ks_o))
    rt.dispatch(pipe, kernels.bind_group((out.region.block, a.region.block)), lines, params)
