"""Lazy modules (UninitializedParameter/Buffer, LazyModuleMixin, LazyLinear) and the weight /
spectral norm reparametrisations: behaviour on first forward, state_dict round trips, deepcopy,
a numpy float64 reference and gradcheck. Seeded values against torch are in
test_torch_parity.py (nn_cases_vision.py)."""

import copy
import pickle
import warnings

import numpy as np
import pytest

import rstorch
import rstorch.nn as nn
from rstorch.autograd import gradcheck
from rstorch.nn.parameter import UninitializedBuffer, UninitializedParameter, is_lazy

pytestmark = pytest.mark.filterwarnings("ignore:`torch.nn.utils.weight_norm` is deprecated")


def randn(*shape, seed=0, requires_grad=False):
    g = rstorch.Generator().manual_seed(seed)
    return rstorch.randn(*shape, dtype=rstorch.float64, generator=g).requires_grad_(requires_grad)


def test_uninitialized_parameter():
    p = UninitializedParameter()
    assert is_lazy(p) and isinstance(p, nn.Parameter) and p.requires_grad and repr(p) == "<UninitializedParameter>"
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized parameter"):
        p.shape
    p.materialize((2, 3), dtype=rstorch.float64)
    assert type(p) is nn.Parameter and p.shape == (2, 3) and p.dtype == rstorch.float64 and not is_lazy(p)
    b = UninitializedBuffer()
    assert is_lazy(b) and not b.requires_grad and isinstance(b, nn.Buffer)
    b.materialize(4)
    assert type(b) is rstorch.Tensor and b.shape == (4,)
    q = copy.deepcopy(UninitializedParameter(requires_grad=False))
    assert type(q) is UninitializedParameter and not q.requires_grad
    r = pickle.loads(pickle.dumps(UninitializedParameter()))
    assert type(r) is UninitializedParameter


def test_lazy_linear_first_forward():
    rstorch.manual_seed(0)
    m = nn.LazyLinear(3)
    assert m.has_uninitialized_params() and repr(m) == "LazyLinear(in_features=0, out_features=3, bias=True)"
    assert list(m.state_dict()) == ["weight", "bias"] and len(m._forward_pre_hooks) == 1
    y = m(rstorch.randn(2, 7, 5, generator=rstorch.Generator().manual_seed(1)))  # (not the global generator)
    assert type(m) is nn.Linear and m.in_features == 5 and y.shape == (2, 7, 3)
    assert not m._forward_pre_hooks and not hasattr(m, "_initialize_hook")
    rstorch.manual_seed(0)
    ref = nn.Linear(5, 3)
    assert rstorch.equal(m.weight, ref.weight) and rstorch.equal(m.bias, ref.bias)
    (y.sum()).backward()
    assert m.weight.grad.shape == (3, 5)


def test_lazy_linear_in_sequential_and_copies():
    model = nn.Sequential(nn.LazyLinear(4), nn.ReLU(), nn.LazyLinear(2, bias=False))
    c = copy.deepcopy(model)
    assert c[0].has_uninitialized_params()
    out = model(rstorch.randn(3, 6))
    assert out.shape == (3, 2) and model[2].bias is None and model[2].weight.shape == (2, 4)
    assert [tuple(p.shape) for p in model.parameters()] == [(4, 6), (4,), (2, 4)]
    assert c(rstorch.randn(1, 9)).shape == (1, 2)


def test_lazy_load_state_dict_and_dtype():
    src = nn.Linear(6, 2)
    lazy = nn.LazyLinear(2)
    lazy.load_state_dict(src.state_dict())
    assert lazy.weight.shape == (2, 6) and rstorch.equal(lazy.weight, src.weight)
    x = rstorch.randn(3, 6)
    assert rstorch.allclose(lazy(x), src(x)) and type(lazy) is nn.Linear
    m = nn.LazyLinear(3).double()
    m(randn(1, 4))
    assert m.weight.dtype == rstorch.float64
    with pytest.raises(RuntimeError, match="Modules with uninitialized parameters can't be used with"):
        nn.LazyLinear(3)._replicate_for_data_parallel()


def _wn_ref(v, g, dim):
    if dim is None:
        return g * v / np.linalg.norm(v)
    axes = tuple(a for a in range(v.ndim) if a != dim)
    return g * v / np.sqrt((v ** 2).sum(axis=axes, keepdims=True))


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_reference_and_gradcheck(dim):
    m = nn.Linear(4, 3).double()
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        nn.utils.weight_norm(m, dim=dim)
    assert any(issubclass(w.category, FutureWarning) for w in ws)
    assert [n for n, _ in m.named_parameters()] == ["bias", "weight_g", "weight_v"]
    assert m.weight_g.shape == {0: (3, 1), 1: (1, 4), None: ()}[dim]
    with rstorch.no_grad():
        m.weight_g.mul_(1.5)
    x = randn(2, 4)
    y = m(x)
    w = _wn_ref(m.weight_v.detach().numpy(), m.weight_g.detach().numpy(), dim)
    np.testing.assert_allclose(y.detach().numpy(), x.numpy() @ w.T + m.bias.detach().numpy(), rtol=1e-12)

    def fn(g, v):
        from rstorch.nn.utils.weight_norm import _weight_norm
        return _weight_norm(v, g, -1 if dim is None else dim)

    assert gradcheck(fn, (m.weight_g.detach().clone().requires_grad_(True), m.weight_v.detach().clone().requires_grad_(True)))
    nn.utils.remove_weight_norm(m)
    assert [n for n, _ in m.named_parameters()] == ["bias", "weight"]
    np.testing.assert_allclose(m.weight.detach().numpy(), w, rtol=1e-12)


def test_spectral_norm_converges_to_sigma():
    rstorch.manual_seed(0)
    m = nn.utils.spectral_norm(nn.Linear(6, 5).double(), n_power_iterations=30)
    m(randn(1, 6))
    sigma = np.linalg.svd(m.weight_orig.detach().numpy(), compute_uv=False)[0]
    np.testing.assert_allclose(np.linalg.svd(m.weight.detach().numpy(), compute_uv=False)[0], 1.0, rtol=1e-8)
    u, v = m.weight_u.numpy(), m.weight_v.numpy()
    np.testing.assert_allclose(u @ m.weight_orig.detach().numpy() @ v, sigma, rtol=1e-8)
    # eval: no power iteration, the buffers stay
    m.eval()
    before = m.weight_u.clone()
    m(randn(1, 6))
    assert rstorch.equal(before, m.weight_u)


def test_spectral_norm_state_dict_round_trip():
    rstorch.manual_seed(1)
    m = nn.utils.spectral_norm(nn.Linear(4, 3))
    m(rstorch.randn(2, 4))
    sd = m.state_dict()
    assert list(sd) == ["bias", "weight_orig", "weight_u", "weight_v"]
    assert sd._metadata[""]["spectral_norm"] == {"weight.version": 1}
    m2 = nn.utils.spectral_norm(nn.Linear(4, 3))
    m2.load_state_dict(sd)
    m.eval()
    m2.eval()
    x = rstorch.randn(2, 4)
    assert rstorch.allclose(m(x), m2(x))
    gx = randn(2, 4, requires_grad=True)
    md = nn.utils.spectral_norm(nn.Linear(4, 3).double())
    md.eval()
    assert gradcheck(lambda t: md(t), (gx,))


def test_lazy_mixin_serves_other_modules():
    """LazyModuleMixin is generic (the lazy conv layers reuse it): a toy lazy module with a
    parameter and a buffer whose shapes come from the input."""
    class Affine(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(rstorch.ones(1))
            self.register_buffer("shift", rstorch.zeros(1))

        def forward(self, x):
            return x * self.scale + self.shift

    class LazyAffine(nn.modules.lazy.LazyModuleMixin, Affine):
        cls_to_become = Affine

        def __init__(self):
            super().__init__()
            self.scale = UninitializedParameter()
            self.shift = UninitializedBuffer()

        def initialize_parameters(self, x):
            with rstorch.no_grad():
                self.scale.materialize(x.shape[-1:])
                self.shift.materialize(x.shape[-1:])
                self.scale.fill_(2.0)
                self.shift.fill_(1.0)

    m = LazyAffine()
    assert list(m.state_dict()) == ["scale", "shift"] and m.has_uninitialized_params()
    y = m(rstorch.ones(2, 3))
    assert type(m) is Affine and m.scale.shape == (3,) and type(m.shift) is rstorch.Tensor
    assert y.tolist() == [[3.0] * 3] * 2

    class Incomplete(nn.modules.lazy.LazyModuleMixin, Affine):
        def __init__(self):
            super().__init__()
            self.scale = UninitializedParameter()

        def initialize_parameters(self, x):
            pass

    with pytest.raises(RuntimeError, match="module Incomplete has not been fully initialized"):
        Incomplete()(rstorch.ones(2))
    with pytest.raises(NotImplementedError, match="initialize_parameters is not implemented for"):
        nn.modules.lazy.LazyModuleMixin.initialize_parameters(m)


def test_parametrize_gradcheck_and_copy():
    P = nn.utils.parametrize

    class Skew(nn.Module):
        def forward(self, X):
            a = X.triu(1)
            return a - a.transpose(0, 1)

    m = nn.Linear(3, 3).double()
    P.register_parametrization(m, "weight", Skew())
    w = m.weight
    assert rstorch.allclose(w, -w.t()) and type(m).__name__ == "ParametrizedLinear"
    orig = m.parametrizations.weight.original
    x = randn(2, 3)

    def fn(o):
        a = o.triu(1)
        return x @ (a - a.t()).t()

    assert gradcheck(fn, (orig.detach().clone().requires_grad_(True),))
    c = copy.deepcopy(m)
    assert type(c).__name__ == "ParametrizedLinear" and rstorch.equal(c.weight, m.weight)
    with pytest.raises(RuntimeError, match="Serialization of parametrized modules is only supported through"):
        pickle.dumps(m)
    sd = m.state_dict()
    m2 = nn.Linear(3, 3).double()
    P.register_parametrization(m2, "weight", Skew())
    m2.load_state_dict(sd)
    assert rstorch.equal(m2.weight, m.weight)


def test_orthogonal_helpers_against_numpy():
    from rstorch.nn.utils import parametrizations as PZ
    a = randn(3, 5, 5, seed=3) * 2
    a = a - a.mT
    e = PZ._matrix_exp(a)
    # exp of a skew-symmetric matrix: orthogonal, and exp(A) exp(-A) = I
    eye = np.eye(5)
    np.testing.assert_allclose((e.mT @ e).numpy(), np.broadcast_to(eye, (3, 5, 5)), atol=1e-12)
    np.testing.assert_allclose((e @ PZ._matrix_exp(-a)).numpy(), np.broadcast_to(eye, (3, 5, 5)), atol=1e-12)
    x = randn(6, 4, seed=4)
    q = PZ._make_orthogonal(x)
    ref_q, ref_r = np.linalg.qr(x.numpy())
    ref_q = ref_q * np.sign(np.diag(ref_r))
    np.testing.assert_allclose(q.numpy(), ref_q, atol=1e-12)
    w = randn(4, 4, seed=5, requires_grad=True)

    def fn(t):
        s = t.tril() - t.tril().mT
        return PZ._matrix_exp(s)

    assert gradcheck(fn, (w,))
    h = randn(5, 3, seed=6, requires_grad=True)
    assert gradcheck(lambda t: PZ._householder_product(t.tril(-1), 2.0 / (1.0 + (t.tril(-1) ** 2).sum(-2))), (h,))
