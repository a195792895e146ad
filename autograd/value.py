"""``Value``: a scalar node, micrograd-compatible; its derivative rules are in ``autograd/ops/``.

Arithmetic with numbers or Values on either side, and the methods below, run an op's forward
on the payloads and record the op with its inputs. Constants stay plain Python floats inside the
graph (no node per constant), which keeps a ``y = y * 1.0001`` chain under 200 bytes per op.
``vsum`` and ``linear`` make one node for a whole sum or a whole neuron's w . x + b.
"""

from __future__ import annotations

from numbers import Real
from typing import Any

from .anomaly import _anomaly, check_forward
from .graph import Node, Op, _mode, _raw
from .ops.elementwise import (
    Abs,
    Add,
    Div,
    Exp,
    LeakyRelu,
    Log,
    Mul,
    Neg,
    Pow,
    PowConst,
    Relu,
    Sigmoid,
    Sqrt,
    Sub,
    Tanh,
)
from .ops.scalar import Cos, Linear, Sin, Sum, affine

Number = float | int


# --- the node --------------------------------------------------------------------------------------


class Value(Node):
    """A scalar that remembers how it was computed, so gradients can flow back through it.

    ``Value(data)`` is a leaf. Arithmetic with numbers or other Values on either side makes new
    Values that record the op and their inputs; ``backward()`` fills ``.grad`` of every Value
    upstream with d(root)/d(value) by the chain rule.

    Args:
        data: a real number (int, float or numpy scalar; not bool).
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
            raise TypeError(f"Value: expected a real number, received {type(data).__name__} {data!r}")
        self.data = float(data)
        self.grad = 0.0
        self.label = str(label)
        self._rule = None
        self._inputs = ()
        self._saved = None

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={_raw(self.grad):.6g}{label})"

    # --- micrograd's names, so notebook code that walks graphs (draw_dot) runs unchanged ---
    @property
    def _prev(self) -> set[Value]:
        """micrograd's name: the set of Values this one was computed from."""
        return {x for x in self._inputs if isinstance(x, Value)}

    @property
    def _op(self) -> str:
        """micrograd's name: the op's symbol ('+', '*', '**2', 'ReLU', ...), '' for a leaf."""
        rule = self._rule
        if rule is None:
            return ""
        if rule is PowConst:
            return f"**{self._inputs[1]:g}"  # micrograd writes the exponent into the symbol
        return rule.symbol or rule.name

    # --- the engine's hooks ---
    def _seed_grad(self, grad: Any) -> Any:
        return 1.0 if grad is None else grad

    # --- applying ops ---
    @staticmethod
    def _apply(op: type[Op], *inputs: Any) -> Value:
        """Run ``op`` on Values and numbers (numbers become float constants) and record it."""
        operands = tuple([x if x.__class__ is Value else _operand(x, op.name) for x in inputs])
        payloads = [x.data if x.__class__ is Value else x for x in operands]
        return _record(op, operands, op.scalar_forward(*payloads))

    def _binary(self, op: type[Op], other: Any, reflected: bool = False) -> Value:
        # the hot path of every + - * / **: two attribute reads, one forward call, one new node
        if other.__class__ is Value:
            b = other.data
        else:
            b = other = _operand(other, op.name)
        if reflected:
            return _record(op, (other, self), op.scalar_forward(b, self.data))
        return _record(op, (self, other), op.scalar_forward(self.data, b))

    def __add__(self, other: Value | Number) -> Value:
        return self._binary(Add, other)

    def __radd__(self, other: Number) -> Value:
        return self._binary(Add, other, reflected=True)

    def __sub__(self, other: Value | Number) -> Value:
        return self._binary(Sub, other)

    def __rsub__(self, other: Number) -> Value:
        return self._binary(Sub, other, reflected=True)

    def __mul__(self, other: Value | Number) -> Value:
        return self._binary(Mul, other)

    def __rmul__(self, other: Number) -> Value:
        return self._binary(Mul, other, reflected=True)

    def __truediv__(self, other: Value | Number) -> Value:
        return self._binary(Div, other)

    def __rtruediv__(self, other: Number) -> Value:
        return self._binary(Div, other, reflected=True)

    def __pow__(self, other: Value | Number) -> Value:
        # a constant exponent gets its own op: no gradient (and no ln(a)) is owed to it
        return self._binary(Pow if other.__class__ is Value else PowConst, other)

    def __rpow__(self, other: Number) -> Value:
        return self._binary(Pow, other, reflected=True)

    def __neg__(self) -> Value:
        return _record(Neg, (self,), Neg.scalar_forward(self.data))

    def __abs__(self) -> Value:
        return _record(Abs, (self,), Abs.scalar_forward(self.data))

    def abs(self) -> Value:
        """|x|; gradient sign(x)."""
        return _record(Abs, (self,), Abs.scalar_forward(self.data))

    def exp(self) -> Value:
        """e**x; gradient e**x."""
        return _record(Exp, (self,), Exp.scalar_forward(self.data))

    def log(self) -> Value:
        """ln x for x > 0 (ValueError otherwise); gradient 1/x."""
        return _record(Log, (self,), Log.scalar_forward(self.data))

    def sqrt(self) -> Value:
        """sqrt(x) for x >= 0 (ValueError otherwise); gradient 1/(2 sqrt x)."""
        return _record(Sqrt, (self,), Sqrt.scalar_forward(self.data))

    def tanh(self) -> Value:
        """tanh x; gradient 1 - tanh(x)**2."""
        return _record(Tanh, (self,), Tanh.scalar_forward(self.data))

    def sigmoid(self) -> Value:
        """1 / (1 + e**-x); gradient s(x) (1 - s(x))."""
        return _record(Sigmoid, (self,), Sigmoid.scalar_forward(self.data))

    def relu(self) -> Value:
        """max(0, x); gradient 1 where x > 0, else 0."""
        return _record(Relu, (self,), Relu.scalar_forward(self.data))

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x if x > 0 else slope * x; gradient 1 or slope."""
        slope = _operand(slope, "leaky_relu")
        return _record(LeakyRelu, (self, slope), LeakyRelu.scalar_forward(self.data, slope))

    def sin(self) -> Value:
        """sin x; gradient cos x."""
        return _record(Sin, (self,), Sin.scalar_forward(self.data))

    def cos(self) -> Value:
        """cos x; gradient -sin x."""
        return _record(Cos, (self,), Cos.scalar_forward(self.data))

    # comparisons look at the numbers; Values still hash by identity so they can key dicts and sets
    def __lt__(self, other: Value | Number) -> bool:
        return self.data < _raw(other)

    def __le__(self, other: Value | Number) -> bool:
        return self.data <= _raw(other)

    def __gt__(self, other: Value | Number) -> bool:
        return self.data > _raw(other)

    def __ge__(self, other: Value | Number) -> bool:
        return self.data >= _raw(other)

    __hash__ = Node.__hash__

    def __float__(self) -> float:
        return self.data


_new_value = Value.__new__
_PLAIN = (Value, float)


def _record(op: type[Op], inputs: tuple, data: float) -> Value:
    """A new Value holding ``data``; it remembers ``op`` and ``inputs`` only when grad mode is on."""
    out = _new_value(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._saved = None
    if _mode.enabled:
        out._rule = op
        out._inputs = inputs
    else:
        out._rule = None
        out._inputs = ()
    if data - data != 0.0 and _anomaly.enabled:  # x - x is 0 unless x is inf or NaN; the flag read is slower
        check_forward(op, data, [])
    return out


def _operand(x: Any, where: str = "Value") -> Any:
    """Numbers stay plain float constants (no node, no memory); anything else must be a Value."""
    if x.__class__ is float or isinstance(x, Value):
        return x
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"{where}: expected a number or a Value, received {type(x).__name__} {x!r}")
    return float(x)


def vsum(values: list[Value | Number]) -> Value:
    """Sum of many Values as one node (micrograd's ``sum()`` nests ~n nodes and breaks near 1,000).

    f(a_1, ..., a_n) = a_1 + ... + a_n; each df/da_i = 1.

    Args:
        values: Values and/or numbers (at least one).

    Example:
        >>> from autograd import Value, vsum
        >>> vsum([Value(1.0), Value(2.0), 3]).data
        6.0
    """
    values = list(values)
    if not values:
        raise ValueError("vsum: expected at least one Value or number, received an empty sequence")
    return Value._apply(Sum, *values)


def linear(weights: list[Value], inputs: list[Value | Number], bias: Value | Number = 0.0) -> Value:
    """z = w . x + b as one node: what a neuron computes before its activation.

    f = w_1 x_1 + ... + w_n x_n + b; df/dw_i = x_i, df/dx_i = w_i, df/db = 1.

    Args:
        weights: n Values (or numbers).
        inputs: n Values or numbers.
        bias: a Value or number.

    Example:
        >>> from autograd import Value, linear
        >>> linear([Value(2.0), Value(-1.0)], [3.0, 4.0], Value(0.5)).data
        2.5
    """
    if len(weights) != len(inputs):
        raise ValueError(f"linear: {len(weights)} weights but {len(inputs)} inputs; expected equal lengths")
    operands = (bias, *weights, *inputs)
    if inputs and inputs[0].__class__ in _PLAIN:
        # the usual case inside a network: Value weights and bias, Value or float inputs. Read the
        # payloads directly; anything odd (a numpy scalar, a string) fails here or gives a non-float,
        # and takes the careful path below
        try:
            xs = [x.data if x.__class__ is Value else x for x in inputs]
            data = affine([w.data for w in weights], xs, bias.data)
        except (AttributeError, TypeError):
            data = None
        if data.__class__ is float:
            return _record(Linear, operands, data)
    return Value._apply(Linear, *operands)
