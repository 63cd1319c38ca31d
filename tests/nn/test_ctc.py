"""F.ctc_loss / nn.CTCLoss without torch: the loss against a brute-force sum over all
alignments (float64), gradcheck through log_softmax (torch's gradient assumes normalised log
probs: composed with log_softmax it is the true derivative), the gradient's form on raw inputs,
the rows past each input's end, zero_infinity, create_graph. Values against torch's are in
nn_cases_ctc.py (test_torch_parity.py)."""

import itertools
import math

import pytest

import rstorch
import rstorch.nn as nn
import rstorch.nn.functional as F
from rstorch.autograd import gradcheck


def randn(*shape, seed=0, dtype=rstorch.float64):
    g = rstorch.Generator().manual_seed(seed)
    return rstorch.randn(*shape, dtype=dtype, generator=g)


def brute_force(lp, target, blank):
    """-log of the sum over all paths of length T that collapse (merge repeats, drop blanks) to
    target, of the product of their probabilities; lp (T, C) as nested lists."""
    T, C = len(lp), len(lp[0])
    total = 0.0
    for path in itertools.product(range(C), repeat=T):
        collapsed = [c for i, c in enumerate(path) if c != blank and (i == 0 or c != path[i - 1])]
        if collapsed == list(target):
            total += math.exp(sum(lp[t][c] for t, c in enumerate(path)))
    return -math.log(total) if total > 0 else math.inf


@pytest.mark.parametrize("blank", [0, 2])
def test_against_all_alignments(blank):
    T, N, C = 6, 5, 3
    lp = randn(T, N, C, seed=1).log_softmax(2)
    labels = [c for c in range(C) if c != blank]
    targets = [[labels[0], labels[1], labels[1]], [labels[1]], [], [labels[0], labels[0]],
               [labels[1], labels[0], labels[1], labels[0]]]
    il = [6, 5, 4, 2, 6]  # (the 4th: a repeat needs a blank between, 3 steps: infinite)
    tl = [len(t) for t in targets]
    padded = rstorch.tensor([t + [0] * (4 - len(t)) for t in targets])
    got = F.ctc_loss(lp, padded, il, tl, blank=blank, reduction="none").tolist()
    want = [brute_force(lp[:il[b], b].tolist(), targets[b], blank) for b in range(N)]
    assert math.isinf(want[3]) and got[3] == math.inf
    assert got[:3] + got[4:] == pytest.approx(want[:3] + want[4:], rel=1e-12)
    cat = rstorch.tensor([c for t in targets for c in t])
    assert F.ctc_loss(lp, cat, il, tl, blank=blank, reduction="none").tolist() == got


def test_against_all_alignments_possible():
    lp = randn(7, 2, 3, seed=3).log_softmax(2)
    got = F.ctc_loss(lp, rstorch.tensor([[1, 2, 1, 2], [2, 2, 0, 0]]), [7, 6], [4, 2], reduction="none")
    want = [brute_force(lp[:7, 0].tolist(), [1, 2, 1, 2], 0), brute_force(lp[:6, 1].tolist(), [2, 2], 0)]
    assert got.tolist() == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_gradcheck_through_log_softmax(reduction, zero_infinity):
    x = randn(8, 3, 4, seed=2).requires_grad_(True)
    targets = rstorch.tensor([[1, 1, 2], [3, 2, 0], [2, 0, 0]])
    il, tl = [8, 6, 5], [3, 2, 0]
    if zero_infinity:
        il[1] = 1  # an infinite loss, zeroed with its gradient

    def fn(x):
        return F.ctc_loss(x.log_softmax(2), targets, il, tl, reduction=reduction, zero_infinity=zero_infinity)
    assert gradcheck(fn, (x,))


def test_gradient_is_torchs_formula_on_raw_inputs():
    """On log probs that are not normalised the gradient is exp(lp) - gamma (gamma: the
    occupation probabilities, summing to 1 over the classes), not the loss's derivative."""
    lp = (randn(9, 3, 5, seed=4) * 2).requires_grad_(True)
    il = [9, 7, 4]
    F.ctc_loss(lp, rstorch.tensor([[1, 2, 3], [4, 4, 0], [2, 0, 0]]), il, [3, 2, 1], reduction="sum").backward()
    gamma_sum = lp.detach().exp().sum(2) - lp.grad.sum(2)
    for b, n in enumerate(il):
        assert gamma_sum[:n, b].tolist() == pytest.approx([1.0] * n, rel=1e-12)
        assert lp.grad[n:, b].abs().max().item() == 0 if n < 9 else True


def test_float32_matches_float64():
    lp = randn(20, 4, 7, seed=5).log_softmax(2)
    targets = rstorch.tensor([[1, 2, 3, 4, 5], [6, 6, 6, 1, 1], [2, 3, 0, 0, 0], [1, 1, 1, 1, 1]])
    args = (targets, [20, 18, 10, 20], [5, 5, 2, 5])
    x64 = lp.clone().requires_grad_(True)
    x32 = lp.float().requires_grad_(True)
    l64 = F.ctc_loss(x64, *args, reduction="sum")
    l32 = F.ctc_loss(x32, *args, reduction="sum")
    l64.backward()
    l32.backward()
    assert l32.dtype == rstorch.float32 and x32.grad.dtype == rstorch.float32
    assert l32.item() == pytest.approx(l64.item(), rel=1e-6)
    assert (x32.grad.double() - x64.grad).abs().max().item() < 1e-5


def test_no_grad_forward_is_the_same():
    lp = randn(10, 3, 4, seed=6, dtype=rstorch.float32).log_softmax(2)
    args = (rstorch.tensor([[1, 2, 2], [3, 0, 0], [1, 3, 1]]), [10, 9, 2], [3, 1, 3])
    with rstorch.no_grad():
        a = F.ctc_loss(lp.requires_grad_(True), *args, reduction="none")
    b = F.ctc_loss(lp, *args, reduction="none")
    assert a.grad_fn is None and b.grad_fn.name() == "CtcLossBackward0"
    assert a.tolist() == b.tolist()


def test_infinite_losses():
    lp = randn(6, 3, 4, seed=7).log_softmax(2)
    targets = rstorch.tensor([[1, 2, 3, 1], [1, 1, 0, 0], [2, 0, 0, 0]])
    il, tl = [3, 2, 0], [4, 2, 1]  # too short, too short (a repeat needs a blank), no input
    for zero_infinity in (False, True):
        x = lp.clone().requires_grad_(True)
        loss = F.ctc_loss(x, targets, il, tl, reduction="none", zero_infinity=zero_infinity)
        assert loss.tolist() == ([0.0] * 3 if zero_infinity else [math.inf] * 3)
        loss.sum().backward()
        g = x.grad
        assert g[il[0]:, 0].abs().max().item() == 0 and g[:, 2].abs().max().item() == 0
        if zero_infinity:
            assert g.abs().max().item() == 0
        else:  # torch's: nan inside the input, zero past it
            assert bool(g[:3, 0].isnan().all()) and bool(g[:2, 1].isnan().all())


def test_create_graph_gradient_is_not_differentiable():
    x = randn(5, 2, 3, seed=8).log_softmax(2).requires_grad_(True)
    (g,) = rstorch.autograd.grad(F.ctc_loss(x, rstorch.tensor([[1, 2], [2, 0]]), [5, 4], [2, 1]), x, create_graph=True)
    assert g.requires_grad
    with pytest.raises(RuntimeError, match="derivative for aten::_ctc_loss_backward is not implemented"):
        g.sum().backward()


def test_module_and_exports():
    m = nn.CTCLoss(blank=1, zero_infinity=True)
    assert repr(m) == "CTCLoss()" and m.blank == 1 and m.zero_infinity and m.reduction == "mean"
    assert "ctc_loss" in F.__all__ and "CTCLoss" in nn.__all__
    lp = randn(4, 2, 3, seed=9).log_softmax(2)
    args = (rstorch.tensor([[2, 2], [0, 2]]), [4, 4], [2, 1])
    assert m(lp, *args).item() == F.ctc_loss(lp, *args, blank=1, zero_infinity=True).item()
