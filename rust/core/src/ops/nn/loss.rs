//! Cross-entropy of class indices as one fused kernel: a numerically stable log-softmax and the
//! NLL of the target class (with class weights, `ignore_index`, label smoothing and the three
//! reductions) in one pass over each row, and its backward, `softmax - target` scaled, in
//! another. The forward saves only each position's log-sum-exp, from which backward recomputes
//! the softmax.
//!
//! Geometry: the input is `(C,)`, `(N, C)` or `(N, C, d1, ...)`; a "row" is the C class scores
//! of one sample and position (`N * d1 * ...` rows, strided by `d1 * ...` when there are
//! spatial dims); targets are int64 class indices, one per row. Probability targets are not
//! fused (python/rstorch/nn/functional.py composes them).

use super::{opt_slice, with_slice, Float, Reduction};
use crate::device::Device;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::parallel::{for_each_chunk, map_chunks, SyncPtr, GRAIN};
use crate::tensor::Tensor;

/// The options of one call.
#[derive(Clone, Copy, Debug)]
pub struct CrossEntropy {
    pub reduction: Reduction,
    pub ignore_index: i64,
    pub label_smoothing: f64,
}

/// (rows N, classes C, positions per sample S) of an input.
fn geometry(input: &Tensor) -> Result<(usize, usize, usize)> {
    let s = input.shape();
    match s.len() {
        0 => Err(Error::value("Expected 1 or more dimensions (got 0)")),
        1 => Ok((1, s[0], 1)),
        _ => Ok((s[0], s[1], s[2..].iter().product())),
    }
}

/// The loss's shape: the rows' for reduction none ((N, d1, ...); () for a 1-D input), else ().
fn loss_shape(input: &Tensor, reduction: Reduction) -> Vec<usize> {
    if reduction != Reduction::None || input.ndim() == 1 {
        return vec![];
    }
    let s = input.shape();
    std::iter::once(s[0]).chain(s[2..].iter().copied()).collect()
}

fn check(input: &Tensor, target: &Tensor, weight: Option<&Tensor>) -> Result<(usize, usize, usize)> {
    let (n, c, s) = geometry(input)?;
    if !matches!(input.dtype(), DType::Float32 | DType::Float64) {
        return Err(Error::unsupported("cross_entropy_fused", input.dtype()));
    }
    if target.dtype() != DType::Int64 {
        return Err(Error::runtime(format!("expected target dtype to be Long, but got {}", target.dtype().name())));
    }
    if target.numel() != n * s {
        return Err(Error::runtime(format!("cross_entropy: {} targets for {} rows", target.numel(), n * s)));
    }
    if let Some(w) = weight {
        if w.numel() != c {
            return Err(Error::runtime(format!(
                "weight tensor should be defined either for all {c} classes or no classes but got weight tensor of shape: {:?}",
                w.shape()
            )));
        }
        if w.dtype() != input.dtype() {
            return Err(Error::runtime(format!("expected scalar type {} but found {}", input.dtype().name(), w.dtype().name())));
        }
    }
    Ok((n, c, s))
}

/// torch's check: every target is a class or `ignore_index` (the first bad one, in order, is
/// reported).
fn check_targets(t: &[i64], c: usize, ignore: i64) -> Result<()> {
    for &v in t {
        if v != ignore && (v < 0 || v as u64 >= c as u64) {
            return Err(Error::index(format!("Target {v} is out of bounds.")));
        }
    }
    Ok(())
}

/// The weight of each row's target (0 when ignored), and their sum (mean's divisor).
fn target_weight<T: Float>(t: i64, w: Option<&[T]>, ignore: i64) -> f64 {
    if t == ignore {
        0.0
    } else {
        w.map_or(1.0, |w| w[t as usize].to_f64())
    }
}

/// Rows per parallel chunk: about GRAIN elements each.
fn row_grain(c: usize) -> usize {
    (GRAIN / c.max(1)).max(1)
}

/// `cross_entropy(input, target, weight)` of class indices: the loss (reduced as asked) and
/// each row's log-sum-exp (saved for [`cross_entropy_backward`]). Targets outside `[0, C)` other
/// than `ignore_index` raise torch's IndexError "Target 12 is out of bounds.".
pub fn cross_entropy(input: &Tensor, target: &Tensor, weight: Option<&Tensor>, o: CrossEntropy) -> Result<(Tensor, Tensor)> {
    let (n, c, s) = check(input, target, weight)?;
    let mut tensors = vec![input, target];
    tensors.extend(weight);
    let device = Device::common(tensors)?;
    if crate::backend::is_backend(device) {
        return on_backend(input, target, weight, o, (n, c, s), device);
    }
    let loss = Tensor::empty_on(&loss_shape(input, o.reduction), input.dtype(), device)?;
    let lse = Tensor::empty_on(&[n * s], input.dtype(), device)?;
    if loss.is_meta() {
        return Ok((loss, lse));
    }
    match input.dtype() {
        DType::Float64 => forward::<f64>(input, target, weight, o, (n, c, s), &loss, &lse)?,
        _ => forward::<f32>(input, target, weight, o, (n, c, s), &loss, &lse)?,
    }
    Ok((loss, lse))
}

fn forward<T: Float>(
    input: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    o: CrossEntropy,
    (n, c, s): (usize, usize, usize),
    loss: &Tensor,
    lse: &Tensor,
) -> Result<()> {
    let rows = n * s;
    let ls = o.label_smoothing;
    let ignore = o.ignore_index;
    with_slice::<i64, _>(target, |tg| {
        check_targets(tg, c, ignore)?;
        with_slice::<T, _>(input, |x| {
            opt_slice::<T, _>(weight, |w| {
                let (lg, og) = (lse.storage().write()?, loss.storage().write()?);
                let (lp, op) = (SyncPtr(lg.ptr() as *mut T), SyncPtr(og.ptr() as *mut T));
                let none = o.reduction == Reduction::None;
                // per chunk of rows: (sum of the losses, sum of the targets' weights)
                let parts = map_chunks(rows, row_grain(c), |range| {
                    let mut scratch = vec![T::zero(); c];
                    let mut col = if s > 1 { vec![T::zero(); c] } else { Vec::new() };
                    let (mut total, mut wt_total) = (0.0f64, 0.0f64);
                    for r in range {
                        let xr: &[T] = if s == 1 {
                            &x[r * c..(r + 1) * c]
                        } else {
                            let (i, p) = (r / s, r % s);
                            for (k, v) in col.iter_mut().enumerate() {
                                *v = x[(i * c + k) * s + p];
                            }
                            &col
                        };
                        let t = tg[r];
                        let m = T::max_of(xr);
                        let sum = T::exp_shift_sum(xr, m, &mut scratch);
                        // log_softmax's shift, rounded to T like its kernel's
                        let shift = T::from_f64(m.to_f64() + sum.ln());
                        // SAFETY: row r is this chunk's.
                        unsafe { *lp.get().add(r) = shift };
                        let wt = target_weight(t, w, ignore);
                        let mut l = 0.0;
                        if t != ignore {
                            let nll = (shift - xr[t as usize]).to_f64() * wt;
                            l = if ls > 0.0 {
                                let smooth: f64 = match w {
                                    Some(w) => xr.iter().zip(w).map(|(&v, &wc)| (shift - v).to_f64() * wc.to_f64()).sum(),
                                    None => xr.iter().map(|&v| (shift - v).to_f64()).sum(),
                                };
                                (1.0 - ls) * nll + smooth * (ls / c as f64)
                            } else {
                                nll
                            };
                        }
                        if none {
                            // SAFETY: row r is this chunk's.
                            unsafe { *op.get().add(r) = T::from_f64(l) };
                        }
                        total += l;
                        wt_total += wt;
                    }
                    (total, wt_total)
                });
                if !none {
                    let (total, wts) = parts.iter().fold((0.0, 0.0), |(a, b), &(x, y)| (a + x, b + y));
                    let v = if o.reduction == Reduction::Mean { total / wts } else { total };
                    // SAFETY: the 0-dim loss has one element.
                    unsafe { *op.get() = T::from_f64(v) };
                }
                Ok(())
            })
        })
    })
}

// ------------------------------------------------------------------------ on a backend device

/// The cases the GPU kernel covers: no class weights, no label smoothing, no spatial dims.
fn backend_case(weight: Option<&Tensor>, o: CrossEntropy, s: usize, device: Device) -> Result<()> {
    if weight.is_some() || o.label_smoothing > 0.0 || s != 1 {
        return Err(crate::backend::not_implemented("cross_entropy_loss", device));
    }
    Ok(())
}

/// The number of targets that are not `ignore_index`, as a 0-dim float tensor on the device
/// (mean's divisor).
fn counted_targets(target: &Tensor, ignore: i64, dtype: DType) -> Result<Tensor> {
    use crate::ops::binary::{binary, BinaryOp};
    use crate::ops::Arg;
    let valid = binary(BinaryOp::Ne, Arg::Tensor(target), Arg::Scalar(crate::Scalar::Int(ignore)))?.to_dtype(dtype)?;
    crate::ops::reduce::sum(&valid, None, false, None)
}

/// [`cross_entropy`] on a backend device: the kernel gives each row's loss and log-sum-exp
/// (checking the targets on the device), the reduction runs as device ops.
fn on_backend(input: &Tensor, target: &Tensor, weight: Option<&Tensor>, o: CrossEntropy, (n, c, s): (usize, usize, usize), device: Device) -> Result<(Tensor, Tensor)> {
    backend_case(weight, o, s, device)?;
    let x = input.reshape(&[n as i64, c as i64])?;
    let t = target.reshape(&[n as i64])?;
    let rows = Tensor::empty_on(&[n], input.dtype(), device)?;
    let lse = Tensor::empty_on(&[n], input.dtype(), device)?;
    crate::backend::get(device)?.cross_entropy(&rows, &lse, &x, &t, o.ignore_index)?;
    rows.storage().backend_written();
    lse.storage().backend_written();
    let shape: Vec<i64> = loss_shape(input, o.reduction).iter().map(|&v| v as i64).collect();
    let loss = match o.reduction {
        Reduction::None => rows.reshape(&shape)?,
        Reduction::Sum => crate::ops::reduce::sum(&rows, None, false, None)?,
        Reduction::Mean => {
            use crate::ops::binary::{binary, BinaryOp};
            use crate::ops::Arg;
            let total = crate::ops::reduce::sum(&rows, None, false, None)?;
            binary(BinaryOp::Div, Arg::Tensor(&total), Arg::Tensor(&counted_targets(&t, o.ignore_index, input.dtype())?))?
        }
    };
    Ok((loss, lse))
}

#[allow(clippy::too_many_arguments)]
fn backward_on_backend(
    grad: &Tensor,
    input: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    lse: &Tensor,
    o: CrossEntropy,
    (n, c, s): (usize, usize, usize),
    device: Device,
) -> Result<Tensor> {
    use crate::ops::binary::{binary, BinaryOp};
    use crate::ops::Arg;
    backend_case(weight, o, s, device)?;
    let x = input.reshape(&[n as i64, c as i64])?;
    let t = target.reshape(&[n as i64])?;
    let g = grad.to_dtype(input.dtype())?;
    let g = match o.reduction {
        Reduction::None => g.reshape(&[n as i64])?,
        Reduction::Sum => g.reshape(&[])?.expand(&[n as i64])?,
        Reduction::Mean => {
            let per = binary(BinaryOp::Div, Arg::Tensor(&g.reshape(&[])?), Arg::Tensor(&counted_targets(&t, o.ignore_index, input.dtype())?))?;
            per.expand(&[n as i64])?
        }
    };
    let g = crate::backend::on_device(&g, device)?;
    let out = Tensor::empty_on(input.shape(), input.dtype(), device)?;
    let o2 = out.reshape(&[n as i64, c as i64])?;
    crate::backend::get(device)?.cross_entropy_backward(&o2, &x, &t, lse, &g, o.ignore_index)?;
    out.storage().backend_written();
    Ok(out)
}

/// The gradient of [`cross_entropy`]'s loss with respect to its input, given `grad` (the loss's
/// gradient: 0-dim when reduced) and the saved log-sum-exps: per row, with `p` the softmax,
/// `w_t` the target's weight (1 without weights), `W` the weights' sum (C without) and `ls` the
/// label smoothing, `g * (p * ((1 - ls) w_t + ls W / C) - (1 - ls) w_t [c == t] - ls w_c / C)`,
/// zero for ignored rows; `g` is the row's gradient, divided by the targets' weight sum for mean.
pub fn cross_entropy_backward(
    grad: &Tensor,
    input: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    lse: &Tensor,
    o: CrossEntropy,
) -> Result<Tensor> {
    let (n, c, s) = check(input, target, weight)?;
    let rows = n * s;
    if lse.numel() != rows || lse.dtype() != input.dtype() {
        return Err(Error::runtime("cross_entropy_backward: saved log-sum-exp of the wrong size or dtype"));
    }
    let expect = if o.reduction == Reduction::None { rows } else { 1 };
    if grad.numel() != expect {
        return Err(Error::runtime(format!("cross_entropy_backward: gradient of {} elements, expected {expect}", grad.numel())));
    }
    let device = Device::common([input, target, lse, grad])?;
    if crate::backend::is_backend(device) {
        return backward_on_backend(grad, input, target, weight, lse, o, (n, c, s), device);
    }
    let out = Tensor::empty_on(input.shape(), input.dtype(), device)?;
    if out.is_meta() {
        return Ok(out);
    }
    let grad = grad.to_dtype(input.dtype())?;
    match input.dtype() {
        DType::Float64 => backward::<f64>(&grad, input, target, weight, lse, o, (n, c, s), &out)?,
        _ => backward::<f32>(&grad, input, target, weight, lse, o, (n, c, s), &out)?,
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn backward<T: Float>(
    grad: &Tensor,
    input: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    lse: &Tensor,
    o: CrossEntropy,
    (n, c, s): (usize, usize, usize),
    out: &Tensor,
) -> Result<()> {
    let rows = n * s;
    let ls = o.label_smoothing;
    let ignore = o.ignore_index;
    with_slice::<i64, _>(target, |tg| {
        check_targets(tg, c, ignore)?;
        with_slice::<T, _>(input, |x| {
            with_slice::<T, _>(lse, |lse| {
                with_slice::<T, _>(grad, |gr| {
                    opt_slice::<T, _>(weight, |w| {
                        let wsum: f64 = w.map_or(c as f64, |w| w.iter().map(|v| v.to_f64()).sum());
                        let scale = match o.reduction {
                            Reduction::None => 1.0,
                            Reduction::Sum => gr[0].to_f64(),
                            Reduction::Mean => gr[0].to_f64() / tg.iter().map(|&t| target_weight(t, w, ignore)).sum::<f64>(),
                        };
                        let og = out.storage().write()?;
                        let op = SyncPtr(og.ptr() as *mut T);
                        let none = o.reduction == Reduction::None;
                        for_each_chunk(rows, row_grain(c), |range| {
                            let mut col = if s > 1 { vec![T::zero(); 2 * c] } else { Vec::new() };
                            for r in range {
                                let (i, p) = (r / s, r % s);
                                let (xr, y): (&[T], &mut [T]) = if s == 1 {
                                    // SAFETY: row r of the output is this chunk's.
                                    (&x[r * c..(r + 1) * c], unsafe { std::slice::from_raw_parts_mut(op.get().add(r * c), c) })
                                } else {
                                    let (a, b) = col.split_at_mut(c);
                                    for (k, v) in a.iter_mut().enumerate() {
                                        *v = x[(i * c + k) * s + p];
                                    }
                                    (&*a, b)
                                };
                                let t = tg[r];
                                if t == ignore {
                                    y.iter_mut().for_each(|v| *v = T::zero());
                                } else {
                                    let g = if none { gr[r].to_f64() } else { scale };
                                    let wt = target_weight(t, w, ignore);
                                    T::exp_shift_sum(xr, lse[r], y);
                                    let a = T::from_f64(g * ((1.0 - ls) * wt + ls * wsum / c as f64));
                                    crate::ops::simd(|| y.iter_mut().for_each(|v| *v = *v * a));
                                    y[t as usize] = y[t as usize] - T::from_f64(g * (1.0 - ls) * wt);
                                    if ls > 0.0 {
                                        let k = g * ls / c as f64;
                                        match w {
                                            Some(w) => y.iter_mut().zip(w).for_each(|(v, &wc)| *v = *v - T::from_f64(k * wc.to_f64())),
                                            None => {
                                                let k = T::from_f64(k);
                                                y.iter_mut().for_each(|v| *v = *v - k)
                                            }
                                        }
                                    }
                                }
                                if s > 1 {
                                    for (k, &v) in col[c..].iter().enumerate() {
                                        // SAFETY: rows r's column of the output is this chunk's.
                                        unsafe { *op.get().add((i * c + k) * s + p) = v };
                                    }
                                }
                            }
                        });
                        Ok(())
                    })
                })
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(reduction: Reduction, ignore_index: i64, label_smoothing: f64) -> CrossEntropy {
        CrossEntropy { reduction, ignore_index, label_smoothing }
    }

    #[test]
    fn matches_log_softmax_nll() {
        let x = Tensor::from_vec(vec![1.0f64, 2.0, 3.0, -1.0, 0.5, 0.0], &[2, 3]).unwrap();
        let t = Tensor::from_vec(vec![2i64, 0], &[2]).unwrap();
        let (l, _) = cross_entropy(&x, &t, None, opts(Reduction::None, -100, 0.0)).unwrap();
        let l = l.to_vec::<f64>().unwrap();
        let lse0 = (1f64.exp() + 2f64.exp() + 3f64.exp()).ln();
        let lse1 = ((-1f64).exp() + 0.5f64.exp() + 1.0).ln();
        assert!((l[0] - (lse0 - 3.0)).abs() < 1e-12 && (l[1] - (lse1 + 1.0)).abs() < 1e-12, "{l:?}");
    }

    #[test]
    fn bad_target_is_an_index_error() {
        let x = Tensor::from_vec(vec![0f32; 6], &[2, 3]).unwrap();
        let t = Tensor::from_vec(vec![1i64, 12], &[2]).unwrap();
        let e = cross_entropy(&x, &t, None, opts(Reduction::Mean, -100, 0.0)).unwrap_err();
        assert_eq!(e.to_string(), "Target 12 is out of bounds.");
    }

    #[test]
    fn gradient_sums_to_zero_per_row() {
        let x = Tensor::from_vec((0..12).map(|v| v as f32 * 0.3).collect(), &[2, 3, 2]).unwrap();
        let t = Tensor::from_vec(vec![0i64, 2, 1, 1], &[2, 2]).unwrap();
        let o = opts(Reduction::Sum, -100, 0.1);
        let (_, lse) = cross_entropy(&x, &t, None, o).unwrap();
        let g = cross_entropy_backward(&Tensor::from_vec(vec![1f32], &[]).unwrap(), &x, &t, None, &lse, o).unwrap();
        let g = g.to_vec::<f32>().unwrap();
        for (i, p) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
            let s: f32 = (0..3).map(|k| g[(i * 3 + k) * 2 + p]).sum();
            assert!(s.abs() < 1e-6, "{g:?}");
        }
    }
}
