"""Record torch's autocast result dtypes for tests/test_amp.py (the cases: tests/amp_cases.py):

    /root/.cache/rstorch-torch-venv/bin/python tests/tools/record_amp.py

writes tests/data/amp_dtypes.json: per case, per autocast config ("cpu:bfloat16", "cpu:float16",
"cuda:float16") and input mode ("f32": float32 inputs, "mixed": input 0 already in the low dtype),
the dtype of the result (its first tensor when it is a tuple) or "error: Type: message".
CUDA is recorded without a GPU: under FakeTensorMode, tensors on "cuda" carry the AutocastCUDA
dispatch key, so torch's CUDA autocast kernels decide the dtypes (no data is computed). Also
records gradients of a small model trained one step under CPU autocast, for test_amp's
gradient test."""

import json
import pathlib
import sys

import torch
import torch.nn.functional as F

HERE = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))
import amp_cases as C  # noqa: E402


def _dtype(result):
    if isinstance(result, (tuple, list)):
        result = result[0]
    return str(result.dtype).replace("torch.", "")


def run(fn, device, low, mode):
    try:
        if device == "cuda":
            from torch._subclasses.fake_tensor import FakeTensorMode
            with FakeTensorMode(), torch.device("cuda"):
                torch.set_autocast_enabled("cuda", True)
                torch.set_autocast_dtype("cuda", low)
                try:
                    return _dtype(fn(torch, F, C.inputs(torch, low if mode == "mixed" else None, "cuda")))
                finally:
                    torch.set_autocast_enabled("cuda", False)
                    torch.clear_autocast_cache()
        with torch.autocast("cpu", dtype=low):
            return _dtype(fn(torch, F, C.inputs(torch, low if mode == "mixed" else None)))
    except Exception as e:  # noqa: BLE001 - the error is the recorded outcome
        return f"error: {type(e).__name__}: {str(e).splitlines()[0]}"


def gradients():
    """A 2-layer MLP + a conv, one forward under CPU bf16 autocast, cross-entropy, backward."""
    model = small_model(torch)
    x, y = small_batch(torch)
    with torch.autocast("cpu"):
        out = model(x)
        loss = F.cross_entropy(out, y)
    loss.backward()
    return {"out_dtype": _dtype(out), "loss_dtype": _dtype(loss), "loss": loss.item(),
            "grads": {n: p.grad.flatten().tolist() for n, p in model.named_parameters()}}


def small_model(t):
    t.manual_seed(0)
    return t.nn.Sequential(t.nn.Conv2d(1, 2, 3), t.nn.ReLU(), t.nn.Flatten(), t.nn.Linear(2 * 4 * 4, 8),
                           t.nn.ReLU(), t.nn.Linear(8, 3))


def small_batch(t):
    g = t.Generator().manual_seed(7)
    return t.randn(4, 1, 6, 6, generator=g), t.tensor([0, 2, 1, 2])


def main():
    torch.set_num_threads(1)
    configs = {"cpu:bfloat16": ("cpu", torch.bfloat16), "cpu:float16": ("cpu", torch.float16),
               "cuda:float16": ("cuda", torch.float16)}
    cases = {}
    for name, fn in C.CASES.items():
        cases[name] = {cfg: {mode: run(fn, dev, low, mode) for mode in ("f32", "mixed")}
                       for cfg, (dev, low) in configs.items()}
    out = {"torch": torch.__version__, "cases": cases, "gradients": gradients()}
    path = HERE / "data" / "amp_dtypes.json"
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
