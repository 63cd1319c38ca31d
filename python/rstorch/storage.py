"""torch.storage: the storage classes (`Tensor.untyped_storage()`, `Tensor.storage()`)."""

from ._storage import TypedStorage, UntypedStorage

__all__ = ["TypedStorage", "UntypedStorage"]
