"""``EarlyStopping``: stop training when a monitored quantity stops improving."""

from __future__ import annotations

import numpy as np

from .callback import Logs
from .monitor import Monitor


class EarlyStopping(Monitor):
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
