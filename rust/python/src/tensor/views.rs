//! View ops: each computes a new layout in the core and shares the storage (no copy).

use pyo3::prelude::*;
use pyo3::BoundObject;
use pyo3::types::PyTuple;
use rstorch::Tensor;

use super::{tensor_of, wrap, wrap_view, PyTensor};
use crate::dispatch::{self, finish, Call};
use crate::convert::{extract_i64, extract_int_seq, extract_sizes, to_usize_sizes};
use crate::error::IntoPy;

/// Run a single-output op on `slf` and record it for autograd when `slf` tracks grad; a
/// result sharing `slf`'s storage is a view of `slf`'s base (see `wrap_view`).
/// `args` are the Python arguments after self, as the recorder should see them.
pub(crate) fn run1<'py>(
    slf: &Bound<'py, PyTensor>,
    name: &str,
    args: &[Bound<'py, PyAny>],
    f: impl FnOnce(&Tensor) -> rstorch::Result<Tensor>,
) -> PyResult<Bound<'py, PyAny>> {
    let me = slf.borrow();
    let (t, tracked) = (f(&me.t).py_err()?, me.tracks_grad());
    drop(me);
    finish(slf.py(), name, tracked, || self_args(slf, args), None, wrap_view(slf, t, false)?)
}

/// torch's reshape (and flatten, a reshape): a view when the layout allows, else a copy,
/// recorded as torch records it: CloneBackward0, then UnsafeViewBackward0 over the copy (which
/// is no view of the input).
fn reshape_op<'py>(
    slf: &Bound<'py, PyTensor>,
    name: &str,
    args: &[Bound<'py, PyAny>],
    f: impl FnOnce(&Tensor) -> rstorch::Result<Tensor>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    let me = slf.borrow();
    let (t, tracked) = (f(&me.t).py_err()?, me.tracks_grad());
    let copied = !std::sync::Arc::ptr_eq(t.storage(), me.t.storage());
    drop(me);
    if !(copied && tracked) {
        return finish(py, name, tracked, || self_args(slf, args), None, wrap_view(slf, t, false)?);
    }
    let shape: Vec<usize> = slf.borrow().t.shape().to_vec();
    let copy = finish(py, "clone", true, || self_args(slf, &[]), None, wrap(py, t.reshape(&shape.iter().map(|&s| s as i64).collect::<Vec<_>>()).py_err()?)?)?;
    let target = obj(py, t.shape().to_vec())?;
    finish(py, "_unsafe_view", true, || PyTuple::new(py, [copy, target]), None, wrap(py, t)?)
}

/// Like `run1` for ops returning several views (split, chunk, unbind), which may not be
/// modified in place while autograd tracks the op (torch's MULTI_OUTPUT_NODE views).
fn run_many<'py>(
    slf: &Bound<'py, PyTensor>,
    name: &str,
    args: &[Bound<'py, PyAny>],
    f: impl FnOnce(&Tensor) -> rstorch::Result<Vec<Tensor>>,
) -> PyResult<Bound<'py, PyAny>> {
    let me = slf.borrow();
    let (ts, tracked) = (f(&me.t).py_err()?, me.tracks_grad());
    drop(me);
    let outs = ts.into_iter().map(|t| wrap_view(slf, t, true)).collect::<PyResult<Vec<_>>>()?;
    finish(slf.py(), name, tracked, || self_args(slf, args), None, PyTuple::new(slf.py(), outs)?.into_any())
}

pub(crate) fn self_args<'py>(slf: &Bound<'py, PyTensor>, args: &[Bound<'py, PyAny>]) -> PyResult<Bound<'py, PyTuple>> {
    let mut v: Vec<Bound<'py, PyAny>> = Vec::with_capacity(args.len() + 1);
    v.push(slf.clone().into_any());
    v.extend(args.iter().cloned());
    PyTuple::new(slf.py(), v)
}

fn obj<'py, T: IntoPyObject<'py>>(py: Python<'py>, v: T) -> PyResult<Bound<'py, PyAny>> {
    v.into_pyobject(py).map(|o| o.into_any().into_bound()).map_err(Into::into)
}

fn opt_obj<'py>(py: Python<'py>, v: Option<&Bound<'py, PyAny>>) -> Bound<'py, PyAny> {
    v.cloned().unwrap_or_else(|| py.None().into_bound(py))
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (*shape))]
    fn view<'py>(slf: &Bound<'py, Self>, shape: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyAny>> {
        if shape.len() == 1 {
            if let Ok(d) = crate::convert::extract_dtype(&shape.get_item(0)?) {
                return run1(slf, "view_dtype", &[shape.get_item(0)?], |t| t.view_dtype(d));
            }
        }
        let s = extract_sizes(shape, "view(): argument 'size'")?;
        run1(slf, "view", &[obj(slf.py(), s.clone())?], |t| t.view(&s))
    }

    #[pyo3(signature = (*shape))]
    fn reshape<'py>(slf: &Bound<'py, Self>, shape: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyAny>> {
        let s = extract_sizes(shape, "reshape(): argument 'shape'")?;
        reshape_op(slf, "reshape", &[obj(slf.py(), s.clone())?], |t| t.reshape(&s))
    }

    #[pyo3(signature = (*dims))]
    fn permute<'py>(slf: &Bound<'py, Self>, dims: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyAny>> {
        let d = extract_sizes(dims, "permute(): argument 'dims'")?;
        run1(slf, "permute", &[obj(slf.py(), d.clone())?], |t| t.permute(&d))
    }

    fn transpose<'py>(slf: &Bound<'py, Self>, dim0: i64, dim1: i64) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        run1(slf, "transpose", &[obj(py, dim0)?, obj(py, dim1)?], |t| t.transpose(dim0, dim1))
    }

    fn swapaxes<'py>(slf: &Bound<'py, Self>, axis0: i64, axis1: i64) -> PyResult<Bound<'py, PyAny>> {
        Self::transpose(slf, axis0, axis1)
    }

    fn swapdims<'py>(slf: &Bound<'py, Self>, dim0: i64, dim1: i64) -> PyResult<Bound<'py, PyAny>> {
        Self::transpose(slf, dim0, dim1)
    }

    fn t<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        run1(slf, "t", &[], |t| t.t())
    }

    /// All dims reversed (torch's `.T`).
    #[getter(T)]
    fn get_t<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let n = slf.borrow().t.ndim() as i64;
        let d: Vec<i64> = (0..n).rev().collect();
        run1(slf, "permute", &[obj(slf.py(), d.clone())?], |t| t.permute(&d))
    }

    /// The last two dims swapped.
    #[getter(mT)]
    fn get_mt<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        match slf.borrow().t.ndim() {
            0 => return Ok(slf.clone().into_any()), // torch returns a 0-dim tensor itself
            1 => {
                return Err(pyo3::exceptions::PyRuntimeError::new_err(
                    "tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.",
                ))
            }
            _ => {}
        }
        Self::transpose(slf, -2, -1)
    }

    #[getter(mH)]
    fn get_mh<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::get_mt(slf)
    }

    #[getter(H)]
    fn get_h<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::get_t(slf)
    }

    #[pyo3(signature = (*sizes))]
    fn expand<'py>(slf: &Bound<'py, Self>, sizes: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyAny>> {
        let s = extract_sizes(sizes, "expand(): argument 'size'")?;
        run1(slf, "expand", &[obj(slf.py(), s.clone())?], |t| t.expand(&s))
    }

    fn expand_as<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let s: Vec<i64> = tensor_of(other)?.shape().iter().map(|&x| x as i64).collect();
        run1(slf, "expand", &[obj(slf.py(), s.clone())?], |t| t.expand(&s))
    }

    fn broadcast_to<'py>(slf: &Bound<'py, Self>, size: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let s = extract_int_seq(size, "broadcast_to(): argument 'size'")?;
        run1(slf, "expand", &[obj(slf.py(), s.clone())?], |t| t.expand(&s))
    }

    #[pyo3(signature = (dim=None))]
    fn squeeze<'py>(slf: &Bound<'py, Self>, dim: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let dims = dim.filter(|d| !d.is_none()).map(|d| extract_int_seq(d, "squeeze(): argument 'dim'")).transpose()?;
        run1(slf, "squeeze", &[opt_obj(py, dim)], |t| t.squeeze(dims.as_deref()))
    }

    fn unsqueeze<'py>(slf: &Bound<'py, Self>, dim: i64) -> PyResult<Bound<'py, PyAny>> {
        run1(slf, "unsqueeze", &[obj(slf.py(), dim)?], |t| t.unsqueeze(dim))
    }

    #[pyo3(signature = (start_dim=0, end_dim=-1))]
    fn flatten<'py>(slf: &Bound<'py, Self>, start_dim: i64, end_dim: i64) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let n = slf.borrow().t.ndim();
        if n > 0 {
            let (s, e) = (rstorch::shape::normalize_dim(start_dim, n).py_err()?, rstorch::shape::normalize_dim(end_dim, n).py_err()?);
            if s == e {
                return Ok(slf.clone().into_any()); // nothing to flatten: torch returns the tensor itself
            }
        }
        reshape_op(slf, "flatten", &[obj(py, start_dim)?, obj(py, end_dim)?], |t| t.flatten(start_dim, end_dim))
    }

    /// A view of the whole tensor (torch's alias: what `x[:, :]` returns).
    fn _alias<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        run1(slf, "alias", &[], |t| Ok(t.clone()))
    }

    fn ravel<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        reshape_op(slf, "flatten", &[obj(py, 0)?, obj(py, -1)?], |t| t.flatten(0, -1))
    }

    fn unflatten<'py>(slf: &Bound<'py, Self>, dim: i64, sizes: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let s = extract_int_seq(sizes, "unflatten(): argument 'sizes'")?;
        let py = slf.py();
        run1(slf, "unflatten", &[obj(py, dim)?, obj(py, s.clone())?], |t| t.unflatten(dim, &s))
    }

    fn narrow<'py>(slf: &Bound<'py, Self>, dim: i64, start: &Bound<'py, PyAny>, length: i64) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let start = extract_i64(start, "narrow(): argument 'start'")?;
        run1(slf, "narrow", &[obj(py, dim)?, obj(py, start)?, obj(py, length)?], |t| t.narrow(dim, start, length))
    }

    fn select<'py>(slf: &Bound<'py, Self>, dim: i64, index: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let index = extract_i64(index, "select(): argument 'index'")?;
        run1(slf, "select", &[obj(py, dim)?, obj(py, index)?], |t| t.select(dim, index))
    }

    /// `t[..., start:stop:step, ...]` on one dim (indexing internals).
    fn _slice<'py>(slf: &Bound<'py, Self>, dim: i64, start: Option<i64>, stop: Option<i64>, step: i64) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        run1(slf, "_slice", &[obj(py, dim)?, obj(py, start)?, obj(py, stop)?, obj(py, step)?], |t| {
            t.slice(dim, start, stop, step)
        })
    }

    #[pyo3(signature = (size, stride, storage_offset=None))]
    fn as_strided<'py>(
        slf: &Bound<'py, Self>,
        size: &Bound<'py, PyAny>,
        stride: &Bound<'py, PyAny>,
        storage_offset: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let sz = to_usize_sizes(&extract_int_seq(size, "as_strided(): argument 'size'")?)?;
        let st = to_usize_sizes(&extract_int_seq(stride, "as_strided(): argument 'stride'")?)?;
        let off = storage_offset.map(|o| to_usize_sizes(&[o]).map(|v| v[0])).transpose()?;
        run1(slf, "as_strided", &[size.clone(), stride.clone(), obj(py, storage_offset)?], |t| t.as_strided(&sz, &st, off))
    }

    fn unfold<'py>(slf: &Bound<'py, Self>, dimension: i64, size: i64, step: i64) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        run1(slf, "unfold", &[obj(py, dimension)?, obj(py, size)?, obj(py, step)?], |t| t.unfold(dimension, size, step))
    }

    #[pyo3(signature = (split_size_or_sections, dim=0))]
    fn split<'py>(slf: &Bound<'py, Self>, split_size_or_sections: &Bound<'py, PyAny>, dim: i64) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let args = [split_size_or_sections.clone(), obj(py, dim)?];
        if let Ok(n) = extract_i64(split_size_or_sections, "split_size") {
            if n < 0 {
                return Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
                    "split expects split_size be non-negative, but got split_size={n}"
                )));
            }
            return run_many(slf, "split", &args, |t| t.split(n as usize, dim));
        }
        let sizes = to_usize_sizes(&extract_int_seq(split_size_or_sections, "split_size_or_sections")?)?;
        run_many(slf, "split", &args, |t| t.split_with_sizes(&sizes, dim))
    }

    #[pyo3(signature = (chunks, dim=0))]
    fn chunk<'py>(slf: &Bound<'py, Self>, chunks: i64, dim: i64) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        if chunks <= 0 {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
                "chunk expects `chunks` to be greater than 0, got: {chunks}"
            )));
        }
        run_many(slf, "chunk", &[obj(py, chunks)?, obj(py, dim)?], |t| t.chunk(chunks as usize, dim))
    }

    #[pyo3(signature = (dim=0))]
    fn unbind<'py>(slf: &Bound<'py, Self>, dim: i64) -> PyResult<Bound<'py, PyAny>> {
        run_many(slf, "unbind", &[obj(slf.py(), dim)?], |t| t.unbind(dim))
    }

    fn movedim<'py>(slf: &Bound<'py, Self>, source: &Bound<'py, PyAny>, destination: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let s = extract_int_seq(source, "movedim(): argument 'source'")?;
        let d = extract_int_seq(destination, "movedim(): argument 'destination'")?;
        let py = slf.py();
        run1(slf, "movedim", &[obj(py, s.clone())?, obj(py, d.clone())?], |t| t.movedim(&s, &d))
    }

    fn moveaxis<'py>(slf: &Bound<'py, Self>, source: &Bound<'py, PyAny>, destination: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        Self::movedim(slf, source, destination)
    }

    #[pyo3(signature = (offset=0, dim1=0, dim2=1))]
    fn diagonal<'py>(slf: &Bound<'py, Self>, offset: i64, dim1: i64, dim2: i64) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        run1(slf, "diagonal", &[obj(py, offset)?, obj(py, dim1)?, obj(py, dim2)?], |t| t.diagonal(offset, dim1, dim2))
    }

    #[pyo3(signature = (memory_format=None))]
    fn contiguous<'py>(slf: &Bound<'py, Self>, memory_format: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let _ = memory_format;
        if slf.borrow().t.is_contiguous() {
            return Ok(slf.clone().into_any());
        }
        run1(slf, "contiguous", &[], |t| t.contiguous())
    }

    #[pyo3(signature = (*, memory_format=None))]
    fn clone<'py>(slf: &Bound<'py, Self>, memory_format: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        // torch.preserve_format (the default) keeps a dense layout; contiguous_format does not
        let contiguous = match memory_format {
            Some(f) if !f.is_none() => f.str()?.to_cow()?.ends_with("contiguous_format"),
            _ => false,
        };
        let me = slf.borrow();
        let (src, tracked) = (me.t.clone(), me.tracks_grad());
        drop(me);
        dispatch::run(py, Call::on("clone", tracked, &src), || self_args(slf, &[]), None, || {
            if contiguous {
                src.copy_as(src.dtype())
            } else {
                src.copy_preserving(src.dtype())
            }
        })
    }

    /// A new tensor sharing this one's data, outside any graph.
    fn detach<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let t = slf.borrow().t.clone();
        wrap(slf.py(), t)
    }
}
