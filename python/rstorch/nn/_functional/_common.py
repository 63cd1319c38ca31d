"""Helpers the nn.functional families share."""

import rstorch

from ..._dtypes import LEGACY


def _scalar_name(dtype):
    """torch's C++ name of a dtype (Float, Double, Long...)."""
    return LEGACY[dtype][:-len("Tensor")]


def _tracked(t):
    return t.requires_grad and rstorch.is_grad_enabled()


def _inplace(input, fn):
    """`input` overwritten with `fn(input)`. When autograd records, fn reads a clone: the ops fn is
    made of may save their operand, which the write would otherwise invalidate (the clone's
    history is input's old history, so the gradient flows through the write to it)."""
    src = input.clone() if _tracked(input) else input
    return input.copy_(fn(src))


def _maybe_inplace(input, inplace, fn):
    return _inplace(input, fn) if inplace else fn(input)


def _empty_like(input):
    """torch's `empty_like(input)` (preserve_format): input's strides when it is dense and
    non-overlapping, else dense strides in input's dim order (so random draws land in the same
    memory order as torch's)."""
    if input.is_contiguous():
        return rstorch.empty(input.shape, dtype=input.dtype, device=input.device)
    sizes, strides = list(input.shape), list(input.stride())
    order = sorted(range(len(sizes)), key=lambda d: (strides[d], sizes[d] != 1), reverse=True)
    dense = [0] * len(sizes)
    acc = 1
    for d in reversed(order):
        dense[d] = acc
        acc *= max(sizes[d], 1)
    return rstorch.empty_strided(sizes, dense, dtype=input.dtype, device=input.device)


def _mm_shape_error(op, input, weight):
    rows = 1
    for s in input.shape[:-1]:
        rows *= s
    return RuntimeError(f"{op}: mat1 and mat2 shapes cannot be multiplied "
                        f"({rows}x{input.shape[-1]} and {weight.shape[1]}x{weight.shape[0]})")


def _fmt_float(v):
    """A double as C++ streams print it (6 significant digits, no trailing zeros)."""
    return f"{v:g}"


def _int_list(arg, fname, name, position):
    if isinstance(arg, rstorch.Tensor):
        raise TypeError(f"{fname}(): argument '{name}' (position {position}) must be tuple of ints, not Tensor")
    if isinstance(arg, int):
        return [arg], True
    out = []
    for i, v in enumerate(arg):
        if not isinstance(v, int):
            raise TypeError(f"{fname}(): argument '{name}' (position {position}) must be tuple of ints, but found "
                            f"element of type {type(v).__name__} at pos {i}")
        out.append(v)
    return out, False


def _mixed_low(input, *params):
    """torch's CPU mixed-dtype norms: a bfloat16/float16 input with float32 parameters computes in
    float32 and returns the input's dtype (what autocast hands a norm layer of a float32 model)."""
    from rstorch import bfloat16, float16, float32
    return (getattr(input, "dtype", None) in (bfloat16, float16) and any(p is not None for p in params)
            and all(p is None or p.dtype == float32 for p in params))
