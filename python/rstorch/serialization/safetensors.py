"""The safetensors format (https://github.com/huggingface/safetensors), as `safetensors.torch`:
`save_file`, `load_file`, `save`, `load`, `safe_open`. The package is not needed.

A file: an 8-byte little-endian header length N, N bytes of JSON
`{"__metadata__": {str: str}, name: {"dtype": "F32", "shape": [...], "data_offsets": [b, e]}}`
(padded with spaces to a multiple of 8), then the data; offsets are relative to the data start and
must tile it exactly. Every rule of the reference reader is checked before a byte is used.
"""

import ctypes
import json
import mmap as _mmap
import os
import struct

from .. import _C
from .._tensor import Tensor

__all__ = ["save_file", "load_file", "save", "load", "safe_open", "SafetensorError"]

MAX_HEADER = 100_000_000


class SafetensorError(ValueError):
    """A malformed or unsupported safetensors file (the package's SafetensorError)."""


# name -> (rstorch dtype or None, itemsize); the package's order of dtypes (its Dtype enum)
_DTYPES = {
    "BOOL": (_C.bool, 1), "F4": (None, 1), "F6_E2M3": (None, 1), "F6_E3M2": (None, 1), "U8": (_C.uint8, 1),
    "I8": (_C.int8, 1), "F8_E5M2": (None, 1), "F8_E4M3": (None, 1), "F8_E8M0": (None, 1),
    "I16": (_C.int16, 2), "U16": (None, 2), "F16": (_C.float16, 2), "BF16": (_C.bfloat16, 2),
    "I32": (_C.int32, 4), "U32": (None, 4), "F32": (_C.float32, 4), "C64": (None, 8),
    "F64": (_C.float64, 8), "I64": (_C.int64, 8), "U64": (None, 8),
}
_ORDER = {name: i for i, name in enumerate(_DTYPES)}
_NAME = {d: name for name, (d, _) in _DTYPES.items() if d is not None}


def _check_tensors(tensors):
    if not isinstance(tensors, dict):
        raise ValueError(f"Expected a dict of [str, torch.Tensor] but received {type(tensors)}")
    invalid = {k for k, v in tensors.items() if not isinstance(v, Tensor)}
    if invalid:
        raise ValueError(f"Key `{sorted(invalid)[0]}` is invalid, expected torch.Tensor but received "
                         f"{type(tensors[sorted(invalid)[0]])}")
    for k, v in tensors.items():
        if type(k) is not str:
            raise ValueError(f"Expected a dict of [str, torch.Tensor] but a key is {type(k)}")
        if v.is_meta or v._device != "cpu":
            raise ValueError(f"Tensor `{k}` is on {v.device}: only CPU tensors can be saved")
        if not v.is_contiguous():
            raise ValueError(
                f"You are trying to save a non contiguous tensor: `{k}` which is not allowed. It either means "
                "you are trying to save tensors which are reference of each other in which case it's "
                "recommended to save only the full tensors, and reslice at load time, or simply call "
                "`.contiguous()` on your tensor to pack it before saving.")
    spans = sorted((v.data_ptr(), v.data_ptr() + v.nbytes, k) for k, v in tensors.items() if v.nbytes)
    for (a0, a1, ka), (b0, b1, kb) in zip(spans, spans[1:]):
        if b0 < a1:
            raise RuntimeError(
                f"Some tensors share memory, this will lead to duplicate memory on disk and potential "
                f"differences when loading them again: [{{{ka!r}, {kb!r}}}].\nA potential way to correctly "
                "save your model is to use `save_model`.\nMore information at "
                "https://huggingface.co/docs/safetensors/torch_shared_tensors")


def _prepare(tensors, metadata):
    _check_tensors(tensors)
    if metadata is not None:
        if not isinstance(metadata, dict) or not all(type(k) is str and type(v) is str
                                                      for k, v in metadata.items()):
            raise ValueError("metadata must be a dict of str to str")
    items = sorted(tensors.items(), key=lambda kv: (-_ORDER[_NAME[kv[1].dtype]], kv[0]))
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    chunks = []
    for name, t in items:
        n = t.nbytes
        header[name] = {"dtype": _NAME[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + n]}
        offset += n
        if n:
            chunks.append((t, memoryview((ctypes.c_char * n).from_address(t.data_ptr())).cast("B")))
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text, chunks, offset


def save(tensors, metadata=None):
    """The bytes of a safetensors file holding `tensors` ({name: contiguous tensor})."""
    head, chunks, total = _prepare(tensors, metadata)
    out = bytearray(head)
    for _, mv in chunks:
        out += mv
    return bytes(out)


def save_file(tensors, filename, metadata=None):
    """Writes `tensors` to `filename` (atomically: a temporary file renamed over it)."""
    head, chunks, total = _prepare(tensors, metadata)
    from ._zip import atomic_write

    def write(f):
        f.write(head)
        for _, mv in chunks:
            f.write(mv)
    atomic_write(os.fspath(filename), write)


def _no_dups(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise SafetensorError(f"Error while deserializing header: duplicate key `{k}`")
        d[k] = v
    return d


def _parse(buf_len, read):
    """(metadata, {name: (dtype, shape, begin, end)} with absolute offsets), checked like the
    reference reader: `read(offset, n)` gives bytes of the file."""
    if buf_len < 8:
        raise SafetensorError("Error while deserializing header: HeaderTooSmall")
    n = struct.unpack("<Q", read(0, 8))[0]
    if n > MAX_HEADER:
        raise SafetensorError("Error while deserializing header: HeaderTooLarge")
    if 8 + n > buf_len:
        raise SafetensorError("Error while deserializing header: InvalidHeaderLength")
    raw = read(8, n)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SafetensorError("Error while deserializing header: InvalidHeader") from None
    if not text.startswith("{"):
        raise SafetensorError("Error while deserializing header: InvalidHeaderStart")
    try:
        header = json.loads(text, object_pairs_hook=_no_dups)
    except SafetensorError:
        raise
    except (ValueError, RecursionError) as e:
        raise SafetensorError(f"Error while deserializing header: InvalidHeaderDeserialization ({e})"[:300]) \
            from None
    if not isinstance(header, dict):
        raise SafetensorError("Error while deserializing header: InvalidHeaderDeserialization")
    metadata = header.pop("__metadata__", None)
    if metadata is not None and not (isinstance(metadata, dict)
                                     and all(isinstance(v, str) for v in metadata.values())):
        raise SafetensorError("Error while deserializing header: InvalidHeaderDeserialization (metadata)")
    infos = []
    for name, info in header.items():
        if (not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}
                or not isinstance(info["dtype"], str) or not isinstance(info["shape"], list)
                or not isinstance(info["data_offsets"], list) or len(info["data_offsets"]) != 2
                or not all(type(x) is int and x >= 0 for x in info["shape"] + info["data_offsets"])):
            raise SafetensorError(f"Error while deserializing header: InvalidHeaderDeserialization "
                                  f"(tensor {name!r})"[:300])
        infos.append((info["data_offsets"][0], info["data_offsets"][1], name, info))
    infos.sort(key=lambda x: (x[0], x[1]))
    data_len = buf_len - 8 - n
    out = {}
    start = 0
    for begin, end, name, info in infos:
        if begin != start or end < begin:
            raise SafetensorError(f"Error while deserializing header: InvalidOffset({name})")
        start = end
        dt = info["dtype"]
        if dt not in _DTYPES:
            raise SafetensorError(f"Error while deserializing header: unknown dtype {dt!r} for {name}"[:300])
        numel = 1
        for s in info["shape"]:
            numel *= s
            if numel > 1 << 62:
                raise SafetensorError(f"Error while deserializing header: ValidationOverflow ({name})")
        if numel * _DTYPES[dt][1] != end - begin:
            raise SafetensorError(f"Error while deserializing header: TensorInvalidInfo ({name})")
        out[name] = (dt, info["shape"], 8 + n + begin, 8 + n + end)
    if start != data_len:
        raise SafetensorError("Error while deserializing header: MetadataIncompleteBuffer")
    return metadata, out


def _tensor(entry, name, buf, writable=True):
    dt, shape, begin, end = entry
    dtype, itemsize = _DTYPES[dt]
    if dtype is None:
        raise SafetensorError(f"tensor {name!r} has dtype {dt}, which rstorch does not have")
    nbytes = end - begin
    from .._creation import empty
    if nbytes == 0:
        return empty(shape, dtype=dtype)
    strides = []
    acc = 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= s
    strides.reverse()
    arr = (ctypes.c_char * nbytes).from_buffer(buf, begin)
    ptr = ctypes.addressof(arr)
    if ptr % itemsize:
        copy = bytearray(arr)
        arr = (ctypes.c_char * nbytes).from_buffer(copy)
        ptr = ctypes.addressof(arr)
    return _C._from_buffer(ptr, nbytes, list(shape), strides, 0, dtype, arr, writable)


def _device(device):
    from .._device import device_arg
    dev = device_arg(device if not isinstance(device, int) else f"cuda:{device}")
    from ._pickle import check_target
    check_target(dev)
    return dev


def _mapped(filename):
    with open(os.fspath(filename), "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size < 8:
            raise SafetensorError("Error while deserializing header: HeaderTooSmall")
        return _mmap.mmap(f.fileno(), size, access=_mmap.ACCESS_COPY), size


def _finish(t, dev):
    return t if dev == "cpu" else t.to(dev)


def load(data):
    """{name: tensor} from the bytes of a safetensors file."""
    buf = bytearray(data)
    _, entries = _parse(len(buf), lambda o, n: bytes(buf[o:o + n]))
    return {name: _tensor(e, name, buf) for name, e in entries.items()}


def load_file(filename, device="cpu"):
    """{name: tensor} of a safetensors file (mapped copy-on-write: no copy of the data)."""
    with safe_open(filename, framework="pt", device=device) as f:
        return {k: f.get_tensor(k) for k in f.keys()}


class _Slice:
    def __init__(self, opener, name):
        self.opener, self.name = opener, name

    def get_shape(self):
        return list(self.opener._entries[self.name][1])

    def get_dtype(self):
        return self.opener._entries[self.name][0]

    def __getitem__(self, index):
        return self.opener.get_tensor(self.name)[index].clone()


class safe_open:
    """Lazy reader: `with safe_open(path, framework="pt") as f: f.keys(), f.get_tensor(name)`."""

    def __init__(self, filename, framework="pt", device="cpu"):
        if framework not in ("pt", "torch", "rstorch", "numpy", "np"):
            raise SafetensorError(f"framework {framework!r} is not supported")
        self._dev = _device(device)
        self._mm, size = _mapped(filename)
        self._metadata, self._entries = _parse(size, lambda o, n: self._mm[o:o + n])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def keys(self):
        return sorted(self._entries)

    def offset_keys(self):
        return sorted(self._entries, key=lambda k: self._entries[k][2])

    def metadata(self):
        return self._metadata

    def get_tensor(self, name):
        if name not in self._entries:
            raise SafetensorError(f"File does not contain tensor {name}")
        return _finish(_tensor(self._entries[name], name, self._mm), self._dev)

    def get_slice(self, name):
        if name not in self._entries:
            raise SafetensorError(f"File does not contain tensor {name}")
        return _Slice(self, name)
