"""`gradcheck` / `gradgradcheck`: analytical gradients against central finite differences.

The full Jacobians are compared: the numerical one column by column (each input element
perturbed by +-eps in place, through a numpy view that shares the tensor's memory), the
analytical one row by row (one backward per output element)."""

import numpy as np

from .. import _C
from .engine import grad as _grad
from .grad_mode import no_grad

TensorBase = _C.TensorBase


class GradcheckError(RuntimeError):
    """Raised by gradcheck and gradgradcheck when a check fails."""


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _diff_inputs(inputs):
    return [(i, t) for i, t in enumerate(inputs) if isinstance(t, TensorBase) and t.requires_grad]


def _diff_outputs(outputs):
    return [o for o in outputs if isinstance(o, TensorBase) and o.dtype.is_floating_point]


def _values(outputs):
    return [o.detach().double().numpy().reshape(-1).copy() for o in _diff_outputs(outputs)]


def _numerical(func, inputs, diff_inputs, eps):
    """jac[o][i]: (numel of input i, numel of output o) matrices of central differences."""
    base = _values(_as_tuple(func(*inputs)))
    jac = [[np.zeros((t.numel(), v.size)) for _, t in diff_inputs] for v in base]
    for k, (_, t) in enumerate(diff_inputs):
        arr = t.detach().numpy()
        for j, idx in enumerate(np.ndindex(arr.shape)):
            orig = arr[idx].item()
            arr[idx] = orig + eps
            plus = _values(_as_tuple(func(*inputs)))
            arr[idx] = orig - eps
            minus = _values(_as_tuple(func(*inputs)))
            arr[idx] = orig
            for o in range(len(base)):
                jac[o][k][j] = (plus[o] - minus[o]) / (2 * eps)
    return jac


def _analytical(outputs, diff_inputs):
    """Same layout as `_numerical`, from one backward per output element."""
    from .._creation import zeros
    outs = _diff_outputs(outputs)
    jac = [[np.zeros((t.numel(), o.numel())) for _, t in diff_inputs] for o in outs]
    xs = [t for _, t in diff_inputs]
    for o, out in enumerate(outs):
        if not out.requires_grad:
            continue
        for j in range(out.numel()):
            go = zeros(out.numel(), dtype=out.dtype)
            go[j] = 1
            grads = _grad(out, xs, go.view(out.shape), retain_graph=True, allow_unused=True)
            for k, g in enumerate(grads):
                if g is not None:
                    if tuple(g.shape) != tuple(xs[k].shape):
                        raise GradcheckError(f"Analytical gradient has incorrect size: got {list(g.shape)}, "
                                             f"expected {list(xs[k].shape)}")
                    jac[o][k][:, j] = g.detach().double().numpy().reshape(-1)
    return jac


def _fmt(m):
    from .._creation import tensor
    return repr(tensor(m)).replace("tensor(", "tensor(", 1)


def gradcheck(func, inputs, *, eps=1e-06, atol=1e-05, rtol=0.001, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True,
              fast_mode=False, masked=None):
    """Check the gradients of `func` at `inputs` against finite differences (float64 inputs)."""
    inputs = _as_tuple(inputs)
    diff_inputs = _diff_inputs(inputs)
    if not diff_inputs:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of "
                         "the them have requires_grad=True.")
    for i, t in diff_inputs:
        if t.dtype is not _C.float64:
            import warnings
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point. "
                          "This check will likely fail if all the inputs are not of double precision "
                          "floating point. ", stacklevel=2)
    try:
        outputs = _as_tuple(func(*inputs))
        for o in outputs:
            if isinstance(o, TensorBase) and o.requires_grad and not o.dtype.is_floating_point:
                raise GradcheckError("Gradcheck expects output tensors of floating dtype")
        if not check_backward_ad:
            return True
        analytical = _analytical(outputs, diff_inputs)
        if nondet_tol >= 0:
            again = _analytical(_as_tuple(func(*inputs)), diff_inputs)
            for o, row in enumerate(analytical):
                for k, a in enumerate(row):
                    if not np.allclose(a, again[o][k], rtol=0, atol=nondet_tol, equal_nan=True):
                        raise GradcheckError(
                            "Backward is not reentrant, i.e., running backward with same input and "
                            "grad_output multiple times gives different values, although analytical "
                            "gradient matches numerical gradient.The tolerance for nondeterminism was "
                            f"{nondet_tol}.")
        with no_grad():
            numerical = _numerical(func, inputs, diff_inputs, eps)
        for o, row in enumerate(numerical):
            for k, n in enumerate(row):
                a = analytical[o][k]
                if not np.all(np.abs(a - n) <= atol + rtol * np.abs(n)):
                    raise GradcheckError(
                        f"Jacobian mismatch for output {o} with respect to input {diff_inputs[k][0]},\n"
                        f"numerical:{_fmt(n)}\nanalytical:{_fmt(a)}\n")
        return True
    except GradcheckError:
        if raise_exception:
            raise
        return False


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-06, atol=1e-05, rtol=0.001,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False, masked=False):
    """Check second derivatives: gradcheck of the (create_graph) gradient of `func`."""
    from .._creation import tensor
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        outs = _diff_outputs(_as_tuple(func(*inputs)))
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            tensor(rng.standard_normal(tuple(o.shape)), dtype=o.dtype, requires_grad=True) for o in outs)
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n = len(grad_outputs)

    def first_grads(*args):
        ins, gos = args[:-n] if n else args, args[-n:] if n else ()
        outs = [o for o in _diff_outputs(_as_tuple(func(*ins))) if o.requires_grad]
        xs = [t for _, t in _diff_inputs(ins)]
        gs = _grad(outs, xs, gos[:len(outs)], create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    if not check_rev_over_rev:
        return True
    return gradcheck(first_grads, inputs + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol)
