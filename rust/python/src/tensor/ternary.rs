//! The ternary and clamp ops: `where`, clamp/clip (and clamp_min/clamp_max), lerp, addcmul
//! and addcdiv, with their in-place forms (computed out of place, then written back with
//! torch's cast check).

use pyo3::prelude::*;
use pyo3::types::PyDict;
use rstorch::ops::binary as kernels;
use rstorch::Scalar;

use super::elementwise::{args_tuple, assign_inplace, operand, Operand};
use super::PyTensor;
use crate::dispatch::{self, inplace_py, Call};
use crate::error::IntoPy;

#[pymethods]
impl PyTensor {
    /// `self if condition else other`, elementwise (torch.where(condition, self, other)).
    fn r#where<'py>(slf: &Bound<'py, Self>, condition: &Bound<'py, PyAny>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        where_impl(condition, slf.as_any(), other)
    }

    #[pyo3(signature = (min=None, max=None))]
    fn clamp<'py>(slf: &Bound<'py, Self>, min: Option<&Bound<'py, PyAny>>, max: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        clamp_impl(slf, "clamp", min, max)
    }
    #[pyo3(signature = (min=None, max=None))]
    fn clamp_<'py>(slf: &Bound<'py, Self>, min: Option<&Bound<'py, PyAny>>, max: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        inplace_with(slf, "clamp_", &[min, max], None, || clamp_impl(slf, "clamp", min, max))
    }
    #[pyo3(signature = (min=None, max=None))]
    fn clip<'py>(slf: &Bound<'py, Self>, min: Option<&Bound<'py, PyAny>>, max: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        clamp_impl(slf, "clamp", min, max)
    }
    #[pyo3(signature = (min=None, max=None))]
    fn clip_<'py>(slf: &Bound<'py, Self>, min: Option<&Bound<'py, PyAny>>, max: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        Self::clamp_(slf, min, max)
    }
    fn clamp_min<'py>(slf: &Bound<'py, Self>, min: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        clamp_impl(slf, "clamp_min", Some(min), None)
    }
    fn clamp_min_<'py>(slf: &Bound<'py, Self>, min: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        inplace_with(slf, "clamp_min_", &[Some(min)], None, || clamp_impl(slf, "clamp_min", Some(min), None))
    }
    fn clamp_max<'py>(slf: &Bound<'py, Self>, max: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        clamp_impl(slf, "clamp_max", None, Some(max))
    }
    fn clamp_max_<'py>(slf: &Bound<'py, Self>, max: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        inplace_with(slf, "clamp_max_", &[Some(max)], None, || clamp_impl(slf, "clamp_max", None, Some(max)))
    }

    fn lerp<'py>(slf: &Bound<'py, Self>, end: &Bound<'py, PyAny>, weight: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let e = super::tensor_of(end)?;
        let w = operand(weight, "lerp", "weight")?;
        let me = slf.borrow();
        let (a, mut tracked) = (me.t.clone(), me.tracks_grad() || w.tracks_grad());
        drop(me);
        tracked |= end.cast::<PyTensor>()?.borrow().tracks_grad();
        let n = a.numel().max(e.numel()).max(w.numel());
        dispatch::run(py, Call::new("lerp", tracked, n, a.device()), || args_tuple(py, &[Some(slf.as_any()), Some(end), Some(weight)]), None, || {
            kernels::lerp(&a, &e, w.arg())
        })
    }
    fn lerp_<'py>(slf: &Bound<'py, Self>, end: &Bound<'py, PyAny>, weight: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        inplace_with(slf, "lerp_", &[Some(end), Some(weight)], None, || Self::lerp(slf, end, weight))
    }

    #[pyo3(signature = (tensor1, tensor2, *, value=None))]
    fn addcmul<'py>(slf: &Bound<'py, Self>, tensor1: &Bound<'py, PyAny>, tensor2: &Bound<'py, PyAny>, value: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        addc(slf, "addcmul", tensor1, tensor2, value)
    }
    #[pyo3(signature = (tensor1, tensor2, *, value=None))]
    fn addcmul_<'py>(slf: &Bound<'py, Self>, tensor1: &Bound<'py, PyAny>, tensor2: &Bound<'py, PyAny>, value: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let kw = value_kwargs(slf.py(), value)?;
        inplace_with(slf, "addcmul_", &[Some(tensor1), Some(tensor2)], kw.as_ref(), || addc(slf, "addcmul", tensor1, tensor2, value))
    }
    #[pyo3(signature = (tensor1, tensor2, *, value=None))]
    fn addcdiv<'py>(slf: &Bound<'py, Self>, tensor1: &Bound<'py, PyAny>, tensor2: &Bound<'py, PyAny>, value: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        addc(slf, "addcdiv", tensor1, tensor2, value)
    }
    #[pyo3(signature = (tensor1, tensor2, *, value=None))]
    fn addcdiv_<'py>(slf: &Bound<'py, Self>, tensor1: &Bound<'py, PyAny>, tensor2: &Bound<'py, PyAny>, value: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let kw = value_kwargs(slf.py(), value)?;
        inplace_with(slf, "addcdiv_", &[Some(tensor1), Some(tensor2)], kw.as_ref(), || addc(slf, "addcdiv", tensor1, tensor2, value))
    }
}

/// An optional operand: None (or Python None) stays None.
fn opt_operand(obj: Option<&Bound<'_, PyAny>>, fname: &str, arg: &str) -> PyResult<Option<Operand>> {
    match obj {
        Some(o) if !o.is_none() => operand(o, fname, arg).map(Some),
        _ => Ok(None),
    }
}

/// A Scalar argument (`value=`, `alpha=`): a number or a one-element tensor.
fn scalar_arg(obj: &Bound<'_, PyAny>, fname: &str, arg: &str) -> PyResult<Scalar> {
    match operand(obj, fname, arg)? {
        Operand::S(s) => Ok(s),
        Operand::T(t, _) => t.item().py_err(),
    }
}

/// An in-place method: the autograd path when anything tracks grad, else compute out of place
/// with `f` and write back into self (checking the cast like torch).
fn inplace_with<'py>(
    slf: &Bound<'py, PyTensor>,
    name: &str,
    others: &[Option<&Bound<'py, PyAny>>],
    kwargs: Option<&Bound<'py, PyDict>>,
    f: impl FnOnce() -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    let mut tracked = slf.borrow().tracks_grad();
    for o in others.iter().flatten() {
        if let Ok(t) = o.cast::<PyTensor>() {
            tracked |= t.borrow().tracks_grad();
        }
    }
    if tracked {
        let mut items = vec![Some(slf.as_any())];
        items.extend(others.iter().copied());
        return inplace_py(py, name, args_tuple(py, &items)?, kwargs);
    }
    let r = f()?;
    assign_inplace(slf, &r)
}

fn value_kwargs<'py>(py: Python<'py>, value: Option<&Bound<'py, PyAny>>) -> PyResult<Option<Bound<'py, PyDict>>> {
    match value {
        None => Ok(None),
        Some(v) => {
            let kw = PyDict::new(py);
            kw.set_item("value", v)?;
            Ok(Some(kw))
        }
    }
}

/// addcmul / addcdiv: `self + value * t1 (* or /) t2`, value defaulting to 1.
fn addc<'py>(
    slf: &Bound<'py, PyTensor>,
    name: &str,
    tensor1: &Bound<'py, PyAny>,
    tensor2: &Bound<'py, PyAny>,
    value: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    let (t1, t2) = (super::tensor_of(tensor1)?, super::tensor_of(tensor2)?);
    let v = match value {
        Some(v) => scalar_arg(v, name, "value")?,
        None => Scalar::Int(1),
    };
    let me = slf.borrow();
    let a = me.t.clone();
    let tracked = me.tracks_grad()
        || tensor1.cast::<PyTensor>()?.borrow().tracks_grad()
        || tensor2.cast::<PyTensor>()?.borrow().tracks_grad();
    drop(me);
    let kw = value_kwargs(py, value)?;
    let n = a.numel().max(t1.numel()).max(t2.numel());
    let div = name == "addcdiv";
    dispatch::run(py, Call::new(name, tracked, n, a.device()), || args_tuple(py, &[Some(slf.as_any()), Some(tensor1), Some(tensor2)]), kw.as_ref(), || {
        if div {
            kernels::addcdiv(&a, &t1, &t2, v)
        } else {
            kernels::addcmul(&a, &t1, &t2, v)
        }
    })
}

/// clamp / clamp_min / clamp_max, recorded with args `(self, min, max)` / `(self, min)` /
/// `(self, max)`.
fn clamp_impl<'py>(
    slf: &Bound<'py, PyTensor>,
    name: &str,
    min: Option<&Bound<'py, PyAny>>,
    max: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    let lo = opt_operand(min, name, "min")?;
    let hi = opt_operand(max, name, "max")?;
    let me = slf.borrow();
    let a = me.t.clone();
    let tracked = me.tracks_grad() || lo.as_ref().is_some_and(Operand::tracks_grad) || hi.as_ref().is_some_and(Operand::tracks_grad);
    drop(me);
    let n = a.numel().max(lo.as_ref().map_or(0, Operand::numel)).max(hi.as_ref().map_or(0, Operand::numel));
    let args = || match name {
        "clamp_min" => args_tuple(py, &[Some(slf.as_any()), min]),
        "clamp_max" => args_tuple(py, &[Some(slf.as_any()), max]),
        _ => args_tuple(py, &[Some(slf.as_any()), min, max]),
    };
    dispatch::run(py, Call::new(name, tracked, n, a.device()), args, None, || kernels::clamp(&a, lo.as_ref().map(Operand::arg), hi.as_ref().map(Operand::arg)))
}

/// `torch.where(condition, input, other)`; input and other may be numbers. Recorded as
/// "where" with args `(condition, input, other)`.
fn where_impl<'py>(condition: &Bound<'py, PyAny>, input: &Bound<'py, PyAny>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = condition.py();
    let cond = super::tensor_of(condition)?;
    let x = operand(input, "where", "input")?;
    let y = operand(other, "where", "other")?;
    let tracked = x.tracks_grad() || y.tracks_grad();
    let n = cond.numel().max(x.numel()).max(y.numel());
    dispatch::run(py, Call::new("where", tracked, n, cond.device()), || args_tuple(py, &[Some(condition), Some(input), Some(other)]), None, || {
        kernels::where_(&cond, x.arg(), y.arg())
    })
}

#[pyfunction]
#[pyo3(name = "_where")]
fn where_fn<'py>(condition: &Bound<'py, PyAny>, input: &Bound<'py, PyAny>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    where_impl(condition, input, other)
}

/// Add this family's module-level functions to `_C`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(where_fn, m)?)?;
    Ok(())
}
