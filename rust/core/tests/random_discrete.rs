//! Bit-exactness tests of `rstorch::random`'s discrete slice samplers against PyTorch's CPU
//! generator (`randint`/`random_`, `bernoulli`, `multinomial`, `randperm`), and the argument
//! errors worded like torch's.
//!
//! Every expected value was produced by PyTorch 2.15 (CPU wheel, x86-64 with AVX-512, i.e.
//! torch's AVX2 normal kernel) with the command in the comment above it; floats are compared by
//! their bit patterns (`Tensor.view(torch.int32 / int64 / int16)`).

use half::f16;
use rstorch::random::*;
use rstorch::Error;

mod common;
use common::{check_f32, check_f64};

#[test]
fn argument_errors_like_torch() {
    let mut g = Generator::new(0);
    let mut o = vec![0i64; 3];
    assert_eq!(
        g.random_from_to(&mut o, 5, 5).unwrap_err(),
        Error::Runtime(
            "random_ expects 'from' to be less than 'to', but got from=5 >= to=5".into()
        )
    );
    let mut o8 = vec![0i8; 3];
    assert_eq!(
        g.random_from_to(&mut o8, -200, 0).unwrap_err(),
        Error::Runtime("from is out of bounds for signed char".into())
    );
    let mut oh = vec![f16::ZERO; 3];
    assert_eq!(
        g.random_from_to(&mut oh, -(1 << 62), 1 << 62).unwrap_err(),
        Error::Runtime("from is out of bounds for c10::Half".into())
    );
    let mut of = vec![0f32; 3];
    assert_eq!(
        g.exponential(&mut of, -1.23456789e-9).unwrap_err(),
        Error::Runtime("exponential_ expects lambda > 0.0, but found lambda=-1.23457e-09".into())
    );
    assert_eq!(
        g.exponential(&mut of, f64::NAN).unwrap_err(),
        Error::Runtime("exponential_ expects lambda > 0.0, but found lambda=nan".into())
    );
    assert_eq!(
        g.bernoulli_scalar(&mut of, 1.5).unwrap_err(),
        Error::Runtime("bernoulli_ expects p to be in [0, 1], but got p=1.5".into())
    );
    let p = [0.5f32, 0.5];
    assert_eq!(
        g.multinomial(&p, 1, 2, 3, false).unwrap_err(),
        Error::Runtime(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement".into()
        )
    );
    assert_eq!(
        g.multinomial(&[0.0f32, 0.0], 1, 2, 1, false).unwrap_err(),
        Error::Runtime("invalid multinomial distribution (sum of probabilities <= 0)".into())
    );
    assert_eq!(
        g.multinomial(&[-1.0f32, 1.0], 1, 2, 1, false).unwrap_err(),
        Error::Runtime("probability tensor contains either `inf`, `nan` or element < 0".into())
    );
}

#[test]
fn randint_i64() {
    // torch.manual_seed(0); torch.randint(0, 10, (12,))
    {
        let mut g = Generator::new(0);
        let mut o = vec![0i64; 12];
        g.random_from_to(&mut o, 0, 10).unwrap();
        assert_eq!(&o[..], &[4, 9, 3, 0, 3, 9, 7, 3, 7, 3, 1, 6]);
    }
    // torch.manual_seed(42); torch.randint(0, 10, (12,))
    {
        let mut g = Generator::new(42);
        let mut o = vec![0i64; 12];
        g.random_from_to(&mut o, 0, 10).unwrap();
        assert_eq!(&o[..], &[2, 7, 6, 4, 6, 5, 0, 4, 0, 3, 8, 4]);
    }
}

#[test]
fn randint_i64_large_range() {
    // torch.manual_seed(0); torch.randint(-5, 2**40, (6,))
    {
        let mut g = Generator::new(0);
        let mut o = vec![0i64; 6];
        g.random_from_to(&mut o, -5, 1 << 40).unwrap();
        assert_eq!(
            &o[..],
            &[
                741234585336,
                506077272957,
                291397093751,
                841111833108,
                41297352602,
                91791038552
            ]
        );
    }
    // torch.manual_seed(42); torch.randint(-5, 2**40, (6,))
    {
        let mut g = Generator::new(42);
        let mut o = vec![0i64; 6];
        g.random_from_to(&mut o, -5, 1 << 40).unwrap();
        assert_eq!(
            &o[..],
            &[
                441476371554,
                395845085946,
                458553876606,
                809967084457,
                439988413510,
                902359435404
            ]
        );
    }
}

#[test]
fn randint_i32() {
    // torch.manual_seed(0); torch.randint(-100, 100, (8,), dtype=torch.int32)
    {
        let mut g = Generator::new(0);
        let mut o = vec![0i32; 8];
        g.random_from_to(&mut o, -100, 100).unwrap();
        assert_eq!(&o[..], &[-56, -61, 33, 60, 63, 79, -73, 3]);
    }
    // torch.manual_seed(42); torch.randint(-100, 100, (8,), dtype=torch.int32)
    {
        let mut g = Generator::new(42);
        let mut o = vec![0i32; 8];
        g.random_from_to(&mut o, -100, 100).unwrap();
        assert_eq!(&o[..], &[42, -33, -24, -86, -74, 35, -80, 24]);
    }
}

#[test]
fn randint_f32() {
    // torch.manual_seed(0); torch.randint(3, 1000, (8,), dtype=torch.float32)
    {
        let mut g = Generator::new(0);
        let mut o = vec![0f32; 8];
        g.random_from_to(&mut o, 3, 1000).unwrap();
        check_f32(
            &o,
            &[
                0x4436c000, 0x44724000, 0x4449c000, 0x4441c000, 0x445c0000, 0x433e0000, 0x43a08000,
                0x42dc0000,
            ],
        );
    }
    // torch.manual_seed(42); torch.randint(3, 1000, (8,), dtype=torch.float32)
    {
        let mut g = Generator::new(42);
        let mut o = vec![0f32; 8];
        g.random_from_to(&mut o, 3, 1000).unwrap();
        check_f32(
            &o,
            &[
                0x44740000, 0x43a50000, 0x44158000, 0x42880000, 0x429e0000, 0x4449c000, 0x43f40000,
                0x43d30000,
            ],
        );
    }
}

#[test]
fn randint_f32_unrepresentable_bound() {
    // torch.manual_seed(0); torch.randint(0, 2**27, (6,), dtype=torch.float32)
    {
        let mut g = Generator::new(0);
        let mut o = vec![0f32; 6];
        g.random_from_to(&mut o, 0, 1 << 27).unwrap();
        check_f32(
            &o,
            &[
                0x4c8fe166, 0x4cf89558, 0x4ce2d4e5, 0x4a073660, 0x4c13acf7, 0x4c6894f5,
            ],
        );
    }
    // torch.manual_seed(42); torch.randint(0, 2**27, (6,), dtype=torch.float32)
    {
        let mut g = Generator::new(42);
        let mut o = vec![0f32; 6];
        g.random_from_to(&mut o, 0, 1 << 27).unwrap();
        check_f32(
            &o,
            &[
                0x4cfc3b98, 0x4c7a8f9f, 0x4c588113, 0x4cdeb2a7, 0x4c58fd48, 0x4cf33aa1,
            ],
        );
    }
}

#[test]
fn randint_f64() {
    // torch.manual_seed(0); torch.randint(-7, 7, (8,), dtype=torch.float64)
    {
        let mut g = Generator::new(0);
        let mut o = vec![0f64; 8];
        g.random_from_to(&mut o, -7, 7).unwrap();
        check_f64(
            &o,
            &[
                0xc008000000000000,
                0xc010000000000000,
                0x0000000000000000,
                0xc014000000000000,
                0xc018000000000000,
                0x4000000000000000,
                0x4018000000000000,
                0xc010000000000000,
            ],
        );
    }
    // torch.manual_seed(42); torch.randint(-7, 7, (8,), dtype=torch.float64)
    {
        let mut g = Generator::new(42);
        let mut o = vec![0f64; 8];
        g.random_from_to(&mut o, -7, 7).unwrap();
        check_f64(
            &o,
            &[
                0x3ff0000000000000,
                0x4000000000000000,
                0xc008000000000000,
                0x4014000000000000,
                0xc008000000000000,
                0xc010000000000000,
                0x4014000000000000,
                0x4014000000000000,
            ],
        );
    }
}

#[test]
fn random_no_bounds_i64() {
    // torch.manual_seed(0); torch.empty(4, dtype=torch.int64).random_()
    {
        let mut g = Generator::new(0);
        let mut o = vec![0i64; 4];
        g.random(&mut o);
        assert_eq!(
            &o[..],
            &[
                900450186894289455,
                3969543146641149120,
                1895649597198586619,
                827948490035658087
            ]
        );
    }
    // torch.manual_seed(42); torch.empty(4, dtype=torch.int64).random_()
    {
        let mut g = Generator::new(42);
        let mut o = vec![0i64; 4];
        g.random(&mut o);
        assert_eq!(
            &o[..],
            &[
                6909045637428952499,
                8314211556539077902,
                4279532810384561223,
                1819927849474927636
            ]
        );
    }
}

#[test]
fn random_no_bounds_f32() {
    // torch.manual_seed(0); torch.empty(4, dtype=torch.float32).random_()
    {
        let mut g = Generator::new(0);
        let mut o = vec![0f32; 4];
        g.random(&mut o);
        check_f32(&o, &[0x4afe1440, 0x4b44a998, 0x49b52df0, 0x4a072fa0]);
    }
    // torch.manual_seed(42); torch.empty(4, dtype=torch.float32).random_()
    {
        let mut g = Generator::new(42);
        let mut o = vec![0f32; 4];
        g.random(&mut o);
        check_f32(&o, &[0x4b61dc07, 0x4b6a3ce8, 0x4ac404d2, 0x4b7594e0]);
    }
}

#[test]
fn bernoulli_scalar_f32() {
    // torch.manual_seed(0); torch.empty(20, dtype=torch.float32).bernoulli_(0.3)
    {
        let mut g = Generator::new(0);
        let mut o = vec![0f32; 20];
        g.bernoulli_scalar(&mut o, 0.3).unwrap();
        check_f32(
            &o,
            &[
                0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x3f800000,
                0x00000000, 0x00000000, 0x3f800000, 0x00000000, 0x3f800000, 0x00000000, 0x00000000,
                0x00000000, 0x00000000, 0x00000000, 0x3f800000, 0x00000000, 0x00000000,
            ],
        );
    }
    // torch.manual_seed(42); torch.empty(20, dtype=torch.float32).bernoulli_(0.3)
    {
        let mut g = Generator::new(42);
        let mut o = vec![0f32; 20];
        g.bernoulli_scalar(&mut o, 0.3).unwrap();
        check_f32(
            &o,
            &[
                0x3f800000, 0x3f800000, 0x3f800000, 0x3f800000, 0x00000000, 0x00000000, 0x00000000,
                0x00000000, 0x3f800000, 0x3f800000, 0x3f800000, 0x00000000, 0x00000000, 0x00000000,
                0x00000000, 0x00000000, 0x3f800000, 0x00000000, 0x00000000, 0x00000000,
            ],
        );
    }
}

#[test]
fn bernoulli_scalar_f64() {
    // torch.manual_seed(0); torch.empty(20, dtype=torch.float64).bernoulli_(0.3)
    {
        let mut g = Generator::new(0);
        let mut o = vec![0f64; 20];
        g.bernoulli_scalar(&mut o, 0.3).unwrap();
        check_f64(
            &o,
            &[
                0x0000000000000000,
                0x0000000000000000,
                0x0000000000000000,
                0x0000000000000000,
                0x0000000000000000,
                0x0000000000000000,
                0x3ff0000000000000,
                0x0000000000000000,
                0x0000000000000000,
                0x3ff0000000000000,
                0x0000000000000000,
                0x3ff0000000000000,
                0x0000000000000000,
                0x0000000000000000,
                0x0000000000000000,
                0x0000000000000000,
                0x0000000000000000,
                0x3ff0000000000000,
                0x0000000000000000,
                0x0000000000000000,
            ],
        );
    }
    // torch.manual_seed(42); torch.empty(20, dtype=torch.float64).bernoulli_(0.3)
    {
        let mut g = Generator::new(42);
        let mut o = vec![0f64; 20];
        g.bernoulli_scalar(&mut o, 0.3).unwrap();
        check_f64(
            &o,
            &[
                0x3ff0000000000000,
                0x3ff0000000000000,
                0x3ff0000000000000,
                0x3ff0000000000000,
                0x0000000000000000,
                0x0000000000000000,
                0x0000000000000000,
                0x0000000000000000,
                0x3ff0000000000000,
                0x3ff0000000000000,
                0x3ff0000000000000,
                0x0000000000000000,
                0x0000000000000000,
                0x0000000000000000,
                0x0000000000000000,
                0x0000000000000000,
                0x3ff0000000000000,
                0x0000000000000000,
                0x0000000000000000,
                0x0000000000000000,
            ],
        );
    }
}

#[test]
fn bernoulli_tensor_f32() {
    // torch.manual_seed(0); torch.bernoulli(torch.tensor([0.1, 0.25, 0.5, 0.75, 0.9, 0.3, 0.6, 0.05], dtype=torch.float32))
    {
        let mut g = Generator::new(0);
        let mut o = vec![0f32; 8];
        let p: [f32; 8] = [0.1, 0.25, 0.5, 0.75, 0.9, 0.3, 0.6, 0.05];
        g.bernoulli_tensor(&mut o, &p);
        check_f32(
            &o,
            &[
                0x00000000, 0x00000000, 0x3f800000, 0x3f800000, 0x3f800000, 0x00000000, 0x3f800000,
                0x00000000,
            ],
        );
    }
    // torch.manual_seed(42); torch.bernoulli(torch.tensor([0.1, 0.25, 0.5, 0.75, 0.9, 0.3, 0.6, 0.05], dtype=torch.float32))
    {
        let mut g = Generator::new(42);
        let mut o = vec![0f32; 8];
        let p: [f32; 8] = [0.1, 0.25, 0.5, 0.75, 0.9, 0.3, 0.6, 0.05];
        g.bernoulli_tensor(&mut o, &p);
        check_f32(
            &o,
            &[
                0x00000000, 0x00000000, 0x3f800000, 0x00000000, 0x3f800000, 0x00000000, 0x3f800000,
                0x00000000,
            ],
        );
    }
}

#[test]
fn bernoulli_tensor_f64() {
    // torch.manual_seed(0); torch.bernoulli(torch.tensor([0.1, 0.25, 0.5, 0.75, 0.9, 0.3, 0.6, 0.05], dtype=torch.float64))
    {
        let mut g = Generator::new(0);
        let mut o = vec![0f64; 8];
        let p: [f64; 8] = [0.1, 0.25, 0.5, 0.75, 0.9, 0.3, 0.6, 0.05];
        g.bernoulli_tensor(&mut o, &p);
        check_f64(
            &o,
            &[
                0x0000000000000000,
                0x0000000000000000,
                0x3ff0000000000000,
                0x0000000000000000,
                0x3ff0000000000000,
                0x0000000000000000,
                0x3ff0000000000000,
                0x0000000000000000,
            ],
        );
    }
    // torch.manual_seed(42); torch.bernoulli(torch.tensor([0.1, 0.25, 0.5, 0.75, 0.9, 0.3, 0.6, 0.05], dtype=torch.float64))
    {
        let mut g = Generator::new(42);
        let mut o = vec![0f64; 8];
        let p: [f64; 8] = [0.1, 0.25, 0.5, 0.75, 0.9, 0.3, 0.6, 0.05];
        g.bernoulli_tensor(&mut o, &p);
        check_f64(
            &o,
            &[
                0x3ff0000000000000,
                0x3ff0000000000000,
                0x3ff0000000000000,
                0x3ff0000000000000,
                0x3ff0000000000000,
                0x0000000000000000,
                0x0000000000000000,
                0x0000000000000000,
            ],
        );
    }
}

#[test]
fn multinomial_f32() {
    // torch.manual_seed(0); torch.cat([torch.multinomial(torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.5, 0.0, 0.25, 0.25]], dtype=torch.float32), 3).flatten(), torch.multinomial(torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.5, 0.0, 0.25, 0.25]], dtype=torch.float32), 10, True).flatten(), torch.multinomial(torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.5, 0.0, 0.25, 0.25]], dtype=torch.float32), 1).flatten()])
    {
        let mut g = Generator::new(0);
        let p: [f32; 8] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.0, 0.25, 0.25];
        let mut o = g.multinomial(&p, 2, 4, 3, false).unwrap();
        o.extend(g.multinomial(&p, 2, 4, 10, true).unwrap());
        o.extend(g.multinomial(&p, 2, 4, 1, false).unwrap());
        assert_eq!(
            &o[..],
            &[2, 1, 3, 2, 3, 0, 2, 1, 2, 1, 2, 3, 2, 2, 2, 1, 2, 3, 0, 2, 0, 2, 0, 2, 2, 2, 1, 0]
        );
    }
    // torch.manual_seed(42); torch.cat([torch.multinomial(torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.5, 0.0, 0.25, 0.25]], dtype=torch.float32), 3).flatten(), torch.multinomial(torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.5, 0.0, 0.25, 0.25]], dtype=torch.float32), 10, True).flatten(), torch.multinomial(torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.5, 0.0, 0.25, 0.25]], dtype=torch.float32), 1).flatten()])
    {
        let mut g = Generator::new(42);
        let p: [f32; 8] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.0, 0.25, 0.25];
        let mut o = g.multinomial(&p, 2, 4, 3, false).unwrap();
        o.extend(g.multinomial(&p, 2, 4, 10, true).unwrap());
        o.extend(g.multinomial(&p, 2, 4, 1, false).unwrap());
        assert_eq!(
            &o[..],
            &[3, 1, 2, 0, 3, 2, 0, 1, 1, 2, 3, 3, 2, 3, 0, 3, 2, 0, 0, 2, 0, 0, 0, 0, 3, 0, 3, 0]
        );
    }
}

#[test]
fn multinomial_f64() {
    // torch.manual_seed(0); torch.cat([torch.multinomial(torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.5, 0.0, 0.25, 0.25]], dtype=torch.float64), 3).flatten(), torch.multinomial(torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.5, 0.0, 0.25, 0.25]], dtype=torch.float64), 10, True).flatten(), torch.multinomial(torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.5, 0.0, 0.25, 0.25]], dtype=torch.float64), 1).flatten()])
    {
        let mut g = Generator::new(0);
        let p: [f64; 8] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.0, 0.25, 0.25];
        let mut o = g.multinomial(&p, 2, 4, 3, false).unwrap();
        o.extend(g.multinomial(&p, 2, 4, 10, true).unwrap());
        o.extend(g.multinomial(&p, 2, 4, 1, false).unwrap());
        assert_eq!(
            &o[..],
            &[2, 1, 3, 2, 3, 0, 2, 1, 2, 1, 2, 3, 2, 2, 2, 1, 2, 3, 0, 2, 0, 2, 0, 2, 2, 2, 1, 0]
        );
    }
    // torch.manual_seed(42); torch.cat([torch.multinomial(torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.5, 0.0, 0.25, 0.25]], dtype=torch.float64), 3).flatten(), torch.multinomial(torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.5, 0.0, 0.25, 0.25]], dtype=torch.float64), 10, True).flatten(), torch.multinomial(torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.5, 0.0, 0.25, 0.25]], dtype=torch.float64), 1).flatten()])
    {
        let mut g = Generator::new(42);
        let p: [f64; 8] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.0, 0.25, 0.25];
        let mut o = g.multinomial(&p, 2, 4, 3, false).unwrap();
        o.extend(g.multinomial(&p, 2, 4, 10, true).unwrap());
        o.extend(g.multinomial(&p, 2, 4, 1, false).unwrap());
        assert_eq!(
            &o[..],
            &[3, 1, 2, 0, 3, 2, 0, 1, 1, 2, 3, 3, 2, 3, 0, 3, 2, 0, 0, 2, 0, 0, 0, 0, 3, 0, 3, 0]
        );
    }
}

#[test]
fn randperm_10() {
    // torch.manual_seed(0); torch.randperm(10)
    {
        let mut g = Generator::new(0);
        let o = g.randperm(10).unwrap();
        assert_eq!(&o[..], &[4, 1, 7, 5, 3, 9, 0, 8, 6, 2]);
    }
    // torch.manual_seed(42); torch.randperm(10)
    {
        let mut g = Generator::new(42);
        let o = g.randperm(10).unwrap();
        assert_eq!(&o[..], &[2, 6, 1, 8, 4, 5, 0, 9, 3, 7]);
    }
}

#[test]
fn randperm_40() {
    // torch.manual_seed(0); torch.randperm(40)
    {
        let mut g = Generator::new(0);
        let o = g.randperm(40).unwrap();
        assert_eq!(
            &o[..],
            &[
                4, 16, 21, 5, 11, 14, 39, 29, 17, 26, 2, 6, 20, 25, 24, 1, 15, 32, 28, 18, 9, 0,
                10, 19, 8, 36, 27, 7, 37, 38, 31, 30, 35, 12, 3, 34, 33, 22, 23, 13
            ]
        );
    }
    // torch.manual_seed(42); torch.randperm(40)
    {
        let mut g = Generator::new(42);
        let o = g.randperm(40).unwrap();
        assert_eq!(
            &o[..],
            &[
                22, 9, 32, 15, 0, 3, 8, 18, 14, 13, 38, 2, 7, 4, 23, 37, 27, 29, 35, 17, 19, 25, 6,
                21, 12, 10, 16, 39, 24, 33, 11, 34, 28, 20, 26, 31, 30, 36, 1, 5
            ]
        );
    }
}
