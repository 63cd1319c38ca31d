"""Indexing and data movement (the op table, tests/opinfo/index.py, runs in tests/test_ops.py):
torch's semantics (errors and
their messages, in-place and out= forms, promotion, duplicates, zero-size and 0-dim inputs).
Expected values were produced with torch 2.x and are written in as literals."""

import numpy as np
import pytest

import rstorch as T



def x34():
    return T.arange(12.).view(3, 4)


def raises(exc, msg, f):
    with pytest.raises(exc) as e:
        f()
    assert str(e.value) == msg


# ------------------------------------------------------------------ errors as torch words them

def test_gather_errors():
    x = x34()
    raises(RuntimeError, "index 5 is out of bounds for dimension 1 with size 4", lambda: x.gather(1, T.tensor([[5]])))
    raises(RuntimeError, "index -1 is out of bounds for dimension 1 with size 4", lambda: x.gather(1, T.tensor([[-1]])))
    raises(RuntimeError, "gather(): Expected dtype int32/int64 for index",
           lambda: x.gather(1, T.tensor([[1]], dtype=T.int16)))
    raises(RuntimeError, "Index tensor must have the same number of dimensions as input tensor",
           lambda: x.gather(1, T.tensor([1])))
    raises(RuntimeError, "Size does not match at dimension 0 expected index [4, 5] to be no larger than self [3, 4] apart from dimension 1",
           lambda: x.gather(1, T.zeros(4, 5, dtype=T.int64)))
    assert x.gather(1, T.tensor([[1]], dtype=T.int32)).tolist() == [[1.0]]


def test_index_errors():
    x = x34()
    raises(IndexError, "index out of range in self", lambda: x.index_select(0, T.tensor([7])))
    raises(IndexError, "index out of range in self", lambda: x.index_select(0, T.tensor([-1])))
    raises(IndexError, "index_select(): Index is supposed to be a vector", lambda: x.index_select(0, T.tensor([[1]])))
    raises(RuntimeError, "index_select(): Expected dtype int32 or int64 for index", lambda: x.index_select(0, T.tensor([1.])))
    raises(RuntimeError, "index 5 is out of bounds for dimension 1 with size 4", lambda: x.clone().scatter_(1, T.tensor([[5]]), 1.0))
    raises(RuntimeError, "scatter(): Expected self.dtype to be equal to src.dtype",
           lambda: x.clone().scatter_(1, T.tensor([[1]]), T.ones(1, 1, dtype=T.float64)))
    raises(RuntimeError, "Expected index [1, 5] to be no larger than self [3, 4] apart from dimension 1 and to be no larger size than src [1, 4]",
           lambda: x.clone().scatter_(1, T.zeros(1, 5, dtype=T.int64), T.ones(1, 4)))
    raises(RuntimeError, "index 5 is out of bounds for dimension 0 with size 3",
           lambda: x.clone().index_add_(0, T.tensor([5]), T.ones(1, 4)))
    raises(RuntimeError, "index_add_(): Number of indices (1) should be equal to source.size(dim): (2), for dim: 0",
           lambda: x.clone().index_add_(0, T.tensor([1]), T.ones(2, 4)))
    raises(RuntimeError, "index_add_(): Expected dtype int32/int64 for index but got: Float",
           lambda: x.clone().index_add_(0, T.tensor([1.]), T.ones(1, 4)))
    raises(IndexError, "index_copy_(): index 5 is out of bounds for dimension 0 with size 3",
           lambda: x.clone().index_copy_(0, T.tensor([5]), T.ones(1, 4)))
    raises(RuntimeError, "index_copy_(): Expected a long tensor for index, but got Int",
           lambda: x.clone().index_copy_(0, T.tensor([1], dtype=T.int32), T.ones(1, 4)))
    raises(IndexError, "index 5 is out of bounds for dimension 0 with size 3", lambda: x.clone().index_fill_(0, T.tensor([5]), 2))
    raises(IndexError, "out of range: tried to access index 12 on a tensor of 12 elements.", lambda: x.take(T.tensor([12])))
    raises(IndexError, "out of range: tried to access index -13 on a tensor of 12 elements.", lambda: x.take(T.tensor([-13])))
    raises(RuntimeError, "index_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 dimension(s).",
           lambda: x.clone().index_fill_(1, T.tensor([0]), T.tensor([7.])))
    raises(RuntimeError, "reduce argument must be either sum, prod, mean, amax or amin, got foo",
           lambda: x.clone().scatter_reduce_(1, T.tensor([[1]]), T.ones(1, 1), "foo"))
    raises(RuntimeError, "reduce argument must be either add or multiply.",
           lambda: T.tensor([1., 2, 3]).scatter(0, T.tensor([0]), 2., reduce="mean"))


def test_mask_errors():
    x = x34()
    raises(RuntimeError, "masked_fill_ only supports boolean masks, but got mask with dtype unsigned char",
           lambda: x.masked_fill(T.tensor([1, 0, 1, 0], dtype=T.uint8), 1.))
    raises(RuntimeError, "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1",
           lambda: x.masked_fill(T.tensor([True, False, True]), 1.))
    # torch broadcasts the mask with self (the mask is tensor a) out of place, self with the mask in place
    raises(RuntimeError, "The size of tensor a (5) must match the size of tensor b (3) at non-singleton dimension 0",
           lambda: x.masked_fill(T.ones(5, 1, dtype=T.bool), 1.))
    raises(RuntimeError, "The size of tensor a (3) must match the size of tensor b (5) at non-singleton dimension 0",
           lambda: x.clone().masked_fill_(T.ones(5, 1, dtype=T.bool), 1.))
    raises(RuntimeError, "output with shape [3, 4] doesn't match the broadcast shape [2, 3, 4]",
           lambda: x.clone().masked_fill_(T.ones(2, 3, 4, dtype=T.bool), 1.))
    raises(RuntimeError, "The size of tensor a (5) must match the size of tensor b (3) at non-singleton dimension 0",
           lambda: x.masked_scatter(T.ones(5, 1, dtype=T.bool), T.ones(20)))
    raises(RuntimeError, "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 dimension(s).",
           lambda: x.masked_fill(T.tensor([True, False, True, False]), T.tensor([1., 2])))
    raises(RuntimeError, "masked_fill_ only supports boolean masks, but got mask with dtype short int",
           lambda: x.masked_fill(T.tensor([1, 0, 1, 0], dtype=T.int16), 1.))
    raises(RuntimeError, "masked_scatter_ only supports boolean masks, but got mask with dtype Byte",
           lambda: x.clone().masked_scatter_(T.tensor([1, 0, 1, 0], dtype=T.uint8), T.ones(12)))
    raises(RuntimeError, "masked_select: expected BoolTensor for mask", lambda: x.masked_select(T.tensor([1, 0, 1, 0], dtype=T.uint8)))
    raises(RuntimeError, "Number of elements of source < number of ones in mask",
           lambda: x.clone().masked_scatter_(T.ones(3, 4, dtype=T.bool), T.ones(5)))


def test_getitem_errors():
    x = x34()
    raises(IndexError, "index 5 is out of bounds for dimension 0 with size 3", lambda: x[T.tensor([5])])
    raises(IndexError, "index -5 is out of bounds for dimension 1 with size 4", lambda: x[:, T.tensor([-5])])
    raises(IndexError, "tensors used as indices must be long, int, byte or bool tensors", lambda: x[T.tensor([1.])])
    raises(IndexError, "tensors used as indices must be long, int, byte or bool tensors", lambda: x[T.tensor([1], dtype=T.int16)])
    raises(IndexError, "shape mismatch: indexing tensors could not be broadcast together with shapes [2], [3]",
           lambda: x[T.tensor([0, 1]), T.tensor([0, 1, 2])])
    raises(IndexError, "The shape of the mask [3] at index 0 does not match the shape of the indexed tensor [2, 3] at index 0",
           lambda: T.ones(2, 3)[T.tensor([True, False, True])])
    raises(IndexError, "index 5 is out of bounds for dimension 0 with size 3", lambda: x.index_put_((T.tensor([5]),), T.tensor(1.)))
    raises(RuntimeError, "shape mismatch: value tensor of shape [2] cannot be broadcast to indexing result of shape [1, 4]",
           lambda: x.clone().index_put_((T.tensor([1]),), T.tensor([1., 2])))
    raises(RuntimeError, "Index put requires the source and destination dtypes match, got Float for the destination and Double for the source.",
           lambda: x.clone().index_put_((T.tensor([1]),), T.tensor([1., 2, 3, 4], dtype=T.float64)))


def test_cat_errors_and_promotion():
    x = x34()
    raises(RuntimeError, "Sizes of tensors must match except in dimension 0. Expected size 4 but got size 3 for tensor number 1 in the list.",
           lambda: T.cat([x, T.ones(3, 3)], 0))
    raises(RuntimeError, "Sizes of tensors must match except in dimension 1. Expected size 2 but got size 3 for tensor number 1 in the list.",
           lambda: T.cat([T.ones(2, 1), T.ones(3, 1)], 1))
    raises(RuntimeError, "Tensors must have same number of dimensions: got 2 and 3", lambda: T.cat([x, T.ones(3, 3, 3)], 0))
    raises(ValueError, "torch.cat(): expected a non-empty list of Tensors", lambda: T.cat([]))
    raises(RuntimeError, "zero-dimensional tensor (at position 0) cannot be concatenated", lambda: T.cat([T.tensor(1.), T.tensor(2.)]))
    raises(IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)", lambda: T.cat([x, x], 2))
    raises(RuntimeError, "stack expects each tensor to be equal size, but got [3, 4] at entry 0 and [3, 3] at entry 1",
           lambda: T.stack([x, T.ones(3, 3)]))
    raises(RuntimeError, "stack expects a non-empty TensorList", lambda: T.stack([]))
    raises(TypeError, "torch.cat(): input types can't be cast to the desired output type Long",
           lambda: T.cat([x, x], out=T.empty(2, dtype=T.int64)))
    assert T.cat([x, T.ones(0)], 0).tolist() == x.tolist()  # 1-D empty tensors are skipped
    assert T.cat([T.ones(0), T.ones(0)]).shape == (0,)
    assert T.cat([T.ones(2, dtype=T.int32), T.ones(2, dtype=T.uint8)]).dtype is T.int32
    assert T.cat([T.ones(2, dtype=T.bool), T.ones(2, dtype=T.float16)]).dtype is T.float16
    out = T.empty(6, 4)
    r = T.cat([x, x], out=out)
    assert r is out and out.tolist() == x.tolist() * 2


def test_movement_errors():
    x = x34()
    raises(RuntimeError, "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor", lambda: x.repeat(2))
    raises(RuntimeError, "Trying to create tensor with negative dimension -4: [6, -4]", lambda: x.repeat(2, -1))
    raises(RuntimeError, "dim 0 appears multiple times in the list of dims", lambda: x.flip(0, 0))
    raises(RuntimeError, "shifts and dimensions must align. shifts: 2, dims:1", lambda: x.roll((1, 2), (0,)))
    raises(RuntimeError, "expected total rotation dims == 2, but got dims = 1", lambda: T.rot90(x, 1, [0]))
    raises(RuntimeError, "expected rotation dims to be different, but got dim0 = 0 and dim1 = 0", lambda: T.rot90(x, 1, [0, 0]))
    raises(RuntimeError, "repeats must have the same size as input along dim, but got repeats.size(0) = 3 and input.size(0) = 2",
           lambda: T.tensor([1, 2]).repeat_interleave(T.tensor([1, 2, 3])))
    raises(RuntimeError, "repeats can not be negative", lambda: T.tensor([1, 2]).repeat_interleave(T.tensor([1, -2])))


# ------------------------------------------------------------------ semantics

def test_scatter_reduce_values():
    # torch: integer mean floors; include_self=False ignores the old values it overwrites
    i = T.tensor([0, 0, 1])
    assert T.tensor([1, 2, 3]).scatter_reduce(0, i, T.tensor([4, 5, 6]), "mean").tolist() == [3, 4, 3]
    assert T.tensor([1, 2, 3]).scatter_reduce(0, i, T.tensor([4, 5, -6]), "mean", include_self=False).tolist() == [4, -6, 3]
    assert T.tensor([1, 2, 3]).scatter_reduce(0, i, T.tensor([4, 5, -7]), "mean").tolist() == [3, -3, 3]
    assert T.tensor([1., 2, 3]).scatter(0, i, T.tensor([4., 5, 6]), reduce="add").tolist() == [10., 8., 3.]
    assert T.tensor([1., 2, 3]).scatter(0, i, 2., reduce="multiply").tolist() == [4., 4., 3.]
    s = T.tensor([1., 2, 3]).scatter_reduce(0, i, T.tensor([4., float("nan"), 6]), "amax")
    assert np.isnan(s[0].item()) and s[1:].tolist() == [6., 3.]
    assert T.tensor([5., 2, 3]).scatter_reduce(0, i, T.tensor([4., 1, 6]), "amin", include_self=False).tolist() == [1., 6., 3.]
    assert T.tensor([2., 2, 3]).scatter_reduce(0, i, T.tensor([4., 1, 6]), "prod").tolist() == [8., 12., 3.]
    b = T.tensor([True, False, True])
    assert b.scatter_reduce(0, i, b, "sum").tolist() == [True, True, True]
    with pytest.raises(NotImplementedError, match="\"scatter_gather_tensor_cpu_reduce_mean\" not implemented for 'Bool'"):
        b.scatter_reduce(0, i, b, "mean")


def test_accumulate_duplicates():
    x = x34()
    r = x.index_add(0, T.tensor([0, 0]), T.ones(2, 4), alpha=2)
    assert r[0].tolist() == [4., 5., 6., 7.] and r[1:].tolist() == x[1:].tolist()
    assert x.clone().index_put_((T.tensor([1, 1]),), T.tensor([1., 2, 3, 4]), accumulate=True)[1].tolist() == [6., 9., 12., 15.]
    assert x.put(T.tensor([1, 1]), T.tensor([1., 2]), accumulate=True)[0].tolist() == [0., 4., 2., 3.]
    assert T.tensor([1, 2]).index_add(0, T.tensor([0]), T.tensor([2]), alpha=2).tolist() == [5, 2]
    with pytest.raises(RuntimeError, match="alpha must not be a floating point"):
        T.tensor([1, 2]).index_add(0, T.tensor([0]), T.tensor([2]), alpha=2.5)



def test_index_add_alpha_is_source_times_alpha_in_the_dtype():
    # the kernel scales as it reads; the result is what adding `source * alpha` (rounded to the
    # dtype, integers wrapping) gives, in every dtype, on contiguous and strided sources
    i = T.tensor([2, 0, 2])
    for dtype, alpha in ((T.float16, 0.3), (T.bfloat16, -1.7), (T.float32, 1e-3), (T.float64, 2.5),
                         (T.int8, 3), (T.uint8, 200), (T.int64, -4), (T.bool, 2), (T.bool, 0)):
        x = T.arange(12.).view(3, 4).to(dtype)
        src = (T.arange(12.).view(4, 3) * 7 - 20).to(dtype).t()  # strided
        # alpha rounded to the dtype: `src * 0.3` itself keeps a Python scalar in float32 for the
        # half types (torch's opmath), which index_add does not
        a = T.tensor(alpha, dtype=dtype) if dtype in (T.float16, T.bfloat16) else alpha
        want = x.index_add(0, i, (src * a).to(dtype))
        got = x.index_add(0, i, src, alpha=alpha)
        assert got.dtype is dtype and got.tolist() == want.tolist(), dtype
        if dtype is T.float16:   # torch 2.15.0's values
            assert got.tolist() == [[-3.900390625, 3.400390625, 10.703125, 18.0], [4.0, 5.0, 6.0, 7.0],
                                    [0.19921875, 13.796875, 27.40625, 41.0]]
        y = x.clone()
        assert y.index_add_(0, i, src, alpha=alpha) is y and y.tolist() == want.tolist()


def test_inplace_and_bounds_before_write():
    x = x34()
    r = x.scatter_(1, T.tensor([[0], [1], [2]]), 9.)
    assert r is x and x.tolist()[1] == [4., 9., 6., 7.]
    y = x34()
    with pytest.raises(IndexError):
        y.put_(T.tensor([1, 13]), T.tensor([100., 200.]))
    assert y.tolist() == x34().tolist()  # nothing written
    z = x34()
    z.masked_fill_(z > 5, -1)
    assert z.tolist()[1] == [4., 5., -1., -1.]
    w = x34()
    w.masked_scatter_(T.tensor([True, False, True, False]), T.arange(20.))
    assert w.tolist() == [[0., 1., 1., 3.], [2., 5., 3., 7.], [4., 9., 5., 11.]]
    v = x34()
    v.index_fill_(1, T.tensor([0, 2]), T.tensor(7.))
    assert v.tolist()[0] == [7., 1., 7., 3.]
    u = x34()
    u.index_copy_(1, T.tensor([3, 0]), T.zeros(3, 2))
    assert u.tolist()[0] == [0., 1., 2., 0.]


def test_value_casts():
    assert T.tensor([1, 2]).masked_fill(T.tensor(True), 2.5).tolist() == [2, 2]
    assert T.tensor([1, 2]).index_fill(0, T.tensor([0]), 2.5).tolist() == [2, 2]
    assert T.tensor([1, 2]).scatter(0, T.tensor([0]), 2.5).tolist() == [2, 2]


def test_nonzero_forms():
    x = x34()
    nz = x.nonzero()
    assert nz.shape == (11, 2) and nz.dtype is T.int64 and nz[0].tolist() == [0, 1]
    rows, cols = x.nonzero(as_tuple=True)
    assert rows.tolist() == [0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2] and cols.tolist() == [1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]
    assert T.tensor(5.).nonzero().shape == (1, 0)
    assert [t.tolist() for t in T.tensor(0.).nonzero(as_tuple=True)] == [[]]
    assert T.argwhere(T.tensor(1)).shape == (1, 0)
    assert T.nonzero(T.zeros(0, 3)).shape == (0, 2)


def test_zero_dim_inputs():
    s = T.tensor(5.)
    assert s.index_select(0, T.tensor([0])).shape == () and s.gather(0, T.tensor(0)).item() == 5.
    assert s.flip(0).item() == 5. and s.roll(1).item() == 5. and s.repeat(2, 2).tolist() == [[5., 5.], [5., 5.]]
    assert x34().masked_fill(T.tensor(True), T.tensor(2)).tolist() == [[2.] * 4] * 3


def test_advanced_indexing_rules():
    a = np.arange(60.).reshape(3, 4, 5)
    x = T.tensor(a)
    i, j = [0, 2], [1, 3]
    cases = [
        (lambda t: t[i], lambda n: n[i]),
        (lambda t: t[:, i], lambda n: n[:, i]),
        (lambda t: t[i, :, j], lambda n: n[i, :, j]),   # separated: index dims go first
        (lambda t: t[:, i, j], lambda n: n[:, i, j]),   # adjacent: stay in place
        (lambda t: t[1, :, j], lambda n: n[1, :, j]),
        (lambda t: t[None, i], lambda n: n[None, i]),
        (lambda t: t[..., [-1, 0]], lambda n: n[..., [-1, 0]]),
        (lambda t: t[[[0], [2]], [[1, 2]]], lambda n: n[[[0], [2]], [[1, 2]]]),
        (lambda t: t[x[:, :, 0] > 20], lambda n: n[n[:, :, 0] > 20]),
        (lambda t: t[1:, [True, False, True, True]], lambda n: n[1:, [True, False, True, True]]),
        (lambda t: t[T.tensor([1], dtype=T.int32)], lambda n: n[[1]]),
        (lambda t: t[T.tensor([True, False, True], dtype=T.uint8)], lambda n: n[[0, 2]]),
    ]
    for f, g in cases:
        got, want = f(x), g(a)
        assert got.shape == want.shape and np.array_equal(got.numpy(), want)


def test_setitem_advanced():
    a = np.arange(12.).reshape(3, 4)
    x = T.tensor(a)
    x[[0, 2], [1, 3]] = T.tensor([-1., -2.])
    a[[0, 2], [1, 3]] = [-1., -2.]
    x[:, [0]] = 7          # broadcast a scalar
    a[:, [0]] = 7
    x[x > 8] = T.tensor(0, dtype=T.int64)  # value dtype cast
    a[a > 8] = 0
    x[[1], 1:3] = T.tensor([[5., 6.]])
    a[[1], 1:3] = [[5., 6.]]
    assert np.array_equal(x.numpy(), a)
    y = T.zeros(3)
    y[[0, 0]] = T.tensor([1., 2.])   # duplicates: the last write wins (serial scatter)
    assert y.tolist() == [2., 0., 0.]
    v = T.zeros(2, 3)[0]
    base = T.zeros(2, 3)
    base[0][[1, 2]] = 4.
    assert base.tolist() == [[0., 4., 4.], [0., 0., 0.]] and v.tolist() == [0., 0., 0.]


def test_views_and_copies_share_nothing():
    x = x34()
    for r in (x.flip(0), x.roll(1, 0), x.repeat(1, 1), T.cat([x]), x[[0, 1]], x.index_select(0, T.tensor([0]))):
        assert r._storage_ptr() != x._storage_ptr()


def test_composites():
    x = x34()
    assert T.fliplr(x).tolist() == x.flip(1).tolist() and T.flipud(x).tolist() == x.flip(0).tolist()
    assert T.take_along_dim(x, T.tensor([3, 1])).tolist() == [3., 1.]
    assert T.repeat_interleave(T.tensor([1, 2])).tolist() == [0, 1, 1]
    assert T.select_scatter(x, T.zeros(4), 0, 0)[0].tolist() == [0.] * 4
    raises(RuntimeError, "expected src to have a size equal to the slice of self. src size = [3], slice size = [4]",
           lambda: T.select_scatter(x, T.zeros(3), 0, 0))
    assert T.slice_scatter(x, T.zeros(3, 2), 1, 0, 4, 2)[:, 0].tolist() == [0.] * 3
    assert T.diagonal_scatter(x, T.zeros(3)).diagonal().tolist() == [0.] * 3
    assert x.narrow_copy(1, 1, 2).tolist() == [[1., 2.], [5., 6.], [9., 10.]]
    assert x.tile((2,)).shape == (3, 8) and T.dstack([T.ones(2), T.ones(2)]).shape == (1, 2, 2)
    assert T.gather(x, 1, T.tensor([[1]]), sparse_grad=False).tolist() == [[1.]]
    out = T.empty(2)
    assert T.take(x, T.tensor([0, 11]), out=out) is out and out.tolist() == [0., 11.]


@pytest.mark.parametrize("shape,perm", [((64, 48), (1, 0)), ((3, 40, 33), (0, 2, 1)), ((5, 6, 7, 8), (0, 2, 3, 1)),
                                        ((9, 300), (1, 0))])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int8", "bool"])
def test_permuted_copy(shape, perm, dtype):
    # the blocked transpose path of copy_/contiguous against numpy
    a = (np.arange(np.prod(shape)) % 7).reshape(shape).astype(dtype)
    t = T.tensor(a)
    got = t.permute(*perm).contiguous()
    assert got.is_contiguous() and np.array_equal(got.numpy(), a.transpose(perm))
    sub = t.permute(*perm)[1:, 2:]  # offsets and partial tiles
    assert np.array_equal(sub.contiguous().numpy(), a.transpose(perm)[1:, 2:])


def test_big_gather_parallel_matches():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((300, 400)).astype(np.float32)
    idx = rng.integers(0, 400, size=(300, 500))
    got = T.tensor(a).gather(1, T.tensor(idx))
    assert np.array_equal(got.numpy(), np.take_along_axis(a, idx, 1))
    big = T.tensor(a)
    assert np.array_equal(big[T.tensor(idx[:, 0] % 300)].numpy(), a[idx[:, 0] % 300])
    assert np.array_equal(big.flip(0, 1).numpy(), a[::-1, ::-1])
