"""Hook plumbing of nn.Module: removable handles over ordered hook tables, and the module
backward hooks (torch.utils.hooks' RemovableHandle and BackwardHook).

A module backward hook wraps the module's tensor inputs and outputs in an identity autograd
Function (`BackwardHookFunction`): the node on the outputs sees the gradients w.r.t. the
outputs (and runs the backward pre-hooks), the node on the inputs sees the gradients w.r.t. the
inputs, and the full backward hooks run there with both."""

import os
import sys
import warnings
import weakref
from collections import OrderedDict

import rstorch

from ... import _C
from ..._tensor import Tensor
from ...autograd.function import Function


_PACKAGE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def user_stacklevel():
    """The `stacklevel` that makes a warning issued by the caller point at the first frame
    outside rstorch (torch's engine is C++, so its hooks' warnings point at user code)."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE + os.sep):
        frame, level = frame.f_back, level + 1
    return level


class RemovableHandle:
    """A handle that removes a hook from its table (and the hook's flags from `extra_dict`)."""

    next_id = 0

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        if isinstance(extra_dict, dict):
            extra_dict = [extra_dict]
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extra_dict or ())

    def remove(self):
        for ref in (self.hooks_dict_ref, *self.extra_dict_ref):
            table = ref()
            if table is not None:
                table.pop(self.id, None)

    def __getstate__(self):
        return (self.hooks_dict_ref(), self.id, tuple(ref() for ref in self.extra_dict_ref))

    def __setstate__(self, state):
        hooks = state[0] if state[0] is not None else OrderedDict()
        self._keep = hooks  # a revived handle keeps an otherwise unreferenced table alive
        self.hooks_dict_ref = weakref.ref(hooks)
        self.id = state[1]
        RemovableHandle.next_id = max(RemovableHandle.next_id, self.id + 1)
        extra = state[2] if len(state) > 2 and state[2] is not None else ()
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extra)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class BackwardHookFunction(Function):
    """Identity on its tensor arguments; its node is where module backward hooks attach."""

    @staticmethod
    def forward(ctx, *args):
        ctx.mark_non_differentiable(*[a for a in args if not a.requires_grad])
        return args

    @staticmethod
    def backward(ctx, *grads):
        return grads


class BackwardHook:
    """The full backward (pre-)hooks of one module call."""

    def __init__(self, module, user_hooks, user_pre_hooks):
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs = None
        self.n_outputs = -1
        self.output_tensors_index = None
        self.n_inputs = -1
        self.input_tensors_index = None

    @staticmethod
    def _wrap(args):
        """Pass the tensors of `args` through a BackwardHookFunction: (new args, positions of the
        tensors in args, positions among those of the tensors that require grad, the node), or
        (args, None, None, None) when no gradient will flow."""
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = [args[i] for i in positions]
        if not (_C.is_grad_enabled() and any(t.requires_grad for t in tensors)):
            return args, None, None, None
        wrapped = BackwardHookFunction.apply(*tensors)
        node = next(t.grad_fn for t in wrapped if t.grad_fn is not None)
        out = list(args)
        for i, t in zip(positions, wrapped):
            out[i] = t
        out = tuple(out) if type(args) is tuple else type(args)(*out)
        return out, positions, [k for k, t in enumerate(tensors) if t.requires_grad], node

    def setup_input_hook(self, args):
        res, positions, flowing, node = self._wrap(args)
        self.n_inputs = len(args)
        self.input_tensors_index = positions
        if node is not None:
            # torch's identity node materialises zero gradients for the tensors that do not
            # require grad: the hooks see those zeros
            fixed = [None if t.requires_grad else (t.shape, t.dtype, t.device) for t in (args[i] for i in positions)]
            node.register_hook(lambda grad_inputs, _: self._input_hook(grad_inputs, positions, flowing, fixed))
        return res

    def _input_hook(self, grad_inputs, positions, flowing, fixed):
        # the node returns one gradient per input that requires grad (its edges)
        if self.grad_outputs is None:
            return None
        per_tensor = [None if f is None else rstorch.zeros(f[0], dtype=f[1], device=f[2]) for f in fixed]
        if len(grad_inputs) == len(flowing):
            for k, g in zip(flowing, grad_inputs):
                per_tensor[k] = g
        res = [None] * self.n_inputs
        for i, g in zip(positions, per_tensor):
            res[i] = g
        res = tuple(res)
        for hook in self.user_hooks:
            out = hook(self.module, res, self.grad_outputs)
            if out is None:
                continue
            if len(out) != len(res):
                raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got {len(out)}, "
                                   f"but expected {len(res)}")
            res = out
        self.grad_outputs = None
        per_tensor = [res[i] for i in positions]
        return [per_tensor[k] for k in flowing]

    def setup_output_hook(self, result):
        is_tuple = isinstance(result, tuple)
        args = result if is_tuple else (result,)
        res, positions, _, node = self._wrap(args)
        self.n_outputs = len(args)
        self.output_tensors_index = positions
        if node is not None:
            node.register_prehook(lambda grad_outputs: self._output_hook(grad_outputs, positions))
        return res if is_tuple else res[0]

    def _output_hook(self, grad_outputs, positions):
        packed = [None] * self.n_outputs
        for i, g in zip(positions, grad_outputs):
            packed[i] = g
        self.grad_outputs = tuple(packed)
        for hook in self.user_pre_hooks:
            new = hook(self.module, self.grad_outputs)
            if new is None:
                continue
            if len(new) != len(self.grad_outputs):
                raise RuntimeError(f"Backward pre hook returned an invalid number of grad_output, got {len(new)}, "
                                   f"but expected {len(self.grad_outputs)}")
            self.grad_outputs = tuple(new)
        local = self.grad_outputs
        if self.input_tensors_index is None:
            # no input requires grad: the full hooks run here, with no grad_input
            if self.user_hooks:
                warnings.warn(
                    "Full backward hook is firing when gradients are computed with respect to module outputs "
                    "since no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/"
                    "torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details.",
                    stacklevel=user_stacklevel())
                grad_inputs = (None,) * self.n_inputs
                for hook in self.user_hooks:
                    r = hook(self.module, grad_inputs, self.grad_outputs)
                    if r is not None and not (isinstance(r, tuple) and all(e is None for e in r)):
                        raise RuntimeError("Backward hook for Modules where no input requires gradient should "
                                           "always return None or None for all gradients.")
            self.grad_outputs = None
        return [local[i] for i in positions]
