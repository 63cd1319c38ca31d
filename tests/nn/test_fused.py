"""The fused kernels behind F.cross_entropy, F.batch_norm and F.linear (nn/_functional/fused.py,
rust/core/src/ops/nn/): agreement with the composites they replace, torch's node names, double
backward, the parallel paths, strided inputs and the calls that fall back to the composites."""

import math

import numpy as np
import pytest

import rstorch
import rstorch.nn as nn
import rstorch.nn.functional as F
from rstorch.autograd import gradcheck, gradgradcheck


def randn(*shape, seed=0, dtype=rstorch.float64, requires_grad=False):
    g = rstorch.Generator().manual_seed(seed)
    return rstorch.randn(*shape, dtype=dtype, generator=g).requires_grad_(requires_grad)


def labels(shape, c, seed=1):
    g = rstorch.Generator().manual_seed(seed)
    return rstorch.randint(0, c, shape, generator=g)


def grads(fn, *xs):
    xs = [x.detach().clone().requires_grad_(True) for x in xs]
    out = fn(*xs)
    (out * rstorch.linspace(0.5, 1.5, out.numel(), dtype=out.dtype).view(out.shape)).sum().backward()
    return out.detach(), [x.grad for x in xs]


def assert_close(a, b, rtol=1e-12, atol=1e-12):
    np.testing.assert_allclose(a.detach().double().numpy(), b.detach().double().numpy(), rtol=rtol, atol=atol)


CE_OPTIONS = [{}, {"reduction": "sum"}, {"reduction": "none"}, {"ignore_index": 2}, {"label_smoothing": 0.2},
              {"ignore_index": 0, "label_smoothing": 0.4, "reduction": "none"}]


@pytest.mark.parametrize("shape", [(7, 5), (3, 5, 4), (2, 5, 2, 3), (5,)])
@pytest.mark.parametrize("kw", CE_OPTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_matches_the_composite(shape, kw, weighted):
    x = randn(*shape, seed=3) * 2
    c = shape[0] if len(shape) == 1 else shape[1]
    t = labels(() if len(shape) == 1 else (shape[0],) + shape[2:], c)
    w = rstorch.linspace(0.5, 2, c, dtype=rstorch.float64) if weighted else None
    fused = grads(lambda a: F.cross_entropy(a, t, w, **kw), x)
    comp = grads(lambda a: F._cross_entropy_composite(a, t, w, **kw), x)
    assert_close(fused[0], comp[0])
    assert_close(fused[1][0], comp[1][0])


@pytest.mark.parametrize("kw", CE_OPTIONS)
def test_cross_entropy_gradgradcheck(kw):
    x = randn(4, 3, 2, seed=5, requires_grad=True)
    t = labels((4, 2), 3)
    w = rstorch.tensor([0.5, 1.0, 2.0], dtype=rstorch.float64)
    assert gradcheck(lambda a: F.cross_entropy(a, t, w, **kw), (x,))
    assert gradgradcheck(lambda a: F.cross_entropy(a, t, w, **kw), (x,))


def test_cross_entropy_float32_and_parallel_rows():
    prev = rstorch.get_num_threads()
    try:
        for threads in (1, 2):
            rstorch.set_num_threads(threads)
            x = randn(300, 257, seed=2, dtype=rstorch.float32) * 3
            t = labels((300,), 257)
            out, (g,) = grads(lambda a: F.cross_entropy(a, t, label_smoothing=0.1), x)
            ref, (gr,) = grads(lambda a: F._cross_entropy_composite(a.double(), t, label_smoothing=0.1), x)
            assert_close(out, ref, rtol=1e-5, atol=1e-6)
            assert_close(g, gr, rtol=1e-4, atol=1e-7)
    finally:
        rstorch.set_num_threads(prev)


def test_cross_entropy_graph_and_errors():
    x = randn(4, 5, requires_grad=True)
    t = rstorch.tensor([0, 1, 4, 2])
    loss = F.cross_entropy(x, t)
    assert type(loss.grad_fn).__name__ == "NllLossBackward0"
    assert type(loss.grad_fn.next_functions[0][0]).__name__ == "AccumulateGrad"
    with pytest.raises(IndexError, match=r"^Target 12 is out of bounds\.$"):
        F.cross_entropy(x, rstorch.tensor([0, 12, 1, 1]))
    with pytest.raises(IndexError, match=r"^Target -3 is out of bounds\.$"):
        F.cross_entropy(x, rstorch.tensor([0, 1, -3, 1]))
    # ignore_index may lie outside [0, C)
    assert math.isfinite(F.cross_entropy(x, rstorch.tensor([0, 9, 1, 1]), ignore_index=9).item())
    # weight requiring grad: torch's error, from the composite
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'weight'"):
        F.cross_entropy(x, t, rstorch.ones(5, dtype=rstorch.float64, requires_grad=True))
    # an in-place change of the input after the forward is caught at backward
    y = x * 1
    loss = F.cross_entropy(y, t)
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_cross_entropy_edges():
    x = randn(3, 4)
    assert math.isnan(F.cross_entropy(x, rstorch.full((3,), -100)).item())
    assert F.cross_entropy(x, rstorch.full((3,), -100), reduction="sum").item() == 0.0
    e = rstorch.zeros(0, 4, requires_grad=True)
    assert math.isnan(F.cross_entropy(e, rstorch.zeros(0, dtype=rstorch.long)).item())
    loss = F.cross_entropy(e, rstorch.zeros(0, dtype=rstorch.long), reduction="sum")
    loss.backward()
    assert e.grad.shape == (0, 4)
    xs = rstorch.tensor([[0.0, math.inf, 1.0], [1.0, 2.0, math.nan], [1.0, 2.0, 3.0]])
    out = F.cross_entropy(xs, rstorch.tensor([1, 0, 2]), reduction="none")
    assert math.isnan(out[0].item()) and math.isnan(out[1].item()) and math.isfinite(out[2].item())
    # strided logits and byte targets
    xt = randn(5, 4, seed=9).t()
    tb = rstorch.tensor([0, 3, 2, 1], dtype=rstorch.uint8)
    assert_close(F.cross_entropy(xt, tb), F._cross_entropy_composite(xt, tb))
    # float16 takes the composite
    h = randn(3, 4).half()
    assert F.cross_entropy(h, rstorch.tensor([0, 1, 2])).dtype is rstorch.float16


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (3, 3, 4, 2), (2, 3, 2, 2, 3)])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_matches_the_composite(shape, training, affine):
    x = randn(*shape, seed=4) * 2 + 1
    w = rstorch.linspace(0.5, 1.5, 3, dtype=rstorch.float64) if affine else None
    b = rstorch.linspace(-1, 1, 3, dtype=rstorch.float64) if affine else None
    rm1, rv1 = rstorch.linspace(-0.5, 0.5, 3, dtype=rstorch.float64), rstorch.linspace(0.5, 2, 3, dtype=rstorch.float64)
    rm2, rv2 = rm1.clone(), rv1.clone()
    ins = (x, w, b) if affine else (x,)

    def fused(a, w=None, b=None):
        return F.batch_norm(a, rm1, rv1, w, b, training, 0.3, 1e-3)

    def comp(a, w=None, b=None):
        return F._batch_norm_impl(a, w, b, rm2, rv2, training, 0.3, 1e-3)

    out1, g1 = grads(fused, *ins)
    out2, g2 = grads(comp, *ins)
    assert_close(out1, out2, rtol=1e-10, atol=1e-10)
    for a, b_ in zip(g1, g2):
        assert_close(a, b_, rtol=1e-9, atol=1e-10)
    assert_close(rm1, rm2)
    assert_close(rv1, rv2)
    assert type(fused(x.requires_grad_(True)).grad_fn).__name__ == "NativeBatchNormBackward0"


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_gradgradcheck(training):
    x = randn(3, 2, 3, seed=6, requires_grad=True)
    w = rstorch.tensor([0.7, 1.3], dtype=rstorch.float64, requires_grad=True)
    b = rstorch.tensor([0.1, -0.2], dtype=rstorch.float64, requires_grad=True)
    rm, rv = rstorch.zeros(2, dtype=rstorch.float64), rstorch.ones(2, dtype=rstorch.float64)

    def fn(a, w, b):
        return F.batch_norm(a, rm.clone(), rv.clone(), w, b, training)
    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))


def test_batch_norm_float32_strided_and_parallel():
    prev = rstorch.get_num_threads()
    try:
        for threads in (1, 2):
            rstorch.set_num_threads(threads)
            x = randn(16, 8, 20, 24, seed=1, dtype=rstorch.float32).permute(0, 1, 3, 2) * 3 + 2
            m = nn.BatchNorm2d(8)
            out, (g,) = grads(m, x)
            rm = rstorch.zeros(8, dtype=rstorch.float64)
            rv = rstorch.ones(8, dtype=rstorch.float64)
            ref, (gr,) = grads(lambda a: F._batch_norm_impl(a.double(), m.weight.double(), m.bias.double(), rm, rv,
                                                            True, 0.1, 1e-5), x)
            assert_close(out, ref, rtol=1e-4, atol=1e-5)
            assert_close(g, gr, rtol=1e-3, atol=1e-5)
            assert_close(m.running_mean, rm, rtol=1e-5, atol=1e-6)
            assert_close(m.running_var, rv, rtol=1e-5, atol=1e-6)
    finally:
        rstorch.set_num_threads(prev)


def test_native_batch_norm_and_batch_norm_ops():
    x = randn(5, 3, 2)
    out, mean, invstd = rstorch.native_batch_norm(x, None, None, None, None, True, 0.1, 1e-5)
    v, m = rstorch.var_mean(x, [0, 2], correction=0)
    assert_close(mean, m)
    assert_close(invstd, (v + 1e-5).rsqrt())
    out, mean, invstd = rstorch.native_batch_norm(x, None, None, rstorch.zeros(3, dtype=rstorch.float64),
                                                  rstorch.ones(3, dtype=rstorch.float64), False, 0.1, 1e-5)
    assert mean.shape == (0,) and invstd.shape == (0,)
    with pytest.raises(ValueError, match="running_mean must be defined in evaluation mode"):
        rstorch.native_batch_norm(x, None, None, None, None, False, 0.1, 1e-5)
    with pytest.raises(RuntimeError, match="running_mean must be defined in evaluation mode"):
        rstorch.batch_norm(x, None, None, None, None, False, 0.1, 1e-5, False)
    # torch.batch_norm skips F.batch_norm's batch-size check
    assert rstorch.batch_norm(randn(1, 3), None, None, None, None, True, 0.1, 1e-5, False).shape == (1, 3)


@pytest.mark.parametrize("shape", [(5,), (4, 5), (2, 4, 5), (2, 2, 3, 5)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear(shape, bias):
    x = randn(*shape, seed=1, requires_grad=True)
    w = randn(3, 5, seed=2, requires_grad=True)
    b = randn(3, seed=3, requires_grad=True) if bias else None
    out = F.linear(x, w, b)
    ref = x.matmul(w.t()) + (b if bias else 0)
    assert_close(out, ref)
    if len(shape) == 2:
        assert type(out.grad_fn).__name__ == ("AddmmBackward0" if bias else "MmBackward0")
    assert gradcheck(F.linear, (x, w, b) if bias else (x, w))
    assert gradgradcheck(F.linear, (x, w, b) if bias else (x, w))


@pytest.mark.parametrize("shape,k", [((4, 5), 1), ((2, 3, 4), 2), ((3, 2, 2, 3), 1), ((6,), 1)])
@pytest.mark.parametrize("affine", [True, False])
def test_layer_norm_matches_the_composite(shape, k, affine):
    x = randn(*shape, seed=7) * 3 + 1
    ns = shape[len(shape) - k:]
    ins = (x, randn(*ns, seed=8), randn(*ns, seed=9)) if affine else (x,)
    out1, g1 = grads(lambda a, *wb: F.layer_norm(a, ns, *wb), *ins)
    out2, g2 = grads(lambda a, *wb: F._layer_norm_composite(a, ns, *wb), *ins)
    assert_close(out1, out2, rtol=1e-10, atol=1e-10)
    for a, b in zip(g1, g2):
        assert_close(a, b, rtol=1e-9, atol=1e-10)
    y = F.layer_norm(x.requires_grad_(True), ns)
    assert type(y.grad_fn).__name__ == "NativeLayerNormBackward0"


def test_layer_norm_gradgradcheck_and_float32():
    x = randn(3, 2, 3, seed=6, requires_grad=True)
    w = randn(2, 3, seed=1, requires_grad=True)
    b = randn(2, 3, seed=2, requires_grad=True)
    assert gradcheck(lambda a, w, b: F.layer_norm(a, (2, 3), w, b), (x, w, b))
    assert gradgradcheck(lambda a, w, b: F.layer_norm(a, (2, 3), w, b), (x, w, b))
    m = nn.LayerNorm(64)
    x = randn(50, 64, seed=3, dtype=rstorch.float32) * 4
    out, (g,) = grads(m, x)
    ref, (gr,) = grads(lambda a: F._layer_norm_composite(a.double(), (64,), m.weight.double(), m.bias.double()), x)
    assert_close(out, ref, rtol=1e-5, atol=1e-5)
    assert_close(g, gr, rtol=1e-4, atol=1e-5)
    out, mean, rstd = rstorch.native_layer_norm(randn(2, 3, 4), [3, 4], None, None, 1e-5)
    assert mean.shape == (2, 1, 1) and rstd.shape == (2, 1, 1)
