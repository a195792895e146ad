"""``text_dataset_from_directory``: a folder of class sub-folders of ``.txt`` files -> a ``Dataset`` of
``(texts, labels)`` batches, ``texts`` a numpy array of ``str`` (Keras yields string tensors)."""

from __future__ import annotations

import os
from functools import partial
from typing import Any

import numpy as np

from ..preprocessing.image_io import open_regular_file
from .dataset import Dataset
from .dataset_utils import directory_datasets, positive_int_or_none

WHERE = "text_dataset_from_directory"


def _is_text_file(name: str) -> bool:
    return name.lower().endswith(".txt")


def text_dataset_from_directory(
    directory: str | os.PathLike, labels: Any = "inferred", label_mode: str | None = "int",
    class_names: list[str] | None = None, batch_size: int | None = 32, max_length: int | None = None,
    shuffle: bool = True, seed: int | None = None, validation_split: float | None = None,
    subset: str | None = None, follow_links: bool = False, verbose: bool = True,
) -> Dataset | tuple[Dataset, Dataset]:
    """A ``Dataset`` of ``(texts, labels)`` batches from ``directory/<class>/<name>.txt`` (Keras 3).

    The arguments mean what they mean for ``image_dataset_from_directory``; ``max_length`` cuts each
    text to that many characters. Files are read as UTF-8 (an undecodable file is an error naming it).

    Example:
        >>> import os, tempfile
        >>> root = tempfile.mkdtemp()
        >>> for label, text in [("neg", "dull"), ("pos", "great fun")]:
        ...     os.makedirs(os.path.join(root, label))
        ...     _ = open(os.path.join(root, label, "a.txt"), "w").write(text)
        >>> ds = text_dataset_from_directory(root, shuffle=False, verbose=False)
        >>> texts, labels = next(iter(ds))
        >>> texts.tolist(), labels.tolist(), ds.class_names
        (['dull', 'great fun'], [0, 1], ['neg', 'pos'])
    """
    positive_int_or_none(WHERE, "max_length", max_length)
    reader = partial(_read_text, max_length=max_length)
    return directory_datasets(WHERE, directory, labels, label_mode, class_names, _is_text_file, "text files",
                              reader, partial(np.array,
                                              dtype=str), batch_size, shuffle, seed, validation_split,
                              subset, follow_links, verbose)


def _read_text(path: str, max_length: int | None) -> str:
    try:
        with open_regular_file(path, WHERE) as file:
            text = file.read().decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{WHERE}: {path!r} is not UTF-8 text ({error})") from error
    return text if max_length is None else text[:max_length]
