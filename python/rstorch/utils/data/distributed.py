"""`DistributedSampler`: each of `num_replicas` processes iterates its own share of a dataset.

The order is torch's: with `shuffle`, a generator seeded with `seed + epoch` permutes the whole
dataset (`randperm`, so the same seed gives torch's order); the list is then padded by repeating
its head (or cut, with `drop_last`) to a multiple of `num_replicas`, and replica `rank` takes
every `num_replicas`-th index from position `rank`. Left out, `num_replicas` and `rank` come from
the default process group (`rstorch.distributed`), as in torch: its world size and this process's
rank (torch's errors when mpi4py is missing or the group is not initialized)."""

import math

from ... import _random
from .sampler import Sampler

__all__ = ["DistributedSampler"]


def _from_group(what):
    """The default process group's world size or rank (torch's errors without one)."""
    from ... import distributed as dist
    if not dist.is_available():
        raise RuntimeError("Requires distributed package to be available")
    return dist.get_world_size() if what == "num_replicas" else dist.get_rank()


class DistributedSampler(Sampler):
    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None:
            num_replicas = _from_group("num_replicas")
        if rank is None:
            rank = _from_group("rank")
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        # drop_last keeps only the replicas' common whole share; else every replica gets ceil(n / r)
        if drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            order = _random.randperm(n, generator=_random.Generator().manual_seed(self.seed + self.epoch)).tolist()
        else:
            order = list(range(n))
        if self.drop_last:
            order = order[:self.total_size]
        elif self.total_size > n:
            missing = self.total_size - n
            order += (order * math.ceil(missing / n))[:missing]
        return iter(order[self.rank:self.total_size:self.num_replicas])

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """The epoch whose shuffle the next iteration uses (call it before each epoch, as with torch)."""
        self.epoch = epoch
