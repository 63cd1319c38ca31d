"""The RNN cases that tests/nn/record_rnn.py records from torch and tests/nn/test_rnn.py replays
(no torch import here)."""

CASES = [
    dict(name="rnn_tanh_default", cls="RNN", args=[4, 3], kwargs={}, input=[5, 2, 4], hx=False),
    dict(name="rnn_relu_2l_bidir_bf_nobias", cls="RNN", args=[4, 3],
         kwargs=dict(num_layers=2, nonlinearity="relu", bias=False, batch_first=True, bidirectional=True),
         input=[2, 5, 4], hx=True),
    dict(name="lstm_default", cls="LSTM", args=[4, 3], kwargs={}, input=[5, 2, 4], hx=False),
    dict(name="lstm_2l_hx", cls="LSTM", args=[4, 3], kwargs=dict(num_layers=2), input=[4, 3, 4], hx=True),
    dict(name="lstm_bidir_proj_bf", cls="LSTM", args=[4, 5],
         kwargs=dict(num_layers=2, bidirectional=True, proj_size=2, batch_first=True), input=[3, 4, 4], hx=True),
    dict(name="lstm_unbatched", cls="LSTM", args=[4, 3], kwargs=dict(bidirectional=True), input=[5, 4], hx=True),
    dict(name="gru_default", cls="GRU", args=[4, 3], kwargs={}, input=[5, 2, 4], hx=False),
    dict(name="gru_2l_bidir_hx", cls="GRU", args=[4, 3], kwargs=dict(num_layers=2, bidirectional=True),
         input=[4, 3, 4], hx=True),
    dict(name="gru_unbatched_nobias", cls="GRU", args=[4, 3], kwargs=dict(bias=False), input=[5, 4], hx=True),
    dict(name="lstm_packed_unsorted_bidir", cls="LSTM", args=[4, 3], kwargs=dict(bidirectional=True, num_layers=2),
         input=[5, 3, 4], hx=True, lengths=[3, 5, 2], enforce_sorted=False),
    dict(name="gru_packed_sorted_bf", cls="GRU", args=[4, 3], kwargs=dict(bidirectional=True, batch_first=True),
         input=[4, 5, 4], hx=False, lengths=[5, 4, 4, 1], enforce_sorted=True),
    dict(name="rnn_packed_unsorted", cls="RNN", args=[4, 3], kwargs=dict(num_layers=2), input=[4, 3, 4], hx=True,
         lengths=[2, 4, 1], enforce_sorted=False),
    dict(name="rnncell_relu", cls="RNNCell", args=[4, 3], kwargs=dict(nonlinearity="relu"), input=[2, 4], hx=True),
    dict(name="rnncell_tanh_unbatched", cls="RNNCell", args=[4, 3], kwargs={}, input=[4], hx=False),
    dict(name="lstmcell", cls="LSTMCell", args=[4, 3], kwargs={}, input=[2, 4], hx=True),
    dict(name="lstmcell_nobias_unbatched", cls="LSTMCell", args=[4, 3], kwargs=dict(bias=False), input=[4], hx=True),
    dict(name="grucell", cls="GRUCell", args=[4, 3], kwargs={}, input=[2, 4], hx=True),
]


def hidden_shapes(case, module):
    """Shapes of the initial state(s) for the case's input."""
    if case["cls"].endswith("Cell"):
        shape = [case["input"][0], module.hidden_size] if len(case["input"]) == 2 else [module.hidden_size]
        return [shape, shape] if case["cls"] == "LSTMCell" else [shape]
    d = 2 if module.bidirectional else 1
    layers = module.num_layers * d
    if len(case["input"]) == 2:
        batch = []
    else:
        batch = [case["input"][0] if module.batch_first else case["input"][1]]
    out = module.proj_size if getattr(module, "proj_size", 0) else module.hidden_size
    shapes = [[layers] + batch + [out]]
    if case["cls"] == "LSTM":
        shapes.append([layers] + batch + [module.hidden_size])
    return shapes


def run_case(case, module, x, hxs, rnn_utils):
    """The case's forward (packing the input first for a packed case, padding the output back):
    returns [output, *state tensors] and, for a packed case, the lengths pad_packed_sequence gave.
    rnn_utils is torch.nn.utils.rnn or rstorch.nn.utils.rnn."""
    hx_arg = None
    if hxs:
        hx_arg = tuple(hxs) if case["cls"] in ("LSTM", "LSTMCell") else hxs[0]
    lengths = None
    if "lengths" in case:
        packed = rnn_utils.pack_padded_sequence(x, case["lengths"], batch_first=module.batch_first,
                                                enforce_sorted=case["enforce_sorted"])
        out_packed, hidden = module(packed, hx_arg)
        assert isinstance(out_packed, rnn_utils.PackedSequence)
        out, lengths = rnn_utils.pad_packed_sequence(out_packed, batch_first=module.batch_first)
    else:
        res = module(x, hx_arg)
        if case["cls"] == "LSTMCell":
            out, hidden = res[0], (res[1],)
        elif case["cls"].endswith("Cell"):
            out, hidden = res, ()
        else:
            out, hidden = res
    hidden = list(hidden) if isinstance(hidden, tuple) else [hidden]
    return [out] + hidden, lengths
