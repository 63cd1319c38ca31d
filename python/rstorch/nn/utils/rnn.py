"""Packed and padded variable-length sequences (torch.nn.utils.rnn).

A PackedSequence holds the time steps of a batch of sequences sorted by decreasing length,
step after step: `data` is (sum(lengths), *) and `batch_sizes[t]` is how many sequences are
still running at step t. Packing and padding are index_select gathers, so gradients flow
through both.
"""

from collections.abc import Iterable
from typing import NamedTuple, Optional

import rstorch

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "unpad_sequence", "pack_sequence", "unpack_sequence"]


class PackedSequence_(NamedTuple):
    data: "rstorch.Tensor"
    batch_sizes: "rstorch.Tensor"
    sorted_indices: Optional["rstorch.Tensor"]
    unsorted_indices: Optional["rstorch.Tensor"]


def bind(optional, fn):
    if optional is None:
        return None
    return fn(optional)


class PackedSequence(PackedSequence_):
    """(data, batch_sizes, sorted_indices, unsorted_indices); build it with pack_padded_sequence
    or pack_sequence, not by hand."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        return super().__new__(cls, *_packed_sequence_init_args(data, batch_sizes, sorted_indices, unsorted_indices))

    def pin_memory(self):
        return type(self)(self.data.pin_memory(), self.batch_sizes, bind(self.sorted_indices, lambda t: t.pin_memory()),
                          bind(self.unsorted_indices, lambda t: t.pin_memory()))

    def to(self, *args, **kwargs):
        """Moves/casts `data` as Tensor.to does; the indices follow data's device (batch_sizes
        stays on the CPU)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        non_blocking = kwargs.get("non_blocking", False)

        def call_to(t):
            return t.to(data.device, non_blocking=non_blocking)

        return type(self)(data, self.batch_sizes, bind(self.sorted_indices, call_to),
                          bind(self.unsorted_indices, call_to))

    def cuda(self, *args, **kwargs):
        ex = rstorch.tensor((), dtype=self.data.dtype, device=self.data.device).to(*args, **kwargs)
        if ex.is_cuda:
            return self.to(*args, **kwargs)
        kwargs["device"] = "cuda"
        return self.to(*args, **kwargs)

    def cpu(self, *args, **kwargs):
        ex = rstorch.tensor((), dtype=self.data.dtype, device=self.data.device).to(*args, **kwargs)
        if ex.device.type == "cpu":
            return self.to(*args, **kwargs)
        kwargs["device"] = "cpu"
        return self.to(*args, **kwargs)

    def double(self):
        return self.to(dtype=rstorch.double)

    def float(self):
        return self.to(dtype=rstorch.float)

    def half(self):
        return self.to(dtype=rstorch.half)

    def long(self):
        return self.to(dtype=rstorch.long)

    def int(self):
        return self.to(dtype=rstorch.int)

    def short(self):
        return self.to(dtype=rstorch.short)

    def char(self):
        return self.to(dtype=rstorch.int8)

    def byte(self):
        return self.to(dtype=rstorch.uint8)

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return self.data.is_pinned()


def _packed_sequence_init_args(data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
    if unsorted_indices is None:
        unsorted_indices = invert_permutation(sorted_indices)
    if batch_sizes is not None:
        if batch_sizes.device.type != "cpu":
            raise ValueError("batch_sizes should always be on CPU. Instances of PackedSequence should never be "
                             "created manually. They should be instantiated by functions like pack_sequence and "
                             "pack_padded_sequences in nn.utils.rnn. "
                             "https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence")
        return data, batch_sizes, sorted_indices, unsorted_indices
    if not (isinstance(data, (list, tuple)) and len(data) == 2):
        raise AssertionError("Expected data to be a list or tuple of length 2")
    return data[0], data[1], sorted_indices, unsorted_indices


def _packed_sequence_init(data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
    data, batch_sizes, sorted_indices, unsorted_indices = _packed_sequence_init_args(
        data, batch_sizes, sorted_indices, unsorted_indices)
    return PackedSequence(data, batch_sizes, sorted_indices, unsorted_indices)


def invert_permutation(permutation):
    """The inverse of a permutation tensor (None for None)."""
    if permutation is None:
        return None
    output = rstorch.empty_like(permutation)
    output.scatter_(0, permutation, rstorch.arange(0, permutation.numel(), device=permutation.device))
    return output


def _pack_padded(input, lengths, batch_first):
    """(data, batch_sizes) of a padded (T, B, *) or (B, T, *) input and sorted int64 lengths, with
    the checks and messages of torch's _pack_padded_sequence."""
    if lengths.dim() != 1 or lengths.device.type != "cpu":
        raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got {lengths.dim()}D "
                           f"{lengths.device.type} Long tensor")
    if input.numel() == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    seq_len, batch_size = (input.size(1), input.size(0)) if batch_first else (input.size(0), input.size(1))
    lens = lengths.tolist()
    if len(lens) != batch_size:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {len(lens)} "
                           f"(batch_size={batch_size})")
    if lens[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    for i in range(batch_size - 1):
        if lens[batch_size - 1 - i] > lens[batch_size - 2 - i]:
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
                               "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence "
                               "to sidestep this requirement if you do not need ONNX exportability.")
    if lens[0] > seq_len:
        # torch reads past the end of the input here; refuse instead
        raise RuntimeError(f"Expected all lengths to be at most the padded sequence length {seq_len}, "
                           f"but got a length of {lens[0]}")
    # mask[t, b]: sequence b is still running at step t; its nonzero positions, row by row, are the
    # packed order (step after step), and flat_pos the matching rows of the padded input
    t_idx = rstorch.arange(lens[0]).unsqueeze(1)
    b_idx = rstorch.arange(batch_size).unsqueeze(0)
    mask = t_idx < lengths.unsqueeze(0)
    flat_pos = b_idx * seq_len + t_idx if batch_first else t_idx * batch_size + b_idx
    flat = input.reshape((batch_size * seq_len,) + tuple(input.shape[2:]))
    data = flat.index_select(0, flat_pos[mask].to(input.device))
    return data, mask.sum(1)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Packs a padded batch (T, B, *) (or (B, T, *) with batch_first) of sequences of the given
    lengths; with enforce_sorted=False the lengths may come in any order (the batch is sorted and
    the permutation kept)."""
    if not isinstance(lengths, rstorch.Tensor):
        lengths = rstorch.as_tensor(lengths, dtype=rstorch.int64, device="cpu")
    else:
        lengths = lengths.to(dtype=rstorch.int64)
    if enforce_sorted:
        sorted_indices = None
    else:
        lengths, sorted_indices = rstorch.sort(lengths, descending=True)
        sorted_indices = sorted_indices.to(input.device)
        batch_dim = 0 if batch_first else 1
        input = input.index_select(batch_dim, sorted_indices)
    data, batch_sizes = _pack_padded(input, lengths, batch_first)
    return _packed_sequence_init(data, batch_sizes, sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """The inverse of pack_padded_sequence: (padded (T, B, *) or (B, T, *), lengths int64)."""
    max_seq_length = sequence.batch_sizes.size(0)
    if total_length is not None:
        if total_length < max_seq_length:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, "
                             f"but got total_length={total_length} and max sequence length being {max_seq_length}")
        max_seq_length = total_length
    data = sequence.data
    batch_sizes = sequence.batch_sizes
    steps = batch_sizes.size(0)
    batch_size = int(batch_sizes[0])
    # every padded position (t, b) reads its packed row offsets[t] + b, or row n (the padding row
    # appended to data) where sequence b has ended
    offsets = batch_sizes.cumsum(0) - batch_sizes
    if max_seq_length > steps:
        extra = rstorch.zeros(max_seq_length - steps, dtype=rstorch.int64)
        batch_sizes, offsets = rstorch.cat([batch_sizes, extra]), rstorch.cat([offsets, extra])
    b_idx = rstorch.arange(batch_size).unsqueeze(0)
    mask = b_idx < batch_sizes.unsqueeze(1)
    source = rstorch.where(mask, offsets.unsqueeze(1) + b_idx, data.size(0))  # (max_seq_length, B)
    shape = (max_seq_length, batch_size)
    if batch_first:
        source, shape = source.t(), (batch_size, max_seq_length)
    trailing = tuple(data.shape[1:])
    pad_row = rstorch.full((1,) + trailing, padding_value, dtype=data.dtype, device=data.device)
    padded_output = rstorch.cat([data, pad_row]).index_select(
        0, source.reshape(-1).to(data.device)).reshape(shape + trailing)
    lengths = mask.sum(0)
    unsorted_indices = sequence.unsorted_indices
    if unsorted_indices is not None:
        batch_dim = 0 if batch_first else 1
        return padded_output.index_select(batch_dim, unsorted_indices), lengths[unsorted_indices.cpu()]
    return padded_output, lengths


def _broadcast_error(a, b):
    """torch's copy_ message when shape b cannot be copied into shape a (None when it can)."""
    ndim = max(len(a), len(b))
    for k in range(ndim - 1, -1, -1):
        ia, ib = k - (ndim - len(a)), k - (ndim - len(b))
        sa = a[ia] if ia >= 0 else 1
        sb = b[ib] if ib >= 0 else 1
        if sa != sb and sa != 1 and sb != 1:
            return f"The size of tensor a ({sa}) must match the size of tensor b ({sb}) at non-singleton dimension {k}"
    if _broadcast(a, b) != tuple(a):
        return f"output with shape {list(a)} doesn't match the broadcast shape {list(_broadcast(a, b))}"
    return None


def _broadcast(a, b):
    ndim = max(len(a), len(b))
    a = (1,) * (ndim - len(a)) + tuple(a)
    b = (1,) * (ndim - len(b)) + tuple(b)
    return tuple(max(x, y) for x, y in zip(a, b))


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stacks sequences of shapes (L_i, *) into (max L, B, *) (or (B, max L, *) with
    batch_first), padding with padding_value on the right (or the left)."""
    if not isinstance(sequences, Iterable):
        raise RuntimeError("pad_sequence: Expected iterable for input sequences, but got arg of type: "
                           f"{type(sequences)}")
    sequences = tuple(sequences)
    if len(sequences) == 0:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    first = sequences[0]
    if first.dim() == 0:
        raise RuntimeError("ArrayRef: invalid slice, N = 1; size = 0")
    trailing = tuple(first.shape[1:])
    max_len = max(s.size(0) for s in sequences)
    padded = []
    for seq in sequences:
        length = seq.size(0) if seq.dim() > 0 else 1
        target = (length,) + trailing
        if tuple(seq.shape) != target:
            err = _broadcast_error(target, tuple(seq.shape))
            if err is not None:
                raise RuntimeError(err)
            seq = seq.expand(target)
        if seq.dtype != first.dtype:
            seq = seq.to(first.dtype)
        if length < max_len:
            pad = rstorch.full((max_len - length,) + trailing, padding_value, dtype=first.dtype, device=first.device)
            seq = rstorch.cat([seq, pad] if padding_side == "right" else [pad, seq])
        padded.append(seq)
    return rstorch.stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of sequences of a padded batch, each cut to its length. (torch transposes a
    time-major input in place here; this leaves it as it was.)"""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[:int(length)] for seq, length in zip(padded_sequences, lengths, strict=True)]


def pack_sequence(sequences, enforce_sorted=True):
    """Packs a list of sequences (L_i, *) (by decreasing length unless enforce_sorted=False)."""
    lengths = rstorch.as_tensor([v.size(0) for v in sequences])
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences of a PackedSequence, in their original order."""
    padded_sequences, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded_sequences, lengths, batch_first=True)
