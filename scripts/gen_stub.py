#!/usr/bin/env python3
"""Generate python/rstorch/_C.pyi, the type stub of the extension module, from the BUILT module.

    PYTHONPATH=python python scripts/gen_stub.py            # write python/rstorch/_C.pyi
    PYTHONPATH=python python scripts/gen_stub.py --check    # exit 1 if the file is out of date
    PYTHONPATH=python python scripts/gen_stub.py --stdout   # print the stub instead

Everything comes from introspecting `rstorch._C`: its `__all__`, module-level functions and
constants, and for each class its bases, methods, slot methods (`__add__`, ...), properties
(getset descriptors; a probe on a fresh instance tells read-only from settable),
classmethods and staticmethods. Parameters come from `inspect.signature` (PyO3 writes a
`__text_signature__` for every function). Types introspection cannot recover are `Any`,
except the few written in the RETURNS table below (kept on regeneration; a stale entry is an
error). The output is sorted and so deterministic: re-running on the same build gives no diff.
tests/test_stub.py checks the stub against the module with mypy's stubtest and that it is up
to date.
"""

from __future__ import annotations

import argparse
import builtins
import inspect
import keyword
import pathlib
import struct
import sys
import types
from typing import Any, Callable, Iterator

MODULE = "rstorch._C"
OUT = pathlib.Path(__file__).resolve().parent.parent / "python" / "rstorch" / "_C.pyi"

# Types introspection can't see (PyO3 signatures carry no annotations). Keys are
# "function", "Class.method" or "Class.property"; values are type expressions in which a
# bare builtin name (int, bool, str, ...) means the builtin and a bare class name means the
# class of this module. Each entry was checked against the built module's return values.
RETURNS: dict[str, str] = {
    # hot Tensor metadata
    "TensorBase.dim": "int",
    "TensorBase.ndimension": "int",
    "TensorBase.numel": "int",
    "TensorBase.nelement": "int",
    "TensorBase.element_size": "int",
    "TensorBase.data_ptr": "int",
    "TensorBase.storage_offset": "int",
    "TensorBase.is_contiguous": "bool",
    "TensorBase.is_floating_point": "bool",
    "TensorBase.is_complex": "bool",
    "TensorBase.is_signed": "bool",
    "TensorBase.is_inference": "bool",
    "TensorBase.equal": "bool",
    "TensorBase.allclose": "bool",
    "TensorBase._is_view": "bool",
    "TensorBase._storage_nbytes": "int",
    "TensorBase._storage_ptr": "int",
    "TensorBase.dtype": "dtype",
    "TensorBase.shape": "tuple[int, ...]",  # rstorch.Size, a tuple subclass
    "TensorBase.ndim": "int",
    "TensorBase.itemsize": "int",
    "TensorBase.nbytes": "int",
    "TensorBase.requires_grad": "bool",
    "TensorBase.is_leaf": "bool",
    "TensorBase.output_nr": "int",
    "TensorBase._version": "int",
    "TensorBase._is_view_of_writable": "bool",
    "TensorBase._creation_meta": "int",
    "TensorBase.__hash__": "int",
    # dtype
    "dtype.is_complex": "bool",
    "dtype.is_floating_point": "bool",
    "dtype.is_signed": "bool",
    "dtype.itemsize": "int",
    "dtype._name": "str",
    "dtype._cpp_name": "str",
    "dtype._scalar_type_name": "str",
    "dtype.to_real": "dtype",
    "dtype.__repr__": "str",
    "dtype.__hash__": "int",
    # Generator
    "Generator.initial_seed": "int",
    "Generator.seed": "int",
    "Generator.manual_seed": "Generator",
    # module functions
    "is_grad_enabled": "bool",
    "is_inference_mode_enabled": "bool",
    "get_num_threads": "int",
    "set_num_threads": "None",
    "promote_types": "dtype",
    "can_cast": "bool",
    "_cached_bytes": "int",
    "_empty_cache": "None",
}

# Module attributes that are not part of the module's API surface (the import system's).
_MODULE_SKIP = {"__doc__", "__file__", "__loader__", "__name__", "__package__", "__spec__",
                "__all__", "__builtins__", "__cached__", "__path__"}
# Class attributes every class has, or that stubtest ignores and mypy provides.
_CLASS_SKIP = {"__doc__", "__module__", "__dict__", "__weakref__", "__qualname__",
               "__text_signature__", "__firstlineno__", "__static_attributes__"}

_NO_VALUE = object()


def _builtin_names() -> set[str]:
    return {n for n in dir(builtins) if isinstance(getattr(builtins, n), type)}


class Gen:
    def __init__(self, mod: types.ModuleType):
        self.mod = mod
        self.classes = {n: o for n, o in vars(mod).items() if isinstance(o, type)}
        self.builtin_types = _builtin_names()
        self.used_returns: set[str] = set()
        self.aliases: set[str] = set()  # module classes referenced from a class that shadows them
        self.needs_self = False
        self.needs_disjoint = False
        self.typing_imports = {"Any"}

    # ---- types -------------------------------------------------------------------------
    def type_expr(self, expr: str, shadowed: set[str]) -> str:
        """Render a RETURNS expression: builtins qualified (the module defines `bool`, `round`...),
        module classes through a private alias where a class member shadows their name."""
        out, word = [], ""
        for ch in expr + " ":
            if ch.isidentifier() or (word and ch.isalnum()):
                word += ch
                continue
            if word:
                out.append(self._name(word, shadowed))
                word = ""
            out.append(ch)
        return "".join(out).strip()

    def _name(self, word: str, shadowed: set[str]) -> str:
        if word == "None":
            return word
        if word in self.classes:
            if word in shadowed:
                self.aliases.add(word)
                return f"_{word}_t"
            return word
        if word in self.builtin_types:
            return f"builtins.{word}"
        raise SystemExit(f"gen_stub: RETURNS names unknown type {word!r}")

    def ret(self, key: str, shadowed: set[str], default: str = "Any") -> str:
        if key in RETURNS:
            self.used_returns.add(key)
            return self.type_expr(RETURNS[key], shadowed)
        return default

    def annotation_of_value(self, value: Any, shadowed: set[str]) -> str:
        t = type(value)
        if t in (int, float, str, bytes, bool, complex):
            return f"builtins.{t.__name__}"
        if t is type(None):
            return "None"
        # the most derived class of this module it is an instance of (a Python subclass of one,
        # such as rstorch.Generator for default_generator, is typed as its _C base)
        best = None
        for name, cls in sorted(self.classes.items()):
            if isinstance(value, cls) and (best is None or issubclass(cls, self.classes[best])):
                best = name
        return self._name(best, shadowed) if best is not None else "Any"

    # ---- signatures --------------------------------------------------------------------
    @staticmethod
    def default_repr(value: Any) -> str:
        if value is None or isinstance(value, (bool, int, float, str)):
            r = repr(value)
            if isinstance(value, float) and r in ("inf", "-inf", "nan"):
                return "..."
            return r
        return "..."

    def params(self, fn: Any, first: str | None) -> str | None:
        """Parameter list `a: Any, b: Any = 0, *, out: Any = None`; None if the runtime gives
        no signature. `first` is the implicit first parameter, printed bare (self / cls)."""
        P = inspect.Parameter
        try:
            params = list(inspect.signature(fn).parameters.values())
        except (ValueError, TypeError):
            fixed = self._parse_keyword_signature(fn)
            if fixed is None:
                return None
            params = fixed
        if first is not None:
            if params and params[0].name in ("self", "cls", "type") and params[0].kind in (
                    P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD):
                params[0] = params[0].replace(name=first)
            else:
                kind = (P.POSITIONAL_ONLY if params and params[0].kind == P.POSITIONAL_ONLY
                        else P.POSITIONAL_OR_KEYWORD)
                params.insert(0, P(first, kind))
            # `self, /, other` says nothing `self, other` does not
            if params[0].kind == P.POSITIONAL_ONLY and (
                    len(params) == 1 or params[1].kind != P.POSITIONAL_ONLY):
                params[0] = params[0].replace(kind=P.POSITIONAL_OR_KEYWORD)
        parts: list[str] = []
        last_kind = None
        for i, p in enumerate(params):
            if last_kind == P.POSITIONAL_ONLY and p.kind != P.POSITIONAL_ONLY:
                parts.append("/")
            if p.kind == P.KEYWORD_ONLY and last_kind not in (P.KEYWORD_ONLY, P.VAR_POSITIONAL):
                parts.append("*")
            if i == 0 and first is not None:
                parts.append(first)
            elif p.kind == P.VAR_POSITIONAL:
                parts.append(f"*{p.name}: Any")
            elif p.kind == P.VAR_KEYWORD:
                parts.append(f"**{p.name}: Any")
            elif p.default is P.empty:
                parts.append(f"{p.name}: Any")
            else:
                parts.append(f"{p.name}: Any = {self.default_repr(p.default)}")
            last_kind = p.kind
        if last_kind == P.POSITIONAL_ONLY:
            parts.append("/")
        return ", ".join(parts)

    @staticmethod
    def _parse_keyword_signature(fn: Any) -> list[inspect.Parameter] | None:
        """A text signature inspect rejects because a parameter is a Python keyword (`from`):
        rename it `from_` (torch's stubs do the same) and make every parameter up to the last
        renamed one positional-only, which is all a caller can do with it anyway."""
        text = getattr(fn, "__text_signature__", None)
        if not text or not text.startswith("(") or not text.endswith(")"):
            return None
        names = [x.strip() for x in text[1:-1].split(",") if x.strip()]
        bases = [n.partition("=")[0].lstrip("$") for n in names]
        renamed = [i for i, b in enumerate(bases) if keyword.iskeyword(b)]
        if not renamed:
            return None
        fixed = [(b + "_" if keyword.iskeyword(b) else b) + n.partition("=")[1] + n.partition("=")[2]
                 for b, n in zip(bases, names)]
        try:
            params = list(inspect.signature(_fake(fixed)).parameters.values())
        except Exception:
            return None
        P = inspect.Parameter
        return [p.replace(kind=P.POSITIONAL_ONLY)
                if i <= renamed[-1] and p.kind == P.POSITIONAL_OR_KEYWORD else p
                for i, p in enumerate(params)]

    # ---- emitters ----------------------------------------------------------------------
    def func(self, name: str, fn: Any, key: str, first: str | None, indent: str,
             shadowed: set[str], decorator: str | None = None, ret: str | None = None) -> list[str]:
        ps = self.params(fn, first)
        if ps is None:
            ps = ", ".join(([first] if first else []) + ["*args: Any", "**kwargs: Any"])
        lines = [f"{indent}@{decorator}"] if decorator else []
        r = ret if ret is not None else self.ret(key, shadowed)
        lines.append(f"{indent}def {name}({ps}) -> {r}: ...")
        return lines

    def klass(self, name: str, cls: type) -> list[str]:
        bases = [b for b in cls.__bases__ if b is not object]
        base_names = []
        for b in bases:
            if b.__module__ == "builtins":
                base_names.append(f"builtins.{b.__name__}")
            elif self.classes.get(b.__name__) is b:
                base_names.append(b.__name__)
            else:
                raise SystemExit(f"gen_stub: base {b!r} of {name} is not in {MODULE}")
        head = f"class {name}({', '.join(base_names)}):" if base_names else f"class {name}:"
        if not cls.__flags__ & _TPFLAGS_BASETYPE:
            self.typing_imports.add("final")
            head = "@final\n" + head
        elif _is_disjoint_base(cls):
            self.needs_disjoint = True
            head = "@disjoint_base\n" + head
        members = {k: v for k, v in vars(cls).items() if k not in _CLASS_SKIP}
        shadowed = set(members)
        body: list[str] = []
        inst = _NO_VALUE
        ind = "    "
        for attr in sorted(members):
            obj = members[attr]
            key = f"{name}.{attr}"
            kind = type(obj).__name__
            if attr == "__new__":
                # PyO3's __new__ says ($type, *args, **kwargs); the class's own text signature
                # is the constructor's (stubtest compares against the same).
                self.needs_self = True
                ps = self.params(cls, "cls") if cls.__text_signature__ is not None else None
                if ps is None:
                    ps = "cls, *args: Any, **kwargs: Any"
                body.append(f"{ind}def __new__({ps}) -> Self: ...")
            elif obj is None:
                body.append(f"{ind}{attr}: ClassVar[None]  # type: ignore[assignment]")
            elif isinstance(obj, classmethod) or kind == "classmethod_descriptor":
                body += self.func(attr, getattr(cls, attr), key, "cls", ind, shadowed,
                                  decorator="classmethod")
            elif isinstance(obj, staticmethod):
                body += self.func(attr, getattr(cls, attr), key, None, ind, shadowed,
                                  decorator="staticmethod")
            elif kind in ("method_descriptor", "wrapper_descriptor", "function",
                          "builtin_function_or_method"):
                body += self.func(attr, obj, key, "self", ind, shadowed)
                if attr == "__ipow__" and "__pow__" in members:
                    # mypy wants __ipow__ to accept __pow__'s arguments, but the slot wrapper
                    # of nb_inplace_power takes no `mod` (stubtest checks the real signature)
                    body[-1] += "  # type: ignore[misc]"
            elif kind in ("getset_descriptor", "member_descriptor", "property"):
                if inst is _NO_VALUE:
                    inst = _instance(self.mod, cls)
                t = self.ret(key, shadowed)
                body.append(f"{ind}@property")
                body.append(f"{ind}def {attr}(self) -> {t}: ...")
                if _settable(obj, inst):
                    body.append(f"{ind}@{attr}.setter")
                    body.append(f"{ind}def {attr}(self, value: {t}) -> None: ...")
            else:
                body.append(f"{ind}{attr}: ClassVar[{self.annotation_of_value(obj, shadowed)}]")
        if not body:
            return [head + " ..."]
        return [head] + body

    def module(self) -> str:
        mod = self.mod
        names = sorted(n for n in dir(mod) if n not in _MODULE_SKIP)
        blocks: list[list[str]] = []
        consts: list[str] = []
        for n in names:
            obj = getattr(mod, n)
            if isinstance(obj, type):
                blocks.append(self.klass(n, obj))
            elif callable(obj) and type(obj).__name__ in ("builtin_function_or_method", "function"):
                blocks.append(self.func(n, obj, n, None, "", set()))
            elif isinstance(obj, types.ModuleType):
                raise SystemExit(f"gen_stub: submodule {n} of {MODULE}: teach gen_stub.py about it")
            else:
                consts.append(f"{n}: {self.annotation_of_value(obj, set())}")
        stale = sorted(set(RETURNS) - self.used_returns)
        if stale:
            raise SystemExit(f"gen_stub: RETURNS entries for names {MODULE} no longer has: {stale}")

        if any("ClassVar[" in line for b in blocks for line in b):
            self.typing_imports.add("ClassVar")
        ext = (["Self"] if self.needs_self else []) + (
            ["disjoint_base"] if self.needs_disjoint else [])
        out = [_HEADER.strip("\n"), "", "import builtins",
               f"from typing import {', '.join(sorted(self.typing_imports))}"]
        if ext:
            out.append(f"from typing_extensions import {', '.join(sorted(ext))}")
        out.append("")
        if hasattr(mod, "__all__"):
            out.append("__all__ = [")
            out += [f"    {x!r}," for x in sorted(mod.__all__)]
            out.append("]")
            out.append("")
        out += consts
        for b in blocks:
            out.append("")
            out += b
        if self.aliases:
            out.append("")
            out += [f"_{a}_t = {a}" for a in sorted(self.aliases)]
        return "\n".join(out) + "\n"


_HEADER = '''
"""Type stub of the extension module rstorch._C (rust/python).

GENERATED by scripts/gen_stub.py from the built module; do not edit by hand. After changing
the bindings, rebuild (scripts/build-inplace) and regenerate:

    PYTHONPATH=python python scripts/gen_stub.py

tests/test_stub.py checks it with mypy's stubtest and fails when it is out of date.
"""
'''


_TPFLAGS_BASETYPE = 1 << 10
_SIZEOF_PTR = struct.calcsize("P")


def _is_disjoint_base(typ: type) -> bool:
    """PEP 800: a class whose instances have a different C layout from its base's (every
    #[pyclass] with Rust state). Mirrors CPython's shape_differs(), as stubtest does."""
    base = typ.__base__
    if base is None:
        return True
    if sys.version_info >= (3, 12) or typ.__itemsize__ or base.__itemsize__:
        return typ.__basicsize__ != base.__basicsize__ or typ.__itemsize__ != base.__itemsize__
    size = typ.__basicsize__
    if not base.__weakrefoffset__ and typ.__weakrefoffset__ + _SIZEOF_PTR == size:
        size -= _SIZEOF_PTR
    if not base.__dictoffset__ and typ.__dictoffset__ + _SIZEOF_PTR == size:
        size -= _SIZEOF_PTR
    if not base.__weakrefoffset__ and base.__weakrefoffset__ == size:
        size -= _SIZEOF_PTR
    return size != base.__basicsize__


def _fake(params: list[str]) -> Callable[..., Any]:
    src = "def f({}): pass".format(", ".join(params))
    ns: dict[str, Any] = {}
    exec(src, {"__builtins__": builtins, "Ellipsis": Ellipsis}, ns)  # noqa: S102 (trusted text)
    f: Callable[..., Any] = ns["f"]
    return f


def _instance(mod: types.ModuleType, cls: type) -> Any:
    """A fresh instance to probe descriptors on, else an existing module-level one."""
    try:
        return cls()
    except Exception:
        pass
    for v in vars(mod).values():
        if type(v) is cls:
            return v
    return _NO_VALUE


def _settable(desc: Any, inst: Any) -> bool:
    """A getset descriptor without a C setter raises AttributeError('... is not writable')
    before looking at the value; one with a setter rejects (or takes) the sentinel."""
    if isinstance(desc, property):
        return desc.fset is not None
    if inst is _NO_VALUE:
        return False
    try:
        desc.__set__(inst, _Sentinel())
    except AttributeError as e:
        return "not writable" not in str(e) and "readonly" not in str(e)
    except Exception:
        return True
    return True


class _Sentinel:
    pass


def generate() -> str:
    import importlib

    return Gen(importlib.import_module(MODULE)).module()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--check", action="store_true", help="exit 1 if the stub is out of date")
    g.add_argument("--stdout", action="store_true", help="print the stub")
    args = ap.parse_args(argv)
    text = generate()
    if args.stdout:
        sys.stdout.write(text)
        return 0
    if args.check:
        if not OUT.exists() or OUT.read_text() != text:
            print(f"{OUT} is out of date: run `PYTHONPATH=python python scripts/gen_stub.py`")
            return 1
        return 0
    OUT.write_text(text)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
