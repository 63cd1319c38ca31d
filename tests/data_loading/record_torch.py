"""Records PyTorch's answers to the cases of data_cases.py into torch_expected.json.

Run with the torch venv:  /root/.cache/rstorch-torch-venv/bin/python tests/data_loading/record_torch.py
The tests (test_data_torch_parity.py) replay the same cases on rstorch and need no torch."""

import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import torch  # noqa: E402
import torch.utils.data  # noqa: E402

import data_cases as cases  # noqa: E402


def main():
    out = {"torch_version": torch.__version__}
    for case in cases.CASES:
        out[case.__name__] = json.loads(json.dumps(case(torch)))
    (HERE / "torch_expected.json").write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print("recorded", len(cases.CASES), "cases with torch", torch.__version__)


if __name__ == "__main__":
    main()
