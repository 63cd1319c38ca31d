//! Matrix products (matmul family through a real GEMM) and small dense linear algebra.
//!
//! Every product funnels into [`gemm::gemm_into`] on `batch + [rows, cols]` views: the shape
//! functions here only check arguments (with torch's messages, which differ by entry point),
//! broadcast batch dims as views, and allocate the output. The solvers (inv, det, slogdet,
//! solve) live in [`lu`]; the decompositions (Cholesky, QR, eigh, SVD, LU with its pivots,
//! triangular solves) in [`decomp`].

pub mod decomp;
mod gemm;
mod gemm_bf16;
pub mod lu;

use crate::dtype::{DType, Element};

use crate::error::{Error, Result};
use crate::iter::Plan;
use crate::ops::binary::{binary, Arith, BinaryOp};
use crate::ops::Arg;
use crate::parallel::SyncPtr;
use crate::scalar::Scalar;
use crate::shape::{self, Dims};
use crate::tensor::Tensor;

pub use decomp::{cholesky_ex, eigh, lu_factor_ex, qr, solve_triangular, svd, QrMode};
pub use lu::{det, inv, slogdet, solve};



fn same_dtype_m1_m2(a: &Tensor, b: &Tensor) -> Result<()> {
    if a.dtype() != b.dtype() {
        return Err(Error::runtime(format!(
            "expected m1 and m2 to have the same dtype, but got: {} != {}",
            a.dtype().cpp_name(),
            b.dtype().cpp_name()
        )));
    }
    Ok(())
}

fn expected_scalar_type(a: &Tensor, b: &Tensor) -> Result<()> {
    if a.dtype() != b.dtype() {
        return Err(Error::runtime(format!(
            "expected scalar type {} but found {}",
            a.dtype().scalar_type_name(),
            b.dtype().scalar_type_name()
        )));
    }
    Ok(())
}

fn dims_of(shape: &[usize]) -> Dims {
    shape.into()
}

/// `a @ b` for `a: batch+[m,k]`, `b: batch+[k,n]` (batch dims already equal), into a new
/// contiguous tensor, optionally `beta * input + alpha * a @ b` when `input` is given.
fn product(a: &Tensor, b: &Tensor, input: Option<(&Tensor, Scalar)>, alpha: Scalar) -> Result<Tensor> {
    let nd = a.ndim();
    let mut shape = dims_of(&a.shape()[..nd - 1]);
    shape.push(b.shape()[nd - 1]);
    let out = Tensor::empty_on(&shape, a.dtype(), crate::Device::common([a, b].into_iter().chain(input.map(|(i, _)| i)))?)?;
    if out.is_meta() {
        return Ok(out);
    }
    let accumulate = match input {
        Some((inp, beta)) if beta.to_f64() != 0.0 => {
            let inp = inp.expand(&shape.iter().map(|&s| s as i64).collect::<Vec<_>>())?;
            if beta.to_f64() == 1.0 {
                out.copy_(&inp)?;
            } else {
                out.copy_(&binary(BinaryOp::Mul, Arg::Tensor(&inp), Arg::Scalar(beta))?)?;
            }
            true
        }
        // beta == 0: input is ignored (NaN in it does not propagate), like torch
        _ => false,
    };
    if crate::backend::is_backend(out.device()) {
        crate::backend::get(out.device())?.matmul(&out, a, b, alpha.to_f64(), accumulate)?;
        out.storage().backend_written();
        return Ok(out);
    }
    gemm::gemm_into(&out, a, b, alpha, accumulate)?;
    Ok(out)
}

const ONE: Scalar = Scalar::Int(1);

fn check_mm(a: &Tensor, b: &Tensor, prefix: &str) -> Result<()> {
    let (ma, mb) = (a.shape(), b.shape());
    if ma[1] != mb[0] {
        return Err(Error::runtime(format!(
            "{prefix}mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})",
            ma[0], ma[1], mb[0], mb[1]
        )));
    }
    Ok(())
}

/// `torch.mm`.
pub fn mm(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    for (t, what) in [(a, "self"), (b, "mat2")] {
        if t.ndim() != 2 {
            return Err(Error::runtime(format!("mm: {what} must be a matrix, got {}-D tensor", t.ndim())));
        }
    }
    same_dtype_m1_m2(a, b)?;
    check_mm(a, b, "mm: ")?;
    product(a, b, None, ONE)
}

fn check_bmm(a: &Tensor, b: &Tensor) -> Result<()> {
    for (t, what) in [(a, "batch1"), (b, "batch2")] {
        if t.ndim() != 3 {
            return Err(Error::runtime(format!("{what} must be a 3D tensor")));
        }
    }
    expected_scalar_type(a, b)?;
    let (sa, sb) = (a.shape(), b.shape());
    if sb[0] != sa[0] || sb[1] != sa[2] {
        return Err(Error::runtime(format!(
            "Expected size for first two dimensions of batch2 tensor to be: [{}, {}] but got: [{}, {}].",
            sa[0], sa[2], sb[0], sb[1]
        )));
    }
    if a.dtype() == DType::Bool {
        return Err(Error::unsupported("bmm", DType::Bool));
    }
    Ok(())
}

/// `torch.bmm`.
pub fn bmm(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    check_bmm(a, b)?;
    product(a, b, None, ONE)
}

fn check_mv(m: &Tensor, v: &Tensor, input_len: usize) -> Result<()> {
    if m.ndim() != 2 || v.ndim() != 1 {
        return Err(Error::runtime(format!("vector + matrix @ vector expected, got 1, {}, {}", m.ndim(), v.ndim())));
    }
    let (r, c) = (m.shape()[0], m.shape()[1]);
    if c != v.shape()[0] || input_len != r {
        return Err(Error::runtime(format!("size mismatch, got input ({input_len}), mat ({r}x{c}), vec ({})", v.shape()[0])));
    }
    if m.dtype() != v.dtype() {
        let (vd, md) = (v.dtype().scalar_type_name(), m.dtype().scalar_type_name());
        return Err(Error::runtime(format!("addmv input tensors must have the same dtype, but got {vd}, {md}, and {vd}")));
    }
    if m.dtype() == DType::Bool {
        return Err(Error::unsupported("addmv_impl_cpu", DType::Bool));
    }
    Ok(())
}

/// `torch.mv`.
pub fn mv(m: &Tensor, v: &Tensor) -> Result<Tensor> {
    // torch sizes its result {self.size(0)} before addmv's checks
    let rows = m.layout().size(0)?;
    check_mv(m, v, rows)?;
    product(m, &v.unsqueeze(-1)?, None, ONE)?.squeeze(Some(&[-1]))
}

/// `torch.dot` (and `vdot`, the same for real dtypes).
pub fn dot(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.ndim() != 1 || b.ndim() != 1 {
        return Err(Error::runtime(format!("1D tensors expected, but got {}D and {}D tensors", a.ndim(), b.ndim())));
    }
    if a.dtype() != b.dtype() {
        return Err(Error::runtime(format!(
            "dot : expected both vectors to have same dtype, but found {} and {}",
            a.dtype().scalar_type_name(),
            b.dtype().scalar_type_name()
        )));
    }
    let (n, m) = (a.shape()[0], b.shape()[0]);
    if n != m {
        return Err(Error::runtime(format!(
            "inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same number of elements, but got {n} and {m} elements respectively"
        )));
    }
    if a.dtype() == DType::Bool {
        return Err(Error::unsupported("dot", DType::Bool));
    }
    product(&a.unsqueeze(0)?, &b.unsqueeze(-1)?, None, ONE)?.reshape(&[])
}

/// `torch.matmul`, with all its cases: dot, mv, vector-matrix, mm, and batched products with
/// broadcast batch dims (1-D operands get a dim prepended/appended, removed from the result).
pub fn matmul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let (da, db) = (a.ndim(), b.ndim());
    if da == 0 || db == 0 {
        return Err(Error::runtime(format!("both arguments to matmul need to be at least 1D, but they are {da}D and {db}D")));
    }
    match (da, db) {
        (1, 1) => dot(a, b),
        (2, 1) => mv(a, b),
        (1, 2) => mm(&a.unsqueeze(0)?, b)?.squeeze(Some(&[0])),
        (2, 2) => mm(a, b),
        (_, 1 | 2) => {
            // fold a's batch into its rows: one large product instead of many small ones
            let k = a.shape()[da - 1];
            let rows = shape::numel(&a.shape()[..da - 1]);
            let folded = a.reshape(&[rows as i64, k as i64])?;
            let r = if db == 1 { mv(&folded, b)? } else { mm(&folded, b)? };
            let mut shape: Vec<i64> = a.shape()[..da - 1].iter().map(|&s| s as i64).collect();
            if db == 2 {
                shape.push(b.shape()[1] as i64);
            }
            r.reshape(&shape)
        }
        _ => {
            let a2 = if da == 1 { a.unsqueeze(0)? } else { a.clone() };
            let (na, nb) = (a2.ndim(), b.ndim());
            let batch = shape::broadcast_shapes(&a2.shape()[..na - 2], &b.shape()[..nb - 2])?;
            let (m, k, k2, n) = (a2.shape()[na - 2], a2.shape()[na - 1], b.shape()[nb - 2], b.shape()[nb - 1]);
            let bn = shape::numel(&batch);
            if k != k2 {
                return Err(Error::runtime(format!(
                    "Expected size for first two dimensions of batch2 tensor to be: [{bn}, {k}] but got: [{bn}, {k2}]."
                )));
            }
            expected_scalar_type(&a2, b)?;
            if a.dtype() == DType::Bool {
                return Err(Error::unsupported("bmm", DType::Bool));
            }
            let full = |r: usize, c: usize| -> Vec<usize> { batch.iter().copied().chain([r, c]).collect() };
            let r = product(&a2.broadcast_to(&full(m, k))?, &b.broadcast_to(&full(k, n))?, None, ONE)?;
            if da == 1 {
                r.squeeze(Some(&[-2]))
            } else {
                Ok(r)
            }
        }
    }
}

fn check_same_input_dtype(input: &Tensor, m: &Tensor) -> Result<()> {
    if input.dtype() != m.dtype() {
        return Err(Error::runtime(format!(
            "self and mat2 must have the same dtype, but got {} and {}",
            input.dtype().scalar_type_name(),
            m.dtype().scalar_type_name()
        )));
    }
    Ok(())
}

/// `torch.addmm`: `beta * input + alpha * (m1 @ m2)`.
pub fn addmm(input: &Tensor, m1: &Tensor, m2: &Tensor, beta: Scalar, alpha: Scalar) -> Result<Tensor> {
    for (t, what) in [(m1, "mat1"), (m2, "mat2")] {
        if t.ndim() != 2 {
            return Err(Error::runtime(format!("{what} must be a matrix, got {}-D tensor", t.ndim())));
        }
    }
    check_same_input_dtype(input, m2)?;
    same_dtype_m1_m2(m1, m2)?;
    check_mm(m1, m2, "")?;
    product(m1, m2, Some((input, beta)), alpha)
}

/// `torch.addmv`: `beta * input + alpha * (mat @ vec)`.
pub fn addmv(input: &Tensor, mat: &Tensor, vec: &Tensor, beta: Scalar, alpha: Scalar) -> Result<Tensor> {
    let rows = if mat.ndim() == 2 { mat.shape()[0] } else { 0 };
    let input_len = match input.ndim() {
        0 => rows,
        1 if input.shape()[0] == 1 => rows,
        1 => input.shape()[0],
        _ => usize::MAX,
    };
    if input.ndim() > 1 {
        return Err(Error::runtime(format!("vector + matrix @ vector expected, got {}, {}, {}", input.ndim(), mat.ndim(), vec.ndim())));
    }
    check_mv(mat, vec, input_len)?;
    check_same_input_dtype(input, mat)?;
    let inp = input.broadcast_to(&[rows])?.unsqueeze(-1)?;
    product(mat, &vec.unsqueeze(-1)?, Some((&inp, beta)), alpha)?.squeeze(Some(&[-1]))
}

/// `torch.baddbmm`: `beta * input + alpha * bmm(b1, b2)`.
pub fn baddbmm(input: &Tensor, b1: &Tensor, b2: &Tensor, beta: Scalar, alpha: Scalar) -> Result<Tensor> {
    // torch sizes its result {batch1.size(0), batch1.size(1), batch2.size(2)} before any check
    for (t, d) in [(b1, 0), (b1, 1), (b2, 2)] {
        t.layout().size(d)?;
    }
    check_bmm(b1, b2)?;
    check_same_input_dtype(input, b2)?;
    product(b1, b2, Some((input, beta)), alpha)
}

/// `torch.addbmm`: `beta * input + alpha * sum_i b1[i] @ b2[i]`, as one product over the
/// concatenated inner dims.
pub fn addbmm(input: &Tensor, b1: &Tensor, b2: &Tensor, beta: Scalar, alpha: Scalar) -> Result<Tensor> {
    // torch expands input to {batch1.size(1), batch2.size(2)} before any check
    for (t, d) in [(b1, 1), (b2, 2)] {
        t.layout().size(d)?;
    }
    for (t, what) in [(b1, "batch1"), (b2, "batch2")] {
        if t.ndim() != 3 {
            return Err(Error::runtime(format!("{what} must be a 3D tensor")));
        }
    }
    let (s1, s2) = (b1.shape(), b2.shape());
    if s1[0] != s2[0] {
        return Err(Error::runtime(format!("batch1 and batch2 must have same number of batches, got {} and {}", s1[0], s2[0])));
    }
    if s1[2] != s2[1] {
        return Err(Error::runtime(format!(
            "Incompatible matrix sizes for bmm ({}x{} and {}x{})",
            s1[1], s1[2], s2[1], s2[2]
        )));
    }
    let (bn, m, k, n) = (s1[0] as i64, s1[1] as i64, s1[2] as i64, s2[2] as i64);
    let lhs = b1.permute(&[1, 0, 2])?.reshape(&[m, bn * k])?;
    let rhs = b2.reshape(&[bn * k, n])?;
    addmm(input, &lhs, &rhs, beta, alpha)
}

// ---------------------------------------------------------------- triangles and diagonals

/// Zero the elements above (`upper == false`, tril) or below (triu) diagonal `k` of every
/// matrix of `t`, in place.
fn zero_triangle(t: &Tensor, k: i64, upper: bool) -> Result<()> {
    if t.is_meta() {
        return Ok(());
    }
    let nd = t.ndim();
    let (m, n) = (t.shape()[nd - 2], t.shape()[nd - 1]);
    let (rs, cs) = (t.strides()[nd - 2], t.strides()[nd - 1]);
    let g = t.storage().write()?;
    crate::dispatch!(t.dtype(), T => {
        let p = g.ptr() as *mut T;
        Plan::new(&t.shape()[..nd - 2], [&t.strides()[..nd - 2]], [t.offset()]).for_each_row(|[o], len, [s]| {
            for b in 0..len {
                let base = o + b * s;
                for i in 0..m {
                    // tril keeps j <= i + k; triu keeps j >= i + k
                    let edge = (i as i64).saturating_add(k).clamp(-1, n as i64); // k may be near i64::MAX
                    let cols = if upper { 0..edge.max(0) as usize } else { (edge + 1).max(0) as usize..n };
                    for j in cols {
                        // SAFETY: (i, j) of matrix b, inside t's layout.
                        unsafe { *p.add(base + i * rs + j * cs) = T::zero() };
                    }
                }
            }
        });
    });
    Ok(())
}

fn check_tri(t: &Tensor, name: &str) -> Result<()> {
    if t.ndim() < 2 {
        return Err(Error::runtime(format!("{name}: input tensor must have at least 2 dimensions")));
    }
    Ok(())
}

/// `torch.tril` / `torch.triu` (new tensor).
pub fn tril_triu(t: &Tensor, diagonal: i64, upper: bool) -> Result<Tensor> {
    check_tri(t, if upper { "triu" } else { "tril" })?;
    let out = t.copy_as(t.dtype())?;
    zero_triangle(&out, diagonal, upper)?;
    Ok(out)
}

/// `Tensor.tril_` / `Tensor.triu_`.
pub fn tril_triu_(t: &Tensor, diagonal: i64, upper: bool) -> Result<()> {
    check_tri(t, if upper { "triu" } else { "tril" })?;
    zero_triangle(t, diagonal, upper)
}

/// `torch.diag_embed`: the last dim of `t` written on diagonal `offset` of new (dim1, dim2)
/// matrices, zeros elsewhere.
pub fn diag_embed(t: &Tensor, offset: i64, dim1: i64, dim2: i64) -> Result<Tensor> {
    let nd = t.ndim() + 1;
    let (d1, d2) = (shape::normalize_dim(dim1, nd)?, shape::normalize_dim(dim2, nd)?);
    if d1 == d2 {
        return Err(Error::runtime(format!("diagonal dimensions cannot be identical {dim1}, {dim2}")));
    }
    let last = t.shape().last().copied().unwrap_or(1);
    let size = last + offset.unsigned_abs() as usize;
    let mut shape = dims_of(&t.shape()[..t.ndim().saturating_sub(1)]);
    let (lo, hi) = (d1.min(d2), d1.max(d2));
    shape.insert(lo, size);
    shape.insert(hi, size);
    let out = Tensor::zeros_on(&shape, t.dtype(), t.device())?;
    out.diagonal(offset, d1 as i64, d2 as i64)?.copy_(t)?;
    Ok(out)
}

// ---------------------------------------------------------------- cross product

/// `torch.linalg.cross(a, b, dim)`: broadcast, 3-vectors along `dim`.
pub fn cross(a: &Tensor, b: &Tensor, dim: i64) -> Result<Tensor> {
    // torch's order: the number of dims, both sizes at `dim` (IndexError out of range), the
    // dtypes, then the broadcast of the other dims
    if a.ndim() != b.ndim() {
        return Err(Error::runtime("linalg.cross: inputs must have the same number of dimensions."));
    }
    let (sa, sb) = (a.layout().size(dim)?, b.layout().size(dim)?);
    if sa != 3 || sb != 3 {
        return Err(Error::runtime(format!("linalg.cross: inputs dimension {dim} must have length 3. Got {sa} and {sb}")));
    }
    expected_scalar_type(a, b)?;
    let shape = shape::broadcast_shapes(a.shape(), b.shape())?;
    let d = shape::normalize_dim(dim, shape.len())?;
    if a.dtype() == DType::Bool {
        return Err(Error::unsupported("cross", DType::Bool));
    }
    let (a, b) = (a.broadcast_to(&shape)?, b.broadcast_to(&shape)?);
    let out = Tensor::empty_on(&shape, a.dtype(), crate::Device::common([&a, &b])?)?;
    if out.is_meta() {
        return Ok(out);
    }
    crate::dispatch!(a.dtype(), T => cross_kernel::<T>(&out, &a, &b, d))?;
    Ok(out)
}

fn cross_kernel<T: Arith>(out: &Tensor, a: &Tensor, b: &Tensor, d: usize) -> Result<()> {
    let (o0, a0, b0) = (out.select(d as i64, 0)?, a.select(d as i64, 0)?, b.select(d as i64, 0)?);
    let (so, sa, sb) = (out.strides()[d], a.strides()[d], b.strides()[d]);
    let (ga, gb) = (a.storage().read()?, if a.shares_storage(b) { None } else { Some(b.storage().read()?) });
    let og = out.storage().write()?;
    let (op, ap) = (SyncPtr(og.ptr() as *mut T), SyncPtr(ga.ptr() as *mut T));
    let bp = SyncPtr(gb.as_ref().unwrap_or(&ga).ptr() as *mut T);
    let plan = Plan::new(o0.shape(), [o0.strides(), a0.strides(), b0.strides()], [o0.offset(), a0.offset(), b0.offset()]);
    plan.par_for_each_row(crate::parallel::GRAIN / 3, |[o, i, j], len, [s0, s1, s2]| {
        for e in 0..len {
            // SAFETY: the three components of element e of each operand, inside their layouts.
            unsafe {
                let (x, y, z) = (op.get().add(o + e * s0), ap.get().add(i + e * s1) as *const T, bp.get().add(j + e * s2) as *const T);
                let (a0, a1, a2) = (*y, *y.add(sa), *y.add(2 * sa));
                let (b0, b1, b2) = (*z, *z.add(sb), *z.add(2 * sb));
                *x = a1.mul(b2).sub(a2.mul(b1));
                *x.add(so) = a2.mul(b0).sub(a0.mul(b2));
                *x.add(2 * so) = a0.mul(b1).sub(a1.mul(b0));
            }
        }
    });
    Ok(())
}

// ---------------------------------------------------------------- matrix norms

/// The `ord` of `torch.linalg.matrix_norm`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NormOrd {
    Fro,
    Nuc,
    /// 1, -1, inf, -inf (sums of absolute values) or 2, -2 (singular values).
    P(f64),
}

fn max_nan(v: impl Iterator<Item = f64>, want_max: bool) -> f64 {
    v.fold(None, |acc: Option<f64>, x| {
        Some(match acc {
            None => x,
            Some(a) if a.is_nan() || x.is_nan() => f64::NAN,
            Some(a) => if want_max { a.max(x) } else { a.min(x) },
        })
    })
    .unwrap_or(0.0)
}

fn norm_of(m: &[f64], rows: usize, cols: usize, ord: NormOrd) -> f64 {
    let at = |i: usize, j: usize| m[i * cols + j];
    match ord {
        NormOrd::Fro => m.iter().map(|x| x * x).sum::<f64>().sqrt(),
        NormOrd::P(p) if p.abs() == 1.0 => max_nan((0..cols).map(|j| (0..rows).map(|i| at(i, j).abs()).sum()), p > 0.0),
        NormOrd::P(p) if p.is_infinite() => max_nan((0..rows).map(|i| (0..cols).map(|j| at(i, j).abs()).sum()), p > 0.0),
        NormOrd::Nuc | NormOrd::P(_) => {
            let sv = if rows == 0 || cols == 0 {
                vec![]
            } else {
                // SAFETY: m holds rows*cols row-major elements.
                let mat = unsafe { faer::MatRef::<f64>::from_raw_parts(m.as_ptr(), rows, cols, cols as isize, 1) };
                mat.singular_values().unwrap_or_else(|_| vec![f64::NAN])
            };
            match ord {
                NormOrd::Nuc => sv.iter().sum(),
                NormOrd::P(p) => max_nan(sv.into_iter(), p > 0.0),
                NormOrd::Fro => unreachable!(),
            }
        }
    }
}

/// `torch.linalg.matrix_norm(a, ord, dim=(d0, d1), keepdim)` for float32/float64 (computed in
/// float64); on meta, only the result's shape.
pub fn matrix_norm(a: &Tensor, ord: NormOrd, d0: i64, d1: i64, keepdim: bool) -> Result<Tensor> {
    const OP: &str = "linalg.matrix_norm";
    if a.ndim() < 2 {
        return Err(Error::runtime(format!("{OP}: The input tensor A must have at least 2 dimensions.")));
    }
    if !a.dtype().is_floating_point() {
        return Err(Error::NotImplemented(format!("{OP}: Expected a floating point or complex tensor as input. Got {}", a.dtype().scalar_type_name())));
    }
    let (i0, i1) = (shape::normalize_dim(d0, a.ndim())?, shape::normalize_dim(d1, a.ndim())?);
    if i0 == i1 {
        return Err(Error::runtime(format!("{OP}: dims must be different. Got ({d0}, {d1})")));
    }
    let moved = a.movedim(&[i0 as i64, i1 as i64], &[-2, -1])?;
    let nd = moved.ndim();
    let mut shape = dims_of(&moved.shape()[..nd - 2]);
    if keepdim {
        for d in [i0.min(i1), i0.max(i1)] {
            shape.insert(d, 1);
        }
    }
    if a.is_meta() {
        return Tensor::empty_on(&shape, a.dtype(), crate::Device::Meta);
    }
    let (rows, cols) = (moved.shape()[nd - 2], moved.shape()[nd - 1]);
    let data = moved.copy_as(DType::Float64)?.to_vec::<f64>()?;
    let per = rows * cols;
    let batch = shape::numel(&moved.shape()[..nd - 2]);
    let norms: Vec<f64> = (0..batch).map(|b| norm_of(&data[b * per..(b + 1) * per], rows, cols, ord)).collect();
    Tensor::from_vec(norms, &shape)?.to_dtype(a.dtype())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: Vec<f32>, s: &[usize]) -> Tensor {
        Tensor::from_vec(v, s).unwrap()
    }

    #[test]
    fn mm_transposed_operands() {
        let a = t(vec![1., 2., 3., 4., 5., 6.], &[2, 3]);
        let r = mm(&a, &a.t().unwrap()).unwrap();
        assert_eq!(r.to_vec::<f32>().unwrap(), vec![14., 32., 32., 77.]);
        let r = mm(&a.t().unwrap(), &a).unwrap();
        assert_eq!(r.shape(), &[3, 3]);
        assert_eq!(r.to_vec::<f32>().unwrap()[..3], [17., 22., 27.]);
    }

    #[test]
    fn int_and_batched() {
        let a = Tensor::from_vec((0..12i64).collect(), &[2, 2, 3]).unwrap();
        let b = Tensor::from_vec((0..6i64).collect(), &[3, 2]).unwrap();
        let r = matmul(&a, &b).unwrap();
        assert_eq!(r.shape(), &[2, 2, 2]);
        assert_eq!(r.to_vec::<i64>().unwrap(), vec![10, 13, 28, 40, 46, 67, 64, 94]);
        let r = matmul(&b.t().unwrap().unsqueeze(0).unwrap(), &a.transpose(1, 2).unwrap()).unwrap();
        assert_eq!(r.shape(), &[2, 2, 2]);
    }

    #[test]
    fn triangles() {
        let a = t((0..9).map(|x| x as f32 + 1.).collect(), &[3, 3]);
        assert_eq!(tril_triu(&a, 0, false).unwrap().to_vec::<f32>().unwrap(), vec![1., 0., 0., 4., 5., 0., 7., 8., 9.]);
        assert_eq!(tril_triu(&a, 1, true).unwrap().to_vec::<f32>().unwrap(), vec![0., 2., 3., 0., 0., 6., 0., 0., 0.]);
        assert_eq!(tril_triu(&a, -5, false).unwrap().to_vec::<f32>().unwrap(), vec![0.; 9]);
    }
}
