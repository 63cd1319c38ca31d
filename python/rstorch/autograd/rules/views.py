"""Backward rules of the view ops other than the core ones (view, reshape, permute, transpose,
t, expand, contiguous, clone live in core.py); see _registry for the contract.

A view that picks part of its input (narrow, select, slices, diagonal, split...) sends its
gradient back by writing it into the same view of a zero tensor of the input's shape."""

import rstorch  # the rules run at backward time, on the public namespace (fully imported by then)

from ... import _C
from ..._creation import arange, zeros
from ._registry import rule


def _embed(grad, self, view_of):
    """A zero tensor shaped like `self` with `grad` written into `view_of(that tensor)`."""
    g = zeros(self.shape, dtype=grad.dtype)
    view_of(g).copy_(grad)
    return g


def _squeeze_node(args, kwargs):
    dim = args[1] if len(args) > 1 else kwargs.get("dim")
    return "SqueezeBackward0" if dim is None else "SqueezeBackward2" if isinstance(dim, (list, tuple)) else "SqueezeBackward1"


@rule("squeeze", node=_squeeze_node)
@rule("unsqueeze")
# torch's flatten and unflatten are reshapes (views; a reshape that copies is recorded as
# clone + _unsafe_view)
@rule("flatten", node="ViewBackward0")
@rule("unflatten", node="ViewBackward0")
@rule("_unsafe_view")
def reshape_back(grad, args, kwargs, out):
    return (grad.reshape(args[0].shape),) + (None,) * (len(args) - 1)


@rule("view_dtype")
def view_dtype(grad, args, kwargs, out):
    # a reinterpretation of the bits: not differentiable (torch allows it only for same-size
    # float types, where the gradient passes through unchanged)
    self = args[0]
    return (grad.view(self.dtype) if grad.dtype.itemsize == self.dtype.itemsize else None), None


@rule("narrow", node="SliceBackward0")   # torch's narrow is a slice
def narrow(grad, args, kwargs, out):
    self, dim, start, length = args[:4]
    return _embed(grad, self, lambda g: g.narrow(dim, start, length)), None, None, None


@rule("select")
def select(grad, args, kwargs, out):
    self, dim, index = args[:3]
    return _embed(grad, self, lambda g: g.select(dim, index)), None, None


@rule("_slice", node="SliceBackward0")
def slice_(grad, args, kwargs, out):
    self, dim, start, stop, step = args[:5]
    return _embed(grad, self, lambda g: g._slice(dim, start, stop, step)), None, None, None, None


@rule("diagonal")
def diagonal(grad, args, kwargs, out):
    self, offset, dim1, dim2 = args[:4]
    return _embed(grad, self, lambda g: g.diagonal(offset, dim1, dim2)), None, None, None


@rule("as_strided")
def as_strided(grad, args, kwargs, out):
    # every output element adds its gradient to the input element at the same storage
    # position; positions are taken relative to the input's first element, which is exact for
    # a contiguous input (the common case: as_strided over a fresh tensor)
    self, size, stride = args[:3]
    offset = args[3] if len(args) > 3 and args[3] is not None else self.storage_offset()
    pos = zeros(list(size), dtype=_C.int64) + (offset - self.storage_offset())
    for d, (n, s) in enumerate(zip(size, stride)):
        shape = [1] * len(size)
        shape[d] = n
        pos = pos + (arange(n, dtype=_C.int64) * s).reshape(shape)
    flat = zeros(self.numel(), dtype=grad.dtype).index_put((pos.reshape(-1),), grad.reshape(-1), True)
    return flat.reshape(self.shape), None, None, None


@rule("unfold")
def unfold(grad, args, kwargs, out):
    # window w, element k came from position w*step + k along dim
    self, dim, size, step = args[:4]
    if self.dim() == 0:
        return grad.reshape(()), None, None, None
    d = dim % self.dim()
    n = grad.shape[d]
    pos = (arange(n, dtype=_C.int64).reshape(n, 1) * step + arange(size, dtype=_C.int64).reshape(1, size)).reshape(-1)
    g = grad.movedim(-1, d + 1).flatten(d, d + 1)
    return zeros(self.shape, dtype=grad.dtype).index_add(d, pos, g), None, None, None


def _join_parts(grads, outs, dim, self):
    """The gradient of a split: the parts' gradients concatenated (zeros where None)."""
    parts = [g if g is not None else zeros(o.shape, dtype=o.dtype) for g, o in zip(grads, outs)]
    if not parts:
        return zeros(self.shape, dtype=self.dtype)
    return rstorch.cat(parts, dim)


def _split_node(args, kwargs):
    return "SplitWithSizesBackward0" if isinstance(args[1], (list, tuple)) else "SplitBackward0"


@rule("split", node=_split_node)
def split(grad, args, kwargs, out):
    self = args[0]
    dim = args[2] if len(args) > 2 else kwargs.get("dim", 0)
    return _join_parts(grad, out, dim, self), None, None


@rule("chunk", node="SplitBackward0")  # torch's chunk is a split
def chunk(grad, args, kwargs, out):
    self = args[0]
    dim = args[2] if len(args) > 2 else kwargs.get("dim", 0)
    return _join_parts(grad, out, dim, self), None, None


@rule("unbind")
def unbind(grad, args, kwargs, out):
    self = args[0]
    dim = args[1] if len(args) > 1 else kwargs.get("dim", 0)
    d = dim % max(self.dim(), 1)
    parts = [g if g is not None else o.new_zeros(o.shape) for g, o in zip(grad, out)]
    return rstorch.stack(parts, d), None


@rule("movedim", node="PermuteBackward0")   # torch's movedim is a permute
def movedim(grad, args, kwargs, out):
    self, source, destination = args[:3]
    return grad.movedim(destination, source), None, None
