"""Tests of the Python-level Tensor API: creation, attributes, indexing, dtype
promotion, reductions, repr and error types.  Expected values come from numpy
(float64) or from PyTorch 2.15 behaviour recorded by hand; torch is not imported.
"""

import math

import numpy as np
import pytest

import rstorch

L = rstorch


def z(v, dtype=None):
    """A genuinely 0-d tensor."""
    return L.full((), v, dtype=dtype)


def close(t, expected, rtol=1e-6, atol=1e-6):
    np.testing.assert_allclose(t.numpy().astype(np.float64), np.asarray(expected, dtype=np.float64),
                               rtol=rtol, atol=atol)


# ------------------------------------------------------------------ creation

@pytest.mark.parametrize("data,dtype", [
    ([1, 2], L.int64),
    ([1.0, 2], L.float32),
    ([True, False], L.bool),
    ([1, True], L.int64),
    ([], L.float32),
    (np.array([1, 2], dtype=np.int16), L.int16),
    (np.array([1, 2], dtype=np.uint8), L.uint8),
    (np.array([1, 2], dtype=np.float64), L.float64),
    (np.array([1, 2], dtype=np.float16), L.float16),
    (np.array([True]), L.bool),
    (np.float64(2.5), L.float64),
])
def test_tensor_dtype_inference(data, dtype):
    assert L.tensor(data).dtype is dtype


def test_tensor_values_and_explicit_dtype():
    t = L.tensor([[1, 2], [3, 4]], dtype=L.float64)
    assert t.dtype is L.float64
    assert t.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert L.tensor([1.5, -2.5], dtype=L.int32).tolist() == [1, -2]
    assert L.tensor([[]]).shape == (1, 0)


def test_tensor_python_floats_keep_double_precision():
    # Python floats are doubles: converted straight to the requested dtype, as in torch
    assert L.tensor(0.3, dtype=L.float64).item() == 0.3
    assert L.tensor([0.1, 0.7], dtype=L.float64).tolist() == [0.1, 0.7]
    assert L.tensor(0.3).item() == np.float32(0.3).item()
    assert L.tensor([0.1], dtype=L.float16).item() == 0.0999755859375


def test_tensor_converts_python_numbers_exactly():  # torch
    # each number goes straight to the dtype asked for: no float32 detour, ints exactly
    assert L.tensor([0.1], dtype=L.float64).item() == 0.1
    assert L.tensor(0.1, dtype=L.float64).item() == 0.1
    assert L.tensor([[1e39, 0.1]], dtype=L.float64).tolist() == [[1e39, 0.1]]
    assert L.tensor([0.1]).item() == 0.10000000149011612  # the default dtype: float32
    assert L.tensor([2**62 + 1, -2**63]).tolist() == [2**62 + 1, -2**63]
    assert L.tensor([1, 2**62 + 1, 0.5], dtype=L.int64).tolist() == [1, 2**62 + 1, 0]
    assert L.tensor([2**63], dtype=L.float64).item() == 2.0**63
    assert L.tensor([-1, True, 0.5, -1.5], dtype=L.int8).tolist() == [-1, 1, 0, -1]
    assert L.tensor([-1, -255], dtype=L.uint8).tolist() == [255, 1]  # ints wrap into uint8 from below
    assert L.tensor([70000.0, 1e39], dtype=L.float16).tolist() == [math.inf, math.inf]  # floats unchecked
    for data, dtype, name in [([300], L.uint8, "uint8"), ([-256], L.uint8, "uint8"), ([-0.5], L.uint8, "uint8"),
                              ([1e10], L.int32, "int32"), ([math.nan], L.int64, "int64"), ([2.0**63], L.int64, "int64"),
                              ([1, 2**62 + 1, 0.5], L.uint8, "uint8"), ([128], L.int8, "int8")]:
        with pytest.raises(RuntimeError, match=f"^value cannot be converted to type {name} without overflow$"):
            L.tensor(data, dtype=dtype)
    for data in ([2**63], [2**64], [-2**63 - 1], [[2**70, 1.5]]):
        for dtype in (None, L.int64, L.uint8):
            with pytest.raises(ValueError, match="Overflow when unpacking long long"):
                L.tensor(data, dtype=dtype)
    assert L.tensor([[2**70, 1.5]], dtype=L.float64).tolist() == [[2.0**70, 1.5]]  # floats take any int


def test_fill_values_must_fit_the_dtype():  # torch
    def overflow(ctype):
        return pytest.raises(RuntimeError, match=f"^value cannot be converted to type {ctype} without overflow$")
    u8 = L.zeros(2, dtype=L.uint8)
    mask, idx = L.tensor([True, False]), L.tensor([0])
    for ctype, dtype, value in [("uint8_t", L.uint8, 256), ("uint8_t", L.uint8, -256), ("uint8_t", L.uint8, -0.5),
                                ("int8_t", L.int8, 128), ("int16_t", L.int16, 1e10), ("int", L.int32, 2**31),
                                ("int64_t", L.int64, math.nan), ("int64_t", L.int64, 2.0**63),
                                ("c10::Half", L.float16, 65505), ("c10::BFloat16", L.bfloat16, 1e39),
                                ("float", L.float32, 1e39)]:
        x = L.zeros(2, dtype=dtype)
        with overflow(ctype):
            L.full((2,), value, dtype=dtype)
        with overflow(ctype):
            x.fill_(value)
        with overflow(ctype):
            x.masked_fill(mask, value)
        with overflow(ctype):
            x.masked_fill(mask, L.tensor(value, dtype=L.float64 if isinstance(value, float) else None))  # 0-dim too
        with overflow(ctype):
            x.index_fill_(0, idx, value)
        with overflow(ctype):
            x.scatter_(0, idx, value=value)
        with overflow(ctype):
            x[idx] = value
        with overflow(ctype):
            x[:] = value
        assert x.tolist() == [0, 0]
    with overflow("uint8_t"):
        L.where(mask, u8, 300)
    with overflow("uint8_t"):
        L.full_like(u8, 300)
    # in range (ints wrap into unsigned types from below; floats truncate; inf and NaN fit the
    # float types; bool takes anything)
    assert L.full((2,), -1, dtype=L.uint8).tolist() == [255, 255]
    assert L.full((2,), 255.9, dtype=L.uint8).tolist() == [255, 255]
    assert L.full((2,), -2**63, dtype=L.int64).tolist() == [-2**63] * 2
    assert L.full((2,), 65504, dtype=L.float16).tolist() == [65504.0] * 2
    assert L.zeros(2).fill_(math.inf).tolist() == [math.inf] * 2
    assert L.full((2,), 1e39, dtype=L.bool).tolist() == [True, True]
    # not checked: arithmetic, fill_ with a 0-dim tensor, and torch's one-element fill of half types
    assert (u8 + 300).tolist() == [44, 44]
    assert u8.clone().fill_(L.tensor(300)).tolist() == [44, 44]
    assert L.full((1,), 1e10, dtype=L.float16).tolist() == [math.inf]
    h = L.zeros(2, dtype=L.float16)
    h[0] = 1e10
    h[1:] = 1e10
    assert h.tolist() == [math.inf, math.inf]
    with pytest.raises(RuntimeError, match="c10::Half without overflow"):
        h[L.tensor([0])] = 1e10  # but an indexed assignment checks
    assert L.where(L.tensor([False, True]), h, 1e10).tolist() == [math.inf, math.inf]
    with pytest.raises(RuntimeError, match="float without overflow"):
        L.full((1,), 1e39, dtype=L.float32)


def test_float_to_int_conversion_out_of_range():  # torch on x86-64
    # a float that does not fit an integer type converts as x86's cvttsd2si does: to the
    # type's "indefinite" value (int32 MIN, whose low bits the narrower types keep: 0)
    vals = [math.inf, math.nan, -math.inf, 1e10, 3e9, 300.5, -1.5, 2.0**31, 2.0**63]
    f = L.tensor(vals, dtype=L.float64)
    lo32, lo64 = -2**31, -2**63
    assert f.to(L.int32).tolist() == [lo32, lo32, lo32, lo32, lo32, 300, -1, lo32, lo32]
    assert f.to(L.int64).tolist() == [lo64, lo64, lo64, 10**10, 3 * 10**9, 300, -1, 2**31, lo64]
    assert f.to(L.int16).tolist() == [0, 0, 0, 0, 0, 300, -1, 0, 0]
    assert f.to(L.uint8).tolist() == [0, 0, 0, 0, 0, 44, 255, 0, 0]
    assert f.float().to(L.int32).tolist() == f.to(L.int32).tolist()
    assert L.zeros(2, dtype=L.int32).fill_(L.tensor(1e10)).tolist() == [lo32, lo32]


@pytest.mark.parametrize("data", [3, 2.5, True, np.array(3.0), np.float32(2)])
def test_tensor_from_scalar_is_0d(data):
    assert L.tensor(data).shape == ()


def test_scalar_tensor_is_0d():
    assert L.scalar_tensor(3).shape == ()


def test_repr_of_tensor_scalar():
    assert repr(L.tensor(3.5)) == "tensor(3.5000)"


def test_tensor_from_list_of_0d_tensors():
    assert L.tensor([L.tensor(1), L.tensor(2)]).shape == (2,)


def test_tensor_copies_data():
    a = np.array([1.0, 2.0])
    t = L.tensor(a)
    a[0] = 10
    assert t.tolist() == [1.0, 2.0]
    src = L.tensor([1.0, 2.0])
    t2 = L.tensor(src)
    src.fill_(0)
    assert t2.tolist() == [1.0, 2.0]


def test_from_numpy_shares_memory():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = L.from_numpy(a)
    assert t.dtype is L.float32 and t.shape == (2, 3)
    a[0, 1] = 100
    assert t[0, 1].item() == 100
    t[1, 2] = -5
    assert a[1, 2] == -5
    n = t.numpy()
    n[0, 0] = 42
    assert a[0, 0] == 42
    assert L.from_numpy(np.array(3.0)).shape == ()


def test_from_numpy_noncontiguous_shares_memory():
    a = np.arange(12, dtype=np.int64).reshape(3, 4)[:, ::2]
    t = L.from_numpy(a)
    assert t.stride() == (4, 2)
    t.fill_(0)
    assert (a == 0).all()


def test_from_numpy_errors():
    with pytest.raises(TypeError):
        L.from_numpy([1, 2])
    with pytest.raises(ValueError):
        L.from_numpy(np.arange(3)[::-1])


def test_as_tensor_shares_memory():
    a = np.array([1, 2, 3], dtype=np.int32)
    t = L.as_tensor(a)
    assert t.dtype is L.int32
    t[0] = 7
    assert a[0] == 7
    a[2] = 9
    assert t[2].item() == 9
    # dtype conversion means a copy
    t2 = L.as_tensor(a, dtype=L.float64)
    t2[1] = 100
    assert a[1] == 2
    # tensor input is returned as is
    x = L.zeros(2)
    assert L.as_tensor(x) is x


def test_legacy_constructors():
    t = L.Tensor(2, 3)
    assert t.shape == (2, 3) and t.dtype is L.float32
    f = L.FloatTensor([1, 2])
    assert f.dtype is L.float32 and f.tolist() == [1.0, 2.0]
    assert L.LongTensor([1, 2]).dtype is L.int64
    assert L.Tensor([1, 2]).dtype is L.float32
    assert L.DoubleTensor([1]).dtype is L.float64
    assert L.BoolTensor([1, 0]).tolist() == [True, False]


def test_zeros_ones_full_empty():
    assert L.zeros(2, 3).tolist() == [[0.0] * 3] * 2
    assert L.zeros((2, 3)).shape == (2, 3)
    assert L.zeros([2, 3]).shape == (2, 3)
    assert L.zeros(()).shape == ()
    assert L.ones(3, dtype=L.int32).tolist() == [1, 1, 1]
    assert L.ones(3, dtype=L.int32).dtype is L.int32
    assert L.full((2,), 3).dtype is L.int64
    assert L.full((2,), 3.0).dtype is L.float32
    assert L.full((2,), True).dtype is L.bool
    assert L.full((2, 2), 7.5).tolist() == [[7.5, 7.5], [7.5, 7.5]]
    e = L.empty(2, 3)
    assert e.shape == (2, 3) and e.dtype is L.float32
    assert L.empty(0).numel() == 0


def test_like_functions():
    x = L.tensor([[1, 2], [3, 4]])
    assert L.zeros_like(x).dtype is L.int64
    assert L.zeros_like(x).tolist() == [[0, 0], [0, 0]]
    o = L.ones_like(x, dtype=L.float64)
    assert o.dtype is L.float64 and o.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert L.full_like(x, 2.7).tolist() == [[2, 2], [2, 2]]
    assert L.empty_like(L.zeros(2, 3)).shape == (2, 3)
    assert L.full_like(L.zeros(3), 2.5).tolist() == [2.5] * 3


def test_eye():
    close(L.eye(3), np.eye(3))
    close(L.eye(2, 3), np.eye(2, 3))
    assert L.eye(3).dtype is L.float32
    assert L.eye(2, dtype=L.int64).tolist() == [[1, 0], [0, 1]]


@pytest.mark.parametrize("args,kwargs,expected", [
    ((5,), {}, np.arange(5)),
    ((2, 7), {}, np.arange(2, 7)),
    ((0, 1, 0.25), {}, np.arange(0, 1, 0.25)),
    ((10, 0, -3), {}, np.arange(10, 0, -3)),
    ((0, 1, 0.1), {}, np.arange(0, 1, 0.1)),
])
def test_arange(args, kwargs, expected):
    t = L.arange(*args, **kwargs)
    assert t.shape == expected.shape
    close(t, expected)


def test_arange_dtypes_and_errors():
    assert L.arange(5).dtype is L.int64
    assert L.arange(5.0).dtype is L.float32
    assert L.arange(0, 5, 2, dtype=L.float64).dtype is L.float64
    with pytest.raises(RuntimeError):
        L.arange(0, 1, 0)


def test_linspace_logspace():
    close(L.linspace(0, 1, 5), np.linspace(0, 1, 5))
    close(L.linspace(-3, 7, 11), np.linspace(-3, 7, 11))
    close(L.linspace(0, 1, 1), [0.0])
    assert L.linspace(0, 1, 0).shape == (0,)
    assert L.linspace(0, 10, 5, dtype=L.int64).tolist() == [0, 2, 5, 7, 10]
    close(L.logspace(0, 2, 3), np.logspace(0, 2, 3), rtol=1e-5)
    close(L.logspace(0, 2, 3, base=2), np.logspace(0, 2, 3, base=2), rtol=1e-5)
    close(L.linspace(0, 1, 7, dtype=L.float64), np.linspace(0, 1, 7), rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------ attributes

def test_shape_and_size():
    t = L.zeros(2, 3)
    assert isinstance(t.shape, L.Size)
    assert isinstance(t.shape, tuple)
    assert repr(t.shape) == "rstorch.Size([2, 3])"
    assert str(t.shape) == "rstorch.Size([2, 3])"
    assert repr(L.zeros(()).shape) == "rstorch.Size([])"
    assert t.shape == (2, 3)
    assert t.size() == (2, 3) and isinstance(t.size(), L.Size)
    assert t.size(1) == 3 and t.size(-1) == 3 and t.size(0) == 2
    assert isinstance(t.shape[1:], L.Size)
    assert L.Size([2, 3]).numel() == 6
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.size(2)


def test_dim_numel_dtype_device():
    t = L.zeros(2, 3, 4)
    assert t.dim() == 3 and t.ndim == 3 and t.ndimension() == 3
    assert t.numel() == 24 and t.nelement() == 24 and L.numel(t) == 24
    assert t.dtype is L.float32
    assert repr(t.device) == "device(type='cpu')"
    assert t.device == L.device("cpu")
    assert t.is_cpu


def test_strides_offset_contiguity():
    t = L.zeros(2, 3, 4)
    assert t.stride() == (12, 4, 1)
    assert t.stride(1) == 4 and t.stride(-1) == 1
    assert t.storage_offset() == 0
    assert t.is_contiguous()
    u = t.transpose(0, 2)
    assert u.stride() == (1, 4, 12)
    assert not u.is_contiguous()
    assert u.contiguous().is_contiguous()
    assert u.contiguous().stride() == (6, 2, 1)
    assert t[1, :, 1:].storage_offset() == 13
    assert t[1, :, 1:].stride() == (4, 1)
    assert z(1.0).stride() == ()
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.stride(3)


def test_T_and_mT():
    t = L.arange(6).reshape(2, 3)
    assert t.T.shape == (3, 2)
    assert t.T.tolist() == [[0, 3], [1, 4], [2, 5]]
    assert t.t().tolist() == t.T.tolist()
    b = L.zeros(2, 3, 4)
    assert b.mT.shape == (2, 4, 3)
    assert b.mT.stride() == (12, 1, 4)
    assert z(1.0).t().shape == ()
    assert z(1.0).T.shape == ()
    with pytest.raises(RuntimeError):
        b.t()


def test_mT_of_0d():
    assert z(1.0).mT.shape == ()


def test_item_tolist_numpy():
    assert z(2.5).item() == 2.5
    assert isinstance(L.tensor([3]).item(), int)
    assert isinstance(L.tensor([True]).item(), bool)
    assert L.tensor([2.5]).item() == 2.5
    with pytest.raises(RuntimeError):
        L.tensor([1, 2]).item()
    assert z(2.5).tolist() == 2.5
    assert L.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert L.tensor([1, 2]).numpy().dtype == np.int64
    assert L.tensor([1, 2.5]).numpy().dtype == np.float32
    assert np.asarray(L.tensor([1, 2.5])).dtype == np.float32
    assert np.asarray(L.tensor([1, 2.5]), dtype=np.float64).dtype == np.float64
    assert np.array(L.tensor([[1, 2]])).tolist() == [[1, 2]]
    assert z(1.0).numpy().shape == ()
    # numpy() shares memory
    t = L.zeros(3)
    t.numpy()[1] = 5
    assert t.tolist() == [0.0, 5.0, 0.0]


def test_len_and_iter():
    t = L.arange(6).reshape(3, 2)
    assert len(t) == 3
    rows = list(t)
    assert len(rows) == 3 and rows[1].tolist() == [2, 3]
    assert [x.item() for x in L.tensor([1, 2])] == [1, 2]
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(z(1.0))
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(z(1.0))


def test_scalar_conversions():
    assert float(L.tensor([3])) == 3.0
    assert int(z(2.7)) == 2
    assert int(z(-2.7)) == -2
    assert bool(L.tensor([0])) is False
    assert bool(L.tensor([2])) is True
    assert z(3).__index__() == 3
    assert [10, 20, 30][z(1)] == 20
    assert list(range(10))[z(1):z(3)] == [1, 2]
    with pytest.raises(TypeError):
        z(3.0).__index__()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(L.tensor([1, 2]))
    with pytest.raises(RuntimeError):
        bool(L.tensor([]))


@pytest.mark.parametrize("fn", [float, int])
def test_scalar_conversion_of_multi_element_is_value_error(fn):
    with pytest.raises(ValueError, match="only one element tensors"):
        fn(L.tensor([1, 2]))


def test_element_size_nbytes():
    assert L.zeros(2, 3).element_size() == 4
    assert L.zeros(2, 3).nbytes == 24
    assert L.zeros(2, 3, dtype=L.float64).nbytes == 48
    assert L.zeros(2, dtype=L.float16).itemsize == 2
    assert L.zeros(2, dtype=L.bfloat16).element_size() == 2
    assert L.zeros(2, dtype=L.bool).element_size() == 1
    assert L.zeros(2, dtype=L.int64).element_size() == 8


def test_clone_does_not_share():
    t = L.tensor([1.0, 2.0])
    c = t.clone()
    c[0] = 9
    assert t.tolist() == [1.0, 2.0]
    assert c.data_ptr() != t.data_ptr()
    u = L.arange(6).reshape(2, 3).t()
    assert u.clone().tolist() == u.tolist()


@pytest.mark.parametrize("method,dtype", [
    ("float", L.float32), ("double", L.float64), ("half", L.float16),
    ("bfloat16", L.bfloat16), ("long", L.int64), ("int", L.int32),
    ("bool", L.bool), ("short", L.int16), ("byte", L.uint8), ("char", L.int8),
])
def test_dtype_conversion_methods(method, dtype):
    t = L.tensor([1.5, -2.0, 0.0])
    r = getattr(t, method)()
    assert r.dtype is dtype
    assert t.dtype is L.float32
    if dtype is L.bool:
        assert r.tolist() == [True, True, False]
    elif dtype in (L.int64, L.int32, L.int16, L.int8):
        assert r.tolist() == [1, -2, 0]


def test_to_and_type():
    t = L.tensor([1.7, 2.2])
    assert t.to(L.int64).tolist() == [1, 2]
    assert t.to(dtype=L.float16).dtype is L.float16
    assert t.to("cpu").dtype is L.float32
    assert t.to("cpu", L.float64).dtype is L.float64
    assert t.to(L.float32) is t
    assert t.type() == "rstorch.FloatTensor"
    assert t.long().type() == "rstorch.LongTensor"
    assert t.double().type() == "rstorch.DoubleTensor"
    assert t.type(L.int32).dtype is L.int32
    assert t.type("rstorch.IntTensor").dtype is L.int32


# ------------------------------------------------------------------ indexing

def test_basic_indexing_returns_views():
    t = L.arange(24).reshape(2, 3, 4)
    a = np.arange(24).reshape(2, 3, 4)
    for idx in [1, (1, 2), (slice(None), 1), (Ellipsis, 1), (None, 0), (1, Ellipsis, slice(1, None)),
                (slice(None, None, 2), None, slice(1, 3)), (-1, -1, -1), Ellipsis]:
        v = t[idx]
        assert tuple(v.shape) == a[idx].shape, idx
        assert v.tolist() == a[idx].tolist(), idx
        assert v._storage_ptr() == t._storage_ptr(), idx
    v = t[1, :, 1:]
    assert v.data_ptr() == t.data_ptr() + 13 * 8
    v.fill_(-1)
    a[1, :, 1:] = -1
    assert t.tolist() == a.tolist()
    assert t[None, ..., None].shape == (1, 2, 3, 4, 1)
    assert L.zeros(2, 3)[True].shape == (1, 2, 3)


def test_tensor_int_index_is_view():
    t = L.zeros(2, 3)
    v = t[z(1)]
    assert v.shape == (3,)
    v.fill_(1)
    assert t.sum().item() == 3


def test_advanced_indexing_returns_copies():
    t = L.tensor([1, 2, 3])
    c = t[[0, 2]]
    assert c.tolist() == [1, 3]
    c[0] = 100
    assert t.tolist() == [1, 2, 3]
    m = t[L.tensor([True, False, True])]
    assert m.tolist() == [1, 3]
    m.fill_(0)
    assert t.tolist() == [1, 2, 3]
    t2 = L.tensor([[1, 2], [3, 4]])
    assert t2[[0, 1], [1, 0]].tolist() == [2, 3]
    assert t2[:, [1, 0]].tolist() == [[2, 1], [4, 3]]
    assert t2[L.tensor([[True, False], [False, True]])].tolist() == [1, 4]
    assert L.zeros(2, 3)[L.tensor([[0, 1]])].shape == (1, 2, 3)
    a = np.arange(24).reshape(2, 3, 4)
    t3 = L.arange(24).reshape(2, 3, 4)
    for idx in [([1, 0], slice(None), [3, 2]), (slice(None), [0, 2], [1, 1]), (a[..., 0] > 5,),
                (Ellipsis, [0, 0, 3])]:
        tidx = tuple(L.tensor(i) if isinstance(i, np.ndarray) else i for i in idx)
        assert t3[tidx].tolist() == a[idx].tolist(), idx


def test_setitem():
    t = L.zeros(3, 4)
    a = np.zeros((3, 4))
    t[0] = 1
    a[0] = 1
    t[:, 1] = L.tensor([5.0, 6.0, 7.0])
    a[:, 1] = [5, 6, 7]
    t[1:, 2:] = L.tensor([9.0, 8.0])  # broadcasting
    a[1:, 2:] = [9, 8]
    t[t > 7] = -1
    a[a > 7] = -1
    t[[0, 2], [3, 0]] = 4.5
    a[[0, 2], [3, 0]] = 4.5
    t[..., 0] = L.tensor(2.0)
    a[..., 0] = 2
    assert t.tolist() == a.tolist()
    i = L.arange(5)
    i[1:3] = 2.9  # float scalar into int tensor truncates
    assert i.tolist() == [0, 2, 2, 3, 4]


def test_index_errors():
    t = L.zeros(2, 3)
    with pytest.raises(IndexError):
        t[2]
    with pytest.raises(IndexError):
        t[0, 5]
    with pytest.raises(IndexError):
        t[-3]
    with pytest.raises(IndexError):
        t[0, 0, 0]
    with pytest.raises(IndexError):
        t[L.tensor([5])]
    with pytest.raises(IndexError):
        L.tensor([1, 2, 3])[L.tensor([True, False])]


# ------------------------------------------------------------------ promotion

@pytest.mark.parametrize("make,expected", [
    (lambda: L.tensor([1, 2]) + 1.5, L.float32),
    (lambda: L.tensor([1, 2]) / L.tensor([2, 2]), L.float32),
    (lambda: L.tensor([1, 2]) / 2, L.float32),
    (lambda: L.tensor([1], dtype=L.uint8) + L.tensor([1], dtype=L.int8), L.int16),
    (lambda: L.tensor([1], dtype=L.float16) + L.tensor([1], dtype=L.float32), L.float32),
    (lambda: z(1.0, L.float64) + L.tensor([1.0]), L.float32),
    (lambda: L.tensor([1], dtype=L.int32) + z(1), L.int32),
    (lambda: L.tensor([1], dtype=L.int32) + z(1.5), L.float32),
    (lambda: z(1) + z(1.5, L.float64), L.float64),
    (lambda: L.tensor([1], dtype=L.uint8) + 1000, L.uint8),
    (lambda: L.tensor([True]) + L.tensor([True]), L.bool),
    (lambda: z(True) + z(True), L.bool),
    (lambda: L.tensor([True]) * 2, L.int64),
    (lambda: L.tensor([True]) * 2.5, L.float32),
    (lambda: L.tensor([True]) / L.tensor([True]), L.float32),
    (lambda: L.tensor([1, 2], dtype=L.int8) * 1.5, L.float32),
    (lambda: L.tensor([1, 2], dtype=L.float16) * 1.5, L.float16),
    (lambda: L.tensor([1], dtype=L.bfloat16) + L.tensor([1], dtype=L.float16), L.float32),
    (lambda: L.tensor([1]) * 2.0, L.float32),
    (lambda: 1.5 - L.tensor([1, 2]), L.float32),
    (lambda: 3 / L.tensor([1, 2]), L.float32),
])
def test_promotion(make, expected):
    assert make().dtype is expected


def test_arithmetic_values():
    a = np.array([[1.0, -2.0], [3.5, 4.0]])
    t = L.tensor(a, dtype=L.float64)
    close(t + 1, a + 1)
    close(t - t.t(), a - a.T)
    close(t * L.tensor([2.0, 3.0], dtype=L.float64), a * [2, 3])
    close(t / 3, a / 3)
    close(2 - t, 2 - a)
    close(1 / t, 1 / a)
    assert (L.tensor([1, 2]) / L.tensor([2, 2])).tolist() == [0.5, 1.0]
    assert (L.tensor([1, 2], dtype=L.uint8) - L.tensor([3, 3], dtype=L.uint8)).tolist() == [254, 255]
    assert (L.tensor([1], dtype=L.uint8) + 1000).tolist() == [233]


def test_bool_subtraction_raises():
    with pytest.raises(NotImplementedError, match="Subtraction, the `-` operator, with two bool tensors"):
        L.tensor([True]) - L.tensor([True])


def test_comparisons():
    t = L.tensor([1, 2, 3])
    for r in [t < 2, t <= 2, t > 1.5, t >= 2, t == 2, t != 2, t.eq(2), t == z(2.0)]:
        assert r.dtype is L.bool
    assert (t < 2).tolist() == [True, False, False]
    assert (t != 2).tolist() == [True, False, True]
    assert (t == L.tensor([1, 0, 3])).tolist() == [True, False, True]
    assert (t > 1.5).tolist() == [False, True, True]


# ------------------------------------------------------------------ reductions

def test_sum():
    a = np.array([[1, 2], [3, 4]])
    t = L.tensor(a)
    s = t.sum()
    assert s.shape == () and s.item() == 10 and s.dtype is L.int64
    assert L.tensor([1, 2], dtype=L.int8).sum().dtype is L.int64
    assert L.tensor([True, True, False]).sum().item() == 2
    assert L.tensor([True]).sum().dtype is L.int64
    assert t.sum(0).tolist() == [4, 6]
    assert t.sum(-1).tolist() == [3, 7]
    assert t.sum(0, keepdim=True).tolist() == [[4, 6]]
    assert t.sum((0, 1)).item() == 10
    assert t.sum((0, 1), keepdim=True).shape == (1, 1)
    assert t.sum(dtype=L.float32).dtype is L.float32
    r = np.random.default_rng(0).standard_normal((3, 4, 5))
    close(L.tensor(r).sum((0, 2)), r.sum((0, 2)), rtol=1e-5, atol=1e-5)
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.sum(2)
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.sum(-3)


def test_sum_0d_over_dim():
    assert z(1.0).sum(0).item() == 1.0


def test_mean():
    r = np.random.default_rng(1).standard_normal((3, 4))
    t = L.tensor(r)
    close(t.mean(), r.mean(), rtol=1e-5)
    close(t.mean(1), r.mean(1), rtol=1e-5)
    close(t.mean((0, 1), keepdim=True), r.mean((0, 1), keepdims=True), rtol=1e-5)
    assert L.tensor([1, 2]).mean(dtype=L.float64).item() == 1.5
    with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype"):
        L.tensor([1, 2]).mean()


def test_equal_allclose():
    assert L.equal(L.tensor([1, 2]), L.tensor([1, 2]))
    assert not L.equal(L.tensor([1, 2]), L.tensor([1, 3]))
    assert not L.equal(L.tensor([1, 2]), L.tensor([1, 2, 3]))
    assert L.allclose(L.tensor([1.0, 2.0]), L.tensor([1.0, 2.0000001]))
    assert not L.allclose(L.tensor([1.0, 2.0]), L.tensor([1.0, 2.1]))
    assert L.allclose(L.tensor([1.0, 2.0]), L.tensor([1.0, 2.1]), atol=0.2)


# ------------------------------------------------------------------ repr

@pytest.mark.parametrize("make,expected", [
    (lambda: L.tensor([1.0, 2, 3]), "tensor([1., 2., 3.])"),
    (lambda: L.tensor([[1, 2], [3, 4]]), "tensor([[1, 2],\n        [3, 4]])"),
    (lambda: z(3.5), "tensor(3.5000)"),
    (lambda: z(3), "tensor(3)"),
    (lambda: L.tensor([1.5], dtype=L.float64), "tensor([1.5000], dtype=rstorch.float64)"),
    (lambda: L.tensor([True, False]), "tensor([ True, False])"),
    (lambda: L.zeros(0, 3), "tensor([], size=(0, 3))"),
    (lambda: L.tensor([1, 2], dtype=L.int32), "tensor([1, 2], dtype=rstorch.int32)"),
])
def test_repr(make, expected):
    assert repr(make()) == expected


# ------------------------------------------------------------------ errors

def test_view_errors():
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        L.arange(6).view(2, 3).t().view(6)
    with pytest.raises(RuntimeError):
        L.zeros(2, 3).view(-1, 4)
    with pytest.raises(RuntimeError):
        L.arange(6).reshape(4)
    with pytest.raises(RuntimeError):
        L.arange(6).reshape(-1, -1)


def test_expand_errors():
    with pytest.raises(RuntimeError):
        L.zeros(2, 3).expand(3, 3)
    with pytest.raises(RuntimeError, match="the number of sizes provided"):
        L.zeros(2, 3).expand(3)
    with pytest.raises(RuntimeError):
        L.tensor([1, 2]) + L.tensor([1, 2, 3])


@pytest.mark.parametrize("make", [
    lambda: L.zeros(2, 3).sum(2),
    lambda: L.zeros(2, 3).transpose(0, 2),
    lambda: L.tensor([1, 2]).unsqueeze(3),
    lambda: L.zeros(2).size(1),
    lambda: L.zeros(2).squeeze(2),
    lambda: L.zeros(2, 3).movedim(0, 3),
    lambda: L.zeros(2, 3).flatten(2),
    lambda: z(1.0).transpose(0, 1),
    lambda: L.zeros(2, 2).diagonal(0, 0, 2),
])
def test_dim_out_of_range(make):
    with pytest.raises(IndexError, match="Dimension out of range"):
        make()


def test_other_shape_errors():
    with pytest.raises(RuntimeError):
        L.zeros(2, 3).permute(0, 0)
    with pytest.raises(RuntimeError):
        L.zeros(2, 3).permute(0)
    with pytest.raises(RuntimeError):
        L.zeros(2).narrow(0, 1, 5)
    with pytest.raises(RuntimeError):
        L.zeros(2).unfold(0, 5, 1)
    with pytest.raises(RuntimeError):
        L.zeros(2).unfold(0, 1, 0)
    with pytest.raises(RuntimeError):
        L.zeros(2, 2).diagonal(0, 0, 0)
    with pytest.raises(RuntimeError):
        L.zeros(2, 3, 4).t()
    # transpose of a 0-d tensor with dims 0/-1 is the identity
    assert z(1.0).transpose(0, 0).shape == ()
    assert z(1.0).transpose(-1, 0).shape == ()


def test_creation_errors():
    with pytest.raises(RuntimeError):
        L.zeros(-1)
    with pytest.raises(RuntimeError):
        L.ones(2, -3)
    with pytest.raises(TypeError):
        L.zeros(2, dtype="float32")
    with pytest.raises(TypeError):
        L.tensor("a")
    with pytest.raises(TypeError):
        L.tensor([1, "a"])
    with pytest.raises(ValueError, match="expected sequence of length 2 at dim 1"):
        L.tensor([[1, 2], [3]])


def test_python_type_as_dtype():
    assert L.zeros(2, dtype=float).dtype is L.float64
    assert L.zeros(2, dtype=int).dtype is L.int64
    assert L.zeros(2, dtype=bool).dtype is L.bool


# ------------------------------------------------------------------ found by tests/tools/op_sweep.py


def _raises(exc, msg):
    import re
    return pytest.raises(exc, match="^" + re.escape(msg) + "$")


def test_broadcast_error_names_the_rightmost_mismatch():  # torch
    with _raises(RuntimeError, "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1"):
        L.ones(2, 3) + L.ones(3, 2)


def test_indexing_messages_and_bool_scalars():  # torch
    x = L.arange(6.).reshape(2, 3)
    with _raises(IndexError, "index 2 is out of bounds for dimension 0 with size 2"):
        x[2]
    with _raises(IndexError, "index 5 is out of bounds for dimension 1 with size 3"):
        x[0, 5]
    with _raises(IndexError, "index -4 is out of bounds for dimension 1 with size 3"):
        x[..., -4]
    with _raises(IndexError, "select(): index 3 out of range for tensor of size [2, 3] at dimension 1"):
        x.select(1, 3)
    assert x[L.tensor(True)].shape == (1, 2, 3) and x[L.tensor(False)].shape == (0, 2, 3)
    with _raises(RuntimeError, "The expanded size of the tensor (3) must match the existing size (2) at non-singleton "
                               "dimension 0.  Target sizes: [3].  Tensor sizes: [2]"):
        x[0] = L.ones(2)
    x[0] = L.ones(1, 1, 3) * 7   # leading size-1 dims of the value are dropped
    assert x.tolist() == [[7.0, 7.0, 7.0], [3.0, 4.0, 5.0]]


def test_creation_messages():  # torch
    with _raises(ValueError, "expected sequence of length 2 at dim 1 (got 1)"):
        L.tensor([[1, 2], [3]])
    with _raises(ValueError, "expected sequence of length 2 at dim 2 (got 1)"):
        L.tensor([[[1, 2], [3, 4]], [[1, 2], [3]]])
    with _raises(TypeError, "'list' object cannot be interpreted as an integer"):
        L.tensor([1, [2]])
    with _raises(TypeError, "new(): invalid data type 'str'"):
        L.tensor([1, "a"])
    with _raises(RuntimeError, "Could not infer dtype of NoneType"):
        L.tensor([1, None])
    with _raises(RuntimeError, "zeros: Dimension size must be non-negative."):
        L.zeros(2, -3)
    with _raises(RuntimeError, "Trying to create tensor with negative dimension -1: [-1]"):
        L.ones(-1)
    with _raises(RuntimeError, "upper bound and lower bound inconsistent with step sign"):
        L.arange(0, 1, -0.1)


def test_finfo_iinfo():  # torch's values and printed forms
    f = L.finfo(L.float32)
    assert (f.bits, f.eps, f.max, f.min, f.tiny, f.resolution) == (32, 2.0 ** -23, float(np.finfo(np.float32).max),
                                                                   -float(np.finfo(np.float32).max), 2.0 ** -126, 1e-06)
    assert repr(f) == ("finfo(resolution=1e-06, min=-3.40282e+38, max=3.40282e+38, eps=1.19209e-07, "
                       "smallest_normal=1.17549e-38, tiny=1.17549e-38, dtype=float32)")
    assert repr(L.finfo(L.bfloat16)) == ("finfo(resolution=0.01, min=-3.38953e+38, max=3.38953e+38, eps=0.0078125, "
                                         "smallest_normal=1.17549e-38, tiny=1.17549e-38, dtype=bfloat16)")
    assert L.finfo(L.float16).max == 65504.0 and L.finfo().dtype == "float32"
    assert L.finfo(L.float64).eps == float(np.finfo(np.float64).eps)
    assert (L.iinfo(L.uint8).max, L.iinfo(L.int8).min, L.iinfo(L.int64).max) == (255, -128, 2**63 - 1)
    assert repr(L.iinfo(L.int16)) == "iinfo(min=-32768, max=32767, dtype=int16)"
    assert repr(L.iinfo(L.int64)) == "iinfo(min=-9.22337e+18, max=9.22337e+18, dtype=int64)"
    with _raises(TypeError, "torch.finfo() requires a floating point input type. Use torch.iinfo to handle 'torch.finfo'"):
        L.finfo(L.int32)
    with _raises(TypeError, "torch.bool is not supported by torch.iinfo"):
        L.iinfo(L.bool)


def test_inplace_view_ops():  # torch
    a = L.arange(6.).reshape(2, 3)
    p = a._storage_ptr()
    assert a.unsqueeze_(0).shape == (1, 2, 3) and a._storage_ptr() == p
    assert a.squeeze_().shape == (2, 3)
    assert a.t_().shape == (3, 2) and a.stride() == (1, 3) and not a.is_contiguous()
    assert a.transpose_(0, 1).tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert a.unsqueeze_(1).squeeze_(1).shape == (2, 3)
    leaf = L.zeros(3, requires_grad=True)
    with _raises(RuntimeError, "a leaf Variable that requires grad is being used in an in-place operation."):
        leaf.unsqueeze_(0)
    c = leaf * L.tensor([1.0, 2.0, 3.0])
    c.unsqueeze_(0)
    assert c.grad_fn.name() == "UnsqueezeBackward1"
    c.t_()
    assert c.grad_fn.name() == "TBackward1" and c.shape == (3, 1)
    (c * L.tensor([[1.0], [10.0], [100.0]])).sum().backward()
    assert leaf.grad.tolist() == [1.0, 20.0, 300.0]
    assert (leaf * 1).reshape(1, 3).squeeze_().grad_fn.name() == "SqueezeBackward3"
    assert (leaf * 1).reshape(1, 3).squeeze_(0).grad_fn.name() == "SqueezeBackward4"


def test_resize_():  # torch
    a = L.arange(4.)
    assert a.resize_(2, 2).tolist() == [[0.0, 1.0], [2.0, 3.0]]
    assert a.resize_(5)[:4].tolist() == [0.0, 1.0, 2.0, 3.0] and a.shape == (5,)
    assert a.resize_(0).shape == (0,)
    with _raises(RuntimeError, "cannot resize variables that require grad"):
        L.zeros(2, requires_grad=True).resize_(3)


def test_index_edge_cases():  # torch
    x = L.arange(6).reshape(3, 2)
    assert x[[]].shape == (0, 2)
    with _raises(IndexError, "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                             "valid indices (got float)"):
        x[0.5]
    assert L.tensor(1.0).nonzero(as_tuple=True)[0].tolist() == [0]
    assert L.tensor(0.0).nonzero(as_tuple=True)[0].tolist() == []


def test_range_indexes_as_its_list():
    # mnist_forward_forward: x_[range(x.shape[0]), y] = x.max()
    x = rstorch.arange(12.).reshape(3, 4)
    assert x[range(2)].tolist() == x[[0, 1]].tolist()
    assert x[range(3), [0, 1, 2]].tolist() == [0.0, 5.0, 10.0]
    assert x[:, range(0, 4, 2)].tolist() == [[0.0, 2.0], [4.0, 6.0], [8.0, 10.0]]
    x[range(3), rstorch.tensor([0, 1, 2])] = -1.0
    assert x.diagonal().tolist() == [-1.0, -1.0, -1.0]
    with pytest.raises(IndexError, match="out of bounds"):
        x[range(5)]
