"""Losses: values against numpy float64 over reductions and argument grids, gradcheck and
gradgradcheck in float64, K-dimensional inputs, zero-size batches, modules and their buffers."""

import math
import warnings

import numpy as np
import pytest

import rstorch
import rstorch.nn as nn
import rstorch.nn.functional as F
from rstorch.autograd import gradcheck, gradgradcheck


def randn(*shape, seed=0, requires_grad=False):
    g = rstorch.Generator().manual_seed(seed)
    return rstorch.randn(*shape, dtype=rstorch.float64, generator=g).requires_grad_(requires_grad)


def rand(*shape, seed=0, lo=0.0, hi=1.0, requires_grad=False):
    g = rstorch.Generator().manual_seed(seed)
    return (rstorch.rand(*shape, dtype=rstorch.float64, generator=g) * (hi - lo) + lo).requires_grad_(requires_grad)


def labels(n, c, seed=0, shape=None):
    g = rstorch.Generator().manual_seed(seed)
    return rstorch.randint(0, c, shape or (n,), generator=g)


def reduce_np(loss, reduction):
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


def close(out, ref, rtol=1e-10, atol=1e-12):
    ref = np.asarray(ref, dtype=np.float64)
    assert tuple(out.shape) == ref.shape, (tuple(out.shape), ref.shape)
    np.testing.assert_allclose(out.detach().numpy(), ref, rtol=rtol, atol=atol)


def _log_softmax(x, axis):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def ce_ref(x, t, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """Cross entropy in numpy: x (N, C, *), t (N, *) class indices."""
    logp = _log_softmax(x, 1)
    c = x.shape[1]
    w = np.ones(c) if weight is None else weight
    valid = t != ignore_index
    ts = np.where(valid, t, 0)
    picked = -np.take_along_axis(logp, ts[:, None], 1)[:, 0]
    wt = w[ts] * valid
    nll = picked * wt
    smooth = -(logp * w.reshape((1, c) + (1,) * (x.ndim - 2))).sum(1) * valid
    if reduction == "none":
        return (1 - label_smoothing) * nll + label_smoothing / c * smooth
    if reduction == "sum":
        return (1 - label_smoothing) * nll.sum() + label_smoothing / c * smooth.sum()
    return (1 - label_smoothing) * nll.sum() / wt.sum() + label_smoothing / c * smooth.sum() / wt.sum()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore", [None, 2, -100])
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 5), (2, 4, 3, 2), (2, 4, 2, 1, 3)])
def test_cross_entropy_matches_numpy(reduction, weighted, ignore, smoothing, shape):
    x = randn(*shape, seed=1)
    t = labels(0, shape[1], seed=2, shape=(shape[0],) + shape[2:])
    if ignore == -100:
        t = t.masked_fill(rstorch.arange(t.numel()).view(t.shape) % 3 == 0, -100)
    w = rand(shape[1], seed=3, lo=0.5, hi=2.0) if weighted else None
    kw = {} if ignore is None else {"ignore_index": ignore}
    out = F.cross_entropy(x, t, w, reduction=reduction, label_smoothing=smoothing, **kw)
    ref = ce_ref(x.numpy(), t.numpy(), None if w is None else w.numpy(), ignore if ignore is not None else -100,
                 reduction, smoothing)
    close(out, ref)
    # nll_loss of log_softmax is the same without smoothing
    if smoothing == 0:
        close(F.nll_loss(x.log_softmax(1), t, w, reduction=reduction, **kw), ref)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", [(5, 3), (2, 3, 4)])
def test_cross_entropy_probabilities(reduction, shape):
    x, p = randn(*shape, seed=4), randn(*shape, seed=5).softmax(1)
    w = rand(shape[1], seed=6, lo=0.5, hi=2.0)
    for weight, smoothing in ((None, 0.0), (w, 0.0), (None, 0.3), (w, 0.1)):
        out = F.cross_entropy(x, p, weight, reduction=reduction, label_smoothing=smoothing)
        target = p.numpy() * (1 - smoothing) + smoothing / shape[1]
        wv = np.ones(shape[1]) if weight is None else weight.numpy()
        loss = -(_log_softmax(x.numpy(), 1) * target * wv.reshape((1, -1) + (1,) * (len(shape) - 2))).sum(1)
        ref = loss if reduction == "none" else loss.sum() if reduction == "sum" else loss.sum() / loss.size
        close(out, ref)


def test_cross_entropy_unbatched_and_stable():
    x, t = randn(5, seed=7), rstorch.tensor(3)
    close(F.cross_entropy(x, t), -_log_softmax(x.numpy(), 0)[3])
    close(F.cross_entropy(x, t, reduction="none"), -_log_softmax(x.numpy(), 0)[3])
    close(F.cross_entropy(x, x.softmax(0)), -(_log_softmax(x.numpy(), 0) * x.softmax(0).numpy()).sum())
    big = rstorch.tensor([[1e4, -1e4, 0.0], [0.0, 0.0, 0.0]], requires_grad=True)
    out = F.cross_entropy(big, rstorch.tensor([1, 2]))
    assert math.isfinite(out.item()) and out.item() == pytest.approx((2e4 + math.log(3)) / 2)
    out.backward()
    assert bool(rstorch.isfinite(big.grad).all())


@pytest.mark.parametrize("case", ["plain", "weight", "ignore", "smooth", "probs", "kdim"])
def test_cross_entropy_gradcheck(case):
    x = randn(4, 3, seed=8, requires_grad=True)
    t = rstorch.tensor([0, 2, 1, 2])
    w = rand(3, seed=9, lo=0.5, hi=2.0)
    fns = {
        "plain": (lambda x: F.cross_entropy(x, t), (x,)),
        "weight": (lambda x: F.cross_entropy(x, t, w, reduction="sum"), (x,)),
        "ignore": (lambda x: F.cross_entropy(x, t, w, ignore_index=2), (x,)),
        "smooth": (lambda x: F.cross_entropy(x, t, w, label_smoothing=0.2, reduction="none"), (x,)),
        "probs": (lambda x, p: F.cross_entropy(x, p, label_smoothing=0.1), (x, rand(4, 3, seed=10, requires_grad=True))),
        "kdim": (lambda x: F.cross_entropy(x, rstorch.tensor([[0, 1], [2, 2]])), (randn(2, 3, 2, seed=11,
                                                                                       requires_grad=True),)),
    }
    fn, args = fns[case]
    assert gradcheck(fn, args)
    assert gradgradcheck(fn, args)


def test_nll_zero_size_and_all_ignored():
    empty, et = rstorch.zeros(0, 3), rstorch.zeros(0, dtype=rstorch.long)
    assert math.isnan(F.cross_entropy(empty, et).item())
    assert F.cross_entropy(empty, et, reduction="sum").item() == 0
    assert F.cross_entropy(empty, et, reduction="none").shape == (0,)
    assert F.cross_entropy(rstorch.zeros(0, 3, 4), rstorch.zeros(0, 4, dtype=rstorch.long), reduction="none").shape == (0, 4)
    assert math.isnan(F.nll_loss(rstorch.zeros(2, 3), rstorch.tensor([-100, -100])).item())
    x = rstorch.zeros(2, 3, requires_grad=True)
    F.cross_entropy(x, rstorch.tensor([1, -100])).backward()
    assert x.grad[1].tolist() == [0, 0, 0]


def test_nll_errors():
    x = randn(3, 5)
    with pytest.raises(IndexError, match=r"^Target 12 is out of bounds.$"):
        F.cross_entropy(x, rstorch.tensor([1, 12, 4]))
    with pytest.raises(IndexError, match="Target -1 is out of bounds."):
        F.nll_loss(x, rstorch.tensor([1, -1, 4]), ignore_index=4)
    with pytest.raises(IndexError, match="Target 5 is out of bounds."):
        F.cross_entropy(randn(2, 5, 3), rstorch.tensor([[0, 1, 5], [0, 0, 0]]))
    F.nll_loss(x, rstorch.tensor([1, 7, 4]), ignore_index=7)  # an ignored label may be out of range
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte, but got Float"):
        F.cross_entropy(x, rstorch.tensor([1.0, 2.0, 0.0]))
    with pytest.raises(ValueError, match=r"Expected input batch_size \(3\) to match target batch_size \(2\)."):
        F.cross_entropy(x, rstorch.tensor([1, 2]))
    with pytest.raises(RuntimeError, match=r"Expected target size \[2, 4\], got \[2, 5\]"):
        F.cross_entropy(randn(2, 3, 4), rstorch.zeros(2, 5, dtype=rstorch.long))
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        F.cross_entropy(x, rstorch.tensor([1, 2, 0]), reduction="avg")
    assert F.cross_entropy(x, rstorch.tensor([1, 2, 0], dtype=rstorch.uint8)).item() == pytest.approx(
        F.cross_entropy(x, rstorch.tensor([1, 2, 0])).item())


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_pointwise_losses_match_numpy(reduction):
    a, b = randn(3, 4, seed=12), randn(3, 4, seed=13)
    an, bn_ = a.numpy(), b.numpy()
    d = an - bn_
    close(F.l1_loss(a, b, reduction=reduction), reduce_np(np.abs(d), reduction))
    close(F.mse_loss(a, b, reduction=reduction), reduce_np(d ** 2, reduction))
    for beta in (1.0, 0.3):
        ref = np.where(np.abs(d) < beta, 0.5 * d ** 2 / beta, np.abs(d) - 0.5 * beta)
        close(F.smooth_l1_loss(a, b, reduction=reduction, beta=beta), reduce_np(ref, reduction))
    close(F.smooth_l1_loss(a, b, reduction=reduction, beta=0.0), reduce_np(np.abs(d), reduction))
    for delta in (1.0, 0.4):
        ref = np.where(np.abs(d) < delta, 0.5 * d ** 2, delta * (np.abs(d) - 0.5 * delta))
        close(F.huber_loss(a, b, reduction=reduction, delta=delta), reduce_np(ref, reduction))
    y = np.sign(bn_)
    close(F.soft_margin_loss(a, rstorch.from_numpy(y), reduction=reduction),
          reduce_np(np.log1p(np.exp(-y * an)), reduction))
    p, t = rand(3, 4, seed=14, lo=0.05, hi=0.95), rand(3, 4, seed=15)
    pn, tn = p.numpy(), t.numpy()
    bce = -(tn * np.log(pn) + (1 - tn) * np.log(1 - pn))
    close(F.binary_cross_entropy(p, t, reduction=reduction), reduce_np(bce, reduction))
    w = rand(4, seed=16, lo=0.5, hi=2)
    close(F.binary_cross_entropy(p, t, w, reduction=reduction), reduce_np(bce * w.numpy(), reduction))
    sig = 1 / (1 + np.exp(-an))
    pw = np.array([0.5, 1.0, 2.0, 4.0])
    ref = -(pw * tn * np.log(sig) + (1 - tn) * np.log(1 - sig)) * w.numpy()
    close(F.binary_cross_entropy_with_logits(a, t, w, reduction=reduction, pos_weight=rstorch.from_numpy(pw)),
          reduce_np(ref, reduction))
    lsm = _log_softmax(an, 1)
    close(F.kl_div(rstorch.from_numpy(lsm), p, reduction=reduction), reduce_np(pn * (np.log(pn) - lsm), reduction))
    close(F.kl_div(rstorch.from_numpy(lsm), rstorch.from_numpy(np.log(pn)), reduction=reduction, log_target=True),
          reduce_np(pn * (np.log(pn) - lsm), reduction))
    close(F.poisson_nll_loss(a, p, reduction=reduction), reduce_np(np.exp(an) - pn * an, reduction))
    close(F.poisson_nll_loss(p, t * 5, log_input=False, full=True, reduction=reduction, eps=1e-8),
          reduce_np(pn - 5 * tn * np.log(pn + 1e-8) + np.where(
              5 * tn > 1, 5 * tn * np.log(5 * tn) - 5 * tn + 0.5 * np.log(2 * math.pi * 5 * tn), 0), reduction))
    close(F.gaussian_nll_loss(a, b, p, reduction=reduction), reduce_np(0.5 * (np.log(pn) + d ** 2 / pn), reduction))
    close(F.gaussian_nll_loss(a, b, p[:, 0], full=True, reduction=reduction),
          reduce_np(0.5 * (np.log(pn[:, :1]) + d ** 2 / pn[:, :1]) + 0.5 * math.log(2 * math.pi), reduction))
    close(F.hinge_embedding_loss(a, rstorch.from_numpy(y), margin=0.5, reduction=reduction),
          reduce_np(np.where(y == 1, an, np.maximum(0, 0.5 - an)), reduction))
    close(F.margin_ranking_loss(a, b, rstorch.from_numpy(y), margin=0.2, reduction=reduction),
          reduce_np(np.maximum(0, -y * (an - bn_) + 0.2), reduction))
    ml = -(tn * np.log(sig) + (1 - tn) * np.log(1 - sig)) * w.numpy()
    close(F.multilabel_soft_margin_loss(a, t, w, reduction=reduction), reduce_np(ml.mean(1), reduction))


def test_kl_div_batchmean_and_warning():
    a, p = randn(4, 3, seed=17).log_softmax(1), randn(4, 3, seed=18).softmax(1)
    close(F.kl_div(a, p, reduction="batchmean"), F.kl_div(a, p, reduction="sum").item() / 4)
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(a, p)
    # target 0 contributes 0 (xlogy), not nan
    assert F.kl_div(a, rstorch.zeros(4, 3, dtype=rstorch.float64), reduction="sum").item() == 0


def _margin_refs(x, t, p=1, margin=1.0, w=None):
    n, c = x.shape
    out = np.zeros(n)
    for i in range(n):
        for j in range(c):
            if j != t[i]:
                z = max(0.0, margin - x[i, t[i]] + x[i, j]) ** p
                out[i] += z * (1 if w is None else w[t[i]])
    return out / c


def _multilabel_ref(x, t):
    n, c = x.shape
    out = np.zeros(n)
    for i in range(n):
        ys = []
        for v in t[i]:
            if v < 0:
                break
            ys.append(v)
        for y in ys:
            for j in range(c):
                if j not in ys:
                    out[i] += max(0.0, 1 - (x[i, y] - x[i, j]))
    return out / c


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_margin_losses_match_numpy(reduction):
    x = randn(5, 4, seed=19)
    t = labels(5, 4, seed=20)
    w = rand(4, seed=21, lo=0.5, hi=2)
    for p, margin, weight in ((1, 1.0, None), (2, 0.5, w), (1, 2.0, w)):
        close(F.multi_margin_loss(x, t, p, margin, weight, reduction=reduction),
              reduce_np(_margin_refs(x.numpy(), t.numpy(), p, margin, None if weight is None else weight.numpy()),
                        reduction))
    mt = rstorch.tensor([[3, 0, -1, 1], [1, 2, 3, 0], [-1, 1, 2, 0], [2, 2, -1, 0], [0, 1, 2, 3]])
    close(F.multilabel_margin_loss(x, mt, reduction=reduction), reduce_np(_multilabel_ref(x.numpy(), mt.numpy()),
                                                                          reduction))
    a, b = randn(5, 3, seed=22), randn(5, 3, seed=23)
    y = rstorch.tensor([1.0, -1.0, 1.0, -1.0, -1.0])
    an, bn_ = a.numpy(), b.numpy()
    cos = (an * bn_).sum(1) / np.sqrt(((an * an).sum(1) + 1e-12) * ((bn_ * bn_).sum(1) + 1e-12))
    close(F.cosine_embedding_loss(a, b, y, margin=0.1, reduction=reduction),
          reduce_np(np.where(y.numpy() == 1, 1 - cos, np.maximum(0, cos - 0.1)), reduction))
    n = randn(5, 3, seed=24)
    nn_ = n.numpy()

    def dist(u, v, p=2):
        return (np.abs(u - v + 1e-6) ** p).sum(1) ** (1 / p)

    for p, swap in ((2, False), (1, True), (3, False)):
        dn = dist(an, nn_, p)
        if swap:
            dn = np.minimum(dn, dist(bn_, nn_, p))
        close(F.triplet_margin_loss(a, b, n, margin=0.7, p=p, swap=swap, reduction=reduction),
              reduce_np(np.maximum(0, 0.7 + dist(an, bn_, p) - dn), reduction), rtol=1e-9)
    close(F.triplet_margin_with_distance_loss(a, b, n, reduction=reduction),
          reduce_np(np.maximum(0, 1 + dist(an, bn_) - dist(an, nn_)), reduction), rtol=1e-9)


GRAD_LOSSES = {
    "l1": lambda a, b: F.l1_loss(a, b, weight=rstorch.full((3, 4), 2.0, dtype=rstorch.float64)),
    "mse": lambda a, b: F.mse_loss(a, b, reduction="sum"),
    "smooth_l1": lambda a, b: F.smooth_l1_loss(a, b, beta=0.5),
    "huber": lambda a, b: F.huber_loss(a, b, delta=0.7, reduction="none"),
    "bce_logits": lambda a, b: F.binary_cross_entropy_with_logits(a, b.sigmoid(),
                                                                  pos_weight=rstorch.tensor([1.0, 2.0, 0.5, 3.0],
                                                                                            dtype=rstorch.float64)),
    "soft_margin": lambda a, b: F.soft_margin_loss(a, b.sign()),
    "multilabel_soft_margin": lambda a, b: F.multilabel_soft_margin_loss(a, b.sigmoid()),
    "kl": lambda a, b: F.kl_div(a.log_softmax(1), b.softmax(1), reduction="batchmean"),
    "kl_log": lambda a, b: F.kl_div(a, b, reduction="sum", log_target=True),
    "poisson": lambda a, b: F.poisson_nll_loss(a, b.abs()),
    "gaussian": lambda a, b: F.gaussian_nll_loss(a, b, a.abs() + 0.5),
    "hinge": lambda a, b: F.hinge_embedding_loss(a * b, b.sign(), margin=3.0),
    "margin_ranking": lambda a, b: F.margin_ranking_loss(a, b, rstorch.ones(3, 4, dtype=rstorch.float64), 5.0),
    "cosine_embedding": lambda a, b: F.cosine_embedding_loss(a, b, rstorch.tensor([1.0, -1.0, 1.0]), margin=-2.0),
    "triplet": lambda a, b: F.triplet_margin_loss(a, b, b * 2, margin=10.0, swap=True),
    "triplet_distance": lambda a, b: F.triplet_margin_with_distance_loss(
        a, b, -b, distance_function=lambda u, v: (u - v).pow(2).sum(-1), margin=50.0),
    "multi_margin": lambda a, b: F.multi_margin_loss(a * 0.1, rstorch.tensor([0, 3, 1]), p=2),
    "multilabel_margin": lambda a, b: F.multilabel_margin_loss(a * 0.1, rstorch.tensor([[0, 2, -1, 0], [1, 2, 3, 0],
                                                                                        [3, -1, 0, 0]])),
}


@pytest.mark.parametrize("name", sorted(GRAD_LOSSES))
def test_losses_gradcheck(name):
    a, b = randn(3, 4, seed=25, requires_grad=True), randn(3, 4, seed=26, requires_grad=True)
    assert gradcheck(GRAD_LOSSES[name], (a, b))
    assert gradgradcheck(GRAD_LOSSES[name], (a, b))


def test_bce_gradients():
    p, t = rand(3, 4, seed=27, lo=0.1, hi=0.9, requires_grad=True), rand(3, 4, seed=28, requires_grad=True)
    w = rand(4, seed=29, lo=0.5, hi=2.0, requires_grad=True)
    assert gradcheck(lambda p, t, w: F.binary_cross_entropy(p, t, w), (p, t, w))
    assert gradgradcheck(lambda p, t, w: F.binary_cross_entropy(p, t, w, reduction="none"), (p, t, w))
    # torch's gradient at the edges: finite (the denominator clamped at 1e-12), 0 where input == target
    x = rstorch.tensor([0.0, 1.0, 0.0, 1.0], requires_grad=True)
    F.binary_cross_entropy(x, rstorch.tensor([0.0, 1.0, 1.0, 0.0]), reduction="sum").backward()
    assert x.grad.tolist() == pytest.approx([0.0, 0.0, -1e12, 1e12], rel=1e-6)
    assert F.binary_cross_entropy(rstorch.tensor([0.0]), rstorch.tensor([1.0])).item() == 100.0  # logs clamped at -100
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(rstorch.tensor([1.5]), rstorch.tensor([1.0]))
    with pytest.raises(RuntimeError, match="all elements of target should be between 0 and 1"):
        F.binary_cross_entropy(rstorch.tensor([0.5]), rstorch.tensor([-1.0]))


def test_legacy_reduction_arguments():
    a, b = randn(3, 4, seed=30), randn(3, 4, seed=31)
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated, please use "
                                         "reduction='sum' instead."):
        s = F.mse_loss(a, b, size_average=False)
    assert s.item() == pytest.approx(F.mse_loss(a, b, reduction="sum").item())
    with pytest.warns(UserWarning, match="reduction='none'"):
        assert F.l1_loss(a, b, reduce=False).shape == (3, 4)
    with pytest.warns(UserWarning, match="reduction='mean'"):
        m = nn.CrossEntropyLoss(size_average=True)
    assert m.reduction == "mean"
    with pytest.warns(UserWarning, match="reduction='elementwise_mean' is deprecated"):
        F.hinge_embedding_loss(a, b.sign(), reduction="elementwise_mean")


def test_size_mismatch_warning():
    a = randn(3, 4)
    with pytest.warns(UserWarning, match="Using a target size"):
        assert F.mse_loss(a, a[0]).shape == ()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.mse_loss(a, a)


LOSS_MODULES = [
    (nn.L1Loss, {}, F.l1_loss), (nn.MSELoss, {"reduction": "sum"}, F.mse_loss),
    (nn.SmoothL1Loss, {"beta": 0.5}, F.smooth_l1_loss), (nn.HuberLoss, {"delta": 0.5}, F.huber_loss),
    (nn.SoftMarginLoss, {}, F.soft_margin_loss),
]


@pytest.mark.parametrize("cls,kw,fn", LOSS_MODULES, ids=[c.__name__ for c, _, _ in LOSS_MODULES])
def test_loss_modules_forward_functional(cls, kw, fn):
    a, b = randn(3, 4, seed=32), randn(3, 4, seed=33)
    m = cls(**kw)
    assert m(a, b).item() == fn(a, b, **kw).item()
    assert list(m.state_dict()) == []


def test_weighted_loss_buffers():
    w = rstorch.tensor([1.0, 2.0, 3.0])
    m = nn.CrossEntropyLoss(w)
    assert list(m.state_dict()) == ["weight"] and m.weight is w
    assert [n for n, _ in nn.BCEWithLogitsLoss(w, pos_weight=w * 2).named_buffers()] == ["weight", "pos_weight"]
    assert list(nn.CrossEntropyLoss().state_dict()) == []
    m.double()
    assert m.weight.dtype is rstorch.float64
    x, t = randn(4, 3, seed=34), rstorch.tensor([0, 1, 2, 1])
    assert m(x, t).item() == pytest.approx(F.cross_entropy(x, t, m.weight).item())


@pytest.mark.parametrize("batch", [0, 1, 5])
def test_loss_shapes_over_batch_sizes(batch):
    x = randn(batch, 4, seed=35)
    t = labels(batch, 4, seed=36)
    assert F.cross_entropy(x, t, reduction="none").shape == (batch,)
    assert F.multi_margin_loss(x, t, reduction="none").shape == (batch,) if batch else True
    assert F.mse_loss(x, x, reduction="none").shape == (batch, 4)
    assert F.binary_cross_entropy_with_logits(x, x.sigmoid(), reduction="none").shape == (batch, 4)
    assert F.kl_div(x, x.softmax(1) if batch else x, reduction="none").shape == (batch, 4)
    assert F.cosine_embedding_loss(x, x, rstorch.ones(batch), reduction="none").shape == (batch,)
    assert F.triplet_margin_loss(x, x, x, reduction="none").shape == (batch,)
    assert F.multilabel_margin_loss(x, rstorch.zeros(batch, 4, dtype=rstorch.long), reduction="none").shape == (batch,)
