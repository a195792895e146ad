"""micrograd's notebooks walk graphs through ``Value._prev`` and ``Value._op``: that code runs unchanged.

The drawing helper below is written the way micrograd's demo notebooks write theirs (a recursive
trace over ``_prev``, one record per Value, one op node named after ``_op``); it only imports
``Value`` from autograd.
"""

from __future__ import annotations

import pytest

from autograd import Value


class _Digraph:
    """The few calls of graphviz.Digraph the helper makes, recorded (graphviz is optional)."""

    def __init__(self, **kwargs):
        self.nodes, self.edges = {}, []

    def node(self, name, label, **kwargs):
        self.nodes[name] = label

    def edge(self, tail, head):
        self.edges.append((tail, head))


def collect(root):
    seen, links = set(), set()

    def visit(v):
        if v in seen:
            return
        seen.add(v)
        for parent in v._prev:
            links.add((parent, v))
            visit(parent)

    visit(root)
    return seen, links


def draw_dot(root, Digraph=_Digraph):
    graph = Digraph(format="svg", graph_attr={"rankdir": "LR"})
    seen, links = collect(root)
    for v in seen:
        key = str(id(v))
        label = "{ %s | data %.4f | grad %.4f }" % (v.label, v.data, v.grad)  # noqa: UP031 (micrograd's style)
        graph.node(name=key, label=label, shape="record")
        if v._op:
            graph.node(name=key + v._op, label=v._op)
            graph.edge(key + v._op, key)
    for a, b in links:
        graph.edge(str(id(a)), str(id(b)) + b._op)
    return graph


def micrograd_demo_graph():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    o = n.relu() + n**2 - n / 2
    o.backward()
    return o, (x1, x2, w1, w2, b, n)


def test_prev_is_the_set_of_parent_values_and_op_the_symbol():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c + a
    assert c._prev == {a, b} and d._prev == {c, a} and a._prev == set()
    assert (a._op, c._op, d._op) == ("", "*", "+")
    assert (c.relu()._op, (c**2)._op, (c**0.5 if c.data > 0 else a**0.5)._op) == ("ReLU", "**2", "**0.5")
    assert ((a - b)._op, (a / b)._op, (-a)._op, a.tanh()._op, a.exp()._op) == ("-", "/", "neg", "tanh", "exp")
    assert (2 * a)._prev == {a}  # constants are not Values: not parents


def test_a_micrograd_style_draw_dot_runs_unchanged():
    o, (x1, x2, w1, w2, b, n) = micrograd_demo_graph()
    graph = draw_dot(o)
    labels = sorted(graph.nodes.values())
    assert sorted(label for label in labels if not label.startswith("{")) == sorted(
        ["*", "*", "+", "+", "ReLU", "**2", "/", "+", "-"]
    )
    assert f"{{ x1 | data 2.0000 | grad {x1.grad:.4f} }}" in labels
    # every edge ends at a node the helper created
    assert all(head in graph.nodes for _, head in graph.edges)
    assert len([v for v in graph.nodes.values() if v.startswith("{")]) == len(collect(o)[0])


def test_the_same_helper_builds_a_real_graphviz_digraph():
    graphviz = pytest.importorskip("graphviz")
    o, _ = micrograd_demo_graph()
    source = draw_dot(o, Digraph=graphviz.Digraph).source
    assert "ReLU" in source and "**2" in source and "record" in source
