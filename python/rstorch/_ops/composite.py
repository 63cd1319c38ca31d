"""Ops torch has that rstorch builds from its other ops (no kernel of their own): autograd and,
later, the GPU path follow from the parts. Each is also a Tensor method where torch has one."""

import math

from .. import _C
from .._creation import arange, get_default_dtype
from .._out import CASTABLE
from .._tensor import Tensor
from ..autograd.graph import record
from . import binary, index, linalg, reduce
from ._table import BOOL, COMPOSITE, FLOAT, OWN, PROMOTE, SAME, Op, install, write_result, written, written_back


def _default_dtype():
    return get_default_dtype()


def _float(x):
    """`x` itself when floating point, else converted to the default dtype (torch's int -> float
    promotion for these ops)."""
    return x if x.dtype.is_floating_point else x.to(_default_dtype())


def _require_float(name, *ts):
    for t in ts:
        if not t.dtype.is_floating_point:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{t.dtype._scalar_type_name}'")


def signbit(input):
    """Whether each element's sign bit is set (True for -0.0 and negative NaNs, as in torch)."""
    if input.dtype is _C.bool:
        return input & False
    if not input.dtype.is_floating_point:
        return input < 0
    return binary.copysign(_C.full([], 1.0, input.dtype), input) < 0


def deg2rad(input):
    return _float(input) * (math.pi / 180)


def rad2deg(input):
    return _float(input) * (180 / math.pi)


def _logaddexp(name, a, b, log1p_of_pow):
    _require_float(name, a, b)
    m = binary.maximum(a, b)
    d = (a - b).abs()
    # equal infinities give inf - inf = NaN in the difference; torch returns the infinity
    return binary.where(m.isinf() & (a == b), m, m + log1p_of_pow(-d))


def logaddexp(input, other):
    """log(exp(input) + exp(other)) without overflow."""
    return _logaddexp("logaddexp", input, other, lambda v: v.exp().log1p())


def logaddexp2(input, other):
    """log2(2**input + 2**other) without overflow."""
    return _logaddexp("logaddexp2", input, other, lambda v: v.exp2().log1p() * (1 / math.log(2)))


def heaviside(input, values):
    """0 below zero, 1 above, `values` at zero."""
    if input.dtype is not values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    return binary.where(input == 0, values, (input > 0).to(input.dtype))


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along `dim` (logical_xor for bool, as torch)."""
    if input.dim() == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    parts = [t for t in (prepend, input, append) if t is not None]
    x = index.cat(parts, dim) if len(parts) > 1 else input
    for _ in range(n):
        size = x.shape[dim]
        if size == 0:
            break
        hi, lo = x.narrow(dim, 1, size - 1), x.narrow(dim, 0, size - 1)
        x = binary.logical_xor(hi, lo) if x.dtype is _C.bool else hi - lo
    return x


def block_diag(*tensors):
    """The tensors (0-D, 1-D as a row, or 2-D) along the diagonal of one matrix."""
    mats = []
    for i, t in enumerate(tensors):
        if t.dim() > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{t.dim()} dimensions")
        mats.append(t.reshape(1, 1) if t.dim() == 0 else t.reshape(1, -1) if t.dim() == 1 else t)
    if not mats:
        return _C.zeros([1, 0], _default_dtype())
    dtype = mats[0].dtype
    for m in mats[1:]:
        dtype = _C.promote_types(dtype, m.dtype)
    width = sum(m.shape[1] for m in mats)
    rows, left = [], 0
    for m in mats:
        r, c = m.shape
        pieces = [_C.zeros([r, left], dtype), m.to(dtype), _C.zeros([r, width - left - c], dtype)]
        rows.append(index.cat(pieces, 1))
        left += c
    return index.cat(rows, 0)


def cdist(x1, x2, p=2.0, compute_mode=None):
    """p-norm distances between the rows of x1 (..., P, M) and x2 (..., R, M): (..., P, R)."""
    for name, t in (("X1", x1), ("X2", x2)):
        if t.dim() < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {t.dim()}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}")
    if not (x1.dtype.is_floating_point and x2.dtype.is_floating_point):
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: {x1.dtype._scalar_type_name}")
    if p < 0:
        raise RuntimeError(f"cdist only supports non-negative p values, got {p}")
    return linalg._linalg_vector_norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), ord=p, dim=-1)


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The trapezoidal rule along `dim`, with sample points `x` or spacing `dx` (default 1)."""
    if x is not None and dx is not None:
        raise TypeError("trapezoid() received an invalid combination of arguments: both x and dx given")
    n = y.shape[dim]
    if n == 0:
        return reduce.sum(y, dim)
    pair_sum = y.narrow(dim, 1, n - 1) + y.narrow(dim, 0, n - 1)
    if x is None:
        return reduce.sum(pair_sum, dim) * ((1 if dx is None else dx) / 2)
    if not isinstance(x, Tensor):
        raise TypeError("trapezoid(): argument 'x' must be Tensor")
    spacing = diff(x, dim=dim if x.dim() > 1 else -1)
    if x.dim() == 1 and y.dim() > 1:
        shape = [1] * y.dim()
        shape[dim] = n - 1
        spacing = spacing.reshape(shape)
    return reduce.sum(pair_sum * spacing, dim) / 2



def _recorded(name, compute, input, *args):
    """`compute(input, *args)`, recorded as one node `name` (torch's MvlgammaBackward0,
    RenormBackward0) when autograd tracks `input`, instead of the nodes of its parts."""
    if not (_C.is_grad_enabled() and input.requires_grad):
        return compute(input, *args)
    prev = _C._set_grad_enabled(False)
    try:
        result = compute(input, *args)
    finally:
        _C._set_grad_enabled(prev)
    return record(name, (input,) + args, None, result)


def mvlgamma_terms(x, p):
    """x - j/2 for j = p-1 .. 0 along a new last dim (torch's order of the sum)."""
    return x.unsqueeze(-1) + arange(-p * 0.5 + 0.5, 0.5, 0.5, dtype=x.dtype, device=x.device)


def _mvlgamma(x, p):
    x = _float(x)
    return reduce.sum(mvlgamma_terms(x, p).lgamma(), -1) + p * (p - 1) * math.log(math.pi) / 4


def _mvlgamma_method(input, p):
    """The multivariate log-gamma function of dimension p."""
    if input.dtype is _C.bool:
        raise RuntimeError("The input tensor may not be a boolean tensor.")
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    return _recorded("mvlgamma", _mvlgamma, input, p)


def _mvlgamma_function(op, input, p, *, out=None):
    return write_result(op, out, _mvlgamma_method(input, p))


def renorm_dims(t, dim):
    return [d for d in range(t.dim()) if d != dim]


def _renorm(x, p, dim, maxnorm):
    norm = linalg._linalg_vector_norm(x, ord=p, dim=renorm_dims(x, dim), keepdim=True)
    return x * binary.where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0).to(x.dtype)


def _renorm_method(input, p, dim, maxnorm):
    """`input` with each slice along `dim` scaled down to p-norm `maxnorm` where it exceeds it."""
    if input.dim() < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.dim()} dimensions")
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm:g}")
    n = input.dim()
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return _recorded("renorm", _renorm, input, p, dim % n, maxnorm)


def _renorm_function(op, input, p, dim, maxnorm, *, out=None):
    return write_result(op, out, _renorm_method(input, p, dim, maxnorm))


def _op(fn, signature, dtype, method=True, inplace=False, inplace_function=None):
    """A composite op: `fn` is its function form and, where torch has them, its method and (the
    result written back) its in-place forms."""
    return Op(fn.__name__, signature, dtype, COMPOSITE, fn, fn if method else False,
              written_back(fn) if inplace else False,
              inplace_function=inplace if inplace_function is None else inplace_function)


OPS = [
    _op(signbit, "(input)", BOOL),
    _op(deg2rad, "(input)", FLOAT, inplace=True),
    _op(rad2deg, "(input)", FLOAT, inplace=True),
    _op(logaddexp, "(input, other)", PROMOTE),
    _op(logaddexp2, "(input, other)", PROMOTE),
    _op(heaviside, "(input, values)", SAME, inplace=True, inplace_function=False),
    _op(diff, "(input, n=1, dim=-1, prepend=None, append=None)", OWN),
    _op(block_diag, "(*tensors)", OWN, method=False),
    _op(cdist, "(x1, x2, p=2.0, compute_mode=None)", OWN, method=False),
    _op(trapezoid, "(y, x=None, *, dx=None, dim=-1)", OWN, method=False),
    Op("mvlgamma", "(input, p, *, out=None)", FLOAT, "mvlgamma", written(_mvlgamma_function), _mvlgamma_method,
       written_back(_mvlgamma_method), out=CASTABLE),
    Op("renorm", "(input, p, dim, maxnorm, *, out=None)", SAME, "renorm", written(_renorm_function), _renorm_method,
       written_back(_renorm_method), out=CASTABLE),
]

__all__ = install(OPS, globals(), Tensor)
