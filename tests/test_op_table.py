"""The op table (python/rstorch/_ops/_table.py) against everything that must agree with it:

- the forms a row declares exist, and the kernel provides the ones it says it does;
- the forms match PyTorch's surface (tests/data/torch_surface.json, recorded from torch 2.15 by
  tests/tools/record_torch_surface.py), except the listed, explained differences;
- each row's declared signature is its implementation's, and the Rust method's parameters;
- each backward key names a rule of autograd/rules/, and each rule belongs to a row or is
  listed as internal;
- each row has OpInfo entries (tests/opinfo/) or names the test file that covers it;
- each dtype rule predicts the kernels' result dtypes on the OpInfo samples;
- every public function of `rstorch` is a row's or belongs to a non-op module (factories,
  random, dtype helpers, grad modes)."""

import inspect
import json
import pathlib
import re
import sys

import numpy as np
import pytest

import rstorch
from rstorch import _C
from rstorch._ops import _table
from rstorch._ops._table import COMPOSITE, OWN, ROWS, parse_signature, predict_dtype
from rstorch.autograd.rules import RULES

from opinfo import op_db, realize, rs_dtype

TESTS = pathlib.Path(__file__).parent
SURFACE = json.loads((TESTS / "data" / "torch_surface.json").read_text())
TORCH_FUNCTIONS, TORCH_METHODS = set(SURFACE["functions"]), set(SURFACE["methods"])


def _forms(op):
    """(kind, name) of every form the row declares."""
    for n in (op.name,) + op.aliases:
        if op.function is not False:
            yield "function", n
        if op.method is not False:
            yield "method", n
        if op.inplace is not False:
            yield "inplace", n + "_"
        if op.has_inplace_function(n):
            yield "inplace_function", n + "_"


def _provided(method):
    """A method the Tensor classes define themselves (the Rust kernel's, or _tensor.py's)."""
    return hasattr(_C.TensorBase, method) or method in vars(rstorch.Tensor)


# the namespace of a family's function forms, where it is not `rstorch` (torch.special's own ops)
FAMILY_NAMESPACES = {"rstorch._ops.special": rstorch.special}


def test_rows_exist_as_declared():
    missing = []
    for op in ROWS.values():
        functions = FAMILY_NAMESPACES.get(_family_module(op), rstorch)
        for kind, name in _forms(op):
            where = functions if kind in ("function", "inplace_function") else rstorch.Tensor
            if not callable(getattr(where, name, None)):
                missing.append((op.name, kind, name))
        if op.method is True and not _provided(op.name):
            missing.append((op.name, "kernel method", op.name))
        if op.inplace is True and not _provided(op.name + "_"):
            missing.append((op.name, "kernel in-place method", op.name + "_"))
    assert not missing


# Where rstorch's forms differ from torch's today, and why. The test fails when one is fixed (or a
# new one appears), so this list stays the truth.
KNOWN_DIFFERENCES = {
    ("inplace", n + "_"): "extra: the Rust binding's in-place operator table has them; torch has none"
    for n in ("maximum", "minimum", "fmax", "fmin")
}


def test_forms_match_torch():
    differences = set()
    for op in ROWS.values():
        for n in (op.name,) + op.aliases:
            ours = {
                "function": callable(getattr(rstorch, n, None)),
                "method": callable(getattr(rstorch.Tensor, n, None)),
                "inplace": callable(getattr(rstorch.Tensor, n + "_", None)),
                "inplace_function": callable(getattr(rstorch, n + "_", None)),
            }
            theirs = {
                "function": n in TORCH_FUNCTIONS, "method": n in TORCH_METHODS,
                "inplace": n + "_" in TORCH_METHODS, "inplace_function": n + "_" in TORCH_FUNCTIONS,
            }
            for kind in ours:
                if ours[kind] != theirs[kind]:
                    differences.add((kind, n + ("_" if kind.startswith("inplace") else ""),
                                     "extra" if ours[kind] else "missing"))
    known = {(k, n) for k, n in KNOWN_DIFFERENCES}
    got = {(k, n) for k, n, _ in differences}
    assert got - known == set(), sorted(d for d in differences if (d[0], d[1]) not in known)
    assert known - got == set(), f"fixed, remove from KNOWN_DIFFERENCES: {sorted(known - got)}"


def _params(sig, skip_first=False):
    ps = list(sig.parameters.values())[1 if skip_first else 0:]
    return [(p.name, p.kind, p.default) for p in ps]


def _function_signature(op):
    fn = getattr(sys.modules[_family_module(op)], op.name)
    impl = getattr(fn, "impl", None)
    if impl is not None:
        return inspect.signature(impl), True
    return inspect.signature(fn), False


def _family_module(op):
    for name, mod in sys.modules.items():
        if name.startswith("rstorch._ops.") and op in getattr(mod, "OPS", ()):
            return name
    raise AssertionError(f"{op.name}: no family module")


def test_signatures_are_the_implementations():
    """A hand-written function form has exactly the declared parameters (names, kinds,
    defaults); a generated one carries the declared signature."""
    wrong = []
    for op in ROWS.values():
        if op.function is False:
            continue
        declared = parse_signature(op.signature)
        sig, skip = _function_signature(op)
        if _params(sig, skip) != _params(declared):
            wrong.append((op.name, str(declared), str(sig)))
    assert not wrong


def _rust_params(method):
    text = getattr(method, "__text_signature__", None)
    if not text:
        return None
    text = text.replace("$self", "self")
    return [p.name for p in _table.parse_signature(text).parameters.values()][1:]


# where(condition, input, other) is input.where(condition, other); polygamma(n, input) is
# input.polygamma(n)
METHOD_SELF_IS_NOT_FIRST = {"where", "polygamma"}


def test_declared_signatures_match_the_rust_methods():
    """The parameter names of a kernel-provided method are the declared function's after its
    first (`input`), in order: the row and the binding cannot drift apart."""
    wrong = []
    for op in ROWS.values():
        if op.method is not True or op.function is False or op.name in METHOD_SELF_IS_NOT_FIRST:
            continue
        rust = _rust_params(getattr(_C.TensorBase, op.name, None))  # None: a method of _tensor.py
        if rust is None:
            continue
        declared = [n for n in parse_signature(op.signature).parameters if n != "out"][1:]
        if [n for n in rust if n != "out"] != declared:
            wrong.append((op.name, declared, rust))
    assert not wrong


# rule keys the Python recorder uses that are no row's: internal ops (the reflected operators,
# dtype/device moves, the views of indexing and slicing) and the families whose rows are still
# to be declared (the rstorch.linalg namespace: plain functions for now).
INTERNAL_RULES = {
    "_slice", "_to_device", "_to_dtype", "_unsafe_view", "alias", "contiguous", "copy_", "fill_", "expand",
    "view", "view_dtype", "radd", "rsub", "rmul", "rdiv", "rpow", "rfloor_divide", "rremainder", "index",
    "repeat", "unfold", "tril_", "triu_", "sign", "sgn",
    # the convolution's weight gradient (its own rule gives double backward) and F.unfold/F.fold's kernels
    "_convolution_backward_weight", "im2col", "col2im",
    "_cross_entropy",  # the fused kernel of nn.functional.cross_entropy (torch has no torch.* form)
    # the pooling kernels' backwards (recorded for double backward)
    "max_pool_backward", "avg_pool_backward", "adaptive_avg_pool_backward",
}


def _pending_rule(key):
    """Keys of the `rstorch.linalg` namespace (its functions are not rows yet)."""
    return key.startswith("linalg_") and key[len("linalg_"):] in dir(rstorch.linalg)


def test_backward_keys_name_rules():
    bad = [(op.name, op.backward) for op in ROWS.values()
           if op.backward not in (None, COMPOSITE) and op.backward not in RULES]
    assert not bad


def test_every_rule_belongs_to_a_row():
    claimed = {op.backward for op in ROWS.values()}
    orphans = sorted(k for k in RULES if k not in claimed and k not in INTERNAL_RULES and not _pending_rule(k))
    assert not orphans


# rows whose tests are hand-written family tests (views, splits: shapes, strides and storage
# sharing are what matters there, which the numpy-reference harness does not check)
TESTED_ELSEWHERE = {
    name: "test_views.py" for name in (
        "reshape", "permute", "transpose", "t", "squeeze", "unsqueeze", "flatten", "unflatten", "narrow",
        "select", "split", "split_with_sizes", "tensor_split", "hsplit", "vsplit", "dsplit", "chunk",
        "unbind", "movedim", "diagonal", "as_strided", "broadcast_to", "broadcast_tensors", "clone",
        "detach")
}
TESTED_ELSEWHERE.update({
    "positive": "test_ops_unary.py", "allclose": "test_ops_binary.py", "equal": "test_ops_binary.py",
    "max": "test_ops_reduce.py", "min": "test_ops_reduce.py", "norm": "test_ops_reduce.py",
    "diff": "test_ops_composite.py", "block_diag": "test_ops_composite.py", "cdist": "test_ops_composite.py",
    "trapezoid": "test_ops_composite.py",
    **{name: "test_more_composites.py" for name in (
        "ravel", "cumulative_trapezoid", "trapz", "gcd", "lcm", "cov", "corrcoef", "dist", "frexp", "unravel_index",
        "vander", "rsub", "adjoint")},
    **{name: "test_ops_linalg.py" for name in ("inverse", "det", "slogdet")},
    # torch's aten-level forms (torch.dropout, torch.kl_div with an int reduction, the *_copy
    # variants...): replayed against values recorded from torch
    **{name: "torch_forms_cases.py" for name in (
        "dropout", "alpha_dropout", "feature_dropout", "feature_alpha_dropout", "native_dropout", "celu", "selu",
        "threshold", "rrelu", "hardshrink", "prelu", "embedding", "bilinear", "cosine_similarity", "pdist",
        "pairwise_distance", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "constant_pad_nd", "group_norm",
        "native_group_norm", "instance_norm", "rms_norm", "binary_cross_entropy_with_logits", "kl_div",
        "cosine_embedding_loss", "hinge_embedding_loss", "margin_ranking_loss", "poisson_nll_loss",
        "triplet_margin_loss", "ctc_loss", "fill", "zero_", "is_distributed", "logdet", "angle", "chain_matmul",
        "frobenius_norm", "nuclear_norm", "norm_except_dim", "conj", "conj_physical", "resolve_conj",
        "resolve_neg", "real", "imag", "alias_copy", "as_strided_copy", "detach_copy", "diagonal_copy",
        "expand_copy", "permute_copy", "select_copy", "slice_copy", "split_copy", "split_with_sizes_copy",
        "squeeze_copy", "t_copy", "transpose_copy", "unbind_copy", "unfold_copy", "unsqueeze_copy", "view_copy",
        "matrix_rank", "eig", "lstsq", "symeig", "solve", "lu", "lu_solve", "lu_unpack", "index_reduce",
        "nonzero_static", "as_strided_scatter", "gradient")},
    # torch 2.x removed these two (they raise its message): no values to compare
    **{name: "test_linalg_decomp.py" for name in ("cholesky", "qr")},
    **{name: "test_ops_sort.py" for name in ("bincount", "histogram", "meshgrid", "tril_indices", "triu_indices")},
})


# OpInfo entries named after the operator they call
OPINFO_ROWS = {"lshift": "bitwise_left_shift", "rshift": "bitwise_right_shift"}


def _row_of(info):
    """The row an OpInfo entry tests: its name, less a `[variant]` or `_variant` suffix."""
    name = OPINFO_ROWS.get(info.name, info.name.split("[")[0])
    if name in ROWS:
        return name
    prefixes = [r for r in ROWS if name.startswith(r + "_")]
    return max(prefixes, key=len) if prefixes else None


def test_every_row_is_tested():
    covered = {_row_of(i) for i in op_db}
    untested = []
    for name in ROWS:
        if name in covered:
            continue
        where = TESTED_ELSEWHERE.get(name)
        if where is None or not re.search(rf"\b{re.escape(name)}\b", (TESTS / where).read_text()):
            untested.append(name)
    assert not untested


def _dtype_cases():
    for info in op_db:
        row = _row_of(info)
        if row is not None and ROWS[row].dtype != OWN and info.name == row:
            yield pytest.param(info, ROWS[row], id=info.name)


def _promotes(arg, dtype):
    """A Python number that lifts the result's category (a float number, or any number with bool
    tensors); ints beside integer or float tensors (dims, scalars) do not."""
    if isinstance(arg, np.ndarray) or not isinstance(arg, (int, float)):
        return False
    return isinstance(arg, float) or dtype == "bool"


@pytest.mark.parametrize("info,op", list(_dtype_cases()))
def test_dtype_rule_predicts_the_kernel(info, op):
    rng = np.random.default_rng(0)
    checked = 0
    for dtype in info.dtypes:
        for sample in info.samples(dtype, rng):
            if any(_promotes(a, dtype) for a in sample.args):
                continue  # such numbers promote by torch's wrapped-number rule, not the row's
            args, _ = realize(sample, dtype)
            result = info.op(*args, **sample.kwargs)
            result = result[0] if isinstance(result, tuple) else result
            want = predict_dtype(op.dtype, [a.dtype for a in args if isinstance(a, rstorch.Tensor)],
                                 rstorch.get_default_dtype())
            assert result.dtype is want, (op.name, dtype, sample)
            checked += 1
            break
    assert checked > 0


NON_OP_MODULES = ("rstorch._creation", "rstorch._random", "rstorch._functional", "rstorch._tensor_str", "rstorch._runtime")
NON_OP_NAMES = {  # runtime and autograd-mode functions
    "get_num_threads", "set_num_threads", "is_grad_enabled", "is_inference_mode_enabled", "is_anomaly_enabled",
    "is_anomaly_check_nan_enabled", "set_anomaly_enabled",
    "save", "load",  # rstorch.serialization
    "compile",  # rstorch._compile: returns the model as it is
    "vmap",  # rstorch.func.vmap (a transform)
    "autocast",  # rstorch.amp (a class; its state functions below)
} | set(__import__("rstorch.amp.autocast_mode").amp.autocast_mode.STATE_FUNCTIONS)


def test_public_functions_are_declared():
    declared = {n for op in ROWS.values() for n in op.names()} | NON_OP_NAMES
    for mod in NON_OP_MODULES:
        declared |= set(sys.modules[mod].__all__)
    public = [n for n in dir(rstorch) if not n.startswith("_") and callable(getattr(rstorch, n))
              and not isinstance(getattr(rstorch, n), type)]
    assert sorted(n for n in public if n not in declared) == []


def test_a_name_is_declared_once():
    seen = {}
    for op in ROWS.values():
        for kind, name in _forms(op):
            assert (kind, name) not in seen, (name, op.name, seen.get((kind, name)))
            seen[kind, name] = op.name
