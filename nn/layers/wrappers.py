"""Layer wrappers from Keras: ``Bidirectional`` (a recurrent layer run both ways) and ``TimeDistributed``."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, concatenate

from ._sequence import as_array, attach_mask, mask_of
from .base import Layer, Shape, as_tensor
from .recurrent import Recurrent

MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def layer_from_config(spec: Any, where: str) -> Any:
    """A layer given as itself, or as ``{"class_name", "config"}`` naming a class of ``nn.layers``
    (how a saved model describes a wrapped layer; no other class can be named, so loading runs no code)."""
    if not isinstance(spec, dict):
        return spec
    from .. import layers as known

    name = spec.get("class_name")
    if name not in known.__all__ or not isinstance(getattr(known, name), type):
        raise ValueError(f"{where}: the wrapped layer's class {name!r} is not a layer of nn.layers")
    return getattr(known, name)(**(spec.get("config") or {}))


def layer_spec(layer: Layer) -> dict[str, Any]:
    """``{"class_name", "config"}`` of ``layer``, as ``model.save`` writes it."""
    from ..saving import layer_config

    return layer_config(layer)


class Bidirectional(Layer):
    """Run a recurrent layer forwards and a copy of it backwards, and merge the two outputs.

    The backward copy has the same configuration with ``go_backwards`` flipped (and its own weights);
    with ``return_sequences`` its outputs are reversed again so both line up in time. Padded steps
    give zeros in the sequences (as Keras). Weights: the forward layer's, then the backward one's.

    Args:
        layer: a ``SimpleRNN``, ``GRU`` or ``LSTM`` (its configuration is copied; it is not called).
        merge_mode: "concat" (default; features side by side), "sum", "mul", "ave", or None
            (return ``[forward, backward]``).
        backward_layer: an explicit backward layer (must have ``go_backwards=True``).
        name: layer name (default ``bidirectional``, ...).

    Example:
        >>> import numpy as np
        >>> from nn.layers import LSTM, Bidirectional
        >>> layer = Bidirectional(LSTM(4, return_sequences=True))
        >>> layer(np.ones((2, 5, 3))).shape, layer.forward_layer.name.startswith("forward_lstm")
        ((2, 5, 8), True)
    """

    input_ndim = 3
    rank_hint = "(batch, timesteps, features)"
    supports_masking = True

    def __init__(self, layer: Recurrent, merge_mode: str | None = "concat",
                 backward_layer: Recurrent | None = None, input_shape: Any = None,
                 name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        layer = layer_from_config(layer, self._where)
        backward_layer = layer_from_config(backward_layer, self._where)
        if not isinstance(layer, Recurrent):
            raise TypeError(f"{self._where}: expected a recurrent layer (SimpleRNN, GRU, LSTM), received "
                            f"{type(layer).__name__}")
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"{self._where}: merge_mode must be one of {MERGE_MODES}, "
                             f"received merge_mode={merge_mode!r}")
        config = layer.get_config()
        self.forward_layer = type(layer)(**{**config, "name": f"forward_{layer.name}"})
        self._given_backward = backward_layer is not None  # saved with the model only when given
        if backward_layer is None:
            backward_layer = type(layer)(**{**config, "go_backwards": not layer.go_backwards,
                                            "name": f"backward_{layer.name}"})
        elif not isinstance(backward_layer, Recurrent) or backward_layer.go_backwards == layer.go_backwards:
            raise ValueError(f"{self._where}: backward_layer must be a recurrent layer whose go_backwards is "
                             f"the opposite of the forward layer's ({layer.go_backwards})")
        self.backward_layer = backward_layer
        self.merge_mode = merge_mode
        self.return_sequences, self.return_state = layer.return_sequences, layer.return_state
        for part in (self.forward_layer, self.backward_layer):
            part.zero_output_for_mask = part.return_sequences  # Keras's rule for the wrapped layers
        self._build_if_declared()

    def build(self, input_shape: Shape) -> None:
        self.forward_layer.maybe_build(input_shape)
        self.backward_layer.maybe_build(input_shape)
        super().build(input_shape)

    def _has_weights_when_built(self) -> bool:
        return True

    def __call__(self, inputs: Any, initial_state: Any = None, mask: Any = None,
                 training: bool | None = None) -> Any:
        """``merge(forward(x), reverse(backward(x)))``; ``initial_state`` lists the forward states first."""
        if mask is None:
            mask = mask_of(inputs)
        x = as_tensor(as_array(inputs, self._where) if isinstance(inputs, list) else inputs, self._where)
        self.maybe_build(x.shape)
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = list(initial_state[:half]), list(initial_state[half:])
        y = self.forward_layer(x, initial_state=forward_state, mask=mask)
        y_rev = self.backward_layer(x, initial_state=backward_state, mask=mask)
        states: list[Tensor] = []
        if self.return_state:
            states = [*y[1:], *y_rev[1:]]
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = y_rev[:, ::-1]  # back into forward time order
        output = self.merge(y, y_rev)
        if self.return_sequences and mask is not None and self.merge_mode is not None:
            attach_mask(output, _as_bool(mask))
        if self.merge_mode is None:
            return [*output, *states]
        return [output, *states] if self.return_state else output

    def merge(self, y: Tensor, y_rev: Tensor) -> Any:
        """Combine the two directions by ``merge_mode``."""
        if self.merge_mode == "concat":
            return concatenate([y, y_rev], axis=-1)
        if self.merge_mode == "sum":
            return y + y_rev
        if self.merge_mode == "mul":
            return y * y_rev
        if self.merge_mode == "ave":
            return (y + y_rev) * 0.5
        return [y, y_rev]

    def compute_output_shape(self, input_shape: Shape) -> Any:
        one = self.forward_layer.compute_output_shape(input_shape)
        states = []
        if self.return_state:
            one, states = one[0], one[1:] * 2
        if self.merge_mode == "concat":
            one = (*one[:-1], 2 * one[-1])
        elif self.merge_mode is None:
            return [one, one, *states]
        return [one, *states] if self.return_state else one

    def get_config(self) -> dict[str, Any]:
        """The wrapped layer's and the backward layer's configurations, and ``merge_mode``."""
        return {"layer": layer_spec(self.forward_layer), "merge_mode": self.merge_mode,
                "backward_layer": layer_spec(self.backward_layer) if self._given_backward else None}

    def extra_repr(self) -> str:
        return f"layer={type(self.forward_layer).__name__}, merge_mode={self.merge_mode!r}"


def _as_bool(mask: Any) -> np.ndarray:
    """A mask (array, list or Tensor) as a bool ndarray."""
    return np.asarray(getattr(mask, "data", mask), dtype=bool)


class TimeDistributed(Layer):
    """Apply ``layer`` to every step: ``y[:, t] = layer(x[:, t])`` for inputs ``(batch, timesteps, ...)``.

    The steps are folded into the batch (``(batch * timesteps, ...)``), so one call of the inner
    layer serves them all and its weights are shared across time. A padding mask passes through.

    Args:
        layer: the layer to apply (built for inputs of shape ``(None, *x.shape[2:])``).
        name: layer name (default ``time_distributed``, ...).

    Example:
        >>> import numpy as np
        >>> from nn.layers import Dense, TimeDistributed
        >>> layer = TimeDistributed(Dense(4))
        >>> layer(np.ones((2, 5, 3))).shape, layer.layer.kernel.shape
        ((2, 5, 4), (3, 4))
    """

    min_ndim = 3
    rank_hint = "(batch, timesteps, ...)"
    supports_masking = True

    def __init__(self, layer: Layer, input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        layer = layer_from_config(layer, self._where)
        if not isinstance(layer, Layer):
            raise TypeError(f"{self._where}: expected a Layer to wrap, received {type(layer).__name__}")
        self.layer = layer
        self._build_if_declared()

    def build(self, input_shape: Shape) -> None:
        self.layer.maybe_build((None, *input_shape[2:]))
        super().build(input_shape)

    def _has_weights_when_built(self) -> bool:
        return True

    def __call__(self, inputs: Any, mask: Any = None, training: bool | None = None) -> Tensor:
        if mask is None:
            mask = mask_of(inputs)
        x = as_tensor(as_array(inputs, self._where) if isinstance(inputs, list) else inputs, self._where)
        self.maybe_build(x.shape)
        batch, steps = x.shape[:2]
        folded = x.reshape(batch * steps, *x.shape[2:])
        y = self.layer(folded, training=training) if self.layer.uses_training else self.layer(folded)
        y = y.reshape(batch, steps, *y.shape[1:])
        return attach_mask(y, _as_bool(mask)) if mask is not None else y

    def compute_output_shape(self, input_shape: Shape) -> tuple:
        inner = self.layer.compute_output_shape((None, *input_shape[2:]))
        return (input_shape[0], input_shape[1], *inner[1:])

    def get_config(self) -> dict[str, Any]:
        return {"layer": layer_spec(self.layer)}

    def extra_repr(self) -> str:
        return f"layer={self.layer!r}"
