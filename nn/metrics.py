"""Metrics with Keras's names: per-sample functions, streaming classes, and ``get``/``resolve``.

Functions (``binary_accuracy(y_true, y_pred)``...) return per-sample ndarrays, as in Keras; the
classes (``BinaryAccuracy()``...) accumulate over batches with ``update_state``/``result``/
``reset_state``. Inputs may be Tensors, ndarrays, numbers or (nested) lists of Values; metrics never
record a graph.

``resolve("accuracy", loss=...)`` does what Keras does with ``metrics=["accuracy"]``: it picks binary,
categorical or sparse-categorical accuracy from the loss (or from the shapes), keeping the name
"accuracy" for the logs.

Example:
    >>> from nn import metrics
    >>> metrics.binary_accuracy([[1], [0], [1]], [[0.9], [0.6], [0.2]]).tolist()
    [1.0, 0.0, 0.0]
    >>> m = metrics.resolve("accuracy", loss="sparse_categorical_crossentropy")
    >>> m.update_state([2, 0], [[0.1, 0.2, 0.7], [0.3, 0.5, 0.2]]); m.name, m.result()
    ('accuracy', 0.5)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.graph import Node
from autograd.tensor import Tensor

from ._registry import lookup


def snake_case(name: str) -> str:
    """``MeanAbsoluteError`` -> ``mean_absolute_error``."""
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


def as_array(x: Any) -> np.ndarray:
    """Numbers of a Tensor, Value, ndarray or (nested) list of Values as a float64 ndarray."""
    if isinstance(x, Node):
        return np.asarray(x.data, dtype=np.float64)
    if isinstance(x, (list, tuple)):
        raw = np.asarray(x, dtype=object)
        return np.frompyfunc(lambda v: v.data if isinstance(v, Node) else v, 1, 1)(raw).astype(np.float64)
    return np.asarray(x, dtype=np.float64)


def _matched(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """Keras's rank matching: (N,) targets against (N, 1) predictions and vice versa."""
    t, p = as_array(y_true), as_array(y_pred)
    if t.ndim == p.ndim - 1 and p.shape[-1] == 1:
        t = t[..., None]
    elif p.ndim == t.ndim - 1 and t.shape[-1] == 1:
        p = p[..., None]
    return t, p


def _per_sample(x: np.ndarray) -> np.ndarray:
    return x.mean(axis=-1) if x.ndim else x


def accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """Exact match: ``mean(y_true == y_pred)`` over the last axis."""
    t, p = _matched(y_true, y_pred)
    return _per_sample((t == p).astype(np.float64))


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> np.ndarray:
    """``mean(y_true == (y_pred > threshold))`` over the last axis (threshold 0.5 for probabilities)."""
    t, p = _matched(y_true, y_pred)
    return _per_sample((t == (p > threshold)).astype(np.float64))


def categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1 where ``argmax(y_true) == argmax(y_pred)`` (one-hot targets), per sample."""
    t, p = as_array(y_true), as_array(y_pred)
    return (t.argmax(axis=-1) == p.argmax(axis=-1)).astype(np.float64)


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1 where the integer label equals ``argmax(y_pred)``, per sample."""
    t, p = as_array(y_true), as_array(y_pred)
    if t.ndim == p.ndim and t.shape[-1] == 1:  # (N, 1) labels, as Keras allows
        t = t[..., 0]
    return (t == p.argmax(axis=-1)).astype(np.float64)


class Variable(Tensor):
    """A metric's state: a Tensor (no gradient) with Keras's ``assign``/``assign_add``/``assign_sub``.

    Example:
        >>> v = Variable(np.zeros(2)); _ = v.assign_add([1.0, 2.0]); v.numpy().tolist()
        [1.0, 2.0]
    """

    def __init__(self, data: Any, dtype: Any = "float32", name: str = "") -> None:
        super().__init__(np.array(getattr(data, "data", data), dtype=dtype), label=name)
        self.name = name

    def assign(self, value: Any) -> Variable:
        """Overwrite the numbers in place (shape kept; a scalar fills)."""
        np.copyto(self.data, np.asarray(getattr(value, "data", value)), casting="unsafe")
        return self

    def assign_add(self, value: Any) -> Variable:
        return self.assign(self.data + np.asarray(getattr(value, "data", value)))

    def assign_sub(self, value: Any) -> Variable:
        return self.assign(self.data - np.asarray(getattr(value, "data", value)))

    @property
    def value(self) -> Tensor:
        return Tensor(self.data.copy())


class Metric:
    """Base class of streaming metrics, as in Keras: state in variables, ``update_state`` per batch,
    ``result()`` at any time, ``reset_state()`` between epochs.

    Subclasses create their state with ``add_variable(shape, initializer, name=...)`` (or its alias
    ``add_weight``) in ``__init__`` and define ``update_state(y_true, y_pred, sample_weight=None)`` and
    ``result()``; ``reset_state`` puts every variable back to its initial value.

    Args:
        name: the key used in logs (``History``); default the snake-cased class name.
        dtype: the variables' dtype (float32).

    Example:
        >>> class CountPositives(Metric):
        ...     def __init__(self, name="positives"):
        ...         super().__init__(name=name)
        ...         self.count = self.add_variable(shape=(), initializer="zeros", name="count")
        ...     def update_state(self, y_true, y_pred, sample_weight=None):
        ...         self.count.assign_add(float((as_array(y_pred) > 0.5).sum()))
        ...     def result(self):
        ...         return self.count
        >>> m = CountPositives(); m.update_state([1, 0], [[0.9], [0.7]]); float(m.result())
        2.0
        >>> m.reset_state(); float(m.result())
        0.0
    """

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        self.name = name or snake_case(type(self).__name__)
        self.dtype = dtype or "float32"
        self._variables: list[tuple[Variable, np.ndarray]] = []

    def add_variable(self, shape: Any = (), initializer: Any = "zeros", dtype: Any = None,
                     aggregation: str = "sum", name: str | None = None) -> Variable:
        """A new state variable of ``shape`` filled by ``initializer`` (a name, callable or number)."""
        from . import initializers

        shape = tuple(int(d) for d in np.atleast_1d(shape)) if np.size(shape) else ()
        if isinstance(initializer, (int, float)):
            start = np.full(shape, initializer)
        else:
            start = np.asarray(initializers.get(initializer)(shape)) if shape else \
                np.asarray(initializers.get(initializer)((1,))).reshape(())
        variable = Variable(start, dtype or self.dtype, name or f"variable_{len(self._variables)}")
        self._variables.append((variable, variable.data.copy()))
        return variable

    def add_weight(self, name: str | None = None, shape: Any = (), initializer: Any = "zeros",
                   dtype: Any = None, aggregation: str = "sum") -> Variable:
        """Keras's older spelling of ``add_variable`` (name may come first)."""
        return self.add_variable(shape, initializer, dtype, aggregation, name)

    @property
    def variables(self) -> list[Variable]:
        return [v for v, _ in self._variables]

    def reset_state(self) -> None:
        """Put every variable back to its initial value."""
        for variable, start in self._variables:
            variable.assign(start)

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError(f"{type(self).__name__}: a Metric subclass must define update_state(...)")

    def result(self) -> Any:
        raise TypeError(f"{type(self).__name__}: a Metric subclass must define result()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Update with one batch and return the running result (as a Keras metric does)."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        return cls(**config)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_config().items())})"


class Mean(Metric):
    """The running (weighted) mean of the values given to ``update_state(values, sample_weight=None)``.

    Example:
        >>> m = Mean(); m.update_state([1.0, 3.0]); m.update_state(5.0, sample_weight=2.0); m.result()
        3.5
    """

    def __init__(self, name: str = "mean", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total, self.count = 0.0, 0.0  # plain floats: this runs once per batch per metric

    def reset_state(self) -> None:
        self.total, self.count = 0.0, 0.0

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        if isinstance(values, (float, int)) and not isinstance(sample_weight, (list, np.ndarray)):
            weight = 1.0 if sample_weight is None else float(sample_weight)  # a batch's loss: no arrays
            self.total += float(values) * weight
            self.count += weight
            return
        values = as_array(values).ravel()
        weights = np.ones_like(values) if sample_weight is None else np.broadcast_to(
            np.asarray(getattr(sample_weight, "data", sample_weight), dtype=np.float64).ravel(), values.shape)
        self.total += float((values * weights).sum())
        self.count += float(weights.sum())

    def result(self) -> float:
        """The mean so far (0.0 before any batch)."""
        return self.total / self.count if self.count else 0.0


class MeanMetricWrapper(Mean):
    """The running mean of a per-sample function ``fn(y_true, y_pred, **kwargs)``.

    Args:
        fn: ``fn(y_true, y_pred, **kwargs) -> per-sample values``.
        name: the key used in logs (``History``), e.g. "accuracy".
    """

    def __init__(self, fn: Callable[..., Any], name: str | None = None, dtype: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(name=name or getattr(fn, "__name__", "metric"), dtype=dtype)
        self.fn, self._kwargs = fn, kwargs

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add one batch's per-sample values (optionally weighted) to the running mean."""
        super().update_state(self.fn(y_true, y_pred, **self._kwargs), sample_weight)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, **self._kwargs}


class Accuracy(MeanMetricWrapper):
    """Streaming ``accuracy`` (exact match)."""

    def __init__(self, name: str = "accuracy", dtype: Any = None) -> None:
        super().__init__(accuracy, name, dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """Streaming ``binary_accuracy``; use ``threshold=0.0`` when predictions are logits."""

    def __init__(self, name: str = "binary_accuracy", dtype: Any = None, threshold: float = 0.5) -> None:
        super().__init__(binary_accuracy, name, dtype, threshold=float(threshold))


class CategoricalAccuracy(MeanMetricWrapper):
    """Streaming ``categorical_accuracy`` (one-hot targets)."""

    def __init__(self, name: str = "categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(categorical_accuracy, name, dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """Streaming ``sparse_categorical_accuracy`` (integer targets)."""

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(sparse_categorical_accuracy, name, dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """Streaming ``mean(|y_pred - y_true|)`` (per sample over the last axis, then over samples).

    Example:
        >>> MeanAbsoluteError()([[1.0], [2.0]], [[1.5], [4.0]])
        1.25
    """

    def __init__(self, name: str = "mean_absolute_error", dtype: Any = None) -> None:
        super().__init__(mean_absolute_error, name, dtype)


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """Streaming ``100 * mean(|y_true - y_pred| / max(|y_true|, 1e-7))``, as Keras.

    Example:
        >>> MeanAbsolutePercentageError()([[2.0], [4.0]], [[1.0], [5.0]])
        37.5
    """

    def __init__(self, name: str = "mean_absolute_percentage_error", dtype: Any = None) -> None:
        super().__init__(mean_absolute_percentage_error, name, dtype)


class MeanSquaredError(MeanMetricWrapper):
    """Streaming ``mean((y_pred - y_true)**2)``."""

    def __init__(self, name: str = "mean_squared_error", dtype: Any = None) -> None:
        super().__init__(mean_squared_error, name, dtype)


def mean_absolute_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """``mean(|y_pred - y_true|)`` over the last axis, per sample."""
    t, p = _matched(y_true, y_pred)
    return _per_sample(np.abs(p - t))


def mean_squared_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """``mean((y_pred - y_true)**2)`` over the last axis, per sample."""
    t, p = _matched(y_true, y_pred)
    return _per_sample((p - t) ** 2)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """``100 * mean(|y_true - y_pred| / max(|y_true|, 1e-7))`` over the last axis, per sample."""
    t, p = _matched(y_true, y_pred)
    return 100.0 * _per_sample(np.abs(t - p) / np.maximum(np.abs(t), 1e-7))


def _loss_metric(loss_name: str) -> Callable[..., np.ndarray]:
    """A loss as a per-sample metric on plain arrays (no graph)."""

    def fn(y_true: Any, y_pred: Any) -> np.ndarray:
        from autograd.graph import no_grad
        from autograd.tensor import Tensor

        from . import losses

        with no_grad():
            p = Tensor(as_array(y_pred))
            return np.asarray(getattr(losses, loss_name)(as_array(y_true), p, reduction="none").data)

    fn.__name__ = loss_name
    return fn


_CLASSES: dict[str, Callable[[], Metric]] = {
    "accuracy": Accuracy, "binary_accuracy": BinaryAccuracy, "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy, "mean_absolute_error": MeanAbsoluteError,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError, "mean_squared_error": MeanSquaredError,
}
_LOSS_METRICS = {name: name for name in (
    "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy", "hinge",
)}
_ALIASES = {"acc": "accuracy", "mse": "mean_squared_error", "mae": "mean_absolute_error",
            "mape": "mean_absolute_percentage_error"}
_ALIASES.update({cls.__name__.lower(): name for name, cls in _CLASSES.items()})  # "MeanAbsoluteError"


def get(identifier: Any) -> Metric:
    """A metric object from a name, a Metric (returned as is), or a per-sample function.

    Names: the accuracies above, and loss names ("mse", "mae", "binary_crossentropy", ...) as
    metrics. "accuracy"/"acc" here means exact match; ``resolve`` picks the Keras meaning.

    Example:
        >>> get("binary_accuracy")
        BinaryAccuracy(name='binary_accuracy', threshold=0.5)
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, str):
        make = lookup("metrics", "metric", {**_LOSS_METRICS, **_CLASSES}, identifier, _ALIASES)
        if make not in _CLASSES.values():
            return MeanMetricWrapper(_loss_metric(make), name=identifier)
        return make(name=identifier) if identifier.lower() in ("mse", "mae", "mape") else make()
    if callable(identifier):
        return MeanMetricWrapper(identifier, getattr(identifier, "__name__", "metric"))
    raise TypeError(f"metrics.get: expected a name, Metric or callable, received {type(identifier).__name__}")


def resolve(identifier: Any, loss: Any = None, y_true_shape: tuple | None = None,
            y_pred_shape: tuple | None = None) -> Metric:
    """Keras's reading of ``metrics=["accuracy"]``: the accuracy that fits the loss or the shapes.

    - binary_crossentropy -> binary accuracy (threshold 0 when the loss has ``from_logits=True``,
      since sigmoid(z) > 0.5 exactly when z > 0; Keras keeps 0.5 there, which is a known pitfall);
    - categorical_crossentropy -> categorical accuracy; sparse_categorical_crossentropy -> sparse;
    - any other loss: by shapes, as Keras 3 does (one output unit -> binary; targets of one rank
      less than the predictions -> sparse; else categorical), or exact match when shapes are unknown.

    The metric keeps the name the user wrote ("accuracy" or "acc"), which is what ``History`` shows.
    Other identifiers go through ``get``.
    """
    if not (isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc")):
        return get(identifier)
    name = identifier
    loss_name, from_logits = _describe(loss)
    if loss_name == "binary_crossentropy":
        return BinaryAccuracy(name, threshold=0.0 if from_logits else 0.5)
    if loss_name == "categorical_crossentropy":
        return CategoricalAccuracy(name)
    if loss_name == "sparse_categorical_crossentropy":
        return SparseCategoricalAccuracy(name)
    if y_pred_shape is not None:
        if y_pred_shape[-1] == 1:
            return BinaryAccuracy(name)
        if y_true_shape is not None and len(y_true_shape) == len(y_pred_shape) - 1:
            return SparseCategoricalAccuracy(name)
        return CategoricalAccuracy(name)
    return Accuracy(name)


def _describe(loss: Any) -> tuple[str, bool]:
    """(canonical loss name, from_logits) for a loss given as a name, Loss object or function."""
    if loss is None:
        return "", False
    from . import losses

    try:
        obj = losses.get(loss)
    except (TypeError, ValueError):
        return "", False
    name = obj.fn.__name__ if isinstance(obj, losses.Loss) else getattr(obj, "__name__", "")
    return name, bool(getattr(obj, "from_logits", False))
