"""``pad_sequences``: a list of sequences of different lengths -> one rectangular array (Keras's function)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

SIDES = ("pre", "post")


def pad_sequences(sequences: Sequence[Any], maxlen: int | None = None, dtype: Any = "int32",
                  padding: str = "pre", truncating: str = "pre", value: Any = 0.0) -> np.ndarray:
    """Pad (or cut) every sequence to ``maxlen`` steps and stack them: ``(len(sequences), maxlen, ...)``.

    As in Keras: ``maxlen`` defaults to the longest sequence; ``padding`` says on which side the
    ``value`` steps go ("pre": before, so the real steps end each row; "post": after), ``truncating``
    from which side a longer sequence loses steps. Each step may itself be an array (all of one
    shape). With ``Embedding(mask_zero=True)`` keep ``value=0`` and count the ids from 1.

    Args:
        sequences: a list of sequences (lists or arrays); empty ones become all padding.
        maxlen: the length of every row (a non-negative int), or None for the longest.
        dtype: the output's dtype (default "int32", Keras's).
        padding, truncating: "pre" or "post".
        value: the padding value.

    Example:
        >>> from nn.utils import pad_sequences
        >>> pad_sequences([[1, 2, 3], [4], [5, 6]]).tolist()
        [[1, 2, 3], [0, 0, 4], [0, 5, 6]]
        >>> pad_sequences([[1, 2, 3], [4]], maxlen=2, padding="post", truncating="post").tolist()
        [[1, 2], [4, 0]]
    """
    where = "pad_sequences"
    for arg, side in (("padding", padding), ("truncating", truncating)):
        if side not in SIDES:
            raise ValueError(f"{where}: {arg} must be 'pre' or 'post', received {arg}={side!r}")
    if isinstance(sequences, (str, bytes)) or not hasattr(sequences, "__len__"):
        raise ValueError(f"{where}: sequences must be a list of sequences, "
                         f"received {type(sequences).__name__}")
    rows = []
    for i, seq in enumerate(sequences):
        if isinstance(seq, (str, bytes)) or not hasattr(seq, "__len__"):
            raise ValueError(f"{where}: sequences must be a list of sequences; sequences[{i}] is "
                             f"{type(seq).__name__} {seq!r}")
        rows.append(np.asarray(seq))
    if maxlen is not None and (isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer))
                               or maxlen < 0):
        raise ValueError(f"{where}: maxlen must be a non-negative integer or None, "
                         f"received maxlen={maxlen!r}")
    length = max((len(r) for r in rows), default=0) if maxlen is None else int(maxlen)
    step_shapes = {r.shape[1:] for r in rows if len(r)}
    if len(step_shapes) > 1:
        raise ValueError(f"{where}: every step must have the same shape, received steps of shapes "
                         f"{sorted(step_shapes)}")
    step_shape = step_shapes.pop() if step_shapes else ()
    out = np.full((len(rows), length, *step_shape), value, dtype=dtype)
    for i, row in enumerate(rows):
        kept = row[max(len(row) - length, 0):] if truncating == "pre" else row[:length]
        if length == 0 or not len(kept):
            continue
        if padding == "post":
            out[i, :len(kept)] = kept
        else:
            out[i, length - len(kept):] = kept
    return out
