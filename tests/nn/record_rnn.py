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

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

CASES = [
    dict(name="rnn_tanh_default", cls="RNN", args=[4, 3], kwargs={}, input=[5, 2, 4], hx=False),
    dict(name="rnn_relu_2l_bidir_bf_nobias", cls="RNN", args=[4, 3],
         kwargs=dict(num_layers=2, nonlinearity="relu", bias=False, batch_first=True, bidirectional=True),
         input=[2, 5, 4], hx=True),
    dict(name="lstm_default", cls="LSTM", args=[4, 3], kwargs={}, input=[5, 2, 4], hx=False),
    dict(name="lstm_2l_hx", cls="LSTM", args=[4, 3], kwargs=dict(num_layers=2), input=[4, 3, 4], hx=True),
    dict(name="lstm_bidir_proj_bf", cls="LSTM", args=[4, 5],
         kwargs=dict(num_layers=2, bidirectional=True, proj_size=2, batch_first=True), input=[3, 4, 4], hx=True),
    dict(name="lstm_unbatched", cls="LSTM", args=[4, 3], kwargs=dict(bidirectional=True), input=[5, 4], hx=True),
    dict(name="gru_default", cls="GRU", args=[4, 3], kwargs={}, input=[5, 2, 4], hx=False),
    dict(name="gru_2l_bidir_hx", cls="GRU", args=[4, 3], kwargs=dict(num_layers=2, bidirectional=True),
         input=[4, 3, 4], hx=True),
    dict(name="gru_unbatched_nobias", cls="GRU", args=[4, 3], kwargs=dict(bias=False), input=[5, 4], hx=True),
    dict(name="lstm_packed_unsorted_bidir", cls="LSTM", args=[4, 3], kwargs=dict(bidirectional=True, num_layers=2),
         input=[5, 3, 4], hx=True, lengths=[3, 5, 2], enforce_sorted=False),
    dict(name="gru_packed_sorted_bf", cls="GRU", args=[4, 3], kwargs=dict(bidirectional=True, batch_first=True),
         input=[4, 5, 4], hx=False, lengths=[5, 4, 4, 1], enforce_sorted=True),
    dict(name="rnn_packed_unsorted", cls="RNN", args=[4, 3], kwargs=dict(num_layers=2), input=[4, 3, 4], hx=True,
         lengths=[2, 4, 1], enforce_sorted=False),
    dict(name="rnncell_relu", cls="RNNCell", args=[4, 3], kwargs=dict(nonlinearity="relu"), input=[2, 4], hx=True),
    dict(name="rnncell_tanh_unbatched", cls="RNNCell", args=[4, 3], kwargs={}, input=[4], hx=False),
    dict(name="lstmcell", cls="LSTMCell", args=[4, 3], kwargs={}, input=[2, 4], hx=True),
    dict(name="lstmcell_nobias_unbatched", cls="LSTMCell", args=[4, 3], kwargs=dict(bias=False), input=[4], hx=True),
    dict(name="grucell", cls="GRUCell", args=[4, 3], kwargs={}, input=[2, 4], hx=True),
]


def hidden_shapes(case, module):
    """Shapes of the initial state(s) for the case's input."""
    if case["cls"].endswith("Cell"):
        shape = [case["input"][0], module.hidden_size] if len(case["input"]) == 2 else [module.hidden_size]
        return [shape, shape] if case["cls"] == "LSTMCell" else [shape]
    d = 2 if module.bidirectional else 1
    layers = module.num_layers * d
    if len(case["input"]) == 2:
        batch = []
    else:
        batch = [case["input"][0] if module.batch_first else case["input"][1]]
    out = module.proj_size if getattr(module, "proj_size", 0) else module.hidden_size
    shapes = [[layers] + batch + [out]]
    if case["cls"] == "LSTM":
        shapes.append([layers] + batch + [module.hidden_size])
    return shapes


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
    hx_arg = None
    if hxs:
        hx_arg = tuple(hxs) if case["cls"] in ("LSTM", "LSTMCell") else hxs[0]
    if "lengths" in case:
        packed = pack_padded_sequence(x, case["lengths"], batch_first=module.batch_first,
                                      enforce_sorted=case["enforce_sorted"])
        out_packed, hidden = module(packed, hx_arg)
        out, _ = pad_packed_sequence(out_packed, batch_first=module.batch_first)
    else:
        res = module(x, hx_arg)
        if case["cls"] == "LSTMCell":
            out, hidden = res[0], (res[1],)
        elif case["cls"].endswith("Cell"):
            out, hidden = res, ()
        else:
            out, hidden = res
    hidden = list(hidden) if isinstance(hidden, tuple) else [hidden]
    outs = [out] + hidden
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
