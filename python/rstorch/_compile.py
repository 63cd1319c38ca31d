"""`rstorch.compile`: accepted so scripts that wrap their model in `torch.compile` run. rstorch
has no graph compiler (its per-op cost is already low), so the model or function comes back
as it is and runs eagerly; the decorator forms (`@torch.compile`, `@torch.compile(mode=...)`)
work too."""


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None, options=None,
            disable=False):
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be specified at the same time.")
    if model is None:
        return lambda fn: compile(fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode,
                                  options=options, disable=disable)
    if not callable(model):
        raise RuntimeError("torch.compile() expects a callable (a Module or a function)")
    return model
