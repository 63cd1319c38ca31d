"""nn.utils: gradient clipping against numpy float64, parameters <-> vector."""

import math

import numpy as np
import pytest

import rstorch
import rstorch.nn as nn
from rstorch.nn import utils


def _params(seed=0, dtype=rstorch.float64):
    g = rstorch.Generator().manual_seed(seed)
    ps = [nn.Parameter(rstorch.randn(3, 4, dtype=dtype, generator=g)), nn.Parameter(rstorch.randn(5, dtype=dtype,
                                                                                                    generator=g)),
          nn.Parameter(rstorch.randn(2, dtype=dtype, generator=g))]
    for p in ps[:2]:
        p.grad = rstorch.randn(p.shape, dtype=dtype, generator=g) * 2
    return ps


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 0.5, 3, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.1, 1e6])
def test_clip_grad_norm_numpy(norm_type, max_norm):
    ps = _params()
    flat = np.concatenate([p.grad.numpy().ravel() for p in ps[:2]])
    nt = float(norm_type)
    total = np.abs(flat).max() if math.isinf(nt) else (np.abs(flat) ** nt).sum() ** (1 / nt)
    before = [p.grad.numpy().copy() for p in ps[:2]]
    got = utils.clip_grad_norm_(ps, max_norm, norm_type=norm_type)
    assert got.item() == pytest.approx(total, rel=1e-12)
    coef = min(max_norm / (total + 1e-6), 1.0)
    for p, b in zip(ps[:2], before):
        np.testing.assert_allclose(p.grad.numpy(), b * coef, rtol=1e-12)
    assert ps[2].grad is None


def test_clip_grad_norm_forms():
    p = _params()[0]
    assert utils.clip_grad_norm_(p, 1.0).shape == ()  # a single tensor
    with pytest.warns(UserWarning, match="`parameters` is an empty generator"):
        assert utils.clip_grad_norm_((q for q in []), 1.0).item() == 0.0
    with pytest.warns(FutureWarning, match="clip_grad_norm` is now deprecated"):
        utils.clip_grad_norm(_params(), 1.0)
    ps = _params()
    assert utils.clip_grad_norm_(ps, 1.0, foreach=True).item() == pytest.approx(
        utils.get_total_norm([q.grad for q in _params()[:2]]).item())
    # non-finite: scaled anyway unless asked to raise
    q = nn.Parameter(rstorch.ones(2))
    q.grad = rstorch.tensor([float("nan"), 1.0])
    assert math.isnan(utils.clip_grad_norm_(q, 1.0).item())
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from `parameters` is non-finite"):
        utils.clip_grad_norm_(q, 1.0, error_if_nonfinite=True)


def test_clip_grad_norm_mixed_dtypes():
    a, b = _params(dtype=rstorch.float32)[:2], _params(seed=1)[:2]
    total = utils.clip_grad_norm_(a + b, 1e9)
    ref = np.sqrt(sum((p.grad.double().numpy() ** 2).sum() for p in a + b))
    assert total.item() == pytest.approx(ref, rel=1e-6)


def test_clip_grad_value():
    ps = _params()
    before = [p.grad.numpy().copy() for p in ps[:2]]
    assert utils.clip_grad_value_(ps, 0.5, foreach=True) is None
    for p, b in zip(ps[:2], before):
        np.testing.assert_array_equal(p.grad.numpy(), np.clip(b, -0.5, 0.5))


def test_clip_grad_is_not_recorded():
    m = nn.Linear(3, 1)
    m(rstorch.ones(2, 3)).sum().backward(create_graph=True)
    total = utils.clip_grad_norm_(m.parameters(), 0.1)
    assert total.grad_fn is None and not total.requires_grad


def test_vector_round_trip_shares_memory():
    m = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 2))
    ps = list(m.parameters())
    v = utils.parameters_to_vector(m.parameters())
    assert v.shape == (sum(p.numel() for p in ps),)
    np.testing.assert_array_equal(v.detach().numpy(), np.concatenate([p.detach().numpy().ravel() for p in ps]))
    new = rstorch.arange(v.numel(), dtype=rstorch.float32)
    utils.vector_to_parameters(new, m.parameters())
    assert all(a is b for a, b in zip(ps, m.parameters()))  # the same Parameter objects, new data
    new[0] = 100.0
    assert m[0].weight[0, 0].item() == 100.0  # views of the vector, as in torch
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        utils.vector_to_parameters([1.0], m.parameters())


def test_parameters_to_vector_is_differentiable():
    m = nn.Linear(2, 2)
    v = utils.parameters_to_vector(m.parameters())
    (v * v).sum().backward()
    np.testing.assert_allclose(m.weight.grad.numpy(), 2 * m.weight.detach().numpy(), rtol=1e-6)
