# Adapted from PyTorch 2.15's torch/utils/data/_utils/fetch.py (BSD-3-Clause, Copyright (c) Meta
# Platforms, Inc. and affiliates), with a gather path for TensorDataset batches.
r"""Contains definitions of the methods used by the _BaseDataLoaderIter to fetch data from an iterable-style or map-style dataset.

This logic is shared in both single- and multi-processing data loading.
"""

from typing import NoReturn

import rstorch as torch
from .... import _shared
from . import collate as _collate, worker as _worker


class _BaseDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last) -> None:
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last

    def fetch(self, possibly_batched_index) -> NoReturn:
        raise NotImplementedError


class _IterableDatasetFetcher(_BaseDatasetFetcher):
    def __init__(self, dataset, auto_collation, collate_fn, drop_last) -> None:
        super().__init__(dataset, auto_collation, collate_fn, drop_last)
        self.dataset_iter = iter(dataset)
        self.ended = False

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration

        if self.auto_collation:
            data = []
            for _ in possibly_batched_index:
                try:
                    data.append(next(self.dataset_iter))
                except StopIteration:
                    self.ended = True
                    break
            if len(data) == 0 or (
                self.drop_last and len(data) < len(possibly_batched_index)
            ):
                raise StopIteration
        else:
            data = next(self.dataset_iter)
        return self.collate_fn(data)


class _MapDatasetFetcher(_BaseDatasetFetcher):
    def __init__(self, dataset, auto_collation, collate_fn, drop_last) -> None:
        super().__init__(dataset, auto_collation, collate_fn, drop_last)
        from ..dataset import TensorDataset
        from .collate import default_collate

        # rstorch: a batch of a TensorDataset (the class itself: a subclass may index its own way)
        # collated by default_collate is one gather per tensor instead of len(batch) row views
        # and a stack; the same values, dtypes, shapes and (in a worker) shared memory.
        self._gather = (type(dataset) is TensorDataset and auto_collation
                        and collate_fn is default_collate)

    def fetch(self, possibly_batched_index):
        if self._gather:
            batch = _gather_batch(self.dataset.tensors, possibly_batched_index)
            if batch is not None:
                return batch
        if self.auto_collation:
            if hasattr(self.dataset, "__getitems__") and self.dataset.__getitems__:
                data = self.dataset.__getitems__(possibly_batched_index)
            else:
                data = [self.dataset[idx] for idx in possibly_batched_index]
        else:
            data = self.dataset[possibly_batched_index]
        return self.collate_fn(data)


def _gather_batch(tensors, indices):
    """`default_collate([dataset[i] for i in indices])` for a TensorDataset, as one index_select
    per tensor; None where that would not give the same result (a custom Tensor collate function,
    tensors needing autograd or off the CPU, negative or bad indices: the general path decides)."""
    if _collate.default_collate_fn_map.get(torch.Tensor) is not _collate.collate_tensor_fn or not indices \
            or not all(type(i) is int for i in indices):
        return None
    for t in tensors:
        if t._device != "cpu" or t.requires_grad or t.dim() == 0:
            return None
    try:
        index = torch.tensor(indices, dtype=torch.int64)
        if int(index.min()) < 0:
            return None
        in_worker = _worker._worker_info is not None
        out = []
        for t in tensors:
            dst = _shared.empty_shared((len(indices), *t.shape[1:]), t.dtype) if in_worker else None
            out.append(torch.index_select(t, 0, index, out=dst))
        return out
    except (IndexError, TypeError, ValueError, RuntimeError, OverflowError):
        return None
