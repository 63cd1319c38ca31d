"""Lean import (issue 19): `import rstorch` does not import numpy, and neither does everyday use
without numpy objects (creation from Python numbers, ranges, arithmetic, indexing, printing,
tolist, autograd, an nn.Linear step); numpy comes in on first use, with single-threaded BLAS
defaults unless the user chose. The numpy-free readings are checked against numpy's own (the way
they were computed before) value for value, bit for bit."""

import math
import os
import pathlib
import random
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import rstorch
from rstorch import _creation, _tensor_str

PKG_ROOT = pathlib.Path(rstorch.__file__).resolve().parent.parent
BLAS_VARS = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _run(code, **env_vars):
    env = {k: v for k, v in os.environ.items() if k not in BLAS_VARS}
    env["PYTHONPATH"] = os.pathsep.join([str(PKG_ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env.update(env_vars)
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_import_does_not_import_numpy():
    _run("import rstorch, sys; assert 'numpy' not in sys.modules")


def test_everyday_use_does_not_import_numpy():
    _run("""
        import sys
        import rstorch as torch
        a = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
        b = torch.tensor([1, 2]), torch.tensor([True, False]), torch.tensor(3.5), torch.tensor([]),
        c = torch.tensor([[1, 2], [3, 4]], dtype=torch.int8), torch.tensor([0.5, 2], dtype=torch.float64)
        d = torch.tensor(a), torch.tensor(a.t(), dtype=torch.float16), torch.as_tensor([1, 2])
        r = torch.arange(6.), torch.arange(10), torch.arange(0, 1, 0.25), torch.linspace(0, 1, 5), torch.range(0, 3)
        x = torch.randn(50, 40)
        y = (x * 2 + 1).exp().sum(1)
        ix = x[[0, 2]], x[:, [1, 3]], x[x > 0], x[0, 1:], x[[True] * 50]
        x[[0, 1]] = 0.0
        text = [repr(t) for t in (a, x, x.int(), x > 0, x.half(), x.bfloat16(), x[:3, :3], torch.zeros(2, 0))]
        text.append(str(torch.tensor(7)))
        lists = x[:2].tolist(), x.half().tolist(), torch.tensor(1).tolist(), torch.zeros(2, 0, 3).tolist()
        (a * a).sum().backward()
        assert a.grad.tolist() == [[2., 4.], [6., 8.]]
        lin = torch.nn.Linear(40, 3)
        out = lin(x).relu().mean()
        out.backward()
        assert lin.weight.grad.shape == (3, 40)
        assert 'numpy' not in sys.modules, "numpy was imported"
        a.detach().numpy()
        assert 'numpy' in sys.modules
    """)


def test_numpy_gets_single_threaded_blas_defaults():
    code = """
        import os, rstorch
        rstorch.zeros(2).numpy()
        print({v: os.environ.get(v) for v in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS")})
    """
    assert eval(_run(code)) == {"OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OMP_NUM_THREADS": None}
    # the user's choice wins: OMP_NUM_THREADS is what both BLAS libraries fall back to
    assert eval(_run(code, OMP_NUM_THREADS="2")) == {"OPENBLAS_NUM_THREADS": None, "MKL_NUM_THREADS": None,
                                                     "OMP_NUM_THREADS": "2"}
    assert eval(_run(code, OPENBLAS_NUM_THREADS="3"))["OPENBLAS_NUM_THREADS"] == "3"
    # numpy imported before rstorch loaded it: its BLAS read the environment already, left alone
    assert eval(_run("import numpy\n" + textwrap.dedent(code)))["OPENBLAS_NUM_THREADS"] is None


# ---------------------------------------------------------------------- same values as numpy's reading

def _bits(t):
    return np.ascontiguousarray(t.detach()._host_numpy()).reshape(-1).tobytes()


def _outcome(f):
    try:
        t = f()
    except Exception as e:  # noqa: BLE001 - the errors must match too
        return type(e), str(e)
    return t.dtype, tuple(t.shape), t.stride(), t._version, _bits(t)


POOL = [0, 1, -1, 2**31, -2**31 - 1, 255, 256, -129, 2**62, 2**63 - 1, -2**63, 2**63, 2**64, 0.5, -0.5, 1e300,
        -0.0, math.nan, math.inf, 3.7, -3.7, 1e-40, True, False, 127.9, 255.5, 2**53 + 1]
DTYPES = [None, rstorch.float32, rstorch.float64, rstorch.float16, rstorch.bfloat16, rstorch.int64,
          rstorch.int32, rstorch.int16, rstorch.int8, rstorch.uint8, rstorch.bool]


def _nestings(count, seed):
    rng = random.Random(seed)
    for _ in range(count):
        shape = [rng.randint(0, 3) for _ in range(rng.randint(0, 3))]
        values = rng.sample(POOL, rng.randint(1, 4))

        def make(s):
            return rng.choice(values) if not s else [make(s[1:]) for _ in range(s[0])]
        data = make(shape)
        yield tuple(data) if isinstance(data, list) and rng.random() < 0.2 else data


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")  # numpy, in the reference
@pytest.mark.parametrize("default", [rstorch.float32, rstorch.float64])
def test_tensor_of_python_numbers_reads_them_as_numpy_does(default):
    # tensor() reads Python numbers itself; _through_numpy is the reading through numpy it
    # replaced (still used for numpy objects and everything unusual)
    old = rstorch.get_default_dtype()
    rstorch.set_default_dtype(default)
    try:
        for data in _nestings(1500, 0):
            for dtype in DTYPES:
                assert _outcome(lambda: rstorch.tensor(data, dtype=dtype)) == \
                    _outcome(lambda: _creation._through_numpy(data, dtype)), (data, dtype)
    finally:
        rstorch.set_default_dtype(old)


def test_tensor_of_a_tensor_is_a_contiguous_copy():
    x = rstorch.arange(12.).reshape(3, 4).t()
    for source in (x, x.bfloat16(), x.int(), x[::2]):
        for dtype in DTYPES:
            assert _outcome(lambda: rstorch.tensor(source, dtype=dtype)) == \
                _outcome(lambda: _creation._through_numpy(source, dtype))


def _arange_numpy(start, end, step, dtype):
    n = max(0, math.ceil((end - start) / step))
    if dtype is None:
        dtype = rstorch.get_default_dtype() if any(isinstance(v, float) for v in (start, end, step)) else rstorch.int64
    if dtype.is_floating_point:
        values = start + np.arange(n, dtype=np.float64) * step
    elif all(isinstance(v, int) for v in (start, step)):
        values = np.int64(start) + np.arange(n, dtype=np.int64) * np.int64(step)
    else:
        values = np.floor(start + np.arange(n, dtype=np.float64) * step)
    return rstorch.tensor(values, dtype=dtype)


def _linspace_numpy(start, end, steps, dtype):
    values = _creation._linspace_numpy(start, end, steps)
    dtype = dtype or rstorch.get_default_dtype()
    return rstorch.tensor(values if dtype.is_floating_point else np.trunc(values), dtype=dtype)


def test_ranges_equal_numpys_formulas():
    rng = random.Random(1)
    for _ in range(1500):
        start = rng.choice([0, 1, -5, 0.1, -0.0, 3.3, 1e10, -7, 2**40, 1 / 3])
        step = rng.choice([1, 2, -1, 0.1, 0.3, -0.7, 1e-3, 7, 1 / 7, -3])
        end = start + step * rng.randint(0, 50) + rng.choice([0, 0.5 * step, 1e-9 * step])
        if isinstance(start, int) and isinstance(step, int) and rng.random() < 0.5:
            end = int(end)
        dtype = rng.choice([None, rstorch.float32, rstorch.float64, rstorch.int64, rstorch.int32, rstorch.float16])
        assert _outcome(lambda: rstorch.arange(start, end, step, dtype=dtype)) == \
            _outcome(lambda: _arange_numpy(start, end, step, dtype)), (start, end, step, dtype)
        steps, stop = rng.randint(0, 40), rng.choice([1, -1, 0, 10.5, 1e-3, 2**40, -0.0, 1 / 3])
        assert _outcome(lambda: rstorch.linspace(start, stop, steps, dtype=dtype)) == \
            _outcome(lambda: _linspace_numpy(start, stop, steps, dtype)), (start, stop, steps, dtype)


def _random_tensors(count, seed):
    rng = random.Random(seed)
    gen = rstorch.Generator().manual_seed(seed)
    for _ in range(count):
        shape = [rng.randint(0, 5) for _ in range(rng.randint(0, 4))]
        dtype = rng.choice([rstorch.float32, rstorch.float64, rstorch.float16, rstorch.bfloat16, rstorch.int64,
                            rstorch.int32, rstorch.int8, rstorch.uint8, rstorch.bool])
        x = rstorch.randn(shape, generator=gen) * rng.choice([1, 1e-5, 1e5, 1e10, 100])
        if rng.random() < 0.3:
            x[x > 1] = math.nan
        if rng.random() < 0.2:
            x = x.round()
        x = x.to(dtype)
        if rng.random() < 0.3 and x.dim() >= 2:
            x = x.transpose(0, 1)
        if rng.random() < 0.2 and x.dim() >= 1:
            x = x[..., ::2]
        yield x


def test_tolist_equals_numpys():
    for x in _random_tensors(500, 2):
        assert repr(x.tolist()) == repr(x._host_numpy().tolist())


@pytest.mark.parametrize("options", [{}, dict(threshold=5), dict(threshold=5, edgeitems=1),
                                     dict(threshold=2, edgeitems=0), dict(precision=2, linewidth=30),
                                     dict(sci_mode=True), dict(threshold=0)])
def test_repr_reads_the_values_as_numpy_does(options):
    # Tensor.__repr__ hands the printer the tensor (read by slicing and tolist()); the printer
    # gives the same text for the same values as a numpy array
    cases = list(_random_tensors(200, 3)) + [rstorch.randn(100, 100), rstorch.randn(3, 400, 5), rstorch.arange(2000)]
    with rstorch.printoptions(**options):
        for x in cases:
            assert repr(x) == _tensor_str.format_tensor(x._host_numpy(), x.dtype._name,
                                                       default_dtype=rstorch.get_default_dtype()._name)
