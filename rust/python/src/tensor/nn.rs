//! The fused nn kernels as `_C` functions (the kernels are rust/core/src/ops/nn/; the public
//! forms, with torch's argument checks, are python/rstorch/nn/_functional/fused.py and
//! python/rstorch/_ops/nn.py).
//!
//! - `_cross_entropy(input, target, weight, reduction, ignore_index, label_smoothing)` ->
//!   `(loss, lse)`, recorded as `_cross_entropy` (node NllLossBackward0, rule in
//!   rstorch/autograd/rules/nn.py) when input tracks grad; `_cross_entropy_backward(...)`.
//! - `_native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum,
//!   eps)` -> `(out, save_mean, save_invstd)`, recorded as `_native_batch_norm` (node
//!   NativeBatchNormBackward0); `_native_batch_norm_backward(...)` -> the three gradients.
//! - `_native_layer_norm(input, normalized_ndim, weight, bias, eps)` -> `(out, mean, rstd)`
//!   (node NativeLayerNormBackward0); `_native_layer_norm_backward(...)`.
//!
//! Every call goes through the gateway (crate::dispatch): device routing, the GIL released for
//! big inputs, errors converted once, the autograd node recorded.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use rstorch::ops::nn::loss::{self, CrossEntropy};
use rstorch::ops::nn::{norm, Reduction};
use rstorch::Tensor;

use super::{wrap, PyTensor};
use crate::dispatch::{self, Call};
use crate::error::IntoPy;

/// A tensor argument and whether it tracks grad.
fn arg(obj: &Bound<'_, PyAny>, fname: &str, name: &str) -> PyResult<(Tensor, bool)> {
    match obj.cast::<PyTensor>() {
        Ok(t) => {
            let t = t.borrow();
            Ok((t.t.clone(), t.tracks_grad()))
        }
        Err(_) => Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "{fname}(): argument '{name}' must be Tensor, not {}",
            obj.get_type().name()?
        ))),
    }
}

/// An optional tensor argument (None or absent: no tensor).
fn opt_arg(obj: Option<&Bound<'_, PyAny>>, fname: &str, name: &str) -> PyResult<Option<(Tensor, bool)>> {
    match obj {
        Some(o) if !o.is_none() => arg(o, fname, name).map(Some),
        _ => Ok(None),
    }
}

fn none_or<'py>(py: Python<'py>, o: Option<&Bound<'py, PyAny>>) -> Bound<'py, PyAny> {
    o.cloned().unwrap_or_else(|| py.None().into_bound(py))
}

/// The (input, weight, bias) gradients of a backward kernel as a tuple (None where not asked).
fn grads3(py: Python<'_>, gs: [Option<Tensor>; 3]) -> PyResult<Bound<'_, PyAny>> {
    let items = gs.into_iter().map(|g| g.map_or_else(|| Ok(py.None().into_bound(py)), |g| wrap(py, g))).collect::<PyResult<Vec<_>>>()?;
    Ok(PyTuple::new(py, items)?.into_any())
}

fn options(reduction: i64, ignore_index: i64, label_smoothing: f64) -> PyResult<CrossEntropy> {
    Ok(CrossEntropy { reduction: Reduction::from_enum(reduction).py_err()?, ignore_index, label_smoothing })
}

#[pyfunction]
#[pyo3(signature = (input, target, weight, reduction, ignore_index, label_smoothing))]
fn _cross_entropy<'py>(
    py: Python<'py>,
    input: &Bound<'py, PyAny>,
    target: &Bound<'py, PyAny>,
    weight: Option<&Bound<'py, PyAny>>,
    reduction: i64,
    ignore_index: i64,
    label_smoothing: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let (x, tracked) = arg(input, "_cross_entropy", "input")?;
    let (t, _) = arg(target, "_cross_entropy", "target")?;
    let w = opt_arg(weight, "_cross_entropy", "weight")?.map(|w| w.0);
    let o = options(reduction, ignore_index, label_smoothing)?;
    let kw = if tracked {
        let d = PyDict::new(py);
        d.set_item("reduction", reduction)?;
        d.set_item("ignore_index", ignore_index)?;
        d.set_item("label_smoothing", label_smoothing)?;
        Some(d)
    } else {
        None
    };
    let args = || PyTuple::new(py, [input.clone(), target.clone(), none_or(py, weight)]);
    dispatch::run(py, Call::on("_cross_entropy", tracked, &x), args, kw.as_ref(), || loss::cross_entropy(&x, &t, w.as_ref(), o))
}

#[pyfunction]
#[pyo3(signature = (grad, input, target, weight, lse, reduction, ignore_index, label_smoothing))]
#[allow(clippy::too_many_arguments)]
fn _cross_entropy_backward<'py>(
    py: Python<'py>,
    grad: &Bound<'py, PyAny>,
    input: &Bound<'py, PyAny>,
    target: &Bound<'py, PyAny>,
    weight: Option<&Bound<'py, PyAny>>,
    lse: &Bound<'py, PyAny>,
    reduction: i64,
    ignore_index: i64,
    label_smoothing: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let f = "_cross_entropy_backward";
    let (g, _) = arg(grad, f, "grad")?;
    let (x, _) = arg(input, f, "input")?;
    let (t, _) = arg(target, f, "target")?;
    let (l, _) = arg(lse, f, "lse")?;
    let w = opt_arg(weight, f, "weight")?.map(|w| w.0);
    let o = options(reduction, ignore_index, label_smoothing)?;
    let out = dispatch::kernel(py, "nll_loss_backward", x.device(), x.numel(), || loss::cross_entropy_backward(&g, &x, &t, w.as_ref(), &l, o))?;
    wrap(py, out)
}

#[pyfunction]
#[pyo3(signature = (input, weight, bias, running_mean, running_var, training, momentum, eps))]
#[allow(clippy::too_many_arguments)]
fn _native_batch_norm<'py>(
    py: Python<'py>,
    input: &Bound<'py, PyAny>,
    weight: Option<&Bound<'py, PyAny>>,
    bias: Option<&Bound<'py, PyAny>>,
    running_mean: Option<&Bound<'py, PyAny>>,
    running_var: Option<&Bound<'py, PyAny>>,
    training: bool,
    momentum: f64,
    eps: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let f = "_native_batch_norm";
    let (x, tx) = arg(input, f, "input")?;
    let w = opt_arg(weight, f, "weight")?;
    let b = opt_arg(bias, f, "bias")?;
    let rm = opt_arg(running_mean, f, "running_mean")?.map(|t| t.0);
    let rv = opt_arg(running_var, f, "running_var")?.map(|t| t.0);
    let tracked = tx || w.as_ref().is_some_and(|w| w.1) || b.as_ref().is_some_and(|b| b.1);
    let (w, b) = (w.map(|w| w.0), b.map(|b| b.0));
    let kw = if tracked {
        let d = PyDict::new(py);
        d.set_item("training", training)?;
        d.set_item("momentum", momentum)?;
        d.set_item("eps", eps)?;
        Some(d)
    } else {
        None
    };
    // the recorded args: the differentiable ones (running stats are buffers without history)
    let args = || PyTuple::new(py, [input.clone(), none_or(py, weight), none_or(py, bias)]);
    dispatch::run(py, Call::on("_native_batch_norm", tracked, &x), args, kw.as_ref(), || {
        norm::batch_norm(&x, w.as_ref(), b.as_ref(), rm.as_ref(), rv.as_ref(), training, momentum, eps).map(|(o, m, i)| vec![o, m, i])
    })
}

#[pyfunction]
#[pyo3(signature = (grad, input, weight, save_mean, save_invstd, training, need_input, need_weight, need_bias))]
#[allow(clippy::too_many_arguments)]
fn _native_batch_norm_backward<'py>(
    py: Python<'py>,
    grad: &Bound<'py, PyAny>,
    input: &Bound<'py, PyAny>,
    weight: Option<&Bound<'py, PyAny>>,
    save_mean: &Bound<'py, PyAny>,
    save_invstd: &Bound<'py, PyAny>,
    training: bool,
    need_input: bool,
    need_weight: bool,
    need_bias: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let f = "_native_batch_norm_backward";
    let (g, _) = arg(grad, f, "grad")?;
    let (x, _) = arg(input, f, "input")?;
    let w = opt_arg(weight, f, "weight")?.map(|w| w.0);
    let (m, _) = arg(save_mean, f, "save_mean")?;
    let (i, _) = arg(save_invstd, f, "save_invstd")?;
    let need = [need_input, need_weight, need_bias];
    let (dx, dw, db) = dispatch::kernel(py, "native_batch_norm_backward", x.device(), x.numel(), || norm::batch_norm_backward(&g, &x, w.as_ref(), &m, &i, training, need))?;
    grads3(py, [dx, dw, db])
}

/// The element count of input's trailing `k` dims and the shape of its statistics (torch's:
/// the leading dims, then k ones).
fn ln_geometry(x: &Tensor, k: usize) -> PyResult<(usize, Vec<i64>, Vec<i64>)> {
    let s = x.shape();
    if k == 0 || k > s.len() {
        return Err(pyo3::exceptions::PyRuntimeError::new_err(format!("layer_norm: {k} normalized dims for a {}-d input", s.len())));
    }
    let lead = s.len() - k;
    let n = s[lead..].iter().product();
    let stats = s[..lead].iter().map(|&d| d as i64).chain(std::iter::repeat_n(1, k)).collect();
    let tail = s[lead..].iter().map(|&d| d as i64).collect();
    Ok((n, stats, tail))
}

#[pyfunction]
#[pyo3(signature = (input, normalized_ndim, weight, bias, eps))]
fn _native_layer_norm<'py>(
    py: Python<'py>,
    input: &Bound<'py, PyAny>,
    normalized_ndim: usize,
    weight: Option<&Bound<'py, PyAny>>,
    bias: Option<&Bound<'py, PyAny>>,
    eps: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let f = "_native_layer_norm";
    let (x, tx) = arg(input, f, "input")?;
    let w = opt_arg(weight, f, "weight")?;
    let b = opt_arg(bias, f, "bias")?;
    let tracked = tx || w.as_ref().is_some_and(|w| w.1) || b.as_ref().is_some_and(|b| b.1);
    let (w, b) = (w.map(|w| w.0), b.map(|b| b.0));
    let (n, stats, _) = ln_geometry(&x, normalized_ndim)?;
    let kw = if tracked {
        let d = PyDict::new(py);
        d.set_item("normalized_ndim", normalized_ndim)?;
        d.set_item("eps", eps)?;
        Some(d)
    } else {
        None
    };
    let args = || PyTuple::new(py, [input.clone(), none_or(py, weight), none_or(py, bias)]);
    dispatch::run(py, Call::on("_native_layer_norm", tracked, &x), args, kw.as_ref(), || {
        let (o, m, r) = norm::layer_norm(&x, n, w.as_ref(), b.as_ref(), eps)?;
        Ok(vec![o, m.view(&stats)?, r.view(&stats)?])
    })
}

#[pyfunction]
#[pyo3(signature = (grad, input, normalized_ndim, weight, mean, rstd, need_input, need_weight, need_bias))]
#[allow(clippy::too_many_arguments)]
fn _native_layer_norm_backward<'py>(
    py: Python<'py>,
    grad: &Bound<'py, PyAny>,
    input: &Bound<'py, PyAny>,
    normalized_ndim: usize,
    weight: Option<&Bound<'py, PyAny>>,
    mean: &Bound<'py, PyAny>,
    rstd: &Bound<'py, PyAny>,
    need_input: bool,
    need_weight: bool,
    need_bias: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let f = "_native_layer_norm_backward";
    let (g, _) = arg(grad, f, "grad")?;
    let (x, _) = arg(input, f, "input")?;
    let w = opt_arg(weight, f, "weight")?.map(|w| w.0);
    let (m, _) = arg(mean, f, "mean")?;
    let (r, _) = arg(rstd, f, "rstd")?;
    let (n, _, tail) = ln_geometry(&x, normalized_ndim)?;
    let need = [need_input, need_weight, need_bias];
    let (dx, dw, db) = dispatch::kernel(py, "native_layer_norm_backward", x.device(), x.numel(), || {
        let (dx, dw, db) = norm::layer_norm_backward(&g, &x, n, w.as_ref(), &m, &r, need)?;
        Ok((dx, dw.map(|t| t.view(&tail)).transpose()?, db.map(|t| t.view(&tail)).transpose()?))
    })?;
    grads3(py, [dx, dw, db])
}

/// Add this family's `_C` functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_cross_entropy, m)?)?;
    m.add_function(wrap_pyfunction!(_cross_entropy_backward, m)?)?;
    m.add_function(wrap_pyfunction!(_native_batch_norm, m)?)?;
    m.add_function(wrap_pyfunction!(_native_batch_norm_backward, m)?)?;
    m.add_function(wrap_pyfunction!(_native_layer_norm, m)?)?;
    m.add_function(wrap_pyfunction!(_native_layer_norm_backward, m)?)?;
    Ok(())
}
