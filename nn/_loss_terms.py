"""Per-element loss terms for ``nn.losses``, written once for Values, Tensors and floats alike.

Each term maps a target ``t`` and a prediction ``p`` (or logit ``z``) to that element's loss with
operators and methods that all three understand, so one formula serves the scalar and array engines.
"""

from __future__ import annotations

import math
from typing import Any

from autograd.graph import Node
from autograd.tensor import Tensor
from autograd.value import Value

EPSILON = 1e-7  # Keras's backend epsilon: probabilities are clipped to [EPSILON, 1 - EPSILON]


# --- node-generic helpers: the same code runs on Values, Tensors and floats ---------------------
def _log(x: Any) -> Any:
    return x.log() if isinstance(x, Node) else math.log(x)


def _clip(x: Any, lo: float, hi: float) -> Any:
    """min(max(x, lo), hi); outside the range the result is a constant (no gradient), as Keras's clip."""
    if isinstance(x, Tensor):
        return x.clip(lo, hi)
    value = x.data if isinstance(x, Value) else x
    return x if lo <= value <= hi else (lo if value < lo else hi)


def _squared(t: Any, p: Any) -> Any:
    d = p - t
    return d * d


def _absolute(t: Any, p: Any) -> Any:
    return (p - t).abs()


def _hinge(t: Any, p: Any) -> Any:
    return (1.0 - t * p).relu()


def _squared_hinge(t: Any, p: Any) -> Any:
    h = (1.0 - t * p).relu()
    return h * h


def _binary_ce(t: Any, p: Any) -> Any:
    p = _clip(p, EPSILON, 1.0 - EPSILON)
    return -(t * _log(p) + (1.0 - t) * _log(1.0 - p))


def _binary_ce_logits(t: Any, z: Any) -> Any:
    """max(z, 0) - z t + log(1 + e**-|z|): equals the cross-entropy of sigmoid(z), never overflows."""
    return z.relu() - z * t + ((-z.abs()).exp() + 1.0).log()
