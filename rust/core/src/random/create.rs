//! The random functions that make their result: `torch.randperm`, `torch.multinomial` and
//! `torch.normal` with tensor arguments, with torch's argument and dtype checks. (The random
//! factories `rand`, `randn`, `randint`... are an empty tensor plus a fill from fill.rs.)

use super::discrete::check_multinomial;
use super::fill::{check_normal_std, normal_};
use super::{Generator, RandFloat};
use crate::error::{Error, Result};
use crate::ops::binary::dispatch_float;
use crate::{DType, Element, Tensor};

/// `torch.randperm(n, dtype=dtype)`: a random permutation of `0..n` (see
/// [`Generator::randperm`]), in any dtype but bool that holds `n - 1` exactly.
pub fn randperm(n: i64, dtype: DType, g: &mut Generator) -> Result<Tensor> {
    if n < 0 {
        return Err(Error::runtime(format!("Trying to create tensor with negative dimension {n}: [{n}]")));
    }
    if dtype == DType::Bool {
        return Err(Error::unsupported("randperm", dtype));
    }
    let top = if n > 0 { n - 1 } else { n };
    let (max, cname): (f64, &str) = match dtype {
        DType::UInt8 => (u8::MAX as f64, "uint8_t"),
        DType::Int8 => (i8::MAX as f64, "int8_t"),
        DType::Int16 => (i16::MAX as f64, "int16_t"),
        DType::Int32 => (i32::MAX as f64, "int"),
        DType::Float16 => (65504.0, "at::Half"),
        _ => (f64::INFINITY, ""),
    };
    if top as f64 > max {
        return Err(Error::runtime(format!("value cannot be converted to type {cname} without overflow")));
    }
    match dtype {
        DType::Float16 if n > (1 << 11) + 1 => return Err(Error::runtime("n cannot be greater than 2049 for Half type.")),
        DType::Float32 if n > (1 << 24) + 1 => return Err(Error::runtime("n cannot be greater than 2^24+1 for Float type.")),
        DType::Float64 if n > (1 << 53) + 1 => return Err(Error::runtime("n cannot be greater than 2^53+1 for Double type.")),
        _ => {}
    }
    let n = n as usize;
    Tensor::from_vec(g.randperm(n)?, &[n])?.to_dtype(dtype)
}

/// `torch.multinomial(probs, num_samples, replacement)`: int64 indices, one row of samples per
/// row of the 1-D or 2-D floating `probs` (see [`Generator::multinomial`]; float16/bfloat16
/// probabilities are sampled in float32).
pub fn multinomial(probs: &Tensor, num_samples: i64, replacement: bool, g: &mut Generator) -> Result<Tensor> {
    let nd = probs.ndim();
    if nd == 0 || nd > 2 {
        return Err(Error::runtime("prob_dist must be 1 or 2 dim"));
    }
    let d = probs.dtype();
    if !d.is_floating_point() {
        return Err(Error::runtime(format!(
            "multinomial only supports floating-point dtypes for input, got: {}",
            d.scalar_type_name()
        )));
    }
    // 0 is what Generator::multinomial rejects with torch's "n_sample <= 0" message
    let ns = usize::try_from(num_samples).unwrap_or(0);
    let n = probs.shape()[nd - 1];
    let rows = if nd == 1 { 1 } else { probs.shape()[0] };
    let out_shape: &[usize] = if nd == 1 { &[ns] } else { &[rows, ns] };
    check_multinomial(n, ns, replacement)?;
    if rows * ns == 0 {
        return Tensor::zeros(out_shape, DType::Int64);
    }
    let res = if d == DType::Float64 {
        g.multinomial(&probs.to_vec::<f64>()?, rows, n, ns, replacement)?
    } else {
        g.multinomial(&probs.to_dtype(DType::Float32)?.to_vec::<f32>()?, rows, n, ns, replacement)?
    };
    Tensor::from_vec(res, out_shape)
}

/// A `mean` or `std` argument of [`normal`].
#[derive(Clone, Copy, Debug)]
pub enum NormalArg<'a> {
    Float(f64),
    Tensor(&'a Tensor),
}

/// `torch.normal(mean, std)` where at least one of them is a tensor (torch's
/// `normal_out_impl`): standard (or `std`-scaled, for a float `std`) normal samples in a new
/// tensor of the broadcast shape and the tensor argument's dtype, then `* std` and `+ mean`,
/// rounded to the output's dtype after each step. Every element of a tensor `std` must be
/// `>= 0`.
pub fn normal(mean: NormalArg<'_>, std: NormalArg<'_>, g: &mut Generator) -> Result<Tensor> {
    if let NormalArg::Tensor(s) = std {
        let bad = crate::dispatch!(s.dtype(), T => s.to_vec::<T>()?.iter().any(|&v| !(Element::to_f64(v) >= 0.0)));
        if bad {
            return Err(Error::runtime("normal expects all elements of std >= 0.0"));
        }
    }
    // (output, std factor applied after sampling, mean to add)
    let (out, scale, shift) = match (mean, std) {
        (NormalArg::Tensor(m), NormalArg::Tensor(s)) => {
            let shape = crate::shape::broadcast_shapes(m.shape(), s.shape())?;
            let out = Tensor::empty(&shape, m.dtype())?;
            normal_(&out, 0.0, 1.0, g)?;
            (out, Some(s), mean)
        }
        (NormalArg::Tensor(m), NormalArg::Float(s)) => {
            check_normal_std(s)?;
            let out = Tensor::empty(m.shape(), m.dtype())?;
            normal_(&out, 0.0, s, g)?;
            (out, None, mean)
        }
        (NormalArg::Float(_), NormalArg::Tensor(s)) => {
            let out = Tensor::empty(s.shape(), s.dtype())?;
            normal_(&out, 0.0, 1.0, g)?;
            (out, Some(s), mean)
        }
        (NormalArg::Float(_), NormalArg::Float(_)) => {
            return Err(Error::type_error("normal(): expected a Tensor mean or std"));
        }
    };
    let n = out.numel();
    let as_f64 = |t: &Tensor| -> Result<Vec<f64>> { t.broadcast_to(out.shape())?.to_dtype(DType::Float64)?.to_vec::<f64>() };
    let scale = scale.map(as_f64).transpose()?;
    // out's dtype is floating: normal_ succeeded on it
    dispatch_float!(out.dtype(), T => {
        let shift: Vec<f64> = match shift {
            NormalArg::Tensor(m) => as_f64(m)?,
            // torch adds `full({}, mean, output.options())`: the mean rounded to the dtype
            NormalArg::Float(m) => vec![Element::to_f64(<T as RandFloat>::from_f64(m)); n],
        };
        let guard = out.storage().write()?;
        // SAFETY: `out` is a fresh contiguous tensor of `n` elements of T.
        let s = unsafe { std::slice::from_raw_parts_mut((guard.ptr() as *mut T).add(out.offset()), n) };
        for (i, o) in s.iter_mut().enumerate() {
            let mut v = *o;
            if let Some(sc) = &scale {
                v = <T as RandFloat>::from_f64(Element::to_f64(v) * sc[i]);
            }
            *o = <T as RandFloat>::from_f64(Element::to_f64(v) + shift[i]);
        }
        drop(guard);
        Ok(out)
    }, Error::unsupported("normal_kernel_cpu", out.dtype()))
}
