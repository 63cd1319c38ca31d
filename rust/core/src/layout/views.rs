//! The view ops of a [`Layout`]: each one a pure function from a layout to a new one (or
//! several), never touching storage. In groups: views that reinterpret the element sequence
//! (view, flatten, unflatten, squeeze), that reorder dims (permute, transpose, movedim), that
//! broadcast (expand), that take part of a dim (narrow, select, slice, as_strided, unfold,
//! diagonal) and that split a dim into several layouts (split, chunk, unbind).

use super::{Layout, VIEW_ERROR};
use crate::error::{Error, Result};
use crate::shape::{self, contiguous_strides, fmt_list, normalize_dim, normalize_dims, Dims};
use smallvec::{smallvec, SmallVec};

impl Layout {
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
        let d = normalize_dim(dim, self.ndim())?;
        if sizes.is_empty() {
            return Err(Error::runtime("unflatten: sizes must be non-empty"));
        }
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
        shape::checked_numel(size).map_err(|_| Error::runtime(format!("Storage size calculation overflowed with sizes={size:?}")))?;
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
            // `chunks` empty pieces: torch's vector-size limit (PTRDIFF_MAX / sizeof(Tensor)) first
            if chunks > i64::MAX as usize / 8 {
                return Err(Error::runtime("cannot create std::vector larger than max_size()"));
            }
            return crate::allocator::try_vec(chunks, self.clone());
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
