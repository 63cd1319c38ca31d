"""rstorch.utils.tensorboard.SummaryWriter writes real TensorBoard event files: read back here
with tensorboard's EventAccumulator (skipped when the optional tensorboard package is absent)."""

import sys

import pytest

import rstorch as torch

pytest.importorskip("tensorboard", reason="the optional tensorboard package is not installed")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402

from rstorch.utils.tensorboard import SummaryWriter  # noqa: E402


def _load(logdir):
    acc = EventAccumulator(str(logdir), size_guidance={"scalars": 0, "histograms": 0, "images": 0, "tensors": 0})
    acc.Reload()
    return acc


def test_not_imported_with_rstorch():
    import subprocess
    code = "import rstorch, sys; rstorch.utils.data; assert 'tensorboard' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": ":".join(sys.path)})


def test_scalars_histogram_image_hparams(tmp_path):
    torch.manual_seed(0)
    with SummaryWriter(log_dir=str(tmp_path)) as w:
        for step in range(5):
            w.add_scalar("loss", 1.0 / (step + 1), step)
            w.add_scalar("acc", torch.tensor(step * 0.1), global_step=step)
        w.add_scalars("run", {"a": 1.0, "b": 2.0}, 3)
        w.add_histogram("weights", torch.randn(1000), 0)
        w.add_image("img", torch.rand(3, 8, 6), 0)
        w.add_image("gray", torch.rand(8, 6), 0, dataformats="HW")
        w.add_hparams({"lr": 0.1, "bs": 64, "opt": "adam"}, {"hparam/acc": 0.9})
        w.flush()
    acc = _load(tmp_path)
    tags = acc.Tags()
    assert {"loss", "acc"} <= set(tags["scalars"])
    loss = acc.Scalars("loss")
    assert [e.step for e in loss] == [0, 1, 2, 3, 4]
    assert [e.value for e in loss] == pytest.approx([1.0, 0.5, 1 / 3, 0.25, 0.2])
    assert [round(e.value, 6) for e in acc.Scalars("acc")] == [0.0, 0.1, 0.2, 0.3, 0.4]
    h = acc.Histograms("weights")[0].histogram_value
    assert h.num == 1000 and h.min < -2 and h.max > 2
    img = acc.Images("img")[0]
    assert (img.width, img.height) == (6, 8) and img.encoded_image_string[:4] == b"\x89PNG"
    assert acc.Images("gray")[0].width == 6
    # add_scalars writes each series into its own sub-run; add_hparams too
    runs = sorted(p.name for p in tmp_path.iterdir() if p.is_dir())
    assert "run_a" in runs and "run_b" in runs
    sub = _load(tmp_path / "run_a")
    assert [(e.step, e.value) for e in sub.Scalars("run")] == [(3, 1.0)]
    hp = [d for d in tmp_path.iterdir() if d.is_dir() and d.name not in ("run_a", "run_b")]
    assert hp and "hparam/acc" in _load(hp[0]).Tags()["scalars"]


def test_graph_not_supported_and_close(tmp_path):
    w = SummaryWriter(log_dir=str(tmp_path))
    with pytest.raises(NotImplementedError):
        w.add_graph(torch.nn.Linear(2, 2), torch.zeros(1, 2))
    w.close()
