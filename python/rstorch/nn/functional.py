"""`nn.functional`: the layers' functions (torch.nn.functional). Each is a small plain function
with torch's signature, composed from rstorch ops (their gradients come from those ops)."""

import rstorch

__all__ = ["linear", "bilinear"]


def _mm_shape_error(op, input, weight):
    rows = 1
    for s in input.shape[:-1]:
        rows *= s
    return RuntimeError(f"{op}: mat1 and mat2 shapes cannot be multiplied "
                        f"({rows}x{input.shape[-1]} and {weight.shape[1]}x{weight.shape[0]})")


def linear(input, weight, bias=None):
    """`input @ weight.T + bias`: weight is (out_features, in_features), input (*, in_features).

    Computed as mm (matmul for other ranks) then add, whose backward rules are native: twice as
    fast as addmm's Python rule, so the output's grad_fn is AddBackward0 where torch's is
    AddmmBackward0 (the values and gradients are the same)."""
    nd, wd = input.dim(), weight.dim()
    if nd == 0 or wd == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are {nd}D and {wd}D")
    if wd == 2 and input.size(-1) != weight.size(1):
        raise _mm_shape_error("mm" if bias is None else "addmm", input, weight)
    out = input.mm(weight.t()) if nd == 2 and wd == 2 else input.matmul(weight.t())
    return out if bias is None else out + bias


def bilinear(input1, input2, weight, bias=None):
    """`y[..., o] = sum_ij input1[..., i] * weight[o, i, j] * input2[..., j] + bias[o]`."""
    if input1.dim() != input2.dim():
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.dim()} and {input2.dim()}")
    for d in range(input1.dim() - 1):
        if input1.shape[d] != input2.shape[d]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {d}: got "
                               f"{input1.shape[d]} and {input2.shape[d]}")
    if input1.shape[-1] != weight.size(1):
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but "
                           f"expected {weight.size(1)}")
    if input2.shape[-1] != weight.size(2):
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but "
                           f"expected {weight.size(2)}")
    if bias is not None and bias.size(0) != weight.size(0):
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {bias.size(0)} but "
                           f"expected {weight.size(0)}")
    out_f, in1, in2 = weight.shape
    lead = input1.shape[:-1]
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    # (N, in1) @ (in1, out*in2) -> (N, out, in2), then contract in2 with input2
    t = x1.mm(weight.permute(1, 0, 2).reshape(in1, out_f * in2)).view(-1, out_f, in2)
    out = (t * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        out = out + bias
    return out.view(*lead, out_f)
