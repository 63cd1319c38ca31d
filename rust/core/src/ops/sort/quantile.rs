//! `torch.quantile` / `torch.nanquantile`, computed the way torch does: sort each line (NaN
//! last), take ranks `q * (n - 1)` in the input's dtype, and interpolate between neighbours.

use super::{Lines, Packed, SortKey};
use crate::error::{Error, Result};
use crate::ops::binary::Arith;
use crate::ops::reduce::reduced_shape;
use crate::parallel::SyncPtr;
use crate::shape::{self, Dims};
use crate::tensor::Tensor;
use crate::DType;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interpolation {
    Linear,
    Lower,
    Higher,
    Midpoint,
    Nearest,
}

impl Interpolation {
    pub fn parse(name: &str, op: &str) -> Result<Interpolation> {
        Ok(match name {
            "linear" => Interpolation::Linear,
            "lower" => Interpolation::Lower,
            "higher" => Interpolation::Higher,
            "midpoint" => Interpolation::Midpoint,
            "nearest" => Interpolation::Nearest,
            _ => {
                return Err(Error::runtime(format!(
                    "{op}() interpolation must be one of linear, lower, higher, midpoint or nearest, but got {name}"
                )))
            }
        })
    }
}

/// The `q` of quantile: one number, or a 0-/1-D tensor of the input's dtype on its device.
#[derive(Clone, Copy)]
pub enum Q<'a> {
    Scalar(f64),
    Tensor(&'a Tensor),
}

/// The quantiles `q` of `t` over `dim` (all elements when None). A number or 0-dim `q` gives the
/// reduced shape; a 1-D one a leading dim of its length. `ignore_nan` is nanquantile. The
/// values of a `q` tensor are checked (in [0, 1]) only where they are in host memory, like
/// torch, which checks a CPU q only: on meta the result is its shape alone.
pub fn quantile(
    t: &Tensor,
    q: Q,
    dim: Option<i64>,
    keepdim: bool,
    interpolation: Interpolation,
    ignore_nan: bool,
) -> Result<Tensor> {
    let op = if ignore_nan { "nanquantile" } else { "quantile" };
    let (q, q_scalar, q_len): (Vec<f64>, bool, usize) = match q {
        Q::Scalar(v) => (vec![v], true, 1),
        Q::Tensor(qt) => {
            if qt.device() != t.device() {
                return Err(Error::runtime(format!("{op}() q tensor must be on the same device as the input tensor")));
            }
            let values = if qt.device().is_host() { qt.to_dtype(DType::Float64)?.to_vec::<f64>()? } else { Vec::new() };
            (values, qt.ndim() == 0, qt.numel())
        }
    };
    if !matches!(t.dtype(), DType::Float32 | DType::Float64) {
        return Err(Error::runtime(format!("{op}() input tensor must be either float or double dtype")));
    }
    if q_scalar {
        if let Some(v) = q.first().filter(|v| !(0.0..=1.0).contains(*v)) {
            return Err(Error::runtime(format!("{op}() q must be in the range [0, 1] but got {v}")));
        }
    } else if q.iter().any(|v| !(0.0..=1.0).contains(v)) {
        return Err(Error::runtime(format!("{op}() q values must be in the range [0, 1]")));
    }
    if t.numel() == 0 {
        return Err(Error::runtime(format!("{op}() input tensor must be non-empty")));
    }
    // the lines to reduce, and the result's shape
    let (src, d, mut out_shape): (Tensor, usize, Dims) = match dim {
        None => {
            let s = if keepdim { Dims::from_elem(1, t.ndim()) } else { Dims::new() };
            (t.reshape(&[-1])?, 0, s)
        }
        Some(d) => {
            let d = shape::normalize_dim(d, t.ndim())?;
            let dims: Vec<usize> = if t.ndim() == 0 { vec![] } else { vec![d] };
            (t.clone(), d, reduced_shape(t.shape(), &dims, keepdim))
        }
    };
    if !q_scalar {
        out_shape.insert(0, q_len);
    }
    let out = Tensor::empty_on(&out_shape, t.dtype(), t.device())?;
    if t.is_meta() {
        return Ok(out);
    }
    match t.dtype() {
        DType::Float32 => run::<f32>(&src, d, &q, interpolation, ignore_nan, &out)?,
        _ => run::<f64>(&src, d, &q, interpolation, ignore_nan, &out)?,
    }
    Ok(out)
}

/// `a + w (b - a)` as torch's lerp computes it (from the nearer end, for accuracy).
#[inline]
fn lerp<T: Arith>(a: T, b: T, w: T) -> T {
    if w.to_f64() < 0.5 {
        a.add(w.mul(b.sub(a)))
    } else {
        b.sub(b.sub(a).mul(T::one().sub(w)))
    }
}

fn run<T: SortKey + Arith>(t: &Tensor, dim: usize, q: &[f64], how: Interpolation, ignore_nan: bool, out: &Tensor) -> Result<()> {
    let lines = Lines::new(t, dim);
    let (n, count) = (lines.len, lines.count);
    let g = t.storage().read()?;
    let og = out.storage().write()?;
    let (src, op) = (SyncPtr(g.ptr() as *mut T), SyncPtr(og.ptr() as *mut T));
    let qs: Vec<T> = q.iter().map(|&v| T::from_f64(v)).collect();
    with_packed!(T, n, P => lines.par_ranges(|r| {
        let mut buf: Vec<P> = Vec::with_capacity(n);
        let mut sorted: Vec<T> = Vec::with_capacity(n);
        for l in r {
            let line = lines.line(src.get() as *const T, l);
            line.load(false, &mut buf);
            buf.sort_unstable();
            sorted.clear();
            sorted.extend(buf.iter().map(|e| line.get(e.pos())));
            let valid = if ignore_nan { sorted.iter().filter(|v| !SortKey::is_nan(**v)).count() } else { n };
            let has_nan = SortKey::is_nan(sorted[n - 1]);
            for (j, &qv) in qs.iter().enumerate() {
                let rank = if ignore_nan {
                    let r = qv.mul(T::from_f64(valid as f64 - 1.0));
                    if r.to_f64() < 0.0 { T::zero() } else { r }
                } else if has_nan {
                    T::from_f64((n - 1) as f64) // lands on a NaN
                } else {
                    qv.mul(T::from_f64((n - 1) as f64))
                };
                let rf = rank.to_f64();
                let at = |p: f64| sorted[p as usize];
                let v = match how {
                    Interpolation::Lower => at(rf.floor()),
                    Interpolation::Higher => at(rf.ceil()),
                    Interpolation::Nearest => at(rf.round_ties_even()),
                    Interpolation::Linear | Interpolation::Midpoint => {
                        let below = rf.floor();
                        let w = if how == Interpolation::Linear {
                            rank.sub(T::from_f64(below))
                        } else if below == rf {
                            T::zero()
                        } else {
                            T::from_f64(0.5)
                        };
                        lerp(at(below), at(rf.ceil()), w)
                    }
                };
                // SAFETY: result j * count + l belongs to line l.
                unsafe { *op.get().add(j * count + l) = v };
            }
        }
    }));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolations_match_torch() {
        let t = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[4]).unwrap();
        let qt = Tensor::from_vec(vec![0.1f32, 0.5, 0.625, 0.7], &[4]).unwrap();
        let want: [(Interpolation, [f32; 4]); 5] = [
            (Interpolation::Linear, [1.3, 2.5, 2.875, 3.1]),
            (Interpolation::Lower, [1.0, 2.0, 2.0, 3.0]),
            (Interpolation::Higher, [2.0, 3.0, 3.0, 4.0]),
            (Interpolation::Midpoint, [1.5, 2.5, 2.5, 3.5]),
            (Interpolation::Nearest, [1.0, 3.0, 3.0, 3.0]),
        ];
        for (how, w) in want {
            let r = quantile(&t, Q::Tensor(&qt), None, false, how, false).unwrap();
            let got = r.to_vec::<f32>().unwrap();
            for (a, b) in got.iter().zip(w) {
                assert!((a - b).abs() < 1e-6, "{how:?}: {got:?} vs {w:?}");
            }
        }
    }

    #[test]
    fn meta_gives_the_shape_only() {
        let meta = |s: &[usize]| Tensor::empty_on(s, DType::Float64, crate::Device::Meta).unwrap();
        let r = quantile(&meta(&[4, 5]), Q::Tensor(&meta(&[3])), Some(1), true, Interpolation::Linear, false).unwrap();
        assert!(r.is_meta());
        assert_eq!(r.shape(), &[3, 4, 1]);
        let r = quantile(&meta(&[4, 5]), Q::Scalar(0.5), None, false, Interpolation::Linear, true).unwrap();
        assert_eq!(r.shape(), &[] as &[usize]);
        let cpu_q = Tensor::from_vec(vec![0.5f64], &[1]).unwrap();
        let e = quantile(&meta(&[4]), Q::Tensor(&cpu_q), None, false, Interpolation::Linear, false).unwrap_err();
        assert_eq!(e.to_string(), "quantile() q tensor must be on the same device as the input tensor");
    }
}
