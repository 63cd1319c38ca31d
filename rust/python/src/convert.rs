//! Python-facing value types (`dtype`, `device`) and the conversions of Python arguments
//! (shapes, dims, scalars) into core types.

use pyo3::exceptions::{PyOverflowError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyFloat, PyInt, PySequence, PyTuple};
use rstorch::{DType, Scalar};

/// `rstorch.dtype`: one frozen singleton per element type (compared by identity, like torch's).
#[pyclass(frozen, eq, hash, name = "dtype", module = "rstorch")]
#[derive(PartialEq, Eq, Hash, Clone, Copy)]
pub struct PyDType(pub DType);

#[pymethods]
impl PyDType {
    fn __repr__(&self) -> String {
        format!("rstorch.{}", self.0.name())
    }
    #[getter]
    fn is_floating_point(&self) -> bool {
        self.0.is_floating_point()
    }
    #[getter]
    fn is_complex(&self) -> bool {
        false
    }
    #[getter]
    fn is_signed(&self) -> bool {
        self.0.is_signed()
    }
    #[getter]
    fn itemsize(&self) -> usize {
        self.0.itemsize()
    }
    /// The short name torch uses in kernel errors ("Float", "Long", ...).
    #[getter]
    fn _scalar_type_name(&self) -> &'static str {
        self.0.scalar_type_name()
    }
    /// The C++ type name torch uses in other errors ("double", "long int", ...).
    #[getter]
    fn _cpp_name(&self) -> &'static str {
        self.0.cpp_name()
    }
    #[getter]
    fn _name(&self) -> &'static str {
        self.0.name()
    }
    fn to_real(slf: Py<Self>) -> Py<Self> {
        slf
    }
    fn __reduce__(&self) -> (String, ()) {
        // pickled as the module attribute of the same name
        (self.0.name().to_string(), ())
    }
}

static DTYPES: PyOnceLock<Vec<Py<PyDType>>> = PyOnceLock::new();

/// The singleton Python object of a dtype.
pub fn dtype_object(py: Python<'_>, d: DType) -> Py<PyDType> {
    let all = DTYPES.get_or_init(py, || {
        DType::ALL.iter().map(|&d| Py::new(py, PyDType(d)).expect("allocating dtype")).collect()
    });
    let i = DType::ALL.iter().position(|&x| x == d).unwrap();
    all[i].clone_ref(py)
}

pub fn all_dtype_objects(py: Python<'_>) -> Vec<Py<PyDType>> {
    DType::ALL.iter().map(|&d| dtype_object(py, d)).collect()
}

/// A `dtype` argument: an `rstorch.dtype` (Python's `float`, `int` and `bool` types are also
/// accepted, as torch does).
pub fn extract_dtype(obj: &Bound<'_, PyAny>) -> PyResult<DType> {
    if let Ok(d) = obj.cast::<PyDType>() {
        return Ok(d.get().0);
    }
    let py = obj.py();
    if obj.is(py.get_type::<PyFloat>()) {
        return Ok(DType::Float64); // torch maps Python's float type to float64
    }
    if obj.is(py.get_type::<PyBool>()) {
        return Ok(DType::Bool);
    }
    if obj.is(py.get_type::<PyInt>()) {
        return Ok(DType::Int64);
    }
    Err(PyTypeError::new_err(format!(
        "dtype must be rstorch.dtype, not {}",
        obj.get_type().name()?
    )))
}

/// A Python number as a `Scalar` (bool before int: `True` is an `int` in Python). Objects with
/// `__index__` count as ints and other objects with `__float__` (numpy scalars) as floats.
pub fn extract_scalar(obj: &Bound<'_, PyAny>) -> Option<PyResult<Scalar>> {
    if let Ok(b) = obj.cast::<PyBool>() {
        return Some(Ok(Scalar::Bool(b.is_true())));
    }
    if obj.is_instance_of::<PyInt>() {
        return Some(obj.extract::<i64>().map(Scalar::Int).map_err(|_| {
            PyOverflowError::new_err(format!("value cannot be converted to type int64 without overflow"))
        }));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Some(Ok(Scalar::Float(f.value())));
    }
    // numpy scalars and other number-likes
    let ty = obj.get_type();
    let name: String = ty.name().ok()?.extract().ok()?;
    if name.starts_with("bool") {
        return Some(obj.is_truthy().map(Scalar::Bool));
    }
    if obj.hasattr("__index__").unwrap_or(false) && !obj.hasattr("shape").map(|h| h && ndim_nonzero(obj)).unwrap_or(false) {
        return Some(obj.call_method0("__index__").and_then(|i| i.extract::<i64>()).map(Scalar::Int));
    }
    if obj.hasattr("__float__").unwrap_or(false) && !ndim_nonzero(obj) {
        return Some(obj.call_method0("__float__").and_then(|f| f.extract::<f64>()).map(Scalar::Float));
    }
    None
}

fn ndim_nonzero(obj: &Bound<'_, PyAny>) -> bool {
    obj.getattr("ndim").and_then(|n| n.extract::<usize>()).map(|n| n > 0).unwrap_or(false)
}

/// One integer argument (a Python int or anything with `__index__`).
pub fn extract_i64(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<i64> {
    if obj.is_instance_of::<PyBool>() {
        // torch accepts bools as ints in sizes
        return Ok(obj.is_truthy()? as i64);
    }
    obj.extract::<i64>().or_else(|_| {
        obj.call_method0("__index__").and_then(|i| i.extract::<i64>()).map_err(|_| {
            PyTypeError::new_err(format!(
                "{what} must be int, but got {}",
                obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
            ))
        })
    })
}

/// Sizes given either as varargs (`view(2, 3)`) or as one sequence (`view((2, 3))`).
pub fn extract_sizes(args: &Bound<'_, PyTuple>, what: &str) -> PyResult<Vec<i64>> {
    if args.len() == 1 {
        let a = args.get_item(0)?;
        if !a.is_instance_of::<PyInt>() && !a.hasattr("__index__")? {
            return extract_int_seq(&a, what);
        }
    }
    args.iter().map(|a| extract_i64(&a, what)).collect()
}

pub fn extract_int_seq(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<i64>> {
    if obj.is_instance_of::<PyInt>() {
        return Ok(vec![extract_i64(obj, what)?]);
    }
    let seq = obj.cast::<PySequence>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{what} must be tuple of ints, but got {}",
            obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))
    })?;
    let n = seq.len()?;
    (0..n).map(|i| extract_i64(&seq.get_item(i)?, what)).collect()
}

/// Non-negative sizes (creation functions): torch's message for negative ones.
pub fn to_usize_sizes(sizes: &[i64]) -> PyResult<Vec<usize>> {
    sizes
        .iter()
        .map(|&s| {
            usize::try_from(s).map_err(|_| {
                pyo3::exceptions::PyRuntimeError::new_err(format!(
                    "Trying to create tensor with negative dimension {s}: {sizes:?}"
                ))
            })
        })
        .collect()
}

/// `torch.result_type` over operands given as (dtype, ndim), ndim -1 meaning a Python number.
#[pyfunction]
pub fn result_type(operands: Vec<(PyRef<'_, PyDType>, i64)>, default_float: PyRef<'_, PyDType>) -> Py<PyDType> {
    use rstorch::dtype::Operand;
    let ops: Vec<Operand> = operands
        .iter()
        .map(|(d, nd)| match nd {
            -1 => Operand::Scalar(d.0),
            0 => Operand::ZeroDim(d.0),
            _ => Operand::Tensor(d.0),
        })
        .collect();
    dtype_object(default_float.py(), rstorch::dtype::result_type(&ops, default_float.0))
}

/// `torch.get_default_dtype()`: the core's default floating dtype.
#[pyfunction]
pub fn get_default_dtype(py: Python<'_>) -> Py<PyDType> {
    dtype_object(py, rstorch::ops::default_float())
}

/// `torch.set_default_dtype(d)` (the Python wrapper checks that `d` is a dtype): torch's
/// TypeError for a non-floating dtype.
#[pyfunction]
pub fn _set_default_dtype(d: PyRef<'_, PyDType>) -> PyResult<()> {
    rstorch::ops::set_default_float(d.0).map_err(|e| pyo3::exceptions::PyTypeError::new_err(e.to_string()))
}

#[pyfunction]
pub fn promote_types(a: PyRef<'_, PyDType>, b: PyRef<'_, PyDType>) -> Py<PyDType> {
    dtype_object(a.py(), a.0.promote(b.0))
}

/// torch.can_cast: no float to integral, no non-bool to bool.
#[pyfunction]
pub fn can_cast(from: PyRef<'_, PyDType>, to: PyRef<'_, PyDType>) -> bool {
    crate::tensor::can_cast(from.0, to.0)
}

#[pyfunction]
pub fn broadcast_shapes(shapes: Vec<Vec<i64>>) -> PyResult<Vec<usize>> {
    let shapes: Vec<Vec<usize>> = shapes.iter().map(|s| to_usize_sizes(s)).collect::<PyResult<_>>()?;
    let refs: Vec<&[usize]> = shapes.iter().map(|s| s.as_slice()).collect();
    use crate::error::IntoPy;
    Ok(rstorch::shape::broadcast_shapes_many(&refs).py_err()?.to_vec())
}
