"""The zip container of torch's checkpoints, written and read the way PyTorch's
`PyTorchFileWriter`/`PyTorchStreamReader` (miniz) do.

Writer: every record stored (no compression), its data 64-byte aligned (padding in an extra field
"FB" filled with 'Z'), local headers with zero sizes and a data descriptor after the data (flags
0x0808), a zip64 end record always, as torch 2.15 writes them.

Reader: parses the central directory itself (no `zipfile`), so every offset and size is checked
against the file's size before anything is read or allocated; compressed records are refused
(torch never writes them, and a record that cannot expand cannot be a zip bomb); member names
must share one top folder and be plain relative paths.
"""

import os
import random
import struct
import zlib

ALIGNMENT = 64
_U32 = 0xFFFFFFFF
_U16 = 0xFFFF

_LOCAL = struct.Struct("<4sHHHHHIIIHH")        # 30 bytes
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")  # 46 bytes
_EOCD = struct.Struct("<4sHHHHIIH")           # 22 bytes
_EOCD64 = struct.Struct("<4sQHHIIQQQQ")       # 56 bytes
_LOCATOR = struct.Struct("<4sIQI")            # 20 bytes


_PARALLEL_CRC = 1 << 20
_POOL = []


def _crc_pool():
    if not _POOL:
        from concurrent.futures import ThreadPoolExecutor
        _POOL.append(ThreadPoolExecutor(1, thread_name_prefix="rstorch-crc32"))
    return _POOL[0]


def archive_error(what):
    return RuntimeError(f"PytorchStreamReader failed reading zip archive: {what}")


class ZipWriter:
    """Writes records in order to a binary file object, torch's layout."""

    def __init__(self, f, archive_name="archive"):
        self.f = f
        self.prefix = archive_name + "/"
        self.entries = []
        self.offset = f.tell() if hasattr(f, "tell") else 0
        self.start = self.offset
        self.names = set()

    def _write(self, b):
        self.f.write(b)
        self.offset += len(b)

    def write_record(self, name, chunks, size):
        """`chunks`: bytes-like objects whose lengths sum to `size`."""
        full = (self.prefix + name).encode("utf-8")
        if full in self.names:
            raise RuntimeError(f"Tried to serialize file twice: {name}")
        self.names.add(full)
        header_at = self.offset - self.start
        base = self.offset + _LOCAL.size + len(full) + 4
        pad = (-base) % ALIGNMENT
        self._write(_LOCAL.pack(b"PK\x03\x04", 0, 0x0808, 0, 0, 0, 0, 0, 0, len(full), 4 + pad))
        self._write(full)
        self._write(b"FB" + struct.pack("<H", pad) + b"Z" * pad)
        crc = 0
        written = 0
        for c in chunks:
            if written == 0 and len(c) >= _PARALLEL_CRC:
                # zlib.crc32 and the write both release the GIL: checksum while the bytes go out
                job = _crc_pool().submit(zlib.crc32, c)
                self.f.write(c)
                crc = job.result()
            else:
                crc = zlib.crc32(c, crc)
                self.f.write(c)
            written += len(c)
        if written != size:
            raise RuntimeError(f"record {name}: wrote {written} bytes, expected {size}")
        self.offset += size
        if size >= _U32:
            self._write(struct.pack("<4sIQQ", b"PK\x07\x08", crc, size, size))
        else:
            self._write(struct.pack("<4sIII", b"PK\x07\x08", crc, size, size))
        self.entries.append((full, crc, size, header_at))

    def finish(self):
        cd_at = self.offset - self.start
        for full, crc, size, header_at in self.entries:
            extra = b""
            big_size = size >= _U32
            big_off = header_at >= _U32
            if big_size or big_off:
                vals = ([size, size] if big_size else []) + ([header_at] if big_off else [])
                extra = struct.pack("<HH", 1, 8 * len(vals)) + struct.pack(f"<{len(vals)}Q", *vals)
            self._write(_CENTRAL.pack(
                b"PK\x01\x02", 0, 0, 0x0808, 0, 0, 0, crc,
                _U32 if big_size else size, _U32 if big_size else size,
                len(full), len(extra), 0, 0, 0, 0, _U32 if big_off else header_at))
            self._write(full)
            self._write(extra)
        cd_size = self.offset - self.start - cd_at
        n = len(self.entries)
        eocd64_at = self.offset - self.start
        self._write(_EOCD64.pack(b"PK\x06\x06", 44, 0x031E, 0x002D, 0, 0, n, n, cd_size, cd_at))
        self._write(_LOCATOR.pack(b"PK\x06\x07", 0, eocd64_at, 1))
        self._write(_EOCD.pack(b"PK\x05\x06", 0, 0, min(n, _U16), min(n, _U16),
                               min(cd_size, _U32), min(cd_at, _U32), 0))


class Record:
    __slots__ = ("name", "offset", "size")

    def __init__(self, name, offset, size):
        self.name, self.offset, self.size = name, offset, size


class ZipReader:
    """The records of a torch checkpoint: {name without the top folder: Record(data offset, size)}.

    `f` is a seekable binary file object; `base` its position where the archive starts."""

    def __init__(self, f):
        self.f = f
        self.base = f.tell()
        f.seek(0, 2)
        self.size = f.tell() - self.base
        self.records = {}
        self.prefix = None
        self._parse()

    def _read_at(self, pos, n):
        if pos < 0 or n < 0 or pos + n > self.size:
            raise archive_error("file is truncated or an offset points outside it")
        self.f.seek(self.base + pos)
        b = self.f.read(n)
        if len(b) != n:
            raise archive_error("file is truncated")
        return b

    def _parse(self):
        size = self.size
        if size < _EOCD.size:
            raise archive_error("failed finding central directory")
        tail_len = min(size, _EOCD.size + _U16)
        tail = self._read_at(size - tail_len, tail_len)
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or at + _EOCD.size > len(tail):
            raise archive_error("failed finding central directory")
        eocd_pos = size - tail_len + at
        _, disk, cd_disk, n_disk, n, cd_size, cd_at, _ = _EOCD.unpack_from(tail, at)
        if n == _U16 or cd_size == _U32 or cd_at == _U32 or (
                eocd_pos >= _LOCATOR.size and self._read_at(eocd_pos - _LOCATOR.size, 4) == b"PK\x06\x07"):
            if eocd_pos < _LOCATOR.size:
                raise archive_error("failed finding zip64 end of central directory locator")
            sig, _, e64, _ = _LOCATOR.unpack(self._read_at(eocd_pos - _LOCATOR.size, _LOCATOR.size))
            if sig != b"PK\x06\x07":
                raise archive_error("failed finding zip64 end of central directory locator")
            if e64 + _EOCD64.size > eocd_pos:
                raise archive_error("invalid zip64 end of central directory record")
            sig, _, _, _, disk, cd_disk, n_disk, n, cd_size, cd_at = _EOCD64.unpack(
                self._read_at(e64, _EOCD64.size))
            if sig != b"PK\x06\x06":
                raise archive_error("invalid zip64 end of central directory record")
            cd_end_limit = e64
        else:
            cd_end_limit = eocd_pos
        if disk != 0 or cd_disk != 0 or n_disk != n:
            raise archive_error("multi-disk archives are not supported")
        if cd_at + cd_size > cd_end_limit or n * _CENTRAL.size > cd_size:
            raise archive_error("invalid central directory size or offset")
        cd = self._read_at(cd_at, cd_size)
        pos = 0
        entries = []
        for _ in range(n):
            if pos + _CENTRAL.size > len(cd):
                raise archive_error("central directory is truncated")
            (sig, _, _, flags, method, _, _, _crc, csize, usize, nlen, elen, clen, _, _, _,
             off) = _CENTRAL.unpack_from(cd, pos)
            if sig != b"PK\x01\x02":
                raise archive_error("invalid central directory entry")
            pos += _CENTRAL.size
            if pos + nlen + elen + clen > len(cd):
                raise archive_error("central directory is truncated")
            raw = cd[pos:pos + nlen]
            extra = cd[pos + nlen:pos + nlen + elen]
            pos += nlen + elen + clen
            if usize == _U32 or csize == _U32 or off == _U32:
                usize, csize, off = _zip64_extra(extra, usize, csize, off)
            if method != 0:
                raise archive_error(f"record {raw!r} is compressed (method {method}); only stored "
                                    "records are supported")
            if flags & 1:
                raise archive_error("encrypted records are not supported")
            if csize != usize:
                raise archive_error(f"record {raw!r}: stored size {csize} differs from its size {usize}")
            try:
                name = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise archive_error("record name is not valid UTF-8") from None
            entries.append((name, off, usize))
        for name, off, usize in entries:
            self._add(name, off, usize, cd_at)

    def _add(self, name, off, usize, data_limit):
        parts = name.split("/")
        if (len(parts) < 2 or "\\" in name or "\x00" in name or name.startswith("/")
                or any(p in ("", ".", "..") for p in parts) or ":" in parts[0]):
            raise archive_error(f"invalid record name {name!r}")
        if self.prefix is None:
            self.prefix = parts[0]
        elif parts[0] != self.prefix:
            raise archive_error(f"record {name!r} is outside the archive folder {self.prefix!r}")
        if off + _LOCAL.size > data_limit:
            raise archive_error(f"record {name!r}: local header outside the archive")
        sig, _, _, _, _, _, _, _, _, nlen, elen = _LOCAL.unpack(self._read_at(off, _LOCAL.size))
        if sig != b"PK\x03\x04":
            raise archive_error(f"record {name!r}: invalid local header")
        data = off + _LOCAL.size + nlen + elen
        if data + usize > data_limit:
            raise archive_error(f"record {name!r} of {usize} bytes extends past the end of the data")
        key = "/".join(parts[1:])
        if key in self.records:
            raise archive_error(f"duplicate record {name!r}")
        self.records[key] = Record(key, data, usize)

    def has(self, key):
        return key in self.records

    def record(self, key):
        r = self.records.get(key)
        if r is None:
            raise RuntimeError(f"PytorchStreamReader failed locating file {key}: file not found")
        return r

    def read(self, key):
        r = self.record(key)
        return self._read_at(r.offset, r.size)

    def readinto(self, key, buf):
        r = self.record(key)
        if len(buf) != r.size:
            raise RuntimeError(f"record {key}: buffer of {len(buf)} bytes for {r.size}")
        self.f.seek(self.base + r.offset)
        got = self.f.readinto(buf) if r.size else 0
        if got != r.size:
            raise archive_error(f"record {key} is truncated")


def _zip64_extra(extra, usize, csize, off):
    pos = 0
    while pos + 4 <= len(extra):
        tag, ln = struct.unpack_from("<HH", extra, pos)
        body = extra[pos + 4:pos + 4 + ln]
        pos += 4 + ln
        if tag != 1:
            continue
        vals = list(struct.unpack_from(f"<{len(body) // 8}Q", body))
        if usize == _U32:
            if not vals:
                break
            usize = vals.pop(0)
        if csize == _U32:
            if not vals:
                break
            csize = vals.pop(0)
        if off == _U32:
            if not vals:
                break
            off = vals.pop(0)
        return usize, csize, off
    raise archive_error("invalid zip64 extended information")


def is_zipfile(f):
    """torch's test: the file starts with a local file header signature."""
    start = f.tell()
    head = f.read(4)
    f.seek(start)
    return head == b"PK\x03\x04"


def atomic_write(path, write):
    """Calls `write(file)` on a new file next to `path`, flushes and fsyncs it, then renames it over
    `path` (and fsyncs the folder): a crash or kill at any point leaves the old file whole."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise RuntimeError(f"Parent directory {folder} does not exist.")
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}.{random.getrandbits(48):012x}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fobj:
            write(fobj)
            fobj.flush()
            os.fsync(fobj.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dfd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)
