"""The data-loading cases recorded from PyTorch (record_torch.py) and replayed on rstorch
(test_data_torch_parity.py): each case is a function of the library module (`torch` or `rstorch`)
returning plain JSON data, so the comparison is exact (orders, seeds, values)."""

import collections
import random

N = 100


def _batches(loader):
    return [[t.tolist() for t in b] if isinstance(b, (list, tuple)) else b.tolist() for b in loader]


def _ds(torch, n=N):
    return torch.utils.data.TensorDataset(torch.arange(n), torch.arange(n) * 10)


def shuffle_global_seed(torch):
    data = torch.utils.data
    torch.manual_seed(0)
    loader = data.DataLoader(_ds(torch), batch_size=8, shuffle=True)
    out = [_batches(loader), _batches(loader)]
    return {"epochs": out, "after": torch.rand(3).tolist()}


def shuffle_drop_last_generator(torch):
    data = torch.utils.data
    g = torch.Generator().manual_seed(5)
    loader = data.DataLoader(_ds(torch), batch_size=7, shuffle=True, drop_last=True, generator=g)
    return {"epochs": [_batches(loader), _batches(loader)], "len": len(loader)}


def sequential(torch):
    data = torch.utils.data
    loader = data.DataLoader(_ds(torch, 10), batch_size=3)
    return {"batches": _batches(loader), "len": len(loader),
            "drop_last": _batches(data.DataLoader(_ds(torch, 10), batch_size=3, drop_last=True)),
            "none": [[t.tolist() for t in b] for b in data.DataLoader(_ds(torch, 4), batch_size=None)]}


def samplers(torch):
    data = torch.utils.data
    src = list(range(N))
    out = {}
    torch.manual_seed(3)
    out["random"] = list(data.RandomSampler(src))
    out["random_replacement"] = list(data.RandomSampler(src, replacement=True, num_samples=70))
    out["random_more"] = list(data.RandomSampler(src, num_samples=250))
    g = torch.Generator().manual_seed(11)
    out["random_gen"] = list(data.RandomSampler(src, generator=g)) + list(data.RandomSampler(src, generator=g))
    out["random_gen_replacement"] = list(data.RandomSampler(src, replacement=True, num_samples=33, generator=g))
    out["subset"] = list(data.SubsetRandomSampler([5, 9, 2, 40, 41], generator=torch.Generator().manual_seed(2)))
    g = torch.Generator().manual_seed(7)
    w = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6]
    out["weighted"] = list(data.WeightedRandomSampler(w, 20, generator=g))
    out["weighted_noreplace"] = list(data.WeightedRandomSampler(w, 5, replacement=False, generator=g))
    out["batch"] = list(data.BatchSampler(data.SequentialSampler(range(10)), 3, False))
    out["batch_drop"] = list(data.BatchSampler(data.SequentialSampler(range(10)), 3, True))
    out["lens"] = [len(data.BatchSampler(range(10), 3, False)), len(data.BatchSampler(range(10), 3, True)),
                   len(data.RandomSampler(src, num_samples=7)), len(data.WeightedRandomSampler(w, 9))]
    out["after"] = torch.rand(2).tolist()
    return out


def random_split(torch):
    data = torch.utils.data
    torch.manual_seed(1)
    out = {"lengths": [list(s) for s in data.random_split(range(10), [3, 7])],
           "fractions": [list(s) for s in data.random_split(range(11), [0.3, 0.3, 0.4])]}
    g = torch.Generator().manual_seed(42)
    out["generator"] = [s.indices for s in data.random_split(range(20), [0.5, 0.5], generator=g)]
    out["after"] = torch.rand(2).tolist()
    return out


class _SeedDataset:
    """Map-style: what a worker's generators give (torch, random, numpy) at each index."""

    def __init__(self, torch):
        self.torch = torch

    def __len__(self):
        return 12

    def __getitem__(self, i):
        import numpy as np
        info = self.torch.utils.data.get_worker_info()
        wid = -1 if info is None else info.id
        return [i, wid, int(self.torch.randint(0, 1000, ()).item()), random.randint(0, 1000),
                int(np.random.randint(0, 1000))]


def worker_seeds(torch):
    data = torch.utils.data
    torch.manual_seed(0)
    loader = data.DataLoader(_SeedDataset(torch), batch_size=2, num_workers=2, collate_fn=lambda b: b)
    out = {"batches": list(loader)}
    seeds = []
    loader = data.DataLoader(range(4), batch_size=1, num_workers=2, generator=torch.Generator().manual_seed(9),
                             collate_fn=lambda b: (data.get_worker_info().id, data.get_worker_info().seed))
    seeds.append(list(loader))
    out["seeds"] = seeds
    out["after"] = torch.rand(2).tolist()
    return out


def workers_same_batches(torch):
    data = torch.utils.data
    res = []
    for workers in (0, 2):
        torch.manual_seed(0)
        loader = data.DataLoader(_ds(torch, 30), batch_size=4, shuffle=True, num_workers=workers)
        res.append(_batches(loader))
    return res


class _Shard:
    def __init__(self, torch, n):
        self.torch, self.n = torch, n

    def __iter__(self):
        info = self.torch.utils.data.get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))


def iterable_sharding(torch):
    data = torch.utils.data
    ds = type("ShardDS", (data.IterableDataset,), {"__iter__": lambda self: _Shard(torch, 11).__iter__()})()
    return {"w0": _batches(data.DataLoader(ds, batch_size=3)),
            "w2": _batches(data.DataLoader(ds, batch_size=3, num_workers=2)),
            "w2_drop": _batches(data.DataLoader(ds, batch_size=3, num_workers=2, drop_last=True)),
            "w3_none": [int(x) for x in data.DataLoader(ds, batch_size=None, num_workers=3)]}


Point = collections.namedtuple("Point", ["x", "y"])


def _describe(torch, x):
    """A JSON description of a collated value: types by name, tensors by dtype/shape/values."""
    if isinstance(x, torch.Tensor):
        return {"tensor": str(x.dtype).split(".")[-1], "shape": list(x.shape), "values": x.tolist()}
    if isinstance(x, dict):
        return {"dict": type(x).__name__, "items": {k: _describe(torch, v) for k, v in x.items()}}
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return {"namedtuple": type(x).__name__, "items": [_describe(torch, v) for v in x]}
    if isinstance(x, (list, tuple)):
        return {type(x).__name__: [_describe(torch, v) for v in x]}
    return {type(x).__name__: x if isinstance(x, (int, float, str)) else repr(x)}


def collate(torch):
    import numpy as np
    dc = torch.utils.data.default_collate
    cv = torch.utils.data.default_convert
    t = torch.tensor
    batches = {
        "tensors": [t([1., 2.]), t([3., 4.])],
        "int_tensors": [t(1), t(2), t(3)],
        "ints": [0, 1, 2, 3],
        "floats": [0.5, 1.5],
        "bools": [True, False],
        "strings": ["a", "b", "c"],
        "bytes": [b"a", b"b"],
        "numpy": [np.array([1, 2], dtype=np.int32), np.array([3, 4], dtype=np.int32)],
        "numpy_float": [np.array([[1.5]]), np.array([[2.5]])],
        "numpy_scalars": [np.float32(1.5), np.float32(2.5)],
        "numpy_int_scalars": [np.int64(3), np.int64(4)],
        "numpy_float64_scalars": [np.float64(3.25), np.float64(4.5)],
        "dicts": [{"A": 0, "B": t([1.])}, {"A": 100, "B": t([2.])}],
        "ordered": [collections.OrderedDict(a=1, b=2.0), collections.OrderedDict(a=3, b=4.0)],
        "namedtuple": [Point(0, 0.5), Point(1, 1.5)],
        "tuples": [(0, 1), (2, 3)],
        "lists": [[0, "x"], [2, "y"]],
        "nested": [{"p": (t([1, 2]), [3.0, {"q": "s"}])}, {"p": (t([3, 4]), [4.0, {"q": "t"}])}],
    }
    out = {k: _describe(torch, dc(v)) for k, v in batches.items()}
    errors = {}
    for name, bad in {"object": [object(), object()], "ragged": [[1, 2], [3]],
                      "np_str": [np.array(["a"]), np.array(["b"])], "none": [None, None]}.items():
        try:
            dc(bad)
            errors[name] = None
        except Exception as e:
            errors[name] = [type(e).__name__, str(e).replace("torch.", "T.").replace("rstorch.", "T.")]
    out["errors"] = errors
    converts = {"np": np.array([1., 2.]), "list": [np.int64(1), np.array([2])], "tuple": (np.float32(1),),
                "dict": {"a": np.array([1])}, "nt": Point(np.array([1]), "s"), "str": "s",
                "np_str": np.array(["a"]), "int": 3, "tensor": t([1])}
    out["convert"] = {k: _describe(torch, cv(v)) for k, v in converts.items()}
    return out


def datasets(torch):
    data = torch.utils.data
    a = data.TensorDataset(torch.arange(5), torch.arange(5) * 2)
    b = data.TensorDataset(torch.arange(3) + 100, torch.arange(3))
    cat = a + b
    sub = data.Subset(cat, [7, 0, 5])
    st = data.StackDataset(a, torch.arange(5) * 3)
    sd = data.StackDataset(x=a, y=list("abcde"))
    return {
        "concat": [[int(v) for v in cat[i]] for i in range(len(cat))] + [[int(v) for v in cat[-1]]],
        "cumulative": cat.cumulative_sizes,
        "subset": [[int(v) for v in sub[i]] for i in range(len(sub))],
        "subset_items": [[int(v) for v in x] for x in sub.__getitems__([0, 2])],
        "stack": [[[int(v) for v in st[i][0]], int(st[i][1])] for i in range(len(st))],
        "stack_dict": [[[int(v) for v in sd[i]["x"]], sd[i]["y"]] for i in range(2)],
        "stack_items": [[[int(v) for v in x["x"]], x["y"]] for x in sd.__getitems__([1, 3])],
        "loader_over_stack": _describe(torch, next(iter(data.DataLoader(sd, batch_size=2)))),
    }


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return [type(e).__name__, str(e).replace("rstorch.", "T.").replace("torch.", "T.")]
    return None


def errors(torch):
    data = torch.utils.data
    DL = data.DataLoader
    ds = list(range(10))
    it = type("It", (data.IterableDataset,), {"__iter__": lambda self: iter(range(3))})()
    bs = data.BatchSampler(range(10), 2, False)
    checks = {
        "num_workers": lambda: DL(ds, num_workers=-1),
        "timeout": lambda: DL(ds, timeout=-1),
        "prefetch_no_workers": lambda: DL(ds, prefetch_factor=2),
        "prefetch_negative": lambda: DL(ds, num_workers=1, prefetch_factor=-1),
        "persistent": lambda: DL(ds, persistent_workers=True),
        "iterable_shuffle": lambda: DL(it, shuffle=True),
        "iterable_sampler": lambda: DL(it, sampler=[0]),
        "iterable_batch_sampler": lambda: DL(it, batch_sampler=[[0]]),
        "sampler_shuffle": lambda: DL(ds, sampler=[0], shuffle=True),
        "batch_sampler_batch_size": lambda: DL(ds, batch_sampler=bs, batch_size=3),
        "batch_sampler_drop_last": lambda: DL(ds, batch_sampler=bs, drop_last=True),
        "batch_sampler_shuffle": lambda: DL(ds, batch_sampler=bs, shuffle=True),
        "none_batch_drop_last": lambda: DL(ds, batch_size=None, drop_last=True),
        "setattr": lambda: setattr(DL(ds), "batch_size", 3),
        "random_replacement": lambda: data.RandomSampler(ds, replacement=1),
        "random_num_samples": lambda: data.RandomSampler(ds, num_samples=0),
        "random_num_samples_float": lambda: data.RandomSampler(ds, num_samples=2.0),
        "weighted_num_samples": lambda: data.WeightedRandomSampler([1.0], True),
        "weighted_replacement": lambda: data.WeightedRandomSampler([1.0], 2, replacement=0),
        "weighted_2d": lambda: data.WeightedRandomSampler([[1.0]], 2),
        "batch_size": lambda: data.BatchSampler(ds, 0, False),
        "batch_drop_last": lambda: data.BatchSampler(ds, 2, 1),
        "split_sum": lambda: data.random_split(ds, [3, 3]),
        "split_fraction": lambda: data.random_split(ds, [1.5, -0.5]),
        "tensor_dataset": lambda: data.TensorDataset(torch.zeros(2), torch.zeros(3)),
        "stack_mixed": lambda: data.StackDataset(ds, a=ds),
        "stack_sizes": lambda: data.StackDataset(ds, ds[:3]),
        "stack_empty": lambda: data.StackDataset(),
        "concat_empty": lambda: data.ConcatDataset([]),
        "concat_iterable": lambda: data.ConcatDataset([it]),
        "concat_index": lambda: data.ConcatDataset([ds])[-11],
        "chain_map": lambda: list(data.ChainDataset([ds])),
        "iterable_len": lambda: len(DL(it)),
        "base_getitem": lambda: data.Dataset()[0],
        "sampler_iter": lambda: iter(data.Sampler()),
        "iter_pickle": lambda: __import__("pickle").dumps(iter(DL(ds))),
    }
    return {k: _error(f) for k, f in checks.items()}


def loader_len_and_attrs(torch):
    data = torch.utils.data
    ds = list(range(10))
    it = type("It", (data.IterableDataset,), {"__iter__": lambda self: iter(range(7)),
                                              "__len__": lambda self: 7})()
    l1 = data.DataLoader(ds, batch_size=3)
    return {"lens": [len(l1), len(data.DataLoader(ds, batch_size=3, drop_last=True)),
                     len(data.DataLoader(ds, batch_size=None)), len(data.DataLoader(it, batch_size=2)),
                     len(data.DataLoader(it, batch_size=2, drop_last=True))],
            "attrs": [l1.batch_size, l1.drop_last, l1.num_workers, l1.prefetch_factor, l1.timeout,
                      type(l1.sampler).__name__, type(l1.batch_sampler).__name__,
                      data.DataLoader(ds, num_workers=2).prefetch_factor,
                      type(data.DataLoader(ds, shuffle=True).sampler).__name__,
                      data.DataLoader(ds, batch_sampler=[[0, 1]]).batch_size],
            "iterable_batches": _batches(data.DataLoader(it, batch_size=2)),
            "concat_iterable": [int(x) for x in (it + it)]}


CASES = [errors, loader_len_and_attrs, shuffle_global_seed, shuffle_drop_last_generator, sequential, samplers, random_split, worker_seeds,
         workers_same_batches, iterable_sharding, collate, datasets]
