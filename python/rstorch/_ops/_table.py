"""The op table: every public op declared once, as one `Op` row in its family's module.

A row says everything about an op that is not its kernel: its name and torch's signature, which
forms exist (the function `rstorch.<name>`, the method `Tensor.<name>`, the in-place method
`Tensor.<name>_`, the in-place function `rstorch.<name>_`), its aliases, its `out=` rule, its
dtype rule, the key of its backward rule and (later) its WGSL entry point. The kernels live in
Rust (`_C.TensorBase` methods, rust/python/src/tensor/<family>.rs) or, for composite ops, in the
row's Python `function`/`method`.

`install(rows, namespace)` builds from the rows what the kernels do not provide: function forms
(with torch's input and `out=` checks), aliases of every form, in-place function forms and the
Python-level methods; it returns the family's `__all__`. tests/test_op_table.py checks that the
table, the kernels, the backward rules (autograd/rules/) and the OpInfo tables (tests/opinfo/)
cover each other, that each row's declared signature is its function's, and that the dtype rule
predicts the kernels' result dtypes.

Adding an op: its kernel and binding, one row here, its backward rule, its OpInfo entry.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from typing import Any, Callable, Optional, Union

from .. import _C
from .._out import CASTABLE, write_out, write_outs
from ._overloads import OVERLOADS, checked

# ------------------------------------------------------------------ dtype rules
# The dtype of an op's result from its tensor operands' dtypes, as torch computes it. A row
# names one; tests/test_op_table.py checks it against the kernels on the OpInfo samples.
SAME = "same"            # the (first) input's dtype
PROMOTE = "promote"      # torch.result_type of the operands
FLOAT = "float"          # PROMOTE, then integers and bool to the default float dtype
BOOL = "bool"            # always bool
INDEX = "int64"          # always int64 (indices, counts)
OWN = "own"              # op-specific (dtype=, a pair of results, data-dependent): see the op


def predict_dtype(rule, dtypes, default_float):
    """The result dtype `rule` gives for operands of `dtypes` (None for OWN)."""
    if rule == SAME:
        return dtypes[0]
    if rule == BOOL:
        return _C.bool
    if rule == INDEX:
        return _C.int64
    if rule in (PROMOTE, FLOAT):
        d = dtypes[0]
        for other in dtypes[1:]:
            d = _C.promote_types(d, other)
        if rule == FLOAT and not d.is_floating_point:
            d = default_float
        return d
    return None


# ------------------------------------------------------------------ backward keys
NOT_DIFFERENTIABLE = None  # integer/bool results, or no gradient in torch either
COMPOSITE = "composite"    # built from differentiable ops: their rules give the gradient


# ------------------------------------------------------------------ the row

@dataclasses.dataclass(frozen=True)
class Op:
    """One op. `method` and `inplace` are each True (the kernel provides the form:
    `_C.TensorBase.<name>`/`<name>_`), a Python callable (the form's implementation), or False
    (torch has no such form). `function` is a `Form` generating it from the method (METHOD, the
    default: the method called on a Tensor `input`, with `out=`), a Python callable, or False."""
    name: str
    signature: str                     # torch's function signature, e.g. "(input, other, *, alpha=1, out=None)"
    dtype: str = SAME                  # the dtype rule (above)
    backward: Optional[str] = None     # the autograd rule's key (autograd/rules/), COMPOSITE, or None
    function: Union["Form", Callable, bool] = None
    method: Union[bool, Callable] = True
    inplace: Union[bool, Callable] = False
    inplace_function: Union[bool, tuple, Callable] = False  # rstorch.<name>_(input, ...) exists
                                       # (torch.exp_), for every name or for those listed; a callable
                                       # is that form itself (torch.dropout_: no in-place method)
    aliases: tuple = ()
    out: Any = None                    # the check of out='s dtype (rstorch/_out.py) when the
                                       # signature has `out`; None: any dtype the copy converts to
    wgsl: Optional[str] = None         # the WGSL entry point, once the GPU backend runs it
    doc: str = ""

    @functools.cached_property
    def has_out(self):
        return "out" in self.parameters()

    def parameters(self):
        return parse_signature(self.signature).parameters

    def names(self):
        """Every public name the row defines in the rstorch namespace."""
        names = []
        for n in (self.name,) + self.aliases:
            if self.function is not False:
                names.append(n)
            if self.has_inplace_function(n):
                names.append(n + "_")
        return names

    def has_inplace_function(self, name):
        f = self.inplace_function
        return name in f if isinstance(f, tuple) else bool(f)


# ------------------------------------------------------------------ signatures

_SIGNATURES = {}


def parse_signature(text):
    """An `inspect.Signature` from torch's Python signature text: "(input, dim=None, *, out=None)"."""
    sig = _SIGNATURES.get(text)
    if sig is None:
        namespace = {}
        exec(f"def _template{text}: pass", {}, namespace)  # the text is ours, from the rows
        sig = _SIGNATURES[text] = inspect.signature(namespace["_template"])
    return sig


# ------------------------------------------------------------------ generated forms

def _input_error(name, value):
    return TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(value).__name__}")


def _requires_grad(a):
    if isinstance(a, (list, tuple)):
        return any(_requires_grad(x) for x in a)
    return isinstance(a, _C.TensorBase) and a.requires_grad


def out_requires_grad(name, *args):
    """torch refuses `out=` when autograd would record the op (out counts as an argument)."""
    if _C.is_grad_enabled() and any(_requires_grad(a) for a in args):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")


def check_out_tensor(name, out):
    if not isinstance(out, _C.TensorBase):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")


def write_result(op, out, result, check=None):
    """`result`, already computed by a hand-written function, written into `out=` when one is
    given (torch refuses out= when the result or out requires grad)."""
    if out is None:
        return result
    if not isinstance(out, (tuple, list)):
        check_out_tensor(op.name, out)
        if _C.is_grad_enabled() and (result.requires_grad or out.requires_grad):
            raise RuntimeError(f"{op.name}(): functions with out=... arguments don't support automatic "
                               "differentiation, but one of the arguments requires grad.")
    if isinstance(result, tuple):
        return write_outs(op.name, out, result, check or op.out)
    return write_out(out, result, check or op.out)


def call_with_out(op, out, method, args, kwargs, check=None):
    """`method(*args, **kwargs)`, written into `out=` when one is given, with torch's checks
    (out's dtype: the row's `out` rule, or `check` where the op's rule depends on the call)."""
    if out is None:
        return method(*args, **kwargs)
    if not op.has_out:
        raise TypeError(f"{op.name}() got an unexpected keyword argument 'out'")
    if not isinstance(out, (tuple, list)):
        check_out_tensor(op.name, out)
    out_requires_grad(op.name, out, *args, *kwargs.values())
    result = method(*args, **kwargs)
    if isinstance(result, tuple):  # a pair of results (values, indices): out is a pair
        return write_outs(op.name, out, result, check or op.out)
    return write_out(out, result, check or op.out)


class Form:
    """How a row's function form is generated: `build(op, method) -> function`."""

    def __init__(self, build, needs_method=True):
        self.build, self.needs_method = build, needs_method


def _method_function(op, method):
    """`rstorch.<name>(input, *args, out=None, **kwargs)`: the method on a Tensor `input`."""
    name = op.name

    tensor = _C.TensorBase

    def fn(input, *args, out=None, **kwargs):
        if not isinstance(input, tensor):
            raise _input_error(name, input)
        if out is None:  # the common call: straight to the kernel's method
            return method(input, *args, **kwargs)
        return call_with_out(op, out, method, (input,) + args, kwargs)
    return fn


METHOD = Form(_method_function)  # the default form


def on_kernel(form, attr):
    """`form` built over the private kernel method `_C.TensorBase.<attr>` instead of the row's
    method: the ops torch has no Tensor method for (torch.special's own ops)."""
    return Form(lambda op, method: form.build(op, getattr(_C.TensorBase, attr)), needs_method=False)
FUNCTION = "function"  # as a row's `method`: the function form is the method too (`x.tile(2)`)


def written(impl):
    """The form of a hand-written function `impl(op, *args, **kwargs)`: it gets its row (for the
    name and the `out=` rule) before the caller's arguments."""
    def build(op, method):
        def fn(*args, **kwargs):
            return impl(op, *args, **kwargs)
        fn.impl = impl
        return fn
    return Form(build, needs_method=False)


def _inplace_function(method_name):
    def fn(input, *args, **kwargs):
        return getattr(input, method_name)(*args, **kwargs)
    return fn


def written_back(fn):
    """The in-place method of a composite op: `fn(self, ...)` written into self, which must keep
    its shape and be able to hold the result's dtype (torch's in-place rules)."""
    def inplace(self, *args, **kwargs):
        result = fn(self, *args, **kwargs)
        if tuple(result.shape) != tuple(self.shape):
            raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast shape "
                               f"{list(result.shape)}")
        return write_out(self, result, CASTABLE)
    return inplace


def _named(fn, name, signature=None, doc=""):
    fn.__name__ = fn.__qualname__ = name
    if signature is not None:
        fn.__signature__ = signature
    if doc and not fn.__doc__:
        fn.__doc__ = doc
    return fn


# ------------------------------------------------------------------ installation

ROWS = {}  # name -> Op, every family's rows (tests/test_op_table.py walks it)


def install(rows, namespace, tensor):
    """Put the forms of `rows` into the family module's `namespace` and onto `tensor` (the Tensor
    class); return the public names for the family's `__all__`."""
    public = []
    for op in rows:
        if op.name in ROWS:
            raise ValueError(f"op {op.name!r} is declared twice")
        ROWS[op.name] = op
        sig = parse_signature(op.signature)
        # the method and the in-place method: the kernel's, or the row's Python implementation;
        # `method` is it unchecked (the function form checks its own overloads, then calls it)
        if callable(op.method):
            setattr(tensor, op.name, _named(checked(op.method, op.name, method=True), op.name))
            method = op.method
        else:
            method = getattr(tensor, op.name, None) if op.method not in (False, FUNCTION) else None
            if op.method is True and op.name in OVERLOADS:
                # the kernel's method accepts what its merged signature allows: torch's overloads decide
                setattr(tensor, op.name, checked(method, op.name, method=True))
        if callable(op.inplace):
            setattr(tensor, op.name + "_", _named(op.inplace, op.name + "_"))
        # the function
        form = METHOD if op.function is None else op.function
        if isinstance(form, Form):
            if method is None and form.needs_method:
                raise ValueError(f"op {op.name!r}: a generated function needs a method")
            fn = _named(checked(form.build(op, method), op.name), op.name, sig, op.doc)
        elif callable(form):
            fn = checked(form, op.name)
        else:
            fn = None
        if op.method == FUNCTION:  # the function form serves as the method (self first)
            setattr(tensor, op.name, fn)
            method = fn
        for alias in (op.name,) + op.aliases:
            if fn is not None:
                namespace[alias] = fn
            if callable(op.inplace_function):
                namespace[alias + "_"] = op.inplace_function
            elif op.has_inplace_function(alias):
                namespace[alias + "_"] = _named(_inplace_function(alias + "_"), alias + "_",
                                                doc=f"In-place version of `{alias}`: `input.{alias}_(...)`.")
            if alias != op.name:
                # an alias's methods are the op's own (grad_fn names stay torch's: AbsBackward0
                # for absolute)
                if method is not None:
                    setattr(tensor, alias, getattr(tensor, op.name))
                if op.inplace is not False:
                    setattr(tensor, alias + "_", getattr(tensor, op.name + "_"))
        public += op.names()
    return public
