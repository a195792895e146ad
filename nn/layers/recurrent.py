"""Recurrent layers with Keras's arguments and weight layouts: ``SimpleRNN``, ``GRU``, ``LSTM``.

Each layer is a cell (one time step, written in Tensor ops) unrolled by one Python loop, so the graph
holds one copy of the cell per step, all sharing the same three weights: backprop through time is
ordinary backprop, and each weight's gradient is the sum over the copies. The graph walk is
iterative, so a 1,000-step sequence is just a longer graph.

Weights (Keras's names, shapes and gate order, so ``set_weights(keras_layer.get_weights())`` works):
``kernel (features, G*units)``, ``recurrent_kernel (units, G*units)`` and ``bias``, where the G gate
blocks are side by side: SimpleRNN (G=1), GRU z, r, h (G=3, bias (2, 3*units) with reset_after),
LSTM i, f, c, o (G=4).

Masks (from ``Embedding(mask_zero=True)`` or ``mask=``): at a padded step the states are carried
over unchanged and the output repeats the previous one (zeros before the first real step), as Keras.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, stack, where
from autograd import functional as F

from .. import initializers
from ..utils import fresh_rng
from ._sequence import as_array, attach_mask, check_mask, mask_of
from .base import Layer, Shape, as_tensor, resolve_activation


class Recurrent(Layer):
    """What SimpleRNN, GRU and LSTM share: weights of G gate blocks, the loop over time, masks, states.

    A subclass sets ``gates`` (G) and ``state_count``, and defines
    ``step(xw, states, h_in, recurrent_bias)``: the new states from the input projection
    ``xw = x_t @ kernel + input bias``, the previous states, and ``h_in``, the previous output as the
    recurrent product sees it (after recurrent dropout); the first state is the output.
    """

    input_ndim = 3
    rank_hint = "(batch, timesteps, features)"
    gates = 1
    state_count = 1
    supports_masking = True

    def __init__(self, units: int, activation: Any, use_bias: bool, kernel_initializer: Any,
                 recurrent_initializer: Any, bias_initializer: Any, dropout: float, recurrent_dropout: float,
                 seed: int | None, return_sequences: bool, return_state: bool, go_backwards: bool,
                 input_shape: Any, name: str | None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"{self._where}: units must be a positive integer, received units={units!r}")
        self.units = int(units)
        self.activation, self.activation_name = resolve_activation(activation, self._where)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = kernel_initializer
        self.recurrent_initializer = recurrent_initializer
        self.bias_initializer = bias_initializer
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards = bool(go_backwards)
        for arg, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if isinstance(rate, bool) or not isinstance(rate, (int, float, np.integer, np.floating)) \
                    or not 0 <= rate < 1:
                raise ValueError(f"{self._where}: {arg} must be a number in [0, 1), received {arg}={rate!r}")
        self.dropout, self.recurrent_dropout, self.seed = float(dropout), float(recurrent_dropout), seed
        self._rng = fresh_rng(seed)  # unseeded: follows nn.utils.set_random_seed
        self.zero_output_for_mask = False  # Bidirectional sets it: padded outputs become zeros
        self.kernel: Tensor | None = None
        self.recurrent_kernel: Tensor | None = None
        self.bias: Tensor | None = None

    # --- weights ------------------------------------------------------------------------------------
    def bias_shape(self) -> tuple:
        return (self.gates * self.units,)

    def initial_bias(self, shape: tuple) -> np.ndarray:
        return initializers.get(self.bias_initializer)(shape)

    def build(self, input_shape: Shape) -> None:
        if input_shape[-1] is None:
            raise ValueError(f"{self._where}: the input's feature axis must be known, received {input_shape}")
        width = self.gates * self.units
        self.kernel = self.add_weight("kernel", (input_shape[-1], width), self.kernel_initializer)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (self.units, width),
                                                self.recurrent_initializer)
        if self.use_bias:
            self.bias = self.add_weight("bias", self.bias_shape(), self.initial_bias)
        super().build(input_shape)

    def _fixed_axes(self) -> dict[int, int]:
        return {-1: self.kernel.shape[0]}

    def _has_weights_when_built(self) -> bool:
        return True

    # --- calling ------------------------------------------------------------------------------------
    def __call__(self, inputs: Any, initial_state: Any = None, mask: Any = None,
                 training: bool | None = None) -> Any:
        """Run the sequence ``(batch, timesteps, features)``; Keras's ``layer(x, initial_state, mask)``.

        ``mask`` defaults to the one attached to ``inputs`` by ``Embedding(mask_zero=True)``.
        Returns the output, or ``[output, *final_states]`` with ``return_state=True``.
        """
        if mask is None:
            mask = mask_of(inputs)
        x = as_tensor(as_array(inputs, self._where) if isinstance(inputs, list) else inputs, self._where)
        self.maybe_build(x.shape)
        mask = check_mask(mask, x.shape[:2], self._where)
        states = self._initial_states(initial_state, x)
        training = self.training if training is None else training
        output, states = self.forward(x, states, mask, training=bool(training))
        if self.return_sequences and mask is not None:
            attach_mask(output, mask)  # Keras passes the input mask on with the sequence
        return [output, *states] if self.return_state else output

    def _initial_states(self, initial_state: Any, x: Tensor) -> list[Tensor]:
        """Zeros, or the given states checked against ``(batch, units)``."""
        shape = (x.shape[0], self.units)
        if initial_state is None:
            return [Tensor(np.zeros(shape, dtype=x.dtype))] * self.state_count
        given = [initial_state] if isinstance(initial_state, (Tensor, np.ndarray)) else list(initial_state)
        if len(given) != self.state_count:
            raise ValueError(f"{self._where}: initial_state must be a list of {self.state_count} state(s) of "
                             f"shape {shape}, received {len(given)}")
        states = [as_tensor(s, self._where) for s in given]
        for i, s in enumerate(states):
            if s.shape != shape:
                raise ValueError(f"{self._where}: initial_state[{i}] must have shape (batch, units) = "
                                 f"{shape}, received shape {s.shape}")
        return states

    def split_bias(self) -> tuple[Tensor | None, Tensor | None]:
        """``(bias added to x_t @ kernel, bias added to h @ recurrent_kernel)``; only GRU has the second."""
        return self.bias, None

    def dropout_mask(self, shape: tuple, rate: float, dtype: Any) -> np.ndarray | None:
        """Inverted-dropout factors (0 or ``1 / (1 - rate)``), drawn once per call and used at every step."""
        if rate == 0:
            return None
        return ((self._rng.random(shape) >= rate) / (1.0 - rate)).astype(dtype)

    def forward(self, x: Tensor, states: list[Tensor], mask: np.ndarray | None = None,
                training: bool = False) -> tuple[Any, list]:
        """Unroll the cell over time: ``states = step(x_t @ kernel + b, states)`` for each t in turn.

        While training, ``dropout`` zeroes the same input features at every step and
        ``recurrent_dropout`` the same units of the previous output where it enters the recurrent
        product (the carried state itself is not dropped), as Keras does.
        Returns ``(output, final_states)``; output is ``(batch, timesteps, units)`` with
        ``return_sequences`` (in processing order, so reversed with ``go_backwards``), else the last one.
        """
        steps = x.shape[1]
        x_by_time = x.transpose(1, 0, 2)  # (timesteps, batch, features): x_by_time[t] is contiguous
        keep = None if mask is None else mask.T[:, :, None]  # (timesteps, batch, 1)
        bias, recurrent_bias = self.split_bias()  # indexed once per call, not once per step
        input_mask = self.dropout_mask((x.shape[0], x.shape[2]), self.dropout if training else 0, x.dtype)
        hidden_mask = self.dropout_mask((x.shape[0], self.units), self.recurrent_dropout if training else 0,
                                        x.dtype)
        output = Tensor(np.zeros((x.shape[0], self.units), dtype=x.dtype))  # "previous output" before any
        outputs = []
        for t in (range(steps - 1, -1, -1) if self.go_backwards else range(steps)):
            x_t = x_by_time[t] if input_mask is None else x_by_time[t] * input_mask
            h_in = states[0] if hidden_mask is None else states[0] * hidden_mask
            new = self.step(F.dense(x_t, self.kernel, bias), states, h_in, recurrent_bias)
            if keep is None:
                states, output = new, new[0]
            else:  # a padded step carries the states and the last output through
                states = [where(keep[t], n, s) for n, s in zip(new, states, strict=True)]
                output = where(keep[t], new[0], 0.0 if self.zero_output_for_mask else output)
            outputs.append(output)
        if self.return_sequences:
            return stack(outputs, axis=1), states
        return outputs[-1], states

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The input mask when ``return_sequences`` (Keras), else None."""
        return mask if self.return_sequences else None

    def compute_output_shape(self, input_shape: Shape) -> Any:
        batch, steps = input_shape[0], input_shape[1]
        out = (batch, steps, self.units) if self.return_sequences else (batch, self.units)
        if self.return_state:
            return [out] + [(batch, self.units)] * self.state_count
        return out

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments (``Bidirectional`` builds its backward copy from them)."""
        return {"units": self.units, "activation": self.activation_name, "use_bias": self.use_bias,
                "kernel_initializer": self.kernel_initializer,
                "recurrent_initializer": self.recurrent_initializer,
                "bias_initializer": self.bias_initializer, "dropout": self.dropout,
                "recurrent_dropout": self.recurrent_dropout, "seed": self.seed,
                "return_sequences": self.return_sequences,
                "return_state": self.return_state, "go_backwards": self.go_backwards}

    def extra_repr(self) -> str:
        flags = [f for f in ("return_sequences", "return_state", "go_backwards") if getattr(self, f)]
        return f"units={self.units}" + "".join(f", {f}=True" for f in flags)


class SimpleRNN(Recurrent):
    """Fully connected recurrence: ``h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)``.

    Args:
        units: size of the state (and output).
        activation: default "tanh".
        use_bias: whether to add ``bias`` (units,).
        kernel_initializer, recurrent_initializer, bias_initializer: Keras's defaults
            "glorot_uniform", "orthogonal", "zeros".
        dropout: while training, the fraction of input features zeroed (one mask for all steps).
        recurrent_dropout: while training, the fraction of the previous output's units zeroed where it
            enters the recurrent product (one mask for all steps).
        seed: seed of the dropout masks' generator.
        return_sequences: return every step's output ``(batch, timesteps, units)``, not only the last.
        return_state: also return the final state: ``[output, h]``.
        go_backwards: read the sequence from its end (outputs come in that reversed order).
        input_shape: ``(timesteps, features)``; builds the weights at once.
        name: layer name (default ``simple_rnn``, ...).

    Example:
        >>> import numpy as np
        >>> from nn.layers import SimpleRNN
        >>> y, h = SimpleRNN(4, return_sequences=True, return_state=True)(np.ones((2, 5, 3)))
        >>> y.shape, h.shape, bool(np.allclose(y.numpy()[:, -1], h.numpy()))
        ((2, 5, 4), (2, 4), True)
    """

    def __init__(self, units: int, activation: Any = "tanh", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", recurrent_initializer: Any = "orthogonal",
                 bias_initializer: Any = "zeros", dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 seed: int | None = None, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(units, activation, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, dropout, recurrent_dropout, seed, return_sequences, return_state,
                         go_backwards, input_shape, name)
        self._build_if_declared()

    def step(self, xw: Tensor, states: list[Tensor], h_in: Tensor,
             recurrent_bias: None = None) -> list[Tensor]:
        """``h = activation(xw + h @ recurrent_kernel)``."""
        return [self.activation(xw + h_in @ self.recurrent_kernel)]


class GRU(Recurrent):
    """Gated recurrent unit, Keras's version (gates z, r, candidate h, in that order in the weights).

    With ``reset_after=True`` (Keras's default, and cuDNN's/PyTorch's formula), for each step::

        z = sigmoid(x W_z + b_z + h U_z + c_z)          r = sigmoid(x W_r + b_r + h U_r + c_r)
        n = tanh(x W_h + b_h + r * (h U_h + c_h))        h' = z * h + (1 - z) * n

    where ``bias[0] = (b_z, b_r, b_h)`` is the input bias and ``bias[1] = (c_z, c_r, c_h)`` the recurrent
    one (bias shape ``(2, 3*units)``). With ``reset_after=False``: ``n = tanh(x W_h + b_h + (r*h) U_h)``
    and one bias ``(3*units,)``.

    Args:
        units: size of the state. activation: for n (default "tanh"). recurrent_activation: for z and
            r (default "sigmoid"). use_bias, kernel/recurrent/bias initializers, dropout,
            recurrent_dropout, seed, return_sequences,
            return_state, go_backwards, input_shape, name: as in ``SimpleRNN``.
        reset_after: apply the reset gate after the recurrent product (default True).

    Example:
        >>> import numpy as np
        >>> from nn.layers import GRU
        >>> layer = GRU(4)
        >>> layer(np.ones((2, 5, 3))).shape, layer.kernel.shape, layer.bias.shape
        ((2, 4), (3, 12), (2, 12))
    """

    gates = 3

    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: int | None = None,
                 return_sequences: bool = False, return_state: bool = False, go_backwards: bool = False,
                 reset_after: bool = True, input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(units, activation, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, dropout, recurrent_dropout, seed, return_sequences, return_state,
                         go_backwards, input_shape, name)
        self.recurrent_activation, self.recurrent_activation_name = resolve_activation(
            recurrent_activation, self._where)
        self.reset_after = bool(reset_after)
        self._build_if_declared()

    def bias_shape(self) -> tuple:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def split_bias(self) -> tuple[Tensor | None, Tensor | None]:
        if self.bias is None or not self.reset_after:
            return self.bias, None
        return self.bias[0], self.bias[1]

    def step(self, xw: Tensor, states: list[Tensor], h_in: Tensor,
             recurrent_bias: Tensor | None) -> list[Tensor]:
        """z, r from the first two blocks; the candidate from the third; ``h' = z h + (1 - z) n``."""
        h, u, n = states[0], self.units, 2 * self.units
        if self.reset_after:
            hu = h_in @ self.recurrent_kernel
            if recurrent_bias is not None:
                hu = hu + recurrent_bias
            gates = self.recurrent_activation(xw[:, :n] + hu[:, :n])
            z, r = gates[:, :u], gates[:, u:]
            candidate = self.activation(xw[:, n:] + r * hu[:, n:])
        else:
            gates = self.recurrent_activation(xw[:, :n] + h_in @ self.recurrent_kernel[:, :n])
            z, r = gates[:, :u], gates[:, u:]
            candidate = self.activation(xw[:, n:] + (r * h_in) @ self.recurrent_kernel[:, n:])
        return [z * h + (1.0 - z) * candidate]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "recurrent_activation": self.recurrent_activation_name,
                "reset_after": self.reset_after}


class LSTM(Recurrent):
    """Long short-term memory, Keras's version (gates i, f, c, o, in that order in the weights).

    For each step, with ``g = x @ kernel + h @ recurrent_kernel + bias`` split into four blocks::

        i = sigmoid(g_i)   f = sigmoid(g_f)   o = sigmoid(g_o)
        c' = f * c + i * tanh(g_c)            h' = o * tanh(c')

    The states are ``[h, c]``. ``unit_forget_bias=True`` (Keras's default) starts the forget block
    of the bias at 1, so that early in training the cell remembers.

    Args:
        units: size of h and c. activation: for the candidate and the cell output (default "tanh").
        recurrent_activation: for i, f, o (default "sigmoid"). unit_forget_bias: see above.
        use_bias, kernel/recurrent/bias initializers, dropout, recurrent_dropout, seed,
            return_sequences, return_state, go_backwards,
            input_shape, name: as in ``SimpleRNN``; ``return_state`` gives ``[output, h, c]``.

    Example:
        >>> import numpy as np
        >>> from nn.layers import LSTM
        >>> layer = LSTM(4, return_state=True)
        >>> out, h, c = layer(np.ones((2, 5, 3)))
        >>> out.shape, c.shape, layer.kernel.shape, layer.bias.numpy()[4:8].tolist()
        ((2, 4), (2, 4), (3, 16), [1.0, 1.0, 1.0, 1.0])
    """

    gates = 4
    state_count = 2

    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 seed: int | None = None, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(units, activation, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, dropout, recurrent_dropout, seed, return_sequences, return_state,
                         go_backwards, input_shape, name)
        self.recurrent_activation, self.recurrent_activation_name = resolve_activation(
            recurrent_activation, self._where)
        self.unit_forget_bias = bool(unit_forget_bias)
        self._build_if_declared()

    def initial_bias(self, shape: tuple) -> np.ndarray:
        bias = np.asarray(super().initial_bias(shape), dtype=np.float32)
        if self.unit_forget_bias:
            bias[self.units:2 * self.units] = 1.0
        return bias

    def step(self, xw: Tensor, states: list[Tensor], h_in: Tensor,
             recurrent_bias: None = None) -> list[Tensor]:
        """``c' = f c + i tanh(g_c)``, ``h' = o tanh(c')``."""
        c = states[1]
        u = self.units
        g = xw + h_in @ self.recurrent_kernel
        i = self.recurrent_activation(g[:, :u])
        f = self.recurrent_activation(g[:, u:2 * u])
        o = self.recurrent_activation(g[:, 3 * u:])
        c = f * c + i * self.activation(g[:, 2 * u:3 * u])
        return [o * self.activation(c), c]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "recurrent_activation": self.recurrent_activation_name,
                "unit_forget_bias": self.unit_forget_bias}
