"""The wgpu runtime (issue 23's foundation, docs/GPU.md): lazy opening, adapter choice, the buffer
pool's accounting and out-of-memory error, pipelines and their errors, batching (exact submit
counts), transfers, and the strided/broadcast elementwise kernels against numpy float64.

Runs on any adapter (lavapipe in CI); skips, saying so, only when there is none."""

import os
import struct
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import rstorch
from rstorch import _wgpu

PYTHON_DIR = os.path.dirname(os.path.dirname(rstorch.__file__))


@pytest.fixture(scope="module")
def rt():
    if not _wgpu.is_available():
        pytest.skip(f"no wgpu adapter: {_wgpu.unavailable_reason()}")
    return _wgpu.runtime()


@pytest.fixture
def ew(rt):
    from rstorch._wgpu import elementwise
    return elementwise


def _run(code, **env):
    full = {k: v for k, v in os.environ.items() if not k.startswith("RSTORCH_WGPU_")}
    full["PYTHONPATH"] = PYTHON_DIR
    full.update(env)
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=full, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def _upload(rt, array):
    array = np.ascontiguousarray(array, dtype=np.float32)
    region = rt.alloc(array.nbytes)
    rt.upload(region, array.tobytes())
    return region


def _read(rt, region, count=None):
    data = np.frombuffer(rt.download(region), dtype=np.float32)
    return data if count is None else data[:count]


# ---------------------------------------------------------------------- opening and adapters

def test_import_opens_nothing():
    out = _run("""
        import sys, rstorch
        assert rstorch.wgpu.__name__ == "rstorch.wgpu"
        assert "wgpu" not in sys.modules, "wgpu-py imported at import rstorch"
        assert not rstorch._wgpu.is_initialized() and rstorch._wgpu._adapters is None
        print("ok")
    """)
    assert out.strip() == "ok"


def test_adapter_ranking_and_selection():
    pytest.importorskip("wgpu", reason="no wgpu adapter: wgpu-py is not installed")
    from rstorch._wgpu import adapters

    class Fake:
        def __init__(self, name, kind, backend, device_id):
            self.info = {"device": name, "description": name.upper(), "adapter_type": kind,
                         "backend_type": backend, "vendor_id": 1, "device_id": device_id}

    fakes = [Fake("llvmpipe", "CPU", "Vulkan", 0), Fake("Intel UHD", "IntegratedGPU", "Vulkan", 1),
             Fake("RTX 4090", "DiscreteGPU", "OpenGL", 2), Fake("RTX 4090", "DiscreteGPU", "Vulkan", 2),
             Fake("llvmpipe", "CPU", "OpenGL", 0)]
    ranked = adapters.rank([adapters._entry(f) for f in fakes])
    # discrete, integrated, CPU; one entry per physical device, through its best backend
    assert [(e.name, e.backend) for e in ranked] == [("RTX 4090", "Vulkan"), ("Intel UHD", "Vulkan"),
                                                     ("llvmpipe", "Vulkan")]
    assert ranked[2].is_software and not ranked[0].is_software
    assert [e.name for e in adapters.select(ranked, "1")] == ["Intel UHD"]
    assert [e.name for e in adapters.select(ranked, "rtx")] == ["RTX 4090"]
    assert [e.name for e in adapters.select(ranked, "uhd")] == ["Intel UHD"]  # description too
    assert adapters.select(ranked, "7") == [] and adapters.select(ranked, "radeon") == []
    assert adapters.select(ranked, "") == ranked and adapters.select(ranked, None) == ranked


def test_environment_overrides(rt, monkeypatch):
    # in a fresh process: the variables are read at first use and pick the adapter
    backend = {"Vulkan": "vulkan", "Metal": "metal", "D3D12": "dx12", "OpenGL": "gl"}[rt.entry.backend]
    out = _run("""
        import rstorch
        print(rstorch.wgpu.is_available(), rstorch.wgpu.get_device_name())
    """, RSTORCH_WGPU_BACKEND=backend, RSTORCH_WGPU_ADAPTER=rt.name[:6])
    assert out.strip() == f"True {rt.name}"
    # in this process, enumerating again (the open runtime stays as it is)
    for var, value in (("RSTORCH_WGPU_ADAPTER", "no-such-adapter-anywhere"), ("RSTORCH_WGPU_BACKEND", "cuda")):
        monkeypatch.setenv(var, value)
        monkeypatch.setattr(_wgpu, "_adapters", None)
        monkeypatch.setattr(_wgpu, "_enumerate_error", None)
        assert rstorch.wgpu.is_available() is False and rstorch.wgpu.device_count() == 0  # no exception
        with pytest.raises(RuntimeError, match=r"^no wgpu adapter: ") as info:
            _wgpu.runtime(3)
        if var == "RSTORCH_WGPU_ADAPTER":
            assert f"{var}='{value}'" in str(info.value)
        else:
            assert "RSTORCH_WGPU_BACKEND='cuda' is not one of vulkan, metal, dx12, gl" in str(info.value)
        monkeypatch.delenv(var)


def test_device_facts(rt):
    adapter = rt.entry.adapter
    for name in ("max-storage-buffer-binding-size", "max-buffer-size", "max-storage-buffers-per-shader-stage",
                 "max-compute-workgroups-per-dimension"):
        assert rt.limits[name] == adapter.limits[name], name  # raised to the adapter's, not WebGPU's defaults
    assert rt.max_storage_binding == adapter.limits["max-storage-buffer-binding-size"]
    for feature in ("shader-f16", "subgroup", "timestamp-query"):
        assert (feature in rt.features) == (feature in adapter.features)
    props = rstorch.wgpu.get_device_properties()
    assert props.name == rstorch.wgpu.get_device_name(0) == rt.name
    assert props.total_memory > 0 and props.limits == rt.limits
    assert rstorch.wgpu.is_available() and rstorch.wgpu.device_count() >= 1
    with pytest.raises(RuntimeError, match="Invalid device index 9"):
        rstorch.wgpu.memory_allocated(9)
    assert rstorch.wgpu.memory_allocated("wgpu:0") == rstorch.wgpu.memory_allocated(rstorch.device("wgpu"))


def test_grid_spreads_over_y(rt):
    assert rt.grid(10) == (10, 1)
    assert rt.grid(rt.max_workgroups) == (rt.max_workgroups, 1)
    x, y = rt.grid(rt.max_workgroups + 1)
    assert y == 2 and x * y >= rt.max_workgroups + 1 and x <= rt.max_workgroups


# ---------------------------------------------------------------------- the pool

def test_size_classes():
    pytest.importorskip("wgpu", reason="no wgpu adapter: wgpu-py is not installed")
    from rstorch._wgpu.pool import format_size, size_class
    assert [size_class(n) for n in (1, 256, 257, 512, 513, 1000, 1024, 1025, 4096, 5000)] == \
        [256, 256, 512, 512, 768, 1024, 1024, 1280, 4096, 5120]
    for n in range(1, 1 << 22, 997):
        c = size_class(n)
        assert c >= n and c % 256 == 0 and (n <= 256 or c < n * 1.25 + 256)
    assert [format_size(n) for n in (0, 512, 1536, 20 << 20, 3 << 30)] == \
        ["0 bytes", "512 bytes", "1.50 KiB", "20.00 MiB", "3.00 GiB"]


def test_pool_accounting_and_reuse(rt):
    w = rstorch.wgpu
    rt.synchronize()
    base_alloc, base_buffers = w.memory_allocated(), rt.pool.num_buffers
    a = rt.alloc(1000)     # class 1024
    b = rt.alloc(100_000)  # class 114688 = 7 * 2**14 (4 classes per octave)
    assert (a.nbytes, a.block.size, b.block.size) == (1000, 1024, 114688)
    assert w.memory_allocated() == base_alloc + 1024 + 114688
    assert w.max_memory_allocated() >= w.memory_allocated()
    assert w.memory_reserved() >= w.memory_allocated()
    block = b.block
    del b  # a dying region gives its block back
    assert w.memory_allocated() == base_alloc + 1024
    c = rt.alloc(99_000)  # same class: the cached block, no new buffer
    assert c.block is block
    assert rt.pool.num_buffers - base_buffers <= 2
    w.reset_peak_memory_stats()
    assert w.max_memory_allocated() == w.memory_allocated()
    a.release()
    a.release()  # releasing twice is harmless
    c.release()
    assert w.memory_allocated() == base_alloc
    assert w.memory_reserved() >= base_alloc + 1024 + 114688
    w.empty_cache()
    assert w.memory_reserved() == w.memory_allocated() == base_alloc
    stats = w.memory_stats()
    assert stats["allocated_bytes.all.current"] == base_alloc and stats["reserved_bytes.all.current"] == base_alloc
    z = rt.alloc(0)
    assert z.nbytes == 0 and w.memory_allocated() == base_alloc


def test_region_dying_in_a_reference_cycle(rt, ew):
    # the cycle's finalizers run together: the pool must still own the block's buffer when
    # Region.__del__ hands it back (else wgpu-py releases it and the next bind group aborts)
    import gc

    class Holder:
        pass
    h = Holder()
    h.me, h.region = h, rt.alloc(2900)  # class 3072
    uid = h.region.block.uid  # not the block: it must be reachable through the cycle only
    del h
    gc.collect()
    r = rt.alloc(3000)
    assert r.block.uid == uid and r.block.buffer._internal is not None
    ew.fill(rt, r, 1.5)
    assert np.array_equal(_read(rt, r), np.full(750, 1.5, np.float32))


def test_free_under_contention_is_deferred_not_blocking(rt):
    # a region dying while another thread holds the pool's lock must not wait for it (the
    # collector may fire on a thread holding the runtime's lock: a deadlock otherwise)
    import threading
    w = rstorch.wgpu
    base = w.memory_allocated()
    region = rt.alloc(5000)
    held, release = threading.Event(), threading.Event()

    def hold():
        with rt.pool._lock:
            held.set()
            release.wait(10)
    t = threading.Thread(target=hold)
    t.start()
    held.wait(10)
    del region  # returns at once: the block waits in the pending list
    assert len(rt.pool._pending) == 1
    release.set()
    t.join()
    assert w.memory_allocated() == base and not rt.pool._pending


def test_memory_fraction_is_enforced(rt):
    w = rstorch.wgpu
    keep = rt.alloc(1 << 20)
    w.empty_cache()
    with pytest.raises(TypeError, match="must be `float`"):
        w.set_per_process_memory_fraction(1)
    with pytest.raises(ValueError, match=r"Invalid fraction value: 1.5. Allowed range: 0~1"):
        w.set_per_process_memory_fraction(1.5)
    total = rt.total_memory
    in_use = w.memory_allocated()
    try:
        w.set_per_process_memory_fraction((in_use + (3 << 20) + 1024) / total)
        allowed = rt.pool.allowed
        ok = rt.alloc(2 << 20)  # fits
        with pytest.raises(w.OutOfMemoryError) as info:
            rt.alloc(2 << 20)
        err = info.value
        assert isinstance(err, RuntimeError)
        text = str(err)
        assert text.startswith("wgpu out of memory. Tried to allocate 2.00 MiB.")
        assert f"{in_use + (2 << 20)} " not in text  # sizes are formatted, as torch does
        from rstorch._wgpu.pool import format_size
        assert f"may use {format_size(allowed)}" in text and f"with {format_size(allowed)} allowed" in text
        assert f"{format_size(in_use + (2 << 20))} is allocated by rstorch" in text
        assert w.memory_stats()["num_ooms"] >= 1
        # freed memory is usable again, and the process goes on
        ok.release()
        again = rt.alloc(2 << 20)
        again.release()
    finally:
        w.set_per_process_memory_fraction(1.0)
    assert w.get_per_process_memory_fraction() == 1.0
    with pytest.raises(w.OutOfMemoryError, match="max-buffer-size"):
        rt.alloc(rt.limits["max-buffer-size"] + 1)
    keep.release()


def test_empty_cache_flushes_work_that_uses_freed_blocks(rt, ew):
    rt.synchronize()
    src = _upload(rt, np.arange(64, dtype=np.float32))
    dst = rt.alloc(256)
    ew.unary(rt, "neg", ew.View.contiguous(dst, (64,)), ew.View.contiguous(src, (64,)))
    src.release()  # freed while a queued dispatch still reads it
    submits = rt.submits
    rstorch.wgpu.empty_cache()  # destroys src's buffer: the queued work is submitted first
    assert rt.submits == submits + 1
    assert np.array_equal(_read(rt, dst), -np.arange(64, dtype=np.float32))


# ---------------------------------------------------------------------- kernels

def test_shader_errors_carry_the_diagnostic(rt):
    from rstorch._wgpu.kernels import ShaderError, expand, shader_source
    with pytest.raises(ShaderError, match=r"(?s)broken_test\.wgsl failed to compile.*expected.*u32") as info:
        rt.kernels.module("broken_test", source="@compute @workgroup_size(1) fn main() { let x: u32 = 1.5; }")
    assert isinstance(info.value, RuntimeError)
    with pytest.raises(ShaderError, match="entry point 'no_such_op'"):
        rt.kernels.pipeline("elementwise", "no_such_op")
    with pytest.raises(ShaderError, match="unknown kind 'ternary'"):
        expand("//! ternary where = x\n")
    with pytest.raises(ShaderError, match="exactly one <family>_OP template"):
        expand("//! unary neg = -x\n")
    src = shader_source("elementwise")
    assert "fn elementwise_OP(" not in src
    exp = src[src.index("fn exp_f32("):src.index("fn log_f32(")]
    assert "out[o.x] = exp(x);" in exp and "b[o.z]" not in exp and "alpha" not in exp  # unary: a alone
    add = src[src.index("fn add_f32("):src.index("fn sub_f32(")]
    assert "out[o.x] = x + alpha * y;" in add and "let y = b[o.z];" in add


def test_every_elementwise_entry_compiles(rt, ew):
    for op in ew.UNARY + ew.BINARY:
        assert rt.kernels.pipeline("elementwise", f"{op}_f32") is rt.kernels.pipeline("elementwise", f"{op}_f32")


def _ref_unary(op, x):
    x = x.astype(np.float64)
    with np.errstate(all="ignore"):
        return {"copy": x, "neg": -x, "abs": np.abs(x), "exp": np.exp(x), "log": np.log(x), "sqrt": np.sqrt(x),
                "relu": np.maximum(x, 0), "sigmoid": 1 / (1 + np.exp(-x)), "tanh": np.tanh(x)}[op]


def _ref_binary(op, x, y, alpha):
    x, y = x.astype(np.float64), y.astype(np.float64)
    with np.errstate(all="ignore"):
        return {"add": x + alpha * y, "sub": x - alpha * y, "mul": x * y, "div": x / y,
                "maximum": np.maximum(x, y), "minimum": np.minimum(x, y)}[op]


def _strided_operand(rt, ew, rng, shape, kind):
    """A float32 operand of logical `shape` read through a non-trivial layout: a transposed
    (permuted) view, a strided slice with a storage offset, or contiguous. Returns (view, values)."""
    if kind == "contiguous" or len(shape) == 0:
        values = rng.standard_normal(shape).astype(np.float32)
        return ew.View.contiguous(_upload(rt, values), shape), values
    if kind == "transposed":
        base = rng.standard_normal(shape[::-1]).astype(np.float32)
        view = ew.View.contiguous(_upload(rt, base), base.shape)
        return ew.View(view.region, tuple(shape), view.strides[::-1]), base.T
    # every other element of a bigger buffer, 5 elements in
    big = rng.standard_normal(5 + 2 * int(np.prod(shape))).astype(np.float32)
    region = _upload(rt, big)
    values = big[5::2][:int(np.prod(shape))].reshape(shape)
    strides = tuple(2 * s for s in ew.contiguous_strides(shape))
    return ew.View(region, tuple(shape), strides, 5), values


SHAPES = [((), ()), ((7,), (7,)), ((3, 4), (4,)), ((3, 1), (1, 5)), ((2, 3, 4), (3, 1)), ((4, 1, 6), (1, 5, 1)),
          ((2, 3, 1, 5), (3, 4, 1)), ((1000,), (1,)), ((33, 65), (33, 65))]


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "maximum", "minimum"])
def test_binary_strided_broadcast_against_numpy(rt, ew, op):
    rng = np.random.default_rng(hash(op) % 1000)
    for i, (sa, sb) in enumerate(SHAPES):
        for kind in ("contiguous", "transposed", "sliced"):
            a, x = _strided_operand(rt, ew, rng, sa, kind)
            b, y = _strided_operand(rt, ew, rng, sb, ("sliced", "contiguous", "transposed")[i % 3])
            shape = np.broadcast_shapes(np.shape(x), np.shape(y))
            out = ew.View.contiguous(rt.alloc(4 * max(1, int(np.prod(shape)))), shape)
            alpha = 0.5 if i % 2 else 1.0
            ew.binary(rt, op, out, a, b, alpha=alpha)
            got = _read(rt, out.region, int(np.prod(shape))).reshape(shape)
            want = _ref_binary(op, x, y, alpha)
            np.testing.assert_allclose(got, want, rtol=2e-7 if op != "div" else 4e-7, atol=1e-30,
                                       err_msg=f"{op} {sa} {sb} {kind}")


@pytest.mark.parametrize("op", ["copy", "neg", "abs", "exp", "log", "sqrt", "relu", "sigmoid", "tanh"])
def test_unary_strided_against_numpy(rt, ew, op):
    rng = np.random.default_rng(len(op))
    for shape in [(), (5,), (3, 4), (2, 3, 4), (300, 7)]:
        for kind in ("contiguous", "transposed", "sliced"):
            a, x = _strided_operand(rt, ew, rng, shape, kind)
            if op in ("log", "sqrt"):
                x = np.abs(x) + np.float32(0.01)
                a = ew.View(_upload(rt, np.ascontiguousarray(x)), tuple(shape), ew.contiguous_strides(shape))
            out = ew.View.contiguous(rt.alloc(4 * max(1, int(np.prod(shape)))), shape)
            ew.unary(rt, op, out, a)
            got = _read(rt, out.region, int(np.prod(shape))).reshape(shape)
            tol = 2e-7 if op in ("copy", "neg", "abs", "relu", "sqrt") else 4e-6
            np.testing.assert_allclose(got, _ref_unary(op, x), rtol=tol, atol=1e-7, err_msg=f"{op} {shape} {kind}")


def test_special_values(rt, ew):
    x = np.array([np.nan, 1.0, -np.inf, 0.0, -0.0, 3.0, 100.0, -100.0], dtype=np.float32)
    y = np.array([1.0, np.nan, 2.0, -0.0, 0.0, np.inf, -1.0, 1.0], dtype=np.float32)
    a, b = ew.View.contiguous(_upload(rt, x), (8,)), ew.View.contiguous(_upload(rt, y), (8,))
    out = ew.View.contiguous(rt.alloc(32), (8,))
    for op in ("maximum", "minimum"):  # torch propagates NaN
        ew.binary(rt, op, out, a, b)
        got = _read(rt, out.region, 8)
        want = getattr(np, op)(x, y)
        assert np.array_equal(np.isnan(got), np.isnan(want)) and np.array_equal(got[2:3], want[2:3]), (op, got)
    for op in ("exp", "tanh", "sigmoid", "relu"):
        ew.unary(rt, op, out, a)
        got = _read(rt, out.region, 8)
        with np.errstate(over="ignore"):
            want = _ref_unary(op, x).astype(np.float32)
        # atol: the smallest normal float32 (GPUs may flush subnormal results, as exp(-100), to 0)
        np.testing.assert_allclose(got, want, rtol=4e-6, atol=1.2e-38, equal_nan=True, err_msg=op)


def test_in_place_and_aliased_operands(rt, ew):
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    region = _upload(rt, x)
    v = ew.View.contiguous(region, (3, 4))
    ew.binary(rt, "mul", v, v, v)  # x *= x: one buffer at all three bindings
    ew.binary(rt, "add", v, v, ew.View(region, (3, 4), (4, 1), 0), alpha=-0.5)
    np.testing.assert_array_equal(_read(rt, region, 12).reshape(3, 4), x * x - 0.5 * x * x)
    # out is a strided view of a bigger buffer: only its elements change
    big = _upload(rt, np.zeros(24, dtype=np.float32))
    ew.unary(rt, "neg", ew.View(big, (3, 4), (8, 2), 1), ew.View.contiguous(_upload(rt, x), (3, 4)))
    want = np.zeros(24, dtype=np.float32)
    want[1::2] = (-x).reshape(-1)
    np.testing.assert_array_equal(_read(rt, big, 24), want)


def test_workgroups_spread_over_two_dimensions(rt, ew):
    n = 10_000
    x = np.linspace(-3, 3, n).astype(np.float32)
    a = ew.View.contiguous(_upload(rt, x), (n,))
    out = ew.View.contiguous(rt.alloc(4 * n), (n,))
    saved = rt.max_workgroups
    rt.max_workgroups = 7  # 40 groups -> a 7 x 6 grid (2 groups spare); the kernel folds y back in
    try:
        assert rt.grid(40) == (7, 6)
        ew.unary(rt, "exp", out, a)
        ew.fill(rt, _upload(rt, np.zeros(n, dtype=np.float32)), 1.0)
    finally:
        rt.max_workgroups = saved
    np.testing.assert_allclose(_read(rt, out.region, n), np.exp(x.astype(np.float64)), rtol=4e-6)


def test_fill(rt, ew):
    region = rt.alloc(40)
    ew.fill(rt, region, 2.5)
    assert np.array_equal(_read(rt, region), np.full(10, 2.5, np.float32))
    ew.fill(rt, region, -7, n=3, offset=4)  # an int goes in as its 32-bit pattern
    data = np.frombuffer(rt.download(region), dtype=np.int32)
    assert list(data[4:7]) == [-7] * 3 and np.frombuffer(data[:4].tobytes(), np.float32).tolist() == [2.5] * 4


def test_errors_of_launchers(rt, ew):
    out = ew.View.contiguous(rt.alloc(16), (4,))
    with pytest.raises(NotImplementedError, match="no wgpu elementwise kernel 'pow'"):
        ew.binary(rt, "pow", out, out, out)
    with pytest.raises(RuntimeError, match="must match the size"):
        ew.binary(rt, "add", out, out, ew.View.contiguous(rt.alloc(12), (3,)))
    with pytest.raises(ValueError, match="does not fit"):
        rt.upload(out.region, b"\0" * 20)
    rt.synchronize()
    big = rt.alloc(rt.max_storage_binding + 4)  # created, never bound nor submitted
    try:
        with pytest.raises(NotImplementedError, match="larger than one storage binding"):
            ew.unary(rt, "neg", ew.View.contiguous(big, (4,)), out)
        assert rt.queued == 0
    finally:
        big.release()
        rstorch.wgpu.empty_cache()


# ---------------------------------------------------------------------- batching

def test_thousand_dispatches_make_one_submit(rt, ew):
    region = _upload(rt, np.zeros(256, dtype=np.float32))
    ones = _upload(rt, np.ones(256, dtype=np.float32))
    acc, one = ew.View.contiguous(region, (256,)), ew.View.contiguous(ones, (256,))
    rt.synchronize()
    submits, dispatches, groups = rt.submits, rt.dispatches, rt.kernels.bind_groups_created
    for _ in range(1000):
        ew.binary(rt, "add", acc, acc, one)
    assert rt.submits == submits and rt.queued == 1000  # nothing submitted yet
    assert rt.kernels.bind_groups_created - groups <= 1  # one bind group, cached
    rt.synchronize()
    assert rt.submits == submits + 1 and rt.dispatches == dispatches + 1000 and rt.queued == 0
    rt.synchronize()  # nothing queued: no empty submit
    assert rt.submits == submits + 1
    assert np.array_equal(_read(rt, region), np.full(256, 1000, np.float32))
    assert rt.submits == submits + 2  # the read-back: one submit


def test_size_cap_flushes(rt, ew):
    region = _upload(rt, np.zeros(64, dtype=np.float32))
    view = ew.View.contiguous(region, (64,))
    rt.synchronize()
    submits = rt.submits
    saved = rt.max_batch
    rt.max_batch = 100
    try:
        for _ in range(250):
            ew.binary(rt, "add", view, view, view, alpha=0.0)  # x + 0 * x
        assert rt.submits == submits + 2 and rt.queued == 50
    finally:
        rt.max_batch = saved
    rt.synchronize()
    assert rt.submits == submits + 3


def test_transfers_keep_program_order(rt, ew):
    x = np.arange(8, dtype=np.float32)
    src = _upload(rt, x)
    dst = rt.alloc(32)
    rt.synchronize()
    submits = rt.submits
    ew.unary(rt, "neg", ew.View.contiguous(dst, (8,)), ew.View.contiguous(src, (8,)))  # reads the old src
    rt.upload(src, (x * 10).tobytes())  # flushes the queued neg first
    assert rt.submits == submits + 1
    ew.fill(rt, src, 5.0, n=2)
    got_src = _read(rt, src)  # the fill and the copy: one submit
    assert rt.submits == submits + 2
    assert np.array_equal(_read(rt, dst), -x)
    assert np.array_equal(got_src, np.concatenate([[5, 5], x[2:] * 10]).astype(np.float32))
    # odd sizes and offsets
    rt.upload(dst, b"\x01\x02\x03", offset=5)  # inside words 1 and 2: their other bytes stay
    want = bytearray(np.float32(-x).tobytes())
    want[5:8] = b"\x01\x02\x03"
    assert rt.download(dst) == bytes(want)
    assert rt.download(dst, nbytes=5, offset=3) == bytes(want[3:8])
    rt.upload(dst, b"\x09\x08", offset=30)  # at the region's end: padded, nothing clobbered
    want[30:32] = b"\x09\x08"
    assert rt.download(dst) == bytes(want)
    assert rt.download(dst, nbytes=0) == b""


def test_raw_and_api_recording_agree(rt, ew):
    x = np.linspace(-1, 1, 300).astype(np.float32)
    a = ew.View.contiguous(_upload(rt, x), (300,))
    results = []
    saved = rt.raw_recording
    try:
        for raw in (False, True) if rt._raw is not None else (False,):
            rt.raw_recording = raw
            out = ew.View.contiguous(rt.alloc(1200), (300,))
            ew.unary(rt, "sigmoid", out, a)
            ew.binary(rt, "mul", out, out, a, alpha=1.0)
            results.append(_read(rt, out.region))
    finally:
        rt.raw_recording = saved
    for got in results:
        np.testing.assert_allclose(got, x / (1 + np.exp(-x.astype(np.float64))), rtol=4e-6, atol=1e-7)


def test_big_read_back_does_not_keep_its_staging_buffer(rt):
    from rstorch._wgpu.device import STAGING_KEEP
    x = np.arange(STAGING_KEEP // 4 + 1000, dtype=np.float32)
    region = _upload(rt, x)
    assert np.array_equal(_read(rt, region), x)
    assert all(size <= STAGING_KEEP for size in rt._staging)
    small = _upload(rt, x[:10])
    assert np.array_equal(_read(rt, small), x[:10]) and 256 in rt._staging  # small ones are kept
    region.release()


def test_threads_record_into_one_batch(rt, ew):
    import threading
    ones = ew.View.contiguous(_upload(rt, np.ones(64, dtype=np.float32)), (64,))
    accs = [ew.View.contiguous(_upload(rt, np.zeros(64, dtype=np.float32)), (64,)) for _ in range(4)]
    rt.synchronize()
    submits = rt.submits
    errors = []

    def work(acc):
        try:
            for _ in range(250):
                ew.binary(rt, "add", acc, acc, ones)
        except Exception as e:  # noqa: BLE001
            errors.append(e)
    threads = [threading.Thread(target=work, args=(acc,)) for acc in accs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and rt.queued == 1000 and rt.submits == submits
    for acc in accs:
        assert np.array_equal(_read(rt, acc.region), np.full(64, 250, np.float32))
    assert rt.submits == submits + 4  # the first read-back submitted the 1000 dispatches with its copy
