"""The op table of the indexing and data-movement family (harness: tests/opinfo/core.py)."""

import numpy as np

import rstorch
from .core import ALL, FLOATS, OpInfo, Sample, random_array


def _x(rng, dtype, shape=(3, 4)):
    return np.asarray(random_array(rng, shape, dtype))


def _idx(rng, high, shape):
    return rng.integers(0, high, size=shape).astype(np.int64)


def _gather_ref(x, dim, idx):
    return np.take_along_axis(x, idx, axis=dim)


def _scatter_add_ref(x, dim, idx, src):
    out = x.copy()
    for pos in np.ndindex(*idx.shape):
        tgt = list(pos)
        tgt[dim] = idx[pos]
        out[tuple(tgt)] += src[pos]
    return out


def _scatter_ref(x, dim, idx, src):
    out = x.copy()
    for pos in np.ndindex(*idx.shape):
        tgt = list(pos)
        tgt[dim] = idx[pos]
        out[tuple(tgt)] = src[pos]
    return out


_REDUCE = {"sum": np.sum, "prod": np.prod, "mean": np.mean, "amax": np.max, "amin": np.min}


def _scatter_reduce_ref(x, dim, idx, src, reduce, include_self=True):
    """Each position reduces the src values scattered into it (and its own value when
    include_self); positions that receive nothing keep their value."""
    groups = {}
    for pos in np.ndindex(*idx.shape):
        tgt = list(pos)
        tgt[dim] = idx[pos]
        groups.setdefault(tuple(tgt), []).append(src[pos])
    out = x.copy()
    for tgt, vals in groups.items():
        vals = ([x[tgt]] if include_self else []) + vals
        out[tgt] = _REDUCE[reduce](np.asarray(vals, dtype=np.float64))
    return out


def _scatter_reduce_samples(reduce, two_zeros=False):
    """Samples with src larger than the index too; for prod, zeros in self and alone at a
    position (two_zeros: also two src zeros at one position, whose gradient torch refuses to
    differentiate again)."""
    def gen(dtype, rng):
        out = []
        for include_self in (True, False):
            x, src = _x(rng, dtype, (3, 4)), _x(rng, dtype, (5, 4))
            idx = _idx(rng, 3, (5, 4))
            if reduce == "prod":
                x[0, 1] = 0.0
                src[1, 2] = 0.0
                if two_zeros:
                    src[0, 0] = src[3, 0] = 0.0
                    idx[0, 0] = idx[3, 0] = 1
            kw = {"reduce": reduce, "include_self": include_self}
            out += [Sample((x, 0, idx, src), kw),
                    Sample((_x(rng, dtype, (3, 4)), 1, _idx(rng, 4, (3, 2)), _x(rng, dtype, (3, 3))), kw)]
        return out
    return gen


def _unique_rows(rng, high, shape, dim):
    """An index whose entries along `dim` are distinct (scatter without collisions)."""
    idx = np.empty(shape, dtype=np.int64)
    for pos in np.ndindex(*[s for d, s in enumerate(shape) if d != dim]):
        perm = rng.permutation(high)[: shape[dim]]
        full = list(pos)
        full.insert(dim, slice(None))
        idx[tuple(full)] = perm
    return idx


def _index_add_ref(x, dim, idx, src):
    out = np.moveaxis(x.copy(), dim, 0)
    s = np.moveaxis(src, dim, 0)
    for k, i in enumerate(idx):
        out[i] += s[k]
    return np.moveaxis(out, 0, dim)


def _samples_cat(dtype, rng):
    return [Sample((_x(rng, dtype, (2, 3)), _x(rng, dtype, (4, 3))), {"dim": 0}),
            Sample((_x(rng, dtype, (2, 3)), _x(rng, dtype, (2, 1))), {"dim": 1}),
            Sample((_x(rng, dtype, (2, 0)), _x(rng, dtype, (2, 2))), {"dim": -1})]


OPS = [
    OpInfo("cat", lambda a, b, dim: rstorch.cat([a, b], dim), lambda a, b, dim: np.concatenate([a, b], dim),
           ALL, _samples_cat),
    OpInfo("stack", lambda a, b, dim: rstorch.stack([a, b], dim), lambda a, b, dim: np.stack([a, b], dim),
           ALL, lambda d, rng: [Sample((_x(rng, d, (2, 3)), _x(rng, d, (2, 3))), {"dim": k}) for k in (0, 2, -1)]),
    OpInfo("hstack", lambda a, b: rstorch.hstack([a, b]), lambda a, b: np.hstack([a, b]), ALL,
           lambda d, rng: [Sample((_x(rng, d, (2, 3)), _x(rng, d, (2, 1)))), Sample((_x(rng, d, (3,)), _x(rng, d, (2,))))]),
    OpInfo("vstack", lambda a, b: rstorch.vstack([a, b]), lambda a, b: np.vstack([a, b]), ALL,
           lambda d, rng: [Sample((_x(rng, d, (3,)), _x(rng, d, (2, 3))))]),
    OpInfo("dstack", lambda a, b: rstorch.dstack([a, b]), lambda a, b: np.dstack([a, b]), ALL,
           lambda d, rng: [Sample((_x(rng, d, (2, 3)), _x(rng, d, (2, 3))))]),
    OpInfo("column_stack", lambda a, b: rstorch.column_stack([a, b]), lambda a, b: np.column_stack([a, b]), ALL,
           lambda d, rng: [Sample((_x(rng, d, (3,)), _x(rng, d, (3, 2))))]),
    OpInfo("flip", lambda x, dims: x.flip(dims), lambda x, dims: np.flip(x, dims), ALL,
           lambda d, rng: [Sample((_x(rng, d, (3, 4, 2)), (0, 2))), Sample((_x(rng, d, (3, 4)), (1,))),
                           Sample((_x(rng, d, ()), ())), Sample((_x(rng, d, (0, 2)), (0,)))]),
    OpInfo("roll", lambda x, s, dims: x.roll(s, dims), lambda x, s, dims: np.roll(x, s, dims), ALL,
           lambda d, rng: [Sample((_x(rng, d, (3, 4)), 1, None)), Sample((_x(rng, d, (3, 4)), (2, -1), (0, 1))),
                           Sample((_x(rng, d, (3, 4)), 7, 1))]),
    OpInfo("rot90", lambda x, k: rstorch.rot90(x, k), lambda x, k: np.rot90(x, k), ALL,
           lambda d, rng: [Sample((_x(rng, d, (3, 4)), k)) for k in (1, 2, 3, 4)]),
    OpInfo("repeat", lambda x, r: x.repeat(*r), lambda x, r: np.tile(x, r), ALL,
           lambda d, rng: [Sample((_x(rng, d, (2, 3)), (2, 1, 3))), Sample((_x(rng, d, ()), (2,)))]),
    OpInfo("tile", lambda x, r: rstorch.tile(x, r), lambda x, r: np.tile(x, r), ALL,
           lambda d, rng: [Sample((_x(rng, d, (2, 3)), (2,)))]),
    OpInfo("repeat_interleave", lambda x, r, dim: x.repeat_interleave(r, dim),
           lambda x, r, dim: np.repeat(x, r, dim), ALL,
           lambda d, rng: [Sample((_x(rng, d, (2, 3)), 2, 1)), Sample((_x(rng, d, (2, 3)), np.array([1, 0]), 0))]),
    OpInfo("gather", lambda x, dim, i: x.gather(dim, i), _gather_ref, ALL,
           lambda d, rng: [Sample((_x(rng, d, (3, 4)), 1, _idx(rng, 4, (3, 6)))),
                           Sample((_x(rng, d, (3, 4)), 0, _idx(rng, 3, (2, 4)))),
                           Sample((_x(rng, d, (3, 4)), 0, _idx(rng, 3, (0, 4))))]),
    OpInfo("take_along_dim", lambda x, i, dim: rstorch.take_along_dim(x, i, dim),
           lambda x, i, dim: np.take_along_axis(x, i, dim), ALL,
           lambda d, rng: [Sample((_x(rng, d, (3, 4)), _idx(rng, 4, (1, 2)), 1))]),
    OpInfo("scatter", lambda x, dim, i, s: x.scatter(dim, i, s), _scatter_ref, ALL,
           lambda d, rng: [Sample((_x(rng, d, (3, 4)), 1, _unique_rows(rng, 4, (3, 2), 1), _x(rng, d, (3, 3))))]),
    OpInfo("scatter_add", lambda x, dim, i, s: x.scatter_add(dim, i, s), _scatter_add_ref,
           [t for t in ALL if t != "bool"],
           lambda d, rng: [Sample((_x(rng, d, (3, 4)), 0, _idx(rng, 3, (5, 4)), _x(rng, d, (5, 4)))),
                           Sample((_x(rng, d, (3, 4)), 1, _idx(rng, 4, (2, 6)), _x(rng, d, (3, 6))))],
           tol={"float16": (5e-3, 5e-3), "bfloat16": (3e-2, 3e-2)}),
    *[OpInfo(f"scatter_reduce_{r}", lambda x, dim, i, s, **kw: x.scatter_reduce(dim, i, s, **kw),
             _scatter_reduce_ref, FLOATS, _scatter_reduce_samples(r),
             tol={"float16": (5e-3, 5e-3), "bfloat16": (3e-2, 3e-2)})
      for r in ("sum", "prod", "mean", "amax", "amin")],
    OpInfo("scatter_reduce_prod_two_zeros", lambda x, dim, i, s, **kw: x.scatter_reduce(dim, i, s, **kw),
           _scatter_reduce_ref, ("float64",), _scatter_reduce_samples("prod", two_zeros=True)),
    OpInfo("index_select", lambda x, dim, i: x.index_select(dim, i), lambda x, dim, i: np.take(x, i, dim), ALL,
           lambda d, rng: [Sample((_x(rng, d, (3, 4)), 1, _idx(rng, 4, (6,)))),
                           Sample((_x(rng, d, (3, 4)), 0, _idx(rng, 3, (0,))))]),
    OpInfo("index_add", lambda x, dim, i, s: x.index_add(dim, i, s), _index_add_ref,
           [t for t in ALL if t != "bool"],
           lambda d, rng: [Sample((_x(rng, d, (3, 4)), 0, _idx(rng, 3, (5,)), _x(rng, d, (5, 4))))],
           tol={"float16": (5e-3, 5e-3), "bfloat16": (3e-2, 3e-2)}),
    OpInfo("index_copy", lambda x, dim, i, s: x.index_copy(dim, i, s),
           lambda x, dim, i, s: _scatter_ref(x, dim, np.broadcast_to(i.reshape(1, -1), (3, 2)), s), ALL,
           lambda d, rng: [Sample((_x(rng, d, (3, 4)), 1, np.array([3, 0]), _x(rng, d, (3, 2))))]),
    OpInfo("index_fill", lambda x, dim, i: x.index_fill(dim, i, 2),
           lambda x, dim, i: np.where(np.isin(np.arange(x.shape[dim]), i).reshape(-1, 1) if dim == 0 else
                                      np.isin(np.arange(x.shape[dim]), i), 2, x), ALL,
           lambda d, rng: [Sample((_x(rng, d, (3, 4)), 1, np.array([3, 0]))), Sample((_x(rng, d, (3, 4)), 0, np.array([1])))]),
    OpInfo("masked_fill", lambda x, m: x.masked_fill(m, 1), lambda x, m: np.where(m, 1, x), ALL,
           lambda d, rng: [Sample((_x(rng, d, (3, 4)), rng.random((3, 4)) < 0.5)), Sample((_x(rng, d, (3, 4)), rng.random((4,)) < 0.5))]),
    OpInfo("masked_select", lambda x, m: x.masked_select(m), lambda x, m: np.broadcast_to(x, np.broadcast_shapes(x.shape, m.shape))[np.broadcast_to(m, np.broadcast_shapes(x.shape, m.shape))], ALL,
           lambda d, rng: [Sample((_x(rng, d, (3, 4)), rng.random((3, 4)) < 0.5)), Sample((_x(rng, d, (3, 1)), rng.random((4,)) < 0.5))]),
    OpInfo("take", lambda x, i: x.take(i), lambda x, i: np.take(x, i), ALL,
           lambda d, rng: [Sample((_x(rng, d, (3, 4)), rng.integers(-12, 12, size=(2, 3))))]),
    OpInfo("getitem_adv", lambda x, i, j: x[i, :, j], lambda x, i, j: x[i, :, j], ALL,
           lambda d, rng: [Sample((_x(rng, d, (3, 4, 5)), _idx(rng, 3, (2,)), _idx(rng, 5, (2,))))]),
    OpInfo("getitem_mask", lambda x, m: x[m], lambda x, m: x[m], ALL,
           lambda d, rng: [Sample((_x(rng, d, (3, 4)), rng.random((3, 4)) < 0.5)), Sample((_x(rng, d, (3, 4)), rng.random((3,)) < 0.5))]),
]


def _put_ref(x, i, v, accumulate=False):
    out = x.copy().reshape(-1)
    if accumulate:
        np.add.at(out, i.reshape(-1), v.reshape(-1))
    else:
        out[i.reshape(-1)] = v.reshape(-1)
    return out.reshape(x.shape)


def _index_put_ref(x, i, v, accumulate=False):
    out = x.copy()
    if accumulate:
        np.add.at(out, (i,), v)
    else:
        out[i] = v
    return out


def _masked_scatter_ref(x, m, src):
    out = x.copy()
    out[m] = src.reshape(-1)[:int(m.sum())]
    return out


def _embed_ref(view):
    def ref(x, src, *args):
        out = x.copy()
        view(out, *args)[...] = src
        return out
    return ref


def _diagonal_scatter_ref(x, src):
    out = x.copy()
    for i, v in enumerate(src):
        out[i, i + 1] = v
    return out


def _one(dtype, rng, shape):
    return [Sample((_x(rng, dtype, shape),))]


# ops composed in rstorch/_ops/index.py and the in-place-capable kernels without entries above
OPS += [
    *(OpInfo(f"atleast_{k}d", (lambda k: lambda x: getattr(rstorch, f"atleast_{k}d")(x))(k),
             (lambda k: lambda x: getattr(np, f"atleast_{k}d")(x))(k), ALL,
             lambda d, rng: [Sample((_x(rng, d, s),)) for s in ((), (3,), (3, 4), (2, 3, 4))]) for k in (1, 2, 3)),
    OpInfo("fliplr", lambda x: rstorch.fliplr(x), np.fliplr, ALL, lambda d, rng: _one(d, rng, (3, 4, 2)),
           method=lambda x: x.fliplr()),
    OpInfo("flipud", lambda x: rstorch.flipud(x), np.flipud, ALL, lambda d, rng: _one(d, rng, (3, 4)),
           method=lambda x: x.flipud()),
    OpInfo("index_put", lambda x, i, v: rstorch.index_put(x, (i,), v), lambda x, i, v: _index_put_ref(x, i, v), ALL,
           lambda d, rng: [Sample((_x(rng, d, (4, 3)), np.array([2, 0]), _x(rng, d, (2, 3))))],
           method=lambda x, i, v: x.index_put((i,), v), inplace=lambda x, i, v: x.index_put_((i,), v)),
    OpInfo("index_put_accumulate", lambda x, i, v: rstorch.index_put(x, (i,), v, True),
           lambda x, i, v: _index_put_ref(x, i, v, True), FLOATS,
           lambda d, rng: [Sample((_x(rng, d, (4, 3)), np.array([2, 0, 2]), _x(rng, d, (3, 3))))],
           differentiable=False),
    OpInfo("masked_scatter", lambda x, m, s: rstorch.masked_scatter(x, m, s), _masked_scatter_ref, ALL,
           lambda d, rng: [Sample((_x(rng, d, (3, 4)), rng.random((3, 4)) < 0.5, _x(rng, d, (3, 4))))],
           method=lambda x, m, s: x.masked_scatter(m, s), inplace=lambda x, m, s: x.masked_scatter_(m, s)),
    OpInfo("put", lambda x, i, v: rstorch.put(x, i, v), _put_ref, ALL,
           lambda d, rng: [Sample((_x(rng, d, (3, 4)), np.array([[1, 5], [11, 0]]), _x(rng, d, (2, 2))))],
           method=lambda x, i, v: x.put(i, v), inplace=lambda x, i, v: x.put_(i, v)),
    OpInfo("nonzero", lambda x: rstorch.nonzero(x), lambda x: np.argwhere(x), ALL,
           lambda d, rng: [Sample((np.round(_x(rng, d, (3, 4))),)), Sample((_x(rng, d, (0, 2)),))],
           differentiable=False, meta=False, method=lambda x: x.nonzero(), result_dtype=lambda d: "int64"),
    OpInfo("argwhere", lambda x: rstorch.argwhere(x), lambda x: np.argwhere(x), ALL,
           lambda d, rng: [Sample((np.round(_x(rng, d, (3, 4))),))], differentiable=False, meta=False,
           method=lambda x: x.argwhere(), result_dtype=lambda d: "int64"),
    OpInfo("narrow_copy", lambda x: rstorch.narrow_copy(x, 1, 1, 2), lambda x: x[:, 1:3].copy(), ALL,
           lambda d, rng: _one(d, rng, (3, 4)), method=lambda x: x.narrow_copy(1, 1, 2)),
    OpInfo("select_scatter", lambda x, s: rstorch.select_scatter(x, s, 1, 2),
           _embed_ref(lambda o: o[:, 2]), FLOATS,
           lambda d, rng: [Sample((_x(rng, d, (3, 4)), _x(rng, d, (3,))))]),
    OpInfo("slice_scatter", lambda x, s: rstorch.slice_scatter(x, s, 1, 0, 4, 2),
           _embed_ref(lambda o: o[:, 0:4:2]), FLOATS,
           lambda d, rng: [Sample((_x(rng, d, (3, 4)), _x(rng, d, (3, 2))))]),
    OpInfo("diagonal_scatter", lambda x, s: rstorch.diagonal_scatter(x, s, 1), _diagonal_scatter_ref, FLOATS,
           lambda d, rng: [Sample((_x(rng, d, (4, 4)), _x(rng, d, (3,))))]),
]


# ------------------------------------------------------------------ error inputs (torch's texts)

from .core import attach_error_inputs, error  # noqa: E402


def _oob(dim, size, exc=RuntimeError, prefix=""):
    return f"{prefix}index 5 is out of bounds for dimension {dim} with size {size}"


_X = np.ones((3, 4))

attach_error_inputs(OPS, {
    "cat": lambda device: [error((np.ones((2, 3)), np.ones((2, 4))), RuntimeError,
                                 "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 "
                                 "for tensor number 1 in the list.", {"dim": 0})],
    "flip": lambda device: [error((_X, (2,)), IndexError,
                                  "Dimension out of range (expected to be in range of [-2, 1], but got 2)")],
    "roll": lambda device: [error((_X, (1, 2), (0,)), RuntimeError, "shifts and dimensions must align. shifts: 2, dims:1")],
    "repeat": lambda device: [error((np.ones((2, 3)), (2,)), RuntimeError,
                                    "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")],
    "gather": lambda device: [error((_X, 1, np.array([[5]])), RuntimeError, _oob(1, 4))],
    "scatter": lambda device: [error((_X, 1, np.array([[5]]), np.ones((1, 1))), RuntimeError, _oob(1, 4))],
    "index_select": lambda device: [error((_X, 0, np.array([7])), IndexError, "index out of range in self")],
    "index_add": lambda device: [error((_X, 0, np.array([5]), np.ones((1, 4))), RuntimeError, _oob(0, 3))],
    "index_copy": lambda device: [error((_X, 0, np.array([5]), np.ones((1, 4))), IndexError,
                                        _oob(0, 3, prefix="index_copy_(): "))],
    "index_fill": lambda device: [error((_X, 0, np.array([5])), IndexError, _oob(0, 3))],
    "masked_fill": lambda device: [error((_X, np.ones((3, 4), np.uint8)), RuntimeError,
                                         "masked_fill_ only supports boolean masks, but got mask with dtype unsigned char")],
    "take": lambda device: [error((_X, np.array([12])), IndexError,
                                  "out of range: tried to access index 12 on a tensor of 12 elements.")],
    "getitem_adv": lambda device: [error((np.ones((3, 4, 5)), np.array([5]), np.array([0])), IndexError, _oob(0, 3))],
})

# data-dependent output shapes: no meta kernel in torch (a tensor of repeats, a boolean mask)
for _info in OPS:
    if _info.name in ("masked_select", "getitem_mask"):
        _info.meta = False
    elif _info.name == "repeat_interleave":
        _info.meta = lambda sample: not isinstance(sample.args[1], np.ndarray)
