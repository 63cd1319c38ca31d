"""The registry of backward rules, keyed by the op name the Rust side passes to the recorder.

A rule is written in Tensor ops (so it runs on any device and double backward works):

    @rule("exp")                      # node class ExpBackward0
    def exp(grad, args, kwargs, out):
        return (grad * out,)

- `grad`: the gradient of the op's result (its shape). For ops with several outputs (`out` a
  tuple), a tuple with None for outputs that received no gradient.
- `args`, `kwargs`: exactly what the op was called with (self first for methods; kwargs a dict).
- `out`: the op's result (a tensor, or a tuple of them).
- returns one entry per positional arg: a Tensor (any shape that broadcasts to the input's: the
  engine sums it back to the input's shape and casts it to the input's dtype), None (no
  gradient, or not a tensor), or a list of such entries for a list-of-tensors arg (cat, stack).
- an arg whose tensor was modified in place after the op arrives as a stand-in: its metadata
  (shape, dtype, dim(), requires_grad) still reads, and using its values raises torch's error.
- the engine keeps `args` and `out` for backward only when the rule reads them.

`node` is the node class name (default: from the op name, "mul" -> "MulBackward0"), or a
function `(args, kwargs) -> name` for ops whose torch node depends on the call (SumBackward0
without dims, SumBackward1 with them).
"""

RULES = {}


def _node_name(name):
    return "".join(p.capitalize() for p in name.strip("_").split("_")) + "Backward0"


def rule(name, node=None):
    """Register `fn` as the backward rule of op `name`; `node` overrides the node class name
    (a string, or a function of (args, kwargs) returning one)."""
    def register(fn):
        RULES[name] = (fn, node or _node_name(name))
        return fn
    return register
