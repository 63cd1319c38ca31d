"""Host cost per small queued dispatch on the wgpu device (lavapipe here), through rstorch's
runtime and, for comparison, through wgpu-py's API and wgpu-native's C functions directly.

    PYTHONPATH=python python3 benchmarks/wgpu_dispatch.py [--ops 1000] [--repeat 15]

Every case records `--ops` dispatches of a 256-element float32 kernel on cached pipelines and
bind groups and reports the best of `--repeat` runs in microseconds per op: the recording alone
(no submit: what an op costs the Python thread while the batch stays open), and recording plus
the one submit and wait at the end ("+sync"). The raw-API baseline opens a fresh encoder and
pass and submits once per op, as a naive launcher does. The C case compiles a 20-line loop with
the system's C compiler (skipped without one) and calls wgpu-native's functions through the
function pointers of the very library wgpu-py loaded, on the handles wgpu-py created: what the
Rust core will do."""

import argparse
import ctypes
import os
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))

from rstorch import _wgpu  # noqa: E402

C_LOOP = r"""
#include <stddef.h>
#include <stdint.h>
typedef void (*set_pipeline_t)(void *, void *);
typedef void (*set_bind_group_t)(void *, uint32_t, void *, size_t, const uint32_t *);
typedef void (*dispatch_t)(void *, uint32_t, uint32_t, uint32_t);

/* n dispatches into an open compute pass: params slot i of the uniform ring each */
void record(void *sp, void *sbg, void *disp, void *pass, void *pipeline, void *bg0, void *bg1,
            uint32_t stride, uint32_t slots, int n, uint32_t groups, int every_call_each_op) {
    set_pipeline_t set_pipeline = (set_pipeline_t)sp;
    set_bind_group_t set_bind_group = (set_bind_group_t)sbg;
    dispatch_t dispatch = (dispatch_t)disp;
    set_pipeline(pass, pipeline);
    set_bind_group(pass, 0, bg0, 0, NULL);
    for (int i = 0; i < n; i++) {
        uint32_t offset = (uint32_t)(i % slots) * stride;
        if (every_call_each_op) {
            set_pipeline(pass, pipeline);
            set_bind_group(pass, 0, bg0, 0, NULL);
        }
        set_bind_group(pass, 1, bg1, 1, &offset);
        dispatch(pass, groups, 1, 1);
    }
}
"""


def best(fn, repeat, before=None):
    """The fastest of `repeat` timed calls; `before` (untimed: the device finishing earlier
    work, which lavapipe runs on the same cores) runs ahead of each."""
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ops", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    n, repeat = args.ops, args.repeat
    if not _wgpu.is_available():
        print(f"no wgpu adapter: {_wgpu.unavailable_reason()}")
        return
    t0 = time.perf_counter()
    rt = _wgpu.runtime()
    opened = time.perf_counter() - t0
    from rstorch._wgpu import elementwise as ew
    from wgpu.backends.wgpu_native import ffi, lib, lib_path
    import wgpu

    v = lib.wgpuGetVersion()
    print(f"adapter: {rt.name} ({rt.entry.adapter_type}, {rt.entry.backend}); wgpu-py {wgpu.__version__}, "
          f"wgpuGetVersion() = {v >> 24}.{(v >> 16) & 255}.{(v >> 8) & 255}.{v & 255}; runtime opened in "
          f"{opened:.2f} s")
    x = np.ones(256, np.float32)
    regions = [rt.alloc(x.nbytes) for _ in range(3)]
    for r in regions:
        rt.upload(r, x.tobytes())
    out, a, b = (ew.View.contiguous(r, (256,)) for r in regions)
    ew.binary(rt, "add", out, a, b)
    rt.synchronize()
    rows = []

    def row(name, record, sync=True):
        rec = best(record, repeat, rt.synchronize) / n * 1e6

        def with_sync():
            record()
            rt.synchronize()
        total = best(with_sync, repeat, rt.synchronize) / n * 1e6 if sync else float("nan")
        rows.append((name, rec, total))
        rt.synchronize()

    # 1. rstorch runtime: the elementwise launcher (broadcast, coalesce, pack, record)
    def launcher():
        for _ in range(n):
            ew.binary(rt, "add", out, a, b)
    for raw in (True, False):
        rt.raw_recording = raw
        row(f"runtime ew.binary(add) [{'cffi lib' if raw else 'wgpu-py API'} recording]", launcher)
    rt.raw_recording = True

    # 2. rstorch runtime: Runtime.dispatch with the parameters already computed
    pipe = rt.kernels.pipeline("elementwise", "add_f32")
    bg = rt.kernels.bind_group([r.block for r in regions])
    params = struct.pack("<40I", *((256, 1, 0x3F800000, 0, 0, 0, 0, 0) + ((256,) + (0,) * 7) + ((1,) + (0,) * 7) * 3))

    def dispatch_only():
        d = rt.dispatch
        for _ in range(n):
            d(pipe, bg, 1, params)
    for raw in (True, False):
        rt.raw_recording = raw
        row(f"runtime Runtime.dispatch only [{'cffi lib' if raw else 'wgpu-py API'}]", dispatch_only)
    rt.raw_recording = True

    # 3. raw wgpu-py: encoder + pass + submit per op (cached pipeline and bind groups)
    device, ring_bg = rt.device, rt._ring_bind_group

    def submit_per_op():
        for _ in range(n):
            enc = device.create_command_encoder()
            cp = enc.begin_compute_pass()
            cp.set_pipeline(pipe)
            cp.set_bind_group(0, bg)
            cp.set_bind_group(1, ring_bg, [0])
            cp.dispatch_workgroups(1)
            cp.end()
            device.queue.submit([enc.finish()])
    rec = best(submit_per_op, repeat, rt.synchronize) / n * 1e6
    rt.synchronize()
    rows.append(("wgpu-py API: encoder+pass+submit per op", rec, float("nan")))

    # 4. raw wgpu-py, one pass: set_pipeline + set_bind_group x2 + dispatch per op
    def one_pass_api():
        enc = device.create_command_encoder()
        cp = enc.begin_compute_pass()
        for i in range(n):
            cp.set_pipeline(pipe)
            cp.set_bind_group(0, bg)
            cp.set_bind_group(1, ring_bg, [(i % rt.max_batch) * rt.param_stride])
            cp.dispatch_workgroups(1)
        cp.end()
        device.queue.submit([enc.finish()])
    rows.append(("wgpu-py API: one pass, 4 calls per op", best(one_pass_api, repeat, rt.synchronize) / n * 1e6,
                 float("nan")))
    rt.synchronize()

    # 5. the cffi `lib` directly, one pass, same 4 calls per op
    def one_pass_lib():
        enc = device.create_command_encoder()
        cp = enc.begin_compute_pass()
        h, p, g0, g1 = cp._internal, pipe._internal, bg._internal, ring_bg._internal
        offs = ffi.new("uint32_t[1]")
        sp, sbg, disp = (lib.wgpuComputePassEncoderSetPipeline, lib.wgpuComputePassEncoderSetBindGroup,
                         lib.wgpuComputePassEncoderDispatchWorkgroups)
        null = ffi.NULL
        for i in range(n):
            sp(h, p)
            sbg(h, 0, g0, 0, null)
            offs[0] = (i % rt.max_batch) * rt.param_stride
            sbg(h, 1, g1, 1, offs)
            disp(h, 1, 1, 1)
        cp.end()
        device.queue.submit([enc.finish()])
    rows.append(("cffi lib: one pass, 4 calls per op", best(one_pass_lib, repeat, rt.synchronize) / n * 1e6,
                 float("nan")))
    rt.synchronize()

    # 7. per-op parameters as immediates instead of the uniform ring (where the adapter has them)
    if "immediates" in rt.features:
        imm_src = """
            struct P { n: u32, v: f32 }
            var<immediate> p: P;
            @group(0) @binding(0) var<storage, read_write> o: array<f32>;
            @compute @workgroup_size(256)
            fn main(@builtin(global_invocation_id) g: vec3<u32>) { if (g.x < p.n) { o[g.x] = p.v; } }
        """
        imm_layout = device.create_pipeline_layout(bind_group_layouts=[rt.kernels.storage_layout(1)[0]],
                                                   immediate_size=8)
        imm_pipe = device.create_compute_pipeline(layout=imm_layout, compute={
            "module": device.create_shader_module(code=imm_src), "entry_point": "main"})
        imm_bg = rt.kernels.bind_group([regions[0].block])
        data = struct.pack("<If", 256, 2.0)

        def immediates_api():
            enc = device.create_command_encoder()
            cp = enc.begin_compute_pass()
            cp.set_pipeline(imm_pipe)
            cp.set_bind_group(0, imm_bg)
            for _ in range(n):
                cp.set_immediates(0, data, 0, len(data))  # data_size: wgpu-py 0.32 crashes without it
                cp.dispatch_workgroups(1)
            cp.end()
            device.queue.submit([enc.finish()])

        def immediates_lib():
            enc = device.create_command_encoder()
            cp = enc.begin_compute_pass()
            cp.set_pipeline(imm_pipe)
            cp.set_bind_group(0, imm_bg)
            h, cdata = cp._internal, ffi.new("char[]", data)
            si, disp = lib.wgpuComputePassEncoderSetImmediates, lib.wgpuComputePassEncoderDispatchWorkgroups
            for _ in range(n):
                si(h, 0, cdata, 8)
                disp(h, 1, 1, 1)
            cp.end()
            device.queue.submit([enc.finish()])
        rows.append(("wgpu-py API: one pass, set_immediates + dispatch per op",
                     best(immediates_api, repeat, rt.synchronize) / n * 1e6, float("nan")))
        rows.append(("cffi lib: one pass, set_immediates + dispatch per op",
                     best(immediates_lib, repeat, rt.synchronize) / n * 1e6, float("nan")))
        rt.synchronize()

    # 6. a C loop calling wgpu-native through the function pointers of wgpu-py's own library
    c_note = ""
    try:
        tmp = tempfile.mkdtemp()
        src, so = os.path.join(tmp, "loop.c"), os.path.join(tmp, "loop.so")
        with open(src, "w") as f:
            f.write(C_LOOP)
        subprocess.run(["cc", "-O2", "-shared", "-fPIC", src, "-o", so], check=True, capture_output=True)
        shim = ctypes.CDLL(so)
        native = ctypes.CDLL(lib_path)  # the library wgpu-py loaded: same process, same handle
        fns = [ctypes.cast(getattr(native, name), ctypes.c_void_p).value for name in
               ("wgpuComputePassEncoderSetPipeline", "wgpuComputePassEncoderSetBindGroup",
                "wgpuComputePassEncoderDispatchWorkgroups")]

        def addr(handle):
            return int(ffi.cast("uintptr_t", handle))
        shim.record.argtypes = [ctypes.c_void_p] * 7 + [ctypes.c_uint32, ctypes.c_uint32, ctypes.c_int,
                                                        ctypes.c_uint32, ctypes.c_int]
        for every in (0, 1):
            def c_loop():
                enc = device.create_command_encoder()
                cp = enc.begin_compute_pass()
                shim.record(*fns, addr(cp._internal), addr(pipe._internal), addr(bg._internal),
                            addr(ring_bg._internal), rt.param_stride, rt.max_batch, n, 1, every)
                cp.end()
                device.queue.submit([enc.finish()])
            rows.append((f"C loop via wgpu-native's C API ({'4 calls' if every else '2 calls'} per op)",
                         best(c_loop, repeat, rt.synchronize) / n * 1e6, float("nan")))
            rt.synchronize()
    except (OSError, subprocess.CalledProcessError) as e:
        c_note = f"(C loop skipped: {e})"

    print(f"{n} dispatches of a 256-element add, best of {repeat}; us per op")
    print(f"| case | record | record + 1 submit + wait |")
    print("|---|---:|---:|")
    for name, rec, total in rows:
        print(f"| {name} | {rec:.2f} | {'' if total != total else f'{total:.2f}'} |")
    if c_note:
        print(c_note)
    print(f"submits so far: {rt.submits}, dispatches: {rt.dispatches}")


if __name__ == "__main__":
    main()
