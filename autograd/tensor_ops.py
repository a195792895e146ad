"""The Tensor derivative table: elementwise ops and matrix multiplication.

Each op is a small class with ``forward`` on ndarrays and ``backward`` beside it, under a one-line
docstring with the function and its partial derivatives. Backward rules use operators, methods
and the ``_exp``/``_log``/``_where`` helpers below, which work on ndarrays and on Tensors alike:
with ``create_graph=True`` backprop hands them Tensors and the same rule records a graph, so
gradients can be differentiated again. Masks of piecewise ops (relu, abs, clip, max) are computed
on raw arrays: they are locally constant, so they carry no gradient of their own.

Rules return gradients shaped like the op's output; ``Tensor._fit_grad`` undoes broadcasting.
Ops with ``needs_mask = True`` receive, as ``saved``, which inputs need a gradient, so that
``x @ w`` with a constant ``x`` never computes ``g @ w.T``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .graph import Node, Op, _raw


def _exp(x: Any) -> Any:
    return x.exp() if isinstance(x, Node) else np.exp(x)


def _log(x: Any) -> Any:
    return x.log() if isinstance(x, Node) else np.log(x)


def _where(cond: np.ndarray, x: Any, y: Any) -> Any:
    """``where`` for backward rules: an op when a branch is a Tensor, plain numpy otherwise."""
    if isinstance(x, Node) or isinstance(y, Node):
        node = x if isinstance(x, Node) else y
        return node._apply(Where, cond, x, y)
    return np.where(cond, x, y)


def _swap(x: Any) -> Any:
    """Swap the last two axes (the matrix transpose of a batch of matrices)."""
    return x.T if x.ndim == 2 else x.swapaxes(-1, -2)


class _Masked(Op):
    """An op whose backward is told which inputs need a gradient (``saved`` = tuple of bools)."""

    saves = True
    needs_mask = True


# --- binary arithmetic ----------------------------------------------------------------------------

_BROADCAST = "{op}: shapes {a} and {b} cannot be broadcast"


class Add(Op):
    """f(a, b) = a + b;  df/da = 1, df/db = 1"""

    name = "add"
    shape_error = _BROADCAST
    forward = staticmethod(np.add)
    backward = staticmethod(lambda g, out, a, b: (g, g))


class Sub(_Masked):
    """f(a, b) = a - b;  df/da = 1, df/db = -1"""

    name = "sub"
    shape_error = _BROADCAST
    forward = staticmethod(np.subtract)
    backward = staticmethod(lambda g, out, need, a, b: (g, -g if need[1] else None))


class Mul(_Masked):
    """f(a, b) = a * b;  df/da = b, df/db = a"""

    name = "mul"
    shape_error = _BROADCAST
    forward = staticmethod(np.multiply)

    @staticmethod
    def backward(g, out, need, a, b):
        return (g * b if need[0] else None), (g * a if need[1] else None)


class Div(_Masked):
    """f(a, b) = a / b;  df/da = 1 / b, df/db = -a / b**2 = -f / b"""

    name = "div"
    shape_error = _BROADCAST
    forward = staticmethod(np.true_divide)

    @staticmethod
    def backward(g, out, need, a, b):
        ga = g / b if need[0] else None
        return ga, (-(ga if ga is not None else g / b) * out if need[1] else None)


class PowConst(Op):
    """f(a, c) = a ** c for a constant c;  df/da = c * a**(c-1)"""

    name = "pow"
    shape_error = _BROADCAST
    forward = staticmethod(np.power)

    @staticmethod
    def backward(g, out, a, c):
        if np.ndim(c) == 0 and c == 2:
            return g * (a * 2), None  # the common square, without a second power
        return g * (a ** (c - 1) * c), None


class Pow(_Masked):
    """f(a, b) = a ** b;  df/da = b * a**(b-1), df/db = a**b * ln(a)"""

    name = "pow"
    shape_error = _BROADCAST
    forward = staticmethod(np.power)

    @staticmethod
    def backward(g, out, need, a, b):
        ga = g * (a ** (b - 1) * b) if need[0] else None
        # ln(a) is real only for a > 0; elsewhere the exponent gets no gradient (as PyTorch gives 0 at a=0)
        positive = _raw(a) > 0
        gb = g * out * _log(_where(positive, a, 1.0)) if need[1] else None
        return ga, gb


class Maximum(_Masked):
    """f(a, b) = max(a, b);  df/da = [a > b] (1/2 at ties), df/db = [b > a] (1/2 at ties)"""

    name = "maximum"
    shape_error = _BROADCAST
    forward = staticmethod(np.maximum)

    @staticmethod
    def backward(g, out, need, a, b):
        ra, rb = _raw(a), _raw(b)
        share = np.where(ra > rb, 1.0, np.where(ra == rb, 0.5, 0.0)).astype(g.dtype)
        return (g * share if need[0] else None), (g * (1 - share) if need[1] else None)


class Minimum(_Masked):
    """f(a, b) = min(a, b);  df/da = [a < b] (1/2 at ties), df/db = [b < a] (1/2 at ties)"""

    name = "minimum"
    shape_error = _BROADCAST
    forward = staticmethod(np.minimum)

    @staticmethod
    def backward(g, out, need, a, b):
        ra, rb = _raw(a), _raw(b)
        share = np.where(ra < rb, 1.0, np.where(ra == rb, 0.5, 0.0)).astype(g.dtype)
        return (g * share if need[0] else None), (g * (1 - share) if need[1] else None)


class Where(_Masked):
    """f(c, a, b) = a where c else b;  df/da = [c], df/db = [not c]"""

    name = "where"
    forward = staticmethod(np.where)

    @staticmethod
    def backward(g, out, need, cond, a, b):
        ga = _where(cond, g, 0.0) if need[1] else None
        return None, ga, (_where(cond, 0.0, g) if need[2] else None)


class MatMul(_Masked):
    """f(a, b) = a @ b;  df/da = g @ b^T, df/db = a^T @ g  (batched over leading axes)"""

    name = "matmul"
    shape_error = "{op}: shapes {a} and {b} are not aligned"

    forward = staticmethod(np.matmul)

    @staticmethod
    def backward(g, out, need, a, b):
        a_vec, b_vec = a.ndim == 1, b.ndim == 1
        if not (a_vec or b_vec):  # the common case: matrices (or batches of them)
            return (g @ _swap(b) if need[0] else None), (_swap(a) @ g if need[1] else None)
        # a vector operand is a 1-row (or 1-column) matrix whose extra axis was dropped from g
        a2 = a.reshape((1, a.shape[0])) if a_vec else a
        b2 = b.reshape((b.shape[0], 1)) if b_vec else b
        g2 = g
        if a_vec and b_vec:
            g2 = g.reshape((1, 1))
        elif a_vec:
            g2 = g.reshape(g.shape[:-1] + (1, g.shape[-1]))
        elif b_vec:
            g2 = g.reshape(g.shape + (1,))
        ga = gb = None
        if need[0]:
            ga = g2 @ _swap(b2)
            if a_vec:
                ga = ga.reshape(ga.shape[:-2] + (ga.shape[-1],))
        if need[1]:
            gb = _swap(a2) @ g2
            if b_vec:
                gb = gb.reshape(gb.shape[:-1])
        return ga, gb


# --- unary elementwise ----------------------------------------------------------------------------


class Neg(Op):
    """f(a) = -a;  df/da = -1"""

    name = "neg"
    forward = staticmethod(np.negative)
    backward = staticmethod(lambda g, out, a: (-g,))


class Exp(Op):
    """f(a) = e**a;  df/da = e**a = f(a)"""

    name = "exp"
    forward = staticmethod(np.exp)
    backward = staticmethod(lambda g, out, a: (g * out,))


class Log(Op):
    """f(a) = ln(a);  df/da = 1 / a"""

    name = "log"
    forward = staticmethod(np.log)
    backward = staticmethod(lambda g, out, a: (g / a,))


class Sqrt(Op):
    """f(a) = sqrt(a);  df/da = 1 / (2 sqrt(a)) = 1 / (2 f)"""

    name = "sqrt"
    forward = staticmethod(np.sqrt)
    backward = staticmethod(lambda g, out, a: (g / (out * 2),))


class Abs(Op):
    """f(a) = |a|;  df/da = sign(a)  (0 at a = 0, as in PyTorch)"""

    name = "abs"
    forward = staticmethod(np.abs)
    backward = staticmethod(lambda g, out, a: (g * np.sign(_raw(a)),))


class Tanh(Op):
    """f(a) = tanh(a);  df/da = 1 - tanh(a)**2 = 1 - f**2"""

    name = "tanh"
    forward = staticmethod(np.tanh)
    backward = staticmethod(lambda g, out, a: (g * (1 - out * out),))


class Sigmoid(Op):
    """f(a) = 1 / (1 + e**-a);  df/da = f (1 - f)"""

    name = "sigmoid"

    @staticmethod
    def forward(a):
        # e**-|a| never overflows: sigmoid(a) = 1/(1+e**-a) for a >= 0, e**a/(1+e**a) otherwise
        e = np.exp(-np.abs(a))
        return np.where(a >= 0, 1, e) / (1 + e)

    backward = staticmethod(lambda g, out, a: (g * (out * (1 - out)),))


class Relu(Op):
    """f(a) = max(a, 0);  df/da = [a > 0]"""

    name = "relu"
    forward = staticmethod(lambda a: np.maximum(a, 0))
    backward = staticmethod(lambda g, out, a: (g * (_raw(out) > 0),))
    backward_owned = staticmethod(lambda g, out, a: (np.multiply(g, out > 0, out=g),))


class LeakyRelu(Op):
    """f(a, s) = a if a > 0 else s * a;  df/da = 1 if a > 0 else s"""

    name = "leaky_relu"
    forward = staticmethod(lambda a, slope: np.where(a > 0, a, a * slope))

    @staticmethod
    def backward(g, out, a, slope):
        return g * np.where(_raw(a) > 0, 1, slope).astype(g.dtype), None


class Clip(Op):
    """f(a, lo, hi) = min(max(a, lo), hi);  df/da = [lo <= a <= hi]"""

    name = "clip"

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
    makes_float64 = True  # asked for explicitly: Tensor._apply must not demote it to float32
    forward = staticmethod(lambda a, dtype: a.astype(dtype))
    backward = staticmethod(lambda g, out, a, dtype: (g.astype(a.dtype), None))
