"""Runtime behaviour speed work tends to break: memory stays flat over long loops, the CPU
allocator reuses freed buffers, thread settings, and results independent of the thread count."""

import os

import numpy as np
import pytest

import rstorch


def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc (Linux)")
def test_long_loop_keeps_resident_size_flat():
    a = rstorch.randn(4_000_000)
    b = rstorch.randn(4_000_000)
    for _ in range(20):  # warm up: the cache fills to its working set
        c = a + b
    before = _rss_bytes()
    for _ in range(500):
        c = a + b
    grown = _rss_bytes() - before
    assert grown < 8 << 20, f"resident size grew by {grown} bytes over 500 iterations"
    assert c.shape == (4_000_000,)


def test_allocator_reuses_freed_large_buffers():
    x = rstorch.empty(1 << 20)  # 4 MiB
    ptr = x.data_ptr()
    del x
    assert rstorch._C._cached_bytes() >= 4 << 20
    y = rstorch.empty(1 << 20)
    assert y.data_ptr() == ptr
    del y
    rstorch._C._empty_cache()
    assert rstorch._C._cached_bytes() == 0


def test_fresh_outputs_are_fully_written():
    # outputs reuse cached buffers holding old data: every element must be overwritten
    garbage = rstorch.full((1 << 20,), float("nan"))
    del garbage
    z = rstorch.zeros(1 << 20) + 1
    assert z.sum().item() == float(1 << 20)


def test_set_num_threads():
    n = rstorch.get_num_threads()
    try:
        rstorch.set_num_threads(1)
        assert rstorch.get_num_threads() == 1
        with pytest.raises(RuntimeError):
            rstorch.set_num_threads(0)
    finally:
        rstorch.set_num_threads(n)


@pytest.mark.parametrize("op", [
    lambda a, b: a + b,
    lambda a, b: a * b,
    lambda a, b: a.sum(),
    lambda a, b: a.sum(0),
    lambda a, b: a.t().contiguous(),
])
def test_results_identical_for_one_and_two_threads(op):
    rstorch.manual_seed(0)
    a = rstorch.randn(700, 600)
    b = rstorch.randn(700, 600)
    n = rstorch.get_num_threads()
    try:
        rstorch.set_num_threads(1)
        one = op(a, b).numpy().copy()
        rstorch.set_num_threads(2)
        two = op(a, b).numpy().copy()
    finally:
        rstorch.set_num_threads(n)
    np.testing.assert_array_equal(one, two)
