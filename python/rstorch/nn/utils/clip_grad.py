"""Gradient clipping (torch.nn.utils.clip_grad)."""

import functools
import types
import warnings

import rstorch

from ...autograd.grad_mode import no_grad
from ..._tensor import Tensor

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _no_grad(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with no_grad():
            return fn(*args, **kwargs)
    return wrapper


def _tensor_list(tensors):
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _by_device_and_dtype(tensors):
    """The tensors grouped by (device, dtype), groups in order of first appearance."""
    groups = {}
    for t in tensors:
        groups.setdefault((t.device, t.dtype), []).append(t)
    return groups


# where torch has foreach kernels (the CPU included; cuda is rstorch's wgpu device). rstorch runs
# the per-tensor loop everywhere, with the same results: foreach=True is accepted where torch
# accepts it and refused where torch refuses it
_FOREACH_DEVICES = ("cpu", "cuda", "wgpu")


def _check_foreach(foreach, device):
    if foreach and device.type not in _FOREACH_DEVICES:
        raise RuntimeError(f"foreach=True was passed, but can't use the foreach API on {device.type} tensors")


@_no_grad
def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The `norm_type` norm of all the given tensors together (as if concatenated)."""
    tensors = _tensor_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return rstorch.tensor(0.0)
    first_device = tensors[0].device
    norms = []
    for (device, _), group in _by_device_and_dtype(tensors).items():
        _check_foreach(foreach, device)
        norms.extend(rstorch.linalg.vector_norm(g, norm_type) for g in group)
    total = rstorch.linalg.vector_norm(rstorch.stack([n.to(first_device) for n in norms]), norm_type)
    if error_if_nonfinite and rstorch.logical_or(total.isnan(), total.isinf()):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           "it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           "norm anyway, set `error_if_nonfinite=False`")
    return total


@_no_grad
def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients of `parameters` by `max_norm / (total_norm + 1e-6)` when below 1."""
    grads = [p.grad for p in _tensor_list(parameters) if p.grad is not None]
    max_norm = float(max_norm)
    if not grads:
        return
    coef = rstorch.clamp(max_norm / (total_norm + 1e-6), max=1.0)
    for (device, _), group in _by_device_and_dtype(grads).items():
        _check_foreach(foreach, device)
        c = coef.to(device)
        for g in group:
            g.mul_(c)


@_no_grad
def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Clip the gradients of `parameters` in place so their total `norm_type` norm (inf: the
    largest absolute value) is at most `max_norm`; returns the total norm before clipping."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=3)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated alias of `clip_grad_norm_`."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


@_no_grad
def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp the gradients of `parameters` in place to [-clip_value, clip_value]."""
    clip_value = float(clip_value)
    grads = [p.grad for p in _tensor_list(parameters) if p.grad is not None]
    for (device, _), group in _by_device_and_dtype(grads).items():
        _check_foreach(foreach, device)
        for g in group:
            g.clamp_(min=-clip_value, max=clip_value)
