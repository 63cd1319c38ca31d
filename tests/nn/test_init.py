"""nn.init beyond the recorded draws (test_torch_parity.py): properties of the results, the
generator argument, warnings, meta tensors, autograd state."""

import math

import numpy as np
import pytest

import rstorch
import rstorch.nn as nn
from rstorch.nn import init

RANDOM_INITS = [
    lambda t, g: init.uniform_(t, -1, 1, generator=g),
    lambda t, g: init.normal_(t, generator=g),
    lambda t, g: init.trunc_normal_(t, generator=g),
    lambda t, g: init.trunc_normal_(t, a=1.0, b=2.0, generator=g),
    lambda t, g: init.xavier_uniform_(t, generator=g),
    lambda t, g: init.xavier_normal_(t, generator=g),
    lambda t, g: init.kaiming_uniform_(t, generator=g),
    lambda t, g: init.kaiming_normal_(t, generator=g),
    lambda t, g: init.orthogonal_(t, generator=g),
    lambda t, g: init.sparse_(t, 0.5, generator=g),
]


@pytest.mark.parametrize("fn", RANDOM_INITS)
def test_generator_argument(fn):
    # the same generator seed gives the same values; the global generator stays untouched
    # (except sparse_, which like torch picks its zero rows with the global generator)
    rstorch.manual_seed(0)
    a = fn(rstorch.empty(6, 5), rstorch.Generator().manual_seed(4))
    state = rstorch.get_rng_state()
    b = fn(rstorch.empty(6, 5), rstorch.Generator().manual_seed(4))
    if fn is not RANDOM_INITS[-1]:
        assert rstorch.equal(rstorch.get_rng_state(), state)
        assert rstorch.equal(a, b)
    c = fn(rstorch.empty(6, 5), rstorch.Generator().manual_seed(5))
    assert not rstorch.equal(a, c)


@pytest.mark.parametrize("fn", RANDOM_INITS)
def test_meta_and_autograd(fn):
    m = rstorch.empty(4, 3, device="meta")
    assert fn(m, None) is m and m.is_meta
    p = nn.Parameter(rstorch.empty(4, 3))
    v = p._version
    assert fn(p, None) is p
    assert p.is_leaf and p.grad_fn is None and p.requires_grad and p._version > v


def test_trunc_normal_bounds_and_moments():
    g = rstorch.Generator().manual_seed(0)
    t = init.trunc_normal_(rstorch.empty(20000), mean=0.5, std=2.0, a=-1.0, b=1.5, generator=g).numpy()
    assert t.min() >= -1.0 and t.max() <= 1.5
    tail = init.trunc_normal_(rstorch.empty(20000, dtype=rstorch.float64), a=2.0, b=3.0, generator=g).numpy()
    assert tail.min() >= 2.0 and tail.max() <= 3.0
    # mean of N(0, 1) truncated to [2, 3]: (phi(2) - phi(3)) / (Phi(3) - Phi(2))
    phi = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    Phi = lambda x: (1 + math.erf(x / math.sqrt(2))) / 2  # noqa: E731
    assert tail.mean() == pytest.approx((phi(2) - phi(3)) / (Phi(3) - Phi(2)), abs=0.01)
    with pytest.warns(UserWarning, match="mean is more than 2 std from"):
        init.trunc_normal_(rstorch.empty(3), mean=10.0)


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4), (6, 2, 3), (2, 3, 2, 2)])
def test_orthogonal_is_orthogonal(shape):
    t = init.orthogonal_(rstorch.empty(*shape, dtype=rstorch.float64), gain=3.0).numpy().reshape(shape[0], -1)
    rows, cols = t.shape
    gram = t @ t.T if rows <= cols else t.T @ t
    np.testing.assert_allclose(gram, 9.0 * np.eye(min(rows, cols)), atol=1e-10)


def test_bounds_from_fans():
    t = rstorch.empty(40, 30, 3, 3)  # fan_in 270, fan_out 360
    w = init.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu").abs().max().item()
    assert w <= math.sqrt(2) * math.sqrt(3 / 360) and w > 0.9 * math.sqrt(2) * math.sqrt(3 / 360)
    w = init.xavier_uniform_(rstorch.empty(20, 10), gain=2.0).abs().max().item()
    assert 0.9 * 2 * math.sqrt(6 / 30) < w <= 2 * math.sqrt(6 / 30)
    s = init.kaiming_normal_(rstorch.empty(200, 300), a=0.5).std().item()
    assert s == pytest.approx(math.sqrt(2 / (1 + 0.25)) / math.sqrt(300), rel=0.02)
    assert init._calculate_fan_in_and_fan_out(rstorch.empty(5, 4, 3)) == (12, 15)


def test_sparse_zeros_per_column():
    t = init.sparse_(rstorch.empty(10, 6), sparsity=0.25)
    assert ((t == 0).sum(0) == math.ceil(0.25 * 10)).all()


def test_zero_element_warning():
    for fn in (init.kaiming_uniform_, init.kaiming_normal_):
        with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
            t = rstorch.empty(0, 3)
            assert fn(t) is t


def test_deprecated_aliases():
    with pytest.warns(FutureWarning, match=r"`nn.init.uniform` is now deprecated in favor of `nn.init.uniform_`"):
        init.uniform(rstorch.empty(2))
    for name in ("normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal", "kaiming_uniform",
                 "kaiming_normal", "orthogonal", "sparse"):
        assert getattr(init, name).__name__ == name


def test_fills_keep_dtype():
    t = init.eye_(rstorch.empty(3, 3, dtype=rstorch.float64))
    assert t.dtype is rstorch.float64 and rstorch.equal(t, rstorch.eye(3, dtype=rstorch.float64))
    assert rstorch.equal(init.constant_(rstorch.empty(2, dtype=rstorch.int64), 3), rstorch.tensor([3, 3]))
