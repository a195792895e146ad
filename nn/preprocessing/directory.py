"""``flow_from_directory``: find the class folders and image files, check the arguments, build the iterator.

Keras semantics: classes are the sorted sub-folder names (or ``classes``); each class folder is walked
recursively, folders then names sorted; ``subset="validation"`` takes the first
``int(validation_split * n)`` files of each class and ``"training"`` the rest, so the two are disjoint
and deterministic.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np

from .image_io import (
    COLOR_MODES,
    IMAGE_EXTENSIONS,
    INTERPOLATIONS,
    check_choice,
    check_target_size,
    list_image_files,
    pil_image,
    probe_image,
)
from .iterators import DirectoryIterator

CLASS_MODES = ("categorical", "binary", "sparse", "input", None)
ON_ERROR = ("raise", "skip")
WHERE = "flow_from_directory"


def find_classes(directory: str, classes: list[str] | None) -> list[str]:
    """Class folder names: ``classes`` as given (checked), else the sorted sub-folders of ``directory``."""
    if not os.path.exists(directory):
        raise FileNotFoundError(f"{WHERE}: directory {directory!r} does not exist")
    if not os.path.isdir(directory):
        raise NotADirectoryError(f"{WHERE}: {directory!r} is a file; expected a folder of class sub-folders")
    present = sorted(name for name in os.listdir(directory) if os.path.isdir(os.path.join(directory, name)))
    if classes is not None:
        names = list(classes)
        missing = [name for name in names if name not in present]
        if missing or len(set(names)) != len(names) or not names:
            raise ValueError(
                f"{WHERE}: classes={names!r} must be distinct sub-folders of {directory!r}; "
                f"missing: {missing}; sub-folders present: {present}"
            )
        return names
    if not present:
        loose = [name for name in sorted(os.listdir(directory))
                 if name.lower().endswith(tuple("." + e for e in IMAGE_EXTENSIONS))]
        hint = (f" It holds {len(loose)} image files directly; move them into one sub-folder per class "
                "(e.g. cats/, dogs/), or into a single sub-folder with class_mode=None.") if loose else ""
        raise ValueError(
            f"{WHERE}: no class sub-folders in {directory!r}; expected one sub-folder per class, "
            f"e.g. {os.path.join(directory, 'cats', 'cat.1.jpg')}.{hint}"
        )
    return present


def split_files(files: list[str], subset: str | None, validation_split: float) -> list[str]:
    """The part of one class's sorted files that belongs to ``subset`` (validation first, as Keras)."""
    if subset is None:
        return files
    cut = int(validation_split * len(files))
    return files[:cut] if subset == "validation" else files[cut:]


def flow_from_directory(
    generator: Any, directory: str | os.PathLike, target_size: tuple[int, int] = (256, 256),
    color_mode: str = "rgb", classes: list[str] | None = None, class_mode: str | None = "categorical",
    batch_size: int = 32, shuffle: bool = True, seed: int | None = None, interpolation: str = "nearest",
    subset: str | None = None, follow_links: bool = False, on_error: str = "raise",
    workers: int | None = None, verbose: bool = True, prefetch: bool = True, keep_aspect_ratio: bool = False,
) -> DirectoryIterator:
    """Build a ``DirectoryIterator`` over ``directory``; see ``ImageDataGenerator.flow_from_directory``."""
    directory = os.fspath(directory)
    target_size = check_target_size(WHERE, target_size)
    check_choice(WHERE, "color_mode", color_mode, tuple(COLOR_MODES))
    check_choice(WHERE, "class_mode", class_mode, CLASS_MODES)
    check_choice(WHERE, "interpolation", interpolation, INTERPOLATIONS)
    check_choice(WHERE, "on_error", on_error, ON_ERROR)
    generator._check_subset(WHERE, subset)
    pil_image()  # fail now, not at the first batch, when Pillow is missing
    names = find_classes(directory, classes)
    if class_mode == "binary" and len(names) != 2:
        raise ValueError(
            f"{WHERE}: class_mode='binary' needs exactly 2 classes, found {len(names)} in {directory!r}: "
            f"{names}; use class_mode='categorical' or 'sparse' for more classes"
        )
    files, labels = [], []
    for index, name in enumerate(names):
        folder = os.path.join(directory, name)
        found = list_image_files(folder, follow_links)
        if not found:
            warnings.warn(
                f"{WHERE}: class folder {folder!r} has no image files (extensions: "
                f"{', '.join(IMAGE_EXTENSIONS)}); class {name!r} gets no samples", stacklevel=3)
        chosen = split_files(found, subset, generator.validation_split)
        files.extend(chosen)
        labels.extend([index] * len(chosen))
    if on_error == "skip":
        files, labels = _drop_unreadable(files, labels, workers)
    if verbose:
        print(f"Found {len(files)} images belonging to {len(names)} classes.")
    return DirectoryIterator(
        directory, generator, files, np.asarray(labels, dtype=np.int32), {n: i for i, n in enumerate(names)},
        target_size, color_mode, class_mode, batch_size, shuffle, seed, interpolation, subset, on_error,
        workers, generator.dtype, prefetch, keep_aspect_ratio,
    )


def _drop_unreadable(files: list[str], labels: list[int], workers: int | None) -> tuple[list[str], list[int]]:
    """With on_error="skip": leave out files whose header Pillow does not recognise, warning for each."""
    from concurrent.futures import ThreadPoolExecutor

    from .iterators import default_workers

    with ThreadPoolExecutor(workers or default_workers()) as pool:
        problems = list(pool.map(probe_image, files))
    kept_files, kept_labels = [], []
    for path, label, problem in zip(files, labels, problems, strict=True):
        if problem is None:
            kept_files.append(path)
            kept_labels.append(label)
        else:
            warnings.warn(f"{WHERE}: skipping unreadable image {path!r} ({problem})", stacklevel=4)
    return kept_files, kept_labels
