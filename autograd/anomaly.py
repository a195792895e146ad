"""``detect_anomaly``: stop at the first op whose forward or backward makes NaN or inf.

While active, ``Tensor._apply`` checks every op's output and the backprop loop checks every
gradient a rule returns; the error names the op and the shapes involved. When inactive the cost
is one attribute read per op.
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable
from typing import Any

import numpy as np


class _AnomalyMode(threading.local):
    enabled = False  # thread-local, like grad mode


_anomaly = _AnomalyMode()


class detect_anomaly:
    """Context manager (and decorator): raise at the first op that produces NaN or inf.

    Example:
        >>> import autograd
        >>> x = autograd.Tensor([0.0, 1.0], requires_grad=True)
        >>> with autograd.detect_anomaly():
        ...     y = x.log()        # doctest: +IGNORE_EXCEPTION_DETAIL
        Traceback (most recent call last):
        RuntimeError: detect_anomaly: forward of 'log' produced inf ...
    """

    def __enter__(self) -> detect_anomaly:
        self._previous = _anomaly.enabled
        _anomaly.enabled = True
        return self

    def __exit__(self, *exc: object) -> None:
        _anomaly.enabled = self._previous

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with detect_anomaly():
                return fn(*args, **kwargs)

        return wrapper


def _bad(x: Any) -> str | None:
    """'NaN' or 'inf' when ``x`` (a float, an ndarray or a node) holds one, else None."""
    x = getattr(x, "data", x)
    if isinstance(x, float):
        return None if math.isfinite(x) else ("NaN" if math.isnan(x) else "inf")
    x = np.asarray(x)
    if x.dtype.kind not in "fc" or np.isfinite(x).all():
        return None
    return "NaN" if np.isnan(x).any() else "inf"


def _shape(x: Any) -> Any:
    return np.shape(getattr(x, "data", x))


def check_forward(op: Any, result: Any, raw: list) -> None:
    """Raise if an op's forward output holds NaN/inf."""
    bad = _bad(result)
    if bad:
        shapes = ", ".join(str(_shape(x)) for x in raw if isinstance(x, (np.ndarray, float, int)))
        raise RuntimeError(
            f"detect_anomaly: forward of '{op.name}' produced {bad} (output shape {_shape(result)}, "
            f"input shapes {shapes})"
        )


def check_backward(node: Any, input_grads: Any) -> None:
    """Raise if a backward rule returned a gradient holding NaN/inf."""
    for i, g in enumerate(input_grads):
        bad = None if g is None else _bad(g)
        if bad:
            raise RuntimeError(
                f"detect_anomaly: backward of '{node.op}' produced {bad} in the gradient of input {i} "
                f"(gradient shape {_shape(g)}, output shape {_shape(node.data)})"
            )
