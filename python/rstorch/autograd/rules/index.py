"""Backward rules of the indexing and data-movement ops (see _registry for the contract).

In-place forms (`scatter_`, `index_put_`, ...) have no rules of their own: the engine runs their
out-of-place form, whose rule is here. Gradients of index arguments are None."""

import rstorch  # the rules run at backward time, on the public namespace (fully imported by then)

from ... import _C
from ..._creation import zeros
from ._registry import rule


def _needs(x):
    return getattr(x, "requires_grad", False)


def _zeros(t):
    return zeros(t.shape, dtype=t.dtype)


# ------------------------------------------------------------------ gather / scatter


def _src_grad(grad, dim, index, src):
    """The gradient of a scatter's `src`: `grad` gathered at `index`, placed in the leading
    corner of `src`'s shape (src may be larger than index; its other elements are unused)."""
    g = grad.gather(dim, index)
    if tuple(g.shape) == tuple(src.shape):
        return g
    full = _zeros(src).to(grad.dtype)
    full[tuple(slice(0, n) for n in index.shape)] = g
    return full


@rule("gather")
def gather(grad, args, kwargs, out):
    self, dim, index = args[:3]
    return _zeros(self).scatter_add(dim, index, grad), None, None


def _scatter_node(args, kwargs):
    # torch: ScatterBackward0 (src tensor) / 1 (value); with a reduce= its node only refuses
    if kwargs.get("reduce") is not None:
        return "NotImplemented"
    return "ScatterBackward0" if _is_tensor(args[3]) else "ScatterBackward1"


def _is_tensor(x):
    return isinstance(x, _C.TensorBase)


@rule("scatter", node=_scatter_node)
def scatter(grad, args, kwargs, out):
    self, dim, index, src = args[:4]
    if kwargs.get("reduce") is not None:
        # torch has no derivative for scatter with reduce= ('add' or 'multiply'; scatter_add
        # and scatter_reduce have one)
        raise RuntimeError("derivative for aten::scatter is not implemented")
    return grad.scatter(dim, index, 0), None, None, _src_grad(grad, dim, index, src) if _needs(src) else None


@rule("scatter_add")
def scatter_add(grad, args, kwargs, out):
    self, dim, index, src = args[:4]
    return grad, None, None, _src_grad(grad, dim, index, src) if _needs(src) else None


@rule("scatter_reduce")
def scatter_reduce(grad, args, kwargs, out):
    self, dim, index, src, reduce = args[:5]
    include_self = kwargs.get("include_self", True)
    # positions that received no value keep self's value (gradient 1) whatever include_self says
    hit = _zeros(self).scatter(dim, index, 1.0) if not include_self else None
    if reduce == "sum":
        g_self = grad if include_self else grad * (1 - hit)
        return g_self, None, None, _src_grad(grad, dim, index, src), None
    if reduce == "mean":
        count = _zeros(self).scatter_add(dim, index, src.new_ones(src.shape).to(self.dtype))
        count = count + 1 if include_self else count + (1 - hit)
        g = grad / count
        g_self = g if include_self else g * (1 - hit)
        return g_self, None, None, _src_grad(g, dim, index, src), None
    if reduce in ("amax", "amin"):
        # the gradient is shared evenly between the elements equal to the result
        self_eq = (self == out).to(grad.dtype)
        if not include_self:
            self_eq = self_eq * (1 - hit)
        src_eq = (_leading(src, index) == out.gather(dim, index)).to(grad.dtype)
        ties = self_eq.scatter_add(dim, index, src_eq)
        g = grad / ties
        return g * self_eq, None, None, _placed(g.gather(dim, index) * src_eq, src), None
    if reduce == "prod":
        return _scatter_prod_grads(grad, self, dim, index, src, include_self, hit, out) + (None,)
    raise RuntimeError(f"unknown reduce {reduce!r}")


_PROD_DOUBLE_BACKWARD = ("scatter_reduce(): Double backward is unsupported for src when >1 zeros in src "
                         "are scattered to the same position in self")


def _scatter_prod_grads(grad, self, dim, index, src, include_self, hit, out):
    """torch's zero-safe gradients of scatter_reduce(reduce='prod'): an element's gradient is
    the product of the others reduced into its position. For self: the reduction rerun with
    self's zeros set to 1, divided by self (1 there). For src: out / src where src is not 0; a
    src zero alone at its position gets the reduction rerun with it set to 1; with several
    zeros at a position each gets 0 (torch refuses to differentiate that again)."""
    masked_self = self.masked_fill(self == 0, 1)
    g_self = grad * masked_self.scatter_reduce(dim, index, src, "prod", include_self=include_self) / masked_self
    if not include_self:
        g_self = g_self * (1 - hit)
    part = _leading(src, index)
    zero = part == 0
    zeros_here = _zeros(self).scatter_add(dim, index, zero.to(self.dtype)).gather(dim, index)
    single = zero & (zeros_here == 1)
    without_it = self.scatter_reduce(dim, index, src.masked_fill(_placed(single, src), 1), "prod",
                                     include_self=include_self)
    g_src = rstorch.where(single, (grad * without_it).gather(dim, index),
                         (grad * out).gather(dim, index) / part.masked_fill(zero, 1))
    if bool((zeros_here > 1).any()):
        g_src = rstorch.autograd.graph.delayed_error(g_src, _PROD_DOUBLE_BACKWARD)  # graph.py imports the rules
    return g_self, None, None, _placed(g_src, src)


def _leading(src, index):
    """The part of `src` a scatter reads: its leading corner shaped like `index`."""
    if tuple(src.shape) == tuple(index.shape):
        return src
    return src[tuple(slice(0, n) for n in index.shape)]


def _placed(g, src):
    """`g` (shaped like the index) in the leading corner of zeros shaped like `src`."""
    if tuple(g.shape) == tuple(src.shape):
        return g
    full = _zeros(src).to(g.dtype)
    full[tuple(slice(0, n) for n in g.shape)] = g
    return full



# ------------------------------------------------------------------ index_*

@rule("index_select")
def index_select(grad, args, kwargs, out):
    self, dim, index = args[:3]
    if self.dim() == 0:
        return grad, None, None
    return _zeros(self).index_add(dim, index, grad), None, None


@rule("index_add")
def index_add(grad, args, kwargs, out):
    self, dim, index, source = args[:4]
    alpha = kwargs.get("alpha", 1)
    g_src = None
    if _needs(source):
        g_src = grad.index_select(dim, index) if grad.dim() else grad
        g_src = g_src.reshape(source.shape)
        if alpha != 1:
            g_src = g_src * alpha
    return grad, None, None, g_src


@rule("index_copy")
def index_copy(grad, args, kwargs, out):
    self, dim, index, source = args[:4]
    g_src = grad.index_select(dim, index).reshape(source.shape) if _needs(source) else None
    return grad.index_fill(dim, index, 0), None, None, g_src


@rule("index_fill")
def index_fill(grad, args, kwargs, out):
    self, dim, index, value = args[:4]
    g_value = grad.index_select(dim, index).sum() if _needs(value) else None
    return grad.index_fill(dim, index, 0), None, None, g_value


@rule("index_put")
def index_put(grad, args, kwargs, out):
    self, indices, values = args[:3]
    accumulate = args[3] if len(args) > 3 else kwargs.get("accumulate", False)
    g_self = grad if accumulate else grad.index_put(indices, grad.new_zeros(()), False)
    return g_self, None, grad._index(indices) if _needs(values) else None, None


@rule("index")
def index(grad, args, kwargs, out):
    # `self[indices]` (the advanced part of __getitem__): duplicates accumulate
    self, indices = args[:2]
    return _zeros(self).to(grad.dtype).index_put(indices, grad, True), None


@rule("take")
def take(grad, args, kwargs, out):
    self, index = args[:2]
    return _zeros(self).to(grad.dtype).put(index, grad, True), None


@rule("put")
def put(grad, args, kwargs, out):
    self, index, source = args[:3]
    accumulate = args[3] if len(args) > 3 else kwargs.get("accumulate", False)
    g_self = grad if accumulate else grad.put(index, source.new_zeros(source.shape).to(grad.dtype), False)
    return g_self, None, grad.take(index).reshape(source.shape) if _needs(source) else None, None


# ------------------------------------------------------------------ masks

def _where(grad, mask):
    """`grad` where `mask` is true, 0 elsewhere (mask broadcast to grad)."""
    return grad - grad.masked_fill(mask, 0)


@rule("masked_fill")
def masked_fill(grad, args, kwargs, out):
    self, mask, value = args[:3]
    g_value = _where(grad, mask).sum() if _needs(value) else None
    return grad.masked_fill(mask, 0), None, g_value


@rule("masked_select")
def masked_select(grad, args, kwargs, out):
    self, mask = args[:2]
    shape = rstorch.broadcast_shapes(self.shape, mask.shape)
    return zeros(shape, dtype=grad.dtype).masked_scatter(mask, grad), None


@rule("masked_scatter")
def masked_scatter(grad, args, kwargs, out):
    self, mask, source = args[:3]
    g_src = None
    if _needs(source):
        taken = grad.masked_select(mask)
        rest = source.numel() - taken.numel()
        g_src = rstorch.cat([taken, zeros(rest, dtype=grad.dtype)]).reshape(source.shape)
    return grad.masked_fill(mask, 0), None, g_src


# ------------------------------------------------------------------ movement

@rule("cat")
def cat(grad, args, kwargs, out):
    tensors, dim = args[0], (args[1] if len(args) > 1 else kwargs.get("dim", 0))
    ref = next((t for t in tensors if not (t.dim() == 1 and t.shape[0] == 0)), None)
    grads, at = [], 0
    for t in tensors:
        if ref is None or (t.dim() == 1 and t.shape[0] == 0 and ref.dim() != 1):
            grads.append(None)
            continue
        n = t.shape[dim]
        grads.append(grad.narrow(dim, at, n) if _needs(t) else None)
        at += n
    return grads, None


@rule("stack")
def stack(grad, args, kwargs, out):
    tensors, dim = args
    return [g if _needs(t) else None for g, t in zip(grad.unbind(dim), tensors)], None


@rule("flip")
def flip(grad, args, kwargs, out):
    return grad.flip(args[1]), None


@rule("roll")
def roll(grad, args, kwargs, out):
    shifts, dims = args[1], args[2] if len(args) > 2 else None
    shifts = [shifts] if isinstance(shifts, int) else list(shifts)
    return grad.roll([-s for s in shifts], dims), None, None


@rule("repeat")
def repeat(grad, args, kwargs, out):
    # out viewed as [r0, s0, r1, s1, ...]: sum over the r dims
    self, repeats = args[0], list(args[1])
    shape = [1] * (len(repeats) - self.dim()) + list(self.shape)
    split = []
    for r, s in zip(repeats, shape):
        split += [r, s]
    g = grad.reshape(split).sum(list(range(0, 2 * len(repeats), 2)))
    return g.reshape(self.shape), None
