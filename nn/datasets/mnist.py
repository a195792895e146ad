"""MNIST with Keras's spelling: ``nn.datasets.mnist.load_data()`` (see ``load_mnist``)."""

from __future__ import annotations

import os

import numpy as np

from .real import load_mnist


def load_data(path: str | os.PathLike | None = None, cache_dir: str | os.PathLike | None = None,
              download: bool = True) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``((x_train, y_train), (x_test, y_test))``: uint8 ``(60000, 28, 28)`` and ``(10000, 28, 28)`` digits
    with uint8 labels, as ``keras.datasets.mnist.load_data()`` returns them.

    The four original IDX files are read from ``path`` (a folder) or from the cache, downloaded once
    when allowed and checked against their published SHA-256 (``load_mnist`` does the work).

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data()   # doctest: +SKIP
        >>> x_train.shape, y_test[:3].tolist()                   # doctest: +SKIP
        ((60000, 28, 28), [7, 2, 1])
    """
    return load_mnist(path=path, cache_dir=cache_dir, download=download)
