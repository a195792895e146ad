"""``plot_model``: a picture of a model's layer graph, drawn by ``autograd.draw``'s renderer.

The layer graph (one box per layer, an arrow per tensor passed) is written as DOT text and handed
to ``autograd.draw.Drawing``, which renders it as SVG in Jupyter, saves it to a file, and falls back
to readable text where no Graphviz renderer is installed.
"""

from __future__ import annotations

import os
from typing import Any

from autograd.draw import Drawing


def _label(text: str) -> str:
    """DOT record text with its special characters escaped."""
    for ch in "\\{}|<>\"":
        text = text.replace(ch, "\\" + ch)
    return text


def plot_model(model: Any, to_file: str | os.PathLike | None = None, show_shapes: bool = False,
               show_dtype: bool = False, show_layer_names: bool = True, rankdir: str = "TB",
               expand_nested: bool = False, dpi: int | None = None, show_layer_activations: bool = False,
               show_trainable: bool = False, **kwargs: Any) -> Drawing:
    """Draw ``model``'s layers and how they connect (Keras's ``keras.utils.plot_model``).

    Returns a ``Drawing``: shown as SVG in Jupyter (text without a renderer), with ``.source`` (DOT)
    and ``.save(path)``. Unlike Keras, nothing is written unless ``to_file`` is given.

    Args:
        model: a functional, Sequential or subclassed model (built).
        to_file: also save the picture there (the suffix picks the format: .svg, .png, .dot).
        show_shapes, show_dtype: add each layer's output shape / dtype.
        show_layer_names: box text ``name (Class)`` instead of ``Class``.
        rankdir: "TB" (top to bottom) or "LR".
        show_layer_activations, show_trainable: add the activation / the trainable flag.
        expand_nested, dpi: accepted for Keras compatibility (nested models are one box).

    Example:
        >>> import nn
        >>> x = nn.Input((4,), name="x")
        >>> model = nn.Model(x, nn.layers.Dense(2, name="out")(x))
        >>> print(plot_model(model, show_shapes=True).text)
        x (InputLayer)  (None, 4)
        out (Dense)  (None, 2)  <- x
    """
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ValueError(f"plot_model: rankdir must be 'TB', 'LR', 'BT' or 'RL', received {rankdir!r}")
    boxes, edges = _graph(model)
    lines = [f'digraph "{_label(model.name)}" {{', f"  rankdir={rankdir};",
             '  node [shape=record, fontname="Helvetica", fontsize=11];']
    text = []
    for i, (layer, shape, dtype) in enumerate(boxes):
        name = f"{layer.name} ({type(layer).__name__})" if show_layer_names else type(layer).__name__
        fields = [name]
        if show_shapes:
            fields.append(str(shape))
        if show_dtype:
            fields.append(str(dtype))
        if show_layer_activations and hasattr(layer, "activation_name"):
            fields.append(f"activation: {layer.activation_name}")
        if show_trainable:
            fields.append(f"trainable: {getattr(layer, 'trainable', True)}")
        lines.append(f'  n{i} [label="{{{"|".join(_label(f) for f in fields)}}}"];')
        sources = [boxes[j][0].name for j, k in edges if k == i]
        text.append("  ".join(fields) + (f"  <- {', '.join(sources)}" if sources else ""))
    lines += [f"  n{j} -> n{k};" for j, k in edges]
    lines.append("}")
    drawing = Drawing("\n".join(lines), "\n".join(text))
    if to_file is not None:
        drawing.save(to_file)
    return drawing


def _graph(model: Any) -> tuple[list[tuple[Any, Any, Any]], list[tuple[int, int]]]:
    """Boxes ``(layer, output shape, dtype)`` and edges ``(from box, to box)`` of a model's layers."""
    if hasattr(model, "_nodes"):  # functional: the recorded calls
        own = {id(n) for n in model._nodes}
        index = {id(layer): i for i, layer in enumerate(model.layers)}
        boxes, edges = [], []
        for layer in model.layers:
            nodes = [n for n in layer.__dict__.get("_inbound_nodes", []) if id(n) in own]
            out = nodes[0].output_tensors[0] if nodes else layer.output_tensor
            boxes.append((layer, out.shape, out.dtype))
            edges += [(index[id(t.node.layer)], index[id(layer)]) for n in nodes for t in n.inputs]
        return boxes, list(dict.fromkeys(edges))
    if not model.built:
        raise ValueError(f"plot_model: model '{model.name}' is not built yet; call it on data or build it")
    if hasattr(model, "_symbolic"):  # Sequential: a chain, shapes from its symbolic view
        first, outputs = model._symbolic()
        boxes = [(first.node.layer, first.shape, first.dtype)]
        boxes += [(layer, t.shape, t.dtype) for layer, t in zip(model.layers, outputs, strict=True)]
        return boxes, [(i, i + 1) for i in range(len(boxes) - 1)]
    boxes = []  # a subclassed model: its layers in the order they were assigned (the call is Python code)
    for layer in model.layers:
        try:
            shape = layer.output_shape
        except (AttributeError, TypeError, ValueError):
            shape = "?"
        boxes.append((layer, shape, "float32"))
    return boxes, [(i, i + 1) for i in range(len(boxes) - 1)]
