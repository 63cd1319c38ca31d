"""`autograd.Function`: user-defined ops with a forward and a backward (torch's API).

The ctx a forward receives is the graph node itself (as in torch, `ctx` is the
`<Name>Backward` node), so it can carry user attributes; tensors saved with
`save_for_backward` are checked for in-place modification when unpacked, and outputs among them
are kept as detached aliases (re-attached for double backward) so no cycle goes through ctx.
"""

import functools
import traceback

from .. import _C
from .._creation import zeros
from . import anomaly_mode
from .grad_mode import no_grad
from .graph import Node, SECOND_BACKWARD, TensorBase, _short, edge_of, fit, modified_error


class FunctionCtx:
    """What `forward` can tell `backward` (mixed into the node class)."""

    def save_for_backward(self, *tensors):
        self.to_save = tensors

    def save_for_forward(self, *tensors):
        self.saved_for_forward = tensors

    def mark_dirty(self, *args):
        self.dirty_tensors = args

    def mark_non_differentiable(self, *args):
        self.non_differentiable = args

    def set_materialize_grads(self, value):
        self.materialize_grads = value


class BackwardCFunction(Node, FunctionCtx):
    """The node (and ctx) of one call of a Function."""

    _forward_cls = None

    def __repr__(self):
        return f"<rstorch.autograd.function.{type(self).__name__} object at {hex(id(self))}>"

    def __init__(self):
        Node.__init__(self)
        self.to_save = ()
        self.dirty_tensors = ()
        self.non_differentiable = ()
        self.materialize_grads = True
        self._saved = None
        self._freed = False
        self._edges = []
        self._in_meta = []
        self._out_meta = []
        self._nout = 1
        self.needs_input_grad = ()

    # --------------------------------------------------------- saved tensors

    def _pack(self, outputs):
        """Keep the saved tensors, outputs as detached aliases (no cycle through ctx)."""
        out_ids = {id(o): i for i, o in enumerate(outputs) if isinstance(o, TensorBase)}
        saved = []
        for t in self.to_save:
            if t is None or not isinstance(t, TensorBase):
                saved.append((t, None, None))
                continue
            if t.is_inference():
                raise RuntimeError(_C._INFERENCE_SAVED)
            if id(t) in out_ids:
                saved.append((t.detach(), t._version, out_ids[id(t)]))
            else:
                saved.append((t, t._version, None))
        self._saved = saved
        del self.to_save

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(SECOND_BACKWARD)
        if self._saved is None:
            return tuple(getattr(self, "to_save", ()))
        res = []
        for t, version, out_nr in self._saved:
            if version is not None and t._version != version:
                if out_nr is None:
                    raise RuntimeError(modified_error(t, self, version, t._version))
                raise RuntimeError(modified_error(t, self, version, t._version).replace(
                    "]] is at", f"]], which is output {out_nr} of {_short(self)}, is at", 1))
            if out_nr is not None and _C.is_grad_enabled():
                t = t.detach()
                t._set_grad_fn(self, out_nr)
            res.append(t)
        return tuple(res)

    saved_variables = saved_tensors

    def _release(self):
        if self._saved is not None:
            self._saved = None
            self._freed = True

    # --------------------------------------------------------- backward

    def _apply(self, grads, create_graph):
        cls = self._forward_cls
        if self.materialize_grads:
            # (a non-tensor output's gradient stays None, as in torch)
            grads = [g if g is not None or dtype is None else zeros(shape, dtype=dtype)
                     for g, (shape, dtype) in zip(grads, self._out_meta)]
        res = cls.backward(self, *grads)
        if not isinstance(res, tuple):
            res = (res,)
        n = len(self._edges)
        if len(res) != n:
            if len(res) > n and all(r is None for r in res[n:]):
                res = res[:n]
            else:
                raise RuntimeError(f"function {type(self).__name__} returned an incorrect number of "
                                   f"gradients (expected {n}, got {len(res)})")
        out = []
        for i, (e, g) in enumerate(zip(self._edges, res)):
            if g is not None and self._in_meta[i] is None:
                raise RuntimeError(f"function {type(self).__name__} returned a gradient different than None "
                                   f"at position {i + 1}, but the corresponding forward input was not a Variable")
            if e is None:
                continue
            if g is not None and not isinstance(g, TensorBase):
                raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
            out.append(None if g is None else fit(g, self._in_meta[i]))
        return out


class _Meta:
    """Shape and dtype of an input, standing in for it where the engine fits gradients."""

    __slots__ = ("shape", "dtype")

    def __init__(self, t):
        self.shape, self.dtype = t.shape, t.dtype


class FunctionMeta(type):
    """Gives each Function subclass its node class, `<Name>Backward`."""

    def __init__(cls, name, bases, attrs):
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,), {"_forward_cls": cls})
        super().__init__(name, bases, attrs)


_LEGACY = ("Legacy autograd function with non-static forward method is deprecated. Please use new-style "
           "autograd function with static forward method. "
           "(Example: https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")


class Function(metaclass=FunctionMeta):
    """Base class of custom autograd ops: define `forward` and `backward` staticmethods (and
    optionally `setup_context`), call with `apply`."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("forward-mode AD is not supported by rstorch")

    def __init__(self, *args, **kwargs):
        raise RuntimeError(_LEGACY)

    def __call__(self, *args, **kwargs):
        raise RuntimeError(_LEGACY)

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = cls._backward_cls()
        needs = tuple(isinstance(a, TensorBase) and a.requires_grad for a in args)
        tracked = _C.is_grad_enabled() and any(needs)
        ctx.needs_input_grad = needs
        custom_setup = cls.setup_context is not Function.setup_context
        with no_grad():
            if custom_setup:
                outputs = cls.forward(*args, **kwargs)
            else:
                outputs = cls.forward(ctx, *args, **kwargs)
        if custom_setup:
            cls.setup_context(ctx, args, outputs)
        is_tuple = isinstance(outputs, tuple)
        outs = outputs if is_tuple else (outputs,)
        dirty = {id(t) for t in ctx.dirty_tensors}
        non_diff = {id(t) for t in ctx.non_differentiable}
        inputs = {id(a) for a in args if isinstance(a, TensorBase)}
        if tracked:
            ctx._edges = [edge_of(a) if isinstance(a, TensorBase) else None for a in args]
            ctx._in_meta = [_Meta(a) if isinstance(a, TensorBase) else None for a in args]
            ctx._next = [e for e in ctx._edges if e is not None]
            ctx._nout = len(outs)
            ctx._out_meta = [(o.shape, o.dtype) if isinstance(o, TensorBase) else ((), None) for o in outs]
        result = []
        for i, o in enumerate(outs):
            if not isinstance(o, TensorBase):
                result.append(o)
                continue
            diff = id(o) not in non_diff and o.dtype.is_floating_point
            if id(o) in dirty:
                if tracked and o.is_leaf and o.requires_grad:
                    raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
                o._bump_version()  # marking it dirty counts as a modification, as in torch
            elif id(o) in inputs:
                # an input returned as is: a new view of it gets the history (as torch), a
                # detached alias when grad mode is off or it is not differentiable
                o = _view_as_self(o) if diff and _C.is_grad_enabled() else o.detach()
            if tracked:
                if diff:
                    o._set_grad_fn(ctx, i)
                elif o.grad_fn is None:
                    o.requires_grad = False
            if id(o) not in dirty and o._base is not None:
                o._creation_meta = _IN_CUSTOM_FUNCTION  # in-place ops on it would bypass backward
            result.append(o)
        if not tracked:
            return tuple(result) if is_tuple else result[0]
        ctx._pack(result)
        if _anomaly_enabled():
            ctx._trace = traceback.format_stack()[:-1]
        return tuple(result) if is_tuple else result[0]


# how a view returned by a custom Function was made (rust/python/src/tensor/mod.rs
# creation_meta): in-place ops on it raise while autograd tracks them
_IN_CUSTOM_FUNCTION = _C._CREATION_META_IN_CUSTOM_FUNCTION


def _view_as_self(t):
    with no_grad():
        return t.view(t.shape)


def _anomaly_enabled():
    return anomaly_mode._enabled


class InplaceFunction(Function):
    """Kept for torch compatibility: a Function taking an `inplace` flag."""


def once_differentiable(fn):
    """Run a Function's backward with grad mode off: it is differentiable once, not twice."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            return fn(ctx, *args)
    return wrapper
