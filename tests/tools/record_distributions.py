"""Record torch's results for tests/test_distributions.py (the cases are tests/distributions_cases.py):

    /root/.cache/rstorch-torch-venv/bin/python tests/tools/record_distributions.py

writes tests/data/distributions_expected.json: per case its encoded result (seeded samples, scores,
moments, shapes, reprs) or the error's type and message."""

import json
import pathlib
import sys

import torch
import torch.distributions  # noqa: F401 - `t.distributions` in the cases

HERE = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))
import distributions_cases as C  # noqa: E402


def main():
    torch.set_num_threads(1)  # one summation order for the float results
    out = {"torch": torch.__version__, "cases": {name: C.outcome(torch, fn) for name, fn in C.CASES.items()}}
    path = HERE / "data" / "distributions_expected.json"
    path.write_text(json.dumps(out, indent=0, sort_keys=True) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
