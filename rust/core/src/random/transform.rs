//! Scalar transformations of raw engine words into one sample
//! (aten/src/ATen/core/TransformationHelper.h, DistributionsHelper.h): the 24/53-bit unit
//! uniforms, `uniform_real` with or without torch's fused multiply-add, and torch's scalar
//! `uniform_real_distribution<double>` / `normal_distribution<double>` (Box-Muller with the sin
//! sample cached in the generator). Every distribution builds on these.

use super::Generator;

/// `uniform_real<float>(v, 0, 1)`: the 24 low bits of a 32-bit word scaled to [0, 1).
#[inline(always)]
pub(super) fn unit_f32(v: u32) -> f32 {
    (v & ((1 << 24) - 1)) as f32 * (1.0 / (1u32 << 24) as f32)
}

/// `uniform_real<double>(v, 0, 1)`: the 53 low bits of a 64-bit word scaled to [0, 1).
#[inline(always)]
pub(super) fn unit_f64(v: u64) -> f64 {
    (v & ((1u64 << 53) - 1)) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// `uniform_real<float>(v, from, to)`: `x * (to - from) + from` in float; torch's AVX2 and
/// AVX-512 builds contract it into a fused multiply-add (`FUSED`), the portable one does not.
#[inline(always)]
pub(super) fn uniform_real_f32<const FUSED: bool>(v: u32, from: f32, to: f32) -> f32 {
    if FUSED {
        unit_f32(v).mul_add(to - from, from)
    } else {
        unit_f32(v) * (to - from) + from
    }
}

/// `uniform_real<double>(v, from, to)`: like [`uniform_real_f32`] in double.
#[inline(always)]
pub(super) fn uniform_real_f64<const FUSED: bool>(v: u64, from: f64, to: f64) -> f64 {
    if FUSED {
        unit_f64(v).mul_add(to - from, from)
    } else {
        unit_f64(v) * (to - from) + from
    }
}

impl Generator {
    /// `uniform_real_distribution<double>(0, 1)(gen)`.
    #[inline]
    pub(super) fn uniform01_f64(&mut self) -> f64 {
        unit_f64(self.random_u64())
    }

    /// `normal_distribution<double>(mean, std)(gen)`: Box-Muller with the sin sample cached
    /// in the generator (`next_double_normal_sample`).
    #[inline]
    pub(super) fn normal_scalar_f64(&mut self, mean: f64, std: f64) -> f64 {
        if let Some(c) = self.next_double_normal_sample.take() {
            return c.mul_add(std, mean); // torch fuses z*std + mean
        }
        let u1 = self.uniform01_f64();
        let u2 = self.uniform01_f64();
        let r = (-2.0 * (-u2).ln_1p()).sqrt();
        let theta = 2.0 * std::f64::consts::PI * u1;
        self.next_double_normal_sample = Some(r * theta.sin());
        let ret = r * theta.cos();
        ret.mul_add(std, mean)
    }
}
