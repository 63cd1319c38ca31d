"""Ops torch has that rstorch builds from its other ops (no kernel of their own): autograd and,
later, the GPU path follow from the parts. Each is also a Tensor method where torch has one."""

import math

from .. import _C
from .._creation import arange, get_default_dtype
from .._functional import broadcast_shapes
from .._out import CASTABLE
from .._tensor import Tensor
from ..autograd.graph import record
from . import binary, index, linalg, reduce, views
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


def _tensor_args(name, **named):
    """torch's argument check for composites that take only tensors: `other=2.5` is a TypeError."""
    for pos, (arg, value) in enumerate(named.items(), 1):
        if not isinstance(value, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not {type(value).__name__}")


def _logaddexp(name, a, b, log1p_of_pow):
    _tensor_args(name, input=a, other=b)
    # mixed operands promote first (int8 with float16 is float16), as torch's binary kernels do
    dtype = _C.promote_types(a.dtype, b.dtype)
    if not dtype.is_floating_point:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{dtype._scalar_type_name}'")
    a, b = a.to(dtype), b.to(dtype)
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


def _trapezoid_terms(name, y, x, dx, dim):
    """The trapezoids along `dim` of y: (pair sums y[i] + y[i+1], each times its spacing when `x`
    is given, and the factor the whole is scaled by); (None, None) for no samples."""
    if x is not None and dx is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments: both x and dx given")
    n = y.size(dim)  # torch's IndexError for a dim out of range
    if n == 0:
        return None, None
    if y.dtype is _C.bool or (isinstance(x, Tensor) and x.dtype is _C.bool):
        which = "`y`" if x is None else "`x` or `y`"
        raise NotImplementedError(f"{name}: received a bool input for {which}, but bool is not supported")
    pair_sum = y.narrow(dim, 1, n - 1) + y.narrow(dim, 0, n - 1)
    if x is None:
        return pair_sum, (1 if dx is None else dx) / 2
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument 'x' must be Tensor")
    spacing = diff(x, dim=dim if x.dim() > 1 else -1)
    if x.dim() == 1 and y.dim() > 1:
        shape = [1] * y.dim()
        shape[dim] = n - 1
        spacing = spacing.reshape(shape)
    return pair_sum * spacing, 0.5


def _trapezoid(name, y, x, dx, dim):
    terms, scale = _trapezoid_terms(name, y, x, dx, dim)
    if terms is None:  # no samples: torch's zeros of y's dtype, without `dim`
        return reduce.sum(y, dim, dtype=y.dtype)
    return reduce.sum(terms, dim) * scale


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The trapezoidal rule along `dim`, with sample points `x` or spacing `dx` (default 1)."""
    return _trapezoid("trapezoid", y, x, dx, dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoidal integral along `dim` (one element shorter than `y` there)."""
    terms, scale = _trapezoid_terms("cumulative_trapezoid", y, x, dx, dim)
    if terms is None:  # no samples: empty, in the dtype torch's (x-spacing * pair sums) / 2 has
        empty = y.narrow(dim, 0, 0)
        return (empty.to(_C.promote_types(x.dtype, y.dtype)) if isinstance(x, Tensor) else empty) / 2
    return reduce.cumsum(terms, dim) * scale


def trapz(y, x=None, *, dx=None, dim=-1):
    """torch's older name of `trapezoid`."""
    return _trapezoid("trapezoid", y, x, dx, dim)


def _require_integer(name, *ts):
    for t in ts:
        if t.dtype.is_floating_point or t.dtype is _C.bool:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{t.dtype._scalar_type_name}'")


def gcd(input, other):
    """The greatest common divisor, elementwise, of integer tensors (non-negative; gcd(0, 0) = 0):
    Euclid's algorithm over the whole tensor until every remainder is zero."""
    _tensor_args("gcd", input=input, other=other)
    broadcast_shapes(input.shape, other.shape)  # torch's TensorIterator checks shapes first
    _require_integer("gcd", input, other)
    dtype = _C.promote_types(input.dtype, other.dtype)
    a, b = (t.abs().to(dtype) for t in views.broadcast_tensors(input, other))
    while bool((b != 0).any()):
        nz = b != 0
        a, b = binary.where(nz, b, a), binary.where(nz, a.remainder(binary.where(nz, b, 1)), 0)
    return a


def lcm(input, other):
    """The least common multiple, elementwise, of integer tensors (lcm(x, 0) = 0)."""
    _tensor_args("lcm", input=input, other=other)
    broadcast_shapes(input.shape, other.shape)
    _require_integer("lcm", input, other)
    g = gcd(input, other)
    safe = binary.where(g == 0, 1, g)
    return binary.where(g == 0, 0, (input // safe * other).abs())


def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance matrix of the variables in `input`'s rows (observations in columns), with
    frequency and/or reliability weights (torch's Correlation.cpp, step for step)."""
    if input.dim() > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.dim()} dimensions")
    if input.dtype is _C.bool:
        raise NotImplementedError("cov(): bool dtype is not supported for input")
    x = input.reshape(1, -1) if input.dim() < 2 else input
    x = x if x.dtype.is_floating_point else x.to(_default_dtype())
    n_obs = x.shape[1]
    w = None
    for name, weights in (("fweights", fweights), ("aweights", aweights)):
        if weights is None:
            continue
        if weights.dim() > 1:
            raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got {name} with "
                               f"{weights.dim()} dimensions")
        if weights.numel() != n_obs:
            raise RuntimeError(f"cov(): expected {name} to have the same numel as there are observations in the "
                               f"input but got {weights.numel()} != {n_obs}")
        if name == "fweights" and weights.dtype.is_floating_point:
            raise RuntimeError("cov(): expected fweights to have integral dtype but got fweights with "
                               f"{str(weights.dtype).rsplit('.', 1)[-1].capitalize()} dtype")
        if bool((weights < 0).any()):
            raise RuntimeError(f"cov(): {name} cannot be negative")
        w = weights if w is None else w * weights
    if w is None:
        avg = reduce.mean(x, 1)
        w_sum = _C.full([], float(n_obs), x.dtype)
    else:
        w = w.to(x.dtype)
        w_sum = reduce.sum(w)
        avg = reduce.sum(x * w, 1) / w_sum
    if w is None or aweights is None:
        norm_factor = w_sum - correction
    else:
        norm_factor = w_sum - correction * reduce.sum(w * aweights.to(x.dtype)) / w_sum
    if bool(norm_factor <= 0):
        import warnings
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the number "
                      "of observations.", stacklevel=2)
        norm_factor = norm_factor.clamp(min=0)
    xc = x - avg.unsqueeze(1)
    c = linalg.matmul(xc if w is None else xc * w, xc.t())
    return (c / norm_factor).squeeze()


def corrcoef(input):
    """Pearson's correlation coefficients of `input`'s rows, clipped to [-1, 1]."""
    if input.dim() > 2:
        raise RuntimeError(f"corrcoef(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.dim()} dimensions")
    c = cov(input)
    if c.dim() == 0:
        return c / c
    stddev = c.diagonal().sqrt()
    c = c / stddev.unsqueeze(1)
    c = c / stddev.unsqueeze(0)
    return c.clamp(-1, 1)


def dist(input, other, p=2):
    """The p-norm of `input - other`."""
    _tensor_args("dist", input=input, other=other)
    return linalg._linalg_vector_norm(input - other, p)


def frexp(input):
    """(mantissa, exponent) with input = mantissa * 2**exponent, |mantissa| in [0.5, 1)
    (0, inf and NaN keep their value with exponent 0), exponent int32."""
    if not input.dtype.is_floating_point:
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    from .. import return_types
    x = input.detach().to(_C.float64)
    finite_nonzero = x.isfinite() & (x != 0)
    safe = binary.where(finite_nonzero, x, 1.0)
    e = safe.abs().log2().floor() + 1
    m = safe / binary.pow(_C.full([], 2.0, _C.float64), e)
    # log2 may round across a power of two: move the mantissa back into [0.5, 1)
    big, small = m.abs() >= 1, m.abs() < 0.5
    e = e + big.to(e.dtype) - small.to(e.dtype)
    m = binary.where(big, m / 2, binary.where(small, m * 2, m))
    mantissa = binary.where(finite_nonzero, m, x).to(input.dtype)
    exponent = binary.where(finite_nonzero, e, 0.0).to(_C.int32)
    return return_types.frexp((mantissa, exponent))


def unravel_index(indices, shape):
    """The coordinates in `shape` of flat `indices` (row-major; torch wraps out-of-range and
    negative indices Python-style rather than checking them)."""
    if not isinstance(indices, Tensor):
        raise TypeError(f"expected 'indices' to be integer dtype, but got {type(indices).__name__}")
    if indices.dtype.is_floating_point or indices.dtype is _C.bool:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    if isinstance(shape, int):
        shape = (shape,)
    shape = tuple(int(n) for n in shape)
    if any(n < 0 for n in shape):
        raise ValueError("'shape' cannot have negative values, but got " + str(shape))
    if 0 in shape and indices.numel():
        raise ValueError(f"'shape' cannot have zero dimensions when 'indices' is non-empty, but got {shape}")
    coords = []
    rest = indices.to(_C.int64)
    for n in reversed(shape):
        coords.append(rest.remainder(n) if n else rest * 0)
        rest = rest.div(n, rounding_mode="floor") if n else rest
    return tuple(reversed(coords))


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of 1-D `x`: columns x**0 .. x**(N-1), highest power first unless
    `increasing`."""
    if x.dim() != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    dtype = _C.promote_types(x.dtype, _C.int64)
    powers = arange(n, dtype=_C.int64)
    out = binary.pow(x.to(dtype).unsqueeze(1), powers.unsqueeze(0)) if n else x.to(dtype).unsqueeze(1)[:, :0]
    return out if increasing else out.flip(1)


def rsub(input, other, *, alpha=1):
    """`other - alpha * input`."""
    if isinstance(other, bool):  # sub's bool errors, as torch reports them
        other = _C.full([], other, _C.bool)
    elif not isinstance(other, Tensor):
        other = _C.full([], other, input.dtype) if input.dtype.is_floating_point or isinstance(other, int) \
            else other
    return binary.sub(other, input, alpha=alpha)


def adjoint(input):
    """The conjugate transpose of the last two dims (a view; real tensors just transpose)."""
    if input.dim() == 1:
        raise RuntimeError("tensor.adjoint() is only supported on matrices or batches of matrices. "
                           "Got 1-D tensor.")
    return input.transpose(-2, -1) if input.dim() else input.view_as(input)


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


# ------------------------------------------------------------------ torch's plumbing forms

def _linalg():
    from .. import linalg  # rstorch.linalg sits above the op families
    return linalg


def fill(input, value):
    """A new tensor like `input` filled with `value` (a number or a 0-d tensor)."""
    return input.clone().fill_(value)


def zero_(input):
    return input.zero_()


def is_distributed(input):
    return False


def logdet(input):
    """`log(det(input))`: nan where the determinant is negative, -inf where it is 0."""
    sign, logabs = linalg._linalg_slogdet(input)
    return logabs + (sign < 0).to(logabs.dtype).masked_fill(sign < 0, math.nan)


def angle(input):
    """The argument of a real number: pi for negatives, 0 otherwise, nan kept."""
    x = _float(input)
    d = x.detach()
    out = d.new_zeros(d.shape).masked_fill(d < 0, math.pi).masked_fill(d.isnan(), math.nan)
    return out + x.sign() * 0.0 if x.requires_grad else out  # torch's gradient: zero


def chain_matmul(*matrices, out=None):
    import warnings
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
                  "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than "
                  "multiple parameters.", stacklevel=2)
    if len(matrices) == 1:
        return write_result(ROWS_BY_NAME["chain_matmul"], out, matrices[0].clone())
    return _linalg().multi_dot(list(matrices), out=out)


def frobenius_norm(input, dim, keepdim=False):
    return _linalg().vector_norm(input, 2, dim, keepdim)


def nuclear_norm(input, dim=(-2, -1), keepdim=False):
    return _linalg().matrix_norm(input, "nuc", dim, keepdim)


def norm_except_dim(v, pow=2, dim=0):
    """The `pow`-norm over every dim but `dim`, shaped to broadcast against `v` (weight_norm's
    g); over all of `v` when dim is -1."""
    if dim == -1:
        return v.norm(pow)
    dim = dim % v.dim()
    others = [d for d in range(v.dim()) if d != dim]
    return _linalg().vector_norm(v, pow, others, keepdim=True)


def _gradient_spacings(input, spacing, dims):
    """One spacing per dim: a number (uniform steps) or a 1-D coordinates tensor."""
    if isinstance(spacing, Tensor) and spacing.dim() == 0:
        spacing = spacing.item()
    if not isinstance(spacing, (list, tuple)):
        return [spacing] * len(dims)
    if len(spacing) != len(dims):
        raise RuntimeError("torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
                           f"arguments to have the same length, but got a spacing argument of length {len(spacing)} "
                           f"and a dim argument of length {len(dims)}.")
    for s in spacing:
        if isinstance(s, Tensor) and s.dim() != 1:
            raise RuntimeError("torch.gradient expected each element of spacing to have one dimension, but got an "
                               f"element with {s.dim()} dimensions!")
    return list(spacing)


def _gradient_along(f, d, h, edge_order):
    """numpy.gradient's second-order central differences along dim `d` (uniform step `h` or
    coordinates `h`), with one-sided first- or second-order differences at the two ends."""
    n = f.shape[d]

    def at(start, length=None):
        return f.narrow(d, start, n - start if length is None else length)
    if not isinstance(h, Tensor):  # uniform steps
        inner = (at(2) - at(0, n - 2)) / (2.0 * h)
        if edge_order == 1:
            first, last = (at(1, 1) - at(0, 1)) / h, (at(n - 1, 1) - at(n - 2, 1)) / h
        else:
            first = (at(0, 1) * -1.5 + at(1, 1) * 2.0 - at(2, 1) * 0.5) / h
            last = (at(n - 3, 1) * 0.5 - at(n - 2, 1) * 2.0 + at(n - 1, 1) * 1.5) / h
        return _C.cat([first, inner, last], d)
    if h.shape[0] != n:
        raise RuntimeError(f"torch.gradient expected each tensor to be on the same device and to have the same "
                           f"size as the input along the dim, but got {h.shape[0]} and {n}")
    shape = [1] * f.dim()
    shape[d] = -1
    x = h.to(f.dtype)
    dx = x[1:] - x[:-1]
    dx1, dx2 = dx[:-1].reshape(shape), dx[1:].reshape(shape)
    a = -dx2 / (dx1 * (dx1 + dx2))
    b = (dx2 - dx1) / (dx1 * dx2)
    c = dx1 / (dx2 * (dx1 + dx2))
    inner = a * at(0, n - 2) + b * at(1, n - 2) + c * at(2)
    e = dx.tolist()
    if edge_order == 1:
        first, last = (at(1, 1) - at(0, 1)) / e[0], (at(n - 1, 1) - at(n - 2, 1)) / e[-1]
    else:
        p, q = e[0], e[1]
        first = (at(0, 1) * (-(2 * p + q) / (p * (p + q))) + at(1, 1) * ((p + q) / (p * q)) +
                 at(2, 1) * (-p / (q * (p + q))))
        p, q = e[-2], e[-1]
        last = (at(n - 3, 1) * (q / (p * (p + q))) + at(n - 2, 1) * (-(p + q) / (p * q)) +
                at(n - 1, 1) * ((2 * q + p) / (q * (p + q))))
    return _C.cat([first, inner, last], d)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """The derivative estimates of `input` along each of `dim` (all dims by default), as
    numpy.gradient computes them; a tuple with one tensor per dim."""
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    nd = input.dim()
    dims = list(range(nd)) if dim is None else [dim] if isinstance(dim, int) else list(dim)
    dims = [d + nd if d < 0 else d for d in dims]
    spacings = _gradient_spacings(input, spacing, dims)
    if any(input.shape[d] < edge_order + 1 for d in dims):
        raise RuntimeError("torch.gradient expected each dimension size to be at least edge_order+1")
    f = _float(input)
    return tuple(_gradient_along(f, d, h, edge_order) for d, h in zip(dims, spacings))


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
    _op(cumulative_trapezoid, "(y, x=None, *, dx=None, dim=-1)", OWN, method=False),
    _op(trapz, "(y, x=None, *, dx=None, dim=-1)", OWN, method=False),
    _op(gcd, "(input, other)", PROMOTE, inplace=True, inplace_function=True),
    _op(lcm, "(input, other)", PROMOTE, inplace=True, inplace_function=True),
    _op(cov, "(input, *, correction=1, fweights=None, aweights=None)", OWN),
    _op(corrcoef, "(input)", OWN),
    _op(dist, "(input, other, p=2)", OWN),
    _op(frexp, "(input)", OWN),
    _op(unravel_index, "(indices, shape)", OWN, method=False),
    _op(vander, "(x, N=None, increasing=False)", OWN, method=False),
    _op(rsub, "(input, other, *, alpha=1)", OWN, method=False),
    _op(adjoint, "(input)", SAME),
    _op(fill, "(input, value)", SAME, method=False, inplace_function=True),
    Op("zero_", "(input)", SAME, None, zero_, True),
    _op(is_distributed, "(input)", OWN),
    _op(logdet, "(input)", SAME),
    _op(angle, "(input)", FLOAT),
    _op(chain_matmul, "(*matrices, out=None)", PROMOTE, method=False),
    _op(frobenius_norm, "(input, dim, keepdim=False)", FLOAT, method=False),
    _op(nuclear_norm, "(input, dim=(-2, -1), keepdim=False)", FLOAT, method=False),
    _op(norm_except_dim, "(v, pow=2, dim=0)", SAME, method=False),
    _op(gradient, "(input, *, spacing=1, dim=None, edge_order=1)", OWN, method=False),
    Op("mvlgamma", "(input, p, *, out=None)", FLOAT, "mvlgamma", written(_mvlgamma_function), _mvlgamma_method,
       written_back(_mvlgamma_method), out=CASTABLE),
    Op("renorm", "(input, p, dim, maxnorm, *, out=None)", SAME, "renorm", written(_renorm_function), _renorm_method,
       written_back(_renorm_method), out=CASTABLE),
]

__all__ = install(OPS, globals(), Tensor)
ROWS_BY_NAME = {op.name: op for op in OPS}
