//! Matrix products and linear algebra as Tensor methods and `_C` functions.
//!
//! Products (`@`, mm, bmm, mv, dot, addmm...) are Tensor methods so `a @ b` costs one call into
//! Rust; the `torch.linalg` kernels are `_C.linalg_*` functions wrapped by rstorch/linalg.py
//! (which adds `out=` and named results). Every op goes through the gateway (crate::dispatch),
//! which records it for autograd under the name its backward rule is registered with
//! (rules/linalg.py).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use rstorch::ops::linalg::{self, NormOrd};
use rstorch::{Scalar, Tensor};

use super::{wrap, wrap_all, PyTensor};
use crate::dispatch::{self, Call};
use crate::convert::extract_scalar;
use crate::error::IntoPy;

/// A tensor argument with whether it tracks grad; torch's TypeError for anything else.
pub(crate) fn tensor_arg(obj: &Bound<'_, PyAny>, fname: &str, arg: &str, pos: usize) -> PyResult<(Tensor, bool)> {
    match obj.cast::<PyTensor>() {
        Ok(t) => {
            let t = t.borrow();
            Ok((t.t.clone(), t.tracks_grad()))
        }
        Err(_) => Err(PyTypeError::new_err(format!(
            "{fname}(): argument '{arg}' (position {pos}) must be Tensor, not {}",
            obj.get_type().name()?
        ))),
    }
}

fn scalar_arg(obj: &Bound<'_, PyAny>, fname: &str, arg: &str) -> PyResult<Scalar> {
    match extract_scalar(obj) {
        Some(s) => s,
        None => Err(PyTypeError::new_err(format!("{fname}(): argument '{arg}' must be Number, not {}", obj.get_type().name()?))),
    }
}

/// A size of the work (compared with the GIL-release threshold): the operands' numels multiplied.
fn work(ts: &[&Tensor]) -> usize {
    ts.iter().fold(1usize, |w, t| w.saturating_mul(t.numel()))
}

/// `name(x, y)` for the two-operand products; `args` are what the recorder sees.
fn product2<'py>(
    py: Python<'py>,
    name: &str,
    x: (&Tensor, bool),
    y: (&Tensor, bool),
    args: impl FnOnce() -> PyResult<Bound<'py, PyTuple>>,
    f: fn(&Tensor, &Tensor) -> rstorch::Result<Tensor>,
) -> PyResult<Bound<'py, PyAny>> {
    let (a, b) = (x.0, y.0);
    dispatch::run(py, Call::new(name, x.1 || y.1, work(&[a, b]), a.device()), args, None, || f(a, b))
}

fn method2<'py>(
    slf: &Bound<'py, PyTensor>,
    other: &Bound<'py, PyAny>,
    name: &str,
    arg: &str,
    f: fn(&Tensor, &Tensor) -> rstorch::Result<Tensor>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    let (a, ta) = tensor_arg(slf.as_any(), name, "input", 0)?;
    let (b, tb) = tensor_arg(other, name, arg, 1)?;
    product2(py, name, (&a, ta), (&b, tb), || PyTuple::new(py, [slf.clone().into_any(), other.clone()]), f)
}

type AddFn = fn(&Tensor, &Tensor, &Tensor, Scalar, Scalar) -> rstorch::Result<Tensor>;

/// `name(input, x, y, *, beta, alpha)`: the addmm family.
fn add_product<'py>(
    slf: &Bound<'py, PyTensor>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    beta: &Bound<'py, PyAny>,
    alpha: &Bound<'py, PyAny>,
    name: &str,
    arg_names: [&str; 2],
    f: AddFn,
) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    let (input, ti) = tensor_arg(slf.as_any(), name, "input", 0)?;
    let (a, ta) = tensor_arg(x, name, arg_names[0], 1)?;
    let (b, tb) = tensor_arg(y, name, arg_names[1], 2)?;
    let (bs, al) = (scalar_arg(beta, name, "beta")?, scalar_arg(alpha, name, "alpha")?);
    let tracked = ti || ta || tb;
    let kw = PyDict::new(py);
    if tracked {
        kw.set_item("beta", beta)?;
        kw.set_item("alpha", alpha)?;
    }
    let args = || PyTuple::new(py, [slf.clone().into_any(), x.clone(), y.clone()]);
    dispatch::run(py, Call::new(name, tracked, work(&[&a, &b]), a.device()), args, Some(&kw), || f(&input, &a, &b, bs, al))
}

fn tri<'py>(slf: &Bound<'py, PyTensor>, diagonal: i64, upper: bool) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    let name = if upper { "triu" } else { "tril" };
    super::views::run1(slf, name, &[diagonal.into_pyobject(py)?.into_any()], |t| {
        dispatch::maybe_detach(py, t.numel(), || linalg::tril_triu(t, diagonal, upper))
    })
}

fn tri_<'py>(slf: &Bound<'py, PyTensor>, diagonal: i64, upper: bool) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    let name = if upper { "triu_" } else { "tril_" };
    let me = slf.borrow();
    let (t, tracked) = (me.t.clone(), me.tracks_grad());
    drop(me);
    let args = || PyTuple::new(py, [slf.clone().into_any(), diagonal.into_pyobject(py)?.into_any()]);
    dispatch::run_inplace(slf, Call::on(name, tracked, &t), args, None, || linalg::tril_triu_(&t, diagonal, upper))
}

#[pymethods]
impl PyTensor {
    fn matmul<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        method2(slf, other, "matmul", "other", linalg::matmul)
    }

    fn __matmul__<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        if other.cast::<PyTensor>().is_err() {
            return Ok(slf.py().NotImplemented().into_bound(slf.py()));
        }
        method2(slf, other, "matmul", "other", linalg::matmul)
    }

    /// `other @ self` when `other` is not a Tensor: only tensors multiply, so NotImplemented
    /// unless it is one (then Python would have called its `__matmul__` already).
    fn __rmatmul__<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let Ok(o) = other.cast::<PyTensor>() else {
            return Ok(py.NotImplemented().into_bound(py));
        };
        let (a, ta) = { let o = o.borrow(); (o.t.clone(), o.tracks_grad()) };
        let (b, tb) = { let s = slf.borrow(); (s.t.clone(), s.tracks_grad()) };
        product2(py, "matmul", (&a, ta), (&b, tb), || PyTuple::new(py, [other.clone(), slf.clone().into_any()]), linalg::matmul)
    }

    fn mm<'py>(slf: &Bound<'py, Self>, mat2: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        method2(slf, mat2, "mm", "mat2", linalg::mm)
    }

    fn bmm<'py>(slf: &Bound<'py, Self>, mat2: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        method2(slf, mat2, "bmm", "mat2", linalg::bmm)
    }

    fn mv<'py>(slf: &Bound<'py, Self>, vec: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        method2(slf, vec, "mv", "vec", linalg::mv)
    }

    fn dot<'py>(slf: &Bound<'py, Self>, tensor: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        method2(slf, tensor, "dot", "tensor", linalg::dot)
    }

    /// Real dtypes only, so the same as `dot`.
    fn vdot<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        method2(slf, other, "dot", "other", linalg::dot)
    }

    #[pyo3(signature = (mat1, mat2, *, beta=None, alpha=None))]
    fn addmm<'py>(slf: &Bound<'py, Self>, mat1: &Bound<'py, PyAny>, mat2: &Bound<'py, PyAny>, beta: Option<&Bound<'py, PyAny>>, alpha: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let (b, a) = defaults(slf.py(), beta, alpha)?;
        add_product(slf, mat1, mat2, &b, &a, "addmm", ["mat1", "mat2"], linalg::addmm)
    }

    #[pyo3(signature = (mat, vec, *, beta=None, alpha=None))]
    fn addmv<'py>(slf: &Bound<'py, Self>, mat: &Bound<'py, PyAny>, vec: &Bound<'py, PyAny>, beta: Option<&Bound<'py, PyAny>>, alpha: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let (b, a) = defaults(slf.py(), beta, alpha)?;
        add_product(slf, mat, vec, &b, &a, "addmv", ["mat", "vec"], linalg::addmv)
    }

    #[pyo3(signature = (batch1, batch2, *, beta=None, alpha=None))]
    fn baddbmm<'py>(slf: &Bound<'py, Self>, batch1: &Bound<'py, PyAny>, batch2: &Bound<'py, PyAny>, beta: Option<&Bound<'py, PyAny>>, alpha: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let (b, a) = defaults(slf.py(), beta, alpha)?;
        add_product(slf, batch1, batch2, &b, &a, "baddbmm", ["batch1", "batch2"], linalg::baddbmm)
    }

    #[pyo3(signature = (batch1, batch2, *, beta=None, alpha=None))]
    fn addbmm<'py>(slf: &Bound<'py, Self>, batch1: &Bound<'py, PyAny>, batch2: &Bound<'py, PyAny>, beta: Option<&Bound<'py, PyAny>>, alpha: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let (b, a) = defaults(slf.py(), beta, alpha)?;
        add_product(slf, batch1, batch2, &b, &a, "addbmm", ["batch1", "batch2"], linalg::addbmm)
    }

    #[pyo3(signature = (diagonal=0))]
    fn tril<'py>(slf: &Bound<'py, Self>, diagonal: i64) -> PyResult<Bound<'py, PyAny>> {
        tri(slf, diagonal, false)
    }

    #[pyo3(signature = (diagonal=0))]
    fn triu<'py>(slf: &Bound<'py, Self>, diagonal: i64) -> PyResult<Bound<'py, PyAny>> {
        tri(slf, diagonal, true)
    }

    #[pyo3(signature = (diagonal=0))]
    fn tril_<'py>(slf: &Bound<'py, Self>, diagonal: i64) -> PyResult<Bound<'py, PyAny>> {
        tri_(slf, diagonal, false)
    }

    #[pyo3(signature = (diagonal=0))]
    fn triu_<'py>(slf: &Bound<'py, Self>, diagonal: i64) -> PyResult<Bound<'py, PyAny>> {
        tri_(slf, diagonal, true)
    }

    #[pyo3(signature = (offset=0, dim1=-2, dim2=-1))]
    fn diag_embed<'py>(slf: &Bound<'py, Self>, offset: i64, dim1: i64, dim2: i64) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let args = [offset.into_pyobject(py)?.into_any(), dim1.into_pyobject(py)?.into_any(), dim2.into_pyobject(py)?.into_any()];
        super::views::run1(slf, "diag_embed", &args, |t| linalg::diag_embed(t, offset, dim1, dim2))
    }
}

/// beta and alpha default to the int 1 (so integer products stay exact).
fn defaults<'py>(py: Python<'py>, beta: Option<&Bound<'py, PyAny>>, alpha: Option<&Bound<'py, PyAny>>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let one = 1i64.into_pyobject(py)?.into_any();
    Ok((beta.cloned().unwrap_or_else(|| one.clone()), alpha.cloned().unwrap_or(one)))
}

/// One-input `linalg_*` functions: `f(A)` recorded under `name` with args `(A,)`.
fn linalg1<'py>(a_obj: &Bound<'py, PyAny>, name: &str, f: impl FnOnce(&Tensor) -> rstorch::Result<Vec<Tensor>> + Send) -> PyResult<Bound<'py, PyAny>> {
    linalg1_with(a_obj, name, Vec::new(), f)
}

/// [`linalg1`] with non-tensor arguments after A, recorded (the backward rules read them).
fn linalg1_with<'py>(
    a_obj: &Bound<'py, PyAny>,
    name: &str,
    extra: Vec<Bound<'py, PyAny>>,
    f: impl FnOnce(&Tensor) -> rstorch::Result<Vec<Tensor>> + Send,
) -> PyResult<Bound<'py, PyAny>> {
    let py = a_obj.py();
    let (a, ta) = tensor_arg(a_obj, name, "A", 0)?;
    let call = Call::new(name, ta, a.numel().saturating_mul(a.shape().last().copied().unwrap_or(1)), a.device());
    let out = |mut ts: Vec<Tensor>| if ts.len() == 1 { wrap(py, ts.pop().unwrap()) } else { Ok(wrap_all(py, ts)?.into_any()) };
    let args = || {
        let mut all = Vec::with_capacity(1 + extra.len());
        all.push(a_obj.clone());
        all.extend(extra);
        PyTuple::new(py, all)
    };
    dispatch::run_with(py, call, args, None, || f(&a), out)
}

fn py_bool<'py>(py: Python<'py>, b: bool) -> PyResult<Bound<'py, PyAny>> {
    Ok(b.into_pyobject(py)?.to_owned().into_any())
}

/// `(L, info)`: Cholesky of A's lower (or, `upper`, upper) triangle.
#[pyfunction]
fn linalg_cholesky_ex<'py>(a: &Bound<'py, PyAny>, upper: bool) -> PyResult<Bound<'py, PyAny>> {
    linalg1_with(a, "linalg_cholesky_ex", vec![py_bool(a.py(), upper)?], |t| linalg::cholesky_ex(t, upper).map(|(l, i)| vec![l, i]))
}

/// `(Q, R)`; `mode` one of 'reduced', 'complete', 'r' (checked by rstorch/linalg.py).
#[pyfunction]
fn linalg_qr<'py>(a: &Bound<'py, PyAny>, mode: &str) -> PyResult<Bound<'py, PyAny>> {
    let m = match mode {
        "complete" => linalg::QrMode::Complete,
        "r" => linalg::QrMode::R,
        _ => linalg::QrMode::Reduced,
    };
    let extra = vec![mode.into_pyobject(a.py())?.into_any()];
    linalg1_with(a, "linalg_qr", extra, move |t| linalg::qr(t, m).map(|(q, r)| vec![q, r]))
}

/// `(eigenvalues, eigenvectors)` (eigenvectors empty when not `compute_v`).
#[pyfunction]
fn linalg_eigh<'py>(a: &Bound<'py, PyAny>, uplo: &str, compute_v: bool) -> PyResult<Bound<'py, PyAny>> {
    let py = a.py();
    let upper = uplo == "U";
    let extra = vec![uplo.into_pyobject(py)?.into_any(), py_bool(py, compute_v)?];
    linalg1_with(a, "linalg_eigh", extra, move |t| linalg::eigh(t, upper, compute_v).map(|(w, v)| vec![w, v]))
}

/// `(U, S, Vh)` (U and Vh empty when not `compute_uv`).
#[pyfunction]
fn linalg_svd<'py>(a: &Bound<'py, PyAny>, full_matrices: bool, compute_uv: bool) -> PyResult<Bound<'py, PyAny>> {
    let py = a.py();
    let extra = vec![py_bool(py, full_matrices)?, py_bool(py, compute_uv)?];
    linalg1_with(a, "linalg_svd", extra, move |t| linalg::svd(t, full_matrices, compute_uv).map(|(u, s, v)| vec![u, s, v]))
}

/// `(LU, pivots, info)`, LAPACK getrf's.
#[pyfunction]
fn linalg_lu_factor_ex<'py>(a: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    linalg1(a, "linalg_lu_factor_ex", |t| linalg::lu_factor_ex(t).map(|(lu, p, i)| vec![lu, p, i]))
}

/// X with A X = B, A triangular (`left=False` is rstorch/linalg.py's transpose of this).
#[pyfunction]
fn linalg_solve_triangular<'py>(a: &Bound<'py, PyAny>, b: &Bound<'py, PyAny>, upper: bool, unitriangular: bool) -> PyResult<Bound<'py, PyAny>> {
    let py = a.py();
    let (ta, ga) = tensor_arg(a, "linalg_solve_triangular", "A", 0)?;
    let (tb, gb) = tensor_arg(b, "linalg_solve_triangular", "B", 1)?;
    let args = || PyTuple::new(py, [a.clone(), b.clone(), py_bool(py, upper)?, py_bool(py, unitriangular)?]);
    let call = Call::new("linalg_solve_triangular", ga || gb, work(&[&ta, &tb]), ta.device());
    dispatch::run(py, call, args, None, || linalg::solve_triangular(&ta, &tb, upper, unitriangular))
}

#[pyfunction]
fn linalg_inv<'py>(a: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    linalg1(a, "linalg_inv", |t| Ok(vec![linalg::inv(t)?]))
}

#[pyfunction]
fn linalg_det<'py>(a: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    linalg1(a, "linalg_det", |t| Ok(vec![linalg::det(t)?]))
}

#[pyfunction]
fn linalg_slogdet<'py>(a: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    linalg1(a, "linalg_slogdet", |t| linalg::slogdet(t).map(|(s, l)| vec![s, l]))
}

#[pyfunction]
fn linalg_solve<'py>(a: &Bound<'py, PyAny>, b: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = a.py();
    let (ta, ga) = tensor_arg(a, "linalg_solve", "A", 0)?;
    let (tb, gb) = tensor_arg(b, "linalg_solve", "B", 1)?;
    product2(py, "linalg_solve", (&ta, ga), (&tb, gb), || PyTuple::new(py, [a.clone(), b.clone()]), linalg::solve)
}

#[pyfunction]
#[pyo3(signature = (input, other, dim=-1))]
fn linalg_cross<'py>(input: &Bound<'py, PyAny>, other: &Bound<'py, PyAny>, dim: i64) -> PyResult<Bound<'py, PyAny>> {
    let py = input.py();
    let (a, ta) = tensor_arg(input, "linalg_cross", "input", 0)?;
    let (b, tb) = tensor_arg(other, "linalg_cross", "other", 1)?;
    let args = || PyTuple::new(py, [input.clone(), other.clone(), dim.into_pyobject(py)?.into_any()]);
    dispatch::run(py, Call::new("linalg_cross", ta || tb, a.numel().max(b.numel()), a.device()), args, None, || linalg::cross(&a, &b, dim))
}

/// `ord` of matrix_norm: 'fro', 'nuc' or a number in {1, -1, 2, -2, inf, -inf}.
fn norm_ord(ord: &Bound<'_, PyAny>) -> PyResult<NormOrd> {
    let bad = || -> PyResult<NormOrd> {
        Err(pyo3::exceptions::PyRuntimeError::new_err(format!("linalg.matrix_norm: Order {} not supported.", ord.str()?)))
    };
    if let Ok(s) = ord.extract::<String>() {
        return match s.as_str() {
            "fro" => Ok(NormOrd::Fro),
            "nuc" => Ok(NormOrd::Nuc),
            _ => bad(),
        };
    }
    match ord.extract::<f64>() {
        Ok(p) if p.abs() == 1.0 || p.abs() == 2.0 || p.is_infinite() => Ok(NormOrd::P(p)),
        _ => bad(),
    }
}

#[pyfunction]
#[pyo3(signature = (a, ord, dim, keepdim))]
fn linalg_matrix_norm<'py>(a: &Bound<'py, PyAny>, ord: &Bound<'py, PyAny>, dim: (i64, i64), keepdim: bool) -> PyResult<Bound<'py, PyAny>> {
    let py = a.py();
    let (t, ta) = tensor_arg(a, "linalg_matrix_norm", "A", 0)?;
    let o = norm_ord(ord)?;
    let args = || PyTuple::new(py, [a.clone(), ord.clone(), dim.into_pyobject(py)?.into_any(), keepdim.into_pyobject(py)?.to_owned().into_any()]);
    dispatch::run(py, Call::on("linalg_matrix_norm", ta, &t), args, None, || linalg::matrix_norm(&t, o, dim.0, dim.1, keepdim))
}

/// torch's checks of `dtype=` for linalg.matrix_norm (the same as vector_norm's kernel makes),
/// before python/rstorch/linalg.py casts the input.
#[pyfunction]
fn _check_norm_dtype(op: &str, input: PyRef<'_, crate::convert::PyDType>, dtype: PyRef<'_, crate::convert::PyDType>) -> PyResult<()> {
    rstorch::ops::reduce::check_norm_dtype(op, input.0, Some(dtype.0)).py_err()
}

/// Add this family's module-level functions to `_C`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_check_norm_dtype, m)?)?;
    m.add_function(wrap_pyfunction!(linalg_inv, m)?)?;
    m.add_function(wrap_pyfunction!(linalg_det, m)?)?;
    m.add_function(wrap_pyfunction!(linalg_slogdet, m)?)?;
    m.add_function(wrap_pyfunction!(linalg_solve, m)?)?;
    m.add_function(wrap_pyfunction!(linalg_cross, m)?)?;
    m.add_function(wrap_pyfunction!(linalg_matrix_norm, m)?)?;
    m.add_function(wrap_pyfunction!(linalg_cholesky_ex, m)?)?;
    m.add_function(wrap_pyfunction!(linalg_qr, m)?)?;
    m.add_function(wrap_pyfunction!(linalg_eigh, m)?)?;
    m.add_function(wrap_pyfunction!(linalg_svd, m)?)?;
    m.add_function(wrap_pyfunction!(linalg_lu_factor_ex, m)?)?;
    m.add_function(wrap_pyfunction!(linalg_solve_triangular, m)?)?;
    Ok(())
}
