"""Helpers shared by the op families' Python function forms."""


def check_out(out, result):
    """Write `result` into `out` (torch's `out=`): same shape -> copy; else `out` is resized."""
    if out is None:
        return result
    if tuple(out.shape) == tuple(result.shape):
        out.copy_(result)
    else:
        out._set(result)
    return out
