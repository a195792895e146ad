"""Reading image files: which files count as images, decoding with Pillow, colour modes and resizing.

Pillow is imported lazily, so ``nn`` works without it until an image file is read.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

# Keras's white list (png, jpg, jpeg, bmp, ppm, tif, tiff) plus pgm and gif, which Pillow reads as well;
# matched case-insensitively on the file name's ending. Other files are skipped silently, as in Keras.
IMAGE_EXTENSIONS = ("png", "jpg", "jpeg", "bmp", "ppm", "pgm", "tif", "tiff", "gif")
COLOR_MODES = {"grayscale": ("L", 1), "rgb": ("RGB", 3), "rgba": ("RGBA", 4)}
INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "lanczos", "box", "hamming")
_GRAY_MODES = ("L", "I;16", "I", "F")  # single-channel modes kept as they are (16-bit and float stay exact)


def pil_image() -> Any:
    """The ``PIL.Image`` module, or an ImportError telling how to install it."""
    try:
        from PIL import Image
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            'nn.preprocessing.image needs Pillow to read image files: pip install "stepgrad[images]"'
        ) from error
    return Image


def is_image_file(name: str) -> bool:
    """True when ``name`` ends with one of ``IMAGE_EXTENSIONS`` (any case)."""
    return name.lower().endswith(tuple("." + ext for ext in IMAGE_EXTENSIONS))


def list_image_files(folder: str, follow_links: bool = False) -> list[str]:
    """Image files under ``folder`` (sub-folders included), sorted by folder then by name, as Keras walks."""
    found = []
    for root, _, files in sorted(os.walk(folder, followlinks=follow_links), key=lambda entry: entry[0]):
        found.extend(os.path.join(root, name) for name in sorted(files) if is_image_file(name))
    return found


def check_choice(where: str, name: str, value: Any, valid: Any) -> None:
    """ValueError naming ``where``, the received value and the valid ones, unless ``value in valid``."""
    if value not in valid:
        listed = ", ".join(repr(v) for v in valid)
        raise ValueError(f"{where}: unknown {name}={value!r}; expected one of {listed}")


def check_target_size(where: str, target_size: Any) -> tuple[int, int]:
    """``(height, width)`` as two positive ints, or a ValueError naming the received value."""
    try:
        height, width = (int(v) for v in target_size)
        ok = height > 0 and width > 0 and all(float(v) == int(v) for v in target_size)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(
            f"{where}: target_size must be (height, width) with positive ints, received {target_size!r}"
        )
    return height, width


def load_img(
    path: str | os.PathLike,
    color_mode: str = "rgb",
    target_size: tuple[int, int] | None = None,
    interpolation: str = "nearest",
    keep_aspect_ratio: bool = False,
) -> Any:
    """Open an image file as a Pillow image in ``color_mode``, resized to ``target_size`` (as Keras's).

    GIFs give their first frame. Grayscale keeps 8-bit, 16-bit and float single-channel images as they are
    and converts anything else to 8-bit ``L``; ``rgb``/``rgba`` convert as Pillow does.

    Example:
        >>> img = load_img("cat.jpg", target_size=(150, 150))   # doctest: +SKIP
        >>> img_to_array(img).shape                              # doctest: +SKIP
        (150, 150, 3)

    Args:
        path: the image file.
        color_mode: "grayscale", "rgb" or "rgba".
        target_size: ``(height, width)``, or None to keep the file's size.
        interpolation: resampling filter, one of ``INTERPOLATIONS``.
        keep_aspect_ratio: crop the largest centred region with the target's aspect ratio before
            resizing, instead of stretching.
    """
    check_choice("load_img", "color_mode", color_mode, tuple(COLOR_MODES))
    check_choice("load_img", "interpolation", interpolation, INTERPOLATIONS)
    Image = pil_image()
    source = Image.open(path)
    try:
        img = source
        mode = COLOR_MODES[color_mode][0]
        if color_mode == "grayscale" and img.mode in _GRAY_MODES:
            img.load()  # decode now, inside the try, so a truncated file fails here and names itself
        elif img.mode != mode:
            img = img.convert(mode)  # convert decodes the first frame (GIF, multi-page TIFF)
        else:
            img.load()
        if target_size is not None:
            height, width = check_target_size("load_img", target_size)
            if img.size != (width, height):
                box = _centre_crop(img.size, (width, height)) if keep_aspect_ratio else None
                img = img.resize((width, height), getattr(Image.Resampling, interpolation.upper()), box=box)
    except Exception:
        source.close()
        raise
    if img is not source:
        source.close()  # multi-frame files (GIF, TIFF) keep their file open until closed
    return img


def _centre_crop(size: tuple[int, int], target: tuple[int, int]) -> tuple[int, int, int, int]:
    """The largest centred (left, top, right, bottom) box of ``size`` with the aspect ratio of ``target``."""
    (w, h), (tw, th) = size, target
    crop_w, crop_h = min(w, h * tw // th), min(h, w * th // tw)
    left, top = (w - crop_w) // 2, (h - crop_h) // 2
    return left, top, left + crop_w, top + crop_h


def img_to_array(img: Any, dtype: Any = np.float32) -> np.ndarray:
    """A Pillow image as an ``(height, width, channels)`` array (grayscale gets a channel axis of 1)."""
    array = np.asarray(img, dtype=dtype)
    return array[..., None] if array.ndim == 2 else array


def array_to_img(x: np.ndarray, scale: bool = True) -> Any:
    """An ``(height, width, 1|3|4)`` array as a Pillow image; ``scale`` maps its min..max onto 0..255."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3 or x.shape[-1] not in (1, 3, 4):
        raise ValueError(f"array_to_img: expected an (height, width, 1|3|4) array, received shape {x.shape}")
    if scale:
        x = x - x.min()
        top = x.max()
        x = x / top * 255.0 if top > 0 else x
    mode = {1: "L", 3: "RGB", 4: "RGBA"}[x.shape[-1]]
    pixels = np.clip(np.rint(x), 0, 255).astype(np.uint8)
    return pil_image().fromarray(pixels[..., 0] if mode == "L" else pixels, mode)


def read_image(path: str, color_mode: str, target_size: tuple[int, int], interpolation: str,
               keep_aspect_ratio: bool = False) -> np.ndarray:
    """Decode, convert and resize one file into a float32 ``(height, width, channels)`` array."""
    img = load_img(path, color_mode, target_size, interpolation, keep_aspect_ratio)
    try:
        return img_to_array(img)
    finally:
        img.close()


def probe_image(path: str) -> str | None:
    """None when Pillow recognises ``path``'s header, else the reason it does not (cheap: no decoding)."""
    Image = pil_image()
    try:
        with Image.open(path) as img:
            img.size  # noqa: B018 - the header is parsed by open; touching size makes the intent explicit
    except Exception as error:  # Pillow raises several types for garbage input
        return f"{type(error).__name__}: {error}"
    return None

