"""The one graph walk and the backprop loop, seen through Values: reuse, diamonds, depth, repeats, memory."""

import gc
import tracemalloc

import pytest

from autograd import Value, enable_grad, grad, is_grad_enabled, no_grad, topological_order, vsum
from autograd.graph import backprop


def test_a_node_used_twice_gets_both_contributions():
    a = Value(3.0, label="a")
    b = a + a
    b.backward()
    assert a.grad == 2.0
    c = Value(3.0)
    (c * c).backward()
    assert c.grad == 6.0


def test_diamond_accumulates_through_both_paths():
    a = Value(2.0, label="a")
    b = a * 3.0
    c = a.exp()
    d = b * c  # d = 3a e^a; dd/da = 3 e^a (1 + a)
    d.backward()
    import math

    assert a.grad == pytest.approx(3 * math.exp(2.0) * 3.0)
    assert b.grad == pytest.approx(math.exp(2.0)) and c.grad == pytest.approx(6.0)
    order = topological_order(d)
    assert order[-1] is d and order.index(a) < min(order.index(b), order.index(c))
    assert len(order) == 4  # a appears once although two paths reach it


def test_hundred_thousand_deep_chain_has_no_recursion_error():
    x = Value(1.0, label="x")
    y = x
    for _ in range(100_000):
        y = y * 1.00001
    y.backward()
    assert x.grad == pytest.approx(1.00001**100_000)
    assert len(topological_order(y)) == 100_001


def test_backward_twice_adds_leaf_grads_exactly_twice():
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    h = a * b          # an intermediate with two consumers
    d = h * h + h
    d.backward()
    first = (a.grad, b.grad)
    assert first == (pytest.approx((2 * -6.0 + 1) * -3.0), pytest.approx((2 * -6.0 + 1) * 2.0))
    d.backward()
    assert (a.grad, b.grad) == (2 * first[0], 2 * first[1])


def test_every_node_keeps_its_grad_after_backward():
    a = Value(1.5)
    b = a * 2.0
    c = b.tanh()
    c.backward()
    assert c.grad == 1.0 and b.grad != 0.0 and a.grad == pytest.approx(2.0 * b.grad)


def test_no_grad_records_nothing_and_restores_the_mode():
    a = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        b = a * a + 1
        with enable_grad():
            c = a * a
    assert is_grad_enabled()
    assert b.parents == () and b.op == "" and c.op == "*"

    @no_grad()
    def f(x):
        return x.exp()

    assert f(a).parents == ()


def test_zero_gradients_cut_off_subgraphs_but_keep_exact_results():
    x = Value(-1.0, label="x")
    w = Value(0.5, label="w")
    y = (x * w).relu()  # dead: everything below gets gradient 0
    z = y + w
    z.backward()
    assert (x.grad, w.grad) == (0.0, 1.0)
    assert grad((x * 2.0).relu(), [x]) == [0.0]  # 0, not None: x is in the graph
    assert grad(w * 1.0, [x]) == [None]  # x is not in that graph at all


def test_grad_returns_without_touching_dot_grad():
    x = Value(3.0)
    (g,) = grad(x**3, [x])
    assert g == 27.0 and x.grad == 0.0


def test_backprop_on_step_sees_every_node_in_order():
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    d = a * b + a
    seen = []
    backprop(d, on_step=lambda node, g, sent: seen.append((node, g, [(x, s) for x, s in sent])))
    assert [n for n, _, _ in seen] == list(reversed(topological_order(d)))
    step_mul = next(s for s in seen if s[0].op == "*")
    assert step_mul[2] == [(a, -3.0), (b, 2.0)]


def test_vsum_is_one_node_even_for_many_values():
    xs = [Value(float(i)) for i in range(5000)]
    s = vsum(xs)
    s.backward()
    assert s.data == sum(range(5000)) and len(s.parents) == 5000
    assert all(x.grad == 1.0 for x in xs)


def test_chain_memory_is_under_400_bytes_per_op():
    n = 20_000
    y = Value(1.0)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(n):
            y = y * 1.0001
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    per_op = (after - before) / n
    assert per_op <= 400, f"{per_op:.0f} bytes per op"
