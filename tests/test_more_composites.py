"""Composite ops torch has at its top level (gcd, lcm, cov, corrcoef, dist, frexp, unravel_index,
cumulative_trapezoid, trapz, vander, rsub, adjoint, ravel) and the window functions: numpy
float64 references or the values torch 2.15 gives."""

import math
import warnings

import numpy as np
import pytest

import rstorch as torch
from rstorch.autograd import gradcheck


def test_gcd_lcm():
    a, b = torch.tensor([12, -18, 0, 7, 5]), torch.tensor([8, 12, 0, -21, 0])
    np.testing.assert_array_equal(torch.gcd(a, b).numpy(), np.gcd(a.numpy(), b.numpy()))
    np.testing.assert_array_equal(torch.lcm(a, b).numpy(), np.lcm(a.numpy(), b.numpy()))
    assert torch.gcd(torch.tensor([12], dtype=torch.int16), torch.tensor([8], dtype=torch.int32)).dtype == torch.int32
    x = torch.tensor([12, 9])
    assert x.gcd_(torch.tensor([8])) is x and x.tolist() == [4, 1]
    assert torch.gcd(torch.tensor([[6], [4]]), torch.tensor([9, 2])).tolist() == [[3, 2], [1, 2]]
    with pytest.raises(NotImplementedError, match="\"gcd_cpu\" not implemented for 'Float'"):
        torch.gcd(torch.tensor([1.]), torch.tensor([2.]))


def test_cov_corrcoef_against_numpy():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 7))
    t = torch.tensor(x)
    np.testing.assert_allclose(torch.cov(t).numpy(), np.cov(x), rtol=1e-12)
    np.testing.assert_allclose(torch.cov(t, correction=0).numpy(), np.cov(x, ddof=0), rtol=1e-12)
    fw, aw = np.array([1, 2, 1, 3, 1, 1, 2]), rng.random(7)
    np.testing.assert_allclose(torch.cov(t, fweights=torch.tensor(fw), aweights=torch.tensor(aw)).numpy(),
                               np.cov(x, fweights=fw, aweights=aw), rtol=1e-12)
    np.testing.assert_allclose(torch.corrcoef(t).numpy(), np.corrcoef(x), rtol=1e-12)
    assert torch.cov(torch.tensor([1, 2, 4])).item() == pytest.approx(7 / 3)  # ints give the default float
    assert torch.corrcoef(torch.tensor([1., 2., 4.])).item() == 1.0
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        assert torch.cov(torch.tensor([[0., 1., 2.]]), correction=3).item() == math.inf
    with pytest.raises(RuntimeError, match="fweights to have integral dtype"):
        torch.cov(t, fweights=torch.ones(7))
    with pytest.raises(RuntimeError, match="two or fewer dimensions"):
        torch.cov(torch.ones(2, 2, 2))
    g = torch.tensor(x, requires_grad=True)
    assert gradcheck(lambda v: torch.cov(v), (g,))


def test_dist_frexp_unravel():
    assert torch.dist(torch.tensor([1., 2.]), torch.tensor([4., 6.])).item() == 5.0
    assert torch.dist(torch.tensor([1., 2.]), torch.tensor([4., 6.]), 1).item() == 7.0
    x = torch.tensor([8., 0.3, 0., -5., math.inf, math.nan, 1e-40, 0.5, 1.0, -0.75])
    m, e = torch.frexp(x)
    nm, ne = np.frexp(x.numpy())
    np.testing.assert_array_equal(m.numpy(), nm)
    np.testing.assert_array_equal(e.numpy(), ne)
    assert e.dtype == torch.int32 and m.dtype == torch.float32
    assert repr(torch.frexp(torch.tensor([8.]))).startswith("torch.return_types.frexp(\nmantissa=")
    with pytest.raises(RuntimeError, match="only supports floating-point dtypes"):
        torch.frexp(torch.tensor([8]))
    r, c = torch.unravel_index(torch.tensor([4, 1, 5]), (2, 3))
    assert r.tolist() == [1, 0, 1] and c.tolist() == [1, 1, 2]
    assert [t.item() for t in torch.unravel_index(torch.tensor(-1), (2, 3))] == [1, 2]  # torch wraps
    with pytest.raises(TypeError, match="expected 'indices' to be integer dtype"):
        torch.unravel_index(torch.tensor(1.), (2, 3))


def test_trapezoid_family_vander_rsub_adjoint_ravel():
    y, x = torch.tensor([1., 2., 4.]), torch.tensor([0., 1., 3.])
    assert torch.cumulative_trapezoid(y).tolist() == [1.5, 4.5]
    assert torch.cumulative_trapezoid(y, x).tolist() == [1.5, 7.5]
    assert torch.cumulative_trapezoid(y.view(1, 3), dx=0.5, dim=1).tolist() == [[0.75, 2.25]]
    assert torch.trapz(y, dx=2.).item() == 9.0 and torch.trapz(y, x).item() == 7.5
    np.testing.assert_array_equal(torch.vander(torch.tensor([1, 2, 3])).numpy(), np.vander([1, 2, 3]))
    np.testing.assert_array_equal(torch.vander(torch.tensor([1., 2.]), N=3, increasing=True).numpy(),
                                  np.vander([1., 2.], 3, increasing=True))
    assert torch.rsub(torch.tensor([1., 2.]), 5, alpha=2).tolist() == [3., 1.]
    assert torch.rsub(torch.tensor([1, 2]), torch.tensor([3, 3])).tolist() == [2, 1]
    a = torch.arange(6.).view(2, 3)
    assert a.adjoint().shape == (3, 2) and a.adjoint().data_ptr() == a.data_ptr()  # a view
    assert torch.adjoint(a).tolist() == a.t().tolist()
    assert torch.ravel(a.t()).tolist() == [0., 3., 1., 4., 2., 5.]


# torch 2.15's float32 windows (float64 where marked)
WINDOWS = {
    ("hann_window", (5,)): [0.0, 0.34549152851104736, 0.9045084714889526, 0.9045084714889526, 0.3454914391040802],
    ("hamming_window", (4,)): [0.08, 0.54, 1.0, 0.54],
    ("blackman_window", (4,)): [-2.9802322387695312e-08, 0.34, 1.0, 0.34],
    ("bartlett_window", (5,)): [0.0, 0.4, 0.8, 0.8, 0.4],
    ("bartlett_window", (6, False)): [0.0, 0.4, 0.8, 0.8, 0.4, 0.0],
    ("kaiser_window", (4,)): [5.2773437346331775e-05, 0.21567265689373016, 1.0, 0.21567265689373016],
}


@pytest.mark.parametrize("key", list(WINDOWS), ids=lambda k: f"{k[0]}{k[1]}")
def test_windows_match_torch(key):
    name, args = key
    got = getattr(torch, name)(*args)
    assert got.dtype == torch.float32
    np.testing.assert_allclose(got.numpy(), WINDOWS[key], rtol=2e-6, atol=1e-7)


def test_windows_against_numpy_and_edges():
    np.testing.assert_allclose(torch.hann_window(7, periodic=False, dtype=torch.float64).numpy(), np.hanning(7),
                               atol=1e-15)
    np.testing.assert_allclose(torch.hamming_window(7, periodic=False, dtype=torch.float64).numpy(), np.hamming(7),
                               atol=1e-15)
    np.testing.assert_allclose(torch.blackman_window(7, periodic=False, dtype=torch.float64).numpy(),
                               np.blackman(7), atol=1e-15)
    np.testing.assert_allclose(torch.bartlett_window(7, periodic=False, dtype=torch.float64).numpy(),
                               np.bartlett(7), atol=1e-15)
    np.testing.assert_allclose(torch.kaiser_window(7, periodic=False, beta=3.0, dtype=torch.float64).numpy(),
                               np.kaiser(7, 3.0), rtol=1e-12)
    assert torch.hann_window(0).shape == (0,) and torch.hann_window(1).tolist() == [1.0]
    assert torch.hann_window(4, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="expects floating point dtypes"):
        torch.hann_window(3, dtype=torch.int64)
