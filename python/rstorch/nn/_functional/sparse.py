"""nn.functional: embedding, embedding_bag, one_hot."""

import warnings

import rstorch

from ..._dtypes import LEGACY
from ...autograd.function import Function
from ._common import _tracked

__all__ = ["embedding", "embedding_bag", "one_hot"]


def _no_grad_embedding_renorm_(weight, input, max_norm, norm_type):
    """Rescales (in place) the rows of `weight` that `input` looks up and whose `norm_type`-norm
    exceeds `max_norm`, to norm `max_norm` (torch's embedding_renorm_)."""
    with rstorch.no_grad():
        idx = input.reshape(-1).unique()
        if idx.numel() == 0:
            return weight
        rows = weight.index_select(0, idx)
        norms = rows.norm(norm_type, 1)
        big = norms > max_norm
        if bool(big.any()):
            scale = (max_norm / (norms.double() + 1e-7)).to(weight.dtype)
            weight.index_copy_(0, idx[big], rows[big] * scale[big].unsqueeze(1))
    return weight


class _EmbeddingScaled(Function):
    """Embedding lookup whose gradient rows are divided by the index's count in the batch
    (scale_grad_by_freq), the padding row's gradient zero."""

    @staticmethod
    def forward(ctx, weight, indices, padding_idx):
        ctx.save_for_backward(indices)
        ctx.num_weights = weight.shape[0]
        ctx.padding_idx = padding_idx
        return weight.index_select(0, indices)

    @staticmethod
    def backward(ctx, grad):
        (indices,) = ctx.saved_tensors
        counts = rstorch.bincount(indices, minlength=ctx.num_weights).to(grad.dtype)
        g = grad / counts.index_select(0, indices).unsqueeze(1)
        if ctx.padding_idx >= 0:
            g = g.masked_fill((indices == ctx.padding_idx).unsqueeze(1), 0.0)
        gw = grad.new_zeros((ctx.num_weights, grad.shape[1])).index_add(0, indices, g)
        return gw, None, None


def _embedding(weight, indices, padding_idx, scale_grad_by_freq):
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    if indices.dtype not in (rstorch.int64, rstorch.int32):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got rstorch.{LEGACY[indices.dtype]} instead (while checking arguments "
                           "for embedding)")
    flat = indices.reshape(-1)
    if scale_grad_by_freq and _tracked(weight):
        if flat.numel() and (int(flat.min()) < 0 or int(flat.max()) >= weight.shape[0]):
            raise IndexError("index out of range in self")
        out = _EmbeddingScaled.apply(weight, flat.long(), padding_idx)
    else:
        out = weight.index_select(0, flat)
        if padding_idx >= 0 and _tracked(weight):
            # the padding row's gradient is zero: its lookups read a detached copy
            out = rstorch.where((flat == padding_idx).unsqueeze(1), out.detach(), out)
    return out.view(tuple(indices.shape) + (weight.shape[1],))


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False):
    """`weight[input]`: rows of the (num_embeddings, embedding_dim) table."""
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = weight.size(0) + padding_idx
    else:
        padding_idx = -1
    if sparse:
        raise NotImplementedError("rstorch.nn.functional.embedding: sparse=True (sparse gradients) is not "
                                  "supported; use sparse=False")
    if max_norm is not None:
        input = input.contiguous()
        _no_grad_embedding_renorm_(weight, input, max_norm, norm_type)
    return _embedding(weight, input, padding_idx, scale_grad_by_freq)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """Sums, means or maxima of bags of embeddings: bags are the rows of a 2-D `input`, or the
    slices of a 1-D `input` that `offsets` starts."""
    if weight.dtype == rstorch.int64 and input.is_floating_point():
        warnings.warn("Argument order of nn.functional.embedding_bag was changed. "
                      "Usage `embedding_bag(weight, input, ...)` is deprecated, "
                      "and should now be `embedding_bag(input, weight, ...)`.", stacklevel=2)
        weight, input = input, weight
    if per_sample_weights is not None and input.size() != per_sample_weights.size():
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, "
                         f"then it must have the same shape as the input ({input.shape})")
    if not weight.dim() == 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {type(offsets)}")
        offsets = rstorch.arange(0, input.numel(), input.size(1), dtype=input.dtype, device=input.device)
        include_last_offset = False
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max":
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if sparse:
            raise ValueError("max mode does not support sparse weights")
    if max_norm is not None:
        _no_grad_embedding_renorm_(weight, input, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
                                  "GitHub.")
    if sparse:
        raise NotImplementedError("rstorch.nn.functional.embedding_bag: sparse=True (sparse gradients) is not "
                                  "supported; use sparse=False")
    if input.dtype not in (rstorch.int64, rstorch.int32) or offsets.dtype not in (rstorch.int64, rstorch.int32):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got rstorch.{LEGACY[input.dtype]} instead (while checking arguments "
                           "for embedding_bag)")
    n = input.numel()
    nb = offsets.numel() - 1 if include_last_offset else offsets.numel()
    offs = offsets.long()
    if offs.numel():
        if int(offs[0]) != 0:
            raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                               f"position 0. However, got {int(offs[0])}\n[ rstorch.LongTensor{{}} ]")
        if int(offs[-1]) > n:
            raise RuntimeError(f"offsets[-1] can not be greater than input's length {n} but got offsets[-1] of "
                               f"{int(offs[-1])}")
    if padding_idx is not None:
        if padding_idx < 0:
            padding_idx += weight.shape[0]
    idx = input.long()
    if n and (int(idx.min()) < 0 or int(idx.max()) >= weight.shape[0]):
        raise IndexError("index out of range in self")
    # bag of each position: the number of bag starts at or before it, minus one
    starts = offs[:nb] if nb >= 0 else offs[:0]
    bag = rstorch.bucketize(rstorch.arange(n, device=input.device), starts, right=True) - 1
    keep = rstorch.arange(n, device=input.device) < int(offs[nb]) if include_last_offset and nb >= 0 else None
    if padding_idx is not None:
        kp = idx != padding_idx
        keep = kp if keep is None else keep & kp
    if keep is not None:
        idx, bag = idx[keep], bag[keep]
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights[keep]
    rows = _embedding(weight, idx, -1, scale_grad_by_freq)
    d = weight.shape[1]
    if mode == "max":
        out = rows.new_zeros((nb, d)).scatter_reduce(0, bag.unsqueeze(1).expand(-1, d), rows, "amax",
                                                     include_self=False)
        return out
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.unsqueeze(1)
    out = rows.new_zeros((nb, d)).index_add(0, bag, rows)
    if mode == "mean":
        counts = rstorch.bincount(bag, minlength=nb).to(out.dtype).clamp_min(1)
        out = out / counts.unsqueeze(1)
    return out


def one_hot(tensor, num_classes=-1):
    """(*, num_classes) int64 tensor, 1 at each entry's class index."""
    if tensor.dtype != rstorch.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    shape = tuple(tensor.shape)
    if tensor.numel() == 0:
        if num_classes <= 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        return rstorch.empty(shape + (num_classes,), dtype=rstorch.int64, device=tensor.device)
    lo, hi = rstorch.aminmax(tensor)
    if int(lo) < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(hi) + 1
    elif int(hi) >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = rstorch.zeros(shape + (num_classes,), dtype=rstorch.int64, device=tensor.device)
    return out.scatter_(-1, tensor.unsqueeze(-1), 1)
