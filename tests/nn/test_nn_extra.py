"""Gradients of the layers added with nn_cases_extra.py, by gradcheck in float64 (F.pdist away
from its kinks, AdaptiveLogSoftmaxWithLoss, one-process SyncBatchNorm), and CrossMapLRN2d's
hand-written gradient, which is torch's (recorded in nn_cases_extra.py) and not the forward's
true derivative: the legacy code's window is shifted by one channel."""

import math

import numpy as np
import pytest

import rstorch
from rstorch import nn
from rstorch.autograd import gradcheck


def f64(a, grad=True):
    return rstorch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


@pytest.mark.parametrize("p", [0.5, 1, 1.5, 2, 3, math.inf])
def test_pdist_gradcheck(p):
    x = f64(np.random.default_rng(1).standard_normal((5, 3)))
    assert gradcheck(lambda t: nn.functional.pdist(t, p), (x,))


def test_pdist_matches_numpy():
    x = np.random.default_rng(2).standard_normal((6, 4))
    i, j = np.triu_indices(6, 1)
    for p in (1, 2, 3.5):
        ref = (np.abs(x[i] - x[j]) ** p).sum(-1) ** (1 / p)
        np.testing.assert_allclose(nn.functional.pdist(f64(x, False), p).numpy(), ref, rtol=1e-12)
    np.testing.assert_allclose(nn.functional.pdist(f64(x, False), math.inf).numpy(), np.abs(x[i] - x[j]).max(-1))
    np.testing.assert_allclose(nn.functional.pdist(f64(x, False), 0).numpy(), (x[i] != x[j]).sum(-1))


def test_adaptive_log_softmax_gradcheck():
    rstorch.manual_seed(0)
    m = nn.AdaptiveLogSoftmaxWithLoss(6, 9, [3, 6], div_value=2.0, head_bias=True).double()
    target = rstorch.tensor([0, 4, 8, 2, 7])
    x = f64(np.random.default_rng(3).standard_normal((5, 6)))
    assert gradcheck(lambda t: m(t, target).loss, (x,))
    assert gradcheck(lambda w: nn.functional.linear(x, w, m.head.bias).log_softmax(1).sum(), (m.head.weight,))
    # log_prob is a normalized distribution over the classes, and forward picks the targets' entries
    full = m.log_prob(x)
    np.testing.assert_allclose(full.exp().sum(1).detach().numpy(), np.ones(5), rtol=1e-12)
    np.testing.assert_allclose(m(x, target).output.detach().numpy(), full[range(5), target].detach().numpy(),
                               rtol=1e-12)
    assert m.predict(x).tolist() == full.argmax(1).tolist()


def test_sync_batchnorm_one_process_is_batchnorm():
    rstorch.manual_seed(0)
    s = nn.SyncBatchNorm(3).double()
    b = nn.BatchNorm2d(3).double()
    x = f64(np.random.default_rng(4).standard_normal((4, 3, 2, 2)))
    np.testing.assert_array_equal(s(x).detach().numpy(), b(x).detach().numpy())
    assert gradcheck(lambda t: s(t), (x,))


def test_crossmap_lrn_gradient_is_torchs_not_the_true_one():
    x = f64(np.random.default_rng(5).standard_normal((1, 5, 2, 2)))
    m = nn.CrossMapLRN2d(3, alpha=0.5)
    assert not gradcheck(lambda t: m(t), (x,), raise_exception=False)
    # the forward's window: channel c sums the squares of c-1..c+1, and channel 0 never leaves it
    a = x.detach().numpy()
    sq = a ** 2
    want = np.empty_like(a)
    for c in range(5):
        idx = sorted({0} | set(range(max(c - 1, 0), min(c + 1, 4) + 1)))
        want[:, c] = a[:, c] * (1 + 0.5 / 3 * sq[:, idx].sum(1)) ** -0.75
    np.testing.assert_allclose(m(x).detach().numpy(), want, rtol=1e-12)
