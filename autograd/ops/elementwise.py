"""Elementwise ops: the 15 that ``Value`` and ``Tensor`` share, then the Tensor-only ones.

Each op is one small class: ``forward`` on ndarrays (and ``scalar_forward`` on Python floats when
the two differ: ``math`` raises a named error where numpy gives inf or NaN), and ONE ``backward``
beside it that serves both engines. Rules use operators and the helpers below, which work on
floats, ndarrays, Values and Tensors alike: with ``create_graph=True`` backprop hands them nodes
and the same rule records a graph, so gradients can be differentiated again. Masks of piecewise
ops (relu, abs, clip, maximum) are computed on raw payloads: they are locally constant, so they
carry no gradient of their own. Limits follow PyTorch (``d(x**0)/dx = 0`` at 0, ``d|x|/dx = 0``
at 0). Rules return gradients shaped like the op's output; ``Tensor._fit_grad`` undoes
broadcasting.

``text`` and ``grads`` are the op and its rule as ``Step.explain()`` prints them (see ``Op``).
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from ..graph import Node, Op, _raw


def _exp(x: Any) -> Any:
    return x.exp() if isinstance(x, Node) else (math.exp(x) if isinstance(x, float) else np.exp(x))


def _log(x: Any) -> Any:
    return x.log() if isinstance(x, Node) else (math.log(x) if isinstance(x, float) else np.log(x))


def _where(cond: Any, x: Any, y: Any) -> Any:
    """``x`` where ``cond`` else ``y``, for backward rules: on floats, arrays, or nodes (an op)."""
    if isinstance(cond, (bool, np.bool_)):
        return x if cond else y
    if isinstance(x, Node) or isinstance(y, Node):
        node = x if isinstance(x, Node) else y
        return node._apply(Where, cond, x, y)
    return np.where(cond, x, y)


def _scalar_domain(name: str, condition: str, a: float) -> ValueError:
    return ValueError(f"{name}: expected {condition}, received {a!r}")


_BROADCAST = "{op}: shapes {a} and {b} cannot be broadcast"


# --- the 15 ops shared by Value and Tensor ------------------------------------------------------


class Add(Op):
    """f(a, b) = a + b;  df/da = 1, df/db = 1"""

    name = "+"
    text = '{0} + {1}'
    grads = ('{g}', '{g}')
    verb = "add"  # how error messages name it: the method the user called
    shape_error = _BROADCAST
    unbroadcasts = True
    forward = staticmethod(operator.add)
    backward = staticmethod(lambda g, out, a, b: (g, g))


class Sub(Op):
    """f(a, b) = a - b;  df/da = 1, df/db = -1"""

    name = "-"
    text = '{0} - {1}'
    grads = ('{g}', '-{g}')
    verb = "sub"
    shape_error = _BROADCAST
    unbroadcasts = True
    forward = staticmethod(operator.sub)
    backward = staticmethod(lambda g, out, a, b: (g, -g))


class Mul(Op):
    """f(a, b) = a * b;  df/da = b, df/db = a"""

    name = "*"
    text = '{0} * {1}'
    grads = ('{g} * {1}', '{g} * {0}')
    verb = "mul"
    shape_error = _BROADCAST
    unbroadcasts = True
    forward = staticmethod(operator.mul)
    backward = staticmethod(lambda g, out, a, b: (g * b, g * a))


class Div(Op):
    """f(a, b) = a / b;  df/da = 1 / b, df/db = -a / b**2 = -f / b"""

    name = "/"
    text = '{0} / {1}'
    grads = ('{g} / {1}', '-{g} * {out} / {1}')
    verb = "div"
    shape_error = _BROADCAST
    unbroadcasts = True
    forward = staticmethod(np.true_divide)

    @staticmethod
    def scalar_forward(a: float, b: float) -> float:
        if b == 0:
            raise ZeroDivisionError(f"/: division of {a!r} by zero")
        return a / b

    @staticmethod
    def backward(g, out, a, b):
        ga = g / b
        return ga, -ga * out


class Neg(Op):
    """f(a) = -a;  df/da = -1"""

    name = "neg"
    text = '-{0}'
    grads = ('-{g}',)
    forward = staticmethod(operator.neg)
    backward = staticmethod(lambda g, out, a: (-g,))


def _scalar_pow(a: float, b: float) -> float:
    """a ** b on floats, refusing what has no real value with an error naming the numbers."""
    if a == 0 and b < 0:
        raise ValueError(f"**: 0 raised to the negative power {b!r} is undefined (division by zero)")
    if a < 0 and b != int(b):
        raise ValueError(f"**: negative base {a!r} with non-integer exponent {b!r} is not a real number")
    try:
        return a**b
    except OverflowError:
        raise OverflowError(f"**: {a!r} ** {b!r} overflows a float (beyond 1.8e308)") from None


def _pow_base_grad(g: Any, a: Any, b: Any) -> Any:
    """g * b * a**(b-1), with PyTorch's limits at a = 0: 0 when b = 0 (x**0 is constant 1)."""
    braw = _raw(b)
    if np.ndim(braw) == 0 and braw == 0:
        return g * 0.0
    if np.ndim(braw) == 0 and braw == 2:
        return g * (a * 2)  # the common square, without a second power
    if isinstance(_raw(a), float):
        if _raw(a) == 0 and braw < 1:  # 0 ** (b - 1) with b < 1 is a division by zero in Python
            return g * (math.inf if braw > 0 else 0.0)
        return g * (b * a ** (b - 1))
    return g * _where(braw == 0, 0.0, a ** (b - 1) * b)


class PowConst(Op):
    """f(a, c) = a ** c for a constant c;  df/da = c * a**(c-1)  (0 for c = 0, even at a = 0)"""

    name = "**"
    text = '{0} ** {1}'
    grads = ('{g} * {1} * {0} ** ({1} - 1)', None)
    verb = "pow"
    shape_error = _BROADCAST
    unbroadcasts = True
    forward = staticmethod(np.power)

    @staticmethod
    def scalar_forward(a: float, c: float) -> float:
        return _scalar_pow(a, c)

    @staticmethod
    def backward(g, out, a, c):
        return _pow_base_grad(g, a, c), None


class Pow(Op):
    """f(a, b) = a ** b;  df/da = b * a**(b-1), df/db = a**b * ln(a)  (0 at a = 0, b >= 0)"""

    name = "**"
    text = '{0} ** {1}'
    grads = ('{g} * {1} * {0} ** ({1} - 1)', '{g} * {out} * ln({0})')
    verb = "pow"
    shape_error = _BROADCAST
    unbroadcasts = True
    forward = staticmethod(np.power)

    @staticmethod
    def scalar_forward(a: float, b: float) -> float:
        return _scalar_pow(a, b)

    @staticmethod
    def backward(g, out, a, b):
        ar = _raw(a)
        if isinstance(ar, float):
            if ar < 0:  # a**b is only defined at integer b there, so it has no derivative in b
                raise ValueError(
                    f"**: the gradient in the exponent needs ln(base), undefined for base {ar!r} < 0; "
                    "use a plain number as the exponent if it is a constant"
                )
            return _pow_base_grad(g, a, b), (g * out * _log(a) if ar > 0 else 0.0 * g)
        # ln(a) is NaN for a < 0 (as in PyTorch); at a = 0 the limit of a**b ln(a) is 0
        zero = ar == 0
        return _pow_base_grad(g, a, b), g * out * _log(_where(zero, 1.0, a))


class Exp(Op):
    """f(a) = e**a;  df/da = e**a = f"""

    name = "exp"
    text = 'exp({0})'
    grads = ('{g} * {out}',)
    forward = staticmethod(np.exp)

    @staticmethod
    def scalar_forward(a: float) -> float:
        try:
            return math.exp(a)
        except OverflowError:
            raise OverflowError(
                f"exp: e**{a!r} overflows a float (the largest finite result is at a = 709.78); "
                "scale the input down, or work with logarithms"
            ) from None

    backward = staticmethod(lambda g, out, a: (g * out,))


class Log(Op):
    """f(a) = ln(a);  df/da = 1 / a"""

    name = "log"
    text = 'ln({0})'
    grads = ('{g} / {0}',)
    forward = staticmethod(np.log)

    @staticmethod
    def scalar_forward(a: float) -> float:
        if a <= 0:
            raise ValueError(f"log: expected a positive number, received {a!r} (ln is undefined there)")
        return math.log(a)

    backward = staticmethod(lambda g, out, a: (g / a,))


class Sqrt(Op):
    """f(a) = sqrt(a);  df/da = 1 / (2 sqrt(a)) = 1 / (2 f)  (inf at a = 0)"""

    name = "sqrt"
    text = 'sqrt({0})'
    grads = ('{g} / (2 * {out})',)
    forward = staticmethod(np.sqrt)

    @staticmethod
    def scalar_forward(a: float) -> float:
        if a < 0:
            raise _scalar_domain("sqrt", "a non-negative number", a)
        return math.sqrt(a)

    @staticmethod
    def backward(g, out, a):
        if isinstance(_raw(out), float) and _raw(out) == 0:
            return (g * math.inf,)  # Python floats raise on / 0; numpy gives inf, as here
        return (g / (out * 2),)


class Abs(Op):
    """f(a) = |a|;  df/da = sign(a)  (0 at a = 0, as in PyTorch)"""

    name = "abs"
    text = '|{0}|'
    grads = ('{g} * sign({0})',)
    forward = staticmethod(np.abs)
    scalar_forward = staticmethod(abs)

    @staticmethod
    def backward(g, out, a):
        ar = _raw(a)
        sign = (ar > 0) - (ar < 0) if isinstance(ar, float) else np.sign(ar)
        return (g * sign,)


class Tanh(Op):
    """f(a) = tanh(a);  df/da = 1 - tanh(a)**2 = 1 - f**2"""

    name = "tanh"
    text = 'tanh({0})'
    grads = ('{g} * (1 - {out}**2)',)
    forward = staticmethod(np.tanh)
    scalar_forward = staticmethod(math.tanh)
    backward = staticmethod(lambda g, out, a: (g * (1 - out * out),))


class Sigmoid(Op):
    """f(a) = 1 / (1 + e**-a);  df/da = f (1 - f)"""

    name = "sigmoid"
    text = 'sigmoid({0})'
    grads = ('{g} * {out} * (1 - {out})',)

    @staticmethod
    def forward(a):
        # e**-|a| never overflows: sigmoid(a) = 1/(1+e**-a) for a >= 0, e**a/(1+e**a) otherwise
        e = np.exp(-np.abs(a))
        return np.where(a >= 0, 1, e) / (1 + e)

    @staticmethod
    def scalar_forward(a: float) -> float:
        if a >= 0:  # two branches so that e**x never overflows
            return 1.0 / (1.0 + math.exp(-a))
        e = math.exp(a)
        return e / (1.0 + e)

    backward = staticmethod(lambda g, out, a: (g * (out * (1 - out)),))


class Relu(Op):
    """f(a) = max(a, 0);  df/da = [a > 0]"""

    name = "relu"
    text = 'relu({0})'
    grads = ('{g} * ({0} > 0)',)
    symbol = "ReLU"  # micrograd's spelling
    forward = staticmethod(lambda a: np.maximum(a, 0))
    scalar_forward = staticmethod(lambda a: a if a > 0 else 0.0)

    @staticmethod
    def backward(g, out, a):
        if out.__class__ is float or not hasattr(out, "shape"):  # a scalar: no multiplication when on
            return (g if out > 0 else 0.0 * g,)
        return (g * (_raw(out) > 0),)

    # Paired A/B, bench_tensor.py case (b) CNN, CPU time, one BLAS thread, 16 pairs at load ~2:
    # 0.967 and 0.979 of the time without it (the conv output's gradient needs no new 5.5 MB array)
    @staticmethod
    def backward_in_place(g, out, a):
        return (np.multiply(g, out > 0, out=g),)  # g is this pass's own array: mask it, no new one


class LeakyRelu(Op):
    """f(a, s) = a if a > 0 else s * a;  df/da = 1 if a > 0 else s"""

    name = "leaky_relu"
    text = 'leaky_relu({0}, slope {1})'
    grads = ('{g} * (1 where {0} > 0, else {1})', None)
    forward = staticmethod(lambda a, slope: np.where(a > 0, a, a * slope))
    scalar_forward = staticmethod(lambda a, slope: a if a > 0 else slope * a)

    @staticmethod
    def backward(g, out, a, slope):
        ar = _raw(a)
        if isinstance(ar, float):
            return (g if ar > 0 else g * slope), None
        return g * np.where(ar > 0, 1, slope).astype(_raw(g).dtype), None


# --- Tensor-only elementwise ops ------------------------------------------------------------------


class Maximum(Op):
    """f(a, b) = max(a, b);  df/da = [a > b] (1/2 at ties), df/db = [b > a] (1/2 at ties)"""

    name = "maximum"
    text = 'maximum({0}, {1})'
    grads = ('{g} where {0} > {1} (half at ties)', '{g} where {1} > {0} (half at ties)')
    shape_error = _BROADCAST
    unbroadcasts = True
    forward = staticmethod(np.maximum)

    @staticmethod
    def backward(g, out, a, b):
        ra, rb = _raw(a), _raw(b)
        share = np.where(ra > rb, 1.0, np.where(ra == rb, 0.5, 0.0)).astype(_raw(g).dtype)
        return g * share, g * (1 - share)


class Minimum(Op):
    """f(a, b) = min(a, b);  df/da = [a < b] (1/2 at ties), df/db = [b < a] (1/2 at ties)"""

    name = "minimum"
    text = 'minimum({0}, {1})'
    grads = ('{g} where {0} < {1} (half at ties)', '{g} where {1} < {0} (half at ties)')
    shape_error = _BROADCAST
    unbroadcasts = True
    forward = staticmethod(np.minimum)

    @staticmethod
    def backward(g, out, a, b):
        ra, rb = _raw(a), _raw(b)
        share = np.where(ra < rb, 1.0, np.where(ra == rb, 0.5, 0.0)).astype(_raw(g).dtype)
        return g * share, g * (1 - share)


class Where(Op):
    """f(c, a, b) = a where c else b;  df/da = [c], df/db = [not c]"""

    name = "where"
    unbroadcasts = True
    text = '{1} where {0} else {2}'
    grads = (None, '{g} where {0}, else 0', '{g} where not {0}, else 0')
    forward = staticmethod(np.where)

    @staticmethod
    def backward(g, out, cond, a, b):
        return None, _where(cond, g, 0.0), _where(cond, 0.0, g)


class Clip(Op):
    """f(a, lo, hi) = min(max(a, lo), hi);  df/da = [lo <= a <= hi]"""

    name = "clip"
    text = 'clip({0}, {1}, {2})'
    grads = ('{g} where {1} <= {0} <= {2}, else 0', None, None)

    @staticmethod
    def forward(a, lo, hi):
        return np.clip(a, lo, hi)

    @staticmethod
    def backward(g, out, a, lo, hi):
        ra = _raw(a)
        inside = np.ones(ra.shape, dtype=bool)
        if lo is not None:
            inside &= ra >= lo
        if hi is not None:
            inside &= ra <= hi
        return g * inside, None, None


class Cast(Op):
    """f(a) = a as another float dtype;  df/da = 1 (cast back)"""

    name = "astype"
    text = '{0} as {1}'
    grads = ("{g} cast back to {0}'s dtype", None)
    makes_float64 = True  # asked for explicitly: Tensor._apply must not demote it to float32
    forward = staticmethod(lambda a, dtype: a.astype(dtype))
    backward = staticmethod(lambda g, out, a, dtype: (g.astype(_raw(a).dtype), None))
