"""`out=` across the op families: which out dtypes torch accepts for each op and the error it
raises otherwise (messages copied from torch 2.x), how out is resized, and which ops skip the
check that out has no self-overlapping elements."""

import math

import numpy as np

import pytest

import rstorch

x = rstorch.tensor([[1., -2., 0.5], [3., 4., -0.5]])
xi = rstorch.tensor([[1, 2, 0], [3, 4, 5]])
L, F, D, H, I, B = rstorch.int64, rstorch.float32, rstorch.float64, rstorch.float16, rstorch.int32, rstorch.bool


def E(*shape, dtype=F):
    return rstorch.zeros(*shape, dtype=dtype)


EXACT_D = "Expected out tensor to have dtype float, but got double instead"
EXACT_LONG_D = "Expected out tensor to have dtype long int, but got double instead"
CAST_L = "result type Float can't be cast to the desired output type Long"

# (op writing into `out`, the out it gets, torch's error type and message)
OUT_DTYPE_ERRORS = [
    # reductions
    (lambda o: rstorch.mean(x, 1, out=o), E(2, dtype=L), RuntimeError, CAST_L),
    (lambda o: rstorch.var(x, 1, out=o), E(2, dtype=L), RuntimeError, CAST_L),
    (lambda o: rstorch.std(x, 1, out=o), E(2, dtype=B), RuntimeError,
     "result type Float can't be cast to the desired output type Bool"),
    (lambda o: rstorch.nanmean(x, 1, out=o), E(2, dtype=L), NotImplementedError, "\"nansum_cpu\" not implemented for 'Long'"),
    (lambda o: rstorch.nansum(x, 1, out=o), E(2, dtype=I), NotImplementedError, "\"nansum_cpu\" not implemented for 'Int'"),
    (lambda o: rstorch.sum(x, 1, dtype=D, out=o), E(2), RuntimeError,
     "Expected out tensor to have dtype double, but got float instead"),
    (lambda o: rstorch.amax(x, 1, out=o), E(2, dtype=D), RuntimeError,
     "Expected the dtype for input and out to match, but got Float for input's dtype and Double for out's dtype."),
    (lambda o: rstorch.amin(x, 1, out=o), E(2, dtype=H), RuntimeError,
     "Expected the dtype for input and out to match, but got Float for input's dtype and Half for out's dtype."),
    (lambda o: rstorch.argmax(x, 1, out=o), E(2, dtype=D), RuntimeError, EXACT_LONG_D),
    (lambda o: rstorch.argmin(x, 1, out=o), E(2, dtype=I), RuntimeError,
     "Expected out tensor to have dtype long int, but got int instead"),
    (lambda o: rstorch.norm(x, dim=1, out=o), E(2, dtype=D), RuntimeError, EXACT_D),
    (lambda o: rstorch.norm(x, 1, dim=1, out=o), E(2, dtype=H), RuntimeError,
     "Expected out tensor to have dtype float, but got c10::Half instead"),
    (lambda o: rstorch.logsumexp(x, 1, out=o), E(2, dtype=L), RuntimeError,
     "logsumexp(): Expected floating point type for result tensor, but got: Long"),
    (lambda o: rstorch.logsumexp(xi, 1, out=o), E(2, dtype=B), RuntimeError,
     "logsumexp(): Expected floating point type for result tensor, but got: Bool"),
    (lambda o: rstorch.all(x, 1, out=o), E(2, dtype=D), RuntimeError, "all only supports bool tensor for result, got: Double"),
    (lambda o: rstorch.any(x, 1, out=o), E(2, dtype=I), RuntimeError, "any only supports bool tensor for result, got: Int"),
    (lambda o: rstorch.softmax(x, 1, out=o), E(2, 3, dtype=D), RuntimeError, EXACT_D),
    (lambda o: rstorch.log_softmax(x, 1, out=o), E(2, 3, dtype=L), RuntimeError,
     "Expected out tensor to have dtype float, but got long int instead"),
    (lambda o: rstorch.logcumsumexp(x, 1, out=o), E(2, 3, dtype=D), RuntimeError, "expected scalar_type Float but found Double"),
    (lambda o: rstorch.cummax(x, 1, out=(o, E(2, 3, dtype=L))), E(2, 3, dtype=D), RuntimeError,
     "expected scalar_type Float but found Double"),
    (lambda o: rstorch.cummin(x, 1, out=(E(2, 3), o)), E(2, 3, dtype=I), RuntimeError, "expected scalar_type Long but found Int"),
    (lambda o: rstorch.max(x, 1, out=(o, E(2, dtype=L))), E(2, dtype=D), RuntimeError, EXACT_D),
    (lambda o: rstorch.min(x, 1, out=(E(2), o)), E(2, dtype=D), RuntimeError, EXACT_LONG_D),
    (lambda o: rstorch.max(x, out=o), E((), dtype=L), RuntimeError,
     "Expected canCast( typeMetaToScalarType(self.dtype()), typeMetaToScalarType(out.dtype())) to be true, but got "
     "false.  (Could this error message be improved?  If so, please report an enhancement request to PyTorch.)"),
    (lambda o: rstorch.max(x, x, out=o), E(2, 3, dtype=L), RuntimeError, CAST_L),
    (lambda o: rstorch.aminmax(x, dim=1, out=(E(2), o)), E(2, dtype=D), RuntimeError, EXACT_D),
    # sorting and selection
    (lambda o: rstorch.sort(x, 1, out=(o, E(2, 3, dtype=L))), E(2, 3, dtype=D), RuntimeError, EXACT_D),
    (lambda o: rstorch.sort(x, 1, out=(E(2, 3), o)), E(2, 3, dtype=D), RuntimeError, EXACT_LONG_D),
    (lambda o: rstorch.msort(x, out=o), E(2, 3, dtype=D), RuntimeError, EXACT_D),
    (lambda o: rstorch.topk(x, 2, out=(E(2, 2), o)), E(2, 2, dtype=B), RuntimeError,
     "Expected out tensor to have dtype long int, but got bool instead"),
    (lambda o: rstorch.median(x, 1, out=(o, E(2, dtype=L))), E(2, dtype=D), RuntimeError,
     "Expected tensor for 'values' to have the same type as tensor for argument #2 'self'; but type "
     "torch.DoubleTensor does not equal torch.FloatTensor (while checking arguments for median)"),
    (lambda o: rstorch.median(x, 1, out=(E(2, dtype=B), o)), E(2, dtype=rstorch.bfloat16), RuntimeError,  # indices first
     "Expected tensor for argument #1 'indices' to have scalar type Long; but got CPUBFloat16Type instead "
     "(while checking arguments for median)"),
    (lambda o: rstorch.nanmedian(x, 1, out=(o, E(2, dtype=L))), E(2, dtype=B), RuntimeError,
     "Expected tensor for 'values' to have the same type as tensor for argument #2 'self'; but type "
     "CPUBoolType does not equal torch.FloatTensor (while checking arguments for median)"),
    (lambda o: rstorch.kthvalue(x, 1, 1, out=(o, E(2, dtype=L))), E(2, dtype=D), RuntimeError,
     "output values must be of same type as input"),
    (lambda o: rstorch.kthvalue(x, 1, 1, out=(E(2), o)), E(2, dtype=I), RuntimeError,
     "output indices must be of scalar type Long"),
    (lambda o: rstorch.mode(x, 1, out=(o, E(2, dtype=L))), E(2, dtype=H), RuntimeError,
     "expected scalar type 'Float' but got 'Half' for values output"),
    (lambda o: rstorch.mode(x, 1, out=(E(2), o)), E(2, dtype=D), RuntimeError,
     "expected scalar type 'Long' but got 'Double' for indices output"),
    (lambda o: rstorch.quantile(x, 0.5, dim=1, out=o), E(2, dtype=D), RuntimeError,
     "quantile() out tensor must be same dtype as the input tensor"),
    (lambda o: rstorch.nanquantile(x, 0.5, dim=1, out=o), E(2, dtype=D), RuntimeError,
     "quantile() out tensor must be same dtype as the input tensor"),
    (lambda o: rstorch.histc(x, 4, out=o), E(4, dtype=D), RuntimeError,
     "torch.histogram: input tensor and hist tensor should have the same dtype, but got input float and hist double"),
    (lambda o: rstorch.searchsorted(rstorch.tensor([1., 2.]), x, out=o), E(2, 3, dtype=I), RuntimeError,
     "torch.searchsorted(): output tensor's dtype is wrong, it can only be Int(int32) or Long(int64) depending on "
     "whether out_int32 flag is True, but we got output tensor's dtype Int and out_int32 flag is False"),
    (lambda o: rstorch.bucketize(x, rstorch.tensor([1., 2.]), out_int32=True, out=o), E(2, 3, dtype=L), RuntimeError,
     "torch.searchsorted(): output tensor's dtype is wrong, it can only be Int(int32) or Long(int64) depending on "
     "whether out_int32 flag is True, but we got output tensor's dtype Long and out_int32 flag is True"),
    (lambda o: rstorch.isin(x, x, out=o), E(2, 3, dtype=rstorch.uint8), RuntimeError,
     "Expected out tensor to have dtype bool, but got unsigned char instead"),
    # indexing and joining
    (lambda o: rstorch.gather(x, 1, rstorch.tensor([[0], [1]]), out=o), E(2, 1, dtype=D), RuntimeError, EXACT_D),
    (lambda o: rstorch.scatter_add(x, 1, rstorch.tensor([[0], [1]]), x, out=o), E(2, 3, dtype=H), RuntimeError,
     "Expected out tensor to have dtype float, but got c10::Half instead"),
    (lambda o: rstorch.index_select(x, 1, rstorch.tensor([0, 1]), out=o), E(2, 2, dtype=D), RuntimeError,
     "index_select(): self and result must have the same scalar type"),
    (lambda o: rstorch.take(x.long(), rstorch.tensor([0]), out=o), E(1), RuntimeError,
     "take(): self and out expected to have the same dtype, but got self.dtype = Long and out.dtype = Float"),
    (lambda o: rstorch.masked_select(x, x > 0, out=o), E(4, dtype=D), RuntimeError,
     "masked_select(): self and result must have the same scalar type"),
    (lambda o: rstorch.nonzero(x, out=o), E(5, 2, dtype=I), RuntimeError,
     "nonzero: Expected out tensor to have scalar type Long but got scalar typeInt"),
    (lambda o: rstorch.stack([x, x], out=o), E(2, 2, 3, dtype=L), TypeError,
     "torch.cat(): input types can't be cast to the desired output type Long"),
    (lambda o: rstorch.narrow_copy(x, 0, 0, 1, out=o), E(1, 3, dtype=D), RuntimeError,
     "Expected self.dtype() == output.dtype() to be true, but got false.  (Could this error message be improved?  "
     "If so, please report an enhancement request to PyTorch.)"),
    # elementwise
    (lambda o: rstorch.add(x, x, out=o), E(2, 3, dtype=L), RuntimeError, CAST_L),
    (lambda o: rstorch.ldexp(x, x, out=o), E(2, 3, dtype=B), RuntimeError, "ldexp can't be cast to the desired output type Bool"),
    (lambda o: rstorch.clamp(x, 0, 1, out=o), E(2, 3, dtype=D), RuntimeError, "Found dtype Double but expected Float"),
    (lambda o: rstorch.clamp(xi, 0, 1, out=o), E(2, 3, dtype=I), RuntimeError, "Found dtype Int but expected Long"),
    (lambda o: rstorch.clamp_min(x, 0, out=o), E(2, 3, dtype=H), RuntimeError, "Found dtype Half but expected Float"),
    (lambda o: rstorch.clamp(x, x, out=o), E(2, 3, dtype=L), RuntimeError, CAST_L),
    (lambda o: rstorch.where(x > 0, x, x, out=o), E(2, 3, dtype=D), RuntimeError, "Expected out type to be Float but got Double"),
    (lambda o: rstorch.exp(x, out=o), E(2, 3, dtype=L), RuntimeError, CAST_L),
    (lambda o: rstorch.neg(x, out=o), E(2, 3, dtype=D), RuntimeError, "Found dtype Double but expected Float"),
]


@pytest.mark.parametrize("op,out,exc,msg", OUT_DTYPE_ERRORS, ids=[m[:50] for *_, m in OUT_DTYPE_ERRORS])
def test_out_dtype_errors(op, out, exc, msg):  # torch
    with pytest.raises(exc) as e:
        op(out)
    assert str(e.value) == msg


# (op writing into `out`, an out of another dtype torch accepts, the values it then holds)
OUT_DTYPE_ACCEPTED = [
    # sum, prod and the scans cast the input to out's dtype first
    (lambda o: rstorch.sum(x, 1, out=o), E(2, dtype=L), [-1, 7]),
    (lambda o: rstorch.prod(x, 1, out=o), E(2, dtype=L), [0, 0]),
    (lambda o: rstorch.sum(rstorch.tensor([[0.3, 0.3, 0.4]]), 1, out=o), E(1, dtype=B), [True]),
    (lambda o: rstorch.nansum(xi, 1, out=o), E(2), [3.0, 12.0]),
    (lambda o: rstorch.cumsum(x, 1, out=o), E(2, 3, dtype=L), [[1, -1, -1], [3, 7, 7]]),
    (lambda o: rstorch.cumprod(xi, 1, out=o), E(2, 3, dtype=D), [[1.0, 2.0, 0.0], [3.0, 12.0, 60.0]]),
    # TensorIterator ops cast their result into any dtype it casts to
    (lambda o: rstorch.mean(x, 1, out=o), E(2, dtype=D), [-1 / 6, 13 / 6]),
    (lambda o: rstorch.nanmean(x, 1, out=o), E(2, dtype=H), [-0.1666259765625, 2.166015625]),
    (lambda o: rstorch.logsumexp(xi, 1, out=o), E(2, dtype=D), None),
    (lambda o: rstorch.max(x, out=o), E((), dtype=D), 4.0),
    (lambda o: rstorch.max(x, x, out=o), E(2, 3, dtype=H), [[1.0, -2.0, 0.5], [3.0, 4.0, -0.5]]),
    (lambda o: rstorch.all(x, 1, out=o), E(2, dtype=rstorch.uint8), [1, 1]),
    (lambda o: rstorch.any(x.to(rstorch.uint8), 1, out=o), E(2, dtype=B), [True, True]),
    (lambda o: rstorch.clamp(x, x, out=o), E(2, 3, dtype=D), [[1.0, -2.0, 0.5], [3.0, 4.0, -0.5]]),
    (lambda o: rstorch.cat([x, x], out=o), E(4, 3, dtype=H), [[1.0, -2.0, 0.5], [3.0, 4.0, -0.5]] * 2),
    (lambda o: rstorch.exp(xi, out=o), E(2, 3, dtype=D), None),
]


@pytest.mark.parametrize("op,out,want", OUT_DTYPE_ACCEPTED)
def test_out_dtypes_accepted(op, out, want):  # torch
    dtype = out.dtype
    assert op(out) is out and out.dtype is dtype
    if want is not None:
        got = out.tolist()
        if dtype.is_floating_point:
            np.testing.assert_allclose(np.array(got, dtype=np.float64), np.array(want, dtype=np.float64), rtol=1e-6)
        else:
            assert got == want


def test_resized_out_keeps_its_dtype():  # torch
    o = E(0, dtype=D)
    assert rstorch.mean(x, 1, out=o) is o and o.dtype is D and o.shape == (2,)
    o = E(0, dtype=L)
    rstorch.cumsum(x, 1, out=o)
    assert o.dtype is L and o.tolist() == [[1, -1, -1], [3, 7, 7]]
    o = E(0, dtype=H)
    rstorch.cat([x, x], out=o)
    assert o.dtype is H and o.shape == (4, 3)


@pytest.mark.parametrize("op", [
    lambda: rstorch.cumsum(x, 1, dtype=B), lambda: rstorch.cumsum(x, 1, out=E(2, 3, dtype=B)),
    lambda: x.cumprod(1, dtype=B),
])
def test_no_bool_scans(op):  # torch
    with pytest.raises(NotImplementedError, match=r"^\"cum(sum|prod)_out_cpu\" not implemented for 'Bool'$"):
        op()


# factory functions: values made in out's dtype, out resized; dtype= must agree with out's
@pytest.mark.parametrize("make,out,want", [
    (lambda o: rstorch.eye(2, 3, out=o), E(1, dtype=L), [[1, 0, 0], [0, 1, 0]]),
    (lambda o: rstorch.zeros(2, out=o), E(3), [0.0, 0.0]),
    (lambda o: rstorch.ones(2, 2, out=o), E(4, dtype=I), [[1, 1], [1, 1]]),
    (lambda o: rstorch.full((2,), 1.5, out=o), E(3, dtype=L), [1, 1]),
    (lambda o: rstorch.arange(0, 1, 0.25, out=o), E(1, dtype=L), [0, 0, 0, 0]),
    (lambda o: rstorch.arange(4, out=o), E(4, dtype=D), [0.0, 1.0, 2.0, 3.0]),
    (lambda o: rstorch.linspace(0, 1, 5, out=o), E(1, dtype=L), [0, 0, 0, 0, 1]),
    (lambda o: rstorch.logspace(0, 2, 3, out=o), E(3, dtype=I), [1, 10, 100]),
])
def test_factory_out(make, out, want):  # torch
    dtype = out.dtype
    assert make(out) is out and out.dtype is dtype and out.tolist() == want


@pytest.mark.parametrize("make", [
    lambda o: rstorch.zeros(3, out=o, dtype=F), lambda o: rstorch.eye(2, out=o, dtype=F),
    lambda o: rstorch.arange(3, out=o, dtype=F),
])
def test_factory_out_dtype_mismatch(make):  # torch
    with pytest.raises(RuntimeError, match=r"^dtype Float does not match dtype of out parameter \(Long\)$"):
        make(E(3, dtype=L))


def test_factory_out_requires_grad():  # torch
    with pytest.raises(RuntimeError, match=r"^aten::zeros\(\): functions with out=\.\.\. arguments don't support"):
        rstorch.zeros(2, out=rstorch.ones(3, requires_grad=True))
