"""Functional models: ``nn.Model(inputs, outputs)`` over a graph of layers called on ``nn.Input``.

Calling layers on symbolic tensors records ``CallNode``s (``nn.layers.symbolic``); a ``Functional``
model walks them back from ``outputs`` to ``inputs`` once, keeps them in execution order, and on
data replays them: each layer is applied to the values its recorded inputs took. A layer called
twice shares its weights; a model called on symbolic tensors becomes one node (a nested model).

Example:
    >>> import numpy as np, nn
    >>> image = nn.Input(shape=(4,), name="image"); meta = nn.Input(shape=(2,), name="meta")
    >>> shared = nn.layers.Dense(3, activation="relu", name="shared")
    >>> score = nn.layers.Dense(1, name="score")(shared(image))
    >>> model = nn.Model(inputs=[image, meta], outputs=score, name="demo")
    >>> [layer.name for layer in model.layers]
    ['image', 'meta', 'shared', 'score']
    >>> model.predict([np.ones((2, 4)), np.ones((2, 2))], verbose=0).shape
    (2, 1)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from autograd.tensor import Tensor

from ..layers import Layer
from ..layers.input_layer import InputLayer, deserialize_layer, serialize_layer
from ..layers.symbolic import CallNode, KerasTensor, flatten, map_leaves
from .compile_utils import flatten as flatten_by_name
from .model import Model


class Functional(Model):
    """A model defined by its symbolic ``inputs`` and ``outputs`` (made by ``nn.Model(inputs, outputs)``).

    Args:
        inputs: an ``nn.Input`` tensor, or a list or dict of them.
        outputs: a symbolic tensor computed from them, or a list or dict of such tensors.
        name: the model's name.
    """

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None, trainable: bool = True) -> None:
        super().__init__(name=name, trainable=trainable)
        where = f"Model '{self.name}'"
        for what, struct in (("inputs", inputs), ("outputs", outputs)):
            bad = [v for v in flatten(struct) if not isinstance(v, KerasTensor)]
            if bad or not flatten(struct):
                raise TypeError(
                    f"{where}: {what} must be symbolic tensors (from nn.Input and layer calls), "
                    f"received {type(bad[0]).__name__ if bad else 'nothing'}"
                )
        self._input_struct = dict(inputs) if isinstance(inputs, Mapping) else inputs
        self._output_struct = dict(outputs) if isinstance(outputs, Mapping) else outputs
        self._nodes = _nodes_between(flatten(inputs), flatten(outputs), where)
        layers: list[Layer] = []
        for layer in [t.node.layer for t in flatten(inputs)] + [n.layer for n in self._nodes]:
            if not any(layer is seen for seen in layers):
                layers.append(layer)
        names = [layer.name for layer in layers]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(
                f"{where}: layer names must be unique, but {duplicates} name more than one layer"
            )
        self.layers = layers
        shapes = [t.shape for t in flatten(inputs)]
        self._build_input_shape = shapes[0] if len(shapes) == 1 else shapes
        self.built = True

    # --- structure ---------------------------------------------------------------------------------
    @property
    def inputs(self) -> list[KerasTensor]:
        """The symbolic inputs, in a list."""
        return flatten(self._input_struct)

    @property
    def outputs(self) -> list[KerasTensor]:
        """The symbolic outputs, in a list."""
        return flatten(self._output_struct)

    @property
    def input_names(self) -> list[str]:
        if isinstance(self._input_struct, dict):
            return list(self._input_struct)
        return [t.name for t in self.inputs]

    @property
    def output_names(self) -> list[str]:
        """Dict keys for dict outputs, else the names of the layers that make the outputs (Keras 3)."""
        if isinstance(self._output_struct, dict):
            return list(self._output_struct)
        return [t.node.layer.name for t in self.outputs]

    @property
    def input_shape(self) -> Any:
        return self._build_input_shape

    @property
    def output_shape(self) -> Any:
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def _sublayers(self) -> list[Layer]:
        return self.layers

    def build_from_data(self, x: Any) -> None:
        """A functional model is built when it is made."""

    def compute_output_shape(self, input_shape: Any) -> Any:
        return self.output_shape

    # --- running -----------------------------------------------------------------------------------
    def call(self, inputs: Any, training: bool | None = None) -> Any:
        """Replay the recorded layer calls on ``inputs`` (a Tensor/array, a list in order, or a dict)."""
        values: dict[int, Any] = {}
        given = flatten_by_name(inputs, self.input_names, "the inputs", self._where, "inputs")
        for tensor, value in zip(self.inputs, given, strict=True):
            values[id(tensor)] = self._check_input(tensor, value)
        for node in self._nodes:
            args = map_leaves(lambda t: values[id(t)], node.args)
            kwargs = {k: v for k, v in node.kwargs.items() if k != "training"}
            result = node.layer(args, training=training, **kwargs)
            for tensor, value in zip(node.output_tensors, flatten(result), strict=True):
                values[id(tensor)] = value
        return map_leaves(lambda t: values[id(t)], self._output_struct)

    def _check_input(self, tensor: KerasTensor, value: Any) -> Tensor:
        """A Tensor of the input's dtype, with the rank and fixed sizes the input declares."""
        if not isinstance(value, Tensor):
            value = Tensor(np.asarray(value, dtype=tensor.dtype))
        elif np.dtype(tensor.dtype).kind != "f" and value.dtype.kind == "f":
            value = value.astype(tensor.dtype)  # token ids given as floats
        shape = value.shape
        if len(shape) != len(tensor.shape) or any(
            d is not None and d != s for d, s in zip(tensor.shape, shape, strict=False)
        ):
            raise ValueError(
                f"{self._where}: input '{tensor.name}' expects shape {tensor.shape}, received shape {shape}"
            )
        return value

    # --- configs -----------------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """Keras 3's functional config: the layers with their inbound nodes, and the input/output layers."""
        node_index = {
            id(n): i for layer in self.layers for i, n in enumerate(layer.__dict__.get("_inbound_nodes", []))
        }

        def history(t: KerasTensor) -> list[Any]:
            return [t.node.layer.name, node_index.get(id(t.node), 0), t.index]

        def tensor_config(t: KerasTensor) -> dict[str, Any]:
            return {
                "class_name": "__keras_tensor__",
                "config": {"shape": list(t.shape), "dtype": t.dtype, "keras_history": history(t)},
            }

        own = {id(n) for n in self._nodes}
        layers = []
        for layer in self.layers:
            spec = serialize_layer(layer)
            spec["name"] = layer.name
            spec["inbound_nodes"] = [
                {
                    "args": [map_leaves(tensor_config, n.args)],
                    "kwargs": {k: v for k, v in n.kwargs.items() if k != "training"},
                }
                for n in layer.__dict__.get("_inbound_nodes", [])
                if id(n) in own
            ]
            layers.append(spec)

        def ends(struct: Any) -> Any:
            if isinstance(struct, dict):
                return {k: history(v) for k, v in struct.items()}
            if isinstance(struct, (list, tuple)):
                return [history(v) for v in struct]
            return [history(struct)]

        return {
            "name": self.name,
            "trainable": self.trainable,
            "layers": layers,
            "input_layers": ends(self._input_struct),
            "output_layers": ends(self._output_struct),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Functional:
        """Rebuild (fresh weights) from ``get_config()``'s output: layers, then their calls in order."""
        made: dict[str, Layer] = {}
        outputs: dict[tuple[str, int], Any] = {}  # (layer name, node index) -> that call's outputs
        pending = list(config.get("layers", []))
        while pending:
            progressed = False
            for spec in list(pending):
                name = spec.get("name") or spec["config"]["name"]
                nodes = spec.get("inbound_nodes", [])
                if not all(_ready(node, outputs) for node in nodes):
                    continue
                layer = made.get(name) or deserialize_layer(spec, custom_objects)
                made[name] = layer
                if isinstance(layer, InputLayer):
                    outputs[(name, 0)] = layer.output_tensor
                for i, node in enumerate(nodes):
                    args = _resolve(node["args"], outputs)
                    args = args[0] if len(args) == 1 else args
                    outputs[(name, i)] = layer(args, **node.get("kwargs", {}))
                pending.remove(spec)
                progressed = True
            if not progressed:
                raise ValueError(
                    f"Functional.from_config: cannot resolve the inbound nodes of "
                    f"{[s.get('name') for s in pending]}"
                )

        def pick(ref: list[Any]) -> KerasTensor:
            return flatten(outputs[(ref[0], ref[1])])[ref[2]]

        def ends(spec: Any) -> Any:
            if isinstance(spec, dict):
                return {k: pick(v) for k, v in spec.items()}
            items = [pick(v) for v in spec]
            return items[0] if len(items) == 1 else items

        return cls(
            ends(config["input_layers"]),
            ends(config["output_layers"]),
            name=config.get("name"),
            trainable=config.get("trainable", True),
        )


def _is_ref(x: Any) -> bool:
    return isinstance(x, dict) and x.get("class_name") == "__keras_tensor__"


def _refs(x: Any) -> list[dict[str, Any]]:
    """The serialized symbolic tensors inside a node's arguments."""
    if _is_ref(x):
        return [x]
    values = x.values() if isinstance(x, dict) else x if isinstance(x, list) else []
    return [ref for v in values for ref in _refs(v)]


def _ready(node: dict[str, Any], outputs: dict[tuple[str, int], Any]) -> bool:
    """Whether every tensor a serialized call reads has been made already."""
    return all(tuple(r["config"]["keras_history"][:2]) in outputs for r in _refs(node["args"]))


def _resolve(x: Any, outputs: dict[tuple[str, int], Any]) -> Any:
    """Serialized arguments with each symbolic tensor replaced by the one rebuilt."""
    if _is_ref(x):
        name, node, index = x["config"]["keras_history"]
        return flatten(outputs[(name, node)])[index]
    if isinstance(x, dict):
        return {k: _resolve(v, outputs) for k, v in x.items()}
    return [_resolve(v, outputs) for v in x] if isinstance(x, list) else x


def _nodes_between(inputs: list[KerasTensor], outputs: list[KerasTensor], where: str) -> list[CallNode]:
    """The calls that lead from ``inputs`` to ``outputs``, in an order where each comes after its inputs.

    An iterative depth-first walk back from the outputs; reaching an ``nn.Input`` that is not among
    ``inputs`` means an output does not depend only on the model's inputs.
    """
    known = {id(t) for t in inputs}
    order: list[CallNode] = []
    done: set[int] = set()
    for out in outputs:
        stack: list[tuple[KerasTensor, bool]] = [(out, False)]
        while stack:
            tensor, expanded = stack.pop()
            node = tensor.node
            if id(tensor) in known or id(node) in done:
                continue
            if isinstance(node.layer, InputLayer):
                names = [t.name for t in inputs]
                raise ValueError(
                    f"{where}: output '{out.name}' depends on input '{tensor.name}', which is not "
                    f"among the model's inputs {names}: the graph is disconnected"
                )
            if expanded:
                done.add(id(node))
                order.append(node)
                continue
            stack.append((tensor, True))
            stack.extend((t, False) for t in reversed(node.inputs))
    return order
