"""``Value``: a scalar node, micrograd-compatible, with its derivative table.

Each op is a small class whose ``forward`` and ``backward`` sit side by side, under a one-line
docstring that states the function and its partial derivatives. The backward rules use only
arithmetic and the helpers below, which work on floats and on Values alike, so the same rule
computes plain gradients or, with ``create_graph=True``, records a graph of them.
"""

from __future__ import annotations

import math
import operator
from numbers import Real
from typing import Any

from .graph import Node, Op, _mode

Number = float | int


def _exp(x: Any) -> Any:
    return x.exp() if isinstance(x, Node) else math.exp(x)


def _log(x: Any) -> Any:
    return x.log() if isinstance(x, Node) else _log_checked(x)


def _sin(x: Any) -> Any:
    return x.sin() if isinstance(x, Node) else math.sin(x)


def _cos(x: Any) -> Any:
    return x.cos() if isinstance(x, Node) else math.cos(x)


def _log_checked(a: float) -> float:
    if a <= 0:
        raise ValueError(f"log: expected a positive number, got {a!r} (the logarithm is undefined there)")
    return math.log(a)


def _data(x: Any) -> float:
    return x.data if isinstance(x, Value) else x


# --- the derivative table ------------------------------------------------------------------------


class Add(Op):
    """f(a, b) = a + b;  df/da = 1, df/db = 1"""

    name = "+"
    forward = staticmethod(lambda a, b: a + b)
    backward = staticmethod(lambda g, out, a, b: (g, g))


class Sub(Op):
    """f(a, b) = a - b;  df/da = 1, df/db = -1"""

    name = "-"
    forward = staticmethod(lambda a, b: a - b)
    backward = staticmethod(lambda g, out, a, b: (g, -g))


class Mul(Op):
    """f(a, b) = a * b;  df/da = b, df/db = a"""

    name = "*"
    forward = staticmethod(lambda a, b: a * b)
    backward = staticmethod(lambda g, out, a, b: (g * b, g * a))


class Div(Op):
    """f(a, b) = a / b;  df/da = 1 / b, df/db = -a / b**2"""

    name = "/"

    @staticmethod
    def forward(a: float, b: float) -> float:
        if b == 0:
            raise ZeroDivisionError(f"/: division of {a!r} by zero")
        return a / b

    @staticmethod
    def backward(g, out, a, b):
        return g / b, -g * out / b


class Neg(Op):
    """f(a) = -a;  df/da = -1"""

    name = "neg"
    forward = staticmethod(lambda a: -a)
    backward = staticmethod(lambda g, out, a: (-g,))


class Pow(Op):
    """f(a, b) = a ** b;  df/da = b * a**(b-1), df/db = a**b * log(a)"""

    name = "**"

    @staticmethod
    def forward(a: float, b: float) -> float:
        if a == 0 and b < 0:
            raise ValueError(f"**: 0 raised to the negative power {b!r} is undefined (division by zero)")
        if a < 0 and b != int(b):
            raise ValueError(f"**: negative base {a!r} with non-integer exponent {b!r} is not a real number")
        return a**b

    @staticmethod
    def backward(g, out, a, b):
        da = g * b * a ** (b - 1) if _data(b) != 0 else 0.0 * g
        # d/db needs log(a): defined for a > 0; a constant exponent needs no gradient at all
        db = g * out * _log(a) if isinstance(b, Node) and _data(a) > 0 else None
        return da, db


class Exp(Op):
    """f(a) = e**a;  df/da = e**a = f(a)"""

    name = "exp"
    forward = staticmethod(math.exp)
    backward = staticmethod(lambda g, out, a: (g * out,))


class Log(Op):
    """f(a) = ln(a);  df/da = 1 / a"""

    name = "log"
    forward = staticmethod(_log_checked)
    backward = staticmethod(lambda g, out, a: (g / a,))


class Sqrt(Op):
    """f(a) = sqrt(a);  df/da = 1 / (2 sqrt(a))"""

    name = "sqrt"

    @staticmethod
    def forward(a: float) -> float:
        if a < 0:
            raise ValueError(f"sqrt: expected a non-negative number, got {a!r}")
        return math.sqrt(a)

    @staticmethod
    def backward(g, out, a):
        return (g * 0.5 / out,)


class Tanh(Op):
    """f(a) = tanh(a);  df/da = 1 - tanh(a)**2"""

    name = "tanh"
    forward = staticmethod(math.tanh)
    backward = staticmethod(lambda g, out, a: (g * (1 - out * out),))


class Sigmoid(Op):
    """f(a) = 1 / (1 + e**-a);  df/da = f(a) * (1 - f(a))"""

    name = "sigmoid"

    @staticmethod
    def forward(a: float) -> float:
        # two branches so that e**x never overflows
        if a >= 0:
            return 1.0 / (1.0 + math.exp(-a))
        e = math.exp(a)
        return e / (1.0 + e)

    backward = staticmethod(lambda g, out, a: (g * out * (1 - out),))


class Relu(Op):
    """f(a) = max(0, a);  df/da = 1 if a > 0 else 0"""

    name = "relu"
    forward = staticmethod(lambda a: a if a > 0 else 0.0)
    backward = staticmethod(lambda g, out, a: (g if a > 0 else 0.0 * g,))


class LeakyRelu(Op):
    """f(a, s) = a if a > 0 else s * a;  df/da = 1 if a > 0 else s"""

    name = "leaky_relu"
    forward = staticmethod(lambda a, slope: a if a > 0 else slope * a)
    backward = staticmethod(lambda g, out, a, slope: (g if a > 0 else g * slope, None))


class Sin(Op):
    """f(a) = sin(a);  df/da = cos(a)"""

    name = "sin"
    forward = staticmethod(math.sin)
    backward = staticmethod(lambda g, out, a: (g * _cos(a),))


class Cos(Op):
    """f(a) = cos(a);  df/da = -sin(a)"""

    name = "cos"
    forward = staticmethod(math.cos)
    backward = staticmethod(lambda g, out, a: (-g * _sin(a),))


class Abs(Op):
    """f(a) = |a|;  df/da = sign(a) (0 at 0, as in PyTorch)"""

    name = "abs"
    forward = staticmethod(abs)
    backward = staticmethod(lambda g, out, a: (g if a > 0 else (-g if a < 0 else 0.0 * g),))


class Sum(Op):
    """f(a_1, ..., a_n) = a_1 + ... + a_n;  df/da_i = 1"""

    name = "sum"
    forward = staticmethod(lambda *a: sum(a))
    backward = staticmethod(lambda g, out, *a: (g,) * len(a))


class Linear(Op):
    """f(b, w_1..w_n, x_1..x_n) = w_1 x_1 + ... + w_n x_n + b;  df/dw_i = x_i, df/dx_i = w_i, df/db = 1"""

    name = "wx+b"

    @staticmethod
    def forward(b, *wx):
        n = len(wx) // 2
        return sum(map(operator.mul, wx[:n], wx[n:]), b)

    @staticmethod
    def backward(g, out, b, *wx):
        n = len(wx) // 2
        return (g, *[g * x for x in wx[n:]], *[g * w for w in wx[:n]])


# --- the node --------------------------------------------------------------------------------------


class Value(Node):
    """A scalar that remembers how it was computed, so gradients can flow back through it.

    ``Value(data)`` is a leaf. Arithmetic with numbers or other Values on either side makes new
    Values that record the op and their inputs; ``backward()`` fills ``.grad`` of every Value
    upstream with d(root)/d(value) by the chain rule.

    Args:
        data: a real number (int, float or numpy scalar).
        label: a name shown in drawings and step-by-step explanations.

    Example:
        >>> from autograd import Value
        >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
        >>> d = a * b + b ** 2
        >>> d.backward()
        >>> a.grad, b.grad          # dd/da = b, dd/db = a + 2b
        (-3.0, -4.0)
    """

    __slots__ = ()

    def __init__(self, data: Number, label: str = "") -> None:
        if isinstance(data, Value):
            data = data.data
        if isinstance(data, bool) or not isinstance(data, Real):
            raise TypeError(f"Value: expected a real number, got {type(data).__name__} {data!r}")
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self._op = None
        self._inputs = ()
        self._saved = None

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={_data(self.grad):.6g}{label})"

    # --- the engine's hooks ---
    def _seed_grad(self, grad: Any) -> Any:
        return 1.0 if grad is None else grad

    # --- applying ops ---
    @staticmethod
    def _apply(op: type[Op], *inputs: Any) -> Value:
        out = Value.__new__(Value)
        out.data = float(op.forward(*[x.data if isinstance(x, Value) else x for x in inputs]))
        out.grad = 0.0
        out.label = ""
        out._saved = None
        if _mode.enabled:
            out._op, out._inputs = op, inputs
        else:
            out._op, out._inputs = None, ()
        return out

    def __add__(self, other: Value | Number) -> Value:
        return Value._apply(Add, self, _operand(other))

    def __radd__(self, other: Number) -> Value:
        return Value._apply(Add, _operand(other), self)

    def __sub__(self, other: Value | Number) -> Value:
        return Value._apply(Sub, self, _operand(other))

    def __rsub__(self, other: Number) -> Value:
        return Value._apply(Sub, _operand(other), self)

    def __mul__(self, other: Value | Number) -> Value:
        return Value._apply(Mul, self, _operand(other))

    def __rmul__(self, other: Number) -> Value:
        return Value._apply(Mul, _operand(other), self)

    def __truediv__(self, other: Value | Number) -> Value:
        return Value._apply(Div, self, _operand(other))

    def __rtruediv__(self, other: Number) -> Value:
        return Value._apply(Div, _operand(other), self)

    def __pow__(self, other: Value | Number) -> Value:
        return Value._apply(Pow, self, _operand(other))

    def __rpow__(self, other: Number) -> Value:
        return Value._apply(Pow, _operand(other), self)

    def __neg__(self) -> Value:
        return Value._apply(Neg, self)

    def __abs__(self) -> Value:
        return Value._apply(Abs, self)

    def abs(self) -> Value:
        """|x|; gradient sign(x)."""
        return Value._apply(Abs, self)

    def exp(self) -> Value:
        """e**x; gradient e**x."""
        return Value._apply(Exp, self)

    def log(self) -> Value:
        """ln x for x > 0 (ValueError otherwise); gradient 1/x."""
        return Value._apply(Log, self)

    def sqrt(self) -> Value:
        """sqrt(x) for x >= 0; gradient 1/(2 sqrt x)."""
        return Value._apply(Sqrt, self)

    def tanh(self) -> Value:
        """tanh x; gradient 1 - tanh(x)**2."""
        return Value._apply(Tanh, self)

    def sigmoid(self) -> Value:
        """1 / (1 + e**-x); gradient s(x) (1 - s(x))."""
        return Value._apply(Sigmoid, self)

    def relu(self) -> Value:
        """max(0, x); gradient 1 where x > 0, else 0."""
        return Value._apply(Relu, self)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x if x > 0 else slope * x; gradient 1 or slope."""
        return Value._apply(LeakyRelu, self, float(slope))

    def sin(self) -> Value:
        """sin x; gradient cos x."""
        return Value._apply(Sin, self)

    def cos(self) -> Value:
        """cos x; gradient -sin x."""
        return Value._apply(Cos, self)

    # comparisons look at the numbers; Values still hash by identity so they can key dicts and sets
    def __lt__(self, other: Value | Number) -> bool:
        return self.data < _data(other)

    def __le__(self, other: Value | Number) -> bool:
        return self.data <= _data(other)

    def __gt__(self, other: Value | Number) -> bool:
        return self.data > _data(other)

    def __ge__(self, other: Value | Number) -> bool:
        return self.data >= _data(other)

    __hash__ = Node.__hash__

    def __float__(self) -> float:
        return self.data


def _operand(x: Any) -> Any:
    """Numbers stay plain constants (no node, no memory); anything else must be a Value."""
    if isinstance(x, Value):
        return x
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"Value: cannot combine a Value with {type(x).__name__} {x!r}; expected a number or Value")
    return float(x)


def vsum(values: list[Value | Number]) -> Value:
    """Sum of many Values as one node (micrograd's ``sum()`` nests ~n nodes and breaks near 1,000).

    Example:
        >>> from autograd import Value, vsum
        >>> vsum([Value(1.0), Value(2.0), 3]).data
        6.0
    """
    return Value._apply(Sum, *[_operand(v) for v in values])


def linear(weights: list[Value], inputs: list[Value | Number], bias: Value | Number = 0.0) -> Value:
    """z = w . x + b as one node: what a neuron computes before its activation (seed 3.1).

    Example:
        >>> from autograd import Value, linear
        >>> linear([Value(2.0), Value(-1.0)], [3.0, 4.0], Value(0.5)).data
        2.5
    """
    if len(weights) != len(inputs):
        raise ValueError(f"linear: {len(weights)} weights but {len(inputs)} inputs; expected equal lengths")
    return Value._apply(Linear, _operand(bias), *[_operand(w) for w in weights], *[_operand(x) for x in inputs])
