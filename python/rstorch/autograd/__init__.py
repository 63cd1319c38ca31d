"""Automatic differentiation: PyTorch's autograd semantics over rstorch's ops.

Ops record their graph node when grad mode is on and an input requires grad (graph.py); the
engine (engine.py) walks the graph backward; backward rules live in rules/."""

from . import graph
from . import functional
from .anomaly_mode import (detect_anomaly, is_anomaly_check_nan_enabled, is_anomaly_enabled,
                           set_detect_anomaly)
from .engine import backward, grad
from .function import Function, InplaceFunction, once_differentiable
from .function import FunctionCtx, BackwardCFunction
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled,
                        no_grad, set_grad_enabled)
from .variable import Variable

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled", "backward", "grad", "Function", "once_differentiable",
           "Variable", "gradcheck", "gradgradcheck", "GradcheckError", "detect_anomaly",
           "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled", "graph",
           "InplaceFunction", "FunctionCtx", "BackwardCFunction", "functional"]


def __getattr__(name):
    # autograd.profiler loads on first use (it brings in rstorch.profiler)
    if name == "profiler":
        import importlib
        module = importlib.import_module(".profiler", __name__)
        globals()["profiler"] = module
        return module
    raise AttributeError(f"module 'rstorch.autograd' has no attribute '{name}'")
