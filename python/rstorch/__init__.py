"""rstorch: PyTorch's API on a lean Rust core.

    import rstorch as torch
"""

from . import _C
from ._C import dtype
from ._C import set_num_threads, get_num_threads
from ._C import (float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8,  # noqa: F401
                 bool)
from ._size import Size, memory_format, contiguous_format, preserve_format, channels_last, channels_last_3d, layout, strided
from ._dtype_info import finfo, iinfo
from ._device import device
from ._tensor import Tensor
from ._storage import LEGACY_STORAGES as _LEGACY_STORAGES, TypedStorage, UntypedStorage
from ._tensor_str import set_printoptions, get_printoptions, printoptions
from ._creation import *  # noqa: F401,F403
from ._random import *  # noqa: F401,F403
from . import _random
from ._tensor import LEGACY_TYPES as _LEGACY_TYPES
from ._functional import *  # noqa: F401,F403
from ._ops import *  # noqa: F401,F403
from . import linalg
from . import special
from . import return_types
from . import autograd
from .autograd import no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled
from .autograd.grad_mode import is_inference_mode_enabled
from .autograd.anomaly_mode import is_anomaly_enabled, is_anomaly_check_nan_enabled, set_anomaly_enabled
from . import _dispatch
from . import nn
from . import utils
from . import optim
from . import cuda
from . import accelerator
from . import wgpu
from . import backends
from . import amp
from . import cpu
from .amp import autocast
from .amp.autocast_mode import (is_autocast_enabled, set_autocast_enabled, get_autocast_dtype,  # noqa: F401
                                set_autocast_dtype, is_autocast_cache_enabled, set_autocast_cache_enabled,
                                clear_autocast_cache, autocast_increment_nesting, autocast_decrement_nesting,
                                is_autocast_cpu_enabled, set_autocast_cpu_enabled, get_autocast_cpu_dtype,
                                set_autocast_cpu_dtype, get_autocast_gpu_dtype, set_autocast_gpu_dtype)
from ._compile import compile
from ._runtime import *  # noqa: F401,F403

__version__ = "0.1.0"

# dtype aliases, as torch spells them
float = float32
double = float64
half = float16
long = int64
int = int32
short = int16
char = int8  # not torch's name for int8 elsewhere, but the legacy `CharTensor`
cfloat = None  # complex dtypes are not supported
del cfloat, char

globals().update(_LEGACY_STORAGES)  # FloatStorage, LongStorage...
FloatTensor = _LEGACY_TYPES["FloatTensor"]
DoubleTensor = _LEGACY_TYPES["DoubleTensor"]
HalfTensor = _LEGACY_TYPES["HalfTensor"]
BFloat16Tensor = _LEGACY_TYPES["BFloat16Tensor"]
LongTensor = _LEGACY_TYPES["LongTensor"]
IntTensor = _LEGACY_TYPES["IntTensor"]
ShortTensor = _LEGACY_TYPES["ShortTensor"]
CharTensor = _LEGACY_TYPES["CharTensor"]
ByteTensor = _LEGACY_TYPES["ByteTensor"]
BoolTensor = _LEGACY_TYPES["BoolTensor"]

_random.install_tensor_methods(Tensor)
# everything the Rust side calls back into, by name (rust/python/src/tensor/mod.rs `Registry`)
_REGISTRY = dict(
    tensor=Tensor, size=Size, return_types=return_types, maximum=maximum, minimum=minimum,
    record=_dispatch.record, inplace=_dispatch.inplace, view_grad_fn=_dispatch.view_grad_fn,
    accumulate=autograd.engine._accumulate, accumulate_grad=autograd.graph.AccumulateGrad,
    native_node_class=autograd.graph.native_node_class, native_apply_py=autograd.graph.native_apply_py,
    modified_error=autograd.graph.modified_error, output_modified_error=autograd.graph.output_modified_error,
)
_C._register(**_REGISTRY)
from ._wgpu import backend as _wgpu_backend  # noqa: E402 - opens nothing until a wgpu tensor is made
_C._register_wgpu_backend(_wgpu_backend.Backend())


def __getattr__(name):
    # rstorch.save / rstorch.load / rstorch.serialization load on first use (import stays lean)
    if name in ("save", "load", "serialization"):
        import importlib
        serialization = importlib.import_module(".serialization", __name__)
        globals().update(save=serialization.save, load=serialization.load, serialization=serialization)
        return globals()[name]
    if name in ("testing", "version", "random", "multiprocessing", "onnx", "distributions", "distributed", "func",
                "jit", "profiler"):
        import importlib
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    if name == "vmap":
        from .func import vmap
        globals()["vmap"] = vmap
        return vmap
    raise AttributeError(f"module 'rstorch' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | {"save", "load", "serialization", "testing", "version", "random", "multiprocessing",
                                  "distributions", "distributed", "func", "jit", "profiler", "vmap"})
