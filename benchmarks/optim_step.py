"""Optimizer step over a 10M-parameter model in 100 tensors (100 x 100,000 float32): ms per
`opt.step()` for SGD(momentum=0.9) and Adam, gradients fixed (no backward in the timing).

usage: python benchmarks/optim_step.py rstorch|torch [steps] [threads]   one library, JSON
       python benchmarks/optim_step.py pairs [rounds] [steps] [threads]  alternating subprocesses
                                                                         of both, medians, ratios
(threads: set_num_threads for both libraries; default: each library's own default)

torch runs its CPU default (the single-tensor for-loop: torch defaults to foreach only on
accelerators) and foreach=True. Memory traffic per step, ideal: SGD-momentum reads param, grad,
buf and writes param, buf (5 x 40 MB); Adam reads param, grad, exp_avg, exp_avg_sq and writes
the three (7 x 40 MB), plus what the temporaries of the single-tensor path cost.
"""
import importlib
import json
import statistics
import subprocess
import sys
import time

N_TENSORS, NUMEL = 100, 100_000


def run(name, steps, threads=0):
    torch = importlib.import_module(name)
    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(0)
    params = [torch.randn(NUMEL).requires_grad_() for _ in range(N_TENSORS)]
    for p in params:
        p.grad = torch.randn(NUMEL) * 0.01
    configs = [("sgd_momentum", torch.optim.SGD, {"lr": 0.01, "momentum": 0.9}),
               ("adam", torch.optim.Adam, {"lr": 1e-3})]
    if name == "torch":
        configs += [("sgd_momentum_foreach", torch.optim.SGD,
                     {"lr": 0.01, "momentum": 0.9, "foreach": True}),
                    ("adam_foreach", torch.optim.Adam, {"lr": 1e-3, "foreach": True})]
    out = {}
    for label, cls, kw in configs:
        opt = cls(params, **kw)
        for _ in range(3):
            opt.step()
        times = []
        for _ in range(steps):
            t = time.perf_counter()
            opt.step()
            times.append(time.perf_counter() - t)
        out[label] = statistics.median(times) * 1e3
    return out


def pairs(rounds, steps, threads=0):
    results = {"torch": [], "rstorch": []}
    for _ in range(rounds):
        for name in ("torch", "rstorch"):
            exe = sys.executable
            if name == "torch":
                exe = TORCH_PYTHON
            proc = subprocess.run([exe, __file__, name, str(steps), str(threads)],
                                  capture_output=True, text=True, check=True)
            results[name].append(json.loads(proc.stdout))
    med = {name: {k: statistics.median(r[k] for r in rs) for k in rs[0]}
           for name, rs in results.items()}
    print(json.dumps(med, indent=1))
    t, r = med["torch"], med["rstorch"]
    for label in ("sgd_momentum", "adam"):
        print(f"{label}: rstorch {r[label]:.2f} ms, torch default {t[label]:.2f} ms "
              f"(x{t[label] / r[label]:.2f}), torch foreach {t[label + '_foreach']:.2f} ms "
              f"(x{t[label + '_foreach'] / r[label]:.2f})")


TORCH_PYTHON = "/root/.cache/rstorch-torch-venv/bin/python"

if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "pairs"
    args = [int(a) for a in sys.argv[2:]]
    if mode == "pairs":
        pairs(*(args + [5, 20, 0][len(args):]))
    else:
        print(json.dumps(run(mode, *(args + [20, 0][len(args):]))))
