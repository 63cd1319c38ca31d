"""Matrix products and linear algebra (the op table, tests/opinfo/linalg.py, runs in
tests/test_ops.py): torch's semantics
(errors and their messages, result dtypes, out=, in-place, empty and batched inputs). Expected
texts and values were produced with torch 2.x and are written in as literals."""

import math
import warnings

import numpy as np
import pytest

import rstorch



def f32(*shape):
    return rstorch.ones(*shape)


def f64(*shape):
    return rstorch.ones(*shape, dtype=rstorch.float64)


def ones(*shape, dtype):
    return rstorch.ones(*shape, dtype=dtype)


ERRORS = [
    (lambda: rstorch.matmul(rstorch.tensor(1.), f32(2, 3)), RuntimeError,
     "both arguments to matmul need to be at least 1D, but they are 0D and 2D"),
    (lambda: f32(2, 3) @ f64(3, 4), RuntimeError, "expected m1 and m2 to have the same dtype, but got: float != double"),
    (lambda: f32(2, 3) @ f32(4, 5), RuntimeError, "mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"),
    (lambda: f32(3) @ f32(4), RuntimeError,
     "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, but got 3 and 4 elements respectively"),
    (lambda: f32(2, 3) @ f32(4), RuntimeError, "size mismatch, got input (2), mat (2x3), vec (4)"),
    (lambda: f32(3) @ f32(4, 5), RuntimeError, "mm: mat1 and mat2 shapes cannot be multiplied (1x3 and 4x5)"),
    (lambda: f32(2, 2, 3) @ f32(3, 4, 5), RuntimeError,
     "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"),
    (lambda: f32(2, 2, 3) @ f32(4), RuntimeError, "size mismatch, got input (4), mat (4x3), vec (4)"),
    (lambda: f32(2, 2, 3) @ f32(2, 4, 5), RuntimeError,
     "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 4]."),
    (lambda: f32(2, 2, 3) @ f64(2, 3, 5), RuntimeError, "expected scalar type Float but found Double"),
    (lambda: ones(2, 3, dtype=rstorch.int32) @ ones(3, 2, dtype=rstorch.int64), RuntimeError,
     "expected m1 and m2 to have the same dtype, but got: int != long int"),
    (lambda: ones(2, 2, dtype=rstorch.float16) @ ones(2, 2, dtype=rstorch.bfloat16), RuntimeError,
     "expected m1 and m2 to have the same dtype, but got: c10::Half != c10::BFloat16"),
    (lambda: rstorch.mm(f32(3), f32(3, 4)), RuntimeError, "mm: self must be a matrix, got 1-D tensor"),
    (lambda: rstorch.mm(f32(2, 3), f32(3)), RuntimeError, "mm: mat2 must be a matrix, got 1-D tensor"),
    (lambda: rstorch.bmm(f32(2, 3), f32(3, 4)), RuntimeError, "batch1 must be a 3D tensor"),
    (lambda: rstorch.bmm(f32(2, 2, 3), f32(3, 3, 5)), RuntimeError,
     "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [3, 3]."),
    (lambda: rstorch.mv(f32(2, 3), f32(3, 1)), RuntimeError, "vector + matrix @ vector expected, got 1, 2, 2"),
    (lambda: rstorch.mv(f32(2, 3), f64(3)), RuntimeError,
     "addmv input tensors must have the same dtype, but got Double, Float, and Double"),
    (lambda: rstorch.dot(f32(3, 1), f32(3)), RuntimeError, "1D tensors expected, but got 2D and 1D tensors"),
    (lambda: rstorch.dot(f32(3), f64(3)), RuntimeError,
     "dot : expected both vectors to have same dtype, but found Float and Double"),
    (lambda: ones(2, 3, dtype=rstorch.bool) @ ones(3, 2, dtype=rstorch.bool), NotImplementedError,
     "\"addmm_impl_cpu_\" not implemented for 'Bool'"),
    (lambda: ones(3, dtype=rstorch.bool) @ ones(3, dtype=rstorch.bool), NotImplementedError,
     "\"dot\" not implemented for 'Bool'"),
    (lambda: rstorch.bmm(ones(2, 2, 2, dtype=rstorch.bool), ones(2, 2, 2, dtype=rstorch.bool)), NotImplementedError,
     "\"bmm\" not implemented for 'Bool'"),
    (lambda: rstorch.mv(ones(2, 2, dtype=rstorch.bool), ones(2, dtype=rstorch.bool)), NotImplementedError,
     "\"addmv_impl_cpu\" not implemented for 'Bool'"),
    (lambda: rstorch.outer(f32(3, 1), f32(2)), RuntimeError, "outer: Expected 1-D argument self, but got 2-D"),
    (lambda: rstorch.inner(f32(2, 3), f32(4, 4)), RuntimeError,
     "inner() the last dimension must match on both input tensors but got shapes [2, 3] and [4, 4]"),
    (lambda: rstorch.addmm(f32(4), f32(2, 3), f32(3, 3)), RuntimeError,
     "The expanded size of the tensor (3) must match the existing size (4) at non-singleton dimension 1.  Target sizes: [2, 3].  Tensor sizes: [4]"),
    (lambda: rstorch.addmm(f64(2, 3), f32(2, 3), f32(3, 3)), RuntimeError,
     "self and mat2 must have the same dtype, but got Double and Float"),
    (lambda: rstorch.addmv(f32(3), f32(2, 3), f32(3)), RuntimeError, "size mismatch, got input (3), mat (2x3), vec (3)"),
    (lambda: rstorch.addbmm(f32(2, 4), f32(2, 2, 3), f32(3, 3, 4)), RuntimeError,
     "batch1 and batch2 must have same number of batches, got 2 and 3"),
    (lambda: rstorch.linalg.inv(rstorch.tensor([[1., 2.], [2., 4.]])), RuntimeError,
     "linalg.inv: The diagonal element 2 is zero, the inversion could not be completed because the input matrix is singular."),
    (lambda: rstorch.linalg.inv(rstorch.tensor([[1., 2., 3.], [2., 4., 6.], [1., 0., 1.]])), RuntimeError,
     "linalg.inv: The diagonal element 3 is zero, the inversion could not be completed because the input matrix is singular."),
    (lambda: rstorch.linalg.inv(rstorch.stack([rstorch.eye(2), rstorch.zeros(2, 2)]) if hasattr(rstorch, "stack")
                                else rstorch.tensor([[[1., 0.], [0., 1.]], [[0., 0.], [0., 0.]]])), RuntimeError,
     "linalg.inv: (Batch element 1): The diagonal element 1 is zero, the inversion could not be completed because the input matrix is singular."),
    (lambda: rstorch.linalg.inv(f32(2, 3)), RuntimeError, "linalg.inv: A must be batches of square matrices, but they are 2 by 3 matrices"),
    (lambda: rstorch.linalg.inv(f32(3)), RuntimeError, "linalg.inv: The input tensor A must have at least 2 dimensions."),
    (lambda: rstorch.linalg.inv(ones(2, 2, dtype=rstorch.int64)), NotImplementedError,
     "linalg.inv: Expected a floating point or complex tensor as input. Got Long"),
    (lambda: rstorch.inverse(ones(2, 2, dtype=rstorch.float16)), NotImplementedError,
     "linalg.inv: Low precision dtypes not supported. Got Half"),
    # det and solve reach torch's LU kernel before any dtype check of their own
    (lambda: rstorch.det(ones(2, 2, dtype=rstorch.float16)), NotImplementedError, "\"lu_cpu\" not implemented for 'Half'"),
    (lambda: rstorch.linalg.solve(ones(2, 2, dtype=rstorch.bfloat16), ones(2, dtype=rstorch.bfloat16)),
     NotImplementedError, "\"lu_cpu\" not implemented for 'BFloat16'"),
    (lambda: rstorch.det(f32(2, 3)), RuntimeError, "linalg.det: A must be batches of square matrices, but they are 2 by 3 matrices"),
    (lambda: rstorch.linalg.slogdet(f32(2, 3)), RuntimeError,
     "linalg.slogdet: A must be batches of square matrices, but they are 2 by 3 matrices"),
    (lambda: rstorch.linalg.solve(f32(2, 2), f32(2)), RuntimeError,
     "torch.linalg.solve: The solver failed because the input matrix is singular."),
    (lambda: rstorch.linalg.solve(rstorch.eye(2), f32(3)), RuntimeError,
     "linalg.solve: Incompatible shapes of A and B for the equation AX = B (2x2 and 3x1)"),
    (lambda: rstorch.linalg.solve(rstorch.eye(2), f64(2)), RuntimeError,
     "linalg.solve: Expected A and B to have the same dtype, but found A of type Float and B of type Double instead"),
    (lambda: rstorch.trace(f32(2, 3, 4)), RuntimeError, "trace: expected a matrix, but got tensor with dim 3"),
    (lambda: rstorch.trace(ones(2, 3, dtype=rstorch.bool)), NotImplementedError, "\"trace\" not implemented for 'Bool'"),
    (lambda: rstorch.tril(f32(3)), RuntimeError, "tril: input tensor must have at least 2 dimensions"),
    (lambda: rstorch.diag(f32(2, 3, 4)), RuntimeError, "diag(): Supports 1D or 2D tensors. Got 3D"),
    (lambda: rstorch.diag_embed(f32(2, 3), 1, 0, 0), RuntimeError, "diagonal dimensions cannot be identical 0, 0"),
    (lambda: rstorch.tensordot(f32(2, 3), f32(3, 4), dims=([1], [1])), RuntimeError,
     "contracted dimensions need to match, but first has size 3 in dim 1 and second has size 4 in dim 1"),
    (lambda: rstorch.tensordot(f32(2, 3), f32(3, 2), dims=-1), RuntimeError, "tensordot expects dims >= 0, but got dims=-1"),
    (lambda: rstorch.tensordot(f32(2, 3), f32(3, 2), dims=([0], [0, 1])), RuntimeError,
     "both dimension lists should have same length"),
    (lambda: rstorch.linalg.cross(f32(3, 2), f32(3, 2)), RuntimeError,
     "linalg.cross: inputs dimension -1 must have length 3. Got 2 and 2"),
    (lambda: rstorch.cross(f32(3, 2), f32(3, 2), dim=1), RuntimeError,
     "linalg.cross: inputs dimension 1 must have length 3. Got 2 and 2"),
    (lambda: rstorch.linalg.cross(f32(3, 3), f64(3, 3)), RuntimeError, "expected scalar type Float but found Double"),
    (lambda: rstorch.linalg.cross(ones(3, dtype=rstorch.bool), ones(3, dtype=rstorch.bool)), NotImplementedError,
     "\"cross\" not implemented for 'Bool'"),
    (lambda: rstorch.linalg.vecdot(ones(3, dtype=rstorch.int64), ones(3, dtype=rstorch.int64)), NotImplementedError,
     "linalg.vecdot: Expected a floating point or complex tensor as input. Got Long"),
    (lambda: rstorch.linalg.vecdot(f32(3), f64(3)), RuntimeError,
     "linalg.vecdot: Expected x and y to have the same dtype, but found x of type Float and y of type Double instead"),
    (lambda: rstorch.linalg.matrix_norm(ones(3, 3, dtype=rstorch.int64)), NotImplementedError,
     "linalg.matrix_norm: Expected a floating point or complex tensor as input. Got Long"),
    (lambda: rstorch.linalg.matrix_norm(f32(3)), RuntimeError, "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."),
    (lambda: rstorch.linalg.matrix_norm(f32(3, 3), ord=3), RuntimeError, "linalg.matrix_norm: Order 3 not supported."),
    (lambda: rstorch.linalg.matrix_norm(f32(3, 3), ord="abc"), RuntimeError, "linalg.matrix_norm: Order abc not supported."),
    (lambda: rstorch.linalg.matrix_norm(f32(3, 3), dim=(0, 0)), RuntimeError, "linalg.matrix_norm: dims must be different. Got (0, 0)"),
    (lambda: rstorch.linalg.matrix_norm(f32(3, 3), dtype=rstorch.int64), RuntimeError,
     "linalg.matrix_norm: dtype should be floating point or complex, but got Long"),
    (lambda: rstorch.linalg.matrix_norm(f64(3, 3), dtype=rstorch.float32), RuntimeError,
     "linalg.matrix_norm: the dtype of the input (Double) should be convertible without narrowing to the specified dtype (Float)"),
    (lambda: rstorch.linalg.matrix_norm(ones(3, 3, dtype=rstorch.int64), dtype=rstorch.float64), NotImplementedError,
     "linalg.matrix_norm: Expected a floating point or complex tensor as input. Got Long"),
    (lambda: rstorch.linalg.matrix_norm(f32(2, 3, 3), dim=(0, 1, 1)), RuntimeError,
     "linalg.matrix_norm: dim must be a 2-tuple. Got 0 1 1"),
    (lambda: rstorch.linalg.vector_norm(ones(3, dtype=rstorch.int64)), NotImplementedError,
     "linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long"),
    (lambda: rstorch.linalg.vector_norm(ones(3, dtype=rstorch.int64), dtype=rstorch.float32), NotImplementedError,
     "linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long"),
    (lambda: rstorch.linalg.vector_norm(f32(3), dtype=rstorch.int64), RuntimeError,
     "linalg.vector_norm: dtype should be floating point or complex, but got Long"),
    (lambda: rstorch.linalg.vector_norm(f32(3), dtype=rstorch.float16), RuntimeError,
     "linalg.vector_norm: the dtype of the input (Float) should be convertible without narrowing to the specified dtype (Half)"),
    (lambda: rstorch.linalg.vector_norm(ones(3, dtype=rstorch.float16), dtype=rstorch.bfloat16), RuntimeError,
     "linalg.vector_norm: the dtype of the input (Half) should be convertible without narrowing to the specified dtype (BFloat16)"),
    (lambda: f32(3).norm(dtype=rstorch.float16), RuntimeError,
     "linalg.vector_norm: the dtype of the input (Float) should be convertible without narrowing to the specified dtype (Half)"),
    (lambda: rstorch.linalg.vector_norm(f32(3), "fro"), TypeError,
     "linalg_vector_norm(): argument 'ord' (position 2) must be Number, not str"),
    (lambda: rstorch.linalg.vector_norm(f32(3), None), TypeError,
     "linalg_vector_norm(): argument 'ord' (position 2) must be Number, not NoneType"),
    (lambda: rstorch.linalg.vector_norm(f32(3), rstorch.tensor([2.])), TypeError,
     "linalg_vector_norm(): argument 'ord' (position 2) must be Number, not Tensor"),
    (lambda: rstorch.linalg.vector_norm(f32(3), 1j), RuntimeError,
     "linalg.vector_norm: Expected a non-complex scalar as the order of norm."),
    (lambda: rstorch.linalg.vector_norm(f32(0), -1), RuntimeError,
     "linalg.vector_norm cannot compute the -1 norm on an empty tensor because the operation does not have an identity"),
    (lambda: rstorch.linalg.vector_norm(f32(2, 0), float("inf"), 1), RuntimeError,
     "linalg.vector_norm cannot compute the inf norm on the dimension 1because this dimension is empty and the operation does not have an identity"),
    (lambda: rstorch.linalg.vector_norm(f32(2, 3), 2, (0, 0)), RuntimeError, "dim 0 appears multiple times in the list of dims"),
    (lambda: rstorch.linalg.vector_norm(f32(2, 3), 2, 2), IndexError,
     "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    (lambda: rstorch.linalg.vector_norm(f32(2, 3), out=f64(())), RuntimeError,
     "Expected out tensor to have dtype float, but got double instead"),
    (lambda: rstorch.linalg.vector_norm(f32(2, 3), dtype=rstorch.float64, out=f32(())), RuntimeError,
     "Expected out tensor to have dtype double, but got float instead"),
    (lambda: rstorch.linalg.norm(f32(2, 3), out=f64(())), RuntimeError, "linalg.norm expected out tensor dtype Float but got: Double"),
    (lambda: rstorch.linalg.norm(f32(2, 3), 1, out=f64(())), RuntimeError, "linalg.norm expected out tensor dtype Float but got: Double"),
    (lambda: rstorch.linalg.norm(f32(2, 2, 2), 2), RuntimeError,
     "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got 3D."),
    (lambda: rstorch.linalg.norm(f32(2, 2, 2), "fro"), RuntimeError,
     "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got 3D."),
    (lambda: rstorch.linalg.norm(f32(2, 2, 2), dim=(0, 1, 2)), RuntimeError,
     "linalg.norm: If dim is specified, it must be of length 1 or 2. Got [0, 1, 2]"),
    (lambda: rstorch.linalg.norm(f32(3), "fro"), RuntimeError, "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."),
    (lambda: rstorch.linalg.norm(f32(2, 3), "fro", 1), RuntimeError, "linalg.matrix_norm: dim must be a 2-tuple. Got 1"),
    (lambda: rstorch.linalg.norm(f32(2, 3), 3), RuntimeError, "linalg.matrix_norm: Order 3 not supported."),
    (lambda: rstorch.einsum("ij,jk", f32(2, 3), f32(4, 5)), RuntimeError,
     "einsum(): subscript j has size 4 for operand 1 which does not broadcast with previously seen size 3"),
    (lambda: rstorch.einsum("ij,jk->ik", f32(2, 3)), RuntimeError, "einsum(): fewer operands were provided than specified in the equation"),
    (lambda: rstorch.einsum("ij,jk->ik", f32(2, 3), f64(3, 4)), RuntimeError, "expected scalar type Float but found Double"),
    (lambda: rstorch.einsum("ij->ik", f32(2, 3)), RuntimeError,
     "einsum(): output subscript k does not appear in the equation for any input operand"),
    (lambda: rstorch.einsum("ijk->ij", f32(2, 3)), RuntimeError,
     "einsum(): the number of subscripts in the equation (3) does not match the number of dimensions (2) for operand 0 and no ellipsis was given"),
    (lambda: rstorch.einsum("ii->i", f32(2, 3)), RuntimeError,
     "einsum(): subscript i is repeated for operand 0 but the sizes don't match, 3 != 2"),
    (lambda: rstorch.einsum("ij->iij", f32(2, 3)), RuntimeError, "einsum(): output subscript i appears more than once in the output"),
    (lambda: rstorch.einsum("i1,i", f32(2), f32(2)), RuntimeError,
     "einsum(): invalid subscript given at index 1 in the equation string, subscripts must be in [a-zA-Z]"),
]


@pytest.mark.parametrize("fn,exc,msg", ERRORS, ids=[e[2][:60] for e in ERRORS])
def test_errors(fn, exc, msg):
    with pytest.raises(exc) as info:
        fn()
    assert str(info.value) == msg


def test_result_dtypes():
    i64, f16 = rstorch.int64, rstorch.float16
    assert (ones(2, 3, dtype=i64) @ ones(3, 2, dtype=i64)).dtype is i64
    assert (ones(2, 3, dtype=rstorch.uint8) @ ones(3, 2, dtype=rstorch.uint8)).dtype is rstorch.uint8
    assert (ones(2, 3, dtype=f16) @ ones(3, 2, dtype=f16)).dtype is f16
    assert rstorch.outer(ones(3, dtype=i64), f32(2)).dtype is rstorch.float32
    assert rstorch.kron(ones(2, dtype=i64), ones(2, dtype=f16)).dtype is f16
    assert rstorch.trace(ones(2, 3, dtype=rstorch.int32)).dtype is i64
    assert rstorch.trace(ones(2, 3, dtype=f16)).dtype is f16
    assert rstorch.addr(ones(2, 4, dtype=i64), f32(2), f32(4)).dtype is rstorch.float32
    assert rstorch.tril(ones(2, 2, dtype=rstorch.bool)).dtype is rstorch.bool
    assert rstorch.linalg.matrix_norm(f32(3, 3), dtype=rstorch.float64).dtype is rstorch.float64
    assert rstorch.linalg.matrix_norm(ones(3, 3, dtype=f16)).dtype is f16


def test_matmul_shapes():
    assert (f32(2, 1, 3, 4) @ f32(5, 4, 2)).shape == (2, 5, 3, 2)
    assert (f32(4) @ f32(2, 4, 3)).shape == (2, 3)
    assert (f32(2, 2, 3) @ f32(3)).shape == (2, 2)
    assert (f32(3) @ f32(3)).shape == ()
    assert (f32(0, 3) @ f32(3, 4)).shape == (0, 4)
    z = f32(2, 0) @ f32(0, 3)
    assert z.shape == (2, 3) and z.numpy().tolist() == [[0.0] * 3] * 2


def test_rmatmul_and_not_implemented():
    a = f32(2, 2)
    assert a.__rmatmul__(3) is NotImplemented
    with pytest.raises(TypeError):
        a @ 3
    assert (a.__rmatmul__(f32(3, 2))).shape == (3, 2)


def test_addmm_beta_zero_ignores_nan():
    nan = rstorch.full((2, 2), float("nan"))
    r = rstorch.addmm(nan, f32(2, 3), f32(3, 2), beta=0)
    assert r.numpy().tolist() == [[3.0, 3.0], [3.0, 3.0]]
    r = rstorch.addmm(ones(2, 2, dtype=rstorch.int64), ones(2, 2, dtype=rstorch.int64), ones(2, 2, dtype=rstorch.int64), beta=2, alpha=3)
    assert r.numpy().tolist() == [[8, 8], [8, 8]]


def test_large_strided_products_match_numpy():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((300, 200)).astype(np.float32)
    b = rng.standard_normal((250, 200)).astype(np.float32)
    ta, tb = rstorch.tensor(a), rstorch.tensor(b)
    got = (ta @ tb.t()).numpy()
    np.testing.assert_allclose(got, a.astype(np.float64) @ b.T.astype(np.float64), rtol=1e-4, atol=1e-4)
    got = (ta.t()[::2] @ ta[:, ::3]).numpy()
    np.testing.assert_allclose(got, a.T[::2].astype(np.float64) @ a[:, ::3], rtol=1e-4, atol=1e-4)
    # many small products in a batch (split over threads) and a broadcast operand
    x = rng.standard_normal((64, 8, 5))
    y = rng.standard_normal((5, 6))
    np.testing.assert_allclose((rstorch.tensor(x) @ rstorch.tensor(y).expand(64, 5, 6)).numpy(), x @ y, rtol=1e-12)


def test_results_do_not_depend_on_thread_count():
    rng = np.random.default_rng(1)
    a = rstorch.tensor(rng.standard_normal((256, 256)).astype(np.float32))
    n = rstorch.get_num_threads() if hasattr(rstorch, "get_num_threads") else None
    if n is None:
        pytest.skip("set_num_threads not available")
    try:
        rstorch.set_num_threads(1)
        one = (a @ a).numpy().copy()
        rstorch.set_num_threads(2)
        two = (a @ a).numpy().copy()
    finally:
        rstorch.set_num_threads(n)
    np.testing.assert_allclose(one, two, rtol=1e-5, atol=1e-5)


def test_out_and_inplace():
    out = rstorch.empty(2, 2)
    r = rstorch.mm(f32(2, 3), f32(3, 2), out=out)
    assert r is out and out.numpy().tolist() == [[3.0, 3.0], [3.0, 3.0]]
    out = rstorch.empty(0)
    rstorch.matmul(f32(2, 3), f32(3), out=out)
    assert out.shape == (2,)
    a = rstorch.ones(3, 3)
    assert a.tril_(-1) is a
    assert a.numpy().tolist() == [[0, 0, 0], [1, 0, 0], [1, 1, 0]]
    b = rstorch.ones(4, 4)
    b.t().triu_()  # writes through a transposed view
    assert b.numpy().tolist() == [[1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0], [1, 1, 1, 1]]
    x = rstorch.ones(2, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"mm\(\): functions with out=\.\.\. arguments don't support automatic differentiation"):
        rstorch.mm(x, x, out=rstorch.empty(2, 2))


def test_out_dtype_must_match():  # torch
    A64, b64 = rstorch.eye(3, dtype=rstorch.float64) * 2, rstorch.ones(3, dtype=rstorch.float64)
    e32 = lambda *s: rstorch.empty(*s)
    generic = "Expected out tensor to have dtype double, but got float instead"
    cases = [
        (lambda: rstorch.linalg.inv(A64, out=e32(3, 3)), generic),
        (lambda: rstorch.inverse(A64, out=e32(3, 3)), generic),
        (lambda: rstorch.linalg.inv(A64.float(), out=rstorch.empty(3, 3, dtype=rstorch.float64)),
         "Expected out tensor to have dtype float, but got double instead"),
        (lambda: rstorch.linalg.inv(A64, out=rstorch.empty(3, 3, dtype=rstorch.int64)),
         "Expected out tensor to have dtype double, but got long int instead"),
        (lambda: rstorch.linalg.det(A64, out=e32(())), generic),
        (lambda: rstorch.linalg.slogdet(A64, out=(e32(()), rstorch.empty((), dtype=rstorch.float64))), generic),
        (lambda: rstorch.linalg.slogdet(A64, out=(rstorch.empty((), dtype=rstorch.float64), e32(()))), generic),
        (lambda: rstorch.linalg.solve(A64, b64, out=e32(3)), generic),
        (lambda: rstorch.linalg.solve(A64, A64, left=False, out=e32(3, 3)), generic),
        (lambda: rstorch.linalg.cross(b64, b64, out=e32(3)), generic),
        (lambda: rstorch.cross(b64, b64, dim=0, out=e32(3)), generic),
        (lambda: rstorch.mm(A64, A64, out=e32(3, 3)), generic),
        (lambda: rstorch.bmm(A64[None], A64[None], out=e32(1, 3, 3)), generic),
        (lambda: rstorch.matmul(A64, A64, out=e32(3, 3)), generic),
        (lambda: rstorch.matmul(A64[None], A64, out=e32(1, 3, 3)), generic),
        (lambda: rstorch.addmm(A64, A64, A64, out=e32(3, 3)), generic),
        (lambda: rstorch.addmv(b64, A64, b64, out=e32(3)), generic),
        (lambda: rstorch.baddbmm(A64[None], A64[None], A64[None], out=e32(1, 3, 3)), generic),
        (lambda: rstorch.tril(A64, out=e32(3, 3)), generic),
        (lambda: rstorch.triu(A64, out=e32(3, 3)), generic),
        (lambda: rstorch.diag(A64, out=e32(3)), generic),
        (lambda: rstorch.diag(b64, out=e32(3, 3)), generic),
        (lambda: rstorch.dot(b64, b64, out=e32(())), "result dtype Float does not match input dtype Double"),
        (lambda: rstorch.vdot(b64, b64, out=e32(())), "result dtype Float does not match input dtype Double"),
        (lambda: rstorch.matmul(b64, b64, out=e32(())), "result dtype Float does not match input dtype Double"),
        (lambda: rstorch.mv(A64, b64, out=e32(3)),
         "addmv input tensors must have the same dtype, but got Float, Double, and Double"),
        (lambda: rstorch.matmul(A64, b64, out=rstorch.empty(3, dtype=rstorch.int64)),
         "addmv input tensors must have the same dtype, but got Long, Double, and Double"),
        (lambda: rstorch.addbmm(A64, A64[None], A64[None], out=e32(3, 3)),
         "self and mat2 must have the same dtype, but got Float and Double"),
        (lambda: rstorch.tensordot(A64, A64, 1, out=e32(3, 3)),
         "tensordot: Expected the output tensor to have dtype Double, but got an output tensor with dtype Float"),
        (lambda: rstorch.inner(b64, b64, out=e32(())),
         "tensordot: Expected the output tensor to have dtype Double, but got an output tensor with dtype Float"),
        (lambda: rstorch.linalg.vecdot(A64, A64, out=e32(3)), "linalg.vecdot: Expected out of dtypeDouble but found Float"),
        (lambda: rstorch.linalg.matrix_norm(A64, out=e32(())),
         "linalg.matrix_norm expected out tensor dtype Double but got: Float"),
        (lambda: rstorch.outer(b64, b64, out=rstorch.empty(3, 3, dtype=rstorch.int64)),
         "result type Double can't be cast to the desired output type Long"),
        (lambda: rstorch.kron(b64, b64, out=rstorch.empty(9, dtype=rstorch.int64)),
         "result type Double can't be cast to the desired output type Long"),
        (lambda: rstorch.addr(A64, b64, b64, out=rstorch.empty(3, 3, dtype=rstorch.int64)),
         "result type Double can't be cast to the desired output type Long"),
    ]
    for f, msg in cases:
        with pytest.raises(RuntimeError) as e:
            f()
        assert str(e.value) == msg
    # the ops torch composes from elementwise ones cast into a wider out
    assert rstorch.outer(b64, b64, out=e32(3, 3)).dtype is rstorch.float32
    assert rstorch.kron(b64, b64, out=e32(9)).dtype is rstorch.float32
    assert rstorch.inner(b64[0], b64, out=e32(3)).dtype is rstorch.float32


def test_solvers_edge_cases():
    s = rstorch.linalg.slogdet(rstorch.ones(2, 2))
    assert s.sign.item() == 0.0 and s.logabsdet.item() == -math.inf
    s = rstorch.linalg.slogdet(-rstorch.eye(3))
    assert (s.sign.item(), s.logabsdet.item()) == (-1.0, 0.0)
    assert rstorch.linalg.det(rstorch.ones(2, 2)).item() == 0.0
    assert rstorch.linalg.inv(rstorch.zeros(0, 0)).shape == (0, 0)
    assert rstorch.linalg.det(rstorch.zeros(0, 0)).item() == 1.0
    assert rstorch.linalg.det(rstorch.zeros(2, 0, 0)).numpy().tolist() == [1.0, 1.0]
    assert rstorch.linalg.solve(rstorch.eye(2).expand(3, 2, 2), f32(2)).shape == (3, 2)
    assert rstorch.linalg.solve(rstorch.eye(2).expand(3, 2, 2), f32(3, 2)).shape == (3, 2)
    assert rstorch.eye(3).inverse().numpy().tolist() == np.eye(3).tolist()
    assert rstorch.tensor([[2., 0.], [0., 3.]]).det().item() == 6.0


def test_vector_norm_values():  # torch
    x = rstorch.tensor([[1., -2., 0.], [3., 4., -0.5]])
    vn = rstorch.linalg.vector_norm
    got = {o: round(vn(x, o).item(), 4) for o in (2, 1, 0, math.inf, -math.inf, 3, 0.5, -1, 1.5, True)}
    assert got == {2: 5.5, 1: 10.5, 0: 5.0, math.inf: 4.0, -math.inf: 0.0, 3: 4.6435, 0.5: 46.9687, -1: 0.0,
                   1.5: 6.7092, True: 10.5}
    assert [round(v, 4) for v in vn(x, -0.5, 1).tolist()] == [0.0, 0.1611]
    assert vn(x, rstorch.tensor(1.)).item() == 10.5  # a 0-dim tensor is a Number to torch
    assert vn(x, 2, (0, 1), True).shape == (1, 1) and vn(x, 2, []).item() == 5.5
    assert vn(rstorch.tensor(-3.), 2, 0).item() == 3.0
    assert vn(f32(2, 0), math.inf, 0).shape == (0,) and vn(f32(0), 0).item() == 0.0
    assert vn(ones(2, 3, dtype=rstorch.bfloat16), dtype=rstorch.float32).dtype is rstorch.float32
    nan, inf = math.nan, math.inf
    assert vn(rstorch.tensor([nan, 1.]), 0).item() == 2.0  # NaN counts as non-zero
    assert math.isnan(vn(rstorch.tensor([1., nan]), -inf).item())
    assert vn(rstorch.tensor([inf, 1.]), -1).item() == 1.0
    assert vn(rstorch.tensor([0., 1.]), -1).item() == 0.0
    o = f32(2)
    assert vn(x, dim=1, out=o) is o and [round(v, 4) for v in o.tolist()] == [2.2361, 5.0249]


def test_linalg_norm_picks_vector_or_matrix_norm():  # torch
    x = rstorch.tensor([[1., -2., 0.], [3., 4., -0.5]])
    norm = rstorch.linalg.norm
    assert norm(rstorch.tensor([3., 4.])).item() == 5.0
    assert norm(x).item() == 5.5 and norm(x, "fro").item() == 5.5
    assert norm(x, 1).item() == 6.0 and norm(x, math.inf).item() == 7.5  # matrix norms
    assert round(norm(x, 2).item(), 4) == 5.1398
    assert [round(v, 4) for v in norm(x, 3, dim=1).tolist()] == [2.0801, 4.5]
    assert norm(f32(2, 2, 2)).item() == pytest.approx(2.8284, abs=1e-4)
    assert norm(f32(2, 2, 2), None, (0, 1)).tolist() == [2.0, 2.0]
    assert norm(x, keepdim=True).shape == (1, 1) and norm(x, dtype=rstorch.float64).dtype is rstorch.float64


def test_norm_values():
    m = rstorch.tensor([[1., -2.], [3., 4.]])
    got = [rstorch.linalg.matrix_norm(m, o).item() for o in (1, -1, math.inf, -math.inf)]
    assert got == [6.0, 4.0, 7.0, 3.0]
    assert abs(rstorch.linalg.matrix_norm(m, "nuc").item() - 7.0711) < 1e-4
    assert rstorch.linalg.matrix_norm(f32(2, 3, 4), dim=(0, 2), keepdim=True).shape == (1, 3, 1)
    assert rstorch.linalg.matrix_norm(f32(0, 3), ord=1).item() == 0.0


def test_cross_default_dim_warns():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r = rstorch.cross(f32(3, 2), f32(3, 2))
    assert r.shape == (3, 2) and any("torch.cross without specifying the dim" in str(x.message) for x in w)


def test_einsum_forms():
    a, b = rstorch.randn(2, 3), rstorch.randn(3, 4)
    np.testing.assert_allclose(rstorch.einsum("ij,jk", [a, b]).numpy(), (a @ b).numpy(), rtol=1e-6)
    np.testing.assert_allclose(rstorch.einsum(" i j , j k -> i k ", a, b).numpy(), (a @ b).numpy(), rtol=1e-6)
    assert rstorch.einsum("bij,bjk->bik", f32(1, 2, 3), f32(4, 3, 5)).shape == (4, 2, 5)
    assert rstorch.einsum("i,i", ones(2, dtype=rstorch.int64), ones(2, dtype=rstorch.int64)).dtype is rstorch.int64
    # implicit output: ellipsis dims first, then labels used once, uppercase before lowercase
    assert rstorch.einsum("bA,AC...", f32(2, 3), f32(3, 5, 7)).shape == (7, 5, 2)
    # ellipsis dims the output leaves out are summed
    assert rstorch.einsum("a...,...b->ab", f32(2, 3), f32(3, 4)).numpy().tolist() == [[3.0] * 4] * 2


@pytest.mark.parametrize("eq,shapes", [
    ("ij,ij->ij", [(3, 4), (3, 4)]), ("i,i->i", [(5,), (5,)]), ("bij,bij->bi", [(2, 3, 4), (2, 3, 4)]),
    ("bij,bij->b", [(2, 3, 4), (2, 3, 4)]), ("i,j->ij", [(3,), (4,)]), ("ij,j->ij", [(3, 4), (4,)]),
    ("bi,bj->bij", [(2, 3), (2, 4)]), ("ij,ji->i", [(3, 4), (4, 3)]), ("...i,...i->...", [(2, 3, 4), (2, 3, 4)]),
    ("bij,bij,bij->bi", [(2, 3, 4)] * 3), ("ij,i1->ij", [(3, 4), (3, 1)]),
])
def test_einsum_elementwise_forms_multiply(monkeypatch, eq, shapes):
    # contractions that are not matrix products multiply (and sum) instead of running a bmm of
    # 1 x 1 matrices
    eq_np = eq.replace("1", "k")
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in shapes]
    ref = np.einsum(eq_np, *arrays)
    monkeypatch.setattr(rstorch.Tensor, "bmm", lambda *a, **k: pytest.fail("einsum used bmm"))
    eq = eq.replace("1", "k")
    got = rstorch.einsum(eq, *[rstorch.tensor(a) for a in arrays])
    np.testing.assert_allclose(got.numpy(), ref, rtol=1e-5, atol=1e-6)
    ints = [rstorch.tensor(rng.integers(-3, 4, s)) for s in shapes]
    got = rstorch.einsum(eq, *ints)
    assert got.dtype is rstorch.int64
    np.testing.assert_array_equal(got.numpy(), np.einsum(eq_np, *[i.numpy() for i in ints]))


def test_einsum_products_keep_gemm(monkeypatch):
    calls = []
    bmm = rstorch.Tensor.bmm
    monkeypatch.setattr(rstorch.Tensor, "bmm", lambda *a, **k: calls.append(1) or bmm(*a, **k))
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 4, 5))
    got = rstorch.einsum("bij,bjk->bik", rstorch.tensor(a), rstorch.tensor(b))
    np.testing.assert_allclose(got.numpy(), np.einsum("bij,bjk->bik", a, b), rtol=1e-6)
    got = rstorch.einsum("i,i->", rstorch.tensor(a[0, 0]), rstorch.tensor(a[1, 0]))  # a dot product
    np.testing.assert_allclose(got.numpy(), a[0, 0] @ a[1, 0], rtol=1e-6)
    assert len(calls) == 2


def test_einsum_bool():  # torch
    b = rstorch.tensor([True, False, True])
    assert rstorch.einsum("i,i->i", b, b).tolist() == [True, False, True]
    with pytest.raises(NotImplementedError, match="\"bmm\" not implemented for 'Bool'"):
        rstorch.einsum("ij,ij->i", b.reshape(1, 3), b.reshape(1, 3))


# ------------------------------------------------------------------ backward rules
# The autograd engine lands separately; until then each rule is checked directly against
# central finite differences of sum(op(*args) * G) (float64), called as the engine will call it.

def _numeric_grads(f, arrays, g):
    grads = []
    for k, a in enumerate(arrays):
        num = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            hi = [x.copy() for x in arrays]
            lo = [x.copy() for x in arrays]
            hi[k][idx] += 1e-6
            lo[k][idx] -= 1e-6
            num[idx] = ((f(*hi) * g).sum() - (f(*lo) * g).sum()) / 2e-6
        grads.append(num)
    return grads


RULE_CASES = [
    ("matmul", lambda a, b: a @ b, [(3,), (3,)], {}),
    ("matmul", lambda a, b: a @ b, [(4, 3), (3,)], {}),
    ("matmul", lambda a, b: a @ b, [(3,), (3, 2)], {}),
    ("matmul", lambda a, b: a @ b, [(2, 1, 4, 3), (5, 3, 2)], {}),
    ("matmul", lambda a, b: a @ b, [(3,), (2, 3, 4)], {}),
    ("matmul", lambda a, b: a @ b, [(2, 4, 3), (3,)], {}),
    ("mm", lambda a, b: a @ b, [(4, 3), (3, 2)], {}),
    ("bmm", lambda a, b: a @ b, [(2, 4, 3), (2, 3, 2)], {}),
    ("mv", lambda a, b: a @ b, [(4, 3), (3,)], {}),
    ("dot", lambda a, b: a @ b, [(3,), (3,)], {}),
    ("addmm", lambda i, a, b: 0.5 * i + 2 * (a @ b), [(4, 2), (4, 3), (3, 2)], {"beta": 0.5, "alpha": 2}),
    ("addmv", lambda i, a, b: 0.5 * i + 2 * (a @ b), [(4,), (4, 3), (3,)], {"beta": 0.5, "alpha": 2}),
    ("baddbmm", lambda i, a, b: i + 2 * (a @ b), [(2, 4, 2), (2, 4, 3), (2, 3, 2)], {"alpha": 2}),
    ("addbmm", lambda i, a, b: i + (a @ b).sum(0), [(4, 2), (2, 4, 3), (2, 3, 2)], {}),
    ("linalg_inv", np.linalg.inv, [(3, 3)], {}),
    ("linalg_det", np.linalg.det, [(2, 3, 3)], {}),
    ("linalg_solve", lambda a, b: np.linalg.solve(a, b), [(3, 3), (3, 2)], {}),
    ("linalg_solve", lambda a, b: np.linalg.solve(a, b[:, None])[:, 0], [(3, 3), (3,)], {}),
    ("linalg_cross", lambda a, b: np.cross(a, b), [(2, 3), (2, 3)], {}),
]


@pytest.mark.parametrize("name,ref,shapes,kwargs", RULE_CASES, ids=[f"{c[0]}-{c[2]}" for c in RULE_CASES])
def test_backward_rules(name, ref, shapes, kwargs):
    from rstorch.autograd.rules import RULES
    rng = np.random.default_rng(3)
    arrays = [rng.uniform(-1, 1, s) + (2 * np.eye(s[-1]) if name.startswith("linalg_") and name != "linalg_cross" and k == 0 else 0)
              for k, s in enumerate(shapes)]
    out = ref(*arrays)
    g = rng.uniform(-1, 1, np.shape(out))
    fn = RULES[name][0]
    with rstorch.no_grad():
        ts = [rstorch.tensor(a) for a in arrays]
        for t in ts:
            t.requires_grad = True
        res = {"linalg_inv": lambda: rstorch.linalg.inv(ts[0]), "linalg_det": lambda: rstorch.linalg.det(ts[0]),
               "linalg_solve": lambda: rstorch.linalg.solve(*ts), "linalg_cross": lambda: rstorch.linalg.cross(*ts)}
        result = res[name]() if name in res else getattr(rstorch, name)(*ts, **kwargs)
        grads = fn(rstorch.tensor(g), tuple(ts), kwargs, result)
    for k, (got, want) in enumerate(zip(grads, _numeric_grads(ref, arrays, g))):
        got = got.numpy()
        while got.ndim > want.ndim:  # the engine sums broadcast dims back to the input's shape
            got = got.sum(0)
        for d in range(want.ndim):
            if want.shape[d] == 1 and got.shape[d] != 1:
                got = got.sum(d, keepdims=True)
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg=f"{name} grad {k}")


def test_singular_matrices_raise_linalg_error():  # torch
    assert issubclass(rstorch.linalg.LinAlgError, RuntimeError)
    assert rstorch.linalg.LinAlgError.__name__ == "_LinAlgError"
    with pytest.raises(rstorch.linalg.LinAlgError, match="^linalg.inv: The diagonal element 1 is zero"):
        rstorch.linalg.inv(rstorch.zeros(2, 2))
    with pytest.raises(rstorch.linalg.LinAlgError, match="The solver failed because the input matrix is singular"):
        rstorch.linalg.solve(rstorch.zeros(2, 2), rstorch.ones(2))


def test_tensordot_names_dims_as_given():  # torch
    x = rstorch.ones(2, 3)
    with pytest.raises(RuntimeError, match="^contracted dimensions need to match, but first has size 3 in dim -1 and "
                                           "second has size 2 in dim 0$"):
        rstorch.tensordot(x, x, dims=1)
