"""Issue 11's memory check: 10,000 `c = a + b` on 4M float32 elements.

usage: python benchmarks/memory_loop.py LIB   (LIB = rstorch or torch)
Prints the resident size after the first 100 iterations and at the end (growth must be ~0) and
the process's peak resident size (compare it between the two libraries, same machine).
"""
import importlib
import resource
import sys


def rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


lib = importlib.import_module(sys.argv[1] if len(sys.argv) > 1 else "rstorch")
a = lib.randn(4_000_000)
b = lib.randn(4_000_000)
c = None
for i in range(10_000):
    c = a + b
    if i == 99:
        early = rss_mib()
end = rss_mib()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{lib.__name__}: rss after 100 {early:.1f} MiB, after 10000 {end:.1f} MiB (growth {end - early:+.1f}), peak {peak:.1f} MiB")
