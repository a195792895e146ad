"""``draw``: a picture of a graph (Graphviz DOT), with a readable text version when Graphviz is missing.

Scalar nodes are drawn micrograd-style, a record ``label | data | grad`` fed by a small node for the
op that made it; array nodes show their label, shape, dtype and a summary of their gradient. The
nodes come from ``topological_order`` (the one graph walk), so huge graphs are cut to the part
nearest the root.

The DOT text is laid out by ``graphviz-pure`` (a Graphviz port that ``pip install "stepgrad[viz]"``
brings, the same bytes on every platform) or else by a system Graphviz ``dot``. Either is run as a
separate program, so a renderer that fails cannot break the Python process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

from .files import atomic_write
from .graph import Node, topological_order

__all__ = ["Drawing", "draw"]

_HIGHLIGHT = 'style="filled,bold", fillcolor="#ffe082", penwidth=2'
_FORMATS = ("svg", "png", "pdf")
# the renderers, in the order they are tried, with the formats each can write
_RENDERERS = (("graphviz-pure", ("svg", "png")), ("dot", ("svg", "png", "pdf")))
_RENDER_TIMEOUT = 120  # seconds: a layout that takes longer is treated as a failure
_INSTALL_HINT = 'pip install "stepgrad[viz]" (brings graphviz-pure) or install Graphviz\'s dot program'


def draw(
    root: Node,
    rankdir: str = "LR",
    show_grad: bool = True,
    highlight: Node | Iterable[Node] | None = None,
    max_nodes: int = 200,
) -> Drawing:
    """Draw the graph that computed ``root``: one record per node, one small node per op.

    In Jupyter the result renders as SVG; ``.source`` is the DOT text and ``.save(path)`` writes
    an ``.svg`` or ``.png`` (``.pdf`` with a system Graphviz). Without a Graphviz renderer, or when
    it fails, it shows the same graph as text (with a one-line warning) instead of raising.

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
        >>> '"a | data 2 | grad -3"' in picture.source
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
    nodes: Sequence[Node] | None = None,
) -> Drawing:
    """``draw`` with two extras for the stepper: ``grads``, gradients to show instead of ``.grad``
    (a partial pass), and ``nodes``, the part of the graph to draw (default: the ``max_nodes`` nodes
    nearest the root). Node ids (``n<k>``, k the position in topological order) are the same in every
    part, so the stepper can find a node in any of its pictures."""
    if not isinstance(root, Node):
        raise TypeError(f"draw: expected a Value or Tensor, received {type(root).__name__}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"draw: rankdir must be 'LR', 'TB', 'RL' or 'BT', received rankdir={rankdir!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw: max_nodes must be a positive integer, received max_nodes={max_nodes!r}")
    marked = {highlight} if isinstance(highlight, Node) else set(highlight or ())
    order = topological_order(root, allow_freed=True)
    position = {node: k for k, node in enumerate(order)}
    if nodes is None:
        shown = order[max(len(order) - max_nodes, 0):]  # the nodes nearest the root come last
    else:
        shown = sorted(nodes, key=position.__getitem__)
    hidden = len(order) - len(shown)
    ids = {node: f"n{position[node]}" for node in shown}
    names = {node: _name(node, position[node]) for node in shown}
    # records stack their fields (label over data over grad): narrow boxes keep wide graphs on screen
    stack = ("{ ", " }") if rankdir in ("TB", "BT") else ("", "")

    def grad_of(node: Node) -> Any:
        if grads is None:
            return node.grad
        return grads.get(node)

    dot = [
        f"digraph {{\n  rankdir={rankdir}; ranksep=0.25; nodesep=0.15;\n"
        "  node [fontname=Helvetica, fontsize=11, margin=\"0.06,0.03\"];\n"
        "  edge [arrowsize=0.7];"
    ]
    text = [f"graph of {_name(root, position[root])}: {len(order)} nodes"
            + (f", {hidden} not shown" if hidden else "")]
    if hidden:
        dot.append(f'  more [shape=box, style=dashed, label="... {hidden} more nodes"];')
        text.append(f"  ... {hidden} more nodes")
    for node in shown:
        nid = ids[node]
        fields = _fields(node, grad_of(node), show_grad)
        fields[0] = node.label or names[node]  # unlabeled Values and Tensors are #k, as in step texts
        style = f", {_HIGHLIGHT}" if node in marked else ""
        label = stack[0] + " | ".join(_esc(f) for f in fields) + stack[1]
        dot.append(f'  {nid} [shape=record, label="{label}"{style}];')
        if node.is_leaf:
            text.append(_text_line(node in marked, names[node], "leaf", fields[1:]))
            continue
        dot.append(f'  {nid}_op [label="{_esc(node.op)}", shape=ellipse, width=0.3, height=0.3, '
                   'margin="0.03,0.01"];')
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
    """The record's fields: label, then data (or shape and dtype), then grad (a str is shown as is)."""
    data = node.data
    if hasattr(data, "shape"):  # an array node
        fields = [node.label or node.op or "tensor", f"{tuple(data.shape)} {data.dtype}"]
    else:
        fields = [node.label, f"data {_number(data):.4g}"]
    if show_grad:
        fields.append(grad if isinstance(grad, str) else _grad_text(node, grad))
    return fields


def _grad_text(node: Node, grad: Any) -> str:
    """A node's grad field: ``grad -3`` for a scalar, a summary for an array."""
    if hasattr(node.data, "shape"):
        return "grad " + _summary(grad)
    return f"grad {_number(grad):.4g}"


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


def _find_renderers() -> list[tuple[str, str, tuple[str, ...]]]:
    """The Graphviz programs available, as ``(name, path, formats)``, in the order they are tried.

    graphviz-pure is looked for on PATH and beside this Python (a notebook kernel started from a
    virtual environment may not have its ``bin`` folder on PATH)."""
    folders = os.pathsep.join(
        [os.environ.get("PATH", ""), os.path.dirname(sys.executable), sysconfig.get_path("scripts")]
    )
    found = []
    for name, formats in _RENDERERS:
        path = shutil.which(name, path=folders if name == "graphviz-pure" else None)
        if path is not None:
            found.append((name, path, formats))
    return found


class Drawing:
    """A drawn graph: SVG in Jupyter, ``.source`` (DOT text), ``.text`` and ``.save(path)``.

    Without a Graphviz renderer it displays ``.text``, a line per node in topological order, and
    never raises on display; only ``save`` (to an image format) needs a renderer.
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
        """The SVG, or None (with a one-line warning) when no renderer works: display never raises."""
        try:
            return self.svg()
        except (RuntimeError, OSError, UnicodeDecodeError) as err:
            warnings.warn(f"{err}; showing the graph as text", RuntimeWarning, stacklevel=3)
            return None

    def svg(self) -> str:
        """The picture as SVG text (needs a Graphviz renderer)."""
        if self._svg is None:
            self._svg = self.render("svg").decode("utf-8")
        return self._svg

    def render(self, format: str = "svg") -> bytes:
        """The picture in ``format`` ("svg", "png" or "pdf") as bytes.

        Drawn by graphviz-pure when installed, else by a system Graphviz ``dot``; PDF needs ``dot``.
        Raises RuntimeError naming what to install when no renderer can write ``format``, or with
        the renderer's message when it fails."""
        if format not in _FORMATS:
            raise ValueError(f"Drawing.render: format must be one of {_FORMATS}, received format={format!r}")
        renderers = _find_renderers()
        if not renderers:
            raise RuntimeError(f"Drawing: no Graphviz renderer found: {_INSTALL_HINT}")
        able = [(name, path) for name, path, formats in renderers if format in formats]
        if not able:
            names = ", ".join(f"{name} writes {'/'.join(formats)}" for name, _, formats in renderers)
            raise RuntimeError(
                f"Drawing: cannot write {format}: {names}; for {format}, install Graphviz's dot program "
                "(Debian/Ubuntu: apt-get install graphviz, macOS: brew install graphviz)"
            )
        name, path = able[0]
        try:
            done = subprocess.run(
                [path, f"-T{format}"], input=self.source.encode("utf-8"), capture_output=True,
                timeout=_RENDER_TIMEOUT, check=False,
            )
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"Drawing: {name} took over {_RENDER_TIMEOUT} s to lay out the graph") \
                from None
        if done.returncode != 0 or not done.stdout:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise RuntimeError(
                f"Drawing: {name} failed (exit {done.returncode}): {message[0] if message else 'no output'}"
            )
        return done.stdout

    def save(self, path: str | os.PathLike) -> str:
        """Write the picture to ``path``; its suffix (.svg, .png, .pdf, or .dot/.gv for the source) picks
        the format. The file appears complete or not at all (written beside it, then renamed), with
        the permissions the umask gives a new file."""
        path = os.fspath(path)
        suffix = os.path.splitext(path)[1].lower().lstrip(".")
        if suffix in ("dot", "gv"):
            data = self.source.encode("utf-8")
        elif suffix in _FORMATS:
            data = self.render(suffix)
        else:
            raise ValueError(f"Drawing.save: use a .svg, .png, .pdf or .dot suffix, received {path!r}")
        atomic_write(path, lambda f: f.write(data))
        return path
