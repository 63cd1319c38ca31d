"""Unary elementwise ops (the op table, tests/opinfo/unary.py, runs in tests/test_ops.py):
torch's semantics (result dtypes,
errors and their messages, in-place and out= behaviour, special values). Expected values
marked "torch" were produced with PyTorch 2.x and are written in as literals."""

import math

import numpy as np
import pytest

import rstorch


def t(values, dtype=None):
    return rstorch.tensor(values, dtype=dtype)


nan, inf = math.nan, math.inf


# ------------------------------------------------------------------ dtypes and errors


@pytest.mark.parametrize("dtype", [rstorch.int64, rstorch.int8, rstorch.uint8, rstorch.bool])
def test_int_inputs_to_float_ops_give_float32(dtype):
    x = t([1, 0, 1], dtype)
    for name in ["exp", "log", "sqrt", "sin", "sigmoid", "erf", "reciprocal", "logit", "erfinv"]:
        assert getattr(rstorch, name)(x).dtype is rstorch.float32, name


def test_square_of_bool_is_int64():  # torch
    r = rstorch.square(t([True, False]))
    assert r.dtype is rstorch.int64 and r.tolist() == [1, 0]


@pytest.mark.parametrize("call,exc,msg", [
    (lambda: rstorch.abs(t([True])), NotImplementedError, "\"abs_cpu\" not implemented for 'Bool'"),
    (lambda: t([True]).neg(), NotImplementedError, "Negation, the `-` operator, on a bool tensor is not supported."),
    (lambda: rstorch.floor(t([True])), NotImplementedError, "\"floor_vml_cpu\" not implemented for 'Bool'"),
    (lambda: rstorch.frac(t([1])), NotImplementedError, "\"frac_cpu\" not implemented for 'Long'"),
    (lambda: rstorch.round(t([1]), decimals=1), NotImplementedError, "\"round_cpu\" not implemented for 'Long'"),
    # round(decimals=) is another overload, without round()'s pass-through of integers
    (lambda: rstorch.round(t([1]), decimals=0), NotImplementedError, "\"round_vml_cpu\" not implemented for 'Long'"),
    (lambda: t([1], dtype=rstorch.uint8).round(decimals=0), NotImplementedError, "\"round_vml_cpu\" not implemented for 'Byte'"),
    (lambda: t([1], dtype=rstorch.int32).round_(decimals=0), NotImplementedError, "\"round_vml_cpu\" not implemented for 'Int'"),
    (lambda: rstorch.round(t([1]), decimals=0, out=t([0])), NotImplementedError, "\"round_vml_cpu\" not implemented for 'Long'"),
    (lambda: rstorch.round(t([True])), NotImplementedError, "\"round_vml_cpu\" not implemented for 'Bool'"),
    (lambda: rstorch.bitwise_not(t([1.0])), NotImplementedError, "\"bitwise_not_cpu\" not implemented for 'Float'"),
    (lambda: rstorch.bitwise_not(t([1.0], rstorch.float64)), NotImplementedError, "'Double'"),
    (lambda: rstorch.relu(t([True])), NotImplementedError, "Boolean inputs not supported for relu"),
    (lambda: rstorch.positive(t([True])), NotImplementedError, "The `+` operator, on a bool tensor is not supported."),
    (lambda: ~t([1.0]), TypeError, "~ (operator.invert) is only implemented on integer and Boolean-type tensors"),
    (lambda: rstorch.exp(2.0), TypeError, "exp(): argument 'input' (position 1) must be Tensor, not float"),
    (lambda: t([1.0]).round(1), TypeError, ""),
    (lambda: rstorch.isnan(t([1.0]), out=t([True])), TypeError, "unexpected keyword argument 'out'"),
])
def test_errors(call, exc, msg):
    with pytest.raises(exc) as e:
        call()
    assert msg in str(e.value)


def test_round_of_integers():  # torch
    assert rstorch.round(t([15, -35])).tolist() == [15, -35]
    assert t([15, 25], dtype=rstorch.uint8).round().tolist() == [15, 25]
    assert rstorch.round(t([1.25, 2.5]), decimals=0).tolist() == [1.0, 2.0]
    assert rstorch.round(t([1.25, 15.0]), decimals=-1).tolist() == [0.0, 20.0]


def test_not_implemented_is_a_runtime_error():
    # torch's NotImplementedError derives from RuntimeError too
    with pytest.raises(RuntimeError):
        rstorch.abs(t([True]))


# ------------------------------------------------------------------ values torch gives


def test_special_values():  # torch
    x = t([nan, -0.0, 0.0, -3.0, 2.0])
    assert rstorch.sign(x).tolist() == [0.0, 0.0, 0.0, -1.0, 1.0]
    assert rstorch.sgn(x).tolist() == [0.0, 0.0, 0.0, -1.0, 1.0]
    assert rstorch.log(t([0.0, -1.0, 4.0])).tolist()[:1] == [-inf]
    assert math.isnan(rstorch.log(t([-1.0])).item())
    assert rstorch.rsqrt(t([0.0, 4.0])).tolist() == [inf, 0.5]
    assert rstorch.reciprocal(t([0, 2])).tolist() == [inf, 0.5]
    assert rstorch.sigmoid(t([-100.0, 100.0])).tolist() == [0.0, 1.0]
    assert math.isnan(rstorch.sigmoid(t([nan])).item())
    r = rstorch.frac(t([1.5, -1.5, inf, nan])).tolist()
    assert r[:2] == [0.5, -0.5] and math.isnan(r[2]) and math.isnan(r[3])
    r = rstorch.trunc(t([1.5, -1.5, -0.5]))
    assert r.tolist() == [1.0, -1.0, -0.0] and math.copysign(1, r[2].item()) == -1
    assert rstorch.abs(t([-0.0])).tolist() == [0.0] and math.copysign(1, rstorch.abs(t([-0.0])).item()) == 1
    r = rstorch.relu(t([nan, -1.0, 2.0])).tolist()
    assert math.isnan(r[0]) and r[1:] == [0.0, 2.0]
    assert rstorch.exp2(t([3, 10])).tolist() == [8.0, 1024.0]


def test_integer_wraparound():  # torch
    assert rstorch.abs(t([-128], rstorch.int8)).tolist() == [-128]
    assert t([1, 200], rstorch.uint8).neg().tolist() == [255, 56]
    assert rstorch.square(t([150], rstorch.int16)).tolist() == [22500]
    assert rstorch.square(t([3], rstorch.int8) * 50).tolist() == [-28]
    assert rstorch.sign(t([0, 200], rstorch.uint8)).tolist() == [0, 1]
    assert rstorch.relu(t([-1, 2], rstorch.int64)).tolist() == [0, 2]
    assert rstorch.bitwise_not(t([0, 255], rstorch.uint8)).tolist() == [255, 0]
    assert (~t([True, False])).tolist() == [False, True]
    assert (~t([0, 1, 2])).tolist() == [-1, -2, -3]
    assert rstorch.floor(t([3, -2])).tolist() == [3, -2]


def test_round_half_to_even():  # torch
    assert rstorch.round(t([2.5, 3.5, -2.5, 0.5, 1.5])).tolist() == [2.0, 4.0, -2.0, 0.0, 2.0]
    r = rstorch.round(t([1.2345, 2.5, 1234.5, -0.5]), decimals=2).tolist()
    assert np.allclose(r, [1.23, 2.5, 1234.5, -0.5])
    assert rstorch.round(t([1234.5, 1250.0, 1350.0]), decimals=-2).tolist() == [1200.0, 1200.0, 1400.0]
    assert t([2.5, 3.5]).round(decimals=0).tolist() == [2.0, 4.0]


def test_logit():  # torch
    r = rstorch.logit(t([0.0, 0.1, 0.5, 1.0, 1.2])).tolist()
    assert r[0] == -inf and r[3] == inf and math.isnan(r[4])
    assert np.allclose(r[1:3], [-2.1972246, 0.0])
    r = rstorch.logit(t([0.0, 0.1, 0.5, 1.0, 1.2]), eps=0.2).tolist()
    assert np.allclose(r, [-1.3862944, -1.3862944, 0.0, 1.3862944, 1.3862944])
    assert np.allclose(t([0.5, 0.95]).logit(0.1).tolist(), [0.0, 2.1972246])


def test_erfinv():  # torch
    x = [-0.999, -0.5, 0.0, 0.1, 0.9, 0.999999]
    want = [-2.3267537655135246, -0.4769362762044699, 0.0, 0.08885599049425769, 1.1630871536766743, 3.458910737275499]
    got = rstorch.erfinv(rstorch.tensor(np.array(x))).tolist()
    np.testing.assert_allclose(got, want, rtol=1e-11)  # the tail is ill-conditioned
    r = rstorch.erfinv(t([-1.0, 1.0, 1.5])).tolist()
    assert r[:2] == [-inf, inf] and math.isnan(r[2])


@pytest.mark.parametrize("dtype,big", [  # torch
    (rstorch.float32, 3.4028234663852886e38), (rstorch.float64, 1.7976931348623157e308),
    (rstorch.float16, 65504.0), (rstorch.bfloat16, 3.3895313892515355e38)])
def test_nan_to_num_defaults(dtype, big):
    r = rstorch.nan_to_num(t([nan, inf, -inf, 1.0], dtype))
    assert r.dtype is dtype and r.tolist() == [0.0, big, -big, 1.0]


def test_nan_to_num_values():  # torch
    x = t([nan, inf, -inf, 1.0])
    assert rstorch.nan_to_num(x, nan=2.0, posinf=1e40, neginf=-3).tolist() == [2.0, inf, -3.0, 1.0]
    assert x.nan_to_num(1.0, 2.0, 3.0).tolist() == [1.0, 2.0, 3.0, 1.0]
    assert rstorch.nan_to_num(t([1, 2]), nan=2.0, posinf=1.5).tolist() == [1, 2]
    assert rstorch.nan_to_num(t([True])).tolist() == [True]


def test_predicates():
    x = t([nan, inf, -inf, 0.0, 1.0])
    assert rstorch.isnan(x).tolist() == [True, False, False, False, False]
    assert rstorch.isinf(x).tolist() == [False, True, True, False, False]
    assert rstorch.isposinf(x).tolist() == [False, True, False, False, False]
    assert rstorch.isneginf(x).tolist() == [False, False, True, False, False]
    assert rstorch.isfinite(x).tolist() == [False, False, False, True, True]
    assert rstorch.isreal(x).tolist() == [True] * 5
    assert rstorch.logical_not(x).tolist() == [False, False, False, True, False]
    assert x.isnan().dtype is rstorch.bool
    assert rstorch.isfinite(t([1, 2])).tolist() == [True, True]


def test_positive_is_the_same_tensor():  # torch: torch.positive(x) is x
    x = t([1.0, -2.0])
    assert rstorch.positive(x) is x and x.positive() is x


def test_aliases():
    x = t([-0.5, 0.25])
    for alias, name in [("absolute", "abs"), ("arcsin", "asin"), ("arccos", "acos"), ("arctan", "atan"),
                        ("arcsinh", "asinh"), ("arctanh", "atanh"), ("fix", "trunc")]:
        assert getattr(rstorch, alias)(x).tolist() == getattr(rstorch, name)(x).tolist()
        assert getattr(x, alias)().tolist() == getattr(x, name)().tolist()
    assert rstorch.arccosh(t([2.0])).tolist() == rstorch.acosh(t([2.0])).tolist()
    assert x.negative().tolist() == [0.5, -0.25]
    assert abs(x).tolist() == [0.5, 0.25]


# ------------------------------------------------------------------ in-place and out=


def test_inplace_forms():
    x = t([1.0, 4.0])
    y = x.sqrt_()
    assert y is x and x.tolist() == [1.0, 2.0]
    v = x._version
    rstorch.exp_(x)
    assert x._version > v
    np.testing.assert_allclose(x.tolist(), [math.e, math.e ** 2], rtol=1e-6)
    i = t([-1, 2])
    assert i.abs_().tolist() == [1, 2] and i.dtype is rstorch.int64
    f = t([0.0, 2.0])
    assert f.logical_not_().tolist() == [1.0, 0.0] and f.dtype is rstorch.float32
    h = t([0.5, -1.5], rstorch.float16)
    assert h.relu_().tolist() == [0.5, 0.0]
    assert t([2.5]).round_(decimals=0).tolist() == [2.0]
    assert t([0.5]).logit_().tolist() == [0.0]
    assert t([nan]).nan_to_num_(nan=3.0).tolist() == [3.0]


def test_inplace_on_views_writes_through():
    base = rstorch.zeros(4, 3)
    col = base[:, 1]
    col.add_(4.0)
    col.sqrt_()
    assert base[:, 1].tolist() == [2.0] * 4 and base[:, 0].tolist() == [0.0] * 4


@pytest.mark.parametrize("call,msg", [  # torch
    (lambda: t([1, 2]).exp_(), "result type Float can't be cast to the desired output type Long"),
    (lambda: t([True]).exp_(), "result type Float can't be cast to the desired output type Bool"),
    (lambda: t([True]).square_(), "result type Long can't be cast to the desired output type Bool"),
    (lambda: t([1.0]).expand(3).exp_(), "unsupported operation: more than one element of the written-to tensor refers to a single memory location."),
])
def test_inplace_errors(call, msg):
    with pytest.raises(RuntimeError) as e:
        call()
    assert msg in str(e.value)


def test_out():
    x = t([0.5, 1.0])
    out = rstorch.empty(2)
    r = rstorch.exp(x, out=out)
    assert r is out
    np.testing.assert_allclose(out.tolist(), np.exp([0.5, 1.0]), rtol=1e-6)
    o64 = rstorch.empty(2, dtype=rstorch.float64)
    rstorch.exp(x, out=o64)  # torch: a float op may write any float dtype
    assert o64.dtype is rstorch.float64
    big = rstorch.empty(5)
    rstorch.sin(x, out=big)  # torch resizes out to the result's shape
    assert tuple(big.shape) == (2,)
    rstorch.exp(x, out=x)  # out aliasing the input
    np.testing.assert_allclose(x.tolist(), np.exp([0.5, 1.0]), rtol=1e-6)
    b = rstorch.empty(2, dtype=rstorch.int16)
    rstorch.logical_not(t([0.0, 1.0]), out=b)
    assert b.tolist() == [1, 0]


@pytest.mark.parametrize("call,msg", [  # torch
    (lambda: rstorch.exp(t([1]), out=rstorch.empty(1, dtype=rstorch.int64)), "result type Float can't be cast to the desired output type Long"),
    (lambda: rstorch.abs(t([1.0]), out=rstorch.empty(1, dtype=rstorch.float64)), "Found dtype Double but expected Float"),
    (lambda: rstorch.floor(t([1]), out=rstorch.empty(1, dtype=rstorch.int32)), "Found dtype Int but expected Long"),
    (lambda: rstorch.nan_to_num(t([1.0]), out=rstorch.empty(1, dtype=rstorch.float64)), "nan_to_num: dtype of out: Double should be same as input: Float"),
    (lambda: rstorch.isposinf(t([1.0]), out=rstorch.empty(1)), "isposinf does not support non-boolean outputs."),
    (lambda: rstorch.exp(t([1.0], rstorch.float32).requires_grad_(), out=rstorch.empty(1)),
     "exp(): functions with out=... arguments don't support automatic differentiation, but one of the arguments requires grad."),
])
def test_out_errors(call, msg):
    with pytest.raises(RuntimeError) as e:
        call()
    assert msg in str(e.value)


def test_square_out_may_narrow_ints():  # torch allows int64 -> int32 for square's out
    o = rstorch.empty(1, dtype=rstorch.int32)
    rstorch.square(t([3]), out=o)
    assert o.tolist() == [9]


# ------------------------------------------------------------------ layouts and sizes


def test_zero_dim_and_empty():
    r = rstorch.exp(t(2.0))
    assert r.shape == () and abs(r.item() - math.exp(2.0)) < 1e-5
    e = rstorch.sin(rstorch.empty(0, 3))
    assert tuple(e.shape) == (0, 3)
    assert rstorch.isnan(rstorch.empty(0)).dtype is rstorch.bool


def test_large_and_strided_match_numpy():
    # above the parallel grain, through the threaded and the blocked (strided) paths
    rng = np.random.default_rng(0)
    a = rng.uniform(-20, 20, size=(300, 700)).astype(np.float32)
    x = rstorch.tensor(a)
    for name, ref in [("exp", np.exp), ("tanh", np.tanh), ("sigmoid", lambda v: 1 / (1 + np.exp(-v))),
                      ("sin", np.sin), ("abs", np.abs)]:
        f = getattr(rstorch, name)
        want = ref(a.astype(np.float64))
        np.testing.assert_allclose(f(x).numpy(), want, rtol=3e-6, atol=1e-30, err_msg=name)
        np.testing.assert_allclose(f(x.t()).numpy(), want.T, rtol=3e-6, atol=1e-30, err_msg=name)
    y = x.clone() if hasattr(x, "clone") else rstorch.tensor(a)
    y.t().exp_()
    np.testing.assert_allclose(y.numpy(), np.exp(a.astype(np.float64)), rtol=3e-6)


def test_half_precision_large():
    a = np.linspace(-8, 8, 100_001)
    for dtype in (rstorch.float16, rstorch.bfloat16):
        x = rstorch.tensor(a, dtype=dtype)
        got = rstorch.exp(x).double().numpy()
        want = np.exp(x.double().numpy())
        np.testing.assert_allclose(got, want, rtol=1e-2 if dtype is rstorch.bfloat16 else 1e-3)


# ------------------------------------------------------------------ autograd hook


def test_ops_on_tensors_that_require_grad():
    # goes through the autograd hook (recording) and the in-place autograd path
    x = t([0.5, 0.25]).requires_grad_()
    np.testing.assert_allclose(x.exp().detach().numpy(), np.exp([0.5, 0.25]), rtol=1e-6)
    assert rstorch.isnan(x).tolist() == [False, False]
    assert x.logit(eps=0.1).shape == (2,)
    assert rstorch.nan_to_num(x, posinf=1.0).shape == (2,)
