"""`rstorch.utils.tensorboard`, like `torch.utils.tensorboard`: SummaryWriter writes TensorBoard
event files through the `tensorboard` package (an optional extra: `pip install rstorch[tensorboard]`),
imported only when this module is."""

import tensorboard

if not hasattr(tensorboard, "__version__") or tuple(
        int(p) for p in tensorboard.__version__.split(".")[:2] if p.isdigit()) < (1, 15):
    raise ImportError("TensorBoard logging requires TensorBoard version 1.15 or above")

del tensorboard

from tensorboard.summary.writer.record_writer import RecordWriter  # noqa: E402

from .writer import FileWriter, SummaryWriter  # noqa: E402

__all__ = [
    "FileWriter",
    "RecordWriter",
    "SummaryWriter",
]
