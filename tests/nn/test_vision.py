"""Resampling: interpolate (every mode), the Upsample modules, grid_sample and affine_grid.
Values against torch are in test_torch_parity.py (nn_cases_vision.py); here: a numpy float64
reference of bilinear/bicubic, gradcheck/gradgradcheck in float64, output shapes over a grid of
arguments, zero-size batches, reprs and pickling of the modules."""

import copy
import math

import numpy as np
import pytest

import rstorch
import rstorch.nn as nn
import rstorch.nn.functional as F
from rstorch.autograd import gradcheck, gradgradcheck


def randn(*shape, seed=0, requires_grad=False):
    g = rstorch.Generator().manual_seed(seed)
    return rstorch.randn(*shape, dtype=rstorch.float64, generator=g).requires_grad_(requires_grad)


def _src(in_size, out_size, align_corners):
    if align_corners:
        return np.arange(out_size) * ((in_size - 1) / (out_size - 1) if out_size > 1 else 0.0)
    return (np.arange(out_size) + 0.5) * (in_size / out_size) - 0.5


def _linear_matrix(in_size, out_size, align_corners):
    m = np.zeros((out_size, in_size))
    for o, s in enumerate(np.maximum(_src(in_size, out_size, align_corners), 0)):
        i0 = min(int(np.floor(s)), in_size - 1)
        i1 = min(i0 + 1, in_size - 1)
        lam = min(max(s - i0, 0.0), 1.0)
        m[o, i0] += 1 - lam
        m[o, i1] += lam
    return m


def _cubic_matrix(in_size, out_size, align_corners):
    a = -0.75

    def k(x):
        x = abs(x)
        if x <= 1:
            return ((a + 2) * x - (a + 3)) * x * x + 1
        if x < 2:
            return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
        return 0.0

    m = np.zeros((out_size, in_size))
    for o, s in enumerate(_src(in_size, out_size, align_corners)):
        f = math.floor(s)
        for j in range(-1, 3):
            m[o, min(max(f + j, 0), in_size - 1)] += k(s - (f + j))
    return m


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("size", [(7, 3), (4, 5), (1, 9), (2, 2)])
def test_separable_reference(mode, align_corners, size):
    x = randn(2, 3, 4, 5)
    build = _linear_matrix if mode == "bilinear" else _cubic_matrix
    mh, mw = build(4, size[0], align_corners), build(5, size[1], align_corners)
    ref = np.einsum("oh,nchw,pw->ncop", mh, x.numpy(), mw)
    out = F.interpolate(x, size=size, mode=mode, align_corners=align_corners)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode,shape", [("nearest", (1, 2, 5)), ("nearest-exact", (1, 2, 4, 3)), ("linear", (1, 2, 5)),
                                        ("bilinear", (1, 2, 4, 3)), ("bicubic", (1, 2, 4, 3)),
                                        ("trilinear", (1, 1, 2, 3, 3)), ("area", (1, 2, 5, 4))])
def test_interpolate_gradcheck(mode, shape):
    x = randn(*shape, requires_grad=True)
    kw = {} if mode in ("nearest", "nearest-exact", "area") else {"align_corners": False}
    size = [s + 2 for s in shape[2:]] if mode != "area" else [3] * (len(shape) - 2)

    def fn(t):
        return F.interpolate(t, size=size, mode=mode, **kw)

    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_gradcheck(mode, padding_mode, align_corners):
    x = randn(1, 2, 3, 4, requires_grad=True, seed=1)
    # grid points away from pixel centres and borders, where the sampling is differentiable
    g = (randn(1, 2, 3, 2, seed=2) * 0.6).clamp(-0.9, 0.9) + 0.013
    g.requires_grad_(mode != "nearest")

    def fn(a, b):
        return F.grid_sample(a, b, mode, padding_mode, align_corners)

    assert gradcheck(fn, (x, g))


def test_grid_sample_3d_gradcheck():
    x = randn(1, 2, 2, 3, 3, requires_grad=True, seed=3)
    g = ((randn(1, 2, 2, 1, 3, seed=4) * 0.5).clamp(-0.9, 0.9) + 0.011).requires_grad_(True)
    assert gradcheck(lambda a, b: F.grid_sample(a, b, "bilinear", "reflection", False), (x, g))


def test_affine_grid_gradcheck():
    th = randn(2, 2, 3, requires_grad=True)
    assert gradcheck(lambda t: F.affine_grid(t, [2, 1, 3, 4], align_corners=False), (th,))
    th3 = randn(1, 3, 4, requires_grad=True)
    assert gradcheck(lambda t: F.affine_grid(t, [1, 1, 2, 3, 2], align_corners=True), (th3,))


def test_identity_affine_grid_samples_the_input():
    x = randn(2, 3, 4, 5)
    th = rstorch.tensor([[1.0, 0, 0], [0, 1.0, 0]], dtype=rstorch.float64).expand(2, 2, 3)
    for ac in (False, True):
        out = F.grid_sample(x, F.affine_grid(th, [2, 3, 4, 5], align_corners=ac), align_corners=ac)
        np.testing.assert_allclose(out.numpy(), x.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode,nd", [("nearest", 1), ("nearest", 2), ("nearest", 3), ("nearest-exact", 2),
                                     ("linear", 1), ("bilinear", 2), ("bicubic", 2), ("trilinear", 3), ("area", 1),
                                     ("area", 2), ("area", 3)])
def test_output_shapes(mode, nd):
    kw = {} if mode in ("nearest", "nearest-exact", "area") else {"align_corners": False}
    for n in (0, 2):
        x = rstorch.randn(n, 3, *([5] * nd))
        for size in (1, 3, 5, 8):
            assert F.interpolate(x, size=size, mode=mode, **kw).shape == (n, 3) + (size,) * nd
        for sf in (0.5, 1.0, 1.5, 2, 3.3):
            want = (n, 3) + (math.floor(5 * sf),) * nd
            assert F.interpolate(x, scale_factor=sf, mode=mode, **kw).shape == want
            assert F.interpolate(x, scale_factor=sf, mode=mode, recompute_scale_factor=True, **kw).shape == want


def test_grid_sample_shapes():
    for n in (0, 2):
        assert F.grid_sample(rstorch.randn(n, 3, 4, 5), rstorch.randn(n, 6, 7, 2), align_corners=False).shape == \
            (n, 3, 6, 7)
        assert F.grid_sample(rstorch.randn(n, 3, 2, 4, 5), rstorch.randn(n, 1, 6, 7, 3), mode="nearest",
                             align_corners=True).shape == (n, 3, 1, 6, 7)
    assert F.affine_grid(rstorch.randn(2, 2, 3), [2, 3, 4, 5], align_corners=False).shape == (2, 4, 5, 2)
    with pytest.raises(ValueError, match="Expected non-zero, positive output size"):
        F.affine_grid(rstorch.randn(0, 2, 3), [0, 3, 4, 5], align_corners=False)  # as torch: N counts


def test_upsample_modules():
    m = nn.Upsample(scale_factor=2, mode="bilinear")
    assert repr(m) == "Upsample(scale_factor=2.0, mode='bilinear')"
    assert repr(nn.Upsample(size=(3, 4))) == "Upsample(size=(3, 4), mode='nearest')"
    assert repr(nn.UpsamplingNearest2d(scale_factor=(2, 3))) == "UpsamplingNearest2d(scale_factor=(2.0, 3.0), mode='nearest')"
    assert repr(nn.UpsamplingBilinear2d(size=4)) == "UpsamplingBilinear2d(size=4, mode='bilinear')"
    assert list(m.state_dict()) == [] and list(m.parameters()) == []
    m2 = copy.deepcopy(m)
    x = randn(1, 2, 3, 3)
    assert rstorch.equal(m2(x), m(x))
    assert m(x).shape == (1, 2, 6, 6)
    assert nn.UpsamplingBilinear2d(scale_factor=2)(x).shape == (1, 2, 6, 6)
