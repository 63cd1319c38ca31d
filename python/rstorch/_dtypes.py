"""The dtypes by name and their legacy tensor-type names (`Tensor.type()`, `FloatTensor`...):
tables that the factories (_creation.py) and Tensor (_tensor.py) share, below both."""

from . import _C

DTYPES = {d._name: d for d in (_C.float32, _C.float64, _C.float16, _C.bfloat16, _C.int64,
                                 _C.int32, _C.int16, _C.int8, _C.uint8, _C.bool)}

# legacy type names: Tensor.type() and the FloatTensor-style constructors
LEGACY = {
    _C.float32: "FloatTensor", _C.float64: "DoubleTensor", _C.float16: "HalfTensor",
    _C.bfloat16: "BFloat16Tensor", _C.int64: "LongTensor", _C.int32: "IntTensor",
    _C.int16: "ShortTensor", _C.int8: "CharTensor", _C.uint8: "ByteTensor", _C.bool: "BoolTensor",
}
LEGACY_BY_NAME = {v: k for k, v in LEGACY.items()}
