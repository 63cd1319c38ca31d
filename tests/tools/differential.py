"""The differential fuzz of issue 19: calls of every function row of the op table with hostile
arguments (odd dtypes, empty and 0-dim tensors, NaN/inf, out-of-range dims, wrong types), each
described as plain JSON so that PyTorch and rstorch run the very same call.

    python tests/tools/differential.py record [--per-op N] [--seed S]
        (run with rstorch importable: PYTHONPATH=python) makes the cases from rstorch's op table,
        runs them on torch in a child process (the torch venv's python, ../shared/tools/torch-venv)
        and writes tests/data/differential.json: the cases with torch's outcome of each.
    python tests/tools/differential.py run LIB CASES OUT
        runs CASES on LIB (torch or rstorch) and writes the outcomes to OUT (one JSON line per
        case, flushed, so a crash names its case).

tests/test_differential.py replays the recorded cases on rstorch (in a child process) and
compares outcomes: the exception type, or the result's dtype, shape and values. This module
imports neither library at the top: the same file serves both sides.
"""

import json
import math
import os
import random
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(ROOT, "tests", "data", "differential.json")

DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool"]
SHAPES = [(), (0,), (1,), (3,), (2, 3), (3, 1), (2, 0, 3), (1, 3, 4), (4, 4)]
TENSOR_PARAMS = {"input", "other", "tensor1", "tensor2", "mat1", "mat2", "batch1", "batch2", "vec", "vec1", "vec2",
                 "x", "y", "weight", "bias", "src", "source", "values", "mask", "index", "indices", "tensor",
                 "condition", "self", "end_tensor", "boundaries", "sorted_sequence", "test_elements", "elements",
                 "running_mean", "running_var", "A", "B"}
BOOL_PARAMS = {"keepdim", "descending", "stable", "sorted", "equal_nan", "right", "out_int32", "accumulate",
               "return_inverse", "return_counts", "ceil_mode", "training", "unbiased", "upper", "largest",
               "include_self", "count_include_pad", "invert", "assume_unique", "return_indices", "cudnn_enabled",
               "cudnn_enable", "increasing", "left", "unitriangular", "transpose", "some", "compute_uv", "hermitian"}
NUMBER_PARAMS = {"alpha", "beta", "value", "p", "eps", "min", "max", "rtol", "atol", "exponent", "momentum", "q",
                 "scalar", "lambd", "threshold", "negative_slope", "fill_value", "maxnorm", "weight_scalar", "dx",
                 "nan", "posinf", "neginf", "max_norm", "norm_type", "margin", "scale", "start", "end", "step"}
INT_PARAMS = {"k", "n", "diagonal", "offset", "length", "groups", "bins", "correction", "dim", "dim0", "dim1",
              "dim2", "chunks", "split_size_or_sections", "indices_or_sections", "source_dim", "repeats", "N",
              "num_samples", "steps", "shifts", "decimals", "upscale_factor", "downscale_factor", "minlength"}
SHAPE_PARAMS = {"shape", "size", "kernel_size", "stride", "padding", "dilation", "output_size", "output_padding",
                "normalized_shape", "dims", "sizes", "split_sizes", "source", "destination"}
STRING_CHOICES = {"reduce": ["sum", "prod", "mean", "amax", "amin", "max", "none", "bogus"],
                  "interpolation": ["linear", "lower", "higher", "midpoint", "nearest", "bogus"],
                  "rounding_mode": [None, "trunc", "floor", "bogus"], "side": ["left", "right", "middle"],
                  "mode": ["reduced", "complete", "r"], "approximate": ["none", "tanh"], "indexing": ["ij", "xy"]}
SKIP = {"out", "generator", "layout", "device", "pin_memory", "requires_grad", "memory_format", "names"}
SPECIAL_FLOATS = ["nan", "inf", "-inf", 0.0, -0.0, 1e30, -1e-30, 1.5, -2.5, 65504.0]
NUMBERS = [0, 1, -1, 2, 0.5, -1.5, 2.5, 1e10, "nan", "inf", True, False]


def _rand_tensor(rng, dtype=None, shape=None, kind=None):
    return {"T": dtype or rng.choice(DTYPES), "shape": list(shape if shape is not None else rng.choice(SHAPES)),
            "kind": kind or rng.choice(["normal", "normal", "normal", "special"]), "seed": rng.randrange(1 << 30),
            "layout": rng.choice(["c", "c", "c", "t", "step"])}


def _arg_for(rng, name, param_default, base):
    """A value for the parameter called `name`; `base` is the call's first tensor spec."""
    if name in ("index", "indices"):
        return _rand_tensor(rng, "int64" if rng.random() < 0.85 else rng.choice(DTYPES),
                            rng.choice([base["shape"], (2,), (), (0,), (2, 3)]), "index")
    if name in ("mask", "condition"):
        return _rand_tensor(rng, "bool" if rng.random() < 0.85 else "uint8", rng.choice([base["shape"], (3,), ()]))
    if name == "tensors":
        n = rng.choice([0, 1, 2, 3])
        return {"list": [_rand_tensor(rng, rng.choice([base["T"], rng.choice(DTYPES)]),
                                      rng.choice([base["shape"], base["shape"], (3,), (2, 3)])) for _ in range(n)]}
    if name in TENSOR_PARAMS:
        r = rng.random()
        if name == "other" and r < 0.25:
            return rng.choice(NUMBERS)
        shape = base["shape"] if r < 0.6 else ([1] + list(base["shape"])[1:] if base["shape"] else [3]) \
            if r < 0.75 else list(rng.choice(SHAPES))
        return _rand_tensor(rng, base["T"] if rng.random() < 0.6 else None, shape)
    if name in BOOL_PARAMS:
        return rng.choice([True, False])
    if name == "dtype":
        return rng.choice([None, None] + [{"dtype": d} for d in DTYPES])
    if name in STRING_CHOICES:
        return rng.choice(STRING_CHOICES[name])
    if name in INT_PARAMS:
        if param_default is None and rng.random() < 0.3:
            return None
        if name.startswith("dim") and rng.random() < 0.15:
            return [rng.randrange(-3, 3) for _ in range(rng.choice([0, 1, 2]))]
        return rng.choice([-4, -2, -1, 0, 0, 1, 1, 2, 3, 5])
    if name in NUMBER_PARAMS:
        if param_default is None and rng.random() < 0.3:
            return None
        return rng.choice(NUMBERS)
    if name in SHAPE_PARAMS:
        return [rng.choice([-1, 0, 1, 2, 3]) for _ in range(rng.choice([0, 1, 2, 3]))]
    return "SKIP"


def make_cases(rows, per_op, seed, methods=False):
    """`rows`: (name, signature parameters as (name, kind, has_default, default)) of function forms.
    With `methods`, each call is made as a Tensor method on its first argument instead
    (`x.op(*rest)`; ids `name.m#k`) for the rows that have a method form."""
    rng = random.Random(seed)
    cases = []
    for name, params in rows:
        for _ in range(per_op):
            args, kwargs = [], {}
            base = _rand_tensor(rng)
            ok, by_name = True, False  # by_name: an optional positional was left out, the rest go by name
            for pname, kind, has_default, default in params:
                if pname in SKIP:
                    continue
                if has_default and rng.random() < 0.35:
                    by_name = by_name or kind != "KEYWORD_ONLY"
                    continue  # optional arguments are often left at their defaults
                if kind == "VAR_POSITIONAL":
                    args += [_rand_tensor(rng, base["T"], base["shape"]) for _ in range(rng.choice([1, 2, 3]))]
                    continue
                value = base if pname == "input" or (not args and pname in TENSOR_PARAMS) else \
                    _arg_for(rng, pname, default, base)
                if value == "SKIP":
                    if not has_default:
                        ok = False
                        break
                    by_name = by_name or kind != "KEYWORD_ONLY"
                    continue
                if kind == "KEYWORD_ONLY" or by_name:
                    kwargs[pname] = value
                else:
                    args.append(value)
            if ok and methods:
                if args and isinstance(args[0], dict) and "T" in args[0]:
                    cases.append({"id": f"{name}.m#{len(cases)}", "op": name, "args": args, "kwargs": kwargs,
                                  "method": True})
            elif ok:
                cases.append({"id": f"{name}#{len(cases)}", "op": name, "args": args, "kwargs": kwargs})
    return cases


# ---------------------------------------------------------------------- running a case

def _np_array(spec, np):
    rng = np.random.default_rng(spec["seed"])
    shape = list(spec["shape"])
    if spec["layout"] == "step" and shape:
        shape[-1] *= 2
    dt = spec["T"]
    if dt == "bool":
        a = rng.random(shape) < 0.5
    elif dt.startswith("float") or dt == "bfloat16":
        if spec["kind"] == "special":
            vals = np.array([float(v) for v in SPECIAL_FLOATS])
            a = rng.choice(vals, size=shape)
        else:
            a = rng.standard_normal(shape) * 3
    else:
        info = np.iinfo({"int64": np.int64, "int32": np.int32, "int16": np.int16, "int8": np.int8,
                         "uint8": np.uint8}[dt])
        if spec["kind"] == "special":
            a = rng.choice(np.array([info.min, info.max, 0, 1, -1 if info.min < 0 else 2], dtype=np.int64), size=shape)
        elif spec["kind"] == "index":
            a = rng.integers(-4, 5, size=shape)
        else:
            a = rng.integers(max(info.min, -5), min(info.max, 6) + 1, size=shape)
    return a


def materialize(value, lib, np):
    if isinstance(value, dict):
        if "T" in value:
            a = _np_array(value, np)
            t = lib.tensor(a.tolist(), dtype=getattr(lib, value["T"]))
            if value["layout"] == "t" and t.dim() >= 2:
                t = t.transpose(0, 1).contiguous().transpose(0, 1)
            elif value["layout"] == "step" and t.dim() >= 1:
                t = t[..., ::2]
            return t
        if "list" in value:
            return [materialize(v, lib, np) for v in value["list"]]
        if "dtype" in value:
            return getattr(lib, value["dtype"])
    if isinstance(value, list):
        return tuple(materialize(v, lib, np) for v in value)
    if value in ("nan", "inf", "-inf"):
        return float(value)
    return value


def _number(v):
    if isinstance(v, float) and not math.isfinite(v):
        return repr(v)
    return v


def outcome(result, lib):
    if isinstance(result, lib.Tensor):
        r = {"dtype": str(result.dtype).rsplit(".", 1)[-1], "shape": list(result.shape)}
        if result.numel() <= 48:
            r["v"] = [_number(v) for v in result.detach().reshape(-1).to(lib.float64).tolist()] \
                if result.dtype != lib.bool else result.reshape(-1).tolist()
        return r
    if isinstance(result, (tuple, list)):
        return {"seq": [outcome(r, lib) for r in result]}
    if isinstance(result, (bool, int, float)) or result is None:
        return {"py": _number(result)}
    return {"type": type(result).__name__}


def run_cases(lib_name, cases, out_path):
    import warnings

    import numpy as np
    lib = __import__(lib_name)
    warnings.simplefilter("ignore")
    with open(out_path, "w") as out:
        for case in cases:
            out.write(json.dumps({"id": case["id"], "start": True}) + "\n")
            out.flush()
            try:
                args = [materialize(a, lib, np) for a in case["args"]]
                if case.get("method"):
                    fn, args = getattr(args[0], case["op"]), args[1:]
                else:
                    fn = getattr(lib, case["op"])
                kwargs = {k: materialize(v, lib, np) for k, v in case["kwargs"].items()}
            except Exception as e:  # the inputs themselves could not be made (a dtype the list has no values for)
                res = {"setup": type(e).__name__}
            else:
                try:
                    res = outcome(fn(*args, **kwargs), lib)
                except Exception as e:
                    res = {"exc": type(e).__name__}
            out.write(json.dumps({"id": case["id"], "outcome": res}) + "\n")
            out.flush()


def read_outcomes(path):
    got = {}
    with open(path) as f:
        for line in f:
            rec = json.loads(line)
            if "outcome" in rec:
                got[rec["id"]] = rec["outcome"]
    return got


# torch's exception types that rstorch spells with the Python base it derives from
EXC_ALIASES = {"OutOfMemoryError": "RuntimeError", "LinAlgError": "RuntimeError", "NotImplementedError": "RuntimeError"}


def _same_exc(a, b):
    return a == b or EXC_ALIASES.get(a, a) == EXC_ALIASES.get(b, b) and a in EXC_ALIASES and b in EXC_ALIASES


def _close(a, b):
    if isinstance(a, str) or isinstance(b, str):
        return a == b or (a == "nan" and b == "nan")
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 1e-5 + 1e-3 * abs(b)


def compare(got, want):
    """None when the outcomes agree, else a short reason."""
    if "exc" in want or "exc" in got:
        if "exc" in want and "exc" in got:
            return None if _same_exc(got["exc"], want["exc"]) else f"raises {got['exc']}, torch {want['exc']}"
        return f"returns where torch raises {want['exc']}" if "exc" in want else f"raises {got['exc']} where torch returns"
    if "setup" in want or "setup" in got:
        return None
    if "seq" in want:
        if "seq" not in got or len(got["seq"]) != len(want["seq"]):
            return "result structure differs"
        for g, w in zip(got["seq"], want["seq"]):
            r = compare(g, w)
            if r:
                return r
        return None
    if "dtype" in want:
        if "dtype" not in got:
            return "result kind differs"
        if got["dtype"] != want["dtype"]:
            return f"dtype {got['dtype']}, torch {want['dtype']}"
        if got["shape"] != want["shape"]:
            return f"shape {got['shape']}, torch {want['shape']}"
        if "v" in want and "v" in got and not all(_close(g, w) for g, w in zip(got["v"], want["v"])):
            return "values differ"
        return None
    if "py" in want:
        return None if "py" in got and _close(got["py"], want["py"]) else "python result differs"
    return None if got == want else "result kind differs"


def _rows(methods=False):
    from rstorch._ops._table import ROWS
    rows = []
    for op in ROWS.values():
        if (op.method is False) if methods else (op.function is False):
            continue
        params = [(p.name, p.kind.name, p.default is not p.empty, None if p.default is p.empty else p.default)
                  for p in op.parameters().values()]
        rows.append((op.name, params))
    return sorted(rows)


def _torch_python():
    out = subprocess.run([os.path.join(ROOT, "..", "shared", "tools", "torch-venv")], capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def _run_on(lib, python, cases):
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        cpath, opath = os.path.join(tmp, "cases.json"), os.path.join(tmp, lib + ".jsonl")
        json.dump(cases, open(cpath, "w"))
        env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"))
        subprocess.run([python, __file__, "run", lib, cpath, opath], env=env)
        return read_outcomes(opath)


def _all_cases(per_op, seed):
    """The function-form calls, then (another seed) the method-form calls."""
    return make_cases(_rows(), per_op, seed) + make_cases(_rows(methods=True), per_op, seed + 1, methods=True)


def record(per_op, seed):
    cases = _all_cases(per_op, seed)
    got = _run_on("torch", _torch_python(), cases)
    for c in cases:
        c["torch"] = got.get(c["id"], {"exc": "CRASH"})
    json.dump({"seed": seed, "per_op": per_op, "cases": cases}, open(FIXTURE, "w"), separators=(",", ":"))
    print(f"wrote {FIXTURE}: {len(cases)} cases")


def explore(per_op, seed):
    """Fresh cases (not the fixture's) on both libraries: print where rstorch disagrees, by op."""
    cases = _all_cases(per_op, seed)
    want = _run_on("torch", _torch_python(), cases)
    got = _run_on("rstorch", sys.executable, cases)
    bad = 0
    for c in cases:
        if c["id"] not in got:
            print(c["id"], "CRASHED or did not run:", json.dumps(c)[:300])
            bad += 1
            continue
        why = compare(got[c["id"]], want.get(c["id"], {"exc": "CRASH"}))
        if why:
            bad += 1
            print(c["id"], why, "|", json.dumps({k: c[k] for k in ("args", "kwargs")})[:300])
    print(f"{bad} of {len(cases)} calls disagree")


if __name__ == "__main__":
    if sys.argv[1] == "record":
        per_op = int(sys.argv[sys.argv.index("--per-op") + 1]) if "--per-op" in sys.argv else 12
        seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 0
        record(per_op, seed)
    elif sys.argv[1] == "explore":
        per_op = int(sys.argv[sys.argv.index("--per-op") + 1]) if "--per-op" in sys.argv else 12
        seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 1
        explore(per_op, seed)
    elif sys.argv[1] == "run":
        run_cases(sys.argv[2], json.load(open(sys.argv[3])), sys.argv[4])
