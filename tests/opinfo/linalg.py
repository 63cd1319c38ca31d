"""The op table of the linalg family: matrix products, einsum, triangles/diagonals, solvers."""

import numpy as np

import rstorch
from .core import ALL, FLOATS, INTS, OpInfo, Sample, random_array

PRODUCT_DTYPES = FLOATS + INTS
SOLVER_DTYPES = ("float64", "float32")
# products sum K terms: float32 rounding grows with K, beyond the elementwise default
PRODUCT_TOL = {"float32": (1e-5, 1e-5), "float16": (4e-3, 4e-3), "bfloat16": (3e-2, 3e-2)}


def arrays(*shapes):
    """Samples of random arrays of the given shapes, for each dtype."""
    def gen(dtype, rng):
        return [Sample(tuple(random_array(rng, s, dtype) for s in shp)) for shp in shapes]
    return gen


def well_conditioned(rng, shape):
    n = shape[-1]
    return rng.uniform(-1, 1, size=shape) + n * np.eye(n)


def solver_samples(*shapes):
    def gen(dtype, rng):
        return [Sample((well_conditioned(rng, s),)) for s in shapes]
    return gen


def _np_solve(a, b):
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    if vector:
        return np.linalg.solve(a, b[..., None])[..., 0]
    return np.linalg.solve(a, b)


def _kron(a, b):
    return np.kron(a, b)


def _diag_embed(x, offset=0, dim1=-2, dim2=-1):
    n = x.shape[-1] + abs(offset)
    out = np.zeros(x.shape[:-1] + (n, n), dtype=x.dtype)
    idx = np.arange(x.shape[-1])
    r, c = (idx, idx + offset) if offset >= 0 else (idx - offset, idx)
    out[..., r, c] = x
    return np.moveaxis(out, (-2, -1), (dim1, dim2)) if (dim1, dim2) != (-2, -1) else out


def _matrix_norm(ord):
    def ref(a):
        return np.linalg.norm(a, ord=ord, axis=(-2, -1))
    return ref


MATMUL_SHAPES = [((3,), (3,)), ((4, 3), (3,)), ((3,), (3, 5)), ((4, 3), (3, 5)), ((2, 4, 3), (3,)),
                 ((3,), (2, 3, 5)), ((2, 4, 3), (3, 5)), ((4, 3), (2, 3, 5)), ((2, 1, 4, 3), (5, 3, 2)),
                 ((0, 3), (3, 4)), ((2, 0), (0, 3)), ((2, 0, 3), (3, 4))]

EINSUM_CASES = [("ij,jk->ik", (3, 4), (4, 5)), ("ij,jk", (3, 4), (4, 5)), ("bij,bjk->bik", (2, 3, 4), (2, 4, 5)),
                ("ii", (4, 4)), ("ii->i", (4, 4)), ("ij->ji", (3, 4)), ("i,j->ij", (3,), (4,)),
                ("i,i", (5,), (5,)), ("...ij,...jk", (1, 2, 3), (4, 3, 5)), ("ijk,ikl,lm->jm", (2, 3, 4), (2, 4, 5), (5, 2)),
                ("bii->bi", (2, 3, 3)), ("ij,ij->ij", (3, 4), (3, 4)), ("ij->", (3, 4)), ("iij,jk->ik", (3, 3, 4), (4, 2)),
                ("a...,...b->...ab", (2, 3), (3, 4))]


def einsum_samples(dtype, rng):
    return [Sample((eq,) + tuple(random_array(rng, s, dtype) for s in shapes)) for eq, *shapes in EINSUM_CASES]


OPS = [
    OpInfo("matmul", lambda a, b: rstorch.matmul(a, b), np.matmul, PRODUCT_DTYPES,
           arrays(*MATMUL_SHAPES), tol=PRODUCT_TOL),
    OpInfo("__matmul__", lambda a, b: a @ b, np.matmul, PRODUCT_DTYPES, arrays(((4, 3), (3, 5)), ((3,), (3,))),
           tol=PRODUCT_TOL),
    OpInfo("mm", lambda a, b: rstorch.mm(a, b), np.matmul, PRODUCT_DTYPES, arrays(((4, 3), (3, 5)), ((1, 7), (7, 1)), ((0, 2), (2, 3))),
           tol=PRODUCT_TOL),
    OpInfo("bmm", lambda a, b: rstorch.bmm(a, b), np.matmul, PRODUCT_DTYPES, arrays(((2, 4, 3), (2, 3, 5)), ((0, 2, 3), (0, 3, 1))),
           tol=PRODUCT_TOL),
    OpInfo("mv", lambda a, b: rstorch.mv(a, b), np.matmul, PRODUCT_DTYPES, arrays(((4, 3), (3,)), ((3, 0), (0,))),
           tol=PRODUCT_TOL),
    OpInfo("dot", lambda a, b: rstorch.dot(a, b), np.dot, PRODUCT_DTYPES, arrays(((5,), (5,)), ((0,), (0,))),
           tol=PRODUCT_TOL),
    OpInfo("vdot", lambda a, b: a.vdot(b), np.vdot, PRODUCT_DTYPES, arrays(((5,), (5,))), tol=PRODUCT_TOL),
    OpInfo("inner", lambda a, b: rstorch.inner(a, b), np.inner, PRODUCT_DTYPES, arrays(((2, 3), (4, 3)), ((3,), (3,)), ((2, 3), ())),
           tol=PRODUCT_TOL),
    OpInfo("outer", lambda a, b: rstorch.outer(a, b), np.outer, ALL, arrays(((3,), (4,)), ((0,), (2,)))),
    OpInfo("addmm", lambda i, a, b: rstorch.addmm(i, a, b, beta=0.5, alpha=2), lambda i, a, b: 0.5 * i + 2 * (a @ b),
           FLOATS, arrays(((4, 5), (4, 3), (3, 5)), ((5,), (4, 3), (3, 5)), ((), (2, 0), (0, 3))), tol=PRODUCT_TOL),
    OpInfo("addmm_int", lambda i, a, b: rstorch.addmm(i, a, b, beta=2, alpha=3), lambda i, a, b: 2 * i + 3 * (a @ b),
           INTS, arrays(((4, 5), (4, 3), (3, 5))), differentiable=False),
    OpInfo("addmv", lambda i, a, b: rstorch.addmv(i, a, b, alpha=2), lambda i, a, b: i + 2 * (a @ b),
           PRODUCT_DTYPES, arrays(((4,), (4, 3), (3,)), ((1,), (4, 3), (3,))), tol=PRODUCT_TOL),
    OpInfo("addr", lambda i, a, b: rstorch.addr(i, a, b, beta=2), lambda i, a, b: 2 * i + np.outer(a, b),
           PRODUCT_DTYPES, arrays(((3, 4), (3,), (4,)))),
    OpInfo("baddbmm", lambda i, a, b: rstorch.baddbmm(i, a, b, alpha=0.5), lambda i, a, b: i + 0.5 * (a @ b),
           FLOATS, arrays(((2, 4, 5), (2, 4, 3), (2, 3, 5)), ((5,), (2, 4, 3), (2, 3, 5))), tol=PRODUCT_TOL),
    OpInfo("addbmm", lambda i, a, b: rstorch.addbmm(i, a, b), lambda i, a, b: i + (a @ b).sum(0),
           PRODUCT_DTYPES, arrays(((4, 5), (2, 4, 3), (2, 3, 5))), tol=PRODUCT_TOL),
    OpInfo("einsum", lambda eq, *ops: rstorch.einsum(eq, *ops), lambda eq, *ops: np.einsum(eq, *ops),
           PRODUCT_DTYPES, einsum_samples, tol=PRODUCT_TOL),
    OpInfo("tensordot", lambda a, b, dims: rstorch.tensordot(a, b, dims), lambda a, b, dims: np.tensordot(a, b, dims),
           PRODUCT_DTYPES, lambda d, rng: [Sample((random_array(rng, (2, 3, 4), d), random_array(rng, (3, 4, 5), d), 2)),
                                           Sample((random_array(rng, (2, 3), d), random_array(rng, (4, 3), d), ([1], [1]))),
                                           Sample((random_array(rng, (2, 3), d), random_array(rng, (4,), d), 0))],
           tol=PRODUCT_TOL),
    OpInfo("kron", lambda a, b: rstorch.kron(a, b), _kron, ALL, arrays(((2, 3), (3, 2)), ((2,), (2, 3)), ((2, 1, 2), (3,)))),
    OpInfo("trace", lambda a: rstorch.trace(a), np.trace, PRODUCT_DTYPES, arrays(((4, 4),), ((3, 5),), ((0, 2),)),
           result_dtype=lambda d: d if d in FLOATS else "int64", tol=PRODUCT_TOL),
    OpInfo("tril", lambda a, k: rstorch.tril(a, k), lambda a, k: np.tril(a, k), ALL,
           lambda d, rng: [Sample((random_array(rng, s, d), k)) for s, k in (((4, 5), 0), ((2, 3, 3), 1), ((4, 3), -1), ((3, 3), -7), ((0, 3), 0))]),
    OpInfo("triu", lambda a, k: rstorch.triu(a, k), lambda a, k: np.triu(a, k), ALL,
           lambda d, rng: [Sample((random_array(rng, s, d), k)) for s, k in (((4, 5), 0), ((2, 3, 3), 1), ((4, 3), -1), ((3, 3), 9))]),
    OpInfo("tril_", lambda a, k: a.clone().tril_(k), lambda a, k: np.tril(a, k), ALL,
           lambda d, rng: [Sample((random_array(rng, (4, 5), d), 1))], differentiable=False),
    OpInfo("diag", lambda a, k: rstorch.diag(a, k), lambda a, k: np.diag(a, k), ALL,
           lambda d, rng: [Sample((random_array(rng, s, d), k)) for s, k in (((4,), 0), ((3,), 1), ((3,), -2), ((4, 5), 0), ((4, 5), 2), ((4, 5), -1))]),
    OpInfo("diag_embed", lambda a, *k: rstorch.diag_embed(a, *k), _diag_embed, ALL,
           lambda d, rng: [Sample((random_array(rng, (2, 3), d),)), Sample((random_array(rng, (2, 3), d), 1)),
                           Sample((random_array(rng, (3,), d), -1))]),
    OpInfo("diagflat", lambda a, k: rstorch.diagflat(a, k), lambda a, k: np.diagflat(a, k), ALL,
           lambda d, rng: [Sample((random_array(rng, (2, 2), d), 1)), Sample((random_array(rng, (3,), d), 0))]),
    OpInfo("linalg.inv", lambda a: rstorch.linalg.inv(a), np.linalg.inv, SOLVER_DTYPES, solver_samples((3, 3), (2, 4, 4), (0, 0)),
           tol={"float32": (1e-5, 1e-6)}),
    OpInfo("linalg.det", lambda a: rstorch.linalg.det(a), np.linalg.det, SOLVER_DTYPES, solver_samples((3, 3), (2, 4, 4), (1, 1)),
           tol={"float32": (1e-5, 1e-6)}),
    OpInfo("linalg.slogdet", lambda a: tuple(rstorch.linalg.slogdet(a)), lambda a: tuple(np.linalg.slogdet(a)), SOLVER_DTYPES,
           lambda d, rng: [Sample((well_conditioned(rng, (3, 3)) * np.array([1, -1, 1])[:, None],)),
                           Sample((well_conditioned(rng, (2, 4, 4)),))], tol={"float32": (1e-5, 1e-6)}),
    OpInfo("linalg.solve", lambda a, b: rstorch.linalg.solve(a, b), _np_solve, SOLVER_DTYPES,
           lambda d, rng: [Sample((well_conditioned(rng, (3, 3)), rng.uniform(-1, 1, (3,)))),
                           Sample((well_conditioned(rng, (3, 3)), rng.uniform(-1, 1, (3, 2)))),
                           Sample((well_conditioned(rng, (2, 3, 3)), rng.uniform(-1, 1, (2, 3)))),
                           Sample((well_conditioned(rng, (2, 3, 3)), rng.uniform(-1, 1, (3, 4))))],
           tol={"float32": (1e-5, 1e-6)}),
    OpInfo("linalg.solve_right", lambda a, b: rstorch.linalg.solve(a, b, left=False), lambda a, b: np.linalg.solve(a.T, b.T).T,
           SOLVER_DTYPES, lambda d, rng: [Sample((well_conditioned(rng, (3, 3)), rng.uniform(-1, 1, (2, 3))))],
           tol={"float32": (1e-5, 1e-6)}),
    OpInfo("linalg.cross", lambda a, b: rstorch.linalg.cross(a, b), lambda a, b: np.cross(a, b), PRODUCT_DTYPES,
           arrays(((4, 3), (4, 3)), ((3,), (2, 3))), tol=PRODUCT_TOL),
    OpInfo("cross_dim", lambda a, b: rstorch.cross(a, b, dim=0), lambda a, b: np.cross(a, b, axis=0), PRODUCT_DTYPES,
           arrays(((3, 4), (3, 4))), tol=PRODUCT_TOL),
    OpInfo("linalg.vecdot", lambda a, b: rstorch.linalg.vecdot(a, b), lambda a, b: (a * b).sum(-1), FLOATS,
           arrays(((4, 3), (4, 3)), ((3,), (2, 3))), tol=PRODUCT_TOL),
    OpInfo("linalg.matmul", lambda a, b: rstorch.linalg.matmul(a, b), np.matmul, FLOATS, arrays(((2, 4, 3), (3, 5))),
           tol=PRODUCT_TOL),
] + [
    OpInfo(f"linalg.matrix_norm[{o}]", lambda a, o=o: rstorch.linalg.matrix_norm(a, o), _matrix_norm(o), FLOATS,
           arrays(((3, 4),), ((2, 3, 3),)), tol=PRODUCT_TOL, differentiable=o in ("fro", 1, -1, np.inf, -np.inf))
    for o in ("fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf)
]


# ------------------------------------------------------------------ error inputs (torch's texts)

from .core import attach_error_inputs, error  # noqa: E402


def _ones(*shape):
    return np.ones(shape)


def _f64(device, *shape):
    return rstorch.ones(*shape, dtype=rstorch.float64, device=device)


attach_error_inputs(OPS, {
    "matmul": lambda device: [
        error((np.array(1.0), _ones(2, 3)), RuntimeError,
              "both arguments to matmul need to be at least 1D, but they are 0D and 2D"),
        error((_ones(2, 3), _ones(4, 5)), RuntimeError, "mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"),
        error((_ones(2, 3), _ones(4)), RuntimeError, "size mismatch, got input (2), mat (2x3), vec (4)"),
        error((_ones(2, 3), _f64(device, 3, 4)), RuntimeError,
              "expected m1 and m2 to have the same dtype, but got: float != double")],
    "mm": lambda device: [
        error((_ones(2, 3), _ones(4, 5)), RuntimeError, "mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"),
        error((_ones(3), _ones(3, 4)), RuntimeError, "mm: self must be a matrix, got 1-D tensor"),
        error((_ones(2, 3), _ones(3)), RuntimeError, "mm: mat2 must be a matrix, got 1-D tensor")],
    "bmm": lambda device: [error((_ones(2, 3), _ones(3, 4)), RuntimeError, "batch1 must be a 3D tensor")],
    "mv": lambda device: [error((_ones(2, 3), _ones(3, 1)), RuntimeError, "vector + matrix @ vector expected, got 1, 2, 2")],
    "dot": lambda device: [error((_ones(3, 1), _ones(3)), RuntimeError, "1D tensors expected, but got 2D and 1D tensors")],
    "outer": lambda device: [error((_ones(3, 1), _ones(2)), RuntimeError, "outer: Expected 1-D argument self, but got 2-D")],
    "addmv": lambda device: [error((_ones(3), _ones(2, 3), _ones(3)), RuntimeError,
                                   "size mismatch, got input (3), mat (2x3), vec (3)")],
    "trace": lambda device: [error((_ones(2, 3, 4),), RuntimeError, "trace: expected a matrix, but got tensor with dim 3")],
    "tril": lambda device: [error((_ones(3), 0), RuntimeError, "tril: input tensor must have at least 2 dimensions")],
    "diag": lambda device: [error((_ones(2, 3, 4), 0), RuntimeError, "diag(): Supports 1D or 2D tensors. Got 3D")],
    "diag_embed": lambda device: [error((_ones(2, 3), 1, 0, 0), RuntimeError, "diagonal dimensions cannot be identical 0, 0")],
    "tensordot": lambda device: [error((_ones(2, 3), _ones(3, 2), -1), RuntimeError,
                                       "tensordot expects dims >= 0, but got dims=-1")],
    "linalg.inv": lambda device: [
        error((_ones(2, 3),), RuntimeError, "linalg.inv: A must be batches of square matrices, but they are 2 by 3 matrices"),
        error((_ones(3),), RuntimeError, "linalg.inv: The input tensor A must have at least 2 dimensions.")],
    "linalg.det": lambda device: [
        error((_ones(2, 3),), RuntimeError, "linalg.det: A must be batches of square matrices, but they are 2 by 3 matrices")],
    "linalg.cross": lambda device: [error((_ones(3, 3), _f64(device, 3, 3)), RuntimeError,
                                          "expected scalar type Float but found Double")],
    "einsum": lambda device: [
        error(("ij,jk->ik", _ones(2, 3)), RuntimeError, "einsum(): fewer operands were provided than specified in the equation"),
        error(("ij->iij", _ones(2, 3)), RuntimeError, "einsum(): output subscript i appears more than once in the output")],
    "linalg.matrix_norm[fro]": lambda device: [
        error((_ones(3),), RuntimeError, "linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")],
})
