//! The native autograd fast path: the hot ops record their graph node in Rust and the common
//! backward runs in Rust, with every semantic of the Python path (python/rstorch/autograd/),
//! which stays the reference and handles everything else.
//!
//! - rules.rs: the table of ops with a native backward rule (add, sub, mul, div, neg, sum,
//!   mean, exp, tanh, sigmoid, relu, mm, matmul), their torch node names and gradient formulas.
//! - node.rs: `_NativeNode`, the node such an op records (`finish` calls [`node::record`]
//!   instead of the Python recorder), and `run`, which applies its rule.
//! - engine.rs: `_backward`, the engine for graphs without hooks, retain_grad, create_graph,
//!   `inputs=` or anomaly mode (engine.py falls back to its own walk otherwise), and the leaves'
//!   `.grad` accumulation (`_accumulate_grad`, also used by engine.py).
//!
//! Why: recording a node through Python cost ~2 us per op and the Python engine ~3 us per node,
//! several times the op itself for small tensors. Natively both are a few hundred ns.

pub mod engine;
pub mod node;
pub mod rules;

use std::sync::atomic::{AtomicBool, Ordering};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

static ANOMALY: AtomicBool = AtomicBool::new(false);
static NATIVE_RECORD: AtomicBool = AtomicBool::new(true);
static NATIVE_ENGINE: AtomicBool = AtomicBool::new(true);

/// Turn the native recorder and the native engine on or off (None: leave as is); returns the
/// previous `(record, engine)`. For tests and debugging: the Python path is the reference the
/// native one is checked against.
#[pyfunction]
#[pyo3(signature = (record=None, engine=None))]
fn _native_autograd(record: Option<bool>, engine: Option<bool>) -> (bool, bool) {
    let prev = (NATIVE_RECORD.load(Ordering::Relaxed), NATIVE_ENGINE.load(Ordering::Relaxed));
    if let Some(r) = record {
        NATIVE_RECORD.store(r, Ordering::Relaxed);
    }
    if let Some(e) = engine {
        NATIVE_ENGINE.store(e, Ordering::Relaxed);
    }
    prev
}

pub(crate) fn native_engine_enabled() -> bool {
    NATIVE_ENGINE.load(Ordering::Relaxed)
}

/// Anomaly mode (kept in sync by anomaly_mode.py): nodes must then remember the traceback of
/// their forward call, which the Python recorder does, so ops take the Python path.
#[pyfunction]
fn _set_anomaly_enabled(on: bool) {
    ANOMALY.store(on, Ordering::Relaxed);
}

/// Record `name(*args, **kwargs)` -> `out` natively when the op has a native rule and anomaly
/// mode is off; None when the Python recorder must do it.
pub fn try_record<'py>(
    py: Python<'py>,
    name: &str,
    args: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
    out: &Bound<'py, PyAny>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    if ANOMALY.load(Ordering::Relaxed) || !NATIVE_RECORD.load(Ordering::Relaxed) {
        return Ok(None);
    }
    match rules::Rule::for_call(name, args, kwargs)? {
        Some(rule) => node::record(py, rule, args.clone(), kwargs, out.clone()).map(Some),
        None => Ok(None),
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<node::NativeNode>()?;
    m.add_function(wrap_pyfunction!(engine::_backward, m)?)?;
    m.add_function(wrap_pyfunction!(engine::_accumulate_grad, m)?)?;
    m.add_function(wrap_pyfunction!(_set_anomaly_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(_native_autograd, m)?)?;
    m.add("_SECOND_BACKWARD", node::SECOND_BACKWARD)?;
    m.add("_INFERENCE_SAVED", node::INFERENCE_SAVED)?;
    m.add("_CREATION_META_IN_CUSTOM_FUNCTION", crate::tensor::creation_meta::IN_CUSTOM_FUNCTION)?;
    Ok(())
}
