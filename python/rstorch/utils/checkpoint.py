"""`torch.utils.checkpoint`: trade compute for memory. The checkpointed function runs without
recording a graph (its intermediate activations are not kept); the backward pass runs it again
with grad enabled, from the saved inputs and the saved CPU random state (so dropout draws the
same masks), and backpropagates through that recomputation.

rstorch implements both of torch's variants with this one recomputing autograd Function:
`use_reentrant=False` differs from `True` in that keyword arguments are allowed and inputs
that don't require grad still let parameters inside the function get gradients (which this
implementation gives in both modes, as the non-reentrant variant does)."""

import functools
import warnings

from .. import _C
from .._random import get_rng_state, set_rng_state
from ..autograd import Function, enable_grad
from ..autograd import backward as _backward

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointError", "CheckpointFunction", "detach_variable",
           "noop_context_fn"]


class CheckpointError(RuntimeError):
    pass


def noop_context_fn():
    import contextlib
    return contextlib.nullcontext(), contextlib.nullcontext()


def detach_variable(inputs):
    if not isinstance(inputs, tuple):
        raise RuntimeError(f"Only tuple of tensors is supported. Got Unsupported input type: {type(inputs).__name__}")
    out = []
    for x in inputs:
        if isinstance(x, _C.TensorBase):
            y = x.detach()
            y.requires_grad = x.requires_grad
            out.append(y)
        else:
            out.append(x)
    return tuple(out)


class CheckpointFunction(Function):
    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        ctx.run_function = run_function
        ctx.preserve_rng_state = preserve_rng_state
        if preserve_rng_state:
            ctx.fwd_rng_state = get_rng_state()
        # tensors go through save_for_backward (in-place checks); the rest is kept as it is
        ctx.inputs = [None if isinstance(a, _C.TensorBase) else a for a in args]
        ctx.tensor_indices = [i for i, a in enumerate(args) if isinstance(a, _C.TensorBase)]
        ctx.save_for_backward(*(args[i] for i in ctx.tensor_indices))
        return run_function(*args)

    @staticmethod
    def backward(ctx, *grads):
        inputs = list(ctx.inputs)
        for i, t in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[i] = t
        inputs = detach_variable(tuple(inputs))
        if ctx.preserve_rng_state:
            state = get_rng_state()
            set_rng_state(ctx.fwd_rng_state)
        try:
            with enable_grad():
                outputs = ctx.run_function(*inputs)
        finally:
            if ctx.preserve_rng_state:
                set_rng_state(state)
        if isinstance(outputs, _C.TensorBase):
            outputs = (outputs,)
        pairs = [(o, g) for o, g in zip(outputs, grads)
                 if isinstance(o, _C.TensorBase) and o.requires_grad and g is not None]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not necessary")
        _backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None, None) + tuple(x.grad if isinstance(x, _C.TensorBase) else None for x in inputs)


def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn, determinism_check="default",
               debug=False, preserve_rng_state=True, early_stop=True, respect_saved_tensors_hooks=None, **kwargs):
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. In a "
                      "future release, calling checkpoint without use_reentrant will raise an exception. "
                      "use_reentrant=False is recommended, but if you need to preserve the current default "
                      "behavior, you can pass use_reentrant=True. Refer to docs for more details on the "
                      "differences between the two variants.", stacklevel=2)
        use_reentrant = True
    if use_reentrant:
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when use_reentrant=False.")
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    elif kwargs:
        function = functools.partial(function, **kwargs)
    if determinism_check not in ("default", "none"):
        raise ValueError(f"determinism_check should be one of ['default', 'none'], but got {determinism_check}")
    if use_reentrant:
        if _C.is_grad_enabled() and not any(isinstance(a, _C.TensorBase) and a.requires_grad for a in args):
            # as torch's reentrant variant: the outputs don't require grad, parameters get none
            warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", stacklevel=2)
        return CheckpointFunction.apply(function, preserve_rng_state, *args)
    if not _C.is_grad_enabled():
        return function(*args)
    if any(isinstance(a, _C.TensorBase) and a.requires_grad for a in args):
        return CheckpointFunction.apply(function, preserve_rng_state, *args)
    # no input requires grad but parameters inside may: anchor the recomputation on a dummy input
    # that requires grad, so the node is recorded (torch's non-reentrant variant tracks the
    # parameters through saved-tensor hooks instead)
    from .._creation import zeros

    def run(_anchor, *a):
        return function(*a)

    return CheckpointFunction.apply(run, preserve_rng_state, zeros((), requires_grad=True), *args)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run a Sequential (or list of modules) in `segments` checkpointed chunks; the last chunk
    runs normally."""
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be "
                      "passed explicitly. In a future release, calling checkpoint_sequential without "
                      "use_reentrant will raise an exception. use_reentrant=False is recommended, but if you "
                      "need to preserve the current default behavior, you can pass use_reentrant=True. Refer to "
                      "docs for more details on the differences between the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))

    def run_function(start, end, functions):
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x
        return forward

    if hasattr(functions, "children") and callable(functions.children):
        functions = list(functions.children())
    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_function(start, end, functions), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run_function(end + 1, len(functions) - 1, functions)(input)
