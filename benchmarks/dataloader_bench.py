"""DataLoader per-batch overhead: a TensorDataset of 60k 28x28 float32 images and int64 labels,
batch 64, shuffled, num_workers 0 and 2 (issue 21); the same tensors behind a plain Dataset
subclass too (per-sample indexing and default_collate's stack, the path every custom Dataset
takes), since rstorch gathers TensorDataset batches with one index_select per tensor.

    python benchmarks/dataloader_bench.py rstorch [workers...]   # one library, prints JSON
    python benchmarks/dataloader_bench.py torch [workers...]     # (with the torch venv's python)
    python benchmarks/dataloader_bench.py compare [pairs]        # alternating pairs, both libraries

A run times whole epochs from the iterator's creation (worker start-up included) to the last
batch, and the steady per-batch time from the second batch on; `compare` runs each library in its
own process, alternating torch/rstorch `pairs` times, and prints the medians and the ratios."""

import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

TORCH_PY = "/root/.cache/rstorch-torch-venv/bin/python"
ROOT = pathlib.Path(__file__).resolve().parent.parent
N, BATCH, EPOCHS = 60000, 64, 2


def run(lib, workers):
    if lib == "torch":
        import torch
        torch.set_num_threads(1)  # both on one intra-op thread: the loader is what is measured
    else:
        sys.path.insert(0, str(ROOT / "python"))
        import rstorch as torch
        torch.set_num_threads(1)
    from importlib import import_module
    data = import_module(torch.__name__ + ".utils.data")
    torch.manual_seed(0)
    ds = data.TensorDataset(torch.randn(N, 1, 28, 28), torch.randint(0, 10, (N,)))

    class Rows(data.Dataset):  # the general path: per-sample indexing and default_collate's stack
        def __init__(self, x, y):
            self.x, self.y = x, y

        def __len__(self):
            return len(self.x)

        def __getitem__(self, i):
            return self.x[i], self.y[i]

    out = {}
    for w in workers:
        for name, dset in ((f"w{w}", ds), (f"w{w}_generic", Rows(*ds.tensors))):
            out[name] = _epochs(data, dset, w)
    return out


def _epochs(data, ds, w):
    loader = data.DataLoader(ds, batch_size=BATCH, shuffle=True, num_workers=w)
    epochs, steady = [], []
    for _ in range(EPOCHS):
        t0 = time.perf_counter()
        n = 0
        for x, y in loader:
            if n == 0:
                t1 = time.perf_counter()
            n += 1
        t2 = time.perf_counter()
        assert x.shape[1:] == (1, 28, 28) and n == (N + BATCH - 1) // BATCH
        epochs.append((t2 - t0) / n * 1e6)
        steady.append((t2 - t1) / (n - 1) * 1e6)
    return {"epoch_us_per_batch": min(epochs), "steady_us_per_batch": min(steady)}


def compare(pairs):
    me = pathlib.Path(__file__).resolve()
    runs = {"torch": [], "rstorch": []}
    for _ in range(pairs):
        for lib, py in (("torch", TORCH_PY), ("rstorch", sys.executable)):
            res = subprocess.run([py, str(me), lib, "0", "2"], capture_output=True, text=True, check=True,
                                 env={**os.environ, "PYTHONWARNINGS": "ignore"})
            runs[lib].append(json.loads(res.stdout.strip().splitlines()[-1]))
    print(f"uptime: {os.getloadavg()}")
    print("| workers | metric | torch us/batch | rstorch us/batch | torch/rstorch |")
    print("|---|---|---|---|---|")
    for w in ("w0", "w2", "w0_generic", "w2_generic"):
        for m in ("epoch_us_per_batch", "steady_us_per_batch"):
            t = statistics.median(r[w][m] for r in runs["torch"])
            r_ = statistics.median(r[w][m] for r in runs["rstorch"])
            print(f"| {w[1:].replace('_generic', ' (Dataset subclass)')} | {m.replace('_us_per_batch', '')} | {t:.0f} | {r_:.0f} | {t / r_:.2f}x |")


if __name__ == "__main__":
    if sys.argv[1] == "compare":
        compare(int(sys.argv[2]) if len(sys.argv) > 2 else 3)
    else:
        print(json.dumps(run(sys.argv[1], [int(w) for w in sys.argv[2:]] or [0, 2])))
