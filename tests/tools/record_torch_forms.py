"""Records tests/torch_forms_cases.py's cases on real torch into tests/data/torch_forms.json:
  /root/.cache/rstorch-torch-venv/bin/python tests/tools/record_torch_forms.py"""

import json
import pathlib
import sys
import warnings

import torch

TESTS = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS))
from torch_forms_cases import CASES, inputs  # noqa: E402


def encode(v):
    if isinstance(v, torch.Tensor):
        return {"tensor": v.detach().double().tolist(), "dtype": str(v.dtype).split(".")[1],
                "shape": list(v.shape)}
    if isinstance(v, (tuple, list)):
        return {"seq": [encode(x) for x in v]}
    if isinstance(v, torch.dtype):
        return {"dtype_value": str(v).split(".")[1]}
    if isinstance(v, torch.Size):
        return {"seq": list(v)}
    return {"value": v}


def main():
    out = {}
    for case in CASES:
        env = dict(inputs(torch), T=torch)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out[case] = encode(eval(case, env))
        except Exception as e:
            out[case] = {"raises": type(e).__name__, "message": str(e).split("\n")[0]}
    path = TESTS / "data" / "torch_forms.json"
    path.write_text(json.dumps(out, indent=0, allow_nan=True) + "\n")
    print(f"{len(out)} cases -> {path}")


if __name__ == "__main__":
    main()
