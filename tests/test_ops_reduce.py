"""Reductions, scans and softmax: the torch-specific semantics (the op table,
tests/opinfo/reduce.py, runs in tests/test_ops.py) (expected values were produced with torch 2.x and are written
in as literals)."""

import math

import numpy as np
import pytest

import rstorch



def T(v, dtype=None):
    return rstorch.tensor(v, dtype=dtype)


def vals(t):
    return t.tolist()


# ------------------------------------------------------------------ sums and accuracy


def test_sum_of_ten_million_float32_ones_is_exact():
    assert rstorch.ones(10_000_000).sum().item() == 1e7


def test_large_sums_are_accurate_and_deterministic():
    rstorch.manual_seed(0)
    a = rstorch.randn(1_000_003)
    want = float(np.sum(a.numpy().astype(np.float64)))
    got = a.sum().item()
    assert abs(got - want) <= 1e-5 * max(1.0, abs(want))
    rstorch.set_num_threads(1) if hasattr(rstorch, "set_num_threads") else None
    assert a.sum().item() == got


def test_sum_dims_layouts_agree():
    rstorch.manual_seed(1)
    a = rstorch.randn(300, 700)
    np.testing.assert_allclose(a.sum(0).numpy(), a.numpy().astype(np.float64).sum(0), rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(a.t().sum(1).numpy(), a.numpy().astype(np.float64).sum(0), rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(a.sum(1).numpy(), a.numpy().astype(np.float64).sum(1), rtol=1e-5, atol=1e-4)


def test_result_dtypes():
    i = T([[1, 2], [3, 4]], rstorch.int32)
    assert i.sum().dtype is rstorch.int64
    assert i.prod().dtype is rstorch.int64
    assert i.prod(dtype=rstorch.int16).item() == 24 and i.prod(dtype=rstorch.int16).dtype is rstorch.int16
    assert T([True, False]).sum().dtype is rstorch.int64
    assert T([True, True]).cumsum(0).dtype is rstorch.int64
    assert T([True, True]).cumprod(0).tolist() == [1, 1]
    assert i.cumsum(0).tolist() == [[1, 2], [4, 6]]
    assert i.logsumexp(0).dtype is rstorch.float32
    np.testing.assert_allclose(i.logsumexp(0).numpy(), [3.1269, 4.1269], atol=1e-4)
    assert T([1., 2, 3]).sum(dtype=rstorch.int32).item() == 6
    assert T([1, 2, 3]).mean(dtype=rstorch.float32).item() == 2.0
    assert T([1., 2, 3]).cumsum(0, dtype=rstorch.int64).tolist() == [1, 3, 6]
    assert i.softmax(0, dtype=rstorch.float64).dtype is rstorch.float64
    assert T([1, 0], rstorch.uint8).all().dtype is rstorch.uint8
    assert T([1, 0], rstorch.uint8).any(0).item() == 1
    assert i.all(0).dtype is rstorch.bool
    assert i.count_nonzero().item() == 4
    assert i.nansum().item() == 10
    assert T([True, False]).max().item() is True


@pytest.mark.parametrize("call,exc,msg", [
    (lambda i: i.mean(), NotImplementedError,
     "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Int"),
    (lambda i: i.std(), NotImplementedError, "std and var only support floating point and complex dtypes"),
    (lambda i: i.var(), NotImplementedError, "std and var only support floating point and complex dtypes"),
    (lambda i: i.norm(), NotImplementedError,
     "linalg.vector_norm: Expected a floating point or complex tensor as input. Got Int"),
    (lambda i: i.softmax(0), NotImplementedError, "\"softmax_kernel_impl\" not implemented for 'Int'"),
    (lambda i: i.logcumsumexp(0), NotImplementedError, "\"logcumsumexp_out_cpu\" not implemented for 'Int'"),
    (lambda i: i.nanmean(), NotImplementedError,
     "nanmean(): expected input to have floating point or complex dtype but got Int"),
    (lambda i: i.bool().argmax(), NotImplementedError, "argmax(): does not support bool input"),
])
def test_dtype_errors(call, exc, msg):
    i = T([[1, 2], [3, 4]], rstorch.int32)
    with pytest.raises(exc) as e:
        call(i)
    assert str(e.value) == msg


# ------------------------------------------------------------------ zero-size inputs


@pytest.mark.parametrize("call,exc,msg", [
    (lambda e: e.max(), RuntimeError,
     "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument."),
    (lambda e: e.min(), RuntimeError,
     "min(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument."),
    (lambda e: e.max(0), IndexError, "max(): Expected reduction dim 0 to have non-zero size."),
    (lambda e: e.amax(0), IndexError, "amax(): Expected reduction dim 0 to have non-zero size."),
    (lambda e: e.amax(), RuntimeError,
     "amax(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument."),
    (lambda e: e.amin(()), RuntimeError,
     "amin(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument."),
    (lambda e: e.argmax(), IndexError, "argmax(): Expected reduction dim to be specified for input.numel() == 0."),
    (lambda e: e.argmax(0), IndexError, "argmax(): Expected reduction dim 0 to have non-zero size."),
    (lambda e: e.aminmax(), RuntimeError,
     "aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity."),
    (lambda e: e.norm(p=float("inf")), RuntimeError,
     "linalg.vector_norm cannot compute the inf norm on an empty tensor because the operation does not have an identity"),
])
def test_empty_errors(call, exc, msg):
    with pytest.raises(exc) as e:
        call(rstorch.empty(0, 3))
    assert str(e.value) == msg


def test_empty_values():
    e = rstorch.empty(0, 3)
    assert e.sum().item() == 0 and e.prod(0).tolist() == [1, 1, 1]
    assert all(math.isnan(v) for v in e.mean(0).tolist())
    assert math.isnan(e.var().item())
    assert e.logsumexp(0).tolist() == [-math.inf] * 3
    assert e.norm().item() == 0
    assert e.all(0).tolist() == [True] * 3 and e.any().item() is False
    v, i = e.max(1)
    assert tuple(v.shape) == (0,) and i.dtype is rstorch.int64
    assert tuple(e.amax(1).shape) == (0,)
    v, i = e.cummax(0)
    assert tuple(v.shape) == (0, 3) and tuple(i.shape) == (0, 3)
    assert tuple(e.softmax(0).shape) == (0, 3)


# ------------------------------------------------------------------ max/min, NaN and ties


def test_nan_propagation_and_indices():
    x = T([1., 3., 3., math.nan, 3., math.nan])
    assert math.isnan(x.max().item()) and math.isnan(x.amax().item())
    v, i = x.max(0)
    assert math.isnan(v.item()) and i.item() == 3
    assert x.argmax().item() == 3 and x.argmin().item() == 3
    lo, hi = x.aminmax()
    assert math.isnan(lo.item()) and math.isnan(hi.item())


def test_ties():
    y = T([1., 3., 0., 3., 0.])
    assert tuple(y.max(0)) == (y.max(0).values, y.max(0).indices)
    assert y.max(0).indices.item() == 1 and y.min(0).indices.item() == 2
    assert y.argmax().item() == 1 and y.argmin().item() == 2
    c = y.cummax(0)
    assert c.values.tolist() == [1., 3., 3., 3., 3.] and c.indices.tolist() == [0, 1, 1, 3, 3]
    c = y.cummin(0)
    assert c.values.tolist() == [1., 1., 0., 0., 0.] and c.indices.tolist() == [0, 0, 2, 2, 4]
    c = T([2., 1, 2, 1]).cummin(0)
    assert c.indices.tolist() == [0, 1, 1, 3]
    c = T([1., math.nan, 2.]).cummax(0)
    assert c.indices.tolist() == [0, 1, 1] and math.isnan(c.values.tolist()[2])


def test_return_types():
    r = rstorch.max(T([[1., 2], [3, 4]]), 1)
    assert type(r).__name__ == "max" and isinstance(r, tuple)
    assert r.values.tolist() == [2., 4.] and r.indices.tolist() == [1, 1]
    assert repr(r).startswith("torch.return_types.max(\nvalues=tensor([2., 4.]),\nindices=tensor([1, 1]))")
    m = T([1, 2]).aminmax(dim=0)
    assert m.min.item() == 1 and m.max.item() == 2
    assert type(T([1.]).cummax(0)).__name__ == "cummax"


def test_max_binary_form_and_zero_dim():
    s = T(3.)
    assert s.max(0).values.item() == 3. and s.max(0).indices.item() == 0
    assert s.argmax(0).item() == 0 and s.cumsum(0).item() == 3.
    if hasattr(rstorch, "maximum"):
        assert rstorch.max(T([1., 2]), T([3., 0])).tolist() == [3., 2.]


def test_dim_errors():
    a = rstorch.ones(2, 3)
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"):
        a.max(2)
    with pytest.raises(IndexError, match="but got 5"):
        a.sum(5)
    with pytest.raises(TypeError, match="argmax\\(\\): argument 'dim' \\(position 1\\) must be int, not tuple"):
        a.argmax((0, 1))
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times in the list of dims"):
        a.sum((0, 0))


# ------------------------------------------------------------------ moments, norms, logsumexp


def test_std_var_options():
    a = rstorch.ones(2, 3)
    assert a.std(0, unbiased=False).tolist() == [0., 0., 0.]
    assert math.isnan(rstorch.ones(1).std().item())
    assert math.isnan(rstorch.ones(3).var(correction=5).item())
    assert rstorch.std(T([1., 2, 3, 4]), True).item() == pytest.approx(1.2909944)
    assert rstorch.std(T([1., 2, 3, 4]), False).item() == pytest.approx(1.1180340)
    assert rstorch.var(T([1., 2, 3, 4]), correction=0).item() == pytest.approx(1.25)
    v, m = rstorch.var_mean(T([[1., 2], [3, 5]]), 1)
    assert v.tolist() == [0.5, 2.0] and m.tolist() == [1.5, 4.0]
    s, m = rstorch.std_mean(T([1., 2, 3, 4]), correction=0)
    assert s.item() == pytest.approx(1.1180340) and m.item() == 2.5


def test_norms_and_logsumexp():
    x = T([1., -2., 3.])
    assert x.norm().item() == pytest.approx(3.7416574)
    assert x.norm(0).item() == 3. and x.norm(float("-inf")).item() == 1.
    assert x.norm(float("inf")).item() == 3. and x.norm(3).item() == pytest.approx(3.3019272)
    assert x.norm(p="fro", dim=0).item() == pytest.approx(3.7416574)
    assert x.norm(dtype=rstorch.float64).dtype is rstorch.float64
    with pytest.raises(RuntimeError, match="linalg.matrix_norm: The input tensor A must have at least 2 dimensions."):
        x.norm("nuc")
    assert rstorch.linalg.vector_norm(x, 1).item() == 6.
    assert rstorch.linalg.vector_norm(x, dtype=rstorch.float64).dtype is rstorch.float64
    assert T([-math.inf] * 3).logsumexp(0).item() == -math.inf
    assert T([math.inf, 1.]).logsumexp(0).item() == math.inf
    assert math.isnan(T([math.nan, 1.]).logsumexp(0).item())
    assert T([1000., 1000.]).logsumexp(0).item() == pytest.approx(1000 + math.log(2))


def test_softmax_extremes():
    s = T([[1000., 0.], [-math.inf, 0.]]).softmax(1)
    assert s.tolist() == [[1., 0.], [0., 1.]]
    assert all(math.isnan(v) for v in T([-math.inf, -math.inf]).softmax(0).tolist())
    ls = T([1000., 0.]).log_softmax(0)
    assert ls.tolist() == [0., -1000.]
    assert rstorch.softmax(T([1., 2.]), 0, dtype=rstorch.float64).dtype is rstorch.float64
    rstorch.manual_seed(2)
    a = rstorch.randn(64, 1000)
    np.testing.assert_allclose(a.softmax(1).sum(1).numpy(), np.ones(64), rtol=1e-5)
    np.testing.assert_allclose(a.softmax(0).sum(0).numpy(), np.ones(1000), rtol=1e-5)


@pytest.mark.parametrize("dtype", [rstorch.float32, rstorch.float64])
@pytest.mark.parametrize("log", [False, True])
def test_softmax_nan_and_inf_rows(dtype, log):
    # a NaN or +inf anywhere makes the whole row NaN (torch: inf - inf); other rows unaffected
    x = rstorch.tensor([[1., math.nan, 2.], [math.inf, 1., 0.], [math.nan] * 3, [0., 1., 2.]], dtype=dtype)
    out = (x.log_softmax(1) if log else x.softmax(1)).numpy()
    assert np.isnan(out[:3]).all()
    e = np.exp(np.array([0., 1., 2.]) - 2)
    want = np.log(e / e.sum()) if log else e / e.sum()
    np.testing.assert_allclose(out[3], want, rtol=1e-6)


@pytest.mark.parametrize("n", [4095, 4096, 9000])
def test_softmax_long_rows_match_float64(n):
    # rows longer than the kernels' 4096-element blocks, and the remainders after the SIMD lanes
    rstorch.manual_seed(n)
    x = rstorch.randn(3, n) * 5
    xd = x.numpy().astype(np.float64)
    e = np.exp(xd - xd.max(1, keepdims=True))
    np.testing.assert_allclose(x.softmax(1).numpy(), e / e.sum(1, keepdims=True), rtol=2e-6, atol=1e-12)
    np.testing.assert_allclose(x.log_softmax(1).numpy(), np.log(e / e.sum(1, keepdims=True)), rtol=2e-6, atol=2e-6)


@pytest.mark.parametrize("dtype", [rstorch.float32, rstorch.float64, rstorch.int32])
def test_amax_rows_vectorised_paths(dtype):
    # rows long enough for the SIMD lanes plus a remainder; NaN in one row only poisons that row
    rstorch.manual_seed(5)
    x = (rstorch.randn(4, 1000) * 100).to(dtype)
    if dtype.is_floating_point:
        x[2, 517] = math.nan
    xn = x.numpy()
    for fn, ref in ((rstorch.amax, np.max), (rstorch.amin, np.min)):
        got = fn(x, 1).numpy()
        np.testing.assert_array_equal(got, ref(xn, 1))
        assert fn(x, (0, 1)).numpy() == ref(xn) or (np.isnan(ref(xn)) and np.isnan(fn(x, (0, 1)).item()))


@pytest.mark.parametrize("dtype", [rstorch.float32, rstorch.float64, rstorch.int64])
def test_argmax_rows_first_of_ties_and_nans(dtype):
    # long rows (vectorised two-pass path) with repeated extremes: the first index wins, and the
    # first NaN when there is one, like numpy's argmax and torch's
    x = (rstorch.arange(3 * 700) % 50).reshape(3, 700).to(dtype)
    if dtype.is_floating_point:
        x[1, 300] = math.nan
        x[1, 600] = math.nan
    xn = x.numpy()
    np.testing.assert_array_equal(x.argmax(1).numpy(), np.argmax(xn, 1))
    np.testing.assert_array_equal(x.argmin(1).numpy(), np.argmin(xn, 1))
    v, i = x.max(1)
    np.testing.assert_array_equal(i.numpy(), np.argmax(xn, 1))
    np.testing.assert_array_equal(v.numpy(), np.max(xn, 1))
    assert x.argmax().item() == np.argmax(xn)


# ------------------------------------------------------------------ out= and in-place


def test_out_and_inplace():
    a = T([[1., 2], [3, 4]])
    out = rstorch.empty(2)
    r = rstorch.sum(a, 1, out=out)
    assert r is out and out.tolist() == [3., 7.]
    o = (rstorch.empty(0), rstorch.empty(0, dtype=rstorch.int64))
    r = rstorch.max(a, 0, out=o)
    assert r.values is o[0] and o[0].tolist() == [3., 4.] and o[1].tolist() == [1, 1]
    c = T([1., 2, 3])
    assert c.cumsum_(0) is c and c.tolist() == [1., 3., 6.]
    # the out-of-place scans of bool are int64; in place there is no bool kernel (torch)
    with pytest.raises(NotImplementedError, match="^\"cumsum_out_cpu\" not implemented for 'Bool'$"):
        T([True]).cumsum_(0)
    with pytest.raises(NotImplementedError, match="^\"cumprod_out_cpu\" not implemented for 'Bool'$"):
        T([True]).cumprod_(0)
    g = T([1., 2.]).requires_grad_() if hasattr(rstorch.Tensor, "requires_grad_") else None
    if g is not None:
        with pytest.raises(RuntimeError, match="sum\\(\\): functions with out=... arguments don't support"):
            rstorch.sum(g, None, out=rstorch.empty(()))  # torch's sum(input) overload has no out=
