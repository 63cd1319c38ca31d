"""In-place ops under autograd: how `x.add_(y)` on a tensor with history (or on a view of one)
is recorded and the history rebased, as torch does.

An in-place op on a tensor that tracks grad records the out-of-place op's node (graph.py
`record`) and makes it the tensor's grad_fn. On a view made by a single-output view op, the base
gets a CopySlices node (the base's gradient passes through except on the view's elements), and
the view an AsStridedBackward0 of it; other views of the base regenerate theirs lazily
(`view_grad_fn`, called from Rust). Views made in no_grad/inference mode, by multi-output view
ops or custom Functions raise torch's errors (`_check_inplace`).
"""

from .. import _C
from .._creation import arange, zeros
from .graph import NativeNode, Node, OpNode, edge_of, node_class, record, view_base
from .grad_mode import no_grad
from .rules import RULES

class CopySlices(Node):
    """The node of a base whose view was modified in place by op node `fn` (torch's
    CopySlices): the base's gradient passes through except on the view's elements, whose
    gradient goes through `fn` (its first input, the view's old value, maps back onto them).
    Written in differentiable Tensor ops, so double backward works through it."""

    __slots__ = ("_fn", "_base_geom", "_view_geom", "_first_is_view")

    def _release(self):
        self._fn._release()

    def _apply(self, grads, create_graph):
        grad = grads[0]
        n = self._base_geom[0]
        base_pos = _positions(n, self._base_geom[1:]).reshape(-1)
        view_pos = _positions(n, self._view_geom)
        # the base's gradient laid out in (a zero storage of) the base's storage, so the view's
        # part is read and replaced at the view's storage positions
        flat = _zeros(n, grad.dtype).index_add(0, base_pos, grad.reshape(-1))
        inner = list(self._fn._apply([flat.take(view_pos)], create_graph))
        first = inner.pop(0) if self._first_is_view else None
        flat = flat.index_fill(0, view_pos.reshape(-1), 0)
        if first is not None:
            flat = flat.index_add(0, view_pos.reshape(-1), first.reshape(-1))
        return [flat.take(base_pos).view(self._base_geom[1])] + inner


def _zeros(n, dtype):
    return zeros(n, dtype=dtype)


def _positions(n, geom):
    """The storage positions (int64, shaped like the tensor) of a tensor laid out as
    `geom` = (shape, stride, offset) in a storage of n elements."""
    return arange(n).as_strided(*geom)


def _as_strided_rule(grad, args, kwargs, out):
    """AsStridedBackward0 of a view of `base` (after an in-place op on it or its base): the
    base-shaped gradient is zeros but at the view's elements (each gets the gradient of every
    view element stored there)."""
    base_geom, view_geom = kwargs["base_geom"], kwargs["view_geom"]
    n = base_geom[0]
    view_pos = _positions(n, view_geom).reshape(-1)
    flat = _zeros(n, grad.dtype).index_add(0, view_pos, grad.reshape(-1))
    return (flat.take(_positions(n, base_geom[1:])),)


def _storage_geom(t):
    """(storage length in elements, shape, stride, offset) of `t`."""
    return (t._storage_nbytes() // t.element_size(),) + _geom(t)


def view_grad_fn(view, base):
    """The node making `view` a view of `base`'s current history (torch's AsStridedBackward0,
    what a view gets after an in-place op on it, its base, or another view of the base)."""
    cls = node_class("AsStridedBackward0")
    node = cls.__new__(cls)
    Node.__init__(node)
    node._fn = _as_strided_rule
    node._args = (base.detach(),)
    node._kwargs = {"base_geom": _storage_geom(base), "view_geom": _geom(view)}
    node._out = node._versions = node._out_versions = None
    node._nout = 1
    node._multi = False
    node._edges = node._next = [edge_of(base)]
    return node


# in-place ops recorded under their own name (no functional form)
_NO_FUNCTIONAL = frozenset(("copy_", "fill_"))


def _check_inplace(t):
    """torch's check_inplace, for an in-place op on `t` that autograd tracks: views that may not
    be modified so (made in no_grad or inference mode, by split/chunk/unbind, by a custom
    Function) raise, as do leaves requiring grad and views of leaves. Returns `t`'s base."""
    base = view_base(t)
    if base is not None:
        t._check_view_inplace()
        if t.requires_grad and base.is_leaf:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    if t.requires_grad and t.is_leaf:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    return base


def _can_cast(src, dst):
    if src.is_floating_point and not dst.is_floating_point:
        return False
    return not (dst is _C.bool and src is not _C.bool)


def _alias(t, clone):
    """`t`'s value (a copy when `clone`, else an alias) carrying `t`'s place in the graph: the
    old value of an in-place op's self, as torch's `original_self`."""
    with no_grad():
        a = t.clone() if clone else t.detach()
    f = t.grad_fn
    if f is not None:
        a._set_grad_fn(f, t.output_nr)
    return a


def inplace(name, args, kwargs):
    """Run the in-place op `name` (e.g. "mul_", self first) on tensors that track grad: check
    leaves, compute, write the result into self and make self's history the op's node."""
    self = args[0]
    kwargs = kwargs or {}
    base = _check_inplace(self)
    fname = name[:-1]
    functional = name not in _NO_FUNCTIONAL and name not in RULES and hasattr(type(self), fname)
    if base is not None:
        return _inplace_on_view(self, base, name, fname, functional, args, kwargs)
    if functional:
        # the out-of-place op on a copy of the old value records the node; self takes its value
        res = getattr(type(self), fname)(_alias(self, True), *args[1:], **kwargs)
        _write(self, res)
        if res.grad_fn is not None:
            self._set_grad_fn(res.grad_fn, res.output_nr)
        return self
    old = _alias(self, False)
    with no_grad():
        getattr(type(self), name)(*args, **kwargs)
    return record(name, (old,) + tuple(args[1:]), kwargs, self)


def _write(self, res):
    """Copy an out-of-place result into `self` with torch's casting and shape rules."""
    if not _can_cast(res.dtype, self.dtype):
        raise RuntimeError(f"result type {_scalar_name(res.dtype)} can't be cast to the desired output type "
                           f"{_scalar_name(self.dtype)}")
    if res.shape != self.shape:
        raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast shape "
                           f"{list(_C.broadcast_shapes(self.shape, res.shape))}")
    with no_grad():
        self.copy_(res)


def _scalar_name(d):
    return {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
            "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}[d._name]


def _geom(t):
    return (tuple(t.shape), tuple(t.stride()), t.storage_offset())


def _inplace_on_view(self, base, name, fname, functional, args, kwargs):
    """In-place op on a view (of a base with or without history): the base gets a CopySlices
    node that routes the view's part of its gradient through the op (torch's CopySlices), and
    the view becomes a view of the base's new history (other views of the base follow when
    next read: the Rust side regenerates their node with `view_grad_fn`)."""
    # the view's old value with its history: the op's rule reads it (so a double backward
    # differentiates through it), while the gradient w.r.t. it is written into the base's
    # gradient at the view's elements (the op node's first edge is replaced by the base's)
    snap = _alias(self, True)
    if functional:
        res = getattr(type(self), fname)(snap, *args[1:], **kwargs)
        _write(self, res)
    else:
        with no_grad():
            getattr(type(self), name)(*args, **kwargs)
        res = record(name, (snap,) + tuple(args[1:]), kwargs, self.detach())
    fn = res.grad_fn
    if fn is None:
        return self
    node = CopySlices.__new__(CopySlices)
    Node.__init__(node)
    node._fn = fn
    node._base_geom = _storage_geom(base)
    node._view_geom = _geom(self)
    rest = list(fn._next)
    # the op's first input is the old view value when the op recorded one node taking it first
    # (any other graph reaches the view's old history through its own edges instead)
    if isinstance(fn, NativeNode):
        # one edge per arg: the first is the view's, even when None (an untracked view)
        node._first_is_view = fn._args is not None and fn._args[0] is snap
    else:
        node._first_is_view = (isinstance(fn, OpNode) and fn._args is not None and fn._args[0] is snap
                               and fn._edges[0] is not None)
    if node._first_is_view:
        rest.pop(0)
    # an untracked base (a buffer written with a tracked value) has no edge of its own
    node._next = [edge_of(base)] + rest
    base._set_grad_fn(node, 0)
    self._set_grad_fn(view_grad_fn(self, base), 0)
    return self
