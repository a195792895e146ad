"""Activation layers with parameters: ``ReLU``, ``LeakyReLU``, ``PReLU`` (learned slope) and ``Softmax``.

Keras 3 names and defaults: ``LeakyReLU(negative_slope=0.3)``, ``ReLU(max_value=None,
negative_slope=0.0, threshold=0.0)``, ``PReLU`` with one ``alpha`` per input entry (``shared_axes``
share it along axes), ``Softmax(axis=-1)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, where

from .base import Layer, Shape


def _number(where: str, name: str, value: Any, minimum: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or (
            minimum is not None and value < minimum):
        limit = "" if minimum is None else f" >= {minimum:g}"
        raise ValueError(f"{where}: {name} must be a number{limit}, received {name}={value!r}")
    return float(value)


class ReLU(Layer):
    """``f(x) = min(x, max_value)`` for ``x >= threshold``, else ``negative_slope * (x - threshold)``.

    Example:
        >>> from nn.layers import ReLU
        >>> ReLU(max_value=6.0)([[-1.0, 3.0, 9.0]]).numpy().tolist()
        [[0.0, 3.0, 6.0]]
        >>> ReLU(negative_slope=0.5, threshold=1.0)([[0.0, 2.0]]).numpy().tolist()
        [[-0.5, 2.0]]
    """

    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0, threshold: float = 0.0,
                 input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        self.max_value = None if max_value is None else _number(self._where, "max_value", max_value, 0.0)
        self.negative_slope = _number(self._where, "negative_slope", negative_slope, 0.0)
        self.threshold = _number(self._where, "threshold", threshold, 0.0)  # Keras refuses negative ones
        self._build_if_declared()

    def forward(self, x: Tensor) -> Tensor:
        if self.threshold == 0.0:  # the common case: the engine's own relu / leaky_relu node
            y = x.relu() if self.negative_slope == 0.0 else x.leaky_relu(self.negative_slope)
        else:
            below = (x - self.threshold) * self.negative_slope
            y = where(x.data >= self.threshold, x, below)
        return y if self.max_value is None else y.clip(None, self.max_value)

    def extra_repr(self) -> str:
        return f"max_value={self.max_value}, negative_slope={self.negative_slope}, threshold={self.threshold}"


class LeakyReLU(Layer):
    """``f(x) = x`` for ``x >= 0``, else ``negative_slope * x`` (Keras's default slope 0.3).

    Example:
        >>> from nn.layers import LeakyReLU
        >>> LeakyReLU()([[-10.0, 2.0]]).numpy().tolist()
        [[-3.0, 2.0]]
    """

    def __init__(self, negative_slope: float = 0.3, input_shape: Any = None, name: str | None = None,
                 alpha: float | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        if alpha is not None:  # Keras 2 spelling, still accepted by Keras 3
            negative_slope = alpha
        self.negative_slope = _number(self._where, "negative_slope", negative_slope, 0.0)
        self._build_if_declared()

    def forward(self, x: Tensor) -> Tensor:
        return x.leaky_relu(self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class PReLU(Layer):
    """Leaky ReLU with a learned slope: ``f(x) = max(x, 0) + alpha * min(x, 0)``.

    ``alpha`` has the shape of one sample (``input_shape[1:]``), with size 1 on each of
    ``shared_axes`` (e.g. ``shared_axes=[1, 2]`` on images: one slope per channel).

    Example:
        >>> import numpy as np
        >>> from nn.layers import PReLU
        >>> layer = PReLU(alpha_initializer="ones", shared_axes=[1, 2])
        >>> layer(np.full((1, 4, 4, 3), -2.0)).numpy()[0, 0, 0].tolist(), layer.alpha.shape
        ([-2.0, -2.0, -2.0], (1, 1, 3))
    """

    min_ndim = 2

    def __init__(self, alpha_initializer: Any = "zeros", shared_axes: Any = None, input_shape: Any = None,
                 name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        self.alpha_initializer = alpha_initializer
        axes = [] if shared_axes is None else list(np.atleast_1d(shared_axes))
        if any(isinstance(a, bool) or not isinstance(a, (int, np.integer)) or a < 1 for a in axes):
            raise ValueError(f"{self._where}: shared_axes must be axes >= 1 (0 is the batch), "
                             f"received shared_axes={shared_axes!r}")
        self.shared_axes = sorted(int(a) for a in axes)
        self.alpha: Tensor | None = None
        self._build_if_declared()

    def build(self, input_shape: Shape) -> None:
        shape = list(input_shape[1:])
        for axis in self.shared_axes:
            if axis >= len(input_shape):
                raise ValueError(f"{self._where}: shared_axes={self.shared_axes} names an axis the input of "
                                 "shape "
                                 f"{tuple(input_shape)} does not have")
            shape[axis - 1] = 1
        if None in shape:
            raise ValueError(f"{self._where}: every non-shared axis must be known, "
                             f"received {tuple(input_shape)}")
        self.alpha = self.add_weight("alpha", tuple(shape), self.alpha_initializer)
        super().build(input_shape)

    def _fixed_axes(self) -> dict[int, int]:
        return {i + 1: n for i, n in enumerate(self.alpha.shape) if i + 1 not in self.shared_axes}

    def _has_weights_when_built(self) -> bool:
        return True

    def forward(self, x: Tensor) -> Tensor:
        return x.relu() - self.alpha * (-x).relu()


class Softmax(Layer):
    """``softmax(x)_i = exp(x_i) / sum_j exp(x_j)`` along ``axis`` (an int or a tuple of axes).

    Example:
        >>> from nn.layers import Softmax
        >>> [round(v, 4) for v in Softmax()([[0.0, 0.0, 0.0, 0.0]]).numpy()[0].tolist()]
        [0.25, 0.25, 0.25, 0.25]
    """

    def __init__(self, axis: int = -1, input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        self.axis = tuple(int(a) for a in axis) if isinstance(axis, (tuple, list)) else int(axis)
        self._build_if_declared()

    def forward(self, x: Tensor, mask: Any = None) -> Tensor:
        if mask is not None:  # Keras: masked-out entries get a large negative logit, so ~0 probability
            x = x + Tensor((1.0 - np.asarray(mask, dtype=x.dtype)) * np.asarray(-1e9, dtype=x.dtype))
        if isinstance(self.axis, int):
            return x.softmax(axis=self.axis)
        shifted = x - x.max(axis=self.axis, keepdims=True).detach()  # stability; the shift cancels
        e = shifted.exp()
        return e / e.sum(axis=self.axis, keepdims=True)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"
