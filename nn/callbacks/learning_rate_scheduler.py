"""``LearningRateScheduler``: set the optimizer's learning rate at each epoch start."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from .callback import Callback, Logs


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
