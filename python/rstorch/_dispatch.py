"""The path ops take when autograd must record them (grad mode on and an input requiring grad).

The Rust fast path forwards `name(*args, **kwargs)` here. Until the autograd engine lands, the op
runs with grad mode off and its result records no graph; backward then raises a clear error."""

from . import _C


def dispatch(name, args, kwargs):
    prev = _C._set_grad_enabled(False)
    try:
        target = args[0]
        method = getattr(type(target), _METHOD_NAMES.get(name, name))
        out = method(*args, **(kwargs or {}))
    finally:
        _C._set_grad_enabled(prev)
    return out


# reflected operators arrive as r-names
_METHOD_NAMES = {"radd": "__radd__", "rsub": "__rsub__", "rmul": "__rmul__", "rdiv": "__rtruediv__",
                 "neg": "__neg__"}
