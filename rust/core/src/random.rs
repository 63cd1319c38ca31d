//! A CPU random generator that reproduces PyTorch's CPU generator bit for bit.
//!
//! PyTorch's CPU generator (`at::CPUGeneratorImpl`, aten/src/ATen/CPUGeneratorImpl.cpp) is a
//! 32-bit Mersenne Twister (`at::mt19937`, aten/src/ATen/core/MT19937RNGEngine.h) plus a cached
//! second Box-Muller sample. Every distribution below is a transcription of the CPU kernel torch
//! runs for that dtype (aten/src/ATen/native/cpu/DistributionTemplates.h,
//! DistributionKernels.cpp, TensorFactories.cpp, Distributions.cpp, MultinomialKernel.cpp),
//! consuming the engine's 32-bit words in exactly the same order, so that
//! `torch.manual_seed(s); torch.randn(n)` and `Generator::new(s).normal(..)` agree bit for bit.
//!
//! All fills operate on plain contiguous slices. Values are produced in the order torch's
//! `cpu_serial_kernel` visits elements; for the nullary ops here that is the tensor's *memory*
//! order (TensorIterator sorts dimensions by stride), so a caller filling a non-contiguous tensor
//! fills a buffer with the values in memory order and scatters them accordingly.
//!
//! The one place where contiguity changes the *algorithm* is `normal_`: torch uses a vectorised
//! Box-Muller (`normal_fill`) for contiguous tensors with at least 16 elements and a scalar,
//! cached Box-Muller otherwise. [`Generator::normal`] picks by length (the contiguous rule);
//! [`Generator::normal_serial`] forces the scalar path for non-contiguous tensors.
//!
//! Things that depend on how the installed torch was built or on the host CPU are documented on
//! the functions concerned: `normal` for float32/float16/bfloat16 (the AVX2 `normal_fill_16`
//! used on x86-64 machines with AVX2 or AVX-512 versus the portable scalar one, see
//! [`CpuCapability`]), and `bernoulli_scalar` (torch's MKL builds use an MKL stream on *Intel*
//! CPUs only).

// The `!(x > 0.0)`-style checks are deliberate: like torch's, they reject NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use crate::error::{Error, Result};
use half::{bf16, f16};

/// Seed of a fresh `torch.Generator()` (and of the default generator before any seeding):
/// `c10::default_rng_seed_val`.
pub const DEFAULT_SEED: u64 = 67_280_421_310_721;

const MT_N: usize = 624;
const MT_M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UMASK: u32 = 0x8000_0000;
const LMASK: u32 = 0x7fff_ffff;

/// Size in bytes of torch's `CPUGeneratorImplState` (what `torch.get_rng_state()` returns).
pub const STATE_SIZE: usize = 5056;
/// Size in bytes of torch's older `CPUGeneratorImplStateLegacy`, also accepted by `set_state`.
pub const LEGACY_STATE_SIZE: usize = 5048;

// Byte offsets inside the state blob (x86-64 / aarch64 C layout of CPUGeneratorImplState).
const OFF_SEED: usize = 0; // uint64_t the_initial_seed
const OFF_LEFT: usize = 8; // int left
const OFF_SEEDED: usize = 12; // int seeded
const OFF_NEXT: usize = 16; // uint64_t next
const OFF_STATE: usize = 24; // uint64_t state[624]
const OFF_NORMAL_X: usize = OFF_STATE + 8 * MT_N; // double normal_x   (5016)
const OFF_NORMAL_Y: usize = OFF_NORMAL_X + 8; // double normal_y       (5024)
const OFF_NORMAL_RHO: usize = OFF_NORMAL_Y + 8; // double normal_rho   (5032)
const OFF_NORMAL_VALID: usize = OFF_NORMAL_RHO + 8; // int normal_is_valid (5040), 4 bytes pad
const OFF_FLOAT_SAMPLE: usize = LEGACY_STATE_SIZE; // float next_float_normal_sample (5048)
const OFF_FLOAT_VALID: usize = OFF_FLOAT_SAMPLE + 4; // bool is_next_float_normal_sample_valid

/// The ATen CPU capability whose kernels are reproduced. torch compiles its distribution
/// kernels once per capability and the results differ slightly between builds:
///
/// * `Avx2` — x86-64 CPUs with AVX2, which includes every AVX-512 CPU: torch does not register
///   an AVX-512 `normal_stub` (`REGISTER_NO_AVX512_DISPATCH(normal_stub)` in
///   DistributionKernels.cpp), so float32/float16/bfloat16 `normal_` run the AVX2
///   `NormalFill16<float>` with the cephes-style `log256_ps`/`sincos256_ps` of
///   aten/src/ATen/native/cpu/avx_mathfun.h; and the compiler fuses `x * (to - from) + from` of
///   `uniform_` into an FMA (the AVX2/AVX-512 objects are built with `-mfma`).
/// * `Default` — torch's portable build (`ATEN_CPU_CAPABILITY=default`, x86 without AVX2):
///   `NormalFill16<float>` with libm `logf`/`cosf`/`sinf`, and an unfused `uniform_`.
///
/// Both were verified bit for bit against torch 2.x on x86-64 (`Avx2` on an AVX-512 machine,
/// `Default` with `ATEN_CPU_CAPABILITY=default`). Everything else (float64 normal, the scalar
/// normal path, integers, bernoulli, exponential, randperm, multinomial) is the same for both.
/// aarch64 builds were not checked; `Default` is assumed there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CpuCapability {
    /// torch on x86-64 with AVX2 or AVX-512 (the usual x86 case).
    Avx2,
    /// torch's portable kernels.
    Default,
}

impl Default for CpuCapability {
    fn default() -> Self {
        if cfg!(target_arch = "x86_64") {
            CpuCapability::Avx2
        } else {
            CpuCapability::Default
        }
    }
}

/// PyTorch-compatible CPU generator: mt19937 state, torch's cached normal samples and the
/// initial seed.
#[derive(Clone)]
pub struct Generator {
    seed: u64,
    left: i32,
    seeded: bool,
    next: u32,
    state: [u32; MT_N],
    next_float_normal_sample: Option<f32>,
    next_double_normal_sample: Option<f64>,
    capability: CpuCapability,
}

impl std::fmt::Debug for Generator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generator")
            .field("initial_seed", &self.seed)
            .field("left", &self.left)
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

impl Default for Generator {
    fn default() -> Self {
        Self::new(DEFAULT_SEED)
    }
}

#[inline(always)]
fn temper(mut y: u32) -> u32 {
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c_5680;
    y ^= (y << 15) & 0xefc6_0000;
    y ^= y >> 18;
    y
}

#[inline(always)]
fn twist(u: u32, v: u32) -> u32 {
    (((u & UMASK) | (v & LMASK)) >> 1) ^ if v & 1 != 0 { MATRIX_A } else { 0 }
}

// ------------------------------------------------------------------------------------------
// Engine
// ------------------------------------------------------------------------------------------

impl Generator {
    /// A generator seeded like `torch.Generator().manual_seed(seed)`.
    pub fn new(seed: u64) -> Self {
        let mut g = Generator {
            seed: 0,
            left: 1,
            seeded: true,
            next: 0,
            state: [0; MT_N],
            next_float_normal_sample: None,
            next_double_normal_sample: None,
            capability: CpuCapability::default(),
        };
        g.manual_seed(seed);
        g
    }

    /// `CPUGeneratorImpl::set_current_seed`: reseeds the engine (`init_with_uint32`, which uses
    /// only the low 32 bits for the state but remembers the full 64-bit seed) and drops the
    /// cached normal samples.
    pub fn manual_seed(&mut self, seed: u64) {
        self.next_float_normal_sample = None;
        self.next_double_normal_sample = None;
        self.seed = seed;
        self.seeded = true;
        self.state[0] = (seed & 0xffff_ffff) as u32;
        for j in 1..MT_N {
            let p = self.state[j - 1];
            self.state[j] = 1_812_433_253u32
                .wrapping_mul(p ^ (p >> 30))
                .wrapping_add(j as u32);
        }
        self.left = 1;
        self.next = 0;
    }

    /// The seed last set (`torch.Generator.initial_seed()`).
    pub fn initial_seed(&self) -> u64 {
        self.seed
    }

    /// `torch.Generator.seed()`: reseeds from a nondeterministic source (64 bits from
    /// /dev/urandom like `c10::detail::getNonDeterministicRandom`, falling back to std's
    /// randomly keyed hasher mixed with time and an address) and returns the seed.
    pub fn seed(&mut self) -> u64 {
        let s = nondeterministic_seed();
        self.manual_seed(s);
        s
    }

    /// The torch CPU capability whose kernels this generator reproduces (see [`CpuCapability`]).
    pub fn cpu_capability(&self) -> CpuCapability {
        self.capability
    }

    /// Chooses the torch CPU capability to reproduce. The default matches torch on the build
    /// target's usual CPUs (`Avx2` on x86-64). Not part of the state blob.
    pub fn set_cpu_capability(&mut self, capability: CpuCapability) {
        self.capability = capability;
    }

    /// The state blob, byte for byte what `torch.get_rng_state()` / `Generator.get_state()`
    /// return (`CPUGeneratorImplState`, 5056 bytes, little-endian, padding zeroed).
    pub fn get_state(&self) -> Vec<u8> {
        let mut b = vec![0u8; STATE_SIZE];
        b[OFF_SEED..OFF_SEED + 8].copy_from_slice(&self.seed.to_le_bytes());
        b[OFF_LEFT..OFF_LEFT + 4].copy_from_slice(&self.left.to_le_bytes());
        b[OFF_SEEDED..OFF_SEEDED + 4].copy_from_slice(&(self.seeded as i32).to_le_bytes());
        b[OFF_NEXT..OFF_NEXT + 8].copy_from_slice(&(self.next as u64).to_le_bytes());
        for (j, &s) in self.state.iter().enumerate() {
            let o = OFF_STATE + 8 * j;
            b[o..o + 8].copy_from_slice(&(s as u64).to_le_bytes());
        }
        // normal_x and normal_rho are dummies (0.0); normal_y holds the cached double sample.
        if let Some(d) = self.next_double_normal_sample {
            b[OFF_NORMAL_VALID..OFF_NORMAL_VALID + 4].copy_from_slice(&1i32.to_le_bytes());
            b[OFF_NORMAL_Y..OFF_NORMAL_Y + 8].copy_from_slice(&d.to_le_bytes());
        }
        if let Some(f) = self.next_float_normal_sample {
            b[OFF_FLOAT_VALID] = 1;
            b[OFF_FLOAT_SAMPLE..OFF_FLOAT_SAMPLE + 4].copy_from_slice(&f.to_le_bytes());
        }
        b
    }

    /// `CPUGeneratorImpl::set_state`: accepts the current 5056-byte layout or the legacy
    /// 5048-byte one, and rejects an invalid mt19937 state, with torch's messages.
    pub fn set_state(&mut self, state: &[u8]) -> Result<()> {
        let rd_u64 = |o: usize| u64::from_le_bytes(state[o..o + 8].try_into().unwrap());
        let rd_i32 = |o: usize| i32::from_le_bytes(state[o..o + 4].try_into().unwrap());
        let rd_f64 = |o: usize| f64::from_le_bytes(state[o..o + 8].try_into().unwrap());
        let mut float_sample = None;
        let mut double_sample = None;
        if state.len() == LEGACY_STATE_SIZE {
            // The legacy layout stored Box-Muller intermediates; torch rebuilds the sin sample.
            if rd_i32(OFF_NORMAL_VALID) != 0 {
                let r = rd_f64(OFF_NORMAL_RHO);
                let theta = 2.0 * std::f64::consts::PI * rd_f64(OFF_NORMAL_X);
                double_sample = Some(r * theta.sin());
            }
        } else if state.len() == STATE_SIZE {
            if state[OFF_FLOAT_VALID] != 0 {
                float_sample = Some(f32::from_le_bytes(
                    state[OFF_FLOAT_SAMPLE..OFF_FLOAT_SAMPLE + 4]
                        .try_into()
                        .unwrap(),
                ));
            }
            if rd_i32(OFF_NORMAL_VALID) != 0 {
                double_sample = Some(rd_f64(OFF_NORMAL_Y));
            }
        } else {
            return Err(Error::Runtime(format!(
                "Expected either a CPUGeneratorImplStateLegacy of size {LEGACY_STATE_SIZE} or a \
                 CPUGeneratorImplState of size {STATE_SIZE} but found the input RNG state size \
                 to be {}",
                state.len()
            )));
        }
        let mut mt = [0u32; MT_N];
        for (j, s) in mt.iter_mut().enumerate() {
            *s = rd_u64(OFF_STATE + 8 * j) as u32; // std::copy uint64 -> uint32 truncates
        }
        let seed = rd_u64(OFF_SEED);
        let left = rd_i32(OFF_LEFT);
        let seeded = rd_i32(OFF_SEEDED) != 0;
        let next = rd_u64(OFF_NEXT) as u32;
        let valid = seeded && left > 0 && left <= MT_N as i32 && next <= MT_N as u32;
        if !valid {
            return Err(Error::Runtime("Invalid mt19937 state".into()));
        }
        self.state = mt;
        self.seed = seed;
        self.left = left;
        self.seeded = seeded;
        self.next = next;
        self.next_float_normal_sample = float_sample;
        self.next_double_normal_sample = double_sample;
        Ok(())
    }

    /// Regenerates the 624-word state (`mt19937_engine::next_state`).
    #[inline(never)]
    fn next_state(&mut self) {
        let s = &mut self.state;
        for k in 0..MT_N - MT_M {
            s[k] = s[k + MT_M] ^ twist(s[k], s[k + 1]);
        }
        for k in MT_N - MT_M..MT_N - 1 {
            s[k] = s[k + MT_M - MT_N] ^ twist(s[k], s[k + 1]);
        }
        s[MT_N - 1] = s[MT_M - 1] ^ twist(s[MT_N - 1], s[0]);
        self.left = MT_N as i32;
        self.next = 0;
    }

    /// One 32-bit output (`CPUGeneratorImpl::random`, i.e. `mt19937_engine::operator()`).
    #[inline]
    pub fn random_u32(&mut self) -> u32 {
        self.left -= 1;
        if self.left == 0 {
            self.next_state();
        }
        let y = self.state[self.next as usize];
        self.next += 1;
        temper(y)
    }

    /// `CPUGeneratorImpl::random64`: two 32-bit outputs, the first one in the high half.
    #[inline]
    pub fn random_u64(&mut self) -> u64 {
        let hi = self.random_u32() as u64;
        let lo = self.random_u32() as u64;
        (hi << 32) | lo
    }

    /// Fills `out` with consecutive 32-bit outputs, equivalent to calling
    /// [`random_u32`](Self::random_u32) `out.len()` times, but a whole block at a time.
    pub fn fill_u32(&mut self, out: &mut [u32]) {
        let mut i = 0;
        while i < out.len() {
            let avail = (self.left - 1) as usize;
            if avail == 0 {
                // The engine call that twists outputs state[0] and leaves left == 624.
                out[i] = self.random_u32();
                i += 1;
                continue;
            }
            let k = avail.min(out.len() - i);
            let start = self.next as usize;
            for (o, &s) in out[i..i + k].iter_mut().zip(&self.state[start..start + k]) {
                *o = temper(s);
            }
            self.next += k as u32;
            self.left -= k as i32;
            i += k;
        }
    }

    /// Calls `f` with successive blocks of raw 32-bit outputs totalling `n` words.
    #[inline]
    fn for_blocks_u32(&mut self, n: usize, mut f: impl FnMut(usize, &[u32])) {
        let mut buf = [0u32; 1024];
        let mut done = 0;
        while done < n {
            let k = (n - done).min(buf.len());
            self.fill_u32(&mut buf[..k]);
            f(done, &buf[..k]);
            done += k;
        }
    }
}

fn nondeterministic_seed() -> u64 {
    use std::io::Read;
    let mut b = [0u8; 8];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        if f.read_exact(&mut b).is_ok() {
            return u64::from_le_bytes(b);
        }
    }
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    h.write_u128(t);
    h.write_usize(&b as *const _ as usize);
    h.finish()
}

// ------------------------------------------------------------------------------------------
// Element types
// ------------------------------------------------------------------------------------------

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
    impl Sealed for half::f16 {}
    impl Sealed for half::bf16 {}
    impl Sealed for i64 {}
    impl Sealed for i32 {}
    impl Sealed for i16 {}
    impl Sealed for i8 {}
    impl Sealed for u8 {}
    impl Sealed for bool {}
}

/// Element types the integer-valued samplers (`random_from_to`, `random`, `bernoulli*`) write.
/// Conversions follow C++ `static_cast` from `int64_t` / `bool` as torch does (float types
/// round to nearest; Half/BFloat16 go through float like c10's constructors).
pub trait RandElem: Copy + sealed::Sealed {
    /// `static_cast<T>(int64_t)`.
    fn from_i64(v: i64) -> Self;
    /// `static_cast<T>(bool)`.
    fn from_bool(b: bool) -> Self {
        Self::from_i64(b as i64)
    }
    /// For `random_()` without bounds (`transformation::uniform_int`): whether torch draws
    /// 64 bits and the modulus it applies (`None` = keep the low bit, for bool).
    #[doc(hidden)]
    const RANDOM_64: bool;
    #[doc(hidden)]
    const RANDOM_MOD: Option<u64>;
    /// Integer dtypes: `(lowest, max, C++ type name)` for torch's `check_from_to_in_range`.
    #[doc(hidden)]
    const INT_BOUNDS: Option<(i64, i64, &'static str)> = None;
    /// Floating dtypes: `(digits, max, C++ type name)` for `update_from` / `update_to` and the
    /// range check.
    #[doc(hidden)]
    const FLOAT_INFO: Option<(u32, f64, &'static str)> = None;
    /// `static_cast<int64_t>(static_cast<T>(v))` for floating dtypes.
    #[doc(hidden)]
    fn roundtrip_i64(v: i64) -> i64 {
        v
    }
}

macro_rules! rand_elem_int {
    ($($t:ty => $name:expr),*) => {$(
        impl RandElem for $t {
            #[inline] fn from_i64(v: i64) -> Self { v as $t }
            const RANDOM_64: bool = false;
            const RANDOM_MOD: Option<u64> = Some(<$t>::MAX as u64 + 1);
            const INT_BOUNDS: Option<(i64, i64, &'static str)> =
                Some((<$t>::MIN as i64, <$t>::MAX as i64, $name));
        }
    )*};
}
rand_elem_int!(i32 => "int", i16 => "short int", i8 => "signed char", u8 => "unsigned char");

impl RandElem for i64 {
    #[inline]
    fn from_i64(v: i64) -> Self {
        v
    }
    const RANDOM_64: bool = true;
    const RANDOM_MOD: Option<u64> = Some(i64::MAX as u64 + 1);
}
impl RandElem for bool {
    #[inline]
    fn from_i64(v: i64) -> Self {
        v != 0
    }
    const RANDOM_64: bool = false;
    const RANDOM_MOD: Option<u64> = None;
    const INT_BOUNDS: Option<(i64, i64, &'static str)> = Some((0, 1, "bool"));
}
impl RandElem for f32 {
    #[inline]
    fn from_i64(v: i64) -> Self {
        v as f32
    }
    const RANDOM_64: bool = false;
    const RANDOM_MOD: Option<u64> = Some((1 << 24) + 1);
    const FLOAT_INFO: Option<(u32, f64, &'static str)> = Some((24, f32::MAX as f64, "float"));
    fn roundtrip_i64(v: i64) -> i64 {
        v as f32 as i64
    }
}
impl RandElem for f64 {
    #[inline]
    fn from_i64(v: i64) -> Self {
        v as f64
    }
    const RANDOM_64: bool = true;
    const RANDOM_MOD: Option<u64> = Some((1 << 53) + 1);
    const FLOAT_INFO: Option<(u32, f64, &'static str)> = Some((53, f64::MAX, "double"));
    fn roundtrip_i64(v: i64) -> i64 {
        v as f64 as i64
    }
}
impl RandElem for f16 {
    #[inline]
    fn from_i64(v: i64) -> Self {
        f16::from_f32(v as f32)
    }
    const RANDOM_64: bool = false;
    const RANDOM_MOD: Option<u64> = Some((1 << 11) + 1);
    const FLOAT_INFO: Option<(u32, f64, &'static str)> = Some((11, 65504.0, "c10::Half"));
    fn roundtrip_i64(v: i64) -> i64 {
        f16::from_f32(v as f32).to_f32() as i64
    }
}
impl RandElem for bf16 {
    #[inline]
    fn from_i64(v: i64) -> Self {
        bf16::from_f32(v as f32)
    }
    const RANDOM_64: bool = false;
    const RANDOM_MOD: Option<u64> = Some((1 << 8) + 1);
    const FLOAT_INFO: Option<(u32, f64, &'static str)> =
        Some((8, 3.389_531_389_251_535_5e38, "c10::BFloat16"));
    fn roundtrip_i64(v: i64) -> i64 {
        bf16::from_f32(v as f32).to_f32() as i64
    }
}

/// Floating element types the continuous distributions write. torch computes float32,
/// float16 and bfloat16 in float (`opmath_t`) and float64 in double.
pub trait RandFloat: RandElem + PartialEq {
    /// true for f64: opmath type double, 53-bit uniforms from `random64()`.
    const IS_DOUBLE: bool;
    /// true when the type is its own opmath type (f32, f64).
    #[doc(hidden)]
    const IS_OPMATH: bool;
    /// Round an opmath float to this type (`static_cast<scalar_t>(float)`).
    fn from_f32(v: f32) -> Self;
    /// `static_cast<scalar_t>(double)` (via float for Half/BFloat16, like c10).
    fn from_f64(v: f64) -> Self;
}
impl RandFloat for f32 {
    const IS_DOUBLE: bool = false;
    const IS_OPMATH: bool = true;
    #[inline]
    fn from_f32(v: f32) -> Self {
        v
    }
    #[inline]
    fn from_f64(v: f64) -> Self {
        v as f32
    }
}
impl RandFloat for f64 {
    const IS_DOUBLE: bool = true;
    const IS_OPMATH: bool = true;
    #[inline]
    fn from_f32(v: f32) -> Self {
        v as f64
    }
    #[inline]
    fn from_f64(v: f64) -> Self {
        v
    }
}
impl RandFloat for f16 {
    const IS_DOUBLE: bool = false;
    const IS_OPMATH: bool = false;
    #[inline]
    fn from_f32(v: f32) -> Self {
        f16::from_f32(v)
    }
    #[inline]
    fn from_f64(v: f64) -> Self {
        f16::from_f32(v as f32)
    }
}
impl RandFloat for bf16 {
    const IS_DOUBLE: bool = false;
    const IS_OPMATH: bool = false;
    #[inline]
    fn from_f32(v: f32) -> Self {
        bf16::from_f32(v)
    }
    #[inline]
    fn from_f64(v: f64) -> Self {
        bf16::from_f32(v as f32)
    }
}

/// Probability element types for `bernoulli_tensor` and `multinomial`.
pub trait ProbFloat: RandFloat + PartialOrd {
    /// The probability as torch's bernoulli sees it: float64 compares in double,
    /// every other dtype in float (`bernoulli_distribution<float>`).
    fn to_f64(self) -> f64;
    fn to_f32(self) -> f32;
}
impl ProbFloat for f32 {
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn to_f32(self) -> f32 {
        self
    }
}
impl ProbFloat for f64 {
    fn to_f64(self) -> f64 {
        self
    }
    fn to_f32(self) -> f32 {
        self as f32
    }
}
impl ProbFloat for f16 {
    fn to_f64(self) -> f64 {
        self.to_f64()
    }
    fn to_f32(self) -> f32 {
        self.to_f32()
    }
}
impl ProbFloat for bf16 {
    fn to_f64(self) -> f64 {
        self.to_f64()
    }
    fn to_f32(self) -> f32 {
        self.to_f32()
    }
}

// ------------------------------------------------------------------------------------------
// Scalar transformations (aten/src/ATen/core/TransformationHelper.h, DistributionsHelper.h)
// ------------------------------------------------------------------------------------------

/// `uniform_real<float>(v, 0, 1)`: the 24 low bits of a 32-bit word scaled to [0, 1).
#[inline(always)]
fn unit_f32(v: u32) -> f32 {
    (v & ((1 << 24) - 1)) as f32 * (1.0 / (1u32 << 24) as f32)
}

/// `uniform_real<double>(v, 0, 1)`: the 53 low bits of a 64-bit word scaled to [0, 1).
#[inline(always)]
fn unit_f64(v: u64) -> f64 {
    (v & ((1u64 << 53) - 1)) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// `uniform_real<float>(v, from, to)`: `x * (to - from) + from` in float; torch's AVX2 and
/// AVX-512 builds contract it into a fused multiply-add (`FUSED`), the portable one does not.
#[inline(always)]
fn uniform_real_f32<const FUSED: bool>(v: u32, from: f32, to: f32) -> f32 {
    if FUSED {
        unit_f32(v).mul_add(to - from, from)
    } else {
        unit_f32(v) * (to - from) + from
    }
}

/// `uniform_real<double>(v, from, to)`: like [`uniform_real_f32`] in double.
#[inline(always)]
fn uniform_real_f64<const FUSED: bool>(v: u64, from: f64, to: f64) -> f64 {
    if FUSED {
        unit_f64(v).mul_add(to - from, from)
    } else {
        unit_f64(v) * (to - from) + from
    }
}

impl Generator {
    /// `uniform_real_distribution<double>(0, 1)(gen)`.
    #[inline]
    fn uniform01_f64(&mut self) -> f64 {
        unit_f64(self.random_u64())
    }

    /// `normal_distribution<double>(mean, std)(gen)`: Box-Muller with the sin sample cached
    /// in the generator (`next_double_normal_sample`).
    #[inline]
    fn normal_scalar_f64(&mut self, mean: f64, std: f64) -> f64 {
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

// ------------------------------------------------------------------------------------------
// Distributions
// ------------------------------------------------------------------------------------------

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
        let fused = self.capability == CpuCapability::Avx2;
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

    /// [`uniform`](Self::uniform) for float32.
    pub fn uniform_f32(&mut self, out: &mut [f32], from: f64, to: f64) {
        self.uniform(out, from, to)
    }
    /// [`uniform`](Self::uniform) for float64.
    pub fn uniform_f64(&mut self, out: &mut [f64], from: f64, to: f64) {
        self.uniform(out, from, to)
    }
    /// [`uniform`](Self::uniform) for float16.
    pub fn uniform_f16(&mut self, out: &mut [f16], from: f64, to: f64) {
        self.uniform(out, from, to)
    }
    /// [`uniform`](Self::uniform) for bfloat16.
    pub fn uniform_bf16(&mut self, out: &mut [bf16], from: f64, to: f64) {
        self.uniform(out, from, to)
    }

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

    /// [`normal`](Self::normal) for float32.
    pub fn normal_f32(&mut self, out: &mut [f32], mean: f64, std: f64) {
        self.normal(out, mean, std)
    }
    /// [`normal`](Self::normal) for float64.
    pub fn normal_f64(&mut self, out: &mut [f64], mean: f64, std: f64) {
        self.normal(out, mean, std)
    }
    /// [`normal`](Self::normal) for float16.
    pub fn normal_f16(&mut self, out: &mut [f16], mean: f64, std: f64) {
        self.normal(out, mean, std)
    }
    /// [`normal`](Self::normal) for bfloat16.
    pub fn normal_bf16(&mut self, out: &mut [bf16], mean: f64, std: f64) {
        self.normal(out, mean, std)
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
        let kind = self.capability;
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

// ------------------------------------------------------------------------------------------
// Integer-valued samplers, bernoulli, exponential
// ------------------------------------------------------------------------------------------

impl Generator {
    /// `Tensor.random_(from, to)` / `torch.randint(low, high)` (`random_from_to_kernel`,
    /// `uniform_int_from_to_distribution`): with `range = high - low`, each element is
    /// `(w % range) + low` where `w` is `random64()` when `range >= 2^28` and `random()`
    /// otherwise, then `static_cast<T>` of the int64 (so float dtypes round).
    /// Like `random_from_to_impl` (native/DistributionTemplates.h), for floating dtypes the
    /// bounds are first moved to values representable in the dtype (`update_from`/`update_to`,
    /// e.g. `high = 2^27` becomes `2^27 - 8` for float32), and errors are raised like torch for
    /// `low >= high` and bounds outside the dtype (torch's precision *warnings* beyond
    /// `2^digits` are not emitted).
    pub fn random_from_to<T: RandElem>(
        &mut self,
        out: &mut [T],
        low: i64,
        high: i64,
    ) -> Result<()> {
        let (mut low, mut high) = (low, high);
        if low >= high {
            return Err(Error::Runtime(format!(
                "random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
            )));
        }
        if let Some((digits, max, name)) = T::FLOAT_INFO {
            // update_from / update_to (native/DistributionTemplates.h): move bounds that are not
            // representable in the dtype inwards to representable values.
            let from_plus_1 = T::roundtrip_i64(low.wrapping_add(1));
            if from_plus_1 < low {
                let n = 63 - (low.wrapping_add(1).unsigned_abs() | 1).leading_zeros() as i64;
                low = from_plus_1 + (1i64 << (n - digits as i64 + 1));
            }
            let to_minus_1 = T::roundtrip_i64(high.wrapping_sub(1));
            if to_minus_1 >= high {
                let n = 63 - (high.wrapping_sub(1).unsigned_abs() | 1).leading_zeros() as i64;
                high = to_minus_1 - (1i64 << (n - digits as i64 + 1));
            }
            if low >= high {
                return Err(Error::Runtime(format!(
                    "random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, \
                     but got from={low} >= to={high}"
                )));
            }
            // check_from_to_in_range (torch only warns beyond 2^digits).
            for (v, what) in [(low, "from"), (high - 1, "to - 1")] {
                if !((v as f64) >= -max && (v as f64) <= max) {
                    return Err(Error::Runtime(format!(
                        "{what} is out of bounds for {name}"
                    )));
                }
            }
        }
        if let Some((min, max, name)) = T::INT_BOUNDS {
            for (v, what) in [(low, "from"), (high - 1, "to - 1")] {
                if !(v >= min && v <= max) {
                    return Err(Error::Runtime(format!(
                        "{what} is out of bounds for {name}"
                    )));
                }
            }
        }
        let range = (high as u64).wrapping_sub(low as u64);
        let base = low as u64;
        if range >= 1 << 28 {
            self.for_blocks_u32(out.len() * 2, |off, w| {
                let dst = &mut out[off / 2..off / 2 + w.len() / 2];
                for (o, p) in dst.iter_mut().zip(w.chunks_exact(2)) {
                    let v = ((p[0] as u64) << 32) | p[1] as u64;
                    *o = T::from_i64((v % range).wrapping_add(base) as i64);
                }
            });
        } else {
            self.for_blocks_u32(out.len(), |off, w| {
                for (o, &v) in out[off..off + w.len()].iter_mut().zip(w) {
                    *o = T::from_i64((v as u64 % range).wrapping_add(base) as i64);
                }
            });
        }
        Ok(())
    }

    /// [`random_from_to`](Self::random_from_to) for int64 (`torch.randint`'s default dtype).
    pub fn random_from_to_i64(&mut self, out: &mut [i64], low: i64, high: i64) -> Result<()> {
        self.random_from_to(out, low, high)
    }
    /// [`random_from_to`](Self::random_from_to) for float32 (`torch.randint(.., dtype=float32)`).
    pub fn random_from_to_f32(&mut self, out: &mut [f32], low: i64, high: i64) -> Result<()> {
        self.random_from_to(out, low, high)
    }
    /// [`random_from_to`](Self::random_from_to) for float64.
    pub fn random_from_to_f64(&mut self, out: &mut [f64], low: i64, high: i64) -> Result<()> {
        self.random_from_to(out, low, high)
    }

    /// `Tensor.random_()` with no bounds (`random_kernel`, `uniform_int_distribution`):
    /// int64 `random64() % 2^63`; float64 `random64() % (2^53 + 1)`; float32
    /// `random() % (2^24 + 1)`; float16 `% (2^11 + 1)`; bfloat16 `% (2^8 + 1)`; bool the low bit;
    /// other integers `random() % (MAX + 1)`.
    pub fn random<T: RandElem>(&mut self, out: &mut [T]) {
        for o in out.iter_mut() {
            let v = if T::RANDOM_64 {
                self.random_u64()
            } else {
                self.random_u32() as u64
            };
            *o = match T::RANDOM_MOD {
                Some(m) => T::from_i64((v % m) as i64),
                None => T::from_bool(v & 1 == 1),
            };
        }
    }

    /// `Tensor.random_(from=i64::MIN, to=None)` (`random_full_64_bits_range_kernel`): the raw
    /// `random64()` reinterpreted as int64. torch allows it for int64/float64/float32/bfloat16.
    pub fn random_full_range<T: RandElem>(&mut self, out: &mut [T]) {
        for o in out.iter_mut() {
            *o = T::from_i64(self.random_u64() as i64);
        }
    }

    /// `Tensor.bernoulli_(p)` / `torch.bernoulli(x, p)` with a scalar `p`, as torch's default
    /// CPU kernel (`bernoulli_scalar_kernel_default`): per element `uniform<double>() < p` with
    /// a 53-bit uniform from `random64()`.
    ///
    /// That is torch's path on non-Intel CPUs and on builds without MKL. torch's MKL builds
    /// running on an *Intel* CPU instead seed an MKL MCG31 stream with one `random()` word and
    /// use `viRngBernoulli`; that path is not reproduced here (same distribution, different
    /// numbers; it consumes a single word of the generator).
    pub fn bernoulli_scalar<T: RandElem>(&mut self, out: &mut [T], p: f64) -> Result<()> {
        if !(0.0..=1.0).contains(&p) {
            return Err(Error::Runtime(format!(
                "bernoulli_ expects p to be in [0, 1], but got p={}",
                fmt_double(p)
            )));
        }
        for o in out.iter_mut() {
            let u = self.uniform01_f64();
            *o = T::from_bool(u < p);
        }
        Ok(())
    }
    /// [`bernoulli_scalar`](Self::bernoulli_scalar) for float32.
    pub fn bernoulli_scalar_f32(&mut self, out: &mut [f32], p: f64) -> Result<()> {
        self.bernoulli_scalar(out, p)
    }
    /// [`bernoulli_scalar`](Self::bernoulli_scalar) for float64.
    pub fn bernoulli_scalar_f64(&mut self, out: &mut [f64], p: f64) -> Result<()> {
        self.bernoulli_scalar(out, p)
    }

    /// `torch.bernoulli(probs)` / `Tensor.bernoulli_(probs)` (tensor `p`,
    /// `bernoulli_tensor_cpu_kernel`): for float64 probabilities `uniform<double>() < p`
    /// (`random64()`, 53 bits); for float32/float16/bfloat16 probabilities
    /// `uniform<float>() < float(p)` (`random()`, 24 bits). `probs` is the probability tensor
    /// already expanded to `out`'s shape, in `out`'s element order.
    pub fn bernoulli_tensor<T: RandElem, P: ProbFloat>(&mut self, out: &mut [T], probs: &[P]) {
        assert_eq!(
            out.len(),
            probs.len(),
            "bernoulli_tensor: out and probs differ in length"
        );
        for (o, &p) in out.iter_mut().zip(probs) {
            let b = if P::IS_DOUBLE {
                self.uniform01_f64() < p.to_f64()
            } else {
                let u = unit_f32(self.random_u32());
                u < p.to_f32()
            };
            *o = T::from_bool(b);
        }
    }

    /// `Tensor.exponential_(lambd)` (`exponential_kernel`, `exponential_distribution<double>`):
    /// per element `-1 / lambd * log1p(-u)` with a 53-bit uniform `u`, cast to the dtype.
    /// Errors like torch unless `lambd > 0` (infinity is accepted, like torch).
    pub fn exponential<T: RandFloat>(&mut self, out: &mut [T], lambd: f64) -> Result<()> {
        if !(lambd > 0.0) {
            return Err(Error::Runtime(format!(
                "exponential_ expects lambda > 0.0, but found lambda={}",
                fmt_double(lambd)
            )));
        }
        let neg_inv = -1.0 / lambd;
        for o in out.iter_mut() {
            let u = self.uniform01_f64();
            *o = T::from_f64(neg_inv * (-u).ln_1p());
        }
        Ok(())
    }
    /// [`exponential`](Self::exponential) for float32.
    pub fn exponential_f32(&mut self, out: &mut [f32], lambd: f64) -> Result<()> {
        self.exponential(out, lambd)
    }
    /// [`exponential`](Self::exponential) for float64.
    pub fn exponential_f64(&mut self, out: &mut [f64], lambd: f64) -> Result<()> {
        self.exponential(out, lambd)
    }

    /// `torch.randperm(n)` on CPU (`randperm_cpu` in native/TensorFactories.cpp). For
    /// `n < u32::MAX / 20` torch starts from `0..n` and for `i in 0..n-1` swaps element `i` with
    /// element `i + random() % (n - i)`; for larger `n` it runs the "inside-out" Fisher-Yates
    /// with `random64() % (i + 1)`. Both are reproduced.
    pub fn randperm(&mut self, n: usize) -> Vec<i64> {
        let mut r: Vec<i64> = (0..n as i64).collect();
        if (n as u64) < (u32::MAX / 20) as u64 {
            for i in 0..n.saturating_sub(1) {
                let z = (self.random_u32() as u64 % (n - i) as u64) as usize;
                r.swap(i, z + i);
            }
        } else {
            for i in 0..n {
                let z = (self.random_u64() % (i as u64 + 1)) as usize;
                r[i] = r[z];
                r[z] = i as i64;
            }
        }
        r
    }
}

/// Formats a double like C++ `operator<<` with default precision (`%g`, 6 significant
/// digits), as torch's error messages do.
/// A double the way torch prints it in messages (C++ stream, 6 significant digits).
pub fn fmt_double(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if v == 0.0 {
        return if v.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let sci = format!("{v:.5e}"); // d.ddddde<exp>, already rounded to 6 significant digits
    let (mant, exp) = sci.split_once('e').unwrap();
    let exp: i32 = exp.parse().unwrap();
    let trim = |s: String| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    if !(-4..6).contains(&exp) {
        let m = trim(mant.to_string());
        format!("{m}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    } else {
        trim(format!("{v:.*}", (5 - exp) as usize))
    }
}

// ------------------------------------------------------------------------------------------
// Multinomial
// ------------------------------------------------------------------------------------------

/// Probability dtypes `multinomial` accepts (float32 and float64; torch's float16/bfloat16
/// kernels are not reproduced).
pub trait MultinomialProb:
    ProbFloat + std::ops::Add<Output = Self> + std::ops::Div<Output = Self>
{
    #[doc(hidden)]
    fn zero() -> Self;
    #[doc(hidden)]
    fn one() -> Self;
    #[doc(hidden)]
    fn is_finite_(self) -> bool;
}
impl MultinomialProb for f32 {
    fn zero() -> Self {
        0.0
    }
    fn one() -> Self {
        1.0
    }
    fn is_finite_(self) -> bool {
        self.is_finite()
    }
}
impl MultinomialProb for f64 {
    fn zero() -> Self {
        0.0
    }
    fn one() -> Self {
        1.0
    }
    fn is_finite_(self) -> bool {
        self.is_finite()
    }
}

impl Generator {
    /// `torch.multinomial(probs, num_samples, replacement)` on CPU for a `rows x n` row-major
    /// probability matrix (a 1-D input is `rows = 1`); returns `rows x num_samples` indices.
    ///
    /// * Without replacement, or with `num_samples == 1` (Distributions.cpp fast path):
    ///   `q = empty_like(probs).exponential_(1)` (one [`exponential`](Self::exponential) draw per
    ///   element in the probs dtype), `q = probs / q`, then `argmax` (one sample) or `topk`
    ///   (largest first) along each row. Ties in `topk` (only possible between equal ratios,
    ///   e.g. several zero probabilities) are broken by lower index, which torch leaves
    ///   unspecified.
    /// * With replacement and `num_samples > 1` (`multinomial_with_replacement_apply` in
    ///   native/cpu/MultinomialKernel.cpp): per row a cumulative sum in the probs dtype,
    ///   normalised by its total, last bucket forced to 1, then for each sample a 53-bit
    ///   uniform and a binary search for the first bucket with `cum >= u`.
    pub fn multinomial<P: MultinomialProb>(
        &mut self,
        probs: &[P],
        rows: usize,
        n: usize,
        num_samples: usize,
        replacement: bool,
    ) -> Result<Vec<i64>> {
        if probs.len() != rows * n {
            return Err(Error::Runtime(format!(
                "multinomial: probs has {} elements, expected {rows} x {n}",
                probs.len()
            )));
        }
        if num_samples == 0 {
            return Err(Error::Runtime("cannot sample n_sample <= 0 samples".into()));
        }
        if !replacement && num_samples > n {
            return Err(Error::Runtime(
                "cannot sample n_sample > prob_dist.size(-1) samples without replacement".into(),
            ));
        }
        if n > (1 << 24) {
            return Err(Error::Runtime(
                "number of categories cannot exceed 2^24".into(),
            ));
        }
        let mut result = vec![0i64; rows * num_samples];
        if result.is_empty() {
            return Ok(result);
        }
        if !replacement || num_samples == 1 {
            // self.max() < inf && self.min() >= 0; NaN propagates through max/min.
            let bad = probs
                .iter()
                .any(|&p| !(p.to_f64() >= 0.0) || p.to_f64() == f64::INFINITY);
            if bad {
                return Err(Error::Runtime(
                    "probability tensor contains either `inf`, `nan` or element < 0".into(),
                ));
            }
            for r in 0..rows {
                let row = &probs[r * n..(r + 1) * n];
                if row.iter().all(|&p| p.to_f64() == 0.0) {
                    return Err(Error::Runtime(
                        "invalid multinomial distribution (sum of probabilities <= 0)".into(),
                    ));
                }
            }
            let mut q = vec![P::zero(); probs.len()];
            self.exponential(&mut q, 1.0)?;
            for (qv, &p) in q.iter_mut().zip(probs) {
                *qv = p / *qv;
            }
            // Comparison used by argmax/topk: NaN counts as the largest value.
            let gt = |a: P, b: P| -> bool {
                let (a, b) = (a.to_f64(), b.to_f64());
                (a.is_nan() && !b.is_nan()) || a > b
            };
            for r in 0..rows {
                let row = &q[r * n..(r + 1) * n];
                let dst = &mut result[r * num_samples..(r + 1) * num_samples];
                if num_samples == 1 {
                    let mut best = 0;
                    for j in 1..n {
                        if gt(row[j], row[best]) {
                            best = j;
                        }
                    }
                    dst[0] = best as i64;
                } else {
                    let mut idx: Vec<usize> = (0..n).collect();
                    idx.sort_by(|&a, &b| {
                        if gt(row[a], row[b]) {
                            std::cmp::Ordering::Less
                        } else if gt(row[b], row[a]) {
                            std::cmp::Ordering::Greater
                        } else {
                            a.cmp(&b)
                        }
                    });
                    for (d, &i) in dst.iter_mut().zip(&idx) {
                        *d = i as i64;
                    }
                }
            }
            return Ok(result);
        }
        let mut cum = vec![P::zero(); n];
        for r in 0..rows {
            let row = &probs[r * n..(r + 1) * n];
            let mut sum = P::zero();
            for (c, &val) in cum.iter_mut().zip(row) {
                if !(val.to_f64() >= 0.0) {
                    return Err(Error::Runtime(
                        "invalid multinomial distribution (encountering probability entry < 0)"
                            .into(),
                    ));
                }
                if !val.is_finite_() {
                    return Err(Error::Runtime(
                        "invalid multinomial distribution (encountering probability entry = infinity or NaN)"
                            .into(),
                    ));
                }
                sum = sum + val;
                *c = sum;
            }
            if !(sum.to_f64() > 0.0) {
                return Err(Error::Runtime(
                    "invalid multinomial distribution (sum of probabilities <= 0)".into(),
                ));
            }
            for c in cum.iter_mut() {
                *c = *c / sum;
            }
            cum[n - 1] = P::one();
            for s in 0..num_samples {
                let u = self.uniform01_f64();
                let (mut left, mut right) = (0usize, n);
                while right > left {
                    let mid = left + (right - left) / 2;
                    if cum[mid].to_f64() < u {
                        left = mid + 1;
                    } else {
                        right = mid;
                    }
                }
                result[r * num_samples + s] = left as i64;
            }
        }
        Ok(result)
    }
}
