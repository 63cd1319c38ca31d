"""The package's layering: its modules import each other in one direction.

Every module of python/rstorch is parsed with `ast` and its module-level imports of rstorch
modules (those run at import time: not inside functions) become the edges of a graph, which
must have no cycle. Rules of the graph, as Python runs imports:
- `from .x import name` is an edge to `x`, or to `x.name` when that is a submodule;
- importing `a.b.c` from outside the package `a.b` also runs `a/b/__init__.py`: an edge to it;
- a plain `import rstorch` binds the (possibly half-imported) root module for use at call time
  (the autograd rules do this) and is no edge, while `from rstorch import name` / `from .. import
  name` of a non-module name is one: it needs the root's namespace filled already.
"""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "python" / "rstorch"


def _modules(root):
    """{dotted name: path} of the package's Python modules (`pkg/__init__.py` is `pkg`), and the
    names of its extension modules (`_C`: built, or only its stub) with path None."""
    mods = {}
    for path in sorted(root.rglob("*")):
        if path.suffix in (".so", ".pyd", ".pyi"):
            parts = path.relative_to(root.parent).parts
            mods.setdefault(".".join(parts[:-1] + (path.name.split(".")[0],)), None)
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join(parts)] = path
    return mods


def _toplevel(body):
    """The statements of a module body that run at import time (not inside functions)."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        yield node
        for field in ("body", "orelse", "finalbody", "handlers"):
            inner = getattr(node, field, None)
            if isinstance(inner, list):
                yield from _toplevel(inner)


def import_graph(root=PACKAGE):
    """{module: {imported module: line}} over the modules of the package at `root`."""
    mods = _modules(root)
    top = root.name
    graph = {}
    for name, path in mods.items():
        if path is None:
            continue  # an extension module imports nothing of the package
        is_pkg = path.name == "__init__.py"
        package = name if is_pkg else name.rpartition(".")[0]
        edges = graph.setdefault(name, {})

        def add(target, line):
            # a module plus the packages above it that the importer is not inside
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                t = ".".join(parts[:i])
                if t == name or t not in mods:
                    continue
                if i < len(parts) and (name == t or name.startswith(t + ".")):
                    continue  # a package the importer is inside of: already being imported
                edges.setdefault(t, line)

        for node in _toplevel(ast.parse(path.read_text(), str(path)).body):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == top:
                        continue  # the root bound for call-time use: no ordering needed
                    if alias.name.startswith(top + "."):
                        add(alias.name, node.lineno)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[:len(base) - (node.level - 1)]
                    src = ".".join(base + ([node.module] if node.module else []))
                else:
                    src = node.module or ""
                if src != top and not src.startswith(top + "."):
                    continue
                for alias in node.names:
                    sub = f"{src}.{alias.name}"
                    if sub in mods:
                        add(sub, node.lineno)
                    elif src == top and src != name:
                        edges.setdefault(top, node.lineno)  # needs the root's names filled in
                    else:
                        add(src, node.lineno)
    return graph


def find_cycle(graph):
    """One cycle of `graph` as a list of modules (first == last), or None."""
    state, stack = {}, []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


def _describe(graph, cycle):
    return " -> ".join(f"{a} (line {graph[a][b]})" for a, b in zip(cycle, cycle[1:])) + f" -> {cycle[-1]}"


def test_package_imports_in_one_direction():
    graph = import_graph()
    assert "rstorch._tensor" in graph and "rstorch.autograd.graph" in graph
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + _describe(graph, cycle)


def test_layers():
    # the order the package is built in: factories below Tensor, op families above it
    graph = import_graph()

    def below(a, b):  # b reaches a
        seen, todo = set(), [b]
        while todo:
            n = todo.pop()
            for m in graph.get(n, ()):
                if m not in seen:
                    seen.add(m)
                    todo.append(m)
        return a in seen

    assert below("rstorch._creation", "rstorch._tensor")
    assert below("rstorch._tensor", "rstorch._ops.binary")
    assert below("rstorch._tensor", "rstorch.linalg")
    assert not below("rstorch._tensor", "rstorch._creation")
    assert not graph["rstorch.return_types"]  # the structseqs import nothing of rstorch


def _write(root, files):
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


@pytest.mark.parametrize("files, cycle", [
    ({"__init__.py": "from . import a\n", "a.py": "from .b import x\n", "b.py": "from .a import y\n"},
     ["rstorch.a", "rstorch.b", "rstorch.a"]),
    # importing a module of a subpackage runs the subpackage's __init__
    ({"__init__.py": "", "a.py": "from .sub.m import f\n", "sub/__init__.py": "from . import n\n",
      "sub/m.py": "", "sub/n.py": "import rstorch.a\n"},
     ["rstorch.a", "rstorch.sub", "rstorch.sub.n", "rstorch.a"]),
    # a name taken from the root needs the root filled in
    ({"__init__.py": "from .a import f\n", "a.py": "from . import zeros\n"},
     ["rstorch", "rstorch.a", "rstorch"]),
])
def test_cycle_detection(tmp_path, files, cycle):
    root = tmp_path / "rstorch"
    _write(root, files)
    graph = import_graph(root)
    assert find_cycle(graph) == cycle


def test_no_cycle_for_late_binding(tmp_path):
    # call-time imports and a plain `import rstorch` are no edges; a package importing its own
    # modules is none either
    root = tmp_path / "rstorch"
    _write(root, {"__init__.py": "from . import a\nfrom .sub import m\n",
                  "a.py": "import rstorch\n\ndef f():\n    from . import zeros\n",
                  "sub/__init__.py": "from . import m\n", "sub/m.py": "from . import n\n", "sub/n.py": ""})
    assert find_cycle(import_graph(root)) is None


def test_register_names_its_entries():
    # Rust reaches the package only through _C._register's named entries
    import rstorch
    with pytest.raises(TypeError, match=r"_register\(\) is missing the entries: size, record, inplace"):
        rstorch._C._register(tensor=rstorch.Tensor)
    with pytest.raises(TypeError, match=r"_register\(\) got an unexpected entry 'tensors'"):
        rstorch._C._register(tensors=rstorch.Tensor)
    with pytest.raises(RuntimeError, match="already registered"):
        rstorch._C._register(**rstorch._REGISTRY)
