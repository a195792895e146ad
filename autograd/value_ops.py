"""The derivative table of ``Value``: one small ``Op`` class per scalar operation.

Each op's ``forward`` and ``backward`` sit side by side under a one-line docstring stating the
function and its partial derivatives. The rules use only arithmetic and the helpers below, which
work on floats and on Values alike, so one rule computes plain gradients or, with
``create_graph=True``, records a graph of them.
"""

from __future__ import annotations

import math
from operator import mul
from typing import Any

from .graph import Node, Op


def _data(x: Any) -> Any:
    return x.data if isinstance(x, Node) else x


def _log(x: Any) -> Any:
    return x.log() if isinstance(x, Node) else Log.forward(x)


def _sin(x: Any) -> Any:
    return x.sin() if isinstance(x, Node) else math.sin(x)


def _cos(x: Any) -> Any:
    return x.cos() if isinstance(x, Node) else math.cos(x)


def _pow_base_grad(g: Any, a: Any, b: Any) -> Any:
    """g * b * a**(b-1), with PyTorch's limits at a = 0: 0 when b = 0, inf when 0 < b < 1."""
    bd = _data(b)
    if bd < 1 and _data(a) == 0:
        return g * (math.inf if bd > 0 else 0.0)
    return g * b * a ** (b - 1)


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
    """f(a, b) = a / b;  df/da = 1 / b, df/db = -a / b**2 = -f / b"""

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


class PowConst(Op):
    """f(a, c) = a ** c for a constant c;  df/da = c * a**(c-1)"""

    name = "**"

    @staticmethod
    def forward(a: float, c: float) -> float:
        return Pow.forward(a, c)

    @staticmethod
    def backward(g, out, a, c):
        return _pow_base_grad(g, a, c), None


class Pow(Op):
    """f(a, b) = a ** b;  df/da = b * a**(b-1), df/db = a**b * ln(a)"""

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
        ad = _data(a)
        if ad < 0:  # a**b is only defined at integer b there, so it has no derivative in b
            raise ValueError(
                f"**: the gradient in the exponent needs ln(base), undefined for base {ad!r} < 0; "
                "use a plain number as the exponent if it is a constant"
            )
        # at a = 0 (b > 0) the limit of a**b * ln(a) is 0, as in PyTorch
        return _pow_base_grad(g, a, b), (g * out * _log(a) if ad > 0 else 0.0 * g)


class Exp(Op):
    """f(a) = e**a;  df/da = e**a = f"""

    name = "exp"
    forward = staticmethod(math.exp)
    backward = staticmethod(lambda g, out, a: (g * out,))


class Log(Op):
    """f(a) = ln(a);  df/da = 1 / a"""

    name = "log"

    @staticmethod
    def forward(a: float) -> float:
        if a <= 0:
            raise ValueError(f"log: expected a positive number, received {a!r} (ln is undefined there)")
        return math.log(a)

    backward = staticmethod(lambda g, out, a: (g / a,))


class Sqrt(Op):
    """f(a) = sqrt(a);  df/da = 1 / (2 sqrt(a)) = 0.5 / f"""

    name = "sqrt"

    @staticmethod
    def forward(a: float) -> float:
        if a < 0:
            raise ValueError(f"sqrt: expected a non-negative number, received {a!r}")
        return math.sqrt(a)

    @staticmethod
    def backward(g, out, a):
        return (g * 0.5 / out if _data(out) != 0 else g * math.inf,)


class Tanh(Op):
    """f(a) = tanh(a);  df/da = 1 - tanh(a)**2 = 1 - f**2"""

    name = "tanh"
    forward = staticmethod(math.tanh)
    backward = staticmethod(lambda g, out, a: (g * (1 - out * out),))


class Sigmoid(Op):
    """f(a) = 1 / (1 + e**-a);  df/da = f * (1 - f)"""

    name = "sigmoid"

    @staticmethod
    def forward(a: float) -> float:
        if a >= 0:  # two branches so that e**x never overflows
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


def _affine(ws: list, xs: list, b: float) -> float:
    return sum(map(mul, ws, xs), b)


class Linear(Op):
    """f(b, w_1..w_n, x_1..x_n) = w_1 x_1 + ... + w_n x_n + b;  df/db = 1, df/dw_i = x_i, df/dx_i = w_i"""

    name = "wx+b"

    @staticmethod
    def forward(b, *wx):
        n = len(wx) // 2
        return _affine(wx[:n], wx[n:], b)

    @staticmethod
    def backward(g, out, b, *wx):
        n = len(wx) // 2
        return (g, *[g * x for x in wx[n:]], *[g * w for w in wx[:n]])
