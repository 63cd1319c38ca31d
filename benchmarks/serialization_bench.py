"""save/load of a ~100 MB state dict, torch vs rstorch, and an mmap=True load of a 1 GB file.

    PYTHONPATH=python /root/.cache/rstorch-torch-venv/bin/python benchmarks/serialization_bench.py
    PYTHONPATH=python python3 benchmarks/serialization_bench.py --lib rstorch   # without torch

With both libraries importable, the timings alternate torch/rstorch in pairs in one process and
the minimum of each is reported with the ratio (rstorch time / torch time: below 1 is faster).
"save" is to a path (rstorch's is atomic: temporary file, fsync, rename; torch's is neither),
"save(f)" to an open file object (no fsync for either), "load" weights_only=True (the default of
both) from a warm page cache. The 1 GB file is mostly one storage; its records are zeros written
sparsely (seek), so the disk need not hold it.
"""

import argparse
import importlib
import os
import tempfile
import time


def state_dict(lib, mb=100):
    # a model-like mix: 48 big matrices plus small vectors, ~mb MB of float32
    sd = {}
    g = lib.Generator().manual_seed(0)
    per = mb * 2 ** 20 // 4 // 48
    for i in range(48):
        sd[f"layer{i}.weight"] = lib.randn(per // 1024, 1024, generator=g)
        sd[f"layer{i}.bias"] = lib.randn(1024, generator=g)
    return sd


def timed(fn, repeat):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def bench(libs, repeat, folder):
    sds = {name: state_dict(lib) for name, lib in libs.items()}
    mb = sum(t.numel() * 4 for t in sds[next(iter(sds))].values()) / 2 ** 20
    print(f"state dict: {len(sds[next(iter(sds))])} tensors, {mb:.1f} MiB float32")
    results = {}
    for op in ("save", "save(f)", "load"):
        for name in libs:
            results[(op, name)] = float("inf")
        for _ in range(repeat):  # alternating pairs
            for name, lib in libs.items():
                path = os.path.join(folder, f"{name}.pt")
                if op == "save":
                    fn = lambda: lib.save(sds[name], path)  # noqa: E731
                elif op == "save(f)":
                    def fn():
                        with open(path, "wb") as f:
                            lib.save(sds[name], f)
                else:
                    if not os.path.exists(path):
                        lib.save(sds[name], path)
                    fn = lambda: lib.load(path, weights_only=True)  # noqa: E731
                results[(op, name)] = min(results[(op, name)], timed(fn, 1))
    for op in ("save", "save(f)", "load"):
        row = "  ".join(f"{name} {results[(op, name)] * 1e3:8.1f} ms ({mb / results[(op, name)]:6.0f} MiB/s)"
                        for name in libs)
        ratio = ""
        if len(libs) == 2:
            ratio = f"  ratio rstorch/torch {results[(op, 'rstorch')] / results[(op, 'torch')]:.2f}"
        print(f"{op:8s} {row}{ratio}")


def _zeros_checkpoint(lib, folder, n):
    """A torch-format checkpoint {"w": float32 tensor of n bytes of zeros}, its data a hole (sparse
    file), written with rstorch's zip writer (the format is the same for both libraries)."""
    from rstorch.serialization._zip import ZipWriter
    path = os.path.join(folder, "zeros.pt")
    with open(path, "wb") as f:
        w = ZipWriter(f, "zeros")
        pkl = (b"\x80\x02}X\x01\x00\x00\x00wctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storage"
               b"ctorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpu\x8a\x05"
               + (n // 4).to_bytes(5, "little") + b"tQK\x00\x8a\x05" + (n // 4).to_bytes(5, "little")
               + b"\x85K\x01\x85\x89ccollections\nOrderedDict\n)RtRs.")
        w.write_record("data.pkl", [pkl], len(pkl))
        w.write_record("byteorder", [b"little"], 6)
        # the record's bytes: a hole of n zero bytes (crc of zeros computed in chunks)
        import zlib
        crc = 0
        chunk = bytes(2 ** 24)
        left = n
        while left:
            k = min(left, len(chunk))
            crc = zlib.crc32(memoryview(chunk)[:k], crc)
            left -= k
        _write_hole_record(w, "data/0", n, crc)
        w.write_record("version", [b"3\n"], 2)
        w.finish()
    return path


def _write_hole_record(w, name, size, crc):
    import struct
    from rstorch.serialization import _zip
    full = (w.prefix + name).encode()
    header_at = w.offset - w.start
    base = w.offset + 30 + len(full) + 4
    pad = (-base) % 64
    w._write(_zip._LOCAL.pack(b"PK\x03\x04", 0, 0x0808, 0, 0, 0, 0, 0, 0, len(full), 4 + pad))
    w._write(full)
    w._write(b"FB" + struct.pack("<H", pad) + b"Z" * pad)
    w.f.seek(size, 1)
    w.offset += size
    w._write(struct.pack("<4sIII", b"PK\x07\x08", crc, size, size))
    w.names.add(full)
    w.entries.append((full, crc, size, header_at))


def bench_mmap(lib, folder, repeat):
    path = _zeros_checkpoint(lib, folder, 2 ** 30)
    size = os.path.getsize(path)
    best = timed(lambda: lib.load(path, mmap=True), repeat)
    t = lib.load(path, mmap=True)["w"]
    assert t.numel() == 2 ** 28 and float(t[-1]) == 0.0
    print(f"mmap=True load of a {size / 2 ** 30:.2f} GiB file ({lib.__name__}): {best * 1e3:.2f} ms")
    os.unlink(path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", choices=["both", "torch", "rstorch"], default="both")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--dir", default=None, help="folder for the files (default: a temp dir)")
    args = ap.parse_args()
    names = ["torch", "rstorch"] if args.lib == "both" else [args.lib]
    libs = {n: importlib.import_module(n) for n in names}
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        bench(libs, args.repeat, folder)
        for lib in libs.values():
            bench_mmap(lib, folder, args.repeat)


if __name__ == "__main__":
    main()
