"""Records torch's RNN/LSTM/GRU (and cell) values into tests/nn/rnn_expected.json.

    /root/.cache/rstorch-torch-venv/bin/python tests/nn/record_rnn.py

Each case: the module (class, args, kwargs), its parameters as torch initialises them after
torch.manual_seed(seed) (test_rnn.py checks rstorch draws the same values bit for bit), an input
and optional initial state, the forward outputs, and the gradients of inputs, initial state and
parameters after backward of sum(out * g) (+ sum(h_n * g_h) ...) with recorded random g's.
Packed cases give `lengths` (and `enforce_sorted`): the padded input is packed, run, and the
output padded back (pad_packed_sequence) before the loss.
"""

import json
import os
import struct
import sys

import torch
from torch import nn
from torch.nn.utils import rnn as rnn_utils

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rnn_cases import CASES, hidden_shapes, run_case  # noqa: E402


def short(v):
    """The shortest decimal that reads back as the same float32 (keeps the fixture small)."""
    for digits in range(4, 10):
        s = float(f"{v:.{digits}g}")
        if struct.unpack("f", struct.pack("f", s))[0] == v:
            return s
    return v


def flat(t):
    return [short(v) for v in t.detach().reshape(-1).tolist()]


def record(case, seed):
    torch.manual_seed(seed)
    module = getattr(nn, case["cls"])(*case["args"], **case["kwargs"])
    params = {name: flat(p) for name, p in module.named_parameters()}
    shapes = {name: list(p.shape) for name, p in module.named_parameters()}
    gen = torch.Generator().manual_seed(1000 + seed)
    x = torch.randn(case["input"], generator=gen, requires_grad=True)
    hxs = [torch.randn(s, generator=gen, requires_grad=True) for s in hidden_shapes(case, module)] \
        if case["hx"] else []
    outs, _ = run_case(case, module, x, hxs, rnn_utils)
    gs = [torch.randn(o.shape, generator=gen) for o in outs]
    loss = sum((o * g).sum() for o, g in zip(outs, gs))
    loss.backward()
    return dict(
        case, seed=seed, param_shapes=shapes, params=params,
        x=flat(x), hx=[flat(h) for h in hxs], hx_shapes=[list(h.shape) for h in hxs],
        outputs=[flat(o) for o in outs], output_shapes=[list(o.shape) for o in outs],
        grad_out=[flat(g) for g in gs],
        grad_x=flat(x.grad), grad_hx=[flat(h.grad) for h in hxs],
        grad_params={name: flat(p.grad) for name, p in module.named_parameters()},
    )


def main():
    cases = [record(case, seed) for seed, case in enumerate(CASES)]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rnn_expected.json")
    with open(path, "w") as f:
        json.dump({"torch_version": torch.__version__, "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases to {path}")


if __name__ == "__main__":
    main()
