//! Transcendental functions over slices, for every kernel that needs them (unary ops, softmax,
//! losses...). The signatures here are the contract; the bodies are the place for branch-free
//! polynomial versions compiled per instruction set and chosen at run time.

/// `y[i] = exp(x[i])`.
pub fn exp_f32(x: &[f32], y: &mut [f32]) {
    for (o, &v) in y.iter_mut().zip(x) {
        *o = v.exp();
    }
}

/// `x[i] = exp(x[i])`.
pub fn exp_f32_inplace(x: &mut [f32]) {
    for v in x.iter_mut() {
        *v = v.exp();
    }
}

/// `y[i] = ln(x[i])`.
pub fn log_f32(x: &[f32], y: &mut [f32]) {
    for (o, &v) in y.iter_mut().zip(x) {
        *o = v.ln();
    }
}

/// `y[i] = tanh(x[i])`.
pub fn tanh_f32(x: &[f32], y: &mut [f32]) {
    for (o, &v) in y.iter_mut().zip(x) {
        *o = v.tanh();
    }
}

/// `y[i] = 1 / (1 + exp(-x[i]))`.
pub fn sigmoid_f32(x: &[f32], y: &mut [f32]) {
    for (o, &v) in y.iter_mut().zip(x) {
        *o = 1.0 / (1.0 + (-v).exp());
    }
}
