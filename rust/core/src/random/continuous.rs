//! The continuous distributions other than the normal (normal.rs): `uniform_`, and the
//! per-element double-precision samplers `exponential_`, `cauchy_`, `log_normal_` and
//! `geometric_` (DistributionTemplates.h, DistributionKernels.cpp), over plain slices.

// The `!(x > 0.0)`-style checks are deliberate: like torch's, they reject NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use super::transform::{uniform_real_f32, uniform_real_f64};
use super::{fmt_double, CpuCapability, Generator, RandFloat};
use crate::error::{Error, Result};
use crate::Element;

fn uniform_block_f32<T: RandFloat>(
    dst: &mut [T],
    w: &[u32],
    from: f32,
    to: f32,
    from_s: T,
    to_s: T,
    fused: bool,
) {
    if !fused {
        for (o, p) in dst.iter_mut().zip(w.chunks_exact(1)) {
            let val = T::from_f32(uniform_real_f32::<false>(p[0], from, to));
            *o = if val == to_s { from_s } else { val };
        }
        return;
    }
    #[inline(always)]
    fn inner<T: RandFloat>(dst: &mut [T], w: &[u32], from: f32, to: f32, from_s: T, to_s: T) {
        for (o, &v) in dst.iter_mut().zip(w) {
            let val = T::from_f32(uniform_real_f32::<true>(v, from, to));
            *o = if val == to_s { from_s } else { val };
        }
    }
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "fma")]
        unsafe fn inner_fma<T: RandFloat>(d: &mut [T], w: &[u32], f: f32, t: f32, fs: T, ts: T) {
            inner(d, w, f, t, fs, ts)
        }
        if std::arch::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU supports FMA.
            return unsafe { inner_fma(dst, w, from, to, from_s, to_s) };
        }
    }
    inner(dst, w, from, to, from_s, to_s)
}

fn uniform_block_f64<T: RandFloat>(
    dst: &mut [T],
    w: &[u32],
    from: f64,
    to: f64,
    from_s: T,
    to_s: T,
    fused: bool,
) {
    if !fused {
        for (o, p) in dst.iter_mut().zip(w.chunks_exact(2)) {
            let val = T::from_f64(uniform_real_f64::<false>(
                ((p[0] as u64) << 32) | p[1] as u64,
                from,
                to,
            ));
            *o = if val == to_s { from_s } else { val };
        }
        return;
    }
    #[inline(always)]
    fn inner<T: RandFloat>(dst: &mut [T], w: &[u32], from: f64, to: f64, from_s: T, to_s: T) {
        for (o, p) in dst.iter_mut().zip(w.chunks_exact(2)) {
            let v = ((p[0] as u64) << 32) | p[1] as u64;
            let val = T::from_f64(uniform_real_f64::<true>(v, from, to));
            *o = if val == to_s { from_s } else { val };
        }
    }
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "fma")]
        unsafe fn inner_fma<T: RandFloat>(d: &mut [T], w: &[u32], f: f64, t: f64, fs: T, ts: T) {
            inner(d, w, f, t, fs, ts)
        }
        if std::arch::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU supports FMA.
            return unsafe { inner_fma(dst, w, from, to, from_s, to_s) };
        }
    }
    inner(dst, w, from, to, from_s, to_s)
}

impl Generator {
    /// `Tensor.uniform_(from, to)` / `torch.rand` (from=0, to=1): `uniform_kernel` in
    /// native/cpu/DistributionTemplates.h. float64 draws `random64()` (53 bits); float32,
    /// float16 and bfloat16 draw `random()` (24 bits), compute `x * (to - from) + from` in float
    /// and cast, replacing a value that rounded up to `to` by `from`.
    pub fn uniform<T: RandFloat>(&mut self, out: &mut [T], from: f64, to: f64) {
        let to_s = T::from_f64(to);
        let from_s = T::from_f64(from);
        let fused = self.cpu_capability() == CpuCapability::Avx2;
        if T::IS_DOUBLE {
            self.for_blocks_u32(out.len() * 2, |off, w| {
                let dst = &mut out[off / 2..off / 2 + w.len() / 2];
                uniform_block_f64(dst, w, from, to, from_s, to_s, fused);
            });
        } else {
            let (from_f, to_f) = (from as f32, to as f32);
            self.for_blocks_u32(out.len(), |off, w| {
                let dst = &mut out[off..off + w.len()];
                uniform_block_f32(dst, w, from_f, to_f, from_s, to_s, fused);
            });
        }
    }

    /// `Tensor.exponential_(lambd)` (`exponential_kernel`, `exponential_distribution<double>`):
    /// per element `-1 / lambd * log1p(-u)` with a 53-bit uniform `u`, cast to the dtype.
    /// Errors like torch unless `lambd > 0` (infinity is accepted, like torch).
    pub fn exponential<T: RandFloat>(&mut self, out: &mut [T], lambd: f64) -> Result<()> {
        check_exponential(lambd)?;
        let neg_inv = -1.0 / lambd;
        for o in out.iter_mut() {
            let u = self.uniform01_f64();
            *o = T::from_f64(neg_inv * (-u).ln_1p());
        }
        Ok(())
    }

    /// `Tensor.geometric_(p)` (`geometric_kernel`): per element `ceil(log(u) / log1p(-p))` in
    /// double with a 53-bit uniform `u`, then `static_cast<T>` (so integer dtypes truncate like
    /// C++; torch rejects bool, see [`geometric_`](super::geometric_)).
    pub fn geometric<T: Element>(&mut self, out: &mut [T], p: f64) -> Result<()> {
        check_geometric(p)?;
        let denom = (-p).ln_1p();
        for o in out.iter_mut() {
            *o = T::from_f64((self.uniform01_f64().ln() / denom).ceil());
        }
        Ok(())
    }

    /// `Tensor.log_normal_(mean, std)` (`log_normal_kernel`): `exp` of torch's scalar double
    /// normal (`normal_distribution<double>(mean, std)`, the cached sin sample included), cast
    /// to the dtype.
    pub fn log_normal<T: RandFloat>(&mut self, out: &mut [T], mean: f64, std: f64) -> Result<()> {
        check_log_normal(std)?;
        for o in out.iter_mut() {
            *o = T::from_f64(self.normal_scalar_f64(mean, std).exp());
        }
        Ok(())
    }

    /// `Tensor.cauchy_(median, sigma)` (`cauchy_kernel`): per element
    /// `median + sigma * tan(pi * (u - 0.5))` in double with a 53-bit uniform `u`.
    pub fn cauchy<T: RandFloat>(&mut self, out: &mut [T], median: f64, sigma: f64) -> Result<()> {
        check_cauchy(sigma)?;
        for o in out.iter_mut() {
            let u = self.uniform01_f64();
            *o = T::from_f64(median + sigma * (std::f64::consts::PI * (u - 0.5)).tan());
        }
        Ok(())
    }
}

// torch's argument checks, shared with the tensor-level fills (fill.rs), which run them before
// their dtype checks as torch does.

pub(super) fn check_exponential(lambd: f64) -> Result<()> {
    if !(lambd > 0.0) {
        return Err(Error::runtime(format!("exponential_ expects lambda > 0.0, but found lambda={}", fmt_double(lambd))));
    }
    Ok(())
}

pub(super) fn check_geometric(p: f64) -> Result<()> {
    if !(0.0 < p && p < 1.0) {
        return Err(Error::runtime(format!("geometric_ expects p to be in (0, 1), but got p={}", fmt_double(p))));
    }
    Ok(())
}

pub(super) fn check_log_normal(std: f64) -> Result<()> {
    if !(std > 0.0) {
        return Err(Error::runtime(format!("log_normal_ expects std > 0.0, but found std={}", fmt_double(std))));
    }
    Ok(())
}

pub(super) fn check_cauchy(sigma: f64) -> Result<()> {
    if !(sigma > 0.0) {
        return Err(Error::runtime(format!("cauchy_ expects sigma > 0.0, but found sigma={}", fmt_double(sigma))));
    }
    Ok(())
}
