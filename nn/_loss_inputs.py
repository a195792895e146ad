"""How losses read their inputs: Values as rows, Tensors with Keras's target matching, reductions.

Private helpers of ``nn.losses`` (kept apart so each file stays readable).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.graph import Node
from autograd.tensor import Tensor
from autograd.value import Value, vsum

REDUCTIONS = ("sum_over_batch_size", "sum", "none")


# --- plumbing: Values ------------------------------------------------------------------------------
def is_values(y_pred: Any) -> bool:
    return isinstance(y_pred, (Value, list, tuple))


def value_rows(y: Any) -> tuple[list[list], int]:
    """Rows along the last axis, and the nesting depth (0: a Value, 1: a flat list, 2: a batch)."""
    if not isinstance(y, (list, tuple)):
        return [[y]], 0
    if y and isinstance(y[0], (list, tuple)):
        return [list(r) for r in y], 2
    return [list(y)], 1


def target_rows(y_true: Any, rows: list[list], where: str) -> list[list]:
    """Targets shaped like the prediction rows (numbers as floats; Values kept as nodes)."""
    if isinstance(y_true, Value) or (isinstance(y_true, (list, tuple)) and has_value(y_true)):
        t_rows, _ = value_rows(y_true)
        shape_t, shape_p = [len(r) for r in t_rows], [len(r) for r in rows]
        if shape_t != shape_p:
            raise ValueError(f"{where}: y_true has rows of lengths {shape_t}, y_pred {shape_p}")
        return t_rows
    t = np.asarray(y_true.data if isinstance(y_true, Node) else y_true, dtype=np.float64)
    n, width = len(rows), len(rows[0]) if rows else 0
    if t.size != n * width or any(len(r) != width for r in rows):
        raise ValueError(
            f"{where}: y_true has shape {t.shape} but y_pred has {n} rows of {[len(r) for r in rows]} values"
        )
    return t.reshape(n, width).tolist()


def has_value(y: list | tuple) -> bool:
    first = y[0] if y else None
    return isinstance(first, Value) or (isinstance(first, (list, tuple)) and has_value(first))


def reduce_values(per_row: list[Value], depth: int, reduction: str, sample_weight: Any) -> Any:
    if sample_weight is not None:
        weights = np.broadcast_to(np.asarray(sample_weight, dtype=np.float64), (len(per_row),)).tolist()
        per_row = [loss * w for loss, w in zip(per_row, weights, strict=True)]
    if reduction == "none":
        return per_row if depth == 2 else per_row[0]
    total = vsum(per_row)
    return total if reduction == "sum" else total / len(per_row)


# --- plumbing: Tensors -----------------------------------------------------------------------------
def as_pred(y_pred: Any) -> Tensor:
    return y_pred if isinstance(y_pred, Tensor) else Tensor(np.asarray(y_pred, dtype=np.float32))


def match_target(y_true: Any, p: Tensor, where: str) -> Any:
    """Targets as an array (or a Tensor, if it needs gradients) of the predictions' shape and dtype."""
    if isinstance(y_true, Tensor) and y_true.requires_grad:
        t = y_true
    else:
        t = np.asarray(y_true.data if isinstance(y_true, Node) else y_true)
        t = t.astype(p.dtype, copy=False) if t.dtype != p.dtype else t
    received = t.shape
    if t.ndim == p.ndim - 1 and p.shape[-1] == 1:  # Keras: (N,) targets for (N, 1) predictions
        t = t.reshape(*t.shape, 1)
    elif t.ndim == p.ndim + 1 and t.shape[-1] == 1:
        t = t.reshape(t.shape[:-1])
    if t.shape != p.shape:
        raise ValueError(f"{where}: y_true has shape {received} but y_pred has shape {p.shape} (must match)")
    return t


def reduce_tensor(per_sample: Tensor, reduction: str, sample_weight: Any) -> Tensor:
    if sample_weight is not None:
        per_sample = per_sample * np.asarray(sample_weight, dtype=per_sample.dtype).reshape(
            np.shape(sample_weight) + (1,) * (per_sample.ndim - np.ndim(sample_weight))
        )
    if reduction == "none":
        return per_sample
    return per_sample.sum() if reduction == "sum" else per_sample.mean()


def check_reduction(reduction: str, where: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{where}: reduction must be one of {list(REDUCTIONS)}, received {reduction!r}")


def check_labels(y_true: Any, n_classes: int, where: str) -> np.ndarray:
    """Integer labels in [0, n_classes), else a ValueError naming the first bad one."""
    labels = np.asarray(y_true.data if isinstance(y_true, Node) else y_true)
    if labels.dtype.kind == "f":
        if not np.all(labels == np.round(labels)):
            bad = labels[labels != np.round(labels)].ravel()[0]
            raise ValueError(f"{where}: labels must be integer class indices, received {bad!r}")
        labels = labels.astype(np.int64)
    elif labels.dtype.kind not in "iub":
        raise TypeError(f"{where}: labels must be integer class indices, received dtype {labels.dtype}")
    out_of_range = (labels < 0) | (labels >= n_classes)
    if np.any(out_of_range):
        bad = labels[out_of_range].ravel()[0]
        raise ValueError(
            f"{where}: label {bad} is out of range for {n_classes} classes (expected integers in "
            f"[0, {n_classes - 1}]; y_pred's last axis is the number of classes)"
        )
    return labels.astype(np.int64, copy=False)
