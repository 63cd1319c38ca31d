"""torch.linalg's decompositions and the functions built on them (the op table entries are in
tests/opinfo/linalg.py, checked against numpy in tests/test_ops.py and gradchecked in
tests/test_gradcheck_ops.py): torch's errors and messages, named results, sign and order
conventions, info outputs, empty and batched inputs, and the torch.* forms. Expected texts and
values were produced with torch 2.15 and are written in as literals."""

import math
import warnings

import numpy as np
import pytest

import rstorch
from rstorch import linalg as LA
from rstorch.autograd import gradcheck, gradgradcheck

T = rstorch.tensor


def f32(*shape):
    return rstorch.ones(*shape)


def f64(*shape):
    return rstorch.ones(*shape, dtype=rstorch.float64)


def i64(*shape):
    return rstorch.ones(*shape, dtype=rstorch.int64)


NOT_PD = ("linalg.cholesky: The factorization could not be completed because the input is not positive-definite "
          "(the leading minor of order 1 is not positive-definite).")

ERRORS = [
    (lambda: LA.cholesky(i64(3, 3)), NotImplementedError,
     "linalg.cholesky: Expected a floating point or complex tensor as input. Got Long"),
    (lambda: LA.cholesky(f32(2, 3)), RuntimeError,
     "linalg.cholesky: A must be batches of square matrices, but they are 2 by 3 matrices"),
    (lambda: LA.cholesky(f32(3)), RuntimeError, "linalg.cholesky: The input tensor A must have at least 2 dimensions."),
    (lambda: LA.cholesky(-rstorch.eye(3)), LA.LinAlgError, NOT_PD),
    (lambda: LA.cholesky(rstorch.stack([rstorch.eye(2), -rstorch.eye(2)])), LA.LinAlgError,
     "linalg.cholesky: (Batch element 1): The factorization could not be completed because the input is not "
     "positive-definite (the leading minor of order 1 is not positive-definite)."),
    (lambda: LA.cholesky_ex(-rstorch.eye(2), check_errors=True), LA.LinAlgError, NOT_PD.replace("cholesky", "cholesky_ex")),
    (lambda: LA.cholesky(rstorch.ones(2, 2, dtype=rstorch.float16)), NotImplementedError,
     "\"cholesky_cpu\" not implemented for 'Half'"),
    (lambda: LA.qr(f64(3)), RuntimeError, "linalg.qr: The input tensor A must have at least 2 dimensions."),
    (lambda: LA.qr(i64(3, 2)), NotImplementedError, "linalg.qr: Expected a floating point or complex tensor as input. Got Long"),
    (lambda: LA.qr(f32(3, 2), mode="x"), RuntimeError,
     "qr received unrecognized mode 'x' but expected one of 'reduced' (default), 'r', or 'complete'"),
    (lambda: LA.eigh(f32(3, 2)), RuntimeError, "linalg.eigh: A must be batches of square matrices, but they are 3 by 2 matrices"),
    (lambda: LA.eigh(f32(2, 2), UPLO="X"), RuntimeError, "Expected UPLO argument to be 'L' or 'U', but got X"),
    (lambda: LA.eigh(rstorch.ones(2, 2, dtype=rstorch.int32)), NotImplementedError, "\"linalg_eigh_cpu\" not implemented for 'Int'"),
    (lambda: LA.eigvalsh(f32(2, 3)), RuntimeError, "linalg.eigh: A must be batches of square matrices, but they are 2 by 3 matrices"),
    (lambda: LA.svd(f32(3)), RuntimeError, "linalg.svd: The input tensor A must have at least 2 dimensions."),
    (lambda: LA.svd(i64(3, 3)), NotImplementedError, "linalg.svd: Expected a floating point or complex tensor as input. Got Long"),
    (lambda: LA.svdvals(i64(3, 3)), NotImplementedError, "linalg.svd: Expected a floating point or complex tensor as input. Got Long"),
    (lambda: LA.svdvals(f32(3)), RuntimeError, "linalg.svd: The input tensor A must have at least 2 dimensions."),
    (lambda: LA.svd(f32(2, 2), driver="gesvd"), RuntimeError,
     "torch.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs with cuSOLVER backend."),
    (lambda: LA.solve_triangular(f32(3, 3), f64(3, 2), upper=True), RuntimeError,
     "linalg.solve_triangular: Expected A and B to have the same dtype, but found A of type Float and B of type Double instead"),
    (lambda: LA.solve_triangular(f32(3, 3), f32(2, 2), upper=True), RuntimeError,
     "linalg.solve_triangular: Incompatible shapes of A and B for the equation AX = B (3x3 and 2x2)"),
    (lambda: LA.solve_triangular(f32(3, 3), f32(2, 2), upper=True, left=False), RuntimeError,
     "linalg.solve_triangular: Incompatible shapes of A and B for the equation XA = B (3x3 and 2x2)"),
    (lambda: LA.solve_triangular(f32(3, 3), f32(3), upper=True), RuntimeError,
     "linalg.solve_triangular: The input tensor B must have at least 2 dimensions."),
    (lambda: LA.solve_triangular(i64(3, 3), i64(3, 3), upper=True), NotImplementedError,
     "\"triangular_solve_cpu\" not implemented for 'Long'"),
    (lambda: LA.lu_factor(f32(3)), RuntimeError, "torch.lu_factor: Expected tensor with 2 or more dimensions. Got size: [3] instead"),
    (lambda: LA.lu_factor(f32(3, 3)), RuntimeError,
     "torch.linalg.lu_factor: U[2,2] is zero and using it on lu_solve would result in a division by zero. If you still "
     "want to perform the factorization, consider calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)"),
    (lambda: LA.lu_factor(rstorch.zeros(2, 3, 3)), RuntimeError,
     "torch.linalg.lu_factor: (Batch element 0): U[1,1] is zero and using it on lu_solve would result in a division "
     "by zero. If you still want to perform the factorization, consider calling linalg.lu(A, pivot) or "
     "linalg.lu_factor_ex(A, pivot)"),
    (lambda: LA.lu_factor_ex(rstorch.zeros(2, 2), check_errors=True), RuntimeError,
     "torch.linalg.lu_factor_ex: U[1,1] is zero and using it on lu_solve would result in a division by zero. If you "
     "still want to perform the factorization, consider calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)"),
    (lambda: LA.lu_factor(i64(3, 3)), NotImplementedError, "\"lu_cpu\" not implemented for 'Long'"),
    (lambda: LA.lu_factor(f32(3, 2), pivot=False), RuntimeError, "linalg.lu_factor: LU without pivoting is not implemented on the CPU"),
    (lambda: LA.lu_solve(rstorch.eye(3), T([1, 2, 3], dtype=rstorch.int32), f32(3, 1), adjoint=True, left=False),
     RuntimeError, "linalg.lu_solve: Incompatible shapes of A and B for the equation XA = B (3x3 and 3x1)"),
    (lambda: LA.lstsq(f32(4, 3), f32(3, 2)), RuntimeError, "torch.linalg.lstsq: input.size(-2) should match other.size(-2)"),
    (lambda: LA.lstsq(i64(3, 3), i64(3, 1)), RuntimeError, "This function doesn't handle types other than float and double"),
    (lambda: LA.lstsq(f32(3, 3), f64(3, 1)), RuntimeError,
     "torch.linalg.lstsq: Expected input and other to have the same dtype, but got input's dtype Float and other's dtype Double"),
    (lambda: LA.lstsq(f32(3, 3), f32(3, 1), driver="foo"), RuntimeError,
     "torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)"),
    (lambda: LA.lstsq(f32(3), f32(3)), RuntimeError, "torch.linalg.lstsq: input must have at least 2 dimensions."),
    (lambda: LA.matrix_power(f32(2, 3), 2), RuntimeError,
     "linalg.matrix_power: A must be batches of square matrices, but they are 2 by 3 matrices"),
    (lambda: LA.matrix_power(f32(3), 2), RuntimeError, "linalg.matrix_power: The input tensor A must have at least 2 dimensions."),
    (lambda: LA.matrix_power(rstorch.zeros(2, 2), -1), LA.LinAlgError,
     "linalg.inv: The diagonal element 1 is zero, the inversion could not be completed because the input matrix is singular."),
    (lambda: LA.matrix_power(i64(2, 2), -1), NotImplementedError,
     "linalg.inv: Expected a floating point or complex tensor as input. Got Long"),
    (lambda: LA.matrix_power(f32(2, 2), 2.0), TypeError, "linalg_matrix_power(): argument 'n' (position 2) must be int, not float"),
    (lambda: LA.multi_dot([f32(3)]), RuntimeError, "multi_dot(): expected at least 2 tensors but got 1"),
    (lambda: LA.multi_dot([f32(2, 3, 3), f32(3, 3)]), RuntimeError, "multi_dot(): the first tensor must be 1D or 2D but got 3D"),
    (lambda: LA.multi_dot([f32(3), f32(3, 2, 2)]), RuntimeError, "multi_dot(): the last tensor must be 1D or 2D but got 3D"),
    (lambda: LA.multi_dot([f32(3), f32(3, 2, 2), f32(2)]), RuntimeError, "multi_dot(): tensor 1 must be 2D but got 3D"),
    (lambda: LA.multi_dot([f32(2, 3), f32(4, 5)]), RuntimeError,
     "multi_dot(): tensors 0 and 1 with shapes [2, 3] and [4, 5] cannot be multiplied"),
    (lambda: LA.multi_dot([f32(2, 3), f64(3, 5)]), RuntimeError,
     "multi_dot(): all tensors must have be the same dtype but tensor 0 is float and tensor 1 double"),
    (lambda: LA.matrix_rank(i64(3, 3)), RuntimeError, "This function doesn't handle types other than float and double"),
    (lambda: LA.matrix_rank(f32(3)), RuntimeError, "torch.linalg.matrix_rank: The input tensor input must have at least 2 dimensions."),
    (lambda: LA.pinv(i64(3, 3)), RuntimeError,
     "linalg.pinv(Long{[3, 3]}): expected a tensor with 2 or more dimensions of float, double, cfloat or cdouble types"),
    (lambda: LA.pinv(f32(3)), RuntimeError,
     "linalg.pinv(Float{[3]}): expected a tensor with 2 or more dimensions of float, double, cfloat or cdouble types"),
    (lambda: LA.cond(rstorch.eye(2), 3), ValueError, "linalg.cond got an invalid norm type: 3"),
    (lambda: LA.cond(f32(2, 3), "fro"), RuntimeError,
     "linalg.cond(ord=fro): A must be batches of square matrices, but they are 2 by 3 matrices"),
    (lambda: LA.cond(f32(3)), RuntimeError, "linalg.cond: The input tensor must have at least 2 dimensions."),
    (lambda: LA.matrix_exp(i64(2, 2)), NotImplementedError,
     "linalg.matrix_exp: Expected a floating point or complex tensor as input. Got Long"),
    (lambda: LA.matrix_exp(f32(3)), RuntimeError, "linalg.matrix_exp: The input tensor A must have at least 2 dimensions."),
    (lambda: LA.matrix_exp(f32(2, 3)), RuntimeError,
     "linalg.matrix_exp: A must be batches of square matrices, but they are 2 by 3 matrices"),
    (lambda: LA.inv_ex(f32(2, 3)), RuntimeError, "linalg.inv: A must be batches of square matrices, but they are 2 by 3 matrices"),
    (lambda: rstorch.cholesky(rstorch.eye(2)), RuntimeError,
     "This function was deprecated since version 1.9 and is now removed. `torch.cholesky` is deprecated in favor of "
     "`torch.linalg.cholesky`.\nL = torch.cholesky(A) should be replaced with:\nL = torch.linalg.cholesky(A)\n"
     "U = torch.cholesky(A, upper=True) should be replaced with:\nU = torch.linalg.cholesky(A).mH"),
    (lambda: rstorch.eye(2).cholesky(), RuntimeError, None),
    (lambda: rstorch.qr(rstorch.eye(2)), RuntimeError,
     "This function was deprecated since version 1.9 and is now removed. `torch.qr` is deprecated in favor of "
     "`torch.linalg.qr` and the boolean parameter `some` has been replaced with a string parameter `mode`.\n\n"
     "Q, R = torch.qr(A) should be replaced with:\nQ, R = torch.linalg.qr(A, mode='reduced')\n\nand\n\n"
     "Q, R = torch.qr(A, some=False) should be replaced with:\nQ, R = torch.linalg.qr(A, mode='complete')\n\n"
     "Since `some` was set to True, use mode='reduced'."),
    (lambda: rstorch.eye(2).qr(), RuntimeError, None),
]


@pytest.mark.parametrize("fn, exc, text", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors_match_torch(fn, exc, text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(exc) as info:
            fn()
    if text is not None:
        assert str(info.value) == text
    assert type(info.value) is exc or exc is LA.LinAlgError and isinstance(info.value, LA.LinAlgError)


def test_linalg_error_is_a_runtime_error():
    with pytest.raises(RuntimeError):
        LA.cholesky(-rstorch.eye(2))


def test_named_results():
    a = T([[4., 2], [2, 3]])
    assert type(LA.cholesky_ex(a)).__name__ == "linalg_cholesky_ex"
    assert type(LA.qr(a)).__name__ == "linalg_qr" and LA.qr(a)._fields if hasattr(LA.qr(a), "_fields") else True
    for r, fields in ((LA.cholesky_ex(a), ("L", "info")), (LA.qr(a), ("Q", "R")), (LA.eigh(a), ("eigenvalues", "eigenvectors")),
                      (LA.svd(a), ("U", "S", "Vh")), (LA.lu_factor(a), ("LU", "pivots")),
                      (LA.lu_factor_ex(a), ("LU", "pivots", "info")), (LA.lu(a), ("P", "L", "U")),
                      (LA.inv_ex(a), ("inverse", "info")), (LA.solve_ex(a, a), ("result", "info")),
                      (LA.lstsq(a, a), ("solution", "residuals", "rank", "singular_values")),
                      (rstorch.svd(a), ("U", "S", "V"))):
        assert type(r).__module__ == "rstorch.return_types" and len(r) == len(fields)
        for i, f in enumerate(fields):
            assert getattr(r, f) is r[i]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = rstorch.triangular_solve(f32(2, 1), rstorch.eye(2))
    assert type(r).__name__ == "triangular_solve" and r.cloned_coefficient.tolist() == [[1., 0.], [0., 1.]]


def test_cholesky_values_and_info():
    a = T([[4., 2], [2, 3]], dtype=rstorch.float64)
    L = LA.cholesky(a)
    assert np.allclose(L.numpy(), [[2, 0], [1, math.sqrt(2)]])
    U = LA.cholesky(a, upper=True)
    assert np.allclose(U.numpy(), L.numpy().T)
    # only the named triangle is read
    assert np.allclose(LA.cholesky(T([[4., 99], [2, 3]], dtype=rstorch.float64)).numpy(), L.numpy())
    assert np.allclose(LA.cholesky(T([[4., 2], [99, 3]], dtype=rstorch.float64), upper=True).numpy(), U.numpy())
    L, info = LA.cholesky_ex(T([[1., 2], [2, 1]]))
    assert info.dtype is rstorch.int32 and info.item() == 2
    _, info = LA.cholesky_ex(rstorch.stack([rstorch.eye(2), -rstorch.eye(2), rstorch.eye(2)]))
    assert info.tolist() == [0, 1, 0]
    assert LA.cholesky(rstorch.ones(0, 0)).shape == (0, 0)
    assert LA.cholesky(rstorch.ones(2, 0, 0)).shape == (2, 0, 0)


def test_qr_shapes_and_modes():
    a = rstorch.randn(2, 5, 3, dtype=rstorch.float64)
    for mode, qs, rs in (("reduced", (2, 5, 3), (2, 3, 3)), ("complete", (2, 5, 5), (2, 5, 3)), ("r", (0,), (2, 3, 3))):
        Q, R = LA.qr(a, mode)
        assert tuple(Q.shape) == qs and tuple(R.shape) == rs, mode
        assert np.allclose(np.triu(R.numpy()), R.numpy())
        if mode != "r":
            assert np.allclose((Q @ R).numpy(), a.numpy())
            assert np.allclose((Q.mT @ Q).numpy(), np.eye(Q.shape[-1]))
    # wide
    a = rstorch.randn(3, 5, dtype=rstorch.float64)
    Q, R = LA.qr(a)
    assert tuple(Q.shape) == (3, 3) and tuple(R.shape) == (3, 5) and np.allclose((Q @ R).numpy(), a.numpy())
    Q, R = LA.qr(rstorch.ones(3, 0), mode="complete")
    assert Q.tolist() == np.eye(3).tolist() and tuple(R.shape) == (3, 0)


def test_eigh_ascending_and_uplo():
    w, V = LA.eigh(T([[2., 1], [1, 2]]))
    assert np.allclose(w.numpy(), [1, 3])
    assert np.allclose(np.abs(V.numpy()), math.sqrt(0.5))
    # the other triangle is not read
    w, _ = LA.eigh(T([[1., 2], [3, 4]]))
    assert np.allclose(w.numpy(), [-0.8541, 5.8541], atol=1e-4)
    w, _ = LA.eigh(T([[1., 2], [3, 4]]), UPLO="U")
    assert np.allclose(w.numpy(), [0, 5], atol=1e-5)
    a = rstorch.randn(3, 4, 4, dtype=rstorch.float64)
    a = a + a.mT
    w, V = LA.eigh(a)
    assert (w[..., 1:] >= w[..., :-1]).all()
    assert np.allclose((V @ rstorch.diag_embed(w) @ V.mT).numpy(), a.numpy())
    assert np.allclose(LA.eigvalsh(a).numpy(), w.numpy())


def test_svd_descending_shapes_and_empty():
    a = rstorch.randn(2, 5, 3, dtype=rstorch.float64)
    U, S, Vh = LA.svd(a)
    assert tuple(U.shape) == (2, 5, 5) and tuple(S.shape) == (2, 3) and tuple(Vh.shape) == (2, 3, 3)
    assert (S[..., 1:] <= S[..., :-1]).all() and (S >= 0).all()
    U, S, Vh = LA.svd(a, full_matrices=False)
    assert tuple(U.shape) == (2, 5, 3)
    assert np.allclose((U @ rstorch.diag_embed(S) @ Vh).numpy(), a.numpy())
    assert np.allclose(LA.svdvals(a).numpy(), S.numpy())
    U, S, Vh = LA.svd(rstorch.ones(0, 3))
    assert tuple(U.shape) == (0, 0) and tuple(S.shape) == (0,) and Vh.tolist() == np.eye(3).tolist()
    U, S, Vh = LA.svd(rstorch.ones(3, 0))
    assert U.tolist() == np.eye(3).tolist() and tuple(Vh.shape) == (0, 0)


def test_torch_svd_returns_v():
    a = rstorch.randn(4, 3, dtype=rstorch.float64)
    U, S, V = rstorch.svd(a)
    assert tuple(U.shape) == (4, 3) and tuple(V.shape) == (3, 3)
    assert np.allclose((U @ rstorch.diag_embed(S) @ V.mT).numpy(), a.numpy())
    U, S, V = a.svd(some=False)
    assert tuple(U.shape) == (4, 4)
    U, S, V = rstorch.svd(rstorch.ones(3, 2), compute_uv=False)
    assert U.tolist() == [[0.] * 3] * 3 and V.tolist() == [[0.] * 2] * 2
    assert np.allclose(S.numpy(), [math.sqrt(6), 0], atol=1e-6)


def test_solve_triangular_broadcasts_and_ignores_the_other_triangle():
    a = rstorch.randn(2, 1, 3, 3, dtype=rstorch.float64) + 3 * rstorch.eye(3, dtype=rstorch.float64)
    b = rstorch.randn(4, 3, 2, dtype=rstorch.float64)
    x = LA.solve_triangular(a, b, upper=False)
    assert tuple(x.shape) == (2, 4, 3, 2)
    assert np.allclose((a.tril() @ x).numpy(), np.broadcast_to(b.numpy(), (2, 4, 3, 2)))
    x = LA.solve_triangular(a, b.mT, upper=True, left=False, unitriangular=True)
    unit = a.triu(1) + rstorch.eye(3, dtype=rstorch.float64)
    assert np.allclose((x @ unit).numpy(), np.broadcast_to(b.mT.numpy(), (2, 4, 2, 3)))
    # a zero diagonal divides by zero (no error, as torch)
    assert not rstorch.isfinite(LA.solve_triangular(rstorch.zeros(3, 3), f32(3, 3), upper=True)).all()


def test_lu_family():
    a = T([[1., 2], [3, 4]])
    LU, piv = LA.lu_factor(a)
    assert piv.dtype is rstorch.int32 and piv.tolist() == [2, 2]
    assert np.allclose(LU.numpy(), [[3, 4], [1 / 3, 2 / 3]])
    LU, piv, info = LA.lu_factor_ex(f32(3, 3))
    assert info.item() == 2 and piv.tolist() == [1, 2, 3]
    assert LU.tolist() == [[1., 1., 1.], [1., 0., 0.], [1., 0., 0.]]
    P, L, U = LA.lu(f32(3, 2))
    assert P.tolist() == np.eye(3).tolist() and L.tolist() == [[1., 0.], [1., 1.], [1., 0.]]
    assert U.tolist() == [[1., 1.], [0., 0.]]
    a = rstorch.randn(2, 4, 4, dtype=rstorch.float64)
    P, L, U = LA.lu(a)
    assert np.allclose((P @ L @ U).numpy(), a.numpy())
    b = rstorch.randn(2, 4, 3, dtype=rstorch.float64)
    LU, piv = LA.lu_factor(a)
    for left in (True, False):
        for adjoint in (False, True):
            rhs = b if left else b.mT
            x = LA.lu_solve(LU, piv, rhs, left=left, adjoint=adjoint)
            m = a.mT if adjoint else a
            assert np.allclose(((m @ x) if left else (x @ m)).numpy(), rhs.numpy()), (left, adjoint)


def test_ex_variants_report_singular_inputs():
    inverse, info = LA.inv_ex(rstorch.zeros(2, 2))
    assert info.dtype is rstorch.int32 and info.item() == 1 and not rstorch.isfinite(inverse).all()
    inverse, info = LA.inv_ex(T([[2., 0], [0, 4]]))
    assert info.item() == 0 and inverse.tolist() == [[0.5, 0], [0, 0.25]]
    with pytest.raises(LA.LinAlgError):
        LA.inv_ex(rstorch.zeros(2, 2), check_errors=True)
    result, info = LA.solve_ex(rstorch.zeros(2, 2), f32(2))
    assert info.item() == 1 and tuple(result.shape) == (2,)
    result, info = LA.solve_ex(T([[2., 0], [0, 4]]), T([2., 4]))
    assert result.tolist() == [1, 1] and info.item() == 0


def test_lstsq_drivers():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 5, 3)), rng.standard_normal((2, 5, 2))
    A, B = T(a), T(b)
    want = np.linalg.pinv(a) @ b
    for driver, res, rank, sv in (("gels", (2, 2), (0,), (0,)), (None, (0,), (2,), (0,)), ("gelsy", (0,), (2,), (0,)),
                                  ("gelsd", (2, 2), (2,), (2, 3)), ("gelss", (2, 2), (2,), (2, 3))):
        r = LA.lstsq(A, B, driver=driver)
        assert np.allclose(r.solution.numpy(), want)
        assert (tuple(r.residuals.shape), tuple(r.rank.shape), tuple(r.singular_values.shape)) == (res, rank, sv), driver
        if rank == (2,):
            assert r.rank.tolist() == [3, 3] and r.rank.dtype is rstorch.int64
        if res == (2, 2):
            assert np.allclose(r.residuals.numpy(), ((a @ want - b) ** 2).sum(-2))
    r = LA.lstsq(A[0], B[0, :, 0], driver="gelsd")
    assert tuple(r.solution.shape) == (3,) and tuple(r.residuals.shape) == (1,) and r.rank.dim() == 0
    r = LA.lstsq(T(rng.standard_normal((3, 5))), T(rng.standard_normal((3, 2))), driver="gelsd")
    assert tuple(r.solution.shape) == (5, 2) and tuple(r.residuals.shape) == (0,) and r.rank.item() == 3


def test_rank_pinv_cond_values():
    assert LA.matrix_rank(f32(3, 3)).item() == 1
    assert LA.matrix_rank(f32(3, 3), hermitian=True).item() == 1
    assert LA.matrix_rank(T([[1., 0], [0, 1e-3]]), tol=1e-2).item() == 1
    assert LA.matrix_rank(T([[1., 0], [0, 1e-3]]), atol=1e-2).item() == 1
    assert LA.matrix_rank(T([[1., 0], [0, 1e-3]]), rtol=1e-2).item() == 1
    assert LA.matrix_rank(T([[1., 0], [0, 1e-3]])).item() == 2
    assert np.allclose(rstorch.pinverse(f32(2, 3), rcond=0.1).numpy(), np.full((3, 2), 1 / 6), atol=1e-6)
    assert math.isinf(LA.cond(T([[1., 0], [0, 0]])).item())
    assert math.isinf(LA.cond(T([[1., 0], [0, 0]]), 1).item())
    assert LA.cond(T([[1., 0], [0, 0]]), -2).item() == 0
    assert np.isclose(LA.cond(T([[2., 0], [0, 1]]), "fro").item(), 2.5)


def test_matrix_power_and_multi_dot():
    a = T([[1., 1], [0, 1]])
    assert LA.matrix_power(a, 0).tolist() == [[1, 0], [0, 1]]
    assert LA.matrix_power(a, 13).tolist() == [[1, 13], [0, 1]]
    assert LA.matrix_power(a, -3).tolist() == [[1, -3], [0, 1]]
    assert LA.matrix_power(i64(2, 2), 3).tolist() == [[4, 4], [4, 4]]
    assert LA.matrix_power(rstorch.ones(2, 0, 0), 3).shape == (2, 0, 0)
    r = LA.multi_dot([f32(3), f32(3)])
    assert r.dim() == 0 and r.item() == 3
    r = LA.multi_dot([f32(3), f32(3, 4), f32(4, 2)])
    assert r.tolist() == [12., 12.]


def test_matrix_exp_values():
    assert np.allclose(LA.matrix_exp(rstorch.eye(2)).numpy(), np.e * np.eye(2))
    # a rotation generator: exp([[0, -t], [t, 0]]) = [[cos t, -sin t], [sin t, cos t]]
    t = 10.0
    r = LA.matrix_exp(T([[0., -t], [t, 0]], dtype=rstorch.float64)).numpy()
    assert np.allclose(r, [[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]], atol=1e-10)
    assert rstorch.matrix_exp(rstorch.zeros(3, 3)).tolist() == np.eye(3).tolist()


def _leaf(*shape, seed=0):
    g = np.random.default_rng(seed)
    return rstorch.tensor(g.uniform(-1, 1, shape), dtype=rstorch.float64, requires_grad=True)


def test_grad_fn_names():
    a = _leaf(3, 3)
    spd = a @ a.mT + 3 * rstorch.eye(3, dtype=rstorch.float64)
    assert type(LA.cholesky(spd).grad_fn).__name__ == "LinalgCholeskyExBackward0"
    assert type(LA.qr(a).Q.grad_fn).__name__ == "LinalgQrBackward0"
    assert type(LA.eigh(a).eigenvalues.grad_fn).__name__ == "LinalgEighBackward0"
    assert type(LA.eigvalsh(a).grad_fn).__name__ == "LinalgEighBackward0"
    assert type(LA.svd(a).U.grad_fn).__name__ == "LinalgSvdBackward0"
    assert type(LA.svdvals(a).grad_fn).__name__ == "LinalgSvdBackward0"
    assert type(LA.solve_triangular(a, a, upper=True).grad_fn).__name__ == "LinalgSolveTriangularBackward0"


def test_gradchecks_of_the_rules():
    """Each rule on its own (the OpInfo entries check them through sign-invariant outputs):
    float64, batched, tall and wide, both triangles; double backward on a small case."""
    sym = lambda x: x + x.mT
    eye = rstorch.eye(3, dtype=rstorch.float64)
    spd = lambda x: x @ x.mT + 3 * eye
    cases = [
        (lambda x: LA.cholesky(spd(x)), _leaf(2, 3, 3)),
        (lambda x: LA.cholesky(spd(x), upper=True), _leaf(3, 3)),
        (lambda x: tuple(LA.qr(x)), _leaf(4, 3)),
        (lambda x: tuple(LA.qr(x)), _leaf(3, 5)),
        (lambda x: tuple(LA.qr(x, mode="complete")), _leaf(3, 4)),
        (lambda x: LA.qr(x).R, _leaf(2, 3, 3)),
        (lambda x: (lambda w, v: (w, v * v[..., :1, :].sign()))(*LA.eigh(sym(x))), _leaf(3, 3)),
        (lambda x: LA.eigh(sym(x), UPLO="U").eigenvalues, _leaf(2, 3, 3)),
        (lambda x: LA.eigvalsh(sym(x)), _leaf(4, 4)),
        (lambda x: (lambda u, s, vh: (u * vh[..., :, :1].mT.sign(), s, vh * vh[..., :, :1].sign()))(*LA.svd(x, full_matrices=False)), _leaf(4, 3)),
        (lambda x: (lambda u, s, vh: (u * u[..., :1, :].sign(), s, vh * u[..., :1, :].mT.sign()))(*LA.svd(x, full_matrices=False)), _leaf(3, 4)),
        (lambda x: LA.svdvals(x), _leaf(2, 3, 4)),
        (lambda x: LA.svd(x).S, _leaf(3, 3)),
        (lambda x: LA.pinv(x), _leaf(3, 4)),
        (lambda x: LA.lstsq(x, x[..., :2] + 1).solution, _leaf(5, 3)),
        (lambda x: LA.cond(x), _leaf(3, 3)),
        (lambda x: LA.matrix_exp(x), _leaf(3, 3)),
    ]
    for fn, x in cases:
        assert gradcheck(fn, (x,)), fn
    a = _leaf(3, 3, seed=1)
    b = _leaf(2, 3, 2, seed=2)
    tri = lambda a: a + 3 * eye
    for upper in (True, False):
        for left in (True, False):
            for unit in (False, True):
                rhs = b if left else b.mT
                assert gradcheck(lambda a, rhs: LA.solve_triangular(tri(a), rhs, upper=upper, left=left, unitriangular=unit),
                                 (a, rhs)), (upper, left, unit)
    assert gradgradcheck(lambda x: LA.cholesky(spd(x)), (_leaf(3, 3),))
    assert gradgradcheck(lambda x: LA.eigvalsh(sym(x)), (_leaf(2, 2),))
    assert gradgradcheck(lambda x: LA.svdvals(x), (_leaf(2, 3),))
    assert gradgradcheck(lambda a, b: LA.solve_triangular(a + 3 * rstorch.eye(2, dtype=rstorch.float64), b, upper=True),
                         (_leaf(2, 2), _leaf(2, 1)))


def test_mode_r_is_not_differentiable():
    a = _leaf(3, 3)
    with pytest.raises(RuntimeError, match="The derivative of linalg.qr depends on Q"):
        LA.qr(a, mode="r").R.sum().backward()
    with pytest.raises(RuntimeError, match="mode='complete' and nrows > ncols"):
        LA.qr(_leaf(4, 3), mode="complete").R.sum().backward()


def test_meta_shapes():
    m = rstorch.empty(2, 5, 3, device="meta")
    assert tuple(LA.qr(m).Q.shape) == (2, 5, 3) and LA.qr(m).R.device.type == "meta"
    U, S, Vh = LA.svd(m)
    assert (tuple(U.shape), tuple(S.shape), tuple(Vh.shape)) == ((2, 5, 5), (2, 3), (2, 3, 3))
    sq = rstorch.empty(2, 3, 3, device="meta")
    assert tuple(LA.cholesky(sq).shape) == (2, 3, 3) and tuple(LA.eigh(sq).eigenvalues.shape) == (2, 3)
    LU, piv, info = LA.lu_factor_ex(sq)
    assert piv.dtype is rstorch.int32 and tuple(info.shape) == (2,)


def test_cholesky_solve_and_inverse():
    a = rstorch.randn(2, 3, 3, dtype=rstorch.float64)
    spd = a @ a.mT + 3 * rstorch.eye(3, dtype=rstorch.float64)
    b = rstorch.randn(2, 3, 2, dtype=rstorch.float64)
    L = LA.cholesky(spd)
    assert np.allclose(rstorch.cholesky_solve(b, L).numpy(), np.linalg.solve(spd.numpy(), b.numpy()))
    assert np.allclose(rstorch.cholesky_solve(b, L.mT, upper=True).numpy(), np.linalg.solve(spd.numpy(), b.numpy()))
    assert np.allclose(rstorch.cholesky_inverse(L).numpy(), np.linalg.inv(spd.numpy()))
    assert np.allclose(L.mT.cholesky_inverse(upper=True).numpy(), np.linalg.inv(spd.numpy()))


def test_triangular_solve_warns():
    with pytest.warns(UserWarning, match="torch.triangular_solve is deprecated"):
        rstorch.triangular_solve(f32(2, 1), rstorch.eye(2))
