"""``CSVLogger``: one CSV row of logs per epoch."""

from __future__ import annotations

import csv
import os
from typing import Any

from .callback import Callback, Logs


class CSVLogger(Callback):
    """Write one CSV row per epoch: ``epoch`` then the log keys in sorted order.

    With ``append=True`` rows are added to an existing file; when this run logs other keys than the
    file's header names (a metric added or removed), the file is rewritten once with the union of
    the columns (``NA`` where a row has no value), so every row sits under its own header.

    Example:
        >>> logger = CSVLogger("training.csv", separator=",", append=False)

    Args:
        filename: the CSV file.
        separator: the field separator.
        append: add to an existing file instead of overwriting it.
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
        self._writer = None
        self.keys = None

    def _open(self, keys: list[str]) -> None:
        """Open the file for this run's columns (rewriting an appended file whose header differs)."""
        columns = ["epoch", *keys]
        old_rows: list[dict[str, str]] = []
        old_columns: list[str] = []
        if self.append and os.path.isfile(self.filename) and os.path.getsize(self.filename) > 0:
            with open(self.filename, newline="", encoding="utf-8") as f:
                sep = _separator(f.readline(), self.sep)
                f.seek(0)
                reader = csv.DictReader(f, delimiter=sep)
                old_columns, old_rows = list(reader.fieldnames or []), list(reader)
        if old_columns == columns:  # same header: just add rows
            self._file = open(self.filename, "a", newline="", encoding="utf-8")
            self._writer = csv.DictWriter(self._file, fieldnames=columns, delimiter=self.sep)
            return
        union = old_columns + [c for c in columns if c not in old_columns]
        self._file = open(self.filename, "w", newline="", encoding="utf-8")
        self._writer = csv.DictWriter(self._file, fieldnames=union, delimiter=self.sep, restval="NA")
        self._writer.writeheader()
        self._writer.writerows(old_rows)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            self._open(self.keys)
        self._writer.writerow({"epoch": epoch, **{k: logs.get(k, "NA") for k in self.keys}})
        self._file.flush()

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _separator(header: str, preferred: str) -> str:
    """The separator an existing file uses (its header line tells), so its columns can be compared."""
    try:
        return csv.Sniffer().sniff(header, delimiters=preferred + ",;\t|").delimiter
    except csv.Error:
        return preferred
