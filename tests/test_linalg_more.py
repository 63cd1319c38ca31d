"""rstorch.linalg.diagonal, vander, tensorinv, tensorsolve and householder_product against numpy
float64 (householder_product against the reflectors multiplied out one by one), their gradients
by gradcheck, out=, and torch 2.15's errors (the texts were produced with torch 2.15 and are
written in as literals)."""

import numpy as np
import pytest

import rstorch
from rstorch.autograd import gradcheck

L = rstorch.linalg
RNG = np.random.default_rng(7)


def t64(a, grad=False):
    return rstorch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def test_diagonal():
    a = RNG.standard_normal((2, 3, 4, 5))
    for kw, ref in (({}, np.diagonal(a, 0, -2, -1)), ({"offset": 1}, np.diagonal(a, 1, -2, -1)),
                    ({"offset": -2, "dim1": 0, "dim2": 2}, np.diagonal(a, -2, 0, 2))):
        np.testing.assert_array_equal(L.diagonal(t64(a), **kw).numpy(), ref)
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-1, 0\], but got -2\)"):
        L.diagonal(rstorch.ones(3))
    with pytest.raises(TypeError):
        L.diagonal(t64(a), 1)  # offset is keyword-only, as in torch


def test_vander():
    x = RNG.standard_normal(5)
    np.testing.assert_allclose(L.vander(t64(x)).numpy(), np.vander(x, increasing=True), rtol=1e-14)
    np.testing.assert_allclose(L.vander(t64(x), N=7).numpy(), np.vander(x, 7, increasing=True), rtol=1e-14)
    b = RNG.standard_normal((2, 3, 4))
    got = L.vander(t64(b), N=3).numpy()
    assert got.shape == (2, 3, 4, 3)
    np.testing.assert_allclose(got[1, 2], np.vander(b[1, 2], 3, increasing=True), rtol=1e-14)
    ints = L.vander(rstorch.tensor([2, 3], dtype=rstorch.int8), N=4)
    assert ints.dtype is rstorch.int64 and ints.tolist() == [[1, 2, 4, 8], [1, 3, 9, 27]]
    f = L.vander(rstorch.tensor([1.5, 2.0]), N=3)
    assert f.dtype is rstorch.float32 and f.tolist() == [[1.0, 1.5, 2.25], [1.0, 2.0, 4.0]]
    assert gradcheck(lambda v: L.vander(v, N=4), (t64([0.0, 1.5, -2.0], True),))
    for bad in (lambda: L.vander(rstorch.tensor(1.0)), lambda: L.vander(rstorch.ones(2), N=1),
                lambda: L.vander(rstorch.ones(0))):
        with pytest.raises(RuntimeError, match="^N must be greater than 1.$"):
            bad()
    with pytest.raises(NotImplementedError, match="linalg.vander supports floating point, complex, and integer "
                                                  "tensors, but got Bool"):
        L.vander(rstorch.tensor([True, False]))
    with pytest.raises(TypeError):
        L.vander(rstorch.ones(2), 3)  # N is keyword-only


def test_tensorinv():
    a = RNG.standard_normal((4, 6, 8, 3))
    np.testing.assert_allclose(L.tensorinv(t64(a)).numpy(), np.linalg.tensorinv(a, 2), rtol=1e-9, atol=1e-12)
    b = RNG.standard_normal((6, 2, 3))
    np.testing.assert_allclose(L.tensorinv(t64(b), ind=1).numpy(), np.linalg.tensorinv(b, 1), rtol=1e-9, atol=1e-12)
    assert gradcheck(lambda m: L.tensorinv(m, ind=1), (t64(RNG.standard_normal((4, 2, 2)) + np.eye(4).reshape(4, 2, 2), True),))
    out = rstorch.empty(0, dtype=rstorch.float64)
    assert L.tensorinv(t64(b), ind=1, out=out) is out and out.shape == (2, 3, 6)
    with pytest.raises(RuntimeError, match=r"Expected self to satisfy the requirement prod\(self.shape\[ind:\]\) == "
                                           r"prod\(self.shape\[:ind\]\), but got 18 != 2"):
        L.tensorinv(rstorch.ones(2, 3, 6), ind=1)
    with pytest.raises(RuntimeError, match="Expected a strictly positive integer for 'ind', but got 0"):
        L.tensorinv(rstorch.ones(2, 3, 6), ind=0)
    with pytest.raises(L.LinAlgError, match="^inv: The diagonal element 2 is zero, the inversion could not be "
                                            "completed because the input matrix is singular."):
        L.tensorinv(rstorch.ones(4, 2, 2), ind=1)
    with pytest.raises(NotImplementedError, match="Expected a floating point or complex tensor as input. Got Long"):
        L.tensorinv(rstorch.ones(4, 4, dtype=rstorch.int64), ind=1)


def test_tensorsolve():
    a = RNG.standard_normal((2, 3, 6))
    b = RNG.standard_normal((2, 3))
    np.testing.assert_allclose(L.tensorsolve(t64(a), t64(b)).numpy(), np.linalg.tensorsolve(a, b), rtol=1e-9)
    c = RNG.standard_normal((6, 2, 3))
    d = RNG.standard_normal((2, 3))
    np.testing.assert_allclose(L.tensorsolve(t64(c), t64(d), dims=(0,)).numpy(),
                               np.linalg.tensorsolve(c, d, axes=(0,)), rtol=1e-9)
    assert gradcheck(lambda m, v: L.tensorsolve(m, v), (t64(a, True), t64(b, True)))
    with pytest.raises(RuntimeError, match=r"but got 6 != 9"):
        L.tensorsolve(rstorch.ones(2, 3, 6), rstorch.ones(3, 3))
    with pytest.raises(RuntimeError, match=r"but got 18 != 6"):
        L.tensorsolve(rstorch.ones(6, 2, 3), rstorch.ones(6), dims=(0,))
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-3, 2\], but got 5\)"):
        L.tensorsolve(rstorch.ones(2, 3, 6), rstorch.ones(2, 3), dims=(5,))
    with pytest.raises(L.LinAlgError, match="The solver failed because the input matrix is singular."):
        L.tensorsolve(rstorch.ones(2, 3, 6), rstorch.ones(2, 3))


def _householder_ref(a, tau):
    m, n = a.shape
    q = np.eye(m)
    for i in range(len(tau)):
        v = np.zeros(m)
        v[i] = 1.0
        v[i + 1:] = a[i + 1:, i]
        q = q @ (np.eye(m) - tau[i] * np.outer(v, v))
    return q[:, :n]


def test_householder_product():
    for m, n, k in ((5, 3, 3), (4, 4, 2), (6, 2, 0), (3, 3, 3)):
        a, tau = RNG.standard_normal((m, n)), RNG.standard_normal(k)
        np.testing.assert_allclose(L.householder_product(t64(a), t64(tau)).numpy(), _householder_ref(a, tau),
                                   rtol=1e-12, atol=1e-13)
    a, tau = RNG.standard_normal((2, 3, 5, 3)), RNG.standard_normal((2, 3, 2))
    got = L.householder_product(t64(a), t64(tau)).numpy()
    np.testing.assert_allclose(got[1, 2], _householder_ref(a[1, 2], tau[1, 2]), rtol=1e-12, atol=1e-13)
    # the reflectors of a QR factorization rebuild its orthonormal Q (numpy's Householder QR)
    x = RNG.standard_normal((6, 4))
    h, tau_np = np.linalg.qr(x, mode="raw")
    q = L.householder_product(t64(h.T), t64(tau_np)).numpy()
    np.testing.assert_allclose(q, np.linalg.qr(x)[0], atol=1e-12)
    f = L.householder_product(rstorch.tensor(a[0, 0], dtype=rstorch.float32), rstorch.tensor(tau[0, 0], dtype=rstorch.float32))
    assert f.dtype is rstorch.float32
    np.testing.assert_allclose(f.numpy(), _householder_ref(a[0, 0], tau[0, 0]), rtol=1e-5, atol=1e-5)
    assert gradcheck(L.householder_product, (t64(RNG.standard_normal((4, 3)), True), t64(RNG.standard_normal(2), True)))
    assert gradcheck(L.householder_product, (t64(RNG.standard_normal((2, 3, 3)), True),
                                             t64(RNG.standard_normal((2, 3)), True)))
    out = rstorch.empty(0, dtype=rstorch.float64)
    assert L.householder_product(t64(a[0, 0]), t64(tau[0, 0]), out=out) is out and out.shape == (5, 3)
    assert L.householder_product(rstorch.ones(4, 0), rstorch.ones(0)).shape == (4, 0)


HOUSEHOLDER_ERRORS = [
    ((3, 4), (2,), "input.shape[-2] must be greater than or equal to input.shape[-1]"),
    ((4, 3), (4,), "input.shape[-1] must be greater than or equal to tau.shape[-1]"),
    ((4,), (4,), "input must have at least 2 dimensions."),
    ((2, 4, 3), (3, 2), "Expected batch dimensions of tau to be equal to input.shape[:-2], but got [3]"),
    ((2, 3, 2), (1,), "Expected tau to have one dimension less than input, but got tau.ndim equal to 1 and "
                      "input.ndim is equal to 3"),
]


@pytest.mark.parametrize("a,tau,msg", HOUSEHOLDER_ERRORS)
def test_householder_product_errors(a, tau, msg):
    with pytest.raises(RuntimeError) as e:
        L.householder_product(rstorch.ones(*a), rstorch.ones(*tau))
    assert str(e.value) == "torch.linalg.householder_product: " + msg


def test_householder_product_dtype_errors():
    with pytest.raises(RuntimeError, match="^torch.linalg.householder_product: tau dtype Double does not match input "
                                           "dtype Float$"):
        L.householder_product(rstorch.ones(4, 3), rstorch.ones(2, dtype=rstorch.float64))
    with pytest.raises(NotImplementedError, match="\"orgqr_cpu\" not implemented for 'Long'"):
        L.householder_product(rstorch.ones(4, 3, dtype=rstorch.int64), rstorch.ones(2, dtype=rstorch.int64))
