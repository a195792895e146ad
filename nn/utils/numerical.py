"""Label helpers with Keras's names: ``to_categorical`` and ``normalize``."""

from __future__ import annotations

from typing import Any

import numpy as np


def to_categorical(x: Any, num_classes: int | None = None) -> np.ndarray:
    """Class indices -> float32 one-hot rows: ``out[..., k] = 1`` where ``x == k``.

    A trailing axis of size 1 is dropped first (``(n, 1)`` labels give ``(n, num_classes)``), as in Keras.

    Example:
        >>> to_categorical([0, 2, 1]).tolist()
        [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]

    Args:
        x: integer class indices (any shape).
        num_classes: number of classes; default ``max(x) + 1``.
    """
    labels = np.asarray(getattr(x, "data", x))
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.dtype.kind == "f":
        if not np.all(np.mod(labels, 1) == 0):
            raise ValueError("to_categorical: x must hold integer class indices, received non-integer floats")
        labels = labels.astype(np.int64)
    if labels.dtype.kind not in "iub":
        raise ValueError(f"to_categorical: x must hold integer class indices, received dtype {labels.dtype}")
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"to_categorical: labels must be in [0, {num_classes}), received values from "
                         f"{labels.min()} to {labels.max()}")
    return np.eye(num_classes, dtype=np.float32)[labels]


def normalize(x: Any, axis: int = -1, order: int = 2) -> np.ndarray:
    """``x`` divided by its ``order``-norm along ``axis`` (zero vectors stay zero)."""
    x = np.asarray(getattr(x, "data", x), dtype=np.float32 if np.asarray(x).dtype.kind != "f" else None)
    norm = np.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return x / np.where(norm == 0, 1, norm)
