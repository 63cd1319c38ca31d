"""nn.RNN/LSTM/GRU, the cells and nn.utils.rnn: default init, forward values and gradients against
values recorded from torch 2.15 (tests/nn/rnn_expected.json, written by tests/nn/record_rnn.py),
gradcheck in float64, packing round trips, reprs, parameter names and torch's error messages."""

import json
import os
import warnings

import numpy as np
import pytest
from rnn_cases import run_case

import rstorch
import rstorch.nn as nn
from rstorch.autograd import gradcheck, gradgradcheck
from rstorch.nn.utils import rnn as rnn_utils
from rstorch.nn.utils.rnn import (PackedSequence, invert_permutation, pack_padded_sequence, pack_sequence,
                                  pad_packed_sequence, pad_sequence, unpack_sequence, unpad_sequence)

with open(os.path.join(os.path.dirname(__file__), "rnn_expected.json")) as _f:
    EXPECTED = json.load(_f)["cases"]


def _t(values, shape, requires_grad=False):
    return rstorch.tensor(values, dtype=rstorch.float32).reshape(shape).requires_grad_(requires_grad)


def _np(values, shape):
    return np.asarray(values, dtype=np.float32).reshape(shape)


def randn(*shape, dtype=rstorch.float64, requires_grad=False, seed=0):
    g = rstorch.Generator().manual_seed(seed)
    return rstorch.randn(*shape, dtype=dtype, generator=g).requires_grad_(requires_grad)


# ---- against torch ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", EXPECTED, ids=[c["name"] for c in EXPECTED])
def test_default_init_matches_torch_bit_for_bit(case):
    rstorch.manual_seed(case["seed"])
    module = getattr(nn, case["cls"])(*case["args"], **case["kwargs"])
    names = [name for name, _ in module.named_parameters()]
    assert names == list(case["params"])
    for name, p in module.named_parameters():
        assert list(p.shape) == case["param_shapes"][name], name
        assert p.dtype is rstorch.float32
        np.testing.assert_array_equal(p.detach().numpy(), _np(case["params"][name], case["param_shapes"][name]),
                                      err_msg=name)


@pytest.mark.parametrize("case", EXPECTED, ids=[c["name"] for c in EXPECTED])
def test_forward_and_gradients_match_torch(case):
    module = getattr(nn, case["cls"])(*case["args"], **case["kwargs"])
    with rstorch.no_grad():
        for name, p in module.named_parameters():
            p.copy_(_t(case["params"][name], case["param_shapes"][name]))
    x = _t(case["x"], case["input"], requires_grad=True)
    hxs = [_t(v, s, requires_grad=True) for v, s in zip(case["hx"], case["hx_shapes"])]
    outs, lengths = run_case(case, module, x, hxs, rnn_utils)
    if lengths is not None:
        assert lengths.tolist() == case["lengths"]
    assert [list(o.shape) for o in outs] == case["output_shapes"]
    for o, v, s in zip(outs, case["outputs"], case["output_shapes"]):
        np.testing.assert_allclose(o.detach().numpy(), _np(v, s), rtol=1e-5, atol=2e-6)
    loss = sum((o * _t(g, s)).sum() for o, g, s in zip(outs, case["grad_out"], case["output_shapes"]))
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), _np(case["grad_x"], case["input"]), rtol=1e-5, atol=2e-6)
    for h, g, s in zip(hxs, case["grad_hx"], case["hx_shapes"]):
        np.testing.assert_allclose(h.grad.numpy(), _np(g, s), rtol=1e-5, atol=2e-6)
    for name, p in module.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), _np(case["grad_params"][name], case["param_shapes"][name]),
                                   rtol=1e-5, atol=2e-6, err_msg=name)


# ---- gradcheck (float64) ---------------------------------------------------------------------

def _double(module):
    return module.to(rstorch.float64)


def _gradcheck_module(module, x, hxs, packed_lengths=None, enforce_sorted=True):
    params = list(module.parameters())
    names = [n for n, _ in module.named_parameters()]
    n_h = len(hxs)

    def fn(x, *rest):
        hs, ps = rest[:n_h], rest[n_h:]
        for name, p in zip(names, ps):
            module._parameters[name] = p
        hx = None
        if hs:
            hx = tuple(hs) if isinstance(module, (nn.LSTM, nn.LSTMCell)) else hs[0]
        inp = x
        if packed_lengths is not None:
            inp = pack_padded_sequence(x, packed_lengths, batch_first=module.batch_first,
                                       enforce_sorted=enforce_sorted)
        res = module(inp, hx)
        if isinstance(module, nn.RNNCellBase):
            return res
        out, hidden = res
        if packed_lengths is not None:
            out = pad_packed_sequence(out, batch_first=module.batch_first)[0]
        return (out,) + (tuple(hidden) if isinstance(hidden, tuple) else (hidden,))

    try:
        assert gradcheck(fn, (x, *hxs, *params), eps=1e-6, atol=1e-5)
    finally:
        for name, p in zip(names, params):
            module._parameters[name] = p


@pytest.mark.parametrize("cls,kwargs", [
    ("RNN", dict(num_layers=2, bidirectional=True)),
    ("RNN", dict(nonlinearity="relu", bias=False)),
    ("LSTM", dict(num_layers=2, bidirectional=True)),
    ("LSTM", dict(proj_size=2, batch_first=True)),
    ("GRU", dict(num_layers=2, bidirectional=True)),
    ("GRU", dict(bias=False, batch_first=True)),
])
def test_gradcheck_layers(cls, kwargs):
    rstorch.manual_seed(0)
    hidden = 3 if "proj_size" in kwargs else 2
    module = _double(getattr(nn, cls)(2, hidden, **kwargs))
    x = randn(*((2, 3, 2) if module.batch_first else (3, 2, 2)), requires_grad=True)  # batch 2, 3 steps
    d = 2 if module.bidirectional else 1
    out_size = module.proj_size or hidden
    hxs = [randn(module.num_layers * d, 2, out_size, requires_grad=True, seed=1)]
    if cls == "LSTM":
        hxs.append(randn(module.num_layers * d, 2, hidden, requires_grad=True, seed=2))
    _gradcheck_module(module, x, hxs)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_gradcheck_packed(cls):
    rstorch.manual_seed(0)
    module = _double(getattr(nn, cls)(2, 2, bidirectional=True))
    x = randn(4, 3, 2, requires_grad=True)
    hxs = [randn(2, 3, 2, requires_grad=True, seed=1)]
    if cls == "LSTM":
        hxs.append(randn(2, 3, 2, requires_grad=True, seed=2))
    _gradcheck_module(module, x, hxs, packed_lengths=[2, 4, 1], enforce_sorted=False)


@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
def test_gradcheck_cells(cls):
    rstorch.manual_seed(0)
    module = _double(getattr(nn, cls)(3, 2))
    hxs = [randn(2, 2, requires_grad=True, seed=1)]
    if cls == "LSTMCell":
        hxs.append(randn(2, 2, requires_grad=True, seed=2))
    _gradcheck_module(module, randn(2, 3, requires_grad=True), hxs)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_gradgradcheck_input(cls):
    rstorch.manual_seed(0)
    module = _double(getattr(nn, cls)(2, 2, bidirectional=True))
    assert gradgradcheck(lambda x: module(x)[0], (randn(3, 1, 2, requires_grad=True),))


# ---- semantics -------------------------------------------------------------------------------

@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_packed_matches_each_sequence_alone(cls):
    rstorch.manual_seed(0)
    module = getattr(nn, cls)(3, 4, num_layers=2, bidirectional=True)
    seqs = [randn(n, 3, dtype=rstorch.float32, seed=n) for n in (3, 5, 1, 4)]
    out, hidden = module(pack_sequence(seqs, enforce_sorted=False))
    padded, lengths = pad_packed_sequence(out)
    assert lengths.tolist() == [3, 5, 1, 4]
    for b, seq in enumerate(seqs):
        o, h = module(seq)  # unbatched
        np.testing.assert_allclose(padded[:len(seq), b].detach().numpy(), o.detach().numpy(), rtol=1e-5, atol=1e-6)
        assert (padded[len(seq):, b] == 0).all()
        if cls == "LSTM":
            np.testing.assert_allclose(hidden[0][:, b].detach().numpy(), h[0].detach().numpy(), rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(hidden[1][:, b].detach().numpy(), h[1].detach().numpy(), rtol=1e-5, atol=1e-6)
        else:
            np.testing.assert_allclose(hidden[:, b].detach().numpy(), h.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_batch_first_and_unbatched_agree():
    rstorch.manual_seed(0)
    lstm = nn.LSTM(3, 4)
    lstm_bf = nn.LSTM(3, 4, batch_first=True)
    lstm_bf.load_state_dict(lstm.state_dict())
    x = randn(5, 2, 3, dtype=rstorch.float32)
    out, (h, c) = lstm(x)
    out_bf, (h_bf, c_bf) = lstm_bf(x.transpose(0, 1))
    np.testing.assert_allclose(out_bf.transpose(0, 1).detach().numpy(), out.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(h_bf.detach().numpy(), h.detach().numpy(), rtol=1e-6)
    out1, (h1, c1) = lstm(x[:, 1])
    assert out1.shape == (5, 4) and h1.shape == (1, 4) and c1.shape == (1, 4)
    np.testing.assert_allclose(out1.detach().numpy(), out[:, 1].detach().numpy(), rtol=1e-5, atol=1e-6)


def test_dropout_between_layers():
    rstorch.manual_seed(0)
    gru = nn.GRU(3, 4, num_layers=2, dropout=0.5)
    x = randn(4, 2, 3, dtype=rstorch.float32)
    gru.eval()
    a, b = gru(x)[0], gru(x)[0]
    assert rstorch.equal(a, b)
    gru.train()
    rstorch.manual_seed(1)
    c = gru(x)[0]
    assert not rstorch.equal(a, c)
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.LSTM(3, 4, dropout=0.5)


def test_param_names_shapes_and_all_weights():
    lstm = nn.LSTM(4, 5, num_layers=2, bidirectional=True, proj_size=2)
    expected = []
    for layer in range(2):
        for suffix in ("", "_reverse"):
            in_size = 4 if layer == 0 else 4  # 2 * proj_size
            expected += [(f"weight_ih_l{layer}{suffix}", (20, in_size)), (f"weight_hh_l{layer}{suffix}", (20, 2)),
                         (f"bias_ih_l{layer}{suffix}", (20,)), (f"bias_hh_l{layer}{suffix}", (20,)),
                         (f"weight_hr_l{layer}{suffix}", (2, 5))]
    assert [(n, tuple(p.shape)) for n, p in lstm.named_parameters()] == expected
    assert len(lstm.all_weights) == 4 and all(len(w) == 5 for w in lstm.all_weights)
    assert lstm.all_weights[1][0] is lstm.weight_ih_l0_reverse
    gru = nn.GRU(3, 2, bias=False)
    assert [n for n, _ in gru.named_parameters()] == ["weight_ih_l0", "weight_hh_l0"]
    assert gru.weight_ih_l0.shape == (6, 3)
    rnn = nn.RNN(3, 2, 2, "relu")
    assert rnn.nonlinearity == "relu" and rnn.mode == "RNN_RELU" and rnn.num_layers == 2
    cell = nn.LSTMCell(3, 2, bias=False)
    assert [n for n, _ in cell.named_parameters()] == ["weight_ih", "weight_hh"]
    assert cell.bias_ih is None and cell.weight_ih.shape == (8, 3)
    assert [n for n, _ in nn.GRUCell(3, 2).named_parameters()] == ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
    assert nn.GRU(3, 2, dtype=rstorch.float64).weight_hh_l0.dtype is rstorch.float64
    lstm.flatten_parameters()  # a no-op, as on the CPU in torch


@pytest.mark.parametrize("module,text", [
    (lambda: nn.LSTM(4, 3, num_layers=2, batch_first=True), "LSTM(4, 3, num_layers=2, batch_first=True)"),
    (lambda: nn.RNN(4, 3, nonlinearity="relu", bias=False, dropout=0.5, num_layers=2, bidirectional=True),
     "RNN(4, 3, num_layers=2, bias=False, dropout=0.5, bidirectional=True)"),
    (lambda: nn.LSTM(4, 3, proj_size=2), "LSTM(4, 3, proj_size=2)"),
    (lambda: nn.GRU(4, 3), "GRU(4, 3)"),
    (lambda: nn.RNNCell(4, 3, nonlinearity="relu", bias=False), "RNNCell(4, 3, bias=False, nonlinearity=relu)"),
    (lambda: nn.GRUCell(4, 3), "GRUCell(4, 3)"),
    (lambda: nn.LSTMCell(4, 3, bias=False), "LSTMCell(4, 3, bias=False)"),
])
def test_repr(module, text):
    assert repr(module()) == text


def test_zero_batch_and_default_states():
    lstm = nn.LSTM(4, 3, num_layers=2)
    out, (h, c) = lstm(rstorch.zeros(2, 0, 4))
    assert out.shape == (2, 0, 3) and h.shape == (2, 0, 3) and c.shape == (2, 0, 3)
    out, h = nn.GRU(4, 3, bidirectional=True)(rstorch.zeros(3, 2, 4))
    assert out.shape == (3, 2, 6) and h.shape == (2, 2, 3)
    h = nn.GRUCell(4, 3)(rstorch.zeros(4))
    assert h.shape == (3,)
    h, c = nn.LSTMCell(4, 3)(rstorch.zeros(2, 4))
    assert h.shape == (2, 3) and c.shape == (2, 3)


# ---- nn.utils.rnn ----------------------------------------------------------------------------

def test_pack_padded_round_trip():
    x = rstorch.arange(24, dtype=rstorch.float32).reshape(4, 3, 2)  # (T, B, *)
    p = pack_padded_sequence(x, [4, 2, 1])
    assert p.batch_sizes.tolist() == [3, 2, 1, 1] and p.batch_sizes.dtype is rstorch.int64
    assert p.sorted_indices is None and p.unsorted_indices is None
    assert p.data[:, 0].tolist() == [0, 2, 4, 6, 8, 12, 18]
    padded, lengths = pad_packed_sequence(p, padding_value=-1.0)
    assert lengths.tolist() == [4, 2, 1] and lengths.dtype is rstorch.int64
    assert padded[:, 0, 0].tolist() == [0, 6, 12, 18]
    assert padded[:, 1, 0].tolist() == [2, 8, -1, -1]
    padded, _ = pad_packed_sequence(p, total_length=6)
    assert padded.shape == (6, 3, 2) and (padded[4:] == 0).all()
    # batch_first and unsorted lengths
    xb = x.transpose(0, 1).contiguous()
    p2 = pack_padded_sequence(xb, rstorch.tensor([1, 4, 2]), batch_first=True, enforce_sorted=False)
    assert p2.sorted_indices.tolist() == [1, 2, 0] and p2.unsorted_indices.tolist() == [2, 0, 1]
    padded, lengths = pad_packed_sequence(p2, batch_first=True)
    assert lengths.tolist() == [1, 4, 2] and padded.shape == (3, 4, 2)
    assert padded[1].tolist() == xb[1].tolist() and padded[2, :2].tolist() == xb[2, :2].tolist()
    assert (padded[0, 1:] == 0).all() and (padded[2, 2:] == 0).all()


def test_pack_round_trip_random_lengths():
    g = rstorch.Generator().manual_seed(0)
    x = rstorch.randn(30, 9, 3, generator=g)
    lengths = rstorch.randint(1, 31, (9,), generator=g)
    p = pack_padded_sequence(x, lengths, enforce_sorted=False)
    assert p.data.shape == (int(lengths.sum()), 3)
    padded, out_lengths = pad_packed_sequence(p, total_length=30)
    assert out_lengths.tolist() == lengths.tolist()
    mask = rstorch.arange(30).unsqueeze(1) < lengths.unsqueeze(0)
    assert rstorch.equal(padded, x * mask.unsqueeze(2))
    pb = pack_padded_sequence(x.transpose(0, 1).contiguous(), lengths, batch_first=True, enforce_sorted=False)
    assert rstorch.equal(pb.data, p.data) and rstorch.equal(pb.batch_sizes, p.batch_sizes)
    padded_bf, _ = pad_packed_sequence(pb, batch_first=True, total_length=32)
    assert rstorch.equal(padded_bf[:, :30], padded.transpose(0, 1)) and (padded_bf[:, 30:] == 0).all()


def test_pack_gradients_flow():
    x = randn(3, 2, 2, requires_grad=True)
    assert gradcheck(lambda x: pack_padded_sequence(x, [3, 2]).data, (x,))
    assert gradcheck(lambda x: pad_packed_sequence(pack_padded_sequence(x, [2, 3], enforce_sorted=False),
                                                   batch_first=True, total_length=4)[0], (x,))
    a, b = randn(3, 2, requires_grad=True), randn(1, 2, requires_grad=True, seed=1)
    assert gradcheck(lambda a, b: pad_sequence([a, b], padding_value=2.0, padding_side="left"), (a, b))


def test_pack_sequence_and_unpack():
    seqs = [rstorch.tensor([1.0, 2.0, 3.0]), rstorch.tensor([4.0, 5.0]), rstorch.tensor([6.0])]
    p = pack_sequence(seqs)
    assert p.data.tolist() == [1.0, 4.0, 6.0, 2.0, 5.0, 3.0] and p.batch_sizes.tolist() == [3, 2, 1]
    assert repr(p) == ("PackedSequence(data=tensor([1., 4., 6., 2., 5., 3.]), batch_sizes=tensor([3, 2, 1]), "
                       "sorted_indices=None, unsorted_indices=None)")
    data, batch_sizes, sorted_indices, unsorted_indices = p
    assert batch_sizes is p.batch_sizes and sorted_indices is None
    unsorted = [seqs[1], seqs[2], seqs[0]]
    out = unpack_sequence(pack_sequence(unsorted, enforce_sorted=False))
    assert [o.tolist() for o in out] == [s.tolist() for s in unsorted]
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
        pack_sequence(unsorted)


def test_pad_and_unpad_sequence():
    seqs = [rstorch.ones(2, 3), rstorch.ones(4, 3) * 2, rstorch.ones(1, 3) * 3]
    padded = pad_sequence(seqs)
    assert padded.shape == (4, 3, 3) and padded[:, 0, 0].tolist() == [1, 1, 0, 0]
    padded_bf = pad_sequence(seqs, batch_first=True, padding_value=-1.0, padding_side="left")
    assert padded_bf.shape == (3, 4, 3) and padded_bf[0, :, 0].tolist() == [-1, -1, 1, 1]
    assert padded_bf[2, :, 1].tolist() == [-1, -1, -1, 3]
    assert pad_sequence(rstorch.ones(2, 3)).shape == (3, 2)  # a tensor is iterated over its first dimension
    mixed = pad_sequence([rstorch.ones(2), rstorch.ones(3, dtype=rstorch.float64)])
    assert mixed.dtype is rstorch.float32 and mixed.shape == (3, 2)
    lengths = rstorch.tensor([2, 4, 1])
    out = unpad_sequence(padded, lengths)
    assert [o.tolist() for o in out] == [s.tolist() for s in seqs]
    assert padded.shape == (4, 3, 3)
    out = unpad_sequence(pad_sequence(seqs, batch_first=True), lengths, batch_first=True)
    assert [o.tolist() for o in out] == [s.tolist() for s in seqs]


def test_packed_sequence_methods():
    p = pack_sequence([rstorch.tensor([1.0, 2.0]), rstorch.tensor([3.0])])
    assert p.to(rstorch.float32) is p
    d = p.double()
    assert isinstance(d, PackedSequence) and d.data.dtype is rstorch.float64 and d.batch_sizes is p.batch_sizes
    assert p.long().data.dtype is rstorch.int64 and p.is_cuda is False
    q = PackedSequence(p.data, p.batch_sizes, rstorch.tensor([1, 0]))
    assert q.unsorted_indices.tolist() == [1, 0]
    r = PackedSequence((p.data, p.batch_sizes))
    assert r.data is p.data and r.batch_sizes is p.batch_sizes
    assert invert_permutation(rstorch.tensor([2, 0, 1])).tolist() == [1, 2, 0]
    assert invert_permutation(None) is None


# ---- errors, as torch words them ---------------------------------------------------------------

ERRORS = [
    (lambda: pack_padded_sequence(rstorch.zeros(3, 2, 1), [1, 2]), RuntimeError,
     "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass "
     "`enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this requirement if you do "
     "not need ONNX exportability."),
    (lambda: pack_padded_sequence(rstorch.zeros(3, 2, 1), [2, 0]), RuntimeError,
     "Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0"),
    (lambda: pack_padded_sequence(rstorch.zeros(3, 2, 1), [3, 2, 1]), RuntimeError,
     "Expected `len(lengths)` to be equal to batch_size, but got 3 (batch_size=2)"),
    (lambda: pack_padded_sequence(rstorch.zeros(3, 2, 1), rstorch.tensor([[3, 2]])), RuntimeError,
     "'lengths' argument should be a 1D CPU int64 tensor, but got 2D cpu Long tensor"),
    (lambda: pack_padded_sequence(rstorch.zeros(3, 2, 1), [4, 2]), RuntimeError,
     "Expected all lengths to be at most the padded sequence length 3, but got a length of 4"),
    (lambda: pad_packed_sequence(pack_sequence([rstorch.ones(3, 2)]), total_length=2), ValueError,
     "Expected total_length to be at least the length of the longest sequence in input, but got total_length=2 "
     "and max sequence length being 3"),
    (lambda: pad_sequence([]), RuntimeError, "received an empty list of sequences"),
    (lambda: pad_sequence([rstorch.zeros(2, 3), rstorch.zeros(2, 4)]), RuntimeError,
     "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"),
    (lambda: pad_sequence([rstorch.zeros(2, 3), rstorch.zeros(2, 3, 1)]), RuntimeError,
     "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 1"),
    (lambda: pad_sequence([rstorch.zeros(2), rstorch.zeros(3)], padding_side="top"), RuntimeError,
     "Expected padding_side to be one of left or right, but got top."),
    (lambda: pad_sequence(3), RuntimeError,
     "pad_sequence: Expected iterable for input sequences, but got arg of type: <class 'int'>"),
    (lambda: nn.LSTM(4, 3)(rstorch.zeros(2, 3, 5)), RuntimeError,
     "input.size(-1) must be equal to input_size. Expected 4, got 5"),
    (lambda: nn.LSTM(4, 3)(rstorch.zeros(2, 3, 4, 1)), ValueError, "LSTM: Expected input to be 2D or 3D, got 4D instead"),
    (lambda: nn.LSTM(4, 3)(rstorch.zeros(2, 3, 4), (rstorch.zeros(1, 2, 3), rstorch.zeros(1, 3, 3))), RuntimeError,
     "Expected hidden[0] size (1, 3, 3), got [1, 2, 3]"),
    (lambda: nn.LSTM(4, 3)(rstorch.zeros(2, 3, 4), (rstorch.zeros(1, 3, 3), rstorch.zeros(1, 2, 3))), RuntimeError,
     "Expected hidden[1] size (1, 3, 3), got [1, 2, 3]"),
    (lambda: nn.LSTM(4, 3)(rstorch.zeros(2, 3, 4), (rstorch.zeros(3, 3), rstorch.zeros(3, 3))), RuntimeError,
     "For batched 3-D input, hx and cx should also be 3-D but got (2-D, 2-D) tensors"),
    (lambda: nn.LSTM(4, 3)(rstorch.zeros(3, 4), (rstorch.zeros(1, 1, 3), rstorch.zeros(1, 3))), RuntimeError,
     "For unbatched 2-D input, hx and cx should also be 2-D but got (3-D, 2-D) tensors"),
    (lambda: nn.LSTM(4, 3)(rstorch.zeros(2, 3, 4, dtype=rstorch.float64)), ValueError,
     "RNN input dtype (rstorch.float64) does not match weight dtype (rstorch.float32). Convert input: "
     "input.to(rstorch.float32), or convert model: model.to(rstorch.float64)"),
    (lambda: nn.LSTM(4, 3)(rstorch.zeros(0, 3, 4)), RuntimeError, "Expected sequence length to be larger than 0 in RNN"),
    (lambda: nn.GRU(4, 3)(rstorch.zeros(2, 3, 4), rstorch.zeros(1, 2, 3)), RuntimeError,
     "Expected hidden size (1, 3, 3), got [1, 2, 3]"),
    (lambda: nn.GRU(4, 3)(rstorch.zeros(2, 3, 4), rstorch.zeros(2, 3)), RuntimeError,
     "For batched 3-D input, hx should also be 3-D but got 2-D tensor"),
    (lambda: nn.GRU(4, 3)(rstorch.zeros(3, 4), rstorch.zeros(1, 1, 3)), RuntimeError,
     "For unbatched 2-D input, hx should also be 2-D but got 3-D tensor"),
    (lambda: nn.GRU(4, 3)(rstorch.zeros(5)), ValueError, "GRU: Expected input to be 2D or 3D, got 1D instead"),
    (lambda: nn.RNN(4, 3)(rstorch.zeros(5)), ValueError, "RNN: Expected input to be 2D or 3D, got 1D tensor instead"),
    (lambda: nn.RNN(4, 3)(pack_sequence([rstorch.ones(3, 4)]), rstorch.zeros(1, 2, 3)), RuntimeError,
     "Expected hidden size (1, 1, 3), got [1, 2, 3]"),
    (lambda: nn.GRUCell(4, 3)(rstorch.zeros(2, 5)), RuntimeError, "input has inconsistent input_size: got 5 expected 4"),
    (lambda: nn.GRUCell(4, 3)(rstorch.zeros(2, 4), rstorch.zeros(3, 3)), RuntimeError,
     "Input batch size 2 doesn't match hidden0 batch size 3"),
    (lambda: nn.GRUCell(4, 3)(rstorch.zeros(2, 4), rstorch.zeros(2, 4)), RuntimeError,
     "hidden0 has inconsistent hidden_size: got 4, expected 3"),
    (lambda: nn.GRUCell(4, 3)(rstorch.zeros(2, 4, 1)), ValueError, "GRUCell: Expected input to be 1D or 2D, got 3D instead"),
    (lambda: nn.GRUCell(4, 3)(rstorch.zeros(4), rstorch.zeros(2, 3)), RuntimeError,
     "Expected 2D hidden0 (batch x hidden_size), but got 3D tensor"),
    (lambda: nn.LSTMCell(4, 3)(rstorch.zeros(2, 4), (rstorch.zeros(3, 3), rstorch.zeros(2, 3))), RuntimeError,
     "Input batch size 2 doesn't match hidden0 batch size 3"),
    (lambda: nn.LSTMCell(4, 3)(rstorch.zeros(2, 4), (rstorch.zeros(2, 3), rstorch.zeros(2, 4))), RuntimeError,
     "hidden1 has inconsistent hidden_size: got 4, expected 3"),
    (lambda: nn.LSTMCell(4, 3)(rstorch.zeros(4), (rstorch.zeros(3), rstorch.zeros(3, 3, 1))), ValueError,
     "LSTMCell: Expected hx[1] to be 1D or 2D, got 3D instead"),
    (lambda: nn.RNNCell(4, 3)(rstorch.zeros(2, 4), rstorch.zeros(2, 2)), RuntimeError,
     "hidden0 has inconsistent hidden_size: got 2, expected 3"),
    (lambda: nn.RNNCell(4, 3)(rstorch.zeros(2, 4), rstorch.zeros(2, 2, 1)), ValueError,
     "RNNCell: Expected hidden to be 1D or 2D, got 3D instead"),
    (lambda: nn.RNNCell(4, 3, nonlinearity="x")(rstorch.zeros(4)), RuntimeError, "Unknown nonlinearity: x"),
    (lambda: nn.RNN(4, 3, nonlinearity="x"), ValueError, "Unknown nonlinearity 'x'. Select from 'tanh' or 'relu'."),
    (lambda: nn.RNN(4, 3, proj_size=1), ValueError, "proj_size argument is only supported for LSTM, not RNN or GRU"),
    (lambda: nn.GRU(4, 3, proj_size=1), ValueError, "proj_size argument is only supported for LSTM, not RNN or GRU"),
    (lambda: nn.LSTM(4, 3, proj_size=3), ValueError, "proj_size has to be smaller than hidden_size"),
    (lambda: nn.LSTM(4, 3, proj_size=-1), ValueError,
     "proj_size should be a positive integer or zero to disable projections"),
    (lambda: nn.LSTM(4, 3, dropout=2), ValueError,
     "dropout should be a number in range [0, 1] representing the probability of an element being zeroed"),
    (lambda: nn.LSTM(4, 3, dropout=True), ValueError,
     "dropout should be a number in range [0, 1] representing the probability of an element being zeroed"),
    (lambda: nn.LSTM(4, 0), ValueError, "hidden_size must be greater than zero"),
    (lambda: nn.LSTM(0, 3), ValueError, "input_size must be greater than zero"),
    (lambda: nn.LSTM(4, 3, num_layers=0), ValueError, "num_layers must be greater than zero"),
    (lambda: nn.LSTM(4.0, 3), TypeError, "input_size should be of type int, got: float"),
    (lambda: nn.LSTM(4, 3.0), TypeError, "hidden_size should be of type int, got: float"),
    (lambda: nn.LSTM(4, 3, bias=1), TypeError, "bias should be of type bool, got: int"),
    (lambda: nn.LSTM(4, 3, batch_first=None), TypeError, "batch_first should be of type bool, got: NoneType"),
]


@pytest.mark.parametrize("fn,exc,msg", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors_as_torch(fn, exc, msg):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(exc) as info:
            fn()
    assert str(info.value) == msg
