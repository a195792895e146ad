"""Ops only ``Value`` has: sin, cos, and the many-input nodes ``vsum`` and ``linear`` make.

The 15 ops Value shares with Tensor (+ - * / ** neg exp log sqrt abs tanh sigmoid relu
leaky_relu) are in ``elementwise.py``, one rule for both. These rules, like those, work on floats
and on Values, so ``create_graph=True`` records them.
"""

from __future__ import annotations

import math
from operator import mul
from typing import Any

from ..graph import Node, Op


def _sin(x: Any) -> Any:
    return x.sin() if isinstance(x, Node) else math.sin(x)


def _cos(x: Any) -> Any:
    return x.cos() if isinstance(x, Node) else math.cos(x)


class Sin(Op):
    """f(a) = sin(a);  df/da = cos(a)"""

    name = "sin"
    text = 'sin({0})'
    grads = ('{g} * cos({0})',)
    forward = scalar_forward = staticmethod(math.sin)
    backward = staticmethod(lambda g, out, a: (g * _cos(a),))


class Cos(Op):
    """f(a) = cos(a);  df/da = -sin(a)"""

    name = "cos"
    text = 'cos({0})'
    grads = ('-{g} * sin({0})',)
    forward = scalar_forward = staticmethod(math.cos)
    backward = staticmethod(lambda g, out, a: (-g * _sin(a),))


class Sum(Op):
    """f(a_1, ..., a_n) = a_1 + ... + a_n;  df/da_i = 1"""

    name = "sum"
    text = 'the sum of its inputs'
    grads = ('{g}',)
    forward = scalar_forward = staticmethod(lambda *a: sum(a))
    backward = staticmethod(lambda g, out, *a: (g,) * len(a))


def affine(ws: list, xs: list, b: float) -> float:
    """w_1 x_1 + ... + w_n x_n + b on floats (one C-level pass)."""
    return sum(map(mul, ws, xs), b)


class Linear(Op):
    """f(b, w_1..w_n, x_1..x_n) = w_1 x_1 + ... + w_n x_n + b;  df/db = 1, df/dw_i = x_i, df/dx_i = w_i"""

    name = "wx+b"
    text = 'w . x + b'
    grads = ('{g}',)

    @staticmethod
    def forward(b, *wx):
        n = len(wx) // 2
        return affine(wx[:n], wx[n:], b)

    scalar_forward = forward

    @staticmethod
    def backward(g, out, b, *wx):
        n = len(wx) // 2
        return (g, *[g * x for x in wx[n:]], *[g * w for w in wx[:n]])
