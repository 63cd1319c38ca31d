"""The op table of the sorting and searching family (rust/core/src/ops/sort.rs and sort/).

References are numpy on float64 (ints keep their dtype). NaN sorts last ascending and first
descending. Equal elements keep their input order with stable=True; elsewhere (sort, topk,
kthvalue, unique) torch leaves ties where its unstable algorithms put them, and the references
run those algorithms (torch_select.py)."""

import itertools
import warnings

import numpy as np

import rstorch
from .core import ALL, FLOATS, INTS, OpInfo, Sample, random_array, with_specials
from torch_select import kthvalue_index, sort_indices, topk_indices, unique_row_order

NUMERIC = FLOATS + INTS

# (shape, dim) pairs: rows, columns, a middle dim, 0-dim, zero-size, a single element
DIM_CASES = [((5, 7), -1), ((5, 7), 0), ((3, 4, 6), 1), ((), 0), ((0, 3), 1), ((1,), 0)]


def values(dtype, rng, shape, specials=True):
    a = np.asarray(random_array(rng, shape, dtype))  # a 0-dim bool draw is a numpy scalar
    if specials and dtype in FLOATS and a.size > 2:
        a = with_specials(a)
    return a


def distinct(rng, shape):
    """float64 values without ties (for finite differences through a selection)."""
    n = int(np.prod(shape))
    return (rng.permutation(n) * 0.37 - n * 0.1).reshape(shape).astype(np.float64)


# ------------------------------------------------------------------ references


def _lines(a, dim):
    a = np.asarray(a)
    a = a.reshape(1) if a.ndim == 0 else a
    return np.moveaxis(a, dim, -1)


def _back(m, dim, ndim):
    m = np.moveaxis(m, -1, dim if ndim else 0)
    return m.reshape(()) if ndim == 0 else m


def stable_order(m, descending=False):
    """Stable argsort along the last axis, NaN last (first when descending)."""
    f = np.asarray(m, dtype=np.float64)
    if descending:
        return np.lexsort((-f, ~np.isnan(f)), axis=-1)
    return np.argsort(f, axis=-1, kind="stable")


def ref_sort(a, dim=-1, descending=False, stable=False):
    m = _lines(a, dim)
    if stable:
        i = stable_order(m, descending)
    else:
        i = np.zeros(m.shape, dtype=np.int64)
        for pos in np.ndindex(*m.shape[:-1]):
            i[pos] = sort_indices(m[pos].tolist(), descending)
    return (_back(np.take_along_axis(m, i, -1), dim, a.ndim), _back(i, dim, a.ndim))


def ref_topk(a, k, dim=-1, largest=True, sorted=True):
    m = _lines(a, dim)
    i = np.zeros(m.shape[:-1] + (k,), dtype=np.int64)
    for pos in np.ndindex(*m.shape[:-1]):
        i[pos] = topk_indices(m[pos].tolist(), k, largest, sorted)
    return (_back(np.take_along_axis(m, i, -1), dim, a.ndim), _back(i, dim, a.ndim))


def _reduce(a, dim, keepdim, pick):
    """Apply `pick(line) -> index` to every line along dim: (values, indices)."""
    m = _lines(a, dim)
    idx = np.zeros(m.shape[:-1], dtype=np.int64)
    for pos in np.ndindex(*m.shape[:-1]):
        idx[pos] = pick(m[pos])
    val = np.take_along_axis(m, idx[..., None], -1)[..., 0]
    if keepdim and a.ndim:
        return np.expand_dims(val, dim), np.expand_dims(idx, dim)
    return val, idx


def _median_pick(line, ignore_nan):
    nan = np.isnan(line.astype(np.float64))
    if nan.any() and not ignore_nan:
        return int(np.argmax(nan))
    c = int((~nan).sum())
    return 0 if c == 0 else int(stable_order(line)[(c - 1) // 2])


def _mode_pick(line):
    order = stable_order(line)
    s = line[order]
    best, best_n, run = 0, 0, 0
    for j in range(len(s)):
        run += 1
        if j + 1 == len(s) or s[j] != s[j + 1]:
            if run > best_n:
                best, best_n = order[j], run
            run = 0
    return best


def ref_kthvalue(a, k, dim=-1, keepdim=False):
    return _reduce(a, dim, keepdim, lambda line: kthvalue_index(line.tolist(), k))


def ref_median_dim(a, dim, keepdim=False, ignore_nan=False):
    return _reduce(a, dim, keepdim, lambda line: _median_pick(line, ignore_nan))


def ref_median_all(a, ignore_nan=False):
    flat = np.asarray(a).reshape(-1)
    if flat.size == 0:
        return np.array(np.nan)
    return np.asarray(flat[_median_pick(flat, ignore_nan)])


def ref_mode(a, dim=-1, keepdim=False):
    return _reduce(a, dim, keepdim, _mode_pick)


def ref_quantile(a, q, dim=None, keepdim=False, interpolation="linear", ignore_nan=False):
    f = np.nanquantile if ignore_nan else np.quantile
    qq = q if np.isscalar(q) else np.asarray(q)
    if a.ndim == 0:
        dim = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numpy warns on all-NaN slices
        return f(a, qq, axis=dim, keepdims=keepdim, method=interpolation)


def ref_unique(a, dim=None, consecutive=False):
    if dim is None:
        flat = a.reshape(-1)
        rows = flat.reshape(-1, 1)
    else:
        rows = np.moveaxis(a, dim, 0).reshape(a.shape[dim], -1)
    n = rows.shape[0]
    if consecutive:
        order = np.arange(n)
    elif dim is None:
        order = sort_indices(flat.tolist())
    else:
        order = unique_row_order(rows.tolist())
    groups, inverse, counts = [], np.zeros(n, dtype=np.int64), []
    for j, i in enumerate(order):
        if j == 0 or not np.array_equal(rows[i], rows[order[j - 1]]):
            groups.append(i)
            counts.append(0)
        counts[-1] += 1
        inverse[i] = len(groups) - 1
    if dim is None:
        vals = rows[groups, 0] if groups else flat[:0]
        return vals, inverse.reshape(a.shape), np.array(counts, dtype=np.int64)
    moved = np.moveaxis(a, dim, 0)
    vals = np.moveaxis(moved[groups] if groups else moved[:0], 0, dim)
    return vals, inverse, np.array(counts, dtype=np.int64)


def ref_histc(a, bins=100, min=0, max=0):
    lo, hi = float(min), float(max)
    if lo == hi and a.size:
        lo, hi = float(a.min()), float(a.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    # each element's bin, computed in float32 as torch does for all but float64 inputs (the
    # random samples stay away from edges, where float64 inputs could differ)
    ft = np.float32
    lo_t, hi_t = ft(lo), ft(hi)
    out = np.zeros(bins)
    for x in a.reshape(-1).astype(ft):
        if lo_t <= x <= hi_t:
            pos = int((x - lo_t) * ft(bins) / (hi_t - lo_t))
            out[builtins_min(pos, bins - 1)] += 1
    return out


builtins_min = min


def ref_searchsorted(b, v, right=False, **_):
    side = "right" if right else "left"
    if b.ndim == 1:
        return np.searchsorted(b, v, side=side).astype(np.int64)
    out = np.empty(v.shape, dtype=np.int64)
    for pos in np.ndindex(*v.shape[:-1]):
        out[pos] = np.searchsorted(b[pos], v[pos], side=side)
    return out


def ref_isin(e, t, invert=False):
    return np.isin(e, t, invert=invert)


def ref_cartesian(*ts):
    return np.array(list(itertools.product(*ts)), dtype=ts[0].dtype).reshape(-1, len(ts))


def ref_combinations(a, r=2, with_replacement=False):
    f = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    return np.array(list(f(a, r)), dtype=a.dtype).reshape(-1, r)


# ------------------------------------------------------------------ samples


def sort_samples(dtype, rng):
    out = []
    for shape, dim in DIM_CASES:
        a = values(dtype, rng, shape)
        out += [Sample((a,), {"dim": dim}), Sample((a,), {"dim": dim, "descending": True})]
    out.append(Sample((values(dtype, rng, (2, 700)),), {"dim": 1}))  # long rows: the parallel path
    return out


def tie_rows(dtype, rng, shape):
    """Rows of three distinct values (and NaNs for floats): ties everywhere."""
    a = values(dtype, rng, shape, specials=False) % 3
    if dtype in FLOATS:
        a[..., ::7] = np.nan
    return a


def kthvalue_samples(dtype, rng):
    # where torch's quick select decides which of the ties is returned
    ties = tie_rows(dtype, rng, (3, 200))
    return reduce_samples(dtype, rng, with_k=True) + [Sample((ties, k), {"dim": 1}) for k in (1, 77, 200)]


def topk_samples(dtype, rng):
    out = []
    for shape, dim in DIM_CASES:
        a = values(dtype, rng, shape)
        n = a.shape[dim] if a.ndim else 1
        for k in sorted({0, min(1, n), n // 2, n}) if a.ndim else [1]:
            out.append(Sample((a, k), {"dim": dim}))
            out.append(Sample((a, k), {"dim": dim, "largest": False}))
            out.append(Sample((a, k), {"dim": dim, "sorted": False}))
    # long rows of few distinct values: k * 64 <= n takes torch's partial-sort path, the
    # larger k its nth_element path, both full of ties
    ties = tie_rows(dtype, rng, (2, 700))
    for k in (3, 300):
        for kw in ({}, {"largest": False}, {"sorted": False}):
            out.append(Sample((ties, k), {"dim": 1, **kw}))
    return out


def reduce_samples(dtype, rng, with_k=False):
    out = []
    for shape, dim in DIM_CASES:
        if 0 in shape:
            continue
        a = values(dtype, rng, shape)
        n = a.shape[dim] if a.ndim else 1
        for keepdim in (False, True):
            args = (a, (n + 1) // 2) if with_k else (a,)
            out.append(Sample(args, {"dim": dim, "keepdim": keepdim}))
    return out


def median_all_samples(dtype, rng):
    # the median of nothing is NaN (torch returns an arbitrary value for integer dtypes)
    shapes = [(5, 7), (), (4,)] + ([(0,)] if dtype in FLOATS else [])
    return [Sample((values(dtype, rng, s, specials=False),)) for s in shapes] + \
        ([Sample((values(dtype, rng, (3, 4)),))] if dtype in FLOATS else [])


def quantile_samples(dtype, rng):
    a = values(dtype, rng, (4, 6), specials=False)
    b = a.copy()
    b[1, 2] = np.nan
    out = []
    for how in ("linear", "lower", "higher", "midpoint", "nearest"):
        out += [Sample((a, 0.3), {"interpolation": how}),
                Sample((a, np.array([0.0, 0.25, 0.5, 1.0])), {"dim": 1, "interpolation": how}),
                Sample((b, 0.7), {"dim": 1, "keepdim": True, "interpolation": how})]
    out += [Sample((a, np.array([0.2, 0.9])), {"dim": 0, "keepdim": True}),
            Sample((a, np.array(0.5)), {"dim": -1}),
            Sample((np.array(1.5), 0.4), {"dim": 0})]
    return out


def grad_select_samples(rng):
    return [Sample((distinct(rng, (4, 5)),), {"dim": 1}), Sample((distinct(rng, (3, 4)),), {"dim": 0})]


def unique_samples(dtype, rng):
    out = []
    for shape in [(12,), (3, 4), (), (0,)]:
        a = values(dtype, rng, shape, specials=False)
        out.append(Sample((a,), {}))
    m = values(dtype, rng, (6, 3), specials=False)
    m[3] = m[1]
    m[5] = m[1]
    out += [Sample((m,), {"dim": 0}), Sample((m.T.copy(),), {"dim": 1}), Sample((m,), {"dim": 1})]
    if dtype in FLOATS:
        # NaNs (each its own group) and signed zeros: which NaN lands in which group, and which
        # zero stands for its group, is where torch's sort leaves them
        z = np.array([0.0, -0.0, np.nan, 1.0, np.nan, -0.0, 1.0, 0.0] * 4, dtype=a.dtype)
        out += [Sample((z,), {}), Sample((z.reshape(8, 4),), {"dim": 0}), Sample((z.reshape(16, 2),), {"dim": 0})]
    return out


def search_samples(dtype, rng):
    b = np.sort(random_array(rng, (9,), dtype, -5, 5))
    b2 = np.sort(random_array(rng, (3, 6), dtype, -5, 5), axis=-1)
    v = random_array(rng, (4, 5), dtype, -6, 6)
    v2 = random_array(rng, (3, 4), dtype, -6, 6)
    out = []
    for right in (False, True):
        out += [Sample((b, v), {"right": right}), Sample((b2, v2), {"right": right}),
                Sample((b, v[0, 0].reshape(())), {"right": right}),
                Sample((b, v[:0]), {"right": right})]
    return out


def isin_samples(dtype, rng):
    e = random_array(rng, (5, 4), dtype)
    t = random_array(rng, (6,), dtype)
    return [Sample((e, t), {}), Sample((e, t), {"invert": True}), Sample((e[0, 0].reshape(()), t), {}),
            Sample((e, t[:0]), {})]


def cartesian_samples(dtype, rng):
    a, b, c = (random_array(rng, (n,), dtype) for n in (3, 2, 4))
    return [Sample((a, b)), Sample((a, b, c)), Sample((a, b[:0]))]


def combination_samples(dtype, rng):
    a = random_array(rng, (5,), dtype)
    return [Sample((a,), {"r": r, "with_replacement": w}) for r in (1, 2, 3, 6) for w in (False, True)]


def histc_samples(dtype, rng):
    a = random_array(rng, (40,), dtype, -2, 5)
    return [Sample((a,), {"bins": 7, "min": -1, "max": 4}), Sample((a,), {"bins": 10}),
            Sample((a[:1],), {"bins": 3}), Sample((a[:0],), {"bins": 4})]


def _q(q, x):
    """q as the op takes it: a float, or a tensor of the input's dtype (a tensor given by the
    gradient tests, maybe requiring grad, passes through)."""
    if isinstance(q, rstorch.Tensor) or np.isscalar(q):
        return q
    return rstorch.tensor(q, dtype=x.dtype)


def quantile_grad_samples(rng):
    # q away from values where q * (count - 1) is a whole number (kinks of the interpolation)
    out = [Sample((distinct(rng, (4, 5)), 0.3), {"dim": 1}),
           Sample((distinct(rng, (4, 5)), np.array([0.1, 0.8])), {}),
           Sample((distinct(rng, (4, 5)), np.array([0.15, 0.65])), {"dim": 0, "keepdim": True})]
    for how in ("linear", "lower", "higher", "midpoint", "nearest"):
        out.append(Sample((distinct(rng, (3, 5)), np.array(0.45)), {"dim": 1, "interpolation": how}))
    return out


def nanquantile_grad_samples(rng):
    a = distinct(rng, (4, 5))
    a[1, 2] = np.nan
    return [Sample((distinct(rng, (4, 5)), 0.6), {"dim": 0}),
            Sample((a, np.array([0.2, 0.7])), {"dim": 1})]


OPS = [
    OpInfo("sort", lambda x, **kw: rstorch.sort(x, **kw), ref_sort, ALL, sort_samples,
           grad_samples=grad_select_samples),
    OpInfo("sort_method_stable", lambda x, **kw: x.sort(stable=True, **kw),
           lambda a, **kw: ref_sort(a, stable=True, **kw), ALL,
           sort_samples, differentiable=False),
    OpInfo("argsort", lambda x, **kw: rstorch.argsort(x, **kw),
           lambda a, **kw: ref_sort(a, **kw)[1], ALL, sort_samples,
           result_dtype=lambda d: "int64", differentiable=False),
    OpInfo("msort", lambda x, **kw: rstorch.msort(x), lambda a, **kw: ref_sort(a, dim=0)[0],
           ALL, lambda d, rng: [s for s in sort_samples(d, rng) if s.kwargs == {"dim": 0}],
           grad_samples=lambda rng: [Sample((distinct(rng, (4, 3)),))]),
    OpInfo("topk", lambda x, k, **kw: rstorch.topk(x, k, **kw), ref_topk, NUMERIC, topk_samples,
           grad_samples=lambda rng: [Sample((distinct(rng, (4, 5)), 2), {"dim": 1})]),
    OpInfo("kthvalue", lambda x, k, **kw: rstorch.kthvalue(x, k, **kw), ref_kthvalue, NUMERIC, kthvalue_samples,
           grad_samples=lambda rng: [Sample((distinct(rng, (4, 5)), 2), {"dim": 1})]),
    OpInfo("median_dim", lambda x, **kw: rstorch.median(x, **kw), ref_median_dim, NUMERIC,
           reduce_samples, grad_samples=grad_select_samples),
    OpInfo("nanmedian_dim", lambda x, **kw: rstorch.nanmedian(x, **kw),
           lambda a, **kw: ref_median_dim(a, ignore_nan=True, **kw), NUMERIC, reduce_samples,
           grad_samples=grad_select_samples),
    OpInfo("median", lambda x: rstorch.median(x), ref_median_all, NUMERIC, median_all_samples,
           grad_samples=lambda rng: [Sample((distinct(rng, (3, 5)),))]),
    OpInfo("nanmedian", lambda x: rstorch.nanmedian(x),
           lambda a: ref_median_all(a, ignore_nan=True), NUMERIC, median_all_samples,
           grad_samples=lambda rng: [Sample((distinct(rng, (3, 5)),))]),
    OpInfo("mode", lambda x, **kw: rstorch.mode(x, **kw), ref_mode, ALL, reduce_samples,
           grad_samples=grad_select_samples),
    OpInfo("quantile", lambda x, q, **kw: rstorch.quantile(x, _q(q, x), **kw), ref_quantile,
           ("float32", "float64"), quantile_samples,
           grad_samples=quantile_grad_samples),
    OpInfo("nanquantile", lambda x, q, **kw: rstorch.nanquantile(x, _q(q, x), **kw),
           lambda a, q, **kw: ref_quantile(a, q, ignore_nan=True, **kw), ("float32", "float64"),
           quantile_samples,
           grad_samples=nanquantile_grad_samples),
    OpInfo("unique", lambda x, **kw: rstorch.unique(x, return_inverse=True, return_counts=True, **kw),
           ref_unique, ALL, unique_samples, differentiable=False),
    OpInfo("unique_consecutive",
           lambda x, **kw: rstorch.unique_consecutive(x, return_inverse=True, return_counts=True, **kw),
           lambda a, **kw: ref_unique(a, consecutive=True, **kw), ALL, unique_samples,
           differentiable=False),
    OpInfo("searchsorted", lambda b, v, **kw: rstorch.searchsorted(b, v, **kw), ref_searchsorted,
           NUMERIC, search_samples, result_dtype=lambda d: "int64", differentiable=False),
    OpInfo("bucketize", lambda b, v, **kw: rstorch.bucketize(v, b, **kw),
           lambda b, v, **kw: ref_searchsorted(b, v, **kw), NUMERIC,
           lambda d, rng: [s for s in search_samples(d, rng) if s.args[0].ndim == 1],
           result_dtype=lambda d: "int64", differentiable=False),
    OpInfo("isin", lambda e, t, **kw: rstorch.isin(e, t, **kw), ref_isin, NUMERIC, isin_samples,
           result_dtype=lambda d: "bool", differentiable=False),
    OpInfo("cartesian_prod", lambda *ts: rstorch.cartesian_prod(*ts), ref_cartesian, ALL,
           cartesian_samples),
    OpInfo("combinations", lambda x, **kw: rstorch.combinations(x, **kw), ref_combinations, ALL,
           combination_samples),
    OpInfo("histc", lambda x, **kw: rstorch.histc(x, **kw), ref_histc, FLOATS, histc_samples,
           differentiable=False),
]





# ------------------------------------------------------------------ error inputs (torch's texts)

from .core import attach_error_inputs, error  # noqa: E402

_DIM_MSG = "Dimension out of range (expected to be in range of [-2, 1], but got 5)"


def _dim_error(device):
    return [error((np.ones((2, 3)),), IndexError, _DIM_MSG, {"dim": 5})]


attach_error_inputs(OPS, {
    **{name: _dim_error for name in ("sort", "sort_method_stable", "argsort", "median_dim", "nanmedian_dim", "mode")},
    "topk": lambda device: [error((np.array([1.0, 2.0]), 3), RuntimeError, "selected index k out of range"),
                            error((np.array([1.0, 2.0]), -1), RuntimeError, "selected index k out of range")],
    "kthvalue": lambda device: [
        error((np.array([1.0, 2.0]), 3), RuntimeError, "kthvalue(): selected number k out of range for dimension 0"),
        error((np.array([1.0, 2.0]), 0), RuntimeError, "kthvalue(): selected number k out of range for dimension 0")],
    "quantile": lambda device: [error((np.ones(3), 1.5), RuntimeError, "quantile() q must be in the range [0, 1] but got 1.5"),
                                error((np.ones(3), -0.1), RuntimeError,
                                      "quantile() q must be in the range [0, 1] but got -0.1")],
    "searchsorted": lambda device: [
        error((np.ones((2, 3)), np.ones(3)), RuntimeError,
              "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries "
              "tensor and input value tensor must match, but we got boundaries tensor [2, 3] and input value tensor [3]")],
    "isin": lambda device: [error((2, 3), TypeError, "isin() received an invalid combination of arguments", prefix=True)],
    "combinations": lambda device: [error((np.ones((2, 2)),), RuntimeError, "Expect a 1D vector, but got shape [2, 2]")],
    "cartesian_prod": lambda device: [error((np.ones(2), np.ones((2, 2))), RuntimeError,
                                            "Expect a 1D vector, but got shape [2, 2]")],
    "histc": lambda device: [
        error((np.ones(1),), RuntimeError, "torch.histogram(): bins must be > 0, but got 0 for dimension 0", {"bins": 0}),
        error((np.ones(1),), RuntimeError, "torch.histc: max must be larger than min", {"bins": 4, "min": 3, "max": 1}),
        error((np.array([1, 2]),), NotImplementedError, "\"histogram_cpu\" not implemented for 'Long'", {"bins": 2})],
})

# data-dependent output shapes: no meta kernel in torch
for _info in OPS:
    if _info.name in ("unique", "unique_consecutive"):
        _info.meta = False
