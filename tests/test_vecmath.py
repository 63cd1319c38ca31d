"""Accuracy of the float32 polynomial kernels (rust/core/src/ops/vecmath.rs) over the whole
float32 range: a sweep of bit patterns (both signs, every exponent, subnormals), the specials
and the overflow/underflow edges, against numpy float64. Thread-count determinism is tested in
the Rust unit tests (parallel::set_num_threads)."""

import math

import numpy as np
import pytest

import rstorch

EDGES = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 1.1754944e-38, 88.72, 88.7228,
                  88.73, 89.0, -87.33, -87.34, -103.9, -103.97, -104.0, -105.0, 1.0, -1.0, 0.625,
                  -0.625, 0.99999994, 1.0000001, 3.92, 9.0, 20.0, -20.0], dtype=np.float32)


def sweep():
    bits = np.arange(0, 2**32, 4099, dtype=np.uint64).astype(np.uint32)
    return np.concatenate([bits.view(np.float32), EDGES])


def ulps(got, want):
    """|got - want| in units of the float32 spacing at `want` (subnormal spacing below
    the normal range); 0 where both are the same NaN/inf."""
    with np.errstate(over="ignore"):
        w32 = want.astype(np.float32)  # the correctly rounded result (inf beyond the range)
    same = (got == w32) | (np.isnan(got) & np.isnan(want))
    got = got.astype(np.float64)
    spacing = np.spacing(np.abs(w32)).astype(np.float64)
    with np.errstate(invalid="ignore"):
        err = np.abs(got - want) / spacing
    return np.where(same, 0.0, err)


def _sigmoid(x):
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


CASES = {
    # name: (float64 reference, max ulps allowed, where the ulp bound applies)
    "exp": (np.exp, 2.0, None),
    "log": (np.log, 2.0, None),
    "tanh": (np.tanh, 3.0, None),
    # below -87.3 the result is subnormal, and flushed to 0 below -88.7 as in torch
    "sigmoid": (_sigmoid, 4.0, lambda x: ~(x <= -87.0)),
    "erf": (np.vectorize(math.erf, otypes=[np.float64]), 4.0, None),
}


@pytest.mark.parametrize("name", list(CASES))
def test_max_ulp_error(name):
    ref, bound, where = CASES[name]
    x = sweep()
    got = getattr(rstorch, name)(rstorch.tensor(x)).numpy()
    x64 = x.astype(np.float64)
    with np.errstate(all="ignore"):
        want = ref(x64)
    # NaN exactly where the reference is NaN, infinities where it overflows
    assert np.array_equal(np.isnan(got), np.isnan(want)), name
    err = ulps(got, want)
    if where is not None:
        err = err[where(x64)]
    worst = float(err.max())
    assert worst <= bound, f"{name}: max error {worst:.2f} ulp"


def test_exp_edges():
    x = rstorch.tensor(np.array([88.7228, 88.73, -103.97, -104.0, -87.33, np.nan, np.inf, -np.inf], dtype=np.float32))
    r = rstorch.exp(x).numpy()
    assert np.isfinite(r[0]) and r[0] > 3.4e38
    assert r[1] == np.inf
    assert 0 < r[2] < 1.2e-38  # subnormal
    assert r[3] == 0.0
    assert 0 < r[4] < 1.2e-38 * 2
    assert np.isnan(r[5]) and r[6] == np.inf and r[7] == 0.0


def test_log_edges():
    x = np.array([0.0, -0.0, -1.0, 1e-45, 1.1754942e-38, np.inf, np.nan, 1.0], dtype=np.float32)
    r = rstorch.log(rstorch.tensor(x)).numpy()
    assert r[0] == -np.inf and r[1] == -np.inf and np.isnan(r[2])
    np.testing.assert_allclose(r[3:5], np.log(x[3:5].astype(np.float64)), rtol=1e-7)
    assert r[5] == np.inf and np.isnan(r[6]) and r[7] == 0.0
