//! `rstorch._C`: the extension module. A thin adapter over the `rstorch` crate: the Tensor base
//! class, dtype objects, factory functions and grad-mode state. Python owns the user-facing API.
//! Every op binding reaches the core through one gateway, [`dispatch`].

#![allow(non_snake_case)] // the module is `_C`, like torch._C

mod autograd;
mod convert;
mod dispatch;
mod error;
mod random;
mod tensor;
mod wgpu_backend;

use pyo3::prelude::*;

#[pymodule]
fn _C(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<tensor::PyTensor>()?;
    m.add("_LinAlgError", m.py().get_type::<error::_LinAlgError>())?;
    m.add_class::<convert::PyDType>()?;
    for d in convert::all_dtype_objects(py) {
        let name = d.get().0.name();
        m.add(name, d)?;
    }
    m.add_function(wrap_pyfunction!(tensor::_register, m)?)?;
    m.add_function(wrap_pyfunction!(wgpu_backend::_register_wgpu_backend, m)?)?;
    m.add_function(wrap_pyfunction!(tensor::is_grad_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(tensor::_set_grad_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(tensor::_set_inference_mode, m)?)?;
    m.add_function(wrap_pyfunction!(tensor::is_inference_mode_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(convert::result_type, m)?)?;
    m.add_function(wrap_pyfunction!(convert::promote_types, m)?)?;
    m.add_function(wrap_pyfunction!(convert::get_default_dtype, m)?)?;
    m.add_function(wrap_pyfunction!(convert::_set_default_dtype, m)?)?;
    m.add_function(wrap_pyfunction!(convert::can_cast, m)?)?;
    m.add_function(wrap_pyfunction!(convert::broadcast_shapes, m)?)?;
    m.add_function(wrap_pyfunction!(tensor::creation::full, m)?)?;
    m.add_function(wrap_pyfunction!(tensor::creation::_index_value, m)?)?;
    m.add_function(wrap_pyfunction!(tensor::creation::zeros, m)?)?;
    m.add_function(wrap_pyfunction!(tensor::creation::empty_strided, m)?)?;
    m.add_function(wrap_pyfunction!(tensor::creation::_from_buffer, m)?)?;
    m.add_function(wrap_pyfunction!(set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(get_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(_empty_cache, m)?)?;
    m.add_function(wrap_pyfunction!(_cached_bytes, m)?)?;
    random::register(m)?;
    tensor::register_ops(m)?;
    autograd::register(m)?;
    Ok(())
}

/// Threads used for intra-op parallelism (`torch.set_num_threads`).
#[pyfunction]
fn set_num_threads(n: i64) -> PyResult<()> {
    if n <= 0 {
        return Err(pyo3::exceptions::PyRuntimeError::new_err("Number of threads must be positive"));
    }
    rstorch::parallel::set_num_threads(n as usize);
    Ok(())
}

#[pyfunction]
fn get_num_threads() -> usize {
    rstorch::parallel::num_threads()
}

/// Return the CPU allocator's cached large buffers to the system.
#[pyfunction]
fn _empty_cache() {
    rstorch::allocator::empty_cache()
}

/// Bytes the CPU allocator holds in its cache.
#[pyfunction]
fn _cached_bytes() -> usize {
    rstorch::allocator::cached_bytes()
}
