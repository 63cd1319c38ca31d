"""DistributedSampler: every replica's share and order against the lists recorded from torch 2.15
(tests/tools/record_distributed_sampler.py -> tests/data/distributed_sampler.json: dataset lengths
0..1,000,000, 1 to 8 replicas, shuffle on/off, drop_last on/off, padding past the dataset's own
length, several seeds and epochs), its use in a DataLoader, and its errors. The defaults taken from
a live process group are checked under mpiexec (tests/dist_worker.py, mode `collectives`)."""

import hashlib
import json
import pathlib

import pytest

import rstorch
from rstorch.utils.data import DataLoader, DistributedSampler, TensorDataset

REC = json.loads((pathlib.Path(__file__).resolve().parents[1] / "data" / "distributed_sampler.json").read_text())
CASES = REC["cases"]


def digest(indices):
    return {"len": len(indices), "head": indices[:16], "sum": sum(indices),
            "sha256": hashlib.sha256(",".join(map(str, indices)).encode()).hexdigest()}


def shares(n, r, shuffle, drop_last, seed, epoch, full):
    out = []
    for rank in range(r):
        s = DistributedSampler(range(n), num_replicas=r, rank=rank, shuffle=shuffle, seed=seed, drop_last=drop_last)
        s.set_epoch(epoch)
        idx = list(s)
        assert all(type(i) is int for i in idx)
        out.append({"len": len(s), "indices": idx} if full else {"len": len(s), "digest": digest(idx)})
    return out


def test_recording_covers_the_cases():
    assert REC["torch"].startswith("2.15")
    keys = [k.split(",") for k in CASES]
    assert {k[2] for k in keys} == {"True", "False"} and {k[3] for k in keys} == {"True", "False"}
    assert len({k[4] for k in keys}) >= 3 and len({k[5] for k in keys}) >= 4
    # padding that repeats the whole list more than once (2 items over 8 replicas) is in the table
    assert CASES["2,8,False,False,0,0"][7] == {"len": 1, "indices": [1]}


@pytest.mark.parametrize("key", sorted(CASES))
def test_shares_and_order_match_torch(key):
    n, r, shuffle, drop, seed, epoch = key.split(",")
    n, r = int(n), int(r)
    got = shares(n, r, shuffle == "True", drop == "True", int(seed), int(epoch), full="indices" in CASES[key][0])
    assert got == CASES[key]


def test_every_index_once_without_padding():
    # 12 over 4 replicas: the shares partition the dataset, and set_epoch changes the order
    orders = []
    for epoch in (0, 1):
        parts = []
        for rank in range(4):
            s = DistributedSampler(range(12), num_replicas=4, rank=rank, seed=3)
            s.set_epoch(epoch)
            parts.append(list(s))
        assert sorted(sum(parts, [])) == list(range(12))
        orders.append(parts)
    assert orders[0] != orders[1]


def test_in_a_dataloader():
    ds = TensorDataset(rstorch.arange(10.))
    loader = DataLoader(ds, batch_size=2, sampler=DistributedSampler(ds, num_replicas=3, rank=1, shuffle=False))
    assert [b[0].tolist() for b in loader] == [[1.0, 4.0], [7.0, 0.0]]


def test_errors():
    import rstorch.distributed as dist
    err = REC["errors"]
    for key, kwargs in [("rank_too_big", dict(num_replicas=3, rank=3)), ("rank_negative", dict(num_replicas=3, rank=-1)),
                        ("no_process_group", {}), ("no_process_group_rank_given", dict(rank=0))]:
        etype, msg = err[key]
        if key.startswith("no_process_group") and not dist.is_available():  # torch's error without the package
            etype, msg = "RuntimeError", "Requires distributed package to be available"
        with pytest.raises({"ValueError": ValueError, "RuntimeError": RuntimeError}[etype]) as e:
            DistributedSampler(range(4), **kwargs)
        assert str(e.value) == msg, key
