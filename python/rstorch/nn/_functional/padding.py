"""nn.functional: pad: constant, reflect, replicate, circular."""

import rstorch

from ._common import _int_list

__all__ = ["pad"]


_PAD_SUPPORTED = ("Supported combinations for non-constant padding:\n"
                  "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
                  "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
                  "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


def _constant_pad(input, pad, value):
    nd = input.dim()
    out = input
    for i in range(len(pad) // 2):
        d = nd - 1 - i
        left, right = pad[2 * i], pad[2 * i + 1]
        if left < 0:
            size = out.shape[d] + left
            if size < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
            out = out.narrow(d, -left, size)
        if right < 0:
            size = out.shape[d] + right
            if size < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
            out = out.narrow(d, 0, size)
    parts_needed = any(p > 0 for p in pad)
    if not parts_needed:
        return out.clone()
    fill = 0.0 if value is None else value
    for i in range(len(pad) // 2):
        d = nd - 1 - i
        left, right = max(pad[2 * i], 0), max(pad[2 * i + 1], 0)
        if left == 0 and right == 0:
            continue
        parts = []
        for n in (left, None, right):
            if n is None:
                parts.append(out)
            elif n:
                shape = list(out.shape)
                shape[d] = n
                parts.append(out.new_full(shape, fill))
        out = rstorch.cat(parts, d)
    return out


def _pad_index(n, left, right, mode, device):
    """The source index of each output position along a dim of size n."""
    idx = rstorch.arange(-left, n + right, device=device)
    if mode == "reflect":
        idx = idx.abs()
        return rstorch.where(idx >= n, 2 * (n - 1) - idx, idx)
    if mode == "replicate":
        return idx.clamp(0, n - 1)
    return idx.remainder(n)


def _non_constant_pad(input, pad, mode):
    nd = input.dim()
    k = len(pad) // 2
    names = ("W", "H", "D")[:k]
    batch_ok = nd == k + 2
    dims = list(input.shape)
    # 0 only in the batch dim of the batched form
    nonbatch = dims[1:] if batch_ok else dims
    if mode != "circular" and any(s == 0 for s in nonbatch):
        raise RuntimeError(f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size and other "
                           f"non-zero dimensions for input, but got: {dims}")
    sizes = [dims[nd - 1 - i] for i in range(k)]
    if mode == "reflect":
        for i in range(k):
            left, right = pad[2 * i], pad[2 * i + 1]
            if not (left < sizes[i] and right < sizes[i]):
                raise RuntimeError(f"Argument #{4 + 2 * i}: Padding size should be less than the corresponding input "
                                   f"dimension, but got: padding ({left}, {right}) at dimension {nd - 1 - i} of input "
                                   f"{dims}")
    if mode == "circular":
        for i in range(k):
            left, right = pad[2 * i], pad[2 * i + 1]
            if left > sizes[i] or right > sizes[i]:
                raise RuntimeError("Padding value causes wrapping around more than once.")
            if (left < 0 or right < 0) and (sizes[i] + left + right <= 0
                                            or sizes[i] + min(left, 0) + min(right, 0) <= 0):
                raise RuntimeError("Negative padding value is resulting in an empty dimension")
    else:
        outs = [sizes[i] + pad[2 * i] + pad[2 * i + 1] for i in range(k)]
        if any(o < 1 for o in outs):
            if k == 1:
                raise RuntimeError(f"input (W: {sizes[0]}) is too small. Calculated output W: {outs[0]}")
            calc = " ".join(f"{names[i]}: {outs[i]}" for i in reversed(range(k)))
            inp = ", ".join(f"{names[i]}: {sizes[i]}" for i in reversed(range(k)))
            raise RuntimeError(f"Calculated output {calc} must be >= 1 in every dimension (input {inp})")
    out = input
    for i in range(k):
        d = nd - 1 - i
        left, right = pad[2 * i], pad[2 * i + 1]
        if left == 0 and right == 0:
            continue
        if mode == "circular":
            # negative pads crop first; the positive ones then wrap around the cropped dim
            if left < 0:
                out = out.narrow(d, -left, out.shape[d] + left)
            if right < 0:
                out = out.narrow(d, 0, out.shape[d] + right)
            left, right = max(left, 0), max(right, 0)
            if left == 0 and right == 0:
                continue
        out = out.index_select(d, _pad_index(out.shape[d], left, right, mode, input.device))
    return out.clone() if out is input else out


def pad(input, pad, mode="constant", value=None):
    """Pads (or, with negative sizes, crops) the last `len(pad) // 2` dims: `pad` lists
    (left, right) for the last dim, then the one before... Modes: constant (with `value`),
    reflect, replicate, circular."""
    pad, _ = _int_list(pad, "pad", "pad", 2)
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) > input.dim() * 2:
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.dim()}")
    if mode == "constant":
        return _constant_pad(input, pad, value)
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    k = len(pad) // 2
    if k not in (1, 2, 3) or input.dim() not in (k + 1, k + 2):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.\n"
                                  + _PAD_SUPPORTED)
    return _non_constant_pad(input, pad, mode)
