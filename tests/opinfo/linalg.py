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
    # (torch broadcasts sizes, not ranks: (3,) with (2, 3) is an error, test_parity_args.py)
    OpInfo("linalg.cross", lambda a, b: rstorch.linalg.cross(a, b), lambda a, b: np.cross(a, b), PRODUCT_DTYPES,
           arrays(((4, 3), (4, 3)), ((1, 3), (2, 3))), tol=PRODUCT_TOL),
    OpInfo("cross_dim", lambda a, b: rstorch.cross(a, b, dim=0), lambda a, b: np.cross(a, b, axis=0), PRODUCT_DTYPES,
           arrays(((3, 4), (3, 4))), tol=PRODUCT_TOL),
    OpInfo("linalg.vecdot", lambda a, b: rstorch.linalg.vecdot(a, b), lambda a, b: (a * b).sum(-1), FLOATS,
           arrays(((4, 3), (4, 3)), ((3,), (2, 3))), tol=PRODUCT_TOL),
    OpInfo("linalg.matmul", lambda a, b: rstorch.linalg.matmul(a, b), np.matmul, FLOATS, arrays(((2, 4, 3), (3, 5))),
           tol=PRODUCT_TOL),
] + [
    OpInfo(f"linalg.matrix_norm[{o}]", lambda a, o=o: rstorch.linalg.matrix_norm(a, o), _matrix_norm(o), FLOATS,
           arrays(((3, 4),), ((2, 3, 3),)), tol=PRODUCT_TOL)
    for o in ("fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf)
]



# ------------------------------------------------------------------ decompositions
# QR, eigh and SVD factors are unique only up to the signs of their vectors: the entries
# compare what is unique (reconstructions, orthogonality, magnitudes); eigh's input is
# symmetrized inside the op so gradcheck perturbs a symmetric matrix.

DECOMP_TOL = {"float32": (1e-4, 1e-5)}


def _sym(a):
    return (a + a.mT) / 2 if isinstance(a, rstorch.Tensor) else (a + np.swapaxes(a, -1, -2)) / 2


def _spd(a):
    """A symmetric positive-definite matrix from any square `a`."""
    n = a.shape[-1]
    if isinstance(a, rstorch.Tensor):
        return a.matmul(a.mT) + n * rstorch.eye(n, dtype=a.dtype, device=a.device)
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def rand(*shapes):
    def gen(dtype, rng):
        return [Sample(tuple(rng.uniform(-1, 1, s) for s in shp)) for shp in shapes]
    return gen


def _qr_parts(q, r):
    eye = rstorch.eye(q.shape[-1], dtype=q.dtype, device=q.device)
    return q.matmul(r), q.mT.matmul(q) - eye, r.abs()


def _np_qr_parts(a, mode):
    q, r = np.linalg.qr(a, mode=mode)
    return q @ r, np.swapaxes(q, -1, -2) @ q - np.eye(q.shape[-1]), np.abs(r)


def _svd_parts(u, s, vh):
    return u.matmul(s.unsqueeze(-1) * vh), s, u.abs(), vh.abs()


def _np_svd_parts(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return u @ (s[..., None] * vh), s, np.abs(u), np.abs(vh)


def _np_eigh(a, uplo="L"):
    w, v = np.linalg.eigh(a, UPLO=uplo)
    return w, np.abs(v)


def _np_solve_triangular(a, b, upper, left=True, unit=False):
    t = np.triu(a) if upper else np.tril(a)
    if unit:
        t = t - t * np.eye(a.shape[-1]) + np.eye(a.shape[-1])
    return np.linalg.solve(t, b) if left else np.swapaxes(np.linalg.solve(np.swapaxes(t, -1, -2), np.swapaxes(b, -1, -2)), -1, -2)


def _np_lu(a):
    """LAPACK getf2 in numpy: (P, L, U) with a = P L U."""
    a = np.array(a, dtype=np.float64, copy=True)
    batch, (m, n) = a.shape[:-2], a.shape[-2:]
    k = min(m, n)
    ps, ls, us = [], [], []
    for x in a.reshape((-1, m, n)):
        perm = list(range(m))
        for j in range(k):
            p = j + int(np.argmax(np.abs(x[j:, j])))
            if x[p, j] != 0:
                x[[j, p]] = x[[p, j]]
                perm[j], perm[p] = perm[p], perm[j]
                x[j + 1:, j] /= x[j, j]
                x[j + 1:, j + 1:] -= np.outer(x[j + 1:, j], x[j, j + 1:])
        P = np.zeros((m, m))
        P[perm, np.arange(m)] = 1
        ps.append(P)
        ls.append(np.tril(x[:, :k], -1) + np.eye(m, k))
        us.append(np.triu(x[:k, :]))
    return tuple(np.array(v).reshape(batch + v[0].shape) for v in (ps, ls, us))


def _np_expm(a):
    """exp(a) by its Taylor series on a / 2^s, squared back (float64, small matrices)."""
    s = max(0, int(np.ceil(np.log2(max(np.abs(a).sum(-2).max(), 1e-300)))) + 1)
    x = a / 2 ** s
    term = np.broadcast_to(np.eye(a.shape[-1]), a.shape).copy()
    out = term.copy()
    for k in range(1, 30):
        term = term @ x / k
        out = out + term
    for _ in range(s):
        out = out @ out
    return out


def _np_lstsq(a, b):
    vector = b.ndim == a.ndim - 1
    bb = b[..., None] if vector else b
    x = np.linalg.pinv(a) @ bb
    return x[..., 0] if vector else x


SQUARE = rand(((3, 3),), ((2, 4, 4),))
RECT = rand(((4, 3),), ((3, 5),), ((2, 3, 3),))

OPS += [
    OpInfo("linalg.cholesky", lambda a: rstorch.linalg.cholesky(_spd(a)), lambda a: np.linalg.cholesky(_spd(a)),
           SOLVER_DTYPES, SQUARE, tol=DECOMP_TOL),
    OpInfo("linalg.cholesky_upper", lambda a: rstorch.linalg.cholesky(_spd(a), upper=True),
           lambda a: np.swapaxes(np.linalg.cholesky(_spd(a)), -1, -2), SOLVER_DTYPES, SQUARE, tol=DECOMP_TOL),
    OpInfo("linalg.cholesky_ex", lambda a: tuple(rstorch.linalg.cholesky_ex(_spd(a))),
           lambda a: (np.linalg.cholesky(_spd(a)), np.zeros(a.shape[:-2], dtype=np.int32)), SOLVER_DTYPES, SQUARE,
           tol=DECOMP_TOL),
    OpInfo("linalg.qr", lambda a: _qr_parts(*rstorch.linalg.qr(a)), lambda a: _np_qr_parts(a, "reduced"),
           SOLVER_DTYPES, RECT, tol=DECOMP_TOL),
    OpInfo("linalg.qr_complete", lambda a: _qr_parts(*rstorch.linalg.qr(a, mode="complete")),
           lambda a: _np_qr_parts(a, "complete"), SOLVER_DTYPES, rand(((3, 5),), ((3, 3),)), tol=DECOMP_TOL),
    OpInfo("linalg.qr_r", lambda a: rstorch.linalg.qr(a, mode="r").R.abs(), lambda a: np.abs(np.linalg.qr(a, mode="r")),
           SOLVER_DTYPES, RECT, tol=DECOMP_TOL, differentiable=False),
    OpInfo("linalg.eigh", lambda a: (lambda w, v: (w, v.abs()))(*rstorch.linalg.eigh(_sym(a))),
           lambda a: _np_eigh(_sym(a)), SOLVER_DTYPES, SQUARE, tol=DECOMP_TOL),
    OpInfo("linalg.eigh_upper", lambda a: (lambda w, v: (w, v.abs()))(*rstorch.linalg.eigh(a.triu(), UPLO="U")),
           lambda a: _np_eigh(np.triu(a), "U"), SOLVER_DTYPES, SQUARE, tol=DECOMP_TOL, differentiable=False),
    OpInfo("linalg.eigvalsh", lambda a: rstorch.linalg.eigvalsh(_sym(a)), lambda a: np.linalg.eigvalsh(_sym(a)),
           SOLVER_DTYPES, SQUARE, tol=DECOMP_TOL),
    OpInfo("linalg.svd", lambda a: _svd_parts(*rstorch.linalg.svd(a, full_matrices=False)), _np_svd_parts,
           SOLVER_DTYPES, RECT, tol=DECOMP_TOL),
    OpInfo("linalg.svd_full", lambda a: (lambda u, s, vh: (u.mT.matmul(u), s, vh.matmul(vh.mT)))(*rstorch.linalg.svd(a)),
           lambda a: (np.broadcast_to(np.eye(a.shape[-2]), a.shape[:-1] + (a.shape[-2],)), np.linalg.svd(a, compute_uv=False),
                      np.broadcast_to(np.eye(a.shape[-1]), a.shape[:-2] + (a.shape[-1],) * 2)),
           # the extra columns of U (rows of Vh) are not functions of A: torch's rule drops them
           SOLVER_DTYPES, RECT, tol=DECOMP_TOL, differentiable=False),
    OpInfo("linalg.svdvals", lambda a: rstorch.linalg.svdvals(a), lambda a: np.linalg.svd(a, compute_uv=False),
           SOLVER_DTYPES, RECT, tol=DECOMP_TOL),
    OpInfo("linalg.solve_triangular", lambda a, b: rstorch.linalg.solve_triangular(a, b, upper=True),
           lambda a, b: _np_solve_triangular(a, b, True), SOLVER_DTYPES,
           lambda d, rng: [Sample((well_conditioned(rng, (3, 3)), rng.uniform(-1, 1, (3, 2)))),
                           Sample((well_conditioned(rng, (2, 3, 3)), rng.uniform(-1, 1, (3, 4))))], tol=DECOMP_TOL),
    OpInfo("linalg.solve_triangular_lower_right_unit",
           lambda a, b: rstorch.linalg.solve_triangular(a, b, upper=False, left=False, unitriangular=True),
           lambda a, b: _np_solve_triangular(a, b, False, False, True), SOLVER_DTYPES,
           lambda d, rng: [Sample((rng.uniform(-1, 1, (3, 3)), rng.uniform(-1, 1, (2, 3))))], tol=DECOMP_TOL),
    OpInfo("linalg.lu", lambda a: tuple(rstorch.linalg.lu(a)), _np_lu, SOLVER_DTYPES, RECT, tol=DECOMP_TOL,
           differentiable=False, meta=False),
    OpInfo("linalg.lu_factor", lambda a: rstorch.linalg.lu_factor(a).pivots,
           lambda a: _np_lu_pivots(a), SOLVER_DTYPES, rand(((4, 4),), ((2, 3, 3),)), result_dtype=lambda d: "int32",
           differentiable=False),
    OpInfo("linalg.lu_solve", lambda a, b: rstorch.linalg.lu_solve(*rstorch.linalg.lu_factor(a), b),
           np.linalg.solve, SOLVER_DTYPES, lambda d, rng: [Sample((well_conditioned(rng, (3, 3)), rng.uniform(-1, 1, (3, 2)))),
                                                          Sample((well_conditioned(rng, (2, 3, 3)), rng.uniform(-1, 1, (2, 3, 1))))],
           tol=DECOMP_TOL, differentiable=False, meta=False),
    OpInfo("linalg.lu_solve_adjoint_right", lambda a, b: rstorch.linalg.lu_solve(*rstorch.linalg.lu_factor(a), b, adjoint=True, left=False),
           lambda a, b: b @ np.linalg.inv(a.T), SOLVER_DTYPES,
           lambda d, rng: [Sample((well_conditioned(rng, (3, 3)), rng.uniform(-1, 1, (2, 3))))],
           tol=DECOMP_TOL, differentiable=False, meta=False),
    OpInfo("linalg.inv_ex", lambda a: tuple(rstorch.linalg.inv_ex(a)),
           lambda a: (np.linalg.inv(a), np.zeros(a.shape[:-2], dtype=np.int32)), SOLVER_DTYPES,
           solver_samples((3, 3), (2, 4, 4)), tol=DECOMP_TOL),
    OpInfo("linalg.solve_ex", lambda a, b: tuple(rstorch.linalg.solve_ex(a, b)),
           lambda a, b: (_np_solve(a, b), np.zeros(a.shape[:-2], dtype=np.int32)), SOLVER_DTYPES,
           lambda d, rng: [Sample((well_conditioned(rng, (3, 3)), rng.uniform(-1, 1, (3, 2))))], tol=DECOMP_TOL),
    OpInfo("linalg.lstsq", lambda a, b: rstorch.linalg.lstsq(a, b).solution, _np_lstsq, SOLVER_DTYPES,
           lambda d, rng: [Sample((rng.uniform(-1, 1, (5, 3)), rng.uniform(-1, 1, (5, 2)))),
                           Sample((rng.uniform(-1, 1, (3, 5)), rng.uniform(-1, 1, (3,)))),
                           Sample((rng.uniform(-1, 1, (2, 4, 3)), rng.uniform(-1, 1, (2, 4, 2))))], tol=DECOMP_TOL),
    OpInfo("linalg.pinv", lambda a: rstorch.linalg.pinv(a), np.linalg.pinv, SOLVER_DTYPES, RECT, tol=DECOMP_TOL),
    OpInfo("linalg.pinv_hermitian", lambda a: rstorch.linalg.pinv(_sym(a), hermitian=True),
           lambda a: np.linalg.pinv(_sym(a), hermitian=True), SOLVER_DTYPES, SQUARE, tol=DECOMP_TOL),
    OpInfo("linalg.matrix_rank", lambda a: rstorch.linalg.matrix_rank(a), np.linalg.matrix_rank, SOLVER_DTYPES,
           lambda d, rng: [Sample((rng.uniform(-1, 1, (4, 3)),)), Sample((np.outer([1., 2, 3], [1., -1, 2, 0]),)),
                           Sample((np.zeros((2, 2)),)), Sample((rng.uniform(-1, 1, (2, 3, 3)),))],
           result_dtype=lambda d: "int64", differentiable=False),
    OpInfo("linalg.matrix_rank_hermitian", lambda a: rstorch.linalg.matrix_rank(_sym(a), hermitian=True),
           lambda a: np.linalg.matrix_rank(_sym(a), hermitian=True), SOLVER_DTYPES, SQUARE,
           result_dtype=lambda d: "int64", differentiable=False),
    OpInfo("linalg.matrix_power", lambda a, n: rstorch.linalg.matrix_power(a, n), np.linalg.matrix_power,
           SOLVER_DTYPES, lambda d, rng: [Sample((well_conditioned(rng, s), k)) for s, k in
                                          (((3, 3), 0), ((3, 3), 1), ((3, 3), 2), ((3, 3), 3), ((2, 3, 3), 5), ((3, 3), 6), ((3, 3), -2))],
           tol=DECOMP_TOL),
    OpInfo("matrix_power", lambda a, n: rstorch.matrix_power(a, n), np.linalg.matrix_power, PRODUCT_DTYPES,
           lambda d, rng: [Sample((random_array(rng, (3, 3), d), 3))], method=lambda a, n: a.matrix_power(n),
           tol=PRODUCT_TOL),
    OpInfo("linalg.multi_dot", lambda *ts: rstorch.linalg.multi_dot(ts), lambda *ts: np.linalg.multi_dot(ts), FLOATS,
           arrays(((2, 3), (3, 4)), ((3,), (3, 4), (4, 5), (5,)), ((5, 2), (2, 6), (6, 1), (1, 3)), ((4,), (4, 2))),
           tol=PRODUCT_TOL),
] + [
    OpInfo(f"linalg.cond[{p}]", lambda a, p=p: rstorch.linalg.cond(a, p), lambda a, p=p: np.linalg.cond(a, p),
           SOLVER_DTYPES, solver_samples((3, 3), (2, 4, 4)), tol=DECOMP_TOL)
    for p in (None, 2, -2, 1, -1, np.inf, -np.inf, "fro", "nuc")
] + [
    OpInfo("linalg.matrix_exp", lambda a: rstorch.linalg.matrix_exp(a), _np_expm, SOLVER_DTYPES,
           lambda d, rng: [Sample((rng.uniform(-1, 1, (3, 3)),)), Sample((rng.uniform(-4, 4, (2, 4, 4)),)),
                           Sample((np.zeros((2, 2)),))], tol=DECOMP_TOL),
    OpInfo("matrix_exp", lambda a: rstorch.matrix_exp(a), _np_expm, SOLVER_DTYPES,
           lambda d, rng: [Sample((rng.uniform(-1, 1, (3, 3)),))], method=lambda a: a.matrix_exp(), tol=DECOMP_TOL),
    OpInfo("svd", lambda a: (lambda u, s, v: (u.matmul(s.unsqueeze(-1) * v.mT), s, u.abs(), v.abs()))(*rstorch.svd(a)),
           lambda a: (lambda r: (r[0], r[1], r[2], np.swapaxes(r[3], -1, -2)))(_np_svd_parts(a)), SOLVER_DTYPES, RECT,
           method=lambda a: (lambda u, s, v: (u.matmul(s.unsqueeze(-1) * v.mT), s, u.abs(), v.abs()))(*a.svd()),
           tol=DECOMP_TOL),
    OpInfo("pinverse", lambda a: rstorch.pinverse(a), np.linalg.pinv, SOLVER_DTYPES, RECT, method=lambda a: a.pinverse(),
           tol=DECOMP_TOL),
    OpInfo("cholesky_solve", lambda b, a: rstorch.cholesky_solve(b, rstorch.linalg.cholesky(_spd(a))),
           lambda b, a: np.linalg.solve(_spd(a), b), SOLVER_DTYPES,
           lambda d, rng: [Sample((rng.uniform(-1, 1, (3, 2)), rng.uniform(-1, 1, (3, 3)))),
                           Sample((rng.uniform(-1, 1, (2, 3, 1)), rng.uniform(-1, 1, (3, 3))))],
           method=lambda b, a: b.cholesky_solve(rstorch.linalg.cholesky(_spd(a))), tol=DECOMP_TOL),
    OpInfo("cholesky_solve_upper", lambda b, a: rstorch.cholesky_solve(b, rstorch.linalg.cholesky(_spd(a), upper=True), True),
           lambda b, a: np.linalg.solve(_spd(a), b), SOLVER_DTYPES,
           lambda d, rng: [Sample((rng.uniform(-1, 1, (3, 2)), rng.uniform(-1, 1, (3, 3))))], tol=DECOMP_TOL),
    OpInfo("cholesky_inverse", lambda a: rstorch.cholesky_inverse(rstorch.linalg.cholesky(_spd(a))),
           lambda a: np.linalg.inv(_spd(a)), SOLVER_DTYPES, SQUARE,
           method=lambda a: rstorch.linalg.cholesky(_spd(a)).cholesky_inverse(), tol=DECOMP_TOL),
    OpInfo("triangular_solve", lambda b, a: tuple(rstorch.triangular_solve(b, a)),
           lambda b, a: (_np_solve_triangular(a, b, True), a), SOLVER_DTYPES,
           lambda d, rng: [Sample((rng.uniform(-1, 1, (3, 2)), well_conditioned(rng, (3, 3))))], tol=DECOMP_TOL),
    OpInfo("triangular_solve_lower_transpose", lambda b, a: rstorch.triangular_solve(b, a, upper=False, transpose=True)[0],
           lambda b, a: np.linalg.solve(np.tril(a).T, b), SOLVER_DTYPES,
           lambda d, rng: [Sample((rng.uniform(-1, 1, (3, 2)), well_conditioned(rng, (3, 3))))], tol=DECOMP_TOL),
]


def _np_lu_pivots(a):
    a = np.array(a, dtype=np.float64, copy=True)
    batch, (m, n) = a.shape[:-2], a.shape[-2:]
    out = []
    for x in a.reshape((-1, m, n)):
        piv = []
        for j in range(min(m, n)):
            p = j + int(np.argmax(np.abs(x[j:, j])))
            piv.append(p + 1)
            if x[p, j] != 0:
                x[[j, p]] = x[[p, j]]
                x[j + 1:, j] /= x[j, j]
                x[j + 1:, j + 1:] -= np.outer(x[j + 1:, j], x[j, j + 1:])
        out.append(piv)
    return np.array(out, dtype=np.int32).reshape(batch + (min(m, n),))

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
