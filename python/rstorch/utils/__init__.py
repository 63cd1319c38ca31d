"""`rstorch.utils`, like `torch.utils`, plus torchvision's `make_grid`/`save_image`. Everything loads
on first use (`data` brings in multiprocessing), so `import rstorch` stays lean."""

import importlib

__all__ = ["data", "tensorboard", "checkpoint", "dlpack", "make_grid", "save_image"]
_MODULES = {"data": "data", "tensorboard": "tensorboard", "checkpoint": "checkpoint", "dlpack": "dlpack"}
_FUNCTIONS = {"make_grid": "_image", "save_image": "_image"}


def __getattr__(name):
    if name in _MODULES:
        return importlib.import_module(f"{__name__}.{_MODULES[name]}")
    if name in _FUNCTIONS:
        return getattr(importlib.import_module(f"{__name__}.{_FUNCTIONS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
