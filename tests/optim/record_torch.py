"""Record PyTorch's results of the cases in optim_cases.py into torch_expected.json.

Run with a Python that has torch (the tests themselves do not need it):

    /root/.cache/rstorch-torch-venv/bin/python tests/optim/record_torch.py
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import optim_cases  # noqa: E402
import torch  # noqa: E402


def main():
    torch.set_num_threads(1)  # one summation order for the float results
    out = {"torch_version": torch.__version__, "cases": {}}
    for name, fn in optim_cases.CASES.items():
        out["cases"][name] = fn(torch)
    path = os.path.join(HERE, "torch_expected.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(out['cases'])} cases to {path}")


if __name__ == "__main__":
    main()
