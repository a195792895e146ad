"""``nn.ops``: Keras 3's ``keras.ops`` functions on stepgrad Tensors and numpy arrays.

Every function accepts Tensors, ndarrays, lists and numbers, and returns a ``Tensor`` (as Keras's ops
return backend tensors); ``convert_to_numpy`` and ``shape`` are the ways back out. Where Keras's op
is differentiable, so is this one: it is written with Tensor operations, so gradients flow through
to any input Tensor that requires them. ``argmax``, ``argmin``, ``one_hot``, ``shape`` and the
constructors have no gradient (as in Keras).

Example:
    >>> from autograd import Tensor
    >>> from nn import ops
    >>> x = Tensor([[1.0, -2.0, 3.0]], requires_grad=True)
    >>> y = ops.sum(ops.square(ops.relu(x)))
    >>> y.backward()
    >>> y.item(), x.grad.tolist()
    (10.0, [[2.0, 0.0, 6.0]])
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor

from . import activations

__all__ = [
    "abs", "add", "arange", "argmax", "argmin", "cast", "clip", "concatenate", "convert_to_numpy",
    "convert_to_tensor", "divide", "exp", "expand_dims", "full", "leaky_relu", "log", "log_softmax",
    "logsumexp", "matmul", "max", "maximum", "mean", "min", "minimum", "multiply", "negative", "one_hot",
    "ones", "ones_like", "power", "relu", "reshape", "shape", "sigmoid", "silu", "softmax", "softplus",
    "sqrt", "square", "squeeze", "stack", "std", "subtract", "sum", "tanh", "transpose", "var", "where",
    "zeros", "zeros_like",
]

Axis = int | tuple[int, ...] | None


def _dtype(dtype: Any, default: Any = "float32") -> np.dtype:
    return np.dtype(default if dtype is None else dtype)


def convert_to_tensor(x: Any, dtype: Any = None, sparse: bool | None = None) -> Tensor:
    """``x`` as a Tensor: Tensors pass through (cast when ``dtype`` differs); arrays keep their dtype,
    Python floats become float32 (Keras's default float).

    Example:
        >>> convert_to_tensor([1.0, 2.0]).dtype, convert_to_tensor([1, 2], dtype="float32").dtype
        (dtype('float32'), dtype('float32'))
    """
    if sparse:
        raise ValueError("convert_to_tensor: sparse tensors do not exist in stepgrad, received sparse=True")
    if isinstance(x, Tensor):
        return x if dtype is None or x.dtype == np.dtype(dtype) else x.astype(dtype)
    if hasattr(x, "detach") and hasattr(x, "numpy"):  # a torch tensor (Keras's torch backend)
        x = x.detach().cpu().numpy()
    return Tensor(x if dtype is None else np.asarray(x, dtype=np.dtype(dtype)))


_t = convert_to_tensor


def convert_to_numpy(x: Any) -> np.ndarray:
    """The numbers of ``x`` as an ndarray (a Tensor's data is shared, not copied)."""
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def shape(x: Any) -> tuple[int, ...]:
    """The shape of ``x`` as a tuple of ints."""
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


def cast(x: Any, dtype: Any) -> Tensor:
    """``x`` converted to ``dtype``; differentiable between float dtypes (the gradient is cast back)."""
    return _t(x).astype(np.dtype(dtype))


# --- constructors (no gradient) ----------------------------------------------------------------------
def ones(shape: Any, dtype: Any = None) -> Tensor:
    """A Tensor of ones (float32 unless ``dtype``)."""
    return Tensor(np.ones(shape, dtype=_dtype(dtype)))


def zeros(shape: Any, dtype: Any = None) -> Tensor:
    """A Tensor of zeros (float32 unless ``dtype``)."""
    return Tensor(np.zeros(shape, dtype=_dtype(dtype)))


def full(shape: Any, fill_value: float, dtype: Any = None) -> Tensor:
    """A Tensor of ``fill_value`` (float32 unless ``dtype``)."""
    return Tensor(np.full(shape, fill_value, dtype=_dtype(dtype)))


def ones_like(x: Any, dtype: Any = None) -> Tensor:
    """Ones with the shape (and dtype, unless given) of ``x``."""
    return Tensor(np.ones(shape(x), dtype=_dtype(dtype, _t(x).dtype)))


def zeros_like(x: Any, dtype: Any = None) -> Tensor:
    """Zeros with the shape (and dtype, unless given) of ``x``."""
    return Tensor(np.zeros(shape(x), dtype=_dtype(dtype, _t(x).dtype)))


def arange(start: float, stop: float | None = None, step: float = 1, dtype: Any = None) -> Tensor:
    """``start, start + step, ...`` below ``stop`` (numpy's ``arange``; ints stay ints, as Keras)."""
    return Tensor(np.arange(start, stop, step, dtype=None if dtype is None else np.dtype(dtype)))


def one_hot(x: Any, num_classes: int, axis: int = -1, dtype: Any = None, sparse: bool = False) -> Tensor:
    """``out[..., k] = 1`` where ``x == k``, else 0; labels outside ``[0, num_classes)`` give all zeros.

    Example:
        >>> one_hot([0, 2], 3).numpy().tolist()
        [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    if sparse:
        raise ValueError("one_hot: sparse tensors do not exist in stepgrad, received sparse=True")
    labels = np.asarray(convert_to_numpy(x))
    if labels.dtype.kind not in "iub":
        if not np.all(np.mod(labels, 1) == 0):
            raise ValueError(f"one_hot: x must hold integer class indices, received dtype {labels.dtype}")
        labels = labels.astype(np.int64)
    out = (labels[..., None] == np.arange(int(num_classes))).astype(_dtype(dtype))
    return Tensor(np.moveaxis(out, -1, axis) if axis != -1 else out)


# --- shapes ------------------------------------------------------------------------------------------
def expand_dims(x: Any, axis: Axis) -> Tensor:
    """Insert a size-1 axis at ``axis``."""
    return _t(x).expand_dims(axis)


def squeeze(x: Any, axis: Axis = None) -> Tensor:
    """Remove size-1 axes (all of them, or ``axis``)."""
    return _t(x).squeeze(axis)


def reshape(x: Any, newshape: Any) -> Tensor:
    """The same numbers in shape ``newshape`` (one entry may be -1)."""
    newshape = (newshape,) if isinstance(newshape, (int, np.integer)) else tuple(newshape)
    return _t(x).reshape(*newshape)


def transpose(x: Any, axes: Any = None) -> Tensor:
    """Permute the axes (reverse them when ``axes`` is None)."""
    x = _t(x)
    return x.transpose(*(range(x.ndim - 1, -1, -1) if axes is None else axes))


def concatenate(xs: list[Any], axis: int = 0) -> Tensor:
    """Join along an existing axis."""
    return autograd.concatenate([_t(x) for x in xs], axis=axis)


def stack(x: list[Any], axis: int = 0) -> Tensor:
    """Join along a new axis."""
    return autograd.stack([_t(v) for v in x], axis=axis)


# --- arithmetic --------------------------------------------------------------------------------------
def add(x1: Any, x2: Any) -> Tensor:
    """``x1 + x2`` (broadcasting)."""
    return _t(x1) + _t(x2)


def subtract(x1: Any, x2: Any) -> Tensor:
    """``x1 - x2``."""
    return _t(x1) - _t(x2)


def multiply(x1: Any, x2: Any) -> Tensor:
    """``x1 * x2``."""
    return _t(x1) * _t(x2)


def divide(x1: Any, x2: Any) -> Tensor:
    """``x1 / x2``."""
    return _t(x1) / _t(x2)


def negative(x: Any) -> Tensor:
    """``-x``."""
    return -_t(x)


def power(x1: Any, x2: Any) -> Tensor:
    """``x1 ** x2``."""
    return _t(x1) ** (x2 if isinstance(x2, (int, float)) else _t(x2))


def matmul(x1: Any, x2: Any) -> Tensor:
    """Matrix product with numpy's rules (batched over leading axes)."""
    return _t(x1) @ _t(x2)


def square(x: Any) -> Tensor:
    """``x * x``."""
    x = _t(x)
    return x * x


def sqrt(x: Any) -> Tensor:
    """``x ** 0.5``; d/dx = 1 / (2 sqrt(x))."""
    return _t(x).sqrt()


def exp(x: Any) -> Tensor:
    """``e ** x``."""
    return _t(x).exp()


def log(x: Any) -> Tensor:
    """Natural logarithm."""
    return _t(x).log()


def abs(x: Any) -> Tensor:  # noqa: A001 - Keras's name
    """``|x|``; the gradient is ``sign(x)``."""
    return _t(x).abs()


def maximum(x1: Any, x2: Any) -> Tensor:
    """Elementwise ``max(x1, x2)``."""
    return autograd.maximum(_t(x1), _t(x2))


def minimum(x1: Any, x2: Any) -> Tensor:
    """Elementwise ``min(x1, x2)``."""
    return autograd.minimum(_t(x1), _t(x2))


def clip(x: Any, x_min: float, x_max: float) -> Tensor:
    """``min(max(x, x_min), x_max)``; the gradient flows where ``x_min <= x <= x_max``."""
    return _t(x).clip(x_min, x_max)


def where(condition: Any, x1: Any = None, x2: Any = None) -> Tensor | tuple[Tensor, ...]:
    """``x1`` where ``condition`` holds, else ``x2``; with neither, the indices where it holds (numpy).

    Example:
        >>> where([True, False], [1.0, 2.0], [10.0, 20.0]).numpy().tolist()
        [1.0, 20.0]
    """
    cond = np.asarray(convert_to_numpy(condition), dtype=bool)
    if x1 is None and x2 is None:
        return tuple(Tensor(i) for i in np.nonzero(cond))
    if x1 is None or x2 is None:
        raise ValueError("where: give both x1 and x2, or neither")
    return autograd.where(cond, _t(x1), _t(x2))


# --- reductions --------------------------------------------------------------------------------------
def sum(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001 - Keras's name
    """Sum over ``axis`` (all axes when None)."""
    return _t(x).sum(axis=axis, keepdims=keepdims)


def mean(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Mean over ``axis``."""
    return _t(x).mean(axis=axis, keepdims=keepdims)


def max(x: Any, axis: Axis = None, keepdims: bool = False, initial: float | None = None) -> Tensor:  # noqa: A001
    """Maximum over ``axis``; ties share the gradient. ``initial`` is a floor, as in numpy."""
    out = _t(x).max(axis=axis, keepdims=keepdims)
    return out if initial is None else autograd.maximum(out, initial)


def min(x: Any, axis: Axis = None, keepdims: bool = False, initial: float | None = None) -> Tensor:  # noqa: A001
    """Minimum over ``axis``; ``initial`` is a ceiling."""
    out = _t(x).min(axis=axis, keepdims=keepdims)
    return out if initial is None else autograd.minimum(out, initial)


def var(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Variance ``mean((x - mean(x))**2)`` over ``axis``."""
    return _t(x).var(axis=axis, keepdims=keepdims)


def std(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Standard deviation, ``sqrt(var(x))``."""
    return var(x, axis, keepdims).sqrt()


def logsumexp(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """``log(sum(exp(x)))`` over ``axis``, computed stably."""
    return _t(x).logsumexp(axis=axis, keepdims=keepdims)


def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """Index of the largest entry along ``axis`` (of the flattened ``x`` when None); no gradient."""
    return Tensor(np.argmax(convert_to_numpy(x), axis=axis, keepdims=keepdims))


def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """Index of the smallest entry along ``axis``; no gradient."""
    return Tensor(np.argmin(convert_to_numpy(x), axis=axis, keepdims=keepdims))


# --- activations (Keras's keras.ops.nn spellings, also at keras.ops) ---------------------------------
def relu(x: Any) -> Tensor:
    """``max(x, 0)``."""
    return _t(x).relu()


def sigmoid(x: Any) -> Tensor:
    """``1 / (1 + exp(-x))``."""
    return _t(x).sigmoid()


def tanh(x: Any) -> Tensor:
    """Hyperbolic tangent."""
    return _t(x).tanh()


def softmax(x: Any, axis: int = -1) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``axis``."""
    return _t(x).softmax(axis=axis)


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    """``x - logsumexp(x)`` along ``axis``."""
    return _t(x).log_softmax(axis=axis)


def leaky_relu(x: Any, negative_slope: float = 0.2) -> Tensor:
    """``x`` for ``x > 0``, else ``negative_slope * x`` (Keras's default slope 0.2)."""
    return _t(x).leaky_relu(negative_slope)


def silu(x: Any) -> Tensor:
    """``x * sigmoid(x)``."""
    return activations.silu(_t(x))


def softplus(x: Any) -> Tensor:
    """``log(1 + exp(x))``, computed without overflow."""
    return activations.softplus(_t(x))

