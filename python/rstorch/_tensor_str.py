"""Tensor printing that reproduces ``torch/_tensor_str.py`` character for character.

The formatter works on plain numpy data so that it has no dependency on the
Tensor class: the caller passes the tensor's values as a numpy array together
with the torch dtype name and the metadata that shows up in the suffixes
(device, autograd state).

Only dense, strided, real-valued tensors are handled (rstorch has no complex,
sparse, quantized or nested tensors).
"""

import contextlib
import dataclasses
import math
from typing import Any, Iterator, Optional

import numpy as np

__all__ = [
    "PrintOptions",
    "PRINT_OPTS",
    "set_printoptions",
    "get_printoptions",
    "printoptions",
    "format_tensor",
]

_FLOATING_DTYPES = frozenset({"float16", "bfloat16", "float32", "float64"})

# dtypes whose name is never printed for non-empty tensors (besides the
# default floating dtype): torch infers them from the literal.
_IMPLICIT_DTYPES = frozenset({"int64", "bool"})


@dataclasses.dataclass
class PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: Optional[bool] = None


PRINT_OPTS = PrintOptions()

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(
    precision=None,
    threshold=None,
    edgeitems=None,
    linewidth=None,
    profile=None,
    sci_mode=None,
):
    """Set options for printing, like ``torch.set_printoptions``.

    As in torch, a profile ("default", "short" or "full") is applied first and
    explicit options override it; ``sci_mode`` is always assigned, so leaving it
    out resets it to automatic (``None``).
    """
    if profile is not None and profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(PRINT_OPTS, name, value)
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current options, as keyword arguments for ``set_printoptions``."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs) -> Iterator[None]:
    """Temporarily change the print options (same arguments as set_printoptions)."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


# --------------------------------------------------------------------------
# Element formatting
# --------------------------------------------------------------------------


def _extremes(values: np.ndarray) -> list[float]:
    """The values whose formatted strings are the widest ones.

    For fixed (``.Nf``) and scientific (``.Ne``) formats, the length of the
    string of a nonzero finite value only grows with its magnitude (more
    integer digits) or, for scientific notation, with the magnitude of its
    exponent, and negatives get one extra character.  So the widest string
    always comes from the smallest or largest value of each sign.
    """
    out: list[float] = []
    for part in (values[values > 0], values[values < 0]):
        if part.size:
            out.append(float(part.min()))
            out.append(float(part.max()))
    return out


class _Formatter:
    """Chooses the number style and column width from (summarised) data."""

    def __init__(self, data: np.ndarray, floating: bool):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1

        flat = data.reshape(-1)
        if not floating:
            if flat.size:
                if flat.dtype == np.bool_:
                    widest = [bool(flat.min()), bool(flat.max())]
                else:
                    widest = [int(flat.min()), int(flat.max())]
                self.max_width = max(1, *(len(f"{v}") for v in widest))
            return

        values = flat.astype(np.float64)
        values = values[np.isfinite(values) & (values != 0)]
        if values.size == 0:
            return

        magnitudes = np.abs(values)
        smallest = float(magnitudes.min())
        largest = float(magnitudes.max())
        self.int_mode = bool(np.all(values == np.ceil(values)))

        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = (
                largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
            )
        else:
            self.sci_mode = PRINT_OPTS.sci_mode

        precision = PRINT_OPTS.precision
        if self.sci_mode:
            widths = (len(f"{v:.{precision}e}") for v in _extremes(values))
        elif self.int_mode:
            # A trailing "." marks the integers as floating point.
            widths = (len(f"{v:.0f}") + 1 for v in _extremes(values))
        else:
            widths = (len(f"{v:.{precision}f}") for v in _extremes(values))
        self.max_width = max(self.max_width, *widths)

    def width(self) -> int:
        return self.max_width

    def format(self, value) -> str:
        if self.floating:
            precision = PRINT_OPTS.precision
            if self.sci_mode:
                text = f"{value:{self.max_width}.{precision}e}"
            elif self.int_mode:
                text = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    text += "."
            else:
                text = f"{value:.{precision}f}"
        else:
            text = f"{value}"
        return text.rjust(self.max_width)


# --------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------


def _summarized_data(data: np.ndarray) -> np.ndarray:
    """Only the elements that get printed when summarising (torch's get_summarized_data)."""
    edge = PRINT_OPTS.edgeitems
    if data.ndim == 0:
        return data
    if data.ndim == 1:
        if data.shape[0] > 2 * edge:
            # Note: with edgeitems == 0, data[-0:] is the whole vector, as in torch.
            return np.concatenate((data[:edge], data[-edge:]))
        return data
    if not edge:
        return data[(slice(0, 0),) * data.ndim]
    index = [
        np.r_[0:edge, n - edge : n] if n > 2 * edge else np.arange(n)
        for n in data.shape
    ]
    return data[np.ix_(*index)]


def _vector_str(data: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    element_length = formatter.width() + 2  # the ", " separator
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
    edge = PRINT_OPTS.edgeitems
    fmt = formatter.format

    if summarize and not edge:
        items = ["..."]
    elif summarize and data.shape[0] > 2 * edge:
        items = (
            [fmt(v) for v in data[:edge].tolist()]
            + [" ..."]
            + [fmt(v) for v in data[-edge:].tolist()]
        )
    else:
        items = [fmt(v) for v in data.tolist()]

    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(data: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    if data.ndim == 0:
        return formatter.format(data.item())
    if data.ndim == 1:
        return _vector_str(data, indent, summarize, formatter)

    edge = PRINT_OPTS.edgeitems
    n = data.shape[0]
    if summarize and n > 2 * edge:
        rows = list(range(edge)) + [None] + list(range(n - edge, n))
    else:
        rows = list(range(n))
    slices = [
        "..." if i is None else _nested_str(data[i], indent + 1, summarize, formatter)
        for i in rows
    ]
    separator = "," + "\n" * (data.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(slices) + "]"


def _tensor_str(data: np.ndarray, indent: int, floating: bool) -> str:
    if data.size == 0:
        return "[]"
    summarize = data.size > PRINT_OPTS.threshold
    formatter = _Formatter(_summarized_data(data) if summarize else data, floating)
    return _nested_str(data, indent, summarize, formatter)


def _add_suffixes(tensor_str: str, suffixes: list[str], indent: int) -> str:
    parts = [tensor_str]
    # torch's arithmetic, off by two when there is no newline; kept for fidelity.
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def format_tensor(
    values,
    dtype_name: str,
    *,
    shape=None,
    device: Optional[str] = None,
    requires_grad: bool = False,
    grad_fn_name: Optional[str] = None,
    default_dtype: str = "float32",
    module: str = "rstorch",
    prefix: str = "tensor(",
    indent: Optional[int] = None,
) -> str:
    """``repr`` of a tensor, as torch prints it (with ``torch`` replaced by ``module``).

    values: numpy array with the tensor's values (float16 as np.float16 or
        wider, bfloat16 as np.float32, integers/bool as their numpy types).
    dtype_name: torch dtype name, e.g. "float32", "bfloat16", "int64", "bool".
    shape: the tensor shape, if ``values`` is not already of that shape.
    device: device string such as "wgpu:0"; None or "cpu" prints no device.
    grad_fn_name: e.g. "MulBackward0"; takes precedence over requires_grad.
    values None: a tensor without data (the meta device), printed as torch prints one:
        ``tensor(..., device='meta', size=(2, 3))``, with the dtype unless it is the default.
    """
    if values is None:
        suffixes = [f"device='{device}'", "size=" + str(tuple(int(s) for s in shape))]
        if dtype_name != default_dtype:
            suffixes.append(f"dtype={module}.{dtype_name}")
        if grad_fn_name is not None:
            suffixes.append(f"grad_fn=<{grad_fn_name}>")
        elif requires_grad:
            suffixes.append("requires_grad=True")
        return _add_suffixes(prefix + "...", suffixes, len(prefix) if indent is None else indent)
    data = np.asarray(values)
    if shape is not None:
        shape = tuple(int(s) for s in shape)
        if data.shape != shape:
            data = data.reshape(shape)
    if indent is None:
        indent = len(prefix)

    suffixes = []
    if device is not None and str(device) != "cpu":
        suffixes.append(f"device='{device}'")

    dtype_suffix = f"dtype={module}.{dtype_name}"
    size_suffix = "size=" + str(tuple(int(s) for s in data.shape))
    if data.size == 0:
        # Explicitly print the shape if it is not (0,), like NumPy does.
        if data.ndim != 1:
            suffixes.append(size_suffix)
        # With no elements the dtype cannot be inferred, so only the default
        # floating dtype goes without saying (int64 and bool are printed).
        if dtype_name != default_dtype:
            suffixes.append(dtype_suffix)
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(size_suffix)
        if dtype_name != default_dtype and dtype_name not in _IMPLICIT_DTYPES:
            suffixes.append(dtype_suffix)
        body = _tensor_str(data, indent, dtype_name in _FLOATING_DTYPES)

    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")

    return _add_suffixes(prefix + body, suffixes, indent)
