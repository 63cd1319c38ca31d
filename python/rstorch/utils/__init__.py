"""`rstorch.utils`, like `torch.utils`. `rstorch.utils.data` loads on first use (it brings in
multiprocessing), so `import rstorch` stays lean."""

import importlib

__all__ = ["data"]


def __getattr__(name):
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
