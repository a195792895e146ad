"""Image layers on NHWC batches (Keras's layout): ``Conv2D``, ``MaxPooling2D``, ``AveragePooling2D``.

Each wraps a kernel from ``autograd.functional`` (which owns the forward and backward arithmetic);
the layer owns the weights, the argument checking and the output-shape formula.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograd import Tensor
from autograd import functional as F
from autograd.functional import check_padding, out_and_pads, pair  # the kernels' own argument rules

from .base import Layer, Shape
from .core import KernelLayer


def window_output_length(length: int | None, window: int, stride: int, padding: str) -> int | None:
    """Output size along one axis: ``ceil(L / s)`` for 'same', ``floor((L - K) / s) + 1`` for 'valid'."""
    return None if length is None else out_and_pads(length, window, stride, padding)[0]


def windowed_output_shape(layer: Layer, input_shape: Shape, window: tuple[int, int],
                          strides: tuple[int, int], padding: str, channels: int | None) -> tuple:
    """``(N, H', W', channels)`` for a sliding window over ``(N, H, W, C)``; raises when H' or W' < 1."""
    n, h, w, c = input_shape
    out = (window_output_length(h, window[0], strides[0], padding),
           window_output_length(w, window[1], strides[1], padding))
    if any(size is not None and size < 1 for size in out):
        raise ValueError(
            f"{layer._where}: the input is smaller than the window: input shape {tuple(input_shape)} with a "
            f"{window[0]}x{window[1]} window, strides={strides} and padding='{padding}' gives an output of "
            f"{out[0]}x{out[1]}; use a bigger input, a smaller window or padding='same'"
        )
    return (n, out[0], out[1], c if channels is None else channels)


class Conv2D(KernelLayer):
    """2-D convolution on NHWC images: ``y[n,i,j,f] = act(sum_abc x[n,i*s+a,j*s+b,c] k[a,b,c,f] + bias[f])``.

    ``kernel`` has shape ``(KH, KW, C, filters)`` (``glorot_uniform`` with fans ``KH*KW*C`` and
    ``KH*KW*filters``, as Keras); ``bias`` has shape ``(filters,)`` and starts at zero.

    Args:
        filters: number of output channels (positive).
        kernel_size: int or (KH, KW).
        strides: int or (SH, SW).
        padding: 'valid' (no padding) or 'same' (zero-pad so the output is ``ceil(input / stride)``).
        activation: a name ('relu', ...), a callable, or None for linear.
        use_bias: whether to add ``bias``.
        kernel_initializer, bias_initializer: initializer names or callables ``init(shape)``.
        input_shape: shape of one image ``(H, W, C)``; builds the weights at once.
        name: layer name (default ``conv2d``, ``conv2d_1``, ...).

    Example:
        >>> from nn.layers import Conv2D
        >>> layer = Conv2D(32, (3, 3), activation="relu", input_shape=(150, 150, 3))
        >>> layer.kernel.shape, layer.output_shape, layer.count_params()
        ((3, 3, 3, 32), (None, 148, 148, 32), 896)
    """

    input_ndim = 4
    rank_hint = "(batch, height, width, channels)"

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 activation: Any = None, use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(filters, "filters", activation, use_bias, kernel_initializer, bias_initializer,
                         input_shape, name)
        self.filters = self.n_out
        self.kernel_size = pair(kernel_size, "kernel_size", self._where)
        self.strides = pair(strides, "strides", self._where)
        self.padding = check_padding(padding, self._where)
        self._build_if_declared()

    def kernel_shape(self, n_in: int) -> tuple:
        return (*self.kernel_size, n_in, self.filters)

    def forward(self, x: Tensor) -> Tensor:
        """``activation(conv2d(x, kernel, bias, strides, padding))``."""
        y = F.conv2d(x, self.kernel, self.bias, strides=self.strides, padding=self.padding)
        return self.activation(y)

    def compute_output_shape(self, input_shape: Shape) -> tuple:
        window, strides, padding = self.kernel_size, self.strides, self.padding
        return windowed_output_shape(self, input_shape, window, strides, padding, self.filters)

    def extra_repr(self) -> str:
        return (f"filters={self.filters}, kernel_size={self.kernel_size}, strides={self.strides}, "
                f"padding={self.padding!r}, activation={self.activation_name!r}")


class _Pooling2D(Layer):
    """Shared by the pooling layers: a window slides over H and W, channel by channel; no weights."""

    input_ndim = 4
    rank_hint = "(batch, height, width, channels)"
    pool_function: Callable[..., Tensor]

    def __init__(self, pool_size: Any = 2, strides: Any = None, padding: str = "valid",
                 input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        self.pool_size = pair(pool_size, "pool_size", self._where)
        self.strides = self.pool_size if strides is None else pair(strides, "strides", self._where)
        self.padding = check_padding(padding, self._where)
        self._build_if_declared()

    def forward(self, x: Tensor) -> Tensor:
        return self.pool_function(x, self.pool_size, strides=self.strides, padding=self.padding)

    def compute_output_shape(self, input_shape: Shape) -> tuple:
        return windowed_output_shape(self, input_shape, self.pool_size, self.strides, self.padding, None)

    def extra_repr(self) -> str:
        return f"pool_size={self.pool_size}, strides={self.strides}, padding={self.padding!r}"


class MaxPooling2D(_Pooling2D):
    """Max over each window: ``y[n, i, j, c] = max_ab x[n, i*s+a, j*s+b, c]``; the gradient goes to the max.

    Args:
        pool_size: int or (PH, PW) window.
        strides: int or (SH, SW); defaults to ``pool_size`` (so ``MaxPooling2D(2, 2)`` halves H and W).
        padding: 'valid' or 'same'.

    Example:
        >>> import numpy as np
        >>> from nn.layers import MaxPooling2D
        >>> MaxPooling2D(2, 2)(np.arange(16.0).reshape(1, 4, 4, 1)).numpy()[0, :, :, 0].tolist()
        [[5.0, 7.0], [13.0, 15.0]]
    """

    pool_function = staticmethod(F.max_pool2d)


class AveragePooling2D(_Pooling2D):
    """Mean over each window: ``y[n, i, j, c] = mean_ab x[n, i*s+a, j*s+b, c]``.

    Args:
        pool_size: int or (PH, PW) window.
        strides: int or (SH, SW); defaults to ``pool_size``.
        padding: 'valid' or 'same'.

    Example:
        >>> import numpy as np
        >>> from nn.layers import AveragePooling2D
        >>> AveragePooling2D(2)(np.arange(16.0).reshape(1, 4, 4, 1)).numpy()[0, :, :, 0].tolist()
        [[2.5, 4.5], [10.5, 12.5]]
    """

    pool_function = staticmethod(F.avg_pool2d)
