"""`torch.testing`: `assert_close` (torch's default tolerances per dtype, its messages, nested
sequences and mappings, numbers and numpy arrays) and `make_tensor`."""

import collections.abc
import math

from . import _C
from ._creation import tensor as _tensor
from ._tensor import Tensor

__all__ = ["assert_close", "make_tensor", "assert_allclose"]

# (rtol, atol) by dtype, torch's table
_TOLERANCES = {"float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5), "float32": (1.3e-6, 1e-5),
               "float64": (1e-7, 1e-7)}


def _tolerances(dtype):
    return _TOLERANCES.get(str(dtype).rsplit(".", 1)[-1], (0.0, 0.0))


class _Mismatch(AssertionError):
    pass


def _is_tensor_like(x):
    return isinstance(x, Tensor) or type(x).__module__ == "numpy" and type(x).__name__ == "ndarray"


def _fail(msg, custom, path):
    if callable(custom):
        msg = custom(msg)
    elif custom is not None:
        msg = custom
    elif path:
        msg += "\n\nThe failure occurred for item " + "".join(f"[{p!r}]" for p in path)
    raise AssertionError(msg)


def _compare_scalars(actual, expected, rtol, atol, equal_nan, msg, path):
    if isinstance(actual, bool) or isinstance(expected, bool) or actual is None or expected is None:
        if actual != expected:
            _fail(f"Booleans mismatch: {actual} is not {expected}" if isinstance(actual, bool)
                  else f"None mismatch: {actual} is not {expected}", msg, path)
        return
    if type(actual) is not type(expected):
        _fail(f"The (d)types do not match: {type(actual)} != {type(expected)}.", msg, path)
    if isinstance(actual, float):
        d_rtol, d_atol = _TOLERANCES["float64"]
    else:
        d_rtol, d_atol = 0.0, 0.0
    rtol = d_rtol if rtol is None else rtol
    atol = d_atol if atol is None else atol
    if actual == expected or (equal_nan and math.isnan(actual) and math.isnan(expected)):
        return
    diff = abs(actual - expected)
    if not (math.isnan(diff)) and diff <= atol + rtol * abs(expected):
        return
    rel = diff / abs(expected) if expected != 0 else math.inf
    kind = "close" if rtol or atol else "equal"
    lines = [f"Scalars are not {kind}!", "", f"Expected {expected} but got {actual}.",
             f"Absolute difference: {diff}" + (f" (up to {atol} allowed)" if kind == "close" else ""),
             f"Relative difference: {rel}" + (f" (up to {rtol} allowed)" if kind == "close" else "")]
    _fail("\n".join(lines), msg, path)


def _as_tensor(x):
    if isinstance(x, Tensor):
        return x
    from ._creation import from_numpy
    return from_numpy(x)


def _compare_tensors(actual, expected, rtol, atol, equal_nan, check_device, check_dtype, check_stride, msg, path,
                     allow_subclasses):
    if not allow_subclasses and type(actual) is not type(expected):
        _fail(f"Except for scalars, type equality is required if allow_subclasses=False, but got "
              f"{type(actual)} and {type(expected)} instead.", msg, path)
    actual, expected = _as_tensor(actual), _as_tensor(expected)
    if actual.shape != expected.shape:
        _fail(f"The values for attribute 'shape' do not match: {actual.shape} != {expected.shape}.", msg, path)
    if check_device and actual.device != expected.device:
        _fail(f"The values for attribute 'device' do not match: {actual.device} != {expected.device}.", msg, path)
    if check_dtype and actual.dtype != expected.dtype:
        _fail(f"The values for attribute 'dtype' do not match: {actual.dtype} != {expected.dtype}.", msg, path)
    if check_stride and actual.stride() != expected.stride():
        _fail(f"The values for attribute 'stride()' do not match: {actual.stride()} != {expected.stride()}.", msg, path)
    if rtol is None or atol is None:
        d_rtol, d_atol = (max(a, b) for a, b in zip(_tolerances(actual.dtype), _tolerances(expected.dtype)))
        rtol = d_rtol if rtol is None else rtol
        atol = d_atol if atol is None else atol
    a, e = actual.detach().cpu(), expected.detach().cpu()
    if a.dtype != e.dtype:
        common = _C.promote_types(a.dtype, e.dtype)
        a, e = a.to(common), e.to(common)
    if a.dtype == _C.bool:
        a, e = a.to(_C.int64), e.to(_C.int64)
    close = a.isclose(e, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if bool(close.all()):
        return
    total = close.numel()
    bad = total - int(close.sum())
    floating = a.dtype.is_floating_point
    af, ef = (a, e) if floating else (a.to(_C.int64), e.to(_C.int64))
    absdiff = (af - ef).abs()
    absdiff = absdiff.masked_fill(close, 0)
    denom = ef.abs() if floating else ef.abs().to(_C.float32)  # torch's relative difference of integers
    reldiff = (absdiff.to(denom.dtype) / denom).masked_fill(close, 0)
    if floating:
        # a NaN on one side only counts as an infinitely large difference at its position
        nan_diff = a.isnan() ^ e.isnan()
        absdiff = absdiff.masked_fill(nan_diff, math.nan)
    ia = int(absdiff.nan_to_num(nan=math.inf).reshape(-1).argmax()) if absdiff.numel() else 0
    ir = int(reldiff.nan_to_num(nan=math.inf).reshape(-1).argmax()) if reldiff.numel() else 0

    def index(i):
        idx = []
        for n in reversed(tuple(a.shape)):
            idx.append(i % n)
            i //= n
        return tuple(reversed(idx))

    def fmt(t, i):
        v = t.reshape(-1)[i].item()
        return v

    kind = "close" if rtol or atol else "equal"
    lines = [f"Tensor-likes are not {kind}!", "", f"Mismatched elements: {bad} / {total} ({bad / total * 100:.1f}%)"]
    ga = f"Greatest absolute difference: {fmt(absdiff, ia)} at index {index(ia)}"
    gr = f"Greatest relative difference: {fmt(reldiff, ir)} at index {index(ir)}"
    if kind == "close":
        ga += f" (up to {atol} allowed)"
        gr += f" (up to {rtol} allowed)"
    lines += [ga, gr]
    _fail("\n".join(lines), msg, path)


def _compare(actual, expected, path, **kw):
    if _is_tensor_like(actual) or _is_tensor_like(expected):
        if not (isinstance(actual, Tensor) and isinstance(expected, Tensor)
                or not isinstance(actual, Tensor) and not isinstance(expected, Tensor)
                and _is_tensor_like(actual) and _is_tensor_like(expected)):
            raise TypeError(f"No comparison pair was able to handle inputs of type {type(actual)} and {type(expected)}.")
        _compare_tensors(actual, expected, kw["rtol"], kw["atol"], kw["equal_nan"], kw["check_device"],
                         kw["check_dtype"], kw["check_stride"], kw["msg"], path, kw["allow_subclasses"])
        return
    if isinstance(actual, collections.abc.Mapping) and isinstance(expected, collections.abc.Mapping):
        if set(actual) != set(expected):
            _fail(f"The keys of the mappings do not match:\nMissing keys in the actual mapping: "
                  f"{sorted(set(expected) - set(actual))}\nAdditional keys in the actual mapping: "
                  f"{sorted(set(actual) - set(expected))}", kw["msg"], path)
        for k in expected:
            _compare(actual[k], expected[k], path + [k], **kw)
        return
    if (isinstance(actual, collections.abc.Sequence) and isinstance(expected, collections.abc.Sequence)
            and not isinstance(actual, str) and not isinstance(expected, str)):
        if len(actual) != len(expected):
            _fail(f"The length of the sequences mismatch: {len(actual)} != {len(expected)}", kw["msg"], path)
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, path + [i], **kw)
        return
    if isinstance(actual, (int, float, bool, type(None))) and isinstance(expected, (int, float, bool, type(None))):
        _compare_scalars(actual, expected, kw["rtol"], kw["atol"], kw["equal_nan"], kw["msg"], path)
        return
    if actual != expected:
        raise TypeError(f"No comparison pair was able to handle inputs of type {type(actual)} and {type(expected)}.")


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None, equal_nan=False,
                 check_device=True, check_dtype=True, check_layout=True, check_stride=False, msg=None):
    """Raise AssertionError unless `actual` and `expected` are close: |a - e| <= atol + rtol |e|
    elementwise, with matching shape, device and dtype (torch's defaults per dtype)."""
    if (rtol is None) != (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got no {'rtol' if rtol is None else 'atol'}.")
    _compare(actual, expected, [], rtol=rtol, atol=atol, equal_nan=equal_nan, check_device=check_device,
             check_dtype=check_dtype, check_stride=check_stride, msg=msg, allow_subclasses=allow_subclasses)


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=""):
    """Deprecated in torch for `assert_close`; kept with its looser semantics (dtype not checked)."""
    if not isinstance(actual, Tensor):
        actual = _tensor(actual)
    if not isinstance(expected, Tensor):
        expected = _tensor(expected, dtype=actual.dtype)
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_dtype=False,
                 check_device=True, msg=msg or None)


def make_tensor(*shape, dtype, device, low=None, high=None, requires_grad=False, noncontiguous=False,
                exclude_zero=False, memory_format=None):
    """A random tensor for tests: floats uniform in [low, high) (default [-9, 9)), integers in
    [low, high) (default [-9, 10) clipped to the dtype), bools either way."""
    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = tuple(shape[0])
    from ._creation import empty
    from . import _random
    if dtype == _C.bool:
        t = _random.randint(0, 2, shape, device=device).to(_C.bool)
    elif dtype.is_floating_point:
        lo = -9.0 if low is None else float(low)
        hi = 9.0 if high is None else float(high)
        if lo > hi:
            raise ValueError(f"`low` must be less than or equal to `high`, but got {lo} > {hi}")
        t = empty(shape, dtype=dtype, device=device).uniform_(lo, hi)
    else:
        from ._dtype_info import iinfo
        info = iinfo(dtype)
        lo = max(-9 if low is None else int(math.ceil(low)), info.min)
        hi = min(10 if high is None else int(math.ceil(high)), info.max + 1)
        if lo >= hi:
            raise ValueError(f"`low` must be less than `high`, but got {lo} >= {hi}")
        t = _random.randint(lo, hi, shape, dtype=dtype, device=device)
    if exclude_zero:
        one = 1 if not dtype.is_floating_point else (hi - lo) / 2 + lo if lo > 0 or hi < 0 else 0.5 * max(abs(lo), abs(hi), 1)
        t = t.masked_fill(t == 0, one)
    if noncontiguous and t.numel() > 1:
        t = t.repeat_interleave(2, dim=-1)[..., ::2]
    if requires_grad:
        t.requires_grad_(True)
    return t
