//! Unary elementwise ops as Tensor methods (`exp`, `exp_`). Their op-table rows
//! (python/rstorch/_ops/unary.py) give the function forms with `out=`, the aliases
//! (`absolute`, `arcsin`, `fix`...) and the module-level in-place forms (`rstorch.exp_`).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use rstorch::ops::unary::{unary, unary_, UnaryOp};

use super::PyTensor;
use crate::dispatch::{self, Call};
use crate::error::IntoPy;

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

/// Ops without parameters: `method` and the optional in-place `imethod`; `diff` says whether
/// autograd records the op. (Their function forms, aliases and `out=` rules are rows of
/// python/rstorch/_ops/unary.py.)
macro_rules! plain_ops {
    ($( $method:ident [$($imethod:ident)?] $op:ident $diff:literal; )*) => {
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

    };
}

plain_ops! {
    abs [abs_] Abs true;
    neg [neg_] Neg true;
    sign [sign_] Sign true;
    sgn [sgn_] Sign true;
    square [square_] Square true;
    floor [floor_] Floor true;
    ceil [ceil_] Ceil true;
    trunc [trunc_] Trunc true;
    frac [frac_] Frac true;
    relu [relu_] Relu true;
    bitwise_not [bitwise_not_] BitwiseNot false;
    exp [exp_] Exp true;
    exp2 [exp2_] Exp2 true;
    expm1 [expm1_] Expm1 true;
    log [log_] Log true;
    log2 [log2_] Log2 true;
    log10 [log10_] Log10 true;
    log1p [log1p_] Log1p true;
    sqrt [sqrt_] Sqrt true;
    rsqrt [rsqrt_] Rsqrt true;
    reciprocal [reciprocal_] Reciprocal true;
    sin [sin_] Sin true;
    cos [cos_] Cos true;
    tan [tan_] Tan true;
    asin [asin_] Asin true;
    acos [acos_] Acos true;
    atan [atan_] Atan true;
    sinh [sinh_] Sinh true;
    cosh [cosh_] Cosh true;
    tanh [tanh_] Tanh true;
    asinh [asinh_] Asinh true;
    acosh [acosh_] Acosh true;
    atanh [atanh_] Atanh true;
    sigmoid [sigmoid_] Sigmoid true;
    erf [erf_] Erf true;
    erfc [erfc_] Erfc true;
    erfinv [erfinv_] Erfinv true;
    lgamma [lgamma_] Lgamma true;
    digamma [digamma_] Digamma true;
    i0 [i0_] I0 true;
    sinc [sinc_] Sinc true;
    // torch.special's own ops: no Tensor methods in torch, so private ones that
    // python/rstorch/_ops/special.py's rows call (the names are their backward keys)
    _special_i0e [] I0e true;
    _special_i1 [] I1 true;
    _special_i1e [] I1e true;
    _special_ndtri [] Ndtri true;
    _special_log_ndtr [] LogNdtr true;
    _special_erfcx [] Erfcx true;
    _special_entr [] Entr true;
    _special_bessel_j0 [] BesselJ0 true;
    _special_bessel_j1 [] BesselJ1 true;
    isnan [] IsNan false;
    isinf [] IsInf false;
    isposinf [] IsPosInf false;
    isneginf [] IsNegInf false;
    isfinite [] IsFinite false;
    isreal [] IsReal false;
    logical_not [logical_not_] LogicalNot false;
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

/// `polygamma(n)`: torch records n (PolygammaBackward0 differentiates into polygamma(n + 1)).
fn polygamma_op(py: Python<'_>, n: i64) -> PyResult<(UnaryOp, Option<Bound<'_, PyDict>>)> {
    Ok((UnaryOp::Polygamma { n }, Some(kwargs(py, &[("n", n.into_pyobject(py)?.into_any())])?)))
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

    fn polygamma<'py>(slf: &Bound<'py, Self>, n: i64) -> PyResult<Bound<'py, PyAny>> {
        let (op, kw) = polygamma_op(slf.py(), n)?;
        forward(slf, op, "polygamma", true, kw)
    }
    fn polygamma_<'py>(slf: &Bound<'py, Self>, n: i64) -> PyResult<Bound<'py, PyAny>> {
        let (op, kw) = polygamma_op(slf.py(), n)?;
        forward_(slf, op, "polygamma_", kw)
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
