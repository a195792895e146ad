"""Losses with Keras's names and semantics, for Tensors and for (nested lists of) Values.

Every loss is ``loss(y_true, y_pred, ...)``: targets first, predictions second, as in Keras. The
per-sample loss is taken over the last axis (``mean`` for elementwise losses, ``sum`` for
cross-entropies) and then reduced over the batch:

- ``reduction="sum_over_batch_size"`` (default): the mean of the per-sample losses, a scalar node;
- ``"sum"``: their sum; ``"none"``: the per-sample losses themselves (what Keras's *functions*
  return; its classes, like these functions, reduce by default).

Values are read as arrays of the same nesting: a flat list ``[v1, ..., vn]`` is one row (so the
result is one Value), a list of lists is a batch of rows. Targets may be numbers, lists or arrays;
``(N,)`` targets against ``(N, 1)`` predictions are matched, as Keras does.

Probabilities are clipped to ``[1e-7, 1 - 1e-7]`` before any log (Keras's epsilon), so predictions of
exactly 0 or 1 give finite losses; ``from_logits=True`` uses stable formulas (the fused kernels in
``autograd.functional`` for Tensors).

Example:
    >>> from autograd import Value
    >>> from nn import losses
    >>> scores = [Value(2.0), Value(-0.5)]
    >>> losses.hinge([1, -1], scores).data          # mean(relu(1 - y * score)) = (0 + 0.5) / 2
    0.25
    >>> losses.get("mse")([1.0, 2.0], [Value(1.5), Value(2.0)]).data
    0.125
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.graph import Node
from autograd.tensor import Tensor
from autograd.value import Value, vsum

from ._registry import NOT_RESOLVED, resolve

# --- per-element terms, written once for Values, Tensors and floats alike --------------------------
EPSILON = 1e-7  # Keras's backend epsilon: probabilities are clipped to [EPSILON, 1 - EPSILON]


def _log(x: Any) -> Any:
    return x.log() if isinstance(x, Node) else math.log(x)


def _clip(x: Any, lo: float, hi: float) -> Any:
    """min(max(x, lo), hi); outside the range the result is a constant (no gradient), as Keras's clip."""
    if isinstance(x, Tensor):
        return x.clip(lo, hi)
    value = x.data if isinstance(x, Value) else x
    return x if lo <= value <= hi else (lo if value < lo else hi)


def _squared(t: Any, p: Any) -> Any:
    d = p - t
    return d * d


def _absolute(t: Any, p: Any) -> Any:
    return (p - t).abs()


def _hinge(t: Any, p: Any) -> Any:
    return (1.0 - t * p).relu()


def _squared_hinge(t: Any, p: Any) -> Any:
    h = (1.0 - t * p).relu()
    return h * h


def _binary_ce(t: Any, p: Any) -> Any:
    p = _clip(p, EPSILON, 1.0 - EPSILON)
    return -(t * _log(p) + (1.0 - t) * _log(1.0 - p))


def _binary_ce_logits(t: Any, z: Any) -> Any:
    """max(z, 0) - z t + log(1 + e**-|z|): equals the cross-entropy of sigmoid(z), never overflows."""
    return z.relu() - z * t + ((-z.abs()).exp() + 1.0).log()


# --- how losses read their inputs: Values as rows, Tensors with Keras's target matching ------------
REDUCTIONS = ("sum_over_batch_size", "sum", "none")


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


# --- the two shapes of loss: elementwise (mean over the last axis) and cross-entropy ---------------
def _elementwise(where: str, fn: Callable, y_true: Any, y_pred: Any, reduction: str, weight: Any) -> Any:
    check_reduction(reduction, where)
    if is_values(y_pred):
        rows, depth = value_rows(y_pred)
        t_rows = target_rows(y_true, rows, where)
        per_row = [vsum([fn(t, p) for t, p in zip(tr, pr, strict=True)]) / len(pr)
                   for tr, pr in zip(t_rows, rows, strict=True)]
        return reduce_values(per_row, depth, reduction, weight)
    p = as_pred(y_pred)
    e = fn(match_target(y_true, p, where), p)
    return reduce_tensor(e.mean(axis=-1) if e.ndim else e, reduction, weight)


def mean_squared_error(y_true: Any, y_pred: Any, reduction: str = "sum_over_batch_size",
                       sample_weight: Any = None) -> Any:
    """MSE: ``mean((y_pred - y_true)**2)`` over the last axis, then reduced (see the module docstring).

    Args:
        y_true, y_pred: targets, then predictions (a Tensor, or Values: see the module docstring).
        reduction: "sum_over_batch_size" (the mean; default), "sum" or "none" (per-sample losses).
        sample_weight: optional per-sample weights, applied before the reduction.

    Example:
        >>> mean_squared_error([[0.0, 1.0]], Tensor([[1.0, 1.0]])).item()
        0.5
    """
    return _elementwise("mean_squared_error", _squared, y_true, y_pred, reduction, sample_weight)


def mean_absolute_error(y_true: Any, y_pred: Any, reduction: str = "sum_over_batch_size",
                        sample_weight: Any = None) -> Any:
    """MAE: ``mean(|y_pred - y_true|)`` over the last axis, then reduced.

    Args:
        y_true, y_pred: targets, then predictions (a Tensor, or Values: see the module docstring).
        reduction: "sum_over_batch_size" (the mean; default), "sum" or "none" (per-sample losses).
        sample_weight: optional per-sample weights, applied before the reduction.

    Example:
        >>> mean_absolute_error([[0.0, 2.0]], Tensor([[1.0, 1.0]])).item()
        1.0
    """
    return _elementwise("mean_absolute_error", _absolute, y_true, y_pred, reduction, sample_weight)


def _hinge_targets(y_true: Any) -> Any:
    """Keras: 0/1 labels become -1/+1; -1/+1 labels pass through."""
    if isinstance(y_true, Node) or (isinstance(y_true, (list, tuple)) and has_value(y_true)):
        return y_true
    t = np.asarray(y_true, dtype=np.float64)
    return 2.0 * t - 1.0 if np.all((t == 0) | (t == 1)) else t


def hinge(y_true: Any, y_pred: Any, reduction: str = "sum_over_batch_size", sample_weight: Any = None) -> Any:
    """``mean(max(1 - y_true * y_pred, 0))``, y_true in {-1, 1} (0/1 labels are converted, as Keras does).

    With scores from a linear output this is the SVM max-margin loss of micrograd's moons demo.

    Args:
        y_true, y_pred: targets, then predictions (a Tensor, or Values: see the module docstring).
        reduction: "sum_over_batch_size" (the mean; default), "sum" or "none" (per-sample losses).
        sample_weight: optional per-sample weights, applied before the reduction.

    Example:
        >>> hinge([1, 0], Tensor([0.5, -2.0])).item()          # (0.5 + 0) / 2
        0.25
    """
    return _elementwise("hinge", _hinge, _hinge_targets(y_true), y_pred, reduction, sample_weight)


def squared_hinge(y_true: Any, y_pred: Any, reduction: str = "sum_over_batch_size",
                  sample_weight: Any = None) -> Any:
    """``mean(max(1 - y_true * y_pred, 0)**2)``, y_true in {-1, 1} (0/1 converted).

    Args:
        y_true, y_pred: targets, then predictions (a Tensor, or Values: see the module docstring).
        reduction: "sum_over_batch_size" (the mean; default), "sum" or "none" (per-sample losses).
        sample_weight: optional per-sample weights, applied before the reduction.

    Example:
        >>> squared_hinge([1, -1], Tensor([0.5, -2.0])).item()   # (0.25 + 0) / 2
        0.125
    """
    t = _hinge_targets(y_true)
    return _elementwise("squared_hinge", _squared_hinge, t, y_pred, reduction, sample_weight)


def binary_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                        reduction: str = "sum_over_batch_size", sample_weight: Any = None) -> Any:
    """``-mean(t log p + (1 - t) log(1 - p))`` over the last axis, p clipped to [1e-7, 1 - 1e-7].

    With ``from_logits=True``, y_pred are scores z and the stable ``max(z, 0) - z t + log(1 + e**-|z|)``
    is used (Tensors: ``autograd.functional.sigmoid_binary_cross_entropy``).

    Args:
        y_true, y_pred: targets, then predictions (a Tensor, or Values: see the module docstring).
        reduction: "sum_over_batch_size" (the mean; default), "sum" or "none" (per-sample losses).
        sample_weight: optional per-sample weights, applied before the reduction.
        from_logits: True when y_pred are raw scores rather than probabilities.

    Example:
        >>> round(binary_crossentropy([[1.0]], Tensor([[0.0]])).item(), 3)   # -log(1e-7), not inf
        16.118
    """
    where = "binary_crossentropy"
    _check_binary_targets(y_true, where)
    fused = reduction == "sum_over_batch_size" and sample_weight is None
    if from_logits and fused and not is_values(y_pred):
        from autograd.functional import sigmoid_binary_cross_entropy

        p = as_pred(y_pred)
        return sigmoid_binary_cross_entropy(p, match_target(y_true, p, where))  # fused and stable
    fn = _binary_ce_logits if from_logits else _binary_ce
    return _elementwise(where, fn, y_true, y_pred, reduction, sample_weight)


def _check_binary_targets(y_true: Any, where: str) -> None:
    """Targets are probabilities: a value outside [0, 1] (a class index, say) is an error, not a loss."""
    if isinstance(y_true, Node) or (isinstance(y_true, (list, tuple)) and has_value(y_true)):
        return
    t = np.asarray(y_true)
    if t.size and t.dtype.kind in "biuf" and (t.min() < 0 or t.max() > 1):
        bad = t.min() if t.min() < 0 else t.max()
        raise ValueError(f"{where}: needs targets in [0, 1], received a target value of {bad}")


def categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                             reduction: str = "sum_over_batch_size", sample_weight: Any = None) -> Any:
    """``-sum(t * log p)`` over the last (class) axis; t one-hot (or probabilities).

    Probabilities are first normalised to sum to 1 and clipped to [1e-7, 1 - 1e-7], as Keras does.
    With ``from_logits=True``, ``log p = log_softmax(z)`` (stable; Tensors use the fused
    ``autograd.functional.softmax_cross_entropy``).

    Args:
        y_true, y_pred: targets, then predictions (a Tensor, or Values: see the module docstring).
        reduction: "sum_over_batch_size" (the mean; default), "sum" or "none" (per-sample losses).
        sample_weight: optional per-sample weights, applied before the reduction.
        from_logits: True when y_pred are raw scores rather than probabilities.

    Example:
        >>> round(categorical_crossentropy([[0, 1]], Tensor([[0.5, 0.5]])).item(), 4)   # log 2
        0.6931
    """
    where = "categorical_crossentropy"
    check_reduction(reduction, where)
    if is_values(y_pred):
        rows, depth = value_rows(y_pred)
        t_rows = target_rows(y_true, rows, where)
        per_row = [_row_ce(tr, pr, from_logits) for tr, pr in zip(t_rows, rows, strict=True)]
        return reduce_values(per_row, depth, reduction, sample_weight)
    p = as_pred(y_pred)
    if p.ndim < 1:
        raise ValueError(f"{where}: y_pred needs a class axis, received shape {p.shape}")
    t_shape = np.shape(y_true.data if isinstance(y_true, Node) else y_true)
    if len(t_shape) == p.ndim - 1 and p.shape[-1] > 1:
        raise ValueError(
            f"{where}: y_true has shape {t_shape} but y_pred has shape {p.shape}: for integer class "
            "labels use sparse_categorical_crossentropy, or one-hot encode them"
        )
    t = match_target(y_true, p, where)
    if from_logits and reduction == "sum_over_batch_size" and sample_weight is None:
        from autograd.functional import softmax_cross_entropy

        return softmax_cross_entropy(p, t)  # fused and stable
    if from_logits:
        log_p = p.log_softmax(axis=-1)
    else:
        log_p = (p / p.sum(axis=-1, keepdims=True)).clip(EPSILON, 1.0 - EPSILON).log()
    return reduce_tensor(-(t * log_p).sum(axis=-1), reduction, sample_weight)


def _row_ce(t: list, p: list, from_logits: bool) -> Value:
    """Cross-entropy of one row of Values."""
    if from_logits:
        top = max(v.data for v in p)  # log-sum-exp with the max taken out: no overflow
        lse = top + vsum([(v - top).exp() for v in p]).log()
        return vsum([ti * (lse - v) for ti, v in zip(t, p, strict=True) if _nonzero(ti)])
    total = vsum(p)
    return -vsum([ti * _log(_clip(v / total, EPSILON, 1.0 - EPSILON)) for ti, v in zip(t, p, strict=True)
                  if _nonzero(ti)])


def _nonzero(t: Any) -> bool:
    return isinstance(t, Value) or t != 0  # zero targets add nothing: skip their nodes


def sparse_categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                                    reduction: str = "sum_over_batch_size", sample_weight: Any = None) -> Any:
    """Categorical cross-entropy with integer class labels: ``-log p[label]`` per sample.

    Labels must be integers in [0, number of classes); others raise a ValueError naming them.

    Args:
        y_true, y_pred: targets, then predictions (a Tensor, or Values: see the module docstring).
        reduction: "sum_over_batch_size" (the mean; default), "sum" or "none" (per-sample losses).
        sample_weight: optional per-sample weights, applied before the reduction.
        from_logits: True when y_pred are raw scores rather than probabilities.

    Example:
        >>> round(sparse_categorical_crossentropy([1], Tensor([[0.5, 0.5]])).item(), 4)
        0.6931
    """
    where = "sparse_categorical_crossentropy"
    check_reduction(reduction, where)
    if is_values(y_pred):
        rows, depth = value_rows(y_pred)
        labels = check_labels(y_true, len(rows[0]), where).reshape(-1)
        if labels.size != len(rows):
            raise ValueError(f"{where}: {labels.size} labels for {len(rows)} rows of predictions")
        eye = np.eye(len(rows[0])).tolist()
        per_row = [_row_ce(eye[k], r, from_logits) for k, r in zip(labels.tolist(), rows, strict=True)]
        return reduce_values(per_row, depth, reduction, sample_weight)
    p = as_pred(y_pred)
    if p.ndim < 1:
        raise ValueError(f"{where}: y_pred needs a class axis, received shape {p.shape}")
    labels = check_labels(y_true, p.shape[-1], where)
    if labels.size != math.prod(p.shape[:-1]):
        raise ValueError(
            f"{where}: y_true has shape {labels.shape}; expected {p.shape[:-1]} for y_pred of shape {p.shape}"
        )
    labels = labels.reshape(p.shape[:-1])
    if from_logits and reduction == "sum_over_batch_size" and sample_weight is None:
        from autograd.functional import softmax_cross_entropy

        return softmax_cross_entropy(p, labels)  # fused, no one-hot needed
    one_hot = np.eye(p.shape[-1], dtype=p.dtype)[labels]
    return categorical_crossentropy(one_hot, p, from_logits, reduction, sample_weight)


# --- reducing what a custom loss returns ------------------------------------------------------------
def reduce_loss(values: Any, reduction: str = "sum_over_batch_size", sample_weight: Any = None) -> Any:
    """Keras's reduction of per-sample losses: weight them, then sum, or divide the sum by their count.

    ``values`` may be a Tensor of any shape (a scalar passes through ``"sum_over_batch_size"``
    unchanged), a Value, a list of Values, or plain numbers (a constant loss).

    Example:
        >>> reduce_loss(Tensor([1.0, 2.0, 6.0])).item(), reduce_loss(Tensor([1.0, 3.0]), "sum").item()
        (3.0, 4.0)
    """
    check_reduction(reduction, "reduce_loss")
    if isinstance(values, Value):
        values = [values]
    if isinstance(values, (list, tuple)) and has_value(values):
        return reduce_values(list(values), 2 if reduction == "none" else 1, reduction, sample_weight)
    if not isinstance(values, Tensor):
        values = Tensor(np.asarray(values, dtype=np.float32))
    if sample_weight is not None:
        weight = np.asarray(getattr(sample_weight, "data", sample_weight), dtype=values.dtype)
        values = values * weight.reshape(weight.shape + (1,) * (values.ndim - weight.ndim)) \
            if weight.ndim <= values.ndim else values * weight.reshape(values.shape)
    if reduction == "none":
        return values
    return values.sum() if reduction == "sum" else values.mean()


def same_rank(y_true: Any, y_pred: Tensor) -> Any:
    """Keras's matching before a custom loss: drop or add a trailing axis of size 1 on ``y_true``."""
    t = y_true if isinstance(y_true, Tensor) else Tensor(np.asarray(y_true, dtype=y_pred.dtype))
    if t.ndim == y_pred.ndim + 1 and t.shape[-1] == 1:
        return t.reshape(t.shape[:-1])
    if t.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1:
        return t.reshape(*t.shape, 1)
    return t


# --- Loss classes and get() ---------------------------------------------------------------------
class Loss:
    """A loss with its settings bound: ``loss(y_true, y_pred, sample_weight=None)``.

    Subclass it as in Keras: write ``call(y_true, y_pred)`` returning one loss per sample (or any
    shape); ``__call__`` weights and reduces what it returns (``reduce_loss``).

    Args:
        reduction: "sum_over_batch_size" (default: the mean), "sum" or "none".
        name: shown in logs; defaults to the function's name (or the snake-cased class name).

    Example:
        >>> class Scaled(Loss):
        ...     def call(self, y_true, y_pred):
        ...         return ((y_pred - y_true) ** 2).mean(axis=-1) * 10.0
        >>> Scaled()(Tensor([[0.0], [1.0]]), Tensor([[1.0], [1.0]])).item()     # mean(10, 0)
        5.0
    """

    fn: Callable[..., Any] | None = None  # the built-in twins set their function here

    def __init__(self, reduction: str = "sum_over_batch_size", name: str | None = None,
                 **kwargs: Any) -> None:
        check_reduction(reduction, type(self).__name__)
        self.reduction = reduction
        self.name = name or (self.fn.__name__ if self.fn is not None else _snake(type(self).__name__))
        self._kwargs = kwargs

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        if type(self).call is Loss.call and self.fn is not None:  # a built-in: its function reduces (fused)
            return self.fn(y_true, y_pred, reduction=self.reduction, sample_weight=sample_weight,
                           **self._kwargs)
        if isinstance(y_pred, Tensor):
            y_true = same_rank(y_true, y_pred)
        return reduce_loss(self.call(y_true, y_pred), self.reduction, sample_weight)

    def call(self, y_true: Any, y_pred: Any) -> Any:
        """The per-sample losses (what a subclass overrides)."""
        if self.fn is None:
            raise TypeError(f"{type(self).__name__}: a Loss subclass must define call(y_true, y_pred)")
        return self.fn(y_true, y_pred, reduction="none", **self._kwargs)

    @property
    def from_logits(self) -> bool:
        return bool(self._kwargs.get("from_logits", False))

    def get_config(self) -> dict[str, Any]:
        return {"reduction": self.reduction, "name": self.name, **self._kwargs}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        return cls(**config)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_config().items())})"


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


class LossFunctionWrapper(Loss):
    """A function ``fn(y_true, y_pred) -> per-sample losses`` as a ``Loss`` (what ``compile`` makes of
    a custom loss function): its values are weighted and reduced as Keras does.

    Example:
        >>> def abs_error(y_true, y_pred):
        ...     return (y_pred - y_true).abs().mean(axis=-1)        # one value per sample
        >>> LossFunctionWrapper(abs_error)([1.0, 0.0], Tensor([[3.0], [0.0]])).item()   # mean(2, 0)
        1.0
    """

    def __init__(self, fn: Callable[..., Any], reduction: str = "sum_over_batch_size",
                 name: str | None = None,
                 **kwargs: Any) -> None:
        self.function = fn
        super().__init__(reduction, name or getattr(fn, "__name__", type(fn).__name__), **kwargs)

    def call(self, y_true: Any, y_pred: Any) -> Any:
        return self.function(y_true, y_pred, **self._kwargs)

    def get_config(self) -> dict[str, Any]:
        return {"reduction": self.reduction, "name": self.name}


class _ProbabilisticLoss(Loss):
    def __init__(self, from_logits: bool = False, reduction: str = "sum_over_batch_size",
                 name: str | None = None) -> None:
        super().__init__(reduction, name, from_logits=bool(from_logits))


class MeanSquaredError(Loss):
    """Class twin of ``mean_squared_error``."""

    fn = staticmethod(mean_squared_error)


class MeanAbsoluteError(Loss):
    """Class twin of ``mean_absolute_error``."""

    fn = staticmethod(mean_absolute_error)


class Hinge(Loss):
    """Class twin of ``hinge``."""

    fn = staticmethod(hinge)


class SquaredHinge(Loss):
    """Class twin of ``squared_hinge``."""

    fn = staticmethod(squared_hinge)


class BinaryCrossentropy(_ProbabilisticLoss):
    """Class twin of ``binary_crossentropy`` (``from_logits=False``)."""

    fn = staticmethod(binary_crossentropy)


class CategoricalCrossentropy(_ProbabilisticLoss):
    """Class twin of ``categorical_crossentropy`` (``from_logits=False``)."""

    fn = staticmethod(categorical_crossentropy)


class SparseCategoricalCrossentropy(_ProbabilisticLoss):
    """Class twin of ``sparse_categorical_crossentropy`` (``from_logits=False``)."""

    fn = staticmethod(sparse_categorical_crossentropy)


_CLASSES: dict[str, type[Loss]] = {
    "mean_squared_error": MeanSquaredError, "mean_absolute_error": MeanAbsoluteError, "hinge": Hinge,
    "squared_hinge": SquaredHinge, "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}
_ALIASES = {"mse": "mean_squared_error", "mae": "mean_absolute_error", "bce": "binary_crossentropy",
            "binary_cross_entropy": "binary_crossentropy",
            "categorical_cross_entropy": "categorical_crossentropy",
            "sparse_categorical_cross_entropy": "sparse_categorical_crossentropy"}
_ALIASES.update({cls.__name__.lower(): name for name, cls in _CLASSES.items()})  # "MeanSquaredError"


def get(identifier: Any) -> Callable[..., Any]:
    """A loss from a name ("mse", "binary_crossentropy", "BinaryCrossentropy"), class, instance or callable.

    Names give a ``Loss`` instance (``.name``, ``.from_logits``); a config
    ``{"class_name": ..., "config": ...}`` rebuilds one. Unknown names raise a ValueError listing
    the known ones.

    Example:
        >>> get("bce")
        BinaryCrossentropy(reduction='sum_over_batch_size', name='binary_crossentropy', from_logits=False)
    """
    known = {*_CLASSES, "mse", "mae", "bce"}
    loss = resolve(identifier, "losses", "loss", Loss, _CLASSES, _ALIASES, known=known)
    if loss is not NOT_RESOLVED:
        return loss
    if callable(identifier):
        return identifier
    raise TypeError(f"losses.get: expected a name, Loss or callable, received {type(identifier).__name__}")


def as_loss(identifier: Any) -> Loss:
    """What ``compile`` keeps: a ``Loss`` for any identifier ``get`` accepts.

    Built-in functions become their class twins (so sample weights and the fused kernels apply);
    other functions are wrapped in ``LossFunctionWrapper`` (their per-sample values are reduced).
    """
    loss = get(identifier)
    if isinstance(loss, Loss):
        return loss
    twin = _CLASSES.get(getattr(loss, "__name__", ""))
    if twin is not None and twin.fn is loss:
        return twin()
    return LossFunctionWrapper(loss)
