"""``BatchNormalization``: normalize with the batch's statistics while training, the moving ones after."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .base import Layer, Shape


class BatchNormalization(Layer):
    """Batch normalization along the channel ``axis`` (the last one, for NHWC images and features).

    Training: ``y = gamma * (x - mean_B) / sqrt(var_B + epsilon) + beta`` with the batch's mean and
    (biased) variance over every axis but ``axis``; the moving statistics are updated as
    ``moving = momentum * moving + (1 - momentum) * batch`` (Keras's convention: momentum 0.99 keeps
    99% of the old value, unlike PyTorch's 0.1). Inference (``eval()`` or ``training=False``):
    ``y = gamma * (x - moving_mean) / sqrt(moving_variance + epsilon) + beta``.

    ``gamma`` and ``beta`` are trainable; ``moving_mean`` and ``moving_variance`` are buffers: saved
    in ``state_dict()``, counted by ``count_params()``, never stepped by an optimizer.

    Args:
        axis: the channel axis (default -1).
        momentum: weight of the old moving statistics, in [0, 1].
        epsilon: added to the variance before the square root (Keras default 1e-3).
        center: learn ``beta``; scale: learn ``gamma``.
        beta_initializer, gamma_initializer, moving_mean_initializer, moving_variance_initializer:
            initializer names or callables.
        input_shape: shape of one sample; builds the weights at once.

    Example:
        >>> import numpy as np
        >>> from nn.layers import BatchNormalization
        >>> bn = BatchNormalization()
        >>> y = bn(np.array([[1.0, 10.0], [3.0, 30.0]]), training=True)  # batch mean [2, 20], std [1, 10]
        >>> np.round(y.numpy(), 2).tolist()
        [[-1.0, -1.0], [1.0, 1.0]]
        >>> [round(m, 4) for m in bn.moving_mean.numpy().tolist()]  # 0.99 * 0 + 0.01 * batch mean
        [0.02, 0.2]
    """

    uses_training = True

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros", gamma_initializer: Any = "ones",
                 moving_mean_initializer: Any = "zeros", moving_variance_initializer: Any = "ones",
                 input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"{self._where}: axis must be an int, received axis={axis!r}")
        if not 0 <= momentum <= 1:
            raise ValueError(f"{self._where}: momentum must be in [0, 1], received momentum={momentum}")
        if not epsilon > 0:
            raise ValueError(f"{self._where}: epsilon must be positive, received epsilon={epsilon}")
        self.axis, self.momentum, self.epsilon = int(axis), float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.initializers = {"beta": beta_initializer, "gamma": gamma_initializer,
                             "moving_mean": moving_mean_initializer,
                             "moving_variance": moving_variance_initializer}
        self.gamma: Tensor | None = None
        self.beta: Tensor | None = None
        self._build_if_declared()

    def build(self, input_shape: Shape) -> None:
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim or self.axis % ndim == 0:
            raise ValueError(f"{self._where}: axis={self.axis} is not a feature axis of inputs of shape "
                             f"{tuple(input_shape)} (axis 0 is the batch)")
        channels = input_shape[self.axis]
        if channels is None:
            raise ValueError(f"{self._where}: input axis {self.axis} must be known, received {input_shape}")
        init = self.initializers
        if self.scale:
            self.gamma = self.add_weight("gamma", (channels,), init["gamma"])
        if self.center:
            self.beta = self.add_weight("beta", (channels,), init["beta"])
        self.add_weight("moving_mean", (channels,), init["moving_mean"], trainable=False)
        self.add_weight("moving_variance", (channels,), init["moving_variance"], trainable=False)
        super().build(input_shape)

    def forward(self, x: Tensor, training: bool | None = None) -> Tensor:
        """``gamma * (x - mean) / sqrt(var + epsilon) + beta``: batch statistics if training, else moving."""
        training = self.training if training is None else training
        axis = self.axis % x.ndim
        reduce = tuple(i for i in range(x.ndim) if i != axis)
        stat_shape = tuple(x.shape[axis] if i == axis else 1 for i in range(x.ndim))  # broadcasts on `axis`
        if training:
            mean = x.mean(axis=reduce, keepdims=True)
            centered = x - mean
            variance = (centered * centered).mean(axis=reduce, keepdims=True)  # biased, as Keras normalizes
            self._update_moving(mean.data, variance.data)
        else:
            centered = x - self.moving_mean.data.reshape(stat_shape)
            variance = self.moving_variance.data.reshape(stat_shape)
        y = centered * (variance + self.epsilon) ** -0.5
        if self.gamma is not None:
            y = y * self.gamma.reshape(stat_shape)
        if self.beta is not None:
            y = y + self.beta.reshape(stat_shape)
        return y

    def _update_moving(self, mean: np.ndarray, variance: np.ndarray) -> None:
        """``moving = momentum * moving + (1 - momentum) * batch``, in place (as state_dict loads)."""
        for moving, batch in ((self.moving_mean, mean), (self.moving_variance, variance)):
            moving.data *= self.momentum
            moving.data += ((1 - self.momentum) * batch.reshape(-1)).astype(moving.dtype)

    def _fixed_axes(self) -> dict[int, int]:
        return {self.axis: self.moving_mean.shape[0]}

    def _has_weights_when_built(self) -> bool:
        return True

    def extra_repr(self) -> str:
        return f"axis={self.axis}, momentum={self.momentum}, epsilon={self.epsilon}"
