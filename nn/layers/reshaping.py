"""Layers that move numbers around without weights: ``Reshape``, ``Permute``, ``RepeatVector``,
``ZeroPadding2D``, ``Cropping2D``, ``UpSampling2D`` (Keras 3 names and arguments, NHWC images).

Each is a composition of Tensor ops (reshape, transpose, slicing, concatenate), so its gradient is
the engine's: no layer here writes a derivative of its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, concatenate

from .base import Layer, Shape

IMAGE_AXES = "(batch, height, width, channels)"


def check_data_format(where: str, data_format: str | None) -> None:
    """Only Keras's default ``channels_last`` layout exists here (every kernel is NHWC)."""
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{where}: only data_format='channels_last' (NHWC) is supported, "
                         f"received data_format={data_format!r}")


def _non_negative(value: Any, where: str, arg: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{where}: {arg} must hold non-negative ints, received {arg}={value!r}")
    return int(value)


def two_sided(value: Any, where: str, arg: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """Keras's padding/cropping spelling: ``n``, ``(h, w)`` or ``((top, bottom), (left, right))``."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        n = _non_negative(value, where, arg)
        return (n, n), (n, n)
    try:
        first, second = value
    except (TypeError, ValueError):
        raise ValueError(f"{where}: {arg} must be an int, a pair of ints or a pair of pairs, "
                         f"received {arg}={value!r}") from None
    sides = []
    for part in (first, second):
        if isinstance(part, (tuple, list)):
            if len(part) != 2:
                raise ValueError(f"{where}: each side of {arg} must be (before, after), "
                                 f"received {arg}={value!r}")
            sides.append((_non_negative(part[0], where, arg), _non_negative(part[1], where, arg)))
        else:
            n = _non_negative(part, where, arg)
            sides.append((n, n))
    return sides[0], sides[1]


def pad_axis(x: Tensor, axis: int, before: int, after: int) -> Tensor:
    """Zeros added on both ends of ``axis`` (a concatenate, so the gradient is a slice)."""
    if before == 0 and after == 0:
        return x
    parts = []
    for size in (before, after):
        shape = list(x.shape)
        shape[axis] = size
        parts.append(Tensor(np.zeros(shape, dtype=x.dtype)) if size else None)
    return concatenate([p for p in (parts[0], x, parts[1]) if p is not None], axis=axis)


class Reshape(Layer):
    """Reshape each sample to ``target_shape`` (the batch axis is kept); one entry may be ``-1``.

    Example:
        >>> import numpy as np
        >>> from nn.layers import Reshape
        >>> Reshape((3, -1))(np.zeros((2, 12))).shape
        (2, 3, 4)
    """

    def __init__(self, target_shape: Any, input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        try:
            self.target_shape = tuple(int(d) for d in target_shape)
        except (TypeError, ValueError):
            raise TypeError(f"{self._where}: target_shape must be a tuple of ints, "
                            f"received target_shape={target_shape!r}") from None
        if sum(d == -1 for d in self.target_shape) > 1 or any(d == 0 or d < -1 for d in self.target_shape):
            raise ValueError(f"{self._where}: target_shape must hold positive sizes and at most one -1, "
                             f"received target_shape={target_shape!r}")
        self._build_if_declared()

    def _resolved(self, input_shape: Shape) -> tuple:
        """``target_shape`` with its -1 filled in from the input's size (None when that is unknown)."""
        size = None if None in input_shape[1:] else int(np.prod(input_shape[1:], dtype=np.int64))
        known = int(np.prod([d for d in self.target_shape if d != -1], dtype=np.int64))
        if -1 in self.target_shape:
            if size is None:
                return tuple(None if d == -1 else d for d in self.target_shape)
            if size % known:
                self._size_error(input_shape)
            return tuple(size // known if d == -1 else d for d in self.target_shape)
        if size is not None and size != known:
            self._size_error(input_shape)
        return self.target_shape

    def _size_error(self, input_shape: Shape) -> None:
        raise ValueError(f"{self._where}: cannot reshape samples of shape {tuple(input_shape[1:])} "
                         f"(input shape {tuple(input_shape)}) to target_shape={self.target_shape}")

    def compute_output_shape(self, input_shape: Shape) -> tuple:
        return (input_shape[0], *self._resolved(input_shape))

    def forward(self, x: Tensor) -> Tensor:
        """``x.reshape(batch, *target_shape)``."""
        return x.reshape(x.shape[0], *self._resolved(x.shape))

    def extra_repr(self) -> str:
        return f"target_shape={self.target_shape}"


class Permute(Layer):
    """Reorder the non-batch axes: ``dims`` is a permutation of ``1..rank-1`` (Keras counts from 1).

    Example:
        >>> import numpy as np
        >>> from nn.layers import Permute
        >>> Permute((2, 1))(np.zeros((5, 3, 4))).shape
        (5, 4, 3)
    """

    def __init__(self, dims: Any, input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"{self._where}: dims must be a permutation of 1..{len(self.dims)} "
                             f"(axis 0 is the batch), received dims={tuple(dims)!r}")
        self.input_ndim = len(self.dims) + 1
        self._build_if_declared()

    def compute_output_shape(self, input_shape: Shape) -> tuple:
        return (input_shape[0], *(input_shape[d] for d in self.dims))

    def forward(self, x: Tensor) -> Tensor:
        """``x.transpose(0, *dims)``."""
        return x.transpose(0, *self.dims)

    def extra_repr(self) -> str:
        return f"dims={self.dims}"


class RepeatVector(Layer):
    """Repeat each feature vector ``n`` times: ``(batch, features) -> (batch, n, features)``.

    Example:
        >>> import numpy as np
        >>> from nn.layers import RepeatVector
        >>> RepeatVector(3)(np.array([[1.0, 2.0]])).numpy().tolist()
        [[[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]]]
    """

    input_ndim = 2
    rank_hint = "(batch, features)"

    def __init__(self, n: int, input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"{self._where}: n must be a positive int, received n={n!r}")
        self.n = int(n)
        self._build_if_declared()

    def compute_output_shape(self, input_shape: Shape) -> tuple:
        return (input_shape[0], self.n, input_shape[1])

    def forward(self, x: Tensor) -> Tensor:
        """``broadcast_to(x[:, None, :], (batch, n, features))``; the gradient sums the copies."""
        return x.expand_dims(1).broadcast_to(x.shape[0], self.n, x.shape[1])

    def extra_repr(self) -> str:
        return f"n={self.n}"


class ZeroPadding2D(Layer):
    """Add rows and columns of zeros around each image.

    Args:
        padding: ``n`` (all sides), ``(h, w)`` (top and bottom ``h``, left and right ``w``) or
            ``((top, bottom), (left, right))``.

    Example:
        >>> import numpy as np
        >>> from nn.layers import ZeroPadding2D
        >>> ZeroPadding2D(((1, 0), (2, 1)))(np.ones((1, 2, 2, 3))).shape
        (1, 3, 5, 3)
    """

    input_ndim = 4
    rank_hint = IMAGE_AXES

    def __init__(self, padding: Any = (1, 1), data_format: str | None = None, input_shape: Any = None,
                 name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        check_data_format(self._where, data_format)
        self.padding = two_sided(padding, self._where, "padding")
        self._build_if_declared()

    def compute_output_shape(self, input_shape: Shape) -> tuple:
        n, h, w, c = input_shape
        (top, bottom), (left, right) = self.padding
        return (n, None if h is None else h + top + bottom, None if w is None else w + left + right, c)

    def forward(self, x: Tensor) -> Tensor:
        (top, bottom), (left, right) = self.padding
        return pad_axis(pad_axis(x, 1, top, bottom), 2, left, right)

    def extra_repr(self) -> str:
        return f"padding={self.padding}"


class Cropping2D(Layer):
    """Remove rows and columns from the edges of each image.

    Args:
        cropping: ``n``, ``(h, w)`` or ``((top, bottom), (left, right))``, as ``ZeroPadding2D``.

    Example:
        >>> import numpy as np
        >>> from nn.layers import Cropping2D
        >>> Cropping2D(((1, 0), (1, 1)))(np.ones((1, 4, 4, 2))).shape
        (1, 3, 2, 2)
    """

    input_ndim = 4
    rank_hint = IMAGE_AXES

    def __init__(self, cropping: Any = ((0, 0), (0, 0)), data_format: str | None = None,
                 input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        check_data_format(self._where, data_format)
        self.cropping = two_sided(cropping, self._where, "cropping")
        self._build_if_declared()

    def compute_output_shape(self, input_shape: Shape) -> tuple:
        n, h, w, c = input_shape
        (top, bottom), (left, right) = self.cropping
        out = (None if h is None else h - top - bottom, None if w is None else w - left - right)
        if any(size is not None and size < 1 for size in out):
            raise ValueError(f"{self._where}: cropping={self.cropping} removes every row or column of "
                             f"an input of shape {tuple(input_shape)}")
        return (n, *out, c)

    def forward(self, x: Tensor) -> Tensor:
        (top, bottom), (left, right) = self.cropping
        return x[:, top:x.shape[1] - bottom, left:x.shape[2] - right, :]

    def extra_repr(self) -> str:
        return f"cropping={self.cropping}"


def resize_matrix(n_in: int, n_out: int, method: str) -> np.ndarray:
    """``(n_out, n_in)`` matrix that resamples a signal of length ``n_in`` to ``n_out`` samples.

    Half-pixel centres, as TensorFlow's ``resize`` and torch's ``interpolate(align_corners=False)``:
    output ``i`` reads the source at ``(i + 0.5) * n_in / n_out - 0.5``; "nearest" takes the pixel
    that contains that point, "bilinear" blends the two around it (clamped at the edges).
    """
    scale = n_in / n_out
    centres = (np.arange(n_out) + 0.5) * scale
    weights = np.zeros((n_out, n_in))
    rows = np.arange(n_out)
    if method == "nearest":
        weights[rows, np.minimum(np.floor(centres).astype(int), n_in - 1)] = 1.0
        return weights
    src = np.clip(centres - 0.5, 0, n_in - 1)
    low = np.floor(src).astype(int)
    high = np.minimum(low + 1, n_in - 1)
    frac = src - low
    np.add.at(weights, (rows, low), 1.0 - frac)
    np.add.at(weights, (rows, high), frac)
    return weights


def resize_images(x: Tensor, height: int, width: int, method: str) -> Tensor:
    """Resize NHWC ``x`` to ``(height, width)`` by two matrix products (so it is differentiable)."""
    n, h, w, c = x.shape
    if (h, w) != (height, width):
        rows = Tensor(resize_matrix(h, height, method).astype(x.dtype))
        cols = Tensor(resize_matrix(w, width, method).astype(x.dtype))
        # (N, H, W, C) -> (N, C, H, W): then rows @ x @ cols.T resamples both axes at once
        x = (rows @ x.transpose(0, 3, 1, 2) @ cols.T).transpose(0, 2, 3, 1)
    return x


class UpSampling2D(Layer):
    """Repeat rows ``size[0]`` times and columns ``size[1]`` times ("nearest"), or interpolate ("bilinear").

    Example:
        >>> import numpy as np
        >>> from nn.layers import UpSampling2D
        >>> UpSampling2D(2)(np.arange(4.0).reshape(1, 2, 2, 1)).numpy()[0, :, :, 0].tolist()
        [[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0], [2.0, 2.0, 3.0, 3.0], [2.0, 2.0, 3.0, 3.0]]
    """

    input_ndim = 4
    rank_hint = IMAGE_AXES

    def __init__(self, size: Any = (2, 2), data_format: str | None = None, interpolation: str = "nearest",
                 input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        check_data_format(self._where, data_format)
        sizes = (size, size) if isinstance(size, (int, np.integer)) else tuple(size)
        if len(sizes) != 2 or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1
                                  for s in sizes):
            raise ValueError(f"{self._where}: size must be a positive int or a pair of them, "
                             f"received size={size!r}")
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(f"{self._where}: interpolation must be 'nearest' or 'bilinear', "
                             f"received interpolation={interpolation!r}")
        self.size = (int(sizes[0]), int(sizes[1]))
        self.interpolation = interpolation
        self._build_if_declared()

    def compute_output_shape(self, input_shape: Shape) -> tuple:
        n, h, w, c = input_shape
        return (n, None if h is None else h * self.size[0], None if w is None else w * self.size[1], c)

    def forward(self, x: Tensor) -> Tensor:
        _, h, w, _ = x.shape
        if self.interpolation == "bilinear":
            return resize_images(x, h * self.size[0], w * self.size[1], "bilinear")
        rows, cols = np.repeat(np.arange(h), self.size[0]), np.repeat(np.arange(w), self.size[1])
        return x[:, rows][:, :, cols]  # gathers: the gradient sums each block back onto its pixel

    def extra_repr(self) -> str:
        return f"size={self.size}, interpolation={self.interpolation!r}"
