"""Preprocessing layers that run inside the model: ``Rescaling``, ``Resizing``, ``CenterCrop``.

They take NHWC batches (or one ``(H, W, C)`` image) and are ordinary differentiable layers built from
Tensor ops, so a model can start with ``Rescaling(1 / 255)`` and be fed raw 0..255 pixels, exactly as
``image_dataset_from_directory`` yields them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .base import Layer, Shape
from .reshaping import check_data_format, resize_images

RESIZE_METHODS = ("bilinear", "nearest")


class ImageLayer(Layer):
    """Base of the image preprocessing layers: accepts ``(N, H, W, C)`` or a single ``(H, W, C)`` image
    (given a batch axis for ``transform`` and losing it again afterwards), as Keras's do."""

    min_ndim = 3
    rank_hint = "(batch, height, width, channels) or (height, width, channels)"

    def _check_input_shape(self, shape: tuple) -> None:
        super()._check_input_shape(shape)
        if len(shape) > 4:
            raise ValueError(f"{self._where}: expected a 4-D input {self.rank_hint}, received shape {shape} "
                             f"({len(shape)}-D)")

    def forward(self, x: Tensor, training: bool | None = None) -> Tensor:
        single = x.ndim == 3
        y = self.transform(x.expand_dims(0) if single else x, training)
        return y[0] if single else y

    def transform(self, x: Tensor, training: bool | None) -> Tensor:
        raise NotImplementedError  # pragma: no cover - every subclass defines it

    def compute_output_shape(self, input_shape: Shape) -> tuple:
        if len(input_shape) == 3:
            return self._output_hw_shape((None, *input_shape))[1:]
        return self._output_hw_shape(tuple(input_shape))

    def _output_hw_shape(self, shape: tuple) -> tuple:
        return shape


def _size(where: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{where}: {name} must be a positive int, received {name}={value!r}")
    return int(value)


class Rescaling(Layer):
    """``y = x * scale + offset`` (``scale`` and ``offset`` may be per-channel lists).

    Example:
        >>> from nn.layers import Rescaling
        >>> Rescaling(1 / 127.5, offset=-1)([[[[0.0, 127.5, 255.0]]]]).numpy().tolist()
        [[[[-1.0, 0.0, 1.0]]]]
    """

    def __init__(self, scale: Any, offset: Any = 0.0, input_shape: Any = None,
                 name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        try:
            self.scale, self.offset = np.asarray(scale, np.float32), np.asarray(offset, np.float32)
        except (TypeError, ValueError):
            raise TypeError(f"{self._where}: scale and offset must be numbers (or per-channel lists), "
                            "received "
                            f"scale={scale!r}, offset={offset!r}") from None
        self._build_if_declared()

    def forward(self, x: Tensor) -> Tensor:
        return x * self.scale.astype(x.dtype) + self.offset.astype(x.dtype)

    def get_config(self) -> dict:
        return {"scale": self.scale.tolist(), "offset": self.offset.tolist(), "name": self.name}

    def extra_repr(self) -> str:
        return f"scale={self.scale.tolist()}, offset={self.offset.tolist()}"


def centre_crop(x: Tensor, height: int, width: int) -> Tensor:
    """The centred ``height x width`` window of NHWC ``x`` (which must be at least that large)."""
    top, left = (x.shape[1] - height) // 2, (x.shape[2] - width) // 2
    return x[:, top:top + height, left:left + width]


def crop_to_aspect(x: Tensor, height: int, width: int) -> Tensor:
    """The largest centred window of ``x`` with the aspect ratio ``height : width``."""
    h, w = x.shape[1], x.shape[2]
    crop_h, crop_w = min(h, w * height // width), min(w, h * width // height)
    return centre_crop(x, max(crop_h, 1), max(crop_w, 1))


def pad_to_aspect(x: Tensor, height: int, width: int, fill_value: float) -> Tensor:
    """``x`` padded evenly on two sides with ``fill_value`` to the aspect ratio ``height : width``."""
    from autograd import concatenate

    h, w = x.shape[1], x.shape[2]
    if h * width >= w * height:  # too tall: widen
        axis, extra = 2, -(-h * width // height) - w
    else:
        axis, extra = 1, -(-w * height // width) - h
    if extra <= 0:
        return x
    parts = []
    for size in (extra // 2, extra - extra // 2):
        shape = list(x.shape)
        shape[axis] = size
        parts.append(Tensor(np.full(shape, fill_value, dtype=x.dtype)))
    return concatenate([parts[0], x, parts[1]], axis=axis)


class Resizing(ImageLayer):
    """Resize images to ``height x width`` (half-pixel sampling, as ``tf.image.resize`` without antialiasing).

    Args:
        height, width: the output size.
        interpolation: "bilinear" or "nearest".
        crop_to_aspect_ratio: first crop the largest centred window with the target's aspect ratio.
        pad_to_aspect_ratio: first pad with ``fill_value`` to the target's aspect ratio.

    Example:
        >>> import numpy as np
        >>> from nn.layers import Resizing
        >>> Resizing(2, 2)(np.arange(16.0).reshape(1, 4, 4, 1)).numpy()[0, :, :, 0].tolist()
        [[2.5, 4.5], [10.5, 12.5]]
    """

    def __init__(self, height: int, width: int, interpolation: str = "bilinear",
                 crop_to_aspect_ratio: bool = False,
                 pad_to_aspect_ratio: bool = False, fill_mode: str = "constant", fill_value: float = 0.0,
                 data_format: str | None = None, input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        check_data_format(self._where, data_format)
        self.height, self.width = _size(self._where, "height", height), _size(self._where, "width", width)
        if interpolation not in RESIZE_METHODS:
            raise ValueError(f"{self._where}: interpolation must be one of {RESIZE_METHODS}, "
                             f"received interpolation={interpolation!r}")
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError(f"{self._where}: crop_to_aspect_ratio and pad_to_aspect_ratio cannot both be "
                             "True")
        if fill_mode != "constant":
            raise ValueError(f"{self._where}: fill_mode must be 'constant', received fill_mode={fill_mode!r}")
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_mode, self.fill_value = fill_mode, float(fill_value)
        self._build_if_declared()

    def transform(self, x: Tensor, training: bool | None) -> Tensor:
        if self.crop_to_aspect_ratio:
            x = crop_to_aspect(x, self.height, self.width)
        elif self.pad_to_aspect_ratio:
            x = pad_to_aspect(x, self.height, self.width, self.fill_value)
        return resize_images(x, self.height, self.width, self.interpolation)

    def _output_hw_shape(self, shape: tuple) -> tuple:
        return (shape[0], self.height, self.width, shape[3])

    def extra_repr(self) -> str:
        return f"height={self.height}, width={self.width}, interpolation={self.interpolation!r}"


class CenterCrop(ImageLayer):
    """The centred ``height x width`` window of each image; smaller images are first cropped to that
    aspect ratio and resized up (bilinear), as Keras does.

    Example:
        >>> import numpy as np
        >>> from nn.layers import CenterCrop
        >>> CenterCrop(2, 2)(np.arange(16.0).reshape(1, 4, 4, 1)).numpy()[0, :, :, 0].tolist()
        [[5.0, 6.0], [9.0, 10.0]]
    """

    def __init__(self, height: int, width: int, data_format: str | None = None, input_shape: Any = None,
                 name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        check_data_format(self._where, data_format)
        self.height, self.width = _size(self._where, "height", height), _size(self._where, "width", width)
        self._build_if_declared()

    def transform(self, x: Tensor, training: bool | None) -> Tensor:
        if x.shape[1] >= self.height and x.shape[2] >= self.width:
            return centre_crop(x, self.height, self.width)
        return resize_images(crop_to_aspect(x, self.height, self.width), self.height, self.width, "bilinear")

    def _output_hw_shape(self, shape: tuple) -> tuple:
        return (shape[0], self.height, self.width, shape[3])

    def extra_repr(self) -> str:
        return f"height={self.height}, width={self.width}"
