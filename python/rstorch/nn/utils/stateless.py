"""`nn.utils.stateless.functional_call`: call a module with some of its parameters and buffers
replaced by the given tensors for the duration of the call (the originals are put back after,
also when the call raises). `rstorch.func.functional_call` is the same with a list of dicts."""

import contextlib
import warnings

from ..._C import TensorBase

__all__ = ["functional_call"]

_MISSING = object()


def _owner(module, path):
    """The submodule that holds `path`'s last component, and that component."""
    *prefix, name = path.split(".")
    mod = module
    for i, part in enumerate(prefix):
        if not hasattr(mod, part):
            raise AttributeError(f"{mod._get_name()} has no attribute `{part}`")
        mod = getattr(mod, part)
        from ..modules.module import Module
        if not isinstance(mod, Module):
            raise TypeError(f"{'.'.join(prefix[:i + 1])} is not an instance of torch.nn.Module")
    if name == "":
        raise KeyError('tensor name can\'t be empty string ""')
    return mod, name


def _swap(module, path, tensor):
    """Put `tensor` (or nothing, for _MISSING) at `path`; return what was there."""
    if tensor is not _MISSING and tensor is not None and not isinstance(tensor, TensorBase):
        raise TypeError(f"{tensor} is not an instance of torch.Tensor")
    mod, name = _owner(module, path)
    for registry in (mod._parameters, mod._buffers):
        if name in registry:
            orig = registry[name]
            if tensor is _MISSING:
                del registry[name]
            else:
                registry[name] = tensor
            return orig
    orig = getattr(mod, name) if hasattr(mod, name) else _MISSING
    if orig is not _MISSING and orig is not None and not isinstance(orig, TensorBase):
        raise TypeError(f"attribute `{name}`: {orig} is not an instance of torch.Tensor")
    if tensor is not _MISSING:
        setattr(mod, name, tensor)
    elif hasattr(mod, name):
        delattr(mod, name)
    return orig


def _all_named_tensors(module):
    named = dict(module.named_parameters(remove_duplicate=False))
    named.update(module.named_buffers(remove_duplicate=False))
    return named


def _untie(module, given):
    """Extend `given` to every name tied (the same tensor object) to a given name."""
    by_tensor = {}
    for name, t in _all_named_tensors(module).items():
        by_tensor.setdefault(id(t), set()).add(name)
    tied = {name: names for names in by_tensor.values() if len(names) > 1 for name in names}
    given_tied = [name for name in given if name in tied]
    for name in given_tied:
        names = tied[name]
        values = {id(given[n]) for n in names if n in given}
        if len(values) > 1:
            raise ValueError(f"functional_call got multiple values for keys {sorted(names)}, "
                             "which are tied. Consider using tie_weights=False")
    untied = dict(given)
    for name in given_tied:
        for other in tied[name]:
            untied[other] = given[name]
    return untied


@contextlib.contextmanager
def _reparametrize_module(module, parameters_and_buffers, tie_weights=False, strict=False):
    values = _untie(module, parameters_and_buffers) if tie_weights else parameters_and_buffers
    if strict:
        valid = set(_all_named_tensors(module))
        keys = set(values)
        unexpected, missing = sorted(keys - valid), sorted(valid - keys)
        msgs = []
        if unexpected:
            msgs.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
        if missing:
            msgs.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
        if msgs:
            raise RuntimeError("Error(s) in reparametrizing for {}:\n\t{}".format(module._get_name(), "\n\t".join(msgs)))
    originals = {}
    try:
        for name, t in values.items():
            originals[name] = _swap(module, name, t)
        yield
    finally:
        for name, orig in reversed(list(originals.items())):
            _swap(module, name, orig)


def _functional_call(module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights=True, strict=False):
    from ..parallel import DataParallel
    if isinstance(module, DataParallel):
        raise RuntimeError("The stateless API can't be used with nn.DataParallel module")
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize_module(module, parameters_and_buffers, tie_weights=tie_weights, strict=strict):
        return module(*args, **kwargs)


def functional_call(module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """Run `module(*args, **kwargs)` with the module's parameters and buffers named in
    `parameters_and_buffers` replaced by the given tensors (deprecated in torch 2.0 in favour of
    `torch.func.functional_call`, which this warns about as torch does)."""
    warnings.warn("`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 and will be removed "
                  "in a future version of PyTorch. Please use `torch.func.functional_call` instead which is a "
                  "drop-in replacement.", FutureWarning, stacklevel=2)
    return _functional_call(module, parameters_and_buffers, args, kwargs, tie_weights=tie_weights, strict=strict)
