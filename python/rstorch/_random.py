"""Random sampling: `Generator`, the global seed functions, `rand`/`randn`/`randint`/`randperm`,
`normal`, `bernoulli`, `multinomial`, and the in-place `Tensor` samplers (`uniform_`, `normal_`,
...), installed onto `Tensor` by `install_tensor_methods`.

The numbers are torch's: for the same seed, `rstorch.manual_seed(s); rstorch.randn(n)` gives the
same values as `torch.manual_seed(s); torch.randn(n)` (CPU), bit for bit, and the generator state
is byte-compatible with `torch.get_rng_state()`. The kernels are in `rstorch._C` (see
rust/core/src/random/).
"""

import contextlib
import numbers
import operator

from . import _C
from ._creation import _check_device as _creation_check_device, get_default_dtype
from ._device import device as _device

__all__ = [
    "Generator", "default_generator", "manual_seed", "seed", "initial_seed", "get_rng_state",
    "set_rng_state", "rand", "rand_like", "randn", "randn_like", "randint", "randint_like",
    "randperm", "normal", "bernoulli", "multinomial",
]


# ---------------------------------------------------------------------- generators

class Generator(_C.Generator):
    """A CPU random generator (torch's mt19937 with torch's state layout), like `torch.Generator`.

    `Generator().manual_seed(3)` returns the generator; `get_state()` / `set_state()` exchange a
    5056-byte uint8 tensor that `torch.Generator.set_state` also accepts.
    """

    __module__ = "rstorch"

    def __init__(self, device="cpu"):
        pass  # the Rust base class validates `device` in __new__

    @property
    def device(self):
        return _device("cpu")

    def clone_state(self):
        """A new generator in this generator's current state."""
        g = Generator()
        g._copy_from(self)
        return g

    def __reduce__(self):
        return (_rebuild_generator, (self.get_state(),))


def _rebuild_generator(state):
    return Generator().set_state(state)


default_generator = Generator()
_C._set_default_generator(default_generator)


def manual_seed(seed):
    """Seeds the default generator and returns it (`torch.manual_seed`)."""
    return default_generator.manual_seed(int(seed))


def seed():
    """Seeds the default generator nondeterministically and returns the seed."""
    return default_generator.seed()


def initial_seed():
    """The seed the default generator was last seeded with."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state, a uint8 tensor (byte-compatible with torch's)."""
    return default_generator.get_state()


def set_rng_state(new_state):
    """Restores the default generator's state from `get_rng_state()`."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, **_):
    """`torch.random.fork_rng`: restores the default generator's state on exit."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


# ---------------------------------------------------------------------- argument helpers

def _is_tensor(x):
    return isinstance(x, _C.TensorBase)


def _default_dtype():
    return get_default_dtype()


def _check_device(device):
    """The core's name of `device=` ("cpu" for None), or torch's error."""
    return _creation_check_device(device)


def _type_name(x):
    return type(x).__name__


def _size(args, size, fn):
    """Sizes given as varargs (`rand(2, 3)`), one sequence (`rand((2, 3))`), or `size=`."""
    if size is not None:
        if args:
            raise TypeError(f"{fn}() got multiple values for argument 'size'")
        if not isinstance(size, (tuple, list)):
            raise TypeError(f"{fn}(): argument 'size' must be tuple of ints, not {_type_name(size)}")
        args = (size,)
    if not args:
        tail = ("torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, "
                "bool pin_memory = False, bool requires_grad = False)\n")
        raise TypeError(
            f"{fn}() received an invalid combination of arguments - got (), but expected one of:\n"
            f" * (tuple of ints size, *, torch.Generator generator, Tensor out = None, {tail}"
            f" * (tuple of ints size, *, Tensor out = None, {tail}")
    if len(args) == 1 and not isinstance(args[0], numbers.Integral) and not _is_tensor(args[0]):
        seq = args[0]
        if not isinstance(seq, (tuple, list)):
            raise TypeError(
                f"{fn}(): argument 'size' (position 1) must be tuple of ints, not {_type_name(seq)}")
    else:
        seq = args
    out = []
    for i, s in enumerate(seq):
        try:
            out.append(operator.index(s))
        except TypeError:
            raise TypeError(
                f"{fn}(): argument 'size' (position 1) must be tuple of ints, but found element of "
                f"type {_type_name(s)} at pos {i}") from None
    return out


def _int_arg(x, fn, name, pos):
    if isinstance(x, bool) or not (isinstance(x, numbers.Integral) or _is_tensor(x)):
        try:
            return operator.index(x)
        except TypeError:
            raise TypeError(
                f"{fn}(): argument '{name}' (position {pos}) must be int, not {_type_name(x)}") from None
    return operator.index(x)


def _finish(t, requires_grad):
    if requires_grad:
        t.requires_grad = True
    return t


def _new(sizes, dtype, out, device=None):
    """The tensor a creation function fills: `out` (resized when needed) or a new one."""
    if out is not None:
        if list(out.shape) != list(sizes):
            out._set(_C._random_empty(sizes, out.dtype))
        return out
    if device is not None and device != "cpu":
        return _C.zeros(sizes, dtype, device)
    return _C._random_empty(sizes, dtype)


def _sample(fill, t, *args):
    """Run the sampler `fill` on `t`; a meta tensor has no values to draw (and, as in torch,
    the generator does not move)."""
    if t.is_meta:
        return
    if t._device != "cpu":
        # no GPU sampler yet: draw on the CPU (the CPU's stream) and upload into t
        host = _C.zeros(list(t.shape), t.dtype, "cpu")
        fill(host, *args)
        t.copy_(host)
        return
    fill(t, *args)


def _empty_like(input, dtype):
    """torch's `empty_like` with `preserve_format` (Tensor::empty_like_preserving in Rust)."""
    return _C._random_empty_like(input, dtype)


def _check_inplace(t):
    if t.requires_grad and t.is_leaf and _C.is_grad_enabled():
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")


def _parse(fn, args, kwargs, names, defaults):
    """Positional-or-keyword arguments whose names are Python keywords (`from`)."""
    if len(args) > len(names):
        raise TypeError(f"{fn}() takes at most {len(names)} arguments ({len(args)} given)")
    vals = list(args) + list(defaults[len(args):])
    for k, v in kwargs.items():
        if k not in names:
            raise TypeError(f"{fn}() got an unexpected keyword argument '{k}'")
        i = names.index(k)
        if i < len(args):
            raise TypeError(f"{fn}() got multiple values for argument '{k}'")
        vals[i] = v
    return vals


def _float(x):
    return float(x.item()) if _is_tensor(x) else float(x)


# ---------------------------------------------------------------------- creation

def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False, **kwargs):
    """Uniform samples on [0, 1)."""
    sizes = _size(size, kwargs.pop("size", None), "rand")
    t = _new(sizes, dtype or _default_dtype(), out, _check_device(device))
    _sample(_C._uniform_, t, 0.0, 1.0, generator)
    return _finish(t, requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False, **kwargs):
    """Standard normal samples."""
    sizes = _size(size, kwargs.pop("size", None), "randn")
    t = _new(sizes, dtype or _default_dtype(), out, _check_device(device))
    _sample(_C._normal_, t, 0.0, 1.0, generator)
    return _finish(t, requires_grad)


def rand_like(input, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    _check_device(device)
    t = _empty_like(input, dtype or input.dtype)
    _sample(_C._uniform_, t, 0.0, 1.0, generator)
    return _finish(t, requires_grad)


def randn_like(input, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    _check_device(device)
    t = _empty_like(input, dtype or input.dtype)
    _sample(_C._normal_, t, 0.0, 1.0, generator)
    return _finish(t, requires_grad)


_RANDINT_USAGE = (
    "randint() received an invalid combination of arguments - got ({}), but expected one of:\n"
    " * (int high, tuple of ints size, *, torch.Generator generator, Tensor out = None, "
    "torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, "
    "bool pin_memory = False, bool requires_grad = False)\n"
    " * (int low, int high, tuple of ints size, *, torch.Generator generator, Tensor out = None, "
    "torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, "
    "bool pin_memory = False, bool requires_grad = False)\n")


def randint(*args, low=None, high=None, size=None, generator=None, out=None, dtype=None,
            layout=None, device=None, requires_grad=False, pin_memory=False):
    """Integers uniform on [low, high): `randint(high, size)` or `randint(low, high, size)`."""
    args = list(args)
    if size is None and args:
        size = args.pop()
    if len(args) == 2:
        if low is not None or high is not None:
            raise TypeError(_RANDINT_USAGE.format(", ".join(_type_name(a) for a in args)))
        low, high = args
    elif len(args) == 1:
        if high is None:
            high = args[0]
        elif low is None:
            low = args[0]
        else:
            raise TypeError(_RANDINT_USAGE.format(_type_name(args[0])))
    elif len(args) > 2:
        raise TypeError(_RANDINT_USAGE.format(", ".join(_type_name(a) for a in args)))
    if high is None or size is None:
        got = [_type_name(a) for a in ([high] if high is not None else []) + ([size] if size is not None else [])]
        raise TypeError(_RANDINT_USAGE.format(", ".join(got)))
    pos = 3 if low is not None else 2
    if not isinstance(size, (tuple, list)):
        raise TypeError(
            f"randint(): argument 'size' (position {pos}) must be tuple of ints, not {_type_name(size)}")
    sizes = _size((size,), None, "randint")
    low = 0 if low is None else _int_arg(low, "randint", "low", 1)
    high = _int_arg(high, "randint", "high", pos - 1)
    t = _new(sizes, dtype or _C.int64, out, _check_device(device))
    _sample(_C._random_, t, low, high, generator)
    return _finish(t, requires_grad)


def randint_like(input, *args, low=None, high=None, generator=None, dtype=None, layout=None,
                 device=None, requires_grad=False, memory_format=None):
    """`randint_like(input, high)` or `randint_like(input, low, high)`."""
    if len(args) == 2:
        low, high = args
    elif len(args) == 1:
        if high is None:
            high = args[0]
        else:
            low = args[0]
    elif len(args) > 2:
        raise TypeError(f"randint_like() takes at most 3 positional arguments ({len(args) + 1} given)")
    if high is None:
        raise TypeError("randint_like() missing required argument 'high'")
    low = 0 if low is None else _int_arg(low, "randint_like", "low", 2)
    high = _int_arg(high, "randint_like", "high", 3 if len(args) == 2 else 2)
    _check_device(device)
    t = _empty_like(input, dtype or input.dtype)
    _sample(_C._random_, t, low, high, generator)
    return _finish(t, requires_grad)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """A random permutation of 0..n-1 (int64 unless `dtype`)."""
    n = _int_arg(n, "randperm", "n", 1)
    _check_device(device)
    t = _C._randperm(n, dtype or _C.int64, generator)
    if out is not None:
        if out.dtype is not t.dtype:
            t = t.to(out.dtype)
        out.copy_(t) if list(out.shape) == list(t.shape) else out._set(t)
        return out
    return _finish(t, requires_grad)


_NORMAL_USAGE = (
    "normal() received an invalid combination of arguments - got ({}), but expected one of:\n"
    " * (Tensor mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (Tensor mean, float std = 1, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (float mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (float mean, float std, tuple of ints size, *, torch.Generator generator = None, "
    "Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, "
    "torch.device device = None, bool pin_memory = False, bool requires_grad = False)\n")


def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad=False, pin_memory=False):
    """Normal samples: `normal(mean_tensor, std_tensor)`, `normal(mean_tensor, std=1.0)`,
    `normal(mean, std_tensor)`, or `normal(mean, std, size)`."""
    if not _is_tensor(mean) and not _is_tensor(std):
        if size is None:
            raise TypeError(_NORMAL_USAGE.format(f"{_type_name(mean)}, {_type_name(std)}"))
        sizes = _size((size,), None, "normal")
        t = _new(sizes, dtype or _default_dtype(), out, _check_device(device))
        _sample(_C._normal_, t, float(mean), float(std), generator)
        return _finish(t, requires_grad)
    if size is not None:
        raise TypeError(_NORMAL_USAGE.format(
            f"{_type_name(mean)}, {_type_name(std)}, {_type_name(size)}"))
    t = _C._normal_tensor(mean, std, generator)
    if out is not None:
        out.copy_(t) if list(out.shape) == list(t.shape) else out._set(t.to(out.dtype))
        return out
    return t


def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 samples with probabilities `input` (or the constant `p`), in `input`'s dtype."""
    t = _C._random_empty(list(input.shape), input.dtype)
    _sample(_C._bernoulli_, t, input if p is None else p, generator)
    if out is not None:
        out.copy_(t) if list(out.shape) == list(t.shape) else out._set(t.to(out.dtype))
        return out
    return t


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices sampled from the rows of `input` (unnormalised probabilities)."""
    num_samples = _int_arg(num_samples, "multinomial", "num_samples", 2)
    t = _C._multinomial(input, num_samples, bool(replacement), generator)
    if out is not None:
        out.copy_(t) if list(out.shape) == list(t.shape) else out._set(t)
        return out
    return t


# ---------------------------------------------------------------------- Tensor methods

def _uniform_(self, *args, generator=None, **kwargs):
    a, b = _parse("uniform_", args, kwargs, ("from", "to"), (0.0, 1.0))
    _check_inplace(self)
    _sample(_C._uniform_, self, _float(a), _float(b), generator)
    return self


def _normal_method_(self, mean=0.0, std=1.0, *, generator=None):
    _check_inplace(self)
    _sample(_C._normal_, self, _float(mean), _float(std), generator)
    return self


def _random_method_(self, *args, generator=None, **kwargs):
    if len(args) == 1 and not kwargs:
        frm, to = 0, args[0]  # random_(to)
    elif not args and set(kwargs) == {"to"}:
        frm, to = 0, kwargs["to"]
    elif not args and not kwargs:
        frm, to = None, None  # random_()
    else:
        frm, to = _parse("random_", args, kwargs, ("from", "to"), (0, None))
    frm = None if frm is None else _int_arg(frm, "random_", "from", 1)
    to = None if to is None else _int_arg(to, "random_", "to", 2)
    _check_inplace(self)
    _sample(_C._random_, self, frm, to, generator)
    return self


def _bernoulli_method_(self, p=0.5, *, generator=None):
    _check_inplace(self)
    _sample(_C._bernoulli_, self, p, generator)
    return self


def _bernoulli_method(self, p=None, *, generator=None):
    return bernoulli(self, p, generator=generator)


def _exponential_(self, lambd=1.0, *, generator=None):
    _check_inplace(self)
    _sample(_C._exponential_, self, _float(lambd), generator)
    return self


def _geometric_(self, p, *, generator=None):
    _check_inplace(self)
    _sample(_C._geometric_, self, _float(p), generator)
    return self


def _log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    _check_inplace(self)
    _sample(_C._log_normal_, self, _float(mean), _float(std), generator)
    return self


def _cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    _check_inplace(self)
    _sample(_C._cauchy_, self, _float(median), _float(sigma), generator)
    return self


def _multinomial_method(self, num_samples, replacement=False, *, generator=None):
    return multinomial(self, num_samples, replacement, generator=generator)


_TENSOR_METHODS = {
    "uniform_": _uniform_,
    "normal_": _normal_method_,
    "random_": _random_method_,
    "bernoulli_": _bernoulli_method_,
    "bernoulli": _bernoulli_method,
    "exponential_": _exponential_,
    "geometric_": _geometric_,
    "log_normal_": _log_normal_,
    "cauchy_": _cauchy_,
    "multinomial": _multinomial_method,
}


def install_tensor_methods(tensor_cls):
    """Adds the in-place samplers (`uniform_`, `normal_`, ...) to the Tensor class."""
    for name, fn in _TENSOR_METHODS.items():
        fn.__name__ = fn.__qualname__ = name
        setattr(tensor_cls, name, fn)
