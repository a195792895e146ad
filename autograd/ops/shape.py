"""Shape ops: broadcasting and undoing it, reshape, transpose, indexing and joining.

These ops move numbers around without changing them, so each backward moves the gradient back:
reshape reshapes it, transpose applies the inverse permutation, indexing scatter-adds it (repeated
indices accumulate), concatenate slices it, and ``SumTo`` (the engine's unbroadcasting, recorded
under ``create_graph=True``) sums it. ``squeeze``, ``expand_dims``, ``flatten`` and ``stack`` are
compositions of these (see ``tensor.py``). As in ``elementwise.py``, every rule works on ndarrays
and on Tensors, so shape ops are differentiable any number of times.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..graph import Node, Op


def unbroadcast(g: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``g`` down to ``shape``, undoing numpy broadcasting (the only place this happens)."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra == 1 and g.shape[1:] == shape:  # the common case: a bias over a batch
        return g.sum(axis=0)
    kept = tuple(i + extra for i, n in enumerate(shape) if n == 1 and g.shape[i + extra] != 1)
    axes = tuple(range(extra)) + kept
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    if extra:
        g = g.reshape(shape)
    return g


def broadcast_to(x: Any, shape: tuple[int, ...]) -> Any:
    """``x`` broadcast to ``shape``: an op for Tensors, a read-only numpy view for arrays."""
    if isinstance(x, Node):
        return x if x.shape == tuple(shape) else x._apply(BroadcastTo, x, tuple(shape))
    return np.broadcast_to(x, shape)


def _is_basic(index: Any) -> bool:
    """True when no element can be selected twice (ints, slices, None, ..., one boolean mask)."""
    parts = index if isinstance(index, tuple) else (index,)
    for part in parts:
        if isinstance(part, np.ndarray) and part.dtype != bool:
            return False
        if isinstance(part, np.ndarray) and len(parts) > 1:
            return False  # a mask combined with other indices: let numpy sort out the pairing
    return True


def scatter_add(g: Any, index: Any, shape: tuple[int, ...]) -> Any:
    """Zeros of ``shape`` with ``g`` added at ``index`` (repeated indices accumulate)."""
    if isinstance(g, Node):
        return g._apply(ScatterAdd, g, index, shape)
    return ScatterAdd.forward(g, index, shape)


class BroadcastTo(Op):
    """f(a, shape) = a broadcast to shape;  df/da = g summed back to a's shape (done by _fit_grad)"""

    name = "broadcast_to"
    text = '{0} broadcast to {1}'
    grads = ("{g} (summed back to {0}'s shape)", None)
    forward = staticmethod(np.broadcast_to)
    backward = staticmethod(lambda g, out, a, shape: (g, None))


class SumTo(Op):
    """f(g, shape) = g summed down to shape (unbroadcast);  df/dg = broadcast back to g's shape"""

    name = "sum_to"
    text = '{0} summed down to {1}'
    grads = ("{g} broadcast back to {0}'s shape", None)
    forward = staticmethod(unbroadcast)

    @staticmethod
    def backward(g, out, x, shape):
        return broadcast_to(g, x.shape), None


class Reshape(Op):
    """f(a, shape) = a with a new shape;  df/da = g reshaped to a's shape"""

    name = "reshape"
    text = '{0} reshaped to {1}'
    grads = ("{g} reshaped back to {0}'s shape", None)

    @staticmethod
    def forward(a, shape):
        try:
            return a.reshape(shape)
        except ValueError:
            raise ValueError(f"cannot reshape an array of shape {a.shape} (size {a.size}) into {shape}"
                             ) from None

    backward = staticmethod(lambda g, out, a, shape: (g.reshape(a.shape), None))


class Transpose(Op):
    """f(a, axes) = a with its axes permuted;  df/da = g permuted back (inverse permutation)"""

    name = "transpose"
    text = '{0} with axes permuted to {1}'
    grads = ('{g} with the axes permuted back', None)
    forward = staticmethod(np.transpose)

    @staticmethod
    def backward(g, out, a, axes):
        return g.transpose(tuple(np.argsort(axes))), None


class GetItem(Op):
    """f(a, index) = a[index];  df/da = zeros with g added at index (repeats accumulate)"""

    name = "getitem"
    text = '{0}[{index1}]'
    grads = ('zeros with {g} added at [{index1}]', None)

    @staticmethod
    def forward(a, index):
        try:
            return a[index]
        except IndexError as error:
            raise IndexError(f"getitem: {error} (tensor shape {a.shape})") from None

    backward = staticmethod(lambda g, out, a, index: (scatter_add(g, index, a.shape), None))


class ScatterAdd(Op):
    """f(g, index, shape) = zeros(shape) with g added at index;  df/dg = (its gradient)[index]"""

    name = "scatter_add"
    text = 'zeros of shape {2} with {0} added at [{index1}]'
    grads = ('{g}[{index1}]', None, None)

    @staticmethod
    def forward(g, index, shape):
        out = np.zeros(shape, dtype=g.dtype)
        if _is_basic(index):
            out[index] = g  # each element is selected at most once: plain assignment is enough
        else:
            np.add.at(out, index, g)
        return out

    backward = staticmethod(lambda gg, out, g, index, shape: (gg[index], None, None))


class Concatenate(Op):
    """f(axis, *xs) = xs joined along axis;  df/dxs[i] = the slice of g that came from xs[i]"""

    name = "concatenate"
    text = '{rest} joined along axis {0}'
    grads = (None, 'the slice of {g} that came from {this}')

    @staticmethod
    def forward(axis, *xs):
        try:
            return np.concatenate(xs, axis=axis)
        except ValueError:
            shapes = ", ".join(str(np.shape(x)) for x in xs)
            raise ValueError(f"shapes {shapes} cannot be joined along axis {axis}") from None

    @staticmethod
    def backward(g, out, axis, *xs):
        grads, start = [None], 0
        lead = (slice(None),) * (axis % g.ndim)
        for x in xs:
            stop = start + x.shape[axis]
            grads.append(g[lead + (slice(start, stop),)])
            start = stop
        return tuple(grads)
