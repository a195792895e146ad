"""``Layer``: the Keras lifecycle every layer shares (lazy ``build``, shape inference, names, weights).

A ``Layer`` is a ``Module`` whose weights are created by ``build(input_shape)`` the first time it
sees data (or at once when ``input_shape=`` is given), so the user never types a fan-in. Each layer
wraps a stateless function on Tensors (``Dense.forward`` is ``x @ kernel + bias``), and knows its
output shape without running data (``compute_output_shape``), which is what ``summary()`` prints.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from autograd import Tensor

from .. import activations, initializers
from ..module import Module
from .symbolic import is_symbolic, symbolic_call

Shape = tuple  # a full shape, batch axis first; None marks an unknown size (the batch, usually)

_names_lock = threading.Lock()
_name_counts: dict[str, int] = {}  # Keras names layers uniquely per session: dense, dense_1, dense_2, ...


_SHAPES_ONLY: contextvars.ContextVar[bool] = contextvars.ContextVar("stepgrad_shapes_only", default=False)


@contextlib.contextmanager
def shapes_only() -> Iterator[None]:
    """Inside this block, layers build weights as read-only zero-stride views: right shapes, no memory.

    ``load_model`` builds a file's declared architecture this way to check it against the file's
    arrays before allocating anything (a 2 KB file may declare a 30000 x 30000 Dense layer).
    """
    token = _SHAPES_ONLY.set(True)
    try:
        yield
    finally:
        _SHAPES_ONLY.reset(token)


def unique_name(prefix: str) -> str:
    """``prefix`` the first time, then ``prefix_1``, ``prefix_2``, ... (as Keras names layers)."""
    with _names_lock:
        count = _name_counts.get(prefix, 0)
        _name_counts[prefix] = count + 1
    return prefix if count == 0 else f"{prefix}_{count}"


def clear_names() -> None:
    """Restart automatic layer names at ``dense``, ``conv2d``, ... (like ``keras.backend.clear_session``)."""
    with _names_lock:
        _name_counts.clear()


def snake_case(name: str) -> str:
    """``MaxPooling2D`` -> ``max_pooling2d``, ``BatchNormalization`` -> ``batch_normalization``."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def as_shape(shape: Any, where: str, arg: str = "input_shape") -> tuple:
    """A shape as a tuple of positive ints (or None); an int ``n`` means ``(n,)``."""
    dims = (shape,) if isinstance(shape, (int, np.integer)) else shape
    try:
        dims = tuple(None if d is None else int(d) for d in dims)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: {arg} must be a tuple of ints, received {arg}={shape!r}") from None
    if any(d is not None and d <= 0 for d in dims):
        raise ValueError(f"{where}: {arg} must have positive sizes, received {arg}={shape!r}")
    return dims


def as_tensor(x: Any, where: str) -> Tensor:
    """Float Tensors pass through; int/bool Tensors, arrays, lists and numbers become float32 Tensors."""
    if isinstance(x, Tensor):
        return x if x.dtype.kind == "f" else x.astype(np.float32)  # uint8 images, say
    try:
        return Tensor(np.asarray(x, dtype=np.float32))
    except (TypeError, ValueError):
        raise TypeError(
            f"{where}: expected a Tensor or an array of numbers, received {type(x).__name__}"
        ) from None


class Layer(Module):
    """Base class of the Keras-style layers: lazy ``build``, shape inference, unique names.

    Subclasses set weights in ``build(input_shape)`` (calling ``super().build(input_shape)``),
    compute in ``forward(x)``, and say what comes out in ``compute_output_shape(input_shape)``.
    Shapes are full shapes, batch first, ``None`` where unknown: ``(None, 150, 150, 3)``.

    Class attributes a subclass may set: ``input_ndim`` (exact rank expected), ``min_ndim``,
    ``rank_hint`` (how the axes are read, for errors) and ``uses_training`` (``forward`` takes
    ``training=``).

    Args:
        name: the layer's name; by default the snake-cased class name made unique (``dense_1``).
        input_shape: the shape of one sample (no batch axis); builds the weights at once.

    Example:
        >>> from nn.layers import Dense
        >>> layer = Dense(4)
        >>> layer.built
        False
        >>> layer([[1.0, 2.0, 3.0]]).shape, layer.built, layer.count_params()
        ((1, 4), True, 16)
    """

    input_ndim: int | None = None
    min_ndim: int = 1
    rank_hint: str = ""
    uses_training: bool = False

    def __init__(self, name: str | None = None, input_shape: Any = None) -> None:
        super().__init__()
        self.name = name if name is not None else unique_name(snake_case(type(self).__name__))
        self.built = False
        self._build_input_shape: tuple | None = None
        self._declared_input_shape = None if input_shape is None else as_shape(input_shape, self._where)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A subclass with its own ``__call__`` (several inputs, masks) still records symbolic calls."""
        super().__init_subclass__(**kwargs)
        own = vars(cls).get("__call__")
        if own is not None and not getattr(own, "_records_symbolic_calls", False):
            cls.__call__ = _recording_symbolic_calls(own)

    @property
    def _where(self) -> str:
        return f"{type(self).__name__} '{self.name}'" if "name" in self.__dict__ else type(self).__name__

    # --- lifecycle --------------------------------------------------------------------------
    def build(self, input_shape: Shape) -> None:
        """Create the weights for inputs of ``input_shape``; subclasses call this at the end."""
        self._build_input_shape = tuple(input_shape)
        self.built = True

    def _build_if_declared(self) -> None:
        """Build at once when ``input_shape=`` was given (each subclass's ``__init__`` ends with this)."""
        if self._declared_input_shape is not None:
            self.maybe_build((None, *self._declared_input_shape))

    def maybe_build(self, input_shape: Shape) -> tuple:
        """Check ``input_shape``, build once for it, and return the output shape (no data is run).

        This is how ``Sequential`` sizes its layers for ``summary()`` before any data arrives.
        """
        input_shape = as_shape(input_shape, self._where)
        self._check_input_shape(input_shape)
        if not self.built:
            self.build(input_shape)
            self.built, self._build_input_shape = True, input_shape  # also for builds that skip super()
        return self.compute_output_shape(input_shape)

    def compute_output_shape(self, input_shape: Shape) -> tuple:
        """The output's full shape for inputs of ``input_shape`` (identity by default)."""
        return tuple(input_shape)

    def __call__(self, inputs: Any, training: bool | None = None) -> Tensor:
        """Convert ``inputs`` to a float32 Tensor, check its shape, build once, then ``forward``.

        On a symbolic tensor (``nn.Input``) nothing runs: the call is recorded and a symbolic output
        returned (see ``nn.layers.symbolic``).
        """
        if is_symbolic(inputs):
            return symbolic_call(self, inputs, training=training)
        if "_losses" in self.__dict__:
            self._losses = []  # add_loss() terms belong to the latest call
        x = as_tensor(inputs, self._where)
        self.maybe_build(x.shape)  # also checks that the output is non-empty, naming this layer
        if self.uses_training and training is not None:
            return super().__call__(x, training=training)
        return super().__call__(x)

    def _check_input_shape(self, shape: tuple) -> None:
        """Keras's input spec: the rank, then (once built) the sizes the weights were made for."""
        ndim = len(shape)
        hint = f" {self.rank_hint}" if self.rank_hint else ""
        if self.input_ndim is not None and ndim != self.input_ndim:
            raise ValueError(
                f"{self._where}: expected a {self.input_ndim}-D input{hint}, "
                f"received shape {shape} ({ndim}-D)"
            )
        if ndim < self.min_ndim:
            raise ValueError(
                f"{self._where}: expected an input of at least {self.min_ndim} dimensions{hint}, "
                f"received shape {shape} ({ndim}-D)"
            )
        if not self.built:
            return
        for axis, size in self._fixed_axes().items():
            if shape[axis] is not None and shape[axis] != size:
                raise ValueError(
                    f"{self._where}: expected axis {axis} of the input to have size {size} (the layer was "
                    f"built for inputs of shape {self._build_input_shape}), received shape {shape}"
                )

    def _fixed_axes(self) -> dict[int, int]:
        """Axis -> size the built weights require (e.g. Dense's last axis); none by default."""
        return {}

    # --- shapes and weights -----------------------------------------------------------------
    @property
    def input_shape(self) -> tuple:
        """The full input shape the layer was built for, e.g. ``(None, 150, 150, 3)``."""
        if self._build_input_shape is None:
            raise AttributeError(f"{self._where} has not been built or called yet, so it has no input_shape")
        return self._build_input_shape

    @property
    def output_shape(self) -> tuple:
        """``compute_output_shape(input_shape)``: what the layer returns, e.g. ``(None, 148, 148, 32)``."""
        return self.compute_output_shape(self.input_shape)

    def add_weight(self, name: Any = None, shape: Any = None, initializer: Any = None, trainable: bool = True,
                   dtype: Any = None, **kwargs: Any) -> Tensor:
        """Create a weight from ``initializer`` (default zeros) and store it as attribute ``name``.

        Both spellings work: ``add_weight("kernel", (3, 4), "glorot_uniform")`` and Keras 3's
        ``add_weight(shape=(3, 4), initializer="glorot_uniform", name="kernel")``; without a name the
        weight is stored as ``variable``, ``variable_1``, ... Trainable weights are Tensors with
        ``requires_grad=True`` (found by ``parameters()``); the others are buffers (saved in
        ``state_dict()``, never stepped), like BatchNorm's moving mean.
        """
        if name is not None and not isinstance(name, str):  # Keras 3: add_weight(shape, initializer)
            name, shape, initializer = None, name, shape if initializer is None else initializer
        name = kwargs.pop("name", name)
        if shape is None:
            raise TypeError(f"{self._where}.add_weight: shape is required, e.g. add_weight(shape=(3, 4))")
        unknown = sorted(k for k, v in kwargs.items()
                         if v is not None and k not in ("autocast", "aggregation"))
        if unknown:
            raise TypeError(f"{self._where}.add_weight: unsupported arguments {unknown}")
        if name is None:
            count = sum(1 for k in vars(self) if k == "variable" or k.startswith("variable_"))
            name = "variable" if count == 0 else f"variable_{count}"
        init = initializers.get("zeros" if initializer is None else initializer)
        shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
        dtype = dtype or np.float32
        if _SHAPES_ONLY.get():  # a zero-stride view: the shape without the memory
            values = np.broadcast_to(np.zeros((), dtype=dtype), shape)
        else:
            values = np.asarray(init(shape), dtype=dtype)
        weight = Tensor(values, requires_grad=trainable,
                        label=f"{self.name}/{name}")
        if trainable:
            setattr(self, name, weight)
        else:
            self.register_buffer(name, weight)
        return weight

    def add_loss(self, loss: Any) -> None:
        """Add a term (a scalar Tensor, e.g. an activity penalty) to the loss ``fit`` minimises.

        Call it inside ``forward``/``call``; the terms of the latest call are in ``losses``.
        """
        self.__dict__.setdefault("_losses", []).append(loss)

    @property
    def losses(self) -> list[Any]:
        """The ``add_loss`` terms of the latest call, of this layer and every layer inside it."""
        inner = (loss for layer in self._sublayers() for loss in layer.losses)
        return [*self.__dict__.get("_losses", ()), *inner]

    def _sublayers(self) -> list[Layer]:
        """The layers this one holds directly: attributes, or lists, tuples and dicts of layers (one
        level, judged by their first item: this runs at every training step, so no full walk)."""
        found: list[Layer] = []
        for value in vars(self).values():
            if isinstance(value, Layer):
                found.append(value)
            elif isinstance(value, dict) and value and isinstance(next(iter(value.values())), Layer):
                found += [v for v in value.values() if isinstance(v, Layer)]
            elif isinstance(value, (list, tuple)) and value and isinstance(value[0], Layer):
                found += [v for v in value if isinstance(v, Layer)]
        return found

    # --- the symbolic view ------------------------------------------------------------------
    def _single_node(self, what: str) -> Any:
        nodes = self.__dict__.get("_inbound_nodes", [])
        if not nodes:
            raise AttributeError(f"{self._where} has not been called on a symbolic input (nn.Input), "
                                 f"so it has no {what}")
        if len(nodes) > 1:
            raise AttributeError(f"{self._where} has been called {len(nodes)} times, so its {what} is "
                                 "ambiguous; use the tensors those calls returned")
        return nodes[0]

    @property
    def input(self) -> Any:
        """The symbolic tensor this layer was called on (when called once on ``nn.Input``-made tensors)."""
        return self._single_node("input").args

    @property
    def output(self) -> Any:
        """The symbolic tensor this layer's call returned (feature extraction:
        ``nn.Model(model.inputs, model.get_layer("x").output)``)."""
        return self._single_node("output").outputs

    # --- configs ----------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, read back from the attributes of the same names (activations by
        name, initializers by name or config), as Keras's ``get_config``; ``from_config`` inverts it.

        Example:
            >>> from nn.layers import Dense
            >>> config = Dense(3, activation="relu", name="d").get_config()
            >>> config["units"], config["activation"], config["name"]
            (3, 'relu', 'd')
            >>> type(Dense.from_config(config)).__name__
            'Dense'
        """
        import inspect

        config: dict[str, Any] = {}
        where = f"get_config: layer '{self.name}' ({type(self).__name__})"
        for arg, p in inspect.signature(type(self).__init__).parameters.items():
            skip = arg in ("self", "input_shape")
            if skip or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue  # the model stores the input shape once
            if arg == "activation" and hasattr(self, "activation_name"):
                value = self.activation_name
            elif arg.removesuffix("_initializer") in getattr(self, "initializers", {}):
                value = self.initializers[arg.removesuffix("_initializer")]  # BatchNormalization's dict
            elif hasattr(self, arg):
                value = getattr(self, arg)
            elif p.default is not p.empty:
                continue
            else:
                raise TypeError(f"{where}: cannot find the value of argument '{arg}'; "
                                "give the layer a get_config()")
            config[arg] = _jsonable(value, f"{where}: argument {arg}={value!r}")
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """A new layer (unbuilt, fresh weights) from ``get_config()``'s output."""
        return cls(**config)

    @property
    def trainable_weights(self) -> list[Tensor]:
        """The weights an optimizer steps (``parameters()``)."""
        return list(self.parameters())

    @property
    def non_trainable_weights(self) -> list[Tensor]:
        """Weights updated otherwise (BatchNorm's moving statistics): the module's buffers."""
        return [b for _, b in self.named_buffers()]

    @property
    def weights(self) -> list[Tensor]:
        """Trainable, then non-trainable weights, as Keras lists them."""
        return self.trainable_weights + self.non_trainable_weights

    def count_params(self) -> int:
        """Number of numbers in the weights, trainable and not (what ``summary()`` shows)."""
        if not self.built and self._has_weights_when_built():
            raise ValueError(
                f"{self._where}: count_params() needs the weights, but the layer is not built yet; call it "
                f"on data, pass input_shape=, or call layer.maybe_build(input_shape) first"
            )
        return int(sum(np.size(w.data if isinstance(w, Tensor) else w) for w in self.weights))

    def _has_weights_when_built(self) -> bool:
        return False

    def get_weights(self) -> list[np.ndarray]:
        """Copies of ``weights`` as ndarrays (e.g. ``kernel, bias = dense.get_weights()``)."""
        return [np.array(w.data if isinstance(w, Tensor) else w, copy=True) for w in self.weights]

    def set_weights(self, weights: list[Any]) -> None:
        """Copy arrays into ``weights`` in place, in ``get_weights()`` order; all or nothing."""
        current = self.weights
        if len(weights) != len(current):
            raise ValueError(f"{self._where}: set_weights expected {len(current)} arrays (one per weight), "
                             f"received {len(weights)}")
        arrays = [np.asarray(getattr(w, "data", w)) for w in weights]
        for i, (new, old) in enumerate(zip(arrays, current, strict=True)):
            if new.shape != old.shape:
                raise ValueError(f"{self._where}: set_weights: weight {i} ({old.label}) has shape "
                                 f"{old.shape}, received an array of shape {new.shape} (nothing was set)")
        for new, old in zip(arrays, current, strict=True):
            np.copyto(old.data, new, casting="same_kind")  # in place: optimizers hold these Tensors

    def __repr__(self) -> str:
        extra = self.extra_repr()
        return f"{type(self).__name__}(name={self.name!r}{', ' + extra if extra else ''})"


def _recording_symbolic_calls(call: Callable[..., Any]) -> Callable[..., Any]:
    """``call``, except that on symbolic tensors (``nn.Input``) the call is recorded instead of run."""

    @functools.wraps(call)
    def wrapper(self: Layer, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if is_symbolic(inputs) and not args:
            return symbolic_call(self, inputs, **kwargs)
        return call(self, inputs, *args, **kwargs)

    wrapper._records_symbolic_calls = True  # type: ignore[attr-defined]
    return wrapper


def resolve_activation(activation: Any, where: str) -> tuple[Callable[[Tensor], Tensor], str]:
    """``(function, name)`` for a name ("relu", ...), a callable or None (linear): ``activations.get``."""
    try:
        fn = activations.get(activation)
    except (TypeError, ValueError) as error:
        raise type(error)(f"{where}: {error}") from None  # say which layer was given the bad name
    return fn, activations.serialize(fn) or getattr(fn, "__name__", type(fn).__name__)


def _jsonable(value: Any, where: str) -> Any:
    """A config value as JSON-able data (tuples as lists, numpy scalars as numbers, objects by config)."""
    if isinstance(value, (tuple, list)):
        return [_jsonable(v, where) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "get_config") and not isinstance(value, type):  # e.g. GlorotUniform(seed=0)
        config = {k: _jsonable(v, where) for k, v in value.get_config().items()}
        return {"class_name": type(value).__name__, "config": config}
    raise TypeError(f"{where} cannot be saved as text (only names, numbers and configurable objects can); "
                    "use save_weights() for such models")
