"""Core Keras layers: ``Dense``, ``Flatten``, ``Dropout``, ``Activation`` (``Input``: ``input_layer.py``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from autograd import functional as F

from .. import activations
from ..utils import fresh_rng
from .base import Layer, Shape, resolve_activation
from .input_layer import Input as Input  # re-exported: its old home


class KernelLayer(Layer):
    """Shared by ``Dense`` and ``Conv2D``: ``activation(op(x, kernel) + bias)``, with ``kernel_shape(n_in)``
    giving the kernel for ``n_in`` input features (the input's last axis) and ``bias`` of size ``n_out``."""

    def __init__(self, n_out: int, n_out_arg: str, activation: Any, use_bias: bool, kernel_initializer: Any,
                 bias_initializer: Any, input_shape: Any, name: str | None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        if isinstance(n_out, bool) or not isinstance(n_out, (int, np.integer)) or n_out <= 0:
            raise ValueError(f"{self._where}: {n_out_arg} must be a positive integer, "
                             f"received {n_out_arg}={n_out!r}")
        self.n_out = int(n_out)
        self.activation = activation
        self.use_bias = bool(use_bias)
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.kernel: Tensor | None = None
        self.bias: Tensor | None = None

    @property
    def activation(self) -> Any:
        """The activation function; setting a name, a callable or None (linear) works at any time."""
        return self._activation

    @activation.setter
    def activation(self, value: Any) -> None:
        self._activation, self.activation_name = resolve_activation(value, self._where)

    def kernel_shape(self, n_in: int) -> tuple:
        """The kernel's shape for ``n_in`` input features."""
        return (n_in, self.n_out)

    def build(self, input_shape: Shape) -> None:
        if input_shape[-1] is None:
            raise ValueError(f"{self._where}: the input's last axis must be known, received {input_shape}")
        self.kernel = self.add_weight("kernel", self.kernel_shape(input_shape[-1]), self.kernel_initializer)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.n_out,), self.bias_initializer)
        super().build(input_shape)

    def _fixed_axes(self) -> dict[int, int]:
        return {-1: self.kernel.shape[-2]}  # the kernel's input-feature axis

    def _has_weights_when_built(self) -> bool:
        return True


class Dense(KernelLayer):
    """Fully connected layer: ``y = activation(x @ kernel + bias)``, on the last axis of ``x``.

    ``kernel`` has shape ``(in_features, units)`` (Keras layout, ``glorot_uniform``); ``bias`` has
    shape ``(units,)`` and starts at zero.

    Args:
        units: number of outputs (positive).
        activation: a name ('relu', 'sigmoid', 'tanh', 'softmax', 'linear', 'leaky_relu'), a
            callable on Tensors, or None for linear.
        use_bias: whether to add ``bias``.
        kernel_initializer: initializer name or callable ``init(shape) -> array``.
        bias_initializer: initializer for the bias.
        input_shape: shape of one sample, e.g. ``(784,)``; builds the weights at once.
        name: layer name (default ``dense``, ``dense_1``, ...).
        input_dim: Keras 2 spelling of ``input_shape=(input_dim,)`` (``Dense(12, input_dim=8)``).

    Example:
        >>> from nn.layers import Dense
        >>> layer = Dense(3, activation="relu", input_shape=(5,))
        >>> layer.kernel.shape, layer.bias.shape, layer.output_shape
        ((5, 3), (3,), (None, 3))
    """

    min_ndim = 2
    rank_hint = "(batch, ..., features)"

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 input_shape: Any = None, name: str | None = None, input_dim: int | None = None) -> None:
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        super().__init__(units, "units", activation, use_bias, kernel_initializer, bias_initializer,
                         input_shape, name)
        self.units = self.n_out
        self._build_if_declared()

    def forward(self, x: Tensor) -> Tensor:
        """``activation(x @ kernel + bias)``: one fused node (``F.dense``), relu included."""
        if self.activation is activations.relu:
            return F.dense(x, self.kernel, self.bias, activation="relu")
        return self.activation(F.dense(x, self.kernel, self.bias))

    def compute_output_shape(self, input_shape: Shape) -> tuple:
        return (*input_shape[:-1], self.units)

    def extra_repr(self) -> str:
        return f"units={self.units}, activation={self.activation_name!r}"


class Flatten(Layer):
    """Keep the batch axis, flatten the rest: ``(N, H, W, C) -> (N, H*W*C)``.

    Example:
        >>> import numpy as np
        >>> from nn.layers import Flatten
        >>> Flatten()(np.zeros((2, 3, 4))).shape
        (2, 12)
    """

    def __init__(self, input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        self._build_if_declared()

    def forward(self, x: Tensor) -> Tensor:
        """``x.reshape(batch, -1)``."""
        return x.reshape(x.shape[0], int(np.prod(x.shape[1:], dtype=np.int64)))

    def compute_output_shape(self, input_shape: Shape) -> tuple:
        rest = input_shape[1:]
        return (input_shape[0], None if None in rest else int(np.prod(rest, dtype=np.int64)))


class Dropout(Layer):
    """Inverted dropout: while training, zero each input with probability ``rate`` and scale the rest by
    ``1 / (1 - rate)``, so evaluation needs no rescaling; outside training it is the identity.

    Args:
        rate: fraction of inputs to drop, in [0, 1).
        seed: seed of the layer's own random generator, for reproducible masks.
        noise_shape: shape of the mask, broadcast against the input (e.g. ``(None, 1, 1, C)`` drops
            whole channels); ``None`` sizes are taken from the input.

    Example:
        >>> import numpy as np
        >>> from nn.layers import Dropout
        >>> layer = Dropout(0.5, seed=0)
        >>> y = layer(np.ones((2, 4)), training=True)  # each entry is 0 (dropped) or 1 / (1 - 0.5)
        >>> set(y.numpy().ravel().tolist()) <= {0.0, 2.0}
        True
        >>> layer(np.ones((2, 4)), training=False).numpy().tolist()  # identity outside training
        [[1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0]]
    """

    uses_training = True

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None,
                 input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        if isinstance(rate, bool) or not isinstance(rate, (int, float, np.integer, np.floating)):
            raise TypeError(f"Dropout: rate must be a number in [0, 1), received rate={rate!r}")
        if not 0 <= rate < 1:
            raise ValueError(f"Dropout: rate must be in [0, 1), received rate={rate}")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self._rng = fresh_rng(seed)  # unseeded: follows nn.utils.set_random_seed
        self._build_if_declared()

    def forward(self, x: Tensor, training: bool | None = None) -> Tensor:
        """``x * mask / (1 - rate)`` with ``mask ~ Bernoulli(1 - rate)`` when training, else ``x``."""
        training = self.training if training is None else training
        if not training or self.rate == 0:
            return x
        shape = x.shape if self.noise_shape is None else tuple(
            n if n is not None else x.shape[i] for i, n in enumerate(self.noise_shape))
        keep = self._rng.random(shape) >= self.rate
        return x * (keep / (1.0 - self.rate)).astype(x.dtype)  # a constant: no gradient to the mask

    def extra_repr(self) -> str:
        return f"rate={self.rate}"


class Activation(Layer):
    """Apply an activation by name or callable: ``y = f(x)``.

    Example:
        >>> from nn.layers import Activation
        >>> Activation("relu")([[-1.0, 2.0]]).numpy().tolist()
        [[0.0, 2.0]]
    """

    def __init__(self, activation: Any, input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        self.activation, self.activation_name = resolve_activation(activation, self._where)
        self._build_if_declared()

    def forward(self, x: Tensor) -> Tensor:
        """``activation(x)``."""
        return self.activation(x)

    def extra_repr(self) -> str:
        return f"activation={self.activation_name!r}"
