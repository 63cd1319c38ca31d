"""What the profiler records, and how it costs nothing when it is off.

A recording session (`_Session`) collects events: the regions of `record_function` and, while
it runs, every call of a tensor op made through the public API (`rstorch.<op>`,
`rstorch.nn.functional.<op>`, `Tensor.<method>` and the arithmetic operators), named as torch
names them: `aten::<name>`; Optimizer.step / zero_grad become `Optimizer.step#<class>.step`
regions, as in torch. The op events come from wrappers put on those attributes when the session
starts and taken off when it stops, so with no session running the ops are the very functions
they always are (not a flag checked per call). Calls an op makes to other public ops nest under
it, as torch's aten events nest. Not seen: backward rules the native (Rust) engine runs, and
ops code reaches through names it imported directly.

Events are kept as small lists while recording and turned into FunctionEvents afterwards
(_events.py)."""

import os
import sys
import threading
import time
import types

__all__ = ["record_function", "current_session"]

# index of the fields of a raw event
NAME, START, END, TID, PARENT, SHAPES, STACK, MEM, KIND = range(9)
USER, OP = "user_annotation", "cpu_op"

_session = None          # the running _Session, or None
_tls = threading.local()  # .stack: indices of this thread's open events


def current_session():
    return _session


class _Session:
    def __init__(self, record_shapes=False, profile_memory=False, with_stack=False, with_ops=True):
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.with_ops = with_ops
        self.events = []
        self.start_ns = self.end_ns = None
        self.wall_start_ns = None
        self._patches = []

    # -------------------------------------------------------------- lifetime

    def start(self):
        global _session
        if _session is not None:
            raise RuntimeError("Can't profile: another profiler is already running in this process "
                               "(profilers cannot be nested)")
        self.wall_start_ns = time.time_ns()
        self.start_ns = time.perf_counter_ns()
        if self.with_ops:
            self._patches = _install_op_hooks()
        _session = self

    def stop(self):
        global _session
        if _session is self:
            _session = None
        _remove_op_hooks(self._patches)
        self._patches = []
        self.end_ns = time.perf_counter_ns()
        now = self.end_ns
        for ev in self.events:  # regions still open when recording stopped end here
            if ev[END] is None:
                ev[END] = now

    # -------------------------------------------------------------- events

    def begin(self, name, kind, args=None):
        stack = getattr(_tls, "stack", None)
        if stack is None:
            stack = _tls.stack = []
        parent = stack[-1] if stack else -1
        if kind == OP and parent >= 0 and self.events[parent][NAME] == name:
            return -1  # F.relu calling rstorch.relu is one aten::relu, as in torch
        ev = [name, 0, None, threading.get_native_id(), parent, None, None, 0, kind]
        if args is not None and self.record_shapes:
            ev[SHAPES] = _guarded(_shapes, args, [])
        if self.with_stack:
            ev[STACK] = _guarded(_python_stack, None, [])
        index = len(self.events)
        self.events.append(ev)
        stack.append(index)
        ev[START] = time.perf_counter_ns()
        return index

    def end(self, index, result=None, args=None):
        if index < 0:
            return
        t = time.perf_counter_ns()
        ev = self.events[index]
        ev[END] = t
        stack = _tls.stack
        if stack and stack[-1] == index:
            stack.pop()
        elif index in stack:
            stack.remove(index)
        if self.profile_memory and result is not None:
            ev[MEM] = _guarded(_new_bytes, (result, args), 0)


def _guarded(fn, args, default):
    """What the profiler reads of an op's arguments and results must never change the op's
    outcome (an uninitialized lazy parameter has no shape to read): on any error, `default`."""
    try:
        if args is None:
            return fn()
        return fn(*args) if fn is _new_bytes else fn(args)
    except Exception:  # noqa: BLE001 - see above
        return default


def _shapes(args):
    from .._C import TensorBase
    out = []
    for a in args:
        if isinstance(a, TensorBase):
            out.append(list(a.shape))
        elif isinstance(a, (list, tuple)) and a and all(isinstance(x, TensorBase) for x in a):
            out.append([list(x.shape) for x in a])
        else:
            out.append([])
    return out


def _types(args):
    from .._C import TensorBase
    out = []
    for a in args:
        if isinstance(a, TensorBase):
            out.append(str(a.dtype).split(".")[-1].replace("float32", "float").replace("float64", "double")
                       .replace("int64", "long int").replace("int32", "int"))
        elif isinstance(a, bool):
            out.append("Scalar")
        elif isinstance(a, (int, float)):
            out.append("Scalar")
        elif isinstance(a, (list, tuple)):
            out.append("TensorList" if a and all(isinstance(x, TensorBase) for x in a) else "ScalarList")
        else:
            out.append("")
    return out


_HERE = os.path.dirname(os.path.abspath(__file__))


def _python_stack():
    """The caller's Python frames, innermost first, as torch prints them: `file(line): function`;
    the profiler's own frames are left out."""
    frames = []
    f = sys._getframe(3)
    while f is not None:
        path = f.f_code.co_filename
        if not path.startswith(_HERE):
            frames.append(f"{path}({f.f_lineno}): {f.f_code.co_name}")
        f = f.f_back
    return frames


def _new_bytes(result, args):
    """Bytes of the storages the op returned that none of its inputs had (its allocations)."""
    from .._C import TensorBase
    seen = set()
    for a in args or ():
        if isinstance(a, TensorBase):
            seen.add(a._storage_ptr())
    total = 0
    outs = result if isinstance(result, (tuple, list)) else (result,)
    for t in outs:
        if isinstance(t, TensorBase) and not t.is_meta:
            p = t._storage_ptr()
            if p not in seen:
                seen.add(p)
                total += t._storage_nbytes()
    return total


# ---------------------------------------------------------------------- record_function

class record_function:
    """A named region in the profile: `with record_function("name"):` or `@record_function("name")`.
    Does nothing while no profiler records."""

    def __init__(self, name, args=None):
        self.name = name
        self.args = args
        self._index = None
        self._session = None
        self.run_callbacks_on_exit = True

    def __enter__(self):
        s = _session
        if s is not None:
            self._session = s
            self._index = s.begin(self.name, USER)
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        if not self.run_callbacks_on_exit:
            return None
        s, self._session = self._session, None
        if s is not None and self._index is not None:
            s.end(self._index)
        self._index = None
        return None

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with record_function(self.name, self.args):
                return fn(*args, **kwargs)
        return wrapper

    def _call_end_callbacks_on_future(self, fut):
        self.run_callbacks_on_exit = False
        s, self._session = self._session, None
        if s is not None and self._index is not None:
            s.end(self._index)
        return fut


# ---------------------------------------------------------------------- op hooks

_OPERATORS = {
    "__add__": "add", "__radd__": "add", "__iadd__": "add_", "__sub__": "sub", "__rsub__": "rsub",
    "__isub__": "sub_", "__mul__": "mul", "__rmul__": "mul", "__imul__": "mul_", "__truediv__": "div",
    "__rtruediv__": "div", "__itruediv__": "div_", "__floordiv__": "floor_divide", "__rfloordiv__": "floor_divide",
    "__ifloordiv__": "floor_divide_", "__mod__": "remainder", "__rmod__": "remainder", "__imod__": "remainder_",
    "__pow__": "pow", "__rpow__": "pow", "__ipow__": "pow_", "__matmul__": "matmul", "__rmatmul__": "matmul",
    "__neg__": "neg", "__abs__": "abs", "__invert__": "bitwise_not", "__and__": "bitwise_and",
    "__rand__": "bitwise_and", "__iand__": "bitwise_and_", "__or__": "bitwise_or", "__ror__": "bitwise_or",
    "__ior__": "bitwise_or_", "__xor__": "bitwise_xor", "__rxor__": "bitwise_xor", "__ixor__": "bitwise_xor_",
    "__lshift__": "__lshift__", "__rshift__": "__rshift__", "__lt__": "lt", "__le__": "le", "__gt__": "gt",
    "__ge__": "ge",
}

# public names that are no tensor ops (queries, settings, conversions to Python)
_NOT_OPS = frozenset("""
dim size stride numel nelement ndimension element_size storage_offset data_ptr get_device dim_order tolist
numpy register_hook register_post_accumulate_grad_hook retain_grad requires_grad_ backward untyped_storage
storage share_memory_ pin_memory type apply_ map_ is_contiguous is_complex is_conj is_floating_point
is_inference is_neg is_nonzero is_pinned is_same_size is_shared is_signed cpu cuda
set_num_threads get_num_threads set_printoptions get_printoptions printoptions tensor as_tensor asarray
from_numpy get_default_dtype set_default_dtype is_tensor manual_seed seed initial_seed get_rng_state
set_rng_state result_type promote_types can_cast broadcast_shapes compile typename use_deterministic_algorithms
are_deterministic_algorithms_enabled set_flush_denormal is_storage
""".split())

_NAMES = {"cross_entropy": "cross_entropy_loss", "true_divide": "div"}


def _op_name(name):
    return "aten::" + _OPERATORS.get(name, _NAMES.get(name, name))


def _make_hook(fn, event_name, kind=OP):
    def hook(*args, **kwargs):
        s = _session
        if s is None:
            return fn(*args, **kwargs)
        index = s.begin(event_name, kind, args)
        result = None
        try:
            result = fn(*args, **kwargs)
            return result
        finally:
            s.end(index, result, args)
    hook.__name__ = getattr(fn, "__name__", event_name)
    hook.__qualname__ = getattr(fn, "__qualname__", hook.__name__)
    hook.__doc__ = getattr(fn, "__doc__", None)
    hook.__wrapped__ = fn
    return hook


def _make_method_region(fn, action):
    """Optimizer.step/zero_grad as torch's regions: `Optimizer.step#Adam.step`."""
    def hook(self, *args, **kwargs):
        s = _session
        if s is None:
            return fn(self, *args, **kwargs)
        index = s.begin(f"Optimizer.{action}#{type(self).__name__}.{action}", USER)
        try:
            return fn(self, *args, **kwargs)
        finally:
            s.end(index)
    hook.__name__, hook.__qualname__ = fn.__name__, fn.__qualname__
    hook.__doc__, hook.__wrapped__ = fn.__doc__, fn
    return hook


_MISSING = object()
_targets_cache = None


def _op_targets():
    """(owner, attribute name, event name, how) of every public op, computed once: the functions
    of rstorch and rstorch.nn.functional, Tensor's methods and operators, and the module classes'
    staticmethod references to those functions (Conv2d._fn is F.conv2d)."""
    global _targets_cache
    if _targets_cache is not None:
        return _targets_cache
    import rstorch
    from .. import _tensor, nn
    from ..nn import functional as F
    Tensor = _tensor.Tensor
    targets = []
    plain = (types.FunctionType, types.BuiltinFunctionType)
    events_of = {}
    for module in (rstorch, F):
        for name, obj in list(vars(module).items()):
            if name.startswith("_") or name in _NOT_OPS or name.startswith(("set_", "get_", "is_")):
                continue
            if name.startswith(("autocast_", "clear_autocast")):
                continue
            if isinstance(obj, plain):
                targets.append((module, name, _op_name(name), "function"))
                events_of.setdefault(id(obj), _op_name(name))
    method_kinds = (types.FunctionType, types.MethodDescriptorType, types.WrapperDescriptorType)
    for name in dir(Tensor):
        if name in _OPERATORS:
            targets.append((Tensor, name, _op_name(name), "method"))
            continue
        if name.startswith("_") or name in _NOT_OPS:
            continue
        obj = _class_attr(Tensor, name)
        if isinstance(obj, method_kinds):
            targets.append((Tensor, name, _op_name(name), "method"))
    for cls in vars(nn).values():
        if isinstance(cls, type) and issubclass(cls, nn.Module):
            for klass in cls.__mro__:
                for name, obj in vars(klass).items():
                    if isinstance(obj, staticmethod) and id(obj.__func__) in events_of:
                        item = (klass, name, events_of[id(obj.__func__)], "static")
                        if item not in targets:
                            targets.append(item)
    _targets_cache = targets
    return targets


def _optimizer_classes():
    from ..optim.optimizer import Optimizer
    seen, todo = [], [Optimizer]
    while todo:
        cls = todo.pop()
        if cls not in seen:
            seen.append(cls)
            todo.extend(cls.__subclasses__())
    return seen


def _class_attr(cls, name):
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    return None


def _install_op_hooks():
    patches = []
    shared = {}  # one hook per function, so a function exposed twice (F.conv2d is rstorch.conv2d) stays one

    def hook_of(fn, event):
        if id(fn) not in shared:
            shared[id(fn)] = (fn, _make_hook(fn, event))
        return shared[id(fn)][1]
    for owner, name, event, how in _op_targets():
        if how == "function":
            own = fn = owner.__dict__.get(name, _MISSING)
            if fn is _MISSING:
                continue
            hook = hook_of(fn, event)
        elif how == "static":
            own = owner.__dict__.get(name, _MISSING)
            if not isinstance(own, staticmethod):
                continue
            hook = staticmethod(hook_of(own.__func__, event))
        else:
            own = owner.__dict__.get(name, _MISSING)
            fn = _class_attr(owner, name)
            if fn is None:
                continue
            hook = _make_hook(fn, event)
        patches.append((owner, name, own))
        setattr(owner, name, hook)
    # optimizers are found afresh each time: user subclasses appear after import
    for cls in _optimizer_classes():
        for action in ("step", "zero_grad"):
            own = cls.__dict__.get(action, _MISSING)
            if own is not _MISSING and isinstance(own, types.FunctionType):
                patches.append((cls, action, own))
                setattr(cls, action, _make_method_region(own, action))
    return patches


def _remove_op_hooks(patches):
    for owner, name, own in reversed(patches):
        if own is _MISSING:
            try:
                delattr(owner, name)
            except AttributeError:
                pass
        else:
            setattr(owner, name, own)
