"""Profiler tables built from fixed events, shared by tests/test_profiler.py and the script that
records torch's text for them (tests/tools/record_profiler.py -> tests/data/profiler_tables.json).

`build(ev_mod, spec)` turns a spec (events with names, times, parents, shapes, stacks, memory)
into an EventList of the given module (torch.autograd.profiler_util or rstorch.profiler._events);
each case is then a function of that EventList returning the text torch's table prints."""

EVENTS = [
    # name, start_us, end_us, parent, input_shapes, stack, cpu_memory_usage, user_annotation
    ("train_step", 0.0, 2500.0, -1, [], ["train.py(40): main", "train.py(60): <module>"], 0, True),
    ("aten::linear", 10.0, 910.5, 0, [[64, 128], [256, 128], [256]], ["model.py(12): forward", "train.py(41): main"],
     65536, False),
    ("aten::t", 12.0, 15.25, 1, [[256, 128]], ["model.py(12): forward"], 0, False),
    ("aten::addmm", 16.0, 900.0, 1, [[256], [64, 128], [128, 256]], ["model.py(12): forward"], 65536, False),
    ("aten::relu", 920.0, 960.0, 0, [[64, 256]], ["model.py(13): forward"], 65536, False),
    ("aten::linear", 970.0, 1870.0, 0, [[64, 256], [10, 256], [10]], ["model.py(14): forward"], 2560, False),
    ("aten::addmm", 975.0, 1860.0, 5, [[10], [64, 256], [256, 10]], ["model.py(14): forward"], 2560, False),
    ("aten::cross_entropy_loss_with_a_really_long_name_that_needs_trimming_here", 1900.0, 2400.0, 0, [[64, 10], [64]],
     ["loss.py(3): loss"], 4, False),
    ("optimizer.step", 2600.0, 1_402_600.0, -1, [], ["train.py(45): main"], 0, True),
    ("aten::add_", 2700.0, 2712.125, 8, [[256, 128], [256, 128], []], ["sgd.py(10): step"], 0, False),
    ("aten::add_", 2720.0, 2730.0, 8, [[256], [256], []], ["sgd.py(10): step"], 0, False),
]


def build(ev_mod, spec=EVENTS, profile_memory=False):
    events = []
    for i, (name, start, end, parent, shapes, stack, mem, user) in enumerate(spec):
        e = ev_mod.FunctionEvent(id=i, name=name, thread=1, start_us=start, end_us=end, input_shapes=shapes,
                                 stack=stack, cpu_memory_usage=mem, is_user_annotation=user)
        events.append(e)
    for e, row in zip(events, spec):
        if row[3] >= 0:
            e.set_cpu_parent(events[row[3]])
            events[row[3]].append_cpu_child(e)
    out = ev_mod.EventList(events, profile_memory=profile_memory)
    out._tree_built = True
    return out


CASES = {
    "events_table": lambda m: build(m).table(),
    "events_sorted_limited": lambda m: build(m).table(sort_by="cpu_time_total", row_limit=4),
    "averages": lambda m: build(m).key_averages().table(sort_by="self_cpu_time_total"),
    "averages_by_count": lambda m: build(m).key_averages().table(sort_by="count", row_limit=3),
    "averages_by_shape": lambda m: build(m).key_averages(group_by_input_shapes=True).table(
        sort_by="cpu_time_total", row_limit=6),
    "averages_by_stack": lambda m: build(m).key_averages(group_by_stack_n=2).table(sort_by="cpu_time_total",
                                                                                    row_limit=3),
    "memory": lambda m: build(m, profile_memory=True).key_averages().table(sort_by="cpu_memory_usage"),
    "header_top_level": lambda m: build(m).table(header="A HEADER", top_level_events_only=True),
    "time_unit_ms": lambda m: build(m).key_averages().table(time_unit="ms", row_limit=5),
    "narrow_name": lambda m: build(m).key_averages().table(max_name_column_width=20, row_limit=5),
    "totals": lambda m: repr([(e.key, e.count, round(e.cpu_time_total, 6), round(e.self_cpu_time_total, 6),
                               e.cpu_memory_usage, e.self_cpu_memory_usage) for e in build(m).key_averages()]),
}
