"""``Model``: a layer with Keras's training API — ``compile``, ``fit``, ``evaluate``, ``predict``.

Three ways to make one, as in Keras:

- ``Sequential([...])`` (``nn.models.sequential``): a stack of layers;
- ``Model(inputs, outputs)`` (``nn.models.functional``): a graph of layers called on ``nn.Input``;
- ``class M(Model)`` with ``__init__`` creating layers and ``call(self, inputs, training=None)``.

``fit`` is one short loop: per epoch, per batch, ``train_step(data)`` then the callbacks. Override
``train_step`` (or ``test_step``, ``predict_step``) to change what one step does; ``fit``,
``evaluate`` and ``predict`` call yours.

Example:
    >>> import numpy as np, nn
    >>> class TwoLayer(nn.Model):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = nn.layers.Dense(8, activation="relu")
    ...         self.out = nn.layers.Dense(1)
    ...     def call(self, inputs, training=None):
    ...         return self.out(self.hidden(inputs))
    >>> model = TwoLayer()
    >>> model.compile(optimizer="adam", loss="mse")
    >>> x = np.random.default_rng(0).normal(size=(32, 3)); y = x.sum(axis=1)
    >>> history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    >>> len(history.history["loss"]), model.predict(x[:4]).shape
    (2, (4, 1))
"""

from __future__ import annotations

import functools
import inspect
import os
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from autograd.graph import no_grad
from autograd.tensor import Tensor

from .. import metrics as _metrics
from .. import optimizers as _optimizers
from .. import saving
from .._threads import BlasThreads
from ..callbacks import Callback, CallbackList, History
from ..callbacks.progbar_logger import progress_for
from ..layers import Layer
from . import data as data_adapters
from .compile_utils import CompiledLoss, CompiledMetrics, class_weights


class _TrackedLayers:
    """``model.layers``: Sequential and functional models keep a list; a subclassed model lists the
    layers assigned to its attributes (a non-data descriptor, so an instance's own list wins)."""

    def __get__(self, model: Any, owner: Any = None) -> Any:
        if model is None:
            return self
        return [m for m in model.children() if isinstance(m, Layer)]


class Model(Layer):
    """A layer with ``compile``/``fit``/``evaluate``/``predict``/``summary``/``save``.

    ``Model(inputs, outputs, name=None)`` builds a functional model (see ``nn.models.functional``);
    a subclass defines ``call(self, inputs, training=None)``.

    Args:
        name: the model's name (default: the snake-cased class name, made unique).
    """

    layers = _TrackedLayers()

    def __new__(cls, *args: Any, **kwargs: Any) -> Model:
        from ..layers.symbolic import is_symbolic
        from .functional import Functional

        given = len(args) + ("inputs" in kwargs) + ("outputs" in kwargs)  # Model(inputs, outputs)
        functional = given >= 2 and is_symbolic(kwargs.get("inputs", args[0] if args else None))
        if cls is Model and (functional or args or "outputs" in kwargs):
            return super().__new__(Functional)  # Model(inputs, outputs): the functional API
        if functional and not issubclass(cls, Functional):
            return super().__new__(_functional_twin(cls))  # class M(Model) built as M(inputs, outputs)
        return super().__new__(cls)

    def __init__(self, *args: Any, name: str | None = None, trainable: bool = True, **kwargs: Any) -> None:
        if args or kwargs:
            raise TypeError(
                f"{type(self).__name__}: unexpected arguments {args or ''}{kwargs or ''}; a subclassed "
                "Model takes name= (Model(inputs, outputs) builds a functional model)"
            )
        super().__init__(name=name)
        self.trainable = trainable
        self.optimizer: Any = None
        self.compiled = False
        self.stop_training = False
        self.history: History | None = None
        self._compiled_loss: CompiledLoss | None = None
        self._compiled_metrics: CompiledMetrics | None = None
        self._loss_tracker: _metrics.Mean | None = None

    # --- calling ---------------------------------------------------------------------------------
    def __call__(self, inputs: Any, training: bool | None = None, **kwargs: Any) -> Any:
        """``call(inputs, training=...)`` on Tensors (arrays are converted), or a symbolic call."""
        from ..layers.input_layer import is_symbolic, symbolic_call

        if is_symbolic(inputs):
            return symbolic_call(self, inputs, training=training, **kwargs)
        if "_losses" in self.__dict__:
            self._losses = []  # add_loss() terms belong to the latest call
        if training is not None and _takes_training(type(self).call):
            kwargs["training"] = training
        return self.call(data_adapters.map_structure(_as_input, inputs), **kwargs)

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        """The forward computation; a subclassed model defines it."""
        raise TypeError(
            f"{type(self).__name__}: a subclassed Model must define call(self, inputs, training=None)"
        )

    def forward(self, inputs: Any, training: bool | None = None) -> Any:
        """PyTorch's name for calling the model."""
        return self(inputs, training=training)

    def build_from_data(self, x: Any) -> None:
        """Create the weights for inputs like ``x``: by default one forward pass in inference mode."""
        if not self.built:
            with no_grad():
                self(x, training=False)
            self.built = True

    def build(self, input_shape: Any) -> None:
        """Create the weights for inputs of ``input_shape`` (batch axis first): a subclassed model runs
        once on zeros of that shape (unknown sizes taken as 1), as Keras builds one."""
        self.build_from_data(_zeros(input_shape))
        self._build_input_shape = tuple(input_shape)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The output shape, read off one forward pass on zeros (a subclassed model's ``call`` is code)."""
        with no_grad():
            out = self(_zeros(input_shape), training=False)
        return (tuple(input_shape)[0], *np.shape(getattr(out, "data", out))[1:])

    @property
    def output_names(self) -> list[str]:
        """Names of the outputs (one unnamed output is ``["output_0"]``... as Keras names them)."""
        return ["output_0"]

    # --- compile ---------------------------------------------------------------------------------
    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        loss_weights: Any = None,
        metrics: Any = None,
        weighted_metrics: Any = None,
        run_eagerly: bool | None = None,
        steps_per_execution: int = 1,
        jit_compile: Any = "auto",
        auto_scale_loss: bool = True,
    ) -> None:
        """Choose the optimizer, loss and metrics (names like ``"adam"``, or objects). A compile that
        raises changes nothing.

        Args:
            optimizer: a name ("sgd", "adam", "adamw", "rmsprop") or an ``nn.optimizers`` instance;
                it is bound to the model's parameters (now, or at the first batch if not yet built).
            loss: a name ("binary_crossentropy", "mse", ...), a ``Loss``, ``f(y_true, y_pred)``
                returning per-sample losses (reduced as Keras does), or for several outputs a list
                or a dict by output name. None when ``train_step`` computes its own loss.
            loss_weights: the outputs' weights in the total loss (a list or dict).
            metrics: a list of names ("accuracy" picks the right accuracy for the loss), functions or
                ``Metric`` objects; for several outputs a list of lists or a dict by output name.
            weighted_metrics: accepted for Keras compatibility; metrics are weighted by
                ``sample_weight`` whenever one is given.
            run_eagerly, steps_per_execution, jit_compile, auto_scale_loss: accepted for Keras
                compatibility (stepgrad always runs eagerly, one step at a time).
        """
        names = self.output_names
        new_optimizer = _optimizers.get(optimizer)
        compiled_loss = CompiledLoss(loss, loss_weights, names)
        compiled_metrics = CompiledMetrics(
            metrics if weighted_metrics is None else [*(metrics or []), *weighted_metrics],
            names,
            compiled_loss,
        )
        config = {
            "optimizer": {"class_name": type(new_optimizer).__name__, "config": new_optimizer.get_config()},
            "loss": loss if isinstance(loss, str) else compiled_loss.get_config(),
            "loss_weights": loss_weights,
            "metrics": compiled_metrics.get_config(),
        }
        # everything resolved without error: only now change the model
        self.optimizer, self.loss = new_optimizer, loss
        self._compiled_loss, self._compiled_metrics = compiled_loss, compiled_metrics
        self._loss_tracker = _metrics.Mean(name="loss")
        self._compile_config = config
        self.compiled = True
        if self.built and self.optimizer.params is None:
            self.optimizer.bind(self.trainable_weights)

    @property
    def metrics(self) -> list[_metrics.Metric]:
        """The loss tracker, the compiled metrics, then ``Metric`` objects set as attributes."""
        own = [
            v for v in vars(self).values() if isinstance(v, _metrics.Metric) and v is not self._loss_tracker
        ]
        compiled = self._compiled_metrics.metrics if self._compiled_metrics is not None else []
        return [*([self._loss_tracker] if self._loss_tracker is not None else []), *compiled, *own]

    @property
    def metrics_names(self) -> list[str]:
        """``["loss", *metric names]``: the order of ``evaluate``'s list."""
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        """Reset every metric in ``metrics`` (fit does it at each epoch start)."""
        for m in self.metrics:
            m.reset_state()

    # --- one step ---------------------------------------------------------------------------------
    def compute_loss(
        self,
        x: Any = None,
        y: Any = None,
        y_pred: Any = None,
        sample_weight: Any = None,
        training: bool = True,
    ) -> Any:
        """The compiled loss of ``y_pred`` against ``y``, plus the losses layers added (``add_loss``)."""
        total = (
            self._compiled_loss(y, y_pred, sample_weight)
            if self._compiled_loss is not None and y is not None
            else None
        )
        for extra in self.losses:
            total = extra if total is None else total + extra
        if total is None:
            raise ValueError(
                f"{self._where}: no loss to minimise; pass loss= to compile(), give the data targets "
                "y, or add_loss() in a layer"
            )
        return total

    def compute_metrics(self, x: Any, y: Any, y_pred: Any, sample_weight: Any = None) -> dict[str, float]:
        """Update the compiled metrics with a batch; return every metric's result (``get_metrics_result``)."""
        if self._compiled_metrics is not None and y is not None:
            with no_grad():
                self._compiled_metrics.update_state(y, _detach(y_pred), sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self) -> dict[str, float]:
        """``{name: result}`` of every metric in ``metrics`` (dict results are merged in)."""
        logs: dict[str, float] = {}
        for m in self.metrics:
            result = m.result()
            logs.update(result if isinstance(result, Mapping) else {m.name: result})
        return logs

    def train_step(self, data: Any) -> dict[str, float]:
        """One optimizer step on ``data = (x, y[, sample_weight])``; returns the metrics' results.

        Forward in training mode, ``compute_loss``, ``zero_grad``, ``backward``, ``optimizer.step``,
        then the loss tracker and ``compute_metrics``. Override it to train differently.
        """
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=True)
        loss = self.compute_loss(x, y, y_pred, sample_weight)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self._loss_tracker.update_state(_number(loss), sample_weight=batch_size(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data: Any) -> dict[str, float]:
        """Loss and metrics of one batch in inference mode, recording no graph."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with no_grad():
            y_pred = self(x, training=False)
            loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
        self._loss_tracker.update_state(_number(loss), sample_weight=batch_size(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data: Any) -> Any:
        """The model's outputs for one batch (``data`` is ``x`` or ``(x, ...)``), recording no graph."""
        x, _, _ = unpack_x_y_sample_weight(data)
        with no_grad():
            return self(x, training=False)

    # --- the loops -------------------------------------------------------------------------------
    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: int | str = "auto",
        callbacks: list[Callback] | None = None,
        validation_split: float = 0.0,
        validation_data: Any = None,
        shuffle: bool = True,
        class_weight: Mapping[int, float] | None = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
        steps_per_epoch: int | None = None,
        validation_steps: int | None = None,
        validation_batch_size: int | None = None,
        validation_freq: int = 1,
    ) -> History:
        """Train for ``epochs`` epochs; returns a ``History`` (``history.history["val_loss"]``, ...).

        Args:
            x: inputs (an array, or a list/dict of arrays for several inputs), or a Sequence,
                dataset or generator yielding ``(x, y)`` or ``(x, y, sample_weight)`` batches.
            y: targets when ``x`` is arrays (a list/dict of arrays for several outputs).
            batch_size: samples per step for arrays (default 32).
            epochs: index of the last epoch (training runs from ``initial_epoch`` to ``epochs``).
            verbose: 0 silent, 1 (or "auto") a progress bar in a terminal or notebook and one line per
                epoch otherwise, 2 one line per epoch.
            callbacks: ``nn.callbacks`` instances.
            validation_split: fraction of the arrays held out (the last samples, before shuffling).
            validation_data: ``(x_val, y_val[, w_val])``, a Sequence, dataset or generator,
                evaluated after each epoch.
            shuffle: reshuffle the arrays each epoch.
            class_weight: ``{class index: weight}`` scaling each sample's loss by its class.
            sample_weight: one weight per sample of ``x`` (arrays only).
            initial_epoch: epoch to start from (to resume training).
            steps_per_epoch: batches per epoch (default: one pass over the data).
            validation_steps: batches of validation data per evaluation (default: all).
            validation_batch_size: batch size for validation arrays (default ``batch_size``).
            validation_freq: evaluate every this many epochs.
        """
        self._require_compiled("fit")
        for arg, value, low in (
            ("epochs", epochs, 0),
            ("initial_epoch", initial_epoch, 0),
            ("validation_freq", validation_freq, 1),
        ):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise ValueError(
                    f"{self._where}.fit: {arg} must be an integer >= {low}, received {arg}={value!r}"
                )
        if not 0.0 <= validation_split < 1.0:
            raise ValueError(
                f"{self._where}.fit: validation_split must be in [0, 1), received {validation_split=}"
            )
        if x is None:
            raise ValueError(f"{self._where}.fit: x is required (arrays, a Sequence or a generator)")
        batch_size = 32 if batch_size is None else batch_size
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = data_adapters.split_validation(
                x, y, validation_split, sample_weight
            )
        train = data_adapters.make_adapter(
            x, y, batch_size, shuffle, steps_per_epoch, "fit", sample_weight=sample_weight
        )
        val = (
            None
            if validation_data is None
            else data_adapters.make_adapter(
                *_split_validation_data(validation_data),
                validation_batch_size or batch_size,
                False,
                validation_steps,
                "fit (validation_data)",
                restart=True,
            )
        )
        history = History()
        verbose, progbar = progress_for(verbose)
        params = {"verbose": verbose, "epochs": epochs, "steps": train.steps}
        callbacks = CallbackList([*(callbacks or []), history, *progbar], self, params)
        history.params = params

        self.stop_training = False
        callbacks.call("on_train_begin", {})
        logs: dict[str, float] = {}
        threads = BlasThreads()  # as many BLAS threads as train fastest on this CPU now (busy or not)
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            self.train()
            callbacks.call("on_epoch_begin", epoch, {})
            logs = {}
            for step, batch in enumerate(train.epoch()):
                if batch[1] is None and self._compiled_loss is not None and self._compiled_loss.losses[0]:
                    raise ValueError("fit: the data yields inputs without targets; yield (x, y) or pass y=")
                if self.optimizer.params is None:  # the first batch: create the weights, bind the optimizer
                    self._build_and_bind(batch[0])
                if class_weight is not None:
                    batch = (batch[0], batch[1], class_weights(class_weight, batch[1]))
                callbacks.call("on_train_batch_begin", step, {})
                with threads.step():
                    logs = _floats(self.train_step(batch))
                callbacks.call("on_train_batch_end", step, logs)
                if self.stop_training:
                    break
            if not logs:
                warnings.warn(
                    f"fit: no data in epoch {epoch + 1} (the generator is exhausted); stopping", stacklevel=2
                )
                break
            if val is not None and (epoch + 1) % validation_freq == 0:
                logs.update({f"val_{k}": v for k, v in self._evaluate_batches(val, callbacks).items()})
            callbacks.call("on_epoch_end", epoch, logs)
            if self.stop_training:
                break
        callbacks.call("on_train_end", logs)
        self.history = history
        return history

    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        verbose: int | str = "auto",
        sample_weight: Any = None,
        steps: int | None = None,
        callbacks: list[Callback] | None = None,
        return_dict: bool = False,
    ) -> float | list[float] | dict[str, float]:
        """Mean loss (and metrics) over the data, in inference mode: ``loss`` or ``[loss, *metrics]``."""
        self._require_compiled("evaluate")
        data = data_adapters.make_adapter(
            x, y, batch_size or 32, False, steps, "evaluate", restart=True, sample_weight=sample_weight
        )
        verbose, progbar = progress_for(verbose)
        cbs = CallbackList([*(callbacks or []), *progbar], self, {"verbose": verbose, "steps": data.steps})
        logs = self._evaluate_batches(data, cbs)
        if return_dict:
            return logs
        values = [logs[k] for k in logs]
        return values[0] if len(values) == 1 else values

    def _evaluate_batches(self, data: Any, callbacks: CallbackList) -> dict[str, float]:
        """The evaluation loop (also ``fit``'s validation): ``test_step`` per batch, the last logs."""
        self.reset_metrics()
        self.eval()
        callbacks.call("on_test_begin", {})
        logs: dict[str, float] = {}
        for step, batch in enumerate(data.epoch()):
            if batch[1] is None and self._compiled_loss is not None and self._compiled_loss.losses[0]:
                raise ValueError("evaluate: the data yields inputs without targets; yield (x, y) or pass y=")
            self.build_from_data(batch[0])
            callbacks.call("on_test_batch_begin", step, {})
            logs = _floats(self.test_step(batch))
            callbacks.call("on_test_batch_end", step, logs)
        if not logs:
            raise ValueError("evaluate: the data produced no batches")
        callbacks.call("on_test_end", logs)
        return logs

    def predict(
        self,
        x: Any,
        batch_size: int | None = None,
        verbose: int | str = "auto",
        steps: int | None = None,
        callbacks: list[Callback] | None = None,
    ) -> Any:
        """The model's outputs for ``x`` (arrays, a Sequence or a generator), as ndarrays (one per output)."""
        data = data_adapters.make_adapter(x, None, batch_size or 32, False, steps, "predict", restart=True)
        verbose, progbar = progress_for(0 if verbose == "auto" else verbose)
        cbs = CallbackList([*(callbacks or []), *progbar], self, {"verbose": verbose, "steps": data.steps})
        self.eval()
        cbs.call("on_predict_begin", {})
        outputs = []
        for step, batch in enumerate(data.epoch()):
            self.build_from_data(batch[0])
            cbs.call("on_predict_batch_begin", step, {})
            outputs.append(data_adapters.map_structure(_numpy, self.predict_step(batch)))
            cbs.call("on_predict_batch_end", step, {})
        cbs.call("on_predict_end", {})
        if not outputs:
            raise ValueError("predict: the data produced no batches")
        return _concatenate(outputs)

    def predict_on_batch(self, x: Any) -> Any:
        """``predict`` for one batch."""
        return self.predict(x, batch_size=len(data_adapters.first_array(x)), verbose=0)

    def train_on_batch(
        self, x: Any, y: Any = None, sample_weight: Any = None, return_dict: bool = False
    ) -> float | list[float] | dict[str, float]:
        """One ``train_step`` on one batch; returns the loss (and metrics) of that batch."""
        self._require_compiled("train_on_batch")
        x, y = (
            data_adapters.arrays(x, "train_on_batch", "x"),
            None if y is None else data_adapters.arrays(y, "train_on_batch", "y"),
        )
        if self.optimizer.params is None:
            self._build_and_bind(x)
        self.reset_metrics()
        self.train()
        logs = _floats(self.train_step((x, y, sample_weight)))
        return logs if return_dict else (list(logs.values()) if len(logs) > 1 else next(iter(logs.values())))

    def _build_and_bind(self, x: Any) -> None:
        """Create the weights from a first batch, then bind the optimizer to them (Keras: lazily)."""
        self.build_from_data(x)
        if self.optimizer.params is None:
            self.optimizer.bind(self.trainable_weights)

    def _require_compiled(self, what: str) -> None:
        if not self.compiled:
            raise RuntimeError(
                f"{self._where}.{what}: you must compile the model before training or evaluating it; call "
                "model.compile(optimizer=..., loss=...) first"
            )

    # --- inspection ------------------------------------------------------------------------------
    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """The layer called ``name`` (or at position ``index`` in ``layers``)."""
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(
                    f"{self._where}.get_layer: index {index} is out of range for {len(self.layers)} layers"
                )
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(
            f"{self._where}.get_layer: no layer named {name!r}; layers: {[l.name for l in self.layers]}"
        )

    def count_params(self) -> int:
        """Number of values in all weights, trainable and not."""
        return int(sum(np.size(w.data) for w in self.weights))

    def summary(
        self,
        line_length: int | None = None,
        positions: Any = None,
        print_fn: Callable[[str], Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Print Keras's table: each layer's name (type), output shape and parameter count, then totals.

        Args:
            line_length: minimum width of the table.
            positions: accepted for Keras compatibility (columns are sized to fit).
            print_fn: called with each line (default ``print``).
        """
        from .summary import print_summary

        print_summary(self, line_length, print_fn)

    # --- weights and files -----------------------------------------------------------------------
    def get_weights(self) -> list[np.ndarray]:
        """Copies of every weight (parameters, then buffers per layer), as Keras lists them."""
        return list(self.state_dict().values())

    def set_weights(self, weights: list[np.ndarray]) -> None:
        """Set the weights from a list in ``get_weights()`` order (all or nothing)."""
        names = list(self.state_dict())
        if len(weights) != len(names):
            raise ValueError(
                f"{self._where}.set_weights: expected {len(names)} arrays, received {len(weights)}"
            )
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
            raise ValueError(f"{self._where}.export: only format='onnx' is supported, received {format=}")
        from ..export import to_onnx

        to_onnx(self, filepath, **kwargs)

    def extra_repr(self) -> str:
        return f"name={self.name!r}"


# --- helpers of the loops --------------------------------------------------------------------------
def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """``(x, y, sample_weight)`` from ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if not 1 <= len(data) <= 3:
        raise ValueError(
            f"data must be x, (x,), (x, y) or (x, y, sample_weight); received a tuple of {len(data)}"
        )
    return (*data, None, None)[:3]


def batch_size(x: Any) -> int:
    """Samples in a batch of inputs (an array, Tensor, or a list/dict of them)."""
    return len(data_adapters.first_array(x))


def _as_input(x: Any) -> Any:
    """Arrays and lists become float32 Tensors (uint8 images and int features too, as Keras does)."""
    return (
        x
        if isinstance(x, Tensor) or not isinstance(x, (np.ndarray, list, np.generic))
        else Tensor(np.asarray(x, dtype=np.float32))
    )


def _number(value: Any) -> float:
    """A scalar (Tensor, Value, array or number) as a float, without making a node; arrays are averaged."""
    data = getattr(value, "data", value)
    if isinstance(data, float):
        return data
    data = np.asarray(data)
    return float(data.item() if data.size == 1 else data.mean())


def _zeros(shape: Any) -> np.ndarray:
    """A float32 batch of zeros of ``shape``, unknown sizes taken as 1."""
    return np.zeros(tuple(1 if d is None else d for d in shape), np.float32)


def _detach(y: Any) -> Any:
    if isinstance(y, Mapping):
        return {k: _detach(v) for k, v in y.items()}
    if isinstance(y, (list, tuple)) and y and isinstance(y[0], Tensor):
        return [_detach(v) for v in y]
    return y.detach() if isinstance(y, Tensor) else y


def _numpy(y: Any) -> np.ndarray:
    return np.array(y.data if isinstance(y, Tensor) else y)


def _floats(logs: Any) -> dict[str, float]:
    """A step's logs with every value a float (metrics may return Tensors or arrays)."""
    if not isinstance(logs, Mapping):
        raise TypeError(
            f"train_step/test_step must return a dict of metric results, received {type(logs).__name__}"
        )
    return {k: _number(v) for k, v in logs.items()}


def _concatenate(outputs: list[Any]) -> Any:
    first = outputs[0]
    if isinstance(first, dict):
        return {k: np.concatenate([o[k] for o in outputs], axis=0) for k in first}
    if isinstance(first, list):
        return [np.concatenate([o[i] for o in outputs], axis=0) for i in range(len(first))]
    return np.concatenate(outputs, axis=0)


def _split_validation_data(data: Any) -> tuple[Any, Any]:
    """``validation_data`` as ``(x, y)`` for ``make_adapter``: a tuple of arrays, or one dataset."""
    if isinstance(data, (tuple, list)) and len(data) in (2, 3) and data_adapters.is_array_like(data[0]):
        return tuple(data), None
    return data, None


@functools.cache
def _functional_twin(cls: type) -> type:
    """``cls`` with ``Functional`` mixed in, so ``M(inputs, outputs)`` keeps M's overrides (Keras does this
    for the keras.io pattern ``class CustomModel(keras.Model): def train_step...``)."""
    from .functional import Functional

    names = {"__module__": cls.__module__, "__qualname__": cls.__qualname__}
    return type(cls.__name__, (cls, Functional), names)


_TAKES_TRAINING: dict[Any, bool] = {}


def _takes_training(call: Callable) -> bool:
    """Whether a ``call`` accepts ``training=`` (Keras passes it only then)."""
    if call not in _TAKES_TRAINING:
        params = inspect.signature(call).parameters
        _TAKES_TRAINING[call] = "training" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())
    return _TAKES_TRAINING[call]
