//! Arithmetic and comparison operators, their named methods and in-place forms, copy_/fill_,
//! and isclose/allclose/equal. The ternary and clamp ops (where, clamp, lerp, addcmul,
//! addcdiv) are in `ternary.rs`.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use rstorch::ops::binary::{self as kernels, add_scaled, add_scaled_inplace, binary, binary_inplace, BinaryOp};
use rstorch::ops::Arg;
use rstorch::{Scalar, Tensor};

use super::{wrap, PyTensor};
use crate::dispatch::{self, finish, inplace_py, Call, GIL_RELEASE_NUMEL};
use crate::convert::extract_scalar;
use crate::error::IntoPy;

/// A Python operand: a tensor or a number; None for anything else (the operator then returns
/// NotImplemented so Python can try the reflected one).
pub(crate) enum Operand {
    T(Tensor, bool),
    S(Scalar),
}

impl Operand {
    pub(crate) fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Option<Operand>> {
        Ok(OperandRef::from_py(obj)?.map(|o| o.to_owned()))
    }
    pub(crate) fn arg(&self) -> Arg<'_> {
        match self {
            Operand::T(t, _) => Arg::Tensor(t),
            Operand::S(s) => Arg::Scalar(*s),
        }
    }
    pub(crate) fn tracks_grad(&self) -> bool {
        matches!(self, Operand::T(_, true))
    }
    pub(crate) fn numel(&self) -> usize {
        match self {
            Operand::T(t, _) => t.numel(),
            Operand::S(_) => 1,
        }
    }
}

/// An operand borrowed from Python for the duration of a small op: no copy of its layout.
enum OperandRef<'py> {
    T(PyRef<'py, PyTensor>),
    S(Scalar),
}

impl<'py> OperandRef<'py> {
    fn from_py(obj: &Bound<'py, PyAny>) -> PyResult<Option<OperandRef<'py>>> {
        if let Ok(t) = obj.cast::<PyTensor>() {
            return Ok(Some(OperandRef::T(t.borrow())));
        }
        extract_scalar(obj).transpose().map(|s| s.map(OperandRef::S))
    }
    fn arg(&self) -> Arg<'_> {
        match self {
            OperandRef::T(t) => Arg::Tensor(&t.t),
            OperandRef::S(s) => Arg::Scalar(*s),
        }
    }
    fn tracks_grad(&self) -> bool {
        matches!(self, OperandRef::T(t) if t.tracks_grad())
    }
    fn numel(&self) -> usize {
        match self {
            OperandRef::T(t) => t.t.numel(),
            OperandRef::S(_) => 1,
        }
    }
    /// An owned copy, to take into a kernel that runs without the GIL.
    fn to_owned(&self) -> Operand {
        match self {
            OperandRef::T(t) => Operand::T(t.t.clone(), t.tracks_grad()),
            OperandRef::S(s) => Operand::S(*s),
        }
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
    let Some(o) = OperandRef::from_py(other)? else {
        return Ok(py.NotImplemented().into_bound(py));
    };
    let me = slf.borrow();
    dispatch::route(name, me.t.device())?;
    let tracked = differentiable(op) && (me.tracks_grad() || o.tracks_grad());
    // torch's __rmul__ is self.mul(other): the tensor stays the first operand (which matters
    // for a half tensor, whose second-operand scalar keeps float32 precision)
    let swap = swap && op != BinaryOp::Mul;
    let run = move |a: Arg<'_>, b: Arg<'_>| if swap { binary(op, b, a) } else { binary(op, a, b) };
    let t = if me.t.numel().max(o.numel()) < GIL_RELEASE_NUMEL {
        // small: straight on the borrowed tensors (the common case for tiny ops)
        run(Arg::Tensor(&me.t), o.arg())
    } else {
        let (a, owned) = (me.t.clone(), o.to_owned());
        py.detach(|| run(Arg::Tensor(&a), owned.arg()))
    };
    // the borrows end before autograd's recorder (Python code) sees the operands
    drop((me, o));
    let t = t.py_err()?;
    finish(py, name, tracked, || PyTuple::new(py, [slf.clone().into_any(), other.clone()]), None, wrap(py, t)?)
}

/// The operand and `alpha` of `add`/`sub` (and their in-place forms), or torch's TypeErrors.
fn alpha_args(other: &Bound<'_, PyAny>, alpha: &Bound<'_, PyAny>, name: &str) -> PyResult<(Operand, Scalar)> {
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
    Ok((o, alpha_s))
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
    let (o, alpha_s) = alpha_args(other, alpha, name)?;
    let me = slf.borrow();
    let (a, tracked) = (me.t.clone(), me.tracks_grad() || o.tracks_grad());
    drop(me);
    let kw = pyo3::types::PyDict::new(py);
    if tracked {
        kw.set_item("alpha", alpha)?;
    }
    let args = || PyTuple::new(py, [slf.clone().into_any(), other.clone()]);
    dispatch::run(py, Call::on(name, tracked, &a), args, Some(&kw), || add_scaled(Arg::Tensor(&a), o.arg(), alpha_s, subtract))
}

/// `add_`/`sub_` with `alpha`, in place in the core (no autograd: the caller checked).
fn add_alpha_inplace<'py>(
    slf: &Bound<'py, PyTensor>,
    other: &Bound<'py, PyAny>,
    alpha: &Bound<'py, PyAny>,
    subtract: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let (o, alpha_s) = alpha_args(other, alpha, if subtract { "sub" } else { "add" })?;
    let dst = slf.borrow().t.clone();
    dispatch::kernel(slf.py(), if subtract { "sub_" } else { "add_" }, dst.device(), dst.numel(), || add_scaled_inplace(&dst, o.arg(), alpha_s, subtract))?;
    Ok(slf.clone().into_any())
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
    dispatch::kernel(slf.py(), "copy_", dst.device(), dst.numel(), || dst.copy_(&res))?;
    Ok(slf.clone().into_any())
}

/// torch's canCast: no float to integral, no non-bool to bool.
pub fn can_cast(from: rstorch::DType, to: rstorch::DType) -> bool {
    kernels::can_cast(from, to)
}

fn inplace<'py>(slf: &Bound<'py, PyTensor>, other: &Bound<'py, PyAny>, op: BinaryOp, name: &str) -> PyResult<Bound<'py, PyAny>> {
    inplace_kw(slf, other, op, name, None)
}

/// `self.name(other, **kwargs)` in place: the autograd path when anything tracks grad, else the
/// core's one-pass in-place kernel (under the destination's write lock for the whole op).
fn inplace_kw<'py>(
    slf: &Bound<'py, PyTensor>,
    other: &Bound<'py, PyAny>,
    op: BinaryOp,
    name: &str,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    let o = OperandRef::from_py(other)?;
    let me = slf.borrow();
    if me.tracks_grad() || o.as_ref().is_some_and(OperandRef::tracks_grad) {
        drop((me, o));
        return inplace_py(py, name, PyTuple::new(py, [slf.clone().into_any(), other.clone()])?, kwargs);
    }
    let Some(o) = o else {
        return Ok(py.NotImplemented().into_bound(py));
    };
    dispatch::route(name, me.t.device())?;
    let r = if me.t.numel().max(o.numel()) < GIL_RELEASE_NUMEL {
        binary_inplace(op, &me.t, o.arg())
    } else {
        let (dst, owned) = (me.t.clone(), o.to_owned());
        drop((me, o));
        py.detach(|| binary_inplace(op, &dst, owned.arg()))
    };
    r.py_err()?;
    Ok(slf.clone().into_any())
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
    Remainder, "remainder", __mod__, __rmod__, __imod__, remainder, remainder_;
    BitAnd, "bitwise_and", __and__, __rand__, __iand__, bitwise_and, bitwise_and_;
    BitOr, "bitwise_or", __or__, __ror__, __ior__, bitwise_or, bitwise_or_;
    BitXor, "bitwise_xor", __xor__, __rxor__, __ixor__, bitwise_xor, bitwise_xor_;
    Shl, "bitwise_left_shift", __lshift__, __rlshift__, __ilshift__, bitwise_left_shift, bitwise_left_shift_;
    Shr, "bitwise_right_shift", __rshift__, __rrshift__, __irshift__, bitwise_right_shift, bitwise_right_shift_;
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
        add_alpha_inplace(slf, other, alpha.unwrap(), false)
    }
    #[pyo3(signature = (other, *, alpha=None))]
    fn sub_<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>, alpha: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        if alpha.is_none() {
            return inplace(slf, other, BinaryOp::Sub, "sub_");
        }
        if let Some(r) = alpha_inplace_grad(slf, other, alpha, "sub_")? {
            return Ok(r);
        }
        add_alpha_inplace(slf, other, alpha.unwrap(), true)
    }

    fn __neg__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.call_method0("neg") // the unary family's kernel and errors
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
        // torch's overlap check (after its early return for a view copied onto itself)
        if !(me.t.shares_storage(&s) && me.t.layout() == s.layout() && me.t.dtype() == s.dtype()) {
            kernels::check_no_partial_overlap(&me.t, &s).py_err()?;
        }
        // torch's error for a source that broadcasts with self to a larger shape (one element
        // into a 0-dim tensor, more dims than self); other mismatches fail in the broadcast
        if let Ok(b) = rstorch::shape::broadcast_shapes(me.t.shape(), s.shape()) {
            if b.as_slice() != me.t.shape() {
                return Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
                    "output with shape {:?} doesn't match the broadcast shape {:?}",
                    me.t.shape(),
                    b.as_slice()
                )));
            }
        }
        if me.tracks_grad() || src.cast::<PyTensor>()?.borrow().tracks_grad() {
            drop(me);
            return inplace_py(py, "copy_", PyTuple::new(py, [slf.clone().into_any(), src.clone()])?, None);
        }
        let dst = me.t.clone();
        drop(me);
        dispatch::kernel(py, "copy_", dst.device(), dst.numel(), || dst.copy_(&s))?;
        Ok(slf.clone().into_any())
    }

    fn fill_<'py>(slf: &Bound<'py, Self>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let v = match Operand::from_py(value)? {
            // a number must fit the dtype; a 0-dim tensor converts unchecked (torch's fill_.Tensor)
            Some(Operand::S(s)) => {
                let me = slf.borrow();
                s.check_fill(me.t.dtype(), me.t.numel()).py_err()?;
                s
            }
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
        dispatch::kernel(py, "fill_", dst.device(), dst.numel(), || dst.fill_(v))?;
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

/// Whether autograd records an op: comparisons, logical and bitwise ops give results that do
/// not require grad, as in torch. (floor_divide records a node whose backward raises torch's
/// "not implemented" error.)
fn differentiable(op: BinaryOp) -> bool {
    use BinaryOp as B;
    !(op.is_comparison()
        || op.is_logical()
        || matches!(op, B::BitAnd | B::BitOr | B::BitXor | B::Shl | B::Shr | B::Nextafter))
}

/// A required operand (tensor or number) of a method, or torch's TypeError.
pub(super) fn operand(obj: &Bound<'_, PyAny>, fname: &str, arg: &str) -> PyResult<Operand> {
    Operand::from_py(obj)?.ok_or_else(|| {
        pyo3::exceptions::PyTypeError::new_err(format!(
            "{fname}(): argument '{arg}' must be Tensor or Number, not {}",
            obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))
    })
}

/// The positional args tuple the autograd recorder sees.
pub(super) fn args_tuple<'py>(py: Python<'py>, items: &[Option<&Bound<'py, PyAny>>]) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, items.iter().map(|o| o.cloned().unwrap_or_else(|| py.None().into_bound(py))))
}

/// `rounding_mode` of div: None, 'trunc' or 'floor'.
fn div_op(rounding_mode: Option<&str>) -> PyResult<BinaryOp> {
    match rounding_mode {
        None => Ok(BinaryOp::Div),
        Some("trunc") => Ok(BinaryOp::DivTrunc),
        Some("floor") => Ok(BinaryOp::DivFloor),
        Some(m) => Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{m}'"
        ))),
    }
}

/// `div(other, rounding_mode=...)`: recorded as "div" with its rounding_mode, like torch.
fn div_impl<'py>(slf: &Bound<'py, PyTensor>, other: &Bound<'py, PyAny>, rounding_mode: Option<&str>, swap: bool) -> PyResult<Bound<'py, PyAny>> {
    let op = div_op(rounding_mode)?;
    if op == BinaryOp::Div {
        let name = if swap { "rdiv" } else { "div" };
        return binop(slf, other, op, name, swap);
    }
    let py = slf.py();
    let o = operand(other, "div", "other")?;
    let me = slf.borrow();
    let (a, tracked) = (me.t.clone(), me.tracks_grad() || o.tracks_grad());
    drop(me);
    let n = a.numel().max(o.numel());
    // rounded quotients are recorded too (torch's DivBackward2, whose gradients are zeros)
    let kw = PyDict::new(py);
    if tracked {
        kw.set_item("rounding_mode", rounding_mode)?;
    }
    let args = || PyTuple::new(py, [slf.clone().into_any(), other.clone()]);
    dispatch::run(py, Call::new("div", tracked, n, a.device()), args, Some(&kw), || binary(op, Arg::Tensor(&a), o.arg()))
}

/// For ops that never record (tracked is false), the args closure is never called.
fn unreachable_args(py: Python<'_>) -> PyResult<Bound<'_, PyTuple>> {
    Ok(PyTuple::empty(py))
}

/// A method `name(other)` running `op`; non-numbers raise TypeError.
fn method<'py>(slf: &Bound<'py, PyTensor>, other: &Bound<'py, PyAny>, op: BinaryOp, name: &str) -> PyResult<Bound<'py, PyAny>> {
    binop(slf, other, op, name, false).and_then(|r| not_implemented_to_type_error(r, other, name))
}

/// torch's TypeError for a Python number where a method takes only a Tensor (`x.atan2(2)`;
/// `x.fmod(2)` has a Scalar overload and is fine).
fn tensor_operand(other: &Bound<'_, PyAny>, name: &str) -> PyResult<()> {
    if other.is_instance_of::<PyTensor>() {
        return Ok(());
    }
    Err(pyo3::exceptions::PyTypeError::new_err(format!("{name}(): argument 'other' (position 1) must be Tensor, not {}", other.get_type().name()?)))
}

/// The methods `name(other)` and `name_(other)`; `tensor` marks the ops whose `other` must be a
/// Tensor, `number` those that also take a Python number.
macro_rules! binary_methods {
    ($( $op:ident, $name:literal, $method:ident, $imethod:ident, $other:ident ;)*) => {
        #[pymethods]
        impl PyTensor {
            $(
                fn $method<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                    binary_methods!(@check $other, other, stringify!($method));
                    method(slf, other, BinaryOp::$op, $name)
                }
                fn $imethod<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                    binary_methods!(@check $other, other, stringify!($imethod));
                    inplace(slf, other, BinaryOp::$op, concat!($name, "_"))
                }
            )*
        }
    };
    (@check tensor, $other:ident, $name:expr) => { tensor_operand($other, $name)? };
    (@check number, $other:ident, $name:expr) => {};
}

binary_methods! {
    Fmod, "fmod", fmod, fmod_, number;
    Atan2, "atan2", atan2, atan2_, tensor;
    Atan2, "atan2", arctan2, arctan2_, tensor;
    Hypot, "hypot", hypot, hypot_, tensor;
    Copysign, "copysign", copysign, copysign_, number;
    Nextafter, "nextafter", nextafter, nextafter_, tensor;
    Xlogy, "xlogy", xlogy, xlogy_, number;
    Maximum, "maximum", maximum, maximum_, tensor;
    Minimum, "minimum", minimum, minimum_, tensor;
    Fmax, "fmax", fmax, fmax_, tensor;
    Fmin, "fmin", fmin, fmin_, tensor;
    LogicalAnd, "logical_and", logical_and, logical_and_, tensor;
    LogicalOr, "logical_or", logical_or, logical_or_, tensor;
    LogicalXor, "logical_xor", logical_xor, logical_xor_, tensor;
    DivFloor, "floor_divide", floor_divide, floor_divide_, number;
}

/// torch.special's binary ops: no Tensor methods in torch, so private ones that the rows of
/// python/rstorch/_ops/special.py call (recorded under their backward keys).
#[pymethods]
impl PyTensor {
    fn _special_xlog1py<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        method(slf, other, BinaryOp::Xlog1py, "special_xlog1py")
    }
    fn _special_zeta<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        method(slf, other, BinaryOp::Zeta, "special_zeta")
    }
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (other, *, rounding_mode=None))]
    fn div<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>, rounding_mode: Option<&str>) -> PyResult<Bound<'py, PyAny>> {
        div_impl(slf, other, rounding_mode, false).and_then(|r| not_implemented_to_type_error(r, other, "div"))
    }
    #[pyo3(signature = (other, *, rounding_mode=None))]
    fn div_<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>, rounding_mode: Option<&str>) -> PyResult<Bound<'py, PyAny>> {
        let op = div_op(rounding_mode)?;
        if op == BinaryOp::Div {
            return inplace(slf, other, op, "div_");
        }
        operand(other, "div", "other")?; // torch's TypeError for a non-number
        let kw = PyDict::new(slf.py());
        kw.set_item("rounding_mode", rounding_mode)?;
        inplace_kw(slf, other, op, "div_", Some(&kw))
    }
    fn __truediv__<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        binop(slf, other, BinaryOp::Div, "div", false)
    }
    fn __rtruediv__<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        binop(slf, other, BinaryOp::Div, "rdiv", true)
    }
    fn __itruediv__<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<()> {
        inplace_dunder(slf, other, BinaryOp::Div, "div_")
    }
    fn __floordiv__<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        binop(slf, other, BinaryOp::DivFloor, "floor_divide", false)
    }
    fn __rfloordiv__<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        binop(slf, other, BinaryOp::DivFloor, "rfloor_divide", true)
    }
    fn __ifloordiv__<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<()> {
        inplace_dunder(slf, other, BinaryOp::DivFloor, "floor_divide_")
    }

    fn __pow__<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>, _modulo: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        binop(slf, other, BinaryOp::Pow, "pow", false)
    }
    fn __rpow__<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>, _modulo: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        binop(slf, other, BinaryOp::Pow, "rpow", true)
    }
    fn __ipow__<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>, _modulo: &Bound<'py, PyAny>) -> PyResult<()> {
        inplace_dunder(slf, other, BinaryOp::Pow, "pow_")
    }
    fn pow<'py>(slf: &Bound<'py, Self>, exponent: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        method(slf, exponent, BinaryOp::Pow, "pow")
    }
    fn pow_<'py>(slf: &Bound<'py, Self>, exponent: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        inplace(slf, exponent, BinaryOp::Pow, "pow_")
    }

    /// `self ** exponent` in float64.
    fn float_power<'py>(slf: &Bound<'py, Self>, exponent: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let o = operand(exponent, "float_power", "exponent")?;
        let me = slf.borrow();
        let (a, tracked) = (me.t.clone(), me.tracks_grad() || o.tracks_grad());
        drop(me);
        let n = a.numel().max(o.numel());
        dispatch::run(py, Call::new("float_power", tracked, n, a.device()), || args_tuple(py, &[Some(slf.as_any()), Some(exponent)]), None, || {
            kernels::float_power(Arg::Tensor(&a), o.arg())
        })
    }
    fn float_power_<'py>(slf: &Bound<'py, Self>, exponent: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let d = slf.borrow().t.dtype();
        if d != rstorch::DType::Float64 {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
                "the base given to float_power_ has dtype {} but the operation's result requires dtype Double",
                d.scalar_type_name()
            )));
        }
        operand(exponent, "float_power", "exponent")?; // torch's TypeError for a non-number
        // self is float64, so pow computes in float64 like float_power
        inplace(slf, exponent, BinaryOp::Pow, "float_power_")
    }

    #[pyo3(signature = (other, rtol=1e-05, atol=1e-08, equal_nan=false))]
    fn isclose<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>, rtol: f64, atol: f64, equal_nan: bool) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let (a, b) = (slf.borrow().t.clone(), super::tensor_of(other)?);
        let n = a.numel().max(b.numel());
        dispatch::run(py, Call::new("isclose", false, n, a.device()), || unreachable_args(py), None, || kernels::isclose(&a, &b, rtol, atol, equal_nan))
    }
    #[pyo3(signature = (other, rtol=1e-05, atol=1e-08, equal_nan=false))]
    fn allclose(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>, rtol: f64, atol: f64, equal_nan: bool) -> PyResult<bool> {
        let (a, b) = (slf.borrow().t.clone(), super::tensor_of(other)?);
        dispatch::kernel(slf.py(), "allclose", a.device(), a.numel(), || kernels::allclose(&a, &b, rtol, atol, equal_nan))
    }
    fn equal(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let (a, b) = (slf.borrow().t.clone(), super::tensor_of(other)?);
        dispatch::kernel(slf.py(), "equal", a.device(), a.numel(), || kernels::equal(&a, &b))
    }
}
