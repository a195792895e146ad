"""``ImageDataGenerator``: Keras's image pipeline (folders or arrays -> augmented NHWC float32 batches).

The seed's code runs unchanged with ``tensorflow.keras`` replaced by ``nn``::

    gen = ImageDataGenerator(rescale=1.0 / 255, validation_split=0.2)
    train = gen.flow_from_directory("data/train", target_size=(150, 150), batch_size=32,
                                    class_mode="binary", subset="training")
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .augment import FILL_MODES, apply_transform, random_params
from .directory import flow_from_directory
from .image_io import IMAGE_EXTENSIONS, array_to_img, check_choice, img_to_array, load_img
from .iterators import DirectoryIterator, Iterator, NumpyArrayIterator

SUBSETS = ("training", "validation", None)

__all__ = [
    "ImageDataGenerator", "DirectoryIterator", "NumpyArrayIterator", "Iterator", "load_img", "img_to_array",
    "array_to_img", "IMAGE_EXTENSIONS",
]


def _number(where: str, name: str, value: Any, low: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or value < low:
        raise ValueError(f"ImageDataGenerator: {name} must be a number >= {low:g}, received {name}={value!r}")
    return value


class ImageDataGenerator:
    """Turns image folders or arrays into batches, with optional random augmentation (Keras semantics).

    Each image goes through: decode and resize -> random affine warp (rotation, shifts, shear, zoom)
    and flips -> ``preprocessing_function`` -> ``x * rescale``; as in Keras, ``preprocessing_function``
    runs after augmentation and before ``rescale``.

    Example:
        >>> gen = ImageDataGenerator(rescale=1 / 255, horizontal_flip=True)
        >>> it = gen.flow(np.full((10, 4, 4, 3), 255.0), np.arange(10), batch_size=4, seed=0)
        >>> x, y = it[0]; x.shape, float(x.max()), len(it)
        ((4, 4, 4, 3), 1.0, 3)

    Args:
        rescale: factor every pixel is multiplied by last (e.g. ``1/255``); None or 0 leaves pixels alone.
        preprocessing_function: ``f(image (H, W, C) float32) -> image of the same shape``.
        horizontal_flip / vertical_flip: flip each image with probability 1/2.
        rotation_range: degrees; the angle is uniform in ``[-r, r]``.
        width_shift_range / height_shift_range: float < 1: fraction of the size; >= 1: pixels; int n:
            whole pixels in ``(-n, n)``; a list: one of its values with a random sign.
        shear_range: shear angle in degrees, uniform in ``[-s, s]``.
        zoom_range: float ``z`` for ``[1 - z, 1 + z]``, or ``[low, high]``; values < 1 zoom in.
        fill_mode: how points outside the image are filled: "constant" (with ``cval``), "nearest",
            "reflect" or "wrap".
        cval: the fill value for "constant".
        validation_split: fraction of each class held out for ``subset="validation"``, in ``[0, 1)``.
        dtype: dtype of the image batches.
    """

    def __init__(
        self,
        rescale: float | None = None,
        preprocessing_function: Callable[[np.ndarray], np.ndarray] | None = None,
        horizontal_flip: bool = False,
        vertical_flip: bool = False,
        rotation_range: float = 0,
        width_shift_range: float | Sequence[float] = 0.0,
        height_shift_range: float | Sequence[float] = 0.0,
        zoom_range: float | Sequence[float] = 0.0,
        shear_range: float = 0.0,
        fill_mode: str = "nearest",
        cval: float = 0.0,
        validation_split: float = 0.0,
        dtype: Any = "float32",
    ) -> None:
        if rescale is not None and (isinstance(rescale, bool) or not isinstance(
                rescale, (int, float, np.integer, np.floating)) or not np.isfinite(rescale)):
            hint = " (write the number, e.g. rescale=1/255, not a string)" if isinstance(rescale, str) else ""
            raise TypeError(f"ImageDataGenerator: rescale must be a number or None, received "
                            f"rescale={rescale!r} of type {type(rescale).__name__}{hint}")
        if preprocessing_function is not None and not callable(preprocessing_function):
            raise TypeError(
                "ImageDataGenerator: preprocessing_function must be callable, "
                f"received {preprocessing_function!r}"
            )
        if not isinstance(validation_split, (int, float, np.integer, np.floating)) or not (
            0 <= validation_split < 1
        ):
            raise ValueError(
                "ImageDataGenerator: validation_split must be in [0, 1), "
                f"received validation_split={validation_split!r}"
            )
        check_choice("ImageDataGenerator", "fill_mode", fill_mode, FILL_MODES)
        shifts = (("width_shift_range", width_shift_range), ("height_shift_range", height_shift_range))
        for name, value in shifts:
            if np.ndim(value) == 1:
                for v in value:
                    _number("ImageDataGenerator", name, abs(v))
            else:
                _number("ImageDataGenerator", name, value)
        if np.ndim(zoom_range) == 0:
            z = _number("ImageDataGenerator", "zoom_range", zoom_range)
            zoom = (1.0 - float(z), 1.0 + float(z))
        elif len(zoom_range) == 2 and 0 < zoom_range[0] <= zoom_range[1]:
            zoom = (float(zoom_range[0]), float(zoom_range[1]))
        else:
            raise ValueError(
                f"ImageDataGenerator: zoom_range must be a float or [low, high] with 0 < low <= high, "
                f"received zoom_range={zoom_range!r}"
            )
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.horizontal_flip = bool(horizontal_flip)
        self.vertical_flip = bool(vertical_flip)
        self.rotation_range = _number("ImageDataGenerator", "rotation_range", rotation_range)
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.shear_range = _number("ImageDataGenerator", "shear_range", shear_range)
        self.zoom_range = zoom
        self.fill_mode = fill_mode
        self.cval = float(cval)
        self.validation_split = float(validation_split)
        self.dtype = np.dtype(dtype)

    def _is_random(self) -> bool:
        return bool(self.rotation_range or np.any(self.width_shift_range) or np.any(self.height_shift_range)
                    or self.shear_range or self.zoom_range != (1.0, 1.0)
                    or self.horizontal_flip or self.vertical_flip)

    def get_random_transform(self, img_shape: tuple[int, ...], seed: int | None = None) -> dict:
        """Draw transform parameters (theta, tx, ty, shear, zx, zy, flips) for an (H, W, C) image."""
        return random_params(self, img_shape, np.random.default_rng(seed))

    def apply_transform(self, x: np.ndarray, transform_parameters: dict) -> np.ndarray:
        """Apply parameters from ``get_random_transform`` to one (H, W, C) image."""
        return apply_transform(x, transform_parameters, self.fill_mode, self.cval)

    def random_transform(self, x: np.ndarray, seed: int | None = None) -> np.ndarray:
        """One randomly augmented copy of the (H, W, C) image ``x``."""
        return self.apply_transform(x, self.get_random_transform(x.shape, seed))

    def standardize(self, x: np.ndarray) -> np.ndarray:
        """``preprocessing_function`` then ``rescale`` (Keras's order); returns the standardized image."""
        if self.preprocessing_function is not None:
            shape = np.shape(x)
            x = np.asarray(self.preprocessing_function(x))
            if x.shape != shape:
                raise ValueError(
                    f"ImageDataGenerator: preprocessing_function must return an image of the shape it was "
                    f"given, {shape}; received shape {x.shape} from {self.preprocessing_function!r}"
                )
        if self.rescale:
            x = x * np.asarray(self.rescale, dtype=x.dtype)
        return x

    def _augment(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """The per-image pipeline of a batch: random transform (when any) then standardize."""
        if self._is_random():
            x = apply_transform(x, random_params(self, x.shape, rng), self.fill_mode, self.cval)
        return self.standardize(x)

    def flow(self, x: Any, y: Any = None, batch_size: int = 32, shuffle: bool = True, seed: int | None = None,
             subset: str | None = None, workers: int | None = None,
             prefetch: bool = False) -> NumpyArrayIterator:
        """Batches of augmented images from arrays: ``x`` (n, H, W, C) and optional ``y`` with n rows.

        With ``subset``, the first ``int(n * validation_split)`` samples are "validation" and the rest
        "training", as in Keras (shuffle your arrays first if they are sorted by label).

        Returns:
            a ``NumpyArrayIterator``: ``len(it)``, ``it[i] -> (x, y)`` (or ``x`` when ``y`` is None),
            ``it.on_epoch_end()``, and endless ``next(it)``.
        """
        self._check_subset("flow", subset)
        return NumpyArrayIterator(x, y, self, batch_size, shuffle, seed, subset, workers, self.dtype,
                                  prefetch)

    def flow_from_directory(
        self, directory: str | os.PathLike, target_size: tuple[int, int] = (256, 256),
        color_mode: str = "rgb", classes: list[str] | None = None, class_mode: str | None = "categorical",
        batch_size: int = 32, shuffle: bool = True, seed: int | None = None, interpolation: str = "nearest",
        subset: str | None = None, follow_links: bool = False, on_error: str = "raise",
        workers: int | None = None, verbose: bool = True, prefetch: bool = True,
        keep_aspect_ratio: bool = False,
    ) -> DirectoryIterator:
        """Batches of images from ``directory/<class>/...`` files, with Keras's semantics.

        Classes are the sorted sub-folder names unless ``classes`` lists them; every file under a class
        folder whose name ends in png, jpg, jpeg, bmp, ppm, pgm, tif, tiff or gif (any case) is a sample;
        other files are skipped silently. Prints "Found N images belonging to K classes."

        Example:
            >>> gen = ImageDataGenerator(rescale=1 / 255, validation_split=0.2)    # doctest: +SKIP
            >>> train = gen.flow_from_directory("data/train", target_size=(150, 150),
            ...     class_mode="binary", subset="training")                       # doctest: +SKIP
            Found 1600 images belonging to 2 classes.
            >>> x, y = train[0]; x.shape, y.dtype                                  # doctest: +SKIP
            ((32, 150, 150, 3), dtype('float32'))

        Args:
            directory: folder with one sub-folder per class.
            target_size: ``(height, width)`` every image is resized to.
            color_mode: "rgb" (3 channels), "rgba" (4) or "grayscale" (1).
            classes: class folder names in label order; default: all sub-folders, sorted.
            class_mode: labels per batch: "categorical" (one-hot float32), "binary" (float32 0/1, exactly
                two classes), "sparse" (int32 indices), "input" (y is a copy of x) or None (x only).
            batch_size: images per batch; the last batch holds the remainder.
            shuffle: reshuffle the order every epoch (``on_epoch_end``).
            seed: makes the shuffles and augmentations reproducible.
            interpolation: resize filter: "nearest", "bilinear", "bicubic", "lanczos", "box", "hamming".
            subset: "training" or "validation", using the generator's ``validation_split``.
            follow_links: follow symbolic links to sub-folders.
            on_error: "raise": an unreadable image raises ValueError naming it; "skip": files whose header
                Pillow rejects are left out up front, files that fail while decoding are dropped from
                their batch; both warn once naming the file.
            workers: decoding threads (default min(4, cpu count)); 1 decodes in the caller's thread.
            verbose: print the "Found ..." line.
            keep_aspect_ratio: centre-crop each image to the target's aspect ratio before resizing.
            prefetch: while batch ``i`` is used, decode batch ``i + 1`` on a background thread, so
                reading overlaps the training step (results are identical either way).

        Returns:
            a ``DirectoryIterator``: ``len(it)``, ``it[i] -> (x, y)`` (``x`` only for class_mode None),
            ``it.on_epoch_end()`` and endless ``next(it)``; see ``nn.preprocessing.iterators``.
        """
        return flow_from_directory(
            self, directory, target_size, color_mode, classes, class_mode, batch_size, shuffle, seed,
            interpolation, subset, follow_links, on_error, workers, verbose, prefetch, keep_aspect_ratio,
        )

    def _check_subset(self, where: str, subset: str | None) -> None:
        check_choice(where, "subset", subset, SUBSETS)
        if subset is not None and not self.validation_split:
            raise ValueError(
                f"{where}: subset={subset!r} needs ImageDataGenerator(validation_split=...) > 0, "
                "received validation_split=0.0"
            )
