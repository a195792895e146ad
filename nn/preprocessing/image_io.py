"""Reading image files: which files count as images, decoding with Pillow, colour modes and resizing.

Pillow is imported lazily, so ``nn`` works without it until an image file is read.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from typing import Any, BinaryIO

import numpy as np

from autograd.files import atomic_write

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


def list_files(folder: str, follow_links: bool = False,
               accept: Callable[[str], bool] = is_image_file) -> list[str]:
    """Regular files under ``folder`` whose names ``accept`` takes, sorted by folder, then name (as Keras).

    Only regular files are listed: a FIFO, socket or device named ``x.jpg`` would block or never end
    when read. With ``follow_links``, linked folders are entered, but each real folder once (so a
    symlink loop ends) and each real file once (so a file reachable by two routes counts once).
    """
    listed, seen_folders, seen_files = [], set(), set()
    for root, dirs, files in os.walk(folder, followlinks=follow_links):
        try:
            key = _identity(os.stat(root))
        except OSError:
            dirs[:] = []
            continue
        if key in seen_folders:  # reached again through a link: a loop, or a second route
            dirs[:] = []
            continue
        seen_folders.add(key)
        chosen = []
        for name in sorted(files):
            path = os.path.join(root, name)
            if not accept(name):
                continue
            try:
                info = os.stat(path)  # follows a link to the file it names; a broken link is skipped
            except OSError:
                continue
            if not stat.S_ISREG(info.st_mode) or (follow_links and _identity(info) in seen_files):
                continue
            seen_files.add(_identity(info))
            chosen.append(path)
        listed.append((root, chosen))
    return [path for _, chosen in sorted(listed, key=lambda entry: entry[0]) for path in chosen]


def _identity(info: os.stat_result) -> tuple[int, int]:
    return info.st_dev, info.st_ino


def list_image_files(folder: str, follow_links: bool = False) -> list[str]:
    """Image files under ``folder`` (sub-folders included): ``list_files`` with ``is_image_file``."""
    return list_files(folder, follow_links, is_image_file)


def file_kind(mode: int) -> str:
    """What a stat mode is, in words: "a folder", "a FIFO (named pipe)", "a socket", "a device"..."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a regular file" if stat.S_ISREG(mode) else "not a regular file"


def open_regular_file(path: str | os.PathLike, where: str) -> BinaryIO:
    """Open ``path`` for reading only if it is a regular file; otherwise say what it is, naming it.

    The check is made again on the opened descriptor (opened non-blocking, so a FIFO cannot hang the
    open), so a name swapped for a FIFO between listing and reading is refused too.
    """
    path = os.fspath(path)
    mode = os.stat(path).st_mode  # FileNotFoundError names the path
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, f"{where}: {path!r} is a folder, not an image file", path)
    if not stat.S_ISREG(mode):
        raise ValueError(f"{where}: {path!r} is {file_kind(mode)}, not a regular image file")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise ValueError(f"{where}: {path!r} is {file_kind(mode)}, not a regular image file")
    return os.fdopen(fd, "rb")


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
    with open_regular_file(path, "load_img") as file:
        source = Image.open(file)
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
                    resample = getattr(Image.Resampling, interpolation.upper())
                    img = img.resize((width, height), resample, box=box)
        except Exception:
            source.close()
            raise
        if img is not source:
            source.close()
    return img  # decoded into memory: the file can be closed


def _centre_crop(size: tuple[int, int], target: tuple[int, int]) -> tuple[int, int, int, int]:
    """The largest centred (left, top, right, bottom) box of ``size`` with the aspect ratio of ``target``."""
    (w, h), (tw, th) = size, target
    crop_w, crop_h = min(w, h * tw // th), min(h, w * th // tw)
    left, top = (w - crop_w) // 2, (h - crop_h) // 2
    return left, top, left + crop_w, top + crop_h


def img_to_array(img: Any, data_format: str | None = None, dtype: Any = None) -> np.ndarray:
    """A Pillow image as a float32 ``(height, width, channels)`` array (grayscale gets a channel axis of 1).

    Example:
        >>> img_to_array(array_to_img(np.zeros((2, 3, 1)), scale=False)).shape
        (2, 3, 1)
    """
    _check_channels_last("img_to_array", data_format)
    array = np.asarray(img, dtype=np.float32 if dtype is None else dtype)
    return array[..., None] if array.ndim == 2 else array


def array_to_img(x: Any, data_format: str | None = None, scale: bool = True, dtype: Any = None) -> Any:
    """An ``(height, width, 1|3|4)`` array as a Pillow image; ``scale`` maps its min..max onto 0..255."""
    _check_channels_last("array_to_img", data_format)
    x = np.asarray(getattr(x, "data", x), dtype=np.float64)
    if x.ndim != 3 or x.shape[-1] not in (1, 3, 4):
        raise ValueError(f"array_to_img: expected an (height, width, 1|3|4) array, received shape {x.shape}")
    if scale:
        x = x - x.min()
        top = x.max()
        x = x / top * 255.0 if top > 0 else x
    mode = {1: "L", 3: "RGB", 4: "RGBA"}[x.shape[-1]]
    pixels = np.clip(np.rint(x), 0, 255).astype(np.uint8)
    return pil_image().fromarray(pixels[..., 0] if mode == "L" else pixels, mode)


def save_img(path: str | os.PathLike, x: Any, data_format: str | None = None, file_format: str | None = None,
             scale: bool = True, **kwargs: Any) -> None:
    """Write an ``(height, width, 1|3|4)`` array to an image file (format from ``file_format`` or the suffix).

    The file appears only when it is complete (written to a temporary file beside it, then renamed),
    with the permissions the umask gives a new file. ``kwargs`` go to Pillow's ``save`` (e.g. ``quality``).

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "x.png")
        >>> save_img(path, np.zeros((4, 5, 3)))
        >>> img_to_array(load_img(path)).shape
        (4, 5, 3)
    """
    img = array_to_img(x, data_format=data_format, scale=scale)
    path = os.fspath(path)
    if file_format is None:
        suffix = os.path.splitext(path)[1].lower()
        file_format = pil_image().registered_extensions().get(suffix)
        if file_format is None:
            raise ValueError(f"save_img: cannot tell the image format of {path!r} from its suffix "
                             f"{suffix!r}; pass file_format='png' (or 'jpeg', ...)")
    if img.mode == "RGBA" and file_format.upper() in ("JPEG", "JPG"):
        img = img.convert("RGB")  # JPEG has no alpha channel (Keras drops it too)
    atomic_write(path, lambda out: img.save(out, format=file_format, **kwargs))


def _check_channels_last(where: str, data_format: str | None) -> None:
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{where}: only data_format='channels_last' is supported, "
                         f"received data_format={data_format!r}")


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
        with open_regular_file(path, "probe_image") as file, Image.open(file) as img:
            img.size  # noqa: B018 - the header is parsed by open; touching size makes the intent explicit
    except Exception as error:  # Pillow raises several types for garbage input
        return f"{type(error).__name__}: {error}"
    return None
