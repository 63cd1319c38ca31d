"""Record torch's DistributedSampler index lists for tests/data_loading/test_distributed_sampler.py:

    /root/.cache/rstorch-torch-venv/bin/python tests/tools/record_distributed_sampler.py

writes tests/data/distributed_sampler.json: for each case (dataset length, num_replicas, shuffle,
drop_last, seed, epoch) every rank's `len(sampler)` and index list (big datasets: the list's
length, first 16 indices, sum and a sha256 of the comma-joined list), plus the error messages."""

import hashlib
import json
import pathlib

import torch
from torch.utils.data.distributed import DistributedSampler

HERE = pathlib.Path(__file__).resolve().parents[1]
FULL_UP_TO = 100  # datasets up to this length keep their whole lists


def digest(indices):
    return {"len": len(indices), "head": indices[:16], "sum": sum(indices),
            "sha256": hashlib.sha256(",".join(map(str, indices)).encode()).hexdigest()}


def cases():
    # small and uneven lengths (padding by repeating the head, including more than once), a few seeds
    # and epochs, every combination of shuffle and drop_last
    for n in (0, 1, 2, 5, 7, 10, 11, 64, 100, 1437):
        for r in (1, 2, 3, 4, 8):
            for shuffle in (True, False):
                for drop_last in (False, True):
                    for seed, epoch in ((0, 0), (0, 1), (0, 5), (42, 0), (42, 3), (12345, 2)):
                        if not shuffle and (seed, epoch) != (0, 0):
                            continue  # the order does not depend on them
                        yield n, r, shuffle, drop_last, seed, epoch
    for n in (100003, 1000000):  # longer generator streams
        for r in (2, 7):
            for drop_last in (False, True):
                for seed, epoch in ((0, 0), (7, 1)):
                    yield n, r, True, drop_last, seed, epoch


def record(n, r, shuffle, drop_last, seed, epoch):
    out = []
    for rank in range(r):
        s = DistributedSampler(range(n), num_replicas=r, rank=rank, shuffle=shuffle, seed=seed, drop_last=drop_last)
        s.set_epoch(epoch)
        idx = list(s)
        out.append({"len": len(s), "indices": idx} if n <= FULL_UP_TO else {"len": len(s), "digest": digest(idx)})
    return out


def error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - recording whatever torch raises
        return [type(e).__name__, str(e)]
    return None


def main():
    table = {}
    for n, r, shuffle, drop_last, seed, epoch in cases():
        table[f"{n},{r},{shuffle},{drop_last},{seed},{epoch}"] = record(n, r, shuffle, drop_last, seed, epoch)
    errors = {
        "rank_too_big": error(lambda: DistributedSampler(range(4), num_replicas=3, rank=3)),
        "rank_negative": error(lambda: DistributedSampler(range(4), num_replicas=3, rank=-1)),
        "no_process_group": error(lambda: DistributedSampler(range(4))),
        "no_process_group_rank_given": error(lambda: DistributedSampler(range(4), rank=0)),
    }
    out = {"torch": torch.__version__, "cases": table, "errors": errors}
    path = HERE / "data" / "distributed_sampler.json"
    path.write_text(json.dumps(out, separators=(",", ":"), sort_keys=True) + "\n")
    print(f"wrote {path}: {len(table)} cases, {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
