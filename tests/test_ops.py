"""Every entry of the op tables (`opinfo.op_db`, tests/opinfo/) over op x device x dtype: each
check is written once here and runs for every op that declares what it needs.

- test_values: every sample against the numpy float64 reference, in each layout;
- test_method / test_inplace: the method and in-place variants an entry declares, against the
  same reference (in-place: in both layouts, on the samples whose result keeps the input's
  shape and dtype, and it must return its input);
- test_error_inputs: the entry's error inputs raise torch's error type and message;
- test_meta: shapes, dtypes and strides on the meta device match the CPU's (data-dependent ops
  must raise instead); META_TODO lists the ops whose meta path is still missing (strict xfails).

The devices are `opinfo.DEVICES` (tests/opinfo/core.py); the family files test_ops_<family>.py
hold the hand-written semantics tests."""

import pytest

from opinfo import DEVICES, LAYOUTS, check_error_inputs, check_meta, check_op, meta_available, op_db


def _id(info):
    return f"{info.family}.{info.name}"


def _params(entries, *axes):
    """pytest params over entries x the given axes (each a function info -> values)."""
    out = []
    for info in entries:
        combos = [()]
        for axis in axes:
            combos = [c + (v,) for c in combos for v in axis(info)]
        for c in combos:
            out.append(pytest.param(info, *c, id="-".join([_id(info), *map(str, c)])))
    return out


def _devices(info):
    return DEVICES


def _dtypes(info):
    return info.dtypes


def _layouts(info):
    return LAYOUTS


def _inplace_dtypes(info):
    """The dtypes whose result dtype (as declared) is the input's: the others cannot be written
    back in place (torch raises; the error inputs check that where it matters)."""
    rule = info.result_dtype or (lambda d: d)
    return [d for d in info.dtypes if rule(d) in (None, d)]


@pytest.mark.parametrize("info,device,dtype,layout", _params(op_db, _devices, _dtypes, _layouts))
def test_values(info, device, dtype, layout):
    assert check_op(info, dtype, layout, device=device) > 0


@pytest.mark.parametrize("info,device,dtype", _params([i for i in op_db if i.method], _devices, _dtypes))
def test_method(info, device, dtype):
    # the method reaches the function's kernels: one layout is enough (in-place runs both)
    assert check_op(info, dtype, "contiguous", device=device, variant="method") > 0


@pytest.mark.parametrize("info,device,dtype", _params([i for i in op_db if i.inplace], _devices, _inplace_dtypes))
def test_inplace(info, device, dtype):
    for layout in LAYOUTS:
        assert check_op(info, dtype, layout, device=device, variant="inplace") > 0, \
            f"{info.name}: no sample keeps its input's shape and dtype"


@pytest.mark.parametrize("info,device", _params([i for i in op_db if i.error_inputs], _devices))
def test_error_inputs(info, device):
    check_error_inputs(info, device)


# Ops torch runs on meta whose rstorch meta path is not written yet: they raise the storage's
# device error (NotImplementedError) on meta today. Strict xfails, so each one fails the suite
# (and must leave this list) once its meta path lands. Empty: every op-table entry torch runs on
# meta runs on meta here (the data-dependent ones are marked in their OpInfo, `meta=False`).
META_TODO: set = set()  # family.name (every variant) or family.name[variant]


def _meta_params():
    out = []
    for p in _params(op_db, _dtypes):
        info = p.values[0]
        if _id(info) in META_TODO or _id(info).split("[")[0] in META_TODO:
            p = pytest.param(*p.values, id=p.id, marks=pytest.mark.xfail(
                raises=NotImplementedError, strict=True, reason="meta path not written yet"))
        out.append(p)
    return out


@pytest.mark.parametrize("info,dtype", _meta_params())
def test_meta(info, dtype):
    assert check_meta(info, dtype) > 0


def test_meta_device_exists():
    assert meta_available()
