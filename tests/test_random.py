"""Random sampling matches PyTorch's CPU generator bit for bit.

EXPECTED below was produced by running CASES with real torch (2.x, CPU):

    import torch as T; {name: f(T) for name, f in CASES.items()}

(tensors recorded as [dtype name, shape, values]). torch itself is not imported here.
"""

import hashlib
import pickle
import re
import threading

import pytest

import rstorch as torch


# --- CASES BEGIN (evaluated with real torch to produce EXPECTED; keep torch-free) ---
def _seeded(seed, f):
    def run(T):
        T.manual_seed(seed)
        return f(T)
    return run


def _t_view(fn):
    """Fill the transposed (non-contiguous) view of a 4x6 buffer; return the buffer."""
    def run(T):
        base = T.zeros(4, 6)
        fn(T, base.t())
        return base
    return run


def _strided_view(fn):
    def run(T):
        base = T.zeros(5, 8, 3)
        fn(T, base[1:4, ::2, :].permute(2, 0, 1))
        return base
    return run


def _generators(T):
    g = T.Generator().manual_seed(42)
    T.manual_seed(0)
    a = T.rand(3, generator=g)
    b = T.rand(3)
    c = T.randn(3, generator=g)
    return [a.tolist(), b.tolist(), c.tolist(), g.initial_seed()]


CASES = {
    "rand5": _seeded(0, lambda T: T.rand(5)),
    "rand_2x3_tuple": _seeded(0, lambda T: T.rand((2, 3))),
    "rand_f64": _seeded(1, lambda T: T.rand(6, dtype=T.float64)),
    "rand_f16": _seeded(1, lambda T: T.rand(20, dtype=T.float16)),
    "rand_bf16": _seeded(1, lambda T: T.rand(20, dtype=T.bfloat16).float()),
    "randn5": _seeded(0, lambda T: T.randn(5)),
    "randn_3x7": _seeded(0, lambda T: T.randn(3, 7)),
    "randn_16": _seeded(2, lambda T: T.randn(16)),
    "randn_33": _seeded(2, lambda T: T.randn(33)),
    "randn_f64_20": _seeded(2, lambda T: T.randn(20, dtype=T.float64)),
    "randn_f64_7": _seeded(2, lambda T: T.randn(7, dtype=T.float64)),
    "randn_f16_18": _seeded(2, lambda T: T.randn(18, dtype=T.float16)),
    "randn_bf16_17": _seeded(2, lambda T: T.randn(17, dtype=T.bfloat16).float()),
    "randn_0d": _seeded(3, lambda T: T.randn(())),
    "uniform_range": _seeded(3, lambda T: T.zeros(10).uniform_(-3, 5)),
    "uniform_range_f64": _seeded(3, lambda T: T.zeros(10, dtype=T.float64).uniform_(-3, 5)),
    "normal_mean_std_20": _seeded(3, lambda T: T.zeros(20).normal_(2, 3)),
    "normal_mean_std_7": _seeded(3, lambda T: T.zeros(7).normal_(2, 3)),
    "normal_mean_std_f64_15": _seeded(3, lambda T: T.zeros(15, dtype=T.float64).normal_(0.3, 1.7)),
    "randint_high": _seeded(4, lambda T: T.randint(10, (6,))),
    "randint_low_high": _seeded(4, lambda T: T.randint(-5, 100, (2, 3))),
    "randint_2_28": _seeded(4, lambda T: T.randint(0, 2 ** 28, (4,))),
    "randint_2_40": _seeded(4, lambda T: T.randint(-3, 2 ** 40, (4,))),
    "randint_f32": _seeded(4, lambda T: T.randint(0, 10, (5,), dtype=T.float32)),
    "randint_i8": _seeded(4, lambda T: T.randint(-100, 100, (5,), dtype=T.int8)),
    "randint_bool": _seeded(4, lambda T: T.randint(0, 2, (6,), dtype=T.bool)),
    "randint_like": _seeded(4, lambda T: T.randint_like(T.zeros(2, 3, dtype=T.int32), 3, 9)),
    "randperm10": _seeded(0, lambda T: T.randperm(10)),
    "randperm_f32": _seeded(5, lambda T: T.randperm(12, dtype=T.float32)),
    "randperm_1000_head": _seeded(5, lambda T: T.randperm(1000)[:16]),
    "bernoulli_probs": _seeded(6, lambda T: T.bernoulli(T.tensor([0.0, 0.2, 0.5, 0.8, 1.0, 0.3]))),
    "bernoulli_probs_f64": _seeded(6, lambda T: T.bernoulli(T.tensor([0.1, 0.5, 0.9, 0.4], dtype=T.float64))),
    "bernoulli_p": _seeded(6, lambda T: T.bernoulli(T.zeros(8), 0.4)),
    "bernoulli__int": _seeded(6, lambda T: T.zeros(8, dtype=T.int64).bernoulli_(0.7)),
    "bernoulli__broadcast": _seeded(6, lambda T: T.zeros(3, 4).bernoulli_(T.tensor([0.2, 0.9, 0.5, 0.1]))),
    "bernoulli_method": _seeded(6, lambda T: T.rand(8).bernoulli()),
    "multinomial_1": _seeded(7, lambda T: T.multinomial(T.tensor([[0.1, 0.0, 0.5, 0.4], [1.0, 1.0, 1.0, 1.0]]), 1)),
    "multinomial_3": _seeded(7, lambda T: T.multinomial(T.tensor([[0.1, 0.0, 0.5, 0.4], [1.0, 1.0, 1.0, 1.0]]), 3)),
    "multinomial_1d": _seeded(7, lambda T: T.multinomial(T.arange(1, 21, dtype=T.float32), 6)),
    "multinomial_replacement": _seeded(7, lambda T: T.multinomial(T.tensor([0.1, 0.0, 0.5, 0.4]), 10, True)),
    "multinomial_replacement_f64": _seeded(7, lambda T: T.multinomial(T.tensor([[1.0, 2.0, 3.0], [3.0, 0.0, 1.0]], dtype=T.float64), 5, replacement=True)),
    "multinomial_method": _seeded(7, lambda T: T.tensor([0.3, 0.3, 0.4]).multinomial(2)),
    "normal_float_float_size": _seeded(8, lambda T: T.normal(2.0, 3.0, (2, 10))),
    "normal_float_float_small": _seeded(8, lambda T: T.normal(2.0, 3.0, size=(3,))),
    "normal_tensor_tensor": _seeded(8, lambda T: T.normal(T.arange(20.0), T.arange(20.0) / 10)),
    "normal_tensor_tensor_bcast": _seeded(8, lambda T: T.normal(T.arange(4.0).reshape(4, 1), T.ones(5) * 0.5)),
    "normal_tensor_float": _seeded(8, lambda T: T.normal(T.arange(20.0), 0.3)),
    "normal_tensor_default_std": _seeded(8, lambda T: T.normal(T.arange(5.0))),
    "normal_float_tensor": _seeded(8, lambda T: T.normal(1.5, T.arange(20.0) / 7)),
    "normal_f64_tensor_tensor": _seeded(8, lambda T: T.normal(T.arange(20.0, dtype=T.float64), T.ones(20) / 3)),
    "exponential": _seeded(9, lambda T: T.zeros(10).exponential_(2.5)),
    "exponential_f64": _seeded(9, lambda T: T.zeros(5, dtype=T.float64).exponential_()),
    "geometric": _seeded(9, lambda T: T.zeros(10).geometric_(0.3)),
    "geometric_int": _seeded(9, lambda T: T.zeros(10, dtype=T.int64).geometric_(0.3)),
    "log_normal": _seeded(9, lambda T: T.zeros(9, dtype=T.float64).log_normal_(0.5, 0.7)),
    "cauchy": _seeded(9, lambda T: T.zeros(9).cauchy_(1, 2)),
    "random__f32": _seeded(10, lambda T: T.zeros(5).random_()),
    "random__i64": _seeded(10, lambda T: T.zeros(5, dtype=T.int64).random_()),
    "random__u8": _seeded(10, lambda T: T.zeros(5, dtype=T.uint8).random_()),
    "random__bool": _seeded(10, lambda T: T.zeros(5, dtype=T.bool).random_()),
    "random__to": _seeded(10, lambda T: T.zeros(5, dtype=T.int64).random_(7)),
    "random__from_to": _seeded(10, lambda T: T.zeros(5, dtype=T.int32).random_(3, 9)),
    "random__from_none_i64": _seeded(10, lambda T: T.zeros(5, dtype=T.int64).random_(-100, None)),
    "random__from_none_i16": _seeded(10, lambda T: T.zeros(5, dtype=T.int16).random_(-100, None)),
    "random__full_range": _seeded(10, lambda T: T.zeros(5, dtype=T.int64).random_(-2 ** 63, None)),
    "view_uniform_": _seeded(11, _t_view(lambda T, v: v.uniform_())),
    "view_normal_": _seeded(11, _t_view(lambda T, v: v.normal_())),
    "view_random_": _seeded(11, _t_view(lambda T, v: v.random_(10))),
    "view_bernoulli_": _seeded(11, _t_view(lambda T, v: v.bernoulli_(0.5))),
    "view_bernoulli_tensor": _seeded(11, _t_view(lambda T, v: v.bernoulli_(T.rand(6, 4)))),
    "view_exponential_": _seeded(11, _t_view(lambda T, v: v.exponential_())),
    "strided_uniform_": _seeded(12, _strided_view(lambda T, v: v.uniform_())),
    "strided_normal_": _seeded(12, _strided_view(lambda T, v: v.normal_(1, 2))),
    "strided_bernoulli_bcast": _seeded(12, _strided_view(lambda T, v: v.bernoulli_(T.rand(3, 1, 4)))),
    "rand_like_transposed": _seeded(13, lambda T: T.rand_like(T.zeros(3, 5).t()).contiguous()),
    "randn_like_transposed": _seeded(13, lambda T: T.randn_like(T.zeros(6, 5).t()).contiguous()),
    "generators": _generators,
    "seed_negative": lambda T: [T.manual_seed(-1).initial_seed(), T.rand(2).tolist()],
    "seed_large": lambda T: [T.manual_seed(2 ** 64 - 1).initial_seed(), T.rand(2).tolist()],
    "seed_2_32_plus_5": lambda T: [T.manual_seed(2 ** 32 + 5).initial_seed(), T.rand(2).tolist()],
}
# --- CASES END ---


EXPECTED = {'bernoulli__broadcast': ['float32', [3, 4],
                          [[0.0, 1.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 1.0, 1.0, 0.0]]],
 'bernoulli__int': ['int64', [8], [1, 0, 0, 1, 1, 1, 1, 0]],
 'bernoulli_method': ['float32', [8], [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0]],
 'bernoulli_p': ['float32', [8], [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0]],
 'bernoulli_probs': ['float32', [6], [0.0, 0.0, 0.0, 1.0, 1.0, 0.0]],
 'bernoulli_probs_f64': ['float64', [4], [0.0, 0.0, 1.0, 1.0]],
 'cauchy': ['float32', [9],
            [-1.0473523139953613, 4.615666389465332, -0.06930731236934662, -6.50651741027832,
             -13.5380859375, 1.7070485353469849, -4.855653762817383, -4.490009307861328,
             -2.801244020462036]],
 'exponential': ['float32', [10],
                 [0.11309164762496948, 0.7309670448303223, 0.16846388578414917, 0.03460831195116043,
                  0.017796754837036133, 0.3747659921646118, 0.04426739737391472,
                  0.047154683619737625, 0.06697531044483185, 0.3481642007827759]],
 'exponential_f64': ['float64', [5],
                     [0.28272912601077765, 1.827417616951844, 0.4211597029361775,
                      0.08652077966768147, 0.044491889361617264]],
 'generators': [[0.8822692632675171, 0.9150039553642273, 0.38286375999450684],
                [0.49625658988952637, 0.7682217955589294, 0.08847743272781372],
                [-0.829319179058075, -1.6137069463729858, -0.21470452845096588], 42],
 'geometric': ['float32', [10], [4.0, 1.0, 3.0, 7.0, 9.0, 2.0, 7.0, 7.0, 6.0, 2.0]],
 'geometric_int': ['int64', [10], [4, 1, 3, 7, 9, 2, 7, 7, 6, 2]],
 'log_normal': ['float64', [9],
                [1.7011581384882437, 6.283124134401806, 1.4025308791050086, 2.1004460063798325,
                 4.147972916842811, 2.1355963180428037, 2.15734454038486, 2.029778730971138,
                 2.781806630903244]],
 'multinomial_1': ['int64', [2, 1], [[3], [2]]],
 'multinomial_1d': ['int64', [6], [16, 13, 11, 10, 18, 14]],
 'multinomial_3': ['int64', [2, 3], [[3, 0, 2], [2, 3, 1]]],
 'multinomial_method': ['int64', [2], [1, 0]],
 'multinomial_replacement': ['int64', [10], [2, 2, 3, 3, 3, 3, 2, 2, 3, 3]],
 'multinomial_replacement_f64': ['int64', [2, 5], [[1, 1, 2, 2, 2], [2, 0, 0, 2, 2]]],
 'normal_f64_tensor_tensor': ['float64', [20],
                              [-0.5389784546745777, 0.9901600168320754, 1.8895752202218374,
                               3.1331035104589233, 3.4240839987443614, 5.078976267678828,
                               6.358068436789079, 6.998821955985379, 8.079113908539483,
                               9.297675606652733, 9.904240508219415, 10.954998839896813,
                               11.980521135889619, 12.257083504394846, 13.460412068124167,
                               15.534763032468682, 16.26485063001586, 16.99989267453046,
                               17.824742960378554, 18.719250414501126]],
 'normal_float_float_size': ['float32', [2, 10],
                             [[-1.5676051378250122, 6.179704666137695, 8.317693710327148,
                               0.9362980127334595, 0.8156297206878662, -1.3954548835754395,
                               3.2517707347869873, 0.29456692934036255, 7.293159484863281,
                               0.8750091791152954],
                              [0.9937642812728882, 5.262655258178711, 0.5934109687805176,
                               3.1501708030700684, 2.682993173599243, 5.631895065307617,
                               2.1066854000091553, 2.5842645168304443, 4.691460132598877,
                               1.0045454502105713]]],
 'normal_float_float_small': ['float32', [3],
                              [2.8138294219970703, -1.8187549114227295, 3.5080912113189697]],
 'normal_float_tensor': ['float32', [20],
                         [1.5, 1.699033498764038, 2.101685047149658, 1.348042607307434,
                          1.2744057178497314, 0.6915583610534668, 1.8576488494873047,
                          0.9315223097801208, 3.516441822052002, 1.0178611278533936,
                          1.0208401679992676, 3.2090096473693848, 0.6962348222732544,
                          2.212010383605957, 1.9553288221359253, 4.094210624694824,
                          1.5812840461730957, 1.9729760885238647, 3.8069655895233154,
                          0.59935063123703]],
 'normal_mean_std_20': ['float32', [20],
                        [1.7700670957565308, 3.0796446800231934, -0.3460504412651062,
                         2.214583158493042, 5.138068199157715, 3.566560983657837, 1.499572515487671,
                         2.159100294113159, 3.2138214111328125, 3.8338990211486816,
                         4.2811713218688965, 1.8990702629089355, 4.993767261505127,
                         3.3775413036346436, 9.30919075012207, 1.5595754384994507,
                         3.4553420543670654, 2.6157031059265137, 3.015284538269043,
                         6.058261871337891]],
 'normal_mean_std_7': ['float32', [7],
                       [4.409828186035156, 2.5245001316070557, 2.266934394836426,
                        0.15884597599506378, 2.138547420501709, -2.1047775745391846,
                        3.0124852657318115]],
 'normal_mean_std_f64_15': ['float64', [15],
                            [1.6655693327637962, 0.597216768574476, 0.4512627615439942,
                             -0.7433206131399083, 0.3785101678640922, -2.026040602032172,
                             0.8737416675017878, 2.0188969470045706, -2.1398048492528,
                             1.9616340601310025, 1.1874848950672408, 2.4044583839702334,
                             -1.1698804569497268, 0.8082334354891151, 1.0126717137753054]],
 'normal_tensor_default_std': ['float32', [5],
                               [0.2712765038013458, -0.27291834354400635, 2.502696990966797,
                                3.4180808067321777, 3.3605799674987793]],
 'normal_tensor_float': ['float32', [20],
                         [-0.35676053166389465, 1.4179704189300537, 2.6317694187164307,
                          2.893629789352417, 3.8815629482269287, 4.660454750061035,
                          6.125176906585693, 6.829456806182861, 8.529315948486328,
                          8.887500762939453, 9.89937686920166, 11.326265335083008,
                          11.85934066772461, 13.11501693725586, 14.068299293518066,
                          15.363189697265625, 16.01066780090332, 17.058425903320312,
                          18.269145965576172, 18.900455474853516]],
 'normal_tensor_tensor': ['float32', [20],
                          [0.0, 1.1393234729766846, 2.4211795330047607, 2.893629789352417,
                           3.8420839309692383, 4.434090614318848, 6.250354290008545,
                           6.602065563201904, 9.41150951385498, 8.66250228881836, 9.66458797454834,
                           12.196307182312012, 11.43736457824707, 13.498407363891602,
                           14.318730354309082, 16.815946578979492, 16.05689811706543,
                           17.331083297729492, 19.61487579345703, 18.369544982910156]],
 'normal_tensor_tensor_bcast': ['float32', [4, 5],
                                [[-0.5946008563041687, 0.6966174244880676, 1.0529489517211914,
                                  -0.1772836595773697, -0.19739504158496857],
                                 [0.43409085273742676, 1.2086284160614014, 0.7157611846923828,
                                  1.8821932077407837, 0.8125015497207642],
                                 [1.83229398727417, 2.543775796890259, 1.765568494796753,
                                  2.191695213317871, 2.1138322353363037],
                                 [3.605315685272217, 3.0177807807922363, 3.097377300262451,
                                  3.4485766887664795, 2.8340909481048584]]],
 'rand5': ['float32', [5],
           [0.49625658988952637, 0.7682217955589294, 0.08847743272781372, 0.13203048706054688,
            0.30742281675338745]],
 'rand_2x3_tuple': ['float32', [2, 3],
                    [[0.49625658988952637, 0.7682217955589294, 0.08847743272781372],
                     [0.13203048706054688, 0.30742281675338745, 0.6340786814689636]]],
 'rand_bf16': ['float32', [20],
               [0.7578125, 0.279296875, 0.40234375, 0.734375, 0.029296875, 0.80078125, 0.396484375,
                0.75390625, 0.5703125, 0.439453125, 0.640625, 0.5234375, 0.68359375, 0.3046875,
                0.462890625, 0.455078125, 0.57421875, 0.498046875, 0.9375, 0.65625]],
 'rand_f16': ['float16', [20],
              [0.7578125, 0.279296875, 0.403076171875, 0.73486328125, 0.0292816162109375,
               0.7998046875, 0.397216796875, 0.75439453125, 0.5693359375, 0.438720703125,
               0.638671875, 0.52490234375, 0.6826171875, 0.30517578125, 0.463623046875, 0.455078125,
               0.572265625, 0.498046875, 0.93701171875, 0.65576171875]],
 'rand_f64': ['float64', [6],
              [0.06105327471962363, 0.2245545065676504, 0.23425251394483937, 0.17709922744775553,
               0.5560680561489946, 0.1094438536552077]],
 'rand_like_transposed': ['float32', [5, 3],
                          [[0.09181702136993408, 0.6035672426223755, 0.08300608396530151],
                           [0.47938060760498047, 0.2317955493927002, 0.4253479242324829],
                           [0.8105512857437134, 0.8632903695106506, 0.9148705005645752],
                           [0.015107154846191406, 0.985884428024292, 0.4798964262008667],
                           [0.01530301570892334, 0.19750559329986572, 0.5347863435745239]]],
 'randint_2_28': ['int64', [4], [110043310, 204849861, 185203048, 199868872]],
 'randint_2_40': ['int64', [4], [527805477599, 786693192839, 557676688352, 376241964859]],
 'randint_bool': ['bool', [6], [False, False, True, True, True, False]],
 'randint_f32': ['float32', [5], [0.0, 4.0, 1.0, 3.0, 9.0]],
 'randint_high': ['int64', [6], [0, 4, 1, 3, 9, 6]],
 'randint_i8': ['int8', [5], [30, -6, -69, 73, -11]],
 'randint_like': ['int32', [2, 3], [[7, 3, 4], [8, 6, 5]]],
 'randint_low_high': ['int64', [2, 3], [[5, 64, 56], [33, 94, 51]]],
 'randn5': ['float32', [5],
            [1.5409960746765137, -0.293428897857666, -2.1787893772125244, 0.5684312582015991,
             -1.0845223665237427]],
 'randn_0d': ['float32', [], 0.8032760620117188],
 'randn_16': ['float32', [16],
              [-1.0408011674880981, 0.9166041612625122, -1.3041903972625732, -1.1096783876419067,
               -1.218778133392334, 1.1675924062728882, -1.0573921203613281, -0.11883937567472458,
               -0.907839834690094, 0.34522223472595215, -0.5713338851928711, -0.23510892689228058,
               1.0076051950454712, -0.7528814673423767, -0.22499920427799225,
               -0.4326860308647156]],
 'randn_33': ['float32', [33],
              [-1.0408011674880981, 0.9166041612625122, -1.3041903972625732, -1.1096783876419067,
               -1.218778133392334, 1.1675924062728882, -1.0573921203613281, -0.11883937567472458,
               -0.907839834690094, 0.34522223472595215, -0.5713338851928711, -0.23510892689228058,
               1.0076051950454712, -0.7528814673423767, -0.22499920427799225, -0.4326860308647156,
               -1.5071438550949097, 1.8298852443695068, -0.27840104699134827, -0.2719452977180481,
               -1.2944105863571167, -0.02431253343820572, -0.23535971343517303, -0.7087094783782959,
               -0.8663250207901001, 0.42960163950920105, -1.1873589754104614, -0.7467759251594543,
               -0.9319812059402466, -0.8578645586967468, -0.9647331237792969, -0.0991455465555191,
               -0.29936546087265015]],
 'randn_3x7': ['float32', [3, 7],
               [[-1.1258398294448853, -1.152360200881958, -0.2505785822868347, -0.4338788092136383,
                 0.8487103581428528, -1.5550950765609741, -0.3413603901863098],
                [1.85300612449646, 0.46809640526771545, -0.1577124446630478, 1.4436601400375366,
                 0.26604941487312317, 0.16645534336566925, 1.586334228515625],
                [0.946298360824585, -0.843676745891571, 0.9318265914916992, 1.2590092420578003,
                 2.0049805641174316, 0.05373690277338028, 0.6180566549301147]]],
 'randn_bf16_17': ['float32', [17],
                   [-1.0390625, -1.5078125, -0.458984375, -0.84765625, 0.52734375, 0.0299072265625,
                    -0.0498046875, 1.0625, 0.88671875, 0.46484375, -0.498046875, 0.12890625,
                    2.765625, 0.140625, 1.1171875, 0.314453125, 1.75]],
 'randn_f16_18': ['float16', [18],
                  [-1.041015625, 0.91650390625, -1.5068359375, -0.45849609375, -0.84814453125,
                   0.5263671875, 0.0299224853515625, -0.049835205078125, 1.0654296875,
                   0.88623046875, 0.464111328125, -0.49853515625, 0.12890625, 2.763671875,
                   0.1405029296875, 1.119140625, 0.315185546875, 1.7529296875]],
 'randn_f64_20': ['float64', [20],
                  [-0.7860438449599233, -0.4388945769312437, 1.366371567034203, -0.5094422054806915,
                   0.6354552054724681, -1.4711947512059713, 1.750044398740185, 0.7416545467936133,
                   -0.9921359914959428, -0.24995242917428942, -0.32011125949334185,
                   -0.13852694221735581, 1.5235730700890506, 0.5376904253604189, 0.3198383473926968,
                   1.3516594875327341, -0.3430023542883952, 0.4755711966122096, -2.004520340744039,
                   0.1759511928639901]],
 'randn_f64_7': ['float64', [7],
                 [0.39229682477920974, -0.22356401839813858, -0.31950026476687593,
                  -1.2050371108761633, 1.0444635443343404, -0.6332277352132832,
                  0.5731067383666415]],
 'randn_like_transposed': ['float32', [5, 6],
                           [[-0.11165934801101685, -0.962236225605011, 0.021485142409801483,
                             -0.5473131537437439, -0.024782538414001465, 0.7068911790847778],
                            [-1.145609736442566, -0.3391095697879791, -0.7127869725227356,
                             1.2460887432098389, -0.7706829309463501, 0.9999092817306519],
                            [1.4103161096572876, 0.7329881191253662, 0.3897313177585602,
                             -1.480911374092102, 1.0207524299621582, -0.8293790817260742],
                            [1.3653955459594727, 1.5198860168457031, -0.6726956367492676,
                             -0.343855619430542, 0.8831108212471008, 1.7844253778457642],
                            [1.1205719709396362, 0.23226401209831238, -0.7051618695259094,
                             1.9812793731689453, -0.4406026005744934, -2.4620864391326904]]],
 'random__bool': ['bool', [5], [True, True, False, True, False]],
 'random__f32': ['float32', [5], [7685188.0, 8100913.0, 5242847.0, 10318225.0, 3589278.0]],
 'random__from_none_i16': ['int16', [5], [31117, 2585, 23684, 21495, 27932]],
 'random__from_none_i64': ['int64', [5],
                           [5004982467132365749, 382805850191655339, 2465374726603238569,
                            4589621550935188436, 9195831304603865721]],
 'random__from_to': ['int32', [5], [8, 6, 3, 4, 3]],
 'random__full_range': ['int64', [5],
                        [-4218389569722409859, 382805850191655439, -6757997310251537039,
                         -4633750485919587172, 9195831304603865821]],
 'random__i64': ['int64', [5],
                 [5004982467132365949, 382805850191655439, 2465374726603238769, 4589621550935188636,
                  9195831304603865821]],
 'random__to': ['int64', [5], [2, 0, 4, 1, 2]],
 'random__u8': ['uint8', [5], [9, 125, 228, 15, 64]],
 'randperm10': ['int64', [10], [4, 1, 7, 5, 3, 9, 0, 8, 6, 2]],
 'randperm_1000_head': ['int64', [16],
                        [411, 49, 291, 695, 678, 515, 112, 606, 6, 942, 479, 903, 259, 897, 174,
                         148]],
 'randperm_f32': ['float32', [12], [11.0, 0.0, 9.0, 6.0, 10.0, 3.0, 4.0, 5.0, 8.0, 7.0, 1.0, 2.0]],
 'seed_2_32_plus_5': [4294967301, [0.8302518725395203, 0.12611091136932373]],
 'seed_large': [18446744073709551615, [0.9937993884086609, 0.5713063478469849]],
 'seed_negative': [18446744073709551615, [0.9937993884086609, 0.5713063478469849]],
 'strided_bernoulli_bcast': ['float32', [5, 8, 3],
                             [[[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0],
                               [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
                              [[0.0, 0.0, 1.0], [0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0],
                               [1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 0.0]],
                              [[0.0, 1.0, 1.0], [0.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0],
                               [1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 1.0], [0.0, 0.0, 0.0]],
                              [[0.0, 1.0, 1.0], [0.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0],
                               [1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 1.0], [0.0, 0.0, 0.0]],
                              [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0],
                               [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0],
                               [0.0, 0.0, 0.0]]]],
 'strided_normal_': ['float32', [5, 8, 3],
                     [[[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0],
                       [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
                      [[0.5723723769187927, -1.755925178527832, 0.8907642364501953],
                       [0.0, 0.0, 0.0], [1.903091549873352, 2.5716607570648193, -1.176875352859497],
                       [0.0, 0.0, 0.0],
                       [-0.11975903809070587, -0.8672444820404053, 1.095850944519043],
                       [0.0, 0.0, 0.0], [0.8312932252883911, 0.7058940529823303, 2.51806902885437],
                       [0.0, 0.0, 0.0]],
                      [[1.2932369709014893, -1.0081090927124023, -0.5763399600982666],
                       [0.0, 0.0, 0.0],
                       [-0.6148746609687805, 0.40861815214157104, 0.7076364159584045],
                       [0.0, 0.0, 0.0], [1.7281806468963623, 1.866186499595642, 2.1790366172790527],
                       [0.0, 0.0, 0.0],
                       [-1.513630986213684, 1.8821967840194702, 0.4435224235057831],
                       [0.0, 0.0, 0.0]],
                      [[0.48248177766799927, 0.055228784680366516, 3.1115405559539795],
                       [0.0, 0.0, 0.0],
                       [2.1366679668426514, 2.9325928688049316, 1.9655474424362183],
                       [0.0, 0.0, 0.0], [4.91463565826416, 0.2680955231189728, 0.5468102097511292],
                       [0.0, 0.0, 0.0],
                       [1.5610039234161377, 1.9189146757125854, 2.1718382835388184],
                       [0.0, 0.0, 0.0]],
                      [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0],
                       [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]]],
 'strided_uniform_': ['float32', [5, 8, 3],
                      [[[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0],
                        [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
                       [[0.46568745374679565, 0.23276680707931519, 0.4527209997177124],
                        [0.0, 0.0, 0.0],
                        [0.5871122479438782, 0.40864473581314087, 0.1271744966506958],
                        [0.0, 0.0, 0.0],
                        [0.6372835040092468, 0.2420617938041687, 0.7311904430389404],
                        [0.0, 0.0, 0.0],
                        [0.722437858581543, 0.19923532009124756, 0.694827139377594],
                        [0.0, 0.0, 0.0]],
                       [[0.5830032825469971, 0.6318286061286926, 0.5558860898017883],
                        [0.0, 0.0, 0.0],
                        [0.12624889612197876, 0.9790288209915161, 0.8442656397819519],
                        [0.0, 0.0, 0.0],
                        [0.1255868673324585, 0.4456220865249634, 0.6600570678710938],
                        [0.0, 0.0, 0.0],
                        [0.05538111925125122, 0.15729379653930664, 0.8136718273162842],
                        [0.0, 0.0, 0.0]],
                       [[0.7216346859931946, 0.2717334032058716, 0.300298273563385],
                        [0.0, 0.0, 0.0],
                        [0.6099416613578796, 0.5783652067184448, 0.6083433628082275],
                        [0.0, 0.0, 0.0],
                        [0.4338628649711609, 0.8813114762306213, 0.3216341733932495],
                        [0.0, 0.0, 0.0],
                        [0.26044410467147827, 0.2566184401512146, 0.18721580505371094],
                        [0.0, 0.0, 0.0]],
                       [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0],
                        [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]]],
 'uniform_range': ['float32', [10],
                   [-2.9658918380737305, -2.155445098876953, -0.7132601737976074,
                    -2.7843613624572754, 0.7729148864746094, -2.5190696716308594, 3.1749267578125,
                    2.9495949745178223, 1.7553696632385254, 4.102853298187256]],
 'uniform_range_f64': ['float64', [10],
                       [-2.727134434795836, -0.7060781862295444, 3.1833195546286746,
                        -1.6005837657496427, 3.042958973167191, 1.8660050153656398,
                        -1.410182797886896, 0.46732424884148305, 0.23873555584524375,
                        3.228396205229405]],
 'view_bernoulli_': ['float32', [4, 6],
                     [[1.0, 0.0, 0.0, 0.0, 0.0, 1.0], [1.0, 1.0, 0.0, 1.0, 0.0, 0.0],
                      [0.0, 1.0, 1.0, 1.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0, 0.0, 0.0]]],
 'view_bernoulli_tensor': ['float32', [4, 6],
                           [[0.0, 1.0, 1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 1.0, 1.0, 0.0, 1.0],
                            [0.0, 1.0, 0.0, 1.0, 1.0, 0.0], [0.0, 0.0, 1.0, 0.0, 1.0, 1.0]]],
 'view_exponential_': ['float32', [4, 6],
                       [[0.2136063426733017, 2.1653687953948975, 1.1133630275726318,
                         1.0926684141159058, 0.8603384494781494, 0.16806639730930328],
                        [0.19249460101127625, 0.1473952978849411, 1.7149240970611572,
                         0.5592032074928284, 3.418131113052368, 1.1759467124938965],
                        [1.2578445672988892, 0.6012963056564331, 0.10246635228395462,
                         0.020267244428396225, 3.0044925212860107, 0.08111600577831268],
                        [2.52883243560791, 0.5182065963745117, 0.4946189224720001,
                         1.7598354816436768, 1.5652657747268677, 2.3020341396331787]]],
 'view_normal_': ['float32', [4, 6],
                  [[0.7376294732093811, 1.9459291696548462, -0.6995416283607483,
                    -1.3022973537445068, -0.5132622122764587, -0.26961955428123474],
                   [0.24618466198444366, 0.4839252829551697, 0.45041778683662415,
                    -0.9568334221839905, 1.5011879205703735, -0.3135736584663391],
                   [-0.2342843860387802, -1.071309208869934, 0.16479843854904175,
                    0.11565449088811874, 0.38340649008750916, -0.12341586500406265],
                   [0.8928815126419067, -0.4890560507774353, -1.4470207691192627, 1.194069504737854,
                    0.5462409257888794, -2.0750153064727783]]],
 'view_random_': ['float32', [4, 6],
                  [[1.0, 9.0, 0.0, 7.0, 3.0, 7.0], [1.0, 0.0, 7.0, 7.0, 2.0, 0.0],
                   [5.0, 4.0, 4.0, 5.0, 8.0, 5.0], [8.0, 1.0, 8.0, 2.0, 8.0, 9.0]]],
 'view_uniform_': ['float32', [4, 6],
                   [[0.14904171228408813, 0.4865531325340271, 0.985661506652832,
                     0.16840142011642456, 0.5839434266090393, 0.6935991644859314],
                    [0.5830848813056946, 0.12843775749206543, 0.5721226334571838, 0.924839437007904,
                     0.2693377733230591, 0.7824568748474121],
                    [0.2718876004219055, 0.46323180198669434, 0.7671308517456055,
                     0.5024259686470032, 0.10250282287597656, 0.7599971890449524],
                    [0.803541898727417, 0.7652967572212219, 0.8709032535552979, 0.7230550050735474,
                     0.8364341259002686, 0.5820236802101135]]]}

STATE_SEED0_SHA256 = '1ccf17250133dec5e96478acd63e13d728d0dbbabb30389415a302c6f872f81f'
STATE_SEED0_HEAD = [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
STATE_CACHED_NORMALS_SHA256 = '54a9353c293d2640a06dfbc073edf6d607acc12297f0ac0bbad1bef24debcc78'
STATE_FRESH_GENERATOR_SHA256 = '7dbca2abd059af5d8a23d078cc0f4d4c7b21e4543592cea803dc5037dfcd008e'


def _plain(x):
    if isinstance(x, torch.Tensor):
        return [str(x.dtype).split(".")[-1], list(x.shape), x.tolist()]
    return x


# ---------------------------------------------------------------------- same numbers as torch

@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name):
    assert _plain(CASES[name](torch)) == EXPECTED[name]


def test_state_bytes_match_torch():
    torch.manual_seed(0)
    s = torch.get_rng_state()
    assert s.dtype is torch.uint8 and tuple(s.shape) == (5056,)
    raw = bytes(s.tolist())
    assert list(raw[:40]) == STATE_SEED0_HEAD
    assert hashlib.sha256(raw).hexdigest() == STATE_SEED0_SHA256
    # the cached Box-Muller samples are part of the state
    torch.manual_seed(123)
    torch.randn(3, dtype=torch.float64)
    torch.randn(1)
    assert hashlib.sha256(bytes(torch.get_rng_state().tolist())).hexdigest() == STATE_CACHED_NORMALS_SHA256
    g = torch.Generator()
    assert g.initial_seed() == 67280421310721
    assert hashlib.sha256(bytes(g.get_state().tolist())).hexdigest() == STATE_FRESH_GENERATOR_SHA256


# ---------------------------------------------------------------------- determinism and state

def test_same_seed_same_numbers():
    for f in (lambda: torch.rand(50), lambda: torch.randn(7, 9), lambda: torch.randint(0, 100, (30,)),
              lambda: torch.randperm(40), lambda: torch.zeros(3, 4).t().normal_(),
              lambda: torch.multinomial(torch.ones(10), 4)):
        torch.manual_seed(1234)
        a = f().tolist()
        torch.manual_seed(1234)
        assert f().tolist() == a


def test_rng_state_round_trip():
    torch.manual_seed(5)
    torch.randn(3)  # leaves a cached normal sample in the state
    state = torch.get_rng_state()
    a = [torch.randn(5).tolist(), torch.rand(3, dtype=torch.float64).tolist(), torch.randn(1).tolist()]
    torch.set_rng_state(state)
    b = [torch.randn(5).tolist(), torch.rand(3, dtype=torch.float64).tolist(), torch.randn(1).tolist()]
    assert a == b


def test_generator_state_round_trip_and_clone():
    g = torch.Generator().manual_seed(9)
    s = g.get_state()
    a = torch.randn(20, generator=g).tolist()
    assert g.set_state(s) is g
    assert torch.randn(20, generator=g).tolist() == a
    g.set_state(s)
    h = g.clone_state()
    assert torch.rand(4, generator=g).tolist() == torch.rand(4, generator=h).tolist()
    g2 = pickle.loads(pickle.dumps(g))
    assert torch.rand(4, generator=g).tolist() == torch.rand(4, generator=g2).tolist()


def test_generator_independent_of_global():
    g1 = torch.Generator().manual_seed(3)
    torch.manual_seed(3)
    a = torch.rand(5, generator=g1).tolist()
    b = torch.rand(5).tolist()
    assert a == b
    torch.manual_seed(3)
    torch.rand(100, generator=torch.Generator())  # another generator leaves the global one alone
    assert torch.rand(5).tolist() == b


def test_generator_api():
    g = torch.Generator()
    assert isinstance(g, torch.Generator)
    assert g.manual_seed(7) is g
    assert g.initial_seed() == 7
    assert g.device == torch.device("cpu")
    assert torch.Generator("cpu").device.type == "cpu"
    assert torch.Generator(device="cpu").initial_seed() == 67280421310721
    assert isinstance(torch.default_generator, torch.Generator)
    assert torch.manual_seed(11) is torch.default_generator
    assert torch.initial_seed() == 11
    s = torch.seed()
    assert isinstance(s, int) and torch.initial_seed() == s
    s2 = g.seed()
    assert g.initial_seed() == s2
    with pytest.raises(RuntimeError):
        torch.Generator("cuda")


def test_seed_values():
    g = torch.Generator()
    assert g.manual_seed(2 ** 64 - 1).initial_seed() == 2 ** 64 - 1
    assert g.manual_seed(-1).initial_seed() == 2 ** 64 - 1
    assert g.manual_seed(-2 ** 63).initial_seed() == 2 ** 63
    assert torch.manual_seed(1.5).initial_seed() == 1  # torch.manual_seed calls int()
    assert torch.manual_seed("7").initial_seed() == 7
    assert torch.manual_seed(True).initial_seed() == 1
    with pytest.raises(ValueError, match="Overflow when unpacking long long"):
        g.manual_seed(2 ** 64)
    with pytest.raises(ValueError, match="Overflow when unpacking long long"):
        g.manual_seed(-2 ** 63 - 1)
    with pytest.raises(RuntimeError, match="manual_seed expected a long, but got float"):
        g.manual_seed(1.5)
    with pytest.raises(RuntimeError, match="manual_seed expected a long, but got bool"):
        g.manual_seed(True)


def test_sizes_and_options():
    for t in (torch.rand(2, 3), torch.rand((2, 3)), torch.rand([2, 3]), torch.rand(torch.Size([2, 3])),
              torch.rand(size=(2, 3)), torch.randn(2, 3)):
        assert tuple(t.shape) == (2, 3) and t.dtype is torch.float32
    assert tuple(torch.randn(()).shape) == ()
    assert tuple(torch.rand(0, 3).shape) == (0, 3)
    assert torch.rand(3, dtype=torch.float64).dtype is torch.float64
    assert torch.randint(5, (3,)).dtype is torch.int64
    assert torch.randperm(4).dtype is torch.int64
    assert torch.randint_like(torch.zeros(3), 10).dtype is torch.float32
    t = torch.rand(3, requires_grad=True)
    assert t.requires_grad and t.is_leaf
    out = torch.zeros(2)
    assert torch.rand(2, 2, out=out) is out and tuple(out.shape) == (2, 2)
    vals = torch.rand(10000).tolist()
    assert all(0.0 <= v < 1.0 for v in vals)
    r = torch.randint(-3, 4, (1000,)).tolist()
    assert set(r) == set(range(-3, 4))
    assert sorted(torch.randperm(100).tolist()) == list(range(100))


def test_inplace_returns_self_and_bumps_version():
    t = torch.zeros(4)
    v = t._version
    for op in (lambda: t.uniform_(), lambda: t.normal_(), lambda: t.random_(0, 5),
               lambda: t.bernoulli_(), lambda: t.exponential_(), lambda: t.geometric_(0.5),
               lambda: t.log_normal_(), lambda: t.cauchy_()):
        assert op() is t
    assert t._version > v
    x = torch.rand(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        x.uniform_()


def test_uniform_keyword_from():
    torch.manual_seed(0)
    a = torch.zeros(5).uniform_(**{"from": 2.0, "to": 3.0}).tolist()
    torch.manual_seed(0)
    assert torch.zeros(5).uniform_(2.0, 3.0).tolist() == a


def test_large_fill_releases_gil_and_is_deterministic():
    results = []

    def work():
        g = torch.Generator().manual_seed(1)
        results.append(torch.randn(1 << 17, generator=g).sum().item())

    threads = [threading.Thread(target=work) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(set(results)) == 1


# ---------------------------------------------------------------------- errors, as torch words them

def _raises(exc, msg, f):
    with pytest.raises(exc, match=re.escape(msg)):
        f()


def test_errors():
    _raises(NotImplementedError, "\"check_uniform_bounds\" not implemented for 'Long'",
            lambda: torch.rand(3, dtype=torch.int64))
    _raises(NotImplementedError, "\"normal_kernel_cpu\" not implemented for 'Long'",
            lambda: torch.randn(3, dtype=torch.int64))
    _raises(NotImplementedError, "\"check_uniform_bounds\" not implemented for 'Int'",
            lambda: torch.rand_like(torch.zeros(3, dtype=torch.int32)))
    _raises(RuntimeError, "uniform_ expects to return a [from, to) range, but found from=2 > to=1",
            lambda: torch.empty(3).uniform_(2, 1))
    _raises(RuntimeError, "to is out of bounds for float", lambda: torch.empty(3).uniform_(0, 1e300))
    _raises(RuntimeError, "normal expects std >= 0.0, but found std -1", lambda: torch.empty(3).normal_(0, -1))
    _raises(RuntimeError, "normal expects std >= 0.0, but found std -1.5e-07",
            lambda: torch.empty(3).normal_(0, -1.5e-7))
    _raises(RuntimeError, "random_ expects 'from' to be less than 'to', but got from=5 >= to=3",
            lambda: torch.randint(5, 3, (2,)))
    _raises(RuntimeError, "random_ expects 'from' to be less than 'to', but got from=5 >= to=3",
            lambda: torch.empty(3).random_(5, 3))
    _raises(RuntimeError, "to - 1 is out of bounds for unsigned char",
            lambda: torch.randint(0, 300, (2,), dtype=torch.uint8))
    _raises(RuntimeError, "from is out of bounds for signed char",
            lambda: torch.zeros(3, dtype=torch.int8).random_(-200, 0))
    _raises(TypeError, "randint(): argument 'size' (position 2) must be tuple of ints, not int",
            lambda: torch.randint(10, 3))
    _raises(TypeError, "rand(): argument 'size' (position 1) must be tuple of ints, not float",
            lambda: torch.rand(2.5))
    _raises(TypeError, "received an invalid combination of arguments", lambda: torch.rand())
    _raises(RuntimeError, "Trying to create tensor with negative dimension -1: [-1]", lambda: torch.rand(-1))
    _raises(RuntimeError, "bernoulli_ expects p to be in [0, 1], but got p=1.5",
            lambda: torch.empty(3).bernoulli_(1.5))
    _raises(RuntimeError, "Expected p_in >= 0 && p_in <= 1 to be true, but got false.",
            lambda: torch.bernoulli(torch.tensor([2.0, -1.0])))
    _raises(NotImplementedError, "\"bernoulli_tensor_cpu_p_\" not implemented for 'Long'",
            lambda: torch.bernoulli(torch.tensor([1, 0])))
    _raises(RuntimeError, "exponential_ expects lambda > 0.0, but found lambda=0",
            lambda: torch.empty(3).exponential_(0))
    _raises(RuntimeError, "Exponential distribution is a continuous probability distribution. dtype must be "
            "a floating point but you specified Int", lambda: torch.empty(3, dtype=torch.int32).exponential_())
    _raises(RuntimeError, "geometric_ expects p to be in (0, 1), but got p=1.5",
            lambda: torch.zeros(3).geometric_(1.5))
    _raises(RuntimeError, "log_normal_ expects std > 0.0, but found std=-1", lambda: torch.zeros(3).log_normal_(0, -1))
    _raises(RuntimeError, "cauchy_ expects sigma > 0.0, but found sigma=0", lambda: torch.zeros(3).cauchy_(0, 0))
    _raises(NotImplementedError, "\"randperm\" not implemented for 'Bool'", lambda: torch.randperm(5, dtype=torch.bool))
    _raises(RuntimeError, "n cannot be greater than 2049 for Half type.",
            lambda: torch.randperm(3000, dtype=torch.float16))
    _raises(RuntimeError, "value cannot be converted to type uint8_t without overflow",
            lambda: torch.randperm(300, dtype=torch.uint8))
    _raises(RuntimeError, "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location", lambda: torch.zeros(2, 1).expand(2, 3).uniform_())


def test_multinomial_errors():
    _raises(RuntimeError, "prob_dist must be 1 or 2 dim", lambda: torch.multinomial(torch.tensor(1.0), 1))
    _raises(RuntimeError, "prob_dist must be 1 or 2 dim", lambda: torch.multinomial(torch.ones(2, 2, 2), 1))
    _raises(RuntimeError, "multinomial only supports floating-point dtypes for input, got: Long",
            lambda: torch.multinomial(torch.tensor([1, 2]), 1))
    _raises(RuntimeError, "invalid multinomial distribution (sum of probabilities <= 0)",
            lambda: torch.multinomial(torch.tensor([0.0, 0.0]), 1))
    _raises(RuntimeError, "invalid multinomial distribution (sum of probabilities <= 0)",
            lambda: torch.multinomial(torch.tensor([0.0, 0.0]), 2, True))
    _raises(RuntimeError, "cannot sample n_sample > prob_dist.size(-1) samples without replacement",
            lambda: torch.multinomial(torch.tensor([1.0, 1.0]), 3))
    _raises(RuntimeError, "cannot sample n_sample <= 0 samples", lambda: torch.multinomial(torch.tensor([1.0]), 0))
    _raises(RuntimeError, "probability tensor contains either `inf`, `nan` or element < 0",
            lambda: torch.multinomial(torch.tensor([1.0, -1.0]), 1))
    _raises(RuntimeError, "invalid multinomial distribution (encountering probability entry < 0)",
            lambda: torch.multinomial(torch.tensor([1.0, -1.0]), 2, True))


def test_normal_errors():
    _raises(RuntimeError, "normal expects all elements of std >= 0.0",
            lambda: torch.normal(torch.zeros(3), torch.tensor([1.0, -1.0, 1.0])))
    _raises(RuntimeError, "normal expects all elements of std >= 0.0",
            lambda: torch.normal(0.0, torch.tensor([1.0, -1.0])))
    _raises(RuntimeError, "normal expects std >= 0.0, but found std -1", lambda: torch.normal(torch.zeros(3), -1.0))
    _raises(TypeError, "normal() received an invalid combination of arguments - got (float, float)",
            lambda: torch.normal(0.0, 1.0))
    _raises(RuntimeError, "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0",
            lambda: torch.normal(torch.zeros(2), torch.ones(3)))
    _raises(NotImplementedError, "\"normal_kernel_cpu\" not implemented for 'Long'",
            lambda: torch.normal(torch.zeros(2, dtype=torch.int64), 1.0))
    assert torch.normal(torch.zeros(2, dtype=torch.float64), torch.ones(2)).dtype is torch.float64
    assert torch.normal(2.0, torch.ones(2, dtype=torch.float64)).dtype is torch.float64


def test_state_errors():
    g = torch.Generator()
    _raises(TypeError, "RNG state must be a torch.ByteTensor", lambda: g.set_state(torch.zeros(5056)))
    _raises(TypeError, "expected a torch.ByteTensor, but got list", lambda: g.set_state([1, 2]))
    _raises(RuntimeError, "Expected a CPUGeneratorImplState of size 5056 but found the input RNG state size to be 10",
            lambda: g.set_state(torch.zeros(10, dtype=torch.uint8)))
    _raises(RuntimeError, "RNG state must be contiguous",
            lambda: g.set_state(torch.zeros(5056 * 2, dtype=torch.uint8)[::2]))
    _raises(RuntimeError, "Invalid mt19937 state", lambda: g.set_state(torch.zeros(5056, dtype=torch.uint8)))
    _raises(TypeError, "RNG state must be a torch.ByteTensor", lambda: torch.set_rng_state(torch.zeros(5056)))


def test_like_functions_follow_the_input_layout():  # torch 2.15's strides
    x = torch.zeros(3, 4).t()
    assert torch.rand_like(x).stride() == (1, 4)
    assert torch.randn_like(x[::2]).stride() == (1, 2)   # gaps: dense, in the input's order
    assert torch.randint_like(torch.zeros(2, 3), 5).stride() == (3, 1)
