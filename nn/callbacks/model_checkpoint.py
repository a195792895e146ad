"""``ModelCheckpoint``: save the model or its weights during training."""

from __future__ import annotations

import os
from typing import Any

from .callback import Logs
from .monitor import Monitor


class ModelCheckpoint(Monitor):
    """Save the model (or only its weights) after every epoch (or every ``save_freq`` batches), or only
    when ``monitor`` improves.

    ``filepath`` may hold format fields filled from ``epoch`` (1-based, as printed), ``batch`` and the
    logs: ``"ckpt-{epoch:02d}-{val_loss:.2f}.npz"``. Saves are atomic (see ``nn.saving``). A NaN never
    counts as an improvement, so a diverged run cannot replace the best file.

    Example:
        >>> ckpt = ModelCheckpoint("best.npz", monitor="val_accuracy", save_best_only=True)

    Args:
        filepath: where to save, with optional ``{epoch}``/``{batch}``/``{<log key>}`` fields.
        monitor: key in the logs compared when ``save_best_only``.
        verbose: 1 prints a line per save.
        save_best_only: save only when ``monitor`` beats the best so far.
        save_weights_only: ``model.save_weights`` instead of ``model.save``.
        mode: ``"min"``, ``"max"`` or ``"auto"``.
        save_freq: ``"epoch"`` (default) or an integer: save after every this many training batches
            (counted across epochs, as Keras does), judged on the running logs of that batch.
        initial_value_threshold: a first save needs to beat this value.
    """

    def __init__(
        self,
        filepath: str | os.PathLike,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: str | int = "epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
        super().__init__(monitor, mode)
        if save_freq != "epoch" and (
            isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 1
        ):
            raise ValueError(
                f"ModelCheckpoint: save_freq must be 'epoch' or a positive integer, "
                f"received save_freq={save_freq!r}"
            )
        self.filepath = os.fspath(filepath)
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self.best = initial_value_threshold
        self._batches_seen = 0
        self._epoch = 0

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self._epoch = epoch

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        if self.save_freq == "epoch":
            return
        self._batches_seen += 1
        if self._batches_seen % self.save_freq == 0:
            self._save(self._epoch, batch, logs or {}, f"batch {batch + 1} of epoch {self._epoch + 1}")

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if self.save_freq == "epoch":
            self._save(epoch, None, logs or {}, f"Epoch {epoch + 1}")

    def _save(self, epoch: int, batch: int | None, logs: Logs, when: str) -> None:
        try:
            path = self.filepath.format(epoch=epoch + 1, batch=None if batch is None else batch + 1, **logs)
        except KeyError as e:
            raise KeyError(
                f"ModelCheckpoint: filepath {self.filepath!r} names {e} which is not in the logs "
                f"(available: epoch, batch, {', '.join(sorted(logs))})"
            ) from None
        if self.save_best_only:
            current = self._current(logs)
            if current is None or not self._better(current, self.best):
                if self.verbose > 0 and current is not None:
                    print(f"{when}: {self.monitor} did not improve from {_show(self.best)}")
                return
            if self.verbose > 0:
                print(
                    f"{when}: {self.monitor} improved from {_show(self.best)} to {current:.5f}, "
                    f"saving to {path}"
                )
            self.best = current
        elif self.verbose > 0:
            print(f"{when}: saving model to {path}")
        (self.model.save_weights if self.save_weights_only else self.model.save)(path)


def _show(best: Any) -> str:
    return "inf" if best is None else f"{best:.5f}"
