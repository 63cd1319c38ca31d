"""`torch.func` (functorch's transforms): grad, grad_and_value, vjp, jvp, jacrev, jacfwd,
hessian, vmap and functional_call, over rstorch's tape autograd (see _transforms.py and
_vmap.py for how each is computed)."""

from ._transforms import (debug_unwrap, functionalize, grad, grad_and_value, hessian, jacfwd, jacrev, jvp, linearize,
                          replace_all_batch_norm_modules_, vjp)
from ._vmap import vmap
from ._functional_call import functional_call, stack_module_state

__all__ = ["grad", "grad_and_value", "vmap", "hessian", "jacfwd", "jacrev", "jvp", "vjp", "functional_call",
           "stack_module_state", "linearize", "functionalize", "replace_all_batch_norm_modules_", "debug_unwrap"]
