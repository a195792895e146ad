"""``PyDataset``: Keras 3's base class for a dataset written as Python code (batches by index).

Subclass it, define ``__len__`` (batches per epoch) and ``__getitem__(index)`` (one batch, ``(x, y)``
or ``x``), and optionally ``on_epoch_end`` (reshuffle, say); ``fit``, ``evaluate`` and ``predict``
take the object directly. ``iter(dataset)`` yields one epoch of batches; with ``workers > 1`` they are
built on that many threads, ``max_queue_size`` batches ahead, and still come out in order.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any


class PyDataset:
    """Base class of index-addressed datasets (Keras 3 ``keras.utils.PyDataset``).

    Example:
        >>> import numpy as np
        >>> class Squares(PyDataset):
        ...     def __init__(self, n, batch_size, **kwargs):
        ...         super().__init__(**kwargs)
        ...         self.x = np.arange(n, dtype=np.float32)[:, None]
        ...         self.batch_size = batch_size
        ...     def __len__(self):
        ...         return -(-len(self.x) // self.batch_size)
        ...     def __getitem__(self, index):
        ...         x = self.x[index * self.batch_size:(index + 1) * self.batch_size]
        ...         return x, x ** 2
        >>> data = Squares(5, batch_size=2, workers=2)
        >>> len(data), [y.ravel().tolist() for _, y in data]
        (3, [[0.0, 1.0], [4.0, 9.0], [16.0]])

    Args:
        workers: threads that build batches when iterating (1: in the caller's thread).
        use_multiprocessing: accepted for Keras code; batches are built on threads here, which suits
            numpy and Pillow work (both release the GIL).
        max_queue_size: how many batches may be built ahead.
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10) -> None:
        for name, value in (("workers", workers), ("max_queue_size", max_queue_size)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{type(self).__name__}: {name} must be a positive int, received "
                                 f"{name}={value!r}")
        self.workers, self.max_queue_size = workers, max_queue_size
        self.use_multiprocessing = bool(use_multiprocessing)

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__}: a PyDataset subclass must define "
                                  "__getitem__(index), "
                                  "returning batch `index`")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__}: a PyDataset subclass must define __len__(), the "
                                  "number "
                                  "of batches per epoch")

    @property
    def num_batches(self) -> int:
        """Batches per epoch (``len(self)``), as Keras 3 names it."""
        return len(self)

    def on_epoch_begin(self) -> None:
        """Called at the start of every epoch (nothing by default)."""

    def on_epoch_end(self) -> None:
        """Called at the end of every epoch (nothing by default; reshuffle here)."""

    def __iter__(self) -> Iterator[Any]:
        """One epoch of batches, in order; built ``workers`` at a time when ``workers > 1``."""
        count = len(self)
        if self.workers == 1:
            for index in range(count):
                yield self[index]
            return
        with ThreadPoolExecutor(self.workers, thread_name_prefix="stepgrad-pydataset") as pool:
            pending: deque = deque()
            ahead = max(self.max_queue_size, self.workers)
            for index in range(count):
                pending.append(pool.submit(self.__getitem__, index))
                if len(pending) >= ahead:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
