"""backward_steps and step_through: the real pass, one node at a time, explained with real numbers."""

import html
import importlib
import json
import re
import time

import numpy as np
import pytest

from autograd import Tensor, Value, backward_steps, step_through
from autograd.stepping import Stepper

draw_module = importlib.import_module("autograd.draw")  # the module (autograd.draw is the function)


def micrograd_example():
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    f = Value(-2.0, label="f")
    loss = d * f
    loss.label = "L"
    return (a, b, c, f), loss


def test_steps_follow_backward_order_and_explain_the_arithmetic():
    (a, b, c, f), loss = micrograd_example()
    steps = backward_steps(loss)
    assert [s.node.label for s in steps] == ["L", "f", "d", "c", "e", "b", "a"]
    assert steps[0].grad == 1.0
    text = steps[4].explain()
    assert "e = a * b" in text
    assert "a.grad += e.grad * de/da = -2.0 * -3.0 = 6.0" in text
    assert "b.grad += e.grad * de/db = -2.0 * 2.0 = -4.0" in text
    assert "is a leaf" in steps[-1].explain()
    mul = steps[4].contributions
    assert [(c.parent, c.local, c.amount) for c in mul] == [(a, -3.0, 6.0), (b, 2.0, -4.0)]


def test_grads_are_left_as_backward_leaves_them_and_contributions_add_up():
    leaves, loss = micrograd_example()
    steps = backward_steps(loss)
    got = [x.grad for x in leaves]
    totals = {x: 0.0 for x in leaves}
    for step in steps:
        for c in step.contributions:
            if c.parent in totals:
                totals[c.parent] += c.amount
    leaves2, loss2 = micrograd_example()
    loss2.backward()
    assert got == [x.grad for x in leaves2] == [totals[x] for x in leaves]


def test_contributions_add_up_on_a_random_network():
    rng = np.random.default_rng(0)
    xs = [Value(float(v)) for v in rng.standard_normal(4)]
    h = [(xs[i] * xs[(i + 1) % 4] + xs[i].tanh()).relu() for i in range(4)]
    out = (h[0] * h[1] + h[2].exp() - h[3] ** 2).sigmoid()
    steps = backward_steps(out)
    grads = [x.grad for x in xs]
    for x in xs:
        x.grad = 0.0
    out.backward()
    assert grads == pytest.approx([x.grad for x in xs], rel=1e-12)
    for x in xs:
        assert sum(c.amount for s in steps for c in s.contributions if c.parent is x) == pytest.approx(x.grad)


def test_step_draw_shows_grads_as_of_that_step_and_highlights_the_node():
    (a, b, c, f), loss = micrograd_example()
    steps = backward_steps(loss)
    source = steps[2].draw().source  # after d: c and e have their gradient, a and b not yet
    assert '"c | data 10 | grad -2"' in source
    assert '"a | data 2 | grad 0"' in source
    assert re.search(r'"d \| data 4 \| grad -2", style=', source)
    assert a.grad == 6.0  # the real gradients are untouched by drawing


def test_a_node_used_twice_appears_twice_in_one_step():
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    step = backward_steps(y)[0]
    assert step.explain().count("x.grad += y.grad * dy/dx = 1.0 * 3.0 = 3.0") == 2
    assert x.grad == 6.0


def test_unlabeled_nodes_are_named_by_position():
    x = Value(1.5)
    steps = backward_steps(x.exp() * 2)
    assert "#1.grad += #2.grad * d#2/d#1" in steps[0].explain()


def test_tensor_steps_state_each_rule_as_a_formula_with_shapes():
    w = Tensor(np.ones((2, 3)), requires_grad=True, label="w")
    out = (w * 2.0).sum()
    out.label = "s"
    steps = backward_steps(out)
    assert steps[0].explain().splitlines()[1:] == [
        "  s = sum of #1 over all axes   ((2, 3) -> ())",
        "  #1.grad += s.grad copied along all axes   () -> (2, 3)",
    ]
    assert "  w.grad += #1.grad * 2.0   (2, 3)" in steps[1].explain()
    assert w.grad.tolist() == [[2.0] * 3] * 2
    assert "w | (2, 3) float64 | grad none" in steps[0].draw().source


def test_dense_layer_steps_read_like_the_textbook():
    x = Tensor(np.ones((4, 3)), label="x")
    W = Tensor(np.ones((3, 2)), requires_grad=True, label="W")
    b = Tensor(np.zeros(2), requires_grad=True, label="b")
    h = x @ W + b
    h.label = "h"
    loss = h.sum()
    loss.label = "L"
    text = "\n".join(step.explain() for step in backward_steps(loss))
    assert "  h = #2 + b   ((4, 2), (2,) -> (4, 2))" in text
    assert "  b.grad += h.grad   (4, 2), summed over axis 0 (broadcast undone) -> (2,)" in text
    assert "  W.grad += x.T @ #2.grad   (3, 4) @ (4, 2) -> (3, 2)" in text
    assert "VJP" not in text and "None" not in text


def test_html_stepper_contains_every_frame_and_its_controls():
    (a, *_), loss = micrograd_example()
    stepper = step_through(loss)
    assert isinstance(stepper, Stepper) and len(stepper) == 7
    page = stepper._repr_html_()
    found = re.search(r"var data = (\{.*?\});\n", page, flags=re.S).group(1)
    payload = json.loads(found.replace("<\\/", "</"))
    assert len(payload["frames"]) == len(payload["notes"]) == 7
    assert payload["notes"][4] == backward_steps(micrograd_example()[1])[4].explain()
    assert 'type="range"' in page and ">Prev</button>" in page and ">Next</button>" in page
    assert "addEventListener" in page and "</script>" in page
    assert page.count("</script>") == 1  # frames cannot close the script early
    # the first step is plain markup too, for viewers that strip scripts (GitHub)
    before_script = page[: page.index("<script>")]
    assert "<svg" in before_script and html.escape(payload["notes"][0]) in before_script
    assert "step 1 / 7" in before_script


def test_html_stepper_without_a_renderer_uses_text_frames(monkeypatch):
    monkeypatch.setattr(draw_module, "_find_renderers", lambda: [])
    _, loss = micrograd_example()
    with pytest.warns(RuntimeWarning, match="no Graphviz renderer"):
        page = step_through(loss)._repr_html_()
    assert "<svg" not in page and "<pre>graph of L: 7 nodes" in page


def test_widget_stepper_builds_with_ipywidgets():
    widgets = pytest.importorskip("ipywidgets")
    _, loss = micrograd_example()
    box = step_through(loss, widget=True)
    assert isinstance(box, widgets.VBox)
    (prev, slider, nxt), note = box.children[0].children, box.children[2]
    assert (slider.min, slider.max) == (0, 6)
    assert "step 1/7" in note.value
    nxt.click()
    assert slider.value == 1 and "step 2/7" in note.value
    prev.click()
    prev.click()
    assert slider.value == 0


def payload_of(page):
    found = re.search(r"var data = (\{.*?\});\n", page, flags=re.S).group(1)
    return json.loads(found.replace("<\\/", "</"))


def test_a_small_graph_is_drawn_once_and_each_step_patches_it():
    _, loss = micrograd_example()
    stepper = step_through(loss)
    data = payload_of(stepper._repr_html_())
    assert len(data["pictures"]) == 1 and data["pictures"][0].startswith("<svg")
    # each frame: its picture, the highlighted node's id, and the grad fields that changed
    label = {f"n{k}": node.label for k, node in enumerate(draw_module.topological_order(loss))}
    assert [label[f[1]] for f in data["frames"]] == [s.node.label for s in stepper.steps]
    assert {label[i]: text for i, text in data["frames"][0][2]}["f"] == "grad 4"  # step 1 carries all
    at_d = next(k for k, step in enumerate(stepper.steps) if step.node.label == "d")
    assert sorted((label[i], t) for i, t in data["frames"][at_d][2]) == [("c", "grad -2"), ("e", "grad -2")]


def test_a_2001_node_graph_steps_in_bounded_time_and_size():
    """issue 17: 132 s and 566 MB of HTML before; now a page of bounded size, and the rest a start= away."""
    xs = [Value(float(i % 7) / 7, label=f"x{i}") for i in range(1001)]
    total = xs[0]
    for x in xs[1:]:
        total = total + x  # 1001 leaves and 1000 sums
    assert len(draw_module.topological_order(total)) == 2001
    began = time.perf_counter()
    stepper = step_through(total)
    page = stepper._repr_html_()
    seconds = time.perf_counter() - began
    data = payload_of(page)
    assert len(data["frames"]) == 200 and len(stepper) >= 1000  # one page holds 200 steps
    assert len(page) < 1_500_000, f"{len(page)} bytes"
    assert seconds < 60, f"{seconds:.1f} s"
    assert "step_through(root, start=k)" in page
    for picture in data["pictures"]:  # each part is a window on the graph, readable at full size
        assert picture.count('class="node"') <= 3 * 40
    later = step_through(total, start=1500, max_steps=10)
    later_data = payload_of(later._repr_html_())
    assert len(later_data["frames"]) == 10 and later_data["notes"][0] == later.steps[1500].explain()
    assert "step 1501 / " in later._repr_html_()


def test_stepper_arguments_are_checked():
    _, loss = micrograd_example()
    with pytest.raises(ValueError, match="max_steps"):
        step_through(loss, max_steps=0)
    with pytest.raises(ValueError, match="start"):
        step_through(loss, start=7)


def test_mlp_stepper_page_is_small():
    """issue 10: a stepper over MLP(2, [4, 4, 1]) plus a loss was 4.75 MB of HTML; at most 500 kB now."""
    from nn import MLP

    model = MLP(2, [4, 4, 1])
    loss = (model([Value(0.5), Value(-1.0)]) - 1.0) ** 2
    page = step_through(loss)._repr_html_()
    assert len(page.encode("utf-8")) <= 500_000, len(page)
