"""DistributedSampler: each replica's share and order, recorded from torch 2.15 (tests/tools-free:
the lists below are what torch.utils.data.distributed.DistributedSampler gave for these
arguments), and its errors without a process group."""

import pytest

import rstorch
from rstorch.utils.data import DataLoader, DistributedSampler, TensorDataset

# "n,replicas,shuffle,drop_last,seed,epoch": per rank (len, indices), from torch
TORCH = {"10,3,True,False,0,0": [[4, [4, 5, 0, 2]], [4, [1, 3, 8, 4]], [4, [7, 9, 6, 1]]],
         "10,3,True,False,0,1": [[4, [5, 2, 9, 4]], [4, [6, 0, 3, 5]], [4, [1, 8, 7, 6]]],
         "10,3,False,False,0,0": [[4, [0, 3, 6, 9]], [4, [1, 4, 7, 0]], [4, [2, 5, 8, 1]]],
         "10,3,True,True,5,2": [[3, [5, 4, 9]], [3, [0, 1, 6]], [3, [3, 7, 8]]],
         "2,5,True,False,0,0": [[1, [0]], [1, [1]], [1, [0]], [1, [1]], [1, [0]]],
         "7,7,False,True,0,0": [[1, [0]], [1, [1]], [1, [2]], [1, [3]], [1, [4]], [1, [5]], [1, [6]]]}


@pytest.mark.parametrize("key", sorted(TORCH))
def test_shares_and_order_match_torch(key):
    n, r, shuffle, drop, seed, epoch = key.split(",")
    n, r, seed, epoch = int(n), int(r), int(seed), int(epoch)
    got = []
    for rank in range(r):
        s = DistributedSampler(range(n), num_replicas=r, rank=rank, shuffle=shuffle == "True",
                               seed=seed, drop_last=drop == "True")
        s.set_epoch(epoch)
        got.append([len(s), list(s)])
    assert got == TORCH[key]


def test_in_a_dataloader():
    ds = TensorDataset(rstorch.arange(10.))
    loader = DataLoader(ds, batch_size=2, sampler=DistributedSampler(ds, num_replicas=3, rank=1, shuffle=False))
    assert [b[0].tolist() for b in loader] == [[1.0, 4.0], [7.0, 0.0]]


def test_errors():
    with pytest.raises(RuntimeError, match="Requires distributed package to be available"):
        DistributedSampler(range(4))
    with pytest.raises(ValueError, match=r"Invalid rank 3, rank should be in the interval \[0, 2\]"):
        DistributedSampler(range(4), num_replicas=3, rank=3)
    with pytest.raises(ValueError, match="Invalid rank -1"):
        DistributedSampler(range(4), num_replicas=3, rank=-1)
