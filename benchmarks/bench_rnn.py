"""nn.LSTM / nn.GRU / nn.RNN forward and forward+backward, one thread: best of 5 calls, in ms.

    python benchmarks/bench_rnn.py rstorch      # from the repository root
    /path/to/torch/python benchmarks/bench_rnn.py torch
"""
import sys
import time

lib = sys.argv[1]
if lib == "torch":
    import torch as t
else:
    sys.path.insert(0, "python")
    import rstorch as t
t.set_num_threads(1)
t.manual_seed(0)


def best(f, n=5):
    f()
    out = 1e9
    for _ in range(n):
        s = time.perf_counter()
        f()
        out = min(out, time.perf_counter() - s)
    return out * 1e3


for label, make, shape in [
    ("LSTM(64,128) T=50 B=32", lambda: t.nn.LSTM(64, 128), (50, 32, 64)),
    ("GRU(64,128) T=50 B=32", lambda: t.nn.GRU(64, 128), (50, 32, 64)),
    ("RNN(64,128) T=50 B=32", lambda: t.nn.RNN(64, 128), (50, 32, 64)),
    ("LSTM(32,64) 2 layers bidir T=20 B=8", lambda: t.nn.LSTM(32, 64, num_layers=2, bidirectional=True), (20, 8, 32)),
]:
    m = make()
    x = t.randn(*shape)
    with t.no_grad():
        fwd = best(lambda: m(x))
    xg = x.clone().requires_grad_(True)

    def fb():
        out, h = m(xg)
        out.sum().backward()

    print(f"{label}: forward {fwd:.2f}  forward+backward {best(fb):.2f}")
