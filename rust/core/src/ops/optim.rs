//! Multi-tensor optimizer steps (torch's `foreach`/`fused` optimizers, on the CPU): one call
//! updates every parameter of a param group, each in a single pass over its parameter,
//! gradient and state, where the op-by-op form (python/rstorch/optim, and torch's single-tensor
//! CPU path) makes six to eight passes and as many temporaries.
//!
//! The arithmetic is the op-by-op form's, operation for operation, in the parameter's dtype,
//! with every hyper-parameter rounded to that dtype as a scalar operand is, and the bias
//! corrections computed in f64 from the step counter as Python computes them; so a trajectory
//! is bit for bit the op-by-op one (tests/test_optim_multi_tensor.py holds both to that).
//!
//! Everything is checked before anything is written: a call either updates the whole group,
//! or returns `false` (a group the one-pass form does not cover: not float32/float64 on the
//! CPU, non-contiguous, state tensors sharing memory) and leaves it as it was, for the caller
//! to take the op-by-op path.

use super::simd;
use crate::device::Device;
use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::parallel::{for_each_chunk, SyncPtr, GRAIN};
use crate::storage::{ReadGuard, Storage, WriteGuard};
use crate::tensor::Tensor;
use std::sync::Arc;

/// The float element types the steps run in, with the few operations they need.
trait Real: Element + std::ops::Add<Output = Self> + std::ops::Sub<Output = Self> + std::ops::Mul<Output = Self> + std::ops::Div<Output = Self> + std::ops::Neg<Output = Self> + PartialOrd {
    fn sqrt(self) -> Self;
    fn abs(self) -> Self;
    fn is_nan(self) -> bool;
}

macro_rules! real {
    ($($t:ty),*) => {$(
        impl Real for $t {
            #[inline(always)]
            fn sqrt(self) -> Self { <$t>::sqrt(self) }
            #[inline(always)]
            fn abs(self) -> Self { <$t>::abs(self) }
            #[inline(always)]
            fn is_nan(self) -> bool { <$t>::is_nan(self) }
        }
    )*};
}
real!(f32, f64);

/// torch's lerp (as `Tensor.lerp_` computes it): the formula is chosen by |weight| so both ends
/// are exact.
#[inline(always)]
fn lerp<T: Real>(s: T, e: T, w: T) -> T {
    if w.abs() < T::from_f64(0.5) {
        s + w * (e - s)
    } else {
        e - (e - s) * (T::one() - w)
    }
}

/// `torch.maximum`: NaN wins.
#[inline(always)]
fn maximum<T: Real>(a: T, b: T) -> T {
    if a.is_nan() || b.is_nan() {
        a + b
    } else if a > b {
        a
    } else {
        b
    }
}

/// Adam's and AdamW's hyper-parameters (torch.optim.Adam; AdamW is `decoupled_weight_decay`).
#[derive(Clone, Copy, Debug)]
pub struct Adam {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub weight_decay: f64,
    pub amsgrad: bool,
    pub maximize: bool,
    pub decoupled_weight_decay: bool,
}

/// SGD's hyper-parameters (torch.optim.SGD).
#[derive(Clone, Copy, Debug)]
pub struct Sgd {
    pub lr: f64,
    pub momentum: f64,
    pub dampening: f64,
    pub weight_decay: f64,
    pub nesterov: bool,
    pub maximize: bool,
}

/// One Adam step over a param group: for each parameter its step counter (a 0-dim float
/// tensor) is incremented, then `exp_avg`, `exp_avg_sq` (and `max_exp_avg_sq` with amsgrad)
/// and the parameter are updated in place. `max_exp_avg_sqs` is empty without amsgrad.
/// `false`: the group does not qualify and nothing was written (see the module doc).
pub fn adam_step(
    params: &[Tensor],
    grads: &[Tensor],
    exp_avgs: &[Tensor],
    exp_avg_sqs: &[Tensor],
    max_exp_avg_sqs: &[Tensor],
    steps: &[Tensor],
    o: &Adam,
) -> Result<bool> {
    let mut state: Vec<&[Tensor]> = vec![exp_avgs, exp_avg_sqs];
    if o.amsgrad {
        state.push(max_exp_avg_sqs);
    }
    let Some(dtype) = check_group("adam", params, grads, &state, Some(steps))? else { return Ok(false) };
    let grads = readable(grads, params, &state, Some(steps))?;
    for i in 0..params.len() {
        let step = increment(&steps[i])?;
        let s = AdamScalars::new(o, step);
        let (p, g, m, v) = (&params[i], &grads[i], &exp_avgs[i], &exp_avg_sqs[i]);
        match dtype {
            DType::Float32 => adam_one::<f32>(p, g, m, v, max_exp_avg_sqs.get(i).filter(|_| o.amsgrad), o, &s)?,
            _ => adam_one::<f64>(p, g, m, v, max_exp_avg_sqs.get(i).filter(|_| o.amsgrad), o, &s)?,
        }
    }
    Ok(true)
}

/// The per-parameter scalars of an Adam step, in f64 as the op-by-op form computes them.
struct AdamScalars {
    neg_step_size: f64,
    bias_correction2_sqrt: f64,
}

impl AdamScalars {
    /// `powf` is libm's `pow`, as Python's `**` is; the opaque 0.5 keeps LLVM from making
    /// `pow(x, 0.5)` a `sqrt`, which can differ in the last bit.
    fn new(o: &Adam, step: f64) -> AdamScalars {
        let bias_correction1 = 1.0 - o.beta1.powf(step);
        let bias_correction2 = 1.0 - o.beta2.powf(step);
        AdamScalars { neg_step_size: -(o.lr / bias_correction1), bias_correction2_sqrt: bias_correction2.powf(std::hint::black_box(0.5)) }
    }
}

fn adam_one<T: Real>(p: &Tensor, g: &Tensor, m: &Tensor, v: &Tensor, mx: Option<&Tensor>, o: &Adam, s: &AdamScalars) -> Result<()> {
    let t = T::from_f64;
    let (decay, wd) = (t(1.0 - o.lr * o.weight_decay), t(o.weight_decay));
    let (w1, b2, c2) = (t(1.0 - o.beta1), t(o.beta2), t(1.0 - o.beta2));
    let (bc2s, eps, neg_step) = (t(s.bias_correction2_sqrt), t(o.eps), t(s.neg_step_size));
    let (maximize, decoupled, has_wd) = (o.maximize, o.decoupled_weight_decay, o.weight_decay != 0.0);
    // the step of one element: parameter, first moment, second moment (and its maximum)
    let update = move |p: T, m: T, v: T, g: T| -> (T, T, T) {
        let mut g = if maximize { -g } else { g };
        let mut p = p;
        if has_wd {
            if decoupled {
                p = p * decay;
            } else {
                g = g + p * wd;
            }
        }
        let m = lerp(m, g, w1);
        let v = v * b2;
        (p, m, v + c2 * g * g)
    };
    let finish = move |p: T, m: T, second: T| p + neg_step * m / (second.sqrt() / bc2s + eps);
    match mx {
        None => each(&[p, m, v], g, move |[p, m, v], g| {
            let (p, m, v) = update(p, m, v, g);
            [finish(p, m, v), m, v]
        }),
        Some(mx) => each(&[p, m, v, mx], g, move |[p, m, v, mx], g| {
            let (p, m, v) = update(p, m, v, g);
            let mx = maximum(mx, v);
            [finish(p, m, mx), m, v, mx]
        }),
    }
}

/// One SGD step over a param group. `momentum_buffers[i]` is updated in place, or, where
/// `fresh[i]`, set to the (decayed) gradient: torch's first step clones the gradient into a
/// new buffer. `momentum_buffers` is empty without momentum. `false`: as for [`adam_step`].
pub fn sgd_step(params: &[Tensor], grads: &[Tensor], momentum_buffers: &[Tensor], fresh: &[bool], o: &Sgd) -> Result<bool> {
    let with_momentum = o.momentum != 0.0;
    let state: Vec<&[Tensor]> = if with_momentum { vec![momentum_buffers] } else { vec![] };
    if with_momentum && fresh.len() != params.len() {
        return Err(Error::runtime(format!("sgd: expected {} fresh flags, got {}", params.len(), fresh.len())));
    }
    let Some(dtype) = check_group("sgd", params, grads, &state, None)? else { return Ok(false) };
    let grads = readable(grads, params, &state, None)?;
    for i in 0..params.len() {
        let buf = momentum_buffers.get(i).filter(|_| with_momentum);
        let first = with_momentum && fresh[i];
        match dtype {
            DType::Float32 => sgd_one::<f32>(&params[i], &grads[i], buf, first, o)?,
            _ => sgd_one::<f64>(&params[i], &grads[i], buf, first, o)?,
        }
    }
    Ok(true)
}

fn sgd_one<T: Real>(p: &Tensor, g: &Tensor, buf: Option<&Tensor>, first: bool, o: &Sgd) -> Result<()> {
    let t = T::from_f64;
    let (wd, mom, keep, neg_lr) = (t(o.weight_decay), t(o.momentum), t(1.0 - o.dampening), t(-o.lr));
    let (maximize, has_wd, nesterov) = (o.maximize, o.weight_decay != 0.0, o.nesterov);
    let decayed = move |p: T, g: T| {
        let g = if maximize { -g } else { g };
        if has_wd {
            g + p * wd
        } else {
            g
        }
    };
    match buf {
        None => each(&[p], g, move |[p], g| [p + decayed(p, g) * neg_lr]),
        Some(buf) => each(&[p, buf], g, move |[p, b], g| {
            let g = decayed(p, g);
            let b = if first { g } else { b * mom + g * keep };
            let step = if nesterov { g + b * mom } else { b };
            [p + step * neg_lr, b]
        }),
    }
}

/// The common dtype of a group the one-pass form covers, None for one it does not: float32
/// or float64 parameters on the CPU, contiguous; gradients and state of each parameter's
/// shape and dtype, the state contiguous; every written tensor in a storage of its own (the
/// writes of one element must not land on another's). Lists of unequal lengths are an error.
fn check_group(op: &str, params: &[Tensor], grads: &[Tensor], state: &[&[Tensor]], steps: Option<&[Tensor]>) -> Result<Option<DType>> {
    let n = params.len();
    let lists = std::iter::once(grads).chain(state.iter().copied()).chain(steps);
    if let Some(bad) = lists.map(|l| l.len()).find(|&l| l != n) {
        return Err(Error::runtime(format!("{op}: expected lists of {n} tensors, got one of {bad}")));
    }
    let Some(first) = params.first() else { return Ok(Some(DType::Float32)) };
    let dtype = first.dtype();
    if !matches!(dtype, DType::Float32 | DType::Float64) {
        return Ok(None);
    }
    let mut written: Vec<*const Storage> = Vec::with_capacity(n * (state.len() + 2));
    for (i, p) in params.iter().enumerate() {
        let st = state.iter().map(|l| &l[i]);
        for t in std::iter::once(p).chain(std::iter::once(&grads[i])).chain(st.clone()) {
            if t.device() != Device::Cpu || t.dtype() != dtype || t.shape() != p.shape() {
                return Ok(None);
            }
        }
        for t in std::iter::once(p).chain(st) {
            if !t.is_contiguous() {
                return Ok(None);
            }
            written.push(Arc::as_ptr(t.storage()));
        }
        if let Some(steps) = steps {
            let s = &steps[i];
            if s.numel() != 1 || s.device() != Device::Cpu || !s.dtype().is_floating_point() {
                return Ok(None);
            }
            written.push(Arc::as_ptr(s.storage()));
        }
    }
    written.sort_unstable();
    if written.windows(2).any(|w| w[0] == w[1]) {
        return Ok(None);
    }
    Ok(Some(dtype))
}

/// The gradients as contiguous tensors in storages nothing in the group writes (a gradient
/// that is a view of a parameter or of state is copied first, as the op-by-op form reads it
/// before writing).
fn readable(grads: &[Tensor], params: &[Tensor], state: &[&[Tensor]], steps: Option<&[Tensor]>) -> Result<Vec<Tensor>> {
    let mut written: Vec<*const Storage> = params.iter().chain(state.iter().flat_map(|l| l.iter())).chain(steps.into_iter().flatten()).map(|t| Arc::as_ptr(t.storage())).collect();
    written.sort_unstable();
    grads
        .iter()
        .map(|g| {
            let aliased = written.binary_search(&Arc::as_ptr(g.storage())).is_ok();
            if aliased {
                g.copy_as(g.dtype())
            } else {
                g.contiguous()
            }
        })
        .collect()
}

/// Add one to a step counter in place; its new value.
fn increment(step: &Tensor) -> Result<f64> {
    let value = step.item()?.to_f64() + 1.0;
    // the counter keeps its dtype's rounding, as `step_t += 1` does
    let value = match step.dtype() {
        DType::Float64 => value,
        d => {
            let t = Tensor::scalar(crate::scalar::Scalar::Float(value), d)?;
            t.item()?.to_f64()
        }
    };
    step.fill_(crate::scalar::Scalar::Float(value))?;
    Ok(value)
}

/// A held lock on one storage.
enum Guard<'a> {
    Read(ReadGuard<'a>),
    Write(WriteGuard<'a>),
}

impl Guard<'_> {
    fn ptr(&self) -> *mut u8 {
        match self {
            Guard::Read(g) => g.ptr() as *mut u8,
            Guard::Write(g) => g.ptr(),
        }
    }
}

/// `written[k][j], .. = f([written[0][j], ..], read[j])` for every element j, in one parallel
/// pass with all the locks held. The tensors are contiguous, of one shape and of element type
/// T, each written one in its own storage and `read` in another (checked by the callers).
fn each<T: Real, const W: usize>(written: &[&Tensor; W], read: &Tensor, f: impl Fn([T; W], T) -> [T; W] + Sync + Copy) -> Result<()> {
    let n = read.numel();
    // locks in address order, so two threads stepping groups that share a tensor cannot deadlock
    let mut order: Vec<(usize, bool)> = (0..W).map(|k| (k, true)).chain([(W, false)]).collect();
    let tensor = |k: usize| if k < W { written[k] } else { read };
    order.sort_by_key(|&(k, _)| Arc::as_ptr(tensor(k).storage()));
    let mut guards: Vec<(usize, Guard<'_>)> = Vec::with_capacity(W + 1);
    for (k, write) in order {
        let s = tensor(k).storage();
        guards.push((k, if write { Guard::Write(s.write()?) } else { Guard::Read(s.read()?) }));
    }
    guards.sort_by_key(|g| g.0);
    let ptrs: [SyncPtr<T>; W] = std::array::from_fn(|k| {
        // SAFETY: the offset is within the storage (the tensor's layout is valid).
        SyncPtr(unsafe { (guards[k].1.ptr() as *mut T).add(written[k].offset()) })
    });
    // SAFETY: as above.
    let src = SyncPtr(unsafe { (guards[W].1.ptr() as *mut T).add(read.offset()) });
    for_each_chunk(n, GRAIN, |range| {
        // local copies of the step and the pointers: read through the shared closure, the
        // hyper-parameters were reloaded per element (the stores might alias them) and the
        // loop stayed scalar
        let (f, ptrs, src) = (f, ptrs, src);
        simd(move || {
            for j in range {
                // SAFETY: j < n, the common element count; each chunk owns its range of j.
                unsafe {
                    let x: [T; W] = std::array::from_fn(|k| *ptrs[k].get().add(j));
                    let y = f(x, *src.get().add(j));
                    for k in 0..W {
                        *ptrs[k].get().add(j) = y[k];
                    }
                }
            }
        })
    });
    drop(guards);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: &[f32]) -> Tensor {
        Tensor::from_slice(v, &[v.len()]).unwrap()
    }

    fn step0() -> Tensor {
        Tensor::from_slice(&[0.0f32], &[]).unwrap()
    }

    #[test]
    fn adam_first_step_matches_the_formula() {
        // first step: m = 0.1 g, v = 0.001 g^2, step size lr / 0.1, denom sqrt(v) / sqrt(0.001) + eps
        let (p, g, m, v, s) = (t(&[1.0, -2.0]), t(&[0.5, -4.0]), t(&[0.0, 0.0]), t(&[0.0, 0.0]), step0());
        let o = Adam { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0, amsgrad: false, maximize: false, decoupled_weight_decay: false };
        assert!(adam_step(std::slice::from_ref(&p), &[g], std::slice::from_ref(&m), &[v], &[], std::slice::from_ref(&s), &o).unwrap());
        let p = p.to_vec::<f32>().unwrap();
        // |update| = lr * m_hat / (sqrt(v_hat) + eps) ~= lr: each parameter moves by ~0.1 against its gradient
        assert!((p[0] - 0.9).abs() < 1e-5 && (p[1] + 1.9).abs() < 1e-5, "{p:?}");
        assert_eq!(s.to_vec::<f32>().unwrap(), vec![1.0]);
        assert_eq!(m.to_vec::<f32>().unwrap(), vec![0.05, -0.4]);
    }

    #[test]
    fn sgd_momentum_first_step_clones_the_gradient() {
        let (p, g, b) = (t(&[1.0, 2.0]), t(&[0.5, -1.0]), t(&[9.0, 9.0]));
        let o = Sgd { lr: 0.5, momentum: 0.9, dampening: 0.0, weight_decay: 0.0, nesterov: false, maximize: false };
        assert!(sgd_step(std::slice::from_ref(&p), std::slice::from_ref(&g), std::slice::from_ref(&b), &[true], &o).unwrap());
        assert_eq!(b.to_vec::<f32>().unwrap(), vec![0.5, -1.0]);
        assert_eq!(p.to_vec::<f32>().unwrap(), vec![0.75, 2.5]);
        assert!(sgd_step(std::slice::from_ref(&p), &[g], std::slice::from_ref(&b), &[false], &o).unwrap());
        assert_eq!(b.to_vec::<f32>().unwrap(), vec![0.95, -1.9]);
    }

    #[test]
    fn a_group_that_does_not_qualify_is_left_untouched() {
        let (p, g) = (t(&[1.0, 2.0]), t(&[1.0, 1.0]));
        let o = Sgd { lr: 1.0, momentum: 0.0, dampening: 0.0, weight_decay: 0.0, nesterov: false, maximize: false };
        // the same parameter twice would be written twice per element
        assert!(!sgd_step(&[p.clone(), p.clone()], &[g.clone(), g.clone()], &[], &[], &o).unwrap());
        assert!(!sgd_step(&[p.clone()], &[t(&[1.0])], &[], &[], &o).unwrap());
        assert!(sgd_step(&[p.clone()], &[], &[], &[], &o).is_err());
        assert_eq!(p.to_vec::<f32>().unwrap(), vec![1.0, 2.0]);
        // a gradient aliasing its parameter is read before the write, as op by op
        assert!(sgd_step(std::slice::from_ref(&p), std::slice::from_ref(&p), &[], &[], &o).unwrap());
        assert_eq!(p.to_vec::<f32>().unwrap(), vec![0.0, 0.0]);
    }
}
