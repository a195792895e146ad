"""The loops behind ``fit``, ``evaluate`` and ``predict``, and the adapters that turn inputs into batches.

Inputs ``fit`` understands (as Keras):

- arrays ``x``, ``y`` (ndarrays, lists, Tensors): batched by ``batch_size``, reshuffled each epoch
  when ``shuffle``; ``validation_split`` holds out the *last* fraction, before shuffling;
- a Sequence (``len(seq)`` and ``seq[i] -> (x, y)``, e.g. ``flow_from_directory``'s
  DirectoryIterator): ``len(seq)`` steps per epoch unless ``steps_per_epoch``; reading continues
  where the last epoch stopped, and ``seq.on_epoch_end()`` runs each time the sequence is used up;
- a generator or iterator yielding ``(x, y)`` batches: ``steps_per_epoch`` batches per epoch, or
  until it is exhausted.

One training step: forward in training mode, loss, ``zero_grad``, ``backward``, ``optimizer.step``;
metrics are computed on the same predictions without recording a graph.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from autograd.graph import no_grad
from autograd.tensor import Tensor
from nn._threads import BlasThreads

Batch = tuple[np.ndarray, np.ndarray | None]


# --- turning inputs into arrays and batches -----------------------------------------------------
def to_array(x: Any, where: str, arg: str) -> np.ndarray:
    """An ndarray from an ndarray, list or Tensor; floats are float32 (the layers' dtype)."""
    if isinstance(x, Tensor):
        x = x.data
    try:
        a = np.asarray(x)
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"{where}: {arg} must be an array of numbers, received {type(x).__name__} ({e})"
        ) from None
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{where}: {arg} must hold numbers, received an array of dtype {a.dtype}")
    if a.ndim == 0:
        raise ValueError(f"{where}: {arg} must have a batch axis, received a scalar {a!r}")
    return a.astype(np.float32) if a.dtype.kind == "f" and a.dtype != np.float32 else a


def inputs_to_tensor(x: np.ndarray) -> Tensor:
    """Model inputs are float32 Tensors (uint8 images and int features are converted, as Keras does)."""
    return Tensor(np.asarray(x, dtype=np.float32))


def is_array_like(x: Any) -> bool:
    return isinstance(x, (np.ndarray, list, Tensor)) or np.isscalar(x)


def is_sequence(x: Any) -> bool:
    """A Keras Sequence / PyDataset: ``len`` and integer indexing, and not a plain array."""
    if is_array_like(x) or isinstance(x, tuple):
        return False
    return hasattr(x, "__len__") and hasattr(x, "__getitem__")


def unpack_batch(batch: Any, where: str) -> Batch:
    """``(x, y)`` from what a generator or sequence yields: ``(x, y)``, ``(x,)`` or ``x``."""
    if isinstance(batch, (tuple, list)) and len(batch) in (1, 2) and not _is_number_list(batch):
        x = to_array(batch[0], where, "x (in a batch)")
        y = to_array(batch[1], where, "y (in a batch)") if len(batch) == 2 and batch[1] is not None else None
        return x, y
    if isinstance(batch, (tuple, list)) and len(batch) == 3:
        raise ValueError(f"{where}: batches of (x, y, sample_weight) are not supported; yield (x, y)")
    return to_array(batch, where, "x (a batch)"), None


def _is_number_list(batch: Any) -> bool:
    return isinstance(batch, list) and all(np.isscalar(v) for v in batch)


def _positive_int(n: Any) -> bool:
    return not isinstance(n, bool) and isinstance(n, (int, np.integer)) and n > 0


def check_lengths(x: np.ndarray, y: np.ndarray | None, where: str) -> None:
    if y is not None and len(x) != len(y):
        raise ValueError(
            f"{where}: x and y must have the same number of samples, received x with {len(x)} "
            f"(shape {x.shape}) and y with {len(y)} (shape {y.shape})"
        )


class ArrayAdapter:
    """Batches of in-memory arrays; a fresh permutation each epoch when ``shuffle``."""

    def __init__(self, x: np.ndarray, y: np.ndarray | None, batch_size: int, shuffle: bool,
                 steps: int | None = None) -> None:
        self.x, self.y, self.batch_size, self.shuffle = x, y, batch_size, shuffle
        full = math.ceil(len(x) / batch_size)
        self.steps = full if steps is None else min(int(steps), full)

    def epoch(self) -> Iterator[Batch]:
        order = np.random.permutation(len(self.x)) if self.shuffle else None  # np.random.seed reproduces it
        for i in range(self.steps):
            part = slice(i * self.batch_size, (i + 1) * self.batch_size)
            idx = order[part] if order is not None else part
            yield self.x[idx], None if self.y is None else self.y[idx]


class SequenceAdapter:
    """Batches ``seq[i]``; the position carries over between epochs when ``steps`` < ``len(seq)``."""

    def __init__(self, seq: Any, steps: int | None, where: str, restart: bool) -> None:
        self.seq, self.where = seq, where
        self.length = len(seq)
        if self.length == 0:
            raise ValueError(f"{where}: the data ({type(seq).__name__}) is empty: len() == 0")
        self.steps = self.length if steps is None else int(steps)
        self.restart = restart  # evaluate/predict start at batch 0 every time
        self.cursor = 0

    def epoch(self) -> Iterator[Batch]:
        if self.restart:
            self.cursor = 0
        for _ in range(self.steps):
            batch = unpack_batch(self.seq[self.cursor], self.where)
            self.cursor += 1
            if self.cursor == self.length:  # the whole sequence was seen: a data epoch ends
                self.cursor = 0
                if hasattr(self.seq, "on_epoch_end") and not self.restart:
                    self.seq.on_epoch_end()
            yield batch


class IteratorAdapter:
    """Batches from a generator/iterator: ``steps`` per epoch, or until it runs out."""

    def __init__(self, data: Any, steps: int | None, where: str) -> None:
        self.data, self.steps, self.where = data, steps, where
        self.iterator = data if hasattr(data, "__next__") else None

    def epoch(self) -> Iterator[Batch]:
        it = self.iterator if self.iterator is not None else iter(self.data)  # re-iterables restart
        count = 0
        while self.steps is None or count < self.steps:
            try:
                batch = next(it)
            except StopIteration:
                if self.steps is not None:
                    warnings.warn(
                        f"{self.where}: the data ran out after {count} of steps={self.steps} batches; "
                        "make the generator loop forever, or lower steps_per_epoch",
                        stacklevel=4,
                    )
                return
            count += 1
            yield unpack_batch(batch, self.where)


def make_adapter(x: Any, y: Any, batch_size: int | None, shuffle: bool, steps: int | None, where: str,
                 restart: bool = False) -> ArrayAdapter | SequenceAdapter | IteratorAdapter:
    """Pick the adapter for ``x`` (and ``y``); see the module docstring for what is accepted."""
    if steps is not None and not _positive_int(steps):
        raise ValueError(f"{where}: steps must be a positive integer or None, received {steps!r}")
    if isinstance(x, tuple) and y is None and len(x) == 2 and all(is_array_like(v) for v in x):
        x, y = x  # an (x, y) pair, as validation_data is given
    if is_array_like(x):
        xa = to_array(x, where, "x")
        ya = None if y is None else to_array(y, where, "y")
        check_lengths(xa, ya, where)
        if len(xa) == 0:
            raise ValueError(f"{where}: x is empty (0 samples)")
        if not _positive_int(batch_size):
            raise ValueError(
                f"{where}: batch_size must be a positive integer, received batch_size={batch_size!r}"
            )
        return ArrayAdapter(xa, ya, int(batch_size), shuffle, steps)
    if y is not None:
        raise ValueError(
            f"{where}: y must be None when x is a generator or sequence (it yields (x, y) batches); "
            f"received x of type {type(x).__name__} and y of type {type(y).__name__}"
        )
    if is_sequence(x):
        return SequenceAdapter(x, steps, where, restart)
    if hasattr(x, "__next__") or hasattr(x, "__iter__"):
        return IteratorAdapter(x, steps, where)
    raise TypeError(
        f"{where}: unrecognized data type x={type(x).__name__}; expected arrays, an (x, y) tuple, a "
        "Sequence/DirectoryIterator, or a generator yielding (x, y) batches"
    )


def split_validation(x: Any, y: Any, validation_split: float) -> tuple[tuple, tuple]:
    """Hold out the last ``validation_split`` fraction of the arrays (before any shuffling, as Keras)."""
    if not is_array_like(x):
        raise ValueError(
            f"fit: validation_split is only supported for arrays, received x of type {type(x).__name__}; "
            "pass validation_data instead (for image folders: a second flow_from_directory with subset)"
        )
    xa, ya = to_array(x, "fit", "x"), None if y is None else to_array(y, "fit", "y")
    check_lengths(xa, ya, "fit")
    split_at = int(math.floor(len(xa) * (1.0 - validation_split)))
    if split_at == 0 or split_at == len(xa):
        raise ValueError(
            f"fit: validation_split={validation_split} leaves an empty "
            f"{'training' if split_at == 0 else 'validation'} set with {len(xa)} samples"
        )
    train = (xa[:split_at], None if ya is None else ya[:split_at])
    val = (xa[split_at:], None if ya is None else ya[split_at:])
    return train, val


class EpochLogs:
    """Running logs: the mean loss weighted by batch size (as Keras), and the metrics' streaming results."""

    def __init__(self, model: Any) -> None:
        self.model, self.total, self.count = model, 0.0, 0
        model._reset_metrics()

    def update(self, loss: float, n: int) -> None:
        self.total += loss * n
        self.count += n

    def result(self) -> dict[str, float]:
        return {"loss": self.total / max(self.count, 1), **self.model._metric_results()}


# --- the loops ------------------------------------------------------------------------------------
def _scalar(v: Any) -> float:
    """A float from a Tensor, ndarray or number (metrics may return any of them)."""
    return float(np.mean(v.data if isinstance(v, Tensor) else v))


def check_targets(loss_name: str, y: np.ndarray, where: str) -> None:
    """Keras-quality error for binary targets outside [0, 1] (the losses check labels and shapes)."""
    if loss_name == "binary_crossentropy" and y.size and (np.min(y) < 0 or np.max(y) > 1):
        bad = np.min(y) if np.min(y) < 0 else np.max(y)
        raise ValueError(
            f"{where}: binary_crossentropy needs targets in [0, 1], received a target value of {bad}"
        )


def train_step(model: Any, x: np.ndarray, y: np.ndarray) -> float:
    """One optimizer step on a batch; updates the metrics and returns the batch's loss."""
    model._prepare(x.shape)
    if not model.training:  # switching walks every module: only when the mode changes
        model.train()
    y_pred = model(inputs_to_tensor(x))
    check_targets(model._loss_name, y, "fit")
    loss = model._loss_fn(y, y_pred)
    model.optimizer.zero_grad()
    loss.backward()
    model.optimizer.step()
    with no_grad():
        model._update_metrics(y, y_pred)
    return _scalar(loss)


def eval_step(model: Any, x: np.ndarray, y: np.ndarray) -> float:
    """Loss of a batch (returned) and metrics (updated), in inference mode, recording nothing."""
    model._prepare(x.shape, bind=False)
    if model.training:
        model.eval()
    with no_grad():
        y_pred = model(inputs_to_tensor(x))
        check_targets(model._loss_name, y, "evaluate")
        loss = model._loss_fn(y, y_pred)
        model._update_metrics(y, y_pred)
        return _scalar(loss)


def run_fit(model: Any, train: Any, val: Any, epochs: int, initial_epoch: int, callbacks: Any,
            validation_freq: int) -> None:
    """The epoch loop; callbacks see every hook, ``model.stop_training`` ends it after a batch or epoch."""
    model.stop_training = False
    callbacks.call("on_train_begin", {})
    logs: dict[str, float] = {}
    threads = BlasThreads()  # as many BLAS threads as train fastest on this CPU now (busy or not)
    for epoch in range(initial_epoch, epochs):
        callbacks.call("on_epoch_begin", epoch, {})
        tracker = EpochLogs(model)
        for step, (xb, yb) in enumerate(train.epoch()):
            if yb is None:
                raise ValueError("fit: the data yields inputs without targets; yield (x, y) or pass y=")
            callbacks.call("on_train_batch_begin", step, {})
            with threads.step():
                tracker.update(train_step(model, xb, yb), len(xb))
            callbacks.call("on_train_batch_end", step, tracker.result())
            if model.stop_training:
                break
        if tracker.count == 0:
            warnings.warn(f"fit: no data in epoch {epoch + 1} (the generator is exhausted); stopping",
                          stacklevel=3)
            break
        logs = tracker.result()
        if val is not None and (epoch + 1) % validation_freq == 0:
            val_logs = run_evaluate(model, val, callbacks)
            logs.update({f"val_{k}": v for k, v in val_logs.items()})
        callbacks.call("on_epoch_end", epoch, logs)
        if model.stop_training:
            break
    callbacks.call("on_train_end", logs)


def run_evaluate(model: Any, data: Any, callbacks: Any) -> dict[str, float]:
    """Mean loss and metrics over ``data`` (weighted by batch size)."""
    callbacks.call("on_test_begin", {})
    tracker = EpochLogs(model)
    for step, (xb, yb) in enumerate(data.epoch()):
        if yb is None:
            raise ValueError("evaluate: the data yields inputs without targets; yield (x, y) or pass y=")
        callbacks.call("on_test_batch_begin", step, {})
        tracker.update(eval_step(model, xb, yb), len(xb))
        callbacks.call("on_test_batch_end", step, tracker.result())
    if tracker.count == 0:
        raise ValueError("evaluate: the data produced no batches")
    logs = tracker.result()
    callbacks.call("on_test_end", logs)
    return logs


def run_predict(model: Any, data: Any, callbacks: Any) -> np.ndarray:
    """Model outputs for every batch, concatenated along the batch axis."""
    callbacks.call("on_predict_begin", {})
    outputs = []
    for step, (xb, _) in enumerate(data.epoch()):
        callbacks.call("on_predict_batch_begin", step, {})
        model._prepare(xb.shape, bind=False)
        if model.training:
            model.eval()
        with no_grad():
            outputs.append(np.array(model(inputs_to_tensor(xb)).data))
        callbacks.call("on_predict_batch_end", step, {})
    callbacks.call("on_predict_end", {})
    if not outputs:
        raise ValueError("predict: the data produced no batches")
    return np.concatenate(outputs, axis=0)
