"""``nn.Input`` (a symbolic tensor), ``InputLayer`` (the layer behind it), and layer configs.

``nn.Input(shape=(784,))`` returns a ``KerasTensor`` of shape ``(None, 784)``: the start of a
functional model. ``serialize_layer``/``deserialize_layer`` turn layers into Keras 3's config dicts
(``{"module", "class_name", "config", "registered_name", "build_config"}``) and back.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from autograd import Tensor

from .base import Layer, as_shape, unique_name
from .symbolic import CallNode, KerasTensor, is_symbolic, symbolic_call

__all__ = [
    "Input",
    "InputLayer",
    "KerasTensor",
    "is_symbolic",
    "symbolic_call",
    "serialize_layer",
    "deserialize_layer",
]


class InputLayer(Layer):
    """The layer that ``nn.Input`` makes: it holds the input's shape and dtype, and passes data through.

    Args:
        shape: the shape of one sample, without the batch axis (``None`` for unknown sizes).
        batch_size: a fixed batch size, or None.
        dtype: the input's dtype (default float32; use an integer dtype for token ids).
        batch_shape: the full shape with the batch axis, instead of ``shape`` and ``batch_size``.
        name: the layer's name (default ``input_layer``, ``input_layer_1``, ...).

    Example:
        >>> from nn.layers import InputLayer
        >>> InputLayer((28, 28, 1)).output_shape
        (None, 28, 28, 1)
    """

    def __init__(
        self,
        shape: Any = None,
        batch_size: int | None = None,
        dtype: Any = None,
        batch_shape: Any = None,
        name: str | None = None,
        sparse: bool | None = None,
        _register: bool = True,
        **kwargs: Any,
    ) -> None:
        if "input_shape" in kwargs and shape is None:  # Keras 2's spelling
            shape = kwargs.pop("input_shape")
        if kwargs:
            raise TypeError(f"InputLayer: unexpected arguments {sorted(kwargs)}")
        where = "Input" if name is None else f"Input '{name}'"
        if shape is not None and batch_shape is not None:
            raise ValueError(
                f"{where}: pass shape= or batch_shape=, not both (received shape={shape!r}, "
                f"batch_shape={batch_shape!r})"
            )
        if shape is None and batch_shape is None:
            raise ValueError(f"{where}: a shape is required, e.g. nn.Input(shape=(784,))")
        if batch_shape is not None:
            full = as_shape(batch_shape, where, "batch_shape")
            if not full:
                raise ValueError(
                    f"{where}: batch_shape must include the batch axis, received {batch_shape!r}"
                )
        else:
            if batch_size is not None and (
                isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0
            ):
                raise ValueError(f"{where}: batch_size must be a positive integer, received {batch_size!r}")
            full = (batch_size, *as_shape(shape, where, "shape"))
        super().__init__(name=name if name is not None else unique_name("input_layer"))
        self.batch_shape = full
        self.shape = full[1:]
        self.dtype = str(np.dtype(dtype or "float32"))
        self.input_ndim = len(full)
        self.sparse = bool(sparse)
        self.built, self._build_input_shape = True, full
        tensor = KerasTensor(full, self.dtype, name=self.name)
        tensor.node = CallNode(self, None, {}, tensor)
        self.output_tensor = tensor
        if _register:
            self.__dict__["_inbound_nodes"] = [tensor.node]

    def forward(self, x: Tensor) -> Tensor:
        return x

    def _fixed_axes(self) -> dict[int, int]:
        return {i: n for i, n in enumerate(self.batch_shape) if n is not None and i > 0}

    def get_config(self) -> dict[str, Any]:
        return {
            "batch_shape": list(self.batch_shape),
            "dtype": self.dtype,
            "sparse": self.sparse,
            "name": self.name,
        }

    def extra_repr(self) -> str:
        return f"shape={self.shape}"


def Input(
    shape: Any = None,
    batch_size: int | None = None,
    dtype: Any = None,
    batch_shape: Any = None,
    name: str | None = None,
    sparse: bool | None = None,
) -> KerasTensor:  # noqa: N802 (Keras's name)
    """A symbolic input: ``.shape`` is ``(batch_size, *shape)`` (``(None, 784)`` by default), ``.dtype``.

    Call layers on it to build a functional model, ``nn.Model(inputs, outputs)``; it may also open
    a ``Sequential`` list.

    Args:
        shape: the shape of one sample, without the batch axis; ``None`` for unknown sizes.
        batch_size: a fixed batch size (default unknown).
        dtype: default float32.
        batch_shape: the full shape, batch axis first, instead of ``shape``/``batch_size``.
        name: a name for the input (and the keys of dict inputs to ``fit``).

    Example:
        >>> import nn
        >>> x = nn.Input(shape=(784,), name="pixels")
        >>> x.shape, x.dtype, x.name
        ((None, 784), 'float32', 'pixels')
        >>> nn.layers.Dense(10)(x).shape
        (None, 10)
    """
    return InputLayer(shape, batch_size, dtype, batch_shape, name, sparse).output_tensor


# --- configs ----------------------------------------------------------------------------------------
def serialize_layer(layer: Layer) -> dict[str, Any]:
    """Keras 3's serialized form of a layer: module, class name, config and build config."""
    from ..saving import layer_config

    config = layer.get_config() if hasattr(layer, "get_config") else layer_config(layer)["config"]
    config.setdefault("name", layer.name)
    out = {
        "module": "keras.layers",
        "class_name": type(layer).__name__,
        "config": config,
        "registered_name": None,
    }
    if type(layer).__module__.startswith("nn.models"):
        out["module"] = "keras.src.models.functional" if type(layer).__name__ == "Functional" else "keras"
    elif not type(layer).__module__.startswith("nn."):
        out["module"], out["registered_name"] = type(layer).__module__, f"Custom>{type(layer).__name__}"
    if layer.built and not isinstance(layer, InputLayer) and getattr(layer, "_build_input_shape", None):
        out["build_config"] = {"input_shape": list(layer._build_input_shape)}
    return out


_IGNORED = {"trainable", "dtype", "autocast"}  # Keras keys that mean nothing here


def deserialize_layer(spec: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Layer:
    """A fresh layer from ``serialize_layer``'s output (or a plain ``{"class_name", "config"}``).

    Only ``nn.layers`` classes, ``nn`` models and ``custom_objects`` are used: nothing is imported.
    """
    from .. import layers as layer_module
    from .. import models as model_module

    name = spec.get("class_name")
    known: dict[str, Any] = {n: getattr(layer_module, n) for n in layer_module.__all__}
    known.update(
        {
            "Sequential": model_module.Sequential,
            "Functional": model_module.Functional,
            "Model": model_module.Functional,
            "InputLayer": InputLayer,
        }
    )
    known.update(custom_objects or {})
    cls = known.get(name)
    if not isinstance(cls, type):
        raise ValueError(
            f"deserialize_layer: unknown layer class {name!r}; known: {sorted(known)} (pass "
            "custom_objects={'Name': Class} for your own layers)"
        )
    config = dict(spec.get("config") or {})
    if (
        issubclass(cls, model_module.Model)
        and "custom_objects" in inspect.signature(cls.from_config).parameters
    ):
        return cls.from_config(config, custom_objects=custom_objects)  # nested layers may be custom too
    accepted = inspect.signature(cls.__init__).parameters
    takes_any = any(p.kind is p.VAR_KEYWORD for p in accepted.values())
    for key in [k for k in config if k not in accepted and not takes_any]:
        value = config.pop(key)
        if key not in _IGNORED and value is not None:
            raise ValueError(
                f"deserialize_layer: {name} '{config.get('name', '?')}' does not support {key}={value!r}"
            )
    try:
        layer = cls.from_config(config) if "from_config" in vars(cls) else cls(**config)
    except (TypeError, ValueError) as e:
        raise ValueError(f"deserialize_layer: cannot rebuild {name} from {config}: {e}") from None
    build = spec.get("build_config") or {}
    if build.get("input_shape") and not layer.built:
        layer.maybe_build(tuple(build["input_shape"]))
    return layer


def is_input_tensor(x: Any) -> bool:
    return isinstance(x, KerasTensor) and isinstance(x.node.layer, InputLayer)
