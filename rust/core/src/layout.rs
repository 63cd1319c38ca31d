//! A tensor's geometry: shape, strides (in elements) and storage offset.
//!
//! Every view op (view, permute, expand, narrow, ...) is a pure function from one `Layout` to
//! another: no storage is touched, so views share their buffer. Argument checks and their
//! messages follow PyTorch, so the bindings can surface them unchanged.

use crate::error::{Error, Result};
use crate::shape::{self, contiguous_strides, fmt_list, normalize_dim, normalize_dims, Dims};
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
        let (shape, strides) = (&self.shape, &self.strides);
        let nd = self.ndim();
        // 1: dim0 goes after dim1; -1: dim0 goes before; 0: ambiguous
        let should_swap = |d0: usize, d1: usize| -> i32 {
            let (s0, s1) = (strides[d0], strides[d1]);
            if s0 == 0 || s1 == 0 {
                0
            } else if s0 != s1 {
                if s0 < s1 { -1 } else { 1 }
            } else if shape[d0] > shape[d1] {
                1
            } else {
                0
            }
        };
        // innermost first
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

    // ---- views that reinterpret the element sequence ----

    /// `Tensor.view(shape)`, with one `-1` allowed.
    pub fn view(&self, shape: &[i64]) -> Result<Layout> {
        let shape = shape::infer_size(shape, self.numel())?;
        self.try_view(&shape)
            .ok_or_else(|| Error::runtime(VIEW_ERROR))
    }

    /// The layout viewing these elements as `shape`, or `None` when that needs a copy (or the
    /// element counts differ); `reshape` copies in that case.
    pub fn try_view(&self, shape: &[usize]) -> Option<Layout> {
        if shape::checked_numel(shape).ok()? != self.numel() {
            return None;
        }
        let strides = view_strides(&self.shape, &self.strides, shape)?;
        Some(Layout::new(shape.into(), strides, self.offset))
    }

    /// `Tensor.flatten(start_dim, end_dim)`'s target shape; the tensor then reshapes to it.
    pub fn flatten_shape(&self, start_dim: i64, end_dim: i64) -> Result<Dims> {
        let start = normalize_dim(start_dim, self.ndim())?;
        let end = normalize_dim(end_dim, self.ndim())?;
        if start > end {
            return Err(Error::runtime(
                "flatten() has invalid args: start_dim cannot come after end_dim",
            ));
        }
        if self.ndim() == 0 {
            return Ok(smallvec![1]);
        }
        let mut out: Dims = self.shape[..start].into();
        out.push(shape::numel(&self.shape[start..=end]));
        out.extend_from_slice(&self.shape[end + 1..]);
        Ok(out)
    }

    /// `Tensor.unflatten(dim, sizes)`: splits one dim (always possible as a view).
    pub fn unflatten(&self, dim: i64, sizes: &[i64]) -> Result<Layout> {
        if sizes.is_empty() {
            return Err(Error::runtime("unflatten: sizes must be non-empty"));
        }
        let d = normalize_dim(dim, self.ndim())?;
        // Torch rewords the errors of this step (see `handle_unflatten_exception`).
        let inferred = self.size(d as i64).and_then(|size| shape::infer_size(sizes, size)).map_err(|e| {
            let msg = e.to_string();
            if msg.contains("is invalid for input of size") {
                Error::runtime(format!(
                    "unflatten: Provided sizes {} don't multiply up to the size of dim {d} ({}) in the input tensor",
                    fmt_list(sizes),
                    self.shape[d]
                ))
            } else {
                Error::runtime(format!("unflatten got an unexpected error:\n{msg}"))
            }
        })?;
        let mut shape: Dims = self.shape[..d].into();
        shape.extend_from_slice(&inferred);
        shape.extend_from_slice(&self.shape[d + 1..]);
        Ok(self
            .try_view(&shape)
            .expect("splitting one dim is always a view"))
    }

    /// `Tensor.squeeze(dims)`: removes the given (or all) size-1 dims; other listed dims are
    /// kept silently, as in torch.
    pub fn squeeze(&self, dims: Option<&[i64]>) -> Result<Layout> {
        let listed = dims.map(|d| normalize_dims(d, self.ndim())).transpose()?;
        let drop = |d: usize| self.shape[d] == 1 && listed.as_ref().is_none_or(|l| l.contains(&d));
        let keep: Dims = (0..self.ndim()).filter(|&d| !drop(d)).collect();
        Ok(self.pick_dims(&keep))
    }

    /// `Tensor.unsqueeze(dim)`, `dim` in `[-ndim-1, ndim]`. The new dim's stride is the one
    /// torch picks, so later views match torch's strides.
    pub fn unsqueeze(&self, dim: i64) -> Result<Layout> {
        let d = normalize_dim(dim, self.ndim() + 1)?;
        let stride = if d >= self.ndim() {
            1
        } else {
            self.shape[d] * self.strides[d]
        };
        let mut out = self.clone();
        out.shape.insert(d, 1);
        out.strides.insert(d, stride);
        Ok(out)
    }

    // ---- views that reorder dims ----

    /// `Tensor.permute(dims)`.
    pub fn permute(&self, dims: &[i64]) -> Result<Layout> {
        let n = self.ndim();
        if dims.len() != n {
            return Err(Error::runtime(format!(
                "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = {n} is not equal to len(dims) = {}",
                dims.len()
            )));
        }
        let mut order = Dims::with_capacity(n);
        for &dim in dims {
            let d = normalize_dim(dim, n)?;
            if order.contains(&d) {
                return Err(Error::runtime("permute(): duplicate dims are not allowed."));
            }
            order.push(d);
        }
        Ok(self.pick_dims(&order))
    }

    /// `Tensor.transpose(dim0, dim1)`.
    pub fn transpose(&self, dim0: i64, dim1: i64) -> Result<Layout> {
        let d0 = normalize_dim(dim0, self.ndim())?;
        let d1 = normalize_dim(dim1, self.ndim())?;
        let mut out = self.clone();
        if self.ndim() > 0 {
            out.shape.swap(d0, d1);
            out.strides.swap(d0, d1);
        }
        Ok(out)
    }

    /// `Tensor.t()`: transposes a 2-D layout, returns 0-D and 1-D ones unchanged.
    pub fn t(&self) -> Result<Layout> {
        match self.ndim() {
            0 | 1 => Ok(self.clone()),
            2 => self.transpose(0, 1),
            n => Err(Error::runtime(format!(
                "t() expects a tensor with <= 2 dimensions, but self is {n}D"
            ))),
        }
    }

    /// `Tensor.movedim(source, destination)`: the other dims keep their relative order.
    pub fn movedim(&self, src: &[i64], dst: &[i64]) -> Result<Layout> {
        if src.len() != dst.len() {
            return Err(Error::runtime(format!(
                "movedim: Invalid source or destination dims: source ({} dims) should contain the same number of dims as destination ({} dims)",
                fmt_list(src),
                fmt_list(dst)
            )));
        }
        let n = self.ndim();
        let wrap = |dims: &[i64]| {
            dims.iter()
                .map(|&d| normalize_dim(d, n))
                .collect::<Result<Dims>>()
        };
        let (src_n, dst_n) = (wrap(src)?, wrap(dst)?);
        for (wrapped, raw, name) in [(&src_n, src, "source"), (&dst_n, dst, "destination")] {
            if wrapped
                .iter()
                .enumerate()
                .any(|(i, d)| wrapped[..i].contains(d))
            {
                return Err(Error::runtime(format!(
                    "movedim: repeated dim in `{name}` ({})",
                    fmt_list(raw)
                )));
            }
        }
        if n == 0 {
            return Ok(self.clone());
        }
        let mut order: Dims = smallvec![usize::MAX; n];
        for (&s, &d) in src_n.iter().zip(&dst_n) {
            order[d] = s;
        }
        let mut rest = (0..n).filter(|d| !src_n.contains(d));
        for slot in order.iter_mut().filter(|o| **o == usize::MAX) {
            *slot = rest.next().expect("as many free source dims as free slots");
        }
        Ok(self.pick_dims(&order))
    }

    /// The layout whose dim `i` is this layout's dim `dims[i]`.
    fn pick_dims(&self, dims: &[usize]) -> Layout {
        Layout::new(
            dims.iter().map(|&d| self.shape[d]).collect(),
            dims.iter().map(|&d| self.strides[d]).collect(),
            self.offset,
        )
    }

    // ---- broadcasting views ----

    /// `Tensor.expand(sizes)`: `-1` keeps a size, size-1 dims (and new leading dims) repeat
    /// with stride 0. Follows torch's `inferExpandGeometry`.
    pub fn expand(&self, sizes: &[i64]) -> Result<Layout> {
        let (n, tensor_dim) = (sizes.len(), self.ndim());
        if n < tensor_dim {
            return Err(Error::runtime(format!(
                "expand(torch.Tensor{{{}}}, size={}): the number of sizes provided ({n}) must be greater or equal to the number of dimensions in the tensor ({tensor_dim})",
                fmt_list(&self.shape),
                fmt_list(sizes)
            )));
        }
        let mut out_shape: SmallVec<[i64; 6]> = SmallVec::from_slice(sizes);
        let mut out_strides: Dims = smallvec![0; n];
        // A 0-dim tensor takes the sizes as given (negative ones fail the numel check below).
        if tensor_dim > 0 {
            for i in (0..n).rev() {
                let existing = (i + tensor_dim).checked_sub(n);
                let (mut size, mut stride) = match existing {
                    Some(j) => (self.shape[j] as i64, self.strides[j]),
                    None => (
                        1,
                        (out_shape[i + 1] as usize).saturating_mul(out_strides[i + 1]),
                    ),
                };
                let mut target = sizes[i];
                if target == -1 {
                    if existing.is_none() {
                        return Err(Error::runtime(format!(
                            "The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension {i}"
                        )));
                    }
                    target = size;
                }
                if size != target {
                    if size != 1 {
                        return Err(Error::runtime(format!(
                            "The expanded size of the tensor ({target}) must match the existing size ({size}) at non-singleton dimension {i}.  Target sizes: {}.  Tensor sizes: {}",
                            fmt_list(sizes),
                            fmt_list(&self.shape)
                        )));
                    }
                    size = target;
                    stride = 0;
                }
                out_shape[i] = size;
                out_strides[i] = stride;
            }
        }
        if out_shape.iter().any(|&s| s < 0) {
            return Err(Error::runtime("numel: integer multiplication overflow"));
        }
        let out_shape: Dims = out_shape.iter().map(|&s| s as usize).collect();
        shape::checked_numel(&out_shape)?;
        Ok(Layout::new(out_shape, out_strides, self.offset))
    }

    /// `Tensor.broadcast_to(shape)`: `expand` with explicit sizes, hence its messages.
    pub fn broadcast_to(&self, shape: &[usize]) -> Result<Layout> {
        let sizes: SmallVec<[i64; 6]> = shape
            .iter()
            .map(|&s| i64::try_from(s).unwrap_or(i64::MIN))
            .collect();
        self.expand(&sizes)
    }

    // ---- views that take part of a dim ----

    /// Keeps `len` indices of dim `d` from `start`, every `step`-th; callers have checked bounds.
    fn sliced(&self, d: usize, start: usize, len: usize, step: usize) -> Layout {
        let mut out = self.clone();
        out.offset += start * self.strides[d];
        out.shape[d] = len;
        out.strides[d] = self.strides[d].saturating_mul(step);
        out
    }

    /// Removes dim `d` at `index`; callers have checked bounds.
    fn selected(&self, d: usize, index: usize) -> Layout {
        let mut out = self.clone();
        out.offset += index * self.strides[d];
        out.shape.remove(d);
        out.strides.remove(d);
        out
    }

    /// `Tensor.narrow(dim, start, length)`; a negative `start` counts from the end.
    pub fn narrow(&self, dim: i64, start: i64, length: i64) -> Result<Layout> {
        if self.ndim() == 0 {
            return Err(Error::runtime(
                "narrow() cannot be applied to a 0-dim tensor.",
            ));
        }
        if length < 0 {
            return Err(Error::runtime("narrow(): length must be non-negative."));
        }
        let d = normalize_dim(dim, self.ndim())?;
        let size = self.shape[d] as i64;
        if start < -size || start > size {
            return Err(Error::index(format!(
                "start out of range (expected to be in range of [{}, {size}], but got {start})",
                -size
            )));
        }
        let start = if start < 0 { start + size } else { start };
        if start > size - length {
            return Err(Error::runtime(format!(
                "start ({start}) + length ({length}) exceeds dimension size ({size})."
            )));
        }
        Ok(self.sliced(d, start as usize, length as usize, 1))
    }

    /// `Tensor.select(dim, index)`; a negative `index` counts from the end.
    pub fn select(&self, dim: i64, index: i64) -> Result<Layout> {
        if self.ndim() == 0 {
            return Err(Error::index(
                "select() cannot be applied to a 0-dim tensor.",
            ));
        }
        let d = normalize_dim(dim, self.ndim())?;
        let size = self.shape[d] as i64;
        if index < -size || index >= size {
            return Err(Error::index(format!(
                "select(): index {index} out of range for tensor of size {} at dimension {d}",
                fmt_list(&self.shape)
            )));
        }
        Ok(self.selected(d, (if index < 0 { index + size } else { index }) as usize))
    }

    /// Python's `t[start:stop:step]` on one dim: negative bounds wrap, bounds clamp, and an
    /// empty range is allowed. Steps must be positive, as in torch's indexing.
    pub fn slice(
        &self,
        dim: i64,
        start: Option<i64>,
        stop: Option<i64>,
        step: i64,
    ) -> Result<Layout> {
        if self.ndim() == 0 {
            return Err(Error::index("slice() cannot be applied to a 0-dim tensor."));
        }
        let d = normalize_dim(dim, self.ndim())?;
        if step == 0 {
            return Err(Error::value("slice step cannot be zero"));
        }
        if step < 0 {
            return Err(Error::value("step must be greater than zero"));
        }
        let size = self.shape[d] as i64;
        let wrap = |i: i64| if i < 0 { i + size } else { i };
        let start = wrap(start.unwrap_or(0)).clamp(0, size);
        let stop = wrap(stop.unwrap_or(size)).clamp(start, size);
        let len = if stop == start {
            0
        } else {
            (stop - start - 1) / step + 1
        };
        Ok(self.sliced(d, start as usize, len as usize, step as usize))
    }

    /// `Tensor.as_strided(size, stride, storage_offset)`: any geometry; the caller checks it
    /// against the storage with [`Layout::max_offset_plus_one`].
    pub fn as_strided(&self, size: &[usize], stride: &[usize], offset: usize) -> Result<Layout> {
        if size.len() != stride.len() {
            return Err(Error::runtime("mismatch in length of strides and shape"));
        }
        shape::checked_numel(size)?;
        Ok(Layout::new(size.into(), stride.into(), offset))
    }

    /// `Tensor.unfold(dim, size, step)`: windows of `size` along `dim`, every `step`, as a
    /// new last dim.
    pub fn unfold(&self, dim: i64, size: i64, step: i64) -> Result<Layout> {
        let d = normalize_dim(dim, self.ndim())?;
        let max_size = if self.ndim() == 0 {
            1
        } else {
            self.shape[d] as i64
        };
        if size > max_size {
            return Err(Error::runtime(format!(
                "maximum size for tensor at dimension {d} is {max_size} but size is {size}"
            )));
        }
        if size < 0 {
            return Err(Error::runtime(format!("size is {size} but must be >= 0")));
        }
        if step <= 0 {
            return Err(Error::runtime(format!("step is {step} but must be > 0")));
        }
        let mut out = self.clone();
        let window_stride = if self.ndim() == 0 { 1 } else { self.strides[d] };
        if self.ndim() > 0 {
            out.shape[d] = ((max_size - size) / step + 1) as usize;
            out.strides[d] = self.strides[d].saturating_mul(step as usize);
        }
        out.shape.push(size as usize);
        out.strides.push(window_stride);
        Ok(out)
    }

    /// `Tensor.diagonal(offset, dim1, dim2)`: removes both dims and appends the diagonal,
    /// empty when `offset` is past the edge.
    pub fn diagonal(&self, offset: i64, dim1: i64, dim2: i64) -> Result<Layout> {
        let d1 = normalize_dim(dim1, self.ndim())?;
        let d2 = normalize_dim(dim2, self.ndim())?;
        if d1 == d2 {
            return Err(Error::runtime(format!(
                "diagonal dimensions cannot be identical {dim1}, {dim2}"
            )));
        }
        let (size1, size2) = (self.shape[d1] as i64, self.shape[d2] as i64);
        let len = if offset >= 0 {
            size1.min(size2 - offset)
        } else {
            (size1 + offset).min(size2)
        }
        .max(0);
        let mut out = self.clone();
        // Like torch, an empty diagonal keeps the offset rather than pointing past the data.
        if len > 0 {
            out.offset += if offset >= 0 {
                offset as usize * self.strides[d2]
            } else {
                offset.unsigned_abs() as usize * self.strides[d1]
            };
        }
        for d in [d1.max(d2), d1.min(d2)] {
            out.shape.remove(d);
            out.strides.remove(d);
        }
        out.shape.push(len as usize);
        out.strides.push(self.strides[d1] + self.strides[d2]);
        Ok(out)
    }

    // ---- views that split a dim into several layouts ----

    /// `Tensor.split(split_size, dim)`: chunks of `split_size`, the last one smaller.
    pub fn split(&self, dim: i64, split_size: usize) -> Result<Vec<Layout>> {
        if self.ndim() == 0 {
            return Err(Error::runtime(
                "split expects at least a 1-dimensional tensor",
            ));
        }
        let d = normalize_dim(dim, self.ndim())?;
        let size = self.shape[d];
        if split_size == 0 && size != 0 {
            return Err(Error::runtime(format!(
                "split_size can only be 0 if dimension size is 0, but got dimension size of {size}"
            )));
        }
        // At least one piece, even when `split_size` exceeds the size (torch keeps this for BC).
        let pieces = if split_size == 0 {
            1
        } else {
            size.div_ceil(split_size).max(1)
        };
        Ok((0..pieces)
            .map(|i| {
                let start = i * split_size;
                self.sliced(d, start, split_size.min(size - start), 1)
            })
            .collect())
    }

    /// `Tensor.split(split_sizes, dim)` with explicit sizes, which must sum to the dim's size.
    pub fn split_with_sizes(&self, dim: i64, sizes: &[usize]) -> Result<Vec<Layout>> {
        if self.ndim() == 0 {
            return Err(Error::runtime(
                "split expects at least a 1-dimensional tensor",
            ));
        }
        let d = normalize_dim(dim, self.ndim())?;
        let size = self.shape[d];
        if sizes.iter().try_fold(0usize, |acc, &s| acc.checked_add(s)) != Some(size) {
            return Err(Error::runtime(format!(
                "split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size at dimension {dim}), but got split_sizes={}",
                fmt_list(sizes)
            )));
        }
        let starts = sizes.iter().scan(0, |start, &len| {
            *start += len;
            Some(*start - len)
        });
        Ok(starts
            .zip(sizes)
            .map(|(start, &len)| self.sliced(d, start, len, 1))
            .collect())
    }

    /// `Tensor.chunk(chunks, dim)`: pieces of `ceil(size / chunks)`, so there may be fewer
    /// than `chunks` of them; an empty dim still gives `chunks` empty pieces.
    pub fn chunk(&self, chunks: usize, dim: i64) -> Result<Vec<Layout>> {
        if self.ndim() == 0 {
            return Err(Error::runtime(
                "chunk expects at least a 1-dimensional tensor",
            ));
        }
        if chunks == 0 {
            return Err(Error::runtime(
                "chunk expects `chunks` to be greater than 0, got: 0",
            ));
        }
        let d = normalize_dim(dim, self.ndim())?;
        let size = self.shape[d];
        if size == 0 {
            return Ok(vec![self.clone(); chunks]);
        }
        self.split(dim, size.div_ceil(chunks))
    }

    /// `Tensor.unbind(dim)`: every index of `dim`, selected.
    pub fn unbind(&self, dim: i64) -> Result<Vec<Layout>> {
        let d = normalize_dim(dim, self.ndim())?;
        self.existing_dim(d as i64)?;
        Ok((0..self.shape[d]).map(|i| self.selected(d, i)).collect())
    }
}

/// Strides that view `(old_shape, old_strides)` as `new_shape` without copying, if any
/// (torch's `computeStride`). Old dims are grouped into chunks that are contiguous within
/// themselves; a view exists iff the new dims split exactly along those chunks.
/// `new_shape` must have the same element count.
fn view_strides(old_shape: &[usize], old_strides: &[usize], new_shape: &[usize]) -> Option<Dims> {
    if old_shape.is_empty() {
        return Some(smallvec![1; new_shape.len()]);
    }
    // With no elements the strides are arbitrary: keep them for an identical shape, else use
    // contiguous ones, as torch (and NumPy) do.
    if shape::numel(old_shape) == 0 {
        return Some(if old_shape == new_shape {
            old_strides.into()
        } else {
            contiguous_strides(new_shape)
        });
    }
    let mut new_strides: Dims = smallvec![0; new_shape.len()];
    let mut view_d = new_shape.len();
    let mut chunk_base_stride = *old_strides.last().expect("non-empty");
    let (mut tensor_numel, mut view_numel) = (1usize, 1usize);
    for tensor_d in (0..old_shape.len()).rev() {
        tensor_numel *= old_shape[tensor_d];
        let chunk_ends = tensor_d == 0
            || (old_shape[tensor_d - 1] != 1
                && Some(old_strides[tensor_d - 1]) != tensor_numel.checked_mul(chunk_base_stride));
        if !chunk_ends {
            continue;
        }
        while view_d > 0 && (view_numel < tensor_numel || new_shape[view_d - 1] == 1) {
            view_d -= 1;
            new_strides[view_d] = view_numel.saturating_mul(chunk_base_stride);
            view_numel *= new_shape[view_d];
        }
        if view_numel != tensor_numel {
            return None;
        }
        if tensor_d > 0 {
            chunk_base_stride = old_strides[tensor_d - 1];
            tensor_numel = 1;
            view_numel = 1;
        }
    }
    (view_d == 0).then_some(new_strides)
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
