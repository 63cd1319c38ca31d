"""Gradients at ties, bounds, zeros and NaN as torch 2.15 gives them (issue 19): maximum/minimum/
fmax/fmin and clamp with tensor bounds split the gradient at ties, copysign's sign operand gets
zeros, atan2 at (0, 0) is 0, max()/min() of all elements share it among the NaNs when the result
is NaN (amax/amin give NaN there), norm's gradients at zero norms and zero elements. Each case:
an expression of float64 leaves a, b, c, their values, and the gradients of its sum that torch
2.15.0 computes (printed by tests/tools/record_autograd_ties.py under torch, written in here so
the test needs no torch); in Python and native autograd modes."""

import math

import pytest

import rstorch as torch
from rstorch import _C

nan, inf = float("nan"), float("inf")

CASES = [
    ('torch.fmax(a, b)', [[1.0, 2.0, nan, 1.0, nan, -0.0], [1.0, 3.0, 1.0, nan, nan, 0.0]],
     [[0.5, 0.0, 0.0, 1.0, 1.0, 0.5], [0.5, 1.0, 1.0, 0.0, 0.0, 0.5]]),
    ('torch.fmin(a, b)', [[1.0, 2.0, nan, 1.0, nan, -0.0], [1.0, 3.0, 1.0, nan, nan, 0.0]],
     [[0.5, 1.0, 0.0, 1.0, 1.0, 0.5], [0.5, 0.0, 1.0, 0.0, 0.0, 0.5]]),
    ('torch.maximum(a, b)', [[1.0, 2.0, nan, 1.0, nan, 4.0], [1.0, 3.0, 1.0, nan, nan, 2.0]],
     [[0.5, 0.0, 1.0, 1.0, 1.0, 1.0], [0.5, 1.0, 1.0, 1.0, 1.0, 0.0]]),
    ('torch.minimum(a, b)', [[1.0, 2.0, nan, 1.0, nan, 4.0], [1.0, 3.0, 1.0, nan, nan, 2.0]],
     [[0.5, 1.0, 1.0, 1.0, 1.0, 0.0], [0.5, 0.0, 1.0, 1.0, 1.0, 1.0]]),
    ('torch.max(a, b)', [[1.0, 2.0], [1.0, 3.0]],
     [[0.5, 0.0], [0.5, 1.0]]),
    ('torch.copysign(a, b)', [[1.0, 2.0, 0.0, -3.0], [-1.0, 3.0, -1.0, -0.0]],
     [[-1.0, 1.0, 0.0, 1.0], [0.0, 0.0, 0.0, 0.0]]),
    ('torch.atan2(a, b)', [[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]],
     [[0.0, 0.0, 0.5], [-0.0, -1.0, -0.0]]),
    ('a.clamp(0., 1.)', [[0.0, 1.0, 0.5, 2.0, -1.0, nan]],
     [[0.0, 0.0, 1.0, 0.0, 0.0, 0.0]]),
    ('a.clamp(min=0.)', [[0.0, 1.0, -1.0, nan]],
     [[0.0, 1.0, 0.0, 0.0]]),
    ('a.clamp(max=1.)', [[0.0, 1.0, 2.0, nan]],
     [[1.0, 0.0, 0.0, 0.0]]),
    ('torch.clamp_min(a, 0.)', [[0.0, 1.0, -1.0, nan]],
     [[0.0, 1.0, 0.0, 0.0]]),
    ('torch.clamp_max(a, 1.)', [[0.0, 1.0, 2.0, nan]],
     [[1.0, 0.0, 0.0, 0.0]]),
    ('a.clamp(b, c)', [[0.0, 1.0, 0.5, 2.0, -1.0, 1.0, 3.0, 5.0, nan], [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 4.0, 5.0, 0.0], [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 5.0, 1.0]],
     [[0.5, 0.5, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0], [0.5, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.5, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0]]),
    ('a.clamp(b, c)', [[0.5, 0.5, 0.5, nan, 1.0, 0.0], [nan, 0.0, nan, 0.0, 1.0, 0.0], [1.0, nan, nan, 1.0, 1.0, 0.0]],
     [[1.0, 1.0, 1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]]),
    ('a.clip(b, c)', [[0.0, 1.0, 0.5], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0]],
     [[0.5, 0.5, 1.0], [0.5, 0.0, 0.0], [0.0, 0.5, 0.0]]),
    ('a.clamp(min=b)', [[0.0, 1.0, -1.0, nan, nan, 0.0, 2.0], [0.0, 0.0, 0.0, 0.0, nan, nan, 1.0]],
     [[0.5, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0], [0.5, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0]]),
    ('a.clamp(max=b)', [[0.0, 1.0, -1.0, nan, nan, 0.0, 2.0], [0.0, 0.0, 0.0, 0.0, nan, nan, 1.0]],
     [[0.5, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0], [0.5, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0]]),
    ('a.clamp_min(b)', [[0.0, 1.0, -1.0, nan, nan, 0.0, 2.0], [0.0, 0.0, 0.0, 0.0, nan, nan, 1.0]],
     [[0.5, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0], [0.5, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0]]),
    ('a.clamp_max(b)', [[0.0, 1.0, -1.0, nan, nan, 0.0, 2.0], [0.0, 0.0, 0.0, 0.0, nan, nan, 1.0]],
     [[0.5, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0], [0.5, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0]]),
    ('torch.clamp(a, torch.tensor(0., dtype=torch.float64), b)', [[0.0, 1.0, 2.0], [1.0, 1.0, 1.0]],
     [[0.5, 0.5, 0.0], [0.0, 0.5, 1.0]]),
    ('a.max()', [[1.0, 2.0, 2.0]],
     [[0.0, 0.5, 0.5]]),
    ('a.min()', [[1.0, 1.0, 2.0]],
     [[0.5, 0.5, 0.0]]),
    ('a.max()', [[1.0, nan, 2.0]],
     [[0.0, 1.0, 0.0]]),
    ('a.max()', [[nan, nan, 2.0]],
     [[0.5, 0.5, 0.0]]),
    ('a.min()', [[1.0, nan, 2.0]],
     [[0.0, 1.0, 0.0]]),
    ('a.max(1)[0]', [[[1.0, 2.0, 2.0], [3.0, 3.0, 0.0]]],
     [[[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]]),
    ('a.min(1)[0]', [[[1.0, 1.0, 2.0], [0.0, 3.0, 0.0]]],
     [[[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]]),
    ('a.max(1)[0]', [[[nan, nan, 1.0], [2.0, 2.0, 2.0]]],
     [[[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]]),
    ('a.amax()', [[1.0, 2.0, 2.0]],
     [[0.0, 0.5, 0.5]]),
    ('a.amin()', [[1.0, 1.0, 2.0]],
     [[0.5, 0.5, 0.0]]),
    ('a.amax(1)', [[[1.0, 2.0, 2.0], [3.0, 3.0, 3.0]]],
     [[[0.0, 0.5, 0.5], [0.3333333333333333, 0.3333333333333333, 0.3333333333333333]]]),
    ('a.amax()', [[1.0, nan, nan]],
     [[nan, nan, nan]]),
    ('sum(torch.aminmax(a))', [[1.0, 2.0, 2.0, 1.0]],
     [[0.5, 0.5, 0.5, 0.5]]),
    ('a.norm()', [[0.0, 0.0]],
     [[0.0, 0.0]]),
    ('a.norm(dim=1)', [[[0.0, 0.0], [3.0, 4.0]]],
     [[[0.0, 0.0], [0.6, 0.8]]]),
    ('a.norm(1)', [[0.0, 1.0, -2.0]],
     [[0.0, 1.0, -1.0]]),
    ('a.norm(inf)', [[1.0, -2.0, 2.0]],
     [[0.0, -0.5, 0.5]]),
    ('a.norm(-inf)', [[1.0, -1.0, 2.0]],
     [[0.5, -0.5, 0.0]]),
    ('a.norm(0)', [[0.0, 1.0, 2.0]],
     [None]),
    ('a.norm(0.5)', [[0.0, 1.0, 2.0]],
     [[0.0, 2.414213562373095, 1.7071067811865472]]),
    ('a.norm(0.5)', [[0.0, 0.0]],
     [[0.0, 0.0]]),
    ('a.norm(-1)', [[1.0, 2.0]],
     [[0.4444444444444444, 0.1111111111111111]]),
    ('a.norm(-1)', [[0.0, 2.0]],
     [[0.0, 0.0]]),
    ('a.norm(3)', [[0.0, 1.0, -2.0]],
     [[0.0, 0.2311204247835449, -0.9244816991341795]]),
    ('a.norm(3)', [[0.0, 0.0]],
     [[0.0, 0.0]]),
    ('torch.linalg.vector_norm(a, 0.5)', [[0.0, 1.0, 2.0]],
     [[0.0, 2.414213562373095, 1.7071067811865472]]),
    ('a.abs()', [[0.0, -0.0, 1.0, -1.0]],
     [[0.0, 0.0, 1.0, -1.0]]),
    ('a.sign()', [[0.0, 1.0]],
     [[0.0, 0.0]]),
]


def same(got, want):
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(same(g, w) for g, w in zip(got, want))
    if want is None or got is None:
        return got is want
    return (math.isnan(got) and math.isnan(want)) or got == want


MODES = [(False, False), (True, True)]  # Python nodes and engine; native recording and engine


@pytest.mark.parametrize("mode", MODES, ids=["python", "native"])
@pytest.mark.parametrize("expr, values, grads", CASES, ids=[f"{i}-{c[0]}" for i, c in enumerate(CASES)])
def test_gradient_as_torch(expr, values, grads, mode):
    prev = _C._native_autograd(*mode)
    try:
        xs = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in values]
        env = dict(torch=torch, inf=inf, nan=nan, **dict(zip("abc", xs)))
        eval(expr, env).sum().backward()
    finally:
        _C._native_autograd(*prev)
    got = [None if x.grad is None else x.grad.tolist() for x in xs]
    assert same(got, grads), (got, grads)
