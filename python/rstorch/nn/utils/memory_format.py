"""Converting convolution weights to a memory format (torch.nn.utils.memory_format), e.g.
channels_last, in place, through the module's children."""

import rstorch

__all__ = ["convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format"]


def _convert(module, memory_format, classes):
    if isinstance(module, classes):
        data = module.weight.detach().clone(memory_format=memory_format)
        module.weight.data = data.resize_(data.size(), memory_format=memory_format)
    for child in module.children():
        _convert(child, memory_format, classes)
    return module


def convert_conv2d_weight_memory_format(module, memory_format):
    """Lay out the weights of every Conv2d/ConvTranspose2d in `module` in `memory_format`;
    returns `module`."""
    return _convert(module, memory_format, (rstorch.nn.Conv2d, rstorch.nn.ConvTranspose2d))


def convert_conv3d_weight_memory_format(module, memory_format):
    """Lay out the weights of every Conv3d/ConvTranspose3d in `module` in `memory_format`;
    returns `module`."""
    return _convert(module, memory_format, (rstorch.nn.Conv3d, rstorch.nn.ConvTranspose3d))
