//! Random number generation: `rstorch._C.Generator`, the process-wide default generator and the
//! random fills the Python layer (`rstorch/_random.py`) builds `rand`, `randn`, `randint`,
//! `bernoulli`, ... on.
//!
//! The kernels are the core's (`rstorch::random`, bit for bit torch's CPU generator): each
//! binding here converts its arguments and makes one call into the core through the op gateway
//! (crate::dispatch, which routes by device and releases the GIL for big fills), with the
//! generator locked inside the call, as torch locks `generator->mutex_`.

use std::sync::{Mutex, MutexGuard};

use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt};
use rstorch::random::{self, Generator, NormalArg, LEGACY_STATE_SIZE, STATE_SIZE};
use rstorch::{DType, Device, Tensor};

use crate::convert::extract_dtype;
use crate::dispatch;
use crate::error::IntoPy;
use crate::tensor::{tensor_of, wrap};

// ------------------------------------------------------------------------------------------
// Generator
// ------------------------------------------------------------------------------------------

/// `torch.Generator` for the CPU: torch's mt19937 engine behind a mutex (fills release the GIL
/// and lock the generator, like torch's `generator->mutex_`).
#[pyclass(subclass, frozen, name = "Generator", module = "rstorch._C")]
pub struct PyGenerator {
    inner: Mutex<Generator>,
}

impl PyGenerator {
    fn lock(&self) -> MutexGuard<'_, Generator> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "object".into())
}

/// torch's `unpack_uint64`: an int in `[-2**63, 2**64)`, negative values taken modulo `2**64`.
fn unpack_seed(seed: &Bound<'_, PyAny>) -> PyResult<u64> {
    let numpy_int = || -> PyResult<bool> {
        let ty = seed.get_type();
        let module: String = ty.getattr("__module__").and_then(|m| m.extract()).unwrap_or_default();
        let name = type_name(seed);
        Ok(module == "numpy" && (name.starts_with("int") || name.starts_with("uint")) && seed.hasattr("__index__")?)
    };
    if seed.is_instance_of::<PyBool>() || !(seed.is_instance_of::<PyInt>() || numpy_int()?) {
        return Err(PyRuntimeError::new_err(format!("manual_seed expected a long, but got {}", type_name(seed))));
    }
    let seed = seed.call_method0("__index__")?;
    if let Ok(u) = seed.extract::<u64>() {
        return Ok(u);
    }
    match seed.extract::<i64>() {
        Ok(i) => Ok(i as u64),
        Err(_) => Err(PyValueError::new_err("Overflow when unpacking long long")),
    }
}

/// Whether a `device` argument names the CPU (`None`, `"cpu"`, `"cpu:0"`, a cpu `device`).
fn check_cpu_device(device: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    let Some(d) = device else { return Ok(()) };
    if d.is_none() {
        return Ok(());
    }
    let s = d.str()?.to_string();
    if s == "cpu" || s.starts_with("cpu:") {
        return Ok(());
    }
    Err(PyRuntimeError::new_err(format!(
        "Generator device '{s}' is not available: rstorch generators run on the CPU"
    )))
}

#[pymethods]
impl PyGenerator {
    #[new]
    #[pyo3(signature = (device=None))]
    fn __new__(device: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        check_cpu_device(device)?;
        Ok(PyGenerator { inner: Mutex::new(Generator::default()) })
    }

    /// Seeds the generator (any int in `[-2**63, 2**64)`, taken modulo `2**64`); returns it.
    fn manual_seed<'py>(slf: &Bound<'py, Self>, seed: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let s = unpack_seed(seed)?;
        slf.get().lock().manual_seed(s);
        Ok(slf.clone())
    }

    /// Reseeds from a nondeterministic source and returns the new seed.
    fn seed(&self) -> u64 {
        self.lock().seed()
    }

    fn initial_seed(&self) -> u64 {
        self.lock().initial_seed()
    }

    /// The state as a uint8 tensor of 5056 bytes, byte for byte torch's.
    fn get_state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let bytes = self.lock().get_state();
        let t = Tensor::from_slice(&bytes, &[bytes.len()]).py_err()?;
        wrap(py, t)
    }

    /// Restores a state from `get_state()` (or torch's); returns the generator.
    fn set_state<'py>(slf: &Bound<'py, Self>, new_state: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let t = tensor_of(new_state).map_err(|_| {
            PyTypeError::new_err(format!("expected a torch.ByteTensor, but got {}", type_name(new_state)))
        })?;
        if t.dtype() != DType::UInt8 {
            return Err(PyTypeError::new_err("RNG state must be a torch.ByteTensor"));
        }
        if !t.is_contiguous() {
            return Err(PyRuntimeError::new_err("RNG state must be contiguous"));
        }
        let n = t.numel();
        if n != STATE_SIZE && n != LEGACY_STATE_SIZE {
            return Err(PyRuntimeError::new_err(format!(
                "Expected a CPUGeneratorImplState of size {STATE_SIZE} but found the input RNG state size to be {n}"
            )));
        }
        let bytes = t.to_vec::<u8>().py_err()?;
        slf.get().lock().set_state(&bytes).py_err()?;
        Ok(slf.clone())
    }

    /// The device type (`"cpu"`); the Python subclass returns a `device`.
    #[getter]
    fn device(&self) -> &'static str {
        "cpu"
    }

    /// Copies `other`'s full state (engine, cached normals, seed) into this generator.
    fn _copy_from(&self, other: &Bound<'_, PyGenerator>) {
        let g = other.get().lock().clone();
        *self.lock() = g;
    }
}

/// The process-wide default generator (`torch.default_generator`).
static DEFAULT: Mutex<Option<Py<PyGenerator>>> = Mutex::new(None);

fn default_generator(py: Python<'_>) -> PyResult<Bound<'_, PyGenerator>> {
    let mut d = DEFAULT.lock().unwrap_or_else(|e| e.into_inner());
    if d.is_none() {
        *d = Some(Py::new(py, PyGenerator { inner: Mutex::new(Generator::default()) })?);
    }
    Ok(d.as_ref().unwrap().bind(py).clone())
}

/// Makes `gen` (an instance of the Python `Generator` subclass) the default generator. It takes
/// over the current default's state, so seeding done before the switch is kept.
#[pyfunction]
fn _set_default_generator(py: Python<'_>, gen: &Bound<'_, PyGenerator>) -> PyResult<()> {
    let old = default_generator(py)?;
    if !old.is(gen) {
        gen.get()._copy_from(&old);
        *DEFAULT.lock().unwrap_or_else(|e| e.into_inner()) = Some(gen.clone().unbind());
    }
    if let Ok(m) = py.import("rstorch._C") {
        m.setattr("default_generator", gen)?;
    }
    Ok(())
}

/// The current default generator.
#[pyfunction]
fn _default_generator(py: Python<'_>) -> PyResult<Bound<'_, PyGenerator>> {
    default_generator(py)
}

/// A `generator` argument: `None` is the default generator.
fn generator_arg<'py>(py: Python<'py>, gen: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyGenerator>> {
    match gen {
        None => default_generator(py),
        Some(g) if g.is_none() => default_generator(py),
        Some(g) => g.cast::<PyGenerator>().cloned().map_err(|_| {
            PyTypeError::new_err(format!("argument 'generator' must be Generator, not {}", type_name(g)))
        }),
    }
}

/// Runs the core call `f` with `gen` locked, through the gateway: routed by `device`, without
/// the GIL when `numel` is large, its error converted.
fn with_gen<R: Send>(
    py: Python<'_>,
    name: &str,
    gen: &Bound<'_, PyGenerator>,
    device: Device,
    numel: usize,
    f: impl FnOnce(&mut Generator) -> rstorch::Result<R> + Send,
) -> PyResult<R> {
    let g: &PyGenerator = gen.get();
    dispatch::kernel(py, name, device, numel, move || f(&mut g.lock()))
}

/// An in-place fill of `t` (a Python tensor) with the generator argument `generator`.
fn fill_(
    name: &str,
    t: &Bound<'_, PyAny>,
    generator: Option<&Bound<'_, PyAny>>,
    f: impl FnOnce(&Tensor, &mut Generator) -> rstorch::Result<()> + Send,
) -> PyResult<()> {
    let py = t.py();
    let t = tensor_of(t)?;
    let gen = generator_arg(py, generator)?;
    with_gen(py, name, &gen, t.device(), t.numel(), |g| f(&t, g))
}

// ------------------------------------------------------------------------------------------
// In-place fills
// ------------------------------------------------------------------------------------------

/// `Tensor.uniform_(from, to)`.
#[pyfunction]
#[pyo3(signature = (t, from, to, generator=None))]
fn _uniform_(t: &Bound<'_, PyAny>, from: f64, to: f64, generator: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    fill_("uniform_", t, generator, |t, g| random::uniform_(t, from, to, g))
}

/// `Tensor.normal_(mean, std)`.
#[pyfunction]
#[pyo3(signature = (t, mean, std, generator=None))]
fn _normal_(t: &Bound<'_, PyAny>, mean: f64, std: f64, generator: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    fill_("normal_", t, generator, |t, g| random::normal_(t, mean, std, g))
}

/// `Tensor.random_(from, to)`: `to=None` is "up to the dtype's largest value", `from=None`
/// and `to=None` is `random_()`.
#[pyfunction]
#[pyo3(signature = (t, from, to, generator=None))]
fn _random_(t: &Bound<'_, PyAny>, from: Option<i64>, to: Option<i64>, generator: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    fill_("random_", t, generator, |t, g| random::random_(t, from, to, g))
}

/// `Tensor.bernoulli_(p)` with a float `p` or a tensor of probabilities.
#[pyfunction]
#[pyo3(signature = (t, p, generator=None))]
fn _bernoulli_(t: &Bound<'_, PyAny>, p: &Bound<'_, PyAny>, generator: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    let py = t.py();
    let t = tensor_of(t)?;
    let gen = generator_arg(py, generator)?;
    if p.is_instance_of::<PyFloat>() || p.is_instance_of::<PyInt>() || tensor_of(p).is_err() {
        let p: f64 = p.extract()?;
        return with_gen(py, "bernoulli_", &gen, t.device(), t.numel(), |g| random::bernoulli_(&t, p, g));
    }
    let probs = tensor_of(p)?;
    with_gen(py, "bernoulli_", &gen, t.device(), t.numel(), |g| random::bernoulli_tensor_(&t, &probs, g))
}

/// `Tensor.exponential_(lambd)`.
#[pyfunction]
#[pyo3(signature = (t, lambd, generator=None))]
fn _exponential_(t: &Bound<'_, PyAny>, lambd: f64, generator: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    fill_("exponential_", t, generator, |t, g| random::exponential_(t, lambd, g))
}

/// `Tensor.geometric_(p)`.
#[pyfunction]
#[pyo3(signature = (t, p, generator=None))]
fn _geometric_(t: &Bound<'_, PyAny>, p: f64, generator: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    fill_("geometric_", t, generator, |t, g| random::geometric_(t, p, g))
}

/// `Tensor.log_normal_(mean, std)`.
#[pyfunction]
#[pyo3(signature = (t, mean, std, generator=None))]
fn _log_normal_(t: &Bound<'_, PyAny>, mean: f64, std: f64, generator: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    fill_("log_normal_", t, generator, |t, g| random::log_normal_(t, mean, std, g))
}

/// `Tensor.cauchy_(median, sigma)`.
#[pyfunction]
#[pyo3(signature = (t, median, sigma, generator=None))]
fn _cauchy_(t: &Bound<'_, PyAny>, median: f64, sigma: f64, generator: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    fill_("cauchy_", t, generator, |t, g| random::cauchy_(t, median, sigma, g))
}

// ------------------------------------------------------------------------------------------
// Functions that make their result
// ------------------------------------------------------------------------------------------

/// An uninitialised contiguous tensor for a random fill to overwrite.
#[pyfunction]
fn _random_empty<'py>(py: Python<'py>, size: Vec<i64>, dtype: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let size = crate::convert::to_usize_sizes(&size)?;
    let t = Tensor::empty(&size, extract_dtype(dtype)?).py_err()?;
    wrap(py, t)
}

/// An uninitialised tensor laid out like `like` (torch's `empty_like` with `preserve_format`),
/// for the `*_like` random functions to fill.
#[pyfunction]
fn _random_empty_like<'py>(like: &Bound<'py, PyAny>, dtype: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let t = tensor_of(like)?.empty_like_preserving(extract_dtype(dtype)?).py_err()?;
    wrap(like.py(), t)
}

/// `torch.randperm(n, dtype=dtype)`.
#[pyfunction]
#[pyo3(signature = (n, dtype, generator=None))]
fn _randperm<'py>(py: Python<'py>, n: i64, dtype: &Bound<'py, PyAny>, generator: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
    let d = extract_dtype(dtype)?;
    let gen = generator_arg(py, generator)?;
    let t = with_gen(py, "randperm", &gen, Device::Cpu, n.max(0) as usize, |g| random::randperm(n, d, g))?;
    wrap(py, t)
}

/// `torch.multinomial(probs, num_samples, replacement)`.
#[pyfunction]
#[pyo3(signature = (probs, num_samples, replacement=false, generator=None))]
fn _multinomial<'py>(
    py: Python<'py>,
    probs: &Bound<'py, PyAny>,
    num_samples: i64,
    replacement: bool,
    generator: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let p = tensor_of(probs)?;
    let gen = generator_arg(py, generator)?;
    let t = with_gen(py, "multinomial", &gen, p.device(), p.numel(), |g| random::multinomial(&p, num_samples, replacement, g))?;
    wrap(py, t)
}

/// A float or a tensor argument of `torch.normal`.
enum Param {
    Float(f64),
    Tensor(Tensor),
}

impl Param {
    fn extract(obj: &Bound<'_, PyAny>) -> PyResult<Param> {
        match tensor_of(obj) {
            Ok(t) => Ok(Param::Tensor(t)),
            Err(_) => Ok(Param::Float(obj.extract::<f64>()?)),
        }
    }

    fn arg(&self) -> NormalArg<'_> {
        match self {
            Param::Float(v) => NormalArg::Float(*v),
            Param::Tensor(t) => NormalArg::Tensor(t),
        }
    }
}

/// `torch.normal(mean, std)` where at least one of them is a tensor.
#[pyfunction]
#[pyo3(signature = (mean, std, generator=None))]
fn _normal_tensor<'py>(
    py: Python<'py>,
    mean: &Bound<'py, PyAny>,
    std: &Bound<'py, PyAny>,
    generator: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let (mean, std) = (Param::extract(mean)?, Param::extract(std)?);
    let (device, numel) = match (&mean, &std) {
        (Param::Tensor(m), Param::Tensor(s)) => (m.device(), m.numel().max(s.numel())),
        (Param::Tensor(t), Param::Float(_)) | (Param::Float(_), Param::Tensor(t)) => (t.device(), t.numel()),
        (Param::Float(_), Param::Float(_)) => return Err(PyTypeError::new_err("normal(): expected a Tensor mean or std")),
    };
    let gen = generator_arg(py, generator)?;
    let t = with_gen(py, "normal", &gen, device, numel, |g| random::normal(mean.arg(), std.arg(), g))?;
    wrap(py, t)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<PyGenerator>()?;
    m.add("default_generator", default_generator(py)?)?;
    m.add_function(wrap_pyfunction!(_set_default_generator, m)?)?;
    m.add_function(wrap_pyfunction!(_default_generator, m)?)?;
    m.add_function(wrap_pyfunction!(_uniform_, m)?)?;
    m.add_function(wrap_pyfunction!(_normal_, m)?)?;
    m.add_function(wrap_pyfunction!(_random_, m)?)?;
    m.add_function(wrap_pyfunction!(_bernoulli_, m)?)?;
    m.add_function(wrap_pyfunction!(_exponential_, m)?)?;
    m.add_function(wrap_pyfunction!(_geometric_, m)?)?;
    m.add_function(wrap_pyfunction!(_log_normal_, m)?)?;
    m.add_function(wrap_pyfunction!(_cauchy_, m)?)?;
    m.add_function(wrap_pyfunction!(_random_empty, m)?)?;
    m.add_function(wrap_pyfunction!(_random_empty_like, m)?)?;
    m.add_function(wrap_pyfunction!(_randperm, m)?)?;
    m.add_function(wrap_pyfunction!(_multinomial, m)?)?;
    m.add_function(wrap_pyfunction!(_normal_tensor, m)?)?;
    Ok(())
}
