"""No input from Python may crash, hang or touch memory outside a tensor (issue 19).

Each reproducer runs in a child process under a 4 GiB address-space limit (so an allocation
that Rust could not make aborts the child instead of swapping the machine) and must raise
torch's exception type, with torch's message where it is checked; afterwards the same process
must still compute (an error leaves nothing broken behind). The expected outcomes are what
PyTorch 2.15 raises for the same calls."""

import os
import subprocess
import sys
import textwrap

import pytest

OVERFLOW = "Storage size calculation overflowed"
OOM = "DefaultCPUAllocator: not enough memory"

CASES = [
    # memory safety: as_strided's size arithmetic (torch checks it in bytes, as int64)
    ("x = torch.arange(6.); x.as_strided((1,), (1,), 2**63 - 1).fill_(7.); del x", RuntimeError, OVERFLOW),
    ("torch.arange(6.).as_strided((2,), (2**63 - 1,)).contiguous()", RuntimeError, OVERFLOW),
    ("torch.arange(6.).as_strided((2,), (1,), 2**62)", RuntimeError, OVERFLOW),
    ("torch.ones(2, 3).as_strided((2**62, 2**62), (1, 1))", RuntimeError, OVERFLOW),
    ("torch.ones(2**31, 2**31, 2**31)", RuntimeError, OVERFLOW),
    ("torch.empty(2**62)", RuntimeError, OVERFLOW),
    ("torch.empty_strided((2, 2**62), (2**62, 1))", RuntimeError, OVERFLOW),
    # panics
    ("torch.cross(torch.tensor(1.), torch.tensor(1.), dim=0)", IndexError,
     "Dimension specified as 0 but tensor has no dimensions"),
    ("torch.bincount(torch.tensor([2**61]))", RuntimeError, OVERFLOW),
    ("torch.histc(torch.tensor([1.]), bins=2**61)", RuntimeError, OVERFLOW),
    ("torch.histogram(torch.tensor([1.]), bins=2**61)", RuntimeError, OVERFLOW),
    ("torch.randperm(2**62)", RuntimeError, OVERFLOW),
    ("torch.zeros(0, 2).chunk(2**63 - 1, 0)", RuntimeError, "cannot create std::vector larger than max_size"),
    ("torch.multinomial(torch.ones(3), 2**62, replacement=True)", RuntimeError, OVERFLOW),
    # a hang and a memory blowup
    ("torch.arange(12.).reshape(6, 2).tensor_split(2**63 - 1, 0)", RuntimeError,
     "cannot create std::vector larger than max_size"),
    ("torch.arange(12.).reshape(6, 2).tensor_split(2**50, 0)", RuntimeError, OOM),
    ("torch.arange(4.).repeat_interleave(2**62)", RuntimeError, "overflow"),
    # sizes that overflow int64 are errors, not empty tensors
    ("torch.arange(0, 2**63 - 1)", RuntimeError, ""),
    ("torch.linspace(0, 1, 2**63)", ValueError, "Overflow"),
    ("torch.tril_indices(2**40, 2**40)", RuntimeError, OVERFLOW),
    ("torch.triu_indices(2**40, 2**40)", RuntimeError, OVERFLOW),
    # out of memory is an error, never an abort
    ("torch.ones(3).histc(2**31)", RuntimeError, OOM),
    ("torch.bincount(torch.tensor([1]), minlength=2**38)", RuntimeError, OOM),
    ("torch.randperm(2**38)", RuntimeError, OOM),
    ("torch.combinations(torch.arange(3000.), 4)", RuntimeError, OOM),
    ("torch.arange(2**38)", RuntimeError, OOM),
    ("torch.linspace(0, 1, 2**38)", RuntimeError, OOM),
    ("torch.arange(3).repeat_interleave(2**38)", RuntimeError, OOM),
    ("torch.zeros(2**20, 2**20)", RuntimeError, OOM),
]

CHILD = textwrap.dedent("""
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    import rstorch as torch
    try:
        exec(sys.argv[1])
    except BaseException as e:
        print("RAISED", type(e).__name__, str(e).replace("\\n", " ")[:300])
    else:
        print("RETURNED")
    # the process is still usable
    assert torch.arange(4.).sum().item() == 6.0 and torch.randperm(5).sort().values.tolist() == [0, 1, 2, 3, 4]
    print("ALIVE")
""")


def run_child(code, timeout=60):
    import rstorch  # the child imports the rstorch under test: the source tree, or the installed wheel in CI

    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(rstorch.__file__)), RUST_BACKTRACE="0")
    return subprocess.run([sys.executable, "-c", CHILD, code], capture_output=True, text=True, timeout=timeout, env=env)


@pytest.mark.parametrize("code,exc,message", CASES, ids=[c[0][:60] for c in CASES])
def test_hostile_call_raises_cleanly(code, exc, message):
    try:
        r = run_child(code)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{code} hung")
    assert r.returncode == 0, f"the child died (rc {r.returncode}): {r.stderr[-500:]}"
    lines = r.stdout.strip().splitlines()
    assert lines[-1] == "ALIVE", r.stdout
    outcome = lines[-2]
    assert outcome.startswith(f"RAISED {exc.__name__} "), outcome
    assert message in outcome, outcome


def test_huge_diagonals_and_counts_give_torchs_values():
    """Edges that must compute, not fail: tril/triu with diagonals near int64's ends, the
    closed-form triangle counts, repeat_interleave's dtype."""
    import numpy as np

    import rstorch as torch

    a = torch.arange(1., 10.).view(3, 3)
    for k in (2**63 - 1, -2**63, 5, -5, 0, 1, -1):
        np.testing.assert_array_equal(torch.tril(a, k).numpy(), np.tril(a.numpy(), max(min(k, 9), -9)))
        np.testing.assert_array_equal(torch.triu(a, k).numpy(), np.triu(a.numpy(), max(min(k, 9), -9)))
    for row, col, off in [(4, 3, 1), (3, 7, -2), (6, 2, -9), (2, 4, 9), (9, 3, -4), (0, 3, 0), (3, 0, 1),
                          (5, 5, 2**62), (5, 5, -2**62)]:
        lo = np.stack(np.tril_indices(row, max(min(off, 20), -20), col))
        hi = np.stack(np.triu_indices(row, max(min(off, 20), -20), col))
        np.testing.assert_array_equal(torch.tril_indices(row, col, off).numpy(), lo.reshape(2, -1))
        np.testing.assert_array_equal(torch.triu_indices(row, col, off).numpy(), hi.reshape(2, -1))
    assert torch.tril_indices(2**40, 0).shape == (2, 0)
    assert torch.triu_indices(2**40, 2, 2**40).shape == (2, 0)
    r = torch.repeat_interleave(torch.tensor([2, 0, 1], dtype=torch.int32))
    assert r.dtype == torch.int32 and r.tolist() == [0, 0, 2]
    assert torch.arange(6.).repeat_interleave(torch.tensor([0, 1, 0, 2, 0, 1])).tolist() == [1., 3., 3., 5.]
    assert torch.arange(2**62, 2**62 + 3).tolist() == [2**62, 2**62 + 1, 2**62 + 2]
