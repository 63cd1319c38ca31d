"""Sorting and searching ops (the op table, tests/opinfo/sort.py, runs in tests/test_ops.py):
torch-specific semantics (values
from torch 2.15, written in as literals)."""

import warnings

import numpy as np
import pytest

import rstorch
from torch_select import sort_indices



def t(*a, **k):
    return rstorch.tensor(*a, **k)


def L(x):
    return x.tolist()


NAN = float("nan")


def raises(exc, match, fn):
    with pytest.raises(exc) as e:
        fn()
    assert match in str(e.value), str(e.value)


# ------------------------------------------------------------------ sort family


def test_sort_nan_and_stable_ties():
    a = t([1., NAN, 0., -0., 2., NAN, 0.])
    v, i = a.sort()
    assert L(i) == [2, 3, 6, 0, 4, 1, 5]
    assert str(L(v)) == str([0.0, -0.0, 0.0, 1.0, 2.0, NAN, NAN])
    assert L(a.sort(descending=True).indices) == [1, 5, 4, 0, 2, 3, 6]
    assert L(a.argsort(stable=True)) == [2, 3, 6, 0, 4, 1, 5]


def test_sort_return_type_and_signatures():
    r = t([3., 1, 2]).sort(0, True)
    assert type(r).__name__ == "sort" and isinstance(r, tuple)
    assert L(r.values) == [3., 2., 1.] and L(r.indices) == [0, 2, 1]
    assert repr(t([3., 1]).sort()).startswith("torch.return_types.sort(\nvalues=tensor(")
    r = rstorch.sort(t([3., 1, 2]), stable=True, dim=0, descending=True)
    assert L(r[1]) == [0, 2, 1]
    assert L(rstorch.argsort(t([3., 1, 2]), 0, True)) == [0, 2, 1]
    assert r.values.dtype is rstorch.float32 and r.indices.dtype is rstorch.int64


def test_sort_out():
    v, i = rstorch.empty(0), rstorch.empty(0, dtype=rstorch.int64)
    r = rstorch.sort(t([3., 1, 2]), out=(v, i))
    assert r.values is v and r.indices is i
    assert L(v) == [1., 2., 3.] and L(i) == [1, 2, 0]
    x = t([3., 1]).requires_grad_()
    raises(RuntimeError, "sort(): functions with out=... arguments don't support automatic differentiation",
           lambda: rstorch.sort(x, out=(v, i)))


def test_sort_errors_and_edges():
    raises(IndexError, "Dimension out of range (expected to be in range of [-1, 0], but got 1)",
           lambda: t([3., 1]).sort(dim=1))
    v, i = t(5.).sort()
    assert v.shape == () and i.item() == 0
    v, i = rstorch.empty(0, 3).sort(0)
    assert tuple(v.shape) == (0, 3) and i.dtype is rstorch.int64
    assert L(t([True, False, True]).sort().indices) == [1, 0, 2]


def test_sort_big_rows_match_numpy():
    rng = np.random.default_rng(3)
    a = rng.integers(0, 50, size=(64, 3000)).astype(np.float32)
    v, i = t(a).sort(dim=1, stable=True)
    np.testing.assert_array_equal(i.numpy(), np.argsort(a, axis=1, kind="stable"))
    v, i = t(a).sort(dim=1)  # torch's std::sort order of the ties
    assert L(i[5]) == sort_indices(a[5].tolist())
    np.testing.assert_array_equal(v.numpy(), np.sort(a, axis=1))
    v, i = t(a).t().sort(dim=0, descending=True)
    assert tuple(i.shape) == (3000, 64)


def test_sort_ties_as_torch():  # torch
    # without stable=True torch runs std::sort: ties in its order once a line has over 16
    # elements (below that std::sort is an insertion sort, which is stable)
    a = t([1., 0.] * 10)
    assert L(a.sort().indices) == [1, 19, 17, 15, 13, 11, 9, 7, 5, 3, 8, 6, 10, 12, 4, 14, 16, 2, 18, 0]
    assert L(a.argsort(descending=True)) == [0, 2, 18, 4, 6, 16, 8, 10, 14, 12, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1]
    assert L(a.sort(stable=True).indices) == list(range(1, 20, 2)) + list(range(0, 20, 2))
    # ... but an expanded line keeps its order, and so do 1-D integer sorts of 32768 elements
    # or more (radix sort), ascending only
    assert L(t([2.]).expand(20).sort().indices) == list(range(20))
    y = t([1, 0] * 20000)
    i = y.sort().indices
    assert L(i[:3]) == [1, 3, 5] and L(i[-3:]) == [39994, 39996, 39998]
    i = y.reshape(1, -1).sort().indices[0]
    assert L(i[:3]) == [22211, 22237, 22235] and L(i[-3:]) == [11584, 26002, 7000]
    i = y.sort(descending=True).indices
    assert L(i[:3]) == [31748, 16518, 16516] and L(i[-3:]) == [17767, 17765, 17763]


def test_topk():
    a = t([2., 1, 2, 1, 2])
    r = a.topk(2, largest=False)
    assert type(r).__name__ == "topk" and L(r.values) == [1., 1.] and L(r.indices) == [1, 3]
    assert L(t([[3., 1, 2]]).topk(1, 0, False, False).values) == [[3., 1., 2.]]
    assert L(rstorch.topk(t([3., 1, 2, 5]), k=2).values) == [5., 3.]
    raises(RuntimeError, "selected index k out of range", lambda: t([1., 2]).topk(3))
    raises(RuntimeError, "selected index k out of range", lambda: t([1., 2]).topk(-1))
    raises(NotImplementedError, "topk does not support bool dtypes on CPU", lambda: t([True]).topk(1))
    v, i = rstorch.empty(0, 3).topk(2)
    assert tuple(v.shape) == (0, 2)
    assert t(5.).topk(1).values.shape == ()


def test_topk_kthvalue_ties_as_torch():  # torch
    # which of several equal elements comes back, and in what order, is what torch's CPU
    # selection algorithms leave (NaN counts as the largest value)
    x = t([1., NAN, 0., 1., NAN, 0., 1., 2., 2., 0.])
    r = x.topk(4)
    assert L(r.indices) == [1, 4, 8, 7] and str(L(r.values)) == str([NAN, NAN, 2.0, 2.0])
    assert L(x.topk(4, largest=False).indices) == [5, 9, 2, 3]
    r = x.topk(6, sorted=False)
    assert L(r.indices) == [1, 4, 8, 7, 6, 3] and str(L(r.values)) == str([NAN, NAN, 2.0, 2.0, 1.0, 1.0])
    assert [x.kthvalue(k).indices.item() for k in (3, 5, 9)] == [2, 0, 1]
    assert L(t([1., 0, 1, 1, 0, 1, 1]).topk(3).indices) == [3, 6, 5]
    y = t([0] * 70 + [1] * 70)  # k * 64 <= n: the partial-sort path
    assert L(y.topk(2).indices) == [71, 70] and L(y.topk(2, largest=False).indices) == [0, 1]
    m = t([[3, 1, 3, 1], [2, 2, 2, 2]])
    assert L(m.topk(2, dim=1).indices) == [[0, 2], [2, 3]]
    assert L(m.kthvalue(2, dim=1).indices) == [3, 0]
    assert L(m.topk(1, dim=0).indices) == [[0, 1, 0, 1]]


def test_kthvalue_median_mode():
    x = t([[3., 1, 2], [4, 0, 1]])
    r = x.kthvalue(2, 0, True)
    assert type(r).__name__ == "kthvalue" and L(r.values) == [[4., 1., 2.]] and L(r.indices) == [[1, 0, 0]]
    r = x.median(1, keepdim=True)
    assert L(r.values) == [[2.], [1.]] and L(r.indices) == [[2], [2]]
    r = t([1., NAN, 0, NAN]).median(0)
    assert r.values.item() != r.values.item() and r.indices.item() == 1
    m = t([1., NAN, 0, NAN]).median().item()
    assert m != m
    r = t([1., NAN, 0, NAN]).nanmedian(0)
    assert (r.values.item(), r.indices.item()) == (0., 2)
    assert t([NAN, NAN]).nanmedian(0).indices.item() == 0
    assert t([3., 1, 4, 1]).median().item() == 1.0
    assert t([3., NAN, 4]).nanmedian().item() == 3.0
    r = t([3, 1, 3, 1, 2, 2]).mode()
    assert type(r).__name__ == "mode" and (r.values.item(), r.indices.item()) == (1, 3)
    r = t([[1, 2, 2, 1], [3, 3, 4, 4]]).mode(1)
    assert L(r.values) == [1, 3] and L(r.indices) == [3, 1]
    r = t([1., NAN, NAN, 0]).mode()
    assert (r.values.item(), r.indices.item()) == (0., 3)
    r = t([True, False, True]).mode()
    assert (r.values.item(), r.indices.item()) == (True, 2)


def test_selection_errors():
    e = rstorch.empty(2, 0)
    raises(IndexError, "median(): Expected reduction dim 1 to have non-zero size.", lambda: e.median(-1))
    raises(IndexError, "mode(): Expected reduction dim 1 to have non-zero size.", lambda: e.mode(-1))
    raises(IndexError, "kthvalue(): Expected reduction dim 1 to have non-zero size.", lambda: e.kthvalue(1, -1))
    raises(RuntimeError, "kthvalue(): selected number k out of range for dimension 0", lambda: t([1., 2]).kthvalue(3))
    raises(RuntimeError, "kthvalue(): selected number k out of range for dimension 0", lambda: t([1., 2]).kthvalue(0))
    raises(NotImplementedError, "\"kthvalue_cpu\" not implemented for 'Bool'", lambda: t([True]).kthvalue(1))
    raises(NotImplementedError, "\"median_out\" not implemented for 'Bool'", lambda: t([True]).median(0))
    raises(NotImplementedError, "\"median_cpu\" not implemented for 'Bool'", lambda: t([True]).median())
    v = rstorch.empty(0).median()
    assert v.shape == () and v.item() != v.item()
    assert tuple(rstorch.empty(3, 0).median(0).values.shape) == (0,)


def test_reduction_out():
    v, i = rstorch.empty(0), rstorch.empty(0, dtype=rstorch.int64)
    rstorch.kthvalue(t([[3., 1, 2]]), 1, 1, out=(v, i))
    assert L(v) == [1.] and L(i) == [1]
    o = rstorch.empty(0)
    # torch's median(input) overload has no out= (its parser asks for dim, as here)
    raises(TypeError, 'median() missing 1 required positional arguments: "dim"',
           lambda: rstorch.median(t([3., 1, 2]), out=o))
    rstorch.median(t([[3., 1, 2]]), 1, out=(v, i))
    assert L(v) == [2.] and L(i) == [2]


# ------------------------------------------------------------------ quantile


def test_quantile_shapes_and_values():
    x = t([[1., 5, 2, 8], [3, 3, 9, 0]])
    assert x.quantile(0.5).item() == 3.0
    assert L(x.quantile(0.5, dim=1)) == [3.5, 3.0]
    assert L(x.quantile(0.5, dim=1, keepdim=True)) == [[3.5], [3.0]]
    assert L(x.quantile(t([0.25, 0.5]), dim=1)) == [[1.75, 2.25], [3.5, 3.0]]
    assert tuple(x.quantile(t([0.25, 0.5]), dim=1, keepdim=True).shape) == (2, 2, 1)
    assert L(x.quantile(t([0.25, 0.5]))) == [1.75, 3.0]
    assert tuple(x.quantile(t([0.25, 0.5]), keepdim=True).shape) == (2, 1, 1)
    np.testing.assert_allclose(L(x.quantile(t(0.3), dim=0)), [1.6, 3.6, 4.1, 2.4], rtol=1e-6)
    want = {"linear": [1.3, 2.5, 2.875, 3.1], "lower": [1., 2., 2., 3.], "higher": [2., 3., 3., 4.],
            "midpoint": [1.5, 2.5, 2.5, 3.5], "nearest": [1., 3., 3., 3.]}
    q = t([0.1, 0.5, 0.625, 0.7])
    src = t([1., 2, 3, 4])
    for how, w in want.items():
        np.testing.assert_allclose(L(src.quantile(q, interpolation=how)), w, rtol=1e-6, err_msg=how)
    assert t(3.).quantile(0.5, dim=0).item() == 3.0


def test_quantile_nan_and_errors():
    v = rstorch.quantile(t([1., NAN, 3]), 0.5).item()
    assert v != v
    assert t([1., NAN, 3]).nanquantile(0.5).item() == 2.0
    v = t([NAN]).nanquantile(0.5).item()
    assert v != v
    x = t([[1., 5], [2, 8]])
    raises(RuntimeError, "quantile() q must be in the range [0, 1] but got 1.5", lambda: x.quantile(1.5))
    raises(RuntimeError, "quantile() q must be in the range [0, 1] but got -0.1", lambda: x.quantile(-0.1))
    raises(RuntimeError, "quantile() q values must be in the range [0, 1]", lambda: x.quantile(t([0.5, 2.0])))
    raises(RuntimeError, "quantile() q must be a scalar or 1D tensor", lambda: x.quantile(t([[0.5]])))
    raises(RuntimeError, "quantile() q tensor must be same dtype as the input tensor",
           lambda: x.quantile(t([0.5], dtype=rstorch.float64)))
    raises(RuntimeError, "quantile() interpolation must be one of linear, lower, higher, midpoint or nearest, but got foo",
           lambda: x.quantile(0.5, interpolation="foo"))
    raises(RuntimeError, "quantile() input tensor must be non-empty", lambda: rstorch.empty(0).quantile(0.5))
    raises(RuntimeError, "quantile() input tensor must be either float or double dtype", lambda: t([1, 2]).quantile(0.5))
    raises(RuntimeError, "nanquantile() input tensor must be either float or double dtype",
           lambda: t([1., 2]).half().nanquantile(0.5))


# ------------------------------------------------------------------ unique


def test_unique_ties_as_torch():  # torch
    # torch's CPU unique sorts whatever `sorted` says (std::sort): each NaN is its own group, in
    # the order that sort leaves them, and -0.0 and 0.0 share one
    u = t([3., NAN, 1., 3., NAN, 0., -0.])
    for s in (True, False):
        v, inv, c = rstorch.unique(u, sorted=s, return_inverse=True, return_counts=True)
        assert str(L(v)) == str([0.0, 1.0, 3.0, NAN, NAN]) and L(inv) == [2, 3, 1, 2, 4, 0, 0] and L(c) == [2, 1, 2, 1, 1]
    v, inv = rstorch.unique(t([NAN] * 20), return_inverse=True)
    assert L(inv) == [10, 19, 18, 17, 16, 15, 14, 13, 12, 11, 0, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    v, inv, c = rstorch.unique(t([[3, 1], [2, 1], [3, 1]]), sorted=False, dim=0, return_inverse=True, return_counts=True)
    assert L(v) == [[2, 1], [3, 1]] and L(inv) == [1, 0, 1] and L(c) == [1, 2]
    assert L(rstorch.unique(t([True, False, True]), sorted=False)) == [False, True]


def test_unique_forms():
    y = t([3, 1, 2, 1, 3, 3, 0])
    assert L(rstorch.unique(y, sorted=False)) == [0, 1, 2, 3]
    u, inv = rstorch.unique(y, return_inverse=True)
    assert L(inv) == [3, 1, 2, 1, 3, 3, 0]
    u, c = rstorch.unique(y, return_counts=True)
    assert L(c) == [1, 2, 1, 3]
    assert len(y.unique(True, True, True)) == 3
    u, inv, c = rstorch.unique(t([[1, 2], [1, 2], [0, 5]]), dim=1, return_inverse=True, return_counts=True)
    assert L(u) == [[1, 2], [1, 2], [0, 5]] and L(inv) == [0, 1] and L(c) == [1, 1]
    assert str(L(rstorch.unique(t([1., NAN, NAN, 1])))) == str([1.0, NAN, NAN])
    assert str(L(rstorch.unique(t([0., -0.])))) == "[0.0]"
    u, inv, c = rstorch.unique(t(3), return_inverse=True, return_counts=True)
    assert L(u) == [3] and inv.shape == () and L(c) == [1]
    u, inv, c = rstorch.unique(rstorch.empty(0, 3), dim=0, return_inverse=True, return_counts=True)
    assert tuple(u.shape) == (0, 3) and inv.numel() == 0 and c.numel() == 0
    raises(RuntimeError, "There are 0 sized dimensions, and they aren't selected, so unique cannot be applied",
           lambda: rstorch.unique(rstorch.empty(0, 3), dim=1))
    raises(IndexError, "Dimension specified as 0 but tensor has no dimensions", lambda: rstorch.unique(t(3), dim=0))
    raises(IndexError, "Dimension out of range", lambda: rstorch.unique(t([[1, 2]]), dim=2))
    u, inv, c = rstorch.unique_consecutive(t([1, 1, 2, 2, 3, 1, 1, 2]), return_inverse=True, return_counts=True)
    assert L(u) == [1, 2, 3, 1, 2] and L(inv) == [0, 0, 1, 1, 2, 3, 3, 4] and L(c) == [2, 2, 1, 2, 1]


# ------------------------------------------------------------------ counting


def test_bincount():
    x = t([1, 3, 1])
    assert L(rstorch.bincount(x)) == [0, 2, 0, 1]
    assert L(x.bincount(minlength=6)) == [0, 2, 0, 1, 0, 0]
    w = rstorch.bincount(x, weights=t([0.5, 1, 2]))
    assert w.dtype is rstorch.float32 and L(w) == [0., 2.5, 0., 1.]
    assert rstorch.bincount(x, weights=t([1, 2, 3])).dtype is rstorch.float64
    assert rstorch.bincount(x, weights=t([1., 2, 3]).half()).dtype is rstorch.float64
    assert L(rstorch.bincount(t([1, 3, 1], dtype=rstorch.uint8))) == [0, 2, 0, 1]
    e = rstorch.bincount(t([], dtype=rstorch.int64), weights=t([]), minlength=2)
    assert e.dtype is rstorch.int64 and L(e) == [0, 0]
    msg = "bincount only supports 1-d non-negative integral inputs."
    raises(RuntimeError, msg, lambda: rstorch.bincount(t([1, -3, 1])))
    raises(RuntimeError, msg, lambda: rstorch.bincount(t([[1]])))
    raises(RuntimeError, "weights should be 1-d and have the same length as input",
           lambda: rstorch.bincount(x, weights=t([0.5, 1])))
    raises(RuntimeError, "minlength should be >= 0", lambda: rstorch.bincount(x, minlength=-1))
    raises(NotImplementedError, "\"bincount_cpu\" not implemented for 'Float'", lambda: rstorch.bincount(t([1., 2])))


def test_histc_and_histogram():
    assert L(rstorch.histc(t([1., 2, 1, 4, 5.5]), bins=4, min=0, max=3)) == [0., 2., 1., 0.]
    assert L(rstorch.histc(t([1., 2, 1, 4, 5.5]), bins=4)) == [3., 0., 1., 1.]
    assert L(rstorch.histc(t([2., 2]), bins=4)) == [0., 0., 2., 0.]
    assert L(rstorch.histc(t([1., 2.5, 7]), bins=3, min=1, max=1)) == [2., 0., 1.]
    # float32 arithmetic puts 0.7f in bin 7; the same value widened to float64 falls in bin 6
    assert L(rstorch.histc(t([0.1, 0.2, 0.3, 0.7, 1.0]), bins=10, min=0, max=1)) == \
        [0., 1., 1., 1., 0., 0., 0., 1., 0., 1.]
    assert L(rstorch.histc(t([0.1, 0.2, 0.3, 0.7, 1.0]).double(), bins=10, min=0, max=1)) == \
        [0., 1., 1., 1., 0., 0., 1., 0., 0., 1.]
    assert L(rstorch.histc(t([1., NAN, 2]), bins=2, min=0, max=3)) == [1., 1.]
    assert rstorch.histc(t([1., 2, 3]).half(), bins=3).dtype is rstorch.float16
    raises(RuntimeError, "torch.histc: range of [1, inf] is not finite", lambda: rstorch.histc(t([1., float("inf")]), bins=4))
    raises(RuntimeError, "torch.histogram(): bins must be > 0, but got 0 for dimension 0", lambda: rstorch.histc(t([1.]), bins=0))
    raises(RuntimeError, "torch.histc: max must be larger than min", lambda: rstorch.histc(t([1.]), bins=4, min=3, max=1))
    raises(NotImplementedError, "\"histogram_cpu\" not implemented for 'Long'", lambda: rstorch.histc(t([1, 2]), bins=2))
    h, e = rstorch.histogram(t([1., 2, 1, 4]), bins=4, range=(0., 3.))
    assert L(h) == [0., 2., 1., 0.] and L(e) == [0., 0.75, 1.5, 2.25, 3.]
    r = rstorch.histogram(t([1., 2, 1, 4]), bins=t([0., 1, 2.5, 4]))
    assert type(r).__name__ == "histogram" and L(r.hist) == [0., 3., 1.]
    r = t([1., 2, 1, 4]).histogram(3, weight=t([1., 2, 3, 4]), density=True)
    np.testing.assert_allclose(L(r.hist), [0.4, 0.2, 0.4], rtol=1e-6)
    assert L(rstorch.histogram(t([0.1, 0.2, 0.3, 0.7, 1.0]), bins=10, range=(0., 1.)).hist) == \
        [0., 1., 1., 1., 0., 0., 0., 1., 0., 1.]
    assert L(rstorch.histogram(t([2., 2]), bins=3).bin_edges)[0] == 1.5
    raises(RuntimeError, "torch.histogramdd: input tensor and bins tensors should have the same dtype",
           lambda: rstorch.histogram(t([1., 2]).double(), bins=t([0., 1, 2])))


# ------------------------------------------------------------------ searching


def test_searchsorted():
    s = t([1, 3, 5, 7, 9])
    v = t([[3, 6, 9], [3, 6, 10]])
    assert L(rstorch.searchsorted(s, v)) == [[1, 3, 4], [1, 3, 5]]
    assert L(rstorch.searchsorted(s, v, side="right")) == [[2, 3, 5], [2, 3, 5]]
    assert rstorch.searchsorted(s, 5).item() == 2 and rstorch.searchsorted(s, 5).shape == ()
    assert rstorch.searchsorted(s, 5.5).item() == 3
    assert L(rstorch.searchsorted(s.float(), t([5]))) == [2]
    assert rstorch.searchsorted(s, t([5]), out_int32=True).dtype is rstorch.int32
    assert L(rstorch.searchsorted(t([[1, 3, 5], [2, 4, 6]]), t([[3, 6, 9], [3, 6, 10]]))) == [[1, 3, 3], [1, 2, 3]]
    assert L(rstorch.searchsorted(t([5, 1, 3]), t([2, 4]), sorter=t([1, 2, 0]))) == [1, 2]
    assert L(rstorch.searchsorted(t([1., 2, NAN]), t([NAN, 3., 1.]))) == [3, 3, 0]
    raises(RuntimeError, "torch.searchsorted(): side and right can't be set to opposites, got side of left while right was True",
           lambda: rstorch.searchsorted(s, v, side="left", right=True))
    raises(RuntimeError, "torch.searchsorted(): side can only be 'left' or 'right' but got foo",
           lambda: rstorch.searchsorted(s, v, side="foo"))
    raises(RuntimeError, "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input value tensor must match, but we got boundaries tensor [2, 3] and input value tensor [3]",
           lambda: rstorch.searchsorted(t([[1, 3, 5], [2, 4, 6]]), t([3, 6, 9])))
    raises(RuntimeError, "torch.searchsorted(): boundary and sorter must have the same size, but got boundary tensor [3]and got sorter tensor [2]",
           lambda: rstorch.searchsorted(t([5, 1, 3]), t([2]), sorter=t([1, 2])))
    raises(RuntimeError, "torch.searchsorted(): sorter index out of range",
           lambda: rstorch.searchsorted(t([5, 1, 3]), t([2]), sorter=t([1, 2, 5])))
    raises(RuntimeError, "torch.searchsorted(): sorter must be a tensor of long dtype but got dtype Int",
           lambda: rstorch.searchsorted(t([1, 2]), t([1]), sorter=t([0, 1], dtype=rstorch.int32)))
    raises(RuntimeError, "torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 dimension",
           lambda: rstorch.searchsorted(t(1.), t([2.])))
    raises(RuntimeError, "torch.searchsorted(): input value can be a scalar only when boundaries tensor dimension is 1, but we got boundaries tensor dim(2) and input value's dim(0) numel(1)",
           lambda: rstorch.searchsorted(t([[1, 2]]), 1))
    raises(NotImplementedError, "\"searchsorted_out_cpu\" not implemented for 'Bool'",
           lambda: rstorch.searchsorted(t([True]), t([True])))
    o = rstorch.empty(0, dtype=rstorch.int64)
    rstorch.searchsorted(s, t([4]), out=o)
    assert L(o) == [2]


def test_bucketize_and_isin():
    s = t([1, 3, 5, 7, 9])
    assert L(rstorch.bucketize(t([[3, 6, 9], [3, 6, 10]]), s, right=True, out_int32=True)) == [[2, 3, 5], [2, 3, 5]]
    assert rstorch.bucketize(5, s).item() == 2
    assert L(rstorch.bucketize(t([3.]), s)) == [1]
    raises(RuntimeError, "boundaries tensor must be 1 dimension, but got dim(2)", lambda: rstorch.bucketize(t([3]), t([[1, 2]])))
    assert L(rstorch.isin(t([[1, 2], [3, 4]]), t([2, 3]))) == [[False, True], [True, False]]
    assert L(rstorch.isin(t([[1, 2], [3, 4]]), t([2, 3]), invert=True)) == [[True, False], [False, True]]
    assert L(rstorch.isin(t([[1, 2], [3, 4]]), 2)) == [[False, True], [False, False]]
    assert rstorch.isin(2, t([[1, 2], [3, 4]])).item() is True
    assert L(rstorch.isin(t([1.5, 2]), t([2, 3]))) == [False, True]
    assert L(rstorch.isin(t([1., NAN]), t([NAN, 1.]))) == [True, False]
    assert L(rstorch.isin(t([0., -0.]), t([0.]))) == [True, True]
    raises(NotImplementedError, "Unsupported input type encountered for isin(): Bool",  # torch 2.15: either side
           lambda: rstorch.isin(t([1, 2], dtype=rstorch.uint8), t([True])))
    raises(NotImplementedError, "Unsupported input type encountered for isin(): Bool",
           lambda: rstorch.isin(t([True]), t([False])))
    raises(TypeError, "isin() received an invalid combination of arguments", lambda: rstorch.isin(2, 3))


# ------------------------------------------------------------------ generators


def test_meshgrid():
    a, b = t([1, 2, 3]), t([4, 5])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        x, y = rstorch.meshgrid(a, b)
        assert any("it will be required to pass the indexing argument" in str(m.message) for m in w)
    assert L(x) == [[1, 1], [2, 2], [3, 3]] and L(y) == [[4, 5], [4, 5], [4, 5]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x, y = rstorch.meshgrid(a, b, indexing="xy")
        assert L(x) == [[1, 2, 3], [1, 2, 3]] and L(y) == [[4, 4, 4], [5, 5, 5]]
        x, y = rstorch.meshgrid([a, b], indexing="ij")
        assert x.stride() == (1, 0) and y.stride() == (0, 1)
        assert x._storage_ptr() == a._storage_ptr()  # views, no copy
        assert tuple(rstorch.meshgrid(a, b, a, indexing="xy")[0].shape) == (2, 3, 3)
        assert L(rstorch.meshgrid(a, t(7), indexing="ij")[1]) == [[7], [7], [7]]
        assert len(rstorch.meshgrid(a, indexing="xy")) == 1
    raises(RuntimeError, "meshgrid expects all tensors to have the same dtype", lambda: rstorch.meshgrid(a, b.float(), indexing="ij"))
    raises(RuntimeError, 'torch.meshgrid: indexing must be one of "xy" or "ij", but received: foo',
           lambda: rstorch.meshgrid(a, b, indexing="foo"))
    raises(RuntimeError, "meshgrid expects a non-empty TensorList", lambda: rstorch.meshgrid(indexing="ij"))
    raises(RuntimeError, "torch.meshgrid: Expected 0D or 1D tensor in the tensor list",
           lambda: rstorch.meshgrid(rstorch.ones(2, 2), indexing="ij"))


def test_cartesian_combinations_tri_indices():
    a, b = t([1, 2, 3]), t([4, 5])
    assert L(rstorch.cartesian_prod(a, b)) == [[1, 4], [1, 5], [2, 4], [2, 5], [3, 4], [3, 5]]
    assert rstorch.cartesian_prod(a) is a
    assert tuple(rstorch.cartesian_prod(a, t([], dtype=rstorch.int64)).shape) == (0, 2)
    raises(RuntimeError, "meshgrid expects all tensors to have the same dtype", lambda: rstorch.cartesian_prod(a, b.float()))
    raises(RuntimeError, "Expect a 1D vector, but got shape [2, 2]", lambda: rstorch.cartesian_prod(a, rstorch.ones(2, 2)))
    assert L(rstorch.combinations(t([1, 2, 3]), r=3)) == [[1, 2, 3]]
    assert tuple(rstorch.combinations(t([1, 2, 3]), r=4).shape) == (0, 4)
    e = rstorch.combinations(t([1, 2, 3]), r=0)
    assert tuple(e.shape) == (0,) and e.dtype is rstorch.int64
    raises(RuntimeError, "Expect a non-negative number, but got -1", lambda: rstorch.combinations(t([1, 2]), r=-1))
    raises(RuntimeError, "Expect a 1D vector, but got shape [2, 2]", lambda: rstorch.combinations(rstorch.ones(2, 2)))
    assert L(rstorch.tril_indices(3, 3)) == [[0, 1, 1, 2, 2, 2], [0, 0, 1, 0, 1, 2]]
    assert L(rstorch.tril_indices(3, 4, -1)) == [[1, 2, 2], [0, 0, 1]]
    assert L(rstorch.triu_indices(4, 3, 1)) == [[0, 0, 1], [1, 2, 2]]
    r = rstorch.triu_indices(3, 4, -1, dtype=rstorch.int32)
    assert r.dtype is rstorch.int32 and L(r) == [[0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2], [0, 1, 2, 3, 0, 1, 2, 3, 1, 2, 3]]
    assert tuple(rstorch.tril_indices(0, 3).shape) == (2, 0)
    assert tuple(rstorch.triu_indices(3, 3, 5).shape) == (2, 0)
    raises(NotImplementedError, "\"tril_indices\" not implemented for 'Float'", lambda: rstorch.tril_indices(3, 3, dtype=rstorch.float32))
    raises(RuntimeError, "row must be non-negative, got-1", lambda: rstorch.tril_indices(-1, 3))
    for row, col, off in [(5, 3, 0), (3, 6, 2), (4, 4, -2)]:
        np.testing.assert_array_equal(rstorch.tril_indices(row, col, off).numpy(), np.stack(np.tril_indices(row, off, col)))
        np.testing.assert_array_equal(rstorch.triu_indices(row, col, off).numpy(), np.stack(np.triu_indices(row, off, col)))


def test_threads_give_identical_results():
    if not hasattr(rstorch, "set_num_threads"):
        pytest.skip("set_num_threads not exposed")
    rng = np.random.default_rng(5)
    a = t(rng.integers(0, 9, size=(300, 200)).astype(np.float32))
    ref = a.sort(dim=0).indices.numpy()
    prev = rstorch.get_num_threads()
    try:
        rstorch.set_num_threads(1)
        np.testing.assert_array_equal(a.sort(dim=0).indices.numpy(), ref)
    finally:
        rstorch.set_num_threads(prev)


# ------------------------------------------------------------------ backward rules


@pytest.mark.parametrize("how", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("ignore_nan", [False, True])
def test_quantile_rule_terms_rebuild_the_forward(how, ignore_nan):
    """The quantile rule's (index, weight) terms are the linear map the forward applied, so
    gathering with them reproduces the result (the rule scatters grad through the same map)."""
    from rstorch.autograd.rules import sort as rules
    rng = np.random.default_rng(7)
    a = rng.uniform(-3, 3, size=(4, 6))
    a[1, 2] = np.nan
    x = t(a, dtype=rstorch.float64)
    for q, dim, keepdim in [(0.3, 1, False), (t([0.1, 0.5, 0.95], dtype=rstorch.float64), 0, True),
                            (0.75, None, False), (t([0.2, 0.6], dtype=rstorch.float64), None, True)]:
        kw = {"dim": dim, "keepdim": keepdim, "interpolation": how}
        out = (x.nanquantile if ignore_nan else x.quantile)(q, dim, keepdim, interpolation=how)
        src, _, terms = rules._quantile_terms(x, q, kw, ignore_nan)
        s = src.numpy()
        got = sum(np.broadcast_to(np.asarray(w), pos.shape) * np.take_along_axis(s[None], pos.numpy(), axis=-1)
                  for pos, w in terms)
        np.testing.assert_allclose(got.reshape(-1), out.numpy().reshape(-1), rtol=1e-12, equal_nan=True)
