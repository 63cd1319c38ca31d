//! Pooling as `_C` functions (rust/core/src/ops/nn/pool.rs), called by
//! python/rstorch/nn/_functional/pooling.py and the `rstorch.max_pool2d`-like rows of
//! python/rstorch/_ops/pool.py, which normalise the arguments (tuples of one entry per spatial
//! dim, stride defaulting to the kernel) and raise torch's argument errors first.
//!
//! A tracked call is recorded as `name(input, **arguments)` (the backwards as
//! `name(grad, input, indices)`), for the rules of python/rstorch/autograd/rules/pool.py.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use rstorch::ops::nn::pool::{self, Window};
use rstorch::Tensor;

use super::PyTensor;
use crate::dispatch;

fn me(t: &Bound<'_, PyTensor>) -> (Tensor, bool) {
    let m = t.borrow();
    (m.t.clone(), m.tracks_grad())
}

/// Record `name(*args, **kwargs)` when tracked.
fn done<'py>(
    py: Python<'py>,
    name: &str,
    tracked: bool,
    args: &[&Bound<'py, PyTensor>],
    out: Bound<'py, PyAny>,
    kwargs: impl FnOnce(&Bound<'py, PyDict>) -> PyResult<()>,
) -> PyResult<Bound<'py, PyAny>> {
    if !tracked {
        return Ok(out);
    }
    let kw = PyDict::new(py);
    kwargs(&kw)?;
    dispatch::finish(py, name, true, || PyTuple::new(py, args.iter().map(|a| (*a).clone().into_any())), Some(&kw), out)
}

fn pair<'py>(py: Python<'py>, a: Tensor, b: Tensor) -> PyResult<Bound<'py, PyAny>> {
    Ok(PyTuple::new(py, [super::wrap(py, a)?, super::wrap(py, b)?])?.into_any())
}

/// `max_pool{2,3}d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)`:
/// (values, indices). Every list has one entry per spatial dim.
#[pyfunction]
fn _max_pool<'py>(
    py: Python<'py>,
    input: &Bound<'py, PyTensor>,
    kernel_size: Vec<i64>,
    stride: Vec<i64>,
    padding: Vec<i64>,
    dilation: Vec<i64>,
    ceil_mode: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let (t, tracked) = me(input);
    let w = Window { kernel: &kernel_size, stride: &stride, padding: &padding, dilation: &dilation, ceil_mode };
    let name = if kernel_size.len() == 3 { "max_pool3d_with_indices" } else { "max_pool2d_with_indices" };
    let (v, i) = dispatch::kernel(py, name, t.device(), t.numel(), || pool::max_pool(&t, w))?;
    let out = pair(py, v, i)?;
    done(py, name, tracked, &[input], out, |kw| {
        kw.set_item("kernel_size", &kernel_size)?;
        kw.set_item("stride", &stride)?;
        kw.set_item("padding", &padding)?;
        kw.set_item("dilation", &dilation)?;
        kw.set_item("ceil_mode", ceil_mode)
    })
}

/// The backward of (adaptive) max pooling over the last `n` dims: `grad` added at `indices`
/// into zeros shaped like `input`. Recorded (for double backward) when `grad` tracks.
/// `adaptive` only names the double-backward node as torch does.
#[pyfunction]
#[pyo3(signature = (grad, input, indices, n, adaptive=false))]
fn _max_pool_backward<'py>(
    py: Python<'py>,
    grad: &Bound<'py, PyTensor>,
    input: &Bound<'py, PyTensor>,
    indices: &Bound<'py, PyTensor>,
    n: usize,
    adaptive: bool,
) -> PyResult<Bound<'py, PyAny>> {
    // recorded when the input tracks too: torch records the backward (its double backward) then
    let (g, tracked) = me(grad);
    let tracked = tracked || input.borrow().tracks_grad();
    let (x, i) = (input.borrow().t.clone(), indices.borrow().t.clone());
    let out = dispatch::kernel(py, "max_pool_backward", g.device(), x.numel().max(g.numel()), || pool::max_pool_backward(&g, &x, &i, n))?;
    done(py, "max_pool_backward", tracked, &[grad, input, indices], super::wrap(py, out)?, |kw| {
        kw.set_item("n", n)?;
        kw.set_item("adaptive", adaptive)
    })
}

/// The arguments of an average pooling, as its rules read them.
fn avg_kwargs(kw: &Bound<'_, PyDict>, k: &[i64], s: &[i64], p: &[i64], ceil_mode: bool, count_include_pad: bool, divisor_override: Option<i64>) -> PyResult<()> {
    kw.set_item("kernel_size", k)?;
    kw.set_item("stride", s)?;
    kw.set_item("padding", p)?;
    kw.set_item("ceil_mode", ceil_mode)?;
    kw.set_item("count_include_pad", count_include_pad)?;
    kw.set_item("divisor_override", divisor_override)
}

/// `avg_pool{2,3}d(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
/// divisor_override)`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _avg_pool<'py>(
    py: Python<'py>,
    input: &Bound<'py, PyTensor>,
    kernel_size: Vec<i64>,
    stride: Vec<i64>,
    padding: Vec<i64>,
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: Option<i64>,
) -> PyResult<Bound<'py, PyAny>> {
    let (t, tracked) = me(input);
    let ones = vec![1; kernel_size.len()];
    let w = Window { kernel: &kernel_size, stride: &stride, padding: &padding, dilation: &ones, ceil_mode };
    let name = if kernel_size.len() == 3 { "avg_pool3d" } else { "avg_pool2d" };
    let out = dispatch::kernel(py, name, t.device(), t.numel(), || pool::avg_pool(&t, w, count_include_pad, divisor_override))?;
    done(py, name, tracked, &[input], super::wrap(py, out)?, |kw| {
        avg_kwargs(kw, &kernel_size, &stride, &padding, ceil_mode, count_include_pad, divisor_override)
    })
}

/// The backward of average pooling (the forward's arguments); recorded when `grad` tracks.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _avg_pool_backward<'py>(
    py: Python<'py>,
    grad: &Bound<'py, PyTensor>,
    input: &Bound<'py, PyTensor>,
    kernel_size: Vec<i64>,
    stride: Vec<i64>,
    padding: Vec<i64>,
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: Option<i64>,
) -> PyResult<Bound<'py, PyAny>> {
    // recorded when the input tracks too: torch records the backward (its double backward) then
    let (g, tracked) = me(grad);
    let tracked = tracked || input.borrow().tracks_grad();
    let x = input.borrow().t.clone();
    let ones = vec![1; kernel_size.len()];
    let w = Window { kernel: &kernel_size, stride: &stride, padding: &padding, dilation: &ones, ceil_mode };
    let out = dispatch::kernel(py, "avg_pool_backward", g.device(), x.numel().max(g.numel()), || {
        pool::avg_pool_backward(&g, &x, w, count_include_pad, divisor_override)
    })?;
    done(py, "avg_pool_backward", tracked, &[grad, input], super::wrap(py, out)?, |kw| {
        avg_kwargs(kw, &kernel_size, &stride, &padding, ceil_mode, count_include_pad, divisor_override)
    })
}

/// `adaptive_max_pool{2,3}d(input, output_size)`: (values, indices).
#[pyfunction]
fn _adaptive_max_pool<'py>(py: Python<'py>, input: &Bound<'py, PyTensor>, output_size: Vec<i64>) -> PyResult<Bound<'py, PyAny>> {
    let (t, tracked) = me(input);
    let name = if output_size.len() == 3 { "adaptive_max_pool3d" } else { "adaptive_max_pool2d" };
    let (v, i) = dispatch::kernel(py, name, t.device(), t.numel(), || pool::adaptive_max_pool(&t, &output_size))?;
    let out = pair(py, v, i)?;
    done(py, name, tracked, &[input], out, |kw| kw.set_item("output_size", &output_size))
}

/// `adaptive_avg_pool{2,3}d(input, output_size)`.
#[pyfunction]
fn _adaptive_avg_pool<'py>(py: Python<'py>, input: &Bound<'py, PyTensor>, output_size: Vec<i64>) -> PyResult<Bound<'py, PyAny>> {
    let (t, tracked) = me(input);
    let name = if output_size.len() == 3 { "adaptive_avg_pool3d" } else { "adaptive_avg_pool2d" };
    let out = dispatch::kernel(py, name, t.device(), t.numel(), || pool::adaptive_avg_pool(&t, &output_size))?;
    done(py, name, tracked, &[input], super::wrap(py, out)?, |kw| kw.set_item("output_size", &output_size))
}

/// The backward of adaptive average pooling over the last `n` dims; recorded when `grad`
/// tracks.
#[pyfunction]
fn _adaptive_avg_pool_backward<'py>(py: Python<'py>, grad: &Bound<'py, PyTensor>, input: &Bound<'py, PyTensor>, n: usize) -> PyResult<Bound<'py, PyAny>> {
    // recorded when the input tracks too: torch records the backward (its double backward) then
    let (g, tracked) = me(grad);
    let tracked = tracked || input.borrow().tracks_grad();
    let x = input.borrow().t.clone();
    let out = dispatch::kernel(py, "adaptive_avg_pool_backward", g.device(), x.numel().max(g.numel()), || pool::adaptive_avg_pool_backward(&g, &x, n))?;
    done(py, "adaptive_avg_pool_backward", tracked, &[grad, input], super::wrap(py, out)?, |kw| kw.set_item("n", n))
}

/// `max_unpool{2,3}d(input, indices, output_size)`.
#[pyfunction]
fn _max_unpool<'py>(py: Python<'py>, input: &Bound<'py, PyTensor>, indices: &Bound<'py, PyTensor>, output_size: Vec<i64>) -> PyResult<Bound<'py, PyAny>> {
    let (t, tracked) = me(input);
    let i = indices.borrow().t.clone();
    let name = if output_size.len() == 3 { "max_unpool3d" } else { "max_unpool2d" };
    let out = dispatch::kernel(py, name, t.device(), t.numel(), || pool::max_unpool(&t, &i, &output_size))?;
    done(py, name, tracked, &[input, indices], super::wrap(py, out)?, |kw| kw.set_item("output_size", &output_size))
}

/// Add this family's functions to `_C`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_max_pool, m)?)?;
    m.add_function(wrap_pyfunction!(_max_pool_backward, m)?)?;
    m.add_function(wrap_pyfunction!(_avg_pool, m)?)?;
    m.add_function(wrap_pyfunction!(_avg_pool_backward, m)?)?;
    m.add_function(wrap_pyfunction!(_adaptive_max_pool, m)?)?;
    m.add_function(wrap_pyfunction!(_adaptive_avg_pool, m)?)?;
    m.add_function(wrap_pyfunction!(_adaptive_avg_pool_backward, m)?)?;
    m.add_function(wrap_pyfunction!(_max_unpool, m)?)?;
    Ok(())
}
