"""Array kernels with their own backward: dense, conv2d, max/avg pooling, fused cross-entropy losses.

Images are NHWC (N, H, W, C) and kernels (KH, KW, C, F), as in Keras. Each function validates its
inputs and applies one ``Op`` with ``Tensor._apply``; the numpy kernels live in ``kernels_conv.py``.
Fused ops do in one node what would take several, so a training step builds a smaller graph and
fewer temporary arrays. ``dense`` is differentiable twice; the others are first-order only: their
backward works on raw arrays, so ``create_graph=True`` does not record it (the gradients are right,
their own gradients are not tracked).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import kernels_conv as k
from .graph import Node, Op
from .tensor import Tensor, as_array
from .tensor_data import sum_rows

__all__ = [
    "dense", "conv2d", "max_pool2d", "avg_pool2d", "softmax_cross_entropy", "sigmoid_binary_cross_entropy",
]


def _needs(x: Any) -> bool:
    return isinstance(x, Node) and x.requires_grad


def _shape(x: Any) -> tuple:
    return x.shape if isinstance(x, Tensor) else np.shape(x)


def _raw(x: Any) -> Any:
    return x.data if isinstance(x, Node) else x


def _tensorish(x: Any, where: str) -> Any:
    """Tensors pass through; anything else becomes an ndarray constant (float32 for Python floats)."""
    return x if isinstance(x, Tensor) else as_array(x, where=where)


class Dense(Op):
    """y = act(x @ W + b), act = relu or identity;  with gz = g * act'(y): dx = gz @ W^T,
    dW = x^T @ gz, db = sum_rows(gz)  (x's leading axes all count as rows)"""

    name = "dense"

    @staticmethod
    def forward(x, kernel, bias, activation, needs):
        y = x @ kernel  # a fresh array: the bias and the relu go into it in place (no temporaries)
        if bias is not None:
            if y.dtype == bias.dtype:
                y += bias
            else:
                y = y + bias  # e.g. an int input: let numpy promote
        if activation == "relu":
            np.maximum(y, 0, out=y)
        return y

    @staticmethod
    def backward(g, out, x, kernel, bias, activation, needs):
        if activation == "relu":
            g = g * (_raw(out) > 0)  # the mask is locally constant: a raw array even under create_graph
        return _dense_grads(g, x, kernel, needs)

    @staticmethod
    def backward_owned(g, out, x, kernel, bias, activation, needs):
        if activation == "relu":
            np.multiply(g, out > 0, out=g)  # g is the pass's own fresh array: mask it in place
        return _dense_grads(g, x, kernel, needs)


def _dense_grads(gz: Any, x: Any, kernel: Any, needs: tuple) -> tuple:
    """The three gradients of ``x @ W + b`` given ``gz``, each computed only if needed."""
    rows = gz if gz.ndim == 2 else gz.reshape((-1, gz.shape[-1]))
    dx = dk = db = None
    if needs[0]:
        dx = gz @ kernel.T
    if needs[1]:
        x_rows = x if x.ndim == 2 else x.reshape((-1, x.shape[-1]))
        dk = x_rows.T @ rows
    if needs[2]:
        db = rows.sum(axis=0) if isinstance(rows, Node) else sum_rows(rows)
    return dx, dk, db, None, None


def dense(x: Any, kernel: Any, bias: Any = None, activation: str | None = None) -> Tensor:
    """Fully connected layer in one node: ``y = activation(x @ kernel + bias)``.

    The same numbers as ``(x @ kernel + bias).relu()``, but one graph node instead of three and
    one output array instead of three: the bias and the relu are applied in place. Differentiable
    twice. ``kernel`` is (in, out), as in Keras (PyTorch's ``linear`` takes its transpose).

    Args:
        x: inputs (..., in); every leading position is one row.
        kernel: weights (in, out).
        bias: optional (out,).
        activation: ``"relu"`` or ``None``/``"linear"`` (apply other activations to the result).

    Example:
        >>> from autograd import Tensor, functional as F
        >>> w = Tensor([[1.0, -1.0], [2.0, 0.0]], requires_grad=True)
        >>> y = F.dense(Tensor([[1.0, 1.0]]), w, Tensor([0.5, 0.5]), activation="relu")
        >>> y.data.tolist()
        [[3.5, 0.0]]
        >>> y.sum().backward(); w.grad.tolist()   # the second unit is off: no gradient
        [[1.0, 0.0], [1.0, 0.0]]
    """
    where = "dense"
    # checked inline: this runs once per layer per step, and each helper call is time on the clock
    x = x if isinstance(x, Tensor) else as_array(x, where=where)
    kernel = kernel if isinstance(kernel, Tensor) else as_array(kernel, where=where)
    xs, ks = x.shape, kernel.shape
    if len(ks) != 2:
        raise ValueError(f"{where}: kernel must be 2-D (in, out), received kernel.shape={ks}")
    if len(xs) < 1 or xs[-1] != ks[0]:
        raise ValueError(f"{where}: shapes {xs} and {ks} are not aligned: x's last axis must be {ks[0]}")
    if bias is not None:
        bias = bias if isinstance(bias, Tensor) else as_array(bias, where=where)
        if bias.shape != ks[1:]:
            raise ValueError(f"{where}: bias must have shape ({ks[1]},), received bias.shape={bias.shape}")
    if activation is not None and activation != "relu":
        if activation != "linear":
            raise ValueError(f"{where}: activation must be 'relu', 'linear' or None, received {activation!r}")
        activation = None
    needs = (isinstance(x, Tensor) and x.requires_grad, isinstance(kernel, Tensor) and kernel.requires_grad,
             isinstance(bias, Tensor) and bias.requires_grad)
    return Tensor._apply(Dense, x, kernel, bias, activation, needs)


class Conv2D(Op):
    """y = im2col(x) @ K + b;  dK = im2col(x).T @ g, db = sum g, dx = col2im(g @ K.T)  (first-order only)"""

    name = "conv2d"
    saves = True
    differentiable_twice = False

    @staticmethod
    def forward(x, kernel, bias, strides, padding, needs):
        y, cols = k.conv2d_forward(x, kernel, bias, strides, padding)
        # keep the im2col matrix only when dK needs it; a list so backward can drop it when done
        return y, [cols] if needs[1] else []

    @staticmethod
    def backward(g, out, saved, x, kernel, bias, strides, padding, needs):
        # pop: the big matrix is freed as soon as it is used, not when the whole backward ends;
        # a second backward (retain_graph=True) finds the list empty and recomputes it
        cols = saved.pop() if saved else None
        dx, dk, db = k.conv2d_backward(g, cols, x, kernel, strides, padding, *needs)
        return dx, dk, db, None, None, None


class MaxPool2D(Op):
    """y = max over each window;  dx = g routed to each window's (first) maximum  (first-order only)"""

    name = "max_pool2d"
    differentiable_twice = False

    @staticmethod
    def forward(x, pool, strides, padding):
        return k.max_pool_forward(x, pool, strides, padding)

    @staticmethod
    def backward(g, out, x, pool, strides, padding):
        return k.max_pool_backward(g, out, x, pool, strides, padding), None, None, None


class AvgPool2D(Op):
    """y = mean over each window's real cells;  dx = g / count, spread over the window  (first-order only)"""

    name = "avg_pool2d"
    differentiable_twice = False

    @staticmethod
    def forward(x, pool, strides, padding):
        return k.avg_pool_forward(x, pool, strides, padding)

    @staticmethod
    def backward(g, out, x, pool, strides, padding):
        return k.avg_pool_backward(g, x, pool, strides, padding), None, None, None


def conv2d(x: Any, kernel: Any, bias: Any = None, strides: int | tuple[int, int] = 1,
           padding: str = "valid") -> Tensor:
    """2-D convolution (cross-correlation, as in Keras/PyTorch) of NHWC images.

    ``y[n, p, q, f] = sum_{i, j, c} x_pad[n, p*sh + i, q*sw + j, c] * kernel[i, j, c, f] + bias[f]``.
    Computed as one matrix product of the im2col matrix (N*OH*OW, KH*KW*C) with the kernel.
    First-order only: gradients are exact, but not recorded under ``create_graph=True``.

    Args:
        x: images (N, H, W, C).
        kernel: filters (KH, KW, C, F).
        bias: optional (F,) added to every output position.
        strides: int or (sh, sw).
        padding: "valid" (no padding) or "same" (output ``ceil(H / sh)``; TensorFlow's asymmetric
            padding, the extra row/column at the bottom/right).

    Example:
        >>> from autograd import Tensor, functional as F
        >>> x = Tensor([[[[1.0], [2.0]], [[3.0], [4.0]]]])   # (1, 2, 2, 1)
        >>> kernel = Tensor([[[[1.0]]], [[[1.0]]]])   # (2, 1, 1, 1): each pixel plus the one below
        >>> F.conv2d(x, kernel, padding="same").data[0, :, :, 0].tolist()
        [[4.0, 6.0], [3.0, 4.0]]
    """
    where = "conv2d"
    x, kernel = _tensorish(x, where), _tensorish(kernel, where)
    xs, ks = _shape(x), _shape(kernel)
    if len(xs) != 4:
        raise ValueError(f"{where}: x must be 4-D (N, H, W, C), received x.shape={xs}")
    if len(ks) != 4:
        raise ValueError(f"{where}: kernel must be 4-D (KH, KW, C, F), received kernel.shape={ks}")
    if ks[2] != xs[3]:
        raise ValueError(
            f"{where}: x has {xs[3]} channels but the kernel expects {ks[2]}: "
            f"x.shape={xs} (N, H, W, C), kernel.shape={ks} (KH, KW, C, F)"
        )
    strides = k.pair(strides, "strides", where)
    padding = k.check_padding(padding, where)
    if padding == "valid" and (ks[0] > xs[1] or ks[1] > xs[2]):
        raise ValueError(
            f"{where}: kernel {ks[:2]} is larger than the input {xs[1:3]} with padding='valid': "
            f"x.shape={xs}, kernel.shape={ks}"
        )
    if bias is not None:
        bias = _tensorish(bias, where)
        if _shape(bias) != (ks[3],):
            raise ValueError(f"{where}: bias must have shape ({ks[3]},), received bias.shape={_shape(bias)}")
    needs = (_needs(x), _needs(kernel), _needs(bias))
    return Tensor._apply(Conv2D, x, kernel, bias, strides, padding, needs)


def _pool_args(x: Any, pool_size: Any, strides: Any, padding: str, where: str) -> tuple:
    x = _tensorish(x, where)
    if len(_shape(x)) != 4:
        raise ValueError(f"{where}: x must be 4-D (N, H, W, C), received x.shape={_shape(x)}")
    pool = k.pair(pool_size, "pool_size", where)
    strides = pool if strides is None else k.pair(strides, "strides", where)
    padding = k.check_padding(padding, where)
    if padding == "valid" and (pool[0] > _shape(x)[1] or pool[1] > _shape(x)[2]):
        raise ValueError(
            f"{where}: pool_size {pool} is larger than the input {_shape(x)[1:3]} with padding='valid': "
            f"x.shape={_shape(x)}"
        )
    return x, pool, strides, padding


def max_pool2d(x: Any, pool_size: int | tuple[int, int] = 2, strides: int | tuple[int, int] | None = None,
               padding: str = "valid") -> Tensor:
    """Max pooling of NHWC images: ``y[n, p, q, c] = max over the window at (p, q) of x``.

    The gradient goes to each window's maximum (on ties, to the first one, as in PyTorch).
    With "same" padding the padded cells never win. First-order only.

    Args:
        x: images (N, H, W, C).
        pool_size: int or (ph, pw).
        strides: int or pair; defaults to ``pool_size`` (Keras).
        padding: "valid" or "same" (TensorFlow rules, as in ``conv2d``).

    Example:
        >>> from autograd import Tensor, functional as F
        >>> x = Tensor([[[[1.0], [5.0]], [[3.0], [2.0]]]])
        >>> F.max_pool2d(x).data.ravel().tolist()
        [5.0]
    """
    x, pool, strides, padding = _pool_args(x, pool_size, strides, padding, "max_pool2d")
    return Tensor._apply(MaxPool2D, x, pool, strides, padding)


def avg_pool2d(x: Any, pool_size: int | tuple[int, int] = 2, strides: int | tuple[int, int] | None = None,
               padding: str = "valid") -> Tensor:
    """Average pooling of NHWC images: ``y[n, p, q, c] = mean of x over the window at (p, q)``.

    With "same" padding each window averages only its real (unpadded) cells, as Keras does.
    First-order only.

    Args:
        x: images (N, H, W, C).
        pool_size: int or (ph, pw).
        strides: int or pair; defaults to ``pool_size`` (Keras).
        padding: "valid" or "same".

    Example:
        >>> from autograd import Tensor, functional as F
        >>> F.avg_pool2d(Tensor([[[[1.0], [5.0]], [[3.0], [3.0]]]])).data.ravel().tolist()
        [3.0]
    """
    x, pool, strides, padding = _pool_args(x, pool_size, strides, padding, "avg_pool2d")
    return Tensor._apply(AvgPool2D, x, pool, strides, padding)



# --- fused losses -------------------------------------------------------------------------------
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
    logits = _tensorish(logits, where)
    targets = targets if isinstance(targets, Tensor) else np.asarray(targets, dtype=logits.dtype)
    if _shape(targets) != _shape(logits):
        raise ValueError(
            f"{where}: targets must have the logits' shape {_shape(logits)}, received targets.shape="
            f"{_shape(targets)} (reshape one of them; broadcasting here hides bugs)"
        )
    return Tensor._apply(SigmoidBinaryCrossEntropy, logits, targets)
