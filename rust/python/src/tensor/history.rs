//! A tensor's autograd state as Python sees it: the `requires_grad`, `grad`, `grad_fn`, leaf
//! and version fields of `TensorBase`, and the bookkeeping of views (their base, how they were
//! made, torch's CreationMeta, and the lazy regeneration of a view's history after an in-place
//! write through another tensor). See the module doc of `tensor/mod.rs` for the whole picture.

use std::sync::Arc;

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use rstorch::Tensor;

use super::{grad_enabled, registry, wrap, PyTensor};

/// torch's CreationMeta: how a view was made, which decides whether it may be modified in place
/// while autograd tracks the op (only `DEFAULT` views may).
pub mod creation_meta {
    /// By a single-output view op in grad mode.
    pub const DEFAULT: u8 = 0;
    /// In no_grad mode.
    pub const NO_GRAD: u8 = 1;
    /// In inference mode (a view of a normal tensor).
    pub const INFERENCE: u8 = 2;
    /// By an op returning several views (split, chunk, unbind) in grad mode.
    pub const MULTI_OUTPUT: u8 = 3;
    /// Returned by a custom Function's forward (or an input it returned as is).
    pub const IN_CUSTOM_FUNCTION: u8 = 4;

    /// The meta of a view of a view made as `new` from one made as `prev` (torch's
    /// propagate_creation_meta: a restriction of the inner view sticks).
    pub fn propagate(prev: u8, new: u8) -> u8 {
        if new == DEFAULT || prev == INFERENCE {
            prev
        } else {
            new
        }
    }
}

impl PyTensor {
    /// Make `node` the producer of this tensor's output `output_nr` (None: a leaf that does
    /// not require grad).
    pub fn set_grad_fn(&mut self, node: Option<Py<PyAny>>, output_nr: u32) {
        self.requires_grad = node.is_some();
        self.grad_fn = node;
        self.output_nr = output_nr;
        self.view_version = self.t.storage().version();
    }

    /// Whether an op on this tensor must take the autograd path: it requires grad, or it is a
    /// view whose base gained a history since (the recorder then refreshes the view's node).
    #[inline]
    pub fn tracks_grad(&self) -> bool {
        (self.requires_grad || self.base.as_ref().is_some_and(base_requires_grad)) && grad_enabled()
    }
}

fn base_requires_grad(base: &Py<PyTensor>) -> bool {
    // SAFETY: tensor methods only run attached to the interpreter (they hold `self` borrowed
    // from a Python object), so the token is valid here.
    let py = unsafe { Python::assume_attached() };
    // a base being mutated right now (it cannot be: bases are never borrowed mutably while
    // an op on one of their views runs) counts as tracking, the safe answer
    base.bind(py).try_borrow().map_or(true, |b| b.requires_grad)
}

/// Wrap `t`, the result of a view op on `src`: when it shares `src`'s storage (reshape and
/// flatten may copy), it remembers `src`'s base as its own, and how it was made (by an op
/// returning several views when `multi`). A reinterpretation as another dtype (`view(dtype)`)
/// is no differentiable view in torch, so it gets no base, nor does a view of an inference
/// tensor.
pub fn wrap_view<'py>(src: &Bound<'py, PyTensor>, t: Tensor, multi: bool) -> PyResult<Bound<'py, PyAny>> {
    let py = src.py();
    let view_of = {
        let s = src.borrow();
        let shares = Arc::ptr_eq(t.storage(), s.t.storage()) && t.dtype() == s.t.dtype() && !t.storage().is_inference();
        shares.then(|| {
            let new = if rstorch::storage::inference_mode() {
                creation_meta::INFERENCE
            } else if !grad_enabled() {
                creation_meta::NO_GRAD
            } else if multi {
                creation_meta::MULTI_OUTPUT
            } else {
                creation_meta::DEFAULT
            };
            match &s.base {
                Some(b) => (b.clone_ref(py), creation_meta::propagate(s.creation_meta, new)),
                None => (src.clone().unbind(), new),
            }
        })
    };
    let out = wrap(py, t)?;
    if let Some((base, meta)) = view_of {
        let o = out.cast::<PyTensor>()?;
        let mut o = o.borrow_mut();
        o.view_version = o.t.storage().version();
        o.base = Some(base);
        o.creation_meta = meta;
    }
    Ok(out)
}

/// Bring a view's history up to date (torch's lazy grad_fn of a view): when its storage was
/// written in place since its `grad_fn` was set (through the base or another view) and it has
/// a history or its base requires grad, the view becomes an AsStridedBackward0 of the base's
/// current history. A view that may not be rebased (see [`view_rebase_error`]) raises instead.
pub fn refresh_view(slf: &Bound<'_, PyTensor>) -> PyResult<()> {
    let py = slf.py();
    let (base, version) = {
        let me = slf.borrow();
        match &me.base {
            Some(b) if me.t.storage().version() != me.view_version => (b.clone_ref(py), me.t.storage().version()),
            _ => return Ok(()),
        }
    };
    let base_requires_grad = base.bind(py).borrow().requires_grad;
    if !base_requires_grad && slf.borrow().grad_fn.is_none() {
        return Ok(());
    }
    if let Some(msg) = view_rebase_error(slf, true)? {
        return Err(PyRuntimeError::new_err(msg));
    }
    if base_requires_grad {
        let node = registry(py)?.view_grad_fn.bind(py).call1((slf, base.bind(py)))?;
        let mut me = slf.borrow_mut();
        me.grad_fn = Some(node.unbind());
        me.output_nr = 0;
        me.requires_grad = true;
    }
    slf.borrow_mut().view_version = version;
    Ok(())
}

/// torch's error (handle_view_on_rebase) for view `slf` when it is modified in place with
/// autograd tracking the op, or, `indirect`, when its base or another view of the base was and
/// its history is read; None when it may be (a view made by a single-output view op in grad
/// mode, or no view).
fn view_rebase_error(slf: &Bound<'_, PyTensor>, indirect: bool) -> PyResult<Option<String>> {
    use creation_meta::*;
    let me = slf.borrow();
    if me.base.is_none() || me.creation_meta == DEFAULT {
        return Ok(None);
    }
    let meta = me.creation_meta;
    let modified = if indirect { "its base or another view of its base has been" } else { "is being" };
    let node = match &me.grad_fn {
        Some(f) => Some(forward_op_name(&f.bind(slf.py()).get_type().name()?.to_string())),
        None => None,
    };
    let mut msg = match &node {
        Some(name) if meta != INFERENCE && meta != NO_GRAD => {
            format!("Output {} of {name} is a view and {modified} modified inplace.", me.output_nr)
        }
        _ => {
            let prefix = match &node {
                Some(name) => format!("Output {} of {name} is a view of a view which was created in", me.output_nr),
                None => "A view was created in".to_string(),
            };
            if meta == INFERENCE {
                format!("{prefix} inference mode and {modified} modified inplace in normal mode.")
            } else {
                format!("{prefix} no_grad mode and {modified} modified inplace with grad mode enabled.")
            }
        }
    };
    msg.push_str(match meta {
        MULTI_OUTPUT => " This view is the output of a function that returns multiple views. Such functions do not allow the output views to be modified inplace. You should replace the inplace operation by an out-of-place one.",
        NO_GRAD => " Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked).",
        INFERENCE => " Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view and the inplace either both inside the inference_mode block (if you don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked).",
        IN_CUSTOM_FUNCTION => " This view was created inside a custom Function (or because an input was returned as-is) and the autograd logic to handle view+inplace would override the custom backward associated with the custom Function, leading to incorrect gradients. This behavior is forbidden. You can fix this by cloning the output of the custom Function.",
        _ => "",
    });
    Ok(Some(msg))
}

/// torch's Node::forward_op_name: the node's name without its "Backward<N>" suffix (the number
/// kept unless it is 0: AddBackward1 -> Add1).
fn forward_op_name(name: &str) -> String {
    match name.rfind("Backward") {
        Some(pos) if name[pos + 8..].bytes().all(|b| b.is_ascii_digit()) => {
            let n = &name[pos + 8..];
            if n.is_empty() || n == "0" {
                name[..pos].to_string()
            } else {
                format!("{}{n}", &name[..pos])
            }
        }
        _ => name.to_string(),
    }
}

#[pymethods]
impl PyTensor {
    /// torch's requires_grad: set on the tensor, or it has a history, or it is a view of a base
    /// that requires grad (reading it never regenerates a view's history).
    #[getter(requires_grad)]
    fn get_requires_grad(&self) -> bool {
        self.requires_grad || self.grad_fn.is_some() || self.base.as_ref().is_some_and(base_requires_grad)
    }
    #[setter(requires_grad)]
    fn set_requires_grad(slf: &Bound<'_, Self>, value: bool) -> PyResult<()> {
        refresh_view(slf)?;
        let mut me = slf.borrow_mut();
        if me.grad_fn.is_some() && !value {
            return Err(PyRuntimeError::new_err(
                "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().",
            ));
        }
        if value && !me.t.dtype().is_floating_point() {
            return Err(PyRuntimeError::new_err(
                "only Tensors of floating point and complex dtype can require gradients",
            ));
        }
        if value && me.t.storage().is_inference() && !rstorch::storage::inference_mode() {
            return Err(PyRuntimeError::new_err(
                "Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.",
            ));
        }
        me.requires_grad = value || me.grad_fn.is_some();
        Ok(())
    }
    /// The gradient (None until backward); reading it on a non-leaf that does not retain its
    /// gradient warns, as torch does.
    #[getter(grad)]
    fn get_grad(slf: &Bound<'_, Self>) -> PyResult<Option<Py<PyAny>>> {
        let py = slf.py();
        let me = slf.borrow();
        if let Some(g) = &me.grad {
            return Ok(Some(g.clone_ref(py)));
        }
        let leaf = me.grad_fn.is_none();
        drop(me);
        if !leaf && !slf.getattr(pyo3::intern!(py, "retains_grad"))?.is_truthy()? {
            PyErr::warn(py, &py.get_type::<pyo3::exceptions::PyUserWarning>(), c"The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more informations.", 1)?;
        }
        Ok(None)
    }
    /// `.grad` without the non-leaf warning (autograd internals).
    #[getter]
    fn _grad(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.grad.as_ref().map(|g| g.clone_ref(py))
    }
    /// A gradient must be a tensor of this tensor's shape and dtype, or None (torch's checks).
    #[setter(grad)]
    fn set_grad(&mut self, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let Some(value) = value.filter(|v| !v.is_none()) else {
            self.grad = None;
            return Ok(());
        };
        let Ok(g) = value.cast::<PyTensor>() else {
            return Err(PyTypeError::new_err(format!(
                "assigned grad expected to be a Tensor or None but got grad of type {}",
                value.get_type().name()?
            )));
        };
        {
            let g = &g.borrow().t;
            if g.dtype() != self.t.dtype() {
                return Err(PyRuntimeError::new_err(format!(
                    "attempting to assign a gradient with dtype '{}' to a tensor with grad_dtype '{}'. The gradient must match the tensor's grad_dtype (defaults to the tensor's dtype). You can set the tensor's grad_dtype attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and its gradient may break downstream systems that assume they match.",
                    g.dtype().cpp_name(),
                    self.t.dtype().scalar_type_name()
                )));
            }
            if g.shape() != self.t.shape() {
                return Err(PyRuntimeError::new_err(format!(
                    "attempting to assign a gradient of size '{:?}' to a tensor of size '{:?}'. Please ensure that the gradient and the tensor are the same size",
                    g.shape(),
                    self.t.shape()
                )));
            }
        }
        self.grad = Some(value.clone().unbind());
        Ok(())
    }
    #[getter(grad_fn)]
    fn get_grad_fn(slf: &Bound<'_, Self>) -> PyResult<Option<Py<PyAny>>> {
        refresh_view(slf)?;
        Ok(slf.borrow().grad_fn.as_ref().map(|g| g.clone_ref(slf.py())))
    }
    /// Attach a graph node (autograd internals) as the producer of this tensor's output
    /// `output_nr`; a tensor with a node requires grad, and one without it becomes a leaf that
    /// does not (what `detach_` needs).
    #[pyo3(signature = (node, output_nr=0))]
    fn _set_grad_fn(&mut self, node: Option<Py<PyAny>>, output_nr: u32) {
        self.set_grad_fn(node, output_nr);
    }
    /// Whether `other` has this tensor's shape and dtype (the autograd engine's check that a
    /// gradient fits its input as is, without building two Size objects).
    fn _same_meta(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyTensor>().is_ok_and(|o| {
            let o = o.borrow();
            o.t.dtype() == self.t.dtype() && o.t.shape() == self.t.shape()
        })
    }
    /// The graph edge of this tensor in one call (the recorder's hot path): None when it does
    /// not require grad, else `(grad_fn, output_nr)`, with grad_fn None for a leaf.
    fn _edge(slf: &Bound<'_, Self>) -> PyResult<Option<(Option<Py<PyAny>>, u32)>> {
        refresh_view(slf)?;
        let me = slf.borrow();
        Ok(me.requires_grad.then(|| (me.grad_fn.as_ref().map(|f| f.clone_ref(slf.py())), me.output_nr)))
    }
    /// The AccumulateGrad node of this leaf (made when first needed, then shared while alive).
    fn _grad_accumulator<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        crate::autograd::node::accumulator(slf)
    }
    #[getter]
    fn output_nr(slf: &Bound<'_, Self>) -> PyResult<u32> {
        refresh_view(slf)?;
        Ok(slf.borrow().output_nr)
    }
    #[getter]
    fn is_leaf(slf: &Bound<'_, Self>) -> PyResult<bool> {
        refresh_view(slf)?;
        Ok(slf.borrow().grad_fn.is_none())
    }
    /// The tensor this one is a view of (made by a view op in grad mode), else None.
    #[getter]
    fn _base(&self, py: Python<'_>) -> Option<Py<PyTensor>> {
        self.base.as_ref().map(|b| b.clone_ref(py))
    }
    fn _is_view(&self) -> bool {
        self.base.is_some()
    }
    /// Whether this tensor was made in inference mode (or is a view of one that was).
    fn is_inference(&self) -> bool {
        self.t.storage().is_inference()
    }
    /// How this view was made (`creation_meta`), for autograd internals.
    #[getter]
    fn _creation_meta(&self) -> u8 {
        self.creation_meta
    }
    #[setter]
    fn set__creation_meta(&mut self, meta: u8) {
        self.creation_meta = meta;
    }
    /// Raise torch's error when this view may not be modified in place while autograd tracks
    /// the op (made in no_grad or inference mode, by a multi-view op, or by a custom Function).
    fn _check_view_inplace(slf: &Bound<'_, Self>) -> PyResult<()> {
        match view_rebase_error(slf, false)? {
            Some(msg) => Err(PyRuntimeError::new_err(msg)),
            None => Ok(()),
        }
    }
}
