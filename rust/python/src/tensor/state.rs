//! What the bindings keep besides tensors: the registry of Python objects that
//! `rstorch/__init__.py` hands over once through `_C._register` (the only way the extension
//! reaches the Python package), and the thread-local grad mode with its `_C` functions (inference
//! mode lives in the core's storage module).

use std::cell::Cell;

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};

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
