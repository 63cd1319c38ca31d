"""The multiprocessing reduction of tensors: storage in shared memory, sent as a file descriptor
(see rstorch/_shared.py)."""

from multiprocessing.reduction import DupFd, ForkingPickler

from .. import _shared
from .._tensor import Tensor


def reduce_tensor(t):
    if t.requires_grad and not t.is_leaf:
        raise RuntimeError(
            "Cowardly refusing to serialize non-leaf tensor which requires_grad, since autograd does not "
            "support crossing process boundaries.  If you just want to transfer the data, call detach() on "
            "the tensor before serializing (e.g., putting it on the queue).")
    if t._device != "cpu" or t.is_meta:
        return _shared.reduce_tensor(t)
    seg = _shared.segment_of(t)
    if seg is None:  # no bytes to share
        return _shared.reduce_tensor(t)
    return (rebuild_tensor_fd, (DupFd(seg.fd), seg.nbytes, tuple(t.shape), t.stride(), t.storage_offset(),
                                t.dtype._name, t.requires_grad))


def rebuild_tensor_fd(df, nbytes, shape, strides, offset, dtype_name, requires_grad):
    return _shared.rebuild_from_fd(df.detach(), nbytes, shape, strides, offset, dtype_name, requires_grad)


def init_reductions():
    ForkingPickler.register(Tensor, reduce_tensor)
