//! Batched strided matrix products: `out[i] = alpha * a[i] @ b[i] (+ out[i])` for every batch
//! index `i`, whatever the operands' strides (transposed, sliced or broadcast operands are read
//! in place, never copied).
//!
//! float32/float64 go through faer's GEMM (AVX-512/AVX2 kernels picked at run time);
//! bfloat16 runs on `vdpbf16ps` where the CPU has AVX512_BF16 ([`gemm_bf16`]), float16 (and
//! bfloat16 elsewhere) converts to float32 and back, both accumulating in float32 and rounding
//! once like torch's CPU kernels; integers use a row-panel
//! loop with wrapping arithmetic (torch supports integer matmul on CPU).

use std::ops::Range;

use faer::{Accum, MatMut, MatRef, Par};

use super::gemm_bf16;

use crate::dtype::{DType, Element};
use crate::error::Result;
use crate::iter::Plan;
use crate::ops::binary::Arith;
use crate::parallel::{self, SyncPtr};
use crate::scalar::Scalar;
use crate::storage::ReadGuard;
use crate::tensor::Tensor;

/// Products smaller than this (m*n*k multiply-adds) run on the calling thread: 128^3 takes
/// ~40 us on one core here, while waking a pool thread costs ~20 us on this kind of VM
/// (../shared/PERF.md), so below it a second thread cannot pay for itself.
const PAR_MNK: usize = 128 * 128 * 128;

/// The matrices of one operand: a (rows x cols) matrix at each offset in `offs`.
struct Mats {
    offs: Vec<usize>,
    rows: usize,
    cols: usize,
    rs: isize,
    cs: isize,
}

impl Mats {
    /// `t` has shape `batch + [rows, cols]` (any strides, 0 on broadcast batch dims).
    fn of(t: &Tensor) -> Mats {
        let nd = t.ndim();
        let nb = nd - 2;
        let mut offs = Vec::with_capacity(t.shape()[..nb].iter().product());
        Plan::new(&t.shape()[..nb], [&t.strides()[..nb]], [t.offset()]).for_each_row(|[o], len, [s]| {
            offs.extend((0..len).map(|i| o + i * s));
        });
        Mats { offs, rows: t.shape()[nd - 2], cols: t.shape()[nd - 1], rs: t.strides()[nd - 2] as isize, cs: t.strides()[nd - 1] as isize }
    }
}

/// Read guards for two operands, taking one guard when they share a storage (a @ a): a second
/// read lock on the same RwLock could deadlock behind a waiting writer.
fn read_pair<'a>(a: &'a Tensor, b: &'a Tensor) -> Result<(ReadGuard<'a>, Option<ReadGuard<'a>>)> {
    let ga = a.storage().read()?;
    let gb = if a.shares_storage(b) { None } else { Some(b.storage().read()?) };
    Ok((ga, gb))
}

/// `out = alpha * a @ b`, or `out += alpha * a @ b` when `accumulate`. Shapes: out
/// `batch + [m, n]`, a `batch + [m, k]`, b `batch + [k, n]` (the caller has checked and
/// broadcast them), one dtype. `out` must not overlap `a` or `b`.
pub(crate) fn gemm_into(out: &Tensor, a: &Tensor, b: &Tensor, alpha: Scalar, accumulate: bool) -> Result<()> {
    match out.dtype() {
        DType::Float32 => faer_gemm::<f32>(out, a, b, alpha.to_f64() as f32, accumulate),
        DType::Float64 => faer_gemm::<f64>(out, a, b, alpha.to_f64(), accumulate),
        DType::BFloat16 if gemm_bf16::available() => bf16_gemm(out, a, b, alpha.to_f64() as f32, accumulate),
        DType::Float16 | DType::BFloat16 => {
            // compute in float32 and round once, like torch's CPU half GEMM
            let (a32, b32) = (a.copy_as(DType::Float32)?, b.copy_as(DType::Float32)?);
            let o32 = if accumulate { out.copy_as(DType::Float32)? } else { Tensor::empty(out.shape(), DType::Float32)? };
            faer_gemm::<f32>(&o32, &a32, &b32, alpha.to_f64() as f32, accumulate)?;
            out.copy_(&o32)
        }
        DType::Int64 => int_gemm::<i64>(out, a, b, alpha.to::<i64>(), accumulate),
        DType::Int32 => int_gemm::<i32>(out, a, b, alpha.to::<i32>(), accumulate),
        DType::Int16 => int_gemm::<i16>(out, a, b, alpha.to::<i16>(), accumulate),
        DType::Int8 => int_gemm::<i8>(out, a, b, alpha.to::<i8>(), accumulate),
        DType::UInt8 => int_gemm::<u8>(out, a, b, alpha.to::<u8>(), accumulate),
        DType::Bool => Err(crate::Error::unsupported("addmm_impl_cpu_", DType::Bool)),
    }
}

/// Fill `out`'s matrices with zero (a product over an empty inner dimension).
fn zero_fill<T: Element>(op: *mut T, om: &Mats) {
    for &o in &om.offs {
        for i in 0..om.rows {
            for j in 0..om.cols {
                // SAFETY: inside out's layout.
                unsafe { *op.offset(o as isize + i as isize * om.rs + j as isize * om.cs) = T::zero() };
            }
        }
    }
}

fn faer_gemm<T: faer::traits::ComplexField + Element>(out: &Tensor, a: &Tensor, b: &Tensor, alpha: T, accumulate: bool) -> Result<()> {
    let (om, am, bm) = (Mats::of(out), Mats::of(a), Mats::of(b));
    let (m, n, k) = (om.rows, om.cols, am.cols);
    let batch = om.offs.len();
    if m == 0 || n == 0 || batch == 0 {
        return Ok(());
    }
    let (ga, gb) = read_pair(a, b)?;
    let og = out.storage().write()?;
    let op = SyncPtr(og.ptr() as *mut T);
    let ap = SyncPtr(ga.ptr() as *mut T);
    let bp = SyncPtr(gb.as_ref().unwrap_or(&ga).ptr() as *mut T);
    if k == 0 {
        if !accumulate {
            zero_fill(op.get(), &om);
        }
        return Ok(());
    }
    let beta = if accumulate { Accum::Add } else { Accum::Replace };
    // the product of rows `r` x columns `c` of matrix i, on the calling thread
    let block = |i: usize, r: Range<usize>, c: Range<usize>| {
        // SAFETY: every view lies inside its tensor's layout; distinct blocks of out do not
        // overlap each other (out is fresh or checked) nor the inputs.
        unsafe {
            let (o, a, b) = (om.offs[i] as isize, am.offs[i] as isize, bm.offs[i] as isize);
            let (r0, c0) = (r.start as isize, c.start as isize);
            let dst = MatMut::<T>::from_raw_parts_mut(op.get().offset(o + r0 * om.rs + c0 * om.cs), r.len(), c.len(), om.rs, om.cs);
            let lhs = MatRef::<T>::from_raw_parts(ap.get().offset(a + r0 * am.rs), r.len(), k, am.rs, am.cs);
            let rhs = MatRef::<T>::from_raw_parts(bp.get().offset(b + c0 * bm.cs), k, c.len(), bm.rs, bm.cs);
            faer::linalg::matmul::matmul(dst, beta, lhs, rhs, alpha, Par::Seq);
        }
    };
    over_blocks(m, n, k, batch, block);
    Ok(())
}

/// Run `block(i, rows, cols)` over every matrix `i < batch` of an `m x n x k` product: on the
/// calling thread when small, whole matrices per thread when there are many small ones, else
/// one block of rows (or columns, whichever is longer) per thread. The calling thread computes
/// a block itself, so only the helpers are woken (faer's own rayon split parks the caller and
/// wakes every worker).
fn over_blocks(m: usize, n: usize, k: usize, batch: usize, block: impl Fn(usize, Range<usize>, Range<usize>) + Sync) {
    let mnk = m * n * k;
    let threads = if mnk * batch < PAR_MNK { 1 } else { parallel::num_threads() };
    if threads == 1 {
        (0..batch).for_each(|i| block(i, 0..m, 0..n));
    } else if mnk < PAR_MNK {
        parallel::for_each_chunk(batch, PAR_MNK.div_ceil(mnk), |r| r.for_each(|i| block(i, 0..m, 0..n)));
    } else {
        let (len, split_rows) = if m >= n { (m, true) } else { (n, false) };
        let grain = len.div_ceil(threads).next_multiple_of(16);
        for i in 0..batch {
            parallel::for_each_chunk(len, grain, |r| if split_rows { block(i, r, 0..n) } else { block(i, 0..m, r) });
        }
    }
}

/// bfloat16 on [`gemm_bf16`] (the caller has checked [`gemm_bf16::available`]).
fn bf16_gemm(out: &Tensor, a: &Tensor, b: &Tensor, alpha: f32, accumulate: bool) -> Result<()> {
    let (om, am, bm) = (Mats::of(out), Mats::of(a), Mats::of(b));
    let (m, n, k) = (om.rows, om.cols, am.cols);
    let batch = om.offs.len();
    if m == 0 || n == 0 || batch == 0 {
        return Ok(());
    }
    let (ga, gb) = read_pair(a, b)?;
    let og = out.storage().write()?;
    let op = SyncPtr(og.ptr() as *mut u16);
    let ap = SyncPtr(ga.ptr() as *mut u16);
    let bp = SyncPtr(gb.as_ref().unwrap_or(&ga).ptr() as *mut u16);
    let block = |i: usize, r: Range<usize>, c: Range<usize>| {
        // SAFETY: as in faer_gemm; the CPU has AVX512_BF16 (checked by the caller).
        unsafe {
            let (o, a, b) = (om.offs[i] as isize, am.offs[i] as isize, bm.offs[i] as isize);
            let (r0, c0) = (r.start as isize, c.start as isize);
            let av = gemm_bf16::View { ptr: ap.get().offset(a + r0 * am.rs), rs: am.rs, cs: am.cs };
            let bv = gemm_bf16::View { ptr: bp.get().offset(b + c0 * bm.cs), rs: bm.rs, cs: bm.cs };
            let dst = op.get().offset(o + r0 * om.rs + c0 * om.cs);
            gemm_bf16::gemm(dst, om.rs, om.cs, av, bv, (r.len(), c.len(), k), alpha, accumulate);
        }
    };
    over_blocks(m, n, k, batch, block);
    Ok(())
}

/// Integer GEMM: each output row accumulates `a[i, p] * b[p, :]` over p (the inner loop runs
/// along b's rows, contiguous in the common layouts), wrapping on overflow like torch.
fn int_gemm<T: Arith>(out: &Tensor, a: &Tensor, b: &Tensor, alpha: T, accumulate: bool) -> Result<()> {
    let (om, am, bm) = (Mats::of(out), Mats::of(a), Mats::of(b));
    let (m, n, k) = (om.rows, om.cols, am.cols);
    let rows = om.offs.len() * m;
    if rows == 0 || n == 0 {
        return Ok(());
    }
    let (ga, gb) = read_pair(a, b)?;
    let og = out.storage().write()?;
    let op = SyncPtr(og.ptr() as *mut T);
    let ap = SyncPtr(ga.ptr() as *mut T);
    let bp = SyncPtr(gb.as_ref().unwrap_or(&ga).ptr() as *mut T);
    let grain = (parallel::GRAIN / (n * k.max(1)).max(1)).max(1);
    parallel::for_each_chunk(rows, grain, |r| {
        let mut acc = vec![T::zero(); n];
        for row in r {
            let (bi, i) = (row / m, row % m);
            acc.iter_mut().for_each(|x| *x = T::zero());
            // SAFETY: offsets inside each operand's layout; this chunk owns its output rows.
            unsafe {
                let arow = (ap.get() as *const T).offset(am.offs[bi] as isize + i as isize * am.rs);
                let bmat = (bp.get() as *const T).offset(bm.offs[bi] as isize);
                for p in 0..k {
                    let av = *arow.offset(p as isize * am.cs);
                    let brow = bmat.offset(p as isize * bm.rs);
                    for (j, x) in acc.iter_mut().enumerate() {
                        *x = x.add(av.mul(*brow.offset(j as isize * bm.cs)));
                    }
                }
                let orow = op.get().offset(om.offs[bi] as isize + i as isize * om.rs);
                for (j, &x) in acc.iter().enumerate() {
                    let o = orow.offset(j as isize * om.cs);
                    *o = if accumulate { (*o).add(alpha.mul(x)) } else { alpha.mul(x) };
                }
            }
        }
    });
    Ok(())
}
