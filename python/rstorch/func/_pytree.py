"""Nested Python containers (tuple, list, dict, namedtuple) as trees whose leaves are everything
else, the way torch.utils._pytree sees them: flatten to (leaves, spec), rebuild from a spec."""

__all__ = ["tree_flatten", "tree_unflatten", "tree_map", "broadcast_prefix", "TreeSpec", "LEAF"]


class TreeSpec:
    __slots__ = ("type", "context", "children")

    def __init__(self, type_, context, children):
        self.type, self.context, self.children = type_, context, children

    @property
    def num_leaves(self):
        return 1 if self.type is None else sum(c.num_leaves for c in self.children)

    def is_leaf(self):
        return self.type is None

    def __eq__(self, other):
        return (isinstance(other, TreeSpec) and self.type is other.type and self.context == other.context
                and self.children == other.children)

    def pprint(self):
        """torch's treespec_pprint: `*` for a leaf, containers spelled as Python writes them."""
        if self.type is None:
            return "*"
        kids = [c.pprint() for c in self.children]
        if issubclass(self.type, dict):
            return "{" + ", ".join(f"{k!r}: {v}" for k, v in zip(self.context, kids)) + "}"
        if issubclass(self.type, list):
            return "[" + ", ".join(kids) + "]"
        if issubclass(self.type, tuple) and hasattr(self.type, "_fields"):
            return f"{self.type.__name__}(" + ", ".join(kids) + ")"
        return "(" + ", ".join(kids) + ("," if len(kids) == 1 else "") + ")"

    def __repr__(self, indent=0):
        # torch's TreeSpec repr (it appears in vmap's error messages): children after the first
        # on their own lines, indented two more per level
        if self.type is None:
            return "*"
        indent += 2
        kids = [c.__repr__(indent) for c in self.children]
        body = (",\n" + " " * indent).join(kids)
        return f"TreeSpec({self.type.__name__}, {self.context}, [{body}])"


LEAF = TreeSpec(None, None, ())


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def _children(x):
    """(type, context, children) of a container, or None for a leaf."""
    if _is_namedtuple(x):
        return type(x), None, list(x)
    if isinstance(x, (tuple, list)):
        return type(x), None, list(x)
    if isinstance(x, dict):
        keys = list(x)
        return type(x), keys, [x[k] for k in keys]
    return None


def tree_flatten(tree):
    leaves = []

    def go(x):
        node = _children(x)
        if node is None:
            leaves.append(x)
            return LEAF
        t, ctx, kids = node
        return TreeSpec(t, ctx, [go(k) for k in kids])
    spec = go(tree)
    return leaves, spec


def _build(t, ctx, kids):
    if issubclass(t, dict):
        out = t() if t is not dict else {}
        for k, v in zip(ctx, kids):
            out[k] = v
        return out
    if issubclass(t, tuple) and hasattr(t, "_fields"):
        return t(*kids)
    return t(kids)


def tree_unflatten(leaves, spec):
    it = iter(leaves)

    def go(s):
        if s.type is None:
            return next(it)
        return _build(s.type, s.context, [go(c) for c in s.children])
    return go(spec)


def tree_map(fn, tree):
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(x) for x in leaves], spec)


def broadcast_prefix(prefix, tree, is_leaf=lambda x: False):
    """The leaves of `prefix` repeated over the leaves of `tree` below them (prefix is a tree whose
    structure is a prefix of tree's); None when the structures do not fit."""
    out = []

    def go(p, t):
        pn = None if is_leaf(p) else _children(p)
        if pn is None:
            out.extend([p] * len(tree_flatten(t)[0]))
            return True
        tn = _children(t)
        if tn is None:
            return False
        (pt, pctx, pkids), (tt, tctx, tkids) = pn, tn
        if len(pkids) != len(tkids):
            return False
        if isinstance(p, dict) != isinstance(t, dict):
            return False
        if isinstance(p, dict):
            if set(pctx) != set(tctx):
                return False
            return all(go(p[k], t[k]) for k in tctx)
        if isinstance(p, tuple) != isinstance(t, tuple):
            return False
        return all(go(a, b) for a, b in zip(pkids, tkids))
    return out if go(prefix, tree) else None
