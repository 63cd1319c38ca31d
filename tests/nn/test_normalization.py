"""Normalization layers: BatchNorm (batch and running statistics, momentum incl. None, eval,
num_batches_tracked), LayerNorm, GroupNorm, InstanceNorm, RMSNorm, LocalResponseNorm against
numpy float64; gradcheck/gradgradcheck; parameters, buffers and state_dict; zero-size batches."""

import collections

import numpy as np
import pytest

import rstorch
import rstorch.nn as nn
import rstorch.nn.functional as F
from rstorch.autograd import gradcheck, gradgradcheck


def randn(*shape, seed=0, requires_grad=False):
    g = rstorch.Generator().manual_seed(seed)
    return rstorch.randn(*shape, dtype=rstorch.float64, generator=g).requires_grad_(requires_grad)


def close(out, ref, rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(out.detach().numpy(), ref, rtol=rtol, atol=atol)


def bn_ref(x, w=None, b=None, eps=1e-5, mean=None, var=None):
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    if mean is None:
        mean, var = x.mean(axis=axes), x.var(axis=axes)
    out = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    if w is not None:
        out = out * w.reshape(shape)
    if b is not None:
        out = out + b.reshape(shape)
    return out


@pytest.mark.parametrize("shape", [(4, 3), (4, 3, 5), (2, 3, 4, 4), (2, 3, 2, 3, 2)])
def test_batch_norm_functional(shape):
    x = randn(*shape, seed=1) * 2 + 0.5
    w, b = randn(3, seed=2), randn(3, seed=3)
    rm, rv = rstorch.zeros(3, dtype=rstorch.float64), rstorch.ones(3, dtype=rstorch.float64)
    out = F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.2)
    xn = x.numpy()
    close(out, bn_ref(xn, w.numpy(), b.numpy()))
    axes = (0,) + tuple(range(2, x.dim()))
    n = xn.size // 3
    close(rm, 0.2 * xn.mean(axis=axes))
    close(rv, 0.8 + 0.2 * xn.var(axis=axes) * n / (n - 1))
    close(F.batch_norm(x, rm, rv, w, b), bn_ref(xn, w.numpy(), b.numpy(), mean=rm.numpy(), var=rv.numpy()))
    close(F.batch_norm(x, None, None, training=True, eps=0.1), bn_ref(xn, eps=0.1))


def test_batch_norm_gradcheck():
    x = randn(4, 3, 2, seed=4, requires_grad=True)
    w, b = randn(3, seed=5, requires_grad=True), randn(3, seed=6, requires_grad=True)
    train = (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True))
    assert gradcheck(train, (x, w, b))
    assert gradgradcheck(train, (x, w, b))
    rm, rv = randn(3, seed=7), randn(3, seed=8).abs() + 0.5
    evaluate = (lambda x, w, b: F.batch_norm(x, rm, rv, w, b))
    assert gradcheck(evaluate, (x, w, b))
    assert gradgradcheck(evaluate, (x, w, b))


@pytest.mark.parametrize("cls,shape", [(nn.BatchNorm1d, (8, 4)), (nn.BatchNorm1d, (8, 4, 3)),
                                       (nn.BatchNorm2d, (4, 4, 3, 3)), (nn.BatchNorm3d, (2, 4, 2, 2, 3))])
def test_batch_norm_module(cls, shape):
    m = cls(4, momentum=0.3, dtype=rstorch.float64)
    assert [n for n, _ in m.named_parameters()] == ["weight", "bias"]
    assert list(m.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert m.num_batches_tracked.dtype is rstorch.int64 and m.num_batches_tracked.shape == ()
    rm, rv = np.zeros(4), np.ones(4)
    axes = (0,) + tuple(range(2, len(shape)))
    for step in range(3):
        x = randn(*shape, seed=10 + step) * (step + 1)
        out = m(x)
        close(out, bn_ref(x.numpy()))
        n = x.numel() // 4
        rm = 0.7 * rm + 0.3 * x.numpy().mean(axis=axes)
        rv = 0.7 * rv + 0.3 * x.numpy().var(axis=axes) * n / (n - 1)
    close(m.running_mean, rm)
    close(m.running_var, rv)
    assert m.num_batches_tracked.item() == 3
    m.eval()
    x = randn(*shape, seed=20)
    close(m(x), bn_ref(x.numpy(), mean=rm, var=rv))
    assert m.num_batches_tracked.item() == 3


def test_batch_norm_cumulative_average_and_no_tracking():
    m = nn.BatchNorm1d(3, momentum=None, affine=False, dtype=rstorch.float64)
    xs = [randn(5, 3, seed=30 + i) for i in range(4)]
    for x in xs:
        m(x)
    close(m.running_mean, np.mean([x.numpy().mean(0) for x in xs], axis=0))
    close(m.running_var, np.mean([x.numpy().var(0, ddof=1) for x in xs], axis=0))
    assert list(m.parameters()) == []
    free = nn.BatchNorm1d(3, track_running_stats=False, dtype=rstorch.float64)
    assert list(free.state_dict()) == ["weight", "bias"] and free.running_mean is None
    free.eval()  # no running stats: batch statistics in eval mode too
    close(free(xs[0]), bn_ref(xs[0].numpy()))


def test_batch_norm_errors_and_empty():
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        nn.BatchNorm1d(3)(rstorch.randn(1, 3))
    with pytest.raises(ValueError, match=r"expected 4D input \(got 3D input\)"):
        nn.BatchNorm2d(3)(rstorch.randn(2, 3, 4))
    with pytest.raises(RuntimeError, match="running_mean should contain 4 elements not 3"):
        nn.BatchNorm1d(3)(rstorch.randn(2, 4))
    m = nn.BatchNorm2d(2)
    out = m(rstorch.zeros(0, 2, 3, 3))
    assert out.shape == (0, 2, 3, 3) and m.num_batches_tracked.item() == 1


def test_batch_norm_old_checkpoints():
    """num_batches_tracked is added to version-1 state dicts by _load_from_state_dict."""
    src = nn.BatchNorm1d(3)
    sd = collections.OrderedDict((k, v) for k, v in src.state_dict().items() if k != "num_batches_tracked")
    sd._metadata = collections.OrderedDict([("", {"version": 1})])
    dst = nn.BatchNorm1d(3)
    dst.num_batches_tracked.fill_(4)
    res = dst.load_state_dict(sd)
    assert res.missing_keys == [] and dst.num_batches_tracked.item() == 4
    assert src.state_dict()._metadata[""]["version"] == 2
    # no _metadata at all (a plain dict) counts as an old checkpoint too, as in torch
    res = nn.BatchNorm1d(3).load_state_dict({k: v for k, v in src.state_dict().items() if k != "num_batches_tracked"})
    assert res.missing_keys == []


def ln_ref(x, k, w=None, b=None, eps=1e-5):
    axes = tuple(range(x.ndim - k, x.ndim))
    out = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + eps)
    return out * (1 if w is None else w) + (0 if b is None else b)


@pytest.mark.parametrize("shape,ns", [((4, 5), (5,)), ((2, 3, 4), (4,)), ((2, 3, 4), (3, 4)), ((0, 4), (4,)),
                                      ((6,), (6,))])
def test_layer_norm(shape, ns):
    x = randn(*shape, seed=40) * 3 + 1
    w, b = randn(*ns, seed=41), randn(*ns, seed=42)
    close(F.layer_norm(x, ns, w, b), ln_ref(x.numpy(), len(ns), w.numpy(), b.numpy()))
    close(F.layer_norm(x, list(ns), eps=0.5), ln_ref(x.numpy(), len(ns), eps=0.5))
    m = nn.LayerNorm(ns, dtype=rstorch.float64)
    assert m.normalized_shape == tuple(ns) and m.weight.shape == ns
    close(m(x), ln_ref(x.numpy(), len(ns)))
    assert gradgradcheck(lambda x, w, b: F.layer_norm(x, ns, w, b),
                         (x.requires_grad_(), w.requires_grad_(), b.requires_grad_()))


def test_layer_norm_module_options():
    assert list(nn.LayerNorm(4, elementwise_affine=False).state_dict()) == []
    m = nn.LayerNorm([2, 3], bias=False)
    assert [n for n, _ in m.named_parameters()] == ["weight"] and m.bias is None
    assert nn.LayerNorm(5).weight.tolist() == [1.0] * 5 and nn.LayerNorm(5).bias.tolist() == [0.0] * 5


def rms_ref(x, k, w=None, eps=None):
    eps = np.finfo(x.dtype).eps if eps is None else eps
    axes = tuple(range(x.ndim - k, x.ndim))
    return x / np.sqrt((x * x).mean(axis=axes, keepdims=True) + eps) * (1 if w is None else w)


def test_rms_norm():
    x = randn(3, 4, 5, seed=43)
    w = randn(5, seed=44)
    close(F.rms_norm(x, (5,), w), rms_ref(x.numpy(), 1, w.numpy()))
    close(F.rms_norm(x, [4, 5], eps=0.1), rms_ref(x.numpy(), 2, eps=0.1))
    close(nn.RMSNorm([4, 5], dtype=rstorch.float64)(x), rms_ref(x.numpy(), 2))
    close(F.rms_norm(x.float(), (5,)), rms_ref(x.float().numpy(), 1), rtol=1e-5, atol=1e-6)
    assert gradcheck(lambda x, w: F.rms_norm(x, (5,), w), (x.requires_grad_(), w.requires_grad_()))
    assert gradgradcheck(lambda x, w: F.rms_norm(x, (5,), w), (x, w))
    assert list(nn.RMSNorm(3, elementwise_affine=False).state_dict()) == []


@pytest.mark.parametrize("groups", [1, 2, 3, 6])
def test_group_norm(groups):
    x = randn(2, 6, 4, 3, seed=45) * 2
    w, b = randn(6, seed=46), randn(6, seed=47)
    xn = x.numpy().reshape(2, groups, -1)
    ref = ((xn - xn.mean(-1, keepdims=True)) / np.sqrt(xn.var(-1, keepdims=True) + 1e-5)).reshape(2, 6, 4, 3)
    close(F.group_norm(x, groups, w, b), ref * w.numpy()[None, :, None, None] + b.numpy()[None, :, None, None])
    close(nn.GroupNorm(groups, 6, dtype=rstorch.float64)(x), ref)
    args = (x[:, :, :2, :1].detach().requires_grad_(), w.requires_grad_(), b.requires_grad_())
    assert gradcheck(lambda x, w, b: F.group_norm(x, groups, w, b), args)
    assert gradgradcheck(lambda x, w, b: F.group_norm(x, groups, w, b), args)


def test_group_norm_errors():
    with pytest.raises(ValueError, match=r"num_channels \(6\) must be divisible by num_groups \(4\)"):
        nn.GroupNorm(4, 6)
    with pytest.raises(RuntimeError, match="Expected number of channels in input to be divisible by num_groups"):
        F.group_norm(rstorch.randn(2, 6, 3), 4)
    assert F.group_norm(rstorch.zeros(0, 4, 3), 2).shape == (0, 4, 3)


def test_instance_norm():
    x = randn(3, 4, 5, seed=48) * 2 + 1
    xn = x.numpy()
    ref = (xn - xn.mean(-1, keepdims=True)) / np.sqrt(xn.var(-1, keepdims=True) + 1e-5)
    close(F.instance_norm(x), ref)
    m = nn.InstanceNorm1d(4, affine=True, track_running_stats=True, momentum=0.5, dtype=rstorch.float64)
    close(m(x), ref)
    close(m.running_mean, 0.5 * xn.mean(-1).mean(0))
    close(m.running_var, 0.5 + 0.5 * xn.var(-1, ddof=1).mean(0))
    m.eval()
    close(m(x), (xn - m.running_mean.numpy()[:, None]) / np.sqrt(m.running_var.numpy()[:, None] + 1e-5))
    close(nn.InstanceNorm1d(4, dtype=rstorch.float64)(x[0]), ref[0])  # unbatched
    x4 = randn(2, 3, 4, 4, seed=49)
    x4n = x4.numpy().reshape(2, 3, -1)
    ref4 = ((x4n - x4n.mean(-1, keepdims=True)) / np.sqrt(x4n.var(-1, keepdims=True) + 1e-5)).reshape(2, 3, 4, 4)
    close(nn.InstanceNorm2d(3)(x4), ref4)
    close(nn.InstanceNorm3d(3)(x4.unsqueeze(2)), ref4[:, :, None])
    assert gradgradcheck(lambda x: F.instance_norm(x), (x[:, :2].detach().requires_grad_(),))
    assert list(nn.InstanceNorm2d(3).state_dict()) == []
    with pytest.warns(UserWarning, match="does not match num_features"):
        nn.InstanceNorm1d(5)(x)


def test_local_response_norm():
    x = randn(2, 7, 3, seed=50)
    for size, alpha, beta, k in ((3, 1e-4, 0.75, 1.0), (2, 0.5, 0.5, 2.0), (5, 1.0, 1.0, 0.5)):
        xn = x.numpy()
        sq = np.pad(xn ** 2, ((0, 0), (size // 2, (size - 1) // 2), (0, 0)))
        div = np.stack([sq[:, c:c + size].sum(1) for c in range(7)], 1) / size
        close(F.local_response_norm(x, size, alpha, beta, k), xn / (k + alpha * div) ** beta)
    x4 = randn(1, 5, 2, 3, seed=51)
    close(nn.LocalResponseNorm(3)(x4), F.local_response_norm(x4.view(1, 5, 6), 3).view(1, 5, 2, 3).numpy())
    assert gradgradcheck(lambda x: F.local_response_norm(x, 3, 0.1), (x.requires_grad_(),))
    with pytest.raises(ValueError, match="Expected 3D or higher dimensionality"):
        F.local_response_norm(rstorch.randn(2, 3), 2)


def test_norm_reprs():
    assert repr(nn.BatchNorm2d(8)) == "BatchNorm2d(8, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)"\
        .replace("affine=True,", "affine=True, bias=True,")
    assert repr(nn.LayerNorm(4)) == "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)"
    assert repr(nn.GroupNorm(2, 4)) == "GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)"
    assert repr(nn.RMSNorm(3)) == "RMSNorm((3,), eps=None, elementwise_affine=True)"
    assert repr(nn.InstanceNorm1d(3)) == ("InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=False, bias=False, "
                                          "track_running_stats=False)")
    assert repr(nn.LocalResponseNorm(2)) == "LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)"
