"""How ``fit``, ``evaluate`` and ``predict`` turn their inputs into batches ``(x, y, sample_weight)``.

Inputs understood (as Keras):

- arrays ``x``, ``y`` (ndarrays, lists, Tensors), or for models with several inputs or outputs
  lists or dicts of arrays: batched by ``batch_size``, reshuffled each epoch when ``shuffle``;
  ``validation_split`` holds out the *last* fraction, before shuffling; ``sample_weight`` is
  batched alongside;
- a Sequence (``len(seq)`` and ``seq[i] -> (x, y)``, e.g. ``flow_from_directory``'s
  DirectoryIterator): ``len(seq)`` steps per epoch unless ``steps_per_epoch``; reading continues
  where the last epoch stopped, and ``seq.on_epoch_end()`` runs each time the sequence is used up;
- a generator, iterator or re-iterable dataset yielding ``(x, y)`` or ``(x, y, sample_weight)``
  batches: ``steps_per_epoch`` batches per epoch, or until it is exhausted.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from autograd.tensor import Tensor

Batch = tuple[Any, Any, Any]  # (x, y or None, sample_weight or None); x and y may be lists or dicts


# --- turning inputs into arrays and batches -----------------------------------------------------
def to_array(x: Any, where: str, arg: str) -> np.ndarray:
    """An ndarray from an ndarray, list or Tensor; floats are float32 (the layers' dtype)."""
    if isinstance(x, Tensor):
        x = x.data
    try:
        a = np.asarray(x)
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"{where}: {arg} must be an array of numbers, received {type(x).__name__} ({e})"
        ) from None
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{where}: {arg} must hold numbers, received an array of dtype {a.dtype}")
    if a.ndim == 0:
        raise ValueError(f"{where}: {arg} must have a batch axis, received a scalar {a!r}")
    return a.astype(np.float32) if a.dtype.kind == "f" and a.dtype != np.float32 else a


def is_structure(x: Any) -> bool:
    """A dict of arrays, or a list/tuple of arrays: the inputs or targets of a multi-input/output model."""
    if isinstance(x, dict):
        return True
    return isinstance(x, (list, tuple)) and len(x) > 1 and all(isinstance(v, (np.ndarray, Tensor)) for v in x)


def map_structure(fn: Any, x: Any) -> Any:
    """``fn`` applied to each array of a structure (dict, list/tuple of arrays) or to ``x`` itself."""
    if isinstance(x, dict):
        return {k: fn(v) for k, v in x.items()}
    if is_structure(x):
        return [fn(v) for v in x]
    return fn(x)


def leaves(x: Any) -> list[Any]:
    """The arrays of a structure (none for None)."""
    if x is None:
        return []
    return list(x.values()) if isinstance(x, dict) else list(x) if is_structure(x) else [x]


def first_array(x: Any) -> Any:
    """The first array of a structure (its length is the batch size)."""
    return next(iter(x.values())) if isinstance(x, dict) else x[0] if is_structure(x) else x


def is_array_like(x: Any) -> bool:
    return isinstance(x, (np.ndarray, list, Tensor, dict)) or np.isscalar(x)


def is_sequence(x: Any) -> bool:
    """A Keras Sequence / PyDataset: ``len`` and integer indexing, and not a plain array."""
    if is_array_like(x) or isinstance(x, tuple):
        return False
    return hasattr(x, "__len__") and hasattr(x, "__getitem__")


def arrays(x: Any, where: str, arg: str) -> Any:
    """``to_array`` on each array of a structure."""
    return map_structure(lambda v: to_array(v, where, arg), x)


def unpack_batch(batch: Any, where: str) -> Batch:
    """``(x, y, sample_weight)`` from what a dataset yields: ``(x, y, w)``, ``(x, y)``, ``(x,)`` or ``x``."""
    if isinstance(batch, tuple) or (isinstance(batch, list) and len(batch) in (1, 2, 3)
                                    and not _is_number_list(batch)):
        if not 1 <= len(batch) <= 3:
            raise ValueError(f"{where}: a batch must be x, (x,), (x, y) or (x, y, sample_weight); "
                             f"received a tuple of {len(batch)}")
        parts = [None if part is None else arrays(part, where, arg)
                 for part, arg in zip(batch, ("x (in a batch)", "y (in a batch)",
                                              "sample_weight (in a batch)"),
                                      strict=False)]
        return parts[0], *(parts[1:] + [None, None])[:2]
    return arrays(batch, where, "x (a batch)"), None, None


def _is_number_list(batch: Any) -> bool:
    return isinstance(batch, list) and all(np.isscalar(v) for v in batch)


def _positive_int(n: Any) -> bool:
    return not isinstance(n, bool) and isinstance(n, (int, np.integer)) and n > 0


def check_lengths(x: Any, y: Any, where: str, w: Any = None) -> None:
    n = len(first_array(x))
    for name, part in (("x", x), ("y", y), ("sample_weight", w)):
        for a in leaves(part):
            if len(a) != n:
                first = first_array(x)
                raise ValueError(
                    f"{where}: x and {name} must have the same number of samples, received x with {n} "
                    f"(shape {first.shape}) and {name} with {len(a)} (shape {a.shape})"
                )


class ArrayAdapter:
    """Batches of in-memory arrays; a fresh permutation each epoch when ``shuffle``."""

    def __init__(self, x: Any, y: Any, batch_size: int, shuffle: bool, steps: int | None = None,
                 sample_weight: Any = None) -> None:
        self.x, self.y, self.w, self.batch_size, self.shuffle = x, y, sample_weight, batch_size, shuffle
        self.n = len(first_array(x))
        full = math.ceil(self.n / batch_size)
        self.steps = full if steps is None else min(int(steps), full)

    def epoch(self) -> Iterator[Batch]:
        order = np.random.permutation(self.n) if self.shuffle else None  # np.random.seed reproduces it
        for i in range(self.steps):
            part = slice(i * self.batch_size, (i + 1) * self.batch_size)
            idx = order[part] if order is not None else part
            yield tuple(None if a is None else map_structure(lambda v, idx=idx: v[idx], a)
                        for a in (self.x, self.y, self.w))


class SequenceAdapter:
    """Batches ``seq[i]``; the position carries over between epochs when ``steps`` < ``len(seq)``."""

    def __init__(self, seq: Any, steps: int | None, where: str, restart: bool) -> None:
        self.seq, self.where = seq, where
        self.length = len(seq)
        if self.length == 0:
            raise ValueError(f"{where}: the data ({type(seq).__name__}) is empty: len() == 0")
        self.steps = self.length if steps is None else int(steps)
        self.restart = restart  # evaluate/predict start at batch 0 every time
        self.cursor = 0

    def epoch(self) -> Iterator[Batch]:
        if self.restart:
            self.cursor = 0
        for _ in range(self.steps):
            batch = unpack_batch(self.seq[self.cursor], self.where)
            self.cursor += 1
            if self.cursor == self.length:  # the whole sequence was seen: a data epoch ends
                self.cursor = 0
                if hasattr(self.seq, "on_epoch_end") and not self.restart:
                    self.seq.on_epoch_end()
            yield batch


class IteratorAdapter:
    """Batches from a generator/iterator: ``steps`` per epoch, or until it runs out."""

    def __init__(self, data: Any, steps: int | None, where: str) -> None:
        self.data, self.steps, self.where = data, steps, where
        self.iterator = data if hasattr(data, "__next__") else None

    def epoch(self) -> Iterator[Batch]:
        it = self.iterator if self.iterator is not None else iter(self.data)  # re-iterables restart
        count = 0
        while self.steps is None or count < self.steps:
            try:
                batch = next(it)
            except StopIteration:
                if self.steps is not None:
                    warnings.warn(
                        f"{self.where}: the data ran out after {count} of steps={self.steps} batches; "
                        "make the generator loop forever, or lower steps_per_epoch",
                        stacklevel=4,
                    )
                return
            count += 1
            yield unpack_batch(batch, self.where)


def make_adapter(x: Any, y: Any, batch_size: int | None, shuffle: bool, steps: int | None, where: str,
                 restart: bool = False,
                 sample_weight: Any = None) -> ArrayAdapter | SequenceAdapter | IteratorAdapter:
    """Pick the adapter for ``x`` (and ``y``); see the module docstring for what is accepted."""
    if steps is not None and not _positive_int(steps):
        raise ValueError(f"{where}: steps must be a positive integer or None, received {steps!r}")
    if isinstance(x, tuple) and y is None and len(x) in (2, 3) and is_array_like(x[0]) and all(
            v is None or is_array_like(v) for v in x[1:]):
        x, y, sample_weight = (*x, None)[:3]  # an (x, y) or (x, y, w) tuple, as validation_data is given
    if is_array_like(x):
        xa = arrays(x, where, "x")
        ya = None if y is None else arrays(y, where, "y")
        wa = None if sample_weight is None else to_array(sample_weight, where, "sample_weight")
        check_lengths(xa, ya, where, wa)
        if len(first_array(xa)) == 0:
            raise ValueError(f"{where}: x is empty (0 samples)")
        if not _positive_int(batch_size):
            raise ValueError(
                f"{where}: batch_size must be a positive integer, received batch_size={batch_size!r}"
            )
        return ArrayAdapter(xa, ya, int(batch_size), shuffle, steps, wa)
    if sample_weight is not None:
        raise ValueError(f"{where}: sample_weight is only supported with arrays; yield (x, y, sample_weight) "
                         "batches from the dataset instead")
    if y is not None:
        raise ValueError(
            f"{where}: y must be None when x is a generator or sequence (it yields (x, y) batches); "
            f"received x of type {type(x).__name__} and y of type {type(y).__name__}"
        )
    if is_sequence(x):
        return SequenceAdapter(x, steps, where, restart)
    if hasattr(x, "__next__") or hasattr(x, "__iter__"):
        return IteratorAdapter(x, steps, where)
    raise TypeError(
        f"{where}: unrecognized data type x={type(x).__name__}; expected arrays, an (x, y) tuple, a "
        "Sequence/DirectoryIterator, or a generator yielding (x, y) batches"
    )


def split_validation(x: Any, y: Any, validation_split: float,
                     sample_weight: Any = None) -> tuple[tuple, tuple]:
    """Hold out the last ``validation_split`` fraction of the arrays (before any shuffling, as Keras)."""
    if not is_array_like(x):
        raise ValueError(
            f"fit: validation_split is only supported for arrays, received x of type {type(x).__name__}; "
            "pass validation_data instead (for image folders: a second flow_from_directory with subset)"
        )
    xa, ya = arrays(x, "fit", "x"), None if y is None else arrays(y, "fit", "y")
    wa = None if sample_weight is None else to_array(sample_weight, "fit", "sample_weight")
    check_lengths(xa, ya, "fit", wa)
    n = len(first_array(xa))
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"fit: validation_split={validation_split} leaves an empty "
            f"{'training' if split_at == 0 else 'validation'} set with {n} samples"
        )

    def part(a: Any, s: slice) -> Any:
        return None if a is None else map_structure(lambda v: v[s], a)

    head, tail = slice(None, split_at), slice(split_at, None)
    return (part(xa, head), part(ya, head), part(wa, head)), (part(xa, tail), part(ya, tail), part(wa, tail))
