"""``GlobalAveragePooling2D`` and ``GlobalMaxPooling2D``: one number per channel from each image.

``(N, H, W, C) -> (N, C)`` (or ``(N, 1, 1, C)`` with ``keepdims=True``), a mean or a max over H and W.
"""

from __future__ import annotations

from typing import Any

from autograd import Tensor

from .base import Layer, Shape
from .reshaping import IMAGE_AXES, check_data_format


class _GlobalPooling2D(Layer):
    input_ndim = 4
    rank_hint = IMAGE_AXES

    def __init__(self, data_format: str | None = None, keepdims: bool = False, input_shape: Any = None,
                 name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        check_data_format(self._where, data_format)
        self.keepdims = bool(keepdims)
        self._build_if_declared()

    def compute_output_shape(self, input_shape: Shape) -> tuple:
        n, _, _, c = input_shape
        return (n, 1, 1, c) if self.keepdims else (n, c)

    def extra_repr(self) -> str:
        return f"keepdims={self.keepdims}"


class GlobalAveragePooling2D(_GlobalPooling2D):
    """``y[n, c] = mean_ij x[n, i, j, c]``.

    Example:
        >>> import numpy as np
        >>> from nn.layers import GlobalAveragePooling2D
        >>> GlobalAveragePooling2D()(np.arange(8.0).reshape(1, 2, 2, 2)).numpy().tolist()
        [[3.0, 4.0]]
    """

    def forward(self, x: Tensor) -> Tensor:
        return x.mean(axis=(1, 2), keepdims=self.keepdims)


class GlobalMaxPooling2D(_GlobalPooling2D):
    """``y[n, c] = max_ij x[n, i, j, c]``; the gradient goes to the max.

    Example:
        >>> import numpy as np
        >>> from nn.layers import GlobalMaxPooling2D
        >>> GlobalMaxPooling2D()(np.arange(8.0).reshape(1, 2, 2, 2)).numpy().tolist()
        [[6.0, 7.0]]
    """

    def forward(self, x: Tensor) -> Tensor:
        return x.max(axis=(1, 2), keepdims=self.keepdims)
