"""torch's `out=` rules, shared by the factories (_creation.py) and the op families (_ops/).

It sits below both (it imports only `_C`), which is why it is not inside `_ops/`.

torch checks the dtype of an `out=` tensor in one of a few ways, op by op (most want exactly the
result's dtype, TensorIterator ops take any dtype the result casts to), and words the error its
own way for many ops. Each family names its ops' checks with `exact`, `castable` or `allowed`
below, giving torch's wording where it differs; `write_out` applies the check and writes."""

from . import _C


def write_out(out, result, check=None):
    """`result` written into `out` (returned), or `result` itself when `out` is None.
    `check(out, result)` raises torch's error when out's dtype does not fit (none: any dtype the
    copy converts to). Same shape: the values are copied in; else `out` is resized to the
    result's shape, keeping its dtype (torch also warns when out had elements)."""
    if out is None:
        return result
    if check is not None and out.dtype is not result.dtype:
        check(out, result)
    if tuple(out.shape) == tuple(result.shape):
        out.copy_(result)
    else:
        out._set(result._to_dtype(out.dtype))
    return out


def write_outs(name, out, results, checks):
    """`out=(a, b)` of an op returning a pair (or another tuple type): `checks` has one check
    per result, or is a {position: check} dict listing them in the order torch makes them."""
    if out is None:
        return results
    if not isinstance(out, (tuple, list)) or len(out) != len(results):
        raise TypeError(f"{name}(): argument 'out' must be tuple of {len(results)} Tensors")
    for i, check in (checks.items() if isinstance(checks, dict) else enumerate(checks)):
        if check is not None and out[i].dtype is not results[i].dtype:
            check(out[i], results[i])
    written = tuple(write_out(o, r) for o, r in zip(out, results))
    return written if type(results) is tuple else type(results)(written)


def _names(out, result):
    """The spellings of the two dtypes torch's messages use: `{out}`/`{result}` ("Float"),
    `{out_cpp}`/`{result_cpp}` ("float") and `{out_legacy}`/`{result_legacy}` ("torch.FloatTensor")."""
    names = {}
    for key, t in (("out", out), ("result", result)):
        d = t.dtype
        names[key] = d._scalar_type_name
        names[key + "_cpp"] = d._cpp_name
        # the legacy type names; bool and bfloat16 never had a torch.*Tensor class
        names[key + "_legacy"] = (f"CPU{d._scalar_type_name}Type" if d in (_C.bool, _C.bfloat16)
                                  else f"torch.{d._scalar_type_name}Tensor")
    return names


def exact(message="Expected out tensor to have dtype {result_cpp}, but got {out_cpp} instead", error=RuntimeError):
    """out must have the result's dtype (`message` may use the fields of `_names`)."""
    def check(out, result):
        if out.dtype is not result.dtype:
            raise error(message.format(**_names(out, result)))
    return check


def castable(message="result type {result} can't be cast to the desired output type {out}", error=RuntimeError):
    """out may have any dtype the result casts to under torch's rules (no float into integers,
    nothing but bool into bool)."""
    def check(out, result):
        if not _C.can_cast(result.dtype, out.dtype):
            raise error(message.format(**_names(out, result)))
    return check


def allowed(accepts, message, error=RuntimeError):
    """out's dtype must satisfy `accepts(out_dtype, result_dtype)`."""
    def check(out, result):
        if not accepts(out.dtype, result.dtype):
            raise error(message.format(**_names(out, result)))
    return check


# the common cases
EXACT = exact()
CASTABLE = castable()
