"""rstorch.utils.data against PyTorch's recorded answers (record_torch.py): the same seed gives the
same batch order, the same sampler draws, the same splits and worker seeds, the same collation."""

import json
import pathlib
import sys
import warnings

import pytest

import rstorch
import rstorch.utils.data  # noqa: F401

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import data_cases as cases  # noqa: E402

EXPECTED = json.loads((HERE / "torch_expected.json").read_text())


@pytest.mark.parametrize("case", cases.CASES, ids=lambda c: c.__name__)
def test_case(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # more workers than cores
        got = json.loads(json.dumps(case(rstorch)))
    assert got == EXPECTED[case.__name__]
