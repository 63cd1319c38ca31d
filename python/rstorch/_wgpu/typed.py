"""Launchers of the typed family (shaders/typed.wgsl): dtype conversion, comparisons and where,
over strided, broadcast operands of the dtypes the GPU stores (float32, int32, int64, bool,
uint8, int8). The views' layouts come from the Rust core; this module only packs them."""

from .device import packer
from .elementwise import MAX_DIMS, broadcast_strides, coalesce, contiguous_strides, numel

# dtype name -> (code in typed.wgsl, bytes per element)
DTYPES = {"float32": (0, 4), "int32": (1, 4), "bool": (2, 1), "uint8": (3, 1), "int8": (4, 1), "int64": (5, 8)}
BYTE_CODES = (2, 3, 4)
OPS = {"copy": 0, "eq": 1, "ne": 2, "lt": 3, "le": 4, "gt": 5, "ge": 6, "where": 7,
       "bitwise_and": 8, "bitwise_or": 9, "bitwise_xor": 10, "logical_and": 11, "logical_or": 12,
       "logical_xor": 13, "isnan": 14, "logical_not": 15}
LOGICAL = ("bitwise_and", "bitwise_or", "bitwise_xor", "logical_and", "logical_or", "logical_xor")
COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge")
WORKGROUP = 256
_PARAMS = packer("52I")
_layouts = {}


def supported(dtype):
    return dtype in DTYPES


def _pad(values):
    return list(values) + [0] * (MAX_DIMS - len(values))


def _plan(out, ins):
    """(n, ndim, the 40 size/stride words): dims ordered by the output's strides (so a dense
    output of any memory order walks its memory in order), then merged where contiguous."""
    key = (out.shape, out.strides) + tuple((v.shape, v.strides) for v in ins)
    got = _layouts.get(key)
    if got is None:
        shape = out.shape
        strides = [list(out.strides)] + [broadcast_strides(v, shape) for v in ins]
        while len(strides) < 4:
            strides.append(strides[-1])
        order = sorted(range(len(shape)), key=lambda d: -strides[0][d])
        shape2 = [shape[d] for d in order]
        strides2 = [[st[d] for d in order] for st in strides]
        dims, sts = coalesce(shape2, strides2)
        if len(dims) > MAX_DIMS:
            raise NotImplementedError(f"typed wgpu kernels take at most {MAX_DIMS} non-mergeable dimensions, got {len(dims)}")
        words = _pad(dims)
        for st in sts:
            words += _pad(st)
        got = (numel(shape), len(dims), dims, sts[0], words)
        if len(_layouts) > 4096:
            _layouts.clear()
        _layouts[key] = got
    return got


def _offset(view, dtype):
    size = DTYPES[dtype][1]
    if view.region.offset % size:
        raise RuntimeError(f"{dtype} region offset is not {size}-byte aligned")
    return view.region.offset // size + view.offset


def launch(rt, op, out, ins, dtypes, float_compare=False):
    """Queue the typed kernel `op` (a key of OPS): `out` and the input views `ins` (1 to 3), of
    dtypes `dtypes` (out's first)."""
    for d in dtypes:
        if d not in DTYPES:
            raise NotImplementedError(f"Could not run 'aten::{op}' with arguments from the 'wgpu' backend. "
                                      f"(no wgpu kernel for dtype {d})")
    n, ndim, dims, out_strides, words = _plan(out, ins)
    if n == 0:
        return
    codes = [DTYPES[d][0] for d in dtypes]
    while len(codes) < 4:
        codes.append(codes[-1])
    offsets = [_offset(out, dtypes[0])] + [_offset(v, d) for v, d in zip(ins, dtypes[1:])]
    while len(offsets) < 4:
        offsets.append(offsets[-1])
    if codes[0] in BYTE_CODES:
        # whole words are written: the output must be contiguous from a 4-aligned element, and
        # the last word's spare bytes must be past the tensor's storage
        end = offsets[0] + n
        if list(out_strides) != list(contiguous_strides(dims)) or offsets[0] % 4 or (end % 4 and end < out.region.nbytes):
            raise NotImplementedError(f"Could not run 'aten::{op}' with arguments from the 'wgpu' backend. "
                                      f"(a {dtypes[0]} output must be contiguous and 4-element aligned)")
    blocks = [out.region.block] + [v.region.block for v in ins]
    while len(blocks) < 4:
        blocks.append(blocks[-1])
    kernels = rt.kernels
    pipe = kernels.pipeline("typed", "typed", {"OP": OPS[op]})
    params = _PARAMS.pack(n, ndim, codes[0], codes[1], codes[2], codes[3], 1 if float_compare else 0, 0,
                          *offsets, *words)
    threads = -(-n // 4)
    rt.dispatch(pipe, kernels.bind_group(blocks), -(-threads // WORKGROUP), params)
