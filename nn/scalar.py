"""micrograd's neural net on ``Value``s: ``Neuron``, ``Layer``, ``MLP``, with the same interface.

Lists of numbers or Values go in; a list of Values comes out of a layer (a single Value when the
layer has one unit). Each neuron computes ``z = w . x + b`` as ONE node (``autograd.linear``) and
then its activation, so a forward pass makes two nodes per neuron instead of micrograd's ~2n+1.

Weights are drawn from U(-1, 1) and biases start at 0, as in micrograd. Randomness: pass ``seed``
(an int, giving a private ``random.Random``) or ``rng`` (a ``random.Random``); without either,
Python's module-level ``random`` is used, exactly as micrograd does, so ``random.seed(1337)``
followed by ``MLP(2, [16, 16, 1])`` builds the same weights as micrograd's demo.

Example:
    >>> from nn import MLP
    >>> model = MLP(2, [3, 1], seed=0)
    >>> model
    MLP of [Layer of [ReLUNeuron(2), ReLUNeuron(2), ReLUNeuron(2)], Layer of [LinearNeuron(3)]]
    >>> y = model([1.0, -2.0])          # one output unit: a Value
    >>> len(model.parameters())         # (2*3 + 3) + (3*1 + 1)
    13
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

from autograd.value import Value, linear

from . import activations
from .module import Module

_DISPLAY = {"relu": "ReLU", "linear": "Linear", "tanh": "Tanh", "sigmoid": "Sigmoid",
            "leaky_relu": "LeakyReLU", "elu": "ELU", "softplus": "Softplus", "silu": "SiLU", "swish": "SiLU",
            "exponential": "Exp"}


def _rng(seed: int | None, rng: random.Random | None) -> Any:
    if rng is not None:
        return rng
    return random.Random(seed) if seed is not None else random  # micrograd draws from the module itself


def _activation_name(activation: str | Callable | None, nonlin: bool | None) -> str | Callable:
    if nonlin is not None:  # micrograd's spelling: Neuron(nin, nonlin=False)
        return "relu" if nonlin else "linear"
    return "linear" if activation is None else activation


def _fast_activation(activation: str | Callable) -> Callable[[Value], Value]:
    """The activation as a direct call on one Value (the forward pass makes thousands of them)."""
    if activation in ("relu", "tanh", "sigmoid", "exp"):
        return getattr(Value, activation)
    if activation == "linear":
        return _identity
    return activations.get(activation)


def _identity(z: Value) -> Value:
    return z


def _check_inputs(x: Any, nin: int, where: str) -> Sequence:
    if not isinstance(x, (list, tuple)):
        if nin == 1 and isinstance(x, (int, float, Value)):
            return [x]
        try:
            x = list(x)  # numpy rows and other sequences
        except TypeError:
            raise TypeError(
                f"{where}: expected a list of {nin} numbers or Values, received {type(x).__name__}"
            ) from None
    if len(x) != nin:
        raise ValueError(f"{where}: expected {nin} inputs, received {len(x)}")
    return x


class Neuron(Module):
    """One unit: ``activation(w . x + b)``, with w ~ U(-1, 1) and b = 0.

    Args:
        nin: number of inputs.
        activation: a name from ``nn.activations`` ("relu", "tanh", "linear", ...) or a callable.
        nonlin: micrograd's flag (True = relu, False = linear); overrides ``activation`` when given.
        seed / rng: where the initial weights come from (see the module docstring).

    Example:
        >>> n = Neuron(3, activation="linear", seed=1)
        >>> n.w[0].data = n.w[1].data = n.w[2].data = 1.0
        >>> n([1.0, 2.0, 3.0]).data
        6.0
    """

    def __init__(self, nin: int, activation: str | Callable | None = "relu", nonlin: bool | None = None,
                 seed: int | None = None, rng: random.Random | None = None) -> None:
        super().__init__()
        if isinstance(nin, bool) or not isinstance(nin, int) or nin < 1:
            raise ValueError(f"Neuron: nin must be a positive integer, received nin={nin!r}")
        source = _rng(seed, rng)
        self.w = [Value(source.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.activation = _activation_name(activation, nonlin)
        self._act = _fast_activation(self.activation)

    def forward(self, x: Sequence[float | Value]) -> Value:
        return self._act(linear(self.w, _check_inputs(x, len(self.w), "Neuron"), self.b))  # act(w . x + b)

    def __repr__(self) -> str:
        act = self.activation
        name = act if isinstance(act, str) else getattr(act, "__name__", "")
        return f"{_DISPLAY.get(name, name.capitalize())}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons reading the same inputs; returns a list of Values (one Value if nout == 1).

    Args:
        nin, nout: inputs and units. activation / nonlin / seed / rng: as for ``Neuron``.

    Example:
        >>> layer = Layer(2, 3, seed=0)
        >>> len(layer([0.5, -1.0])), len(layer.parameters())
        (3, 9)
    """

    def __init__(self, nin: int, nout: int, activation: str | Callable | None = "relu",
                 nonlin: bool | None = None, seed: int | None = None,
                 rng: random.Random | None = None) -> None:
        super().__init__()
        if isinstance(nout, bool) or not isinstance(nout, int) or nout < 1:
            raise ValueError(f"Layer: nout must be a positive integer, received nout={nout!r}")
        source = _rng(seed, rng)
        self.neurons = [Neuron(nin, activation, nonlin, rng=source) for _ in range(nout)]

    def forward(self, x: Sequence[float | Value]) -> Value | list[Value]:
        x = _check_inputs(x, len(self.neurons[0].w), "Layer")
        out = [n._act(linear(n.w, x, n.b)) for n in self.neurons]  # inputs checked once per layer
        return out[0] if len(out) == 1 else out

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """A multi-layer perceptron: ``nouts`` gives each layer's width; the last layer is linear.

    Args:
        nin: number of inputs. nouts: list of layer widths, e.g. ``[16, 16, 1]``.
        activation: hidden layers' activation ("relu" by default, like micrograd).
        seed / rng: where the initial weights come from (see the module docstring).

    Example:
        >>> model = MLP(2, [16, 16, 1], seed=1337)
        >>> len(model.parameters())        # the 337 parameters of micrograd's moons demo
        337
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: str | Callable | None = "relu",
                 seed: int | None = None, rng: random.Random | None = None) -> None:
        super().__init__()
        if isinstance(nouts, int) or not nouts:
            raise ValueError(f"MLP: nouts must be a non-empty list of layer widths, received nouts={nouts!r}")
        sizes = [nin, *nouts]
        source = _rng(seed, rng)
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation if i != last else "linear", rng=source)
            for i in range(len(nouts))
        ]

    def forward(self, x: Sequence[float | Value]) -> Value | list[Value]:
        for layer in self.layers:
            x = layer(x)
        return x

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
