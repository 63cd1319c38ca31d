//! Bit-exactness tests of `rstorch::random`'s normal sampler against PyTorch's CPU generator
//! (`torch.randn`, `normal_`): the vectorised path (16 elements or more), the scalar one, the
//! cached Box-Muller sample, and both CPU capabilities.
//!
//! Every expected value was produced by PyTorch 2.15 (CPU wheel, x86-64 with AVX-512, i.e.
//! torch's AVX2 normal kernel) with the command in the comment above it; floats are compared by
//! their bit patterns (`Tensor.view(torch.int32 / int64 / int16)`).

use half::{bf16, f16};
use rstorch::random::*;

mod common;
use common::{check_bf16, check_f16, check_f32, check_f64};

const DEFAULT_RANDN37_TAIL_SEED0: &[u32] = &[0x3dad209f, 0xbf999e2c, 0xbb9cd2b7, 0xbf04a08d];
const DEFAULT_UNIFORM3_SEED0: &[u32] = &[0x3f442cdc, 0x404db21d, 0xc039d646];

#[test]
fn large_randn_statistics() {
    // 4M float32 normals: mean ~ 0, variance ~ 1 (a speed smoke test as well).
    let mut g = Generator::new(0);
    let mut o = vec![0f32; 4 << 20];
    g.normal(&mut o, 0.0, 1.0);
    let n = o.len() as f64;
    let mean = o.iter().map(|&v| v as f64).sum::<f64>() / n;
    let var = o.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n;
    assert!(mean.abs() < 2e-3, "{mean}");
    assert!((var - 1.0).abs() < 3e-3, "{var}");
}

#[test]
fn default_capability_kernels() {
    // ATEN_CPU_CAPABILITY=default python -c "torch.manual_seed(0); print(torch.randn(37)[-4:])"
    // and "torch.manual_seed(0); print(torch.empty(3).uniform_(-3.7, 5.3))" (bit patterns).
    let mut g = Generator::new(0);
    g.set_cpu_capability(CpuCapability::Default);
    let mut o = vec![0f32; 37];
    g.normal(&mut o, 0.0, 1.0);
    check_f32(&o[33..], DEFAULT_RANDN37_TAIL_SEED0);
    let mut g = Generator::new(0);
    g.set_cpu_capability(CpuCapability::Default);
    let mut u = vec![0f32; 3];
    g.uniform(&mut u, -3.7, 5.3);
    check_f32(&u, DEFAULT_UNIFORM3_SEED0);
}

#[test]
fn randn_f32_5() {
    // torch.manual_seed(0); torch.randn(5, dtype=torch.float32)
    {
        let mut g = Generator::new(0);
        let mut o = vec![0f32; 5];
        g.normal(&mut o, 0.0, 1.0);
        check_f32(
            &o,
            &[0x3fc53f5c, 0xbe963c50, 0xc00b7149, 0x3f1184b6, 0xbf8ad1a1],
        );
    }
    // torch.manual_seed(42); torch.randn(5, dtype=torch.float32)
    {
        let mut g = Generator::new(42);
        let mut o = vec![0f32; 5];
        g.normal(&mut o, 0.0, 1.0);
        check_f32(
            &o,
            &[0x3eac62ae, 0x3e03e69d, 0x3e7016e7, 0x3e6bdc6c, 0xbf8fb9c2],
        );
    }
}

#[test]
fn randn_f32_37() {
    // torch.manual_seed(0); torch.randn(37, dtype=torch.float32)
    {
        let mut g = Generator::new(0);
        let mut o = vec![0f32; 37];
        g.normal(&mut o, 0.0, 1.0);
        check_f32(
            &o,
            &[
                0xbf901b85, 0xbf93808a, 0xbe804bd6, 0xbede255d, 0x3f594515, 0x3f312783, 0xbea1cc6d,
                0xc0075fc1, 0x3ea50138, 0xbfa1b4f4, 0x3eb330ff, 0x3e9dc3bb, 0x3df56f77, 0x3f9e6b93,
                0x3f8ef28e, 0xbe7d367c, 0xbfad23c2, 0xbfd91446, 0x3f111004, 0x3f4b235d, 0x3f194d8b,
                0x3de637d6, 0x3f240af8, 0x3ee1df3c, 0xbe5d0b42, 0xbf3e17a3, 0x3f100e82, 0x3e84ede2,
                0xbe3222d5, 0x40135755, 0xbfbc04b7, 0xbfcb189e, 0x3f9a033c, 0x3dad2087, 0xbf999e2b,
                0xbb9cd1ae, 0xbf04a08d,
            ],
        );
    }
    // torch.manual_seed(42); torch.randn(37, dtype=torch.float32)
    {
        let mut g = Generator::new(42);
        let mut o = vec![0f32; 37];
        g.normal(&mut o, 0.0, 1.0);
        check_f32(
            &o,
            &[
                0x3ff6a529, 0x3fbe5f53, 0x3f669567, 0xc006c0db, 0x3f2dacd5, 0xbf9e0591, 0xbd306786,
                0xbfcd65ba, 0xbf408bf0, 0x3fd3095b, 0xbec8f2f6, 0xbfb3a966, 0xbf3a566e, 0xbf0f36d1,
                0xbf44d2a0, 0x3f432f9f, 0x3fd23771, 0xbe236d85, 0xbefeaae4, 0x3ee111d8, 0xbf4214e2,
                0xbed95a8d, 0x3e9c8774, 0xbf464bb2, 0x3d0f003f, 0x3ea4679d, 0x3fc96bbb, 0xbf58708e,
                0x3fa7f9b2, 0x4007dbb6, 0xbf9e091d, 0xbef9cfd9, 0xbfb582fd, 0x3f6571d7, 0x3d4c6997,
                0x401111e8, 0x3f96e7dd,
            ],
        );
    }
}

#[test]
fn randn_f64_5() {
    // torch.manual_seed(0); torch.randn(5, dtype=torch.float64)
    {
        let mut g = Generator::new(0);
        let mut o = vec![0f64; 5];
        g.normal(&mut o, 0.0, 1.0);
        check_f64(
            &o,
            &[
                0x3ff8a7eb8902be3a,
                0xbfd2c78a087c6fea,
                0xc0016e2920a70ee5,
                0x3fe23096ca3e350d,
                0xbff15a341987e136,
            ],
        );
    }
    // torch.manual_seed(42); torch.randn(5, dtype=torch.float64)
    {
        let mut g = Generator::new(42);
        let mut o = vec![0f64; 5];
        g.normal(&mut o, 0.0, 1.0);
        check_f64(
            &o,
            &[
                0x3fd58c55b33d44cc,
                0x3fc07cd39b3d4b85,
                0x3fce02dcdb63ec41,
                0x3fcd7b8d7b0a7c22,
                0xbff1f7383f8320c1,
            ],
        );
    }
}

#[test]
fn randn_f64_37() {
    // torch.manual_seed(0); torch.randn(37, dtype=torch.float64)
    {
        let mut g = Generator::new(0);
        let mut o = vec![0f64; 37];
        g.normal(&mut o, 0.0, 1.0);
        check_f64(
            &o,
            &[
                0xc0027bb92e9262dc,
                0xbfd7e35794939460,
                0xbff0f91ae8d685b6,
                0x3feffbfb0ada994b,
                0xbfec49eece710105,
                0xbff468a3e5dc9291,
                0xbfe3f174ac92d21f,
                0xbfebb9e3bd0377c5,
                0xbff4bae386384915,
                0x3ff860cb8d864a6e,
                0x3fd4b6dacf0761e0,
                0x4000244d8bac2a66,
                0x3ff22c0028f12ffa,
                0xbff3a14e53b15145,
                0x3fb24683cd232da0,
                0x3fd5a213bee53bb6,
                0x3fc3a681547ffa4e,
                0xbfe443c91ccf2402,
                0xbff42cbf54f08f8e,
                0xbfe7432edfaba107,
                0xbf9471a3c0e2f22a,
                0xbff1e99db95d2a82,
                0x3ff2a9ecee4e86fd,
                0x3feda3b24012ae8b,
                0x3fe9811b26a8e089,
                0x3fcb17cfd889a214,
                0x3fc15a652be2e895,
                0xbfa15a69a261b2dc,
                0x3fdd7852f5c65d8e,
                0x3fcebe39d52b4666,
                0xbff594867157f914,
                0x3fcf487830a0303b,
                0xbf8c19996044bb77,
                0xbfc98cc32cd90443,
                0xbffa80b72e2f7848,
                0x3fed3ea78ba30557,
                0x3ff279a2c064800f,
            ],
        );
    }
    // torch.manual_seed(42); torch.randn(37, dtype=torch.float64)
    {
        let mut g = Generator::new(42);
        let mut o = vec![0f64; 37];
        g.normal(&mut o, 0.0, 1.0);
        check_f64(
            &o,
            &[
                0x3fd32bee22ccb503,
                0x3fcf063c46668b78,
                0x3fd22011e840abbd,
                0xbfcdd10ce0b8c5a4,
                0x3fe57a1651f4080f,
                0x3fe9043d03301e76,
                0xbffca51a01b5635e,
                0xbffbf975374a1832,
                0x3fc63479875eff86,
                0x3fd113f545630654,
                0x3fdb6cd4189ed584,
                0x3fcdadecf5c79cd4,
                0xbff057e37304749c,
                0xbfea78f0bc585a1c,
                0x3ffbbf5377e05516,
                0xbff7df87a7384c38,
                0x3fdaf4f50453b3d3,
                0x3ff812ba60e823bd,
                0x3ff4586fc50325b4,
                0x3fe3cc2503d82af8,
                0xbfa30c45c7145abe,
                0x3fc299da1478f7e5,
                0xbfe490a197c5ed36,
                0x3feba2a193fb0931,
                0xbff37a7e81c04e7a,
                0xbfdc74691d64e493,
                0xbfd11857c7112068,
                0xbfe9fa99419a36f4,
                0x4002c595264a0764,
                0xbfcb237c7fac2d57,
                0x3fe24c0307af6c60,
                0x3fe3e514ec46da84,
                0xbfffda3aac3af6cd,
                0xbfd018b7e9a3399a,
                0xbff05ac8c66b1333,
                0x3fc27448a0e201c6,
                0x3ff91cb329c887e9,
            ],
        );
    }
}

#[test]
fn randn_f16_5() {
    // torch.manual_seed(0); torch.randn(5, dtype=torch.float16)
    {
        let mut g = Generator::new(0);
        let mut o = vec![f16::ZERO; 5];
        g.normal(&mut o, 0.0, 1.0);
        check_f16(&o, &[0x3e2a, 0xb4b2, 0xc05c, 0x388c, 0xbc57]);
    }
    // torch.manual_seed(42); torch.randn(5, dtype=torch.float16)
    {
        let mut g = Generator::new(42);
        let mut o = vec![f16::ZERO; 5];
        g.normal(&mut o, 0.0, 1.0);
        check_f16(&o, &[0x3563, 0x301f, 0x3381, 0x335f, 0xbc7e]);
    }
}

#[test]
fn randn_f16_37() {
    // torch.manual_seed(0); torch.randn(37, dtype=torch.float16)
    {
        let mut g = Generator::new(0);
        let mut o = vec![f16::ZERO; 37];
        g.normal(&mut o, 0.0, 1.0);
        check_f16(
            &o,
            &[
                0xbc81, 0xbc9c, 0xb402, 0xb6f1, 0x3aca, 0x3989, 0xb50e, 0xc03b, 0x3528, 0xbd0e,
                0x359a, 0x34ee, 0x2fab, 0x3cf3, 0x3c78, 0xb3ea, 0xbd69, 0xbec9, 0x3889, 0x3a59,
                0x38ca, 0xb8e9, 0x280b, 0xb7e2, 0x33f3, 0x3709, 0x2f32, 0x3920, 0x370f, 0xae8c,
                0x3a57, 0xb4a2, 0x2ab9, 0x382f, 0x409b, 0xbde0, 0xbe59,
            ],
        );
    }
    // torch.manual_seed(42); torch.randn(37, dtype=torch.float16)
    {
        let mut g = Generator::new(42);
        let mut o = vec![f16::ZERO; 37];
        g.normal(&mut o, 0.0, 1.0);
        check_f16(
            &o,
            &[
                0x3fb5, 0x3df3, 0x3b35, 0xc036, 0x396d, 0xbcf0, 0xa983, 0xbe6b, 0xba04, 0x3e98,
                0xb648, 0xbd9d, 0xb9d3, 0xb87a, 0xba27, 0x3a19, 0x3e92, 0xb11b, 0xb7f5, 0x3709,
                0xba11, 0xbd8a, 0xbaf8, 0xb326, 0x3edf, 0x351a, 0xb6cb, 0x34e4, 0xba32, 0xbe3b,
                0x3bf7, 0xbb0a, 0xb8cf, 0xbd19, 0x403f, 0xbcf0, 0xb7ce,
            ],
        );
    }
}

#[test]
fn randn_bf16_5() {
    // torch.manual_seed(0); torch.randn(5, dtype=torch.bfloat16)
    {
        let mut g = Generator::new(0);
        let mut o = vec![bf16::ZERO; 5];
        g.normal(&mut o, 0.0, 1.0);
        check_bf16(&o, &[0x3fc5, 0xbe96, 0xc00b, 0x3f12, 0xbf8b]);
    }
    // torch.manual_seed(42); torch.randn(5, dtype=torch.bfloat16)
    {
        let mut g = Generator::new(42);
        let mut o = vec![bf16::ZERO; 5];
        g.normal(&mut o, 0.0, 1.0);
        check_bf16(&o, &[0x3eac, 0x3e04, 0x3e70, 0x3e6c, 0xbf90]);
    }
}

#[test]
fn randn_bf16_37() {
    // torch.manual_seed(0); torch.randn(37, dtype=torch.bfloat16)
    {
        let mut g = Generator::new(0);
        let mut o = vec![bf16::ZERO; 37];
        g.normal(&mut o, 0.0, 1.0);
        check_bf16(
            &o,
            &[
                0xbf90, 0xbf94, 0xbe80, 0xbede, 0x3f59, 0x3f31, 0xbea2, 0xc007, 0x3ea5, 0xbfa2,
                0x3eb3, 0x3e9e, 0x3df5, 0x3f9e, 0x3f8f, 0xbe7d, 0xbfad, 0xbfd9, 0x3f11, 0x3f4b,
                0x3f19, 0xbf1d, 0x3d01, 0xbefc, 0x3e7e, 0x3ee1, 0x3de6, 0x3f24, 0x3ee2, 0xbdd2,
                0x3f4b, 0xbe94, 0x3d57, 0x3f06, 0x4013, 0xbfbc, 0xbfcb,
            ],
        );
    }
    // torch.manual_seed(42); torch.randn(37, dtype=torch.bfloat16)
    {
        let mut g = Generator::new(42);
        let mut o = vec![bf16::ZERO; 37];
        g.normal(&mut o, 0.0, 1.0);
        check_bf16(
            &o,
            &[
                0x3ff7, 0x3fbe, 0x3f67, 0xc007, 0x3f2e, 0xbf9e, 0xbd30, 0xbfcd, 0xbf41, 0x3fd3,
                0xbec9, 0xbfb4, 0xbf3a, 0xbf0f, 0xbf45, 0x3f43, 0x3fd2, 0xbe23, 0xbeff, 0x3ee1,
                0xbf42, 0xbfb1, 0xbf5f, 0xbe65, 0x3fdc, 0x3ea3, 0xbed9, 0x3e9d, 0xbf46, 0xbfc7,
                0x3f7f, 0xbf61, 0xbf1a, 0xbfa3, 0x4008, 0xbf9e, 0xbefa,
            ],
        );
    }
}

#[test]
fn normal_mean_std_f32() {
    // torch.manual_seed(0); torch.empty(37, dtype=torch.float32).normal_(2.5, 0.3)
    {
        let mut g = Generator::new(0);
        let mut o = vec![0f32; 37];
        g.normal(&mut o, 2.5, 0.3);
        check_f32(
            &o,
            &[
                0x400a6246, 0x4009dfeb, 0x401b305b, 0x4017ab66, 0x40304b95, 0x402d495d, 0x4019eebc,
                0x3feec68c, 0x4026300c, 0x4007be75, 0x4026b83d, 0x4025ea8a, 0x40224d0c, 0x4037c356,
                0x4035712f, 0x401b4094, 0x40060770, 0x3ffee051, 0x402ae134, 0x402f3c41, 0x402b7f6a,
                0x40222886, 0x402c4d9f, 0x4028785f, 0x401bdafd, 0x4011be3a, 0x402acde3, 0x4024fc1f,
                0x401ca8f2, 0x404c33cd, 0x4003cc18, 0x4001891b, 0x40371a16, 0x40219f81, 0x4008f513,
                0x401fe87a, 0x40160d8f,
            ],
        );
    }
    // torch.manual_seed(42); torch.empty(37, dtype=torch.float32).normal_(2.5, 0.3)
    {
        let mut g = Generator::new(42);
        let mut o = vec![0f32; 37];
        g.normal(&mut o, 2.5, 0.3);
        check_f32(
            &o,
            &[
                0x4044ff2d, 0x403c8e4d, 0x40314b35, 0x3fef25e3, 0x402d0690, 0x40084bf7, 0x401f2c51,
                0x400130be, 0x40118f1b, 0x403fa7ce, 0x401876e4, 0x40050cfd, 0x40120651, 0x4015424a,
                0x40113d01, 0x402ea392, 0x403f8851, 0x401cef8c, 0x40167331, 0x402870ab, 0x401171a2,
                0x4017d967, 0x4025deae, 0x401120b9, 0x4020ab9a, 0x40262a49, 0x403e368f, 0x400fc45c,
                0x40393241, 0x4048c1ea, 0x40084b6f, 0x4016a1ce, 0x4004c5f4, 0x40313557, 0x4020f54c,
                0x404b855f, 0x4036a2c8,
            ],
        );
    }
}

#[test]
fn normal_mean_std_small_f32() {
    // torch.manual_seed(0); torch.empty(7, dtype=torch.float32).normal_(2.5, 0.3)
    {
        let mut g = Generator::new(0);
        let mut o = vec![0f32; 7];
        g.normal(&mut o, 2.5, 0.3);
        check_f32(
            &o,
            &[
                0x403d964e, 0x401a5dbd, 0x3fec55a1, 0x402ae9f4, 0x400b2d5b, 0x400525a0, 0x4027be88,
            ],
        );
    }
    // torch.manual_seed(42); torch.empty(7, dtype=torch.float32).normal_(2.5, 0.3)
    {
        let mut g = Generator::new(42);
        let mut o = vec![0f32; 7];
        g.normal(&mut o, 2.5, 0.3);
        check_f32(
            &o,
            &[
                0x402676e7, 0x40227920, 0x4024806e, 0x40246c22, 0x400a70f0, 0x401c6c29, 0x404a65c0,
            ],
        );
    }
}

#[test]
fn normal_mean_std_f64() {
    // torch.manual_seed(0); torch.empty(37, dtype=torch.float64).normal_(2.5, 0.3)
    {
        let mut g = Generator::new(0);
        let mut o = vec![0f64; 37];
        g.normal(&mut o, 2.5, 0.3);
        check_f64(
            &o,
            &[
                0x3ffce8f74a74f7e3,
                0x40031aacb73a773c,
                0x4001743bf6ac9f25,
                0x400666193a69feb2,
                0x4001e0dae3b78653,
                0x4000f04dd0b8839d,
                0x400281173fdb6371,
                0x4001eba8850623d1,
                0x4000e3f778aac1d6,
                0x4007a81e886dbe5d,
                0x4004c6db67c37a12,
                0x4008d7b0dd1a0cb8,
                0x4006b9ccd2f0fa65,
                0x40010e34403f009c,
                0x40042bdc6f85ee07,
                0x4004cfad8a5bcbd7,
                0x40045e526cc8ccb1,
                0x40027aea843d43b3,
                0x4000f949b34250de,
                0x4002415c7c0653ec,
                0x4003f3bbd0f2ab08,
                0x40015028576539a0,
                0x4006ccb056f22dd9,
                0x40063913c4ce337e,
                0x4005e9aed619773d,
                0x4004820be5a8fb0a,
                0x4004534b7f390df6,
                0x4003eb2d1ad6bdf6,
                0x40051ae982d109e9,
                0x400493911598cfb8,
                0x4000c3523bcc6770,
                0x40049628a74fcdb4,
                0x4003f791eb9651c8,
                0x4003855c5728bb1f,
                0x4000064aec45adf5,
                0x4006317fc412a067,
                0x4006c57203424669,
            ],
        );
    }
    // torch.manual_seed(42); torch.empty(37, dtype=torch.float64).normal_(2.5, 0.3)
    {
        let mut g = Generator::new(42);
        let mut o = vec![0f64; 37];
        g.normal(&mut o, 2.5, 0.3);
        check_f64(
            &o,
            &[
                0x4004b80c214e1397,
                0x400494eabaeb85d1,
                0x4004ae00abe8d33d,
                0x400370e15bc955e5,
                0x40059c5b4625809b,
                0x4005e051603d357c,
                0x3fff6811cc499564,
                0x3fff9b9009035f24,
                0x40046a957a89c7fe,
                0x4004a3f2cc33b6a3,
                0x40050747f41f8e68,
                0x40048e760b02248a,
                0x40018c6aaebf54e9,
                0x400203babeac92d8,
                0x4008297fb861a65d,
                0x40006b4540845af8,
                0x400502c9302989f2,
                0x40079c68c1bc6bc3,
                0x40070d43f726df41,
                0x40057c1c6049d006,
                0x4003e92479111ac6,
                0x40045948e39577d9,
                0x40027527149df49c,
                0x40061298eb193a4a,
                0x400114069fbcc107,
                0x4002eed5a87f6aa1,
                0x40035be31bbc2863,
                0x40020d34817ad57b,
                0x4009a1acbeafcf04,
                0x40037dbc10ce5f26,
                0x40055f4d06f9f4ee,
                0x40057dfb2b521d30,
                0x3ffe71bb32bb1c5c,
                0x400365791a704771,
                0x40018bfb7bd656b8,
                0x400458948fd109a2,
                0x4007c44e13114796,
            ],
        );
    }
}

#[test]
fn normal_mean_std_small_f64() {
    // torch.manual_seed(0); torch.empty(7, dtype=torch.float64).normal_(2.5, 0.3)
    {
        let mut g = Generator::new(0);
        let mut o = vec![0f64; 7];
        g.normal(&mut o, 2.5, 0.3);
        check_f64(
            &o,
            &[
                0x4007b2c9baf39c89,
                0x40034bb79fae889a,
                0x3ffd8ab41f9bc3dd,
                0x40055d3e825e43fb,
                0x400165ab6292049e,
                0x4000a4b3f717b5cc,
                0x4004f7d0f93ed480,
            ],
        );
    }
    // torch.manual_seed(42); torch.empty(7, dtype=torch.float64).normal_(2.5, 0.3)
    {
        let mut g = Generator::new(42);
        let mut o = vec![0f64; 7];
        g.normal(&mut o, 2.5, 0.3);
        check_f64(
            &o,
            &[
                0x4004cedcd0524c2e,
                0x40044f23f7b5f304,
                0x4004900dbdb6ac6e,
                0x40048d8440b4ff21,
                0x40014e1df679217d,
                0x40038d8517b3bbec,
                0x40094cb809de6a78,
            ],
        );
    }
}

#[test]
fn randn_cached_across_calls() {
    // torch.manual_seed(0); torch.cat([torch.randn(3, dtype=torch.float64), torch.randn(3, dtype=torch.float64)])
    {
        let mut g = Generator::new(0);
        let mut o = vec![0f64; 6];
        g.normal(&mut o[..3], 0.0, 1.0);
        g.normal(&mut o[3..], 0.0, 1.0);
        check_f64(
            &o,
            &[
                0x3ff8a7eb8902be3a,
                0xbfd2c78a087c6fea,
                0xc0016e2920a70ee5,
                0x3fe23096ca3e350d,
                0xbff15a341987e136,
                0xbff660a590b74404,
            ],
        );
    }
    // torch.manual_seed(42); torch.cat([torch.randn(3, dtype=torch.float64), torch.randn(3, dtype=torch.float64)])
    {
        let mut g = Generator::new(42);
        let mut o = vec![0f64; 6];
        g.normal(&mut o[..3], 0.0, 1.0);
        g.normal(&mut o[3..], 0.0, 1.0);
        check_f64(
            &o,
            &[
                0x3fd58c55b33d44cc,
                0x3fc07cd39b3d4b85,
                0x3fce02dcdb63ec41,
                0x3fcd7b8d7b0a7c22,
                0xbff1f7383f8320c1,
                0xbfc7d99b0fe3842e,
            ],
        );
    }
}
