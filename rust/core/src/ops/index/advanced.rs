//! Advanced indexing: `t[indices]` (`index`) and `index_put_` with a list of optional index
//! tensors (int64/int32, bool/uint8 masks turned into their `nonzero` columns), broadcast
//! together and placed as numpy does. Masked indexing depends on the data (the mask's count of
//! true values), so it raises on meta, like torch.

use super::check::check_range;
use super::masked::nonzero;
use super::walk::{gather_walk, scatter_walk, Combine, Values, Walk};
use crate::bail;
use crate::device::Device;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::iter::Plan;
use crate::shape::{self, Dims};
use crate::tensor::Tensor;

/// The walk of `t[indices]` (torch's `aten::index` with a list of optional int64 index
/// tensors, bool masks already turned into `nonzero` columns). The index tensors broadcast
/// together; their shape replaces the indexed dims in place when those are adjacent, else it
/// goes first (numpy's rule). One index keeps its own values (with the dim's stride); several
/// are folded into one tensor of element offsets first.
fn advanced_walk(t: &Tensor, indices: &[Option<Tensor>]) -> Result<Walk> {
    let nd = t.ndim();
    if indices.len() > nd {
        return Err(Error::index(format!("too many indices for tensor of dimension {nd} (got {})", indices.len())));
    }
    let positions: Vec<usize> = (0..indices.len()).filter(|&d| indices[d].is_some()).collect();
    let shapes: Vec<&[usize]> = positions.iter().map(|&d| indices[d].as_ref().unwrap().shape()).collect();
    let bshape = shape::broadcast_shapes_many(&shapes).map_err(|_| {
        let list: Vec<String> = shapes.iter().map(|s| shape::fmt_list(s)).collect();
        Error::index(format!("shape mismatch: indexing tensors could not be broadcast together with shapes {}", list.join(", ")))
    })?;
    for &d in &positions {
        check_range(indices[d].as_ref().unwrap(), d, t.shape()[d], true, true)?;
    }
    // one index: its values and the dim's stride; several: the summed element offsets
    let (idx, mult, size) = if positions.len() == 1 {
        let d = positions[0];
        (indices[d].clone().unwrap().broadcast_to(&bshape)?, t.strides()[d], t.shape()[d] as i64)
    } else {
        // on the indices' device; meta indices have no values to sum (only the shape counts)
        let offsets = Tensor::zeros_on(&bshape, DType::Int64, Device::common(positions.iter().map(|&d| indices[d].as_ref().unwrap()))?)?;
        if !offsets.is_meta() {
            let og = offsets.storage().write()?;
            for &d in &positions {
                let ix = indices[d].as_ref().unwrap().broadcast_to(&bshape)?;
                let ig = ix.storage().read()?;
                let (size, stride) = (t.shape()[d] as i64, t.strides()[d] as i64);
                let plan = Plan::new(&bshape, [offsets.strides(), ix.strides()], [0, ix.offset()]);
                let (op, ip) = (og.ptr() as *mut i64, ig.ptr() as *const i64);
                plan.for_each_row(|[o, i], len, [so, si]| unsafe {
                    for k in 0..len {
                        let v = *ip.add(i + k * si);
                        *op.add(o + k * so) += (if v < 0 { v + size } else { v }) * stride;
                    }
                });
            }
        }
        (offsets, 1, i64::MAX)
    };
    let adjacent = positions.windows(2).all(|w| w[1] == w[0] + 1);
    let (mut shape, mut data_strides, mut idx_strides) = (Dims::new(), Dims::new(), Dims::new());
    let push_index = |shape: &mut Dims, ds: &mut Dims, is: &mut Dims| {
        shape.extend_from_slice(&bshape);
        ds.extend(std::iter::repeat_n(0, bshape.len()));
        is.extend_from_slice(idx.strides());
    };
    if !adjacent {
        push_index(&mut shape, &mut data_strides, &mut idx_strides);
    }
    for d in 0..nd {
        if positions.contains(&d) {
            if adjacent && d == positions[0] {
                push_index(&mut shape, &mut data_strides, &mut idx_strides);
            }
            continue;
        }
        shape.push(t.shape()[d]);
        data_strides.push(t.strides()[d]);
        idx_strides.push(0);
    }
    Ok(Walk { shape, data_strides, data_offset: t.offset(), idx, idx_strides, mult, size })
}

/// Turn `t[indices]`'s index list into int64 index tensors: int32 converted, bool/uint8 masks
/// replaced by their `nonzero` columns (a k-dim mask indexes k dims). Other dtypes are errors.
pub fn expand_masks(t: &Tensor, indices: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
    let mut out = Vec::with_capacity(indices.len());
    for ix in indices {
        let Some(ix) = ix else {
            out.push(None);
            continue;
        };
        match ix.dtype() {
            DType::Int64 => out.push(Some(ix.clone())),
            DType::Int32 => out.push(Some(ix.to_dtype(DType::Int64)?)),
            DType::Bool | DType::UInt8 => {
                let d = out.len();
                for k in 0..ix.ndim() {
                    if d + k >= t.ndim() || ix.shape()[k] != t.shape()[d + k] {
                        return Err(Error::index(format!(
                            "The shape of the mask {} at index {k} does not match the shape of the indexed tensor {} at index {}",
                            shape::fmt_list(ix.shape()), shape::fmt_list(t.shape()), d + k
                        )));
                    }
                }
                let nz = nonzero(ix)?;
                for k in 0..ix.ndim() {
                    out.push(Some(nz.select(1, k as i64)?));
                }
            }
            _ => return Err(Error::index("tensors used as indices must be long, int, byte or bool tensors")),
        }
    }
    Ok(out)
}

/// `t[indices]` for a list of optional index tensors (int64/int32/bool/uint8).
pub fn index(t: &Tensor, indices: &[Option<Tensor>]) -> Result<Tensor> {
    let indices = expand_masks(t, indices)?;
    if indices.iter().all(Option::is_none) {
        return Ok(t.clone());
    }
    gather_walk(t, &advanced_walk(t, &indices)?)
}

/// `t.index_put_(indices, values, accumulate)`: `values` broadcast to `t[indices]`'s shape.
pub fn index_put_(t: &Tensor, indices: &[Option<Tensor>], values: &Tensor, accumulate: bool) -> Result<()> {
    if values.dtype() != t.dtype() {
        bail!(
            "Index put requires the source and destination dtypes match, got {} for the destination and {} for the source.",
            t.dtype(), values.dtype()
        );
    }
    let indices = expand_masks(t, indices)?;
    if indices.iter().all(Option::is_none) {
        return t.copy_(values);
    }
    let walk = advanced_walk(t, &indices)?;
    let v = values.broadcast_to(&walk.shape).map_err(|_| {
        Error::runtime(format!(
            "shape mismatch: value tensor of shape {} cannot be broadcast to indexing result of shape {}",
            shape::fmt_list(values.shape()), shape::fmt_list(&walk.shape)
        ))
    })?;
    scatter_walk(t, &walk, Values::Tensor(&v), if accumulate { Combine::Add } else { Combine::Assign }, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ix(v: &[i64], s: &[usize]) -> Tensor {
        Tensor::from_slice(v, s).unwrap()
    }

    #[test]
    fn advanced_index_placement() {
        let x = Tensor::from_vec((0..24).map(|v| v as f32).collect(), &[2, 3, 4]).unwrap();
        // adjacent: shape stays in place
        let r = index(&x, &[None, Some(ix(&[0, 2], &[2])), Some(ix(&[1, 3], &[2]))]).unwrap();
        assert_eq!(r.shape(), &[2, 2]);
        assert_eq!(r.to_vec::<f32>().unwrap(), vec![1., 11., 13., 23.]);
        // separated: index dims first
        let r = index(&x, &[Some(ix(&[1], &[1])), None, Some(ix(&[0], &[1]))]).unwrap();
        assert_eq!(r.shape(), &[1, 3]);
        assert_eq!(r.to_vec::<f32>().unwrap(), vec![12., 16., 20.]);
    }

    #[test]
    fn several_indices_on_meta() {
        let meta = |s: &[usize], d| Tensor::empty_on(s, d, Device::Meta).unwrap();
        let x = meta(&[3, 4, 5], DType::Float32);
        let i = meta(&[2], DType::Int64);
        let r = index(&x, &[Some(i.clone()), None, Some(i.clone())]).unwrap();
        assert!(r.is_meta());
        assert_eq!((r.shape(), r.strides()), (&[2usize, 4][..], &[4usize, 1][..]));
        index_put_(&x, &[Some(i.clone()), None, Some(i)], &meta(&[4], DType::Float32), true).unwrap();
        // a mask's true count is data: no meta result
        assert!(matches!(index(&x, &[Some(meta(&[3], DType::Bool))]), Err(Error::NoHostData(Device::Meta))));
    }
}
