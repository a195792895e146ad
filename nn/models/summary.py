"""``model.summary()``: Keras's table of layers, output shapes and parameter counts.

Example output for the seed's CNN (150x150 RGB inputs)::

    Model: "sequential"
    _________________________________________________________________
     Layer (type)                Output Shape              Param #
    =================================================================
     conv2d (Conv2D)             (None, 148, 148, 32)      896
     ...
    =================================================================
    Total params: 19,034,177 (72.61 MB)
    Trainable params: 19,034,177 (72.61 MB)
    Non-trainable params: 0 (0.00 B)
    _________________________________________________________________
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def _size(weights: list[Any]) -> tuple[int, int]:
    """(number of values, bytes) of a list of Tensors/arrays."""
    arrays = [np.asarray(getattr(w, "data", w)) for w in weights]
    return int(sum(a.size for a in arrays)), int(sum(a.nbytes for a in arrays))


def format_bytes(n: int) -> str:
    """``76136708`` -> ``"72.61 MB"`` (binary units, as Keras prints them)."""
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.2f} {unit}"
        value /= 1024
    return f"{value:.2f} GB"  # pragma: no cover - the loop always returns


def _rows(model: Any) -> tuple[list[list[str]], bool]:
    """One row per layer: name (type), output shape, parameters [, connected to]; and whether the
    "Connected to" column applies (functional models)."""
    if hasattr(model, "_nodes"):  # a functional model: shapes and inputs from the recorded calls
        own = {id(n) for n in model._nodes}
        rows = []
        for layer in model.layers:
            nodes = [n for n in layer.__dict__.get("_inbound_nodes", []) if id(n) in own]
            outs = [t for n in nodes for t in n.output_tensors] or [layer.output_tensor]
            shape = ", ".join(str(t.shape) for t in outs[:1])
            links = [f"{t.node.layer.name}[{_node_index(t)}][{t.index}]" for n in nodes for t in n.inputs]
            name = f" {layer.name} ({type(layer).__name__})"
            rows.append([name, shape, _params(layer), ", ".join(links) or "-"])
        return rows, True
    from .sequential import Sequential

    rows, shape = [], model.input_shape if isinstance(model, Sequential) else None
    for layer in model.layers:
        if shape is not None:  # a Sequential: each layer's output is the next one's input
            shape = layer.compute_output_shape(shape)
            text = str(tuple(shape))
        else:  # a subclassed model: each built layer knows its own shapes
            try:
                text = str(tuple(layer.output_shape))
            except (AttributeError, TypeError, ValueError):
                text = "?"
        rows.append([f" {layer.name} ({type(layer).__name__})", text, _params(layer)])
    return rows, False


def _node_index(t: Any) -> int:
    """Which call of its layer made ``t`` (Keras's ``layer[node][tensor]`` notation)."""
    nodes = t.node.layer.__dict__.get("_inbound_nodes", [])
    return next((i for i, n in enumerate(nodes) if n is t.node), 0)


def _params(layer: Any) -> str:
    try:
        return f"{layer.count_params():,}"
    except ValueError:  # not built yet
        return "0 (unbuilt)"


def summary_text(model: Any, line_length: int | None = None) -> str:
    """The summary table of a built model as one string (``summary()`` prints it).

    Columns are as wide as Keras's (29, 26, 10 characters, and 20 for "Connected to") or wider when
    a name or shape needs it, so nothing is cut; ``line_length`` widens the table further.
    """
    if not model.built:
        raise ValueError(
            f"{type(model).__name__} '{model.name}': summary() needs the layers' shapes, but the model "
            "has not been built; pass input_shape= to the first layer, start with nn.Input(shape), call "
            "model.build((None, *sample_shape)), or call the model on a batch of data first"
        )
    rows, connected = _rows(model)
    header = [" Layer (type)", "Output Shape", "Param #", *(["Connected to"] if connected else [])]
    minimums = (29, 26, 10, 20)[: len(header)]
    widths = [max(minimum, *(len(r[i]) + 2 for r in rows), 0) for i, minimum in enumerate(minimums)]
    width = max(sum(widths), line_length or 0)
    widths[-1] += width - sum(widths)

    def row(cells: list[str]) -> str:
        return "".join(cell.ljust(w) for cell, w in zip(cells, widths, strict=True)).rstrip()

    lines = [f'Model: "{model.name}"', "_" * width, row(header), "=" * width]
    for i, cells in enumerate(rows):
        lines.append(row(cells))
        if i < len(rows) - 1:
            lines.append("")
    lines.append("=" * width)
    trainable, trainable_bytes = _size(model.parameters())
    frozen, frozen_bytes = _size([b for _, b in model.named_buffers()])
    lines += [
        f"Total params: {trainable + frozen:,} ({format_bytes(trainable_bytes + frozen_bytes)})",
        f"Trainable params: {trainable:,} ({format_bytes(trainable_bytes)})",
        f"Non-trainable params: {frozen:,} ({format_bytes(frozen_bytes)})",
        "_" * width,
    ]
    return "\n".join(lines)


def print_summary(model: Any, line_length: int | None = None,
                  print_fn: Callable[[str], Any] | None = None) -> None:
    """Print ``summary_text`` line by line through ``print_fn`` (default ``print``)."""
    text = summary_text(model, line_length)
    for line in text.split("\n"):
        (print_fn or print)(line)
