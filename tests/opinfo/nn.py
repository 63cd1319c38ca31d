"""The fused nn kernels (rust/core/src/ops/nn/): cross_entropy of class indices, batch_norm,
native_batch_norm, layer_norm and native_layer_norm, against numpy float64 references; error
inputs in torch's words."""

import numpy as np

import rstorch
import rstorch.nn.functional as F

from .core import OpInfo, Sample, attach_error_inputs, error, random_array, with_specials

FUSED = ("float64", "float32")


# ------------------------------------------------------------------ cross_entropy

def _log_softmax(x, axis):
    m = x.max(axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def _ce_ref(x, t, w=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    one = x.ndim == 1
    if one:
        x, t = x[None], np.asarray(t).reshape(1)
    c = x.shape[1]
    logp = _log_softmax(x, 1)
    w = np.ones(c) if w is None else w
    valid = t != ignore_index
    ts = np.where(valid, t, 0)
    picked = -np.take_along_axis(logp, ts[:, None], 1)[:, 0]
    wt = w[ts] * valid
    nll = np.where(valid, picked * wt, 0.0)
    smooth = np.where(valid, -(logp * w.reshape((1, c) + (1,) * (x.ndim - 2))).sum(1), 0.0)
    ls = label_smoothing
    if reduction == "none":
        out = (1 - ls) * nll + ls / c * smooth
        return out[0] if one else out
    if reduction == "sum":
        return np.asarray((1 - ls) * nll.sum() + ls / c * smooth.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(((1 - ls) * nll.sum() + ls / c * smooth.sum()) / wt.sum())


def _labels(rng, shape, c, ignore=None):
    t = rng.integers(0, c, size=shape).astype(np.int64)
    if ignore is not None and t.size:
        t.reshape(-1)[::3] = ignore
    return t


def _ce_samples(weighted=False):
    def samples(dtype, rng):
        out = []
        for shape, kw in [((6, 4), {}), ((5, 7), {"reduction": "sum"}), ((3, 5), {"reduction": "none"}),
                          ((4, 3, 5), {}), ((2, 4, 3, 2), {"reduction": "none"}), ((2, 3, 2, 1, 2), {"reduction": "sum"}),
                          ((6, 4), {"label_smoothing": 0.2}), ((3, 4, 2), {"label_smoothing": 0.3, "reduction": "none"}),
                          ((6, 4), {"ignore_index": 1}), ((3, 4, 5), {"ignore_index": 2, "label_smoothing": 0.1}),
                          ((7, 3), {"ignore_index": -100, "reduction": "sum"}),
                          ((4,), {}), ((4,), {"reduction": "none"}),
                          ((0, 4), {"reduction": "sum"}), ((0, 4), {"reduction": "none"}), ((0, 4), {})]:
            x = random_array(rng, shape, dtype)
            c = shape[0] if len(shape) == 1 else shape[1]
            tshape = () if len(shape) == 1 else (shape[0],) + shape[2:]
            ig = kw.get("ignore_index")
            t = _labels(rng, tshape, c, ig if ig is not None and ig < 0 else None)
            args = (x, t)
            if weighted:
                # a list: class weights are no differentiable input (the op makes them a tensor)
                args += (rng.uniform(0.5, 2.0, size=c).tolist(),)
            out.append(Sample(args, kw))
        if not weighted:
            # NaN / inf logits: the rows holding them are NaN, the others exact
            out.append(Sample((with_specials(random_array(rng, (5, 4), dtype)), _labels(rng, (5,), 4)),
                              {"reduction": "none"}))
        return out
    return samples


def _ce(x, t, w=None, **kw):
    return F.cross_entropy(x, t, None if w is None else rstorch.tensor(w, dtype=x.dtype, device=x.device), **kw)


def _ce_ref_w(x, t, w=None, **kw):
    return _ce_ref(x, t, None if w is None else np.asarray(w), **kw)


# ------------------------------------------------------------------ batch_norm

def _bn_ref(x, w=None, b=None, mean=None, var=None, eps=1e-5):
    dims = (0,) + tuple(range(2, x.ndim))
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    if mean is None:
        mean, var = x.mean(dims), x.var(dims)
    y = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    if w is not None:
        y = y * w.reshape(shape)
    if b is not None:
        y = y + b.reshape(shape)
    return y


def _bn_samples(dtype, rng):
    out = []
    for shape in [(4, 3), (5, 2, 3), (2, 3, 4, 2), (3, 2, 2, 1, 3)]:
        c = shape[1]
        out.append(Sample((random_array(rng, shape, dtype), rng.uniform(0.5, 2, size=c), rng.uniform(-1, 1, size=c))))
    return out


def _bn_eval_samples(dtype, rng):
    out = []
    for shape in [(4, 3), (2, 3, 4, 2)]:
        c = shape[1]
        # running statistics as lists: buffers, no differentiable inputs
        out.append(Sample((random_array(rng, shape, dtype), rng.uniform(0.5, 2, size=c), rng.uniform(-1, 1, size=c),
                           rng.uniform(-1, 1, size=c).tolist(), rng.uniform(0.5, 2, size=c).tolist())))
    return out


def _bn_train(x, w, b):
    return rstorch.batch_norm(x, w, b, None, None, True, 0.1, 1e-5, False)


def _bn_eval(x, w, b, rm, rv):
    def buf(v):
        return v if isinstance(v, rstorch.Tensor) else rstorch.tensor(v, dtype=x.dtype, device=x.device)
    return rstorch.batch_norm(x, w, b, buf(rm), buf(rv), False, 0.1, 1e-5, False)


def _native_train(x, w, b):
    rm = rstorch.zeros(x.shape[1], dtype=x.dtype, device=x.device)
    rv = rstorch.ones(x.shape[1], dtype=x.dtype, device=x.device)
    out, mean, invstd = rstorch.native_batch_norm(x, w, b, rm, rv, True, 0.1, 1e-5)
    return out, mean.detach(), invstd.detach()


def _native_train_ref(x, w, b):
    dims = (0,) + tuple(range(2, x.ndim))
    return _bn_ref(x, w, b), x.mean(dims), 1 / np.sqrt(x.var(dims) + 1e-5)


# ------------------------------------------------------------------ layer_norm

def _ln_ref(x, k, w=None, b=None, eps=1e-5):
    dims = tuple(range(x.ndim - k, x.ndim))
    y = (x - x.mean(dims, keepdims=True)) / np.sqrt(x.var(dims, keepdims=True) + eps)
    if w is not None:
        y = y * w
    if b is not None:
        y = y + b
    return y


def _ln_samples(dtype, rng):
    out = []
    for shape, k in [((4, 5), 1), ((2, 3, 4), 2), ((3, 2, 2, 3), 1), ((6,), 1), ((0, 3), 1)]:
        ns = shape[len(shape) - k:]
        out.append(Sample((random_array(rng, shape, dtype), k, rng.uniform(0.5, 2, size=ns), rng.uniform(-1, 1, size=ns))))
    out.append(Sample((with_specials(random_array(rng, (3, 4), dtype)), 1, np.ones(4), np.zeros(4))))
    return out


def _ln(x, k, w, b):
    return rstorch.layer_norm(x, list(x.shape[x.dim() - k:]), w, b)


def _native_ln(x, k, w, b):
    out, mean, rstd = rstorch.native_layer_norm(x, list(x.shape[x.dim() - k:]), w, b, 1e-5)
    return out, mean.detach(), rstd.detach()


def _native_ln_ref(x, k, w, b):
    dims = tuple(range(x.ndim - k, x.ndim))
    return _ln_ref(x, k, w, b), x.mean(dims, keepdims=True), 1 / np.sqrt(x.var(dims, keepdims=True) + 1e-5)


def _finite(samples):
    """gradcheck's samples: the float64 ones without NaN or infinities."""
    return lambda rng: [s for s in samples("float64", rng)
                        if all(not isinstance(a, np.ndarray) or np.isfinite(a).all() for a in s.args)]


OPS = [
    OpInfo("cross_entropy", _ce, _ce_ref_w, FUSED, _ce_samples(), grad_samples=_finite(_ce_samples())),
    OpInfo("cross_entropy_weighted", _ce, _ce_ref_w, FUSED, _ce_samples(weighted=True)),
    OpInfo("batch_norm", _bn_train, _bn_ref, FUSED, _bn_samples),
    OpInfo("batch_norm_eval", _bn_eval, lambda x, w, b, rm, rv: _bn_ref(x, w, b, np.asarray(rm), np.asarray(rv)), FUSED, _bn_eval_samples),
    OpInfo("native_batch_norm", _native_train, _native_train_ref, FUSED, _bn_samples),
    OpInfo("layer_norm", _ln, _ln_ref, FUSED, _ln_samples, grad_samples=_finite(_ln_samples)),
    OpInfo("native_layer_norm", _native_ln, _native_ln_ref, FUSED,
           lambda dtype, rng: [s for s in _ln_samples(dtype, rng) if s.args[0].size and np.isfinite(s.args[0]).all()]),
]


# ------------------------------------------------------------------ error inputs (torch's texts)

def _ce_errors(device):
    x = np.zeros((3, 4))
    return [
        error((x, np.array([1, 12, 0])), IndexError, "Target 12 is out of bounds."),
        error((x, np.array([1, -5, 0])), IndexError, "Target -5 is out of bounds."),
        error((np.zeros((2, 3, 2)), np.array([[0, 3], [1, 1]])), IndexError, "Target 3 is out of bounds."),
        error((x, np.array([1, 2, 0], dtype=np.int32)), RuntimeError,
              "expected target dtype to be Long or Byte, but got Int"),
        error((x, np.array([1, 2])), ValueError, "Expected input batch_size (3) to match target batch_size (2)."),
        error((x, np.array([[1], [2], [0]])), RuntimeError,
              "0D or 1D target tensor expected, multi-target not supported"),
        error((x, np.array([1, 2, 0]), np.ones(5)), RuntimeError,
              "weight tensor should be defined either for all 4 classes or no classes but got weight tensor of "
              "shape: [5]"),
        error((x, np.array([1, 2, 0])), RuntimeError, "label_smoothing must be between 0.0 and 1.0. Got: 1.5",
              {"label_smoothing": 1.5}),
    ]


def _bn_errors(device):
    x = np.zeros((4, 3, 2))
    return [
        error((x, np.ones(2), None), RuntimeError, "weight should contain 3 elements not 2"),
        error((x, None, np.ones(4)), RuntimeError, "bias should contain 3 elements not 4"),
    ]


def _bn_eval_errors(device):
    x = np.zeros((4, 3))
    return [error((x, np.ones(3), np.ones(3), np.ones(2), np.ones(3)), RuntimeError,
                  "running_mean should contain 3 elements not 2")]


attach_error_inputs(OPS, {"cross_entropy": _ce_errors, "cross_entropy_weighted": _ce_errors,
                          "batch_norm": _bn_errors, "batch_norm_eval": _bn_eval_errors})
