"""`nn.parallel.DistributedDataParallel` over rstorch.distributed (MPI); docs/DISTRIBUTED.md.

Parameters are broadcast from rank 0 at construction. Gradients are grouped into buckets of up to
`bucket_cap_mb`, in reverse parameter order for the first backward, then (as torch's reducer) in the
order that backward made them ready, the first bucket at most 1 MB; a post-accumulate-grad
hook marks a parameter ready, and when a bucket is complete (and every earlier bucket launched, so
all ranks issue the same sequence) its flattened gradients go out in a nonblocking Iallreduce while
backward goes on. The hook that completes the last bucket waits for all of them and writes the
averages back into `.grad`."""

import contextlib

from ..modules.module import Module

__all__ = ["DistributedDataParallel"]

_FIRST_BUCKET_BYTES = 1024 * 1024


class DistributedDataParallel(Module):
    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 process_group=None, bucket_cap_mb=None, find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False, delay_all_reduce_named_params=None,
                 param_to_hook_all_reduce=None, mixed_precision=None, device_mesh=None):
        super().__init__()
        from ... import distributed as dist
        self._dist = dist
        self.module = module
        self.process_group = dist._pg(process_group)
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.require_backward_grad_sync = True
        self.bucket_bytes_cap = int((25 if bucket_cap_mb is None else bucket_cap_mb) * 1024 * 1024)
        params = [p for p in module.parameters() if p.requires_grad]
        if not params:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't have any parameter "
                               "that requires a gradient.")
        for p in module.parameters():
            dist.broadcast(p.data, 0, group=process_group)
        self._sync_buffers()
        # buckets: reverse parameter order (backward's order, roughly) until the first backward
        # tells the real one, then rebuilt in that order (_rebuild)
        self._params = params
        self._set_buckets(list(reversed(params)), self.bucket_bytes_cap)
        self._rebuilt = False
        self._ready_order = []
        self._handles = [p.register_post_accumulate_grad_hook(self._hook) for p in params]
        self._reset()

    def _set_buckets(self, order, first_cap):
        """Buckets of consecutive parameters of `order`: one dtype each, at most the cap in bytes
        (`first_cap` for the first), a parameter bigger than the cap alone in its bucket."""
        self._buckets = []
        cur, size, cap = [], 0, first_cap
        for p in order:
            nbytes = p.numel() * p.element_size()
            if cur and (size + nbytes > cap or p.dtype != cur[0].dtype):
                self._buckets.append(cur)
                cur, size, cap = [], 0, self.bucket_bytes_cap
            cur.append(p)
            size += nbytes
        self._buckets.append(cur)
        self._bucket_of = {id(p): b for b, ps in enumerate(self._buckets) for p in ps}
        self._flat = [None] * len(self._buckets)

    def _rebuild(self):
        """After the first synced backward, as torch's reducer does: buckets in the order the gradients
        became ready (rank 0's order, so every rank builds the same buckets), the first one capped at
        1 MB (torch's _DEFAULT_FIRST_BUCKET_BYTES) so the earliest gradients go out early."""
        self._rebuilt = True
        index = {id(p): i for i, p in enumerate(self._params)}
        seen = set()
        order = []
        for p in self._ready_order + list(reversed(self._params)):  # the ones never ready go last
            if id(p) not in seen:
                seen.add(id(p))
                order.append(index[id(p)])
        self._ready_order = []
        pg = self.process_group
        box = [order]
        self._dist.broadcast_object_list(box, src=pg.ranks[0], group=pg)
        self._set_buckets([self._params[i] for i in box[0]], min(_FIRST_BUCKET_BYTES, self.bucket_bytes_cap))

    def _reset(self):
        self._pending = [len(ps) for ps in self._buckets]
        self._next = 0
        self._works = []

    def _sync_buffers(self):
        if self.broadcast_buffers:
            for b in self.module.buffers():
                self._dist.broadcast(b.data if hasattr(b, "data") else b, 0, group=self.process_group)

    def _hook(self, p):
        if not self.require_backward_grad_sync:
            return
        if not self._rebuilt:
            self._ready_order.append(p)
        b = self._bucket_of[id(p)]
        self._pending[b] -= 1
        for work, _, _ in self._works:  # drive MPI's progress on the buckets in flight (MPI has no
            work.is_completed()         # progress thread: a nonblocking all-reduce moves when tested)
        while self._next < len(self._buckets) and self._pending[self._next] == 0:
            self._launch(self._next)
            self._next += 1
        if self._next == len(self._buckets):
            self._finish()

    def _launch(self, b):
        import numpy as np
        ps = self._buckets[b]
        dtype = ps[0].grad.detach().numpy().dtype
        if self._flat[b] is None or self._flat[b].dtype != dtype:  # one buffer per bucket, kept: MPI
            self._flat[b] = np.empty(sum(p.numel() for p in ps), dtype)  # transports register it once
        flat = self._flat[b]
        off = 0
        for p in ps:
            g = p.grad.detach().numpy().ravel()
            flat[off:off + g.size] = g
            off += g.size
        work = self._dist._default_comm_allreduce(flat, self.process_group)
        self._works.append((work, flat, ps))

    def _finish(self):
        import numpy as np

        from ... import from_numpy, no_grad
        n = self.process_group.size()
        with no_grad():
            for work, flat, ps in self._works:
                work.wait()
                np.divide(flat, n, out=flat)
                off = 0
                for p in ps:
                    k = p.numel()
                    p.grad.copy_(from_numpy(flat[off:off + k]).view(p.grad.shape))
                    off += k
        if not self._rebuilt:
            self._rebuild()
        self._reset()

    def forward(self, *inputs, **kwargs):
        if self._works or self._next:
            raise RuntimeError("Expected to have finished reduction in the prior iteration before starting a new "
                               "one. This error indicates that your module has parameters that were not used in "
                               "producing loss.")
        self._reset()
        self._sync_buffers()
        return self.module(*inputs, **kwargs)

    @contextlib.contextmanager
    def no_sync(self):
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old
