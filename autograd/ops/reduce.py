"""Reductions and the softmax family.

``axis`` arrives normalized (``None`` or a sorted tuple of non-negative axes; one int for the
softmax family). A reduction's gradient is the incoming ``g`` with the reduced axes put back as
size 1 and broadcast to the input's shape. ``mean``, ``min``, ``var`` are compositions (see
``tensor.py``); ``logsumexp``, ``softmax`` and ``log_softmax`` have their own rules because
the composed versions overflow (they subtract the maximum first).
"""

from __future__ import annotations

import numpy as np

from ..graph import Op, _raw
from .elementwise import _exp
from .shape import broadcast_to


def _kept(g, shape, axis, keepdims):
    """``g`` with the reduced axes restored as size 1, so it broadcasts against the input."""
    if keepdims:
        return g
    if axis is None:
        return g.reshape((1,) * len(shape))
    return g.reshape(tuple(1 if i in axis else n for i, n in enumerate(shape)))


class Sum(Op):
    """f(a) = sum of a over axis;  df/da = 1 (g broadcast back over the summed axes)"""

    name = "sum"
    text = 'sum of {0} over {axes1}'
    grads = ('{g} copied along {axes1}', None, None)
    forward = staticmethod(lambda a, axis, keepdims: a.sum(axis=axis, keepdims=keepdims))

    @staticmethod
    def backward(g, out, a, axis, keepdims):
        return broadcast_to(_kept(g, a.shape, axis, keepdims), a.shape), None, None


class Max(Op):
    """f(a) = max of a over axis;  df/da = [a == max] / (number of ties)  (as torch.amax)"""

    name = "max"
    text = 'max of {0} over {axes1}'
    grads = ('{g} at the maxima along {axes1} (ties share it)', None, None)

    @staticmethod
    def forward(a, axis, keepdims):
        if a.size == 0:
            raise ValueError(f"max of an empty tensor of shape {a.shape} is undefined")
        return np.max(a, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(g, out, a, axis, keepdims):
        ra = _raw(a)
        hit = ra == _kept(_raw(out), ra.shape, axis, keepdims)
        share = (hit / hit.sum(axis=axis, keepdims=True)).astype(ra.dtype)  # ties share the gradient
        return _kept(g, ra.shape, axis, keepdims) * share, None, None


class LogSumExp(Op):
    """f(a) = ln(sum(e**a)) over axis;  df/da = e**(a - f) = softmax(a)"""

    name = "logsumexp"
    text = 'ln(sum(exp({0}))) over {axes1}'
    grads = ('{g} * exp({0} - {out})  (= g * softmax)', None, None)

    @staticmethod
    def forward(a, axis, keepdims):
        m = np.max(a, axis=axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)  # all -inf rows: shift by 0 and return -inf, not nan
        out = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
        return out if keepdims else (out.reshape(()) if axis is None else np.squeeze(out, axis=axis))

    @staticmethod
    def backward(g, out, a, axis, keepdims):
        shape = a.shape
        return _kept(g, shape, axis, keepdims) * _exp(a - _kept(out, shape, axis, keepdims)), None, None


class Softmax(Op):
    """f(a) = e**a / sum(e**a) over axis;  df/da: g -> f * (g - sum(g * f))"""

    name = "softmax"
    text = 'softmax({0}) along axis {1}'
    grads = ('{out} * ({g} - sum({g} * {out}) along axis {1})', None)

    @staticmethod
    def forward(a, axis):
        e = np.exp(a - a.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)

    @staticmethod
    def backward(g, out, a, axis):
        return out * (g - (g * out).sum(axis=axis, keepdims=True)), None


class LogSoftmax(Op):
    """f(a) = a - ln(sum(e**a)) over axis;  df/da: g -> g - e**f * sum(g)"""

    name = "log_softmax"
    text = 'log_softmax({0}) along axis {1}'
    grads = ('{g} - exp({out}) * sum({g}) along axis {1}', None)

    @staticmethod
    def forward(a, axis):
        shifted = a - a.max(axis=axis, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))

    @staticmethod
    def backward(g, out, a, axis):
        return g - _exp(out) * g.sum(axis=axis, keepdims=True), None
