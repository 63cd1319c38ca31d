"""`rstorch.onnx`: importable, because scripts import `torch.onnx` at the top for an optional
export step; rstorch has no ONNX exporter, so `export` raises NotImplementedError. Model code that
asks `is_in_onnx_export()` gets False (it never is)."""

__all__ = ["export", "is_in_onnx_export"]


def export(model, args=(), f=None, *pargs, **kwargs):
    raise NotImplementedError("rstorch.onnx.export: rstorch has no ONNX exporter; export the model with "
                              "PyTorch (rstorch.save writes checkpoints PyTorch loads)")


def is_in_onnx_export():
    return False
