"""Grad modes: `no_grad`, `enable_grad`, `set_grad_enabled`, `inference_mode` (thread-local,
kept in the extension so the Rust fast path can read it)."""

import functools

from .. import _C

is_grad_enabled = _C.is_grad_enabled


class _GradMode:
    """A context manager that is also a decorator (a fresh state per use)."""

    _mode = True

    def __enter__(self):
        self._prev = _C._set_grad_enabled(self._mode)
        return self

    def __exit__(self, *exc):
        _C._set_grad_enabled(self._prev)
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        return self.__class__()


class no_grad(_GradMode):
    """Disable gradient recording inside the block (or the decorated function)."""
    _mode = False


class enable_grad(_GradMode):
    """Enable gradient recording inside the block (or the decorated function)."""
    _mode = True


class inference_mode(_GradMode):
    """Like no_grad (rstorch has no separate inference tensors)."""

    def __init__(self, mode=True):
        self._mode = not mode

    def __call__(self, fn):
        if not callable(fn):
            return inference_mode(fn)
        mode = not self._mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with inference_mode(mode):
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        return inference_mode(not self._mode)


class set_grad_enabled:
    """Set grad mode now; as a context manager, restore the previous mode on exit."""

    def __init__(self, mode):
        self._prev = _C._set_grad_enabled(bool(mode))
        self._mode = bool(mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _C._set_grad_enabled(self._prev)
        return False

    def __call__(self, fn):
        _C._set_grad_enabled(self._prev)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(self._mode):
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        return set_grad_enabled(self._mode)


def is_inference_mode_enabled():
    return False
