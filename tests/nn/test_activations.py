"""Activations: values against numpy float64, gradcheck/gradgradcheck in float64, in-place
forms (same storage, version bump, gradients through the write), modules, shapes and dtypes."""

import math

import numpy as np
import pytest

import rstorch
import rstorch.nn as nn
import rstorch.nn.functional as F
from rstorch.autograd import gradcheck, gradgradcheck


def randn(*shape, seed=0, scale=1.0, requires_grad=False):
    g = rstorch.Generator().manual_seed(seed)
    return (rstorch.randn(*shape, dtype=rstorch.float64, generator=g) * scale).requires_grad_(requires_grad)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softplus(x, beta=1.0, threshold=20.0):
    return np.where(x * beta > threshold, x, np.log1p(np.exp(np.minimum(x * beta, threshold))) / beta)


def _softmax(x, dim):
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


_erf = np.vectorize(math.erf)
ALPHA, SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946

# name: (rstorch function, numpy reference)
REFS = {
    "relu": (F.relu, lambda x: np.maximum(x, 0)),
    "relu6": (F.relu6, lambda x: np.clip(x, 0, 6)),
    "elu": (lambda x: F.elu(x, 0.7), lambda x: np.where(x > 0, x, 0.7 * np.expm1(np.minimum(x, 0)))),
    "selu": (F.selu, lambda x: SCALE * np.where(x > 0, x, ALPHA * np.expm1(np.minimum(x, 0)))),
    "celu": (lambda x: F.celu(x, 1.5), lambda x: np.maximum(x, 0) + np.minimum(0, 1.5 * np.expm1(np.minimum(x, 0) / 1.5))),
    "gelu": (F.gelu, lambda x: x * 0.5 * (1 + _erf(x / math.sqrt(2)))),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"),
                  lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))),
    "silu": (F.silu, lambda x: x * _sigmoid(x)),
    "mish": (F.mish, lambda x: x * np.tanh(_softplus(x))),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    "rrelu_eval": (F.rrelu, lambda x: np.where(x > 0, x, x * (1 / 8 + 1 / 3) / 2)),
    "hardtanh": (lambda x: F.hardtanh(x, -0.5, 1.5), lambda x: np.clip(x, -0.5, 1.5)),
    "hardsigmoid": (F.hardsigmoid, lambda x: np.clip(x / 6 + 0.5, 0, 1)),
    "hardswish": (F.hardswish, lambda x: x * np.clip(x + 3, 0, 6) / 6),
    "sigmoid": (F.sigmoid, _sigmoid),
    "tanh": (F.tanh, np.tanh),
    "logsigmoid": (F.logsigmoid, lambda x: -np.logaddexp(0, -x)),
    "softplus": (F.softplus, _softplus),
    "softplus_beta": (lambda x: F.softplus(x, 2.0, 3.0), lambda x: _softplus(x, 2.0, 3.0)),
    "softsign": (F.softsign, lambda x: x / (1 + np.abs(x))),
    "tanhshrink": (F.tanhshrink, lambda x: x - np.tanh(x)),
    "softshrink": (lambda x: F.softshrink(x, 0.6),
                   lambda x: np.where(x > 0.6, x - 0.6, np.where(x < -0.6, x + 0.6, 0))),
    "hardshrink": (lambda x: F.hardshrink(x, 0.6), lambda x: np.where(np.abs(x) > 0.6, x, 0)),
    "threshold": (lambda x: F.threshold(x, 0.3, -1.0), lambda x: np.where(x > 0.3, x, -1.0)),
    "glu": (lambda x: F.glu(x, 1), lambda x: x[:, :2] * _sigmoid(x[:, 2:])),
    "softmax": (lambda x: F.softmax(x, 1), lambda x: _softmax(x, 1)),
    "log_softmax": (lambda x: F.log_softmax(x, 0), lambda x: np.log(_softmax(x, 0))),
    "softmin": (lambda x: F.softmin(x, 1), lambda x: _softmax(-x, 1)),
    "prelu": (lambda x: F.prelu(x, rstorch.tensor([0.1, 0.2, 0.3, 0.4], dtype=rstorch.float64)),
              lambda x: np.where(x > 0, x, x * np.array([0.1, 0.2, 0.3, 0.4]))),
}


@pytest.mark.parametrize("name", sorted(REFS))
def test_matches_numpy(name):
    fn, ref = REFS[name]
    x = randn(5, 4, scale=4.0)
    x = rstorch.cat([x, rstorch.tensor([[-30.0, -3.0, 0.0, 3.0], [6.0, 25.0, -25.0, 0.5]], dtype=rstorch.float64)])
    out = fn(x)
    assert out.dtype is rstorch.float64 and out.shape == ref(x.numpy()).shape
    np.testing.assert_allclose(out.numpy(), ref(x.numpy()), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(REFS))
def test_gradcheck(name):
    fn = REFS[name][0]
    # away from the kinks, where finite differences are defined
    x = randn(3, 4, seed=1, scale=2.0)
    x = (x + x.sign() * 0.05).requires_grad_()
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_prelu_weight_gradcheck():
    x = randn(2, 3, 4, seed=2, requires_grad=True)
    for w in (randn(1, seed=3, requires_grad=True), randn(3, seed=4, requires_grad=True)):
        assert gradcheck(F.prelu, (x, w))
        assert gradgradcheck(F.prelu, (x, w))
    # a 1-D input: one channel
    assert gradcheck(F.prelu, (randn(5, seed=5, requires_grad=True), randn(1, seed=6, requires_grad=True)))


def test_subgradients_at_kinks():
    """torch's side of each kink: relu, relu6 and hardtanh pass nothing at their edges, elu and
    leaky_relu take the negative side at 0, logsigmoid's gradient at 0 is 1/2."""
    x = rstorch.tensor([-3.0, 0.0, 3.0, 6.0, 1.0, -1.0], requires_grad=True)

    def grad(fn):
        x.grad = None
        fn(x).sum().backward()
        return x.grad.tolist()

    assert grad(F.relu) == [0, 0, 1, 1, 1, 0]
    assert grad(F.relu6) == [0, 0, 1, 0, 1, 0]
    assert grad(F.hardtanh) == [0, 1, 0, 0, 0, 0]
    assert grad(lambda v: F.elu(v, 2.0)) == pytest.approx([2 * math.exp(-3), 2, 1, 1, 1, 2 * math.exp(-1)])
    assert grad(lambda v: F.leaky_relu(v, 0.5)) == [0.5, 0.5, 1, 1, 1, 0.5]
    assert grad(F.logsigmoid)[1] == 0.5
    assert grad(F.hardsigmoid) == pytest.approx([0, 1 / 6, 0, 0, 1 / 6, 1 / 6])
    assert grad(F.hardswish) == pytest.approx([0, 0.5, 1, 1, 5 / 6, 1 / 6])
    assert grad(F.hardshrink) == [1, 0, 1, 1, 1, 1]


def test_no_nan_gradients_where_a_branch_overflows():
    x = rstorch.tensor([-1000.0, -100.0, 100.0, 1000.0], requires_grad=True)
    for fn in (F.elu, F.selu, F.celu, F.softplus, F.mish, F.logsigmoid, F.silu, lambda v: F.softplus(v, 3.0, 4.0)):
        x.grad = None
        out = fn(x)
        out.sum().backward()
        assert not rstorch.isnan(out).any() and not rstorch.isnan(x.grad).any(), fn


INPLACE = [("relu", lambda y: F.relu(y, inplace=True)), ("relu_", F.relu_), ("elu", lambda y: F.elu(y, 0.5, True)),
           ("elu_", F.elu_), ("selu", lambda y: F.selu(y, True)), ("selu_", F.selu_),
           ("celu", lambda y: F.celu(y, 2.0, True)), ("celu_", F.celu_), ("leaky", lambda y: F.leaky_relu(y, 0.1, True)),
           ("leaky_", F.leaky_relu_), ("hardtanh", lambda y: F.hardtanh(y, -0.5, 0.5, True)),
           ("hardtanh_", F.hardtanh_), ("relu6", lambda y: F.relu6(y, True)),
           ("threshold", lambda y: F.threshold(y, 0.1, 2.0, True)), ("threshold_", lambda y: F.threshold_(y, 0.1, 2.0)),
           ("silu", lambda y: F.silu(y, True)), ("mish", lambda y: F.mish(y, True)),
           ("hardsigmoid", lambda y: F.hardsigmoid(y, True)), ("hardswish", lambda y: F.hardswish(y, True)),
           ("rrelu", lambda y: F.rrelu(y, inplace=True)), ("rrelu_", F.rrelu_)]


@pytest.mark.parametrize("name,fn", INPLACE, ids=[n for n, _ in INPLACE])
def test_inplace(name, fn):
    base = name.rstrip("_")
    out_of_place = {"relu": F.relu, "elu": lambda y: F.elu(y, 0.5) if name == "elu" else F.elu(y),
                    "selu": F.selu, "celu": lambda y: F.celu(y, 2.0) if name == "celu" else F.celu(y),
                    "leaky": lambda y: F.leaky_relu(y, 0.1) if name == "leaky" else F.leaky_relu(y),
                    "hardtanh": lambda y: F.hardtanh(y, -0.5, 0.5) if name == "hardtanh" else F.hardtanh(y),
                    "relu6": F.relu6, "threshold": lambda y: F.threshold(y, 0.1, 2.0), "silu": F.silu,
                    "mish": F.mish, "hardsigmoid": F.hardsigmoid, "hardswish": F.hardswish, "rrelu": F.rrelu}[base]
    x = randn(3, 4, seed=7, scale=3.0)
    expected = out_of_place(x)
    y = x.clone()
    v = y._version
    r = fn(y)
    assert r.data_ptr() == y.data_ptr() and y._version > v
    np.testing.assert_allclose(y.numpy(), expected.numpy(), rtol=1e-12, atol=1e-14)
    # gradients flow through the write to the input's old history
    leaf = randn(3, 4, seed=7, scale=3.0, requires_grad=True)
    z = leaf * 1
    fn(z)
    z.sum().backward()
    leaf2 = randn(3, 4, seed=7, scale=3.0, requires_grad=True)
    out_of_place(leaf2 * 1).sum().backward()
    np.testing.assert_allclose(leaf.grad.numpy(), leaf2.grad.numpy(), rtol=1e-12)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        fn(randn(2, requires_grad=True))


def test_inplace_on_a_view():
    x = randn(4, 5, seed=8)
    y = x.clone()
    F.elu(y[1:3], inplace=True)
    np.testing.assert_allclose(y[1:3].numpy(), F.elu(x[1:3]).numpy())
    np.testing.assert_array_equal(y[0].numpy(), x[0].numpy())


MODULES = [(nn.ReLU(), F.relu), (nn.ReLU6(), F.relu6), (nn.ELU(0.3), lambda x: F.elu(x, 0.3)),
           (nn.CELU(0.4), lambda x: F.celu(x, 0.4)), (nn.SELU(), F.selu), (nn.GELU("tanh"), lambda x: F.gelu(x, "tanh")),
           (nn.SiLU(), F.silu), (nn.Mish(), F.mish), (nn.LeakyReLU(0.05), lambda x: F.leaky_relu(x, 0.05)),
           (nn.Hardtanh(-2, 3), lambda x: F.hardtanh(x, -2, 3)), (nn.Hardsigmoid(), F.hardsigmoid),
           (nn.Hardswish(), F.hardswish), (nn.Sigmoid(), rstorch.sigmoid), (nn.Tanh(), rstorch.tanh),
           (nn.LogSigmoid(), F.logsigmoid), (nn.Softplus(2, 5), lambda x: F.softplus(x, 2, 5)),
           (nn.Softsign(), F.softsign), (nn.Tanhshrink(), F.tanhshrink), (nn.Softshrink(0.1), lambda x: F.softshrink(x, 0.1)),
           (nn.Hardshrink(0.1), lambda x: F.hardshrink(x, 0.1)), (nn.Threshold(0.2, 5), lambda x: F.threshold(x, 0.2, 5)),
           (nn.GLU(0), lambda x: F.glu(x, 0)), (nn.Softmax(1), lambda x: F.softmax(x, 1)),
           (nn.LogSoftmax(0), lambda x: F.log_softmax(x, 0)), (nn.Softmin(1), lambda x: F.softmin(x, 1)),
           (nn.RReLU().eval(), F.rrelu)]


@pytest.mark.parametrize("module,fn", MODULES, ids=[type(m).__name__ for m, _ in MODULES])
@pytest.mark.parametrize("shape", [(4, 6), (2, 4, 3), (0, 4), (6,)])
def test_modules_shapes(module, fn, shape):
    if isinstance(module, nn.GLU) and shape[0] % 2:
        shape = (2,) + shape[1:]
    if isinstance(module, (nn.Softmax, nn.Softmin)) and len(shape) == 1:
        shape = (2, 6)
    x = randn(*shape, seed=9, scale=2.0).float()
    out = module(x)
    ref = fn(x)
    assert out.shape == ref.shape and out.dtype is rstorch.float32
    np.testing.assert_allclose(out.numpy(), ref.numpy())
    assert list(module.state_dict()) == []


def test_prelu_module():
    rstorch.manual_seed(0)
    m = nn.PReLU(3, init=0.1, dtype=rstorch.float64)
    assert [n for n, _ in m.named_parameters()] == ["weight"] and m.weight.tolist() == [0.1] * 3
    x = randn(2, 3, 4, seed=10, requires_grad=True)
    m(x).sum().backward()
    np.testing.assert_allclose(m.weight.grad.numpy(), np.minimum(x.detach().numpy(), 0).sum(axis=(0, 2)))
    assert repr(nn.PReLU()) == "PReLU(num_parameters=1)"


def test_softmax2d():
    x = randn(2, 3, 4, 5, seed=11)
    np.testing.assert_allclose(nn.Softmax2d()(x).numpy(), _softmax(x.numpy(), 1), rtol=1e-12)
    np.testing.assert_allclose(nn.Softmax2d()(x[0]).numpy(), _softmax(x[0].numpy(), 0), rtol=1e-12)
    with pytest.raises(ValueError, match="expected input to be 3D or 4D, got 2D instead"):
        nn.Softmax2d()(x[0, 0])


def test_implicit_softmax_dim():
    x = randn(2, 3, 4, seed=12)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax has been deprecated"):
        out = F.softmax(x)
    np.testing.assert_allclose(out.numpy(), _softmax(x.numpy(), 0))
    with pytest.warns(UserWarning, match="log_softmax"):
        F.log_softmax(x[0])
    assert F.softmax(x, 2, dtype=rstorch.float32).dtype is rstorch.float32


def test_rrelu_training_draws_and_gradient():
    x = randn(4, 5, seed=13, scale=2.0).float().requires_grad_()
    rstorch.manual_seed(5)
    out = F.rrelu(x, 0.1, 0.3, training=True)
    slope = (out / x).detach()
    neg = x.detach() <= 0
    assert bool(((slope[neg] >= 0.1) & (slope[neg] <= 0.3)).all()) and bool((slope[~neg] == 1).all())
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), slope.numpy(), rtol=1e-6)
    rstorch.manual_seed(5)
    assert rstorch.equal(F.rrelu(x.detach(), 0.1, 0.3, training=True), out.detach())  # the same seed, the same draws


def test_gumbel_softmax():
    rstorch.manual_seed(0)
    logits = randn(3, 5, seed=14)
    y = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(y.sum(1).numpy(), np.ones(3))
    h = F.gumbel_softmax(logits.requires_grad_(), hard=True)
    assert sorted(set(h.detach().reshape(-1).tolist())) == [0.0, 1.0] and h.sum().item() == 3
    h.sum().backward()
    assert logits.grad is not None


def test_integer_inputs_keep_dtype():
    i = rstorch.tensor([-2, 0, 3, 9])
    assert F.relu(i).tolist() == [0, 0, 3, 9] and F.relu(i).dtype is rstorch.int64
    assert F.hardtanh(i).tolist() == [-1, 0, 1, 1] and F.relu6(i).tolist() == [0, 0, 3, 6]
    assert F.threshold(i, 1, 7).tolist() == [7, 7, 3, 9]
    with pytest.raises(NotImplementedError, match="\"elu_cpu\" not implemented for 'Long'"):
        F.elu(i)
