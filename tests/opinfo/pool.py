"""The op table of pooling (rust/core/src/ops/nn/pool.rs; rows in python/rstorch/_ops/pool.py).

References are plain numpy loops over each window in torch's order (depth, height, width):
max keeps the first maximum and lets a NaN replace it (so the last NaN wins), as torch's CPU
kernels do, with indices flattened inside each plane; average divides by the window clipped to
the padded input (count_include_pad) or to the input, or by divisor_override; adaptive windows
are [floor(o*in/out), ceil((o+1)*in/out)). Gradient samples use distinct values so the maxima
are unique under finite differences."""

import itertools

import numpy as np

import rstorch
import rstorch.nn.functional as F
from rstorch._ops import pool as P
from .core import FLOATS, INTS, OpInfo, Sample, error, random_array, with_specials

# ------------------------------------------------------------------ references


def _out_len(n, k, s, p, d, ceil):
    num = n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)
    out = num // s + 1
    if ceil and (out - 1) * s >= n + p:
        out -= 1
    return out


def _planes(x, n):
    x = np.asarray(x)
    return x.reshape((-1,) + x.shape[x.ndim - n:]), x.shape[:x.ndim - n]


def _max_windows(windows, x, n):
    """(values, indices) of the max over per-axis windows (lists of positions per output)."""
    X, lead = _planes(x, n)
    spatial = X.shape[1:]
    outs = tuple(len(w) for w in windows)
    V = np.zeros((X.shape[0],) + outs, dtype=X.dtype)
    idx = np.zeros((X.shape[0],) + outs, dtype=np.int64)
    for pl in range(X.shape[0]):
        for o in np.ndindex(*outs):
            best = bi = None
            for pos in itertools.product(*[windows[a][o[a]] for a in range(n)]):
                v = X[pl][pos]
                if best is None or v > best or np.isnan(v):
                    best, bi = v, int(np.ravel_multi_index(pos, spatial))
            V[pl][o], idx[pl][o] = best, bi
    return V.reshape(lead + outs), idx.reshape(lead + outs)


def ref_max_pool(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, n=2):
    tup = (lambda v: [v] * n if isinstance(v, int) else list(v))
    k, p, d = tup(kernel_size), tup(padding), tup(dilation)
    s = tup(stride) if stride not in (None, (), []) else k
    sp = np.asarray(x).shape[-n:]
    windows = []
    for a in range(n):
        out = _out_len(sp[a], k[a], s[a], p[a], d[a], ceil_mode)
        windows.append([[o * s[a] - p[a] + j * d[a] for j in range(k[a]) if 0 <= o * s[a] - p[a] + j * d[a] < sp[a]]
                        for o in range(out)])
    return _max_windows(windows, x, n)


def _int_div(a, b):
    q = abs(int(a)) // abs(int(b))
    return q if (a >= 0) == (b > 0) else -q


def ref_avg_pool(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None, n=2):
    tup = (lambda v: [v] * n if isinstance(v, int) else list(v))
    k, p = tup(kernel_size), tup(padding)
    s = tup(stride) if stride not in (None, (), []) else k
    X, lead = _planes(x, n)
    sp = X.shape[1:]
    wins, pads = [], []
    for a in range(n):
        out = _out_len(sp[a], k[a], s[a], p[a], 1, ceil_mode)
        w, q = [], []
        for o in range(out):
            i0 = o * s[a] - p[a]
            i1 = min(i0 + k[a], sp[a] + p[a])
            q.append(i1 - i0)
            w.append(range(max(i0, 0), min(i1, sp[a])))
        wins.append(w)
        pads.append(q)
    outs = tuple(len(w) for w in wins)
    ints = X.dtype.kind in "iu"
    Y = np.zeros((X.shape[0],) + outs, dtype=np.int64 if ints else np.float64)
    for pl in range(X.shape[0]):
        for o in np.ndindex(*outs):
            ranges = [wins[a][o[a]] for a in range(n)]
            if any(len(r) == 0 for r in ranges):
                continue
            vals = [X[pl][pos] for pos in itertools.product(*ranges)]
            if divisor_override is not None:
                div = divisor_override
            elif count_include_pad:
                div = int(np.prod([pads[a][o[a]] for a in range(n)]))
            else:
                div = int(np.prod([len(r) for r in ranges]))
            Y[pl][o] = _int_div(sum(int(v) for v in vals), div) if ints else sum(vals) / div
    return Y.reshape(lead + outs)


def _adaptive_windows(sp, out):
    return [[list(range((o * sp[a]) // out[a], -(-((o + 1) * sp[a]) // out[a]))) for o in range(out[a])]
            for a in range(len(out))]


def _sizes(output_size, n):
    return [output_size] * n if isinstance(output_size, int) else list(output_size)


def ref_adaptive_max(x, output_size, n=2):
    out = _sizes(output_size, n)
    return _max_windows(_adaptive_windows(np.asarray(x).shape[-n:], out), x, n)


def ref_adaptive_avg(x, output_size, n=2):
    out = _sizes(output_size, n)
    X, lead = _planes(x, n)
    wins = _adaptive_windows(X.shape[1:], out)
    Y = np.zeros((X.shape[0],) + tuple(out))
    for pl in range(X.shape[0]):
        for o in np.ndindex(*out):
            ranges = [wins[a][o[a]] for a in range(n)]
            Y[pl][o] = np.mean([X[pl][pos] for pos in itertools.product(*ranges)])
    return Y.reshape(lead + tuple(out))


def ref_unpool(x, indices, output_size, n=2):
    X, lead = _planes(x, n)
    idx = np.asarray(indices).reshape(X.shape[0], -1)
    Y = np.zeros((X.shape[0], int(np.prod(output_size))), dtype=X.dtype)
    for pl in range(X.shape[0]):
        Y[pl][idx[pl]] = X[pl].reshape(-1)
    return Y.reshape(lead + tuple(output_size))


# ------------------------------------------------------------------ samples


def _values(dtype, rng, shape, specials=True):
    a = np.asarray(random_array(rng, shape, dtype))
    if specials and dtype in FLOATS and a.size > 8:
        a = with_specials(a)
    return a


def _distinct(rng, shape):
    n = int(np.prod(shape))
    return (rng.permutation(n) * 0.37 - n * 0.1).reshape(shape).astype(np.float64)


MAX2 = [((2, 3, 7, 6), dict(kernel_size=2)), ((3, 5, 4), dict(kernel_size=3, stride=1)),
        ((1, 2, 7, 7), dict(kernel_size=3, stride=2, padding=1)),
        ((2, 2, 6, 7), dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 0), dilation=(2, 1))),
        ((1, 2, 5, 5), dict(kernel_size=2, stride=2, ceil_mode=True)),
        ((1, 1, 6, 5), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
        ((0, 2, 5, 5), dict(kernel_size=2)), ((1, 2, 4, 4), dict(kernel_size=2, stride=1))]
MAX3 = [((1, 2, 4, 5, 4), dict(kernel_size=2)), ((2, 3, 4, 4), dict(kernel_size=(1, 2, 2), stride=1)),
        ((1, 1, 4, 5, 6), dict(kernel_size=(2, 3, 2), stride=(1, 2, 2), padding=(1, 1, 0), dilation=(1, 1, 2),
                                ceil_mode=True)),
        ((0, 1, 3, 3, 3), dict(kernel_size=2)), ((1, 1, 3, 3, 3), dict(kernel_size=2, stride=1))]
MAX1 = [((2, 3, 9), dict(kernel_size=3)), ((3, 8), dict(kernel_size=2, stride=1)),
        ((2, 2, 10), dict(kernel_size=3, stride=2, padding=1, dilation=2)),
        ((1, 2, 9), dict(kernel_size=4, stride=3, ceil_mode=True)), ((0, 2, 6), dict(kernel_size=2)),
        ((1, 2, 6), dict(kernel_size=2, stride=1))]
AVG2 = [((2, 3, 7, 6), dict(kernel_size=2)), ((1, 2, 7, 7), dict(kernel_size=3, stride=2, padding=1)),
        ((1, 2, 7, 7), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
        ((2, 1, 6, 7), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
        ((2, 1, 6, 7), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
        ((1, 2, 5, 6), dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1), divisor_override=5)),
        ((3, 5, 4), dict(kernel_size=2, stride=1)), ((0, 2, 4, 4), dict(kernel_size=2)),
        ((1, 2, 4, 4), dict(kernel_size=2, stride=1))]
AVG3 = [((1, 2, 4, 5, 4), dict(kernel_size=2)),
        ((1, 1, 4, 5, 5), dict(kernel_size=(2, 3, 3), stride=(1, 2, 2), padding=(1, 1, 1), ceil_mode=True)),
        ((1, 1, 5, 5, 5), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
        ((2, 3, 3, 4), dict(kernel_size=2, stride=1, divisor_override=3)), ((1, 1, 3, 3, 3), dict(kernel_size=2, stride=1))]
AVG1 = [((2, 3, 9), dict(kernel_size=3)), ((2, 2, 10), dict(kernel_size=3, stride=2, padding=1)),
        ((2, 2, 10), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
        ((1, 2, 9), dict(kernel_size=4, stride=3, padding=2, ceil_mode=True)), ((3, 8), dict(kernel_size=2, stride=1))]
AD2 = [((2, 3, 7, 6), (3, 4)), ((3, 5, 4), 2), ((1, 2, 5, 7), (8, 9)), ((1, 2, 5, 5), (5, 1)), ((0, 2, 4, 4), 2),
       ((1, 2, 4, 4), 3)]
AD3 = [((1, 2, 4, 5, 4), (2, 3, 2)), ((2, 3, 3, 4), 2), ((1, 1, 3, 3, 3), (2, 1, 2))]
AD1 = [((2, 3, 9), 4), ((3, 8), 3), ((1, 2, 5), 7), ((1, 2, 6), 4)]


def _samples(cases):
    def gen(dtype, rng):
        return [Sample((_values(dtype, rng, shape),), dict(kw)) for shape, kw in cases]
    return gen


def _grad_samples(cases):
    def gen(rng=None):  # distinct finite values (the value samples hold NaN and infinities)
        rng = np.random.default_rng(3)
        return [Sample((_distinct(rng, shape),), dict(kw)) for shape, kw in cases if int(np.prod(shape))]
    return gen


def _adaptive_samples(cases):
    def gen(dtype, rng):
        return [Sample((_values(dtype, rng, shape),), dict(output_size=o)) for shape, o in cases]
    return gen


def _adaptive_grad(cases):
    def gen(rng=None):
        rng = np.random.default_rng(3)
        return [Sample((_distinct(rng, shape),), dict(output_size=o)) for shape, o in cases if int(np.prod(shape))]
    return gen


def _unpool_samples(n):
    def gen(dtype, rng):
        out = []
        shapes = {2: [((2, 3, 6, 8), 2, None), ((3, 6, 5), 2, (7, 5)), ((1, 2, 7, 7), 3, None)],
                  3: [((1, 2, 4, 4, 6), 2, None), ((2, 4, 6, 4), 2, (5, 7, 5))]}[n]
        for shape, k, size in shapes:
            x = _distinct(rng, shape)
            pool = F.max_pool2d if n == 2 else F.max_pool3d
            v, i = pool(rstorch.tensor(x), k, return_indices=True)
            if size is None:  # the pooled input's size: every index points inside it
                size = list(shape[-n:])
            vals = _values(dtype, rng, tuple(v.shape), specials=False)
            out.append(Sample((vals, i.numpy()), dict(output_size=list(size))))
        return out
    return gen


def _unpool_grad(n):
    def gen(rng=None):
        return [Sample((s.args[0].astype(np.float64),) + s.args[1:], s.kwargs)
                for s in _unpool_samples(n)("float64", np.random.default_rng(2))]
    return gen


MAXTYPES = FLOATS + INTS
AVGTYPES = FLOATS + ("int64",)


def _max_entry(name, op, ref, cases, pair):
    return OpInfo(name, op, ref if pair else (lambda *a, **k: ref(*a, **k)[0]), MAXTYPES, _samples(cases),
                  differentiable=not pair, grad_samples=_grad_samples(cases))


OPS = [
    _max_entry("max_pool1d", lambda x, **kw: rstorch.max_pool1d(x, **kw),
               lambda x, **kw: ref_max_pool(x, n=1, **kw), MAX1, False),
    _max_entry("max_pool1d_with_indices", lambda x, **kw: rstorch.max_pool1d_with_indices(x, **kw),
               lambda x, **kw: ref_max_pool(x, n=1, **kw), MAX1, True),
    _max_entry("max_pool1d_with_indices[F]", lambda x, **kw: F.max_pool1d(x, return_indices=True, **kw)[0],
               lambda x, **kw: ref_max_pool(x, n=1, **kw), MAX1, False),
    _max_entry("max_pool2d", lambda x, **kw: rstorch.max_pool2d(x, **kw),
               lambda x, **kw: ref_max_pool(x, n=2, **kw), MAX2, False),
    _max_entry("max_pool2d[F]", lambda x, **kw: F.max_pool2d(x, **kw),
               lambda x, **kw: ref_max_pool(x, n=2, **kw), MAX2, False),
    _max_entry("max_pool2d_with_indices", lambda x, **kw: P.max_pool2d_with_indices(x, **kw),
               lambda x, **kw: ref_max_pool(x, n=2, **kw), MAX2, True),
    _max_entry("max_pool3d", lambda x, **kw: rstorch.max_pool3d(x, **kw),
               lambda x, **kw: ref_max_pool(x, n=3, **kw), MAX3, False),
    _max_entry("max_pool3d_with_indices", lambda x, **kw: P.max_pool3d_with_indices(x, **kw),
               lambda x, **kw: ref_max_pool(x, n=3, **kw), MAX3, True),
    OpInfo("avg_pool1d", lambda x, **kw: rstorch.avg_pool1d(x, **kw), lambda x, **kw: ref_avg_pool(x, n=1, **kw),
           AVGTYPES, _samples(AVG1), grad_samples=_grad_samples(AVG1)),
    OpInfo("avg_pool2d", lambda x, **kw: F.avg_pool2d(x, **kw), lambda x, **kw: ref_avg_pool(x, n=2, **kw),
           AVGTYPES, _samples(AVG2), grad_samples=_grad_samples(AVG2)),
    OpInfo("avg_pool3d", lambda x, **kw: F.avg_pool3d(x, **kw), lambda x, **kw: ref_avg_pool(x, n=3, **kw),
           AVGTYPES, _samples(AVG3), grad_samples=_grad_samples(AVG3)),
    OpInfo("adaptive_avg_pool1d", lambda x, **kw: rstorch.adaptive_avg_pool1d(x, **kw),
           lambda x, **kw: ref_adaptive_avg(x, n=1, **kw), FLOATS, _adaptive_samples(AD1),
           grad_samples=_adaptive_grad(AD1)),
    OpInfo("adaptive_avg_pool2d", lambda x, **kw: F.adaptive_avg_pool2d(x, **kw),
           lambda x, **kw: ref_adaptive_avg(x, n=2, **kw), FLOATS, _adaptive_samples(AD2),
           grad_samples=_adaptive_grad(AD2)),
    OpInfo("adaptive_avg_pool3d", lambda x, **kw: F.adaptive_avg_pool3d(x, **kw),
           lambda x, **kw: ref_adaptive_avg(x, n=3, **kw), FLOATS, _adaptive_samples(AD3),
           grad_samples=_adaptive_grad(AD3)),
    OpInfo("adaptive_max_pool1d", lambda x, **kw: rstorch.adaptive_max_pool1d(x, **kw),
           lambda x, **kw: ref_adaptive_max(x, n=1, **kw), FLOATS, _adaptive_samples(AD1), differentiable=False),
    OpInfo("adaptive_max_pool1d[values]", lambda x, **kw: rstorch.adaptive_max_pool1d(x, **kw)[0],
           lambda x, **kw: ref_adaptive_max(x, n=1, **kw)[0], FLOATS, _adaptive_samples(AD1),
           grad_samples=_adaptive_grad(AD1)),
    OpInfo("adaptive_max_pool2d", lambda x, **kw: P.adaptive_max_pool2d(x, **kw),
           lambda x, **kw: ref_adaptive_max(x, n=2, **kw), FLOATS, _adaptive_samples(AD2), differentiable=False),
    OpInfo("adaptive_max_pool2d[values]", lambda x, **kw: F.adaptive_max_pool2d(x, **kw),
           lambda x, **kw: ref_adaptive_max(x, n=2, **kw)[0], FLOATS, _adaptive_samples(AD2),
           grad_samples=_adaptive_grad(AD2)),
    OpInfo("adaptive_max_pool3d", lambda x, **kw: P.adaptive_max_pool3d(x, **kw),
           lambda x, **kw: ref_adaptive_max(x, n=3, **kw), FLOATS, _adaptive_samples(AD3), differentiable=False),
    OpInfo("adaptive_max_pool3d[values]", lambda x, **kw: F.adaptive_max_pool3d(x, **kw),
           lambda x, **kw: ref_adaptive_max(x, n=3, **kw)[0], FLOATS, _adaptive_samples(AD3),
           grad_samples=_adaptive_grad(AD3)),
    OpInfo("max_unpool2d", lambda x, i, **kw: P.max_unpool2d(x, i, **kw), lambda x, i, **kw: ref_unpool(x, i, n=2, **kw),
           MAXTYPES, _unpool_samples(2), grad_samples=_unpool_grad(2)),
    OpInfo("max_unpool3d", lambda x, i, **kw: F.max_unpool3d(x, i, 2, output_size=kw["output_size"]),
           lambda x, i, **kw: ref_unpool(x, i, n=3, **kw), MAXTYPES, _unpool_samples(3), grad_samples=_unpool_grad(3)),
]


def _max2_errors(device):
    x = np.zeros((1, 1, 4, 4))
    return [
        error((x,), RuntimeError, "pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 "
              "and dilation=1", dict(kernel_size=2, padding=2)),
        error((x,), RuntimeError, "Given input size: (1x4x4). Calculated output size: (1x0x0). Output size is too small",
              dict(kernel_size=5)),
        error((x,), RuntimeError, "stride should not be zero", dict(kernel_size=2, stride=0)),
        error((x,), RuntimeError, "max_pool2d: kernel_size must either be a single int, or a tuple of two ints",
              dict(kernel_size=(2, 2, 2))),
        error((np.zeros((4, 4)),), RuntimeError, "non-empty 3D or 4D (batch mode) tensor expected for input",
              dict(kernel_size=2)),
        error((x.astype(bool),), NotImplementedError, "\"max_pool2d\" not implemented for 'Bool'", dict(kernel_size=2)),
    ]


def _avg2_errors(device):
    x = np.zeros((1, 1, 4, 4))
    return [
        error((x,), RuntimeError, "divisor must be not zero", dict(kernel_size=2, divisor_override=0)),
        error((x.astype(np.int32),), NotImplementedError, "\"avg_pool2d\" not implemented for 'Int'", dict(kernel_size=2)),
        error((np.zeros((1, 0, 4, 4)),), RuntimeError, "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch "
              "size for input, but got:[1, 0, 4, 4]", dict(kernel_size=2)),
    ]


def _adaptive_errors(device):
    return [
        error((np.zeros((1, 1, 0, 4)),), RuntimeError, "adaptive_avg_pool2d(): Expected input to have non-zero size for "
              "non-batch dimensions, but input has sizes [1, 1, 0, 4] with dimension 2 being empty", dict(output_size=2)),
        error((np.zeros((4, 4)),), RuntimeError, "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [4, 4]",
              dict(output_size=2)),
    ]


def _unpool_errors(device):
    x = np.zeros((1, 1, 4, 4))
    i = np.zeros((1, 1, 4, 4), dtype=np.int64)
    return [
        error((x, i + 100), RuntimeError, "Found an invalid max index: 100 (output volumes are of size 8x8)",
              dict(output_size=[8, 8])),
        error((x, i.astype(np.int32)), RuntimeError, "elements in indices should be type int64 but got: Int",
              dict(output_size=[8, 8])),
    ]


for _info in OPS:
    _info.error_inputs = {"max_pool2d": _max2_errors, "avg_pool2d": _avg2_errors,
                          "adaptive_avg_pool2d": _adaptive_errors, "max_unpool2d": _unpool_errors}.get(_info.name)
