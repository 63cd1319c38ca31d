"""`make_grid` and `save_image` (torchvision.utils' functions, with the same arguments and
results), writing PNG through Pillow when it is installed, else through a small zlib PNG writer."""

import math
import struct
import zlib

import rstorch as torch

__all__ = ["make_grid", "save_image"]


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False, pad_value=0.0):
    """A grid of images (a (B, C, H, W) tensor or a list of (C, H, W) tensors) as one (3 or C, H', W')
    tensor, `nrow` images per row, `padding` pixels of `pad_value` around each; `normalize` shifts
    each image (`scale_each`) or the whole batch into [0, 1] by `value_range` (default: min, max)."""
    with torch.no_grad():
        if not torch.is_tensor(tensor):
            if isinstance(tensor, list):
                for t in tensor:
                    if not torch.is_tensor(t):
                        raise TypeError(f"tensor or list of tensors expected, got a list containing {type(t)}")
            else:
                raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
        if isinstance(tensor, list):
            tensor = torch.stack(tensor, dim=0)
        if tensor.dim() == 2:  # a single image H x W
            tensor = tensor.unsqueeze(0)
        if tensor.dim() == 3:  # a single image
            if tensor.size(0) == 1:  # single channel: to 3 channels
                tensor = torch.cat((tensor, tensor, tensor), 0)
            tensor = tensor.unsqueeze(0)
        if tensor.dim() == 4 and tensor.size(1) == 1:  # single-channel images
            tensor = torch.cat((tensor, tensor, tensor), 1)

        if normalize is True:
            tensor = tensor.clone()  # leave the caller's tensor alone
            if value_range is not None and not isinstance(value_range, tuple):
                raise TypeError("value_range has to be a tuple (min, max) if specified. min and max are numbers")

            def norm_ip(img, low, high):
                img.clamp_(min=low, max=high)
                img.sub_(low).div_(max(high - low, 1e-5))

            def norm_range(t, value_range):
                if value_range is not None:
                    norm_ip(t, value_range[0], value_range[1])
                else:
                    norm_ip(t, float(t.min()), float(t.max()))

            if scale_each is True:
                for t in tensor:  # each image of the batch
                    norm_range(t, value_range)
            else:
                norm_range(tensor, value_range)

        if not isinstance(tensor, torch.Tensor):
            raise TypeError("tensor should be of type torch.Tensor")
        if tensor.size(0) == 1:
            return tensor.squeeze(0)

        nmaps = tensor.size(0)
        xmaps = min(nrow, nmaps)
        ymaps = int(math.ceil(float(nmaps) / xmaps))
        height, width = int(tensor.size(2) + padding), int(tensor.size(3) + padding)
        num_channels = tensor.size(1)
        grid = tensor.new_full((num_channels, height * ymaps + padding, width * xmaps + padding), pad_value)
        k = 0
        for y in range(ymaps):
            for x in range(xmaps):
                if k >= nmaps:
                    break
                grid.narrow(1, y * height + padding, height - padding).narrow(
                    2, x * width + padding, width - padding).copy_(tensor[k])
                k = k + 1
        return grid


def save_image(tensor, fp, format=None, **kwargs):
    """`make_grid(tensor, **kwargs)` saved as an image file (a path or a binary file object); PNG
    unless `format` or the file name says otherwise (other formats need Pillow)."""
    with torch.no_grad():
        grid = make_grid(tensor, **kwargs)
        # to [0, 255], + 0.5 to round to the nearest integer
        pixels = grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to("cpu", torch.uint8)
    try:
        from PIL import Image
    except ImportError:
        Image = None
    if Image is not None:
        Image.fromarray(pixels.numpy()).save(fp, format=format)
        return
    name = fp if isinstance(fp, str) else getattr(fp, "name", "")
    if (format or "png").lower() != "png" or (isinstance(name, str) and "." in name
                                             and not name.lower().endswith(".png") and format is None):
        raise ValueError("without Pillow, save_image writes PNG only")
    data = _png(pixels.contiguous())
    if hasattr(fp, "write"):
        fp.write(data)
    else:
        with open(fp, "wb") as f:
            f.write(data)


def _png(pixels):
    """PNG bytes of an (H, W, C) uint8 tensor, C in 1 (gray), 2 (gray+alpha), 3 (RGB), 4 (RGBA)."""
    if pixels.dim() == 2:
        pixels = pixels.unsqueeze(2)
    h, w, c = pixels.shape
    color = {1: 0, 2: 4, 3: 2, 4: 6}[c]
    raw = bytes(pixels.reshape(-1).tolist())
    stride = w * c
    rows = b"".join(b"\x00" + raw[y * stride:(y + 1) * stride] for y in range(h))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b""))
