"""``image_dataset_from_directory``: a folder of class sub-folders -> a ``Dataset`` of image batches.

Keras 3's replacement for ``ImageDataGenerator.flow_from_directory``: the dataset yields
``(images, labels)`` numpy batches (images float32 ``(batch, height, width, channels)`` with pixel
values 0..255, not rescaled), and augmentation moves into the model as preprocessing layers
(``Rescaling``, ``RandomFlip``, ...). Files are decoded by Pillow on a few threads per batch; add
``.prefetch(n)`` to decode the next batches while the model trains.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..preprocessing.image_io import (
    COLOR_MODES,
    IMAGE_EXTENSIONS,
    check_choice,
    check_target_size,
    img_to_array,
    is_image_file,
    load_img,
    pil_image,
)
from .dataset import Dataset
from .dataset_utils import directory_datasets

WHERE = "image_dataset_from_directory"
# Keras's interpolation names -> Pillow's resampling filters ("area" averages the covered pixels: box)
INTERPOLATIONS = {"bilinear": "bilinear", "nearest": "nearest", "bicubic": "bicubic", "area": "box",
                  "lanczos3": "lanczos", "lanczos5": "lanczos", "lanczos": "lanczos", "box": "box",
                  "hamming": "hamming"}


def image_dataset_from_directory(
    directory: str | os.PathLike, labels: Any = "inferred", label_mode: str | None = "int",
    class_names: list[str] | None = None, color_mode: str = "rgb", batch_size: int | None = 32,
    image_size: tuple[int, int] = (256, 256), shuffle: bool = True, seed: int | None = None,
    validation_split: float | None = None, subset: str | None = None, interpolation: str = "bilinear",
    follow_links: bool = False, crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
    data_format: str | None = None, verbose: bool = True,
) -> Dataset | tuple[Dataset, Dataset]:
    """A ``Dataset`` of ``(images, labels)`` batches from ``directory/<class>/<image files>`` (Keras 3).

    Example:
        >>> train, val = image_dataset_from_directory(                  # doctest: +SKIP
        ...     "photos", validation_split=0.2, subset="both", seed=1, image_size=(64, 64))
        >>> train.class_names                                           # doctest: +SKIP
        ['cats', 'dogs']
        >>> model.fit(train.prefetch(2), validation_data=val, epochs=5)  # doctest: +SKIP

    Args:
        directory: the folder. With ``labels="inferred"`` each sub-folder is a class.
        labels: "inferred" (from the sub-folders), None (images only), or a list of int labels, one per
            image file under ``directory`` in sorted path order.
        label_mode: "int" (int32 indices), "categorical" (float32 one-hot), "binary" (float32, shape
            ``(batch, 1)``; exactly 2 classes) or None (no labels).
        class_names: the sub-folders in the order that gives their indices (default: sorted).
        color_mode: "grayscale", "rgb" or "rgba" (1, 3 or 4 channels).
        batch_size: images per batch; None yields single images.
        image_size: ``(height, width)`` every image is resized to.
        shuffle: shuffle the files (once with ``seed``, then again every epoch).
        seed: seed of the shuffles; required with ``shuffle`` and ``validation_split``.
        validation_split: fraction held out for validation, with ``subset``.
        subset: "training", "validation" or "both" (returns the pair).
        interpolation: "bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5" (Pillow's
            filters, which smooth when shrinking).
        follow_links: enter linked sub-folders (each real folder and file once, so loops end).
        crop_to_aspect_ratio: crop the largest centred region with the target aspect ratio first.
        pad_to_aspect_ratio: pad with black to the target aspect ratio first (no distortion).
        data_format: only "channels_last".
        verbose: print how many files were found and used.

    Returns:
        A ``Dataset`` (iterable, ``len()``, ``.class_names``, ``.file_paths``, ``take``, ``map``,
        ``prefetch``), or ``(training, validation)`` for ``subset="both"``.
    """
    check_choice(WHERE, "color_mode", color_mode, tuple(COLOR_MODES))
    check_choice(WHERE, "interpolation", interpolation, tuple(INTERPOLATIONS))
    height, width = check_target_size(WHERE, image_size)
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(f"{WHERE}: crop_to_aspect_ratio and pad_to_aspect_ratio cannot both be True")
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{WHERE}: only data_format='channels_last' is supported, received {data_format!r}")
    pil_image()  # fail now, not at the first batch, when Pillow is missing
    reader = _ImageReader(color_mode, (height, width), INTERPOLATIONS[interpolation], crop_to_aspect_ratio,
                          pad_to_aspect_ratio)
    return directory_datasets(WHERE, directory, labels, label_mode, class_names, is_image_file, "images",
                              reader, np.stack, batch_size, shuffle, seed, validation_split, subset,
                              follow_links, verbose)


class _ImageReader:
    """Decodes one file into a float32 ``(height, width, channels)`` array; errors name the file."""

    def __init__(self, color_mode: str, size: tuple[int, int], resample: str, crop: bool, pad: bool) -> None:
        self.color_mode, self.size, self.resample, self.crop, self.pad = color_mode, size, resample, crop, pad

    def __call__(self, path: str) -> np.ndarray:
        height, width = self.size
        try:
            if self.pad:  # fit inside the target, keeping the aspect ratio, then pad the rest with black
                from PIL import ImageOps

                with load_img(path, self.color_mode) as img:
                    method = getattr(pil_image().Resampling, self.resample.upper())
                    return img_to_array(ImageOps.pad(img, (width, height), method=method, color=0))
            with load_img(path, self.color_mode, self.size, self.resample, self.crop) as img:
                return img_to_array(img)
        except ImportError:
            raise
        except Exception as error:  # Pillow raises OSError, SyntaxError, ValueError... for bad files
            formats = ", ".join(IMAGE_EXTENSIONS)
            raise ValueError(f"{WHERE}: cannot read image {path!r} ({type(error).__name__}: {error}); "
                             f"fix or remove the file (readable formats: {formats})") from error
