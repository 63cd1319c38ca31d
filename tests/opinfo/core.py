"""The op table harness: one `OpInfo` per op, checked against a numpy float64 reference.

Each family declares its table in `tests/opinfo/<family>.py` as `OPS = [OpInfo(...), ...]`
(`opinfo.op_db` is all of them, like torch's common_methods_invocations). tests/test_ops.py runs
every entry over op x device x dtype (x layout): values against the reference (`check_op`), the
method and in-place variants an entry declares (`check_op(..., variant=)`), its error inputs
(`check_error_inputs`) and, once the meta device exists, shapes/dtypes/strides on "meta"
(`check_meta`). tests/test_gradcheck_ops.py runs every differentiable entry through gradcheck,
so an op is declared once for all of them.

A sample is a `Sample(args, kwargs)` whose args are numpy arrays (become tensors), or plain
Python values (passed through unchanged). `realize` builds the tensors on the tested device
(`DEVICES`, defined here only) in each layout:
- "contiguous": as is;
- "strided": the same values seen through a non-contiguous view (every other element of a
  larger buffer), so kernels' strided paths run.
Sample generators are responsible for shapes that exercise broadcasting, zero-size dims and
0-dim tensors (see `elementwise_shapes`).

An `ErrorInput(sample, error_type, error_regex)` is a sample on which the op must raise
`error_type` with a message matching `error_regex` (`re.search`), as in torch's OpInfo; an
entry's `error_inputs(device)` lists them. The messages are torch's (checked against torch 2.x
by the family tests they come from).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np

import rstorch

FLOATS = ("float64", "float32", "float16", "bfloat16")
INTS = ("int64", "int32", "int16", "int8", "uint8")
ALL = FLOATS + INTS + ("bool",)
LAYOUTS = ("contiguous", "strided")
# the devices every entry runs on (the one place to add one: "wgpu" once its kernels are in)
DEVICES = ("cpu",)

# (rtol, atol) per result dtype: what a correct float-rounded kernel achieves.
TOLERANCES = {
    "float64": (1e-10, 1e-12),
    "float32": (2e-6, 1e-6),
    "float16": (2e-3, 1e-3),
    "bfloat16": (1.6e-2, 1e-2),
}


@dataclasses.dataclass
class Sample:
    args: tuple
    kwargs: dict = dataclasses.field(default_factory=dict)

    def __repr__(self):
        def show(a):
            return f"array{a.shape}:{a.dtype}" if isinstance(a, np.ndarray) else repr(a)
        return f"Sample({', '.join(show(a) for a in self.args)}, {self.kwargs})"


@dataclasses.dataclass
class ErrorInput:
    """`op(*sample)` must raise `error_type` with a message matching `error_regex` (re.search).
    Float arrays of the sample become float32 tensors, other arrays keep their dtype; tensors
    and plain values pass through."""
    sample: Sample
    error_type: type
    error_regex: str

    def __repr__(self):
        return f"ErrorInput({self.sample}, {self.error_type.__name__}, {self.error_regex!r})"


@dataclasses.dataclass
class OpInfo:
    """One op of the table.

    op:       the rstorch call, `op(*tensors_and_values, **kwargs)`, e.g. `lambda x: rstorch.exp(x)`
    ref:      the numpy reference on float64 (or the sample's own int/bool) arrays
    dtypes:   dtype names the op supports (each gets its own samples)
    samples:  `samples(dtype_name, rng) -> list[Sample]`
    result_dtype: `result_dtype(dtype_name) -> dtype_name` of the output (default: the input's)
    differentiable: run through gradcheck by the autograd tests (float64 samples)
    tol:      overrides of TOLERANCES per dtype name
    grad_samples: samples for gradcheck if the defaults are unsuitable (e.g. away from kinks)
    method:   the method variant, `method(*args, **kwargs)`, e.g. `lambda x: x.exp()` (checked
              against the same reference)
    inplace:  the in-place variant, e.g. `lambda x: x.exp_()`: must return its first argument,
              holding the reference values; checked on the samples where the function's result
              has the first argument's shape and dtype
    error_inputs: `error_inputs(device) -> list[ErrorInput]`
    meta:     whether the op runs on the meta device (shape, dtype and strides without data):
              False for ops whose output shape depends on the data (nonzero, masked_select,
              unique, boolean-mask indexing, ...), or `meta(sample) -> bool` where only some
              samples are data-dependent; where False the meta run must raise `meta_error`
    family:   the table the entry comes from (set by `opinfo.op_db`)
    """
    name: str
    op: Callable
    ref: Callable
    dtypes: Sequence[str]
    samples: Callable
    result_dtype: Optional[Callable] = None
    differentiable: bool = True
    tol: dict = dataclasses.field(default_factory=dict)
    grad_samples: Optional[Callable] = None
    equal_nan: bool = True
    method: Optional[Callable] = None
    inplace: Optional[Callable] = None
    error_inputs: Optional[Callable] = None
    meta: Union[bool, Callable] = True
    meta_error: type = NotImplementedError
    family: str = ""

    def __repr__(self):
        return self.name


# ------------------------------------------------------------------ tensors from numpy


def rs_dtype(name: str):
    return getattr(rstorch, name)


def np_dtype(name: str):
    return np.float32 if name == "bfloat16" else np.dtype(name)


def to_tensor(a: np.ndarray, dtype: str, layout: str = "contiguous", device: str = "cpu"):
    """`a` (any numeric array) as an rstorch tensor of `dtype` on `device`, in `layout` (same
    values)."""
    a = np.asarray(a)
    src = np.asarray(a, dtype=np_dtype(dtype))
    if layout == "strided" and src.ndim > 0 and src.size > 0:
        big = np.zeros(src.shape + (2,), dtype=src.dtype)
        big[..., 0] = src
        t = rstorch.tensor(big, dtype=rs_dtype(dtype), device=device)[..., 0]
        assert not t.is_contiguous() or src.size <= 1
        return t
    return rstorch.tensor(src, dtype=rs_dtype(dtype), device=device)


def to_numpy64(t) -> np.ndarray:
    """A result tensor as numpy (a copy, read back to the host): float64 for floats, else its
    own dtype."""
    if t.device.type != "cpu":
        t = t.cpu()
    if t.dtype.is_floating_point:
        return t.double().numpy() if t.dtype is not rstorch.float64 else t.numpy()
    return t.numpy()


def realize(sample: Sample, dtype: str, layout: str = "contiguous", device: str = "cpu"):
    """The sample's args as (rstorch args, numpy args), the tensors on `device`. Float arrays
    become tensors of the tested `dtype`; int and bool arrays (indices, masks, integer data) keep
    their own dtype. The numpy args are read back from the tensors (copies, so in-place variants
    leave them alone), so the reference sees exactly the rounded values."""
    rs_args, np_args = [], []
    for a in sample.args:
        if isinstance(a, np.ndarray):
            t = to_tensor(a, dtype if a.dtype.kind == "f" else a.dtype.name, layout, device)
            rs_args.append(t)
            np_args.append(np.array(to_numpy64(t), copy=True))
        else:
            rs_args.append(a)
            np_args.append(a)
    return rs_args, np_args


def assert_close(actual, expected, dtype: str, tol=None, equal_nan=True, msg=""):
    """Compare a result tensor with a numpy reference computed in float64."""
    expected = np.asarray(expected)
    assert tuple(actual.shape) == expected.shape, f"{msg}: shape {tuple(actual.shape)} != {expected.shape}"
    got = to_numpy64(actual)
    if actual.dtype.is_floating_point:
        rtol, atol = tol or TOLERANCES[dtype]
        np.testing.assert_allclose(got, expected.astype(np.float64), rtol=rtol, atol=atol,
                                   equal_nan=equal_nan, err_msg=msg)
    else:
        np.testing.assert_array_equal(got, expected.astype(got.dtype), err_msg=msg)


def dtype_name(d) -> str:
    return str(d).replace("rstorch.", "")


def _outputs(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _inplace_applies(info, sample, rs_args) -> bool:
    """Whether the in-place variant can run on `sample`: the function's result has the first
    argument's shape and dtype (in-place ops neither broadcast nor promote their self)."""
    first = rs_args[0]
    if not isinstance(first, rstorch.Tensor):
        return False
    out = _outputs(info.op(*rs_args, **sample.kwargs))[0]
    return tuple(out.shape) == tuple(first.shape) and out.dtype == first.dtype


def check_op(info: OpInfo, dtype: str, layout: str, rng=None, device: str = "cpu", variant: str = "op") -> int:
    """Run every sample of `info` at `dtype` in `layout` on `device` through `variant` ("op",
    "method" or "inplace") and compare with the reference; returns the number of samples run
    (the in-place variant skips those it cannot take, see `_inplace_applies`)."""
    rng = rng or np.random.default_rng(0)
    fn = {"op": info.op, "method": info.method, "inplace": info.inplace}[variant]
    ran = 0
    for sample in info.samples(dtype, rng):
        rs_args, np_args = realize(sample, dtype, layout, device)
        if variant == "inplace" and not _inplace_applies(info, sample, rs_args):
            continue
        ref = info.ref(*np_args, **sample.kwargs)
        out = fn(*rs_args, **sample.kwargs)
        if variant == "inplace":
            assert out is rs_args[0], f"{info.name}: the in-place variant does not return its input"
        outs, refs = _outputs(out), _outputs(ref)
        assert len(outs) == len(refs), f"{info.name}: {len(outs)} outputs, reference has {len(refs)}"
        want = (info.result_dtype or (lambda d: d))(dtype)
        for k, (o, r) in enumerate(zip(outs, refs)):
            msg = f"{info.name} {variant} {device} {dtype} {layout} {sample} output {k}"
            assert o.device.type == rstorch.device(device).type, f"{msg}: device {o.device}"
            if k == 0 and want is not None:
                assert dtype_name(o.dtype) == want, f"{msg}: dtype {o.dtype} != {want}"
            res_dtype = dtype_name(o.dtype)
            tol = info.tol.get(res_dtype) if info.tol else None
            assert_close(o, r, res_dtype, tol, info.equal_nan, msg)
        ran += 1
    return ran


def error(args, error_type: type, message: str, kwargs=None, prefix: bool = False) -> ErrorInput:
    """An ErrorInput whose message is exactly `message` (or starts with it, where `prefix`)."""
    regex = "^" + re.escape(message) + ("" if prefix else "$")
    return ErrorInput(Sample(tuple(args), dict(kwargs or {})), error_type, regex)


def attach_error_inputs(ops, table: dict):
    """Sets `error_inputs` of the entries named in `table` (name -> `fn(device)`); every name
    must be an entry of `ops`."""
    by_name = {info.name: info for info in ops}
    for name, fn in table.items():
        by_name[name].error_inputs = fn


def realize_error_input(e: ErrorInput, device: str = "cpu"):
    """An ErrorInput's args: float arrays as float32 tensors, other arrays in their own dtype,
    on `device`; tensors and plain values unchanged."""
    args = []
    for a in e.sample.args:
        if isinstance(a, np.ndarray):
            args.append(to_tensor(a, "float32" if a.dtype.kind == "f" else a.dtype.name, "contiguous", device))
        else:
            args.append(a)
    return args


def check_error_inputs(info: OpInfo, device: str = "cpu") -> int:
    """Every error input of `info` on `device` raises its error type with a matching message;
    returns how many were checked."""
    errors = info.error_inputs(device)
    assert errors, f"{info.name}: error_inputs gave nothing"
    for e in errors:
        args = realize_error_input(e, device)
        try:
            info.op(*args, **e.sample.kwargs)
        except Exception as exc:  # noqa: BLE001 - the type is asserted below
            assert type(exc) is e.error_type or isinstance(exc, e.error_type), \
                f"{info.name} {e}: raised {type(exc).__name__}: {exc}"
            assert re.search(e.error_regex, str(exc)), f"{info.name} {e}: message {str(exc)!r}"
        else:
            raise AssertionError(f"{info.name} {e}: did not raise")
    return len(errors)


# ------------------------------------------------------------------ the meta device


def meta_available() -> bool:
    """Whether the meta device exists in this build (`rstorch.empty(1, device="meta")` works)."""
    try:
        t = rstorch.empty(1, device="meta")
        return t.device.type == "meta"
    except Exception:  # noqa: BLE001 - any failure means: not yet
        return False


def _to_meta(args):
    # the same sizes and strides (`to("meta")` would make a non-dense strided input dense)
    return [rstorch.empty_strided(a.shape, a.stride(), dtype=a.dtype, device="meta")
            if isinstance(a, rstorch.Tensor) else a for a in args]


def _runs_on_meta(info: OpInfo, sample: Sample) -> bool:
    return info.meta(sample) if callable(info.meta) else bool(info.meta)


def check_meta(info: OpInfo, dtype: str, rng=None) -> int:
    """For every sample (both layouts): the op on CPU inputs and on meta tensors of the same
    sizes, strides and dtypes give results of the same shape, dtype and strides, on the meta
    device. Where the entry (or sample) is data-dependent (`info.meta`), the meta run must raise
    `info.meta_error` instead. Returns the number of samples run."""
    rng = rng or np.random.default_rng(0)
    ran = 0
    for sample in info.samples(dtype, rng):
        for layout in LAYOUTS:
            rs_args, _ = realize(sample, dtype, layout, "cpu")
            meta_args = _to_meta(rs_args)
            msg = f"{info.name} meta {dtype} {layout} {sample}"
            if not _runs_on_meta(info, sample):
                try:
                    info.op(*meta_args, **sample.kwargs)
                except info.meta_error:
                    pass
                else:
                    raise AssertionError(f"{msg}: data-dependent op ran on meta without {info.meta_error.__name__}")
                ran += 1
                continue
            outs = _outputs(info.op(*rs_args, **sample.kwargs))
            metas = _outputs(info.op(*meta_args, **sample.kwargs))
            assert len(outs) == len(metas), f"{msg}: {len(metas)} outputs on meta, {len(outs)} on cpu"
            for k, (o, m) in enumerate(zip(outs, metas)):
                assert m.device.type == "meta", f"{msg} output {k}: device {m.device}"
                assert tuple(m.shape) == tuple(o.shape), f"{msg} output {k}: shape {tuple(m.shape)} != {tuple(o.shape)}"
                assert m.dtype == o.dtype, f"{msg} output {k}: dtype {m.dtype} != {o.dtype}"
                assert tuple(m.stride()) == tuple(o.stride()), \
                    f"{msg} output {k}: strides {tuple(m.stride())} != {tuple(o.stride())}"
            ran += 1
    return ran


# ------------------------------------------------------------------ sample helpers


def elementwise_shapes(nary: int = 1) -> list:
    """Shape tuples covering the layouts an elementwise op must handle: plain, 0-dim, zero-size,
    and (for nary > 1) broadcasting both ways."""
    if nary == 1:
        return [(5, 7), (), (0, 3), (1,), (3, 1, 4)]
    shapes = [((5, 7),) * nary, ((),) * nary, ((0, 3),) * nary, ((4, 1),) + ((4, 6),) * (nary - 1),
              ((2, 1, 3),) + ((5, 1),) * (nary - 1), ((3, 4),) + ((),) * (nary - 1)]
    return shapes


def random_array(rng, shape, dtype: str, low=-3.0, high=3.0) -> np.ndarray:
    """Values suited to `dtype`: floats in [low, high), ints in a small range, bools."""
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype in INTS:
        lo = 0 if dtype == "uint8" else max(int(low), -10)
        return rng.integers(lo, max(int(high), lo + 1) + 1, size=shape).astype(dtype)
    return rng.uniform(low, high, size=shape).astype(np.float64)


def with_specials(a: np.ndarray) -> np.ndarray:
    """A float array with NaN, +-inf, +-0 written into its first elements (where there is room)."""
    a = np.array(a, dtype=np.float64, copy=True)
    flat = a.reshape(-1)
    for i, v in enumerate([np.nan, np.inf, -np.inf, 0.0, -0.0][: flat.size]):
        flat[i] = v
    return a


def gradcheck_inputs(info: OpInfo, rng=None):
    """float64 samples for gradcheck: `grad_samples` if given, else the float64 samples with
    at least one element (finite differences need something to perturb)."""
    rng = rng or np.random.default_rng(1)
    samples = info.grad_samples(rng) if info.grad_samples else info.samples("float64", rng)
    return [s for s in samples if all(not isinstance(a, np.ndarray) or a.size > 0 for a in s.args)]
