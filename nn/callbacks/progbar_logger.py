"""``ProgbarLogger``: Keras-like progress output for ``fit``/``evaluate``/``predict``.

- ``verbose=0``: silent.
- ``verbose=1``: in a terminal or a notebook, a progress bar per epoch (tqdm when installed, else a
  ``\\r``-updated line), then the epoch's loss, metrics and validation numbers; when the output is a
  file or a pipe (``stepgrad train > log.txt``), no bar: one line per epoch, as Keras does.
- ``verbose=2``: one line per epoch:
  ``Epoch 1/5 - 3s - loss: 0.4123 - accuracy: 0.8750 - val_loss: 0.3012 - val_accuracy: 0.9000``.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from .callback import Callback, Logs


def format_value(value: float) -> str:
    """Keras' number format: 4 decimals, or scientific notation for tiny values."""
    return f"{value:.4f}" if abs(value) >= 1e-3 or value == 0 else f"{value:.4e}"


def format_logs(logs: Logs, skip: tuple[str, ...] = ("learning_rate",)) -> str:
    """``"loss: 0.1234 - accuracy: 0.9500"`` from a logs dict."""
    return " - ".join(f"{k}: {format_value(v)}" for k, v in logs.items() if k not in skip)


def format_seconds(seconds: float) -> str:
    return f"{seconds:.0f}s" if seconds >= 1 else f"{seconds * 1000:.0f}ms"


def is_interactive(stream: Any) -> bool:
    """True for a terminal, or for stdout inside a Jupyter kernel: where a redrawn bar reads well."""
    if stream is sys.stdout and "ipykernel" in sys.modules:
        return True
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # a closed stream
        return False


def progress_for(verbose: int | str) -> tuple[int, list]:
    """``(verbose as 0/1/2, [ProgbarLogger] or [])``; ``"auto"`` means 1, as in Keras."""
    level = 1 if verbose == "auto" else verbose
    if isinstance(level, bool) or level not in (0, 1, 2):
        raise ValueError(f"verbose must be 0, 1, 2 or 'auto', received verbose={verbose!r}")
    return level, [ProgbarLogger(level)] if level else []


class _Bar:
    """One progress bar: tqdm's when available, else a plain line rewritten with ``\\r``."""

    def __init__(self, total: int | None, desc: str, file: Any) -> None:
        self.total, self.desc, self.file, self.n = total, desc, file, 0
        self.start = time.perf_counter()
        try:
            from tqdm import tqdm
        except ImportError:
            self.tqdm = None
        else:
            self.tqdm = tqdm(total=total, desc=desc, file=file, unit="step", leave=True, dynamic_ncols=True)

    def update(self, logs: Logs) -> None:
        self.n += 1
        if self.tqdm is not None:
            self.tqdm.set_postfix_str(format_logs(logs), refresh=False)
            self.tqdm.update(1)
            return
        total = "?" if self.total is None else self.total
        self.file.write(f"\r{self.desc} {self.n}/{total} - {format_logs(logs)}")
        self.file.flush()

    def close(self, logs: Logs) -> str:
        """Finish the bar; returns the elapsed-time text."""
        elapsed = time.perf_counter() - self.start
        per_step = format_seconds(elapsed / max(self.n, 1))
        text = f"{format_seconds(elapsed)} {per_step}/step"
        if self.tqdm is not None:
            self.tqdm.set_postfix_str(format_logs(logs), refresh=True)
            self.tqdm.close()
        else:
            self.file.write("\r" + " " * 10 + "\r")
        return text


class ProgbarLogger(Callback):
    """Prints progress; ``fit``/``evaluate``/``predict`` add it when ``verbose`` is 1 or 2.

    Args:
        verbose: 1 for a progress bar, 2 for one line per epoch.
        file: where to write (stdout, as Keras).
    """

    def __init__(self, verbose: int = 1, file: Any = None) -> None:
        super().__init__()
        if verbose not in (0, 1, 2):
            raise ValueError(f"verbose must be 0, 1 or 2, received verbose={verbose!r}")
        self.verbose = verbose
        self.file = file
        self._bar: _Bar | None = None
        self._in_fit = False

    @property
    def _out(self) -> Any:
        return self.file if self.file is not None else sys.stdout

    def _print(self, text: str) -> None:
        self._out.write(text + "\n")
        self._out.flush()

    def _open(self, desc: str) -> None:
        if self.verbose == 1 and is_interactive(self._out):
            self._bar = _Bar(self.params.get("steps"), desc, self._out)

    def _step(self, logs: Logs | None) -> None:
        if self._bar is not None:
            self._bar.update(logs or {})

    # --- fit -------------------------------------------------------------------------------------
    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._in_fit = True

    def on_train_end(self, logs: Logs | None = None) -> None:
        self._in_fit = False

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self._epoch_start = time.perf_counter()
        self._open(f"Epoch {epoch + 1}/{self.params.get('epochs', '?')}")

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        self._step(logs)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        if self.verbose == 0:
            return
        if self._bar is not None:
            timing = self._bar.close(logs)
            self._bar = None
        else:
            timing = format_seconds(time.perf_counter() - self._epoch_start)
        self._print(f"Epoch {epoch + 1}/{self.params.get('epochs', '?')} - {timing} - {format_logs(logs)}")

    # --- evaluate / predict (on their own, not the validation inside fit) ---------------------
    def on_test_begin(self, logs: Logs | None = None) -> None:
        if not self._in_fit:
            self._start = time.perf_counter()
            self._open("Evaluate")

    def on_test_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        if not self._in_fit:
            self._step(logs)

    def on_test_end(self, logs: Logs | None = None) -> None:
        if self._in_fit:
            return
        logs = logs or {}
        if self._bar is not None:
            timing = self._bar.close(logs)
            self._bar = None
        else:
            timing = format_seconds(time.perf_counter() - self._start)
        self._print(f"{timing} - {format_logs(logs)}")

    def on_predict_begin(self, logs: Logs | None = None) -> None:
        self._start = time.perf_counter()
        self._open("Predict")

    def on_predict_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        self._step({})

    def on_predict_end(self, logs: Logs | None = None) -> None:
        if self._bar is not None:
            timing = self._bar.close({})
            self._bar = None
        else:
            timing = format_seconds(time.perf_counter() - self._start)
        self._print(timing)
