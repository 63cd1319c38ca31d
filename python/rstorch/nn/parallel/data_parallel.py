"""`nn.DataParallel` (torch.nn.parallel.data_parallel) on a single device."""

from ..modules.module import Module

__all__ = ["DataParallel"]


class DataParallel(Module):
    """Wraps `module`; rstorch runs one device, so the call is `module(*inputs, **kwargs)` (as
    torch's DataParallel does without GPUs). Its state_dict keys carry the `module.` prefix."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module
        self.device_ids = []

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)
