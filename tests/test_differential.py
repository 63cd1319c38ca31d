"""The differential fuzz (issue 19): hostile calls of every function row of the op table, with
the outcome PyTorch 2.15 gave for each recorded in tests/data/differential.json (made by
tests/tools/differential.py record; torch is not needed here). rstorch replays them in a child
process (a crash names its case) and must agree with torch on each: the same exception type, or
a result of the same dtype, shape and values.

The cases rstorch does not agree on yet are listed, with why, in
tests/data/differential_known.json. The test fails on any other disagreement (a regression or a
new case), on a crash, and on a listed case that now agrees (take it off the list), so the list
can only shrink."""

import json
import os
import subprocess
import sys

import rstorch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "tools"))
import differential  # noqa: E402

KNOWN = os.path.join(HERE, "data", "differential_known.json")
ENV = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(rstorch.__file__)))


def _replay(tmp_path):
    fixture = json.load(open(differential.FIXTURE))
    cases = fixture["cases"]
    cpath, opath = tmp_path / "cases.json", tmp_path / "rstorch.jsonl"
    cpath.write_text(json.dumps(cases))
    p = subprocess.run([sys.executable, differential.__file__, "run", "rstorch", str(cpath), str(opath)], env=ENV,
                       capture_output=True, text=True, timeout=600)
    got = differential.read_outcomes(opath)
    if p.returncode != 0:
        started = [json.loads(line)["id"] for line in open(opath) if '"start"' in line]
        raise AssertionError(f"the replay died (rc {p.returncode}) in case {started[-1] if started else '?'}:\n"
                             f"{p.stderr[-2000:]}")
    return cases, got


def test_rstorch_agrees_with_torch_on_hostile_calls(tmp_path):
    cases, got = _replay(tmp_path)
    known = json.load(open(KNOWN))
    new, fixed = {}, []
    for case in cases:
        why = differential.compare(got[case["id"]], case["torch"])
        if why and case["id"] not in known:
            new[case["id"]] = why
        elif not why and case["id"] in known:
            fixed.append(case["id"])
    assert not new, f"{len(new)} calls disagree with torch (not in differential_known.json): " + \
        json.dumps(dict(list(new.items())[:40]), indent=0)
    assert not fixed, f"these now agree with torch: remove them from differential_known.json: {fixed}"
    assert len(got) == len(cases)


if __name__ == "__main__":
    # `python tests/test_differential.py`: rewrite the known list from the current disagreements
    import pathlib
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        cases, got = _replay(pathlib.Path(tmp))
    known = {c["id"]: why for c in cases if (why := differential.compare(got[c["id"]], c["torch"]))}
    json.dump(known, open(KNOWN, "w"), indent=0, sort_keys=True)
    print(f"{len(known)} of {len(cases)} calls disagree with torch")
