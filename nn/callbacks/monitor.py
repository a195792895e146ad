"""What EarlyStopping and ModelCheckpoint share: a logged quantity to watch and which way is better."""

from __future__ import annotations

import math
import warnings

from .callback import Callback, Logs


class Monitor(Callback):
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
        """True when ``current`` beats ``reference`` by more than ``min_delta``; NaN never does."""
        if math.isnan(current):
            return False
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
