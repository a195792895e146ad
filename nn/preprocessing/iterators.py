"""Batch iterators with Keras semantics: ``DirectoryIterator`` (image folders) and ``NumpyArrayIterator``.

Both are Keras ``PyDataset``-style sequences that ``Sequential.fit`` can rely on:

- ``len(it)`` is ``ceil(samples / batch_size)``; the last batch is short.
- ``it[i]`` is batch ``i`` of the current epoch: ``(x, y)``, or ``x`` alone when there are no labels.
- ``it.on_epoch_end()`` starts the next epoch: a new shuffle and new random augmentations.
- ``iter(it)`` / ``next(it)`` yield batches forever, calling ``on_epoch_end`` after each pass, as
  Keras iterators do; so ``fit(it, steps_per_epoch=...)`` may also just call ``next``.

With ``prefetch`` (the default for folders), asking for batch ``i`` also starts decoding batch ``i + 1``
on a background thread, so reading overlaps the training step; the batches are the same either way.

Randomness is local to the iterator: the shuffle of epoch ``e`` comes from ``(seed, e)`` and the
augmentation of sample ``j`` in epoch ``e`` from ``(seed, e, j)``, so ``it[i]`` is reproducible, does not
depend on the order batches are asked for, and can be computed on several threads at once. With
``seed=None`` the seed is one draw from numpy's global generator, so ``np.random.seed(...)`` makes runs
repeatable, as in Keras.
"""

from __future__ import annotations

import os
import threading
import warnings
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from .image_io import COLOR_MODES, read_image


def default_workers() -> int:
    """Threads used to decode a batch: Pillow releases the GIL while decoding and resizing."""
    return max(1, min(4, os.cpu_count() or 1))


class Iterator:
    """Base class: batching, per-epoch shuffling, seeding, ``len``/``[]``/``next`` and a thread pool.

    Subclasses set ``self.n`` samples and implement ``_load(j, rng)`` (one sample as an array, or None to
    drop it) and ``_labels(kept_indices, batch_x)``.
    """

    def __init__(self, n: int, batch_size: int, shuffle: bool, seed: int | None, workers: int | None,
                 prefetch: bool = False) -> None:
        where = type(self).__name__
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(
                f"{where}: batch_size must be a positive int, received batch_size={batch_size!r}"
            )
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise ValueError(f"{where}: seed must be an int or None, received seed={seed!r}")
        self.n = int(n)
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.seed = seed
        self._base_seed = int(seed) if seed is not None else int(np.random.randint(2**62))
        self.epoch = 0
        self.workers = default_workers() if workers is None else max(1, int(workers))
        self.prefetch = bool(prefetch)
        self._pool: ThreadPoolExecutor | None = None
        self._prefetcher: ThreadPoolExecutor | None = None
        self._pending: tuple | None = None  # ((epoch, idx), Future) of the batch expected next
        self._lock = threading.RLock()
        self._next_batch = 0
        self.index_array = self._make_index_array()

    def _make_index_array(self) -> np.ndarray:
        if not self.shuffle:
            return np.arange(self.n)
        return np.random.default_rng([self._base_seed, self.epoch]).permutation(self.n)

    def __len__(self) -> int:
        return (self.n + self.batch_size - 1) // self.batch_size

    def on_epoch_end(self) -> None:
        """Move to the next epoch: reshuffle (when ``shuffle``) and draw new augmentations."""
        with self._lock:
            self.epoch += 1
            self.index_array = self._make_index_array()

    def reset(self) -> None:
        """Make ``next()`` start again from the first batch of the current epoch."""
        self._next_batch = 0

    def __getitem__(self, idx: int) -> Any:
        if isinstance(idx, bool) or not isinstance(idx, (int, np.integer)):
            raise TypeError(f"{type(self).__name__}: batch index must be an int, received {idx!r}")
        count = len(self)
        if idx < 0:
            idx += count
        if not 0 <= idx < count:
            raise IndexError(
                f"{type(self).__name__}: batch index {idx} out of range; there are {count} batches "
                f"({self.n} samples, batch_size={self.batch_size})"
            )
        return self._fetch(int(idx))

    def __iter__(self) -> Iterator:
        return self

    def __next__(self) -> Any:
        if self.n == 0:
            raise ValueError(f"{type(self).__name__}: there are no samples to iterate over")
        with self._lock:  # position and epoch move together, so threads calling next() never share a batch
            if self._next_batch >= len(self):
                self.on_epoch_end()
                self._next_batch = 0
            idx, epoch, order = self._next_batch, self.epoch, self.index_array
            self._next_batch += 1
        return self._fetch(idx, epoch, order)  # decoding runs outside the lock, so threads overlap

    def next(self) -> Any:
        """The next batch (Keras 1 spelling of ``next(it)``)."""
        return self.__next__()

    def _fetch(self, idx: int, epoch: int | None = None, order: np.ndarray | None = None) -> Any:
        """Batch ``idx`` of the current epoch; with ``prefetch``, start decoding batch ``idx + 1`` too."""
        with self._lock:  # epoch and index_array are read together, so on_epoch_end cannot split them
            if epoch is None:
                epoch, order = self.epoch, self.index_array
            pending, self._pending = self._pending, None
        if pending is not None and pending[0] == (epoch, idx):
            batch = pending[1].result()
        else:
            batch = self._batch(order[idx * self.batch_size:(idx + 1) * self.batch_size], epoch)
        if self.prefetch and idx + 1 < len(self):
            if self._prefetcher is None:
                self._prefetcher = ThreadPoolExecutor(1, thread_name_prefix="stepgrad-prefetch")
                weakref.finalize(self, self._prefetcher.shutdown, wait=False)
            following = order[(idx + 1) * self.batch_size:(idx + 2) * self.batch_size]
            future = self._prefetcher.submit(self._batch, following, epoch)
            with self._lock:
                self._pending = ((epoch, idx + 1), future)
        return batch

    def _map(self, fn: Any, items: list) -> list:
        """``[fn(item) for item in items]``, on the thread pool when that can help."""
        if self.workers == 1 or len(items) < 2:
            return [fn(item) for item in items]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="stepgrad-images")
            weakref.finalize(self, self._pool.shutdown, wait=False)
        return list(self._pool.map(fn, items))

    def _batch(self, indices: np.ndarray, epoch: int) -> Any:
        def one(j: int) -> np.ndarray | None:
            return self._load(int(j), np.random.default_rng([self._base_seed, epoch, int(j)]))

        samples = self._map(one, list(indices))
        kept = [j for j, s in zip(indices, samples, strict=True) if s is not None]
        arrays = [s for s in samples if s is not None]
        batch_x = np.stack(arrays) if arrays else np.zeros((0, *self.image_shape), dtype=self.dtype)
        return self._labels(np.asarray(kept, dtype=np.int64), batch_x)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        # threads, futures and locks cannot be pickled or copied
        state["_pool"], state["_prefetcher"], state["_pending"], state["_lock"] = None, None, None, None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()


class DirectoryIterator(Iterator):
    """Batches of images read from class sub-folders (made by ``ImageDataGenerator.flow_from_directory``).

    Attributes (as in Keras): ``directory``, ``class_indices`` ({name: index}), ``classes`` (int32 label of
    every sample, in directory order), ``filenames`` (paths relative to ``directory``, e.g.
    ``"cats/cat.1.jpg"``), ``filepaths``, ``samples``, ``num_classes``, ``image_shape``, ``batch_size``,
    ``class_mode``, ``subset``.
    """

    def __init__(self, directory: str, image_data_generator: Any, files: list[str], labels: np.ndarray,
                 class_indices: dict, target_size: tuple[int, int], color_mode: str, class_mode: str | None,
                 batch_size: int, shuffle: bool, seed: int | None, interpolation: str, subset: str | None,
                 on_error: str, workers: int | None, dtype: Any = np.float32, prefetch: bool = True,
                 keep_aspect_ratio: bool = False) -> None:
        self.directory = directory
        self.image_data_generator = image_data_generator
        self.class_indices = dict(class_indices)
        self.num_classes = len(class_indices)
        self.filepaths = list(files)
        self.filenames = [os.path.relpath(path, directory) for path in files]
        self.classes = np.asarray(labels, dtype=np.int32)
        self.samples = len(files)
        self.target_size = tuple(target_size)
        self.color_mode = color_mode
        self.image_shape = (*self.target_size, COLOR_MODES[color_mode][1])
        self.class_mode = class_mode
        self.interpolation = interpolation
        self.keep_aspect_ratio = bool(keep_aspect_ratio)
        self.subset = subset
        self.on_error = on_error
        self.dtype = np.dtype(dtype)
        self._warned: set[str] = set()
        super().__init__(self.samples, batch_size, shuffle, seed, workers, prefetch)

    @property
    def labels(self) -> np.ndarray:
        """The class index of every sample (Keras alias of ``classes``)."""
        return self.classes

    def _load(self, j: int, rng: np.random.Generator) -> np.ndarray | None:
        path = self.filepaths[j]
        try:
            x = read_image(path, self.color_mode, self.target_size, self.interpolation,
                           self.keep_aspect_ratio)
        except ImportError:
            raise
        except Exception as error:  # Pillow raises OSError, SyntaxError, ValueError... for bad files
            if self.on_error == "raise":
                raise ValueError(
                    f"flow_from_directory: cannot read image {path!r} ({type(error).__name__}: {error}); "
                    "fix or remove the file, or pass on_error='skip' to leave unreadable images out"
                ) from error
            first = path not in self._warned  # a race can at worst warn twice
            self._warned.add(path)
            if first:
                warnings.warn(f"flow_from_directory: skipping unreadable image {path!r} "
                              f"({type(error).__name__}: {error})", stacklevel=2)
            return None
        if self.image_data_generator is not None:
            x = self.image_data_generator._augment(x, rng)
        return x.astype(self.dtype, copy=False)

    def _labels(self, kept: np.ndarray, batch_x: np.ndarray) -> Any:
        mode = self.class_mode
        if mode is None:
            return batch_x
        if mode == "input":
            return batch_x, batch_x.copy()
        if mode == "sparse":
            return batch_x, self.classes[kept]
        if mode == "binary":
            return batch_x, self.classes[kept].astype(self.dtype)
        one_hot = np.zeros((len(kept), self.num_classes), dtype=self.dtype)
        one_hot[np.arange(len(kept)), self.classes[kept]] = 1.0
        return batch_x, one_hot


class NumpyArrayIterator(Iterator):
    """Batches from in-memory arrays (made by ``ImageDataGenerator.flow``): ``(x, y)`` or ``x``.

    ``x`` is ``(n, height, width, channels)``; ``y`` (any shape with ``n`` rows) is passed through as is.
    """

    def __init__(self, x: Any, y: Any, image_data_generator: Any, batch_size: int, shuffle: bool,
                 seed: int | None, subset: str | None, workers: int | None, dtype: Any = np.float32,
                 prefetch: bool = False) -> None:
        x = np.asarray(x, dtype=dtype)
        if x.ndim != 4:
            raise ValueError(
                f"flow: x must be a batch of images (n, height, width, channels), received shape {x.shape}"
            )
        if x.shape[-1] not in (1, 3, 4):
            warnings.warn(f"flow: x has {x.shape[-1]} channels on its last axis (shape {x.shape}); "
                          "images are expected channels-last with 1, 3 or 4 channels", stacklevel=3)
        if y is not None:
            y = np.asarray(y)
            if len(y) != len(x):
                raise ValueError(
                    f"flow: x and y must have the same length, received x.shape={x.shape}, y.shape={y.shape}"
                )
        if subset is not None:
            cut = int(len(x) * image_data_generator.validation_split)
            part = slice(0, cut) if subset == "validation" else slice(cut, None)
            x, y = x[part], (y[part] if y is not None else None)
        self.x, self.y = x, y
        self.image_data_generator = image_data_generator
        self.image_shape = x.shape[1:]
        self.subset = subset
        self.dtype = x.dtype
        super().__init__(len(x), batch_size, shuffle, seed, workers, prefetch)

    def _load(self, j: int, rng: np.random.Generator) -> np.ndarray:
        gen = self.image_data_generator
        return gen._augment(self.x[j].copy(), rng) if gen is not None else self.x[j]

    def _batch(self, indices: np.ndarray, epoch: int) -> Any:
        gen = self.image_data_generator
        if gen is None:
            return self._labels(indices, self.x[indices])
        if not gen._is_random() and gen.preprocessing_function is None:
            return self._labels(indices, gen.standardize(self.x[indices]))  # rescale only: one vector op
        return super()._batch(indices, epoch)

    def _labels(self, kept: np.ndarray, batch_x: np.ndarray) -> Any:
        return batch_x if self.y is None else (batch_x, self.y[kept])
