//! The one reduction driver: a [`Reducer`] (an accumulator with `init`, `fold` and an ordered
//! `combine`) run over the reduced dims of a tensor by [`reduce_into`], which picks the layout
//! (whole tensor, horizontal or vertical; see the module doc of `reduce.rs`), and the
//! `reduce1`/`reduce2` helpers that allocate the outputs of one or two values per position.

use super::reduced_shape;
use crate::dtype::Element;
use crate::error::Result;
use crate::iter::Plan;
use crate::parallel::{for_each_chunk, map_chunks, SyncPtr, GRAIN};
use crate::shape::Dims;
use crate::tensor::Tensor;

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
pub(super) fn reduce1<S: Element, R: Reducer<S>, D: Element>(
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
pub(super) fn reduce2<S: Element, R: Reducer<S>, D1: Element, D2: Element>(
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
