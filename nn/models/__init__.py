"""Models with Keras's training API: ``Model`` (the base, and ``Model(inputs, outputs)``),
``Sequential``, and ``load_model``.

- ``model.py``: ``Model`` — ``compile``, ``fit``, ``evaluate``, ``predict``, ``summary``, ``save``, and the
  overridable ``train_step``/``test_step``/``predict_step``;
- ``sequential.py``: ``Sequential(Model)``, a stack of layers;
- ``functional.py``: ``Functional(Model)``, what ``Model(inputs, outputs)`` makes;
- ``compile_utils.py``: the compiled loss and metrics; ``data.py``: inputs to batches;
  ``summary.py``: the summary table.
"""

from __future__ import annotations

import os
from typing import Any

from .functional import Functional
from .model import Model
from .sequential import Sequential

__all__ = ["Functional", "Model", "Sequential", "load_model"]


def load_model(filepath: str | os.PathLike, custom_objects: dict[str, Any] | None = None,
               compile: bool = True) -> Model:
    """Rebuild a model saved with ``model.save(path)``: layers, weights, compile settings, optimizer state.

    The file is read without pickle; layers are rebuilt only from ``nn.layers`` classes and
    ``custom_objects``.

    Example:
        >>> model = load_model("model.npz")            # doctest: +SKIP
    """
    from .. import saving

    return saving.load_model(filepath, custom_objects=custom_objects, compile=compile)
