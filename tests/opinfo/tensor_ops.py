"""OpInfo table of the core tensor ops (family `tensor_ops`) whose backward rules live in
autograd/rules/core.py: arithmetic (with alpha and the reflected forms), neg, sum/mean over dims,
the basic views, clone and dtype conversion. Samples avoid zero divisors so finite differences stay well conditioned."""

import numpy as np

import rstorch
from .core import FLOATS, OpInfo, Sample, elementwise_shapes, random_array


def _binary(dtype, rng):
    out = []
    for a, b in elementwise_shapes(2):
        out.append(Sample((random_array(rng, a, dtype), random_array(rng, b, dtype))))
    return out


def _divisor(rng, shape, dtype):
    x = random_array(rng, shape, dtype, 0.5, 2.0)
    return np.asarray(x * np.where(rng.random(shape) < 0.5, -1.0, 1.0))


def _div(dtype, rng):
    return [Sample((random_array(rng, a, dtype), _divisor(rng, b, dtype))) for a, b in elementwise_shapes(2)]


def _unary(dtype, rng):
    return [Sample((random_array(rng, s, dtype),)) for s in elementwise_shapes(1)]


def _nonzero_unary(dtype, rng):
    return [Sample((_divisor(rng, s, dtype),)) for s in elementwise_shapes(1)]


def _reduce(dtype, rng):
    x = random_array(rng, (3, 4, 5), dtype)
    return [Sample((x,)), Sample((x,), {"dim": 1}), Sample((x,), {"dim": (0, 2), "keepdim": True}),
            Sample((x,), {"dim": -1}), Sample((random_array(rng, (), dtype),))]


def _views(dtype, rng):
    return [Sample((random_array(rng, (2, 3, 4), dtype),))]


def _shaped(shape):
    return lambda dtype, rng: [Sample((random_array(rng, shape, dtype),))]


def _np_reduce(fn):
    def ref(x, dim=None, keepdim=False):
        axis = tuple(dim) if isinstance(dim, (tuple, list)) else dim
        return fn(x, axis=axis, keepdims=keepdim)
    return ref


OPS = [
    OpInfo("add", lambda a, b: a + b, lambda a, b: a + b, FLOATS, _binary),
    OpInfo("add_alpha", lambda a, b: a.add(b, alpha=2.5), lambda a, b: a + 2.5 * b, FLOATS, _binary),
    OpInfo("sub", lambda a, b: a - b, lambda a, b: a - b, FLOATS, _binary),
    OpInfo("sub_alpha", lambda a, b: a.sub(b, alpha=-1.5), lambda a, b: a + 1.5 * b, FLOATS, _binary),
    OpInfo("mul", lambda a, b: a * b, lambda a, b: a * b, FLOATS, _binary),
    OpInfo("div", lambda a, b: a / b, lambda a, b: a / b, FLOATS, _div),
    OpInfo("radd", lambda a: 2.5 + a, lambda a: 2.5 + a, FLOATS, _unary),
    OpInfo("rsub", lambda a: 2.5 - a, lambda a: 2.5 - a, FLOATS, _unary),
    OpInfo("rmul", lambda a: 2.5 * a, lambda a: 2.5 * a, FLOATS, _unary),
    OpInfo("rdiv", lambda a: 2.5 / a, lambda a: 2.5 / a, FLOATS, _nonzero_unary),
    OpInfo("neg", lambda a: -a, lambda a: -a, FLOATS, _unary),
    OpInfo("sum", lambda a, **kw: a.sum(**kw), _np_reduce(np.sum), FLOATS, _reduce,
           tol={"float16": (5e-3, 5e-2), "bfloat16": (3e-2, 2e-1)}),
    OpInfo("mean", lambda a, **kw: a.mean(**kw), _np_reduce(np.mean), FLOATS, _reduce,
           tol={"float16": (5e-3, 5e-3), "bfloat16": (3e-2, 2e-2)}),
    OpInfo("clone", lambda a: a.clone(), lambda a: a.copy(), FLOATS, _unary),
    OpInfo("to_float64", lambda a: a.to(__import__("rstorch").float64) * 1, lambda a: a.astype(np.float64),
           FLOATS, _unary, result_dtype=lambda d: "float64"),
    OpInfo("view", lambda a: a.view(6, 4), lambda a: a.reshape(6, 4), FLOATS, _views),
    OpInfo("reshape", lambda a: a.transpose(0, 2).reshape(4, 6), lambda a: a.transpose(2, 1, 0).reshape(4, 6),
           FLOATS, _views),
    OpInfo("expand", lambda a: a.expand(3, 2, 5, 4), lambda a: np.broadcast_to(a, (3, 2, 5, 4)),
           FLOATS, _shaped((2, 1, 4))),
    OpInfo("permute", lambda a: a.permute(2, 0, 1), lambda a: a.transpose(2, 0, 1), FLOATS, _views),
    OpInfo("transpose", lambda a: a.transpose(0, 2), lambda a: a.swapaxes(0, 2), FLOATS, _views),
    OpInfo("t", lambda a: a.t(), lambda a: a.T, FLOATS, _shaped((3, 5))),
    OpInfo("contiguous", lambda a: a.transpose(0, 1).contiguous(), lambda a: a.swapaxes(0, 1), FLOATS, _views),
    # the views family's function forms (rstorch/_ops/views.py), against numpy's views
    OpInfo("squeeze", lambda a: rstorch.squeeze(a, 1), lambda a: a.squeeze(1), FLOATS, _shaped((2, 1, 3)),
           method=lambda a: a.squeeze(1)),
    OpInfo("unsqueeze", lambda a: rstorch.unsqueeze(a, -1), lambda a: a[..., None], FLOATS, _views),
    OpInfo("flatten", lambda a: rstorch.flatten(a, 1), lambda a: a.reshape(2, 12), FLOATS, _views),
    OpInfo("unflatten", lambda a: rstorch.unflatten(a, 2, (2, 2)), lambda a: a.reshape(2, 3, 2, 2), FLOATS, _views),
    OpInfo("narrow", lambda a: rstorch.narrow(a, 2, 1, 2), lambda a: a[:, :, 1:3], FLOATS, _views),
    OpInfo("select", lambda a: rstorch.select(a, 1, -1), lambda a: a[:, -1], FLOATS, _views),
    OpInfo("split", lambda a: rstorch.split(a, 3, 2), lambda a: (a[..., :3], a[..., 3:]), FLOATS, _views),
    OpInfo("split_with_sizes", lambda a: rstorch.split_with_sizes(a, [1, 3], 2),
           lambda a: (a[..., :1], a[..., 1:]), FLOATS, _views),
    OpInfo("tensor_split", lambda a: rstorch.tensor_split(a, 3, 2), lambda a: tuple(np.array_split(a, 3, 2)),
           FLOATS, _views),
    OpInfo("hsplit", lambda a: rstorch.hsplit(a, [1]), lambda a: tuple(np.hsplit(a, [1])), FLOATS, _views),
    OpInfo("vsplit", lambda a: rstorch.vsplit(a, 2), lambda a: tuple(np.vsplit(a, 2)), FLOATS, _views),
    OpInfo("dsplit", lambda a: rstorch.dsplit(a, 2), lambda a: tuple(np.dsplit(a, 2)), FLOATS, _views),
    OpInfo("chunk", lambda a: rstorch.chunk(a, 2, 1), lambda a: (a[:, :2], a[:, 2:]), FLOATS, _views),
    OpInfo("unbind", lambda a: rstorch.unbind(a, 1), lambda a: tuple(a[:, i] for i in range(3)), FLOATS, _views),
    OpInfo("movedim", lambda a: rstorch.movedim(a, 0, -1), lambda a: np.moveaxis(a, 0, -1), FLOATS, _views),
    OpInfo("diagonal", lambda a: rstorch.diagonal(a, 1, 1, 2), lambda a: np.diagonal(a, 1, 1, 2), FLOATS, _views),
    OpInfo("as_strided", lambda a: rstorch.as_strided(a.contiguous(), (3, 2), (1, 4), 1),
           lambda a: np.lib.stride_tricks.as_strided(np.ascontiguousarray(a).reshape(-1)[1:], (3, 2),
                                                     (a.itemsize, 4 * a.itemsize)), FLOATS, _views),
    OpInfo("broadcast_to", lambda a: rstorch.broadcast_to(a, (3, 2, 5, 4)),
           lambda a: np.broadcast_to(a, (3, 2, 5, 4)), FLOATS, _shaped((2, 1, 4))),
    OpInfo("broadcast_tensors", lambda a, b: rstorch.broadcast_tensors(a, b), np.broadcast_arrays, FLOATS, _binary),
    OpInfo("detach", lambda a: rstorch.detach(a), lambda a: a, FLOATS, _views, differentiable=False),
]


# ------------------------------------------------------------------ error inputs (torch's texts)

from .core import attach_error_inputs, error  # noqa: E402

_SHAPE_MSG = "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"


def _shape_error(device):
    return [error((np.ones((2, 3)), np.ones((2, 4))), RuntimeError, _SHAPE_MSG)]


attach_error_inputs(OPS, {
    **{name: _shape_error for name in ("add", "add_alpha", "sub", "sub_alpha", "mul", "div")},
    "sum": lambda device: [error((np.ones((2, 3)),), IndexError,
                                 "Dimension out of range (expected to be in range of [-2, 1], but got 5)", {"dim": 5})],
    "mean": lambda device: [error((np.array([1, 2], np.int32),), NotImplementedError,
                                  "mean(): could not infer output dtype. Input dtype must be either a floating point "
                                  "or complex dtype. Got: Int")],
    "transpose": lambda device: [error((np.ones((2, 3)),), IndexError,
                                       "Dimension out of range (expected to be in range of [-2, 1], but got 2)")],
    "expand": lambda device: [error((np.ones((3, 4)),), RuntimeError,
                                    "The expanded size of the tensor (5) must match the existing size (3) at non-singleton "
                                    "dimension 2.  Target sizes: [3, 2, 5, 4].  Tensor sizes: [3, 4]")],
    # torch's texts (not asserted elsewhere in the suite)
    "view": lambda device: [error((np.ones(5),), RuntimeError, "shape '[6, 4]' is invalid for input of size 5")],
    "t": lambda device: [error((np.ones((2, 3, 4)),), RuntimeError,
                               "t() expects a tensor with <= 2 dimensions, but self is 3D")],
})
