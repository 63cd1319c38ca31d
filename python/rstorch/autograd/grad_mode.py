"""Grad modes: `no_grad`, `enable_grad`, `set_grad_enabled`, `inference_mode` (thread-local,
kept in the extension so the Rust fast path can read it). Each works as a context manager and as
a decorator, with or without parentheses (`@no_grad` / `@no_grad()`), as in torch."""

import functools
import inspect

from .. import _C

is_grad_enabled = _C.is_grad_enabled


def _decorate(make_ctx, fn):
    """`fn` run inside a fresh `make_ctx()`; a generator function gets the mode each time it
    resumes (and the caller's back at each yield), as torch's decorators do."""
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def generator(*args, **kwargs):
            gen = fn(*args, **kwargs)
            try:
                with make_ctx():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with make_ctx():
                            gen.close()
                        raise
                    except BaseException as e:  # noqa: BLE001 - thrown into the generator
                        with make_ctx():
                            response = gen.throw(e)
                    else:
                        with make_ctx():
                            response = gen.send(request)
            except StopIteration as e:
                return e.value
        return generator

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with make_ctx():
            return fn(*args, **kwargs)
    return wrapper


class _GradMode:
    """A context manager that is also a decorator (a fresh state per use)."""

    _mode = True

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)  # used as a bare decorator

    def __enter__(self):
        self._prev = _C._set_grad_enabled(self._mode)
        return self

    def __exit__(self, *exc):
        _C._set_grad_enabled(self._prev)
        return False

    def __call__(self, fn):
        return _decorate(self.__class__, fn)

    def clone(self):
        return self.__class__()


class no_grad(_GradMode):
    """Disable gradient recording inside the block (or the decorated function)."""
    _mode = False


class enable_grad(_GradMode):
    """Enable gradient recording inside the block (or the decorated function)."""
    _mode = True


class inference_mode(_GradMode):
    """Grad mode off, and tensors made inside are inference tensors (`is_inference()`): they
    cannot be modified in place outside inference mode nor saved for backward; views made
    inside of normal tensors may not be modified in place by tracked ops outside it.
    `inference_mode(False)` turns both back to normal."""

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return object.__new__(cls)
        return cls()(mode)  # used as a bare decorator

    def __init__(self, mode=True):
        self._inference = mode
        self._mode = not mode

    def __enter__(self):
        self._prev = (_C._set_grad_enabled(self._mode), _C._set_inference_mode(self._inference))
        return self

    def __exit__(self, *exc):
        _C._set_grad_enabled(self._prev[0])
        _C._set_inference_mode(self._prev[1])
        return False

    def __call__(self, fn):
        mode = self._inference
        return _decorate(lambda: inference_mode(mode), fn)

    def clone(self):
        return inference_mode(self._inference)


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
        mode = self._mode
        return _decorate(lambda: set_grad_enabled(mode), fn)

    def clone(self):
        return set_grad_enabled(self._mode)


is_inference_mode_enabled = _C.is_inference_mode_enabled
