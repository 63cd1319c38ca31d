"""WGSL kernel families (python/rstorch/shaders/<family>.wgsl) compiled once into compute
pipelines over explicit, shared bind-group layouts, and the bind groups cached by buffer identity.

Every kernel follows one binding scheme, so any two kernels with the same number of storage
buffers share a pipeline layout and bind groups:

- `@group(0) @binding(i)`: the kernel's storage buffers, all `read_write` (a buffer may then
  appear at several bindings of one dispatch: an in-place op binds its output and its input to
  the same buffer, which WebGPU forbids when one of the two bindings is read-only);
- `@group(1) @binding(0)`: `var<uniform>` per-op parameters, a slot of the runtime's uniform ring
  bound with a dynamic offset (one bind group for all dispatches).

A shader that fails to compile, or an entry point the layout does not fit, raises ShaderError
(a RuntimeError) carrying wgpu's diagnostic."""

import importlib.resources
import re
from collections import OrderedDict

import wgpu

STORAGE_RE = re.compile(r"@group\(0\)\s*@binding\((\d+)\)\s*var<storage")
PARAMS_BYTES = 256  # one uniform-ring slot: the largest parameter struct of any kernel fits
BIND_GROUP_CACHE = 4096


class ShaderError(RuntimeError):
    """A WGSL kernel failed to compile or to build its pipeline; the message holds wgpu's diagnostic."""


OP_LINE_RE = re.compile(r"^//! (\w+) (\w+) = (.+)$", re.M)
TEMPLATE_RE = re.compile(r"@compute[^\n]*\nfn (\w+)_OP\(.*?\n\}\n", re.S)
EXPR_RE = re.compile(r"= [^;\n]*; // EXPR")
TAGGED_RE = re.compile(r"^.*; // (\w+)\n", re.M)
KINDS = ("unary", "binary")  # op kinds; a template line tagged `// binary` is for binary ops only


def expand(source):
    """A family's ops from its `//! <kind> <name> = <expression>` lines: each becomes entry point
    `<name>_f32`, a copy of the family's one `<family>_OP` function with its `// EXPR` line's
    right-hand side replaced by the expression, and its lines tagged `// <other kind>` dropped
    (WGSL has no generics; this is the one templating rule, and the dtype specialisations will
    use it too). A source without op lines is returned as is."""
    ops = OP_LINE_RE.findall(source)
    if not ops:
        return source
    for kind, name, _ in ops:
        if kind not in KINDS:
            raise ShaderError(f"op {name!r} has unknown kind {kind!r} (kinds: {', '.join(KINDS)})")
    templates = TEMPLATE_RE.findall(source)
    if len(templates) != 1:
        raise ShaderError(f"a family with op lines needs exactly one <family>_OP template, found {templates}")
    template = TEMPLATE_RE.search(source)
    prefix, body = template.group(1), template.group(0)
    parts = [TEMPLATE_RE.sub("", source)]
    for kind, name, expr in ops:
        entry = body.replace(f"fn {prefix}_OP(", f"fn {name}_f32(", 1)
        entry = TAGGED_RE.sub(lambda m: m.group(0) if m.group(1) in (kind, "EXPR") else "", entry)
        parts.append(EXPR_RE.sub(lambda _m: f"= {expr};", entry, count=1))
    return "\n".join(parts)


def shader_source(family):
    """The WGSL of `family`.wgsl as compiled (its op lines expanded)."""
    return expand((importlib.resources.files("rstorch") / "shaders" / f"{family}.wgsl").read_text())


class Kernels:
    def __init__(self, device):
        self.device = device
        self.max_binding = device.limits["max-storage-buffer-binding-size"]
        stage = wgpu.ShaderStage.COMPUTE
        self.params_layout = device.create_bind_group_layout(label="rstorch params", entries=[
            {"binding": 0, "visibility": stage,
             "buffer": {"type": wgpu.BufferBindingType.uniform, "has_dynamic_offset": True,
                        "min_binding_size": PARAMS_BYTES}}])
        self._storage_layouts = {}   # storage binding count -> (bind group layout, pipeline layout)
        self._modules = {}           # family -> (shader module, storage binding count)
        self._pipelines = {}         # (family, entry) -> pipeline
        self._bind_groups = OrderedDict()  # (count, block uids...) -> bind group, least recent first
        self._by_block = {}          # block uid -> keys of the bind groups that use it
        self.evicted = []            # bind groups dropped while a batch may still use them
        self.bind_groups_created = 0

    def storage_layout(self, count):
        got = self._storage_layouts.get(count)
        if got is None:
            stage = wgpu.ShaderStage.COMPUTE
            bgl = self.device.create_bind_group_layout(label=f"rstorch storage x{count}", entries=[
                {"binding": i, "visibility": stage, "buffer": {"type": wgpu.BufferBindingType.storage}}
                for i in range(count)])
            layout = self.device.create_pipeline_layout(label=f"rstorch x{count}",
                                                        bind_group_layouts=[bgl, self.params_layout])
            got = self._storage_layouts[count] = (bgl, layout)
        return got

    def module(self, family, source=None):
        got = self._modules.get(family)
        if got is None:
            code = shader_source(family) if source is None else source
            bindings = {int(b) for b in STORAGE_RE.findall(code)}
            if bindings != set(range(len(bindings))):
                raise ShaderError(f"{family}.wgsl: storage bindings of group 0 must be 0..n-1, got {sorted(bindings)}")
            try:
                mod = self.device.create_shader_module(label=family, code=code)
            except wgpu.GPUError as e:
                raise ShaderError(f"{family}.wgsl failed to compile: {e}") from None
            got = self._modules[family] = (mod, len(bindings))
        return got

    def pipeline(self, family, entry, constants=None):
        """The compute pipeline of `entry` in `family`.wgsl (compiled on first use, then cached),
        specialised by `constants` (a dict of the shader's `override` constants: the op of a
        family whose entry points serve several ops)."""
        key = (family, entry) if constants is None else (family, entry, tuple(sorted(constants.items())))
        pipe = self._pipelines.get(key)
        if pipe is None:
            mod, count = self.module(family)
            stage = {"module": mod, "entry_point": entry}
            if constants:
                stage["constants"] = dict(constants)
            try:
                pipe = self.device.create_compute_pipeline(
                    label=f"{family}.{entry}", layout=self.storage_layout(count)[1], compute=stage)
            except wgpu.GPUError as e:
                raise ShaderError(f"{family}.wgsl entry point {entry!r}: {e}") from None
            self._pipelines[key] = pipe
        return pipe

    def bind_group(self, blocks):
        """The group-0 bind group binding these blocks' whole buffers at 0..n-1 (cached by block
        identity; the least recently used are dropped past BIND_GROUP_CACHE)."""
        key = tuple([b.uid for b in blocks])
        bg = self._bind_groups.get(key)
        if bg is not None:
            self._bind_groups.move_to_end(key)
            return bg
        for b in blocks:
            if b.size > self.max_binding:
                raise NotImplementedError(f"a {b.size}-byte buffer is larger than one storage binding of this device "
                                          f"({self.max_binding} bytes); windowed bindings are not there yet")
        bgl = self.storage_layout(len(blocks))[0]
        bg = self.device.create_bind_group(layout=bgl, entries=[
            {"binding": i, "resource": {"buffer": b.buffer, "offset": 0, "size": b.size}}
            for i, b in enumerate(blocks)])
        self.bind_groups_created += 1
        self._bind_groups[key] = bg
        for uid in set(key):
            self._by_block.setdefault(uid, []).append(key)
        if len(self._bind_groups) > BIND_GROUP_CACHE:
            old_key, old = self._bind_groups.popitem(last=False)
            self.evicted.append(old)
            for uid in set(old_key):
                keys = self._by_block.get(uid)
                if keys is not None:
                    try:
                        keys.remove(old_key)
                    except ValueError:
                        pass
        return bg

    def forget_block(self, block):
        """Drop the bind groups that bind `block` (its buffer is being destroyed)."""
        for key in self._by_block.pop(block.uid, ()):
            bg = self._bind_groups.pop(key, None)
            if bg is not None:
                self.evicted.append(bg)
