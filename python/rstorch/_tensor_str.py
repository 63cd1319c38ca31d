"""Tensor printing that reproduces ``torch/_tensor_str.py`` character for character.

The formatter has no dependency on the Tensor class (nor on numpy): the caller
passes the values as an array-like (an rstorch tensor or a numpy array: it needs
``shape``, ``reshape``, indexing by a tuple of slices and ``tolist()``) together
with the torch dtype name and the metadata that shows up in the suffixes
(device, autograd state). Only the printed elements are read: all of them, or
for a summarised tensor the edge blocks, as nested Python lists.

Only dense, strided, real-valued tensors are handled (rstorch has no complex,
sparse, quantized or nested tensors).
"""

import contextlib
import dataclasses
import itertools
import math
from typing import Any, Iterator, Optional

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


class _Formatter:
    """Chooses the number style and column width from (summarised) data, a flat list.

    For fixed (``.Nf``) and scientific (``.Ne``) formats, the length of the
    string of a nonzero finite value only grows with its magnitude (more
    integer digits) or, for scientific notation, with the magnitude of its
    exponent, and negatives get one extra character.  So the widest string
    always comes from the smallest or largest value of each sign, and so do
    the smallest and largest magnitudes: only those four values are needed
    (each found with one C-level pass).
    """

    def __init__(self, flat: list, floating: bool):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        self._choose(flat)
        # the format spec of every element (PRINT_OPTS stay as they are while a tensor prints)
        precision = PRINT_OPTS.precision
        self._spec = ("" if not floating else f"{self.max_width}.{precision}e" if self.sci_mode
                      else ".0f" if self.int_mode else f".{precision}f")
        self._point = floating and self.int_mode and not self.sci_mode  # "1." for integral floats

    def _choose(self, flat: list) -> None:
        floating = self.floating
        if not floating:
            if flat:
                widest = [min(flat), max(flat)]
                self.max_width = max(1, *(len(f"{v}") for v in widest))
            return

        finite = list(filter(math.isfinite, flat))
        pos = list(filter((0.0).__lt__, finite))
        neg = list(filter((0.0).__gt__, finite))
        if not pos and not neg:
            return

        extremes = []  # smallest and largest value of each sign
        for part in (pos, neg):
            if part:
                extremes.append(float(min(part)))
                extremes.append(float(max(part)))
        magnitudes = [abs(v) for v in extremes]
        smallest = min(magnitudes)
        largest = max(magnitudes)
        self.int_mode = _all_integers(pos) and _all_integers(neg)

        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = (
                largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
            )
        else:
            self.sci_mode = PRINT_OPTS.sci_mode

        precision = PRINT_OPTS.precision
        if self.sci_mode:
            widths = (len(f"{v:.{precision}e}") for v in extremes)
        elif self.int_mode:
            # A trailing "." marks the integers as floating point.
            widths = (len(f"{v:.0f}") + 1 for v in extremes)
        else:
            widths = (len(f"{v:.{precision}f}") for v in extremes)
        self.max_width = max(self.max_width, *widths)

    def width(self) -> int:
        return self.max_width

    def format(self, value) -> str:
        if self.floating:
            text = format(value, self._spec)
            if self._point and math.isfinite(value):
                text += "."
        else:
            text = f"{value}"
        return text.rjust(self.max_width)


# --------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------


def _all_integers(values: list) -> bool:
    try:
        return all(map(float.is_integer, values))
    except TypeError:  # ints among the values (an integer array given a floating dtype name)
        return all(v == math.ceil(v) for v in values)


def _summarized_lists(data, shape: tuple, edge: int) -> list:
    """torch's get_summarized_data as nested lists: along every dim longer than
    ``2 * edge`` only its first and last ``edge`` entries (edge > 0). The
    blocks are read with one slicing and one ``tolist()`` each, so only the
    printed elements are touched."""
    ndim = len(shape)

    def block(index: tuple, dim: int):
        if dim == ndim:
            return data[index].tolist()
        n = shape[dim]
        if n > 2 * edge:
            head = block(index + (slice(0, edge),), dim + 1)
            tail = block(index + (slice(n - edge, n),), dim + 1)
            return _join(head, tail, dim)
        return block(index + (slice(None),), dim + 1)

    return block((), 0)


def _join(a: list, b: list, depth: int) -> list:
    """Nested lists `a` and `b` concatenated along dim `depth`."""
    if depth == 0:
        return a + b
    return [_join(x, y, depth - 1) for x, y in zip(a, b)]


def _flatten(lists, ndim: int) -> list:
    if ndim == 0:
        return [lists]
    for _ in range(ndim - 1):
        lists = list(itertools.chain.from_iterable(lists))
    return lists


def _vector_str(row: list, n: int, indent: int, summarize: bool, formatter: _Formatter) -> str:
    """A 1-d row: ``row`` holds its printed elements (of ``n``: the edges when summarised)."""
    element_length = formatter.width() + 2  # the ", " separator
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
    edge = PRINT_OPTS.edgeitems
    fmt = formatter.format

    if summarize and not edge:
        items = ["..."]
    elif summarize and n > 2 * edge:
        items = [fmt(v) for v in row[:edge]] + [" ..."] + [fmt(v) for v in row[edge:]]
    else:
        items = [fmt(v) for v in row]

    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(lists, shape: tuple, indent: int, summarize: bool, formatter: _Formatter) -> str:
    ndim = len(shape)
    if ndim == 0:
        return formatter.format(lists)
    if ndim == 1:
        return _vector_str(lists, shape[0], indent, summarize, formatter)

    edge = PRINT_OPTS.edgeitems
    if summarize and shape[0] > 2 * edge:
        rows = lists[:edge] + [None] + lists[len(lists) - edge :]
    else:
        rows = lists
    inner = shape[1:]
    slices = [
        "..." if row is None else _nested_str(row, inner, indent + 1, summarize, formatter)
        for row in rows
    ]
    separator = "," + "\n" * (ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(slices) + "]"


def _tensor_str(data, shape: tuple, size: int, indent: int, floating: bool) -> str:
    if size == 0:
        return "[]"
    summarize = size > PRINT_OPTS.threshold
    edge = PRINT_OPTS.edgeitems
    if summarize and shape and not edge:
        # no edge items: every summarised dim prints as "..." (the widths go unused)
        return "[...]"
    if summarize and shape:
        lists = _summarized_lists(data, shape, edge)
    else:
        lists = data.tolist()
    formatter = _Formatter(_flatten(lists, len(shape)), floating)
    return _nested_str(lists, shape, indent, summarize, formatter)


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

    values: the tensor's values, an rstorch tensor or numpy array (float16 as
        np.float16 or wider, bfloat16 as np.float32 in numpy).
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
    data = values
    if shape is not None:
        shape = tuple(int(s) for s in shape)
        if tuple(data.shape) != shape:
            data = data.reshape(shape)
    shape = tuple(int(s) for s in data.shape)
    size = math.prod(shape)
    if indent is None:
        indent = len(prefix)

    suffixes = []
    if device is not None and str(device) != "cpu":
        suffixes.append(f"device='{device}'")

    dtype_suffix = f"dtype={module}.{dtype_name}"
    size_suffix = "size=" + str(shape)
    if size == 0:
        # Explicitly print the shape if it is not (0,), like NumPy does.
        if len(shape) != 1:
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
        body = _tensor_str(data, shape, size, indent, dtype_name in _FLOATING_DTYPES)

    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")

    return _add_suffixes(prefix + body, suffixes, indent)
