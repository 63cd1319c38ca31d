//! The op gateway: the one path every op binding takes from Python into the core and back.
//!
//! A binding parses its Python arguments (torch's TypeErrors stay with it, since they name its
//! parameters), says what the call is in a [`Call`], and hands the gateway a kernel closure.
//! The gateway then, in this order:
//!
//! 1. routes the call to its device's implementation ([`route`]): CPU and meta tensors run the
//!    core's ops (on meta they stop after the output's metadata); a GPU backend plugs in here,
//!    once, instead of in every binding;
//! 2. runs the kernel, with the GIL released when the work is large enough to be worth it
//!    ([`GIL_RELEASE_NUMEL`], [`maybe_detach`]);
//! 3. turns a core error into its Python exception, once (crate::error);
//! 4. wraps the result(s) as Python tensors (one tensor, or a tuple: [`Output`]);
//! 5. records the autograd node when the call is tracked ([`finish`]): natively for the ops with
//!    a native rule (crate::autograd), else through the registered Python recorder.
//!
//! In-place ops take [`run_inplace`]: the Python autograd path ([`inplace_py`]) when anything
//! tracks grad, else the kernel on self, returning self.
//!
//! The same-device check (torch's "Expected all tensors to be on the same device, but found at
//! least two devices, ...") is not repeated here: it lives in the core (`Device::common`, which
//! every core op with several tensor operands calls), so Rust users of the crate get it too, and
//! the kernel closure raises it through step 3.
//!
//! The binary operators' small-op fast path (tensor/elementwise.rs `binop`) uses the gateway's
//! pieces directly ([`route`], [`GIL_RELEASE_NUMEL`], [`finish`]): below the GIL-release size it
//! computes on operands borrowed from Python (no refcounted copies), which a `Send` kernel
//! closure cannot capture, and the borrows must end before the recorder runs Python code.

use pyo3::exceptions::PyNotImplementedError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use rstorch::{Device, Tensor};

use crate::error::IntoPy;
use crate::tensor::{registry, wrap, wrap_all, PyTensor};

/// Elements above which a kernel runs with the GIL released (releasing costs ~20 ns).
pub const GIL_RELEASE_NUMEL: usize = 1 << 15;

/// One op call: what the gateway needs besides the kernel.
#[derive(Clone, Copy, Debug)]
pub struct Call<'a> {
    /// The op's name as autograd records it ("add", "sum", "linalg_inv"...).
    pub name: &'a str,
    /// Whether autograd records the call (grad mode is on, the op is differentiable and an
    /// input tracks grad): the binding decides, since it knows which inputs count.
    pub tracked: bool,
    /// The work size that decides the GIL release (usually the largest operand's numel).
    pub numel: usize,
    /// Where the call runs: the device of its (first) tensor operand. The core checks that the
    /// operands agree.
    pub device: Device,
}

impl<'a> Call<'a> {
    pub fn new(name: &'a str, tracked: bool, numel: usize, device: Device) -> Self {
        Call { name, tracked, numel, device }
    }

    /// A call on `t` (self): its numel and device.
    #[inline]
    pub fn on(name: &'a str, tracked: bool, t: &Tensor) -> Self {
        Call { name, tracked, numel: t.numel(), device: t.device() }
    }
}

/// Where a device's implementation plugs in: `name` is the op (torch's name) about to run on
/// `device`. Today the core implements CPU and meta; a wgpu tensor has no backend yet.
#[inline]
pub fn route(name: &str, device: Device) -> PyResult<()> {
    let _ = name;
    match device {
        Device::Cpu | Device::Meta => Ok(()),
        // the core sends the ops with a wgpu kernel to its backend (rstorch::backend); the rest
        // fail on the storage's missing host memory, which [`kernel`] names as the op's
        Device::Wgpu(_) => Ok(()),
    }
}

/// torch's error for an op with no kernel for `device`.
#[cold]
pub fn not_implemented(name: &str, device: Device) -> PyErr {
    PyNotImplementedError::new_err(format!("Could not run 'aten::{name}' with arguments from the '{}' backend.", device.type_name()))
}

/// Run `f` with the GIL released when the work is large enough to be worth it.
#[inline]
pub fn maybe_detach<T: Send>(py: Python<'_>, numel: usize, f: impl FnOnce() -> T + Send) -> T {
    if numel >= GIL_RELEASE_NUMEL {
        py.detach(f)
    } else {
        f()
    }
}

/// A kernel's result as Python sees it.
pub trait Output {
    fn into_out(self, py: Python<'_>) -> PyResult<Bound<'_, PyAny>>;
}

impl Output for Tensor {
    #[inline]
    fn into_out(self, py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        wrap(py, self)
    }
}

/// Several results: a tuple of tensors.
impl Output for Vec<Tensor> {
    fn into_out(self, py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        Ok(wrap_all(py, self)?.into_any())
    }
}

impl Output for (Tensor, Tensor) {
    fn into_out(self, py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        Ok(PyTuple::new(py, [wrap(py, self.0)?, wrap(py, self.1)?])?.into_any())
    }
}

/// Run an op: route, run `kernel` (GIL released when big), convert its error, wrap its result
/// and, when `call.tracked`, record `name(*args(), **kwargs)` for autograd. `args` is built
/// only when recorded (the user's arguments, self first for methods).
#[inline]
pub fn run<'py, R: Output + Send>(
    py: Python<'py>,
    call: Call<'_>,
    args: impl FnOnce() -> PyResult<Bound<'py, PyTuple>>,
    kwargs: Option<&Bound<'py, PyDict>>,
    kernel: impl FnOnce() -> rstorch::Result<R> + Send,
) -> PyResult<Bound<'py, PyAny>> {
    run_with(py, call, args, kwargs, kernel, |r| r.into_out(py))
}

/// [`run`] with the result wrapped by `out` (named tuples, views, results kept as `out=`).
#[inline]
pub fn run_with<'py, R: Send>(
    py: Python<'py>,
    call: Call<'_>,
    args: impl FnOnce() -> PyResult<Bound<'py, PyTuple>>,
    kwargs: Option<&Bound<'py, PyDict>>,
    kernel: impl FnOnce() -> rstorch::Result<R> + Send,
    out: impl FnOnce(R) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let r = compute(py, call, kernel)?;
    finish(py, call.name, call.tracked, args, kwargs, out(r)?)
}

/// Steps 1 to 3 alone: route, run `kernel` (GIL released when big), convert its error. For
/// bindings whose result is no tensor (a bool, a number) or is post-processed before recording.
#[inline]
pub fn compute<R: Send>(py: Python<'_>, call: Call<'_>, kernel: impl FnOnce() -> rstorch::Result<R> + Send) -> PyResult<R> {
    self::kernel(py, call.name, call.device, call.numel, kernel)
}

/// [`compute`] without a [`Call`]: run `f` (the op `name`) on `device`'s implementation, GIL released above
/// `numel`, its error converted.
#[inline]
pub fn kernel<R: Send>(py: Python<'_>, name: &str, device: Device, numel: usize, f: impl FnOnce() -> rstorch::Result<R> + Send) -> PyResult<R> {
    route(name, device)?;
    match maybe_detach(py, numel, f) {
        Err(rstorch::Error::NoHostData(d)) if d != Device::Meta => Err(not_implemented(name, d)),
        r => r.py_err(),
    }
}

/// An in-place op `name(*args(), **kwargs)` on `slf` (args self first): the Python autograd
/// path when `call.tracked` (it checks leaves and versions and rebases the history), else
/// route and run `kernel` (which writes into self) and return self.
#[inline]
pub fn run_inplace<'py>(
    slf: &Bound<'py, PyTensor>,
    call: Call<'_>,
    args: impl FnOnce() -> PyResult<Bound<'py, PyTuple>>,
    kwargs: Option<&Bound<'py, PyDict>>,
    kernel: impl FnOnce() -> rstorch::Result<()> + Send,
) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    if call.tracked {
        return inplace_py(py, call.name, args()?, kwargs);
    }
    compute(py, call, kernel)?;
    Ok(slf.clone().into_any())
}

/// The last step of every op: `out` as it is, or, when `tracked` (an input tracks grad), `out`
/// after the graph node of `name(*args, **kwargs)` was attached: natively for the ops with a
/// native rule (crate::autograd), else by the Python recorder. `args` is built only when
/// needed (the user's arguments, self first for methods); `out` may be a tensor or a tuple of
/// tensors.
#[inline]
pub fn finish<'py>(
    py: Python<'py>,
    name: &str,
    tracked: bool,
    args: impl FnOnce() -> PyResult<Bound<'py, PyTuple>>,
    kwargs: Option<&Bound<'py, PyDict>>,
    out: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    if !tracked {
        return Ok(out);
    }
    let args = args()?;
    if let Some(r) = crate::autograd::try_record(py, name, &args, kwargs, &out)? {
        return Ok(r);
    }
    registry(py)?.record.bind(py).call1((name, args, kwargs, out))
}

/// Hand the in-place op `name(*args, **kwargs)` (e.g. "add_", self first) to the Python
/// autograd path, for when self or an operand tracks grad.
pub fn inplace_py<'py>(
    py: Python<'py>,
    name: &str,
    args: Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    registry(py)?.inplace.bind(py).call1((name, args, kwargs))
}
