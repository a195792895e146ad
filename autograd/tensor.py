"""``Tensor``: an n-d array node on numpy, sharing ``Node``'s graph walk with ``Value``.

The op table lives in ``tensor_ops.py``; this file holds the node itself: construction, dtype
rules, how ops are applied and recorded, and the hooks backprop calls (seeding, unbroadcasting,
storing and freeing).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .graph import Node, Op, _mode

DEFAULT_FLOAT = np.float32


def as_array(data: Any, dtype: Any = None, where: str = "Tensor") -> np.ndarray:
    """numpy array of ``data``; floats become float32 unless ``dtype`` says otherwise."""
    if isinstance(data, Tensor):
        data = data.data
    array = np.asarray(data, dtype=dtype)
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{where}: expected numbers (bool, int or float), got an array of dtype {array.dtype}"
            + (f" from {type(data).__name__}" if not isinstance(data, np.ndarray) else "")
        )
    if dtype is None and array.dtype.kind == "f" and not isinstance(data, np.ndarray):
        array = array.astype(DEFAULT_FLOAT)  # python floats and lists default to float32, as in PyTorch
    return array


def unbroadcast(g: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``g`` down to ``shape``, undoing numpy broadcasting (the only place this happens)."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(i + extra for i, n in enumerate(shape) if n == 1 and g.shape[i + extra] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    if extra:
        g = g.reshape(shape)
    return g


class Tensor(Node):
    """An n-d array that records the operations applied to it, for reverse-mode autodiff.

    Args:
        data: a number, nested list or ndarray. Floats default to float32 (float64 arrays stay
            float64; pass ``dtype`` to choose).
        requires_grad: whether backward() should compute ``.grad`` for this leaf.
        dtype: numpy dtype to convert to.
        label: a name shown in drawings.

    Example:
        >>> from autograd import Tensor
        >>> w = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        >>> (w * w).sum().backward()
        >>> w.grad.tolist()
        [[2.0, 4.0], [6.0, 8.0]]
    """

    __slots__ = ("requires_grad",)
    _broadcasts = True
    __array_priority__ = 1000  # ndarray <op> Tensor defers to Tensor's reflected operators

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None, label: str = "") -> None:
        self.data = as_array(data, dtype)
        self.grad = None
        self.label = label
        self.requires_grad = bool(requires_grad)
        if self.requires_grad and self.data.dtype.kind != "f":
            raise TypeError(f"Tensor: only floating-point tensors can require gradients, got dtype {self.data.dtype}")
        self._op = None
        self._inputs = ()
        self._saved = None

    # --- applying ops -----------------------------------------------------------------------
    @staticmethod
    def _apply(op: type[Op], *inputs: Any) -> Tensor:
        """Run ``op.forward`` on the raw payloads and record it when any input needs a gradient.

        Inputs may be Tensors or constants (numbers, axes, shapes, ndarrays); forward receives
        ndarrays for Tensors and the constants as they are.
        """
        raw = [x.data if isinstance(x, Tensor) else x for x in inputs]
        result = op.forward(*raw)
        out = Tensor.__new__(Tensor)
        if op.saves:
            result, saved = result
        else:
            saved = None
        out.data = result if isinstance(result, np.ndarray) else np.asarray(result)
        out.grad = None
        out.label = ""
        record = _mode.enabled and any(isinstance(x, Node) and x.requires_grad for x in inputs)
        out.requires_grad = record
        out._op, out._inputs, out._saved = (op, inputs, saved) if record else (None, (), None)
        return out

    # --- hooks backprop calls ---------------------------------------------------------------
    def _seed_grad(self, grad: Any) -> Any:
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward: grad can be implicitly created only for scalar outputs; this tensor has "
                    f"shape {self.shape}: pass grad= of that shape (or call .sum() first)"
                )
            return np.ones_like(self.data)
        g = grad.data if isinstance(grad, Tensor) and not _mode.enabled else grad
        if np.shape(g) != self.shape:
            raise ValueError(f"backward: grad has shape {np.shape(g)}, expected the output's shape {self.shape}")
        return g if isinstance(g, Tensor) else np.asarray(g, dtype=self.data.dtype)

    def _fit_grad(self, g: Any) -> Any:
        if g.shape == self.data.shape:
            return g
        if isinstance(g, Tensor):
            return Tensor._apply(_SumTo, g, self.data.shape)
        return unbroadcast(g, self.data.shape)

    def _release(self) -> None:
        if self._op is not None:  # leaves keep nothing to free
            self._inputs = None
            self._saved = None

    # --- array attributes -------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def size(self) -> int:
        return self.data.size

    def __len__(self) -> int:
        return len(self.data)

    def numpy(self) -> np.ndarray:
        """The payload as an ndarray (no copy)."""
        return self.data

    def item(self) -> float:
        """The single number in a one-element tensor."""
        return self.data.item()

    def __repr__(self) -> str:
        grad = ", requires_grad=True" if self.requires_grad else ""
        op = f", op={self.op!r}" if self._op is not None else ""
        body = np.array2string(self.data, separator=", ", threshold=20, precision=4)
        return f"Tensor({body}, dtype={self.dtype}{grad}{op})"

    __hash__ = Node.__hash__


class _SumTo(Op):
    """f(g, shape) = g summed down to shape (unbroadcast);  df/dg = broadcast back to g's shape"""

    name = "sum_to"

    @staticmethod
    def forward(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        return unbroadcast(g, shape)

    @staticmethod
    def backward(g, out, x, shape):
        from .tensor_ops import broadcast_to  # the op table builds on this file

        return broadcast_to(g, x.shape), None
