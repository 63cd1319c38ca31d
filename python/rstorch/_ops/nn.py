"""The nn kernels torch exposes at `torch.*` (batch_norm, native_batch_norm, layer_norm,
native_layer_norm): op-table rows of
rust/core/src/ops/nn/, bound in rust/python/src/tensor/nn.rs. The functions with torch.nn's
argument handling (and the composites they fall back to) are in rstorch/nn/_functional/fused.py,
reached at call time (rstorch.nn sits above the op families)."""

from .._tensor import Tensor
from . import reduce
from ._table import OWN, SAME, Op, install


def _fused():
    from ..nn._functional import fused  # rstorch.nn imports the op families, not the reverse
    return fused


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled):
    """torch.batch_norm: F.batch_norm without its Python-level checks (batch size, eps)."""
    f = _fused()
    if f._bn_fusable(input, running_mean, running_var, weight, bias, training, momentum):
        return f._C._native_batch_norm(input, weight, bias, running_mean, running_var, bool(training),
                                       float(momentum), float(eps))[0]
    return f._batch_norm_impl(input, weight, bias, running_mean, running_var, training, momentum, eps)


def native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    """torch.native_batch_norm: `(output, save_mean, save_invstd)`."""
    if not training and (running_mean is None or running_var is None):
        raise ValueError(f"{'running_mean' if running_mean is None else 'running_var'} must be defined in "
                         "evaluation mode")
    # torch's CPU kernel: its dtype dispatch, then (training) an empty batch, then the shapes
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"batch_norm\" not implemented for '{input.dtype._scalar_type_name}'")
    if training and input.numel() == 0:
        raise RuntimeError(f"input tensor must have at least one element, but got input_sizes = {list(input.shape)}")
    return _fused().native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True):
    """torch.layer_norm: F.layer_norm."""
    return _fused().layer_norm(input, normalized_shape, weight, bias, eps)


def native_layer_norm(input, normalized_shape, weight, bias, eps):
    """torch.native_layer_norm: `(output, mean, rstd)`, the statistics shaped like input with
    the normalized dims of size 1."""
    f = _fused()
    ns, _ = f._int_list(normalized_shape, "native_layer_norm", "normalized_shape", 2)
    k = f._check_normalized_shape(input, ns, weight, bias)
    if f._ln_fusable(input, weight, bias):
        return f._C._native_layer_norm(input, k, weight, bias, float(eps))
    out = f._layer_norm_composite(input, ns, weight, bias, eps)
    var, mean = reduce.var_mean(input.detach(), list(range(input.dim() - k, input.dim())), correction=0, keepdim=True)
    return out, mean, (var + eps).rsqrt()


OPS = [
    Op("batch_norm", "(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled)",
       SAME, "_native_batch_norm", batch_norm, False),
    Op("native_batch_norm", "(input, weight, bias, running_mean, running_var, training, momentum, eps)",
       OWN, "_native_batch_norm", native_batch_norm, False),
    Op("layer_norm", "(input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True)",
       SAME, "_native_layer_norm", layer_norm, False),
    Op("native_layer_norm", "(input, normalized_shape, weight, bias, eps)",
       OWN, "_native_layer_norm", native_layer_norm, False),
]

__all__ = install(OPS, globals(), Tensor)
