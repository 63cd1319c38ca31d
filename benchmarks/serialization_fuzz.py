"""The long fuzz run of rstorch.load / the safetensors reader (tests/test_serialization_fuzz.py is the
bounded CI one): random mutations of valid files for --seconds, under an address-space cap so an
allocation the file does not justify fails loudly, counting outcomes.

    PYTHONPATH=python python3 benchmarks/serialization_fuzz.py --seconds 600

Prints the cases tried, how many loaded, how many were rejected (by exception type) and every
unexpected exception (a "crash": anything but RuntimeError / UnpicklingError / ValueError)."""

import argparse
import collections
import random
import resource
import sys
import time
import traceback
import pathlib

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))

import test_serialization_fuzz as fz  # noqa: E402


def random_mutation(rng):
    kind = rng.choice(["set", "int", "cut", "insert", "delete"])
    at = rng.randrange(10 ** 6)
    if kind == "set":
        return (kind, at, rng.randrange(256))
    if kind == "int":
        return (kind, at, rng.choice([0, 1, 0x7F, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 2 ** 31, 2 ** 40,
                                      2 ** 63 - 1, 2 ** 64 - 1, rng.randrange(2 ** 64)]), rng.choice([1, 2, 4, 8]))
    if kind == "cut":
        return (kind, at)
    if kind == "insert":
        return (kind, at, bytes(rng.randrange(256) for _ in range(rng.randint(1, 16))))
    return (kind, at, rng.randint(1, 64))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--as-limit-gb", type=float, default=8)
    args = ap.parse_args()
    lim = int(args.as_limit_gb * 2 ** 30)
    resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
    rng = random.Random(args.seed)
    counts = collections.Counter()
    crashes = []
    end = time.time() + args.seconds
    n = 0
    while time.time() < end:
        kind = rng.choice(sorted(fz.SEEDS))
        muts = [random_mutation(rng) for _ in range(rng.randint(1, 4))]
        data = fz.mutate(fz.SEEDS[kind], muts)
        n += 1
        try:
            counts[(kind, "loaded" if fz.try_load(kind, data) else "rejected")] += 1
        except BaseException as e:  # noqa: BLE001
            if isinstance(e, KeyboardInterrupt):
                raise
            counts[(kind, f"CRASH {type(e).__name__}")] += 1
            crashes.append((kind, muts, traceback.format_exc(limit=3)))
    print(f"cases tried: {n} in {args.seconds:.0f} s (seed {args.seed}, address space cap {args.as_limit_gb} GiB)")
    for (kind, what), c in sorted(counts.items()):
        print(f"  {kind:12s} {what:24s} {c}")
    print(f"crashes: {len(crashes)}")
    for kind, muts, tb in crashes[:10]:
        print(kind, muts)
        print(tb)
    sys.exit(1 if crashes else 0)


if __name__ == "__main__":
    main()
