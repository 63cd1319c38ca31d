"""Sorting and searching (sort, topk, unique, searchsorted, bincount...): function forms of
rust/core/src/ops/sort.rs, bound in rust/python/src/tensor/sort.rs, plus the ops that are only
arrangements of views (meshgrid). The named pairs are classes of rstorch/return_types.py."""

import warnings

from .. import _C
from .._out import EXACT, exact, write_out, write_outs
from .._tensor import Tensor

__all__ = [
    "sort", "argsort", "msort", "topk", "kthvalue", "median", "nanmedian", "mode", "quantile",
    "nanquantile", "unique", "unique_consecutive", "bincount", "histc", "histogram",
    "searchsorted", "bucketize", "isin", "meshgrid", "cartesian_prod", "combinations",
    "tril_indices", "triu_indices",
]


def _check_no_grad(name, out, *tensors):
    if out is not None and _C.is_grad_enabled() and any(
            isinstance(t, Tensor) and t.requires_grad for t in tensors):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")


# torch's checks of out='s dtypes (see rstorch/_out.py): exactly the results' dtypes, in its words
_PAIR = (EXACT, EXACT)
_MEDIAN = {  # indices checked first
    1: exact("Expected tensor for argument #1 'indices' to have scalar type Long; but got {out_legacy} instead "
             "(while checking arguments for median)"),
    0: exact("Expected tensor for 'values' to have the same type as tensor for argument #2 'self'; but type "
             "{out_legacy} does not equal {result_legacy} (while checking arguments for median)"),
}
_KTHVALUE = (exact("output values must be of same type as input"), exact("output indices must be of scalar type Long"))
_MODE = (exact("expected scalar type '{result}' but got '{out}' for values output"),
         exact("expected scalar type 'Long' but got '{out}' for indices output"))
_QUANTILE = exact("quantile() out tensor must be same dtype as the input tensor")
_HIST = exact("torch.histogram: input tensor and hist tensor should have the same dtype, but got input {result_cpp} "
              "and hist {out_cpp}")
_HISTOGRAM = (_HIST, exact("torch.histogram: input tensor and bin_edges tensor should have the same dtype, but got "
                           "input {result_cpp} and bin_edges {out_cpp} for dimension 0"))


def _searchsorted_out(out, result):
    raise RuntimeError("torch.searchsorted(): output tensor's dtype is wrong, it can only be Int(int32) or Long(int64) "
                       "depending on whether out_int32 flag is True, but we got output tensor's dtype "
                       f"{out.dtype._scalar_type_name} and out_int32 flag is {result.dtype is _C.int32}")


def sort(input, dim=-1, descending=False, stable=False, *, out=None):
    _check_no_grad("sort", out, input)
    return write_outs("sort", out, input.sort(dim, descending, stable=stable), _PAIR)


def argsort(input, dim=-1, descending=False, stable=False):
    return input.argsort(dim, descending, stable=stable)


def msort(input, *, out=None):
    _check_no_grad("msort", out, input)
    return write_out(out, input.msort(), EXACT)


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    _check_no_grad("topk", out, input)
    return write_outs("topk", out, input.topk(k, dim, largest, sorted), _PAIR)


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    _check_no_grad("kthvalue", out, input)
    return write_outs("kthvalue", out, input.kthvalue(k, dim, keepdim), _KTHVALUE)


def median(input, dim=None, keepdim=False, *, out=None):
    _check_no_grad("median", out, input)
    r = input.median(dim, keepdim)
    return write_out(out, r, EXACT) if dim is None else write_outs("median", out, r, _MEDIAN)


def nanmedian(input, dim=None, keepdim=False, *, out=None):
    _check_no_grad("nanmedian", out, input)
    r = input.nanmedian(dim, keepdim)
    return write_out(out, r, EXACT) if dim is None else write_outs("nanmedian", out, r, _MEDIAN)


def mode(input, dim=-1, keepdim=False, *, out=None):
    _check_no_grad("mode", out, input)
    return write_outs("mode", out, input.mode(dim, keepdim), _MODE)


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    _check_no_grad("quantile", out, input, q)
    return write_out(out, input.quantile(q, dim, keepdim, interpolation=interpolation), _QUANTILE)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    _check_no_grad("nanquantile", out, input, q)
    return write_out(out, input.nanquantile(q, dim, keepdim, interpolation=interpolation), _QUANTILE)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    return input.unique(sorted, return_inverse, return_counts, dim)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    return input.unique_consecutive(return_inverse, return_counts, dim)


def bincount(input, weights=None, minlength=0):
    return input.bincount(weights, minlength)


def histc(input, bins=100, min=0, max=0, *, out=None):
    return write_out(out, input.histc(bins, min, max), _HIST)


def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    if range is not None:
        range = (float(range[0]), float(range[1]))
    r = _C._histogram(input, bins, range, weight, density)
    return write_outs("histogram", out, r, _HISTOGRAM)


def _side(right, side):
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(
                f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, "
                               "got side of left while right was True")
        return side == "right"
    return right


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None,
                 out=None):
    r = _C._searchsorted(sorted_sequence, input, out_int32, _side(right, side), sorter)
    return write_out(out, r, _searchsorted_out)


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    return write_out(out, _C._bucketize(input, boundaries, out_int32, right), _searchsorted_out)


def isin(elements, test_elements, *, assume_unique=False, invert=False, out=None):
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin() received an invalid combination of arguments - got "
                        f"({type(elements).__name__}, {type(test_elements).__name__}), but "
                        "expected a Tensor for elements or test_elements")
    return write_out(out, _C._isin(elements, test_elements, invert), EXACT)


def _tensor_list(tensors, name):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}(): expected Tensor as element, but got {type(t).__name__}")
    return tensors


def meshgrid(*tensors, indexing=None):
    """Coordinate grids as expanded views of the 0-D or 1-D inputs ('ij' by default, with torch's
    warning when `indexing` is not given)."""
    tensors = _tensor_list(tensors, "meshgrid")
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError('torch.meshgrid: indexing must be one of "xy" or "ij", but received: '
                           f"{indexing}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    if any(t.dtype is not tensors[0].dtype for t in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    for t in tensors:
        if t.dim() > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: "
                               f"{t}")
    # 'xy' is 'ij' with the first two inputs swapped, and their grids swapped back
    swap = indexing == "xy" and len(tensors) >= 2
    ts = [tensors[1], tensors[0], *tensors[2:]] if swap else list(tensors)
    shape = [t.numel() for t in ts]
    grids = []
    for i, t in enumerate(ts):
        view = [1] * len(ts)
        view[i] = -1
        grids.append(t.reshape(view).expand(shape))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def cartesian_prod(*tensors):
    tensors = _tensor_list(tensors, "cartesian_prod")
    if len(tensors) == 1:
        return tensors[0]
    return _C._cartesian_prod(list(tensors))


def combinations(input, r=2, with_replacement=False):
    return _C._combinations(input, r, with_replacement)


def _tri(upper, row, col, offset, dtype):
    return _C._tri_indices(row, col, offset, _C.int64 if dtype is None else dtype, upper)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    return _tri(False, row, col, offset, dtype)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    return _tri(True, row, col, offset, dtype)


def _histogram_method(self, bins=100, *, range=None, weight=None, density=False):
    return histogram(self, bins, range=range, weight=weight, density=density)


Tensor.histogram = _histogram_method
