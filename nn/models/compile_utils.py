"""What ``compile`` keeps: the loss (one per output, weighted) and the metrics (per output).

A model with one output takes one loss; a model with several takes a list (in output order) or a
dict keyed by output name, and ``loss_weights`` the same way; the total is ``sum(w_i * loss_i)``.
Targets ``y`` follow the outputs' structure (an array, a list, or a dict keyed by output name).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import losses as _losses
from .. import metrics as _metrics


def per_output(value: Any, names: list[str], what: str, where: str = "compile") -> list[Any]:
    """``value`` spread over the outputs: one value for all, a list in order, or a dict by name."""
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in names]
        if unknown:
            raise ValueError(
                f"{where}: {what} names outputs {unknown} that the model does not have; "
                f"its outputs are {names}"
            )
        return [value.get(n) for n in names]
    if isinstance(value, (list, tuple)) and len(names) > 1:
        if len(value) != len(names):
            raise ValueError(
                f"{where}: {what} has {len(value)} entries for a model with {len(names)} outputs {names}"
            )
        return list(value)
    return [value] * len(names)  # one loss (or weight) for every output, as Keras 3


def flatten(y: Any, names: list[str], what: str, where: str = "fit", kind: str = "outputs") -> list[Any]:
    """Values in ``names`` order from one value (a single name), a list, or a dict by name.

    Targets and predictions are matched to a model's outputs this way, and a functional model's
    inputs to its ``nn.Input`` tensors (``kind="inputs"``).
    """
    if isinstance(y, Mapping):
        missing = [n for n in names if n not in y]
        if missing:
            raise ValueError(
                f"{where}: {what} has no entry for {kind} {missing}; keys received {sorted(y)}, "
                f"{kind} are {names}"
            )
        return [y[n] for n in names]
    if len(names) == 1:
        return [y[0] if isinstance(y, (list, tuple)) and len(y) == 1 else y]
    if not isinstance(y, (list, tuple)) or len(y) != len(names):
        received = f"{type(y).__name__}" + (f" of {len(y)}" if isinstance(y, (list, tuple)) else "")
        raise ValueError(
            f"{where}: the model has {len(names)} {kind} {names}; pass {what} as a list of "
            f"{len(names)} arrays or a dict keyed by name (received {received})"
        )
    return list(y)


class CompiledLoss:
    """``loss(y_true, y_pred, sample_weight)`` over every output: ``sum(weight_i * loss_i)``."""

    def __init__(self, loss: Any, loss_weights: Any, output_names: list[str]) -> None:
        self.names = output_names
        specs = per_output(loss, output_names, "loss") if loss is not None else [None] * len(output_names)
        self.losses = [None if spec is None else _losses.as_loss(spec) for spec in specs]
        weights = per_output(1.0 if loss_weights is None else loss_weights, output_names, "loss_weights")
        self.weights = [1.0 if w is None else float(w) for w in weights]
        if loss is not None and all(fn is None for fn in self.losses):
            raise ValueError(f"compile: loss={loss!r} gives no loss to any output {output_names}")

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        trues, preds = flatten(y_true, self.names, "y"), flatten(y_pred, self.names, "the predictions")
        weights = (
            flatten(sample_weight, self.names, "sample_weight")
            if isinstance(sample_weight, Mapping)
            else [sample_weight] * len(self.names)
        )
        total = None
        for fn, w, t, p, sw in zip(self.losses, self.weights, trues, preds, weights, strict=True):
            if fn is None:
                continue
            term = fn(t, p, sample_weight=sw)
            term = term if w == 1.0 else term * w
            total = term if total is None else total + term
        return total

    def get_config(self) -> Any:
        configs = [None if fn is None else object_config(fn) for fn in self.losses]
        return configs[0] if len(configs) == 1 else dict(zip(self.names, configs, strict=True))


class CompiledMetrics:
    """The compiled metrics of each output; ``"accuracy"`` is resolved from the loss and the first batch."""

    def __init__(self, metrics: Any, output_names: list[str], compiled_loss: CompiledLoss) -> None:
        self.names, self.loss = output_names, compiled_loss
        if metrics is not None and not isinstance(metrics, (list, tuple, Mapping)):
            raise TypeError(
                f"compile: metrics must be a list (or a dict by output), received metrics={metrics!r}"
            )
        per = (
            per_output(metrics or [], output_names, "metrics")
            if isinstance(metrics, Mapping)
            or (len(output_names) > 1 and metrics and all(isinstance(m, (list, tuple)) for m in metrics))
            else [list(metrics or [])] * len(output_names)
        )
        self.ids = [[] if m is None else list(m) if isinstance(m, (list, tuple)) else [m] for m in per]
        self.objects = [[self._make(i, k) for i in ids] for k, ids in enumerate(self.ids)]
        self.shaped = False

    def _make(
        self, identifier: Any, k: int, y_true_shape: tuple | None = None, y_pred_shape: tuple | None = None
    ) -> _metrics.Metric:
        metric = _metrics.resolve(
            identifier, loss=self.loss.losses[k], y_true_shape=y_true_shape, y_pred_shape=y_pred_shape
        )
        if len(self.names) > 1 and not getattr(metric, "_prefixed", False):
            metric.name, metric._prefixed = f"{self.names[k]}_{metric.name}", True  # Keras: "out_a_accuracy"
        return metric

    @property
    def metrics(self) -> list[_metrics.Metric]:
        return [m for per in self.objects for m in per]

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        trues, preds = flatten(y_true, self.names, "y"), flatten(y_pred, self.names, "the predictions")
        if not self.shaped:  # "accuracy" with a custom loss is re-read from the first batch's shapes
            self.objects = [
                [
                    self._make(i, k, np.shape(t), p.shape) if isinstance(i, str) else o
                    for i, o in zip(self.ids[k], self.objects[k], strict=True)
                ]
                for k, (t, p) in enumerate(zip(trues, preds, strict=True))
            ]
            self.shaped = True
        for per, t, p in zip(self.objects, trues, preds, strict=True):
            for m in per:
                m.update_state(t, p, sample_weight=sample_weight)

    def get_config(self) -> list[Any]:
        return [
            i
            if isinstance(i, str)
            else object_config(o)
            if type(o) is not _metrics.MeanMetricWrapper
            else None
            for ids, objs in zip(self.ids, self.objects, strict=True)
            for i, o in zip(ids, objs, strict=True)
        ]


def object_config(obj: Any) -> dict[str, Any] | None:
    """``{"class_name", "config"}`` for objects with ``get_config`` (saved with the model); else None."""
    if (
        hasattr(obj, "get_config")
        and not isinstance(obj, type)
        and not isinstance(obj, _losses.LossFunctionWrapper)
    ):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    return None


def class_weights(class_weight: Mapping[int, float], y: Any) -> np.ndarray:
    """Per-sample weights from ``{class index: weight}`` (integer labels, one-hot rows, or 0/1 targets)."""
    y = np.asarray(y)
    labels = y.argmax(axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else np.rint(y.reshape(len(y), -1)[:, 0])
    table = np.ones(int(max(max(class_weight), labels.max(initial=0))) + 1)
    for k, w in class_weight.items():
        table[int(k)] = float(w)
    return table[labels.astype(np.int64)]
