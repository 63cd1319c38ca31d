"""rstorch.nn against the PyTorch results recorded by record_torch.py (same cases, nn_cases.py):
same seed, same parameters bit for bit; same reprs, error types and messages; the same training
losses to float32 tolerance."""

import json
import math
import os
import re
import warnings

import pytest

import nn_cases
import rstorch

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "torch_expected.json")) as f:
    EXPECTED = json.load(f)["cases"]

# torch's spelling of the objects rstorch names after itself (dtypes, Size, legacy tensor types,
# module paths); other mentions of torch (documentation links, torch.nn.Module.to_empty() in
# messages, torch.Tensor in argument texts) are kept as torch writes them
_OURS = re.compile(r"\btorch\.(Size\(|(?:float|int|uint|bfloat|bool)\w*\b|half\b|double\b|long\b|\w+Tensor\b"
                   r"|nn\.modules\.|nn\.parameter\.)")


def ours(s):
    return _OURS.sub(r"rstorch.\1", s)


def compare(got, want, kind, path="result"):
    if isinstance(want, dict) and set(want) == {"dtype", "shape", "values"}:
        assert isinstance(got, dict) and set(got) == set(want), path
        assert got["dtype"] == want["dtype"] and got["shape"] == want["shape"], (path, got["dtype"], got["shape"])
        compare(got["values"], want["values"], kind, path + ".values")
    elif isinstance(want, dict):
        assert isinstance(got, dict) and list(got) == list(want), (path, list(got), list(want))
        for k in want:
            compare(got[k], want[k], kind, f"{path}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), (path, got, want)
        for i, (g, w) in enumerate(zip(got, want)):
            compare(g, w, kind, f"{path}[{i}]")
    elif isinstance(want, str):
        assert got == ours(want), path
    elif isinstance(want, float) and not isinstance(want, bool):
        assert isinstance(got, (int, float)), (path, got)
        if kind == "exact" or math.isinf(want) or math.isnan(want):
            assert got == want or (math.isnan(got) and math.isnan(want)), (path, got, want)
        else:
            assert got == pytest.approx(want, rel=2e-5, abs=2e-6), path
    else:
        assert got == want and type(got) is type(want), (path, got, want)


def _jsonable(x):
    """A result as json.dump/load would give it back (tuples -> lists, float keys -> str...)."""
    return json.loads(json.dumps(x))


@pytest.mark.parametrize("name", sorted(nn_cases.CASES))
def test_case(name):
    kind, fn = nn_cases.CASES[name]
    assert EXPECTED[name]["kind"] == kind
    prev = rstorch.get_num_threads()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            got = _jsonable(fn(rstorch))
        finally:
            rstorch.set_num_threads(prev)
    compare(got, EXPECTED[name]["result"], kind)


def test_recording_is_complete():
    assert set(EXPECTED) == set(nn_cases.CASES)


def test_names_map():
    assert ours("torch.Size([2, 3]) torch.float32 torch.FloatTensor torch.nn.modules.linear.Linear") == \
        "rstorch.Size([2, 3]) rstorch.float32 rstorch.FloatTensor rstorch.nn.modules.linear.Linear"
    assert ours("use torch.nn.Module.to_empty() (torch Tensor or None required)") == \
        "use torch.nn.Module.to_empty() (torch Tensor or None required)"
