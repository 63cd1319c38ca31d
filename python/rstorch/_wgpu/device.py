"""One wgpu device: its features and limits, the buffer pool, the kernels, and the batch.

The batching rule: dispatches are recorded into one open command encoder and compute pass and
nothing is submitted until a sync point: `synchronize()`, a read-back (`download`), an upload
(`upload`: queue.write_buffer runs before any not-yet-submitted command, so queued work goes
first), releasing pooled memory, or the size cap (`max_batch` dispatches, the uniform ring's
slot count). Each sync point with queued work is exactly one `queue.submit` (`submits` counts
them); a read-back's copy rides in the same submit."""

import os
import struct
import threading

import wgpu

from . import OutOfMemoryError  # noqa: F401 - re-exported for the runtime's users
from .kernels import PARAMS_BYTES, Kernels
from .pool import BufferPool, host_memory

# optional features requested when the adapter has them
WANTED_FEATURES = ("shader-f16", "subgroup", "subgroup-barrier", "shader-f64", "shader-int64",
                   "timestamp-query", "timestamp-query-inside-passes", "shader-float32-atomic", "immediates",
                   "pipeline-cache")
# limits raised to the adapter's (the WebGPU defaults are far lower: 128 MiB binding, 8 storage
# buffers per stage, 256 MiB buffers)
WANTED_LIMITS = ("max-storage-buffer-binding-size", "max-buffer-size", "max-storage-buffers-per-shader-stage",
                 "max-compute-workgroups-per-dimension", "max-compute-invocations-per-workgroup",
                 "max-compute-workgroup-size-x", "max-compute-workgroup-storage-size", "max-immediate-size",
                 "max-bind-groups", "max-dynamic-uniform-buffers-per-pipeline-layout")
MAX_BATCH = 4096
STAGING_KEEP = 16 << 20  # read-back staging buffers up to this size are kept for reuse


def _total_memory(entry):
    """(bytes, where the figure comes from). WebGPU does not report a device's memory size: a
    CPU adapter's memory is the host's; RSTORCH_WGPU_TOTAL_MEMORY (bytes) overrides; otherwise
    the host's RAM stands in (open question: query VRAM through the native API)."""
    env = os.environ.get("RSTORCH_WGPU_TOTAL_MEMORY")
    if env:
        return int(env), "RSTORCH_WGPU_TOTAL_MEMORY"
    if entry.is_software:
        return host_memory(), "host RAM (CPU adapter)"
    return host_memory(), "host RAM (the adapter does not report its memory)"


class _RawRecorder:
    """Records the hot calls straight through wgpu-native's cffi `lib` (measured ~2x cheaper
    per dispatch than wgpu-py's methods); the objects stay alive in the runtime's caches."""

    def __init__(self):
        from wgpu.backends.wgpu_native import ffi, lib
        self.set_pipeline = lib.wgpuComputePassEncoderSetPipeline
        self.set_bind_group = lib.wgpuComputePassEncoderSetBindGroup
        self.dispatch = lib.wgpuComputePassEncoderDispatchWorkgroups
        self.offsets = ffi.new("uint32_t[1]")
        self.null = ffi.NULL


class Runtime:
    def __init__(self, entry, index):
        self.entry = entry
        self.index = index
        self.name = entry.name
        adapter = entry.adapter
        self.adapter_info = dict(adapter.info)
        features = [f for f in WANTED_FEATURES if f in adapter.features]
        limits = {k: adapter.limits[k] for k in WANTED_LIMITS if k in adapter.limits}
        try:
            self.device = adapter.request_device_sync(label=f"rstorch wgpu:{index}", required_features=features,
                                                      required_limits=limits)
        except Exception:  # noqa: BLE001 - a driver refusing a combination: WebGPU's defaults still work
            self.device = adapter.request_device_sync(label=f"rstorch wgpu:{index}")
        self.queue = self.device.queue
        self.features = frozenset(self.device.features)
        self.limits = dict(self.device.limits)
        self.max_storage_binding = self.limits["max-storage-buffer-binding-size"]
        self.max_workgroups = self.limits["max-compute-workgroups-per-dimension"]
        self.total_memory, self.total_memory_source = _total_memory(entry)
        self.kernels = Kernels(self.device)
        self.pool = BufferPool(self.device, max_buffer_size=self.limits["max-buffer-size"],
                               total_memory=self.total_memory, device_label=f"wgpu:{index} ({self.name})",
                               on_destroy=self.kernels.forget_block, before_release=self.flush)
        self.lock = threading.RLock()
        # the batch
        self.submits = 0
        self.dispatches = 0
        self._encoder = None
        self._pass = None
        self._pass_handle = None
        self._queued = 0
        self._last_pipeline = None
        self._last_bind_group = None
        align = self.limits.get("min-uniform-buffer-offset-alignment", 256)
        self.param_stride = -(-PARAMS_BYTES // align) * align
        self.max_batch = MAX_BATCH  # the size cap; at most MAX_BATCH, the ring's slot count
        self._ring_host = bytearray(self.param_stride * MAX_BATCH)
        self._ring = self.device.create_buffer(label="rstorch params ring", size=len(self._ring_host),
                                               usage=wgpu.BufferUsage.UNIFORM | wgpu.BufferUsage.COPY_DST)
        self._ring_bind_group = self.device.create_bind_group(layout=self.kernels.params_layout, entries=[
            {"binding": 0, "resource": {"buffer": self._ring, "offset": 0, "size": PARAMS_BYTES}}])
        self._staging = {}  # size -> MAP_READ buffer for read-backs
        self._error = None  # the device-side error record (error_region), made on first use
        self._error_armed = False
        self._error_seen = None  # the record as a read-back fetched it, for check_errors
        self._error_staging = None  # its own MAP_READ buffer (a read-back maps both at once)
        try:
            self._raw = _RawRecorder()
        except (ImportError, AttributeError):
            self._raw = None
        self.raw_recording = self._raw is not None

    # ------------------------------------------------------------------ facts

    @property
    def is_software(self):
        return self.entry.is_software

    def has_feature(self, name):
        return name in self.features

    def grid(self, workgroups):
        """(x, y) workgroup counts for a 1-D launch of `workgroups` groups (<= 65,535 per dimension:
        spread over y; kernels fold y back in as `gid.x + gid.y * nwg.x * WG`)."""
        if workgroups <= self.max_workgroups:
            return workgroups, 1
        y = -(-workgroups // self.max_workgroups)
        if y > self.max_workgroups:
            raise RuntimeError(f"{workgroups} workgroups exceed the device's {self.max_workgroups}^2 grid")
        return -(-workgroups // y), y

    # ------------------------------------------------------------------ memory

    def alloc(self, nbytes):
        return self.pool.alloc(nbytes)

    def empty_cache(self):
        with self.lock:
            self.pool.empty_cache()
            for buf in self._staging.values():
                buf.destroy()
            self._staging.clear()

    # ------------------------------------------------------------------ recording

    def _begin_pass(self):
        if self._encoder is None:
            self._encoder = self.device.create_command_encoder(label="rstorch batch")
        self._pass = self._encoder.begin_compute_pass()
        self._pass_handle = self._pass._internal
        self._last_pipeline = self._last_bind_group = None

    def _end_pass(self):
        if self._pass is not None:
            self._pass.end()
            self._pass = self._pass_handle = None

    def dispatch(self, pipeline, bind_group, groups, params):
        """Queue one dispatch: `params` (bytes, at most PARAMS_BYTES) go to this dispatch's slot
        of the uniform ring; `groups` is the 1-D workgroup count (spread over x and y)."""
        x, y = self.grid(groups) if groups > self.max_workgroups else (groups, 1)
        with self.lock:
            if self._pass is None:
                self._begin_pass()
            offset = self._queued * self.param_stride
            self._ring_host[offset:offset + len(params)] = params
            raw = self._raw if self.raw_recording else None
            if raw is not None:
                h = self._pass_handle
                if pipeline is not self._last_pipeline:
                    raw.set_pipeline(h, pipeline._internal)
                    self._last_pipeline = pipeline
                if bind_group is not self._last_bind_group:
                    raw.set_bind_group(h, 0, bind_group._internal, 0, raw.null)
                    self._last_bind_group = bind_group
                raw.offsets[0] = offset
                raw.set_bind_group(h, 1, self._ring_bind_group._internal, 1, raw.offsets)
                raw.dispatch(h, x, y, 1)
            else:
                cp = self._pass
                if pipeline is not self._last_pipeline:
                    cp.set_pipeline(pipeline)
                    self._last_pipeline = pipeline
                if bind_group is not self._last_bind_group:
                    cp.set_bind_group(0, bind_group)
                    self._last_bind_group = bind_group
                cp.set_bind_group(1, self._ring_bind_group, [offset])
                cp.dispatch_workgroups(x, y, 1)
            self._queued += 1
            self.dispatches += 1
            if self._queued >= self.max_batch:
                self.flush()

    @property
    def queued(self):
        return self._queued

    def flush(self):
        """Submit everything queued (one submit); nothing when nothing is queued."""
        with self.lock:
            if self._encoder is None:
                return
            self._end_pass()
            encoder, self._encoder = self._encoder, None
            queued, self._queued = self._queued, 0
            evicted, self.kernels.evicted = self.kernels.evicted, []
            try:
                command_buffer = encoder.finish()
                if queued:
                    self.queue.write_buffer(self._ring, 0, memoryview(self._ring_host)[:queued * self.param_stride])
                self.queue.submit([command_buffer])
                self.submits += 1
            except wgpu.GPUError as e:
                raise RuntimeError(f"wgpu rejected a batch of {queued} dispatch(es): {e}") from None
            finally:
                del evicted  # dropped bind groups may go now: the batch that used them is recorded

    def synchronize(self):
        """Submit the queued work and wait until the device has finished all of it."""
        self.flush()
        self.device._poll_wait()
        self.check_errors()

    # ------------------------------------------------------------------ device-side errors

    # what a kernel's error code means (the value it recorded goes in)
    ERRORS = {1: (IndexError, "Target {} is out of bounds.")}

    def error_region(self):
        """The error record that bounds-checking kernels write (flag word: an ERRORS code, then
        the offending value's low and high words; the first error wins). Binding it arms the
        check that the next sync point runs."""
        if self._error is None:
            from .elementwise import fill
            self._error = self.pool.alloc(16)
            fill(self, self._error, 0, n=4)
        self._error_armed = True
        return self._error

    def check_errors(self):
        """Raise the error a kernel recorded since the last check (then clear it). A sync point;
        it reads the record back only when a bounds-checking kernel ran since the last check."""
        seen, self._error_seen = self._error_seen, None
        if seen is None:
            if not self._error_armed:
                return
            self._error_armed = False
            seen = self.download(self._error, 12)
        code, lo, hi = struct.unpack("<3I", seen)
        if code:
            from .elementwise import fill
            fill(self, self._error, 0, n=4)
            value = lo | hi << 32
            if value >= 1 << 63:
                value -= 1 << 64
            kind, msg = self.ERRORS.get(code, (RuntimeError, "wgpu kernel error {}"))
            raise kind(msg.format(value))

    # ------------------------------------------------------------------ transfers

    def upload(self, region, data, offset=0):
        """Write `data` (bytes-like) at `offset` bytes into `region` (queued work goes first).
        queue.write_buffer wants 4-byte offsets and sizes: a write ending at the region's end is
        padded (the block has room, blocks are 256-byte multiples); any other unaligned write
        reads the edge words back first (a sync: only partial int8/bool writes take that path)."""
        m = memoryview(data).cast("B")
        n = m.nbytes
        if offset < 0 or offset + n > region.nbytes:
            raise ValueError(f"upload of {n} bytes at {offset} does not fit a region of {region.nbytes} bytes")
        if n == 0:
            return
        with self.lock:
            start = region.offset + offset
            if start % 4 == 0 and (n % 4 == 0 or offset + n == region.nbytes):
                self.flush()
                if n % 4:
                    m = memoryview(bytes(m) + b"\0" * (4 - n % 4))
                self.queue.write_buffer(region.buffer, start, m)
                return
            lo = offset - start % 4
            hi = min(region.nbytes, -(-(offset + n) // 4) * 4 - region.offset % 4)
            span = bytearray(self.download(region, nbytes=hi - lo, offset=lo))
            span[offset - lo:offset - lo + n] = m
            self.upload(region, span, offset=lo)

    def _staging_buffer(self, size):
        buf = self._staging.get(size)
        if buf is None:
            buf = self._staging[size] = self.device.create_buffer(
                label="rstorch read-back", size=size, usage=wgpu.BufferUsage.MAP_READ | wgpu.BufferUsage.COPY_DST)
        return buf

    def download(self, region, nbytes=None, offset=0):
        """The bytes of `region` (from `offset`, `nbytes` of them): queued work, the copy to a
        MAP_READ staging buffer and nothing else go in one submit; then map and read."""
        nbytes = region.nbytes - offset if nbytes is None else nbytes
        if nbytes == 0:
            return b""
        start = region.offset + offset
        lo = start - start % 4
        size = -(-(start + nbytes - lo) // 4) * 4
        from .pool import size_class
        with self.lock:
            staging = self._staging_buffer(size_class(size))
            if self._encoder is None:
                self._encoder = self.device.create_command_encoder(label="rstorch read-back")
            self._end_pass()
            self._encoder.copy_buffer_to_buffer(region.buffer, lo, staging, 0, size)
            err_staging = None
            if self._error_armed and region is not self._error:
                # the error record rides in the same submit (check_errors then reads no more)
                err_staging = self._error_staging
                if err_staging is None:
                    err_staging = self._error_staging = self.device.create_buffer(
                        label="rstorch error read-back", size=16, usage=wgpu.BufferUsage.MAP_READ | wgpu.BufferUsage.COPY_DST)
                self._encoder.copy_buffer_to_buffer(self._error.buffer, self._error.offset, err_staging, 0, 16)
            self.flush()
            if err_staging is not None:
                err_staging.map_sync(wgpu.MapMode.READ, 0, 16)
                try:
                    self._error_seen = bytes(err_staging.read_mapped(0, 12, copy=True))
                    self._error_armed = False
                finally:
                    err_staging.unmap()
            staging.map_sync(wgpu.MapMode.READ, 0, size)
            try:
                data = staging.read_mapped(0, size, copy=True)
            finally:
                staging.unmap()
                if staging.size > STAGING_KEEP:  # big read-backs do not pin host-visible memory
                    del self._staging[staging.size]
                    staging.destroy()
        return bytes(memoryview(data).cast("B")[start - lo:start - lo + nbytes])

    def stats(self):
        return {"submits": self.submits, "dispatches": self.dispatches, "queued": self._queued,
                "bind_groups_created": self.kernels.bind_groups_created, **self.pool.stats()}


# the per-op parameter structs' packers, shared by the kernel launchers
def packer(fmt):
    return struct.Struct("<" + fmt)
