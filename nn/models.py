"""``Sequential``: a stack of layers with Keras's ``compile`` / ``fit`` / ``evaluate`` / ``predict``.

The seed's code runs with ``tensorflow.keras`` replaced by ``nn``::

    model = Sequential([Conv2D(32, (3, 3), activation="relu", input_shape=(150, 150, 3)),
                        MaxPooling2D(2, 2), ..., Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(train_generator, steps_per_epoch=8000, epochs=25)

The loops live in ``nn.training``, callbacks in ``nn.callbacks``, files in ``nn.saving``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

from . import losses as _losses
from . import metrics as _metrics
from . import optimizers as _optimizers
from . import saving, training
from .callbacks import Callback, CallbackList, History
from .layers import Input, Layer
from .layers.core import snake_case, unique_name
from .module import Module
from .progress import progress_for
from .summary import print_summary


class Sequential(Module):
    """A linear stack of layers: ``y = layers[-1](... layers[0](x))``.

    Args:
        layers: layers to add in order (an ``nn.layers.Input(shape)`` first declares the input shape).
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

    def __init__(self, layers: list[Any] | None = None, name: str | None = None) -> None:
        super().__init__()
        self.name = name if name is not None else unique_name("sequential")
        self.layers: list[Layer] = []
        self._build_input_shape: tuple | None = None
        self.optimizer: Any = None
        self.loss: Any = None
        self.compiled = False
        self.stop_training = False
        self.history: History | None = None
        if layers is not None and not isinstance(layers, (list, tuple)):
            raise TypeError(f"Sequential: layers must be a list of layers, received {type(layers).__name__}")
        for layer in layers or []:
            self.add(layer)

    # --- building ---------------------------------------------------------------------------------
    def add(self, layer: Layer) -> None:
        """Append a layer (an ``Input`` first only declares the input shape, as in Keras 3)."""
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential.add: only nn.layers.Layer instances can be added, received {layer!r} "
                f"of type {type(layer).__name__}"
            )
        if isinstance(layer, Input):
            if self.layers or self._build_input_shape is not None:
                raise ValueError("Sequential.add: an Input layer must come first")
            self.build((None, *layer.shape))
            return
        if any(existing is layer for existing in self.layers):
            raise ValueError(f"Sequential.add: layer '{layer.name}' is already in the model")
        names = {existing.name for existing in self.layers}
        if layer.name in names:
            raise ValueError(
                f"Sequential.add: a layer named '{layer.name}' is already in the model; names must be unique"
            )
        self.layers.append(layer)
        if self._build_input_shape is not None:
            self._build_layers()
        elif len(self.layers) == 1 and layer.built:  # input_shape= on the first layer builds the model
            self.build(layer.input_shape)

    def pop(self) -> Layer:
        """Remove and return the last layer."""
        if not self.layers:
            raise IndexError("Sequential.pop: the model has no layers")
        return self.layers.pop()

    def build(self, input_shape: tuple) -> None:
        """Create every layer's weights for inputs of ``input_shape`` (batch axis first, may be None)."""
        self._build_input_shape = tuple(input_shape)
        self._build_layers()

    def _build_layers(self) -> tuple:
        shape = self._build_input_shape
        for layer in self.layers:
            shape = layer.maybe_build(shape)
        return shape

    @property
    def built(self) -> bool:
        return self._build_input_shape is not None and bool(self.layers)

    @property
    def input_shape(self) -> tuple:
        if self._build_input_shape is None:
            raise AttributeError(f"Sequential '{self.name}' has not been built, so it has no input_shape")
        return self._build_input_shape

    @property
    def output_shape(self) -> tuple:
        return self._build_layers()

    def forward(self, x: Any, training: bool | None = None) -> Any:
        """Run ``x`` through the layers (``training`` overrides train/eval mode for Dropout/BatchNorm)."""
        if not self.layers:
            raise ValueError(f"Sequential '{self.name}' has no layers; add some before calling it")
        if self._build_input_shape is None:
            self.build((None, *np.shape(getattr(x, "data", x))[1:]))
        for layer in self.layers:
            x = layer(x, training=training)
        return x

    def count_params(self) -> int:
        """Number of values in all weights, trainable and not."""
        return sum(layer.count_params() for layer in self.layers)

    def summary(self, line_length: int | None = None, print_fn: Callable[[str], Any] | None = None) -> None:
        """Print Keras's table: each layer's name (type), output shape and parameter count, then totals.

        Args:
            line_length: minimum width of the table.
            print_fn: called with each line (default ``print``).
        """
        print_summary(self, line_length, print_fn)

    # --- compile ----------------------------------------------------------------------------------
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, metrics: list[Any] | None = None) -> None:
        """Choose the optimizer, loss and metrics (names like ``"adam"``, or objects).

        Args:
            optimizer: a name ("sgd", "adam", "adamw", "rmsprop") or an ``nn.optimizers`` instance;
                it is bound to the model's parameters (now, or at the first batch if not yet built).
            loss: a name ("binary_crossentropy", "mse", ...), a loss object or ``f(y_true, y_pred)``.
            metrics: a list of names ("accuracy" picks the right accuracy for the loss) or functions.
        """
        if loss is None:
            raise ValueError("Sequential.compile: a loss is required, e.g. loss='binary_crossentropy'")
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise TypeError(f"Sequential.compile: metrics must be a list, received metrics={metrics!r}")
        self.optimizer = _optimizers.get(optimizer)
        self.loss = loss
        self._loss_fn = _losses.get(loss)
        self._loss_name = _canonical_name(loss, self._loss_fn)
        self._metric_ids = list(metrics or [])
        self._metric_objs = [_metrics.resolve(m, loss=self._loss_fn) for m in self._metric_ids]
        self._metrics_shaped = False  # "accuracy" with a custom loss is re-read from the first batch's shapes
        self._compile_config = {
            "optimizer": {"class_name": type(self.optimizer).__name__, "config": self.optimizer.get_config()},
            "loss": loss if isinstance(loss, str) else _object_config(self._loss_fn),
            "metrics": [m if isinstance(m, str) else _object_config(o) if type(o) is not _metrics.Metric
                        else None for m, o in zip(self._metric_ids, self._metric_objs, strict=True)],
        }
        self.compiled = True
        if self.built and self.optimizer.params is None:
            self.optimizer.bind(self.parameters())

    @property
    def metrics_names(self) -> list[str]:
        """``["loss", *metric names]``: the order of ``evaluate``'s list."""
        return ["loss", *(m.name for m in getattr(self, "_metric_objs", []))]

    def _require_compiled(self, what: str) -> None:
        if not self.compiled:
            raise RuntimeError(
                f"Sequential.{what}: you must compile the model before training or evaluating it; call "
                "model.compile(optimizer=..., loss=...) first"
            )

    def _prepare(self, x_shape: tuple, bind: bool = True) -> None:
        """Build from the first batch if needed, and bind the optimizer to the (now existing) weights."""
        if self._build_input_shape is None:
            self.build((None, *x_shape[1:]))
        if bind and self.optimizer.params is None:
            self.optimizer.bind(self.parameters())

    def _reset_metrics(self) -> None:
        for m in self._metric_objs:
            m.reset_state()

    def _update_metrics(self, y: np.ndarray, y_pred: Any) -> None:
        if not self._metrics_shaped:
            self._metric_objs = [
                _metrics.resolve(i, loss=self._loss_fn, y_true_shape=y.shape, y_pred_shape=y_pred.shape)
                if isinstance(i, str) else o for i, o in zip(self._metric_ids, self._metric_objs, strict=True)
            ]
            self._metrics_shaped = True
        for m in self._metric_objs:
            m.update_state(y, y_pred)

    def _metric_results(self) -> dict[str, float]:
        return {m.name: float(m.result()) for m in self._metric_objs}

    # --- fit / evaluate / predict -----------------------------------------------------------------
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: int | str = 1, callbacks: list[Callback] | None = None, validation_split: float = 0.0,
            validation_data: Any = None,
            shuffle: bool = True, initial_epoch: int = 0, steps_per_epoch: int | None = None,
            validation_steps: int | None = None, validation_batch_size: int | None = None,
            validation_freq: int = 1) -> History:
        """Train for ``epochs`` epochs; returns a ``History`` (``history.history["val_loss"]``, ...).

        Args:
            x: inputs (array), or a Sequence/DirectoryIterator or generator yielding ``(x, y)`` batches.
            y: targets when ``x`` is an array.
            batch_size: samples per step for arrays (default 32).
            epochs: index of the last epoch (training runs from ``initial_epoch`` to ``epochs``).
            verbose: 0 silent, 1 (or "auto") progress bar, 2 one line per epoch.
            callbacks: ``nn.callbacks`` instances.
            validation_split: fraction of the arrays held out (the last samples, before shuffling).
            validation_data: ``(x_val, y_val)``, a Sequence or a generator, evaluated after each epoch.
            shuffle: reshuffle the arrays each epoch.
            initial_epoch: epoch to start from (to resume training).
            steps_per_epoch: batches per epoch (default: one pass over the data).
            validation_steps: batches of validation data per evaluation (default: all).
            validation_batch_size: batch size for validation arrays (default ``batch_size``).
            validation_freq: evaluate every this many epochs.
        """
        self._require_compiled("fit")
        for arg, value, low in (("epochs", epochs, 0), ("initial_epoch", initial_epoch, 0),
                                ("validation_freq", validation_freq, 1)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise ValueError(
                    f"Sequential.fit: {arg} must be an integer >= {low}, received {arg}={value!r}"
                )
        if not 0.0 <= validation_split < 1.0:
            raise ValueError(
                f"Sequential.fit: validation_split must be in [0, 1), received {validation_split=}"
            )
        if x is None:
            raise ValueError("Sequential.fit: x is required (arrays, a Sequence or a generator)")
        batch_size = 32 if batch_size is None else batch_size
        if validation_split and validation_data is None:
            (x, y), validation_data = training.split_validation(x, y, validation_split)
        train = training.make_adapter(x, y, batch_size, shuffle, steps_per_epoch, "fit")
        val = None
        if validation_data is not None:
            vx, vy = _split_pair(validation_data)
            val = training.make_adapter(vx, vy, validation_batch_size or batch_size, False, validation_steps,
                                        "fit (validation_data)", restart=True)
        history = History()
        verbose, extra = progress_for(verbose)
        params = {"verbose": verbose, "epochs": epochs, "steps": train.steps}
        cbs = CallbackList([*(callbacks or []), history, *extra], self, params)
        history.params = params
        training.run_fit(self, train, val, epochs, initial_epoch, cbs, validation_freq)
        self.history = history
        return history

    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None, verbose: int | str = 1,
                 steps: int | None = None, callbacks: list[Callback] | None = None,
                 return_dict: bool = False) -> float | list[float] | dict[str, float]:
        """Mean loss (and metrics) over the data, in inference mode: ``loss`` or ``[loss, *metrics]``."""
        self._require_compiled("evaluate")
        data = training.make_adapter(x, y, batch_size or 32, False, steps, "evaluate", restart=True)
        verbose, extra = progress_for(verbose)
        cbs = CallbackList([*(callbacks or []), *extra], self, {"verbose": verbose, "steps": data.steps})
        logs = training.run_evaluate(self, data, cbs)
        if return_dict:
            return logs
        values = [logs[k] for k in self.metrics_names]
        return values[0] if len(values) == 1 else values

    def predict(self, x: Any, batch_size: int | None = None, verbose: int | str = 0, steps: int | None = None,
                callbacks: list[Callback] | None = None) -> np.ndarray:
        """The model's outputs for ``x`` (arrays, a Sequence or a generator), as one ndarray."""
        if not self.layers:
            raise ValueError(f"Sequential '{self.name}' has no layers to predict with")
        data = training.make_adapter(x, None, batch_size or 32, False, steps, "predict", restart=True)
        verbose, extra = progress_for(verbose)
        cbs = CallbackList([*(callbacks or []), *extra], self, {"verbose": verbose, "steps": data.steps})
        return training.run_predict(self, data, cbs)

    def predict_on_batch(self, x: Any) -> np.ndarray:
        """``predict`` for one batch."""
        return self.predict(x, batch_size=len(x))

    # --- weights and files ------------------------------------------------------------------------
    def get_weights(self) -> list[np.ndarray]:
        """Copies of every weight (parameters, then buffers per layer), as Keras lists them."""
        return list(self.state_dict().values())

    def set_weights(self, weights: list[np.ndarray]) -> None:
        """Set the weights from a list in ``get_weights()`` order (all or nothing)."""
        names = list(self.state_dict())
        if len(weights) != len(names):
            raise ValueError(f"Sequential.set_weights: expected {len(names)} arrays, received {len(weights)}")
        self.load_state_dict(dict(zip(names, weights, strict=True)))

    def save_weights(self, filepath: str | os.PathLike) -> None:
        """Write the weights to a ``.npz`` file (atomically; see ``nn.saving``)."""
        saving.save_weights(self, filepath)

    def load_weights(self, filepath: str | os.PathLike) -> None:
        """Load weights saved by ``save_weights`` or ``save``; on any problem nothing changes."""
        saving.load_weights(self, filepath)

    def save(self, filepath: str | os.PathLike) -> None:
        """Write architecture, weights, compile settings and optimizer state to one ``.npz`` file."""
        saving.save_model(self, filepath)

    def export(self, filepath: str | os.PathLike, format: str = "onnx", **kwargs: Any) -> None:
        """Keras 3's ``model.export``: ``format="onnx"`` is ``nn.export.to_onnx(self, filepath)``."""
        if format != "onnx":
            raise ValueError(f"Sequential.export: only format='onnx' is supported, received {format=}")
        from .export import to_onnx

        to_onnx(self, filepath, **kwargs)

    def get_config(self) -> dict[str, Any]:
        """The architecture as JSON-able data: name, input shape and each layer's class and arguments."""
        return {"name": self.name, "input_shape": list(self.input_shape) if self.built else None,
                "layers": [saving.layer_config(layer) for layer in self.layers]}

    def extra_repr(self) -> str:
        return f"name={self.name!r}"

    def __repr__(self) -> str:
        inner = "\n".join(f"  ({i}): {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential(name={self.name!r}" + (f",\n{inner}\n)" if inner else ")")


def _split_pair(data: Any) -> tuple[Any, Any]:
    """``validation_data`` as ``(x, y)``: a pair of arrays, or one Sequence/generator."""
    if isinstance(data, (tuple, list)) and len(data) == 2 and training.is_array_like(data[0]):
        return data[0], data[1]
    if isinstance(data, (tuple, list)) and len(data) == 3:
        raise ValueError("fit: validation_data with sample weights (x, y, w) is not supported; pass (x, y)")
    return data, None


def _object_config(obj: Any) -> dict[str, Any] | None:
    """``{"class_name", "config"}`` for objects with ``get_config`` (saved with the model); else None."""
    if hasattr(obj, "get_config") and not isinstance(obj, type):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    return None


def _canonical_name(identifier: Any, resolved: Any) -> str:
    """``"binary_crossentropy"`` for "binary_crossentropy", BinaryCrossentropy() or the function."""
    for obj in (resolved, identifier):
        name = getattr(obj, "__name__", None) or getattr(obj, "name", None)
        if isinstance(name, str):
            return name
    return snake_case(type(resolved).__name__)


def load_model(filepath: str | os.PathLike, custom_objects: dict[str, Any] | None = None,
               compile: bool = True) -> Sequential:
    """Rebuild a model saved with ``model.save(path)``: layers, weights, compile settings, optimizer state.

    The file is read without pickle; layers are rebuilt only from ``nn.layers`` classes and
    ``custom_objects``.

    Example:
        >>> model = load_model("model.npz")            # doctest: +SKIP
    """
    return saving.load_model(filepath, custom_objects=custom_objects, compile=compile, cls=Sequential)
