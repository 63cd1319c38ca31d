"""Run on 2 ranks (`python -m rstorch.distributed.run --nproc-per-node 2`) by
tests/nn/test_sync_batchnorm.py: SyncBatchNorm over each rank's part of a batch (uneven parts)
against one BatchNorm over the whole batch, float64: outputs, running statistics, the input
gradients of the sum of the ranks' losses, and the parameter gradients summed over ranks; then
a converted model under DistributedDataParallel against the whole batch's step.
Prints OK <rank>."""

import numpy as np

import rstorch as torch
import rstorch.distributed as dist
from rstorch import nn

dist.init_process_group("mpi")
r, w = dist.get_rank(), dist.get_world_size()
assert w == 2
rng = np.random.default_rng(0)
full = rng.standard_normal((8, 3, 2, 2))
upstream = rng.standard_normal((8, 3, 2, 2))
parts = [slice(0, 3), slice(3, 8)]  # uneven: 3 and 5 samples


def model(cls):
    m = cls(3, momentum=0.3).double()
    with torch.no_grad():
        m.weight.copy_(torch.tensor([1.0, 2.0, -0.5]))
        m.bias.copy_(torch.tensor([0.0, 0.5, 1.0]))
    return m


ref = model(nn.BatchNorm2d)
xf = torch.tensor(full, requires_grad=True)
yf = ref(xf)
(yf * torch.tensor(upstream)).sum().backward()

sync = nn.SyncBatchNorm.convert_sync_batchnorm(nn.Sequential(model(nn.BatchNorm2d)))[0]
assert type(sync) is nn.SyncBatchNorm
x = torch.tensor(full[parts[r]], requires_grad=True)
y = sync(x)
(y * torch.tensor(upstream[parts[r]])).sum().backward()


def close(a, b):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10, atol=1e-12)


close(y, yf[parts[r]])
close(x.grad, xf.grad[parts[r]])
close(sync.running_mean, ref.running_mean)
close(sync.running_var, ref.running_var)
for p, q in ((sync.weight, ref.weight), (sync.bias, ref.bias)):
    g = p.grad.clone()
    dist.all_reduce(g)  # what DDP's gradient all-reduce adds up
    close(g, q.grad)
sync.eval()
close(sync(x), ref.eval()(x))  # eval: the running statistics, no collective

# a converted model under DDP: its gradients (averaged over the ranks) are those of the whole
# batch's loss divided by the number of ranks
def net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 4, 1), nn.BatchNorm2d(4), nn.ReLU()).double()


ref_net = net()
(ref_net(torch.tensor(full)) * torch.tensor(upstream[:, :1])).sum().div(w).backward()
ddp = nn.parallel.DistributedDataParallel(nn.SyncBatchNorm.convert_sync_batchnorm(net()))
(ddp(torch.tensor(full[parts[r]])) * torch.tensor(upstream[parts[r], :1])).sum().backward()
for p, q in zip(ddp.module.parameters(), ref_net.parameters()):
    close(p.grad, q.grad)
close(ddp.module[1].running_var, ref_net[1].running_var)
print(f"OK {r}", flush=True)
dist.destroy_process_group()
