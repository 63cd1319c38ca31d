"""Backward rules of the core ops: arithmetic with its reflected forms, sum/mean, dtype
conversion, copies and the basic views (see _registry for the contract). Written in Tensor ops,
so double backward records through them."""

from ..._creation import zeros_like
from ._registry import rule


def _needs(x):
    """Whether arg `x` may need a gradient (tensors that require grad, or stand-ins for them)."""
    return getattr(x, "requires_grad", False)


def _by_dim(forms):
    """Node name by whether a `dim` was given (torch: SumBackward0 for all dims, 1 with dims)."""
    return lambda args, kwargs: forms[kwargs.get("dim") is not None]


@rule("add")
@rule("radd", node="AddBackward0")
def add(grad, args, kwargs, out):
    alpha = kwargs.get("alpha", 1)
    return grad, grad if alpha == 1 else grad * alpha


@rule("sub")
def sub(grad, args, kwargs, out):
    alpha = kwargs.get("alpha", 1)
    return grad, -grad if alpha == 1 else grad * -alpha


@rule("rsub", node="RsubBackward1")
def rsub(grad, args, kwargs, out):
    # args are (self, other) for `other - self`
    return -grad, grad


@rule("mul")
@rule("rmul", node="MulBackward0")
def mul(grad, args, kwargs, out):
    a, b = args
    return grad * b if _needs(a) else None, grad * a if _needs(b) else None


def _div_node(args, kwargs):
    # torch records a rounded quotient (div with rounding_mode) as DivBackward2
    return "DivBackward2" if kwargs.get("rounding_mode") is not None else "DivBackward0"


@rule("div", node=_div_node)
def div(grad, args, kwargs, out):
    a, b = args
    if kwargs.get("rounding_mode") is not None:
        # a rounded quotient is piecewise constant: torch's gradients are zeros (not tied to
        # `grad`, so they do not require grad even under create_graph)
        z = zeros_like(grad)
        return z if _needs(a) else None, z if _needs(b) else None
    return grad / b if _needs(a) else None, -grad * a / (b * b) if _needs(b) else None


@rule("floor_divide", node="NotImplemented")
@rule("rfloor_divide", node="NotImplemented")
def floor_divide(grad, args, kwargs, out):
    # torch records floor_divide (and `//`) with a node that refuses to differentiate
    raise RuntimeError("derivative for aten::floor_divide is not implemented")


@rule("rdiv", node="DivBackward0")
def rdiv(grad, args, kwargs, out):
    # args are (self, other) for `other / self`
    s, o = args
    return -grad * o / (s * s) if _needs(s) else None, grad / s if _needs(o) else None


@rule("neg")
def neg(grad, args, kwargs, out):
    return (-grad,)


def _reduced_dims(kwargs, ndim):
    """The dims a sum/mean reduced, normalised and sorted (all of them when dim is None or [])."""
    dim = kwargs.get("dim")
    if dim is None:
        return list(range(ndim))
    dims = [dim] if isinstance(dim, int) else list(dim)
    if not dims:
        return list(range(ndim))
    return sorted(d % ndim if ndim else 0 for d in dims)


def _unreduce(grad, self, kwargs):
    """`grad` of a reduction broadcast back over the input's shape (reshape puts back the
    reduced dims as size 1, so only core rules are needed for double backward)."""
    shape = self.shape
    if not kwargs.get("keepdim", False) and len(shape) > 0:
        kept = list(shape)
        for d in _reduced_dims(kwargs, len(shape)):
            kept[d] = 1
        grad = grad.reshape(kept)
    return grad.expand(shape)


@rule("sum", node=_by_dim(("SumBackward0", "SumBackward1")))
def sum_(grad, args, kwargs, out):
    return (_unreduce(grad, args[0], kwargs),)


@rule("mean", node=_by_dim(("MeanBackward0", "MeanBackward1")))
def mean(grad, args, kwargs, out):
    self = args[0]
    shape = self.shape
    n = 1
    for d in _reduced_dims(kwargs, len(shape)):
        n *= shape[d] if shape else 1
    return (_unreduce(grad, self, kwargs) / n,)


@rule("_to_dtype", node="ToCopyBackward0")
@rule("alias")
@rule("clone")
@rule("contiguous", node="CloneBackward0")
def identity(grad, args, kwargs, out):
    # the engine casts the gradient back to the input's dtype
    return (grad,)


@rule("_to_device", node="ToCopyBackward0")
def to_device(grad, args, kwargs, out):
    return (grad._to_device(args[0]._device),)


@rule("view")
@rule("reshape", node="ViewBackward0")
def view(grad, args, kwargs, out):
    return (grad.reshape(args[0].shape),)


@rule("expand")
def expand(grad, args, kwargs, out):
    # the engine sums the gradient back over the expanded dims
    return (grad,)


@rule("permute")
def permute(grad, args, kwargs, out):
    dims = args[1]
    n = len(dims)
    inverse = [0] * n
    for i, d in enumerate(dims):
        inverse[d % n] = i
    return (grad.permute(inverse),)


@rule("transpose")
def transpose(grad, args, kwargs, out):
    return (grad.transpose(args[1], args[2]),)


@rule("t")
def t(grad, args, kwargs, out):
    return (grad.t(),)


@rule("copy_", node="CopyBackwards")
def copy_(grad, args, kwargs, out):
    # self's old value is overwritten; the source gets the gradient (summed back and cast by
    # the engine when it was broadcast or converted)
    return None, grad


@rule("fill_", node="FillBackward2")
def fill_(grad, args, kwargs, out):
    value = args[1]
    return None, grad.sum() if _needs(value) else None
