//! The tensor-level random functions of `rstorch::random` that make their result (`randperm`,
//! `multinomial`, `normal` with tensor arguments): values and torch's errors.
//!
//! The expected values are those of tests/test_random.py (`EXPECTED`, produced by PyTorch 2.x on
//! the CPU from its `CASES`; each test names its case), so the Rust functions and the Python
//! bindings over them are held to the same numbers. Floats compare exactly: Python lists the
//! float32 values as the doubles they convert to.

use rstorch::random::*;
use rstorch::{DType, Error, Result, Tensor};

mod common;
use common::*;
use DType::{Bool, Float32 as F32, Float64 as F64, Int64 as I64, UInt8 as U8};

#[test]
fn errors_like_torch() {
    // tests/test_random.py test_errors, test_multinomial_errors, test_normal_errors
    let mut g = Generator::new(0);
    let unsupported = |op: &'static str, d| Error::unsupported(op, d);
    assert_eq!(randperm(5, Bool, &mut g).unwrap_err(), unsupported("randperm", Bool));
    assert_eq!(randperm(3000, DType::Float16, &mut g).unwrap_err(), runtime("n cannot be greater than 2049 for Half type."));
    assert_eq!(randperm(300, U8, &mut g).unwrap_err(), runtime("value cannot be converted to type uint8_t without overflow"));
    assert_eq!(randperm(-1, I64, &mut g).unwrap_err(), runtime("Trying to create tensor with negative dimension -1: [-1]"));
    assert_eq!(multinomial(&zeros(&[], F32), 1, false, &mut g).unwrap_err(), runtime("prob_dist must be 1 or 2 dim"));
    assert_eq!(
        multinomial(&zeros(&[2], I64), 1, false, &mut g).unwrap_err(),
        runtime("multinomial only supports floating-point dtypes for input, got: Long")
    );
    assert_eq!(multinomial(&f32s(&[1.0], &[1]), 0, false, &mut g).unwrap_err(), runtime("cannot sample n_sample <= 0 samples"));
    assert_eq!(multinomial(&f32s(&[1.0], &[1]), -3, false, &mut g).unwrap_err(), runtime("cannot sample n_sample <= 0 samples"));
    assert_eq!(
        multinomial(&f32s(&[1.0, -1.0], &[2]), 2, true, &mut g).unwrap_err(),
        runtime("invalid multinomial distribution (encountering probability entry < 0)")
    );
    // no rows: checked, nothing drawn
    let fresh = g.get_state();
    check_ints(&multinomial(&zeros(&[0, 3], F32), 2, false, &mut g).unwrap(), I64, &[0, 2], &[]);
    assert_eq!(g.get_state(), fresh);
    let (m, neg) = (zeros(&[3], F32), f32s(&[1.0, -1.0, 1.0], &[3]));
    assert_eq!(
        normal(NormalArg::Tensor(&m), NormalArg::Tensor(&neg), &mut g).unwrap_err(),
        runtime("normal expects all elements of std >= 0.0")
    );
    assert_eq!(normal(NormalArg::Tensor(&m), NormalArg::Float(-1.0), &mut g).unwrap_err(), runtime("normal expects std >= 0.0, but found std -1"));
    assert_eq!(
        normal(NormalArg::Float(0.0), NormalArg::Float(1.0), &mut g).unwrap_err(),
        Error::type_error("normal(): expected a Tensor mean or std")
    );
    assert_eq!(
        normal(NormalArg::Tensor(&zeros(&[2], F32)), NormalArg::Tensor(&zeros(&[3], F32)), &mut g).unwrap_err().to_string(),
        "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"
    );
    assert_eq!(
        normal(NormalArg::Tensor(&zeros(&[2], I64)), NormalArg::Float(1.0), &mut g).unwrap_err(),
        unsupported("normal_kernel_cpu", I64)
    );
    let out = normal(NormalArg::Float(2.0), NormalArg::Tensor(&zeros(&[2], F64)), &mut g).unwrap();
    assert_eq!(out.dtype(), F64);
}

#[test]
fn randperm10() -> Result<()> {
    // tests/test_random.py CASES["randperm10"]
    let mut g = Generator::new(0);
    let t = randperm(10, I64, &mut g)?;
    check_ints(&t, I64, &[10], &[
        4, 1, 7, 5, 3, 9, 0, 8, 6, 2,
    ]);
    Ok(())
}

#[test]
fn randperm_f32() -> Result<()> {
    // tests/test_random.py CASES["randperm_f32"]
    let mut g = Generator::new(5);
    let t = randperm(12, F32, &mut g)?;
    check_floats(&t, F32, &[12], &[
        11.0, 0.0, 9.0, 6.0, 10.0, 3.0, 4.0, 5.0, 8.0, 7.0, 1.0, 2.0,
    ]);
    Ok(())
}

#[test]
fn randperm_1000_head() -> Result<()> {
    // tests/test_random.py CASES["randperm_1000_head"]
    let mut g = Generator::new(5);
    let t = randperm(1000, I64, &mut g)?.narrow(0, 0, 16)?;
    check_ints(&t, I64, &[16], &[
        411, 49, 291, 695, 678, 515, 112, 606, 6, 942, 479, 903, 259, 897, 174, 148,
    ]);
    Ok(())
}

#[test]
fn multinomial_1() -> Result<()> {
    // tests/test_random.py CASES["multinomial_1"]
    let mut g = Generator::new(7);
    let p = f32s(&[0.1, 0.0, 0.5, 0.4, 1.0, 1.0, 1.0, 1.0], &[2, 4]);
    let t = multinomial(&p, 1, false, &mut g)?;
    check_ints(&t, I64, &[2, 1], &[
        3, 2,
    ]);
    Ok(())
}

#[test]
fn multinomial_3() -> Result<()> {
    // tests/test_random.py CASES["multinomial_3"]
    let mut g = Generator::new(7);
    let p = f32s(&[0.1, 0.0, 0.5, 0.4, 1.0, 1.0, 1.0, 1.0], &[2, 4]);
    let t = multinomial(&p, 3, false, &mut g)?;
    check_ints(&t, I64, &[2, 3], &[
        3, 0, 2, 2, 3, 1,
    ]);
    Ok(())
}

#[test]
fn multinomial_1d() -> Result<()> {
    // tests/test_random.py CASES["multinomial_1d"]
    let mut g = Generator::new(7);
    let p = Tensor::from_vec((1..21).map(|v| v as f32).collect(), &[20])?;
    let t = multinomial(&p, 6, false, &mut g)?;
    check_ints(&t, I64, &[6], &[
        16, 13, 11, 10, 18, 14,
    ]);
    Ok(())
}

#[test]
fn multinomial_replacement() -> Result<()> {
    // tests/test_random.py CASES["multinomial_replacement"]
    let mut g = Generator::new(7);
    let p = f32s(&[0.1, 0.0, 0.5, 0.4], &[4]);
    let t = multinomial(&p, 10, true, &mut g)?;
    check_ints(&t, I64, &[10], &[
        2, 2, 3, 3, 3, 3, 2, 2, 3, 3,
    ]);
    Ok(())
}

#[test]
fn multinomial_replacement_f64() -> Result<()> {
    // tests/test_random.py CASES["multinomial_replacement_f64"]
    let mut g = Generator::new(7);
    let p = Tensor::from_vec(vec![1.0f64, 2.0, 3.0, 3.0, 0.0, 1.0], &[2, 3])?;
    let t = multinomial(&p, 5, true, &mut g)?;
    check_ints(&t, I64, &[2, 5], &[
        1, 1, 2, 2, 2, 2, 0, 0, 2, 2,
    ]);
    Ok(())
}

#[test]
fn multinomial_method() -> Result<()> {
    // tests/test_random.py CASES["multinomial_method"]
    let mut g = Generator::new(7);
    let t = multinomial(&f32s(&[0.3, 0.3, 0.4], &[3]), 2, false, &mut g)?;
    check_ints(&t, I64, &[2], &[
        1, 0,
    ]);
    Ok(())
}

#[test]
fn normal_tensor_tensor() -> Result<()> {
    // tests/test_random.py CASES["normal_tensor_tensor"]
    let mut g = Generator::new(8);
    let (m, s) = (arange(20), f32s(&(0..20).map(|i| i as f32 / 10.0).collect::<Vec<_>>(), &[20]));
    let t = normal(NormalArg::Tensor(&m), NormalArg::Tensor(&s), &mut g)?;
    check_floats(&t, F32, &[20], &[
        0.0, 1.1393234729766846, 2.4211795330047607, 2.893629789352417, 3.8420839309692383,
        4.434090614318848, 6.250354290008545, 6.602065563201904, 9.41150951385498,
        8.66250228881836, 9.66458797454834, 12.196307182312012, 11.43736457824707,
        13.498407363891602, 14.318730354309082, 16.815946578979492, 16.05689811706543,
        17.331083297729492, 19.61487579345703, 18.369544982910156,
    ]);
    Ok(())
}

#[test]
fn normal_tensor_tensor_bcast() -> Result<()> {
    // tests/test_random.py CASES["normal_tensor_tensor_bcast"]
    let mut g = Generator::new(8);
    let (m, s) = (arange(4).reshape(&[4, 1])?, f32s(&[0.5; 5], &[5]));
    let t = normal(NormalArg::Tensor(&m), NormalArg::Tensor(&s), &mut g)?;
    check_floats(&t, F32, &[4, 5], &[
        -0.5946008563041687, 0.6966174244880676, 1.0529489517211914, -0.1772836595773697,
        -0.19739504158496857, 0.43409085273742676, 1.2086284160614014, 0.7157611846923828,
        1.8821932077407837, 0.8125015497207642, 1.83229398727417, 2.543775796890259,
        1.765568494796753, 2.191695213317871, 2.1138322353363037, 3.605315685272217,
        3.0177807807922363, 3.097377300262451, 3.4485766887664795, 2.8340909481048584,
    ]);
    Ok(())
}

#[test]
fn normal_tensor_float() -> Result<()> {
    // tests/test_random.py CASES["normal_tensor_float"]
    let mut g = Generator::new(8);
    let m = arange(20);
    let t = normal(NormalArg::Tensor(&m), NormalArg::Float(0.3), &mut g)?;
    check_floats(&t, F32, &[20], &[
        -0.35676053166389465, 1.4179704189300537, 2.6317694187164307, 2.893629789352417,
        3.8815629482269287, 4.660454750061035, 6.125176906585693, 6.829456806182861,
        8.529315948486328, 8.887500762939453, 9.89937686920166, 11.326265335083008,
        11.85934066772461, 13.11501693725586, 14.068299293518066, 15.363189697265625,
        16.01066780090332, 17.058425903320312, 18.269145965576172, 18.900455474853516,
    ]);
    Ok(())
}

#[test]
fn normal_tensor_default_std() -> Result<()> {
    // tests/test_random.py CASES["normal_tensor_default_std"]
    let mut g = Generator::new(8);
    let m = arange(5);
    let t = normal(NormalArg::Tensor(&m), NormalArg::Float(1.0), &mut g)?;
    check_floats(&t, F32, &[5], &[
        0.2712765038013458, -0.27291834354400635, 2.502696990966797, 3.4180808067321777,
        3.3605799674987793,
    ]);
    Ok(())
}

#[test]
fn normal_float_tensor() -> Result<()> {
    // tests/test_random.py CASES["normal_float_tensor"]
    let mut g = Generator::new(8);
    let s = f32s(&(0..20).map(|i| i as f32 / 7.0).collect::<Vec<_>>(), &[20]);
    let t = normal(NormalArg::Float(1.5), NormalArg::Tensor(&s), &mut g)?;
    check_floats(&t, F32, &[20], &[
        1.5, 1.699033498764038, 2.101685047149658, 1.348042607307434, 1.2744057178497314,
        0.6915583610534668, 1.8576488494873047, 0.9315223097801208, 3.516441822052002,
        1.0178611278533936, 1.0208401679992676, 3.2090096473693848, 0.6962348222732544,
        2.212010383605957, 1.9553288221359253, 4.094210624694824, 1.5812840461730957,
        1.9729760885238647, 3.8069655895233154, 0.59935063123703,
    ]);
    Ok(())
}

#[test]
fn normal_f64_tensor_tensor() -> Result<()> {
    // tests/test_random.py CASES["normal_f64_tensor_tensor"]
    let mut g = Generator::new(8);
    let m = Tensor::from_vec((0..20).map(|i| i as f64).collect(), &[20])?;
    let s = f32s(&[1.0 / 3.0; 20], &[20]);
    let t = normal(NormalArg::Tensor(&m), NormalArg::Tensor(&s), &mut g)?;
    check_floats(&t, F64, &[20], &[
        -0.5389784546745777, 0.9901600168320754, 1.8895752202218374, 3.1331035104589233,
        3.4240839987443614, 5.078976267678828, 6.358068436789079, 6.998821955985379,
        8.079113908539483, 9.297675606652733, 9.904240508219415, 10.954998839896813,
        11.980521135889619, 12.257083504394846, 13.460412068124167, 15.534763032468682,
        16.26485063001586, 16.99989267453046, 17.824742960378554, 18.719250414501126,
    ]);
    Ok(())
}
