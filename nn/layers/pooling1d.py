"""Pooling over the steps of ``(batch, steps, channels)`` sequences: windowed and global, max and average."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Tensor
from autograd import functional as F
from autograd.functional import check_padding, out_and_pads  # the 2-D kernels' own argument rules

from ._sequence import check_mask, mask_of
from .base import Layer, Shape, as_tensor
from .conv1d import positive_int


class _Pooling1D(Layer):
    """A window of ``pool_size`` steps slides by ``strides``; each channel pools on its own. No weights.

    Runs the 2-D pooling kernel on the sequence seen as an image one row high.
    """

    input_ndim = 3
    rank_hint = "(batch, steps, channels)"
    pool_function: Callable[..., Tensor]

    def __init__(self, pool_size: Any = 2, strides: Any = None, padding: str = "valid",
                 input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        self.pool_size = positive_int(pool_size, "pool_size", self._where)
        self.strides = self.pool_size if strides is None else positive_int(strides, "strides", self._where)
        self.padding = check_padding(padding, self._where)
        self._build_if_declared()

    def forward(self, x: Tensor) -> Tensor:
        image = x.expand_dims(1)  # (batch, 1, steps, channels)
        y = self.pool_function(image, (1, self.pool_size), strides=(1, self.strides), padding=self.padding)
        return y.squeeze(1)

    def compute_output_shape(self, input_shape: Shape) -> tuple:
        batch, length, channels = input_shape
        out = None if length is None else out_and_pads(length, self.pool_size, self.strides, self.padding)[0]
        if out is not None and out < 1:
            raise ValueError(f"{self._where}: the input ({length} steps) is shorter than pool_size="
                             f"{self.pool_size}; use a longer input or padding='same'")
        return (batch, out, channels)

    def extra_repr(self) -> str:
        return f"pool_size={self.pool_size}, strides={self.strides}, padding={self.padding!r}"


class MaxPooling1D(_Pooling1D):
    """``y[n, t, c] = max_{j < pool_size} x[n, t*s + j, c]``; the gradient goes to each window's maximum.

    Args:
        pool_size: window length (default 2). strides: step (default ``pool_size``).
        padding: "valid" or "same" (``ceil(L / s)`` outputs; padded cells never win).

    Example:
        >>> import numpy as np
        >>> from nn.layers import MaxPooling1D
        >>> MaxPooling1D(2)(np.array([[[1.0], [3.0], [2.0], [0.0]]])).numpy().ravel().tolist()
        [3.0, 2.0]
    """

    pool_function = staticmethod(F.max_pool2d)


class AveragePooling1D(_Pooling1D):
    """``y[n, t, c] = mean_{j < pool_size} x[n, t*s + j, c]`` (with "same", over the real cells only).

    Args:
        pool_size: window length (default 2). strides: step (default ``pool_size``).
        padding: "valid" or "same".

    Example:
        >>> import numpy as np
        >>> from nn.layers import AveragePooling1D
        >>> AveragePooling1D(2)(np.array([[[1.0], [3.0], [2.0], [0.0]]])).numpy().ravel().tolist()
        [2.0, 1.0]
    """

    pool_function = staticmethod(F.avg_pool2d)


class _GlobalPooling1D(Layer):
    """Pool all steps into one vector per channel: ``(batch, steps, channels) -> (batch, channels)``."""

    input_ndim = 3
    rank_hint = "(batch, steps, channels)"

    def __init__(self, keepdims: bool = False, input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        self.keepdims = bool(keepdims)
        self._build_if_declared()

    def compute_output_shape(self, input_shape: Shape) -> tuple:
        batch, _, channels = input_shape
        return (batch, 1, channels) if self.keepdims else (batch, channels)

    def extra_repr(self) -> str:
        return f"keepdims={self.keepdims}"


class GlobalAveragePooling1D(_GlobalPooling1D):
    """Mean over the steps: ``y[n, c] = sum_t m[n, t] x[n, t, c] / sum_t m[n, t]``, m the padding mask.

    Without a mask (none attached by ``Embedding(mask_zero=True)``, none given) every step counts.

    Args:
        keepdims: keep the steps axis, with length 1.

    Example:
        >>> import numpy as np
        >>> from nn.layers import GlobalAveragePooling1D
        >>> x = np.array([[[1.0], [3.0], [8.0]]])
        >>> GlobalAveragePooling1D()(x).numpy().tolist()
        [[4.0]]
        >>> GlobalAveragePooling1D()(x, mask=[[1, 1, 0]]).numpy().tolist()
        [[2.0]]
    """

    supports_masking = True

    def __call__(self, inputs: Any, mask: Any = None, training: bool | None = None) -> Tensor:
        if mask is None:
            mask = mask_of(inputs)
        x = as_tensor(inputs, self._where)
        self.maybe_build(x.shape)
        return self.forward(x, check_mask(mask, x.shape[:2], self._where))

    def forward(self, x: Tensor, mask: np.ndarray | None = None) -> Tensor:
        if mask is None:
            return x.mean(axis=1, keepdims=self.keepdims)
        weights = mask.astype(x.dtype)[:, :, None]
        counts = np.maximum(weights.sum(axis=1, keepdims=self.keepdims), 1.0)  # an all-padding row gives 0
        return (x * weights).sum(axis=1, keepdims=self.keepdims) / counts


class GlobalMaxPooling1D(_GlobalPooling1D):
    """Max over the steps: ``y[n, c] = max_t x[n, t, c]``.

    Args:
        keepdims: keep the steps axis, with length 1.

    Example:
        >>> import numpy as np
        >>> from nn.layers import GlobalMaxPooling1D
        >>> GlobalMaxPooling1D()(np.array([[[1.0, 5.0], [3.0, 2.0]]])).numpy().tolist()
        [[3.0, 5.0]]
    """

    def forward(self, x: Tensor) -> Tensor:
        return x.max(axis=1, keepdims=self.keepdims)
