"""Differences from PyTorch 2.15 that issue 19 lists, each checked against what torch 2.15.0 gives
(values and messages written in; no torch needed): factory keyword forms, tensor()'s dtype
inference and errors, einsum's sublist form, tensordot's dims check, untyped_storage() and
Tensor._make_subclass. The kernel-level ones are in test_parity_kernels.py."""

import re

import numpy as np
import pytest

import rstorch as torch



def raises(exc, msg):
    return pytest.raises(exc, match="^" + re.escape(msg) + "$")


# ------------------------------------------------------------------ factories


@pytest.mark.parametrize("make, shape, dtype", [
    (lambda: torch.empty(size=(2, 3)), [2, 3], torch.float32),
    (lambda: torch.zeros(size=[2]), [2], torch.float32),
    (lambda: torch.ones(size=(2,), dtype=torch.int32), [2], torch.int32),
    (lambda: torch.zeros(size=()), [], torch.float32),
    (lambda: torch.full(size=(2,), fill_value=3), [2], torch.int64),
    (lambda: torch.full((2,), fill_value=1.0, dtype=torch.float64), [2], torch.float64),
    (lambda: torch.rand(size=(2,)), [2], torch.float32),
    (lambda: torch.randn(size=(2, 1)), [2, 1], torch.float32),
    (lambda: torch.randint(3, size=(2,)), [2], torch.int64),
    (lambda: torch.randint(1, 3, size=(2,)), [2], torch.int64),
])
def test_factory_size_keyword(make, shape, dtype):
    t = make()
    assert list(t.shape) == shape and t.dtype is dtype


@pytest.mark.parametrize("call, exc, msg", [
    (lambda: torch.full(3), TypeError, "full(): argument 'size' (position 1) must be tuple of ints, not int"),
    (lambda: torch.full(3, 1.0), TypeError, "full(): argument 'size' (position 1) must be tuple of ints, not int"),
    (lambda: torch.full((3,)), TypeError, 'full() missing 1 required positional arguments: "fill_value"'),
    (lambda: torch.ones(2).new_full(3, 1.0), TypeError,
     "new_full(): argument 'size' (position 1) must be tuple of ints, not int"),
    (lambda: torch.ones(size=2), TypeError, "ones(): argument 'size' must be tuple of ints, not int"),
    (lambda: torch.ones(size=None), TypeError, "ones(): argument 'size' must be tuple of ints, not NoneType"),
    (lambda: torch.rand(size=2), TypeError, "rand(): argument 'size' must be tuple of ints, not int"),
    (lambda: torch.empty((2,), size=(3,)), TypeError, "empty() got multiple values for argument 'size'"),
    (lambda: torch.zeros(2, size=(3,)), TypeError, "zeros() got multiple values for argument 'size'"),
    (lambda: torch.zeros(), TypeError, 'zeros() missing 1 required positional arguments: "size"'),
    (lambda: torch.empty(), TypeError, 'empty() missing 1 required positional arguments: "size"'),
])
def test_factory_argument_errors(call, exc, msg):
    with raises(exc, msg):
        call()


# ------------------------------------------------------------------ tensor()


@pytest.mark.parametrize("scalar, dtype", [
    (np.int8(5), torch.int8), (np.int16(5), torch.int16), (np.int32(5), torch.int32),
    (np.intc(5), torch.int32), (np.int64(5), torch.int64), (np.uint8(5), torch.uint8),
    (np.float16(5), torch.float16), (np.float32(5), torch.float32), (np.float64(5), torch.float64),
    (np.bool_(True), torch.bool),
])
def test_numpy_scalars_keep_their_dtype(scalar, dtype):
    assert torch.tensor(scalar).dtype is dtype
    assert torch.as_tensor(scalar).dtype is dtype
    assert torch.tensor([scalar, scalar]).dtype is dtype
    assert torch.tensor(scalar, dtype=torch.float64).dtype is torch.float64
    assert torch.tensor([np.uint8(5), np.uint8(1)]).tolist() == [5, 1]


@pytest.mark.parametrize("data, exc, msg", [
    (object(), RuntimeError, "Could not infer dtype of object"),
    ([object()], RuntimeError, "Could not infer dtype of object"),
    ([1, object()], RuntimeError, "Could not infer dtype of object"),
    ([[object()]], RuntimeError, "Could not infer dtype of object"),
    ([{}], RuntimeError, "Could not infer dtype of dict"),
    ({}, RuntimeError, "Could not infer dtype of dict"),
    ({1}, RuntimeError, "Could not infer dtype of set"),
    ([None], RuntimeError, "Could not infer dtype of NoneType"),
    ([1, None], RuntimeError, "Could not infer dtype of NoneType"),
    (["a"], ValueError, "too many dimensions 'str'"),
    ([1, "a"], TypeError, "new(): invalid data type 'str'"),
    ([b"a"], TypeError, "new(): invalid data type 'bytes'"),
])
def test_tensor_of_unreadable_data(data, exc, msg):
    with raises(exc, msg):
        torch.tensor(data)


# ------------------------------------------------------------------ einsum, tensordot


def test_einsum_sublist_form():
    a, b = torch.arange(6.).reshape(2, 3), torch.arange(6.).reshape(3, 2)
    want = [[10.0, 13.0], [28.0, 40.0]]
    assert torch.einsum(a, [0, 1], b, [1, 2], [0, 2]).tolist() == want
    assert torch.einsum(a, [0, 1], b, [1, 2]).tolist() == want  # implicit output: sorted labels
    assert torch.einsum(torch.ones(2, 3), [0, 1], torch.ones(3, 2), [1, 2], [0, 2]).tolist() == [[3.0, 3.0]] * 2
    x = torch.arange(24.).reshape(2, 3, 4)
    assert list(torch.einsum(x, [Ellipsis, 0], [Ellipsis]).shape) == [2, 3]
    assert list(torch.einsum(x, [0, Ellipsis], [Ellipsis, 0]).shape) == [3, 4, 2]
    assert torch.einsum(x, [Ellipsis, 27], [Ellipsis]).tolist() == x.sum(-1).tolist()
    with raises(ValueError, "einsum(): subscript in subscript list is not within the valid range [0, 52)"):
        torch.einsum(a, [0, 60])


def test_tensordot_dims_count_check():
    a, b = torch.ones(2, 2), torch.ones(2, 2, 2)
    with raises(RuntimeError, "tensordot expects dims < ndim_a or ndim_b, but got dims=5"):
        torch.tensordot(torch.ones(2, 2), torch.ones(2, 2), dims=5)
    with raises(RuntimeError, "tensordot expects dims < ndim_a or ndim_b, but got dims=3"):
        torch.tensordot(a, b, dims=3)
    with raises(RuntimeError, "tensordot expects dims >= 0, but got dims=-1"):
        torch.tensordot(a, b, dims=-1)
    assert list(torch.tensordot(a, b, dims=2).shape) == [2]
    assert list(torch.tensordot(a, b, dims=0).shape) == [2, 2, 2, 2, 2]


# ------------------------------------------------------------------ storage, subclasses


def test_untyped_storage():
    x = torch.arange(6.)
    s, s2 = x.untyped_storage(), x[2:].untyped_storage()
    assert type(s).__name__ == "UntypedStorage" and isinstance(s, torch.UntypedStorage)
    assert s is x.untyped_storage() and s is s2 and s == s2   # one object per storage
    assert s.nbytes() == s.size() == len(s) == 24 and s.element_size() == 1
    assert s.data_ptr() == x.data_ptr() == s2.data_ptr() and x[2:].data_ptr() - x.data_ptr() == 8
    assert s.device == x.device and not s.is_pinned() and not s.is_shared()
    assert torch.arange(6.).untyped_storage() is not s
    assert torch.empty(0).untyped_storage().nbytes() == 0
    b = torch.tensor([1, 2, 255], dtype=torch.uint8).untyped_storage()
    assert b.tolist() == [1, 2, 255] and b[2] == 255 and b[-1] == 255
    assert torch.tensor([1], dtype=torch.int32).untyped_storage().tolist() == [1, 0, 0, 0]
    m1, m2 = torch.empty(3, device="meta"), torch.empty(3, device="meta")
    assert m1.untyped_storage() is not m2.untyped_storage() and m1.untyped_storage().nbytes() == 12


def test_make_subclass():
    class M(torch.Tensor):
        pass
    x = torch.arange(3.)
    m = torch.Tensor._make_subclass(M, x, True)
    assert type(m) is M and m.requires_grad and m.grad_fn is None and not x.requires_grad
    assert m.data_ptr() == x.data_ptr()
    assert not torch.Tensor._make_subclass(M, x, require_grad=False).requires_grad
    y = torch.ones(2, requires_grad=True) * 2
    m = torch.Tensor._make_subclass(M, y)
    assert not m.requires_grad and m.grad_fn is None and m._version == 0
    with torch.no_grad():
        y.add_(1)
    assert m._version == 1 and m.tolist() == [3.0, 3.0]   # storage and version counter shared
    p = torch.Tensor._make_subclass(torch.nn.Parameter, torch.ones(2), True)
    assert type(p) is torch.nn.Parameter and p.requires_grad
    with raises(TypeError, "Creating a Tensor subclass from a class that does not inherit from Tensor is not "
                           "possible. Make sure your class inherits from Tensor."):
        torch.Tensor._make_subclass(int, x)
    with raises(TypeError, "_make_subclass(): argument 'data' (position 2) must be Tensor, not list"):
        torch.Tensor._make_subclass(M, [1])
    with raises(RuntimeError, "Only Tensors of floating point and complex dtype can require gradients"):
        torch.Tensor._make_subclass(M, torch.ones(2, dtype=torch.int64), True)
