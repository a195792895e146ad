"""``Tensor``: an n-d array node on numpy, sharing ``Node``'s graph walk with ``Value``.

The op tables live in ``tensor_ops.py`` (elementwise, matmul), ``tensor_shape.py`` (shape ops,
indexing, joining) and ``tensor_reductions.py`` (sum, max, softmax family); this file holds the
node itself: construction, dtype rules, how ops are applied and recorded, and the hooks backprop
calls (seeding, unbroadcasting, storing and freeing). The methods users call live in
``tensor_methods.py`` as the ``TensorMethods`` mixin.

dtype policy (PyTorch's): Python floats and lists of floats become float32; float64 ndarrays and
``dtype=np.float64`` stay float64; an op between a float32 tensor and a Python or numpy scalar
stays float32; integer and bool tensors are allowed as data but only float tensors require grad.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .anomaly import _anomaly, check_forward
from .graph import Node, Op, _mode
from .tensor_data import DEFAULT_FLOAT, as_array, unbroadcast
from .tensor_methods import TensorMethods
from .tensor_shape import broadcast_to

_F64 = np.dtype(np.float64)


def _shape_error(op: type[Op], raw: list, error: Exception) -> ValueError:
    """Rewrite numpy's shape complaint so it names our op and the shapes it was given."""
    shapes = [np.shape(x) for x in raw if isinstance(x, np.ndarray)]
    template = getattr(op, "shape_error", None)
    if template and len(shapes) >= 2:
        return ValueError(template.format(op=op.name, a=shapes[0], b=shapes[1]))
    listed = ", ".join(str(s) for s in shapes)
    return ValueError(f"{op.name}: {error} (input shapes {listed})")


class Tensor(TensorMethods, Node):
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
    __array_ufunc__ = None  # ndarray <op> Tensor defers to Tensor's reflected operators
    __array_priority__ = 1000

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None, label: str = "") -> None:
        self.data = as_array(data, dtype)
        self.grad = None
        self.label = label
        self.requires_grad = bool(requires_grad)
        if self.requires_grad and self.data.dtype.kind != "f":
            raise TypeError(
                f"Tensor: only floating-point tensors can require gradients, got dtype {self.data.dtype}"
            )
        self._op = None
        self._inputs = ()
        self._saved = None

    # --- applying ops -----------------------------------------------------------------------
    @staticmethod
    def _apply(op: type[Op], *inputs: Any) -> Tensor:
        """Run ``op.forward`` on the raw payloads and record it when any input needs a gradient.

        Inputs may be Tensors or constants (numbers, axes, shapes, ndarrays); forward receives
        ndarrays for Tensors and the constants as they are. Ops with ``needs_mask`` get, as their
        saved value, which inputs need a gradient, so backward can skip the others' work.
        """
        if len(inputs) == 2:  # most ops: written out, a comprehension is a call of its own in 3.11
            a, b = inputs
            raw = [a.data if isinstance(a, Tensor) else a, b.data if isinstance(b, Tensor) else b]
        else:
            raw = [x.data if isinstance(x, Tensor) else x for x in inputs]
        try:
            result = op.forward(*raw)
        except ValueError as error:
            raise _shape_error(op, raw, error) from None
        saved, masked = None, False
        if op.saves:
            masked = getattr(op, "needs_mask", False)
            if not masked:
                result, saved = result
        if type(result) is not np.ndarray:
            result = np.asarray(result)  # numpy returns scalars from full reductions
        if (result.dtype is _F64 and not getattr(op, "makes_float64", False)
              and not any(isinstance(x, np.ndarray) and x.dtype is _F64 for x in raw)):
            result = result.astype(DEFAULT_FLOAT)  # ints, ints / ints, int ** 0.5: float32, as in PyTorch
        if _anomaly.enabled:
            check_forward(op, result, raw)
        out = Tensor.__new__(Tensor)
        out.data = result
        out.grad = None
        out.label = ""
        out._saved = None
        if _mode.enabled:
            for x in inputs:
                if isinstance(x, Node) and x.requires_grad:
                    out.requires_grad = True
                    out._op, out._inputs = op, inputs
                    if masked:
                        out._saved = tuple(isinstance(y, Node) and y.requires_grad for y in inputs)
                    else:
                        out._saved = saved
                    return out
        out.requires_grad = False
        out._op, out._inputs = None, ()
        return out

    # --- hooks backprop calls ---------------------------------------------------------------
    def _seed_grad(self, grad: Any) -> Any:
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward: grad can be implicitly created only for scalar outputs; this tensor has "
                    f"shape {self.shape}: pass grad= of that shape (or call .sum() first)"
                )
            return np.array(1, self.data.dtype).reshape(self.data.shape)  # cheaper than ones_like
        g = grad.data if isinstance(grad, Tensor) and not _mode.enabled else grad
        if np.shape(g) != self.shape:
            raise ValueError(
                f"backward: grad has shape {np.shape(g)}, expected the output's shape {self.shape}"
            )
        return g if isinstance(g, Tensor) else np.asarray(g, dtype=self.data.dtype)

    def _fit_grad(self, g: Any) -> Any:
        data = self.data
        if type(g) is np.ndarray:
            if g.shape != data.shape:
                g = unbroadcast(g, data.shape)
            if g.dtype != data.dtype:
                g = g.astype(data.dtype)  # a float64 constant must not turn a float32 grad into float64
            return g
        if isinstance(g, Tensor):
            return g if g.data.shape == data.shape else Tensor._apply(_SumTo, g, data.shape)
        return np.asarray(g, dtype=data.dtype) + np.zeros(data.shape, data.dtype)  # a number: fill the shape

    def _store_grad(self, g: Any, create_graph: bool) -> None:
        if create_graph:
            Node._store_grad(self, g, create_graph)
        elif self.grad is None:
            if self._op is None and not g.flags.writeable:
                g = g.copy()  # a leaf's .grad must be a real, writable array, not a broadcast view
            self.grad = g
        else:
            # a new array: the old one may be shared with another node, so never add in place
            self.grad = self.grad + (g.data if isinstance(g, Tensor) else g)

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
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.data if dtype is None else self.data.astype(dtype)

    def __bool__(self) -> bool:
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.data)

    def __int__(self) -> int:
        return int(self.data)

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
        return broadcast_to(g, x.shape), None
