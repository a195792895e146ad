"""Network functions with their own backward: dense, conv2d, max/avg pooling, fused cross-entropy.

Images are NHWC (N, H, W, C) and kernels (KH, KW, C, F), as in Keras. Each function checks its
arguments (naming the function, the shapes and what was expected) and applies one op from
``autograd/ops/nn.py``, where the derivative rules are. Fused ops do in one node what would take
several, so a training step builds a smaller graph and fewer temporary arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .graph import Node
from .ops.kernels import out_and_pads
from .ops.nn import AvgPool2D, Conv2D, Dense, MaxPool2D, SigmoidBinaryCrossEntropy, SoftmaxCrossEntropy
from .tensor import Tensor
from .tensor_data import as_array

__all__ = [
    "dense", "conv2d", "max_pool2d", "avg_pool2d", "softmax_cross_entropy", "sigmoid_binary_cross_entropy",
    "check_padding", "out_and_pads", "pair",
]


def pair(value: int | tuple[int, int] | list[int], what: str, where: str) -> tuple[int, int]:
    """``3 -> (3, 3)``; ``(2, 1)`` stays; anything else (or < 1) raises ValueError naming ``where``."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        result = (int(value), int(value))
    elif isinstance(value, (tuple, list)) and len(value) == 2 and all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value
    ):
        result = (int(value[0]), int(value[1]))
    else:
        raise ValueError(f"{where}: {what} must be an int or a pair of ints, received {what}={value!r}")
    if min(result) < 1:
        raise ValueError(f"{where}: {what} must be positive, received {what}={value!r}")
    return result


def check_padding(padding: str, where: str) -> str:
    """The padding mode, lower-cased; anything but "valid"/"same" raises ValueError."""
    mode = padding.lower() if isinstance(padding, str) else padding
    if mode not in ("valid", "same"):
        raise ValueError(f"{where}: padding must be 'valid' or 'same', received padding={padding!r}")
    return mode



def _needs(x: Any) -> bool:
    return isinstance(x, Node) and x.requires_grad


def _shape(x: Any) -> tuple:
    return x.shape if isinstance(x, Tensor) else np.shape(x)


def _tensorish(x: Any, where: str) -> Any:
    """Tensors pass through; anything else becomes an ndarray constant (float32 for Python floats)."""
    return x if isinstance(x, Tensor) else as_array(x, where=where)


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


def conv2d(x: Any, kernel: Any, bias: Any = None, strides: int | tuple[int, int] = 1,
           padding: str = "valid") -> Tensor:
    """2-D convolution (cross-correlation, as in Keras/PyTorch) of NHWC images.

    ``y[n, p, q, f] = sum_{i, j, c} x_pad[n, p*sh + i, q*sw + j, c] * kernel[i, j, c, f] + bias[f]``.
    Computed as one matrix product of the im2col matrix (N*OH*OW, KH*KW*C) with the kernel.
    Differentiable twice (``create_graph=True`` records the backward as im2col/col2im products).

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
    strides = pair(strides, "strides", where)
    padding = check_padding(padding, where)
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
    pool = pair(pool_size, "pool_size", where)
    strides = pool if strides is None else pair(strides, "strides", where)
    padding = check_padding(padding, where)
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
    With "same" padding the padded cells never win. Differentiable twice.

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
    Differentiable twice.

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


def softmax_cross_entropy(logits: Any, labels: Any) -> Tensor:
    """Fused, numerically stable softmax + cross-entropy, averaged over the batch.

    ``L = mean_n(-sum_k t_nk log softmax(z_n)_k)``, computed as ``logsumexp(z) - t . z`` after
    subtracting each row's max, so large logits never overflow. The gradient with respect to the
    logits is ``(softmax(z) - t) / N``. Differentiable twice.

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
    log1p(exp(-|z|)))``, which never overflows. ``dL/dz = (sigmoid(z) - t) / n``.
    Differentiable twice.

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
