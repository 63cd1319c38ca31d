"""nn.functional: batch/instance/layer/group/RMS/local-response norm (the composite forms; fused.py has the kernels)."""

import math

import rstorch

from ._common import _int_list, _mixed_low, _scalar_name

__all__ = ["instance_norm", "group_norm", "local_response_norm", "rms_norm"]


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
    if _mixed_low(input, weight, bias, running_mean, running_var):
        return _batch_norm_impl(input.float(), weight, bias, running_mean, running_var, training, momentum,
                                eps).to(input.dtype)
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
    if _mixed_low(input, weight, bias):
        return group_norm(input.float(), num_groups, weight, bias, eps).to(input.dtype)
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
