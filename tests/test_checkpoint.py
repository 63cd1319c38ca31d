"""torch.utils.checkpoint: the recomputed backward gives the plain run's outputs and gradients
(dropout included: the RNG state is replayed), in both variants and in checkpoint_sequential."""

import warnings

import pytest

import rstorch as torch
import rstorch.nn as nn
from rstorch.utils.checkpoint import checkpoint, checkpoint_sequential


def _net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 2))


def _grads(net, x, run):
    torch.manual_seed(1)
    net.zero_grad()
    x.grad = None
    y = run(x)
    y.sum().backward()
    return y.detach(), x.grad.clone(), [p.grad.clone() for p in net.parameters()]


@pytest.mark.parametrize("variant", ["reentrant", "non-reentrant", "sequential"])
def test_checkpoint_matches_the_plain_run(variant):
    net = _net()
    x = torch.randn(3, 4, requires_grad=True)
    want = _grads(net, x, net)
    run = {"reentrant": lambda a: checkpoint(net, a, use_reentrant=True),
           "non-reentrant": lambda a: checkpoint(net, a, use_reentrant=False),
           "sequential": lambda a: checkpoint_sequential(net, 2, a, use_reentrant=True)}[variant]
    got = _grads(net, x, run)
    assert torch.allclose(got[0], want[0]) and torch.allclose(got[1], want[1])
    for g, w in zip(got[2], want[2]):
        assert torch.allclose(g, w, atol=1e-6)


def test_graph_is_not_kept_between_forward_and_backward():
    x = torch.randn(3, requires_grad=True)
    calls = []

    def f(a):
        calls.append(torch.is_grad_enabled())
        return (a * 2).sin()

    y = checkpoint(f, x, use_reentrant=True)
    assert calls == [False] and y.grad_fn.__class__.__name__ == "CheckpointFunctionBackward"
    y.sum().backward()
    assert calls == [False, True]
    assert torch.allclose(x.grad, 2 * (2 * x.detach()).cos())


def test_inputs_without_grad():
    net = _net()
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
        y = checkpoint(net, torch.randn(3, 4), use_reentrant=True)
    assert not y.requires_grad  # as torch's reentrant variant: parameters get no gradient
    y = checkpoint(net, torch.randn(3, 4), use_reentrant=False)
    y.sum().backward()
    assert net[0].weight.grad is not None and net[0].weight.grad.abs().sum() > 0


def test_keyword_arguments_and_warnings():
    x = torch.ones(2, requires_grad=True)
    assert checkpoint(lambda a, b=1: a * b, x, b=3, use_reentrant=False).tolist() == [3., 3.]
    with pytest.raises(ValueError, match="Unexpected keyword arguments: b"):
        checkpoint(lambda a, b=1: a * b, x, b=3, use_reentrant=True)
    with pytest.warns(UserWarning, match="use_reentrant parameter should be passed explicitly"):
        checkpoint(lambda a: a * 2, x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        outs = checkpoint(lambda a: (a * 2, a + 1), x, use_reentrant=True)
    assert [o.tolist() for o in outs] == [[2., 2.], [2., 2.]]
