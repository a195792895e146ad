"""Optimizers: SGD, Adam, AdamW, RMSprop (one file each) and ``schedules``, for Value and Tensor parameters.

Each update is written once, with arithmetic that works on Python floats (a Value's ``data`` and
``grad``) and on ndarrays (a Tensor's) alike; ``p.data -= step`` rebinds a float but updates an
ndarray in place, so layers that hold the arrays see the new weights. Slots (momentum, moments)
are floats for Values and arrays of the parameter's dtype (float32) for Tensors. The first argument
is the parameters (PyTorch: ``Adam(model.parameters(), lr=1e-3)``) or the learning rate (Keras:
``Adam(1e-3)``, then ``compile()`` binds the model's parameters).

Formulas follow Keras for Adam, AdamW and RMSprop, and PyTorch for SGD (see ``SGD``).

Example:
    >>> from autograd import Value
    >>> from nn.optimizers import SGD
    >>> w = Value(1.0)
    >>> opt = SGD([w], learning_rate=0.1)
    >>> (w * w).backward()          # dw = 2w = 2
    >>> opt.step(); w.data
    0.8
"""

from __future__ import annotations

from typing import Any

from .._registry import NOT_RESOLVED, resolve
from . import schedules as schedules
from .adam import Adam
from .adamw import AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "RMSprop", "Optimizer", "get", "schedules"]


_OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop}


def get(identifier: Any) -> Optimizer:
    """An optimizer from a name ("sgd", "adam", "adamw", "rmsprop"; any case), class, instance or config.

    A config is ``{"class_name": "Adam", "config": {...}}`` as built from ``get_config()``.

    Example:
        >>> get("adam").learning_rate
        0.001
    """
    optimizer = resolve(identifier, "optimizers", "optimizer", Optimizer, _OPTIMIZERS)
    if optimizer is not NOT_RESOLVED:
        return optimizer
    raise TypeError(
        f"optimizers.get: expected a name, an Optimizer class or instance, or a config dict; "
        f"received {type(identifier).__name__} {identifier!r}"
    )
