//! A tensor's geometry: shape, strides (in elements) and storage offset.
//!
//! Every view op (view, permute, expand, narrow, ...) is a pure function from one `Layout` to
//! another: no storage is touched, so views share their buffer. Argument checks and their
//! messages follow PyTorch, so the bindings can surface them unchanged.
//!
//! This file holds the type, its constructors and the queries of its geometry (contiguity,
//! overlap, extent, collapsed dims); the view ops are in `layout/views.rs`.

mod views;

use crate::error::{Error, Result};
use crate::shape::{self, contiguous_strides, normalize_dim, Dims};
use smallvec::{smallvec, SmallVec};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    shape: Dims,
    strides: Dims,
    offset: usize,
}

const VIEW_ERROR: &str = "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.";

impl Layout {
    /// Builds a layout as given, without checks (callers validate against their storage).
    pub fn new(shape: Dims, strides: Dims, offset: usize) -> Self {
        debug_assert_eq!(shape.len(), strides.len());
        Self {
            shape,
            strides,
            offset,
        }
    }

    pub fn contiguous(shape: &[usize]) -> Self {
        Self::contiguous_with_offset(shape, 0)
    }

    pub fn contiguous_with_offset(shape: &[usize], offset: usize) -> Self {
        Self {
            shape: shape.into(),
            strides: contiguous_strides(shape),
            offset,
        }
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    pub fn strides(&self) -> &[usize] {
        &self.strides
    }

    pub fn offset(&self) -> usize {
        self.offset
    }

    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    pub fn numel(&self) -> usize {
        shape::numel(&self.shape)
    }

    /// Wraps `dim` for ops that need an actual dimension (torch's `size(dim)`), which a
    /// 0-dim tensor lacks.
    fn existing_dim(&self, dim: i64) -> Result<usize> {
        if self.ndim() == 0 {
            return Err(Error::index(format!(
                "Dimension specified as {dim} but tensor has no dimensions"
            )));
        }
        normalize_dim(dim, self.ndim())
    }

    /// `Tensor.size(dim)`.
    pub fn size(&self, dim: i64) -> Result<usize> {
        Ok(self.shape[self.existing_dim(dim)?])
    }

    /// `Tensor.stride(dim)`.
    pub fn stride(&self, dim: i64) -> Result<usize> {
        Ok(self.strides[self.existing_dim(dim)?])
    }

    /// The dims in memory order, innermost first: TensorIterator's `reorder_dimensions` for one
    /// operand (a stable insertion sort by stride, where a zero stride compares as ambiguous and
    /// stays put, and of two equal strides the larger dim goes outside). `preserve_format`
    /// copies and the random fills' visiting order (crate::random) both come from it.
    pub(crate) fn memory_order(&self) -> SmallVec<[usize; 6]> {
        iteration_order(&self.shape, &[self.strides.as_slice()])
    }

    /// The strides torch's `preserve_format` gives a copy of this layout: its own when it is
    /// dense and non-overlapping (a transpose or permutation of a contiguous tensor), else
    /// dense strides in the order of its own (torch's `infer_dense_strides`: a stable insertion
    /// sort of the dims by stride, where a zero stride compares as ambiguous and stays put).
    pub fn preserved_strides(&self) -> Dims {
        let nd = self.ndim();
        if self.is_non_overlapping_and_dense() {
            return self.strides.clone();
        }
        let shape = &self.shape;
        let perm = self.memory_order();
        let mut out: Dims = smallvec![0; nd];
        let mut cur = 1;
        for &d in &perm {
            out[d] = cur;
            if shape[d] > 1 {
                cur *= shape[d];
            }
        }
        out
    }

    /// Whether the elements fill a block of memory exactly once, in any dim order (size-1
    /// dims' strides do not matter). torch's `is_non_overlapping_and_dense`.
    pub fn is_non_overlapping_and_dense(&self) -> bool {
        let mut dims: SmallVec<[usize; 6]> = (0..self.ndim()).filter(|&d| self.shape[d] != 1).collect();
        dims.sort_by_key(|&d| self.strides[d]);
        let mut expected = 1;
        for &d in &dims {
            if self.strides[d] != expected {
                return false;
            }
            expected *= self.shape[d];
        }
        true
    }

    /// `has_internal_overlap` can tell cheaply: a dim of size > 1 with stride 0 (an expanded
    /// view) in a tensor that has elements. Other self-overlapping layouts (from `as_strided`)
    /// are "too hard" for torch and are let through there too.
    pub fn has_internal_overlap(&self) -> bool {
        self.numel() > 0 && self.shape.iter().zip(&self.strides).any(|(&n, &s)| n > 1 && s == 0)
    }

    /// Torch's definition: row-major order with no gaps, where size-1 dims may have any stride
    /// and an empty tensor is always contiguous.
    pub fn is_contiguous(&self) -> bool {
        if self.numel() == 0 {
            return true;
        }
        let mut expected = 1;
        for (&size, &stride) in self.shape.iter().zip(&self.strides).rev() {
            if size != 1 {
                if stride != expected {
                    return false;
                }
                expected *= size;
            }
        }
        true
    }

    /// How many storage elements the view reaches (0 when it has no elements). Saturates
    /// instead of overflowing, so absurd `as_strided` layouts simply fail the storage check.
    pub fn max_offset_plus_one(&self) -> usize {
        if self.numel() == 0 {
            return 0;
        }
        self.shape
            .iter()
            .zip(&self.strides)
            .fold(self.offset, |acc, (&size, &stride)| {
                acc.saturating_add((size - 1).saturating_mul(stride))
            })
            .saturating_add(1)
    }

    /// The same elements, in the same order, with size-1 dims dropped and mergeable adjacent
    /// dims fused, so loops over it carry less often. Always returns at least one dim: a
    /// single-element layout gives `([1], [1])` and an empty one `([0], [1])`.
    pub fn collapsed(&self) -> (Dims, Dims) {
        if self.numel() == 0 {
            return (smallvec![0], smallvec![1]);
        }
        let mut shape = Dims::new();
        let mut strides = Dims::new();
        for (&size, &stride) in self.shape.iter().zip(&self.strides) {
            if size == 1 {
                continue;
            }
            match (shape.last_mut(), strides.last_mut()) {
                (Some(outer_size), Some(outer_stride)) if *outer_stride == stride * size => {
                    *outer_size *= size;
                    *outer_stride = stride;
                }
                _ => {
                    shape.push(size);
                    strides.push(stride);
                }
            }
        }
        if shape.is_empty() {
            return (smallvec![1], smallvec![1]);
        }
        (shape, strides)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lay(shape: &[usize], strides: &[usize], offset: usize) -> Layout {
        Layout::new(shape.into(), strides.into(), offset)
    }

    fn geom(l: &Layout) -> (Vec<usize>, Vec<usize>, usize) {
        (l.shape().to_vec(), l.strides().to_vec(), l.offset())
    }

    #[test]
    fn contiguity() {
        assert!(Layout::contiguous(&[2, 3]).is_contiguous());
        assert!(Layout::contiguous(&[]).is_contiguous());
        assert!(lay(&[2, 1, 3], &[3, 100, 1], 0).is_contiguous());
        assert!(lay(&[2, 0], &[7, 7], 0).is_contiguous());
        assert!(!lay(&[3, 4], &[1, 3], 0).is_contiguous());
        assert!(!lay(&[3], &[0], 0).is_contiguous());
        assert!(!lay(&[2, 2], &[4, 1], 0).is_contiguous());
    }

    #[test]
    fn max_offset() {
        assert_eq!(lay(&[3, 4], &[4, 1], 2).max_offset_plus_one(), 14);
        assert_eq!(lay(&[3, 0], &[4, 1], 2).max_offset_plus_one(), 0);
        assert_eq!(lay(&[], &[], 5).max_offset_plus_one(), 6);
        assert_eq!(
            lay(&[2], &[usize::MAX], 0).max_offset_plus_one(),
            usize::MAX
        );
    }

    #[test]
    fn collapses() {
        let c = |l: Layout| {
            let (s, t) = l.collapsed();
            (s.to_vec(), t.to_vec())
        };
        assert_eq!(c(Layout::contiguous(&[2, 3, 4])), (vec![24], vec![1]));
        assert_eq!(c(Layout::contiguous(&[])), (vec![1], vec![1]));
        assert_eq!(c(Layout::contiguous(&[2, 0])), (vec![0], vec![1]));
        assert_eq!(
            c(lay(&[2, 1, 3, 4], &[24, 9, 4, 1], 0)),
            (vec![2, 12], vec![24, 1])
        );
        assert_eq!(c(lay(&[3, 4], &[1, 3], 0)), (vec![3, 4], vec![1, 3]));
        assert_eq!(c(lay(&[2, 3], &[0, 0], 0)), (vec![6], vec![0]));
    }

    #[test]
    fn view_strides_match_torch() {
        let t = Layout::contiguous(&[3, 4]).t().unwrap();
        assert_eq!(t.view(&[12]).unwrap_err().to_string(), VIEW_ERROR);
        assert_eq!(
            geom(&t.view(&[4, 3, 1]).unwrap()),
            (vec![4, 3, 1], vec![1, 4, 4], 0)
        );
        assert_eq!(
            geom(&t.view(&[1, 4, 1, 3, 1]).unwrap()),
            (vec![1, 4, 1, 3, 1], vec![4, 1, 12, 4, 4], 0)
        );
        assert_eq!(
            geom(&t.view(&[2, 2, 3]).unwrap()),
            (vec![2, 2, 3], vec![2, 1, 4], 0)
        );
        let n = Layout::contiguous(&[2, 3, 4]).narrow(2, 0, 2).unwrap();
        assert_eq!(geom(&n.view(&[6, 2]).unwrap()), (vec![6, 2], vec![4, 1], 0));
        assert!(n.view(&[2, 6]).is_err());
        let empty = Layout::contiguous(&[2, 0, 3]);
        assert_eq!(
            geom(&empty.view(&[0, 5]).unwrap()),
            (vec![0, 5], vec![5, 1], 0)
        );
        let empty_t = empty.transpose(0, 2).unwrap();
        assert_eq!(
            geom(&empty_t.view(&[3, 0, 2]).unwrap()),
            (vec![3, 0, 2], vec![1, 3, 3], 0)
        );
        assert_eq!(
            geom(&Layout::contiguous(&[]).view(&[1, 1]).unwrap()),
            (vec![1, 1], vec![1, 1], 0)
        );
        assert_eq!(
            geom(&lay(&[2, 3], &[0, 0], 0).view(&[3, 2]).unwrap()),
            (vec![3, 2], vec![0, 0], 0)
        );
        assert!(lay(&[2, 3, 2], &[6, 1, 3], 0).view(&[2, 6]).is_err());
        assert!(Layout::contiguous(&[6]).try_view(&[4]).is_none());
    }
}

/// TensorIterator's `reorder_dimensions` over operands broadcast to `shape` (`operands`: their
/// strides, 0 along broadcast dims), innermost dim first: a stable insertion sort where each pair
/// of dims is decided by the first operand whose strides there differ (a zero stride is
/// ambiguous and leaves the decision to the next operand; of two equal strides the larger dim
/// goes outside).
pub fn iteration_order(shape: &[usize], operands: &[&[usize]]) -> SmallVec<[usize; 6]> {
    let nd = shape.len();
    // 1: dim0 goes after dim1; -1: dim0 goes before; 0: ambiguous
    let should_swap = |d0: usize, d1: usize| -> i32 {
        for strides in operands {
            let (s0, s1) = (strides[d0], strides[d1]);
            if s0 == 0 || s1 == 0 {
                continue;
            }
            if s0 != s1 {
                return if s0 < s1 { -1 } else { 1 };
            }
            if shape[d0] > shape[d1] {
                return 1;
            }
        }
        0
    };
    let mut perm: SmallVec<[usize; 6]> = (0..nd).rev().collect();
    for i in 1..nd {
        let mut d1 = i;
        for d0 in (0..i).rev() {
            match should_swap(perm[d0], perm[d1]) {
                c if c > 0 => {
                    perm.swap(d0, d1);
                    d1 = d0;
                }
                c if c < 0 => break,
                _ => {}
            }
        }
    }
    perm
}

/// The strides TensorIterator gives an elementwise op's new output: dense, in the
/// `iteration_order` of the operands (so `x.t() + 1` is transposed like `x.t()`); `None` when
/// that is the contiguous layout.
pub fn elementwise_strides(shape: &[usize], operands: &[&[usize]]) -> Option<Dims> {
    let perm = iteration_order(shape, operands);
    if perm.iter().enumerate().all(|(i, &d)| d == shape.len() - 1 - i) {
        return None;
    }
    let mut out: Dims = smallvec![0; shape.len()];
    let mut next = 1;
    for &d in &perm {
        out[d] = next;
        next *= shape[d];
    }
    Some(out)
}

#[cfg(test)]
mod elementwise_layout_tests {
    use super::*;

    #[test]
    fn output_follows_the_first_decisive_operand() {
        // x.t() for x of shape (3, 4): strides (1, 4); torch's result of x.t() + 1 is (1, 4)
        assert_eq!(elementwise_strides(&[4, 3], &[&[1, 4]]).unwrap().as_slice(), &[1, 4]);
        // contiguous first operand wins over a transposed second one
        assert_eq!(elementwise_strides(&[4, 3], &[&[3, 1], &[1, 4]]), None);
        // a broadcast (zero-stride) operand leaves the order to the next one
        assert_eq!(elementwise_strides(&[4, 3], &[&[0, 1], &[1, 4]]).unwrap().as_slice(), &[1, 4]);
        // equal strides: the larger dim goes outside (x.unsqueeze(1).transpose(0, 2) + 1)
        assert_eq!(elementwise_strides(&[4, 1, 3], &[&[1, 4, 4]]).unwrap().as_slice(), &[1, 4, 4]);
        assert_eq!(elementwise_strides(&[2, 3], &[&[3, 1]]), None);
    }
}
