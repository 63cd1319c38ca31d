//! Reductions over all dims, one dim or a set of dims, with `keepdim`; scans and softmax live in
//! `reduce/scan.rs`, the vectorised contiguous loops in `reduce/fast.rs`.
//!
//! Every reduction is a [`Reducer`] (an accumulator with `init`, `fold` and an ordered
//! `combine`) run by one driver, [`reduce_into`], which picks the layout:
//! - one output (a full reduction): the reduced block is cut into fixed-size chunks, folded in
//!   parallel and the partials combined in chunk order, so results do not depend on the thread
//!   count;
//! - reduced dims innermost ("horizontal"): each output folds its own rows (slices when
//!   contiguous), outputs split over the threads;
//! - kept dims innermost ("vertical", e.g. `sum(dim=0)` of a matrix): a block of adjacent outputs
//!   accumulates whole input rows at a time, so memory is read sequentially rather than walked
//!   with a large stride.
//!
//! Float sums accumulate in f64 (exact for 10M float32 ones), integer sums and products in int64
//! like torch.

pub mod fast;
pub mod scan;

use crate::dtype::{bf16, f16, DType, Element};
use crate::error::{Error, Result};
use crate::iter::Plan;
use crate::parallel::{for_each_chunk, map_chunks, SyncPtr, GRAIN};
use crate::shape::{self, Dims};
use crate::tensor::Tensor;

// ------------------------------------------------------------------------------- dims and shapes

/// Resolve `dims` (None or empty = all dims) into a sorted, deduplicated list.
pub fn reduced_dims(ndim: usize, dims: Option<&[i64]>) -> Result<Dims> {
    match dims {
        None => Ok((0..ndim).collect()),
        Some(d) if d.is_empty() => Ok((0..ndim).collect()),
        Some(d) => {
            let mut v = shape::normalize_dims(d, ndim)?;
            // a 0-dim tensor accepts dim 0 / -1 and has nothing to reduce
            v.retain(|&mut x| x < ndim);
            v.sort_unstable();
            Ok(v)
        }
    }
}

/// The output shape of a reduction over `dims`.
pub fn reduced_shape(shape: &[usize], dims: &[usize], keepdim: bool) -> Dims {
    let mut out = Dims::new();
    for (d, &s) in shape.iter().enumerate() {
        if dims.contains(&d) {
            if keepdim {
                out.push(1);
            }
        } else {
            out.push(s);
        }
    }
    out
}

/// torch's error for reducing a zero-size dim with an op that has no identity (max, argmax...).
fn check_nonempty(name: &str, t: &Tensor, dims: &[usize]) -> Result<()> {
    for &d in dims {
        if t.shape()[d] == 0 {
            return Err(Error::index(format!("{name}(): Expected reduction dim {d} to have non-zero size.")));
        }
    }
    Ok(())
}

// ------------------------------------------------------------------------------- element traits

/// What the reduction kernels need of every element type: bounds for max/min and the
/// contiguous sums (overridden with the vectorised loops for f32/f64).
pub trait Num: Element + PartialOrd {
    const LOWEST: Self;
    const HIGHEST: Self;
    #[inline(always)]
    fn is_nan(self) -> bool {
        #[allow(clippy::eq_op)]
        let nan = self != self;
        nan
    }
    /// Sum of a contiguous run as f64.
    #[inline]
    fn fsum(xs: &[Self]) -> f64 {
        let mut acc = [0.0f64; 8];
        let mut it = xs.chunks_exact(8);
        for c in &mut it {
            for j in 0..8 {
                acc[j] += c[j].to_f64();
            }
        }
        acc.iter().sum::<f64>() + it.remainder().iter().map(|x| x.to_f64()).sum::<f64>()
    }
    /// `accs[j] += xs[j]` in f64 (vertical sums; overridden with SIMD for f32/f64).
    #[inline]
    fn fsum_across(accs: &mut [f64], xs: &[Self]) {
        for (a, x) in accs.iter_mut().zip(xs) {
            *a += x.to_f64();
        }
    }
    /// Wrapping int64 sum of a contiguous run.
    #[inline]
    fn isum(xs: &[Self]) -> i64 {
        xs.iter().fold(0i64, |a, x| a.wrapping_add(x.to_i64()))
    }
    /// The largest (`MAX`) or smallest element of a contiguous run, NaN if there is one
    /// (overridden with run-time-dispatched SIMD for f32/f64).
    #[inline]
    fn extreme_of<const MAX: bool>(xs: &[Self]) -> Self {
        lanes_extreme::<Self, MAX>(xs)
    }
}

macro_rules! num_int {
    ($($t:ty),*) => {$(
        impl Num for $t {
            const LOWEST: Self = <$t>::MIN;
            const HIGHEST: Self = <$t>::MAX;
        }
    )*};
}
num_int!(u8, i8, i16, i32, i64);

impl Num for bool {
    const LOWEST: Self = false;
    const HIGHEST: Self = true;
}
impl Num for f16 {
    const LOWEST: Self = f16::NEG_INFINITY;
    const HIGHEST: Self = f16::INFINITY;
}
impl Num for bf16 {
    const LOWEST: Self = bf16::NEG_INFINITY;
    const HIGHEST: Self = bf16::INFINITY;
}
impl Num for f32 {
    const LOWEST: Self = f32::NEG_INFINITY;
    const HIGHEST: Self = f32::INFINITY;
    #[inline]
    fn fsum(xs: &[Self]) -> f64 {
        fast::sum_f32(xs)
    }
    #[inline]
    fn fsum_across(accs: &mut [f64], xs: &[Self]) {
        fast::add_across_f32(accs, xs)
    }
    #[inline]
    fn extreme_of<const MAX: bool>(xs: &[Self]) -> Self {
        if MAX {
            fast::amax_f32(xs)
        } else {
            fast::amin_f32(xs)
        }
    }
}
impl Num for f64 {
    const LOWEST: Self = f64::NEG_INFINITY;
    const HIGHEST: Self = f64::INFINITY;
    #[inline]
    fn fsum(xs: &[Self]) -> f64 {
        fast::sum_f64(xs)
    }
    #[inline]
    fn fsum_across(accs: &mut [f64], xs: &[Self]) {
        fast::add_across_f64(accs, xs)
    }
    #[inline]
    fn extreme_of<const MAX: bool>(xs: &[Self]) -> Self {
        if MAX {
            fast::amax_f64(xs)
        } else {
            fast::amin_f64(xs)
        }
    }
}

// ------------------------------------------------------------------------------- the driver

/// An accumulation: `fold` takes each element with its row-major index inside the reduced block;
/// `combine(a, b)` merges the partials of two consecutive parts (a before b).
pub trait Reducer<S: Element>: Sync {
    type Acc: Copy + Send + Sync;
    fn init(&self) -> Self::Acc;
    fn fold(&self, acc: Self::Acc, x: S, i: usize) -> Self::Acc;
    /// Fold a contiguous run whose first element has index `i0` (overridden for SIMD loops).
    #[inline(always)]
    fn fold_slice(&self, mut acc: Self::Acc, xs: &[S], i0: usize) -> Self::Acc {
        for (k, &x) in xs.iter().enumerate() {
            acc = self.fold(acc, x, i0 + k);
        }
        acc
    }
    fn combine(&self, a: Self::Acc, b: Self::Acc) -> Self::Acc;
    /// Fold `xs[j]` into `accs[j]` for every `j`: one reduced position (index `i`) of a block of
    /// adjacent outputs, the vertical layout's inner loop (overridden for SIMD loops).
    #[inline(always)]
    fn fold_across(&self, accs: &mut [Self::Acc], xs: &[S], i: usize) {
        for (a, &x) in accs.iter_mut().zip(xs) {
            *a = self.fold(*a, x, i);
        }
    }
}

/// A reducer made of closures (most ops need nothing more).
pub struct Fold<A, F, C> {
    pub init: A,
    pub fold: F,
    pub combine: C,
}

impl<S: Element, A: Copy + Send + Sync, F: Fn(A, S, usize) -> A + Sync, C: Fn(A, A) -> A + Sync> Reducer<S> for Fold<A, F, C> {
    type Acc = A;
    #[inline(always)]
    fn init(&self) -> A {
        self.init
    }
    #[inline(always)]
    fn fold(&self, acc: A, x: S, i: usize) -> A {
        (self.fold)(acc, x, i)
    }
    #[inline(always)]
    fn combine(&self, a: A, b: A) -> A {
        (self.combine)(a, b)
    }
}

/// Float sum in f64, with the vectorised contiguous loop.
struct FSum;
impl<S: Num> Reducer<S> for FSum {
    type Acc = f64;
    fn init(&self) -> f64 {
        0.0
    }
    #[inline(always)]
    fn fold(&self, acc: f64, x: S, _: usize) -> f64 {
        acc + x.to_f64()
    }
    #[inline(always)]
    fn fold_slice(&self, acc: f64, xs: &[S], _: usize) -> f64 {
        acc + S::fsum(xs)
    }
    #[inline(always)]
    fn fold_across(&self, accs: &mut [f64], xs: &[S], _: usize) {
        S::fsum_across(accs, xs)
    }
    fn combine(&self, a: f64, b: f64) -> f64 {
        a + b
    }
}

/// Integer sum in wrapping int64.
struct ISum;
impl<S: Num> Reducer<S> for ISum {
    type Acc = i64;
    fn init(&self) -> i64 {
        0
    }
    #[inline(always)]
    fn fold(&self, acc: i64, x: S, _: usize) -> i64 {
        acc.wrapping_add(x.to_i64())
    }
    #[inline(always)]
    fn fold_slice(&self, acc: i64, xs: &[S], _: usize) -> i64 {
        acc.wrapping_add(S::isum(xs))
    }
    fn combine(&self, a: i64, b: i64) -> i64 {
        a.wrapping_add(b)
    }
}

/// Call `f(k, offsets)` for the flat elements `k0..k1` of `plan`, in row-major order.
pub(crate) fn for_each_elem_in<const N: usize>(plan: &Plan<N>, k0: usize, k1: usize, mut f: impl FnMut(usize, [usize; N])) {
    if k0 >= k1 {
        return;
    }
    let len = plan.row_len();
    let (r0, r1) = (k0 / len, k1.div_ceil(len));
    let mut row = r0;
    plan.for_each_row_in(r0, r1, |offs, n, strides| {
        let base = row * n;
        let (lo, hi) = (k0.saturating_sub(base), (k1 - base).min(n));
        for e in lo..hi {
            f(base + e, std::array::from_fn(|i| offs[i] + e * strides[i]));
        }
        row += 1;
    });
}

/// Most outputs accumulated together in the vertical layout: 8 KiB of f64 accumulators stay in
/// L1 while the input is read row after row. (Narrow blocks made each input row a separate short
/// strided read; at 256 a float32 `sum(0)` of 4096x1000 ran at a third of torch's speed.)
const VBLOCK: usize = 1024;

/// Elements below which a reduction runs on the calling thread: a vectorised sum reads ~16
/// floats per ns, so waking the pool (several us, far more on a busy machine) only pays off
/// above this. Chunk boundaries, and so results, do not depend on it.
const PAR_WORK: usize = 1 << 17;

/// `f` of every `grain`-sized chunk of `[0, n)` in order; in parallel when `work` is large.
fn ordered_chunks<T: Send>(n: usize, grain: usize, work: usize, f: impl Fn(std::ops::Range<usize>) -> T + Sync) -> Vec<T> {
    if work < PAR_WORK {
        crate::parallel::chunks(n, grain).map(f).collect()
    } else {
        map_chunks(n, grain, f)
    }
}

/// The grain for a whole-tensor reduction of `n` elements: at most `WHOLE_CHUNKS` chunks, none
/// under `GRAIN`. Long chunks keep each thread on one sequential stream the hardware prefetcher
/// follows (restarting it every 128 KiB cost ~10% of a 4M-element sum); the boundaries depend on
/// `n` alone, so results stay the same on any thread count.
fn whole_grain(n: usize) -> usize {
    const WHOLE_CHUNKS: usize = 16;
    n.div_ceil(WHOLE_CHUNKS).next_multiple_of(64).max(GRAIN)
}

/// The grain for splitting `items` units of `per_item` elements each over the threads (all in
/// one chunk when the total is small).
fn split_grain(items: usize, per_item: usize) -> usize {
    if items.saturating_mul(per_item) < PAR_WORK {
        items.max(1)
    } else {
        (GRAIN / per_item.max(1)).max(1)
    }
}

/// Fold a run of `n` elements at storage offset `off` with stride `s`, indices from `i0`.
#[inline(always)]
fn fold_run<S: Element, R: Reducer<S>>(r: &R, acc: R::Acc, p: *const S, off: usize, n: usize, s: usize, i0: usize) -> R::Acc {
    // SAFETY: callers pass runs inside the tensor's layout.
    unsafe {
        if s == 1 {
            r.fold_slice(acc, std::slice::from_raw_parts(p.add(off), n), i0)
        } else {
            let mut acc = acc;
            for k in 0..n {
                acc = r.fold(acc, *p.add(off + k * s), i0 + k);
            }
            acc
        }
    }
}

/// Reduce `t` (element type `S`) over the sorted `dims`, calling `emit(k, acc)` once for each
/// output position `k` (row-major over the kept dims). `emit` may run on several threads, each
/// `k` exactly once.
pub fn reduce_into<S: Element, R: Reducer<S>>(t: &Tensor, dims: &[usize], r: &R, emit: impl Fn(usize, R::Acc) + Sync) -> Result<()> {
    debug_assert_eq!(t.dtype(), S::DTYPE);
    let (shape, strides) = (t.shape(), t.strides());
    let kept: Dims = (0..shape.len()).filter(|d| !dims.contains(d)).collect();
    let oshape: Dims = kept.iter().map(|&d| shape[d]).collect();
    let ostrides: Dims = kept.iter().map(|&d| strides[d]).collect();
    let ishape: Dims = dims.iter().map(|&d| shape[d]).collect();
    let istrides: Dims = dims.iter().map(|&d| strides[d]).collect();
    let (n_out, count) = (oshape.iter().product::<usize>(), ishape.iter().product::<usize>());
    if n_out == 0 {
        return Ok(());
    }
    if count == 0 {
        (0..n_out).for_each(|k| emit(k, r.init()));
        return Ok(());
    }
    let g = t.storage().read()?;
    let p = SyncPtr(g.ptr() as *mut S);
    let inner = Plan::new(&ishape, [&istrides], [0]);
    let (ilen, irows, [istride]) = (inner.row_len(), inner.num_rows(), inner.row_strides());
    let fold_block = |base: usize| {
        let (mut acc, mut row) = (r.init(), 0);
        inner.for_each_row_in(0, irows, |[o], n, [s]| {
            acc = fold_run(r, acc, p.get(), base + o, n, s, row * n);
            row += 1;
        });
        acc
    };

    if n_out == 1 {
        let base = t.offset();
        let parts = if irows == 1 {
            ordered_chunks(ilen, whole_grain(ilen), count, |c| fold_run(r, r.init(), p.get(), base + c.start * istride, c.len(), istride, c.start))
        } else {
            ordered_chunks(irows, (GRAIN / ilen).max(1), count, |c| {
                let (mut acc, mut row) = (r.init(), c.start);
                inner.for_each_row_in(c.start, c.end, |[o], n, [s]| {
                    acc = fold_run(r, acc, p.get(), base + o, n, s, row * n);
                    row += 1;
                });
                acc
            })
        };
        emit(0, parts.into_iter().reduce(|a, b| r.combine(a, b)).expect("at least one chunk"));
        return Ok(());
    }

    let outer = Plan::new(&oshape, [&ostrides], [t.offset()]);
    let [ostride] = outer.row_strides();
    if ostride < istride {
        // vertical: blocks of up to VBLOCK adjacent outputs read each reduced position's run
        let olen = outer.row_len();
        // as wide as possible, but one block per thread at least (which block an output falls
        // in does not change its value, so this may depend on the thread count)
        let per_thread = olen.div_ceil(crate::parallel::num_threads()).next_multiple_of(16);
        let width = olen.min(VBLOCK).min(per_thread.max(64));
        let nblk = olen.div_ceil(width);
        let items = outer.num_rows() * nblk;
        for_each_chunk(items, split_grain(items, width * count), |range| {
            let mut accs = vec![r.init(); width];
            for item in range {
                let (orow, c0) = (item / nblk, (item % nblk) * width);
                let w = width.min(olen - c0);
                outer.for_each_row_in(orow, orow + 1, |[ob], _, _| {
                    let base = ob + c0 * ostride;
                    accs[..w].fill(r.init());
                    let mut row = 0;
                    inner.for_each_row_in(0, irows, |[o], n, [s]| {
                        for e in 0..n {
                            let (i, off) = (row * n + e, base + o + e * s);
                            // SAFETY: w outputs' elements of this reduced position, inside the layout.
                            unsafe {
                                if ostride == 1 {
                                    let xs = std::slice::from_raw_parts(p.get().add(off) as *const S, w);
                                    r.fold_across(&mut accs[..w], xs, i);
                                } else {
                                    for (j, a) in accs[..w].iter_mut().enumerate() {
                                        *a = r.fold(*a, *p.get().add(off + j * ostride), i);
                                    }
                                }
                            }
                        }
                        row += 1;
                    });
                    for (j, &a) in accs[..w].iter().enumerate() {
                        emit(orow * olen + c0 + j, a);
                    }
                });
            }
        });
    } else {
        for_each_chunk(n_out, split_grain(n_out, count), |range| {
            for_each_elem_in(&outer, range.start, range.end, |k, [base]| emit(k, fold_block(base)))
        });
    }
    Ok(())
}

/// Reduce into one new tensor of element type `D`, `fin` turning each accumulator into a value.
fn reduce1<S: Element, R: Reducer<S>, D: Element>(
    t: &Tensor,
    dims: &[usize],
    keepdim: bool,
    r: &R,
    fin: impl Fn(R::Acc) -> D + Sync,
) -> Result<Tensor> {
    let out = Tensor::empty_on(&reduced_shape(t.shape(), dims, keepdim), D::DTYPE, t.device())?;
    if out.is_meta() {
        return Ok(out);
    }
    {
        let og = out.storage().write()?;
        let op = SyncPtr(og.ptr() as *mut D);
        // SAFETY: k < numel of the fresh output, each written once.
        reduce_into(t, dims, r, |k, a| unsafe { *op.get().add(k) = fin(a) })?;
    }
    Ok(out)
}

/// Reduce into two new tensors (values and indices, min and max, var and mean...).
fn reduce2<S: Element, R: Reducer<S>, D1: Element, D2: Element>(
    t: &Tensor,
    dims: &[usize],
    keepdim: bool,
    r: &R,
    fin: impl Fn(R::Acc) -> (D1, D2) + Sync,
) -> Result<(Tensor, Tensor)> {
    let shape = reduced_shape(t.shape(), dims, keepdim);
    let (a, b) = (Tensor::empty_on(&shape, D1::DTYPE, t.device())?, Tensor::empty_on(&shape, D2::DTYPE, t.device())?);
    if t.is_meta() {
        return Ok((a, b));
    }
    {
        let (ag, bg) = (a.storage().write()?, b.storage().write()?);
        let (ap, bp) = (SyncPtr(ag.ptr() as *mut D1), SyncPtr(bg.ptr() as *mut D2));
        reduce_into(t, dims, r, |k, acc| {
            let (x, y) = fin(acc);
            // SAFETY: as in reduce1.
            unsafe {
                *ap.get().add(k) = x;
                *bp.get().add(k) = y;
            }
        })?;
    }
    Ok((a, b))
}

// ------------------------------------------------------------------------------- sums and means

/// The dtype `sum` returns by default: int64 for integers and bool, else the input dtype.
pub fn sum_dtype(d: DType) -> DType {
    if d.is_floating_point() {
        d
    } else {
        DType::Int64
    }
}

fn not_floating(msg: String) -> Error {
    Error::NotImplemented(msg)
}

/// `t` converted to `dtype` when one is given (torch casts the input before reducing).
fn cast_input(t: &Tensor, dtype: Option<DType>) -> Result<Tensor> {
    match dtype {
        Some(d) => t.to_dtype(d),
        None => Ok(t.clone()),
    }
}

/// `torch.sum(t, dims, keepdim, dtype=)`.
pub fn sum(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    let dims = reduced_dims(t.ndim(), dims)?;
    let t = cast_input(t, dtype)?;
    // with dtype= the input is cast first and the result keeps that dtype (int32 stays int32)
    let out = dtype.unwrap_or(sum_dtype(t.dtype()));
    crate::dispatch!(t.dtype(), S => {
        if out.is_floating_point() {
            reduce1::<S, _, S>(&t, &dims, keepdim, &FSum, S::from_f64)
        } else {
            reduce1::<S, _, i64>(&t, &dims, keepdim, &ISum, |a| a)?.to_dtype(out)
        }
    })
}

/// `torch.nansum`: NaNs count as zero.
pub fn nansum(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    let t = cast_input(t, dtype)?;
    if !t.dtype().is_floating_point() {
        return sum(&t, dims, keepdim, None);
    }
    let dims = reduced_dims(t.ndim(), dims)?;
    crate::dispatch!(t.dtype(), S => {
        let r = Fold { init: 0.0f64, fold: |a: f64, x: S, _| if x.is_nan() { a } else { a + x.to_f64() }, combine: |a, b| a + b };
        reduce1::<S, _, S>(&t, &dims, keepdim, &r, S::from_f64)
    })
}

fn count_of(t: &Tensor, dims: &[usize]) -> usize {
    dims.iter().map(|&d| t.shape()[d]).product()
}

/// `torch.mean`: floating inputs only, like torch.
pub fn mean(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    let out_dtype = dtype.unwrap_or(t.dtype());
    if !out_dtype.is_floating_point() {
        return Err(not_floating(format!(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {}",
            out_dtype.scalar_type_name()
        )));
    }
    let dims = reduced_dims(t.ndim(), dims)?;
    let t = t.to_dtype(out_dtype)?;
    let n = count_of(&t, &dims) as f64;
    crate::dispatch!(out_dtype, S => reduce1::<S, _, S>(&t, &dims, keepdim, &FSum, |a| S::from_f64(a / n)))
}

/// `torch.nanmean`: the mean of the non-NaN elements.
pub fn nanmean(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    let t = cast_input(t, dtype)?;
    if !t.dtype().is_floating_point() {
        return Err(not_floating(format!(
            "nanmean(): expected input to have floating point or complex dtype but got {}",
            t.dtype().scalar_type_name()
        )));
    }
    let dims = reduced_dims(t.ndim(), dims)?;
    crate::dispatch!(t.dtype(), S => {
        let r = Fold {
            init: (0.0f64, 0usize),
            fold: |(s, n): (f64, usize), x: S, _| if x.is_nan() { (s, n) } else { (s + x.to_f64(), n + 1) },
            combine: |a: (f64, usize), b: (f64, usize)| (a.0 + b.0, a.1 + b.1),
        };
        reduce1::<S, _, S>(&t, &dims, keepdim, &r, |(s, n)| S::from_f64(s / n as f64))
    })
}

/// `torch.prod(t, dim=None, keepdim, dtype=)`: integers and bool give int64.
pub fn prod(t: &Tensor, dim: Option<i64>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    let dims = match dim {
        Some(d) => reduced_dims(t.ndim(), Some(&[d]))?,
        None => reduced_dims(t.ndim(), None)?,
    };
    let t = cast_input(t, dtype)?;
    crate::dispatch!(t.dtype(), S => {
        if t.dtype().is_floating_point() {
            let r = Fold { init: 1.0f64, fold: |a: f64, x: S, _| a * x.to_f64(), combine: |a, b| a * b };
            reduce1::<S, _, S>(&t, &dims, keepdim, &r, S::from_f64)
        } else {
            let r = Fold { init: 1i64, fold: |a: i64, x: S, _| a.wrapping_mul(x.to_i64()), combine: |a: i64, b| a.wrapping_mul(b) };
            reduce1::<S, _, i64>(&t, &dims, keepdim, &r, |a| a)?.to_dtype(dtype.unwrap_or(DType::Int64))
        }
    })
}

// ------------------------------------------------------------------------------- max and min

/// Whether `x` replaces the running extreme `acc`: strictly better (ties keep the first), or NaN
/// (which then sticks, since nothing compares greater than NaN).
#[inline(always)]
fn better<S: Num, const MAX: bool>(x: S, acc: S) -> bool {
    (if MAX { x > acc } else { x < acc }) || x.is_nan()
}

/// `extreme` of a run with 32 independent lanes, so the compare-selects vectorise instead of
/// forming one serial chain (values are order-free: any NaN wins, ties are equal values).
#[inline(always)]
pub(crate) fn lanes_extreme<S: Num, const MAX: bool>(xs: &[S]) -> S {
    const L: usize = 32;
    let init = if MAX { S::LOWEST } else { S::HIGHEST };
    let pick = |x: S, a: S| if better::<S, MAX>(x, a) { x } else { a };
    let mut acc = [init; L];
    let mut it = xs.chunks_exact(L);
    for c in &mut it {
        for j in 0..L {
            acc[j] = pick(c[j], acc[j]);
        }
    }
    for (a, &x) in acc.iter_mut().zip(it.remainder()) {
        *a = pick(x, *a);
    }
    let mut w = L / 2;
    while w > 0 {
        for j in 0..w {
            acc[j] = pick(acc[j + w], acc[j]);
        }
        w /= 2;
    }
    acc[0]
}

/// amax / amin.
struct Extreme<const MAX: bool>;
impl<S: Num, const MAX: bool> Reducer<S> for Extreme<MAX> {
    type Acc = S;
    fn init(&self) -> S {
        if MAX {
            S::LOWEST
        } else {
            S::HIGHEST
        }
    }
    #[inline(always)]
    fn fold(&self, a: S, x: S, _: usize) -> S {
        if better::<S, MAX>(x, a) {
            x
        } else {
            a
        }
    }
    #[inline(always)]
    fn fold_slice(&self, a: S, xs: &[S], _: usize) -> S {
        self.combine(a, S::extreme_of::<MAX>(xs))
    }
    fn combine(&self, a: S, b: S) -> S {
        self.fold(a, b, 0)
    }
}

/// The extreme with its index (max(dim), argmax...): the first occurrence among ties, the first
/// NaN if any.
struct ArgExtreme<const MAX: bool>;
impl<S: Num, const MAX: bool> Reducer<S> for ArgExtreme<MAX> {
    type Acc = (S, usize);
    fn init(&self) -> (S, usize) {
        (if MAX { S::LOWEST } else { S::HIGHEST }, 0)
    }
    #[inline(always)]
    fn fold(&self, a: (S, usize), x: S, i: usize) -> (S, usize) {
        if !a.0.is_nan() && better::<S, MAX>(x, a.0) {
            (x, i)
        } else {
            a
        }
    }
    /// Two vectorised passes instead of one serial compare chain: the extreme value, then the
    /// first position holding it (or the first NaN).
    #[inline(always)]
    fn fold_slice(&self, a: (S, usize), xs: &[S], i0: usize) -> (S, usize) {
        if xs.is_empty() {
            return a;
        }
        let m = S::extreme_of::<MAX>(xs);
        let k = if m.is_nan() { xs.iter().position(|x| x.is_nan()) } else { xs.iter().position(|&x| x == m) };
        // the extreme is in the slice (a NaN, or a value equal to it), so `k` is found
        let k = k.unwrap_or(0);
        self.combine(a, (xs[k], i0 + k))
    }
    fn combine(&self, a: (S, usize), b: (S, usize)) -> (S, usize) {
        self.fold(a, b.0, b.1)
    }
}

/// `amax`/`amin` over `dims` (all when None or empty).
pub fn amax(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, max: bool) -> Result<Tensor> {
    let name = if max { "amax" } else { "amin" };
    if t.numel() == 0 && dims.is_none_or(|d| d.is_empty()) {
        return Err(Error::runtime(format!(
            "{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument."
        )));
    }
    let dims = reduced_dims(t.ndim(), dims)?;
    check_nonempty(name, t, &dims)?;
    crate::dispatch!(t.dtype(), S => if max {
        reduce1::<S, _, S>(t, &dims, keepdim, &Extreme::<true>, |a| a)
    } else {
        reduce1::<S, _, S>(t, &dims, keepdim, &Extreme::<false>, |a| a)
    })
}

/// `max()`/`min()` without dim: the extreme of all elements (NaN if any).
pub fn max_all(t: &Tensor, max: bool) -> Result<Tensor> {
    if t.numel() == 0 {
        return Err(Error::runtime(format!(
            "{}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.",
            if max { "max" } else { "min" }
        )));
    }
    amax(t, None, false, max)
}

/// `max(dim)`/`min(dim)`: (values, int64 indices).
pub fn max_dim(t: &Tensor, dim: i64, keepdim: bool, max: bool) -> Result<(Tensor, Tensor)> {
    let dims = reduced_dims(t.ndim(), Some(&[dim]))?;
    check_nonempty(if max { "max" } else { "min" }, t, &dims)?;
    crate::dispatch!(t.dtype(), S => if max {
        reduce2::<S, _, S, i64>(t, &dims, keepdim, &ArgExtreme::<true>, |(v, i)| (v, i as i64))
    } else {
        reduce2::<S, _, S, i64>(t, &dims, keepdim, &ArgExtreme::<false>, |(v, i)| (v, i as i64))
    })
}

/// `argmax`/`argmin`: over one dim, or the flattened tensor when `dim` is None.
pub fn argmax(t: &Tensor, dim: Option<i64>, keepdim: bool, max: bool) -> Result<Tensor> {
    let name = if max { "argmax" } else { "argmin" };
    if t.dtype() == DType::Bool {
        return Err(Error::NotImplemented(format!("{name}(): does not support bool input")));
    }
    if dim.is_none() && t.numel() == 0 {
        return Err(Error::index(format!("{name}(): Expected reduction dim to be specified for input.numel() == 0.")));
    }
    let dims = reduced_dims(t.ndim(), dim.as_ref().map(std::slice::from_ref))?;
    check_nonempty(name, t, &dims)?;
    // dim=None with keepdim keeps every dim as size 1, like torch
    crate::dispatch!(t.dtype(), S => if max {
        reduce1::<S, _, i64>(t, &dims, keepdim, &ArgExtreme::<true>, |(_, i)| i as i64)
    } else {
        reduce1::<S, _, i64>(t, &dims, keepdim, &ArgExtreme::<false>, |(_, i)| i as i64)
    })
}

/// `aminmax(dim=None, keepdim)`: (min, max).
pub fn aminmax(t: &Tensor, dim: Option<i64>, keepdim: bool) -> Result<(Tensor, Tensor)> {
    let dims = reduced_dims(t.ndim(), dim.as_ref().map(std::slice::from_ref))?;
    if count_of(t, &dims) == 0 || t.numel() == 0 && dim.is_none() {
        return Err(Error::runtime(
            "aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.",
        ));
    }
    crate::dispatch!(t.dtype(), S => {
        let pick = |(lo, hi): (S, S), x: S| (if better::<S, false>(x, lo) { x } else { lo }, if better::<S, true>(x, hi) { x } else { hi });
        let r = Fold { init: (S::HIGHEST, S::LOWEST), fold: move |a, x, _| pick(a, x), combine: move |a, b: (S, S)| pick(pick(a, b.0), b.1) };
        reduce2::<S, _, S, S>(t, &dims, keepdim, &r, |a| a)
    })
}

// ------------------------------------------------------------------------------- logical

/// `all`/`any` over `dims`: bool results (uint8 inputs give uint8, like torch).
pub fn all_any(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, all: bool) -> Result<Tensor> {
    let dims = reduced_dims(t.ndim(), dims)?;
    crate::dispatch!(t.dtype(), S => {
        let r = Fold {
            init: all,
            fold: move |a: bool, x: S, _| if all { a && x != S::zero() } else { a || x != S::zero() },
            combine: move |a: bool, b: bool| if all { a && b } else { a || b },
        };
        if t.dtype() == DType::UInt8 {
            reduce1::<S, _, u8>(t, &dims, keepdim, &r, |a| a as u8)
        } else {
            reduce1::<S, _, bool>(t, &dims, keepdim, &r, |a| a)
        }
    })
}

/// `count_nonzero(dim=None)`: int64.
pub fn count_nonzero(t: &Tensor, dims: Option<&[i64]>) -> Result<Tensor> {
    let dims = reduced_dims(t.ndim(), dims)?;
    crate::dispatch!(t.dtype(), S => {
        let r = Fold { init: 0i64, fold: |a: i64, x: S, _| a + (x != S::zero()) as i64, combine: |a, b| a + b };
        reduce1::<S, _, i64>(t, &dims, false, &r, |a| a)
    })
}

// ------------------------------------------------------------------------------- moments

/// Count, mean and sum of squared deviations, merged with Chan's formula (stable, ordered).
#[derive(Clone, Copy)]
struct Moments {
    n: f64,
    mean: f64,
    m2: f64,
}

impl Moments {
    const ZERO: Moments = Moments { n: 0.0, mean: 0.0, m2: 0.0 };

    #[inline(always)]
    fn merge(a: Moments, b: Moments) -> Moments {
        if b.n == 0.0 {
            return a;
        }
        if a.n == 0.0 {
            return b;
        }
        let n = a.n + b.n;
        let d = b.mean - a.mean;
        Moments { n, mean: a.mean + d * b.n / n, m2: a.m2 + b.m2 + d * d * a.n * b.n / n }
    }
}

struct MomentsR;
impl<S: Num> Reducer<S> for MomentsR {
    type Acc = Moments;
    fn init(&self) -> Moments {
        Moments::ZERO
    }
    #[inline(always)]
    fn fold(&self, a: Moments, x: S, _: usize) -> Moments {
        // Welford's update
        let (x, n) = (x.to_f64(), a.n + 1.0);
        let d = x - a.mean;
        let mean = a.mean + d / n;
        Moments { n, mean, m2: a.m2 + d * (x - mean) }
    }
    /// Two passes over a contiguous run (vectorised), merged into the running moments.
    fn fold_slice(&self, a: Moments, xs: &[S], _: usize) -> Moments {
        if xs.is_empty() {
            return a;
        }
        let n = xs.len() as f64;
        let mean = S::fsum(xs) / n;
        let mut acc = [0.0f64; 8];
        let mut it = xs.chunks_exact(8);
        for c in &mut it {
            for j in 0..8 {
                let d = c[j].to_f64() - mean;
                acc[j] += d * d;
            }
        }
        let m2 = acc.iter().sum::<f64>() + it.remainder().iter().map(|x| (x.to_f64() - mean).powi(2)).sum::<f64>();
        Moments::merge(a, Moments { n, mean, m2 })
    }
    fn combine(&self, a: Moments, b: Moments) -> Moments {
        Moments::merge(a, b)
    }
}

/// Which of variance, standard deviation and mean `var_std` returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moment {
    Var,
    Std,
}

/// `var`/`std` over `dims` with `correction` (the divisor is `max(0, N - correction)`, so too
/// few elements give nan or inf, like torch); with `with_mean` also the mean.
pub fn var_std(t: &Tensor, dims: Option<&[i64]>, correction: f64, keepdim: bool, which: Moment, with_mean: bool) -> Result<(Tensor, Option<Tensor>)> {
    if !t.dtype().is_floating_point() {
        return Err(not_floating("std and var only support floating point and complex dtypes".into()));
    }
    let dims = reduced_dims(t.ndim(), dims)?;
    crate::dispatch!(t.dtype(), S => {
        let fin = move |m: Moments| {
            let n = if m.n == 0.0 { f64::NAN } else { m.mean };
            let v = m.m2 / (m.n - correction).max(0.0);
            (S::from_f64(if which == Moment::Std { v.sqrt() } else { v }), S::from_f64(n))
        };
        if with_mean {
            let (v, m) = reduce2::<S, _, S, S>(t, &dims, keepdim, &MomentsR, fin)?;
            Ok((v, Some(m)))
        } else {
            Ok((reduce1::<S, _, S>(t, &dims, keepdim, &MomentsR, move |m| fin(m).0)?, None))
        }
    })
}

// ------------------------------------------------------------------------------- norms, logsumexp

/// `linalg.vector_norm(t, ord, dims, keepdim, dtype=)`: float inputs; `ord` any float, inf, -inf
/// or 0 (the count of non-zeros, NaN counting as non-zero). `dtype` may only widen the input's.
pub fn vector_norm(t: &Tensor, ord: f64, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    if !t.dtype().is_floating_point() {
        return Err(not_floating(format!(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got {}",
            t.dtype().scalar_type_name()
        )));
    }
    check_norm_dtype("linalg.vector_norm", t.dtype(), dtype)?;
    let t = cast_input(t, dtype)?;
    let dims = reduced_dims(t.ndim(), dims)?;
    // orders whose reduction has no identity (max/min of |x|, negative powers) need elements
    if ord < 0.0 || ord == f64::INFINITY {
        let name = if ord.is_infinite() { (if ord > 0.0 { "inf" } else { "-inf" }).to_string() } else { format!("{ord}") };
        if t.numel() == 0 && dims.len() == t.ndim() {
            return Err(Error::runtime(format!(
                "linalg.vector_norm cannot compute the {name} norm on an empty tensor because the operation does not have an identity"
            )));
        }
        if let Some(d) = dims.iter().find(|&&d| t.shape()[d] == 0) {
            return Err(Error::runtime(format!(
                "linalg.vector_norm cannot compute the {name} norm on the dimension {d}because this dimension is empty and the operation does not have an identity"
            )));
        }
    }
    fn run<S: Num>(t: &Tensor, dims: &[usize], keepdim: bool, init: f64, map: impl Fn(f64) -> f64 + Sync, comb: impl Fn(f64, f64) -> f64 + Sync + Copy, fin: impl Fn(f64) -> f64 + Sync) -> Result<Tensor> {
        let r = Fold { init, fold: |a: f64, x: S, _| comb(a, map(x.to_f64())), combine: comb };
        reduce1::<S, _, S>(t, dims, keepdim, &r, |a| S::from_f64(fin(a)))
    }
    let add = |a: f64, b: f64| a + b;
    // NaN-propagating max/min of |x|
    let max = |a: f64, b: f64| if b > a || b.is_nan() { b } else { a };
    let min = |a: f64, b: f64| if b < a || b.is_nan() { b } else { a };
    crate::dispatch!(t.dtype(), S => {
        if ord == 2.0 {
            run::<S>(&t, &dims, keepdim, 0.0, |x| x * x, add, f64::sqrt)
        } else if ord == 1.0 {
            run::<S>(&t, &dims, keepdim, 0.0, f64::abs, add, |a| a)
        } else if ord == 0.0 {
            run::<S>(&t, &dims, keepdim, 0.0, |x| (x != 0.0) as u8 as f64, add, |a| a)
        } else if ord == f64::INFINITY {
            run::<S>(&t, &dims, keepdim, 0.0, f64::abs, max, |a| a)
        } else if ord == f64::NEG_INFINITY {
            run::<S>(&t, &dims, keepdim, f64::INFINITY, f64::abs, min, |a| a)
        } else {
            run::<S>(&t, &dims, keepdim, 0.0, move |x| x.abs().powf(ord), add, move |a| a.powf(1.0 / ord))
        }
    })
}

/// torch's checks of a norm's `dtype=`: floating, and no narrower than the input's (`op` names
/// the norm in the error).
pub fn check_norm_dtype(op: &str, input: DType, dtype: Option<DType>) -> Result<()> {
    let Some(d) = dtype else { return Ok(()) };
    if !d.is_floating_point() {
        return Err(Error::runtime(format!("{op}: dtype should be floating point or complex, but got {}", d.scalar_type_name())));
    }
    if input.promote(d) != d {
        return Err(Error::runtime(format!(
            "{op}: the dtype of the input ({}) should be convertible without narrowing to the specified dtype ({})",
            input.scalar_type_name(),
            d.scalar_type_name()
        )));
    }
    Ok(())
}

/// `logsumexp(dims, keepdim)`: a running (max, sum of exp(x - max)), so one pass and no
/// overflow; integer inputs give the default float dtype.
pub fn logsumexp(t: &Tensor, dims: Option<&[i64]>, keepdim: bool) -> Result<Tensor> {
    let t = if t.dtype().is_floating_point() { t.clone() } else { t.to_dtype(super::default_float())? };
    let dims = reduced_dims(t.ndim(), dims)?;
    // merge (m, s) pairs; m = +-inf or NaN decide the result on their own (see `fin`)
    fn merge(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
        if a.0.is_nan() || b.0.is_nan() {
            return (f64::NAN, 0.0);
        }
        if b.0 == f64::NEG_INFINITY {
            return a;
        }
        if a.0 == f64::NEG_INFINITY {
            return b;
        }
        if a.0 >= b.0 {
            (a.0, a.1 + b.1 * (b.0 - a.0).exp())
        } else {
            (b.0, b.1 + a.1 * (a.0 - b.0).exp())
        }
    }
    crate::dispatch!(t.dtype(), S => {
        let r = Fold { init: (f64::NEG_INFINITY, 0.0), fold: |a, x: S, _| merge(a, (x.to_f64(), 1.0)), combine: merge };
        reduce1::<S, _, S>(&t, &dims, keepdim, &r, |(m, s)| S::from_f64(if m.is_infinite() || m.is_nan() { m } else { m + s.ln() }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::Scalar;

    fn t(v: Vec<f32>, shape: &[usize]) -> Tensor {
        Tensor::from_vec(v, shape).unwrap()
    }

    #[test]
    fn sum_dims_and_keepdim() {
        let t = t((0..24).map(|x| x as f32).collect(), &[2, 3, 4]);
        let s = sum(&t, Some(&[1]), false, None).unwrap();
        assert_eq!(s.shape(), &[2, 4]);
        assert_eq!(s.to_vec::<f32>().unwrap(), vec![12., 15., 18., 21., 48., 51., 54., 57.]);
        let s = sum(&t, Some(&[0, 2]), true, None).unwrap();
        assert_eq!(s.shape(), &[1, 3, 1]);
        assert_eq!(s.to_vec::<f32>().unwrap(), vec![60., 92., 124.]);
        let s = sum(&t.transpose(0, 2).unwrap(), None, false, None).unwrap();
        assert_eq!(s.to_vec::<f32>().unwrap(), vec![276.]);
        let s = sum(&t, Some(&[2]), false, None).unwrap();
        assert_eq!(s.to_vec::<f32>().unwrap(), vec![6., 22., 38., 54., 70., 86.]);
    }

    #[test]
    fn vertical_layout_matches_horizontal() {
        let v: Vec<f32> = (0..300 * 700).map(|x| ((x * 7919) % 1000) as f32 - 500.0).collect();
        let a = t(v, &[300, 700]);
        let s0 = sum(&a, Some(&[0]), false, None).unwrap().to_vec::<f32>().unwrap();
        let s0t = sum(&a.t().unwrap().contiguous().unwrap(), Some(&[1]), false, None).unwrap().to_vec::<f32>().unwrap();
        assert_eq!(s0, s0t);
        let (v0, i0) = max_dim(&a, 0, false, true).unwrap();
        let (v1, i1) = max_dim(&a.t().unwrap().contiguous().unwrap(), 1, false, true).unwrap();
        assert_eq!(v0.to_vec::<f32>().unwrap(), v1.to_vec::<f32>().unwrap());
        assert_eq!(i0.to_vec::<i64>().unwrap(), i1.to_vec::<i64>().unwrap());
    }

    #[test]
    fn sum_of_ten_million_ones_is_exact() {
        let t = Tensor::full(&[10_000_000], Scalar::Float(1.0), DType::Float32).unwrap();
        assert_eq!(sum(&t, None, false, None).unwrap().to_vec::<f32>().unwrap(), vec![1e7]);
    }

    #[test]
    fn deterministic_whatever_the_threads() {
        let v: Vec<f32> = (0..1_000_003).map(|x| ((x as f32) * 0.37).sin()).collect();
        let a = t(v, &[1_000_003]);
        crate::parallel::set_num_threads(1);
        let one = sum(&a, None, false, None).unwrap().to_vec::<f32>().unwrap();
        crate::parallel::set_num_threads(3);
        let three = sum(&a, None, false, None).unwrap().to_vec::<f32>().unwrap();
        crate::parallel::set_num_threads(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
        assert_eq!(one, three);
    }

    #[test]
    fn zero_dim_reduces_over_dim_zero() {
        let t = Tensor::scalar(Scalar::Float(2.0), DType::Float32).unwrap();
        let s = sum(&t, Some(&[0]), true, None).unwrap();
        assert_eq!(s.shape(), &[] as &[usize]);
        assert_eq!(s.to_vec::<f32>().unwrap(), vec![2.0]);
    }

    #[test]
    fn int_sum_is_int64() {
        let t = Tensor::from_vec(vec![true, true, false], &[3]).unwrap();
        let s = sum(&t, None, false, None).unwrap();
        assert_eq!(s.dtype(), DType::Int64);
        assert_eq!(s.to_vec::<i64>().unwrap(), vec![2]);
    }

    #[test]
    fn argmax_first_tie_and_nan() {
        let a = t(vec![1., 3., 3., f32::NAN, 3., f32::NAN], &[6]);
        assert_eq!(argmax(&a, None, false, true).unwrap().to_vec::<i64>().unwrap(), vec![3]);
        let b = t(vec![1., 3., 0., 3., 0.], &[5]);
        assert_eq!(argmax(&b, None, false, true).unwrap().to_vec::<i64>().unwrap(), vec![1]);
        assert_eq!(argmax(&b, None, false, false).unwrap().to_vec::<i64>().unwrap(), vec![2]);
        assert!(max_all(&a, true).unwrap().to_vec::<f32>().unwrap()[0].is_nan());
    }

    #[test]
    fn moments() {
        let a = t(vec![1., 2., 3., 4.], &[4]);
        let (v, m) = var_std(&a, None, 1.0, false, Moment::Var, true).unwrap();
        assert!((v.to_vec::<f32>().unwrap()[0] - 5.0 / 3.0).abs() < 1e-6);
        assert_eq!(m.unwrap().to_vec::<f32>().unwrap(), vec![2.5]);
    }
}
