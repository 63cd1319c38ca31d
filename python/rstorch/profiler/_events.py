"""Recorded events as torch's profiler shows them: FunctionEvent (one call, with its parent and
children), FunctionEventAvg (the events of one key summed), EventList (key_averages, table,
export_chrome_trace). Times are microseconds (floats), as in torch."""

import json
import os
import threading
from collections import OrderedDict

from . import _recorder as R

__all__ = ["FunctionEvent", "FunctionEventAvg", "EventList", "Interval", "build_events", "DeviceType"]


class DeviceType:
    CPU = "CPU"
    CUDA = "CUDA"


class Interval:
    __slots__ = ("start", "end")

    def __init__(self, start, end):
        self.start = start
        self.end = end

    def elapsed_us(self):
        return self.end - self.start

    def __repr__(self):
        return f"Interval(start={self.start}, end={self.end})"


def _format_time(time_us):
    if time_us >= 1e6:
        return f"{time_us / 1e6:.3f}s"
    if time_us >= 1e3:
        return f"{time_us / 1e3:.3f}ms"
    return f"{time_us:.3f}us"


def _format_share(time_us, total_us):
    if total_us == 0:
        return "NaN"
    return f"{time_us * 100.0 / total_us:.2f}%"


def _format_memory(nbytes):
    for unit, size in (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024)):
        if abs(nbytes) >= size:
            return f"{nbytes / size:.2f} {unit}"
    return f"{nbytes} B"


class _Times:
    """The *_str spellings torch's events offer."""

    @property
    def cpu_time(self):
        return 0.0 if self.count == 0 else self.cpu_time_total / self.count

    @property
    def device_time(self):
        return 0.0 if self.count == 0 else self.device_time_total / self.count

    cuda_time = device_time

    @property
    def cuda_time_total(self):
        return self.device_time_total

    @property
    def self_cuda_time_total(self):
        return self.self_device_time_total

    @property
    def cpu_time_str(self):
        return _format_time(self.cpu_time)

    @property
    def cpu_time_total_str(self):
        return _format_time(self.cpu_time_total)

    @property
    def self_cpu_time_total_str(self):
        return _format_time(self.self_cpu_time_total)

    @property
    def device_time_str(self):
        return _format_time(self.device_time)

    @property
    def device_time_total_str(self):
        return _format_time(self.device_time_total)

    @property
    def self_device_time_total_str(self):
        return _format_time(self.self_device_time_total)


class FunctionEvent(_Times):
    """One recorded call: an op (`aten::<name>`) or a record_function region."""

    def __init__(self, id, name, thread, start_us, end_us, input_shapes=None, stack=None, cpu_memory_usage=0,
                 is_user_annotation=False):
        self.id = id
        self.name = name
        self.thread = thread
        self.time_range = Interval(start_us, end_us)
        self.input_shapes = input_shapes if input_shapes is not None else []
        self.stack = stack if stack is not None else []
        self.cpu_memory_usage = cpu_memory_usage
        self.device_memory_usage = 0
        self.cpu_children = []
        self.cpu_parent = None
        self.is_user_annotation = is_user_annotation
        self.count = 1
        self.node_id = -1
        self.is_async = False
        self.is_remote = False
        self.is_legacy = False
        self.is_python_function = False
        self.overload_name = ""
        self.flops = 0
        self.device_type = DeviceType.CPU
        self.use_device = None
        self.device_time_total = 0
        self.self_device_time_total = 0
        self.self_device_memory_usage = 0
        self.sequence_nr = -1
        self.scope = 0
        self.kernels = []
        self.trace_name = None

    @property
    def key(self):
        # the step markers of a scheduled profile group under one key, as in torch
        return "ProfilerStep*" if self.name.startswith("ProfilerStep#") else self.name

    @property
    def cpu_time_total(self):
        return self.time_range.elapsed_us()

    @property
    def self_cpu_time_total(self):
        return self.cpu_time_total - sum(c.cpu_time_total for c in self.cpu_children)

    @property
    def self_cpu_memory_usage(self):
        return self.cpu_memory_usage - sum(c.cpu_memory_usage for c in self.cpu_children)

    def append_cpu_child(self, child):
        self.cpu_children.append(child)

    def set_cpu_parent(self, parent):
        self.cpu_parent = parent

    def __repr__(self):
        return (f"<FunctionEvent id={self.id} name={self.name} overload_name={self.overload_name} "
                f"device_type={self.device_type} node_id={self.node_id} cpu_time={self.cpu_time_str} "
                f"start_us={self.time_range.start} end_us={self.time_range.end} "
                f"cpu_children={[c.id for c in self.cpu_children]} cpu_time_total={self.cpu_time_total_str} "
                f"self_cpu_time_total={self.self_cpu_time_total_str} input_shapes={self.input_shapes} "
                f"cpu_memory_usage={self.cpu_memory_usage} is_legacy={self.is_legacy} scope={self.scope}>")


class FunctionEventAvg(_Times):
    """The events of one key, summed (count, total and self times, memory)."""

    def __init__(self):
        self.key = None
        self.count = 0
        self.node_id = 0
        self.is_async = False
        self.is_remote = False
        self.use_device = None
        self.cpu_time_total = 0
        self.device_time_total = 0
        self.self_cpu_time_total = 0
        self.self_device_time_total = 0
        self.input_shapes = None
        self.overload_name = None
        self.stack = None
        self.scope = None
        self.cpu_memory_usage = 0
        self.device_memory_usage = 0
        self.self_cpu_memory_usage = 0
        self.self_device_memory_usage = 0
        self.cpu_children = None
        self.cpu_parent = None
        self.device_type = DeviceType.CPU
        self.is_legacy = False
        self.flops = 0
        self.is_user_annotation = False

    def add(self, other):
        if self.key is None:
            self.key = other.key
            self.node_id = other.node_id
            self.is_async = other.is_async
            self.cpu_parent = other.cpu_parent
            self.cpu_children = other.cpu_children
            self.overload_name = other.overload_name
            self.input_shapes = other.input_shapes
            self.stack = other.stack
            self.scope = other.scope
            self.is_user_annotation = other.is_user_annotation
        if other.key != self.key:
            raise AssertionError(f"Expected keys to match, but got {other.key} vs {self.key}")
        self.cpu_time_total += other.cpu_time_total
        self.self_cpu_time_total += other.self_cpu_time_total
        self.cpu_memory_usage += other.cpu_memory_usage
        self.self_cpu_memory_usage += other.self_cpu_memory_usage
        self.count += other.count
        self.flops += other.flops
        return self

    def __iadd__(self, other):
        return self.add(other)

    def __repr__(self):
        return (f"<FunctionEventAvg key={self.key} self_cpu_time={self.self_cpu_time_total_str} "
                f"cpu_time={self.cpu_time_str}  self_cuda_time={self.self_device_time_total_str} "
                f"cuda_time={self.device_time_str} input_shapes={self.input_shapes} "
                f"cpu_memory_usage={self.cpu_memory_usage} cuda_memory_usage={self.device_memory_usage}>")


class EventList(list):
    """A list of FunctionEvents (or FunctionEventAvgs) with torch's summaries."""

    def __init__(self, *args, use_device=None, profile_memory=False, with_flops=False, record_shapes=False,
                 trace_start_us=0.0, trace_end_us=0.0, base_time_ns=0):
        super().__init__(*args)
        self._use_device = use_device
        self._profile_memory = profile_memory
        self._with_flops = with_flops
        self._record_shapes = record_shapes
        self._trace_start_us = trace_start_us
        self._trace_end_us = trace_end_us
        self._base_time_ns = base_time_ns
        self._tree_built = True

    @property
    def self_cpu_time_total(self):
        return sum(e.self_cpu_time_total for e in self)

    def key_averages(self, group_by_input_shapes=False, group_by_stack_n=0, group_by_overload_name=False,
                     include_python_functions=False):
        stats = OrderedDict()
        for e in self:
            key = [str(e.key), str(e.node_id), str(e.device_type), str(e.is_legacy), str(e.is_user_annotation)]
            if group_by_input_shapes:
                key.append(str(e.input_shapes))
            if group_by_stack_n > 0:
                key += list(e.stack[:group_by_stack_n])
            key = tuple(key)
            if key not in stats:
                stats[key] = FunctionEventAvg()
            stats[key].add(e)
        out = EventList(stats.values(), use_device=self._use_device, profile_memory=self._profile_memory,
                        with_flops=self._with_flops)
        for avg in out:
            avg.stack = list(avg.stack or [])[:group_by_stack_n]
            if not group_by_input_shapes:
                avg.input_shapes = ""
            if not group_by_overload_name:
                avg.overload_name = ""
        return out

    def total_average(self):
        total = FunctionEventAvg()
        for e in self:
            total.cpu_time_total += e.cpu_time_total
            total.self_cpu_time_total += e.self_cpu_time_total
            total.cpu_memory_usage += e.cpu_memory_usage
            total.self_cpu_memory_usage += e.self_cpu_memory_usage
            total.count += e.count
        total.key = "Total"
        return total

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75, max_name_column_width=55,
              max_shapes_column_width=80, header=None, top_level_events_only=False, time_unit=None):
        return _build_table(self, sort_by=sort_by, header=header, row_limit=row_limit,
                            max_src_column_width=max_src_column_width, max_name_column_width=max_name_column_width,
                            max_shapes_column_width=max_shapes_column_width, profile_memory=self._profile_memory,
                            top_level_events_only=top_level_events_only, time_unit=time_unit)

    def __str__(self):
        return self.table()

    def export_chrome_trace(self, path):
        _write_chrome_trace(self, path)

    def export_stacks(self, path, metric="self_cpu_time_total"):
        metric = metric.replace("cuda", "device")
        with open(path, "w") as f:
            for e in self:
                if e.stack:
                    value = int(getattr(e, metric))
                    f.write(";".join(reversed([s.replace(";", "") for s in e.stack])) + f" {value}\n")


# ---------------------------------------------------------------------- build

def build_events(session):
    """FunctionEvents, in start order, from a stopped _Session's raw events."""
    base = session.start_ns
    events = []
    for i, raw in enumerate(session.events):
        name = raw[R.NAME]
        ev = FunctionEvent(i, name, raw[R.TID], (raw[R.START] - base) / 1e3, (raw[R.END] - base) / 1e3,
                           input_shapes=raw[R.SHAPES], stack=raw[R.STACK], cpu_memory_usage=raw[R.MEM],
                           is_user_annotation=raw[R.KIND] == R.USER)
        ev._kind = raw[R.KIND]
        events.append(ev)
    for raw, ev in zip(session.events, events):
        p = raw[R.PARENT]
        if p >= 0:
            parent = events[p]
            ev.set_cpu_parent(parent)
            parent.append_cpu_child(ev)
    return EventList(events, profile_memory=session.profile_memory, record_shapes=session.record_shapes,
                     trace_start_us=0.0, trace_end_us=(session.end_ns - base) / 1e3,
                     base_time_ns=session.wall_start_ns)


# ---------------------------------------------------------------------- table

def _build_table(events, sort_by=None, header=None, row_limit=100, max_src_column_width=75,
                 max_name_column_width=55, max_shapes_column_width=80, profile_memory=False,
                 top_level_events_only=False, time_unit=None):
    """The summary table in torch's layout: right-aligned columns, two spaces apart."""
    if len(events) == 0:
        return ""
    has_shapes = any(e.input_shapes is not None and len(e.input_shapes) > 0 for e in events)
    if sort_by is not None:
        attr = sort_by.replace("cuda", "device").replace("xpu", "device").replace("privateuse1", "device")
        events = sorted(events, key=lambda e: getattr(e, attr), reverse=True)
    name_width = max(len(e.key) for e in events) + 4
    if max_name_column_width is not None:
        name_width = min(name_width, max_name_column_width)
    shapes_width = max(len(str(e.input_shapes)) for e in events) + 4
    if max_shapes_column_width is not None:
        shapes_width = min(shapes_width, max_shapes_column_width)
    stacks = [e.stack for e in events if e.stack]
    src_width = None
    if stacks:
        src_width = max(len(s) for st in stacks for s in st) + 4
        if max_src_column_width is not None:
            src_width = min(src_width, max_src_column_width)

    headers = ["Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg"]
    if profile_memory:
        headers += ["CPU Mem", "Self CPU Mem"]
    headers.append("# of Calls")
    widths = [(name_width, ">")] + [(12, ">")] * (len(headers) - 1)
    if has_shapes:
        headers.append("Input Shapes")
        widths.append((shapes_width, ">"))
    if stacks:
        headers.append("Source Location")
        widths.append((src_width, "<"))
    row_format = "".join("{: " + align + str(w) + "}  " for w, align in widths)
    separator = "".join("-" * w + "  " for w, _ in widths)
    line_length = sum(w + 2 for w, _ in widths) - 2

    def fmt_time(us, default):
        if time_unit == "s":
            return f"{us / 1e6:.3f}s"
        if time_unit == "ms":
            return f"{us / 1e3:.3f}ms"
        if time_unit == "us":
            return f"{us:.3f}us"
        return default

    def trim(path):
        if len(path) > src_width:
            path = path[len(path) - src_width:]
            if len(path) > 3:
                path = "..." + path[3:]
        return path

    total_self = sum(e.self_cpu_time_total for e in events)
    lines = []
    if header is not None:
        lines += ["=" * line_length, header]
    if top_level_events_only:
        lines += ["=" * line_length, "This report only display top-level ops statistics"]
    lines += [separator, row_format.format(*headers), separator]
    shown = 0
    for e in events:
        if shown == row_limit:
            break
        if top_level_events_only and e.cpu_parent is not None:
            continue
        shown += 1
        name = e.key
        if max_name_column_width is not None and len(name) >= max_name_column_width - 3:
            name = name[:max_name_column_width - 3] + "..."
        row = [name, _format_share(e.self_cpu_time_total, total_self), fmt_time(e.self_cpu_time_total,
                                                                               e.self_cpu_time_total_str),
               _format_share(e.cpu_time_total, total_self), fmt_time(e.cpu_time_total, e.cpu_time_total_str),
               fmt_time(e.cpu_time, e.cpu_time_str)]
        if profile_memory:
            row += [_format_memory(e.cpu_memory_usage), _format_memory(e.self_cpu_memory_usage)]
        row.append(e.count)
        if has_shapes:
            row.append(str(e.input_shapes)[:shapes_width])
        if stacks:
            row.append(trim(e.stack[0]) if e.stack else "")
        lines.append(row_format.format(*row))
        if stacks:
            blank = [""] * (len(headers) - 1)
            for entry in (e.stack or [])[1:]:
                lines.append(row_format.format(*(blank + [trim(entry)])))
            lines.append(row_format.format(*(blank + [""])))
    lines.append(separator)
    lines.append(f"Self CPU time total: {fmt_time(total_self, _format_time(total_self))}")
    return "".join(line + "\n" for line in lines)


# ---------------------------------------------------------------------- Chrome trace

def _write_chrome_trace(events, path):
    """Chrome's trace-event JSON (chrome://tracing, Perfetto, TensorBoard's profiler plugin):
    one complete ("X") event per recorded call, timestamps in microseconds."""
    pid = os.getpid()
    base_us = events._base_time_ns / 1e3
    trace = []
    threads = sorted({e.thread for e in events}) or [threading.get_native_id()]
    name = os.path.basename(getattr(__import__("sys"), "executable", "python")) or "python"
    trace.append({"ph": "M", "name": "process_name", "ts": base_us, "pid": pid, "tid": 0, "args": {"name": name}})
    trace.append({"ph": "M", "name": "process_labels", "ts": base_us, "pid": pid, "tid": 0, "args": {"labels": "CPU"}})
    trace.append({"ph": "M", "name": "process_sort_index", "ts": base_us, "pid": pid, "tid": 0,
                  "args": {"sort_index": pid}})
    for tid in threads:
        trace.append({"ph": "M", "name": "thread_name", "ts": base_us, "pid": pid, "tid": tid,
                      "args": {"name": f"thread {tid} ({name})"}})
        trace.append({"ph": "M", "name": "thread_sort_index", "ts": base_us, "pid": pid, "tid": tid,
                      "args": {"sort_index": tid}})
    for i, e in enumerate(events):
        args = {"External id": e.id + 1, "Record function id": 0, "Ev Idx": i}
        if getattr(e, "_kind", R.OP) == R.OP and events._record_shapes:
            args["Input Dims"] = e.input_shapes
        trace.append({"ph": "X", "cat": "user_annotation" if e.is_user_annotation else "cpu_op", "name": e.name,
                      "pid": pid, "tid": e.thread, "ts": round(base_us + e.time_range.start, 3),
                      "dur": round(e.time_range.elapsed_us(), 3), "args": args})
    start, end = base_us + events._trace_start_us, base_us + events._trace_end_us
    trace.append({"ph": "X", "cat": "Trace", "name": "PyTorch Profiler (0)", "pid": "Spans", "tid": "PyTorch Profiler",
                  "ts": round(start, 3), "dur": round(end - start, 3), "args": {"Op count": 0}})
    trace.append({"ph": "i", "s": "g", "name": "Iteration Start: PyTorch Profiler", "pid": "Traces",
                  "tid": "Trace PyTorch Profiler", "ts": round(start, 3)})
    trace.append({"ph": "i", "s": "g", "name": "Record Window End", "pid": "", "tid": "", "ts": round(end, 3)})
    doc = {"schemaVersion": 1, "deviceProperties": [], "record_shapes": int(bool(events._record_shapes)),
           "displayTimeUnit": "ms", "baseTimeNanoseconds": int(events._base_time_ns), "traceEvents": trace,
           "traceName": str(path)}
    text = json.dumps(doc)
    path = os.fspath(path)
    if path.endswith(".gz"):
        import gzip
        with gzip.open(path, "wt") as f:
            f.write(text)
    else:
        with open(path, "w") as f:
            f.write(text)
