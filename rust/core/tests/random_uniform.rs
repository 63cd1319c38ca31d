//! Bit-exactness tests of `rstorch::random`'s uniform and exponential slice samplers against
//! PyTorch's CPU generator (`torch.rand`, `uniform_`, `exponential_`) in each floating dtype.
//!
//! Every expected value was produced by PyTorch 2.15 (CPU wheel, x86-64 with AVX-512, i.e.
//! torch's AVX2 normal kernel) with the command in the comment above it; floats are compared by
//! their bit patterns (`Tensor.view(torch.int32 / int64 / int16)`).

use half::{bf16, f16};
use rstorch::random::*;

mod common;
use common::{check_bf16, check_f16, check_f32, check_f64};

#[test]
fn rand_f32() {
    // torch.manual_seed(0); torch.rand(5, dtype=torch.float32)
    {
        let mut g = Generator::new(0);
        let mut o = vec![0f32; 5];
        g.uniform(&mut o, 0.0, 1.0);
        check_f32(
            &o,
            &[0x3efe1558, 0x3f44aa2f, 0x3db533a8, 0x3e073300, 0x3e9d6686],
        );
    }
    // torch.manual_seed(42); torch.rand(5, dtype=torch.float32)
    {
        let mut g = Generator::new(42);
        let mut o = vec![0f32; 5];
        g.uniform(&mut o, 0.0, 1.0);
        check_f32(
            &o,
            &[0x3f61dc66, 0x3f6a3db3, 0x3ec406b8, 0x3f75950e, 0x3ec7e8d4],
        );
    }
}

#[test]
fn rand_f64() {
    // torch.manual_seed(0); torch.rand(5, dtype=torch.float64)
    {
        let mut g = Generator::new(0);
        let mut o = vec![0f64; 5];
        g.uniform(&mut o, 0.0, 1.0);
        check_f64(
            &o,
            &[
                0x3fef0aac97c4aa2f,
                0x3fe6a675d821ccc0,
                0x3fdd6687b744a5f6,
                0x3fed76c3d8e57d67,
                0x3fe4a4099fa1ded3,
            ],
        );
    }
    // torch.manual_seed(42); torch.rand(5, dtype=torch.float64)
    {
        let mut g = Generator::new(42);
        let mut o = vec![0f64; 5];
        g.uniform(&mut o, 0.0, 1.0);
        check_f64(
            &o,
            &[
                0x3fadc66cbea3db30,
                0x3fb01ae177aca870,
                0x3fbfa3563ccea238,
                0x3faaebc98cb2c140,
                0x3fe0d66672221879,
            ],
        );
    }
}

#[test]
fn rand_f16() {
    // torch.manual_seed(0); torch.rand(5, dtype=torch.float16)
    {
        let mut g = Generator::new(0);
        let mut o = vec![f16::ZERO; 5];
        g.uniform(&mut o, 0.0, 1.0);
        check_f16(&o, &[0x37f1, 0x3a25, 0x2daa, 0x303a, 0x34eb]);
    }
    // torch.manual_seed(42); torch.rand(5, dtype=torch.float16)
    {
        let mut g = Generator::new(42);
        let mut o = vec![f16::ZERO; 5];
        g.uniform(&mut o, 0.0, 1.0);
        check_f16(&o, &[0x3b0f, 0x3b52, 0x3620, 0x3bad, 0x363f]);
    }
}

#[test]
fn rand_bf16() {
    // torch.manual_seed(0); torch.rand(5, dtype=torch.bfloat16)
    {
        let mut g = Generator::new(0);
        let mut o = vec![bf16::ZERO; 5];
        g.uniform(&mut o, 0.0, 1.0);
        check_bf16(&o, &[0x3efe, 0x3f45, 0x3db5, 0x3e07, 0x3e9d]);
    }
    // torch.manual_seed(42); torch.rand(5, dtype=torch.bfloat16)
    {
        let mut g = Generator::new(42);
        let mut o = vec![bf16::ZERO; 5];
        g.uniform(&mut o, 0.0, 1.0);
        check_bf16(&o, &[0x3f62, 0x3f6a, 0x3ec4, 0x3f76, 0x3ec8]);
    }
}

#[test]
fn uniform_range_f32() {
    // torch.manual_seed(0); torch.empty(6, dtype=torch.float32).uniform_(-3.7, 5.3)
    {
        let mut g = Generator::new(0);
        let mut o = vec![0f32; 6];
        g.uniform(&mut o, -3.7, 5.3);
        check_f32(
            &o,
            &[
                0x3f442cd8, 0x404db21d, 0xc039d646, 0xc020c01d, 0xbf6ee5d9, 0x40006de8,
            ],
        );
    }
    // torch.manual_seed(42); torch.empty(6, dtype=torch.float32).uniform_(-3.7, 5.3)
    {
        let mut g = Generator::new(42);
        let mut o = vec![0f32; 6];
        g.uniform(&mut o, -3.7, 5.3);
        check_f32(
            &o,
            &[
                0x4087b18c, 0x40911f03, 0xbe8229f0, 0x409de149, 0xbe3e6de8, 0x3fdaa1a6,
            ],
        );
    }
}

#[test]
fn uniform_range_f64() {
    // torch.manual_seed(0); torch.empty(6, dtype=torch.float64).uniform_(-3.7, 5.3)
    {
        let mut g = Generator::new(0);
        let mut o = vec![0f64; 6];
        g.uniform(&mut o, -3.7, 5.3);
        check_f64(
            &o,
            &[
                0x40141f355df072a8,
                0x40055cef8cb27316,
                0x3fdbcdf8a49d08d6,
                0x401258cf87356047,
                0x4000d77c0d929bc1,
                0x400b5cd683cdca06,
            ],
        );
    }
    // torch.manual_seed(42); torch.empty(6, dtype=torch.float64).uniform_(-3.7, 5.3)
    {
        let mut g = Generator::new(42);
        let mut o = vec![0f64; 6];
        g.uniform(&mut o, -3.7, 5.3);
        check_f64(
            &o,
            &[
                0xc00969b24eca8ec7,
                0xc009120a2ff10a3a,
                0xc004b3a9587f7bfa,
                0xc009d07141d0766d,
                0x3ff09199ce663aec,
                0x3fe2e9fc7ff1351e,
            ],
        );
    }
}

#[test]
fn exponential_f32() {
    // torch.manual_seed(0); torch.empty(6, dtype=torch.float32).exponential_(1.5)
    {
        let mut g = Generator::new(0);
        let mut o = vec![0f32; 6];
        g.exponential(&mut o, 1.5).unwrap();
        check_f32(
            &o,
            &[
                0x4015b047, 0x3f51fc55, 0x3ed1ef5f, 0x3fd85483, 0x3f30c2a9, 0x3f85a49c,
            ],
        );
    }
    // torch.manual_seed(42); torch.empty(6, dtype=torch.float32).exponential_(1.5)
    {
        let mut g = Generator::new(42);
        let mut o = vec![0f32; 6];
        g.exponential(&mut o, 1.5).unwrap();
        check_f32(
            &o,
            &[
                0x3d239aef, 0x3d316d9b, 0x3db41c42, 0x3d137dca, 0x3efef20d, 0x3edd1a56,
            ],
        );
    }
}

#[test]
fn exponential_f64() {
    // torch.manual_seed(0); torch.empty(6, dtype=torch.float64).exponential_(1.5)
    {
        let mut g = Generator::new(0);
        let mut o = vec![0f64; 6];
        g.exponential(&mut o, 1.5).unwrap();
        check_f64(
            &o,
            &[
                0x4002b608e13deb20,
                0x3fea3f8a944dd50a,
                0x3fda3debef7a91e6,
                0x3ffb0a9060d9764c,
                0x3fe6185526987fb9,
                0x3ff0b49372d3cf25,
            ],
        );
    }
    // torch.manual_seed(42); torch.empty(6, dtype=torch.float64).exponential_(1.5)
    {
        let mut g = Generator::new(42);
        let mut o = vec![0f64; 6];
        g.exponential(&mut o, 1.5).unwrap();
        check_f64(
            &o,
            &[
                0x3fa4735dd7f3b88c,
                0x3fa62db3659598f2,
                0x3fb683883537846a,
                0x3fa26fb94755d490,
                0x3fdfde419ec73be9,
                0x3fdba34ac78faee8,
            ],
        );
    }
}

#[test]
fn exponential_f16() {
    // torch.manual_seed(0); torch.empty(6, dtype=torch.float16).exponential_(1.5)
    {
        let mut g = Generator::new(0);
        let mut o = vec![f16::ZERO; 6];
        g.exponential(&mut o, 1.5).unwrap();
        check_f16(&o, &[0x40ae, 0x3a90, 0x368f, 0x3ec3, 0x3986, 0x3c2d]);
    }
    // torch.manual_seed(42); torch.empty(6, dtype=torch.float16).exponential_(1.5)
    {
        let mut g = Generator::new(42);
        let mut o = vec![f16::ZERO; 6];
        g.exponential(&mut o, 1.5).unwrap();
        check_f16(&o, &[0x291d, 0x298b, 0x2da1, 0x289c, 0x37f8, 0x36e9]);
    }
}

#[test]
fn exponential_bf16() {
    // torch.manual_seed(0); torch.empty(6, dtype=torch.bfloat16).exponential_(1.5)
    {
        let mut g = Generator::new(0);
        let mut o = vec![bf16::ZERO; 6];
        g.exponential(&mut o, 1.5).unwrap();
        check_bf16(&o, &[0x4016, 0x3f52, 0x3ed2, 0x3fd8, 0x3f31, 0x3f86]);
    }
    // torch.manual_seed(42); torch.empty(6, dtype=torch.bfloat16).exponential_(1.5)
    {
        let mut g = Generator::new(42);
        let mut o = vec![bf16::ZERO; 6];
        g.exponential(&mut o, 1.5).unwrap();
        check_bf16(&o, &[0x3d24, 0x3d31, 0x3db4, 0x3d13, 0x3eff, 0x3edd]);
    }
}
