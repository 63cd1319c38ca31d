"""The op table of the reductions, scans and softmax (harness: tests/opinfo/core.py)."""

import numpy as np

import rstorch
from .core import ALL, FLOATS, INTS, OpInfo, Sample, random_array

NUMERIC = FLOATS + INTS
# (shape, dim) pairs: all dims, one dim (inner and outer layouts), negative dim, several dims,
# 0-dim tensors and zero-size dims
REDUCE_CASES = [((5, 7), None), ((5, 7), 1), ((5, 7), 0), ((3, 4, 6), -1), ((3, 4, 6), (0, 2)),
                ((3, 4, 6), 1), ((), None), ((), 0), ((0, 3), 1), ((0, 3), 0), ((0, 3), None),
                ((4, 1, 3), 1), ((300,), 0)]


def _nonempty(shape, dim):
    """Whether the reduced block has elements (ops without an identity need that)."""
    if dim is None:
        return int(np.prod(shape)) > 0
    dims = (dim,) if isinstance(dim, int) else dim
    return all(shape[d] > 0 for d in dims) if shape else True


def _axis(dim, ndim):
    if dim is None or ndim == 0:
        return None
    return dim


def reduce_samples(single_dim=False, needs_elements=False, low=-3.0, high=3.0, nan=False, needs_dim=False,
                   whole="keepdim"):
    """`whole`: how a reduction over all dims is called, as torch's overloads allow: with
    `keepdim=` alone ("keepdim"), with `dim=None, keepdim=` ("none": torch's sum and mean), or
    with neither ("bare": torch's prod has no keepdim without a dim)."""
    def gen(dtype, rng):
        out = []
        for shape, dim in REDUCE_CASES:
            if single_dim and isinstance(dim, tuple) or needs_dim and dim is None:
                continue
            if needs_elements and not _nonempty(shape, dim):
                continue
            a = np.asarray(random_array(rng, shape, dtype, low, high))
            if nan and a.size > 2:
                a.reshape(-1)[::3] = np.nan
            for keepdim in (False, True):
                kw = {"keepdim": keepdim}
                if dim is not None or whole == "none":
                    kw["dim"] = dim
                elif whole == "bare":
                    if keepdim:
                        continue
                    kw = {}
                out.append(Sample((a,), kw))
        return out
    return gen


def np_reduce(fn):
    """A reference for `op(x, dim=, keepdim=)` from a numpy function taking axis/keepdims."""
    def ref(x, dim=None, keepdim=False, **kw):
        x = np.asarray(x)
        r = fn(x, axis=_axis(dim, x.ndim), keepdims=keepdim, **kw)
        if x.ndim == 0 and not keepdim:
            r = np.asarray(r).reshape(())
        return np.asarray(r)
    return ref


def int64_for_ints(d):
    return d if d in FLOATS else "int64"


def _std(x, axis=None, keepdims=False):
    return np.std(x, axis=axis, keepdims=keepdims, ddof=1) if np.asarray(x).size > 1 else np.full(
        np.mean(x, axis=axis, keepdims=keepdims).shape, np.nan)


def _ddof_moment(fn):
    def ref(x, dim=None, keepdim=False, correction=1):
        x = np.asarray(x)
        axis = _axis(dim, x.ndim)
        n = x.size if axis is None else np.prod([x.shape[d] for d in np.atleast_1d(axis)])
        m = np.mean(x, axis=axis, keepdims=True) if x.size else np.zeros(())
        ss = np.sum((x - m) ** 2, axis=axis, keepdims=keepdim)
        with np.errstate(divide="ignore", invalid="ignore"):
            v = ss / max(n - correction, 0)
        return np.asarray(fn(v))
    return ref


def _arg(fn):
    def ref(x, dim=None, keepdim=False):
        x = np.asarray(x)
        if dim is None:
            r = fn(x.reshape(-1))
            return np.asarray(r).reshape((1,) * x.ndim if keepdim else ())
        if x.ndim == 0:
            return np.asarray(0)
        r = fn(x, axis=dim)
        return np.expand_dims(r, dim) if keepdim else np.asarray(r)
    return ref


def _max_dim(extreme, arg):
    def ref(x, dim, keepdim=False):
        return np_reduce(extreme)(x, dim, keepdim), _arg(arg)(x, dim, keepdim)
    return ref


def _norm(p):
    def ref(x, dim=None, keepdim=False):
        a = np.abs(np.asarray(x))
        axis = _axis(dim, a.ndim)
        if p == 0:
            return np.asarray(np.sum(a != 0, axis=axis, keepdims=keepdim), dtype=np.float64)
        if p == np.inf:
            return np.asarray(np.max(a, axis=axis, keepdims=keepdim))
        if p == -np.inf:
            return np.asarray(np.min(a, axis=axis, keepdims=keepdim))
        return np.asarray(np.sum(a ** p, axis=axis, keepdims=keepdim) ** (1 / p))
    return ref


def _logsumexp(x, axis=None, keepdims=False):
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0:
        return np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))
    m = np.max(x, axis=axis, keepdims=True)
    r = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return r if keepdims else (np.squeeze(r, axis=axis) if axis is not None else r.reshape(()))


def scan_samples(low=-3.0, high=3.0):
    def gen(dtype, rng):
        out = []
        for shape, dims in (((5, 7), (0, 1, -1)), ((3, 4, 6), (1,)), ((), (0,)), ((0, 3), (0, 1)),
                            ((40,), (0,))):
            for d in dims:
                out.append(Sample((np.asarray(random_array(rng, shape, dtype, low, high)), d)))
        return out
    return gen


def _scan_ref(fn):
    def ref(x, dim):
        x = np.asarray(x)
        if x.ndim == 0:
            return fn(x.reshape(1), axis=0).reshape(())
        return fn(x, axis=dim)
    return ref


def _cum_ext(better):
    def ref(x, dim):
        x = np.asarray(x)
        flat = x.reshape(1) if x.ndim == 0 else np.moveaxis(x, dim, -1)
        vals, idx = np.empty_like(flat), np.zeros(flat.shape, dtype=np.int64)
        for pos in np.ndindex(flat.shape[:-1]):
            line = flat[pos]
            if line.size == 0:
                continue
            v, at = line[0], 0
            for k, y in enumerate(line):
                if np.isnan(y) or (not np.isnan(v) and better(y, v)):
                    v, at = y, k
                vals[pos + (k,)], idx[pos + (k,)] = v, at
        if x.ndim == 0:
            return vals.reshape(()), idx.reshape(())
        return np.moveaxis(vals, -1, dim), np.moveaxis(idx, -1, dim)
    return ref


def _softmax(log):
    def ref(x, dim):
        x = np.asarray(x, dtype=np.float64)
        if x.size == 0:
            return x
        m = np.max(x, axis=dim, keepdims=True)
        e = np.exp(x - m)
        s = np.sum(e, axis=dim, keepdims=True)
        return (x - m - np.log(s)) if log else e / s
    return ref


def _cumsum_int64(fn):
    def ref(x, dim):
        x = np.asarray(x)
        if x.dtype.kind in "biu":
            x = x.astype(np.int64)
        return _scan_ref(fn)(x, dim)
    return ref


def _logcumsumexp(x, axis):
    return np.logaddexp.accumulate(x, axis=axis) if x.size else x


def defined_only(samples, ref):
    """The float64 samples whose reference output is finite: where the op's value is undefined
    (the variance of no more elements than `correction`, nanmean of an all-NaN slice) finite
    differences are NaN too, so gradcheck cannot compare there. (The rules give torch's NaN
    gradients there; tests/test_autograd.py checks those values.)"""
    def gen(rng):
        out = []
        for s in samples("float64", rng):
            r = ref(*s.args, **s.kwargs)
            if all(np.isfinite(np.asarray(v, dtype=np.float64)).all() for v in (r if isinstance(r, tuple) else (r,))):
                out.append(s)
        return out
    return gen


def with_corrections(samples, corrections=(0, 2, 0.5)):
    """`samples` plus each with the given `correction=` values."""
    def gen(dtype, rng):
        out = []
        for s in samples(dtype, rng):
            out.append(s)
            out.extend(Sample(s.args, dict(s.kwargs, correction=c)) for c in corrections)
        return out
    return gen


def _reduce_dtype(fn, dtype=np.int64):
    def ref(x, **kw):
        x = np.asarray(x)
        return np_reduce(fn)(x.astype(dtype) if x.dtype.kind in "biu" else x, **kw)
    return ref


def _nanmean(x, axis=None, keepdims=False):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nansum(x, axis=axis, keepdims=keepdims) / np.sum(~np.isnan(x), axis=axis, keepdims=keepdims)


def _random_signs(samples):
    """The float64 samples with each element's sign drawn at random."""
    def gen(rng):
        return [Sample((s.args[0] * rng.choice([-1.0, 1.0], size=np.shape(s.args[0])),) + s.args[1:], s.kwargs)
                for s in samples("float64", rng)]
    return gen


def with_zeros(samples):
    """The float64 samples plus copies with zeros written in: one zero, then zeros at every
    third element (several per line), where products need their zero-safe gradients."""
    def gen(rng):
        out = []
        for s in samples("float64", rng):
            out.append(s)
            a = s.args[0]
            if a.size < 2:
                continue
            for step in (a.size, 3):
                z = a.copy()
                z.reshape(-1)[1::step] = 0.0
                out.append(Sample((z,) + s.args[1:], s.kwargs))
        return out
    return gen


def _moment_grad_samples(ref):
    return defined_only(with_corrections(reduce_samples(needs_elements=True)), ref)


OPS = [
    OpInfo("sum", lambda x, **kw: rstorch.sum(x, **kw), _reduce_dtype(np.sum), ALL, reduce_samples(whole="none"),
           result_dtype=int64_for_ints),
    OpInfo("mean", lambda x, **kw: rstorch.mean(x, **kw), np_reduce(np.mean), FLOATS,
           reduce_samples(needs_elements=True, whole="none")),
    OpInfo("nansum", lambda x, **kw: rstorch.nansum(x, **kw), np_reduce(np.nansum), FLOATS,
           reduce_samples(nan=True)),
    OpInfo("nanmean", lambda x, **kw: rstorch.nanmean(x, **kw), np_reduce(np.nanmean), FLOATS,
           reduce_samples(needs_elements=True, nan=True),
           grad_samples=defined_only(reduce_samples(needs_elements=True, nan=True), np_reduce(_nanmean))),
    OpInfo("prod", lambda x, **kw: rstorch.prod(x, **kw), _reduce_dtype(np.prod), ALL,
           reduce_samples(single_dim=True, low=-1.5, high=1.5, whole="bare"), result_dtype=int64_for_ints,
           grad_samples=with_zeros(reduce_samples(single_dim=True, low=-1.5, high=1.5, whole="bare"))),
    OpInfo("amax", lambda x, **kw: rstorch.amax(x, **kw), np_reduce(np.max), ALL,
           reduce_samples(needs_elements=True)),
    OpInfo("amin", lambda x, **kw: rstorch.amin(x, **kw), np_reduce(np.min), ALL,
           reduce_samples(needs_elements=True)),
    OpInfo("max_dim", lambda x, dim=0, **kw: tuple(rstorch.max(x, dim, **kw)), _max_dim(np.max, np.argmax),
           ALL, reduce_samples(single_dim=True, needs_elements=True, needs_dim=True)),
    OpInfo("min_dim", lambda x, dim=0, **kw: tuple(rstorch.min(x, dim, **kw)), _max_dim(np.min, np.argmin),
           ALL, reduce_samples(single_dim=True, needs_elements=True, needs_dim=True)),
    OpInfo("argmax", lambda x, **kw: rstorch.argmax(x, **kw), _arg(np.argmax), NUMERIC,
           reduce_samples(single_dim=True, needs_elements=True), result_dtype=lambda d: "int64",
           differentiable=False),
    OpInfo("argmin", lambda x, **kw: rstorch.argmin(x, **kw), _arg(np.argmin), NUMERIC,
           reduce_samples(single_dim=True, needs_elements=True), result_dtype=lambda d: "int64",
           differentiable=False),
    OpInfo("aminmax", lambda x, **kw: tuple(rstorch.aminmax(x, **kw)),
           lambda x, **kw: (np_reduce(np.min)(x, **kw), np_reduce(np.max)(x, **kw)), ALL,
           reduce_samples(single_dim=True, needs_elements=True)),
    OpInfo("var", lambda x, **kw: rstorch.var(x, **kw), _ddof_moment(lambda v: v), FLOATS,
           reduce_samples(needs_elements=True), grad_samples=_moment_grad_samples(_ddof_moment(lambda v: v))),
    OpInfo("std", lambda x, **kw: rstorch.std(x, **kw), _ddof_moment(np.sqrt), FLOATS,
           reduce_samples(needs_elements=True), grad_samples=_moment_grad_samples(_ddof_moment(np.sqrt))),
    OpInfo("var_correction0", lambda x, **kw: rstorch.var(x, correction=0, **kw),
           lambda x, **kw: _ddof_moment(lambda v: v)(x, correction=0, **kw), FLOATS,
           reduce_samples(needs_elements=True)),
    OpInfo("std_mean", lambda x, **kw: rstorch.std_mean(x, **kw),
           lambda x, **kw: (_ddof_moment(np.sqrt)(x, **kw), np_reduce(np.mean)(x, **kw)), FLOATS,
           reduce_samples(needs_elements=True), grad_samples=_moment_grad_samples(_ddof_moment(np.sqrt))),
    OpInfo("var_mean", lambda x, **kw: rstorch.var_mean(x, **kw),
           lambda x, **kw: (_ddof_moment(lambda v: v)(x, **kw), np_reduce(np.mean)(x, **kw)), FLOATS,
           reduce_samples(needs_elements=True), grad_samples=_moment_grad_samples(_ddof_moment(lambda v: v))),
    # small values for p < 1, whose norm grows like n^(1/p) (float16 would overflow); their
    # gradient samples keep away from the kink at 0 (|x|^p's curvature defeats finite differences)
    *[OpInfo(f"norm_{p}", lambda x, p=p, **kw: rstorch.norm(x, p, **kw), _norm(p), FLOATS,
             reduce_samples(needs_elements=p in (np.inf, -np.inf), low=-0.03 if 0 < p < 1 else -3,
                            high=0.03 if 0 < p < 1 else 3),
             differentiable=p not in (0, np.inf, -np.inf),
             grad_samples=_random_signs(reduce_samples(low=0.005, high=0.03)) if 0 < p < 1 else None)
      for p in (2, 1, 3, 0.5, 0, np.inf, -np.inf)],
    # linalg.vector_norm over every kind of ord: negative orders (like +-inf) have no identity,
    # so their samples have elements, and their gradient samples keep away from 0, where |x|^p
    # blows up
    *[OpInfo(f"linalg.vector_norm[{p}]", lambda x, p=p, **kw: rstorch.linalg.vector_norm(x, p, **kw), _norm(p),
             FLOATS, reduce_samples(needs_elements=p < 0 or p == np.inf, low=-0.03 if 0 < p < 1 else -3,
                                    high=0.03 if 0 < p < 1 else 3),
             differentiable=p not in (0, np.inf, -np.inf),
             grad_samples=(_random_signs(reduce_samples(low=0.005, high=0.03)) if 0 < p < 1 else
                           _random_signs(reduce_samples(needs_elements=True, low=0.5, high=2)) if p < 0 else None))
      for p in (2, 1, 3, 1.5, 0.5, -1, -2.5, 0, np.inf, -np.inf)],
    # dtype= computes (and returns) the norm in a wider float dtype
    OpInfo("linalg.vector_norm[dtype=float64]",
           lambda x, **kw: rstorch.linalg.vector_norm(x, 2, dtype=rstorch.float64, **kw), _norm(2), FLOATS,
           reduce_samples(), result_dtype=lambda d: "float64", tol={"float64": (1e-6, 1e-7)}),
    # linalg.norm: the 2-norm of any dims by default, a matrix norm for an ord with two dims
    OpInfo("linalg.norm", lambda x, **kw: rstorch.linalg.norm(x, **kw), _norm(2), FLOATS, reduce_samples()),
    *[OpInfo(f"linalg.norm[{o}]", lambda x, o=o: rstorch.linalg.norm(x, o, dim=(0, 1)),
             lambda x, o=o: np.asarray(np.linalg.norm(x, ord=o, axis=(0, 1))), FLOATS,
             lambda dtype, rng: [Sample((random_array(rng, s, dtype),)) for s in ((3, 4), (2, 3, 4))],
             differentiable=o in ("fro", 1, np.inf))
      for o in ("fro", 1, np.inf)],
    OpInfo("logsumexp", lambda x, **kw: rstorch.logsumexp(x, **kw), np_reduce(_logsumexp), FLOATS,
           reduce_samples(low=-30, high=30, needs_dim=True)),
    OpInfo("all", lambda x, **kw: rstorch.all(x, **kw), np_reduce(np.all), ALL, reduce_samples(low=0, high=2),
           result_dtype=lambda d: "uint8" if d == "uint8" else "bool", differentiable=False),
    OpInfo("any", lambda x, **kw: rstorch.any(x, **kw), np_reduce(np.any), ALL, reduce_samples(low=-1, high=1),
           result_dtype=lambda d: "uint8" if d == "uint8" else "bool", differentiable=False),
    OpInfo("count_nonzero", lambda x, dim=None, keepdim=False: rstorch.count_nonzero(x, dim),
           lambda x, dim=None, keepdim=False: np.asarray(np.count_nonzero(x, axis=_axis(dim, np.ndim(x)))),
           ALL, reduce_samples(low=-1, high=1), result_dtype=lambda d: "int64", differentiable=False),
    OpInfo("cumsum", lambda x, d: rstorch.cumsum(x, d), _cumsum_int64(np.cumsum), ALL, scan_samples(),
           result_dtype=int64_for_ints),
    OpInfo("cumprod", lambda x, d: rstorch.cumprod(x, d), _cumsum_int64(np.cumprod), ALL,
           scan_samples(low=0.5, high=1.5), result_dtype=int64_for_ints,
           grad_samples=with_zeros(scan_samples(low=0.5, high=1.5))),
    OpInfo("cummax", lambda x, d: tuple(rstorch.cummax(x, d)), _cum_ext(lambda y, v: y >= v), ALL, scan_samples()),
    OpInfo("cummin", lambda x, d: tuple(rstorch.cummin(x, d)), _cum_ext(lambda y, v: y <= v), ALL, scan_samples()),
    OpInfo("logcumsumexp", lambda x, d: rstorch.logcumsumexp(x, d), _scan_ref(_logcumsumexp), FLOATS,
           scan_samples()),
    OpInfo("softmax", lambda x, d: rstorch.softmax(x, d), _softmax(False), FLOATS, scan_samples(-20, 20)),
    OpInfo("log_softmax", lambda x, d: rstorch.log_softmax(x, d), _softmax(True), FLOATS, scan_samples(-20, 20)),
]


# ------------------------------------------------------------------ error inputs (torch's texts)

from .core import attach_error_inputs, error  # noqa: E402

_DIM_MSG = "Dimension out of range (expected to be in range of [-2, 1], but got 5)"


def _dim_error(positional=False):
    """dim=5 on a 2-d input: keyword for the reductions, positional for the scans/softmax."""
    if positional:
        return lambda device: [error((np.ones((2, 3)), 5), IndexError, _DIM_MSG)]
    return lambda device: [error((np.ones((2, 3)),), IndexError, _DIM_MSG, {"dim": 5})]


def _with(base, *extra):
    return lambda device: base(device) + list(extra)


_LONG = np.array([1, 2])

attach_error_inputs(OPS, {
    **{name: _dim_error() for name in ("sum", "nansum", "prod", "max_dim", "min_dim", "argmax", "argmin",
                                       "logsumexp", "nanmean", "var_correction0", "std_mean", "var_mean")},
    **{name: _dim_error(positional=True) for name in ("cumsum", "cumprod", "cummax", "cummin", "logcumsumexp",
                                                       "softmax", "log_softmax")},
    "mean": _with(_dim_error(), error((_LONG,), NotImplementedError,
                                      "mean(): could not infer output dtype. Input dtype must be either a floating "
                                      "point or complex dtype. Got: Long")),
    "var": _with(_dim_error(), error((_LONG,), NotImplementedError, "std and var only support floating point and complex dtypes")),
    "std": _with(_dim_error(), error((_LONG,), NotImplementedError, "std and var only support floating point and complex dtypes")),
    "amax": _with(_dim_error(), error((np.ones((0, 3)),), RuntimeError,
                                      "amax(): Expected reduction dim to be specified for input.numel() == 0. "
                                      "Specify the reduction dim with the 'dim' argument.")),
    "norm_2": lambda device: [error((_LONG,), NotImplementedError,
                                    "linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long")],
    "linalg.vector_norm[2]": lambda device: [
        error((_LONG,), NotImplementedError,
              "linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long"),
        error((np.ones(3),), TypeError, "linalg_vector_norm(): argument 'ord' (position 2) must be Number, not str",
              {"p": "fro"})],
})
