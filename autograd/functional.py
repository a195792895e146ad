"""Array kernels with their own backward: dense, conv2d, max/avg pooling, fused cross-entropy losses.

Images are NHWC (N, H, W, C) and kernels (KH, KW, C, F), as in Keras. Each function validates its
inputs and applies one ``Op`` with ``Tensor._apply``; the numpy kernels live in ``kernels_conv.py``
and the two losses in ``fused_losses.py``.
Fused ops do in one node what would take several, so a training step builds a smaller graph and
fewer temporary arrays. ``dense`` is differentiable twice; the others are first-order only: their
backward works on raw arrays, so ``create_graph=True`` does not record it (the gradients are right,
their own gradients are not tracked).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import kernels_conv as k
from .fused_losses import (  # noqa: F401 (the op classes)
    SigmoidBinaryCrossEntropy,
    SoftmaxCrossEntropy,
    sigmoid_binary_cross_entropy,
    softmax_cross_entropy,
)
from .graph import Node, Op, _raw
from .tensor import Tensor, as_array

__all__ = [
    "dense", "conv2d", "max_pool2d", "avg_pool2d", "softmax_cross_entropy", "sigmoid_binary_cross_entropy",
]


def _needs(x: Any) -> bool:
    return isinstance(x, Node) and x.requires_grad


def _shape(x: Any) -> tuple:
    return x.shape if isinstance(x, Tensor) else np.shape(x)


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
        db = rows.sum(axis=0)
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
    x, kernel = _tensorish(x, where), _tensorish(kernel, where)
    xs, ks = x.shape, kernel.shape
    if len(ks) != 2:
        raise ValueError(f"{where}: kernel must be 2-D (in, out), received kernel.shape={ks}")
    if len(xs) < 1 or xs[-1] != ks[0]:
        raise ValueError(f"{where}: shapes {xs} and {ks} are not aligned: x's last axis must be {ks[0]}")
    if bias is not None:
        bias = _tensorish(bias, where)
        if bias.shape != ks[1:]:
            raise ValueError(f"{where}: bias must have shape ({ks[1]},), received bias.shape={bias.shape}")
    if activation == "linear":
        activation = None
    elif activation not in (None, "relu"):
        raise ValueError(f"{where}: activation must be 'relu', 'linear' or None, received {activation!r}")
    needs = (_needs(x), _needs(kernel), _needs(bias))
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
