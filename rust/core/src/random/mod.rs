//! A CPU random generator that reproduces PyTorch's CPU generator bit for bit, and the random
//! fills of tensors built on it.
//!
//! PyTorch's CPU generator (`at::CPUGeneratorImpl`) is a 32-bit Mersenne Twister plus a cached
//! second Box-Muller sample. Every distribution here is a transcription of the CPU kernel torch
//! runs for that dtype (aten/src/ATen/native/cpu/DistributionTemplates.h,
//! DistributionKernels.cpp, TensorFactories.cpp, Distributions.cpp, MultinomialKernel.cpp),
//! consuming the engine's 32-bit words in exactly the same order, so that
//! `torch.manual_seed(s); torch.randn(n)` and `Generator::new(s).normal(..)` agree bit for bit.
//!
//! Two levels, one file per seam:
//!
//! | file | what lives there |
//! |---|---|
//! | `engine.rs` | [`Generator`]: mt19937, seeding, torch's state blob, raw 32/64-bit draws; [`CpuCapability`] |
//! | `elem.rs` | the element-type traits ([`RandElem`], [`RandFloat`], [`ProbFloat`], [`MultinomialProb`]): torch's casts and range constants per dtype |
//! | `transform.rs` | raw words to one sample: unit uniforms, `uniform_real`, the scalar double uniform and normal |
//! | `continuous.rs` | slice samplers: `uniform`, `exponential`, `cauchy`, `log_normal`, `geometric` |
//! | `normal.rs` | slice sampler `normal` (torch's vectorised `normal_fill`, its AVX2 kernel) and `normal_serial` |
//! | `discrete.rs` | slice samplers: `random_from_to`, `random`, `random_full_range`, `bernoulli_*`, `randperm`, `multinomial` |
//! | `fill.rs` | the tensor level, in place: [`uniform_`], [`normal_`], [`random_`], [`bernoulli_`], ... fill a [`Tensor`](crate::Tensor) in torch's order, with torch's argument and dtype checks |
//! | `create.rs` | the tensor level, new results: [`randperm`], [`multinomial`], [`normal`] with tensor arguments |
//!
//! The slice samplers (methods of [`Generator`]) write plain contiguous slices in element
//! order. The tensor functions decide what torch decides per tensor: values are produced in
//! the order torch's `cpu_serial_kernel` visits elements, which for these nullary ops is the
//! tensor's *memory* order (TensorIterator sorts dimensions by stride), so a non-contiguous
//! tensor gets its values in a buffer that is then scattered through the tensor's dims in
//! memory order. The one place where contiguity changes the *algorithm* is `normal_`: torch
//! uses the vectorised Box-Muller for contiguous tensors with at least 16 elements and the
//! scalar, cached Box-Muller otherwise ([`Generator::normal`] picks by length, the contiguous
//! rule; [`Generator::normal_serial`] is the scalar path). On a meta tensor the fills check
//! their arguments and draw nothing (the generator does not move), as in torch.
//!
//! Things that depend on how the installed torch was built or on the host CPU are documented on
//! the functions concerned: `normal` for float32/float16/bfloat16 (the AVX2 `normal_fill_16`
//! used on x86-64 machines with AVX2 or AVX-512 versus the portable scalar one, see
//! [`CpuCapability`]), and `bernoulli_scalar` (torch's MKL builds use an MKL stream on *Intel*
//! CPUs only).

// The `!(x > 0.0)`-style checks are deliberate: like torch's, they reject NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

mod continuous;
mod create;
mod discrete;
mod elem;
mod engine;
mod fill;
mod normal;
mod transform;

pub use create::{multinomial, normal, randperm, NormalArg};
pub use elem::{MultinomialProb, ProbFloat, RandElem, RandFloat};
pub use engine::{CpuCapability, Generator, DEFAULT_SEED, LEGACY_STATE_SIZE, STATE_SIZE};
pub use fill::{bernoulli_, bernoulli_tensor_, cauchy_, exponential_, geometric_, log_normal_, normal_, random_, uniform_};

pub(crate) use crate::scalar::fmt_double;
