"""``draw``: a picture of a graph (Graphviz DOT), with a readable text version when Graphviz is missing.

Scalar nodes are drawn micrograd-style, a record ``label | data | grad`` fed by a small node for the
op that made it; array nodes show their label, shape, dtype and a summary of their gradient. The
nodes come from ``topological_order`` (the one graph walk), so huge graphs are cut to the part
nearest the root.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from typing import Any

from .graph import Node, topological_order

__all__ = ["Drawing", "draw"]

_HIGHLIGHT = 'style="filled,bold", fillcolor="#ffe082", penwidth=2'
_FORMATS = ("svg", "png", "pdf")


def draw(
    root: Node,
    rankdir: str = "LR",
    show_grad: bool = True,
    highlight: Node | Iterable[Node] | None = None,
    max_nodes: int = 200,
) -> Drawing:
    """Draw the graph that computed ``root``: one record per node, one small node per op.

    In Jupyter the result renders as SVG; ``.source`` is the DOT text and ``.save(path)`` writes
    an ``.svg``, ``.png`` or ``.pdf``. Without the Graphviz ``dot`` program (or the ``graphviz``
    Python package) it shows the same graph as text instead of raising.

    Args:
        root: the node to draw the graph of (a ``Value`` or a ``Tensor``).
        rankdir: Graphviz layout direction: "LR" (left to right) or "TB" (top to bottom).
        show_grad: show each node's ``.grad`` (a Tensor's as mean and largest magnitude).
        highlight: a node or nodes to mark (filled yellow).
        max_nodes: draw at most this many nodes, the ones nearest the root; the rest become one
            "... k more nodes" box.

    Example:
        >>> from autograd import Value, draw
        >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
        >>> d = a * b; d.label = "d"; d.backward()
        >>> picture = draw(d)
        >>> "{ a | data 2.0000 | grad -3.0000 }" in picture.source
        True
    """
    return _drawing(root, rankdir, show_grad, highlight, max_nodes)


def _drawing(
    root: Node,
    rankdir: str = "LR",
    show_grad: bool = True,
    highlight: Node | Iterable[Node] | None = None,
    max_nodes: int = 200,
    grads: dict | None = None,
) -> Drawing:
    """``draw`` with ``grads``: gradients to show instead of ``.grad`` (stepping draws partial passes)."""
    if not isinstance(root, Node):
        raise TypeError(f"draw: expected a Value or Tensor, received {type(root).__name__}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"draw: rankdir must be 'LR', 'TB', 'RL' or 'BT', received rankdir={rankdir!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw: max_nodes must be a positive integer, received max_nodes={max_nodes!r}")
    marked = {highlight} if isinstance(highlight, Node) else set(highlight or ())
    order = topological_order(root, allow_freed=True)
    hidden = max(len(order) - max_nodes, 0)
    shown = order[hidden:]  # the nodes nearest the root come last in topological order
    ids = {node: f"n{i}" for i, node in enumerate(shown)}
    names = {node: _name(node, i) for i, node in enumerate(shown)}

    def grad_of(node: Node) -> Any:
        if grads is None:
            return node.grad
        return grads.get(node)

    dot = [f"digraph {{\n  rankdir={rankdir};\n  node [fontname=Helvetica, fontsize=11];"]
    text = [f"graph of {names[root]}: {len(order)} nodes" + (f", {hidden} not shown" if hidden else "")]
    if hidden:
        dot.append(f'  more [shape=box, style=dashed, label="... {hidden} more nodes"];')
        text.append(f"  ... {hidden} more nodes")
    for node in shown:
        nid = ids[node]
        fields = _fields(node, grad_of(node), show_grad)
        style = f", {_HIGHLIGHT}" if node in marked else ""
        dot.append(f'  {nid} [shape=record, label="{{ {" | ".join(_esc(f) for f in fields)} }}"{style}];')
        if node._op is None:
            text.append(_text_line(node in marked, names[node], "leaf", fields[1:]))
            continue
        dot.append(f'  {nid}_op [label="{_esc(node.op)}", shape=ellipse, margin="0.05,0.02"];')
        dot.append(f"  {nid}_op -> {nid};")
        inputs = node._inputs or ()
        args, from_hidden = [], False
        for k, x in enumerate(inputs):
            if isinstance(x, Node):
                if x in ids:
                    dot.append(f"  {ids[x]} -> {nid}_op;")
                    args.append(names[x])
                elif not from_hidden:  # one edge from the placeholder, however many hidden inputs
                    dot.append(f"  more -> {nid}_op;")
                    from_hidden = True
                    args.append("...")
            elif isinstance(x, (int, float)) and not node._broadcasts:  # a scalar op's number constant
                dot.append(f'  {nid}_c{k} [shape=plaintext, label="{x:.4g}"];\n  {nid}_c{k} -> {nid}_op;')
                args.append(f"{x:.4g}")
        formula = f"{node.op}({', '.join(args)})" if node._inputs is not None else f"{node.op}(freed)"
        text.append(_text_line(node in marked, names[node], formula, fields[1:]))
    dot.append("}")
    return Drawing("\n".join(dot) + "\n", "\n".join(text))


def _name(node: Node, index: int) -> str:
    return node.label or f"#{index}"


def _fields(node: Node, grad: Any, show_grad: bool) -> list[str]:
    """The record's fields: label, then data (or shape and dtype), then grad."""
    data = node.data
    if hasattr(data, "shape"):  # an array node
        fields = [node.label or node.op or "tensor", f"{tuple(data.shape)} {data.dtype}"]
        if show_grad:
            fields.append("grad " + _summary(grad))
        return fields
    fields = [node.label, f"data {_number(data):.4f}"]
    if show_grad:
        fields.append(f"grad {_number(grad):.4f}")
    return fields


def _number(x: Any) -> float:
    if x is None:
        return 0.0
    return float(x.data if isinstance(x, Node) else x)


def _summary(grad: Any) -> str:
    """A Tensor gradient in a few characters: mean and largest magnitude, or "none"."""
    if grad is None:
        return "none"
    import numpy as np  # array nodes exist, so numpy is there

    g = np.asarray(grad.data if isinstance(grad, Node) else grad)
    if g.size == 1:
        return f"{float(g.reshape(())):.4g}"
    return f"mean {float(g.mean()):.3g}, |max| {float(np.abs(g).max()):.3g}"


def _esc(text: str) -> str:
    """Escape the characters that mean something inside a Graphviz record label."""
    for ch in '\\{}|<>"':
        text = text.replace(ch, "\\" + ch)
    return text


def _text_line(marked: bool, name: str, formula: str, fields: list[str]) -> str:
    lead = "> " if marked else "  "
    head = f"{name} = {formula}" if formula != "leaf" else f"{name} (leaf)"
    return f"{lead}{head:<32} " + "  ".join(fields)


class Drawing:
    """A drawn graph: SVG in Jupyter, ``.source`` (DOT text), ``.text`` and ``.save(path)``.

    Without Graphviz it displays ``.text``, a line per node in topological order, and never raises
    on display; only ``save`` needs Graphviz.
    """

    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.text = text
        self._svg: str | None = None

    def __repr__(self) -> str:
        return self.text

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        bundle = {"text/plain": self.text}
        svg = self._try_svg()
        if svg is not None:
            bundle["image/svg+xml"] = svg
            # also as inline HTML: exporters that pick HTML keep the picture as real <svg> markup
            bundle["text/html"] = f'<div class="stepgrad-drawing">{svg[svg.find("<svg"):]}</div>'
        return bundle

    def _repr_svg_(self) -> str | None:
        return self._try_svg()

    def _try_svg(self) -> str | None:
        """The SVG, or None when Graphviz is missing or fails (display must never raise)."""
        try:
            return self.svg()
        except Exception:  # any rendering problem falls back to text
            return None

    def svg(self) -> str:
        """The picture as SVG text (needs Graphviz)."""
        if self._svg is None:
            self._svg = self.render("svg").decode("utf-8")
        return self._svg

    def render(self, format: str = "svg") -> bytes:
        """The picture in ``format`` ("svg", "png" or "pdf") as bytes, drawn by Graphviz's ``dot``."""
        if format not in _FORMATS:
            raise ValueError(f"Drawing.render: format must be one of {_FORMATS}, received format={format!r}")
        try:
            import graphviz
        except ImportError:
            raise ImportError(
                'Drawing: rendering needs the graphviz Python package: pip install "stepgrad[viz]"'
            ) from None
        if shutil.which("dot") is None:
            raise RuntimeError(
                "Drawing: rendering needs the Graphviz program `dot`, which is not on PATH; install "
                "Graphviz (Debian/Ubuntu: apt-get install graphviz, macOS: brew install graphviz)"
            )
        return graphviz.Source(self.source).pipe(format=format)

    def save(self, path: str | os.PathLike) -> str:
        """Write the picture to ``path``; its suffix (.svg, .png, .pdf, or .dot/.gv for the source) picks
        the format. The file appears complete or not at all (written beside it, then renamed)."""
        path = os.fspath(path)
        suffix = os.path.splitext(path)[1].lower().lstrip(".")
        if suffix in ("dot", "gv"):
            data = self.source.encode("utf-8")
        elif suffix in _FORMATS:
            data = self.render(suffix)
        else:
            raise ValueError(f"Drawing.save: use a .svg, .png, .pdf or .dot suffix, received {path!r}")
        folder = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".draw-", suffix="." + suffix)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.remove(tmp)
            raise
        return path
