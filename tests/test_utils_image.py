"""rstorch.utils.make_grid / save_image (torchvision.utils' semantics): grid layout and padding,
normalize/value_range/scale_each, PNG through Pillow and through the zlib writer."""

import builtins
import io

import pytest

import rstorch as torch
from rstorch.utils import make_grid, save_image

PIL = pytest.importorskip("PIL.Image")


def test_grid_layout_and_padding():
    x = torch.arange(12, dtype=torch.float32).view(2, 1, 2, 3)
    g = make_grid(x, nrow=2, padding=1, pad_value=-1.0)
    assert g.shape == (3, 4, 9)
    assert g[0].tolist() == [[-1.0] * 9,
                             [-1.0, 0.0, 1.0, 2.0, -1.0, 6.0, 7.0, 8.0, -1.0],
                             [-1.0, 3.0, 4.0, 5.0, -1.0, 9.0, 10.0, 11.0, -1.0],
                             [-1.0] * 9]
    assert g[1].tolist() == g[0].tolist() == g[2].tolist()  # one channel becomes three
    assert make_grid([torch.rand(3, 4, 4)] * 5, nrow=2).shape == (3, 20, 14)
    assert make_grid(torch.rand(3, 4, 4)).shape == (3, 4, 4)  # one image: no padding
    assert make_grid(torch.rand(4, 5)).shape == (3, 4, 5)
    assert make_grid(torch.rand(7, 3, 4, 4)).shape == (3, 8, 44)  # nrow=8: one row of 7


def test_normalize():
    x = torch.tensor([[[[0.0, 2.0]]], [[[4.0, 8.0]]]])
    g = make_grid(x, normalize=True, padding=0)
    assert g[0].tolist() == [[0.0, 0.25, 0.5, 1.0]]
    g = make_grid(x, normalize=True, padding=0, scale_each=True)
    assert g[0].tolist() == [[0.0, 1.0, 0.0, 1.0]]
    g = make_grid(x, normalize=True, padding=0, value_range=(0.0, 4.0))
    assert g[0].tolist() == [[0.0, 0.5, 1.0, 1.0]]
    assert x[1, 0, 0].tolist() == [4.0, 8.0]  # the input is left alone
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        make_grid(x, normalize=True, value_range=[0, 1])
    with pytest.raises(TypeError, match="tensor or list of tensors expected"):
        make_grid(3)
    with pytest.raises(TypeError, match="tensor or list of tensors expected, got a list containing"):
        make_grid([torch.rand(3, 2, 2), 1])


@pytest.mark.parametrize("pillow", [True, False])
def test_save_image_png(tmp_path, monkeypatch, pillow):
    torch.manual_seed(0)
    x = torch.rand(3, 3, 5, 4)
    if not pillow:
        real_import = builtins.__import__

        def no_pil(name, *args, **kwargs):
            if name.startswith("PIL"):
                raise ImportError(name)
            return real_import(name, *args, **kwargs)

        monkeypatch.setattr(builtins, "__import__", no_pil)
    path = tmp_path / "grid.png"
    save_image(x, str(path), nrow=2)
    buf = io.BytesIO()
    save_image(x, buf, format="png", nrow=2)
    monkeypatch.undo()
    expected = make_grid(x, nrow=2).mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to(torch.uint8)
    for src in (str(path), io.BytesIO(buf.getvalue())):
        im = PIL.open(src)
        assert im.mode == "RGB" and im.size == (expected.shape[1], expected.shape[0])
        assert im.tobytes() == bytes(expected.reshape(-1).tolist())
