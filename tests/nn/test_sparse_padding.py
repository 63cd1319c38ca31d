"""Embedding, EmbeddingBag, one_hot, F.pad and the padding modules, pixel/channel shuffle,
cosine similarity, pairwise distance and normalize: against numpy float64, with
gradcheck/gradgradcheck and shape grids."""

import itertools

import numpy as np
import pytest

import rstorch
import rstorch.nn as nn
import rstorch.nn.functional as F
from rstorch.autograd import gradcheck, gradgradcheck


def randn(*shape, seed=0, requires_grad=False):
    g = rstorch.Generator().manual_seed(seed)
    return rstorch.randn(*shape, dtype=rstorch.float64, generator=g).requires_grad_(requires_grad)


def close(out, ref, rtol=1e-12, atol=1e-12):
    ref = np.asarray(ref)
    assert tuple(out.shape) == ref.shape, (tuple(out.shape), ref.shape)
    np.testing.assert_allclose(out.detach().numpy(), ref, rtol=rtol, atol=atol)


# ---------------------------------------------------------------------- embedding

def test_embedding_lookup_and_gradient():
    w = randn(6, 3, seed=1, requires_grad=True)
    idx = rstorch.tensor([[0, 2, 2], [5, 1, 2]])
    out = F.embedding(idx, w)
    close(out, w.detach().numpy()[idx.numpy()])
    out.sum().backward()
    close(w.grad, np.bincount(idx.numpy().ravel(), minlength=6)[:, None] * np.ones((1, 3)))
    assert gradcheck(lambda w: F.embedding(idx, w), (w,))
    assert gradgradcheck(lambda w: F.embedding(idx, w), (w,))
    assert F.embedding(rstorch.tensor(3), w).shape == (3,)
    assert F.embedding(rstorch.zeros(0, 4, dtype=rstorch.long), w).shape == (0, 4, 3)
    assert F.embedding(idx.int(), w).shape == (2, 3, 3)


def test_embedding_padding_and_frequency():
    idx = rstorch.tensor([[0, 2, 2], [5, 1, 2]])
    counts = np.bincount(idx.numpy().ravel(), minlength=6).astype(float)
    for padding_idx, freq in itertools.product([None, 2, -4], [False, True]):
        w = randn(6, 3, seed=2, requires_grad=True)
        F.embedding(idx, w, padding_idx=padding_idx, scale_grad_by_freq=freq).sum().backward()
        ref = counts.copy()
        if freq:
            ref = (counts > 0).astype(float)
        if padding_idx is not None:
            ref[padding_idx % 6] = 0
        close(w.grad, ref[:, None] * np.ones((1, 3)))
    w = randn(6, 3, seed=3, requires_grad=True)
    fn = (lambda w: F.embedding(idx, w, scale_grad_by_freq=True))
    assert gradgradcheck(fn, (w,))


def test_embedding_max_norm():
    w = randn(5, 4, seed=4) * 3
    before = w.clone()
    idx = rstorch.tensor([1, 3, 3])
    out = F.embedding(idx, w, max_norm=1.0)
    norms = np.linalg.norm(before.numpy(), axis=1)
    for r in range(5):
        if r in (1, 3) and norms[r] > 1.0:
            close(w[r], before[r].numpy() / (norms[r] + 1e-7), rtol=1e-10)
        else:
            close(w[r], before[r].numpy())
    close(out, w.numpy()[[1, 3, 3]])
    w1 = randn(5, 4, seed=5) * 3
    F.embedding(idx, w1, max_norm=2.0, norm_type=1.0)
    assert np.abs(w1[1].numpy()).sum() == pytest.approx(2.0, rel=1e-6)


def test_embedding_module():
    rstorch.manual_seed(0)
    e = nn.Embedding(10, 4, padding_idx=3)
    assert list(e.state_dict()) == ["weight"] and e.weight.shape == (10, 4)
    assert e.weight[3].tolist() == [0.0] * 4 and e.padding_idx == 3
    assert nn.Embedding(10, 4, padding_idx=-1).padding_idx == 9
    out = e(rstorch.tensor([[3, 1]]))
    out.sum().backward()
    assert e.weight.grad[3].tolist() == [0.0] * 4 and e.weight.grad[1].tolist() == [1.0] * 4
    w = randn(4, 2, seed=6)
    pre = nn.Embedding.from_pretrained(w)
    assert pre.weight.requires_grad is False and rstorch.equal(pre.weight, w)
    assert nn.Embedding.from_pretrained(w, freeze=False).weight.requires_grad
    with pytest.raises(NotImplementedError, match="sparse=True"):
        nn.Embedding(3, 2, sparse=True)(rstorch.tensor([1]))
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(3, 2, padding_idx=3)
    with pytest.raises(IndexError, match="index out of range in self"):
        e(rstorch.tensor([10]))


def _bag_ref(w, inp, offsets, mode, psw=None, padding_idx=None, last=False):
    offs = list(offsets) + ([] if last else [len(inp)])
    out = []
    for a, b in zip(offs[:-1], offs[1:]):
        rows = [w[i] * (1 if psw is None else psw[j]) for j, i in enumerate(inp[a:b], start=a) if i != padding_idx]
        if not rows:
            out.append(np.zeros(w.shape[1]))
        elif mode == "sum":
            out.append(np.sum(rows, 0))
        elif mode == "mean":
            out.append(np.mean(rows, 0))
        else:
            out.append(np.max(rows, 0))
    return np.array(out)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_bag(mode, padding_idx):
    w = randn(6, 3, seed=7, requires_grad=True)
    inp = rstorch.tensor([1, 2, 4, 5, 4, 3, 2, 0])
    offsets = rstorch.tensor([0, 3, 3, 6])
    wn = w.detach().numpy()
    close(F.embedding_bag(inp, w, offsets, mode=mode, padding_idx=padding_idx),
          _bag_ref(wn, inp.tolist(), offsets.tolist(), mode, padding_idx=padding_idx))
    close(F.embedding_bag(inp.view(2, 4), w, mode=mode, padding_idx=padding_idx),
          _bag_ref(wn, inp.tolist(), [0, 4], mode, padding_idx=padding_idx))
    close(F.embedding_bag(inp, w, rstorch.tensor([0, 2, 8]), mode=mode, include_last_offset=True),
          _bag_ref(wn, inp.tolist(), [0, 2, 8], mode, last=True))
    assert gradcheck(lambda w: F.embedding_bag(inp, w, offsets, mode=mode, padding_idx=padding_idx), (w,))
    bag = nn.EmbeddingBag(6, 3, mode=mode, padding_idx=padding_idx, _weight=w.detach())
    close(bag(inp, offsets), F.embedding_bag(inp, w, offsets, mode=mode, padding_idx=padding_idx).detach().numpy())


def test_embedding_bag_per_sample_weights():
    w = randn(6, 3, seed=8, requires_grad=True)
    psw = randn(8, seed=9, requires_grad=True)
    inp, offsets = rstorch.tensor([1, 2, 4, 5, 4, 3, 2, 0]), rstorch.tensor([0, 5])
    close(F.embedding_bag(inp, w, offsets, mode="sum", per_sample_weights=psw),
          _bag_ref(w.detach().numpy(), inp.tolist(), [0, 5], "sum", psw.detach().numpy()))
    assert gradcheck(lambda w, p: F.embedding_bag(inp, w, offsets, mode="sum", per_sample_weights=p), (w, psw))
    with pytest.raises(NotImplementedError, match="per_sample_weights is only supported for mode='sum'"):
        F.embedding_bag(inp, w, offsets, per_sample_weights=psw)


def test_one_hot():
    t = rstorch.tensor([[0, 3], [1, 1]])
    out = F.one_hot(t)
    assert out.dtype is rstorch.int64 and out.shape == (2, 2, 4)
    np.testing.assert_array_equal(out.numpy(), np.eye(4, dtype=np.int64)[t.numpy()])
    assert F.one_hot(t, 6).shape == (2, 2, 6)
    assert F.one_hot(rstorch.tensor([], dtype=rstorch.long), 3).shape == (0, 3)
    with pytest.raises(RuntimeError, match="Class values must be smaller than num_classes."):
        F.one_hot(t, 3)
    with pytest.raises(RuntimeError, match="one_hot is only applicable to index tensor of type LongTensor."):
        F.one_hot(t.int())


# ---------------------------------------------------------------------- padding

NP_MODE = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _np_pad(x, pad, mode, value=0.0):
    """numpy's pad for non-negative pads (torch's pad list runs from the last dim)."""
    k = len(pad) // 2
    widths = [(0, 0)] * (x.ndim - k) + [(pad[2 * i], pad[2 * i + 1]) for i in reversed(range(k))]
    if mode == "constant":
        return np.pad(x, widths, mode="constant", constant_values=value)
    return np.pad(x, widths, mode=NP_MODE[mode])


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape,pad", [((2, 3, 5), (2, 1)), ((3, 5), (0, 4)), ((1, 2, 4, 5), (1, 2, 3, 0)),
                                       ((2, 4, 5), (2, 2, 1, 1)), ((1, 2, 3, 4, 5), (1, 0, 2, 1, 1, 2)),
                                       ((2, 3, 4, 5), (3, 1, 0, 2, 2, 1))])
def test_pad_matches_numpy(mode, shape, pad):
    x = randn(*shape, seed=10, requires_grad=True)
    close(F.pad(x, pad, mode=mode), _np_pad(x.detach().numpy(), pad, mode))
    big = x.numel() > 40
    assert gradcheck(lambda x: F.pad(x, pad, mode=mode), (x,), fast_mode=big)
    if not big:
        assert gradgradcheck(lambda x: F.pad(x, pad, mode=mode), (x,))


def test_pad_negative_and_constant():
    x = randn(2, 3, 6, seed=11)
    close(F.pad(x, (-1, -2)), x.numpy()[..., 1:4])
    close(F.pad(x, (-1, 2), value=7.0), np.pad(x.numpy()[..., 1:], ((0, 0), (0, 0), (0, 2)), constant_values=7.0))
    close(F.pad(x, (1, 1, -1, 0, 2, 0)), np.pad(x.numpy()[:, 1:], ((2, 0), (0, 0), (1, 1))))
    close(F.pad(x, (-2, 1), mode="reflect"), np.pad(x.numpy(), ((0, 0), (0, 0), (0, 1)), mode="reflect")[..., 2:])
    close(F.pad(x, (-2, 1), mode="replicate"), np.pad(x.numpy(), ((0, 0), (0, 0), (0, 1)), mode="edge")[..., 2:])
    # circular: negative pads crop first, the positive ones wrap around what is left
    close(F.pad(x, (-1, 3), mode="circular"), np.pad(x.numpy()[..., 1:], ((0, 0), (0, 0), (0, 3)), mode="wrap"))
    assert F.pad(x, ()).data_ptr() != x.data_ptr()
    assert F.pad(rstorch.tensor([1, 2]), (1, 1), value=2.5).tolist() == [2, 1, 2, 2]


def test_pad_errors():
    x = rstorch.randn(1, 2, 4)
    with pytest.raises(RuntimeError, match="Padding length must be divisible by 2"):
        F.pad(x, (1,))
    with pytest.raises(NotImplementedError, match="Unrecognised padding mode foo"):
        F.pad(x, (1, 1), mode="foo")
    with pytest.raises(RuntimeError, match="Padding size should be less than the corresponding input dimension"):
        F.pad(x, (4, 0), mode="reflect")
    with pytest.raises(RuntimeError, match="Padding value causes wrapping around more than once."):
        F.pad(x, (5, 0), mode="circular")
    with pytest.raises(NotImplementedError, match="Padding size 2 is not supported for 1D input tensor."):
        F.pad(rstorch.randn(4), (1, 1), mode="replicate")
    with pytest.raises(TypeError, match="must be tuple of ints, but found element of type float at pos 0"):
        F.pad(x, (1.5, 1))


PAD_MODULES = [(nn.ZeroPad1d, 2, "constant", 1), (nn.ZeroPad2d, (1, 0, 2, 1), "constant", 2),
               (nn.ZeroPad3d, 1, "constant", 3), (nn.ReflectionPad1d, (2, 1), "reflect", 1),
               (nn.ReflectionPad2d, 1, "reflect", 2), (nn.ReflectionPad3d, 1, "reflect", 3),
               (nn.ReplicationPad1d, 3, "replicate", 1), (nn.ReplicationPad2d, (1, 2, 0, 1), "replicate", 2),
               (nn.ReplicationPad3d, (1, 2, 0, 1, 2, 0), "replicate", 3), (nn.CircularPad1d, 2, "circular", 1),
               (nn.CircularPad2d, (1, 2, 3, 0), "circular", 2), (nn.CircularPad3d, 1, "circular", 3)]


@pytest.mark.parametrize("cls,padding,mode,k", PAD_MODULES, ids=[c.__name__ for c, *_ in PAD_MODULES])
def test_pad_modules(cls, padding, mode, k):
    m = cls(padding)
    pad = tuple(padding) if isinstance(padding, tuple) else (padding,) * (2 * k)
    assert m.padding == pad
    for batched in (True, False):
        shape = ((2,) if batched else ()) + (3,) + (4, 5, 6)[:k]
        x = randn(*shape, seed=12)
        close(m(x), _np_pad(x.numpy(), pad, mode))
    assert list(m.state_dict()) == []
    c = nn.ConstantPad2d((1, 0, 0, 1), 3.5)
    close(c(randn(1, 2, 3, seed=13)), _np_pad(randn(1, 2, 3, seed=13).numpy(), (1, 0, 0, 1), "constant", 3.5))


# ---------------------------------------------------------------------- shuffles, distances

def test_pixel_shuffle():
    x = randn(2, 8, 3, 2, seed=14, requires_grad=True)
    ref = x.detach().numpy().reshape(2, 2, 2, 2, 3, 2).transpose(0, 1, 4, 2, 5, 3).reshape(2, 2, 6, 4)
    close(F.pixel_shuffle(x, 2), ref)
    close(nn.PixelShuffle(2)(x), ref)
    close(F.pixel_unshuffle(F.pixel_shuffle(x, 2), 2), x.detach().numpy())
    close(nn.PixelUnshuffle(2)(rstorch.from_numpy(ref)), x.detach().numpy())
    assert F.pixel_shuffle(randn(3, 2, 9, 2, 2), 3).shape == (3, 2, 1, 6, 6)
    assert F.pixel_shuffle(randn(4, 1, 1), 2).shape == (1, 2, 2)
    assert gradcheck(lambda x: F.pixel_shuffle(x, 2), (x,))
    assert gradcheck(lambda x: F.pixel_unshuffle(x, 1), (x,))


def test_channel_shuffle():
    x = randn(2, 6, 3, seed=15, requires_grad=True)
    ref = x.detach().numpy().reshape(2, 2, 3, 3).transpose(0, 2, 1, 3).reshape(2, 6, 3)
    close(F.channel_shuffle(x, 2), ref)
    close(nn.ChannelShuffle(2)(x), ref)
    close(F.native_channel_shuffle(x, 3), x.detach().numpy().reshape(2, 3, 2, 3).transpose(0, 2, 1, 3).reshape(2, 6, 3))
    assert gradcheck(lambda x: F.channel_shuffle(x, 3), (x,))


def test_cosine_similarity_and_distance():
    a, b = randn(4, 5, seed=16, requires_grad=True), randn(4, 5, seed=17, requires_grad=True)
    an, bn_ = a.detach().numpy(), b.detach().numpy()
    cos = (an * bn_).sum(1) / (np.linalg.norm(an, axis=1) * np.linalg.norm(bn_, axis=1))
    close(F.cosine_similarity(a, b), cos)
    close(nn.CosineSimilarity(0)(a, b), (an * bn_).sum(0) / (np.linalg.norm(an, axis=0) * np.linalg.norm(bn_, axis=0)))
    close(F.cosine_similarity(a, b[:1], dim=-1), (an * bn_[:1]).sum(1) / (np.linalg.norm(an, axis=1)
                                                                         * np.linalg.norm(bn_[0])))
    assert F.cosine_similarity(rstorch.zeros(2, 3), rstorch.ones(2, 3)).tolist() == [0.0, 0.0]
    assert gradcheck(F.cosine_similarity, (a, b)) and gradgradcheck(F.cosine_similarity, (a, b))
    for p in (1.0, 2.0, 3.0, float("inf")):
        d = an - bn_ + 1e-6
        ref = np.abs(d).max(1) if p == float("inf") else (np.abs(d) ** p).sum(1) ** (1 / p)
        close(F.pairwise_distance(a, b, p), ref, rtol=1e-10)
        close(nn.PairwiseDistance(p, keepdim=True)(a, b), ref[:, None], rtol=1e-10)
    assert gradcheck(F.pairwise_distance, (a, b)) and gradgradcheck(F.pairwise_distance, (a, b))
    assert F.pairwise_distance(a[0], b[0]).shape == ()


def test_normalize():
    a = randn(3, 4, seed=18, requires_grad=True)
    an = a.detach().numpy()
    close(F.normalize(a), an / np.linalg.norm(an, axis=1, keepdims=True))
    close(F.normalize(a, 1.0, 0), an / np.abs(an).sum(0, keepdims=True))
    assert F.normalize(rstorch.zeros(2, 3)).tolist() == [[0.0] * 3] * 2
    out = rstorch.empty(3, 4, dtype=rstorch.float64)
    F.normalize(a.detach(), out=out)
    close(out, an / np.linalg.norm(an, axis=1, keepdims=True))
    assert gradgradcheck(F.normalize, (a,))
