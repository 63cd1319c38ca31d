"""Reductions, scans and softmax: function forms of the kernels in rust/core/src/ops/reduce.rs
(and reduce/scan.rs), bound as Tensor methods in rust/python/src/tensor/reduce.rs.

The named pairs `max(dim)`, `min(dim)`, `aminmax`, `cummax` and `cummin` return are classes of
rstorch/return_types.py (torch.return_types.*), which the Rust side builds."""

from .. import _C
from .._out import CASTABLE, EXACT, allowed, castable, exact
from .._tensor import Tensor
from ._table import BOOL, FLOAT, INDEX, OWN, PROMOTE, SAME, Form, Op, call_with_out, install, written



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
_PAIR = (EXACT, EXACT)


def _bool_out(name):
    return allowed(lambda o, r: o in (_C.bool, _C.uint8), name + " only supports bool tensor for result, got: {out}")


def _accumulating(op, method):
    """sum, prod and the scans run in `dtype=`, else in out='s dtype (torch casts the input to
    out's dtype first, so any out dtype works), else in their own default."""
    def fn(input, *args, dtype=None, out=None, **kwargs):
        if out is None:
            return method(input, *args, dtype=dtype, **kwargs)
        if dtype is None:
            dtype = out.dtype
        return call_with_out(op, out, method, (input,) + args, dict(kwargs, dtype=dtype))
    return fn


ACCUMULATING = Form(_accumulating)


def _nansum(op, input, dim=None, keepdim=False, *, dtype=None, out=None):
    if dtype is None and out is not None and input.dtype.is_floating_point:
        _NANSUM_OUT(out, input)  # no NaN-skipping kernel for an integer out (but for dtype=)
    return _accumulating(op, Tensor.nansum)(input, dim, keepdim, dtype=dtype, out=out)


def _max_min(op, input, dim=None, keepdim=False, *, out=None):
    """`max(input)`, `max(input, dim, keepdim)` -> (values, indices), or `max(input, other)`,
    each with torch's out= check."""
    check = _MAX_ALL if dim is None else _PAIR if not isinstance(dim, Tensor) else CASTABLE
    return call_with_out(op, out, getattr(_C.TensorBase, op.name), (input, dim, keepdim), {}, check)


def _var_mean(unbiased_std):
    def fn(op, input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
        return call_with_out(op, out, Tensor._var_mean, (input, unbiased_std, dim, unbiased, keepdim),
                             {"correction": correction})
    return written(fn)


def _norm(op, input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    return call_with_out(op, out, Tensor.norm, (input, p, dim, keepdim, dtype), {})


def _scan_(name):
    """cumsum_/cumprod_: the out-of-place scan written back (a bool scan is int64 out of place;
    torch has no bool kernel to write in place)."""
    def inplace(self, dim, *, dtype=None):
        if self.dtype is _C.bool:
            raise NotImplementedError(f"\"{name}_out_cpu\" not implemented for 'Bool'")
        return self.copy_(getattr(self, name)(dim, dtype=dtype))
    return inplace


_REDUCE = "(input, dim=None, keepdim=False, *, out=None)"
_REDUCE_DTYPE = "(input, dim=None, keepdim=False, *, dtype=None, out=None)"
_MOMENT = "(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None)"

OPS = [
    Op("sum", _REDUCE_DTYPE, OWN, "sum", ACCUMULATING, out=EXACT),
    Op("mean", _REDUCE_DTYPE, OWN, "mean", out=CASTABLE),
    Op("nansum", _REDUCE_DTYPE, OWN, "nansum", written(_nansum), out=EXACT),
    Op("nanmean", _REDUCE_DTYPE, OWN, "nanmean", out=_NANSUM_OUT),
    Op("prod", _REDUCE_DTYPE, OWN, "prod", ACCUMULATING, out=EXACT),
    Op("max", _REDUCE, OWN, "max", written(_max_min)),
    Op("min", _REDUCE, OWN, "min", written(_max_min)),
    Op("amax", "(input, dim=(), keepdim=False, *, out=None)", SAME, "amax", out=_AMAX),
    Op("amin", "(input, dim=(), keepdim=False, *, out=None)", SAME, "amin", out=_AMAX),
    Op("argmax", _REDUCE, INDEX, out=EXACT),
    Op("argmin", _REDUCE, INDEX, out=EXACT),
    Op("aminmax", "(input, *, dim=None, keepdim=False, out=None)", OWN, "aminmax", out=_PAIR),
    Op("std", _MOMENT, FLOAT, "std", out=CASTABLE),
    Op("var", _MOMENT, FLOAT, "var", out=CASTABLE),
    Op("std_mean", _MOMENT, OWN, "std_mean", _var_mean(True), method=False, out=_PAIR),
    Op("var_mean", _MOMENT, OWN, "var_mean", _var_mean(False), method=False, out=_PAIR),
    Op("norm", "(input, p='fro', dim=None, keepdim=False, out=None, dtype=None)", OWN, "norm", written(_norm),
       out=EXACT),
    Op("logsumexp", "(input, dim, keepdim=False, *, out=None)", FLOAT, "logsumexp", out=_FLOAT_OUT),
    Op("all", _REDUCE, OWN, out=_bool_out("all")),
    Op("any", _REDUCE, OWN, out=_bool_out("any")),
    Op("count_nonzero", "(input, dim=None)", INDEX),
    Op("cumsum", "(input, dim, *, dtype=None, out=None)", OWN, "cumsum", ACCUMULATING, inplace=_scan_("cumsum"),
       out=EXACT),
    Op("cumprod", "(input, dim, *, dtype=None, out=None)", OWN, "cumprod", ACCUMULATING,
       inplace=_scan_("cumprod"), out=EXACT),
    Op("cummax", "(input, dim, *, out=None)", OWN, "cummax", out=(_SCAN, _SCAN)),
    Op("cummin", "(input, dim, *, out=None)", OWN, "cummin", out=(_SCAN, _SCAN)),
    Op("logcumsumexp", "(input, dim, *, out=None)", FLOAT, "logcumsumexp", out=_SCAN),
    Op("softmax", "(input, dim, dtype=None, *, out=None)", OWN, "softmax", out=EXACT),
    Op("log_softmax", "(input, dim, dtype=None, *, out=None)", OWN, "log_softmax", out=EXACT),
]

__all__ = install(OPS, globals(), Tensor)
