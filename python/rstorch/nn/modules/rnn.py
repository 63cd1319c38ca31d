"""RNN, LSTM, GRU and their single-step cells (torch.nn.modules.rnn).

Built from Tensor ops (linear/addmm, sigmoid, tanh, chunk, cat), so autograd comes for free:
per layer and direction one input-projection matmul over every time step, then the recurrent
loop (one addmm and a few pointwise ops a step). The same loop runs padded and packed input;
a PackedSequence's shrinking batch is handled as torch does (rows that end are set aside as
their final hidden state, and the reverse direction lets them join as it walks back).
"""

import math
import numbers
import warnings

import rstorch

from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


def _packed_sequence():
    """nn.utils.rnn.PackedSequence, imported at call time: nn.utils imports nn.modules (Module),
    so nn.modules may not import nn.utils while it loads."""
    from ..utils.rnn import PackedSequence
    return PackedSequence


def _apply_permutation(tensor, permutation, dim=1):
    return tensor.index_select(dim, permutation)


# ---- one step of each cell: `x` is the step's input projection (bias folded in where the
# cell allows it), `h`/`c` the state; w_hh_t is weight_hh transposed ------------------------

def _tanh_step(x, h, c, w_hh_t, b_hh, w_hr_t):
    return rstorch.tanh(rstorch.addmm(x, h, w_hh_t)), None


def _relu_step(x, h, c, w_hh_t, b_hh, w_hr_t):
    return rstorch.relu(rstorch.addmm(x, h, w_hh_t)), None


def _lstm_step(x, h, c, w_hh_t, b_hh, w_hr_t):
    i, f, g, o = rstorch.addmm(x, h, w_hh_t).chunk(4, 1)
    c = rstorch.sigmoid(f) * c + rstorch.sigmoid(i) * rstorch.tanh(g)
    h = rstorch.sigmoid(o) * rstorch.tanh(c)
    if w_hr_t is not None:
        h = h.mm(w_hr_t)
    return h, c


def _gru_step(x, h, c, w_hh_t, b_hh, w_hr_t):
    # b_hn stays inside the r product: n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
    gh = h.mm(w_hh_t) if b_hh is None else rstorch.addmm(b_hh, h, w_hh_t)
    x_rz, x_n = x.split([2 * h.shape[1], h.shape[1]], 1)
    h_rz, h_n = gh.split([2 * h.shape[1], h.shape[1]], 1)
    r, z = rstorch.sigmoid(x_rz + h_rz).chunk(2, 1)
    n = rstorch.tanh(x_n + r * h_n)
    return n + z * (h - n), None


_STEPS = {"RNN_TANH": _tanh_step, "RNN_RELU": _relu_step, "LSTM": _lstm_step, "GRU": _gru_step}


def _projection_bias(mode, b_ih, b_hh):
    """The bias added with the input projection: b_ih + b_hh, except for GRU, whose b_hh must
    stay apart (b_hn is multiplied by r)."""
    if b_ih is None:
        return None
    return b_ih if mode == "GRU" else b_ih + b_hh


def _run_direction(step, xs, h, c, w_hh_t, b_hh, w_hr_t, batch_sizes, reverse):
    """Runs the recurrence over the per-step projections `xs` (time order). batch_sizes is None
    for a constant batch, else the packed batch sizes (non-increasing Python ints). Returns the
    outputs (time order), the final h and c (full batch)."""
    outs = []
    n = len(xs)
    if batch_sizes is None:
        order = range(n - 1, -1, -1) if reverse else range(n)
        for t in order:
            h, c = step(xs[t], h, c, w_hh_t, b_hh, w_hr_t)
            outs.append(h)
        if reverse:
            outs.reverse()
        return outs, h, c
    if not reverse:
        saved_h, saved_c = [], []
        cur = batch_sizes[0]
        for t in range(n):
            bs = batch_sizes[t]
            if bs < cur:
                saved_h.append(h[bs:cur])
                h = h[:bs]
                if c is not None:
                    saved_c.append(c[bs:cur])
                    c = c[:bs]
                cur = bs
            h, c = step(xs[t], h, c, w_hh_t, b_hh, w_hr_t)
            outs.append(h)
        saved_h.append(h)
        h = rstorch.cat(saved_h[::-1]) if len(saved_h) > 1 else h
        if c is not None:
            saved_c.append(c)
            c = rstorch.cat(saved_c[::-1]) if len(saved_c) > 1 else c
        return outs, h, c
    h_full, c_full = h, c
    cur = batch_sizes[-1]
    h = h_full[:cur]
    c = c_full[:cur] if c_full is not None else None
    for t in range(n - 1, -1, -1):
        bs = batch_sizes[t]
        if bs > cur:
            h = rstorch.cat([h, h_full[cur:bs]])
            if c is not None:
                c = rstorch.cat([c, c_full[cur:bs]])
            cur = bs
        h, c = step(xs[t], h, c, w_hh_t, b_hh, w_hr_t)
        outs.append(h)
    outs.reverse()
    return outs, h, c


class RNNBase(Module):
    """The stack of layers shared by RNN, LSTM and GRU (mode 'RNN_TANH', 'RNN_RELU', 'LSTM' or
    'GRU'); parameters weight_ih_l{k}[_reverse], weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}
    and (LSTM with proj_size) weight_hr_l{k}, registered in torch's order."""

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
                     "bidirectional", "proj_size"]

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        factory_kwargs = {"device": device, "dtype": dtype}
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1

        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}", stacklevel=2)
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(f"batch_first should be of type bool, got: {type(batch_first).__name__}")
        if not isinstance(input_size, int):
            raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")

        if mode == "LSTM":
            gate_size = 4 * hidden_size
        elif mode == "GRU":
            gate_size = 3 * hidden_size
        elif mode in ("RNN_TANH", "RNN_RELU"):
            gate_size = hidden_size
        else:
            raise ValueError("Unrecognized RNN mode: " + mode)

        self._flat_weights_names = []
        self._all_weights = []
        real_hidden_size = proj_size if proj_size > 0 else hidden_size
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input_size = input_size if layer == 0 else real_hidden_size * num_directions
                suffix = "_reverse" if direction == 1 else ""
                params = [("weight_ih", (gate_size, layer_input_size)), ("weight_hh", (gate_size, real_hidden_size))]
                if bias:
                    params += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    params += [("weight_hr", (proj_size, hidden_size))]
                names = []
                for base, shape in params:
                    name = f"{base}_l{layer}{suffix}"
                    setattr(self, name, Parameter(rstorch.empty(shape, **factory_kwargs)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def flatten_parameters(self):
        """A no-op (torch packs the weights for cuDNN here)."""

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def _flat_weights(self):
        return [getattr(self, name, None) for name in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, weight) for weight in weights] for weights in self._all_weights]

    def check_input(self, input, batch_sizes):
        weight_dtype = getattr(self, self._flat_weights_names[0]).dtype
        if input.dtype != weight_dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight_dtype}). "
                             f"Convert input: input.to({weight_dtype}), or convert model: model.to({input.dtype})")
        expected_input_dim = 2 if batch_sizes is not None else 3
        if input.dim() != expected_input_dim:
            raise RuntimeError(f"input must have {expected_input_dim} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError("input.size(-1) must be equal to input_size. "
                               f"Expected {self.input_size}, got {input.size(-1)}")

    def get_expected_hidden_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        size = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * num_directions, mini_batch, size)

    def check_hidden_size(self, hx, expected_hidden_size, msg="Expected hidden size {}, got {}"):
        if tuple(hx.size()) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.size())))

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return _apply_permutation(hx, permutation)

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    def _zeros_hidden(self, input, max_batch_size, size):
        num_directions = 2 if self.bidirectional else 1
        return rstorch.zeros(self.num_layers * num_directions, max_batch_size, size, dtype=input.dtype,
                             device=input.device)

    def _run(self, input, hx, cx, batch_sizes):
        """The stacked recurrence. input: (T, B, I) (batch_first already undone) or packed data
        (N, I) with batch_sizes (a list of ints); hx (L*D, B, H_out), cx (L*D, B, H) or None.
        Returns output ((T, B, D*H_out) or (N, D*H_out)), h_n, c_n (or None)."""
        if batch_sizes is None and input.size(0) == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        step = _STEPS[self.mode]
        num_directions = 2 if self.bidirectional else 1
        names = self._all_weights
        h_n, c_n = [], []
        layer_input = input
        for layer in range(self.num_layers):
            dir_outputs = []
            for direction in range(num_directions):
                idx = layer * num_directions + direction
                weights = [getattr(self, name) for name in names[idx]]
                w_ih, w_hh = weights[0], weights[1]
                b_ih, b_hh = (weights[2], weights[3]) if self.bias else (None, None)
                w_hr = weights[-1] if self.proj_size > 0 else None
                proj = F.linear(layer_input, w_ih, _projection_bias(self.mode, b_ih, b_hh))
                xs = proj.unbind(0) if batch_sizes is None else proj.split(batch_sizes, 0)
                outs, h, c = _run_direction(step, xs, hx[idx], None if cx is None else cx[idx], w_hh.t(),
                                            b_hh if self.mode == "GRU" else None,
                                            None if w_hr is None else w_hr.t(), batch_sizes, direction == 1)
                dir_outputs.append(rstorch.stack(outs) if batch_sizes is None else rstorch.cat(outs))
                h_n.append(h)
                if c is not None:
                    c_n.append(c)
            layer_output = dir_outputs[0] if num_directions == 1 else rstorch.cat(dir_outputs, -1)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                layer_output = F.dropout(layer_output, p=self.dropout, training=True)
            layer_input = layer_output
        return layer_input, rstorch.stack(h_n), (rstorch.stack(c_n) if c_n else None)

    def _forward_impl(self, input, hx, batch_sizes):
        """input: the (batch-first or time-major) 3-D tensor or packed data; returns output in the
        same layout, h_n, c_n."""
        if batch_sizes is not None:
            sizes = batch_sizes.tolist()
            return self._run(input, hx[0] if self.mode == "LSTM" else hx, hx[1] if self.mode == "LSTM" else None,
                             sizes)
        x = input.transpose(0, 1) if self.batch_first else input
        h, c = (hx[0], hx[1]) if self.mode == "LSTM" else (hx, None)
        out, h_n, c_n = self._run(x, h, c, None)
        if self.batch_first:
            out = out.transpose(0, 1)
        return out, h_n, c_n

    def _replicate_for_data_parallel(self):
        replica = super()._replicate_for_data_parallel()
        replica._flat_weights_names = replica._flat_weights_names[:]
        return replica


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu)."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)

    def forward(self, input, hx=None):
        return _forward_single_state(self, "RNN", input, hx)


def _forward_single_state(self, label, input, hx):
    """RNN and GRU forward (one state tensor), as torch's RNN.forward / GRU.forward."""
    orig_input = input
    PackedSequence = _packed_sequence()
    if isinstance(orig_input, PackedSequence):
        input, batch_sizes, sorted_indices, unsorted_indices = input
        max_batch_size = int(batch_sizes[0])
        if hx is None:
            hx = self._zeros_hidden(input, max_batch_size, self.hidden_size)
        else:
            hx = self.permute_hidden(hx, sorted_indices)
    else:
        batch_sizes = None
        if input.dim() not in (2, 3):
            got = f"{input.dim()}D tensor" if label == "RNN" else f"{input.dim()}D"
            raise ValueError(f"{label}: Expected input to be 2D or 3D, got {got} instead")
        is_batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not is_batched:
            input = input.unsqueeze(batch_dim)
            if hx is not None:
                if hx.dim() != 2:
                    raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got {hx.dim()}-D tensor")
                hx = hx.unsqueeze(1)
        elif hx is not None and hx.dim() != 3:
            raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor")
        max_batch_size = input.size(0) if self.batch_first else input.size(1)
        sorted_indices = None
        unsorted_indices = None
        if hx is None:
            hx = self._zeros_hidden(input, max_batch_size, self.hidden_size)
    self.check_forward_args(input, hx, batch_sizes)
    output, hidden, _ = self._forward_impl(input, hx, batch_sizes)
    if isinstance(orig_input, PackedSequence):
        return PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices), \
            self.permute_hidden(hidden, unsorted_indices)
    if not is_batched:
        output = output.squeeze(batch_dim)
        hidden = hidden.squeeze(1)
    return output, self.permute_hidden(hidden, unsorted_indices)


class LSTM(RNNBase):
    """Long short-term memory; gates i, f, g, o in that order in weight_ih/weight_hh; with
    proj_size > 0 the hidden state is projected by weight_hr (h_t = W_hr (o * tanh(c_t)))."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input, batch_sizes):
        layers, mini_batch, _ = self.get_expected_hidden_size(input, batch_sizes)
        return (layers, mini_batch, self.hidden_size)

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return _apply_permutation(hx[0], permutation), _apply_permutation(hx[1], permutation)

    def forward(self, input, hx=None):
        orig_input = input
        PackedSequence = _packed_sequence()
        batch_sizes = None
        real_hidden_size = self.proj_size if self.proj_size > 0 else self.hidden_size
        if isinstance(orig_input, PackedSequence):
            input, batch_sizes, sorted_indices, unsorted_indices = input
            max_batch_size = int(batch_sizes[0])
            if hx is None:
                hx = (self._zeros_hidden(input, max_batch_size, real_hidden_size),
                      self._zeros_hidden(input, max_batch_size, self.hidden_size))
            else:
                hx = self.permute_hidden(hx, sorted_indices)
            # torch reads past a wrongly sized hx here; check it instead
            self.check_forward_args(input, hx, batch_sizes)
        else:
            if input.dim() not in (2, 3):
                raise ValueError(f"LSTM: Expected input to be 2D or 3D, got {input.dim()}D instead")
            is_batched = input.dim() == 3
            batch_dim = 0 if self.batch_first else 1
            if not is_batched:
                input = input.unsqueeze(batch_dim)
            max_batch_size = input.size(0) if self.batch_first else input.size(1)
            sorted_indices = None
            unsorted_indices = None
            if hx is None:
                hx = (self._zeros_hidden(input, max_batch_size, real_hidden_size),
                      self._zeros_hidden(input, max_batch_size, self.hidden_size))
                self.check_forward_args(input, hx, batch_sizes)
            else:
                if is_batched:
                    if hx[0].dim() != 3 or hx[1].dim() != 3:
                        raise RuntimeError("For batched 3-D input, hx and cx should also be 3-D but got "
                                           f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
                else:
                    if hx[0].dim() != 2 or hx[1].dim() != 2:
                        raise RuntimeError("For unbatched 2-D input, hx and cx should also be 2-D but got "
                                           f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
                    hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
                self.check_forward_args(input, hx, batch_sizes)
                hx = self.permute_hidden(hx, sorted_indices)
        output, h_n, c_n = self._forward_impl(input, hx, batch_sizes)
        hidden = (h_n, c_n)
        if isinstance(orig_input, PackedSequence):
            return PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices), \
                self.permute_hidden(hidden, unsorted_indices)
        if not is_batched:
            output = output.squeeze(batch_dim)
            hidden = (hidden[0].squeeze(1), hidden[1].squeeze(1))
        return output, self.permute_hidden(hidden, unsorted_indices)


class GRU(RNNBase):
    """Gated recurrent unit; gates r, z, n in that order; n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),
    h' = (1 - z) * n + z * h."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx=None):
        return _forward_single_state(self, "GRU", input, hx)


# ---- cells ----------------------------------------------------------------------------------

def _check_cell_input(input, input_size):
    if input.size(1) != input_size:
        raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected {input_size}")


def _check_cell_hidden(input, hx, hidden_size, label):
    if hx.dim() != 2:
        raise RuntimeError(f"Expected 2D hidden{label} (batch x hidden_size), but got {hx.dim()}D tensor")
    if input.size(0) != hx.size(0):
        raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{label} batch size {hx.size(0)}")
    if hx.size(1) != hidden_size:
        raise RuntimeError(f"hidden{label} has inconsistent hidden_size: got {hx.size(1)}, expected {hidden_size}")


class RNNCellBase(Module):
    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        factory_kwargs = {"device": device, "dtype": dtype}
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(rstorch.empty((num_chunks * hidden_size, input_size), **factory_kwargs))
        self.weight_hh = Parameter(rstorch.empty((num_chunks * hidden_size, hidden_size), **factory_kwargs))
        if bias:
            self.bias_ih = Parameter(rstorch.empty(num_chunks * hidden_size, **factory_kwargs))
            self.bias_hh = Parameter(rstorch.empty(num_chunks * hidden_size, **factory_kwargs))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _cell(self, mode, input, h, c):
        _check_cell_input(input, self.input_size)
        _check_cell_hidden(input, h, self.hidden_size, 0)
        if c is not None:
            _check_cell_hidden(input, c, self.hidden_size, 1)
        x = F.linear(input, self.weight_ih, _projection_bias(mode, self.bias_ih, self.bias_hh))
        return _STEPS[mode](x, h, c, self.weight_hh.t(), self.bias_hh if mode == "GRU" else None, None)


def _cell_forward_single(self, label, mode, input, hx):
    if input.dim() not in (1, 2):
        raise ValueError(f"{label}: Expected input to be 1D or 2D, got {input.dim()}D instead")
    if hx is not None and hx.dim() not in (1, 2):
        raise ValueError(f"{label}: Expected hidden to be 1D or 2D, got {hx.dim()}D instead")
    is_batched = input.dim() == 2
    if not is_batched:
        input = input.unsqueeze(0)
    if hx is None:
        hx = rstorch.zeros(input.size(0), self.hidden_size, dtype=input.dtype, device=input.device)
    else:
        hx = hx.unsqueeze(0) if not is_batched else hx
    if mode is None:
        raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
    ret = self._cell(mode, input, hx, None)[0]
    if not is_batched:
        ret = ret.squeeze(0)
    return ret


class RNNCell(RNNCellBase):
    """One Elman RNN step: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu)."""

    __constants__ = ["input_size", "hidden_size", "bias", "nonlinearity"]

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        factory_kwargs = {"device": device, "dtype": dtype}
        super().__init__(input_size, hidden_size, bias, num_chunks=1, **factory_kwargs)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        mode = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}.get(self.nonlinearity)
        return _cell_forward_single(self, "RNNCell", mode, input, hx)


class LSTMCell(RNNCellBase):
    """One LSTM step; returns (h', c')."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        factory_kwargs = {"device": device, "dtype": dtype}
        super().__init__(input_size, hidden_size, bias, num_chunks=4, **factory_kwargs)

    def forward(self, input, hx=None):
        if input.dim() not in (1, 2):
            raise ValueError(f"LSTMCell: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None:
            for idx, value in enumerate(hx):
                if value.dim() not in (1, 2):
                    raise ValueError(f"LSTMCell: Expected hx[{idx}] to be 1D or 2D, got {value.dim()}D instead")
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
        if hx is None:
            zeros = rstorch.zeros(input.size(0), self.hidden_size, dtype=input.dtype, device=input.device)
            hx = (zeros, zeros)
        else:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0)) if not is_batched else hx
        ret = self._cell("LSTM", input, hx[0], hx[1])
        if not is_batched:
            ret = (ret[0].squeeze(0), ret[1].squeeze(0))
        return ret


class GRUCell(RNNCellBase):
    """One GRU step: gates r, z, n; n = tanh(W_in x + b_in + r * (W_hn h + b_hn))."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        factory_kwargs = {"device": device, "dtype": dtype}
        super().__init__(input_size, hidden_size, bias, num_chunks=3, **factory_kwargs)

    def forward(self, input, hx=None):
        return _cell_forward_single(self, "GRUCell", "GRU", input, hx)
