"""wgpu tensors end to end (issue 23, docs/GPU.md): the device model, transfers, factories,
views, the float32 elementwise ops (broadcast, strided, in place, scalar operands) against the
same op on the CPU, errors, and autograd through them.

Runs on any adapter (lavapipe in CI); skips, saying so, only when there is none."""

import numpy as np
import pytest

import rstorch
from rstorch import _wgpu

pytestmark = pytest.mark.skipif(not _wgpu.is_available(),
                                reason=f"no wgpu adapter: {_wgpu.unavailable_reason()}")

TOL = dict(rtol=1e-5, atol=1e-6)


def _cpu(t):
    return np.array(t.cpu().tolist(), dtype=np.float64)


def _rand(*shape, seed=0, positive=False):
    a = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    if positive:
        a = np.abs(a) + 0.1
    return rstorch.tensor(a.tolist())


# ---------------------------------------------------------------------- device model

def test_device_and_round_trip():
    c = _rand(3, 4)
    g = c.to("wgpu")
    assert g.device == rstorch.device("wgpu", 0)
    assert repr(g.device) == "device(type='wgpu', index=0)"
    assert g.is_cuda and not c.is_cuda
    assert g.shape == (3, 4) and g.dtype is rstorch.float32
    back = g.cpu()
    assert back.device.type == "cpu"
    assert back.tolist() == c.tolist()
    assert g.cuda().device == g.device
    assert c.cuda().device.type == "wgpu"
    assert c.to(rstorch.device("cuda")).device.type == "wgpu"


@pytest.mark.parametrize("dtype", ["float32", "int32", "int64", "int16", "uint8", "bool", "float16"])
def test_round_trip_dtypes(dtype):
    dt = getattr(rstorch, dtype)
    vals = [[0, 1, 2, 3, 4], [5, 6, 7, 0, 1]] if dtype != "bool" else [[True, False, True, True, False]] * 2
    c = rstorch.tensor(vals, dtype=dt)
    g = c.to("wgpu")
    assert g.dtype is dt
    assert g.cpu().tolist() == c.tolist()
    # strided reads: the whole storage comes back, the CPU walks the layout
    assert g.t().cpu().tolist() == c.t().tolist()
    assert g[:, 1::2].cpu().tolist() == c[:, 1::2].tolist()


def test_float64_refused():
    with pytest.raises(RuntimeError, match="float64 is not supported on wgpu"):
        rstorch.zeros(3, dtype=rstorch.float64, device="wgpu")
    with pytest.raises(RuntimeError, match="float64"):
        rstorch.ones(2, dtype=rstorch.float64).to("wgpu")


def test_factories():
    assert rstorch.zeros(2, 3, device="wgpu").cpu().tolist() == [[0.0] * 3] * 2
    assert rstorch.ones(4, device="wgpu").cpu().tolist() == [1.0] * 4
    assert rstorch.full((2,), 2.5, device="wgpu").cpu().tolist() == [2.5, 2.5]
    assert rstorch.full((3,), 7, dtype=rstorch.int64, device="wgpu").cpu().tolist() == [7, 7, 7]
    assert rstorch.full((3,), -2, dtype=rstorch.int32, device="wgpu").cpu().tolist() == [-2] * 3
    assert rstorch.tensor([1.0, 2.0], device="wgpu").cpu().tolist() == [1.0, 2.0]
    assert rstorch.arange(5, device="wgpu").cpu().tolist() == [0, 1, 2, 3, 4]
    e = rstorch.empty(2, 2, device="wgpu")
    assert e.device.type == "wgpu" and e.shape == (2, 2)
    rstorch.manual_seed(0)
    r = rstorch.rand(3, device="wgpu")
    rstorch.manual_seed(0)
    assert r.cpu().tolist() == rstorch.rand(3).tolist()
    assert rstorch.zeros(2, device="cuda").device.type == "wgpu"


def test_repr_item_tolist_numpy():
    g = rstorch.tensor([[1.0, 2.0], [3.0, 4.5]]).to("wgpu")
    assert repr(g) == "tensor([[1.0000, 2.0000],\n        [3.0000, 4.5000]], device='wgpu:0')"
    assert g.tolist() == [[1.0, 2.0], [3.0, 4.5]]
    assert g[1, 1].item() == 4.5
    with pytest.raises(TypeError, match="can't convert wgpu:0 device type tensor to numpy. Use Tensor.cpu()"):
        g.numpy()


def test_views_are_metadata():
    c = _rand(2, 3, 4)
    g = c.to("wgpu")
    for f in (lambda t: t.view(6, 4), lambda t: t.transpose(0, 2), lambda t: t.permute(2, 0, 1),
              lambda t: t[:, 1:, ::2], lambda t: t[1], lambda t: t.unsqueeze(0).squeeze(0),
              lambda t: t[:, :1].expand(2, 5, 4), lambda t: t.reshape(4, 6)):
        assert f(g).cpu().tolist() == f(c).tolist()
    t = g.transpose(0, 2)
    assert not t.is_contiguous()
    tc = t.contiguous()
    assert tc.is_contiguous() and tc.device.type == "wgpu"
    assert tc.cpu().tolist() == c.transpose(0, 2).contiguous().tolist()
    assert g.transpose(0, 1).reshape(-1).cpu().tolist() == c.transpose(0, 1).reshape(-1).tolist()


def test_mixed_devices():
    g = rstorch.ones(3, device="wgpu")
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device, but found at least two devices"):
        g + rstorch.ones(3)
    # a 0-dim CPU tensor goes with any device, as in torch
    assert (g + rstorch.tensor(2.0)).cpu().tolist() == [3.0] * 3


def test_unsupported_op():
    g = rstorch.ones(3, device="wgpu")
    with pytest.raises(NotImplementedError, match="'wgpu' backend"):
        g.sin()
    with pytest.raises(NotImplementedError, match="wgpu"):
        g.cumsum(0)
    with pytest.raises(NotImplementedError, match="wgpu"):
        rstorch.ones(3, dtype=rstorch.int32, device="wgpu") + 1


# ---------------------------------------------------------------------- ops vs the CPU

UNARY = ["neg", "abs", "exp", "log", "sqrt", "relu", "sigmoid", "tanh"]
BINARY = [("add", lambda a, b: a + b), ("sub", lambda a, b: a - b), ("mul", lambda a, b: a * b),
          ("div", lambda a, b: a / b), ("maximum", rstorch.maximum), ("minimum", rstorch.minimum),
          ("add_alpha", lambda a, b: rstorch.add(a, b, alpha=2.5)),
          ("sub_alpha", lambda a, b: rstorch.sub(a, b, alpha=-0.5))]


@pytest.mark.parametrize("op", UNARY)
def test_unary(op):
    c = _rand(4, 5, positive=op in ("log", "sqrt"))
    g = c.to("wgpu")
    got = getattr(g, op)()
    assert got.device.type == "wgpu"
    np.testing.assert_allclose(_cpu(got), _cpu(getattr(c, op)()), **TOL)
    # strided input: the output is laid out like it, as on the CPU
    gt = getattr(g.t(), op)()
    ct = getattr(c.t(), op)()
    assert gt.stride() == ct.stride()
    np.testing.assert_allclose(_cpu(gt), _cpu(ct), **TOL)


@pytest.mark.parametrize("name,f", BINARY, ids=[b[0] for b in BINARY])
def test_binary(name, f):
    a, b = _rand(3, 4, seed=1), _rand(3, 4, seed=2, positive=True)
    ga, gb = a.to("wgpu"), b.to("wgpu")
    np.testing.assert_allclose(_cpu(f(ga, gb)), _cpu(f(a, b)), **TOL)
    # broadcast
    r = _rand(4, seed=3, positive=True)
    np.testing.assert_allclose(_cpu(f(ga, r.to("wgpu"))), _cpu(f(a, r)), **TOL)
    col = _rand(3, 1, seed=4, positive=True)
    np.testing.assert_allclose(_cpu(f(col.to("wgpu"), gb)), _cpu(f(col, b)), **TOL)
    # strided operands
    np.testing.assert_allclose(_cpu(f(ga.t(), gb.t())), _cpu(f(a.t(), b.t())), **TOL)
    np.testing.assert_allclose(_cpu(f(ga[:, ::2], gb[:, 1::2])), _cpu(f(a[:, ::2], b[:, 1::2])), **TOL)


@pytest.mark.parametrize("s", [2, -1.5, 0.25])
def test_scalar_operands(s):
    a = _rand(2, 3, seed=5)
    g = a.to("wgpu")
    for f in (lambda t: t + s, lambda t: t * s, lambda t: t - s, lambda t: t / s, lambda t: s - t, lambda t: s * t):
        np.testing.assert_allclose(_cpu(f(g)), _cpu(f(a)), **TOL)


def test_inplace():
    a, b = _rand(3, 4, seed=6), _rand(4, seed=7)
    ga, gb = a.clone().to("wgpu"), b.to("wgpu")
    v0 = ga._version
    ga.add_(gb)
    ga.mul_(2.0)
    ga.sub_(gb, alpha=0.5)
    ga.div_(3.0)
    ga.relu_()
    assert ga._version == v0 + 5
    c = a.clone()
    c.add_(b)
    c.mul_(2.0)
    c.sub_(b, alpha=0.5)
    c.div_(3.0)
    c.relu_()
    np.testing.assert_allclose(_cpu(ga), _cpu(c), **TOL)
    # in place through a strided view writes into the base
    base = rstorch.zeros(3, 4, device="wgpu")
    base[:, 1].add_(1.0)
    base.t()[2].mul_(5.0)
    assert base.cpu().tolist() == [[0.0, 1.0, 0.0, 0.0]] * 3
    base.copy_(a)
    assert base.cpu().tolist() == a.tolist()
    base.fill_(2.0)
    assert base.cpu().tolist() == [[2.0] * 4] * 3
    base[1:].copy_(a[:2].to("wgpu").t().contiguous().t())
    assert base.cpu()[1:].tolist() == a[:2].tolist()


def test_backward_matches_cpu():
    def run(dev):
        x = _rand(3, 4, seed=8).to(dev).requires_grad_()
        w = _rand(3, 4, seed=9).to(dev).requires_grad_()  # a broadcast w needs sum (next step)
        y = ((x * w + 1.0).tanh() - x.sigmoid() * 0.5).exp() / 2.0 + (x * x + 1.0).log()
        y.backward(rstorch.ones(3, 4, device=dev))
        return _cpu(y.detach()), _cpu(x.grad), _cpu(w.grad), x.grad.device.type

    yc, gxc, gwc, _ = run("cpu")
    yg, gxg, gwg, dev = run("wgpu")
    assert dev == "wgpu"
    np.testing.assert_allclose(yg, yc, **TOL)
    np.testing.assert_allclose(gxg, gxc, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(gwg, gwc, rtol=1e-5, atol=1e-5)


def test_relu_backward():
    # relu's rule masks with `gt` (a bool tensor) and multiplies by it (a bool -> float32 cast)
    def run(dev):
        x = _rand(4, 5, seed=11).to(dev).requires_grad_()
        (x.relu() * 3.0).backward(rstorch.ones(4, 5, device=dev))
        return _cpu(x.grad)
    np.testing.assert_array_equal(run("wgpu"), run("cpu"))


def test_to_device_grad_flows_back_to_cpu():
    x = _rand(3, seed=10).requires_grad_()
    y = (x.to("wgpu") * 3.0).cpu()
    y.backward(rstorch.ones(3))
    assert x.grad.tolist() == [3.0] * 3


def test_module_to_wgpu():
    m = rstorch.nn.Linear(3, 2)
    m.to("wgpu")
    assert all(p.device.type == "wgpu" for p in m.parameters())
    assert m.weight.is_leaf and m.weight.requires_grad
    m.cpu()
    assert all(p.device.type == "cpu" for p in m.parameters())


def test_batched_submits():
    rt = _wgpu.runtime()
    a = rstorch.ones(64, device="wgpu")
    b = rstorch.ones(64, device="wgpu")
    rt.synchronize()
    s0 = rt.submits
    c = a
    for _ in range(50):
        c = c + b
    assert rt.submits == s0  # queued, nothing submitted
    assert c[0].item() == 51.0
    assert rt.submits == s0 + 1  # the read-back is the one submit


# ---------------------------------------------------------------------- comparisons, casts, where

def _both(*arrays, seed=0):
    """The same values on the CPU and on wgpu."""
    cs = [rstorch.tensor(a) for a in arrays]
    return cs, [c.to("wgpu") for c in cs]


CMP = ["eq", "ne", "lt", "le", "gt", "ge"]


@pytest.mark.parametrize("op", CMP)
def test_compare_float(op):
    rng = np.random.default_rng(3)
    a = rng.integers(-2, 3, (5, 7)).astype(np.float32)
    a[0, 0] = np.nan
    b = rng.integers(-2, 3, (7,)).astype(np.float32)
    b[3] = np.nan
    (ca, cb), (ga, gb) = _both(a, b)
    f = getattr(rstorch, op)
    for x, y, gx, gy in [(ca, cb, ga, gb), (ca.t()[:5], cb[:5], ga.t()[:5], gb[:5])]:
        want = f(x, y)
        got = f(gx, gy)
        assert got.dtype is rstorch.bool and got.device.type == "wgpu"
        assert got.cpu().tolist() == want.tolist()
        # a Python scalar and a 0-dim operand
        assert f(gx, 1.0).cpu().tolist() == f(x, 1.0).tolist()
        assert getattr(gx, op)(rstorch.tensor(0.5)).cpu().tolist() == getattr(x, op)(rstorch.tensor(0.5)).tolist()


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
def test_compare_integer(dtype):
    dt = getattr(rstorch, dtype)
    rng = np.random.default_rng(4)
    vals = rng.integers(0, 2 if dtype == "bool" else 4, (6, 9))
    c = rstorch.tensor(vals.tolist(), dtype=dt)
    d = rstorch.tensor(np.flip(vals, 1).tolist(), dtype=dt)
    for op in CMP:
        want = getattr(rstorch, op)(c, d)
        got = getattr(rstorch, op)(c.to("wgpu"), d.to("wgpu"))
        assert got.cpu().tolist() == want.tolist(), op
    if dtype == "int64":
        big = rstorch.tensor([2**40, -2**40, -1, 0, 2**33 + 1], dtype=dt)
        other = rstorch.tensor([2**40, 2**40, 0, -1, 1], dtype=dt)
        for op in CMP:
            want = getattr(rstorch, op)(big, other)
            assert getattr(rstorch, op)(big.to("wgpu"), other.to("wgpu")).cpu().tolist() == want.tolist(), op


@pytest.mark.parametrize("src,dst", [("float32", "bool"), ("bool", "float32"), ("float32", "int64"),
                                     ("int64", "float32"), ("int32", "int64"), ("int64", "int32"),
                                     ("uint8", "float32"), ("float32", "int32"), ("int64", "bool"),
                                     ("bool", "int64"), ("int8", "float32"), ("int64", "int64"),
                                     ("bool", "bool")])
def test_casts(src, dst):
    vals = [[0.0, 1.5, -2.75, 3.0, -0.0], [7.9, -7.9, 100.0, 2.0, 1.0]]
    c = rstorch.tensor(vals).to(getattr(rstorch, src)) if src != "uint8" else rstorch.tensor(vals).abs().to(rstorch.uint8)
    g = c.to("wgpu")
    want = c.to(getattr(rstorch, dst))
    got = g.to(getattr(rstorch, dst))
    assert got.dtype is want.dtype and got.device.type == "wgpu"
    assert got.cpu().tolist() == want.tolist()
    assert g.t().to(getattr(rstorch, dst)).cpu().tolist() == c.t().to(getattr(rstorch, dst)).tolist()
    if src == "int64" and dst == "float32":
        big = rstorch.tensor([2**40 + 3, -(2**35), 123456789], dtype=rstorch.int64)
        assert big.to("wgpu").float().cpu().tolist() == big.float().tolist()


def test_where_and_masked_fill():
    a, b = _rand(4, 6, seed=20), _rand(6, seed=21)
    cond = a > 0.1
    ga, gb, gcond = a.to("wgpu"), b.to("wgpu"), cond.to("wgpu")
    assert rstorch.where(gcond, ga, gb).cpu().tolist() == rstorch.where(cond, a, b).tolist()
    assert rstorch.where(gcond, ga, 0.0).cpu().tolist() == rstorch.where(cond, a, 0.0).tolist()
    assert rstorch.where(gcond.t(), 1.0, gb[:4]).cpu().tolist() == rstorch.where(cond.t(), 1.0, b[:4]).tolist()
    ia = rstorch.arange(24).view(4, 6)
    assert rstorch.where(gcond, ia.to("wgpu"), -1).cpu().tolist() == rstorch.where(cond, ia, -1).tolist()
    assert a.to("wgpu").masked_fill(gcond, -5.0).cpu().tolist() == a.masked_fill(cond, -5.0).tolist()
    m = ga.clone()
    m.t().masked_fill_(gcond.t(), 2.0)   # in place through a transposed view
    assert m.cpu().tolist() == a.masked_fill(cond, 2.0).tolist()
    g = ga.clone()
    g.masked_fill_(gb > 0, 0.0)   # the mask broadcasts
    assert g.cpu().tolist() == a.masked_fill(b > 0, 0.0).tolist()


# ---------------------------------------------------------------------- reductions

SHAPES_DIMS = [((7,), None), ((5, 6), None), ((5, 6), 0), ((5, 6), 1), ((5, 6), -1), ((3, 4, 5), (0, 2)),
               ((3, 4, 5), 1), ((2, 300), 1), ((300, 3), 0), ((4, 1, 3), 1), ((2, 3, 4, 5), (1, 3))]


@pytest.mark.parametrize("shape,dim", SHAPES_DIMS)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("op", ["sum", "mean", "amax", "amin"])
def test_reductions(op, shape, dim, keepdim):
    c = _rand(*shape, seed=len(shape) + (dim if isinstance(dim, int) else 0))
    g = c.to("wgpu")
    f = getattr(rstorch, op)
    kw = {} if dim is None else {"dim": dim, "keepdim": keepdim}
    if dim is None and keepdim:
        kw = {"dim": None, "keepdim": True} if op != "amax" and op != "amin" else {"dim": (), "keepdim": True}
    want, got = f(c, **kw), f(g, **kw)
    assert got.device.type == "wgpu" and got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(_cpu(got), _cpu(want), rtol=2e-5, atol=2e-5)
    # strided input: the transposed / sliced view
    if len(shape) >= 2:
        ct, gt = c.transpose(0, -1), g.transpose(0, -1)
        np.testing.assert_allclose(_cpu(f(gt, **kw)), _cpu(f(ct, **kw)), rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize("n", [100_000, 70_001])
def test_long_reductions_split(n):
    # a long reduction into one output runs in two launches (partials, then their fold)
    c = _rand(n, seed=30)
    g = c.to("wgpu")
    want = np.array(c.tolist(), dtype=np.float64)
    np.testing.assert_allclose(g.sum().item(), want.sum(), rtol=1e-4, atol=1e-2)
    np.testing.assert_allclose(g.mean().item(), want.mean(), rtol=1e-4, atol=1e-6)
    assert g.amax().item() == c.amax().item() and g.amin().item() == c.amin().item()
    assert g.argmax().item() == c.argmax().item()
    m = g.view(10, -1) if n % 10 == 0 else g[:70000].view(2, -1)
    cm = c.view(10, -1) if n % 10 == 0 else c[:70000].view(2, -1)
    np.testing.assert_allclose(_cpu(m.sum(1)), _cpu(cm.sum(1)), rtol=1e-4, atol=1e-2)


@pytest.mark.parametrize("shape,dim", [((7,), None), ((5, 6), 0), ((5, 6), 1), ((3, 4, 5), 1), ((3, 4, 5), None),
                                       ((2, 200), 1), ((200, 2), 0)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_argmax_max_dim(shape, dim, keepdim):
    # ties: small integers repeat, the first index wins on both devices
    rng = np.random.default_rng(5)
    c = rstorch.tensor(rng.integers(-3, 4, shape).astype(np.float32))
    g = c.to("wgpu")
    for name in ("argmax", "argmin"):
        want = getattr(rstorch, name)(c, dim=dim, keepdim=keepdim)
        got = getattr(rstorch, name)(g, dim=dim, keepdim=keepdim)
        assert got.dtype is rstorch.int64 and got.shape == want.shape
        assert got.cpu().tolist() == want.tolist(), name
    if dim is not None:
        for name in ("max", "min"):
            wv, wi = getattr(rstorch, name)(c, dim, keepdim)
            gv, gi = getattr(rstorch, name)(g, dim, keepdim)
            assert gv.cpu().tolist() == wv.tolist() and gi.cpu().tolist() == wi.tolist(), name
    assert g.max().item() == c.max().item() and g.min().item() == c.min().item()


def test_reduction_nan_and_empty():
    c = rstorch.tensor([[1.0, float("nan"), 3.0], [4.0, 5.0, -1.0]])
    g = c.to("wgpu")
    for op in ("amax", "amin", "sum", "mean"):
        np.testing.assert_array_equal(_cpu(getattr(g, op)(1)), _cpu(getattr(c, op)(1)))
    assert g.argmax(1).cpu().tolist() == c.argmax(1).tolist() == [1, 1]
    assert g.max(1)[1].cpu().tolist() == c.max(1)[1].tolist()
    e = rstorch.zeros(0, 3, device="wgpu")
    assert e.sum(0).cpu().tolist() == [0.0] * 3
    assert np.isnan(e.mean(0).cpu().tolist()).all()
    with pytest.raises(IndexError, match="Expected reduction dim 0 to have non-zero size"):
        e.amax(0)
    with pytest.raises(NotImplementedError, match="wgpu"):
        rstorch.ones(3, dtype=rstorch.int64, device="wgpu").sum()


def test_reduction_gradients():
    def run(dev):
        x = _rand(4, 6, seed=40).to(dev).requires_grad_()
        y = x.sum(1).tanh().sum() + x.mean(0, keepdim=True).exp().sum() + x.amax(1).sum() * 2 + x.mean()
        y = y + x.max(0)[0].sum() + x.max()
        y.backward()
        return y.item(), _cpu(x.grad)
    yc, gc = run("cpu")
    yg, gg = run("wgpu")
    np.testing.assert_allclose(yg, yc, rtol=1e-5)
    np.testing.assert_allclose(gg, gc, rtol=1e-5, atol=1e-6)


def test_broadcast_backward_reduces():
    # the gradient of a broadcast operand is summed over the broadcast dims (sum_to_size)
    def run(dev):
        x = _rand(3, 4, seed=41).to(dev).requires_grad_()
        b = _rand(4, seed=42).to(dev).requires_grad_()
        ((x * b + b).sigmoid()).sum().backward()
        return _cpu(x.grad), _cpu(b.grad)
    for a, w in zip(run("wgpu"), run("cpu")):
        np.testing.assert_allclose(a, w, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------- matmul, softmax

@pytest.mark.parametrize("m,k,n", [(1, 1, 1), (3, 5, 2), (64, 64, 64), (65, 17, 130), (100, 3, 7), (5, 200, 9)])
def test_mm(m, k, n):
    a, b = _rand(m, k, seed=50), _rand(k, n, seed=51)
    want = np.array(a.tolist(), np.float64) @ np.array(b.tolist(), np.float64)
    ga, gb = a.to("wgpu"), b.to("wgpu")
    np.testing.assert_allclose(_cpu(ga @ gb), want, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(_cpu(rstorch.mm(ga, gb)), want, rtol=1e-4, atol=1e-4)
    # transposed operands are read in place
    np.testing.assert_allclose(_cpu(gb.t() @ ga.t()), want.T, rtol=1e-4, atol=1e-4)


def test_bmm_matmul_linear_addmm():
    a, b = _rand(3, 4, 5, seed=52), _rand(3, 5, 6, seed=53)
    ga, gb = a.to("wgpu"), b.to("wgpu")
    np.testing.assert_allclose(_cpu(rstorch.bmm(ga, gb)), _cpu(rstorch.bmm(a, b)), rtol=1e-5, atol=1e-5)
    # broadcast batch dims, vector operands
    w = _rand(5, 6, seed=54)
    np.testing.assert_allclose(_cpu(ga @ w.to("wgpu")), _cpu(a @ w), rtol=1e-5, atol=1e-5)
    v = _rand(5, seed=55)
    np.testing.assert_allclose(_cpu(ga @ v.to("wgpu")), _cpu(a @ v), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(_cpu(v.to("wgpu") @ v.to("wgpu")), _cpu(v @ v), rtol=1e-5, atol=1e-5)
    c4, d4 = _rand(2, 1, 3, 4, seed=56), _rand(1, 3, 4, 2, seed=57)
    np.testing.assert_allclose(_cpu(c4.to("wgpu") @ d4.to("wgpu")), _cpu(c4 @ d4), rtol=1e-5, atol=1e-5)
    x, W, bias = _rand(8, 5, seed=58), _rand(3, 5, seed=59), _rand(3, seed=60)
    F = rstorch.nn.functional
    np.testing.assert_allclose(_cpu(F.linear(x.to("wgpu"), W.to("wgpu"), bias.to("wgpu"))), _cpu(F.linear(x, W, bias)),
                               rtol=1e-5, atol=1e-5)
    inp = _rand(8, 3, seed=61)
    got = rstorch.addmm(inp.to("wgpu"), x.to("wgpu"), W.t().to("wgpu"), beta=0.5, alpha=2.0)
    np.testing.assert_allclose(_cpu(got), _cpu(rstorch.addmm(inp, x, W.t(), beta=0.5, alpha=2.0)), rtol=1e-5, atol=1e-5)


def test_matmul_gradients():
    def run(dev):
        x = _rand(6, 5, seed=62).to(dev).requires_grad_()
        lin = rstorch.nn.Linear(5, 4)
        with rstorch.no_grad():
            lin.weight.copy_(_rand(4, 5, seed=63))
            lin.bias.copy_(_rand(4, seed=64))
        lin.to(dev)
        b = _rand(2, 4, 3, seed=65).to(dev).requires_grad_()
        y = (lin(x).relu() @ b).sum()
        y.backward()
        return y.item(), _cpu(x.grad), _cpu(lin.weight.grad), _cpu(lin.bias.grad), _cpu(b.grad)
    for got, want in zip(run("wgpu"), run("cpu")):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("shape,dim", [((5,), 0), ((4, 7), 1), ((4, 7), 0), ((3, 4, 5), 1), ((2, 300), -1), ((3, 1), 1)])
@pytest.mark.parametrize("log", [False, True])
def test_softmax(shape, dim, log):
    c = _rand(*shape, seed=70) * 3.0
    g = c.to("wgpu")
    f = rstorch.log_softmax if log else rstorch.softmax
    np.testing.assert_allclose(_cpu(f(g, dim)), _cpu(f(c, dim)), rtol=1e-5, atol=1e-5)
    if len(shape) >= 2:
        np.testing.assert_allclose(_cpu(f(g.transpose(0, -1), dim)), _cpu(f(c.transpose(0, -1), dim)), rtol=1e-5, atol=1e-5)


def test_softmax_extremes_and_gradients():
    c = rstorch.tensor([[1000.0, 0.0, -1000.0], [float("-inf"), 0.0, 1.0], [float("nan"), 1.0, 2.0]])
    g = c.to("wgpu")
    for f in (rstorch.softmax, rstorch.log_softmax):
        np.testing.assert_allclose(_cpu(f(g, 1)), _cpu(f(c, 1)), rtol=1e-5, atol=1e-6)

    def run(dev):
        x = _rand(4, 6, seed=71).to(dev).requires_grad_()
        w = _rand(4, 6, seed=72).to(dev)
        (x.softmax(1) * w).sum().backward(retain_graph=False)
        g1 = _cpu(x.grad)
        x.grad = None
        (x.log_softmax(0) * w).sum().backward()
        return g1, _cpu(x.grad)
    for got, want in zip(run("wgpu"), run("cpu")):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_no_hidden_sync():
    # a forward and backward of reductions, matmul and softmax queue work without submitting
    rt = _wgpu.runtime()
    x = _rand(16, 8, seed=80).to("wgpu").requires_grad_()
    w = _rand(8, 4, seed=81).to("wgpu").requires_grad_()
    rt.synchronize()
    s0 = rt.submits
    y = (x @ w).relu().log_softmax(1)
    loss = (y.amax(1) + y.mean(1)).sum()
    loss.backward()
    assert rt.submits == s0
    assert np.isfinite(loss.item())


# ---------------------------------------------------------------------- cross-entropy, training

def test_cross_entropy_matches_cpu():
    F = rstorch.nn.functional
    x = _rand(6, 5, seed=90) * 2.0
    t = rstorch.tensor([0, 4, 2, 2, 1, 3])
    for kw in ({}, {"reduction": "sum"}, {"reduction": "none"}, {"ignore_index": 2}):
        def run(dev):
            xi = x.to(dev).detach().requires_grad_()
            loss = F.cross_entropy(xi, t.to(dev), **kw)
            loss.backward(rstorch.ones_like(loss))
            return _cpu(loss.detach()), _cpu(xi.grad)
        for got, want in zip(run("wgpu"), run("cpu")):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_cross_entropy_bad_target_raises_index_error():
    F = rstorch.nn.functional
    x = rstorch.zeros(3, 4, device="wgpu")
    loss = F.cross_entropy(x, rstorch.tensor([0, 12, 1], device="wgpu"))
    with pytest.raises(IndexError, match="Target 12 is out of bounds"):
        loss.item()
    # the error was consumed; the device keeps working
    ok = F.cross_entropy(x, rstorch.tensor([0, 3, 1], device="wgpu"))
    np.testing.assert_allclose(ok.item(), np.log(4.0), rtol=1e-6)
    with pytest.raises(IndexError, match="Target -1 is out of bounds"):
        F.cross_entropy(x, rstorch.tensor([0, -1, 1], device="wgpu")).item()


def test_mlp_training_matches_cpu():
    # Linear + ReLU + cross_entropy + SGD (momentum): a few steps on both devices from the same
    # weights and batches end at the same weights and losses
    nn = rstorch.nn

    def run(dev):
        rstorch.manual_seed(0)
        model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 5))
        model.to(dev)
        opt = rstorch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        rng = np.random.default_rng(7)
        xs = rng.standard_normal((2, 24, 20)).astype(np.float32)
        ys = rng.integers(0, 5, (2, 24))
        losses = []
        for i in range(6):
            xb = rstorch.tensor(xs[i % 2]).to(dev)
            yb = rstorch.tensor(ys[i % 2]).to(dev)
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses, [_cpu(p.detach()) for p in model.parameters()]

    lc, pc = run("cpu")
    lg, pg = run("wgpu")
    np.testing.assert_allclose(lg, lc, rtol=1e-4, atol=1e-5)
    assert lc[4] < lc[0] and lc[5] < lc[1]  # the same batches, later: training happened
    for a, b in zip(pg, pc):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-4)


def test_int64_fill_kernel_and_step_without_submits():
    # int64 fills run a kernel (no upload): a training step records without any submit
    v = [0, -3, 2**40 + 5, -(2**35)]
    for x in v:
        assert rstorch.full((5,), x, dtype=rstorch.int64, device="wgpu").cpu().tolist() == [x] * 5
    g = rstorch.zeros(2, 3, dtype=rstorch.int64, device="wgpu")
    g.fill_(-7)
    assert g.cpu().tolist() == [[-7] * 3] * 2
    nn, F = rstorch.nn, rstorch.nn.functional
    rt = _wgpu.runtime()
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3)).to("wgpu")
    opt = rstorch.optim.SGD(model.parameters(), lr=0.1)
    xb, yb = _rand(10, 8, seed=95).to("wgpu"), rstorch.tensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 0]).to("wgpu")
    rt.synchronize()
    s0 = rt.submits
    for _ in range(3):
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    assert rt.submits == s0
    assert np.isfinite(loss.item()) and rt.submits == s0 + 1
