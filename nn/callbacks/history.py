"""``History``: the per-epoch logs ``fit`` returns."""

from __future__ import annotations

from .callback import Callback, Logs


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
