//! Walking a layout's elements in row-major order.
//!
//! [`StridedIndex`] yields the storage offset of every element, advancing a multi-index with
//! carries (no division per element). [`StridedBlocks`] lets kernels go faster by handing out
//! runs of contiguous elements instead of single offsets.

use crate::layout::Layout;
use crate::shape::{numel, Dims};

/// Iterator over the storage offsets of a strided view, in row-major order.
#[derive(Clone, Debug)]
pub struct StridedIndex {
    shape: Dims,
    strides: Dims,
    /// `(size - 1) * stride` per dim: what a carry subtracts when a dim wraps to 0.
    back_strides: Dims,
    /// The multi-index of the element at `next_offset`.
    index: Dims,
    next_offset: usize,
    remaining: usize,
}

impl StridedIndex {
    /// Offsets of the view `(shape, strides, offset)`: one for a 0-dim view, none when empty.
    pub fn new(shape: &[usize], strides: &[usize], offset: usize) -> Self {
        debug_assert_eq!(shape.len(), strides.len());
        Self {
            shape: shape.into(),
            strides: strides.into(),
            back_strides: shape
                .iter()
                .zip(strides)
                .map(|(&n, &s)| n.saturating_sub(1) * s)
                .collect(),
            index: smallvec::smallvec![0; shape.len()],
            next_offset: offset,
            remaining: numel(shape),
        }
    }
}

impl Iterator for StridedIndex {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        if self.remaining == 0 {
            return None;
        }
        let current = self.next_offset;
        self.remaining -= 1;
        if self.remaining > 0 {
            // Increment the last dim; dims that wrap around carry into the one before.
            for d in (0..self.shape.len()).rev() {
                if self.index[d] + 1 < self.shape[d] {
                    self.index[d] += 1;
                    self.next_offset += self.strides[d];
                    break;
                }
                self.index[d] = 0;
                self.next_offset -= self.back_strides[d];
            }
        }
        Some(current)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl ExactSizeIterator for StridedIndex {}

/// A layout's elements as runs of contiguous storage.
// Built once per kernel call and consumed at once: boxing the iterator would only add an
// allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum StridedBlocks {
    /// All elements are `start..start + len`, in order.
    Single { start: usize, len: usize },
    /// Runs of `block_len` contiguous elements, starting at each offset `block_starts` yields.
    Multiple {
        block_len: usize,
        block_starts: StridedIndex,
    },
}

impl Layout {
    /// The storage offsets of the elements, in row-major order. Iterates the
    /// [collapsed](Layout::collapsed) dims, so it carries as rarely as possible.
    pub fn strided_index(&self) -> StridedIndex {
        let (shape, strides) = self.collapsed();
        StridedIndex::new(&shape, &strides, self.offset())
    }

    /// Splits the elements into contiguous runs: one run when the (collapsed) layout is dense,
    /// else runs along the innermost dim if its stride is 1, else single elements.
    pub fn strided_blocks(&self) -> StridedBlocks {
        let (shape, strides) = self.collapsed();
        let n = shape.len();
        if strides[n - 1] != 1 {
            return StridedBlocks::Multiple {
                block_len: 1,
                block_starts: StridedIndex::new(&shape, &strides, self.offset()),
            };
        }
        if n == 1 {
            return StridedBlocks::Single {
                start: self.offset(),
                len: shape[0],
            };
        }
        StridedBlocks::Multiple {
            block_len: shape[n - 1],
            block_starts: StridedIndex::new(&shape[..n - 1], &strides[..n - 1], self.offset()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offsets(shape: &[usize], strides: &[usize], offset: usize) -> Vec<usize> {
        StridedIndex::new(shape, strides, offset).collect()
    }

    fn block_offsets(l: &Layout) -> Vec<usize> {
        match l.strided_blocks() {
            StridedBlocks::Single { start, len } => (start..start + len).collect(),
            StridedBlocks::Multiple {
                block_len,
                block_starts,
            } => block_starts.flat_map(|s| s..s + block_len).collect(),
        }
    }

    #[test]
    fn iterates_offsets() {
        assert_eq!(offsets(&[], &[], 7), vec![7]);
        assert_eq!(offsets(&[2, 0], &[1, 1], 7), Vec::<usize>::new());
        assert_eq!(offsets(&[2, 3], &[1, 2], 1), vec![1, 3, 5, 2, 4, 6]);
        assert_eq!(offsets(&[2, 2], &[0, 1], 0), vec![0, 1, 0, 1]);
        let mut it = StridedIndex::new(&[2, 3], &[3, 1], 0);
        assert_eq!(it.len(), 6);
        it.next();
        assert_eq!(it.len(), 5);
    }

    #[test]
    fn classifies_blocks() {
        let contiguous = Layout::contiguous_with_offset(&[2, 3], 4);
        assert!(matches!(
            contiguous.strided_blocks(),
            StridedBlocks::Single { start: 4, len: 6 }
        ));
        let scalar = Layout::contiguous_with_offset(&[], 3);
        assert!(matches!(
            scalar.strided_blocks(),
            StridedBlocks::Single { start: 3, len: 1 }
        ));
        let empty = Layout::contiguous(&[0, 3]);
        assert!(matches!(
            empty.strided_blocks(),
            StridedBlocks::Single { len: 0, .. }
        ));
        let narrowed = Layout::contiguous(&[3, 4]).narrow(1, 1, 2).unwrap();
        assert!(matches!(
            narrowed.strided_blocks(),
            StridedBlocks::Multiple { block_len: 2, .. }
        ));
        assert_eq!(block_offsets(&narrowed), vec![1, 2, 5, 6, 9, 10]);
        let transposed = Layout::contiguous(&[2, 3]).t().unwrap();
        assert!(matches!(
            transposed.strided_blocks(),
            StridedBlocks::Multiple { block_len: 1, .. }
        ));
        assert_eq!(block_offsets(&transposed), vec![0, 3, 1, 4, 2, 5]);
        // Size-1 dims with odd strides do not break contiguity.
        let odd = Layout::new(
            [2, 1, 3].into_iter().collect(),
            [3, 99, 1].into_iter().collect(),
            0,
        );
        assert!(matches!(
            odd.strided_blocks(),
            StridedBlocks::Single { start: 0, len: 6 }
        ));
    }
}
