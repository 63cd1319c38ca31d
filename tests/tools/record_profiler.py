"""Record torch's profiler table text for tests/test_profiler.py (the cases are
tests/profiler_cases.py: fixed events, so the text is exact):

    /root/.cache/rstorch-torch-venv/bin/python tests/tools/record_profiler.py

writes tests/data/profiler_tables.json: per case the string torch prints."""

import json
import pathlib
import sys

import torch
from torch.autograd import profiler_util

HERE = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))
import profiler_cases as C  # noqa: E402


def main():
    out = {"torch": torch.__version__, "cases": {name: fn(profiler_util) for name, fn in C.CASES.items()}}
    path = HERE / "data" / "profiler_tables.json"
    path.write_text(json.dumps(out, indent=0, sort_keys=True) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
