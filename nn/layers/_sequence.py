"""Plumbing shared by the sequence layers: padding masks that ride along with Tensors, and input checks.

Keras 3 attaches a padding mask to the tensor an ``Embedding(mask_zero=True)`` returns
(``tensor._keras_mask``), and layers that take ``mask=`` pick it up from their input, whatever model
holds them. stepgrad's ``Tensor`` has fixed slots, so the mask is kept here instead: a table from a
live Tensor to its boolean ``(batch, timesteps)`` mask, whose entry disappears with the Tensor.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from autograd import Tensor

_masks: dict[int, tuple[weakref.ref, np.ndarray]] = {}  # id(tensor) -> (weak ref to it, its mask)


def attach_mask(tensor: Tensor, mask: np.ndarray | None) -> Tensor:
    """Remember ``mask`` as ``tensor``'s padding mask (None forgets it); returns ``tensor``."""
    key = id(tensor)
    if mask is None:
        _masks.pop(key, None)
        return tensor

    def forget(_ref: weakref.ref, key: int = key) -> None:
        _masks.pop(key, None)  # the Tensor died: its id may be reused by another object

    _masks[key] = (weakref.ref(tensor, forget), np.asarray(mask, dtype=bool))
    return tensor


def mask_of(tensor: Any) -> np.ndarray | None:
    """The padding mask attached to ``tensor`` (by ``Embedding(mask_zero=True)``, say), or None."""
    entry = _masks.get(id(tensor))
    return entry[1] if entry is not None and entry[0]() is tensor else None


def check_mask(mask: Any, shape: tuple, where: str) -> np.ndarray | None:
    """``mask`` as a bool array of ``shape`` (batch, timesteps); None when absent or all True."""
    if mask is None:
        return None
    mask = np.asarray(getattr(mask, "data", mask))
    if mask.shape != tuple(shape):
        raise ValueError(f"{where}: mask must have shape (batch, timesteps) = {tuple(shape)}, "
                         f"received a mask of shape {mask.shape}")
    mask = mask.astype(bool, copy=False)
    return None if mask.all() else mask


def as_array(inputs: Any, where: str, dtype: Any = None) -> np.ndarray:
    """``inputs`` as an ndarray; a ragged nested list raises an error naming its lengths."""
    if isinstance(inputs, Tensor):
        return inputs.data
    try:
        return np.asarray(inputs, dtype=dtype)
    except ValueError:
        lengths = ragged_lengths(inputs)
        if lengths is None:
            raise
        shown = ", ".join(str(n) for n in lengths[:8]) + (", ..." if len(lengths) > 8 else "")
        raise ValueError(
            f"{where}: received a ragged list of {len(lengths)} sequences with lengths {shown}; pad them to "
            f"one length first, e.g. nn.utils.pad_sequences(sequences, padding='post')"
        ) from None


def ragged_lengths(inputs: Any) -> list[int] | None:
    """The lengths of a list of sequences when they differ, else None."""
    try:
        lengths = [len(item) for item in inputs]
    except TypeError:
        return None
    return lengths if len(set(lengths)) > 1 else None
