//! `_NativeNode`: the graph node of an op with a native backward rule (rules.rs), recorded
//! without calling Python.
//!
//! It holds what graph.py's `OpNode` holds for the same op: the args and kwargs exactly as the
//! user passed them (so the Python rule can run on them under create_graph, and `_args[0] is
//! snap` works for in-place ops on views), the storage versions of its tensor args, its result
//! when the rule reads it (a core tensor: a Python object would be a reference back to this
//! node), and one edge per positional arg (None for numbers and for tensors that do not require
//! grad; a leaf's edge goes to its shared AccumulateGrad node).
//!
//! To Python it is an ordinary node: graph.py derives `NativeNode(_C._NativeNode, Node)` and
//! one subclass per torch node name (MulBackward0...), so the class name, repr, name(),
//! next_functions, hooks and metadata all come from `Node`. Registering a hook or retain_grad
//! clears `_plain`, which sends the backward through the Python engine, where `_apply` runs
//! the native rule (or, with create_graph=True, the op's registered Python rule, so that the
//! gradients are themselves recorded).

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyTuple, PyType, PyWeakrefMethods, PyWeakrefReference};
use pyo3::{ffi, PyTraverseError, PyVisit};
use rstorch::Tensor;

use super::rules::{self, Input, Rule, MAX_ARGS};
use crate::error::IntoPy;
use crate::dispatch::maybe_detach;
use crate::tensor::elementwise::Operand;
use crate::tensor::{refresh_view, registry, tensor_of, wrap, PyTensor};

/// torch's error for a node run after its saved values were freed.
pub const SECOND_BACKWARD: &str = "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.";

/// torch's error for an inference tensor an op would save for backward.
pub const INFERENCE_SAVED: &str = "Inference tensors cannot be saved for backward. Please do not use Tensors created in inference mode in computation tracked by autograd. To work around this, you can make a clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of `torch.inference_mode()`.";

/// Where a gradient goes: output `nr` of `node`.
pub struct Edge {
    pub node: Py<PyAny>,
    pub nr: u32,
}

impl Edge {
    fn to_py<'py>(e: &Option<Edge>, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match e {
            Some(e) => Ok((e.node.bind(py), e.nr).into_pyobject(py)?.into_any()),
            None => Ok(py.None().into_bound(py)),
        }
    }
}

#[pyclass(subclass, name = "_NativeNode", module = "rstorch._C")]
pub struct NativeNode {
    pub(crate) rule: Rule,
    /// How many positional args the op had.
    pub(crate) nargs: usize,
    /// One edge per positional arg of the op, in order: gradient `i` of the rule goes along
    /// edge `i` (so `_next` may hold None, as a CopySlices node's does).
    pub(crate) edges: [Option<Edge>; MAX_ARGS],
    /// The op's positional args as recorded; None once freed after backward. (Kept inline
    /// rather than as the args tuple: one object less for the cycle collector per op.)
    pub(crate) args: Option<[Option<Py<PyAny>>; MAX_ARGS]>,
    pub(crate) kwargs: Option<Py<PyDict>>,
    /// The storage versions of the tensor args when recorded.
    pub(crate) versions: [u64; MAX_ARGS],
    /// The op's result and its version, for rules that read it.
    pub(crate) out: Option<(Tensor, u64)>,
    /// No hooks, no retain_grad (the native engine may run it).
    pub(crate) plain: bool,
}

#[pymethods]
impl NativeNode {
    /// A freed node; `record` fills in the nodes the ops make.
    #[new]
    fn __new__() -> Self {
        NativeNode { rule: Rule::Neg, nargs: 0, edges: [None, None], args: None, kwargs: None, versions: [0; MAX_ARGS], out: None, plain: true }
    }

    /// The edges the gradients go along, one per positional arg (None: no gradient).
    #[getter]
    fn _next<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.edges().iter().map(|e| Edge::to_py(e, py)).collect::<PyResult<Vec<_>>>()?)
    }

    /// The edges by positional arg, as `OpNode._edges` (the same list as `_next` here).
    #[getter]
    fn _edges<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self._next(py)
    }

    #[getter]
    fn _args<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyTuple>>> {
        self.args.as_ref().map(|a| PyTuple::new(py, a[..self.nargs].iter().map(|x| x.as_ref().map(|x| x.bind(py))))).transpose()
    }

    #[getter]
    fn _kwargs<'py>(&self, py: Python<'py>) -> Bound<'py, PyDict> {
        self.kwargs.as_ref().map_or_else(|| PyDict::new(py), |k| k.bind(py).clone())
    }

    /// The name the op was recorded under (its Python rule's).
    #[getter]
    fn _op(&self) -> &'static str {
        self.rule.op()
    }

    #[getter(_plain)]
    fn get_plain(&self) -> bool {
        self.plain
    }

    #[setter(_plain)]
    fn set_plain(&mut self, v: bool) {
        self.plain = v;
    }

    /// Free what the node saved (after a backward without retain_graph).
    pub(crate) fn _release(&mut self) {
        self.args = None;
        self.kwargs = None;
        self.out = None;
    }

    /// The gradients along `_next` from the gradient of the op's result (`grads[0]`): the
    /// native rule, or the op's Python rule with create_graph (recorded, for double backward).
    fn _apply<'py>(slf: &Bound<'py, Self>, grads: &Bound<'py, PyAny>, create_graph: bool) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        if create_graph {
            return apply_py(slf, grads);
        }
        let g = grads.get_item(0)?;
        let n = slf.borrow().nargs;
        let res = if g.is_none() { [None, None] } else { run(slf, &tensor_of(&g)?)? };
        let items = res.into_iter().take(n).map(|g| g.map_or_else(|| Ok(py.None().into_bound(py)), |g| wrap(py, g))).collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.into_any())
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        for e in self.edges.iter().flatten() {
            visit.call(&e.node)?;
        }
        for a in self.args.iter().flatten().flatten() {
            visit.call(a)?;
        }
        if let Some(k) = &self.kwargs {
            visit.call(k)?;
        }
        Ok(())
    }

    fn __clear__(&mut self) {
        self.edges = [None, None];
        self._release();
    }
}

impl NativeNode {
    /// The edges, one per positional arg.
    pub(crate) fn edges(&self) -> &[Option<Edge>] {
        &self.edges[..self.nargs]
    }
}

/// The Python objects this module calls (graph.py), looked up once.
/// graph.py's AccumulateGrad class.
pub fn accumulate_grad_class(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    Ok(registry(py)?.accumulate_grad.bind(py))
}

/// The node classes by rule, with and without `dim=` (made by graph.py once).
static CLASSES: PyOnceLock<Vec<[Py<PyType>; 2]>> = PyOnceLock::new();

fn node_class(py: Python<'_>, rule: Rule, variant: usize) -> PyResult<&Bound<'_, PyType>> {
    let classes = CLASSES.get_or_try_init(py, || {
        let make = &registry(py)?.native_node_class;
        Rule::ALL
            .iter()
            .map(|r| {
                let [a, b] = r.node_names();
                let cls = |n: &str| -> PyResult<Py<PyType>> { Ok(make.bind(py).call1((n,))?.cast_into::<PyType>()?.unbind()) };
                Ok([cls(a)?, cls(b)?])
            })
            .collect::<PyResult<Vec<_>>>()
    })?;
    Ok(classes[rule as usize][variant].bind(py))
}

/// A new (empty) instance of `cls`, a Python subclass of `_NativeNode`: its `tp_new` called
/// with the subclass, as `_NativeNode.__new__(cls)` does, skipping `__init__`.
fn new_node<'py>(py: Python<'py>, cls: &Bound<'py, PyType>) -> PyResult<Bound<'py, NativeNode>> {
    let base = py.get_type::<NativeNode>();
    let args = PyTuple::empty(py);
    // SAFETY: _NativeNode is a heap type, so Py_tp_new can be read from it, and `cls` is a
    // subclass of it (made by graph.native_node_class).
    let obj = unsafe {
        let new = ffi::PyType_GetSlot(base.as_type_ptr(), ffi::Py_tp_new);
        let new: ffi::newfunc = std::mem::transmute(new);
        let raw = new(cls.as_type_ptr(), args.as_ptr(), std::ptr::null_mut());
        Bound::from_owned_ptr_or_err(py, raw)?
    };
    Ok(obj.cast_into::<NativeNode>()?)
}

/// The AccumulateGrad node of leaf `t`, shared while the graph holds it (as in torch): a weak
/// reference to it is kept on the tensor.
pub fn accumulator<'py>(t: &Bound<'py, PyTensor>) -> PyResult<Bound<'py, PyAny>> {
    let py = t.py();
    if let Some(acc) = t.borrow().grad_acc.as_ref().and_then(|w| w.bind(py).upgrade()) {
        return Ok(acc);
    }
    let acc = accumulate_grad_class(py)?.call1((t,))?;
    t.borrow_mut().grad_acc = Some(PyWeakrefReference::new(&acc)?.unbind());
    Ok(acc)
}

/// The edge a gradient for `t` flows along, or None when it does not require grad.
fn edge_of(t: &Bound<'_, PyTensor>) -> PyResult<Option<Edge>> {
    refresh_view(t)?;
    let me = t.borrow();
    if !me.requires_grad {
        return Ok(None);
    }
    if let Some(f) = &me.grad_fn {
        return Ok(Some(Edge { node: f.clone_ref(t.py()), nr: me.output_nr }));
    }
    drop(me);
    Ok(Some(Edge { node: accumulator(t)?.unbind(), nr: 0 }))
}

/// Attach the node of `rule` for `op(*args, **kwargs)` to its result `out` and return `out`
/// (graph.py's `record` for the ops with a native rule). Results that cannot carry a gradient
/// (not floating point) get none.
pub fn record<'py>(
    py: Python<'py>,
    rule: Rule,
    args: Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
    out: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let o = out.cast::<PyTensor>()?;
    if !o.borrow().t.dtype().is_floating_point() {
        return Ok(out);
    }
    let mut edges = [None, None];
    let mut versions = [0; MAX_ARGS];
    let mut saved_args = [None, None];
    for (i, a) in args.iter().enumerate() {
        if let Ok(t) = a.cast::<PyTensor>() {
            edges[i] = edge_of(t)?;
            versions[i] = t.borrow().t.storage().version();
        }
        saved_args[i] = Some(a.unbind());
    }
    let need = [edges[0].is_some(), edges[1].is_some()];
    for (i, a) in args.iter().enumerate() {
        if let Ok(t) = a.cast::<PyTensor>() {
            if t.borrow().t.storage().is_inference() && rule.reads_arg(i, need) {
                return Err(PyRuntimeError::new_err(INFERENCE_SAVED));
            }
        }
    }
    let saved = rule.reads_out().then(|| {
        let o = o.borrow();
        (o.t.clone(), o.t.storage().version())
    });
    let node = new_node(py, node_class(py, rule, rule.node_variant(kwargs)?)?)?;
    {
        let mut n = node.borrow_mut();
        n.rule = rule;
        n.nargs = args.len();
        n.edges = edges;
        n.args = Some(saved_args);
        n.kwargs = kwargs.map(|k| k.clone().unbind());
        n.versions = versions;
        n.out = saved;
    }
    o.borrow_mut().set_grad_fn(Some(node.into_any().unbind()), 0);
    Ok(out)
}

/// The gradients along the node's edges (None where an edge is None) for gradient `grad` of
/// its result, by the native rule: each summed back to its input's shape and cast to its
/// dtype. Raises torch's errors for a freed node and for a saved tensor modified in place.
pub fn run(node: &Bound<'_, NativeNode>, grad: &Tensor) -> PyResult<[Option<Tensor>; MAX_ARGS]> {
    let py = node.py();
    let n = node.borrow();
    let Some(args) = &n.args else {
        return Err(PyRuntimeError::new_err(SECOND_BACKWARD));
    };
    let mut need = [n.edges[0].is_some(), n.edges[1].is_some()];
    let mut x: [Input; MAX_ARGS] = [None, None];
    for (i, a) in args.iter().enumerate().take(n.nargs) {
        let Some(a) = a else { continue };
        let a = a.bind(py);
        x[i] = match a.cast::<PyTensor>() {
            Ok(t) => {
                if n.rule.asks_requires_grad() && need[i] {
                    refresh_view(t)?;
                    need[i] = t.borrow().requires_grad;
                }
                Some(Operand::T(t.borrow().t.clone(), false))
            }
            Err(_) => Operand::from_py(a)?,
        };
    }
    // a tensor modified in place since it was saved fails where the Python rule would first
    // use its values (the Python path hands the rule a stand-in that raises then)
    for i in n.rule.read_order(need) {
        if let (Some(Operand::T(t, _)), Some(a)) = (&x[i], &args[i]) {
            let now = t.storage().version();
            if now != n.versions[i] && n.rule.reads_arg(i, need) {
                let msg = registry(py)?.modified_error.bind(py).call1((a.bind(py), node, n.versions[i], now))?;
                return Err(PyRuntimeError::new_err(msg.extract::<String>()?));
            }
        }
    }
    let out = match &n.out {
        Some((o, v)) if o.storage().version() != *v => {
            let msg = registry(py)?.output_modified_error.bind(py).call1((wrap(py, o.clone())?, node, *v, 0))?;
            return Err(PyRuntimeError::new_err(msg.extract::<String>()?));
        }
        Some((o, _)) => Some(o.clone()),
        None => None,
    };
    let (p, dims) = rules::params(n.rule, n.kwargs.as_ref().map(|k| k.bind(py)))?;
    let rule = n.rule;
    drop(n);
    maybe_detach(py, grad.numel(), || -> rstorch::Result<[Option<Tensor>; MAX_ARGS]> {
        let mut grads = rules::backward(rule, grad, &x, need, p, &dims, out.as_ref())?;
        for (g, xi) in grads.iter_mut().zip(&x) {
            *g = match (g.take(), xi) {
                (Some(g), Some(Operand::T(t, _))) => Some(rules::fit(g, t.shape(), t.dtype())?),
                _ => None,
            };
        }
        Ok(grads)
    })
    .py_err()
}

/// `_apply` with create_graph: the op's Python rule on the recorded args (graph.py).
fn apply_py<'py>(node: &Bound<'py, NativeNode>, grads: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = node.py();
    let n = node.borrow();
    let op = n.rule.op();
    let versions = match &n.args {
        Some(args) => {
            let is_tensor = |a: &Option<Py<PyAny>>| a.as_ref().is_some_and(|a| a.bind(py).cast::<PyTensor>().is_ok());
            let vs = args[..n.nargs].iter().enumerate().map(|(i, a)| is_tensor(a).then_some(n.versions[i]));
            PyTuple::new(py, vs.collect::<Vec<_>>())?.into_any()
        }
        None => py.None().into_bound(py),
    };
    let (out, out_version) = match &n.out {
        Some((o, v)) => (wrap(py, o.clone())?, *v),
        None => (py.None().into_bound(py), 0),
    };
    drop(n);
    registry(py)?.native_apply_py.bind(py).call1((node, op, grads, versions, out, out_version))
}
