//! Binary searches: `torch.searchsorted`, `torch.bucketize` and `torch.isin`.

use super::SortKey;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::ops::{result_dtype, Arg};
use crate::parallel::{self, SyncPtr};
use crate::shape::fmt_list;
use crate::tensor::Tensor;

/// Values searched per parallel chunk.
const SEARCH_GRAIN: usize = 1 << 13;

/// `torch.searchsorted(boundaries, values, right=, sorter=, out_int32=)`. `boundaries` is 1-D
/// or has the leading dims of `values`; both are promoted to their common dtype.
pub fn searchsorted(boundaries: &Tensor, values: Arg, right: bool, sorter: Option<&Tensor>, out_int32: bool) -> Result<Tensor> {
    if boundaries.ndim() == 0 {
        return Err(Error::runtime("torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 dimension"));
    }
    if let Some(s) = sorter {
        if s.dtype() != DType::Int64 {
            return Err(Error::runtime(format!(
                "torch.searchsorted(): sorter must be a tensor of long dtype but got dtype {}",
                s.dtype().scalar_type_name()
            )));
        }
        if s.shape() != boundaries.shape() {
            return Err(Error::runtime(format!(
                "torch.searchsorted(): boundary and sorter must have the same size, but got boundary tensor {}and got sorter tensor {}",
                fmt_list(boundaries.shape()),
                fmt_list(s.shape())
            )));
        }
    }
    match values {
        Arg::Scalar(_) if boundaries.ndim() != 1 => {
            return Err(Error::runtime(format!(
                "torch.searchsorted(): input value can be a scalar only when boundaries tensor dimension is 1, but we got boundaries tensor dim({}) and input value's dim(0) numel(1)",
                boundaries.ndim()
            )))
        }
        Arg::Tensor(v) => {
            let (bs, vs) = (boundaries.shape(), v.shape());
            if bs.len() != 1 && (bs.len() != vs.len() || bs[..bs.len() - 1] != vs[..vs.len() - 1]) {
                return Err(Error::runtime(format!(
                    "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input value tensor must match, but we got boundaries tensor {} and input value tensor {}",
                    fmt_list(bs),
                    fmt_list(vs)
                )));
            }
        }
        Arg::Scalar(_) => {}
    }
    let dtype = result_dtype(&[Arg::Tensor(boundaries), values.clone()]);
    if dtype == DType::Bool {
        return Err(Error::unsupported("searchsorted_out_cpu", dtype));
    }
    let b = boundaries.to_dtype(dtype)?.contiguous()?;
    let v = values.as_tensor(dtype)?.contiguous()?;
    let device = crate::Device::common([&b, &v])?;
    if device == crate::Device::Meta {
        return Tensor::empty_on(v.shape(), DType::Int64, device);
    }
    let n = *b.shape().last().unwrap();
    let sorter = sorter.map(|s| s.to_vec::<i64>()).transpose()?;
    if let Some(s) = &sorter {
        if s.iter().any(|&i| i < 0 || i as usize >= n) {
            return Err(Error::runtime("torch.searchsorted(): sorter index out of range"));
        }
    }
    // values per boundary row (a 1-D boundaries tensor serves every value)
    let per_row = if b.ndim() == 1 { usize::MAX } else { *v.shape().last().unwrap_or(&1) };
    let out = Tensor::empty(v.shape(), DType::Int64)?;
    crate::dispatch!(dtype, T => {
        let (bd, vd) = (b.to_vec::<T>()?, v.to_vec::<T>()?);
        let og = out.storage().write()?;
        let op = SyncPtr(og.ptr() as *mut i64);
        parallel::for_each_chunk(vd.len(), SEARCH_GRAIN, |r| {
            for e in r {
                let start = if per_row == usize::MAX { 0 } else { e / per_row * n };
                let row = &bd[start..start + n];
                let pos = match &sorter {
                    None => bound(|i| row[i], n, vd[e], right),
                    Some(s) => {
                        let order = &s[start..start + n];
                        bound(|i| row[order[i] as usize], n, vd[e], right)
                    }
                };
                // SAFETY: element e of the result belongs to this chunk.
                unsafe { *op.get().add(e) = pos as i64 };
            }
        });
    });
    if out_int32 {
        return out.to_dtype(DType::Int32);
    }
    Ok(out)
}

/// The first position in `at(0..n)` whose element is `>= v` (or `> v` with `right`), compared as
/// torch does (a NaN boundary is never `>=`, so NaN values land past the end).
#[inline]
fn bound<T: PartialOrd + Copy>(at: impl Fn(usize) -> T, n: usize, v: T, right: bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let m = at(mid);
        let go_right = if right { !(m > v) } else { !(m >= v) };
        if go_right {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// `torch.bucketize(input, boundaries, right=, out_int32=)`: searchsorted on 1-D boundaries.
pub fn bucketize(input: Arg, boundaries: &Tensor, right: bool, out_int32: bool) -> Result<Tensor> {
    if boundaries.ndim() != 1 {
        return Err(Error::runtime(format!("boundaries tensor must be 1 dimension, but got dim({})", boundaries.ndim())));
    }
    searchsorted(boundaries, input, right, None, out_int32)
}

/// `torch.isin(elements, test_elements, invert=)`: whether each element equals any test element.
pub fn isin(elements: Arg, test: Arg, invert: bool) -> Result<Tensor> {
    let dtype = result_dtype(&[elements.clone(), test.clone()]);
    if dtype == DType::Bool {
        return Err(Error::NotImplemented("Unsupported input type encountered for isin(): Bool".into()));
    }
    let e = elements.as_tensor(dtype)?.contiguous()?;
    let device = match &test {
        Arg::Tensor(t) => crate::Device::common([&e, *t])?,
        Arg::Scalar(_) => e.device(),
    };
    if device == crate::Device::Meta {
        return Tensor::empty_on(e.shape(), DType::Bool, device);
    }
    let out = Tensor::empty(e.shape(), DType::Bool)?;
    crate::dispatch!(dtype, T => {
        let ed = e.to_vec::<T>()?;
        // sorted keys of the test elements; NaN equals nothing, so it is left out
        let mut keys: Vec<u64> = test.as_tensor(dtype)?.to_vec::<T>()?.into_iter().filter(|v| !v.is_nan()).map(|v| v.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        let og = out.storage().write()?;
        let op = SyncPtr(og.ptr() as *mut bool);
        parallel::for_each_chunk(ed.len(), SEARCH_GRAIN, |r| {
            for i in r {
                let found = !ed[i].is_nan() && keys.binary_search(&ed[i].key()).is_ok();
                // SAFETY: element i of the result belongs to this chunk.
                unsafe { *op.get().add(i) = found != invert };
            }
        });
    });
    Ok(out)
}
