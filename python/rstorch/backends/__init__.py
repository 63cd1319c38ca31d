"""`rstorch.backends`: the switches torch scripts set (`torch.backends.cudnn.benchmark = True`,
`torch.backends.cudnn.deterministic = True`, `torch.backends.cuda.matmul.allow_tf32`) and the
availability questions they ask (`torch.backends.mps.is_available()`). rstorch's kernels are its
own, so the switches are accepted and remembered but change nothing: the CPU kernels are
deterministic already and there is no TF32 path."""

import sys
import types


def _flags_module(name, doc, is_available, **flags):
    """A submodule `rstorch.backends.<name>`, registered so `import rstorch.backends.cudnn as
    cudnn` (the spelling of many scripts) finds it."""
    m = types.ModuleType(f"rstorch.backends.{name}", doc)
    m.is_available = is_available
    m.__dict__.update(flags)
    sys.modules[m.__name__] = m
    return m


def _false():
    return False


def _true():
    return True


cudnn = _flags_module("cudnn", "cuDNN's switches (rstorch has no cuDNN: accepted, no effect).", _false,
                      enabled=True, benchmark=False, deterministic=False, allow_tf32=True,
                      benchmark_limit=10, version=lambda: None)
mps = _flags_module("mps", "Apple's Metal backend of torch (rstorch reaches Apple GPUs through wgpu).", _false,
                    is_built=_false)
mkldnn = _flags_module("mkldnn", "oneDNN's switches (rstorch has no oneDNN).", _false, enabled=True)
openmp = _flags_module("openmp", "OpenMP (rstorch's CPU kernels use their own thread pool).", _false)
mkl = _flags_module("mkl", "MKL (not used by rstorch).", _false)
cuda = _flags_module("cuda", "CUDA's math switches (accepted, no effect).", _false, is_built=_false,
                     matmul=types.SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True,
                                                  allow_bf16_reduced_precision_reduction=True))
cuda.flash_sdp_enabled = cuda.mem_efficient_sdp_enabled = cuda.math_sdp_enabled = _true

__all__ = ["cudnn", "mps", "mkldnn", "openmp", "mkl", "cuda"]
