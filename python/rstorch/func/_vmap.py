"""vmap by looping: the function runs once per index of the mapped dimension on that slice of
every mapped input, and the per-example outputs are stacked at `out_dims`. Correct for any
function (nested vmap, vmap of grad, data-dependent control flow) at the cost of one call per
example; `chunk_size` does not change the result and is accepted for torch's signature.

randomness: 'error' raises on a random op inside the function (as torch does), 'different'
draws fresh values per example (the loop's natural behaviour), 'same' replays the default
generator's state for every example so all of them draw the same values."""

import contextlib
import functools

from .. import _C
from ._pytree import broadcast_prefix, tree_flatten, tree_unflatten

__all__ = ["vmap"]

Tensor = _C.TensorBase


def _name(func):
    if isinstance(func, functools.partial):
        return f"functools.partial(<function {_name(func.func)}>, ...)"
    return getattr(func, "__name__", repr(func))


def _check_randomness_arg(randomness):
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or 'same'. Got {randomness}")


@contextlib.contextmanager
def _random_guard(randomness, api="vmap"):
    """In 'error' mode, random ops (every sampler goes through rstorch._random._sample) raise."""
    if randomness != "error":
        yield
        return
    from .. import _random
    original = _random._sample

    def refuse(*args, **kwargs):
        raise RuntimeError(f"{api}: called random operation while in randomness error mode. Please either use the "
                           f"'same' or 'different' randomness flags on {api} or perform the randomness operation "
                           f"out of {api}")
    _random._sample = refuse
    try:
        yield
    finally:
        _random._sample = original


def _is_dim(d):
    return d is None or (isinstance(d, int) and not isinstance(d, bool))


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """Map `func` over dimension `in_dims` of its inputs, stacking its outputs at `out_dims`."""
    _check_randomness_arg(randomness)
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size <= 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        name = _name(func)
        if not isinstance(in_dims, (int, tuple)) or isinstance(in_dims, bool):
            raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int or a "
                             f"(potentially nested) tuple matching the structure of inputs, got: {type(in_dims)}.")
        if len(args) == 0:
            raise ValueError(f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you are "
                             "trying to vmap over a function with no inputs. The latter is unsupported.")
        leaves, spec = tree_flatten(args)
        dims = broadcast_prefix(in_dims if isinstance(in_dims, tuple) else (in_dims,) * len(args), args, _is_dim)
        if dims is None:
            raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with the "
                             f"structure of `inputs`. in_dims has structure {tree_flatten(in_dims)[1]} but inputs "
                             f"has structure {spec}.")
        sizes, norm_dims = [], []
        for d, x in zip(dims, leaves):
            if not _is_dim(d):
                raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an input but "
                                 "in_dim must be either an integer dimension or None.")
            if d is not None and not isinstance(x, Tensor):
                raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an input but "
                                 f"the input is of type {type(x)}. We cannot vmap over non-Tensor arguments, please "
                                 "use None as the respective in_dim")
            if d is not None:
                n = x.dim()
                if not -n <= d < n:
                    raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for some input, "
                                     f"but that input is a Tensor of dimensionality {n} so expected in_dim to satisfy "
                                     f"-{n} <= in_dim < {n}.")
                d = d + n if d < 0 else d
                sizes.append(x.shape[d])
            norm_dims.append(d)
        if not sizes:
            raise ValueError("vmap: Expected at least one Tensor to vmap over")
        if any(s != sizes[0] for s in sizes):
            raise ValueError("vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                             f"{sizes} for the mapped dimension")
        batch = sizes[0]
        return _run(func, name, leaves, spec, norm_dims, batch, kwargs, out_dims, randomness)
    return wrapped


def _run(func, name, leaves, spec, dims, batch, kwargs, out_dims, randomness):
    from .. import _random

    def example(i):
        sliced = [x if d is None else x.select(d, i) for x, d in zip(leaves, dims)]
        return func(*tree_unflatten(sliced, spec), **kwargs)

    results = []
    with _random_guard(randomness):
        if batch == 0:
            # nothing to map over: run once on a zero-filled example to learn the outputs' shapes
            from .._creation import zeros
            sliced = [x if d is None else zeros(tuple(x.shape[:d]) + tuple(x.shape[d + 1:]), dtype=x.dtype)
                      for x, d in zip(leaves, dims)]
            results.append(func(*tree_unflatten(sliced, spec), **kwargs))
        else:
            state = _random.get_rng_state() if randomness == "same" else None
            for i in range(batch):
                if state is not None:
                    _random.set_rng_state(state)
                results.append(example(i))
    return _stack_outputs(results, name, out_dims, batch)


def _stack_outputs(results, name, out_dims, batch):
    from .. import stack
    first_leaves, out_spec = tree_flatten(results[0])
    if _is_dim(out_dims):
        flat_out_dims = [out_dims] * len(first_leaves)
    elif isinstance(out_dims, (tuple, list, dict)):
        # out_dims is a prefix of the output's structure; a lone output also takes a 1-tuple
        flat_out_dims = broadcast_prefix(out_dims, results[0], _is_dim)
        if flat_out_dims is None and isinstance(out_dims, tuple) and len(out_dims) == 1 \
                and not isinstance(results[0], tuple):
            flat_out_dims = broadcast_prefix(out_dims[0], results[0], _is_dim)
        if flat_out_dims is None:
            raise ValueError(f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not compatible with the "
                             f"structure of `outputs`. out_dims has structure {tree_flatten(out_dims)[1]} but outputs "
                             f"has structure {out_spec}.")
    else:
        raise ValueError(f"vmap({name}, ..., out_dims={out_dims}): `out_dims` must be an int, None or a python "
                         "collection of ints representing where in the outputs the vmapped dimension should appear.")
    all_leaves = [first_leaves] + [tree_flatten(r)[0] for r in results[1:]]
    for leaves in all_leaves[1:]:
        if len(leaves) != len(first_leaves):
            raise ValueError(f"vmap({name}, ...): `{name}` must return outputs of the same structure for every "
                             "example")
    out = []
    for k, d in enumerate(flat_out_dims):
        column = [leaves[k] for leaves in all_leaves]
        if d is None:
            out.append(column[0])
            continue
        if not _is_dim(d):
            raise ValueError(f"vmap({name}, ..., out_dims={out_dims}): `out_dims` must be an int, None or a python "
                             "collection of ints representing where in the outputs the vmapped dimension should appear.")
        for v in column:
            if not isinstance(v, Tensor):
                raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got type {type(v)}. "
                                 "Did you mean to set out_dims= to None for output?")
        n = column[0].dim() + 1
        if not -n <= d < n:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})")
        stacked = stack(column, dim=d)
        if batch == 0:
            stacked = stacked.narrow(d, 0, 0)
        out.append(stacked)
    return tree_unflatten(out, out_spec)
