"""Training-only noise layers: ``SpatialDropout2D`` (drops whole channels) and ``GaussianNoise``.

Both are the identity unless called with ``training=True`` (or in ``train()`` mode), and draw from
their own seeded generator, so a ``seed`` makes the noise repeatable.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from ..utils import fresh_rng
from .base import Layer
from .core import Dropout
from .reshaping import IMAGE_AXES, check_data_format


class SpatialDropout2D(Dropout):
    """Dropout of whole feature maps: while training each channel of each image is zeroed with
    probability ``rate`` (the rest scaled by ``1 / (1 - rate)``); neighbouring pixels are correlated,
    so dropping single pixels would barely regularize a convolution.

    Example:
        >>> import numpy as np
        >>> from nn.layers import SpatialDropout2D
        >>> y = SpatialDropout2D(0.5, seed=0)(np.ones((1, 3, 3, 4)), training=True).numpy()
        >>> [sorted(set(y[0, :, :, c].ravel().tolist())) for c in range(4)]  # each map all 0 or all 2
        [[2.0], [0.0], [0.0], [0.0]]
    """

    input_ndim = 4
    rank_hint = IMAGE_AXES

    def __init__(self, rate: float, data_format: str | None = None, seed: int | None = None,
                 input_shape: Any = None, name: str | None = None) -> None:
        check_data_format("SpatialDropout2D", data_format)
        super().__init__(rate, noise_shape=(None, 1, 1, None), seed=seed, input_shape=input_shape, name=name)


class GaussianNoise(Layer):
    """While training, ``y = x + noise`` with ``noise ~ N(0, stddev^2)``; otherwise ``y = x``.

    Example:
        >>> import numpy as np
        >>> from nn.layers import GaussianNoise
        >>> layer = GaussianNoise(0.1, seed=0)
        >>> bool(np.all(layer(np.zeros((2, 3)), training=False).numpy() == 0))
        True
        >>> round(float(np.std(layer(np.zeros((1000, 10)), training=True).numpy())), 1)
        0.1
    """

    uses_training = True

    def __init__(self, stddev: float, seed: int | None = None, input_shape: Any = None,
                 name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        number = isinstance(stddev, (int, float, np.integer, np.floating)) and not isinstance(stddev, bool)
        if not number or stddev < 0:
            raise ValueError(f"{self._where}: stddev must be a number >= 0, received stddev={stddev!r}")
        self.stddev = float(stddev)
        self.seed = seed
        self._rng = fresh_rng(seed)
        self._build_if_declared()

    def forward(self, x: Tensor, training: bool | None = None) -> Tensor:
        training = self.training if training is None else training
        if not training or self.stddev == 0:
            return x
        return x + self._rng.normal(0.0, self.stddev, x.shape).astype(x.dtype)

    def extra_repr(self) -> str:
        return f"stddev={self.stddev}"
