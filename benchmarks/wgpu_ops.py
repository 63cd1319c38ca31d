"""Host cost of small float32 ops on wgpu tensors, recorded without a sync (issue 23 target:
<= 3 us/op from Python), and the submits a sequence of ops takes.

    PYTHONPATH=python python3 benchmarks/wgpu_ops.py [n]

Prints us/op for `c = a + b` on 64-element wgpu tensors (queued; the sync after is timed
apart), the same on CPU tensors for reference, the runtime's own launcher alone (no Tensor),
and the submit count of n adds + one read-back; then a cProfile of the wgpu adds (where the time goes)."""

import cProfile
import pstats
import sys
import time

import rstorch
from rstorch import _wgpu


def per_op(f, n, sync=None, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        f(n)
        t1 = time.perf_counter()
        if sync:
            sync()
        best = min(best, t1 - t0)
    return best / n * 1e6


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    if not _wgpu.is_available():
        print("no wgpu adapter:", _wgpu.unavailable_reason())
        return
    rt = _wgpu.runtime()
    print("adapter:", rt.entry.name if hasattr(rt, "entry") else "?")
    a, b = rstorch.ones(64, device="wgpu"), rstorch.ones(64, device="wgpu")
    ca, cb = rstorch.ones(64), rstorch.ones(64)

    def adds(n, a=a, b=b):
        for _ in range(n):
            a + b

    def adds_cpu(n):
        for _ in range(n):
            ca + cb

    from rstorch._wgpu import elementwise as ew
    ra = a._wgpu_region() if hasattr(a, "_wgpu_region") else None
    region = rt.alloc(256)
    va = ew.View.contiguous(region, (64,))

    def launches(n):
        for _ in range(n):
            ew.binary(rt, "add", va, va, va)

    adds(10)
    rt.synchronize()
    print(f"wgpu a + b, queued      : {per_op(adds, n, rt.synchronize):7.2f} us/op")
    print(f"runtime launcher alone  : {per_op(launches, n, rt.synchronize):7.2f} us/op")
    print(f"cpu a + b (reference)   : {per_op(adds_cpu, n):7.2f} us/op")
    # the other kernel families, queued, on small operands (host cost per op)
    m, w = rstorch.ones(64, 64, device="wgpu"), rstorch.ones(64, 64, device="wgpu")
    lbl = rstorch.zeros(64, dtype=rstorch.int64, device="wgpu")
    F = rstorch.nn.functional
    for name, f in [("a > 0 (bool out)", lambda: a > 0), ("m.sum(1) [64x64]", lambda: m.sum(1)),
                    ("m.sum() [64x64]", lambda: m.sum()), ("m.amax(1)", lambda: m.amax(1)),
                    ("m.argmax(1)", lambda: m.argmax(1)), ("m @ w [64^3]", lambda: m @ w),
                    ("m.softmax(1)", lambda: m.softmax(1)), ("where(a > 0, a, b)", lambda: rstorch.where(a > 0, a, b)),
                    ("cross_entropy(m, lbl)", lambda: F.cross_entropy(m, lbl))]:
        def run(n, f=f):
            for _ in range(n):
                f()
        run(10)
        rt.synchronize()
        print(f"{name:24s}: {per_op(run, max(n // 4, 50), rt.synchronize):7.2f} us/op")
    # an MLP training step (784-128-10, batch 64, SGD): host time and submits per step
    nn = rstorch.nn
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10)).to("wgpu")
    opt = rstorch.optim.SGD(model.parameters(), lr=0.01)
    xb = rstorch.randn(64, 784).to("wgpu")
    yb = rstorch.randint(0, 10, (64,)).to("wgpu")

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        return loss
    step()
    rt.synchronize()
    steps = 20
    s0, d0 = rt.submits, rt.dispatches
    t0 = time.perf_counter()
    for _ in range(steps):
        loss = step()
    t1 = time.perf_counter()
    rt.synchronize()
    t2 = time.perf_counter()
    print(f"MLP 784-128-10 b64 SGD step: {(t1 - t0) / steps * 1e3:.2f} ms recorded, {(t2 - t0) / steps * 1e3:.2f} ms "
          f"with the GPU work; {(rt.submits - s0) / steps:.1f} submits and {(rt.dispatches - d0) / steps:.0f} "
          f"dispatches per step (loss {loss.item():.4f})")
    rt.synchronize()
    s0 = rt.submits
    c = a
    for _ in range(n):
        c = c + b
    queued = rt.submits - s0
    v = c[0].item()
    print(f"submits: {queued} while queuing {n} adds (cap {getattr(rt, 'max_queued', '?')}), "
          f"{rt.submits - s0} after the read-back (value {v})")
    pr = cProfile.Profile()
    pr.enable()
    adds(n)
    pr.disable()
    rt.synchronize()
    pstats.Stats(pr).sort_stats("tottime").print_stats(8)


if __name__ == "__main__":
    main()
