//! Unary elementwise ops as Tensor methods (`exp`, `exp_`) and `_C` functions
//! (`exp(input, *, out=None)`). Aliases (`absolute`, `arcsin`, `fix`...), `positive` and the
//! module-level in-place forms (`rstorch.exp_`) are added in python/rstorch/_ops/unary.py.

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use rstorch::ops::unary::{unary, unary_, UnaryOp};
use rstorch::DType;

use super::elementwise::can_cast;
use super::{out_requires_grad_error, PyTensor};
use crate::dispatch::{self, Call};
use crate::error::IntoPy;

/// How an `out=` tensor must relate to the result; torch's checks differ between ops.
#[derive(Clone, Copy)]
enum OutRule {
    /// The result dtype must be castable to out's (float ops: out may be any float dtype).
    Cast,
    /// out must have the result's dtype exactly ("Found dtype Double but expected Float").
    Exact,
    /// nan_to_num's own wording of `Exact`.
    SameAsInput,
    /// out must be bool (isposinf / isneginf).
    Bool,
    /// Any dtype (logical_not).
    Any,
    /// The function takes no `out` (isnan, relu...).
    NoOut,
}

/// `name(input)`: compute, then record for autograd when the op is differentiable and
/// `input` tracks grad. `kwargs` are the op's parameters as the user passed them.
fn forward<'py>(
    input: &Bound<'py, PyTensor>,
    op: UnaryOp,
    name: &str,
    differentiable: bool,
    kwargs: Option<Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = input.py();
    let me = input.borrow();
    let (t, tracked) = (me.t.clone(), differentiable && me.tracks_grad());
    drop(me);
    dispatch::run(py, Call::on(name, tracked, &t), || PyTuple::new(py, [input.clone().into_any()]), kwargs.as_ref(), || unary(op, &t))
}

/// `name_(self)`: in place, or through the autograd path when self tracks grad.
fn forward_<'py>(slf: &Bound<'py, PyTensor>, op: UnaryOp, name: &str, kwargs: Option<Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
    let me = slf.borrow();
    let (t, tracked) = (me.t.clone(), me.tracks_grad());
    drop(me);
    let args = || PyTuple::new(slf.py(), [slf.clone().into_any()]);
    dispatch::run_inplace(slf, Call::on(name, tracked, &t), args, kwargs.as_ref(), || unary_(op, &t))
}

fn as_tensor<'a, 'py>(obj: &'a Bound<'py, PyAny>, name: &str, arg: &str, pos: usize) -> PyResult<&'a Bound<'py, PyTensor>> {
    obj.cast::<PyTensor>().map_err(|_| {
        let got = obj.get_type().name().map(|n| n.to_string()).unwrap_or_default();
        let pos = if pos > 0 { format!(" (position {pos})") } else { String::new() };
        PyTypeError::new_err(format!("{name}(): argument '{arg}'{pos} must be Tensor, not {got}"))
    })
}

/// The function form `name(input, ..., *, out=None)`.
fn function<'py>(
    input: &Bound<'py, PyAny>,
    op: UnaryOp,
    name: &str,
    rule: OutRule,
    differentiable: bool,
    out: Option<&Bound<'py, PyAny>>,
    kwargs: Option<Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let input = as_tensor(input, name, "input", 1)?;
    let out = match out {
        Some(o) if !o.is_none() => o,
        _ => return forward(input, op, name, differentiable, kwargs),
    };
    if matches!(rule, OutRule::NoOut) {
        return Err(PyTypeError::new_err(format!("{name}() got an unexpected keyword argument 'out'")));
    }
    let out = as_tensor(out, name, "out", 0)?;
    let me = input.borrow();
    if differentiable && me.tracks_grad() {
        return Err(out_requires_grad_error(name));
    }
    let t = me.t.clone();
    drop(me);
    let py = input.py();
    let r = dispatch::compute(py, Call::on(name, false, &t), || unary(op, &t))?;
    let (res, want, inp) = (r.dtype(), out.borrow().t.dtype(), t.dtype());
    let bad = match rule {
        OutRule::Cast if !can_cast(res, want) => Some(format!("result type {res} can't be cast to the desired output type {want}")),
        OutRule::Exact if want != res => Some(format!("Found dtype {want} but expected {res}")),
        OutRule::SameAsInput if want != inp => Some(format!("nan_to_num: dtype of out: {want} should be same as input: {inp}")),
        OutRule::Bool if want != DType::Bool => Some(format!("{name} does not support non-boolean outputs.")),
        _ => None,
    };
    if let Some(msg) = bad {
        return Err(PyRuntimeError::new_err(msg));
    }
    write_out(out, r)?;
    Ok(out.clone().into_any())
}

/// Store a result in `out=`: copied in when the shapes match, else `out` is resized to the
/// result (torch resizes too, with a deprecation warning when out was not empty).
fn write_out(out: &Bound<'_, PyTensor>, r: rstorch::Tensor) -> PyResult<()> {
    let dst = out.borrow().t.clone();
    if dst.shape() == r.shape() {
        dispatch::compute(out.py(), Call::on("copy_", false, &dst), || dst.copy_(&r))
    } else {
        out.borrow_mut().t = r.to_dtype(dst.dtype()).py_err()?;
        Ok(())
    }
}

/// Ops without parameters: `method`, optional in-place `imethod`, and the `_C` function
/// `method(input, *, out=None)`; `diff` says whether autograd records the op.
macro_rules! plain_ops {
    ($( $method:ident [$($imethod:ident)?] $op:ident $rule:ident $diff:literal; )*) => {
        #[pymethods]
        impl PyTensor {
            $(
                fn $method<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
                    forward(slf, UnaryOp::$op, stringify!($method), $diff, None)
                }
                $(
                    fn $imethod<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
                        forward_(slf, UnaryOp::$op, stringify!($imethod), None)
                    }
                )?
            )*
        }

        mod funcs {
            use super::*;
            $(
                #[pyfunction]
                #[pyo3(signature = (input, *, out=None))]
                pub fn $method<'py>(input: &Bound<'py, PyAny>, out: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
                    function(input, UnaryOp::$op, stringify!($method), OutRule::$rule, $diff, out, None)
                }
            )*
        }

        fn register_plain(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $( m.add_function(wrap_pyfunction!(funcs::$method, m)?)?; )*
            Ok(())
        }
    };
}

plain_ops! {
    abs [abs_] Abs Exact true;
    neg [neg_] Neg Exact true;
    sign [sign_] Sign Exact true;
    sgn [sgn_] Sign Exact true;
    square [square_] Square Cast true;
    floor [floor_] Floor Exact true;
    ceil [ceil_] Ceil Exact true;
    trunc [trunc_] Trunc Exact true;
    frac [frac_] Frac Exact true;
    relu [relu_] Relu NoOut true;
    bitwise_not [bitwise_not_] BitwiseNot Exact false;
    exp [exp_] Exp Cast true;
    exp2 [exp2_] Exp2 Cast true;
    expm1 [expm1_] Expm1 Cast true;
    log [log_] Log Cast true;
    log2 [log2_] Log2 Cast true;
    log10 [log10_] Log10 Cast true;
    log1p [log1p_] Log1p Cast true;
    sqrt [sqrt_] Sqrt Cast true;
    rsqrt [rsqrt_] Rsqrt Cast true;
    reciprocal [reciprocal_] Reciprocal Cast true;
    sin [sin_] Sin Cast true;
    cos [cos_] Cos Cast true;
    tan [tan_] Tan Cast true;
    asin [asin_] Asin Cast true;
    acos [acos_] Acos Cast true;
    atan [atan_] Atan Cast true;
    sinh [sinh_] Sinh Cast true;
    cosh [cosh_] Cosh Cast true;
    tanh [tanh_] Tanh Cast true;
    asinh [asinh_] Asinh Cast true;
    acosh [acosh_] Acosh Cast true;
    atanh [atanh_] Atanh Cast true;
    sigmoid [sigmoid_] Sigmoid Cast true;
    erf [erf_] Erf Cast true;
    erfc [erfc_] Erfc Cast true;
    erfinv [erfinv_] Erfinv Cast true;
    isnan [] IsNan NoOut false;
    isinf [] IsInf NoOut false;
    isposinf [] IsPosInf Bool false;
    isneginf [] IsNegInf Bool false;
    isfinite [] IsFinite NoOut false;
    isreal [] IsReal NoOut false;
    logical_not [logical_not_] LogicalNot Any false;
}

fn kwargs<'py>(py: Python<'py>, items: &[(&str, Bound<'py, PyAny>)]) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in items {
        d.set_item(*k, v)?;
    }
    Ok(d)
}

/// `round()` / `round(decimals=)`. torch's `round.decimals` overload has no integer kernel even
/// for decimals=0, while plain `round()` leaves integers as they are.
fn round_op<'py>(input: &Bound<'py, PyAny>, decimals: Option<i64>) -> PyResult<(UnaryOp, Option<Bound<'py, PyDict>>)> {
    let py = input.py();
    if decimals == Some(0) {
        if let Ok(t) = input.cast::<PyTensor>() {
            let d = t.borrow().t.dtype();
            if !d.is_floating_point() {
                return Err(rstorch::Error::unsupported("round_vml_cpu", d)).py_err();
            }
        }
    }
    let decimals = decimals.unwrap_or(0);
    let kw = if decimals != 0 { Some(kwargs(py, &[("decimals", decimals.into_pyobject(py)?.into_any())])?) } else { None };
    Ok((UnaryOp::Round { decimals }, kw))
}

fn logit_op<'py>(py: Python<'py>, eps: Option<f64>) -> PyResult<(UnaryOp, Option<Bound<'py, PyDict>>)> {
    Ok((UnaryOp::Logit { eps }, Some(kwargs(py, &[("eps", eps.into_pyobject(py)?.into_any())])?)))
}

fn nan_to_num_op<'py>(py: Python<'py>, nan: Option<f64>, posinf: Option<f64>, neginf: Option<f64>) -> PyResult<(UnaryOp, Option<Bound<'py, PyDict>>)> {
    let kw = kwargs(
        py,
        &[
            ("nan", nan.into_pyobject(py)?.into_any()),
            ("posinf", posinf.into_pyobject(py)?.into_any()),
            ("neginf", neginf.into_pyobject(py)?.into_any()),
        ],
    )?;
    Ok((UnaryOp::NanToNum { nan: nan.unwrap_or(0.0), posinf, neginf }, Some(kw)))
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (*, decimals=None))]
    fn round<'py>(slf: &Bound<'py, Self>, decimals: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        let (op, kw) = round_op(slf.as_any(), decimals)?;
        forward(slf, op, "round", true, kw)
    }
    #[pyo3(signature = (*, decimals=None))]
    fn round_<'py>(slf: &Bound<'py, Self>, decimals: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        let (op, kw) = round_op(slf.as_any(), decimals)?;
        forward_(slf, op, "round_", kw)
    }

    #[pyo3(signature = (eps=None))]
    fn logit<'py>(slf: &Bound<'py, Self>, eps: Option<f64>) -> PyResult<Bound<'py, PyAny>> {
        let (op, kw) = logit_op(slf.py(), eps)?;
        forward(slf, op, "logit", true, kw)
    }
    #[pyo3(signature = (eps=None))]
    fn logit_<'py>(slf: &Bound<'py, Self>, eps: Option<f64>) -> PyResult<Bound<'py, PyAny>> {
        let (op, kw) = logit_op(slf.py(), eps)?;
        forward_(slf, op, "logit_", kw)
    }

    #[pyo3(signature = (nan=None, posinf=None, neginf=None))]
    fn nan_to_num<'py>(slf: &Bound<'py, Self>, nan: Option<f64>, posinf: Option<f64>, neginf: Option<f64>) -> PyResult<Bound<'py, PyAny>> {
        let (op, kw) = nan_to_num_op(slf.py(), nan, posinf, neginf)?;
        forward(slf, op, "nan_to_num", true, kw)
    }
    #[pyo3(signature = (nan=None, posinf=None, neginf=None))]
    fn nan_to_num_<'py>(slf: &Bound<'py, Self>, nan: Option<f64>, posinf: Option<f64>, neginf: Option<f64>) -> PyResult<Bound<'py, PyAny>> {
        let (op, kw) = nan_to_num_op(slf.py(), nan, posinf, neginf)?;
        forward_(slf, op, "nan_to_num_", kw)
    }

    fn __abs__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        forward(slf, UnaryOp::Abs, "abs", true, None)
    }

    /// `~x`: logical not on bool, bitwise not on integers; floats are a TypeError (as in torch).
    fn __invert__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        if slf.borrow().t.dtype().is_floating_point() {
            return Err(PyTypeError::new_err("~ (operator.invert) is only implemented on integer and Boolean-type tensors"));
        }
        forward(slf, UnaryOp::BitwiseNot, "bitwise_not", false, None)
    }
}

#[pyfunction(name = "round")]
#[pyo3(signature = (input, *, decimals=None, out=None))]
fn round_fn<'py>(input: &Bound<'py, PyAny>, decimals: Option<i64>, out: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
    let (op, kw) = round_op(input, decimals)?;
    function(input, op, "round", OutRule::Exact, true, out, kw)
}

#[pyfunction(name = "logit")]
#[pyo3(signature = (input, eps=None, *, out=None))]
fn logit_fn<'py>(input: &Bound<'py, PyAny>, eps: Option<f64>, out: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
    let (op, kw) = logit_op(input.py(), eps)?;
    function(input, op, "logit", OutRule::Cast, true, out, kw)
}

#[pyfunction(name = "nan_to_num")]
#[pyo3(signature = (input, nan=None, posinf=None, neginf=None, *, out=None))]
fn nan_to_num_fn<'py>(
    input: &Bound<'py, PyAny>,
    nan: Option<f64>,
    posinf: Option<f64>,
    neginf: Option<f64>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let (op, kw) = nan_to_num_op(input.py(), nan, posinf, neginf)?;
    function(input, op, "nan_to_num", OutRule::SameAsInput, true, out, kw)
}

/// Add this family's module-level functions to `_C`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    register_plain(m)?;
    m.add_function(wrap_pyfunction!(round_fn, m)?)?;
    m.add_function(wrap_pyfunction!(logit_fn, m)?)?;
    m.add_function(wrap_pyfunction!(nan_to_num_fn, m)?)?;
    Ok(())
}
