"""Linear, Bilinear, Identity, Flatten/Unflatten and their functional forms: values against
numpy float64, gradients through gradcheck/gradgradcheck, shapes over a grid of arguments."""

import numpy as np
import pytest

import rstorch
import rstorch.nn as nn
import rstorch.nn.functional as F
from rstorch.autograd import gradcheck, gradgradcheck


def randn(*shape, dtype=rstorch.float64, requires_grad=False, seed=0):
    g = rstorch.Generator().manual_seed(seed)
    return rstorch.randn(*shape, dtype=dtype, generator=g).requires_grad_(requires_grad)


@pytest.mark.parametrize("shape", [(4,), (2, 4), (3, 2, 4), (2, 1, 3, 4), (0, 4), (2, 0, 4)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_numpy(shape, bias):
    x, w, b = randn(*shape), randn(3, 4, seed=1), randn(3, seed=2) if bias else None
    ref = x.numpy() @ w.numpy().T + (b.numpy() if bias else 0)
    out = F.linear(x, w, b)
    assert out.shape == ref.shape and out.dtype is rstorch.float64
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12, atol=1e-12)


def test_linear_strided_and_vector_weight():
    x = randn(4, 3, 5).transpose(0, 2)  # (5, 3, 4), not contiguous
    w, b = randn(2, 4, seed=1), randn(2, seed=2)
    np.testing.assert_allclose(F.linear(x, w, b).numpy(), x.numpy() @ w.numpy().T + b.numpy(), rtol=1e-12)
    w1 = randn(4, seed=3)  # a 1-D weight: one output feature, squeezed
    np.testing.assert_allclose(F.linear(randn(2, 4), w1).numpy(), randn(2, 4).numpy() @ w1.numpy(), rtol=1e-12)
    # in_features == 0: the output is the bias
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        lin = nn.Linear(0, 3)
    out = lin(rstorch.zeros(2, 0))
    assert out.shape == (2, 3)


@pytest.mark.parametrize("shape", [(3,), (2, 3), (2, 2, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradcheck(shape, bias):
    x, w = randn(*shape, requires_grad=True), randn(2, 3, seed=1, requires_grad=True)
    args = (x, w, randn(2, seed=2, requires_grad=True)) if bias else (x, w)
    assert gradcheck(F.linear, args)
    assert gradgradcheck(F.linear, args)


def test_linear_module_gradcheck():
    m = nn.Linear(3, 2, dtype=rstorch.float64)
    x = randn(4, 3, requires_grad=True)
    assert gradcheck(lambda x, w, b: F.linear(x, w, b), (x, m.weight, m.bias))
    m(x).sum().backward()
    np.testing.assert_allclose(m.weight.grad.numpy(), np.ones((4, 2)).T @ x.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(m.bias.grad.numpy(), np.full(2, 4.0))


def _bilinear_ref(x1, x2, w, b):
    out = np.einsum("...i,oij,...j->...o", x1.numpy(), w.numpy(), x2.numpy())
    return out + (b.numpy() if b is not None else 0)


@pytest.mark.parametrize("batch", [(), (5,), (2, 3), (0,)])
@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_matches_numpy(batch, bias):
    x1, x2 = randn(*batch, 3), randn(*batch, 4, seed=1)
    w, b = randn(2, 3, 4, seed=2), randn(2, seed=3) if bias else None
    out = F.bilinear(x1, x2, w, b)
    assert out.shape == (*batch, 2)
    np.testing.assert_allclose(out.numpy(), _bilinear_ref(x1, x2, w, b), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_gradcheck(bias):
    args = [randn(3, 2, requires_grad=True), randn(3, 4, seed=1, requires_grad=True),
            randn(5, 2, 4, seed=2, requires_grad=True)]
    if bias:
        args.append(randn(5, seed=3, requires_grad=True))
    assert gradcheck(F.bilinear, tuple(args))
    assert gradgradcheck(F.bilinear, tuple(args))


def test_bilinear_module():
    m = nn.Bilinear(3, 4, 2, dtype=rstorch.float64)
    x1, x2 = randn(6, 3, requires_grad=True), randn(6, 4, seed=1, requires_grad=True)
    np.testing.assert_allclose(m(x1, x2).detach().numpy(), _bilinear_ref(x1.detach(), x2.detach(), m.weight.detach(),
                                                                      m.bias.detach()), rtol=1e-12)
    assert gradcheck(lambda a, b: m(a, b), (x1, x2))


@pytest.mark.parametrize("in_f, out_f, bias", [(1, 1, True), (5, 3, False), (7, 2, True)])
def test_linear_parameters(in_f, out_f, bias):
    m = nn.Linear(in_f, out_f, bias=bias)
    assert [(n, tuple(p.shape)) for n, p in m.named_parameters()] == \
        [("weight", (out_f, in_f))] + ([("bias", (out_f,))] if bias else [])
    assert (m.bias is None) == (not bias) and "bias" in m._parameters
    bound = 1 / np.sqrt(in_f)  # kaiming_uniform_(a=sqrt(5)) gives U(-1/sqrt(in), 1/sqrt(in))
    assert m.weight.abs().max().item() <= bound
    assert isinstance(m.weight, nn.Parameter) and m.weight.requires_grad and m.weight.is_leaf


def test_factory_kwargs():
    m = nn.Linear(2, 3, dtype=rstorch.float64)
    assert m.weight.dtype is rstorch.float64 and m.bias.dtype is rstorch.float64
    b = nn.Bilinear(2, 2, 1, device="meta")
    assert b.weight.is_meta and b.bias.is_meta
    assert nn.Linear(2, 3, device="meta")(rstorch.empty(4, 2, device="meta")).shape == (4, 3)


def test_identity_flatten_unflatten():
    x = randn(2, 3, 4, 5)
    assert nn.Identity(3, key="ignored")(x) is x
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 2)(x).shape == (24, 5)
    assert nn.Flatten(-2)(x).shape == (2, 3, 20)
    assert nn.Unflatten(1, (3, 1))(randn(2, 3)).shape == (2, 3, 1)
    assert nn.Unflatten(-1, [2, -1])(randn(2, 6)).shape == (2, 2, 3)
    y = nn.Flatten()(x)
    np.testing.assert_array_equal(y.numpy(), x.numpy().reshape(2, 60))


def test_linear_reset_parameters_draws_like_construction():
    rstorch.manual_seed(3)
    a = nn.Linear(4, 2)
    rstorch.manual_seed(3)
    b = nn.Linear(4, 2)
    b.reset_parameters()
    rstorch.manual_seed(3)
    b.reset_parameters()
    assert rstorch.equal(a.weight, b.weight) and rstorch.equal(a.bias, b.bias)
