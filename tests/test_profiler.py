"""rstorch.profiler / rstorch.autograd.profiler: what is recorded (record_function regions, aten op
events, nesting, counts, shapes, memory, stacks), the schedule's step states and trace handler,
Chrome-trace JSON, the summary table in torch's exact layout (text recorded from torch 2.15 by
tests/tools/record_profiler.py over fixed events), and that nothing stays hooked when no profiler
runs."""

import gzip
import json
import pathlib
import sys
import warnings

import pytest

import rstorch as torch
from rstorch.profiler import ProfilerAction, ProfilerActivity, profile, record_function, schedule

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import profiler_cases as C  # noqa: E402

TABLES = json.loads((HERE / "data" / "profiler_tables.json").read_text())["cases"]


@pytest.mark.parametrize("name", sorted(C.CASES))
def test_table_layout_matches_torch(name):
    from rstorch.profiler import _events
    assert C.CASES[name](_events) == TABLES[name]


def _names(prof):
    return [e.name for e in prof.events()]


def test_regions_and_ops_nest():
    x = torch.randn(8, 8)
    lin = torch.nn.Linear(8, 4)
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        with record_function("outer"):
            y = x @ x
            with record_function("inner"):
                z = (y + 1).relu()
        out = lin(z).sum()
    events = prof.events()
    # as torch: linear is t + addmm beneath it (torch also shows t's transpose/as_strided)
    assert _names(prof) == ["outer", "aten::matmul", "inner", "aten::add", "aten::relu", "aten::linear", "aten::t",
                            "aten::addmm", "aten::sum"]
    by_name = {e.name: e for e in events}
    outer, inner = by_name["outer"], by_name["inner"]
    assert outer.cpu_parent is None and inner.cpu_parent is outer
    assert [c.name for c in outer.cpu_children] == ["aten::matmul", "inner"]
    assert [c.name for c in inner.cpu_children] == ["aten::add", "aten::relu"]
    assert by_name["aten::linear"].cpu_parent is None and by_name["aten::sum"].cpu_parent is None
    for e in events:  # a parent's interval holds its children's; self time is what they leave
        assert e.time_range.end >= e.time_range.start
        for c in e.cpu_children:
            assert e.time_range.start <= c.time_range.start and c.time_range.end <= e.time_range.end
        assert abs(e.self_cpu_time_total - (e.cpu_time_total - sum(c.cpu_time_total for c in e.cpu_children))) < 1e-9
    assert outer.is_user_annotation and not by_name["aten::add"].is_user_annotation
    assert torch.allclose(out, lin(z).sum())  # results unchanged by recording


def test_key_averages_counts():
    x = torch.ones(4)
    with profile() as prof:
        for i in range(5):
            with record_function("step"):
                x = x * 2 + 1
        x.sum()
    avg = {e.key: e for e in prof.key_averages()}
    assert (avg["step"].count, avg["aten::mul"].count, avg["aten::add"].count, avg["aten::sum"].count) == (5, 5, 5, 1)
    assert abs(avg["step"].cpu_time_total - sum(e.cpu_time_total for e in prof.events() if e.name == "step")) < 1e-6
    assert avg["aten::mul"].cpu_time == pytest.approx(avg["aten::mul"].cpu_time_total / 5)
    assert list(avg)[:3] == ["step", "aten::mul", "aten::add"]  # order of first appearance, as torch
    table = prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=2)
    assert table.count("\n") == 7 and "# of Calls" in table and "Self CPU time total:" in table


def test_record_shapes_memory_and_stack():
    with profile(record_shapes=True, profile_memory=True, with_stack=True) as prof:
        a = torch.ones(100, 100)
        v = a.view(10000)
        b = torch.cat([a, a])
    ev = {e.name: e for e in prof.events()}
    assert ev["aten::ones"].input_shapes == [[], []] and ev["aten::cat"].input_shapes == [[[100, 100], [100, 100]]]
    assert ev["aten::view"].input_shapes == [[100, 100], []]
    assert ev["aten::ones"].cpu_memory_usage == 40000 and ev["aten::cat"].cpu_memory_usage == 80000
    assert ev["aten::view"].cpu_memory_usage == 0  # a view allocates nothing
    assert ev["aten::ones"].stack[0].startswith(__file__ + "(") and "test_record_shapes_memory_and_stack" in \
        ev["aten::ones"].stack[0]
    shaped = {(e.key, str(e.input_shapes)) for e in prof.key_averages(group_by_input_shape=True)}
    assert ("aten::cat", "[[[100, 100], [100, 100]]]") in shaped
    assert "CPU Mem" in prof.key_averages().table() and v.shape == (10000,) and b.shape == (200, 100)


def test_chrome_trace_json(tmp_path):
    with profile(record_shapes=True) as prof:
        with record_function("region"):
            torch.ones(3).exp()
    path = tmp_path / "trace.json"
    prof.export_chrome_trace(str(path))
    doc = json.loads(path.read_text())
    x_events = [e for e in doc["traceEvents"] if e.get("ph") == "X" and e.get("cat") in ("cpu_op", "user_annotation")]
    assert [(e["name"], e["cat"]) for e in x_events] == [("region", "user_annotation"), ("aten::ones", "cpu_op"),
                                                         ("aten::exp", "cpu_op")]
    region, ones, exp = x_events
    for child in (ones, exp):
        assert region["ts"] <= child["ts"] and child["ts"] + child["dur"] <= region["ts"] + region["dur"] + 1e-3
    assert exp["args"]["Input Dims"] == [[3]] and doc["displayTimeUnit"] == "ms" and doc["schemaVersion"] == 1
    assert all(isinstance(e["pid"], int) and isinstance(e["tid"], int) for e in x_events)
    assert any(e.get("ph") == "M" and e["name"] == "process_name" for e in doc["traceEvents"])
    gz = tmp_path / "trace.json.gz"
    prof.export_chrome_trace(str(gz))
    assert json.loads(gzip.open(gz, "rt").read())["traceEvents"] == doc["traceEvents"]


def test_schedule_states_match_torch():
    A = ProfilerAction
    s = schedule(wait=1, warmup=1, active=2, repeat=2, skip_first=1)
    # torch 2.15 gives these for steps 0..11
    assert [s(i) for i in range(12)] == [A.NONE, A.NONE, A.WARMUP, A.RECORD, A.RECORD_AND_SAVE, A.NONE, A.WARMUP,
                                         A.RECORD, A.RECORD_AND_SAVE, A.NONE, A.NONE, A.NONE]
    s2 = schedule(wait=2, warmup=1, active=1, skip_first=3, skip_first_wait=1)
    assert [s2(i) for i in range(8)] == [A.NONE, A.NONE, A.NONE, A.WARMUP, A.RECORD_AND_SAVE, A.NONE, A.NONE,
                                         A.WARMUP]
    with pytest.raises(AssertionError, match="Invalid profiler schedule arguments"):
        schedule(wait=0, warmup=1, active=0)
    with pytest.warns(UserWarning, match="won't be using warmup"):
        schedule(wait=0, warmup=0, active=1)
    with pytest.raises(AssertionError, match="Step must be non-negative"):
        s(-1)


def test_scheduled_profile_saves_each_cycle():
    ready = []
    x = torch.ones(4)
    sched = schedule(wait=1, warmup=1, active=2, repeat=2, skip_first=1)
    with profile(schedule=sched, on_trace_ready=lambda p: ready.append(
            (p.step_num, [(e.key, e.count) for e in p.key_averages()], [e.name for e in p.events()][:1]))) as p:
        for i in range(12):
            with record_function(f"it{i}"):
                x = x + i
            p.step()
    # torch reports the same cycles (plus its internal aten::to/_to_copy events under aten::add)
    assert ready == [(5, [("ProfilerStep*", 2), ("it3", 1), ("aten::add", 2), ("it4", 1)], ["ProfilerStep#3"]),
                     (9, [("ProfilerStep*", 2), ("it7", 1), ("aten::add", 2), ("it8", 1)], ["ProfilerStep#7"])]
    assert p.step_num == 12 and p.current_action == ProfilerAction.NONE


def test_unscheduled_profile_calls_trace_ready_once_at_exit():
    calls = []
    with profile(on_trace_ready=lambda p: calls.append(len(p.events()))) as p:
        torch.ones(2).neg()
        p.step()
        torch.ones(2).neg()
    assert calls == [4]


def test_tensorboard_trace_handler(tmp_path):
    handler = torch.profiler.tensorboard_trace_handler(str(tmp_path / "tb"), worker_name="w0")
    with profile(schedule=schedule(wait=0, warmup=1, active=1, repeat=2), on_trace_ready=handler) as p:
        for _ in range(4):
            torch.ones(2).sin()
            p.step()
    files = sorted((tmp_path / "tb").iterdir())
    assert len(files) == 2 and all(f.name.startswith("w0.") and f.name.endswith(".pt.trace.json") for f in files)
    names = [e["name"] for e in json.loads(files[0].read_text())["traceEvents"] if e.get("cat") == "cpu_op"]
    assert names == ["aten::ones", "aten::sin"]
    gz = torch.profiler.tensorboard_trace_handler(str(tmp_path / "gz"), worker_name="w1", use_gzip=True)
    with profile(on_trace_ready=gz):
        torch.ones(1)
    (f,) = (tmp_path / "gz").iterdir()
    assert f.name.endswith(".pt.trace.json.gz") and json.loads(gzip.open(f, "rt").read())["traceEvents"]


def test_nothing_is_hooked_when_off():
    F = torch.nn.functional
    tensor_dict = dict(torch.Tensor.__dict__)
    originals = (torch.add, torch.matmul, F.linear, F.relu)
    with record_function("not recording"):  # no profiler: a no-op
        torch.ones(1)
    with profile() as p:
        assert torch.add is not originals[0] and "add" in torch.Tensor.__dict__
        with pytest.raises(RuntimeError, match="already running"):
            profile().__enter__()
        (torch.ones(2) + 1).add(1)
    assert (torch.add, torch.matmul, F.linear, F.relu) == originals
    assert dict(torch.Tensor.__dict__) == tensor_dict
    assert [e.name for e in p.events()] == ["aten::ones", "aten::add", "aten::add"]
    with pytest.raises(RuntimeError, match="is invalid for input of size 2"):  # an op that raises still ends its event and leaves nothing hooked
        with profile() as p2:
            torch.ones(2).view(3)
    assert dict(torch.Tensor.__dict__) == tensor_dict and p2.events()[-1].name == "aten::view"


def test_record_function_decorator_and_autograd_profiler():
    ap = torch.autograd.profiler
    assert ap.record_function is record_function

    @record_function("decorated")
    def f(a):
        return a * 3
    x = torch.ones(2)
    with ap.profile(record_shapes=True) as prof:
        y = f(x)
    assert y.tolist() == [3.0, 3.0]
    assert [(e.name, e.cpu_parent.name if e.cpu_parent else None) for e in prof.function_events] == \
        [("decorated", None), ("aten::mul", "decorated")]
    assert prof.key_averages()[0].key == "decorated" and prof.self_cpu_time_total > 0
    assert str(prof).startswith("-") and "aten::mul" in prof.table()
    unfinished = ap.profile()
    with pytest.raises(RuntimeError, match="Profiler didn't finish running"):
        unfinished.key_averages()
    with ap.profile(enabled=False) as off:
        torch.ones(1)
    assert off.enabled is False


def test_activities():
    assert str(ProfilerActivity.CPU) == "ProfilerActivity.CPU" and ProfilerActivity.CUDA.value == 2
    assert torch.profiler.supported_activities() == {ProfilerActivity.CPU}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as p:
            torch.ones(1)
    assert [e.name for e in p.events()] == ["aten::ones"]
    with pytest.raises(TypeError):
        profile(activities=["cpu"])


def test_training_step_modules_and_optimizer():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.ReLU(), torch.nn.Flatten(),
                                torch.nn.Linear(2 * 4 * 4, 3))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(4, 1, 6, 6), torch.tensor([0, 1, 2, 0])
    conv_fn, sgd_step = torch.nn.Conv2d.__dict__["_fn"], torch.optim.SGD.__dict__["step"]
    with profile() as p:
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    count = {e.key: e.count for e in p.key_averages()}
    for key in ("aten::conv2d", "aten::relu", "aten::flatten", "aten::linear", "aten::cross_entropy_loss",
                "Optimizer.zero_grad#SGD.zero_grad", "Optimizer.step#SGD.step"):
        assert count.get(key) == 1, (key, count)
    step = next(e for e in p.events() if e.name == "Optimizer.step#SGD.step")
    assert step.is_user_annotation and step.cpu_parent is None
    assert torch.nn.Conv2d.__dict__["_fn"] is conv_fn and torch.optim.SGD.__dict__["step"] is sgd_step


def test_recording_never_changes_outcomes():
    # shapes/memory of an uninitialized lazy parameter cannot be read: recorded as empty, the op runs as always
    with profile(record_shapes=True, profile_memory=True) as p:
        lazy = torch.nn.LazyLinear(3)
        out = lazy(torch.ones(2, 5))
        layer = torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16)
        same_fn = torch.nn.functional.conv2d is torch.conv2d
    assert out.shape == (2, 3) and lazy.weight.shape == (3, 5) and any(e.name == "aten::linear" for e in p.events())
    assert layer.activation_relu_or_gelu == 1  # the default F.relu is recognised while F.relu is wrapped
    assert same_fn  # a function exposed twice gets one wrapper
