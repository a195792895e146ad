"""The 15 ops Value and Tensor share: one name, one rule, the same numbers and the same limits.

Every shared op runs on both engines at the same points, including 0 and negative inputs. Where
the Value engine refuses (a named ValueError/ZeroDivisionError: log(0), 0 ** -1, ...), the Tensor
engine must give a non-finite number there (numpy's inf/NaN, as PyTorch does): both say
"undefined". Everywhere else the results and the gradients agree.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from autograd import Tensor, Value
from autograd.graph import Op

UNARY = {
    "neg": lambda x: -x,
    "exp": lambda x: x.exp(),
    "log": lambda x: x.log(),
    "sqrt": lambda x: x.sqrt(),
    "abs": lambda x: abs(x),
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "relu": lambda x: x.relu(),
    "leaky_relu": lambda x: x.leaky_relu(0.1),
    "**0": lambda x: x**0,
    "**2": lambda x: x**2,
    "**3": lambda x: x**3,
    "**0.5": lambda x: x**0.5,
    "**-1": lambda x: x**-1,
}
BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
}
POINTS = [-2.0, -0.5, 0.0, 0.5, 2.0]


def _value_run(fn, xs):
    """(output, [gradients]) on Values, or None when the Value engine refuses (a named error)."""
    vs = [Value(x) for x in xs]
    try:
        out = fn(*vs)
        out.backward()
    except (ValueError, ZeroDivisionError) as error:
        assert str(error), "the refusal must say why"
        return None, out.op if "out" in locals() else None
    return (out.data, [v.grad for v in vs]), out.op


def _tensor_run(fn, xs):
    ts = [Tensor(np.array([x]), requires_grad=True) for x in xs]  # float64
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's "divide by zero" at the limits
        out = fn(*ts)
        out.sum().backward()
    return (float(out.data[0]), [float(t.grad[0]) for t in ts]), out.op


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12, abs=1e-12)


def _compare(fn, xs):
    value, vop = _value_run(fn, xs)
    tensor, top = _tensor_run(fn, xs)
    if vop is not None:
        assert vop == top, f"one name for both engines: Value {vop!r}, Tensor {top!r}"
    if value is None:  # undefined for the Value engine: the Tensor engine must not invent a number
        numbers = [tensor[0], *tensor[1]]
        assert not all(math.isfinite(v) for v in numbers), f"at {xs}: Value refuses, Tensor gives {tensor}"
        return
    assert _same(value[0], tensor[0]), f"forward at {xs}: Value {value[0]}, Tensor {tensor[0]}"
    for i, (gv, gt) in enumerate(zip(value[1], tensor[1], strict=True)):
        assert _same(gv, gt), f"gradient {i} at {xs}: Value {gv}, Tensor {gt}"


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("x", POINTS)
def test_unary_shared_ops_agree_on_both_engines(name, x):
    _compare(UNARY[name], [x])


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("a", POINTS)
@pytest.mark.parametrize("b", [-2.0, 0.0, 0.5, 3.0])
def test_binary_shared_ops_agree_on_both_engines(name, a, b):
    _compare(BINARY[name], [a, b])


def test_x_to_the_0_has_gradient_0_at_0_on_both_engines_like_torch():
    v = Value(0.0)
    (v**0).backward()
    t = Tensor([0.0], requires_grad=True)
    (t**0).sum().backward()
    assert v.grad == 0.0 and t.grad.tolist() == [0.0]
    torch = pytest.importorskip("torch")
    tt = torch.tensor([0.0], requires_grad=True)
    (tt**0).sum().backward()
    assert tt.grad.tolist() == [0.0]


def test_the_15_shared_ops_are_one_class_each():
    a, b = Value(1.5), Value(0.5)
    ta, tb = Tensor([1.5], requires_grad=True), Tensor([0.5], requires_grad=True)
    pairs = [(fn(a), fn(ta)) for fn in UNARY.values()] + [(fn(a, b), fn(ta, tb)) for fn in BINARY.values()]
    rules = {v._rule for v, _ in pairs}
    assert all(v._rule is t._rule for v, t in pairs)
    assert len(rules) == 15  # + - * / neg exp log sqrt abs tanh sigmoid relu leaky_relu, ** twice
    assert {r.name for r in rules} == {"+", "-", "*", "/", "**", "neg", "exp", "log", "sqrt", "abs", "tanh",
                                       "sigmoid", "relu", "leaky_relu"}


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_op_lives_in_autograd_ops():
    modules = {op.__module__ for op in _subclasses(Op) if op.__module__.startswith("autograd")}
    assert modules and all(m.startswith("autograd.ops.") for m in modules), modules
