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
from autograd.tensor import Tensor  # noqa: F401 (the docstring examples use it)
from autograd.value import Value, vsum

from ._loss_inputs import (
    as_pred,
    check_labels,
    check_reduction,
    has_value,
    is_values,
    match_target,
    reduce_tensor,
    reduce_values,
    target_rows,
    value_rows,
)
from ._loss_terms import (
    EPSILON,
    _absolute,
    _binary_ce,
    _binary_ce_logits,
    _clip,
    _hinge,
    _log,
    _squared,
    _squared_hinge,
)
from ._registry import NOT_RESOLVED, resolve


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
    fused = reduction == "sum_over_batch_size" and sample_weight is None
    if from_logits and fused and not is_values(y_pred):
        from autograd.functional import sigmoid_binary_cross_entropy

        p = as_pred(y_pred)
        return sigmoid_binary_cross_entropy(p, match_target(y_true, p, where))  # fused and stable
    fn = _binary_ce_logits if from_logits else _binary_ce
    return _elementwise(where, fn, y_true, y_pred, reduction, sample_weight)


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


# --- class twins and get() ---------------------------------------------------------------------
class Loss:
    """A loss with its settings bound: ``loss(y_true, y_pred, sample_weight=None)``.

    Args:
        reduction: "sum_over_batch_size" (default), "sum" or "none".
        name: shown in logs; defaults to the function's name.
    """

    fn: Callable[..., Any] = staticmethod(mean_squared_error)

    def __init__(self, reduction: str = "sum_over_batch_size", name: str | None = None,
                 **kwargs: Any) -> None:
        check_reduction(reduction, type(self).__name__)
        self.reduction = reduction
        self.name = name or self.fn.__name__
        self._kwargs = kwargs

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        return self.fn(y_true, y_pred, reduction=self.reduction, sample_weight=sample_weight, **self._kwargs)

    @property
    def from_logits(self) -> bool:
        return bool(self._kwargs.get("from_logits", False))

    def get_config(self) -> dict[str, Any]:
        return {"reduction": self.reduction, "name": self.name, **self._kwargs}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_config().items())})"


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
