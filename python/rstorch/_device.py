"""`rstorch.device`: where a tensor lives: "cpu", "meta" (shape, dtype and strides without data),
"wgpu" (the GPU backend; "cuda" names it too, for drop-in compatibility)."""

_TYPES = ("cpu", "meta", "wgpu", "cuda")


class device:
    __slots__ = ("_type", "_index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self._type, self._index = type._type, type._index
            return
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got ({_type_name(type)})")
        if ":" in type:
            if index is not None:
                raise ValueError(f"type (string) must not include an index because index was passed explicitly: {type}")
            type, _, idx = type.partition(":")
            try:
                index = int(idx)
            except ValueError:
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'") from None
        if type not in _TYPES:
            raise RuntimeError(
                f"Expected one of cpu, meta, wgpu, cuda device type at start of device string: {type}")
        if index is not None and index < 0:
            raise RuntimeError(f"Device index must not be negative")
        self._type, self._index = type, index

    @property
    def type(self):
        return self._type

    @property
    def index(self):
        return self._index

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and self._type == other._type and self._index == other._index

    def __hash__(self):
        return hash((self._type, self._index))

    def __repr__(self):
        if self._index is None:
            return f"device(type='{self._type}')"
        return f"device(type='{self._type}', index={self._index})"

    def __str__(self):
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __reduce__(self):
        return (device, (self._type, self._index))


def _type_name(x):
    return type(x).__name__


CPU = device("cpu")
_BY_NAME = {"cpu": CPU, "meta": device("meta")}


def device_of(name):
    """The device object of a tensor's device string ("cpu", "meta", "wgpu:0"), made once."""
    d = _BY_NAME.get(name)
    if d is None:
        d = _BY_NAME[name] = device(name)
    return d


def device_arg(d):
    """A `device=` argument (a device, a string, or a GPU index) as the string the core takes;
    a device this build cannot make tensors on raises torch's kind of error."""
    if isinstance(d, int) and not isinstance(d, bool):
        d = device("wgpu", d)
    elif not isinstance(d, device):
        d = device(d)
    if d._type == "cpu":
        return "cpu"
    if d._type == "meta":
        return "meta"
    # "cuda" is the wgpu device under torch's name: tensors report device(type='wgpu'). An
    # explicit "cuda"/"wgpu" device takes any adapter, a software one too (torch.cuda.is_available()
    # is True only for a hardware adapter, so the usual idiom never lands there by accident)
    from . import _wgpu
    if not _wgpu.is_available():
        raise RuntimeError(f"device '{d}' is not available: no wgpu adapter ({_wgpu.unavailable_reason()})")
    return f"wgpu:{d._index or 0}"
