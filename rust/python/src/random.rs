//! Random number generation: `rstorch._C.Generator`, the process-wide default generator and the
//! in-place random fills the Python layer (`rstorch/_random.py`) builds `rand`, `randn`,
//! `randint`, `bernoulli`, ... on.
//!
//! Every fill reproduces torch's CPU kernel bit for bit (see `rstorch::random`): values are drawn
//! in the order torch's `cpu_serial_kernel` visits the output, which is the output's *memory*
//! order (TensorIterator sorts dimensions by stride). A contiguous output is filled in place; a
//! strided one gets its values in a contiguous buffer that is then copied through the output
//! permuted into memory order. `normal_` on a non-contiguous output also switches to torch's
//! scalar Box-Muller, as torch does.

// The `!(x > 0.0)`-style checks are deliberate: like torch's, they reject NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use std::sync::{Mutex, MutexGuard};

use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt};
use rstorch::dtype::{bf16, f16};
use rstorch::random::{Generator, RandFloat, LEGACY_STATE_SIZE, STATE_SIZE};
use rstorch::{DType, Element, Tensor};

use crate::convert::extract_dtype;
use crate::error::IntoPy;
use crate::tensor::{tensor_of, wrap};

/// Fills of at least this many elements release the GIL.
const GIL_RELEASE_NUMEL: usize = 1 << 15;

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

/// Runs `f` with the generator locked, without the GIL when `numel` is large.
fn with_gen<R: Send>(
    py: Python<'_>,
    gen: &Bound<'_, PyGenerator>,
    numel: usize,
    f: impl FnOnce(&mut Generator) -> R + Send,
) -> R {
    let g: &PyGenerator = gen.get();
    let run = move || f(&mut g.lock());
    if numel >= GIL_RELEASE_NUMEL {
        py.detach(run)
    } else {
        run()
    }
}

// ------------------------------------------------------------------------------------------
// Filling a tensor in torch's order
// ------------------------------------------------------------------------------------------

/// TensorIterator's `reorder_dimensions` for one operand: the dims, fastest first.
fn memory_order(shape: &[usize], strides: &[usize]) -> Vec<usize> {
    let n = shape.len();
    let mut perm: Vec<usize> = (0..n).rev().collect();
    let should_swap = |d0: usize, d1: usize| -> i32 {
        let (s0, s1) = (strides[d0], strides[d1]);
        if s0 == 0 || s1 == 0 {
            return 0;
        }
        if s0 < s1 {
            return -1;
        }
        if s0 > s1 {
            return 1;
        }
        if shape[d0] > shape[d1] {
            return 1;
        }
        0
    };
    for i in 1..n {
        let mut dim1 = i;
        for dim0 in (0..i).rev() {
            let c = should_swap(perm[dim0], perm[dim1]);
            if c > 0 {
                perm.swap(dim0, dim1);
                dim1 = dim0;
            } else if c < 0 {
                break;
            }
        }
    }
    perm
}

/// The permutation (outermost first) that views `t` in memory order.
fn memory_order_dims(t: &Tensor) -> Vec<i64> {
    memory_order(t.shape(), t.strides()).into_iter().rev().map(|d| d as i64).collect()
}

fn check_no_overlap(t: &Tensor) -> rstorch::Result<()> {
    if t.shape().iter().zip(t.strides()).any(|(&n, &s)| n > 1 && s == 0) {
        return Err(rstorch::Error::runtime(
            "unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.",
        ));
    }
    Ok(())
}

/// Fills `t` (element type `T`) with the values `f` writes into a slice, in torch's order.
/// `f` gets whether the output is contiguous (`normal_` changes algorithm on that).
fn fill<T: Element>(t: &Tensor, f: impl FnOnce(&mut [T], bool) -> rstorch::Result<()>) -> rstorch::Result<()> {
    debug_assert_eq!(T::DTYPE, t.dtype());
    let n = t.numel();
    if t.is_contiguous() {
        let g = t.storage().write()?;
        // SAFETY: a contiguous tensor's `numel` elements of T start at its offset, inside the
        // storage; the write guard gives exclusive access.
        let s = unsafe { std::slice::from_raw_parts_mut((g.ptr() as *mut T).add(t.offset()), n) };
        return f(s, true);
    }
    check_no_overlap(t)?;
    let view = t.permute(&memory_order_dims(t))?;
    let mut buf = vec![T::default(); n];
    f(&mut buf, false)?;
    let src = Tensor::from_vec(buf, view.shape())?;
    view.copy_(&src)
}

/// `other` broadcast to `t`'s shape, its elements listed in the order `fill` visits `t`.
fn in_fill_order(t: &Tensor, other: &Tensor) -> rstorch::Result<Tensor> {
    let b = other.broadcast_to(t.shape()).map_err(|_| {
        rstorch::Error::runtime(format!(
            "The expanded size of the tensor ({}) must match the existing size ({}) at non-singleton dimension {}.  Target sizes: {:?}.  Tensor sizes: {:?}",
            t.shape().last().copied().unwrap_or(1),
            other.shape().last().copied().unwrap_or(1),
            t.ndim().saturating_sub(1),
            t.shape(),
            other.shape()
        ))
    })?;
    if t.is_contiguous() {
        b.contiguous()
    } else {
        b.permute(&memory_order_dims(t))?.contiguous()
    }
}

/// Runs `$body` with `$T` bound to the element type of a floating dtype, else evaluates `$err`.
macro_rules! float_dispatch {
    ($d:expr, $T:ident => $body:expr, else => $err:expr) => {
        match $d {
            DType::Float32 => { type $T = f32; $body }
            DType::Float64 => { type $T = f64; $body }
            DType::Float16 => { type $T = f16; $body }
            DType::BFloat16 => { type $T = bf16; $body }
            _ => $err,
        }
    };
}

fn not_implemented(op: &'static str, d: DType) -> PyErr {
    crate::error::PyTorchErr(rstorch::Error::unsupported(op, d)).into()
}

use rstorch::random::fmt_double;

/// caffe2's type names, used by torch's bounds messages ("to is out of bounds for float").
fn cpp_type_name(d: DType) -> &'static str {
    match d {
        DType::Float32 => "float",
        DType::Float64 => "double",
        DType::Float16 => "c10::Half",
        DType::BFloat16 => "c10::BFloat16",
        DType::Int64 => "long int",
        DType::Int32 => "int",
        DType::Int16 => "short int",
        DType::Int8 => "signed char",
        DType::UInt8 => "unsigned char",
        DType::Bool => "bool",
    }
}

fn float_max(d: DType) -> f64 {
    match d {
        DType::Float32 => f32::MAX as f64,
        DType::Float64 => f64::MAX,
        DType::Float16 => 65504.0,
        _ => bf16::MAX.to_f64(),
    }
}

fn runtime(msg: impl Into<String>) -> PyErr {
    PyRuntimeError::new_err(msg.into())
}

// ------------------------------------------------------------------------------------------
// In-place fills
// ------------------------------------------------------------------------------------------

/// `Tensor.uniform_(from, to)`.
#[pyfunction]
#[pyo3(signature = (t, from, to, generator=None))]
fn _uniform_(py: Python<'_>, t: &Bound<'_, PyAny>, from: f64, to: f64, generator: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    let t = tensor_of(t)?;
    let d = t.dtype();
    if !d.is_floating_point() {
        return Err(not_implemented("check_uniform_bounds", d));
    }
    let max = float_max(d);
    for (v, name) in [(from, "from"), (to, "to")] {
        if !(v >= -max && v <= max) {
            return Err(runtime(format!("{name} is out of bounds for {}", cpp_type_name(d))));
        }
    }
    if !(from <= to) {
        return Err(runtime(format!(
            "uniform_ expects to return a [from, to) range, but found from={} > to={}",
            fmt_double(from),
            fmt_double(to)
        )));
    }
    if !(to - from <= max) {
        return Err(runtime(format!(
            "uniform_ expects to-from <= std::numeric_limits<{}>::max(), but found to={} and from={} which result in to-from to exceed the limit",
            d.scalar_type_name(),
            fmt_double(to),
            fmt_double(from)
        )));
    }
    let gen = generator_arg(py, generator)?;
    with_gen(py, &gen, t.numel(), |g| {
        float_dispatch!(d, T => fill::<T>(&t, |s, _| { g.uniform(s, from, to); Ok(()) }), else => unreachable!())
    })
    .py_err()
}

/// `Tensor.normal_(mean, std)`.
#[pyfunction]
#[pyo3(signature = (t, mean, std, generator=None))]
fn _normal_(py: Python<'_>, t: &Bound<'_, PyAny>, mean: f64, std: f64, generator: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    let t = tensor_of(t)?;
    check_normal_std(std)?;
    let gen = generator_arg(py, generator)?;
    normal_fill(py, &t, mean, std, &gen)
}

fn check_normal_std(std: f64) -> PyResult<()> {
    if !(std >= 0.0) {
        return Err(runtime(format!("normal expects std >= 0.0, but found std {}", fmt_double(std))));
    }
    Ok(())
}

/// torch's scalar `normal_distribution<double>(mean, std)` samples. torch's build contracts
/// its `z * std + mean` into a fused multiply-add, so the standard samples are drawn with
/// `(0, 1)` (exact) and scaled here with `mul_add`.
fn normal_serial_f64(g: &mut Generator, n: usize, mean: f64, std: f64) -> Vec<f64> {
    let mut z = vec![0f64; n];
    g.normal_serial(&mut z, 0.0, 1.0);
    for v in z.iter_mut() {
        *v = v.mul_add(std, mean);
    }
    z
}

fn normal_fill(py: Python<'_>, t: &Tensor, mean: f64, std: f64, gen: &Bound<'_, PyGenerator>) -> PyResult<()> {
    let d = t.dtype();
    if !d.is_floating_point() {
        return Err(not_implemented("normal_kernel_cpu", d));
    }
    with_gen(py, gen, t.numel(), |g| {
        float_dispatch!(d, T => fill::<T>(t, |s, contiguous| {
            if contiguous && s.len() >= 16 {
                g.normal(s, mean, std);
            } else {
                let z = normal_serial_f64(g, s.len(), mean, std);
                for (o, z) in s.iter_mut().zip(z) {
                    *o = <T as RandFloat>::from_f64(z);
                }
            }
            Ok(())
        }), else => unreachable!())
    })
    .py_err()
}

/// `Tensor.random_(from, to)`: `to=None` is "up to the dtype's largest value", `from=None`
/// and `to=None` is `random_()`.
#[pyfunction]
#[pyo3(signature = (t, from, to, generator=None))]
fn _random_(
    py: Python<'_>,
    t: &Bound<'_, PyAny>,
    from: Option<i64>,
    to: Option<i64>,
    generator: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let t = tensor_of(t)?;
    let d = t.dtype();
    let gen = generator_arg(py, generator)?;
    let n = t.numel();
    match (from, to) {
        (None, None) => with_gen(py, &gen, n, |g| {
            rstorch::dispatch!(d, T => fill::<T>(&t, |s, _| { g.random(s); Ok(()) }))
        })
        .py_err(),
        (from, Some(to)) => {
            let from = from.unwrap_or(0);
            with_gen(py, &gen, n, |g| {
                rstorch::dispatch!(d, T => fill::<T>(&t, |s, _| g.random_from_to(s, from, to)))
            })
            .py_err()
        }
        (Some(from), None) => random_from(py, &t, from, &gen),
    }
}

/// `random_(from, None)`: `[from, max]` with torch's `to_inc` per dtype.
fn random_from(py: Python<'_>, t: &Tensor, from: i64, gen: &Bound<'_, PyGenerator>) -> PyResult<()> {
    let d = t.dtype();
    let n = t.numel();
    if from == i64::MIN {
        if matches!(d, DType::Bool | DType::Float16) {
            return Err(not_implemented("random_full_64_bits_range_kernel_cpu", d));
        }
        if !matches!(d, DType::Int64 | DType::Float64 | DType::Float32 | DType::BFloat16) {
            return Err(runtime("random_full_64_bits_range_kernel_cpu handles only int64, double, float and bfloat16"));
        }
        return with_gen(py, gen, n, |g| {
            rstorch::dispatch!(d, T => fill::<T>(t, |s, _| { g.random_full_range(s); Ok(()) }))
        })
        .py_err();
    }
    if d == DType::Int64 {
        // [from, 2^63 - 1]: the range does not fit the (from, to) form, so draw here with
        // torch's `uniform_int_from_to_distribution`.
        let range = (i64::MAX as u64).wrapping_sub(from as u64).wrapping_add(1);
        return with_gen(py, gen, n, |g| {
            fill::<i64>(t, |s, _| {
                for o in s.iter_mut() {
                    let v = if range >= 1 << 28 { g.random_u64() } else { g.random_u32() as u64 };
                    *o = (v % range).wrapping_add(from as u64) as i64;
                }
                Ok(())
            })
        })
        .py_err();
    }
    let to_inc: i64 = match d {
        DType::Float32 => 1 << 24,
        DType::Float64 => 1 << 53,
        DType::Float16 => 1 << 11,
        DType::BFloat16 => 1 << 8,
        DType::Bool => 1,
        DType::UInt8 => u8::MAX as i64,
        DType::Int8 => i8::MAX as i64,
        DType::Int16 => i16::MAX as i64,
        DType::Int32 => i32::MAX as i64,
        DType::Int64 => unreachable!(),
    };
    if d.is_floating_point() && from >= to_inc {
        return Err(runtime(format!(
            "random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' casted to dtype, but got from={from} > to_inc={to_inc}"
        )));
    }
    with_gen(py, gen, n, |g| {
        rstorch::dispatch!(d, T => fill::<T>(t, |s, _| g.random_from_to(s, from, to_inc + 1)))
    })
    .py_err()
}

/// `Tensor.bernoulli_(p)` with a float `p` or a tensor of probabilities.
#[pyfunction]
#[pyo3(signature = (t, p, generator=None))]
fn _bernoulli_(py: Python<'_>, t: &Bound<'_, PyAny>, p: &Bound<'_, PyAny>, generator: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    let t = tensor_of(t)?;
    let d = t.dtype();
    let gen = generator_arg(py, generator)?;
    let n = t.numel();
    if p.is_instance_of::<PyFloat>() || p.is_instance_of::<PyInt>() || tensor_of(p).is_err() {
        let p: f64 = p.extract()?;
        if !(0.0..=1.0).contains(&p) {
            return Err(runtime(format!("bernoulli_ expects p to be in [0, 1], but got p={}", fmt_double(p))));
        }
        return with_gen(py, &gen, n, |g| {
            rstorch::dispatch!(d, T => fill::<T>(&t, |s, _| g.bernoulli_scalar(s, p)))
        })
        .py_err();
    }
    let pt = tensor_of(p)?;
    let pd = pt.dtype();
    if !pd.is_floating_point() {
        return Err(not_implemented("bernoulli_tensor_cpu_p_", pd));
    }
    let probs = in_fill_order(&t, &pt).py_err()?;
    let bad = float_dispatch!(pd, P => {
        probs.to_vec::<P>().py_err()?.iter().any(|&v| { let v = Element::to_f64(v); !(0.0..=1.0).contains(&v) })
    }, else => unreachable!());
    if bad {
        return Err(runtime(
            "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be improved?  If so, please report an enhancement request to PyTorch.)",
        ));
    }
    with_gen(py, &gen, n, |g| {
        float_dispatch!(pd, P => {
            let pv = probs.to_vec::<P>()?;
            rstorch::dispatch!(d, T => fill::<T>(&t, |s, _| { g.bernoulli_tensor(s, &pv); Ok(()) }))
        }, else => unreachable!())
    })
    .py_err()
}

/// `Tensor.exponential_(lambd)`.
#[pyfunction]
#[pyo3(signature = (t, lambd, generator=None))]
fn _exponential_(py: Python<'_>, t: &Bound<'_, PyAny>, lambd: f64, generator: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    let t = tensor_of(t)?;
    if !(lambd > 0.0) {
        return Err(runtime(format!("exponential_ expects lambda > 0.0, but found lambda={}", fmt_double(lambd))));
    }
    let d = t.dtype();
    if !d.is_floating_point() {
        return Err(runtime(format!(
            "Exponential distribution is a continuous probability distribution. dtype must be a floating point but you specified {}",
            d.scalar_type_name()
        )));
    }
    let gen = generator_arg(py, generator)?;
    with_gen(py, &gen, t.numel(), |g| {
        float_dispatch!(d, T => fill::<T>(&t, |s, _| g.exponential(s, lambd)), else => unreachable!())
    })
    .py_err()
}

/// torch's `uniform_real_distribution<double>(0, 1)`: 53 bits of `random64()`.
#[inline]
fn uniform01(g: &mut Generator) -> f64 {
    (g.random_u64() & ((1u64 << 53) - 1)) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// `Tensor.geometric_(p)`: `ceil(log(u) / log1p(-p))` in double, any non-bool dtype.
#[pyfunction]
#[pyo3(signature = (t, p, generator=None))]
fn _geometric_(py: Python<'_>, t: &Bound<'_, PyAny>, p: f64, generator: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    let t = tensor_of(t)?;
    if !(0.0 < p && p < 1.0) {
        return Err(runtime(format!("geometric_ expects p to be in (0, 1), but got p={}", fmt_double(p))));
    }
    let d = t.dtype();
    if d == DType::Bool {
        return Err(not_implemented("geometric_cpu", d));
    }
    let gen = generator_arg(py, generator)?;
    let denom = (-p).ln_1p();
    with_gen(py, &gen, t.numel(), |g| {
        rstorch::dispatch!(d, T => fill::<T>(&t, |s, _| {
            for o in s.iter_mut() {
                *o = <T as Element>::from_f64((uniform01(g).ln() / denom).ceil());
            }
            Ok(())
        }))
    })
    .py_err()
}

/// `Tensor.log_normal_(mean, std)`: `exp` of torch's scalar double normal.
#[pyfunction]
#[pyo3(signature = (t, mean, std, generator=None))]
fn _log_normal_(py: Python<'_>, t: &Bound<'_, PyAny>, mean: f64, std: f64, generator: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    let t = tensor_of(t)?;
    if !(std > 0.0) {
        return Err(runtime(format!("log_normal_ expects std > 0.0, but found std={}", fmt_double(std))));
    }
    let d = t.dtype();
    if !d.is_floating_point() {
        return Err(not_implemented("log_normal_cpu", d));
    }
    let gen = generator_arg(py, generator)?;
    with_gen(py, &gen, t.numel(), |g| {
        float_dispatch!(d, T => fill::<T>(&t, |s, _| {
            let z = normal_serial_f64(g, s.len(), mean, std);
            for (o, v) in s.iter_mut().zip(z) {
                *o = <T as RandFloat>::from_f64(v.exp());
            }
            Ok(())
        }), else => unreachable!())
    })
    .py_err()
}

/// `Tensor.cauchy_(median, sigma)`: `median + sigma * tan(pi * (u - 0.5))` in double.
#[pyfunction]
#[pyo3(signature = (t, median, sigma, generator=None))]
fn _cauchy_(py: Python<'_>, t: &Bound<'_, PyAny>, median: f64, sigma: f64, generator: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    let t = tensor_of(t)?;
    if !(sigma > 0.0) {
        return Err(runtime(format!("cauchy_ expects sigma > 0.0, but found sigma={}", fmt_double(sigma))));
    }
    let d = t.dtype();
    if !d.is_floating_point() {
        return Err(not_implemented("cauchy_cpu", d));
    }
    let gen = generator_arg(py, generator)?;
    with_gen(py, &gen, t.numel(), |g| {
        float_dispatch!(d, T => fill::<T>(&t, |s, _| {
            for o in s.iter_mut() {
                let u = uniform01(g);
                *o = <T as RandFloat>::from_f64(median + sigma * (std::f64::consts::PI * (u - 0.5)).tan());
            }
            Ok(())
        }), else => unreachable!())
    })
    .py_err()
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
    if n < 0 {
        return Err(runtime(format!("Trying to create tensor with negative dimension {n}: [{n}]")));
    }
    if d == DType::Bool {
        return Err(not_implemented("randperm", d));
    }
    let top = if n > 0 { n - 1 } else { n };
    let (max, cname): (f64, &str) = match d {
        DType::UInt8 => (u8::MAX as f64, "uint8_t"),
        DType::Int8 => (i8::MAX as f64, "int8_t"),
        DType::Int16 => (i16::MAX as f64, "int16_t"),
        DType::Int32 => (i32::MAX as f64, "int"),
        DType::Float16 => (65504.0, "at::Half"),
        _ => (f64::INFINITY, ""),
    };
    if top as f64 > max {
        return Err(runtime(format!("value cannot be converted to type {cname} without overflow")));
    }
    match d {
        DType::Float16 if n > (1 << 11) + 1 => return Err(runtime("n cannot be greater than 2049 for Half type.")),
        DType::Float32 if n > (1 << 24) + 1 => return Err(runtime("n cannot be greater than 2^24+1 for Float type.")),
        DType::Float64 if n > (1 << 53) + 1 => return Err(runtime("n cannot be greater than 2^53+1 for Double type.")),
        _ => {}
    }
    let gen = generator_arg(py, generator)?;
    let n = n as usize;
    let t = with_gen(py, &gen, n, |g| -> rstorch::Result<Tensor> {
        let perm = g.randperm(n);
        Tensor::from_vec(perm, &[n])?.to_dtype(d)
    })
    .py_err()?;
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
    if p.ndim() == 0 || p.ndim() > 2 {
        return Err(runtime("prob_dist must be 1 or 2 dim"));
    }
    let d = p.dtype();
    if !d.is_floating_point() {
        return Err(runtime(format!(
            "multinomial only supports floating-point dtypes for input, got: {}",
            d.scalar_type_name()
        )));
    }
    if num_samples <= 0 {
        return Err(runtime("cannot sample n_sample <= 0 samples"));
    }
    let ns = num_samples as usize;
    let n = p.shape()[p.ndim() - 1];
    if !replacement && ns > n {
        return Err(runtime("cannot sample n_sample > prob_dist.size(-1) samples without replacement"));
    }
    if n > 1 << 24 {
        return Err(runtime("number of categories cannot exceed 2^24"));
    }
    let rows = if p.ndim() == 1 { 1 } else { p.shape()[0] };
    let out_shape: Vec<usize> = if p.ndim() == 1 { vec![ns] } else { vec![rows, ns] };
    if rows * ns == 0 {
        return wrap(py, Tensor::zeros(&out_shape, DType::Int64).py_err()?);
    }
    let gen = generator_arg(py, generator)?;
    let t = with_gen(py, &gen, rows * n, |g| -> rstorch::Result<Tensor> {
        let res = if d == DType::Float64 {
            let v = p.contiguous()?.to_vec::<f64>()?;
            g.multinomial(&v, rows, n, ns, replacement)?
        } else {
            // float16/bfloat16 probabilities are sampled in float32
            let v = p.to_dtype(DType::Float32)?.contiguous()?.to_vec::<f32>()?;
            g.multinomial(&v, rows, n, ns, replacement)?
        };
        Tensor::from_vec(res, &out_shape)
    })
    .py_err()?;
    wrap(py, t)
}

/// A float or a tensor argument of `torch.normal`.
enum Param {
    Float(f64),
    Tensor(Tensor),
}

fn param(obj: &Bound<'_, PyAny>) -> PyResult<Param> {
    match tensor_of(obj) {
        Ok(t) => Ok(Param::Tensor(t)),
        Err(_) => Ok(Param::Float(obj.extract::<f64>()?)),
    }
}

/// `torch.normal(mean, std)` where at least one of them is a tensor: torch's `normal_out_impl`,
/// i.e. standard (or `std`-scaled) normal samples, then `* std` and `+ mean` with the output's
/// rounding after each step.
#[pyfunction]
#[pyo3(signature = (mean, std, generator=None))]
fn _normal_tensor<'py>(
    py: Python<'py>,
    mean: &Bound<'py, PyAny>,
    std: &Bound<'py, PyAny>,
    generator: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let (mean, std) = (param(mean)?, param(std)?);
    if let Param::Tensor(s) = &std {
        let bad = rstorch::dispatch!(s.dtype(), T => {
            s.to_vec::<T>().py_err()?.iter().any(|&v| !(Element::to_f64(v) >= 0.0))
        });
        if bad {
            return Err(runtime("normal expects all elements of std >= 0.0"));
        }
    }
    let gen = generator_arg(py, generator)?;
    // (output, std factor applied after sampling, mean to add)
    let (out, scale, shift): (Tensor, Option<Tensor>, Param) = match (mean, std) {
        (Param::Tensor(m), Param::Tensor(s)) => {
            let shape = rstorch::shape::broadcast_shapes(m.shape(), s.shape()).py_err()?;
            let out = Tensor::empty(&shape, m.dtype()).py_err()?;
            normal_fill(py, &out, 0.0, 1.0, &gen)?;
            (out, Some(s), Param::Tensor(m))
        }
        (Param::Tensor(m), Param::Float(s)) => {
            check_normal_std(s)?;
            let out = Tensor::empty(m.shape(), m.dtype()).py_err()?;
            normal_fill(py, &out, 0.0, s, &gen)?;
            (out, None, Param::Tensor(m))
        }
        (Param::Float(m), Param::Tensor(s)) => {
            let out = Tensor::empty(s.shape(), s.dtype()).py_err()?;
            normal_fill(py, &out, 0.0, 1.0, &gen)?;
            (out, Some(s), Param::Float(m))
        }
        (Param::Float(_), Param::Float(_)) => {
            return Err(PyTypeError::new_err("normal(): expected a Tensor mean or std"));
        }
    };
    let n = out.numel();
    let to_f64 = |t: &Tensor| -> rstorch::Result<Vec<f64>> {
        t.broadcast_to(out.shape())?.to_dtype(DType::Float64)?.contiguous()?.to_vec::<f64>()
    };
    let scale = scale.as_ref().map(to_f64).transpose().py_err()?;
    let shift: Vec<f64> = match &shift {
        Param::Tensor(m) => to_f64(m).py_err()?,
        Param::Float(m) => {
            // torch adds `full({}, mean, output.options())`: the mean rounded to the dtype
            let mv = float_dispatch!(out.dtype(), T => Element::to_f64(<T as RandFloat>::from_f64(*m)), else => *m);
            vec![mv; n]
        }
    };
    float_dispatch!(out.dtype(), T => {
        let g = out.storage().write().py_err()?;
        // SAFETY: `out` is a fresh contiguous tensor of `n` elements of T.
        let s = unsafe { std::slice::from_raw_parts_mut((g.ptr() as *mut T).add(out.offset()), n) };
        for (i, o) in s.iter_mut().enumerate() {
            let mut v = *o;
            if let Some(sc) = &scale {
                v = <T as RandFloat>::from_f64(Element::to_f64(v) * sc[i]);
            }
            *o = <T as RandFloat>::from_f64(Element::to_f64(v) + shift[i]);
        }
    }, else => unreachable!());
    wrap(py, out)
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
