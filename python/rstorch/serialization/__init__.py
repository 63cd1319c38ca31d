"""`rstorch.save` / `rstorch.load`: PyTorch's checkpoint format, safe by default.

Files are PyTorch's zip checkpoints (`<name>/data.pkl`, `<name>/data/<key>`, `byteorder`,
`version`, `.format_version`, `.storage_alignment`, `.data/serialization_id`, records 64-byte
aligned), with torch's pickle names, so `torch.load(weights_only=True)` reads what `rstorch.save`
writes and `rstorch.load` reads `torch.save`'s files (and the legacy pre-1.6 format) without torch.

`load(weights_only=True)` (the default, as in torch 2.6+) unpickles through an allowlist
(`_pickle.WeightsUnpickler`); `weights_only=False` is full pickling, `torch.*` globals resolved as
the `rstorch.*` object of the same path (a torch `nn.Linear` loads as rstorch's). safetensors:
`rstorch.serialization.safetensors` (`save_file`, `load_file`, `save`, `load` for bytes, `safe_open`,
as `safetensors.torch`; `save_file`, `load_file` and `safe_open` are re-exported here, while
`rstorch.serialization.save`/`load` are torch's, as in `torch.serialization`).
"""

import ctypes
import io
import mmap as _mmap
import os
import pickle
import random
import struct
import sys

from .. import _C
from .._device import device as _device_cls
from . import _pickle
from ._pickle import (LoadedStorage, StorageRef, STORAGE_NAME, StorageType,
                      add_safe_globals, get_safe_globals, clear_safe_globals, safe_globals,
                      weights_only_message, check_target, no_gpu_message)
from ._zip import ZipReader, ZipWriter, is_zipfile, atomic_write
from .safetensors import save_file, load_file, safe_open

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals", "safe_globals",
           "save_file", "load_file", "safe_open", "DEFAULT_PROTOCOL"]

DEFAULT_PROTOCOL = 2
MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001


# ---------------------------------------------------------------------------- save

class _Storages:
    """The storages a pickle refers to, in first-seen order, keyed "0", "1"..."""

    def __init__(self, legacy=False):
        self.by_ptr = {}
        self.order = []   # (key, tensor holding the storage, nbytes)
        self.legacy = legacy

    def __call__(self, t):
        if t._device != "cpu":
            raise RuntimeError(f"cannot save a tensor on {t._device}: only CPU and meta tensors exist")
        nbytes = t._storage_nbytes()
        ptr = t._storage_ptr()
        ident = (ptr, nbytes) if nbytes else ("empty", id(t))
        hit = self.by_ptr.get(ident)
        if hit is not None:
            ref, dtype = hit
            if dtype is not t.dtype:
                raise RuntimeError("Cannot save multiple tensors or storages that view the same data as "
                                   "different types")
            return ref
        key = str(len(self.order))
        storage_type = _pickle._save_global("torch", STORAGE_NAME[t.dtype])
        numel = nbytes // t.element_size()
        pid = ("storage", storage_type, key, "cpu", numel) + ((None,) if self.legacy else ())
        ref = StorageRef(pid)
        self.by_ptr[ident] = (ref, t.dtype)
        self.order.append((key, t, nbytes, numel))
        return ref


def _storage_bytes(t, nbytes):
    if nbytes == 0:
        return memoryview(b"")
    return memoryview((ctypes.c_char * nbytes).from_address(t._storage_ptr())).cast("B")


def _archive_name(f):
    if isinstance(f, (str, bytes, os.PathLike)):
        base = os.path.basename(os.fsdecode(f))
        stem = base.rsplit(".", 1)[0] if "." in base else base
        return stem or "archive"
    return "archive"


def _pickled(obj, protocol, storages):
    data = io.BytesIO()
    _pickle.TorchPickler(data, protocol, storages).dump(obj)
    return data.getvalue()


def _write_zip(obj, f, protocol, archive_name, byteorder=True):
    storages = _Storages()
    pkl = _pickled(obj, protocol, storages)
    w = ZipWriter(f, archive_name)
    w.write_record("data.pkl", [pkl], len(pkl))
    w.write_record(".format_version", [b"1"], 1)
    w.write_record(".storage_alignment", [b"64"], 2)
    if byteorder:
        w.write_record("byteorder", [sys.byteorder.encode()], len(sys.byteorder))
    for key, t, nbytes, _ in storages.order:
        w.write_record(f"data/{key}", [_storage_bytes(t, nbytes)], nbytes)
    w.write_record("version", [b"3\n"], 2)
    sid = "".join(random.choice("0123456789") for _ in range(40)).encode()
    w.write_record(".data/serialization_id", [sid], len(sid))
    w.finish()


def _write_legacy(obj, f, protocol):
    storages = _Storages(legacy=True)
    pkl = _pickled(obj, protocol, storages)
    sys_info = dict(protocol_version=PROTOCOL_VERSION, little_endian=sys.byteorder == "little",
                    type_sizes=dict(short=2, int=4, long=4))
    pickle.dump(MAGIC_NUMBER, f, protocol=protocol)
    pickle.dump(PROTOCOL_VERSION, f, protocol=protocol)
    pickle.dump(sys_info, f, protocol=protocol)
    f.write(pkl)
    pickle.dump([key for key, _, _, _ in storages.order], f, protocol=protocol)
    for key, t, nbytes, numel in storages.order:
        f.write(struct.pack("<q", numel))
        f.write(_storage_bytes(t, nbytes))


def _is_path(f):
    return isinstance(f, (str, bytes, os.PathLike))


def save(obj, f, pickle_module=pickle, pickle_protocol=DEFAULT_PROTOCOL, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Saves `obj` to `f` (a path, os.PathLike or binary file object) in torch's format.

    Saving to a path is atomic: the file is written next to its destination under a temporary
    name, flushed and fsync'ed, then renamed over it, so a crash leaves the old file intact."""
    if pickle_module is not pickle:
        raise NotImplementedError("rstorch.save supports only the standard pickle module")

    def write(fobj):
        if _use_new_zipfile_serialization:
            _write_zip(obj, fobj, pickle_protocol, _archive_name(f), not _disable_byteorder_record)
        else:
            _write_legacy(obj, fobj, pickle_protocol)

    if not _is_path(f):
        if not hasattr(f, "write"):
            raise AttributeError(f"expected 'f' to be string, path, or a file-like object with a 'write' "
                                 f"attribute, got {type(f).__name__}")
        write(f)
        return
    atomic_write(os.fsdecode(f), write)


# ---------------------------------------------------------------------------- load

def _restore_location(map_location):
    """location in the file -> rstorch device string, torch's rules for `map_location`."""
    from .._device import device_arg

    def default(location):
        location = str(location)
        if location == "cpu" or location == "meta":
            return location
        if location.startswith("cuda") or location.startswith("wgpu"):
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. "
                "If you are running on a CPU-only machine, please use torch.load with "
                "map_location=torch.device('cpu') to map your storages to the CPU.")
        raise RuntimeError(f"don't know how to restore data location {location!r}: rstorch has only the CPU "
                           "and meta devices; use map_location='cpu'")

    if map_location is None:
        return default, None
    if isinstance(map_location, dict):
        def by_dict(location):
            return default(map_location.get(location, location))
        return by_dict, None
    if isinstance(map_location, (str, bytes, _device_cls)):
        name = str(map_location.decode() if isinstance(map_location, bytes) else map_location)
        if name.startswith(("cuda", "wgpu")):
            raise RuntimeError(no_gpu_message(name))
        dev = device_arg(map_location.decode() if isinstance(map_location, bytes) else map_location)
        check_target(dev)
        return (lambda location: dev), None
    if callable(map_location):
        return default, map_location
    raise TypeError(f"map_location should be a str, a device, a dict or a callable, got {type(map_location)}")


class _Loader:
    """persistent_load for a zip checkpoint: storages read (or mapped) from their records."""

    def __init__(self, reader, map_location, mmapped, swap):
        self.reader = reader
        self.restore, self.callable = _restore_location(map_location)
        self.mm = mmapped
        self.swap = swap
        self.cells = {}

    def source(self, key, nbytes):
        name = f"data/{key}"
        rec = self.reader.record(name)
        if self.mm is not None and rec.offset % 64 == 0:
            arr = (ctypes.c_char * nbytes).from_buffer(self.mm, rec.offset)
            return arr, ctypes.addressof(arr), True
        return _read_into_new(lambda buf: self.reader.readinto(name, buf), nbytes)

    def __call__(self, pid):
        if type(pid) is not tuple or len(pid) != 5 or _pickle._ascii(pid[0]) != "storage":
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r}"[:300])
        _, storage_type, key, location, numel = pid
        if not isinstance(storage_type, StorageType):
            raise pickle.UnpicklingError(f"invalid storage type {storage_type!r}"[:300])
        if type(key) is not str or type(numel) is not int or numel < 0:
            raise RuntimeError(f"invalid storage reference in the file: {pid!r}"[:300])
        location = _pickle._ascii(location)
        if type(location) is not str:
            raise RuntimeError(f"invalid storage location in the file: {location!r}"[:300])
        storage_type.check()
        nbytes = numel * storage_type.itemsize
        rec = self.reader.record(f"data/{key}")
        if rec.size != nbytes:
            raise RuntimeError(f"storage data/{key} holds {rec.size} bytes but the file claims {numel} "
                               f"elements of {storage_type.itemsize} bytes ({nbytes} bytes)")
        return self.storage(key, nbytes, storage_type, location)

    def storage(self, key, nbytes, storage_type, location):
        s = None
        if self.callable is not None:
            raw = LoadedStorage(self._source_for(storage_type), key, nbytes, storage_type, "cpu",
                                self.cells.setdefault((key, "cpu"), {"bytes": None, "bases": {}}))
            s = self.callable(raw, location)
            if s is not None and not isinstance(s, LoadedStorage):
                raise RuntimeError(f"map_location returned {type(s).__name__}, expected a storage or None")
        if s is None:
            dev = self.restore(location)
            s = LoadedStorage(self._source_for(storage_type), key, nbytes, storage_type, dev,
                              self.cells.setdefault((key, dev), {"bytes": None, "bases": {}}))
        return s if s.storage_type is storage_type else s.retyped(storage_type)

    def _source_for(self, storage_type):
        """Reads a storage's bytes; a big-endian file's are swapped per element (not mapped)."""
        if self.swap is None:
            return self.source
        return lambda key, nbytes: self._swapped(key, nbytes, storage_type.itemsize)

    def _swapped(self, key, nbytes, itemsize):
        buf = bytearray(nbytes)
        self.reader.readinto(f"data/{key}", buf)
        _byteswap(buf, itemsize)
        arr = (ctypes.c_char * nbytes).from_buffer(buf)
        return arr, ctypes.addressof(arr), True


def _read_into_new(readinto, nbytes):
    """(owner, pointer, writable) of a new, uninitialized rstorch buffer filled by `readinto`
    (no zero-filling pass, unlike a bytearray)."""
    from .._creation import empty
    t = empty((nbytes,), dtype=_C.uint8)
    ptr = t.data_ptr()
    readinto(memoryview((ctypes.c_char * nbytes).from_address(ptr)).cast("B"))
    return t, ptr, True


def _byteswap(buf, itemsize):
    import array
    if itemsize == 1:
        return
    code = {2: "H", 4: "I", 8: "Q"}[itemsize]
    a = array.array(code)
    a.frombytes(bytes(buf))
    a.byteswap()
    buf[:] = a.tobytes()


def _unpickle(data, persistent_load, weights_only, encoding):
    f = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
    if weights_only:
        try:
            return _pickle.WeightsUnpickler(f, persistent_load, encoding).load()
        except pickle.UnpicklingError as e:
            raise pickle.UnpicklingError(weights_only_message(str(e))) from None
    u = _pickle.FullUnpickler(f, encoding=encoding)
    u.persistent_load = persistent_load
    return u.load()


def _load_zip(f, map_location, weights_only, mm, encoding):
    reader = ZipReader(f)
    swap = None
    if reader.has("byteorder"):
        order = reader.read("byteorder")
        if order not in (b"little", b"big"):
            raise RuntimeError(f"Unknown endianness type: {order.decode('latin1')!r}")
        if order.decode() != sys.byteorder:
            swap = True
    loader = _Loader(reader, map_location, mm, swap)
    if not reader.has("data.pkl"):
        raise RuntimeError("PytorchStreamReader failed locating file data.pkl: file not found")
    pkl = reader.read("data.pkl")
    return _unpickle(pkl, loader, weights_only, encoding)


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Loads an object saved with `rstorch.save` or `torch.save` (zip or legacy format).

    weights_only (default True): only tensors, containers, numbers, strings, dtypes, devices,
    Size and `add_safe_globals` additions; anything else raises pickle.UnpicklingError.
    map_location: 'cpu', 'meta', a device, a dict {file location: location} or a callable
    (storage, location) -> storage or None. mmap=True maps the storages from the file."""
    if weights_only is None:
        weights_only = pickle_module is None
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    encoding = pickle_load_args.pop("encoding", "utf-8")
    if pickle_load_args:
        raise TypeError(f"unexpected keyword arguments {sorted(pickle_load_args)}")
    if _is_path(f):
        path = os.fsdecode(f)
        if path.endswith(".safetensors"):
            dev = "cpu" if map_location is None else map_location
            if isinstance(dev, dict) or (callable(dev) and not isinstance(dev, (str, _device_cls))):
                raise RuntimeError("Loading safetensors file with dict or callable map_location is not "
                                   "supported. Use a device string or torch.device instead.")
            return load_file(path, device=str(dev))
        with open(path, "rb") as fobj:
            return _load_file(fobj, map_location, weights_only, mmap, encoding, path)
    if mmap:
        raise ValueError("f must be a file path in order to use the mmap argument")
    if isinstance(f, (bytes, bytearray)):
        raise AttributeError("'bytes' object has no attribute 'read': pass io.BytesIO(data)")
    return _load_file(f, map_location, weights_only, False, encoding, None)


def _load_file(f, map_location, weights_only, use_mmap, encoding, path):
    if not hasattr(f, "seek") or not (not hasattr(f, "seekable") or f.seekable()):
        f = io.BytesIO(f.read())
    if is_zipfile(f):
        mm = None
        if use_mmap:
            size = os.fstat(f.fileno()).st_size
            mm = _mmap.mmap(f.fileno(), size, access=_mmap.ACCESS_COPY) if size else None
        return _load_zip(f, map_location, weights_only, mm, encoding)
    if use_mmap:
        raise RuntimeError("mmap can only be used with files saved with "
                           "`torch.save(_use_new_zipfile_serialization=True), please torch.save your "
                           "checkpoint with this option in order to use mmap.")
    return _load_legacy(f, map_location, weights_only, encoding)


# ---------------------------------------------------------------------------- legacy format

class _Bounded:
    """A file as an unpickler reads it: a read of n bytes never asks for more than the file has left
    (a pickle claiming a 4 GB string in a 1 KB file allocates nothing)."""

    def __init__(self, f, size):
        self.f, self.size = f, size

    def read(self, n=-1):
        left = max(0, self.size - self.f.tell())
        return self.f.read(left if n is None or n < 0 else min(n, left))

    def readinto(self, b):
        left = max(0, self.size - self.f.tell())
        if len(b) > left:
            # short: the unpickler raises "pickle data was truncated" (raising here would leave
            # its buffer exported from our frame)
            data = self.f.read(left)
            b[:len(data)] = data
            return len(data)
        return self.f.readinto(b)

    def readline(self, limit=-1):
        return self.f.readline(limit)

    def tell(self):
        return self.f.tell()

    def seek(self, *args):
        return self.f.seek(*args)


class _LegacySource:
    """The storages of a legacy file: after the pickles, each key's int64 element count and bytes."""

    def __init__(self, f):
        self.f = f
        self.where = {}

    def __call__(self, key, nbytes):
        here = self.f.tell()
        self.f.seek(self.where[key])

        def readinto(buf):
            if self.f.readinto(buf) != nbytes:
                raise RuntimeError(f"legacy storage {key!r} is truncated")
        try:
            return _read_into_new(readinto, nbytes)
        finally:
            self.f.seek(here)


def _load_legacy(f, map_location, weights_only, encoding):
    start = f.tell()
    f.seek(0, 2)
    file_size = f.tell()
    f.seek(start)
    if file_size <= start:
        raise RuntimeError("the file is empty or truncated: no checkpoint in it")
    raw, f = f, _Bounded(f, file_size)

    def small(what):
        try:
            return _unpickle(f, _no_pid, weights_only, encoding)
        except EOFError:
            raise RuntimeError(f"the file is empty or truncated (reading its {what})") from None
        except pickle.UnpicklingError as e:
            if what == "magic":
                raise  # not a checkpoint: torch's error
            raise RuntimeError(f"corrupt legacy checkpoint ({what}): {e}"[:500]) from None

    if small("magic") != MAGIC_NUMBER:
        raise RuntimeError("Invalid magic number; corrupt file?")
    version = small("protocol version")
    if version != PROTOCOL_VERSION:
        raise RuntimeError(f"Invalid protocol version: {version}")
    sys_info = small("sys info")
    little = sys_info.get("little_endian", True) if isinstance(sys_info, dict) else True
    restore, call = _restore_location(map_location)
    storages = {}
    source = _LegacySource(raw)

    def persistent_load(pid):
        if type(pid) is not tuple or len(pid) != 6 or _pickle._ascii(pid[0]) != "storage":
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r}"[:300])
        _, storage_type, key, location, numel, view_metadata = pid
        if not isinstance(storage_type, StorageType) or storage_type.untyped:
            raise pickle.UnpicklingError(f"invalid storage type {storage_type!r}"[:300])
        storage_type.check()
        if type(key) is not str or type(numel) is not int or numel < 0:
            raise RuntimeError(f"invalid storage reference in the file: {pid!r}"[:300])
        nbytes = numel * storage_type.itemsize
        if nbytes > file_size:
            raise RuntimeError(f"storage {key!r} claims {nbytes} bytes, more than the file holds")
        s = storages.get(key)
        if s is None:
            dev = restore(_pickle._ascii(location))
            s = LoadedStorage(source, key, nbytes, storage_type, dev)
            if call is not None:
                alt = call(s, location)
                s = alt if alt is not None else s
            storages[key] = s
        elif s.nbytes != nbytes or s.storage_type is not storage_type:
            raise RuntimeError(f"storage {key!r} is referenced with different sizes or types")
        if view_metadata is not None:
            raise RuntimeError("legacy storage views (view_metadata) are not supported")
        return s

    # pass 1: find the storages (key -> type, size) without running anything, to place their bytes
    pickle_at = f.tell()
    found = {}
    try:
        if weights_only:
            # the restricted unpickler runs only allowlisted rebuilds: run it over meta storages
            _pickle.WeightsUnpickler(f, lambda pid: _scan_pid(pid, found, f), encoding).load()
        else:
            scan = _Scanner(f, encoding=encoding)
            scan.persistent_load = lambda pid: _scan_pid(pid, found)
            scan.load()
    except pickle.UnpicklingError as e:
        if weights_only:
            raise pickle.UnpicklingError(weights_only_message(str(e))) from None
        raise RuntimeError(f"corrupt legacy checkpoint: {e}"[:500]) from None
    except (RuntimeError, ValueError):
        raise
    except Exception as e:
        raise RuntimeError(f"corrupt legacy checkpoint: {type(e).__name__}: {e}"[:500]) from None
    keys = small("storage keys")
    if not isinstance(keys, list) or not all(type(k) is str for k in keys) or sorted(keys) != sorted(found):
        raise RuntimeError("corrupt legacy checkpoint: the storage key list does not match the storages")
    if not little:
        raise RuntimeError("big-endian legacy checkpoints are not supported")
    pos = f.tell()
    for key in keys:
        st, numel = found[key]
        head = f.read(8)
        if len(head) != 8:
            raise RuntimeError(f"legacy storage {key!r} is truncated")
        stored = struct.unpack("<q", head)[0]
        if stored != numel:
            raise RuntimeError(f"legacy storage {key!r} holds {stored} elements, the pickle claims {numel}")
        pos += 8
        source.where[key] = pos
        pos += numel * st.itemsize
        if pos > file_size:
            raise RuntimeError(f"legacy storage {key!r} is truncated")
        f.seek(pos)
    # pass 2: the real unpickling
    f.seek(pickle_at)
    return _unpickle(f, persistent_load, weights_only, encoding)


class _Inert:
    """Stands for every object while scanning a legacy pickle: runs nothing."""

    def __new__(cls, *args, **kwargs):
        return object.__new__(cls)

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        return _Inert()

    def __setstate__(self, state):
        pass

    def append(self, x):
        pass

    def extend(self, xs):
        pass

    def __setitem__(self, k, v):
        pass


class _Scanner(pickle.Unpickler):
    def find_class(self, module, name):
        obj = _pickle.ALLOWED.get(_pickle._global_path(module, name))
        return obj if isinstance(obj, StorageType) else _Inert


def _scan_pid(pid, found, meta=None):
    if type(pid) is not tuple or len(pid) != 6 or _pickle._ascii(pid[0]) != "storage":
        raise pickle.UnpicklingError(f"unsupported persistent id {pid!r}"[:300])
    _, st, key, _, numel, _ = pid
    if not isinstance(st, StorageType) or type(key) is not str or type(numel) is not int or numel < 0:
        raise RuntimeError(f"invalid storage reference in the file: {pid!r}"[:300])
    st.check()
    prev = found.setdefault(key, (st, numel))
    if prev != (st, numel):
        raise RuntimeError(f"storage {key!r} is referenced with different sizes or types")
    if meta is not None:
        return LoadedStorage(None, key, numel * st.itemsize, st, "meta")
    return _Inert()


def _no_pid(pid):
    raise pickle.UnpicklingError("unsupported persistent id encountered")
