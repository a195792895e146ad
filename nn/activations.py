"""Activation functions by name, for Values, lists of Values and Tensors alike.

Each is composed from node methods that ``Value`` and ``Tensor`` both have (``relu``, ``exp``,
``abs``, ...), so gradients come from the engine and one definition serves both worlds. A list or
tuple of Values (what ``nn.Layer`` returns) is mapped element by element; ``softmax`` normalises
over the list. ``get(name)`` is what layers call with ``activation="relu"``.

Example:
    >>> from autograd import Value
    >>> from nn import activations
    >>> activations.get("relu")(Value(-2.0)).data
    0.0
    >>> [round(p.data, 3) for p in activations.softmax([Value(1.0), Value(1.0)])]
    [0.5, 0.5]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.graph import Node
from autograd.value import Value, vsum

from ._registry import lookup


def _node(x: Any) -> Any:
    """Numbers become Values and arrays float32 Tensors, so activations accept raw inputs too."""
    if isinstance(x, Node):
        return x
    if isinstance(x, np.ndarray):
        from autograd.tensor import Tensor

        return Tensor(x)
    return Value(x)


def _elementwise(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Apply ``fn`` to a node, or to each element of a list/tuple of Values."""

    def apply(x: Any) -> Any:
        if isinstance(x, (list, tuple)):
            return [fn(_node(v)) for v in x]
        return fn(_node(x))

    apply.__name__ = apply.__qualname__ = fn.__name__
    apply.__doc__ = fn.__doc__
    return apply


@_elementwise
def linear(x: Any) -> Any:
    """f(x) = x (no activation)."""
    return x


@_elementwise
def relu(x: Any) -> Any:
    """f(x) = max(0, x);  f'(x) = 1 if x > 0 else 0."""
    return x.relu()


@_elementwise
def sigmoid(x: Any) -> Any:
    """f(x) = 1 / (1 + e**-x);  f'(x) = f(x) (1 - f(x))."""
    return x.sigmoid()


@_elementwise
def tanh(x: Any) -> Any:
    """f(x) = tanh(x);  f'(x) = 1 - tanh(x)**2."""
    return x.tanh()


def leaky_relu(x: Any, negative_slope: float = 0.2) -> Any:
    """f(x) = x if x > 0 else negative_slope * x (Keras's default slope 0.2; PyTorch's is 0.01)."""
    return _elementwise(lambda v: v.leaky_relu(negative_slope))(x)


@_elementwise
def elu(x: Any) -> Any:
    """f(x) = x if x > 0 else e**x - 1, written relu(x) + e**(-relu(-x)) - 1 so no branch is needed."""
    return x.relu() + (-(-x).relu()).exp() - 1.0


@_elementwise
def softplus(x: Any) -> Any:
    """f(x) = log(1 + e**x), computed as relu(x) + log(1 + e**-|x|) so e**x never overflows."""
    return x.relu() + ((-abs(x)).exp() + 1.0).log()


@_elementwise
def silu(x: Any) -> Any:
    """f(x) = x * sigmoid(x) (also called swish)."""
    return x * x.sigmoid()


@_elementwise
def exponential(x: Any) -> Any:
    """f(x) = e**x."""
    return x.exp()


def softmax(x: Any, axis: int = -1) -> Any:
    """softmax(x)_i = e**(x_i - max x) / sum_j e**(x_j - max x), along ``axis`` (over the list for Values).

    Subtracting the max changes nothing mathematically and keeps e**x from overflowing.
    """
    if isinstance(x, (list, tuple)):
        values = [_node(v) for v in x]
        top = max(v.data for v in values)
        exps = [(v - top).exp() for v in values]
        total = vsum(exps)
        return [e / total for e in exps]
    x = _node(x)
    if isinstance(x, Value):
        return x * 0.0 + 1.0  # a one-element softmax is 1, with gradient 0
    return x.softmax(axis=axis)


_ACTIVATIONS: dict[str, Callable[..., Any]] = {
    "linear": linear, "relu": relu, "sigmoid": sigmoid, "tanh": tanh, "softmax": softmax,
    "leaky_relu": leaky_relu, "elu": elu, "softplus": softplus, "silu": silu, "swish": silu,
    "exponential": exponential,
}


def get(identifier: Any) -> Callable[..., Any]:
    """An activation from a name (see ``known()``), a callable, or None (linear).

    Example:
        >>> get("tanh") is tanh, get(None) is linear
        (True, True)
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        return lookup("activations", "activation", _ACTIVATIONS, identifier)
    if callable(identifier):
        return identifier
    raise TypeError(
        f"activations.get: expected a name or a callable, received {type(identifier).__name__} {identifier!r}"
    )


def known() -> list[str]:
    """Names ``get`` accepts."""
    return sorted(_ACTIVATIONS)


def serialize(fn: Callable[..., Any]) -> str | None:
    """The registered name of an activation function (for saving models), or None if it has none."""
    for name, f in _ACTIVATIONS.items():
        if f is fn:
            return name
    return None
