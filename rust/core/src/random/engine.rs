//! The engine: torch's CPU generator (`at::CPUGeneratorImpl`,
//! aten/src/ATen/CPUGeneratorImpl.cpp), a 32-bit Mersenne Twister (`at::mt19937`,
//! aten/src/ATen/core/MT19937RNGEngine.h) plus the cached second Box-Muller samples; seeding,
//! the state blob `torch.get_rng_state()` exchanges, and the raw 32/64-bit draws every
//! distribution consumes.

use crate::error::{Error, Result};

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
    /// The cached sin sample of `normal_distribution<double>` (see transform.rs).
    pub(super) next_double_normal_sample: Option<f64>,
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
    pub(super) fn for_blocks_u32(&mut self, n: usize, mut f: impl FnMut(usize, &[u32])) {
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
