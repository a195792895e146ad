"""``to_onnx``: a built stepgrad model as an ONNX graph, made with the ``onnx`` package's helpers.

One converter per layer class, in one table (``CONVERTERS``); a new layer is one more entry. Images
stay NHWC at the model's inputs and outputs (as in stepgrad and Keras): the graph transposes to ONNX's
NCHW only around the convolutions and poolings that need it, and back before anything that reads the
channel axis last (Flatten, Dense, softmax). The batch axis is symbolic (``batch``), so any batch size
runs. Dropout is the identity at inference; BatchNormalization uses its moving statistics.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.functional import out_and_pads

from .. import layers as L
from ..saving import atomic_write

DEFAULT_OPSET = 17
TO_NCHW, TO_NHWC = (0, 3, 1, 2), (0, 2, 3, 1)


def _onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise ImportError("ONNX export needs onnx: pip install 'stepgrad[export]' (or onnx)") from None
    return onnx


class GraphBuilder:
    """Collects nodes and constant weights, and tracks which tensors are NCHW (the others are NHWC or n-d)."""

    def __init__(self, onnx: Any) -> None:
        self.onnx, self.nodes, self.initializers = onnx, [], []
        self.nchw: set[str] = set()
        self._count = 0

    def fresh(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def const(self, hint: str, array: np.ndarray) -> str:
        name = self.fresh(hint)
        self.initializers.append(self.onnx.numpy_helper.from_array(np.asarray(array), name))
        return name

    def op(self, op_type: str, inputs: list[str], hint: str, **attrs: Any) -> str:
        out = self.fresh(hint)
        self.nodes.append(self.onnx.helper.make_node(op_type, inputs, [out], name=out, **attrs))
        return out

    def as_nchw(self, x: str, hint: str) -> str:
        if x in self.nchw:
            return x
        y = self.op("Transpose", [x], f"{hint}/to_nchw", perm=list(TO_NCHW))
        self.nchw.add(y)
        return y

    def as_nhwc(self, x: str, hint: str) -> str:
        return self.op("Transpose", [x], f"{hint}/to_nhwc", perm=list(TO_NHWC)) if x in self.nchw else x

    def keep_layout(self, x: str, y: str) -> str:
        """``y`` is an elementwise result of ``x``: same layout."""
        if x in self.nchw:
            self.nchw.add(y)
        return y


# --- one converter per layer ---------------------------------------------------------------------
def _activation(g: GraphBuilder, x: str, name: str, hint: str) -> str:
    if name == "linear":
        return x
    if name in _ELEMENTWISE:
        op, attrs = _ELEMENTWISE[name]
        return g.keep_layout(x, g.op(op, [x], f"{hint}/{name}", **attrs))
    if name in ("silu", "swish"):
        return g.keep_layout(x, g.op("Mul", [x, g.op("Sigmoid", [x], f"{hint}/sigmoid")], f"{hint}/silu"))
    if name == "softmax":  # over the last axis, as stepgrad and Keras do
        return g.op("Softmax", [g.as_nhwc(x, hint)], f"{hint}/softmax", axis=-1)
    raise UnmappedLayerError(f"activation {name!r} has no ONNX mapping")


_ELEMENTWISE = {"relu": ("Relu", {}), "sigmoid": ("Sigmoid", {}), "tanh": ("Tanh", {}),
                "leaky_relu": ("LeakyRelu", {"alpha": 0.2}), "elu": ("Elu", {"alpha": 1.0}),
                "softplus": ("Softplus", {}), "exponential": ("Exp", {})}


def _dense(g: GraphBuilder, layer: Any, x: str) -> str:
    x = g.as_nhwc(x, layer.name)  # the kernel reads the last axis
    y = g.op("MatMul", [x, g.const(f"{layer.name}/kernel", layer.kernel.data)], f"{layer.name}/matmul")
    if layer.bias is not None:
        y = g.op("Add", [y, g.const(f"{layer.name}/bias", layer.bias.data)], f"{layer.name}/bias_add")
    return _activation(g, y, layer.activation_name, layer.name)


def _window(layer: Any, input_shape: tuple, window: tuple) -> dict[str, Any]:
    """ONNX's kernel_shape, strides and pads (top, left, bottom, right) for Keras's padding rule."""
    axes = zip(input_shape[1:3], window, layer.strides, strict=True)
    pads = [out_and_pads(n, k, s, layer.padding)[1:] for n, k, s in axes]
    return {"kernel_shape": list(window), "strides": list(layer.strides),
            "pads": [pads[0][0], pads[1][0], pads[0][1], pads[1][1]]}


def _conv2d(g: GraphBuilder, layer: Any, x: str) -> str:
    x = g.as_nchw(x, layer.name)
    inputs = [x, g.const(f"{layer.name}/kernel", layer.kernel.data.transpose(3, 2, 0, 1))]  # (F, C, KH, KW)
    if layer.bias is not None:
        inputs.append(g.const(f"{layer.name}/bias", layer.bias.data))
    y = g.op("Conv", inputs, f"{layer.name}/conv", **_window(layer, layer.input_shape, layer.kernel_size))
    g.nchw.add(y)
    return _activation(g, y, layer.activation_name, layer.name)


def _pool(op_type: str) -> Callable[[GraphBuilder, Any, str], str]:
    def convert(g: GraphBuilder, layer: Any, x: str) -> str:
        x = g.as_nchw(x, layer.name)
        attrs = _window(layer, layer.input_shape, layer.pool_size)
        if op_type == "AveragePool":
            attrs["count_include_pad"] = 0  # "same" windows average their real cells only, as Keras does
        y = g.op(op_type, [x], f"{layer.name}/{op_type.lower()}", **attrs)
        g.nchw.add(y)
        return y

    return convert


def _batch_norm(g: GraphBuilder, layer: Any, x: str) -> str:
    """``(x - moving_mean) * (moving_variance + eps) ** -0.5 * gamma + beta``, in stepgrad's own order."""
    ndim = len(layer.input_shape)
    if layer.axis % ndim != ndim - 1:
        raise UnmappedLayerError(f"BatchNormalization with axis={layer.axis} (only the last axis is mapped)")
    nchw = x in g.nchw
    shape = (-1, 1, 1) if nchw else (-1,)  # broadcast along the channel axis of either layout

    def const(hint: str, a: np.ndarray) -> str:
        return g.const(f"{layer.name}/{hint}", np.asarray(a, dtype=np.float32).reshape(shape))

    inv_std = (layer.moving_variance.data + np.float32(layer.epsilon)) ** np.float32(-0.5)
    y = g.op("Sub", [x, const("moving_mean", layer.moving_mean.data)], f"{layer.name}/center")
    y = g.op("Mul", [y, const("inv_std", inv_std)], f"{layer.name}/scale")
    if layer.gamma is not None:
        y = g.op("Mul", [y, const("gamma", layer.gamma.data)], f"{layer.name}/gamma")
    if layer.beta is not None:
        y = g.op("Add", [y, const("beta", layer.beta.data)], f"{layer.name}/beta")
    if nchw:
        g.nchw.add(y)
    return y


def _flatten(g: GraphBuilder, layer: Any, x: str) -> str:
    return g.op("Flatten", [g.as_nhwc(x, layer.name)], f"{layer.name}/flatten", axis=1)  # NHWC order (Keras)


def _relu(g: GraphBuilder, layer: Any, x: str) -> str:
    if layer.threshold != 0.0:
        raise UnmappedLayerError(f"ReLU with threshold={layer.threshold} has no ONNX mapping")
    op, attrs = ("LeakyRelu", {"alpha": layer.negative_slope}) if layer.negative_slope else ("Relu", {})
    y = g.keep_layout(x, g.op(op, [x], f"{layer.name}/{op.lower()}", **attrs))
    if layer.max_value is not None:  # Clip(y, min="" (none), max)
        limit = g.const(f"{layer.name}/max_value", np.array(layer.max_value, dtype=np.float32))
        y = g.keep_layout(x, g.op("Clip", [y, "", limit], f"{layer.name}/clip"))
    return y


def _softmax_layer(g: GraphBuilder, layer: Any, x: str) -> str:
    if not isinstance(layer.axis, int):
        raise UnmappedLayerError(f"Softmax over several axes {layer.axis} has no ONNX mapping")
    return g.op("Softmax", [g.as_nhwc(x, layer.name)], f"{layer.name}/softmax", axis=layer.axis)


def _global_pool(op_type: str) -> Callable[[GraphBuilder, Any, str], str]:
    def convert(g: GraphBuilder, layer: Any, x: str) -> str:
        y = g.op(op_type, [g.as_nchw(x, layer.name)], f"{layer.name}/{op_type.lower()}")  # (N, C, 1, 1)
        if layer.keepdims:
            g.nchw.add(y)  # becomes (N, 1, 1, C) when it leaves NCHW
            return y
        return g.op("Flatten", [y], f"{layer.name}/flatten", axis=1)

    return convert


def _rescaling(g: GraphBuilder, layer: Any, x: str) -> str:
    x = g.as_nhwc(x, layer.name)  # scale and offset may be per channel, on the last axis
    scale, offset = (g.const(f"{layer.name}/{k}", getattr(layer, k).astype(np.float32))
                     for k in ("scale", "offset"))
    return g.op("Add", [g.op("Mul", [x, scale], f"{layer.name}/mul"), offset], f"{layer.name}/add")


def _reshape(g: GraphBuilder, layer: Any, x: str) -> str:
    shape = np.array([0, *layer.target_shape], dtype=np.int64)  # 0: keep the (dynamic) batch size
    inputs = [g.as_nhwc(x, layer.name), g.const(f"{layer.name}/shape", shape)]
    return g.op("Reshape", inputs, f"{layer.name}/reshape")


def _identity(g: GraphBuilder, layer: Any, x: str) -> str:
    return x  # noise, dropout and random augmentation act only while training


CONVERTERS: dict[type, Callable[[GraphBuilder, Any, str], str]] = {
    L.Dense: _dense,
    L.Conv2D: _conv2d,
    L.MaxPooling2D: _pool("MaxPool"),
    L.AveragePooling2D: _pool("AveragePool"),
    L.BatchNormalization: _batch_norm,
    L.Flatten: _flatten,
    L.Activation: lambda g, layer, x: _activation(g, x, layer.activation_name, layer.name),
    L.ReLU: _relu,
    L.LeakyReLU: lambda g, layer, x: g.keep_layout(x, g.op("LeakyRelu", [x], f"{layer.name}/leaky_relu",
                                                           alpha=layer.negative_slope)),
    L.Softmax: _softmax_layer,
    L.GlobalAveragePooling2D: _global_pool("GlobalAveragePool"),
    L.GlobalMaxPooling2D: _global_pool("GlobalMaxPool"),
    L.Rescaling: _rescaling,
    L.Reshape: _reshape,
    **{cls: _identity for cls in (L.InputLayer, L.Dropout, L.SpatialDropout2D, L.GaussianNoise, L.RandomFlip,
                                  L.RandomRotation, L.RandomZoom, L.RandomTranslation, L.RandomContrast,
                                  L.RandomBrightness)},
}


class UnmappedLayerError(ValueError):
    """A layer (or one of its settings) that has no ONNX mapping; the message lists the layers."""


def _merge(op_type: str) -> Callable[[GraphBuilder, Any, list[str]], str]:
    """An n-ary merging layer as a chain of binary ONNX ops (inputs in NHWC, as the layer sees them)."""
    def convert(g: GraphBuilder, layer: Any, xs: list[str]) -> str:
        xs = [g.as_nhwc(x, layer.name) for x in xs]
        y = xs[0]
        for x in xs[1:]:
            y = g.op(op_type, [y, x], f"{layer.name}/{op_type.lower()}")
        if type(layer) is L.Average:
            scale = g.const(f"{layer.name}/1_over_n", np.float32(1 / len(xs)))
            y = g.op("Mul", [y, scale], f"{layer.name}/mean")
        return y

    return convert


MERGE_CONVERTERS: dict[type, Callable[[GraphBuilder, Any, list[str]], str]] = {
    L.Add: _merge("Add"), L.Subtract: _merge("Sub"), L.Multiply: _merge("Mul"), L.Average: _merge("Add"),
    L.Maximum: _merge("Max"), L.Minimum: _merge("Min"),
    L.Concatenate: lambda g, layer, xs: g.op("Concat", [g.as_nhwc(x, layer.name) for x in xs],
                                             f"{layer.name}/concat", axis=layer.axis),
}


def _convert(g: GraphBuilder, layer: Any, x: Any) -> str:
    try:
        if type(layer) in MERGE_CONVERTERS:
            return MERGE_CONVERTERS[type(layer)](g, layer, list(x))
        return CONVERTERS[type(layer)](g, layer, x)
    except UnmappedLayerError as e:
        raise UnmappedLayerError(f"to_onnx: layer {layer.name} ({type(layer).__name__}): {e}") from None


def _functional_graph(g: GraphBuilder, model: Any) -> tuple[list[tuple[str, tuple]], list[tuple[str, tuple]]]:
    """Add a functional model's calls in dependency order; returns its (input, output) names and shapes."""
    from ..layers.symbolic import flatten

    config = model.get_config()
    by_name = {layer.name: layer for layer in model.layers}
    produced: dict[tuple, list[str]] = {}  # (layer name, call index) -> ONNX names of that call's outputs
    inputs = []
    calls = []
    for spec in config["layers"]:
        layer = by_name[spec["name"]]
        if isinstance(layer, L.InputLayer):
            produced[(layer.name, 0)] = [layer.name]
            inputs.append((layer.name, tuple(layer.batch_shape)))
        calls += [(layer, i, node) for i, node in enumerate(spec["inbound_nodes"])]

    def ref(x: Any) -> Any:  # a serialized argument -> ONNX names, in the same nesting
        if isinstance(x, dict):
            name, call, index = x["config"]["keras_history"]
            return produced[(name, call)][index]
        return [ref(v) for v in x]

    def ready(node: dict) -> bool:
        refs = [r["config"]["keras_history"] for r in _tensor_refs(node["args"])]
        return all((name, call) in produced for name, call, _ in refs)

    while calls:  # a shared layer's second call may wait for layers listed after it
        layer, i, node = next(c for c in calls if ready(c[2]))
        calls.remove((layer, i, node))
        args = [ref(a) for a in node["args"]]
        produced[(layer.name, i)] = [_convert(g, layer, args[0] if len(args) == 1 else args)]
    outputs = []
    for (name, call, index), tensor in zip(config["output_layers"], flatten(model.outputs), strict=True):
        out = g.as_nhwc(produced[(name, call)][index], f"{name}/output")
        g.nodes.append(g.onnx.helper.make_node("Identity", [out], [name], name=f"{name}/output"))
        outputs.append((name, tuple(tensor.shape)))
    return inputs, outputs


def _tensor_refs(x: Any) -> list[dict]:
    if isinstance(x, dict):
        return [x]
    return [r for v in x for r in _tensor_refs(v)] if isinstance(x, list) else []


def build_model_proto(model: Any, opset: int = DEFAULT_OPSET) -> Any:
    """The ``onnx.ModelProto`` of a built Sequential or functional model (checked with ``onnx.checker``).

    A Sequential model's graph has one input ``input`` and one output ``output``; a functional model's
    inputs and outputs are named after its input layers and output layers.
    """
    from ..models import Sequential

    onnx = _onnx()
    if not getattr(model, "built", False):
        raise ValueError("to_onnx: the model has no weights yet; build it (input_shape=, fit or call) first")
    unmapped = [f"{layer.name} ({type(layer).__name__})" for layer in model.layers
                if type(layer) not in CONVERTERS and type(layer) not in MERGE_CONVERTERS]
    if unmapped:
        known = sorted(c.__name__ for c in (*CONVERTERS, *MERGE_CONVERTERS))
        raise UnmappedLayerError(f"to_onnx: no ONNX mapping for layer(s) {unmapped}; mapped classes: {known}")
    g = GraphBuilder(onnx)
    if isinstance(model, Sequential):
        x = "input"
        for layer in model.layers:
            x = _convert(g, layer, x)
        g.nodes.append(onnx.helper.make_node("Identity", [g.as_nhwc(x, "output")], ["output"], name="output"))
        inputs, outputs = [("input", model.input_shape)], [("output", model.output_shape)]
    else:
        inputs, outputs = _functional_graph(g, model)
    helper, f32 = onnx.helper, onnx.TensorProto.FLOAT

    def value_info(name: str, shape: tuple) -> Any:
        return helper.make_tensor_value_info(name, f32, ["batch", *shape[1:]])  # any batch size runs

    graph = helper.make_graph(g.nodes, model.name, [value_info(*i) for i in inputs],
                              [value_info(*o) for o in outputs], initializer=g.initializers)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="stepgrad")
    onnx.checker.check_model(proto, full_check=True)
    return proto


def to_onnx(model: Any, path: str | os.PathLike, opset: int = DEFAULT_OPSET) -> Any:
    """Write ``model`` as an ONNX file at ``path`` (atomically) and return the ``onnx.ModelProto``.

    Inputs and outputs keep stepgrad's layout (NHWC images) and a dynamic batch axis. Raises
    ``UnmappedLayerError`` naming every layer that has no mapping.

    Example:
        >>> import os, tempfile, pytest, nn
        >>> onnx = pytest.importorskip("onnx")
        >>> model = nn.Sequential([nn.Dense(3, activation="relu", input_shape=(4,)), nn.Dense(2)])
        >>> proto = nn.export.to_onnx(model, os.path.join(tempfile.mkdtemp(), "m.onnx"))
        >>> [d.dim_param or d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim]
        ['batch', 4]
    """
    proto = build_model_proto(model, opset)
    data = proto.SerializeToString()
    atomic_write(path, lambda f: f.write(data))
    return proto
