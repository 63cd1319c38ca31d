"""Writes tests/data/serialization/: checkpoints made by real PyTorch (and the safetensors package),
with expected.json describing their contents; then checks, with torch, files written by rstorch.

Run from the repository root:
    /root/.cache/rstorch-torch-venv/bin/python tests/tools/make_serialization_fixtures.py
(the torch venv needs `pip install safetensors`; rstorch runs in a subprocess with python3 and
PYTHONPATH=python). `--check-only`: only the check that torch reads rstorch's files. The tests
only read the fixtures; they never need torch.
"""

import json
import os
import pathlib
import subprocess
import sys
import tempfile
from collections import OrderedDict

import torch
import safetensors.torch as st

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "data" / "serialization"
DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def describe(t):
    return {"dtype": str(t.dtype).split(".")[1], "shape": list(t.shape), "stride": list(t.stride()),
            "offset": t.storage_offset(), "requires_grad": t.requires_grad,
            "values": t.detach().float().tolist() if t.dtype in (torch.bfloat16, torch.float16) else t.detach().tolist()}


def dtype_tensors():
    g = torch.Generator().manual_seed(0)
    out = OrderedDict()
    for name in DTYPES:
        d = getattr(torch, name)
        if d.is_floating_point:
            t = (torch.randn(3, 4, generator=g) * 10).to(d)
        elif d == torch.bool:
            t = torch.randn(3, 4, generator=g) > 0
        else:
            t = torch.randint(-100 if d != torch.uint8 else 0, 100, (3, 4), generator=g, dtype=d)
        out[name] = t
    return out


def model():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.BatchNorm1d(3),
                               torch.nn.Linear(3, 2))


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    expected = {"torch_version": torch.__version__}

    # tensors of every dtype rstorch has, plus views sharing storage
    ts = dtype_tensors()
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    ts["view_base"] = base
    ts["view_col"] = base[:, 2]          # strided view
    ts["view_narrow"] = base[1:3, 1:4]   # offset view
    ts["view_t"] = base.t()
    ts["scalar"] = torch.tensor(3.5, dtype=torch.float64)
    ts["empty"] = torch.empty(0, 3)
    ts["grad"] = torch.ones(2, requires_grad=True)
    torch.save(ts, OUT / "dtypes.pt")
    expected["dtypes.pt"] = {k: describe(v) for k, v in ts.items()}

    # a state dict and an optimizer state dict (torch.optim.Adam after two steps)
    m = model()
    opt = torch.optim.Adam(m.parameters(), lr=1e-2)
    for _ in range(2):
        loss = m(torch.randn(5, 4)).pow(2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    m.eval()
    sd = m.state_dict()
    torch.save(sd, OUT / "state_dict.pt")
    expected["state_dict.pt"] = {k: describe(v) for k, v in sd.items()}
    osd = opt.state_dict()
    torch.save(osd, OUT / "optimizer.pt")
    expected["optimizer.pt"] = {
        "param_groups": [{k: v for k, v in g.items()} for g in osd["param_groups"]],
        "state": {str(i): {k: describe(v) for k, v in s.items()} for i, s in osd["state"].items()},
    }
    # a whole model (weights_only=False), and its output on a fixed input
    torch.save(m, OUT / "model_full.pt")
    x = torch.linspace(-1, 1, 8).reshape(2, 4)
    expected["model_full.pt"] = {"input": x.tolist(), "output": m(x).tolist()}
    # the legacy (pre-1.6) format
    torch.save(sd, OUT / "legacy.pt", _use_new_zipfile_serialization=False)
    expected["legacy.pt"] = expected["state_dict.pt"]
    # dtypes rstorch lacks, and a Parameter
    torch.save({"c": torch.ones(2, dtype=torch.complex64)}, OUT / "complex.pt")
    torch.save({"u": torch.ones(2, dtype=torch.uint16)}, OUT / "uint16.pt")
    torch.save({"p": torch.nn.Parameter(torch.arange(3.0))}, OUT / "parameter.pt")
    # torch's data.pkl for a reference object (rstorch must write the same bytes)
    ref = {"w": base, "v": base[1], "i": torch.tensor([1, 2], dtype=torch.int64), "d": torch.float16,
           "s": torch.Size([2, 3]), "n": [1, 2.5, "x", None, True], "p": torch.nn.Parameter(torch.ones(2))}
    with tempfile.TemporaryDirectory() as d:
        torch.save(ref, os.path.join(d, "ref.pt"))
        import zipfile
        (OUT / "ref_data.pkl").write_bytes(zipfile.ZipFile(os.path.join(d, "ref.pt")).read("ref/data.pkl"))

    # safetensors files written by the package
    sts = {k: v.contiguous() for k, v in dtype_tensors().items()}
    st.save_file(sts, OUT / "dtypes.safetensors", metadata={"format": "pt", "note": "fixture"})
    expected["dtypes.safetensors"] = {k: describe(v) for k, v in sts.items()}
    (OUT / "small.safetensors.bin").write_bytes(st.save({"a": torch.arange(4, dtype=torch.float32),
                                                         "b": torch.ones(2, 2, dtype=torch.int64)}))

    (OUT / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
    check_rstorch_files()


RSTORCH_WRITER = r'''
import sys, rstorch
from collections import OrderedDict
d = sys.argv[1]
base = rstorch.arange(24, dtype=rstorch.float32).reshape(4, 6)
objs = {"base": base, "col": base[:, 2], "narrow": base[1:3, 1:4], "t": base.t(),
        "p": rstorch.nn.Parameter(rstorch.ones(2)), "rg": rstorch.ones(2, requires_grad=True),
        "scalar": rstorch.tensor(2.5, dtype=rstorch.float64), "empty": rstorch.empty(0, 2),
        "meta": rstorch.empty(2, 3, device="meta"), "size": rstorch.Size([1, 2]), "dtype": rstorch.bfloat16,
        "dev": rstorch.device("cpu"), "od": OrderedDict(a=1), "nested": [1, (2.5, "s"), {"k": None}],
        "buffer": rstorch.nn.Buffer(rstorch.ones(2))}
for name in ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool"]:
    objs["dt_" + name] = (rstorch.arange(6) % 3).to(getattr(rstorch, name))
rstorch.save(objs, d + "/r.pt")
rstorch.save(objs, d + "/r_legacy.pt", _use_new_zipfile_serialization=False)
m = rstorch.nn.Sequential(rstorch.nn.Linear(4, 3), rstorch.nn.ReLU(), rstorch.nn.BatchNorm1d(3))
rstorch.save(m.state_dict(), d + "/sd.pt")
rstorch.serialization.save_file({"a": rstorch.arange(4.0), "b": rstorch.ones(2, 2, dtype=rstorch.int64),
                                 "c": rstorch.ones(3, dtype=rstorch.bfloat16)}, d + "/r.safetensors",
                                metadata={"k": "v"})
'''


def check_rstorch_files():
    """rstorch writes files in a temp dir; torch (weights_only=True) and safetensors read them."""
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
        subprocess.run(["python3", "-c", RSTORCH_WRITER, d], check=True, env=env, cwd=ROOT)
        for name in ("r.pt", "r_legacy.pt"):
            o = torch.load(os.path.join(d, name), weights_only=True)
            assert torch.equal(o["base"], torch.arange(24.0).reshape(4, 6)), name
            assert torch.equal(o["col"], o["base"][:, 2]) and torch.equal(o["t"], o["base"].t())
            o["base"][1, 2] = -1.0
            assert o["col"][1] == -1 and o["narrow"][0, 1] == -1 and o["t"][2, 1] == -1, "views share storage"
            assert type(o["p"]) is torch.nn.Parameter and o["rg"].requires_grad
            assert o["meta"].is_meta and o["meta"].shape == (2, 3)
            assert o["size"] == torch.Size([1, 2]) and o["dtype"] is torch.bfloat16
            assert o["dev"] == torch.device("cpu") and o["od"] == OrderedDict(a=1)
            assert o["nested"] == [1, (2.5, "s"), {"k": None}]
            assert o["buffer"]._is_buffer and isinstance(o["buffer"], torch.nn.Buffer)
            for dn in DTYPES:
                assert torch.equal(o["dt_" + dn], (torch.arange(6) % 3).to(getattr(torch, dn))), dn
        sd = torch.load(os.path.join(d, "sd.pt"), weights_only=True)
        m = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.BatchNorm1d(3))
        m.load_state_dict(sd)
        t = st.load_file(os.path.join(d, "r.safetensors"))
        assert torch.equal(t["a"], torch.arange(4.0)) and t["b"].dtype == torch.int64
        with st.safe_open(os.path.join(d, "r.safetensors"), "pt") as f:
            assert f.metadata() == {"k": "v"}
        print("torch and safetensors read rstorch's files: ok")


if __name__ == "__main__":
    if "--check-only" in sys.argv:  # leave the fixtures as they are
        check_rstorch_files()
    else:
        main()
    sys.exit(0)
