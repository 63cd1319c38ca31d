"""Reductions, scans and softmax: function forms of the kernels in rust/core/src/ops/reduce.rs
(and reduce/scan.rs), bound as Tensor methods in rust/python/src/tensor/reduce.rs.

The named pairs `max(dim)`, `min(dim)`, `aminmax`, `cummax` and `cummin` return are classes of
rstorch/return_types.py (torch.return_types.*), which the Rust side builds."""

from .. import _C
from .._out import CASTABLE, EXACT, allowed, castable, exact, write_out, write_outs
from .._tensor import Tensor

__all__ = [
    "sum", "mean", "nansum", "nanmean", "prod", "max", "min", "amax", "amin", "argmax", "argmin",
    "aminmax", "std", "var", "std_mean", "var_mean", "norm", "logsumexp", "all", "any",
    "count_nonzero", "cumsum", "cumprod", "cummax", "cummin", "logcumsumexp", "softmax",
    "log_softmax",
]


# ------------------------------------------------------------------ out= helpers


def _check_grad_out(name, input, out):
    if out is not None and input.requires_grad and _C.is_grad_enabled():
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")


def _out(name, input, out, compute, check=EXACT):
    """`compute()` written into `out=` (a tuple of tensors for a pair: `check` is then one check
    per result)."""
    _check_grad_out(name, input, out)
    result = compute()
    if isinstance(result, tuple):
        return write_outs(name, out, result, check)
    return write_out(out, result, check)


def _accumulate_in(dtype, out):
    """The dtype sum, prod and the scans run in: `dtype=`, else out='s (torch casts the input
    to out's dtype first, so any out dtype works), else their own default."""
    return out.dtype if dtype is None and out is not None else dtype


# torch's checks of out='s dtype where they are not `EXACT` (see rstorch/_out.py)
_AMAX = exact("Expected the dtype for input and out to match, but got {result} for input's dtype and {out} for "
              "out's dtype.")
_MAX_ALL = castable("Expected canCast( typeMetaToScalarType(self.dtype()), typeMetaToScalarType(out.dtype())) to "
                    "be true, but got false.  (Could this error message be improved?  If so, please report an "
                    "enhancement request to PyTorch.)")
_SCAN = exact("expected scalar_type {result} but found {out}")
_FLOAT_OUT = allowed(lambda o, r: o.is_floating_point,
                     "logsumexp(): Expected floating point type for result tensor, but got: {out}")
_NANSUM_OUT = allowed(lambda o, r: o.is_floating_point, "\"nansum_cpu\" not implemented for '{out}'",
                      NotImplementedError)


def _bool_out(name):
    return allowed(lambda o, r: o in (_C.bool, _C.uint8), name + " only supports bool tensor for result, got: {out}")


# ------------------------------------------------------------------ function forms


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    dtype = _accumulate_in(dtype, out)
    return _out("sum", input, out, lambda: input.sum(dim, keepdim, dtype=dtype))


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    return _out("mean", input, out, lambda: input.mean(dim, keepdim, dtype=dtype), CASTABLE)


def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    if dtype is None and out is not None and input.dtype.is_floating_point:
        _NANSUM_OUT(out, input)  # no NaN-skipping kernel for an integer out (but for dtype=)
    dtype = _accumulate_in(dtype, out)
    return _out("nansum", input, out, lambda: input.nansum(dim, keepdim, dtype=dtype))


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    return _out("nanmean", input, out, lambda: input.nanmean(dim, keepdim, dtype=dtype), _NANSUM_OUT)


def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    dtype = _accumulate_in(dtype, out)
    return _out("prod", input, out, lambda: input.prod(dim, keepdim, dtype=dtype))


def _max_min(name, input, dim, keepdim, out):
    """`max(input)`, `max(input, dim, keepdim)` -> (values, indices), or `max(input, other)`,
    each with torch's out= check."""
    check = _MAX_ALL if dim is None else (EXACT, EXACT) if not isinstance(dim, Tensor) else CASTABLE
    return _out(name, input, out, lambda: getattr(input, name)(dim, keepdim), check)


def max(input, dim=None, keepdim=False, *, out=None):
    return _max_min("max", input, dim, keepdim, out)


def min(input, dim=None, keepdim=False, *, out=None):
    return _max_min("min", input, dim, keepdim, out)


def amax(input, dim=(), keepdim=False, *, out=None):
    return _out("amax", input, out, lambda: input.amax(dim, keepdim), _AMAX)


def amin(input, dim=(), keepdim=False, *, out=None):
    return _out("amin", input, out, lambda: input.amin(dim, keepdim), _AMAX)


def argmax(input, dim=None, keepdim=False, *, out=None):
    return _out("argmax", input, out, lambda: input.argmax(dim, keepdim))


def argmin(input, dim=None, keepdim=False, *, out=None):
    return _out("argmin", input, out, lambda: input.argmin(dim, keepdim))


def aminmax(input, *, dim=None, keepdim=False, out=None):
    return _out("aminmax", input, out, lambda: input.aminmax(dim=dim, keepdim=keepdim), (EXACT, EXACT))


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    return _out("std", input, out, lambda: input.std(dim, unbiased, keepdim, correction=correction), CASTABLE)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    return _out("var", input, out, lambda: input.var(dim, unbiased, keepdim, correction=correction), CASTABLE)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """(std, mean) in one pass."""
    return _out("std_mean", input, out,
                lambda: input._var_mean(True, dim, unbiased, keepdim, correction=correction), (EXACT, EXACT))


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """(var, mean) in one pass."""
    return _out("var_mean", input, out,
                lambda: input._var_mean(False, dim, unbiased, keepdim, correction=correction), (EXACT, EXACT))


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    return _out("norm", input, out, lambda: input.norm(p, dim, keepdim, dtype))


def logsumexp(input, dim, keepdim=False, *, out=None):
    return _out("logsumexp", input, out, lambda: input.logsumexp(dim, keepdim), _FLOAT_OUT)


def all(input, dim=None, keepdim=False, *, out=None):
    return _out("all", input, out, lambda: input.all(dim, keepdim), _bool_out("all"))


def any(input, dim=None, keepdim=False, *, out=None):
    return _out("any", input, out, lambda: input.any(dim, keepdim), _bool_out("any"))


def count_nonzero(input, dim=None):
    return input.count_nonzero(dim)


def cumsum(input, dim, *, dtype=None, out=None):
    dtype = _accumulate_in(dtype, out)
    return _out("cumsum", input, out, lambda: input.cumsum(dim, dtype=dtype))


def cumprod(input, dim, *, dtype=None, out=None):
    dtype = _accumulate_in(dtype, out)
    return _out("cumprod", input, out, lambda: input.cumprod(dim, dtype=dtype))


def cummax(input, dim, *, out=None):
    return _out("cummax", input, out, lambda: input.cummax(dim), (_SCAN, _SCAN))


def cummin(input, dim, *, out=None):
    return _out("cummin", input, out, lambda: input.cummin(dim), (_SCAN, _SCAN))


def logcumsumexp(input, dim, *, out=None):
    return _out("logcumsumexp", input, out, lambda: input.logcumsumexp(dim), _SCAN)


def softmax(input, dim, dtype=None, *, out=None):
    return _out("softmax", input, out, lambda: input.softmax(dim, dtype))


def log_softmax(input, dim, dtype=None, *, out=None):
    return _out("log_softmax", input, out, lambda: input.log_softmax(dim, dtype))


# ------------------------------------------------------------------ in-place scans


def _cumsum_(self, dim, *, dtype=None):
    _scan_in_place_dtype("cumsum", self)
    return self.copy_(self.cumsum(dim, dtype=dtype))


def _cumprod_(self, dim, *, dtype=None):
    _scan_in_place_dtype("cumprod", self)
    return self.copy_(self.cumprod(dim, dtype=dtype))


def _scan_in_place_dtype(name, self):
    # the out-of-place scan of a bool tensor is int64; torch has no bool kernel to write in place
    if self.dtype is _C.bool:
        raise NotImplementedError(f"\"{name}_out_cpu\" not implemented for 'Bool'")


Tensor.cumsum_ = _cumsum_
Tensor.cumprod_ = _cumprod_
