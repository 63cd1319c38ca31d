//! Indexing ops (gather, scatter, index_*, masked_*, take, put, nonzero, and the advanced
//! indexing behind `__getitem__`/`__setitem__`) as Tensor methods.
//!
//! Every op has one core kernel that works in place (rust/core/src/ops/index/); the
//! out-of-place forms run it on a copy. In-place forms on tensors that track grad go to the
//! Python autograd path, out-of-place ones record their node through `finish`.

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use rstorch::ops::index as core;
use rstorch::ops::index::{ScatterReduce, ScatterSrc};
use rstorch::{Scalar, Tensor};

use super::views::self_args;
use super::{wrap, PyTensor};
use crate::dispatch::{self, Call};
use crate::convert::extract_scalar;
use crate::error::IntoPy;

/// A tensor argument of `op` and whether it tracks grad.
fn tensor_arg(obj: &Bound<'_, PyAny>, op: &str, arg: &str) -> PyResult<(Tensor, bool)> {
    match obj.cast::<PyTensor>() {
        Ok(t) => {
            let t = t.borrow();
            Ok((t.t.clone(), t.tracks_grad()))
        }
        Err(_) => Err(PyTypeError::new_err(format!("{op}(): argument '{arg}' must be Tensor, not {}", obj.get_type().name()?))),
    }
}

/// A fill value: a number or a 0-dim tensor (`op` names the op in torch's error).
fn value_arg(obj: &Bound<'_, PyAny>, op: &str) -> PyResult<(Scalar, bool)> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        let t = t.borrow();
        if t.t.ndim() != 0 {
            return Err(PyRuntimeError::new_err(format!(
                "{op} only supports a 0-dimensional value tensor, but got tensor with {} dimension(s).",
                t.t.ndim()
            )));
        }
        return Ok((t.t.item().py_err()?, t.tracks_grad()));
    }
    match extract_scalar(obj) {
        Some(s) => Ok((s?, false)),
        None => Err(PyTypeError::new_err(format!("{op}(): argument 'value' must be Number, not {}", obj.get_type().name()?))),
    }
}

/// An index list (`t[indices]`, `index_put_`): a sequence of None or tensors.
fn index_list(obj: &Bound<'_, PyAny>) -> PyResult<(Vec<Option<Tensor>>, bool)> {
    let tensor = |i: &Bound<'_, PyAny>| match i.cast::<PyTensor>() {
        Ok(t) => Ok((t.borrow().t.clone(), t.borrow().tracks_grad())),
        Err(_) => Err(PyTypeError::new_err(format!("indices must be Tensor, not {}", i.get_type().name()?))),
    };
    if obj.cast::<PyTensor>().is_ok() {
        let (t, g) = tensor(obj)?;
        return Ok((vec![Some(t)], g));
    }
    let items: Vec<Bound<'_, PyAny>> = if let Ok(t) = obj.cast::<PyTuple>() {
        t.iter().collect()
    } else if let Ok(l) = obj.cast::<PyList>() {
        l.iter().collect()
    } else {
        return Err(PyTypeError::new_err("indices must be a tuple or list of Tensors"));
    };
    let mut tracked = false;
    let v = items
        .iter()
        .map(|i| {
            if i.is_none() {
                return Ok(None);
            }
            let (t, g) = tensor(i)?;
            tracked |= g;
            Ok(Some(t))
        })
        .collect::<PyResult<Vec<_>>>()?;
    Ok((v, tracked))
}

/// An in-place op: the autograd path when anything tracks grad, else `f` on self's tensor.
fn run_inplace<'py>(
    slf: &Bound<'py, PyTensor>,
    name: &str,
    args: &[Bound<'py, PyAny>],
    kwargs: Option<&Bound<'py, PyDict>>,
    others_track: bool,
    f: impl FnOnce(&Tensor) -> rstorch::Result<()> + Send,
) -> PyResult<Bound<'py, PyAny>> {
    let me = slf.borrow();
    let (t, tracked) = (me.t.clone(), me.tracks_grad() || others_track);
    drop(me);
    dispatch::run_inplace(slf, Call::on(name, tracked, &t), || self_args(slf, args), kwargs, || f(&t))
}

/// The out-of-place form of an in-place kernel: run it on a copy of `base` (self, or self
/// broadcast for masked_fill), then record `name`.
fn run_copy<'py>(
    slf: &Bound<'py, PyTensor>,
    name: &str,
    args: &[Bound<'py, PyAny>],
    kwargs: Option<&Bound<'py, PyDict>>,
    others_track: bool,
    base: impl FnOnce(&Tensor) -> rstorch::Result<Tensor> + Send,
    f: impl FnOnce(&Tensor) -> rstorch::Result<()> + Send,
) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    let me = slf.borrow();
    let (t, tracked) = (me.t.clone(), me.tracks_grad() || others_track);
    drop(me);
    dispatch::run(py, Call::on(name, tracked, &t), || self_args(slf, args), kwargs, || -> rstorch::Result<Tensor> {
        let out = base(&t)?.copy_as(t.dtype())?;
        f(&out)?;
        Ok(out)
    })
}

/// An index op's kernel `f`, which works in place: on self for the `name_` method
/// (`in_place`), else on a copy of `base(self)` for the `name` method. `name` is the method's.
#[allow(clippy::too_many_arguments)]
fn run_either<'py>(
    slf: &Bound<'py, PyTensor>,
    in_place: bool,
    name: &str,
    args: &[Bound<'py, PyAny>],
    kwargs: Option<&Bound<'py, PyDict>>,
    others_track: bool,
    base: impl FnOnce(&Tensor) -> rstorch::Result<Tensor> + Send,
    f: impl FnOnce(&Tensor) -> rstorch::Result<()> + Send,
) -> PyResult<Bound<'py, PyAny>> {
    if in_place {
        run_inplace(slf, name, args, kwargs, others_track, f)
    } else {
        run_copy(slf, name, args, kwargs, others_track, base, f)
    }
}

/// `self` as the base of an out-of-place form: the copy has self's shape.
fn same(t: &Tensor) -> rstorch::Result<Tensor> {
    Ok(t.clone())
}

/// masked_fill and masked_scatter broadcast self with the mask first (in the out-of-place forms;
/// torch broadcasts mask with self, so a mismatch names the mask as tensor a).
fn broadcast_with(mask: &Tensor) -> impl FnOnce(&Tensor) -> rstorch::Result<Tensor> + Send + '_ {
    move |t| t.broadcast_to(&rstorch::shape::broadcast_shapes(mask.shape(), t.shape())?)
}

/// A new-tensor op recorded as `name(self, *args)`.
fn run_new<'py>(
    slf: &Bound<'py, PyTensor>,
    name: &str,
    args: &[Bound<'py, PyAny>],
    kwargs: Option<&Bound<'py, PyDict>>,
    others_track: bool,
    f: impl FnOnce(&Tensor) -> rstorch::Result<Tensor> + Send,
) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    let me = slf.borrow();
    let (t, tracked) = (me.t.clone(), me.tracks_grad() || others_track);
    drop(me);
    dispatch::run(py, Call::on(name, tracked, &t), || self_args(slf, args), kwargs, || f(&t))
}

fn int<'py>(py: Python<'py>, v: i64) -> PyResult<Bound<'py, PyAny>> {
    Ok(v.into_pyobject(py)?.into_any())
}

/// The scatter source: a tensor or a value (torch's `src` / `value` overloads).
enum Src {
    T(Tensor),
    V(Scalar),
}

fn scatter_src<'py>(src: Option<&Bound<'py, PyAny>>, value: Option<&Bound<'py, PyAny>>) -> PyResult<(Src, bool, Bound<'py, PyAny>)> {
    let obj = match (src, value) {
        (Some(s), None) | (None, Some(s)) => s.clone(),
        _ => return Err(PyTypeError::new_err("scatter() needs exactly one of 'src' or 'value'")),
    };
    if obj.cast::<PyTensor>().is_ok() {
        let (t, g) = tensor_arg(&obj, "scatter", "src")?;
        return Ok((Src::T(t), g, obj));
    }
    let (v, _) = value_arg(&obj, "scatter")?;
    Ok((Src::V(v), false, obj))
}

fn scatter_kernel(t: &Tensor, dim: i64, index: &Tensor, src: &Src, reduce: rstorch::Result<Option<ScatterReduce>>, include_self: bool) -> rstorch::Result<()> {
    let s = match src {
        Src::T(x) => ScatterSrc::Tensor(x),
        Src::V(v) => ScatterSrc::Value(*v),
    };
    core::scatter_parsed_(t, dim, index, s, reduce, include_self)
}

fn reduce_kw<'py>(py: Python<'py>, key: &str, value: Option<&str>) -> PyResult<Option<Bound<'py, PyDict>>> {
    Ok(match value {
        Some(v) => {
            let kw = PyDict::new(py);
            kw.set_item(key, v)?;
            Some(kw)
        }
        None => None,
    })
}

/// Bind each index op that has both forms: `$name` (on a copy of self) and `$name_` (in place),
/// both `$imp(slf, args..., in_place)`.
macro_rules! both_forms {
    ($( $name:ident, $name_:ident => $imp:ident ($($sig:tt)*) ($($arg:ident: $ty:ty),*); )*) => {
        #[pymethods]
        impl PyTensor {
            $(
                #[pyo3(signature = ($($sig)*))]
                fn $name<'py>(slf: &Bound<'py, Self>, $($arg: $ty),*) -> PyResult<Bound<'py, PyAny>> {
                    $imp(slf, $($arg,)* false)
                }
                #[pyo3(signature = ($($sig)*))]
                fn $name_<'py>(slf: &Bound<'py, Self>, $($arg: $ty),*) -> PyResult<Bound<'py, PyAny>> {
                    $imp(slf, $($arg,)* true)
                }
            )*
        }
    };
}

both_forms! {
    scatter, scatter_ => scatter_impl (dim, index, src=None, *, value=None, reduce=None)
        (dim: i64, index: &Bound<'py, PyAny>, src: Option<&Bound<'py, PyAny>>, value: Option<&Bound<'py, PyAny>>, reduce: Option<&str>);
    scatter_add, scatter_add_ => scatter_add_impl (dim, index, src)
        (dim: i64, index: &Bound<'py, PyAny>, src: &Bound<'py, PyAny>);
    scatter_reduce, scatter_reduce_ => scatter_reduce_impl (dim, index, src, reduce, *, include_self=true)
        (dim: i64, index: &Bound<'py, PyAny>, src: &Bound<'py, PyAny>, reduce: &str, include_self: bool);
    index_add, index_add_ => index_add_impl (dim, index, source, *, alpha=None)
        (dim: i64, index: &Bound<'py, PyAny>, source: &Bound<'py, PyAny>, alpha: Option<&Bound<'py, PyAny>>);
    index_copy, index_copy_ => index_copy_impl (dim, index, source)
        (dim: i64, index: &Bound<'py, PyAny>, source: &Bound<'py, PyAny>);
    index_fill, index_fill_ => index_fill_impl (dim, index, value)
        (dim: i64, index: &Bound<'py, PyAny>, value: &Bound<'py, PyAny>);
    index_put, index_put_ => index_put_impl (indices, values, accumulate=false)
        (indices: &Bound<'py, PyAny>, values: &Bound<'py, PyAny>, accumulate: bool);
    masked_fill, masked_fill_ => masked_fill_impl (mask, value)
        (mask: &Bound<'py, PyAny>, value: &Bound<'py, PyAny>);
    masked_scatter, masked_scatter_ => masked_scatter_impl (mask, source)
        (mask: &Bound<'py, PyAny>, source: &Bound<'py, PyAny>);
    put, put_ => put_impl (index, source, accumulate=false)
        (index: &Bound<'py, PyAny>, source: &Bound<'py, PyAny>, accumulate: bool);
}

fn scatter_impl<'py>(
    slf: &Bound<'py, PyTensor>,
    dim: i64,
    index: &Bound<'py, PyAny>,
    src: Option<&Bound<'py, PyAny>>,
    value: Option<&Bound<'py, PyAny>>,
    reduce: Option<&str>,
    in_place: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let (py, name) = (slf.py(), if in_place { "scatter_" } else { "scatter" });
    let (ix, _) = tensor_arg(index, name, "index")?;
    let (s, g, sobj) = scatter_src(src, value)?;
    // a bad reduce name is reported after the operands' checks, as torch does
    let red = reduce.map(ScatterReduce::parse_legacy).transpose();
    let kw = reduce_kw(py, "reduce", reduce)?;
    run_either(slf, in_place, name, &[int(py, dim)?, index.clone(), sobj], kw.as_ref(), g, same, |t| {
        scatter_kernel(t, dim, &ix, &s, red, true)
    })
}

fn scatter_add_impl<'py>(slf: &Bound<'py, PyTensor>, dim: i64, index: &Bound<'py, PyAny>, src: &Bound<'py, PyAny>, in_place: bool) -> PyResult<Bound<'py, PyAny>> {
    let (py, name) = (slf.py(), if in_place { "scatter_add_" } else { "scatter_add" });
    let (ix, _) = tensor_arg(index, name, "index")?;
    let (s, g) = tensor_arg(src, name, "src")?;
    run_either(slf, in_place, name, &[int(py, dim)?, index.clone(), src.clone()], None, g, same, |t| {
        core::scatter_(t, dim, &ix, ScatterSrc::Tensor(&s), Some(ScatterReduce::Sum), true)
    })
}

fn scatter_reduce_impl<'py>(
    slf: &Bound<'py, PyTensor>,
    dim: i64,
    index: &Bound<'py, PyAny>,
    src: &Bound<'py, PyAny>,
    reduce: &str,
    include_self: bool,
    in_place: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let (py, name) = (slf.py(), if in_place { "scatter_reduce_" } else { "scatter_reduce" });
    let (ix, _) = tensor_arg(index, name, "index")?;
    let (s, g) = tensor_arg(src, name, "src")?;
    let red = ScatterReduce::parse(reduce).map(Some);
    let kw = PyDict::new(py);
    kw.set_item("include_self", include_self)?;
    let args = [int(py, dim)?, index.clone(), src.clone(), reduce.into_pyobject(py)?.into_any()];
    run_either(slf, in_place, name, &args, Some(&kw), g, same, |t| {
        core::scatter_parsed_(t, dim, &ix, ScatterSrc::Tensor(&s), red, include_self)
    })
}

fn index_copy_impl<'py>(slf: &Bound<'py, PyTensor>, dim: i64, index: &Bound<'py, PyAny>, source: &Bound<'py, PyAny>, in_place: bool) -> PyResult<Bound<'py, PyAny>> {
    let (py, name) = (slf.py(), if in_place { "index_copy_" } else { "index_copy" });
    let (ix, _) = tensor_arg(index, name, "index")?;
    let (s, g) = tensor_arg(source, name, "source")?;
    run_either(slf, in_place, name, &[int(py, dim)?, index.clone(), source.clone()], None, g, same, |t| {
        core::index_copy_(t, dim, &ix, &s)
    })
}

fn index_fill_impl<'py>(slf: &Bound<'py, PyTensor>, dim: i64, index: &Bound<'py, PyAny>, value: &Bound<'py, PyAny>, in_place: bool) -> PyResult<Bound<'py, PyAny>> {
    let (py, name) = (slf.py(), if in_place { "index_fill_" } else { "index_fill" });
    let (ix, _) = tensor_arg(index, name, "index")?;
    let (v, g) = value_arg(value, "index_fill_")?;
    run_either(slf, in_place, name, &[int(py, dim)?, index.clone(), value.clone()], None, g, same, |t| core::index_fill_(t, dim, &ix, v))
}

fn index_put_impl<'py>(slf: &Bound<'py, PyTensor>, indices: &Bound<'py, PyAny>, values: &Bound<'py, PyAny>, accumulate: bool, in_place: bool) -> PyResult<Bound<'py, PyAny>> {
    let (py, name) = (slf.py(), if in_place { "index_put_" } else { "index_put" });
    let (ix, _) = index_list(indices)?;
    let (v, g) = tensor_arg(values, name, "values")?;
    let args = [indices.clone(), values.clone(), accumulate.into_pyobject(py)?.to_owned().into_any()];
    run_either(slf, in_place, name, &args, None, g, same, |t| core::index_put_(t, &ix, &v, accumulate))
}

fn masked_fill_impl<'py>(slf: &Bound<'py, PyTensor>, mask: &Bound<'py, PyAny>, value: &Bound<'py, PyAny>, in_place: bool) -> PyResult<Bound<'py, PyAny>> {
    let name = if in_place { "masked_fill_" } else { "masked_fill" };
    let (m, _) = tensor_arg(mask, name, "mask")?;
    let (v, g) = value_arg(value, "masked_fill_")?;
    run_either(slf, in_place, name, &[mask.clone(), value.clone()], None, g, broadcast_with(&m), |t| core::masked_fill_(t, &m, v))
}

fn masked_scatter_impl<'py>(slf: &Bound<'py, PyTensor>, mask: &Bound<'py, PyAny>, source: &Bound<'py, PyAny>, in_place: bool) -> PyResult<Bound<'py, PyAny>> {
    let name = if in_place { "masked_scatter_" } else { "masked_scatter" };
    let (m, _) = tensor_arg(mask, name, "mask")?;
    let (s, g) = tensor_arg(source, name, "source")?;
    run_either(slf, in_place, name, &[mask.clone(), source.clone()], None, g, broadcast_with(&m), |t| core::masked_scatter_(t, &m, &s))
}

fn put_impl<'py>(slf: &Bound<'py, PyTensor>, index: &Bound<'py, PyAny>, source: &Bound<'py, PyAny>, accumulate: bool, in_place: bool) -> PyResult<Bound<'py, PyAny>> {
    let (py, name) = (slf.py(), if in_place { "put_" } else { "put" });
    let (ix, _) = tensor_arg(index, name, "index")?;
    let (s, g) = tensor_arg(source, name, "source")?;
    let args = [index.clone(), source.clone(), accumulate.into_pyobject(py)?.to_owned().into_any()];
    run_either(slf, in_place, name, &args, None, g, same, |t| core::put_(t, &ix, &s, accumulate))
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (dim, index, *, sparse_grad=false))]
    fn gather<'py>(slf: &Bound<'py, Self>, dim: i64, index: &Bound<'py, PyAny>, sparse_grad: bool) -> PyResult<Bound<'py, PyAny>> {
        let _ = sparse_grad;
        let (ix, _) = tensor_arg(index, "gather", "index")?;
        let py = slf.py();
        run_new(slf, "gather", &[int(py, dim)?, index.clone()], None, false, |t| core::gather(t, dim, &ix))
    }

    fn index_select<'py>(slf: &Bound<'py, Self>, dim: i64, index: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let (ix, _) = tensor_arg(index, "index_select", "index")?;
        run_new(slf, "index_select", &[int(py, dim)?, index.clone()], None, false, |t| core::index_select(t, dim, &ix))
    }

    /// `self[indices]` for a list of None / index tensors (the advanced part of `__getitem__`),
    /// recorded as "index".
    fn _index<'py>(slf: &Bound<'py, Self>, indices: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let (ix, _) = index_list(indices)?;
        run_new(slf, "index", &[indices.clone()], None, false, |t| core::index(t, &ix))
    }

    fn masked_select<'py>(slf: &Bound<'py, Self>, mask: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let (m, _) = tensor_arg(mask, "masked_select", "mask")?;
        run_new(slf, "masked_select", &[mask.clone()], None, false, |t| core::masked_select(t, &m))
    }

    fn take<'py>(slf: &Bound<'py, Self>, index: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let (ix, _) = tensor_arg(index, "take", "index")?;
        run_new(slf, "take", &[index.clone()], None, false, |t| core::take(t, &ix))
    }

    /// Indices of the non-zero elements: `(n, ndim)` int64, or one 1-D tensor per dim.
    #[pyo3(signature = (*, as_tuple=false))]
    fn nonzero<'py>(slf: &Bound<'py, Self>, as_tuple: bool) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let t = slf.borrow().t.clone();
        let nz = dispatch::kernel(py, "nonzero", t.device(), t.numel(), || core::nonzero(&t))?;
        if !as_tuple {
            return wrap(py, nz);
        }
        // torch gives a 0-dim input one column of zeros (one per non-zero: 0 or 1 of them)
        let cols = if t.ndim() == 0 {
            vec![Tensor::zeros(&nz.shape()[..1], rstorch::DType::Int64).py_err()?]
        } else {
            (0..t.ndim()).map(|k| nz.select(1, k as i64).and_then(|c| c.contiguous())).collect::<rstorch::Result<Vec<_>>>().py_err()?
        };
        Ok(super::wrap_all(py, cols)?.into_any())
    }
}

/// index_add(_) with `alpha` (the core applies it as it reads the source).
fn index_add_impl<'py>(
    slf: &Bound<'py, PyTensor>,
    dim: i64,
    index: &Bound<'py, PyAny>,
    source: &Bound<'py, PyAny>,
    alpha: Option<&Bound<'py, PyAny>>,
    in_place: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let (py, name) = (slf.py(), if in_place { "index_add_" } else { "index_add" });
    let (ix, _) = tensor_arg(index, name, "index")?;
    let (s, g) = tensor_arg(source, name, "source")?;
    let (a, kw) = match alpha {
        Some(a) => {
            let Some(v) = extract_scalar(a) else {
                return Err(PyTypeError::new_err(format!("{name}(): argument 'alpha' must be Number")));
            };
            let kw = PyDict::new(py);
            kw.set_item("alpha", a)?;
            (v?, Some(kw))
        }
        None => (Scalar::Int(1), None),
    };
    run_either(slf, in_place, name, &[int(py, dim)?, index.clone(), source.clone()], kw.as_ref(), g, same, |t| {
        core::index_add_(t, dim, &ix, &s, a)
    })
}

/// Add this family's module-level functions to `_C`.
pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
