"""Ops built from other ops (python/rstorch/_ops/composite.py): values against numpy in float64,
torch's dtypes and errors, gradients by gradcheck."""

import math
import re

import numpy as np
import pytest

import rstorch as T

x = T.tensor([[1.5, -2.0, 0.0], [3.25, 4.0, -0.5]])
v = T.tensor([3.0, 1.0, 2.0])
xi = T.tensor([[1, -2, 0], [3, 4, 5]])


def close(t, want, dtype=None):
    assert dtype is None or t.dtype is dtype
    np.testing.assert_allclose(t.double().numpy(), np.asarray(want, dtype=np.float64), rtol=1e-6, atol=1e-6)


def raises(exc, msg):
    return pytest.raises(exc, match="^" + re.escape(msg) + "$")


def test_signbit():  # torch: the sign bit, so -0.0 and -nan count
    n = T.tensor([1.0, math.nan, -math.inf, 0.0, -0.0, -math.nan])
    assert n.signbit().tolist() == [False, False, True, False, True, True]
    assert xi.signbit().tolist() == [[False, True, False], [False, False, False]]
    assert T.tensor([True, False]).signbit().tolist() == [False, False]


def test_angle_conversions_and_sinc():
    close(x.deg2rad(), np.deg2rad(x.double().numpy()), T.float32)
    close(xi.rad2deg(), np.rad2deg(xi.numpy().astype(np.float64)), T.float32)
    close(T.sinc(x), np.sinc(x.double().numpy()), T.float32)
    close(T.sinc(xi), np.sinc(xi.numpy().astype(np.float64)), T.float32)


def test_logaddexp():
    a, b = x.double().numpy(), v.double().numpy()
    close(T.logaddexp(x, v), np.logaddexp(a, b), T.float32)
    close(T.logaddexp2(x, v), np.logaddexp2(a, b), T.float32)
    big = T.tensor([1000.0, -1000.0, math.inf, -math.inf])
    close(T.logaddexp(big, big), np.logaddexp(big.double().numpy(), big.double().numpy()))
    with raises(NotImplementedError, "\"logaddexp_cpu\" not implemented for 'Long'"):
        T.logaddexp(xi, xi)


def test_heaviside():
    assert T.heaviside(x, T.tensor(0.5)).tolist() == [[1.0, 0.0, 0.5], [1.0, 1.0, 0.0]]
    assert T.heaviside(x, T.tensor([7.0, 8.0, 9.0])).tolist() == [[1.0, 0.0, 9.0], [1.0, 1.0, 0.0]]
    with raises(RuntimeError, "heaviside is not yet implemented for tensors with different dtypes."):
        T.heaviside(x, T.tensor(1))


def test_diff():
    a = x.double().numpy()
    close(T.diff(v), np.diff(v.numpy()))
    close(T.diff(x, dim=0), np.diff(a, axis=0))
    close(T.diff(x, n=2), np.diff(a, n=2))
    close(T.diff(x, n=5), np.diff(a, n=5))
    close(T.diff(v, prepend=T.tensor([0.0]), append=T.tensor([9.0, 10.0])), np.diff(v.numpy(), prepend=0, append=[9, 10]))
    assert T.diff(T.tensor([True, False, False, True])).tolist() == [True, False, True]
    assert T.diff(xi).dtype is T.int64
    with raises(RuntimeError, "diff expects input to be at least one-dimensional"):
        T.diff(T.tensor(1.0))



def test_block_diag_values():
    got = T.block_diag(T.tensor(2), xi, v)
    want = np.zeros((4, 7))
    want[0, 0] = 2
    want[1:3, 1:4] = xi.numpy()
    want[3, 4:7] = v.numpy()
    close(got, want, T.float32)
    assert T.block_diag().shape == (1, 0)
    with raises(RuntimeError, "torch.block_diag: Input tensors must have 2 or fewer dimensions. Input 0 has 3 dimensions"):
        T.block_diag(T.ones(2, 2, 2))


def test_cdist():
    a, b = x.double().numpy(), T.ones(4, 3).double().numpy()
    for p in (1.0, 2.0, 3.0, math.inf):
        want = np.linalg.norm(a[:, None, :] - b[None, :, :], ord=p, axis=-1)
        close(T.cdist(x, T.ones(4, 3), p=p), want, T.float32)
    assert T.cdist(x.unsqueeze(0), x.unsqueeze(0)).shape == (1, 2, 2)
    with raises(RuntimeError, "cdist only supports at least 2D tensors, X1 got: 1D"):
        T.cdist(v, v)
    with raises(RuntimeError, "X1 and X2 must have the same number of columns. X1: 3 X2: 2"):
        T.cdist(x, T.ones(2, 2))


def test_trapezoid():
    a = x.double().numpy()
    close(T.trapezoid(v), np.trapezoid(v.numpy()) if hasattr(np, "trapezoid") else np.trapz(v.numpy()))
    close(T.trapezoid(x, dx=0.5), 0.25 * (a[:, 1:] + a[:, :-1]).sum(-1))
    pts = np.array([0.0, 1.0, 3.0])
    close(T.trapezoid(x, T.tensor(pts)), ((a[:, 1:] + a[:, :-1]) / 2 * np.diff(pts)).sum(-1))
    close(T.trapezoid(x, dim=0), (a[1] + a[0]) / 2)


@pytest.mark.parametrize("fn", [
    lambda a, b: T.logaddexp(a, b), lambda a, b: T.logaddexp2(a, b), lambda a, b: T.sinc(a) * b,
    lambda a, b: T.diff(a, n=2, dim=0) * 1.0, lambda a, b: T.cdist(a, b), lambda a, b: T.cdist(a, b, p=1.5),
    lambda a, b: T.block_diag(a, b), lambda a, b: T.trapezoid(a, dx=0.3) + T.deg2rad(b).sum(),
])
def test_gradients(fn):
    g = T.Generator().manual_seed(0)
    a = T.randn(3, 2, dtype=T.float64, generator=g).requires_grad_()
    b = T.randn(3, 2, dtype=T.float64, generator=g).requires_grad_()
    assert T.autograd.gradcheck(fn, (a, b))
