//! The in-place tensor fills of `rstorch::random` (`uniform_`, `normal_`, `random_`,
//! `bernoulli_`, `exponential_`, `geometric_`, `log_normal_`, `cauchy_`): torch's visiting order
//! on strided tensors, torch's argument and dtype errors, meta tensors.
//!
//! The expected values are those of tests/test_random.py (`EXPECTED`, produced by PyTorch 2.x on
//! the CPU from its `CASES`; each test names its case), so the Rust functions and the Python
//! bindings over them are held to the same numbers. Floats compare exactly: Python lists the
//! float32 values as the doubles they convert to.

use rstorch::random::*;
use rstorch::{DType, Device, Error, Result, Tensor};

mod common;
use common::*;
use DType::{Bool, Float32 as F32, Float64 as F64, Int16 as I16, Int32 as I32, Int64 as I64, Int8 as I8, UInt8 as U8};

#[test]
fn strided_fill_takes_the_scalar_normal_path() {
    // A transposed 4x6 view is filled in memory order with the scalar Box-Muller, i.e. what
    // `normal_serial` gives on a plain slice of 24.
    let base = zeros(&[4, 6], F32);
    normal_(&base.t().unwrap(), 0.5, 2.0, &mut Generator::new(3)).unwrap();
    let mut want = vec![0f32; 24];
    Generator::new(3).normal_serial(&mut want, 0.5, 2.0);
    assert_eq!(base.to_vec::<f32>().unwrap(), want);
    // contiguous and >= 16 elements: the vectorised path, as `Generator::normal`
    let t = zeros(&[24], F32);
    normal_(&t, 0.5, 2.0, &mut Generator::new(3)).unwrap();
    Generator::new(3).normal(&mut want, 0.5, 2.0);
    assert_eq!(t.to_vec::<f32>().unwrap(), want);
}

#[test]
fn meta_tensors_are_checked_and_draw_nothing() {
    let m = Tensor::empty_on(&[100], F32, Device::Meta).unwrap();
    let mut g = Generator::new(0);
    let fresh = g.get_state();
    uniform_(&m, 0.0, 1.0, &mut g).unwrap();
    normal_(&m.as_strided(&[10, 10], &[1, 10], None).unwrap(), 0.0, 1.0, &mut g).unwrap();
    random_(&m, Some(0), Some(10), &mut g).unwrap();
    bernoulli_(&m, 0.5, &mut g).unwrap();
    bernoulli_tensor_(&m, &zeros(&[1], F32), &mut g).unwrap();
    exponential_(&m, 1.0, &mut g).unwrap();
    assert_eq!(g.get_state(), fresh);
    assert_eq!(uniform_(&m, 2.0, 1.0, &mut g).unwrap_err(), runtime("uniform_ expects to return a [from, to) range, but found from=2 > to=1"));
    assert_eq!(random_(&m, Some(5), Some(3), &mut g).unwrap_err(), runtime("random_ expects 'from' to be less than 'to', but got from=5 >= to=3"));
}

#[test]
fn errors_like_torch() {
    // tests/test_random.py test_errors
    let mut g = Generator::new(0);
    let f = zeros(&[3], F32);
    let unsupported = |op: &'static str, d| Error::unsupported(op, d);
    assert_eq!(uniform_(&zeros(&[3], I64), 0.0, 1.0, &mut g).unwrap_err(), unsupported("check_uniform_bounds", I64));
    assert_eq!(normal_(&zeros(&[3], I64), 0.0, 1.0, &mut g).unwrap_err(), unsupported("normal_kernel_cpu", I64));
    assert_eq!(uniform_(&f, 0.0, 1e300, &mut g).unwrap_err(), runtime("to is out of bounds for float"));
    assert_eq!(normal_(&f, 0.0, -1.5e-7, &mut g).unwrap_err(), runtime("normal expects std >= 0.0, but found std -1.5e-07"));
    assert_eq!(random_(&zeros(&[2], U8), Some(0), Some(300), &mut g).unwrap_err(), runtime("to - 1 is out of bounds for unsigned char"));
    assert_eq!(random_(&zeros(&[2], Bool), Some(i64::MIN), None, &mut g).unwrap_err(), unsupported("random_full_64_bits_range_kernel_cpu", Bool));
    assert_eq!(bernoulli_(&f, 1.5, &mut g).unwrap_err(), runtime("bernoulli_ expects p to be in [0, 1], but got p=1.5"));
    let e = bernoulli_tensor_(&zeros(&[2], F32), &f32s(&[2.0, -1.0], &[2]), &mut g).unwrap_err().to_string();
    assert!(e.starts_with("Expected p_in >= 0 && p_in <= 1 to be true, but got false."), "{e}");
    assert_eq!(bernoulli_tensor_(&f, &zeros(&[3], I64), &mut g).unwrap_err(), unsupported("bernoulli_tensor_cpu_p_", I64));
    assert_eq!(exponential_(&zeros(&[3], I32), 0.0, &mut g).unwrap_err(), runtime("exponential_ expects lambda > 0.0, but found lambda=0"));
    assert_eq!(
        exponential_(&zeros(&[3], I32), 1.0, &mut g).unwrap_err(),
        runtime("Exponential distribution is a continuous probability distribution. dtype must be a floating point but you specified Int")
    );
    assert_eq!(geometric_(&f, 1.5, &mut g).unwrap_err(), runtime("geometric_ expects p to be in (0, 1), but got p=1.5"));
    assert_eq!(geometric_(&zeros(&[3], Bool), 0.5, &mut g).unwrap_err(), unsupported("geometric_cpu", Bool));
    assert_eq!(log_normal_(&f, 0.0, -1.0, &mut g).unwrap_err(), runtime("log_normal_ expects std > 0.0, but found std=-1"));
    assert_eq!(cauchy_(&f, 0.0, 0.0, &mut g).unwrap_err(), runtime("cauchy_ expects sigma > 0.0, but found sigma=0"));
    let expanded = zeros(&[2, 1], F32).expand(&[2, 3]).unwrap();
    let e = uniform_(&expanded, 0.0, 1.0, &mut g).unwrap_err().to_string();
    assert!(e.starts_with("unsupported operation: more than one element of the written-to tensor refers to a single memory location"), "{e}");
}

#[test]
fn view_uniform() -> Result<()> {
    // tests/test_random.py CASES["view_uniform_"]
    let mut g = Generator::new(11);
    let base = zeros(&[4, 6], F32);
    uniform_(&base.t()?, 0.0, 1.0, &mut g)?;
    let t = base;
    check_floats(&t, F32, &[4, 6], &[
        0.14904171228408813, 0.4865531325340271, 0.985661506652832, 0.16840142011642456,
        0.5839434266090393, 0.6935991644859314, 0.5830848813056946, 0.12843775749206543,
        0.5721226334571838, 0.924839437007904, 0.2693377733230591, 0.7824568748474121,
        0.2718876004219055, 0.46323180198669434, 0.7671308517456055, 0.5024259686470032,
        0.10250282287597656, 0.7599971890449524, 0.803541898727417, 0.7652967572212219,
        0.8709032535552979, 0.7230550050735474, 0.8364341259002686, 0.5820236802101135,
    ]);
    Ok(())
}

#[test]
fn view_normal() -> Result<()> {
    // tests/test_random.py CASES["view_normal_"]
    let mut g = Generator::new(11);
    let base = zeros(&[4, 6], F32);
    normal_(&base.t()?, 0.0, 1.0, &mut g)?;
    let t = base;
    check_floats(&t, F32, &[4, 6], &[
        0.7376294732093811, 1.9459291696548462, -0.6995416283607483, -1.3022973537445068,
        -0.5132622122764587, -0.26961955428123474, 0.24618466198444366, 0.4839252829551697,
        0.45041778683662415, -0.9568334221839905, 1.5011879205703735, -0.3135736584663391,
        -0.2342843860387802, -1.071309208869934, 0.16479843854904175, 0.11565449088811874,
        0.38340649008750916, -0.12341586500406265, 0.8928815126419067, -0.4890560507774353,
        -1.4470207691192627, 1.194069504737854, 0.5462409257888794, -2.0750153064727783,
    ]);
    Ok(())
}

#[test]
fn view_random() -> Result<()> {
    // tests/test_random.py CASES["view_random_"]
    let mut g = Generator::new(11);
    let base = zeros(&[4, 6], F32);
    random_(&base.t()?, Some(0), Some(10), &mut g)?;
    let t = base;
    check_floats(&t, F32, &[4, 6], &[
        1.0, 9.0, 0.0, 7.0, 3.0, 7.0, 1.0, 0.0, 7.0, 7.0, 2.0, 0.0, 5.0, 4.0, 4.0, 5.0, 8.0, 5.0,
        8.0, 1.0, 8.0, 2.0, 8.0, 9.0,
    ]);
    Ok(())
}

#[test]
fn view_bernoulli() -> Result<()> {
    // tests/test_random.py CASES["view_bernoulli_"]
    let mut g = Generator::new(11);
    let base = zeros(&[4, 6], F32);
    bernoulli_(&base.t()?, 0.5, &mut g)?;
    let t = base;
    check_floats(&t, F32, &[4, 6], &[
        1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0,
        0.0, 1.0, 1.0, 0.0, 0.0, 0.0,
    ]);
    Ok(())
}

#[test]
fn view_bernoulli_tensor() -> Result<()> {
    // tests/test_random.py CASES["view_bernoulli_tensor"]
    let mut g = Generator::new(11);
    let base = zeros(&[4, 6], F32);
    let p = zeros(&[6, 4], F32);
    uniform_(&p, 0.0, 1.0, &mut g)?;
    bernoulli_tensor_(&base.t()?, &p, &mut g)?;
    let t = base;
    check_floats(&t, F32, &[4, 6], &[
        0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0,
        0.0, 0.0, 1.0, 0.0, 1.0, 1.0,
    ]);
    Ok(())
}

#[test]
fn view_exponential() -> Result<()> {
    // tests/test_random.py CASES["view_exponential_"]
    let mut g = Generator::new(11);
    let base = zeros(&[4, 6], F32);
    exponential_(&base.t()?, 1.0, &mut g)?;
    let t = base;
    check_floats(&t, F32, &[4, 6], &[
        0.2136063426733017, 2.1653687953948975, 1.1133630275726318, 1.0926684141159058,
        0.8603384494781494, 0.16806639730930328, 0.19249460101127625, 0.1473952978849411,
        1.7149240970611572, 0.5592032074928284, 3.418131113052368, 1.1759467124938965,
        1.2578445672988892, 0.6012963056564331, 0.10246635228395462, 0.020267244428396225,
        3.0044925212860107, 0.08111600577831268, 2.52883243560791, 0.5182065963745117,
        0.4946189224720001, 1.7598354816436768, 1.5652657747268677, 2.3020341396331787,
    ]);
    Ok(())
}

#[test]
fn strided_uniform() -> Result<()> {
    // tests/test_random.py CASES["strided_uniform_"]
    let mut g = Generator::new(12);
    let base = zeros(&[5, 8, 3], F32);
    uniform_(&strided(&base)?, 0.0, 1.0, &mut g)?;
    let t = base;
    check_floats(&t, F32, &[5, 8, 3], &[
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.46568745374679565, 0.23276680707931519, 0.4527209997177124,
        0.0, 0.0, 0.0, 0.5871122479438782, 0.40864473581314087, 0.1271744966506958, 0.0, 0.0, 0.0,
        0.6372835040092468, 0.2420617938041687, 0.7311904430389404, 0.0, 0.0, 0.0,
        0.722437858581543, 0.19923532009124756, 0.694827139377594, 0.0, 0.0, 0.0,
        0.5830032825469971, 0.6318286061286926, 0.5558860898017883, 0.0, 0.0, 0.0,
        0.12624889612197876, 0.9790288209915161, 0.8442656397819519, 0.0, 0.0, 0.0,
        0.1255868673324585, 0.4456220865249634, 0.6600570678710938, 0.0, 0.0, 0.0,
        0.05538111925125122, 0.15729379653930664, 0.8136718273162842, 0.0, 0.0, 0.0,
        0.7216346859931946, 0.2717334032058716, 0.300298273563385, 0.0, 0.0, 0.0,
        0.6099416613578796, 0.5783652067184448, 0.6083433628082275, 0.0, 0.0, 0.0,
        0.4338628649711609, 0.8813114762306213, 0.3216341733932495, 0.0, 0.0, 0.0,
        0.26044410467147827, 0.2566184401512146, 0.18721580505371094, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        0.0, 0.0, 0.0,
    ]);
    Ok(())
}

#[test]
fn strided_normal() -> Result<()> {
    // tests/test_random.py CASES["strided_normal_"]
    let mut g = Generator::new(12);
    let base = zeros(&[5, 8, 3], F32);
    normal_(&strided(&base)?, 1.0, 2.0, &mut g)?;
    let t = base;
    check_floats(&t, F32, &[5, 8, 3], &[
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5723723769187927, -1.755925178527832, 0.8907642364501953,
        0.0, 0.0, 0.0, 1.903091549873352, 2.5716607570648193, -1.176875352859497, 0.0, 0.0, 0.0,
        -0.11975903809070587, -0.8672444820404053, 1.095850944519043, 0.0, 0.0, 0.0,
        0.8312932252883911, 0.7058940529823303, 2.51806902885437, 0.0, 0.0, 0.0,
        1.2932369709014893, -1.0081090927124023, -0.5763399600982666, 0.0, 0.0, 0.0,
        -0.6148746609687805, 0.40861815214157104, 0.7076364159584045, 0.0, 0.0, 0.0,
        1.7281806468963623, 1.866186499595642, 2.1790366172790527, 0.0, 0.0, 0.0,
        -1.513630986213684, 1.8821967840194702, 0.4435224235057831, 0.0, 0.0, 0.0,
        0.48248177766799927, 0.055228784680366516, 3.1115405559539795, 0.0, 0.0, 0.0,
        2.1366679668426514, 2.9325928688049316, 1.9655474424362183, 0.0, 0.0, 0.0,
        4.91463565826416, 0.2680955231189728, 0.5468102097511292, 0.0, 0.0, 0.0,
        1.5610039234161377, 1.9189146757125854, 2.1718382835388184, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        0.0, 0.0, 0.0,
    ]);
    Ok(())
}

#[test]
fn strided_bernoulli_bcast() -> Result<()> {
    // tests/test_random.py CASES["strided_bernoulli_bcast"]
    let mut g = Generator::new(12);
    let base = zeros(&[5, 8, 3], F32);
    let p = zeros(&[3, 1, 4], F32);
    uniform_(&p, 0.0, 1.0, &mut g)?;
    bernoulli_tensor_(&strided(&base)?, &p, &mut g)?;
    let t = base;
    check_floats(&t, F32, &[5, 8, 3], &[
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0,
        0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0,
        0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0,
        1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
    ]);
    Ok(())
}

#[test]
fn randn_0d() -> Result<()> {
    // tests/test_random.py CASES["randn_0d"]
    let mut g = Generator::new(3);
    let t = zeros(&[], F32);
    normal_(&t, 0.0, 1.0, &mut g)?;
    let t = t;
    check_floats(&t, F32, &[], &[
        0.8032760620117188,
    ]);
    Ok(())
}

#[test]
fn uniform_range() -> Result<()> {
    // tests/test_random.py CASES["uniform_range"]
    let mut g = Generator::new(3);
    let t = zeros(&[10], F32);
    uniform_(&t, -3.0, 5.0, &mut g)?;
    let t = t;
    check_floats(&t, F32, &[10], &[
        -2.9658918380737305, -2.155445098876953, -0.7132601737976074, -2.7843613624572754,
        0.7729148864746094, -2.5190696716308594, 3.1749267578125, 2.9495949745178223,
        1.7553696632385254, 4.102853298187256,
    ]);
    Ok(())
}

#[test]
fn normal_mean_std_7() -> Result<()> {
    // tests/test_random.py CASES["normal_mean_std_7"]
    let mut g = Generator::new(3);
    let t = zeros(&[7], F32);
    normal_(&t, 2.0, 3.0, &mut g)?;
    let t = t;
    check_floats(&t, F32, &[7], &[
        4.409828186035156, 2.5245001316070557, 2.266934394836426, 0.15884597599506378,
        2.138547420501709, -2.1047775745391846, 3.0124852657318115,
    ]);
    Ok(())
}

#[test]
fn normal_mean_std_20() -> Result<()> {
    // tests/test_random.py CASES["normal_mean_std_20"]
    let mut g = Generator::new(3);
    let t = zeros(&[20], F32);
    normal_(&t, 2.0, 3.0, &mut g)?;
    let t = t;
    check_floats(&t, F32, &[20], &[
        1.7700670957565308, 3.0796446800231934, -0.3460504412651062, 2.214583158493042,
        5.138068199157715, 3.566560983657837, 1.499572515487671, 2.159100294113159,
        3.2138214111328125, 3.8338990211486816, 4.2811713218688965, 1.8990702629089355,
        4.993767261505127, 3.3775413036346436, 9.30919075012207, 1.5595754384994507,
        3.4553420543670654, 2.6157031059265137, 3.015284538269043, 6.058261871337891,
    ]);
    Ok(())
}

#[test]
fn normal_float_float_size() -> Result<()> {
    // tests/test_random.py CASES["normal_float_float_size"]
    let mut g = Generator::new(8);
    let t = zeros(&[2, 10], F32);
    normal_(&t, 2.0, 3.0, &mut g)?;
    let t = t;
    check_floats(&t, F32, &[2, 10], &[
        -1.5676051378250122, 6.179704666137695, 8.317693710327148, 0.9362980127334595,
        0.8156297206878662, -1.3954548835754395, 3.2517707347869873, 0.29456692934036255,
        7.293159484863281, 0.8750091791152954, 0.9937642812728882, 5.262655258178711,
        0.5934109687805176, 3.1501708030700684, 2.682993173599243, 5.631895065307617,
        2.1066854000091553, 2.5842645168304443, 4.691460132598877, 1.0045454502105713,
    ]);
    Ok(())
}

#[test]
fn randint_bool() -> Result<()> {
    // tests/test_random.py CASES["randint_bool"]
    let mut g = Generator::new(4);
    let t = zeros(&[6], Bool);
    random_(&t, Some(0), Some(2), &mut g)?;
    let t = t;
    check_bools(&t, Bool, &[6], &[
        false, false, true, true, true, false,
    ]);
    Ok(())
}

#[test]
fn randint_i8() -> Result<()> {
    // tests/test_random.py CASES["randint_i8"]
    let mut g = Generator::new(4);
    let t = zeros(&[5], I8);
    random_(&t, Some(-100), Some(100), &mut g)?;
    let t = t;
    check_ints(&t, I8, &[5], &[
        30, -6, -69, 73, -11,
    ]);
    Ok(())
}

#[test]
fn randint_low_high() -> Result<()> {
    // tests/test_random.py CASES["randint_low_high"]
    let mut g = Generator::new(4);
    let t = zeros(&[2, 3], I64);
    random_(&t, Some(-5), Some(100), &mut g)?;
    let t = t;
    check_ints(&t, I64, &[2, 3], &[
        5, 64, 56, 33, 94, 51,
    ]);
    Ok(())
}

#[test]
fn geometric() -> Result<()> {
    // tests/test_random.py CASES["geometric"]
    let mut g = Generator::new(9);
    let t = zeros(&[10], F32);
    geometric_(&t, 0.3, &mut g)?;
    let t = t;
    check_floats(&t, F32, &[10], &[
        4.0, 1.0, 3.0, 7.0, 9.0, 2.0, 7.0, 7.0, 6.0, 2.0,
    ]);
    Ok(())
}

#[test]
fn geometric_int() -> Result<()> {
    // tests/test_random.py CASES["geometric_int"]
    let mut g = Generator::new(9);
    let t = zeros(&[10], I64);
    geometric_(&t, 0.3, &mut g)?;
    let t = t;
    check_ints(&t, I64, &[10], &[
        4, 1, 3, 7, 9, 2, 7, 7, 6, 2,
    ]);
    Ok(())
}

#[test]
fn log_normal() -> Result<()> {
    // tests/test_random.py CASES["log_normal"]
    let mut g = Generator::new(9);
    let t = zeros(&[9], F64);
    log_normal_(&t, 0.5, 0.7, &mut g)?;
    let t = t;
    check_floats(&t, F64, &[9], &[
        1.7011581384882437, 6.283124134401806, 1.4025308791050086, 2.1004460063798325,
        4.147972916842811, 2.1355963180428037, 2.15734454038486, 2.029778730971138,
        2.781806630903244,
    ]);
    Ok(())
}

#[test]
fn cauchy() -> Result<()> {
    // tests/test_random.py CASES["cauchy"]
    let mut g = Generator::new(9);
    let t = zeros(&[9], F32);
    cauchy_(&t, 1.0, 2.0, &mut g)?;
    let t = t;
    check_floats(&t, F32, &[9], &[
        -1.0473523139953613, 4.615666389465332, -0.06930731236934662, -6.50651741027832,
        -13.5380859375, 1.7070485353469849, -4.855653762817383, -4.490009307861328,
        -2.801244020462036,
    ]);
    Ok(())
}

#[test]
fn exponential() -> Result<()> {
    // tests/test_random.py CASES["exponential"]
    let mut g = Generator::new(9);
    let t = zeros(&[10], F32);
    exponential_(&t, 2.5, &mut g)?;
    let t = t;
    check_floats(&t, F32, &[10], &[
        0.11309164762496948, 0.7309670448303223, 0.16846388578414917, 0.03460831195116043,
        0.017796754837036133, 0.3747659921646118, 0.04426739737391472, 0.047154683619737625,
        0.06697531044483185, 0.3481642007827759,
    ]);
    Ok(())
}

#[test]
fn random_f32() -> Result<()> {
    // tests/test_random.py CASES["random__f32"]
    let mut g = Generator::new(10);
    let t = zeros(&[5], F32);
    random_(&t, None, None, &mut g)?;
    let t = t;
    check_floats(&t, F32, &[5], &[
        7685188.0, 8100913.0, 5242847.0, 10318225.0, 3589278.0,
    ]);
    Ok(())
}

#[test]
fn random_i64() -> Result<()> {
    // tests/test_random.py CASES["random__i64"]
    let mut g = Generator::new(10);
    let t = zeros(&[5], I64);
    random_(&t, None, None, &mut g)?;
    let t = t;
    check_ints(&t, I64, &[5], &[
        5004982467132365949, 382805850191655439, 2465374726603238769, 4589621550935188636,
        9195831304603865821,
    ]);
    Ok(())
}

#[test]
fn random_u8() -> Result<()> {
    // tests/test_random.py CASES["random__u8"]
    let mut g = Generator::new(10);
    let t = zeros(&[5], U8);
    random_(&t, None, None, &mut g)?;
    let t = t;
    check_ints(&t, U8, &[5], &[
        9, 125, 228, 15, 64,
    ]);
    Ok(())
}

#[test]
fn random_bool() -> Result<()> {
    // tests/test_random.py CASES["random__bool"]
    let mut g = Generator::new(10);
    let t = zeros(&[5], Bool);
    random_(&t, None, None, &mut g)?;
    let t = t;
    check_bools(&t, Bool, &[5], &[
        true, true, false, true, false,
    ]);
    Ok(())
}

#[test]
fn random_to() -> Result<()> {
    // tests/test_random.py CASES["random__to"]
    let mut g = Generator::new(10);
    let t = zeros(&[5], I64);
    random_(&t, None, Some(7), &mut g)?;
    let t = t;
    check_ints(&t, I64, &[5], &[
        2, 0, 4, 1, 2,
    ]);
    Ok(())
}

#[test]
fn random_from_to() -> Result<()> {
    // tests/test_random.py CASES["random__from_to"]
    let mut g = Generator::new(10);
    let t = zeros(&[5], I32);
    random_(&t, Some(3), Some(9), &mut g)?;
    let t = t;
    check_ints(&t, I32, &[5], &[
        8, 6, 3, 4, 3,
    ]);
    Ok(())
}

#[test]
fn random_from_none_i64() -> Result<()> {
    // tests/test_random.py CASES["random__from_none_i64"]
    let mut g = Generator::new(10);
    let t = zeros(&[5], I64);
    random_(&t, Some(-100), None, &mut g)?;
    let t = t;
    check_ints(&t, I64, &[5], &[
        5004982467132365749, 382805850191655339, 2465374726603238569, 4589621550935188436,
        9195831304603865721,
    ]);
    Ok(())
}

#[test]
fn random_from_none_i16() -> Result<()> {
    // tests/test_random.py CASES["random__from_none_i16"]
    let mut g = Generator::new(10);
    let t = zeros(&[5], I16);
    random_(&t, Some(-100), None, &mut g)?;
    let t = t;
    check_ints(&t, I16, &[5], &[
        31117, 2585, 23684, 21495, 27932,
    ]);
    Ok(())
}

#[test]
fn random_full_range() -> Result<()> {
    // tests/test_random.py CASES["random__full_range"]
    let mut g = Generator::new(10);
    let t = zeros(&[5], I64);
    random_(&t, Some(i64::MIN), None, &mut g)?;
    let t = t;
    check_ints(&t, I64, &[5], &[
        -4218389569722409859, 382805850191655439, -6757997310251537039, -4633750485919587172,
        9195831304603865821,
    ]);
    Ok(())
}

#[test]
fn bernoulli_probs() -> Result<()> {
    // tests/test_random.py CASES["bernoulli_probs"]
    let mut g = Generator::new(6);
    let p = f32s(&[0.0, 0.2, 0.5, 0.8, 1.0, 0.3], &[6]);
    let t = zeros(&[6], F32);
    bernoulli_tensor_(&t, &p, &mut g)?;
    let t = t;
    check_floats(&t, F32, &[6], &[
        0.0, 0.0, 0.0, 1.0, 1.0, 0.0,
    ]);
    Ok(())
}

#[test]
fn bernoulli_probs_f64() -> Result<()> {
    // tests/test_random.py CASES["bernoulli_probs_f64"]
    let mut g = Generator::new(6);
    let p = Tensor::from_vec(vec![0.1f64, 0.5, 0.9, 0.4], &[4])?;
    let t = zeros(&[4], F64);
    bernoulli_tensor_(&t, &p, &mut g)?;
    let t = t;
    check_floats(&t, F64, &[4], &[
        0.0, 0.0, 1.0, 1.0,
    ]);
    Ok(())
}

#[test]
fn bernoulli_p() -> Result<()> {
    // tests/test_random.py CASES["bernoulli_p"]
    let mut g = Generator::new(6);
    let t = zeros(&[8], F32);
    bernoulli_(&t, 0.4, &mut g)?;
    let t = t;
    check_floats(&t, F32, &[8], &[
        0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0,
    ]);
    Ok(())
}

#[test]
fn bernoulli_int() -> Result<()> {
    // tests/test_random.py CASES["bernoulli__int"]
    let mut g = Generator::new(6);
    let t = zeros(&[8], I64);
    bernoulli_(&t, 0.7, &mut g)?;
    let t = t;
    check_ints(&t, I64, &[8], &[
        1, 0, 0, 1, 1, 1, 1, 0,
    ]);
    Ok(())
}

#[test]
fn bernoulli_broadcast() -> Result<()> {
    // tests/test_random.py CASES["bernoulli__broadcast"]
    let mut g = Generator::new(6);
    let t = zeros(&[3, 4], F32);
    bernoulli_tensor_(&t, &f32s(&[0.2, 0.9, 0.5, 0.1], &[4]), &mut g)?;
    let t = t;
    check_floats(&t, F32, &[3, 4], &[
        0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0,
    ]);
    Ok(())
}
