"""Grad mode: whether operations record a graph, switched by ``no_grad`` and ``enable_grad``.

The mode is thread-local, as in PyTorch: one thread's ``no_grad`` never leaks into another.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any


class _GradMode(threading.local):
    enabled = True  # thread-local, as in PyTorch: one thread's no_grad never leaks into another


_mode = _GradMode()


def is_grad_enabled() -> bool:
    """True when operations record a graph (the default); False inside ``no_grad()``."""
    return _mode.enabled


class _SetGradMode:
    """Context manager and decorator that sets grad mode and restores the previous one."""

    _value = True

    def __enter__(self) -> None:
        self._previous = _mode.enabled
        _mode.enabled = self._value

    def __exit__(self, *exc: object) -> None:
        _mode.enabled = self._previous

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_SetGradMode):
    """Record nothing inside: results are plain leaves with no parents.

    Example:
        >>> from autograd import Value, no_grad
        >>> with no_grad():
        ...     y = Value(2.0) * 3
        >>> y.parents
        ()
    """

    _value = False


class enable_grad(_SetGradMode):
    """Turn recording back on inside a ``no_grad`` block."""

    _value = True
