"""torch.amp: automatic mixed precision. `autocast` (amp/autocast_mode.py, the casting layer in
amp/_casting.py) and `GradScaler` (amp/grad_scaler.py). docs/AMP.md."""

from .autocast_mode import autocast, custom_bwd, custom_fwd, is_autocast_available  # noqa: F401
from .grad_scaler import GradScaler  # noqa: F401

__all__ = ["autocast", "custom_bwd", "custom_fwd", "is_autocast_available", "GradScaler"]
