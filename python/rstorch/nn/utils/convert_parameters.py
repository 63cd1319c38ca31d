"""Parameters as one flat vector and back (torch.nn.utils.convert_parameters)."""

import rstorch

from ..._tensor import Tensor
from ..modules.module import _typename

__all__ = ["parameters_to_vector", "vector_to_parameters"]

_INDEXED_DEVICES = ("cuda", "wgpu")


def _check_param_device(param, old):
    """The device index of `param` (-1 for the CPU), checked against the previous ones."""
    here = param.device.index if param.device.type in _INDEXED_DEVICES else -1
    if here is None:
        here = 0
    if old is not None and here != old:
        raise TypeError("Found two parameters on different devices, this is currently not supported.")
    return here


def parameters_to_vector(parameters):
    """All the parameters flattened and concatenated into one vector."""
    device = None
    vec = []
    for param in parameters:
        device = _check_param_device(param, device)
        vec.append(param.view(-1))
    return rstorch.cat(vec)


def vector_to_parameters(vec, parameters):
    """Give each parameter its slice of `vec` as its data (views of vec, in order)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {_typename(vec)}")
    device = None
    pointer = 0
    for param in parameters:
        device = _check_param_device(param, device)
        n = param.numel()
        param.data = vec[pointer:pointer + n].view_as(param).data
        pointer += n
