"""Backprop one node at a time: ``backward_steps`` records the real backward pass, ``step_through`` shows it.

The steps come from ``graph.backprop``'s ``on_step`` hook, so they are exactly what ``backward()``
does, in its order. Each step explains the chain rule with the real numbers and can draw the graph
as it stands after that step.
"""

from __future__ import annotations

import html
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from .draw import Drawing, _drawing, _grad_text
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
        """This step in words: the op with its inputs' names, then what each input's ``.grad`` gets.

        A Value step shows the chain-rule arithmetic (``a.grad += d.grad * dd/da = 1.0 * -3.0 =
        -3.0``); a Tensor step shows the op's rule as a formula with the shapes involved
        (``W.grad += x.T @ g.grad  (3, 4) @ (4, 2) -> (3, 2)``). Nodes are named as in the drawing:
        their label, or ``#k`` (their position in the graph's topological order).
        """
        t = self._trace
        node, name = self.node, t.name(self.node)
        head = f"step {self.index + 1}/{len(t.steps)}: "
        if self.index == 0:
            head += f"{name}.grad = {_fmt(self.grad)} (the root: d{name}/d{name} = 1)"
        else:
            head += f"{name}.grad = {_fmt(self.grad)} (all of its consumers have sent their share)"
        if node.is_leaf:
            return head + f"\n  {name} is a leaf: nothing further to send"
        lines = [head, f"  {name} = {_op_text(node, t.name)}"]
        for c in self.contributions:
            p = t.name(c.parent)
            if c.local is None:  # an array op: the rule is a formula over whole arrays
                lines.append(f"  {p}.grad += {_rule_text(node, c.parent, t.name)}")
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
    op = node._rule
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


_FIELD = re.compile(r"\{(\w+(?:\.T)?)\}")


def _fill(template: str, values: dict[str, str]) -> str:
    """Replace ``{0}``, ``{1.T}``, ``{g}`` ... in an op's ``text``/``grads`` template."""
    return _FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def _axes(axis: Any) -> str:
    if axis is None:
        return "all axes"
    axes = axis if isinstance(axis, tuple) else (axis,)
    return f"axis {axes[0]}" if len(axes) == 1 else f"axes {axes}"


def _fields(node: Node, name_of: Callable[[Node], str], shapes: bool = False) -> dict[str, str]:
    """What an op's templates refer to: each argument's name (or shape), ``g``, ``out``, transposes."""
    out = name_of(node)
    inputs = node._inputs or ()
    values = {"out": out, "g": f"{out}.grad"}
    if shapes:
        values = {"out": str(_shape(node)), "g": str(_shape(node))}
    for i, x in enumerate(inputs):
        if isinstance(x, Node):
            if shapes:
                shape = _shape(x)
                values[str(i)] = str(shape)
                values[f"{i}.T"] = str(shape[:-2] + shape[-2:][::-1])
            else:
                values[str(i)] = name_of(x)
                values[f"{i}.T"] = f"{name_of(x)}.T"
        else:
            values[str(i)] = values[f"{i}.T"] = _constant(x)
        values[f"axes{i}"] = _axes(x) if not isinstance(x, Node) else values[str(i)]
        values[f"index{i}"] = ", ".join(_index_part(p) for p in (x if isinstance(x, tuple) else (x,)))
    values["act"] = ", then relu" if "relu" in inputs[3:4] else ""  # dense's activation
    values["rest"] = ", ".join(name_of(x) if isinstance(x, Node) else _constant(x) for x in inputs[1:])
    # dense's gradient before the activation: g, or g masked where the relu was off
    if node._rule is not None and node._rule.name == "dense" and len(inputs) > 3 and inputs[3] == "relu":
        values["gz"] = f"({values['g']} * ({out} > 0))" if not shapes else values["g"]
    else:
        values["gz"] = values["g"]
    return values


def _index_part(part: Any) -> str:
    """One part of an index as Python writes it: ``1:3``, ``...``, ``None``, ``[0, 0, 2]``."""
    if part is None:
        return "None"  # numpy's newaxis
    if isinstance(part, np.ndarray) and part.ndim == 1 and part.size <= 6:
        return str(part.tolist())
    return _constant(part)


def _op_text(node: Node, name_of: Callable[[Node], str]) -> str:
    """The op that made ``node`` in words: ``x @ W``, ``sum of h over axis 0``, ``relu(z)``."""
    rule = node._rule
    if not rule.text:
        args = ", ".join(name_of(x) if isinstance(x, Node) else _constant(x) for x in node._inputs)
        return f"{node.op}({args})"
    text = _fill(rule.text, _fields(node, name_of)).replace(" + none", "")  # no bias
    if node._broadcasts:
        shapes = ", ".join(str(_shape(x)) for x in node._inputs if isinstance(x, Node))
        text += f"   ({shapes} -> {_shape(node)})"
    return text


def _rule_text(node: Node, parent: Node, name_of: Callable[[Node], str]) -> str:
    """What ``parent.grad`` receives from ``node``: the rule as a formula, then its shapes.

    E.g. ``x.T @ h.grad   (3, 4) @ (4, 2) -> (3, 2)``, or for a broadcast input
    ``h.grad   (4, 2) -> (4, 2), summed over axis 0 (broadcast undone) -> (2,)``.
    """
    rule, inputs = node._rule, node._inputs
    positions = [i for i, x in enumerate(inputs) if x is parent]
    templates = rule.grads
    parts = []
    for i in positions:
        template = templates[min(i, len(templates) - 1)] if templates else None
        if template is None:
            parts.append(f"(the rule of {node.op} for input {i})")
            continue
        names = _fields(node, name_of)
        names["this"] = name_of(parent)
        formula = _fill(template, names)
        shapes = _fill(template, {**_fields(node, name_of, shapes=True), "this": str(_shape(parent))})
        made = _shape(node) if rule.unbroadcasts else _shape(parent)
        # the shapes, unless the formula only names arrays of one shape (an elementwise rule)
        seen = set(re.findall(r"\([\d, ]*\)", shapes))
        if len(seen) > 1:
            formula += f"   {shapes} -> {made}"
        else:
            formula += f"   {seen.pop()} -> {made}" if seen and seen != {str(made)} else f"   {made}"
        if made != _shape(parent):
            formula += f", summed over {_axes(_summed_axes(made, _shape(parent)))} (broadcast undone) -> " \
                       f"{_shape(parent)}"
        parts.append(formula)
    return "  and  ".join(parts) if len(parts) < 2 else "(" + ") + (".join(parts) + ")"


def _shape(x: Any) -> tuple:
    return tuple(getattr(x.data, "shape", ()))


def _summed_axes(big: tuple, small: tuple) -> tuple[int, ...]:
    """The axes of ``big`` that broadcasting added or stretched to make it from ``small``."""
    extra = len(big) - len(small)
    return tuple(range(extra)) + tuple(
        i + extra for i, n in enumerate(small) if n == 1 and big[i + extra] != 1
    )


def _constant(x: Any) -> str:
    """An op's constant argument as a formula shows it: a number, ``array(4,)``, an axis, a word."""
    if isinstance(x, bool) or x is None:
        return repr(x).lower()
    if isinstance(x, np.dtype):
        return str(x)
    if isinstance(x, slice):
        return ":".join("" if v is None else str(v) for v in (x.start, x.stop, x.step)).rstrip(":") or ":"
    if x is Ellipsis:
        return "..."
    if isinstance(x, (int, float)):
        return _fmt(x)
    if hasattr(x, "shape"):
        return f"array{tuple(x.shape)}" if getattr(x, "ndim", 0) else _fmt(x)
    if isinstance(x, str):
        return x
    return repr(x)


def _fmt(x: Any) -> str:
    """A number as people write it (1.0, -3.0, 0.25), or an array as its shape and a summary."""
    if isinstance(x, Node):
        x = x.data
    if hasattr(x, "shape") and getattr(x, "ndim", 0) > 0:
        a = np.asarray(x)
        return f"array{a.shape} (mean {float(a.mean()):.4g}, |max| {float(np.abs(a).max()):.4g})"
    if hasattr(x, "shape"):
        x = x.item()
    text = f"{float(x):.6g}"
    return text if any(ch in text for ch in ".ena") else text + ".0"


# --- the stepper -----------------------------------------------------------------------------------


class Stepper:
    """A backward pass to click through: Prev/Next, a slider, Home/End and the arrow keys.

    Displayed in Jupyter it is a self-contained HTML/JavaScript widget that needs no kernel, so it
    keeps working in a static HTML export. The graph is drawn once (not once per step): each step
    only moves the highlight and rewrites the grad fields that changed. A large graph is drawn in
    parts, each around a run of consecutive steps (the rest of the graph stands behind "... more
    nodes" boxes), and one page holds at most ``max_steps`` steps from ``start`` on: later ones are
    a ``step_through(root, start=...)`` away. ``widget()`` builds the ipywidgets version for a live
    kernel, which draws any step on demand.
    """

    def __init__(self, steps: list[Step], max_nodes: int = 200, start: int = 0, max_steps: int = 200) -> None:
        if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
            raise ValueError(f"step_through: max_steps must be a positive integer, received {max_steps!r}")
        if isinstance(start, bool) or not isinstance(start, int) or not 0 <= start < max(len(steps), 1):
            raise ValueError(
                f"step_through: start must be a step index in [0, {len(steps)}), received start={start!r}"
            )
        self.steps = steps
        self.max_nodes = max_nodes
        self.start = start
        self.max_steps = max_steps
        self._page: dict | None = None

    def __len__(self) -> int:
        return len(self.steps)

    def __repr__(self) -> str:
        return f"<Stepper: {len(self.steps)} backward steps>"

    def frame(self, i: int) -> str:
        """Step ``i``'s drawing as an HTML fragment (its part of the graph): SVG, or the text drawing."""
        step = self.steps[i]
        nodes = _window(step._trace, [step], self.max_nodes)
        drawing = _drawing(step._trace.root, grads=step.grads(), nodes=nodes, highlight=step.node)
        svg = drawing._try_svg()
        if svg is not None:
            return svg[svg.find("<svg"):]  # drop the XML prologue: the SVG goes inside a page
        return f"<pre>{html.escape(drawing.text)}</pre>"

    def page(self) -> dict:
        """What the HTML stepper holds: ``pictures`` (SVG or <pre> fragments), ``frames`` (for each
        shown step: its picture, its node's id and the grad fields it changes) and ``notes``."""
        if self._page is None:
            self._page = _build_page(self.steps, range(self.start, min(self.start + self.max_steps,
                                                                       len(self.steps))), self.max_nodes)
        return self._page

    def _repr_html_(self) -> str:
        uid = "stepgrad-" + uuid.uuid4().hex[:12]
        data = self.page()
        payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")  # never close <script> early
        shown = len(data["frames"])
        lines = max(note.count("\n") + 1 for note in data["notes"])
        more = ""
        if shown < len(self.steps):
            more = (f'<div class="more">steps {self.start + 1}-{self.start + shown} of {len(self.steps)}: '
                    f"step_through(root, start=k) shows the steps from k on</div>")
        # the first picture and note are also plain markup: viewers that strip scripts still show them
        return _HTML.format(
            uid=uid, last=shown - 1, offset=self.start, first=self.start + 1, total=len(self.steps),
            payload=payload,
            picture=data["pictures"][data["frames"][0][0]], note=html.escape(data["notes"][0]),
            height=f"{min(lines, _NOTE_LINES) * 1.3 + 0.6:.1f}em", more=more,
            # the tallest picture's height (pt -> px): controls and explanation stay put across parts
            frame_height=round(max(_size_pt(p, "height") for p in data["pictures"]) * 4 / 3),
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
        slider = w.IntSlider(value=self.start, min=0, max=last, description="step")
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


_NOTE_LINES = 14  # the explanation box is this many lines high at most (longer notes scroll inside it)
_WINDOW = 40  # a large graph is drawn in parts of about this many nodes
_MAX_WIDTH_PT = 760  # a part wider than this (about 1010 px) is split: pictures are never shrunk
_MAX_INPUTS = 12  # a step's inputs drawn beside it; more stand behind the "... more nodes" box


def _window(trace: _Trace, steps: list[Step], max_nodes: int) -> list[Node]:
    """The nodes to draw for a run of steps: the whole graph when it is small, else each step's node
    and its inputs (the rest of the graph is summarised by draw's "... more nodes" box)."""
    if len(trace.order) <= min(max_nodes, _WINDOW):
        return trace.order
    nodes: dict[Node, None] = {}
    for step in steps:
        nodes[step.node] = None
        parents = [x for x in (step.node._inputs or ()) if isinstance(x, Node)]
        nodes.update(dict.fromkeys(parents[:_MAX_INPUTS]))
    return list(nodes)


def _build_page(steps: list[Step], shown: range, max_nodes: int) -> dict:
    """Pictures drawn once per part of the graph, and per step only what changes (see ``Stepper``)."""
    trace = steps[0]._trace
    ids = {node: f"n{k}" for k, node in enumerate(trace.order)}
    # every node's grad field after each shown step, kept as changes: {node: text} per step
    grads = dict(trace.before)
    grads[trace.root] = _plus(grads[trace.root], steps[0].grad)  # the seed
    texts = {node: _grad_text(node, g) for node, g in grads.items()}
    changes: list[dict[Node, str]] = []
    for step in steps[: shown.stop]:
        changed = {}
        for c in step.contributions:
            grads[c.parent] = _plus(grads.get(c.parent), c.amount)
            changed[c.parent] = _grad_text(c.parent, grads[c.parent])
        if step.index == shown.start:
            changed = {**texts, **changed}  # the first shown step carries the whole state
        texts.update(changed)
        if step.index >= shown.start:
            changes.append(changed)
    notes = [steps[i].explain() for i in shown]
    parts = _parts(trace, [steps[i] for i in shown], max_nodes, changes)
    if parts is None:  # no renderer: a text picture per step, the step's node marked, nothing to patch
        pictures = _text_pictures(trace, [steps[i] for i in shown], max_nodes)
        return {"pictures": pictures, "frames": [[k, ids[steps[i].node], []] for k, i in enumerate(shown)],
                "notes": notes}
    pictures, frames = [], []
    for part_steps, picture in parts:
        for step in part_steps:
            delta = changes[step.index - shown.start]
            frames.append([len(pictures), ids[step.node], [[ids[n], t] for n, t in delta.items()]])
        pictures.append(picture)
    return {"pictures": pictures, "frames": frames, "notes": notes}


def _parts(trace: _Trace, steps: list[Step], max_nodes: int,
           changes: list) -> list[tuple[list[Step], str]] | None:
    """Split the shown steps into runs whose part of the graph is small and narrow enough, each
    drawn once: ``(steps, svg)`` pairs; None when no renderer works."""
    runs, current, nodes = [], [], set()
    for step in steps:  # runs of at most about _WINDOW nodes
        touched = set(_window(trace, [step], max_nodes))
        if current and len(nodes | touched) > _WINDOW and len(trace.order) > min(max_nodes, _WINDOW):
            runs.append(current)
            current, nodes = [], set()
        current.append(step)
        nodes |= touched
    runs.append(current)
    first = steps[0].index
    texts: dict[Node, str] = {}  # grad fields after step `applied` (runs come in step order)
    applied = first - 1
    out = []
    pending = list(reversed(runs))
    while pending:
        run = pending.pop()
        nodes = _window(trace, run, max_nodes)
        for k in range(applied + 1, run[0].index + 1):
            texts.update(changes[k - first])
        applied = max(applied, run[0].index)
        # the grad fields as of the run's first step, padded (figure spaces) to their widest text
        # in the run: the layout then has room for every value the fields will show
        widest = {n: len(texts.get(n, "")) for n in nodes}
        for step in run:
            for node, text in changes[step.index - first].items():
                widest[node] = max(widest.get(node, 0), len(text))
        labels = {n: texts.get(n, "").ljust(widest[n], "\u2007") for n in nodes}
        svg = _drawing(trace.root, grads=labels, nodes=nodes, max_nodes=max_nodes)._try_svg()
        if svg is None:
            return None
        svg = svg[svg.find("<svg"):]
        if len(run) > 1 and _size_pt(svg) > _MAX_WIDTH_PT:
            half = len(run) // 2
            pending += [run[half:], run[:half]]
            continue
        out.append((run, svg))
    return out


def _size_pt(svg: str, side: str = "width") -> float:
    """An SVG's ``width`` or ``height`` in points, as Graphviz writes it (0 for a text picture)."""
    head = svg[: svg.find(">")]
    at = head.find(f'{side}="')
    return float(head[at + len(side) + 2: head.find("pt", at)]) if at >= 0 else 0.0


def _text_pictures(trace: _Trace, steps: list[Step], max_nodes: int) -> list[str]:
    """Without a renderer: each step's part of the graph as text, the step's node marked."""
    out = []
    for step in steps:
        nodes = _window(trace, [step], max_nodes)
        drawing = _drawing(trace.root, grads=step.grads(), nodes=nodes, highlight=step.node)
        out.append(f"<pre>{html.escape(drawing.text)}</pre>")
    return out


_HTML = """<style>#{uid} .frame svg {{display:block}}</style>
<div id="{uid}" class="stepgrad-stepper" tabindex="0" style="outline:none">
<div style="display:flex;gap:8px;align-items:center">
<button data-go="-1">Prev</button><input type="range" min="0" max="{last}" value="0" style="flex:1">
<button data-go="1">Next</button>
<span class="counter" style="font-family:monospace">step {first} / {total}</span></div>
{more}<div class="frame" style="overflow:auto;min-height:{frame_height}px">{picture}</div>
<pre class="note" style="font-family:monospace;font-size:13px;line-height:1.3;height:{height};overflow:auto;\
white-space:pre;margin:4px 0;padding:0.3em">{note}</pre></div>
<script>(function () {{
  var data = {payload};
  var root = document.getElementById("{uid}");
  var slider = root.querySelector("input"), frame = root.querySelector(".frame");
  var shownPicture = -1, nodes = {{}}, lit = null;
  function mark(id, on) {{
    var g = nodes[id], shape = g && g.querySelector("polygon, ellipse, path");
    if (!shape) return;
    if (on) {{ shape.setAttribute("data-fill", shape.getAttribute("fill") || "none");
      shape.setAttribute("fill", "#ffe082"); shape.setAttribute("stroke-width", "2.5"); }}
    else {{ shape.setAttribute("fill", shape.getAttribute("data-fill") || "none");
      shape.removeAttribute("stroke-width"); }}
    g.classList.toggle("stepgrad-current", on);
  }}
  function show(i) {{
    i = Math.max(0, Math.min({last}, i));
    var f = data.frames[i];
    if (f[0] !== shownPicture) {{
      frame.innerHTML = data.pictures[f[0]]; shownPicture = f[0]; nodes = {{}}; lit = null;
      frame.querySelectorAll("g.node").forEach(function (g) {{
        var t = g.querySelector("title"); if (t) nodes[t.textContent] = g;
      }});
    }}
    var texts = {{}};
    for (var k = 0; k <= i; k++) data.frames[k][2].forEach(function (c) {{ texts[c[0]] = c[1]; }});
    Object.keys(nodes).forEach(function (id) {{
      if (!(id in texts)) return;
      nodes[id].querySelectorAll("text").forEach(function (t) {{
        if (t.textContent.lastIndexOf("grad ", 0) === 0) t.textContent = texts[id];
      }});
    }});
    if (lit !== null) mark(lit, false);
    lit = f[1]; mark(lit, true);
    slider.value = i;
    root.querySelector(".note").textContent = data.notes[i];
    root.querySelector(".counter").textContent = "step " + ({offset} + i + 1) + " / {total}";
  }}
  slider.addEventListener("input", function () {{ show(parseInt(slider.value, 10)); }});
  root.querySelectorAll("button").forEach(function (b) {{
    b.addEventListener("click", function () {{
      show(parseInt(slider.value, 10) + parseInt(b.dataset.go, 10));
    }});
  }});
  root.addEventListener("keydown", function (e) {{
    var i = parseInt(slider.value, 10);
    var to = {{ArrowLeft: i - 1, ArrowRight: i + 1, Home: 0, End: {last}}}[e.key];
    if (to === undefined || e.target === slider) return;
    e.preventDefault(); show(to);
  }});
  show(0);
}})();</script>"""


def step_through(root: Node, max_nodes: int = 200, widget: bool = False, start: int = 0,
                 max_steps: int = 200) -> Any:
    """A Jupyter stepper over ``backward_steps(root)``: Prev/Next and a slider, drawing plus arithmetic.

    By default it returns a :class:`Stepper`, which displays as self-contained HTML/JavaScript
    that works in a live notebook and in a static HTML export. The graph is drawn once per part
    (a small graph in one piece), and a page holds at most ``max_steps`` steps, so a graph of
    thousands of nodes stays a page of bounded size; ``start`` picks the first step shown.
    ``widget=True`` returns the ipywidgets version instead (needs a live kernel; draws any step).

    Args:
        root: the node to backpropagate from.
        max_nodes: a graph of at most this many nodes (and at most 40) is drawn whole.
        widget: return the ipywidgets stepper instead of the HTML one.
        start: the first step the HTML stepper shows (0-based).
        max_steps: how many steps one HTML stepper holds.

    Example:
        >>> from autograd import Value, step_through
        >>> x = Value(3.0, label="x")
        >>> stepper = step_through((x * x).relu())
        >>> len(stepper), x.grad
        (3, 6.0)
    """
    stepper = Stepper(backward_steps(root), max_nodes=max_nodes, start=start, max_steps=max_steps)
    return stepper.widget() if widget else stepper
