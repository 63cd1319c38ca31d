"""Autocast's thread-local state: per device type, whether autocast is on and its low dtype; the
weight-cast cache switch; the nesting depth of autocast regions; the cache itself.

Device types: "cpu" (default bfloat16) and "wgpu" (default float16). "cuda" is rstorch's name
for the wgpu device (rstorch.cuda maps onto it), so "cuda" and "wgpu" share one state: a region
opened with autocast("cuda") applies to tensors whose device reports "wgpu".

Cost when off: the op wrappers (amp/_casting.py) are installed only while some thread has
autocast enabled for some device, so with autocast off the op entry points are the original
functions and methods."""

import threading
import weakref

from .. import _C

_KEYS = {"cpu": "cpu", "cuda": "wgpu", "wgpu": "wgpu"}
_DEFAULT_DTYPE = {"cpu": _C.bfloat16, "wgpu": _C.float16}


class _TLS(threading.local):
    def __init__(self):
        self.enabled = {"cpu": False, "wgpu": False}
        self.dtype = dict(_DEFAULT_DTYPE)
        self.cache_enabled = True
        self.nesting = 0
        self.inside = 0   # >0 while a wrapped op runs: its inner ops are not autocast (torch excludes the key)


tls = _TLS()

# how many (thread, device) pairs have autocast enabled: the wrappers stay installed while > 0
_active_lock = threading.Lock()
_active = 0


def device_key(device_type, what="autocast"):
    """The state key of a device type string, with torch's errors for the others."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    key = _KEYS.get(device_type)
    if key is None:
        from .._device import device as _device
        _device(device_type)  # raises torch's "Expected one of ..." for an unknown type
        raise RuntimeError(f"User specified an unsupported autocast device_type '{device_type}'")
    return key


def is_autocast_available(device_type):
    return device_type in _KEYS


def is_enabled(key):
    return tls.enabled[key]


def set_enabled(key, enabled):
    global _active
    enabled = bool(enabled)
    state = tls.enabled
    if state[key] == enabled:
        return
    state[key] = enabled
    from . import _casting
    with _active_lock:
        _active += 1 if enabled else -1
        if enabled and _active == 1:
            _casting.install()
        elif not enabled and _active == 0:
            _casting.uninstall()


# ------------------------------------------------------------------ the weight-cast cache
# Keyed by id() of a float32 leaf that requires grad; the value holds a weak reference to the
# leaf (so an id reused by a new tensor cannot hit) and its cast. Cleared when the outermost
# region exits (torch: clear_autocast_cache at nesting 0).
_cache = {}


def cached_cast(t, dtype):
    key = id(t)
    hit = _cache.get(key)
    if hit is not None and hit[0]() is t and hit[1].dtype == dtype:
        return hit[1]
    out = t.to(dtype)
    _cache[key] = (weakref.ref(t), out)
    return out


def clear_cache():
    _cache.clear()
