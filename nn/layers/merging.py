"""Merge layers: combine a list of tensors into one (``Add``, ``Subtract``, ``Multiply``, ``Average``,
``Maximum``, ``Minimum``, ``Concatenate``) and their functional twins (``add([a, b])``, ...).

Keras semantics: the layer is called on a *list* of inputs, ``Add()([x1, x2])``. Elementwise merges
need shapes that broadcast to one shape; ``Concatenate`` needs every axis but ``axis`` to agree.

Example:
    >>> import numpy as np
    >>> from nn.layers import Add, concatenate
    >>> a, b = np.ones((2, 3)), np.full((2, 3), 2.0)
    >>> Add()([a, b]).numpy().tolist()
    [[3.0, 3.0, 3.0], [3.0, 3.0, 3.0]]
    >>> concatenate([a, b]).shape
    (2, 6)
"""

from __future__ import annotations

from functools import reduce
from typing import Any

import numpy as np

from autograd import Tensor
from autograd import concatenate as cat
from autograd import maximum as elementwise_max
from autograd import minimum as elementwise_min

from .base import Layer, Shape, as_shape, as_tensor


class Merge(Layer):
    """Base of the merge layers: checks the list of inputs and their shapes, then ``merge(tensors)``.

    ``build``, ``compute_output_shape`` and ``forward`` receive lists (of shapes or Tensors), as Keras's
    merge layers do. Subclasses define ``merge(tensors)`` and, when they need it, ``merge_shape``.
    """

    min_inputs = 2
    max_inputs: int | None = None

    def __init__(self, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)

    def _check_count(self, count: int) -> None:
        exact = self.max_inputs == self.min_inputs
        if count < self.min_inputs or (self.max_inputs is not None and count > self.max_inputs):
            need = f"exactly {self.min_inputs}" if exact else f"at least {self.min_inputs}"
            raise ValueError(f"{self._where}: expected a list of {need} inputs, received {count}")

    def __call__(self, inputs: Any, training: bool | None = None) -> Tensor:
        """``merge([as_tensor(x) for x in inputs])`` after checking the shapes (built once)."""
        if not isinstance(inputs, (list, tuple)):
            raise TypeError(f"{self._where}: a merge layer is called on a list of inputs, e.g. "
                            f"{type(self).__name__}()([x1, x2]); received one {type(inputs).__name__}")
        self._check_count(len(inputs))
        tensors = [as_tensor(x, self._where) for x in inputs]
        self.maybe_build([t.shape for t in tensors])
        return self.forward(tensors)

    def maybe_build(self, input_shape: Any) -> Any:
        shapes = [as_shape(s, self._where) for s in input_shape]
        self._check_count(len(shapes))
        out = self.compute_output_shape(shapes)  # raises on shapes that do not fit together
        if not self.built:
            self.build(shapes)
            self.built, self._build_input_shape = True, shapes
        return out

    def compute_output_shape(self, input_shape: list[Shape]) -> tuple:
        try:
            return broadcast_shapes(input_shape)
        except ValueError:
            raise ValueError(f"{self._where}: inputs must have shapes that broadcast to one shape, received "
                             f"shapes {[tuple(s) for s in input_shape]}") from None

    def forward(self, tensors: list[Tensor]) -> Tensor:
        return self.merge(tensors)

    def merge(self, tensors: list[Tensor]) -> Tensor:
        raise NotImplementedError  # pragma: no cover - every subclass defines it


def broadcast_shapes(shapes: list[Shape]) -> tuple:
    """numpy's broadcasting on shapes that may hold None (unknown sizes stay unknown)."""
    ndim = max(len(s) for s in shapes)
    out = []
    for axis in range(-ndim, 0):
        sizes = {s[axis] for s in shapes if len(s) >= -axis} - {1}
        known = sizes - {None}
        if len(known) > 1:
            raise ValueError("shapes do not broadcast")
        out.append(known.pop() if known else (None if None in sizes else 1))
    return tuple(out)


class Add(Merge):
    """``y = x1 + x2 + ...`` (elementwise, with broadcasting).

    Example:
        >>> from nn.layers import Add
        >>> Add()([[[1.0, 2.0]], [[10.0, 20.0]], [[100.0, 200.0]]]).numpy().tolist()
        [[111.0, 222.0]]
    """

    def merge(self, tensors: list[Tensor]) -> Tensor:
        return reduce(lambda a, b: a + b, tensors)


class Subtract(Merge):
    """``y = x1 - x2`` (exactly two inputs).

    Example:
        >>> from nn.layers import Subtract
        >>> Subtract()([[[5.0, 5.0]], [[1.0, 2.0]]]).numpy().tolist()
        [[4.0, 3.0]]
    """

    max_inputs = 2

    def merge(self, tensors: list[Tensor]) -> Tensor:
        return tensors[0] - tensors[1]


class Multiply(Merge):
    """``y = x1 * x2 * ...`` (elementwise).

    Example:
        >>> from nn.layers import Multiply
        >>> Multiply()([[[2.0, 3.0]], [[4.0, 5.0]]]).numpy().tolist()
        [[8.0, 15.0]]
    """

    def merge(self, tensors: list[Tensor]) -> Tensor:
        return reduce(lambda a, b: a * b, tensors)


class Average(Merge):
    """``y = (x1 + ... + xn) / n``.

    Example:
        >>> from nn.layers import Average
        >>> Average()([[[2.0, 3.0]], [[4.0, 5.0]]]).numpy().tolist()
        [[3.0, 4.0]]
    """

    def merge(self, tensors: list[Tensor]) -> Tensor:
        return reduce(lambda a, b: a + b, tensors) * (1.0 / len(tensors))


class Maximum(Merge):
    """``y = max(x1, ..., xn)`` elementwise; the gradient goes to the largest input.

    Example:
        >>> from nn.layers import Maximum
        >>> Maximum()([[[2.0, 5.0]], [[4.0, 3.0]]]).numpy().tolist()
        [[4.0, 5.0]]
    """

    def merge(self, tensors: list[Tensor]) -> Tensor:
        return reduce(elementwise_max, tensors)


class Minimum(Merge):
    """``y = min(x1, ..., xn)`` elementwise.

    Example:
        >>> from nn.layers import Minimum
        >>> Minimum()([[[2.0, 5.0]], [[4.0, 3.0]]]).numpy().tolist()
        [[2.0, 3.0]]
    """

    def merge(self, tensors: list[Tensor]) -> Tensor:
        return reduce(elementwise_min, tensors)


class Concatenate(Merge):
    """Join the inputs along ``axis`` (default the last); every other axis must match.

    Example:
        >>> import numpy as np
        >>> from nn.layers import Concatenate
        >>> Concatenate()([np.zeros((2, 3)), np.ones((2, 4))]).shape
        (2, 7)
    """

    def __init__(self, axis: int = -1, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"{self._where}: axis must be an int, received axis={axis!r}")
        self.axis = int(axis)

    def compute_output_shape(self, input_shape: list[Shape]) -> tuple:
        ranks = {len(s) for s in input_shape}
        shapes = [tuple(s) for s in input_shape]
        if len(ranks) != 1 or not -len(shapes[0]) <= self.axis < len(shapes[0]):
            raise ValueError(f"{self._where}: inputs must have the same rank and axis={self.axis} inside it, "
                             f"received shapes {shapes}")
        axis = self.axis % len(shapes[0])
        out = []
        for i, sizes in enumerate(zip(*shapes, strict=True)):
            if i == axis:
                out.append(None if None in sizes else sum(sizes))
                continue
            known = {n for n in sizes if n is not None}
            if len(known) > 1:
                raise ValueError(f"{self._where}: inputs must match on every axis but axis={self.axis}, "
                                 f"received shapes {shapes}")
            out.append(known.pop() if known else None)
        return tuple(out)

    def merge(self, tensors: list[Tensor]) -> Tensor:
        return cat(tensors, axis=self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


def add(inputs: list[Any], **kwargs: Any) -> Tensor:
    """``Add(**kwargs)(inputs)``: the elementwise sum of a list of tensors."""
    return Add(**kwargs)(inputs)


def subtract(inputs: list[Any], **kwargs: Any) -> Tensor:
    """``Subtract(**kwargs)(inputs)``: ``inputs[0] - inputs[1]``."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs: list[Any], **kwargs: Any) -> Tensor:
    """``Multiply(**kwargs)(inputs)``: the elementwise product."""
    return Multiply(**kwargs)(inputs)


def average(inputs: list[Any], **kwargs: Any) -> Tensor:
    """``Average(**kwargs)(inputs)``: the elementwise mean."""
    return Average(**kwargs)(inputs)


def maximum(inputs: list[Any], **kwargs: Any) -> Tensor:
    """``Maximum(**kwargs)(inputs)``: the elementwise maximum."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs: list[Any], **kwargs: Any) -> Tensor:
    """``Minimum(**kwargs)(inputs)``: the elementwise minimum."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs: list[Any], axis: int = -1, **kwargs: Any) -> Tensor:
    """``Concatenate(axis, **kwargs)(inputs)``: the inputs joined along ``axis``."""
    return Concatenate(axis=axis, **kwargs)(inputs)
