"""``Sequential``: a stack of layers, ``y = layers[-1](... layers[0](x))``, with ``Model``'s training API.

The seed's code runs with ``tensorflow.keras`` replaced by ``nn``::

    model = Sequential([Conv2D(32, (3, 3), activation="relu", input_shape=(150, 150, 3)),
                        MaxPooling2D(2, 2), ..., Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(train_generator, steps_per_epoch=8000, epochs=25)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..layers import Layer
from ..layers.input_layer import InputLayer, KerasTensor
from .model import Model


class Sequential(Model):
    """A linear stack of layers: ``y = layers[-1](... layers[0](x))``.

    Args:
        layers: layers to add in order (an ``nn.Input(shape)`` or ``InputLayer`` first declares the
            input shape).
        name: the model's name (default ``sequential``, ``sequential_1``, ...).

    Example:
        >>> import numpy as np, nn
        >>> model = nn.models.Sequential([nn.layers.Dense(8, activation="relu", input_shape=(2,)),
        ...                               nn.layers.Dense(1, activation="sigmoid")])
        >>> model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        >>> x = np.random.default_rng(0).normal(size=(64, 2)); y = (x[:, 0] > 0).astype("float32")
        >>> history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
        >>> sorted(history.history), model.predict(x[:3]).shape
        (['accuracy', 'loss'], (3, 1))
    """

    def __init__(
        self, layers: list[Any] | None = None, name: str | None = None, trainable: bool = True
    ) -> None:
        super().__init__(name=name, trainable=trainable)
        self.layers: list[Layer] = []
        # the symbolic view, made on demand: an nn.Input and each layer's symbolic output
        self._graph_input: KerasTensor | None = None
        self._graph_outputs: list[KerasTensor] = []
        if layers is not None and not isinstance(layers, (list, tuple)):
            raise TypeError(f"Sequential: layers must be a list of layers, received {type(layers).__name__}")
        for layer in layers or []:
            self.add(layer)

    # --- building ---------------------------------------------------------------------------------
    def add(self, layer: Layer | KerasTensor) -> None:
        """Append a layer (an ``Input``/``InputLayer`` first only declares the input shape, as in Keras 3)."""
        if isinstance(layer, KerasTensor):
            layer = layer.node.layer  # nn.Input(...) is the output of its InputLayer
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential.add: only nn.layers.Layer instances can be added, received {layer!r} "
                f"of type {type(layer).__name__}"
            )
        if isinstance(layer, InputLayer):
            if self.layers or self._build_input_shape is not None:
                raise ValueError("Sequential.add: an Input layer must come first")
            self.build(layer.batch_shape)
            return
        if any(existing is layer for existing in self.layers):
            raise ValueError(f"Sequential.add: layer '{layer.name}' is already in the model")
        if layer.name in {existing.name for existing in self.layers}:
            raise ValueError(
                f"Sequential.add: a layer named '{layer.name}' is already in the model; names must be unique"
            )
        self.layers.append(layer)
        if self._build_input_shape is not None:
            layer.maybe_build(self.compute_output_shape(self._build_input_shape, upto=-1))
            self.built = True
        elif len(self.layers) == 1 and layer.built:  # input_shape= on the first layer builds the model
            self.build(layer.input_shape)

    def pop(self) -> Layer:
        """Remove and return the last layer."""
        if not self.layers:
            raise IndexError("Sequential.pop: the model has no layers")
        layer = self.layers.pop()
        del self._graph_outputs[len(self.layers):]
        self.built = self.built and bool(self.layers)
        return layer

    def build(self, input_shape: tuple) -> None:
        """Create every layer's weights for inputs of ``input_shape`` (batch axis first, may be None)."""
        if self._build_input_shape is not None and tuple(input_shape) != self._build_input_shape:
            self._graph_input, self._graph_outputs = None, []  # a new input shape: a new symbolic view
        self._build_input_shape = tuple(input_shape)
        self.compute_output_shape(self._build_input_shape)
        self.built = bool(self.layers)

    def build_from_data(self, x: Any) -> None:
        """Build from a batch's shape, without running it (so no random draws are spent)."""
        if self._build_input_shape is None:
            self.build((None, *np.shape(getattr(x, "data", x))[1:]))

    def compute_output_shape(self, input_shape: tuple, upto: int | None = None) -> tuple:
        """The output shape for ``input_shape`` (building the layers on the way); ``upto=-1`` stops
        before the last layer."""
        shape = tuple(input_shape)
        for layer in self.layers[:upto]:
            shape = layer.maybe_build(shape)
        return shape

    @property
    def input_shape(self) -> tuple:
        if self._build_input_shape is None:
            raise AttributeError(f"Sequential '{self.name}' has not been built, so it has no input_shape")
        return self._build_input_shape

    @property
    def output_shape(self) -> tuple:
        return self.compute_output_shape(self.input_shape)

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        """Run ``inputs`` through the layers (``training`` overrides train/eval mode: Dropout, BatchNorm)."""
        if not self.layers:
            raise ValueError(f"Sequential '{self.name}' has no layers; add some before calling it")
        if self._build_input_shape is None:
            self.build_from_data(inputs)
        x = inputs
        for layer in self.layers:
            x = layer(x, training=training)
        return x

    # --- the symbolic view (Keras builds one for a Sequential with a known input shape) -----------
    def _symbolic(self) -> tuple[KerasTensor, list[KerasTensor]]:
        """An ``nn.Input`` and the layers called on it in turn (once each: later calls only extend)."""
        from ..layers.input_layer import Input

        if self._build_input_shape is None:
            raise AttributeError(
                f"Sequential '{self.name}' has not been built, so it has no inputs/outputs "
                "yet; give the first layer input_shape= or start with nn.Input(shape)"
            )
        if self._graph_input is None:
            self._graph_input = Input(batch_shape=self._build_input_shape)
        for layer in self.layers[len(self._graph_outputs):]:
            previous = self._graph_outputs[-1] if self._graph_outputs else self._graph_input
            self._graph_outputs.append(layer(previous))
        return self._graph_input, self._graph_outputs

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """The layer called ``name`` (or at ``index``); its ``.input``/``.output`` are this model's
        symbolic tensors once the model is built."""
        if self._build_input_shape is not None:
            self._symbolic()
        return super().get_layer(name, index)

    @property
    def inputs(self) -> list[KerasTensor]:
        """The model's symbolic input, in a list (for ``Model(inputs=model.inputs, outputs=...)``)."""
        return [self._symbolic()[0]]

    @property
    def outputs(self) -> list[KerasTensor]:
        """The last layer's symbolic output, in a list."""
        _, outputs = self._symbolic()
        if not outputs:
            raise AttributeError(f"Sequential '{self.name}' has no layers, so it has no outputs")
        return [outputs[-1]]

    def _sublayers(self) -> list[Layer]:
        return self.layers

    @property
    def output_names(self) -> list[str]:
        """The last layer's name (Keras 3), the key of a dict loss or target."""
        return [self.layers[-1].name] if self.layers else ["output_0"]

    def get_config(self) -> dict[str, Any]:
        """The architecture in Keras 3's format: name, and each layer's serialized config (an
        ``InputLayer`` first when the input shape is known)."""
        from ..layers.input_layer import serialize_layer

        layers = [serialize_layer(layer) for layer in self.layers]
        if self._build_input_shape is not None:
            head = InputLayer(batch_shape=self._build_input_shape, name=f"{self.name}_input", _register=False)
            layers.insert(0, serialize_layer(head))
        return {
            "name": self.name,
            "trainable": self.trainable,
            "layers": layers,
            "build_input_shape": None if self._build_input_shape is None else list(self._build_input_shape),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Sequential:
        """Rebuild (with fresh weights) from ``get_config()``'s output."""
        from ..layers.input_layer import deserialize_layer

        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for spec in config.get("layers", []):
            layer = deserialize_layer(spec, custom_objects)
            if isinstance(layer, InputLayer):
                model.build(layer.batch_shape)
            else:
                model.add(layer)
        if config.get("build_input_shape") and model._build_input_shape is None:
            model.build(tuple(config["build_input_shape"]))
        return model

    def __repr__(self) -> str:
        inner = "\n".join(f"  ({i}): {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential(name={self.name!r}" + (f",\n{inner}\n)" if inner else ")")
