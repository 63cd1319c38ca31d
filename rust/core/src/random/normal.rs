//! The normal distribution (`normal_kernel` in native/cpu/DistributionTemplates.h): the
//! vectorised Box-Muller `normal_fill` torch runs on contiguous tensors of at least 16 elements
//! (with a scalar, bit-exact transcription of its AVX2 `NormalFill16<float>` and the cephes
//! `log256_ps`/`sincos256_ps` it calls, in `avx`), and the scalar cached Box-Muller for the
//! rest. This is the one sampler whose algorithm depends on the output's contiguity and on the
//! [`CpuCapability`] torch was built for.

use super::transform::{unit_f32, unit_f64};
use super::{CpuCapability, Generator, RandFloat};

impl Generator {
    /// `Tensor.normal_(mean, std)` / `torch.randn` on a *contiguous* tensor of `out.len()`
    /// elements (`normal_kernel` in native/cpu/DistributionTemplates.h):
    ///
    /// * `len >= 16`: `normal_fill` — all uniforms first (`uniform_real_distribution<opmath_t>`,
    ///   so 24-bit for float32/float16/bfloat16, 53-bit for float64), Box-Muller on blocks of 16
    ///   (`NormalFill16`, pairs `j` and `j + 8`), and when `len % 16 != 0` the last 16 values are
    ///   recomputed from 16 fresh uniforms. float32/16/bf16 use the kernel chosen by
    ///   [`CpuCapability`] (AVX2 by default on x86-64), float64 the scalar libm one.
    /// * `len < 16`: the scalar path, see [`normal_serial`](Self::normal_serial).
    pub fn normal<T: RandFloat>(&mut self, out: &mut [T], mean: f64, std: f64) {
        if out.len() >= 16 {
            if T::IS_DOUBLE {
                // SAFETY: `RandFloat` is sealed and f64 is its only implementor with
                // `IS_DOUBLE`, so `T` is `f64` and the slices have the same layout.
                let data: &mut [f64] = unsafe { &mut *(out as *mut [T] as *mut [f64]) };
                self.normal_fill_f64(data, mean, std);
            } else {
                self.normal_fill_float(out, mean as f32, std as f32);
            }
        } else {
            self.normal_serial(out, mean, std);
        }
    }

    /// The scalar `normal_` path torch takes for tensors with fewer than 16 elements or that
    /// are not contiguous: one `normal_distribution<double>(mean, std)` draw per element
    /// (Box-Muller on two 53-bit uniforms, the sin sample cached in the generator and used by
    /// the next draw), cast to the dtype. Elements are produced in memory order.
    pub fn normal_serial<T: RandFloat>(&mut self, out: &mut [T], mean: f64, std: f64) {
        for o in out.iter_mut() {
            *o = T::from_f64(self.normal_scalar_f64(mean, std));
        }
    }

    /// `normal_fill<double>`: uniforms straight into `out`, then `NormalFill16<double>`.
    fn normal_fill_f64(&mut self, data: &mut [f64], mean: f64, std: f64) {
        let n = data.len();
        self.for_blocks_u32(n * 2, |off, w| {
            let dst = &mut data[off / 2..off / 2 + w.len() / 2];
            for (o, p) in dst.iter_mut().zip(w.chunks_exact(2)) {
                *o = unit_f64(((p[0] as u64) << 32) | p[1] as u64);
            }
        });
        for block in data.chunks_exact_mut(16) {
            normal16_f64(block.try_into().unwrap(), mean, std);
        }
        if n % 16 != 0 {
            let tail = &mut data[n - 16..];
            for t in tail.iter_mut() {
                *t = self.uniform01_f64();
            }
            normal16_f64(tail.try_into().unwrap(), mean, std);
        }
    }

    /// `normal_fill<float/Half/BFloat16>` with opmath float. For float32 torch fills the output
    /// with all uniforms first; for float16/bfloat16 it goes block by block through a float
    /// buffer, which consumes the same words except that it draws no uniforms for a partial
    /// last block before recomputing the last 16.
    fn normal_fill_float<T: RandFloat>(&mut self, out: &mut [T], mean: f32, std: f32) {
        let n = out.len();
        let kind = self.cpu_capability();
        let mut buf = [0f32; 1024];
        let mut done = 0;
        // Full blocks of 16, generated 1024 uniforms (64 blocks) at a time.
        let full = n / 16 * 16;
        while done < full {
            let k = (full - done).min(buf.len());
            let mut words = [0u32; 1024];
            self.fill_u32(&mut words[..k]);
            for (b, &w) in buf[..k].iter_mut().zip(&words[..k]) {
                *b = unit_f32(w);
            }
            normal_blocks_f32(&mut buf[..k], mean, std, kind);
            for (o, &b) in out[done..done + k].iter_mut().zip(&buf[..k]) {
                *o = T::from_f32(b);
            }
            done += k;
        }
        if n % 16 != 0 {
            if T::IS_OPMATH {
                // float32 (scalar_t == opmath_t) drew a uniform for every element, the partial
                // tail included, before recomputing the last 16; float16/bfloat16 did not.
                let rem = n - full;
                let mut skip = [0u32; 16];
                self.fill_u32(&mut skip[..rem]);
            }
            let mut words = [0u32; 16];
            self.fill_u32(&mut words);
            let mut b16 = [0f32; 16];
            for (b, &w) in b16.iter_mut().zip(&words) {
                *b = unit_f32(w);
            }
            normal_blocks_f32(&mut b16, mean, std, kind);
            for (o, &b) in out[n - 16..].iter_mut().zip(&b16) {
                *o = T::from_f32(b);
            }
        }
    }
}

// ------------------------------------------------------------------------------------------
// Box-Muller on 16 values (NormalFill16 in native/cpu/DistributionTemplates.h)
// ------------------------------------------------------------------------------------------

/// Generic `NormalFill16<double>`: `u1 = 1 - data[j]`, `u2 = data[j + 8]`,
/// `radius = sqrt(-2 log u1)`, `theta = 2 pi u2`, outputs `fma(radius * cos(theta), std, mean)`
/// and `fma(radius * sin(theta), std, mean)` (libm `log`, `cos`, `sin`; Rust's f64 methods call
/// the platform libm just like `std::log` etc.).
#[inline]
fn normal16_f64(d: &mut [f64; 16], mean: f64, std: f64) {
    for j in 0..8 {
        let u1 = 1.0 - d[j];
        let u2 = d[j + 8];
        let radius = (-2.0 * u1.ln()).sqrt();
        let theta = 2.0 * std::f64::consts::PI * u2;
        d[j] = (radius * theta.cos()).mul_add(std, mean);
        d[j + 8] = (radius * theta.sin()).mul_add(std, mean);
    }
}

/// Generic `NormalFill16<float>` (no AVX2): libm `logf`, `cosf`, `sinf`; note that `theta` is
/// computed in double (`2.0f * c10::pi<double> * u2`) and then rounded to float.
#[inline]
fn normal16_f32_scalar(d: &mut [f32], mean: f32, std: f32) {
    for j in 0..8 {
        let u1 = 1.0f32 - d[j];
        let u2 = d[j + 8];
        let radius = (-2.0f32 * u1.ln()).sqrt();
        let theta = (2.0f64 * std::f64::consts::PI * u2 as f64) as f32;
        d[j] = (radius * theta.cos()).mul_add(std, mean);
        d[j + 8] = (radius * theta.sin()).mul_add(std, mean);
    }
}

/// Applies the selected float `NormalFill16` to each block of 16 in `buf`.
fn normal_blocks_f32(buf: &mut [f32], mean: f32, std: f32, kind: CpuCapability) {
    debug_assert!(buf.len() % 16 == 0);
    match kind {
        CpuCapability::Default => {
            for b in buf.chunks_exact_mut(16) {
                normal16_f32_scalar(b, mean, std);
            }
        }
        CpuCapability::Avx2 => avx::normal_blocks(buf, mean, std),
    }
}

/// A scalar, bit-exact transcription of torch's AVX2 `NormalFill16<float>` and of the
/// `log256_ps` / `sincos256_ps` it calls (aten/src/ATen/native/cpu/avx_mathfun.h, cephes
/// polynomials). Every vector operation is reproduced lane-wise with the same rounding; torch's
/// build lets GCC contract `a * b + c` pairs of these intrinsics into FMAs (GNU
/// `-ffp-contract=fast` with `-mfma`), so the same pairs are fused here (`mul_add`).
// The constants are avx_mathfun.h's literals, kept verbatim.
#[allow(clippy::excessive_precision, clippy::approx_constant)]
mod avx {
    const MIN_NORM_POS: f32 = f32::MIN_POSITIVE; // 0x00800000
    const SQRTHF: f32 = 0.707_106_781_186_547_524;
    const LOG_P0: f32 = 7.037_683_629_2E-2;
    const LOG_P1: f32 = -1.151_461_031_0E-1;
    const LOG_P2: f32 = 1.167_699_874_0E-1;
    const LOG_P3: f32 = -1.242_014_084_6E-1;
    const LOG_P4: f32 = 1.424_932_278_7E-1;
    const LOG_P5: f32 = -1.666_805_766_5E-1;
    const LOG_P6: f32 = 2.000_071_476_5E-1;
    const LOG_P7: f32 = -2.499_999_399_3E-1;
    const LOG_P8: f32 = 3.333_333_117_4E-1;
    const LOG_Q1: f32 = -2.121_944_40e-4;
    const LOG_Q2: f32 = 0.693_359_375;

    const MINUS_DP1: f32 = -0.785_156_25;
    const MINUS_DP2: f32 = -2.418_756_484_985_351_562_5e-4;
    const MINUS_DP3: f32 = -3.774_894_977_445_941_08e-8;
    const SINCOF_P0: f32 = -1.951_529_589_1E-4;
    const SINCOF_P1: f32 = 8.332_160_873_6E-3;
    const SINCOF_P2: f32 = -1.666_665_461_1E-1;
    const COSCOF_P0: f32 = 2.443_315_711_809_948E-005;
    const COSCOF_P1: f32 = -1.388_731_625_493_765E-003;
    const COSCOF_P2: f32 = 4.166_664_568_298_827E-002;
    const FOPI: f32 = 1.273_239_544_735_16;

    /// `a * b + c` where torch's compiled kernel has a contracted (fused) multiply-add.
    #[inline(always)]
    fn fma(a: f32, b: f32, c: f32) -> f32 {
        a.mul_add(b, c)
    }

    /// `_mm256_cvttps_epi32` for one lane (out of range / NaN give 0x80000000).
    #[inline(always)]
    fn cvtt(y: f32) -> i32 {
        if !(-2_147_483_648.0..2_147_483_648.0).contains(&y) {
            i32::MIN
        } else {
            y as i32
        }
    }

    /// `log256_ps` for one lane.
    #[inline(always)]
    pub(super) fn log(x0: f32) -> f32 {
        let invalid = x0 <= 0.0; // _CMP_LE_OS
                                 // _mm256_max_ps(x, min_norm_pos): returns the second operand unless x > it.
        let x1 = if x0 > MIN_NORM_POS { x0 } else { MIN_NORM_POS };
        let bits = x1.to_bits();
        let imm0 = (bits >> 23) as i32 - 0x7f;
        let mut x = f32::from_bits((bits & !0x7f80_0000) | 0.5f32.to_bits());
        let mut e = imm0 as f32;
        e += 1.0;
        let mask = x < SQRTHF;
        let tmp = if mask { x } else { 0.0 };
        x -= 1.0;
        e -= if mask { 1.0 } else { 0.0 };
        x += tmp;
        let z = x * x;
        let mut y = fma(LOG_P0, x, LOG_P1);
        y = fma(y, x, LOG_P2);
        y = fma(y, x, LOG_P3);
        y = fma(y, x, LOG_P4);
        y = fma(y, x, LOG_P5);
        y = fma(y, x, LOG_P6);
        y = fma(y, x, LOG_P7);
        y = fma(y, x, LOG_P8);
        y *= x;
        let t1 = e * LOG_Q1;
        y = fma(y, z, t1);
        y -= z * 0.5;
        x = fma(e, LOG_Q2, x + y);
        if invalid {
            f32::from_bits(x.to_bits() | 0xffff_ffff)
        } else {
            x
        }
    }

    /// `sincos256_ps` for one lane: returns (sin, cos).
    #[inline(always)]
    pub(super) fn sincos(x0: f32) -> (f32, f32) {
        let mut sign_bit_sin = x0.to_bits() & 0x8000_0000;
        let mut x = f32::from_bits(x0.to_bits() & 0x7fff_ffff);
        let mut y = x * FOPI;
        let mut imm2 = cvtt(y);
        imm2 = imm2.wrapping_add(1) & !1;
        y = imm2 as f32;
        let mut imm4 = imm2;
        let swap_sign_bit_sin = ((imm2 & 4) as u32) << 29;
        let poly_mask = (imm2 & 2) == 0;
        x = fma(y, MINUS_DP1, x);
        x = fma(y, MINUS_DP2, x);
        x = fma(y, MINUS_DP3, x);
        imm4 = imm4.wrapping_sub(2);
        let sign_bit_cos = ((!imm4 & 4) as u32) << 29;
        sign_bit_sin ^= swap_sign_bit_sin;
        let z = x * x;
        let mut yc = fma(COSCOF_P0, z, COSCOF_P1);
        yc = fma(yc, z, COSCOF_P2);
        yc *= z;
        yc = fma(yc, z, -(z * 0.5));
        yc += 1.0;
        let mut ys = fma(SINCOF_P0, z, SINCOF_P1);
        ys = fma(ys, z, SINCOF_P2);
        ys *= z;
        ys = fma(ys, x, x);
        let ysin2 = if poly_mask { ys } else { 0.0 };
        let ysin1 = if poly_mask { 0.0 } else { yc };
        let ys_rest = ys - ysin2;
        let yc_rest = yc - ysin1;
        let s = ysin1 + ysin2;
        let c = yc_rest + ys_rest;
        (
            f32::from_bits(s.to_bits() ^ sign_bit_sin),
            f32::from_bits(c.to_bits() ^ sign_bit_cos),
        )
    }

    #[inline(always)]
    fn block(d: &mut [f32], mean: f32, std: f32) {
        let two_pi = (2.0f64 * std::f64::consts::PI) as f32; // _mm256_set1_ps(2.0f * pi<double>)
        let mut lo = [0f32; 8];
        let mut hi = [0f32; 8];
        for j in 0..8 {
            let u1 = 1.0f32 - d[j];
            let u2 = d[j + 8];
            let radius = (-2.0f32 * log(u1)).sqrt();
            let theta = two_pi * u2;
            let (s, c) = sincos(theta);
            lo[j] = (radius * c).mul_add(std, mean);
            hi[j] = (radius * s).mul_add(std, mean);
        }
        d[..8].copy_from_slice(&lo);
        d[8..16].copy_from_slice(&hi);
    }

    #[inline(always)]
    fn blocks_generic(buf: &mut [f32], mean: f32, std: f32) {
        for b in buf.chunks_exact_mut(16) {
            block(b, mean, std);
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn blocks_fma(buf: &mut [f32], mean: f32, std: f32) {
        blocks_generic(buf, mean, std)
    }

    /// Applies the AVX2 `NormalFill16<float>` to each block of 16.
    pub(super) fn normal_blocks(buf: &mut [f32], mean: f32, std: f32) {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("fma")
                && std::arch::is_x86_feature_detected!("avx2")
            {
                // SAFETY: the CPU supports the enabled features.
                return unsafe { blocks_fma(buf, mean, std) };
            }
        }
        blocks_generic(buf, mean, std)
    }
}
