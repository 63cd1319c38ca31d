//! `take` and `put_`: the data read as 1-D (row-major), indices counting from the end when
//! negative.

use super::check::{first_out_of_range, long_index};
use super::walk::{gather_walk, scatter_walk, Combine, Values, Walk};
use crate::bail;
use crate::error::{Error, Result};
use crate::shape::Dims;
use crate::tensor::Tensor;

/// `self.take(index)`: `self` read as 1-D, negative indices counting from the end.
pub fn take(t: &Tensor, index: &Tensor) -> Result<Tensor> {
    let index = long_index(index, false, || format!("take(): Expected a long tensor for index, but got {}", index.dtype()))?;
    let flat = t.contiguous()?;
    let n = flat.numel();
    if let Some(v) = first_out_of_range(&index, n, true)? {
        return Err(Error::index(format!("out of range: tried to access index {v} on a tensor of {n} elements.")));
    }
    let walk = Walk {
        shape: index.shape().into(),
        data_strides: Dims::from_elem(0, index.ndim()),
        data_offset: flat.offset(),
        idx: index.clone(),
        idx_strides: index.strides().into(),
        mult: 1,
        size: n as i64,
    };
    gather_walk(&flat, &walk)
}

/// `self.put_(index, source, accumulate)`: `take`'s inverse.
pub fn put_(t: &Tensor, index: &Tensor, source: &Tensor, accumulate: bool) -> Result<()> {
    t.check_no_internal_overlap()?;
    let index = long_index(index, false, || format!("put_(): Expected a long tensor for index, but got {}", index.dtype()))?;
    if source.dtype() != t.dtype() {
        bail!("put_(): self and source expected to have the same dtype, but got self.dtype = {} and source.dtype = {}", t.dtype(), source.dtype());
    }
    if source.numel() != index.numel() {
        return Err(Error::index(format!(
            "put_(): Expected source and index to have the same number of elements, but got source.numel() = {}, index.numel() = {}",
            source.numel(),
            index.numel()
        )));
    }
    let n = t.numel();
    if let Some(v) = first_out_of_range(&index, n, true)? {
        return Err(Error::index(format!("out of range: tried to access index {v} on a tensor of {n} elements.")));
    }
    // the walk goes over the flattened index; the target as 1-D (a contiguous buffer, copied
    // back when `t` is not contiguous)
    let target = if t.is_contiguous() { t.clone() } else { t.contiguous_copy()? };
    let (idx, src) = (index.reshape(&[-1])?, source.reshape(&[-1])?);
    let walk = Walk {
        shape: Dims::from_elem(idx.numel(), 1),
        data_strides: Dims::from_elem(0, 1),
        data_offset: target.offset(),
        idx: idx.clone(),
        idx_strides: idx.strides().into(),
        mult: 1,
        size: n as i64,
    };
    scatter_walk(&target, &walk, Values::Tensor(&src), if accumulate { Combine::Add } else { Combine::Assign }, None)?;
    if !target.shares_storage(t) {
        t.copy_(&target)?;
    }
    Ok(())
}
