"""`nn.functional`: the layers' functions (torch.nn.functional). Each is a plain function with
torch's signature, defaults and errors, composed from rstorch ops: its gradient comes from the
ops it is made of (a few use a small autograd.Function where torch's backward formula differs
from the composite's at the edges, e.g. binary_cross_entropy at 0 and 1). linear, cross_entropy and
batch_norm are the fused kernels' (_functional/fused.py, imported at the end), which fall back to
the composites here for the calls they do not take (layer_norm too)."""

import math
import struct
import warnings

import rstorch

from .._dtypes import LEGACY
from ..autograd.function import Function
from . import _reduction as _Reduction

__all__ = [
    "linear", "bilinear",
    # activations
    "threshold", "threshold_", "relu", "relu_", "relu6", "elu", "elu_", "selu", "selu_", "celu", "celu_",
    "gelu", "silu", "mish", "prelu", "leaky_relu", "leaky_relu_", "rrelu", "rrelu_", "hardtanh", "hardtanh_",
    "hardsigmoid", "hardswish", "sigmoid", "tanh", "logsigmoid", "softplus", "softsign", "softmax",
    "log_softmax", "softmin", "gumbel_softmax", "tanhshrink", "softshrink", "hardshrink", "glu",
    # dropout
    "dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout",
    # losses
    "l1_loss", "mse_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "smooth_l1_loss", "huber_loss", "soft_margin_loss",
    "multilabel_soft_margin_loss", "multilabel_margin_loss", "multi_margin_loss", "margin_ranking_loss",
    "hinge_embedding_loss", "cosine_embedding_loss", "kl_div", "poisson_nll_loss", "gaussian_nll_loss",
    "triplet_margin_loss", "triplet_margin_with_distance_loss",
    # normalization
    "batch_norm", "instance_norm", "layer_norm", "group_norm", "local_response_norm", "rms_norm",
    # sparse
    "embedding", "embedding_bag", "one_hot",
    # shape and distance
    "pad", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle",
    "cosine_similarity", "pairwise_distance", "normalize",
]


def _scalar_name(dtype):
    """torch's C++ name of a dtype (Float, Double, Long...)."""
    return LEGACY[dtype][:-len("Tensor")]


def _tracked(t):
    return t.requires_grad and rstorch.is_grad_enabled()


def _inplace(input, fn):
    """`input` overwritten with `fn(input)`. When autograd records, fn reads a clone: the ops fn is
    made of may save their operand, which the write would otherwise invalidate (the clone's
    history is input's old history, so the gradient flows through the write to it)."""
    src = input.clone() if _tracked(input) else input
    return input.copy_(fn(src))


def _maybe_inplace(input, inplace, fn):
    return _inplace(input, fn) if inplace else fn(input)


def _empty_like(input):
    """torch's `empty_like(input)` (preserve_format): input's strides when it is dense and
    non-overlapping, else dense strides in input's dim order (so random draws land in the same
    memory order as torch's)."""
    if input.is_contiguous():
        return rstorch.empty(input.shape, dtype=input.dtype, device=input.device)
    sizes, strides = list(input.shape), list(input.stride())
    order = sorted(range(len(sizes)), key=lambda d: (strides[d], sizes[d] != 1), reverse=True)
    dense = [0] * len(sizes)
    acc = 1
    for d in reversed(order):
        dense[d] = acc
        acc *= max(sizes[d], 1)
    return rstorch.empty_strided(sizes, dense, dtype=input.dtype, device=input.device)


def _mm_shape_error(op, input, weight):
    rows = 1
    for s in input.shape[:-1]:
        rows *= s
    return RuntimeError(f"{op}: mat1 and mat2 shapes cannot be multiplied "
                        f"({rows}x{input.shape[-1]} and {weight.shape[1]}x{weight.shape[0]})")


# ---------------------------------------------------------------------- linear

def bilinear(input1, input2, weight, bias=None):
    """`y[..., o] = sum_ij input1[..., i] * weight[o, i, j] * input2[..., j] + bias[o]`."""
    if input1.dim() != input2.dim():
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.dim()} and {input2.dim()}")
    for d in range(input1.dim() - 1):
        if input1.shape[d] != input2.shape[d]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {d}: got "
                               f"{input1.shape[d]} and {input2.shape[d]}")
    if input1.shape[-1] != weight.size(1):
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but "
                           f"expected {weight.size(1)}")
    if input2.shape[-1] != weight.size(2):
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but "
                           f"expected {weight.size(2)}")
    if bias is not None and bias.size(0) != weight.size(0):
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {bias.size(0)} but "
                           f"expected {weight.size(0)}")
    out_f, in1, in2 = weight.shape
    lead = input1.shape[:-1]
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    # (N, in1) @ (in1, out*in2) -> (N, out, in2), then contract in2 with input2
    t = x1.mm(weight.permute(1, 0, 2).reshape(in1, out_f * in2)).view(-1, out_f, in2)
    out = (t * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        out = out + bias
    return out.view(*lead, out_f)


# ---------------------------------------------------------------------- activations
#
# Each is where/clamp arithmetic whose gradient is torch's, subgradients included (relu-like
# kinks take torch's side; the branch not taken is computed on a clamped operand, so an
# overflow there cannot turn the gradient into nan).

def _threshold(input, threshold, value, inplace=False):
    """`input` where `input > threshold`, else `value`."""
    return _maybe_inplace(input, inplace, lambda x: x.masked_fill(x <= threshold, value))


threshold = _threshold


def threshold_(input, threshold, value):
    return _threshold(input, threshold, value, inplace=True)


def relu(input, inplace=False):
    """`max(input, 0)`."""
    return input.relu_() if inplace else rstorch.relu(input)


def relu_(input):
    return input.relu_()


def _hardtanh(x, min_val, max_val):
    # torch's gradient passes strictly inside (min_val, max_val); masked_fill keeps integer dtypes
    return x.masked_fill(x <= min_val, min_val).masked_fill(x >= max_val, max_val)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """`input` clamped to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _maybe_inplace(input, inplace, lambda x: _hardtanh(x, min_val, max_val))


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """`min(max(input, 0), 6)`."""
    return hardtanh(input, 0.0, 6.0, inplace)


def _elu(x, alpha, scale, input_scale):
    neg = (x.clamp_max(0) * input_scale).expm1() * (alpha * scale)
    return rstorch.where(x > 0, x * scale if scale != 1 else x, neg)


def _float_only(name, x):
    if not x.is_floating_point():
        raise NotImplementedError(f"\"{name}\" not implemented for '{_scalar_name(x.dtype)}'")


def elu(input, alpha=1.0, inplace=False):
    """`input` where positive, else `alpha * (exp(input) - 1)`."""
    _float_only("elu_cpu", input)
    return _maybe_inplace(input, inplace, lambda x: _elu(x, alpha, 1.0, 1.0))


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """`scale * elu(input, alpha)` with the self-normalising constants."""
    _float_only("elu_cpu", input)
    return _maybe_inplace(input, inplace, lambda x: _elu(x, _SELU_ALPHA, _SELU_SCALE, 1.0))


def selu_(input):
    return selu(input, inplace=True)


def celu(input, alpha=1.0, inplace=False):
    """`max(0, x) + min(0, alpha * (exp(x / alpha) - 1))`."""
    _float_only("elu_cpu", input)
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _maybe_inplace(input, inplace, lambda x: _elu(x, alpha, 1.0, 1.0 / alpha))


def celu_(input, alpha=1.0):
    return celu(input, alpha, inplace=True)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """`input` where positive, else `negative_slope * input`."""
    _float_only("leaky_relu_cpu", input)
    return _maybe_inplace(input, inplace, lambda x: rstorch.where(x > 0, x, x * negative_slope))


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def prelu(input, weight):
    """leaky_relu with a learnt slope: one for all channels, or one per channel (dim 1)."""
    if input.dtype != weight.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {_scalar_name(input.dtype)} and "
                           f"{_scalar_name(weight.dtype)}")
    nd = input.dim()
    if weight.numel() != 1:
        if nd == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if nd > 1 else 1
        if channels != weight.numel():
            raise RuntimeError("Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                               f"{weight.numel()} and channel size = {channels}.")
    if weight.dim() > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.dim()}")
    w = weight
    if nd != weight.dim():
        shape = [1] * nd
        if nd > 1:
            shape[1] = weight.numel()
        w = weight.reshape(shape)
    return rstorch.where(input > 0, input, w * input)


def _rrelu_train(input, lower, upper, inplace):
    """Training RReLU as torch's CPU kernel draws it: for each element <= 0, in row-major order,
    one double `u * (upper - lower) + lower` (u uniform in [0, 1), the bounds rounded to the
    input's compute type); the other elements keep slope 1."""
    if input.dtype != rstorch.float64:
        lower, upper = (struct.unpack("f", struct.pack("f", v))[0] for v in (lower, upper))
    neg = input <= 0
    count = int(neg.sum())
    u = rstorch.empty(count, dtype=rstorch.float64, device=input.device).uniform_()
    slopes = u * (upper - lower) + lower
    noise = rstorch.ones(input.shape, dtype=input.dtype, device=input.device)
    noise = noise.masked_scatter(neg, slopes.to(input.dtype))
    return input.mul_(noise) if inplace else input * noise


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: a random negative slope in [lower, upper] per element when
    training, their mean otherwise."""
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if training:
        return _rrelu_train(input, lower, upper, inplace)
    return leaky_relu(input, (lower + upper) / 2, inplace)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, inplace=True)


def gelu(input, approximate="none"):
    """`x * Phi(x)` (Phi the standard normal CDF), or its tanh approximation."""
    if approximate == "none":
        return input * 0.5 * (1 + (input * 0.7071067811865476).erf())
    if approximate == "tanh":
        inner = (input + input * input * input * 0.044715) * 0.7978845608028654
        return input * 0.5 * (1 + inner.tanh())
    raise RuntimeError("approximate argument must be either none or tanh.")


def silu(input, inplace=False):
    """`x * sigmoid(x)`."""
    return _maybe_inplace(input, inplace, lambda x: x * x.sigmoid())


def mish(input, inplace=False):
    """`x * tanh(softplus(x))`."""
    return _maybe_inplace(input, inplace, lambda x: x * softplus(x).tanh())


def hardsigmoid(input, inplace=False):
    """0 below -3, 1 above 3, `x / 6 + 1/2` between."""
    def f(x):
        return rstorch.where(x <= -3, 0.0, rstorch.where(x >= 3, 1.0, x / 6 + 0.5))
    return _maybe_inplace(input, inplace, f)


def hardswish(input, inplace=False):
    """`x * relu6(x + 3) / 6`."""
    def f(x):
        return rstorch.where(x <= -3, 0.0, rstorch.where(x < 3, x * (x + 3) / 6, x))
    return _maybe_inplace(input, inplace, f)


def sigmoid(input):
    return input.sigmoid()


def tanh(input):
    return input.tanh()


def logsigmoid(input):
    """`log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))`, stable for every x."""
    a = input.abs()
    return (input - a) / 2 - (-a).exp().log1p()


def softplus(input, beta=1.0, threshold=20.0):
    """`log(1 + exp(beta * x)) / beta`, linear where `beta * x > threshold`."""
    z = input * beta if beta != 1 else input
    soft = z.clamp_max(threshold).exp().log1p()
    if beta != 1:
        soft = soft / beta
    return rstorch.where(z > threshold, input, soft)


def softsign(input):
    """`x / (1 + |x|)`."""
    return input / (input.abs() + 1)


def tanhshrink(input):
    """`x - tanh(x)`."""
    return input - input.tanh()


def softshrink(input, lambd=0.5):
    """`x - lambd` above lambd, `x + lambd` below -lambd, 0 between."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be in range [0, {_fmt_float(rstorch.finfo(input.dtype).max)}] for input "
                           f"dtype {_scalar_name(input.dtype)}, but found {_fmt_float(lambd)}")
    return rstorch.where(input > lambd, input - lambd, rstorch.where(input < -lambd, input + lambd, 0.0))


def hardshrink(input, lambd=0.5):
    """`x` outside [-lambd, lambd], 0 inside."""
    return rstorch.where((input >= -lambd) & (input <= lambd), 0.0, input)


def glu(input, dim=-1):
    """`a * sigmoid(b)`, where a and b are the halves of `input` along `dim`."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = dim + input.dim() if dim < 0 else dim
    if input.dim() > d >= 0 and input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {input.shape[d]}")
    a, b = input.chunk(2, dim)
    return a * b.sigmoid()


def _get_softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. "
                  "Change the call to include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """`softmax(-input)`."""
    if dim is None:
        dim = _get_softmax_dim("softmin", input.dim(), _stacklevel)
    return (-input).softmax(dim) if dtype is None else (-input).softmax(dim, dtype=dtype)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """`exp(x) / sum(exp(x))` along `dim`."""
    if dim is None:
        dim = _get_softmax_dim("softmax", input.dim(), _stacklevel)
    return input.softmax(dim) if dtype is None else input.softmax(dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """`log(softmax(x))`, computed stably."""
    if dim is None:
        dim = _get_softmax_dim("log_softmax", input.dim(), _stacklevel)
    return input.log_softmax(dim) if dtype is None else input.log_softmax(dim, dtype=dtype)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """Samples of the Gumbel-softmax distribution (straight-through one-hot when `hard`)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -rstorch.empty_like(logits).exponential_().log()
    gumbels = (logits + gumbels) / tau
    y_soft = gumbels.softmax(dim)
    if hard:
        index = y_soft.max(dim, keepdim=True)[1]
        y_hard = rstorch.zeros_like(logits).scatter_(dim, index, 1.0)
        return y_hard - y_soft.detach() + y_soft
    return y_soft


def _fmt_float(v):
    """A double as C++ streams print it (6 significant digits, no trailing zeros)."""
    return f"{v:g}"


# ---------------------------------------------------------------------- dropout
#
# As torch's CPU path draws it (aten's _dropout_impl): a mask `empty_like(input).bernoulli_(1 - p)`
# (channel masks of shape (N, C, 1, ...) for the feature variants) scaled by 1 / (1 - p), then
# `input * mask`. The same seed gives torch's masks bit for bit.

_ALPHA_DROPOUT = 1.7580993408473766


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout_impl(input, p, train, feature, alpha, inplace):
    if p == 0 or not train or input.numel() == 0:
        return input
    if p == 1:
        zero = input.new_zeros(())
        return input.mul_(zero) if inplace else input * zero
    if feature:
        if input.dim() < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        noise = input.new_empty((input.shape[0], input.shape[1]) + (1,) * (input.dim() - 2))
    else:
        noise = _empty_like(input)
    noise.bernoulli_(1 - p)
    if alpha:
        a = 1.0 / math.sqrt((_ALPHA_DROPOUT * _ALPHA_DROPOUT * p + 1) * (1 - p))
        b = noise.add(-1).mul_(_ALPHA_DROPOUT * a).add_(_ALPHA_DROPOUT * a * p)
        noise.mul_(a)
        return input.mul_(noise).add_(b) if inplace else input * noise + b
    noise.div_(1 - p)
    return input.mul_(noise) if inplace else input * noise


def dropout(input, p=0.5, training=True, inplace=False):
    """Zeroes each element with probability `p` (scaling the others by 1 / (1 - p)) when training."""
    _check_p(p)
    return _dropout_impl(input, p, training, False, False, inplace)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps the mean and variance of SELU activations."""
    _check_p(p)
    return _dropout_impl(input, p, training, False, True, inplace)


def _feature_dropout_nd(input, p, training, inplace, batched):
    if not batched:
        input = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    result = _dropout_impl(input, p, training, True, False, inplace)
    if not batched:
        result = result.squeeze_(0) if inplace else result.squeeze(0)
    return result


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of (N, C, L) or (C, L) inputs."""
    _check_p(p)
    nd = input.dim()
    if nd not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {nd}D input. "
            "Note that dropout1d exists to provide channel-wise dropout on inputs with 1 "
            "spatial dimension, a channel dimension, and an optional batch dimension "
            "(i.e. 2D or 3D inputs).")
    return _feature_dropout_nd(input, p, training, inplace, nd == 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of (N, C, H, W) inputs (a 3-D input is taken as (N, C, L), as torch does)."""
    _check_p(p)
    nd = input.dim()
    if nd not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {nd}-D input to dropout2d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior "
            "and silence this warning, please use dropout instead. Note that dropout2d "
            "exists to provide channel-wise dropout on inputs with 2 spatial dimensions, "
            "a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=2)
    if nd == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
            "1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.", stacklevel=2)
    return _dropout_impl(input, p, training, True, False, inplace)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of (N, C, D, H, W) or (C, D, H, W) inputs."""
    _check_p(p)
    nd = input.dim()
    if nd not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {nd}-D input to dropout3d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior "
            "and silence this warning, please use dropout instead. Note that dropout3d "
            "exists to provide channel-wise dropout on inputs with 3 spatial dimensions, "
            "a channel dimension, and an optional batch dimension (i.e. 4D or 5D inputs).", stacklevel=2)
    return _feature_dropout_nd(input, p, training, inplace, nd == 5)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout of whole channels."""
    _check_p(p)
    return _dropout_impl(input, p, training, True, True, inplace)


# ---------------------------------------------------------------------- losses

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


# ---------------------------------------------------------------------- normalization

def _verify_batch_size(size):
    size_prods = size[0]
    for i in range(len(size) - 2):
        size_prods *= size[i + 2]
    if size_prods == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {size}")


def _verify_spatial_size(size):
    size_prods = 1
    for i in range(2, len(size)):
        size_prods *= size[i]
    if size_prods == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {size}")


def _batch_norm_impl(input, weight, bias, running_mean, running_var, training, momentum, eps):
    """torch.batch_norm: statistics over every dim but 1 (biased variance for the output,
    unbiased for running_var), running stats updated in place without autograd, output
    `input * a + b` with `a = weight / sqrt(var + eps)` and `b = bias - mean * a` (as torch's
    CPU kernel computes it)."""
    if input.dim() < 2:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    c = input.shape[1]
    if input.numel() == 0:
        out = input.clone()
        if weight is not None:
            out = out * weight[0]
        if bias is not None:
            out = out + bias[0]
        return out
    for name, t in (("running_mean", running_mean), ("running_var", running_var)):
        if t is not None:
            if t.numel() != c:
                raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
        elif not training:
            raise RuntimeError(f"{name} must be defined in evaluation mode")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
    for t in (weight, bias, running_mean, running_var):
        if t is not None and t.dtype != input.dtype and input.is_floating_point():
            raise RuntimeError(f"mixed dtype (CPU): expect parameter to have scalar type of {_scalar_name(input.dtype)}")
    shape = [1, c] + [1] * (input.dim() - 2)
    if training:
        dims = [0] + list(range(2, input.dim()))
        var, mean = rstorch.var_mean(input, dims, correction=0)
        if running_mean is not None or running_var is not None:
            n = input.numel() // c
            with rstorch.no_grad():
                if running_mean is not None:
                    running_mean.copy_(mean * momentum + running_mean * (1 - momentum))
                if running_var is not None:
                    unbiased = var * (n / (n - 1)) if n > 1 else var * math.inf
                    running_var.copy_(unbiased * momentum + running_var * (1 - momentum))
    else:
        mean, var = running_mean, running_var
    scale = (var + eps).rsqrt()
    if weight is not None:
        scale = scale * weight
    shift = -mean * scale
    if bias is not None:
        shift = shift + bias
    return input * scale.view(shape) + shift.view(shape)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Normalises each channel of each sample by its own statistics (batch_norm over a
    (1, N*C, ...) view, as torch computes it); running stats are the batch's averages."""
    if use_input_stats:
        _verify_spatial_size(input.size())
    if not (use_input_stats or (running_mean is not None and running_var is not None)):
        raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
    b, c = input.shape[0], input.shape[1]
    shape = [1, b * c] + list(input.shape[2:])

    def rep(t):
        return None if t is None else t.repeat(b)

    rm, rv = rep(running_mean), rep(running_var)
    out = _batch_norm_impl(input.contiguous().view(shape), rep(weight), rep(bias), rm, rv, use_input_stats,
                           momentum, eps)
    with rstorch.no_grad():
        if running_mean is not None:
            running_mean.copy_(rm.view(b, c).mean(0))
        if running_var is not None:
            running_var.copy_(rv.view(b, c).mean(0))
    return out.view(input.shape)


def _int_list(arg, fname, name, position):
    if isinstance(arg, rstorch.Tensor):
        raise TypeError(f"{fname}(): argument '{name}' (position {position}) must be tuple of ints, not Tensor")
    if isinstance(arg, int):
        return [arg], True
    out = []
    for i, v in enumerate(arg):
        if not isinstance(v, int):
            raise TypeError(f"{fname}(): argument '{name}' (position {position}) must be tuple of ints, but found "
                            f"element of type {type(v).__name__} at pos {i}")
        out.append(v)
    return out, False


def _check_normalized_shape(input, normalized_shape, weight, bias, rms=False):
    ns = list(normalized_shape)
    if not rms and len(ns) < 1:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one "
                           f"element, but got normalized_shape = {ns}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and list(t.shape) != ns:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(t.shape)} and normalized_shape = {ns}")
    k = len(ns)
    if input.dim() < k or list(input.shape[input.dim() - k:]) != ns:
        star = "[*" + ", ".join(str(s) for s in ns) if rms else "[*" + "".join(f", {s}" for s in ns)
        raise RuntimeError(f"Given normalized_shape={ns}, expected input with shape {star}], but got input of "
                           f"size{list(input.shape)}")
    return k


def _layer_norm_composite(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """layer_norm composed of var_mean and arithmetic: the calls the fused kernel does not take
    (other dtypes, zero-size inputs) and torch's argument errors."""
    ns, was_int = _int_list(normalized_shape, "layer_norm", "normalized_shape", 2)
    if was_int:
        raise TypeError("layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not int")
    k = _check_normalized_shape(input, ns, weight, bias)
    dims = list(range(input.dim() - k, input.dim()))
    if input.numel() == 0:
        out = input * 1
    else:
        var, mean = rstorch.var_mean(input, dims, correction=0, keepdim=True)
        out = (input - mean) * (var + eps).rsqrt()
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """`input / sqrt(mean(input^2) + eps) * weight` over the trailing `normalized_shape` dims
    (eps defaults to the dtype's machine epsilon)."""
    ns, _ = _int_list(normalized_shape, "rms_norm", "normalized_shape", 2)
    k = _check_normalized_shape(input, ns, weight, None, rms=True)
    if eps is None:
        eps = rstorch.finfo(input.dtype).eps
    dims = list(range(input.dim() - k, input.dim()))
    if dims:
        out = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    else:
        out = input * (input * input + eps).rsqrt()
    if weight is not None:
        out = out * weight
    return out


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalises each group of `C / num_groups` channels of each sample, then per-channel
    `* weight + bias`."""
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    _verify_batch_size([input.size(0) * input.size(1) // num_groups, num_groups] + list(input.size()[2:]))
    n, c = input.shape[0], input.shape[1]
    if c % num_groups:
        raise RuntimeError("Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {list(input.shape)} and num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and not (t.dim() == 1 and t.numel() == c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, but "
                               f"got {name} of shape {list(t.shape)} and input of shape {list(input.shape)}")
    if input.numel() == 0:
        out = input * 1
    else:
        g = input.reshape(n, num_groups, -1)
        var, mean = rstorch.var_mean(g, -1, correction=0, keepdim=True)
        out = ((g - mean) * (var + eps).rsqrt()).view(input.shape)
    shape = [1, c] + [1] * (input.dim() - 2)
    if weight is not None:
        out = out * weight.view(shape)
    if bias is not None:
        out = out + bias.view(shape)
    return out


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """`input / (k + alpha * mean of input^2 over `size` neighbouring channels)^beta`."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    sq = input * input
    c = input.shape[1]
    front, back = size // 2, (size - 1) // 2
    zeros_f = sq.new_zeros((sq.shape[0], front) + tuple(sq.shape[2:]))
    zeros_b = sq.new_zeros((sq.shape[0], back) + tuple(sq.shape[2:]))
    padded = rstorch.cat([zeros_f, sq, zeros_b], 1)
    acc = padded.narrow(1, 0, c)
    for i in range(1, size):
        acc = acc + padded.narrow(1, i, c)
    div = (acc / size * alpha + k) ** beta
    return input / div


# ---------------------------------------------------------------------- sparse

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


# ---------------------------------------------------------------------- padding

_PAD_SUPPORTED = ("Supported combinations for non-constant padding:\n"
                  "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
                  "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
                  "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


def _constant_pad(input, pad, value):
    nd = input.dim()
    out = input
    for i in range(len(pad) // 2):
        d = nd - 1 - i
        left, right = pad[2 * i], pad[2 * i + 1]
        if left < 0:
            size = out.shape[d] + left
            if size < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
            out = out.narrow(d, -left, size)
        if right < 0:
            size = out.shape[d] + right
            if size < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
            out = out.narrow(d, 0, size)
    parts_needed = any(p > 0 for p in pad)
    if not parts_needed:
        return out.clone()
    fill = 0.0 if value is None else value
    for i in range(len(pad) // 2):
        d = nd - 1 - i
        left, right = max(pad[2 * i], 0), max(pad[2 * i + 1], 0)
        if left == 0 and right == 0:
            continue
        parts = []
        for n in (left, None, right):
            if n is None:
                parts.append(out)
            elif n:
                shape = list(out.shape)
                shape[d] = n
                parts.append(out.new_full(shape, fill))
        out = rstorch.cat(parts, d)
    return out


def _pad_index(n, left, right, mode, device):
    """The source index of each output position along a dim of size n."""
    idx = rstorch.arange(-left, n + right, device=device)
    if mode == "reflect":
        idx = idx.abs()
        return rstorch.where(idx >= n, 2 * (n - 1) - idx, idx)
    if mode == "replicate":
        return idx.clamp(0, n - 1)
    return idx.remainder(n)


def _non_constant_pad(input, pad, mode):
    nd = input.dim()
    k = len(pad) // 2
    names = ("W", "H", "D")[:k]
    batch_ok = nd == k + 2
    dims = list(input.shape)
    # 0 only in the batch dim of the batched form
    nonbatch = dims[1:] if batch_ok else dims
    if mode != "circular" and any(s == 0 for s in nonbatch):
        raise RuntimeError(f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size and other "
                           f"non-zero dimensions for input, but got: {dims}")
    sizes = [dims[nd - 1 - i] for i in range(k)]
    if mode == "reflect":
        for i in range(k):
            left, right = pad[2 * i], pad[2 * i + 1]
            if not (left < sizes[i] and right < sizes[i]):
                raise RuntimeError(f"Argument #{4 + 2 * i}: Padding size should be less than the corresponding input "
                                   f"dimension, but got: padding ({left}, {right}) at dimension {nd - 1 - i} of input "
                                   f"{dims}")
    if mode == "circular":
        for i in range(k):
            left, right = pad[2 * i], pad[2 * i + 1]
            if left > sizes[i] or right > sizes[i]:
                raise RuntimeError("Padding value causes wrapping around more than once.")
            if (left < 0 or right < 0) and (sizes[i] + left + right <= 0
                                            or sizes[i] + min(left, 0) + min(right, 0) <= 0):
                raise RuntimeError("Negative padding value is resulting in an empty dimension")
    else:
        outs = [sizes[i] + pad[2 * i] + pad[2 * i + 1] for i in range(k)]
        if any(o < 1 for o in outs):
            if k == 1:
                raise RuntimeError(f"input (W: {sizes[0]}) is too small. Calculated output W: {outs[0]}")
            calc = " ".join(f"{names[i]}: {outs[i]}" for i in reversed(range(k)))
            inp = ", ".join(f"{names[i]}: {sizes[i]}" for i in reversed(range(k)))
            raise RuntimeError(f"Calculated output {calc} must be >= 1 in every dimension (input {inp})")
    out = input
    for i in range(k):
        d = nd - 1 - i
        left, right = pad[2 * i], pad[2 * i + 1]
        if left == 0 and right == 0:
            continue
        if mode == "circular":
            # negative pads crop first; the positive ones then wrap around the cropped dim
            if left < 0:
                out = out.narrow(d, -left, out.shape[d] + left)
            if right < 0:
                out = out.narrow(d, 0, out.shape[d] + right)
            left, right = max(left, 0), max(right, 0)
            if left == 0 and right == 0:
                continue
        out = out.index_select(d, _pad_index(out.shape[d], left, right, mode, input.device))
    return out.clone() if out is input else out


def pad(input, pad, mode="constant", value=None):
    """Pads (or, with negative sizes, crops) the last `len(pad) // 2` dims: `pad` lists
    (left, right) for the last dim, then the one before... Modes: constant (with `value`),
    reflect, replicate, circular."""
    pad, _ = _int_list(pad, "pad", "pad", 2)
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) > input.dim() * 2:
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.dim()}")
    if mode == "constant":
        return _constant_pad(input, pad, value)
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    k = len(pad) // 2
    if k not in (1, 2, 3) or input.dim() not in (k + 1, k + 2):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.\n"
                                  + _PAD_SUPPORTED)
    return _non_constant_pad(input, pad, mode)


# ---------------------------------------------------------------------- shuffles, distances

def _check_shuffle(name, input, factor, factor_name):
    nd = input.dim()
    if nd < 3:
        raise RuntimeError(f"{name} expects input to have at least 3 dimensions, but got input with {nd} "
                           "dimension(s)")
    if factor <= 0:
        raise RuntimeError(f"{name} expects a positive {factor_name}, but got {factor}")
    return input.shape[-3:]


def pixel_shuffle(input, upscale_factor):
    """(*, C r^2, H, W) -> (*, C, H r, W r)."""
    r = upscale_factor
    c, h, w = _check_shuffle("pixel_shuffle", input, r, "upscale_factor")
    if c % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    lead = tuple(input.shape[:-3])
    oc = c // (r * r)
    b = len(lead)
    x = input.reshape(lead + (oc, r, r, h, w))
    x = x.permute(*range(b), b, b + 3, b + 1, b + 4, b + 2)
    return x.reshape(lead + (oc, h * r, w * r))


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H r, W r) -> (*, C r^2, H, W)."""
    r = downscale_factor
    c, h, w = _check_shuffle("pixel_unshuffle", input, r, "downscale_factor")
    if h % r:
        raise RuntimeError("pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)="
                           f"{h} is not divisible by {r}")
    if w % r:
        raise RuntimeError("pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)="
                           f"{w} is not divisible by {r}")
    lead = tuple(input.shape[:-3])
    b = len(lead)
    x = input.reshape(lead + (c, h // r, r, w // r, r))
    x = x.permute(*range(b), b, b + 2, b + 4, b + 1, b + 3)
    return x.reshape(lead + (c * r * r, h // r, w // r))


def channel_shuffle(input, groups):
    """Interleaves the channels (dim 1) of `groups` groups: (N, g * k, *) viewed (N, g, k, *)
    and transposed to (N, k, g, *)."""
    if input.dim() <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with sizes {list(input.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{groups}")
    c = input.shape[1]
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups.")
    n = input.shape[0]
    rest = tuple(input.shape[2:])
    return input.reshape((n, groups, c // groups) + rest).transpose(1, 2).reshape(input.shape)


native_channel_shuffle = channel_shuffle


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """`sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps))` along `dim` (broadcasting)."""
    dtype = rstorch.result_type(x1, x2)
    if not dtype.is_floating_point:
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is {_scalar_name(dtype)}")
    a, b = rstorch.broadcast_tensors(x1.to(dtype), x2.to(dtype))
    na = a.norm(2, dim, keepdim=True).clone()
    nb = b.norm(2, dim, keepdim=True).clone()
    with rstorch.no_grad():
        na.clamp_min_(eps)
        nb.clamp_min_(eps)
    return ((a / na) * (b / nb)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """`||x1 - x2 + eps||_p` over the last dim."""
    out_dim = max(x1.dim(), x2.dim())
    return (x1 - x2 + eps).norm(p, out_dim - 1, keepdim)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """`input / max(||input||_p, eps)` along `dim`."""
    if out is None:
        denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
        return input / denom
    denom = input.norm(p, dim, keepdim=True).clamp_min_(eps).expand_as(input)
    return rstorch.div(input, denom, out=out)
from ._functional.vision import affine_grid, grid_sample, interpolate, upsample, upsample_bilinear, upsample_nearest  # noqa: E402,F401,E501
__all__ += ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "grid_sample", "affine_grid"]
from ._functional.attention import multi_head_attention_forward, scaled_dot_product_attention  # noqa: E402,F401
__all__ += ["scaled_dot_product_attention", "multi_head_attention_forward"]
from ._functional.fused import batch_norm, cross_entropy, layer_norm, linear  # noqa: E402  (the fused kernels)
