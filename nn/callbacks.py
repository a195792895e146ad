"""Keras-style callbacks: hooks that ``fit`` calls at the start and end of training, epochs and batches.

``fit`` calls, in order: ``on_train_begin``, then per epoch ``on_epoch_begin(epoch)``, per batch
``on_train_batch_begin/end(batch, logs)``, validation (``on_test_*``), ``on_epoch_end(epoch, logs)``
with ``logs`` holding ``loss``, the metrics and their ``val_`` twins; finally ``on_train_end``.
Setting ``model.stop_training = True`` in any hook ends training after the current epoch.

Example:
    >>> import numpy as np, nn
    >>> model = nn.models.Sequential([nn.layers.Dense(1, input_shape=(2,))])
    >>> model.compile("sgd", "mse")
    >>> stop = nn.callbacks.EarlyStopping(monitor="loss", patience=1)
    >>> history = model.fit(np.ones((8, 2)), np.ones(8), epochs=3, verbose=0, callbacks=[stop])
    >>> len(history.epoch) <= 3
    True
"""

from __future__ import annotations

import csv
import inspect
import os
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

Logs = dict[str, float]


class Callback:
    """Base class: override the hooks you need; ``self.model`` and ``self.params`` are set by ``fit``.

    ``on_batch_begin``/``on_batch_end`` are the older Keras names of the training-batch hooks: by
    default ``on_train_batch_begin/end`` call them.
    """

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def on_train_begin(self, logs: Logs | None = None) -> None: ...
    def on_train_end(self, logs: Logs | None = None) -> None: ...
    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None: ...
    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None: ...
    def on_batch_begin(self, batch: int, logs: Logs | None = None) -> None: ...
    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None: ...

    def on_train_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        self.on_batch_end(batch, logs)

    def on_test_begin(self, logs: Logs | None = None) -> None: ...
    def on_test_end(self, logs: Logs | None = None) -> None: ...
    def on_test_batch_begin(self, batch: int, logs: Logs | None = None) -> None: ...
    def on_test_batch_end(self, batch: int, logs: Logs | None = None) -> None: ...
    def on_predict_begin(self, logs: Logs | None = None) -> None: ...
    def on_predict_end(self, logs: Logs | None = None) -> None: ...
    def on_predict_batch_begin(self, batch: int, logs: Logs | None = None) -> None: ...
    def on_predict_batch_end(self, batch: int, logs: Logs | None = None) -> None: ...


class CallbackList:
    """Calls a hook on every callback in order (what ``fit``/``evaluate``/``predict`` talk to)."""

    def __init__(self, callbacks: Iterable[Callback] | None, model: Any, params: dict[str, Any]) -> None:
        self.callbacks = list(callbacks or [])
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(
                    f"callbacks: expected nn.callbacks.Callback instances, received {cb!r} "
                    f"of type {type(cb).__name__}"
                )
            cb.set_model(model)
            cb.set_params(params)

    def call(self, hook: str, *args: Any) -> None:
        for cb in self.callbacks:
            getattr(cb, hook)(*args)


class History(Callback):
    """Records ``logs`` at every epoch end: ``history.history["val_loss"][i]``, ``history.epoch``.

    ``fit`` adds one automatically and returns it (also kept as ``model.history``).
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        self.model.history = self


class _Monitor(Callback):
    """Shared by EarlyStopping and ModelCheckpoint: which logged quantity, and which way is better."""

    def __init__(self, monitor: str, mode: str, min_delta: float = 0.0) -> None:
        super().__init__()
        if mode not in ("auto", "min", "max"):
            raise ValueError(
                f"{type(self).__name__}: mode must be 'auto', 'min' or 'max', received mode={mode!r}"
            )
        self.monitor = monitor
        if mode == "auto":  # accuracies and AUCs grow; losses and errors shrink (Keras' rule)
            name = monitor.removeprefix("val_")
            mode = "max" if ("acc" in name or name.startswith(("auc", "fmeasure"))) else "min"
        self.mode = mode
        self.min_delta = abs(float(min_delta))

    def _better(self, current: float, reference: float | None) -> bool:
        """True when ``current`` beats ``reference`` by more than ``min_delta``."""
        if reference is None:
            return True
        if self.mode == "min":
            return current + self.min_delta < reference
        return current - self.min_delta > reference

    def _current(self, logs: Logs | None) -> float | None:
        value = (logs or {}).get(self.monitor)
        if value is None:
            warnings.warn(
                f"{type(self).__name__}: the monitored quantity `{self.monitor}` is not in the logs; "
                f"available: {', '.join(sorted(logs or {}))} (pass validation data for val_ quantities)",
                stacklevel=3,
            )
        return value


class EarlyStopping(_Monitor):
    """Stop training when ``monitor`` has not improved for ``patience`` epochs.

    Improvement means beating the best value so far by more than ``min_delta``. With
    ``restore_best_weights=True`` the weights of the best epoch are put back when training ends
    (as Keras 3 does, also when patience never ran out).

    Example:
        >>> stop = EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)

    Args:
        monitor: key in the epoch logs, e.g. ``"val_loss"`` or ``"val_accuracy"``.
        min_delta: smallest change that counts as an improvement.
        patience: epochs without improvement after which training stops.
        verbose: 1 prints a message when stopping and restoring.
        mode: ``"min"``, ``"max"``, or ``"auto"`` (max for accuracies, min otherwise).
        baseline: training also stops if ``monitor`` does not beat this value within ``patience`` epochs.
        restore_best_weights: put back the weights of the best epoch at the end.
        start_from_epoch: epochs of warm-up before improvements are looked for.
    """

    def __init__(
        self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0, verbose: int = 0,
        mode: str = "auto", baseline: float | None = None, restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__(monitor, mode, min_delta)
        if patience < 0:
            raise ValueError(f"EarlyStopping: patience must be >= 0, received patience={patience}")
        self.patience = int(patience)
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best: float | None = None
        self.best_epoch = 0
        self.best_weights: dict[str, np.ndarray] | None = None

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        current = self._current(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.state_dict()  # so there is always something to restore
        self.wait += 1
        if self._better(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.state_dict()
            if self.baseline is None or self._better(current, self.baseline):
                self.wait = 0  # reset only when beating both the best and the baseline
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.load_state_dict(self.best_weights)


class ModelCheckpoint(_Monitor):
    """Save the model (or only its weights) after every epoch, or only when ``monitor`` improves.

    ``filepath`` may hold format fields filled from ``epoch`` (1-based, as printed) and the logs:
    ``"ckpt-{epoch:02d}-{val_loss:.2f}.npz"``. Saves are atomic (see ``nn.saving``).

    Example:
        >>> ckpt = ModelCheckpoint("best.npz", monitor="val_accuracy", save_best_only=True)

    Args:
        filepath: where to save, with optional ``{epoch}``/``{<log key>}`` fields.
        monitor: key in the epoch logs compared when ``save_best_only``.
        verbose: 1 prints a line per save.
        save_best_only: save only when ``monitor`` beats the best so far.
        save_weights_only: ``model.save_weights`` instead of ``model.save``.
        mode: ``"min"``, ``"max"`` or ``"auto"``.
        initial_value_threshold: a first save needs to beat this value.
    """

    def __init__(
        self, filepath: str | os.PathLike, monitor: str = "val_loss", verbose: int = 0,
        save_best_only: bool = False, save_weights_only: bool = False, mode: str = "auto",
        initial_value_threshold: float | None = None,
    ) -> None:
        super().__init__(monitor, mode)
        self.filepath = os.fspath(filepath)
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.best = initial_value_threshold

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        try:
            path = self.filepath.format(epoch=epoch + 1, **logs)
        except KeyError as e:
            raise KeyError(
                f"ModelCheckpoint: filepath {self.filepath!r} names {e} which is not in the logs "
                f"(available: epoch, {', '.join(sorted(logs))})"
            ) from None
        if self.save_best_only:
            current = self._current(logs)
            if current is None or not self._better(current, self.best):
                if self.verbose > 0 and current is not None:
                    print(f"Epoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")
                return
            if self.verbose > 0:
                before = "inf" if self.best is None else f"{self.best:.5f}"
                print(f"Epoch {epoch + 1}: {self.monitor} improved from {before} to {current:.5f}, "
                      f"saving to {path}")
            self.best = current
        elif self.verbose > 0:
            print(f"Epoch {epoch + 1}: saving model to {path}")
        (self.model.save_weights if self.save_weights_only else self.model.save)(path)


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate at each epoch start to ``schedule(epoch, lr)``.

    The rate used is logged as ``learning_rate``.

    Example:
        >>> halve = LearningRateScheduler(lambda epoch, lr: lr if epoch < 2 else lr * 0.5)

    Args:
        schedule: ``(epoch index from 0, current rate) -> new rate`` (a one-argument
            ``schedule(epoch)`` also works).
        verbose: 1 prints the rate set at each epoch.
    """

    def __init__(self, schedule: Callable[..., float], verbose: int = 0) -> None:
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler: schedule must be callable, received {schedule!r}")
        self.schedule = schedule
        self.verbose = verbose
        self._two_args = _accepts_two(schedule)

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        optimizer = self.model.optimizer
        lr = get_learning_rate(optimizer)
        new = self.schedule(epoch, lr) if self._two_args else self.schedule(epoch)
        if not isinstance(new, (int, float, np.floating, np.integer)) or not np.isfinite(new):
            raise ValueError(
                f"LearningRateScheduler: the schedule must return a finite number, received {new!r} "
                f"at epoch {epoch}"
            )
        set_learning_rate(optimizer, float(new))
        if self.verbose > 0:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {float(new)}.")

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = get_learning_rate(self.model.optimizer)


def _accepts_two(fn: Callable) -> bool:
    try:
        inspect.signature(fn).bind(0, 0.1)
        return True
    except TypeError:
        return False
    except ValueError:  # builtins without a signature: assume Keras' two-argument form
        return True


def get_learning_rate(optimizer: Any) -> float:
    """The optimizer's current learning rate (``learning_rate`` or ``lr`` attribute)."""
    for attr in ("learning_rate", "lr"):
        if hasattr(optimizer, attr):
            return float(getattr(optimizer, attr))
    raise TypeError(f"{type(optimizer).__name__} has no learning_rate or lr attribute")


def set_learning_rate(optimizer: Any, value: float) -> None:
    """Set the optimizer's learning rate (every spelling it has)."""
    found = False
    for attr in ("learning_rate", "lr"):
        if hasattr(optimizer, attr):
            setattr(optimizer, attr, value)
            found = True
    if not found:
        raise TypeError(f"{type(optimizer).__name__} has no learning_rate or lr attribute")


class CSVLogger(Callback):
    """Write one CSV row per epoch: ``epoch`` then the log keys in sorted order.

    Example:
        >>> logger = CSVLogger("training.csv", separator=",", append=False)

    Args:
        filename: the CSV file.
        separator: the field separator.
        append: add to an existing file (its header is kept) instead of overwriting it.
    """

    def __init__(self, filename: str | os.PathLike, separator: str = ",", append: bool = False) -> None:
        super().__init__()
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self._file: Any = None
        self._writer: Any = None
        self.keys: list[str] | None = None

    def on_train_begin(self, logs: Logs | None = None) -> None:
        has_rows = self.append and os.path.isfile(self.filename) and os.path.getsize(self.filename) > 0
        self._header_needed = not has_rows
        self._file = open(self.filename, "a" if self.append else "w", newline="", encoding="utf-8")
        self._writer = None
        self.keys = None

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            self._writer = csv.DictWriter(self._file, fieldnames=["epoch", *self.keys], delimiter=self.sep)
            if self._header_needed:
                self._writer.writeheader()
        row = {"epoch": epoch, **{k: logs.get(k, "NA") for k in self.keys}}
        self._writer.writerow(row)
        self._file.flush()

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class LambdaCallback(Callback):
    """A callback from plain functions, e.g. ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``.

    Args:
        on_epoch_begin, on_epoch_end: ``f(epoch, logs)``.
        on_train_begin, on_train_end: ``f(logs)``.
        on_batch_begin, on_batch_end, on_train_batch_begin, on_train_batch_end: ``f(batch, logs)``.
        **kwargs: any other hook by name (``on_test_end=...``).
    """

    def __init__(self, **hooks: Callable[..., Any] | None) -> None:
        super().__init__()
        for name, fn in hooks.items():
            if not (name.startswith("on_") and callable(getattr(Callback, name, None))):
                raise TypeError(f"LambdaCallback: unknown hook {name!r}")
            if fn is not None:
                setattr(self, name, fn)
