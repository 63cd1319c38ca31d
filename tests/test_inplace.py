"""Binary in-place ops (`add_`, `mul_`, `eq_`, `x += y` ...): values against numpy float64,
torch's dtype, shape and memory-overlap errors, version counting, views, and no lost updates
when several threads update one tensor in place."""

import threading

import numpy as np
import pytest

import rstorch as torch

PARTIAL = (
    "unsupported operation: some elements of the input tensor and the written-to tensor refer to a "
    "single memory location. Please clone() the tensor before performing the operation."
)
INTERNAL = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation."
)

FLOATS = [torch.float32, torch.float64]
INTS = [torch.int64, torch.int32, torch.int16]
NP = {
    torch.float32: np.float32,
    torch.float64: np.float64,
    torch.float16: np.float16,
    torch.int64: np.int64,
    torch.int32: np.int32,
    torch.int16: np.int16,
    torch.uint8: np.uint8,
    torch.bool: np.bool_,
}


def _np(t):
    return np.asarray(t.tolist(), dtype=NP[t.dtype])


def _trunc_div(a, b):
    return np.trunc(a.astype(np.float64) / b)


# method, numpy reference (on float64 / int64 arrays), dtypes, operand kind ("any", "nonzero", "shift")
OPS = [
    ("add_", np.add, FLOATS + INTS, "any"),
    ("sub_", np.subtract, FLOATS + INTS, "any"),
    ("mul_", np.multiply, FLOATS + INTS, "any"),
    ("div_", np.divide, FLOATS, "nonzero"),
    ("remainder_", np.remainder, FLOATS + INTS, "nonzero"),
    ("fmod_", np.fmod, FLOATS + INTS, "nonzero"),
    ("floor_divide_", np.floor_divide, FLOATS + INTS, "nonzero"),
    ("maximum_", np.maximum, FLOATS + INTS, "any"),
    ("minimum_", np.minimum, FLOATS + INTS, "any"),
    ("atan2_", np.arctan2, FLOATS, "any"),
    ("hypot_", np.hypot, FLOATS, "any"),
    ("bitwise_and_", np.bitwise_and, INTS, "any"),
    ("bitwise_or_", np.bitwise_or, INTS, "any"),
    ("bitwise_xor_", np.bitwise_xor, INTS, "any"),
    ("bitwise_left_shift_", np.left_shift, INTS, "shift"),
    ("bitwise_right_shift_", np.right_shift, INTS, "shift"),
    ("eq_", np.equal, FLOATS + INTS, "any"),
    ("ne_", np.not_equal, FLOATS + INTS, "any"),
    ("lt_", np.less, FLOATS + INTS, "any"),
    ("le_", np.less_equal, FLOATS + INTS, "any"),
    ("gt_", np.greater, FLOATS + INTS, "any"),
    ("ge_", np.greater_equal, FLOATS + INTS, "any"),
    ("logical_and_", np.logical_and, FLOATS + INTS, "any"),
    ("logical_xor_", np.logical_xor, FLOATS + INTS, "any"),
]

CASES = [(name, ref, dt, kind) for (name, ref, dts, kind) in OPS for dt in dts]


def _values(rng, shape, dtype, kind):
    if kind == "shift":
        v = rng.integers(0, 6, size=shape)
    elif dtype.is_floating_point:
        v = np.round(rng.uniform(-4, 4, size=shape), 2)
        if kind == "nonzero":
            v[v == 0] = 1.5
    else:
        v = rng.integers(-9, 10, size=shape)
        if kind == "nonzero":
            v[v == 0] = 3
    return v


def _reference(ref, a, b, dtype):
    """The expected result: computed in float64 (int64 for integers), cast to dtype."""
    wide = np.float64 if dtype.is_floating_point else np.int64
    # the inputs as the tensors hold them (rounded to dtype), then widened
    a, b = (np.asarray(v).astype(NP[dtype]).astype(wide) for v in (a, b))
    r = ref(a, b)
    return np.asarray(r).astype(NP[dtype])


def _check(got, want, dtype):
    g = _np(got)
    if dtype.is_floating_point:
        np.testing.assert_allclose(g, want, rtol=1e-6 if dtype == torch.float32 else 1e-12, atol=1e-6)
    else:
        np.testing.assert_array_equal(g, want)


# destination layouts: (how to make a (3, 4) destination from a base array, name)
def _dst_contig(v, dtype):
    return torch.tensor(v.tolist(), dtype=dtype)


def _dst_transposed(v, dtype):
    return torch.tensor(v.T.tolist(), dtype=dtype).t()


def _dst_strided(v, dtype):
    wide = np.zeros((3, 8), dtype=v.dtype)
    wide[:, ::2] = v
    return torch.tensor(wide.tolist(), dtype=dtype)[:, ::2]


DSTS = [_dst_contig, _dst_transposed, _dst_strided]


# torch's methods that take no Python number as `other` (`x.atan2_(2.)` is a TypeError)
TENSOR_ONLY = {"atan2_", "arctan2_", "hypot_", "nextafter_", "maximum_", "minimum_", "fmax_", "fmin_",
               "logical_and_", "logical_or_", "logical_xor_"}

@pytest.mark.parametrize("name,ref,dtype,kind", CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
@pytest.mark.parametrize("make_dst", DSTS, ids=["contig", "transposed", "strided"])
def test_values_against_numpy(name, ref, dtype, kind, make_dst):
    rng = np.random.default_rng(abs(hash((name, str(dtype), make_dst.__name__))) % 2**32)
    a = _values(rng, (3, 4), dtype, "shift" if kind == "shift" else "any")
    operands = [
        _values(rng, (3, 4), dtype, kind),  # same shape
        _values(rng, (4,), dtype, kind),  # broadcast over rows
        _values(rng, (3, 1), dtype, kind),  # broadcast over columns
    ]
    for b in operands:
        x = make_dst(a, dtype)
        v0 = x._version
        y = torch.tensor(b.tolist(), dtype=dtype)
        r = getattr(x, name)(y)
        assert r is x
        assert x._version == v0 + 1
        assert x.dtype == dtype and x.shape == (3, 4)
        _check(x, _reference(ref, a, b, dtype), dtype)
    # a transposed operand
    b = _values(rng, (4, 3), dtype, kind)
    x = make_dst(a, dtype)
    getattr(x, name)(torch.tensor(b.tolist(), dtype=dtype).t())
    _check(x, _reference(ref, a, b.T, dtype), dtype)
    # a Python scalar and a 0-dim tensor operand
    s = 2 if kind == "shift" or not dtype.is_floating_point else 1.25
    for operand in (s, torch.tensor(s, dtype=dtype)):
        x = make_dst(a, dtype)
        if name in TENSOR_ONLY and not isinstance(operand, torch.Tensor):
            with pytest.raises(TypeError, match=f"{name}\\(\\): argument 'other' \\(position 1\\) must be Tensor"):
                getattr(x, name)(operand)
            continue
        getattr(x, name)(operand)
        _check(x, _reference(ref, a, np.asarray(s), dtype), dtype)


def test_alpha_forms():
    a = np.array([[1.5, -2.0, 3.25], [0.5, 4.0, -1.0]])
    b = np.array([0.25, -1.5, 2.0])
    for dtype in FLOATS:
        x = torch.tensor(a.tolist(), dtype=dtype)
        x.add_(torch.tensor(b.tolist(), dtype=dtype), alpha=2.5)
        _check(x, a + 2.5 * b, dtype)
        x = torch.tensor(a.tolist(), dtype=dtype).t()
        x.sub_(torch.tensor([1.0, 2.0], dtype=dtype), alpha=-3)
        _check(x, a.T + 3 * np.array([1.0, 2.0]), dtype)
    x = torch.tensor([[1, 2], [3, 4]])
    x.sub_(torch.tensor([10, 20]), alpha=3)
    assert x.tolist() == [[-29, -58], [-27, -56]]
    x.add_(5, alpha=2)
    assert x.tolist() == [[-19, -48], [-17, -46]]
    with pytest.raises(RuntimeError, match="For integral input tensors, argument alpha must not be a floating point number."):
        x.add_(1, alpha=0.5)


def test_div_rounding_modes_and_floats():
    a = np.array([7.0, -7.0, 7.5, -0.5])
    b = np.array([2.0, 2.0, -2.0, 3.0])
    x = torch.tensor(a.tolist())
    x.div_(torch.tensor(b.tolist()), rounding_mode="trunc")
    _check(x, np.trunc(a / b), torch.float32)
    x = torch.tensor(a.tolist(), dtype=torch.float64)
    x.div_(torch.tensor(b.tolist(), dtype=torch.float64), rounding_mode="floor")
    _check(x, np.floor(a / b), torch.float64)
    x = torch.tensor([7, -7, 9, -9])
    x.div_(2, rounding_mode="trunc")
    assert x.tolist() == [3, -3, 4, -4]
    x = torch.tensor([7, -7, 9, -9])
    x.div_(torch.tensor([2, 2, -4, 4]), rounding_mode="floor")
    assert x.tolist() == [3, -4, -3, -3]
    x = torch.tensor([1.0, 2.0])
    x /= 4
    assert x.tolist() == [0.25, 0.5]
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        torch.tensor([1, 2]).remainder_(torch.tensor([1, 0]))


def test_augmented_operators():
    a = np.array([[5, -3, 8], [1, 0, -7]])
    ops = [
        (lambda x, y: x.__iadd__(y), np.add),
        (lambda x, y: x.__isub__(y), np.subtract),
        (lambda x, y: x.__imul__(y), np.multiply),
        (lambda x, y: x.__imod__(y), np.remainder),
        (lambda x, y: x.__ifloordiv__(y), np.floor_divide),
        (lambda x, y: x.__iand__(y), np.bitwise_and),
        (lambda x, y: x.__ior__(y), np.bitwise_or),
        (lambda x, y: x.__ixor__(y), np.bitwise_xor),
        (lambda x, y: x.__ilshift__(y), np.left_shift),
        (lambda x, y: x.__irshift__(y), np.right_shift),
    ]
    b = np.array([3, 1, 2])
    for f, ref in ops:
        x = torch.tensor(a.tolist())
        keep = x
        v0 = x._version
        f(x, torch.tensor(b.tolist()))
        assert x is keep and x._version == v0 + 1
        np.testing.assert_array_equal(_np(x), ref(a, b))
    x = torch.tensor([1.0, 2.0, 3.0])
    y = x
    x += 1
    x -= torch.tensor([0.5, 0.5, 0.5])
    x *= 2
    x **= 2
    assert y is x and x.tolist() == [9.0, 25.0, 49.0]


def test_promotion_in_place():
    # float16 self with a float32 operand computes in float32 and rounds once: 1 + 2**-11 +
    # 2**-22 rounds up to the next float16 (1.0009765625); rounding the operand to float16
    # first would give the tie 1 + 2**-11 and round to 1.0
    x = torch.tensor([1.0], dtype=torch.float16)
    x.add_(torch.tensor([2.0**-11 + 2.0**-22], dtype=torch.float32))
    assert x.tolist() == [1.0009765625] and x.dtype == torch.float16
    # float32 self with a float64 operand
    x = torch.tensor([1.0, 2.0])
    x.mul_(torch.tensor([1.0 / 3.0, 0.1], dtype=torch.float64))
    assert x.dtype == torch.float32
    np.testing.assert_array_equal(_np(x), np.array([1.0 / 3.0, 0.2], dtype=np.float64).astype(np.float32))
    # int self with an int32 tensor and a bool tensor
    x = torch.tensor([1, 2, 3])
    x.add_(torch.tensor([1, 1, 1], dtype=torch.int32))
    x.mul_(torch.tensor([True, False, True]))
    assert x.tolist() == [2, 0, 4] and x.dtype == torch.int64
    # comparisons write their bools as self's dtype; an int self compares in float
    x = torch.tensor([1, 2, 3])
    x.lt_(2.5)
    assert x.tolist() == [1, 1, 0] and x.dtype == torch.int64
    x = torch.tensor([True, False])
    x.eq_(torch.tensor([1.0, 1.0]))
    assert x.tolist() == [True, False]
    # float self, int operand
    x = torch.tensor([1.5, 2.5])
    x.add_(torch.tensor([1, 2]))
    assert x.tolist() == [2.5, 4.5]


@pytest.mark.parametrize(
    "make,msg",
    [
        (lambda: torch.tensor([1, 2]).mul_(2.5), "result type Float can't be cast to the desired output type Long"),
        (lambda: torch.tensor([1, 2]).div_(2), "result type Float can't be cast to the desired output type Long"),
        (lambda: torch.tensor([1, 2]).add_(torch.tensor([0.5, 1.0])), "result type Float can't be cast to the desired output type Long"),
        (lambda: torch.tensor([True]).add_(1), "result type Long can't be cast to the desired output type Bool"),
        (lambda: torch.tensor([1, 2], dtype=torch.int32).atan2_(torch.tensor([1, 1], dtype=torch.int32)), "result type Float can't be cast to the desired output type Int"),
        (lambda: torch.zeros(3).add_(torch.ones(2, 3)), r"output with shape \[3\] doesn't match the broadcast shape \[2, 3\]"),
        (lambda: torch.zeros(2, 1).mul_(torch.ones(3)), r"output with shape \[2, 1\] doesn't match the broadcast shape \[2, 3\]"),
        (lambda: torch.zeros(()).add_(torch.ones(1)), r"output with shape \[\] doesn't match the broadcast shape \[1\]"),
        (lambda: torch.zeros(1, 3).expand(2, 3).add_(1), INTERNAL),
    ],
)
def test_errors(make, msg):
    with pytest.raises(RuntimeError, match=msg if msg not in (INTERNAL,) else None) as e:
        make()
    if msg == INTERNAL:
        assert str(e.value) == INTERNAL


def test_incompatible_shapes():
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(3\) must match the size of tensor b \(4\) at non-singleton dimension 1"):
        torch.zeros(2, 3).add_(torch.ones(4))


def test_overlap():
    x = torch.arange(9.0).reshape(3, 3)
    with pytest.raises(RuntimeError) as e:
        x.add_(x.t())
    assert str(e.value) == PARTIAL
    assert x.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]]
    y = torch.arange(5.0)
    with pytest.raises(RuntimeError) as e:
        y[1:].add_(y[:-1])
    assert str(e.value) == PARTIAL
    with pytest.raises(RuntimeError) as e:
        x.mul_(x[0])
    assert str(e.value) == PARTIAL
    # full overlap is fine
    x.add_(x)
    assert x.tolist() == [[0.0, 2.0, 4.0], [6.0, 8.0, 10.0], [12.0, 14.0, 16.0]]
    z = torch.arange(4.0)
    z.mul_(z)
    assert z.tolist() == [0.0, 1.0, 4.0, 9.0]
    # disjoint views of one storage are fine
    w = torch.arange(6.0).reshape(2, 3)
    w[0].add_(w[1])
    assert w.tolist() == [[3.0, 5.0, 7.0], [3.0, 4.0, 5.0]]
    # a non-dense aliasing operand is let through (torch does not analyse it) and reads the
    # values from before the op
    v = torch.arange(6.0)
    v[::2].add_(v[1::2])
    assert v.tolist() == [1.0, 1.0, 5.0, 3.0, 9.0, 5.0]
    m = torch.arange(4.0).reshape(2, 2)
    m[:, 0].sub_(m[:, 1])
    assert m.tolist() == [[-1.0, 1.0], [-1.0, 3.0]]


def test_views_see_the_change_and_version():
    base = torch.zeros(3, 4)
    row = base[1]
    col = base[:, 2]
    v0 = base._version
    row.add_(torch.arange(4.0))
    assert base._version == v0 + 1 and row._version == v0 + 1
    assert base.tolist()[1] == [0.0, 1.0, 2.0, 3.0]
    assert col.tolist() == [0.0, 2.0, 0.0]
    col.mul_(10)
    assert base.tolist() == [[0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 20.0, 3.0], [0.0, 0.0, 0.0, 0.0]]
    assert base._version == v0 + 2
    t = base.t()
    t += 1
    assert base._version == v0 + 3
    assert base.tolist()[1] == [1.0, 2.0, 21.0, 4.0]
    # a failed op does not bump the version
    with pytest.raises(RuntimeError):
        base.add_(torch.ones(5))
    assert base._version == v0 + 3


def test_empty_in_place():
    x = torch.zeros(0, 3)
    x.add_(torch.ones(3))
    assert x.shape == (0, 3)


@pytest.mark.parametrize(
    "update",
    [
        lambda z, one: z.add_(one),
        lambda z, one: z.add_(1.0),
        lambda z, one: z.__iadd__(one),
        lambda z, one: z.sub_(one, alpha=-1),
    ],
    ids=["add_tensor", "add_scalar", "iadd", "sub_alpha"],
)
def test_threads_do_not_lose_updates(update):
    z = torch.zeros(100_000)
    one = torch.ones(100_000)

    def work():
        for _ in range(50):
            update(z, one)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = _np(z)
    assert (got == 200.0).all(), (got.min(), got.max())
