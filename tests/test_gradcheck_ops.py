"""gradcheck over every differentiable OpInfo of `opinfo.op_db` (tests/opinfo/: one op table
for the value tests and the gradient tests), and gradgradcheck over their small samples."""

import numpy as np
import pytest

import rstorch
from rstorch.autograd import gradcheck, gradgradcheck

from opinfo import gradcheck_inputs, op_db

# second derivatives are checked on the samples with at most this many float elements (a
# gradgradcheck costs about numel^2 backward passes), or an op's smallest sample
DOUBLE_BACKWARD_MAX_NUMEL = 40


CASES = sorted(((info.family, info) for info in op_db if info.differentiable), key=lambda c: c[0])


def _tensors(sample):
    """The sample's float arrays as float64 leaves requiring grad; other args unchanged."""
    args = []
    for a in sample.args:
        if isinstance(a, np.ndarray):
            if a.dtype.kind == "f":
                args.append(rstorch.tensor(a.astype(np.float64), dtype=rstorch.float64, requires_grad=True))
            else:
                args.append(rstorch.tensor(a))
        else:
            args.append(a)
    return args


def _float_numel(sample):
    return sum(a.size for a in sample.args if isinstance(a, np.ndarray) and a.dtype.kind == "f")


def _check(info, checker, max_numel=None):
    samples = gradcheck_inputs(info)
    if max_numel is not None:   # the small samples, or at least the smallest one
        small = [s for s in samples if _float_numel(s) <= max_numel]
        samples = small or [min(samples, key=_float_numel)]
    for sample in samples:
        args = _tensors(sample)
        positions = [i for i, a in enumerate(args) if isinstance(a, rstorch.Tensor) and a.requires_grad]
        if not positions:
            continue

        def fn(*diff, args=args, positions=positions, kwargs=sample.kwargs):
            full = list(args)
            for i, t in zip(positions, diff):
                full[i] = t
            return info.op(*full, **kwargs)

        assert checker(fn, tuple(args[i] for i in positions)), f"{info.name} {sample}"


# Backward rules that gradcheck finds wrong, as strict xfails: the mark must go once a rule is
# fixed. (Empty: every rule passes.)
KNOWN_WRONG = {}


def _cases():
    for f, i in CASES:
        why = KNOWN_WRONG.get((f, i.name))
        marks = [pytest.mark.xfail(reason=why, strict=True)] if why else []
        yield pytest.param(f, i, id=f"{f}-{i.name}", marks=marks)


@pytest.mark.parametrize("family, info", list(_cases()))
def test_gradcheck(family, info):
    _check(info, gradcheck)


# ops whose second derivative torch refuses on these samples (tests/test_autograd.py checks
# the error)
FIRST_ORDER_ONLY = {("index", "scatter_reduce_prod_two_zeros")}
SECOND_ORDER = [(f, i) for f, i in CASES if (f, i.name) not in FIRST_ORDER_ONLY]


@pytest.mark.parametrize("family, info", SECOND_ORDER, ids=[f"{f}-{i.name}" for f, i in SECOND_ORDER])
def test_gradgradcheck(family, info):
    _check(info, gradgradcheck, DOUBLE_BACKWARD_MAX_NUMEL)

