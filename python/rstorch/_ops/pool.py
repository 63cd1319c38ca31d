"""Pooling (max, average, adaptive, max-unpooling): the op-table rows (see _table.py) of
rust/core/src/ops/nn/pool.rs, bound in rust/python/src/tensor/pool.rs.

The functions here normalise the arguments as torch's argument parser and its C++ checks do
(an int or a one-entry sequence for every spatial dim, stride `()`/None meaning the kernel),
with torch's messages, then call the kernels. The 1-d ops run as 2-d ones over an inserted dim
(`unsqueeze(-2)`, then `squeeze(-2)`), as torch's do, so their grad_fn is SqueezeBackward1.

Torch exposes some of them as `torch.*` functions (max_pool1d/2d/3d, max_pool1d_with_indices,
avg_pool1d, adaptive_avg_pool1d, adaptive_max_pool1d); the others are `torch._C._nn` functions
behind `torch.nn.functional`: their rows declare no public form (`function=False`), and
nn/_functional/pooling.py imports them from here."""

import operator

from .. import _C
from .._tensor import Tensor
from ._table import COMPOSITE, SAME, Op, install

_WORDS = {1: "one", 2: "two", 3: "three"}


def _ints(fn, value, arg, pos):
    """An int or a sequence of ints as a list (torch's IntArrayRef argument)."""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int) or (hasattr(value, "__index__") and not hasattr(value, "__iter__")):
        return [operator.index(value)]
    if isinstance(value, (Tensor, str)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be tuple of ints, not {type(value).__name__}")
    out = []
    for i, v in enumerate(value):
        try:
            out.append(operator.index(v))
        except TypeError:
            raise TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be tuple of ints, but found element of "
                            f"type {type(v).__name__} at pos {i}") from None
    return out


def _spread(values, n, message):
    """One entry per spatial dim: a single value repeated, or exactly n."""
    if len(values) == 1:
        return values * n
    if len(values) != n:
        raise RuntimeError(message)
    return values


def _check_tensor(fn, input):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")


def _window(fn, n, kernel_size, stride, padding, dilation=None):
    """(kernel, stride, padding, dilation) lists of n entries, with torch's messages."""
    k = _ints(fn, kernel_size, "kernel_size", 2)
    s = [] if stride is None else _ints(fn, stride, "stride", 3)
    p = _ints(fn, padding, "padding", 4)
    w = _WORDS[n]
    either = "must either be" if fn != "avg_pool3d" else "must be"
    k = _spread(k, n, f"{fn}: kernel_size {either} a single int, or a tuple of {w} ints")
    s = k if not s else _spread(s, n, f"{fn}: stride {either} omitted, a single int, or a tuple of {w} ints")
    p = _spread(p, n, f"{fn}: padding {either} a single int, or a tuple of {w} ints")
    if dilation is None:
        return k, s, p, None
    d = _spread(_ints(fn, dilation, "dilation", 5), n, f"{fn}: dilation must be either a single int, or a tuple of {w} ints")
    return k, s, p, d


def _one(fn, values, arg):
    if len(values) != 1:
        raise RuntimeError(f"{fn}() argument '{arg}' should contain one int (got {len(values)})")
    return values[0]


def _dims_1d(fn, input):
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor for argument #1 "
                           f"'self' (while checking arguments for {fn})")


# ------------------------------------------------------------------ max pooling

def max_pool2d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """(values, indices) of 2-d max pooling (`torch._C._nn.max_pool2d_with_indices`)."""
    _check_tensor("max_pool2d_with_indices", input)
    k, s, p, d = _window("max_pool2d", 2, kernel_size, stride, padding, dilation)
    return _C._max_pool(input, k, s, p, d, bool(ceil_mode))


def max_pool3d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """(values, indices) of 3-d max pooling (`torch._C._nn.max_pool3d_with_indices`)."""
    _check_tensor("max_pool3d_with_indices", input)
    k, s, p, d = _window("max_pool3d", 3, kernel_size, stride, padding, dilation)
    return _C._max_pool(input, k, s, p, d, bool(ceil_mode))


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    _check_tensor("max_pool2d", input)
    k, s, p, d = _window("max_pool2d", 2, kernel_size, stride, padding, dilation)
    return _C._max_pool(input, k, s, p, d, bool(ceil_mode))[0]


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    _check_tensor("max_pool3d", input)
    k, s, p, d = _window("max_pool3d", 3, kernel_size, stride, padding, dilation)
    return _C._max_pool(input, k, s, p, d, bool(ceil_mode))[0]


def _pool1d_args(fn, kernel_size, stride, padding, dilation=None):
    k = _one(fn, _ints(fn, kernel_size, "kernel_size", 2), "kernel_size")
    s = [] if stride is None else _ints(fn, stride, "stride", 3)
    s = k if not s else _one(fn, s, "stride")
    p = _one(fn, _ints(fn, padding, "padding", 4), "padding")
    d = None if dilation is None else _one(fn, _ints(fn, dilation, "dilation", 5), "dilation")
    return k, s, p, d


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    _check_tensor("max_pool1d_with_indices", input)
    _dims_1d("max_pool1d", input)
    k, s, p, d = _pool1d_args("max_pool1d", kernel_size, stride, padding, dilation)
    v, i = _C._max_pool(input.unsqueeze(-2), [1, k], [1, s], [0, p], [1, d], bool(ceil_mode))
    return v.squeeze(-2), i.squeeze(-2)


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    _check_tensor("max_pool1d", input)
    # torch's max_pool1d checks (with or without grad)
    shape = list(input.shape)
    if not ((len(shape) == 2 and shape[0] != 0 and shape[1] != 0) or (len(shape) == 3 and shape[1] != 0 and shape[2] != 0)):
        raise RuntimeError("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, "
                           f"but got:{shape}")
    k = _ints("max_pool1d", kernel_size, "kernel_size", 2)
    s = [] if stride is None else _ints("max_pool1d", stride, "stride", 3)
    p = _ints("max_pool1d", padding, "padding", 4)
    d = _ints("max_pool1d", dilation, "dilation", 5)
    if len(k) != 1:
        raise RuntimeError(f"max_pool1d() kernel_size must be an int, list of ints or tuple of ints of size 1 but got "
                           f"size {len(k)}")
    if len(s) > 1:
        raise RuntimeError(f"max_pool1d() stride must be None, an int, list of ints, or tuple of ints of size 1 but "
                           f"got size {len(s)}")
    if len(p) != 1:
        raise RuntimeError(f"max_pool1d() padding must be an int, list of ints, or tuple of ints of size 1 but got "
                           f"size {len(p)}")
    if len(d) != 1:
        raise RuntimeError(f"max_pool1d() dilation must be an int, list of ints, or tuple of ints of size 1 but got "
                           f"size {len(d)}")
    k, p, d = k[0], p[0], d[0]
    s = s[0] if s else k
    if k <= 0:
        raise RuntimeError(f"max_pool1d() kernel_size must be greater than zero, but got {k}")
    if s <= 0:
        raise RuntimeError(f"max_pool1d() stride must be greater than zero, but got {s}")
    if p < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p}")
    if p > k // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but got padding={p} and "
                           f"kernel_size={k}")
    if d <= 0:
        raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {d}")
    length = input.shape[-1]
    out = (length + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= length + p:
        out -= 1
    if out <= 0:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {out}")
    return _C._max_pool(input.unsqueeze(-2), [1, k], [1, s], [0, p], [1, d], bool(ceil_mode))[0].squeeze(-2)


# ------------------------------------------------------------------ average pooling

def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    _check_tensor("avg_pool2d", input)
    k, s, p, _ = _window("avg_pool2d", 2, kernel_size, stride, padding)
    return _C._avg_pool(input, k, s, p, bool(ceil_mode), bool(count_include_pad), divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    _check_tensor("avg_pool3d", input)
    k, s, p, _ = _window("avg_pool3d", 3, kernel_size, stride, padding)
    return _C._avg_pool(input, k, s, p, bool(ceil_mode), bool(count_include_pad), divisor_override)


def avg_pool1d(input, kernel_size, stride=(), padding=0, ceil_mode=False, count_include_pad=True):
    _check_tensor("avg_pool1d", input)
    _dims_1d("avg_pool1d", input)
    k, s, p, _ = _pool1d_args("avg_pool1d", kernel_size, stride, padding)
    out = _C._avg_pool(input.unsqueeze(-2), [1, k], [1, s], [0, p], bool(ceil_mode), bool(count_include_pad), None)
    return out.squeeze(-2)


# ------------------------------------------------------------------ adaptive pooling

def _output_size(fn, n, output_size):
    o = _ints(fn, output_size, "output_size", 2)
    if len(o) == 1:
        o = o * n
    return o


def adaptive_avg_pool2d(input, output_size):
    _check_tensor("adaptive_avg_pool2d", input)
    o = _output_size("adaptive_avg_pool2d", 2, output_size)
    if len(o) != 2:
        raise RuntimeError("adaptive_avg_pool2d: output_size must be 2")
    if o[0] < 0 or o[1] < 0:
        raise RuntimeError("adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but "
                           f"received {{{o[0]}, {o[1]}}}")
    if o == [1, 1]:  # torch computes the mean then (its grad_fn is MeanBackward1)
        return input.mean((-1, -2), keepdim=True)
    return _C._adaptive_avg_pool(input, o)


def adaptive_avg_pool3d(input, output_size):
    _check_tensor("adaptive_avg_pool3d", input)
    o = _output_size("adaptive_avg_pool3d", 3, output_size)
    if len(o) != 3:
        raise RuntimeError("adaptive_avg_pool3d: output_size must be 3")
    if min(o) < 0:
        raise RuntimeError("adaptive_avg_pool3d: elements of output_size must be greater than or equal to 0 but "
                           f"received {{{o[0]}, {o[1]}, {o[2]}}}")
    if o == [1, 1, 1]:
        return input.mean((-1, -2, -3), keepdim=True)
    return _C._adaptive_avg_pool(input, o)


def adaptive_max_pool2d(input, output_size):
    """(values, indices) (`torch._C._nn.adaptive_max_pool2d`)."""
    _check_tensor("adaptive_max_pool2d", input)
    o = _output_size("adaptive_max_pool2d", 2, output_size)
    if len(o) != 2:
        raise RuntimeError("adaptive_max_pool2d(): internal error: output_size.size() must be 2")
    return _C._adaptive_max_pool(input, o)


def adaptive_max_pool3d(input, output_size):
    """(values, indices) (`torch._C._nn.adaptive_max_pool3d`)."""
    _check_tensor("adaptive_max_pool3d", input)
    o = _output_size("adaptive_max_pool3d", 3, output_size)
    if len(o) != 3:
        raise RuntimeError("adaptive_max_pool3d(): internal error: output_size.size() must be 3")
    return _C._adaptive_max_pool(input, o)


def adaptive_avg_pool1d(input, output_size):
    _check_tensor("adaptive_avg_pool1d", input)
    _dims_1d("adaptive_avg_pool1d", input)
    o = _one("adaptive_avg_pool1d", _ints("adaptive_avg_pool1d", output_size, "output_size", 2), "output_size")
    return adaptive_avg_pool2d(input.unsqueeze(-2), [1, o]).squeeze(-2)


def adaptive_max_pool1d(input, output_size):
    _check_tensor("adaptive_max_pool1d", input)
    _dims_1d("adaptive_max_pool1d", input)
    o = _one("adaptive_max_pool1d", _ints("adaptive_max_pool1d", output_size, "output_size", 2), "output_size")
    for i in range(1, input.dim()):
        if input.shape[i] == 0:
            raise RuntimeError(f"adaptive_max_pool1d(): Expected input to have non-zero size for non-batch dimensions, "
                               f"but input has sizes {list(input.shape)} with dimension {i} being empty")
    v, i = _C._adaptive_max_pool(input.unsqueeze(-2), [1, o])
    return v.squeeze(-2), i.squeeze(-2)


# ------------------------------------------------------------------ max unpooling

def max_unpool2d(input, indices, output_size):
    """`torch._C._nn.max_unpool2d`: `output_size` is the (height, width) of the result."""
    _check_tensor("max_unpool2d", input)
    o = _ints("max_unpool2d", output_size, "output_size", 3)
    if len(o) != 2:
        raise RuntimeError(f"There should be exactly two elements (height, width) in output_size, but got {len(o)} "
                           "elements.")
    return _C._max_unpool(input, indices, o)


def max_unpool3d(input, indices, output_size, stride, padding):
    """`torch._C._nn.max_unpool3d` (stride and padding are only checked, like torch's)."""
    _check_tensor("max_unpool3d", input)
    o = _ints("max_unpool3d", output_size, "output_size", 3)
    s = _ints("max_unpool3d", stride, "stride", 4)
    p = _ints("max_unpool3d", padding, "padding", 5)
    if indices.dtype is not _C.int64:
        raise RuntimeError("elements in indices should be type int64")
    if len(o) != 3:
        raise RuntimeError(f"There should be exactly three elements (depth, height, width) in output_size, but got "
                           f"{len(o)} elements.")
    if len(s) != 3:
        raise RuntimeError(f"There should be exactly three elements (depth, height, width) in stride, but got: "
                           f"{len(s)} elements.")
    if len(p) != 3:
        raise RuntimeError(f"There should be exactly three elements (depth, height, width) in padding, but got: "
                           f"{len(p)} elements.")
    if min(s) <= 0:
        raise RuntimeError(f"strides should be greater than zero, but got stride: {s}")
    return _C._max_unpool(input, indices, o)


def _row(fn, signature, backward, public=True):
    return Op(fn.__name__, signature, SAME, backward, fn if public else False, method=False)


_MAX = "(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False)"
_AVG = "(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None)"

OPS = [
    _row(max_pool1d, _MAX, COMPOSITE),
    _row(max_pool2d, _MAX, "max_pool2d_with_indices"),
    _row(max_pool3d, _MAX, "max_pool3d_with_indices"),
    _row(max_pool1d_with_indices, _MAX, COMPOSITE),
    _row(max_pool2d_with_indices, _MAX, "max_pool2d_with_indices", public=False),
    _row(max_pool3d_with_indices, _MAX, "max_pool3d_with_indices", public=False),
    _row(avg_pool1d, "(input, kernel_size, stride=(), padding=0, ceil_mode=False, count_include_pad=True)", COMPOSITE),
    _row(avg_pool2d, _AVG, "avg_pool2d", public=False),
    _row(avg_pool3d, _AVG, "avg_pool3d", public=False),
    _row(adaptive_avg_pool1d, "(input, output_size)", COMPOSITE),
    _row(adaptive_avg_pool2d, "(input, output_size)", "adaptive_avg_pool2d", public=False),
    _row(adaptive_avg_pool3d, "(input, output_size)", "adaptive_avg_pool3d", public=False),
    _row(adaptive_max_pool1d, "(input, output_size)", COMPOSITE),
    _row(adaptive_max_pool2d, "(input, output_size)", "adaptive_max_pool2d", public=False),
    _row(adaptive_max_pool3d, "(input, output_size)", "adaptive_max_pool3d", public=False),
    _row(max_unpool2d, "(input, indices, output_size)", "max_unpool2d", public=False),
    _row(max_unpool3d, "(input, indices, output_size, stride, padding)", "max_unpool3d", public=False),
]

__all__ = install(OPS, globals(), Tensor)
