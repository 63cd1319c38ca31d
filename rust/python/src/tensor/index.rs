//! Indexing ops (gather, scatter, index_*, masked_*, take, put, nonzero, and the advanced
//! indexing behind `__getitem__`/`__setitem__`) as Tensor methods.
//!
//! Every op has one core kernel that works in place (rust/core/src/ops/index.rs); the
//! out-of-place forms run it on a copy. In-place forms on tensors that track grad go to the
//! Python autograd path, out-of-place ones record their node through `finish`.

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use rstorch::ops::index as core;
use rstorch::ops::index::{ScatterReduce, ScatterSrc};
use rstorch::{Scalar, Tensor};

use super::elementwise::maybe_detach;
use super::views::self_args;
use super::{finish, inplace_py, wrap, PyTensor};
use crate::convert::extract_scalar;
use crate::error::IntoPy;

/// A tensor argument and whether it tracks grad.
fn tensor_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<(Tensor, bool)> {
    match obj.cast::<PyTensor>() {
        Ok(t) => {
            let t = t.borrow();
            Ok((t.t.clone(), t.tracks_grad()))
        }
        Err(_) => Err(PyTypeError::new_err(format!("{what} must be Tensor, not {}", obj.get_type().name()?))),
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
    if obj.cast::<PyTensor>().is_ok() {
        let (t, g) = tensor_arg(obj, "indices")?;
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
            let (t, g) = tensor_arg(i, "indices")?;
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
    let py = slf.py();
    let me = slf.borrow();
    if me.tracks_grad() || others_track {
        drop(me);
        return inplace_py(py, name, self_args(slf, args)?, kwargs);
    }
    let t = me.t.clone();
    drop(me);
    maybe_detach(py, t.numel(), || f(&t)).py_err()?;
    Ok(slf.clone().into_any())
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
    let out = maybe_detach(py, t.numel(), || -> rstorch::Result<Tensor> {
        let out = base(&t)?.copy_as(t.dtype())?;
        f(&out)?;
        Ok(out)
    })
    .py_err()?;
    finish(py, name, tracked, || self_args(slf, args), kwargs, wrap(py, out)?)
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
    let out = maybe_detach(py, t.numel(), || f(&t)).py_err()?;
    finish(py, name, tracked, || self_args(slf, args), kwargs, wrap(py, out)?)
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
        let (t, g) = tensor_arg(&obj, "src")?;
        return Ok((Src::T(t), g, obj));
    }
    let (v, _) = value_arg(&obj, "scatter")?;
    Ok((Src::V(v), false, obj))
}

fn scatter_kernel(t: &Tensor, dim: i64, index: &Tensor, src: &Src, reduce: Option<ScatterReduce>, include_self: bool) -> rstorch::Result<()> {
    let s = match src {
        Src::T(x) => ScatterSrc::Tensor(x),
        Src::V(v) => ScatterSrc::Value(*v),
    };
    core::scatter_(t, dim, index, s, reduce, include_self)
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

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (dim, index, *, sparse_grad=false))]
    fn gather<'py>(slf: &Bound<'py, Self>, dim: i64, index: &Bound<'py, PyAny>, sparse_grad: bool) -> PyResult<Bound<'py, PyAny>> {
        let _ = sparse_grad;
        let (ix, _) = tensor_arg(index, "gather(): argument 'index'")?;
        let py = slf.py();
        run_new(slf, "gather", &[int(py, dim)?, index.clone()], None, false, |t| core::gather(t, dim, &ix))
    }

    #[pyo3(signature = (dim, index, src=None, *, value=None, reduce=None))]
    fn scatter<'py>(
        slf: &Bound<'py, Self>,
        dim: i64,
        index: &Bound<'py, PyAny>,
        src: Option<&Bound<'py, PyAny>>,
        value: Option<&Bound<'py, PyAny>>,
        reduce: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let (ix, _) = tensor_arg(index, "scatter(): argument 'index'")?;
        let (s, g, sobj) = scatter_src(src, value)?;
        let red = reduce.map(ScatterReduce::parse_legacy).transpose().py_err()?;
        let kw = reduce_kw(py, "reduce", reduce)?;
        run_copy(slf, "scatter", &[int(py, dim)?, index.clone(), sobj], kw.as_ref(), g, |t| Ok(t.clone()), |t| {
            scatter_kernel(t, dim, &ix, &s, red, true)
        })
    }

    #[pyo3(signature = (dim, index, src=None, *, value=None, reduce=None))]
    fn scatter_<'py>(
        slf: &Bound<'py, Self>,
        dim: i64,
        index: &Bound<'py, PyAny>,
        src: Option<&Bound<'py, PyAny>>,
        value: Option<&Bound<'py, PyAny>>,
        reduce: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let (ix, _) = tensor_arg(index, "scatter_(): argument 'index'")?;
        let (s, g, sobj) = scatter_src(src, value)?;
        let red = reduce.map(ScatterReduce::parse_legacy).transpose().py_err()?;
        let kw = reduce_kw(py, "reduce", reduce)?;
        run_inplace(slf, "scatter_", &[int(py, dim)?, index.clone(), sobj], kw.as_ref(), g, |t| {
            scatter_kernel(t, dim, &ix, &s, red, true)
        })
    }

    fn scatter_add<'py>(slf: &Bound<'py, Self>, dim: i64, index: &Bound<'py, PyAny>, src: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let (ix, _) = tensor_arg(index, "scatter_add(): argument 'index'")?;
        let (s, g) = tensor_arg(src, "scatter_add(): argument 'src'")?;
        run_copy(slf, "scatter_add", &[int(py, dim)?, index.clone(), src.clone()], None, g, |t| Ok(t.clone()), |t| {
            core::scatter_(t, dim, &ix, ScatterSrc::Tensor(&s), Some(ScatterReduce::Sum), true)
        })
    }

    fn scatter_add_<'py>(slf: &Bound<'py, Self>, dim: i64, index: &Bound<'py, PyAny>, src: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let (ix, _) = tensor_arg(index, "scatter_add_(): argument 'index'")?;
        let (s, g) = tensor_arg(src, "scatter_add_(): argument 'src'")?;
        run_inplace(slf, "scatter_add_", &[int(py, dim)?, index.clone(), src.clone()], None, g, |t| {
            core::scatter_(t, dim, &ix, ScatterSrc::Tensor(&s), Some(ScatterReduce::Sum), true)
        })
    }

    #[pyo3(signature = (dim, index, src, reduce, *, include_self=true))]
    fn scatter_reduce<'py>(
        slf: &Bound<'py, Self>,
        dim: i64,
        index: &Bound<'py, PyAny>,
        src: &Bound<'py, PyAny>,
        reduce: &str,
        include_self: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let (ix, _) = tensor_arg(index, "scatter_reduce(): argument 'index'")?;
        let (s, g) = tensor_arg(src, "scatter_reduce(): argument 'src'")?;
        let red = ScatterReduce::parse(reduce).py_err()?;
        let kw = PyDict::new(py);
        kw.set_item("include_self", include_self)?;
        let args = [int(py, dim)?, index.clone(), src.clone(), reduce.into_pyobject(py)?.into_any()];
        run_copy(slf, "scatter_reduce", &args, Some(&kw), g, |t| Ok(t.clone()), |t| {
            core::scatter_(t, dim, &ix, ScatterSrc::Tensor(&s), Some(red), include_self)
        })
    }

    #[pyo3(signature = (dim, index, src, reduce, *, include_self=true))]
    fn scatter_reduce_<'py>(
        slf: &Bound<'py, Self>,
        dim: i64,
        index: &Bound<'py, PyAny>,
        src: &Bound<'py, PyAny>,
        reduce: &str,
        include_self: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let (ix, _) = tensor_arg(index, "scatter_reduce_(): argument 'index'")?;
        let (s, g) = tensor_arg(src, "scatter_reduce_(): argument 'src'")?;
        let red = ScatterReduce::parse(reduce).py_err()?;
        let kw = PyDict::new(py);
        kw.set_item("include_self", include_self)?;
        let args = [int(py, dim)?, index.clone(), src.clone(), reduce.into_pyobject(py)?.into_any()];
        run_inplace(slf, "scatter_reduce_", &args, Some(&kw), g, |t| {
            core::scatter_(t, dim, &ix, ScatterSrc::Tensor(&s), Some(red), include_self)
        })
    }

    fn index_select<'py>(slf: &Bound<'py, Self>, dim: i64, index: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let (ix, _) = tensor_arg(index, "index_select(): argument 'index'")?;
        run_new(slf, "index_select", &[int(py, dim)?, index.clone()], None, false, |t| core::index_select(t, dim, &ix))
    }

    #[pyo3(signature = (dim, index, source, *, alpha=None))]
    fn index_add<'py>(
        slf: &Bound<'py, Self>,
        dim: i64,
        index: &Bound<'py, PyAny>,
        source: &Bound<'py, PyAny>,
        alpha: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        index_add_impl(slf, dim, index, source, alpha, false)
    }

    #[pyo3(signature = (dim, index, source, *, alpha=None))]
    fn index_add_<'py>(
        slf: &Bound<'py, Self>,
        dim: i64,
        index: &Bound<'py, PyAny>,
        source: &Bound<'py, PyAny>,
        alpha: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        index_add_impl(slf, dim, index, source, alpha, true)
    }

    fn index_copy<'py>(slf: &Bound<'py, Self>, dim: i64, index: &Bound<'py, PyAny>, source: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let (ix, _) = tensor_arg(index, "index_copy(): argument 'index'")?;
        let (s, g) = tensor_arg(source, "index_copy(): argument 'source'")?;
        run_copy(slf, "index_copy", &[int(py, dim)?, index.clone(), source.clone()], None, g, |t| Ok(t.clone()), |t| {
            core::index_add_or_copy_("index_copy_", t, dim, &ix, &s, false)
        })
    }

    fn index_copy_<'py>(slf: &Bound<'py, Self>, dim: i64, index: &Bound<'py, PyAny>, source: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let (ix, _) = tensor_arg(index, "index_copy_(): argument 'index'")?;
        let (s, g) = tensor_arg(source, "index_copy_(): argument 'source'")?;
        run_inplace(slf, "index_copy_", &[int(py, dim)?, index.clone(), source.clone()], None, g, |t| {
            core::index_add_or_copy_("index_copy_", t, dim, &ix, &s, false)
        })
    }

    fn index_fill<'py>(slf: &Bound<'py, Self>, dim: i64, index: &Bound<'py, PyAny>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let (ix, _) = tensor_arg(index, "index_fill(): argument 'index'")?;
        let (v, g) = value_arg(value, "index_fill_")?;
        run_copy(slf, "index_fill", &[int(py, dim)?, index.clone(), value.clone()], None, g, |t| Ok(t.clone()), |t| {
            core::index_fill_(t, dim, &ix, v)
        })
    }

    fn index_fill_<'py>(slf: &Bound<'py, Self>, dim: i64, index: &Bound<'py, PyAny>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let (ix, _) = tensor_arg(index, "index_fill_(): argument 'index'")?;
        let (v, g) = value_arg(value, "index_fill_")?;
        run_inplace(slf, "index_fill_", &[int(py, dim)?, index.clone(), value.clone()], None, g, |t| {
            core::index_fill_(t, dim, &ix, v)
        })
    }

    #[pyo3(signature = (indices, values, accumulate=false))]
    fn index_put<'py>(slf: &Bound<'py, Self>, indices: &Bound<'py, PyAny>, values: &Bound<'py, PyAny>, accumulate: bool) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let (ix, _) = index_list(indices)?;
        let (v, g) = tensor_arg(values, "index_put(): argument 'values'")?;
        let args = [indices.clone(), values.clone(), accumulate.into_pyobject(py)?.to_owned().into_any()];
        run_copy(slf, "index_put", &args, None, g, |t| Ok(t.clone()), |t| core::index_put_(t, &ix, &v, accumulate))
    }

    #[pyo3(signature = (indices, values, accumulate=false))]
    fn index_put_<'py>(slf: &Bound<'py, Self>, indices: &Bound<'py, PyAny>, values: &Bound<'py, PyAny>, accumulate: bool) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let (ix, _) = index_list(indices)?;
        let (v, g) = tensor_arg(values, "index_put_(): argument 'values'")?;
        let args = [indices.clone(), values.clone(), accumulate.into_pyobject(py)?.to_owned().into_any()];
        run_inplace(slf, "index_put_", &args, None, g, |t| core::index_put_(t, &ix, &v, accumulate))
    }

    /// `self[indices]` for a list of None / index tensors (the advanced part of `__getitem__`),
    /// recorded as "index".
    fn _index<'py>(slf: &Bound<'py, Self>, indices: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let (ix, _) = index_list(indices)?;
        run_new(slf, "index", &[indices.clone()], None, false, |t| core::index(t, &ix))
    }

    fn masked_fill<'py>(slf: &Bound<'py, Self>, mask: &Bound<'py, PyAny>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let (m, _) = tensor_arg(mask, "masked_fill(): argument 'mask'")?;
        let (v, g) = value_arg(value, "masked_fill_")?;
        let m2 = m.clone();
        let base = move |t: &Tensor| -> rstorch::Result<Tensor> {
            let shape = rstorch::shape::broadcast_shapes(t.shape(), m2.shape())?;
            t.broadcast_to(&shape)
        };
        run_copy(slf, "masked_fill", &[mask.clone(), value.clone()], None, g, base, |t| core::masked_fill_(t, &m, v))
    }

    fn masked_fill_<'py>(slf: &Bound<'py, Self>, mask: &Bound<'py, PyAny>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let (m, _) = tensor_arg(mask, "masked_fill_(): argument 'mask'")?;
        let (v, g) = value_arg(value, "masked_fill_")?;
        run_inplace(slf, "masked_fill_", &[mask.clone(), value.clone()], None, g, |t| core::masked_fill_(t, &m, v))
    }

    fn masked_select<'py>(slf: &Bound<'py, Self>, mask: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let (m, _) = tensor_arg(mask, "masked_select(): argument 'mask'")?;
        run_new(slf, "masked_select", &[mask.clone()], None, false, |t| core::masked_select(t, &m))
    }

    fn masked_scatter<'py>(slf: &Bound<'py, Self>, mask: &Bound<'py, PyAny>, source: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let (m, _) = tensor_arg(mask, "masked_scatter(): argument 'mask'")?;
        let (s, g) = tensor_arg(source, "masked_scatter(): argument 'source'")?;
        let m2 = m.clone();
        let base = move |t: &Tensor| -> rstorch::Result<Tensor> {
            let shape = rstorch::shape::broadcast_shapes(t.shape(), m2.shape())?;
            t.broadcast_to(&shape)
        };
        run_copy(slf, "masked_scatter", &[mask.clone(), source.clone()], None, g, base, |t| core::masked_scatter_(t, &m, &s))
    }

    fn masked_scatter_<'py>(slf: &Bound<'py, Self>, mask: &Bound<'py, PyAny>, source: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let (m, _) = tensor_arg(mask, "masked_scatter_(): argument 'mask'")?;
        let (s, g) = tensor_arg(source, "masked_scatter_(): argument 'source'")?;
        run_inplace(slf, "masked_scatter_", &[mask.clone(), source.clone()], None, g, |t| core::masked_scatter_(t, &m, &s))
    }

    fn take<'py>(slf: &Bound<'py, Self>, index: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let (ix, _) = tensor_arg(index, "take(): argument 'index'")?;
        run_new(slf, "take", &[index.clone()], None, false, |t| core::take(t, &ix))
    }

    #[pyo3(signature = (index, source, accumulate=false))]
    fn put<'py>(slf: &Bound<'py, Self>, index: &Bound<'py, PyAny>, source: &Bound<'py, PyAny>, accumulate: bool) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let (ix, _) = tensor_arg(index, "put(): argument 'index'")?;
        let (s, g) = tensor_arg(source, "put(): argument 'source'")?;
        let args = [index.clone(), source.clone(), accumulate.into_pyobject(py)?.to_owned().into_any()];
        run_copy(slf, "put", &args, None, g, |t| Ok(t.clone()), |t| core::put_(t, &ix, &s, accumulate))
    }

    #[pyo3(signature = (index, source, accumulate=false))]
    fn put_<'py>(slf: &Bound<'py, Self>, index: &Bound<'py, PyAny>, source: &Bound<'py, PyAny>, accumulate: bool) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let (ix, _) = tensor_arg(index, "put_(): argument 'index'")?;
        let (s, g) = tensor_arg(source, "put_(): argument 'source'")?;
        let args = [index.clone(), source.clone(), accumulate.into_pyobject(py)?.to_owned().into_any()];
        run_inplace(slf, "put_", &args, None, g, |t| core::put_(t, &ix, &s, accumulate))
    }

    /// Indices of the non-zero elements: `(n, ndim)` int64, or one 1-D tensor per dim.
    #[pyo3(signature = (*, as_tuple=false))]
    fn nonzero<'py>(slf: &Bound<'py, Self>, as_tuple: bool) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let t = slf.borrow().t.clone();
        let nz = maybe_detach(py, t.numel(), || core::nonzero(&t)).py_err()?;
        if !as_tuple {
            return wrap(py, nz);
        }
        // torch gives a 0-dim input one column (a 1-element view is 1-D)
        let cols = if t.ndim() == 0 {
            vec![nz.reshape(&[-1]).py_err()?]
        } else {
            (0..t.ndim()).map(|k| nz.select(1, k as i64).and_then(|c| c.contiguous())).collect::<rstorch::Result<Vec<_>>>().py_err()?
        };
        Ok(super::wrap_all(py, cols)?.into_any())
    }
}

/// index_add(_) with `alpha`: the source is scaled first (torch computes `self + alpha * source`
/// at the indexed rows; alpha must be integral for integral tensors).
fn index_add_impl<'py>(
    slf: &Bound<'py, PyTensor>,
    dim: i64,
    index: &Bound<'py, PyAny>,
    source: &Bound<'py, PyAny>,
    alpha: Option<&Bound<'py, PyAny>>,
    in_place: bool,
) -> PyResult<Bound<'py, PyAny>> {
    use rstorch::ops::{binary, Arg};
    let py = slf.py();
    let name = if in_place { "index_add_" } else { "index_add" };
    let (ix, _) = tensor_arg(index, &format!("{name}(): argument 'index'"))?;
    let (s, g) = tensor_arg(source, &format!("{name}(): argument 'source'"))?;
    let alpha_s = match alpha {
        Some(a) => match extract_scalar(a) {
            Some(s) => Some(s?),
            None => return Err(PyTypeError::new_err(format!("{name}(): argument 'alpha' must be Number"))),
        },
        None => None,
    };
    let kw = match alpha {
        Some(a) => {
            let kw = PyDict::new(py);
            kw.set_item("alpha", a)?;
            Some(kw)
        }
        None => None,
    };
    let scaled = move |t: &Tensor| -> rstorch::Result<()> {
        let src = match alpha_s {
            Some(a) if a.to_f64() != 1.0 => {
                if !t.dtype().is_floating_point() && matches!(a, Scalar::Float(_)) {
                    return Err(rstorch::Error::runtime("For integral input tensors, argument alpha must not be a floating point number."));
                }
                binary::binary(binary::BinaryOp::Mul, Arg::Tensor(&s), Arg::Scalar(a))?.to_dtype(s.dtype())?
            }
            _ => s.clone(),
        };
        core::index_add_or_copy_("index_add_", t, dim, &ix, &src, true)
    };
    let args = [int(py, dim)?, index.clone(), source.clone()];
    if in_place {
        run_inplace(slf, name, &args, kw.as_ref(), g, scaled)
    } else {
        run_copy(slf, name, &args, kw.as_ref(), g, |t| Ok(t.clone()), scaled)
    }
}

/// Add this family's module-level functions to `_C`.
pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
