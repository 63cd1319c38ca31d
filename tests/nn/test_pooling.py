"""Pooling layers and functions beyond the op table (tests/opinfo/pool.py: values against numpy,
gradcheck, gradgradcheck, meta) and the values recorded from torch (nn_cases_pool.py): grad_fn
names, modules, non-contiguous inputs, zero-size batches, double backward, argument types."""

import numpy as np
import pytest

import rstorch
import rstorch.nn as nn
import rstorch.nn.functional as F
from rstorch.autograd import gradcheck, gradgradcheck


def _x(*shape, seed=0, dtype=rstorch.float32):
    g = rstorch.Generator().manual_seed(seed)
    return rstorch.randn(shape, generator=g, dtype=dtype)


@pytest.mark.parametrize("fn,name", [
    (lambda x: F.max_pool2d(x, 2), "MaxPool2DWithIndicesBackward0"),
    (lambda x: F.max_pool2d(x, 2, return_indices=True)[0], "MaxPool2DWithIndicesBackward0"),
    (lambda x: rstorch.max_pool2d(x, 2), "MaxPool2DWithIndicesBackward0"),
    (lambda x: F.max_pool2d(x[0], 2), "MaxPool2DWithIndicesBackward0"),
    (lambda x: F.avg_pool2d(x, 2), "AvgPool2DBackward0"),
    (lambda x: F.adaptive_avg_pool2d(x, 3), "AdaptiveAvgPool2DBackward0"),
    (lambda x: F.adaptive_avg_pool2d(x, 1), "MeanBackward1"),
    (lambda x: F.adaptive_max_pool2d(x, 3), "AdaptiveMaxPool2DBackward0"),
    (lambda x: F.max_pool1d(x[0], 2), "SqueezeBackward1"),
    (lambda x: F.avg_pool1d(x[0], 2), "SqueezeBackward1"),
    (lambda x: F.adaptive_avg_pool1d(x[0], 3), "SqueezeBackward1"),
    (lambda x: F.adaptive_max_pool1d(x[0], 3), "SqueezeBackward1"),
    (lambda x: F.max_pool3d(x, 2), "MaxPool3DWithIndicesBackward0"),
    (lambda x: F.avg_pool3d(x, 2), "AvgPool3DBackward0"),
    (lambda x: F.adaptive_avg_pool3d(x, 2), "AdaptiveAvgPool3DBackward0"),
    (lambda x: F.adaptive_max_pool3d(x, 2), "AdaptiveMaxPool3DBackward0"),
    (lambda x: F.lp_pool2d(x, 2, 2), "PowBackward0"),
])
def test_grad_fn_names(fn, name):
    x = _x(2, 3, 8, 8, dtype=rstorch.float64).requires_grad_()
    assert type(fn(x).grad_fn).__name__ == name


def test_unpool_grad_fn_and_double_backward_names():
    x = _x(1, 1, 4, 4, dtype=rstorch.float64).requires_grad_()
    v, i = F.max_pool2d(x.detach(), 2, return_indices=True)
    assert type(F.max_unpool2d(v.requires_grad_(), i, 2).grad_fn).__name__ == "MaxUnpool2DBackward0"
    for fn, name in ((lambda t: F.max_pool2d(t, 2), "MaxPool2DWithIndicesBackwardBackward0"),
                     (lambda t: F.avg_pool2d(t, 2), "AvgPool2DBackwardBackward0"),
                     (lambda t: F.adaptive_avg_pool2d(t, 3), "AdaptiveAvgPool2DBackwardBackward0")):
        g, = rstorch.autograd.grad(fn(x).sum(), x, create_graph=True)
        assert type(g.grad_fn).__name__ == name


def test_values_do_not_depend_on_the_layout():
    x = _x(2, 3, 9, 8)
    for t in (x.transpose(2, 3), x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2), x[:, :, ::2]):
        c = t.contiguous()
        for fn in (lambda y: F.max_pool2d(y, 3, 2, 1, return_indices=True), lambda y: F.avg_pool2d(y, 2, 1, 1),
                   lambda y: F.adaptive_avg_pool2d(y, (3, 5)), lambda y: F.adaptive_max_pool2d(y, 4, True)):
            a, b = fn(t), fn(c)
            for p, q in zip(a if isinstance(a, tuple) else (a,), b if isinstance(b, tuple) else (b,)):
                assert rstorch.equal(p, q)


def test_zero_size_batch_forward_and_backward():
    x = rstorch.zeros(0, 3, 6, 6, requires_grad=True)
    for fn in (lambda t: F.max_pool2d(t, 2), lambda t: F.avg_pool2d(t, 3, 1, 1), lambda t: F.adaptive_avg_pool2d(t, 2),
               lambda t: F.adaptive_max_pool2d(t, 2), lambda t: F.max_pool3d(t.unsqueeze(1), (1, 2, 2))):
        y = fn(x)
        assert y.shape[0] == 0
        y.sum().backward()
        assert x.grad.shape == x.shape
        x.grad = None


def test_gradcheck_through_modules():
    x = (rstorch.randperm(2 * 2 * 6 * 6).double() * 0.1).reshape(2, 2, 6, 6).requires_grad_()
    for m in (nn.MaxPool2d(3, 2, 1, ceil_mode=True), nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
              nn.AdaptiveAvgPool2d((4, 5)), nn.AdaptiveMaxPool2d((4, 5)), nn.LPPool2d(2, 2)):
        assert gradcheck(m, (x,))
    small = x[:1, :1, :4, :4].detach().clone().requires_grad_()
    for m in (nn.MaxPool2d(2, 1), nn.AvgPool2d(2, 1, 1), nn.AdaptiveAvgPool2d(3)):
        assert gradgradcheck(m, (small,))


def test_unpool_roundtrip_and_module():
    x = _x(2, 3, 6, 8)
    v, i = nn.MaxPool2d(2, return_indices=True)(x)
    u = nn.MaxUnpool2d(2)(v, i)
    assert u.shape == x.shape
    mask = u != 0
    assert rstorch.equal(u[mask], x[mask])
    assert rstorch.equal(nn.MaxUnpool2d(2)(v, i, output_size=x.size()), u)


def test_meta_shapes():
    x = rstorch.empty(4, 3, 9, 9, device="meta")
    assert F.max_pool2d(x, 2).shape == (4, 3, 4, 4)
    v, i = F.max_pool2d(x, 3, 2, 1, ceil_mode=True, return_indices=True)
    assert (v.device.type, i.dtype, tuple(i.shape)) == ("meta", rstorch.int64, (4, 3, 5, 5))
    assert F.avg_pool3d(x, 2).shape == (4, 1, 4, 4)
    assert F.adaptive_avg_pool2d(x, (2, 5)).shape == (4, 3, 2, 5)


def test_argument_types():
    x = _x(1, 1, 4, 4)
    with pytest.raises(TypeError, match=r"max_pool2d\(\): argument 'kernel_size' \(position 2\) must be tuple of ints, "
                                        r"not float"):
        rstorch.max_pool2d(x, 2.0)
    with pytest.raises(TypeError, match="must be Tensor"):
        rstorch.max_pool2d([1.0], 2)
    assert F.max_pool2d(x, [2, 2], (2,)).shape == (1, 1, 2, 2)
    assert F.max_pool2d(x, np.int64(2)).shape == (1, 1, 2, 2)


def test_lenet_like_stack_trains():
    rstorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(16, 64), nn.Unflatten(1, (1, 8, 8)), nn.MaxPool2d(2), nn.ReLU(),
                          nn.AvgPool2d(2), nn.Flatten(), nn.Linear(4, 3))
    x, y = rstorch.randn(8, 16), rstorch.randint(0, 3, (8,))
    losses = []
    for _ in range(5):
        loss = F.cross_entropy(model(x), y)
        model.zero_grad()
        loss.backward()
        with rstorch.no_grad():
            for p in model.parameters():
                p -= 0.1 * p.grad
        losses.append(loss.item())
    assert losses[-1] < losses[0]


def _max_pool_reference(x, kh, kw, sh, sw, dh=1, dw=1):
    """torch's max pooling of an (N, C, H, W) numpy array, window by window in row-major order:
    a later element wins when it is greater or NaN (so the last NaN wins)."""
    n, c, h, w = x.shape
    oh, ow = (h - dh * (kh - 1) - 1) // sh + 1, (w - dw * (kw - 1) - 1) // sw + 1
    out, idx = np.zeros((n, c, oh, ow), x.dtype), np.zeros((n, c, oh, ow), np.int64)
    for p in np.ndindex(n, c):
        for i in range(oh):
            for j in range(ow):
                best, bi = None, None
                for a in range(kh):
                    for b in range(kw):
                        r, q = i * sh + a * dh, j * sw + b * dw
                        v = x[p][r, q]
                        if best is None or v > best or np.isnan(v):
                            best, bi = v, r * w + q
                out[p][i, j], idx[p][i, j] = best, bi
    return out, idx


@pytest.mark.parametrize("shape", [(2, 3, 6, 8), (1, 2, 7, 9), (1, 1, 4, 3)])
@pytest.mark.parametrize("k,s,d", [(2, 2, 1), ((3, 2), (1, 2), 1), ((2, 2), (2, 2), (2, 1)), (3, 2, 1)])
def test_max_pool2d_ties_and_nans_match_torchs_order(shape, k, s, d):
    # max_pool2d(2) takes a vectorised path (windows of two adjacent columns at stride 2); every
    # path keeps torch's rule: the first maximum wins a tie, a NaN wins (the last NaN of a window)
    rng = np.random.default_rng(sum(shape))
    x = rng.integers(0, 3, size=shape).astype(np.float32)   # many ties
    x[rng.random(shape) < 0.1] = np.nan
    kh, kw = (k, k) if isinstance(k, int) else k
    sh, sw = (s, s) if isinstance(s, int) else s
    dh, dw = (d, d) if isinstance(d, int) else d
    want, want_idx = _max_pool_reference(x, kh, kw, sh, sw, dh, dw)
    got, got_idx = F.max_pool2d(rstorch.tensor(x), k, s, 0, d, return_indices=True)
    np.testing.assert_array_equal(got_idx.numpy(), want_idx)
    np.testing.assert_array_equal(got.numpy(), want)   # NaN positions compare equal
