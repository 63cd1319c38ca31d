"""Where ops meet autograd. The Rust side computes every op, then calls `record` when grad mode is
on and an input requires grad, and sends in-place ops on such tensors to `inplace`.

Until the autograd engine lands these are stand-ins: `record` returns the result without a graph
node, and `inplace` runs the op with grad mode off."""

from . import _C


def record(name, args, kwargs, out):
    """Attach the graph node of `name(*args, **kwargs)` to its result `out`; return `out`."""
    return out


def inplace(name, args, kwargs):
    """Run the in-place op `name` (a Tensor method, self first) for tensors that track grad."""
    from ._tensor import Tensor
    prev = _C._set_grad_enabled(False)
    try:
        return getattr(Tensor, name)(*args, **(kwargs or {}))
    finally:
        _C._set_grad_enabled(prev)
