"""`rstorch.return_types`: torch's structseqs for every op of rstorch with named results.

The reprs are torch 2.x's, written in as literals (torch prints `torch.return_types.` whatever
the module is called, so `import rstorch as torch` scripts print the same)."""

import copy
import math
import pickle

import pytest

import rstorch

T = rstorch.tensor

CASES = [
    ("max", lambda: rstorch.max(T([[1., 2], [3, 4]]), 1), ("values", "indices"),
     "torch.return_types.max(\nvalues=tensor([2., 4.]),\nindices=tensor([1, 1]))"),
    ("min", lambda: T([[1., 2], [3, 4]]).min(dim=1), ("values", "indices"),
     "torch.return_types.min(\nvalues=tensor([1., 3.]),\nindices=tensor([0, 0]))"),
    ("cummax", lambda: rstorch.cummax(T([1., 3., 2.]), 0), ("values", "indices"),
     "torch.return_types.cummax(\nvalues=tensor([1., 3., 3.]),\nindices=tensor([0, 1, 1]))"),
    ("cummin", lambda: T([3., 1., 2.]).cummin(0), ("values", "indices"),
     "torch.return_types.cummin(\nvalues=tensor([3., 1., 1.]),\nindices=tensor([0, 1, 1]))"),
    ("aminmax", lambda: rstorch.aminmax(T([1., 3., 2.])), ("min", "max"),
     "torch.return_types.aminmax(\nmin=tensor(1.),\nmax=tensor(3.))"),
    ("sort", lambda: rstorch.sort(T([3., 1., 2.])), ("values", "indices"),
     "torch.return_types.sort(\nvalues=tensor([1., 2., 3.]),\nindices=tensor([1, 2, 0]))"),
    ("topk", lambda: T([3., 1., 2.]).topk(2), ("values", "indices"),
     "torch.return_types.topk(\nvalues=tensor([3., 2.]),\nindices=tensor([0, 2]))"),
    ("kthvalue", lambda: rstorch.kthvalue(T([3., 1., 2.]), 2), ("values", "indices"),
     "torch.return_types.kthvalue(\nvalues=tensor(2.),\nindices=tensor(2))"),
    ("median", lambda: T([3., 1., 2.]).median(0), ("values", "indices"),
     "torch.return_types.median(\nvalues=tensor(2.),\nindices=tensor(2))"),
    ("nanmedian", lambda: rstorch.nanmedian(T([3., math.nan, 1.]), 0), ("values", "indices"),
     "torch.return_types.nanmedian(\nvalues=tensor(1.),\nindices=tensor(2))"),
    ("mode", lambda: T([[4.], [7.]]).mode(1), ("values", "indices"),
     "torch.return_types.mode(\nvalues=tensor([4., 7.]),\nindices=tensor([0, 0]))"),
    ("histogram", lambda: rstorch.histogram(T([1., 2., 1.]), bins=2), ("hist", "bin_edges"),
     "torch.return_types.histogram(\nhist=tensor([2., 1.]),\nbin_edges=tensor([1.0000, 1.5000, 2.0000]))"),
    ("slogdet", lambda: rstorch.slogdet(2 * rstorch.eye(2)), ("sign", "logabsdet"),
     "torch.return_types.slogdet(\nsign=tensor(1.),\nlogabsdet=tensor(1.3863))"),
    ("linalg_slogdet", lambda: rstorch.linalg.slogdet(2 * rstorch.eye(2)), ("sign", "logabsdet"),
     "torch.return_types.linalg_slogdet(\nsign=tensor(1.),\nlogabsdet=tensor(1.3863))"),
    ("frexp", lambda: rstorch.frexp(T([8., 0.75])), ("mantissa", "exponent"),
     "torch.return_types.frexp(\nmantissa=tensor([0.5000, 0.7500]),\nexponent=tensor([4, 0], dtype=rstorch.int32))"),
]


def test_every_return_type_is_covered():
    assert sorted(rstorch.return_types.__all__) == sorted(name for name, *_ in CASES)


@pytest.mark.parametrize("name, make, fields, text", CASES, ids=[c[0] for c in CASES])
def test_return_type(name, make, fields, text):
    r = make()
    cls = getattr(rstorch.return_types, name)
    assert type(r) is cls and isinstance(r, tuple)
    assert cls.__name__ == name and cls.__module__ == "rstorch.return_types"
    assert repr(r) == text and str(r) == text
    # fields, indexing, unpacking, len, structseq counts
    assert len(r) == 2 and cls.n_fields == 2 and cls.n_sequence_fields == 2 and cls.n_unnamed_fields == 0
    a, b = r
    assert getattr(r, fields[0]) is a is r[0] and getattr(r, fields[1]) is b is r[1] and r[-1] is b
    assert r == (a, b) and (a, b) == r and r[:1] == (a,)
    with pytest.raises(AttributeError):
        setattr(r, fields[0], None)
    # built from one sequence, as torch's structseqs are
    again = cls((a, b))
    assert type(again) is cls and again == r
    with pytest.raises(TypeError):
        cls((a,))
    # pickling and copying keep the type and the values
    for back in (pickle.loads(pickle.dumps(r)), copy.deepcopy(r)):
        assert type(back) is cls and repr(back) == text
        assert [t.tolist() for t in back] == [t.tolist() for t in r]


def test_exported_module():
    import rstorch.return_types as rt
    assert rt is rstorch.return_types
    assert rt.max is type(rstorch.max(T([1., 2]), 0))
    # out= keeps the type
    v, i = rstorch.empty(0), rstorch.empty(0, dtype=rstorch.int64)
    r = rstorch.sort(T([2., 1.]), out=(v, i))
    assert type(r) is rt.sort and r.values is v and r.indices is i


def test_structseq_behaves_like_torchs():
    """What torch 2.15's structseqs do (checked there): match statements, read-only fields,
    construction from one sequence only, pickling through (sequence, {})."""
    import pickle
    T = rstorch.return_types.max
    r = T((1, 2))
    match r:
        case T(values=v, indices=i):
            assert (v, i) == (1, 2)
        case _:
            raise AssertionError("no match")
    assert T.__match_args__ == ("values", "indices")
    assert r.__reduce__() == (T, ((1, 2), {}))
    assert type(pickle.loads(pickle.dumps(r))) is T
    assert T((1, 2), {}) == (1, 2)
    with pytest.raises(AttributeError):
        r.values = 3
    with pytest.raises(TypeError, match="constructor requires a sequence"):
        T(1, 2)
    with pytest.raises(TypeError, match=r"torch.return_types.max\(\) takes a 2-sequence \(1-sequence given\)"):
        T((1,))
    assert type(r + (3,)) is tuple and r[-1] == 2 and r[0:1] == (1,)
