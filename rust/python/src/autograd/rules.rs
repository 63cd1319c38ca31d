//! The native backward rules: for each hot op, the torch node it records and its gradient
//! formula on core tensors.
//!
//! Each formula is the Python rule of rstorch/autograd/rules/ (core.py, unary.py, linalg.py)
//! written with the same kernels in the same order, so the native and Python paths give the
//! same values bit for bit. The Python rule stays the reference: it is what a native node runs
//! with create_graph=True, where the gradients must themselves be recorded.
//!
//! A rule returns one gradient per positional arg of the op (None where that arg gets none);
//! [`fit`] then sums each back over broadcast dims and casts it to its input's dtype, as the
//! Python engine's `fit` does.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use rstorch::ops::binary::{binary, BinaryOp};
use rstorch::ops::unary::{unary, UnaryOp};
use rstorch::ops::{linalg, reduce, Arg};
use rstorch::{DType, Result, Scalar, Tensor};

use crate::convert::extract_scalar;
use crate::tensor::elementwise::Operand;

/// The table: `Rule: "op" | "other op" => "NodeClass" [, "NodeClass with dim="] [[out]];`.
/// The op names are those the bindings pass to `finish` (the first one also names the Python
/// rule that runs under create_graph); `[out]`: backward reads the op's result, which is saved.
macro_rules! rules {
    ($( $rule:ident: $op:literal $(| $alias:literal)* => $node:literal $(, $node_dim:literal)? $([$out:ident])?; )*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Rule { $($rule),* }

        impl Rule {
            pub const ALL: &'static [Rule] = &[$(Rule::$rule),*];

            /// The rule of the op recorded as `name`, if it has a native one.
            #[inline]
            fn of_op(name: &str) -> Option<Rule> {
                match name {
                    $($op $(| $alias)* => Some(Rule::$rule),)*
                    _ => None,
                }
            }

            /// The name the op's Python rule is registered under (rules/_registry.py).
            pub fn op(self) -> &'static str {
                match self { $(Rule::$rule => $op),* }
            }

            /// torch's node class names: without and with a `dim=` (SumBackward0 / SumBackward1).
            pub fn node_names(self) -> [&'static str; 2] {
                match self { $(Rule::$rule => [$node, rules!(@or $node $(, $node_dim)?)]),* }
            }

            /// Whether backward reads the op's result (saved with its version at record time).
            pub fn reads_out(self) -> bool {
                match self { $(Rule::$rule => rules!(@flag $($out)?)),* }
            }
        }
    };
    (@or $a:literal) => { $a };
    (@or $a:literal, $b:literal) => { $b };
    (@flag) => { false };
    (@flag out) => { true };
}

rules! {
    Add:     "add" | "radd" => "AddBackward0";
    Sub:     "sub"          => "SubBackward0";
    Rsub:    "rsub"         => "RsubBackward1";
    Mul:     "mul" | "rmul" => "MulBackward0";
    Div:     "div"          => "DivBackward0";
    Rdiv:    "rdiv"         => "DivBackward0";
    Neg:     "neg"          => "NegBackward0";
    Sum:     "sum"          => "SumBackward0", "SumBackward1";
    Mean:    "mean"         => "MeanBackward0", "MeanBackward1";
    Exp:     "exp"          => "ExpBackward0" [out];
    Tanh:    "tanh"         => "TanhBackward0" [out];
    Sigmoid: "sigmoid"      => "SigmoidBackward0" [out];
    Relu:    "relu"         => "ReluBackward0" [out];
    Mm:      "mm"           => "MmBackward0";
    Matmul:  "matmul"       => "MmBackward0"; // matrix @ matrix only: torch's matmul is mm there
}

/// The most positional args a native op has.
pub const MAX_ARGS: usize = 2;

impl Rule {
    /// The native rule for recording `name(*args, **kwargs)`, or None when the op takes the
    /// Python path: no native rule, or a form the native rule does not cover (a rounded
    /// division is DivBackward2; matmul other than matrix @ matrix).
    pub fn for_call(name: &str, args: &Bound<'_, PyTuple>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Option<Rule>> {
        let Some(rule) = Rule::of_op(name) else { return Ok(None) };
        if args.len() > MAX_ARGS {
            return Ok(None);
        }
        Ok(match rule {
            Rule::Div => match kwargs {
                Some(kw) => match kw.get_item("rounding_mode")? {
                    Some(m) if !m.is_none() => None,
                    _ => Some(rule),
                },
                None => Some(rule),
            },
            Rule::Matmul => {
                let two_d = |i| args.get_item(i).ok().and_then(|a| a.cast::<crate::tensor::PyTensor>().ok().map(|t| t.borrow().t.ndim() == 2));
                (two_d(0) == Some(true) && two_d(1) == Some(true)).then_some(rule)
            }
            _ => Some(rule),
        })
    }

    /// The node class name for this call (SumBackward1 when a `dim` was given).
    pub fn node_variant(self, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<usize> {
        if !matches!(self, Rule::Sum | Rule::Mean) {
            return Ok(0);
        }
        Ok(match kwargs {
            Some(kw) => kw.get_item("dim")?.is_some_and(|d| !d.is_none()) as usize,
            None => 0,
        })
    }

    /// Whether the rule gives an arg a gradient only while it requires grad (the Python rules
    /// that test `_needs(x)` at backward time; the others give one along every edge).
    pub fn asks_requires_grad(self) -> bool {
        matches!(self, Rule::Mul | Rule::Div | Rule::Rdiv | Rule::Mm | Rule::Matmul)
    }

    /// The order in which the rule first reads its args' values: the gradient of the first
    /// arg is computed first, and `grad * b` reads b before a.
    pub fn read_order(self, need: [bool; MAX_ARGS]) -> [usize; MAX_ARGS] {
        match self {
            Rule::Mul | Rule::Mm | Rule::Matmul => [1, 0],
            Rule::Div | Rule::Rdiv if need[0] => [1, 0],
            _ => [0, 1],
        }
    }

    /// Whether backward reads the value of positional arg `i`, given which args get a
    /// gradient (only those are checked against in-place modification, as the Python path
    /// raises only when a modified tensor's values are used).
    pub fn reads_arg(self, i: usize, need: [bool; MAX_ARGS]) -> bool {
        match (self, i) {
            (Rule::Mul | Rule::Mm | Rule::Matmul, 0) => need[1],
            (Rule::Mul | Rule::Mm | Rule::Matmul, 1) => need[0],
            (Rule::Div, 0) => need[1],
            (Rule::Div, 1) => need[0] || need[1],
            (Rule::Rdiv, 0) => need[0] || need[1],
            (Rule::Rdiv, 1) => need[0],
            _ => false,
        }
    }
}

/// The op's parameters a rule reads, parsed from its kwargs (while the GIL is held, so the
/// rule itself can run without it).
#[derive(Clone, Copy)]
pub struct Params {
    /// `alpha` of add/sub (1 when not given).
    pub alpha: Scalar,
    /// `keepdim` of sum/mean.
    pub keepdim: bool,
}

/// The reduced dims of sum/mean (`kwargs["dim"]`): None for all of them.
pub type Dims = Option<Vec<i64>>;

pub fn params(rule: Rule, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<(Params, Dims)> {
    let mut p = Params { alpha: Scalar::Int(1), keepdim: false };
    let mut dims = None;
    let Some(kw) = kwargs else { return Ok((p, dims)) };
    match rule {
        Rule::Add | Rule::Sub => {
            if let Some(a) = kw.get_item("alpha")? {
                if let Some(s) = extract_scalar(&a) {
                    p.alpha = s?;
                }
            }
        }
        Rule::Sum | Rule::Mean => {
            p.keepdim = match kw.get_item("keepdim")? {
                Some(k) => k.is_truthy()?,
                None => false,
            };
            if let Some(d) = kw.get_item("dim")? {
                if !d.is_none() {
                    dims = Some(match d.extract::<i64>() {
                        Ok(one) => vec![one],
                        Err(_) => d.extract::<Vec<i64>>()?,
                    });
                }
            }
        }
        _ => {}
    }
    Ok((p, dims))
}

/// An operand of the op as the rule sees it: a tensor, a number, or something else (None).
pub type Input = Option<Operand>;

/// The gradients of the op's positional args (None where `need` is false), before [`fit`].
pub fn backward(
    rule: Rule,
    grad: &Tensor,
    x: &[Input; MAX_ARGS],
    need: [bool; MAX_ARGS],
    p: Params,
    dims: &Dims,
    out: Option<&Tensor>,
) -> Result<[Option<Tensor>; MAX_ARGS]> {
    use BinaryOp::{Div as D, Mul as M};
    let g = || Arg::Tensor(grad);
    let arg = |i: usize| x[i].as_ref().map_or(Arg::Scalar(Scalar::Int(0)), Operand::arg);
    let tensor = |i: usize| match &x[i] {
        Some(Operand::T(t, _)) => Ok(t),
        _ => Err(rstorch::Error::runtime("a native backward rule lost a tensor input")),
    };
    let when = |c: bool, f: &dyn Fn() -> Result<Tensor>| if c { f().map(Some) } else { Ok(None) };
    let neg = |t: &Tensor| unary(UnaryOp::Neg, t);
    let out = || out.ok_or_else(|| rstorch::Error::runtime("a native backward rule lost its saved result"));
    let [n0, n1] = need;
    // one arm per rule; each line is the Python rule's expression, kernel for kernel
    Ok(match rule {
        // grad, grad if alpha == 1 else grad * alpha
        Rule::Add => [when(n0, &|| Ok(grad.clone()))?, when(n1, &|| if is_one(p.alpha) { Ok(grad.clone()) } else { bin(M, g(), s(p.alpha)) })?],
        // grad, -grad if alpha == 1 else grad * -alpha
        Rule::Sub => [when(n0, &|| Ok(grad.clone()))?, when(n1, &|| if is_one(p.alpha) { neg(grad) } else { bin(M, g(), s(negate(p.alpha))) })?],
        // (self, other) of `other - self`: -grad, grad
        Rule::Rsub => [when(n0, &|| neg(grad))?, when(n1, &|| Ok(grad.clone()))?],
        // grad * b, grad * a
        Rule::Mul => [when(n0, &|| bin(M, g(), arg(1)))?, when(n1, &|| bin(M, g(), arg(0)))?],
        // grad / b, -grad * a / (b * b)
        Rule::Div => [
            when(n0, &|| bin(D, g(), arg(1)))?,
            when(n1, &|| bin(D, t(&bin(M, t(&neg(grad)?), arg(0))?), t(&bin(M, arg(1), arg(1))?)))?,
        ],
        // (s, o) of `o / s`: -grad * o / (s * s), grad / s
        Rule::Rdiv => [
            when(n0, &|| bin(D, t(&bin(M, t(&neg(grad)?), arg(1))?), t(&bin(M, arg(0), arg(0))?)))?,
            when(n1, &|| bin(D, g(), arg(0)))?,
        ],
        Rule::Neg => [when(n0, &|| neg(grad))?, None],
        // _unreduce(grad, self, kwargs) [/ n]
        Rule::Sum => [when(n0, &|| unreduce(grad, tensor(0)?.shape(), dims, p.keepdim))?, None],
        Rule::Mean => [
            when(n0, &|| {
                let shape = tensor(0)?.shape();
                let n: usize = reduced_dims(dims, shape.len()).iter().map(|&d| shape.get(d).copied().unwrap_or(1)).product();
                bin(D, t(&unreduce(grad, shape, dims, p.keepdim)?), s(Scalar::Int(n as i64)))
            })?,
            None,
        ],
        // grad * out
        Rule::Exp => [when(n0, &|| bin(M, g(), t(out()?)))?, None],
        // grad * (1 - out * out)
        Rule::Tanh => [when(n0, &|| bin(M, g(), t(&bin(BinaryOp::Sub, s(Scalar::Int(1)), t(&bin(M, t(out()?), t(out()?))?))?)))?, None],
        // grad * (out * (1 - out))
        Rule::Sigmoid => [
            when(n0, &|| bin(M, g(), t(&bin(M, t(out()?), t(&bin(BinaryOp::Sub, s(Scalar::Int(1)), t(out()?))?))?)))?,
            None,
        ],
        // grad * (out > 0)
        Rule::Relu => [when(n0, &|| bin(M, g(), t(&bin(BinaryOp::Gt, t(out()?), s(Scalar::Int(0)))?)))?, None],
        // _mm_mat1_grad(grad, a, b), _mm_mat2_grad(grad, a, b); matmul: matrix @ matrix only,
        // where torch's matmul is mm
        Rule::Mm | Rule::Matmul => [
            when(n0, &|| mm_mat1_grad(grad, tensor(0)?, tensor(1)?))?,
            when(n1, &|| mm_mat2_grad(grad, tensor(0)?, tensor(1)?))?,
        ],
    })
}

/// Whether matrix `m` is column-major (`weight.t()`): the Python rules' `_column_major`.
fn column_major(m: &Tensor) -> bool {
    m.strides()[0] == 1 && m.strides()[1] == m.shape()[0]
}

/// `grad @ b.t()`, as `(b @ grad.t()).t()` when `a` is column-major (the gradient in a's layout).
fn mm_mat1_grad(grad: &Tensor, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if column_major(a) {
        linalg::mm(b, &grad.t()?)?.t()
    } else {
        linalg::mm(grad, &b.t()?)
    }
}

/// `a.t() @ grad`, as `(grad.t() @ a).t()` when `b` is column-major (linear's `weight.t()`:
/// the weight's gradient comes out contiguous, so AccumulateGrad takes it without a copy).
fn mm_mat2_grad(grad: &Tensor, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if column_major(b) {
        linalg::mm(&grad.t()?, a)?.t()
    } else {
        linalg::mm(&a.t()?, grad)
    }
}

fn bin(op: BinaryOp, a: Arg, b: Arg) -> Result<Tensor> {
    binary(op, a, b)
}

fn t(x: &Tensor) -> Arg<'_> {
    Arg::Tensor(x)
}

fn s(x: Scalar) -> Arg<'static> {
    Arg::Scalar(x)
}

/// Python's `alpha == 1` (True == 1 too).
fn is_one(a: Scalar) -> bool {
    match a {
        Scalar::Bool(b) => b,
        Scalar::Int(i) => i == 1,
        Scalar::Float(f) => f == 1.0,
    }
}

/// Python's `-alpha` (`-True` is -1).
fn negate(a: Scalar) -> Scalar {
    match a {
        Scalar::Bool(b) => Scalar::Int(-(b as i64)),
        Scalar::Int(i) => Scalar::Int(i.wrapping_neg()),
        Scalar::Float(f) => Scalar::Float(-f),
    }
}

/// core.py's `_reduced_dims`: the dims a sum/mean reduced, non-negative and sorted (all of
/// them when dim is None or empty).
fn reduced_dims(dims: &Dims, ndim: usize) -> Vec<usize> {
    match dims {
        Some(d) if !d.is_empty() => {
            let mut v: Vec<usize> = d.iter().map(|&x| if ndim == 0 { 0 } else { x.rem_euclid(ndim as i64) as usize }).collect();
            v.sort_unstable();
            v
        }
        _ => (0..ndim).collect(),
    }
}

/// core.py's `_unreduce`: a reduction's gradient broadcast back over the input's shape.
fn unreduce(grad: &Tensor, shape: &[usize], dims: &Dims, keepdim: bool) -> Result<Tensor> {
    let mut g = grad.clone();
    if !keepdim && !shape.is_empty() {
        let mut kept: Vec<i64> = shape.iter().map(|&s| s as i64).collect();
        for d in reduced_dims(dims, shape.len()) {
            kept[d] = 1;
        }
        g = g.reshape(&kept)?;
    }
    g.expand(&as_i64(shape))
}

fn as_i64(shape: &[usize]) -> Vec<i64> {
    shape.iter().map(|&s| s as i64).collect()
}

/// graph.py's `fit`: `g` summed over the dims it was broadcast along and cast to the input's
/// dtype.
pub fn fit(g: Tensor, shape: &[usize], dtype: DType) -> Result<Tensor> {
    if g.shape() == shape && g.dtype() == dtype {
        return Ok(g);
    }
    let g = if g.shape() != shape { sum_to(g, shape)? } else { g };
    if g.dtype() != dtype {
        g.to_dtype(dtype)
    } else {
        Ok(g)
    }
}

/// graph.py's `sum_to`: reduce (or broadcast) gradient `g` to `shape`, the inverse of
/// broadcasting.
fn sum_to(g: Tensor, shape: &[usize]) -> Result<Tensor> {
    let gshape = g.shape().to_vec();
    let target = as_i64(shape);
    if gshape.len() < shape.len() || shape.iter().zip(&gshape[gshape.len() - shape.len()..]).any(|(&s, &gs)| s != 1 && s != gs) {
        return g.expand(&target); // a smaller gradient that broadcasts to the input
    }
    let lead = gshape.len() - shape.len();
    let mut dims: Vec<i64> = (0..lead as i64).collect();
    dims.extend(shape.iter().enumerate().filter(|&(i, &s)| s == 1 && gshape[lead + i] != 1).map(|(i, _)| (lead + i) as i64));
    let mut g = g;
    if !dims.is_empty() {
        g = reduce::sum(&g, Some(&dims), true, None)?;
    }
    if lead > 0 {
        g = g.view(&target)?;
    }
    if g.shape() != shape {
        g = g.expand(&target)?; // a 1-sized dim the gradient left out
    }
    Ok(g)
}
