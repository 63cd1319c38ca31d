"""The multiprocessing reduction of tensors: storage in shared memory, sent as a file descriptor
(see rstorch/_shared.py).

A descriptor normally travels with `multiprocessing.reduction.DupFd`, as torch's do: the receiver
connects to the sender's resource-sharer thread and authenticates, per descriptor (~0.5 ms
here). DataLoader workers use a cheaper way for their batches: each worker has a Unix socket pair
with the main process (a "channel"); while the worker pickles a batch (`pack`), each storage's
descriptor is sent on its channel, and while the main process unpickles it (`unpack`), the
descriptors are read back from that channel in the same order."""

import os
import pickle
import socket
import threading

from multiprocessing.reduction import DupFd, ForkingPickler

from .. import _shared
from .._tensor import Tensor

_tls = threading.local()  # .channel: the socket of the pack/unpack running on this thread


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
    args = (seg.nbytes, tuple(t.shape), t.stride(), t.storage_offset(), t.dtype._name, t.requires_grad)
    channel = getattr(_tls, "channel", None)
    if channel is not None:
        socket.send_fds(channel, [b"\0"], [seg.fd])
        _tls.sent += 1
        return (rebuild_tensor_channel, args)
    return (rebuild_tensor_fd, (DupFd(seg.fd),) + args)


def rebuild_tensor_fd(df, nbytes, shape, strides, offset, dtype_name, requires_grad):
    return _shared.rebuild_from_fd(df.detach(), nbytes, shape, strides, offset, dtype_name, requires_grad)


def rebuild_tensor_channel(*args):
    channel = getattr(_tls, "channel", None)
    if channel is None:
        raise RuntimeError("a DataLoader batch was unpickled outside its loader")
    try:
        _, fds, _, _ = socket.recv_fds(channel, 1, 1)
    except socket.timeout:
        raise RuntimeError("DataLoader worker's shared-memory descriptor did not arrive") from None
    return _shared.rebuild_from_fd(fds[0], *args)


def channel_pair(timeout):
    """(main end, worker end) of a descriptor channel."""
    main, worker = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    main.settimeout(timeout)
    return main, worker


class Packed:
    """A pickled object whose tensors' descriptors went through channel `worker_id`; `drain`
    descriptors to discard first (those a failed pickling had sent already)."""

    __slots__ = ("worker_id", "payload", "drain")

    def __init__(self, worker_id, payload, drain=0):
        self.worker_id = worker_id
        self.payload = payload
        self.drain = drain

    def __reduce__(self):
        return (Packed, (self.worker_id, self.payload, self.drain))


def pack(obj, worker_id, channel, where):
    """`obj` pickled with its tensors' descriptors sent on `channel`; an object that cannot be
    pickled becomes the ExceptionWrapper of its error (`where`), which the main process raises."""
    _tls.channel, _tls.sent = channel, 0
    try:
        return Packed(worker_id, bytes(ForkingPickler.dumps(obj)))
    except Exception:
        from .._utils import ExceptionWrapper
        return Packed(worker_id, pickle.dumps(ExceptionWrapper(where=where)), _tls.sent)
    finally:
        _tls.channel = None


def unpack(packed, channel):
    for _ in range(packed.drain):
        _, fds, _, _ = socket.recv_fds(channel, 1, 1)
        for fd in fds:
            os.close(fd)
    _tls.channel = channel
    try:
        return pickle.loads(packed.payload)
    finally:
        _tls.channel = None


def init_reductions():
    ForkingPickler.register(Tensor, reduce_tensor)
