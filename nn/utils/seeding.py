"""Seeding with Keras's name: ``set_random_seed``; ``fresh_rng`` gives every random layer its own generator.

Where no seed is given, stepgrad's random choices (initial weights, dropout masks, data shuffles)
draw their seed from numpy's global generator, so one call makes a whole run repeatable.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np


def set_random_seed(seed: int) -> None:
    """Seed Python's ``random`` and numpy's global generator, as ``keras.utils.set_random_seed`` does.

    Layers built afterwards without their own seed get the same initial weights and dropout masks,
    ``fit`` shuffles the same way, and ``nn.MLP`` (which uses Python's ``random``, like micrograd)
    starts from the same weights.

    Example:
        >>> import nn
        >>> nn.utils.set_random_seed(0); a = nn.layers.Dense(3, input_shape=(2,)).kernel.data
        >>> nn.utils.set_random_seed(0); b = nn.layers.Dense(3, input_shape=(2,)).kernel.data
        >>> bool((a == b).all())
        True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"set_random_seed: seed must be a non-negative integer, received seed={seed!r}")
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)


def fresh_rng(seed: int | None = None) -> np.random.Generator:
    """``default_rng(seed)``; without a seed, one seeded from numpy's global generator (repeatable
    after ``set_random_seed``) rather than from OS entropy."""
    if seed is None:
        seed = int(np.random.randint(0, 2**63 - 1, dtype=np.int64))
    return np.random.default_rng(seed)


def plot_model(model: Any, *args: Any, **kwargs: Any) -> Any:
    """Keras's ``keras.utils.plot_model``: a drawing of the layer graph (``nn.models.plot.plot_model``)."""
    from .models.plot import plot_model as draw  # imported here: nn.models itself imports nn.utils

    return draw(model, *args, **kwargs)
