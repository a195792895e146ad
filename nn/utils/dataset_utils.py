"""What the directory readers share: finding the files and labels, checking the split arguments,
splitting, and batching labels (Keras's ``index_directory`` and ``get_training_or_validation_split``).

Keras semantics: with ``labels="inferred"`` each sub-folder of ``directory`` is a class (sorted by
name, or as ``class_names`` orders them) and its files, found recursively, carry its index; with a
list of labels, the files under ``directory`` (sorted by path) get them in order. With ``shuffle``
the files are shuffled once with ``seed``; ``validation_split`` then puts the last
``int(split * n)`` in the validation subset and the rest in the training subset, so the two never
overlap as long as both use the same seed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from ..preprocessing.image_io import list_files
from .dataset import Dataset

LABEL_MODES = ("int", "categorical", "binary", None)
SUBSETS = ("training", "validation", "both")


def positive_int_or_none(where: str, name: str, value: Any) -> None:
    """ValueError naming ``name`` unless ``value`` is None or a positive int."""
    is_int = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if value is not None and (not is_int or value < 1):
        raise ValueError(f"{where}: {name} must be a positive int or None, received {name}={value!r}")


def check_split_arguments(where: str, validation_split: Any, subset: Any, shuffle: bool, seed: Any) -> None:
    """Keras's rules: ``subset`` and ``validation_split`` come together, and shuffling needs a seed."""
    if validation_split is not None and (
            isinstance(validation_split, bool) or not isinstance(validation_split, (int, float))
            or not 0 < validation_split < 1):
        raise ValueError(f"{where}: validation_split must be between 0 and 1, "
                         f"received validation_split={validation_split!r}")
    if subset is not None and subset not in SUBSETS:
        raise ValueError(f"{where}: subset must be 'training', 'validation' or 'both', received "
                         f"subset={subset!r}")
    if bool(validation_split) != (subset is not None):
        raise ValueError(f"{where}: subset and validation_split go together: give both or neither, received "
                         f"subset={subset!r}, validation_split={validation_split!r}")
    if validation_split and shuffle and seed is None:
        raise ValueError(f"{where}: with validation_split and shuffle=True, pass a seed, so that the "
                         "training "
                         "and validation subsets (made by two calls) are cut from the same shuffle and never "
                         "overlap")


def index_directory(directory: str | os.PathLike, labels: Any, accept: Callable[[str], bool], kind: str,
                    class_names: list[str] | None, shuffle: bool, seed: int | None, follow_links: bool,
                    where: str) -> tuple[list[str], np.ndarray | None, list[str]]:
    """``(file_paths, labels or None, class_names)`` for the files under ``directory`` that ``accept`` takes.

    Only regular files are listed (``list_files``): FIFOs and devices are skipped, and symlink loops
    end. ``kind`` names the files in errors ("images", "text files").
    """
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        what = "does not exist" if not os.path.exists(directory) else "is not a folder"
        raise FileNotFoundError(f"{where}: directory {directory!r} {what}")
    if labels == "inferred":
        present = sorted(n for n in os.listdir(directory) if os.path.isdir(os.path.join(directory, n)))
        if class_names is not None:
            names = list(class_names)
            if sorted(names) != present:
                raise ValueError(f"{where}: class_names={names} must list the sub-folders of {directory!r} "
                                 f"exactly, in any order; found {present}")
        else:
            names = present
        paths, found = [], []
        for index, name in enumerate(names):
            files = list_files(os.path.join(directory, name), follow_links, accept)
            paths.extend(files)
            found.extend([index] * len(files))
        label_array: np.ndarray | None = np.asarray(found, dtype=np.int32)
    else:
        if class_names is not None:
            raise ValueError(f"{where}: class_names is only used with labels='inferred', received "
                             f"labels={labels if labels is None else type(labels).__name__}")
        paths = list_files(directory, follow_links, accept)
        names = []
        label_array = None
        if labels is not None:
            label_array = np.asarray(labels)
            if label_array.ndim != 1 or label_array.dtype.kind not in "iu":
                raise ValueError(f"{where}: labels must be 'inferred', None, or a list of int labels, "
                                 "received "
                                 f"labels of dtype {label_array.dtype} and shape {label_array.shape}")
            if len(label_array) != len(paths):
                raise ValueError(f"{where}: labels has {len(label_array)} entries but {directory!r} holds "
                                 f"{len(paths)} {kind}; give one label per file, in sorted path order")
            label_array = label_array.astype(np.int32)
            names = [str(i) for i in range(int(label_array.max()) + 1)] if len(label_array) else []
    if not paths:
        hint = f" (expected one sub-folder per class holding {kind})" if labels == "inferred" else ""
        raise ValueError(f"{where}: no {kind} found in directory {directory!r}{hint}")
    if shuffle:
        order = np.random.default_rng(seed).permutation(len(paths))
        paths = [paths[i] for i in order]
        label_array = None if label_array is None else label_array[order]
    return paths, label_array, names


def split(paths: list[str], labels: np.ndarray | None, validation_split: float | None, subset: str | None,
          where: str) -> tuple[list[str], np.ndarray | None]:
    """The ``subset`` part: validation is the last ``int(split * n)`` files, training the rest."""
    if not validation_split:
        return paths, labels
    cut = len(paths) - int(validation_split * len(paths))
    part = slice(cut, None) if subset == "validation" else slice(0, cut)
    if not paths[part]:
        raise ValueError(f"{where}: the {subset} subset is empty: {len(paths)} files with "
                         f"validation_split={validation_split} leave it none; change validation_split")
    return paths[part], None if labels is None else labels[part]


def encode_labels(labels: np.ndarray, label_mode: str, num_classes: int) -> np.ndarray:
    """int32 indices ("int"), float32 one-hot rows ("categorical") or a float32 column ("binary")."""
    if label_mode == "categorical":
        return np.eye(num_classes, dtype=np.float32)[labels]
    if label_mode == "binary":
        return labels.astype(np.float32)[:, None]
    return labels


def check_label_mode(where: str, label_mode: Any, labels: Any, num_classes: int, directory: str) -> Any:
    """The label mode to use (None when there are no labels); errors name what does not fit."""
    if label_mode not in LABEL_MODES:
        raise ValueError(f"{where}: label_mode must be 'int', 'categorical', 'binary' or None, "
                         f"received label_mode={label_mode!r}")
    if labels is None:
        return None
    if label_mode == "binary" and num_classes != 2:
        raise ValueError(f"{where}: label_mode='binary' needs exactly 2 classes, found {num_classes} in "
                         f"{directory!r}; use label_mode='int' or 'categorical'")
    return label_mode


def report_found(verbose: bool, total: int, classes: int | None) -> None:
    """Keras's first line: how many files were found (and in how many classes, when labelled)."""
    if verbose:
        print(f"Found {total} files" + ("." if classes is None else f" belonging to {classes} classes."))


def batched_dataset(paths: list[str], labels: np.ndarray | None, label_mode: str | None, names: list[str],
                    reader: Callable[[str], Any], batch_size: int | None, shuffle: bool, seed: int | None,
                    collate: Callable[[list[Any]], Any]) -> Dataset:
    """A ``Dataset`` of ``collate([reader(path) ...])`` batches (with encoded labels unless ``label_mode``
    is None), files read on a few threads, reshuffled every pass with ``(seed, pass)`` when ``shuffle``.
    """
    from ..preprocessing.iterators import default_workers

    size = batch_size or 1
    passes = iter(range(1 << 62))  # the pass number; next() is atomic, so concurrent passes differ

    def one_pass() -> Iterator[Any]:
        order = np.arange(len(paths))
        if shuffle:
            order = np.random.default_rng([seed, next(passes)]).permutation(len(paths))
        with ThreadPoolExecutor(min(default_workers(), size), thread_name_prefix="stepgrad-files") as pool:
            for start in range(0, len(paths), size):
                chosen = order[start:start + size]
                items = collate(list(pool.map(reader, [paths[i] for i in chosen])))
                targets = None if label_mode is None else encode_labels(labels[chosen], label_mode,
                                                                        len(names))
                if batch_size is None:  # single samples, no batch axis
                    items, targets = items[0], None if targets is None else targets[0]
                yield items if targets is None else (items, targets)

    length = len(paths) if batch_size is None else -(-len(paths) // batch_size)
    return Dataset(one_pass, length, class_names=list(names), file_paths=list(paths))


def directory_datasets(where: str, directory: str | os.PathLike, labels: Any, label_mode: str | None,
                       class_names: list[str] | None, accept: Callable[[str], bool], kind: str,
                       reader: Callable[[str], Any], collate: Callable[[list[Any]],
                                                                       Any], batch_size: int | None,
                       shuffle: bool, seed: int | None, validation_split: float | None, subset: str | None,
                       follow_links: bool, verbose: bool) -> Dataset | tuple[Dataset, Dataset]:
    """The shared body of the ``*_dataset_from_directory`` readers, after their own argument checks:
    check the common arguments, index the folder, report, split, and build the dataset(s)."""
    if not (isinstance(labels, (list, tuple, np.ndarray)) or labels in ("inferred", None)):
        raise ValueError(f"{where}: labels must be 'inferred', None, or a list of int labels, received "
                         f"labels={labels!r}")
    positive_int_or_none(where, "batch_size", batch_size)
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    check_split_arguments(where, validation_split, subset, shuffle, seed)
    if shuffle and seed is None:
        seed = int(np.random.randint(1_000_000))  # numpy's global generator: set_random_seed repeats it
    directory = os.fspath(directory)
    paths, found, names = index_directory(directory, labels, accept, kind, class_names, shuffle, seed,
                                          follow_links, where)
    label_mode = check_label_mode(where, label_mode, found, len(names), directory)
    report_found(verbose, len(paths), len(names) if found is not None else None)
    datasets = []
    for part in ("training", "validation") if subset == "both" else (subset,):
        chosen, chosen_labels = split(paths, found, validation_split, part, where)
        if verbose and part is not None:
            print(f"Using {len(chosen)} files for {part}.")
        datasets.append(batched_dataset(chosen, chosen_labels, label_mode, names, reader, batch_size, shuffle,
                                        seed, collate))
    return tuple(datasets) if subset == "both" else datasets[0]
