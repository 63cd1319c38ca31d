"""rstorch.save / rstorch.load: torch's zip format, fixtures written by torch 2.15, safety."""

import copy
import io
import json
import os
import pathlib
import pickle
import signal
import struct
import subprocess
import sys
import zipfile
from collections import OrderedDict

import pytest

import rstorch
from rstorch.serialization import _zip
from rstorch.serialization import safetensors as st

DATA = pathlib.Path(__file__).parent / "data" / "serialization"
EXPECTED = json.loads((DATA / "expected.json").read_text())
DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool"]
ROOT = pathlib.Path(__file__).resolve().parent.parent


def roundtrip(obj, **kw):
    b = io.BytesIO()
    rstorch.save(obj, b)
    b.seek(0)
    return rstorch.load(b, **kw)


def check(t, d):
    assert str(t.dtype).split(".")[1] == d["dtype"]
    assert list(t.shape) == d["shape"]
    assert list(t.stride()) == d["stride"]
    assert t.storage_offset() == d["offset"]
    assert t.requires_grad == d["requires_grad"]
    vals = t.detach().float().tolist() if t.dtype in (rstorch.bfloat16, rstorch.float16) else t.detach().tolist()
    assert vals == d["values"]


def sample(name):
    d = getattr(rstorch, name)
    x = rstorch.arange(12).reshape(3, 4) - 5
    return (x > 0) if d is rstorch.bool else (x.abs() if d is rstorch.uint8 else x).to(d) / (
        3 if d.is_floating_point else 1)


# ---------------------------------------------------------------------------- round trips

@pytest.mark.parametrize("name", DTYPES)
def test_roundtrip_dtype(name):
    t = sample(name)
    out = roundtrip({"t": t, "v": t[1:, ::2]})
    assert out["t"].dtype is t.dtype and rstorch.equal(out["t"], t)
    assert rstorch.equal(out["v"], t[1:, ::2]) and out["v"].stride() == t[1:, ::2].stride()
    assert out["v"]._storage_ptr() == out["t"]._storage_ptr()


def test_views_share_storage_after_roundtrip():
    base = rstorch.arange(24.0).reshape(4, 6)
    out = roundtrip([base, base[:, 2], base[1:3, 1:4], base.t(), base.view(-1)])
    b, col, nar, tr, flat = out
    b[1, 2] = -7.0
    assert col[1] == -7 and nar[0, 1] == -7 and tr[2, 1] == -7 and flat[8] == -7
    assert nar.storage_offset() == 7 and tr.stride() == (1, 6)


def test_view_saves_whole_storage_like_torch():
    big = rstorch.zeros(1000, 1000)
    b = io.BytesIO()
    rstorch.save(big[:3, :3], b)
    assert len(b.getvalue()) > 4_000_000
    out = rstorch.load(io.BytesIO(b.getvalue()))
    assert out.shape == (3, 3) and out._storage_nbytes() == 4_000_000


def test_roundtrip_objects():
    p = rstorch.nn.Parameter(rstorch.ones(2))
    obj = {"p": p, "rg": rstorch.ones(2, requires_grad=True), "s": rstorch.Size([2, 3]), "d": rstorch.bfloat16,
           "dev": rstorch.device("cpu"), "od": OrderedDict(a=1, b=[1, 2]), "set": {1, 2}, "n": (1, 2.5, "x", None,
           True, -3, 2 ** 70), "meta": rstorch.empty(2, 3, device="meta"), "scalar": rstorch.tensor(1.5),
           "empty": rstorch.empty(0, 4), "same": [p, p], "b": b"bytes", "c": 1 + 2j}
    out = roundtrip(obj)
    assert type(out["p"]) is rstorch.nn.Parameter and out["p"].requires_grad
    assert out["rg"].requires_grad and out["rg"].is_leaf
    assert out["s"] == rstorch.Size([2, 3]) and type(out["s"]) is rstorch.Size
    assert out["d"] is rstorch.bfloat16 and out["dev"] == rstorch.device("cpu")
    assert out["od"] == OrderedDict(a=1, b=[1, 2]) and type(out["od"]) is OrderedDict
    assert out["set"] == {1, 2} and out["n"] == (1, 2.5, "x", None, True, -3, 2 ** 70)
    assert out["meta"].is_meta and out["meta"].shape == (2, 3)
    assert out["scalar"].item() == 1.5 and out["empty"].shape == (0, 4)
    assert out["same"][0] is out["same"][1]
    assert out["b"] == b"bytes" and out["c"] == 1 + 2j


def test_paths_and_file_objects(tmp_path):
    t = rstorch.arange(5.0)
    rstorch.save(t, tmp_path / "a.pt")
    rstorch.save(t, str(tmp_path / "b.pt"))
    with open(tmp_path / "c.pt", "wb") as f:
        rstorch.save(t, f)
    for n in "abc":
        assert rstorch.equal(rstorch.load(tmp_path / f"{n}.pt"), t)
    with open(tmp_path / "a.pt", "rb") as f:
        assert rstorch.equal(rstorch.load(f), t)
    assert zipfile.ZipFile(tmp_path / "a.pt").namelist()[0] == "a/data.pkl"
    assert zipfile.ZipFile(tmp_path / "c.pt").namelist()[0] == "archive/data.pkl"
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_layout_is_torchs():
    base = rstorch.arange(24, dtype=rstorch.float32).reshape(4, 6)
    ref = {"w": base, "v": base[1], "i": rstorch.tensor([1, 2], dtype=rstorch.int64), "d": rstorch.float16,
           "s": rstorch.Size([2, 3]), "n": [1, 2.5, "x", None, True], "p": rstorch.nn.Parameter(rstorch.ones(2))}
    b = io.BytesIO()
    rstorch.save(ref, b)
    z = zipfile.ZipFile(io.BytesIO(b.getvalue()))
    assert z.testzip() is None  # CRCs are right
    assert z.namelist() == ["archive/data.pkl", "archive/.format_version", "archive/.storage_alignment",
                            "archive/byteorder", "archive/data/0", "archive/data/1", "archive/data/2",
                            "archive/version", "archive/.data/serialization_id"]
    assert z.read("archive/data.pkl") == (DATA / "ref_data.pkl").read_bytes()  # torch.save's bytes
    assert z.read("archive/version") == b"3\n" and z.read("archive/byteorder") == b"little"
    assert z.read("archive/.storage_alignment") == b"64" and z.read("archive/.format_version") == b"1"
    for info in z.infolist():
        assert info.compress_type == zipfile.ZIP_STORED and info.flag_bits == 0x808
        data_at = info.header_offset + 30 + len(info.filename) + len(b.getvalue()[info.header_offset + 28:][:0])
        extra = struct.unpack_from("<H", b.getvalue(), info.header_offset + 28)[0]
        assert (info.header_offset + 30 + len(info.filename.encode()) + extra) % 64 == 0, data_at
    assert b"PK\x06\x06" in b.getvalue()[-200:]


def test_legacy_format_roundtrip():
    base = rstorch.arange(6.0).reshape(2, 3)
    b = io.BytesIO()
    rstorch.save({"a": base, "b": base[1], "i": rstorch.ones(3, dtype=rstorch.int16)}, b,
                 _use_new_zipfile_serialization=False)
    out = rstorch.load(io.BytesIO(b.getvalue()))
    assert rstorch.equal(out["a"], base) and rstorch.equal(out["b"], base[1])
    out["a"][1, 0] = 9
    assert out["b"][0] == 9


def test_whole_model_pickle():
    m = rstorch.nn.Sequential(rstorch.nn.Linear(4, 3), rstorch.nn.ReLU(), rstorch.nn.BatchNorm1d(3))
    m.eval()
    x = rstorch.randn(2, 4)
    out = roundtrip(m, weights_only=False)
    assert type(out) is rstorch.nn.Sequential and rstorch.equal(out(x), m(x))
    assert rstorch.equal(copy.deepcopy(m)(x), m(x))
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL rstorch.nn.modules.container.Sequential was not"):
        roundtrip(m)


def test_state_dict_roundtrip_into_module():
    m = rstorch.nn.Sequential(rstorch.nn.Linear(4, 3), rstorch.nn.BatchNorm1d(3))
    m2 = rstorch.nn.Sequential(rstorch.nn.Linear(4, 3), rstorch.nn.BatchNorm1d(3))
    m2.load_state_dict(roundtrip(m.state_dict()))
    for (k, a), (_, b) in zip(m.state_dict().items(), m2.state_dict().items()):
        assert rstorch.equal(a, b), k


def test_different_dtypes_same_storage_refused():
    x = rstorch.zeros(4, dtype=rstorch.int32)
    y = x.view(rstorch.float32)
    with pytest.raises(RuntimeError, match="view the same data as different types"):
        rstorch.save([x, y], io.BytesIO())


# ---------------------------------------------------------------------------- torch's files

def test_torch_dtypes_fixture():
    out = rstorch.load(DATA / "dtypes.pt")
    for k, d in EXPECTED["dtypes.pt"].items():
        check(out[k], d)
    assert out["view_col"]._storage_ptr() == out["view_base"]._storage_ptr()
    out["view_base"][1, 2] = 100.0
    assert out["view_col"][1] == 100 and out["view_narrow"][0, 1] == 100 and out["view_t"][2, 1] == 100


def test_torch_state_dict_fixture():
    sd = rstorch.load(DATA / "state_dict.pt")
    assert sorted(sd) == sorted(EXPECTED["state_dict.pt"]) and type(sd) is OrderedDict
    for k, d in EXPECTED["state_dict.pt"].items():
        check(sd[k], d)
    m = rstorch.nn.Sequential(rstorch.nn.Linear(4, 3), rstorch.nn.ReLU(), rstorch.nn.BatchNorm1d(3),
                              rstorch.nn.Linear(3, 2))
    m.load_state_dict(sd)
    m.eval()
    e = EXPECTED["model_full.pt"]
    got = m(rstorch.tensor(e["input"])).tolist()
    assert all(abs(a - b) < 1e-6 for r, s in zip(got, e["output"]) for a, b in zip(r, s))


def test_torch_optimizer_fixture():
    o = rstorch.load(DATA / "optimizer.pt")
    e = EXPECTED["optimizer.pt"]
    assert [dict(g, betas=list(g["betas"])) for g in o["param_groups"]] == [
        dict(g, betas=list(g["betas"])) for g in e["param_groups"]]
    assert sorted(o["state"]) == sorted(int(k) for k in e["state"])
    for i, s in o["state"].items():
        for k, d in e["state"][str(i)].items():
            check(s[k], d)


def test_torch_full_model_fixture():
    with pytest.raises(pickle.UnpicklingError, match=r"GLOBAL torch\.nn\.modules\.container\.Sequential was not"):
        rstorch.load(DATA / "model_full.pt")
    # weights_only=False: torch's classes resolve to rstorch's classes of the same path
    m = rstorch.load(DATA / "model_full.pt", weights_only=False)
    assert type(m) is rstorch.nn.Sequential and type(m[0]) is rstorch.nn.Linear
    e = EXPECTED["model_full.pt"]
    got = m(rstorch.tensor(e["input"])).tolist()
    assert all(abs(a - b) < 1e-6 for r, s in zip(got, e["output"]) for a, b in zip(r, s))
    # or weights-only, with rstorch's classes allowlisted (they stand for torch's of the same path)
    with rstorch.serialization.safe_globals([rstorch.nn.Sequential, rstorch.nn.Linear, rstorch.nn.ReLU,
                                             rstorch.nn.BatchNorm1d]):
        m = rstorch.load(DATA / "model_full.pt")
    assert type(m[2]) is rstorch.nn.BatchNorm1d


def test_torch_legacy_fixture():
    sd = rstorch.load(DATA / "legacy.pt")
    for k, d in EXPECTED["legacy.pt"].items():
        check(sd[k], d)


def test_torch_parameter_and_missing_dtypes():
    p = rstorch.load(DATA / "parameter.pt")["p"]
    assert type(p) is rstorch.nn.Parameter and p.tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(RuntimeError, match="dtype torch.complex64: rstorch has no such dtype"):
        rstorch.load(DATA / "complex.pt")
    with pytest.raises(RuntimeError, match="dtype torch.uint16"):
        rstorch.load(DATA / "uint16.pt")


# ---------------------------------------------------------------------------- map_location, mmap

def _rezip(data, fix):
    """A zip checkpoint with data.pkl passed through `fix`."""
    r = _zip.ZipReader(io.BytesIO(data))
    out = io.BytesIO()
    w = _zip.ZipWriter(out, "archive")
    for key in r.records:
        b = r.read(key)
        if key == "data.pkl":
            b = fix(b)
        w.write_record(key, [b], len(b))
    w.finish()
    return out.getvalue()


def _saved(obj):
    b = io.BytesIO()
    rstorch.save(obj, b)
    return b.getvalue()


def test_map_location():
    data = _saved({"a": rstorch.arange(3.0)})
    for ml in ("cpu", rstorch.device("cpu"), {"cpu": "cpu"}, lambda s, loc: s, lambda s, loc: None,
               lambda s, loc: s.cpu()):
        assert rstorch.load(io.BytesIO(data), map_location=ml)["a"].tolist() == [0.0, 1.0, 2.0]
    m = rstorch.load(io.BytesIO(data), map_location="meta")["a"]
    assert m.is_meta and m.shape == (3,)
    assert rstorch.load(io.BytesIO(data), map_location=lambda s, loc: s.to("meta"))["a"].is_meta
    for ml in ("cuda", "wgpu", "cuda:0", rstorch.device("wgpu")):
        with pytest.raises(RuntimeError, match="no GPU backend"):
            rstorch.load(io.BytesIO(data), map_location=ml)
    on_cuda = _rezip(data, lambda b: b.replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0"))
    with pytest.raises(RuntimeError, match="torch.cuda.is_available\\(\\) is False"):
        rstorch.load(io.BytesIO(on_cuda))
    assert rstorch.load(io.BytesIO(on_cuda), map_location="cpu")["a"].tolist() == [0.0, 1.0, 2.0]
    assert rstorch.load(io.BytesIO(on_cuda), map_location={"cuda:0": "cpu"})["a"].tolist() == [0.0, 1.0, 2.0]
    seen = []
    rstorch.load(io.BytesIO(on_cuda), map_location=lambda s, loc: seen.append(loc) or s)
    assert seen == ["cuda:0"]


def test_mmap(tmp_path):
    t = rstorch.arange(1000.0)
    rstorch.save({"t": t, "v": t[10:20]}, tmp_path / "m.pt")
    out = rstorch.load(tmp_path / "m.pt", mmap=True)
    assert rstorch.equal(out["t"], t) and rstorch.equal(out["v"], t[10:20])
    out["t"][10] = -1.0  # copy-on-write: the file is unchanged
    assert out["v"][0] == -1
    assert rstorch.load(tmp_path / "m.pt")["t"][10] == 10
    with pytest.raises(ValueError, match="f must be a file path in order to use the mmap argument"):
        with open(tmp_path / "m.pt", "rb") as f:
            rstorch.load(f, mmap=True)
    rstorch.save(t, tmp_path / "legacy.pt", _use_new_zipfile_serialization=False)
    with pytest.raises(RuntimeError, match="mmap can only be used"):
        rstorch.load(tmp_path / "legacy.pt", mmap=True)


# ---------------------------------------------------------------------------- safety

class Evil:
    def __init__(self, payload):
        self.payload = payload

    def __reduce__(self):
        return self.payload


def _evil_payloads(marker):
    cmd = f"touch {marker}"
    return {
        "os.system": (os.system, (cmd,)),
        "eval": (eval, (f"open({str(marker)!r}, 'w').close()",)),
        "exec": (exec, (f"open({str(marker)!r}, 'w').close()",)),
        "subprocess": (subprocess.call, (["touch", str(marker)],)),
    }


def _evil_zip(obj):
    """A torch-format zip whose data.pkl is the plain pickle of `obj` (no torch names needed)."""
    pkl = pickle.dumps(obj, protocol=2)
    out = io.BytesIO()
    w = _zip.ZipWriter(out, "archive")
    w.write_record("data.pkl", [pkl], len(pkl))
    w.write_record("version", [b"3\n"], 2)
    w.finish()
    return out.getvalue()


def _getattr_chain_pickle(marker):
    # builtins.getattr(builtins.getattr(builtins, "__import__")("os"), "system")("touch marker")
    return (b"\x80\x02cbuiltins\ngetattr\nq\x00h\x00cbuiltins\nbuiltins\nX\n\x00\x00\x00__import__\x86R"
            b"X\x02\x00\x00\x00os\x85RX\x06\x00\x00\x00system\x86R"
            + b"X" + struct.pack("<I", len(f"touch {marker}")) + f"touch {marker}".encode() + b"\x85R.")


@pytest.mark.parametrize("kind", ["os.system", "eval", "exec", "subprocess", "getattr"])
@pytest.mark.parametrize("container", ["zip", "legacy"])
def test_malicious_pickle_rejected(tmp_path, kind, container):
    marker = tmp_path / "pwned"
    if kind == "getattr":
        pkl = _getattr_chain_pickle(marker)
    else:
        pkl = pickle.dumps(Evil(_evil_payloads(marker)[kind]), protocol=2)
    if container == "zip":
        out = io.BytesIO()
        w = _zip.ZipWriter(out, "archive")
        w.write_record("data.pkl", [pkl], len(pkl))
        w.finish()
        data = out.getvalue()
    else:
        data = (pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2) + pickle.dumps(1001, protocol=2)
                + pickle.dumps({"little_endian": True}, protocol=2) + pkl + pickle.dumps([], protocol=2))
    with pytest.raises(pickle.UnpicklingError) as e:
        rstorch.load(io.BytesIO(data))
    msg = str(e.value)
    assert msg.startswith("Weights only load failed.")
    assert any(s in msg for s in ("GLOBAL posix.system", "GLOBAL os.system", "GLOBAL eval", "GLOBAL exec",
                                  "GLOBAL subprocess.call", "GLOBAL commands.call", "GLOBAL getattr", "whose module posix is blocked",
                                  "whose module os is blocked")), msg
    assert not marker.exists()


def test_refused_global_wording():
    data = _evil_zip({"x": pathlib.PurePosixPath("a")})
    with pytest.raises(pickle.UnpicklingError) as e:
        rstorch.load(io.BytesIO(data))
    assert ("WeightsUnpickler error: Unsupported global: GLOBAL pathlib.PurePosixPath was not an allowed global "
            "by default. Please use `torch.serialization.add_safe_globals([pathlib.PurePosixPath])` or the "
            "`torch.serialization.safe_globals([pathlib.PurePosixPath])` context manager to allowlist this global "
            "if you trust this class/function.") in str(e.value)
    with rstorch.serialization.safe_globals([pathlib.PurePosixPath]):
        assert rstorch.load(io.BytesIO(data)) == {"x": pathlib.PurePosixPath("a")}
    assert pathlib.PurePosixPath not in rstorch.serialization.get_safe_globals()
    rstorch.serialization.add_safe_globals([pathlib.PurePosixPath])
    try:
        assert pathlib.PurePosixPath in rstorch.serialization.get_safe_globals()
        rstorch.load(io.BytesIO(data))
    finally:
        rstorch.serialization.clear_safe_globals()
    assert rstorch.load(io.BytesIO(data), weights_only=False) == {"x": pathlib.PurePosixPath("a")}


def test_no_allocation_from_tensor_constructor_in_pickle():
    # torch.Tensor(10**12) through REDUCE / NEWOBJ would allocate: refused
    reduce = b"\x80\x02ctorch\nTensor\nJ\x00\x00\x00\x40\x85R."
    newobj = b"\x80\x02ctorch\nTensor\nJ\x00\x00\x00\x40\x85\x81."
    ba = b"\x80\x02cbuiltins\nbytearray\nJ\x00\x00\x00\x40\x85R."
    for pkl in (reduce, newobj, ba):
        with pytest.raises(pickle.UnpicklingError):
            rstorch.load(io.BytesIO(_zipped(pkl)))


def _zipped(pkl, records=()):
    out = io.BytesIO()
    w = _zip.ZipWriter(out, "archive")
    w.write_record("data.pkl", [pkl], len(pkl))
    for k, v in records:
        w.write_record(k, [v], len(v))
    w.finish()
    return out.getvalue()


def _tensor_pickle(size, stride, offset, numel, dtype="FloatStorage"):
    """A data.pkl rebuilding one tensor, numbers as given (struct-packed as LONG1 to allow any int)."""
    def num(v):
        b = pickle.encode_long(v)
        return b"\x8a" + bytes([len(b)]) + b

    def tup(vs):
        return b"(" + b"".join(num(v) for v in vs) + b"t"
    return (b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\n" + dtype.encode()
            + b"\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpu" + num(numel) + b"tQ" + num(offset) + tup(size)
            + tup(stride) + b"\x89ccollections\nOrderedDict\n)RtR.")


@pytest.mark.parametrize("size,stride,offset,numel,record,match", [
    ((4,), (1,), 0, 8, 16, "holds 16 bytes but the file claims 8 elements"),     # short storage
    ((5,), (1,), 0, 4, 16, "out of bounds for storage of size 16"),               # view past the end
    ((2,), (1,), 3, 4, 16, "out of bounds"),                                       # offset past the end
    ((-1,), (1,), 0, 4, 16, "negative size"),
    ((2,), (-1,), 0, 4, 16, "negative size, stride"),
    ((2,), (1,), -5, 4, 16, "negative size, stride or storage offset"),
    ((2 ** 40, 2 ** 40), (0, 0), 0, 4, 16, "too many elements"),                  # overflowing numel
    ((2 ** 63,), (1,), 0, 4, 16, "too many elements"),
    ((2,), (2 ** 63,), 0, 4, 16, "out of bounds"),                                 # overflowing stride
    ((2,), (1,), 2 ** 64, 4, 16, "out of bounds"),
    ((1,), (1,), 0, 2 ** 60, 16, "holds 16 bytes"),                               # absurd element count
    ((2, 2), (1,), 0, 4, 16, "mismatch in length"),
])
def test_hostile_tensor_metadata(size, stride, offset, numel, record, match):
    data = _zipped(_tensor_pickle(size, stride, offset, numel), [("data/0", b"\x00" * record)])
    with pytest.raises(RuntimeError, match=match):
        rstorch.load(io.BytesIO(data))


def test_hostile_unknown_storage_and_dtypes():
    data = _zipped(_tensor_pickle((1,), (1,), 0, 1, "NoSuchStorage"), [("data/0", b"\x00" * 4)])
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL torch.NoSuchStorage was not an allowed"):
        rstorch.load(io.BytesIO(data))
    data = _zipped(_tensor_pickle((1,), (1,), 0, 1, "QInt8Storage"), [("data/0", b"\x00")])
    with pytest.raises(RuntimeError, match="dtype torch.qint8"):
        rstorch.load(io.BytesIO(data))
    data = _zipped(_tensor_pickle((1,), (1,), 0, 1), [])
    with pytest.raises(RuntimeError, match="failed locating file data/0"):
        rstorch.load(io.BytesIO(data))


def test_hostile_archives():
    good = _saved({"a": rstorch.arange(100.0)})
    for cut in (0, 3, 10, 100, len(good) // 2, len(good) - 30, len(good) - 1):
        with pytest.raises((RuntimeError, pickle.UnpicklingError)):
            rstorch.load(io.BytesIO(good[:cut]))
    # a compressed record (a zip bomb cannot be anything else): refused before inflating anything
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("archive/data.pkl", b"\x80\x02N.")
        z.writestr("archive/data/0", b"\x00" * 10_000_000)
    with pytest.raises(RuntimeError, match="is compressed"):
        rstorch.load(io.BytesIO(bomb.getvalue()))
    # path tricks in member names
    for names in (["archive/data.pkl", "../etc/passwd"], ["archive/data.pkl", "other/data/0"],
                  ["/abs/data.pkl"], ["archive/../data.pkl"], ["archive\\data.pkl"], ["archive/data.pkl"] * 2):
        z = io.BytesIO()
        with zipfile.ZipFile(z, "w") as zf:
            for n in names:
                zi = zipfile.ZipInfo(n)
                zf.writestr(zi, b"\x80\x02N.")
        with pytest.raises(RuntimeError, match="invalid record name|outside the archive folder|duplicate"):
            rstorch.load(io.BytesIO(z.getvalue()))
    # central directory pointing outside the file, lying sizes
    bad = bytearray(good)
    at = bad.rfind(b"PK\x01\x02")
    struct.pack_into("<I", bad, at + 20, 2 ** 31)   # compressed size
    struct.pack_into("<I", bad, at + 24, 2 ** 31)   # size
    with pytest.raises(RuntimeError):
        rstorch.load(io.BytesIO(bytes(bad)))
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        rstorch.load(io.BytesIO(b"not a checkpoint at all"))  # torch's error too
    with pytest.raises(RuntimeError, match="Invalid magic number"):
        rstorch.load(io.BytesIO(b"\x80\x02K\x05."))
    with pytest.raises(RuntimeError, match="empty or truncated"):
        rstorch.load(io.BytesIO(b""))


# ---------------------------------------------------------------------------- atomic save

_KILLED_SAVER = r"""
import sys, time, rstorch
from rstorch.serialization import _zip
orig = _zip.ZipWriter.write_record
def slow(self, name, chunks, size):
    orig(self, name, chunks, size)
    if name == "data/0":
        self.f.flush()
        print("mid-write", flush=True)
        time.sleep(60)
_zip.ZipWriter.write_record = slow
rstorch.save({"new": rstorch.zeros(100000)}, sys.argv[1])
"""


def test_atomic_save_survives_sigkill(tmp_path):
    path = tmp_path / "ckpt.pt"
    rstorch.save({"old": rstorch.arange(4.0)}, path)
    # the child imports the rstorch under test (the source tree, or the installed wheel in CI)
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(rstorch.__file__)))
    p = subprocess.Popen([sys.executable, "-c", _KILLED_SAVER, str(path)], stdout=subprocess.PIPE, env=env)
    try:
        assert p.stdout.readline().strip() == b"mid-write"
        tmps = [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
        assert tmps and os.path.getsize(tmp_path / tmps[0]) > 400_000  # the new file was half written
    finally:
        p.send_signal(signal.SIGKILL)
        p.wait()
    assert rstorch.load(path)["old"].tolist() == [0.0, 1.0, 2.0, 3.0]


# ---------------------------------------------------------------------------- safetensors

def test_safetensors_fixture():
    out = st.load_file(DATA / "dtypes.safetensors")
    for k, d in EXPECTED["dtypes.safetensors"].items():
        check(out[k], d)
    with st.safe_open(DATA / "dtypes.safetensors", framework="pt") as f:
        assert f.metadata() == {"format": "pt", "note": "fixture"}
        assert f.keys() == sorted(EXPECTED["dtypes.safetensors"])
        assert f.get_slice("float32").get_shape() == [3, 4]
        assert rstorch.equal(f.get_slice("float32")[1:, :2], out["float32"][1:, :2])
    assert rstorch.serialization.load_file is st.load_file
    assert rstorch.load(DATA / "dtypes.safetensors").keys() == out.keys()


def _header(data):
    n = struct.unpack_from("<Q", data)[0]
    return n, json.loads(data[8:8 + n])


def test_safetensors_bytes_equal_the_packages():
    ref = (DATA / "small.safetensors.bin").read_bytes()
    assert st.save({"a": rstorch.arange(4, dtype=rstorch.float32), "b": rstorch.ones(2, 2, dtype=rstorch.int64)}) == ref
    ref = (DATA / "dtypes.safetensors").read_bytes()
    mine = st.save(st.load_file(DATA / "dtypes.safetensors"), metadata={"format": "pt", "note": "fixture"})
    n, h = _header(ref)
    n2, h2 = _header(mine)
    assert n == n2 and h == h2 and list(h)[1:] == list(h2)[1:]  # the package's metadata order is a HashMap's
    assert mine[8 + n:] == ref[8 + n:]


def test_safetensors_roundtrip_and_spec(tmp_path):
    ts = {name: sample(name) for name in DTYPES}
    ts["empty"] = rstorch.empty(0, 3)
    ts["scalar"] = rstorch.tensor(2.0)
    st.save_file(ts, tmp_path / "x.safetensors", metadata={"a": "b"})
    data = (tmp_path / "x.safetensors").read_bytes()
    n, h = _header(data)
    assert n % 8 == 0 and data[8:9] == b"{" and h["__metadata__"] == {"a": "b"}
    spans = sorted(v["data_offsets"] for k, v in h.items() if k != "__metadata__")
    assert spans[0][0] == 0 and all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    assert spans[-1][1] == len(data) - 8 - n
    out = st.load_file(tmp_path / "x.safetensors")
    for k, v in ts.items():
        assert out[k].dtype is v.dtype and rstorch.equal(out[k], v), k
    assert st.load(st.save(ts)).keys() == ts.keys()
    m = rstorch.nn.Linear(3, 2)
    m2 = rstorch.nn.Linear(3, 2)
    m2.load_state_dict(st.load(st.save(dict(m.state_dict()))))
    assert rstorch.equal(m2.weight, m.weight)
    base = rstorch.zeros(4)
    with pytest.raises(RuntimeError, match="share memory"):
        st.save({"a": base, "b": base[1:3]})
    with pytest.raises(ValueError, match="non contiguous"):
        st.save({"a": rstorch.zeros(3, 3).t()})


def _st(header, data=b"", n=None):
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h) if n is None else n) + h + data


@pytest.mark.parametrize("blob,match", [
    (b"\x01\x02", "HeaderTooSmall"),
    (struct.pack("<Q", 2 ** 63) + b"{}", "HeaderTooLarge"),
    (struct.pack("<Q", 100_000_001) + b"{}", "HeaderTooLarge"),
    (struct.pack("<Q", 5000) + b"{}", "InvalidHeaderLength"),
    (_st({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, b"\x00" * 4), "MetadataIncompleteBuffer"),
    (_st({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}, b"\x00" * 4), "TensorInvalidInfo"),
    (_st({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
          "b": {"dtype": "F32", "shape": [1], "data_offsets": [2, 6]}}, b"\x00" * 6), "InvalidOffset"),
    (_st({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, b"\x00" * 8), "InvalidOffset"),
    (_st({"a": {"dtype": "F32", "shape": [2 ** 40, 2 ** 40], "data_offsets": [0, 4]}}, b"\x00" * 4),
     "ValidationOverflow"),
    (_st({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}, b"\x00" * 4), "InvalidHeaderDeserial"),
    (_st({"a": {"dtype": "X99", "shape": [1], "data_offsets": [0, 4]}}, b"\x00" * 4), "unknown dtype"),
    (_st({"a": {"dtype": "U16", "shape": [1], "data_offsets": [0, 2]}}, b"\x00" * 2), "rstorch does not have"),
    (struct.pack("<Q", 2) + b"[]", "InvalidHeaderStart"),
    (struct.pack("<Q", 3) + b"{x}", "InvalidHeaderDeserialization"),
    (struct.pack("<Q", 2) + b"\xff\xfe", "InvalidHeader"),
    (struct.pack("<Q", 17) + b'{"a":{},"a":{}}  ', "duplicate key"),
])
def test_safetensors_hostile(blob, match):
    with pytest.raises(st.SafetensorError, match=match):
        st.load(blob)


@pytest.mark.parametrize("weights_only", [True, False])
def test_legacy_huge_claimed_string_allocates_nothing(weights_only):
    head = (pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2) + pickle.dumps(1001, protocol=2)
            + pickle.dumps({"little_endian": True}, protocol=2))
    for body in (b"\x80\x02X\xff\xff\xff\xff" + b"a" * 10, b"\x80\x04\x8e" + struct.pack("<Q", 2 ** 40) + b"a"):
        with pytest.raises((RuntimeError, pickle.UnpicklingError)):
            rstorch.load(io.BytesIO(head + body), weights_only=weights_only)


def test_tensor_python_state_and_hooks():
    x = rstorch.ones(2, requires_grad=True)
    x.register_hook(lambda g: g)
    x.tag = "kept"
    b = rstorch.nn.Buffer(rstorch.ones(2))
    out = roundtrip({"x": x, "b": b})
    assert out["x"].tag == "kept" and "_backward_hooks" not in out["x"].__dict__ and out["x"].requires_grad
    assert out["b"]._is_buffer and isinstance(out["b"], rstorch.nn.Buffer)


def test_big_endian_file():
    data = _saved({"f": rstorch.arange(4.0), "i": rstorch.arange(3, dtype=rstorch.int16),
                   "b": rstorch.tensor([1, 2], dtype=rstorch.uint8)})
    r = _zip.ZipReader(io.BytesIO(data))
    sizes = {"0": 4, "1": 2, "2": 1}
    out = io.BytesIO()
    w = _zip.ZipWriter(out, "archive")
    for key in r.records:
        b = r.read(key)
        if key == "byteorder":
            b = b"big"
        elif key.startswith("data/"):
            n = sizes[key[5:]]
            b = b"".join(b[i:i + n][::-1] for i in range(0, len(b), n))
        w.write_record(key, [b], len(b))
    w.finish()
    o = rstorch.load(io.BytesIO(out.getvalue()))
    assert o["f"].tolist() == [0.0, 1.0, 2.0, 3.0] and o["i"].tolist() == [0, 1, 2] and o["b"].tolist() == [1, 2]


def test_full_load_of_a_torch_class_rstorch_lacks():
    pkl = b"\x80\x02ctorch.nn.modules.nosuch\nNoSuchLayer\n)\x81."
    with pytest.raises(pickle.UnpicklingError, match="needs PyTorch's torch.nn.modules.nosuch.NoSuchLayer"):
        rstorch.load(io.BytesIO(_zipped(pkl)), weights_only=False)


def test_container_built_from_a_huge_view_refused():
    # set(<stride-0 view of 2**40 elements>) would iterate for hours: refused before iterating
    view = _tensor_pickle((2 ** 40,), (0,), 0, 1)[2:-1]  # the REDUCE that builds the tensor
    pkl = b"\x80\x02cbuiltins\nset\n" + view + b"\x85R."
    data = _zipped(pkl, [("data/0", b"\x00" * 4)])
    with pytest.raises(pickle.UnpicklingError, match="may not be built from a tensor"):
        rstorch.load(io.BytesIO(data))


def test_fast_tensor_pickling_equals_save_reduce():
    from collections import OrderedDict as OD
    from rstorch.serialization import _pickle, _Storages

    class Generic(_pickle.TorchPickler):
        dispatch = _pickle.TorchPickler.dispatch.copy()

        def _generic(self, obj):
            args = (self.storage_ref(obj), obj.storage_offset(), tuple(obj.shape), tuple(obj.stride()),
                    obj.requires_grad, OD())
            self.save_reduce(_pickle._rebuild_tensor_v2, args, obj=obj)
        dispatch[rstorch.Tensor] = _generic

    big = rstorch.zeros(70000)
    x = rstorch.arange(300.0).reshape(3, 100)
    objs = [x, x[1:, 5:], x.t(), rstorch.empty(0), rstorch.tensor(3.0), rstorch.ones(2, 3, 4, 5).permute(3, 1, 0, 2),
            big[300:], big.as_strided([2, 2], [40000, 0], 1), x, rstorch.ones(2, requires_grad=True),
            big.view(1, 1, 70000, 1)]

    def dump(cls):
        b = io.BytesIO()
        cls(b, 2, _Storages()).dump(objs)
        return b.getvalue()
    assert dump(_pickle.TorchPickler) == dump(Generic)
