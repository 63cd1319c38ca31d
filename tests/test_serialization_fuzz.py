"""Fuzzing rstorch.load and the safetensors reader with mutated valid files (hypothesis).

Every mutated file must load or fail with RuntimeError / pickle.UnpicklingError / ValueError
(SafetensorError is a ValueError): no other exception, no crash, no allocation beyond what the
file's size justifies (a 2 GiB address-space cap is set for the longer run in
benchmarks/serialization_fuzz.py). Bounded here to run in well under a minute:
RSTORCH_FUZZ_EXAMPLES overrides the number of cases.
"""

import io
import os
import pickle
import struct
from collections import OrderedDict

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import rstorch
from rstorch.serialization import safetensors as sft

EXAMPLES = int(os.environ.get("RSTORCH_FUZZ_EXAMPLES", "150"))
ALLOWED = (RuntimeError, pickle.UnpicklingError, ValueError)


def _seeds():
    base = rstorch.arange(12.0).reshape(3, 4)
    obj = OrderedDict(w=base, v=base[1:, ::2], i=rstorch.tensor([1, 2, 3], dtype=rstorch.int16),
                      p=rstorch.nn.Parameter(rstorch.ones(2)), n=[1, 2.5, "x", None], s=rstorch.Size([2]),
                      d=rstorch.bfloat16)
    zipped = io.BytesIO()
    rstorch.save(obj, zipped)
    legacy = io.BytesIO()
    rstorch.save(obj, legacy, _use_new_zipfile_serialization=False)
    safet = sft.save({"a": base, "b": rstorch.ones(3, dtype=rstorch.int64)}, metadata={"k": "v"})
    return {"zip": zipped.getvalue(), "legacy": legacy.getvalue(), "safetensors": safet}


SEEDS = _seeds()

_mutation = st.one_of(
    st.tuples(st.just("set"), st.integers(0, 10 ** 6), st.integers(0, 255)),
    st.tuples(st.just("int"), st.integers(0, 10 ** 6), st.sampled_from(
        [0, 1, 0x7F, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 2 ** 31, 2 ** 40, 2 ** 63 - 1, 2 ** 64 - 1]),
        st.sampled_from([1, 2, 4, 8])),
    st.tuples(st.just("cut"), st.integers(0, 10 ** 6)),
    st.tuples(st.just("insert"), st.integers(0, 10 ** 6), st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("delete"), st.integers(0, 10 ** 6), st.integers(1, 64)),
)


def mutate(data, mutations):
    b = bytearray(data)
    for m in mutations:
        if not b:
            break
        kind, at = m[0], m[1] % len(b)
        if kind == "set":
            b[at] = m[2]
        elif kind == "int":
            n = m[3]
            b[at:at + n] = (m[2] & ((1 << (8 * n)) - 1)).to_bytes(n, "little")
        elif kind == "cut":
            del b[at:]
        elif kind == "insert":
            b[at:at] = m[2]
        else:
            del b[at:at + m[2]]
    return bytes(b)


def try_load(kind, data):
    try:
        if kind == "safetensors":
            out = sft.load(data)
        else:
            out = rstorch.load(io.BytesIO(data))
        _touch(out)
    except ALLOWED:
        return False
    return True


def _touch(obj):
    """Reads every tensor loaded (a bad view would fault here, not later)."""
    if isinstance(obj, rstorch.Tensor):
        if not obj.is_meta and obj.numel() < 10 ** 6:
            obj.sum()
    elif isinstance(obj, dict):
        for v in obj.values():
            _touch(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            _touch(v)


@pytest.mark.parametrize("kind", sorted(SEEDS))
def test_seed_loads(kind):
    assert try_load(kind, SEEDS[kind])


@pytest.mark.parametrize("kind", sorted(SEEDS))
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(mutations=st.lists(_mutation, min_size=1, max_size=4))
def test_fuzz_mutated_files(kind, mutations):
    try_load(kind, mutate(SEEDS[kind], mutations))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(n=st.integers(0, 2 ** 64 - 1), body=st.binary(max_size=64))
def test_fuzz_safetensors_header_length(n, body):
    try_load("safetensors", struct.pack("<Q", n) + body)
