"""Convolutions built from ``conv2d``: ``Conv2DTranspose``, ``DepthwiseConv2D`` and ``SeparableConv2D``.

Weights have Keras 3's names and layouts, so ``get_weights()`` lists move to Keras unchanged:

- ``Conv2DTranspose``: ``kernel (KH, KW, filters, C)``, ``bias (filters,)``;
- ``DepthwiseConv2D``: ``kernel (KH, KW, C, depth_multiplier)``, ``bias (C * depth_multiplier,)``;
- ``SeparableConv2D``: ``depthwise_kernel (KH, KW, C, M)``, ``pointwise_kernel (1, 1, C * M, filters)``,
  ``bias (filters,)``.

Each forward is a few Tensor ops around one ``F.conv2d`` (the engine's fused kernel), so gradients
come from the engine.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, stack
from autograd import functional as F
from autograd.functional import check_padding, pair

from .base import Layer, Shape, resolve_activation
from .conv import windowed_output_shape
from .core import KernelLayer
from .reshaping import IMAGE_AXES, check_data_format, pad_axis


def _check_unit_dilation(where: str, dilation_rate: Any) -> None:
    if pair(dilation_rate, "dilation_rate", where) != (1, 1):
        raise ValueError(f"{where}: only dilation_rate=1 is supported, "
                         f"received dilation_rate={dilation_rate!r}")


def transpose_output_length(length: int | None, k: int, s: int, padding: str,
                            output_padding: int | None) -> int | None:
    """Keras's ``deconv_output_length``: ``L*s + max(k - s, 0)`` ('valid') or ``L*s`` ('same');
    with ``output_padding``, ``(L - 1)*s + k - 2*pad + output_padding`` (pad = 0 or ``k // 2``)."""
    if length is None:
        return None
    if output_padding is None:
        return length * s + max(k - s, 0) if padding == "valid" else length * s
    pad = 0 if padding == "valid" else k // 2
    return (length - 1) * s + k - 2 * pad + output_padding


def _dilate(x: Tensor, axis: int, stride: int) -> Tensor:
    """``stride - 1`` zeros between neighbours along ``axis``: length ``L -> (L - 1) * stride + 1``."""
    if stride == 1:
        return x
    zeros = Tensor(np.zeros(x.shape, dtype=x.dtype))
    spread = stack([x] + [zeros] * (stride - 1), axis=axis + 1)  # (..., L, stride, ...)
    shape = list(x.shape)
    shape[axis] *= stride
    index = [slice(None)] * x.ndim
    index[axis] = slice(0, (x.shape[axis] - 1) * stride + 1)
    return spread.reshape(*shape)[tuple(index)]


def _pad_or_crop(x: Tensor, axis: int, before: int, after: int) -> Tensor:
    """Zeros added (positive) or entries removed (negative) at both ends of ``axis``."""
    start, stop = max(-before, 0), x.shape[axis] - max(-after, 0)
    if start or stop < x.shape[axis]:
        index = [slice(None)] * x.ndim
        index[axis] = slice(start, stop)
        x = x[tuple(index)]
    return pad_axis(x, axis, max(before, 0), max(after, 0))


class Conv2DTranspose(KernelLayer):
    """Transposed convolution (the gradient of ``Conv2D`` with respect to its input), for upsampling.

    ``y = act(conv2d(dilate(x, strides), flip(kernel)) + bias)``: every input pixel spreads a copy of
    the kernel, scaled by its value, over a ``KH x KW`` patch of the output, ``strides`` pixels apart.
    Output size per axis: ``L*s + max(K - s, 0)`` with 'valid' and ``L*s`` with 'same' (Keras); the
    'same' crop is TensorFlow's (``(K - s) // 2`` before, the rest after).

    Args:
        filters: output channels.
        kernel_size, strides: int or pair.
        padding: 'valid' or 'same'.
        output_padding: int or pair added to the output size (each below the stride), or None.
        activation, use_bias, kernel_initializer, bias_initializer: as ``Conv2D``.

    Example:
        >>> import numpy as np
        >>> from nn.layers import Conv2DTranspose
        >>> layer = Conv2DTranspose(4, 3, strides=2, padding="same")
        >>> y = layer(np.zeros((1, 5, 5, 2)))
        >>> layer.kernel.shape, y.shape
        ((3, 3, 4, 2), (1, 10, 10, 4))
    """

    input_ndim = 4
    rank_hint = IMAGE_AXES

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 output_padding: Any = None, data_format: str | None = None, dilation_rate: Any = (1, 1),
                 activation: Any = None, use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(filters, "filters", activation, use_bias, kernel_initializer, bias_initializer,
                         input_shape, name)
        check_data_format(self._where, data_format)
        _check_unit_dilation(self._where, dilation_rate)
        self.filters = self.n_out
        self.kernel_size = pair(kernel_size, "kernel_size", self._where)
        self.strides = pair(strides, "strides", self._where)
        self.padding = check_padding(padding, self._where)
        self.output_padding = None
        if output_padding is not None:
            op = (output_padding, output_padding) if isinstance(output_padding, (int, np.integer)) \
                else tuple(output_padding)
            if len(op) != 2 or any(not 0 <= int(p) < s for p, s in zip(op, self.strides, strict=True)):
                raise ValueError(f"{self._where}: output_padding must be non-negative and below the strides "
                                 f"{self.strides}, received output_padding={output_padding!r}")
            self.output_padding = (int(op[0]), int(op[1]))
        self._build_if_declared()

    def kernel_shape(self, n_in: int) -> tuple:
        return (*self.kernel_size, self.filters, n_in)  # Keras: output channels before input channels

    def _fixed_axes(self) -> dict[int, int]:
        return {-1: self.kernel.shape[-1]}

    def _out_lengths(self, h: int | None, w: int | None) -> tuple:
        ops = self.output_padding or (None, None)
        return tuple(transpose_output_length(n, k, s, self.padding, p) for n, k, s, p in
                     zip((h, w), self.kernel_size, self.strides, ops, strict=True))

    def compute_output_shape(self, input_shape: Shape) -> tuple:
        n, h, w, _ = input_shape
        return (n, *self._out_lengths(h, w), self.filters)

    def forward(self, x: Tensor) -> Tensor:
        """Dilate by the strides, pad so each output sees its window, then one stride-1 ``conv2d``."""
        outs = self._out_lengths(x.shape[1], x.shape[2])
        for axis, (k, s, out) in enumerate(zip(self.kernel_size, self.strides, outs, strict=True), start=1):
            if self.padding == "valid":
                crop = 0
            else:  # 'same': TensorFlow's crop; with output_padding, torch's ``padding = k // 2``
                crop = k // 2 if self.output_padding is not None else max(k - s, 0) // 2
            x = _dilate(x, axis, s)
            before = k - 1 - crop  # k - 1 zeros on both sides would give the uncropped output
            x = _pad_or_crop(x, axis, before, out + k - 1 - before - x.shape[axis])
        flipped = self.kernel[::-1, ::-1].transpose(0, 1, 3, 2)  # (KH, KW, C, filters), rotated 180 degrees
        return self.activation(F.conv2d(x, flipped, self.bias, strides=1, padding="valid"))

    def extra_repr(self) -> str:
        return (f"filters={self.filters}, kernel_size={self.kernel_size}, strides={self.strides}, "
                f"padding={self.padding!r}, activation={self.activation_name!r}")


def depthwise_conv(x: Tensor, kernel: Tensor, strides: tuple[int, int], padding: str) -> Tensor:
    """Each input channel ``c`` convolved with its own ``kernel[:, :, c, m]``; output channel ``c*M + m``.

    Computed as one ``conv2d`` with the block-diagonal kernel ``K[a, b, c, c'*M + m] = k[a, b, c, m]``
    if ``c == c'`` else 0 (a product with the identity, so the gradient flows to ``k`` only).
    """
    kh, kw, c, m = kernel.shape
    eye = Tensor(np.eye(c, dtype=kernel.dtype)[:, :, None])  # (C, C', 1)
    full = (kernel.expand_dims(3) * eye).reshape(kh, kw, c, c * m)  # (KH, KW, C, C', M) -> C' * M columns
    return F.conv2d(x, full, None, strides=strides, padding=padding)


class DepthwiseConv2D(Layer):
    """Per-channel convolution: ``y[..., c*M + m] = act(sum_ab x[.., i*s+a, j*s+b, c] k[a, b, c, m] + bias)``.

    Args:
        kernel_size, strides: int or pair.
        padding: 'valid' or 'same'.
        depth_multiplier: ``M``, output channels per input channel.
        activation, use_bias, depthwise_initializer, bias_initializer: as ``Conv2D``.

    Example:
        >>> import numpy as np
        >>> from nn.layers import DepthwiseConv2D
        >>> layer = DepthwiseConv2D(3, depth_multiplier=2)
        >>> layer(np.zeros((1, 6, 6, 4))).shape, layer.kernel.shape
        ((1, 4, 4, 8), (3, 3, 4, 2))
    """

    input_ndim = 4
    rank_hint = IMAGE_AXES
    depthwise_name = "kernel"  # Keras 3's name here; SeparableConv2D calls it depthwise_kernel
    weight_names: tuple[str, ...] = ("kernel", "bias")  # Keras's order, which get_weights() follows

    def __init__(self, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 depth_multiplier: int = 1, data_format: str | None = None, dilation_rate: Any = (1, 1),
                 activation: Any = None, use_bias: bool = True, depthwise_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        check_data_format(self._where, data_format)
        _check_unit_dilation(self._where, dilation_rate)
        self.kernel_size = pair(kernel_size, "kernel_size", self._where)
        self.strides = pair(strides, "strides", self._where)
        self.padding = check_padding(padding, self._where)
        self.depth_multiplier = pair(depth_multiplier, "depth_multiplier", self._where)[0]
        self.activation, self.activation_name = resolve_activation(activation, self._where)
        self.use_bias = bool(use_bias)
        self.depthwise_initializer, self.bias_initializer = depthwise_initializer, bias_initializer
        for weight in self.weight_names:  # attributes in Keras's order: the parameter walk follows it
            setattr(self, weight, None)
        if type(self) is DepthwiseConv2D:  # SeparableConv2D builds once its own arguments are set
            self._build_if_declared()

    @property
    def _depthwise(self) -> Tensor:
        return getattr(self, self.depthwise_name)

    def build(self, input_shape: Shape) -> None:
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(f"{self._where}: the channel axis must be known, received {input_shape}")
        shape = (*self.kernel_size, channels, self.depth_multiplier)
        self.add_weight(self.depthwise_name, shape, self.depthwise_initializer)
        self._build_rest(channels * self.depth_multiplier)
        super().build(input_shape)

    def _build_rest(self, depth_channels: int) -> None:
        """The weights after the depthwise kernel: here only the bias, one per output channel."""
        if self.use_bias:
            self.bias = self.add_weight("bias", (depth_channels,), self.bias_initializer)

    def _fixed_axes(self) -> dict[int, int]:
        return {-1: self._depthwise.shape[2]}

    def _has_weights_when_built(self) -> bool:
        return True

    def _out_channels(self, channels: int) -> int:
        return channels * self.depth_multiplier

    def compute_output_shape(self, input_shape: Shape) -> tuple:
        c = input_shape[-1]
        window, strides, padding = self.kernel_size, self.strides, self.padding
        return windowed_output_shape(self, input_shape, window, strides, padding,
                                     None if c is None else self._out_channels(c))

    def forward(self, x: Tensor) -> Tensor:
        y = depthwise_conv(x, self._depthwise, self.strides, self.padding)
        return self.activation(y if self.bias is None else y + self.bias)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, strides={self.strides}, padding={self.padding!r}, "
                f"depth_multiplier={self.depth_multiplier}, activation={self.activation_name!r}")


class SeparableConv2D(DepthwiseConv2D):
    """A depthwise convolution, then a 1x1 convolution mixing the channels, then bias and activation.

    ``y = act(conv2d(depthwise_conv(x, depthwise_kernel), pointwise_kernel) + bias)``: far fewer weights
    than a ``Conv2D`` of the same size (``KH*KW*C*M + C*M*filters`` instead of ``KH*KW*C*filters``).

    Example:
        >>> import numpy as np
        >>> from nn.layers import SeparableConv2D
        >>> layer = SeparableConv2D(8, 3, padding="same")
        >>> layer(np.zeros((1, 6, 6, 4))).shape, layer.pointwise_kernel.shape, layer.count_params()
        ((1, 6, 6, 8), (1, 1, 4, 8), 76)
    """

    depthwise_name = "depthwise_kernel"
    weight_names = ("depthwise_kernel", "pointwise_kernel", "bias")

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = (1, 1), depth_multiplier: int = 1,
                 activation: Any = None, use_bias: bool = True, depthwise_initializer: Any = "glorot_uniform",
                 pointwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(kernel_size, strides, padding, depth_multiplier, data_format, dilation_rate,
                         activation, use_bias, depthwise_initializer, bias_initializer, input_shape, name)
        self.filters = pair(filters, "filters", self._where)[0]
        self.pointwise_initializer = pointwise_initializer
        self._build_if_declared()

    def _build_rest(self, depth_channels: int) -> None:
        self.add_weight("pointwise_kernel", (1, 1, depth_channels, self.filters), self.pointwise_initializer)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,), self.bias_initializer)

    def _out_channels(self, channels: int) -> int:
        return self.filters

    def forward(self, x: Tensor) -> Tensor:
        y = depthwise_conv(x, self._depthwise, self.strides, self.padding)
        return self.activation(F.conv2d(y, self.pointwise_kernel, self.bias))

    def extra_repr(self) -> str:
        return f"filters={self.filters}, " + super().extra_repr()
