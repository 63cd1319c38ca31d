//! Square-matrix solvers on an LU factorisation with partial pivoting: inv, det, slogdet, solve.
//!
//! The factorisation is LAPACK getf2's (pivot = the first entry of largest magnitude, a zero
//! pivot is recorded and skipped), so singular inputs are reported at the same diagonal element
//! as torch. Batches are independent and split over the intra-op threads; each matrix is
//! factored in float64 (float32 inputs are widened and the results rounded once).
//!
//! On the meta device each op checks its arguments and stops at its output's shape: whether a
//! matrix is singular depends on its values, so meta never reports it (neither does torch).

use crate::device::Device;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::parallel::{self, SyncPtr};
use crate::shape;
use crate::tensor::Tensor;

/// One step of getf2 on a row-major matrix with `n` columns: swap row `j` with the pivot row `p`,
/// then eliminate column `j` below the (nonzero) pivot, keeping the multipliers there (L's
/// column). Shared by the square factorisation here and the rectangular one of `decomp.rs`.
pub(crate) fn pivot_and_eliminate(a: &mut [f64], n: usize, j: usize, p: usize) {
    if p != j {
        for c in 0..n {
            a.swap(j * n + c, p * n + c);
        }
    }
    let pivot = a[j * n + j];
    let (top, rest) = a.split_at_mut((j + 1) * n);
    let prow = &top[j * n..];
    for row in rest.chunks_exact_mut(n) {
        let l = row[j] / pivot;
        row[j] = l;
        if l != 0.0 {
            for c in j + 1..n {
                row[c] -= l * prow[c];
            }
        }
    }
}

/// An n x n row-major matrix factored in place as P A = L U.
struct Lu<'a> {
    a: &'a mut [f64],
    n: usize,
    perm: Vec<usize>,
    /// +1 or -1: the parity of the row swaps.
    sign: f64,
    /// 1-based index of the first exactly zero pivot (LAPACK's `info`).
    zero_pivot: Option<usize>,
}

impl<'a> Lu<'a> {
    fn factor(a: &'a mut [f64], n: usize) -> Lu<'a> {
        let mut perm: Vec<usize> = (0..n).collect();
        let (mut sign, mut zero_pivot) = (1.0, None);
        for j in 0..n {
            let mut p = j;
            for i in j + 1..n {
                if a[i * n + j].abs() > a[p * n + j].abs() {
                    p = i;
                }
            }
            if a[p * n + j] == 0.0 {
                zero_pivot.get_or_insert(j + 1);
                continue; // the column below is all zero: nothing to eliminate
            }
            if p != j {
                perm.swap(j, p);
                sign = -sign;
            }
            pivot_and_eliminate(a, n, j, p);
        }
        Lu { a, n, perm, sign, zero_pivot }
    }

    /// Solve A X = B for the n x k row-major `b`, into `x`.
    fn solve(&self, b: &[f64], x: &mut [f64], k: usize) {
        let (a, n) = (&*self.a, self.n);
        for (i, &p) in self.perm.iter().enumerate() {
            x[i * k..(i + 1) * k].copy_from_slice(&b[p * k..(p + 1) * k]);
        }
        for i in 0..n {
            let (done, rest) = x.split_at_mut(i * k);
            let xi = &mut rest[..k];
            for j in 0..i {
                let l = a[i * n + j];
                if l != 0.0 {
                    xi.iter_mut().zip(&done[j * k..(j + 1) * k]).for_each(|(v, &y)| *v -= l * y);
                }
            }
        }
        for i in (0..n).rev() {
            let (head, tail) = x.split_at_mut((i + 1) * k);
            let xi = &mut head[i * k..];
            for j in i + 1..n {
                let u = a[i * n + j];
                if u != 0.0 {
                    xi.iter_mut().zip(&tail[(j - i - 1) * k..(j - i) * k]).for_each(|(v, &y)| *v -= u * y);
                }
            }
            let d = a[i * n + i];
            xi.iter_mut().for_each(|v| *v /= d);
        }
    }

    fn diag(&self) -> impl Iterator<Item = f64> + '_ {
        (0..self.n).map(move |i| self.a[i * self.n + i])
    }
}

/// torch's checks on the input of a `linalg.<op>`: at least 2-D, float32/float64, square.
pub(super) fn check_square(a: &Tensor, op: &str) -> Result<usize> {
    let n = check_square_shape(a, op)?;
    check_float(a.dtype(), op)?;
    Ok(n)
}

/// torch's squareCheckInputs (which comes before its dtype checks): batches of square matrices.
pub(super) fn check_square_shape(a: &Tensor, op: &str) -> Result<usize> {
    if a.ndim() < 2 {
        return Err(Error::runtime(format!("{op}: The input tensor A must have at least 2 dimensions.")));
    }
    let (m, n) = (a.shape()[a.ndim() - 2], a.shape()[a.ndim() - 1]);
    if m != n {
        return Err(Error::runtime(format!("{op}: A must be batches of square matrices, but they are {m} by {n} matrices")));
    }
    Ok(n)
}

pub(super) fn check_float(d: DType, op: &str) -> Result<()> {
    match d {
        DType::Float32 | DType::Float64 => Ok(()),
        // torch's det and solve reach its LU kernel before any check of their own
        DType::Float16 | DType::BFloat16 if op == "linalg.det" || op == "linalg.solve" => Err(Error::unsupported("lu_cpu", d)),
        DType::Float16 | DType::BFloat16 => Err(Error::NotImplemented(format!("{op}: Low precision dtypes not supported. Got {}", d.scalar_type_name()))),
        _ => Err(Error::NotImplemented(format!("{op}: Expected a floating point or complex tensor as input. Got {}", d.scalar_type_name()))),
    }
}

/// Run `f(i, matrix_i)` on each n x n matrix of the float64 buffer `data`, in parallel; returns
/// the first (batch, zero pivot) that `f` reported, in batch order (so the error does not
/// depend on the thread count).
fn each_matrix(data: &mut [f64], n: usize, f: impl Fn(usize, &mut [f64]) -> Option<usize> + Sync) -> Option<(usize, usize)> {
    let batch = if n == 0 { 0 } else { data.len() / (n * n) };
    let grain = (parallel::GRAIN / (n * n * n).max(1)).max(1);
    let base = SyncPtr(data.as_mut_ptr());
    let errs = parallel::map_chunks(batch, grain, |r| {
        r.into_iter().find_map(|i| {
            // SAFETY: matrix i is its own n*n slice of `data`.
            let m = unsafe { std::slice::from_raw_parts_mut(base.get().add(i * n * n), n * n) };
            f(i, m).map(|p| (i, p))
        })
    });
    errs.into_iter().flatten().next()
}

/// `a` as a contiguous float64 buffer, with its batch shape.
fn widen(a: &Tensor) -> Result<Vec<f64>> {
    a.copy_as(DType::Float64)?.to_vec::<f64>()
}

/// The output of `a`'s op when `a` is a meta tensor: no values, only `shape` (contiguous).
fn on_meta(a: &Tensor, shape: &[usize]) -> Result<Option<Tensor>> {
    Ok(if a.is_meta() { Some(Tensor::empty_on(shape, a.dtype(), Device::Meta)?) } else { None })
}

fn batch_prefix(a: &Tensor, batch: usize) -> String {
    if a.ndim() > 2 {
        format!("(Batch element {batch}): ")
    } else {
        String::new()
    }
}

/// `torch.linalg.inv`.
pub fn inv(a: &Tensor) -> Result<Tensor> {
    let n = check_square(a, "linalg.inv")?;
    if let Some(out) = on_meta(a, a.shape())? {
        return Ok(out);
    }
    let mut data = widen(a)?;
    let mut out = vec![0.0; data.len()];
    let outp = SyncPtr(out.as_mut_ptr());
    let eye: Vec<f64> = (0..n * n).map(|i| if i / n == i % n { 1.0 } else { 0.0 }).collect();
    let err = each_matrix(&mut data, n, |i, m| {
        let lu = Lu::factor(m, n);
        if lu.zero_pivot.is_some() {
            return lu.zero_pivot;
        }
        // SAFETY: output matrix i is written by this task only.
        let x = unsafe { std::slice::from_raw_parts_mut(outp.get().add(i * n * n), n * n) };
        lu.solve(&eye, x, n);
        None
    });
    if let Some((b, p)) = err {
        return Err(Error::LinAlg(format!(
            "linalg.inv: {}The diagonal element {p} is zero, the inversion could not be completed because the input matrix is singular.",
            batch_prefix(a, b)
        )));
    }
    Tensor::from_vec(out, a.shape())?.to_dtype(a.dtype())
}

/// det, sign(det) and log|det| of each n x n matrix of `a` (linalg.det and linalg.slogdet).
fn determinants(a: &Tensor, n: usize) -> Result<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    let batch_shape = &a.shape()[..a.ndim() - 2];
    let batch = shape::numel(batch_shape);
    let mut data = widen(a)?;
    let (mut det, mut sign, mut logabs) = (vec![1.0; batch], vec![1.0; batch], vec![0.0; batch]);
    let (dp, sp, lp) = (SyncPtr(det.as_mut_ptr()), SyncPtr(sign.as_mut_ptr()), SyncPtr(logabs.as_mut_ptr()));
    each_matrix(&mut data, n, |i, m| {
        let lu = Lu::factor(m, n);
        let d = lu.diag().fold(lu.sign, |p, u| p * u);
        let s = lu.diag().fold(lu.sign, |p, u| p * u.signum()) * if lu.zero_pivot.is_some() { 0.0 } else { 1.0 };
        let l: f64 = lu.diag().map(|u| u.abs().ln()).sum();
        // SAFETY: slot i belongs to this task.
        unsafe {
            *dp.get().add(i) = d;
            *sp.get().add(i) = s;
            *lp.get().add(i) = l;
        }
        None
    });
    Ok((det, sign, logabs))
}

/// `torch.linalg.det`.
pub fn det(a: &Tensor) -> Result<Tensor> {
    let n = check_square(a, "linalg.det")?;
    if let Some(out) = on_meta(a, &a.shape()[..a.ndim() - 2])? {
        return Ok(out);
    }
    let (d, _, _) = determinants(a, n)?;
    Tensor::from_vec(d, &a.shape()[..a.ndim() - 2])?.to_dtype(a.dtype())
}

/// `torch.linalg.slogdet`: (sign, logabsdet).
pub fn slogdet(a: &Tensor) -> Result<(Tensor, Tensor)> {
    let n = check_square(a, "linalg.slogdet")?;
    let bs = &a.shape()[..a.ndim() - 2];
    if let Some(sign) = on_meta(a, bs)? {
        return Ok((sign, Tensor::empty_on(bs, a.dtype(), Device::Meta)?));
    }
    let (_, s, l) = determinants(a, n)?;
    Ok((Tensor::from_vec(s, bs)?.to_dtype(a.dtype())?, Tensor::from_vec(l, bs)?.to_dtype(a.dtype())?))
}

/// `torch.linalg.solve(A, B)` (left side): X with A X = B. B is a vector (or batch of vectors)
/// when it is 1-D or has A's shape without its last dim, like torch.
pub fn solve(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let n = check_square(a, "linalg.solve")?;
    check_float(b.dtype(), "linalg.solve")?;
    if a.dtype() != b.dtype() {
        return Err(Error::runtime(format!(
            "linalg.solve: Expected A and B to have the same dtype, but found A of type {} and B of type {} instead",
            a.dtype().scalar_type_name(),
            b.dtype().scalar_type_name()
        )));
    }
    let vector = b.ndim() == 1 || (b.ndim() + 1 == a.ndim() && b.shape() == &a.shape()[..a.ndim() - 1]);
    let bm = if vector { b.unsqueeze(-1)? } else { b.clone() };
    let (rows, k) = (bm.shape()[bm.ndim() - 2], bm.shape()[bm.ndim() - 1]);
    if rows != n {
        return Err(Error::runtime(format!("linalg.solve: Incompatible shapes of A and B for the equation AX = B ({n}x{n} and {rows}x{k})")));
    }
    let batch = shape::broadcast_shapes(&a.shape()[..a.ndim() - 2], &bm.shape()[..bm.ndim() - 2])?;
    let x = match Device::common([a, b])? {
        Device::Meta => Tensor::empty_on(&matrices(&batch, n, k), a.dtype(), Device::Meta)?,
        _ => solve_values(a, &bm, n, k, &batch)?,
    };
    if vector {
        x.squeeze(Some(&[-1]))
    } else {
        Ok(x)
    }
}

/// The shape of a `batch` of r x c matrices.
fn matrices(batch: &[usize], r: usize, c: usize) -> Vec<usize> {
    batch.iter().copied().chain([r, c]).collect()
}

/// X with A X = B for n x n `a` and n x k `bm` (B as matrices), broadcast over `batch`.
fn solve_values(a: &Tensor, bm: &Tensor, n: usize, k: usize, batch: &[usize]) -> Result<Tensor> {
    let full = |r, c| matrices(batch, r, c);
    let mut data = widen(&a.broadcast_to(&full(n, n))?)?;
    let rhs = widen(&bm.broadcast_to(&full(n, k))?)?;
    let mut out = vec![0.0; rhs.len()];
    let outp = SyncPtr(out.as_mut_ptr());
    let err = each_matrix(&mut data, n, |i, m| {
        let lu = Lu::factor(m, n);
        if lu.zero_pivot.is_some() {
            return lu.zero_pivot;
        }
        // SAFETY: output block i is written by this task only.
        let x = unsafe { std::slice::from_raw_parts_mut(outp.get().add(i * n * k), n * k) };
        lu.solve(&rhs[i * n * k..(i + 1) * n * k], x, k);
        None
    });
    if let Some((bi, _)) = err {
        let prefix = if batch.is_empty() { String::new() } else { format!("(Batch element {bi}): ") };
        return Err(Error::LinAlg(format!("torch.linalg.solve: {prefix}The solver failed because the input matrix is singular.")));
    }
    Tensor::from_vec(out, &full(n, k))?.to_dtype(a.dtype())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_and_determinant() {
        let a = Tensor::from_vec(vec![4.0f64, 7.0, 2.0, 6.0], &[2, 2]).unwrap();
        let i = inv(&a).unwrap().to_vec::<f64>().unwrap();
        let want = [0.6, -0.7, -0.2, 0.4];
        assert!(i.iter().zip(want).all(|(x, y)| (x - y).abs() < 1e-12), "{i:?}");
        assert!((det(&a).unwrap().to_vec::<f64>().unwrap()[0] - 10.0).abs() < 1e-12);
    }

    #[test]
    fn singular_reports_the_pivot() {
        let a = Tensor::from_vec(vec![1.0f32, 2.0, 2.0, 4.0], &[2, 2]).unwrap();
        let e = inv(&a).unwrap_err().to_string();
        assert!(e.contains("The diagonal element 2 is zero"), "{e}");
        let (s, l) = slogdet(&a).unwrap();
        assert_eq!(s.to_vec::<f32>().unwrap(), vec![0.0]);
        assert_eq!(l.to_vec::<f32>().unwrap(), vec![f32::NEG_INFINITY]);
    }
}
