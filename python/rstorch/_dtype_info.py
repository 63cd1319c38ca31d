"""`rstorch.finfo` and `rstorch.iinfo`: the numeric limits of a dtype, with torch's attributes
and printed forms."""

from . import _C
from ._creation import get_default_dtype

# bits, eps, max, tiny (smallest normal), resolution (10**-digits) of each float dtype
_FLOATS = {
    _C.float16: (16, 2.0 ** -10, 65504.0, 2.0 ** -14, 0.001),
    _C.bfloat16: (16, 2.0 ** -7, 3.3895313892515355e+38, 2.0 ** -126, 0.01),
    _C.float32: (32, 2.0 ** -23, 3.4028234663852886e+38, 2.0 ** -126, 1e-06),
    _C.float64: (64, 2.0 ** -52, 1.7976931348623157e+308, 2.0 ** -1022, 1e-15),
}
_INTS = {_C.uint8: (8, False), _C.int8: (8, True), _C.int16: (16, True), _C.int32: (32, True),
         _C.int64: (64, True)}


class finfo:
    """Limits of a floating point dtype (the default dtype when none is given)."""

    def __init__(self, type=None):
        if type is None:
            type = get_default_dtype()
        if type not in _FLOATS:
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                            "'torch.finfo'")
        self.bits, self.eps, self.max, self.tiny, self.resolution = _FLOATS[type]
        self.min = -self.max
        self.smallest_normal = self.tiny
        self.dtype = type._name

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype."""

    def __init__(self, type):
        if type is _C.bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if type not in _INTS:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to handle 'torch.iinfo'")
        self.bits, signed = _INTS[type]
        self.min = -(1 << (self.bits - 1)) if signed else 0
        self.max = (1 << (self.bits - 1)) - 1 if signed else (1 << self.bits) - 1
        self.dtype = type._name

    def __repr__(self):
        return f"iinfo(min={float(self.min):g}, max={float(self.max):g}, dtype={self.dtype})"
