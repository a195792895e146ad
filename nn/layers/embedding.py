"""``Embedding``: integer token ids -> rows of a trainable table (Keras's layer and weight layout)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from ._sequence import as_array, attach_mask
from .base import Layer, Shape


class Embedding(Layer):
    """Look up a vector per token id: ``y[..., :] = embeddings[ids[...], :]``.

    The table ``embeddings`` has shape ``(input_dim, output_dim)`` and starts ``U(-0.05, 0.05)``
    (Keras's "uniform"). Its gradient scatter-adds: a row gets the sum of the gradients of every
    position that used it. With ``mask_zero=True``, id 0 means padding: the output carries a
    ``(batch, timesteps)`` mask (``ids != 0``) that the recurrent layers and
    ``GlobalAveragePooling1D`` after it honour, whatever model holds them.

    Args:
        input_dim: vocabulary size; ids must be in ``[0, input_dim)``.
        output_dim: length of each vector.
        embeddings_initializer: initializer name or callable ``init(shape)``.
        mask_zero: treat id 0 as padding (so ``input_dim`` should count it).
        input_shape: shape of one sample, e.g. ``(timesteps,)``; builds the table at once.
        name: layer name (default ``embedding``, ``embedding_1``, ...).

    Example:
        >>> from nn.layers import Embedding
        >>> layer = Embedding(10, 3, mask_zero=True)
        >>> y = layer([[4, 2, 0, 0]])
        >>> y.shape, layer.compute_mask([[4, 2, 0, 0]]).tolist()
        ((1, 4, 3), [[True, True, False, False]])
    """

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer: Any = "uniform",
                 mask_zero: bool = False, input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
                raise ValueError(f"{self._where}: {arg} must be a positive integer, received {arg}={value!r}")
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer = embeddings_initializer
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.embeddings: Tensor | None = None
        self._build_if_declared()

    def build(self, input_shape: Shape) -> None:
        self.embeddings = self.add_weight("embeddings", (self.input_dim, self.output_dim),
                                          self.embeddings_initializer)
        super().build(input_shape)

    def _has_weights_when_built(self) -> bool:
        return True

    def token_ids(self, inputs: Any) -> np.ndarray:
        """``inputs`` as an int64 array, checked: whole numbers in ``[0, input_dim)``, not ragged."""
        ids = as_array(inputs, self._where)
        if ids.dtype.kind not in "biuf":
            raise TypeError(f"{self._where}: expected integer token ids, "
                            f"received an array of dtype {ids.dtype}")
        if ids.dtype.kind == "f":  # Keras casts; we refuse fractions instead of truncating them silently
            if not np.all(np.isfinite(ids)) or np.any(ids != np.round(ids)):
                bad = ids[~(np.isfinite(ids) & (ids == np.round(ids)))].ravel()[0]
                raise ValueError(f"{self._where}: token ids must be whole numbers, received {float(bad)}")
        ids = ids.astype(np.int64, copy=False)
        if ids.size and (ids.min() < 0 or ids.max() >= self.input_dim):
            bad = ids.max() if ids.max() >= self.input_dim else ids.min()
            position = tuple(int(i) for i in np.argwhere(ids == bad)[0])
            raise ValueError(
                f"{self._where}: token id {int(bad)} at index {position} is out of range for input_dim="
                f"{self.input_dim} (ids must be in [0, {self.input_dim})); input shape {ids.shape}"
            )
        return ids

    def __call__(self, inputs: Any, training: bool | None = None) -> Tensor:
        """Check the ids, build once, then ``forward``; attaches the padding mask when ``mask_zero``."""
        ids = self.token_ids(inputs)
        self.maybe_build(ids.shape)
        return self.forward(ids)

    def forward(self, ids: np.ndarray) -> Tensor:
        """``embeddings[ids]`` (a gather; its gradient scatter-adds into the table)."""
        out = self.embeddings[ids]
        return attach_mask(out, ids != 0) if self.mask_zero else out

    def compute_mask(self, inputs: Any, mask: Any = None) -> np.ndarray | None:
        """``ids != 0`` when ``mask_zero``, else None (Keras's ``compute_mask``)."""
        return self.token_ids(inputs) != 0 if self.mask_zero else None

    def compute_output_shape(self, input_shape: Shape) -> tuple:
        return (*input_shape, self.output_dim)

    def extra_repr(self) -> str:
        return f"input_dim={self.input_dim}, output_dim={self.output_dim}, mask_zero={self.mask_zero}"
