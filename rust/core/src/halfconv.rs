//! Slice conversions between float32 and the 16-bit floats, bit for bit as torch's CPU casts
//! give them, at memory speed: the one place `copy_` (`.to(dtype)`), the half-precision GEMM and
//! the kernels that compute 16-bit data in float32 convert.
//!
//! - float32 -> bfloat16 rounds to nearest even on the bits (`u + 0x7fff + lsb`, keeping
//!   subnormals: not the `vcvtneps2bf16` instruction, which flushes them to zero); NaN becomes
//!   `0xffff`, as torch's vectorised cast writes it.
//! - float32 -> float16 is `vcvtps2ph` (round to nearest even, subnormals kept, NaN quieted with
//!   its top payload bits): AVX-512F or F16C when the CPU has them, else the same rounding in
//!   software (`half`).
//! - bfloat16 / float16 -> float32 are exact (bfloat16: a shift; float16: `vcvtph2ps`).
//!
//! Each picks its instruction set at run time; callers split big slices over threads (`copy_`'s
//! row walk does, in [`GRAIN`](crate::parallel::GRAIN)-element chunks).

use crate::dtype::{bf16, f16, Element};
use crate::simd::multiversion;

/// A 16-bit float stored as such and computed in float32 (torch's `opmath_type`).
pub trait HalfFloat: Element {
    /// `y[i] = x[i] as f32` (exact). The slices have the same length.
    fn to_f32s(x: &[Self], y: &mut [f32]);
    /// `y[i] = x[i]` rounded to nearest even. The slices have the same length.
    fn from_f32s(x: &[f32], y: &mut [Self]);
    /// One value rounded to nearest even as `from_f32s` rounds it, branch-free where it can be
    /// (for per-element kernels that compute in float32).
    fn round(v: f32) -> Self;
}

impl HalfFloat for bf16 {
    fn to_f32s(x: &[Self], y: &mut [f32]) {
        assert_eq!(x.len(), y.len());
        // SAFETY: bf16 is a transparent u16.
        bf16_to_f32(unsafe { std::slice::from_raw_parts(x.as_ptr() as *const u16, x.len()) }, y)
    }
    fn from_f32s(x: &[f32], y: &mut [Self]) {
        assert_eq!(x.len(), y.len());
        // SAFETY: as above.
        f32_to_bf16(x, unsafe { std::slice::from_raw_parts_mut(y.as_mut_ptr() as *mut u16, y.len()) })
    }
    #[inline(always)]
    fn round(v: f32) -> Self {
        round_bf16(v)
    }
}

impl HalfFloat for f16 {
    fn to_f32s(x: &[Self], y: &mut [f32]) {
        assert_eq!(x.len(), y.len());
        f16_to_f32(x, y)
    }
    fn from_f32s(x: &[f32], y: &mut [Self]) {
        assert_eq!(x.len(), y.len());
        f32_to_f16(x, y)
    }
    #[inline(always)]
    fn round(v: f32) -> Self {
        f16::from_f32(v)
    }
}

/// The bfloat16 bits of `v`, rounded to nearest even; NaN gives 0xffff (torch's vectorised cast).
#[inline(always)]
pub fn bf16_bits(v: f32) -> u16 {
    let u = v.to_bits();
    let r = (u.wrapping_add(0x7fff + ((u >> 16) & 1)) >> 16) as u16;
    if v.is_nan() {
        0xffff
    } else {
        r
    }
}

/// `v` rounded to bfloat16 as the casts here round it.
#[inline(always)]
pub fn round_bf16(v: f32) -> bf16 {
    bf16::from_bits(bf16_bits(v))
}

multiversion! { [avx512, avx2];
    fn f32_to_bf16(x: &[f32], y: &mut [u16]) {
        for (d, &s) in y.iter_mut().zip(x) {
            *d = bf16_bits(s);
        }
    }
}

multiversion! { [avx512, avx2];
    fn bf16_to_f32(x: &[u16], y: &mut [f32]) {
        for (d, &s) in y.iter_mut().zip(x) {
            *d = f32::from_bits((s as u32) << 16);
        }
    }
}

fn f32_to_f16(x: &[f32], y: &mut [f16]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F; the slices have the same length (checked above).
            return unsafe { x86::f32_to_f16_avx512(x, y) };
        }
        if std::arch::is_x86_feature_detected!("f16c") && std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: the CPU has F16C and AVX.
            return unsafe { x86::f32_to_f16_f16c(x, y) };
        }
    }
    for (d, &s) in y.iter_mut().zip(x) {
        *d = f16::from_f32(s);
    }
}

fn f16_to_f32(x: &[f16], y: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: as in f32_to_f16.
            return unsafe { x86::f16_to_f32_avx512(x, y) };
        }
        if std::arch::is_x86_feature_detected!("f16c") && std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: as in f32_to_f16.
            return unsafe { x86::f16_to_f32_f16c(x, y) };
        }
    }
    for (d, &s) in y.iter_mut().zip(x) {
        *d = s.to_f32();
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::f16;
    use std::arch::x86_64::*;

    /// vcvtps2ph's rounding immediate: round to nearest even.
    const RNE: i32 = _MM_FROUND_TO_NEAREST_INT;

    /// A loop over `W`-lane blocks of two equal-length slices, the tail through a zeroed block.
    macro_rules! blocks {
        ($x:ident, $y:ident, $w:expr, $xt:ty, $yt:ty, |$xp:ident, $yp:ident| $body:block) => {{
            let n = $x.len().min($y.len());
            let mut i = 0;
            while i + $w <= n {
                let ($xp, $yp) = ($x.as_ptr().add(i), $y.as_mut_ptr().add(i));
                $body
                i += $w;
            }
            if i < n {
                let mut xb = [<$xt>::default(); $w];
                let mut yb = [<$yt>::default(); $w];
                xb[..n - i].copy_from_slice(&$x[i..n]);
                {
                    let ($xp, $yp) = (xb.as_ptr(), yb.as_mut_ptr());
                    $body
                }
                $y[i..n].copy_from_slice(&yb[..n - i]);
            }
        }};
    }

    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn f32_to_f16_avx512(x: &[f32], y: &mut [f16]) {
        blocks!(x, y, 16, f32, f16, |xp, yp| {
            _mm256_storeu_si256(yp as *mut __m256i, _mm512_cvtps_ph::<RNE>(_mm512_loadu_ps(xp)));
        })
    }

    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn f16_to_f32_avx512(x: &[f16], y: &mut [f32]) {
        blocks!(x, y, 16, f16, f32, |xp, yp| {
            _mm512_storeu_ps(yp, _mm512_cvtph_ps(_mm256_loadu_si256(xp as *const __m256i)));
        })
    }

    #[target_feature(enable = "avx,f16c")]
    pub(super) unsafe fn f32_to_f16_f16c(x: &[f32], y: &mut [f16]) {
        blocks!(x, y, 8, f32, f16, |xp, yp| {
            _mm_storeu_si128(yp as *mut __m128i, _mm256_cvtps_ph::<RNE>(_mm256_loadu_ps(xp)));
        })
    }

    #[target_feature(enable = "avx,f16c")]
    pub(super) unsafe fn f16_to_f32_f16c(x: &[f16], y: &mut [f32]) {
        blocks!(x, y, 8, f16, f32, |xp, yp| {
            _mm256_storeu_ps(yp, _mm256_cvtph_ps(_mm_loadu_si128(xp as *const __m128i)));
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bit patterns around every rounding case: ties to even and odd, subnormals, the largest
    /// finite values, infinities and NaNs (quiet, signalling, negative).
    fn samples() -> Vec<f32> {
        let mut u: Vec<u32> = vec![
            0, 0x8000_0000, 1, 0x0040_0000, 0x807f_ffff, 0x3f80_8000, 0x3f81_8000, 0x3f80_8001, 0x3f80_7fff,
            0x7f7f_ffff, 0xff7f_ffff, 0x7f80_0000, 0xff80_0000, 0x7fc0_0000, 0xffc0_0000, 0x7f80_0001,
            0x7fa0_0000, 0x477f_f000, 0x477f_efff, 0x3380_0000, 0x3380_0001, 0x3300_0000, 0x3300_0001,
        ];
        let mut s = 0x1234_5678u32;
        for _ in 0..997 {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            u.push(s);
        }
        u.into_iter().map(f32::from_bits).collect()
    }

    #[test]
    fn bf16_rounds_to_nearest_even_keeps_subnormals() {
        let x = samples();
        let mut y = vec![bf16::ZERO; x.len()];
        bf16::from_f32s(&x, &mut y);
        for (&v, h) in x.iter().zip(&y) {
            let want = if v.is_nan() {
                0xffff
            } else {
                // round the float64 value to 8 significant bits by hand
                let u = v.to_bits();
                let (hi, lo) = (u >> 16, u & 0xffff);
                let up = lo > 0x8000 || (lo == 0x8000 && hi & 1 == 1);
                (hi + up as u32) as u16
            };
            assert_eq!(h.to_bits(), want, "{:#x}", v.to_bits());
        }
        let mut back = vec![0f32; y.len()];
        bf16::to_f32s(&y, &mut back);
        for (h, b) in y.iter().zip(&back) {
            assert_eq!(b.to_bits(), (h.to_bits() as u32) << 16);
        }
    }

    #[test]
    fn f16_matches_software_rounding() {
        let x = samples();
        let mut y = vec![f16::ZERO; x.len()];
        f16::from_f32s(&x, &mut y);
        for (&v, h) in x.iter().zip(&y) {
            assert_eq!(h.to_bits(), f16::from_f32(v).to_bits(), "{:#x}", v.to_bits());
        }
        let all: Vec<f16> = (0..=u16::MAX).map(f16::from_bits).collect();
        let mut back = vec![0f32; all.len()];
        f16::to_f32s(&all, &mut back);
        for (h, b) in all.iter().zip(&back) {
            if h.is_nan() {
                assert!(b.is_nan());
            } else {
                assert_eq!(b.to_bits(), h.to_f32().to_bits());
            }
        }
    }
}
