"""Property tests: random chains of view ops agree with numpy.

Each chain starts from ``arange(n).reshape(shape)`` in both rstorch and numpy.
Because the base holds ``0..n-1``, the numpy result's *values* are exactly the
flat storage indices that each element of the view refers to.  That lets us
check, besides values/shapes/strides, the storage offset and the effect of
writing through the rstorch view on the base without needing writable numpy
views (np.diagonal and sliding_window_view are read-only).
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rstorch as lib

SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

shapes = st.lists(st.integers(0, 4), min_size=0, max_size=4).map(tuple)
nonempty_shapes = st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple)


def np_view_reshape(a, shape):
    """Reshape without copy, or None when numpy would need a copy."""
    try:
        return np.reshape(a, shape, copy=False)
    except ValueError:
        return None


def factorizations(data, n, max_dims=4):
    """Draw a random shape with product n (n > 0), possibly using -1."""
    dims = []
    rem = n
    k = data.draw(st.integers(0, max_dims), label="ndims")
    for _ in range(k):
        divs = [d for d in range(1, rem + 1) if rem % d == 0]
        d = data.draw(st.sampled_from(divs), label="factor")
        dims.append(d)
        rem //= d
    if rem != 1 or not dims:
        dims.append(rem)
    dims = data.draw(st.permutations(dims), label="perm")
    if data.draw(st.booleans(), label="use_neg1"):
        i = data.draw(st.integers(0, len(dims) - 1), label="neg1_pos")
        dims = list(dims)
        dims[i] = -1
    return tuple(dims)


class Chain:
    """Applies one random op to (rstorch tensor, numpy array) in lockstep."""

    def __init__(self, data, t, a):
        self.data = data
        self.t = t
        self.a = a
        # False once an op (reshape/flatten) may have produced a copy.
        self.is_view = True
        self.log = []

    def draw(self, strat, label):
        return self.data.draw(strat, label=label)

    def dim_of(self, allow_empty=True):
        nd = self.a.ndim
        if nd == 0:
            return None
        return self.draw(st.integers(-nd, nd - 1), "dim")

    # ---- ops ---------------------------------------------------------------
    def op_permute(self):
        nd = self.a.ndim
        perm = tuple(self.draw(st.permutations(range(nd)), "perm"))
        if nd and self.draw(st.booleans(), "negperm"):
            perm = tuple(p - nd for p in perm)
        self.log.append(f"permute{perm}")
        return self.t.permute(*perm) if perm else self.t.permute(()), np.transpose(self.a, perm)

    def op_transpose(self):
        d0, d1 = self.dim_of(), self.dim_of()
        if d0 is None:
            return None
        self.log.append(f"transpose({d0},{d1})")
        return self.t.transpose(d0, d1), np.swapaxes(self.a, d0, d1)

    def op_slice(self):
        d = self.dim_of()
        if d is None:
            return None
        n = self.a.shape[d]
        lo = self.draw(st.none() | st.integers(-n - 2, n + 2), "lo")
        hi = self.draw(st.none() | st.integers(-n - 2, n + 2), "hi")
        step = self.draw(st.none() | st.integers(1, 3), "step")
        nd = self.a.ndim
        idx = (slice(None),) * (d % nd) + (slice(lo, hi, step),)
        self.log.append(f"[{idx}]")
        return self.t[idx], self.a[idx]

    def op_select(self):
        d = self.dim_of()
        if d is None or self.a.shape[d] == 0:
            return None
        n = self.a.shape[d]
        i = self.draw(st.integers(-n, n - 1), "index")
        if self.draw(st.booleans(), "via_getitem"):
            idx = (slice(None),) * (d % self.a.ndim) + (i,)
            self.log.append(f"[{idx}]")
            return self.t[idx], self.a[idx]
        self.log.append(f"select({d},{i})")
        return self.t.select(d, i), self.a[(slice(None),) * (d % self.a.ndim) + (i,)]

    def op_unsqueeze(self):
        nd = self.a.ndim
        if nd >= 6:
            return None
        d = self.draw(st.integers(-nd - 1, nd), "udim")
        self.log.append(f"unsqueeze({d})")
        return self.t.unsqueeze(d), np.expand_dims(self.a, d)

    def op_squeeze(self):
        if self.a.ndim and self.draw(st.booleans(), "with_dim"):
            d = self.dim_of()
            self.log.append(f"squeeze({d})")
            exp = np.squeeze(self.a, d) if self.a.shape[d] == 1 else self.a
            return self.t.squeeze(d), exp
        self.log.append("squeeze()")
        return self.t.squeeze(), np.squeeze(self.a)

    def op_expand(self):
        nd = self.a.ndim
        if nd >= 5:
            return None
        lead = self.draw(st.lists(st.integers(0, 3), max_size=2), "lead")
        tail = []
        for s in self.a.shape:
            if s == 1:
                tail.append(self.draw(st.sampled_from([1, 2, 3, -1]), "grow"))
            else:
                tail.append(self.draw(st.sampled_from([s, -1]), "keep"))
        new = tuple(lead) + tuple(tail)
        np_shape = tuple(lead) + tuple(s if e == -1 else e for s, e in zip(self.a.shape, tail))
        self.log.append(f"expand{new}")
        if self.draw(st.booleans(), "as_method"):
            r = self.t.expand(*new) if new else self.t.expand(())
        else:
            r = lib.broadcast_to(self.t, np_shape)
        return r, np.broadcast_to(self.a, np_shape)

    def op_reshape(self):
        n = self.a.size
        if n == 0:
            return None
        shape = factorizations(self.data, n)
        np_shape = tuple(n // -np.prod(shape) if s == -1 else s for s in shape) if -1 in shape else shape
        nocopy = np_view_reshape(self.a, np_shape)
        use_view = self.draw(st.booleans(), "use_view")
        if use_view:
            self.log.append(f"view{shape}")
            if nocopy is None:
                with pytest.raises(RuntimeError, match="view size is not compatible"):
                    self.t.view(*shape)
                return None
            return self.t.view(*shape), nocopy
        self.log.append(f"reshape{shape}")
        if nocopy is None:
            self.is_view = False
            return self.t.reshape(shape), np.reshape(self.a, np_shape).copy()
        return self.t.reshape(shape), nocopy

    def op_flatten(self):
        nd = self.a.ndim
        if nd == 0:
            self.log.append("flatten()")
            return self.t.flatten(), self.a.reshape(1)
        s = self.draw(st.integers(0, nd - 1), "start")
        e = self.draw(st.integers(s, nd - 1), "end")
        new = self.a.shape[:s] + (int(np.prod(self.a.shape[s : e + 1])),) + self.a.shape[e + 1 :]
        if s == e:
            r = self.a
        else:
            r = np_view_reshape(self.a, new)
            if r is None:
                if self.a.size == 0:
                    return None  # torch/numpy view rules diverge for empty tensors
                self.is_view = False
                r = self.a.reshape(new).copy()
        self.log.append(f"flatten({s},{e})")
        return self.t.flatten(s, e), r

    def op_narrow(self):
        d = self.dim_of()
        if d is None:
            return None
        n = self.a.shape[d]
        start = self.draw(st.integers(-n, n), "start")
        s0 = start + n if start < 0 else start
        length = self.draw(st.integers(0, n - s0), "length")
        nd = self.a.ndim
        self.log.append(f"narrow({d},{start},{length})")
        return self.t.narrow(d, start, length), self.a[(slice(None),) * (d % nd) + (slice(s0, s0 + length),)]

    def op_diagonal(self):
        nd = self.a.ndim
        if nd < 2:
            return None
        d1 = self.draw(st.integers(-nd, nd - 1), "d1")
        d2 = self.draw(st.integers(-nd, nd - 1).filter(lambda x: x % nd != d1 % nd), "d2")
        off = self.draw(st.integers(-4, 4), "offset")
        self.log.append(f"diagonal({off},{d1},{d2})")
        return self.t.diagonal(off, d1, d2), np.diagonal(self.a, off, d1, d2)

    def op_unfold(self):
        nd = self.a.ndim
        if nd == 0:
            return None
        d = self.dim_of()
        n = self.a.shape[d]
        size = self.draw(st.integers(0, n), "size")
        step = self.draw(st.integers(1, 3), "step")
        w = np.lib.stride_tricks.sliding_window_view(self.a, size, axis=d)
        w = w[(slice(None),) * (d % nd) + (slice(None, None, step),)]
        self.log.append(f"unfold({d},{size},{step})")
        return self.t.unfold(d, size, step), w

    def op_movedim(self):
        nd = self.a.ndim
        if nd == 0:
            return None
        k = self.draw(st.integers(1, nd), "k")
        src = self.draw(st.permutations(range(nd)), "src")[:k]
        dst = self.draw(st.permutations(range(nd)), "dst")[:k]
        if k == 1 and self.draw(st.booleans(), "scalar"):
            src, dst = src[0], dst[0]
        else:
            src, dst = tuple(src), tuple(dst)
        self.log.append(f"movedim({src},{dst})")
        return self.t.movedim(src, dst), np.moveaxis(self.a, src, dst)

    OPS = [
        "permute", "transpose", "slice", "select", "unsqueeze", "squeeze", "expand",
        "reshape", "flatten", "narrow", "diagonal", "unfold", "movedim",
    ]

    def step(self):
        name = self.draw(st.sampled_from(self.OPS), "op")
        res = getattr(self, "op_" + name)()
        if res is None:
            return
        self.t, self.a = res
        check_same(self.t, self.a, self.is_view, self.log)


def check_same(t, a, is_view, log):
    msg = " -> ".join(log)
    assert tuple(t.shape) == a.shape, msg
    assert t.dim() == a.ndim, msg
    assert t.numel() == a.size, msg
    np.testing.assert_array_equal(t.numpy(), a, err_msg=msg)
    if is_view and a.size > 0:  # strides of empty tensors are meaningless
        st_t = t.stride()
        st_a = tuple(s // a.itemsize for s in a.strides)
        for i, n in enumerate(a.shape):
            if n > 1:
                assert st_t[i] == st_a[i], (msg, st_t, st_a)
        assert t.storage_offset() == a[(0,) * a.ndim], msg


def check_write(base_t, base_np_vals, v, a, is_view, log, data):
    """Write through v; base must change where (and only where) the view points."""
    msg = " -> ".join(log)
    expected = base_np_vals.copy().ravel()
    overlapping = len(np.unique(a)) != a.size
    if data.draw(st.booleans(), label="use_fill") or overlapping:
        v.fill_(-1)
        if is_view:
            expected[a.ravel()] = -1
        np.testing.assert_array_equal(v.numpy(), np.full(a.shape, -1), err_msg=msg)
    else:
        src = np.asarray(-1 - np.arange(a.size, dtype=np.int64)).reshape(a.shape)
        v.copy_(lib.from_numpy(src.copy()))
        if is_view:
            expected[a.ravel()] = src.ravel()
        np.testing.assert_array_equal(v.numpy(), src, err_msg=msg)
    np.testing.assert_array_equal(base_t.numpy().ravel(), expected, err_msg=msg)


@SETTINGS
@given(shape=shapes, data=st.data())
def test_view_chains(shape, data):
    n = int(np.prod(shape))
    base = lib.arange(n).reshape(shape)
    base_np = np.arange(n).reshape(shape)
    c = Chain(data, base, base_np)
    for _ in range(data.draw(st.integers(1, 5), label="chain_len")):
        c.step()
    check_write(base, base_np, c.t, c.a, c.is_view, c.log, data)


@SETTINGS
@given(shape=nonempty_shapes, data=st.data())
def test_view_chains_nonempty(shape, data):
    """Same as above, biased to non-empty tensors so writes are exercised."""
    n = int(np.prod(shape))
    base = lib.arange(n).reshape(shape)
    base_np = np.arange(n).reshape(shape)
    c = Chain(data, base, base_np)
    for _ in range(data.draw(st.integers(1, 5), label="chain_len")):
        c.step()
    if c.is_view and hasattr(base, "_storage_ptr"):
        assert c.t._storage_ptr() == base._storage_ptr(), " -> ".join(c.log)
    check_write(base, base_np, c.t, c.a, c.is_view, c.log, data)


@SETTINGS
@given(shape=nonempty_shapes, data=st.data())
def test_view_matches_nocopy_reshape(shape, data):
    """view(shape) succeeds exactly when numpy can reshape without a copy."""
    n = int(np.prod(shape))
    t = lib.arange(n).reshape(shape)
    a = np.arange(n).reshape(shape)
    nd = len(shape)
    perm = tuple(data.draw(st.permutations(range(nd)), label="perm"))
    t, a = t.permute(*perm), np.transpose(a, perm)
    d = data.draw(st.integers(0, nd - 1), label="d")
    step = data.draw(st.integers(1, 2), label="step")
    idx = (slice(None),) * d + (slice(None, None, step),)
    t, a = t[idx], a[idx]
    if a.size == 0:
        return
    new = factorizations(data, a.size)
    np_new = tuple(a.size // -int(np.prod(new)) if s == -1 else s for s in new) if -1 in new else new
    nocopy = np_view_reshape(a, np_new)
    if nocopy is None:
        with pytest.raises(RuntimeError, match="view size is not compatible"):
            t.view(new)
        r = t.reshape(new)
        np.testing.assert_array_equal(r.numpy(), a.reshape(np_new))
        r.fill_(-5)  # a copy: must not touch t
        np.testing.assert_array_equal(t.numpy(), a)
    else:
        v = t.view(new)
        check_same(v, nocopy, True, [f"view{new}"])
        v.fill_(-7)
        np.testing.assert_array_equal(t.numpy(), np.full(a.shape, -7))


def test_copy_into_view_broadcast_errors():
    # torch's messages: a source broadcasting to a larger shape than the destination, and
    # shapes that do not broadcast (also when the value tracks grad: the in-place autograd path)
    with pytest.raises(RuntimeError, match=r"^output with shape \[\] doesn't match the broadcast shape \[1\]$"):
        lib.zeros(3)[0].copy_(lib.ones(1))
    with pytest.raises(RuntimeError, match=r"^output with shape \[\] doesn't match the broadcast shape \[1\]$"):
        lib.zeros(3)[0].copy_(lib.ones(1, requires_grad=True) * 2)
    with pytest.raises(RuntimeError, match=r"^output with shape \[3\] doesn't match the broadcast shape \[2, 3\]$"):
        lib.zeros(3).copy_(lib.ones(2, 3))
    with pytest.raises(RuntimeError, match="The size of tensor a \\(3\\) must match the size of tensor b \\(2\\)"):
        lib.zeros(3).copy_(lib.ones(2))


# ------------------------------------------------------------------ writes into expanded views

OVERLAP = ("unsupported operation: more than one element of the written-to tensor refers to a single "
           "memory location. Please clone() the tensor before performing the operation.")


def _expanded():
    return lib.zeros(1).expand(3)  # three elements, one memory location


@pytest.mark.parametrize("write", [
    lambda x: x.add_(1), lambda x: x.mul_(2), lambda x: x.neg_(), lambda x: x.exp_(),
    lambda x: x.clamp_(0, 1), lambda x: x.copy_(lib.ones(3)), lambda x: x.copy_(lib.ones(1)),
    lambda x: x.div_(2, rounding_mode="floor"), lambda x: x.addcmul_(lib.ones(3), lib.ones(3)),
    lambda x: x.uniform_(), lambda x: x.cumsum_(0),
    lambda x: lib.add(lib.ones(3), 1, out=x), lambda x: lib.exp(lib.ones(3), out=x),
    lambda x: lib.where(lib.tensor([True, False, True]), lib.ones(3), lib.zeros(3), out=x),
    lambda x: x.scatter_(0, lib.tensor([0]), lib.tensor([1.])),
    lambda x: x.scatter_add_(0, lib.tensor([0]), lib.tensor([1.])),
    lambda x: x.index_copy_(0, lib.tensor([0]), lib.tensor([1.])),
    lambda x: x.index_add_(0, lib.tensor([0]), lib.tensor([1.])),
    lambda x: x.put_(lib.tensor([0]), lib.tensor([1.])),
    lambda x: x.masked_scatter_(lib.tensor([True, False, True]), lib.ones(3)),
    lambda x: lib.zeros(3, 1).expand(3, 4).add_(1),
])
def test_writes_into_expanded_views_raise(write):  # torch
    x = _expanded()
    with pytest.raises(RuntimeError) as e:
        write(x)
    assert str(e.value) == OVERLAP
    assert x.tolist() == [0.0, 0.0, 0.0]


def test_writes_torch_allows_into_expanded_views():  # torch
    # fill-like ops skip the check (every element gets the same value), and so do a size-1
    # expansion, an empty tensor, and copying a tensor onto itself
    assert _expanded().fill_(2).tolist() == [2.0] * 3
    assert _expanded().zero_().tolist() == [0.0] * 3
    assert _expanded().masked_fill_(lib.tensor([True, False, True]), 1.).tolist() == [1.0] * 3
    assert _expanded().index_fill_(0, lib.tensor([0]), 1.).tolist() == [1.0] * 3
    assert _expanded().index_put_((lib.tensor([0]),), lib.tensor([1.])).tolist() == [1.0] * 3
    x = _expanded()
    x[1] = 4.
    assert x.tolist() == [4.0] * 3
    assert lib.zeros(1).expand(1).add_(1).tolist() == [1.0]
    assert lib.zeros(1, 0).expand(3, 0).add_(1).shape == (3, 0)
    x = _expanded()
    assert x.copy_(x) is x
    # out-of-place forms of the same ops work on a copy
    assert _expanded().add(1).tolist() == [1.0] * 3
    assert _expanded().scatter(0, lib.tensor([0]), lib.tensor([1.])).tolist() == [1.0, 0.0, 0.0]


def test_clone_and_to_preserve_layout():  # torch's preserve_format (strides from torch 2.15)
    t = lib.arange(10).reshape(2, 5).t()
    assert t.clone().stride() == (1, 5) and not t.clone().is_contiguous()
    assert t.to(lib.float64).stride() == (1, 5) and t.float().stride() == (1, 5)
    assert t.clone(memory_format=lib.contiguous_format).stride() == (2, 1)
    assert t[::2].clone().stride() == (1, 3)          # gaps: dense strides in the input's order
    assert lib.ones(3).expand(2, 3).clone().stride() == (3, 1)
    assert lib.zeros(4, 1, 3).permute(2, 1, 0).clone().stride() == (1, 3, 3)
    assert lib.empty_strided((6, 5, 4, 3, 2), (6, 0, 120, 0, 1)).clone().stride() == (6, 36, 180, 2, 1)
    p = lib.arange(24.).reshape(2, 3, 4).permute(2, 0, 1)
    assert p.clone().tolist() == p.tolist() and p.double().tolist() == p.tolist()
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        t.clone().view(-1)
    assert repr(lib.contiguous_format) == "torch.contiguous_format"
