"""``LayerNormalization``: normalize each sample over its feature axes (no batch statistics)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .base import Layer, Shape


class LayerNormalization(Layer):
    """``y = gamma * (x - mean) / sqrt(var + epsilon) + beta``, mean and (biased) variance taken over
    ``axis`` of each sample separately, so training and inference compute the same thing.

    ``gamma`` and ``beta`` have the sizes of the normalized axes (Keras 3 layout: ``(C,)`` for the
    default ``axis=-1``), created in that order.

    Args:
        axis: an axis or a list of axes to normalize over (not the batch axis 0).
        epsilon: added to the variance (Keras default 1e-3).
        center: learn ``beta``; scale: learn ``gamma``.
        rms_scaling: divide by the root mean square instead (no centring, no ``beta``): RMSNorm, as
            Keras documents it (Keras 3.15's implementation divides by the standard deviation
            instead, warns that this is wrong and deprecates the argument).
        beta_initializer, gamma_initializer: initializer names or callables.

    Example:
        >>> import numpy as np
        >>> from nn.layers import LayerNormalization
        >>> y = LayerNormalization(epsilon=0.0)(np.array([[1.0, 3.0], [10.0, 30.0]]))
        >>> np.round(y.numpy(), 3).tolist()
        [[-1.0, 1.0], [-1.0, 1.0]]
    """

    def __init__(self, axis: Any = -1, epsilon: float = 1e-3, center: bool = True, scale: bool = True,
                 rms_scaling: bool = False, beta_initializer: Any = "zeros", gamma_initializer: Any = "ones",
                 input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
        if not axes or any(isinstance(a, bool) or not isinstance(a, (int, np.integer)) for a in axes):
            raise TypeError(f"{self._where}: axis must be an int or a list of ints, received axis={axis!r}")
        if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float)) or epsilon < 0:
            raise ValueError(f"{self._where}: epsilon must be a number >= 0, received epsilon={epsilon!r}")
        self.axis = [int(a) for a in axes] if isinstance(axis, (list, tuple)) else int(axis)
        self.epsilon = float(epsilon)
        self.rms_scaling = bool(rms_scaling)
        self.center, self.scale = bool(center) and not self.rms_scaling, bool(scale)
        self.beta_initializer, self.gamma_initializer = beta_initializer, gamma_initializer
        self.gamma: Tensor | None = None
        self.beta: Tensor | None = None
        self._axes: tuple[int, ...] = ()
        self._build_if_declared()

    def build(self, input_shape: Shape) -> None:
        ndim = len(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        if any(not -ndim <= a < ndim or a % ndim == 0 for a in axes):
            raise ValueError(f"{self._where}: axis={self.axis} is not a feature axis of inputs of shape "
                             f"{tuple(input_shape)} (axis 0 is the batch)")
        self._axes = tuple(sorted(a % ndim for a in axes))
        shape = tuple(input_shape[a] for a in self._axes)
        if None in shape:
            raise ValueError(f"{self._where}: the normalized axes must be known, "
                             f"received {tuple(input_shape)}")
        if self.scale:
            self.gamma = self.add_weight("gamma", shape, self.gamma_initializer)
        if self.center:
            self.beta = self.add_weight("beta", shape, self.beta_initializer)
        super().build(input_shape)

    def _fixed_axes(self) -> dict[int, int]:
        return {a: self._build_input_shape[a] for a in self._axes}

    def _has_weights_when_built(self) -> bool:
        return self.scale or self.center

    def forward(self, x: Tensor) -> Tensor:
        """Normalize over the axes, then scale and shift (weights broadcast along the other axes)."""
        axes = self._axes
        if self.rms_scaling:
            y = x * ((x * x).mean(axis=axes, keepdims=True) + self.epsilon) ** -0.5
        else:
            centered = x - x.mean(axis=axes, keepdims=True)
            y = centered * ((centered * centered).mean(axis=axes, keepdims=True) + self.epsilon) ** -0.5
        stat_shape = tuple(n if i in axes else 1 for i, n in enumerate(x.shape))
        if self.gamma is not None:
            y = y * self.gamma.reshape(*stat_shape)
        if self.beta is not None:
            y = y + self.beta.reshape(*stat_shape)
        return y

    def extra_repr(self) -> str:
        return f"axis={self.axis}, epsilon={self.epsilon}"
