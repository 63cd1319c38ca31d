//! The native backward engine: `backward()` in the common case, walked in Rust with the
//! gradients kept as core tensors (no Python object per gradient, no Python frame per node).
//!
//! It takes a graph only when nothing in it needs the Python engine's extra steps: no
//! create_graph, no `inputs=`, no anomaly mode (engine.py checks those before calling), and no
//! node with hooks or retain_grad (checked here while discovering the graph, before anything
//! runs; `_backward` then returns False and engine.py runs the graph itself). Native nodes run
//! their rule in Rust; other nodes (view ops, custom Functions, CopySlices...) run their Python
//! `_apply` on wrapped gradients; leaves get theirs through engine.py's `_accumulate` (which
//! runs leaf tensor hooks and the `.grad` accumulation rules).
//!
//! The walk is engine.py's step for step: same discovery order, dependency counts, LIFO ready
//! stack and order of gradient sums, so both engines give the same values.

use std::collections::HashMap;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyList;
use rstorch::ops::binary::{binary, BinaryOp};
use rstorch::ops::Arg;
use rstorch::Tensor;

use super::node::{accumulate_grad_class, run, NativeNode};
use crate::error::IntoPy;
use crate::tensor::elementwise::maybe_detach;
use crate::tensor::{_set_grad_enabled, tensor_of, wrap};

enum Kind<'py> {
    Native(Bound<'py, NativeNode>),
    Accumulate,
    Python,
}

type RawEdge<'py> = Option<(Bound<'py, PyAny>, u32)>;

struct Node<'py> {
    obj: Bound<'py, PyAny>,
    kind: Kind<'py>,
    /// The node's edges as read, until discovery resolves them into `edges`.
    raw: Vec<RawEdge<'py>>,
    /// (node index, output nr) per edge, None where the node sends no gradient.
    edges: Vec<Option<(usize, u32)>>,
    /// Edges into the node not yet delivered.
    deps: usize,
    nout: usize,
    /// The summed incoming gradients per output, once one arrived.
    buf: Option<Vec<Option<Tensor>>>,
}

#[derive(Default)]
struct Graph<'py> {
    nodes: Vec<Node<'py>>,
    index: HashMap<usize, usize>,
}

/// Whether a node attribute holding hooks (a dict, or None) has any.
fn has_hooks(node: &Bound<'_, PyAny>, attr: &str) -> PyResult<bool> {
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
        let (kind, raw, nout) = if let Ok(n) = obj.cast::<NativeNode>() {
            let b = n.borrow();
            if !b.plain {
                return Ok(None);
            }
            let raw = b.edges.iter().map(|e| e.as_ref().map(|e| (e.node.bind(py).clone(), e.nr))).collect();
            drop(b);
            (Kind::Native(n.clone()), raw, 1)
        } else if obj.get_type().is(accumulate_grad_class(py)?) {
            if has_hooks(obj, "_pre_hooks")? || has_hooks(obj, "_hooks")? {
                return Ok(None);
            }
            (Kind::Accumulate, Vec::new(), 1)
        } else {
            if !obj.getattr("_plain")?.is_truthy()? {
                return Ok(None);
            }
            let mut raw = Vec::new();
            for e in obj.getattr("_next")?.try_iter()? {
                let e = e?;
                raw.push(if e.is_none() { None } else { Some(e.extract::<(Bound<PyAny>, u32)>()?) });
            }
            (Kind::Python, raw, obj.getattr("_nout")?.extract()?)
        };
        let i = self.nodes.len();
        self.index.insert(key, i);
        self.nodes.push(Node { obj: obj.clone(), kind, raw, edges: Vec::new(), deps: 0, nout, buf: None });
        Ok(Some((i, true)))
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
            let raw = std::mem::take(&mut g.nodes[i].raw);
            let mut edges = Vec::with_capacity(raw.len());
            for e in raw {
                let Some((c, nr)) = e else {
                    edges.push(None);
                    continue;
                };
                let Some((j, new)) = g.node(&c)? else { return Ok(None) };
                g.nodes[j].deps += 1;
                if new {
                    stack.push(j);
                }
                edges.push(Some((j, nr)));
            }
            g.nodes[i].edges = edges;
        }
        Ok(Some(g))
    }

    /// Add gradient `grad` for output `nr` of node `i` to its buffer (`old + grad`); true when
    /// this made the buffer.
    fn deliver(&mut self, py: Python<'_>, i: usize, nr: u32, grad: Tensor) -> PyResult<bool> {
        let node = &mut self.nodes[i];
        let new = node.buf.is_none();
        let buf = node.buf.get_or_insert_with(|| vec![None; node.nout]);
        let slot = buf.get_mut(nr as usize).ok_or_else(|| pyo3::exceptions::PyIndexError::new_err("output_nr out of range"))?;
        *slot = Some(match slot.take() {
            None => grad,
            Some(old) => maybe_detach(py, grad.numel(), || binary(BinaryOp::Add, Arg::Tensor(&old), Arg::Tensor(&grad))).py_err()?,
        });
        Ok(new)
    }
}

/// Restores grad mode when the walk ends (also by an error).
struct GradMode(bool);

impl Drop for GradMode {
    fn drop(&mut self) {
        _set_grad_enabled(self.0);
    }
}

static ACCUMULATE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Run backward from `roots` (`(node, output_nr)` edges) with gradients `grads`, accumulating
/// into the leaves' `.grad`; False (having run nothing) when the graph needs the Python engine.
#[pyfunction]
pub fn _backward(py: Python<'_>, roots: &Bound<'_, PyList>, grads: &Bound<'_, PyList>, retain_graph: bool) -> PyResult<bool> {
    if !super::native_engine_enabled() {
        return Ok(false);
    }
    let roots = roots.iter().map(|e| e.extract::<(Bound<PyAny>, u32)>()).collect::<PyResult<Vec<_>>>()?;
    let Some(mut g) = Graph::discover(&roots)? else { return Ok(false) };
    let accumulate = ACCUMULATE.get_or_try_init(py, || -> PyResult<_> { Ok(py.import("rstorch.autograd.engine")?.getattr("_accumulate")?.unbind()) })?;

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
    while let Some(i) = ready.pop() {
        let outs = match g.nodes[i].buf.take() {
            Some(gl) => Some(run_node(py, &g.nodes[i], gl, retain_graph, accumulate.bind(py))?),
            None => {
                if !retain_graph {
                    release(&g.nodes[i])?;
                }
                None
            }
        };
        for k in 0..g.nodes[i].edges.len() {
            let Some((c, nr)) = g.nodes[i].edges[k] else { continue };
            if let Some(grad) = outs.as_ref().and_then(|o| o.get(k).cloned().flatten()) {
                g.deliver(py, c, nr, grad)?;
            }
            let child = &mut g.nodes[c];
            child.deps -= 1;
            if child.deps == 0 {
                ready.push(c);
            }
        }
    }
    Ok(true)
}

/// Run one node on its summed incoming gradients; the gradients along its edges.
fn run_node(py: Python<'_>, node: &Node<'_>, gl: Vec<Option<Tensor>>, retain_graph: bool, accumulate: &Bound<'_, PyAny>) -> PyResult<Vec<Option<Tensor>>> {
    match &node.kind {
        Kind::Native(n) => {
            let grad = gl.into_iter().next().flatten().expect("a native node runs with its gradient");
            let outs = run(n, &grad)?;
            if !retain_graph {
                n.borrow_mut()._release();
            }
            Ok(outs)
        }
        Kind::Accumulate => {
            let grad = gl.into_iter().next().flatten().expect("a leaf gets its gradient");
            let none = py.None();
            accumulate.call1((&node.obj, wrap(py, grad)?, false, &none, &none, true))?;
            Ok(Vec::new())
        }
        Kind::Python => {
            let items = gl.into_iter().map(|g| g.map_or_else(|| Ok(py.None().into_bound(py)), |g| wrap(py, g))).collect::<PyResult<Vec<_>>>()?;
            let outs = node.obj.call_method1("_apply", (PyList::new(py, items)?, false))?;
            let mut res = Vec::new();
            for o in outs.try_iter()? {
                let o = o?;
                res.push(if o.is_none() { None } else { Some(tensor_of(&o)?) });
            }
            if !retain_graph {
                node.obj.call_method0("_release")?;
            }
            Ok(res)
        }
    }
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
