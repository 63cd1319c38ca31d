//! Reductions, scans and softmax as Tensor methods (the kernels are rust/core/src/ops/reduce.rs),
//! plus the `_C` functions behind `var_mean`/`std_mean` and `linalg.vector_norm`.
//!
//! Every method parses its arguments, runs the kernel (GIL released when large) and passes the
//! result through `finish`, recording the op under its torch name with the user's arguments as
//! keywords (`dim`, `keepdim`, ...), which is what the backward rules in
//! rstorch/autograd/rules/reduce.py read.

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyString, PyTuple};
use rstorch::ops::reduce::{self, scan, Moment};
use rstorch::{DType, Tensor};

use super::{registry, wrap, PyTensor};
use crate::convert::{extract_dtype, extract_i64, extract_int_seq};
use crate::dispatch::{self, Call};

/// What a kernel returns: one tensor, a `torch.return_types.<name>` pair, or a plain pair.
enum Outs {
    One(Tensor),
    Named(&'static str, Tensor, Tensor),
    Pair(Tensor, Tensor),
}

/// `rstorch.return_types.<name>((a, b))` (the structseq classes are made in Python).
fn named_pair<'py>(py: Python<'py>, name: &str, a: Bound<'py, PyAny>, b: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    registry(py)?.return_types.bind(py).getattr(name)?.call1(((a, b),))
}

/// Run `f` on self's tensor and record `name(self, **kw)` when self tracks grad (an empty name:
/// an op with integer or bool results, which autograd does not record).
fn run<'py>(
    slf: &Bound<'py, PyTensor>,
    name: &str,
    kw: &[(&str, Option<&Bound<'py, PyAny>>)],
    f: impl FnOnce(&Tensor) -> rstorch::Result<Outs> + Send,
) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    let me = slf.borrow();
    let (t, tracked) = (me.t.clone(), me.tracks_grad() && !name.is_empty());
    drop(me);
    // the keywords are built only when the call is recorded
    let d = if tracked {
        let d = PyDict::new(py);
        for (k, v) in kw {
            d.set_item(k, v)?;
        }
        Some(d)
    } else {
        None
    };
    let out = |outs| match outs {
        Outs::One(a) => wrap(py, a),
        Outs::Named(n, a, b) => named_pair(py, n, wrap(py, a)?, wrap(py, b)?),
        Outs::Pair(a, b) => Ok(PyTuple::new(py, [wrap(py, a)?, wrap(py, b)?])?.into_any()),
    };
    dispatch::run_with(py, Call::on(name, tracked, &t), || PyTuple::new(py, [slf.clone().into_any()]), d.as_ref(), || f(&t), out)
}

fn given<'a, 'py>(o: Option<&'a Bound<'py, PyAny>>) -> Option<&'a Bound<'py, PyAny>> {
    o.filter(|v| !v.is_none())
}

/// A `dim` that may be an int or a sequence of ints (None = all dims).
fn dims_arg(name: &str, dim: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<i64>>> {
    given(dim).map(|d| extract_int_seq(d, &format!("{name}(): argument 'dim'"))).transpose()
}

/// A `dim` that must be a single int (None allowed where torch allows it).
fn one_dim(name: &str, dim: Option<&Bound<'_, PyAny>>) -> PyResult<Option<i64>> {
    match given(dim) {
        None => Ok(None),
        Some(d) if d.is_instance_of::<PyInt>() || !d.hasattr("__len__")? => {
            extract_i64(d, &format!("{name}(): argument 'dim' (position 1)")).map(Some)
        }
        Some(d) => Err(PyTypeError::new_err(format!(
            "{name}(): argument 'dim' (position 1) must be int, not {}",
            d.get_type().name()?
        ))),
    }
}

fn dtype_arg(dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Option<DType>> {
    given(dtype).map(extract_dtype).transpose()
}

fn py_bool<'py>(py: Python<'py>, v: bool) -> Bound<'py, PyAny> {
    PyBool::new(py, v).to_owned().into_any()
}

type DimsFn = fn(&Tensor, Option<&[i64]>, bool, Option<DType>) -> rstorch::Result<Tensor>;

/// A `(dim=None, keepdim=False, *, dtype=None)` reduction.
fn reduction<'py>(
    slf: &Bound<'py, PyTensor>,
    name: &str,
    f: DimsFn,
    dim: Option<&Bound<'py, PyAny>>,
    keepdim: bool,
    dtype: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let dims = dims_arg(name, dim)?;
    let dt = dtype_arg(dtype)?;
    let kd = py_bool(slf.py(), keepdim);
    run(slf, name, &[("dim", dim), ("keepdim", Some(&kd)), ("dtype", dtype)], move |t| {
        f(t, dims.as_deref(), keepdim, dt).map(Outs::One)
    })
}

/// `max`/`min`: all elements, `(values, indices)` over a dim, or the binary form with a tensor.
fn max_min<'py>(slf: &Bound<'py, PyTensor>, dim: Option<&Bound<'py, PyAny>>, keepdim: bool, max: bool) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    let name = if max { "max" } else { "min" };
    if let Some(other) = given(dim).filter(|d| d.is_instance_of::<PyTensor>()) {
        let reg = registry(py)?;
        let f = if max { &reg.maximum } else { &reg.minimum };
        return f.bind(py).call1((slf, other));
    }
    match one_dim(name, dim)? {
        None => run(slf, name, &[], move |t| reduce::max_all(t, max).map(Outs::One)),
        Some(d) => {
            let kd = py_bool(py, keepdim);
            run(slf, name, &[("dim", dim), ("keepdim", Some(&kd))], move |t| {
                let (v, i) = reduce::max_dim(t, d, keepdim, max)?;
                Ok(Outs::Named(if max { "max" } else { "min" }, v, i))
            })
        }
    }
}

/// torch's correction from `unbiased`/`correction` (default 1).
fn correction_of(unbiased: Option<bool>, correction: Option<&Bound<'_, PyAny>>) -> PyResult<f64> {
    match (given(correction), unbiased) {
        (Some(_), Some(_)) => Err(PyRuntimeError::new_err("Cannot specify both unbiased and correction")),
        (Some(c), None) => c.extract::<f64>(),
        (None, Some(u)) => Ok(u as u8 as f64),
        (None, None) => Ok(1.0),
    }
}

/// `std`/`var` and their `_mean` forms; a bool in `dim`'s place is `unbiased`, as in torch.
#[allow(clippy::too_many_arguments)]
fn moments<'py>(
    slf: &Bound<'py, PyTensor>,
    name: &'static str,
    dim: Option<&Bound<'py, PyAny>>,
    unbiased: Option<bool>,
    keepdim: bool,
    correction: Option<&Bound<'py, PyAny>>,
    which: Moment,
    with_mean: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    let (dim, unbiased) = match given(dim) {
        Some(d) if d.is_instance_of::<PyBool>() => (None, Some(d.is_truthy()?)),
        _ => (given(dim), unbiased),
    };
    let corr = correction_of(unbiased, correction)?;
    let dims = dims_arg(name, dim)?;
    let (kd, co) = (py_bool(py, keepdim), PyFloat::new(py, corr).into_any());
    run(slf, name, &[("dim", dim), ("correction", Some(&co)), ("keepdim", Some(&kd))], move |t| {
        let (v, m) = reduce::var_std(t, dims.as_deref(), corr, keepdim, which, with_mean)?;
        Ok(match m {
            Some(m) => Outs::Pair(v, m),
            None => Outs::One(v),
        })
    })
}

/// The `ord` of a norm: a number, inf, or 'fro' (= 2).
fn norm_ord(p: Option<&Bound<'_, PyAny>>) -> PyResult<f64> {
    match given(p) {
        None => Ok(2.0),
        Some(p) if p.is_instance_of::<PyString>() => match p.extract::<String>()?.as_str() {
            "fro" => Ok(2.0),
            "nuc" => Err(PyRuntimeError::new_err("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")),
            s => Err(PyRuntimeError::new_err(format!("linalg.norm: Order {s} not supported."))),
        },
        Some(p) => p.extract::<f64>(),
    }
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None))]
    fn sum<'py>(slf: &Bound<'py, Self>, dim: Option<&Bound<'py, PyAny>>, keepdim: bool, dtype: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        reduction(slf, "sum", reduce::sum, dim, keepdim, dtype)
    }

    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None))]
    fn mean<'py>(slf: &Bound<'py, Self>, dim: Option<&Bound<'py, PyAny>>, keepdim: bool, dtype: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        reduction(slf, "mean", reduce::mean, dim, keepdim, dtype)
    }

    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None))]
    fn nansum<'py>(slf: &Bound<'py, Self>, dim: Option<&Bound<'py, PyAny>>, keepdim: bool, dtype: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        reduction(slf, "nansum", reduce::nansum, dim, keepdim, dtype)
    }

    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None))]
    fn nanmean<'py>(slf: &Bound<'py, Self>, dim: Option<&Bound<'py, PyAny>>, keepdim: bool, dtype: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        reduction(slf, "nanmean", reduce::nanmean, dim, keepdim, dtype)
    }

    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None))]
    fn prod<'py>(slf: &Bound<'py, Self>, dim: Option<&Bound<'py, PyAny>>, keepdim: bool, dtype: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let d = one_dim("prod", dim)?;
        let dt = dtype_arg(dtype)?;
        let kd = py_bool(slf.py(), keepdim);
        run(slf, "prod", &[("dim", dim), ("keepdim", Some(&kd)), ("dtype", dtype)], move |t| {
            reduce::prod(t, d, keepdim, dt).map(Outs::One)
        })
    }

    #[pyo3(signature = (dim=None, keepdim=false))]
    fn max<'py>(slf: &Bound<'py, Self>, dim: Option<&Bound<'py, PyAny>>, keepdim: bool) -> PyResult<Bound<'py, PyAny>> {
        max_min(slf, dim, keepdim, true)
    }

    #[pyo3(signature = (dim=None, keepdim=false))]
    fn min<'py>(slf: &Bound<'py, Self>, dim: Option<&Bound<'py, PyAny>>, keepdim: bool) -> PyResult<Bound<'py, PyAny>> {
        max_min(slf, dim, keepdim, false)
    }

    #[pyo3(signature = (dim=None, keepdim=false))]
    fn amax<'py>(slf: &Bound<'py, Self>, dim: Option<&Bound<'py, PyAny>>, keepdim: bool) -> PyResult<Bound<'py, PyAny>> {
        let dims = dims_arg("amax", dim)?;
        let kd = py_bool(slf.py(), keepdim);
        run(slf, "amax", &[("dim", dim), ("keepdim", Some(&kd))], move |t| reduce::amax(t, dims.as_deref(), keepdim, true).map(Outs::One))
    }

    #[pyo3(signature = (dim=None, keepdim=false))]
    fn amin<'py>(slf: &Bound<'py, Self>, dim: Option<&Bound<'py, PyAny>>, keepdim: bool) -> PyResult<Bound<'py, PyAny>> {
        let dims = dims_arg("amin", dim)?;
        let kd = py_bool(slf.py(), keepdim);
        run(slf, "amin", &[("dim", dim), ("keepdim", Some(&kd))], move |t| reduce::amax(t, dims.as_deref(), keepdim, false).map(Outs::One))
    }

    #[pyo3(signature = (dim=None, keepdim=false))]
    fn argmax<'py>(slf: &Bound<'py, Self>, dim: Option<&Bound<'py, PyAny>>, keepdim: bool) -> PyResult<Bound<'py, PyAny>> {
        let d = one_dim("argmax", dim)?;
        run(slf, "", &[], move |t| reduce::argmax(t, d, keepdim, true).map(Outs::One))
    }

    #[pyo3(signature = (dim=None, keepdim=false))]
    fn argmin<'py>(slf: &Bound<'py, Self>, dim: Option<&Bound<'py, PyAny>>, keepdim: bool) -> PyResult<Bound<'py, PyAny>> {
        let d = one_dim("argmin", dim)?;
        run(slf, "", &[], move |t| reduce::argmax(t, d, keepdim, false).map(Outs::One))
    }

    #[pyo3(signature = (*, dim=None, keepdim=false))]
    fn aminmax<'py>(slf: &Bound<'py, Self>, dim: Option<&Bound<'py, PyAny>>, keepdim: bool) -> PyResult<Bound<'py, PyAny>> {
        let d = one_dim("aminmax", dim)?;
        let kd = py_bool(slf.py(), keepdim);
        run(slf, "aminmax", &[("dim", dim), ("keepdim", Some(&kd))], move |t| {
            let (lo, hi) = reduce::aminmax(t, d, keepdim)?;
            Ok(Outs::Named("aminmax", lo, hi))
        })
    }

    #[pyo3(signature = (dim=None, unbiased=None, keepdim=false, *, correction=None))]
    fn std<'py>(slf: &Bound<'py, Self>, dim: Option<&Bound<'py, PyAny>>, unbiased: Option<bool>, keepdim: bool, correction: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        moments(slf, "std", dim, unbiased, keepdim, correction, Moment::Std, false)
    }

    #[pyo3(signature = (dim=None, unbiased=None, keepdim=false, *, correction=None))]
    fn var<'py>(slf: &Bound<'py, Self>, dim: Option<&Bound<'py, PyAny>>, unbiased: Option<bool>, keepdim: bool, correction: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        moments(slf, "var", dim, unbiased, keepdim, correction, Moment::Var, false)
    }

    /// Backs `rstorch.std_mean` / `var_mean` (functions only in torch).
    #[pyo3(signature = (std, dim=None, unbiased=None, keepdim=false, *, correction=None))]
    fn _var_mean<'py>(slf: &Bound<'py, Self>, std: bool, dim: Option<&Bound<'py, PyAny>>, unbiased: Option<bool>, keepdim: bool, correction: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let (name, which) = if std { ("std_mean", Moment::Std) } else { ("var_mean", Moment::Var) };
        moments(slf, name, dim, unbiased, keepdim, correction, which, true)
    }

    #[pyo3(signature = (p=None, dim=None, keepdim=false, dtype=None))]
    fn norm<'py>(slf: &Bound<'py, Self>, p: Option<&Bound<'py, PyAny>>, dim: Option<&Bound<'py, PyAny>>, keepdim: bool, dtype: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let ord = norm_ord(p)?;
        let dims = dims_arg("norm", dim)?;
        let dt = dtype_arg(dtype)?;
        let (kd, o) = (py_bool(slf.py(), keepdim), PyFloat::new(slf.py(), ord).into_any());
        run(slf, "norm", &[("p", Some(&o)), ("dim", dim), ("keepdim", Some(&kd)), ("dtype", dtype)], move |t| {
            reduce::vector_norm(t, ord, dims.as_deref(), keepdim, dt).map(Outs::One)
        })
    }

    /// Backs `linalg.vector_norm(x, ord, dim, keepdim, *, dtype)`.
    #[pyo3(signature = (ord=None, dim=None, keepdim=false, *, dtype=None))]
    fn _vector_norm<'py>(slf: &Bound<'py, Self>, ord: Option<&Bound<'py, PyAny>>, dim: Option<&Bound<'py, PyAny>>, keepdim: bool, dtype: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let o: f64 = given(ord).map(|o| o.extract()).transpose()?.unwrap_or(2.0);
        let dims = dims_arg("linalg.vector_norm", dim)?;
        let dt = dtype_arg(dtype)?;
        let (kd, of) = (py_bool(slf.py(), keepdim), PyFloat::new(slf.py(), o).into_any());
        run(slf, "linalg_vector_norm", &[("ord", Some(&of)), ("dim", dim), ("keepdim", Some(&kd)), ("dtype", dtype)], move |t| {
            reduce::vector_norm(t, o, dims.as_deref(), keepdim, dt).map(Outs::One)
        })
    }

    #[pyo3(signature = (dim, keepdim=false))]
    fn logsumexp<'py>(slf: &Bound<'py, Self>, dim: &Bound<'py, PyAny>, keepdim: bool) -> PyResult<Bound<'py, PyAny>> {
        let dims = dims_arg("logsumexp", Some(dim))?;
        let kd = py_bool(slf.py(), keepdim);
        run(slf, "logsumexp", &[("dim", Some(dim)), ("keepdim", Some(&kd))], move |t| reduce::logsumexp(t, dims.as_deref(), keepdim).map(Outs::One))
    }

    #[pyo3(signature = (dim=None, keepdim=false))]
    fn all<'py>(slf: &Bound<'py, Self>, dim: Option<&Bound<'py, PyAny>>, keepdim: bool) -> PyResult<Bound<'py, PyAny>> {
        let dims = dims_arg("all", dim)?;
        run(slf, "", &[], move |t| reduce::all_any(t, dims.as_deref(), keepdim, true).map(Outs::One))
    }

    #[pyo3(signature = (dim=None, keepdim=false))]
    fn any<'py>(slf: &Bound<'py, Self>, dim: Option<&Bound<'py, PyAny>>, keepdim: bool) -> PyResult<Bound<'py, PyAny>> {
        let dims = dims_arg("any", dim)?;
        run(slf, "", &[], move |t| reduce::all_any(t, dims.as_deref(), keepdim, false).map(Outs::One))
    }

    #[pyo3(signature = (dim=None))]
    fn count_nonzero<'py>(slf: &Bound<'py, Self>, dim: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let dims = dims_arg("count_nonzero", dim)?;
        run(slf, "", &[], move |t| reduce::count_nonzero(t, dims.as_deref()).map(Outs::One))
    }

    #[pyo3(signature = (dim, *, dtype=None))]
    fn cumsum<'py>(slf: &Bound<'py, Self>, dim: &Bound<'py, PyAny>, dtype: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let d = extract_i64(dim, "cumsum(): argument 'dim' (position 1)")?;
        let dt = dtype_arg(dtype)?;
        run(slf, "cumsum", &[("dim", Some(dim)), ("dtype", dtype)], move |t| scan::cumsum(t, d, dt, false).map(Outs::One))
    }

    #[pyo3(signature = (dim, *, dtype=None))]
    fn cumprod<'py>(slf: &Bound<'py, Self>, dim: &Bound<'py, PyAny>, dtype: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let d = extract_i64(dim, "cumprod(): argument 'dim' (position 1)")?;
        let dt = dtype_arg(dtype)?;
        run(slf, "cumprod", &[("dim", Some(dim)), ("dtype", dtype)], move |t| scan::cumsum(t, d, dt, true).map(Outs::One))
    }

    fn cummax<'py>(slf: &Bound<'py, Self>, dim: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let d = extract_i64(dim, "cummax(): argument 'dim' (position 1)")?;
        run(slf, "cummax", &[("dim", Some(dim))], move |t| scan::cummax(t, d, true).map(|(v, i)| Outs::Named("cummax", v, i)))
    }

    fn cummin<'py>(slf: &Bound<'py, Self>, dim: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let d = extract_i64(dim, "cummin(): argument 'dim' (position 1)")?;
        run(slf, "cummin", &[("dim", Some(dim))], move |t| scan::cummax(t, d, false).map(|(v, i)| Outs::Named("cummin", v, i)))
    }

    fn logcumsumexp<'py>(slf: &Bound<'py, Self>, dim: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let d = extract_i64(dim, "logcumsumexp(): argument 'dim' (position 1)")?;
        run(slf, "logcumsumexp", &[("dim", Some(dim))], move |t| scan::logcumsumexp(t, d).map(Outs::One))
    }

    #[pyo3(signature = (dim, dtype=None))]
    fn softmax<'py>(slf: &Bound<'py, Self>, dim: &Bound<'py, PyAny>, dtype: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let d = extract_i64(dim, "softmax(): argument 'dim' (position 1)")?;
        let dt = dtype_arg(dtype)?;
        run(slf, "softmax", &[("dim", Some(dim)), ("dtype", dtype)], move |t| scan::softmax(t, d, dt, false).map(Outs::One))
    }

    #[pyo3(signature = (dim, dtype=None))]
    fn log_softmax<'py>(slf: &Bound<'py, Self>, dim: &Bound<'py, PyAny>, dtype: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let d = extract_i64(dim, "log_softmax(): argument 'dim' (position 1)")?;
        let dt = dtype_arg(dtype)?;
        run(slf, "log_softmax", &[("dim", Some(dim)), ("dtype", dtype)], move |t| scan::softmax(t, d, dt, true).map(Outs::One))
    }
}

/// Add this family's module-level functions to `_C` (the function forms are Python, in
/// rstorch/_ops/reduce.py).
pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
