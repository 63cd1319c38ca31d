"""The autograd graph: nodes, edges, and how ops (and in-place ops) get recorded.

Every op computes its result in Rust; when grad mode is on and an input requires grad, the
extension calls `record(name, args, kwargs, out)`, which builds the op's node from the rule
registered under `name` (rules/_registry.py) and attaches it to `out`. The hot ops (add, mul,
sum...; rust/python/src/autograd/rules.rs) are recorded in Rust instead, as `NativeNode`s that
hold the same things and run a native copy of their rule; this module stays their reference
(anomaly mode records every op here) and runs their Python rule under create_graph.

A node keeps what its rule may read (the op's args and kwargs, and its output when the rule reads
`out`) plus one edge per differentiable input: `(node, output_nr)`, where a leaf that requires
grad is reached through its `AccumulateGrad` node. The output is saved as a detached alias (an
output holding its own node through a saved copy of itself would be a reference cycle), and is
re-attached to the node when a double backward needs it, as torch's SavedVariable does.

Saved tensors are checked at backward time against the version they had when recorded (the
storage's version counter, bumped by every in-place write): a modified tensor is handed to the
rule as a stand-in that raises torch's error as soon as its values are used.

How in-place ops are recorded and views rebased is inplace.py's part.
"""

import dis
import traceback

from .. import _C
from . import anomaly_mode as _anomaly
from .rules import RULES
from .rules._registry import _node_name

TensorBase = _C.TensorBase

# "Trying to backward through the graph a second time ...", shared with the native nodes
SECOND_BACKWARD = _C._SECOND_BACKWARD

# ------------------------------------------------------------------ nodes


class Node:
    """A function of the backward graph (torch.autograd.graph.Node).

    `_next` holds the edges `(node, output_nr)` the node sends gradients along, in the order of
    the gradients its `_apply` returns (None: no gradient goes there). Rarely used state (hooks,
    retain_grad, the anomaly traceback) lives in the instance dict, read through these
    class-level defaults, so recording a node does not pay for it.

    Node has no slots of its own (`_next` too is in the instance dict), so the native nodes can
    derive from both it and their Rust base class (`NativeNode`)."""

    __slots__ = ("__dict__", "__weakref__")
    _nout = 1
    _hooks = _pre_hooks = _tensor_hooks = _retain = _trace = _operands = None
    _plain = True  # no hooks, no retain_grad: the engine's fast path

    def __init__(self):
        self._next = ()

    def name(self):
        n = type(self).__name__
        return _QUALIFIED.get(n, n)

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    @property
    def next_functions(self):
        return tuple(e if e is not None else (None, 0) for e in self._shown_edges())

    def _shown_edges(self):
        return self._next

    @property
    def metadata(self):
        return {}

    def register_hook(self, fn):
        """`fn(grad_inputs, grad_outputs)` runs after the node; it may return new grad_inputs."""
        if self._hooks is None:
            self._hooks = {}
        self._plain = False
        return RemovableHandle(self._hooks, fn)

    def register_prehook(self, fn):
        """`fn(grad_outputs)` runs before the node; it may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        self._plain = False
        return RemovableHandle(self._pre_hooks, fn)

    def _register_tensor_hook(self, nr, fn):
        if self._tensor_hooks is None:
            self._tensor_hooks = {}
        self._plain = False
        return RemovableHandle(self._tensor_hooks.setdefault(nr, {}), fn)

    def _release(self):
        """Free what the node saved (after a backward without retain_graph)."""

    def _apply(self, grads, create_graph):
        raise NotImplementedError

    def __call__(self, *grads):
        return tuple(self._apply(list(grads), _C.is_grad_enabled()))


# the nodes torch names with their C++ namespace (`name()`; the class name stays short)
_QUALIFIED = {n: "torch::autograd::" + n for n in ("AccumulateGrad", "CopySlices", "CopyBackwards", "Error")}


class RemovableHandle:
    """A removable hook handle (torch.utils.hooks.RemovableHandle)."""

    __slots__ = ("_hooks", "id")
    _next_id = 0

    def __init__(self, hooks, fn):
        RemovableHandle._next_id += 1
        self.id = RemovableHandle._next_id
        hooks[self.id] = fn
        self._hooks = hooks

    def remove(self):
        self._hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class AccumulateGrad(Node):
    """The node that adds a leaf's gradient into its `.grad`."""

    __slots__ = ("variable",)
    _plain = False  # accumulation runs through the engine's full path

    def __init__(self, variable):
        Node.__init__(self)
        self.variable = variable

    def _apply(self, grads, create_graph):
        return ()


def accumulator(t):
    """The AccumulateGrad node of leaf `t`, shared while the graph holds it (as in torch; the
    tensor keeps a weak reference to it, on the Rust side so native recording finds it too)."""
    return t._grad_accumulator()


def edge_of(t):
    """The edge a gradient for tensor `t` flows along, or None when `t` does not require grad
    (or is not a tensor: lists of indices may hold None or slices)."""
    if not isinstance(t, TensorBase):
        return None
    e = t._edge()
    if e is not None and e[0] is None:
        return (accumulator(t), 0)
    return e


def _is_tensor_list(a):
    return type(a) in (list, tuple) and any(isinstance(x, TensorBase) for x in a)


class OpNode(Node):
    """The node of an op recorded from Rust, run through the op's rule."""

    # _multi: the op returned a tuple (of _nout outputs, maybe one: split into one part)
    __slots__ = ("_fn", "_args", "_kwargs", "_out", "_versions", "_out_versions", "_nout", "_multi", "_edges")

    def _shown_edges(self):
        return shown_edges(self, self._args_for_display(), self._edges)

    def _args_for_display(self):
        return self._args if self._args is not None else [None] * len(self._edges)

    def _release(self):
        self._args = self._kwargs = self._out = None

    def _apply(self, grads, create_graph):
        args = self._args
        if args is None:
            raise RuntimeError(SECOND_BACKWARD)
        if self._versions is not None:
            args = _check_versions(self, args, self._versions)
        out = self._out
        if out is not None:
            out = _unpack_out(self, out, create_graph)
        res = self._fn(tuple(grads) if self._multi else grads[0], args, self._kwargs, out)
        return fit_grads(self._edges, res, self._args)


def shown_edges(node, args, edges):
    """The edges `next_functions` shows, as torch's: one per differentiable tensor input (None
    when it does not require grad), not for integer args (dims, sizes) nor for index, mask or
    condition tensors; a Python number is an input (a None edge) only where torch wraps it into
    a tensor operand (`_operands`: x * 2 has two edges, x.pow(2) one)."""
    operands = type(node)._operands
    shown = []
    for i, (a, e) in enumerate(zip(args, edges)):
        if type(e) is list:
            shown.extend(ee for x, ee in zip(a or [None] * len(e), e) if ee is not None or _float_tensor(x))
        elif e is not None or _float_tensor(a) or (operands is not None and i in operands):
            shown.append(e)
    return shown


def _float_tensor(a):
    return isinstance(a, TensorBase) and a.dtype.is_floating_point


# node classes whose op takes Python numbers as tensor operands (positions), which show up in
# next_functions as None edges
_OPERANDS = {"AddBackward0": (0, 1), "SubBackward0": (0, 1), "MulBackward0": (0, 1), "DivBackward0": (0, 1),
             "DivBackward2": (0, 1), "WhereBackward0": (1, 2), "ClampBackward0": (1, 2)}


class NativeNode(_C._NativeNode, Node):
    """The node of an op recorded in Rust, whose backward rule is native too
    (rust/python/src/autograd/: rules.rs has the ops and formulas, node.rs this node's state).

    It holds what an OpNode of the same op holds (`_args`, `_kwargs`, the saved versions, the
    result when the rule reads it) and one edge per positional arg, so `_next` keeps a None for
    an arg that gets no gradient. `_apply` runs the native rule, or with create_graph the op's
    Python rule (`native_apply_py`), whose gradients are then recorded. Hooks and retain_grad
    work as on any node: they clear `_plain`, which the native engine leaves to engine.py."""

    __slots__ = ()

    def _shown_edges(self):
        args = self._args
        return shown_edges(self, args if args is not None else [None] * len(self._next), self._next)


def native_node_class(name):
    """The NativeNode subclass named `name` (e.g. MulBackward0), asked for by the Rust side."""
    return node_class(name, NativeNode)


def native_apply_py(node, op, grads, versions, out, out_version):
    """A NativeNode's gradients (one per edge) by the Python rule of its op `op`, under
    create_graph: what OpNode._apply does, on the node's recorded args (`versions` their
    versions when recorded) and saved result `out` (a fresh alias, or None)."""
    args = node._args
    if args is None:
        raise RuntimeError(SECOND_BACKWARD)
    s = spec(op)
    checked = _check_versions(node, args, versions) if s.reads_args else args
    if out is not None:
        out = _unpack_one(node, out, out_version, 0, True)
    res = s.fn(grads[0], checked, node._kwargs, out)
    n = len(res)
    return [None if e is None or i >= n or res[i] is None else fit(res[i], args[i])
            for i, e in enumerate(node._edges)]


def fit_grads(edges, res, inputs):
    """The rule's result `res` (one entry per positional arg) as the list of gradients for the
    node's non-None edges, each summed back to its input's shape and cast to its dtype."""
    out = []
    n = len(res)
    for i, e in enumerate(edges):
        if e is None:
            continue
        g = res[i] if i < n else None
        if type(e) is list:
            for j, ee in enumerate(e):
                if ee is not None:
                    out.append(None if g is None or g[j] is None else fit(g[j], inputs[i][j]))
        else:
            out.append(None if g is None else fit(g, inputs[i]))
    return out


def fit(g, t):
    """`g` summed over the dims it was broadcast along and cast to `t`'s dtype."""
    if g._same_meta(t):
        return g
    shape = t.shape
    if g.shape != shape:
        g = sum_to(g, shape)
    if g.dtype is not t.dtype:
        g = g.to(t.dtype)
    return g


def sum_to(g, shape):
    """Reduce (or broadcast) gradient `g` to `shape`, the inverse of broadcasting."""
    gshape = g.shape
    lead = len(gshape) - len(shape)
    if lead < 0 or any(s != 1 and s != gs for s, gs in zip(shape, gshape[lead:])):
        return g.expand(shape)  # a smaller gradient that broadcasts to the input
    dims = list(range(lead)) + [lead + i for i, s in enumerate(shape) if s == 1 and gshape[lead + i] != 1]
    if dims:
        g = g.sum(dims, keepdim=True)
    if lead:
        g = g.view(shape)
    if g.shape != shape:  # a 1-sized dim the gradient left out
        g = g.expand(shape)
    return g


# ------------------------------------------------------------------ saved tensors


class _Modified:
    """Stands in for a saved tensor modified in place: its metadata is still there, and any use
    of its values raises torch's error."""

    __slots__ = ("_t", "_msg")

    def __init__(self, t, msg):
        self._t, self._msg = t, msg

    shape = property(lambda self: self._t.shape)
    dtype = property(lambda self: self._t.dtype)
    ndim = property(lambda self: self._t.ndim)
    device = property(lambda self: self._t.device)
    requires_grad = property(lambda self: self._t.requires_grad)

    def size(self, *a):
        return self._t.size(*a)

    def stride(self, *a):
        return self._t.stride(*a)

    def storage_offset(self):
        return self._t.storage_offset()

    def dim(self):
        return self._t.dim()

    def numel(self):
        return self._t.numel()

    def _fail(self, *args, **kwargs):
        raise RuntimeError(self._msg)

    def __getattr__(self, name):
        raise RuntimeError(self._msg)


for _op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or", "xor",
            "lt", "le", "gt", "ge", "eq", "ne"):
    setattr(_Modified, f"__{_op}__", _Modified._fail)
    setattr(_Modified, f"__r{_op}__", _Modified._fail)
for _op in ("neg", "abs", "invert", "float", "int", "bool", "index", "len", "iter", "getitem"):
    setattr(_Modified, f"__{_op}__", _Modified._fail)
_Modified.__hash__ = object.__hash__


def _type_name(t):
    return f"[{t.type().replace('rstorch.', 'torch.')} [{', '.join(str(s) for s in t.shape)}]]"


def modified_error(t, node, expected, now):
    f = t.grad_fn
    which = ""
    if f is not None:
        which = f", which is output {t.output_nr} of {_short(f)},"
    hint = ("the backtrace further above shows the operation that failed to compute its gradient. The variable "
            "in question was changed in there or anywhere later. Good luck!" if _anomaly._enabled else
            "enable anomaly detection to find the operation that failed to compute its gradient, with "
            "torch.autograd.set_detect_anomaly(True, check_nan=False).")
    return (
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: {_type_name(t)}{which} is at version {now}; expected version {expected} "
        f"instead. Hint: {hint}")


def save_versions(args):
    """The versions of the tensors among `args` (kept for backward: inference tensors cannot)."""
    return tuple(_version_of(a) if isinstance(a, TensorBase) else
                 (tuple(_version_of(x) for x in a) if _is_tensor_list(a) else None) for a in args)


def _version_of(x):
    if not isinstance(x, TensorBase):
        return None
    if x.is_inference():
        raise RuntimeError(_C._INFERENCE_SAVED)
    return x._version


def _check_versions(node, args, versions):
    fixed = None
    for i, (a, v) in enumerate(zip(args, versions)):
        if v is None:
            continue
        if type(v) is tuple:
            if any(w is not None and x._version != w for x, w in zip(a, v)):
                items = [x if w is None or x._version == w else _Modified(x, modified_error(x, node, w, x._version))
                         for x, w in zip(a, v)]
                fixed = fixed or list(args)
                fixed[i] = type(a)(items)
        elif a._version != v:
            fixed = fixed or list(args)
            fixed[i] = _Modified(a, modified_error(a, node, v, a._version))
    return args if fixed is None else tuple(fixed)


def save_output(o):
    """A saved output: a detached alias (no reference back to the node) and its version."""
    return o.detach() if isinstance(o, TensorBase) else o


def _unpack_out(node, out, create_graph):
    """The saved output(s), as stand-ins when modified, re-attached to `node` for double backward."""
    if not node._multi:
        return _unpack_one(node, out, node._out_versions, 0, create_graph)
    return tuple(_unpack_one(node, o, v, i, create_graph) for i, (o, v) in enumerate(zip(out, node._out_versions)))


def _unpack_one(node, o, version, nr, create_graph):
    if not isinstance(o, TensorBase):
        return o
    if o._version != version:
        return _Modified(o, output_modified_error(o, node, version, nr))
    if create_graph and o.dtype.is_floating_point:
        o = o.detach()
        o._set_grad_fn(node, nr)
    return o


def output_modified_error(o, node, version, nr):
    """torch's error for output `nr` of `node`, saved as `o`, modified in place since."""
    return modified_error(o, node, version, o._version).replace(
        "]] is at", f"]], which is output {nr} of {_short(node)}, is at", 1)


def _short(node):
    """torch's forward_op_name: the node's name without its "Backward<N>" suffix, the number kept
    unless it is 0 (MulBackward0 -> Mul, ClampBackward1 -> Clamp1)."""
    n = type(node).__name__
    pos = n.rfind("Backward")
    digits = n[pos + 8:]
    if pos < 0 or not (digits == "" or digits.isdigit()):
        return n
    return n[:pos] + ("" if digits in ("", "0") else digits)


# ------------------------------------------------------------------ recording


_NODE_CLASSES = {}


def node_class(name, base=OpNode):
    """The node class named `name` (e.g. MulBackward0), made once."""
    cls = _NODE_CLASSES.get((name, base))
    if cls is None:
        cls = _NODE_CLASSES[(name, base)] = type(name, (base,), {"__slots__": (), "_operands": _OPERANDS.get(name)})
    return cls


def _reads(fn, var):
    """Whether rule `fn` reads its parameter `var` (it is then kept for backward); closures and
    unusual code count as reading it."""
    code = fn.__code__
    if var in code.co_cellvars:
        return True
    try:
        return any(ins.argval == var and ins.opname.startswith("LOAD") for ins in dis.get_instructions(fn))
    except Exception:  # noqa: BLE001 - be conservative if the bytecode cannot be read
        return True


class _Spec:
    __slots__ = ("fn", "cls", "name_of", "reads_args", "reads_out")


_SPECS = {}


class Error(Node):
    """torch's DelayedError: passes nothing back and raises its message when a gradient reaches
    it, for a result whose value is right but whose own derivative is not supported."""

    __slots__ = ("_msg",)

    def _apply(self, grads, create_graph):
        raise RuntimeError(self._msg)


def delayed_error(t, msg):
    """`t`, behind an Error node when grad mode records (a rule run by a double backward)."""
    if not (_C.is_grad_enabled() and t.requires_grad):
        return t
    node = Error()
    node._msg = msg
    node._next = [edge_of(t)]
    a = t.detach()
    a._set_grad_fn(node, 0)
    return a


def _not_implemented(name):
    def rule(grad, args, kwargs, out):
        raise NotImplementedError(f"the derivative for '{name}' is not implemented.")
    return rule, _node_name(name)


def spec(name):
    s = _SPECS.get(name)
    if s is not None:
        return s
    fn, node = RULES.get(name) or _not_implemented(name)
    s = _Spec()
    s.fn = fn
    s.cls, s.name_of = (node_class(node), None) if isinstance(node, str) else (None, node)
    s.reads_args = _reads(fn, "args")
    s.reads_out = _reads(fn, "out")
    _SPECS[name] = s
    return s


def record(name, args, kwargs, out):
    """Attach the graph node of `name(*args, **kwargs)` to its result `out`; return `out`.
    Results that cannot carry a gradient (bool or integer: comparisons, argmax...) get none."""
    if isinstance(out, tuple):
        if not any(isinstance(o, TensorBase) and o.dtype.is_floating_point for o in out):
            return out
    elif not out.dtype.is_floating_point:
        return out
    s = _SPECS.get(name) or spec(name)
    cls = s.cls or node_class(s.name_of(args, kwargs or {}))
    node = cls.__new__(cls)
    node._fn = s.fn
    node._args = args
    node._kwargs = kwargs if kwargs is not None else {}
    edges = []
    flat = []
    for a in args:
        if isinstance(a, TensorBase):
            e = a._edge()
            if e is not None:
                if e[0] is None:
                    e = (accumulator(a), 0)
                flat.append(e)
            edges.append(e)
        elif _is_tensor_list(a):
            es = [edge_of(x) for x in a]
            edges.append(es)
            flat.extend(e for e in es if e is not None)
        else:
            edges.append(None)
    node._edges = edges
    node._next = flat
    node._versions = save_versions(args) if s.reads_args else None
    if isinstance(out, tuple):  # incl. named tuples (values, indices)
        node._nout = len(out)
        node._multi = True
        for i, o in enumerate(out):
            if isinstance(o, TensorBase) and o.dtype.is_floating_point:
                o._set_grad_fn(node, i)
        if s.reads_out:
            node._out = tuple(save_output(o) for o in out)
            node._out_versions = tuple(o._version if isinstance(o, TensorBase) else None for o in out)
        else:
            node._out = node._out_versions = None
    else:
        node._nout = 1
        node._multi = False
        out._set_grad_fn(node)
        if s.reads_out:
            node._out = out.detach()
            node._out_versions = out._version
        else:
            node._out = node._out_versions = None
    if _anomaly._enabled:
        node._trace = traceback.format_stack()[:-2]
    return out


def view_base(t):
    """The base of view `t` (torch's `_base`, set by the Rust view ops), or None."""
    return t._base
