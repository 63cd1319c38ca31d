//! Selections along a dim: topk, kthvalue, median/nanmedian, mode. Each picks positions of a
//! line through the packed (key, position) pairs of `super`; the values are the elements at
//! those positions. median and mode resolve ties as a stable sort would (as torch's do); topk
//! and kthvalue run torch's own unstable algorithms on the keys alone (`libstdcxx`), so that
//! they return the same one of several equal elements, in the same order, as torch.

use super::libstdcxx;
use super::{resized, Line, Lines, Packed, SortKey};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::parallel::SyncPtr;
use crate::shape;
use crate::tensor::Tensor;

/// What one op picks from a line.
trait Pick: Sync {
    /// Positions (in output order) of the elements this op selects from `line`; `buf` is scratch.
    fn pick<T: SortKey, P: Packed>(&self, line: &Line<T>, buf: &mut Vec<P>, out: &mut Vec<usize>);
}

/// (values, indices) of `op` over every line along `dim`, `m` results per line, in contiguous
/// tensors shaped like `t` with `m` elements along `dim`.
fn pick_lines<O: Pick>(t: &Tensor, dim: usize, m: usize, op: &O) -> Result<(Tensor, Tensor)> {
    let shape = resized(t.shape(), dim, m);
    let values = Tensor::empty_on(&shape, t.dtype(), t.device())?;
    let indices = Tensor::empty_on(&shape, DType::Int64, t.device())?;
    if t.is_meta() {
        return Ok((values, indices));
    }
    let lines = Lines::new(t, dim);
    let os = lines.out_stride();
    crate::dispatch!(t.dtype(), T => {
        let g = t.storage().read()?;
        let (vg, ig) = (values.storage().write()?, indices.storage().write()?);
        let (src, vp, ip) = (SyncPtr(g.ptr() as *mut T), SyncPtr(vg.ptr() as *mut T), SyncPtr(ig.ptr() as *mut i64));
        with_packed!(T, lines.len, P => lines.par_ranges(|r| {
            let (mut buf, mut picks): (Vec<P>, Vec<usize>) = (Vec::with_capacity(lines.len), Vec::with_capacity(m));
            for l in r {
                let line = lines.line(src.get() as *const T, l);
                picks.clear();
                op.pick(&line, &mut buf, &mut picks);
                debug_assert_eq!(picks.len(), m);
                let out = lines.out_offset(l, m);
                for (j, &p) in picks.iter().enumerate() {
                    // SAFETY: line l owns positions out + j * os of the results.
                    unsafe {
                        *vp.get().add(out + j * os) = line.get(p);
                        *ip.get().add(out + j * os) = p as i64;
                    }
                }
            }
        }));
    });
    Ok((values, indices))
}

/// Drop the size-1 `dim` of a reduction result unless `keepdim`.
fn squeeze_dim(t: Tensor, dim: usize, keepdim: bool) -> Result<Tensor> {
    if keepdim || t.ndim() == 0 {
        return Ok(t);
    }
    t.squeeze(Some(&[dim as i64]))
}

/// torch's check that a reduction dim is not empty.
fn check_nonempty(t: &Tensor, dim: usize, op: &str) -> Result<()> {
    if t.ndim() > 0 && t.shape()[dim] == 0 {
        return Err(Error::index(format!("{op}(): Expected reduction dim {dim} to have non-zero size.")));
    }
    Ok(())
}

fn not_for_bool(t: &Tensor, kernel: &'static str) -> Result<()> {
    if t.dtype() == DType::Bool {
        return Err(Error::unsupported(kernel, DType::Bool));
    }
    Ok(())
}

struct TopK {
    k: usize,
    largest: bool,
    sorted: bool,
}

impl Pick for TopK {
    /// torch's `topk_impl_loop`: a partial sort when k is small next to the line, else an
    /// nth_element then (when `sorted`) a sort of the k - 1 elements before the k-th. Its
    /// comparator orders NaN above everything (below, for the smallest) and sees nothing but
    /// values, which is what comparing keys does (loaded flipped for `largest`).
    fn pick<T: SortKey, P: Packed>(&self, line: &Line<T>, buf: &mut Vec<P>, out: &mut Vec<usize>) {
        let k = self.k;
        if k == 0 {
            return;
        }
        line.load(self.largest, buf);
        let less = |a: P, b: P| a.key() < b.key();
        if k * 64 <= buf.len() {
            libstdcxx::partial_sort(buf, k, &less);
        } else {
            libstdcxx::nth_element(buf, k - 1, &less);
            if self.sorted {
                libstdcxx::sort(&mut buf[..k - 1], &less);
            }
        }
        out.extend(buf[..k].iter().map(|e| e.pos()));
    }
}

/// `torch.topk`: the k largest (or smallest) elements along `dim`; with `sorted` in order,
/// else in the order torch's selection leaves them.
pub fn topk(t: &Tensor, k: i64, dim: i64, largest: bool, sorted: bool) -> Result<(Tensor, Tensor)> {
    let dim = shape::normalize_dim(dim, t.ndim())?;
    if t.dtype() == DType::Bool {
        return Err(Error::NotImplemented("topk does not support bool dtypes on CPU".into()));
    }
    let n = t.shape().get(dim).copied().unwrap_or(1);
    if k < 0 || k as usize > n {
        return Err(Error::runtime("selected index k out of range"));
    }
    // a 0-dim input gives itself back even for k == 0, as in torch
    let k = if t.ndim() == 0 { 1 } else { k as usize };
    pick_lines(t, dim, k, &TopK { k, largest, sorted })
}

/// The element at sorted position `k` (0-based), NaN counting as the largest, picked by
/// torch's quick select.
struct Kth(usize);

impl Pick for Kth {
    fn pick<T: SortKey, P: Packed>(&self, line: &Line<T>, buf: &mut Vec<P>, out: &mut Vec<usize>) {
        line.load(false, buf);
        libstdcxx::quick_select(buf, self.0, &|a: P, b: P| a.key() > b.key());
        out.push(buf[self.0].pos());
    }
}

/// `torch.kthvalue`: the k-th smallest element (1-based) along `dim`.
pub fn kthvalue(t: &Tensor, k: i64, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
    // torch's order: the dim, an empty reduction, k's range, then the dtype
    let d = shape::normalize_dim(dim, t.ndim())?;
    check_nonempty(t, d, "kthvalue")?;
    let n = t.shape().get(d).copied().unwrap_or(1);
    if k < 1 || k as usize > n {
        return Err(Error::runtime(format!("kthvalue(): selected number k out of range for dimension {d}")));
    }
    not_for_bool(t, "kthvalue_cpu")?;
    let (v, i) = pick_lines(t, d, 1, &Kth(k as usize - 1))?;
    Ok((squeeze_dim(v, d, keepdim)?, squeeze_dim(i, d, keepdim)?))
}

/// The lower median; with `ignore_nan` of the non-NaN elements (the first element when all are
/// NaN), else the first NaN when there is one.
struct Median {
    ignore_nan: bool,
}

impl Pick for Median {
    fn pick<T: SortKey, P: Packed>(&self, line: &Line<T>, buf: &mut Vec<P>, out: &mut Vec<usize>) {
        let n = line.len;
        let nans = if T::DTYPE.is_floating_point() { (0..n).filter(|&i| line.get(i).is_nan()).count() } else { 0 };
        if nans > 0 && !self.ignore_nan {
            out.push((0..n).find(|&i| line.get(i).is_nan()).unwrap());
            return;
        }
        if nans == n {
            out.push(0);
            return;
        }
        line.load(false, buf); // NaNs sort last, outside the first n - nans
        out.push(buf.select_nth_unstable((n - nans - 1) / 2).1.pos());
    }
}

/// `torch.median(dim)` / `torch.nanmedian(dim)`: (values, indices).
pub fn median_dim(t: &Tensor, dim: i64, keepdim: bool, ignore_nan: bool) -> Result<(Tensor, Tensor)> {
    let d = shape::normalize_dim(dim, t.ndim())?;
    not_for_bool(t, "median_out")?;
    check_nonempty(t, d, "median")?;
    let (v, i) = pick_lines(t, d, 1, &Median { ignore_nan })?;
    Ok((squeeze_dim(v, d, keepdim)?, squeeze_dim(i, d, keepdim)?))
}

/// `torch.median()` / `torch.nanmedian()` of all elements: a 0-dim tensor (NaN when empty).
pub fn median_all(t: &Tensor, ignore_nan: bool) -> Result<Tensor> {
    not_for_bool(t, "median_cpu")?;
    if t.numel() == 0 {
        return Tensor::full_on(&[], crate::Scalar::Float(f64::NAN), t.dtype(), t.device());
    }
    let flat = t.reshape(&[-1])?;
    let (v, _) = pick_lines(&flat, 0, 1, &Median { ignore_nan })?;
    v.reshape(&[])
}

/// The most frequent value (the smallest of those tied), at the last position it occurs;
/// NaNs never compare equal, so each counts once, as in torch.
struct Mode;

impl Pick for Mode {
    fn pick<T: SortKey, P: Packed>(&self, line: &Line<T>, buf: &mut Vec<P>, out: &mut Vec<usize>) {
        line.load(false, buf);
        buf.sort_unstable();
        let (mut best, mut best_count, mut run) = (0, 0, 0);
        for j in 0..buf.len() {
            run += 1;
            let end = j + 1 == buf.len() || line.get(buf[j].pos()) != line.get(buf[j + 1].pos());
            if end {
                if run > best_count {
                    (best, best_count) = (buf[j].pos(), run);
                }
                run = 0;
            }
        }
        out.push(best);
    }
}

/// `torch.mode`: (values, indices) along `dim`.
pub fn mode(t: &Tensor, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
    let d = shape::normalize_dim(dim, t.ndim())?;
    check_nonempty(t, d, "mode")?;
    let (v, i) = pick_lines(t, d, 1, &Mode)?;
    Ok((squeeze_dim(v, d, keepdim)?, squeeze_dim(i, d, keepdim)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selections() {
        let t = Tensor::from_vec(vec![2.0f32, 1.0, 2.0, 1.0, 2.0], &[5]).unwrap();
        // indices as torch's CPU kernels give them
        let (v, i) = topk(&t, 2, 0, false, true).unwrap();
        assert_eq!((v.to_vec::<f32>().unwrap(), i.to_vec::<i64>().unwrap()), (vec![1.0, 1.0], vec![1, 3]));
        let (_, i) = kthvalue(&t, 2, 0, false).unwrap();
        assert_eq!(i.to_vec::<i64>().unwrap(), vec![3]);
        let u = Tensor::from_vec(vec![1.0f32, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0], &[7]).unwrap();
        let (_, i) = topk(&u, 3, 0, true, true).unwrap();
        assert_eq!(i.to_vec::<i64>().unwrap(), vec![3, 6, 5]);
        let (v, i) = median_dim(&t, 0, false, false).unwrap();
        assert_eq!((v.to_vec::<f32>().unwrap(), i.to_vec::<i64>().unwrap()), (vec![2.0], vec![0]));
        let m = Tensor::from_vec(vec![3i64, 1, 3, 1, 2, 2], &[6]).unwrap();
        let (v, i) = mode(&m, 0, false).unwrap();
        assert_eq!((v.to_vec::<i64>().unwrap(), i.to_vec::<i64>().unwrap()), (vec![1], vec![3]));
    }

    #[test]
    fn median_nan() {
        let t = Tensor::from_vec(vec![1.0f64, f64::NAN, 0.0, f64::NAN], &[4]).unwrap();
        let (_, i) = median_dim(&t, 0, false, false).unwrap();
        assert_eq!(i.to_vec::<i64>().unwrap(), vec![1]);
        let (v, i) = median_dim(&t, 0, false, true).unwrap();
        assert_eq!((v.to_vec::<f64>().unwrap(), i.to_vec::<i64>().unwrap()), (vec![0.0], vec![2]));
    }
}
