//! `TensorBase`: the Rust base class of `rstorch.Tensor`.
//!
//! The hot paths (operators, metadata, views, conversions) live here so a small op costs a few
//! hundred nanoseconds; the Python subclass adds the rest of the API. Results are created as
//! instances of the registered Python subclass by calling this class's `tp_new` with the subclass
//! as the type (what `TensorBase.__new__(Tensor)` does), which skips the Python-level `__new__`
//! and `__init__`.
//!
//! Every op binding in the family modules (unary.rs, reduce.rs, ...) goes through the op gateway,
//! crate::dispatch: the binding parses its arguments and hands a [`Call`](crate::dispatch::Call)
//! and a kernel closure to `dispatch::run` (or `run_inplace`, `run_with`, `compute`), which
//! routes the call to its device's implementation, releases the GIL for large work, converts
//! core errors once, wraps the result and records autograd.
//!
//! Autograd lives in Python, with a native fast path for the hot ops (crate::autograd). An op
//! always computes its result here; when grad mode is on and an input requires grad, the
//! gateway's `finish` then attaches the graph node of `(name, args, kwargs, result)`: natively
//! when the op has a native rule, else through the registered Python recorder (either way the
//! node keeps exactly what the user passed). In-place ops on tensors that track grad go to the
//! Python in-place path instead (`dispatch::inplace_py`), which checks leaves and versions and
//! rebases the history.
//!
//! A view remembers its base (torch's `_base`), so an in-place op on the view can give the base
//! a history (CopySlices), and a view whose storage was written in place through another tensor
//! regenerates its `grad_fn` from the base's history when next read ([`refresh_view`], torch's
//! lazy view-grad_fn regeneration). It also remembers how it was made (torch's CreationMeta):
//! views made in no_grad or inference mode, the outputs of multi-view ops (split, chunk,
//! unbind) and views returned by a custom Function may not be modified in place while autograd
//! would have to track it ([`view_rebase_error`]).

pub mod creation;
pub mod elementwise;
pub use elementwise::can_cast;
pub mod index;
pub mod linalg;
pub mod movement;
pub mod reduce;
pub mod sort;
pub mod unary;
mod views;

/// Register every op family's module-level functions.
pub fn register_ops(m: &Bound<'_, PyModule>) -> PyResult<()> {
    elementwise::register(m)?;
    reduce::register(m)?;
    linalg::register(m)?;
    index::register(m)?;
    movement::register(m)?;
    sort::register(m)?;
    Ok(())
}

use std::cell::Cell;
use std::sync::Arc;

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};
use pyo3::{ffi, PyTraverseError, PyVisit};
use rstorch::Tensor;

use crate::convert::dtype_object;
use crate::dispatch::{self, Call};
use crate::error::IntoPy;

#[pyclass(subclass, name = "TensorBase", module = "rstorch._C", weakref)]
pub struct PyTensor {
    pub t: Tensor,
    pub requires_grad: bool,
    pub grad: Option<Py<PyAny>>,
    pub grad_fn: Option<Py<PyAny>>,
    /// Which output of `grad_fn` this tensor is (multi-output ops such as split).
    pub output_nr: u32,
    /// For a view made by a view op in grad mode: the tensor owning the storage (torch's
    /// `_base`; always a non-view, also for views of views).
    pub base: Option<Py<PyTensor>>,
    /// The storage version when `grad_fn` was last set (or the view made): a view seeing a
    /// newer version may have been written through its base or another view.
    pub view_version: u64,
    /// A weak reference to this leaf's AccumulateGrad node, shared by the graphs that hold it.
    pub grad_acc: Option<Py<pyo3::types::PyWeakrefReference>>,
    /// For a view: how it was made (`creation_meta::*`).
    pub creation_meta: u8,
}

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

/// Every Python object the extension needs, registered once by `rstorch/__init__.py` through
/// `_C._register(name=object, ...)`: the bindings reach the Python package only through this
/// (no import strings), so the package may be laid out as it likes.
pub struct Registry {
    pub tensor_type: Py<PyType>,
    pub size_type: Py<PyType>,
    /// `record(name, args, kwargs, result) -> result`: attaches the autograd node.
    pub record: Py<PyAny>,
    /// `inplace(name, args, kwargs) -> self`: an in-place op on tensors that track grad.
    pub inplace: Py<PyAny>,
    /// `view_grad_fn(view, base) -> node`: the node that makes `view` a view of `base`'s
    /// current history (AsStridedBackward0).
    pub view_grad_fn: Py<PyAny>,
    /// The `rstorch.return_types` module: `return_types.<name>((a, b))` builds torch's structseqs.
    pub return_types: Py<PyAny>,
    /// `rstorch.maximum` / `rstorch.minimum`: `max(other)` / `min(other)` with a tensor.
    pub maximum: Py<PyAny>,
    pub minimum: Py<PyAny>,
    /// autograd/engine.py's `_accumulate(leaf, grad)`: a leaf's gradient into `.grad`.
    pub accumulate: Py<PyAny>,
    /// autograd/graph.py's `AccumulateGrad` class.
    pub accumulate_grad: Py<PyType>,
    /// graph.py's `native_node_class(name)`: the NativeNode subclass named `name`.
    pub native_node_class: Py<PyAny>,
    /// graph.py's `native_apply_py(node, op, grads, versions, out, out_version)`: the Python rule's gradients.
    pub native_apply_py: Py<PyAny>,
    /// graph.py's `modified_error(t, node, expected, now)` / `output_modified_error(o, node, expected, nr)`.
    pub modified_error: Py<PyAny>,
    pub output_modified_error: Py<PyAny>,
}

/// The entries `_register` takes, by keyword.
const REGISTRY_ENTRIES: [&str; 14] = [
    "tensor", "size", "record", "inplace", "view_grad_fn", "return_types", "maximum", "minimum",
    "accumulate", "accumulate_grad", "native_node_class", "native_apply_py", "modified_error",
    "output_modified_error",
];

static REGISTRY: PyOnceLock<Registry> = PyOnceLock::new();
static EMPTY_TUPLE: PyOnceLock<Py<PyTuple>> = PyOnceLock::new();

thread_local! {
    /// Grad mode, thread-local like torch's.
    static GRAD_ENABLED: Cell<bool> = const { Cell::new(true) };
}

pub fn grad_enabled() -> bool {
    GRAD_ENABLED.with(|g| g.get())
}

#[pyfunction]
pub fn is_grad_enabled() -> bool {
    grad_enabled()
}

/// Set grad mode for this thread and return the previous mode.
#[pyfunction]
pub fn _set_grad_enabled(mode: bool) -> bool {
    GRAD_ENABLED.with(|g| g.replace(mode))
}

/// Enter or leave inference mode on this thread (the grad mode is set separately); returns the
/// previous mode.
#[pyfunction]
pub fn _set_inference_mode(mode: bool) -> bool {
    rstorch::storage::set_inference_mode(mode)
}

#[pyfunction]
pub fn is_inference_mode_enabled() -> bool {
    rstorch::storage::inference_mode()
}

/// `_C._register(tensor=Tensor, size=Size, record=..., ...)`: every entry of [`Registry`] by
/// name, once; a missing or unknown entry is a `TypeError` naming it.
#[pyfunction]
#[pyo3(signature = (**entries))]
pub fn _register(py: Python<'_>, entries: Option<&Bound<'_, PyDict>>) -> PyResult<()> {
    let empty = PyDict::new(py);
    let entries = entries.unwrap_or(&empty);
    for key in entries.keys() {
        let key: String = key.extract()?;
        if !REGISTRY_ENTRIES.contains(&key.as_str()) {
            return Err(PyTypeError::new_err(format!("_register() got an unexpected entry '{key}'")));
        }
    }
    let missing: Vec<&str> = REGISTRY_ENTRIES
        .iter()
        .copied()
        .filter(|k| !entries.contains(*k).unwrap_or(false))
        .collect();
    if !missing.is_empty() {
        return Err(PyTypeError::new_err(format!("_register() is missing the entries: {}", missing.join(", "))));
    }
    let item = |k: &str| -> PyResult<Bound<'_, PyAny>> {
        entries.get_item(k)?.ok_or_else(|| PyTypeError::new_err(format!("_register() is missing the entries: {k}")))
    };
    let get = |k: &str| -> PyResult<Py<PyAny>> { Ok(item(k)?.unbind()) };
    let get_type = |k: &str| -> PyResult<Py<PyType>> {
        item(k)?
            .cast_into::<PyType>()
            .map(|t| t.unbind())
            .map_err(|_| PyTypeError::new_err(format!("_register(): entry '{k}' must be a class")))
    };
    let reg = Registry {
        tensor_type: get_type("tensor")?,
        size_type: get_type("size")?,
        record: get("record")?,
        inplace: get("inplace")?,
        view_grad_fn: get("view_grad_fn")?,
        return_types: get("return_types")?,
        maximum: get("maximum")?,
        minimum: get("minimum")?,
        accumulate: get("accumulate")?,
        accumulate_grad: get_type("accumulate_grad")?,
        native_node_class: get("native_node_class")?,
        native_apply_py: get("native_apply_py")?,
        modified_error: get("modified_error")?,
        output_modified_error: get("output_modified_error")?,
    };
    REGISTRY.set(py, reg).map_err(|_| PyRuntimeError::new_err("rstorch._C is already registered"))
}

pub fn registry(py: Python<'_>) -> PyResult<&Registry> {
    REGISTRY.get(py).ok_or_else(|| PyRuntimeError::new_err("rstorch._C used before rstorch was imported"))
}

/// Wrap a core tensor as a new Python `Tensor`.
pub fn wrap(py: Python<'_>, t: Tensor) -> PyResult<Bound<'_, PyAny>> {
    let reg = registry(py)?;
    let base = py.get_type::<PyTensor>();
    let args = EMPTY_TUPLE.get_or_init(py, || PyTuple::empty(py).unbind());
    // SAFETY: TensorBase is a heap type, so Py_tp_new can be read from it; calling it with a
    // subtype is what `TensorBase.__new__(subtype)` does.
    let obj = unsafe {
        let new = ffi::PyType_GetSlot(base.as_type_ptr(), ffi::Py_tp_new);
        let new: ffi::newfunc = std::mem::transmute(new);
        let raw = new(reg.tensor_type.as_ptr() as *mut ffi::PyTypeObject, args.as_ptr(), std::ptr::null_mut());
        Bound::from_owned_ptr_or_err(py, raw)?
    };
    obj.cast::<PyTensor>()?.borrow_mut().t = t;
    Ok(obj)
}

pub fn wrap_all(py: Python<'_>, ts: Vec<Tensor>) -> PyResult<Bound<'_, PyTuple>> {
    let items = ts.into_iter().map(|t| wrap(py, t)).collect::<PyResult<Vec<_>>>()?;
    PyTuple::new(py, items)
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
pub fn view_rebase_error(slf: &Bound<'_, PyTensor>, indirect: bool) -> PyResult<Option<String>> {
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
pub fn forward_op_name(name: &str) -> String {
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

/// The Python `Size` of a shape.
pub fn size_object<'py>(py: Python<'py>, shape: &[usize]) -> PyResult<Bound<'py, PyAny>> {
    let tup = PyTuple::new(py, shape)?;
    registry(py)?.size_type.bind(py).call1((tup,))
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

/// Borrow the core tensor of a Python tensor argument.
pub fn tensor_of(obj: &Bound<'_, PyAny>) -> PyResult<Tensor> {
    match obj.cast::<PyTensor>() {
        Ok(t) => Ok(t.borrow().t.clone()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "expected Tensor as argument, but got {}",
            obj.get_type().name()?
        ))),
    }
}

#[pymethods]
impl PyTensor {
    /// An empty float tensor; Python constructors fill it in with `_set`.
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn __new__(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        Ok(PyTensor {
            t: Tensor::empty(&[0], rstorch::ops::default_float()).py_err()?,
            requires_grad: false,
            grad: None,
            grad_fn: None,
            output_nr: 0,
            base: None,
            view_version: 0,
            grad_acc: None,
            creation_meta: creation_meta::DEFAULT,
        })
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        if let Some(g) = &self.grad {
            visit.call(g)?;
        }
        if let Some(f) = &self.grad_fn {
            visit.call(f)?;
        }
        if let Some(b) = &self.base {
            visit.call(b)?;
        }
        if let Some(w) = &self.grad_acc {
            visit.call(w)?;
        }
        Ok(())
    }

    fn __clear__(&mut self) {
        self.grad = None;
        self.grad_fn = None;
        self.base = None;
        self.grad_acc = None;
    }

    /// Make this tensor a view of `other`'s data (same storage and layout).
    fn _set(&mut self, other: &Bound<'_, PyAny>) -> PyResult<()> {
        self.t = tensor_of(other)?;
        Ok(())
    }

    // ------------------------------------------------------------ metadata

    #[getter]
    fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        size_object(py, self.t.shape())
    }

    #[pyo3(signature = (dim=None))]
    fn size<'py>(&self, py: Python<'py>, dim: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        match dim {
            None => size_object(py, self.t.shape()),
            Some(d) => {
                let d = rstorch::shape::normalize_dim(d, self.t.ndim()).py_err()?;
                Ok(self.t.shape().get(d).copied().unwrap_or(1).into_pyobject(py)?.into_any())
            }
        }
    }

    #[pyo3(signature = (dim=None))]
    fn stride<'py>(&self, py: Python<'py>, dim: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        match dim {
            None => Ok(PyTuple::new(py, self.t.strides())?.into_any()),
            Some(d) => {
                let d = rstorch::shape::normalize_dim(d, self.t.ndim()).py_err()?;
                Ok(self.t.strides().get(d).copied().unwrap_or(1).into_pyobject(py)?.into_any())
            }
        }
    }

    fn dim(&self) -> usize {
        self.t.ndim()
    }
    fn ndimension(&self) -> usize {
        self.t.ndim()
    }
    #[getter]
    fn ndim(&self) -> usize {
        self.t.ndim()
    }
    fn numel(&self) -> usize {
        self.t.numel()
    }
    fn nelement(&self) -> usize {
        self.t.numel()
    }
    #[getter]
    fn dtype(&self, py: Python<'_>) -> Py<crate::convert::PyDType> {
        dtype_object(py, self.t.dtype())
    }
    fn storage_offset(&self) -> usize {
        self.t.offset()
    }
    #[pyo3(signature = (memory_format=None))]
    fn is_contiguous(&self, memory_format: Option<&Bound<'_, PyAny>>) -> bool {
        let _ = memory_format;
        self.t.is_contiguous()
    }
    fn element_size(&self) -> usize {
        self.t.dtype().itemsize()
    }
    #[getter]
    fn itemsize(&self) -> usize {
        self.t.dtype().itemsize()
    }
    #[getter]
    fn nbytes(&self) -> usize {
        self.t.numel() * self.t.dtype().itemsize()
    }
    fn is_floating_point(&self) -> bool {
        self.t.dtype().is_floating_point()
    }
    fn is_complex(&self) -> bool {
        false
    }
    fn is_signed(&self) -> bool {
        self.t.dtype().is_signed()
    }
    /// Address of the first element (like torch's data_ptr; 0 for a tensor without host
    /// memory, as torch's meta tensors report).
    fn data_ptr(&self) -> usize {
        match self.t.storage().data_ptr() as usize {
            0 => 0,
            p => p + self.t.offset() * self.t.dtype().itemsize(),
        }
    }
    /// The device as torch spells it: "cpu", "meta", "wgpu:0" (Python's `Tensor.device` makes
    /// the device object).
    #[getter]
    fn _device(&self) -> String {
        self.t.device().to_string()
    }
    #[getter]
    fn is_meta(&self) -> bool {
        self.t.is_meta()
    }
    #[getter]
    fn is_cpu(&self) -> bool {
        self.t.device() == rstorch::Device::Cpu
    }
    /// The core device move (`to(device)`); returns self when already there.
    fn _to_device<'py>(slf: &Bound<'py, Self>, device: &str) -> PyResult<Bound<'py, PyAny>> {
        let d = rstorch::Device::parse(device).py_err()?;
        let me = slf.borrow();
        if d == me.t.device() {
            return Ok(slf.clone().into_any());
        }
        let (src, tracked) = (me.t.clone(), me.tracks_grad());
        drop(me);
        let py = slf.py();
        let args = || PyTuple::new(py, [slf.clone().into_any(), device.into_pyobject(py)?.into_any()]);
        dispatch::run(py, Call::on("_to_device", tracked, &src), args, None, || src.to_device(d))
    }
    /// Address of the storage's first byte (identity of the storage).
    fn _storage_ptr(&self) -> usize {
        self.t.storage().data_ptr() as usize
    }
    fn _storage_nbytes(&self) -> usize {
        self.t.storage().nbytes()
    }
    #[getter]
    fn _version(&self) -> PyResult<u64> {
        if self.t.storage().is_inference() {
            return Err(PyRuntimeError::new_err("Inference tensors do not track version counter."));
        }
        Ok(self.t.storage().version())
    }
    fn _bump_version(&self) {
        self.t.storage().bump_version()
    }
    #[getter]
    fn _is_view_of_writable(&self) -> bool {
        self.t.storage().is_writable()
    }

    // ------------------------------------------------------------ autograd fields

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

    // ------------------------------------------------------------ conversions

    fn item<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        scalar_to_py(py, self.t.item().py_err()?)
    }

    /// The core dtype conversion (`to(dtype)`); returns self when the dtype matches.
    fn _to_dtype<'py>(slf: &Bound<'py, Self>, dtype: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let d = crate::convert::extract_dtype(dtype)?;
        let me = slf.borrow();
        if d == me.t.dtype() {
            return Ok(slf.clone().into_any());
        }
        let (src, tracked) = (me.t.clone(), me.tracks_grad());
        drop(me);
        let py = slf.py();
        let args = || PyTuple::new(py, [slf.clone().into_any(), dtype.clone()]);
        dispatch::run(py, Call::on("_to_dtype", tracked, &src), args, None, || src.copy_preserving(d))
    }

    /// Everything a buffer export needs: (address, shape, byte strides, dtype name, writable).
    fn _array_interface(&self) -> (usize, Vec<usize>, Vec<usize>, &'static str, bool) {
        let item = self.t.dtype().itemsize();
        (
            self.data_ptr(),
            self.t.shape().to_vec(),
            self.t.strides().iter().map(|s| s * item).collect(),
            self.t.dtype().name(),
            self.t.storage().is_writable(),
        )
    }
}

pub fn scalar_to_py(py: Python<'_>, s: rstorch::Scalar) -> PyResult<Bound<'_, PyAny>> {
    Ok(match s {
        rstorch::Scalar::Bool(b) => pyo3::types::PyBool::new(py, b).to_owned().into_any(),
        rstorch::Scalar::Int(i) => i.into_pyobject(py)?.into_any(),
        rstorch::Scalar::Float(f) => f.into_pyobject(py)?.into_any(),
    })
}
