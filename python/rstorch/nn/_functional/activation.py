"""nn.functional: the activations: where/clamp arithmetic whose gradient is torch's, subgradients included."""

import struct
import warnings

import rstorch

from ._common import _fmt_float, _maybe_inplace, _scalar_name

__all__ = [
    "threshold", "threshold_", "relu", "relu_", "relu6", "elu", "elu_", "selu", "selu_", "celu",
    "celu_", "gelu", "silu", "mish", "prelu", "leaky_relu", "leaky_relu_", "rrelu", "rrelu_",
    "hardtanh", "hardtanh_", "hardsigmoid", "hardswish", "sigmoid", "tanh", "logsigmoid", "softplus",
    "softsign", "softmax", "log_softmax", "softmin", "gumbel_softmax", "tanhshrink", "softshrink",
    "hardshrink", "glu",
]

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
    # where, not clamp_max(0): a number bound passes no gradient at the bound itself (torch 2.15)
    neg = (rstorch.where(x > 0, 0.0, x) * input_scale).expm1() * (alpha * scale)
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
    soft = rstorch.where(z > threshold, threshold, z).exp().log1p()   # z itself at the threshold
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
