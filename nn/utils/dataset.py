"""``Dataset``: a re-iterable stream of batches with the ``tf.data`` methods Keras guides chain on it.

``image_dataset_from_directory`` and ``text_dataset_from_directory`` return one. Iterating it gives
one epoch of elements (``(images, labels)`` numpy batches, say); iterating again gives the next
epoch (reshuffled when the source shuffles). ``fit``, ``evaluate`` and ``predict`` take it directly,
as they take any re-iterable of ``(x, y)`` batches.

Example:
    >>> ds = Dataset.from_batches([(np.zeros((2, 3)), np.array([0, 1])), (np.ones((1, 3)), np.array([1]))])
    >>> doubled = ds.map(lambda x, y: (x * 2, y)).prefetch(2)
    >>> [float(x.sum()) for x, _ in doubled], len(doubled), len(ds.take(1))
    ([0.0, 6.0], 2, 1)
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

_END = object()  # the producer's "no more elements" marker


class Dataset:
    """Elements produced afresh by ``make_iterator()`` on every pass; ``length`` elements per pass.

    Chaining returns new datasets and leaves this one unchanged: ``take(n)``, ``skip(n)``,
    ``map(fn)``, ``prefetch(n)``, ``repeat(count)``. ``class_names`` and ``file_paths`` (set by the
    directory readers) carry over.

    Args:
        make_iterator: a callable returning an iterator over one pass of the elements.
        length: elements per pass, or None when unknown.
        class_names, file_paths: descriptive attributes, as Keras's directory datasets have them.
    """

    def __init__(self, make_iterator: Callable[[], Iterator[Any]], length: int | None,
                 class_names: list[str] | None = None, file_paths: list[str] | None = None) -> None:
        self._make_iterator = make_iterator
        self._length = length
        self.class_names = class_names
        self.file_paths = file_paths

    @classmethod
    def from_batches(cls, batches: Iterable[Any]) -> Dataset:
        """A dataset over a fixed list of elements (each pass yields the same ones)."""
        items = list(batches)
        return cls(lambda: iter(items), len(items))

    def _derive(self, make_iterator: Callable[[], Iterator[Any]], length: int | None) -> Dataset:
        return Dataset(make_iterator, length, self.class_names, self.file_paths)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._make_iterator())

    def __len__(self) -> int:
        if self._length is None:
            raise TypeError("Dataset: the number of elements is unknown (an infinite repeat()); "
                            "use steps_per_epoch= in fit")
        return self._length

    def cardinality(self) -> int:
        """Elements per pass; -1 for an endless dataset (``tf.data.INFINITE_CARDINALITY``)."""
        return -1 if self._length is None else self._length

    def as_numpy_iterator(self) -> Iterator[Any]:
        """The elements (already numpy arrays here), as ``tf.data`` spells it."""
        return iter(self)

    def take(self, count: int) -> Dataset:
        """The first ``count`` elements of each pass (all of them for ``count=-1``)."""
        count = _count(count, "take")
        if count < 0:
            return self
        from itertools import islice

        length = count if self._length is None else min(count, self._length)
        return self._derive(lambda: islice(iter(self), count), length)

    def skip(self, count: int) -> Dataset:
        """Each pass without its first ``count`` elements."""
        count = max(_count(count, "skip"), 0)
        from itertools import islice

        length = None if self._length is None else max(self._length - count, 0)
        return self._derive(lambda: islice(iter(self), count, None), length)

    def repeat(self, count: int | None = None) -> Dataset:
        """``count`` passes chained into one (endless when None, for ``fit(..., steps_per_epoch=)``)."""
        if count is not None:
            count = _count(count, "repeat")

        def chained() -> Iterator[Any]:
            done = 0
            while count is None or count < 0 or done < count:
                yield from iter(self)
                done += 1

        endless = count is None or count < 0
        return self._derive(chained, None if endless or self._length is None else self._length * count)

    def map(self, map_func: Callable[..., Any], num_parallel_calls: Any = None,
            deterministic: Any = None) -> Dataset:
        """``map_func`` applied to every element; a tuple element is unpacked, ``map_func(x, y)``, as tf.data.

        ``num_parallel_calls`` is accepted for Keras code; ``prefetch`` gives the overlap here.
        """
        if not callable(map_func):
            raise TypeError(f"Dataset.map: map_func must be callable, received {map_func!r}")

        def apply(element: Any) -> Any:
            return map_func(*element) if isinstance(element, tuple) else map_func(element)

        return self._derive(lambda: map(apply, iter(self)), self._length)

    def prefetch(self, buffer_size: int) -> Dataset:
        """Produce up to ``buffer_size`` elements ahead on a background thread while the caller works.

        The thread is a daemon and stops when the pass is abandoned, so an interrupted loop (Ctrl-C)
        never waits for it. ``buffer_size=-1`` (``AUTOTUNE``) means 2. Errors in the producer are
        raised in the consumer.
        """
        size = _count(buffer_size, "prefetch")
        size = 2 if size < 0 else max(size, 1)
        return self._derive(lambda: _prefetched(self, size), self._length)

    def __repr__(self) -> str:
        return f"<Dataset elements={'unknown' if self._length is None else self._length}>"


AUTOTUNE = -1  # tf.data.AUTOTUNE, accepted by prefetch


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"Dataset.{where}: expected an int, received {value!r}")
    return int(value)


def _prefetched(source: Iterable[Any], size: int) -> Iterator[Any]:
    """Iterate ``source`` on a daemon thread, handing elements over through a queue of ``size``."""
    handoff: queue.Queue = queue.Queue(maxsize=size)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)  # wakes up to notice an abandoned pass
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        iterator = iter(source)
        try:
            for element in iterator:
                if not put((True, element)):
                    return
            put((True, _END))
        except BaseException as error:  # handed to the consumer, who raises it
            put((False, error))
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    threading.Thread(target=produce, name="stepgrad-prefetch", daemon=True).start()
    try:
        while True:
            ok, element = handoff.get()
            if not ok:
                raise element
            if element is _END:
                return
            yield element
    finally:
        stop.set()
