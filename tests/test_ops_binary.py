"""Binary and ternary elementwise ops: torch-specific semantics (their op table,
tests/opinfo/binary.py, runs in tests/test_ops.py). Expected values in the semantics tests were
produced with torch 2.15 and written in as literals."""

import math

import numpy as np
import pytest

import rstorch

T = rstorch.tensor
nan, inf = math.nan, math.inf


def vals(t):
    return t.tolist()


def raises(exc, msg, fn):
    with pytest.raises(exc) as e:
        fn()
    assert str(e.value) == msg, str(e.value)


# ------------------------------------------------------------------ result dtypes


@pytest.mark.parametrize("make,dtype", [
    (lambda: T([2, 3]) ** 2.0, rstorch.float32),
    (lambda: 2 ** T([1, 2]), rstorch.int64),
    (lambda: 2.5 ** T([1, 2]), rstorch.float32),
    (lambda: T([True]) ** 2, rstorch.int64),
    (lambda: T([2.], dtype=rstorch.float16) ** T([2.], dtype=rstorch.bfloat16), rstorch.float32),
    (lambda: rstorch.float_power(T([2]), 2), rstorch.float64),
    (lambda: rstorch.atan2(T([1]), T([2])), rstorch.float32),
    (lambda: rstorch.copysign(T([True]), T([False])), rstorch.float32),
    (lambda: rstorch.xlogy(T([0, 1]), T([0, 2])), rstorch.float32),
    (lambda: rstorch.maximum(T([1, 2]), T([True, False])), rstorch.int64),
    (lambda: rstorch.logical_and(T([1., 0]), T([2, 3])), rstorch.bool),
    (lambda: T([True]) & 1, rstorch.int64),
    (lambda: T([True]) << 1, rstorch.int64),
    (lambda: rstorch.bitwise_xor(T([True]), T([1], dtype=rstorch.uint8)), rstorch.uint8),
    (lambda: rstorch.where(T([True, False]), 1, 2.5), rstorch.float32),
    (lambda: rstorch.where(T([True, False]), 1, 2), rstorch.int64),
    (lambda: rstorch.where(T([True, False]), T([1], dtype=rstorch.int32), 2.5), rstorch.float32),
    (lambda: rstorch.where(T([True]), T(1., dtype=rstorch.float64), T([2.])), rstorch.float32),
    (lambda: rstorch.where(T([True]), T([1], dtype=rstorch.int8), 5), rstorch.int8),
    (lambda: rstorch.where(T([True]), True, False), rstorch.bool),
    (lambda: rstorch.addcmul(T([1]), T([2.]), T([3])), rstorch.float32),
    (lambda: rstorch.clamp(T([1, 2, 3]), min=1.5), rstorch.float32),
    (lambda: rstorch.clamp(T([True, False]), min=0), rstorch.int64),
    (lambda: rstorch.clamp(T([1.]), min=T([0.], dtype=rstorch.float64)), rstorch.float64),
    (lambda: rstorch.ldexp(T([1]), T([3])), rstorch.float32),
    (lambda: rstorch.ldexp(T([1.], dtype=rstorch.float64), T([3])), rstorch.float64),
    (lambda: 5 // T([3]), rstorch.int64),
    (lambda: rstorch.div(T([5, -5]), 2, rounding_mode="floor"), rstorch.int64),
    (lambda: rstorch.true_divide(T([1]), T([2])), rstorch.float32),
])
def test_result_dtype(make, dtype):
    assert make().dtype is dtype


# ------------------------------------------------------------------ values from torch


def test_integer_division_family():
    assert vals(rstorch.div(T([5, -5]), T([2, 2]), rounding_mode="floor")) == [2, -3]
    assert vals(rstorch.div(T([-7], dtype=rstorch.int8), T([2], dtype=rstorch.int8), rounding_mode="floor")) == [-4]
    assert vals(rstorch.div(T([-128], dtype=rstorch.int8), T([-1], dtype=rstorch.int8), rounding_mode="floor")) == [-128]
    assert vals(T([5, -5]).floor_divide(2)) == [2, -3]
    assert vals(rstorch.remainder(T([-5], dtype=rstorch.uint8), T([3], dtype=rstorch.uint8))) == [2]
    assert vals(rstorch.remainder(5, T([3]))) == [2]
    assert vals(5 % T([3])) == [2]
    assert vals(rstorch.floor_divide(5, T([3]))) == [1]
    for f in (lambda: T([5, -5]) // T([0, 2]), lambda: T([5, -5]) % T([0, 2]), lambda: rstorch.fmod(T([5]), T([0])),
              lambda: rstorch.div(T([5, -5]), T([0, 2]), rounding_mode="trunc"), lambda: T([5]) // 0):
        raises(RuntimeError, "ZeroDivisionError", f)


def test_float_division_edge_values():
    assert vals(T([5., -5.]) // T([0., 2.])) == [inf, -3.0]
    r = vals(T([5., -5., -0.]) % T([0., 2., 3.]))
    assert math.isnan(r[0]) and r[1] == 1.0 and r[2] == 0.0 and math.copysign(1, r[2]) == -1
    assert math.isnan(vals(T([5]) % 0.0)[0])
    assert vals(rstorch.fmod(T([-5.]), T([3.]))) == [-2.0]
    assert vals(rstorch.div(T([5.]), T([0.]), rounding_mode="floor")) == [inf]


def test_pow_rules():
    assert vals(T([2, 3]) ** T([-1, -2])) == [0, 0]
    assert vals(T([1, -1, 2]) ** T([-1, -3, -2])) == [1, -1, 0]
    assert vals(rstorch.pow(T([2], dtype=rstorch.int8), T([9], dtype=rstorch.int8))) == [0]
    assert vals(rstorch.pow(2, T([1, 2]))) == [2, 4]
    assert vals(rstorch.pow(True, T([2]))) == [1]
    assert vals(T([2]) ** True) == [2]
    assert abs(vals(rstorch.pow(T([2]), -1.5))[0] - 0.35355339) < 1e-6
    raises(RuntimeError, "Integers to negative integer powers are not allowed.", lambda: T([2, 3]) ** -1)
    raises(NotImplementedError, "\"pow\" not implemented for 'Bool'", lambda: rstorch.pow(T([True, False]), T([True, True])))
    raises(RuntimeError, "the base given to float_power_ has dtype Float but the operation's result requires dtype Double",
           lambda: T([2.]).float_power_(2))
    x = T([2.], dtype=rstorch.float64)
    assert x.float_power_(2) is x and vals(x) == [4.0]


def test_unsupported_dtypes_raise_not_implemented():
    B = T([True, False])
    cases = [
        (lambda: rstorch.floor_divide(B, B), "\"div_floor_cpu\" not implemented for 'Bool'"),
        (lambda: rstorch.div(B, B, rounding_mode="trunc"), "\"div_trunc_cpu\" not implemented for 'Bool'"),
        (lambda: B % B, "\"remainder_cpu\" not implemented for 'Bool'"),
        (lambda: rstorch.fmod(B, B), "\"fmod_cpu\" not implemented for 'Bool'"),
        (lambda: rstorch.hypot(T([1]), T([2])), "\"hypot_cpu\" not implemented for 'Long'"),
        (lambda: rstorch.nextafter(T([1]), T([2])), "\"nextafter_cpu\" not implemented for 'Long'"),
        (lambda: T([1.]) & T([1.]), "\"bitwise_and_cpu\" not implemented for 'Float'"),
        (lambda: T([1.]) | T([1]), "\"bitwise_or_cpu\" not implemented for 'Float'"),
        (lambda: T([1]) ^ T([1.]), "\"bitwise_xor_cpu\" not implemented for 'Float'"),
        (lambda: T([1.]) << 1, "\"lshift_cpu\" not implemented for 'Float'"),
        (lambda: T([1]) >> T([1.]), "\"rshift_cpu\" not implemented for 'Float'"),
        (lambda: rstorch.lerp(T([1]), T([2]), 0.5), "\"lerp_kernel_scalar\" not implemented for 'Long'"),
        (lambda: B << B, "\"lshift_cpu\" not implemented for 'Bool'"),
        (lambda: rstorch.bitwise_right_shift(B, B), "\"rshift_cpu\" not implemented for 'Bool'"),
        (lambda: rstorch.addcmul(B, B, B), "\"addcmul_cpu_out\" not implemented for 'Bool'"),
        (lambda: B.clone().addcmul_(B, B), "\"addcmul_cpu_out\" not implemented for 'Bool'"),
    ]
    for f, msg in cases:
        raises(NotImplementedError, msg, f)
    # a bool operand shifted by (or shifting) an integer promotes and works
    assert vals(B >> 1) == [0, 0] and vals(T([4]) << T([True])) == [8]


def test_bool_subtraction_is_not_implemented():  # torch
    B, I = T([True, False]), T([1, 2])
    two = "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead."
    one = ("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, "
           "use the `~` or `logical_not()` operator instead.")
    for f, msg in [(lambda: B - B, two), (lambda: B.sub(B, alpha=2), two), (lambda: B.clone().sub_(B), two),
                   (lambda: B - I, one), (lambda: I - B, one), (lambda: B - 2, one), (lambda: 2 - B, one),
                   (lambda: I - True, one), (lambda: B - 1.5, one), (lambda: rstorch.sub(I, B), one)]:
        with pytest.raises(NotImplementedError) as e:
            f()
        assert str(e.value) == msg
    assert vals(I - 1) == [0, 1] and vals(B + B) == [True, False]


def test_bitwise_and_shifts():
    assert vals(T([3]) & 1) == [1] and vals(1 & T([3])) == [1] and vals(T([True]) & T([True])) == [True]
    assert vals(T([-8]) >> T([70])) == [-1]
    assert vals(T([1]) << T([64])) == [0]
    assert vals(T([1], dtype=rstorch.int8) << T([7], dtype=rstorch.int8)) == [-128]
    assert vals(T([-1]) << 1) == [-2]
    assert vals(T([5]) >> -1) == [0] and vals(T([5]) << -1) == [0]
    assert vals(T([True]) << 1) == [2]
    assert vals(1 << T([3])) == [8]
    assert vals(T([1], dtype=rstorch.uint8) >> T([9], dtype=rstorch.uint8)) == [0]
    assert vals(rstorch.bitwise_left_shift(1, T([3]))) == [8]
    x = T([6, 3])
    x &= 3
    x |= T([8, 8])
    x ^= 1
    x <<= 1
    x >>= 2
    assert vals(x) == [5, 5]


def test_nan_semantics_of_max_min_and_clamp():
    r = vals(rstorch.maximum(T([1., nan]), T([nan, 0.])))
    assert all(math.isnan(v) for v in r)
    assert vals(rstorch.fmax(T([1., nan]), T([nan, 0.]))) == [1.0, 0.0]
    assert vals(rstorch.fmax(T([1, 2]), T([3, 0]))) == [3, 2]
    assert all(math.isnan(v) for v in vals(rstorch.clamp(T([1., nan]), min=T([nan, 0.]))))
    assert all(math.isnan(v) for v in vals(rstorch.clamp(T([1., 2.]), min=nan)))
    assert math.isnan(vals(rstorch.clamp(T([nan]), max=1.))[0])
    assert math.isnan(vals(rstorch.clamp(T([1.]), min=1, max=nan))[0])
    assert vals(rstorch.clamp(T([1., 5]), min=3, max=2)) == [2.0, 2.0]
    assert vals(rstorch.clamp(T([1, 5]), min=2, max=3.5)) == [2.0, 3.5]
    assert vals(rstorch.clamp_min(T([1, 2]), 1.5)) == [1.5, 2.0]
    assert vals(rstorch.clip(T([1., 5]), -1, 2)) == [1.0, 2.0]
    raises(RuntimeError, "torch.clamp: At least one of 'min' or 'max' must not be None", lambda: rstorch.clamp(T([1, 2, 3])))


def test_transcendental_values():
    assert abs(vals(rstorch.atan2(T([1]), T([2])))[0] - 0.4636476) < 1e-6
    assert abs(vals(rstorch.hypot(T([1.]), T([2])))[0] - 2.236068) < 1e-6
    assert vals(rstorch.copysign(T([1]), T([-2]))) == [-1.0]
    assert vals(rstorch.copysign(T([1.]), -0.)) == [-1.0]
    r = vals(rstorch.xlogy(T([0., 0.]), T([nan, 0.])))
    assert math.isnan(r[0]) and r[1] == 0.0
    assert abs(vals(rstorch.xlogy(2, T([3.])))[0] - 2.1972246) < 1e-6
    assert vals(rstorch.nextafter(T([0.]), T([1.]))) == [1.401298464324817e-45]
    assert vals(rstorch.nextafter(T([0.], dtype=rstorch.float64), T([-1.], dtype=rstorch.float64))) == [-5e-324]
    assert vals(rstorch.nextafter(T([1.], dtype=rstorch.float16), T([2.], dtype=rstorch.float16))) == [1.0009765625]
    assert vals(rstorch.nextafter(T([1.], dtype=rstorch.bfloat16), T([2.], dtype=rstorch.bfloat16))) == [1.0078125]
    assert vals(rstorch.ldexp(T([1]), T([3]))) == [8.0]
    assert vals(T([1.5]).ldexp(T([2]))) == [6.0]
    assert abs(vals(rstorch.arctan2(T([0.]), T([-1.])))[0] - math.pi) < 1e-6


def test_where():
    assert vals(rstorch.where(T([True, False]), T([1., 2]), T([3., 4]))) == [1.0, 4.0]
    assert vals(rstorch.where(T([1, 0], dtype=rstorch.uint8), T([1., 2]), T([3., 4]))) == [1.0, 4.0]
    assert vals(T([1., 2]).where(T([True, False]), 0)) == [1.0, 0.0]
    assert vals(rstorch.where(T([[True], [False]]), T([1, 2]), -1)) == [[1, 2], [-1, -1]]
    raises(RuntimeError, "where expected condition to be a boolean tensor, but got a tensor with dtype Long",
           lambda: rstorch.where(T([1, 0]), T([1., 2]), T([3., 4])))
    raises(RuntimeError, "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0",
           lambda: rstorch.where(T([True, False]), T([1, 2, 3.]), 0.))


def test_lerp_addcmul_addcdiv():
    assert vals(rstorch.lerp(T([1.]), T([2.]), 2)) == [3.0]
    assert vals(rstorch.lerp(T([1., 2]), T([2., 3]), T([0.5]))) == [1.5, 2.5]
    assert vals(rstorch.lerp(T(1.), T([2.]), 0.5)) == [1.5]
    raises(RuntimeError, "expected dtype float for `end` but got dtype double",
           lambda: rstorch.lerp(T([1.]), T([2.], dtype=rstorch.float64), 0.5))
    raises(RuntimeError, "expected dtype float for `weight` but got dtype long int",
           lambda: rstorch.lerp(T([1.]), T([2.]), T([2])))
    assert vals(rstorch.addcmul(T([1]), T([2]), T([3]), value=2)) == [13]
    assert vals(rstorch.addcmul(T([1]), T([2]), T([3]), value=0.5)) == [1]
    assert vals(rstorch.addcmul(T([1], dtype=rstorch.int8), T([2], dtype=rstorch.int8),
                                T([100], dtype=rstorch.int8), value=2)) == [-111]
    assert vals(rstorch.addcmul(T([1.]), T([2.]), T([3.]), value=T(2.))) == [13.0]
    assert vals(rstorch.addcdiv(T([1.]), T([3.]), T([2.]), value=2)) == [4.0]
    with pytest.raises(RuntimeError, match="Integer division with addcdiv is no longer supported"):
        rstorch.addcdiv(T([1.]), T([2]), T([3]))
    x = T([1.])
    assert x.addcmul_(T([2]), T([3])) is x and vals(x) == [7.0]
    x.addcdiv_(T([1.]), T([2.]))
    x.lerp_(T([0.]), 0.5)
    assert vals(x) == [3.75]


def test_isclose_allclose_equal():
    assert vals(rstorch.isclose(T([1, 2]), T([1, 3]))) == [True, False]
    assert vals(rstorch.isclose(T([inf, inf, nan]), T([inf, -inf, nan]), equal_nan=True)) == [True, False, True]
    assert vals(rstorch.isclose(T([True]), T([True]))) == [True]
    assert vals(rstorch.isclose(T([1.], dtype=rstorch.float16), T([1.001], dtype=rstorch.float16))) == [False]
    assert vals(rstorch.isclose(T([1, 2]), T([1, 3]), rtol=0, atol=0)) == [True, False]
    assert vals(rstorch.isclose(T([1]), T([2]), atol=1.5)) == [True]
    raises(RuntimeError, "Float did not match Double", lambda: rstorch.isclose(T([1.]), T([1.], dtype=rstorch.float64)))
    raises(RuntimeError, "rtol must be greater than or equal to zero, but got -1", lambda: rstorch.isclose(T([1.]), T([1.]), rtol=-1))
    raises(RuntimeError, "atol must be greater than or equal to zero, but got -1", lambda: rstorch.isclose(T([1.]), T([1.]), atol=-1))
    assert rstorch.equal(T([1]), T([1.])) is True
    assert rstorch.equal(T([1, 2]), T([1])) is False
    assert rstorch.equal(T([True]), T([1])) is True
    assert rstorch.equal(T([nan]), T([nan])) is False
    assert rstorch.allclose(T([1, 2]), T([1, 2])) is True
    assert rstorch.allclose(T([1., 2.]), T([1., 2.1])) is False
    assert T([1., 2.]).allclose(T([1., 2. + 1e-7])) is True
    raises(RuntimeError, "Float did not match Double", lambda: rstorch.allclose(T([1.]), T([1.], dtype=rstorch.float64)))


def test_out_argument():
    out = T([0])
    assert rstorch.maximum(T([1]), T([2]), out=out) is out and vals(out) == [2]
    out = T([0.])
    rstorch.add(T([1]), T([2]), out=out)
    assert vals(out) == [3.0] and out.dtype is rstorch.float32
    out = T([0.])
    rstorch.logical_or(T([1.]), T([0.]), out=out)
    assert vals(out) == [1.0]
    out = T([[0., 0.]])
    rstorch.maximum(T([1.]), T([2.]), out=out)
    assert vals(out) == [2.0] and tuple(out.shape) == (1,)
    raises(RuntimeError, "result type Float can't be cast to the desired output type Long",
           lambda: rstorch.atan2(T([1]), T([2]), out=T([0])))
    raises(RuntimeError, "result type Float can't be cast to the desired output type Long",
           lambda: rstorch.pow(T([2.]), T([2.]), out=T([0])))
    out = T([0., 0.])
    rstorch.where(T([True, False]), 1., 2., out=out)
    assert vals(out) == [1.0, 2.0]
    out = T([0.])
    rstorch.clamp(T([5.]), 0, 1, out=out)
    assert vals(out) == [1.0]
    a = T([1.], requires_grad=True)
    raises(RuntimeError, "atan2(): functions with out=... arguments don't support automatic differentiation, "
           "but one of the arguments requires grad.", lambda: rstorch.atan2(a, T([1.]), out=T([0.])))


def test_inplace_methods():
    x = T([5., -5.])
    assert x.div_(2, rounding_mode="floor") is x and vals(x) == [2.0, -3.0]
    x = T([4, 9])
    x //= 2
    x %= 3
    assert vals(x) == [2, 1]
    x = T([2.])
    x **= 3
    assert vals(x) == [8.0]
    x = T([1., 5.])
    assert x.clamp_(min=2, max=4) is x and vals(x) == [2.0, 4.0]
    x.clamp_max_(3).clamp_min_(2.5)
    assert vals(x) == [2.5, 3.0]
    x = T([1, 2])
    raises(RuntimeError, "result type Float can't be cast to the desired output type Long", lambda: x.clamp_(min=1.5))
    raises(RuntimeError, "result type Float can't be cast to the desired output type Long", lambda: x.atan2_(T([1.])))
    x = T([1., -2.])
    x.maximum_(T([0., 0.]))
    x.copysign_(T([-1., -1.]))
    assert vals(x) == [-1.0, -0.0]
    b = T([True, False])
    b.logical_xor_(T([True, True]))
    assert vals(b) == [False, True]
    y = T([1., 2.])
    y.neg_()
    assert vals(y) == [-1.0, -2.0]
    raises(RuntimeError, "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found 'bad'",
           lambda: T([5]).div(2, rounding_mode="bad"))


def test_reflected_operators():
    x = T([1., 2., 4.])
    assert vals(2 - x) == [1.0, 0.0, -2.0]
    assert vals(1 / x) == [1.0, 0.5, 0.25]
    assert vals(2 ** x) == [2.0, 4.0, 16.0]
    assert vals(5 % x) == [0.0, 1.0, 1.0]
    assert vals(5 // x) == [5.0, 2.0, 1.0]
    i = T([1, 2, 4])
    assert vals(1 & i) == [1, 0, 0] and vals(3 | i) == [3, 3, 7] and vals(1 ^ i) == [0, 3, 5]
    assert vals(16 >> i) == [8, 4, 1]


def test_zero_dim_and_empty():
    z = rstorch.maximum(T(1.), T(3.))
    assert z.shape == () and z.item() == 3.0
    e = rstorch.where(rstorch.zeros(0, 3, dtype=rstorch.bool), rstorch.zeros(0, 3), 1.)
    assert tuple(e.shape) == (0, 3)
    assert tuple(rstorch.clamp(rstorch.zeros(0), 0, 1).shape) == (0,)
    assert rstorch.equal(rstorch.zeros(0), rstorch.zeros(0)) is True
    assert tuple((rstorch.zeros(2, 0) ** 2).shape) == (2, 0)


def test_non_differentiable_results_do_not_require_grad():
    a = T([1.5, -2.5], requires_grad=True)
    for r in (a > 0, rstorch.isclose(a, a), rstorch.logical_and(a, a)):
        assert not r.requires_grad


def test_rounded_quotients_record_like_torch():
    # div with a rounding mode: DivBackward2 with zero gradients; floor_divide (and //): a
    # NotImplemented node whose backward raises torch's error
    a = T([1.5, -2.5], requires_grad=True)
    b = T([2.0, 0.5], requires_grad=True)
    for mode in ("trunc", "floor"):
        r = a.div(b, rounding_mode=mode)
        assert type(r.grad_fn).__name__ == "DivBackward2"
        ga, gb = rstorch.autograd.grad(r.sum(), [a, b], create_graph=True)
        assert ga.tolist() == [0.0, 0.0] and gb.tolist() == [0.0, 0.0]
        assert not ga.requires_grad
        assert type(rstorch.div(a, 2, rounding_mode=mode).grad_fn).__name__ == "DivBackward2"
    c = a * 1
    c.div_(b, rounding_mode="floor")
    assert type(c.grad_fn).__name__ == "DivBackward2"
    c.sum().backward()
    assert a.grad.tolist() == [0.0, 0.0] and b.grad.tolist() == [0.0, 0.0]
    assert type(a.div(b).grad_fn).__name__ == "DivBackward0"
    for r in (a // 1, rstorch.floor_divide(a, b), 3 // a):
        assert r.requires_grad and type(r.grad_fn).__name__ == "NotImplemented"
        with pytest.raises(RuntimeError, match="derivative for aten::floor_divide is not implemented"):
            r.sum().backward()


def test_large_broadcast_and_strided_paths_agree_with_numpy():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((300, 257)).astype(np.float32)
    b = rng.standard_normal((257,)).astype(np.float32)
    ta, tb = T(a), T(b)
    np.testing.assert_allclose((ta * tb).numpy(), a * b, rtol=1e-6)
    np.testing.assert_allclose((ta.t() + 1).numpy(), a.T + 1, rtol=1e-6)
    np.testing.assert_array_equal(rstorch.where(ta > 0, ta, tb).numpy(), np.where(a > 0, a, b))
    np.testing.assert_allclose(rstorch.clamp(ta, -0.5, 0.5).numpy(), np.clip(a, -0.5, 0.5))
