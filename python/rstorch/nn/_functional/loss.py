"""nn.functional: the losses (cross_entropy's composite form; the fused kernel is fused.py's)."""

import math
import warnings

import rstorch

from ...autograd.function import Function
from .. import _reduction as _Reduction
from ._common import _fmt_float, _scalar_name, _tracked
from .activation import logsigmoid
from .distance import pairwise_distance

__all__ = [
    "l1_loss", "mse_loss", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "smooth_l1_loss", "huber_loss", "soft_margin_loss", "multilabel_soft_margin_loss",
    "multilabel_margin_loss", "multi_margin_loss", "margin_ranking_loss", "hinge_embedding_loss",
    "cosine_embedding_loss", "kl_div", "poisson_nll_loss", "gaussian_nll_loss", "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
]


def _reduction_enum(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        return _Reduction.legacy_get_enum(size_average, reduce)
    return _Reduction.get_enum(reduction)


def _reduction_string(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        return _Reduction.legacy_get_string(size_average, reduce)
    return reduction


def _apply_reduction(loss, enum):
    if enum == 1:
        return loss.mean()
    if enum == 2:
        return loss.sum()
    return loss


def _size_warning(input, target):
    if target.size() != input.size():
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size ({input.size()}). "
                      "This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", stacklevel=3)


def _weighted_pointwise(errors, weight, input, reduction):
    if weight.size() != input.size():
        raise ValueError("Weights and input must have the same size.")
    weighted = errors * weight
    if reduction == "none":
        return weighted
    if reduction == "sum":
        return weighted.sum()
    if reduction == "mean":
        return weighted.sum() / weight.sum()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


def _check_pointwise_dtype(name, input, target):
    dtype = rstorch.result_type(input, target)
    if not dtype.is_floating_point:
        raise NotImplementedError(f"\"{name}\" not implemented for '{_scalar_name(dtype)}'")


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error `|input - target|`."""
    _size_warning(input, target)
    reduction = _reduction_string(size_average, reduce, reduction)
    input, target = rstorch.broadcast_tensors(input, target)
    if weight is not None:
        return _weighted_pointwise((input - target).abs(), weight, input, reduction)
    return _apply_reduction((input - target).abs(), _Reduction.get_enum(reduction))


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error `(input - target)^2`."""
    _size_warning(input, target)
    reduction = _reduction_string(size_average, reduce, reduction)
    input, target = rstorch.broadcast_tensors(input, target)
    if weight is not None:
        return _weighted_pointwise((input - target) ** 2, weight, input, reduction)
    enum = _Reduction.get_enum(reduction)
    _check_pointwise_dtype("mse_cpu", input, target)
    d = input - target
    return _apply_reduction(d * d, enum)


def _check_nll_weight(weight, input, n_classes, prefix=""):
    if weight is None:
        return
    if not (weight.dim() == 1 and weight.numel() == n_classes):
        raise RuntimeError(f"{prefix}weight tensor should be defined either for all {n_classes} classes or no "
                           f"classes but got weight tensor of shape: {list(weight.shape)}")


def _nll_core(logp, target, weight, enum, ignore_index):
    """NLL of (N, C, *) log-probabilities against (N, *) class indices, checked like torch's
    kernels: Long or Byte targets, weight of input's dtype, labels in [0, C) unless ignored."""
    if target.dtype not in (rstorch.int64, rstorch.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_scalar_name(target.dtype)}")
    if weight is not None and weight.dtype != logp.dtype:
        raise RuntimeError(f"expected scalar type {_scalar_name(logp.dtype)} but found {_scalar_name(weight.dtype)}")
    if weight is not None and _tracked(weight):
        raise RuntimeError("The function 'nll_loss_forward' is not differentiable with respect to argument 'weight'. "
                           "This input cannot have requires_grad True.")
    if target.dtype != rstorch.int64:
        target = target.long()
    n_classes = logp.shape[1]
    ignored = None
    if target.numel():
        lo, hi = rstorch.aminmax(target)
        lo, hi = int(lo), int(hi)
        if lo <= ignore_index <= hi:
            ignored = target == ignore_index
        if lo < 0 or hi >= n_classes:
            bad = (target < 0) | (target >= n_classes)
            if ignored is not None:
                bad &= ~ignored
            if bad.any():
                raise IndexError(f"Target {int(target[bad][0])} is out of bounds.")
    safe = target if ignored is None else target.masked_fill(ignored, 0)
    picked = -logp.gather(1, safe.unsqueeze(1)).squeeze(1)
    if weight is None:
        if ignored is None:
            return _apply_reduction(picked, enum)
        loss = picked.masked_fill(ignored, 0.0)
        if enum == 1:
            return loss.sum() / (~ignored).sum().to(loss.dtype)
        return _apply_reduction(loss, enum)
    w = weight.index_select(0, safe.reshape(-1)).view(safe.shape)
    if ignored is not None:
        w = w.masked_fill(ignored, 0.0)
    loss = picked * w
    if ignored is not None:
        loss = loss.masked_fill(ignored, 0.0)
    if enum == 1:
        return loss.sum() / w.sum()
    return _apply_reduction(loss, enum)


def _nll_loss_nd(input, target, weight, enum, ignore_index):
    nd = input.dim()
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    if nd == 1 and target.dim() == 1 and target.shape[0] != 1:
        raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {target.shape[0]}")
    if nd != 1 and input.shape[0] != (target.shape[0] if target.dim() else 0):
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                         f"({target.shape[0] if target.dim() else 0}).")
    if nd <= 2:
        if target.dim() > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if nd == 2 and input.shape[0] != target.shape[0]:
            raise RuntimeError(f"size mismatch (got input: {list(input.shape)}, target: {list(target.shape)})")
        _check_nll_weight(weight, input, input.shape[-1])
        if nd == 1:
            out = _nll_core(input.unsqueeze(0), target.reshape(1), weight, enum, ignore_index)
            return out.squeeze(0) if enum == 0 else out
        return _nll_core(input, target, weight, enum, ignore_index)
    if nd == 4:
        if target.dim() != 3:
            raise RuntimeError("only batches of spatial targets supported (3D tensors) but got targets of "
                               f"dimension: {target.dim()}")
        if weight is not None and weight.numel() != input.shape[1]:
            raise RuntimeError("weight tensor should be defined either for all or no classes")
        if tuple(target.shape) != (input.shape[0],) + tuple(input.shape[2:]):
            raise RuntimeError(f"size mismatch (got input: {list(input.shape)} , target: {list(target.shape)}")
        return _nll_core(input, target, weight, enum, ignore_index)
    out_size = [input.shape[0]] + list(input.shape[2:])
    if list(target.shape[1:]) != out_size[1:]:
        raise RuntimeError(f"Expected target size {out_size}, got {list(target.shape)}")
    if weight is not None and weight.numel() != input.shape[1]:
        raise RuntimeError("weight tensor should be defined either for all or no classes")
    return _nll_core(input, target, weight, enum, ignore_index)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log likelihood of class indices: `-input[n, target[n]]` (times `weight[target[n]]`)."""
    enum = _Reduction.get_enum(_reduction_string(size_average, reduce, reduction))
    return _nll_loss_nd(input, target, weight, enum, ignore_index)


def _class_view(weight, nd, class_dim):
    if nd <= 1:
        return weight
    shape = [1] * nd
    shape[class_dim] = weight.shape[0]
    return weight.view(shape)


def _cross_entropy_prob(input, target, weight, enum, label_smoothing):
    class_dim = 0 if input.dim() == 1 else 1
    n_classes = input.shape[class_dim]
    _check_nll_weight(weight, input, n_classes, "cross_entropy: ")
    logp = input.log_softmax(class_dim)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {_fmt_float(label_smoothing)}")
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    prod = logp * target
    if weight is not None:
        prod = prod * _class_view(weight, input.dim(), class_dim)
    if enum == 1:
        if input.numel() == 0:
            return -prod.sum() * math.nan
        return -prod.sum() / (input.numel() // n_classes)
    if enum == 2:
        return -prod.sum()
    return -prod.sum(class_dim)


def _cross_entropy_smooth(input, target, weight, enum, ignore_index, label_smoothing):
    class_dim = 0 if input.dim() == 1 else 1
    logp = input.log_softmax(class_dim)
    nll = _nll_loss_nd(logp, target, weight, enum, ignore_index)
    n_classes = logp.shape[class_dim]
    ignore_mask = target == ignore_index
    if weight is not None:
        smooth = -(logp * _class_view(weight, logp.dim(), class_dim)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    smooth = smooth.masked_fill(ignore_mask, 0.0)
    if enum == 1:
        if weight is not None:
            kept = target.masked_select(~ignore_mask).reshape(-1).long()
            ret = smooth.sum() / weight.gather(0, kept).sum()
        else:
            ret = smooth.sum() / (~ignore_mask).sum()
    elif enum == 2:
        ret = smooth.sum()
    else:
        ret = smooth
    return (1 - label_smoothing) * nll + ret * (label_smoothing / n_classes)


def _cross_entropy_composite(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                             reduction="mean", label_smoothing=0.0):
    """cross_entropy composed of log_softmax and nll_loss: the calls the fused kernel does not
    take (probability targets, legacy reductions, other dtypes) and torch's argument errors."""
    enum = _Reduction.get_enum(_reduction_string(size_average, reduce, reduction))
    if input.shape == target.shape:
        if not target.is_floating_point():
            raise RuntimeError("Expected floating point type for target with class probabilities, got "
                               f"{_scalar_name(target.dtype)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _cross_entropy_prob(input, target, weight, enum, label_smoothing)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {_fmt_float(label_smoothing)}")
        return _cross_entropy_smooth(input, target, weight, enum, ignore_index, label_smoothing)
    class_dim = 0 if input.dim() == 1 else 1
    return _nll_loss_nd(input.log_softmax(class_dim), target, weight, enum, ignore_index)


class _BinaryCrossEntropy(Function):
    """Elementwise `-w (y log x + (1 - y) log(1 - x))`, logs clamped at -100, with torch's
    gradient `w (x - y) / max(x (1 - x), 1e-12)` (finite at x = 0 and 1, where the composite's
    is not)."""

    @staticmethod
    def forward(ctx, input, target, weight):
        ctx.save_for_backward(input, target, weight)
        return _bce_value(input, target, weight)

    @staticmethod
    def backward(ctx, grad):
        input, target, weight = ctx.saved_tensors
        g_in = g_t = None
        if ctx.needs_input_grad[0]:
            g_in = grad * (input - target) / ((1 - input) * input).clamp_min(1e-12)
            if weight is not None:
                g_in = g_in * weight
        if ctx.needs_input_grad[1]:
            g_t = grad * ((-input).log1p() - input.log())
            if weight is not None:
                g_t = g_t * weight
        g_w = grad * (_bce_value(input, target, None)) if ctx.needs_input_grad[2] else None
        return g_in, g_t, g_w


def _bce_value(input, target, weight):
    loss = (target - 1) * (-input).log1p().clamp_min(-100) - target * input.log().clamp_min(-100)
    return loss if weight is None else loss * weight


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Binary cross entropy between probabilities `input` and targets in [0, 1]."""
    enum = _reduction_enum(size_average, reduce, reduction)
    if target.size() != input.size():
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input size "
                         f"({input.size()}) is deprecated. Please ensure they have the same size.")
    if weight is not None:
        weight = weight.expand(rstorch.broadcast_shapes(target.size(), weight.size()))
    if target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {_scalar_name(target.dtype)} but expected {_scalar_name(input.dtype)}")
    if input.numel():
        if not bool(((input >= 0) & (input <= 1)).all()):
            raise RuntimeError("all elements of input should be between 0 and 1")
        if not bool(((target >= 0) & (target <= 1)).all()):
            raise RuntimeError("all elements of target should be between 0 and 1")
    if _tracked(input) or _tracked(target) or (weight is not None and _tracked(weight)):
        loss = _BinaryCrossEntropy.apply(input, target, weight)
    else:
        loss = _bce_value(input, target, weight)
    return _apply_reduction(loss, enum)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    """`binary_cross_entropy(sigmoid(input), target)` computed stably from the logits, with a
    weight `pos_weight` on the positive term."""
    enum = _reduction_enum(size_average, reduce, reduction)
    if not target.size() == input.size():
        raise ValueError(f"Target size ({target.size()}) must be the same as input size ({input.size()})")
    dtype = rstorch.result_type(input, target)
    if not dtype.is_floating_point or (target.dtype != dtype and not target.is_floating_point()):
        raise RuntimeError(f"result type {_scalar_name(dtype)} can't be cast to the desired output type "
                           f"{_scalar_name(target.dtype)}")
    log_sig = logsigmoid(input)
    if pos_weight is not None:
        log_sig = log_sig * ((pos_weight - 1) * target + 1)
    loss = (1 - target) * input - log_sig
    if weight is not None:
        loss = loss * weight
    return _apply_reduction(loss, enum)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """`0.5 d^2 / beta` where `|d| < beta`, else `|d| - 0.5 beta` (d = input - target)."""
    _size_warning(input, target)
    reduction = _reduction_string(size_average, reduce, reduction)
    input, target = rstorch.broadcast_tensors(input, target)
    enum = _Reduction.get_enum(reduction)
    if beta == 0.0:
        return _apply_reduction((input - target).abs(), enum)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    d = input - target
    ad = d.abs()
    loss = rstorch.where(ad < beta, d * d * (0.5 / beta), ad - 0.5 * beta)
    return _apply_reduction(loss, enum)


def _huber(d, delta):
    ad = d.abs()
    return rstorch.where(ad < delta, d * d * 0.5, (ad - 0.5 * delta) * delta)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """`0.5 d^2` where `|d| < delta`, else `delta (|d| - 0.5 delta)` (d = input - target)."""
    _size_warning(input, target)
    input, target = rstorch.broadcast_tensors(input, target)
    if weight is None:
        enum = _Reduction.get_enum(reduction)
        if delta <= 0:
            raise RuntimeError("huber_loss does not support non-positive values for delta.")
        return _apply_reduction(_huber(input - target, delta), enum)
    if weight.size() != input.size():
        raise ValueError("Weights and input must have the same size.")
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    weighted = _huber(input - target, delta) * weight
    if reduction == "none":
        return weighted
    if reduction == "sum":
        return weighted.sum()
    if reduction == "mean":
        return weighted.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """`log(1 + exp(-target * input))`."""
    enum = _reduction_enum(size_average, reduce, reduction)
    return _apply_reduction((-input * target).exp().log1p(), enum)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Per-class binary logistic loss averaged over the classes."""
    reduction = _reduction_string(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(dim=class_dim) / input.size(class_dim)
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(reduction + " is not valid")


def _margin_shape_check(name_check, input, target):
    nd = input.dim()
    if not ((nd == 2 and input.shape[1] != 0) or (nd == 1 and input.shape[0] != 0) or nd == 0):
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{list(input.shape)}")
    if nd <= 1:
        return 1, (1 if nd == 0 else input.shape[0])
    return input.shape[0], input.shape[1]


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-class multi-label hinge loss: for each sample, the target classes (the entries of
    `target` before the first -1) against every non-target class, `max(0, 1 - (x[y] - x[i]))`,
    summed and divided by the number of classes."""
    enum = _reduction_enum(size_average, reduce, reduction)
    nframe, dim = _margin_shape_check("multilabel", input, target)
    nd = input.dim()
    if nd <= 1:
        if not (target.dim() <= 1 and target.numel() == dim):
            raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                               f"{list(input.shape)}")
    elif not (target.dim() == 2 and target.shape[0] == nframe and target.shape[1] == dim):
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)}")
    if target.dtype != rstorch.int64:
        raise RuntimeError(f"expected scalar type Long but found {_scalar_name(target.dtype)}")
    x = input.reshape(nframe, dim)
    t = target.reshape(nframe, dim)
    valid = (t < 0).cumsum(1) == 0
    if bool((valid & (t >= dim)).any()):
        raise RuntimeError("argument #2 'target' is out of range")
    ts = t.masked_fill(~valid, 0)
    is_target = rstorch.zeros(nframe, dim, dtype=x.dtype, device=x.device).scatter_add(1, ts, valid.to(x.dtype)) > 0
    xt = x.gather(1, ts)
    z = (1 - xt.unsqueeze(2) + x.unsqueeze(1)).relu()
    mask = valid.unsqueeze(2) & ~is_target.unsqueeze(1)
    loss = (z * mask).sum((1, 2)) / dim
    if enum == 0:
        return loss.reshape(()) if target.dim() <= 1 else loss
    return _apply_reduction(loss, enum)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """Multi-class hinge loss: `sum_{i != y} max(0, margin - x[y] + x[i])^p / C` per sample."""
    enum = _reduction_enum(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    nframe, dim = _margin_shape_check("multi", input, target)
    if not (target.dim() <= 1 and target.numel() == nframe):
        raise RuntimeError("multi_margin_loss: target tensor should be 1-D with size equal to the number of input "
                           f"samples (batch size). Expected target size [{nframe}], but got {list(target.shape)}. "
                           f"Input has shape {list(input.shape)}.")
    if weight is not None and not (weight.dim() <= 1 and weight.numel() == dim):
        raise RuntimeError(f"inconsistent weight size, expected {dim} but got {list(weight.shape)}")
    if target.dtype != rstorch.int64:
        raise RuntimeError(f"expected scalar type Long but found {_scalar_name(target.dtype)}")
    x = input.reshape(nframe, dim)
    t = target.reshape(nframe, 1)
    if t.numel() and bool(((t < 0) | (t >= dim)).any()):
        raise RuntimeError("target out of range")
    z = (margin - x.gather(1, t) + x).relu()
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * weight.index_select(0, t.reshape(-1)).unsqueeze(1)
    loss = z.scatter(1, t, 0.0).sum(1) / dim
    if enum == 0:
        return loss.reshape(()) if target.dim() == 0 else loss
    return _apply_reduction(loss, enum)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """`max(0, -target * (input1 - input2) + margin)`."""
    enum = _reduction_enum(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError("margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} ")
    return _apply_reduction((-target * (input1 - input2) + margin).clamp_min(0), enum)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """`input` where target is 1, `max(0, margin - input)` where it is -1."""
    enum = _reduction_enum(size_average, reduce, reduction)
    zeros = rstorch.zeros_like(input)
    margin_clamp = (margin - input).clamp_min(0)
    loss = rstorch.where(target != 1, margin_clamp, zeros) + rstorch.where(target != -1, input, zeros)
    return _apply_reduction(loss, enum)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """`1 - cos(x1, x2)` where target is 1, `max(0, cos(x1, x2) - margin)` where it is -1."""
    enum = _reduction_enum(size_average, reduce, reduction)
    td = target.dim()
    if td not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if td == 1:
        if not (input1.dim() == 2 and input2.dim() == 2):
            raise RuntimeError("1D target tensor expects 2D input tensors, but found inputs with sizes "
                               f"{list(input1.shape)} and {list(input2.shape)}.")
    elif not (input1.dim() == 1 and input2.dim() == 1):
        raise RuntimeError("0D target tensor expects 1D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    prod_sum = (input1 * input2).sum(td)
    mag1 = (input1 * input1).sum(td) + 1e-12
    mag2 = (input2 * input2).sum(td) + 1e-12
    cos = prod_sum / (mag1 * mag2).sqrt()
    zeros = rstorch.zeros_like(cos)
    loss = rstorch.where(target == 1, 1 - cos, zeros) + rstorch.where(target == -1, (cos - margin).clamp_min(0), zeros)
    return _apply_reduction(loss, enum)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Kullback-Leibler divergence `target * (log target - input)` (input holds log-probabilities;
    target too when `log_target`)."""
    if size_average is not None or reduce is not None:
        enum = _Reduction.legacy_get_enum(size_average, reduce)
    else:
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                          "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                          "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
        enum = _Reduction.get_enum("sum" if reduction == "batchmean" else reduction)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = rstorch.xlogy(target, target) - target * input
    reduced = _apply_reduction(loss, enum)
    if reduction == "batchmean" and input.dim() != 0:
        reduced = reduced / input.size()[0]
    return reduced


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """Poisson negative log likelihood: `exp(input) - target * input` (log_input), else
    `input - target * log(input + eps)`; plus Stirling's term when `full`."""
    if size_average is not None or reduce is not None:
        reduction = _Reduction.legacy_get_string(size_average, reduce)
    if reduction != "none" and reduction != "mean" and reduction != "sum":
        raise ValueError(reduction + " is not a valid value for reduction")
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _apply_reduction(loss, _Reduction.get_enum(reduction))


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Gaussian negative log likelihood `0.5 (log var + (input - target)^2 / var)`."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * rstorch.ones_like(input)
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var.size() != input.size():
        if input.size()[:-1] == var.size():
            var = var.unsqueeze(-1)
        elif input.dim() == var.dim() and sum(y for x, y in zip(input.size(), var.size()) if x != y) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction != "none" and reduction != "mean" and reduction != "sum":
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with rstorch.no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """`max(0, margin + d(a, p) - d(a, n))` with d the p-norm pairwise distance."""
    enum = _reduction_enum(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a_dim, p_dim, n_dim = anchor.dim(), positive.dim(), negative.dim()
    if not (a_dim == p_dim and p_dim == n_dim):
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D inputs")
    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_neg = rstorch.minimum(dist_neg, pairwise_distance(positive, negative, p, eps))
    return _apply_reduction((margin + dist_pos - dist_neg).clamp_min(0), enum)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0,
                                      swap=False, reduction="mean"):
    """triplet_margin_loss with any distance function (pairwise_distance by default)."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a_dim, p_dim, n_dim = anchor.ndim, positive.ndim, negative.ndim
    if not (a_dim == p_dim and p_dim == n_dim):
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D inputs")
    if distance_function is None:
        distance_function = pairwise_distance
    dist_pos = distance_function(anchor, positive)
    dist_neg = distance_function(anchor, negative)
    if swap:
        dist_neg = rstorch.minimum(dist_neg, distance_function(positive, negative))
    loss = (margin + dist_pos - dist_neg).clamp_min(0)
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.mean()
    return loss
