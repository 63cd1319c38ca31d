//! The native backward engine: `backward()` in the common case, walked in Rust with the
//! gradients kept as core tensors (no Python object per gradient, no Python frame per node).
//!
//! It takes a graph only when nothing in it needs the Python engine's extra steps: no
//! create_graph, no `inputs=`, no anomaly mode (engine.py checks those before calling), and no
//! node with hooks or retain_grad (checked here while discovering the graph, before anything
//! runs; `_backward` then returns False and engine.py runs the graph itself). Native nodes run
//! their rule in Rust; other nodes (view ops, custom Functions, CopySlices...) run their Python
//! `_apply` on wrapped gradients; leaves without hooks get theirs added to `.grad` here
//! ([`accumulate_grad`], torch's AccumulateGrad), the others through engine.py's `_accumulate`
//! (which runs the hooks).
//!
//! The walk is engine.py's step for step: same discovery order, dependency counts, LIFO ready
//! stack (a node's leaves that became ready on top) and order of gradient sums, so both engines
//! give the same values.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyList;
use rstorch::ops::binary::{binary, BinaryOp};
use rstorch::ops::Arg;
use rstorch::Tensor;

use super::node::{accumulate_grad_class, run, NativeNode};
use super::rules::MAX_ARGS;
use crate::error::IntoPy;
use crate::dispatch::maybe_detach;
use crate::tensor::{_set_grad_enabled, registry, tensor_of, wrap, PyTensor};

enum Kind<'py> {
    Native(Bound<'py, NativeNode>),
    Accumulate,
    Python,
}

struct Node<'py> {
    obj: Bound<'py, PyAny>,
    kind: Kind<'py>,
    /// Its edges, `Graph::edges[first..first + count]`, once discovered.
    first: usize,
    count: usize,
    /// Edges into it not yet delivered.
    deps: usize,
    /// Its incoming gradients, one per output: `Graph::grads[slot..slot + nout]`.
    slot: usize,
    nout: usize,
    /// Whether a gradient arrived (engine.py: the node has a buffer).
    has_grad: bool,
}

/// Node identity (the object's address) hashed by one multiply: no SipHash per lookup.
#[derive(Default)]
struct PtrHasher(u64);

impl Hasher for PtrHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64 >> 4).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

#[derive(Default)]
struct Graph<'py> {
    nodes: Vec<Node<'py>>,
    index: HashMap<usize, usize, BuildHasherDefault<PtrHasher>>,
    /// (node index, output nr) per edge, None where a node sends no gradient.
    edges: Vec<Option<(usize, u32)>>,
    /// The summed incoming gradients of every node's outputs.
    grads: Vec<Option<Tensor>>,
}

/// Whether an attribute holding hooks (a dict, or None) has any.
fn has_hooks<'py>(node: &Bound<'py, PyAny>, attr: &Bound<'py, pyo3::types::PyString>) -> PyResult<bool> {
    let h = node.getattr(attr)?;
    Ok(!h.is_none() && h.is_truthy()?)
}

impl<'py> Graph<'py> {
    /// The index of node `obj` and whether it is new; None when the node needs the Python
    /// engine (hooks, retain_grad).
    fn node(&mut self, obj: &Bound<'py, PyAny>) -> PyResult<Option<(usize, bool)>> {
        let key = obj.as_ptr() as usize;
        if let Some(&i) = self.index.get(&key) {
            return Ok(Some((i, false)));
        }
        let py = obj.py();
        let (kind, nout) = if let Ok(n) = obj.cast::<NativeNode>() {
            if !n.borrow().plain {
                return Ok(None);
            }
            (Kind::Native(n.clone()), 1)
        } else if obj.get_type().is(accumulate_grad_class(py)?) {
            if has_hooks(obj, intern!(py, "_pre_hooks"))? || has_hooks(obj, intern!(py, "_hooks"))? {
                return Ok(None);
            }
            (Kind::Accumulate, 1)
        } else {
            if !obj.getattr("_plain")?.is_truthy()? {
                return Ok(None);
            }
            (Kind::Python, obj.getattr("_nout")?.extract()?)
        };
        let i = self.nodes.len();
        self.index.insert(key, i);
        let slot = self.grads.len();
        self.grads.resize(slot + nout, None);
        self.nodes.push(Node { obj: obj.clone(), kind, first: 0, count: 0, deps: 0, slot, nout, has_grad: false });
        Ok(Some((i, true)))
    }

    /// Add the edge from a node being discovered to `child` (None: no gradient goes there);
    /// false when `child` needs the Python engine.
    fn edge(&mut self, child: Option<(Bound<'py, PyAny>, u32)>, stack: &mut Vec<usize>) -> PyResult<bool> {
        let Some((c, nr)) = child else {
            self.edges.push(None);
            return Ok(true);
        };
        let Some((j, new)) = self.node(&c)? else { return Ok(false) };
        self.nodes[j].deps += 1;
        if new {
            stack.push(j);
        }
        self.edges.push(Some((j, nr)));
        Ok(true)
    }

    /// The graph reachable from `roots`, with the edges into each node counted (engine.py's
    /// discovery, in the same order); None when some node needs the Python engine.
    fn discover(roots: &[(Bound<'py, PyAny>, u32)]) -> PyResult<Option<Graph<'py>>> {
        let mut g = Graph::default();
        let mut stack = Vec::new();
        for (obj, _) in roots {
            match g.node(obj)? {
                None => return Ok(None),
                Some((i, true)) => stack.push(i),
                Some(_) => {}
            }
        }
        while let Some(i) = stack.pop() {
            let first = g.edges.len();
            let obj = g.nodes[i].obj.clone();
            match &g.nodes[i].kind {
                Kind::Native(n) => {
                    let n = n.clone();
                    let b = n.borrow();
                    for e in b.edges() {
                        if !g.edge(e.as_ref().map(|e| (e.node.bind(obj.py()).clone(), e.nr)), &mut stack)? {
                            return Ok(None);
                        }
                    }
                }
                Kind::Accumulate => {}
                Kind::Python => {
                    for e in obj.getattr("_next")?.try_iter()? {
                        let e = e?;
                        let child = if e.is_none() { None } else { Some(e.extract::<(Bound<PyAny>, u32)>()?) };
                        if !g.edge(child, &mut stack)? {
                            return Ok(None);
                        }
                    }
                }
            }
            g.nodes[i].first = first;
            g.nodes[i].count = g.edges.len() - first;
        }
        Ok(Some(g))
    }

    /// Add gradient `grad` for output `nr` of node `i` (`old + grad`); true when it is the
    /// node's first.
    fn deliver(&mut self, py: Python<'_>, i: usize, nr: u32, grad: Tensor) -> PyResult<bool> {
        let node = &mut self.nodes[i];
        if nr as usize >= node.nout {
            return Err(pyo3::exceptions::PyIndexError::new_err("output_nr out of range"));
        }
        let first = !node.has_grad;
        node.has_grad = true;
        let slot = &mut self.grads[node.slot + nr as usize];
        *slot = Some(match slot.take() {
            None => grad,
            Some(old) => maybe_detach(py, grad.numel(), || binary(BinaryOp::Add, Arg::Tensor(&old), Arg::Tensor(&grad))).py_err()?,
        });
        Ok(first)
    }

    /// Run node `i` on its summed incoming gradients (engine.py's buffer), or free what it
    /// saved when none arrived; what it sends along its edges.
    fn run(&mut self, i: usize, retain_graph: bool, accumulate: &Bound<'_, PyAny>) -> PyResult<Option<Outs>> {
        let node = &mut self.nodes[i];
        if !std::mem::take(&mut node.has_grad) {
            if !retain_graph {
                release(node)?;
            }
            return Ok(None);
        }
        run_node(node, &mut self.grads[node.slot..node.slot + node.nout], retain_graph, accumulate).map(Some)
    }
}

/// What a node sends along its edges: a native node's fixed gradients, or a Python node's list.
enum Outs {
    Native([Option<Tensor>; MAX_ARGS]),
    Python(Vec<Option<Tensor>>),
}

impl Outs {
    fn take(&mut self, k: usize) -> Option<Tensor> {
        match self {
            Outs::Native(g) => g.get_mut(k).and_then(Option::take),
            Outs::Python(g) => g.get_mut(k).and_then(Option::take),
        }
    }
}

/// Restores grad mode when the walk ends (also by an error).
struct GradMode(bool);

impl Drop for GradMode {
    fn drop(&mut self) {
        _set_grad_enabled(self.0);
    }
}

/// Run backward from `roots` (`(node, output_nr)` edges) with gradients `grads`, accumulating
/// into the leaves' `.grad`; False (having run nothing) when the graph needs the Python engine.
#[pyfunction]
pub fn _backward(py: Python<'_>, roots: &Bound<'_, PyList>, grads: &Bound<'_, PyList>, retain_graph: bool) -> PyResult<bool> {
    if !super::native_engine_enabled() {
        return Ok(false);
    }
    let roots = roots.iter().map(|e| e.extract::<(Bound<PyAny>, u32)>()).collect::<PyResult<Vec<_>>>()?;
    let Some(mut g) = Graph::discover(&roots)? else { return Ok(false) };
    let accumulate = &registry(py)?.accumulate;

    // the roots' gradients, and the roots ready to run, in engine.py's order
    let mut ready = Vec::new();
    for ((obj, nr), grad) in roots.iter().zip(grads.iter()) {
        if grad.is_none() {
            continue;
        }
        let i = g.index[&(obj.as_ptr() as usize)];
        if g.deliver(py, i, *nr, tensor_of(&grad)?)? && g.nodes[i].deps == 0 {
            ready.push(i);
        }
    }

    let _mode = GradMode(_set_grad_enabled(false));
    let mut leaves = Vec::new();
    while let Some(i) = ready.pop() {
        let mut outs = g.run(i, retain_graph, accumulate.bind(py))?;
        let (first, count) = (g.nodes[i].first, g.nodes[i].count);
        for k in 0..count {
            let Some((c, nr)) = g.edges[first + k] else { continue };
            if let Some(grad) = outs.as_mut().and_then(|o| o.take(k)) {
                g.deliver(py, c, nr, grad)?;
            }
            let child = &mut g.nodes[c];
            child.deps -= 1;
            if child.deps == 0 {
                if matches!(child.kind, Kind::Accumulate) { leaves.push(c) } else { ready.push(c) }
            }
        }
        // leaves ready run next, as torch's AccumulateGrad (top priority in its ready queue):
        // .grad and post-accumulate hooks arrive as soon as each gradient is complete (DDP's
        // buckets go out during backward, not after it)
        ready.extend(leaves.drain(..).rev());
    }
    Ok(true)
}

/// Run one node on its summed incoming gradients `gl` (taken out); the gradients along its
/// edges.
fn run_node(node: &Node<'_>, gl: &mut [Option<Tensor>], retain_graph: bool, accumulate: &Bound<'_, PyAny>) -> PyResult<Outs> {
    let py = node.obj.py();
    match &node.kind {
        Kind::Native(n) => {
            let grad = gl[0].take().expect("a native node runs with its gradient");
            let outs = run(n, &grad)?;
            if !retain_graph {
                n.borrow_mut()._release();
            }
            Ok(Outs::Native(outs))
        }
        Kind::Accumulate => {
            let grad = gl[0].take().expect("a leaf gets its gradient");
            if let Some(grad) = accumulate_leaf(&node.obj, grad)? {
                let none = py.None();
                accumulate.call1((&node.obj, wrap(py, grad)?, false, &none, &none, true))?;
            }
            Ok(Outs::Python(Vec::new()))
        }
        Kind::Python => {
            let items = gl.iter_mut().map(|g| g.take().map_or_else(|| Ok(py.None().into_bound(py)), |g| wrap(py, g))).collect::<PyResult<Vec<_>>>()?;
            let outs = node.obj.call_method1("_apply", (PyList::new(py, items)?, false))?;
            let mut res = Vec::new();
            for o in outs.try_iter()? {
                let o = o?;
                res.push(if o.is_none() { None } else { Some(tensor_of(&o)?) });
            }
            if !retain_graph {
                node.obj.call_method0("_release")?;
            }
            Ok(Outs::Python(res))
        }
    }
}

/// Add `grad` into the `.grad` of the leaf of AccumulateGrad node `acc` natively when the leaf
/// has no hooks; otherwise (or when `.grad` is not a plain tensor of the leaf's shape) give the
/// gradient back, for engine.py's `_accumulate`.
fn accumulate_leaf(acc: &Bound<'_, PyAny>, grad: Tensor) -> PyResult<Option<Tensor>> {
    let py = acc.py();
    let var = acc.getattr(intern!(py, "variable"))?;
    let Ok(var) = var.cast::<PyTensor>() else { return Ok(Some(grad)) };
    if has_hooks(var.as_any(), intern!(py, "_backward_hooks"))? || has_hooks(var.as_any(), intern!(py, "_post_accumulate_grad_hooks"))? {
        return Ok(Some(grad));
    }
    accumulate_grad(var, grad)
}

/// torch's AccumulateGrad without create_graph: nothing when the leaf no longer requires grad;
/// the first gradient becomes `.grad` (the buffer itself when nothing else holds it and it is
/// laid out as the leaf is, else a copy laid out so), later ones are added into `.grad` in
/// place. Gives the gradient back when `.grad` is not a tensor of the leaf's shape.
pub fn accumulate_grad(var: &Bound<'_, PyTensor>, grad: Tensor) -> PyResult<Option<Tensor>> {
    let py = var.py();
    let me = var.borrow();
    if !(me.requires_grad || me.grad_fn.is_some()) {
        return Ok(None);
    }
    let leaf = me.t.clone();
    let old = me.grad.as_ref().map(|g| g.clone_ref(py));
    drop(me);
    match old {
        None => {
            let g = if can_steal(&grad, &leaf) {
                grad
            } else {
                maybe_detach(py, grad.numel(), || clone_obey_contract(&grad, &leaf)).py_err()?
            };
            let g = wrap(py, g)?.unbind();
            var.borrow_mut().grad = Some(g);
        }
        Some(old) => {
            let Ok(old) = old.bind(py).cast::<PyTensor>().map(|o| o.borrow().t.clone()) else { return Ok(Some(grad)) };
            if old.shape() != grad.shape() {
                return Ok(Some(grad));
            }
            maybe_detach(py, grad.numel(), || old.copy_(&binary(BinaryOp::Add, Arg::Tensor(&old), Arg::Tensor(&grad))?)).py_err()?;
        }
    }
    Ok(None)
}

/// Add `grad` into `variable.grad` as the native engine does for a leaf without hooks
/// (engine.py's `_accumulate` without create_graph); False when it must do it itself.
#[pyfunction]
pub fn _accumulate_grad(variable: &Bound<'_, PyTensor>, grad: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(accumulate_grad(variable, tensor_of(grad)?)?.is_none())
}

/// Whether gradient `g` can become the leaf's `.grad` as it is: no other tensor holds its
/// buffer, which it fills exactly, and it obeys torch's gradient layout contract.
fn can_steal(g: &Tensor, leaf: &Tensor) -> bool {
    Arc::strong_count(g.storage()) == 1
        && g.offset() == 0
        && g.storage().nbytes() == g.numel() * g.dtype().itemsize()
        && g.dtype() == leaf.dtype()
        && obeys_layout_contract(g, leaf)
}

/// torch's gradient layout contract: a leaf whose elements are densely packed gets a gradient
/// with its strides, any other a contiguous one.
fn obeys_layout_contract(g: &Tensor, leaf: &Tensor) -> bool {
    if non_overlapping_and_dense(leaf) {
        g.shape().iter().zip(g.strides()).zip(leaf.strides()).all(|((&n, &gs), &ls)| if n != 1 { gs == ls } else { gs != 0 })
    } else {
        g.is_contiguous()
    }
}

fn non_overlapping_and_dense(t: &Tensor) -> bool {
    let mut dims: Vec<(usize, usize)> = t.shape().iter().copied().zip(t.strides().iter().copied()).filter(|&(n, _)| n != 1).collect();
    dims.sort_by_key(|&(_, s)| s);
    let mut expected = 1;
    for (n, s) in dims {
        if s != expected {
            return false;
        }
        expected *= n;
    }
    true
}

/// A copy of `g` obeying the layout contract for `leaf` (torch's clone_obey_contract): laid out
/// as a densely packed leaf and at version 1 (torch copies into a new tensor), else a
/// contiguous clone at version 0.
fn clone_obey_contract(g: &Tensor, leaf: &Tensor) -> rstorch::Result<Tensor> {
    if !non_overlapping_and_dense(leaf) {
        return g.copy_as(leaf.dtype());
    }
    let out = if leaf.is_contiguous() {
        g.copy_as(leaf.dtype())?
    } else {
        let out = Tensor::empty(&[leaf.numel()], leaf.dtype())?.as_strided(leaf.shape(), leaf.strides(), Some(0))?;
        out.copy_(g)?;
        out
    };
    out.storage().bump_version();
    Ok(out)
}

/// Free what a node that received no gradient saved.
fn release(node: &Node<'_>) -> PyResult<()> {
    match &node.kind {
        Kind::Native(n) => n.borrow_mut()._release(),
        Kind::Accumulate => {}
        Kind::Python => {
            node.obj.call_method0("_release")?;
        }
    }
    Ok(())
}
