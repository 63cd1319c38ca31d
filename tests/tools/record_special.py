"""Record torch's results for tests/test_special.py (the cases are tests/special_cases.py):

    /root/.cache/rstorch-torch-venv/bin/python tests/tools/record_special.py

writes tests/data/special_expected.json: per case and input dtype the result's dtype and values
(or the error's type and message), the out= checks' errors, gradients with their grad_fn names."""

import json
import pathlib
import sys

import torch

HERE = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))
import special_cases as C  # noqa: E402


def outcome(fn):
    try:
        r = fn()
    except Exception as e:  # noqa: BLE001 - the error is what is recorded
        return {"error": [type(e).__name__, str(e).split("\n")[0]]}
    return {"dtype": str(r.dtype).replace("torch.", ""), "shape": list(r.shape), "values": r.double().flatten().tolist()}


def main():
    out = {"torch": torch.__version__, "unary": {}, "binary": {}, "scalar_forms": {}, "errors": {}, "grads": {}}
    for name, (fn, values) in C.UNARY.items():
        out["unary"][name] = {d: outcome(lambda: fn(torch, C.make(torch, values, d))) for d in C.DTYPES}
    for name, (fn, xs, ys) in C.BINARY.items():
        cases = {}
        for d in ("float64", "float32", "float16", "bfloat16", "int64"):
            cases[d] = outcome(lambda: fn(torch, C.make(torch, xs, d).unsqueeze(1), C.make(torch, ys, d)))
        out["binary"][name] = cases
    for name, fn in C.SCALAR_FORMS.items():
        out["scalar_forms"][name] = {d: outcome(lambda: fn(torch, C.make(torch, C.SCALAR_INPUT, d)))
                                     for d in ("float64", "float32", "int64")}
    for name, fn in C.ERRORS.items():
        out["errors"][name] = outcome(lambda: fn(torch))
    for name, (fn, points) in C.GRADS.items():
        x = torch.tensor(points, dtype=torch.float64, requires_grad=True)
        y = fn(torch, x)
        g, = torch.autograd.grad(y.sum(), x)
        out["grads"][name] = {"grad_fn": y.grad_fn.name(), "grad": g.tolist()}
    path = HERE / "data" / "special_expected.json"
    path.write_text(json.dumps(out, indent=0, sort_keys=True) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
