"""`torch.jit` as torch behaves with TorchScript disabled (`PYTORCH_JIT=0`, torch's documented
switch): rstorch has no TorchScript compiler, so `script`, `trace`, `trace_module` and
`script_method` hand back the object they were given (trace does not run the example inputs),
the decorators (`ignore`, `unused`, `export`, `interface`) return what they decorate,
`is_scripting()`/`is_tracing()` are False, `annotate` and `Attribute` return the value, and `fork`
runs the function at once, returning a completed Future. Two deliberate departures from torch:
`freeze` and `optimize_for_inference` pass the module through (torch with PYTORCH_JIT=0 raises,
since script no longer returns a ScriptModule, which would break the usual
`freeze(script(model))` chain), and `save`/`load` raise NotImplementedError pointing at
`rstorch.save`, because there is no TorchScript archive to write or read. The deprecation
warnings torch 2.15 gives (FutureWarning) are given the same way. See docs/JIT.md."""

import contextlib
import functools
import os
import typing
import warnings

from .nn.modules.module import Module

__all__ = ["script", "trace", "trace_module", "script_method", "ignore", "unused", "export", "interface",
           "is_scripting", "is_tracing", "annotate", "Final", "Attribute", "fork", "wait", "Future", "freeze",
           "optimize_for_inference", "run_frozen_optimizations", "save", "load", "ScriptModule", "ScriptFunction",
           "RecursiveScriptModule", "TracedModule", "TopLevelTracedModule", "CompilationUnit", "script_if_tracing",
           "isinstance", "TracerWarning", "ScriptWarning", "Error", "enable_onednn_fusion", "onednn_fusion_enabled",
           "set_fusion_strategy", "optimized_execution", "fuser", "strict_fusion", "export_opnames"]

Final = typing.Final
_builtin_isinstance = isinstance


def _deprecated(name, advice="Please use `torch.compile` instead."):
    warnings.warn(f"`torch.jit.{name}` is deprecated. {advice}", FutureWarning, stacklevel=3)


_COMPILE_OR_EXPORT = "Please switch to `torch.compile` or `torch.export`."


class TracerWarning(Warning):
    """Warnings torch's tracer gives (never raised here: nothing is traced); scripts filter it."""

    @staticmethod
    def ignore_lib_warnings():
        warnings.filterwarnings("ignore", category=TracerWarning, module="torch.(?!jit)")


class ScriptWarning(Warning):
    pass


class Error(RuntimeError):
    """torch.jit.Error (a TorchScript runtime error; nothing raises it here)."""


class TracingCheckError(Exception):
    def __init__(self, graph_diff_error, tensor_compare_error, extra_msg=None):
        super().__init__("Tracing failed sanity checks!\n" + (extra_msg or "") + (graph_diff_error or "")
                         + (tensor_compare_error or ""))


# ---------------------------------------------------------------------- script / trace

def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    """Return `obj` unchanged (TorchScript is disabled)."""
    _deprecated("script", _COMPILE_OR_EXPORT)
    if optimize is not None:
        warnings.warn("`optimize` is deprecated and has no effect. Use `with torch.jit.optimized_execution()` "
                      "instead", FutureWarning, stacklevel=2)
    return obj


def trace(func, example_inputs=None, optimize=None, check_trace=True, check_inputs=None, check_tolerance=1e-05,
          strict=True, _force_outplace=False, _module_class=None, _compilation_unit=None,
          example_kwarg_inputs=None, _store_inputs=True):
    """Return `func` unchanged, without running it on `example_inputs` (TorchScript is disabled)."""
    _deprecated("trace", _COMPILE_OR_EXPORT)
    if optimize is not None:
        warnings.warn("`optimize` is deprecated and has no effect. Use `with torch.jit.optimized_execution()` "
                      "instead", FutureWarning, stacklevel=2)
    return func


def trace_module(mod, inputs, optimize=None, check_trace=True, check_inputs=None, check_tolerance=1e-05,
                 strict=True, _force_outplace=False, _module_class=None, _compilation_unit=None,
                 example_inputs_is_kwarg=False, _store_inputs=True):
    """Return `mod` unchanged (TorchScript is disabled)."""
    _deprecated("trace_method", _COMPILE_OR_EXPORT)
    if optimize is not None:
        warnings.warn("`optimize` is deprecated and has no effect. Use `with torch.jit.optimized_execution()` "
                      "instead", FutureWarning, stacklevel=2)
    return mod


def script_method(fn):
    _deprecated("script_method", _COMPILE_OR_EXPORT)
    return fn


def script_if_tracing(fn):
    """`fn` itself runs (never traced, so never scripted)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    wrapper.__original_fn = fn  # type: ignore[attr-defined]
    wrapper.__script_if_tracing_wrapper = True  # type: ignore[attr-defined]
    return wrapper


# ---------------------------------------------------------------------- decorators and hints

def ignore(drop=False, **kwargs):
    """`@ignore` or `@ignore(drop=True)`: the function is left to Python (always, here)."""
    if callable(drop):
        return drop
    if not _builtin_isinstance(drop, bool):
        raise RuntimeError(f"Argument to @torch.jit.ignore must be a bool or a function but got {drop}")
    if drop:
        warnings.warn("ignore(True) has been deprecated. TorchScript will now drop the function call on compilation. "
                      "Use torch.jit.unused now. {}", category=FutureWarning, stacklevel=2)

    def decorator(fn):
        return fn
    return decorator


def unused(fn):
    return fn


def export(fn):
    return fn


def interface(obj):
    _deprecated("interface")
    if not _builtin_isinstance(obj, type):
        raise RuntimeError("interface must be applied to a class")
    return obj


def is_scripting():
    """False: code never runs under TorchScript here."""
    return False


def is_tracing():
    """False: nothing is traced here."""
    return False


def annotate(the_type, the_value):
    return the_value


def Attribute(value, type):  # noqa: A002 - torch's argument name
    """With TorchScript disabled torch's Attribute returns the value itself."""
    return value


def _check_contained(target_type):
    if target_type in (list, typing.List):
        raise RuntimeError("Attempted to use list without a contained type. Please add a contained type, e.g. "
                           "list[int]")
    if target_type in (dict, typing.Dict):
        raise RuntimeError("Attempted to use dict without contained types. Please add contained type, e.g. "
                           "dict[int, int]")
    if target_type in (tuple, typing.Tuple):
        raise RuntimeError("Attempted to use tuple without a contained type. Please add a contained type, e.g. "
                           "tuple[int]")


def isinstance(obj, target_type):  # noqa: A001 - torch's name
    """torch.jit.isinstance: isinstance that also checks the contents of containers
    (`list[int]`, `dict[str, Tensor]`, `tuple[int, str]`, `Optional[T]`)."""
    _check_contained(target_type)
    origin, args = typing.get_origin(target_type), typing.get_args(target_type)
    if origin is None:
        return _builtin_isinstance(obj, target_type)
    if origin is typing.Union or str(origin) == "types.UnionType":
        return any(isinstance(obj, a) for a in args)
    if origin is list:
        return _builtin_isinstance(obj, list) and all(isinstance(v, args[0]) for v in obj)
    if origin is dict:
        return _builtin_isinstance(obj, dict) and all(isinstance(k, args[0]) and isinstance(v, args[1])
                                                     for k, v in obj.items())
    if origin is tuple:
        if not _builtin_isinstance(obj, tuple):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(isinstance(v, args[0]) for v in obj)
        return len(obj) == len(args) and all(isinstance(v, a) for v, a in zip(obj, args))
    return _builtin_isinstance(obj, origin)


# ---------------------------------------------------------------------- fork / wait

class Future:
    """A value that is already there (fork runs its function at once); torch.futures.Future's
    methods: wait, value, done, then, add_done_callback, set_result, set_exception."""

    def __init__(self, *, devices=None):
        self._done = False
        self._value = None
        self._exception = None
        self._callbacks = []

    def done(self):
        return self._done

    def wait(self):
        if not self._done:
            raise RuntimeError("Future.wait(): the value was never set (rstorch's futures complete synchronously)")
        if self._exception is not None:
            raise self._exception
        return self._value

    def value(self):
        return self.wait()

    def set_result(self, result):
        if self._done:
            raise RuntimeError("Future can only be marked completed once.")
        self._done, self._value = True, result
        self._run_callbacks()

    def set_exception(self, result):
        if not _builtin_isinstance(result, Exception):
            raise AssertionError(f"{result} is of type {type(result)}, not an Exception.")
        if self._done:
            raise RuntimeError("Future can only be marked completed once.")
        self._done, self._exception = True, result
        self._run_callbacks()

    def then(self, callback):
        fut = Future()

        def chain(f):
            try:
                fut.set_result(callback(f))
            except Exception as e:  # noqa: BLE001 - delivered through the future, as torch does
                fut.set_exception(e)
        self.add_done_callback(chain)
        return fut

    def add_done_callback(self, callback):
        if self._done:
            callback(self)
        else:
            self._callbacks.append(callback)

    def _run_callbacks(self):
        callbacks, self._callbacks = self._callbacks, []
        for cb in callbacks:
            cb(self)


def fork(func, *args, **kwargs):
    """Run `func(*args, **kwargs)` now and return a completed Future holding its result."""
    _deprecated("fork")
    fut = Future()
    fut.set_result(func(*args, **kwargs))
    return fut


def wait(future):
    _deprecated("wait")
    return future.wait()


# ---------------------------------------------------------------------- modules and optimisation

class ScriptModule(Module):
    """Subclassed by scripts written for TorchScript; here an ordinary nn.Module."""

    def save(self, f, **kwargs):
        save(self, f, **kwargs)

    def save_to_buffer(self, *args, **kwargs):
        save(self, None)


class RecursiveScriptModule(ScriptModule):
    pass


class TracedModule(ScriptModule):
    pass


class TopLevelTracedModule(TracedModule):
    pass


class ScriptFunction:
    """The type of a scripted function in torch; nothing is one here (script returns the function)."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError("ScriptFunction cannot be constructed: TorchScript is not supported by rstorch "
                           "(torch.jit.script returns the function itself)")


class CompilationUnit:
    def __init__(self, lang=None, _frames_up=0):
        if lang is not None:
            raise NotImplementedError("torch.jit.CompilationUnit: compiling TorchScript source is not supported by "
                                      "rstorch (no TorchScript compiler)")


def freeze(mod, preserved_attrs=None, optimize_numerics=True):
    """Return `mod` unchanged (torch with PYTORCH_JIT=0 raises here, since script returned a
    plain module; passing it through keeps `freeze(script(model).eval())` working)."""
    _deprecated("freeze")
    return mod


def optimize_for_inference(mod, other_methods=None):
    """Return `mod` unchanged (see freeze)."""
    _deprecated("optimize_for_inference")
    return mod


def run_frozen_optimizations(mod, optimize_numerics=True, preserved_methods=None):
    return None


_fusion_strategy = [("STATIC", 2), ("DYNAMIC", 10)]
_onednn_fusion = False


def set_fusion_strategy(strategy):
    global _fusion_strategy
    old, _fusion_strategy = _fusion_strategy, list(strategy)
    return old


def enable_onednn_fusion(enabled):
    global _onednn_fusion
    _onednn_fusion = bool(enabled)


def onednn_fusion_enabled():
    return _onednn_fusion


@contextlib.contextmanager
def optimized_execution(should_optimize):
    yield


@contextlib.contextmanager
def fuser(name):
    if name not in ("fuser0", "fuser1", "fuser2", "fuser3", "none"):
        raise Exception(f"unrecognized fuser option (name: {name})")  # noqa: TRY002 - torch's type
    yield


class strict_fusion:
    def __enter__(self):
        return self

    def __exit__(self, *args):
        return None


def export_opnames(m):
    raise NotImplementedError("torch.jit.export_opnames: there is no TorchScript graph in rstorch")


# ---------------------------------------------------------------------- serialization

_NO_ARCHIVES = ("TorchScript serialization is not supported: rstorch has no TorchScript (torch.jit.script and "
                "torch.jit.trace return the original Python object). Save the weights with "
                "rstorch.save(model.state_dict(), f) and load them into the Python module with "
                "model.load_state_dict(rstorch.load(f)); rstorch.save/rstorch.load read and write PyTorch's "
                "checkpoint format.")


def save(m, f, _extra_files=None):
    """Refused: no TorchScript archive can be written (see the message for what to use)."""
    _deprecated("save", "Please switch to `torch.export`.")
    raise NotImplementedError(f"torch.jit.save: {_NO_ARCHIVES}")


def load(f, map_location=None, _extra_files=None, _restore_shapes=False):
    """Refused: TorchScript archives cannot be run here (see the message for what to use)."""
    _deprecated("load", "Please switch to `torch.export`.")
    if _builtin_isinstance(f, (str, os.PathLike)):
        if not os.path.exists(f):
            raise ValueError(f"The provided filename {f} does not exist")
        if os.path.isdir(f):
            raise ValueError(f"The provided filename {f} is a directory")
    raise NotImplementedError(f"torch.jit.load: {_NO_ARCHIVES}")
