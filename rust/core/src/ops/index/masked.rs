//! Masked ops: `masked_fill_`, `masked_select`, `masked_scatter_` and `nonzero`. A mask
//! broadcasts to the data; the ops whose output shape depends on how many elements are true
//! (masked_select, nonzero) raise on meta like torch; masked_scatter_ (self is the output) runs
//! on meta without its source-count check, as torch's meta kernel.

use super::advanced::{index, index_put_};
use crate::bail;
use crate::dtype::{DType, Element};
use crate::error::Result;
use crate::iter::Plan;
use crate::parallel::{SyncPtr, GRAIN};
use crate::scalar::Scalar;
use crate::shape;
use crate::tensor::Tensor;

fn check_bool_mask(op: &str, mask: &Tensor) -> Result<()> {
    if mask.dtype() != DType::Bool {
        bail!("{op} only supports boolean masks, but got mask with dtype {}", mask.dtype().cpp_name());
    }
    Ok(())
}

/// `self.masked_fill_(mask, value)`: `mask` broadcasts to `self`.
pub fn masked_fill_(t: &Tensor, mask: &Tensor, value: Scalar) -> Result<()> {
    check_bool_mask("masked_fill_", mask)?;
    value.check_fits(t.dtype())?;
    let m = mask_for(t, mask)?;
    if t.is_meta() {
        return Ok(());
    }
    if crate::backend::is_backend(t.device()) || crate::backend::is_backend(m.device()) {
        let device = crate::Device::common([t, &m])?;
        let v = Tensor::full_on(&[], value, t.dtype(), device)?;
        let m = if m.shares_storage(t) { m.copy_as(m.dtype())? } else { m };
        crate::backend::get(device)?.ternary("where", t, &m, &v, t)?;
        t.storage().backend_written();
        return Ok(());
    }
    let m = if m.shares_storage(t) { m.contiguous_copy()? } else { m };
    let mg = m.storage().read()?;
    let tg = t.storage().write()?;
    let plan = Plan::new(t.shape(), [t.strides(), m.strides()], [t.offset(), m.offset()]);
    crate::dispatch!(t.dtype(), T => {
        let v: T = value.to::<T>();
        let (tp, mp) = (SyncPtr(tg.ptr() as *mut T), SyncPtr(mg.ptr() as *mut bool));
        plan.par_for_each_row(GRAIN, |[o, i], len, [so, si]| unsafe {
            let (tp, mp) = (tp.get(), mp.get() as *const bool);
            for k in 0..len {
                if *mp.add(i + k * si) {
                    *tp.add(o + k * so) = v;
                }
            }
        });
    });
    Ok(())
}

/// `mask` broadcast to `self`'s shape for an in-place masked op, with torch's errors: sizes
/// that do not broadcast name self as tensor a; a mask that would grow self is "output with shape".
fn mask_for(t: &Tensor, mask: &Tensor) -> Result<Tensor> {
    let shape = shape::broadcast_shapes(t.shape(), mask.shape())?;
    if shape.as_slice() != t.shape() {
        bail!("output with shape {} doesn't match the broadcast shape {}", shape::fmt_list(t.shape()), shape::fmt_list(&shape));
    }
    mask.broadcast_to(t.shape())
}

/// The elements of `t` where `mask` is true (both broadcast), in row-major order, as 1-D.
pub fn masked_select(t: &Tensor, mask: &Tensor) -> Result<Tensor> {
    if mask.dtype() != DType::Bool {
        bail!("masked_select: expected BoolTensor for mask");
    }
    let shape = shape::broadcast_shapes(t.shape(), mask.shape())?;
    let (tb, mb) = (t.broadcast_to(&shape)?, mask.broadcast_to(&shape)?);
    let nz = nonzero(&mb)?;
    if shape.is_empty() {
        return tb.reshape(&[1])?.narrow(0, 0, nz.shape()[0] as i64)?.contiguous();
    }
    let cols: Vec<Option<Tensor>> = (0..shape.len()).map(|k| nz.select(1, k as i64).map(Some)).collect::<Result<_>>()?;
    index(&tb, &cols)
}

/// `self.masked_scatter_(mask, source)`: the true positions of `mask` (broadcast to `self`),
/// in row-major order, take `source`'s elements in order.
pub fn masked_scatter_(t: &Tensor, mask: &Tensor, source: &Tensor) -> Result<()> {
    t.check_no_internal_overlap()?;
    if mask.dtype() != DType::Bool {
        // unlike masked_fill_, torch names the dtype by its ScalarType here ("Byte")
        bail!("masked_scatter_ only supports boolean masks, but got mask with dtype {}", mask.dtype());
    }
    if source.dtype() != t.dtype() {
        bail!("masked_scatter: expected self and source to have same dtypes but got{} and {}", t.dtype(), source.dtype());
    }
    let m = mask_for(t, mask)?;
    crate::Device::common([t, &m, source])?;
    if t.is_meta() {
        // the output is self, whatever the mask holds: torch's meta kernel skips the count check
        return Ok(());
    }
    let nz = nonzero(&m)?;
    if nz.shape()[0] > source.numel() {
        bail!("Number of elements of source < number of ones in mask");
    }
    let src = source.contiguous()?.reshape(&[-1])?.narrow(0, 0, nz.shape()[0] as i64)?;
    if t.ndim() == 0 {
        return if nz.shape()[0] == 1 { t.copy_(&src.reshape(&[])?) } else { Ok(()) };
    }
    let cols: Vec<Option<Tensor>> = (0..t.ndim()).map(|k| nz.select(1, k as i64).map(Some)).collect::<Result<_>>()?;
    index_put_(t, &cols, &src, false)
}

/// `torch.nonzero(self)`: an int64 `(n, ndim)` tensor of the indices of non-zero elements, in
/// row-major order.
pub fn nonzero(t: &Tensor) -> Result<Tensor> {
    let nd = t.ndim();
    let g = t.storage().read()?;
    let plan = Plan::new(t.shape(), [t.strides()], [t.offset()]);
    // positions (row-major linear indices) of the non-zeros, then unravelled
    let mut hits: Vec<usize> = Vec::new();
    let row = plan.row_len();
    crate::dispatch!(t.dtype(), T => {
        let p = g.ptr() as *const T;
        let zero = T::zero();
        let mut base = 0;
        plan.for_each_row(|[o], len, [s]| {
            for k in 0..len {
                // SAFETY: inside the tensor's layout under its read guard.
                if unsafe { *p.add(o + k * s) } != zero {
                    hits.push(base + k);
                }
            }
            base += row;
        });
    });
    drop(g);
    let mut data = Vec::with_capacity(hits.len() * nd);
    let shape = t.shape();
    for &h in &hits {
        let start = data.len();
        data.resize(start + nd, 0i64);
        let mut rem = h;
        for d in (0..nd).rev() {
            data[start + d] = (rem % shape[d]) as i64;
            rem /= shape[d];
        }
    }
    Tensor::from_vec(data, &[hits.len(), nd])
}
