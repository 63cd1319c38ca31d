"""F.ctc_loss forward and forward+backward, rstorch against torch, the size of torch's docstring
example (T=50, N=16, C=20, S=30, targets of 10..29 labels, full-length inputs).

    python3 benchmarks/bench_ctc.py            # 5 alternating pairs of processes, then the table
    python3 benchmarks/bench_ctc.py --lib rstorch|torch [--threads N]   # one measurement

The driver runs rstorch with PYTHONPATH=python and torch with the torch venv's python."""

import os
import subprocess
import sys
import timeit

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TORCH_PY = "/root/.cache/rstorch-torch-venv/bin/python"


def measure(lib, threads=None):
    if lib == "torch":
        import torch
    else:
        sys.path.insert(0, os.path.join(ROOT, "python"))
        import rstorch as torch
    if threads:
        torch.set_num_threads(threads)
    F = torch.nn.functional
    g = torch.Generator().manual_seed(0)
    lp = torch.randn(50, 16, 20, generator=g).log_softmax(2).detach().requires_grad_()
    tg = torch.randint(1, 20, (16, 30), generator=g)
    il = torch.full((16,), 50, dtype=torch.long)
    tl = torch.randint(10, 30, (16,), generator=g)

    def fwd_bwd():
        lp.grad = None
        F.ctc_loss(lp, tg, il, tl).backward()

    def fwd():
        with torch.no_grad():
            F.ctc_loss(lp, tg, il, tl)

    out = []
    for f in (fwd, fwd_bwd):
        f()
        n = 100
        out.append(min(timeit.repeat(f, number=n, repeat=5)) / n * 1e6)
    return out


def main():
    if "--lib" in sys.argv:
        lib = sys.argv[sys.argv.index("--lib") + 1]
        threads = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else None
        print(" ".join(f"{v:.1f}" for v in measure(lib, threads)))
        return
    threads = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else None
    extra = ["--threads", threads] if threads else []
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"))
    rows = {"rstorch": [], "torch": []}
    for _ in range(5):
        for lib, py in (("torch", TORCH_PY), ("rstorch", sys.executable)):
            res = subprocess.run([py, __file__, "--lib", lib] + extra, capture_output=True, text=True, env=env,
                                 check=True)
            rows[lib].append([float(v) for v in res.stdout.split()])
    for i, what in enumerate(("forward (no_grad)", "forward+backward")):
        r = [x[i] for x in rows["rstorch"]]
        t = [x[i] for x in rows["torch"]]
        ratios = [b / a for a, b in zip(r, t)]
        med = sorted(ratios)[2]
        print(f"| {what} | {' '.join(f'{v:.0f}' for v in t)} | {' '.join(f'{v:.0f}' for v in r)} | "
              f"{' '.join(f'{v:.2f}' for v in ratios)} | {med:.2f} |")


if __name__ == "__main__":
    main()
