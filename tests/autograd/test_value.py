"""Every Value op, first and second derivatives, against central differences and against PyTorch.

One table of math cases drives all checks: each case is a function of Values written with
operators and methods that torch tensors also understand, plus the points to test it at.
"""

import math

import pytest

from autograd import Value, grad, linear, no_grad, vsum


def leaky(x, slope=0.1):
    if isinstance(x, Value):
        return x.leaky_relu(slope)
    import torch

    return torch.nn.functional.leaky_relu(x, slope)


def total(xs):
    if isinstance(xs[0], Value):
        return vsum(xs)
    return sum(xs[1:], xs[0])


def lin(x, y, z):
    if isinstance(x, Value):
        return linear([x, y], [z, 2.0], bias=0.5)
    return x * z + y * 2.0 + 0.5


# name, function, points (each a tuple of input values)
CASES = [
    ("add", lambda x, y: x + y, [(1.5, -2.0)]),
    ("add_number_right", lambda x: x + 2, [(1.5,)]),
    ("add_number_left", lambda x: 2 + x, [(1.5,)]),
    ("add_self", lambda x: x + x, [(0.7,)]),
    ("sub", lambda x, y: x - y, [(1.5, -2.0)]),
    ("sub_number_right", lambda x: x - 2, [(1.5,)]),
    ("sub_number_left", lambda x: 2 - x, [(1.5,)]),
    ("mul", lambda x, y: x * y, [(1.5, -2.0)]),
    ("mul_number", lambda x: 3 * x * 2, [(1.5,)]),
    ("mul_self", lambda x: x * x * x, [(-1.3,)]),
    ("div", lambda x, y: x / y, [(1.5, -2.0), (-0.3, 0.7)]),
    ("div_number_right", lambda x: x / 4, [(1.5,)]),
    ("div_number_left", lambda x: 3 / x, [(1.5,), (-0.6,)]),
    ("neg", lambda x: -x, [(1.5,)]),
    ("pow_int", lambda x: x**3, [(1.5,), (-0.8,)]),
    ("pow_negative", lambda x: x**-2, [(1.5,), (-0.8,)]),
    ("pow_half", lambda x: x**0.5, [(1.5,)]),
    ("pow_value_exponent", lambda x, y: x**y, [(1.5, 2.5), (0.4, -1.3)]),
    ("rpow", lambda x: 2**x, [(1.5,), (-0.4,)]),
    ("exp", lambda x: x.exp(), [(0.3,), (-1.2,)]),
    ("log", lambda x: x.log(), [(0.3,), (2.5,)]),
    ("sqrt", lambda x: x.sqrt(), [(0.3,), (2.5,)]),
    ("tanh", lambda x: x.tanh(), [(0.3,), (-1.2,)]),
    ("sigmoid", lambda x: x.sigmoid(), [(0.3,), (-4.0,)]),
    ("relu", lambda x: x.relu() * x, [(0.3,), (-1.2,)]),
    ("leaky_relu", lambda x: leaky(x) * x, [(0.3,), (-1.2,)]),
    ("sin", lambda x: x.sin(), [(0.3,), (-1.2,)]),
    ("cos", lambda x: x.cos(), [(0.3,), (-1.2,)]),
    ("abs", lambda x: abs(x) * x, [(0.3,), (-1.2,)]),
    ("sum", lambda x, y, z: total([x, y * y, z, x * z]), [(0.3, -1.2, 2.0)]),
    ("linear", lambda x, y, z: lin(x, y, z) * x, [(0.3, -1.2, 2.0)]),
    ("composite", lambda x, y: (x * y + x.exp()).tanh() / (1 + y * y).sqrt(), [(0.3, -1.2)]),
]
PARAMS = [
    pytest.param(fn, point, id=f"{name}-{i}") for name, fn, points in CASES for i, point in enumerate(points)
]
EPS = 1e-6


def value_of(fn, point):
    with no_grad():
        return fn(*[Value(p) for p in point]).data


def first_derivatives(fn, point):
    xs = [Value(p) for p in point]
    fn(*xs).backward()
    return [x.grad for x in xs]


def central(f, point, i):
    hi = list(point)
    lo = list(point)
    hi[i] += EPS
    lo[i] -= EPS
    return (f(hi) - f(lo)) / (2 * EPS)


def as_number(g):
    """A gradient from grad(): a Value, a plain number (constant) or None (no dependence) -> float."""
    return 0.0 if g is None else float(g.data if isinstance(g, Value) else g)


def hessian(fn, point):
    xs = [Value(p) for p in point]
    firsts = grad(fn(*xs), xs, create_graph=True)
    rows = []
    for g in firsts:
        if isinstance(g, Value):
            rows.append([as_number(h) for h in grad(g, xs)])
        else:  # a constant first derivative: no second derivative
            rows.append([0.0] * len(xs))
    return firsts, rows


@pytest.mark.parametrize("fn, point", PARAMS)
def test_first_derivatives_match_central_differences(fn, point):
    grads = first_derivatives(fn, point)
    for i, g in enumerate(grads):
        expected = central(lambda p: value_of(fn, p), point, i)
        assert g == pytest.approx(expected, rel=1e-6, abs=1e-6), f"input {i}"


@pytest.mark.parametrize("fn, point", PARAMS)
def test_second_derivatives_match_central_differences_of_the_gradient(fn, point):
    firsts, rows = hessian(fn, point)
    assert [as_number(g) for g in firsts] == pytest.approx(first_derivatives(fn, point), rel=1e-12)
    for i, row in enumerate(rows):
        for j, h in enumerate(row):
            expected = central(lambda p, i=i: first_derivatives(fn, p)[i], point, j)
            assert h == pytest.approx(expected, rel=1e-5, abs=1e-5), f"d2f/dx{i}dx{j}"


@pytest.mark.parametrize("fn, point", PARAMS)
def test_first_and_second_derivatives_match_torch(fn, point):
    torch = pytest.importorskip("torch")
    ts = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in point]
    out = fn(*ts)
    tfirst = torch.autograd.grad(out, ts, create_graph=True, allow_unused=True)
    firsts, rows = hessian(fn, point)
    assert value_of(fn, point) == pytest.approx(out.item(), rel=1e-12)
    for i, tg in enumerate(tfirst):
        expected = 0.0 if tg is None else tg.item()
        assert as_number(firsts[i]) == pytest.approx(expected, rel=1e-10, abs=1e-12), f"input {i}"
        if tg is None or not tg.requires_grad:
            assert rows[i] == pytest.approx([0.0] * len(ts))
            continue
        tsecond = torch.autograd.grad(tg, ts, allow_unused=True, retain_graph=True)
        for j, th in enumerate(tsecond):
            assert rows[i][j] == pytest.approx(0.0 if th is None else th.item(), rel=1e-10, abs=1e-12)


def test_backward_create_graph_gives_value_grads_that_differentiate_again():
    x = Value(3.0, label="x")
    y = x**3
    y.backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == 27.0
    dx = x.grad
    x.grad = 0.0
    dx.backward()
    assert x.grad == 18.0


def test_gradient_with_respect_to_an_exponent_value():
    a, b = Value(2.0), Value(3.0)
    (a**b).backward()
    assert a.grad == pytest.approx(12.0)
    assert b.grad == pytest.approx(8.0 * math.log(2.0))


def test_pow_limits_at_zero_base():
    x = Value(0.0)
    (x**2).backward()
    assert x.grad == 0.0
    x = Value(0.0)
    (x**0.5).backward()
    assert x.grad == math.inf  # as in PyTorch
    b = Value(2.0)
    (0.0**b).backward()
    assert b.grad == 0.0


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda: Value("a"), TypeError, ["Value", "str"]),
        (lambda: Value(None), TypeError, ["Value", "NoneType"]),
        (lambda: Value(True), TypeError, ["Value", "bool"]),
        (lambda: Value(-1.0).log(), ValueError, ["log", "-1.0"]),
        (lambda: Value(0.0).log(), ValueError, ["log", "0.0"]),
        (lambda: Value(0.0) ** -1, ValueError, ["**", "-1"]),
        (lambda: 0 ** Value(-2.0), ValueError, ["**", "-2.0"]),
        (lambda: Value(-2.0) ** 0.5, ValueError, ["**", "-2.0", "0.5"]),
        (lambda: Value(-1.0).sqrt(), ValueError, ["sqrt", "-1.0"]),
        (lambda: Value(1.0) / 0, ZeroDivisionError, ["/", "zero"]),
        (lambda: Value(1.0) * "a", TypeError, ["Value", "str"]),
        (lambda: "a" + Value(1.0), TypeError, ["Value", "str"]),
        (lambda: vsum([Value(1.0), "b"]), TypeError, ["sum", "str"]),
        (lambda: vsum([]), ValueError, ["vsum", "empty"]),
        (lambda: linear([Value(1.0)], [1.0, 2.0]), ValueError, ["linear", "1 weights", "2 inputs"]),
        (lambda: linear([Value(1.0)], [[1.0]]), TypeError, ["list"]),
    ],
)
def test_bad_input_raises_naming_the_op_and_the_value(make, error, words):
    with pytest.raises(error) as info:
        make()
    for word in words:
        assert word in str(info.value)


def test_exponent_gradient_with_negative_base_raises():
    b = Value(2.0)
    y = (-2.0) ** b
    assert y.data == 4.0
    with pytest.raises(ValueError, match=r"\*\*.*-2\.0"):
        y.backward()


def test_numbers_of_all_kinds_become_float_constants():
    np = pytest.importorskip("numpy")
    x = Value(np.float32(1.5)) * np.int64(2) + 1
    assert type(x.data) is float and x.data == 4.0
    assert all(type(c) is float for c in x._inputs if not isinstance(c, Value))


def test_value_api_basics():
    a = Value(2.0, label="a")
    b = a * 3
    assert (a.op, a.parents, b.op, b.parents) == ("", (), "*", (a,))
    assert a < b and b > a and a <= 2 and b >= 6.0
    assert len({a, Value(2.0)}) == 2  # identity hashing, not by value
    assert float(b) == 6.0 and "label='a'" in repr(a)
    assert Value(Value(5.0)).data == 5.0
