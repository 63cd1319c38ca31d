//! The multi-tensor optimizer steps (rust/core/src/ops/optim.rs) as `_C` functions; the
//! optimizers in python/rstorch/optim call them for a param group when it qualifies (CPU,
//! float32/float64, contiguous, not differentiable); `False` back means the group did not
//! qualify, nothing was written, and the op-by-op form runs instead.
//!
//! - `_adam_step(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, lr, beta1,
//!   beta2, weight_decay, eps, amsgrad, maximize, decoupled_weight_decay)`
//! - `_sgd_step(params, grads, momentum_buffers, fresh, lr, momentum, dampening, weight_decay,
//!   nesterov, maximize)`

use pyo3::prelude::*;
use rstorch::device::Device;
use rstorch::ops::optim::{self, Adam, Sgd};
use rstorch::Tensor;

use super::PyTensor;
use crate::dispatch;

fn tensors(list: Vec<PyRef<'_, PyTensor>>) -> Vec<Tensor> {
    list.iter().map(|t| t.t.clone()).collect()
}

/// The device the group routes on, and its element count (for the GIL release).
fn route(params: &[Tensor]) -> (Device, usize) {
    (params.first().map_or(Device::Cpu, |p| p.device()), params.iter().map(|p| p.numel()).sum())
}

#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _adam_step(
    py: Python<'_>,
    params: Vec<PyRef<'_, PyTensor>>,
    grads: Vec<PyRef<'_, PyTensor>>,
    exp_avgs: Vec<PyRef<'_, PyTensor>>,
    exp_avg_sqs: Vec<PyRef<'_, PyTensor>>,
    max_exp_avg_sqs: Vec<PyRef<'_, PyTensor>>,
    state_steps: Vec<PyRef<'_, PyTensor>>,
    lr: f64,
    beta1: f64,
    beta2: f64,
    weight_decay: f64,
    eps: f64,
    amsgrad: bool,
    maximize: bool,
    decoupled_weight_decay: bool,
) -> PyResult<bool> {
    let (p, g, m, v, mx, s) =
        (tensors(params), tensors(grads), tensors(exp_avgs), tensors(exp_avg_sqs), tensors(max_exp_avg_sqs), tensors(state_steps));
    let o = Adam { lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupled_weight_decay };
    let (device, numel) = route(&p);
    dispatch::kernel(py, "_adam_step", device, numel, || optim::adam_step(&p, &g, &m, &v, &mx, &s, &o))
}

#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _sgd_step(
    py: Python<'_>,
    params: Vec<PyRef<'_, PyTensor>>,
    grads: Vec<PyRef<'_, PyTensor>>,
    momentum_buffers: Vec<PyRef<'_, PyTensor>>,
    fresh: Vec<bool>,
    lr: f64,
    momentum: f64,
    dampening: f64,
    weight_decay: f64,
    nesterov: bool,
    maximize: bool,
) -> PyResult<bool> {
    let (p, g, b) = (tensors(params), tensors(grads), tensors(momentum_buffers));
    let o = Sgd { lr, momentum, dampening, weight_decay, nesterov, maximize };
    let (device, numel) = route(&p);
    dispatch::kernel(py, "_sgd_step", device, numel, || optim::sgd_step(&p, &g, &b, &fresh, &o))
}

/// Add this family's functions to `_C`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_adam_step, m)?)?;
    m.add_function(wrap_pyfunction!(_sgd_step, m)?)?;
    Ok(())
}
