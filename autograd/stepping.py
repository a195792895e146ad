"""Backprop one node at a time: ``backward_steps`` records the real backward pass, ``step_through`` shows it.

The steps come from ``graph.backprop``'s ``on_step`` hook, so they are exactly what ``backward()``
does, in its order. Each step explains the chain rule with the real numbers and can draw the graph
as it stands after that step.
"""

from __future__ import annotations

import html
import json
import uuid
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .draw import Drawing, _drawing
from .graph import Node, backprop, topological_order

__all__ = ["Contribution", "Step", "Stepper", "backward_steps", "step_through"]


class Contribution(NamedTuple):
    """What one step sends to one input: ``amount = grad * local`` is added to ``parent.grad``."""

    parent: Node
    local: Any  # d node / d parent (a number for Values; None for Tensors, whose rules are VJPs)
    amount: Any


@dataclass(eq=False)
class Step:
    """One node of the backward pass: its gradient and what it adds to each of its inputs.

    Attributes:
        index: position in the pass (0 is the root).
        node: the node being processed.
        grad: d root / d node, complete when the node is reached.
        contributions: ``Contribution(parent, local, amount)`` for every input that gets a gradient.
    """

    index: int
    node: Node
    grad: Any
    contributions: list[Contribution]
    _trace: _Trace = field(repr=False)

    def explain(self) -> str:
        """The chain-rule arithmetic of this step, e.g. ``a.grad += d.grad * dd/da = 1.0 * -3.0 = -3.0``."""
        t = self._trace
        name = t.name(self.node)
        head = f"step {self.index + 1}/{len(t.steps)}: "
        if self.index == 0:
            head += f"{name}.grad = {_fmt(self.grad)} (the root: d{name}/d{name} = 1)"
        else:
            head += f"{name}.grad = {_fmt(self.grad)} (all of its consumers have sent their share)"
        if self.node._op is None:
            return head + f"\n  {name} is a leaf: nothing further to send"
        args = ", ".join(t.name(x) if isinstance(x, Node) else _constant(x) for x in self.node._inputs)
        lines = [head, f"  {name} = {self.node.op}({args})"]
        for c in self.contributions:
            p = t.name(c.parent)
            if c.local is None:  # an array op: its rule is a vector-Jacobian product, shown by its result
                lines.append(
                    f"  {p}.grad += VJP of {self.node.op} applied to {name}.grad = {_fmt(c.amount)}"
                )
            else:
                lines.append(
                    f"  {p}.grad += {name}.grad * d{name}/d{p} = "
                    f"{_fmt(self.grad)} * {_fmt(c.local)} = {_fmt(c.amount)}"
                )
        if not self.contributions:
            lines.append("  (no input needs a gradient)")
        return "\n".join(lines)

    def grads(self) -> dict:
        """Every node's gradient as it stands after this step (the real ``.grad`` is not touched)."""
        return self._trace.grads_after(self.index)

    def draw(self, **kwargs: Any) -> Drawing:
        """The graph after this step, this step's node highlighted (keywords as for ``draw``)."""
        kwargs.setdefault("highlight", self.node)
        return _drawing(self._trace.root, grads=self.grads(), **kwargs)


class _Trace:
    """What ``backward_steps`` saw: the root, the gradients before the pass and the steps."""

    def __init__(self, root: Node) -> None:
        self.root = root
        self.order = topological_order(root)
        self.before = {node: node.grad for node in self.order}
        self.steps: list[Step] = []
        self._names = {node: node.label or f"#{i}" for i, node in enumerate(self.order)}

    def name(self, node: Node) -> str:
        return self._names.get(node) or node.label or "?"

    def grads_after(self, index: int) -> dict:
        grads = dict(self.before)
        grads[self.root] = _plus(grads[self.root], self.steps[0].grad)  # the seed
        for step in self.steps[: index + 1]:
            for c in step.contributions:
                grads[c.parent] = _plus(grads.get(c.parent), c.amount)
        return grads


def _plus(a: Any, b: Any) -> Any:
    return b if a is None else a + b


def backward_steps(root: Node) -> list[Step]:
    """Run ``root.backward()`` one node at a time and return the steps, in the order backward uses.

    Afterwards every ``.grad`` is what ``root.backward()`` would have left; the graph is kept
    (as with ``retain_graph=True``) so that the steps can still be drawn. The contributions of
    all steps to a leaf add up to the gradient backward gives it.

    Args:
        root: the node to backpropagate from (a scalar ``Value`` or a one-element ``Tensor``).

    Example:
        >>> from autograd import Value, backward_steps
        >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
        >>> d = a * b; d.label = "d"
        >>> steps = backward_steps(d)
        >>> print(steps[0].explain().splitlines()[2])
          a.grad += d.grad * dd/da = 1.0 * -3.0 = -3.0
    """
    if not isinstance(root, Node):
        raise TypeError(f"backward_steps: expected a Value or Tensor, received {type(root).__name__}")
    trace = _Trace(root)

    def record(node: Node, g: Any, sent: list) -> None:
        trace.steps.append(Step(len(trace.steps), node, g, _contributions(node, g, sent), trace))

    backprop(root, retain_graph=True, on_step=record)
    return trace.steps


def _contributions(node: Node, g: Any, sent: list) -> list[Contribution]:
    op = node._op
    if op is None or not sent:
        return []
    if node._broadcasts:  # array ops: the amounts are vector-Jacobian products
        return [Contribution(x, None, amount) for x, amount in sent]
    # scalar rules are linear in g, so the rule at g = 1 gives each local derivative
    args = [x.data if isinstance(x, Node) else x for x in node._inputs]
    extra = (node._saved,) if op.saves else ()
    local = op.backward(1.0, node.data, *extra, *args)
    positions = [k for k, x in enumerate(node._inputs) if isinstance(x, Node)]
    return [Contribution(x, local[k], amount) for (x, amount), k in zip(sent, positions, strict=True)]


def _constant(x: Any) -> str:
    """An op's constant argument: a number as a number, an array summarized, anything else (an axis,
    a shape) as Python writes it."""
    if isinstance(x, (int, float)) and not isinstance(x, bool) or hasattr(x, "shape"):
        return _fmt(x)
    return repr(x)


def _fmt(x: Any) -> str:
    """A number as people write it (1.0, -3.0, 0.25), or an array as its shape and a summary."""
    if isinstance(x, Node):
        x = x.data
    if hasattr(x, "shape") and getattr(x, "ndim", 0) > 0:
        import numpy as np

        a = np.asarray(x)
        return f"array{a.shape} (mean {float(a.mean()):.4g}, |max| {float(np.abs(a).max()):.4g})"
    if hasattr(x, "shape"):
        x = x.item()
    text = f"{float(x):.6g}"
    return text if any(ch in text for ch in ".ena") else text + ".0"


# --- the stepper -----------------------------------------------------------------------------------


class Stepper:
    """A backward pass to click through: Prev/Next and a slider over pre-drawn frames.

    Displayed in Jupyter it is a self-contained HTML/JavaScript widget (frames drawn in advance,
    no kernel needed, so it keeps working in a static HTML export). ``widget()`` builds the
    ipywidgets version for a live kernel.
    """

    def __init__(self, steps: list[Step], max_nodes: int = 200) -> None:
        self.steps = steps
        self.max_nodes = max_nodes
        self._frames: list[str] | None = None

    def __len__(self) -> int:
        return len(self.steps)

    def __repr__(self) -> str:
        return f"<Stepper: {len(self.steps)} backward steps>"

    def frame(self, i: int) -> str:
        """Step ``i``'s drawing as an HTML fragment: SVG when Graphviz works, else the text drawing."""
        drawing = self.steps[i].draw(max_nodes=self.max_nodes)
        svg = drawing._try_svg()
        if svg is not None:
            return svg[svg.find("<svg"):]  # drop the XML prologue: the SVG goes inside a page
        return f"<pre>{html.escape(drawing.text)}</pre>"

    def frames(self) -> list[str]:
        if self._frames is None:
            self._frames = [self.frame(i) for i in range(len(self.steps))]
        return self._frames

    def _repr_html_(self) -> str:
        uid = "stepgrad-" + uuid.uuid4().hex[:12]
        data = {"frames": self.frames(), "notes": [s.explain() for s in self.steps]}
        payload = json.dumps(data).replace("</", "<\\/")  # never close the <script> early
        last = len(self.steps) - 1
        # step 1 is also written as plain markup: viewers that strip scripts (GitHub) still show it
        first_frame, first_note = self.frames()[0], html.escape(self.steps[0].explain())
        return _HTML.format(
            uid=uid, last=last, total=last + 1, payload=payload, frame=first_frame, note=first_note
        )

    def widget(self) -> Any:
        """The ipywidgets stepper (slider, Prev/Next, drawing and explanation) for a live kernel."""
        try:
            import ipywidgets as w
        except ImportError:
            raise ImportError(
                'step_through: the live stepper needs ipywidgets: pip install "stepgrad[notebooks]"'
            ) from None
        last = len(self.steps) - 1
        slider = w.IntSlider(value=0, min=0, max=last, description="step")
        prev, nxt = w.Button(description="Prev"), w.Button(description="Next")
        picture, note = w.HTML(), w.HTML()

        def show(change: Any = None) -> None:
            picture.value = self.frame(slider.value)
            note.value = f"<pre>{html.escape(self.steps[slider.value].explain())}</pre>"

        prev.on_click(lambda _: setattr(slider, "value", max(slider.value - 1, 0)))
        nxt.on_click(lambda _: setattr(slider, "value", min(slider.value + 1, last)))
        slider.observe(show, names="value")
        show()
        return w.VBox([w.HBox([prev, slider, nxt]), picture, note])


_HTML = """<div id="{uid}" class="stepgrad-stepper">
<div style="display:flex;gap:8px;align-items:center">
<button data-go="-1">Prev</button><input type="range" min="0" max="{last}" value="0" style="flex:1">
<button data-go="1">Next</button><span class="counter">step 1 / {total}</span></div>
<div class="frame" style="overflow:auto">{frame}</div><pre class="note">{note}</pre></div>
<script>(function () {{
  var data = {payload};
  var root = document.getElementById("{uid}");
  var slider = root.querySelector("input");
  function show(i) {{
    i = Math.max(0, Math.min({last}, i));
    slider.value = i;
    root.querySelector(".frame").innerHTML = data.frames[i];
    root.querySelector(".note").textContent = data.notes[i];
    root.querySelector(".counter").textContent = "step " + (i + 1) + " / " + ({last} + 1);
  }}
  slider.addEventListener("input", function () {{ show(parseInt(slider.value, 10)); }});
  root.querySelectorAll("button").forEach(function (b) {{
    b.addEventListener("click", function () {{
      show(parseInt(slider.value, 10) + parseInt(b.dataset.go, 10));
    }});
  }});
  show(0);
}})();</script>"""


def step_through(root: Node, max_nodes: int = 200, widget: bool = False) -> Any:
    """A Jupyter stepper over ``backward_steps(root)``: Prev/Next and a slider, drawing plus arithmetic.

    By default it returns a :class:`Stepper`, which displays as self-contained HTML/JavaScript
    with every frame drawn in advance: it works in a live notebook and in a static HTML export.
    ``widget=True`` returns the ipywidgets version instead (needs a live kernel).

    Args:
        root: the node to backpropagate from.
        max_nodes: passed to ``draw`` for each frame.
        widget: return the ipywidgets stepper instead of the HTML one.

    Example:
        >>> from autograd import Value, step_through
        >>> x = Value(3.0, label="x")
        >>> stepper = step_through((x * x).relu())
        >>> len(stepper), x.grad
        (3, 6.0)
    """
    stepper = Stepper(backward_steps(root), max_nodes=max_nodes)
    return stepper.widget() if widget else stepper
