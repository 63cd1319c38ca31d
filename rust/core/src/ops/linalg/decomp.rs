//! Matrix decompositions: Cholesky, QR, the symmetric eigendecomposition, SVD, triangular
//! solves and rectangular LU (torch.linalg.cholesky_ex, qr, eigh, svd, solve_triangular,
//! lu_factor_ex).
//!
//! Like [`super::lu`], every matrix is worked on in float64 (float32 inputs widened, results
//! rounded once) and batches are independent, split over the intra-op threads. QR, eigh and SVD
//! call faer's decompositions; Cholesky (LAPACK potf2's unblocked column order, so the failing
//! leading minor is reported as torch reports it), LU (getf2's pivots) and the triangular solve
//! are the textbook loops. The checks and the errors on values (not positive-definite, a zero
//! pivot) are reported through the `info` outputs; rstorch/linalg.py raises torch's errors.

use faer::linalg::solvers::{Qr, SelfAdjointEigen, Svd};
use faer::{MatRef, Side};

use super::lu::{check_float, check_square, check_square_shape, pivot_and_eliminate};
use crate::device::Device;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::parallel;
use crate::shape;
use crate::tensor::Tensor;

/// `f(i)` for each matrix i of a batch of `batch`, in parallel (chunks sized by `work`, the
/// flops of one matrix), results in batch order.
fn per_matrix<T: Send>(batch: usize, work: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let grain = (parallel::GRAIN / work.max(1)).max(1);
    parallel::map_chunks(batch, grain, |r| r.map(&f).collect::<Vec<_>>()).into_iter().flatten().collect()
}

fn with_dims(batch: &[usize], dims: &[usize]) -> Vec<usize> {
    batch.iter().chain(dims).copied().collect()
}

/// The float64 values of `a` (contiguous), its batch shape and its matrices' (rows, cols).
fn matrices_of(a: &Tensor) -> Result<(Vec<f64>, Vec<usize>, usize, usize)> {
    let nd = a.ndim();
    let (m, n) = (a.shape()[nd - 2], a.shape()[nd - 1]);
    let data = if a.is_meta() { Vec::new() } else { a.copy_as(DType::Float64)?.to_vec::<f64>()? };
    Ok((data, a.shape()[..nd - 2].to_vec(), m, n))
}

/// A result of `like`'s dtype (and device: meta stays meta) from float64 `data`.
fn result(data: Vec<f64>, shape: &[usize], like: &Tensor) -> Result<Tensor> {
    if like.is_meta() {
        return Tensor::empty_on(shape, like.dtype(), Device::Meta);
    }
    Tensor::from_vec(data, shape)?.to_dtype(like.dtype())
}

fn int_result(data: Vec<i32>, shape: &[usize], like: &Tensor) -> Result<Tensor> {
    if like.is_meta() {
        return Tensor::empty_on(shape, DType::Int32, Device::Meta);
    }
    Tensor::from_vec(data, shape)
}

fn check_2d(a: &Tensor, op: &str) -> Result<()> {
    if a.ndim() < 2 {
        return Err(Error::runtime(format!("{op}: The input tensor A must have at least 2 dimensions.")));
    }
    check_float(a.dtype(), op)
}

fn split<const K: usize>(parts: Vec<[Vec<f64>; K]>) -> [Vec<f64>; K] {
    let mut out: [Vec<f64>; K] = std::array::from_fn(|_| Vec::new());
    for p in parts {
        for (o, v) in out.iter_mut().zip(p) {
            o.extend(v);
        }
    }
    out
}

/// Cholesky of one n x n row-major matrix (its lower triangle read) into the lower triangle of
/// `l` (zeros above); the 1-based order of the first leading minor that is not positive
/// definite, LAPACK's `info`, else 0.
fn cholesky_one(a: &[f64], n: usize, l: &mut [f64]) -> i32 {
    for j in 0..n {
        let (done, rest) = l.split_at_mut(j * n);
        let lj = &mut rest[..n];
        let mut d = a[j * n + j];
        for (i, row) in done.chunks_exact(n).enumerate() {
            // L[j, i] for i < j
            let s: f64 = row[..i].iter().zip(&lj[..i]).map(|(x, y)| x * y).sum();
            lj[i] = (a[j * n + i] - s) / row[i];
        }
        d -= lj[..j].iter().map(|x| x * x).sum::<f64>();
        if !(d > 0.0) {
            lj[j] = d;
            return j as i32 + 1;
        }
        lj[j] = d.sqrt();
    }
    0
}

/// `torch.linalg.cholesky_ex(A, upper)`: (L, info). `upper` reads A's upper triangle and
/// returns U = L^T with A = U^T U.
pub fn cholesky_ex(a: &Tensor, upper: bool) -> Result<(Tensor, Tensor)> {
    let n = check_square(a, "linalg.cholesky")?;
    let a = if upper { a.transpose(-2, -1)? } else { a.clone() };
    let (data, bs, _, _) = matrices_of(&a)?;
    let batch = shape::numel(&bs);
    let parts = if a.is_meta() { Vec::new() } else {
        per_matrix(batch, n * n * n, |i| {
            let mut l = vec![0.0; n * n];
            let info = cholesky_one(&data[i * n * n..(i + 1) * n * n], n, &mut l);
            (l, info)
        })
    };
    let (mut ls, mut infos) = (Vec::with_capacity(batch * n * n), Vec::with_capacity(batch));
    for (l, info) in parts {
        ls.extend(l);
        infos.push(info);
    }
    let l = result(ls, &with_dims(&bs, &[n, n]), &a)?;
    let l = if upper && !a.is_meta() { l.transpose(-2, -1)?.contiguous()? } else { l };
    Ok((l, int_result(infos, &bs, &a)?))
}

/// The modes of `torch.linalg.qr`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum QrMode {
    Reduced,
    Complete,
    R,
}

/// `torch.linalg.qr(A, mode)`: (Q, R); with mode 'r' Q is an empty 1-D tensor, as torch's.
pub fn qr(a: &Tensor, mode: QrMode) -> Result<(Tensor, Tensor)> {
    check_2d(a, "linalg.qr")?;
    let (data, bs, m, n) = matrices_of(a)?;
    let k = m.min(n);
    let batch = shape::numel(&bs);
    let (qc, rr) = match mode {
        QrMode::Complete => (m, m),
        QrMode::Reduced => (k, k),
        QrMode::R => (0, k),
    };
    let parts = if a.is_meta() { Vec::new() } else {
        per_matrix(batch, m * n * k.max(1), |i| {
            let mut q = vec![0.0; m * qc];
            let mut r = vec![0.0; rr * n];
            if k == 0 {
                for d in 0..qc.min(m) {
                    q[d * qc + d] = 1.0; // the complete Q of a matrix with no columns
                }
                return [q, r];
            }
            let f = Qr::new(MatRef::from_row_major_slice(&data[i * m * n..(i + 1) * m * n], m, n));
            let rf = f.R();
            for row in 0..k {
                for c in row..n {
                    r[row * n + c] = rf[(row, c)];
                }
            }
            if qc > 0 {
                let qf = if mode == QrMode::Complete { f.compute_Q() } else { f.compute_thin_Q() };
                for row in 0..m {
                    for c in 0..qc {
                        q[row * qc + c] = qf[(row, c)];
                    }
                }
            }
            [q, r]
        })
    };
    let [q, r] = split(parts);
    let q = if mode == QrMode::R { result(Vec::new(), &[0], a)? } else { result(q, &with_dims(&bs, &[m, qc]), a)? };
    Ok((q, result(r, &with_dims(&bs, &[rr, n]), a)?))
}

/// `torch.linalg.eigh(A, UPLO)` (eigenvalues ascending; `vectors` false: eigvalsh, with an
/// empty second result).
pub fn eigh(a: &Tensor, upper: bool, vectors: bool) -> Result<(Tensor, Tensor)> {
    // eigvalsh is torch's _linalg_eigh too: its errors name linalg.eigh; the shape comes first
    let op = "linalg.eigh";
    check_square_shape(a, op)?;
    if !a.dtype().is_floating_point() {
        return Err(Error::unsupported("linalg_eigh_cpu", a.dtype()));
    }
    let n = check_square(a, op)?;
    let (data, bs, _, _) = matrices_of(a)?;
    let batch = shape::numel(&bs);
    let side = if upper { Side::Upper } else { Side::Lower };
    let parts = if a.is_meta() { Vec::new() } else {
        per_matrix(batch, n * n * n, |i| -> std::result::Result<[Vec<f64>; 2], ()> {
            let mat = MatRef::from_row_major_slice(&data[i * n * n..(i + 1) * n * n], n, n);
            if n == 0 {
                return Ok([Vec::new(), Vec::new()]);
            }
            if !vectors {
                return Ok([mat.self_adjoint_eigenvalues(side).map_err(|_| ())?, Vec::new()]);
            }
            let e = SelfAdjointEigen::new(mat, side).map_err(|_| ())?;
            let (u, s) = (e.U(), e.S().column_vector());
            let w: Vec<f64> = (0..n).map(|j| s[j]).collect();
            let mut v = vec![0.0; n * n];
            for r in 0..n {
                for c in 0..n {
                    v[r * n + c] = u[(r, c)];
                }
            }
            Ok([w, v])
        })
    };
    let mut ok = Vec::with_capacity(parts.len());
    for (b, p) in parts.into_iter().enumerate() {
        match p {
            Ok(p) => ok.push(p),
            Err(()) => {
                let prefix = if bs.is_empty() { String::new() } else { format!("(Batch element {b}): ") };
                return Err(Error::LinAlg(format!(
                    "{op}: {prefix}The algorithm failed to converge because the input matrix is ill-conditioned or has too many repeated eigenvalues (error code: {n})."
                )));
            }
        }
    }
    let [w, v] = split(ok);
    let vs = if vectors { result(v, &with_dims(&bs, &[n, n]), a)? } else { result(Vec::new(), &[0], a)? };
    Ok((result(w, &with_dims(&bs, &[n]), a)?, vs))
}

/// `torch.linalg.svd(A, full_matrices)`: (U, S, Vh), S descending; `vectors` false: svdvals
/// (U and Vh empty).
pub fn svd(a: &Tensor, full: bool, vectors: bool) -> Result<(Tensor, Tensor, Tensor)> {
    // svdvals is torch's _linalg_svd too: its errors name linalg.svd
    let op = "linalg.svd";
    check_2d(a, op)?;
    let (data, bs, m, n) = matrices_of(a)?;
    let k = m.min(n);
    let batch = shape::numel(&bs);
    let (uc, vr) = if full { (m, n) } else { (k, k) };
    let parts = if a.is_meta() { Vec::new() } else {
        per_matrix(batch, m * n * k.max(1), |i| -> std::result::Result<[Vec<f64>; 3], ()> {
            let mat = MatRef::from_row_major_slice(&data[i * m * n..(i + 1) * m * n], m, n);
            let (mut u, mut vh) = if vectors { (vec![0.0; m * uc], vec![0.0; vr * n]) } else { (Vec::new(), Vec::new()) };
            if k == 0 {
                if vectors {
                    (0..uc.min(m)).for_each(|d| u[d * uc + d] = 1.0);
                    (0..vr.min(n)).for_each(|d| vh[d * n + d] = 1.0);
                }
                return Ok([u, Vec::new(), vh]);
            }
            if !vectors {
                return Ok([u, mat.singular_values().map_err(|_| ())?, vh]);
            }
            let f = if full { Svd::new(mat) } else { Svd::new_thin(mat) }.map_err(|_| ())?;
            let (fu, fv, fs) = (f.U(), f.V(), f.S().column_vector());
            for r in 0..m {
                for c in 0..uc {
                    u[r * uc + c] = fu[(r, c)];
                }
            }
            for r in 0..vr {
                for c in 0..n {
                    vh[r * n + c] = fv[(c, r)];
                }
            }
            Ok([u, (0..k).map(|j| fs[j]).collect(), vh])
        })
    };
    let mut ok = Vec::with_capacity(parts.len());
    for p in parts {
        match p {
            Ok(p) => ok.push(p),
            Err(()) => {
                return Err(Error::LinAlg(format!(
                    "{op}: The algorithm failed to converge because the input matrix is ill-conditioned or has too many repeated singular values (error code: {k})."
                )))
            }
        }
    }
    let [u, s, vh] = split(ok);
    let s = result(s, &with_dims(&bs, &[k]), a)?;
    if !vectors {
        let e = result(Vec::new(), &[0], a)?;
        return Ok((e.clone(), s, e));
    }
    Ok((result(u, &with_dims(&bs, &[m, uc]), a)?, s, result(vh, &with_dims(&bs, &[vr, n]), a)?))
}

/// `torch.linalg.solve_triangular(A, B, upper=upper, left=True, unitriangular=unit)`: X with
/// A X = B, A's other triangle never read; batch dims broadcast.
pub fn solve_triangular(a: &Tensor, b: &Tensor, upper: bool, unit: bool) -> Result<Tensor> {
    const OP: &str = "linalg.solve_triangular";
    for (t, name) in [(a, "A"), (b, "B")] {
        if t.ndim() < 2 {
            return Err(Error::runtime(format!("{OP}: The input tensor {name} must have at least 2 dimensions.")));
        }
    }
    if a.dtype() != b.dtype() {
        return Err(Error::runtime(format!(
            "{OP}: Expected A and B to have the same dtype, but found A of type {} and B of type {} instead",
            a.dtype().scalar_type_name(),
            b.dtype().scalar_type_name()
        )));
    }
    if !a.dtype().is_floating_point() {
        return Err(Error::unsupported("triangular_solve_cpu", a.dtype()));
    }
    check_float(a.dtype(), OP)?;
    let (an, bn) = (a.ndim(), b.ndim());
    let (n, n2, rows, k) = (a.shape()[an - 2], a.shape()[an - 1], b.shape()[bn - 2], b.shape()[bn - 1]);
    if n != n2 {
        return Err(Error::runtime(format!("{OP}: A must be batches of square matrices, but they are {n} by {n2} matrices")));
    }
    if rows != n {
        return Err(Error::runtime(format!("{OP}: Incompatible shapes of A and B for the equation AX = B ({n}x{n} and {rows}x{k})")));
    }
    let bs = shape::broadcast_shapes(&a.shape()[..an - 2], &b.shape()[..bn - 2])?;
    let out_shape = with_dims(&bs, &[n, k]);
    if matches!(Device::common([a, b])?, Device::Meta) {
        return Tensor::empty_on(&out_shape, a.dtype(), Device::Meta);
    }
    let av = a.broadcast_to(&with_dims(&bs, &[n, n]))?.copy_as(DType::Float64)?.to_vec::<f64>()?;
    let bv = b.broadcast_to(&out_shape)?.copy_as(DType::Float64)?.to_vec::<f64>()?;
    let batch = shape::numel(&bs);
    let parts = per_matrix(batch, n * n * k.max(1), |i| {
        let am = &av[i * n * n..(i + 1) * n * n];
        let mut x = bv[i * n * k..(i + 1) * n * k].to_vec();
        let order: Vec<usize> = if upper { (0..n).rev().collect() } else { (0..n).collect() };
        for &r in &order {
            let (head, tail) = x.split_at_mut(r * k);
            let (xr, after) = tail.split_at_mut(k);
            let others = if upper { r + 1..n } else { 0..r };
            for j in others {
                let c = am[r * n + j];
                if c != 0.0 {
                    let xj = if j < r { &head[j * k..(j + 1) * k] } else { &after[(j - r - 1) * k..(j - r) * k] };
                    xr.iter_mut().zip(xj).for_each(|(v, &y)| *v -= c * y);
                }
            }
            if !unit {
                let d = am[r * n + r];
                xr.iter_mut().for_each(|v| *v /= d);
            }
        }
        x
    });
    Tensor::from_vec(parts.concat(), &out_shape)?.to_dtype(a.dtype())
}

/// `torch.linalg.lu_factor_ex(A)` with pivoting: (LU, pivots, info) for m x n matrices, LAPACK
/// getf2's (1-based pivots, info the first exactly zero pivot).
pub fn lu_factor_ex(a: &Tensor) -> Result<(Tensor, Tensor, Tensor)> {
    if a.ndim() < 2 {
        return Err(Error::runtime(format!("torch.lu_factor: Expected tensor with 2 or more dimensions. Got size: {:?} instead", a.shape())));
    }
    if !a.dtype().is_floating_point() || !matches!(a.dtype(), DType::Float32 | DType::Float64) {
        return Err(Error::unsupported("lu_cpu", a.dtype()));
    }
    let (data, bs, m, n) = matrices_of(a)?;
    let k = m.min(n);
    let batch = shape::numel(&bs);
    let parts = if a.is_meta() { Vec::new() } else {
        per_matrix(batch, m * n * k.max(1), |i| {
            let mut lu = data[i * m * n..(i + 1) * m * n].to_vec();
            let mut piv = vec![0i32; k];
            let mut info = 0i32;
            for j in 0..k {
                let mut p = j;
                for r in j + 1..m {
                    if lu[r * n + j].abs() > lu[p * n + j].abs() {
                        p = r;
                    }
                }
                piv[j] = p as i32 + 1;
                if lu[p * n + j] == 0.0 {
                    if info == 0 {
                        info = j as i32 + 1;
                    }
                    continue;
                }
                pivot_and_eliminate(&mut lu, n, j, p);
            }
            (lu, piv, info)
        })
    };
    let (mut lus, mut pivs, mut infos) = (Vec::new(), Vec::new(), Vec::new());
    for (lu, piv, info) in parts {
        lus.extend(lu);
        pivs.extend(piv);
        infos.push(info);
    }
    Ok((result(lus, a.shape(), a)?, int_result(pivs, &with_dims(&bs, &[k]), a)?, int_result(infos, &bs, a)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: Vec<f64>, s: &[usize]) -> Tensor {
        Tensor::from_vec(v, s).unwrap()
    }

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-10)
    }

    #[test]
    fn cholesky_and_its_info() {
        let a = t(vec![4.0, 2.0, 2.0, 3.0], &[2, 2]);
        let (l, info) = cholesky_ex(&a, false).unwrap();
        assert!(close(&l.to_vec::<f64>().unwrap(), &[2.0, 0.0, 1.0, 2f64.sqrt()]));
        assert_eq!(info.to_vec::<i32>().unwrap(), vec![0]);
        let (u, _) = cholesky_ex(&a, true).unwrap();
        assert!(close(&u.to_vec::<f64>().unwrap(), &[2.0, 1.0, 0.0, 2f64.sqrt()]));
        let (_, info) = cholesky_ex(&t(vec![1.0, 2.0, 2.0, 1.0], &[2, 2]), false).unwrap();
        assert_eq!(info.to_vec::<i32>().unwrap(), vec![2]);
    }

    #[test]
    fn eigh_ascending_and_svd_descending() {
        let a = t(vec![2.0, 1.0, 1.0, 2.0], &[2, 2]);
        let (w, _) = eigh(&a, false, true).unwrap();
        assert!(close(&w.to_vec::<f64>().unwrap(), &[1.0, 3.0]));
        let (_, s, _) = svd(&t(vec![0.0, 2.0, 3.0, 0.0], &[2, 2]), false, true).unwrap();
        assert!(close(&s.to_vec::<f64>().unwrap(), &[3.0, 2.0]));
    }

    #[test]
    fn qr_reconstructs() {
        let a = t(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2]);
        let (q, r) = qr(&a, QrMode::Reduced).unwrap();
        assert_eq!((q.shape(), r.shape()), (&[3usize, 2][..], &[2usize, 2][..]));
        let back = crate::ops::linalg::matmul(&q, &r).unwrap().to_vec::<f64>().unwrap();
        assert!(close(&back, &a.to_vec::<f64>().unwrap()));
    }

    #[test]
    fn triangular_solve_and_lu() {
        let a = t(vec![2.0, 1.0, 0.0, 4.0], &[2, 2]);
        let x = solve_triangular(&a, &t(vec![4.0, 8.0], &[2, 1]), true, false).unwrap();
        assert!(close(&x.to_vec::<f64>().unwrap(), &[1.0, 2.0]));
        let (lu, piv, info) = lu_factor_ex(&t(vec![1.0, 2.0, 3.0, 4.0], &[2, 2])).unwrap();
        assert!(close(&lu.to_vec::<f64>().unwrap(), &[3.0, 4.0, 1.0 / 3.0, 2.0 - 4.0 / 3.0]));
        assert_eq!((piv.to_vec::<i32>().unwrap(), info.to_vec::<i32>().unwrap()), (vec![2, 2], vec![0]));
    }
}
