//! Convolution and im2col/col2im as `_C` functions (rust/core/src/ops/nn/conv.rs), wrapped by
//! python/rstorch/_ops/conv.py (`torch.convolution`, `conv1d`...) and
//! python/rstorch/nn/_functional/conv.py (`F.unfold`, `F.fold`). Every call goes through the
//! gateway (crate::dispatch), which records it for autograd under the name its rule has in
//! python/rstorch/autograd/rules/conv.py.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rstorch::ops::nn::conv;
use rstorch::Tensor;

use super::linalg::tensor_arg;
use crate::dispatch::{self, Call};

/// The work that decides the GIL release: the output's elements times the kernel's.
fn work(a: &Tensor, b: &Tensor) -> usize {
    a.numel().saturating_mul(b.shape().get(2..).map_or(1, |k| k.iter().product::<usize>().max(1)))
}

/// `torch.convolution(input, weight, bias, stride, padding, dilation, transposed,
/// output_padding, groups)`, recorded as "convolution" (ConvolutionBackward0).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn convolution<'py>(
    input: &Bound<'py, PyAny>,
    weight: &Bound<'py, PyAny>,
    bias: &Bound<'py, PyAny>,
    stride: Vec<i64>,
    padding: Vec<i64>,
    dilation: Vec<i64>,
    transposed: bool,
    output_padding: Vec<i64>,
    groups: i64,
) -> PyResult<Bound<'py, PyAny>> {
    let py = input.py();
    let (x, tx) = tensor_arg(input, "convolution", "input", 1)?;
    let (w, tw) = tensor_arg(weight, "convolution", "weight", 2)?;
    let (b, tb) = if bias.is_none() { (None, false) } else { tensor_arg(bias, "convolution", "bias", 3).map(|(b, t)| (Some(b), t))? };
    let args = || {
        PyTuple::new(
            py,
            [
                input.clone(),
                weight.clone(),
                bias.clone(),
                stride.clone().into_pyobject(py)?.into_any(),
                padding.clone().into_pyobject(py)?.into_any(),
                dilation.clone().into_pyobject(py)?.into_any(),
                transposed.into_pyobject(py)?.to_owned().into_any(),
                output_padding.clone().into_pyobject(py)?.into_any(),
                groups.into_pyobject(py)?.into_any(),
            ],
        )
    };
    let call = Call::new("convolution", tx || tw || tb, work(&x, &w), x.device());
    dispatch::run(py, call, args, None, || {
        conv::convolution(&x, &w, b.as_ref(), &stride, &padding, &dilation, transposed, &output_padding, groups)
    })
}

/// The weight gradient of a (non-transposed) convolution, recorded as
/// "_convolution_backward_weight" (its own rule makes double backward work).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _convolution_backward_weight<'py>(
    input: &Bound<'py, PyAny>,
    grad_output: &Bound<'py, PyAny>,
    weight_size: Vec<usize>,
    stride: Vec<i64>,
    padding: Vec<i64>,
    dilation: Vec<i64>,
    groups: i64,
) -> PyResult<Bound<'py, PyAny>> {
    let py = input.py();
    let (x, tx) = tensor_arg(input, "_convolution_backward_weight", "input", 1)?;
    let (gy, tg) = tensor_arg(grad_output, "_convolution_backward_weight", "grad_output", 2)?;
    let args = || {
        PyTuple::new(
            py,
            [
                input.clone(),
                grad_output.clone(),
                weight_size.clone().into_pyobject(py)?.into_any(),
                stride.clone().into_pyobject(py)?.into_any(),
                padding.clone().into_pyobject(py)?.into_any(),
                dilation.clone().into_pyobject(py)?.into_any(),
                groups.into_pyobject(py)?.into_any(),
            ],
        )
    };
    let wk = gy.numel().saturating_mul(weight_size.get(2..).map_or(1, |k| k.iter().product::<usize>().max(1)));
    let call = Call::new("_convolution_backward_weight", tx || tg, wk, x.device());
    dispatch::run(py, call, args, None, || conv::convolution_backward_weight(&x, &gy, &weight_size, &stride, &padding, &dilation, groups))
}

fn pair(v: &[i64], what: &str) -> PyResult<[i64; 2]> {
    match v {
        [a] => Ok([*a, *a]),
        [a, b] => Ok([*a, *b]),
        _ => Err(PyTypeError::new_err(format!("{what} must be an int or a pair of ints"))),
    }
}

/// `F.unfold`'s kernel (torch's im2col), recorded as "im2col".
#[pyfunction]
fn im2col<'py>(input: &Bound<'py, PyAny>, kernel_size: Vec<i64>, dilation: Vec<i64>, padding: Vec<i64>, stride: Vec<i64>) -> PyResult<Bound<'py, PyAny>> {
    let py = input.py();
    let (x, tx) = tensor_arg(input, "im2col", "input", 1)?;
    let (k, d, p, s) = (pair(&kernel_size, "kernel_size")?, pair(&dilation, "dilation")?, pair(&padding, "padding")?, pair(&stride, "stride")?);
    let args = || {
        PyTuple::new(
            py,
            [input.clone(), k.into_pyobject(py)?.into_any(), d.into_pyobject(py)?.into_any(), p.into_pyobject(py)?.into_any(), s.into_pyobject(py)?.into_any()],
        )
    };
    let wk = x.numel().saturating_mul((k[0] * k[1]).max(1) as usize);
    dispatch::run(py, Call::new("im2col", tx, wk, x.device()), args, None, || conv::im2col(&x, k, d, p, s))
}

/// `F.fold`'s kernel (torch's col2im), recorded as "col2im".
#[pyfunction]
fn col2im<'py>(
    input: &Bound<'py, PyAny>,
    output_size: Vec<i64>,
    kernel_size: Vec<i64>,
    dilation: Vec<i64>,
    padding: Vec<i64>,
    stride: Vec<i64>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = input.py();
    let (x, tx) = tensor_arg(input, "col2im", "input", 1)?;
    let o = pair(&output_size, "output_size")?;
    let (k, d, p, s) = (pair(&kernel_size, "kernel_size")?, pair(&dilation, "dilation")?, pair(&padding, "padding")?, pair(&stride, "stride")?);
    let args = || {
        PyTuple::new(
            py,
            [
                input.clone(),
                o.into_pyobject(py)?.into_any(),
                k.into_pyobject(py)?.into_any(),
                d.into_pyobject(py)?.into_any(),
                p.into_pyobject(py)?.into_any(),
                s.into_pyobject(py)?.into_any(),
            ],
        )
    };
    dispatch::run(py, Call::new("col2im", tx, x.numel(), x.device()), args, None, || conv::col2im(&x, o, k, d, p, s))
}

/// Add this family's module-level functions to `_C`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(convolution, m)?)?;
    m.add_function(wrap_pyfunction!(_convolution_backward_weight, m)?)?;
    m.add_function(wrap_pyfunction!(im2col, m)?)?;
    m.add_function(wrap_pyfunction!(col2im, m)?)?;
    Ok(())
}
