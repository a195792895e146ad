"""``Conv1D`` on ``(batch, steps, channels)`` sequences: valid, same and causal padding, strides, dilation."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, concatenate, stack
from autograd import functional as F

from .base import Shape
from .core import KernelLayer

PADDINGS = ("valid", "same", "causal")


def positive_int(value: Any, arg: str, where: str) -> int:
    """``value`` (an int or a 1-tuple, as Keras accepts) as a positive int, or a ValueError naming it."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{where}: {arg} must be a positive integer, received {arg}={value!r}")
    return int(value)


def conv1d_geometry(length: int, kernel_size: int, strides: int, dilation: int, padding: str) -> tuple:
    """``(output length, zeros before, zeros after)``; the window spans ``(K - 1) * d + 1`` steps.

    valid: no padding; same: ``ceil(L / s)`` outputs, the padding split as TensorFlow does (the odd
    one after); causal: ``span - 1`` zeros before, so output t sees only inputs up to t.
    """
    span = (kernel_size - 1) * dilation + 1
    if padding == "valid":
        return (length - span) // strides + 1, 0, 0
    if padding == "causal":
        return (length - 1) // strides + 1, span - 1, 0
    out = -(-length // strides)
    total = max((out - 1) * strides + span - length, 0)
    return out, total // 2, total - total // 2


class Conv1D(KernelLayer):
    """1-D convolution: ``y[n, t, f] = act(sum_{j, c} x_pad[n, t*s + j*d, c] * kernel[j, c, f] + bias[f])``.

    ``kernel`` has shape ``(kernel_size, channels, filters)`` (Keras's layout); ``bias`` ``(filters,)``.
    Computed as one matrix product: the K shifted (and strided) views of the padded input are set
    side by side, ``(batch, out, K*C) @ kernel.reshape(K*C, filters)``.

    Args:
        filters: number of output channels.
        kernel_size: window length K (an int).
        strides: step s between windows.
        padding: "valid", "same" (``ceil(L / s)`` outputs) or "causal" (zeros only before).
        dilation_rate: gap d between the taps of a window.
        activation, use_bias, kernel_initializer, bias_initializer, input_shape, name: as in ``Dense``.

    Example:
        >>> import numpy as np
        >>> from nn.layers import Conv1D
        >>> layer = Conv1D(4, 3, padding="causal", dilation_rate=2)
        >>> layer(np.ones((2, 10, 5))).shape, layer.kernel.shape
        ((2, 10, 4), (3, 5, 4))
    """

    input_ndim = 3
    rank_hint = "(batch, steps, channels)"

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 dilation_rate: Any = 1, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(filters, "filters", activation, use_bias, kernel_initializer, bias_initializer,
                         input_shape, name)
        self.filters = self.n_out
        self.kernel_size = positive_int(kernel_size, "kernel_size", self._where)
        self.strides = positive_int(strides, "strides", self._where)
        self.dilation_rate = positive_int(dilation_rate, "dilation_rate", self._where)
        mode = padding.lower() if isinstance(padding, str) else padding
        if mode not in PADDINGS:
            raise ValueError(f"{self._where}: padding must be one of {PADDINGS}, "
                             f"received padding={padding!r}")
        self.padding = mode
        self._build_if_declared()

    def kernel_shape(self, n_in: int) -> tuple:
        return (self.kernel_size, n_in, self.filters)

    def _geometry(self, length: int) -> tuple:
        return conv1d_geometry(length, self.kernel_size, self.strides, self.dilation_rate, self.padding)

    def forward(self, x: Tensor) -> Tensor:
        """Pad, gather the K taps of every window, then one dense product."""
        batch, length, channels = x.shape
        out, before, after = self._geometry(length)
        if before or after:
            zeros = (Tensor(np.zeros((batch, n, channels), dtype=x.dtype)) for n in (before, after))
            x = concatenate([next(zeros), x, next(zeros)], axis=1)
        last = (out - 1) * self.strides + 1  # each tap reads `out` positions, `strides` apart
        taps = [x[:, j * self.dilation_rate:j * self.dilation_rate + last:self.strides]
                for j in range(self.kernel_size)]
        windows = (stack(taps, axis=2) if len(taps) > 1 else taps[0]).reshape(batch, out, -1)
        kernel = self.kernel.reshape(self.kernel_size * channels, self.filters)
        return self.activation(F.dense(windows, kernel, self.bias))

    def compute_output_shape(self, input_shape: Shape) -> tuple:
        batch, length, _ = input_shape
        out = None if length is None else self._geometry(length)[0]
        if out is not None and out < 1:
            raise ValueError(
                f"{self._where}: the input is shorter than the window: {length} steps with kernel_size="
                f"{self.kernel_size}, dilation_rate={self.dilation_rate} and padding='{self.padding}' give "
                f"{out} outputs; use a longer input or padding='same'"
            )
        return (batch, out, self.filters)

    def extra_repr(self) -> str:
        return (f"filters={self.filters}, kernel_size={self.kernel_size}, strides={self.strides}, "
                f"padding={self.padding!r}, dilation_rate={self.dilation_rate}")
