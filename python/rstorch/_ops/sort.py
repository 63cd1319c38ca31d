"""Sorting and searching (sort, topk, unique, searchsorted, bincount...): the op-table rows (see
_table.py) of rust/core/src/ops/sort.rs, bound in rust/python/src/tensor/sort.rs, plus the ops
that are only arrangements of views (meshgrid). The named pairs are classes of
rstorch/return_types.py."""

import inspect
import warnings

from .. import _C
from .._out import EXACT, exact
from .._tensor import Tensor
from ._table import BOOL, INDEX, OWN, SAME, Op, call_with_out, install, written


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


def _median(op, input, dim=None, keepdim=False, *, out=None):
    """median/nanmedian: one value over everything, or (values, indices) along `dim`."""
    return call_with_out(op, out, getattr(_C.TensorBase, op.name), (input, dim, keepdim), {},
                         EXACT if dim is None else _MEDIAN)


def _histogram(op, input, bins=100, *, range=None, weight=None, density=False, out=None):
    if range is not None:
        range = (float(range[0]), float(range[1]))
    return call_with_out(op, out, _C._histogram, (input, bins, range, weight, density), {})


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


def _searchsorted(op, sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None, out=None):
    return call_with_out(op, out, _C._searchsorted, (sorted_sequence, input, out_int32, _side(right, side), sorter),
                         {})


def _bucketize(op, input, boundaries, *, out_int32=False, right=False, out=None):
    return call_with_out(op, out, _C._bucketize, (input, boundaries, out_int32, right), {})


def _isin(op, elements, test_elements, *, assume_unique=False, invert=False, out=None):
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin() received an invalid combination of arguments - got "
                        f"({type(elements).__name__}, {type(test_elements).__name__}), but "
                        "expected a Tensor for elements or test_elements")
    if any(isinstance(v, bool) or (isinstance(v, Tensor) and v.dtype is _C.bool) for v in (elements, test_elements)):
        raise NotImplementedError("Unsupported input type encountered for isin(): Bool")
    return call_with_out(op, out, _C._isin, (elements, test_elements, invert), {})


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
    for t in tensors:
        if t.dim() != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
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


_TOPK = "(input, k, dim=-1, largest=True, sorted=True, *, out=None)"
_QUANTILE_SIG = "(input, q, dim=None, keepdim=False, *, interpolation='linear', out=None)"
_TRI = "(row, col, offset=0, *, dtype=None, device=None, layout=None)"


def _unique_consecutive_args(input, return_inverse=False, return_counts=False, dim=None):
    return input, return_inverse, return_counts, dim


def unique_consecutive(*args, **kwargs):
    """torch.unique_consecutive as torch's Python function behaves: its boolean_dispatch picks
    the results from the flags read by position with unique's positions (return_counts at 1,
    return_inverse at 2), so `unique_consecutive(x, True)` returns (output, counts). The kernel
    runs with the flags as bound; like torch's, without a dim (or with dim 0 of a 1-D input) it
    gives an empty inverse/counts where their flag is False."""
    input, return_inverse, return_counts, dim = _unique_consecutive_args(*args, **kwargs)
    counts_flag = kwargs["return_counts"] if "return_counts" in kwargs else len(args) > 1 and args[1]
    inverse_flag = kwargs["return_inverse"] if "return_inverse" in kwargs else len(args) > 2 and args[2]
    if not isinstance(input, Tensor):
        raise TypeError(f"unique_consecutive(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    out, inverse, counts = input.unique_consecutive(True, True, dim)
    if dim is None or (dim == 0 and input.dim() == 1):
        empty = inverse.new_empty((0,))
        inverse, counts = (inverse if return_inverse else empty), (counts if return_counts else empty)
    if inverse_flag:
        return (out, inverse, counts) if counts_flag else (out, inverse)
    return (out, counts) if counts_flag else out


unique_consecutive.__signature__ = inspect.signature(_unique_consecutive_args)

OPS = [
    Op("sort", "(input, dim=-1, descending=False, stable=False, *, out=None)", OWN, "sort", out=_PAIR),
    Op("argsort", "(input, dim=-1, descending=False, stable=False)", INDEX),
    Op("msort", "(input, *, out=None)", SAME, "msort", out=EXACT),
    Op("topk", _TOPK, OWN, "topk", out=_PAIR),
    Op("kthvalue", "(input, k, dim=-1, keepdim=False, *, out=None)", OWN, "kthvalue", out=_KTHVALUE),
    Op("median", "(input, dim=None, keepdim=False, *, out=None)", OWN, "median", written(_median)),
    Op("nanmedian", "(input, dim=None, keepdim=False, *, out=None)", OWN, "nanmedian", written(_median)),
    Op("mode", "(input, dim=-1, keepdim=False, *, out=None)", OWN, "mode", out=_MODE),
    Op("quantile", _QUANTILE_SIG, SAME, "quantile", out=_QUANTILE),
    Op("nanquantile", _QUANTILE_SIG, SAME, "nanquantile", out=_QUANTILE),
    Op("unique", "(input, sorted=True, return_inverse=False, return_counts=False, dim=None)", OWN),
    Op("unique_consecutive", "(input, return_inverse=False, return_counts=False, dim=None)", OWN,
       function=unique_consecutive),
    Op("bincount", "(input, weights=None, minlength=0)", OWN),
    Op("histc", "(input, bins=100, min=0, max=0, *, out=None)", SAME, out=_HIST),
    Op("histogram", "(input, bins=100, *, range=None, weight=None, density=False, out=None)", OWN, None,
       written(_histogram), _histogram_method, out=_HISTOGRAM),
    Op("searchsorted", "(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None, out=None)",
       OWN, None, written(_searchsorted), False, out=_searchsorted_out),
    Op("bucketize", "(input, boundaries, *, out_int32=False, right=False, out=None)", OWN, None,
       written(_bucketize), False, out=_searchsorted_out),
    Op("isin", "(elements, test_elements, *, assume_unique=False, invert=False, out=None)", BOOL, None,
       written(_isin), False, out=EXACT),
    Op("meshgrid", "(*tensors, indexing=None)", SAME, "expand", meshgrid, False),
    Op("cartesian_prod", "(*tensors)", SAME, "cartesian_prod", cartesian_prod, False),
    Op("combinations", "(input, r=2, with_replacement=False)", SAME, "combinations", combinations, False),
    Op("tril_indices", _TRI, INDEX, None, tril_indices, False),
    Op("triu_indices", _TRI, INDEX, None, triu_indices, False),
]

__all__ = install(OPS, globals(), Tensor)
