"""The fused training kernels of issue 20, side by side with PyTorch CPU: cross_entropy,
batch_norm (BatchNorm2d in training mode) and an MLP 784-512-256-10 with CrossEntropyLoss,
each forward+backward.

    python benchmarks/nn_kernels.py torch|rstorch [ROUNDS]   # one library: per-case us, as JSON
    python benchmarks/nn_kernels.py compare [PAIRS] [CASE...]  # alternating pairs of the two

`compare` runs the torch process (TORCH_PY, default /root/.cache/rstorch-torch-venv/bin/python)
and the rstorch process (this python, PYTHONPATH=python) one after the other PAIRS times, each
reporting the best-of-ROUNDS time of every case, and prints the median over the pairs of
torch_time / rstorch_time (> 1: rstorch is faster). Both libraries run on one thread
(set_num_threads(1)) unless THREADS is set.
"""
import json
import os
import subprocess
import sys
import time

TORCH_PY = os.environ.get("TORCH_PY", "/root/.cache/rstorch-torch-venv/bin/python")


def cases(torch):
    F = torch.nn.functional
    nn = torch.nn
    g = torch.Generator().manual_seed(0)
    out = {}

    def ce(n, c):
        x = torch.randn(n, c, generator=g).requires_grad_()
        t = torch.randint(0, c, (n,), generator=g)

        def run():
            F.cross_entropy(x, t).backward()
            x.grad = None
        return run

    def bn(shape):
        m = nn.BatchNorm2d(shape[1])
        x = torch.randn(*shape, generator=g).requires_grad_()

        def run():
            m(x).sum().backward()
            x.grad = None
            m.weight.grad = m.bias.grad = None
        return run

    def bn_fwd(shape):
        m = nn.BatchNorm2d(shape[1])
        x = torch.randn(*shape, generator=g)

        def run():
            m(x)
        return run

    def mlp(n):
        model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
        loss_fn = nn.CrossEntropyLoss()
        x = torch.randn(n, 784, generator=g)
        t = torch.randint(0, 10, (n,), generator=g)

        def run():
            loss_fn(model(x), t).backward()
            for p in model.parameters():
                p.grad = None
        return run

    def linear(n, i, o):
        lin = nn.Linear(i, o)
        x = torch.randn(n, i, generator=g)

        def run():
            lin(x).sum().backward()
            lin.weight.grad = lin.bias.grad = None
        return run

    out["cross_entropy_fwd_bwd(64,10)"] = ce(64, 10)
    out["cross_entropy_fwd_bwd(256,10)"] = ce(256, 10)
    out["cross_entropy_fwd_bwd(64,1000)"] = ce(64, 1000)
    out["cross_entropy_fwd_bwd(256,1000)"] = ce(256, 1000)
    out["batchnorm2d_fwd_bwd(64,16,32,32)"] = bn((64, 16, 32, 32))
    out["batchnorm2d_fwd_bwd(256,6,24,24)"] = bn((256, 6, 24, 24))
    out["batchnorm2d_fwd_bwd(64,6,8,8)"] = bn((64, 6, 8, 8))
    out["batchnorm2d_fwd(64,16,32,32)"] = bn_fwd((64, 16, 32, 32))
    out["linear_fwd_bwd(128,784,512)"] = linear(128, 784, 512)
    out["mlp_fwd_bwd(128)"] = mlp(128)
    return out


def measure(lib, rounds, only):
    if lib == "torch":
        import torch
    else:
        import rstorch as torch
    torch.set_num_threads(int(os.environ.get("THREADS", "1")))
    res = {}
    for name, f in cases(torch).items():
        if only and not any(o in name for o in only):
            continue
        f()
        # calls per round: about 20 ms of work
        t0 = time.perf_counter()
        f()
        one = max(time.perf_counter() - t0, 1e-7)
        n = max(1, min(2000, int(0.02 / one)))
        best = float("inf")
        for _ in range(rounds):
            t0 = time.perf_counter()
            for _ in range(n):
                f()
            best = min(best, (time.perf_counter() - t0) / n)
        res[name] = best * 1e6
    return res


def compare(pairs, only):
    here = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ, PYTHONPATH=os.path.join(here, "..", "python"))
    me = os.path.abspath(__file__)
    rows = {}
    for _ in range(pairs):
        got = {}
        for lib, py in (("torch", TORCH_PY), ("rstorch", sys.executable)):
            r = subprocess.run([py, me, lib, "5", *only], env=env, capture_output=True, text=True, check=True)
            got[lib] = json.loads(r.stdout.strip().splitlines()[-1])
        for k in got["torch"]:
            rows.setdefault(k, []).append((got["torch"][k], got["rstorch"][k]))
    print(f"{'case':36s} {'torch us':>10s} {'rstorch us':>10s} {'ratio':>7s}")
    for k, v in rows.items():
        med = lambda xs: sorted(xs)[len(xs) // 2]
        print(f"{k:36s} {med([a for a, _ in v]):10.1f} {med([b for _, b in v]):10.1f} {med([a / b for a, b in v]):7.2f}")


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "compare"
    if mode == "compare":
        pairs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
        compare(pairs, sys.argv[3:])
    else:
        rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
        print(json.dumps(measure(mode, rounds, sys.argv[3:])))
