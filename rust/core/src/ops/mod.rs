//! CPU kernels. Each family file declares its ops once; the generic `map_*` drivers here walk
//! the operands' layouts (contiguous fast path, strided rows otherwise) so an op only supplies
//! its scalar function.
//!
//! Every op computes its output's shape, dtype and layout first (device-free code), allocates
//! it on the operands' device ([`Device::common`]: torch's same-device check), and only then
//! touches data: on the meta device it stops there, so an op on meta tensors costs no memory.
//! Ops whose output shape depends on values (nonzero, unique...) fail on meta with the
//! storage's device error.

pub mod binary;
pub mod index;
pub mod linalg;
pub mod movement;
pub mod nn;
pub mod optim;
pub mod reduce;
pub mod sort;
pub mod special;
pub mod unary;
pub mod vecmath;

use crate::device::Device;
use crate::dtype::{result_type, DType, Element, Operand};
use crate::error::Result;
use crate::iter::Plan;
use crate::parallel::{SyncPtr, GRAIN};
use crate::scalar::Scalar;
use crate::shape;
use crate::tensor::Tensor;

/// An operand of an elementwise op: a tensor or a Python scalar.
#[derive(Clone, Debug)]
pub enum Arg<'a> {
    Tensor(&'a Tensor),
    Scalar(Scalar),
}

impl Arg<'_> {
    fn operand(&self) -> Operand {
        match self {
            Arg::Tensor(t) if t.ndim() == 0 => Operand::ZeroDim(t.dtype()),
            Arg::Tensor(t) => Operand::Tensor(t.dtype()),
            Arg::Scalar(s) => Operand::Scalar(s.dtype()),
        }
    }

    /// This operand as a tensor of `dtype` (a scalar becomes a 0-dim tensor).
    fn as_tensor(&self, dtype: DType) -> Result<Tensor> {
        match self {
            Arg::Tensor(t) => t.to_dtype(dtype),
            Arg::Scalar(s) => Tensor::scalar(*s, dtype),
        }
    }
}

/// The default floating dtype (torch.get_default_dtype()), process-wide like torch's: an index
/// into `DType::ALL`, float32 at start.
static DEFAULT_FLOAT: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// The default floating dtype: what Python floats, `torch.tensor(1.5)`, true division and the
/// float ops of integer tensors give (torch.get_default_dtype()).
#[inline]
pub fn default_float() -> DType {
    DType::ALL[DEFAULT_FLOAT.load(std::sync::atomic::Ordering::Relaxed) as usize]
}

/// `torch.set_default_dtype`: only float32, float64, float16 and bfloat16 are allowed (torch's
/// TypeError text, which the bindings raise as a TypeError).
pub fn set_default_float(dtype: DType) -> Result<()> {
    if !dtype.is_floating_point() {
        return Err(crate::error::Error::runtime("only floating-point types are supported as the default type"));
    }
    let i = DType::ALL.iter().position(|&d| d == dtype).expect("every dtype is in DType::ALL");
    DEFAULT_FLOAT.store(i as u8, std::sync::atomic::Ordering::Relaxed);
    Ok(())
}

/// `torch.result_type` of elementwise operands.
pub(crate) fn result_dtype(args: &[Arg]) -> DType {
    // no heap allocation: this runs on every small op
    let ops: smallvec::SmallVec<[Operand; 4]> = args.iter().map(Arg::operand).collect();
    result_type(&ops, default_float())
}

/// Apply `f` elementwise to two tensors of element type `S`, broadcast together.
pub(crate) fn map2<S: Element, D: Element>(a: &Tensor, b: &Tensor, f: impl Fn(S, S) -> D + Sync) -> Result<Tensor> {
    debug_assert!(a.dtype() == S::DTYPE && b.dtype() == S::DTYPE);
    let shape = shape::broadcast_shapes(a.shape(), b.shape())?;
    // before broadcasting: a 0-dim CPU operand goes with any device
    let device = Device::common([a, b])?;
    // the output follows the operands' memory order (contiguous when they are)
    let out = Tensor::empty_for(&shape, &[a, b], D::DTYPE, device)?;
    // operands already of the result's shape are used as they are (no layout copies per op)
    let (ab, bb);
    let a = if a.shape() == shape.as_slice() { a } else { ab = a.broadcast_to(&shape)?; &ab };
    let b = if b.shape() == shape.as_slice() { b } else { bb = b.broadcast_to(&shape)?; &bb };
    if out.is_meta() {
        return Ok(out);
    }
    {
        let (ag, bg) = (a.storage().read()?, b.storage().read()?);
        let og = out.storage().write()?;
        let (strides, offsets) = ([out.strides(), a.strides(), b.strides()], [0, a.offset(), b.offset()]);
        let plan = if out.is_contiguous() { Plan::new(&shape, strides, offsets) } else { Plan::in_memory_order_of_first(&shape, strides, offsets) };
        let (op, ap, bp) = (SyncPtr(og.ptr() as *mut D), SyncPtr(ag.ptr() as *mut S), SyncPtr(bg.ptr() as *mut S));
        plan.par_for_each_row(GRAIN, |[o, i, j], len, [so, si, sj]| unsafe {
            let (op, ap, bp) = (op.get(), ap.get() as *const S, bp.get() as *const S);
            let out = std::slice::from_raw_parts_mut(op.add(o), len);
            match (so, si, sj) {
                (1, 1, 1) => {
                    let (x, y) = (std::slice::from_raw_parts(ap.add(i), len), std::slice::from_raw_parts(bp.add(j), len));
                    simd(|| {
                        for k in 0..len {
                            out[k] = f(x[k], y[k]);
                        }
                    })
                }
                (1, 1, 0) => {
                    let (x, y) = (std::slice::from_raw_parts(ap.add(i), len), *bp.add(j));
                    simd(|| {
                        for k in 0..len {
                            out[k] = f(x[k], y);
                        }
                    })
                }
                (1, 0, 1) => {
                    let (x, y) = (*ap.add(i), std::slice::from_raw_parts(bp.add(j), len));
                    simd(|| {
                        for k in 0..len {
                            out[k] = f(x, y[k]);
                        }
                    })
                }
                _ => {
                    for k in 0..len {
                        *op.add(o + k * so) = f(*ap.add(i + k * si), *bp.add(j + k * sj));
                    }
                }
            }
        });
    }
    Ok(out)
}

crate::simd::multiversion! { [avx2];
    /// Run `body` compiled for AVX2 + FMA when the CPU has them, else as is: the closure inlines
    /// into the `target_feature` copy, so the contiguous loops of a generic build vectorise at
    /// full width. Results are identical either way (no contraction). AVX2 only: this serves
    /// every elementwise op and dtype, memory-bound loops where AVX-512 would add code, not speed.
    #[inline(always)]
    pub(crate) fn simd[R, F: FnOnce() -> R](body: F) -> R {
        body()
    }
}
