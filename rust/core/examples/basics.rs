//! The rstorch core from Rust: tensors, views sharing storage, broadcasting with promotion,
//! reductions, torch's random numbers. Run with `cargo run -p rstorch --example basics`.

use rstorch::ops::binary::{binary, BinaryOp};
use rstorch::ops::reduce::sum;
use rstorch::ops::Arg;
use rstorch::random::{normal_, Generator};
use rstorch::{DType, Scalar, Tensor};

fn main() -> rstorch::Result<()> {
    let x = Tensor::from_vec((0..6).map(|v| v as f32).collect(), &[2, 3])?;
    let xt = x.t()?; // a view: same storage, swapped strides
    println!("x {:?} strides {:?}; x.t() strides {:?}, shares storage: {}", x.shape(), x.strides(), xt.strides(), xt.shares_storage(&x));

    // int64 column + float32 matrix broadcasts to (2, 3) and promotes to float32
    let col = Tensor::from_vec(vec![10i64, 20], &[2, 1])?;
    let y = binary(BinaryOp::Add, Arg::Tensor(&x), Arg::Tensor(&col))?;
    println!("x + col = {:?} ({})", y.to_vec::<f32>()?, y.dtype().name());

    // a Python-style scalar does not upcast the tensor
    let z = binary(BinaryOp::Mul, Arg::Tensor(&x), Arg::Scalar(Scalar::Float(0.5)))?;
    println!("x * 0.5 = {:?}", z.to_vec::<f32>()?);

    // writes through a view are seen by the base
    x.select(1, 0)?.fill_(Scalar::Int(-1))?;
    println!("after x[:, 0] = -1: {:?}", x.to_vec::<f32>()?);

    let s = sum(&x, Some(&[1]), false, None)?;
    println!("row sums {:?}; as float64 {:?}", s.to_vec::<f32>()?, s.to_dtype(DType::Float64)?.to_vec::<f64>()?);

    // torch's CPU generator bit for bit: torch.manual_seed(0); torch.randn(2, 3)
    let r = Tensor::empty(&[2, 3], DType::Float32)?;
    normal_(&r, 0.0, 1.0, &mut Generator::new(0))?;
    println!("randn(2, 3) with seed 0: {:?}", r.to_vec::<f32>()?);

    // errors are values, worded like torch's
    println!("bad view: {}", xt.view(&[6]).unwrap_err());
    Ok(())
}
