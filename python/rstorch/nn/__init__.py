"""`rstorch.nn`: neural network modules, as torch.nn.

    import rstorch.nn as nn
"""

from . import functional, init, parallel, utils
from .modules import *  # noqa: F401,F403
from .parallel import DataParallel
from .parameter import Buffer, Parameter

__all__ = ["Module", "Identity", "Linear", "Bilinear", "Sequential", "ModuleList", "ModuleDict",
           "ParameterList", "ParameterDict", "Flatten", "Unflatten", "Parameter", "Buffer", "DataParallel",
           "functional", "init", "utils", "parallel"]
