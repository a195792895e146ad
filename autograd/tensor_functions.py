"""Functions of several tensors: ``concatenate``, ``stack``, ``where``, ``maximum``, ``minimum``."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import tensor_ops as ops
from . import tensor_shape as shp
from .tensor import Tensor
from .tensor_data import as_array, operand


def _tensor(x: Any, where: str) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(as_array(x, where=where))


def concatenate(tensors: list[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing ``axis``; the gradient is sliced back to each input.

    Example:
        >>> from autograd import Tensor, concatenate
        >>> concatenate([Tensor.ones(2, 3), Tensor.zeros(1, 3)]).shape
        (3, 3)

    Args:
        tensors: Tensors (or arrays) with equal shapes except along ``axis``.
        axis: the axis to join along (negative counts from the end).
    """
    xs = [_tensor(x, "concatenate") for x in tensors]
    if not xs:
        raise ValueError("concatenate: expected at least one tensor, received an empty list")
    ndim = xs[0].ndim
    if not -ndim <= axis < ndim:
        raise ValueError(f"concatenate: axis {axis} is out of range for {ndim}-d tensors")
    return Tensor._apply(shp.Concatenate, axis % ndim, *xs)


def stack(tensors: list[Any], axis: int = 0) -> Tensor:
    """Join same-shape tensors along a new ``axis`` (expand_dims, then concatenate).

    Example:
        >>> from autograd import Tensor, stack
        >>> stack([Tensor.ones(3), Tensor.zeros(3)], axis=1).shape
        (3, 2)
    """
    xs = [_tensor(x, "stack") for x in tensors]
    if not xs:
        raise ValueError("stack: expected at least one tensor, received an empty list")
    shapes = {x.shape for x in xs}
    if len(shapes) > 1:
        raise ValueError(f"stack: all tensors must have the same shape, received shapes {sorted(shapes)}")
    ndim = xs[0].ndim + 1
    if not -ndim <= axis < ndim:
        raise ValueError(f"stack: axis {axis} is out of range for the {ndim}-d result")
    return concatenate([x.expand_dims(axis % ndim) for x in xs], axis=axis % ndim)


def where(cond: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``cond`` is true, else ``b`` (broadcasting); each branch gets the gradient it chose.

    Example:
        >>> from autograd import Tensor, where
        >>> x = Tensor([-1.0, 2.0])
        >>> where(x > 0, x, 0.0).numpy().tolist()
        [0.0, 2.0]
    """
    cond = np.asarray(cond.data if isinstance(cond, Tensor) else cond, dtype=bool)
    return Tensor._apply(ops.Where, cond, operand(a, "where"), operand(b, "where"))


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise max(a, b); at ties each side gets half the gradient (as PyTorch)."""
    return Tensor._apply(ops.Maximum, operand(a, "maximum"), operand(b, "maximum"))


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise min(a, b); at ties each side gets half the gradient (as PyTorch)."""
    return Tensor._apply(ops.Minimum, operand(a, "minimum"), operand(b, "minimum"))
