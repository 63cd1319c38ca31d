"""`rstorch.return_types`: torch's structseqs for every op of rstorch with named results.

The reprs are torch 2.x's, written in as literals (torch prints `torch.return_types.` whatever
the module is called, so `import rstorch as torch` scripts print the same)."""

import copy
import math
import pickle
import warnings

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
    ("linalg_cholesky_ex", lambda: rstorch.linalg.cholesky_ex(4 * rstorch.eye(2)), ("L", "info"),
     "torch.return_types.linalg_cholesky_ex(\nL=tensor([[2., 0.],\n        [0., 2.]]),\ninfo=tensor(0, dtype=rstorch.int32))"),
    ("linalg_inv_ex", lambda: rstorch.linalg.inv_ex(2 * rstorch.eye(2)), ("inverse", "info"),
     "torch.return_types.linalg_inv_ex(\ninverse=tensor([[0.5000, 0.0000],\n        [0.0000, 0.5000]]),\n"
     "info=tensor(0, dtype=rstorch.int32))"),
    ("linalg_solve_ex", lambda: rstorch.linalg.solve_ex(2 * rstorch.eye(2), T([2., 4])), ("result", "info"),
     "torch.return_types.linalg_solve_ex(\nresult=tensor([1., 2.]),\ninfo=tensor(0, dtype=rstorch.int32))"),
    ("linalg_qr", lambda: rstorch.linalg.qr(T([[2.]])), ("Q", "R"),
     "torch.return_types.linalg_qr(\nQ=tensor([[1.]]),\nR=tensor([[2.]]))"),
    ("linalg_eigh", lambda: rstorch.linalg.eigh(T([[1., 0], [0, 2]])), ("eigenvalues", "eigenvectors"),
     "torch.return_types.linalg_eigh(\neigenvalues=tensor([1., 2.]),\neigenvectors=tensor([[1., 0.],\n        [0., 1.]]))"),
    ("linalg_svd", lambda: rstorch.linalg.svd(T([[3.]])), ("U", "S", "Vh"),
     "torch.return_types.linalg_svd(\nU=tensor([[1.]]),\nS=tensor([3.]),\nVh=tensor([[1.]]))"),
    ("svd", lambda: rstorch.svd(T([[3.]])), ("U", "S", "V"),
     "torch.return_types.svd(\nU=tensor([[1.]]),\nS=tensor([3.]),\nV=tensor([[1.]]))"),
    ("linalg_lstsq", lambda: rstorch.linalg.lstsq(T([[2.]]), T([[4.]])), ("solution", "residuals", "rank", "singular_values"),
     "torch.return_types.linalg_lstsq(\nsolution=tensor([[2.]]),\nresiduals=tensor([]),\nrank=tensor(1),\n"
     "singular_values=tensor([]))"),
    ("linalg_lu_factor", lambda: rstorch.linalg.lu_factor(T([[1., 2], [3, 4]])), ("LU", "pivots"),
     "torch.return_types.linalg_lu_factor(\nLU=tensor([[3.0000, 4.0000],\n        [0.3333, 0.6667]]),\n"
     "pivots=tensor([2, 2], dtype=rstorch.int32))"),
    ("linalg_lu_factor_ex", lambda: rstorch.linalg.lu_factor_ex(T([[1., 2], [3, 4]])), ("LU", "pivots", "info"),
     "torch.return_types.linalg_lu_factor_ex(\nLU=tensor([[3.0000, 4.0000],\n        [0.3333, 0.6667]]),\n"
     "pivots=tensor([2, 2], dtype=rstorch.int32),\ninfo=tensor(0, dtype=rstorch.int32))"),
    ("lu_unpack", lambda: rstorch.lu_unpack(*rstorch.linalg.lu_factor(T([[1., 2], [3, 4]]))), ("P", "L", "U"),
     "torch.return_types.lu_unpack(\nP=tensor([[0., 1.],\n        [1., 0.]]),\nL=tensor([[1.0000, 0.0000],\n"
     "        [0.3333, 1.0000]]),\nU=tensor([[3.0000, 4.0000],\n        [0.0000, 0.6667]]))"),
    ("linalg_lu", lambda: rstorch.linalg.lu(T([[1., 2], [3, 4]])), ("P", "L", "U"),
     "torch.return_types.linalg_lu(\nP=tensor([[0., 1.],\n        [1., 0.]]),\nL=tensor([[1.0000, 0.0000],\n"
     "        [0.3333, 1.0000]]),\nU=tensor([[3.0000, 4.0000],\n        [0.0000, 0.6667]]))"),
    ("triangular_solve", lambda: rstorch.triangular_solve(T([[2.]]), T([[2.]])), ("solution", "cloned_coefficient"),
     "torch.return_types.triangular_solve(\nsolution=tensor([[1.]]),\ncloned_coefficient=tensor([[2.]]))"),
    ("frexp", lambda: rstorch.frexp(T([8., 0.75])), ("mantissa", "exponent"),
     "torch.return_types.frexp(\nmantissa=tensor([0.5000, 0.7500]),\nexponent=tensor([4, 0], dtype=rstorch.int32))"),
]


def test_every_return_type_is_covered():
    assert sorted(rstorch.return_types.__all__) == sorted(name for name, *_ in CASES)


@pytest.mark.parametrize("name, make, fields, text", CASES, ids=[c[0] for c in CASES])
def test_return_type(name, make, fields, text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # triangular_solve's deprecation
        r = make()
    cls = getattr(rstorch.return_types, name)
    assert type(r) is cls and isinstance(r, tuple)
    assert cls.__name__ == name and cls.__module__ == "rstorch.return_types"
    assert repr(r) == text and str(r) == text
    # fields, indexing, unpacking, len, structseq counts
    n = len(fields)
    assert len(r) == n and cls.n_fields == n and cls.n_sequence_fields == n and cls.n_unnamed_fields == 0
    values = tuple(r)
    for i, f in enumerate(fields):
        assert getattr(r, f) is values[i] is r[i]
    assert r[-1] is values[-1]
    assert r == values and values == r and r[:1] == values[:1]
    with pytest.raises(AttributeError):
        setattr(r, fields[0], None)
    # built from one sequence, as torch's structseqs are
    again = cls(values)
    assert type(again) is cls and again == r
    with pytest.raises(TypeError):
        cls(values[:1])
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
