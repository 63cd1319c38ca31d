//! Arithmetic and comparison operators, their named methods and in-place forms.

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rstorch::ops::binary::{add_scaled, binary, BinaryOp};
use rstorch::ops::Arg;
use rstorch::{Scalar, Tensor};

use super::{finish, inplace_py, wrap, PyTensor};
use crate::convert::extract_scalar;
use crate::error::IntoPy;

/// Elements above which a kernel runs with the GIL released (releasing costs ~20 ns).
pub const GIL_RELEASE_NUMEL: usize = 1 << 15;

/// A Python operand: a tensor or a number; None for anything else (the operator then returns
/// NotImplemented so Python can try the reflected one).
pub(crate) enum Operand {
    T(Tensor, bool),
    S(Scalar),
}

impl Operand {
    pub(crate) fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Option<Operand>> {
        if let Ok(t) = obj.cast::<PyTensor>() {
            let t = t.borrow();
            return Ok(Some(Operand::T(t.t.clone(), t.tracks_grad())));
        }
        extract_scalar(obj).transpose().map(|s| s.map(Operand::S))
    }
    fn arg(&self) -> Arg<'_> {
        match self {
            Operand::T(t, _) => Arg::Tensor(t),
            Operand::S(s) => Arg::Scalar(*s),
        }
    }
    fn tracks_grad(&self) -> bool {
        matches!(self, Operand::T(_, true))
    }
    fn numel(&self) -> usize {
        match self {
            Operand::T(t, _) => t.numel(),
            Operand::S(_) => 1,
        }
    }
}

/// Run `f` with the GIL released when the work is large enough to be worth it.
pub(crate) fn maybe_detach<T: Send>(py: Python<'_>, numel: usize, f: impl FnOnce() -> T + Send) -> T {
    if numel >= GIL_RELEASE_NUMEL {
        py.detach(f)
    } else {
        f()
    }
}

/// `name(a, b)`: the fast path when nothing tracks grad, else the autograd dispatcher.
/// `swap` computes `op(other, self)` (reflected operators).
fn binop<'py>(
    slf: &Bound<'py, PyTensor>,
    other: &Bound<'py, PyAny>,
    op: BinaryOp,
    name: &str,
    swap: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    let Some(o) = Operand::from_py(other)? else {
        return Ok(py.NotImplemented().into_bound(py));
    };
    let me = slf.borrow();
    let (a, tracked) = (me.t.clone(), me.tracks_grad() || o.tracks_grad());
    drop(me);
    let n = a.numel().max(o.numel());
    let t = maybe_detach(py, n, || {
        if swap {
            binary(op, o.arg(), Arg::Tensor(&a))
        } else {
            binary(op, Arg::Tensor(&a), o.arg())
        }
    })
    .py_err()?;
    finish(py, name, tracked, || PyTuple::new(py, [slf.clone().into_any(), other.clone()]), None, wrap(py, t)?)
}

/// `a + alpha * b` / `a - alpha * b`.
fn add_alpha<'py>(
    slf: &Bound<'py, PyTensor>,
    other: &Bound<'py, PyAny>,
    alpha: &Bound<'py, PyAny>,
    subtract: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    let name = if subtract { "sub" } else { "add" };
    let Some(o) = Operand::from_py(other)? else {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "{name}(): argument 'other' must be Tensor or Number, not {}",
            other.get_type().name()?
        )));
    };
    let alpha_s = match extract_scalar(alpha) {
        Some(s) => s?,
        None => return Err(pyo3::exceptions::PyTypeError::new_err("alpha must be a number")),
    };
    let me = slf.borrow();
    let (a, tracked) = (me.t.clone(), me.tracks_grad() || o.tracks_grad());
    drop(me);
    let t = maybe_detach(py, a.numel(), || add_scaled(Arg::Tensor(&a), o.arg(), alpha_s, subtract)).py_err()?;
    let kw = pyo3::types::PyDict::new(py);
    if tracked {
        kw.set_item("alpha", alpha)?;
    }
    finish(py, name, tracked, || PyTuple::new(py, [slf.clone().into_any(), other.clone()]), Some(&kw), wrap(py, t)?)
}

/// Write `result` into `slf` in place (the `_` variants), checking that its dtype can be cast
/// to `slf`'s the way torch does.
pub(crate) fn assign_inplace<'py>(slf: &Bound<'py, PyTensor>, result: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let res = result.cast::<PyTensor>()?.borrow().t.clone();
    let me = slf.borrow();
    let (to, from) = (me.t.dtype(), res.dtype());
    if !can_cast(from, to) {
        return Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
            "result type {} can't be cast to the desired output type {}",
            from.scalar_type_name(),
            to.scalar_type_name()
        )));
    }
    if res.shape() != me.t.shape() {
        let bshape = rstorch::shape::broadcast_shapes(me.t.shape(), res.shape()).py_err()?;
        if bshape.as_slice() != me.t.shape() {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
                "output with shape {:?} doesn't match the broadcast shape {:?}",
                me.t.shape(),
                bshape.as_slice()
            )));
        }
    }
    let dst = me.t.clone();
    drop(me);
    maybe_detach(slf.py(), dst.numel(), || dst.copy_(&res)).py_err()?;
    Ok(slf.clone().into_any())
}

/// torch's canCast: no float to integral, no non-bool to bool.
pub fn can_cast(from: rstorch::DType, to: rstorch::DType) -> bool {
    use rstorch::dtype::Category::*;
    !(from.category() == Floating && to.category() != Floating || from.category() != Bool && to.category() == Bool)
}

fn inplace<'py>(slf: &Bound<'py, PyTensor>, other: &Bound<'py, PyAny>, op: BinaryOp, name: &str) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    if slf.borrow().tracks_grad() || Operand::from_py(other)?.is_some_and(|o| o.tracks_grad()) {
        return inplace_py(py, name, PyTuple::new(py, [slf.clone().into_any(), other.clone()])?, None);
    }
    let r = binop(slf, other, op, name, false)?;
    if r.is(py.NotImplemented()) {
        return Ok(r);
    }
    assign_inplace(slf, &r)
}

/// `a op= b`: Python keeps `a` bound to the same object, so only errors matter here.
fn inplace_dunder<'py>(slf: &Bound<'py, PyTensor>, other: &Bound<'py, PyAny>, op: BinaryOp, name: &str) -> PyResult<()> {
    let r = inplace(slf, other, op, name)?;
    if r.is(slf.py().NotImplemented()) {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "unsupported operand type for in-place {}: 'Tensor' and '{}'",
            op.name(),
            other.get_type().name()?
        )));
    }
    Ok(())
}

macro_rules! operators {
    ($( $op:ident, $name:literal, $dunder:ident, $rdunder:ident, $idunder:ident, $method:ident, $imethod:ident ;)*) => {
        #[pymethods]
        impl PyTensor {
            $(
                fn $dunder<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                    binop(slf, other, BinaryOp::$op, $name, false)
                }
                fn $rdunder<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                    binop(slf, other, BinaryOp::$op, concat!("r", $name), true)
                }
                fn $idunder<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<()> {
                    inplace_dunder(slf, other, BinaryOp::$op, concat!($name, "_"))
                }
                fn $method<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                    binop(slf, other, BinaryOp::$op, $name, false)
                }
                fn $imethod<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                    inplace(slf, other, BinaryOp::$op, concat!($name, "_"))
                }
            )*
        }
    };
}

// add/sub are listed with their alpha forms below; the dunders here are the alpha-less ones
operators! {
    Mul, "mul", __mul__, __rmul__, __imul__, mul, mul_;
    Div, "div", __truediv__, __rtruediv__, __itruediv__, div, div_;
}

macro_rules! comparisons {
    ($( $op:ident, $name:literal, $dunder:ident, $method:ident, $imethod:ident ;)*) => {
        #[pymethods]
        impl PyTensor {
            $(
                fn $dunder<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                    binop(slf, other, BinaryOp::$op, $name, false)
                }
                fn $method<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                    binop(slf, other, BinaryOp::$op, $name, false)
                }
                fn $imethod<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                    inplace(slf, other, BinaryOp::$op, concat!($name, "_"))
                }
            )*
        }
    };
}

comparisons! {
    Eq, "eq", __eq__, eq, eq_;
    Ne, "ne", __ne__, ne, ne_;
    Lt, "lt", __lt__, lt, lt_;
    Le, "le", __le__, le, le_;
    Gt, "gt", __gt__, gt, gt_;
    Ge, "ge", __ge__, ge, ge_;
}

#[pymethods]
impl PyTensor {
    fn __hash__(slf: &Bound<'_, Self>) -> isize {
        slf.as_ptr() as isize
    }

    fn __add__<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        binop(slf, other, BinaryOp::Add, "add", false)
    }
    fn __radd__<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        binop(slf, other, BinaryOp::Add, "radd", true)
    }
    fn __iadd__<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<()> {
        inplace_dunder(slf, other, BinaryOp::Add, "add_")
    }
    fn __sub__<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        binop(slf, other, BinaryOp::Sub, "sub", false)
    }
    fn __rsub__<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        binop(slf, other, BinaryOp::Sub, "rsub", true)
    }
    fn __isub__<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<()> {
        inplace_dunder(slf, other, BinaryOp::Sub, "sub_")
    }

    #[pyo3(signature = (other, *, alpha=None))]
    fn add<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>, alpha: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        match alpha {
            None => binop(slf, other, BinaryOp::Add, "add", false).and_then(|r| not_implemented_to_type_error(r, other, "add")),
            Some(a) => add_alpha(slf, other, a, false),
        }
    }
    #[pyo3(signature = (other, *, alpha=None))]
    fn sub<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>, alpha: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        match alpha {
            None => binop(slf, other, BinaryOp::Sub, "sub", false).and_then(|r| not_implemented_to_type_error(r, other, "sub")),
            Some(a) => add_alpha(slf, other, a, true),
        }
    }
    #[pyo3(signature = (other, *, alpha=None))]
    fn add_<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>, alpha: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        if alpha.is_none() {
            return inplace(slf, other, BinaryOp::Add, "add_");
        }
        if let Some(r) = alpha_inplace_grad(slf, other, alpha, "add_")? {
            return Ok(r);
        }
        let r = Self::add(slf, other, alpha)?;
        assign_inplace(slf, &r)
    }
    #[pyo3(signature = (other, *, alpha=None))]
    fn sub_<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>, alpha: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        if alpha.is_none() {
            return inplace(slf, other, BinaryOp::Sub, "sub_");
        }
        if let Some(r) = alpha_inplace_grad(slf, other, alpha, "sub_")? {
            return Ok(r);
        }
        let r = Self::sub(slf, other, alpha)?;
        assign_inplace(slf, &r)
    }

    fn __neg__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let me = slf.borrow();
        if me.t.dtype() == rstorch::DType::Bool {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.",
            ));
        }
        let (a, tracked) = (me.t.clone(), me.tracks_grad());
        drop(me);
        let t = maybe_detach(py, a.numel(), || binary(BinaryOp::Mul, Arg::Tensor(&a), Arg::Scalar(Scalar::Int(-1)))).py_err()?;
        finish(py, "neg", tracked, || PyTuple::new(py, [slf.clone().into_any()]), None, wrap(py, t)?)
    }

    fn __pos__<'py>(slf: &Bound<'py, Self>) -> Bound<'py, PyAny> {
        slf.clone().into_any()
    }

    /// Copy `src` into this tensor (broadcasting, converting dtype), in place.
    #[pyo3(signature = (src, non_blocking=false))]
    fn copy_<'py>(slf: &Bound<'py, Self>, src: &Bound<'py, PyAny>, non_blocking: bool) -> PyResult<Bound<'py, PyAny>> {
        let _ = non_blocking;
        let py = slf.py();
        let s = super::tensor_of(src)?;
        let me = slf.borrow();
        if me.tracks_grad() || src.cast::<PyTensor>()?.borrow().tracks_grad() {
            drop(me);
            return inplace_py(py, "copy_", PyTuple::new(py, [slf.clone().into_any(), src.clone()])?, None);
        }
        let dst = me.t.clone();
        drop(me);
        maybe_detach(py, dst.numel(), || dst.copy_(&s)).py_err()?;
        Ok(slf.clone().into_any())
    }

    fn fill_<'py>(slf: &Bound<'py, Self>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let v = match Operand::from_py(value)? {
            Some(Operand::S(s)) => s,
            Some(Operand::T(t, _)) if t.ndim() == 0 => t.item().py_err()?,
            _ => {
                return Err(pyo3::exceptions::PyRuntimeError::new_err(
                    "fill_ only supports 0-dimension value tensor but got tensor with dimensions",
                ))
            }
        };
        let me = slf.borrow();
        if me.tracks_grad() {
            drop(me);
            return inplace_py(py, "fill_", PyTuple::new(py, [slf.clone().into_any(), value.clone()])?, None);
        }
        let dst = me.t.clone();
        drop(me);
        maybe_detach(py, dst.numel(), || dst.fill_(v)).py_err()?;
        Ok(slf.clone().into_any())
    }

    fn zero_<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let zero = 0i64.into_pyobject(slf.py())?.into_any();
        Self::fill_(slf, &zero)
    }
}

/// The autograd path of `add_`/`sub_` with alpha, when anything tracks grad.
fn alpha_inplace_grad<'py>(
    slf: &Bound<'py, PyTensor>,
    other: &Bound<'py, PyAny>,
    alpha: Option<&Bound<'py, PyAny>>,
    name: &str,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let py = slf.py();
    if !(slf.borrow().tracks_grad() || Operand::from_py(other)?.is_some_and(|o| o.tracks_grad())) {
        return Ok(None);
    }
    let kw = pyo3::types::PyDict::new(py);
    kw.set_item("alpha", alpha)?;
    inplace_py(py, name, PyTuple::new(py, [slf.clone().into_any(), other.clone()])?, Some(&kw)).map(Some)
}

fn not_implemented_to_type_error<'py>(r: Bound<'py, PyAny>, other: &Bound<'py, PyAny>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    if r.is(r.py().NotImplemented()) {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "{name}(): argument 'other' (position 1) must be Tensor, not {}",
            other.get_type().name()?
        )));
    }
    Ok(r)
}

/// Add this family's module-level functions to `_C`.
pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
