"""Random augmentation layers (Keras 3): ``RandomFlip``, ``RandomRotation``, ``RandomZoom``,
``RandomTranslation``, ``RandomContrast``, ``RandomBrightness``.

Each draws one random transform per image from its own generator (``seed`` makes the draws
repeatable) and is active only while training: with ``training=True``, or with ``training=None``
in train mode (so ``fit`` augments, while ``predict`` and ``evaluate``, which switch the model to
eval mode, see the images unchanged). The geometric ones resample through the same bilinear taps as
``ImageDataGenerator`` (``nn.preprocessing.augment``), applied as Tensor gathers, so they are
differentiable like any other layer.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, where

from ..preprocessing.augment import FILL_MODES, affine_matrix, sampling_taps
from ..utils import fresh_rng
from .image_preprocessing import ImageLayer

INTERPOLATIONS = ("bilinear", "nearest")


def factor_range(where: str, name: str, factor: Any,
                 bounds: tuple[float, float] | None = None) -> tuple[float, float]:
    """Keras's ``factor``: a number ``f`` means ``(-f, f)``, a pair is ``(low, high)``; checked against "
      "``bounds``."""
    try:
        if np.ndim(factor) == 0:
            low, high = -abs(float(factor)), abs(float(factor))
        else:
            low, high = (float(v) for v in factor)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: {name} must be a number or a (low, high) pair, received "
                         f"{name}={factor!r}") from None
    if low > high or (bounds is not None and not bounds[0] <= low <= high <= bounds[1]):
        limits = "" if bounds is None else f" within [{bounds[0]:g}, {bounds[1]:g}]"
        raise ValueError(f"{where}: {name} must give low <= high{limits}, received {name}={factor!r}")
    return low, high


class RandomLayer(ImageLayer):
    """Shared by the random layers: a seeded generator, and ``training`` deciding whether to act."""

    uses_training = True

    def __init__(self, seed: int | None, name: str | None, input_shape: Any) -> None:
        super().__init__(name=name, input_shape=input_shape)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise ValueError(f"{self._where}: seed must be an int or None, received seed={seed!r}")
        self.seed = seed
        self._rng = fresh_rng(seed)  # unseeded: follows nn.utils.set_random_seed

    def transform(self, x: Tensor, training: bool | None) -> Tensor:
        training = self.training if training is None else training
        return self.augment(x) if training else x

    def augment(self, x: Tensor) -> Tensor:
        raise NotImplementedError  # pragma: no cover - every subclass defines it


class RandomFlip(RandomLayer):
    """Flip each image left-right ("horizontal"), up-down ("vertical") or both, each with probability 1/2.

    Example:
        >>> import numpy as np
        >>> from nn.layers import RandomFlip
        >>> x = np.arange(4.0).reshape(1, 1, 4, 1)
        >>> RandomFlip("horizontal", seed=2)(x, training=True).numpy().ravel().tolist()
        [3.0, 2.0, 1.0, 0.0]
        >>> RandomFlip("horizontal", seed=2)(x, training=False).numpy().ravel().tolist()
        [0.0, 1.0, 2.0, 3.0]
    """

    MODES = ("horizontal", "vertical", "horizontal_and_vertical")

    def __init__(self, mode: str = "horizontal_and_vertical", seed: int | None = None,
                 input_shape: Any = None,
                 name: str | None = None) -> None:
        super().__init__(seed, name, input_shape)
        if mode not in self.MODES:
            raise ValueError(f"{self._where}: mode must be one of {self.MODES}, received mode={mode!r}")
        self.mode = mode
        self._build_if_declared()

    def augment(self, x: Tensor) -> Tensor:
        for axis, used in ((2, "horizontal" in self.mode), (1, "vertical" in self.mode)):
            if used:
                flip = self._rng.random(x.shape[0]) < 0.5
                flipped = x[:, :, ::-1] if axis == 2 else x[:, ::-1]
                x = where(flip[:, None, None, None], flipped, x)
        return x

    def extra_repr(self) -> str:
        return f"mode={self.mode!r}"


class AffineLayer(RandomLayer):
    """Shared by rotation, zoom and translation: draw one affine matrix per image, then resample."""

    def __init__(self, fill_mode: str, interpolation: str, seed: int | None, fill_value: float,
                 name: str | None,
                 input_shape: Any) -> None:
        super().__init__(seed, name, input_shape)
        if fill_mode not in FILL_MODES:
            raise ValueError(f"{self._where}: fill_mode must be one of {FILL_MODES}, received "
                             f"fill_mode={fill_mode!r}")
        if interpolation not in INTERPOLATIONS:
            raise ValueError(f"{self._where}: interpolation must be one of {INTERPOLATIONS}, "
                             f"received interpolation={interpolation!r}")
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, float(fill_value)

    def draw(self, height: int, width: int) -> dict:
        """One image's transform as ``affine_matrix`` parameters."""
        raise NotImplementedError  # pragma: no cover - every subclass defines it

    def augment(self, x: Tensor) -> Tensor:
        n, height, width, channels = x.shape
        flat = x.reshape(n * height * width, channels)
        indices, weights, fills = [], [], []
        for i in range(n):
            matrix = affine_matrix(self.draw(height, width), height, width)
            if matrix is None:
                matrix = np.eye(3)
            taps, fill = sampling_taps(matrix, height, width, self.fill_mode, self.interpolation)
            indices.append([index + i * height * width for index, _ in taps])  # rows of image i in `flat`
            weights.append([weight for _, weight in taps])
            fills.append(np.zeros((height, width, 1), np.float32) if fill is None else fill)
        out = None
        for k in range(len(indices[0])):  # one gather per tap (4 for bilinear), over the whole batch
            index = np.stack([per_image[k] for per_image in indices])
            weight = np.stack([per_image[k] for per_image in weights]).astype(x.dtype)
            term = flat[index] * weight
            out = term if out is None else out + term
        if self.fill_mode == "constant" and self.fill_value != 0:
            out = out + (np.stack(fills) * self.fill_value).astype(x.dtype)
        return out


class RandomRotation(AffineLayer):
    """Rotate each image by a random angle: ``factor`` is a fraction of a full turn (0.1 = up to 36 degrees).

    Args:
        factor: ``f`` for angles in ``[-f, f] * 360`` degrees, or ``(low, high)``.
        fill_mode: how points outside the image are filled: "reflect" (default), "wrap", "nearest",
            "constant" (with ``fill_value``).
        interpolation: "bilinear" or "nearest".
        seed: seed of the layer's generator.

    Example:
        >>> import numpy as np
        >>> from nn.layers import RandomRotation
        >>> RandomRotation(0.1, seed=0)(np.ones((2, 8, 8, 3)), training=True).shape
        (2, 8, 8, 3)
    """

    def __init__(self, factor: Any, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0, data_format: str | None = None,
                 input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, name, input_shape)
        self.factor = factor
        self._range = factor_range(self._where, "factor", factor)
        self._build_if_declared()

    def draw(self, height: int, width: int) -> dict:
        return {"theta": -float(self._rng.uniform(*self._range)) * 360.0}  # Keras: positive is anticlockwise


class RandomZoom(AffineLayer):
    """Zoom each image by a random factor: positive factors zoom out (show more), negative zoom in.

    Args:
        height_factor: ``f`` for a zoom in ``[-f, f]``, or ``(low, high)``; the vertical scale is ``1 + z``.
        width_factor: the same for the width; None keeps the aspect ratio (one zoom for both axes).
        fill_mode, interpolation, seed, fill_value: as ``RandomRotation``.

    Example:
        >>> import numpy as np
        >>> from nn.layers import RandomZoom
        >>> RandomZoom(0.2, seed=0)(np.ones((1, 6, 6, 1)), training=True).shape
        (1, 6, 6, 1)
    """

    def __init__(self, height_factor: Any, width_factor: Any = None, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None, fill_value: float = 0.0,
                 data_format: str | None = None, input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, name, input_shape)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._height = factor_range(self._where, "height_factor", height_factor, bounds=(-1.0, np.inf))
        self._width = None if width_factor is None else factor_range(self._where, "width_factor",
                                                                     width_factor,
                                                                     bounds=(-1.0, np.inf))
        self._build_if_declared()

    def draw(self, height: int, width: int) -> dict:
        zy = 1.0 + float(self._rng.uniform(*self._height))
        zx = zy if self._width is None else 1.0 + float(self._rng.uniform(*self._width))
        return {"zy": max(zy, 1e-3), "zx": max(zx, 1e-3)}  # -1 would collapse the image to a point


class RandomTranslation(AffineLayer):
    """Shift each image by a random fraction of its size (positive: down / right).

    Args:
        height_factor, width_factor: ``f`` for a shift in ``[-f, f]`` of the height / width, or ``(low,
                                                                                                   high)``.
        fill_mode, interpolation, seed, fill_value: as ``RandomRotation``.

    Example:
        >>> import numpy as np
        >>> from nn.layers import RandomTranslation
        >>> x = np.arange(5.0).reshape(1, 1, 5, 1)
        >>> layer = RandomTranslation(0.0, (0.2, 0.2), fill_mode="constant", interpolation="nearest")
        >>> layer(x, training=True).numpy().ravel().tolist()  # one pixel to the right, a zero comes in
        [0.0, 0.0, 1.0, 2.0, 3.0]
    """

    def __init__(self, height_factor: Any, width_factor: Any, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None, fill_value: float = 0.0,
                 data_format: str | None = None, input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, name, input_shape)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._height = factor_range(self._where, "height_factor", height_factor, bounds=(-1.0, 1.0))
        self._width = factor_range(self._where, "width_factor", width_factor, bounds=(-1.0, 1.0))
        self._build_if_declared()

    def draw(self, height: int, width: int) -> dict:
        return {"ty": float(self._rng.uniform(*self._height)) * height,
                "tx": float(self._rng.uniform(*self._width)) * width}


class RandomContrast(RandomLayer):
    """``y = clip((x - mean) * c + mean, value_range)``, ``mean`` each image's per-channel mean and ``c``
    uniform in ``[1 - lower, 1 + upper]`` per image (``factor`` is both bounds, or ``(lower, upper)``).

    Example:
        >>> import numpy as np
        >>> from nn.layers import RandomContrast
        >>> x = np.array([[[[100.0], [200.0]]]])
        >>> y = RandomContrast(0.5, seed=0)(x, training=True).numpy().ravel()
        >>> bool(abs(y.mean() - 150) < 1e-4)  # the mean stays, the spread changes
        True
    """

    def __init__(self, factor: Any, value_range: tuple[float, float] = (0, 255), seed: int | None = None,
                 input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(seed, name, input_shape)
        self.factor, self.value_range = factor, tuple(float(v) for v in value_range)
        pair = (factor, factor) if np.ndim(factor) == 0 else factor  # Keras: one number is both bounds
        lower, upper = factor_range(self._where, "factor", pair, bounds=(0.0, np.inf))
        if lower > 1:
            raise ValueError(f"{self._where}: the lower factor must be in [0, 1], received factor={factor!r}")
        self._range = (1.0 - lower, 1.0 + upper)
        self._build_if_declared()

    def augment(self, x: Tensor) -> Tensor:
        contrast = self._rng.uniform(*self._range, size=(x.shape[0], 1, 1, 1)).astype(x.dtype)
        mean = x.mean(axis=(1, 2), keepdims=True)
        return ((x - mean) * contrast + mean).clip(*self.value_range)


class RandomBrightness(RandomLayer):
    """``y = clip(x + delta, value_range)``, ``delta`` uniform in ``factor * (max - min)`` per image.

    Args:
        factor: ``f`` for ``delta`` in ``[-f, f]`` of the value range, or ``(low, high)``, within [-1, 1].
        value_range: the pixel range, ``(0, 255)`` by default (``(0, 1)`` after ``Rescaling(1/255)``).

    Example:
        >>> import numpy as np
        >>> from nn.layers import RandomBrightness
        >>> layer = RandomBrightness((0.5, 0.5), value_range=(0, 1))
        >>> y = layer([[[[0.2, 0.7]]]], training=True).numpy().ravel()  # +0.5, clipped at 1
        >>> [round(v, 4) for v in y.tolist()]
        [0.7, 1.0]
    """

    def __init__(self, factor: Any, value_range: tuple[float, float] = (0, 255), seed: int | None = None,
                 input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(seed, name, input_shape)
        self.factor, self.value_range = factor, tuple(float(v) for v in value_range)
        self._range = factor_range(self._where, "factor", factor, bounds=(-1.0, 1.0))
        self._build_if_declared()

    def augment(self, x: Tensor) -> Tensor:
        span = self.value_range[1] - self.value_range[0]
        delta = (self._rng.uniform(*self._range, size=(x.shape[0], 1, 1, 1)) * span).astype(x.dtype)
        return (x + delta).clip(*self.value_range)
