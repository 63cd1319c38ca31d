"""The meta device: tensors with shape, dtype and strides but no data, as torch's `device="meta"`.
Every op of the op tables is also run on meta by tests/test_ops.py (test_meta); this file holds
the device's own semantics. Expected strings are torch 2.x's."""

import resource

import pytest

import rstorch


def meta(*size, **kw):
    return rstorch.empty(*size, device="meta", **kw)


def test_factories_make_meta_tensors():
    for t in [meta(2, 3), rstorch.zeros(2, 3, device="meta"), rstorch.ones(2, 3, device="meta"),
              rstorch.full((2, 3), 7.0, device="meta"), rstorch.empty(2, 3, device=rstorch.device("meta")),
              rstorch.tensor([[1.0, 2, 3], [4, 5, 6]], device="meta"), rstorch.randn(2, 3, device="meta"),
              rstorch.rand(2, 3, device="meta")]:
        assert t.device == rstorch.device("meta") and t.device.type == "meta"
        assert t.is_meta and not t.is_cpu
        assert t.shape == (2, 3) and t.stride() == (3, 1) and t.dtype is rstorch.float32
        assert t.data_ptr() == 0
    assert rstorch.arange(5, device="meta").dtype is rstorch.int64
    assert rstorch.arange(5, device="meta").shape == (5,)
    e = rstorch.empty_strided((2, 3), (1, 2), device="meta")
    assert e.stride() == (1, 2) and e.is_meta
    assert not rstorch.zeros(2).is_meta and rstorch.zeros(2).device.type == "cpu"


def test_like_functions_keep_the_device():
    m = meta(4, 5, dtype=rstorch.float64)
    for f in (rstorch.empty_like, rstorch.zeros_like, rstorch.ones_like):
        r = f(m)
        assert r.is_meta and r.dtype is rstorch.float64 and r.shape == (4, 5)
    assert rstorch.full_like(m, 2.0).is_meta
    assert not rstorch.zeros_like(m, device="cpu").is_meta


def test_meta_tensors_cost_no_memory():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ts = [rstorch.empty(4096, 4096, device="meta") for _ in range(64)]  # 4 GiB if it were real
    ts = [t * 2 + 1 for t in ts] + [t @ t for t in ts[:4]] + [t.sum(0) for t in ts[:4]]
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert after - before < 50_000  # KiB
    assert ts[0].shape == (4096, 4096) and ts[64].shape == (4096, 4096) and ts[-1].shape == (4096,)


def test_printing():
    assert repr(meta(2, 3)) == "tensor(..., device='meta', size=(2, 3))"
    assert repr(meta(0)) == "tensor(..., device='meta', size=(0,))"
    assert repr(rstorch.zeros((), device="meta")) == "tensor(..., device='meta', size=())"
    assert repr(meta(2, dtype=rstorch.int64)) == "tensor(..., device='meta', size=(2,), dtype=rstorch.int64)"
    assert repr(meta(2, requires_grad=True)) == "tensor(..., device='meta', size=(2,), requires_grad=True)"
    assert str(meta(3).device) == "meta" and repr(meta(3).device) == "device(type='meta')"


def test_data_access_errors():
    m = meta(2, 3)
    with pytest.raises(RuntimeError, match=r"^Tensor.item\(\) cannot be called on meta tensors$"):
        meta(1).item()
    copy_out = r"^Cannot copy out of meta tensor; no data! Please use torch.nn.Module.to_empty\(\)"
    with pytest.raises(NotImplementedError, match=copy_out):
        m.cpu()
    with pytest.raises(NotImplementedError, match=copy_out):
        m.to("cpu")
    with pytest.raises(NotImplementedError, match=copy_out):
        m.tolist()
    with pytest.raises(NotImplementedError, match=copy_out):
        rstorch.zeros(2, 3).copy_(m)
    with pytest.raises(TypeError, match=r"^can't convert meta device type tensor to numpy\. Use Tensor\.cpu\(\)"):
        m.numpy()
    with pytest.raises(NotImplementedError, match="'meta' device"):
        rstorch.nonzero(m)


def test_to_meta_keeps_layout_and_shares_nothing():
    x = rstorch.arange(12.0).view(3, 4)
    m = x.t().to("meta")
    assert m.is_meta and m.shape == (4, 3) and m.stride() == (1, 4)
    assert x.to("meta").to("meta").is_meta
    assert m.to(rstorch.float64).dtype is rstorch.float64 and m.to(rstorch.float64).is_meta
    # writing into a meta tensor checks shapes and moves no data
    assert meta(4, 3).copy_(x.t()).is_meta
    with pytest.raises(RuntimeError, match="must match the size"):
        meta(4, 4).copy_(x)


def test_mixing_devices_is_an_error():
    with pytest.raises(RuntimeError, match=r"^Expected all tensors to be on the same device, but found at least "
                                           r"two devices, meta and cpu!$"):
        meta(3) + rstorch.ones(3)
    with pytest.raises(RuntimeError, match="same device"):
        rstorch.ones(3, 3) @ meta(3, 3)
    # a 0-dim CPU tensor and Python numbers go with any device, as in torch
    assert (meta(3) + rstorch.tensor(2.0)).is_meta
    assert (2 * meta(3)).is_meta


def test_ops_give_torch_metadata():
    a, b = meta(2, 1, 4), meta(3, 1, dtype=rstorch.float64)
    r = a + b
    assert r.is_meta and r.shape == (2, 3, 4) and r.dtype is rstorch.float64
    assert (meta(2, 3, dtype=rstorch.int64) / 2).dtype is rstorch.float32
    assert (meta(2, 3) > 0).dtype is rstorch.bool
    v, i = meta(5, 6).max(1)
    assert v.shape == (5,) and i.dtype is rstorch.int64 and v.is_meta and i.is_meta
    assert meta(5, 6).t().contiguous().stride() == (5, 1)
    assert rstorch.cat([meta(2, 3), meta(4, 3)]).shape == (6, 3)
    assert meta(2, 3, 4).permute(2, 0, 1).reshape(4, 6).shape == (4, 6)
    assert rstorch.matmul(meta(7, 2, 3), meta(3, 5)).shape == (7, 2, 5)


def test_inplace_and_random_on_meta():
    m = meta(3, 4)
    assert m.add_(1).is_meta and m.mul_(meta(4)).is_meta and m.zero_().is_meta and m.fill_(2).is_meta
    assert m._version >= 0
    rstorch.manual_seed(0)
    a = rstorch.randn(3)
    rstorch.manual_seed(0)
    meta(100).normal_()  # no data: the CPU generator does not move
    rstorch.randn(100, device="meta")
    assert rstorch.equal(rstorch.randn(3), a)


def test_autograd_on_meta():
    w = meta(3, 4, requires_grad=True)
    y = (w * 2).sum()
    assert y.is_meta and y.grad_fn is not None
    y.backward(rstorch.ones((), device="meta"))
    assert w.grad.is_meta and w.grad.shape == (3, 4)
    x = rstorch.ones(2, requires_grad=True)
    m = x.to("meta")
    assert m.is_meta and type(m.grad_fn).__name__ == "ToCopyBackward0"


def test_value_checks_are_skipped_on_meta():
    # what depends on the data (a singular matrix, q's values) is not known on meta; shapes are
    z = meta(2, 3, 3)
    assert rstorch.linalg.inv(z).shape == (2, 3, 3) and rstorch.linalg.det(z).shape == (2,)
    sign, logabsdet = rstorch.linalg.slogdet(z)
    assert sign.is_meta and logabsdet.shape == (2,)
    x = rstorch.linalg.solve(z, meta(2, 3))
    assert x.is_meta and x.shape == (2, 3) and x.stride() == (3, 1)
    with pytest.raises(RuntimeError, match="must be batches of square matrices"):
        rstorch.linalg.inv(meta(3, 4))
    with pytest.raises(RuntimeError, match="same device"):
        rstorch.linalg.solve(z, rstorch.ones(2, 3))
    q = rstorch.quantile(meta(4, 5, dtype=rstorch.float64), meta(3, dtype=rstorch.float64), dim=1, keepdim=True)
    assert q.is_meta and q.shape == (3, 4, 1)
    with pytest.raises(RuntimeError, match=r"^quantile\(\) q tensor must be on the same device as the input tensor$"):
        rstorch.quantile(meta(4), rstorch.tensor([0.5]))
    with pytest.raises(RuntimeError, match=r"q must be in the range \[0, 1\] but got 1.5"):
        rstorch.quantile(meta(4), 1.5)  # a number is checked anywhere
    r = meta(3, 4).index_add(0, rstorch.tensor([0, 2]).to("meta"), meta(2, 4), alpha=2)
    assert r.is_meta and r.shape == (3, 4)
    assert meta(3, 4).scatter_reduce(0, meta(2, 4, dtype=rstorch.int64), meta(2, 4), "mean").is_meta
    assert meta(3, 4, 5)[meta(2, dtype=rstorch.int64), :, meta(2, dtype=rstorch.int64)].shape == (2, 4)
    # outputs whose shape depends on the data still raise, as torch
    for f in (lambda: meta(3).nonzero(), lambda: meta(3)[meta(3, dtype=rstorch.bool)],
              lambda: meta(3).masked_select(meta(3, dtype=rstorch.bool))):
        with pytest.raises(NotImplementedError):
            f()
