"""The fused cross-entropy losses of ``autograd.functional``: softmax and sigmoid, each one node.

Fusing the activation into the loss keeps them numerically stable (no log of 0, no overflow of
exp) and gives one short backward: ``(softmax(z) - t) / N`` and ``(sigmoid(z) - t) / n``.
Both are first-order only: their backward works on raw arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .graph import Op
from .tensor import Tensor, as_array

__all__ = ["softmax_cross_entropy", "sigmoid_binary_cross_entropy"]


class SoftmaxCrossEntropy(Op):
    """L = mean_n(logsumexp(z_n) - sum_k t_nk z_nk);  dL/dz = (softmax(z) * sum_k t - t) / N,
    dL/dt = -log_softmax(z) / N  (t: one-hot/probabilities, or int labels; first-order only)"""

    name = "softmax_cross_entropy"
    saves = True
    differentiable_twice = False

    @staticmethod
    def forward(logits, labels):
        z = logits.reshape(-1, logits.shape[-1])
        # ufunc reductions called directly: the ndarray methods add a Python-level wrapper each
        shifted = z - np.maximum.reduce(z, axis=1, keepdims=True)  # stable: exp never overflows
        probs = np.exp(shifted)
        sums = np.add.reduce(probs, axis=1, keepdims=True)
        probs /= sums
        log_norm = np.log(sums)  # log_softmax = shifted - log_norm
        n = z.shape[0]
        if labels.dtype.kind in "iu":
            rows, picked_cols = np.arange(n), labels.reshape(-1)
            loss = (np.add.reduce(log_norm, axis=None) - np.add.reduce(shifted[rows, picked_cols])) / n
            # int labels: dL/dz = (softmax - onehot) / N, made here in the array softmax already
            # filled; a list, so the freeing backward can take it (a retained one recomputes it)
            probs[rows, picked_cols] -= 1
            probs /= n
            return np.asarray(loss, dtype=logits.dtype), [probs]
        log_softmax = shifted - log_norm  # kept for the labels' own gradient
        loss = -(labels.reshape(z.shape) * log_softmax).sum() / n
        return np.asarray(loss, dtype=logits.dtype), (probs, log_softmax)

    @staticmethod
    def backward(g, out, saved, logits, labels):
        if labels.dtype.kind in "iu":
            if saved:  # the gradient made in forward, for dL = 1; used once, then it is the caller's
                dz = saved.pop()
                dz *= g
            else:  # a second backward through a retained graph: make it again
                dz = SoftmaxCrossEntropy.forward(logits, labels)[1][0] * g
            return dz.reshape(logits.shape), None
        probs, log_softmax = saved
        n = probs.shape[0]
        scale = g / n
        t = labels.reshape(probs.shape)
        dz = (probs * t.sum(axis=1, keepdims=True) - t) * scale
        return dz.reshape(logits.shape), (-log_softmax * scale).reshape(labels.shape)


class SigmoidBinaryCrossEntropy(Op):
    """L = mean(max(z, 0) - z t + log1p(exp(-|z|)));  dL/dz = (sigmoid(z) - t) / n, dL/dt = -z / n
    (first-order only)"""

    name = "sigmoid_binary_cross_entropy"
    saves = True
    differentiable_twice = False

    @staticmethod
    def forward(logits, targets):
        e = np.exp(-np.abs(logits))  # in (0, 1]: no overflow for any z
        loss = (np.maximum(logits, 0) - logits * targets + np.log1p(e)).mean(dtype=logits.dtype)
        sigmoid = np.where(logits >= 0, 1, e) / (1 + e)  # stable on both sides
        return np.asarray(loss, dtype=logits.dtype), sigmoid

    @staticmethod
    def backward(g, out, sigmoid, logits, targets):
        scale = g / logits.size
        return (sigmoid - targets) * scale, -logits * scale


def softmax_cross_entropy(logits: Any, labels: Any) -> Tensor:
    """Fused, numerically stable softmax + cross-entropy, averaged over the batch.

    ``L = mean_n(-sum_k t_nk log softmax(z_n)_k)``, computed as ``logsumexp(z) - t . z`` after
    subtracting each row's max, so large logits never overflow. The gradient with respect to the
    logits is ``(softmax(z) - t) / N``. First-order only.

    Args:
        logits: (N, K) scores (or (..., K): every leading position counts as a sample).
        labels: integer class indices of shape (N,) (sparse), or one-hot/probability rows (N, K).

    Example:
        >>> from autograd import Tensor, functional as F
        >>> z = Tensor([[2.0, 0.0], [0.0, 2.0]], requires_grad=True)
        >>> loss = F.softmax_cross_entropy(z, [0, 1])
        >>> round(loss.item(), 4)
        0.1269
        >>> loss.backward(); z.grad.astype(float).round(4).tolist()
        [[-0.0596, 0.0596], [0.0596, -0.0596]]
    """
    where = "softmax_cross_entropy"
    logits = logits if isinstance(logits, Tensor) else as_array(logits, where=where)
    zs = logits.shape
    if len(zs) < 1 or zs[-1] < 1:
        raise ValueError(f"{where}: logits must have a class axis (N, K), received logits.shape={zs}")
    raw = labels.data if isinstance(labels, Tensor) else np.asarray(labels)
    if raw.dtype.kind in "iu":
        if raw.shape != zs[:-1]:
            raise ValueError(
                f"{where}: integer labels must have shape {zs[:-1]} for logits.shape={zs}, "
                f"received labels.shape={raw.shape}"
            )
        # ufunc reductions called directly: the ndarray methods add a Python-level wrapper each
        if raw.size and (np.minimum.reduce(raw, axis=None) < 0
                         or np.maximum.reduce(raw, axis=None) >= zs[-1]):
            raise ValueError(
                f"{where}: labels must be class indices in [0, {zs[-1]}), "
                f"received values from {raw.min()} to {raw.max()}"
            )
    elif raw.dtype.kind == "f":
        if raw.shape != zs:
            raise ValueError(
                f"{where}: one-hot/probability labels must have the logits' shape {zs}, "
                f"received labels.shape={raw.shape}"
            )
    else:
        raise TypeError(f"{where}: labels must be ints or floats, received dtype {raw.dtype}")
    return Tensor._apply(SoftmaxCrossEntropy, logits, labels if isinstance(labels, Tensor) else raw)


def sigmoid_binary_cross_entropy(logits: Any, targets: Any) -> Tensor:
    """Fused, numerically stable sigmoid + binary cross-entropy, averaged over all elements.

    ``L = mean(-t log sigmoid(z) - (1 - t) log(1 - sigmoid(z))) = mean(max(z, 0) - z t +
    log1p(exp(-|z|)))``, which never overflows. ``dL/dz = (sigmoid(z) - t) / n``. First-order only.

    Args:
        logits: raw scores, any shape.
        targets: 0/1 labels or probabilities of the same shape.

    Example:
        >>> from autograd import Tensor, functional as F
        >>> z = Tensor([[0.0], [100.0]], requires_grad=True)
        >>> round(F.sigmoid_binary_cross_entropy(z, [[1.0], [0.0]]).item(), 4)   # (log 2 + 100) / 2
        50.3466
    """
    where = "sigmoid_binary_cross_entropy"
    logits = logits if isinstance(logits, Tensor) else as_array(logits, where=where)
    targets = targets if isinstance(targets, Tensor) else np.asarray(targets, dtype=logits.dtype)
    if targets.shape != logits.shape:
        raise ValueError(
            f"{where}: targets must have the logits' shape {logits.shape}, received targets.shape="
            f"{targets.shape} (reshape one of them; broadcasting here hides bugs)"
        )
    return Tensor._apply(SigmoidBinaryCrossEntropy, logits, targets)
