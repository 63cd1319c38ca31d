"""torch's argument parser for the op table's function forms: the typed overloads torch's Python
binding accepts for an op, and the check that a call matches one of them.

A row's Python signature (its `signature` text) merges torch's overloads into one, so it accepts
calls torch refuses: `sum(x, keepdim=True)` (no overload has keepdim without dim), `median(x,
None)` (dim is a plain int there), `kron(x, 2.5)` (other must be a Tensor), `std(x, 0, True,
correction=1)`. torch's parser raises a TypeError for each; `OVERLOADS` lists, per op name, the
overloads as torch prints them in that error ("expected one of: ..."), with `?` after a type
whose value may be None without a default of None (`Tensor? weight`: torch's `Tensor?`, shown
as `Tensor weight`). `install` (_table.py) puts `checked(...)` in front of the function forms of
these rows (every alias too) and of their Python-level methods.

The check follows torch's python_arg_parser.cpp: a value matches a parameter of type
  Tensor          a Tensor
  int             an int (not bool), an object with __index__, or a 0-dim integer Tensor
  float, Number   a Python number (bool included) or a 0-dim Tensor that does not require grad
  bool            a bool
  tuple of ints   a tuple/list/Size of ints, or one int
  tuple of Tensors a tuple/list of Tensors (or None)
  torch.dtype     a dtype;   str   a str
and None matches where the parameter allows it (a default of None or a `?` type). When no
overload matches, the message is torch's: the one plausible overload's own complaint (too many
positional arguments, a missing argument, a wrong type, an unknown keyword) when the number of
arguments fits only one, else "received an invalid combination of arguments".
"""

import functools

from .. import _C

_TENSOR = _C.TensorBase
_NO = object()  # "not given"


def _is_tensor(v):
    return isinstance(v, _TENSOR)


def _is_int(v):
    if isinstance(v, int):
        return v.__class__ is not bool
    if isinstance(v, _TENSOR):
        d = v.dtype
        return v.dim() == 0 and not d.is_floating_point and not d.is_complex and d is not _C.bool \
            and not v.requires_grad
    return hasattr(type(v), "__index__") and type(v).__name__ not in ("bool_", "bool")


def _is_float(v):
    if isinstance(v, (int, float)):
        return True
    if isinstance(v, _TENSOR):
        return v.dim() == 0 and not v.requires_grad
    return hasattr(type(v), "__float__") and not isinstance(v, (str, bytes, complex))


def _is_number(v):
    return isinstance(v, complex) or _is_float(v)


def _is_bool(v):
    return isinstance(v, bool) or type(v).__name__ == "bool_"


def _is_int_list(v):
    if isinstance(v, (tuple, list)):
        return all(_is_int(x) for x in v)
    return _is_int(v)


def _is_tensor_list(v):
    return isinstance(v, (tuple, list)) and all(x is None or isinstance(x, _TENSOR) for x in v)


def _is_dtype(v):
    return isinstance(v, _C.dtype)


def _is_str(v):
    return isinstance(v, str)


_CHECKS = {"Tensor": _is_tensor, "int": _is_int, "float": _is_float, "Number": _is_number, "bool": _is_bool,
           "tuple of ints": _is_int_list, "tuple of Tensors": _is_tensor_list, "torch.dtype": _is_dtype,
           "str": _is_str}

# ------------------------------------------------------------------ the overloads, as torch prints them

_STD = ("(Tensor input, tuple of ints? dim, bool unbiased = True, bool keepdim = False, *, Tensor out = None)",
        "(Tensor input, tuple of ints dim = None, *, Number correction = None, bool keepdim = False, "
        "Tensor out = None)",
        "(Tensor input, bool unbiased = True)")
_STD_MEAN = ("(Tensor input, tuple of ints? dim, bool unbiased = True, bool keepdim = False)",
             "(Tensor input, tuple of ints dim = None, *, Number correction = None, bool keepdim = False)",
             "(Tensor input, bool unbiased = True)")
_MAX = ("(Tensor input, *, Tensor out = None)", "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Tensor input, int dim, bool keepdim = False, *, tuple of Tensors out = None)")
_MEDIAN = ("(Tensor input)", "(Tensor input, int dim, bool keepdim = False, *, tuple of Tensors out = None)")
_DIM_SPLIT = ("(Tensor input, int sections)", "(Tensor input, tuple of ints indices)")
_TRAPEZOID = ("(Tensor y, Tensor x, *, int dim = -1)", "(Tensor y, *, Number dx = 1, int dim = -1)")
_BILINEAR = ("(Tensor input, Tensor other, *, Tensor out = None)",)

OVERLOADS = {
    "std": _STD, "var": _STD, "std_mean": _STD_MEAN, "var_mean": _STD_MEAN,
    "sum": ("(Tensor input, *, torch.dtype dtype = None)",
            "(Tensor input, tuple of ints? dim, bool keepdim = False, *, torch.dtype dtype = None, Tensor out = None)"),
    "mean": ("(Tensor input, *, torch.dtype dtype = None, Tensor out = None)",
             "(Tensor input, tuple of ints? dim, bool keepdim = False, *, torch.dtype dtype = None, "
             "Tensor out = None)"),
    "prod": ("(Tensor input, *, torch.dtype dtype = None)",
             "(Tensor input, int dim, bool keepdim = False, *, torch.dtype dtype = None, Tensor out = None)"),
    "max": _MAX, "min": _MAX, "median": _MEDIAN, "nanmedian": _MEDIAN,
    "logsumexp": ("(Tensor input, tuple of ints dim, bool keepdim = False, *, Tensor out = None)",),
    "matrix_power": ("(Tensor input, int n, *, Tensor out = None)",),
    "narrow_copy": ("(Tensor input, int dim, int start, int length, *, Tensor out = None)",),
    "take_along_dim": ("(Tensor input, Tensor indices, int dim = None, *, Tensor out = None)",),
    "diff": ("(Tensor input, int n = 1, int dim = -1, Tensor prepend = None, Tensor append = None, *, "
             "Tensor out = None)",),
    "stack": ("(tuple of Tensors tensors, int dim = 0, *, Tensor out = None)",),
    "sort": ("(Tensor input, *, bool stable, int dim = -1, bool descending = False, tuple of Tensors out = None)",
             "(Tensor input, int dim = -1, bool descending = False, *, tuple of Tensors out = None)"),
    "argsort": ("(Tensor input, *, bool stable, int dim = -1, bool descending = False, Tensor out = None)",
                "(Tensor input, int dim = -1, bool descending = False)"),
    "dsplit": _DIM_SPLIT, "hsplit": _DIM_SPLIT, "vsplit": _DIM_SPLIT,
    "tensor_split": ("(Tensor input, tuple of ints indices, int dim = 0)",
                     "(Tensor input, Tensor tensor_indices_or_sections, int dim = 0)",
                     "(Tensor input, int sections, int dim = 0)"),
    "index_put": ("(Tensor input, tuple of Tensors indices, Tensor values, bool accumulate = False)",),
    "repeat_interleave": ("(Tensor input, Tensor repeats, int dim = None, *, int output_size = None)",
                          "(Tensor repeats, *, int output_size = None)",
                          "(Tensor input, int repeats, int dim = None, *, int output_size = None)"),
    "renorm": ("(Tensor input, Number p, int dim, Number maxnorm, *, Tensor out = None)",),
    "mvlgamma": ("(Tensor input, int p, *, Tensor out = None)",),
    "clamp_min": ("(Tensor input, Tensor min, *, Tensor out = None)", "(Tensor input, Number min, *, Tensor out = None)"),
    "clamp_max": ("(Tensor input, Tensor max, *, Tensor out = None)", "(Tensor input, Number max, *, Tensor out = None)"),
    "batch_norm": ("(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean, Tensor? running_var, "
                   "bool training, float momentum, float eps, bool cudnn_enabled)",),
    "native_batch_norm": ("(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean, Tensor? running_var, "
                          "bool training, float momentum, float eps)",),
    "native_layer_norm": ("(Tensor input, tuple of ints normalized_shape, Tensor? weight, Tensor? bias, float eps)",),
    "slice_scatter": ("(Tensor input, Tensor src, int dim = 0, int start = None, int end = None, int step = 1, *, "
                      "Tensor out = None)",),
    "trapezoid": _TRAPEZOID, "cumulative_trapezoid": _TRAPEZOID,
    "trapz": ("(Tensor y, *, float dx = 1, int dim = -1)", "(Tensor y, Tensor x, *, int dim = -1)"),
    "kron": _BILINEAR, "inner": _BILINEAR,
    "cross": ("(Tensor input, Tensor other, int dim = None, *, Tensor out = None)",),
    "split_with_sizes": ("(Tensor input, tuple of ints split_sizes, int dim = 0)",),
    "squeeze": ("(Tensor input)", "(Tensor input, int dim)", "(Tensor input, tuple of ints dim)"),
    "scatter": ("(Tensor input, int dim, Tensor index, Tensor src, *, Tensor out = None)",
                "(Tensor input, int dim, Tensor index, Tensor src, *, str reduce, Tensor out = None)",
                "(Tensor input, int dim, Tensor index, Number value, *, Tensor out = None)",
                "(Tensor input, int dim, Tensor index, Number value, *, str reduce, Tensor out = None)"),
}


# ------------------------------------------------------------------ parsing and matching

class _Param:
    __slots__ = ("name", "type", "check", "allow_none", "optional", "index", "keyword_only")

    def __init__(self, text, index, keyword_only):
        decl, _, default = text.partition(" = ")
        self.type, _, self.name = decl.rpartition(" ")
        self.allow_none = self.type.endswith("?") or default == "None"
        self.type = self.type.rstrip("?")
        self.check = _CHECKS[self.type]
        self.optional = bool(default)
        self.index, self.keyword_only = index, keyword_only

    def accepts(self, v):
        return (v is None and self.allow_none) or self.check(v)


class Overload:
    """One of torch's signatures of an op: "(Tensor input, int dim, bool keepdim = False, *, ...)"."""

    def __init__(self, text):
        self.text = text
        self.params, kw_only = [], False
        for part in text[1:-1].split(", ") if text != "()" else ():
            if part == "*":
                kw_only = True
                continue
            self.params.append(_Param(part, len(self.params), kw_only))
        self.by_name = {p.name: p for p in self.params}
        self.max_pos = sum(not p.keyword_only for p in self.params)
        self.min_args = sum(not p.optional for p in self.params)
        self.required = tuple(p for p in self.params if not p.optional)
        self.display = text.replace("? ", " ")

    def matches(self, args, kwargs):
        n = len(args)
        if n > self.max_pos:
            return False
        params = self.params
        for i in range(n):
            if not params[i].accepts(args[i]):
                return False
        by_name = self.by_name
        for k, v in kwargs.items():
            p = by_name.get(k)
            if p is None or p.index < n or not p.accepts(v):
                return False
        for p in self.required:
            if p.index >= n and p.name not in kwargs:
                return False
        return True

    def complaint(self, name, args, kwargs):
        """torch's message for this overload refusing the call (FunctionSignature::parse)."""
        n = len(args)
        if n > self.max_pos:
            if self.min_args != self.max_pos:
                return f"{name}() takes from {self.min_args} to {self.max_pos} positional arguments but {n} were given"
            return (f"{name}() takes {self.max_pos} positional argument{'' if self.max_pos == 1 else 's'} but {n} "
                    f"{'was' if n == 1 else 'were'} given")
        for p in self.params:
            given = p.index < n
            if not given and p.name not in kwargs:
                if p.optional:
                    continue
                # torch names every required parameter from here on, given by keyword or not
                missing = [q.name for q in self.params[p.index:] if not q.optional]
                return (f"{name}() missing {len(missing)} required positional argument"
                        f"{'s' if len(missing) == 1 else ''}: " + ", ".join(f'"{m}"' for m in missing))
            v = args[p.index] if given else kwargs[p.name]
            if not p.accepts(v):
                where = f" (position {p.index + 1})" if given else ""
                return f"{name}(): argument '{p.name}'{where} must be {p.type}, not {_typename(v)}"
        for k in kwargs:
            p = self.by_name.get(k)
            if p is None:
                return f"{name}() got an unexpected keyword argument '{k}'"
            if p.index < n:
                return f"{name}() got multiple values for argument '{k}'"
        return None

    def why_not(self, args, kwargs):
        """The "didn't match because ..." line torch's format_invalid_args adds under this
        overload, or None. It reads the printed overload as its tokens between ", ": a token's
        last word is its name (so "bool keepdim = False" is called "False", of type
        "bool keepdim =", and "*" counts as one), and speaks only where the count of tokens is
        the count of arguments given."""
        tokens = self.display[1:-1].split(", ")  # "()" is one (empty) token, as torch splits it
        names = [t.rpartition(" ")[2] for t in tokens]
        if len(args) + len(kwargs) != len(tokens):
            return None
        if kwargs:
            later = names[max(0, len(tokens) - len(kwargs)):]
            unmatched = [k for k in kwargs if k not in later]
            if unmatched:
                return "some of the keywords were incorrect: " + ", ".join(unmatched)
        marks = []
        for i, token in enumerate(tokens):
            kw = i >= len(args)
            v = kwargs.get(names[i], _NO) if kw else args[i]
            if v is _NO:
                continue
            want = token.rpartition(" ")[0]
            desc = _argument_desc(v)
            ok = _typename(v) in {"float": ("float", "int", "long"), "int": ("int", "long")}.get(want, (want,))
            marks.append((f"{names[i]}=" if kw else "") + (desc if ok else f"!{desc}!"))
        return "some of the arguments have invalid types: (" + ", ".join(marks) + ")"


def _argument_desc(v):
    """A value as torch's format_invalid_args describes it: "int", "tuple of (int, float)"."""
    if isinstance(v, (tuple, list)):
        inner = ", ".join(_typename(x) for x in v)
        return f"{type(v).__name__} of " + (f"({inner}{',' if len(v) == 1 else ''})" if isinstance(v, tuple)
                                            else f"[{inner}]")
    return _typename(v)


def _typename(v):
    if isinstance(v, _TENSOR):
        return "Tensor"
    if isinstance(v, _C.dtype):
        return "torch.dtype"
    return type(v).__name__


class Overloads:
    """An op's overloads; `check(args, kwargs)` raises torch's TypeError unless one matches."""

    def __init__(self, name, texts, method=False):
        self.name, self.method = name, method
        self.overloads = tuple(Overload(t) for t in texts)
        # `f(tensor)` alone: the most common call, answered without walking the overloads
        self.lone_tensor = any(o.min_args <= 1 and o.params and o.params[0].type == "Tensor"
                               and not o.params[0].keyword_only for o in self.overloads)

    def check(self, args, kwargs):
        if not kwargs and len(args) == 1 and self.lone_tensor and isinstance(args[0], _TENSOR):
            return
        for o in self.overloads:
            if o.matches(args, kwargs):
                return
        raise TypeError(self.message(args, kwargs))

    def message(self, args, kwargs):
        name = self.name
        nargs = len(args) + len(kwargs)
        plausible = [o for o in self.overloads if o.min_args <= nargs <= len(o.params)]
        if len(self.overloads) == 1 or len(plausible) == 1:
            said = (plausible or self.overloads)[0].complaint(name, args, kwargs)
            if said:
                return said
        got = ", ".join([_typename(a) for a in args] + [f"{k}={_typename(v)}" for k, v in kwargs.items()])
        if self.method and kwargs and not args:
            got += ", "  # torch's method forms print "got (keepdim=bool, )"
        lines = [f"{name}() received an invalid combination of arguments - got ({got}), but expected one of:"]
        for o in self.overloads:
            lines.append(f" * {o.display}")
            why = o.why_not(args, kwargs)
            if why:
                lines.append(f"      didn't match because {why}")
        return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ the generated check

# Each overload becomes a function whose parameters are the overload's, so Python's own argument
# binding (in C) sorts positional and keyword arguments; its body checks each value's type. A
# call that binds no parameter twice costs one such call per overload tried.
_TYPE_EXPR = {"Tensor": "isinstance({v}, _ov_T)", "int": "({v}.__class__ is int or _ov_int({v}))",
              "float": "({v}.__class__ is float or {v}.__class__ is int or _ov_float({v}))",
              "Number": "({v}.__class__ is float or {v}.__class__ is int or _ov_number({v}))",
              "bool": "({v}.__class__ is bool or _ov_bool({v}))",
              "tuple of ints": "({v}.__class__ is int or _ov_int_list({v}))",
              "tuple of Tensors": "_ov_tensor_list({v})", "torch.dtype": "isinstance({v}, _ov_dtype)",
              "str": "isinstance({v}, str)"}
_HELPERS = {"_ov_T": _TENSOR, "_ov_int": _is_int, "_ov_float": _is_float, "_ov_number": _is_number,
            "_ov_bool": _is_bool, "_ov_int_list": _is_int_list, "_ov_tensor_list": _is_tensor_list,
            "_ov_dtype": _C.dtype, "_NO": _NO}


def _matcher_source(o, fname):
    pos = [p for p in o.params if not p.keyword_only]
    kw = [p for p in o.params if p.keyword_only]
    head = [f"{p.name}=_NO" for p in pos] + ["*_ov_rest"] + [f"{p.name}=_NO" for p in kw] + ["**_ov_extra"]
    tests = ["not _ov_rest", "not _ov_extra"]
    for p in o.params:
        t = _TYPE_EXPR[p.type].format(v=p.name)
        if p.allow_none:
            t = f"({p.name} is None or {t})"
        tests.append(f"({p.name} is _NO or {t})" if p.optional else f"({p.name} is not _NO and {t})")
    return f"def {fname}({', '.join(head)}):\n    return " + " and ".join(tests) + "\n"


# the class-only tests of the fast path: a value of exactly these classes needs no closer look
_FAST_EXPR = {"Tensor": "isinstance({v}, _ov_T)", "int": "{v}.__class__ is int",
              "float": "({v}.__class__ is float or {v}.__class__ is int)",
              "Number": "({v}.__class__ is float or {v}.__class__ is int)", "bool": "{v}.__class__ is bool",
              "tuple of ints": "{v}.__class__ is int", "torch.dtype": "{v}.__class__ is _ov_dtype",
              "str": "{v}.__class__ is str"}


def _fast_source(overloads, call):
    """The positional-only calls that plainly match an overload, tested without binding: per
    number of arguments, any overload whose first parameters take exactly those classes."""
    by_n = {}
    for o in overloads:
        pos = [p for p in o.params if not p.keyword_only]
        if any(not p.optional for p in o.params if p.keyword_only):
            continue
        lo = sum(not p.optional for p in pos)
        for n in range(lo, len(pos) + 1):
            if all(p.type in _FAST_EXPR for p in pos[:n]):
                by_n.setdefault(n, []).append(" and ".join(_FAST_EXPR[p.type].format(v=f"args[{i}]")
                                                          for i, p in enumerate(pos[:n])) or "True")
    lines = []
    for n, conds in sorted(by_n.items()):
        either = " or ".join(f"({c})" for c in conds)
        lines.append(f"        {'if' if not lines else 'elif'} n == {n}:\n"
                     f"            if {either}:\n"
                     f"                return {call}\n")
    return ("    if not kwargs:\n        n = len(args)\n" + "".join(lines)) if lines else ""


def _method_text(text):
    """A function overload as the method's (torch prints those without `Tensor input` and `out`):
    None for an overload whose first parameter is not the tensor the method is called on
    (`repeat_interleave(Tensor repeats, ...)`)."""
    params = text[1:-1].split(", ")
    if not params[0].startswith("Tensor ") or params[0].rpartition(" ")[2] not in ("input", "y"):
        return None
    params = [p for p in params[1:] if p.rpartition(" = ")[0].rpartition(" ")[2] != "out"]
    if params and params[-1] == "*":
        params.pop()
    return "(" + ", ".join(params) + ")"


def checked(fn, name, method=False):
    """`fn` behind the check of `name`'s overloads (`fn` itself when torch lists none). With
    `method`, `fn(self, ...)` is the Tensor method, checked (and its errors worded) against the
    method's overloads."""
    texts = OVERLOADS.get(name)
    if texts is None:
        return fn
    if method:
        texts = tuple(t for t in map(_method_text, texts) if t is not None)
    overloads = Overloads(name, texts, method)
    namespace = dict(_HELPERS, _ov_fn=fn, _ov_overloads=overloads)
    source = "".join(_matcher_source(o, f"_ov_m{i}") for i, o in enumerate(overloads.overloads))
    any_match = " or ".join(f"_ov_m{i}(*args, **kwargs)" for i in range(len(overloads.overloads)))
    head, call = ("def call(self, *args, **kwargs):\n", "_ov_fn(self, *args, **kwargs)") if method else \
        ("def call(*args, **kwargs):\n", "_ov_fn(*args, **kwargs)")
    source += (head + _fast_source(overloads.overloads, call.replace(", **kwargs", "")) +
               "    try:\n"
               f"        ok = {any_match}\n"
               "    except TypeError:  # an argument given twice: the slow path says what torch says\n"
               "        ok = False\n"
               "    if not ok:\n"
               "        _ov_overloads.check(args, kwargs)\n"
               f"    return {call}\n")
    exec(compile(source, f"<overloads of {name}>", "exec"), namespace)  # the text is ours, from OVERLOADS
    call = functools.update_wrapper(namespace["call"], fn)  # fn's name, doc and signature
    return call
