"""Record torch's results for tests/test_func.py (the cases are tests/func_cases.py):

    /root/.cache/rstorch-torch-venv/bin/python tests/tools/record_func.py

writes tests/data/func_expected.json: per case its encoded result (values, shapes, dtypes,
requires_grad) or the error's type and message."""

import json
import pathlib
import sys

import torch
import torch.func  # noqa: F401 - `t.func` in the cases

HERE = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))
import func_cases as C  # noqa: E402


def main():
    torch.set_num_threads(1)
    out = {"torch": torch.__version__, "cases": {name: C.outcome(torch, fn) for name, fn in C.CASES.items()}}
    path = HERE / "data" / "func_expected.json"
    path.write_text(json.dumps(out, indent=0, sort_keys=True) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
