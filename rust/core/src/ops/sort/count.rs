//! Counting: `torch.bincount`, `torch.histc` and `torch.histogram`.

use crate::allocator::try_vec;
use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::ops::binary::Arith;
use crate::tensor::Tensor;

/// `torch.bincount(t, weights, minlength)`: occurrences of each value of a 1-D non-negative
/// integer tensor (int64), or sums of `weights` per value (float32 for float32 weights, else
/// float64).
pub fn bincount(t: &Tensor, weights: Option<&Tensor>, minlength: i64) -> Result<Tensor> {
    if !t.dtype().is_integral(false) {
        return Err(Error::unsupported("bincount_cpu", t.dtype()));
    }
    if minlength < 0 {
        return Err(Error::runtime("minlength should be >= 0"));
    }
    if t.ndim() == 1 && t.numel() == 0 {
        return Tensor::zeros(&[minlength as usize], DType::Int64);
    }
    let values = t.to_dtype(DType::Int64)?.to_vec::<i64>()?;
    if t.ndim() != 1 || values.iter().any(|&v| v < 0) {
        return Err(Error::runtime("bincount only supports 1-d non-negative integral inputs."));
    }
    if let Some(w) = weights {
        if w.ndim() != 1 || w.numel() != values.len() {
            return Err(Error::runtime("weights should be 1-d and have the same length as input"));
        }
    }
    let len = (*values.iter().max().unwrap() as usize + 1).max(minlength as usize);
    match weights {
        None => {
            let mut c = try_vec(len, 0i64)?;
            values.iter().for_each(|&v| c[v as usize] += 1);
            Tensor::from_vec(c, &[len])
        }
        Some(w) if w.dtype() == DType::Float32 => weighted::<f32>(&values, w, len),
        Some(w) => weighted::<f64>(&values, &w.to_dtype(DType::Float64)?, len),
    }
}

fn weighted<W: Arith>(values: &[i64], w: &Tensor, len: usize) -> Result<Tensor> {
    let mut c = try_vec(len, W::zero())?;
    for (&v, x) in values.iter().zip(w.to_vec::<W>()?) {
        c[v as usize] = c[v as usize].add(x);
    }
    Tensor::from_vec(c, &[len])
}

/// Floating dtypes only, with torch's message for the others.
fn check_float(t: &Tensor, kernel: &'static str) -> Result<()> {
    if !t.dtype().is_floating_point() {
        return Err(Error::unsupported(kernel, t.dtype()));
    }
    Ok(())
}

fn check_bins(bins: i64) -> Result<usize> {
    if bins <= 0 {
        return Err(Error::runtime(format!("torch.histogram(): bins must be > 0, but got {bins} for dimension 0")));
    }
    Ok(bins as usize)
}

/// The smallest and largest element (NaN when any element is NaN, like torch's aminmax).
fn min_max(t: &Tensor) -> Result<(f64, f64)> {
    let v = t.to_dtype(DType::Float64)?.to_vec::<f64>()?;
    if v.iter().any(|x| x.is_nan()) {
        return Ok((f64::NAN, f64::NAN));
    }
    Ok(v.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x))))
}

/// A dtype as torch's messages name it through caffe2's TypeMeta ("float", "long int", "c10::Half").
fn type_meta_name(d: DType) -> &'static str {
    match d {
        DType::Float32 => "float",
        DType::Float64 => "double",
        DType::Float16 => "c10::Half",
        DType::BFloat16 => "c10::BFloat16",
        DType::Int64 => "long int",
        DType::Int32 => "int",
        DType::Int16 => "short int",
        DType::Int8 => "signed char",
        DType::UInt8 => "unsigned char",
        DType::Bool => "bool",
    }
}

/// Format a bound the way torch's messages print doubles (`1`, `2.5`, `inf`, `nan`).
fn show(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else {
        format!("{v}")
    }
}

/// `torch.histc(t, bins, min, max)`: counts in `bins` equal-width bins over [min, max] (the data's
/// range when min == max), in the input's dtype. Elements outside the range (and NaN) are
/// ignored; the last bin includes max.
pub fn histc(t: &Tensor, bins: i64, min: f64, max: f64) -> Result<Tensor> {
    // torch's order: the bin count, the range (the data's when min == max), then the dtype
    let bins = check_bins(bins)?;
    let (mut lo, mut hi) = (min, max);
    if lo == hi && t.numel() > 0 && !t.is_meta() {
        (lo, hi) = min_max(t)?;
    }
    if lo == hi {
        (lo, hi) = (lo - 1.0, hi + 1.0);
    }
    if !lo.is_finite() || !hi.is_finite() {
        return Err(Error::runtime(format!("torch.histc: range of [{}, {}] is not finite", show(lo), show(hi))));
    }
    if lo >= hi {
        return Err(Error::runtime("torch.histc: max must be larger than min"));
    }
    check_float(t, if t.dtype() == DType::Bool { "linspace_cpu" } else { "histogram_cpu" })?;
    if t.is_meta() {
        return Tensor::empty_on(&[bins], t.dtype(), t.device());
    }
    let counts = crate::dispatch!(t.dtype(), T => {
        let (lo, hi) = (T::from_f64(lo), T::from_f64(hi));
        uniform_counts::<T>(t, lo, hi, bins)?
    });
    Tensor::from_vec(counts, &[bins])?.to_dtype(t.dtype())
}

/// Counts of the elements of `t` in `bins` equal-width bins over [lo, hi] (both in `T`), placing
/// each element as torch's histc does: by interpolation in float32 (float64 for float64 inputs),
/// so 0.7f32 lands in bin 7 of 10 over [0, 1] (its float32 product rounds up to 7) while the
/// same value as float64 lands in bin 6, both as in torch.
fn uniform_counts<T: Element + PartialOrd>(t: &Tensor, lo: T, hi: T, bins: usize) -> Result<Vec<f64>> {
    let wide = T::DTYPE == DType::Float64;
    let (lo64, hi64) = (lo.to_f64(), hi.to_f64());
    let mut counts = try_vec(bins, 0.0f64)?;
    for x in t.contiguous()?.to_vec::<T>()? {
        if !(x >= lo && x <= hi) {
            continue;
        }
        let pos = if wide {
            ((x.to_f64() - lo64) * bins as f64 / (hi64 - lo64)) as usize
        } else {
            ((x.to_f64() as f32 - lo64 as f32) * bins as f32 / (hi64 as f32 - lo64 as f32)) as usize
        };
        counts[pos.min(bins - 1)] += 1.0;
    }
    Ok(counts)
}

/// `torch.linspace(start, end, steps)` in `T`'s precision, computed as torch's CPU kernel does
/// (from both ends towards the middle), for histogram's bin edges.
fn linspace<T: Arith>(start: f64, end: f64, steps: usize) -> Result<Vec<T>> {
    let (s, e) = (T::from_f64(start), T::from_f64(end));
    if steps == 1 {
        return Ok(vec![s]);
    }
    let step = e.sub(s).div(T::from_f64((steps - 1) as f64));
    let half = steps / 2;
    let mut out = crate::allocator::try_with_capacity(steps)?;
    out.extend((0..steps).map(|i| if i < half { s.add(step.mul(T::from_f64(i as f64))) } else { e.sub(step.mul(T::from_f64((steps - i - 1) as f64))) }));
    Ok(out)
}

/// Binning of `torch.histogram`: either `bins` equal-width bins over `range` (the data's range
/// when None), or the given increasing `edges`.
pub enum Bins<'a> {
    Count(i64, Option<(f64, f64)>),
    Edges(&'a Tensor),
}

/// `torch.histogram(t, bins, range=, weight=, density=)`: (hist, bin_edges).
pub fn histogram(t: &Tensor, bins: Bins, weight: Option<&Tensor>, density: bool) -> Result<(Tensor, Tensor)> {
    // torch's order: for a bin count, the count, the range, the input's dtype, then the weight;
    // for given edges, the edges' checks, the weight, then the input's dtype
    enum Edges<'e> {
        Given(&'e Tensor),
        Even(f64, f64, usize),
    }
    let kernel = if matches!(bins, Bins::Edges(_)) { "histogram_cpu" } else { "histogramdd" };
    let dtype_check = || -> Result<()> {
        check_float(t, kernel)?;
        if matches!(t.dtype(), DType::Float16 | DType::BFloat16) {
            return Err(Error::unsupported(kernel, t.dtype()));
        }
        Ok(())
    };
    let edges = match bins {
        Bins::Edges(e) => {
            if e.dtype() != t.dtype() {
                return Err(Error::runtime(format!(
                    "torch.histogramdd: input tensor and bins tensors should have the same dtype, but got input with dtype {} and bins for dimension 0 with dtype {}",
                    type_meta_name(t.dtype()),
                    type_meta_name(e.dtype())
                )));
            }
            if e.ndim() != 1 {
                return Err(Error::runtime(format!(
                    "torch.histogramdd: bins tensor should have one dimension, but got {} dimensions in the bins tensor for dimension 0",
                    e.ndim()
                )));
            }
            check_bins(e.numel() as i64 - 1)?;
            Edges::Given(e)
        }
        Bins::Count(n, range) => {
            let n = check_bins(n)?;
            let (mut lo, mut hi) = match range {
                Some((lo, hi)) => (lo, hi),
                None if t.numel() == 0 => (0.0, 1.0),
                None => min_max(t)?,
            };
            if lo > hi {
                return Err(Error::runtime(format!("torch.histogramdd: min should not exceed max, but got min {} max {} for dimension 0", show(lo), show(hi))));
            }
            if !lo.is_finite() || !hi.is_finite() {
                return Err(Error::runtime(format!("torch.histogramdd: dimension 0's range [{}, {}] is not finite", show(lo), show(hi))));
            }
            if lo == hi {
                (lo, hi) = (lo - 0.5, hi + 0.5);
            }
            dtype_check()?;
            Edges::Even(lo, hi, n)
        }
    };
    if let Some(w) = weight {
        // torch flattens both first: the input to [numel, 1], the weight to [numel]
        if w.dtype() != t.dtype() {
            return Err(Error::runtime(format!(
                "torch.histogramdd: if weight tensor is provided, input tensor and weight tensor should have the same dtype, but got input({}), and weight({})",
                type_meta_name(t.dtype()),
                type_meta_name(w.dtype())
            )));
        }
        if w.numel() != t.numel() {
            return Err(Error::runtime(format!(
                "torch.histogramdd: if weight tensor is provided it should have the same shape as the input tensor excluding its innermost dimension, but got input with shape [{}, 1] and weight with shape [{}]",
                t.numel(),
                w.numel()
            )));
        }
    }
    dtype_check()?;
    let edges = match edges {
        Edges::Even(lo, hi, n) => crate::dispatch!(t.dtype(), T => Tensor::from_vec(linspace::<T>(lo, hi, n + 1)?, &[n + 1])?),
        Edges::Given(e) => e.contiguous()?,
    };
    let hist = match t.dtype() {
        DType::Float32 => histogram_counts::<f32>(t, &edges, weight, density)?,
        _ => histogram_counts::<f64>(t, &edges, weight, density)?,
    };
    Ok((hist, edges))
}

fn histogram_counts<T: Arith>(t: &Tensor, edges: &Tensor, weight: Option<&Tensor>, density: bool) -> Result<Tensor> {
    let e = edges.to_vec::<T>()?;
    let bins = e.len() - 1;
    let xs = t.contiguous()?.to_vec::<T>()?;
    let ws = weight.map(|w| w.to_vec::<T>()).transpose()?;
    let (lo, hi) = (e[0], e[bins]);
    let mut hist = try_vec(bins, 0.0f64)?;
    for (i, &x) in xs.iter().enumerate() {
        if !(x >= lo && x <= hi) {
            continue;
        }
        // the last edge <= x (torch interpolates, then corrects to exactly this); x == the last
        // edge falls in the last bin
        let pos = (e.partition_point(|b| *b <= x) - 1).min(bins - 1);
        hist[pos] += ws.as_ref().map_or(1.0, |w| w[i].to_f64());
    }
    if density {
        let total: f64 = hist.iter().sum();
        for (b, h) in hist.iter_mut().enumerate() {
            *h /= total * (e[b + 1].to_f64() - e[b].to_f64());
        }
    }
    Tensor::from_vec(hist.into_iter().map(T::from_f64).collect::<Vec<T>>(), &[bins])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histc_bins_in_float32() {
        let t = Tensor::from_vec(vec![0.1f32, 0.2, 0.3, 0.7, 1.0], &[5]).unwrap();
        let h = histc(&t, 10, 0.0, 1.0).unwrap();
        // (0.7f32 - 0) * 10 rounds up to 7 in float32: bin 7, as in torch
        assert_eq!(h.to_vec::<f32>().unwrap(), vec![0., 1., 1., 1., 0., 0., 0., 1., 0., 1.]);
        let c = bincount(&Tensor::from_vec(vec![1i64, 3, 1], &[3]).unwrap(), None, 0).unwrap();
        assert_eq!(c.to_vec::<i64>().unwrap(), vec![0, 2, 0, 1]);
    }
}
