"""Tensor pickling like torch's: the whole storage of a view with the view's offset and strides,
every dtype, requires_grad (the result a leaf); copy.copy shares the storage; share_memory_()
and is_shared(); the multiprocessing reduction through shared memory."""

import copy
import io
import pickle

import pytest

import rstorch as torch

DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int64, torch.int32, torch.int16,
          torch.int8, torch.uint8, torch.bool]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_round_trip_dtypes(dtype):
    x = (torch.arange(12) % 5).to(dtype).view(3, 4)
    y = pickle.loads(pickle.dumps(x))
    assert y.dtype == dtype and y.shape == x.shape and y.stride() == x.stride()
    assert y.tolist() == x.tolist()
    assert y.data_ptr() != x.data_ptr()


def test_views_keep_offset_strides_and_whole_storage():
    x = torch.arange(24.).view(4, 6)
    for v in (x[1:], x[:, 2:5], x.t(), x[1::2, ::3], x[2, 3]):
        y = pickle.loads(pickle.dumps(v))
        assert (y.shape, y.stride(), y.storage_offset()) == (v.shape, v.stride(), v.storage_offset())
        assert y.tolist() == v.tolist()
        assert y._base is None  # not a view of anything, as in torch
        assert y._storage_nbytes() == x._storage_nbytes()


def test_several_tensors_in_one_pickle():
    x = torch.arange(6.)
    a, b = pickle.loads(pickle.dumps([x, x[1:]]))
    b[0] = 100.0  # torch pickles each tensor's storage on its own: no sharing after loading
    assert a.tolist() == [0., 1., 2., 3., 4., 5.]


def test_requires_grad_and_leaf():
    w = torch.ones(2, requires_grad=True)
    for t in (w, w * 2):
        y = pickle.loads(pickle.dumps(t))
        assert y.requires_grad and y.is_leaf and y.grad_fn is None
        assert y.tolist() == t.tolist()
    assert not pickle.loads(pickle.dumps(torch.ones(2))).requires_grad


def test_copy_shares_storage_deepcopy_does_not():
    x = torch.arange(4.)
    c = copy.copy(x)
    assert c.data_ptr() == x.data_ptr()
    d = copy.deepcopy(x)
    assert d.data_ptr() != x.data_ptr() and d.tolist() == x.tolist()
    w = torch.ones(2, requires_grad=True)
    assert copy.copy(w).requires_grad


def test_empty_meta_scalar_parameter():
    for t in (torch.zeros(0, 3), torch.tensor(3.5), torch.tensor(True), torch.empty(2, 3, device="meta")):
        y = pickle.loads(pickle.dumps(t))
        assert y.shape == t.shape and y.dtype == t.dtype and y.device == t.device
        if not t.is_meta:
            assert y.tolist() == t.tolist()
    p = torch.nn.Parameter(torch.arange(3.))
    q = pickle.loads(pickle.dumps(p))
    assert type(q) is torch.nn.Parameter and q.requires_grad and q.tolist() == [0., 1., 2.]


def test_protocols_and_file():
    x = torch.randn(5, 3)
    for proto in range(2, pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(x, protocol=proto)).tolist() == x.tolist()
    buf = io.BytesIO()
    pickle.dump({"w": x}, buf)
    buf.seek(0)
    assert pickle.load(buf)["w"].tolist() == x.tolist()


def test_share_memory():
    x = torch.arange(6.)
    v = x[2:]
    assert not x.is_shared()
    assert x.share_memory_() is x
    assert x.is_shared() and x.tolist() == [0., 1., 2., 3., 4., 5.]
    ptr = x.data_ptr()
    x.share_memory_()  # already shared: nothing moves
    assert x.data_ptr() == ptr
    x[0] = 7.0
    assert x[0].item() == 7.0
    w = torch.ones(3, requires_grad=True)
    w.share_memory_()
    assert w.is_shared() and w.requires_grad and w.is_leaf
    assert not v.is_shared()  # (torch moves the storage itself; rstorch moves this tensor's)
    assert not torch.empty(2, device="meta").is_shared()


def test_multiprocessing_reduction():
    from multiprocessing.reduction import ForkingPickler
    import rstorch.multiprocessing  # noqa: F401 (registers the reduction)
    w = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="Cowardly refusing to serialize non-leaf tensor which requires_grad"):
        ForkingPickler.dumps(w * 2)
    x = torch.arange(8, dtype=torch.int32)[1::3]
    blob = ForkingPickler.dumps(x)
    assert len(blob) < 400  # a descriptor, not the data
    assert x.is_shared()
