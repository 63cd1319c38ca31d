"""Record PyTorch's public op surface for tests/test_op_table.py: the names of `torch.*`
callables and of `torch.Tensor`'s methods, so the op table's forms can be checked against
torch's without torch installed.

    python tests/tools/record_torch_surface.py   # with torch importable; writes tests/data/torch_surface.json
"""

import json
import pathlib

import torch


def main():
    functions = sorted(n for n in dir(torch) if not n.startswith("__") and callable(getattr(torch, n))
                       and not isinstance(getattr(torch, n), type))
    methods = sorted(n for n in dir(torch.Tensor) if not n.startswith("__") and callable(getattr(torch.Tensor, n)))
    out = {"torch": torch.__version__, "functions": functions, "methods": methods}
    path = pathlib.Path(__file__).resolve().parents[1] / "data" / "torch_surface.json"
    path.write_text(json.dumps(out, indent=0) + "\n")
    print(f"wrote {path}: {len(functions)} functions, {len(methods)} methods")


if __name__ == "__main__":
    main()
