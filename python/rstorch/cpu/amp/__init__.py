"""torch.cpu.amp: the deprecated spelling of torch.amp.autocast("cpu", ...) (FutureWarning)."""

import warnings

from ... import amp as _amp
from ..._C import bfloat16 as _bfloat16

__all__ = ["autocast"]


class autocast(_amp.autocast):
    """torch.cpu.amp.autocast(args...): deprecated, use torch.amp.autocast("cpu", args...)."""

    def __init__(self, enabled=True, dtype=_bfloat16, cache_enabled=True):
        warnings.warn("`torch.cpu.amp.autocast(args...)` is deprecated. "
                      "Please use `torch.amp.autocast('cpu', args...)` instead.", FutureWarning, stacklevel=2)
        super().__init__("cpu", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)
