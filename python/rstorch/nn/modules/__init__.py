"""The layers of `rstorch.nn`, one file per family as in torch.nn.modules."""

from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .flatten import Flatten, Unflatten
from .linear import Bilinear, Identity, Linear
from .module import Module

__all__ = ["Module", "Identity", "Linear", "Bilinear", "Sequential", "ModuleList", "ModuleDict",
           "ParameterList", "ParameterDict", "Flatten", "Unflatten"]
