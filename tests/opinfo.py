"""The op table harness: one `OpInfo` per op, checked against a numpy float64 reference.

Each family declares its table in `tests/opdb_<family>.py` as `OPS = [OpInfo(...), ...]`;
`tests/test_ops_<family>.py` runs every op x dtype x layout through `check_op`, and the autograd
tests run every differentiable entry through gradcheck, so an op is declared once for both.

A sample is a `Sample(args, kwargs)` whose args are numpy arrays (become tensors), or plain
Python values (passed through unchanged). `check_op` builds the tensors in each layout:
- "contiguous": as is;
- "strided": the same values seen through a non-contiguous view (every other element of a
  larger buffer), so kernels' strided paths run.
Sample generators are responsible for shapes that exercise broadcasting, zero-size dims and
0-dim tensors (see `elementwise_shapes`).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Optional, Sequence

import numpy as np

import rstorch

FLOATS = ("float64", "float32", "float16", "bfloat16")
INTS = ("int64", "int32", "int16", "int8", "uint8")
ALL = FLOATS + INTS + ("bool",)
LAYOUTS = ("contiguous", "strided")

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

    def __repr__(self):
        return self.name


# ------------------------------------------------------------------ tensors from numpy


def rs_dtype(name: str):
    return getattr(rstorch, name)


def np_dtype(name: str):
    # numpy has no bfloat16: its values travel as float32 (np.dtype("bfloat16") would raise)
    return np.float32 if name == "bfloat16" else np.dtype(name)


def to_tensor(a: np.ndarray, dtype: str, layout: str = "contiguous"):
    """`a` (any numeric array) as an rstorch tensor of `dtype`, in `layout` (same values)."""
    a = np.asarray(a)
    src = np.asarray(a, dtype=np_dtype(dtype))
    if layout == "strided" and src.ndim > 0 and src.size > 0:
        big = np.zeros(src.shape + (2,), dtype=src.dtype)
        big[..., 0] = src
        t = rstorch.tensor(big, dtype=rs_dtype(dtype))[..., 0]
        assert not t.is_contiguous() or src.size <= 1
        return t
    return rstorch.tensor(src, dtype=rs_dtype(dtype))


def to_numpy64(t) -> np.ndarray:
    """A result tensor as numpy: float64 for floats, else its own dtype."""
    if t.dtype.is_floating_point:
        return t.double().numpy() if t.dtype is not rstorch.float64 else t.numpy()
    return t.numpy()


def realize(sample: Sample, dtype: str, layout: str):
    """The sample's args as (rstorch args, numpy args). Float arrays become tensors of the tested
    `dtype`; int and bool arrays (indices, masks, integer data) keep their own dtype. The numpy
    args are read back from the tensors, so the reference sees exactly the rounded values."""
    rs_args, np_args = [], []
    for a in sample.args:
        if isinstance(a, np.ndarray):
            t = to_tensor(a, dtype if a.dtype.kind == "f" else a.dtype.name, layout)
            rs_args.append(t)
            np_args.append(to_numpy64(t))
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


def check_op(info: OpInfo, dtype: str, layout: str, rng=None):
    """Run every sample of `info` at `dtype` in `layout` and compare with the reference."""
    rng = rng or np.random.default_rng(0)
    for sample in info.samples(dtype, rng):
        rs_args, np_args = realize(sample, dtype, layout)
        out = info.op(*rs_args, **sample.kwargs)
        ref = info.ref(*np_args, **sample.kwargs)
        outs = out if isinstance(out, (tuple, list)) else (out,)
        refs = ref if isinstance(ref, (tuple, list)) else (ref,)
        assert len(outs) == len(refs), f"{info.name}: {len(outs)} outputs, reference has {len(refs)}"
        want = (info.result_dtype or (lambda d: d))(dtype)
        for k, (o, r) in enumerate(zip(outs, refs)):
            msg = f"{info.name} {dtype} {layout} {sample} output {k}"
            if k == 0 and want is not None:
                assert dtype_name(o.dtype) == want, f"{msg}: dtype {o.dtype} != {want}"
            res_dtype = dtype_name(o.dtype)
            tol = info.tol.get(res_dtype) if info.tol else None
            assert_close(o, r, res_dtype, tol, info.equal_nan, msg)


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
