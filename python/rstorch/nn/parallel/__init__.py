"""`nn.parallel`: DataParallel (single device)."""

from .data_parallel import DataParallel

__all__ = ["DataParallel"]
