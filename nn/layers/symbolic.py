"""Symbolic tensors: what ``nn.Input`` returns and what layers return when called on one.

Calling a layer on a ``KerasTensor`` runs nothing on data: it records a ``CallNode`` (which layer,
called on which symbolic tensors, giving which) and returns new symbolic tensors carrying the
output's shape (batch axis ``None``) and dtype. ``nn.Model(inputs, outputs)`` walks these nodes
back from the outputs to find its layers (``nn.models.functional``).

The output shape comes from the layer's ``compute_output_shape`` when it defines one; otherwise (a
custom layer, a model used as a layer, several inputs) the layer is run once on a batch of zeros of
one sample, with no graph recorded and in inference mode, and the shapes are read off the result.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.graph import no_grad
from autograd.tensor import Tensor


class KerasTensor:
    """A symbolic tensor: ``.shape`` (batch axis first, ``None`` where unknown), ``.dtype``, ``.name``.

    ``node`` is the ``CallNode`` that produced it and ``index`` its position among that call's
    outputs (Keras's ``_keras_history``).
    """

    def __init__(
        self,
        shape: tuple,
        dtype: str = "float32",
        name: str | None = None,
        node: CallNode | None = None,
        index: int = 0,
    ) -> None:
        self.shape, self.dtype, self.node, self.index = tuple(shape), str(np.dtype(dtype)), node, index
        self.name = name if name is not None else (node.layer.name if node is not None else "keras_tensor")

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __bool__(self) -> bool:
        raise TypeError(
            f"{self!r} is symbolic: it has no value to test; build a model with nn.Model(inputs, "
            "outputs) and call it on data"
        )

    def __array__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        raise TypeError(
            f"{self!r} is symbolic: it has no numbers; build a model with nn.Model(inputs, outputs) "
            "and call it on data"
        )


class CallNode:
    """One call of a layer on symbolic tensors: ``outputs = layer(args, **kwargs)``."""

    def __init__(self, layer: Any, args: Any, kwargs: dict[str, Any], outputs: Any) -> None:
        self.layer, self.args, self.kwargs, self.outputs = layer, args, kwargs, outputs

    @property
    def inputs(self) -> list[KerasTensor]:
        return flatten(self.args)

    @property
    def output_tensors(self) -> list[KerasTensor]:
        return flatten(self.outputs)


def flatten(x: Any) -> list[Any]:
    """The leaves of a structure of lists, tuples and dicts, in order."""
    if isinstance(x, dict):
        return [leaf for v in x.values() for leaf in flatten(v)]
    if isinstance(x, (list, tuple)):
        return [leaf for v in x for leaf in flatten(v)]
    return [x]


def map_leaves(fn: Any, x: Any) -> Any:
    """``fn`` on each leaf of a structure, keeping the structure."""
    if isinstance(x, dict):
        return {k: map_leaves(fn, v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return (
            type(x)(map_leaves(fn, v) for v in x)
            if isinstance(x, list)
            else tuple(map_leaves(fn, v) for v in x)
        )
    return fn(x)


def is_symbolic(x: Any) -> bool:
    """True for a KerasTensor, or a list/tuple/dict holding one."""
    if isinstance(x, KerasTensor):
        return True
    return isinstance(x, (list, tuple, dict)) and any(isinstance(v, KerasTensor) for v in flatten(x))


def symbolic_call(layer: Any, inputs: Any, **kwargs: Any) -> Any:
    """Record ``layer(inputs, **kwargs)`` on symbolic tensors and return its symbolic outputs."""
    kwargs = {k: v for k, v in kwargs.items() if not (k == "training" and v is None)}
    leaves = flatten(inputs)
    if any(not isinstance(v, KerasTensor) for v in leaves):
        bad = next(v for v in leaves if not isinstance(v, KerasTensor))
        raise TypeError(
            f"{getattr(layer, '_where', layer)}: cannot mix symbolic tensors and data in one call; "
            f"received {type(bad).__name__} next to {next(v for v in leaves if isinstance(v, KerasTensor))}"
        )
    batch = leaves[0].shape[0] if leaves[0].shape else None
    if isinstance(inputs, KerasTensor) and _has_own_output_shape(layer):
        shape = layer.maybe_build(inputs.shape)  # checks rank and sizes against the built weights
        outputs = KerasTensor(tuple(shape), "float32")
    else:
        if (
            isinstance(inputs, KerasTensor)
            and hasattr(layer, "maybe_build")
            and hasattr(layer, "_check_input_shape")
        ):
            layer._check_input_shape(inputs.shape)  # errors name the symbolic shape, not the probe's
        probe = map_leaves(_zeros_like, inputs)
        with no_grad():
            result = layer(probe, training=False, **{k: v for k, v in kwargs.items() if k != "training"})
        outputs = map_leaves(
            lambda t: KerasTensor(
                (batch, *np.shape(getattr(t, "data", t))[1:]), getattr(t, "dtype", "float32")
            ),
            result,
        )
    node = CallNode(layer, inputs, kwargs, outputs)
    for i, out in enumerate(flatten(outputs)):
        out.node, out.index, out.name = node, i, layer.name if i == 0 else f"{layer.name}_{i}"
    layer.__dict__.setdefault("_inbound_nodes", []).append(node)
    return outputs


def _has_own_output_shape(layer: Any) -> bool:
    """A plain layer whose class computes its output shape (so no probe run is needed)."""
    from .base import Layer

    if not isinstance(layer, Layer) or getattr(layer, "compute_output_shape", None) is None:
        return False
    if type(layer).__call__ is not Layer.__call__:
        return False
    return type(layer).compute_output_shape is not Layer.compute_output_shape


def _zeros_like(t: KerasTensor) -> Tensor:
    """A batch of one sample of zeros shaped like ``t`` (unknown sizes taken as 1)."""
    return Tensor(np.zeros((1, *(1 if d is None else d for d in t.shape[1:])), dtype=t.dtype))
