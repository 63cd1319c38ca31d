//! Lock-step iteration over several strided operands of one shape.
//!
//! Kernels see rows: a run of `len` elements with one stride per operand. Dimensions are merged
//! first wherever every operand is contiguous across them, so a contiguous tensor is one row and
//! a transposed or broadcast one is as few rows as its strides allow. Kernels take a fast path
//! when the row strides are 1 (slices) and a strided loop otherwise.

use crate::shape::Dims;

/// The merged shape and per-operand strides of `N` operands iterated together.
#[derive(Clone, Debug)]
pub struct Plan<const N: usize> {
    shape: Dims,
    strides: [Dims; N],
    offsets: [usize; N],
}

impl<const N: usize> Plan<N> {
    /// `shape` is the common (already broadcast) shape; `strides[k]` and `offsets[k]` are
    /// operand k's strides (0 on broadcast dims) and storage offset, in elements.
    pub fn new(shape: &[usize], strides: [&[usize]; N], offsets: [usize; N]) -> Self {
        let mut out_shape = Dims::new();
        let mut out_strides: [Dims; N] = std::array::from_fn(|_| Dims::new());
        for d in 0..shape.len() {
            if shape[d] == 1 {
                continue; // a size-1 dim contributes nothing to any offset
            }
            let last = out_shape.len();
            // merge with the previous kept dim when every operand is contiguous across the two
            let mergeable = last > 0
                && (0..N).all(|k| out_strides[k][last - 1] == strides[k][d] * shape[d]);
            if mergeable {
                out_shape[last - 1] *= shape[d];
                for k in 0..N {
                    out_strides[k][last - 1] = strides[k][d];
                }
            } else {
                out_shape.push(shape[d]);
                for k in 0..N {
                    out_strides[k].push(strides[k][d]);
                }
            }
        }
        if shape.contains(&0) {
            out_shape = Dims::from_slice(&[0]);
            out_strides = std::array::from_fn(|_| Dims::from_slice(&[1]));
        } else if out_shape.is_empty() {
            out_shape.push(1);
            for s in out_strides.iter_mut() {
                s.push(1);
            }
        }
        Plan { shape: out_shape, strides: out_strides, offsets }
    }

    /// `Plan::new` with the dims visited in operand 0's memory order (outermost = largest stride
    /// first; a stable sort, so a contiguous operand 0 keeps the logical order): for an output
    /// laid out in its inputs' memory order (`Tensor::empty_for`), which then runs in contiguous
    /// rows when its inputs share that order. Only for elementwise loops, where the visiting
    /// order does not matter.
    pub fn in_memory_order_of_first(shape: &[usize], strides: [&[usize]; N], offsets: [usize; N]) -> Self {
        let mut perm: smallvec::SmallVec<[usize; 6]> = (0..shape.len()).collect();
        perm.sort_by(|&x, &y| strides[0][y].cmp(&strides[0][x]));
        let shape_p: Dims = perm.iter().map(|&d| shape[d]).collect();
        let strides_p: [Dims; N] = std::array::from_fn(|k| perm.iter().map(|&d| strides[k][d]).collect());
        let refs: [&[usize]; N] = std::array::from_fn(|k| strides_p[k].as_slice());
        Plan::new(&shape_p, refs, offsets)
    }

    pub(crate) fn numel(&self) -> usize {
        self.shape.iter().product()
    }

    /// The merged shape (size-1 dims dropped, contiguous runs fused).
    pub(crate) fn dims(&self) -> &[usize] {
        &self.shape
    }

    /// Operand `k`'s strides over the merged shape.
    pub(crate) fn strides_of(&self, k: usize) -> &[usize] {
        &self.strides[k]
    }

    /// Operand `k`'s storage offset.
    pub(crate) fn offset_of(&self, k: usize) -> usize {
        self.offsets[k]
    }

    /// Length of each row (the innermost merged dim).
    pub(crate) fn row_len(&self) -> usize {
        *self.shape.last().unwrap()
    }

    pub(crate) fn row_strides(&self) -> [usize; N] {
        std::array::from_fn(|k| *self.strides[k].last().unwrap())
    }

    pub(crate) fn num_rows(&self) -> usize {
        let len = self.row_len();
        if len == 0 {
            0
        } else {
            self.numel() / len
        }
    }

    /// Call `f(offsets, len, strides)` for rows `start..end` in row-major order, where `offsets`
    /// are each operand's storage offsets of the row's first element.
    pub(crate) fn for_each_row_in(&self, start: usize, end: usize, mut f: impl FnMut([usize; N], usize, [usize; N])) {
        if start >= end {
            return;
        }
        let outer = self.shape.len() - 1;
        let len = self.row_len();
        let rs = self.row_strides();
        // decompose `start` into an outer index, then advance with carries
        let mut idx: Dims = Dims::from_elem(0, outer);
        let mut rem = start;
        for d in (0..outer).rev() {
            idx[d] = rem % self.shape[d];
            rem /= self.shape[d];
        }
        let mut offs: [usize; N] = std::array::from_fn(|k| {
            self.offsets[k] + (0..outer).map(|d| idx[d] * self.strides[k][d]).sum::<usize>()
        });
        for _ in start..end {
            f(offs, len, rs);
            // increment the outer index
            let mut d = outer;
            while d > 0 {
                d -= 1;
                idx[d] += 1;
                for k in 0..N {
                    offs[k] += self.strides[k][d];
                }
                if idx[d] < self.shape[d] {
                    break;
                }
                for k in 0..N {
                    offs[k] -= self.strides[k][d] * self.shape[d];
                }
                idx[d] = 0;
            }
        }
    }

    pub fn for_each_row(&self, f: impl FnMut([usize; N], usize, [usize; N])) {
        self.for_each_row_in(0, self.num_rows(), f)
    }

    /// `for_each_row`, split over the intra-op threads when there are more than `grain` elements:
    /// whole rows per chunk, or pieces of one long row. `f` must only write what its row owns.
    pub(crate) fn par_for_each_row(&self, grain: usize, f: impl Fn([usize; N], usize, [usize; N]) + Sync) {
        let (rows, len) = (self.num_rows(), self.row_len());
        if rows == 0 {
            return;
        }
        if rows * len <= grain {
            return self.for_each_row(f);
        }
        if rows == 1 {
            let (offs, rs) = (self.offsets, self.row_strides());
            crate::parallel::for_each_chunk(len, grain, |r| {
                f(std::array::from_fn(|k| offs[k] + r.start * rs[k]), r.len(), rs)
            });
        } else {
            let rows_per_chunk = grain.div_ceil(len).max(1);
            crate::parallel::for_each_chunk(rows, rows_per_chunk, |r| self.for_each_row_in(r.start, r.end, &f));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contiguous_is_one_row() {
        let p = Plan::new(&[2, 3, 4], [&[12, 4, 1], &[12, 4, 1]], [0, 5]);
        assert_eq!(p.num_rows(), 1);
        assert_eq!(p.row_len(), 24);
        let mut rows = vec![];
        p.for_each_row(|o, l, s| rows.push((o, l, s)));
        assert_eq!(rows, vec![([0, 5], 24, [1, 1])]);
    }

    #[test]
    fn transposed_rows() {
        // out contiguous (3,2), input is a transpose of a (2,3)
        let p = Plan::new(&[3, 2], [&[2, 1], &[1, 3]], [0, 0]);
        let mut offs = vec![];
        p.for_each_row(|o, l, s| {
            for i in 0..l {
                offs.push((o[0] + i * s[0], o[1] + i * s[1]));
            }
        });
        assert_eq!(offs, vec![(0, 0), (1, 3), (2, 1), (3, 4), (4, 2), (5, 5)]);
    }

    #[test]
    fn broadcast_and_partial_range() {
        let p = Plan::new(&[2, 1, 3], [&[3, 3, 1], &[0, 0, 1]], [0, 0]);
        assert_eq!(p.num_rows(), 2);
        let mut rows = vec![];
        p.for_each_row_in(1, 2, |o, l, _| rows.push((o, l)));
        assert_eq!(rows, vec![([3, 0], 3)]);
    }

    #[test]
    fn empty_and_scalar() {
        let p = Plan::new(&[2, 0], [&[0, 1]], [0]);
        assert_eq!(p.num_rows(), 0);
        let p = Plan::new(&[], [&[]], [7]);
        let mut rows = vec![];
        p.for_each_row(|o, l, _| rows.push((o, l)));
        assert_eq!(rows, vec![([7], 1)]);
    }
}

#[cfg(test)]
mod memory_order_tests {
    use super::*;

    #[test]
    fn a_transposed_output_and_input_run_as_one_contiguous_row() {
        // (4, 3) tensors with strides (1, 4): one dim of 12 after reordering and merging
        let p = Plan::in_memory_order_of_first(&[4, 3], [&[1, 4], &[1, 4]], [0, 0]);
        assert_eq!(p.dims(), &[12]);
        let q = Plan::new(&[4, 3], [&[1, 4], &[1, 4]], [0, 0]);
        assert_eq!(q.dims(), &[4, 3]);
    }
}
