"""Record torch's float32 <-> bfloat16/float16 casts bit for bit (tests/data/half_casts.json).

usage: /root/.cache/rstorch-torch-venv/bin/python tests/tools/record_half_casts.py

Inputs: float32 bit patterns around every rounding case (ties to even and to odd at both
formats' rounding bit, subnormals of float32 and of float16, the largest finite values, the
overflow thresholds, infinities, quiet/signalling/negative NaNs) plus seeded random patterns;
16-bit patterns: the whole NaN/inf ranges, float16 subnormals and a stride through the rest.
Casts run on contiguous tensors of the inputs tiled to 4096 elements (torch's vectorised path,
whose NaN is 0xffff for bfloat16); the first copy of each input is stored."""
import json
import os

import numpy as np
import torch

rng = np.random.default_rng(24)
special = [0, 0x80000000, 1, 0x00400000, 0x007FFFFF, 0x807FFFFF, 0x7F7FFFFF, 0xFF7FFFFF,
           0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000, 0x7F800001, 0x7FA00000, 0xFF812345,
           0x7FFFFFFF, 0x477FE000, 0x477FEFFF, 0x477FF000, 0x47800000, 0x38800000, 0x387FE000,
           0x33800000, 0x33800001, 0x33000000, 0x33000001, 0x337FFFFF, 0x3F800000, 0xBF800000]
ties = []
for e in list(range(0, 255, 7)) + list(range(100, 115)):
    base = e << 23
    for m in [0x8000, 0x18000, 0x7FFF, 0x8001, 0x1000, 0x3000, 0x0FFF, 0x1001, 0x7FFF8000, 0x7FFFF000]:
        ties.append((base | (m & 0x7FFFFF)) & 0xFFFFFFFF)
        ties.append((base | (m & 0x7FFFFF) | 0x80000000) & 0xFFFFFFFF)
rand = rng.integers(0, 2**32, 3000, dtype=np.uint64).astype(np.uint32).tolist()
f32_in = np.array(sorted(set(special + ties)) + rand, dtype=np.uint32)

h16 = sorted(set(list(range(0x7C00, 0x8000)) + list(range(0xFC00, 0x10000)) + list(range(0, 0x400, 3))
                 + list(range(0x8000, 0x8400, 5)) + list(range(0, 0x10000, 37))))
h16_in = np.array(h16, dtype=np.uint16)


def tiled(a, n=4096):
    return np.resize(a, max(n, len(a)))


x = torch.from_numpy(tiled(f32_in).view(np.float32).copy())
to_bf16 = x.bfloat16().view(torch.int16).numpy().view(np.uint16)[:len(f32_in)]
to_f16 = x.half().view(torch.int16).numpy().view(np.uint16)[:len(f32_in)]
h = torch.from_numpy(tiled(h16_in).view(np.int16).copy())
bf16_to_f32 = h.view(torch.bfloat16).float().numpy().view(np.uint32)[:len(h16_in)]
f16_to_f32 = h.view(torch.float16).float().numpy().view(np.uint32)[:len(h16_in)]


def hexes(a):
    return [f"{int(v):x}" for v in a]


out = {"torch": torch.__version__, "f32_in": hexes(f32_in), "to_bf16": hexes(to_bf16), "to_f16": hexes(to_f16),
       "h16_in": hexes(h16_in), "bf16_to_f32": hexes(bf16_to_f32), "f16_to_f32": hexes(f16_to_f32)}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "half_casts.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print(f"wrote {path}: {len(f32_in)} float32 inputs, {len(h16_in)} 16-bit inputs")
